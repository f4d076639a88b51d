/*
 * threshold.c — stop a trial whose objective leaves [lower, upper] after the warm-up steps
 * (Optuna's ThresholdPruner): the cheapest guard against runs that go nowhere, e.g. a
 * validation accuracy still at chance level after three epochs.
 */
#include "pruners/pruner.h"

static ld_status threshold_should_prune(void *state, const ld_spec *spec,
                                        const ld_trial *history, size_t n,
                                        const ld_trial *trial, int *stop, char **reason)
{
    (void)state;
    (void)history;
    (void)n;
    const ld_early_terminate *et = &spec->early_terminate;
    const ld_series *own = ld_judged_objective(spec, trial);
    if (!own)
        return LD_OK;
    double step = own->steps[own->n - 1], v = own->values[own->n - 1];
    if (et->has_lower && v < et->lower) {
        *stop = 1;
        *reason = ld_reason("threshold: %s=%g at %s %g is below the lower bound %g",
                            spec->metric, v, spec->step, step, et->lower);
    } else if (et->has_upper && v > et->upper) {
        *stop = 1;
        *reason = ld_reason("threshold: %s=%g at %s %g is above the upper bound %g",
                            spec->metric, v, spec->step, step, et->upper);
    }
    return LD_OK;
}

const ld_pruner_type ld_pruner_threshold = {
    .name = "threshold",
    .version = 1,
    .create = ld_pruner_create_stateless,
    .destroy = NULL,
    .should_prune = threshold_should_prune,
};
