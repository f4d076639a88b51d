/*
 * test_samplers.c — the grid, random and Sobol samplers: fixed seeds, exact orders and
 * statistical checks.
 *
 * Specs are built by hand (no YAML parser involved). Statistical checks use fixed seeds, so they
 * are deterministic; their tolerances are set at several standard deviations so that a correct
 * sampler passes for any seed.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "samplers/sampler.h"
#include "samplers/sobol.h"
#include "space.h"
#include "test.h"

/* ---- building specs ------------------------------------------------------------------- */

#define MAX_PARAMS 140

typedef struct {
    ld_spec spec;
    ld_param params[MAX_PARAMS];
} test_spec;

static void spec_init(test_spec *t)
{
    memset(t, 0, sizeof *t);
    t->spec.path = "test.yaml";
    t->spec.params = t->params;
}

static ld_param *add_param(test_spec *t, const char *name, ld_dist dist)
{
    ld_param *p = &t->params[t->spec.n_params++];
    p->name = (char *)name;
    p->dist = dist;
    p->q = 1;
    p->sigma = 1;
    return p;
}

static void add_range(test_spec *t, const char *name, ld_dist dist, double min, double max)
{
    ld_param *p = add_param(t, name, dist);
    p->min = min;
    p->max = max;
    p->integer = dist == LD_DIST_INT_UNIFORM;
}

static void add_categorical(test_spec *t, const char *name, ld_value *values, size_t n,
                            double *probabilities)
{
    ld_param *p = add_param(t, name, LD_DIST_CATEGORICAL);
    p->values = values;
    p->n_values = n;
    p->probabilities = probabilities;
}

static ld_value str_value(const char *s)
{
    ld_value v = {LD_VAL_STR, 0, (char *)s};
    return v;
}

static void clear_values(ld_value *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ld_value_clear(&values[i]);
}

static ld_trial history_trial(int number, int grid_index, int requeued_as)
{
    ld_trial t;
    memset(&t, 0, sizeof t);
    t.number = number;
    t.state = LD_TRIAL_RUNNING;
    t.grid_index = grid_index;
    t.retry_of = -1;
    t.requeued_as = requeued_as;
    return t;
}

static int open_sampler(const char *name, const test_spec *t, uint64_t seed, ld_sampler *s)
{
    char err[512];
    const ld_sampler_type *type = ld_sampler_find(name);
    if (!type)
        return 0;
    return ld_sampler_open(type, &t->spec, seed, s, err, sizeof err) == LD_OK;
}

/* Asks for trial `number` and returns the grid index (-2 when the ask failed). */
static int ask(ld_sampler *s, const test_spec *t, const ld_trial *history, size_t n, int number,
               ld_value *values)
{
    int grid_index = -3;
    ld_status st = s->type->ask(s->state, &t->spec, history, n, number, values, &grid_index);
    return st == LD_OK ? grid_index : -2;
}

/* ---- the table ------------------------------------------------------------------------ */

static void test_find_and_close(void)
{
    CHECK(ld_sampler_find("grid") && strcmp(ld_sampler_find("grid")->name, "grid") == 0);
    CHECK(ld_sampler_find("random") && strcmp(ld_sampler_find("random")->name, "random") == 0);
    CHECK(ld_sampler_find("sobol") && strcmp(ld_sampler_find("sobol")->name, "sobol") == 0);
    CHECK(ld_sampler_find("annealing") == NULL);
    CHECK(ld_sampler_find(NULL) == NULL);

    ld_sampler_close(NULL);
    ld_sampler empty = {NULL, NULL};
    ld_sampler_close(&empty);
    CHECK(empty.type == NULL);
}

/* ---- grid ----------------------------------------------------------------------------- */

static ld_value optimizers[] = {{LD_VAL_STR, 0, "adam"}, {LD_VAL_STR, 0, "sgd"},
                                {LD_VAL_STR, 0, "rmsprop"}};
static ld_value flags[] = {{LD_VAL_BOOL, 1, NULL}, {LD_VAL_BOOL, 0, NULL}};

/* optimizer (3 values) x layers (int_uniform 1..2) x bias (true, false): 12 points. */
static void grid_spec_3x2x2(test_spec *t)
{
    spec_init(t);
    add_categorical(t, "optimizer", optimizers, 3, NULL);
    add_range(t, "layers", LD_DIST_INT_UNIFORM, 1, 2);
    add_categorical(t, "bias", flags, 2, NULL);
}

static void test_grid_total(void)
{
    test_spec t;
    grid_spec_3x2x2(&t);
    CHECK_INT_EQ(ld_grid_total(&t.spec), 12);

    add_range(&t, "lr", LD_DIST_UNIFORM, 0, 1);
    CHECK_INT_EQ(ld_grid_total(&t.spec), 0);

    spec_init(&t);
    CHECK_INT_EQ(ld_grid_total(&t.spec), 1);

    /* 10^6 + 1 values each: the product passes 2^64 at the fourth parameter. */
    for (int i = 0; i < 5; i++)
        add_range(&t, "wide", LD_DIST_INT_UNIFORM, 0, 1e6);
    CHECK(ld_grid_total(&t.spec) == SIZE_MAX);
    add_range(&t, "lr", LD_DIST_UNIFORM, 0, 1);
    CHECK_INT_EQ(ld_grid_total(&t.spec), 0);
}

static void test_grid_order_then_done(void)
{
    test_spec t;
    grid_spec_3x2x2(&t);
    t.spec.grid_sequential = 1; /* order: sequential */
    ld_sampler s;
    CHECK(open_sampler("grid", &t, 1, &s));

    ld_trial history[13];
    ld_value values[3];
    for (int n = 0; n < 12; n++) {
        int g = ask(&s, &t, history, (size_t)n, n, values);
        CHECK_INT_EQ(g, n);
        /* The last parameter varies fastest, values in declared order. */
        CHECK(ld_value_equal(&values[0], &optimizers[n / 4]));
        CHECK_INT_EQ(values[1].num, 1 + (n / 2) % 2);
        CHECK(ld_value_equal(&values[2], &flags[n % 2]));
        clear_values(values, 3);
        history[n] = history_trial(n, g, -1);
    }
    /* 12 distinct points: every (optimizer, layers, bias) combination was handed out once. */
    int g = -5;
    CHECK(s.type->ask(s.state, &t.spec, history, 12, 12, values, &g) == LD_ERR_DONE);
    CHECK_INT_EQ(g, -1);
    ld_sampler_close(&s);
}

static void test_grid_skips_taken(void)
{
    test_spec t;
    grid_spec_3x2x2(&t);
    t.spec.grid_sequential = 1; /* order: sequential */
    ld_sampler s;
    CHECK(open_sampler("grid", &t, 1, &s));
    ld_value values[3];

    /* Another tuner holds 0, 2 and 5; indices outside the grid are ignored. */
    ld_trial history[6] = {history_trial(0, 0, -1), history_trial(1, 2, -1),
                           history_trial(2, 5, -1), history_trial(3, 999, -1),
                           history_trial(4, -1, -1)};
    CHECK_INT_EQ(ask(&s, &t, history, 5, 5, values), 1);
    CHECK(ld_value_equal(&values[0], &optimizers[0]));
    CHECK_INT_EQ(values[1].num, 1);
    CHECK(ld_value_equal(&values[2], &flags[1]));
    clear_values(values, 3);

    history[5] = history_trial(5, 1, -1);
    CHECK_INT_EQ(ask(&s, &t, history, 6, 6, values), 3);
    clear_values(values, 3);

    /* The answer depends on history, not on the trial number. */
    CHECK_INT_EQ(ask(&s, &t, history, 6, 40, values), 3);
    clear_values(values, 3);
    ld_sampler_close(&s);
}

static void test_grid_superseded(void)
{
    test_spec t;
    grid_spec_3x2x2(&t);
    t.spec.grid_sequential = 1; /* order: sequential */
    ld_sampler s;
    CHECK(open_sampler("grid", &t, 1, &s));
    ld_value values[3];

    /* Trial 0 (point 0) failed and was re-queued as trial 2, which holds point 0 now. */
    ld_trial history[4] = {history_trial(0, 0, 2), history_trial(1, 1, -1),
                           history_trial(2, 0, -1)};
    CHECK_INT_EQ(ask(&s, &t, history, 3, 3, values), 2);
    clear_values(values, 3);

    /* The re-run was itself superseded, and its own re-run is gone: nobody holds point 0, so it
       is offered again, under the superseded trials' index, with the same values. */
    history[2].requeued_as = 3;
    CHECK_INT_EQ(ask(&s, &t, history, 3, 3, values), 0);
    CHECK(ld_value_equal(&values[0], &optimizers[0]));
    CHECK_INT_EQ(values[1].num, 1);
    CHECK(ld_value_equal(&values[2], &flags[0]));
    clear_values(values, 3);

    /* A live trial on point 0 again: it stays taken. */
    history[3] = history_trial(3, 0, -1);
    history[3].state = LD_TRIAL_FAILED;
    CHECK_INT_EQ(ask(&s, &t, history, 4, 4, values), 2);
    clear_values(values, 3);
    ld_sampler_close(&s);
}

/* The default order: a seeded shuffle, each point once, the same walk for the same seed. */
static void test_grid_shuffled(void)
{
    test_spec t;
    spec_init(&t);
    static ld_value lrs[6] = {{LD_VAL_FLOAT, 1e-4, NULL}, {LD_VAL_FLOAT, 3e-4, NULL},
                              {LD_VAL_FLOAT, 1e-3, NULL}, {LD_VAL_FLOAT, 3e-3, NULL},
                              {LD_VAL_FLOAT, 1e-2, NULL}, {LD_VAL_FLOAT, 3e-2, NULL}};
    add_categorical(&t, "lr", lrs, 6, NULL);
    add_range(&t, "width", LD_DIST_INT_UNIFORM, 1, 8); /* 6 x 8 = 48 points */
    int walk[3][48];
    uint64_t seeds[3] = {7, 7, 8};
    for (int w = 0; w < 3; w++) {
        ld_sampler s;
        CHECK(open_sampler("grid", &t, seeds[w], &s));
        ld_trial history[48];
        ld_value values[2];
        int seen[48] = {0}, identity = 1;
        for (int n = 0; n < 48; n++) {
            int g = ask(&s, &t, history, (size_t)n, n, values);
            CHECK(g >= 0 && g < 48);
            if (g < 0 || g >= 48)
                return;
            seen[g]++;
            identity &= g == n;
            /* the values are those of point g, whatever the walk */
            CHECK(ld_value_equal(&values[0], &lrs[g / 8]));
            CHECK_INT_EQ(values[1].num, 1 + g % 8);
            clear_values(values, 2);
            walk[w][n] = g;
            history[n] = history_trial(n, g, -1);
        }
        for (int g = 0; g < 48; g++)
            CHECK_INT_EQ(seen[g], 1);
        CHECK(!identity);
        int g = -5;
        CHECK(s.type->ask(s.state, &t.spec, history, 48, 48, values, &g) == LD_ERR_DONE);
        /* The first 12 points of the walk are a fair sample: in file order they would be two
           learning rates; shuffled they reach at least four of the six. */
        int lr_seen[6] = {0}, distinct = 0;
        for (int n = 0; n < 12; n++)
            distinct += !lr_seen[walk[w][n] / 8]++;
        CHECK(distinct >= 4);
        ld_sampler_close(&s);
    }
    CHECK(memcmp(walk[0], walk[1], sizeof walk[0]) == 0); /* same seed, same walk */
    CHECK(memcmp(walk[0], walk[2], sizeof walk[0]) != 0); /* another seed, another walk */
}

static void test_grid_rejects(void)
{
    const ld_sampler_type *grid = ld_sampler_find("grid");
    char err[512];
    ld_sampler s = {NULL, NULL};

    test_spec t;
    grid_spec_3x2x2(&t);
    add_range(&t, "lr", LD_DIST_LOG_UNIFORM_VALUES, 1e-5, 1e-1);
    t.params[3].line = 7;
    t.params[3].column = 3;
    CHECK(ld_sampler_open(grid, &t.spec, 1, &s, err, sizeof err) == LD_ERR_INPUT);
    CHECK(s.type == NULL && s.state == NULL);
    CHECK(strstr(err, "'lr'") != NULL);
    CHECK(strstr(err, "line 7, column 3") != NULL);
    CHECK(strstr(err, "continuous") != NULL);
    CHECK(strstr(err, "values") != NULL);
    ld_sampler_close(&s);

    /* 3 * 2 * 2 * 1001^2 is 12 million points, past the cap. */
    grid_spec_3x2x2(&t);
    add_range(&t, "a", LD_DIST_INT_UNIFORM, 0, 1000);
    add_range(&t, "b", LD_DIST_INT_UNIFORM, 0, 1000);
    CHECK(ld_sampler_open(grid, &t.spec, 1, &s, err, sizeof err) == LD_ERR_INPUT);
    CHECK(strstr(err, "12024012 points") != NULL);
    CHECK(strstr(err, "10000000") != NULL);

    /* A categorical parameter with no values has no grid either. */
    grid_spec_3x2x2(&t);
    t.params[0].n_values = 0;
    CHECK(ld_sampler_open(grid, &t.spec, 1, &s, err, sizeof err) == LD_ERR_INPUT);
    CHECK(strstr(err, "'optimizer' has no values") != NULL);

    /* No room for a message: still refused, nothing written past errlen. */
    CHECK(ld_sampler_open(grid, &t.spec, 1, &s, NULL, 0) == LD_ERR_INPUT);
}

static void test_grid_no_params(void)
{
    test_spec t;
    spec_init(&t);
    ld_sampler s;
    CHECK(open_sampler("grid", &t, 1, &s));
    ld_value values[1];
    CHECK_INT_EQ(ask(&s, &t, NULL, 0, 0, values), 0);
    ld_trial history[1] = {history_trial(0, 0, -1)};
    CHECK_INT_EQ(ask(&s, &t, history, 1, 1, values), -2);
    ld_sampler_close(&s);
}

/* With `when`, points that differ only in an inactive parameter are one point: sgd with two
   momenta and adam, times three learning rates, is 9 points, not 12. */
static void test_grid_conditional(void)
{
    test_spec t;
    spec_init(&t);
    static ld_value opts[2] = {{LD_VAL_STR, 0, "sgd"}, {LD_VAL_STR, 0, "adam"}};
    static ld_value moms[2] = {{LD_VAL_FLOAT, 0.9, NULL}, {LD_VAL_FLOAT, 0.99, NULL}};
    static ld_value lrs[3] = {{LD_VAL_FLOAT, 1e-3, NULL}, {LD_VAL_FLOAT, 1e-2, NULL},
                              {LD_VAL_FLOAT, 1e-1, NULL}};
    add_categorical(&t, "optimizer", opts, 2, NULL);
    add_categorical(&t, "momentum", moms, 2, NULL);
    t.params[1].when_param = "optimizer";
    t.params[1].when_value = opts[0];
    add_categorical(&t, "lr", lrs, 3, NULL);
    CHECK_INT_EQ(ld_grid_total(&t.spec), 12); /* the product; 3 of its points repeat others */
    ld_sampler s;
    CHECK(open_sampler("grid", &t, 1, &s));
    ld_trial history[12];
    ld_value values[3];
    int n = 0, g;
    while ((g = ask(&s, &t, history, (size_t)n, n, values)) >= 0) {
        CHECK(n < 9);
        /* adam's points keep momentum at its first value: the one that stands for both */
        if (ld_value_equal(&values[0], &opts[1]))
            CHECK(ld_value_equal(&values[1], &moms[0]));
        clear_values(values, 3);
        history[n] = history_trial(n, g, -1);
        if (++n == 12)
            break;
    }
    CHECK_INT_EQ(n, 9);
    CHECK_INT_EQ(g, -2); /* done */
    ld_sampler_close(&s);
}

/* ---- random --------------------------------------------------------------------------- */

static void test_random_determinism(void)
{
    test_spec t;
    spec_init(&t);
    add_range(&t, "lr", LD_DIST_LOG_UNIFORM_VALUES, 1e-5, 1e-1);
    add_range(&t, "dropout", LD_DIST_UNIFORM, 0, 0.5);
    add_range(&t, "batch", LD_DIST_INT_UNIFORM, 16, 256);

    ld_sampler a, b, c;
    CHECK(open_sampler("random", &t, 42, &a));
    CHECK(open_sampler("random", &t, 42, &b));
    CHECK(open_sampler("random", &t, 43, &c));
    ld_value va[3], vb[3], vc[3];

    /* Asked in a different order by another instance (another tuner): the same values. */
    CHECK_INT_EQ(ask(&a, &t, NULL, 0, 5, va), -1);
    clear_values(va, 3);
    CHECK_INT_EQ(ask(&a, &t, NULL, 0, 3, va), -1);
    CHECK_INT_EQ(ask(&b, &t, NULL, 0, 3, vb), -1);
    for (int j = 0; j < 3; j++)
        CHECK(ld_value_equal(&va[j], &vb[j]));
    clear_values(vb, 3);

    CHECK_INT_EQ(ask(&b, &t, NULL, 0, 4, vb), -1);
    CHECK_INT_EQ(ask(&c, &t, NULL, 0, 3, vc), -1);
    CHECK(va[0].num != vb[0].num && va[1].num != vb[1].num);
    CHECK(va[0].num != vc[0].num && va[1].num != vc[1].num);
    clear_values(va, 3);
    clear_values(vb, 3);
    clear_values(vc, 3);
    ld_sampler_close(&a);
    ld_sampler_close(&b);
    ld_sampler_close(&c);
}

/* Pearson's chi-square of counts against equal expected counts. */
static double chi_square_equal(const int *counts, int k, int n)
{
    double expected = (double)n / k, chi = 0;
    for (int i = 0; i < k; i++)
        chi += (counts[i] - expected) * (counts[i] - expected) / expected;
    return chi;
}

static void test_random_log_decades(void)
{
    test_spec t;
    spec_init(&t);
    add_range(&t, "lr", LD_DIST_LOG_UNIFORM_VALUES, 1e-5, 1e-1);
    ld_sampler s;
    CHECK(open_sampler("random", &t, 7, &s));

    enum { N = 40000 };
    int decade[4] = {0};
    int outside = 0;
    for (int n = 0; n < N; n++) {
        ld_value v;
        ask(&s, &t, NULL, 0, n, &v);
        int d = (int)floor(log10(v.num)) + 5;
        if (v.num < 1e-5 || v.num > 1e-1 || d < 0 || d > 3)
            outside++;
        else
            decade[d]++;
        ld_value_clear(&v);
    }
    CHECK_INT_EQ(outside, 0);
    for (int d = 0; d < 4; d++)
        CHECK_NEAR(decade[d], N / 4, 0.03 * N / 4);
    /* 3 degrees of freedom: 16.27 is the 0.1% critical value. */
    CHECK(chi_square_equal(decade, 4, N) < 16.27);
    ld_sampler_close(&s);
}

static void test_random_categorical(void)
{
    test_spec t;
    spec_init(&t);
    ld_value names[3] = {str_value("a"), str_value("b"), str_value("c")};
    double probabilities[3] = {0.2, 0.5, 0.3};
    add_categorical(&t, "arch", names, 3, probabilities);
    add_range(&t, "die", LD_DIST_INT_UNIFORM, 1, 6);
    ld_sampler s;
    CHECK(open_sampler("random", &t, 2024, &s));

    enum { N = 30000 };
    int arch[3] = {0}, die[6] = {0};
    for (int n = 0; n < N; n++) {
        ld_value v[2];
        ask(&s, &t, NULL, 0, n, v);
        for (int i = 0; i < 3; i++)
            arch[i] += ld_value_equal(&v[0], &names[i]);
        if (v[1].num >= 1 && v[1].num <= 6 && v[1].num == floor(v[1].num))
            die[(int)v[1].num - 1]++;
        clear_values(v, 2);
    }
    /* Standard deviation of a share is at most 0.0029 here; allow five. */
    for (int i = 0; i < 3; i++)
        CHECK_NEAR((double)arch[i] / N, probabilities[i], 0.015);
    /* 5 degrees of freedom: 20.52 is the 0.1% critical value. */
    CHECK(chi_square_equal(die, 6, N) < 20.52);
    ld_sampler_close(&s);
}

/* ---- Sobol: the unscrambled sequence -------------------------------------------------- */

static double coord(size_t dim, uint32_t index)
{
    uint32_t v[32];
    if (ld_sobol_directions(dim, v) != 0)
        return -1;
    return ld_sobol_coord(v, index) * 0x1.0p-32;
}

static void test_sobol_known_points(void)
{
    /* SciPy's qmc.Sobol(d, scramble=False) documents these (test_qmc.py, test_sobol.py): point 0
       is the origin, Gray-code order, dimension 3 is Joe & Kuo's d = 3. Dimension 4 (d = 4,
       x^3 + x + 1, m = 1 3 1) is worked by hand from the recurrence. */
    static const double expected[4][10] = {
        {0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125, 0.1875, 0.6875},
        {0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625, -1, -1},
        {0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375, 0.9375, 0.4375},
        {0, 0.5, 0.25, 0.75, 0.875, 0.375, 0.625, 0.125, -1, -1},
    };
    for (size_t d = 0; d < 4; d++)
        for (uint32_t i = 0; i < 10; i++)
            if (expected[d][i] >= 0)
                CHECK_NEAR(coord(d, i), expected[d][i], 0);
    uint32_t v[32];
    CHECK_INT_EQ(ld_sobol_directions(LD_SOBOL_MAX_DIMS - 1, v), 0);
    CHECK_INT_EQ(ld_sobol_directions(LD_SOBOL_MAX_DIMS, v), -1);
}

/* Are points [first, first + 2^m) one per cell of the 2^m equal cells in every dimension? */
static int stratified_1d(size_t dim, uint32_t first, int m)
{
    uint32_t v[32];
    ld_sobol_directions(dim, v);
    size_t cells = (size_t)1 << m;
    unsigned char *seen = calloc(cells, 1);
    int ok = seen != NULL;
    for (uint32_t i = first; ok && i < first + cells; i++) {
        uint32_t cell = ld_sobol_coord(v, i) >> (32 - m);
        ok = !seen[cell];
        seen[cell] = 1;
    }
    free(seen);
    return ok;
}

static void test_sobol_1d_nets(void)
{
    for (size_t d = 0; d < LD_SOBOL_MAX_DIMS; d++) {
        CHECK(stratified_1d(d, 0, 8));
        CHECK(stratified_1d(d, 256, 8));
        CHECK(stratified_1d(d, 0, 12));
    }
}

/*
 * Each coordinate pair x[i] = (a[i], b[i]) in [0, 1)^2, n = 2^m points. Returns the smallest t
 * for which they form a (t, m, 2)-net: every elementary box [k/2^p, (k+1)/2^p) x
 * [l/2^q, (l+1)/2^q) with p + q = m - t holds exactly 2^t points.
 */
static int t_value(const double *a, const double *b, int m)
{
    size_t n = (size_t)1 << m;
    int *count = calloc(n, sizeof *count);
    if (!count)
        return -1;
    int t;
    for (t = 0; t < m; t++) {
        int ok = 1;
        for (int p = 0; ok && p <= m - t; p++) {
            int q = m - t - p;
            memset(count, 0, ((size_t)1 << (m - t)) * sizeof *count);
            for (size_t i = 0; i < n; i++) {
                size_t k = (size_t)(a[i] * (double)((size_t)1 << p));
                size_t l = (size_t)(b[i] * (double)((size_t)1 << q));
                count[(k << q) | l]++;
            }
            for (size_t box = 0; ok && box < ((size_t)1 << (m - t)); box++)
                ok = count[box] == 1 << t;
        }
        if (ok)
            break;
    }
    free(count);
    return t;
}

static void test_sobol_2d_nets(void)
{
    enum { M = 10, N = 1 << M, D = 12 };
    static double x[D][N];
    for (size_t d = 0; d < D; d++)
        for (uint32_t i = 0; i < N; i++)
            x[d][i] = coord(d, i);
    /* Dimensions 0 and 1 form a (0, m, 2)-net for every m. */
    for (int m = 1; m <= M; m++)
        CHECK_INT_EQ(t_value(x[0], x[1], m), 0);
    /* Any pair is a (t, m, 2)-net with t <= (e_i - 1) + (e_j - 1), e being the degrees of the
       two primitive polynomials (Sobol' 1967; van der Corput counts as x, degree 1). A wrong
       direction number or a wrong polynomial shows up as a larger t. */
    static const int degree[D] = {1, 1, 2, 3, 3, 4, 4, 5, 5, 5, 5, 5};
    for (int m = 6; m <= M; m += 2)
        for (size_t i = 0; i < D; i++)
            for (size_t j = i + 1; j < D; j++)
                CHECK(t_value(x[i], x[j], m) <= degree[i] + degree[j] - 2);
}

/* ---- Sobol: the sampler --------------------------------------------------------------- */

/* n_params uniform parameters on [0, 1], so the sampler's values are its u's. */
static void unit_cube_spec(test_spec *t, size_t n_params)
{
    static const char *names[] = {"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"};
    spec_init(t);
    for (size_t j = 0; j < n_params; j++)
        add_range(t, j < 8 ? names[j] : "x", LD_DIST_UNIFORM, 0, 1);
}

/* Asks trials 0 .. n-1 and stores x[j][i], the value of parameter j in trial i. */
static void draw_points(const char *sampler, const test_spec *t, uint64_t seed, int n,
                        double (*x)[256])
{
    ld_sampler s;
    CHECK(open_sampler(sampler, t, seed, &s));
    ld_value values[MAX_PARAMS];
    for (int i = 0; i < n; i++) {
        CHECK_INT_EQ(ask(&s, t, NULL, 0, i, values), -1);
        for (size_t j = 0; j < t->spec.n_params && j < 8; j++)
            x[j][i] = values[j].num;
        clear_values(values, t->spec.n_params);
    }
    ld_sampler_close(&s);
}

static int stratified_values(const double *x, int m)
{
    size_t cells = (size_t)1 << m;
    unsigned char seen[256] = {0};
    for (size_t i = 0; i < cells; i++) {
        if (!(x[i] >= 0 && x[i] < 1))
            return 0;
        size_t cell = (size_t)(x[i] * (double)cells);
        if (seen[cell])
            return 0;
        seen[cell] = 1;
    }
    return 1;
}

static void test_sobol_scrambled_nets(void)
{
    static double x[8][256];
    test_spec t;
    unit_cube_spec(&t, 8);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        draw_points("sobol", &t, seed, 256, x);
        for (int j = 0; j < 8; j++)
            CHECK(stratified_values(x[j], 8));
        CHECK_INT_EQ(t_value(x[0], x[1], 8), 0);
        CHECK_INT_EQ(t_value(x[0], x[1], 5), 0);
        /* The origin is scrambled away. */
        CHECK(x[0][0] != 0 && x[1][0] != 0);
    }
}

static void test_sobol_skips_constants(void)
{
    static double x[8][256];
    static ld_value fixed[1] = {{LD_VAL_INT, 3, NULL}};
    test_spec t;
    spec_init(&t);
    add_param(&t, "epochs", LD_DIST_CONSTANT)->values = fixed;
    t.params[0].n_values = 1;
    add_range(&t, "a", LD_DIST_UNIFORM, 0, 1);
    add_range(&t, "b", LD_DIST_UNIFORM, 0, 1);
    draw_points("sobol", &t, 9, 256, x);
    CHECK_INT_EQ(x[0][17], 3);
    /* a and b took dimensions 0 and 1, the (0, m, 2)-net pair. */
    CHECK_INT_EQ(t_value(x[1], x[2], 8), 0);
}

static void test_sobol_determinism(void)
{
    test_spec t;
    unit_cube_spec(&t, 5);
    ld_sampler a, b, c;
    CHECK(open_sampler("sobol", &t, 11, &a));
    CHECK(open_sampler("sobol", &t, 11, &b));
    CHECK(open_sampler("sobol", &t, 12, &c));
    ld_value va[5], vb[5], vc[5];
    /* Another instance, asked in another order, history ignored: the same point. */
    ld_trial history[1] = {history_trial(0, -1, -1)};
    ask(&a, &t, NULL, 0, 9, va);
    clear_values(va, 5);
    ask(&a, &t, NULL, 0, 37, va);
    ask(&b, &t, history, 1, 37, vb);
    ask(&c, &t, NULL, 0, 37, vc);
    for (int j = 0; j < 5; j++) {
        CHECK(va[j].num == vb[j].num);
        CHECK(va[j].num != vc[j].num);
    }
    clear_values(va, 5);
    clear_values(vb, 5);
    clear_values(vc, 5);
    ld_sampler_close(&a);
    ld_sampler_close(&b);
    ld_sampler_close(&c);
}

/* Mean over the first 8 dimensions of |mean of the first n points - 1/2|. */
static double mean_error(double (*x)[256], int n)
{
    double err = 0;
    for (int j = 0; j < 8; j++) {
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += x[j][i];
        err += fabs(sum / n - 0.5);
    }
    return err / 8;
}

static void test_sobol_beats_random(void)
{
    static double x[8][256];
    test_spec t;
    unit_cube_spec(&t, 8);
    double sobol = 0, random = 0;
    enum { SEEDS = 20 };
    for (uint64_t seed = 100; seed < 100 + SEEDS; seed++) {
        draw_points("sobol", &t, seed, 128, x);
        double e = mean_error(x, 128);
        /* 128 points one per cell of width 1/128: the mean is within 1/256 of 1/2. */
        CHECK(e <= 1.0 / 256);
        sobol += e;
        draw_points("random", &t, seed, 128, x);
        random += mean_error(x, 128);
    }
    /* Random's error is about 0.29 / sqrt(128) * 0.8 = 0.02. */
    CHECK(sobol < random / 4);
}

static void test_sobol_past_the_table(void)
{
    enum { P = LD_SOBOL_MAX_DIMS + 2 };
    test_spec t;
    unit_cube_spec(&t, P);
    ld_sampler a, b;
    CHECK(open_sampler("sobol", &t, 5, &a));
    CHECK(open_sampler("sobol", &t, 5, &b));
    ld_value va[P], vb[P];
    for (int n = 0; n < 3; n++) {
        ask(&a, &t, NULL, 0, n, va);
        ask(&b, &t, NULL, 0, n, vb);
        for (int j = 0; j < P; j++) {
            CHECK(va[j].num >= 0 && va[j].num < 1);
            CHECK(va[j].num == vb[j].num);
        }
        CHECK(va[P - 1].num != va[P - 2].num);
        clear_values(va, P);
        clear_values(vb, P);
    }
    ld_sampler_close(&a);
    ld_sampler_close(&b);
}

int main(void)
{
    RUN(test_find_and_close);
    RUN(test_grid_total);
    RUN(test_grid_order_then_done);
    RUN(test_grid_skips_taken);
    RUN(test_grid_superseded);
    RUN(test_grid_shuffled);
    RUN(test_grid_conditional);
    RUN(test_grid_rejects);
    RUN(test_grid_no_params);
    RUN(test_random_determinism);
    RUN(test_random_log_decades);
    RUN(test_random_categorical);
    RUN(test_sobol_known_points);
    RUN(test_sobol_1d_nets);
    RUN(test_sobol_2d_nets);
    RUN(test_sobol_scrambled_nets);
    RUN(test_sobol_skips_constants);
    RUN(test_sobol_determinism);
    RUN(test_sobol_beats_random);
    RUN(test_sobol_past_the_table);
    TEST_END();
}
