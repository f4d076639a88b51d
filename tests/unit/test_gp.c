/*
 * test_gp.c — the GP model and the gp sampler: the posterior of a 3-point example against a
 * computation by hand (Cramer's rule, no LAPACK) and against numbers from NumPy; the log
 * marginal likelihood; log EI against the textbook formula and in the far tail; determinism
 * (with and without the fit cache);
 * beating random search on Branin (40 trials, seeds 1..10); conditional parameters; pending
 * trials fantasized so that parallel asks do not repeat a running trial.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bbo_util.h"
#include "samplers/gp.h"
#include "samplers/sampler.h"
#include "space.h"
#include "test.h"

static double matern(double r, double sf2)
{
    return sf2 * (1 + sqrt(5) * r + 5 * r * r / 3) * exp(-sqrt(5) * r);
}

static double det3(const double m[3][3])
{
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/* Solves m z = b by Cramer's rule. */
static void solve3(const double m[3][3], const double b[3], double z[3])
{
    double d = det3(m);
    for (int c = 0; c < 3; c++) {
        double t[3][3];
        memcpy(t, m, sizeof t);
        for (int r = 0; r < 3; r++)
            t[r][c] = b[r];
        z[c] = det3(t) / d;
    }
}

/*
 * x = 0, 0.5, 1 (one numeric column), y = 1, -1, 0.5, length scale 0.5, sf2 = 2, sn2 = 0.01.
 * At x* = 0.25: mean = k*' (K + sn2 I)^-1 y, var = sf2 - k*' (K + sn2 I)^-1 k*.
 * NumPy (float64, np.linalg.solve) gives mean -0.13979095026852092 and var 0.1873071502071939.
 */
static void test_posterior_by_hand(void)
{
    const double x[3] = {0, 0.5, 1}, y[3] = {1, -1, 0.5}, ls = 0.5, sf2 = 2, sn2 = 0.01;
    const double xs = 0.25;
    double K[3][3], ks[3], a[3], b[3];
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++)
            K[i][j] = matern(fabs(x[i] - x[j]) / ls, sf2) + (i == j ? sn2 : 0);
        ks[i] = matern(fabs(x[i] - xs) / ls, sf2);
    }
    solve3(K, y, a);
    solve3(K, ks, b);
    double mean_hand = ks[0] * a[0] + ks[1] * a[1] + ks[2] * a[2];
    double var_hand = sf2 - (ks[0] * b[0] + ks[1] * b[1] + ks[2] * b[2]);

    ld_gp_col kind = LD_GP_NUM;
    size_t ls_of = 0;
    ld_gp *gp = ld_gp_new(3, 1, &kind, &ls_of, 1, x, y);
    CHECK(gp != NULL);
    ld_gp_set_hyper(gp, &ls, sf2, sn2);
    CHECK(ld_gp_factor(gp) == LD_OK);
    double mean, var;
    CHECK(ld_gp_predict(gp, &xs, 1, &mean, &var) == LD_OK);
    fprintf(stderr, "3-point posterior at 0.25: mean %.15g (by hand %.15g), var %.15g (by hand "
                    "%.15g)\n",
            mean, mean_hand, var, var_hand);
    CHECK_NEAR(mean, mean_hand, 1e-12);
    CHECK_NEAR(var, var_hand, 1e-12);
    /* the same numbers from NumPy, written down once */
    CHECK_NEAR(mean, -0.13979095026852092, 1e-10);
    CHECK_NEAR(var, 0.1873071502071939, 1e-10);

    /* log marginal likelihood: -y'a/2 - log det / 2 - 3 log(2 pi) / 2 */
    double lml_hand = -0.5 * (y[0] * a[0] + y[1] * a[1] + y[2] * a[2]) - 0.5 * log(det3(K)) -
                      1.5 * log(2 * M_PI);
    CHECK_NEAR(ld_gp_lml(gp), lml_hand, 1e-10);

    /* a training point: the mean sits near its value, the variance near the noise */
    double m0, v0;
    CHECK(ld_gp_predict(gp, &x[1], 1, &m0, &v0) == LD_OK);
    CHECK(fabs(m0 - y[1]) < 0.05);
    CHECK(v0 < 0.02);
    ld_gp_free(gp);
}

/* Fitting raises the marginal likelihood over the starting hyperparameters. */
static void test_fit(void)
{
    double x[20], y[20];
    for (int i = 0; i < 20; i++) {
        x[i] = i / 19.0;
        y[i] = sin(6 * x[i]);
    }
    ld_gp_col kind = LD_GP_NUM;
    size_t ls_of = 0;
    ld_gp *gp = ld_gp_new(20, 1, &kind, &ls_of, 1, x, y);
    double ls = 1;
    ld_gp_set_hyper(gp, &ls, 1, 1e-2);
    CHECK(ld_gp_factor(gp) == LD_OK);
    double before = ld_gp_lml(gp);
    CHECK(ld_gp_fit(gp) == LD_OK);
    double after = ld_gp_lml(gp), sf2, sn2;
    ld_gp_get_hyper(gp, &ls, &sf2, &sn2);
    fprintf(stderr, "fit on sin(6x): lml %.4g -> %.4g, ls %.3g sf2 %.3g sn2 %.3g\n", before,
            after, ls, sf2, sn2);
    CHECK(after > before);
    CHECK(sn2 < 1e-3); /* noise-free data */
    double xs = 0.33, mean, var;
    CHECK(ld_gp_predict(gp, &xs, 1, &mean, &var) == LD_OK);
    CHECK_NEAR(mean, sin(6 * 0.33), 1e-2);
    ld_gp_free(gp);
}

static void test_log_ei(void)
{
    /* EI = (best - m) Phi(z) + s phi(z), z = (best - m) / s */
    const double cases[][3] = {{0, 1, 0.5}, {1, 4, 0}, {0.2, 0.01, 0.1}, {-1, 2, 2}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double m = cases[c][0], v = cases[c][1], best = cases[c][2], s = sqrt(v);
        double z = (best - m) / s;
        double ei = (best - m) * 0.5 * erfc(-z / sqrt(2)) + s * exp(-z * z / 2) / sqrt(2 * M_PI);
        CHECK_NEAR(ld_gp_log_ei(m, v, best), log(ei), 1e-9);
    }
    /* far in the tail EI underflows but its log keeps ordering: closer means are better */
    double a = ld_gp_log_ei(40, 1, 0), b = ld_gp_log_ei(41, 1, 0), d = ld_gp_log_ei(30, 1, 0);
    CHECK(isfinite(a) && isfinite(b) && isfinite(d));
    CHECK(d > a && a > b);
    /* asymptotically log EI ~ -z^2/2 - log(2 pi)/2 - 2 log z */
    CHECK_NEAR(ld_gp_log_ei(40, 1, 0), -800 - 0.5 * log(2 * M_PI) - 2 * log(40.0), 1e-2);
    /* the two branches of log h meet at z = -25 */
    CHECK_NEAR(ld_gp_log_ei(24.999999, 1, 0), ld_gp_log_ei(25.000001, 1, 0), 1e-4);
}

/*
 * The same (seed, number, history) gives the same proposal in any process: a sampler that has
 * asked every trial so far (its fit cache warm) and one opened for this ask alone (cold) agree
 * at every ask, across the checkpoints of the refit schedule (24, 27, 31, ...) and between.
 */
static void test_deterministic(void)
{
    ld_spec *spec = parse_sweep(BRANIN_SWEEP);
    test_history h = {0};
    ld_sampler a;
    CHECK(ld_sampler_open(ld_sampler_find("gp"), spec, 9, &a, NULL, 0) == LD_OK);
    int g, differ = 0;
    for (int i = 0; i < 64; i++) {
        ld_value va[2] = {{0}}, vb[2] = {{0}};
        CHECK(a.type->ask(a.state, spec, h.t, h.n, i, va, &g) == LD_OK);
        if (i >= 10) {
            ld_sampler b;
            CHECK(ld_sampler_open(ld_sampler_find("gp"), spec, 9, &b, NULL, 0) == LD_OK);
            CHECK(b.type->ask(b.state, spec, h.t, h.n, i, vb, &g) == LD_OK);
            differ += !(va[0].num == vb[0].num && va[1].num == vb[1].num);
            ld_sampler_close(&b);
            values_clear(vb, 2);
        }
        CHECK(va[0].num >= -5 && va[0].num <= 10 && va[1].num >= 0 && va[1].num <= 15);
        history_add(&h, spec, va, LD_TRIAL_COMPLETE, branin(va));
        values_clear(va, 2);
    }
    CHECK(differ == 0);
    ld_sampler_close(&a);
    history_free(&h);
    ld_spec_free(spec);
}

static void test_beats_random_on_branin(void)
{
    branin_duel d = duel_on_branin("gp");
    CHECK(d.mean < 0.1 * d.mean_random);
    CHECK(d.wins >= 9);
    CHECK(d.mean < 0.01);
}

static const char COND_SWEEP[] =
    "method: gp\n"
    "metric: {name: loss, goal: minimize}\n"
    "parameters:\n"
    "  optimizer: {values: [sgd, adam]}\n"
    "  lr: {distribution: log_uniform_values, min: 1e-5, max: 1}\n"
    "  momentum: {distribution: uniform, min: 0, max: 0.99, when: {optimizer: sgd}}\n"
    "  beta2: {distribution: uniform, min: 0.9, max: 0.9999, when: {optimizer: adam}}\n"
    "  layers: {distribution: int_uniform, min: 1, max: 6}\n";

static double cond_loss(const ld_value *v)
{
    double lr = log10(v[1].num);
    int sgd = strcmp(v[0].str, "sgd") == 0;
    double loss = sgd ? pow(lr - log10(0.05), 2) + pow(v[2].num - 0.9, 2)
                      : 0.5 + pow(lr + 3, 2) + 10 * pow(v[3].num - 0.99, 2);
    return loss + 0.01 * fabs(v[4].num - 3);
}

static void test_conditional(void)
{
    ld_spec *spec = parse_sweep(COND_SWEEP);
    ld_sampler s;
    CHECK(ld_sampler_open(ld_sampler_find("gp"), spec, 3, &s, NULL, 0) == LD_OK);
    test_history h = {0};
    int bad = 0;
    double best = INFINITY;
    for (int i = 0; i < 40; i++) {
        ld_value v[5] = {{0}};
        int g;
        CHECK(s.type->ask(s.state, spec, h.t, h.n, i, v, &g) == LD_OK);
        int sgd = v[0].type == LD_VAL_STR && strcmp(v[0].str, "sgd") == 0;
        int adam = v[0].type == LD_VAL_STR && strcmp(v[0].str, "adam") == 0;
        bad += !(sgd || adam);
        bad += sgd != (v[2].type == LD_VAL_FLOAT);
        bad += adam != (v[3].type == LD_VAL_FLOAT);
        bad += v[4].type != LD_VAL_INT || v[4].num < 1 || v[4].num > 6;
        double y = cond_loss(v);
        best = y < best ? y : best;
        history_add(&h, spec, v, LD_TRIAL_COMPLETE, y);
        values_clear(v, 5);
    }
    fprintf(stderr, "gp on the conditional space: best loss %.4g after 40 trials\n", best);
    CHECK_INT_EQ(bad, 0);
    CHECK(best < 0.05); /* sgd, lr near 0.05, momentum near 0.9 */
    history_free(&h);
    ld_sampler_close(&s);
    ld_spec_free(spec);
}

/*
 * Fantasies: p0 is the GP's proposal for trial 20. Asked again for trial 21 without knowing of
 * p0, the GP lands on the same spot; with p0 running in the history it goes elsewhere.
 */
static void test_pending_fantasized(void)
{
    ld_spec *spec = parse_sweep(BRANIN_SWEEP);
    ld_sampler s;
    CHECK(ld_sampler_open(ld_sampler_find("gp"), spec, 4, &s, NULL, 0) == LD_OK);
    test_history h = {0};
    int g;
    for (int i = 0; i < 20; i++) {
        ld_value v[2] = {{0}};
        CHECK(s.type->ask(s.state, spec, h.t, h.n, i, v, &g) == LD_OK);
        history_add(&h, spec, v, LD_TRIAL_COMPLETE, branin(v));
        values_clear(v, 2);
    }
    ld_value p0[2] = {{0}}, q1[2] = {{0}}, p1[2] = {{0}};
    CHECK(s.type->ask(s.state, spec, h.t, h.n, 20, p0, &g) == LD_OK);
    CHECK(s.type->ask(s.state, spec, h.t, h.n, 21, q1, &g) == LD_OK);
    history_add(&h, spec, p0, LD_TRIAL_RUNNING, 0);
    CHECK(s.type->ask(s.state, spec, h.t, h.n, 21, p1, &g) == LD_OK);
    double dq = hypot((q1[0].num - p0[0].num) / 15, (q1[1].num - p0[1].num) / 15);
    double dp = hypot((p1[0].num - p0[0].num) / 15, (p1[1].num - p0[1].num) / 15);
    fprintf(stderr, "pending: distance to the running trial %.3g without it, %.3g with it\n", dq,
            dp);
    CHECK(dq < 0.01);
    CHECK(dp > 0.02);
    values_clear(p0, 2), values_clear(q1, 2), values_clear(p1, 2);
    history_free(&h);
    ld_sampler_close(&s);
    ld_spec_free(spec);
}

int main(void)
{
    RUN(test_posterior_by_hand);
    RUN(test_fit);
    RUN(test_log_ei);
    RUN(test_deterministic);
    RUN(test_beats_random_on_branin);
    RUN(test_conditional);
    RUN(test_pending_fantasized);
    TEST_END();
}
