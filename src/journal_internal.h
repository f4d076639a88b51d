/*
 * journal_internal.h — what the public handles (ld_db, ld_study) hold, shared by journal.c
 * (storage handle and read API), study.c (ask / report / tell) and tuner.c (the run loop).
 */
#ifndef LD_JOURNAL_INTERNAL_H
#define LD_JOURNAL_INTERNAL_H

#include <signal.h>
#include <stdint.h>

#include "history.h"
#include "liandan.h"
#include "pruners/pruner.h"
#include "samplers/sampler.h"
#include "spec.h"
#include "storage/storage.h"

struct ld_db {
    ld_storage storage;
    char *url;
    char *runs_dir;
    char err[2048];
};

struct ld_study {
    ld_db *db;
    int64_t id;
    char *name;
    ld_spec *spec;       /* NULL for a study opened by name without its sweep being valid */
    ld_sampler sampler;
    ld_pruner pruner;    /* type NULL when the sweep has no early_terminate */
    uint64_t seed;
    char host[256];
    volatile sig_atomic_t interrupts;  /* Ctrl-C presses; SIGTERM and SIGUSR1 count as one */
    volatile sig_atomic_t terminating; /* got SIGTERM: ld_study_signal */
    volatile sig_atomic_t draining;    /* got SIGUSR1 */
    char **notes;        /* NULL-terminated */
    ld_history history;  /* this study's trials as last read (claims and the pruner) */
    ld_trial *warm;      /* finished trials of the parent study, in this spec's param order */
    size_t n_warm;
    ld_study *volatile stage; /* a playbook: the stage study running now (interrupts go on) */
};

/* Records a message on the db handle; returns status for chaining. */
ld_status ld_db_fail(ld_db *db, ld_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* LD_ERR_NOTFOUND, "no study named 'x' (did you mean 'y'?)" from the journal's names. */
ld_status ld_db_no_such_study(ld_db *db, const char *name);
/* Copies the storage's message onto the db handle with some context. */
ld_status ld_db_storage_fail(ld_db *db, ld_status status, const char *context);

double ld_now(void);

/*
 * Puts trials read from storage in the spec's parameter order: params[spec->n_params], each
 * found by name, LD_VAL_NONE (named) where the trial has none. Storage keeps only the active
 * parameters, so a trial whose `when` made one inactive comes back shorter, and everything that
 * indexes params by the spec's order (the command line, the samplers, refine) needs this first.
 * Parameters the spec does not name are dropped. LD_OK or LD_ERR_NOMEM.
 */
ld_status ld_trials_align(const ld_spec *spec, ld_trial *trials, size_t n);

/* ld_study_open with a parsed spec (the study takes it, also on failure). */
ld_status ld_study_open_spec(ld_db *db, ld_spec *spec, const ld_overrides *ov, ld_study **out);

/* Inside the caller's transaction: a queued copy of `old` (its re-run, retry_of old) and old's
   requeued_as pointing at it. Storage status; *number: the copy's number. */
ld_status ld_requeue_row(ld_db *db, int64_t study, const ld_trial *old, int *number);
/* Adds a queued trial with these values (spec order; NONE for inactive ones). */
ld_status ld_study_enqueue(ld_study *study, const ld_value *values, int *number);

/* Playbooks (playbook.c): checks that every stage's sweep can be written and parses (before
   any trial runs), and runs the stages one after the other. */
ld_status ld_playbook_check(ld_db *db, const ld_spec *spec);
/* The study of a playbook's stage: "NAME.STAGE" (caller frees; NULL when out of memory). */
char *ld_playbook_stage_study(const char *playbook_name, const ld_stage *stage);
ld_status ld_playbook_run(ld_study *playbook, ld_event_fn on_event, void *user,
                          size_t *n_failed);

/* ld_study_ask for the run loop: the trial records this process as its tuner. */
ld_status ld_study_ask_as_tuner(ld_study *study, ld_trial **out);

/* The pruner's verdict on the trial's latest report (no divergence or stop-request checks). */
ld_status ld_study_pruner_verdict(ld_study *study, int number, int *stop, char **reason);

/* Warm start (warmstart.c): loads the parent study's finished trials into study->warm. */
ld_status ld_study_load_warm(ld_study *study, const char *parent);
void ld_study_free_warm(ld_study *study);
/* Appends a note (takes ownership of text; NULL means out of memory). */
ld_status ld_study_add_note(ld_study *study, char *text);

/* Marks failed (reason "stale") the running trials of this study whose tuner died on this host
   or, when judge_silence is set, on another host sent no heartbeat for ld_study_stale_after()
   seconds; stops orphaned processes on this host, and re-queues them. Returns how many were
   recovered. A dead pid on this host is a fact; silence means something only when the caller's
   own link to the journal was sound for the whole grace period. */
ld_status ld_study_recover_stale(ld_study *study, int judge_silence, size_t *recovered);
/* The grace period of heartbeats in seconds: 60, or $LIANDAN_STALE_AFTER. */
double ld_study_stale_after(void);
/* Running trials of tuners (n_running), and those of them whose tuner is gone or has been
   silent for more than `late` seconds (n_late). */
ld_status ld_study_late_trials(ld_study *study, double late, size_t *n_late, size_t *n_running);
/* Re-queues a trial that ended failed: a new queued trial with the same params. */
ld_status ld_study_requeue(ld_study *study, const ld_trial *trial);
/* How many times this trial's params were already retried after failures of their own. */
int ld_study_retry_depth(const ld_trial *history, size_t n, const ld_trial *trial);

/*
 * Refine's narrowing (refine.c) for another sweep writer (playbook.c): the body of parameter j
 * of spec narrowed around top[n_top] (best first, in spec's order), or frozen at top[0]'s value
 * when importance (NULL: never) says it hardly matters.
 */
struct ld_yw_s;
void ld_refine_emit_param(struct ld_yw_s *w, const ld_spec *spec, const ld_trial **top,
                          size_t n_top, const double *importance, size_t j);

#endif
