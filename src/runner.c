/*
 * runner.c — the process pool behind runner.h: fork/exec without a shell, one process group per
 * job, output captured through non-blocking pipes and split into lines, timeouts and stops
 * escalated from SIGTERM to SIGKILL, all driven from ld_runner_poll with poll(2).
 *
 * Life of a job (the function behind each transition in brackets):
 *
 *   RUNNING ──timeout or ld_runner_stop [terminate]──► TERMINATING ──grace over [run_timers]──►
 *      │                                                    │               SIGKILL to the group
 *      └──────────── leader exits: pidfd readable [reap] ───┘
 *                                 ▼
 *   REAPED ──both pipes at EOF and the exec-status pipe read──► DONE [finish_job: queue EXIT]
 *      └──pipes still open DRAIN_SECONDS after the reap (a grandchild holds them)
 *         [abandon_pipes: SIGKILL the rest of the group, close the pipes]──► DONE
 *
 * Starting: posix_spawn first (glibc starts the child with a vfork-like clone, so the tuner's page
 * tables are not copied and its heap, which the journal writes to at once, takes no copy-on-write
 * faults: about a third of the tuner's CPU per trivial trial went there with fork). When
 * posix_spawn fails (the command cannot run, the cwd is missing), or env_set sets PATH (execvp
 * in the child would search the new PATH), the job starts again through fork + child_exec, which
 * reports the failing stage through the exec-status pipe; a failed start runs nothing, so the
 * second attempt changes nothing but the message.
 *
 * Invariants: EXIT is queued only after every LINE of the job; the event queue is drained before
 * any fd is read again, so it never grows without bound; every fd the runner owns is O_CLOEXEC,
 * and the child marks every inherited fd above 2 close-on-exec, so jobs never see each other's
 * pipes. Exit is detected with pidfd_open; where the kernel lacks it, with waitpid(WNOHANG) on a
 * WAITPID_POLL_MS tick. Only the runner's own pids are waited for, never waitpid(-1), and there
 * is no global state: several runners may live in one process. A SIGCHLD handler elsewhere in
 * the process that reaps with waitpid(-1) would steal exit statuses (the job then ends with
 * exit_code -1 and no signal).
 */
#include "runner.h"

#include "util/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES (64 * 1024) /* longer lines are delivered cut to this length */
#define TAIL_MAX 2048              /* EXIT's tail, in bytes, including the newlines */
#define READ_CHUNK (64 * 1024)
#define DRAIN_SECONDS 1.0          /* how long pipes may outlive the group leader */
#define DEFAULT_GRACE 5.0
#define WAITPID_POLL_MS 10         /* exit-detection tick when pidfd_open is unavailable */

/* What the child failed at, sent with errno through the exec-status pipe. */
enum { STAGE_SETUP = 1, STAGE_CHDIR, STAGE_EXEC };

/* Which of a job's fds a pollfd entry watches. */
enum { WATCH_OUT, WATCH_ERR, WATCH_STATUS, WATCH_PIDFD };

typedef struct {
    int fd;      /* read end of the pipe, -1 once closed */
    ld_buf line; /* the line being assembled, at most LINE_MAX_BYTES */
    int cut;     /* the current line was delivered cut short; drop bytes up to its newline */
    ld_buf tail; /* the last delivered lines, each ending in '\n', trimmed to TAIL_MAX lazily */
} stream;

typedef struct {
    int id;
    pid_t pid; /* also the process group id */
    int pidfd; /* -1 when unavailable or once reaped */
    int status_fd; /* exec-status pipe: EOF = exec succeeded, {stage, errno} = it failed */
    int log_fd;
    stream streams[2]; /* stdout, stderr */
    char *argv0, *cwd; /* for the failure message */
    double started, deadline, grace, kill_at, reaped_at;
    int reaped, wait_status, status_lost;
    int exec_stage, exec_errno;
    int timed_out, stopped, term_sent, kill_sent;
} job;

typedef struct {
    ld_run_event ev;
    char *text; /* owns ev.line or ev.tail */
} queued_event;

struct ld_runner {
    job **live; /* jobs whose EXIT is not yet queued */
    size_t n_live, cap_live;
    size_t active; /* jobs whose EXIT has not been returned by ld_runner_poll */
    int next_id;
    queued_event *queue;
    size_t q_head, q_len, q_cap;
    char *current; /* the text of the last returned event, freed at the next poll */
    struct pollfd *pfds;
    job **pfd_job;
    int *pfd_watch;
    size_t cap_pfds;
    char *chunk; /* READ_CHUNK bytes */
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* ---- the child, between fork and exec: async-signal-safe calls only (plus putenv) ---- */

static void child_fail(int status_fd, int stage) __attribute__((noreturn));
static void child_fail(int status_fd, int stage)
{
    int msg[2] = {stage, errno};
    ssize_t n;
    do
        n = write(status_fd, msg, sizeof msg);
    while (n < 0 && errno == EINTR);
    _exit(127);
}

/* Ignored signals and the signal mask survive exec; the command should start clean. */
static void reset_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Marks every fd above stdio close-on-exec: fds the tuner opened without O_CLOEXEC included. */
static void cloexec_all_fds(void)
{
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return;
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = 3; fd < max; fd++)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void child_exec(const ld_job_spec *spec, int out_w, int err_w, int status_w)
    __attribute__((noreturn));
static void child_exec(const ld_job_spec *spec, int out_w, int err_w, int status_w)
{
    setpgid(0, 0);
    reset_signals();
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
        child_fail(status_w, STAGE_SETUP);
    if (spec->cwd && chdir(spec->cwd) < 0)
        child_fail(status_w, STAGE_CHDIR);
    for (char *const *e = spec->env_set; e && *e; e++)
        if (putenv(*e) != 0)
            child_fail(status_w, STAGE_SETUP);
    cloexec_all_fds();
    execvp(spec->argv[0], spec->argv);
    child_fail(status_w, STAGE_EXEC);
}

/* ---- starting a job: the posix_spawn fast path ---- */

extern char **environ;

static size_t name_len(const char *entry)
{
    const char *eq = strchr(entry, '=');
    return eq ? (size_t)(eq - entry) : strlen(entry);
}

/* Does set hold an entry for the variable that entry names? */
static int env_overridden(const char *entry, char *const *set)
{
    size_t n = name_len(entry);
    for (char *const *e = set; e && *e; e++)
        if (name_len(*e) == n && strncmp(*e, entry, n) == 0)
            return 1;
    return 0;
}

/* environ with env_set applied as the child's putenv calls would; the array is malloc'ed, its
   strings belong to environ and env_set. NULL when out of memory. */
static char **merged_env(char *const *set)
{
    size_t n = 0, m = 0;
    for (char **e = environ; e && *e; e++)
        n++;
    for (char *const *e = set; e && *e; e++)
        m++;
    char **env = malloc((n + m + 1) * sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (char **e = environ; e && *e; e++)
        if (!env_overridden(*e, set))
            env[k++] = *e;
    for (size_t i = 0; i < m; i++)
        if (!env_overridden(set[i], set + i + 1)) /* a later entry for the same name wins */
            env[k++] = set[i];
    env[k] = NULL;
    return env;
}

/* Starts the child as child_exec would; returns its pid, or 0 when the caller must fork. */
static pid_t try_spawn(const ld_job_spec *spec, int out_w, int err_w)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    for (char *const *e = spec->env_set; e && *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0)
            return 0;
    char **env = merged_env(spec->env_set);
    if (!env)
        return 0;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    pid_t pid = 0;
    int ok = posix_spawnattr_init(&attr) == 0;
    if (ok && posix_spawn_file_actions_init(&fa) != 0) {
        posix_spawnattr_destroy(&attr);
        ok = 0;
    }
    if (ok) {
        sigset_t all, none;
        sigfillset(&all);
        sigdelset(&all, SIGKILL);
        sigdelset(&all, SIGSTOP);
        sigemptyset(&none);
        int rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                                     POSIX_SPAWN_SETSIGMASK);
        rc = rc ? rc : posix_spawnattr_setpgroup(&attr, 0);
        rc = rc ? rc : posix_spawnattr_setsigdefault(&attr, &all);
        rc = rc ? rc : posix_spawnattr_setsigmask(&attr, &none);
        rc = rc ? rc : posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, out_w, 1);
        rc = rc ? rc : posix_spawn_file_actions_adddup2(&fa, err_w, 2);
        if (!rc && spec->cwd)
            rc = posix_spawn_file_actions_addchdir_np(&fa, spec->cwd);
        rc = rc ? rc : posix_spawn_file_actions_addclosefrom_np(&fa, 3);
        if (!rc && posix_spawnp(&pid, spec->argv[0], &fa, &attr, spec->argv, env) != 0)
            pid = 0;
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
    }
    free(env);
    return pid > 0 ? pid : 0;
#else
    (void)spec;
    (void)out_w;
    (void)err_w;
    return 0;
#endif
}

/* ---- starting a job ---- */

/* Moves fd above 0..2 so that the child's dup2 onto stdio never meets its own source. */
static int above_stdio(int fd)
{
    if (fd > 2)
        return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return moved;
}

/* A close-on-exec pipe whose read end (p[0]) is non-blocking; the write end stays blocking. */
static int make_pipe(int p[2])
{
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    p[1] = above_stdio(p[1]);
    if (p[1] < 0 || fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
        close_fd(&p[0]);
        close_fd(&p[1]);
        return -1;
    }
    return 0;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0); /* always O_CLOEXEC */
#else
    (void)pid;
    return -1;
#endif
}

static void job_free(job *j)
{
    if (!j)
        return;
    for (int s = 0; s < 2; s++) {
        close_fd(&j->streams[s].fd);
        ld_buf_free(&j->streams[s].line);
        ld_buf_free(&j->streams[s].tail);
    }
    close_fd(&j->pidfd);
    close_fd(&j->status_fd);
    close_fd(&j->log_fd);
    free(j->argv0);
    free(j->cwd);
    free(j);
}

static job *job_new(const ld_job_spec *spec)
{
    job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->pidfd = j->status_fd = j->log_fd = -1;
    j->streams[0].fd = j->streams[1].fd = -1;
    j->argv0 = ld_strdup(spec->argv[0]);
    j->cwd = ld_strdup(spec->cwd);
    if (!j->argv0 || (spec->cwd && !j->cwd)) {
        job_free(j);
        errno = ENOMEM;
        return NULL;
    }
    j->grace = spec->grace_seconds > 0 ? spec->grace_seconds : DEFAULT_GRACE;
    return j;
}

static int reserve_live(ld_runner *r)
{
    if (r->n_live < r->cap_live)
        return 0;
    size_t cap = r->cap_live ? 2 * r->cap_live : 8;
    job **live = realloc(r->live, cap * sizeof *live);
    if (!live) {
        errno = ENOMEM;
        return -1;
    }
    r->live = live;
    r->cap_live = cap;
    return 0;
}

int ld_runner_start(ld_runner *r, const ld_job_spec *spec, pid_t *pid)
{
    if (!r || !spec || !spec->argv || !spec->argv[0]) {
        errno = EINVAL;
        return -1;
    }
    int out[2] = {-1, -1}, err[2] = {-1, -1}, status[2] = {-1, -1};
    job *j = job_new(spec);
    if (!j || reserve_live(r) < 0 || make_pipe(out) < 0 || make_pipe(err) < 0 ||
        make_pipe(status) < 0)
        goto fail;
    if (spec->log_path) {
        j->log_fd = open(spec->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (j->log_fd < 0)
            goto fail;
    }
    j->started = now_seconds();
    pid_t child = try_spawn(spec, out[1], err[1]);
    if (child == 0) {
        child = fork();
        if (child < 0)
            goto fail;
        if (child == 0)
            child_exec(spec, out[1], err[1], status[1]);
    }
    close_fd(&out[1]);
    close_fd(&err[1]);
    close_fd(&status[1]);
    setpgid(child, child); /* also done by the child: whichever runs first wins the race */
    j->id = r->next_id++;
    j->pid = child;
    j->pidfd = open_pidfd(child);
    j->streams[0].fd = out[0];
    j->streams[1].fd = err[0];
    j->status_fd = status[0];
    if (spec->timeout_seconds > 0)
        j->deadline = j->started + spec->timeout_seconds;
    r->live[r->n_live++] = j;
    r->active++;
    if (pid)
        *pid = child;
    return j->id;
fail:;
    int saved = errno;
    for (int i = 0; i < 2; i++) {
        close_fd(&out[i]);
        close_fd(&err[i]);
        close_fd(&status[i]);
    }
    job_free(j);
    errno = saved;
    return -1;
}

/* ---- the event queue ---- */

static int push_event(ld_runner *r, const ld_run_event *ev, char *text)
{
    if (r->q_len == r->q_cap) {
        size_t cap = r->q_cap ? 2 * r->q_cap : 64;
        queued_event *q = realloc(r->queue, cap * sizeof *q);
        if (!q)
            return -1;
        r->queue = q;
        r->q_cap = cap;
    }
    r->queue[r->q_len].ev = *ev;
    r->queue[r->q_len].text = text;
    r->q_len++;
    return 0;
}

static int pop_event(ld_runner *r, ld_run_event *ev)
{
    if (r->q_head == r->q_len)
        return 0;
    queued_event *q = &r->queue[r->q_head++];
    *ev = q->ev;
    r->current = q->text;
    if (r->q_head == r->q_len)
        r->q_head = r->q_len = 0;
    if (ev->kind == LD_RUN_EXIT)
        r->active--;
    return 1;
}

/* ---- output: log, lines, tail ---- */

static void log_write(job *j, const char *p, size_t n)
{
    while (j->log_fd >= 0 && n > 0) {
        ssize_t w = write(j->log_fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* a full disk loses log text, never trial output to the caller */
        p += w;
        n -= (size_t)w;
    }
}

/* Drops whole lines from the front of the tail until at most TAIL_MAX bytes remain. */
static void tail_trim(ld_buf *t)
{
    if (t->len <= TAIL_MAX)
        return;
    size_t cut = t->len - TAIL_MAX;
    if (t->data[cut - 1] != '\n') {
        char *nl = memchr(t->data + cut, '\n', t->len - cut);
        cut = (size_t)(nl - t->data) + 1; /* exists: every entry is at most TAIL_MAX bytes */
    }
    memmove(t->data, t->data + cut, t->len - cut + 1);
    t->len -= cut;
}

/* A line longer than the whole tail keeps its first bytes: that is where messages start. */
static void tail_add(ld_buf *t, const char *line, size_t n)
{
    if (n > TAIL_MAX - 1)
        n = TAIL_MAX - 1;
    ld_buf_append(t, line, n);
    ld_buf_putc(t, '\n');
    if (t->len > 2 * TAIL_MAX) /* trimming lazily keeps the memmove off the per-line path */
        tail_trim(t);
}

static void emit_line(ld_runner *r, job *j, int s)
{
    ld_buf *line = &j->streams[s].line;
    if (line->len > 0 && line->data[line->len - 1] == '\r')
        line->data[--line->len] = '\0';
    const char *text = ld_buf_str(line);
    tail_add(&j->streams[s].tail, text, line->len);
    char *copy = ld_strdup(text);
    ld_run_event ev = {.kind = LD_RUN_LINE, .job = j->id, .stream = s + 1, .line = copy};
    if (!copy || push_event(r, &ev, copy) < 0)
        free(copy); /* out of memory: the line is lost to the caller but is in the log */
    ld_buf_reset(line);
}

/* Splits a chunk of a stream into lines; bytes past LINE_MAX_BYTES of one line are dropped. */
static void feed_lines(ld_runner *r, job *j, int s, const char *p, size_t n)
{
    stream *st = &j->streams[s];
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t seg = nl ? (size_t)(nl - p) : n;
        if (!st->cut) {
            size_t room = LINE_MAX_BYTES - st->line.len;
            ld_buf_append(&st->line, p, seg < room ? seg : room);
            if (seg > room) {
                emit_line(r, j, s);
                st->cut = 1;
            } else if (nl) {
                emit_line(r, j, s);
            }
        }
        if (nl)
            st->cut = 0;
        size_t used = seg + (nl != NULL);
        p += used;
        n -= used;
    }
}

/* At EOF: delivers a last line that had no newline, then closes the pipe. */
static void close_stream(ld_runner *r, job *j, int s)
{
    stream *st = &j->streams[s];
    if (st->line.len > 0 && !st->cut)
        emit_line(r, j, s);
    ld_buf_reset(&st->line);
    st->cut = 0;
    close_fd(&st->fd);
}

/* Reads once from a stream; returns 1 when data came, 0 at EOF or when nothing was there. */
static int read_stream(ld_runner *r, job *j, int s)
{
    ssize_t n = read(j->streams[s].fd, r->chunk, READ_CHUNK);
    if (n > 0) {
        log_write(j, r->chunk, (size_t)n);
        feed_lines(r, j, s, r->chunk, (size_t)n);
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    close_stream(r, j, s);
    return 0;
}

/* ---- exec status, exit and signals ---- */

static void note_start_failure(job *j)
{
    ld_buf msg = LD_BUF_INIT;
    const char *reason = strerror(j->exec_errno);
    if (j->exec_stage == STAGE_CHDIR)
        ld_buf_printf(&msg, "liandan: cannot run '%s' in '%s': %s", j->argv0, j->cwd, reason);
    else if (j->exec_stage == STAGE_SETUP)
        ld_buf_printf(&msg, "liandan: cannot set up the process for '%s': %s", j->argv0, reason);
    else
        ld_buf_printf(&msg, "liandan: cannot run '%s': %s", j->argv0, reason);
    ld_buf_putc(&msg, '\n');
    log_write(j, ld_buf_str(&msg), msg.len);
    if (msg.len > 0)
        tail_add(&j->streams[1].tail, msg.data, msg.len - 1);
    ld_buf_free(&msg);
}

static void read_status(job *j)
{
    int msg[2];
    ssize_t n = read(j->status_fd, msg, sizeof msg);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n == (ssize_t)sizeof msg) {
        j->exec_stage = msg[0];
        j->exec_errno = msg[1] ? msg[1] : EIO;
        note_start_failure(j);
    }
    close_fd(&j->status_fd);
}

static void reap(job *j, double t)
{
    if (j->reaped)
        return;
    int st = 0;
    pid_t got = waitpid(j->pid, &st, WNOHANG);
    if (got == 0 || (got < 0 && errno == EINTR))
        return;
    j->reaped = 1;
    j->reaped_at = t;
    j->wait_status = st;
    j->status_lost = got < 0; /* ECHILD: someone else reaped it (SIGCHLD ignored or stolen) */
    close_fd(&j->pidfd);
}

static void signal_group(job *j, int sig)
{
    if (kill(-j->pid, sig) < 0 && !j->reaped)
        kill(j->pid, sig);
}

static void terminate(job *j, double t)
{
    signal_group(j, SIGTERM);
    j->term_sent = 1;
    j->kill_at = t + j->grace;
}

static int pipes_open(const job *j)
{
    return j->streams[0].fd >= 0 || j->streams[1].fd >= 0;
}

static int job_done(const job *j)
{
    return j->reaped && !pipes_open(j) && j->status_fd < 0;
}

/*
 * The leader is gone but something it started still holds the pipes: the rest of the group is
 * the trial's leftovers, so it is killed, and what the pipes hold now is delivered.
 */
static void abandon_pipes(ld_runner *r, job *j)
{
    signal_group(j, SIGKILL);
    for (int s = 0; s < 2; s++) {
        for (int reads = 0; j->streams[s].fd >= 0 && reads < 16; reads++)
            if (!read_stream(r, j, s))
                break;
        if (j->streams[s].fd >= 0)
            close_stream(r, j, s);
    }
}

/* Fires due timeouts, escalations and drain limits; returns the next time one is due. */
static double run_timers(ld_runner *r, job *j, double t)
{
    double next = INFINITY;
    if (job_done(j))
        return next;
    if (!j->reaped && j->deadline > 0 && !j->term_sent) {
        if (t >= j->deadline) {
            j->timed_out = 1;
            terminate(j, t);
        } else {
            next = j->deadline;
        }
    }
    if (j->term_sent && !j->kill_sent) {
        if (t >= j->kill_at) {
            signal_group(j, SIGKILL);
            j->kill_sent = 1;
        } else if (j->kill_at < next) {
            next = j->kill_at;
        }
    }
    if (j->reaped && pipes_open(j)) {
        double give_up = j->reaped_at + DRAIN_SECONDS;
        if (t >= give_up)
            abandon_pipes(r, j);
        else if (give_up < next)
            next = give_up;
    }
    return next;
}

/* Queues EXIT; returns 0 when the queue cannot grow (the job stays live and is retried). */
static int finish_job(ld_runner *r, job *j)
{
    ld_buf *tail = j->streams[1].tail.len ? &j->streams[1].tail : &j->streams[0].tail;
    tail_trim(tail);
    if (tail->len > 0)
        tail->data[--tail->len] = '\0';
    char *text = ld_buf_take(tail);
    ld_run_event ev = {.kind = LD_RUN_EXIT, .job = j->id, .exit_code = -1};
    if (j->exec_errno) {
        ev.exec_errno = j->exec_errno;
    } else if (!j->status_lost && WIFEXITED(j->wait_status)) {
        ev.exit_code = WEXITSTATUS(j->wait_status);
    } else if (!j->status_lost && WIFSIGNALED(j->wait_status)) {
        ev.term_signal = WTERMSIG(j->wait_status);
    }
    ev.timed_out = j->timed_out;
    ev.stopped = j->stopped;
    ev.seconds = j->reaped_at - j->started;
    ev.tail = text ? text : "";
    if (push_event(r, &ev, text) < 0) {
        free(text);
        return 0;
    }
    return 1;
}

/* ---- the poll loop ---- */

static int reserve_pfds(ld_runner *r, size_t n)
{
    if (n <= r->cap_pfds)
        return 0;
    size_t cap = r->cap_pfds ? r->cap_pfds : 32;
    while (cap < n)
        cap *= 2;
    struct pollfd *pfds = realloc(r->pfds, cap * sizeof *pfds);
    if (pfds)
        r->pfds = pfds;
    job **pj = realloc(r->pfd_job, cap * sizeof *pj);
    if (pj)
        r->pfd_job = pj;
    int *pw = realloc(r->pfd_watch, cap * sizeof *pw);
    if (pw)
        r->pfd_watch = pw;
    if (!pfds || !pj || !pw)
        return -1;
    r->cap_pfds = cap;
    return 0;
}

static void watch(ld_runner *r, size_t *n, job *j, int fd, int what)
{
    if (fd < 0)
        return;
    r->pfds[*n] = (struct pollfd){.fd = fd, .events = POLLIN};
    r->pfd_job[*n] = j;
    r->pfd_watch[*n] = what;
    (*n)++;
}

/* Fills the pollfd array; *waitpid_tick is set when some exit can only be seen by polling. */
static size_t build_watch_list(ld_runner *r, int *waitpid_tick)
{
    size_t n = 0;
    *waitpid_tick = 0;
    for (size_t i = 0; i < r->n_live; i++) {
        job *j = r->live[i];
        watch(r, &n, j, j->streams[0].fd, WATCH_OUT);
        watch(r, &n, j, j->streams[1].fd, WATCH_ERR);
        watch(r, &n, j, j->status_fd, WATCH_STATUS);
        watch(r, &n, j, j->reaped ? -1 : j->pidfd, WATCH_PIDFD);
        if (!j->reaped && j->pidfd < 0)
            *waitpid_tick = 1;
    }
    return n;
}

static void dispatch(ld_runner *r, size_t n, double t)
{
    for (size_t i = 0; i < n; i++) {
        if (!r->pfds[i].revents)
            continue;
        job *j = r->pfd_job[i];
        switch (r->pfd_watch[i]) {
        case WATCH_OUT: read_stream(r, j, 0); break;
        case WATCH_ERR: read_stream(r, j, 1); break;
        case WATCH_STATUS: read_status(j); break;
        case WATCH_PIDFD: reap(j, t); break;
        }
    }
}

/* Reaps jobs without a pidfd and queues EXIT for every job that is done. */
static void collect_finished(ld_runner *r, double t)
{
    for (size_t i = 0; i < r->n_live;) {
        job *j = r->live[i];
        if (j->pidfd < 0)
            reap(j, t);
        if (job_done(j) && finish_job(r, j)) {
            job_free(j);
            r->live[i] = r->live[--r->n_live];
        } else {
            i++;
        }
    }
}

/* How long poll may sleep: until the caller's deadline or the next timer, whichever is first. */
static int wait_ms(double t, double until, double next_timer, int waitpid_tick)
{
    double ms = INFINITY;
    if (until >= 0)
        ms = floor((until - t) * 1000.0);
    if (next_timer < INFINITY) {
        double timer_ms = ceil((next_timer - t) * 1000.0);
        if (timer_ms < ms)
            ms = timer_ms;
    }
    if (waitpid_tick && ms > WAITPID_POLL_MS)
        ms = WAITPID_POLL_MS;
    if (ms == INFINITY)
        return -1;
    if (ms < 0)
        return 0;
    return ms > 1e9 ? 1000000000 : (int)ms;
}

int ld_runner_poll(ld_runner *r, int timeout_ms, ld_run_event *ev)
{
    free(r->current);
    r->current = NULL;
    double until = timeout_ms < 0 ? -1 : now_seconds() + timeout_ms / 1000.0;
    for (;;) {
        if (pop_event(r, ev))
            return 1;
        if (r->n_live == 0)
            return 0;
        double t = now_seconds();
        double next_timer = INFINITY;
        for (size_t i = 0; i < r->n_live; i++) {
            double due = run_timers(r, r->live[i], t);
            if (due < next_timer)
                next_timer = due;
        }
        int waitpid_tick;
        if (reserve_pfds(r, 4 * r->n_live) < 0) {
            errno = ENOMEM;
            return -1;
        }
        size_t n = build_watch_list(r, &waitpid_tick);
        int ready = r->q_len ? 0 : poll(r->pfds, n, wait_ms(t, until, next_timer, waitpid_tick));
        if (ready < 0)
            return errno == EINTR ? 0 : -1;
        t = now_seconds();
        if (ready > 0)
            dispatch(r, n, t);
        collect_finished(r, t);
        if (pop_event(r, ev))
            return 1;
        if (until >= 0 && now_seconds() >= until)
            return 0;
    }
}

/* ---- the rest of the API ---- */

ld_runner *ld_runner_new(void)
{
    ld_runner *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->chunk = malloc(READ_CHUNK);
    if (!r->chunk) {
        free(r);
        return NULL;
    }
    return r;
}

void ld_runner_free(ld_runner *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_live; i++) {
        job *j = r->live[i];
        if (!job_done(j))
            signal_group(j, SIGKILL);
        while (!j->reaped && waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        job_free(j);
    }
    for (size_t i = r->q_head; i < r->q_len; i++)
        free(r->queue[i].text);
    free(r->queue);
    free(r->current);
    free(r->live);
    free(r->pfds);
    free(r->pfd_job);
    free(r->pfd_watch);
    free(r->chunk);
    free(r);
}

void ld_runner_stop_within(ld_runner *r, int id, double grace)
{
    for (size_t i = 0; r && i < r->n_live; i++) {
        job *j = r->live[i];
        if (j->id != id)
            continue;
        if (!j->term_sent && !j->reaped) { /* a leader gone by itself was not stopped */
            j->stopped = 1;
            if (grace > 0)
                j->grace = grace;
            terminate(j, now_seconds());
        }
        return;
    }
}

void ld_runner_stop(ld_runner *r, int id) { ld_runner_stop_within(r, id, 0); }

size_t ld_runner_active(const ld_runner *r) { return r ? r->active : 0; }
