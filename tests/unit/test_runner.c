/*
 * test_runner.c — the process pool against real processes (/bin/sh, echo, sleep, printf): output
 * lines and their streams, the log file, exit codes and signals, commands that cannot start,
 * timeouts and stops with their SIGTERM→SIGKILL escalation, process groups, environment, argv
 * passed without a shell, many jobs in a row, and the line-length limits.
 */
#include "metrics.h"
#include "runner.h"
#include "test.h"
#include "util/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[64];

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Everything one job produced: its lines per stream, each followed by '\n', and its EXIT. */
typedef struct {
    ld_buf out, err;
    size_t n_out, n_err, longest;
    ld_run_event exit;
    char *tail;
    int got_exit;
} result;

static void result_free(result *res)
{
    ld_buf_free(&res->out);
    ld_buf_free(&res->err);
    free(res->tail);
}

static void record(result *res, const ld_run_event *ev)
{
    if (ev->kind == LD_RUN_EXIT) {
        CHECK(!res->got_exit);
        res->exit = *ev;
        res->tail = ld_strdup(ev->tail);
        res->exit.tail = res->tail;
        res->got_exit = 1;
        return;
    }
    CHECK(!res->got_exit); /* no line after EXIT */
    CHECK(ev->stream == 1 || ev->stream == 2);
    ld_buf *b = ev->stream == 1 ? &res->out : &res->err;
    ld_buf_puts(b, ev->line);
    ld_buf_putc(b, '\n');
    *(ev->stream == 1 ? &res->n_out : &res->n_err) += 1;
    if (strlen(ev->line) > res->longest)
        res->longest = strlen(ev->line);
}

/* Runs one job to its EXIT (20 s at most); with stop_after_line, stops it at its first line. */
static int run_job(const ld_job_spec *spec, result *res, int stop_after_line)
{
    memset(res, 0, sizeof *res);
    ld_runner *r = ld_runner_new();
    CHECK(r != NULL);
    pid_t pid = 0;
    int id = ld_runner_start(r, spec, &pid);
    CHECK(id >= 0);
    CHECK(pid > 0);
    double give_up = now_seconds() + 20;
    ld_run_event ev;
    while (id >= 0 && !res->got_exit && now_seconds() < give_up) {
        int got = ld_runner_poll(r, 200, &ev);
        CHECK(got >= 0);
        if (got != 1)
            continue;
        CHECK_INT_EQ(ev.job, id);
        record(res, &ev);
        if (stop_after_line && ev.kind == LD_RUN_LINE && res->n_out + res->n_err == 1)
            ld_runner_stop(r, id);
    }
    CHECK(res->got_exit);
    CHECK_INT_EQ(ld_runner_active(r), 0);
    CHECK_INT_EQ(ld_runner_poll(r, 0, &ev), 0);
    ld_runner_free(r);
    return res->got_exit;
}

static int run_sh(const char *script, result *res)
{
    char *argv[] = {"sh", "-c", (char *)script, NULL};
    ld_job_spec spec = {.argv = argv};
    return run_job(&spec, res, 0);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    ld_buf b = LD_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ld_buf_append(&b, chunk, n);
    fclose(f);
    if (len)
        *len = b.len;
    return ld_buf_take(&b);
}

static void tmp_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmpdir, name);
}

/* A process that is gone, or a zombie nobody reaped yet, is dead. */
static int process_dead(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    char *stat = read_file(path, NULL);
    if (!stat)
        return 1;
    char *paren = strrchr(stat, ')');
    int dead = paren && (paren[2] == 'Z' || paren[2] == 'X');
    free(stat);
    return dead;
}

static int wait_dead(pid_t pid, double seconds)
{
    double until = now_seconds() + seconds;
    while (!process_dead(pid) && now_seconds() < until)
        usleep(10000);
    return process_dead(pid);
}

static void test_echo(void)
{
    char *argv[] = {"echo", "hello", "world", NULL};
    ld_job_spec spec = {.argv = argv};
    result res;
    run_job(&spec, &res, 0);
    CHECK_STR_EQ(ld_buf_str(&res.out), "hello world\n");
    CHECK_INT_EQ(res.n_err, 0);
    CHECK_INT_EQ(res.exit.exit_code, 0);
    CHECK_INT_EQ(res.exit.term_signal, 0);
    CHECK_INT_EQ(res.exit.exec_errno, 0);
    CHECK_INT_EQ(res.exit.timed_out, 0);
    CHECK_INT_EQ(res.exit.stopped, 0);
    CHECK(res.exit.seconds >= 0 && res.exit.seconds < 10);
    CHECK_STR_EQ(res.exit.tail, "hello world"); /* stderr empty: the tail comes from stdout */
    result_free(&res);
}

static void test_streams_and_log(void)
{
    char log[128];
    tmp_path(log, sizeof log, "streams.log");
    char *argv[] = {"sh", "-c",
                    "echo 'epoch=1 val_acc=0.5'; echo warn1 >&2; echo 'epoch=2 val_acc=0.75';"
                    " echo warn2 >&2; echo 'epoch=3 val_acc=0.875'; exit 3",
                    NULL};
    ld_job_spec spec = {.argv = argv, .log_path = log};
    result res;
    run_job(&spec, &res, 0);
    CHECK_STR_EQ(ld_buf_str(&res.out),
                 "epoch=1 val_acc=0.5\nepoch=2 val_acc=0.75\nepoch=3 val_acc=0.875\n");
    CHECK_STR_EQ(ld_buf_str(&res.err), "warn1\nwarn2\n");
    CHECK_INT_EQ(res.exit.exit_code, 3);
    CHECK_INT_EQ(res.exit.term_signal, 0);
    CHECK_STR_EQ(res.exit.tail, "warn1\nwarn2");

    ld_metric_kv kv[LD_METRICS_MAX];
    const char *last = strstr(ld_buf_str(&res.out), "epoch=3");
    char line[64];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(last, "\n"), last);
    CHECK_INT_EQ(ld_metrics_parse_line(line, kv, LD_METRICS_MAX), 2);
    CHECK_NEAR(kv[1].value, 0.875, 0);

    size_t len = 0;
    char *text = read_file(log, &len);
    CHECK(text != NULL);
    if (text) {
        CHECK_INT_EQ(len, res.out.len + res.err.len);
        const char *e1 = strstr(text, "epoch=1"), *e2 = strstr(text, "epoch=2");
        const char *e3 = strstr(text, "epoch=3"), *w1 = strstr(text, "warn1\n");
        const char *w2 = strstr(text, "warn2\n");
        CHECK(e1 && e2 && e3 && w1 && w2);
        CHECK(e1 < e2 && e2 < e3 && w1 < w2);
    }
    free(text);
    result_free(&res);

    /* A second job appends to the same log. */
    char *argv2[] = {"echo", "again", NULL};
    ld_job_spec spec2 = {.argv = argv2, .log_path = log};
    run_job(&spec2, &res, 0);
    text = read_file(log, &len);
    CHECK(text && len > 6 && strcmp(text + len - 6, "again\n") == 0);
    CHECK(text && strncmp(text, "epoch=1", 7) == 0);
    free(text);
    result_free(&res);
    unlink(log);
}

static void test_exit_code_and_signal(void)
{
    result res;
    run_sh("exit 3", &res);
    CHECK_INT_EQ(res.exit.exit_code, 3);
    CHECK_STR_EQ(res.exit.tail, "");
    result_free(&res);

    run_sh("echo dying >&2; kill -SEGV $$", &res);
    CHECK_INT_EQ(res.exit.exit_code, -1);
    CHECK_INT_EQ(res.exit.term_signal, SIGSEGV);
    CHECK_INT_EQ(res.exit.exec_errno, 0);
    CHECK_STR_EQ(res.exit.tail, "dying");
    result_free(&res);
}

static void test_command_not_found(void)
{
    char log[128];
    tmp_path(log, sizeof log, "notfound.log");
    char *argv[] = {"liandan-no-such-command", "x", NULL};
    ld_job_spec spec = {.argv = argv, .log_path = log};
    result res;
    run_job(&spec, &res, 0);
    const char *msg = "liandan: cannot run 'liandan-no-such-command': No such file or directory";
    CHECK_INT_EQ(res.exit.exec_errno, ENOENT);
    CHECK_INT_EQ(res.exit.exit_code, -1);
    CHECK_INT_EQ(res.exit.term_signal, 0);
    CHECK_STR_EQ(res.exit.tail, msg);
    CHECK_INT_EQ(res.n_out + res.n_err, 0);
    char *text = read_file(log, NULL);
    CHECK(text && strstr(text, msg) != NULL);
    free(text);
    result_free(&res);
    unlink(log);

    char *argv2[] = {"/bin/sh", "-c", "echo never", NULL};
    ld_job_spec spec2 = {.argv = argv2, .cwd = "/liandan-no-such-dir"};
    run_job(&spec2, &res, 0);
    CHECK_INT_EQ(res.exit.exec_errno, ENOENT);
    CHECK(strstr(res.exit.tail, "/liandan-no-such-dir") != NULL);
    CHECK_INT_EQ(res.n_out, 0);
    result_free(&res);

    char *argv3[] = {tmpdir, NULL}; /* a directory: found but not executable */
    ld_job_spec spec3 = {.argv = argv3};
    run_job(&spec3, &res, 0);
    CHECK_INT_EQ(res.exit.exec_errno, EACCES);
    result_free(&res);
}

static void test_timeout(void)
{
    char *argv[] = {"sleep", "30", NULL};
    ld_job_spec spec = {.argv = argv, .timeout_seconds = 0.3, .grace_seconds = 2};
    result res;
    double t0 = now_seconds();
    run_job(&spec, &res, 0);
    CHECK_INT_EQ(res.exit.timed_out, 1);
    CHECK_INT_EQ(res.exit.stopped, 0);
    CHECK_INT_EQ(res.exit.term_signal, SIGTERM);
    CHECK(res.exit.seconds >= 0.25);
    CHECK(now_seconds() - t0 < 10);
    result_free(&res);
}

static void test_sigterm_ignored(void)
{
    char *argv[] = {"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done", NULL};
    ld_job_spec spec = {.argv = argv, .grace_seconds = 0.3};
    result res;
    run_job(&spec, &res, 1);
    CHECK_STR_EQ(ld_buf_str(&res.out), "ready\n");
    CHECK_INT_EQ(res.exit.stopped, 1);
    CHECK_INT_EQ(res.exit.timed_out, 0);
    CHECK_INT_EQ(res.exit.term_signal, SIGKILL);
    CHECK(res.exit.seconds >= 0.25);
    result_free(&res);

    /* The same through a timeout. */
    spec.timeout_seconds = 0.2;
    run_job(&spec, &res, 0);
    CHECK_INT_EQ(res.exit.timed_out, 1);
    CHECK_INT_EQ(res.exit.term_signal, SIGKILL);
    result_free(&res);
}

static void test_grandchild(void)
{
    /* Stopped: the background sleep is in the job's group and dies with it. */
    char *argv[] = {"sh", "-c", "sleep 30 & echo $!; wait", NULL};
    ld_job_spec spec = {.argv = argv};
    result res;
    run_job(&spec, &res, 1);
    CHECK_INT_EQ(res.exit.stopped, 1);
    CHECK_INT_EQ(res.exit.term_signal, SIGTERM);
    pid_t sleeper = (pid_t)atoi(ld_buf_str(&res.out));
    CHECK(sleeper > 0);
    CHECK(sleeper > 0 && wait_dead(sleeper, 3));
    result_free(&res);

    /* The leader exits while the sleep holds the pipes: EXIT still comes, about 1 s later. */
    char *argv2[] = {"sh", "-c", "sleep 30 & echo $!", NULL};
    ld_job_spec spec2 = {.argv = argv2};
    double t0 = now_seconds();
    run_job(&spec2, &res, 0);
    CHECK(now_seconds() - t0 < 5);
    CHECK_INT_EQ(res.exit.exit_code, 0);
    CHECK_INT_EQ(res.n_out, 1);
    sleeper = (pid_t)atoi(ld_buf_str(&res.out));
    CHECK(sleeper > 0 && wait_dead(sleeper, 3));
    result_free(&res);
}

static void test_env_and_cwd(void)
{
    char *argv[] = {"sh", "-c", "echo \"$LIANDAN_TRIAL $HOME\"; pwd", NULL};
    char *env[] = {"LIANDAN_TRIAL=7", "HOME=/liandan-test-home", NULL};
    ld_job_spec spec = {.argv = argv, .env_set = env, .cwd = tmpdir};
    result res;
    run_job(&spec, &res, 0);
    char expected[160];
    snprintf(expected, sizeof expected, "7 /liandan-test-home\n%s\n", tmpdir);
    CHECK_STR_EQ(ld_buf_str(&res.out), expected);
    CHECK(getenv("LIANDAN_TRIAL") == NULL); /* the tuner's environment is untouched */
    result_free(&res);
}

static void test_argv_not_shell_parsed(void)
{
    char marker[128], arg[192];
    tmp_path(marker, sizeof marker, "injected");
    snprintf(arg, sizeof arg, "x; touch %s", marker);
    char *argv[] = {"printf", "%s\\n", arg, "$HOME", "`touch injected`", "a  b", NULL};
    ld_job_spec spec = {.argv = argv, .cwd = tmpdir};
    result res;
    run_job(&spec, &res, 0);
    char expected[320];
    snprintf(expected, sizeof expected, "%s\n$HOME\n`touch injected`\na  b\n", arg);
    CHECK_STR_EQ(ld_buf_str(&res.out), expected);
    CHECK_INT_EQ(res.n_out, 4);
    CHECK(access(marker, F_OK) != 0);
    result_free(&res);
}

static void test_many_jobs(void)
{
    enum { JOBS = 50, PARALLEL = 2 };
    ld_runner *r = ld_runner_new();
    int ids[JOBS], lines[JOBS] = {0}, exits[JOBS] = {0};
    char numbers[JOBS][12];
    int started = 0, finished = 0;
    ld_run_event ev;
    double t0 = now_seconds();
    while (finished < JOBS && now_seconds() - t0 < 30) {
        while (started < JOBS && (int)ld_runner_active(r) < PARALLEL) {
            snprintf(numbers[started], sizeof numbers[started], "%d", started);
            char *argv[] = {"sh", "-c", "echo \"trial=$1\"; echo \"note $1\" >&2", "sh",
                            numbers[started], NULL};
            ld_job_spec spec = {.argv = argv};
            ids[started] = ld_runner_start(r, &spec, NULL);
            CHECK(ids[started] >= 0);
            started++;
        }
        if (ld_runner_poll(r, 1000, &ev) != 1)
            continue;
        int i = 0;
        while (i < started && ids[i] != ev.job)
            i++;
        CHECK(i < started);
        if (i == started)
            continue;
        if (ev.kind == LD_RUN_EXIT) {
            CHECK_INT_EQ(ev.exit_code, 0);
            CHECK_INT_EQ(lines[i], 2);
            exits[i]++;
            finished++;
            continue;
        }
        char expected[32];
        snprintf(expected, sizeof expected, ev.stream == 1 ? "trial=%d" : "note %d", i);
        CHECK_STR_EQ(ev.line, expected);
        lines[i]++;
    }
    CHECK_INT_EQ(finished, JOBS);
    for (int i = 0; i < JOBS; i++)
        CHECK_INT_EQ(exits[i], 1);
    fprintf(stderr, "  %d jobs, %d at a time: %.0f jobs/s\n", JOBS, PARALLEL,
            JOBS / (now_seconds() - t0));
    ld_runner_free(r);
}

static void test_line_endings(void)
{
    result res;
    run_sh("printf 'abc\\ndef'", &res);
    CHECK_STR_EQ(ld_buf_str(&res.out), "abc\ndef\n");
    CHECK_STR_EQ(res.exit.tail, "abc\ndef");
    result_free(&res);

    /* \r\n endings, empty lines, and a line that arrives in two writes. */
    run_sh("printf 'acc=1\\r\\nb\\r\\n\\r\\n\\n'; printf 'part'; sleep 0.05; printf 'ial\\n'",
           &res);
    CHECK_STR_EQ(ld_buf_str(&res.out), "acc=1\nb\n\n\npartial\n");
    CHECK_INT_EQ(res.n_out, 5);
    result_free(&res);
}

static void test_long_line(void)
{
    char log[128];
    tmp_path(log, sizeof log, "long.log");
    char *argv[] = {"sh", "-c", "head -c 204800 /dev/zero | tr '\\0' x; echo; echo after", NULL};
    ld_job_spec spec = {.argv = argv, .log_path = log};
    result res;
    run_job(&spec, &res, 0);
    CHECK_INT_EQ(res.n_out, 2);
    CHECK_INT_EQ(res.longest, 64 * 1024);
    const char *out = ld_buf_str(&res.out);
    CHECK(strspn(out, "x") == 64 * 1024);
    CHECK_STR_EQ(out + 64 * 1024, "\nafter\n");
    CHECK_STR_EQ(res.exit.tail, "after"); /* the long line does not fit in the 2 KiB tail */
    struct stat st;
    CHECK(stat(log, &st) == 0 && st.st_size == 204800 + 1 + 6);
    result_free(&res);
    unlink(log);

    /* A long last line without a newline: cut once, not delivered again at EOF. */
    run_sh("head -c 100000 /dev/zero | tr '\\0' y", &res);
    CHECK_INT_EQ(res.n_out, 1);
    CHECK_INT_EQ(res.longest, 64 * 1024);
    /* Alone, a line longer than the tail keeps its first bytes there. */
    CHECK_INT_EQ(strlen(res.exit.tail), 2047);
    CHECK_INT_EQ(strspn(res.exit.tail, "y"), 2047);
    result_free(&res);
}

static void test_tail_limit(void)
{
    result res;
    run_sh("i=0; while [ $i -lt 200 ]; do"
           " echo \"line $i ....................................\" >&2; i=$((i+1)); done; echo out",
           &res);
    CHECK_INT_EQ(res.n_err, 200);
    size_t len = strlen(res.exit.tail);
    CHECK(len <= 2048 && len > 1900);
    CHECK(strncmp(res.exit.tail, "line ", 5) == 0); /* starts at a line boundary */
    const char *last = strrchr(res.exit.tail, '\n');
    CHECK(last && strcmp(last + 1, "line 199 ....................................") == 0);
    result_free(&res);
}

static void test_fds_not_inherited(void)
{
    int leaked = open("/dev/null", O_RDONLY); /* deliberately without O_CLOEXEC */
    CHECK(leaked >= 0);
    ld_runner *r = ld_runner_new();
    char *sleeper[] = {"sleep", "30", NULL};
    ld_job_spec s1 = {.argv = sleeper};
    int a = ld_runner_start(r, &s1, NULL);
    char *lister[] = {"ls", "/proc/self/fd", NULL};
    ld_job_spec s2 = {.argv = lister};
    int b = ld_runner_start(r, &s2, NULL);
    CHECK(a >= 0 && b >= 0);
    ld_buf fds = LD_BUF_INIT;
    ld_run_event ev;
    double t0 = now_seconds();
    for (int done = 0; !done && now_seconds() - t0 < 10;) {
        if (ld_runner_poll(r, 200, &ev) != 1)
            continue;
        CHECK_INT_EQ(ev.job, b);
        if (ev.kind == LD_RUN_LINE) {
            ld_buf_puts(&fds, ev.line);
            ld_buf_putc(&fds, ' ');
        }
        done = ev.kind == LD_RUN_EXIT;
    }
    CHECK_STR_EQ(ld_buf_str(&fds), "0 1 2 3 "); /* 3 is ls's own handle on the directory */
    ld_buf_free(&fds);
    CHECK_INT_EQ(ld_runner_active(r), 1);
    ld_runner_free(r);
    close(leaked);
}

static void test_poll_waits_and_free_kills(void)
{
    ld_runner *r = ld_runner_new();
    ld_run_event ev;
    double t0 = now_seconds();
    CHECK_INT_EQ(ld_runner_poll(r, 1000, &ev), 0); /* no jobs: returns at once */
    CHECK(now_seconds() - t0 < 0.5);

    char *argv[] = {"sleep", "30", NULL};
    ld_job_spec spec = {.argv = argv};
    pid_t pid = 0;
    CHECK(ld_runner_start(r, &spec, &pid) >= 0);
    CHECK_INT_EQ(ld_runner_active(r), 1);
    t0 = now_seconds();
    CHECK_INT_EQ(ld_runner_poll(r, 0, &ev), 0);
    CHECK_INT_EQ(ld_runner_poll(r, 100, &ev), 0);
    double waited = now_seconds() - t0;
    CHECK(waited >= 0.09 && waited < 1);
    ld_runner_free(r);
    errno = 0;
    CHECK(waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD); /* killed and reaped */
    ld_runner_free(NULL);
    ld_runner_stop(NULL, 0);
}

/* A stop that comes after the leader ended by itself stops nothing: EXIT says stopped = 0 and
   the rest of the group (here a grandchild still printing) is left to finish. */
static void test_stop_after_exit(void)
{
    ld_runner *r = ld_runner_new();
    char *argv[] = {"sh", "-c", "(sleep 0.5; echo late) & echo first", NULL};
    ld_job_spec spec = {.argv = argv};
    pid_t pid = 0;
    int id = ld_runner_start(r, &spec, &pid);
    CHECK(id >= 0);
    result res;
    memset(&res, 0, sizeof res);
    ld_run_event ev;
    double give_up = now_seconds() + 20;
    while (res.n_out == 0 && now_seconds() < give_up)
        if (ld_runner_poll(r, 100, &ev) == 1)
            record(&res, &ev);
    CHECK(wait_dead(pid, 5));
    double settle = now_seconds() + 0.2; /* the runner reaps the leader while it polls */
    while (now_seconds() < settle && !res.got_exit)
        if (ld_runner_poll(r, 20, &ev) == 1)
            record(&res, &ev);
    ld_runner_stop(r, id);
    while (!res.got_exit && now_seconds() < give_up)
        if (ld_runner_poll(r, 100, &ev) == 1)
            record(&res, &ev);
    CHECK(res.got_exit);
    CHECK_INT_EQ(res.exit.stopped, 0);
    CHECK_INT_EQ(res.exit.exit_code, 0);
    CHECK_STR_EQ(ld_buf_str(&res.out), "first\nlate\n");
    result_free(&res);
    ld_runner_free(r);
}

static void on_alarm(int sig) { (void)sig; }

static void test_signal_interrupts_poll(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    ld_runner *r = ld_runner_new();
    char *argv[] = {"sleep", "30", NULL};
    ld_job_spec spec = {.argv = argv};
    CHECK(ld_runner_start(r, &spec, NULL) >= 0);
    struct itimerval it = {.it_value = {.tv_usec = 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
    ld_run_event ev;
    double t0 = now_seconds();
    CHECK_INT_EQ(ld_runner_poll(r, -1, &ev), 0);
    CHECK(now_seconds() - t0 < 5);
    ld_runner_free(r);
    sigaction(SIGALRM, &old, NULL);
}

static void test_two_runners_and_bad_args(void)
{
    ld_runner *r1 = ld_runner_new(), *r2 = ld_runner_new();
    char *a1[] = {"echo", "one", NULL}, *a2[] = {"echo", "two", NULL};
    ld_job_spec s1 = {.argv = a1}, s2 = {.argv = a2};
    CHECK_INT_EQ(ld_runner_start(r1, &s1, NULL), 0);
    CHECK_INT_EQ(ld_runner_start(r2, &s2, NULL), 0);
    const char *want[2] = {"one", "two"};
    ld_runner *rs[2] = {r1, r2};
    for (int k = 0; k < 2; k++) {
        ld_run_event ev;
        int lines = 0, exits = 0;
        while (exits == 0 && ld_runner_poll(rs[k], 5000, &ev) == 1) {
            if (ev.kind == LD_RUN_LINE) {
                CHECK_STR_EQ(ev.line, want[k]);
                lines++;
            } else {
                exits++;
            }
        }
        CHECK_INT_EQ(lines, 1);
        CHECK_INT_EQ(exits, 1);
    }
    char *empty[] = {NULL};
    ld_job_spec bad = {.argv = empty};
    errno = 0;
    CHECK_INT_EQ(ld_runner_start(r1, &bad, NULL), -1);
    CHECK_INT_EQ(errno, EINVAL);
    char *argv[] = {"echo", NULL};
    ld_job_spec no_log = {.argv = argv, .log_path = "/liandan-no-such-dir/x.log"};
    CHECK_INT_EQ(ld_runner_start(r1, &no_log, NULL), -1);
    CHECK_INT_EQ(errno, ENOENT);
    CHECK_INT_EQ(ld_runner_active(r1), 0);
    ld_runner_free(r1);
    ld_runner_free(r2);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s", "/tmp/liandan-test-runner.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_echo);
    RUN(test_streams_and_log);
    RUN(test_exit_code_and_signal);
    RUN(test_command_not_found);
    RUN(test_timeout);
    RUN(test_sigterm_ignored);
    RUN(test_grandchild);
    RUN(test_env_and_cwd);
    RUN(test_argv_not_shell_parsed);
    RUN(test_many_jobs);
    RUN(test_line_endings);
    RUN(test_long_line);
    RUN(test_tail_limit);
    RUN(test_fds_not_inherited);
    RUN(test_poll_waits_and_free_kills);
    RUN(test_stop_after_exit);
    RUN(test_signal_interrupts_poll);
    RUN(test_two_runners_and_bad_args);
    rmdir(tmpdir);
    TEST_END();
}
