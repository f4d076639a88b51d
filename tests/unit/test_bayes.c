/*
 * test_bayes.c — the bayes sampler's choice of model (bayes.c's rule: Sobol start, GP with every
 * third trial from TPE while d <= 16 and n < 200, TPE beyond), its determinism, and that it
 * reaches Branin's minimum closely in 40 trials.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bbo_util.h"
#include "samplers/bayes.h"
#include "samplers/observe.h"
#include "test.h"

/* An observation set of n complete trials (the rule reads only the counts). */
static ld_obs counts(size_t n)
{
    ld_obs o;
    memset(&o, 0, sizeof o);
    o.n = o.n_complete = n;
    return o;
}

static void test_rule(void)
{
    ld_spec *spec = parse_sweep(BRANIN_SWEEP); /* d = 2: n_init = 5 */
    ld_obs o = counts(0);
    CHECK_INT_EQ(ld_bayes_choose(spec, &o, 0), LD_BAYES_SOBOL);
    o = counts(4);
    CHECK_INT_EQ(ld_bayes_choose(spec, &o, 4), LD_BAYES_SOBOL);
    o = counts(5);
    CHECK_INT_EQ(ld_bayes_choose(spec, &o, 5), LD_BAYES_TPE); /* 5 % 3 == 2 */
    CHECK_INT_EQ(ld_bayes_choose(spec, &o, 6), LD_BAYES_GP);
    CHECK_INT_EQ(ld_bayes_choose(spec, &o, 7), LD_BAYES_GP);
    CHECK_INT_EQ(ld_bayes_choose(spec, &o, 8), LD_BAYES_TPE);
    /* failed trials: past n_init but fewer than two finished ones */
    o = counts(1);
    CHECK_INT_EQ(ld_bayes_choose(spec, &o, 30), LD_BAYES_SOBOL);
    o = counts(199);
    CHECK_INT_EQ(ld_bayes_choose(spec, &o, 199), LD_BAYES_GP);
    o = counts(200);
    CHECK_INT_EQ(ld_bayes_choose(spec, &o, 200), LD_BAYES_TPE);
    ld_spec_free(spec);

    /* 17 varying parameters: TPE from the first model-based trial on */
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof text,
                                  "method: bayes\nmetric: {name: loss, goal: minimize}\n"
                                  "parameters:\n  fixed: {value: 3}\n");
    for (int i = 0; i < 17; i++)
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "  x%d: {distribution: uniform, min: 0, max: 1}\n", i);
    spec = parse_sweep(text);
    o = counts(12);
    CHECK_INT_EQ(ld_bayes_choose(spec, &o, 9), LD_BAYES_SOBOL); /* n_init = 10 */
    CHECK_INT_EQ(ld_bayes_choose(spec, &o, 12), LD_BAYES_TPE);
    ld_spec_free(spec);
}

static void test_branin(void)
{
    double sum = 0, again = run_branin("bayes", 3, 40);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        double r = run_branin("bayes", seed, 40) - BRANIN_MIN;
        sum += r;
        if (seed == 3)
            CHECK(r + BRANIN_MIN == again); /* the same seed gives the same study */
    }
    fprintf(stderr, "bayes on branin, 40 trials: mean regret %.3g over 5 seeds\n", sum / 5);
    CHECK(sum / 5 < 0.01);
}

int main(void)
{
    RUN(test_rule);
    RUN(test_branin);
    TEST_END();
}
