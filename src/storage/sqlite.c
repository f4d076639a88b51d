/*
 * sqlite.c — the SQLite back-end of the storage interface: the journal in one file that several
 * tuner processes and readers share.
 *
 * Sharing: WAL mode lets readers run beside the one writer; a busy timeout makes writers queue
 * instead of failing with "database is locked"; begin is BEGIN IMMEDIATE, so a tuner that reads
 * the history and then creates a trial holds the write lock throughout. An operation called
 * outside begin/commit that runs several statements is a transaction of its own (a savepoint
 * inside begin/commit); reads that run several queries share one snapshot.
 *
 * The trial state machine (drawn in liandan.h) moves here: create_trial makes a trial queued or
 * running; claim_queued takes queued -> running; finish_trial takes `from` -> a final state. The
 * last two are conditional UPDATEs (WHERE state = ...) checked by their row count, so two tuners
 * never both win a transition.
 *
 * Trust: once SQLite reports corruption, an I/O error, a full disk and the like, the handle stops
 * writing (like the pager's ERROR state) and every later write fails with the first failure.
 *
 * Speed: every statement is prepared once per handle; list_trials and list_studies run a fixed
 * number of queries whatever the number of trials and merge the rows in C.
 *
 * The schema is versioned by PRAGMA user_version and marked as liandan's by PRAGMA
 * application_id. migrations[v] takes version v to v+1; a file newer than this code is refused.
 * NaN cannot be stored in SQLite (it becomes NULL), so every REAL that may be NaN reads NULL back
 * as NaN; infinities are stored as they are.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "storage/rows.h"
#include "storage/storage.h"
#include "util/buf.h"

#define BUSY_TIMEOUT_MS 30000
#define APPLICATION_ID 0x4c64616e /* "Ldan" */

static const char *const migrations[] = {
    /* 1: the first schema */
    "CREATE TABLE studies (\n"
    "    id          INTEGER PRIMARY KEY,\n"
    "    name        TEXT NOT NULL UNIQUE,\n"
    "    sweep_path  TEXT,\n"
    "    sweep_text  TEXT,\n"
    "    description TEXT,\n"
    "    conclusion  TEXT,\n"
    "    next_step   TEXT,\n"
    "    parent      TEXT,              -- the name of the study this one refines\n"
    "    metric      TEXT,\n"
    "    maximize    INTEGER NOT NULL CHECK (maximize IN (0, 1)),\n"
    "    seed        INTEGER NOT NULL,  -- the uint64 seed's bits as an int64\n"
    "    created     REAL\n"
    ");\n"
    "CREATE TABLE trials (\n"
    "    id             INTEGER PRIMARY KEY,\n"
    "    study_id       INTEGER NOT NULL REFERENCES studies (id),\n"
    "    number         INTEGER NOT NULL CHECK (number >= 0),\n"
    "    state          TEXT NOT NULL\n"
    "                   CHECK (state IN ('queued', 'running', 'complete', 'pruned', 'failed')),\n"
    "    has_value      INTEGER NOT NULL DEFAULT 0 CHECK (has_value IN (0, 1)),\n"
    "    value          REAL,              -- NULL with has_value = 1 is NaN\n"
    "    created        REAL,              -- times: seconds since the epoch, NULL when unset\n"
    "    started        REAL,\n"
    "    finished       REAL,\n"
    "    heartbeat      REAL,\n"
    "    exit_code      INTEGER,           -- NULL: did not exit normally\n"
    "    term_signal    INTEGER NOT NULL DEFAULT 0,\n"
    "    reason         TEXT,\n"
    "    host           TEXT,\n"
    "    pid            INTEGER,           -- the trial's process\n"
    "    tuner_pid      INTEGER,           -- the tuner that owns it (NULL: ask/tell)\n"
    "    command        TEXT,              -- argv as a JSON array\n"
    "    log_path       TEXT,\n"
    "    git_commit     TEXT,\n"
    "    grid_index     INTEGER,\n"
    "    retry_of       INTEGER,           -- trial numbers in the same study\n"
    "    requeued_as    INTEGER,\n"
    "    stop_requested INTEGER NOT NULL DEFAULT 0,\n"
    "    UNIQUE (study_id, number)\n"
    ");\n"
    "CREATE INDEX trials_by_state ON trials (study_id, state, number);\n"
    "CREATE TABLE trial_params (\n"
    "    trial_id INTEGER NOT NULL REFERENCES trials (id),\n"
    "    position INTEGER NOT NULL,        -- the parameter's place in the sweep\n"
    "    name     TEXT NOT NULL,\n"
    "    type     TEXT NOT NULL CHECK (type IN ('int', 'float', 'str', 'bool')),\n"
    "    num      REAL,                    -- int, float, bool (0/1); NULL is NaN\n"
    "    str      TEXT,\n"
    "    PRIMARY KEY (trial_id, position)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE trial_values (\n"
    "    id       INTEGER PRIMARY KEY,     -- report order\n"
    "    trial_id INTEGER NOT NULL REFERENCES trials (id),\n"
    "    step     REAL,                    -- NULL is NaN\n"
    "    key      TEXT NOT NULL,\n"
    "    value    REAL,                    -- NULL is NaN\n"
    "    time     REAL\n"
    ");\n"
    "CREATE INDEX trial_values_by_trial ON trial_values (trial_id);\n",
    /* 2: counting a study's superseded trials without a scan (claims of history-free samplers) */
    "CREATE INDEX trials_superseded ON trials (study_id) WHERE requeued_as IS NOT NULL;\n",
    /* 3: change numbers, so that a tuner reads only what changed since it last looked
       (list_changed): every write to a trial but a heartbeat counts one change of its study
       and stamps the trial with the count */
    "ALTER TABLE studies ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE trials ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;\n"
    "CREATE INDEX trials_by_change ON trials (study_id, changed);\n",
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* The columns of a trial row, in the order of the TC_ indices. */
#define TRIAL_COLUMNS                                                                           \
    "t.number, t.state, t.has_value, t.value, t.created, t.started, t.finished, t.heartbeat, "  \
    "t.exit_code, t.term_signal, t.reason, t.host, t.pid, t.command, t.log_path, "              \
    "t.git_commit, t.grid_index, t.retry_of, t.requeued_as, t.stop_requested, t.tuner_pid"
enum {
    TC_NUMBER, TC_STATE, TC_HAS_VALUE, TC_VALUE, TC_CREATED, TC_STARTED, TC_FINISHED,
    TC_HEARTBEAT, TC_EXIT_CODE, TC_TERM_SIGNAL, TC_REASON, TC_HOST, TC_PID, TC_COMMAND,
    TC_LOG_PATH, TC_GIT_COMMIT, TC_GRID_INDEX, TC_RETRY_OF, TC_REQUEUED_AS, TC_STOP_REQUESTED,
    TC_TUNER_PID
};

/* Trials of one study whose number is in [?2, ?3]: a range serves both "all" and "one". */
#define TRIALS_IN_RANGE "t.study_id = ?1 AND t.number BETWEEN ?2 AND ?3"
/* Trials of one study changed after change number ?2. */
#define TRIALS_CHANGED "t.study_id = ?1 AND t.changed > ?2"
/* The three reads of a study's trials (rows, params, reports) for the trials `where` selects,
   each ordered by trial number (rows.c merges them). */
#define TRIALS_QUERY(trials, where)                                                             \
    "SELECT " TRIAL_COLUMNS " FROM " trials " WHERE " where " ORDER BY t.number"
#define PARAMS_QUERY(trials, where)                                                             \
    "SELECT t.number, p.name, p.type, p.num, p.str FROM " trials " "                            \
    "JOIN trial_params p ON p.trial_id = t.id WHERE " where " ORDER BY t.number, p.position"
#define VALUES_QUERY(trials, where)                                                             \
    "SELECT t.number, v.step, v.key, v.value, v.time FROM " trials " "                          \
    "JOIN trial_values v ON v.trial_id = t.id WHERE " where " ORDER BY t.number, v.id"
/* By number, the trial index gives the order; by change, SQLite would rather walk the study's
   trials in number order too (no sort) than find the few changed ones: tell it which index. */
#define BY_NUMBER "trials t"
#define BY_CHANGE "trials t INDEXED BY trials_by_change"

enum {
    Q_BEGIN_WRITE, Q_BEGIN_READ, Q_COMMIT, Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO,
    Q_CREATE_STUDY, Q_STUDY_ID, Q_STUDIES, Q_STUDY_COUNTS, Q_STUDY_BEST,
    Q_NOTE_WHY, Q_NOTE_CONCLUSION, Q_NOTE_NEXT,
    Q_NEXT_NUMBER, Q_INSERT_TRIAL, Q_INSERT_PARAM, Q_FIRST_QUEUED, Q_CLAIM, Q_SET_PROCESS,
    Q_FINISH, Q_REQUEUED_AS, Q_TRIAL_ID, Q_TRIAL_STATE, Q_INSERT_VALUE, Q_HEARTBEAT,
    Q_REQUEST_STOP, Q_TRIALS, Q_PARAMS, Q_VALUES, Q_TRIALS_CHANGED, Q_PARAMS_CHANGED,
    Q_VALUES_CHANGED, Q_CHANGES, Q_COUNT_CHANGE, Q_STAMP, Q_COUNT_TRIALS,
    Q_DELETE_VALUES, Q_DELETE_PARAMS, Q_DELETE_TRIALS, Q_DELETE_STUDY, Q_RENAME, Q_RENAME_PARENT,
    N_QUERIES
};

static const char *const queries[N_QUERIES] = {
    [Q_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [Q_BEGIN_READ] = "BEGIN",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_SAVEPOINT] = "SAVEPOINT op",
    [Q_RELEASE] = "RELEASE op",
    [Q_ROLLBACK_TO] = "ROLLBACK TO op",
    [Q_CREATE_STUDY] = "INSERT INTO studies (name, sweep_path, sweep_text, description, parent, "
                       "metric, maximize, seed, created) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [Q_STUDY_ID] = "SELECT id FROM studies WHERE name = ?1",
    [Q_STUDIES] = "SELECT id, name, sweep_path, sweep_text, description, conclusion, next_step, "
                  "parent, metric, maximize, seed, created FROM studies "
                  "WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
    /* The counts follow ld_trial_state's order. */
    [Q_STUDY_COUNTS] = "SELECT study_id, COUNT(*), SUM(state = 'queued'), SUM(state = 'running'), "
                       "SUM(state = 'complete'), SUM(state = 'pruned'), SUM(state = 'failed'), "
                       "TOTAL(CASE WHEN state IN ('complete', 'pruned', 'failed') "
                       "THEN finished - started END), "
                       "SUM(state = 'failed' AND reason LIKE 'interrupted%') "
                       "FROM trials WHERE study_id BETWEEN ?1 AND ?2 "
                       "GROUP BY study_id ORDER BY study_id",
    [Q_STUDY_BEST] = "SELECT study_id, number, value FROM ("
                     "SELECT t.study_id, t.number, t.value, ROW_NUMBER() OVER ("
                     "PARTITION BY t.study_id "
                     "ORDER BY CASE WHEN s.maximize THEN -t.value ELSE t.value END, t.number"
                     ") AS pos "
                     "FROM trials t JOIN studies s ON s.id = t.study_id "
                     "WHERE t.study_id BETWEEN ?1 AND ?2 AND t.state = 'complete' "
                     "AND t.has_value AND t.value IS NOT NULL) "
                     "WHERE pos = 1 ORDER BY study_id",
    [Q_NOTE_WHY] = "UPDATE studies SET description = ?2 WHERE id = ?1",
    [Q_NOTE_CONCLUSION] = "UPDATE studies SET conclusion = ?2 WHERE id = ?1",
    [Q_NOTE_NEXT] = "UPDATE studies SET next_step = ?2 WHERE id = ?1",
    [Q_DELETE_VALUES] = "DELETE FROM trial_values WHERE trial_id IN "
                        "(SELECT id FROM trials WHERE study_id = ?1)",
    [Q_DELETE_PARAMS] = "DELETE FROM trial_params WHERE trial_id IN "
                        "(SELECT id FROM trials WHERE study_id = ?1)",
    [Q_DELETE_TRIALS] = "DELETE FROM trials WHERE study_id = ?1",
    [Q_DELETE_STUDY] = "DELETE FROM studies WHERE id = ?1",
    [Q_RENAME] = "UPDATE studies SET name = ?2 WHERE id = ?1",
    [Q_RENAME_PARENT] = "UPDATE studies SET parent = ?2 WHERE parent = ?1",
    [Q_NEXT_NUMBER] = "SELECT COALESCE(MAX(number), -1) + 1 FROM trials WHERE study_id = ?1",
    /* numbers are contiguous from 0, so MAX + 1 (one index probe) is the count */
    [Q_COUNT_TRIALS] = "SELECT COALESCE(MAX(number), -1) + 1, (SELECT COUNT(*) FROM trials "
                       "WHERE study_id = ?1 AND requeued_as IS NOT NULL) FROM trials "
                       "WHERE study_id = ?1",
    [Q_INSERT_TRIAL] = "INSERT INTO trials (study_id, number, state, created, started, heartbeat, "
                       "host, tuner_pid, grid_index, retry_of) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9)",
    [Q_INSERT_PARAM] = "INSERT INTO trial_params (trial_id, position, name, type, num, str) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_FIRST_QUEUED] = "SELECT id, number FROM trials WHERE study_id = ?1 AND state = 'queued' "
                       "ORDER BY number LIMIT 1",
    [Q_CLAIM] = "UPDATE trials SET state = 'running', host = ?2, tuner_pid = ?3, started = ?4, "
                "heartbeat = ?4 WHERE id = ?1 AND state = 'queued'",
    [Q_SET_PROCESS] = "UPDATE trials SET pid = ?3, command = ?4, log_path = ?5, git_commit = ?6, "
                      "started = COALESCE(?7, started) WHERE study_id = ?1 AND number = ?2",
    [Q_FINISH] = "UPDATE trials SET state = ?4, has_value = ?5, value = ?6, finished = ?7, "
                 "exit_code = ?8, term_signal = ?9, reason = ?10 "
                 "WHERE study_id = ?1 AND number = ?2 AND state = ?3",
    [Q_REQUEUED_AS] = "UPDATE trials SET requeued_as = ?3 WHERE study_id = ?1 AND number = ?2",
    [Q_TRIAL_ID] = "SELECT id FROM trials WHERE study_id = ?1 AND number = ?2",
    [Q_TRIAL_STATE] = "SELECT state FROM trials WHERE study_id = ?1 AND number = ?2",
    [Q_INSERT_VALUE] = "INSERT INTO trial_values (trial_id, step, key, value, time) "
                       "VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_HEARTBEAT] = "UPDATE trials SET heartbeat = ?3 "
                    "WHERE study_id = ?1 AND number = ?2 AND state = 'running'",
    [Q_REQUEST_STOP] = "UPDATE trials SET stop_requested = 1 WHERE study_id = ?1 AND number = ?2 "
                       "AND state IN ('queued', 'running')",
    [Q_TRIALS] = TRIALS_QUERY(BY_NUMBER, TRIALS_IN_RANGE),
    [Q_PARAMS] = PARAMS_QUERY(BY_NUMBER, TRIALS_IN_RANGE),
    [Q_VALUES] = VALUES_QUERY(BY_NUMBER, TRIALS_IN_RANGE),
    [Q_TRIALS_CHANGED] = TRIALS_QUERY(BY_CHANGE, TRIALS_CHANGED),
    [Q_PARAMS_CHANGED] = PARAMS_QUERY(BY_CHANGE, TRIALS_CHANGED),
    [Q_VALUES_CHANGED] = VALUES_QUERY(BY_CHANGE, TRIALS_CHANGED),
    [Q_CHANGES] = "SELECT changes FROM studies WHERE id = ?1",
    [Q_COUNT_CHANGE] = "UPDATE studies SET changes = changes + 1 WHERE id = ?1",
    [Q_STAMP] = "UPDATE trials SET changed = (SELECT changes FROM studies WHERE id = ?1) "
                "WHERE study_id = ?1 AND number = ?2",
};

typedef struct {
    sqlite3 *db;
    int in_txn;           /* between begin and commit/rollback */
    int broken;           /* writes are refused; broken_msg says why */
    char what[256];       /* the operation under way, for messages: "create a trial in study 3" */
    char msg[1024];
    char broken_msg[1024];
    sqlite3_stmt *q[N_QUERIES];
} store;

/* ---- messages and failures ------------------------------------------------------------- */

/* Names the operation under way; every message starts with it. */
static void doing(store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void doing(store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->what, sizeof s->what, fmt, ap);
    va_end(ap);
}

/* Failures after which the file or the handle cannot be trusted. */
static int breaks_trust(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_CORRUPT: case SQLITE_IOERR: case SQLITE_FULL: case SQLITE_NOTADB:
    case SQLITE_CANTOPEN: case SQLITE_PROTOCOL: case SQLITE_READONLY: case SQLITE_INTERNAL:
    case SQLITE_PERM: case SQLITE_MISUSE:
        return 1;
    default:
        return 0;
    }
}

static ld_status status_of(int rc)
{
    switch (rc) {
    case SQLITE_NOMEM: return LD_ERR_NOMEM;
    case SQLITE_CONSTRAINT_UNIQUE: case SQLITE_CONSTRAINT_PRIMARYKEY: return LD_ERR_CONFLICT;
    case SQLITE_CONSTRAINT_FOREIGNKEY: return LD_ERR_NOTFOUND;
    default: return (rc & 0xff) == SQLITE_CONSTRAINT ? LD_ERR_INPUT : LD_ERR_STORAGE;
    }
}

/* Records "sqlite: cannot <what>: <reason>" and returns st. */
static ld_status failf(store *s, ld_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ld_status failf(store *s, ld_status st, const char *fmt, ...)
{
    char reason[720]; /* fits msg with what */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(s->msg, sizeof s->msg, "sqlite: cannot %s: %s", s->what, reason);
    return st;
}

/* Records SQLite's failure rc (call before any other SQLite call replaces its message). */
static ld_status fail(store *s, int rc)
{
    ld_status st;
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        st = failf(s, LD_ERR_STORAGE,
                   "the database stayed locked by another process for more than %d s",
                   BUSY_TIMEOUT_MS / 1000);
    else
        st = failf(s, status_of(rc), "%s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    if (breaks_trust(rc) && !s->broken) {
        s->broken = 1;
        memcpy(s->broken_msg, s->msg, sizeof s->msg);
    }
    return st;
}

/* Every write checks this after doing(): a broken handle refuses. */
static ld_status writable(store *s)
{
    if (!s->broken)
        return LD_OK;
    return failf(s, LD_ERR_STORAGE, "writes are refused after an earlier failure (%.600s)",
                 s->broken_msg);
}

/* ---- statements ------------------------------------------------------------------------ */

/*
 * Binding: each bind_ helper keeps the first failure in *rc, and run/step skip the step
 * when binding failed, so a statement is bound with no check after every call. Texts are bound
 * SQLITE_STATIC: every statement runs to completion and is reset before its caller returns.
 */
static void bind_i64(sqlite3_stmt *st, int i, int64_t v, int *rc)
{
    if (*rc == SQLITE_OK)
        *rc = sqlite3_bind_int64(st, i, v);
}

/* Binds v, or NULL when v is the "unset" value none. */
static void bind_opt_int(sqlite3_stmt *st, int i, int v, int none, int *rc)
{
    if (*rc == SQLITE_OK)
        *rc = v == none ? sqlite3_bind_null(st, i) : sqlite3_bind_int(st, i, v);
}

/* NaN is bound as NULL by SQLite itself; infinities are kept. */
static void bind_real(sqlite3_stmt *st, int i, double v, int *rc)
{
    if (*rc == SQLITE_OK)
        *rc = sqlite3_bind_double(st, i, v);
}

/* A time of 0 means "not set" and is stored as NULL. */
static void bind_time(sqlite3_stmt *st, int i, double t, int *rc)
{
    if (*rc == SQLITE_OK)
        *rc = t == 0 ? sqlite3_bind_null(st, i) : sqlite3_bind_double(st, i, t);
}

static void bind_str(sqlite3_stmt *st, int i, const char *v, int *rc)
{
    if (*rc == SQLITE_OK)
        *rc = sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* The cached statement q with the usual first parameters: ?1 = study, ?2 = trial number. */
static sqlite3_stmt *for_trial(store *s, int q, int64_t study, int number, int *rc)
{
    sqlite3_stmt *st = s->q[q];
    bind_i64(st, 1, study, rc);
    bind_i64(st, 2, number, rc);
    return st;
}

/* Runs a statement that returns no rows and resets it; SQLITE_OK or the failure. */
static int run(sqlite3_stmt *st, int rc)
{
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE || rc == SQLITE_ROW)
            rc = SQLITE_OK;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Steps unless binding failed: SQLITE_ROW (read the columns; step again or call done),
   SQLITE_DONE, or a failure. rc is the binding's result or the previous step's. */
static int step(sqlite3_stmt *st, int rc)
{
    return rc == SQLITE_OK || rc == SQLITE_ROW ? sqlite3_step(st) : rc;
}

/* Ends a row-returning statement: rc is the last step's result; SQLITE_OK or the failure. */
static int done(sqlite3_stmt *st, int rc)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW || rc == SQLITE_OK ? SQLITE_OK : rc;
}

static ld_status run_cached(store *s, int q)
{
    int rc = run(s->q[q], SQLITE_OK);
    return rc == SQLITE_OK ? LD_OK : fail(s, rc);
}

/* ---- columns --------------------------------------------------------------------------- */

/* NULL reads as NaN (how NaN was stored). */
static double col_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* NULL reads as 0 ("not set"). */
static double col_time(sqlite3_stmt *st, int i) { return sqlite3_column_double(st, i); }

static int col_int_or(sqlite3_stmt *st, int i, int none)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_int(st, i);
}

/* A copy of a text column (NULL stays NULL); sets *nomem when the copy fails. */
static char *col_str(sqlite3_stmt *st, int i, int *nomem)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    char *copy = ld_strdup(v);
    if (v && !copy)
        *nomem = 1;
    return copy;
}

/* ---- transactions ---------------------------------------------------------------------- */

/* Makes one operation atomic: a savepoint inside begin/commit, else a write transaction. */
static ld_status atomic_begin(store *s)
{
    return run_cached(s, s->in_txn ? Q_SAVEPOINT : Q_BEGIN_WRITE);
}

/* Undoes what the operation did; SQLite may already have rolled back after some failures. */
static void atomic_undo(store *s)
{
    if (sqlite3_get_autocommit(s->db))
        return;
    if (s->in_txn) {
        run(s->q[Q_ROLLBACK_TO], SQLITE_OK);
        run(s->q[Q_RELEASE], SQLITE_OK);
    } else {
        run(s->q[Q_ROLLBACK], SQLITE_OK);
    }
}

/* Keeps the operation's work when st is LD_OK, else undoes it; returns the outcome. */
static ld_status atomic_end(store *s, ld_status st)
{
    if (st == LD_OK)
        st = run_cached(s, s->in_txn ? Q_RELEASE : Q_COMMIT);
    if (st != LD_OK)
        atomic_undo(s);
    return st;
}

/* Reads that run several queries see one snapshot. */
static ld_status read_begin(store *s) { return s->in_txn ? LD_OK : run_cached(s, Q_BEGIN_READ); }

static ld_status read_end(store *s, ld_status st)
{
    if (s->in_txn)
        return st;
    ld_status end = run_cached(s, Q_COMMIT);
    return st != LD_OK ? st : end;
}

static ld_status sq_begin(void *state)
{
    store *s = state;
    doing(s, "begin a transaction");
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    if (s->in_txn)
        return failf(s, LD_ERR_STORAGE, "a transaction is open already");
    st = run_cached(s, Q_BEGIN_WRITE);
    s->in_txn = st == LD_OK;
    return st;
}

static ld_status sq_commit(void *state)
{
    store *s = state;
    doing(s, "commit");
    if (!s->in_txn)
        return failf(s, LD_ERR_STORAGE, "no transaction is open");
    s->in_txn = 0;
    if (sqlite3_get_autocommit(s->db))
        return failf(s, LD_ERR_STORAGE, "SQLite rolled the transaction back after a failure");
    ld_status st = run_cached(s, Q_COMMIT);
    if (st != LD_OK && !sqlite3_get_autocommit(s->db))
        run(s->q[Q_ROLLBACK], SQLITE_OK);
    return st;
}

static ld_status sq_rollback(void *state)
{
    store *s = state;
    doing(s, "roll back");
    s->in_txn = 0;
    return sqlite3_get_autocommit(s->db) ? LD_OK : run_cached(s, Q_ROLLBACK);
}

/* ---- opening and the schema ------------------------------------------------------------ */

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    rc = done(st, rc);
    sqlite3_finalize(st);
    return rc;
}

/* sqlite:///tmp/x.db is the relative tmp/x.db (SQLAlchemy's and Optuna's rule): was the
   absolute /tmp/x.db meant, since the relative path is missing and that one exists? */
static int meant_absolute(const char *path)
{
    char abs[4100];
    struct stat sb;
    return path[0] != '/' && snprintf(abs, sizeof abs, "/%s", path) < (int)sizeof abs &&
           stat(abs, &sb) == 0;
}

/* SQLite creates the file but not its folder: say so rather than "unable to open". */
static ld_status check_directory(store *s, const char *path)
{
    if (strcmp(path, ":memory:") == 0)
        return LD_OK;
    const char *slash = strrchr(path, '/');
    if (!slash)
        return LD_OK;
    char dir[4096];
    int len = slash == path ? 1 : (int)(slash - path);
    if (len >= (int)sizeof dir)
        return failf(s, LD_ERR_STORAGE, "the path is too long");
    snprintf(dir, sizeof dir, "%.*s", len, path);
    struct stat sb;
    if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
        return LD_OK;
    if (meant_absolute(dir))
        return failf(s, LD_ERR_STORAGE, "no such directory %s (a path after sqlite:/// is "
                     "relative; for the absolute /%s write sqlite:////%s)", dir, path, path);
    return failf(s, LD_ERR_STORAGE, "no such directory %s", dir);
    return LD_OK;
}

/* A fresh file, or one of ours; anything else is another program's database. */
static ld_status check_identity(store *s, int version)
{
    int app = 0, tables = 0;
    int rc = pragma_int(s->db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK && app != APPLICATION_ID)
        rc = pragma_int(s->db, "SELECT COUNT(*) FROM sqlite_master", &tables);
    if (rc != SQLITE_OK)
        return fail(s, rc);
    if (app == APPLICATION_ID || (app == 0 && version == 0 && tables == 0))
        return LD_OK;
    return failf(s, LD_ERR_STORAGE, "it is a SQLite database of another program, not a liandan "
                                    "journal");
}

static ld_status check_version(store *s, int version)
{
    if (version <= SCHEMA_VERSION)
        return LD_OK;
    return failf(s, LD_ERR_STORAGE,
                 "its schema version is %d but this liandan knows versions up to %d; "
                 "use a newer liandan",
                 version, SCHEMA_VERSION);
}

/* Applies the missing migrations in one write transaction (another process may be at it too). */
static ld_status upgrade(store *s)
{
    int version = 0;
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = pragma_int(s->db, "PRAGMA user_version", &version);
    if (rc != SQLITE_OK)
        return fail(s, rc);
    ld_status st = check_identity(s, version);
    if (st == LD_OK)
        st = check_version(s, version);
    for (int v = version; st == LD_OK && v < SCHEMA_VERSION; v++) {
        rc = sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            st = fail(s, rc);
    }
    if (st == LD_OK && version < SCHEMA_VERSION) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d",
                 SCHEMA_VERSION, APPLICATION_ID);
        rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            st = fail(s, rc);
    }
    if (st == LD_OK && (rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
        st = fail(s, rc);
    if (st != LD_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

static ld_status migrate(store *s)
{
    int version = 0;
    int rc = pragma_int(s->db, "PRAGMA user_version", &version);
    if (rc != SQLITE_OK)
        return fail(s, rc);
    ld_status st = check_version(s, version);
    /* Below the current version another process may be creating the schema right now: decide
       only inside upgrade()'s write lock, where the reads see one state. */
    if (st == LD_OK && version < SCHEMA_VERSION)
        return upgrade(s);
    if (st == LD_OK)
        st = check_identity(s, version);
    return st;
}

/* Switching a file to WAL needs it alone for a moment, and SQLite answers SQLITE_BUSY at once,
   without the busy handler, when other processes open a new file at the same time: wait here. */
static int enter_wal(sqlite3 *db)
{
    for (int waited = 0;; waited += 10) {
        int rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY || waited >= BUSY_TIMEOUT_MS)
            return rc;
        sqlite3_sleep(10);
    }
}

/* WAL for readers beside a writer; NORMAL sync is safe in WAL (a power cut may lose the last
   commits, never consistency). */
static ld_status configure(store *s)
{
    sqlite3_extended_result_codes(s->db, 1);
    int rc = sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    if (rc == SQLITE_OK)
        rc = enter_wal(s->db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", NULL,
                          NULL, NULL);
    return rc == SQLITE_OK ? LD_OK : fail(s, rc);
}

static ld_status prepare_all(store *s)
{
    for (int q = 0; q < N_QUERIES; q++) {
        int rc = sqlite3_prepare_v3(s->db, queries[q], -1, SQLITE_PREPARE_PERSISTENT, &s->q[q],
                                    NULL);
        if (rc != SQLITE_OK)
            return fail(s, rc);
    }
    return LD_OK;
}

static ld_status sq_open(const char *path, void **out)
{
    store *s = calloc(1, sizeof *s);
    *out = s;
    if (!s)
        return LD_ERR_NOMEM;
    doing(s, "open database %s", path);
    if (!*path)
        return failf(s, LD_ERR_INPUT, "the path is empty");
    ld_status st = check_directory(s, path);
    if (st != LD_OK)
        return st;
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK)
        return fail(s, rc);
    st = configure(s);
    if (st == LD_OK)
        st = migrate(s);
    if (st == LD_OK)
        st = prepare_all(s);
    return st;
}

/* Read-only: no file is created, no schema migrated, no journal mode changed; query_only makes
   SQLite itself refuse every write. A WAL reader never blocks the tuner that writes. */
static ld_status sq_open_readonly(const char *path, void **out)
{
    store *s = calloc(1, sizeof *s);
    *out = s;
    if (!s)
        return LD_ERR_NOMEM;
    doing(s, "open database %s for reading", path);
    if (!*path)
        return failf(s, LD_ERR_INPUT, "the path is empty");
    struct stat sb;
    if (stat(path, &sb) != 0 && meant_absolute(path))
        return failf(s, LD_ERR_NOTFOUND, "there is no journal at %s; a path after sqlite:/// "
                     "is relative: for the journal at /%s write sqlite:////%s", path, path, path);
    if (stat(path, &sb) != 0)
        return failf(s, LD_ERR_NOTFOUND, "there is no journal at %s", path);
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(s->db, 1);
        rc = sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db, "PRAGMA query_only = 1", NULL, NULL, NULL);
    int version = 0;
    if (rc == SQLITE_OK)
        rc = pragma_int(s->db, "PRAGMA user_version", &version);
    if (rc != SQLITE_OK)
        return fail(s, rc);
    ld_status st = check_identity(s, version);
    if (st == LD_OK)
        st = check_version(s, version);
    if (st == LD_OK && version < SCHEMA_VERSION)
        st = failf(s, LD_ERR_STORAGE, "its schema is version %d; run a liandan command that "
                                      "writes (e.g. status) to upgrade it first", version);
    if (st == LD_OK)
        st = prepare_all(s);
    s->broken = 1; /* every write is refused with this message */
    snprintf(s->broken_msg, sizeof s->broken_msg, "the journal was opened read-only");
    return st;
}

static void sq_close(void *state)
{
    store *s = state;
    if (!s)
        return;
    for (int q = 0; q < N_QUERIES; q++)
        sqlite3_finalize(s->q[q]);
    sqlite3_close_v2(s->db);
    free(s);
}

static const char *sq_errmsg(void *state)
{
    store *s = state;
    return s ? s->msg : "out of memory";
}

/* ---- studies --------------------------------------------------------------------------- */

static ld_status sq_create_study(void *state, const ld_study_new *sn, int64_t *id)
{
    store *s = state;
    doing(s, "create study '%s'", sn->name ? sn->name : "(null)");
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    int64_t seed;
    memcpy(&seed, &sn->seed, sizeof seed); /* the bits, so seeds above INT64_MAX survive */
    sqlite3_stmt *q = s->q[Q_CREATE_STUDY];
    int rc = SQLITE_OK;
    bind_str(q, 1, sn->name, &rc);
    bind_str(q, 2, sn->sweep_path, &rc);
    bind_str(q, 3, sn->sweep_text, &rc);
    bind_str(q, 4, sn->description, &rc);
    bind_str(q, 5, sn->parent, &rc);
    bind_str(q, 6, sn->metric, &rc);
    bind_i64(q, 7, sn->maximize != 0, &rc);
    bind_i64(q, 8, seed, &rc);
    bind_time(q, 9, sn->created, &rc);
    rc = run(q, rc);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return failf(s, LD_ERR_CONFLICT, "a study of that name exists");
    if (rc != SQLITE_OK)
        return fail(s, rc);
    *id = sqlite3_last_insert_rowid(s->db);
    return LD_OK;
}

/* Fills infos[] from study rows with ids in [lo, hi]; ids[] gets each one's id. */
static ld_status read_studies(store *s, int64_t lo, int64_t hi, ld_study_info **infos,
                              int64_t **ids, size_t *n)
{
    sqlite3_stmt *q = s->q[Q_STUDIES];
    int rc = SQLITE_OK, nomem = 0;
    bind_i64(q, 1, lo, &rc);
    bind_i64(q, 2, hi, &rc);
    while (!nomem && (rc = step(q, rc)) == SQLITE_ROW) {
        ld_study_info *ni = ld_rows_grow(*infos, *n, sizeof **infos);
        if (ni)
            *infos = ni;
        int64_t *nids = ld_rows_grow(*ids, *n, sizeof **ids);
        if (nids)
            *ids = nids;
        if (!ni || !nids) {
            nomem = 1;
            break;
        }
        ld_study_info *info = &(*infos)[(*n)++];
        memset(info, 0, sizeof *info);
        (*ids)[*n - 1] = sqlite3_column_int64(q, 0);
        info->name = col_str(q, 1, &nomem);
        info->sweep_path = col_str(q, 2, &nomem);
        info->sweep_text = col_str(q, 3, &nomem);
        info->description = col_str(q, 4, &nomem);
        info->conclusion = col_str(q, 5, &nomem);
        info->next_step = col_str(q, 6, &nomem);
        info->parent = col_str(q, 7, &nomem);
        info->metric = col_str(q, 8, &nomem);
        info->maximize = sqlite3_column_int(q, 9);
        int64_t seed = sqlite3_column_int64(q, 10);
        memcpy(&info->seed, &seed, sizeof seed);
        info->created = col_time(q, 11);
    }
    rc = done(q, rc);
    if (nomem)
        return failf(s, LD_ERR_NOMEM, "out of memory");
    return rc == SQLITE_OK ? LD_OK : fail(s, rc);
}

/* The info of the study with this id, walking *j forward: rows and ids are both by id. */
static ld_study_info *info_of(ld_study_info *infos, const int64_t *ids, size_t n, size_t *j,
                              int64_t id)
{
    while (*j < n && ids[*j] < id)
        (*j)++;
    return *j < n && ids[*j] == id ? &infos[*j] : NULL;
}

static ld_status add_counts(store *s, int64_t lo, int64_t hi, ld_study_info *infos,
                            const int64_t *ids, size_t n)
{
    sqlite3_stmt *q = s->q[Q_STUDY_COUNTS];
    int rc = SQLITE_OK;
    size_t j = 0;
    bind_i64(q, 1, lo, &rc);
    bind_i64(q, 2, hi, &rc);
    while ((rc = step(q, rc)) == SQLITE_ROW) {
        ld_study_info *info = info_of(infos, ids, n, &j, sqlite3_column_int64(q, 0));
        if (!info)
            continue;
        info->n_trials = (size_t)sqlite3_column_int64(q, 1);
        for (int k = 0; k < 5; k++)
            info->counts[k] = (size_t)sqlite3_column_int64(q, 2 + k);
        info->compute_seconds = sqlite3_column_double(q, 7);
        info->interrupted = (size_t)sqlite3_column_int64(q, 8);
    }
    rc = done(q, rc);
    return rc == SQLITE_OK ? LD_OK : fail(s, rc);
}

static ld_status add_best(store *s, int64_t lo, int64_t hi, ld_study_info *infos,
                          const int64_t *ids, size_t n)
{
    sqlite3_stmt *q = s->q[Q_STUDY_BEST];
    int rc = SQLITE_OK;
    size_t j = 0;
    bind_i64(q, 1, lo, &rc);
    bind_i64(q, 2, hi, &rc);
    while ((rc = step(q, rc)) == SQLITE_ROW) {
        ld_study_info *info = info_of(infos, ids, n, &j, sqlite3_column_int64(q, 0));
        if (!info)
            continue;
        info->has_best = 1;
        info->best_number = sqlite3_column_int(q, 1);
        info->best_value = sqlite3_column_double(q, 2);
    }
    rc = done(q, rc);
    return rc == SQLITE_OK ? LD_OK : fail(s, rc);
}

/* Studies with ids in [lo, hi] with their counts and best trials, from one snapshot. */
static ld_status load_studies(store *s, int64_t lo, int64_t hi, ld_study_info **out, size_t *n)
{
    ld_study_info *infos = NULL;
    int64_t *ids = NULL;
    size_t count = 0;
    ld_status st = read_begin(s);
    if (st != LD_OK)
        return st;
    st = read_studies(s, lo, hi, &infos, &ids, &count);
    if (st == LD_OK)
        st = add_counts(s, lo, hi, infos, ids, count);
    if (st == LD_OK)
        st = add_best(s, lo, hi, infos, ids, count);
    st = read_end(s, st);
    free(ids);
    if (st != LD_OK) {
        ld_study_infos_free(infos, count);
        return st;
    }
    *out = infos;
    *n = count;
    return LD_OK;
}

static ld_status sq_list_studies(void *state, ld_study_info **out, size_t *n)
{
    store *s = state;
    doing(s, "list studies");
    *out = NULL;
    *n = 0;
    return load_studies(s, 0, INT64_MAX, out, n);
}

static ld_status sq_find_study(void *state, const char *name, int64_t *id, ld_study_info *info)
{
    store *s = state;
    doing(s, "find study '%s'", name ? name : "(null)");
    sqlite3_stmt *q = s->q[Q_STUDY_ID];
    int rc = SQLITE_OK;
    bind_str(q, 1, name, &rc);
    rc = step(q, rc);
    int found = rc == SQLITE_ROW;
    if (found)
        *id = sqlite3_column_int64(q, 0);
    rc = done(q, rc);
    if (rc != SQLITE_OK)
        return fail(s, rc);
    if (!found)
        return failf(s, LD_ERR_NOTFOUND, "no such study");
    if (!info)
        return LD_OK;
    ld_study_info *infos = NULL;
    size_t n = 0;
    ld_status st = load_studies(s, *id, *id, &infos, &n);
    if (st == LD_OK && n == 0)
        st = failf(s, LD_ERR_NOTFOUND, "no such study");
    if (st == LD_OK) {
        *info = infos[0];
        free(infos);
    } else {
        ld_study_infos_free(infos, n);
    }
    return st;
}

static ld_status sq_set_study_note(void *state, int64_t study, ld_note_field field,
                                   const char *text)
{
    store *s = state;
    doing(s, "set a note of study %lld", (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    int q = field == LD_NOTE_WHY ? Q_NOTE_WHY : field == LD_NOTE_CONCLUSION ? Q_NOTE_CONCLUSION
                                                                             : Q_NOTE_NEXT;
    int rc = SQLITE_OK;
    bind_i64(s->q[q], 1, study, &rc);
    bind_str(s->q[q], 2, text, &rc);
    rc = run(s->q[q], rc);
    if (rc != SQLITE_OK)
        return fail(s, rc);
    return sqlite3_changes(s->db) ? LD_OK : failf(s, LD_ERR_NOTFOUND, "no such study");
}

static ld_status sq_delete_study(void *state, int64_t study)
{
    store *s = state;
    doing(s, "delete study %lld", (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    static const int steps[] = {Q_DELETE_VALUES, Q_DELETE_PARAMS, Q_DELETE_TRIALS,
                                Q_DELETE_STUDY};
    int rc = SQLITE_OK;
    for (size_t i = 0; i < sizeof steps / sizeof *steps && rc == SQLITE_OK; i++) {
        bind_i64(s->q[steps[i]], 1, study, &rc);
        rc = run(s->q[steps[i]], rc);
    }
    if (rc != SQLITE_OK)
        return fail(s, rc);
    return sqlite3_changes(s->db) ? LD_OK : failf(s, LD_ERR_NOTFOUND, "no such study");
}

static ld_status sq_rename_study(void *state, int64_t study, const char *from, const char *to)
{
    store *s = state;
    doing(s, "rename study '%s' to '%s'", from, to);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    int rc = SQLITE_OK;
    bind_i64(s->q[Q_RENAME], 1, study, &rc);
    bind_str(s->q[Q_RENAME], 2, to, &rc);
    rc = run(s->q[Q_RENAME], rc);
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return failf(s, LD_ERR_CONFLICT, "a study named '%s' exists", to);
    if (rc == SQLITE_OK && !sqlite3_changes(s->db))
        return failf(s, LD_ERR_NOTFOUND, "no such study");
    bind_str(s->q[Q_RENAME_PARENT], 1, from, &rc);
    bind_str(s->q[Q_RENAME_PARENT], 2, to, &rc);
    rc = run(s->q[Q_RENAME_PARENT], rc);
    return rc == SQLITE_OK ? LD_OK : fail(s, rc);
}

/* ---- writing trials -------------------------------------------------------------------- */

/* Says why a conditional update on a trial changed nothing: no trial, or not in `expected`. */
static ld_status explain_unchanged(store *s, int64_t study, int number, const char *expected)
{
    int rc = SQLITE_OK;
    sqlite3_stmt *q = for_trial(s, Q_TRIAL_STATE, study, number, &rc);
    rc = step(q, rc);
    char state[16] = "";
    if (rc == SQLITE_ROW)
        snprintf(state, sizeof state, "%s", (const char *)sqlite3_column_text(q, 0));
    int found = rc == SQLITE_ROW;
    rc = done(q, rc);
    if (rc != SQLITE_OK)
        return fail(s, rc);
    if (!found)
        return failf(s, LD_ERR_NOTFOUND, "no such trial");
    return failf(s, LD_ERR_CONFLICT, "the trial is %s, not %s", state, expected);
}

/* Inside an atomic operation that changed trial `number`: counts one change of the study and
   stamps the trial with it (list_changed reads by these stamps). */
static ld_status stamp(store *s, int64_t study, int number)
{
    int rc = SQLITE_OK;
    sqlite3_stmt *q = s->q[Q_COUNT_CHANGE];
    bind_i64(q, 1, study, &rc);
    if ((rc = run(q, rc)) == SQLITE_OK)
        rc = run(for_trial(s, Q_STAMP, study, number, &rc), rc);
    return rc == SQLITE_OK ? LD_OK : fail(s, rc);
}

/* Ends an atomic operation whose statement (rc: how it ran) was to change trial `number`:
   stamped when it did; else LD_ERR_NOTFOUND, or with `expected` (the states it needed) the
   conflict explain_unchanged names. */
static ld_status changed_one(store *s, int64_t study, int number, int rc, const char *expected)
{
    ld_status st = LD_OK;
    if (rc != SQLITE_OK)
        st = fail(s, rc);
    else if (sqlite3_changes(s->db))
        st = stamp(s, study, number);
    else if (expected)
        st = explain_unchanged(s, study, number, expected);
    else
        st = failf(s, LD_ERR_NOTFOUND, "no such trial");
    return atomic_end(s, st);
}

/* The row id of a trial, or LD_ERR_NOTFOUND. */
static ld_status trial_id(store *s, int64_t study, int number, int64_t *id)
{
    int rc = SQLITE_OK;
    sqlite3_stmt *q = for_trial(s, Q_TRIAL_ID, study, number, &rc);
    rc = step(q, rc);
    int found = rc == SQLITE_ROW;
    if (found)
        *id = sqlite3_column_int64(q, 0);
    rc = done(q, rc);
    if (rc != SQLITE_OK)
        return fail(s, rc);
    return found ? LD_OK : failf(s, LD_ERR_NOTFOUND, "no such trial");
}

static ld_status insert_param(store *s, int64_t trial, int position, const char *name,
                              const ld_value *v)
{
    sqlite3_stmt *q = s->q[Q_INSERT_PARAM];
    int rc = SQLITE_OK;
    bind_i64(q, 1, trial, &rc);
    bind_i64(q, 2, position, &rc);
    bind_str(q, 3, name, &rc);
    bind_str(q, 4, ld_rows_type_name(v->type), &rc);
    if (v->type == LD_VAL_STR)
        bind_str(q, 6, v->str ? v->str : "", &rc);
    else
        bind_real(q, 5, v->num, &rc);
    rc = run(q, rc);
    return rc == SQLITE_OK ? LD_OK : fail(s, rc);
}

static ld_status insert_trial(store *s, int64_t study, const ld_trial_new *t, int *number)
{
    int rc = SQLITE_OK;
    sqlite3_stmt *q = s->q[Q_NEXT_NUMBER];
    bind_i64(q, 1, study, &rc);
    rc = step(q, rc);
    if (rc == SQLITE_ROW)
        *number = sqlite3_column_int(q, 0);
    if ((rc = done(q, rc)) != SQLITE_OK)
        return fail(s, rc);
    int running = t->state == LD_TRIAL_RUNNING;
    q = for_trial(s, Q_INSERT_TRIAL, study, *number, &rc);
    bind_str(q, 3, ld_trial_state_name(t->state), &rc);
    bind_time(q, 4, t->created, &rc);
    bind_time(q, 5, running ? t->created : 0, &rc);
    bind_str(q, 6, t->host, &rc);
    bind_opt_int(q, 7, t->tuner_pid, 0, &rc);
    bind_opt_int(q, 8, t->grid_index, -1, &rc);
    bind_opt_int(q, 9, t->retry_of, -1, &rc);
    if ((rc = run(q, rc)) != SQLITE_OK)
        return fail(s, rc);
    int64_t id = sqlite3_last_insert_rowid(s->db);
    ld_status st = LD_OK;
    for (size_t i = 0; st == LD_OK && i < t->n_params; i++)
        if (t->params[i].type != LD_VAL_NONE)
            st = insert_param(s, id, (int)i, t->param_names[i], &t->params[i]);
    return st == LD_OK ? stamp(s, study, *number) : st;
}

static ld_status sq_create_trial(void *state, int64_t study, const ld_trial_new *t, int *number)
{
    store *s = state;
    doing(s, "create a trial in study %lld", (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    if (t->state != LD_TRIAL_QUEUED && t->state != LD_TRIAL_RUNNING)
        return failf(s, LD_ERR_INPUT, "a new trial must be queued or running, not %s",
                     ld_trial_state_name(t->state));
    if (!ld_rows_valid_params(t))
        return failf(s, LD_ERR_INPUT, "a parameter has no name or an unknown value type");
    st = atomic_begin(s);
    if (st != LD_OK)
        return st;
    return atomic_end(s, insert_trial(s, study, t, number));
}

/* Inside the atomic operation: the id and number of the lowest-numbered queued trial. */
static ld_status first_queued(store *s, int64_t study, int64_t *id, int *number)
{
    int rc = SQLITE_OK;
    sqlite3_stmt *q = s->q[Q_FIRST_QUEUED];
    bind_i64(q, 1, study, &rc);
    rc = step(q, rc);
    int found = rc == SQLITE_ROW;
    if (found) {
        *id = sqlite3_column_int64(q, 0);
        *number = sqlite3_column_int(q, 1);
    }
    if ((rc = done(q, rc)) != SQLITE_OK)
        return fail(s, rc);
    return found ? LD_OK : failf(s, LD_ERR_NOTFOUND, "no trial is queued");
}

/* The claim is one write transaction (or savepoint of the caller's), so no other tuner can take
   the trial between finding it and marking it running. */
static ld_status sq_claim_queued(void *state, int64_t study, const char *host, int pid,
                                 double now, int *number)
{
    store *s = state;
    doing(s, "claim a queued trial of study %lld", (long long)study);
    ld_status st = writable(s);
    if (st == LD_OK)
        st = atomic_begin(s);
    if (st != LD_OK)
        return st;
    int64_t id = 0;
    int candidate = -1;
    if ((st = first_queued(s, study, &id, &candidate)) != LD_OK)
        return atomic_end(s, st);
    int rc = SQLITE_OK;
    sqlite3_stmt *q = s->q[Q_CLAIM];
    bind_i64(q, 1, id, &rc);
    bind_str(q, 2, host, &rc);
    bind_opt_int(q, 3, pid, 0, &rc);
    bind_time(q, 4, now, &rc);
    st = changed_one(s, study, candidate, run(q, rc), "queued");
    if (st == LD_OK)
        *number = candidate;
    return st;
}

static ld_status sq_set_trial_process(void *state, int64_t study, int number, int pid,
                                      const char *command_json, const char *log_path,
                                      const char *git_commit, double started)
{
    store *s = state;
    doing(s, "record the process of trial %d of study %lld", number, (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    if ((st = atomic_begin(s)) != LD_OK)
        return st;
    int rc = SQLITE_OK;
    sqlite3_stmt *q = for_trial(s, Q_SET_PROCESS, study, number, &rc);
    bind_opt_int(q, 3, pid, 0, &rc);
    bind_str(q, 4, command_json, &rc);
    bind_str(q, 5, log_path, &rc);
    bind_str(q, 6, git_commit, &rc);
    bind_time(q, 7, started, &rc);
    return changed_one(s, study, number, run(q, rc), NULL);
}

static ld_status sq_finish_trial(void *state, int64_t study, int number, ld_trial_state from,
                                 const ld_trial_finish *fin)
{
    store *s = state;
    doing(s, "mark trial %d of study %lld %s", number, (long long)study,
          ld_trial_state_name(fin->state));
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    if ((unsigned)fin->state > LD_TRIAL_FAILED || (unsigned)from > LD_TRIAL_FAILED)
        return failf(s, LD_ERR_INPUT, "unknown trial state");
    if ((st = atomic_begin(s)) != LD_OK)
        return st;
    int rc = SQLITE_OK;
    sqlite3_stmt *q = for_trial(s, Q_FINISH, study, number, &rc);
    bind_str(q, 3, ld_trial_state_name(from), &rc);
    bind_str(q, 4, ld_trial_state_name(fin->state), &rc);
    bind_i64(q, 5, fin->has_value != 0, &rc);
    if (fin->has_value)
        bind_real(q, 6, fin->value, &rc);
    bind_time(q, 7, fin->finished, &rc);
    bind_opt_int(q, 8, fin->exit_code, -1, &rc);
    bind_i64(q, 9, fin->term_signal, &rc);
    bind_str(q, 10, fin->reason, &rc);
    return changed_one(s, study, number, run(q, rc), ld_trial_state_name(from));
}

static ld_status sq_set_requeued_as(void *state, int64_t study, int number, int requeued_as)
{
    store *s = state;
    doing(s, "record that trial %d of study %lld is re-run as %d", number,
          (long long)study, requeued_as);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    if ((st = atomic_begin(s)) != LD_OK)
        return st;
    int rc = SQLITE_OK;
    sqlite3_stmt *q = for_trial(s, Q_REQUEUED_AS, study, number, &rc);
    bind_opt_int(q, 3, requeued_as, -1, &rc);
    return changed_one(s, study, number, run(q, rc), NULL);
}

static ld_status insert_values(store *s, int64_t study, int number, double step, double time,
                               size_t n, const char *const *keys, const double *values)
{
    int64_t id = 0;
    ld_status st = trial_id(s, study, number, &id);
    sqlite3_stmt *q = s->q[Q_INSERT_VALUE];
    for (size_t i = 0; st == LD_OK && i < n; i++) {
        int rc = SQLITE_OK;
        bind_i64(q, 1, id, &rc);
        bind_real(q, 2, step, &rc);
        bind_str(q, 3, keys[i], &rc);
        bind_real(q, 4, values[i], &rc);
        bind_time(q, 5, time, &rc);
        if ((rc = run(q, rc)) != SQLITE_OK)
            st = fail(s, rc);
    }
    return st == LD_OK ? stamp(s, study, number) : st;
}

static ld_status sq_add_values(void *state, int64_t study, int number, double step, double time,
                               size_t n, const char *const *keys, const double *values)
{
    store *s = state;
    doing(s, "add values to trial %d of study %lld", number, (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    st = atomic_begin(s);
    if (st != LD_OK)
        return st;
    return atomic_end(s, insert_values(s, study, number, step, time, n, keys, values));
}

static ld_status beat(store *s, int64_t study, const int *numbers, size_t n, double now)
{
    for (size_t i = 0; i < n; i++) {
        int rc = SQLITE_OK;
        sqlite3_stmt *q = for_trial(s, Q_HEARTBEAT, study, numbers[i], &rc);
        bind_time(q, 3, now, &rc);
        if ((rc = run(q, rc)) != SQLITE_OK)
            return fail(s, rc);
    }
    return LD_OK;
}

static ld_status sq_heartbeat(void *state, int64_t study, const int *numbers, size_t n,
                              double now)
{
    store *s = state;
    doing(s, "record the heartbeat of %zu trials of study %lld", n, (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK || n == 0)
        return st;
    st = atomic_begin(s);
    if (st != LD_OK)
        return st;
    return atomic_end(s, beat(s, study, numbers, n, now));
}

static ld_status sq_request_stop(void *state, int64_t study, int number)
{
    store *s = state;
    doing(s, "request a stop of trial %d of study %lld", number, (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    if ((st = atomic_begin(s)) != LD_OK)
        return st;
    int rc = SQLITE_OK;
    sqlite3_stmt *q = for_trial(s, Q_REQUEST_STOP, study, number, &rc);
    return changed_one(s, study, number, run(q, rc), "queued or running");
}

static ld_status sq_count_trials(void *state, int64_t study, size_t *total, size_t *live)
{
    store *s = state;
    doing(s, "count the trials of study %lld", (long long)study);
    int rc = SQLITE_OK;
    sqlite3_stmt *q = s->q[Q_COUNT_TRIALS];
    bind_i64(q, 1, study, &rc);
    rc = step(q, rc);
    if (rc == SQLITE_ROW) {
        *total = (size_t)sqlite3_column_int64(q, 0);
        *live = *total - (size_t)sqlite3_column_int64(q, 1);
    }
    if ((rc = done(q, rc)) != SQLITE_OK)
        return fail(s, rc);
    return LD_OK;
}

/* ---- reading trials -------------------------------------------------------------------- */

static ld_status trial_from_row(store *s, sqlite3_stmt *q, ld_trial *t)
{
    int nomem = 0;
    int state = ld_trial_state_parse((const char *)sqlite3_column_text(q, TC_STATE));
    t->number = sqlite3_column_int(q, TC_NUMBER);
    t->state = state < 0 ? LD_TRIAL_FAILED : (ld_trial_state)state;
    t->has_value = sqlite3_column_int(q, TC_HAS_VALUE);
    t->value = t->has_value ? col_real(q, TC_VALUE) : 0;
    t->created = col_time(q, TC_CREATED);
    t->started = col_time(q, TC_STARTED);
    t->finished = col_time(q, TC_FINISHED);
    t->heartbeat = col_time(q, TC_HEARTBEAT);
    t->exit_code = col_int_or(q, TC_EXIT_CODE, -1);
    t->term_signal = sqlite3_column_int(q, TC_TERM_SIGNAL);
    t->reason = col_str(q, TC_REASON, &nomem);
    t->host = col_str(q, TC_HOST, &nomem);
    t->pid = col_int_or(q, TC_PID, 0);
    t->command = col_str(q, TC_COMMAND, &nomem);
    t->log_path = col_str(q, TC_LOG_PATH, &nomem);
    t->git_commit = col_str(q, TC_GIT_COMMIT, &nomem);
    t->grid_index = col_int_or(q, TC_GRID_INDEX, -1);
    t->retry_of = col_int_or(q, TC_RETRY_OF, -1);
    t->requeued_as = col_int_or(q, TC_REQUEUED_AS, -1);
    t->stop_requested = sqlite3_column_int(q, TC_STOP_REQUESTED);
    t->tuner_pid = col_int_or(q, TC_TUNER_PID, 0);
    if (nomem)
        return failf(s, LD_ERR_NOMEM, "out of memory");
    if (state < 0)
        return failf(s, LD_ERR_STORAGE, "trial %d has an unknown state", t->number);
    return LD_OK;
}

/* One of the three trial queries (q: its range form) bound to a selection. */
static sqlite3_stmt *trials_query(store *s, int q, const ld_rows_selection *sel, int *rc)
{
    if (!sel->by_change) {
        sqlite3_stmt *st = for_trial(s, q, sel->study, sel->lo, rc);
        bind_i64(st, 3, sel->hi, rc);
        return st;
    }
    sqlite3_stmt *st = s->q[q + (Q_TRIALS_CHANGED - Q_TRIALS)];
    bind_i64(st, 1, sel->study, rc);
    bind_i64(st, 2, sel->since, rc);
    return st;
}

static ld_status read_trials(store *s, const ld_rows_selection *sel, ld_trial **trials, size_t *n)
{
    int rc = SQLITE_OK;
    sqlite3_stmt *q = trials_query(s, Q_TRIALS, sel, &rc);
    ld_status st = LD_OK;
    while (st == LD_OK && (rc = step(q, rc)) == SQLITE_ROW) {
        ld_trial *grown = ld_rows_grow(*trials, *n, sizeof **trials);
        if (!grown) {
            st = failf(s, LD_ERR_NOMEM, "out of memory");
            break;
        }
        *trials = grown;
        ld_trial *t = &grown[(*n)++];
        memset(t, 0, sizeof *t);
        st = trial_from_row(s, q, t);
    }
    rc = done(q, rc);
    if (st == LD_OK && rc != SQLITE_OK)
        st = fail(s, rc);
    return st;
}

static ld_status read_params(store *s, const ld_rows_selection *sel, ld_trial *trials, size_t n)
{
    int rc = SQLITE_OK, ok = 1;
    size_t j = 0;
    sqlite3_stmt *q = trials_query(s, Q_PARAMS, sel, &rc);
    while (ok && (rc = step(q, rc)) == SQLITE_ROW) {
        ld_trial *t = ld_rows_trial(trials, n, &j, sqlite3_column_int(q, 0));
        if (t) /* columns: number, name, type, num, str */
            ok = ld_rows_add_param(t, (const char *)sqlite3_column_text(q, 1),
                                   (const char *)sqlite3_column_text(q, 2), col_real(q, 3),
                                   (const char *)sqlite3_column_text(q, 4));
    }
    rc = done(q, rc);
    if (!ok)
        return failf(s, LD_ERR_NOMEM, "out of memory");
    return rc == SQLITE_OK ? LD_OK : fail(s, rc);
}

static ld_status read_values(store *s, const ld_rows_selection *sel, ld_trial *trials, size_t n)
{
    int rc = SQLITE_OK, ok = 1;
    size_t j = 0;
    sqlite3_stmt *q = trials_query(s, Q_VALUES, sel, &rc);
    while (ok && (rc = step(q, rc)) == SQLITE_ROW) {
        ld_trial *t = ld_rows_trial(trials, n, &j, sqlite3_column_int(q, 0));
        if (t) /* columns: number, step, key, value, time */
            ok = ld_rows_add_point(t, (const char *)sqlite3_column_text(q, 2), col_real(q, 1),
                                   col_real(q, 3), col_time(q, 4));
    }
    rc = done(q, rc);
    if (!ok)
        return failf(s, LD_ERR_NOMEM, "out of memory");
    return rc == SQLITE_OK ? LD_OK : fail(s, rc);
}

/* The study's change count now. */
static ld_status read_changes(store *s, int64_t study, int64_t *changes)
{
    int rc = SQLITE_OK;
    sqlite3_stmt *q = s->q[Q_CHANGES];
    bind_i64(q, 1, study, &rc);
    rc = step(q, rc);
    int found = rc == SQLITE_ROW;
    if (found)
        *changes = sqlite3_column_int64(q, 0);
    if ((rc = done(q, rc)) != SQLITE_OK)
        return fail(s, rc);
    return found ? LD_OK : failf(s, LD_ERR_NOTFOUND, "no such study");
}

/* The selected trials with params (and series), from one snapshot, in three queries; with
   `changes`, the study's change count in the same snapshot. */
static ld_status load_trials(store *s, const ld_rows_selection *sel, int with_metrics,
                             ld_trial **out, size_t *n, int64_t *changes)
{
    ld_trial *trials = NULL;
    size_t count = 0;
    ld_status st = read_begin(s);
    if (st != LD_OK)
        return st;
    if (changes)
        st = read_changes(s, sel->study, changes);
    if (st == LD_OK)
        st = read_trials(s, sel, &trials, &count);
    if (st == LD_OK)
        st = read_params(s, sel, trials, count);
    if (st == LD_OK && with_metrics)
        st = read_values(s, sel, trials, count);
    st = read_end(s, st);
    if (st != LD_OK) {
        ld_trials_free(trials, count);
        return st;
    }
    *out = trials;
    *n = count;
    return LD_OK;
}

static ld_status sq_list_trials(void *state, int64_t study, int with_metrics, ld_trial **out,
                                size_t *n)
{
    store *s = state;
    doing(s, "list the trials of study %lld", (long long)study);
    *out = NULL;
    *n = 0;
    ld_rows_selection all = {.study = study, .lo = 0, .hi = INT32_MAX};
    return load_trials(s, &all, with_metrics, out, n, NULL);
}

static ld_status sq_list_changed(void *state, int64_t study, int64_t since, int with_metrics,
                                 ld_trial **out, size_t *n, int64_t *upto)
{
    store *s = state;
    doing(s, "read the changed trials of study %lld", (long long)study);
    *out = NULL;
    *n = 0;
    ld_rows_selection changed = {.study = study, .by_change = 1, .since = since};
    return load_trials(s, &changed, with_metrics, out, n, upto);
}

static ld_status sq_get_trial(void *state, int64_t study, int number, int with_metrics,
                              ld_trial *out)
{
    store *s = state;
    doing(s, "get trial %d of study %lld", number, (long long)study);
    memset(out, 0, sizeof *out);
    ld_trial *trials = NULL;
    size_t n = 0;
    ld_rows_selection one = {.study = study, .lo = number, .hi = number};
    ld_status st = load_trials(s, &one, with_metrics, &trials, &n, NULL);
    if (st != LD_OK)
        return st;
    if (n == 0)
        return failf(s, LD_ERR_NOTFOUND, "no such trial");
    *out = trials[0];
    free(trials);
    return LD_OK;
}

const ld_storage_type ld_storage_sqlite = {
    .name = "sqlite",
    .version = 1,
    .open = sq_open,
    .close = sq_close,
    .errmsg = sq_errmsg,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .create_study = sq_create_study,
    .find_study = sq_find_study,
    .list_studies = sq_list_studies,
    .set_study_note = sq_set_study_note,
    .create_trial = sq_create_trial,
    .claim_queued = sq_claim_queued,
    .set_trial_process = sq_set_trial_process,
    .finish_trial = sq_finish_trial,
    .set_requeued_as = sq_set_requeued_as,
    .add_values = sq_add_values,
    .list_trials = sq_list_trials,
    .list_changed = sq_list_changed,
    .get_trial = sq_get_trial,
    .heartbeat = sq_heartbeat,
    .request_stop = sq_request_stop,
    .open_readonly = sq_open_readonly,
    .count_trials = sq_count_trials,
    .delete_study = sq_delete_study,
    .rename_study = sq_rename_study,
};
