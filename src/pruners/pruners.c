/*
 * pruners.c — the table of built-in pruners and what they share: finding the objective's
 * series, comparing values for the study's goal, reading a trial's value at a rung.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pruners/pruner.h"
#include "util/buf.h"

extern const ld_pruner_type ld_pruner_median;
extern const ld_pruner_type ld_pruner_asha;
extern const ld_pruner_type ld_pruner_hyperband;
extern const ld_pruner_type ld_pruner_threshold;

static const struct {
    const char *name;
    const ld_pruner_type *type;
} builtin[] = {
    {"median", &ld_pruner_median},
    {"asha", &ld_pruner_asha},
    {"hyperband", &ld_pruner_hyperband},
    {"threshold", &ld_pruner_threshold},
};

ld_status ld_pruner_open(const ld_spec *spec, ld_pruner *out, char *err, size_t errlen)
{
    out->type = NULL;
    out->state = NULL;
    const char *name = spec->early_terminate.type;
    if (!name)
        return LD_OK;
    for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++) {
        if (strcmp(builtin[i].name, name) != 0)
            continue;
        ld_status st = builtin[i].type->create(spec, &out->state, err, errlen);
        if (st == LD_OK)
            out->type = builtin[i].type;
        return st;
    }
    snprintf(err, errlen, "unknown early_terminate type '%s'", name);
    return LD_ERR_INPUT;
}

void ld_pruner_close(ld_pruner *p)
{
    if (!p)
        return;
    if (p->type && p->type->destroy)
        p->type->destroy(p->state);
    p->type = NULL;
    p->state = NULL;
}

ld_status ld_pruner_should_prune(const ld_pruner *p, const ld_spec *spec,
                                 const ld_trial *history, size_t n, const ld_trial *trial,
                                 int *stop, char **reason)
{
    *stop = 0;
    *reason = NULL;
    if (!p || !p->type)
        return LD_OK;
    return p->type->should_prune(p->state, spec, history, n, trial, stop, reason);
}

const ld_series *ld_objective(const ld_spec *spec, const ld_trial *t)
{
    return ld_trial_series(t, spec->metric);
}

int ld_better(const ld_spec *spec, double a, double b)
{
    return spec->maximize ? a > b : a < b;
}

int ld_value_reaching(const ld_series *s, double step, double *value)
{
    if (!s)
        return 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->steps[i] >= step && isfinite(s->values[i])) {
            *value = s->values[i];
            return 1;
        }
    return 0;
}

char *ld_reason(const char *fmt, ...)
{
    ld_buf b = LD_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    ld_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return ld_buf_take(&b);
}
