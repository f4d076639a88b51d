/*
 * asha.c — asynchronous successive halving (Li et al. 2020, "A System for Massively Parallel
 * Hyperparameter Tuning") and Hyperband as several ASHA brackets (Li et al. 2018).
 *
 * Rungs sit at steps r_k = min_iter * eta^(rate + k), strictly below the trial's final step
 * (max_iter, or its epochs parameter: ld_final_step), and no report at or past the final step
 * is judged. When a trial's report first reaches a rung, its value there is compared with the
 * values every trial of its bracket had on first reaching that rung (itself included); it goes
 * on only when it is among the best floor(n / eta) of them (at least the best one), Optuna's
 * asynchronous rule. Everything is read from the stored reports, so any tuner judges any trial
 * the same way, and a trial once past a rung is never judged at it again.
 *
 * Hyperband, with R the largest final step (max_iter, or the largest value of the epochs
 * parameter): s_max = floor(log_eta(R / min_iter)); bracket b (0..s_max) starts judging at rung
 * rate b, so bracket s_max never stops a trial. Bracket sizes are the paper's
 * n_s = ceil((s_max + 1) / (s + 1) * eta^s), s = s_max - b, and trial number t is dealt to
 * bracket schedule[t mod sum(n_s)], a smooth weighted round-robin: any 17 consecutive trials
 * of min_iter 3, R 27, eta 3 are 9, 5 and 3 of brackets 0, 1 and 2, interleaved. The number
 * alone decides, so every tuner deals a trial to the same bracket. W&B's forms: `min_iter`
 * alone with no final step known gives W&B's single set of rungs; `max_iter` with `s` gives
 * W&B's rungs at max_iter / eta^s ... max_iter / eta.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "pruners/pruner.h"
#include "util/rng.h"

#define MAX_BRACKETS 16
/* A longer deal falls back to a hash of the number in the same proportions. */
#define MAX_SCHEDULE 65536

typedef struct {
    double min_resource;  /* the first rung of rate 0 */
    double max_resource;  /* no rung at or past it; 0 = the trial's final step, if known */
    double eta;
    int base_rate;        /* asha: min_early_stopping_rate */
    int n_brackets;       /* 1 for asha */
    double weights[MAX_BRACKETS];
    size_t n_schedule;    /* sum of the weights when it fits MAX_SCHEDULE, else 0 */
    unsigned char *schedule; /* [n_schedule] the bracket of trial number t is schedule[t % n] */
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
    if (a->n_schedule > 0)
        return a->schedule[(size_t)(number < 0 ? 0 : number) % a->n_schedule];
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
    double final = a->max_resource > 0 ? a->max_resource : ld_final_step(spec, trial, history, n);
    for (int k = 0; k < 64; k++) {
        double r = a->min_resource * pow(a->eta, a->base_rate + bracket + k);
        if ((final > 0 && r >= final) || r > step)
            break;
        if (prev >= r || first_reaching(s, r) != (long)s->n - 1)
            continue; /* judged at this rung before */
        double own = s->values[s->n - 1], cutoff;
        size_t m;
        if (!isfinite(own))
            continue; /* divergence is the core's business */
        if (!promoted(a, spec, history, n, trial, bracket, r, own, &cutoff, &m)) {
            *stop = 1;
            char where[48] = "";
            if (a->n_brackets > 1)
                snprintf(where, sizeof where, " of bracket %d", bracket);
            *reason = ld_reason("%s: %s=%g at %s %g is not among the best 1/%g of the %zu "
                                "trials at this rung%s (needs %g)",
                                a->n_brackets > 1 ? "hyperband" : "asha", spec->metric, own,
                                spec->step, step, a->eta, m, where, cutoff);
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

static void asha_destroy(void *state)
{
    asha *a = state;
    if (a)
        free(a->schedule);
    free(a);
}

/* Smooth weighted round-robin (each turn every bracket gains its weight and the richest pays
   the total): the brackets interleave in their proportions. */
static ld_status build_schedule(asha *a)
{
    double total = 0, credit[MAX_BRACKETS] = {0};
    for (int b = 0; b < a->n_brackets; b++)
        total += a->weights[b];
    if (total > MAX_SCHEDULE)
        return LD_OK; /* the hash deals instead */
    a->n_schedule = (size_t)total;
    a->schedule = malloc(a->n_schedule);
    if (!a->schedule)
        return LD_ERR_NOMEM;
    for (size_t t = 0; t < a->n_schedule; t++) {
        int pick = 0;
        for (int b = 0; b < a->n_brackets; b++) {
            credit[b] += a->weights[b];
            if (credit[b] > credit[pick])
                pick = b;
        }
        credit[pick] -= total;
        a->schedule[t] = (unsigned char)pick;
    }
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
    double top = ld_spec_final_step(spec);
    if (!et->min_iter || top <= et->min_iter)
        return LD_OK; /* W&B: one set of rungs from min_iter */
    int s_max = (int)floor(log(top / et->min_iter) / log(a->eta) + 1e-9);
    if (s_max + 1 > MAX_BRACKETS)
        s_max = MAX_BRACKETS - 1;
    a->n_brackets = s_max + 1;
    for (int b = 0; b <= s_max; b++) {
        int s = s_max - b;
        a->weights[b] = ceil((double)(s_max + 1) / (s + 1) * pow(a->eta, s));
    }
    st = build_schedule(a);
    if (st != LD_OK) {
        asha_destroy(a);
        *state = NULL;
    }
    return st;
}

const ld_pruner_type ld_pruner_asha = {
    .name = "asha",
    .version = 1,
    .create = asha_create,
    .destroy = asha_destroy,
    .should_prune = asha_should_prune,
};

const ld_pruner_type ld_pruner_hyperband = {
    .name = "hyperband",
    .version = 1,
    .create = hyperband_create,
    .destroy = asha_destroy,
    .should_prune = asha_should_prune,
};
