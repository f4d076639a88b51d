/*
 * fidelity.c — cheap fidelities, BOHB-style (Falkner et al. 2018): the playbook's "tune on 10K
 * examples before 1M" made automatic. The budget is a parameter of the command (a fraction of
 * the training data, a number of classes, epochs) with levels min, min*eta, ..., max.
 *
 * Each new configuration starts at the smallest budget. When a claim is made, the best
 * floor(n/eta) of the configurations complete at a level that have not yet run at the next
 * level are promoted first (asynchronous successive halving: highest level first, then by
 * value); only when none is promotable does the sampler propose a new configuration. The
 * sampler models one budget at a time: the largest level with enough complete trials
 * (d + 2, as BOHB's minimum), else the smallest.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fidelity.h"

static int level_of(const ld_spec *spec, const ld_trial *t)
{
    const ld_fidelity *f = &spec->fidelity;
    if (f->index < 0 || (size_t)f->index >= t->n_params)
        return -1;
    const ld_param *p = &spec->params[f->index];
    for (size_t k = 0; k < p->n_values; k++)
        if (ld_value_equal(&t->params[f->index], &p->values[k]))
            return (int)k;
    return -1;
}

/* Same configuration: every parameter but the budget equal. */
static int same_config(const ld_spec *spec, const ld_value *a, const ld_value *b)
{
    for (size_t j = 0; j < spec->n_params; j++)
        if ((int)j != spec->fidelity.index && !ld_value_equal(&a[j], &b[j]))
            return 0;
    return 1;
}

typedef struct {
    const ld_trial *trial;
    int maximize;
} candidate;

static int cmp_candidate(const void *x, const void *y)
{
    const candidate *a = x, *b = y;
    double va = a->trial->value, vb = b->trial->value;
    int c = (va > vb) - (va < vb);
    if (a->maximize)
        c = -c;
    return c ? c : a->trial->number - b->trial->number;
}

static int ran_at(const ld_spec *spec, const ld_trial *h, size_t n, const ld_trial *config,
                  int level)
{
    for (size_t i = 0; i < n; i++)
        if (h[i].requeued_as < 0 && level_of(spec, &h[i]) == level &&
            same_config(spec, h[i].params, config->params))
            return 1;
    return 0;
}

ld_status ld_fidelity_promote(const ld_spec *spec, const ld_trial *history, size_t n,
                              ld_value *values, int *promoted)
{
    *promoted = 0;
    const ld_fidelity *f = &spec->fidelity;
    if (!f->param || f->index < 0)
        return LD_OK;
    int levels = (int)spec->params[f->index].n_values;
    candidate *c = malloc((n ? n : 1) * sizeof *c);
    if (!c)
        return LD_ERR_NOMEM;
    for (int k = levels - 2; k >= 0 && !*promoted; k--) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (history[i].state == LD_TRIAL_COMPLETE && history[i].has_value &&
                isfinite(history[i].value) && level_of(spec, &history[i]) == k)
                c[m++] = (candidate){&history[i], spec->maximize};
        qsort(c, m, sizeof *c, cmp_candidate);
        size_t top = (size_t)floor((double)m / f->eta);
        for (size_t i = 0; i < top && !*promoted; i++) {
            if (ran_at(spec, history, n, c[i].trial, k + 1))
                continue;
            for (size_t j = 0; j < spec->n_params; j++) {
                ld_value_clear(&values[j]);
                values[j] = ld_value_copy(&c[i].trial->params[j]);
            }
            ld_value_clear(&values[f->index]);
            values[f->index] = ld_value_copy(&spec->params[f->index].values[k + 1]);
            *promoted = 1;
        }
    }
    free(c);
    return LD_OK;
}

void ld_fidelity_start(const ld_spec *spec, ld_value *values)
{
    const ld_fidelity *f = &spec->fidelity;
    if (!f->param || f->index < 0)
        return;
    ld_value_clear(&values[f->index]);
    values[f->index] = ld_value_copy(&spec->params[f->index].values[0]);
}

size_t ld_fidelity_model_view(const ld_spec *spec, const ld_trial *history, size_t n,
                              ld_trial *view)
{
    const ld_fidelity *f = &spec->fidelity;
    int levels = (int)spec->params[f->index].n_values, chosen = 0;
    size_t need = spec->n_params + 1; /* d + 2 with d the searched dimensions (budget excluded) */
    for (int k = levels - 1; k > 0 && !chosen; k--) {
        size_t complete = 0;
        for (size_t i = 0; i < n; i++)
            complete += history[i].state == LD_TRIAL_COMPLETE && level_of(spec, &history[i]) == k;
        if (complete >= need)
            chosen = k;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (level_of(spec, &history[i]) == chosen)
            view[m++] = history[i];
    return m;
}
