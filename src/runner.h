/*
 * runner.h — the process pool: starts trial commands, captures their output, enforces timeouts
 * and stops them, with no shell in between.
 *
 * Each job runs in its own process group (so stopping it reaches every child it spawned), with
 * stdin from /dev/null and stdout and stderr captured through pipes. The runner appends both
 * streams to the job's log file as they arrive and hands complete lines to the caller, who parses
 * metrics. One thread; the caller drives everything through ld_runner_poll.
 */
#ifndef LD_RUNNER_H
#define LD_RUNNER_H

#include <stddef.h>
#include <sys/types.h>

typedef struct ld_runner ld_runner;

typedef struct {
    char *const *argv;       /* argv[0] is looked up in PATH (execvp); NULL-terminated */
    char *const *env_set;    /* extra "NAME=value" entries, NULL-terminated, may be NULL */
    const char *cwd;         /* NULL = the tuner's working directory */
    const char *log_path;    /* both streams appended here; NULL = no log file */
    double timeout_seconds;  /* 0 = none; then SIGTERM to the group, SIGKILL after the grace */
    double grace_seconds;    /* between SIGTERM and SIGKILL; 0 means 5 */
} ld_job_spec;

typedef enum {
    LD_RUN_LINE, /* a complete line of output from a job */
    LD_RUN_EXIT  /* a job ended; all of its output has been delivered before this */
} ld_run_event_kind;

typedef struct {
    ld_run_event_kind kind;
    int job;           /* the id returned by ld_runner_start */
    int stream;        /* LINE: 1 stdout, 2 stderr */
    const char *line;  /* LINE: without the newline; valid until the next poll */
    /* EXIT: */
    int exit_code;     /* -1 when killed by a signal or when exec failed */
    int term_signal;   /* the signal that ended it, 0 if none */
    int exec_errno;    /* non-zero when the command could not be started (e.g. ENOENT) */
    int timed_out;     /* stopped because its timeout passed */
    int stopped;       /* stopped by ld_runner_stop */
    int interrupted;   /* ended by the cluster (preemption, a node failure), not by the trial
                          itself: worth re-running (the Slurm executor only) */
    const char *why;   /* the executor's account of the end (a Slurm job's state), or NULL */
    double seconds;    /* wall time from start to exit */
    const char *tail;  /* EXIT: the last lines of stderr (of stdout when stderr was empty), at
                          most 2 KiB, starting at a line boundary; valid until the next poll */
} ld_run_event;

ld_runner *ld_runner_new(void);
/* Stops every job still running (SIGKILL to the groups), reaps them and frees the runner. */
void ld_runner_free(ld_runner *r);

/*
 * Starts a job. Returns its id (>= 0) and its pid through *pid, or -1 with errno set when the
 * log file or the pipes cannot be created. A command that cannot be executed still starts: it
 * ends at once with exec_errno set, and a line explaining it in the log.
 */
int ld_runner_start(ld_runner *r, const ld_job_spec *spec, pid_t *pid);

/*
 * Waits up to timeout_ms (0 = do not wait, -1 = forever) for the next event. Returns 1 and fills
 * *ev, or 0 when nothing happened in time (or no job is running), or -1 on a system error.
 * Returns early with 0 when a signal interrupts the wait, so the caller can check its flags.
 */
int ld_runner_poll(ld_runner *r, int timeout_ms, ld_run_event *ev);

/* Asks a job to stop: SIGTERM to its process group now, SIGKILL once the grace has passed.
   A job whose leader has already exited by itself is left alone (its EXIT says stopped = 0):
   what it started may finish printing. */
void ld_runner_stop(ld_runner *r, int job);
/* The same with its own grace between SIGTERM and SIGKILL (grace <= 0: the job's own). */
void ld_runner_stop_within(ld_runner *r, int job, double grace);
/* Number of jobs not yet reported as exited. */
size_t ld_runner_active(const ld_runner *r);

#endif
