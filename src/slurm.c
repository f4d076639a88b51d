/*
 * slurm.c — the Slurm executor behind slurm.h: one batch job per trial, driven by sbatch,
 * squeue, scontrol and scancel.
 *
 * Life of a job (the function behind each transition in brackets):
 *
 *   submitted [ld_slurm_start: sbatch --parsable] ──► in the queue: PENDING, RUNNING ...
 *      │   its output file is read every READ_SECONDS from where the last read stopped, and its
 *      │   complete lines are LINE events [read_output]
 *      ├── a terminal state in squeue, or gone from it [check_states] ──► scontrol show job
 *      │   for JobState, ExitCode and Reason ──► the rest of the output, then EXIT [finish]
 *      └── stopped or past its timeout [ld_slurm_stop, check_timeouts]: scancel; Slurm then
 *          ends it (CANCELLED), as above
 *
 * squeue asks for every job in flight at once, every CHECK_SECONDS; scontrol only for the ones
 * that ended. A job Slurm no longer knows (squeue does not list it and scontrol has no record:
 * the controller restarted, or MinJobAge passed while the tuner was stopped) ends as failed
 * with that said. The tools run without a shell; their output is read in full before their
 * exit status is collected with waitpid on their own pid.
 */
#include "slurm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"

#define READ_SECONDS 0.25
#define CHECK_SECONDS 1.0
#define TAIL_BYTES 2048

extern char **environ;

typedef struct {
    int id;
    long slurm_id;       /* 0 when sbatch refused the job */
    char *log_path;
    off_t offset;        /* bytes of the log already delivered */
    ld_buf partial;      /* the last line read, when it had no newline yet */
    double deadline;     /* 0: no timeout */
    int cancelled;       /* scancel sent */
    int stopped, timed_out;
    int completing;      /* squeue said COMPLETING: it is ending (its processes being killed) */
    double started;
} sjob;

typedef struct {
    ld_run_event ev;
    char *line, *tail, *why; /* owned */
} queued;

struct ld_slurm {
    const ld_slurm_options *opts;
    char *job_name;
    sjob **jobs;         /* in flight */
    size_t n_jobs, cap_jobs;
    queued *queue;
    size_t q_head, q_len, q_cap;
    queued current;      /* the event handed out last; freed at the next poll */
    int next_id;
    double next_read, next_check;
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- running the tools ----------------------------------------------------------------- */

/*
 * Runs argv (looked up in PATH), its stdout and stderr both read into *out. Returns the exit
 * status (0 success), 127 when it cannot start.
 */
static int run_tool(char *const argv[], ld_buf *out)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return 127;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        ld_buf_printf(out, "cannot run %s: %s", argv[0], strerror(rc));
        return 127;
    }
    char chunk[4096];
    for (;;) {
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n > 0)
            ld_buf_append(out, chunk, (size_t)n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- the executor ---------------------------------------------------------------------- */

ld_slurm *ld_slurm_new(const ld_slurm_options *opts, const char *job_name)
{
    ld_slurm *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->opts = opts;
    s->job_name = ld_strdup(job_name ? job_name : "liandan");
    if (!s->job_name) {
        free(s);
        return NULL;
    }
    return s;
}

static void free_queued(queued *q)
{
    free(q->line);
    free(q->tail);
    free(q->why);
    memset(q, 0, sizeof *q);
}

static void free_job(sjob *j)
{
    free(j->log_path);
    ld_buf_free(&j->partial);
    free(j);
}

static void scancel(long slurm_id)
{
    char id[32];
    snprintf(id, sizeof id, "%ld", slurm_id);
    char *argv[] = {"scancel", id, NULL};
    ld_buf out = LD_BUF_INIT;
    run_tool(argv, &out);
    ld_buf_free(&out);
}

void ld_slurm_free(ld_slurm *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_jobs; i++) {
        if (s->jobs[i]->slurm_id > 0 && !s->jobs[i]->cancelled)
            scancel(s->jobs[i]->slurm_id);
        free_job(s->jobs[i]);
    }
    free(s->jobs);
    for (size_t i = 0; i < s->q_len; i++)
        free_queued(&s->queue[(s->q_head + i) % s->q_cap]);
    free(s->queue);
    free_queued(&s->current);
    free(s->job_name);
    free(s);
}

size_t ld_slurm_active(const ld_slurm *s) { return s ? s->n_jobs : 0; }

static int push(ld_slurm *s, const ld_run_event *ev, const char *line, const char *tail,
                const char *why)
{
    if (s->q_len == s->q_cap) {
        size_t cap = s->q_cap ? 2 * s->q_cap : 16;
        queued *q = calloc(cap, sizeof *q);
        if (!q)
            return -1;
        for (size_t i = 0; i < s->q_len; i++)
            q[i] = s->queue[(s->q_head + i) % s->q_cap];
        free(s->queue);
        s->queue = q;
        s->q_cap = cap;
        s->q_head = 0;
    }
    queued *q = &s->queue[(s->q_head + s->q_len) % s->q_cap];
    *q = (queued){.ev = *ev};
    q->line = line ? ld_strdup(line) : NULL;
    q->tail = tail ? ld_strdup(tail) : NULL;
    q->why = why ? ld_strdup(why) : NULL;
    q->ev.line = q->line;
    q->ev.tail = q->tail;
    q->ev.why = q->why;
    s->q_len++;
    return 0;
}

/* Appends s to b in single quotes, as sh reads it back unchanged. */
static void sh_quote(ld_buf *b, const char *s)
{
    ld_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            ld_buf_puts(b, "'\\''");
        else
            ld_buf_putc(b, *s);
    }
    ld_buf_putc(b, '\'');
}

/* LOG.log -> LOG.sbatch: the job's script, kept beside its log for show. */
static char *script_path(const char *log_path)
{
    ld_buf b = LD_BUF_INIT;
    size_t n = strlen(log_path);
    if (n > 4 && strcmp(log_path + n - 4, ".log") == 0)
        n -= 4;
    ld_buf_printf(&b, "%.*s.sbatch", (int)n, log_path);
    return ld_buf_take(&b);
}

static int write_script(const char *path, const ld_job_spec *spec)
{
    ld_buf b = LD_BUF_INIT;
    ld_buf_puts(&b, "#!/bin/sh\n# a liandan trial, submitted by liandan's Slurm executor\n");
    for (char *const *e = spec->env_set; e && *e; e++) {
        ld_buf_puts(&b, "export ");
        sh_quote(&b, *e);
        ld_buf_putc(&b, '\n');
    }
    ld_buf_puts(&b, "exec");
    for (char *const *a = spec->argv; *a; a++) {
        ld_buf_putc(&b, ' ');
        sh_quote(&b, *a);
    }
    ld_buf_putc(&b, '\n');
    FILE *f = fopen(path, "w");
    int ok = f && fwrite(ld_buf_str(&b), 1, b.len, f) == b.len;
    if (f && fclose(f) != 0)
        ok = 0;
    ld_buf_free(&b);
    return ok ? 0 : -1;
}

static void add_option(char ***argv, size_t *n, const char *fmt, const char *value)
{
    ld_buf b = LD_BUF_INIT;
    ld_buf_printf(&b, fmt, value);
    (*argv)[(*n)++] = ld_buf_take(&b);
}

/* The last non-empty line of sbatch's complaint (its "fatal:" or last "error:"), for the
   trial's reason. */
static void last_line(const char *text, char *out, size_t len)
{
    const char *best = text;
    size_t best_n = 0;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        if (n) {
            best = p;
            best_n = n;
        }
        p += n;
        if (*p)
            p++;
    }
    snprintf(out, len, "%.*s", (int)best_n, best);
}

int ld_slurm_start(ld_slurm *s, const ld_job_spec *spec, long *slurm_id)
{
    *slurm_id = 0;
    if (s->n_jobs == s->cap_jobs) {
        size_t cap = s->cap_jobs ? 2 * s->cap_jobs : 8;
        sjob **jobs = realloc(s->jobs, cap * sizeof *jobs);
        if (!jobs)
            return -1;
        s->jobs = jobs;
        s->cap_jobs = cap;
    }
    char *script = script_path(spec->log_path);
    if (!script || write_script(script, spec) != 0) {
        int e = errno;
        free(script);
        errno = e;
        return -1;
    }
    const ld_slurm_options *o = s->opts;
    char cwd[4096];
    const char *dir = spec->cwd ? spec->cwd : getcwd(cwd, sizeof cwd);
    char **argv = calloc(16 + o->n_extra, sizeof *argv);
    sjob *j = calloc(1, sizeof *j);
    if (!argv || !j || !dir) {
        free(argv);
        free(j);
        free(script);
        errno = ENOMEM;
        return -1;
    }
    size_t n = 0;
    argv[n++] = ld_strdup("sbatch");
    argv[n++] = ld_strdup("--parsable");
    add_option(&argv, &n, "--job-name=%s", s->job_name);
    add_option(&argv, &n, "--output=%s", spec->log_path);
    add_option(&argv, &n, "--chdir=%s", dir);
    if (o->partition)
        add_option(&argv, &n, "--partition=%s", o->partition);
    if (o->gres)
        add_option(&argv, &n, "--gres=%s", o->gres);
    if (o->time)
        add_option(&argv, &n, "--time=%s", o->time);
    if (o->mem)
        add_option(&argv, &n, "--mem=%s", o->mem);
    if (o->cpus_per_task > 0) {
        char cpus[16];
        snprintf(cpus, sizeof cpus, "%d", o->cpus_per_task);
        add_option(&argv, &n, "--cpus-per-task=%s", cpus);
    }
    for (size_t i = 0; i < o->n_extra; i++)
        argv[n++] = ld_strdup(o->extra[i]);
    argv[n++] = script;
    ld_buf out = LD_BUF_INIT;
    int rc = run_tool(argv, &out);
    for (size_t i = 0; i < n; i++)
        free(argv[i]);
    free(argv);

    j->id = s->next_id++;
    j->log_path = ld_strdup(spec->log_path);
    j->started = now_seconds();
    j->deadline = spec->timeout_seconds > 0 ? j->started + spec->timeout_seconds : 0;
    char *end = NULL;
    long id = rc == 0 ? strtol(ld_buf_str(&out), &end, 10) : 0;
    if (rc != 0 || id <= 0 || (end && *end && *end != ';' && *end != '\n')) {
        char why[1024], line[900];
        last_line(out.len ? ld_buf_str(&out) : "no output", line, sizeof line);
        snprintf(why, sizeof why, "sbatch refused the trial's job (exit status %d): %s", rc, line);
        ld_run_event ev = {.kind = LD_RUN_EXIT, .job = j->id, .exit_code = -1,
                           .exec_errno = ENOEXEC};
        push(s, &ev, NULL, why, NULL);
        ld_buf_free(&out);
        free_job(j);
        return s->next_id - 1;
    }
    ld_buf_free(&out);
    j->slurm_id = id;
    *slurm_id = id;
    s->jobs[s->n_jobs++] = j;
    return j->id;
}

/* Delivers the complete lines the job's output gained since the last read; at the end (final),
   also a last line without its newline. */
static void read_output(ld_slurm *s, sjob *j, int final)
{
    int fd = open(j->log_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return; /* the job has not started writing */
    char chunk[65536];
    for (;;) {
        ssize_t n = pread(fd, chunk, sizeof chunk, j->offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        j->offset += n;
        for (ssize_t i = 0; i < n;) {
            char *nl = memchr(chunk + i, '\n', (size_t)(n - i));
            size_t len = nl ? (size_t)(nl - (chunk + i)) : (size_t)(n - i);
            ld_buf_append(&j->partial, chunk + i, len);
            i += (ssize_t)len + (nl != NULL);
            if (!nl)
                break;
            ld_run_event ev = {.kind = LD_RUN_LINE, .job = j->id, .stream = 1};
            push(s, &ev, ld_buf_str(&j->partial), NULL, NULL);
            ld_buf_reset(&j->partial);
        }
    }
    close(fd);
    if (final && j->partial.len) {
        ld_run_event ev = {.kind = LD_RUN_LINE, .job = j->id, .stream = 1};
        push(s, &ev, ld_buf_str(&j->partial), NULL, NULL);
        ld_buf_reset(&j->partial);
    }
}

/* The last TAIL_BYTES of the log, from a line boundary. */
static char *log_tail(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    off_t size = lseek(fd, 0, SEEK_END);
    off_t from = size > TAIL_BYTES ? size - TAIL_BYTES : 0;
    char buf[TAIL_BYTES + 1];
    ssize_t n = size > 0 ? pread(fd, buf, (size_t)(size - from), from) : 0;
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    char *start = buf;
    if (from > 0) {
        char *nl = strchr(buf, '\n');
        start = nl ? nl + 1 : buf;
    }
    return *start ? ld_strdup(start) : NULL;
}

/* KEY=VALUE out of scontrol's one-line record (-o); "" when absent. */
static void field(const char *record, const char *key, char *out, size_t len)
{
    out[0] = '\0';
    size_t k = strlen(key);
    for (const char *p = record; (p = strstr(p, key)) != NULL; p += k) {
        if ((p == record || p[-1] == ' ') && p[k] == '=') {
            const char *v = p + k + 1;
            snprintf(out, len, "%.*s", (int)strcspn(v, " \n"), v);
            return;
        }
    }
}

/* The job has ended (or vanished): its last output, then its EXIT, from scontrol's record. */
static void finish(ld_slurm *s, size_t index)
{
    sjob *j = s->jobs[index];
    char id[32];
    snprintf(id, sizeof id, "%ld", j->slurm_id);
    char *argv[] = {"scontrol", "-o", "show", "job", id, NULL};
    ld_buf out = LD_BUF_INIT;
    int rc = run_tool(argv, &out);
    const char *rec = ld_buf_str(&out);
    char state[64], exit_code[32], reason[256], why[512] = "";
    field(rec, "JobState", state, sizeof state);
    field(rec, "ExitCode", exit_code, sizeof exit_code);
    field(rec, "Reason", reason, sizeof reason);
    read_output(s, j, 1);
    ld_run_event ev = {.kind = LD_RUN_EXIT, .job = j->id, .exit_code = -1,
                       .stopped = j->stopped, .timed_out = j->timed_out,
                       .seconds = now_seconds() - j->started};
    int code = -1, sig = 0;
    if (sscanf(exit_code, "%d:%d", &code, &sig) == 2) {
        ev.exit_code = sig ? -1 : code;
        ev.term_signal = sig;
    }
    const char *r = strcmp(reason, "None") && *reason ? reason : NULL;
    if (rc != 0 || !*state) {
        snprintf(why, sizeof why, "Slurm job %ld vanished: squeue no longer lists it and scontrol "
                                  "has no record of it (the controller restarted, or its record "
                                  "expired); its log: %s", j->slurm_id, j->log_path);
        ev.exit_code = -1;
    } else if (strcmp(state, "COMPLETED") == 0 || strcmp(state, "FAILED") == 0) {
        /* the trial's own exit status says it; a signal that Slurm reports shows as one */
    } else if (strcmp(state, "CANCELLED") == 0) {
        if (!j->cancelled)
            snprintf(why, sizeof why, "Slurm job %ld was cancelled from outside liandan (scancel, "
                                      "an administrator)%s%s", j->slurm_id, r ? ": " : "",
                     r ? r : "");
        if (!ev.term_signal && ev.exit_code <= 0) {
            ev.exit_code = -1;
            ev.term_signal = SIGTERM;
        }
    } else if (strcmp(state, "TIMEOUT") == 0 || strcmp(state, "DEADLINE") == 0) {
        snprintf(why, sizeof why, "Slurm job %ld reached its time limit (%s%s%s); raise "
                                  "slurm.time", j->slurm_id, state,
                 s->opts->time ? ", slurm.time " : "", s->opts->time ? s->opts->time : "");
    } else if (strcmp(state, "OUT_OF_MEMORY") == 0) {
        snprintf(why, sizeof why, "Slurm job %ld ran out of memory (OUT_OF_MEMORY%s%s); raise "
                                  "slurm.mem", j->slurm_id, s->opts->mem ? ", slurm.mem " : "",
                 s->opts->mem ? s->opts->mem : "");
    } else if (strcmp(state, "PREEMPTED") == 0 || strcmp(state, "NODE_FAIL") == 0 ||
               strcmp(state, "BOOT_FAIL") == 0) {
        snprintf(why, sizeof why, "Slurm job %ld ended %s%s%s", j->slurm_id, state, r ? ": " : "",
                 r ? r : "");
        ev.interrupted = 1;
    } else {
        snprintf(why, sizeof why, "Slurm job %ld ended %s%s%s", j->slurm_id, state,
                 r ? ": " : "", r ? r : "");
    }
    char *tail = log_tail(j->log_path);
    push(s, &ev, NULL, tail, *why ? why : NULL);
    free(tail);
    ld_buf_free(&out);
    free_job(j);
    s->jobs[index] = s->jobs[--s->n_jobs];
}

static int terminal(const char *state)
{
    static const char *const live[] = {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING",
                                       "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING",
                                       "STAGE_OUT", "STOPPED", "REQUEUE_HOLD", "REQUEUE_FED",
                                       "RESV_DEL_HOLD", "SPECIAL_EXIT"};
    for (size_t i = 0; i < sizeof live / sizeof *live; i++)
        if (strcmp(state, live[i]) == 0)
            return 0;
    return 1;
}

/*
 * squeue failed, as it does as a whole when one of the ids is unknown to it: scontrol about
 * this job alone. 1 when it has ended or Slurm does not know it; 0 when it runs or the
 * controller does not answer (then nothing is concluded).
 */
static int ended_alone(const sjob *j)
{
    char id[32];
    snprintf(id, sizeof id, "%ld", j->slurm_id);
    char *argv[] = {"scontrol", "-o", "show", "job", id, NULL};
    ld_buf out = LD_BUF_INIT;
    int rc = run_tool(argv, &out);
    char state[64];
    field(ld_buf_str(&out), "JobState", state, sizeof state);
    int ended = rc == 0 ? *state && terminal(state)
                        : strstr(ld_buf_str(&out), "Invalid job id") != NULL;
    ld_buf_free(&out);
    return ended;
}

/* The state squeue printed for this job ("ID STATE" lines), "" when it printed none. */
static void state_in(const char *listing, long slurm_id, char *state, size_t len)
{
    char key[40];
    int k = snprintf(key, sizeof key, "%ld ", slurm_id);
    state[0] = '\0';
    for (const char *p = listing; p && *p;) {
        if (strncmp(p, key, (size_t)k) == 0) {
            snprintf(state, len, "%.*s", (int)strcspn(p + k, " \n"), p + k);
            return;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
}

/* One squeue for every job in flight; those that ended (or that it no longer lists) finish. */
static void check_states(ld_slurm *s)
{
    if (!s->n_jobs)
        return;
    ld_buf ids = LD_BUF_INIT;
    for (size_t i = 0; i < s->n_jobs; i++)
        ld_buf_printf(&ids, "%s%ld", i ? "," : "", s->jobs[i]->slurm_id);
    char *argv[] = {"squeue", "-h", "-t", "all", "-o", "%i %T", "-j", (char *)ld_buf_str(&ids),
                    NULL};
    ld_buf out = LD_BUF_INIT;
    int rc = run_tool(argv, &out);
    for (size_t i = 0; i < s->n_jobs;) {
        char state[64];
        state_in(ld_buf_str(&out), s->jobs[i]->slurm_id, state, sizeof state);
        int ended = rc == 0 ? !*state || terminal(state) : ended_alone(s->jobs[i]);
        s->jobs[i]->completing = strcmp(state, "COMPLETING") == 0;
        if (ended)
            finish(s, i); /* replaces jobs[i] with the last one */
        else
            i++;
    }
    ld_buf_free(&ids);
    ld_buf_free(&out);
}

static void check_timeouts(ld_slurm *s, double now)
{
    for (size_t i = 0; i < s->n_jobs; i++) {
        sjob *j = s->jobs[i];
        if (j->deadline > 0 && now >= j->deadline && !j->cancelled && !j->completing) {
            j->timed_out = 1;
            j->cancelled = 1;
            scancel(j->slurm_id);
        }
    }
}

static int pop(ld_slurm *s, ld_run_event *ev)
{
    if (!s->q_len)
        return 0;
    s->current = s->queue[s->q_head];
    s->q_head = (s->q_head + 1) % s->q_cap;
    s->q_len--;
    *ev = s->current.ev;
    return 1;
}

int ld_slurm_poll(ld_slurm *s, int timeout_ms, ld_run_event *ev)
{
    free_queued(&s->current);
    if (pop(s, ev))
        return 1;
    double until = now_seconds() + (timeout_ms < 0 ? 3600.0 : timeout_ms / 1000.0);
    while (s->n_jobs) {
        double now = now_seconds();
        if (now >= s->next_read) {
            for (size_t i = 0; i < s->n_jobs; i++)
                read_output(s, s->jobs[i], 0);
            s->next_read = now + READ_SECONDS;
        }
        if (now >= s->next_check) {
            check_states(s); /* first: a job that has ended is past no timeout */
            check_timeouts(s, now);
            s->next_check = now_seconds() + CHECK_SECONDS;
        }
        if (pop(s, ev))
            return 1;
        now = now_seconds();
        if (now >= until)
            return 0;
        double wake = s->next_read < s->next_check ? s->next_read : s->next_check;
        if (wake > until)
            wake = until;
        double pause = wake - now > 0 ? wake - now : 0.001;
        struct timespec ts = {(time_t)pause, (long)((pause - (double)(time_t)pause) * 1e9)};
        if (nanosleep(&ts, NULL) != 0 && errno == EINTR)
            return 0; /* a signal: the caller checks its flags */
    }
    return 0;
}

void ld_slurm_stop(ld_slurm *s, int job)
{
    for (size_t i = 0; s && i < s->n_jobs; i++) {
        sjob *j = s->jobs[i];
        if (j->id != job || j->cancelled)
            continue;
        j->cancelled = j->stopped = 1;
        scancel(j->slurm_id);
        s->next_check = 0; /* see its end soon */
        return;
    }
}
