/*
 * test_tpe.c — the TPE sampler: the same (seed, number, history) gives the same trial in a
 * fresh instance; it beats random search on Branin (40 trials, seeds 1..10, a fixed set, so the
 * check is deterministic); conditional parameters come back NONE whenever their condition fails;
 * the constant liar pushes the next proposal away from trials still running; on integer and
 * quantized parameters the proposals keep the bits they had before far components were left
 * out of the cell masses (recorded with Debian's glibc libm).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbo_util.h"
#include "samplers/observe.h"
#include "samplers/sampler.h"
#include "space.h"
#include "test.h"

static void test_deterministic(void)
{
    ld_spec *spec = parse_sweep(BRANIN_SWEEP);
    test_history h = {0};
    /* 15 trials so that the model (not the Sobol start) answers */
    ld_sampler a, b;
    CHECK(ld_sampler_open(ld_sampler_find("tpe"), spec, 42, &a, NULL, 0) == LD_OK);
    for (int i = 0; i < 15; i++) {
        ld_value v[2] = {{0}};
        int g;
        CHECK(a.type->ask(a.state, spec, h.t, h.n, i, v, &g) == LD_OK);
        history_add(&h, spec, v, LD_TRIAL_COMPLETE, branin(v));
        values_clear(v, 2);
    }
    CHECK(ld_sampler_open(ld_sampler_find("tpe"), spec, 42, &b, NULL, 0) == LD_OK);
    ld_value va[2] = {{0}}, vb[2] = {{0}}, vc[2] = {{0}};
    int g;
    CHECK(a.type->ask(a.state, spec, h.t, h.n, 15, va, &g) == LD_OK);
    CHECK(b.type->ask(b.state, spec, h.t, h.n, 15, vb, &g) == LD_OK);
    CHECK_INT_EQ(g, -1);
    CHECK(va[0].num == vb[0].num && va[1].num == vb[1].num);
    CHECK(va[0].num >= -5 && va[0].num <= 10 && va[1].num >= 0 && va[1].num <= 15);
    /* another number is another stream */
    CHECK(b.type->ask(b.state, spec, h.t, h.n, 16, vc, &g) == LD_OK);
    CHECK(vc[0].num != va[0].num);
    values_clear(va, 2), values_clear(vb, 2), values_clear(vc, 2);
    ld_sampler_close(&a);
    ld_sampler_close(&b);
    history_free(&h);
    ld_spec_free(spec);
}

static void test_beats_random_on_branin(void)
{
    branin_duel d = duel_on_branin("tpe");
    CHECK(d.mean < 0.5 * d.mean_random);
    CHECK(d.wins >= 7);
}

static const char COND_SWEEP[] =
    "method: tpe\n"
    "metric: {name: loss, goal: minimize}\n"
    "parameters:\n"
    "  optimizer: {values: [sgd, adam]}\n"
    "  lr: {distribution: log_uniform_values, min: 1e-5, max: 1}\n"
    "  momentum: {distribution: uniform, min: 0, max: 0.99, when: {optimizer: sgd}}\n"
    "  beta2: {distribution: uniform, min: 0.9, max: 0.9999, when: {optimizer: adam}}\n"
    "  layers: {distribution: int_uniform, min: 1, max: 6}\n";

/* sgd with momentum 0.9 and lr 0.05 is best; adam is worse everywhere. */
static double cond_loss(const ld_value *v)
{
    double lr = log10(v[1].num);
    int sgd = strcmp(v[0].str, "sgd") == 0;
    double loss = sgd ? pow(lr - log10(0.05), 2) + pow(v[2].num - 0.9, 2)
                      : 0.5 + pow(lr + 3, 2) + 10 * pow(v[3].num - 0.99, 2);
    return loss + 0.01 * fabs(v[4].num - 3);
}

/* Runs a sampler on the conditional space; checks every proposal's active set. */
static void check_conditional(const char *sampler, int trials)
{
    ld_spec *spec = parse_sweep(COND_SWEEP);
    ld_sampler s;
    CHECK(ld_sampler_open(ld_sampler_find(sampler), spec, 3, &s, NULL, 0) == LD_OK);
    test_history h = {0};
    int bad = 0, n_sgd = 0;
    double best = INFINITY;
    for (int i = 0; i < trials; i++) {
        ld_value v[5] = {{0}};
        int g;
        CHECK(s.type->ask(s.state, spec, h.t, h.n, i, v, &g) == LD_OK);
        int sgd = v[0].type == LD_VAL_STR && strcmp(v[0].str, "sgd") == 0;
        int adam = v[0].type == LD_VAL_STR && strcmp(v[0].str, "adam") == 0;
        n_sgd += sgd;
        bad += !(sgd || adam);
        bad += sgd != (v[2].type == LD_VAL_FLOAT); /* momentum exactly when sgd */
        bad += adam != (v[3].type == LD_VAL_FLOAT); /* beta2 exactly when adam */
        bad += v[1].type != LD_VAL_FLOAT || v[4].type != LD_VAL_INT;
        bad += v[4].num < 1 || v[4].num > 6 || v[4].num != floor(v[4].num);
        double y = cond_loss(v);
        best = y < best ? y : best;
        history_add(&h, spec, v, LD_TRIAL_COMPLETE, y);
        values_clear(v, 5);
    }
    fprintf(stderr, "%s on the conditional space: best loss %.4g after %d trials, sgd %d times\n",
            sampler, best, trials, n_sgd);
    CHECK_INT_EQ(bad, 0);
    CHECK(best < 0.05); /* it found sgd and tuned its conditional momentum */
    CHECK(n_sgd > trials / 2);
    history_free(&h);
    ld_sampler_close(&s);
    ld_spec_free(spec);
}

static void test_conditional(void) { check_conditional("tpe", 80); }

/*
 * The constant liar: p0 is what TPE proposes as trial 30. With five trials running at p0, the
 * proposal for trial 35 moves away from p0, compared with trial 35 asked without them; summed
 * over ten seeds, so the check does not hang on one draw.
 */
static void test_constant_liar(void)
{
    ld_spec *spec = parse_sweep(BRANIN_SWEEP);
    double near_without = 0, near_with = 0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        ld_sampler s;
        CHECK(ld_sampler_open(ld_sampler_find("tpe"), spec, seed, &s, NULL, 0) == LD_OK);
        test_history h = {0};
        int g;
        for (int i = 0; i < 30; i++) {
            ld_value v[2] = {{0}};
            CHECK(s.type->ask(s.state, spec, h.t, h.n, i, v, &g) == LD_OK);
            history_add(&h, spec, v, LD_TRIAL_COMPLETE, branin(v));
            values_clear(v, 2);
        }
        ld_value p0[2] = {{0}}, p1[2] = {{0}}, q1[2] = {{0}};
        CHECK(s.type->ask(s.state, spec, h.t, h.n, 30, p0, &g) == LD_OK);
        /* trial 35 without pending trials: history numbers 0..29 only */
        CHECK(s.type->ask(s.state, spec, h.t, h.n, 35, q1, &g) == LD_OK);
        for (int k = 0; k < 5; k++)
            history_add(&h, spec, p0, LD_TRIAL_RUNNING, 0);
        CHECK(s.type->ask(s.state, spec, h.t, h.n, 35, p1, &g) == LD_OK);
        double dq = hypot((q1[0].num - p0[0].num) / 15, (q1[1].num - p0[1].num) / 15);
        double dp = hypot((p1[0].num - p0[0].num) / 15, (p1[1].num - p0[1].num) / 15);
        near_without += dq < 0.05;
        near_with += dp < 0.05;
        values_clear(p0, 2), values_clear(p1, 2), values_clear(q1, 2);
        history_free(&h);
        ld_sampler_close(&s);
    }
    fprintf(stderr, "constant liar: proposals within 0.05 of the running trials: %g of 10 "
                    "without them in the history, %g of 10 with\n",
            near_without, near_with);
    CHECK(near_with < near_without);
    ld_spec_free(spec);
}

/* A maximized metric is turned around: the sampler climbs towards large values. */
static void test_maximize(void)
{
    static const char sweep[] = "method: tpe\n"
                                "metric: {name: acc, goal: maximize}\n"
                                "parameters:\n"
                                "  x: {distribution: uniform, min: 0, max: 1}\n";
    ld_spec *spec = parse_sweep(sweep);
    ld_sampler s;
    CHECK(ld_sampler_open(ld_sampler_find("tpe"), spec, 5, &s, NULL, 0) == LD_OK);
    test_history h = {0};
    double late = 0;
    for (int i = 0; i < 60; i++) {
        ld_value v[1] = {{0}};
        int g;
        CHECK(s.type->ask(s.state, spec, h.t, h.n, i, v, &g) == LD_OK);
        if (i >= 40)
            late += v[0].num / 20;
        history_add(&h, spec, v, LD_TRIAL_COMPLETE, v[0].num); /* acc = x */
        values_clear(v, 1);
    }
    fprintf(stderr, "maximize x on [0, 1]: mean x of trials 40..59 = %.3f\n", late);
    CHECK(late > 0.8);
    history_free(&h);
    ld_sampler_close(&s);
    ld_spec_free(spec);
}

/* How the history is read: which trials count, as what, with which loss. */
static void test_observations(void)
{
    static const char sweep[] = "method: tpe\n"
                                "metric: {name: acc, goal: maximize}\n"
                                "parameters:\n"
                                "  opt: {values: [sgd, adam]}\n"
                                "  lr: {distribution: log_uniform_values, min: 1e-4, max: 1}\n"
                                "  mom: {distribution: uniform, min: 0, max: 1, when: {opt: sgd}}\n";
    ld_spec *spec = parse_sweep(sweep);
    test_history h = {0};
    ld_value sgd[3] = {{LD_VAL_STR, 0, "sgd"}, {LD_VAL_FLOAT, 0.01, NULL}, {LD_VAL_FLOAT, 0.5, NULL}};
    ld_value adam[3] = {{LD_VAL_STR, 0, "adam"}, {LD_VAL_FLOAT, 1e-4, NULL}, {LD_VAL_NONE, 0, NULL}};
    history_add(&h, spec, sgd, LD_TRIAL_COMPLETE, 0.9);     /* loss -0.9 */
    history_add(&h, spec, adam, LD_TRIAL_PRUNED, 0.4);      /* loss -0.4, pruned */
    history_add(&h, spec, sgd, LD_TRIAL_RUNNING, 0);        /* pending */
    history_add(&h, spec, sgd, LD_TRIAL_FAILED, 0);         /* ignored */
    ld_trial *t = history_add(&h, spec, sgd, LD_TRIAL_COMPLETE, 0.99);
    t->requeued_as = 9;                                      /* superseded: ignored */
    history_add(&h, spec, adam, LD_TRIAL_PRUNED, INFINITY); /* diverged: the worst loss */
    history_add(&h, spec, adam, LD_TRIAL_COMPLETE, NAN);    /* no usable value: ignored */
    /* what the study records when a trial prints acc=nan: pruned, no value, this reason */
    static char diverged[] = "diverged: acc is not a finite number at epoch 2";
    t = history_add(&h, spec, adam, LD_TRIAL_PRUNED, 0);
    t->has_value = 0;
    t->reason = diverged;                                    /* the worst loss too */
    ld_obs o;
    CHECK(ld_obs_build(spec, h.t, h.n, &o) == LD_OK);
    CHECK_INT_EQ(o.n, 5);
    CHECK_INT_EQ(o.n_complete, 1);
    CHECK_INT_EQ(o.n_pruned, 3);
    CHECK_INT_EQ(o.n_pending, 1);
    CHECK_INT_EQ(o.number[0], 0);
    CHECK_INT_EQ(o.number[3], 5);
    CHECK_INT_EQ(o.number[4], 7);
    CHECK(o.loss[0] == -0.9 && o.loss[1] == -0.4 && isnan(o.loss[2]) && o.loss[3] == INFINITY);
    CHECK(o.loss[4] == INFINITY && o.kind[4] == LD_OBS_PRUNED);
    CHECK_INT_EQ(o.kind[1], LD_OBS_PRUNED);
    CHECK_INT_EQ(o.kind[2], LD_OBS_PENDING);
    CHECK_INT_EQ(o.cat[0 * 3 + 0], 0);
    CHECK_INT_EQ(o.cat[1 * 3 + 0], 1);
    CHECK_NEAR(o.u[0 * 3 + 1], 0.5, 1e-12); /* lr 0.01 is halfway from 1e-4 to 1 in log space */
    CHECK_NEAR(o.u[0 * 3 + 2], 0.5, 1e-12);
    CHECK(isnan(o.u[1 * 3 + 2]));           /* momentum inactive under adam */
    ld_obs_clear(&o);
    history_free(&h);
    ld_spec_free(spec);
}

/* A space of integer and quantized parameters (scored by cell masses, whose far components
   discrete_terms leaves out) and a categorical one (its rows computed once per value): 300
   trials of a seeded walk, then 20 proposals. Their values were recorded from the version that
   computed every component's mass and row; the same bits now. */
static const char DISCRETE_SWEEP[] =
    "method: tpe\n"
    "metric: {name: loss, goal: minimize}\n"
    "parameters:\n"
    "  n: {distribution: int_uniform, min: 1, max: 100}\n"
    "  q: {distribution: q_uniform, min: 0, max: 10, q: 0.5}\n"
    "  x: {distribution: uniform, min: -3, max: 3}\n"
    "  k: {distribution: q_log_uniform_values, min: 1, max: 1024, q: 1}\n"
    "  c: {values: [r, s, t]}\n";

static double discrete_loss(const ld_value *v)
{
    double n = v[0].num - 37, q = v[1].num - 6.5, x = v[2].num - 0.7, k = log2(v[3].num) - 5;
    return n * n / 100 + q * q + x * x + k * k + (strcmp(v[4].str, "s") != 0);
}

static uint64_t discrete_proposals_hash(void)
{
    ld_spec *spec = parse_sweep(DISCRETE_SWEEP);
    test_history h = {0};
    ld_sampler s;
    CHECK(ld_sampler_open(ld_sampler_find("tpe"), spec, 7, &s, NULL, 0) == LD_OK);
    uint64_t hash = 1469598103934665603ULL;
    for (int i = 0; i < 320; i++) {
        ld_value v[5] = {{0}};
        int g;
        CHECK(s.type->ask(s.state, spec, h.t, h.n, i, v, &g) == LD_OK);
        if (i >= 300)
            for (int j = 0; j < 5; j++) {
                uint64_t bits;
                memcpy(&bits, &v[j].num, sizeof bits);
                if (j == 4)
                    bits = (uint64_t)v[j].str[0];
                hash = (hash ^ bits) * 1099511628211ULL;
            }
        history_add(&h, spec, v, LD_TRIAL_COMPLETE, discrete_loss(v));
        values_clear(v, 5);
    }
    ld_sampler_close(&s);
    history_free(&h);
    ld_spec_free(spec);
    return hash;
}

static void test_discrete_bits(void)
{
    uint64_t hash = discrete_proposals_hash();
    fprintf(stderr, "discrete proposals hash: %016llx\n", (unsigned long long)hash);
    CHECK(hash == 0x041316762791ce63ULL);
}

int main(void)
{
    RUN(test_observations);
    RUN(test_deterministic);
    RUN(test_beats_random_on_branin);
    RUN(test_conditional);
    RUN(test_constant_liar);
    RUN(test_maximize);
    RUN(test_discrete_bits);
    TEST_END();
}
