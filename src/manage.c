/*
 * manage.c — keeping a journal in order by hand: re-queue failed or pruned trials (`retry`),
 * queue a trial with given parameters (`enqueue`, as Optuna's enqueue_trial), delete and
 * rename studies, and copy them to another journal (`copy`, SQLite to PostgreSQL or back).
 * Each is one storage transaction, so an error or a crash halfway leaves the
 * journal as it was, and no other study's rows are touched. A playbook is one unit: deleting or
 * renaming it does the same to its stage studies (NAME.STAGE), which it finds by name.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal_internal.h"
#include "util/buf.h"

/* The studies that make up `name`: itself, then, for a playbook, its stages that exist. */
static ld_status study_unit(ld_db *db, const char *name, char ***names, int64_t **ids,
                            size_t *n)
{
    const ld_storage_type *t = db->storage.type;
    ld_study *s = NULL;
    ld_status st = ld_study_open_existing(db, name, &s);
    if (st != LD_OK)
        return st;
    size_t stages = s->spec ? s->spec->n_stages : 0;
    *names = calloc(stages + 2, sizeof **names);
    *ids = calloc(stages + 1, sizeof **ids);
    *n = 0;
    if (!*names || !*ids) {
        ld_study_close(s);
        return ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    }
    (*names)[0] = ld_strdup(name);
    (*ids)[0] = s->id;
    *n = 1;
    for (size_t i = 0; st == LD_OK && i < stages; i++) {
        char *stage = ld_playbook_stage_study(name, &s->spec->stages[i]);
        int64_t id = 0;
        ld_status f = stage ? t->find_study(db->storage.state, stage, &id, NULL) : LD_ERR_NOMEM;
        if (f == LD_OK) {
            (*names)[*n] = stage;
            (*ids)[(*n)++] = id;
        } else {
            free(stage);
            if (f != LD_ERR_NOTFOUND)
                st = ld_db_storage_fail(db, f, "cannot read the playbook's stages");
        }
    }
    ld_study_close(s);
    return st;
}

/* A member's name when its unit `from_len` chars long is renamed to `to`: the playbook itself
   becomes TO, a stage NAME.STAGE becomes TO.STAGE. NULL when memory ran out. */
static char *unit_member_renamed(const char *member, size_t from_len, const char *to)
{
    ld_buf b = LD_BUF_INIT;
    ld_buf_printf(&b, "%s%s", to, member + from_len);
    char *out = b.failed ? NULL : ld_strdup(ld_buf_str(&b));
    ld_buf_free(&b);
    return out;
}

static void names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

/* Begins the one transaction an operation runs in. */
static ld_status in_transaction(ld_db *db, const char *what)
{
    ld_status st = db->storage.type->begin(db->storage.state);
    return st == LD_OK ? LD_OK : ld_db_storage_fail(db, st, what);
}

static ld_status finish_transaction(ld_db *db, ld_status st, const char *what)
{
    const ld_storage_type *t = db->storage.type;
    if (st == LD_OK && (st = t->commit(db->storage.state)) != LD_OK)
        st = ld_db_storage_fail(db, st, what);
    if (st != LD_OK) {
        char msg[sizeof db->err];
        memcpy(msg, db->err, sizeof msg);
        t->rollback(db->storage.state);
        memcpy(db->err, msg, sizeof msg);
    }
    return st;
}

ld_status ld_db_delete_study(ld_db *db, const char *name, int force, char ***deleted,
                             size_t *n_deleted)
{
    const ld_storage_type *t = db->storage.type;
    char **names = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    *deleted = NULL;
    *n_deleted = 0;
    ld_status st = study_unit(db, name, &names, &ids, &n);
    ld_trial **trials = calloc(n + 1, sizeof *trials);
    size_t *counts = calloc(n + 1, sizeof *counts);
    if (st == LD_OK && (!trials || !counts))
        st = ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LD_OK && i < n; i++) {
        st = t->list_trials(db->storage.state, ids[i], 0, &trials[i], &counts[i]);
        if (st != LD_OK) {
            st = ld_db_storage_fail(db, st, "cannot read the trials");
            break;
        }
        size_t running = 0;
        for (size_t k = 0; k < counts[i]; k++)
            running += trials[i][k].state == LD_TRIAL_RUNNING;
        if (running && !force)
            st = ld_db_fail(db, LD_ERR_CONFLICT, "study '%s' has %zu running trial%s; stop "
                            "%s first ('liandan stop'), or give --force to delete it anyway",
                            names[i], running, running == 1 ? "" : "s",
                            running == 1 ? "it" : "them");
    }
    if (st == LD_OK)
        st = in_transaction(db, "cannot lock the journal");
    if (st == LD_OK) {
        for (size_t i = 0; st == LD_OK && i < n; i++)
            if ((st = t->delete_study(db->storage.state, ids[i])) != LD_OK)
                st = ld_db_storage_fail(db, st, "cannot delete the study");
        st = finish_transaction(db, st, "cannot delete the study");
    }
    /* the rows are gone: now the trials' log files, which nothing names any more */
    for (size_t i = 0; st == LD_OK && i < n; i++)
        for (size_t k = 0; k < counts[i]; k++)
            if (trials[i][k].log_path)
                unlink(trials[i][k].log_path);
    for (size_t i = 0; trials && i < n; i++)
        ld_trials_free(trials[i], counts[i]);
    free(trials);
    free(counts);
    free(ids);
    if (st != LD_OK) {
        names_free(names, n);
        return st;
    }
    *deleted = names;
    *n_deleted = n;
    return LD_OK;
}

ld_status ld_db_rename_study(ld_db *db, const char *from, const char *to)
{
    const ld_storage_type *t = db->storage.type;
    if (!*to || strchr(to, '/'))
        return ld_db_fail(db, LD_ERR_INPUT, "'%s' cannot name a study (empty, or holds '/')",
                          to);
    char **names = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    ld_status st = study_unit(db, from, &names, &ids, &n);
    if (st == LD_OK)
        st = in_transaction(db, "cannot lock the journal");
    if (st == LD_OK) {
        size_t from_len = strlen(from);
        for (size_t i = 0; st == LD_OK && i < n; i++) {
            char *renamed = unit_member_renamed(names[i], from_len, to);
            st = !renamed ? ld_db_fail(db, LD_ERR_NOMEM, "out of memory")
                          : t->rename_study(db->storage.state, ids[i], names[i], renamed);
            if (st == LD_ERR_CONFLICT)
                st = ld_db_fail(db, st, "there is a study named '%s' already; choose another "
                                "name, or 'liandan delete %s' first", renamed, renamed);
            else if (st != LD_OK && renamed)
                st = ld_db_storage_fail(db, st, "cannot rename the study");
            free(renamed);
        }
        st = finish_transaction(db, st, "cannot rename the study");
    }
    names_free(names, n);
    free(ids);
    return st;
}

/* ---- retry ----------------------------------------------------------------------------- */

static int chosen(const ld_trial *t, ld_trial_state state, const int *numbers, size_t n)
{
    if (!n)
        return t->state == state;
    for (size_t i = 0; i < n; i++)
        if (numbers[i] == t->number)
            return 1;
    return 0;
}

ld_status ld_db_retry(ld_db *db, const char *name, ld_trial_state state, const int *numbers,
                      size_t n_numbers, int **queued, size_t *n_queued)
{
    const ld_storage_type *t = db->storage.type;
    *queued = NULL;
    *n_queued = 0;
    ld_study *s = NULL;
    ld_status st = ld_study_open_existing(db, name, &s);
    if (st != LD_OK)
        return st;
    ld_trial *h = NULL;
    size_t n = 0;
    if ((st = t->list_trials(db->storage.state, s->id, 0, &h, &n)) != LD_OK)
        st = ld_db_storage_fail(db, st, "cannot read the trials");
    for (size_t i = 0; st == LD_OK && i < n_numbers; i++) {
        if (numbers[i] < 0 || (size_t)numbers[i] >= n)
            st = ld_db_fail(db, LD_ERR_NOTFOUND, "study '%s' has no trial %d (trials 0 to %zu)",
                            name, numbers[i], n ? n - 1 : 0);
        else if (h[numbers[i]].state == LD_TRIAL_QUEUED || h[numbers[i]].state == LD_TRIAL_RUNNING)
            st = ld_db_fail(db, LD_ERR_CONFLICT, "trial %d of '%s' is %s; only a finished trial "
                            "can be re-queued", numbers[i], name,
                            ld_trial_state_name(h[numbers[i]].state));
        else if (h[numbers[i]].requeued_as >= 0)
            st = ld_db_fail(db, LD_ERR_CONFLICT, "trial %d of '%s' was re-queued already, as "
                            "trial %d", numbers[i], name, h[numbers[i]].requeued_as);
    }
    int *out = calloc(n + 1, sizeof *out);
    if (st == LD_OK && !out)
        st = ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    if (st == LD_OK)
        st = in_transaction(db, "cannot lock the study");
    if (st == LD_OK) {
        for (size_t i = 0; st == LD_OK && i < n; i++) {
            const ld_trial *old = &h[i];
            if (old->requeued_as >= 0 || !chosen(old, state, numbers, n_numbers))
                continue;
            int number = -1;
            st = ld_requeue_row(db, s->id, old, &number);
            if (st == LD_OK)
                out[(*n_queued)++] = number;
            else
                st = ld_db_storage_fail(db, st, "cannot re-queue the trial");
        }
        st = finish_transaction(db, st, "cannot re-queue the trials");
    }
    ld_trials_free(h, n);
    ld_study_close(s);
    if (st != LD_OK) {
        free(out);
        *n_queued = 0;
        return st;
    }
    *queued = out;
    return LD_OK;
}

/* ---- enqueue --------------------------------------------------------------------------- */

/* The value of text for parameter p, checked against its space. */
static ld_status parse_param_value(ld_db *db, const ld_param *p, const char *text,
                                   ld_value *out)
{
    if (p->dist == LD_DIST_CATEGORICAL || p->dist == LD_DIST_CONSTANT) {
        ld_buf list = LD_BUF_INIT;
        for (size_t i = 0; i < p->n_values; i++) {
            char v[256];
            ld_value_format(&p->values[i], v, sizeof v);
            int is_bool = p->values[i].type == LD_VAL_BOOL;
            if (!strcmp(v, text) || (is_bool && !strcasecmp(v, text))) {
                ld_buf_free(&list);
                *out = ld_value_copy(&p->values[i]);
                return LD_OK;
            }
            ld_buf_printf(&list, "%s%s", i ? ", " : "", v);
        }
        ld_status st = ld_db_fail(db, LD_ERR_INPUT, "%s=%s is not one of its values (%s)",
                                  p->name, text, list.failed ? "?" : ld_buf_str(&list));
        ld_buf_free(&list);
        return st;
    }
    char *end = NULL;
    double x = strtod(text, &end);
    if (end == text || *end || !isfinite(x))
        return ld_db_fail(db, LD_ERR_INPUT, "%s=%s: expected a number", p->name, text);
    if (p->integer && x != floor(x))
        return ld_db_fail(db, LD_ERR_INPUT, "%s=%s: expected a whole number", p->name, text);
    *out = (ld_value){p->integer ? LD_VAL_INT : LD_VAL_FLOAT, x, NULL};
    if (!ld_param_contains(p, out))
        return ld_db_fail(db, LD_ERR_INPUT, "%s=%s is outside its space (%s from %g to %g)",
                          p->name, text, ld_dist_name(p->dist), p->min, p->max);
    return LD_OK;
}

ld_status ld_db_enqueue(ld_db *db, const char *name, const char *const *assignments, size_t n,
                        int *number)
{
    ld_study *s = NULL;
    ld_status st = ld_study_open_existing(db, name, &s);
    if (st != LD_OK)
        return st;
    const ld_spec *spec = s->spec;
    if (!spec || spec->n_stages) {
        ld_study_close(s);
        return ld_db_fail(db, LD_ERR_INPUT, "study '%s' %s; enqueue into one of its studies",
                          name, spec ? "is a playbook" : "has no readable sweep");
    }
    ld_value *values = calloc(spec->n_params ? spec->n_params : 1, sizeof *values);
    int *given = calloc(spec->n_params ? spec->n_params : 1, sizeof *given);
    if (!values || !given)
        st = ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LD_OK && i < n; i++) {
        const char *eq = strchr(assignments[i], '=');
        if (!eq || eq == assignments[i]) {
            st = ld_db_fail(db, LD_ERR_INPUT, "'%s': expected KEY=VALUE", assignments[i]);
            break;
        }
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)(eq - assignments[i]), assignments[i]);
        int j = ld_spec_param_index(spec, key);
        if (j < 0) {
            ld_buf b = LD_BUF_INIT;
            for (size_t k = 0; k < spec->n_params; k++)
                ld_buf_printf(&b, "%s%s", k ? ", " : "", spec->params[k].name);
            st = ld_db_fail(db, LD_ERR_INPUT, "study '%s' has no parameter '%s' (it has %s)", name,
                            key, b.failed ? "?" : ld_buf_str(&b));
            ld_buf_free(&b);
        } else if (given[j]) {
            st = ld_db_fail(db, LD_ERR_INPUT, "%s is given twice", key);
        } else {
            given[j] = 1;
            st = parse_param_value(db, &spec->params[j], eq + 1, &values[j]);
        }
    }
    /* the others at their defaults; a conditional one only where its condition holds */
    for (size_t j = 0; st == LD_OK && j < spec->n_params; j++)
        if (!given[j])
            ld_param_default(&spec->params[j], &values[j]);
    for (size_t j = 0; st == LD_OK && j < spec->n_params; j++) { /* conditions come first */
        const ld_param *p = &spec->params[j];
        int w = p->when_param ? ld_spec_param_index(spec, p->when_param) : -1;
        if (w < 0 || ld_value_equal(&values[w], &p->when_value))
            continue;
        if (given[j]) {
            char v[256];
            ld_value_format(&p->when_value, v, sizeof v);
            st = ld_db_fail(db, LD_ERR_INPUT, "%s is inactive unless %s=%s (its when:)", p->name,
                            p->when_param, v);
        }
        ld_value_clear(&values[j]);
    }
    if (st == LD_OK)
        st = ld_study_enqueue(s, values, number);
    for (size_t j = 0; values && j < spec->n_params; j++)
        ld_value_clear(&values[j]);
    free(values);
    free(given);
    ld_study_close(s);
    return st;
}

/* ---- copy ------------------------------------------------------------------------------ */

/* A trial's reports in the order they were made (by time, then step), for add_values. */
typedef struct {
    double time, step, value;
    const char *key;
    size_t order;
} report_point;

static int by_report_order(const void *a, const void *b)
{
    const report_point *x = a, *y = b;
    double tx = isnan(x->time) ? 0 : x->time, ty = isnan(y->time) ? 0 : y->time;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    if (x->step != y->step)
        return x->step < y->step ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static ld_status copy_values(ld_db *to, int64_t study, const ld_trial *t)
{
    const ld_storage_type *ty = to->storage.type;
    size_t n = 0;
    for (size_t k = 0; k < t->n_series; k++)
        n += t->series[k].n;
    if (!n)
        return LD_OK;
    report_point *p = malloc(n * sizeof *p);
    if (!p)
        return ld_db_fail(to, LD_ERR_NOMEM, "out of memory");
    size_t m = 0;
    for (size_t k = 0; k < t->n_series; k++)
        for (size_t j = 0; j < t->series[k].n; j++, m++)
            p[m] = (report_point){t->series[k].times[j], t->series[k].steps[j],
                                  t->series[k].values[j], t->series[k].key, m};
    qsort(p, n, sizeof *p, by_report_order);
    ld_status st = LD_OK;
    for (size_t i = 0; i < n && st == LD_OK; i++)
        st = ty->add_values(to->storage.state, study, t->number, p[i].step, p[i].time, 1,
                            &p[i].key, &p[i].value);
    free(p);
    return st;
}

/* One trial as it stands in the source: created, run, reported and finished the same way. */
static ld_status copy_trial(ld_db *to, int64_t study, const ld_trial *t)
{
    const ld_storage_type *ty = to->storage.type;
    void *s = to->storage.state;
    int queued = t->state == LD_TRIAL_QUEUED;
    ld_trial_new nt = {.state = queued ? LD_TRIAL_QUEUED : LD_TRIAL_RUNNING,
                       .n_params = t->n_params,
                       .param_names = (const char *const *)t->param_names,
                       .params = t->params,
                       .grid_index = t->grid_index,
                       .retry_of = t->retry_of,
                       .created = t->created,
                       .host = t->host,
                       .tuner_pid = t->tuner_pid};
    int number = -1;
    ld_status st = ty->create_trial(s, study, &nt, &number);
    if (st != LD_OK)
        return ld_db_storage_fail(to, st, "cannot write a trial");
    if (number != t->number)
        return ld_db_fail(to, LD_ERR_STORAGE, "trial %d was written as number %d: the copy "
                          "is abandoned", t->number, number);
    if (!queued && (t->pid || t->command || t->log_path || t->git_commit || t->started))
        st = ty->set_trial_process(s, study, number, t->pid, t->command, t->log_path,
                                   t->git_commit, t->started);
    if (st == LD_OK)
        st = copy_values(to, study, t);
    if (st == LD_OK && t->stop_requested)
        st = ty->request_stop(s, study, number);
    if (st == LD_OK && !queued && t->heartbeat)
        st = ty->heartbeat(s, study, &number, 1, t->heartbeat);
    if (st == LD_OK && !queued) {
        ld_trial_finish fin = {t->state, t->has_value, t->value, t->finished, t->exit_code,
                               t->term_signal, t->reason};
        st = ty->finish_trial(s, study, number, LD_TRIAL_RUNNING, &fin);
    }
    if (st == LD_OK && t->requeued_as >= 0)
        st = ty->set_requeued_as(s, study, number, t->requeued_as);
    if (st != LD_OK && st != LD_ERR_NOMEM)
        st = ld_db_storage_fail(to, st, "cannot write a trial");
    return st;
}

/* The source's message as the destination's, so the caller reads one place. */
static ld_status source_failed(ld_db *to, const ld_db *from, ld_status st)
{
    memcpy(to->err, from->err, sizeof to->err);
    return st;
}

ld_status ld_db_copy_study(ld_db *from, const char *name, ld_db *to, const char *as,
                           char ***copied, size_t *n_copied, size_t *n_trials)
{
    const ld_storage_type *ft = from->storage.type, *tt = to->storage.type;
    *copied = NULL;
    *n_copied = 0;
    *n_trials = 0;
    if (!as)
        as = name;
    if (!*as || strchr(as, '/'))
        return ld_db_fail(to, LD_ERR_INPUT, "'%s' cannot name a study (empty, or holds '/')", as);
    char **names = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    ld_status st = study_unit(from, name, &names, &ids, &n);
    if (st != LD_OK) {
        names_free(names, n);
        free(ids);
        return source_failed(to, from, st);
    }
    ld_study_info *info = calloc(n, sizeof *info);
    ld_trial **trials = calloc(n, sizeof *trials);
    size_t *counts = calloc(n, sizeof *counts);
    char **new_names = calloc(n + 1, sizeof *new_names);
    if (!info || !trials || !counts || !new_names)
        st = ld_db_fail(to, LD_ERR_NOMEM, "out of memory");
    size_t name_len = strlen(name);
    /* read everything first: the destination is written only when the source is whole */
    for (size_t i = 0; st == LD_OK && i < n; i++) {
        int64_t id;
        void *fs = from->storage.state;
        if ((st = ft->find_study(fs, names[i], &id, &info[i])) != LD_OK ||
            (st = ft->list_trials(fs, ids[i], 1, &trials[i], &counts[i])) != LD_OK) {
            st = source_failed(to, from, ld_db_storage_fail(from, st, "cannot read the study"));
            break;
        }
        size_t running = 0;
        for (size_t k = 0; k < counts[i]; k++)
            running += trials[i][k].state == LD_TRIAL_RUNNING;
        if (running)
            st = ld_db_fail(to, LD_ERR_CONFLICT, "study '%s' has %zu running trial%s; copy it "
                            "when its tuners have finished (or 'liandan stop' them)", names[i],
                            running, running == 1 ? "" : "s");
        if (!(new_names[i] = unit_member_renamed(names[i], name_len, as)) && st == LD_OK)
            st = ld_db_fail(to, LD_ERR_NOMEM, "out of memory");
    }
    if (st == LD_OK)
        st = in_transaction(to, "cannot lock the destination journal");
    if (st == LD_OK) {
        for (size_t i = 0; st == LD_OK && i < n; i++) {
            const ld_study_info *si = &info[i];
            char *parent = si->parent;
            for (size_t k = 0; parent && k < n; k++) /* links inside the unit follow the names */
                if (!strcmp(parent, names[k]))
                    parent = new_names[k];
            ld_study_new ns = {new_names[i], si->sweep_path, si->sweep_text, si->description,
                               parent, si->metric, si->maximize, si->seed, si->created};
            int64_t id = 0;
            st = tt->create_study(to->storage.state, &ns, &id);
            if (st == LD_ERR_CONFLICT) {
                st = ld_db_fail(to, st, "the destination has a study named '%s' already; give "
                                "--as NEW_NAME, or 'liandan delete %s' there first",
                                new_names[i], new_names[i]);
                break;
            }
            if (st != LD_OK) {
                st = ld_db_storage_fail(to, st, "cannot create the study");
                break;
            }
            if (si->conclusion)
                st = tt->set_study_note(to->storage.state, id, LD_NOTE_CONCLUSION, si->conclusion);
            if (st == LD_OK && si->next_step)
                st = tt->set_study_note(to->storage.state, id, LD_NOTE_NEXT, si->next_step);
            if (st != LD_OK)
                st = ld_db_storage_fail(to, st, "cannot write the study's notes");
            for (size_t k = 0; st == LD_OK && k < counts[i]; k++)
                st = copy_trial(to, id, &trials[i][k]);
            *n_trials += counts[i];
        }
        st = finish_transaction(to, st, "cannot copy the study");
    }
    for (size_t i = 0; i < n; i++) {
        if (info)
            ld_study_info_clear(&info[i]);
        if (trials)
            ld_trials_free(trials[i], counts[i]);
    }
    free(info);
    free(trials);
    free(counts);
    free(ids);
    names_free(names, n);
    if (st != LD_OK) {
        names_free(new_names, n);
        *n_trials = 0;
        return st;
    }
    *copied = new_names;
    *n_copied = n;
    return LD_OK;
}
