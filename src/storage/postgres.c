/*
 * postgres.c — the PostgreSQL back-end of the storage interface: one journal that tuners on many
 * machines share over the network.
 *
 * URLs: postgresql://[user[:password]@][host][:port][/dbname][?param=value&...] (or postgres://)
 * go to libpq whole, so every libpq parameter works (sslmode, connect_timeout, options ...). The
 * password comes from PGPASSWORD or ~/.pgpass (PGPASSFILE) as libpq reads them. One written in
 * the URL works too but is never shown: messages carry the URL with the password masked, and
 * nothing writes the URL to the journal.
 *
 * Tables are named liandan_* and live in the first schema of the search_path (public unless the
 * URL sets options=-csearch_path=...), so a database may hold other programs' tables, Optuna's
 * "studies" and "trials" included. liandan_meta holds the schema version; the first open creates
 * or migrates the schema inside one transaction under an advisory lock, so tuners starting
 * together do it once. A database newer than this code is refused.
 *
 * Claiming (storage.h's begin/commit contract): begin is a READ COMMITTED transaction, and the
 * first operation in it that names a study takes a row lock on the study (SELECT ... FOR NO KEY
 * UPDATE). Two claim transactions on one study therefore run one after the other, and each
 * statement after the lock sees everything committed before it: read the history, choose, create.
 * claim_queued is a single UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1),
 * and finish_trial a conditional UPDATE checked by its row count, so two tuners never both win a
 * transition (the state machine is drawn in liandan.h).
 *
 * Failures. Expected outcomes never raise SQL errors (INSERT ... ON CONFLICT DO NOTHING, a lock
 * query that finds no study, conditional updates), so a transaction stays usable after them.
 * Outside begin/commit each operation is retried, at most MAX_ATTEMPTS times, after serialization
 * failures and deadlocks, and after a lost connection (a restarted server) once it reconnects,
 * waiting up to RECONNECT_SECONDS. When the connection broke after a write was sent, the write may
 * or may not have happened: idempotent writes are repeated; add_values, finish_trial and
 * claim_queued first look whether it was recorded; create_trial, create_study and the core's
 * commit say the outcome is unknown. Inside begin/commit a lost connection loses the
 * transaction: the operation fails and the caller rolls back.
 *
 * Speed: statements are prepared once per connection; list_trials and list_studies run a fixed
 * number of queries in one REPEATABLE READ snapshot, whatever the number of trials. Floats travel
 * as text ("%.17g" reads back exactly; NaN and the infinities are float8 values of their own).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "storage/rows.h"
#include "storage/storage.h"
#include "util/buf.h"

#define MAX_ATTEMPTS 8
#define RECONNECT_SECONDS 60
#define CONNECT_TIMEOUT "10"           /* seconds per connection attempt, unless the URL says */
#define SCHEMA_LOCK "7237152938504120" /* pg_advisory_xact_lock key for migrations */
#define MAX_ARGS 16

static const char *const migrations[] = {
    /* 1: the first schema */
    "CREATE TABLE liandan_studies (\n"
    "    id          bigserial PRIMARY KEY,\n"
    "    name        text NOT NULL UNIQUE,\n"
    "    sweep_path  text,\n"
    "    sweep_text  text,\n"
    "    description text,\n"
    "    conclusion  text,\n"
    "    next_step   text,\n"
    "    parent      text,               -- the name of the study this one refines\n"
    "    metric      text,\n"
    "    maximize    integer NOT NULL CHECK (maximize IN (0, 1)),\n"
    "    seed        bigint NOT NULL,    -- the uint64 seed's bits as an int64\n"
    "    created     double precision\n"
    ");\n"
    "CREATE TABLE liandan_trials (\n"
    "    id             bigserial PRIMARY KEY,\n"
    "    study_id       bigint NOT NULL REFERENCES liandan_studies (id),\n"
    "    number         integer NOT NULL CHECK (number >= 0),\n"
    "    state          text NOT NULL\n"
    "                   CHECK (state IN ('queued', 'running', 'complete', 'pruned', 'failed')),\n"
    "    has_value      integer NOT NULL DEFAULT 0 CHECK (has_value IN (0, 1)),\n"
    "    value          double precision,  -- NaN is a value here\n"
    "    created        double precision,  -- seconds since the epoch, NULL when unset\n"
    "    started        double precision,\n"
    "    finished       double precision,\n"
    "    heartbeat      double precision,\n"
    "    exit_code      integer,           -- NULL: did not exit normally\n"
    "    term_signal    integer NOT NULL DEFAULT 0,\n"
    "    reason         text,\n"
    "    host           text,\n"
    "    pid            integer,           -- the trial's process\n"
    "    tuner_pid      integer,           -- the tuner that owns it (NULL: ask/tell)\n"
    "    command        text,              -- argv as a JSON array\n"
    "    log_path       text,\n"
    "    git_commit     text,\n"
    "    grid_index     integer,\n"
    "    retry_of       integer,           -- trial numbers in the same study\n"
    "    requeued_as    integer,\n"
    "    stop_requested integer NOT NULL DEFAULT 0,\n"
    "    UNIQUE (study_id, number)\n"
    ");\n"
    "CREATE INDEX liandan_trials_by_state ON liandan_trials (study_id, state, number);\n"
    "CREATE TABLE liandan_params (\n"
    "    trial_id bigint NOT NULL REFERENCES liandan_trials (id),\n"
    "    position integer NOT NULL,         -- the parameter's place in the sweep\n"
    "    name     text NOT NULL,\n"
    "    type     text NOT NULL CHECK (type IN ('int', 'float', 'str', 'bool')),\n"
    "    num      double precision,\n"
    "    str      text,\n"
    "    PRIMARY KEY (trial_id, position)\n"
    ");\n"
    "CREATE TABLE liandan_values (\n"
    "    id       bigserial PRIMARY KEY,    -- report order\n"
    "    trial_id bigint NOT NULL REFERENCES liandan_trials (id),\n"
    "    step     double precision,\n"
    "    key      text NOT NULL,\n"
    "    value    double precision,\n"
    "    time     double precision\n"
    ");\n"
    "CREATE INDEX liandan_values_by_trial ON liandan_values (trial_id, id);\n",
    /* 2: change numbers, so that a tuner reads only what changed since it last looked
       (list_changed): every write to a trial but a heartbeat counts one change of its study
       and stamps the trial with the count; the study row's lock orders them as commits */
    "ALTER TABLE liandan_studies ADD COLUMN changes bigint NOT NULL DEFAULT 0;\n"
    "ALTER TABLE liandan_trials ADD COLUMN changed bigint NOT NULL DEFAULT 0;\n"
    "CREATE INDEX liandan_trials_by_change ON liandan_trials (study_id, changed);\n",
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

/* Trials of one study whose number is in [$2, $3]: a range serves both "all" and "one". */
#define TRIALS_IN_RANGE "t.study_id = $1 AND t.number BETWEEN $2 AND $3"
/* Trials of one study changed after change number $2. */
#define TRIALS_CHANGED "t.study_id = $1 AND t.changed > $2"
/* The three reads of a study's trials (rows, params, reports) for the trials `where` selects,
   each ordered by trial number (rows.c merges them). */
#define TRIALS_QUERY(where)                                                                     \
    "SELECT " TRIAL_COLUMNS " FROM liandan_trials t WHERE " where " ORDER BY t.number"
#define PARAMS_QUERY(where)                                                                     \
    "SELECT t.number, p.name, p.type, p.num, p.str FROM liandan_trials t "                      \
    "JOIN liandan_params p ON p.trial_id = t.id WHERE " where " ORDER BY t.number, p.position"
#define VALUES_QUERY(where)                                                                     \
    "SELECT t.number, v.step, v.key, v.value, v.time FROM liandan_trials t "                    \
    "JOIN liandan_values v ON v.trial_id = t.id WHERE " where " ORDER BY t.number, v.id"
/* Every statement that changes a trial of study $1 starts with this and sets the trial's
   `changed` to CHANGE: one more change of the study, counted in the same statement. */
#define COUNT_CHANGE                                                                            \
    "WITH c AS (UPDATE liandan_studies SET changes = changes + 1 WHERE id = $1 "                \
    "RETURNING changes) "
#define CHANGE "(SELECT changes FROM c)"

enum {
    Q_LOCK_STUDY, Q_CREATE_STUDY, Q_STUDY_ID, Q_STUDIES, Q_STUDY_COUNTS, Q_STUDY_BEST,
    Q_NOTE_WHY, Q_NOTE_CONCLUSION, Q_NOTE_NEXT,
    Q_INSERT_TRIAL, Q_CLAIM, Q_CLAIMED, Q_SET_PROCESS, Q_FINISH, Q_FINISHED, Q_REQUEUED_AS,
    Q_TRIAL_STATE, Q_INSERT_VALUES, Q_HAS_VALUES, Q_HEARTBEAT, Q_REQUEST_STOP,
    Q_TRIALS, Q_PARAMS, Q_VALUES, Q_TRIALS_CHANGED, Q_PARAMS_CHANGED, Q_VALUES_CHANGED,
    Q_CHANGES, Q_COUNT_TRIALS,
    Q_DELETE_VALUES, Q_DELETE_PARAMS, Q_DELETE_TRIALS, Q_DELETE_STUDY, Q_RENAME, Q_RENAME_PARENT,
    N_QUERIES
};

static const char *const queries[N_QUERIES] = {
    [Q_LOCK_STUDY] = "SELECT id FROM liandan_studies WHERE id = $1 FOR NO KEY UPDATE",
    [Q_CREATE_STUDY] = "INSERT INTO liandan_studies (name, sweep_path, sweep_text, description, "
                       "parent, metric, maximize, seed, created) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                       "ON CONFLICT (name) DO NOTHING RETURNING id",
    [Q_STUDY_ID] = "SELECT id FROM liandan_studies WHERE name = $1",
    [Q_STUDIES] = "SELECT id, name, sweep_path, sweep_text, description, conclusion, next_step, "
                  "parent, metric, maximize, seed, created FROM liandan_studies "
                  "WHERE id BETWEEN $1 AND $2 ORDER BY id",
    /* The counts follow ld_trial_state's order. */
    [Q_STUDY_COUNTS] = "SELECT study_id, COUNT(*), "
                       "COUNT(*) FILTER (WHERE state = 'queued'), "
                       "COUNT(*) FILTER (WHERE state = 'running'), "
                       "COUNT(*) FILTER (WHERE state = 'complete'), "
                       "COUNT(*) FILTER (WHERE state = 'pruned'), "
                       "COUNT(*) FILTER (WHERE state = 'failed'), "
                       "COALESCE(SUM(finished - started) FILTER (WHERE state IN "
                       "('complete', 'pruned', 'failed')), 0), "
                       "COUNT(*) FILTER (WHERE state = 'failed' AND reason LIKE 'interrupted%') "
                       "FROM liandan_trials WHERE study_id BETWEEN $1 AND $2 "
                       "GROUP BY study_id ORDER BY study_id",
    /* NaN sorts above every number in PostgreSQL: it never wins. */
    [Q_STUDY_BEST] = "SELECT DISTINCT ON (t.study_id) t.study_id, t.number, t.value "
                     "FROM liandan_trials t JOIN liandan_studies s ON s.id = t.study_id "
                     "WHERE t.study_id BETWEEN $1 AND $2 AND t.state = 'complete' "
                     "AND t.has_value = 1 AND t.value IS NOT NULL AND t.value <> 'NaN' "
                     "ORDER BY t.study_id, "
                     "CASE WHEN s.maximize = 1 THEN -t.value ELSE t.value END, t.number",
    [Q_NOTE_WHY] = "UPDATE liandan_studies SET description = $2 WHERE id = $1",
    [Q_NOTE_CONCLUSION] = "UPDATE liandan_studies SET conclusion = $2 WHERE id = $1",
    [Q_NOTE_NEXT] = "UPDATE liandan_studies SET next_step = $2 WHERE id = $1",
    [Q_DELETE_VALUES] = "DELETE FROM liandan_values WHERE trial_id IN "
                        "(SELECT id FROM liandan_trials WHERE study_id = $1)",
    [Q_DELETE_PARAMS] = "DELETE FROM liandan_params WHERE trial_id IN "
                        "(SELECT id FROM liandan_trials WHERE study_id = $1)",
    [Q_DELETE_TRIALS] = "DELETE FROM liandan_trials WHERE study_id = $1",
    [Q_DELETE_STUDY] = "DELETE FROM liandan_studies WHERE id = $1",
    /* no unique violation (it would fail the caller's transaction): 0 rows when `to` is taken */
    [Q_RENAME] = "UPDATE liandan_studies SET name = $2 WHERE id = $1 AND NOT EXISTS "
                 "(SELECT 1 FROM liandan_studies WHERE name = $2)",
    [Q_RENAME_PARENT] = "UPDATE liandan_studies SET parent = $2 WHERE parent = $1",
    /* The trial and its params in one statement; the caller holds the study's lock. */
    [Q_INSERT_TRIAL] = COUNT_CHANGE ", t AS (INSERT INTO liandan_trials (study_id, number, "
                       "state, created, started, heartbeat, host, tuner_pid, grid_index, "
                       "retry_of, changed) "
                       "SELECT $1, COALESCE(MAX(number), -1) + 1, $2, $3, $4, $4, $5, $6, $7, $8, "
                       CHANGE " FROM liandan_trials WHERE study_id = $1 RETURNING id, number), "
                       "p AS (INSERT INTO liandan_params (trial_id, position, name, type, num, "
                       "str) SELECT t.id, u.position, u.name, u.type, u.num, u.str FROM t, "
                       "unnest($9::integer[], $10::text[], $11::text[], "
                       "$12::double precision[], $13::text[]) AS u(position, name, type, num, str)) "
                       "SELECT number FROM t",
    [Q_CLAIM] = COUNT_CHANGE "UPDATE liandan_trials SET state = 'running', host = $2, "
                "tuner_pid = $3, started = $4, heartbeat = $4, changed = " CHANGE " WHERE id = ("
                "SELECT id FROM liandan_trials WHERE study_id = $1 AND state = 'queued' "
                "ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED) AND state = 'queued' "
                "RETURNING number",
    /* After a lost connection: did our claim happen? */
    [Q_CLAIMED] = "SELECT number FROM liandan_trials WHERE study_id = $1 AND state = 'running' "
                  "AND host IS NOT DISTINCT FROM $2 AND tuner_pid IS NOT DISTINCT FROM $3 "
                  "AND started IS NOT DISTINCT FROM $4 ORDER BY number LIMIT 1",
    [Q_SET_PROCESS] = COUNT_CHANGE "UPDATE liandan_trials SET pid = $3, command = $4, "
                      "log_path = $5, git_commit = $6, started = COALESCE($7, started), "
                      "changed = " CHANGE " "
                      "WHERE study_id = $1 AND number = $2",
    [Q_FINISH] = COUNT_CHANGE "UPDATE liandan_trials SET state = $4, has_value = $5, "
                 "value = $6, finished = $7, exit_code = $8, term_signal = $9, reason = $10, "
                 "changed = " CHANGE " "
                 "WHERE study_id = $1 AND number = $2 AND state = $3",
    /* After a lost connection: is the trial already as we meant to leave it? */
    [Q_FINISHED] = "SELECT 1 FROM liandan_trials WHERE study_id = $1 AND number = $2 "
                   "AND state = $3 AND finished IS NOT DISTINCT FROM $4",
    [Q_REQUEUED_AS] = COUNT_CHANGE "UPDATE liandan_trials SET requeued_as = $3, "
                      "changed = " CHANGE " "
                      "WHERE study_id = $1 AND number = $2",
    [Q_TRIAL_STATE] = "SELECT state FROM liandan_trials WHERE study_id = $1 AND number = $2",
    /* n values of one report in one statement; no row when the trial does not exist. */
    [Q_INSERT_VALUES] = COUNT_CHANGE ", u AS (UPDATE liandan_trials SET changed = " CHANGE
                        " WHERE study_id = $1 AND number = $2) "
                        "INSERT INTO liandan_values (trial_id, step, key, value, time) "
                        "SELECT t.id, $3, u.key, u.value, $6 FROM liandan_trials t, "
                        "unnest($4::text[], $5::double precision[]) WITH ORDINALITY "
                        "AS u(key, value, i) WHERE t.study_id = $1 AND t.number = $2 "
                        "ORDER BY u.i",
    [Q_HAS_VALUES] = "SELECT 1 FROM liandan_values v JOIN liandan_trials t ON t.id = v.trial_id "
                     "WHERE t.study_id = $1 AND t.number = $2 AND v.key = $3 "
                     "AND v.time IS NOT DISTINCT FROM $4 AND v.step IS NOT DISTINCT FROM $5 "
                     "LIMIT 1",
    [Q_HEARTBEAT] = "UPDATE liandan_trials SET heartbeat = $3 "
                    "WHERE study_id = $1 AND number = ANY ($2::integer[]) AND state = 'running'",
    [Q_REQUEST_STOP] = COUNT_CHANGE "UPDATE liandan_trials SET stop_requested = 1, "
                       "changed = " CHANGE " "
                       "WHERE study_id = $1 AND number = $2 AND state IN ('queued', 'running')",
    [Q_TRIALS] = TRIALS_QUERY(TRIALS_IN_RANGE),
    [Q_PARAMS] = PARAMS_QUERY(TRIALS_IN_RANGE),
    [Q_VALUES] = VALUES_QUERY(TRIALS_IN_RANGE),
    [Q_TRIALS_CHANGED] = TRIALS_QUERY(TRIALS_CHANGED),
    [Q_PARAMS_CHANGED] = PARAMS_QUERY(TRIALS_CHANGED),
    [Q_VALUES_CHANGED] = VALUES_QUERY(TRIALS_CHANGED),
    [Q_CHANGES] = "SELECT changes FROM liandan_studies WHERE id = $1",
    /* numbers are contiguous from 0, so MAX + 1 (one index probe) is the count */
    [Q_COUNT_TRIALS] = "SELECT COALESCE(MAX(number), -1) + 1, (SELECT COUNT(*) FROM "
                       "liandan_trials WHERE study_id = $1 AND requeued_as IS NOT NULL) "
                       "FROM liandan_trials WHERE study_id = $1",
};

/* What a failed statement leaves behind, for the retry decision. */
typedef enum {
    AFTER_NONE = 0, /* a failure that retrying will not cure */
    AFTER_SAFE,     /* nothing happened (not sent, or a serialization failure / deadlock) */
    AFTER_UNSURE    /* the connection broke after the statement was sent */
} aftermath;

typedef struct {
    PGconn *conn;
    char *url;            /* for messages only: the password masked */
    int readonly;
    int in_txn;           /* between begin and commit/rollback */
    int txn_failed;       /* PostgreSQL aborted the transaction; only a rollback remains */
    int64_t locked_study; /* the study whose row this transaction locked, or -1 */
    int broken;           /* writes are refused; broken_msg says why */
    aftermath after;      /* of the last failure */
    int check_first;      /* retrying after AFTER_UNSURE: look whether the write happened */
    int prepared[N_QUERIES];
    char what[256];       /* the operation under way: "create a trial in study 3" */
    char msg[1024];
    char broken_msg[1024];
} store;

/* ---- messages and failures ------------------------------------------------------------- */

static void doing(store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void doing(store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->what, sizeof s->what, fmt, ap);
    va_end(ap);
}

/* Records "postgresql: cannot <what>: <reason>" and returns st. */
static ld_status failf(store *s, ld_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ld_status failf(store *s, ld_status st, const char *fmt, ...)
{
    char reason[720];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(s->msg, sizeof s->msg, "postgresql: cannot %s: %s", s->what, reason);
    return st;
}

/* libpq's message on one line: "a\n\tb\n" -> "a; b". */
static void one_line(const char *in, char *out, size_t size)
{
    size_t j = 0;
    int gap = 0;
    for (const char *p = in ? in : ""; *p && j + 3 < size; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t') {
            gap = 1;
            continue;
        }
        if (gap && j > 0) {
            out[j++] = ';';
            out[j++] = ' ';
        }
        gap = 0;
        out[j++] = *p;
    }
    out[j] = '\0';
}

static int connection_lost(const store *s) { return !s->conn || PQstatus(s->conn) != CONNECTION_OK; }

static int sqlstate_is(const PGresult *r, const char *code)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return state && strcmp(state, code) == 0;
}

/* Records the failure of a statement (res may be NULL); sent: it reached the server. */
static ld_status fail_result(store *s, const PGresult *res, int sent)
{
    char reason[700];
    const char *text = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
                       : s->conn                         ? PQerrorMessage(s->conn)
                                                         : "no connection";
    one_line(text, reason, sizeof reason);
    if (s->in_txn)
        s->txn_failed = 1;
    if (connection_lost(s)) {
        s->after = sent ? AFTER_UNSURE : AFTER_SAFE;
        return failf(s, LD_ERR_STORAGE, "the connection to the server was lost (%s)", reason);
    }
    s->after = sqlstate_is(res, "40001") || sqlstate_is(res, "40P01") ? AFTER_SAFE : AFTER_NONE;
    if (sqlstate_is(res, "XX001") || sqlstate_is(res, "XX002")) { /* corrupt data or index */
        failf(s, LD_ERR_STORAGE, "%s", reason);
        if (!s->broken) {
            s->broken = 1;
            memcpy(s->broken_msg, s->msg, sizeof s->msg);
        }
        return LD_ERR_STORAGE;
    }
    return failf(s, LD_ERR_STORAGE, "%s", reason);
}

static ld_status writable(store *s)
{
    if (!s->broken)
        return LD_OK;
    s->after = AFTER_NONE;
    return failf(s, LD_ERR_STORAGE, "writes are refused after an earlier failure (%.600s)",
                 s->broken_msg);
}

/* The URL with its password masked, for messages. */
static char *masked_url(const char *url)
{
    ld_buf b = LD_BUF_INIT;
    const char *rest = strstr(url, "://");
    rest = rest ? rest + 3 : url;
    const char *end = rest + strcspn(rest, "/?");
    const char *at = NULL;
    for (const char *p = rest; p < end; p++)
        if (*p == '@')
            at = p;
    const char *colon = at ? memchr(rest, ':', (size_t)(at - rest)) : NULL;
    if (colon) {
        ld_buf_append(&b, url, (size_t)(colon - url));
        ld_buf_puts(&b, ":***");
        url = at;
    }
    /* password=... among the query parameters */
    for (const char *p = url; *p;) {
        const char *hit = strstr(p, "password=");
        if (!hit || (hit != url && hit[-1] != '?' && hit[-1] != '&')) {
            if (!hit) {
                ld_buf_puts(&b, p);
                break;
            }
            ld_buf_append(&b, p, (size_t)(hit - p) + 9);
            p = hit + 9;
            continue;
        }
        ld_buf_append(&b, p, (size_t)(hit - p) + 9);
        ld_buf_puts(&b, "***");
        p = hit + 9 + strcspn(hit + 9, "&");
    }
    return ld_buf_take(&b);
}

/* ---- statement arguments --------------------------------------------------------------- */

/* Text arguments of one statement; NULL is SQL NULL. Builders never fail but may set nomem. */
typedef struct {
    int n;
    int nomem;
    const char *v[MAX_ARGS];
    char num[MAX_ARGS][40];
    char *owned[MAX_ARGS];
} args;

static char *slot(args *a) { return a->num[a->n]; }

static void a_null(args *a) { a->v[a->n++] = NULL; }

static void a_str(args *a, const char *v) { a->v[a->n++] = v; }

static void a_i64(args *a, int64_t v)
{
    snprintf(slot(a), sizeof a->num[0], "%lld", (long long)v);
    a->v[a->n] = a->num[a->n];
    a->n++;
}

/* v, or NULL when v is the "unset" value none. */
static void a_opt_int(args *a, int v, int none)
{
    if (v == none)
        a_null(a);
    else
        a_i64(a, v);
}

static void format_real(double v, char *out, size_t size)
{
    if (isnan(v))
        snprintf(out, size, "NaN");
    else if (isinf(v))
        snprintf(out, size, v > 0 ? "Infinity" : "-Infinity");
    else
        snprintf(out, size, "%.17g", v);
}

static void a_real(args *a, double v)
{
    format_real(v, slot(a), sizeof a->num[0]);
    a->v[a->n] = a->num[a->n];
    a->n++;
}

/* A time of 0 means "not set" and is stored as NULL. */
static void a_time(args *a, double t)
{
    if (t == 0)
        a_null(a);
    else
        a_real(a, t);
}

/* Takes a string the caller allocated (NULL: out of memory). */
static void a_own(args *a, char *v)
{
    if (!v)
        a->nomem = 1;
    a->owned[a->n] = v;
    a->v[a->n++] = v;
}

static void args_free(args *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->owned[i]);
}

/* An element of a text array literal: quoted, with " and \ escaped; NULL unquoted. */
static void array_text(ld_buf *b, const char *v)
{
    if (!v) {
        ld_buf_puts(b, "NULL");
        return;
    }
    ld_buf_putc(b, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '"' || *p == '\\')
            ld_buf_putc(b, '\\');
        ld_buf_putc(b, *p);
    }
    ld_buf_putc(b, '"');
}

static void array_real(ld_buf *b, double v)
{
    char num[40];
    format_real(v, num, sizeof num);
    ld_buf_puts(b, num);
}

/* ---- the connection and statements ----------------------------------------------------- */

static void sleep_seconds(double t)
{
    struct timespec ts = {(time_t)t, (long)((t - (double)(time_t)t) * 1e9)};
    nanosleep(&ts, NULL);
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Quiets libpq's notices (CREATE TABLE ... chatter): the library never prints. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Reads what the server sent while we were idle, so a connection the server closed (a restart)
   shows as lost before we send anything on it. */
static void poll_connection(store *s)
{
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK && !PQconsumeInput(s->conn))
        return; /* PQstatus now says CONNECTION_BAD */
    PGnotify *n;
    while (s->conn && (n = PQnotifies(s->conn)) != NULL)
        PQfreemem(n);
}

/* Connects again after a lost connection, trying for up to RECONNECT_SECONDS. */
static ld_status reconnect(store *s)
{
    double deadline = mono_now() + RECONNECT_SECONDS, delay = 0.1;
    for (;;) {
        PQreset(s->conn);
        if (PQstatus(s->conn) == CONNECTION_OK) {
            memset(s->prepared, 0, sizeof s->prepared);
            return LD_OK;
        }
        if (mono_now() + delay > deadline) {
            char reason[600];
            one_line(PQerrorMessage(s->conn), reason, sizeof reason);
            s->after = AFTER_NONE;
            return failf(s, LD_ERR_STORAGE,
                         "the connection to the server was lost and did not come back within "
                         "%d s (%s)",
                         RECONNECT_SECONDS, reason);
        }
        sleep_seconds(delay);
        delay = delay * 2 > 2 ? 2 : delay * 2;
    }
}

/* Checks a result: the result to read (caller PQclear) or NULL with the failure recorded. */
static PGresult *checked(store *s, PGresult *res)
{
    ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK)
        return res;
    fail_result(s, res, 1);
    PQclear(res);
    return NULL;
}

/* Runs query q with args a; the result (caller PQclear) or NULL with the failure recorded. */
static PGresult *run(store *s, int q, const args *a)
{
    if (a && a->nomem) {
        s->after = AFTER_NONE;
        failf(s, LD_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (s->in_txn && s->txn_failed) {
        s->after = AFTER_NONE;
        failf(s, LD_ERR_STORAGE, "the transaction failed earlier and must be rolled back");
        return NULL;
    }
    if (connection_lost(s)) {
        fail_result(s, NULL, 0);
        return NULL;
    }
    char name[16];
    snprintf(name, sizeof name, "ld%d", q);
    if (!s->prepared[q]) {
        PGresult *res = checked(s, PQprepare(s->conn, name, queries[q], 0, NULL));
        if (!res) {
            if (s->after == AFTER_UNSURE)
                s->after = AFTER_SAFE; /* preparing changes no data */
            return NULL;
        }
        PQclear(res);
        s->prepared[q] = 1;
    }
    return checked(s, PQexecPrepared(s->conn, name, a ? a->n : 0, a ? a->v : NULL, NULL, NULL,
                                     0));
}

/* Runs a statement without arguments or result rows (BEGIN, COMMIT ...). */
static ld_status run_plain(store *s, const char *sql)
{
    if (connection_lost(s))
        return fail_result(s, NULL, 0);
    PGresult *res = checked(s, PQexec(s->conn, sql));
    if (!res)
        return LD_ERR_STORAGE;
    PQclear(res);
    return LD_OK;
}

/* Starts a transaction; a BEGIN that failed changed nothing, whatever became of the connection. */
static ld_status run_begin(store *s, const char *sql)
{
    ld_status st = run_plain(s, sql);
    if (st != LD_OK && s->after == AFTER_UNSURE)
        s->after = AFTER_SAFE;
    return st;
}

/* Runs a row-less statement and gives its row count. */
static ld_status run_count(store *s, int q, args *a, long *changed)
{
    PGresult *res = run(s, q, a);
    args_free(a);
    if (!res)
        return a->nomem ? LD_ERR_NOMEM : LD_ERR_STORAGE;
    *changed = strtol(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return LD_OK;
}

/*
 * After a failed attempt of an operation called outside begin/commit: whether to try again. It
 * sleeps a little, or reconnects, first. idempotent: repeating the write is harmless, or the
 * operation looks first whether it happened (check_first).
 */
static int again(store *s, ld_status st, int *attempt, int idempotent)
{
    s->check_first = 0;
    if (st == LD_OK || s->in_txn || s->after == AFTER_NONE || ++*attempt >= MAX_ATTEMPTS)
        return 0;
    if (s->after == AFTER_UNSURE && !idempotent) {
        failf(s, LD_ERR_STORAGE, "the connection to the server was lost while writing; whether "
                                 "the write was recorded is unknown");
        return 0;
    }
    s->check_first = s->after == AFTER_UNSURE;
    if (connection_lost(s))
        return reconnect(s) == LD_OK;
    sleep_seconds(0.01 * (1 << *attempt) * (0.5 + (double)rand() / RAND_MAX));
    return 1;
}

/* Starts an operation outside begin/commit: notices a connection the server closed. */
static void start_op(store *s)
{
    s->after = AFTER_NONE;
    s->check_first = 0;
    if (!s->in_txn)
        poll_connection(s); /* a lost connection then fails the first try unsent: again() */
}

/* Ends the transaction of an operation that ran several statements outside begin/commit. */
static ld_status multi_end(store *s, ld_status st)
{
    if (s->in_txn)
        return st;
    if (st == LD_OK) {
        aftermath keep = s->after;
        st = run_plain(s, "COMMIT");
        if (st == LD_OK)
            s->after = keep;
    } else if (!connection_lost(s)) {
        aftermath keep = s->after;
        char msg[sizeof s->msg];
        memcpy(msg, s->msg, sizeof msg);
        run_plain(s, "ROLLBACK");
        memcpy(s->msg, msg, sizeof msg);
        s->after = keep == AFTER_UNSURE ? AFTER_SAFE : keep; /* not committed */
    } else if (s->after == AFTER_UNSURE) {
        s->after = AFTER_SAFE; /* the transaction never committed */
    }
    return st;
}

/* Reads that run several queries see one snapshot. */
static ld_status read_begin(store *s)
{
    return s->in_txn ? LD_OK : run_begin(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static ld_status read_end(store *s, ld_status st)
{
    if (s->in_txn)
        return st;
    if (connection_lost(s)) {
        if (st != LD_OK)
            s->after = AFTER_SAFE; /* a read: repeating it is harmless */
        return st != LD_OK ? st : fail_result(s, NULL, 0);
    }
    aftermath keep = s->after;
    char msg[sizeof s->msg];
    memcpy(msg, s->msg, sizeof msg);
    ld_status end = run_plain(s, st == LD_OK ? "COMMIT" : "ROLLBACK");
    if (st != LD_OK) {
        memcpy(s->msg, msg, sizeof msg);
        s->after = keep == AFTER_UNSURE ? AFTER_SAFE : keep;
        return st;
    }
    if (end != LD_OK && s->after == AFTER_UNSURE)
        s->after = AFTER_SAFE;
    return end;
}

/* Inside begin/commit: locks the study's row once, so claims on one study take turns. */
static ld_status lock_study(store *s, int64_t study)
{
    if (!s->in_txn || s->locked_study == study)
        return LD_OK;
    args a = {0};
    a_i64(&a, study);
    PGresult *res = run(s, Q_LOCK_STUDY, &a);
    if (!res)
        return LD_ERR_STORAGE;
    int found = PQntuples(res) == 1;
    PQclear(res);
    if (!found)
        return failf(s, LD_ERR_NOTFOUND, "no such study");
    s->locked_study = study;
    return LD_OK;
}

/* ---- columns --------------------------------------------------------------------------- */

static int is_null(const PGresult *r, int row, int col) { return PQgetisnull(r, row, col); }

static double col_real(const PGresult *r, int row, int col)
{
    return is_null(r, row, col) ? NAN : strtod(PQgetvalue(r, row, col), NULL);
}

/* NULL reads as 0 ("not set"). */
static double col_time(const PGresult *r, int row, int col)
{
    return is_null(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

static int64_t col_i64(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static int col_int_or(const PGresult *r, int row, int col, int none)
{
    return is_null(r, row, col) ? none : (int)col_i64(r, row, col);
}

static char *col_str(const PGresult *r, int row, int col, int *nomem)
{
    if (is_null(r, row, col))
        return NULL;
    char *copy = ld_strdup(PQgetvalue(r, row, col));
    if (!copy)
        *nomem = 1;
    return copy;
}

/* ---- opening, transactions and the schema ---------------------------------------------- */

static ld_status connect_to(store *s, const char *url)
{
    char *bad = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &bad);
    if (!opts) {
        char reason[600] = "out of memory";
        if (bad)
            one_line(bad, reason, sizeof reason);
        PQfreemem(bad);
        return failf(s, bad ? LD_ERR_INPUT : LD_ERR_NOMEM, "%s; expected "
                     "postgresql://USER@HOST[:PORT]/DATABASE[?PARAMETER=VALUE...]", reason);
    }
    PQconninfoFree(opts);
    /* connect_timeout comes first so that the URL may override it. */
    const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *vals[] = {CONNECT_TIMEOUT, "liandan", url, NULL};
    s->conn = PQconnectdbParams(keys, vals, 1);
    if (!s->conn)
        return failf(s, LD_ERR_NOMEM, "out of memory");
    if (PQstatus(s->conn) != CONNECTION_OK) {
        char reason[700];
        one_line(PQerrorMessage(s->conn), reason, sizeof reason);
        return failf(s, LD_ERR_STORAGE, "%s", reason);
    }
    PQsetNoticeProcessor(s->conn, ignore_notice, NULL);
    return LD_OK;
}

/* The schema version: 0 for a database without liandan's tables. */
static ld_status schema_version(store *s, int *version)
{
    *version = 0;
    PGresult *res = checked(s, PQexec(s->conn, "SELECT to_regclass('liandan_meta') IS NOT NULL, "
                                               "to_regclass('liandan_studies') IS NOT NULL"));
    if (!res)
        return LD_ERR_STORAGE;
    int meta = PQgetvalue(res, 0, 0)[0] == 't', studies = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    if (!meta && studies)
        return failf(s, LD_ERR_STORAGE, "it has a liandan_studies table but no liandan_meta: "
                                        "not a liandan journal");
    if (!meta)
        return LD_OK;
    res = checked(s, PQexec(s->conn, "SELECT MAX(version) FROM liandan_meta"));
    if (!res)
        return LD_ERR_STORAGE;
    *version = is_null(res, 0, 0) ? 0 : (int)col_i64(res, 0, 0);
    PQclear(res);
    if (*version > SCHEMA_VERSION)
        return failf(s, LD_ERR_STORAGE,
                     "its schema version is %d but this liandan knows versions up to %d; "
                     "use a newer liandan",
                     *version, SCHEMA_VERSION);
    return LD_OK;
}

/* Applies the missing migrations in one transaction, under an advisory lock that makes tuners
   starting together take turns: the second finds the work done. */
static ld_status migrate(store *s)
{
    ld_status st = run_plain(s, "BEGIN");
    if (st == LD_OK)
        st = run_plain(s, "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ")");
    int version = 0;
    if (st == LD_OK)
        st = schema_version(s, &version);
    if (st == LD_OK && version == 0)
        st = run_plain(s, "CREATE TABLE liandan_meta (version integer NOT NULL)");
    for (int v = version; st == LD_OK && v < SCHEMA_VERSION; v++) {
        st = run_plain(s, migrations[v]);
        if (st == LD_OK) {
            char sql[96];
            snprintf(sql, sizeof sql, "DELETE FROM liandan_meta; INSERT INTO liandan_meta "
                                      "VALUES (%d)", v + 1);
            st = run_plain(s, sql);
        }
    }
    if (st == LD_OK)
        return run_plain(s, "COMMIT");
    if (!connection_lost(s)) {
        char msg[sizeof s->msg];
        memcpy(msg, s->msg, sizeof msg);
        run_plain(s, "ROLLBACK");
        memcpy(s->msg, msg, sizeof msg);
    }
    return st;
}

static ld_status open_with(const char *url, int readonly, void **out)
{
    store *s = calloc(1, sizeof *s);
    *out = s;
    if (!s)
        return LD_ERR_NOMEM;
    s->locked_study = -1;
    s->readonly = readonly;
    s->url = masked_url(url);
    if (!s->url)
        return failf(s, LD_ERR_NOMEM, "out of memory");
    doing(s, "connect to %.200s", s->url);
    ld_status st = connect_to(s, url);
    if (st != LD_OK)
        return st;
    doing(s, "open the journal at %.200s", s->url);
    if (!readonly)
        return migrate(s);
    int version = 0;
    st = schema_version(s, &version);
    if (st == LD_OK && version == 0)
        st = failf(s, LD_ERR_NOTFOUND, "there is no liandan journal in this database");
    else if (st == LD_OK && version < SCHEMA_VERSION)
        st = failf(s, LD_ERR_STORAGE, "its schema is version %d; run a liandan command that "
                                      "writes (e.g. status) to upgrade it first",
                   version);
    if (st == LD_OK)
        st = run_plain(s, "SET default_transaction_read_only = on");
    s->broken = 1; /* every write is refused with this message */
    snprintf(s->broken_msg, sizeof s->broken_msg, "the journal was opened read-only");
    return st;
}

static ld_status pg_open(const char *url, void **out) { return open_with(url, 0, out); }

static ld_status pg_open_readonly(const char *url, void **out) { return open_with(url, 1, out); }

static void pg_close(void *state)
{
    store *s = state;
    if (!s)
        return;
    if (s->conn)
        PQfinish(s->conn);
    free(s->url);
    free(s);
}

static const char *pg_errmsg(void *state)
{
    store *s = state;
    return s ? s->msg : "out of memory";
}

static ld_status pg_begin(void *state)
{
    store *s = state;
    doing(s, "begin a transaction");
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    if (s->in_txn)
        return failf(s, LD_ERR_STORAGE, "a transaction is open already");
    int attempt = 0;
    do {
        start_op(s);
        st = run_begin(s, "BEGIN");
    } while (again(s, st, &attempt, 1));
    s->in_txn = st == LD_OK;
    s->txn_failed = 0;
    s->locked_study = -1;
    return st;
}

static ld_status pg_commit(void *state)
{
    store *s = state;
    doing(s, "commit");
    if (!s->in_txn)
        return failf(s, LD_ERR_STORAGE, "no transaction is open");
    s->in_txn = 0;
    s->locked_study = -1;
    if (s->txn_failed) {
        if (!connection_lost(s))
            run_plain(s, "ROLLBACK");
        return failf(s, LD_ERR_STORAGE, "the transaction was rolled back after a failure");
    }
    ld_status st = run_plain(s, "COMMIT");
    if (st != LD_OK && s->after == AFTER_UNSURE)
        failf(s, LD_ERR_STORAGE, "the connection to the server was lost while committing; "
                                 "whether the transaction was recorded is unknown");
    return st;
}

static ld_status pg_rollback(void *state)
{
    store *s = state;
    doing(s, "roll back");
    int was = s->in_txn;
    s->in_txn = 0;
    s->txn_failed = 0;
    s->locked_study = -1;
    if (!was || connection_lost(s))
        return LD_OK; /* a lost connection took the transaction with it */
    return run_plain(s, "ROLLBACK");
}

/* ---- studies --------------------------------------------------------------------------- */

static ld_status pg_create_study(void *state, const ld_study_new *sn, int64_t *id)
{
    store *s = state;
    doing(s, "create study '%s'", sn->name ? sn->name : "(null)");
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    int64_t seed;
    memcpy(&seed, &sn->seed, sizeof seed); /* the bits, so seeds above INT64_MAX survive */
    int attempt = 0;
    do {
        start_op(s);
        args a = {0};
        a_str(&a, sn->name);
        a_str(&a, sn->sweep_path);
        a_str(&a, sn->sweep_text);
        a_str(&a, sn->description);
        a_str(&a, sn->parent);
        a_str(&a, sn->metric);
        a_i64(&a, sn->maximize != 0);
        a_i64(&a, seed);
        a_time(&a, sn->created);
        PGresult *res = run(s, Q_CREATE_STUDY, &a);
        if (!res) {
            st = LD_ERR_STORAGE;
            continue;
        }
        int made = PQntuples(res) == 1;
        if (made)
            *id = col_i64(res, 0, 0);
        PQclear(res);
        st = made ? LD_OK : failf(s, LD_ERR_CONFLICT, "a study of that name exists");
    } while (again(s, st, &attempt, 1)); /* repeated: CONFLICT, and the core joins it */
    return st;
}

static ld_status read_studies(store *s, int64_t lo, int64_t hi, ld_study_info **infos,
                              int64_t **ids, size_t *n)
{
    args a = {0};
    a_i64(&a, lo);
    a_i64(&a, hi);
    PGresult *res = run(s, Q_STUDIES, &a);
    if (!res)
        return LD_ERR_STORAGE;
    int rows = PQntuples(res), nomem = 0;
    for (int r = 0; r < rows && !nomem; r++) {
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
        (*ids)[*n - 1] = col_i64(res, r, 0);
        info->name = col_str(res, r, 1, &nomem);
        info->sweep_path = col_str(res, r, 2, &nomem);
        info->sweep_text = col_str(res, r, 3, &nomem);
        info->description = col_str(res, r, 4, &nomem);
        info->conclusion = col_str(res, r, 5, &nomem);
        info->next_step = col_str(res, r, 6, &nomem);
        info->parent = col_str(res, r, 7, &nomem);
        info->metric = col_str(res, r, 8, &nomem);
        info->maximize = (int)col_i64(res, r, 9);
        int64_t seed = col_i64(res, r, 10);
        memcpy(&info->seed, &seed, sizeof seed);
        info->created = col_time(res, r, 11);
    }
    PQclear(res);
    return nomem ? failf(s, LD_ERR_NOMEM, "out of memory") : LD_OK;
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
    args a = {0};
    a_i64(&a, lo);
    a_i64(&a, hi);
    PGresult *res = run(s, Q_STUDY_COUNTS, &a);
    if (!res)
        return LD_ERR_STORAGE;
    size_t j = 0;
    for (int r = 0; r < PQntuples(res); r++) {
        ld_study_info *info = info_of(infos, ids, n, &j, col_i64(res, r, 0));
        if (!info)
            continue;
        info->n_trials = (size_t)col_i64(res, r, 1);
        for (int k = 0; k < 5; k++)
            info->counts[k] = (size_t)col_i64(res, r, 2 + k);
        info->compute_seconds = col_time(res, r, 7);
        info->interrupted = (size_t)col_i64(res, r, 8);
    }
    PQclear(res);
    return LD_OK;
}

static ld_status add_best(store *s, int64_t lo, int64_t hi, ld_study_info *infos,
                          const int64_t *ids, size_t n)
{
    args a = {0};
    a_i64(&a, lo);
    a_i64(&a, hi);
    PGresult *res = run(s, Q_STUDY_BEST, &a);
    if (!res)
        return LD_ERR_STORAGE;
    size_t j = 0;
    for (int r = 0; r < PQntuples(res); r++) {
        ld_study_info *info = info_of(infos, ids, n, &j, col_i64(res, r, 0));
        if (!info)
            continue;
        info->has_best = 1;
        info->best_number = (int)col_i64(res, r, 1);
        info->best_value = col_real(res, r, 2);
    }
    PQclear(res);
    return LD_OK;
}

/* Studies with ids in [lo, hi] with their counts and best trials: three queries, one snapshot. */
static ld_status load_studies(store *s, int64_t lo, int64_t hi, ld_study_info **out, size_t *n)
{
    ld_status st;
    int attempt = 0;
    do {
        start_op(s);
        ld_study_info *infos = NULL;
        int64_t *ids = NULL;
        size_t count = 0;
        st = read_begin(s);
        if (st != LD_OK)
            continue;
        st = read_studies(s, lo, hi, &infos, &ids, &count);
        if (st == LD_OK)
            st = add_counts(s, lo, hi, infos, ids, count);
        if (st == LD_OK)
            st = add_best(s, lo, hi, infos, ids, count);
        st = read_end(s, st);
        free(ids);
        if (st != LD_OK) {
            ld_study_infos_free(infos, count);
            continue;
        }
        *out = infos;
        *n = count;
    } while (again(s, st, &attempt, 1));
    return st;
}

static ld_status pg_list_studies(void *state, ld_study_info **out, size_t *n)
{
    store *s = state;
    doing(s, "list studies");
    *out = NULL;
    *n = 0;
    return load_studies(s, 0, INT64_MAX, out, n);
}

static ld_status pg_find_study(void *state, const char *name, int64_t *id, ld_study_info *info)
{
    store *s = state;
    doing(s, "find study '%s'", name ? name : "(null)");
    ld_status st;
    int found = 0, attempt = 0;
    do {
        start_op(s);
        args a = {0};
        a_str(&a, name);
        PGresult *res = run(s, Q_STUDY_ID, &a);
        st = res ? LD_OK : LD_ERR_STORAGE;
        found = res && PQntuples(res) == 1;
        if (found)
            *id = col_i64(res, 0, 0);
        PQclear(res);
    } while (again(s, st, &attempt, 1));
    if (st != LD_OK)
        return st;
    if (!found)
        return failf(s, LD_ERR_NOTFOUND, "no such study");
    if (!info)
        return LD_OK;
    ld_study_info *infos = NULL;
    size_t n = 0;
    st = load_studies(s, *id, *id, &infos, &n);
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

static ld_status pg_set_study_note(void *state, int64_t study, ld_note_field field,
                                   const char *text)
{
    store *s = state;
    doing(s, "set a note of study %lld", (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    int q = field == LD_NOTE_WHY ? Q_NOTE_WHY : field == LD_NOTE_CONCLUSION ? Q_NOTE_CONCLUSION
                                                                             : Q_NOTE_NEXT;
    long changed = 0;
    int attempt = 0;
    do {
        start_op(s);
        args a = {0};
        a_i64(&a, study);
        a_str(&a, text);
        st = run_count(s, q, &a, &changed);
    } while (again(s, st, &attempt, 1));
    if (st != LD_OK)
        return st;
    return changed ? LD_OK : failf(s, LD_ERR_NOTFOUND, "no such study");
}

static ld_status pg_delete_study(void *state, int64_t study)
{
    store *s = state;
    doing(s, "delete study %lld", (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    static const int steps[] = {Q_DELETE_VALUES, Q_DELETE_PARAMS, Q_DELETE_TRIALS,
                                Q_DELETE_STUDY};
    long changed = 0;
    for (size_t i = 0; i < sizeof steps / sizeof *steps && st == LD_OK; i++) {
        start_op(s);
        args a = {0};
        a_i64(&a, study);
        st = run_count(s, steps[i], &a, &changed);
    }
    if (st != LD_OK)
        return st;
    return changed ? LD_OK : failf(s, LD_ERR_NOTFOUND, "no such study");
}

static ld_status pg_rename_study(void *state, int64_t study, const char *from, const char *to)
{
    store *s = state;
    doing(s, "rename study '%s' to '%s'", from, to);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    long changed = 0;
    start_op(s);
    args a = {0};
    a_i64(&a, study);
    a_str(&a, to);
    if ((st = run_count(s, Q_RENAME, &a, &changed)) != LD_OK)
        return st;
    if (!changed)
        return failf(s, LD_ERR_CONFLICT, "a study named '%s' exists, or none is study %lld", to,
                     (long long)study);
    args b = {0};
    a_str(&b, from);
    a_str(&b, to);
    return run_count(s, Q_RENAME_PARENT, &b, &changed);
}

/* ---- writing trials -------------------------------------------------------------------- */

/* Says why a conditional update on a trial changed nothing: no trial, or not in `expected`. */
static ld_status explain_unchanged(store *s, int64_t study, int number, const char *expected)
{
    args a = {0};
    a_i64(&a, study);
    a_i64(&a, number);
    PGresult *res = run(s, Q_TRIAL_STATE, &a);
    if (!res)
        return LD_ERR_STORAGE;
    int found = PQntuples(res) == 1;
    char state[16] = "";
    if (found)
        snprintf(state, sizeof state, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!found)
        return failf(s, LD_ERR_NOTFOUND, "no such trial");
    return failf(s, LD_ERR_CONFLICT, "the trial is %s, not %s", state, expected);
}

/* The params of a new trial as five array literals (positions, names, types, nums, strs). */
static void param_arrays(const ld_trial_new *t, args *a)
{
    ld_buf b[5] = {LD_BUF_INIT, LD_BUF_INIT, LD_BUF_INIT, LD_BUF_INIT, LD_BUF_INIT};
    for (int k = 0; k < 5; k++)
        ld_buf_putc(&b[k], '{');
    int first = 1;
    for (size_t i = 0; i < t->n_params; i++) {
        const ld_value *v = &t->params[i];
        if (v->type == LD_VAL_NONE)
            continue;
        if (!first)
            for (int k = 0; k < 5; k++)
                ld_buf_putc(&b[k], ',');
        first = 0;
        ld_buf_printf(&b[0], "%zu", i);
        array_text(&b[1], t->param_names[i]);
        array_text(&b[2], ld_rows_type_name(v->type));
        if (v->type == LD_VAL_STR) {
            ld_buf_puts(&b[3], "NULL");
            array_text(&b[4], v->str ? v->str : "");
        } else {
            array_real(&b[3], v->num);
            ld_buf_puts(&b[4], "NULL");
        }
    }
    for (int k = 0; k < 5; k++) {
        ld_buf_putc(&b[k], '}');
        a_own(a, ld_buf_take(&b[k]));
    }
}

static ld_status insert_trial(store *s, int64_t study, const ld_trial_new *t, int *number)
{
    ld_status st = lock_study(s, study);
    if (st != LD_OK)
        return st;
    int running = t->state == LD_TRIAL_RUNNING;
    args a = {0};
    a_i64(&a, study);
    a_str(&a, ld_trial_state_name(t->state));
    a_time(&a, t->created);
    a_time(&a, running ? t->created : 0);
    a_str(&a, t->host);
    a_opt_int(&a, t->tuner_pid, 0);
    a_opt_int(&a, t->grid_index, -1);
    a_opt_int(&a, t->retry_of, -1);
    param_arrays(t, &a);
    PGresult *res = run(s, Q_INSERT_TRIAL, &a);
    args_free(&a);
    if (!res)
        return a.nomem ? LD_ERR_NOMEM : LD_ERR_STORAGE;
    *number = (int)col_i64(res, 0, 0);
    PQclear(res);
    return LD_OK;
}

static ld_status pg_create_trial(void *state, int64_t study, const ld_trial_new *t, int *number)
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
    int attempt = 0;
    do {
        start_op(s);
        int outer = s->in_txn;
        /* Outside begin/commit the lock needs a transaction of its own. */
        st = outer ? LD_OK : run_begin(s, "BEGIN");
        if (st != LD_OK)
            continue;
        s->in_txn = 1;
        if (!outer)
            s->locked_study = -1;
        st = insert_trial(s, study, t, number);
        if (outer)
            continue;
        s->in_txn = 0;
        s->txn_failed = 0;
        s->locked_study = -1;
        st = multi_end(s, st);
    } while (again(s, st, &attempt, 0));
    return st;
}

static ld_status pg_claim_queued(void *state, int64_t study, const char *host, int pid,
                                 double now, int *number)
{
    store *s = state;
    doing(s, "claim a queued trial of study %lld", (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    int attempt = 0, found = 0;
    do {
        start_op(s);
        st = lock_study(s, study);
        if (st != LD_OK)
            continue;
        args a = {0};
        a_i64(&a, study);
        a_str(&a, host);
        a_opt_int(&a, pid, 0);
        a_time(&a, now);
        /* Retrying after a lost connection: the first try may have claimed a trial for us. */
        PGresult *res = run(s, s->check_first ? Q_CLAIMED : Q_CLAIM, &a);
        st = res ? LD_OK : LD_ERR_STORAGE;
        found = res && PQntuples(res) == 1;
        if (found)
            *number = (int)col_i64(res, 0, 0);
        PQclear(res);
        if (st == LD_OK && !found && s->check_first) {
            s->check_first = 0;
            attempt++;
            st = LD_ERR_STORAGE;
            s->after = AFTER_SAFE; /* not claimed: claim now */
        }
    } while (again(s, st, &attempt, 1));
    if (st != LD_OK)
        return st;
    return found ? LD_OK : failf(s, LD_ERR_NOTFOUND, "no trial is queued");
}

static ld_status pg_set_trial_process(void *state, int64_t study, int number, int pid,
                                      const char *command_json, const char *log_path,
                                      const char *git_commit, double started)
{
    store *s = state;
    doing(s, "record the process of trial %d of study %lld", number, (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    long changed = 0;
    int attempt = 0;
    do {
        start_op(s);
        args a = {0};
        a_i64(&a, study);
        a_i64(&a, number);
        a_opt_int(&a, pid, 0);
        a_str(&a, command_json);
        a_str(&a, log_path);
        a_str(&a, git_commit);
        a_time(&a, started);
        st = run_count(s, Q_SET_PROCESS, &a, &changed);
    } while (again(s, st, &attempt, 1));
    if (st != LD_OK)
        return st;
    return changed ? LD_OK : failf(s, LD_ERR_NOTFOUND, "no such trial");
}

/* After a lost connection: whether finish_trial's first try already recorded the end. */
static int already_finished(store *s, int64_t study, int number, const ld_trial_finish *fin)
{
    args a = {0};
    a_i64(&a, study);
    a_i64(&a, number);
    a_str(&a, ld_trial_state_name(fin->state));
    a_time(&a, fin->finished);
    PGresult *res = run(s, Q_FINISHED, &a);
    int done = res && PQntuples(res) == 1;
    PQclear(res);
    return done;
}

static ld_status pg_finish_trial(void *state, int64_t study, int number, ld_trial_state from,
                                 const ld_trial_finish *fin)
{
    store *s = state;
    doing(s, "mark trial %d of study %lld %s", number, (long long)study,
          (unsigned)fin->state <= LD_TRIAL_FAILED ? ld_trial_state_name(fin->state) : "?");
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    if ((unsigned)fin->state > LD_TRIAL_FAILED || (unsigned)from > LD_TRIAL_FAILED)
        return failf(s, LD_ERR_INPUT, "unknown trial state");
    long changed = 0;
    int attempt = 0;
    do {
        start_op(s);
        if (s->check_first && already_finished(s, study, number, fin))
            return LD_OK;
        args a = {0};
        a_i64(&a, study);
        a_i64(&a, number);
        a_str(&a, ld_trial_state_name(from));
        a_str(&a, ld_trial_state_name(fin->state));
        a_i64(&a, fin->has_value != 0);
        if (fin->has_value)
            a_real(&a, fin->value);
        else
            a_null(&a);
        a_time(&a, fin->finished);
        a_opt_int(&a, fin->exit_code, -1);
        a_i64(&a, fin->term_signal);
        a_str(&a, fin->reason);
        st = run_count(s, Q_FINISH, &a, &changed);
    } while (again(s, st, &attempt, 1));
    if (st != LD_OK)
        return st;
    if (changed)
        return LD_OK;
    return explain_unchanged(s, study, number, ld_trial_state_name(from));
}

static ld_status pg_set_requeued_as(void *state, int64_t study, int number, int requeued_as)
{
    store *s = state;
    doing(s, "record that trial %d of study %lld is re-run as %d", number, (long long)study,
          requeued_as);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    long changed = 0;
    int attempt = 0;
    do {
        start_op(s);
        args a = {0};
        a_i64(&a, study);
        a_i64(&a, number);
        a_opt_int(&a, requeued_as, -1);
        st = run_count(s, Q_REQUEUED_AS, &a, &changed);
    } while (again(s, st, &attempt, 1));
    if (st != LD_OK)
        return st;
    return changed ? LD_OK : failf(s, LD_ERR_NOTFOUND, "no such trial");
}

/* After a lost connection: whether add_values' first try already recorded the report. */
static int already_added(store *s, int64_t study, int number, double step, double time,
                         const char *key)
{
    args a = {0};
    a_i64(&a, study);
    a_i64(&a, number);
    a_str(&a, key);
    a_time(&a, time);
    a_real(&a, step);
    PGresult *res = run(s, Q_HAS_VALUES, &a);
    int done = res && PQntuples(res) == 1;
    PQclear(res);
    return done;
}

static ld_status pg_add_values(void *state, int64_t study, int number, double step, double time,
                               size_t n, const char *const *keys, const double *values)
{
    store *s = state;
    doing(s, "add values to trial %d of study %lld", number, (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    ld_buf kb = LD_BUF_INIT, vb = LD_BUF_INIT;
    ld_buf_putc(&kb, '{');
    ld_buf_putc(&vb, '{');
    for (size_t i = 0; i < n; i++) {
        if (i) {
            ld_buf_putc(&kb, ',');
            ld_buf_putc(&vb, ',');
        }
        array_text(&kb, keys[i] ? keys[i] : "");
        array_real(&vb, values[i]);
    }
    ld_buf_putc(&kb, '}');
    ld_buf_putc(&vb, '}');
    char *karr = ld_buf_take(&kb), *varr = ld_buf_take(&vb);
    if (!karr || !varr) {
        free(karr);
        free(varr);
        return failf(s, LD_ERR_NOMEM, "out of memory");
    }
    long changed = 0;
    int attempt = 0;
    do {
        start_op(s);
        if (s->check_first && n > 0 && already_added(s, study, number, step, time, keys[0])) {
            changed = (long)n;
            st = LD_OK;
            break;
        }
        args a = {0};
        a_i64(&a, study);
        a_i64(&a, number);
        a_real(&a, step);
        a_str(&a, karr);
        a_str(&a, varr);
        a_time(&a, time);
        st = run_count(s, Q_INSERT_VALUES, &a, &changed);
    } while (again(s, st, &attempt, 1));
    free(karr);
    free(varr);
    if (st != LD_OK)
        return st;
    if (changed > 0)
        return LD_OK;
    if (n > 0) /* the INSERT found no trial */
        return failf(s, LD_ERR_NOTFOUND, "no such trial");
    st = explain_unchanged(s, study, number, "any state"); /* nothing to add: does it exist? */
    return st == LD_ERR_CONFLICT ? LD_OK : st;
}

static ld_status pg_heartbeat(void *state, int64_t study, const int *numbers, size_t n,
                              double now)
{
    store *s = state;
    doing(s, "record the heartbeat of %zu trials of study %lld", n, (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK || n == 0)
        return st;
    ld_buf b = LD_BUF_INIT;
    ld_buf_putc(&b, '{');
    for (size_t i = 0; i < n; i++)
        ld_buf_printf(&b, "%s%d", i ? "," : "", numbers[i]);
    ld_buf_putc(&b, '}');
    char *arr = ld_buf_take(&b);
    if (!arr)
        return failf(s, LD_ERR_NOMEM, "out of memory");
    long changed = 0;
    int attempt = 0;
    do {
        start_op(s);
        args a = {0};
        a_i64(&a, study);
        a_str(&a, arr);
        a_time(&a, now);
        st = run_count(s, Q_HEARTBEAT, &a, &changed);
    } while (again(s, st, &attempt, 1));
    free(arr);
    return st;
}

static ld_status pg_request_stop(void *state, int64_t study, int number)
{
    store *s = state;
    doing(s, "request a stop of trial %d of study %lld", number, (long long)study);
    ld_status st = writable(s);
    if (st != LD_OK)
        return st;
    long changed = 0;
    int attempt = 0;
    do {
        start_op(s);
        args a = {0};
        a_i64(&a, study);
        a_i64(&a, number);
        st = run_count(s, Q_REQUEST_STOP, &a, &changed);
    } while (again(s, st, &attempt, 1));
    if (st != LD_OK)
        return st;
    return changed ? LD_OK : explain_unchanged(s, study, number, "queued or running");
}

/* ---- reading trials -------------------------------------------------------------------- */

static ld_status trial_from_row(store *s, const PGresult *r, int row, ld_trial *t)
{
    int nomem = 0;
    int state = ld_trial_state_parse(PQgetvalue(r, row, TC_STATE));
    t->number = (int)col_i64(r, row, TC_NUMBER);
    t->state = state < 0 ? LD_TRIAL_FAILED : (ld_trial_state)state;
    t->has_value = (int)col_i64(r, row, TC_HAS_VALUE);
    t->value = t->has_value ? col_real(r, row, TC_VALUE) : 0;
    t->created = col_time(r, row, TC_CREATED);
    t->started = col_time(r, row, TC_STARTED);
    t->finished = col_time(r, row, TC_FINISHED);
    t->heartbeat = col_time(r, row, TC_HEARTBEAT);
    t->exit_code = col_int_or(r, row, TC_EXIT_CODE, -1);
    t->term_signal = (int)col_i64(r, row, TC_TERM_SIGNAL);
    t->reason = col_str(r, row, TC_REASON, &nomem);
    t->host = col_str(r, row, TC_HOST, &nomem);
    t->pid = col_int_or(r, row, TC_PID, 0);
    t->command = col_str(r, row, TC_COMMAND, &nomem);
    t->log_path = col_str(r, row, TC_LOG_PATH, &nomem);
    t->git_commit = col_str(r, row, TC_GIT_COMMIT, &nomem);
    t->grid_index = col_int_or(r, row, TC_GRID_INDEX, -1);
    t->retry_of = col_int_or(r, row, TC_RETRY_OF, -1);
    t->requeued_as = col_int_or(r, row, TC_REQUEUED_AS, -1);
    t->stop_requested = (int)col_i64(r, row, TC_STOP_REQUESTED);
    t->tuner_pid = col_int_or(r, row, TC_TUNER_PID, 0);
    if (nomem)
        return failf(s, LD_ERR_NOMEM, "out of memory");
    if (state < 0)
        return failf(s, LD_ERR_STORAGE, "trial %d has an unknown state", t->number);
    return LD_OK;
}

/* One of the three trial queries (q: its range form) run for a selection. */
static PGresult *trials_query(store *s, int q, const ld_rows_selection *sel)
{
    args a = {0};
    a_i64(&a, sel->study);
    if (sel->by_change) {
        a_i64(&a, sel->since);
        return run(s, q + (Q_TRIALS_CHANGED - Q_TRIALS), &a);
    }
    a_i64(&a, sel->lo);
    a_i64(&a, sel->hi);
    return run(s, q, &a);
}

static ld_status read_trials(store *s, const ld_rows_selection *sel, ld_trial **trials, size_t *n)
{
    PGresult *res = trials_query(s, Q_TRIALS, sel);
    if (!res)
        return LD_ERR_STORAGE;
    int rows = PQntuples(res);
    ld_status st = LD_OK;
    if (rows > 0 && !(*trials = calloc((size_t)rows, sizeof **trials)))
        st = failf(s, LD_ERR_NOMEM, "out of memory");
    for (int r = 0; r < rows && st == LD_OK; r++) {
        st = trial_from_row(s, res, r, &(*trials)[r]);
        (*n)++;
    }
    PQclear(res);
    return st;
}

static ld_status read_params(store *s, const ld_rows_selection *sel, ld_trial *trials, size_t n)
{
    PGresult *res = trials_query(s, Q_PARAMS, sel);
    if (!res)
        return LD_ERR_STORAGE;
    size_t j = 0;
    int ok = 1;
    for (int r = 0; ok && r < PQntuples(res); r++) {
        ld_trial *t = ld_rows_trial(trials, n, &j, (int)col_i64(res, r, 0));
        if (t) /* columns: number, name, type, num, str */
            ok = ld_rows_add_param(t, PQgetvalue(res, r, 1), PQgetvalue(res, r, 2),
                                   col_real(res, r, 3), PQgetvalue(res, r, 4));
    }
    PQclear(res);
    return ok ? LD_OK : failf(s, LD_ERR_NOMEM, "out of memory");
}

static ld_status read_values(store *s, const ld_rows_selection *sel, ld_trial *trials, size_t n)
{
    PGresult *res = trials_query(s, Q_VALUES, sel);
    if (!res)
        return LD_ERR_STORAGE;
    size_t j = 0;
    int ok = 1;
    for (int r = 0; ok && r < PQntuples(res); r++) {
        ld_trial *t = ld_rows_trial(trials, n, &j, (int)col_i64(res, r, 0));
        if (t) /* columns: number, step, key, value, time */
            ok = ld_rows_add_point(t, PQgetvalue(res, r, 2), col_real(res, r, 1),
                                   col_real(res, r, 3), col_time(res, r, 4));
    }
    PQclear(res);
    return ok ? LD_OK : failf(s, LD_ERR_NOMEM, "out of memory");
}

/* One row of one bigint column from a query on the study. */
static ld_status read_count(store *s, int q, int64_t study, int64_t *out, int64_t *second)
{
    args a = {0};
    a_i64(&a, study);
    PGresult *res = run(s, q, &a);
    if (!res)
        return LD_ERR_STORAGE;
    int found = PQntuples(res) == 1;
    if (found)
        *out = col_i64(res, 0, 0);
    if (found && second)
        *second = col_i64(res, 0, 1);
    PQclear(res);
    return found ? LD_OK : failf(s, LD_ERR_NOTFOUND, "no such study");
}

/* The selected trials with params (and series): three queries in one snapshot; with
   `changes`, the study's change count in the same snapshot. */
static ld_status load_trials(store *s, const ld_rows_selection *sel, int with_metrics,
                             ld_trial **out, size_t *n, int64_t *changes)
{
    ld_status st;
    int attempt = 0;
    do {
        start_op(s);
        ld_trial *trials = NULL;
        size_t count = 0;
        st = read_begin(s);
        if (st != LD_OK)
            continue;
        if (changes)
            st = read_count(s, Q_CHANGES, sel->study, changes, NULL);
        if (st == LD_OK)
            st = read_trials(s, sel, &trials, &count);
        if (st == LD_OK)
            st = read_params(s, sel, trials, count);
        if (st == LD_OK && with_metrics)
            st = read_values(s, sel, trials, count);
        st = read_end(s, st);
        if (st != LD_OK) {
            ld_trials_free(trials, count);
            continue;
        }
        *out = trials;
        *n = count;
    } while (again(s, st, &attempt, 1));
    return st;
}

static ld_status pg_list_trials(void *state, int64_t study, int with_metrics, ld_trial **out,
                                size_t *n)
{
    store *s = state;
    doing(s, "list the trials of study %lld", (long long)study);
    *out = NULL;
    *n = 0;
    ld_rows_selection all = {.study = study, .lo = 0, .hi = INT32_MAX};
    return load_trials(s, &all, with_metrics, out, n, NULL);
}

static ld_status pg_list_changed(void *state, int64_t study, int64_t since, int with_metrics,
                                 ld_trial **out, size_t *n, int64_t *upto)
{
    store *s = state;
    doing(s, "read the changed trials of study %lld", (long long)study);
    *out = NULL;
    *n = 0;
    ld_rows_selection changed = {.study = study, .by_change = 1, .since = since};
    return load_trials(s, &changed, with_metrics, out, n, upto);
}

static ld_status pg_count_trials(void *state, int64_t study, size_t *total, size_t *live)
{
    store *s = state;
    doing(s, "count the trials of study %lld", (long long)study);
    int64_t all = 0, superseded = 0;
    ld_status st;
    int attempt = 0;
    do {
        start_op(s);
        st = read_count(s, Q_COUNT_TRIALS, study, &all, &superseded);
    } while (again(s, st, &attempt, 1));
    if (st == LD_OK) {
        *total = (size_t)all;
        *live = (size_t)(all - superseded);
    }
    return st;
}

static ld_status pg_get_trial(void *state, int64_t study, int number, int with_metrics,
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
    if (n == 0) {
        free(trials);
        return failf(s, LD_ERR_NOTFOUND, "no such trial");
    }
    *out = trials[0];
    free(trials);
    return LD_OK;
}

const ld_storage_type ld_storage_postgres = {
    .name = "postgresql",
    .version = 1,
    .open = pg_open,
    .close = pg_close,
    .errmsg = pg_errmsg,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .create_study = pg_create_study,
    .find_study = pg_find_study,
    .list_studies = pg_list_studies,
    .set_study_note = pg_set_study_note,
    .create_trial = pg_create_trial,
    .claim_queued = pg_claim_queued,
    .set_trial_process = pg_set_trial_process,
    .finish_trial = pg_finish_trial,
    .set_requeued_as = pg_set_requeued_as,
    .add_values = pg_add_values,
    .list_trials = pg_list_trials,
    .list_changed = pg_list_changed,
    .get_trial = pg_get_trial,
    .heartbeat = pg_heartbeat,
    .request_stop = pg_request_stop,
    .open_readonly = pg_open_readonly,
    .count_trials = pg_count_trials,
    .delete_study = pg_delete_study,
    .rename_study = pg_rename_study,
};
