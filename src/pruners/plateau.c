/*
 * plateau.c — stop a run that no longer converges (the playbook's "stop runs that do not
 * converge"): no improvement of at least min_delta in the last `patience` steps. The trial is
 * judged on its own curve only, so it needs no other trials and works from the first one;
 * Keras's EarlyStopping(patience, min_delta) is the same rule inside one training run.
 *
 * With B the best value reported at steps <= latest - patience and R the best value reported
 * after that, the trial stops when R does not beat B by min_delta. NaN reports are skipped
 * (divergence is the core's business); nothing is judged before n_warmup_steps, or before the
 * trial has a report at least `patience` steps old.
 */
#include <math.h>

#include "pruners/pruner.h"

static ld_status plateau_should_prune(void *state, const ld_spec *spec,
                                      const ld_trial *history, size_t n,
                                      const ld_trial *trial, int *stop, char **reason)
{
    (void)state;
    (void)history;
    (void)n;
    const ld_early_terminate *et = &spec->early_terminate;
    const ld_series *s = ld_judged_objective(spec, trial);
    if (!s)
        return LD_OK;
    double latest = s->steps[s->n - 1];
    double cut = latest - et->patience, before = NAN, since = NAN, before_step = 0;
    for (size_t i = 0; i < s->n; i++) {
        double v = s->values[i];
        if (!isfinite(v))
            continue;
        if (s->steps[i] <= cut) {
            if (isnan(before) || ld_better(spec, v, before)) {
                before = v;
                before_step = s->steps[i];
            }
        } else if (isnan(since) || ld_better(spec, v, since)) {
            since = v;
        }
    }
    if (isnan(before) || isnan(since))
        return LD_OK;
    double needed = spec->maximize ? before + et->min_delta : before - et->min_delta;
    int improved = et->min_delta > 0 ? !ld_better(spec, needed, since)
                                     : ld_better(spec, since, before);
    if (!improved) {
        *stop = 1;
        *reason = ld_reason("plateau: best %s=%g at %s %g, and no gain of %g or more in the %d "
                            "%ss since (best since %g)",
                            spec->metric, before, spec->step, before_step,
                            et->min_delta, et->patience, spec->step, since);
    }
    return LD_OK;
}

const ld_pruner_type ld_pruner_plateau = {
    .name = "plateau",
    .version = 1,
    .ends_training = 1,
    .create = ld_pruner_create_stateless,
    .destroy = NULL,
    .should_prune = plateau_should_prune,
};
