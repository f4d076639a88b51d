/*
 * journal.c — the ld_db handle: opening the journal named by a storage URL, and the read side
 * of the public API (studies, trials, notes, stop requests) that status/trials/show/export use.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "journal_internal.h"
#include "util/buf.h"
#include "util/suggest.h"

#define DEFAULT_URL "sqlite:///liandan.db"

double ld_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

ld_status ld_db_fail(ld_db *db, ld_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->err, sizeof db->err, fmt, ap);
    va_end(ap);
    return status;
}

ld_status ld_db_storage_fail(ld_db *db, ld_status status, const char *context)
{
    const char *why = db->storage.type ? db->storage.type->errmsg(db->storage.state) : "";
    return ld_db_fail(db, status, "%s: %s", context, why && *why ? why : ld_status_name(status));
}

/* The file behind an SQLite URL (SQLAlchemy's form: sqlite:///rel.db, sqlite:////abs.db), or a
   bare path; NULL for other schemes. */
static const char *sqlite_path(const char *url)
{
    if (strncmp(url, "sqlite:///", 10) == 0)
        return url + 10;
    if (strstr(url, "://"))
        return NULL;
    return url;
}

/* Trial logs live beside the database: liandan.db -> liandan.runs/. */
static char *runs_dir_for(const char *url)
{
    const char *path = sqlite_path(url);
    if (!path)
        return ld_strdup("liandan.runs");
    ld_buf b = LD_BUF_INIT;
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    if (dot && (!slash || dot > slash + 1))
        n = (size_t)(dot - path);
    ld_buf_append(&b, path, n);
    ld_buf_puts(&b, ".runs");
    return ld_buf_take(&b);
}

/* The URL a handle opens: the one given, else $LIANDAN_STORAGE, else ./liandan.db. */
static const char *resolve_url(const char *url)
{
    if (!url || !*url)
        url = getenv("LIANDAN_STORAGE");
    if (!url || !*url)
        url = DEFAULT_URL;
    return url;
}

static ld_status db_open(const char *url, int readonly, ld_db **out)
{
    ld_db *db = calloc(1, sizeof *db);
    *out = db;
    if (!db)
        return LD_ERR_NOMEM;
    url = resolve_url(url);
    db->url = ld_strdup(url);
    db->runs_dir = runs_dir_for(url);
    if (!db->url || !db->runs_dir)
        return ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    return (readonly ? ld_storage_open_readonly : ld_storage_open)(url, &db->storage, db->err,
                                                                   sizeof db->err);
}

ld_status ld_db_open(const char *url, ld_db **out) { return db_open(url, 0, out); }

ld_status ld_db_open_readonly(const char *url, ld_db **out) { return db_open(url, 1, out); }

ld_status ld_db_open_existing(const char *url, ld_db **out)
{
    url = resolve_url(url);
    const char *path = sqlite_path(url);
    struct stat sb;
    if (path && stat(path, &sb) != 0) {
        ld_db *db = calloc(1, sizeof *db);
        *out = db;
        if (!db)
            return LD_ERR_NOMEM;
        char abs[4100];
        if (path[0] != '/' && snprintf(abs, sizeof abs, "/%s", path) < (int)sizeof abs &&
            stat(abs, &sb) == 0) /* sqlite:///tmp/x.db is relative; /tmp/x.db was meant */
            return ld_db_fail(db, LD_ERR_STORAGE,
                              "there is no journal at %s; a path after sqlite:/// is relative: "
                              "for the journal at %s write sqlite:///%s",
                              path, abs, abs);
        return ld_db_fail(db, LD_ERR_STORAGE,
                          "there is no journal at %s yet; 'liandan run SWEEP.yaml' creates it "
                          "(or give --storage URL)",
                          path);
    }
    return ld_db_open(url, out);
}

void ld_db_close(ld_db *db)
{
    if (!db)
        return;
    ld_storage_close(&db->storage);
    free(db->url);
    free(db->runs_dir);
    free(db);
}

const char *ld_db_errmsg(const ld_db *db)
{
    if (!db)
        return "out of memory";
    return db->err;
}

const char *ld_db_runs_dir(const ld_db *db) { return db->runs_dir; }

/* "no study named 'x' (did you mean 'y'?)", from the journal's names. */
ld_status ld_db_no_such_study(ld_db *db, const char *name)
{
    ld_study_info *infos = NULL;
    size_t n = 0;
    const char *hint = NULL;
    const char **names = NULL;
    if (db->storage.type->list_studies(db->storage.state, &infos, &n) == LD_OK &&
        (names = calloc(n + 1, sizeof *names))) {
        for (size_t i = 0; i < n; i++)
            names[i] = infos[i].name;
        hint = ld_suggest(name, names, n, NULL);
    }
    ld_status st = hint ? ld_db_fail(db, LD_ERR_NOTFOUND, "no study named '%s' (did you mean "
                                     "'%s'?); 'liandan status' lists the studies", name, hint)
                        : ld_db_fail(db, LD_ERR_NOTFOUND, "no study named '%s'; 'liandan "
                                     "status' lists the studies", name);
    free(names);
    ld_study_infos_free(infos, n);
    return st;
}

static ld_status find_study(ld_db *db, const char *name, int64_t *id, ld_study_info *info)
{
    ld_status st = db->storage.type->find_study(db->storage.state, name, id, info);
    if (st == LD_ERR_NOTFOUND)
        return ld_db_no_such_study(db, name);
    if (st != LD_OK)
        return ld_db_storage_fail(db, st, "cannot read the study");
    return LD_OK;
}

ld_status ld_db_list_studies(ld_db *db, ld_study_info **out, size_t *n)
{
    ld_status st = db->storage.type->list_studies(db->storage.state, out, n);
    if (st != LD_OK)
        return ld_db_storage_fail(db, st, "cannot list the studies");
    return LD_OK;
}

ld_status ld_db_get_study(ld_db *db, const char *name, ld_study_info *out)
{
    int64_t id;
    memset(out, 0, sizeof *out);
    return find_study(db, name, &id, out);
}

ld_status ld_db_list_trials(ld_db *db, const char *study, int with_metrics, ld_trial **out,
                            size_t *n)
{
    int64_t id;
    *out = NULL;
    *n = 0;
    ld_status st = find_study(db, study, &id, NULL);
    if (st != LD_OK)
        return st;
    st = db->storage.type->list_trials(db->storage.state, id, with_metrics, out, n);
    if (st != LD_OK)
        return ld_db_storage_fail(db, st, "cannot list the trials");
    return LD_OK;
}

ld_status ld_db_get_trial(ld_db *db, const char *study, int number, ld_trial *out)
{
    int64_t id;
    memset(out, 0, sizeof *out);
    ld_status st = find_study(db, study, &id, NULL);
    if (st != LD_OK)
        return st;
    st = db->storage.type->get_trial(db->storage.state, id, number, 1, out);
    if (st == LD_ERR_NOTFOUND)
        return ld_db_fail(db, st, "study '%s' has no trial %d; 'liandan trials %s' lists them",
                          study, number, study);
    if (st != LD_OK)
        return ld_db_storage_fail(db, st, "cannot read the trial");
    return LD_OK;
}

ld_status ld_db_set_note(ld_db *db, const char *study, ld_note_field field, const char *text)
{
    int64_t id;
    ld_status st = find_study(db, study, &id, NULL);
    if (st != LD_OK)
        return st;
    st = db->storage.type->set_study_note(db->storage.state, id, field, text);
    if (st != LD_OK)
        return ld_db_storage_fail(db, st, "cannot write the note");
    return LD_OK;
}

ld_status ld_db_request_stop(ld_db *db, const char *study, int number)
{
    int64_t id;
    ld_status st = find_study(db, study, &id, NULL);
    if (st != LD_OK)
        return st;
    ld_trial t;
    st = db->storage.type->get_trial(db->storage.state, id, number, 0, &t);
    if (st == LD_ERR_NOTFOUND)
        return ld_db_fail(db, st, "study '%s' has no trial %d", study, number);
    if (st != LD_OK)
        return ld_db_storage_fail(db, st, "cannot read the trial");
    ld_trial_state state = t.state;
    ld_trial_clear(&t);
    if (state == LD_TRIAL_QUEUED) {
        ld_trial_finish fin = {.state = LD_TRIAL_PRUNED, .finished = ld_now(), .exit_code = -1,
                               .reason = "stopped by hand before it started"};
        st = db->storage.type->finish_trial(db->storage.state, id, number, LD_TRIAL_QUEUED, &fin);
        if (st == LD_ERR_CONFLICT)
            state = LD_TRIAL_RUNNING; /* claimed meanwhile: ask its tuner instead */
        else if (st != LD_OK)
            return ld_db_storage_fail(db, st, "cannot stop the trial");
        else
            return LD_OK;
    }
    if (state != LD_TRIAL_RUNNING)
        return ld_db_fail(db, LD_ERR_INPUT, "trial %d of '%s' is already %s", number, study,
                          ld_trial_state_name(state));
    st = db->storage.type->request_stop(db->storage.state, id, number);
    if (st != LD_OK)
        return ld_db_storage_fail(db, st, "cannot record the stop request");
    return LD_OK;
}
