/*
 * report_bigstudy.c — writes a large finished study straight through the storage interface, in
 * one transaction, for the report and dashboard tests at scale (10,000 trials in seconds; a real
 * run of that size would take an hour). The trials look like a real sweep's: three parameters,
 * ten epochs of train/val accuracy and loss each, about a tenth pruned, a few failed.
 *
 *   report_bigstudy URL STUDY N
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/storage.h"
#include "util/rng.h"

static const char sweep[] =
    "name: big\n"
    "method: random\n"
    "metric: {name: val_acc, goal: maximize}\n"
    "parameters:\n"
    "  lr: {distribution: log_uniform_values, min: 0.0001, max: 1.0}\n"
    "  dropout: {distribution: uniform, min: 0.0, max: 0.7}\n"
    "  optimizer: {values: [sgd, adam, rmsprop]}\n";

static int check(ld_status st, const ld_storage *s, const char *what)
{
    if (st == LD_OK)
        return 0;
    fprintf(stderr, "report_bigstudy: %s: %s\n", what, s->type->errmsg(s->state));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: report_bigstudy URL STUDY N\n");
        return 2;
    }
    int n = atoi(argv[3]);
    char err[512];
    ld_storage s;
    if (ld_storage_open(argv[1], &s, err, sizeof err) != LD_OK) {
        fprintf(stderr, "report_bigstudy: %s\n", err);
        return 1;
    }
    ld_study_new sn = {.name = argv[2], .sweep_path = "big.yaml", .sweep_text = sweep,
                       .description = "a large study for the report tests",
                       .metric = "val_acc", .maximize = 1, .seed = 1, .created = 1.7e9};
    int64_t id;
    int rc = check(s.type->create_study(s.state, &sn, &id), &s, "create the study");
    rc = rc || check(s.type->begin(s.state), &s, "begin");
    ld_rng rng;
    ld_rng_seed(&rng, 5, 0);
    static const char *const opts[] = {"sgd", "adam", "rmsprop"};
    const char *names[3] = {"lr", "dropout", "optimizer"};
    for (int i = 0; i < n && !rc; i++) {
        double lr = exp(log(1e-4) + ld_rng_uniform(&rng) * log(1e4));
        double dropout = 0.7 * ld_rng_uniform(&rng);
        const char *opt = opts[ld_rng_below(&rng, 3)];
        ld_value params[3] = {{LD_VAL_FLOAT, lr, NULL}, {LD_VAL_FLOAT, dropout, NULL},
                              {LD_VAL_STR, 0, (char *)opt}};
        ld_trial_new tn = {.state = LD_TRIAL_RUNNING, .n_params = 3, .param_names = names,
                           .params = params, .grid_index = -1, .retry_of = -1,
                           .created = 1.7e9 + i, .host = "test", .tuner_pid = 1};
        int number;
        rc = check(s.type->create_trial(s.state, id, &tn, &number), &s, "create a trial");
        double peak = 0.9 - 0.2 * fabs(log10(lr) + 2.5) - 0.1 * dropout;
        int pruned = i % 10 == 7, failed = i % 50 == 13;
        int epochs = pruned ? 3 : failed ? 0 : 10;
        double acc = 0;
        for (int e = 1; e <= epochs && !rc; e++) {
            acc = peak * (1 - exp(-e / 3.0));
            const char *keys[4] = {"train_acc", "val_acc", "train_loss", "val_loss"};
            double v[4] = {acc + 0.03, acc, 1.5 * (1 - acc), 1.6 * (1 - acc)};
            rc = check(s.type->add_values(s.state, id, number, e, 1.7e9 + i + e, 4, keys, v),
                       &s, "add values");
        }
        ld_trial_finish fin = {.state = failed   ? LD_TRIAL_FAILED
                                        : pruned ? LD_TRIAL_PRUNED
                                                 : LD_TRIAL_COMPLETE,
                               .has_value = !failed, .value = acc, .finished = 1.7e9 + i + 11,
                               .exit_code = failed ? 1 : 0,
                               .reason = failed ? "exit status 1" : pruned ? "median" : NULL};
        rc = rc || check(s.type->finish_trial(s.state, id, number, LD_TRIAL_RUNNING, &fin), &s,
                         "finish a trial");
    }
    rc = rc || check(s.type->commit(s.state), &s, "commit");
    ld_storage_close(&s);
    return rc;
}
