/*
 * bayes.c — W&B's `bayes` method and liandan's recommended default: it picks the strongest
 * model for the situation, trial by trial, from the history alone.
 *
 * The rule (d = the number of parameters that vary; n = finished plus pending trials):
 *
 *   trial number < n_init(d) = clamp(d + 3, 5, 10),
 *   or fewer than 2 finished trials        -> scrambled Sobol points (sobol.c): a space-filling
 *                                            start, which no model can improve on yet
 *   d <= 16 and n < 200                    -> GP with log expected improvement (gp.c): the
 *                                            most sample-efficient where a GP fits, i.e. few
 *                                            dimensions and few trials; except every third
 *                                            trial (number % 3 == 2), which TPE proposes
 *                                            (below). EI alone keeps refining the first basin
 *                                            it finds (on Ackley it polished ripples far from
 *                                            the bowl in 2 of 6 seeds, regret 19.9); TPE's
 *                                            draws from l(x) explore the other good regions
 *                                            and the GP then learns from them: a two-member
 *                                            portfolio in the spirit of HEBO
 *   otherwise                              -> multivariate TPE (tpe.c): O(d n) per trial, so it
 *                                            stays cheap at thousands of trials and copes with
 *                                            many dimensions
 *
 * A GP ask costs O(n^3) (about 10 ms at 100 trials and 20 ms at 200, docs/bench-samplers.md);
 * past 200 trials TPE's cost stays under a millisecond while a GP's grows as n^3. The switch depends only on
 * (d, n), so every tuner on a study makes the same choice. docs/samplers.md says the same.
 */
#include <stdio.h>
#include <stdlib.h>

#include "samplers/bayes.h"
#include "samplers/gp.h"
#include "samplers/observe.h"
#include "samplers/sampler.h"
#include "samplers/tpe.h"

/* A count for malloc: at least 1, so that malloc(0) never returns NULL. */
static size_t nz(size_t k) { return k ? k : 1; }

#define GP_MAX_DIMS 16
#define GP_MAX_TRIALS 200
#define TPE_EVERY 3 /* every third model-based trial is TPE's */

static ld_status bayes_create(const ld_spec *spec, uint64_t seed, void **state, char *err,
                            size_t errlen)
{
    return ld_model_state_new(spec, seed, state, err, errlen);
}

ld_bayes_choice ld_bayes_choose(const ld_spec *spec, const ld_obs *obs, int number)
{
    size_t d = ld_obs_dims(spec);
    if ((size_t)number < ld_obs_n_init(d) || obs->n_complete + obs->n_pruned < 2)
        return LD_BAYES_SOBOL;
    if (d <= GP_MAX_DIMS && obs->n < GP_MAX_TRIALS &&
        (TPE_EVERY == 0 || number % TPE_EVERY != TPE_EVERY - 1))
        return LD_BAYES_GP;
    return LD_BAYES_TPE;
}

static ld_status bayes_ask(void *state, const ld_spec *spec, const ld_trial *history,
                           size_t n_history, int number, ld_value *values, int *grid_index)
{
    ld_model_state *s = state;
    *grid_index = -1;
    ld_obs obs;
    ld_status st = ld_obs_build(spec, history, n_history, &obs);
    if (st != LD_OK)
        return st;
    ld_bayes_choice choice = ld_bayes_choose(spec, &obs, number);
    if (choice == LD_BAYES_SOBOL) {
        ld_obs_clear(&obs);
        st = s->sobol.type->ask(s->sobol.state, spec, history, n_history, number, values,
                                  grid_index);
        if (st == LD_OK)
            ld_obs_mask(spec, values);
        return st;
    }
    size_t P = spec->n_params;
    double *u = malloc(nz(P) * sizeof *u);
    int *cat = malloc(nz(P) * sizeof *cat);
    if (!u || !cat)
        st = LD_ERR_NOMEM;
    else if (choice == LD_BAYES_GP)
        st = ld_gp_propose(s->seed, spec, &obs, number, &s->fits, u, cat);
    else
        st = ld_tpe_propose(s->seed, spec, &obs, number, &ld_tpe_defaults, u, cat);
    if (st == LD_OK)
        ld_obs_emit(spec, u, cat, values);
    free(u);
    free(cat);
    ld_obs_clear(&obs);
    return st;
}

const ld_sampler_type ld_sampler_bayes = {
    .name = "bayes",
    .version = 1,
    .create = bayes_create,
    .destroy = ld_model_state_free,
    .ask = bayes_ask,
    .tell = NULL,
};
