/*
 * study.c — one study opened for tuning: creating or joining it from a sweep file, and the
 * ask / report / should_prune / tell cycle of its trials.
 *
 * Claiming a trial is the one step that must be atomic across tuner processes: inside a storage
 * write transaction we read the history, take a queued trial or check the budget, let the sampler
 * choose (the grid sampler picks the first point nobody holds) and create the trial.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "fidelity.h"
#include "journal_internal.h"
#include "util/buf.h"
#include "util/suggest.h"

/* How long a running trial's tuner on another host may stay silent (tuners beat every 2 s)
   before the trial is stale; $LIANDAN_STALE_AFTER (a duration) overrides it. */
#define STALE_AFTER_SECONDS 60.0

static uint64_t fresh_seed(void)
{
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed = (uint64_t)ld_now() ^ ((uint64_t)getpid() << 32);
    return seed & 0x7fffffffffffffffULL; /* stays positive in JSON and SQL */
}

static ld_study *study_new(ld_db *db)
{
    ld_study *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->db = db;
    ld_history_init(&s->history, 0);
    if (gethostname(s->host, sizeof s->host - 1) != 0)
        strcpy(s->host, "localhost");
    return s;
}

static ld_status copy_notes(ld_study *s)
{
    size_t n = s->spec ? s->spec->n_notes : 0;
    s->notes = calloc(n + 1, sizeof *s->notes);
    if (!s->notes)
        return LD_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (!(s->notes[i] = ld_strdup(s->spec->notes[i])))
            return LD_ERR_NOMEM;
    return LD_OK;
}

ld_status ld_study_add_note(ld_study *s, char *text)
{
    if (!text)
        return ld_db_fail(s->db, LD_ERR_NOMEM, "out of memory");
    size_t n = 0;
    while (s->notes && s->notes[n])
        n++;
    char **grown = realloc(s->notes, (n + 2) * sizeof *grown);
    if (!grown) {
        free(text);
        return ld_db_fail(s->db, LD_ERR_NOMEM, "out of memory");
    }
    grown[n] = text;
    grown[n + 1] = NULL;
    s->notes = grown;
    return LD_OK;
}

/* Parameters whose `when` condition does not hold are inactive: NONE, not passed to the trial.
   Declaration order lets a condition depend on an earlier conditional parameter. */
static void apply_conditions(const ld_spec *spec, ld_value *values)
{
    for (size_t i = 0; i < spec->n_params; i++) {
        const ld_param *p = &spec->params[i];
        if (!p->when_param)
            continue;
        int j = ld_spec_param_index(spec, p->when_param);
        if (j < 0 || values[j].type == LD_VAL_NONE || !ld_value_equal(&values[j], &p->when_value))
            ld_value_clear(&values[i]);
    }
}

static ld_status open_sampler(ld_study *s)
{
    ld_db *db = s->db;
    char err[1024] = "";
    ld_status st = ld_sampler_open(s->spec->method, s->spec, s->seed, &s->sampler, err, sizeof err);
    if (st != LD_OK)
        return ld_db_fail(db, st, "%s: %s", s->spec->path, err);
    st = ld_pruner_open(s->spec, &s->pruner, err, sizeof err);
    if (st != LD_OK)
        return ld_db_fail(db, st, "%s:%d:%d: %s", s->spec->path, s->spec->early_terminate.line,
                          s->spec->early_terminate.column, err);
    ld_history_init(&s->history, s->pruner.type != NULL); /* a pruner reads the series too */
    return LD_OK;
}

static void apply_overrides(ld_spec *spec, const ld_overrides *ov)
{
    if (!ov)
        return;
    if (ov->trials > 0)
        spec->budget_trials = ov->trials;
    if (ov->time_seconds > 0)
        spec->budget_seconds = ov->time_seconds;
    if (ov->parallel > 0)
        spec->parallel = ov->parallel;
}

/* Finds the study of this name, creating it when absent (another tuner may create it first). */
static ld_status create_or_join(ld_study *s, const char *parent)
{
    ld_db *db = s->db;
    const ld_storage_type *t = db->storage.type;
    ld_study_info info;
    memset(&info, 0, sizeof info);
    for (int attempt = 0; attempt < 3; attempt++) {
        ld_status st = t->find_study(db->storage.state, s->name, &s->id, &info);
        if (st == LD_OK) {
            int same = info.sweep_text && strcmp(info.sweep_text, s->spec->text) == 0;
            s->seed = info.seed;
            ld_study_info_clear(&info);
            if (!same)
                return ld_db_fail(db, LD_ERR_CONFLICT,
                                  "study '%s' already exists with a different sweep; give the "
                                  "new one another name (--name or 'name:' in %s)",
                                  s->name, s->spec->path);
            return LD_OK;
        }
        if (st != LD_ERR_NOTFOUND)
            return ld_db_storage_fail(db, st, "cannot read the study");
        s->seed = s->spec->has_seed ? s->spec->seed : fresh_seed();
        ld_study_new row = {.name = s->name,
                            .sweep_path = s->spec->path,
                            .sweep_text = s->spec->text,
                            .description = s->spec->description,
                            .parent = parent,
                            .metric = s->spec->metric,
                            .maximize = s->spec->maximize,
                            .seed = s->seed,
                            .created = ld_now()};
        st = t->create_study(db->storage.state, &row, &s->id);
        if (st == LD_OK)
            return LD_OK;
        if (st != LD_ERR_CONFLICT)
            return ld_db_storage_fail(db, st, "cannot create the study");
    }
    return ld_db_fail(db, LD_ERR_STORAGE, "cannot create or find study '%s'", s->name);
}

ld_status ld_study_open_spec(ld_db *db, ld_spec *spec, const ld_overrides *ov, ld_study **out)
{
    *out = NULL;
    ld_study *s = study_new(db);
    if (!s) {
        ld_spec_free(spec);
        return ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    }
    s->spec = spec;
    apply_overrides(s->spec, ov);
    s->name = ld_strdup(ov && ov->name ? ov->name : s->spec->name);
    ld_status st = s->name ? copy_notes(s) : LD_ERR_NOMEM;
    const char *parent = ov && ov->from ? ov->from : s->spec->parent;
    if (st == LD_OK && parent && strcmp(parent, s->name) == 0)
        st = ld_db_fail(db, LD_ERR_INPUT, "study '%s' cannot warm-start from itself", s->name);
    if (st == LD_OK)
        st = create_or_join(s, parent);
    if (st == LD_OK && parent)
        st = ld_study_load_warm(s, parent);
    if (st == LD_OK)
        st = open_sampler(s);
    if (st != LD_OK) {
        if (st == LD_ERR_NOMEM)
            ld_db_fail(db, st, "out of memory");
        ld_study_close(s);
        return st;
    }
    *out = s;
    return LD_OK;
}

ld_status ld_study_open(ld_db *db, const char *sweep_path, const ld_overrides *ov,
                        ld_study **out)
{
    *out = NULL;
    ld_spec *spec = NULL;
    ld_status st = ld_spec_load(sweep_path, &spec, db->err, sizeof db->err);
    if (st != LD_OK)
        return st;
    if (spec->n_stages && (st = ld_playbook_check(db, spec)) != LD_OK) {
        ld_spec_free(spec);
        return st;
    }
    if (ov && ov->to_run && (st = ld_spec_check_runnable(spec, db->err, sizeof db->err))) {
        ld_spec_free(spec);
        return st;
    }
    return ld_study_open_spec(db, spec, ov, out);
}

ld_status ld_study_open_existing(ld_db *db, const char *name, ld_study **out)
{
    *out = NULL;
    ld_study *s = study_new(db);
    if (!s)
        return ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    ld_study_info info;
    memset(&info, 0, sizeof info);
    ld_status st = db->storage.type->find_study(db->storage.state, name, &s->id, &info);
    if (st == LD_ERR_NOTFOUND)
        st = ld_db_no_such_study(db, name);
    else if (st != LD_OK)
        st = ld_db_storage_fail(db, st, "cannot read the study");
    if (st == LD_OK) {
        s->seed = info.seed;
        s->name = ld_strdup(name);
        char err[1024];
        st = ld_spec_parse(info.sweep_path ? info.sweep_path : name, info.sweep_text,
                           strlen(info.sweep_text), &s->spec, err, sizeof err);
        if (st != LD_OK)
            ld_db_fail(db, st, "the stored sweep of '%s' no longer parses: %s", name, err);
    }
    char *parent = st == LD_OK ? ld_strdup(info.parent) : NULL;
    ld_study_info_clear(&info);
    if (st == LD_OK)
        st = copy_notes(s);
    if (st == LD_OK && parent)
        st = ld_study_load_warm(s, parent);
    free(parent);
    if (st == LD_OK)
        st = open_sampler(s);
    if (st != LD_OK) {
        ld_study_close(s);
        return st;
    }
    *out = s;
    return LD_OK;
}

void ld_study_close(ld_study *s)
{
    if (!s)
        return;
    ld_sampler_close(&s->sampler);
    ld_pruner_close(&s->pruner);
    ld_study_free_warm(s);
    ld_history_free(&s->history);
    ld_spec_free(s->spec);
    if (s->notes)
        for (char **n = s->notes; *n; n++)
            free(*n);
    free(s->notes);
    free(s->name);
    free(s);
}

const char *ld_study_name(const ld_study *s) { return s->name; }

const char *const *ld_study_notes(const ld_study *s) { return (const char *const *)s->notes; }

/* Trials that count against the budget: every trial not superseded by a re-run. */
static size_t count_live(const ld_trial *h, size_t n)
{
    size_t live = 0;
    for (size_t i = 0; i < n; i++)
        if (h[i].requeued_as < 0)
            live++;
    return live;
}

/* Are t's parameters already the spec's, in its order (a sweep without `when`: every trial)? */
static int in_spec_order(const ld_spec *spec, const ld_trial *t)
{
    if (t->n_params != spec->n_params)
        return 0;
    for (size_t j = 0; j < t->n_params; j++)
        if (!t->param_names[j] || strcmp(t->param_names[j], spec->params[j].name) != 0)
            return 0;
    return 1;
}

static ld_status align_trial(const ld_spec *spec, ld_trial *t)
{
    if (in_spec_order(spec, t))
        return LD_OK;
    size_t P = spec->n_params, np = P ? P : 1;
    char **names = calloc(np, sizeof *names);
    ld_value *params = calloc(np, sizeof *params);
    size_t *from = malloc(np * sizeof *from); /* t's index of parameter j, or SIZE_MAX */
    int ok = names && params && from;
    /* Everything that can fail comes first, so that t is untouched when it does. */
    for (size_t j = 0; ok && j < P; j++) {
        from[j] = SIZE_MAX;
        for (size_t i = 0; i < t->n_params && from[j] == SIZE_MAX; i++)
            if (t->param_names[i] && strcmp(t->param_names[i], spec->params[j].name) == 0)
                from[j] = i;
        if (from[j] == SIZE_MAX)
            ok = (names[j] = ld_strdup(spec->params[j].name)) != NULL;
    }
    if (!ok) {
        for (size_t j = 0; names && j < P; j++)
            free(names[j]);
        free(names), free(params), free(from);
        return LD_ERR_NOMEM;
    }
    for (size_t j = 0; j < P; j++) {
        if (from[j] == SIZE_MAX)
            continue; /* inactive in this trial: LD_VAL_NONE, from calloc */
        names[j] = t->param_names[from[j]]; /* moved, with the value's string */
        params[j] = t->params[from[j]];
        t->param_names[from[j]] = NULL;
        t->params[from[j]].str = NULL;
    }
    for (size_t i = 0; i < t->n_params; i++) { /* the parameters the spec does not name */
        free(t->param_names[i]);
        free(t->params[i].str);
    }
    free(t->param_names);
    free(t->params);
    free(from);
    t->param_names = names;
    t->params = params;
    t->n_params = P;
    return LD_OK;
}

/* Brings the study's copy of its trials up to date. */
static ld_status update_history(ld_study *s, const char *why)
{
    ld_status st = ld_history_update(&s->history, s->db->storage.type, s->db->storage.state,
                                     s->id, s->spec);
    if (st == LD_ERR_NOMEM)
        return ld_db_fail(s->db, st, "out of memory");
    return st == LD_OK ? st : ld_db_storage_fail(s->db, st, why);
}

ld_status ld_trials_align(const ld_spec *spec, ld_trial *trials, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (align_trial(spec, &trials[i]) != LD_OK)
            return LD_ERR_NOMEM;
    return LD_OK;
}

static ld_status fetch_trial(ld_study *s, int number, ld_trial **out)
{
    ld_trial *t = calloc(1, sizeof *t);
    if (!t)
        return ld_db_fail(s->db, LD_ERR_NOMEM, "out of memory");
    ld_status st = s->db->storage.type->get_trial(s->db->storage.state, s->id, number, 0, t);
    if (st != LD_OK) {
        free(t);
        return ld_db_storage_fail(s->db, st, "cannot read the claimed trial");
    }
    if (ld_trials_align(s->spec, t, 1) != LD_OK) {
        ld_trial_clear(t);
        free(t);
        return ld_db_fail(s->db, LD_ERR_NOMEM, "out of memory");
    }
    *out = t;
    return LD_OK;
}

/* A new configuration from the sampler. It sees the parent's trials first, then this study's
   (shallow copies); with a fidelity, only this study's trials at the budget it models. */
static ld_status sample_new(ld_study *s, const ld_trial *history, size_t n, int number,
                            ld_value *values, int *grid_index)
{
    const ld_spec *spec = s->spec;
    ld_trial *seen = malloc((s->n_warm + n + 1) * sizeof *seen);
    if (!seen)
        return ld_db_fail(s->db, LD_ERR_NOMEM, "out of memory");
    if (s->n_warm)
        memcpy(seen, s->warm, s->n_warm * sizeof *seen);
    size_t own = n;
    if (spec->fidelity.param)
        own = ld_fidelity_model_view(spec, history, n, seen + s->n_warm);
    else if (n)
        memcpy(seen + s->n_warm, history, n * sizeof *seen);
    ld_status st = s->sampler.type->ask(s->sampler.state, spec, seen, s->n_warm + own, number,
                                        values, grid_index);
    free(seen);
    return st;
}

/* Inside the claim transaction: a queued trial, or a new one from the sampler. */
/* The spec's parameter names, borrowed, for a new trial row (caller frees the array). */
static const char **param_names(const ld_spec *spec)
{
    const char **names = calloc(spec->n_params ? spec->n_params : 1, sizeof *names);
    for (size_t i = 0; names && i < spec->n_params; i++)
        names[i] = spec->params[i].name;
    return names;
}

static ld_status claim_locked(ld_study *s, int tuner_pid, int *number)
{
    const ld_storage_type *t = s->db->storage.type;
    void *state = s->db->storage.state;
    ld_status st = t->claim_queued(state, s->id, s->host, tuner_pid, ld_now(), number);
    if (st != LD_ERR_NOTFOUND)
        return st == LD_OK ? st : ld_db_storage_fail(s->db, st, "cannot claim a queued trial");

    /* Samplers that depend only on (seed, number) need the counts, not the whole history. */
    const ld_spec *spec = s->spec;
    int counts_only = s->sampler.type->history_free && !spec->fidelity.param && t->count_trials;
    const ld_trial *history = NULL;
    size_t n = 0, n_history = 0, live = 0;
    if (counts_only) {
        st = t->count_trials(state, s->id, &n, &live);
        if (st != LD_OK)
            return ld_db_storage_fail(s->db, st, "cannot read the history");
    } else {
        st = update_history(s, "cannot read the history");
        if (st != LD_OK)
            return st;
        history = s->history.trials;
        n = n_history = s->history.n;
        live = count_live(history, n);
    }
    if (spec->budget_trials > 0 && live >= (size_t)spec->budget_trials)
        return LD_ERR_DONE;
    ld_value *values = calloc(spec->n_params ? spec->n_params : 1, sizeof *values);
    const char **names = param_names(spec);
    int grid_index = -1;
    int promoted = 0;
    if (!values || !names)
        st = ld_db_fail(s->db, LD_ERR_NOMEM, "out of memory");
    else if (spec->fidelity.param)
        st = ld_fidelity_promote(spec, history, n_history, values, &promoted);
    if (st == LD_OK && !promoted)
        st = sample_new(s, history, n_history, (int)n, values, &grid_index);
    if (st == LD_OK) {
        if (!promoted) {
            apply_conditions(spec, values);
            ld_fidelity_start(spec, values);
        }
        ld_trial_new row = {.state = LD_TRIAL_RUNNING,
                            .n_params = spec->n_params,
                            .param_names = names,
                            .params = values,
                            .grid_index = grid_index,
                            .retry_of = -1,
                            .created = ld_now(),
                            .host = s->host,
                            .tuner_pid = tuner_pid};
        st = t->create_trial(state, s->id, &row, number);
        if (st != LD_OK)
            ld_db_storage_fail(s->db, st, "cannot create a trial");
    } else if (st != LD_ERR_DONE && st != LD_ERR_NOMEM) {
        ld_db_fail(s->db, st, "the %s sampler failed", s->sampler.type->name);
    }
    if (values)
        for (size_t i = 0; i < spec->n_params; i++)
            ld_value_clear(&values[i]);
    free(values);
    free(names);
    return st;
}

static ld_status ask_as(ld_study *s, int tuner_pid, ld_trial **out)
{
    *out = NULL;
    if (s->spec && s->spec->n_stages)
        return ld_db_fail(s->db, LD_ERR_INPUT, "study '%s' is a playbook: its stages are the "
                                               "studies %s.STAGE, which 'liandan run' runs; ask "
                                               "from one of them", s->name, s->name);
    const ld_storage_type *t = s->db->storage.type;
    for (int attempt = 0;; attempt++) {
        ld_status st = t->begin(s->db->storage.state);
        if (st != LD_OK)
            return ld_db_storage_fail(s->db, st, "cannot lock the study");
        int number = -1;
        st = claim_locked(s, tuner_pid, &number);
        if (st == LD_OK) {
            st = t->commit(s->db->storage.state);
            if (st != LD_OK)
                return ld_db_storage_fail(s->db, st, "cannot commit the claim");
            return fetch_trial(s, number, out);
        }
        t->rollback(s->db->storage.state);
        /* A storage failure before the commit undid the whole claim (e.g. the connection to
           PostgreSQL was cut by a restart): claiming again is safe, and begin reconnects. */
        if (st != LD_ERR_STORAGE || attempt >= 2)
            return st;
    }
}

ld_status ld_study_ask(ld_study *s, ld_trial **out) { return ask_as(s, 0, out); }

/* The run loop claims with its own pid, so a later tuner can tell when it died. */
ld_status ld_study_ask_as_tuner(ld_study *s, ld_trial **out)
{
    return ask_as(s, (int)getpid(), out);
}

ld_status ld_study_report(ld_study *s, int number, double step, size_t n,
                          const char *const *keys, const double *values)
{
    ld_status st = s->db->storage.type->add_values(s->db->storage.state, s->id, number, step,
                                                   ld_now(), n, keys, values);
    if (st != LD_OK)
        return ld_db_storage_fail(s->db, st, "cannot record the metrics");
    return LD_OK;
}

/* Why the latest report of a trial means it must stop at once, or NULL. */
static char *divergence_reason(const ld_spec *spec, const ld_trial *t)
{
    const ld_series *obj = ld_trial_series(t, spec->metric);
    const ld_series *div = ld_trial_series(t, "diverged");
    ld_buf b = LD_BUF_INIT;
    if (div && div->n && div->values[div->n - 1] != 0) {
        ld_buf_printf(&b, "diverged: the trial reported diverged=1");
    } else if (obj && obj->n && !isfinite(obj->values[obj->n - 1])) {
        char v[32];
        ld_format_double(obj->values[obj->n - 1], v);
        ld_buf_printf(&b, "diverged: %s=%s at %s %g", spec->metric, v, spec->step,
                      obj->steps[obj->n - 1]);
    } else {
        return NULL;
    }
    return ld_buf_take(&b);
}

ld_status ld_study_pruner_verdict(ld_study *s, int number, int *stop, char **reason)
{
    *stop = 0;
    *reason = NULL;
    if (!s->pruner.type)
        return LD_OK;
    ld_status st = update_history(s, "cannot read the trials for the pruner");
    if (st != LD_OK)
        return st;
    const ld_trial *h = s->history.trials;
    size_t n = s->history.n;
    if (number >= 0 && (size_t)number < n)
        st = ld_pruner_should_prune(&s->pruner, s->spec, h, n, &h[number], stop, reason);
    if (st != LD_OK)
        ld_db_fail(s->db, st, "the %s pruner failed", s->pruner.type->name);
    return st;
}

ld_status ld_study_should_prune(ld_study *s, int number, int *stop, char **reason)
{
    *stop = 0;
    *reason = NULL;
    ld_trial t;
    ld_status st = s->db->storage.type->get_trial(s->db->storage.state, s->id, number, 1, &t);
    if (st != LD_OK)
        return ld_db_storage_fail(s->db, st, "cannot read the trial");
    if (t.stop_requested)
        *reason = ld_strdup("stopped by hand");
    else
        *reason = divergence_reason(s->spec, &t);
    ld_trial_clear(&t);
    if (*reason) {
        *stop = 1;
        return LD_OK;
    }
    return ld_study_pruner_verdict(s, number, stop, reason);
}

/* The objective of a trial from its reports: the last or the best finite value. */
static int summarize(const ld_spec *spec, const ld_trial *t, double *value)
{
    const ld_series *obj = ld_trial_series(t, spec->metric);
    if (!obj || obj->n == 0)
        return 0;
    if (spec->summary == LD_SUMMARY_LAST) {
        *value = obj->values[obj->n - 1];
        return isfinite(*value);
    }
    int found = 0;
    for (size_t i = 0; i < obj->n; i++) {
        double v = obj->values[i];
        if (!isfinite(v))
            continue;
        if (!found || (spec->maximize ? v > *value : v < *value))
            *value = v;
        found = 1;
    }
    return found;
}

static int is_stale(const ld_trial *t)
{
    return t->state == LD_TRIAL_FAILED && t->reason && strncmp(t->reason, "stale", 5) == 0;
}

/*
 * The end of a trial that another tuner had already marked stale (its tuner was silent for too
 * long, then came back): the trial stays failed and re-run, and keeps when it was declared
 * stale, but its reason, value and exit status now say how it really ended.
 */
static ld_status record_late_end(ld_study *s, const ld_trial *stale, const ld_trial_finish *fin)
{
    ld_buf b = LD_BUF_INIT;
    char value[32] = "no value";
    if (fin->has_value)
        ld_format_double(fin->value, value);
    ld_buf_printf(&b, "%s; it reported late: %s, %s%s", stale->reason,
                  ld_trial_state_name(fin->state), fin->has_value ? "value " : "", value);
    if (fin->exit_code >= 0)
        ld_buf_printf(&b, ", exit status %d", fin->exit_code);
    char *reason = ld_buf_take(&b);
    if (!reason)
        return ld_db_fail(s->db, LD_ERR_NOMEM, "out of memory");
    ld_trial_finish late = *fin;
    late.state = LD_TRIAL_FAILED;
    late.finished = stale->finished;
    late.reason = reason;
    const ld_storage_type *t = s->db->storage.type;
    ld_status st = t->finish_trial(s->db->storage.state, s->id, stale->number, LD_TRIAL_FAILED,
                                   &late);
    free(reason);
    if (st != LD_OK)
        return ld_db_storage_fail(s->db, st, "cannot record the late end of a stale trial");
    return LD_OK;
}

/* "no metric 'val_accuracy' reported; the trial printed val_acc, train_loss (did you mean
   'val_acc'?)", or how to print it when the trial printed no metric at all. */
static void append_missing_metric(ld_buf *b, const char *metric, const ld_trial *t)
{
    ld_buf_printf(b, "no metric '%s' reported", metric);
    if (!t->n_series) {
        ld_buf_printf(b, " (print a line such as '%s=0.91')", metric);
        return;
    }
    const char **keys = calloc(t->n_series, sizeof *keys);
    ld_buf_puts(b, "; the trial printed ");
    for (size_t i = 0; i < t->n_series; i++) {
        if (i < 8)
            ld_buf_printf(b, "%s%s", i ? ", " : "", t->series[i].key);
        if (keys)
            keys[i] = t->series[i].key;
    }
    if (t->n_series > 8)
        ld_buf_printf(b, " and %zu more", t->n_series - 8);
    const char *hint = keys ? ld_suggest(metric, keys, t->n_series, NULL) : NULL;
    if (hint)
        ld_buf_printf(b, " (did you mean '%s'? metric.name in the sweep names the key)", hint);
    free(keys);
}

ld_status ld_study_tell(ld_study *s, int number, const ld_trial_end *end)
{
    const ld_storage_type *t = s->db->storage.type;
    ld_trial trial;
    ld_status st = t->get_trial(s->db->storage.state, s->id, number, 1, &trial);
    if (st == LD_ERR_NOTFOUND)
        return ld_db_fail(s->db, st, "study '%s' has no trial %d", s->name, number);
    if (st != LD_OK)
        return ld_db_storage_fail(s->db, st, "cannot read the trial");

    ld_trial_finish fin = {.state = end->state,
                           .finished = ld_now(),
                           .exit_code = end->exit_code,
                           .term_signal = end->term_signal,
                           .reason = end->reason};
    char *owned_reason = NULL;
    if (end->has_value) {
        fin.has_value = isfinite(end->value);
        fin.value = end->value;
    } else {
        fin.has_value = summarize(s->spec, &trial, &fin.value);
    }
    if (fin.state == LD_TRIAL_COMPLETE && !fin.has_value) {
        fin.state = LD_TRIAL_FAILED;
        ld_buf b = LD_BUF_INIT;
        if (ld_trial_series(&trial, s->spec->metric))
            ld_buf_printf(&b, "the metric '%s' was never a finite number", s->spec->metric);
        else
            append_missing_metric(&b, s->spec->metric, &trial);
        fin.reason = owned_reason = ld_buf_take(&b);
    } else if (fin.state == LD_TRIAL_PRUNED && !fin.has_value &&
               (owned_reason = divergence_reason(s->spec, &trial))) {
        /* A pruner's verdict, then a NaN before the signal landed: the journal says diverged,
           so that the samplers count the trial as the worst result rather than as nothing. */
        fin.reason = owned_reason;
    }
    ld_trial_state from = trial.state;
    if (from == LD_TRIAL_FAILED && is_stale(&trial)) {
        st = record_late_end(s, &trial, &fin);
        ld_trial_clear(&trial);
        free(owned_reason);
        return st;
    }
    ld_trial_clear(&trial);
    if (from != LD_TRIAL_RUNNING) {
        free(owned_reason);
        return ld_db_fail(s->db, LD_ERR_CONFLICT, "trial %d of '%s' is %s, not running", number,
                          s->name, ld_trial_state_name(from));
    }
    st = t->finish_trial(s->db->storage.state, s->id, number, LD_TRIAL_RUNNING, &fin);
    if (st == LD_ERR_CONFLICT && t->get_trial(s->db->storage.state, s->id, number, 0, &trial) ==
                                     LD_OK) {
        /* marked stale between our read and our write */
        st = is_stale(&trial) ? record_late_end(s, &trial, &fin) : LD_ERR_CONFLICT;
        ld_trial_clear(&trial);
        free(owned_reason);
        if (st != LD_ERR_CONFLICT)
            return st;
    } else {
        free(owned_reason);
    }
    if (st == LD_ERR_CONFLICT)
        return ld_db_fail(s->db, st, "trial %d of '%s' was ended elsewhere meanwhile (stale?)",
                          number, s->name);
    if (st != LD_OK)
        return ld_db_storage_fail(s->db, st, "cannot record the end of the trial");
    return LD_OK;
}

ld_status ld_requeue_row(ld_db *db, int64_t study, const ld_trial *old, int *number)
{
    const ld_storage_type *t = db->storage.type;
    ld_trial_new row = {.state = LD_TRIAL_QUEUED,
                        .n_params = old->n_params,
                        .param_names = (const char *const *)old->param_names,
                        .params = old->params,
                        .grid_index = old->grid_index,
                        .retry_of = old->number,
                        .created = ld_now(),
                        .host = NULL,
                        .tuner_pid = 0};
    *number = -1;
    ld_status st = t->create_trial(db->storage.state, study, &row, number);
    if (st == LD_OK)
        st = t->set_requeued_as(db->storage.state, study, old->number, *number);
    return st;
}

ld_status ld_study_requeue(ld_study *s, const ld_trial *old)
{
    const ld_storage_type *t = s->db->storage.type;
    void *state = s->db->storage.state;
    ld_status st = t->begin(state);
    if (st != LD_OK)
        return ld_db_storage_fail(s->db, st, "cannot lock the study");
    int number = -1;
    st = ld_requeue_row(s->db, s->id, old, &number);
    if (st == LD_OK)
        st = t->commit(state);
    if (st != LD_OK) {
        t->rollback(state);
        return ld_db_storage_fail(s->db, st, "cannot re-queue the trial");
    }
    return LD_OK;
}

ld_status ld_study_enqueue(ld_study *s, const ld_value *values, int *number_out)
{
    const ld_spec *spec = s->spec;
    const char **names = param_names(spec);
    if (!names)
        return ld_db_fail(s->db, LD_ERR_NOMEM, "out of memory");
    ld_trial_new row = {.state = LD_TRIAL_QUEUED,
                        .n_params = spec->n_params,
                        .param_names = names,
                        .params = values,
                        .grid_index = -1,
                        .retry_of = -1,
                        .created = ld_now()};
    int number = -1;
    ld_status st = s->db->storage.type->create_trial(s->db->storage.state, s->id, &row, &number);
    if (number_out)
        *number_out = number;
    free(names);
    return st == LD_OK ? LD_OK : ld_db_storage_fail(s->db, st, "cannot queue a trial");
}

static int own_fault(const ld_trial *t)
{
    return !t->reason ||
           (strncmp(t->reason, "stale", 5) != 0 && strncmp(t->reason, "interrupted", 11) != 0);
}

int ld_study_retry_depth(const ld_trial *h, size_t n, const ld_trial *trial)
{
    int depth = 0;
    int prev = trial->retry_of;
    while (prev >= 0 && (size_t)prev < n) {
        const ld_trial *p = &h[prev];
        if (p->state == LD_TRIAL_FAILED && own_fault(p))
            depth++;
        prev = p->retry_of;
    }
    return depth;
}

static int process_alive(int pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

double ld_study_stale_after(void)
{
    const char *env = getenv("LIANDAN_STALE_AFTER");
    double v = env && *env ? ld_parse_duration(env) : -1;
    return v > 0 ? v : STALE_AFTER_SECONDS;
}

/* Seconds since a running trial's tuner last showed it is alive. */
static double silence(const ld_trial *t, double now)
{
    double last = t->heartbeat > 0 ? t->heartbeat : t->started;
    return last > 0 ? now - last : 0;
}

/*
 * Whether a running trial's tuner is gone. On this host the tuner's pid answers; elsewhere (or
 * when its host is unknown) only its heartbeat does: silent for longer than the grace period.
 * Trials of ask/tell clients (no tuner pid) have no heartbeat and are never stale.
 */
static int tuner_gone(const ld_study *s, const ld_trial *t, double now, double grace)
{
    if (t->state != LD_TRIAL_RUNNING || t->tuner_pid <= 0)
        return 0;
    if (t->host && strcmp(t->host, s->host) == 0)
        return !process_alive(t->tuner_pid);
    return silence(t, now) > grace;
}

ld_status ld_study_late_trials(ld_study *s, double late, size_t *n_late, size_t *n_running)
{
    *n_late = *n_running = 0;
    const ld_storage_type *t = s->db->storage.type;
    ld_trial *h = NULL;
    size_t n = 0;
    ld_status st = t->list_trials(s->db->storage.state, s->id, 0, &h, &n);
    if (st != LD_OK)
        return ld_db_storage_fail(s->db, st, "cannot read the trials");
    double now = ld_now();
    for (size_t i = 0; i < n; i++) {
        if (h[i].state != LD_TRIAL_RUNNING || h[i].tuner_pid <= 0)
            continue;
        (*n_running)++;
        if (tuner_gone(s, &h[i], now, ld_study_stale_after()) || silence(&h[i], now) > late)
            (*n_late)++;
    }
    ld_trials_free(h, n);
    return LD_OK;
}

ld_status ld_study_recover_stale(ld_study *s, int judge_silence, size_t *recovered)
{
    *recovered = 0;
    const ld_storage_type *t = s->db->storage.type;
    ld_trial *h = NULL;
    size_t n = 0;
    ld_status st = t->list_trials(s->db->storage.state, s->id, 0, &h, &n);
    if (st != LD_OK)
        return ld_db_storage_fail(s->db, st, "cannot read the trials");
    double now = ld_now(), grace = ld_study_stale_after();
    for (size_t i = 0; i < n && st == LD_OK; i++) {
        ld_trial *tr = &h[i];
        int here = tr->host && strcmp(tr->host, s->host) == 0;
        if ((!here && !judge_silence) || !tuner_gone(s, tr, now, grace))
            continue;
        if (here && tr->pid > 0 && process_alive(tr->pid))
            kill(-tr->pid, SIGKILL); /* the orphaned trial of the dead tuner */
        char reason[384];
        if (here)
            snprintf(reason, sizeof reason, "stale: its tuner (pid %d on %s) died",
                     tr->tuner_pid, tr->host);
        else
            snprintf(reason, sizeof reason,
                     "stale: no heartbeat from its tuner (pid %d on %s) for %.0f s", tr->tuner_pid,
                     tr->host ? tr->host : "an unknown host", silence(tr, now));
        ld_trial_finish fin = {.state = LD_TRIAL_FAILED, .finished = ld_now(), .exit_code = -1,
                               .reason = reason};
        st = t->finish_trial(s->db->storage.state, s->id, tr->number, LD_TRIAL_RUNNING, &fin);
        if (st == LD_ERR_CONFLICT) {
            st = LD_OK; /* another tuner recovered it first */
            continue;
        }
        if (st != LD_OK) {
            ld_db_storage_fail(s->db, st, "cannot mark a stale trial");
            break;
        }
        st = ld_study_requeue(s, tr);
        if (st == LD_OK)
            (*recovered)++;
    }
    ld_trials_free(h, n);
    return st;
}
