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

/*
 * Does a parent trial, already in this spec's parameter order (ld_trials_align), fit this
 * study's space? A parameter it lacks is filled when this spec holds it constant, and may be
 * missing only when it is conditional here; every value it has must lie in the new range.
 */
static int fit_trial(const ld_spec *spec, ld_trial *t)
{
    for (size_t j = 0; j < spec->n_params; j++) {
        const ld_param *p = &spec->params[j];
        ld_value *v = &t->params[j];
        if (v->type != LD_VAL_NONE) {
            if (!ld_param_contains(p, v))
                return 0;
        } else if (p->dist == LD_DIST_CONSTANT && p->n_values == 1) {
            *v = ld_value_copy(&p->values[0]);
        } else if (!p->when_param) {
            return 0; /* the parent never varied a parameter this study needs */
        }
    }
    t->grid_index = -1;
    t->retry_of = -1;
    t->requeued_as = -1;
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
    if (!s->warm || ld_trials_align(s->spec, old, n) != LD_OK) {
        ld_trials_free(old, n);
        return ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    }
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++) {
        int finished = old[i].state == LD_TRIAL_COMPLETE || old[i].state == LD_TRIAL_PRUNED;
        /* a diverged trial has no value but tells the sampler where not to go (observe.h) */
        if (!finished || (!old[i].has_value && !ld_trial_diverged(&old[i])))
            continue;
        if (fit_trial(s->spec, &old[i])) {
            s->warm[s->n_warm++] = old[i]; /* moved: old[i] no longer owns it */
            memset(&old[i], 0, sizeof old[i]);
        } else {
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
