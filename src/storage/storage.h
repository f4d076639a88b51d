/*
 * storage.h — the storage plug-in interface: the journal of studies and trials.
 *
 * The storage is the single source of truth; every other part reads from it, so a crashed tuner
 * or a second tuner on another machine picks up where the journal stands. Back-ends (sqlite.c,
 * later postgres.c) are static const ld_storage_type structs found by URL scheme in one table
 * (storage.c).
 *
 * Rules every back-end keeps:
 *   - Getters return copies the caller frees (ld_trials_free, ld_study_infos_free), never pointers
 *     into internal state.
 *   - begin/commit bracket a write transaction that excludes every other writer on the same
 *     storage (SQLite: BEGIN IMMEDIATE; PostgreSQL: a row lock on the study). The core claims
 *     trials inside it: read the history, choose, create — atomically across processes.
 *     Functions called outside begin/commit are each atomic on their own.
 *   - Busy databases are waited for (busy timeout), not reported as errors.
 *   - Once a back-end cannot trust its state it refuses further writes with LD_ERR_STORAGE.
 *   - Messages for failures are kept in the state and read with errmsg.
 */
#ifndef LD_STORAGE_H
#define LD_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "liandan.h"

/* What a tuner knows about a study when it creates it. */
typedef struct {
    const char *name;
    const char *sweep_path;
    const char *sweep_text;
    const char *description;
    const char *parent; /* may be NULL */
    const char *metric;
    int maximize;
    uint64_t seed;
    double created;
} ld_study_new;

/* A new trial. params are in spec order (positions 0..n_params-1); NONE values are not stored. */
typedef struct {
    ld_trial_state state; /* QUEUED or RUNNING */
    size_t n_params;
    const char *const *param_names;
    const ld_value *params;
    int grid_index;       /* -1 if none */
    int retry_of;         /* -1 if none */
    double created;
    const char *host;     /* RUNNING: the claiming tuner */
    int tuner_pid;        /* RUNNING: the claiming tuner's pid (0: an ask/tell client) */
} ld_trial_new;

/* The end of a trial, or how it started. */
typedef struct {
    ld_trial_state state;
    int has_value;
    double value;
    double finished;
    int exit_code;
    int term_signal;
    const char *reason;
} ld_trial_finish;

typedef struct ld_storage_type {
    const char *name;   /* "sqlite" */
    int version;
    /* location: the URL without its scheme, as ld_storage_open hands it on; for SQLite the file
       path ("rel.db" from sqlite:///rel.db, "/abs.db" from sqlite:////abs.db). Creates and
       migrates the schema on first use. On failure *state may still be set: errmsg and close. */
    ld_status (*open)(const char *location, void **state);
    void (*close)(void *state);
    const char *(*errmsg)(void *state);

    ld_status (*begin)(void *state);
    ld_status (*commit)(void *state);
    ld_status (*rollback)(void *state);

    /* LD_ERR_CONFLICT when the name is taken. */
    ld_status (*create_study)(void *state, const ld_study_new *study, int64_t *id);
    /* LD_ERR_NOTFOUND when there is none. info may be NULL; else filled as list_studies does. */
    ld_status (*find_study)(void *state, const char *name, int64_t *id, ld_study_info *info);
    /* In creation order, with counts by state, n_trials, best complete trial by the study's goal
       (lowest number wins ties), compute_seconds. */
    ld_status (*list_studies)(void *state, ld_study_info **out, size_t *n);
    ld_status (*set_study_note)(void *state, int64_t study, ld_note_field field, const char *text);

    /* Creates a trial numbered max(number)+1 (0 for the first). */
    ld_status (*create_trial)(void *state, int64_t study, const ld_trial_new *trial, int *number);
    /* Takes the lowest-numbered queued trial: state queued -> running (a conditional UPDATE
       checked by its row count), sets host, tuner_pid, started and heartbeat to now.
       LD_ERR_NOTFOUND when none is queued. */
    ld_status (*claim_queued)(void *state, int64_t study, const char *host, int tuner_pid, double now,
                              int *number);
    /* The process of a running trial started: records its pid, argv (JSON), log path, git commit
       and started time. */
    ld_status (*set_trial_process)(void *state, int64_t study, int number, int pid,
                                   const char *command_json, const char *log_path,
                                   const char *git_commit, double started);
    /* Moves a trial from state `from` to fin->state with its end facts. LD_ERR_CONFLICT when the
       trial is no longer in `from` (e.g. another tuner marked it stale), and nothing changes. */
    ld_status (*finish_trial)(void *state, int64_t study, int number, ld_trial_state from,
                              const ld_trial_finish *fin);
    ld_status (*set_requeued_as)(void *state, int64_t study, int number, int requeued_as);
    /* Appends one report: n metric values at one step. */
    ld_status (*add_values)(void *state, int64_t study, int number, double step, double time,
                            size_t n, const char *const *keys, const double *values);
    /* Every trial ordered by number (params by position), with metric series when asked. */
    ld_status (*list_trials)(void *state, int64_t study, int with_metrics, ld_trial **out,
                             size_t *n);
    /* The trials changed after change number `since` (-1: every trial), as list_trials gives
       them, and *upto: the study's change count in the same snapshot, the `since` of the next
       call. Every write to a trial but a heartbeat is a change (so the heartbeats read here
       may be old); a study's changes are counted in commit order. */
    ld_status (*list_changed)(void *state, int64_t study, int64_t since, int with_metrics,
                              ld_trial **out, size_t *n, int64_t *upto);
    /* One trial; LD_ERR_NOTFOUND when there is none. */
    ld_status (*get_trial)(void *state, int64_t study, int number, int with_metrics,
                           ld_trial *out);
    /* Sets heartbeat = now on these running trials. */
    ld_status (*heartbeat)(void *state, int64_t study, const int *numbers, size_t n, double now);
    ld_status (*request_stop)(void *state, int64_t study, int number);
    /* Optional (NULL: not offered). Opens an existing journal for reading only: creates and
       migrates nothing, and every write fails. For viewers beside a running tuner. */
    ld_status (*open_readonly)(const char *location, void **state);
    /* Optional (NULL: the core lists the trials instead): how many trials the study has, and
       how many of them are not superseded by a re-run (requeued_as unset). */
    ld_status (*count_trials)(void *state, int64_t study, size_t *total, size_t *live);
    /* Removes the study with its trials, params and values (inside the caller's transaction).
       LD_ERR_NOTFOUND when there is none. */
    ld_status (*delete_study)(void *state, int64_t study);
    /* Renames the study `from` (its id) to `to`, and the parent links that named it.
       LD_ERR_CONFLICT when `to` is taken. */
    ld_status (*rename_study)(void *state, int64_t study, const char *from, const char *to);
} ld_storage_type;

/* The built-in back-ends, one file each, listed by scheme in storage.c. */
extern const ld_storage_type ld_storage_sqlite;
extern const ld_storage_type ld_storage_postgres;

typedef struct {
    const ld_storage_type *type;
    void *state;
} ld_storage;

/*
 * Opens storage from a URL ("sqlite:///path", a bare path means SQLite). On failure writes the
 * reason to err and returns its status, with nothing left open.
 */
ld_status ld_storage_open(const char *url, ld_storage *out, char *err, size_t errlen);
/* The same through the back-end's open_readonly. */
ld_status ld_storage_open_readonly(const char *url, ld_storage *out, char *err, size_t errlen);
void ld_storage_close(ld_storage *s);

#endif
