/*
 * observe.c — the history as numbers for the model-based samplers (see observe.h for which
 * trials count and how). Shared so that TPE and the GP read a study the same way.
 */
#include "samplers/observe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space.h"

/* A count for malloc: at least 1, so that malloc(0) never returns NULL. */
static size_t nz(size_t k) { return k ? k : 1; }

void ld_obs_columns(const ld_spec *spec, ld_col_kind *out)
{
    for (size_t j = 0; j < spec->n_params; j++) {
        const ld_param *p = &spec->params[j];
        if (p->dist == LD_DIST_CONSTANT || (p->dist == LD_DIST_CATEGORICAL && p->n_values < 2))
            out[j] = LD_COL_CONST;
        else if (p->dist == LD_DIST_CATEGORICAL)
            out[j] = LD_COL_CAT;
        else
            out[j] = LD_COL_NUM;
    }
}

size_t ld_obs_dims(const ld_spec *spec)
{
    size_t d = 0;
    for (size_t j = 0; j < spec->n_params; j++) {
        const ld_param *p = &spec->params[j];
        d += !(p->dist == LD_DIST_CONSTANT || (p->dist == LD_DIST_CATEGORICAL && p->n_values < 2));
    }
    return d;
}

ld_status ld_model_state_new(const ld_spec *spec, uint64_t seed, void **state, char *err,
                             size_t errlen)
{
    *state = NULL;
    ld_model_state *s = calloc(1, sizeof *s);
    if (!s) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return LD_ERR_NOMEM;
    }
    s->seed = seed;
    ld_status st = ld_sampler_open(ld_sampler_find("sobol"), spec, seed, &s->sobol, err, errlen);
    if (st != LD_OK) {
        free(s);
        return st;
    }
    *state = s;
    return LD_OK;
}

ld_status ld_model_ask(const ld_model *model, ld_model_state *s, const ld_spec *spec,
                       const ld_trial *history, size_t n_history, int number, ld_value *values,
                       int *grid_index)
{
    *grid_index = -1;
    ld_obs obs;
    ld_status st = ld_obs_build(spec, history, n_history, &obs);
    if (st != LD_OK)
        return st;
    if (!model->model_ready(spec, &obs, number)) {
        ld_obs_clear(&obs);
        st = s->sobol.type->ask(s->sobol.state, spec, history, n_history, number, values,
                                grid_index);
        if (st == LD_OK)
            ld_obs_mask(spec, values);
        return st;
    }
    size_t P = spec->n_params ? spec->n_params : 1;
    double *u = malloc(P * sizeof *u);
    int *cat = malloc(P * sizeof *cat);
    st = u && cat ? model->propose(s, spec, &obs, number, u, cat) : LD_ERR_NOMEM;
    if (st == LD_OK)
        ld_obs_emit(spec, u, cat, values);
    free(u);
    free(cat);
    ld_obs_clear(&obs);
    return st;
}

void ld_model_state_free(void *state)
{
    ld_model_state *s = state;
    if (!s)
        return;
    ld_sampler_close(&s->sobol);
    free(s);
}

int ld_obs_conditional(const ld_spec *spec, size_t j) { return spec->params[j].when_param != NULL; }

static int category_of(const ld_param *p, const ld_value *v)
{
    for (size_t i = 0; i < p->n_values; i++)
        if (ld_value_equal(&p->values[i], v))
            return (int)i;
    return -1;
}

void ld_obs_clear(ld_obs *obs)
{
    if (!obs)
        return;
    free(obs->u);
    free(obs->cat);
    free(obs->loss);
    free(obs->kind);
    free(obs->number);
    memset(obs, 0, sizeof *obs);
}

ld_status ld_obs_build(const ld_spec *spec, const ld_trial *history, size_t n_history,
                       ld_obs *obs)
{
    memset(obs, 0, sizeof *obs);
    size_t P = spec->n_params, cap = n_history ? n_history : 1, cells = cap * nz(P);
    obs->p = P;
    obs->u = malloc(cells * sizeof *obs->u);
    obs->cat = malloc(cells * sizeof *obs->cat);
    obs->loss = malloc(cap * sizeof *obs->loss);
    obs->kind = malloc(cap * sizeof *obs->kind);
    obs->number = malloc(cap * sizeof *obs->number);
    if (!obs->u || !obs->cat || !obs->loss || !obs->kind || !obs->number) {
        ld_obs_clear(obs);
        return LD_ERR_NOMEM;
    }
    double sign = spec->maximize ? -1.0 : 1.0;
    for (size_t i = 0; i < n_history; i++) {
        const ld_trial *t = &history[i];
        ld_obs_kind kind;
        double loss = NAN;
        if (t->requeued_as >= 0)
            continue;
        if (ld_trial_diverged(t)) {
            /* Stopped for a NaN or infinite objective or diverged=1 (the study's reason
               starts so): the worst loss whichever the direction, with or without a finite
               value before it, so that the samplers learn to leave that region. */
            kind = LD_OBS_PRUNED;
            loss = INFINITY;
        } else if (t->state == LD_TRIAL_COMPLETE || t->state == LD_TRIAL_PRUNED) {
            if (!t->has_value || isnan(t->value))
                continue;
            kind = t->state == LD_TRIAL_COMPLETE ? LD_OBS_COMPLETE : LD_OBS_PRUNED;
            /* An infinite value is a run that diverged: the worst loss, never the best. */
            loss = isinf(t->value) ? INFINITY : sign * t->value;
        } else if (t->state == LD_TRIAL_QUEUED || t->state == LD_TRIAL_RUNNING) {
            kind = LD_OBS_PENDING;
        } else {
            continue;
        }
        size_t k = obs->n;
        for (size_t j = 0; j < P; j++) {
            const ld_param *p = &spec->params[j];
            const ld_value *v = j < t->n_params ? &t->params[j] : NULL;
            double u = NAN;
            int c = -1;
            if (v && v->type != LD_VAL_NONE) {
                if (p->dist == LD_DIST_CATEGORICAL)
                    c = category_of(p, v);
                else if (p->dist != LD_DIST_CONSTANT)
                    u = ld_param_to_unit(p, v);
            }
            obs->u[k * P + j] = u;
            obs->cat[k * P + j] = c;
        }
        obs->loss[k] = loss;
        obs->kind[k] = kind;
        obs->number[k] = t->number;
        obs->n++;
        if (kind == LD_OBS_COMPLETE)
            obs->n_complete++;
        else if (kind == LD_OBS_PRUNED)
            obs->n_pruned++;
        else
            obs->n_pending++;
    }
    return LD_OK;
}

void ld_obs_active(const ld_spec *spec, const ld_value *values, int *active)
{
    /* The study clears parameters in declaration order, so a condition on an earlier parameter
       sees that parameter already cleared when it was itself inactive. */
    for (size_t j = 0; j < spec->n_params; j++) {
        const ld_param *p = &spec->params[j];
        active[j] = 1;
        if (!p->when_param)
            continue;
        int k = ld_spec_param_index(spec, p->when_param);
        active[j] = k >= 0 && ((size_t)k >= j || active[k]) &&
                    values[k].type != LD_VAL_NONE && ld_value_equal(&values[k], &p->when_value);
    }
}

void ld_obs_active_unit(const ld_spec *spec, const double *u, const int *cat, int *active)
{
    for (size_t j = 0; j < spec->n_params; j++) {
        const ld_param *p = &spec->params[j];
        active[j] = 1;
        if (!p->when_param)
            continue;
        int k = ld_spec_param_index(spec, p->when_param);
        if (k < 0 || ((size_t)k < j && !active[k])) {
            active[j] = 0;
            continue;
        }
        const ld_param *q = &spec->params[k];
        if (q->dist == LD_DIST_CONSTANT) {
            active[j] = q->n_values && ld_value_equal(&q->values[0], &p->when_value);
        } else if (q->dist == LD_DIST_CATEGORICAL) {
            int c = cat[k];
            active[j] = c >= 0 && (size_t)c < q->n_values &&
                        ld_value_equal(&q->values[c], &p->when_value);
        } else {
            ld_value v; /* a number: nothing to free */
            ld_param_from_unit(q, isnan(u[k]) ? 0.5 : u[k], &v);
            active[j] = ld_value_equal(&v, &p->when_value);
        }
    }
}

static int is_discrete(const ld_param *p)
{
    switch (p->dist) {
    case LD_DIST_INT_UNIFORM:
    case LD_DIST_Q_UNIFORM:
    case LD_DIST_Q_LOG_UNIFORM:
    case LD_DIST_Q_LOG_UNIFORM_VALUES:
    case LD_DIST_Q_NORMAL:
    case LD_DIST_Q_LOG_NORMAL:
    case LD_DIST_Q_BETA:
        return 1;
    default:
        return 0;
    }
}

void ld_obs_cell(const ld_param *p, double u, double *lo, double *hi)
{
    *lo = *hi = u;
    if (!is_discrete(p))
        return;
    if (p->dist == LD_DIST_INT_UNIFORM) {
        double n = p->max - p->min + 1, i = floor(u * n);
        i = i < 0 ? 0 : i > n - 1 ? n - 1 : i;
        *lo = i / n;
        *hi = (i + 1) / n;
        return;
    }
    /* A q form: the cell reaches halfway to the centres of the neighbouring multiples. */
    ld_value v, w;
    ld_param_from_unit(p, u, &v);
    double c = ld_param_to_unit(p, &v);
    w = v;
    w.num = v.num + p->q;
    double next = ld_param_to_unit(p, &w);
    w.num = v.num - p->q;
    double prev = ld_param_to_unit(p, &w);
    *hi = next > c ? 0.5 * (c + next) : 1.0;
    *lo = prev < c ? 0.5 * (c + prev) : 0.0;
}

void ld_obs_emit(const ld_spec *spec, const double *u, const int *cat, ld_value *values)
{
    size_t P = spec->n_params;
    for (size_t j = 0; j < P; j++) {
        const ld_param *p = &spec->params[j];
        if (p->dist == LD_DIST_CATEGORICAL && p->n_values > 0) {
            int c = cat[j] >= 0 && (size_t)cat[j] < p->n_values ? cat[j] : 0;
            values[j] = ld_value_copy(&p->values[c]);
        } else {
            ld_param_from_unit(p, isnan(u[j]) ? 0.5 : u[j], &values[j]);
        }
    }
    ld_obs_mask(spec, values);
}

void ld_obs_mask(const ld_spec *spec, ld_value *values)
{
    size_t P = spec->n_params;
    int stack[64];
    int *active = P <= 64 ? stack : malloc(P * sizeof *active);
    if (!active) /* out of memory: the study masks inactive values anyway */
        return;
    ld_obs_active(spec, values, active);
    for (size_t j = 0; j < P; j++)
        if (!active[j])
            ld_value_clear(&values[j]);
    if (active != stack)
        free(active);
}

size_t ld_obs_n_init(size_t d)
{
    size_t n = d + 3;
    return n < 5 ? 5 : n > 10 ? 10 : n;
}
