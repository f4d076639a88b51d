/*
 * test_space.c — the distributions and the unit-interval map of space.c: exact values at chosen
 * u, round trips, and statistical checks with fixed seeds (per-decade counts of log ranges,
 * equal frequencies of integers and categories).
 */
#include "space.h"
#include "test.h"
#include "util/rng.h"

#include <stdlib.h>

static ld_param range_param(ld_dist d, double min, double max)
{
    ld_param p = {0};
    p.name = ld_strdup("x");
    p.dist = d;
    p.min = min;
    p.max = max;
    p.q = 1;
    p.sigma = 1;
    p.a = p.b = 1;
    return p;
}

static ld_value num_value(ld_value_type t, double num)
{
    ld_value v = {t, num, NULL};
    return v;
}

static ld_value str_value(const char *s)
{
    ld_value v = {LD_VAL_STR, 0, ld_strdup(s)};
    return v;
}

/* A categorical over "a", "b", "c" with optional probabilities (copied). */
static ld_param abc_param(const double *probs)
{
    ld_param p = range_param(LD_DIST_CATEGORICAL, 0, 0);
    p.n_values = 3;
    p.values = calloc(3, sizeof *p.values);
    p.values[0] = str_value("a");
    p.values[1] = str_value("b");
    p.values[2] = str_value("c");
    if (probs) {
        p.probabilities = malloc(3 * sizeof *p.probabilities);
        memcpy(p.probabilities, probs, 3 * sizeof *probs);
    }
    return p;
}

static double sample_num(const ld_param *p, double u)
{
    ld_value v;
    ld_param_from_unit(p, u, &v);
    double x = v.num;
    ld_value_clear(&v);
    return x;
}

static void test_dist_names(void)
{
    for (int d = LD_DIST_CONSTANT; d <= LD_DIST_Q_BETA; d++)
        CHECK_INT_EQ(ld_dist_parse(ld_dist_name((ld_dist)d)), d);
    CHECK_STR_EQ(ld_dist_name(LD_DIST_LOG_UNIFORM_VALUES), "log_uniform_values");
    CHECK_INT_EQ(ld_dist_parse("log_unifrom"), -1);
}

static void test_log_uniform_per_decade(void)
{
    ld_param p = range_param(LD_DIST_LOG_UNIFORM_VALUES, 1e-5, 1e-1);
    ld_rng r;
    ld_rng_seed(&r, 42, 0);
    int decade[4] = {0};
    const int n = 100000;
    for (int i = 0; i < n; i++) {
        double x = sample_num(&p, ld_rng_uniform(&r));
        CHECK(x >= 1e-5 && x <= 1e-1);
        int k = (int)floor(log10(x) + 5);
        decade[k < 0 ? 0 : k > 3 ? 3 : k]++;
    }
    for (int k = 0; k < 4; k++)
        CHECK_NEAR(decade[k] / (double)n, 0.25, 0.25 * 0.02);
    CHECK(ld_param_is_log(&p));
    CHECK_NEAR(sample_num(&p, 0.5), 1e-3, 1e-15);
    CHECK_NEAR(sample_num(&p, 0), 1e-5, 1e-12);
    ld_param_clear(&p);

    /* log_uniform takes exponents: min -5 ln 10 .. -ln 10 is the same range. */
    p = range_param(LD_DIST_LOG_UNIFORM, -5 * M_LN10, -M_LN10);
    CHECK_NEAR(sample_num(&p, 0.5), 1e-3, 1e-15);
    ld_param_clear(&p);

    /* inverse forms: still between min and max, log-uniform, increasing in u */
    p = range_param(LD_DIST_INV_LOG_UNIFORM_VALUES, 1e-4, 1);
    CHECK_NEAR(sample_num(&p, 0.5), 1e-2, 1e-15);
    CHECK(sample_num(&p, 0.1) < sample_num(&p, 0.9));
    ld_param_clear(&p);
    p = range_param(LD_DIST_INV_LOG_UNIFORM, 0, 2);
    CHECK_NEAR(sample_num(&p, 0), exp(-2), 1e-12);
    CHECK_NEAR(sample_num(&p, 0.5), exp(-1), 1e-15);
    ld_param_clear(&p);
}

static void test_int_uniform(void)
{
    ld_param p = range_param(LD_DIST_INT_UNIFORM, 1, 6);
    p.integer = 1;
    ld_value v;
    ld_param_from_unit(&p, 0, &v);
    CHECK_INT_EQ(v.type, LD_VAL_INT);
    CHECK_INT_EQ(v.num, 1);
    ld_param_from_unit(&p, nextafter(1.0, 0), &v);
    CHECK_INT_EQ(v.num, 6);
    CHECK_INT_EQ(sample_num(&p, nextafter(1.0 / 6, 0)), 1);
    CHECK_INT_EQ(sample_num(&p, 1.0 / 6), 2);
    CHECK_INT_EQ(sample_num(&p, 1.0), 6); /* u = 1 is clamped, not 7 */

    ld_rng r;
    ld_rng_seed(&r, 7, 1);
    int count[6] = {0};
    const int n = 60000;
    for (int i = 0; i < n; i++)
        count[(int)sample_num(&p, ld_rng_uniform(&r)) - 1]++;
    for (int k = 0; k < 6; k++)
        CHECK_NEAR(count[k], n / 6.0, n / 6.0 * 0.04);

    for (int k = 1; k <= 6; k++) {
        v = num_value(LD_VAL_INT, k);
        CHECK_NEAR(ld_param_to_unit(&p, &v), (k - 0.5) / 6, 1e-15);
        CHECK_INT_EQ(sample_num(&p, ld_param_to_unit(&p, &v)), k);
    }
    v = num_value(LD_VAL_INT, 9); /* outside: clamped */
    CHECK_NEAR(ld_param_to_unit(&p, &v), 5.5 / 6, 1e-15);
    CHECK_INT_EQ(ld_param_grid_size(&p), 6);
    ld_param_grid_value(&p, 5, &v);
    CHECK_INT_EQ(v.type, LD_VAL_INT);
    CHECK_INT_EQ(v.num, 6);
    ld_param_clear(&p);
}

static void test_q_rounding(void)
{
    char s[32];
    ld_value v;
    ld_param p = range_param(LD_DIST_Q_UNIFORM, 0, 1);
    p.q = 0.1;
    ld_param_from_unit(&p, 0.33, &v);
    CHECK_INT_EQ(v.type, LD_VAL_FLOAT);
    CHECK(v.num == 0.3);
    ld_value_format(&v, s, sizeof s);
    CHECK_STR_EQ(s, "0.3");
    CHECK(sample_num(&p, 0.7) == 0.7);
    CHECK(sample_num(&p, 0.99) == 1.0);
    CHECK_INT_EQ(ld_param_grid_size(&p), 11);
    ld_param_grid_value(&p, 7, &v);
    CHECK(v.num == 0.7);
    ld_param_clear(&p);

    /* integer q and bounds give integers; halves round to even like numpy */
    p = range_param(LD_DIST_Q_UNIFORM, 0, 10);
    p.q = 2;
    p.integer = 1;
    ld_param_from_unit(&p, 0.5, &v); /* x = 5, 5 / 2 = 2.5 -> 2 -> 4 */
    CHECK_INT_EQ(v.type, LD_VAL_INT);
    CHECK_INT_EQ(v.num, 4);
    CHECK_INT_EQ(sample_num(&p, 0.7), 8); /* x = 7, 3.5 -> 4 -> 8 */
    CHECK_INT_EQ(ld_param_grid_size(&p), 6);
    for (size_t i = 0; i < 6; i++) {
        ld_param_grid_value(&p, i, &v);
        CHECK_INT_EQ(v.num, 2 * (double)i);
        CHECK_INT_EQ(sample_num(&p, ld_param_to_unit(&p, &v)), v.num);
    }
    ld_param_clear(&p);

    /* a range that does not start on a multiple of q stays inside [min, max] */
    p = range_param(LD_DIST_Q_UNIFORM, 0.1, 2.2);
    CHECK_INT_EQ(sample_num(&p, 0), 1);
    CHECK_INT_EQ(sample_num(&p, 0.999), 2);
    CHECK_INT_EQ(ld_param_grid_size(&p), 2);
    ld_param_clear(&p);

    p = range_param(LD_DIST_Q_LOG_UNIFORM_VALUES, 1, 1000);
    p.integer = 1;
    ld_param_from_unit(&p, 0.5, &v); /* sqrt(1000) = 31.62 */
    CHECK_INT_EQ(v.type, LD_VAL_INT);
    CHECK_INT_EQ(v.num, 32);
    CHECK_INT_EQ(ld_param_grid_size(&p), 0); /* only q_uniform has a grid among the q forms */
    ld_param_clear(&p);

    p = range_param(LD_DIST_Q_NORMAL, 0, 0);
    p.mu = 10;
    p.sigma = 3;
    p.q = 0.5;
    CHECK(sample_num(&p, 0.5) == 10);
    CHECK(sample_num(&p, 0.975) == 16); /* 10 + 5.88 -> 16 */
    ld_param_clear(&p);
}

static void test_round_trip(void)
{
    const ld_dist dists[] = {LD_DIST_UNIFORM,         LD_DIST_LOG_UNIFORM,
                             LD_DIST_LOG_UNIFORM_VALUES, LD_DIST_INV_LOG_UNIFORM,
                             LD_DIST_INV_LOG_UNIFORM_VALUES, LD_DIST_NORMAL,
                             LD_DIST_LOG_NORMAL,      LD_DIST_BETA};
    const double us[] = {0.001, 0.05, 0.25, 0.5, 0.77, 0.95, 0.999};
    for (size_t d = 0; d < sizeof dists / sizeof dists[0]; d++) {
        ld_param p = range_param(dists[d], 0.5, 4);
        p.mu = 1;
        p.sigma = 2;
        p.a = 2;
        p.b = 5;
        for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
            ld_value v;
            ld_param_from_unit(&p, us[i], &v);
            CHECK_INT_EQ(v.type, LD_VAL_FLOAT);
            CHECK_NEAR(ld_param_to_unit(&p, &v), us[i], 1e-9);
        }
        CHECK_INT_EQ(ld_param_grid_size(&p), 0);
        ld_param_clear(&p);
    }
}

static void test_normal_quantiles(void)
{
    ld_param p = range_param(LD_DIST_NORMAL, 0, 0);
    p.mu = 0;
    p.sigma = 1;
    CHECK_NEAR(sample_num(&p, 0.5), 0, 1e-15);
    CHECK_NEAR(sample_num(&p, 0.975), 1.959963984540054, 1e-12);
    CHECK_NEAR(sample_num(&p, 0.025), -1.959963984540054, 1e-12);
    CHECK_NEAR(sample_num(&p, 0.8413447460685429), 1.0, 1e-12);
    CHECK_NEAR(sample_num(&p, 1e-10), -6.361340902404056, 1e-9);
    CHECK(isfinite(sample_num(&p, 0)));
    p.mu = 5;
    p.sigma = 2;
    CHECK_NEAR(sample_num(&p, 0.5), 5, 1e-14);
    CHECK_NEAR(sample_num(&p, 0.975), 5 + 2 * 1.959963984540054, 1e-11);

    ld_rng r;
    ld_rng_seed(&r, 3, 0);
    int below = 0;
    for (int i = 0; i < 20000; i++)
        below += sample_num(&p, ld_rng_uniform(&r)) < 5 - 2 * 0.6744897501960817; /* Q1 */
    CHECK_NEAR(below / 20000.0, 0.25, 0.01);
    ld_param_clear(&p);

    p = range_param(LD_DIST_LOG_NORMAL, 0, 0);
    p.mu = 1;
    p.sigma = 0.5;
    CHECK_NEAR(sample_num(&p, 0.5), exp(1), 1e-13);
    CHECK(ld_param_is_log(&p));
    ld_param_clear(&p);
}

static void test_beta(void)
{
    ld_param p = range_param(LD_DIST_BETA, 0, 0);
    p.a = 2;
    p.b = 5;
    /* I_0.2(2, 5) = 1 - 0.8^6 - 6 * 0.2 * 0.8^5 = 0.34464 */
    CHECK_NEAR(sample_num(&p, 0.34464), 0.2, 1e-9);
    p.a = p.b = 2;
    CHECK_NEAR(sample_num(&p, 0.5), 0.5, 1e-12);
    p.a = p.b = 1;
    CHECK_NEAR(sample_num(&p, 0.3), 0.3, 1e-12);
    p.dist = LD_DIST_Q_BETA;
    p.q = 0.25;
    CHECK(sample_num(&p, 0.3) == 0.25);
    ld_param_clear(&p);
}

static void test_categorical(void)
{
    const double probs[] = {0.2, 0, 0.8};
    ld_param p = abc_param(probs);
    ld_value v;
    ld_param_from_unit(&p, 0.1, &v);
    CHECK_STR_EQ(v.str, "a");
    ld_value_clear(&v);
    ld_param_from_unit(&p, 0.2, &v);
    CHECK_STR_EQ(v.str, "c");
    ld_value_clear(&v);
    ld_param_from_unit(&p, 0.9999, &v);
    CHECK_STR_EQ(v.str, "c");
    ld_value_clear(&v);

    ld_rng r;
    ld_rng_seed(&r, 11, 0);
    int count[3] = {0};
    for (int i = 0; i < 50000; i++) {
        ld_param_from_unit(&p, ld_rng_uniform(&r), &v);
        count[v.str[0] - 'a']++;
        ld_value_clear(&v);
    }
    CHECK_NEAR(count[0] / 50000.0, 0.2, 0.01);
    CHECK_INT_EQ(count[1], 0);
    CHECK_NEAR(ld_param_to_unit(&p, &p.values[0]), 0.1, 1e-15);
    CHECK_NEAR(ld_param_to_unit(&p, &p.values[2]), 0.6, 1e-15);
    v = str_value("d");
    CHECK(isnan(ld_param_to_unit(&p, &v)));
    ld_value_clear(&v);
    ld_param_clear(&p);

    p = abc_param(NULL);
    CHECK_NEAR(ld_param_to_unit(&p, &p.values[1]), 0.5, 1e-15);
    CHECK_INT_EQ(ld_param_grid_size(&p), 3);
    for (size_t i = 0; i < 3; i++) {
        ld_param_grid_value(&p, i, &v);
        CHECK(ld_value_equal(&v, &p.values[i]));
        ld_value w;
        ld_param_from_unit(&p, ld_param_to_unit(&p, &v), &w);
        CHECK(ld_value_equal(&v, &w));
        ld_value_clear(&v);
        ld_value_clear(&w);
    }
    ld_param_grid_value(&p, 3, &v);
    CHECK_INT_EQ(v.type, LD_VAL_NONE);
    ld_param_clear(&p);
}

static void test_values(void)
{
    char s[32];
    ld_value v = num_value(LD_VAL_INT, 3);
    ld_value_format(&v, s, sizeof s);
    CHECK_STR_EQ(s, "3");
    v = num_value(LD_VAL_FLOAT, 0.001);
    ld_value_format(&v, s, sizeof s);
    CHECK_STR_EQ(s, "0.001");
    v = num_value(LD_VAL_FLOAT, 1e-5);
    ld_value_format(&v, s, sizeof s);
    CHECK_STR_EQ(s, "1e-05");
    v = num_value(LD_VAL_FLOAT, 0.1 + 0.2);
    ld_value_format(&v, s, sizeof s);
    CHECK_STR_EQ(s, "0.30000000000000004");
    v = num_value(LD_VAL_BOOL, 1);
    ld_value_format(&v, s, sizeof s);
    CHECK_STR_EQ(s, "True");
    v = num_value(LD_VAL_BOOL, 0);
    ld_value_format(&v, s, sizeof s);
    CHECK_STR_EQ(s, "False");

    ld_buf b = LD_BUF_INIT;
    ld_value_json(&b, &v);
    ld_buf_putc(&b, ' ');
    v = num_value(LD_VAL_FLOAT, NAN);
    ld_value_json(&b, &v);
    ld_buf_putc(&b, ' ');
    v = num_value(LD_VAL_INT, -7);
    ld_value_json(&b, &v);
    ld_buf_putc(&b, ' ');
    v = str_value("say \"hi\"");
    ld_value_json(&b, &v);
    CHECK_STR_EQ(ld_buf_str(&b), "false null -7 \"say \\\"hi\\\"\"");
    ld_value_format(&v, s, sizeof s);
    CHECK_STR_EQ(s, "say \"hi\"");

    ld_value c = ld_value_copy(&v);
    CHECK(c.str != v.str);
    CHECK(ld_value_equal(&c, &v));
    ld_value_clear(&v);
    CHECK_INT_EQ(v.type, LD_VAL_NONE);
    CHECK_STR_EQ(c.str, "say \"hi\"");
    ld_value_clear(&c);
    ld_buf_free(&b);

    ld_value i3 = num_value(LD_VAL_INT, 3), f3 = num_value(LD_VAL_FLOAT, 3);
    ld_value b1 = num_value(LD_VAL_BOOL, 1), i1 = num_value(LD_VAL_INT, 1);
    CHECK(ld_value_equal(&i3, &f3));
    CHECK(!ld_value_equal(&b1, &i1));
    ld_value_clear(NULL);
    ld_param_clear(NULL);
}

static void test_constant_and_when_clear(void)
{
    ld_param p = range_param(LD_DIST_CONSTANT, 0, 0);
    p.n_values = 1;
    p.values = calloc(1, sizeof *p.values);
    p.values[0] = str_value("adam");
    p.when_param = ld_strdup("optimizer");
    p.when_value = str_value("sgd");
    ld_value v;
    ld_param_from_unit(&p, 0.9, &v);
    CHECK_STR_EQ(v.str, "adam");
    ld_value_clear(&v);
    CHECK_INT_EQ(ld_param_grid_size(&p), 1);
    ld_param_clear(&p);
    CHECK(p.name == NULL && p.when_param == NULL && p.values == NULL);
}

int main(void)
{
    RUN(test_dist_names);
    RUN(test_log_uniform_per_decade);
    RUN(test_int_uniform);
    RUN(test_q_rounding);
    RUN(test_round_trip);
    RUN(test_normal_quantiles);
    RUN(test_beta);
    RUN(test_categorical);
    RUN(test_values);
    RUN(test_constant_and_when_clear);
    TEST_END();
}
