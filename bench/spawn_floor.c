/*
 * spawn_floor.c — the floor under the runner benchmark (bench/runner.sh): runs a program N times,
 * PARALLEL at a time, capturing its stdout through a pipe and reading it to EOF, with nothing
 * else — no journal, no sampling, no log file. No tuner that starts one process per trial can go
 * faster than this on the same machine.
 *
 *   spawn_floor fork|spawn N PARALLEL PROGRAM [ARG...]
 *   floor fork parallel=2 trials=2000 seconds=1.234 per_s=1620.7
 *
 * fork: fork + execv in the child, as src/runner.c starts a job; spawn: posix_spawn (a vfork-like
 * clone in glibc, no copy of the parent's page tables), as Python's subprocess starts one.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

typedef struct {
    pid_t pid;
    int fd; /* read end of the child's stdout, -1 when the slot is free */
} slot;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int start(int use_spawn, char **argv, slot *s)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    if (use_spawn) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, p[1], 1);
        int rc = posix_spawn(&s->pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) {
            errno = rc;
            return -1;
        }
    } else {
        s->pid = fork();
        if (s->pid < 0)
            return -1;
        if (s->pid == 0) {
            dup2(p[1], 1);
            execv(argv[0], argv);
            _exit(127);
        }
    }
    close(p[1]);
    s->fd = p[0];
    return 0;
}

/* Reads what is there; at EOF reaps the child and frees the slot. Returns -1 on a failed trial. */
static int drain(slot *s)
{
    char buf[4096];
    ssize_t n = read(s->fd, buf, sizeof buf);
    if (n > 0 || (n < 0 && errno == EINTR))
        return 0;
    close(s->fd);
    s->fd = -1;
    int st;
    while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 5 || (strcmp(argv[1], "fork") != 0 && strcmp(argv[1], "spawn") != 0)) {
        fprintf(stderr, "usage: spawn_floor fork|spawn N PARALLEL PROGRAM [ARG...]\n");
        return 2;
    }
    int use_spawn = strcmp(argv[1], "spawn") == 0;
    long n = atol(argv[2]);
    int par = atoi(argv[3]);
    if (n <= 0 || par <= 0 || par > 64) {
        fprintf(stderr, "spawn_floor: N and PARALLEL (1..64) must be positive\n");
        return 2;
    }
    slot slots[64];
    struct pollfd pfds[64];
    for (int i = 0; i < par; i++)
        slots[i].fd = -1;
    long started = 0, finished = 0;
    double t0 = now();
    while (finished < n) {
        for (int i = 0; i < par && started < n; i++)
            if (slots[i].fd < 0) {
                if (start(use_spawn, argv + 4, &slots[i]) < 0) {
                    perror("spawn_floor: start");
                    return 1;
                }
                started++;
            }
        int m = 0;
        for (int i = 0; i < par; i++)
            pfds[m++] = (struct pollfd){.fd = slots[i].fd, .events = POLLIN};
        if (poll(pfds, (nfds_t)m, -1) < 0 && errno != EINTR) {
            perror("spawn_floor: poll");
            return 1;
        }
        for (int i = 0; i < m; i++) {
            if (!pfds[i].revents || slots[i].fd < 0)
                continue;
            if (drain(&slots[i]) < 0) {
                fprintf(stderr, "spawn_floor: a run of %s failed\n", argv[4]);
                return 1;
            }
            if (slots[i].fd < 0)
                finished++;
        }
    }
    double secs = now() - t0;
    printf("floor %s parallel=%d trials=%ld seconds=%.3f per_s=%.1f\n", argv[1], par, n, secs,
           (double)n / secs);
    return 0;
}
