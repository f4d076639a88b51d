/*
 * liandan.h — the public C API of liandan, the hyperparameter tuner.
 *
 * This header is the contract. The command-line tool (src/cli/) uses nothing else, and programs
 * that want to drive a study from C (ask for parameters, report per-step metrics, ask whether to
 * stop, tell the result) link libliandan and include only this file.
 *
 * Conventions
 *   - Every function returns an ld_status. The message for the last failure is kept on the handle
 *     (ld_db_errmsg); the library never prints and never exits.
 *   - Objects returned through out-pointers are owned by the caller and freed with the matching
 *     _free function; passing NULL to any _free or _close does nothing.
 *   - Times are seconds since the Unix epoch, as doubles; 0 means "not set".
 */
#ifndef LIANDAN_H
#define LIANDAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LD_VERSION "0.1.0"

typedef enum {
    LD_OK = 0,
    LD_ERR_INPUT,    /* bad sweep file or argument (CLI exit 2) */
    LD_ERR_NOTFOUND, /* no such study or trial (CLI exit 2) */
    LD_ERR_CONFLICT, /* a study of that name exists with a different sweep (CLI exit 2) */
    LD_ERR_STORAGE,  /* the database failed or cannot be trusted (CLI exit 3) */
    LD_ERR_IO,       /* a file or process could not be created (CLI exit 1) */
    LD_ERR_NOMEM,
    LD_ERR_DONE      /* ask: the budget or the grid is spent, nothing to hand out */
} ld_status;

const char *ld_status_name(ld_status status);

/* ---- values ---------------------------------------------------------------------------- */

typedef enum { LD_VAL_NONE = 0, LD_VAL_INT, LD_VAL_FLOAT, LD_VAL_STR, LD_VAL_BOOL } ld_value_type;

/* One parameter value. INT, FLOAT and BOOL (0/1) live in num; STR owns str. */
typedef struct {
    ld_value_type type;
    double num;
    char *str;
} ld_value;

/* How a value is written on a command line and in tables: 3, 0.001, 1e-05, adam, True. */
void ld_value_format(const ld_value *v, char *out, size_t size);

/* ---- trials ---------------------------------------------------------------------------- */

/*
 * The trial state machine (stored in the journal; every transition is one storage write).
 *
 *              claim (ld_study_ask)            tell complete / pruned / failed
 *   queued ─────────────────────────► running ─────────────────────────────────► complete
 *     ▲                                  │                                        pruned
 *     │  retry / stale / interrupted     │ tuner died (heartbeat too old)         failed
 *     └──── a NEW queued trial with ◄────┘  → failed, reason "stale"
 *           the same params (retry_of)
 *
 * complete, pruned and failed are final. A re-run is always a new trial whose retry_of names the
 * old one; the old one then records requeued_as, and only the new one counts against the budget.
 */
typedef enum {
    LD_TRIAL_QUEUED = 0,
    LD_TRIAL_RUNNING,
    LD_TRIAL_COMPLETE,
    LD_TRIAL_PRUNED,
    LD_TRIAL_FAILED
} ld_trial_state;

const char *ld_trial_state_name(ld_trial_state state);
/* Parses "queued", "running", ...; returns -1 for anything else. */
int ld_trial_state_parse(const char *name);

/* One reported metric key over the steps of a trial, in report order. */
typedef struct {
    char *key;
    size_t n;
    double *steps;  /* [n] the step (e.g. epoch) of each report */
    double *values; /* [n] may be NaN or infinite */
    double *times;  /* [n] when it was reported */
} ld_series;

typedef struct {
    int number;
    ld_trial_state state;
    size_t n_params;
    char **param_names; /* [n_params] */
    ld_value *params;   /* [n_params] */
    int has_value;
    double value;       /* the objective after metric.summary, when has_value */
    double created, started, finished, heartbeat;
    int exit_code;      /* -1 when not exited normally */
    int term_signal;    /* 0 when not killed by a signal */
    char *reason;       /* why failed or pruned, NULL otherwise */
    char *host;         /* the machine the trial ran on */
    int pid;            /* the trial's process (its process group leader), 0 before it starts */
    int tuner_pid;      /* the tuner process that owns the trial; 0 for ask/tell trials */
    char *command;      /* the argv as a JSON array */
    char *log_path;     /* stdout and stderr of the trial, interleaved */
    char *git_commit;
    int grid_index;     /* -1 when not a grid trial */
    int retry_of;       /* -1, or the number of the trial this one re-runs */
    int requeued_as;    /* -1, or the number of the trial that re-runs this one */
    int stop_requested; /* set by `liandan stop` */
    size_t n_series;
    ld_series *series;  /* [n_series], filled only when asked for metrics */
} ld_trial;

void ld_trials_free(ld_trial *trials, size_t n);
/* Frees one trial obtained alone (ld_study_ask). */
void ld_trial_free(ld_trial *trial);
/* Frees what a trial filled in place owns (ld_db_get_trial) and zeroes it. */
void ld_trial_clear(ld_trial *trial);
/* Frees what a trial filled by value (ld_db_get_trial) holds, and zeroes it. */
void ld_trial_clear(ld_trial *trial);
const ld_series *ld_trial_series(const ld_trial *trial, const char *key);

/* ---- storage --------------------------------------------------------------------------- */

typedef struct ld_db ld_db;

/*
 * Opens the journal at url: "sqlite:///abs/path.db", "sqlite:///rel.db", a plain file path, or
 * NULL for $LIANDAN_STORAGE or else ./liandan.db. *out is set even on failure so that
 * ld_db_errmsg can explain; close it in every case.
 */
ld_status ld_db_open(const char *url, ld_db **out);
void ld_db_close(ld_db *db);
const char *ld_db_errmsg(const ld_db *db);
/* The folder beside the database where trial logs go ("<db>.runs" for SQLite). */
const char *ld_db_runs_dir(const ld_db *db);

typedef struct {
    char *name;
    char *sweep_path;
    char *sweep_text;
    char *description; /* why it was run */
    char *conclusion;  /* what was concluded */
    char *next_step;   /* what to try next */
    char *parent;      /* the study this one refines, or NULL */
    char *metric;      /* the objective's key */
    int maximize;
    double created;
    uint64_t seed;
    size_t counts[5];  /* by ld_trial_state */
    size_t n_trials;
    int has_best;
    int best_number;
    double best_value;
    double compute_seconds; /* sum of finished trials' durations */
} ld_study_info;

void ld_study_info_clear(ld_study_info *info);
void ld_study_infos_free(ld_study_info *infos, size_t n);

/* All studies, in creation order. */
ld_status ld_db_list_studies(ld_db *db, ld_study_info **out, size_t *n);
ld_status ld_db_get_study(ld_db *db, const char *name, ld_study_info *out);
/* All trials of a study ordered by number; with_metrics fills each trial's series. */
ld_status ld_db_list_trials(ld_db *db, const char *study, int with_metrics, ld_trial **out,
                            size_t *n);
ld_status ld_db_get_trial(ld_db *db, const char *study, int number, ld_trial *out);

typedef enum { LD_NOTE_WHY, LD_NOTE_CONCLUSION, LD_NOTE_NEXT } ld_note_field;
ld_status ld_db_set_note(ld_db *db, const char *study, ld_note_field field, const char *text);
/* Asks the tuner running this trial to stop it (recorded as pruned, "stopped by hand"). */
ld_status ld_db_request_stop(ld_db *db, const char *study, int number);

/* ---- tuning ---------------------------------------------------------------------------- */

typedef struct ld_study ld_study;

/* Settings given on the command line; each overrides the sweep file when set (non-zero/NULL). */
typedef struct {
    const char *name;
    long trials;          /* budget in trials, 0 = from the sweep */
    double time_seconds;  /* budget in wall time, 0 = from the sweep */
    int parallel;         /* 0 = from the sweep */
} ld_overrides;

/*
 * Loads a sweep file and creates its study, or joins the study of the same name when its sweep
 * text is the same (a different sweep under one name is LD_ERR_CONFLICT). Bad sweep files give
 * LD_ERR_INPUT with "file:line:column: what was expected" in ld_db_errmsg(db).
 * The study borrows db; close the study first.
 */
ld_status ld_study_open(ld_db *db, const char *sweep_path, const ld_overrides *ov,
                        ld_study **out);
/* Opens an existing study by name (for ask/tell from scripts). */
ld_status ld_study_open_existing(ld_db *db, const char *name, ld_study **out);
void ld_study_close(ld_study *study);
const char *ld_study_name(const ld_study *study);
/* Notes made while loading the sweep (ignored W&B keys ...), one line each; NULL-terminated. */
const char *const *ld_study_notes(const ld_study *study);

/*
 * Claims the next trial: a queued one if any, else a new one with sampled parameters, as one
 * atomic step shared with every other tuner on the study. LD_ERR_DONE when the budget or grid is
 * spent. The trial is running, with the calling process's host and pid, until told.
 */
ld_status ld_study_ask(ld_study *study, ld_trial **out);
/* Records intermediate values of a running trial at one step. */
ld_status ld_study_report(ld_study *study, int number, double step, size_t n,
                          const char *const *keys, const double *values);
/*
 * Should this trial stop now? Sets *stop and, when it should, *reason (caller frees): a NaN or
 * infinite objective, diverged=1, a request from `liandan stop`.
 */
ld_status ld_study_should_prune(ld_study *study, int number, int *stop, char **reason);

typedef struct {
    ld_trial_state state; /* COMPLETE, PRUNED or FAILED */
    int has_value;        /* value given explicitly; otherwise taken from the reports */
    double value;
    int exit_code;        /* -1 unknown */
    int term_signal;
    const char *reason;
} ld_trial_end;
ld_status ld_study_tell(ld_study *study, int number, const ld_trial_end *end);

/* Parses a duration: "90", "90s", "15m", "2h", "1d", "1h30m". Returns -1 when malformed. */
double ld_parse_duration(const char *text);

/* ---- the run loop ---------------------------------------------------------------------- */

typedef enum {
    LD_EV_START,   /* a trial was launched */
    LD_EV_METRIC,  /* a trial printed a metric line */
    LD_EV_END,     /* a trial ended (trial->state is final) */
    LD_EV_TICK,    /* about once a second, for live progress */
    LD_EV_NOTE     /* something the user should know (text) */
} ld_event_kind;

typedef struct {
    ld_event_kind kind;
    const ld_trial *trial; /* START, METRIC, END */
    const char *text;      /* NOTE; the raw metric line for METRIC */
    size_t done, budget;   /* trials finished and the budget (0 = none) */
    size_t running;
    int has_best;
    int best_number;
    double best_value;
    double elapsed, time_budget;
} ld_event;

typedef void (*ld_event_fn)(const ld_event *ev, void *user);

/*
 * Runs trials until the budget or grid is spent, or until interrupted. Returns LD_OK when the
 * study ran (even if some trials failed); *n_failed counts the trials that failed in this run.
 */
ld_status ld_study_run(ld_study *study, ld_event_fn on_event, void *user, size_t *n_failed);
/*
 * Safe to call from a signal handler. The first call stops launching new trials and lets the
 * running ones finish; the second stops the running ones (recorded failed, "interrupted", and
 * re-queued for the next run).
 */
void ld_study_interrupt(ld_study *study);

#ifdef __cplusplus
}
#endif
#endif
