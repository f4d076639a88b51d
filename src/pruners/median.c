/*
 * median.c — the median stopping rule (Golovin et al. 2017, Google Vizier; Optuna's
 * MedianPruner): stop a trial whose best objective so far is worse than the median of the
 * complete trials' values at the same step.
 *
 * Options: n_startup_trials (no pruning until that many trials are complete, default 5),
 * n_warmup_steps (no pruning before that step, default 0), interval (judge every interval
 * steps after the warm-up, default 1).
 */
#include <math.h>
#include <stdlib.h>

#include "pruners/pruner.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The trial's best finite value up to and including its latest report. */
static int best_so_far(const ld_spec *spec, const ld_series *s, double *best)
{
    int found = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->values[i]))
            continue;
        if (!found || ld_better(spec, s->values[i], *best))
            *best = s->values[i];
        found = 1;
    }
    return found;
}

/* Complete trial t's value reported at exactly this step. */
static int value_at(const ld_series *s, double step, double *v)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (s->steps[i] == step && isfinite(s->values[i])) {
            *v = s->values[i];
            return 1;
        }
    return 0;
}

static ld_status median_should_prune(void *state, const ld_spec *spec, const ld_trial *history,
                                     size_t n, const ld_trial *trial, int *stop, char **reason)
{
    (void)state;
    const ld_early_terminate *et = &spec->early_terminate;
    const ld_series *own = ld_judged_objective(spec, trial);
    if (!own)
        return LD_OK;
    double step = own->steps[own->n - 1];
    long since = (long)(step - et->n_warmup_steps);
    if (et->interval > 1 && since % et->interval != 0)
        return LD_OK;

    size_t complete = 0, m = 0;
    double *values = malloc((n ? n : 1) * sizeof *values);
    if (!values)
        return LD_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (history[i].state != LD_TRIAL_COMPLETE || history[i].number == trial->number)
            continue;
        complete++;
        if (value_at(ld_objective(spec, &history[i]), step, &values[m]))
            m++;
    }
    double best = 0;
    if (complete >= (size_t)et->n_startup_trials && m > 0 && best_so_far(spec, own, &best)) {
        qsort(values, m, sizeof *values, cmp_double);
        double median = m % 2 ? values[m / 2] : 0.5 * (values[m / 2 - 1] + values[m / 2]);
        if (ld_better(spec, median, best)) {
            *stop = 1;
            *reason = ld_reason("median: best %s=%g by %s %g is worse than the median %g of "
                                "%zu complete trials at that step",
                                spec->metric, best, spec->step, step, median, m);
        }
    }
    free(values);
    return LD_OK;
}

const ld_pruner_type ld_pruner_median = {
    .name = "median",
    .version = 1,
    .create = ld_pruner_create_stateless,
    .destroy = NULL,
    .should_prune = median_should_prune,
};
