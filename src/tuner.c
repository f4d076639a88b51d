/*
 * tuner.c — the run loop: keeps `parallel` trials running, feeds their metric lines to the
 * journal, stops the ones that must stop, and records how each one ended.
 *
 * One thread, event-driven: the runner (runner.c) multiplexes the children's pipes; this file
 * decides what to launch and what each event means. Signals only set a flag
 * (ld_study_signal); the loop notices it after the runner's poll returns.
 *
 * Signals: SIGINT once drains (no new trial, the running ones finish), twice stops the running
 * trials. SIGUSR1 drains (Slurm's warning before a time limit). SIGTERM (scancel, preemption, a
 * time limit) passes SIGTERM on to the running trials at once and gives them ld_term_grace()
 * seconds: a trial that ends successfully within it counts as usual, every other one is recorded
 * interrupted and re-queued, not counted against the budget.
 *
 * Budget: the trial budget counts every trial of the study that is not superseded by a re-run,
 * across all runs and tuners; the time budget counts from the start of this run. When either is
 * spent, no new trial starts and the running ones finish.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "journal_internal.h"
#include "metrics.h"
#include "runner.h"
#include "slurm.h"
#include "util/buf.h"

#define HEARTBEAT_SECONDS 2.0
/* A heartbeat this old is late: its tuner missed a beat and may be gone (wait_for_others). */
#define LATE_SECONDS (1.5 * HEARTBEAT_SECONDS)
#define TICK_SECONDS 1.0
/* Below Slurm's default KillWait (30 s), so the tuner records its trials before its SIGKILL. */
#define TERM_GRACE_SECONDS 20.0

typedef struct {
    int job;            /* runner job id, -1 when the slot is free */
    ld_trial *trial;
    int gpu;            /* index into spec->gpus, -1 when none */
    char *stop_reason;  /* set when we decided to prune it */
    int interrupted;    /* stopped by the second Ctrl-C or by SIGTERM: re-queued */
    int terminated;     /* the tuner got SIGTERM while it ran */
    int has_objective;  /* printed the objective at least once */
    int diverged;       /* reported a non-finite objective or diverged=1 */
    int converged;      /* stopped by a rule that ends training (plateau, overfit): complete */
    double reports;     /* metric lines seen, for steps when the line has no step key */
} slot;

typedef struct {
    ld_study *study;
    const ld_spec *spec;
    ld_runner *runner;  /* local trials, or */
    ld_slurm *slurm;    /* executor: slurm: each trial a batch job */
    slot *slots;
    int n_slots;
    char *git_commit;
    char *log_dir;
    char *checkpoint_root; /* LOG_DIR/checkpoints, absolute */
    int threads;
    ld_event_fn on_event;
    void *user;
    double started;
    double healthy_since; /* the journal answered every call in time since then */
    double last_contact;  /* the last call to the journal that answered */
    double calm_since;    /* wait_for_others: no other tuner's heartbeat was late since then */
    size_t done, failed_here;
    int failed_in_a_row;  /* this tuner's trials, ended in order; reset by any other end */
    int said_failures;    /* the max_failures stop was announced */
    size_t launched;      /* trials this run started */
    char *last_failure;   /* the first line of the latest failed trial's reason */
    int has_best, best_number;
    double best_value;
    double complete_seconds; /* summed durations of the study's complete trials ... */
    size_t n_complete_timed; /* ... and their count: what a trial takes (time_left_for_one) */
    int said_time;           /* the time-budget stop was announced */
} tuner;

static void take_signal(ld_study *s, int sig)
{
    if (sig == SIGTERM || sig == SIGUSR1) {
        if (sig == SIGTERM)
            s->terminating = 1;
        else
            s->draining = 1;
        if (s->interrupts < 1)
            s->interrupts = 1;
    } else if (s->interrupts < 1000) {
        s->interrupts++;
    }
}

void ld_study_signal(ld_study *study, int sig)
{
    take_signal(study, sig);
    ld_study *stage = study->stage;
    if (stage)
        take_signal(stage, sig);
}

void ld_study_interrupt(ld_study *study) { ld_study_signal(study, SIGINT); }

/* Seconds a trial has to finish after the tuner got SIGTERM: 20, or $LIANDAN_TERM_GRACE. */
static double term_grace(void)
{
    const char *env = getenv("LIANDAN_TERM_GRACE");
    double v = env && *env ? ld_parse_duration(env) : -1;
    return v > 0 ? v : TERM_GRACE_SECONDS;
}

static void emit(tuner *tu, ld_event_kind kind, const ld_trial *trial, const char *text)
{
    if (!tu->on_event)
        return;
    size_t running = 0;
    for (int i = 0; i < tu->n_slots; i++)
        running += tu->slots[i].job >= 0;
    ld_event ev = {.kind = kind,
                   .trial = trial,
                   .text = text,
                   .done = tu->done,
                   .budget = tu->spec->budget_trials > 0 ? (size_t)tu->spec->budget_trials : 0,
                   .running = running,
                   .has_best = tu->has_best,
                   .best_number = tu->best_number,
                   .best_value = tu->best_value,
                   .elapsed = ld_now() - tu->started,
                   .time_budget = tu->spec->budget_seconds};
    tu->on_event(&ev, tu->user);
}

static void note(tuner *tu, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(tuner *tu, const char *fmt, ...)
{
    ld_buf b = LD_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    ld_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    emit(tu, LD_EV_NOTE, NULL, ld_buf_str(&b));
    ld_buf_free(&b);
}

/* Counts a complete trial's duration into what a trial takes (time_left_for_one). */
static void time_trial(tuner *tu, const ld_trial *t)
{
    if (t->state == LD_TRIAL_COMPLETE && t->started > 0 && t->finished > t->started) {
        tu->complete_seconds += t->finished - t->started;
        tu->n_complete_timed++;
    }
}

/* Best-so-far and done counts from the journal, so a resumed run continues where it stood. */
static ld_status load_progress(tuner *tu)
{
    ld_study_info info;
    ld_status st = ld_db_get_study(tu->study->db, tu->study->name, &info);
    if (st != LD_OK)
        return st;
    tu->done = info.counts[LD_TRIAL_COMPLETE] + info.counts[LD_TRIAL_PRUNED] +
               info.counts[LD_TRIAL_FAILED];
    tu->has_best = info.has_best;
    tu->best_number = info.best_number;
    tu->best_value = info.best_value;
    ld_study_info_clear(&info);
    if (tu->spec->budget_seconds <= 0)
        return LD_OK;
    /* a resumed study already knows what a trial takes */
    ld_study *s = tu->study;
    ld_trial *h = NULL;
    size_t n = 0;
    if (s->db->storage.type->list_trials(s->db->storage.state, s->id, 0, &h, &n) == LD_OK)
        for (size_t i = 0; i < n; i++)
            time_trial(tu, &h[i]);
    ld_trials_free(h, n);
    return LD_OK;
}

/* The commit of the working directory's repository, or NULL. */
static char *git_commit(void)
{
    FILE *p = popen("git rev-parse HEAD 2>/dev/null", "r");
    if (!p)
        return NULL;
    char line[128] = "";
    char *got = fgets(line, sizeof line, p);
    int rc = pclose(p);
    if (!got || rc != 0)
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return line[0] ? ld_strdup(line) : NULL;
}

static int mkdir_p(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
        return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* A study name made safe as one path component. */
static char *safe_component(const char *name)
{
    char *s = ld_strdup(name);
    if (!s)
        return NULL;
    for (char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
            *p = '_';
    if (s[0] == '.')
        s[0] = '_';
    return s;
}

static void env_add(char ***env, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void env_add(char ***env, size_t *n, const char *fmt, ...)
{
    ld_buf b = LD_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    ld_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    char **grown = realloc(*env, (*n + 2) * sizeof **env);
    char *entry = ld_buf_take(&b);
    if (!grown || !entry) {
        free(entry);
        if (grown)
            *env = grown;
        return;
    }
    *env = grown;
    (*env)[(*n)++] = entry;
    (*env)[*n] = NULL;
}

/* LIANDAN_PARAM_<NAME>: upper case, with every character that a shell name cannot hold as '_'. */
static void param_env_name(const char *name, char *out, size_t size)
{
    size_t j = 0;
    for (const char *p = name; *p && j + 1 < size; p++)
        out[j++] = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
    out[j] = '\0';
}

/* The first trial of t's chain of re-runs (retry_of links): the chain shares its checkpoints. */
static int chain_root(tuner *tu, const ld_trial *t)
{
    ld_study *s = tu->study;
    int root = t->number, prev = t->retry_of;
    for (int hops = 0; prev >= 0 && hops < 10000; hops++) {
        ld_trial p;
        if (s->db->storage.type->get_trial(s->db->storage.state, s->id, prev, 0, &p) != LD_OK)
            break;
        root = prev;
        prev = p.retry_of;
        ld_trial_clear(&p);
    }
    return root;
}

/*
 * LIANDAN_CHECKPOINT_DIR: an absolute folder per chain of re-runs, LOG_DIR/checkpoints/ROOT, so
 * a trial re-queued after SIGTERM, a stale tuner or a failure finds what it saved before. Only
 * named, not created: a trial that saves checkpoints makes it (mkdir -p), and thousands of
 * cheap trials leave no empty folders.
 */
static char *checkpoint_dir(tuner *tu, const ld_trial *t)
{
    ld_buf b = LD_BUF_INIT;
    ld_buf_printf(&b, "%s/%d", tu->checkpoint_root, chain_root(tu, t));
    return ld_buf_take(&b);
}

/* LOG_DIR/checkpoints as an absolute path, for checkpoint_dir. */
static char *absolute_checkpoint_root(const char *log_dir)
{
    ld_buf b = LD_BUF_INIT;
    char cwd[4096];
    if (log_dir[0] != '/' && getcwd(cwd, sizeof cwd))
        ld_buf_printf(&b, "%s/", cwd);
    if (log_dir[0] == '.' && log_dir[1] == '/')
        log_dir += 2;
    ld_buf_printf(&b, "%s/checkpoints", log_dir);
    return ld_buf_take(&b);
}

static char **trial_env(tuner *tu, const ld_trial *t, int gpu)
{
    char **env = NULL;
    size_t n = 0;
    env_add(&env, &n, "LIANDAN_STUDY=%s", tu->study->name);
    env_add(&env, &n, "LIANDAN_TRIAL=%d", t->number);
    char *checkpoints = checkpoint_dir(tu, t);
    if (checkpoints)
        env_add(&env, &n, "LIANDAN_CHECKPOINT_DIR=%s", checkpoints);
    free(checkpoints);
    for (size_t i = 0; i < t->n_params; i++) {
        if (t->params[i].type == LD_VAL_NONE)
            continue;
        char name[256], value[512];
        param_env_name(t->param_names[i], name, sizeof name);
        ld_value_format(&t->params[i], value, sizeof value);
        env_add(&env, &n, "LIANDAN_PARAM_%s=%s", name, value);
    }
    if (gpu >= 0)
        env_add(&env, &n, "CUDA_VISIBLE_DEVICES=%d", tu->spec->gpus[gpu]);
    static const char *const thread_vars[] = {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                              "MKL_NUM_THREADS"};
    for (size_t i = 0; i < sizeof thread_vars / sizeof *thread_vars; i++)
        if (tu->spec->threads_per_trial > 0 || !getenv(thread_vars[i]))
            env_add(&env, &n, "%s=%d", thread_vars[i], tu->threads);
    return env;
}

static void free_strv(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

static char *argv_json(char **argv)
{
    ld_buf b = LD_BUF_INIT;
    ld_buf_putc(&b, '[');
    for (char **p = argv; *p; p++) {
        if (p != argv)
            ld_buf_puts(&b, ", ");
        ld_buf_json_string(&b, *p);
    }
    ld_buf_putc(&b, ']');
    return ld_buf_take(&b);
}

static int free_gpu(const tuner *tu)
{
    for (size_t g = 0; g < tu->spec->n_gpus; g++) {
        int used = 0;
        for (int i = 0; i < tu->n_slots; i++)
            used |= tu->slots[i].job >= 0 && tu->slots[i].gpu == (int)g;
        if (!used)
            return (int)g;
    }
    return -1;
}

static void end_trial(tuner *tu, slot *sl, const ld_trial_end *end);

/* ---- the executor: local processes (runner.h) or Slurm jobs (slurm.h), one interface ---- */

static int ex_start(tuner *tu, const ld_job_spec *job, pid_t *pid, long *slurm_id)
{
    *pid = 0;
    *slurm_id = 0;
    return tu->slurm ? ld_slurm_start(tu->slurm, job, slurm_id)
                     : ld_runner_start(tu->runner, job, pid);
}

/* grace: seconds between SIGTERM and SIGKILL (0: the job's own); Slurm's is its KillWait. */
static void ex_stop(tuner *tu, int job, double grace)
{
    if (tu->slurm)
        ld_slurm_stop(tu->slurm, job);
    else
        ld_runner_stop_within(tu->runner, job, grace);
}

static int ex_poll(tuner *tu, int timeout_ms, ld_run_event *ev)
{
    return tu->slurm ? ld_slurm_poll(tu->slurm, timeout_ms, ev)
                     : ld_runner_poll(tu->runner, timeout_ms, ev);
}

/* Stops whatever still runs (SIGKILL, scancel) and frees the executor. */
static void ex_free(tuner *tu)
{
    ld_runner_free(tu->runner);
    tu->runner = NULL;
    ld_slurm_free(tu->slurm);
    tu->slurm = NULL;
}

/* Starts the claimed trial in slot sl. A trial that cannot start is recorded as failed. */
static ld_status launch(tuner *tu, slot *sl)
{
    ld_trial *t = sl->trial;
    char err[5120] = "";
    char **argv = NULL;
    ld_status st = ld_command_build(tu->spec, t->params, &argv, err, sizeof err);
    if (st != LD_OK) {
        ld_trial_end end = {.state = LD_TRIAL_FAILED, .exit_code = -1, .reason = err};
        end_trial(tu, sl, &end);
        return LD_OK;
    }
    char log_path[4096];
    snprintf(log_path, sizeof log_path, "%s/%d.log", tu->log_dir, t->number);
    char **env = trial_env(tu, t, sl->gpu);
    ld_job_spec job = {.argv = argv,
                       .env_set = env,
                       .log_path = log_path,
                       .timeout_seconds = tu->spec->timeout_seconds};
    pid_t pid = 0;
    long slurm_id = 0;
    sl->job = ex_start(tu, &job, &pid, &slurm_id);
    if (sl->job < 0) {
        snprintf(err, sizeof err, "cannot start the trial (log %s): %s", log_path,
                 strerror(errno));
        ld_trial_end end = {.state = LD_TRIAL_FAILED, .exit_code = -1, .reason = err};
        end_trial(tu, sl, &end);
    } else {
        char *cmd = argv_json(argv);
        const ld_storage_type *stype = tu->study->db->storage.type;
        st = stype->set_trial_process(tu->study->db->storage.state, tu->study->id, t->number,
                                      (int)pid, cmd, log_path, tu->git_commit, ld_now());
        if (st != LD_OK)
            ld_db_storage_fail(tu->study->db, st, "cannot record the trial's process");
        t->pid = (int)pid;
        free(t->log_path);
        t->log_path = ld_strdup(log_path);
        free(cmd);
        char where[48];
        snprintf(where, sizeof where, "Slurm job %ld", slurm_id);
        emit(tu, LD_EV_START, t, slurm_id > 0 ? where : NULL);
    }
    ld_argv_free(argv);
    free_strv(env);
    return st;
}

static slot *free_slot(tuner *tu)
{
    for (int i = 0; i < tu->n_slots; i++)
        if (tu->slots[i].job < 0 && !tu->slots[i].trial)
            return &tu->slots[i];
    return NULL;
}

static void release(slot *sl)
{
    ld_trial_free(sl->trial);
    free(sl->stop_reason);
    *sl = (slot){.job = -1, .gpu = -1};
}

/* Records the end of a trial, re-queues it when it may be retried, and frees the slot. */
static void end_trial(tuner *tu, slot *sl, const ld_trial_end *end)
{
    ld_study *s = tu->study;
    ld_status st = ld_study_tell(s, sl->trial->number, end);
    if (st != LD_OK) {
        note(tu, "trial %d: %s", sl->trial->number, ld_db_errmsg(s->db));
        release(sl);
        return;
    }
    ld_trial fresh;
    st = s->db->storage.type->get_trial(s->db->storage.state, s->id, sl->trial->number, 0,
                                         &fresh);
    if (st != LD_OK) {
        release(sl);
        return;
    }
    if (fresh.requeued_as >= 0 && !sl->interrupted) {
        /* This tuner was silent for too long and another marked the trial stale and re-queued
           it; ld_study_tell recorded how it really ended with the stale trial. */
        note(tu, "trial %d ended after another tuner had marked it stale; its result is kept "
                 "with it, and trial %d re-runs it",
             fresh.number, fresh.requeued_as);
        emit(tu, LD_EV_END, &fresh, NULL);
        ld_trial_clear(&fresh);
        release(sl);
        return;
    }
    if (fresh.state == LD_TRIAL_FAILED && !sl->interrupted)
        tu->failed_here++; /* an interrupted trial did not fail: it is re-queued */
    if (!sl->interrupted)
        tu->failed_in_a_row = fresh.state == LD_TRIAL_FAILED ? tu->failed_in_a_row + 1 : 0;
    if (fresh.state == LD_TRIAL_FAILED && fresh.reason) {
        free(tu->last_failure);
        tu->last_failure = strndup(fresh.reason, strcspn(fresh.reason, "\n"));
    }
    if (fresh.state == LD_TRIAL_FAILED && s->spec->retries > 0) {
        ld_trial *h = NULL;
        size_t n = 0;
        if (s->db->storage.type->list_trials(s->db->storage.state, s->id, 0, &h, &n) == LD_OK &&
            (sl->interrupted || ld_study_retry_depth(h, n, &fresh) < s->spec->retries)) {
            if (ld_study_requeue(s, &fresh) == LD_OK)
                note(tu, "trial %d failed; re-queued (retries: %d)", fresh.number,
                     s->spec->retries);
        }
        ld_trials_free(h, n);
    } else if (sl->interrupted) {
        ld_study_requeue(s, &fresh);
    }
    time_trial(tu, &fresh);
    if (fresh.state == LD_TRIAL_COMPLETE && fresh.has_value &&
        (!tu->has_best ||
         (s->spec->maximize ? fresh.value > tu->best_value : fresh.value < tu->best_value))) {
        tu->has_best = 1;
        tu->best_number = fresh.number;
        tu->best_value = fresh.value;
    }
    if (!sl->interrupted)
        tu->done++;
    release(sl); /* before the event, so it counts one trial less running */
    emit(tu, LD_EV_END, &fresh, NULL);
    ld_trial_clear(&fresh);
}

static slot *slot_of_job(tuner *tu, int job)
{
    for (int i = 0; i < tu->n_slots; i++)
        if (tu->slots[i].job == job)
            return &tu->slots[i];
    return NULL;
}

static void stop_slot(tuner *tu, slot *sl, const char *reason)
{
    if (sl->stop_reason || sl->job < 0)
        return;
    sl->stop_reason = ld_strdup(reason);
    ex_stop(tu, sl->job, 0);
}

static void on_line(tuner *tu, slot *sl, const char *line)
{
    ld_metric_kv kv[LD_METRICS_MAX];
    size_t n = ld_metrics_parse_line(line, kv, LD_METRICS_MAX);
    if (n == 0)
        return;
    sl->reports += 1;
    double step = sl->reports;
    const char *keys[LD_METRICS_MAX];
    double values[LD_METRICS_MAX];
    size_t m = 0;
    int objective_bad = 0, diverged = 0, has_objective = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(kv[i].key, tu->spec->step) == 0) {
            step = kv[i].value;
            continue;
        }
        if (strcmp(kv[i].key, tu->spec->metric) == 0) {
            has_objective = sl->has_objective = 1;
            objective_bad = !isfinite(kv[i].value);
        }
        if (strcmp(kv[i].key, "diverged") == 0 && kv[i].value != 0)
            diverged = 1;
        keys[m] = kv[i].key;
        values[m++] = kv[i].value;
    }
    if (m > 0 && ld_study_report(tu->study, sl->trial->number, step, m, keys, values) != LD_OK)
        note(tu, "trial %d: %s", sl->trial->number, ld_db_errmsg(tu->study->db));
    emit(tu, LD_EV_METRIC, sl->trial, line);
    if (objective_bad || diverged) {
        sl->diverged = 1;
        char reason[256];
        if (diverged)
            snprintf(reason, sizeof reason, "diverged: the trial reported diverged=1");
        else
            snprintf(reason, sizeof reason, "diverged: %s is not a finite number at %s %g",
                     tu->spec->metric, tu->spec->step, step);
        stop_slot(tu, sl, reason);
    } else if (has_objective && tu->study->pruner.type && !sl->stop_reason) {
        int stop = 0;
        char *why = NULL;
        if (ld_study_pruner_verdict(tu->study, sl->trial->number, &stop, &why) != LD_OK)
            note(tu, "trial %d: %s", sl->trial->number, ld_db_errmsg(tu->study->db));
        else if (stop) {
            sl->converged = tu->study->pruner.type->ends_training;
            stop_slot(tu, sl, why);
        }
        free(why);
    }
}

/*
 * The line of a failed trial's last output that most likely says why: the last one with a
 * letter or digit in it (a Python traceback ends with its exception, a C program with its
 * message), its last carriage-return segment (progress bars redraw with \r), without leading
 * blanks. NULL when there is none; *len: its length, at most 200.
 */
static const char *last_meaningful_line(const char *tail, size_t *len)
{
    const char *best = NULL;
    size_t best_len = 0;
    for (const char *p = tail; *p;) {
        size_t n = strcspn(p, "\n");
        const char *seg = p, *end = p + n;
        for (const char *q = p; q < end; q++)
            if (*q == '\r' && q + 1 < end)
                seg = q + 1;
        while (seg < end && (*seg == ' ' || *seg == '\t'))
            seg++;
        size_t m = (size_t)(end - seg);
        while (m && (seg[m - 1] == '\r' || seg[m - 1] == ' '))
            m--;
        for (size_t k = 0; k < m; k++)
            if (isalnum((unsigned char)seg[k])) {
                best = seg;
                best_len = m;
                break;
            }
        p = *end ? end + 1 : end;
    }
    *len = best_len > 200 ? 200 : best_len;
    return best;
}

/*
 * A scheduler's SIGTERM (scancel, preemption, a time limit) goes to every process of the job at
 * once, so a trial may die of it before the tuner's own SIGTERM has been noticed, or has even
 * arrived. A trial that ended by SIGTERM that the tuner did not send waits up to a second for
 * the tuner's: with it, the trial was interrupted, not failed.
 */
static void notice_outside_sigterm(tuner *tu, slot *sl, const ld_run_event *ev)
{
    ld_study *s = tu->study;
    if (sl->terminated || sl->stop_reason)
        return;
    int by_sigterm = !ev->why && (ev->term_signal == SIGTERM || ev->exit_code == 128 + SIGTERM);
    for (int i = 0; by_sigterm && !s->terminating && i < 20; i++) {
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL); /* a signal ends it early */
    }
    if (s->terminating) {
        sl->interrupted = sl->terminated = 1;
        sl->stop_reason = ld_strdup("interrupted");
    }
}

static void on_exit_event(tuner *tu, slot *sl, const ld_run_event *ev)
{
    notice_outside_sigterm(tu, sl, ev);
    if (ev->interrupted && !sl->stop_reason) /* preempted, a node failed: not the trial's fault */
        sl->interrupted = 1;
    ld_buf reason = LD_BUF_INIT;
    ld_trial_end end = {.state = LD_TRIAL_COMPLETE,
                        .exit_code = ev->exit_code,
                        .term_signal = ev->term_signal};
    const char *tail = ev->tail && *ev->tail ? ev->tail : NULL;
    /* A trial that ended by itself, successfully, before the stop reached it did all its
       work: it is complete, whatever was decided too late to save anything. */
    int ended_first = !ev->stopped && ev->exit_code == 0 && !ev->term_signal &&
                      !ev->timed_out && !ev->exec_errno && !sl->diverged;
    if (sl->terminated && ev->exit_code == 0 && !ev->term_signal && !ev->exec_errno &&
        !sl->diverged && sl->has_objective) {
        /* it finished within the grace that SIGTERM gave it: a result like any other */
        sl->interrupted = 0;
        ended_first = 1;
    }
    if (sl->stop_reason && !sl->interrupted && !ended_first) {
        end.state = sl->converged && !sl->diverged ? LD_TRIAL_COMPLETE : LD_TRIAL_PRUNED;
        ld_buf_puts(&reason, sl->stop_reason);
    } else if (sl->interrupted && ev->interrupted && ev->why) {
        end.state = LD_TRIAL_FAILED;
        ld_buf_printf(&reason, "interrupted: %s; re-queued", ev->why);
    } else if (sl->interrupted && sl->terminated) {
        end.state = LD_TRIAL_FAILED;
        ld_buf_puts(&reason, "interrupted: the tuner got SIGTERM (scancel, preemption or a time "
                             "limit) before the trial finished; re-queued");
    } else if (sl->interrupted) {
        end.state = LD_TRIAL_FAILED;
        ld_buf_puts(&reason, "interrupted: stopped by Ctrl-C; re-queued for the next run");
    } else if (ev->timed_out) {
        end.state = LD_TRIAL_FAILED;
        ld_buf_printf(&reason, "timeout: still running after %gs", tu->spec->timeout_seconds);
    } else if (ev->exec_errno) {
        end.state = LD_TRIAL_FAILED;
        /* the runner's tail already says "cannot run 'prog': why" */
        ld_buf_puts(&reason, tail ? tail : strerror(ev->exec_errno));
        tail = NULL;
    } else if (ev->why) {
        end.state = LD_TRIAL_FAILED;
        ld_buf_puts(&reason, ev->why);
    } else if (ev->term_signal) {
        end.state = LD_TRIAL_FAILED;
        ld_buf_printf(&reason, "killed by signal %d (%s)", ev->term_signal,
                      strsignal(ev->term_signal));
    } else if (ev->exit_code != 0) {
        end.state = LD_TRIAL_FAILED;
        ld_buf_printf(&reason, "exit status %d", ev->exit_code);
    }
    if (end.state == LD_TRIAL_FAILED && tail) {
        /* the first line says why (where one-line views show it), the tail follows for show */
        size_t len = 0;
        const char *why = last_meaningful_line(tail, &len);
        if (why)
            ld_buf_printf(&reason, ": %.*s", (int)len, why);
        ld_buf_printf(&reason, "\nlast output:\n%s", tail);
    }
    end.reason = reason.len ? ld_buf_str(&reason) : NULL;
    end_trial(tu, sl, &end);
    ld_buf_free(&reason);
}

/*
 * Whether another tuner's silence means anything: only when our own calls to the journal have
 * all answered, without a gap, for a whole grace period. After an outage every tuner's heartbeat
 * is old, and the first to come back must not mark the others stale.
 */
static void contact(tuner *tu, int answered, double began)
{
    double now = ld_now(), grace = ld_study_stale_after();
    if (!answered || now - began > grace / 2 || began - tu->last_contact > grace / 2)
        tu->healthy_since = now;
    if (answered)
        tu->last_contact = now;
}

static int may_judge_others(const tuner *tu)
{
    return ld_now() - tu->healthy_since >= ld_study_stale_after();
}

/* Marks stale and re-queues the trials of tuners that are gone; a spent budget may then have
   room again (*exhausted 2 -> 0). */
static void recover_others(tuner *tu, int *exhausted)
{
    size_t recovered = 0;
    double began = ld_now();
    ld_status st = ld_study_recover_stale(tu->study, may_judge_others(tu), &recovered);
    contact(tu, st == LD_OK, began);
    if (st != LD_OK) {
        note(tu, "looking for stale trials: %s", ld_db_errmsg(tu->study->db));
        return;
    }
    if (recovered) {
        note(tu, "%zu trial(s) of a tuner that is gone were marked stale and re-queued",
             recovered);
        if (*exhausted == 2)
            *exhausted = 0;
    }
}

/*
 * Nothing of ours runs and the budget or grid is spent (*exhausted == 2), but a tuner that died
 * may have left trials running that must be re-run for the study to end whole. Wait while other
 * tuners' trials run with a late heartbeat, recovering those that turn stale, and leave once
 * every heartbeat stayed on time for LATE_SECONDS (a tuner that died just now shows by then).
 * 1: keep going (after a pause).
 */
static int wait_for_others(tuner *tu, int *exhausted)
{
    if (*exhausted != 2 || tu->study->interrupts > 0)
        return 0;
    recover_others(tu, exhausted);
    if (*exhausted == 0)
        return 1;
    size_t late = 0, running = 0;
    double began = ld_now();
    ld_status st = ld_study_late_trials(tu->study, LATE_SECONDS, &late, &running);
    contact(tu, st == LD_OK, began);
    if (st != LD_OK || running == 0)
        return 0;
    if (late > 0 || tu->calm_since == 0)
        tu->calm_since = late > 0 ? 0 : ld_now();
    else if (ld_now() - tu->calm_since >= LATE_SECONDS)
        return 0;
    emit(tu, LD_EV_TICK, NULL, NULL);
    struct timespec pause = {0, 500 * 1000 * 1000};
    nanosleep(&pause, NULL);
    return 1;
}

/* Heartbeats for our running trials and stop requests made with `liandan stop`. */
static void housekeeping(tuner *tu)
{
    double began = ld_now();
    ld_study *s = tu->study;
    const ld_storage_type *t = s->db->storage.type;
    int numbers[256];
    size_t n = 0;
    for (int i = 0; i < tu->n_slots && n < 256; i++) {
        slot *sl = &tu->slots[i];
        if (sl->job < 0)
            continue;
        numbers[n++] = sl->trial->number;
        ld_trial cur;
        if (t->get_trial(s->db->storage.state, s->id, sl->trial->number, 0, &cur) == LD_OK) {
            if (cur.stop_requested)
                stop_slot(tu, sl, "stopped by hand");
            ld_trial_clear(&cur);
        }
    }
    int answered = !n || t->heartbeat(s->db->storage.state, s->id, numbers, n, ld_now()) == LD_OK;
    if (!answered)
        note(tu, "heartbeat: %s", t->errmsg(s->db->storage.state));
    contact(tu, answered, began);
}

static int target_reached(const tuner *tu)
{
    const ld_spec *spec = tu->spec;
    if (!spec->has_target || !tu->has_best)
        return 0;
    return spec->maximize ? tu->best_value >= spec->target : tu->best_value <= spec->target;
}

static void interrupt_all(tuner *tu)
{
    for (int i = 0; i < tu->n_slots; i++) {
        slot *sl = &tu->slots[i];
        if (sl->job >= 0 && !sl->interrupted) {
            sl->interrupted = 1;
            free(sl->stop_reason);
            sl->stop_reason = ld_strdup("interrupted");
            ex_stop(tu, sl->job, 0);
        }
    }
}

static size_t running_count(const tuner *tu)
{
    size_t n = 0;
    for (int i = 0; i < tu->n_slots; i++)
        n += tu->slots[i].job >= 0;
    return n;
}

/* SIGTERM: every running trial gets it now and term_grace() seconds before SIGKILL. A trial
   already being stopped (pruned, diverged, stopped by hand) goes on ending that way. */
static void terminate_all(tuner *tu)
{
    for (int i = 0; i < tu->n_slots; i++) {
        slot *sl = &tu->slots[i];
        if (sl->job >= 0 && !sl->stop_reason) {
            sl->interrupted = sl->terminated = 1;
            sl->stop_reason = ld_strdup("interrupted");
            ex_stop(tu, sl->job, term_grace());
        }
    }
}

/* Says at once what a signal does to this run. */
static void acknowledge(tuner *tu, int presses, int stopped_all)
{
    ld_study *s = tu->study;
    size_t n = running_count(tu);
    const char *trials = n == 1 ? "trial" : "trials";
    if (!n) {
        if (presses == 1 && (s->terminating || s->draining))
            note(tu, "%s: no new trial starts", s->terminating ? "SIGTERM" : "SIGUSR1");
        return;
    }
    if (presses >= 2 && !stopped_all)
        note(tu, "Ctrl-C again: stopping %zu running %s; re-queued for the next run", n, trials);
    else if (presses == 1 && s->terminating)
        note(tu, "SIGTERM: no new trial starts; %zu running %s got SIGTERM and have %gs to "
                 "finish, then are stopped and re-queued", n, trials, term_grace());
    else if (presses == 1 && s->draining)
        note(tu, "SIGUSR1: no new trial starts; finishing %zu running %s", n, trials);
    else if (presses == 1)
        note(tu, "Ctrl-C: no new trial starts; finishing %zu running %s (Ctrl-C again stops %s: "
                 "re-queued for the next run)", n, trials, n == 1 ? "it" : "them");
}

/* A run with nothing to do says why, and, when failures spent the budget, what to do. */
static void say_spent(tuner *tu)
{
    ld_study *s = tu->study;
    ld_trial *h = NULL;
    size_t n = 0, live = 0, failed = 0;
    if (s->db->storage.type->list_trials(s->db->storage.state, s->id, 0, &h, &n) != LD_OK)
        return;
    for (size_t i = 0; i < n; i++) {
        live += h[i].requeued_as < 0;
        failed += h[i].requeued_as < 0 && h[i].state == LD_TRIAL_FAILED;
    }
    ld_trials_free(h, n);
    if (tu->spec->budget_trials <= 0)
        note(tu, "study %s has run every point of its grid: nothing to run", s->name);
    else if (failed)
        note(tu, "study %s has spent its budget (%zu of %ld trials, %zu of them failed); "
                 "'liandan retry %s' re-queues the failed ones, or raise budget.trials "
                 "(--trials N)", s->name, live, tu->spec->budget_trials, failed, s->name);
    else
        note(tu, "study %s has spent its budget (%zu of %ld trials): nothing to run; raise "
                 "budget.trials (--trials N) to run more", s->name, live,
             tu->spec->budget_trials);
}

/* max_failures trials in a row failed: a mistake every trial will repeat (a typo, a missing
   file), not bad luck. Said once; no new trial starts, the running ones finish. */
static int too_many_failures(tuner *tu)
{
    const ld_spec *spec = tu->spec;
    int max = spec->has_max_failures ? spec->max_failures : LD_MAX_FAILURES_DEFAULT;
    if (max <= 0 || tu->failed_in_a_row < max)
        return 0;
    if (!tu->said_failures) {
        tu->said_failures = 1;
        note(tu, "stopping: the last %d trials failed (the last one: %s); fix the cause and run "
                 "again (the sweep's max_failures, %d by default, says after how many failures "
                 "in a row; 0 never stops)",
             tu->failed_in_a_row, tu->last_failure ? tu->last_failure : "see its log",
             LD_MAX_FAILURES_DEFAULT);
    }
    return 1;
}

/*
 * Whether the time budget still holds a whole trial: the mean duration of the study's complete
 * trials (none yet: any time left will do). A trial that cannot finish in time is not started,
 * so a run (and each playbook stage) ends within its budget. Said once.
 */
static int time_left_for_one(tuner *tu)
{
    double budget = tu->spec->budget_seconds;
    if (budget <= 0)
        return 1;
    double left = budget - (ld_now() - tu->started);
    if (left <= 0)
        return 0;
    if (!tu->n_complete_timed)
        return 1;
    double typical = tu->complete_seconds / (double)tu->n_complete_timed;
    if (typical <= left)
        return 1;
    if (!tu->said_time) {
        tu->said_time = 1;
        note(tu, "time budget: %.0f s left, and a trial takes about %.0f s (the mean of %zu "
                 "complete trials): no new trial starts", left, typical, tu->n_complete_timed);
    }
    return 0;
}

static ld_status fill_slots(tuner *tu, int *exhausted)
{
    ld_study *s = tu->study;
    slot *sl;
    while (!*exhausted && (sl = free_slot(tu)) != NULL) {
        if (s->interrupts > 0 || target_reached(tu) || too_many_failures(tu) ||
            !time_left_for_one(tu)) {
            *exhausted = 1;
            break;
        }
        ld_trial *trial = NULL;
        ld_status st = ld_study_ask_as_tuner(s, &trial);
        if (st == LD_ERR_DONE) {
            *exhausted = 2; /* spent: see wait_for_others */
            if (!tu->launched)
                say_spent(tu);
            break;
        }
        if (st != LD_OK)
            return st;
        sl->trial = trial;
        tu->launched++;
        sl->gpu = tu->spec->n_gpus ? free_gpu(tu) : -1;
        st = launch(tu, sl);
        if (st != LD_OK)
            return st;
    }
    return LD_OK;
}

static ld_status tuner_init(tuner *tu, ld_study *s)
{
    const ld_spec *spec = s->spec;
    if (spec->n_command == 0)
        return ld_db_fail(s->db, LD_ERR_INPUT,
                          "%s:1:1: nothing to run; add program: train.py, or a command: list "
                          "(a sweep without them serves only 'liandan ask')",
                          spec->path);
    tu->study = s;
    tu->spec = spec;
    tu->started = ld_now();
    tu->n_slots = spec->parallel > 0 ? spec->parallel : 1;
    if (spec->n_gpus && (size_t)tu->n_slots > spec->n_gpus)
        tu->n_slots = (int)spec->n_gpus; /* one trial per device at a time */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    tu->threads = spec->threads_per_trial > 0 ? spec->threads_per_trial
                                              : (int)(cores / tu->n_slots > 0 ? cores / tu->n_slots : 1);
    if (spec->executor == LD_EXECUTOR_SLURM && spec->threads_per_trial <= 0)
        tu->threads = spec->slurm.cpus_per_task > 0 ? spec->slurm.cpus_per_task : 1;
    tu->slots = calloc((size_t)tu->n_slots, sizeof *tu->slots);
    for (int i = 0; tu->slots && i < tu->n_slots; i++)
        tu->slots[i] = (slot){.job = -1, .gpu = -1};
    char *component = safe_component(s->name);
    if (spec->executor == LD_EXECUTOR_SLURM) {
        ld_buf job_name = LD_BUF_INIT;
        ld_buf_printf(&job_name, "liandan-%s", component ? component : "study");
        tu->slurm = ld_slurm_new(&spec->slurm, ld_buf_str(&job_name));
        ld_buf_free(&job_name);
    } else {
        tu->runner = ld_runner_new();
    }
    ld_buf dir = LD_BUF_INIT;
    ld_buf_printf(&dir, "%s/%s", ld_db_runs_dir(s->db), component ? component : "study");
    free(component);
    tu->log_dir = ld_buf_take(&dir);
    tu->checkpoint_root = tu->log_dir ? absolute_checkpoint_root(tu->log_dir) : NULL;
    if (!tu->slots || (!tu->runner && !tu->slurm) || !tu->log_dir || !tu->checkpoint_root)
        return ld_db_fail(s->db, LD_ERR_NOMEM, "out of memory");
    if (mkdir_p(tu->log_dir) != 0)
        return ld_db_fail(s->db, LD_ERR_IO, "cannot create the log folder %s: %s", tu->log_dir,
                          strerror(errno));
    tu->git_commit = git_commit();
    return load_progress(tu);
}

static void tuner_free(tuner *tu)
{
    ex_free(tu);
    if (tu->slots)
        for (int i = 0; i < tu->n_slots; i++)
            if (tu->slots[i].trial)
                release(&tu->slots[i]);
    free(tu->slots);
    free(tu->git_commit);
    free(tu->log_dir);
    free(tu->checkpoint_root);
    free(tu->last_failure);
}

ld_status ld_study_run(ld_study *s, ld_event_fn on_event, void *user, size_t *n_failed)
{
    if (s->spec && s->spec->n_stages)
        return ld_playbook_run(s, on_event, user, n_failed);
    tuner tu = {.on_event = on_event, .user = user};
    *n_failed = 0;
    ld_status st = tuner_init(&tu, s);
    size_t recovered = 0;
    if (st == LD_OK)
        st = ld_study_recover_stale(s, 1, &recovered);
    if (st == LD_OK && recovered)
        note(&tu, "%zu trial(s) left running by a tuner that died were marked stale and "
                  "re-queued", recovered);
    int exhausted = 0, stopped_all = 0; /* exhausted: 1 stop launching, 2 budget or grid spent */
    int acknowledged = s->interrupts;   /* Ctrl-C presses already answered on stderr */
    int terminated = 0;                 /* SIGTERM passed on to the running trials */
    double last_tick = 0, last_beat = ld_now(), last_recover = ld_now();
    /* a dead tuner on this host shows within two heartbeats; silence after the grace period */
    double recover_every = ld_study_stale_after() / 4;
    if (recover_every > 2 * HEARTBEAT_SECONDS)
        recover_every = 2 * HEARTBEAT_SECONDS;
    if (recover_every < 1)
        recover_every = 1;
    tu.healthy_since = tu.last_contact = ld_now();
    while (st == LD_OK) {
        st = fill_slots(&tu, &exhausted);
        if (st != LD_OK)
            break;
        if (s->interrupts != acknowledged || s->terminating != terminated) {
            acknowledge(&tu, s->interrupts, stopped_all);
            acknowledged = s->interrupts;
        }
        if (s->terminating && !terminated) {
            terminate_all(&tu);
            terminated = 1;
        }
        if (s->interrupts >= 2 && !stopped_all) {
            interrupt_all(&tu);
            stopped_all = 1;
        }
        if (running_count(&tu) == 0) {
            if (wait_for_others(&tu, &exhausted))
                continue;
            break;
        }
        ld_run_event ev;
        int got = ex_poll(&tu, 200, &ev);
        if (got < 0) {
            st = ld_db_fail(s->db, LD_ERR_IO, "waiting for trials: %s", strerror(errno));
            break;
        }
        if (got > 0) {
            slot *sl = slot_of_job(&tu, ev.job);
            if (sl && ev.kind == LD_RUN_LINE)
                on_line(&tu, sl, ev.line);
            else if (sl && ev.kind == LD_RUN_EXIT)
                on_exit_event(&tu, sl, &ev);
        }
        double now = ld_now();
        if (now - last_beat >= HEARTBEAT_SECONDS) {
            housekeeping(&tu);
            last_beat = now;
        }
        if (now - last_recover >= recover_every) {
            recover_others(&tu, &exhausted);
            last_recover = ld_now();
        }
        if (now - last_tick >= TICK_SECONDS) {
            emit(&tu, LD_EV_TICK, NULL, NULL);
            last_tick = now;
        }
    }
    if (st != LD_OK) {
        /* The journal or the machine failed: stop what runs, and say so once. */
        char msg[sizeof s->db->err];
        memcpy(msg, s->db->err, sizeof msg);
        interrupt_all(&tu);
        ex_free(&tu);
        memcpy(s->db->err, msg, sizeof msg);
    }
    *n_failed = tu.failed_here;
    tuner_free(&tu);
    return st;
}
