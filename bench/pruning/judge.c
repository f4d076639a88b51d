/*
 * judge.c — how long one early-stopping judgement takes, in C, for each rule: the question
 * liandan asks at every metric line a trial prints (bench/pruning/judge.sh prints it beside
 * Optuna's pruners answering the same question on the same curves, judge_optuna.py).
 *
 * The history: N complete trials of 27 epochs from the crossing family's formula
 * (crossing.awk: a learning-rate index i and a width index j per trial, fixed noise), and one
 * running trial with K reports being judged. Each rule is asked REPEAT times; prints one line
 * per rule: microseconds per judgement and the verdict (which must not change between calls).
 *
 *   judge N K REPEAT
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pruners/pruner.h"

#define EPOCHS 27

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The crossing family's curve of trial t at epoch e (1-based), with a little fixed noise. */
static double curve_value(int t, int e)
{
    int i = t % 6, j = (t / 6) % 8;
    double r = 0.085 * pow(1.6, i), a = 0.905 - 0.03 * i - 0.002 * (j - 5) * (j - 5);
    double noise = 0.004 * sin(12.9898 * t + 78.233 * e);
    return 0.1 + (a - 0.1) * (1 - exp(-r * e)) + noise;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: judge N K REPEAT\n");
        return 2;
    }
    int n = atoi(argv[1]), k = atoi(argv[2]), repeat = atoi(argv[3]);
    if (n < 1 || k < 1 || k >= EPOCHS || repeat < 1) {
        fprintf(stderr, "judge: need N >= 1, 1 <= K < %d, REPEAT >= 1\n", EPOCHS);
        return 2;
    }
    size_t total = (size_t)n + 1;
    ld_trial *trials = calloc(total, sizeof *trials);
    ld_series *series = calloc(total, sizeof *series);
    double *steps = calloc(total * EPOCHS, sizeof *steps);
    double *values = calloc(total * EPOCHS, sizeof *values);
    if (!trials || !series || !steps || !values)
        return 2;
    for (size_t t = 0; t < total; t++) {
        int running = t == (size_t)n, reports = running ? k : EPOCHS;
        double best = -INFINITY;
        for (int e = 0; e < reports; e++) {
            steps[t * EPOCHS + e] = e + 1;
            /* the judged trial is the best configuration of the family: a late bloomer */
            values[t * EPOCHS + e] = curve_value(running ? 1 + 6 * 5 : (int)t, e + 1);
            best = fmax(best, values[t * EPOCHS + e]);
        }
        series[t] = (ld_series){.key = "val_acc", .n = (size_t)reports,
                                .steps = &steps[t * EPOCHS], .values = &values[t * EPOCHS]};
        trials[t] = (ld_trial){.number = (int)t,
                               .state = running ? LD_TRIAL_RUNNING : LD_TRIAL_COMPLETE,
                               .has_value = !running, .value = best, .requeued_as = -1,
                               .retry_of = -1, .n_series = 1, .series = &series[t]};
    }
    static const char *rules[] = {"median", "asha", "hyperband", "curve", "plateau"};
    for (size_t r = 0; r < sizeof rules / sizeof *rules; r++) {
        ld_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.metric = "val_acc";
        spec.step = "epoch";
        spec.maximize = 1;
        ld_early_terminate *et = &spec.early_terminate;
        et->type = (char *)rules[r];
        et->eta = 3;
        et->min_iter = 3;
        et->max_iter = EPOCHS; /* the final step, as an epochs parameter would give it */
        et->n_startup_trials = 5;
        et->interval = 1;
        et->patience = 3;
        et->min_delta = 0.002;
        ld_pruner p;
        char err[256];
        if (ld_pruner_open(&spec, &p, err, sizeof err) != LD_OK) {
            fprintf(stderr, "judge: %s: %s\n", rules[r], err);
            return 2;
        }
        int first = -1;
        char *first_reason = NULL;
        double t0 = now();
        for (int i = 0; i < repeat; i++) {
            int stop = 0;
            char *reason = NULL;
            if (ld_pruner_should_prune(&p, &spec, trials, total, &trials[n], &stop, &reason) !=
                LD_OK)
                return 2;
            if (first < 0) {
                first = stop;
                first_reason = reason;
                reason = NULL;
            }
            free(reason);
            if (stop != first) {
                fprintf(stderr, "judge: %s changed its verdict\n", rules[r]);
                return 2;
            }
        }
        double us = (now() - t0) / repeat * 1e6;
        printf("%-10s %9.2f us  %s\n", rules[r], us, first_reason ? first_reason : "go on");
        free(first_reason);
        ld_pruner_close(&p);
    }
    free(trials);
    free(series);
    free(steps);
    free(values);
    return 0;
}
