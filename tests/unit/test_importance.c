/*
 * test_importance.c — the variance-based importance ranks the parameter that matters first,
 * sees through log scales and categories, and gives nothing to pure noise.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/importance.h"
#include "test.h"
#include "util/rng.h"

#define N 400

static ld_param range_param(const char *name, ld_dist d, double lo, double hi)
{
    ld_param p;
    memset(&p, 0, sizeof p);
    p.name = (char *)name;
    p.dist = d;
    p.min = lo;
    p.max = hi;
    p.q = 1;
    return p;
}

static void test_ranking(void)
{
    static ld_value cats[3] = {{LD_VAL_STR, 0, "sgd"}, {LD_VAL_STR, 0, "adam"},
                               {LD_VAL_STR, 0, "rmsprop"}};
    ld_param params[4] = {
        range_param("lr", LD_DIST_LOG_UNIFORM_VALUES, 1e-5, 1),
        range_param("dropout", LD_DIST_UNIFORM, 0, 0.9),
        range_param("noise", LD_DIST_UNIFORM, 0, 1),
        range_param("optimizer", LD_DIST_CATEGORICAL, 0, 0),
    };
    params[3].n_values = 3;
    params[3].values = cats;
    ld_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.n_params = 4;
    spec.params = params;

    static ld_trial trials[N];
    static ld_value values[N][4];
    static char *names[4] = {"lr", "dropout", "noise", "optimizer"};
    ld_rng rng;
    ld_rng_seed(&rng, 42, 0);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < 3; j++) {
            ld_param_from_unit(&params[j], ld_rng_uniform(&rng), &values[i][j]);
        }
        ld_param_from_unit(&params[3], ld_rng_uniform(&rng), &values[i][3]);
        double lr = values[i][0].num, drop = values[i][1].num;
        /* the learning rate matters most (on its log scale), the optimizer a little,
           dropout less, noise not at all */
        double loss = fabs(log10(lr) + 2.5) + 0.4 * drop +
                      (strcmp(values[i][3].str, "sgd") == 0 ? 0.8 : 0);
        trials[i] = (ld_trial){.number = i, .state = LD_TRIAL_COMPLETE, .n_params = 4,
                               .param_names = names, .params = values[i], .has_value = 1,
                               .value = loss};
    }
    double imp[4];
    CHECK_INT_EQ(ld_importance(&spec, trials, N, imp), LD_OK);
    CHECK(imp[0] > imp[3] && imp[3] > imp[1] && imp[1] > imp[2]);
    CHECK(imp[0] > 0.5);
    CHECK(imp[2] < 0.03);
    CHECK_NEAR(imp[0] + imp[1] + imp[2] + imp[3], 1.0, 1e-9);
    /* failed and pruned trials do not count; with fewer than 4 complete, all zero */
    for (int i = 3; i < N; i++)
        trials[i].state = LD_TRIAL_FAILED;
    CHECK_INT_EQ(ld_importance(&spec, trials, N, imp), LD_OK);
    CHECK(imp[0] == 0 && imp[1] == 0 && imp[2] == 0 && imp[3] == 0);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 4; j++)
            ld_value_clear(&values[i][j]);
}

int main(void)
{
    RUN(test_ranking);
    TEST_END();
}
