/*
 * cmd_run.c — `liandan run SWEEP.yaml`: opens (or resumes) the sweep's study and runs it, with
 * Ctrl-C handled as the help says (once to drain, twice to stop), SIGUSR1 draining and SIGTERM
 * stopping the running trials after a grace (ld_study_signal).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__ /* (defined by the headers above) */
#include <malloc.h>
#endif

#include "cli.h"

static ld_study *running_study;

static void on_signal(int sig)
{
    if (running_study)
        ld_study_signal(running_study, sig);
}

static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the runner's poll must wake up */
    sigemptyset(&sa.sa_mask);  /* one handler at a time: they update the same counters */
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGUSR1);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int parse_args(int argc, char **argv, const char **sweep, ld_overrides *ov)
{
    for (int i = 1; i < argc; i++) {
        const char *v;
        long n;
        if ((v = cli_option(argc, argv, &i, "--trials"))) {
            if (cli_parse_int(v, &n) || n < 1)
                return cli_usage("--trials needs a whole number >= 1, got '%s'", v);
            ov->trials = n;
        } else if ((v = cli_option(argc, argv, &i, "--parallel"))) {
            if (cli_parse_int(v, &n) || n < 1 || n > 4096)
                return cli_usage("--parallel needs a whole number from 1 to 4096, got '%s'", v);
            ov->parallel = (int)n;
        } else if ((v = cli_option(argc, argv, &i, "--time"))) {
            double t = ld_parse_duration(v);
            if (t <= 0)
                return cli_usage("--time needs a duration such as 90s, 15m or 2h, got '%s'", v);
            ov->time_seconds = t;
        } else if ((v = cli_option(argc, argv, &i, "--from"))) {
            if (!*v)
                return cli_usage("--from needs the name of a study to warm-start from");
            ov->from = v;
        } else if ((v = cli_option(argc, argv, &i, "--name"))) {
            if (!*v)
                return cli_usage("--name needs a study name");
            ov->name = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("run: unknown option '%s'; 'liandan run --help' lists them",
                             argv[i]);
        } else if (*sweep) {
            return cli_usage("run takes one sweep file, got '%s' and '%s'", *sweep, argv[i]);
        } else {
            *sweep = argv[i];
        }
    }
    if (!*sweep)
        return cli_usage("usage: liandan run SWEEP.yaml [--trials N] [--time T] "
                         "[--parallel N] [--name NAME] [--from STUDY]");
    return EXIT_OK;
}

static void print_summary(ld_db *db, const char *name, const cli_global *g, size_t failed)
{
    ld_playbook_result pr;
    if (ld_db_playbook_result(db, name, &pr) == LD_OK) {
        cli_print_playbook_result(name, &pr, g->json);
        ld_playbook_result_clear(&pr);
        return;
    }
    ld_study_info info;
    if (ld_db_get_study(db, name, &info) != LD_OK)
        return;
    if (g->json) {
        printf("{\"study\": ");
        out_json_string(stdout, name);
        printf(", \"trials\": %zu, \"complete\": %zu, \"pruned\": %zu, \"failed\": %zu, "
               "\"interrupted\": %zu, \"failed_this_run\": %zu, \"best_trial\": ",
               info.n_trials, info.counts[LD_TRIAL_COMPLETE], info.counts[LD_TRIAL_PRUNED],
               info.counts[LD_TRIAL_FAILED], info.interrupted, failed);
        if (info.has_best)
            printf("%d, \"best\": ", info.best_number);
        else
            printf("null, \"best\": ");
        if (info.has_best)
            out_json_number(stdout, info.best_value);
        else
            printf("null");
        printf("}\n");
    } else {
        char best[40] = "-";
        if (info.has_best)
            out_number(info.best_value, best, sizeof best);
        printf("study %s: %zu trials (%zu complete, %zu pruned, %zu failed", name,
               info.n_trials, info.counts[LD_TRIAL_COMPLETE], info.counts[LD_TRIAL_PRUNED],
               info.counts[LD_TRIAL_FAILED] - info.interrupted);
        if (info.interrupted)
            printf(", %zu interrupted", info.interrupted);
        if (info.counts[LD_TRIAL_QUEUED])
            printf(", %zu queued", info.counts[LD_TRIAL_QUEUED]);
        printf(")");
        if (info.has_best)
            printf("; best %s=%s (trial %d)", info.metric, best, info.best_number);
        printf("\n");
    }
    ld_study_info_clear(&info);
}

/*
 * A tuner allocates and frees the same large scratch arrays at every ask (a sampler's model of
 * the whole history). glibc would hand each one back to the kernel (mmap, or trimming the heap)
 * and fault it in again on the next ask, about a fifth of a TPE study's time at a few thousand
 * trials (docs/bench-runner.md); keeping freed memory in the process up to these sizes avoids it.
 */
static void keep_freed_memory(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

int cmd_run(int argc, char **argv, const cli_global *g)
{
    const char *sweep = NULL;
    ld_overrides ov = {0};
    int code = parse_args(argc, argv, &sweep, &ov);
    if (code != EXIT_OK)
        return code;
    keep_freed_memory();
    ld_db *db = NULL;
    if ((code = cli_open_db(g, &db)) != EXIT_OK)
        return code;
    ld_study *study = NULL;
    ov.to_run = 1;
    ld_status st = ld_study_open(db, sweep, &ov, &study);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
        ld_db_close(db);
        return code;
    }
    for (const char *const *n = ld_study_notes(study); n && *n; n++)
        if (!g->quiet)
            fprintf(stderr, "%s\n", *n);

    ld_study_info info;
    char *metric = NULL;
    if (ld_db_get_study(db, ld_study_name(study), &info) == LD_OK) {
        metric = info.metric ? strdup(info.metric) : NULL;
        ld_study_info_clear(&info);
    }
    cli_progress *progress = cli_progress_new(ld_study_name(study), metric, g->quiet);
    free(metric);
    running_study = study;
    install_handlers();
    size_t failed = 0;
    st = ld_study_run(study, cli_progress_event, progress, &failed);
    running_study = NULL;
    cli_progress_free(progress);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else {
        print_summary(db, ld_study_name(study), g, failed);
        if (failed)
            fprintf(stderr, "liandan: %zu trial(s) failed in this run; 'liandan trials %s "
                            "--state failed' shows why\n",
                    failed, ld_study_name(study));
        code = failed ? EXIT_RUN_FAILED : EXIT_OK;
    }
    ld_study_close(study);
    ld_db_close(db);
    return code;
}
