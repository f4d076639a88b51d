/*
 * refine.c — coarse to fine: writes a new sweep narrowed around a finished study's best trials.
 *
 * Each range shrinks to the span of the top K trials' values, padded by a quarter of that span
 * on each side (at least 5% of the old range), measured in the parameter's own scale (unit space
 * of its distribution, so log parameters stay log), and clamped to the old range. Exponent forms
 * (log_uniform) are written as their _values forms with the same meaning. Normal parameters move
 * their mean to the top trials' mean. Categorical values that never made the top K are dropped.
 * Parameters whose importance (report/importance.c) is under 5% are frozen at the best trial's
 * value. The new sweep names its parent, so `liandan run` links the studies and warm-starts the
 * sampler from the parent's trials that fit the new space.
 *
 * The YAML is written with libyaml's emitter, so every string is quoted as YAML needs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "journal_internal.h"
#include "report/importance.h"
#include "util/buf.h"
#include "util/yaml_writer.h"

#define FREEZE_BELOW 0.05

/* ---- narrowing ------------------------------------------------------------------------- */

typedef struct {
    const ld_spec *spec;
    const ld_trial **top; /* best first */
    size_t n_top;
    const double *importance;
    int freeze_ok;        /* enough trials to trust the importance */
} plan;

static ld_dist values_form(ld_dist d)
{
    switch (d) {
    case LD_DIST_LOG_UNIFORM: return LD_DIST_LOG_UNIFORM_VALUES;
    case LD_DIST_Q_LOG_UNIFORM: return LD_DIST_Q_LOG_UNIFORM_VALUES;
    case LD_DIST_INV_LOG_UNIFORM: return LD_DIST_INV_LOG_UNIFORM_VALUES;
    default: return d;
    }
}

static int is_range(ld_dist d)
{
    return d == LD_DIST_INT_UNIFORM || d == LD_DIST_UNIFORM || d == LD_DIST_Q_UNIFORM ||
           d == LD_DIST_LOG_UNIFORM || d == LD_DIST_LOG_UNIFORM_VALUES ||
           d == LD_DIST_Q_LOG_UNIFORM || d == LD_DIST_Q_LOG_UNIFORM_VALUES ||
           d == LD_DIST_INV_LOG_UNIFORM || d == LD_DIST_INV_LOG_UNIFORM_VALUES;
}

/* The old range's ends as values (exponent forms turned into values). */
static void old_value_range(const ld_param *p, double *lo, double *hi)
{
    ld_value a = {LD_VAL_NONE, 0, NULL}, b = {LD_VAL_NONE, 0, NULL};
    ld_param_from_unit(p, 0.0, &a);
    ld_param_from_unit(p, nextafter(1.0, 0.0), &b);
    *lo = fmin(a.num, b.num);
    *hi = fmax(a.num, b.num);
    ld_value_clear(&a);
    ld_value_clear(&b);
    if (p->dist == LD_DIST_INT_UNIFORM || p->dist == LD_DIST_UNIFORM ||
        p->dist == LD_DIST_LOG_UNIFORM_VALUES || p->dist == LD_DIST_INV_LOG_UNIFORM_VALUES) {
        *lo = p->min;
        *hi = p->max;
    }
}

static void emit_range(ld_yw *w, const plan *pl, size_t j)
{
    const ld_param *p = &pl->spec->params[j];
    double ulo = INFINITY, uhi = -INFINITY;
    for (size_t i = 0; i < pl->n_top; i++) {
        const ld_value *v = &pl->top[i]->params[j];
        if (v->type == LD_VAL_NONE)
            continue;
        double u = ld_param_to_unit(p, v);
        if (isfinite(u))
            ulo = fmin(ulo, u), uhi = fmax(uhi, u);
    }
    double lo, hi;
    old_value_range(p, &lo, &hi);
    if (ulo <= uhi) {
        double pad = fmax(0.25 * (uhi - ulo), 0.05);
        double a = fmax(0.0, ulo - pad), b = fmin(nextafter(1.0, 0.0), uhi + pad);
        ld_value va = {LD_VAL_NONE, 0, NULL}, vb = {LD_VAL_NONE, 0, NULL};
        ld_param_from_unit(p, a, &va);
        ld_param_from_unit(p, b, &vb);
        lo = fmax(lo, fmin(va.num, vb.num));
        hi = fmin(hi, fmax(va.num, vb.num));
        ld_value_clear(&va);
        ld_value_clear(&vb);
    }
    ld_dist d = values_form(p->dist);
    ld_yw_key(w, "distribution");
    ld_yw_string(w, ld_dist_name(d));
    int integer = p->integer || p->dist == LD_DIST_INT_UNIFORM;
    ld_yw_kv_number(w, "min", lo, integer);
    ld_yw_kv_number(w, "max", hi, integer);
    if (p->q > 0 && (d == LD_DIST_Q_UNIFORM || d == LD_DIST_Q_LOG_UNIFORM_VALUES))
        ld_yw_kv_number(w, "q", p->q, p->integer);
}

/* Normal forms: centre on the top trials (in log space for log_normal). */
static void emit_normal(ld_yw *w, const plan *pl, size_t j)
{
    const ld_param *p = &pl->spec->params[j];
    int logged = p->dist == LD_DIST_LOG_NORMAL || p->dist == LD_DIST_Q_LOG_NORMAL;
    double sum = 0, sq = 0;
    size_t m = 0;
    for (size_t i = 0; i < pl->n_top; i++) {
        const ld_value *v = &pl->top[i]->params[j];
        if (v->type != LD_VAL_INT && v->type != LD_VAL_FLOAT)
            continue;
        double x = logged ? log(fmax(v->num, 1e-300)) : v->num;
        sum += x, sq += x * x, m++;
    }
    double mu = m ? sum / (double)m : p->mu;
    double sd = m > 1 ? sqrt(fmax(sq / (double)m - mu * mu, 0)) : p->sigma;
    ld_yw_key(w, "distribution");
    ld_yw_string(w, ld_dist_name(p->dist));
    ld_yw_kv_number(w, "mu", mu, 0);
    ld_yw_kv_number(w, "sigma", fmax(sd, p->sigma / 4), 0);
    if (p->q > 0 && (p->dist == LD_DIST_Q_NORMAL || p->dist == LD_DIST_Q_LOG_NORMAL))
        ld_yw_kv_number(w, "q", p->q, 0);
}

static void emit_categorical(ld_yw *w, const plan *pl, size_t j)
{
    const ld_param *p = &pl->spec->params[j];
    ld_yw_key(w, "values");
    ld_yw_seq_start(w, 1);
    size_t kept = 0;
    for (size_t k = 0; k < p->n_values; k++) {
        int seen = 0;
        for (size_t i = 0; i < pl->n_top && !seen; i++)
            seen = ld_value_equal(&pl->top[i]->params[j], &p->values[k]);
        if (seen) {
            ld_yw_value(w, &p->values[k]);
            kept++;
        }
    }
    if (!kept) /* the parameter was inactive in every top trial: keep it as it was */
        for (size_t k = 0; k < p->n_values; k++)
            ld_yw_value(w, &p->values[k]);
    ld_yw_seq_end(w);
}

/*
 * Is parameter j frozen at the best trial's value? When its importance is low, there were
 * enough trials to trust that, the best trial had it active, and, for a categorical one, the top
 * trials agree on it: importance is first order, and a category that matters only together with
 * another parameter (an optimizer with its own best learning rate) looks unimportant alone, so
 * two categories among the top K are both kept instead.
 */
static int is_frozen(const plan *pl, size_t j)
{
    const ld_param *p = &pl->spec->params[j];
    const ld_value *best = pl->n_top ? &pl->top[0]->params[j] : NULL;
    if (!pl->freeze_ok || !best || best->type == LD_VAL_NONE || p->dist == LD_DIST_CONSTANT ||
        pl->importance[j] >= FREEZE_BELOW)
        return 0;
    if (p->dist == LD_DIST_CATEGORICAL)
        for (size_t i = 1; i < pl->n_top; i++) {
            const ld_value *v = &pl->top[i]->params[j];
            if (v->type != LD_VAL_NONE && !ld_value_equal(v, best))
                return 0;
        }
    return 1;
}

static void emit_param_body(ld_yw *w, const plan *pl, size_t j)
{
    const ld_param *p = &pl->spec->params[j];
    const ld_value *best = pl->n_top ? &pl->top[0]->params[j] : NULL;
    ld_yw_map_start(w, 1);
    int frozen = is_frozen(pl, j);
    if (p->dist == LD_DIST_CONSTANT || frozen) {
        ld_yw_key(w, "value");
        ld_yw_value(w, frozen ? best : &p->values[0]);
    } else if (p->dist == LD_DIST_CATEGORICAL) {
        emit_categorical(w, pl, j);
    } else if (is_range(p->dist)) {
        emit_range(w, pl, j);
    } else if (p->dist == LD_DIST_NORMAL || p->dist == LD_DIST_Q_NORMAL ||
               p->dist == LD_DIST_LOG_NORMAL || p->dist == LD_DIST_Q_LOG_NORMAL) {
        emit_normal(w, pl, j);
    } else { /* beta: kept as it was */
        ld_yw_key(w, "distribution");
        ld_yw_string(w, ld_dist_name(p->dist));
        ld_yw_kv_number(w, "a", p->a, 0);
        ld_yw_kv_number(w, "b", p->b, 0);
    }
    if (p->when_param) {
        ld_yw_key(w, "when");
        ld_yw_map_start(w, 1);
        ld_yw_key(w, p->when_param);
        ld_yw_value(w, &p->when_value);
        ld_yw_map_end(w);
    }
    ld_yw_map_end(w);
}

/* Parameters [from, to) share the first `depth` name components; nested ones are written back
   as nested `parameters` mappings. */
static void emit_params(ld_yw *w, const plan *pl, size_t from, size_t to, size_t depth)
{
    ld_yw_map_start(w, 0);
    size_t j = from;
    while (j < to) {
        const char *name = pl->spec->params[j].name;
        const char *part = name;
        for (size_t k = 0; k < depth && part; k++)
            part = strchr(part, '.') ? strchr(part, '.') + 1 : NULL;
        const char *dot = part ? strchr(part, '.') : NULL;
        if (!dot) {
            ld_yw_key(w, part ? part : name);
            emit_param_body(w, pl, j);
            j++;
            continue;
        }
        size_t prefix = (size_t)(dot - name) + 1, end = j + 1;
        while (end < to && strncmp(pl->spec->params[end].name, name, prefix) == 0)
            end++;
        char group[256];
        snprintf(group, sizeof group, "%.*s", (int)(dot - part), part);
        ld_yw_key(w, group);
        ld_yw_map_start(w, 0);
        ld_yw_key(w, "parameters");
        emit_params(w, pl, j, end, depth + 1);
        ld_yw_map_end(w);
        j = end;
    }
    ld_yw_map_end(w);
}

static void emit_sweep(ld_yw *w, const plan *pl, const char *name, const char *parent,
                       const char *why)
{
    const ld_spec *s = pl->spec;
    ld_yw_map_start(w, 0);
    ld_yw_kv_string(w, "name", name);
    ld_yw_kv_string(w, "description", why);
    ld_yw_kv_string(w, "parent", parent);
    ld_yw_kv_string(w, "program", s->program);
    if (s->n_command) {
        ld_yw_key(w, "command");
        ld_yw_seq_start(w, 1);
        for (size_t i = 0; i < s->n_command; i++)
            ld_yw_string(w, s->command[i]);
        ld_yw_seq_end(w);
    }
    ld_yw_kv_string(w, "method", ld_method_name(s->method));
    ld_yw_key(w, "metric");
    ld_yw_map_start(w, 1);
    ld_yw_kv_string(w, "name", s->metric);
    ld_yw_kv_string(w, "goal", s->maximize ? "maximize" : "minimize");
    if (s->has_target)
        ld_yw_kv_number(w, "target", s->target, 0);
    ld_yw_kv_string(w, "summary", s->summary == LD_SUMMARY_BEST ? "best" : "last");
    ld_yw_map_end(w);
    ld_yw_key(w, "parameters");
    emit_params(w, pl, 0, s->n_params, 0);
    const ld_early_terminate *et = &s->early_terminate;
    if (et->type) {
        ld_yw_key(w, "early_terminate");
        ld_yw_map_start(w, 1);
        ld_yw_kv_string(w, "type", et->type);
        if (et->min_iter)
            ld_yw_kv_number(w, "min_iter", et->min_iter, 1);
        if (et->max_iter)
            ld_yw_kv_number(w, "max_iter", et->max_iter, 1);
        if (et->s)
            ld_yw_kv_number(w, "s", et->s, 1);
        ld_yw_kv_number(w, "eta", et->eta, 0);
        if (!strcmp(et->type, "median")) {
            ld_yw_kv_number(w, "n_startup_trials", et->n_startup_trials, 1);
            ld_yw_kv_number(w, "n_warmup_steps", et->n_warmup_steps, 1);
            ld_yw_kv_number(w, "interval", et->interval, 1);
        }
        if (et->min_early_stopping_rate)
            ld_yw_kv_number(w, "min_early_stopping_rate", et->min_early_stopping_rate, 1);
        if (et->has_lower)
            ld_yw_kv_number(w, "lower", et->lower, 0);
        if (et->has_upper)
            ld_yw_kv_number(w, "upper", et->upper, 0);
        ld_yw_map_end(w);
    }
    ld_yw_kv_number(w, "parallel", s->parallel, 1);
    if (s->n_gpus) {
        ld_yw_key(w, "gpus");
        ld_yw_seq_start(w, 1);
        for (size_t i = 0; i < s->n_gpus; i++)
            ld_yw_number(w, s->gpus[i], 1);
        ld_yw_seq_end(w);
    }
    if (s->threads_per_trial)
        ld_yw_kv_number(w, "threads_per_trial", s->threads_per_trial, 1);
    if (s->timeout_seconds > 0) {
        char t[40];
        snprintf(t, sizeof t, "%gs", s->timeout_seconds);
        ld_yw_kv_string(w, "timeout", t);
    }
    if (s->budget_trials > 0 || s->budget_seconds > 0) {
        ld_yw_key(w, "budget");
        ld_yw_map_start(w, 1);
        if (s->budget_trials > 0)
            ld_yw_kv_number(w, "trials", (double)s->budget_trials, 1);
        if (s->budget_seconds > 0) {
            char t[40];
            snprintf(t, sizeof t, "%gs", s->budget_seconds);
            ld_yw_kv_string(w, "time", t);
        }
        ld_yw_map_end(w);
    }
    if (s->step && strcmp(s->step, "epoch") != 0)
        ld_yw_kv_string(w, "step", s->step);
    if (s->retries)
        ld_yw_kv_number(w, "retries", s->retries, 1);
    if (s->has_max_failures)
        ld_yw_kv_number(w, "max_failures", s->max_failures, 1);
    ld_yw_map_end(w);
}

/* ---- the public entry ------------------------------------------------------------------ */

static int by_value(const void *a, const void *b, int maximize)
{
    double x = (*(const ld_trial *const *)a)->value, y = (*(const ld_trial *const *)b)->value;
    int c = (x > y) - (x < y);
    return maximize ? -c : c;
}
static int by_value_max(const void *a, const void *b) { return by_value(a, b, 1); }
static int by_value_min(const void *a, const void *b) { return by_value(a, b, 0); }

/* A name for the refined study that no study has yet: NAME-fine, NAME-fine2, ... */
static char *child_name(ld_db *db, const char *parent)
{
    ld_study_info *all = NULL;
    size_t n = 0;
    if (ld_db_list_studies(db, &all, &n) != LD_OK)
        n = 0;
    char *name = NULL;
    for (int k = 1; k < 1000 && !name; k++) {
        ld_buf b = LD_BUF_INIT;
        if (k == 1)
            ld_buf_printf(&b, "%s-fine", parent);
        else
            ld_buf_printf(&b, "%s-fine%d", parent, k);
        int taken = 0;
        for (size_t i = 0; i < n && !taken; i++)
            taken = strcmp(all[i].name, ld_buf_str(&b)) == 0;
        if (taken)
            ld_buf_free(&b);
        else
            name = ld_buf_take(&b);
    }
    ld_study_infos_free(all, n);
    return name;
}

static char *describe_refinement(const plan *pl, const char *parent, size_t n_complete,
                                 const char *parent_why)
{
    const ld_spec *s = pl->spec;
    ld_buf b = LD_BUF_INIT;
    char lo[32], hi[32];
    ld_format_double(pl->top[pl->n_top - 1]->value, lo);
    ld_format_double(pl->top[0]->value, hi);
    ld_buf_printf(&b, "Refines '%s' around its best %zu of %zu complete trials (%s %s to %s): "
                      "ranges narrowed to their span plus a margin, categories kept that made "
                      "the top %zu",
                  parent, pl->n_top, n_complete, s->metric, s->maximize ? lo : hi,
                  s->maximize ? hi : lo, pl->n_top);
    int any = 0;
    for (size_t j = 0; j < s->n_params && pl->freeze_ok; j++) {
        if (!is_frozen(pl, j))
            continue;
        ld_buf_printf(&b, "%s%s", any ? ", " : "; frozen at the best value for low importance: ",
                      s->params[j].name);
        any = 1;
    }
    ld_buf_puts(&b, ".");
    if (parent_why && *parent_why)
        ld_buf_printf(&b, " The parent asked: %s", parent_why);
    return ld_buf_take(&b);
}

ld_status ld_db_refine(ld_db *db, const char *study, size_t top_k, char **yaml)
{
    *yaml = NULL;
    ld_study *s = NULL;
    ld_status st = ld_study_open_existing(db, study, &s);
    if (st != LD_OK)
        return st;
    ld_trial *trials = NULL;
    size_t n = 0;
    st = ld_db_list_trials(db, study, 0, &trials, &n);
    if (st == LD_OK && ld_trials_align(s->spec, trials, n) != LD_OK)
        st = ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    const ld_trial **top = calloc(n ? n : 1, sizeof *top);
    double *importance = calloc(s->spec->n_params ? s->spec->n_params : 1, sizeof *importance);
    size_t complete = 0;
    if (st == LD_OK && (!top || !importance))
        st = ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LD_OK && i < n; i++)
        if (trials[i].state == LD_TRIAL_COMPLETE && trials[i].has_value &&
            isfinite(trials[i].value))
            top[complete++] = &trials[i];
    if (st == LD_OK && complete < 2)
        st = ld_db_fail(db, LD_ERR_INPUT, "study '%s' has %zu complete trial(s); refine needs "
                                          "at least 2", study, complete);
    if (st == LD_OK)
        st = ld_importance(s->spec, trials, n, importance);
    if (st == LD_OK) {
        qsort(top, complete, sizeof *top, s->spec->maximize ? by_value_max : by_value_min);
        if (top_k == 0) /* default: the best tenth, at least 3 */
            top_k = complete / 10 > 3 ? complete / 10 : 3;
        plan pl = {.spec = s->spec,
                   .top = top,
                   .n_top = top_k < complete ? top_k : complete,
                   .importance = importance,
                   .freeze_ok = complete >= 10};
        ld_study_info info;
        st = ld_db_get_study(db, study, &info);
        char *name = st == LD_OK ? child_name(db, study) : NULL;
        char *why = st == LD_OK ? describe_refinement(&pl, study, complete, info.description)
                                : NULL;
        if (st == LD_OK && (!name || !why))
            st = ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
        if (st == LD_OK) {
            ld_yw w;
            ld_yw_begin(&w);
            emit_sweep(&w, &pl, name, study, why);
            if (!(*yaml = ld_yw_finish(&w)))
                st = ld_db_fail(db, LD_ERR_NOMEM, "cannot write the refined sweep");
        }
        free(name);
        free(why);
        ld_study_info_clear(&info);
    }
    free(top);
    free(importance);
    ld_trials_free(trials, n);
    ld_study_close(s);
    return st;
}

void ld_refine_emit_param(ld_yw *w, const ld_spec *spec, const ld_trial **top, size_t n_top,
                          const double *importance, size_t j)
{
    plan pl = {.spec = spec, .top = top, .n_top = n_top, .importance = importance,
               .freeze_ok = importance != NULL};
    emit_param_body(w, &pl, j);
}
