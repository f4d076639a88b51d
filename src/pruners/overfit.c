/*
 * overfit.c — stop a run that has started to overfit: its validation loss has risen at every
 * report of the last `patience` steps while its training loss fell. Such a run's best
 * validation value is behind it (metric.summary: best keeps it), and the epochs after only
 * memorise the training set. Judged on the trial's own curves, from the first trial.
 *
 * The keys default to val_loss and train_loss (`val_key`, `train_key` name others). With a the
 * last report of both at a step <= latest - patience: the trial stops when every val report
 * after a is >= the one before it, the latest val is above a's, and the latest train is below
 * a's. NaN reports are left to the core's divergence rule.
 */
#include <math.h>

#include "pruners/pruner.h"

/* The value of series s at exactly this step, or NaN. */
static double at_step(const ld_series *s, double step)
{
    for (size_t i = s->n; i-- > 0;)
        if (s->steps[i] == step)
            return s->values[i];
    return NAN;
}

static ld_status overfit_should_prune(void *state, const ld_spec *spec,
                                      const ld_trial *history, size_t n,
                                      const ld_trial *trial, int *stop, char **reason)
{
    (void)state;
    (void)history;
    (void)n;
    const ld_early_terminate *et = &spec->early_terminate;
    const char *val_key = et->val_key ? et->val_key : "val_loss";
    const char *train_key = et->train_key ? et->train_key : "train_loss";
    const ld_series *val = ld_trial_series(trial, val_key);
    const ld_series *train = ld_trial_series(trial, train_key);
    if (!val || !train || val->n < 2)
        return LD_OK;
    double latest = val->steps[val->n - 1];
    if (latest < et->n_warmup_steps)
        return LD_OK;
    /* a: the last val report at or before latest - patience that has a train report too */
    long a = -1;
    for (size_t i = 0; i < val->n; i++)
        if (val->steps[i] <= latest - et->patience && isfinite(val->values[i]) &&
            isfinite(at_step(train, val->steps[i])))
            a = (long)i;
    double train_last = at_step(train, latest);
    if (a < 0 || !isfinite(train_last))
        return LD_OK;
    for (size_t i = (size_t)a + 1; i < val->n; i++)
        if (!(val->values[i] >= val->values[i - 1]))
            return LD_OK; /* fell (or NaN) somewhere in the window: not a steady rise */
    double val_a = val->values[a], train_a = at_step(train, val->steps[a]);
    if (val->values[val->n - 1] > val_a && train_last < train_a) {
        *stop = 1;
        *reason = ld_reason("overfit: %s rose from %g to %g over the %d %ss to %s %g while %s "
                            "fell from %g to %g",
                            val_key, val_a, val->values[val->n - 1], et->patience, spec->step,
                            spec->step, latest, train_key, train_a, train_last);
    }
    return LD_OK;
}

const ld_pruner_type ld_pruner_overfit = {
    .name = "overfit",
    .version = 1,
    .ends_training = 1,
    .create = ld_pruner_create_stateless,
    .destroy = NULL,
    .should_prune = overfit_should_prune,
};
