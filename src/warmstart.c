/*
 * warmstart.c — seeding a study's sampler with what an earlier study learned: the finished
 * trials of the parent (`parent:` in the sweep, or `liandan run --from STUDY`) whose parameters
 * fit this study's space are handed to the sampler as extra history. Model-based samplers learn
 * from them; grid, random and sobol are unaffected. They are never counted as this study's
 * trials, and never stored in it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "journal_internal.h"
#include "util/buf.h"

/* Does v, read back through the space, come out as itself (so it lies in the new range)? */
static int fits(const ld_param *p, const ld_value *v)
{
    double u = ld_param_to_unit(p, v);
    if (!isfinite(u))
        return 0;
    if (p->dist == LD_DIST_CATEGORICAL || p->dist == LD_DIST_CONSTANT)
        return 1;
    ld_value back = {LD_VAL_NONE, 0, NULL};
    ld_param_from_unit(p, u, &back);
    double a = back.num, b = v->num;
    ld_value_clear(&back);
    return fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b)) + 1e-12;
}

/* Maps one parent trial into this spec's parameter order; 0 when it does not fit. */
static int map_trial(const ld_spec *spec, const ld_trial *old, ld_trial *out)
{
    memset(out, 0, sizeof *out);
    out->param_names = calloc(spec->n_params ? spec->n_params : 1, sizeof *out->param_names);
    out->params = calloc(spec->n_params ? spec->n_params : 1, sizeof *out->params);
    if (!out->param_names || !out->params)
        return 0;
    out->n_params = spec->n_params;
    for (size_t j = 0; j < spec->n_params; j++) {
        const ld_param *p = &spec->params[j];
        out->param_names[j] = ld_strdup(p->name);
        const ld_value *v = NULL;
        for (size_t i = 0; i < old->n_params && !v; i++)
            if (strcmp(old->param_names[i], p->name) == 0)
                v = &old->params[i];
        if (v && v->type != LD_VAL_NONE) {
            if (!fits(p, v))
                return 0;
            out->params[j] = ld_value_copy(v);
        } else if (p->dist == LD_DIST_CONSTANT && p->n_values == 1) {
            out->params[j] = ld_value_copy(&p->values[0]);
        } else if (!p->when_param) {
            return 0; /* the parent never varied a parameter this study needs */
        }
    }
    out->number = old->number;
    out->state = old->state;
    out->has_value = old->has_value;
    out->value = old->value;
    if (old->reason && !(out->reason = ld_strdup(old->reason)))
        return 0;
    out->grid_index = -1;
    out->retry_of = -1;
    out->requeued_as = -1;
    return 1;
}

ld_status ld_study_load_warm(ld_study *s, const char *parent)
{
    ld_db *db = s->db;
    ld_trial *old = NULL;
    size_t n = 0;
    ld_status st = ld_db_list_trials(db, parent, 0, &old, &n);
    if (st == LD_ERR_NOTFOUND)
        return ld_db_fail(db, LD_ERR_INPUT,
                          "cannot warm-start from '%s': no such study in this storage", parent);
    if (st != LD_OK)
        return st;
    s->warm = calloc(n ? n : 1, sizeof *s->warm);
    if (!s->warm) {
        ld_trials_free(old, n);
        return ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    }
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++) {
        int finished = old[i].state == LD_TRIAL_COMPLETE || old[i].state == LD_TRIAL_PRUNED;
        /* a diverged trial has no value but tells the sampler where not to go (observe.h) */
        int diverged = old[i].state == LD_TRIAL_PRUNED && old[i].reason &&
                       strncmp(old[i].reason, "diverged", 8) == 0;
        if (!finished || (!old[i].has_value && !diverged))
            continue;
        if (map_trial(s->spec, &old[i], &s->warm[s->n_warm]))
            s->n_warm++;
        else {
            ld_trial_clear(&s->warm[s->n_warm]);
            skipped++;
        }
    }
    ld_trials_free(old, n);
    ld_buf b = LD_BUF_INIT;
    ld_buf_printf(&b, "warm start: %zu finished trial(s) of '%s' inform the %s sampler", s->n_warm,
                  parent, ld_method_name(s->spec->method));
    if (skipped)
        ld_buf_printf(&b, " (%zu outside this space left out)", skipped);
    return ld_study_add_note(s, ld_buf_take(&b));
}

void ld_study_free_warm(ld_study *s)
{
    ld_trials_free(s->warm, s->n_warm);
    s->warm = NULL;
    s->n_warm = 0;
}
