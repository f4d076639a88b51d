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

#include "samplers/bayes.h"
#include "samplers/gp.h"
#include "samplers/observe.h"
#include "samplers/sampler.h"
#include "samplers/tpe.h"

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

static int bayes_ready(const ld_spec *spec, const ld_obs *obs, int number)
{
    return ld_bayes_choose(spec, obs, number) != LD_BAYES_SOBOL;
}

static ld_status bayes_propose(ld_model_state *s, const ld_spec *spec, const ld_obs *obs,
                               int number, double *u, int *cat)
{
    if (ld_bayes_choose(spec, obs, number) == LD_BAYES_GP)
        return ld_gp_propose(s->seed, spec, obs, number, &s->fits, u, cat);
    return ld_tpe_propose(s->seed, spec, obs, number, &ld_tpe_defaults, u, cat);
}

static ld_status bayes_ask(void *state, const ld_spec *spec, const ld_trial *history,
                           size_t n_history, int number, ld_value *values, int *grid_index)
{
    static const ld_model model = {bayes_ready, bayes_propose};
    return ld_model_ask(&model, state, spec, history, n_history, number, values, grid_index);
}

const ld_sampler_type ld_sampler_bayes = {
    .name = "bayes",
    .version = 1,
    .create = bayes_create,
    .destroy = ld_model_state_free,
    .ask = bayes_ask,
    .tell = NULL,
};
