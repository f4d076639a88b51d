/*
 * claim.c — claim throughput of a shared journal: W worker processes each loop ld_study_ask
 * (claim a trial: lock, read the history, sample, create) and ld_study_tell (record its end) on
 * one study until its trial budget is spent. No trial process is started, so this measures the
 * storage and the claim protocol alone. Used by bench/distributed/run.sh.
 *
 *   claim URL SWEEP.yaml WORKERS     prints: workers trials seconds trials_per_second
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "liandan.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One worker: claims and ends trials until the budget is spent; exits 0, or 1 on a failure. */
static int worker(const char *url, const char *sweep, int gate)
{
    char c;
    while (read(gate, &c, 1) < 0 && errno == EINTR) {
    }
    ld_db *db = NULL;
    ld_study *study = NULL;
    ld_status st = ld_db_open(url, &db);
    if (st == LD_OK)
        st = ld_study_open(db, sweep, NULL, &study);
    for (int i = 0; st == LD_OK; i++) {
        ld_trial *t = NULL;
        st = ld_study_ask(study, &t);
        if (st != LD_OK)
            break;
        ld_trial_end end = {.state = LD_TRIAL_COMPLETE, .has_value = 1, .value = i,
                            .exit_code = 0};
        st = ld_study_tell(study, t->number, &end);
        ld_trial_free(t);
    }
    if (st != LD_ERR_DONE)
        fprintf(stderr, "claim: worker %d: %s\n", (int)getpid(), ld_db_errmsg(db));
    ld_study_close(study);
    ld_db_close(db);
    return st == LD_ERR_DONE ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: claim URL SWEEP.yaml WORKERS\n");
        return 2;
    }
    int workers = atoi(argv[3]);
    int gate[2];
    if (workers < 1 || pipe(gate) != 0)
        return 2;
    /* the study exists before the clock starts */
    ld_db *db = NULL;
    ld_study *study = NULL;
    if (ld_db_open(argv[1], &db) != LD_OK || ld_study_open(db, argv[2], NULL, &study) != LD_OK) {
        fprintf(stderr, "claim: %s\n", ld_db_errmsg(db));
        return 3;
    }
    ld_study_close(study);
    ld_db_close(db);
    for (int i = 0; i < workers; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            close(gate[1]);
            _exit(worker(argv[1], argv[2], gate[0]));
        }
    }
    close(gate[0]);
    double t0 = now();
    close(gate[1]);
    int failed = 0, status;
    while (wait(&status) > 0)
        failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    double elapsed = now() - t0;
    if (ld_db_open(argv[1], &db) != LD_OK)
        return 3;
    ld_study_info *infos = NULL;
    size_t n = 0, trials = 0;
    if (ld_db_list_studies(db, &infos, &n) == LD_OK && n > 0)
        trials = infos[n - 1].counts[LD_TRIAL_COMPLETE];
    ld_study_infos_free(infos, n);
    ld_db_close(db);
    printf("%d %zu %.3f %.1f\n", workers, trials, elapsed, trials / elapsed);
    return failed;
}
