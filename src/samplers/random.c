/*
 * random.c — independent uniform sampling, the baseline every other sampler should beat.
 *
 * Trial `number` draws from its own stream (seed, number): one u in [0, 1) per parameter in spec
 * order, mapped to the parameter's scale by ld_param_from_unit (log ranges uniform in log space,
 * categorical values by their probabilities). So a trial's values depend only on the seed and
 * its number: whichever tuner claims it, in whatever order, gets the same values, and two trials
 * never share a stream. History is not consulted.
 */
#include <stdio.h>
#include <stdlib.h>

#include "samplers/sampler.h"
#include "space.h"
#include "util/rng.h"

typedef struct {
    uint64_t seed;
} random_state;

static ld_status random_create(const ld_spec *spec, uint64_t seed, void **state, char *err,
                               size_t errlen)
{
    (void)spec;
    random_state *r = malloc(sizeof *r);
    *state = r;
    if (!r) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return LD_ERR_NOMEM;
    }
    r->seed = seed;
    return LD_OK;
}

static void random_destroy(void *state) { free(state); }

static ld_status random_ask(void *state, const ld_spec *spec, const ld_trial *history,
                            size_t n_history, int number, ld_value *values, int *grid_index)
{
    (void)history;
    (void)n_history;
    const random_state *r = state;
    ld_rng rng;
    ld_rng_seed(&rng, r->seed, (uint64_t)number);
    for (size_t j = 0; j < spec->n_params; j++)
        ld_param_from_unit(&spec->params[j], ld_rng_uniform(&rng), &values[j]);
    *grid_index = -1;
    return LD_OK;
}

const ld_sampler_type ld_sampler_random = {
    .name = "random",
    .version = 1,
    .create = random_create,
    .destroy = random_destroy,
    .ask = random_ask,
    .tell = NULL,
    .history_free = 1,
};
