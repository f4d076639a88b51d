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
#include <stdio.h> /* FILE, for the report writers */

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
/* Frees what a trial filled by value (ld_db_get_trial) holds, and zeroes it. */
void ld_trial_clear(ld_trial *trial);
const ld_series *ld_trial_series(const ld_trial *trial, const char *key);
/*
 * Summary metrics: keys a trainer prints once per trial (test_acc=, best_epoch=), as opposed to
 * per-step curves. A key is one when no trial reported it twice, and it is not `metric` (the
 * objective). Fills keys[] (borrowed from the trials, in order of first appearance; caller frees
 * the array) and returns their count; *keys NULL when there are none or memory ran out.
 */
size_t ld_summary_keys(const ld_trial *trials, size_t n, const char *metric, const char ***keys);
/* The trial's value of a summary key, or NAN when it did not report it. */
double ld_trial_summary(const ld_trial *trial, const char *key);
/* The value of the parameter `name` in the trial, or NULL when the trial has none (a parameter
   its `when` made inactive is not recorded). */
const ld_value *ld_trial_param(const ld_trial *trial, const char *name);
/* Was the trial stopped for diverging (a NaN or infinite objective, or diverged=1)? Such a
   trial is pruned, usually without a value, with a reason that starts "diverged". */
int ld_trial_diverged(const ld_trial *trial);

/* ---- storage --------------------------------------------------------------------------- */

typedef struct ld_db ld_db;

/*
 * Opens the journal at url: "sqlite:///abs/path.db", "sqlite:///rel.db", a plain file path, or
 * NULL for $LIANDAN_STORAGE or else ./liandan.db. *out is set even on failure so that
 * ld_db_errmsg can explain; close it in every case.
 */
ld_status ld_db_open(const char *url, ld_db **out);
/* The same, but a SQLite journal that does not exist yet is an LD_ERR_STORAGE failure instead
   of being created: what read commands use, so that looking never leaves a new file behind. */
ld_status ld_db_open_existing(const char *url, ld_db **out);
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
    size_t interrupted; /* failed trials stopped by Ctrl-C or a signal and re-queued (in counts) */
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

/*
 * Keeping a journal in order (manage.c). Each is one transaction: on failure nothing changed.
 * A playbook is deleted or renamed with its stage studies (NAME.STAGE).
 *
 * delete: the study, its trials and metrics, and the trials' log files; LD_ERR_CONFLICT while a
 * trial runs, unless force. *deleted gets the names of the studies deleted (caller frees each
 * and the array). rename: LD_ERR_CONFLICT when the new name is taken; parent links follow.
 */
ld_status ld_db_delete_study(ld_db *db, const char *study, int force, char ***deleted,
                             size_t *n_deleted);
ld_status ld_db_rename_study(ld_db *db, const char *from, const char *to);
/*
 * Copies the study `name` of `from` (a playbook with its stages) into `to` as `as` (NULL: the
 * same name; stages become AS.STAGE; parent links inside the playbook follow): its sweep, notes
 * and every trial with its params, metrics, times, exit facts and log path, trial numbers kept.
 * `to` may be another journal or the same one. One transaction on `to`; a study with running
 * trials is refused (LD_ERR_CONFLICT), as is a name taken in `to`. Messages are read from `to`.
 * *copied (caller frees) gets the new names, *n_trials how many trials were written.
 */
ld_status ld_db_copy_study(ld_db *from, const char *name, ld_db *to, const char *as,
                           char ***copied, size_t *n_copied, size_t *n_trials);
/*
 * Re-queues finished trials with the same parameters: the given numbers, or with n_numbers 0
 * every trial in `state` that was not re-queued yet. Each re-run supersedes its original, so the
 * trial budget is unchanged. *queued (caller frees) gets the new trials' numbers.
 */
ld_status ld_db_retry(ld_db *db, const char *study, ld_trial_state state, const int *numbers,
                      size_t n_numbers, int **queued, size_t *n_queued);
/*
 * Queues a trial with the parameters given as "KEY=VALUE" (checked against the space; the
 * others at their defaults, as a playbook holds them), run first by the next tuner, even when
 * the budget is spent (as Optuna's enqueue_trial). *number: the new trial's number.
 */
ld_status ld_db_enqueue(ld_db *db, const char *study, const char *const *assignments, size_t n,
                        int *number);

/*
 * Coarse to fine: the YAML text (caller frees) of a new sweep narrowed around the best top_k
 * complete trials of a study (0: the best tenth, at least 3), naming it as its parent.
 */
ld_status ld_db_refine(ld_db *db, const char *study, size_t top_k, char **yaml);

/*
 * Playbooks (a sweep with `stages:`, docs/playbook.md): what the playbook chose. From its confirm
 * stage, the configuration with the best mean objective over its seeds (among those with the
 * most seeds done); without one, the best trial of the latest stage that has a complete trial.
 */
typedef struct {
    char *key;          /* a summary metric: printed once by each trial (test_acc=) */
    double mean, sd;    /* sd: the sample standard deviation, 0 for one value */
    size_t n;
} ld_metric_summary;

typedef struct {
    char *stage;        /* the stage study it comes from ("NAME.confirm") */
    int confirmed;      /* from a confirm stage */
    int trial;          /* its best trial (best seed) */
    size_t n_params;
    char **param_names; /* the configuration, without the seed */
    ld_value *params;
    char *metric;
    int maximize;
    double value, value_sd; /* the objective's mean and sd over the seeds */
    size_t n_seeds;
    size_t n_metrics;
    ld_metric_summary *metrics;
} ld_playbook_result;

/* LD_ERR_NOTFOUND when the study is not a playbook or has no complete trial yet. */
ld_status ld_db_playbook_result(ld_db *db, const char *playbook, ld_playbook_result *out);
void ld_playbook_result_clear(ld_playbook_result *result);

/* ---- tuning ---------------------------------------------------------------------------- */

typedef struct ld_study ld_study;

/* Settings given on the command line; each overrides the sweep file when set (non-zero/NULL). */
typedef struct {
    const char *name;
    long trials;          /* budget in trials, 0 = from the sweep */
    double time_seconds;  /* budget in wall time, 0 = from the sweep */
    int parallel;         /* 0 = from the sweep */
    const char *from;     /* warm start: seed the sampler with this study's finished trials
                             (overrides the sweep's `parent`) */
    int to_run;           /* ld_study_open: about to run trials, so first check that the
                             command can run from here (a missing program is LD_ERR_INPUT
                             before any study is created) */
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
/*
 * Safe to call from a signal handler: what `liandan run` does on a signal. SIGINT is
 * ld_study_interrupt. SIGUSR1 drains, as a first Ctrl-C does (Slurm's warning before a time
 * limit). SIGTERM (scancel, preemption, a time limit) starts no new trial and passes SIGTERM on
 * to the running ones; each has $LIANDAN_TERM_GRACE (20 s) to finish, and one that does not end
 * successfully within it is recorded failed, "interrupted", and re-queued (not counted against
 * the budget).
 */
void ld_study_signal(ld_study *study, int sig);

/* ---- data tools ------------------------------------------------------------------------ */
/*
 * Text-classification data: `liandan data ...`. Files hold one example a line, either TSV
 * (label<TAB>text) or fastText (__label__LABEL text); the format of each file is read from its
 * first line. Every function streams its input (or reads it twice) so files of a few GB work;
 * every random choice comes from the seed, so the same call gives the same output. Outputs are
 * written to a temporary file beside the target and renamed into place, so a failure leaves no
 * half-written file. On failure the message is in err->msg: "file:line: what is wrong; the fix".
 */

typedef enum { LD_DATA_AUTO = 0, LD_DATA_TSV, LD_DATA_FASTTEXT } ld_data_format;

/* Where a data tool explains a failure (the data tools' handle for errors). */
typedef struct {
    char msg[1024];
} ld_data_error;

/* "tsv", "fasttext"; parse returns -1 for anything else. */
const char *ld_data_format_name(ld_data_format format);
int ld_data_format_parse(const char *name);

/* One class and how many examples it has. */
typedef struct {
    char *label;
    size_t count;
} ld_data_class;

/* Classes of one file or output, largest first (ties by label). */
typedef struct {
    size_t examples;
    size_t n_classes;
    ld_data_class *classes; /* [n_classes] */
} ld_data_counts;

void ld_data_counts_clear(ld_data_counts *c);

typedef struct {
    char *path;
    ld_data_format format;
    int is_train;           /* the file the others are compared with */
    ld_data_counts counts;
    double imbalance;       /* largest class count / smallest */
    size_t len_p50, len_p90, len_p99, len_max; /* tokens per text */
    double len_mean;
    size_t vocab;           /* distinct tokens */
    int has_oov;            /* a train file was given and this is another file */
    double oov_rate;        /* share of this file's tokens missing from the train vocabulary */
    size_t duplicates;      /* examples whose text appeared earlier in the same file */
    size_t conflicts;       /* of those, how many carry a different label than before */
    size_t leaked;          /* examples whose text is also in the train file */
} ld_data_file_stats;

typedef struct {
    size_t n_files;
    ld_data_file_stats *files; /* [n_files], in the order given */
    size_t n_warnings;
    char **warnings;           /* one line per problem found, e.g. leakage */
} ld_data_stats;

/*
 * Statistics of each file. The train file is the first whose name contains "train", else the
 * first file; the others get OOV rate and leakage against it. *out is set only on LD_OK.
 */
ld_status ld_data_stats_compute(const char *const *paths, size_t n, ld_data_stats **out,
                                ld_data_error *err);
void ld_data_stats_free(ld_data_stats *stats);

/* What a reshaping command wrote: one ld_data_counts per output file. */
typedef struct {
    ld_data_counts input;
    size_t n_outputs;
    char *paths[3];
    ld_data_counts outputs[3];
} ld_data_result;

void ld_data_result_clear(ld_data_result *r);

typedef struct {
    ld_data_format out_format; /* AUTO: the input's */
    int stratify;              /* per class rather than over the whole file */
    uint64_t seed;
} ld_data_common;

/*
 * A sample of n examples (or round(fraction * examples) when n is 0), kept in input order.
 * Stratified: each class gets its share within one example and never drops to zero, so n must
 * be at least the number of classes.
 */
ld_status ld_data_sample(const char *in, const char *out, size_t n, double fraction,
                         const ld_data_common *opt, ld_data_result *res, ld_data_error *err);

/* Keeps the top_k most frequent classes (top_k > 0), or the labels named in keep[n_keep]. */
ld_status ld_data_classes(const char *in, const char *out, size_t top_k,
                          const char *const *keep, size_t n_keep, const ld_data_common *opt,
                          ld_data_result *res, ld_data_error *err);

/*
 * Oversample: repeats examples of each class until it has at least ratio * the largest class's
 * count (each copy follows its original). Undersample: keeps at most (smallest count) / ratio
 * of each class. Either way every class ends with at least ratio * the largest class.
 * 0 < ratio <= 1.
 */
ld_status ld_data_balance(const char *in, const char *out, int oversample, double ratio,
                          const ld_data_common *opt, ld_data_result *res, ld_data_error *err);

/* Writes dir/train, dir/dev and dir/test (.tsv or .txt for fastText) with these shares. */
ld_status ld_data_split(const char *in, const char *dir, double dev, double test,
                        const ld_data_common *opt, ld_data_result *res, ld_data_error *err);

/* One mistake of a classifier, from a predictions file. */
typedef struct {
    size_t line;
    char *gold, *predicted;
    double confidence;
    char *text;
} ld_data_mistake;

/* The shown mistakes of one (gold, predicted) pair. */
typedef struct {
    const char *gold, *predicted; /* point into the labels of the badcases */
    size_t count;                 /* all mistakes of this pair in the file */
    size_t first, n;              /* mistakes[first .. first + n) */
} ld_data_pair;

typedef struct {
    size_t examples, correct;
    double accuracy, macro_f1;
    size_t n_labels;
    char **labels;               /* [n_labels] every gold or predicted label, sorted */
    size_t *confusion;           /* [n_labels * n_labels] row: gold, column: predicted */
    size_t *support;             /* [n_labels] gold count */
    double *precision, *recall, *f1; /* [n_labels]; NaN when undefined (no prediction/gold) */
    size_t n_mistakes;
    ld_data_mistake *mistakes;   /* the top most confident mistakes, grouped by pair */
    size_t n_pairs;
    ld_data_pair *pairs;         /* pairs with most mistakes first */
} ld_data_badcases;

/*
 * Reads gold<TAB>predicted<TAB>confidence<TAB>text lines (a first line naming the columns is
 * skipped) and keeps the top most confident mistakes. *out is set only on LD_OK.
 */
ld_status ld_data_badcases_compute(const char *path, size_t top, ld_data_badcases **out,
                                   ld_data_error *err);
void ld_data_badcases_free(ld_data_badcases *b);

/*
 * The offline demo corpus: each package of a Debian index in `apt-cache dumpavail` format
 * (dumpavail NULL: run `apt-cache dumpavail`) becomes label = its Section without the area
 * (contrib/, non-free/...), text = the first line of its Description. A hash of the package
 * name puts it in train (80%), dev (10%) or test (10%). Writes dir/{train,dev,test}.tsv.
 */
ld_status ld_data_debian(const char *dumpavail, const char *dir, ld_data_result *res,
                         ld_data_error *err);

/* The benchmark sets `data fetch` knows ("trec", "mr", ...), NULL-terminated. */
const char *const *ld_data_fetch_names(void);
/* One line on what NAME is and where it comes from; NULL for an unknown name. */
const char *ld_data_fetch_about(const char *name);

typedef struct {
    /* Replaces everything up to the last '/' of each download address (tests, mirrors). */
    const char *base_url;
    /* Accepted digests "FILE=HEX" (FILE: the download's file name), for files whose digest is
     * not on record or changed at the publisher. */
    const char *const *sha256;
    size_t n_sha256;
} ld_data_fetch_opts;

/*
 * Downloads a benchmark from its publisher, verifies each file's SHA-256 (or the MD5 on record
 * when no SHA-256 is), and converts it to dir/{train,dev,test}.tsv. A file whose digest is not
 * on record is refused with its SHA-256 in the message, unless opts->sha256 names it.
 */
ld_status ld_data_fetch(const char *name, const char *dir, const ld_data_fetch_opts *opts,
                        ld_data_result *res, ld_data_error *err);

/*
 * The conversion step of ld_data_fetch alone, from downloaded files in src_dir (named as at the
 * publisher: rt-polaritydata.tar.gz, train_5500.label, ...).
 */
ld_status ld_data_convert(const char *name, const char *src_dir, const char *dir,
                          ld_data_result *res, ld_data_error *err);

/* ---- reports ----------------------------------------------------------------------------- */
/*
 * Seeing a study: the self-contained HTML report, single charts as SVG, the data behind a chart
 * as JSON, and charts for the terminal. A report is computed once from the journal
 * (ld_report_load: "data first") and then drawn any number of ways ("draw second"); every
 * writer goes to the caller's FILE* and reports a failed write as LD_ERR_IO.
 */

/*
 * Opens the journal for reading only: nothing is created, migrated or written (every write
 * fails). For viewers such as the dashboard beside a running tuner: a WAL reader never blocks
 * the writer. A missing file is LD_ERR_NOTFOUND.
 */
ld_status ld_db_open_readonly(const char *url, ld_db **out);

typedef enum {
    LD_PLOT_CURVES = 0, /* learning curves: one trial's, or all trials' overlaid */
    LD_PLOT_HISTORY,    /* each trial's value in order, with the best so far */
    LD_PLOT_PARALLEL,   /* parallel coordinates over the parameters and the objective */
    LD_PLOT_SLICE,      /* the objective against each parameter */
    LD_PLOT_IMPORTANCE  /* variance-based importance per parameter */
} ld_plot_kind;

/* "curves", "history", "parallel", "slice", "importance"; parse returns -1 for anything else. */
const char *ld_plot_kind_name(ld_plot_kind kind);
int ld_plot_kind_parse(const char *name);

typedef struct ld_report ld_report;

/*
 * Reads a study (with every metric series when with_metrics) and computes the data of every
 * chart. Failures are explained by ld_db_errmsg(db). Free with ld_report_free.
 */
ld_status ld_report_load(ld_db *db, const char *study, int with_metrics, ld_report **out);
void ld_report_free(ld_report *report);
/* Why the last writer on this report failed. */
const char *ld_report_errmsg(const ld_report *report);

typedef struct {
    /* The dashboard: the page polls this URL, which answers with a stamp (ld_report_stamp), and
       refreshes itself when the stamp changes. NULL: a static file. */
    const char *refresh_url;
    const char *home_url;    /* a link back to the list of studies, or NULL */
    size_t max_trial_charts; /* per-trial learning-curve charts, best first; 0: 500 */
} ld_html_opts;

/* One self-contained HTML page: inline SVG, CSS and script, no request to anywhere. */
ld_status ld_report_html(ld_report *report, const ld_html_opts *opts, FILE *out);
/*
 * One chart as a standalone SVG file. trial: for LD_PLOT_CURVES, one trial's curves (>= 0) or
 * the overlay of all trials (-1); ignored by the other kinds. LD_ERR_NOTFOUND for no such trial.
 */
ld_status ld_report_svg(ld_report *report, ld_plot_kind kind, int trial, FILE *out);
/* The data behind the same chart, as one JSON object. */
ld_status ld_report_json(ld_report *report, ld_plot_kind kind, int trial, FILE *out);

typedef struct {
    int width;  /* columns for the whole chart, labels included; 0: 72 */
    int height; /* rows of the plot area; 0: 10 */
    int color;  /* ANSI colours (the caller decides: a terminal and NO_COLOR unset) */
} ld_term_opts;

/* One trial's learning curves in Unicode braille, train and validation on one chart, with axis
   labels and a legend. Writes a line saying so when the trial reported nothing. */
ld_status ld_term_trial_curves(const ld_trial *trial, const ld_term_opts *opts, FILE *out);
/* The best-so-far history as a sparkline and the importance of each parameter as bars. */
ld_status ld_term_summary(const ld_report *report, const ld_term_opts *opts, FILE *out);

/* A short text that changes whenever the study changes (new trials, states, values; while
   trials run, every few seconds): the dashboard's refresh test. Caller frees. */
ld_status ld_report_stamp(ld_db *db, const char *study, char **out);

#ifdef __cplusplus
}
#endif
#endif
