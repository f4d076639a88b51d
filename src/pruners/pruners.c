/*
 * pruners.c — the table of built-in pruners and what they share: finding the objective's
 * series, comparing values for the study's goal, reading a trial's value at a rung, and the
 * final step, at and past which no pruner judges.
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
extern const ld_pruner_type ld_pruner_plateau;
extern const ld_pruner_type ld_pruner_overfit;
extern const ld_pruner_type ld_pruner_curve;

static const struct {
    const char *name;
    const ld_pruner_type *type;
} builtin[] = {
    {"hyperband", &ld_pruner_hyperband},
    {"median", &ld_pruner_median},
    {"asha", &ld_pruner_asha},
    {"threshold", &ld_pruner_threshold},
    {"plateau", &ld_pruner_plateau},
    {"overfit", &ld_pruner_overfit},
    {"curve", &ld_pruner_curve},
};

size_t ld_pruner_names(const char **names, size_t max)
{
    size_t n = sizeof builtin / sizeof *builtin;
    for (size_t i = 0; i < n && i < max; i++)
        names[i] = builtin[i].name;
    return n;
}

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
    const ld_series *own = ld_objective(spec, trial);
    double final = ld_final_step(spec, trial, history, n);
    if (own && own->n > 0 && final > 0 && own->steps[own->n - 1] >= final)
        return LD_OK; /* the work is done: nothing left to save */
    return p->type->should_prune(p->state, spec, history, n, trial, stop, reason);
}

/* Is name the parameter that says how many steps a trial runs? */
static int is_length_param(const ld_spec *spec, const char *name)
{
    static const char *const names[] = {"epochs", "num_epochs", "max_epochs", "n_epochs",
                                        "max_steps", "num_steps", "max_iter", "max_iters"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(name, names[i]))
            return 1;
    size_t len = strlen(spec->step); /* epoch -> epochs, step -> steps, iteration -> iterations */
    return !strncmp(name, spec->step, len) && !strcmp(name + len, "s");
}

static int positive_number(const ld_value *v, double *out)
{
    if (!v || (v->type != LD_VAL_INT && v->type != LD_VAL_FLOAT) || !(v->num > 0) ||
        !isfinite(v->num))
        return 0;
    *out = v->num;
    return 1;
}

double ld_final_step(const ld_spec *spec, const ld_trial *trial, const ld_trial *history,
                     size_t n)
{
    if (spec->early_terminate.max_iter > 0)
        return spec->early_terminate.max_iter;
    double final;
    for (size_t i = 0; i < trial->n_params; i++)
        if (is_length_param(spec, trial->param_names[i]) &&
            positive_number(&trial->params[i], &final))
            return final;
    /* the last step every complete trial reached, when at least two agree on it */
    size_t agree = 0;
    final = 0;
    for (size_t i = 0; i < n; i++) {
        if (history[i].state != LD_TRIAL_COMPLETE || history[i].number == trial->number)
            continue;
        const ld_series *s = ld_objective(spec, &history[i]);
        if (!s || s->n == 0)
            continue;
        double last = s->steps[s->n - 1];
        if (agree > 0 && last != final)
            return 0;
        final = last;
        agree++;
    }
    return agree >= 2 ? final : 0;
}

double ld_spec_final_step(const ld_spec *spec)
{
    if (spec->early_terminate.max_iter > 0)
        return spec->early_terminate.max_iter;
    for (size_t i = 0; i < spec->n_params; i++) {
        const ld_param *p = &spec->params[i];
        if (!is_length_param(spec, p->name) || p->when_param)
            continue;
        double largest = 0, v;
        if (p->dist == LD_DIST_CONSTANT || p->dist == LD_DIST_CATEGORICAL) {
            for (size_t k = 0; k < p->n_values; k++)
                if (positive_number(&p->values[k], &v) && v > largest)
                    largest = v;
        } else if (p->dist == LD_DIST_INT_UNIFORM || p->dist == LD_DIST_Q_UNIFORM) {
            largest = p->max > 0 ? p->max : 0;
        }
        return largest;
    }
    return 0;
}

ld_status ld_pruner_create_stateless(const ld_spec *spec, void **state, char *err,
                                     size_t errlen)
{
    (void)spec;
    (void)err;
    (void)errlen;
    *state = NULL;
    return LD_OK;
}

const ld_series *ld_objective(const ld_spec *spec, const ld_trial *t)
{
    return ld_trial_series(t, spec->metric);
}

const ld_series *ld_judged_objective(const ld_spec *spec, const ld_trial *t)
{
    const ld_series *s = ld_objective(spec, t);
    if (!s || s->n == 0 || s->steps[s->n - 1] < spec->early_terminate.n_warmup_steps)
        return NULL;
    return s;
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
