/*
 * asha.c — asynchronous successive halving (Li et al. 2020, "A System for Massively Parallel
 * Hyperparameter Tuning") and Hyperband as several ASHA brackets (Li et al. 2018).
 *
 * Rungs sit at steps r_k = min_iter * eta^(rate + k), below max_iter when one is given. When a
 * trial's report first reaches a rung, its value there is compared with the values every trial
 * of its bracket had on first reaching that rung (itself included); it goes on only when it is
 * among the best floor(n / eta) of them (at least the best one), Optuna's asynchronous rule.
 * Everything is read from the stored reports, so any tuner judges any trial the same way, and
 * a trial once past a rung is never judged at it again.
 *
 * Hyperband: s_max = floor(log_eta(max_iter / min_iter)); bracket b (0..s_max) starts pruning
 * at rung rate b. Trials are dealt to brackets by a hash of their number, in proportion to the
 * paper's bracket sizes n_s = ceil((s_max + 1) / (s + 1) * eta^s) with s = s_max - b.
 * W&B's form: `min_iter` alone (or `max_iter` with `s`) gives W&B's single set of rungs;
 * `min_iter` with `max_iter` gives the paper's brackets.
 */
#include <math.h>
#include <stdlib.h>

#include "pruners/pruner.h"
#include "util/rng.h"

#define MAX_BRACKETS 16

typedef struct {
    double min_resource;  /* the first rung of rate 0 */
    double max_resource;  /* no rung at or past it; 0 = unbounded */
    double eta;
    int base_rate;        /* asha: min_early_stopping_rate */
    int n_brackets;       /* 1 for asha */
    double weights[MAX_BRACKETS];
} asha;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int bracket_of(const asha *a, int number)
{
    if (a->n_brackets <= 1)
        return 0;
    double total = 0;
    for (int b = 0; b < a->n_brackets; b++)
        total += a->weights[b];
    double x = (double)(ld_mix64((uint64_t)number * 0x9e3779b97f4a7c15ULL) >> 11) * 0x1.0p-53;
    x *= total;
    for (int b = 0; b < a->n_brackets; b++) {
        if (x < a->weights[b])
            return b;
        x -= a->weights[b];
    }
    return a->n_brackets - 1;
}

/* Index of the report at which the series first reaches step, or -1. */
static long first_reaching(const ld_series *s, double step)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (s->steps[i] >= step)
            return (long)i;
    return -1;
}

/* Judges the trial at rung resource r, which its latest report just reached. */
static int promoted(const asha *a, const ld_spec *spec, const ld_trial *history, size_t n,
                    const ld_trial *trial, int bracket, double r, double own, double *cutoff,
                    size_t *competitors)
{
    double *values = malloc((n + 1) * sizeof *values);
    if (!values)
        return 1; /* cannot judge: let it run */
    size_t m = 0;
    values[m++] = own;
    for (size_t i = 0; i < n; i++) {
        const ld_trial *t = &history[i];
        double v;
        if (t->number == trial->number || t->requeued_as >= 0 ||
            bracket_of(a, t->number) != bracket)
            continue;
        if (ld_value_reaching(ld_objective(spec, t), r, &v))
            values[m++] = v;
    }
    qsort(values, m, sizeof *values, cmp_double);
    if (spec->maximize) /* best first */
        for (size_t i = 0; i < m / 2; i++) {
            double x = values[i];
            values[i] = values[m - 1 - i];
            values[m - 1 - i] = x;
        }
    long idx = (long)floor((double)m / a->eta) - 1;
    if (idx < 0)
        idx = 0;
    *cutoff = values[idx];
    *competitors = m;
    free(values);
    return !ld_better(spec, *cutoff, own);
}

static ld_status asha_should_prune(void *state, const ld_spec *spec, const ld_trial *history,
                                   size_t n, const ld_trial *trial, int *stop, char **reason)
{
    const asha *a = state;
    const ld_series *s = ld_objective(spec, trial);
    if (!s || s->n == 0)
        return LD_OK;
    double step = s->steps[s->n - 1];
    double prev = s->n > 1 ? s->steps[s->n - 2] : -INFINITY;
    int bracket = bracket_of(a, trial->number);
    for (int k = 0; k < 64; k++) {
        double r = a->min_resource * pow(a->eta, a->base_rate + bracket + k);
        if ((a->max_resource > 0 && r >= a->max_resource) || r > step)
            break;
        if (prev >= r || first_reaching(s, r) != (long)s->n - 1)
            continue; /* judged at this rung before */
        double own = s->values[s->n - 1], cutoff;
        size_t m;
        if (!isfinite(own))
            continue; /* divergence is the core's business */
        if (!promoted(a, spec, history, n, trial, bracket, r, own, &cutoff, &m)) {
            *stop = 1;
            *reason = ld_reason("%s: %s=%g at %s %g is not among the best 1/%g of the %zu "
                                "trials at this rung (needs %g)",
                                a->n_brackets > 1 ? "hyperband" : "asha", spec->metric, own,
                                spec->step, step, a->eta, m, cutoff);
            return LD_OK;
        }
    }
    return LD_OK;
}

static ld_status asha_create(const ld_spec *spec, void **state, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    const ld_early_terminate *et = &spec->early_terminate;
    asha *a = calloc(1, sizeof *a);
    if (!a)
        return LD_ERR_NOMEM;
    a->eta = et->eta > 1 ? et->eta : 3;
    a->min_resource = et->min_iter > 0 ? et->min_iter : 1;
    a->max_resource = et->max_iter;
    a->base_rate = et->min_early_stopping_rate;
    a->n_brackets = 1;
    *state = a;
    return LD_OK;
}

static ld_status hyperband_create(const ld_spec *spec, void **state, char *err, size_t errlen)
{
    ld_status st = asha_create(spec, state, err, errlen);
    if (st != LD_OK)
        return st;
    asha *a = *state;
    const ld_early_terminate *et = &spec->early_terminate;
    a->base_rate = 0;
    if (!et->min_iter && et->max_iter && et->s > 0) {
        /* W&B: rungs at max_iter / eta^s ... max_iter / eta */
        a->min_resource = et->max_iter / pow(a->eta, et->s);
        return LD_OK;
    }
    if (!et->min_iter || !et->max_iter)
        return LD_OK; /* W&B: one set of rungs from min_iter */
    int s_max = (int)floor(log((double)et->max_iter / et->min_iter) / log(a->eta) + 1e-9);
    if (s_max + 1 > MAX_BRACKETS)
        s_max = MAX_BRACKETS - 1;
    a->n_brackets = s_max + 1;
    for (int b = 0; b <= s_max; b++) {
        int s = s_max - b;
        a->weights[b] = ceil((double)(s_max + 1) / (s + 1) * pow(a->eta, s));
    }
    return LD_OK;
}

const ld_pruner_type ld_pruner_asha = {
    .name = "asha",
    .version = 1,
    .create = asha_create,
    .destroy = free,
    .should_prune = asha_should_prune,
};

const ld_pruner_type ld_pruner_hyperband = {
    .name = "hyperband",
    .version = 1,
    .create = hyperband_create,
    .destroy = free,
    .should_prune = asha_should_prune,
};
