/*
 * test_pruners.c — the pruners' decisions on hand-made tables of intermediate values, checked
 * against the papers' rules (median stopping, ASHA's top-1/eta promotion, Hyperband's
 * brackets, thresholds).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pruners/pruner.h"
#include "test.h"

#define MAX_TRIALS 64
#define MAX_STEPS 32

typedef struct {
    ld_trial trials[MAX_TRIALS];
    ld_series series[MAX_TRIALS];
    double steps[MAX_TRIALS][MAX_STEPS], values[MAX_TRIALS][MAX_STEPS];
    ld_value epochs[MAX_TRIALS];
    size_t n;
} table;

static ld_spec spec_for(const char *type, int maximize)
{
    ld_spec s;
    memset(&s, 0, sizeof s);
    s.metric = "val";
    s.step = "epoch";
    s.maximize = maximize;
    s.early_terminate.type = (char *)type;
    s.early_terminate.eta = 3;
    s.early_terminate.n_startup_trials = 5;
    s.early_terminate.interval = 1;
    return s;
}

/* Adds a trial whose objective was reported at steps 1..n with these values. */
static ld_trial *add(table *t, ld_trial_state state, const double *values, size_t n)
{
    size_t i = t->n++;
    ld_trial *tr = &t->trials[i];
    memset(tr, 0, sizeof *tr);
    tr->number = (int)i;
    tr->state = state;
    tr->requeued_as = -1;
    tr->retry_of = -1;
    for (size_t k = 0; k < n; k++) {
        t->steps[i][k] = (double)(k + 1);
        t->values[i][k] = values[k];
    }
    t->series[i] = (ld_series){.key = "val", .n = n, .steps = t->steps[i], .values = t->values[i]};
    tr->n_series = 1;
    tr->series = &t->series[i];
    return tr;
}

static int verdict(const ld_spec *spec, table *t, const ld_trial *who)
{
    ld_pruner p;
    char err[256];
    CHECK_INT_EQ(ld_pruner_open(spec, &p, err, sizeof err), LD_OK);
    int stop = -1;
    char *reason = NULL;
    CHECK_INT_EQ(ld_pruner_should_prune(&p, spec, t->trials, t->n, who, &stop, &reason), LD_OK);
    CHECK(stop == (reason != NULL));
    free(reason);
    ld_pruner_close(&p);
    return stop;
}

static void test_median(void)
{
    ld_spec spec = spec_for("median", 0); /* minimize: lower is better */
    table t = {.n = 0};
    double done[5][3] = {{5, 4, 3}, {6, 5, 4}, {7, 6, 5}, {8, 7, 6}, {9, 8, 7}};
    for (int i = 0; i < 5; i++)
        add(&t, LD_TRIAL_COMPLETE, done[i], 3);
    /* median at step 2 is 6; the trial's best so far is what counts */
    ld_trial *bad = add(&t, LD_TRIAL_RUNNING, (double[]){9, 6.5}, 2);
    CHECK_INT_EQ(verdict(&spec, &t, bad), 1);
    ld_trial *good = add(&t, LD_TRIAL_RUNNING, (double[]){5.5, 9}, 2);
    CHECK_INT_EQ(verdict(&spec, &t, good), 0); /* best 5.5 beats the median 6 */
    ld_trial *equal = add(&t, LD_TRIAL_RUNNING, (double[]){9, 6}, 2);
    CHECK_INT_EQ(verdict(&spec, &t, equal), 0); /* not worse than the median */

    spec.early_terminate.n_warmup_steps = 3;
    CHECK_INT_EQ(verdict(&spec, &t, bad), 0);
    spec.early_terminate.n_warmup_steps = 0;
    spec.early_terminate.n_startup_trials = 6; /* only 5 complete */
    CHECK_INT_EQ(verdict(&spec, &t, bad), 0);
    spec.early_terminate.n_startup_trials = 5;
    spec.early_terminate.interval = 2; /* judged at steps 0, 2, 4, ... */
    CHECK_INT_EQ(verdict(&spec, &t, bad), 1);
    ld_trial *odd = add(&t, LD_TRIAL_RUNNING, (double[]){99}, 1);
    CHECK_INT_EQ(verdict(&spec, &t, odd), 0);
    spec.early_terminate.interval = 1;
    CHECK_INT_EQ(verdict(&spec, &t, odd), 1);

    ld_spec max = spec_for("median", 1);
    table u = {.n = 0};
    for (int i = 0; i < 5; i++)
        add(&u, LD_TRIAL_COMPLETE, (double[]){0.1 * i, 0.1 * i + 0.1}, 2);
    CHECK_INT_EQ(verdict(&max, &u, add(&u, LD_TRIAL_RUNNING, (double[]){0.1}, 1)), 1);
    CHECK_INT_EQ(verdict(&max, &u, add(&u, LD_TRIAL_RUNNING, (double[]){0.3}, 1)), 0);
}

static void test_asha(void)
{
    ld_spec spec = spec_for("asha", 1); /* maximize; rungs at 1, 3, 9 */
    spec.early_terminate.min_iter = 1;
    table t = {.n = 0};
    double at1[5] = {0.5, 0.6, 0.7, 0.8, 0.9};
    for (int i = 0; i < 5; i++)
        add(&t, LD_TRIAL_COMPLETE, (double[]){at1[i], at1[i], at1[i]}, 3);
    /* 6 at the rung: the best floor(6/3) = 2 go on; the second best is 0.85 itself */
    ld_trial *ok = add(&t, LD_TRIAL_RUNNING, (double[]){0.85}, 1);
    CHECK_INT_EQ(verdict(&spec, &t, ok), 0);
    t.n--;
    ld_trial *cut = add(&t, LD_TRIAL_RUNNING, (double[]){0.75}, 1);
    CHECK_INT_EQ(verdict(&spec, &t, cut), 1);
    /* a report between rungs is not judged, nor is a rung judged twice */
    t.n--;
    ld_trial *between = add(&t, LD_TRIAL_RUNNING, (double[]){0.75, 0.1}, 2);
    CHECK_INT_EQ(verdict(&spec, &t, between), 0);

    /* alone at a rung: promoted; two at a rung with eta 3: only the best goes on */
    table a = {.n = 0};
    CHECK_INT_EQ(verdict(&spec, &a, add(&a, LD_TRIAL_RUNNING, (double[]){0.1}, 1)), 0);
    CHECK_INT_EQ(verdict(&spec, &a, add(&a, LD_TRIAL_RUNNING, (double[]){0.05}, 1)), 1);
    CHECK_INT_EQ(verdict(&spec, &a, add(&a, LD_TRIAL_RUNNING, (double[]){0.2}, 1)), 0);

    /* rung 3: judged against the values others had when they reached step 3 */
    table r = {.n = 0};
    add(&r, LD_TRIAL_COMPLETE, (double[]){0.1, 0.2, 0.9, 0.9}, 4);
    add(&r, LD_TRIAL_COMPLETE, (double[]){0.1, 0.2, 0.8, 0.8}, 4);
    ld_trial *third = add(&r, LD_TRIAL_RUNNING, (double[]){0.5, 0.5, 0.85}, 3);
    CHECK_INT_EQ(verdict(&spec, &r, third), 1); /* 3 at the rung: only 0.9 goes on */
    spec.early_terminate.max_iter = 3;          /* no rung at max_iter */
    CHECK_INT_EQ(verdict(&spec, &r, third), 0);
    spec.early_terminate.max_iter = 0;
    spec.early_terminate.min_early_stopping_rate = 1; /* first rung at 3: still judged */
    CHECK_INT_EQ(verdict(&spec, &r, third), 1);
    spec.early_terminate.min_early_stopping_rate = 2; /* first rung at 9 */
    CHECK_INT_EQ(verdict(&spec, &r, third), 0);

    /* minimize */
    ld_spec mn = spec_for("asha", 0);
    table m = {.n = 0};
    add(&m, LD_TRIAL_COMPLETE, (double[]){1.0, 1.0}, 2);
    add(&m, LD_TRIAL_COMPLETE, (double[]){2.0, 2.0}, 2);
    CHECK_INT_EQ(verdict(&mn, &m, add(&m, LD_TRIAL_RUNNING, (double[]){1.5}, 1)), 1);
    m.n--;
    CHECK_INT_EQ(verdict(&mn, &m, add(&m, LD_TRIAL_RUNNING, (double[]){0.5}, 1)), 0);
}

static void test_hyperband(void)
{
    /* min_iter 1, max_iter 9, eta 3: s_max 2; brackets of 9, 5 and 3 configurations start
       judging at rungs 1, 3 and 9 (= max_iter: never). A low trial is cut at rung 1 only in
       bracket 0 (9/17 of trials), by rung 3 in brackets 0 and 1 (14/17). */
    ld_spec spec = spec_for("hyperband", 1);
    spec.early_terminate.min_iter = 1;
    spec.early_terminate.max_iter = 9;
    table t = {.n = 0};
    for (int i = 0; i < 40; i++)
        add(&t, LD_TRIAL_COMPLETE, (double[]){0.9, 0.9, 0.9}, 3);
    int probes = 600, cut1 = 0, cut3 = 0;
    for (int i = 0; i < probes; i++) {
        ld_trial *low = add(&t, LD_TRIAL_RUNNING, (double[]){0.1}, 1);
        low->number = 1000 + i;
        cut1 += verdict(&spec, &t, low);
        t.n--;
        ld_trial *low3 = add(&t, LD_TRIAL_RUNNING, (double[]){0.95, 0.95, 0.1}, 3);
        low3->number = 1000 + i;
        cut3 += verdict(&spec, &t, low3);
        t.n--;
    }
    CHECK_NEAR((double)cut1 / probes, 9.0 / 17, 0.06);
    CHECK_NEAR((double)cut3 / probes, 14.0 / 17, 0.06); /* brackets 0 and 1 judge rung 3 */
    /* the same trial number always lands in the same bracket */
    ld_trial *again = add(&t, LD_TRIAL_RUNNING, (double[]){0.1}, 1);
    again->number = 1000;
    int first = verdict(&spec, &t, again);
    CHECK_INT_EQ(verdict(&spec, &t, again), first);
    t.n--;

    /* W&B's forms: min_iter alone is one set of rungs from min_iter (every trial judged) */
    ld_spec wb = spec_for("hyperband", 1);
    wb.early_terminate.min_iter = 2;
    table w = {.n = 0};
    add(&w, LD_TRIAL_COMPLETE, (double[]){0.9, 0.9, 0.9, 0.9}, 4);
    add(&w, LD_TRIAL_COMPLETE, (double[]){0.9, 0.9, 0.9}, 3);
    CHECK_INT_EQ(verdict(&wb, &w, add(&w, LD_TRIAL_RUNNING, (double[]){0.1}, 1)), 0);
    w.n--;
    CHECK_INT_EQ(verdict(&wb, &w, add(&w, LD_TRIAL_RUNNING, (double[]){0.1, 0.1}, 2)), 1);
    /* max_iter 27 with s 2: rungs at 3 and 9 */
    ld_spec wb2 = spec_for("hyperband", 1);
    wb2.early_terminate.max_iter = 27;
    wb2.early_terminate.s = 2;
    table w2 = {.n = 0};
    add(&w2, LD_TRIAL_COMPLETE, (double[]){0.9, 0.9, 0.9}, 3);
    add(&w2, LD_TRIAL_COMPLETE, (double[]){0.9, 0.9, 0.9}, 3);
    CHECK_INT_EQ(verdict(&wb2, &w2, add(&w2, LD_TRIAL_RUNNING, (double[]){0.1, 0.1}, 2)), 0);
    w2.n--;
    CHECK_INT_EQ(verdict(&wb2, &w2, add(&w2, LD_TRIAL_RUNNING, (double[]){0.1, 0.1, 0.1}, 3)),
                 1);
}

/* Gives the table's trial its epochs parameter. */
static ld_trial *give_epochs(table *t, ld_trial *tr, double epochs)
{
    static char *name = "epochs";
    size_t i = (size_t)(tr - t->trials);
    t->epochs[i] = (ld_value){.type = LD_VAL_INT, .num = epochs};
    tr->n_params = 1;
    tr->param_names = &name;
    tr->params = &t->epochs[i];
    return tr;
}

/* Adds trial `number` with these values and an epochs parameter. */
static ld_trial *add_numbered(table *t, ld_trial_state state, int number, const double *values,
                              size_t n, double epochs)
{
    ld_trial *tr = give_epochs(t, add(t, state, values, n), epochs);
    tr->number = number;
    return tr;
}

/* The verdict on a running trial `number` with these values, which is then taken away. */
static int probe(const ld_spec *spec, table *t, int number, const double *values, size_t n,
                 double epochs)
{
    int stop = verdict(spec, t, add_numbered(t, LD_TRIAL_RUNNING, number, values, n, epochs));
    t->n--;
    return stop;
}

/* No judgement at or past the final step: stopping there saves nothing. */
static void test_final_step(void)
{
    ld_spec spec = spec_for("asha", 1);
    spec.early_terminate.min_iter = 1;
    table t = {.n = 0};
    for (int i = 0; i < 6; i++)
        give_epochs(&t, add(&t, LD_TRIAL_COMPLETE, (double[]){0.9, 0.9, 0.9}, 3), 3);
    /* rung 1 is below the trial's 3 epochs: a low trial is cut there ... */
    ld_trial *low = give_epochs(&t, add(&t, LD_TRIAL_RUNNING, (double[]){0.1}, 1), 3);
    CHECK_INT_EQ(verdict(&spec, &t, low), 1);
    CHECK(ld_final_step(&spec, low, t.trials, t.n) == 3);
    t.n--;
    /* ... rung 3 is its last epoch: never judged, and a report past it neither */
    ld_trial *last = give_epochs(&t, add(&t, LD_TRIAL_RUNNING, (double[]){0.95, 0.95, 0.1}, 3), 3);
    CHECK_INT_EQ(verdict(&spec, &t, last), 0);
    t.n--;
    /* the same trial with 9 epochs is judged at rung 3 */
    last = give_epochs(&t, add(&t, LD_TRIAL_RUNNING, (double[]){0.95, 0.95, 0.1}, 3), 9);
    CHECK_INT_EQ(verdict(&spec, &t, last), 1);
    t.n--;
    /* max_iter wins over the parameter */
    spec.early_terminate.max_iter = 3;
    last = give_epochs(&t, add(&t, LD_TRIAL_RUNNING, (double[]){0.95, 0.95, 0.1}, 3), 9);
    CHECK(ld_final_step(&spec, last, t.trials, t.n) == 3);
    CHECK_INT_EQ(verdict(&spec, &t, last), 0);
    t.n--;
    spec.early_terminate.max_iter = 0;

    /* no parameter: the last step that the complete trials agree on, when two or more do */
    table u = {.n = 0};
    add(&u, LD_TRIAL_COMPLETE, (double[]){0.9, 0.9, 0.9}, 3);
    ld_trial *x = add(&u, LD_TRIAL_RUNNING, (double[]){0.95, 0.95, 0.1}, 3);
    CHECK(ld_final_step(&spec, x, u.trials, u.n) == 0); /* one complete trial: unknown */
    CHECK_INT_EQ(verdict(&spec, &u, x), 1);
    u.n--;
    add(&u, LD_TRIAL_COMPLETE, (double[]){0.9, 0.9, 0.9}, 3);
    add(&u, LD_TRIAL_PRUNED, (double[]){0.1}, 1); /* pruned trials do not vote */
    x = add(&u, LD_TRIAL_RUNNING, (double[]){0.95, 0.95, 0.1}, 3);
    CHECK(ld_final_step(&spec, x, u.trials, u.n) == 3);
    CHECK_INT_EQ(verdict(&spec, &u, x), 0);
    u.n--;
    add(&u, LD_TRIAL_COMPLETE, (double[]){0.9, 0.9, 0.9, 0.9}, 4); /* they disagree: unknown */
    x = add(&u, LD_TRIAL_RUNNING, (double[]){0.95, 0.95, 0.1}, 3);
    CHECK(ld_final_step(&spec, x, u.trials, u.n) == 0);
    CHECK_INT_EQ(verdict(&spec, &u, x), 1);

    /* the median rule and a threshold do not judge the last step either */
    ld_spec md = spec_for("median", 1);
    md.early_terminate.n_startup_trials = 1;
    md.early_terminate.max_iter = 2;
    table m = {.n = 0};
    add(&m, LD_TRIAL_COMPLETE, (double[]){0.9, 0.9}, 2);
    CHECK_INT_EQ(verdict(&md, &m, add(&m, LD_TRIAL_RUNNING, (double[]){0.1}, 1)), 1);
    m.n--;
    CHECK_INT_EQ(verdict(&md, &m, add(&m, LD_TRIAL_RUNNING, (double[]){0.95, 0.1}, 2)), 0);
}

/* Hyperband's brackets from an epochs parameter, dealt by trial number in the paper's
   proportions (9, 5, 3 of every 17 for min_iter 3, 27 epochs, eta 3), each judged only against
   its own trials. */
static void test_hyperband_brackets(void)
{
    ld_spec spec = spec_for("hyperband", 1);
    spec.early_terminate.min_iter = 3;
    ld_param epochs_param = {.name = "epochs", .dist = LD_DIST_CONSTANT, .n_values = 1,
                             .values = (ld_value[]){{.type = LD_VAL_INT, .num = 27}}};
    spec.params = &epochs_param;
    spec.n_params = 1;
    CHECK(ld_spec_final_step(&spec) == 27);
    ld_pruner p;
    char err[128];
    CHECK_INT_EQ(ld_pruner_open(&spec, &p, err, sizeof err), LD_OK);
    ld_pruner_close(&p);

    /* A trial low at epoch 3 is cut only in bracket 0 (rungs 3, 9); low at 9 (and high at 3)
       in brackets 0 and 1; bracket 2 never cuts. Every window of 17 numbers deals exactly so. */
    const double high[9] = {0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9};
    const double low3[3] = {0.5, 0.5, 0.1};
    const double low9[9] = {0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.1};
    table strong = {.n = 0}; /* numbers 100.. cover each bracket several times */
    for (int i = 0; i < 40; i++)
        add_numbered(&strong, LD_TRIAL_COMPLETE, 100 + i, high, 9, 27);
    int bracket[17];
    for (int start = 0; start < 3 * 17; start += 17) {
        int cut3 = 0, cut9 = 0;
        for (int k = 0; k < 17; k++) {
            int at3 = probe(&spec, &strong, start + k, low3, 3, 27);
            int at9 = probe(&spec, &strong, start + k, low9, 9, 27);
            cut3 += at3;
            cut9 += at9;
            if (start == 0)
                bracket[k] = at3 ? 0 : at9 ? 1 : 2;
            else /* the deal repeats every 17 numbers */
                CHECK_INT_EQ(at3 ? 0 : at9 ? 1 : 2, bracket[k]);
        }
        CHECK_INT_EQ(cut3, 9);
        CHECK_INT_EQ(cut9, 14);
    }
    CHECK_INT_EQ(bracket[0], 0); /* the deal starts with the largest bracket */

    /* A rung is judged against its own bracket only: a bracket-1 trial low at epoch 9 goes on
       among strong bracket-0 trials, and is cut once strong bracket-1 trials are there. */
    int mine = -1;
    for (int number = 0; number < 17 && mine < 0; number++)
        if (bracket[number] == 1)
            mine = number;
    CHECK(mine >= 0);
    table own = {.n = 0};
    for (int k = 1; k <= 3; k++)
        for (int number = 0; number < 17; number++)
            if (bracket[number] == 0)
                add_numbered(&own, LD_TRIAL_COMPLETE, number + 17 * k, high, 9, 27);
    CHECK_INT_EQ(probe(&spec, &own, mine, low9, 9, 27), 0);
    for (int k = 1; k <= 3; k++)
        add_numbered(&own, LD_TRIAL_COMPLETE, mine + 17 * k, high, 9, 27);
    CHECK_INT_EQ(probe(&spec, &own, mine, low9, 9, 27), 1);
}

static void test_threshold(void)
{
    ld_spec spec = spec_for("threshold", 1);
    spec.early_terminate.has_lower = 1;
    spec.early_terminate.lower = 0.2;
    spec.early_terminate.n_warmup_steps = 2;
    table t = {.n = 0};
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, (double[]){0.1}, 1)), 0);
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, (double[]){0.1, 0.1}, 2)), 1);
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, (double[]){0.1, 0.3}, 2)), 0);
    spec.early_terminate.has_upper = 1;
    spec.early_terminate.upper = 0.25;
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, (double[]){0.1, 0.3}, 2)), 1);
}

/* plateau: a trial's own curve, no gain of min_delta in `patience` steps. */
static void test_plateau(void)
{
    ld_spec spec = spec_for("plateau", 1);
    spec.early_terminate.patience = 3;
    spec.early_terminate.min_delta = 0.01;
    table t = {.n = 0};
    /* still climbing by more than min_delta: goes on */
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING,
                                        (double[]){0.5, 0.6, 0.7, 0.72, 0.74}, 5)), 0);
    /* too young to judge: no report 3 steps old */
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, (double[]){0.5, 0.5, 0.5}, 3)), 0);
    /* flat for 3 steps after its best at step 2 (gains below 0.01): stops */
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING,
                                        (double[]){0.5, 0.8, 0.79, 0.805, 0.8}, 5)), 1);
    /* a NaN in the window is skipped, not a plateau by itself */
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING,
                                        (double[]){0.5, 0.6, NAN, 0.65, 0.7}, 5)), 0);
    /* with min_delta 0 any gain counts */
    spec.early_terminate.min_delta = 0;
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING,
                                        (double[]){0.5, 0.8, 0.79, 0.805, 0.8}, 5)), 0);
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING,
                                        (double[]){0.5, 0.8, 0.79, 0.8, 0.8}, 5)), 1);
    /* minimize: a loss that stopped falling */
    ld_spec mn = spec_for("plateau", 0);
    mn.early_terminate.patience = 2;
    CHECK_INT_EQ(verdict(&mn, &t, add(&t, LD_TRIAL_RUNNING, (double[]){1.0, 0.5, 0.6, 0.55}, 4)),
                 1);
    CHECK_INT_EQ(verdict(&mn, &t, add(&t, LD_TRIAL_RUNNING, (double[]){1.0, 0.5, 0.6, 0.45}, 4)),
                 0);
}

/* Adds a running trial with val_loss and train_loss series at steps 1..n. */
static ld_trial *add_losses(table *t, const double *val, const double *train, size_t n)
{
    ld_trial *tr = add(t, LD_TRIAL_RUNNING, val, n);
    size_t i = (size_t)(tr - t->trials);
    static ld_series two[MAX_TRIALS][2];
    static double train_values[MAX_TRIALS][MAX_STEPS];
    memcpy(train_values[i], train, n * sizeof *train);
    two[i][0] = (ld_series){.key = "val_loss", .n = n, .steps = t->steps[i],
                            .values = t->values[i]};
    two[i][1] = (ld_series){.key = "train_loss", .n = n, .steps = t->steps[i],
                            .values = train_values[i]};
    tr->series = two[i];
    tr->n_series = 2;
    return tr;
}

/* overfit: val_loss rising at every report of the window while train_loss falls. */
static void test_overfit(void)
{
    ld_spec spec = spec_for("overfit", 1); /* the study's metric is val (accuracy) */
    spec.early_terminate.patience = 3;
    table t = {.n = 0};
    /* val_loss 0.5 at step 3, then up 3 steps in a row; train falls: stops */
    CHECK_INT_EQ(verdict(&spec, &t, add_losses(&t, (double[]){0.9, 0.6, 0.5, 0.52, 0.55, 0.6},
                                               (double[]){1.0, 0.7, 0.5, 0.4, 0.3, 0.2}, 6)),
                 1);
    /* the same rise for only 2 steps: goes on */
    CHECK_INT_EQ(verdict(&spec, &t, add_losses(&t, (double[]){0.9, 0.6, 0.5, 0.48, 0.55, 0.6},
                                               (double[]){1.0, 0.7, 0.5, 0.4, 0.3, 0.2}, 6)),
                 0);
    /* both losses rising (a learning rate too high, not overfitting): goes on */
    CHECK_INT_EQ(verdict(&spec, &t, add_losses(&t, (double[]){0.9, 0.6, 0.5, 0.52, 0.55, 0.6},
                                               (double[]){1.0, 0.7, 0.5, 0.55, 0.6, 0.7}, 6)),
                 0);
    /* a NaN in the window is not a rise */
    CHECK_INT_EQ(verdict(&spec, &t, add_losses(&t, (double[]){0.9, 0.6, 0.5, NAN, 0.55, 0.6},
                                               (double[]){1.0, 0.7, 0.5, 0.4, 0.3, 0.2}, 6)),
                 0);
    /* too short to judge */
    CHECK_INT_EQ(verdict(&spec, &t, add_losses(&t, (double[]){0.5, 0.6, 0.7},
                                               (double[]){0.5, 0.4, 0.3}, 3)),
                 0);
    /* other keys: nothing is watched unless they are reported */
    spec.early_terminate.val_key = "dev_loss";
    CHECK_INT_EQ(verdict(&spec, &t, add_losses(&t, (double[]){0.9, 0.6, 0.5, 0.52, 0.55, 0.6},
                                               (double[]){1.0, 0.7, 0.5, 0.4, 0.3, 0.2}, 6)),
                 0);
}

/* Five complete trials of 9 epochs that saturated early at about 0.8 (times sign). */
static void add_saturated(table *t, double sign)
{
    for (int k = 0; k < 5; k++) {
        double v[9];
        for (int i = 0; i < 9; i++)
            v[i] = sign * (0.8 + 0.002 * k - 0.3 * exp(-(i + 1.0)));
        ld_trial *c = add(t, LD_TRIAL_COMPLETE, v, 9);
        c->has_value = 1;
        c->value = v[8];
    }
}

/* curve: keeps a late bloomer that rung rules cut, stops a hopeless curve. */
static void test_curve(void)
{
    ld_spec spec = spec_for("curve", 1);
    spec.early_terminate.max_iter = 27;
    table t = {.n = 0};
    add_saturated(&t, 1);
    /* a late bloomer, 0.3 + 0.17 ln x with some noise: 0.49 at epoch 3, 0.86 at 27 */
    const double wobble[5] = {0.004, -0.003, 0.002, -0.004, 0.003};
    double bloom[5], hopeless[5];
    for (int i = 0; i < 5; i++) {
        bloom[i] = 0.3 + 0.17 * log(i + 1.0) + wobble[i];
        hopeless[i] = 0.4 + 0.02 * log(i + 1.0) + wobble[i];
    }
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, bloom, 5)), 0);
    t.n--;
    ld_spec asha = spec_for("asha", 1);
    asha.early_terminate.min_iter = 1;
    asha.early_terminate.max_iter = 27;
    CHECK_INT_EQ(verdict(&asha, &t, add(&t, LD_TRIAL_RUNNING, bloom, 3)), 1); /* rung 3 cuts it */
    t.n--;
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, hopeless, 5)), 1);
    t.n--;
    /* too few points: no judgement */
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, hopeless, 3)), 0);
    t.n--;
    /* NaN reports are skipped */
    double bloom_nan[6] = {bloom[0], bloom[1], NAN, bloom[2], bloom[3], bloom[4]};
    double hopeless_nan[6] = {hopeless[0], NAN, hopeless[1], hopeless[2], hopeless[3],
                              hopeless[4]};
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, bloom_nan, 6)), 0);
    t.n--;
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, hopeless_nan, 6)), 1);
    t.n--;
    /* without max_iter the complete trials' common end (9) is the final step: still cut */
    spec.early_terminate.max_iter = 0;
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, hopeless, 5)), 1);
    t.n--;
    /* with no final step known (complete trials of different lengths) nothing is judged */
    ld_trial *odd = add(&t, LD_TRIAL_COMPLETE, (double[]){0.5, 0.6, 0.7}, 3);
    odd->has_value = 1;
    odd->value = 0.7;
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, hopeless, 5)), 0);
    t.n -= 2;
    /* fewer complete trials than n_startup_trials: nothing judged */
    spec.early_terminate.max_iter = 27;
    spec.early_terminate.n_startup_trials = 6;
    CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, hopeless, 5)), 0);
    t.n--;

    /* minimize: the same curves as losses */
    ld_spec mn = spec_for("curve", 0);
    mn.early_terminate.max_iter = 27;
    table m = {.n = 0};
    add_saturated(&m, -1);
    double loss_bloom[5], loss_hopeless[5];
    for (int i = 0; i < 5; i++) {
        loss_bloom[i] = -bloom[i];
        loss_hopeless[i] = -hopeless[i];
    }
    CHECK_INT_EQ(verdict(&mn, &m, add(&m, LD_TRIAL_RUNNING, loss_bloom, 5)), 0);
    m.n--;
    CHECK_INT_EQ(verdict(&mn, &m, add(&m, LD_TRIAL_RUNNING, loss_hopeless, 5)), 1);
}

/*
 * curve on the crossing family of bench/pruning/crossing.awk: the best configuration rises as
 * 0.1 + 0.775 (1 - exp(-0.136 x)) (0.35 at epoch 3, 0.67 at 9, 0.855 at 27), while five trials
 * that learned fast ended at 0.836 to 0.844: judged at every epoch from 4 to 26 it is never
 * stopped, although a rung rule cuts it at epoch 3. A curve that peaked at 0.80 by epoch 6 and has
 * declined since (overfitting) is stopped within a few epochs of its peak.
 */
static void test_curve_crossing(void)
{
    ld_spec spec = spec_for("curve", 1);
    spec.early_terminate.max_iter = 27;
    table t = {.n = 0};
    for (int k = 0; k < 5; k++) {
        double v[27];
        for (int i = 0; i < 27; i++)
            v[i] = 0.1 + 0.74 * (1 - exp(-(0.5 + 0.1 * k) * (i + 1))) + 0.002 * (k - 2);
        ld_trial *c = add(&t, LD_TRIAL_COMPLETE, v, 27);
        c->has_value = 1;
        c->value = v[26];
    }
    /* a fixed noise of about 0.004, the size of a 1000-example validation set's */
    double bloom[27], peaked[27];
    for (int i = 0; i < 27; i++) {
        double noise = 0.004 * sin(12.9898 * i + 0.5);
        bloom[i] = 0.1 + 0.775 * (1 - exp(-0.136 * (i + 1))) + noise;
        peaked[i] = (i < 6 ? 0.5 + 0.3 * (1 - exp(-(i + 1.0))) / (1 - exp(-6.0))
                           : 0.8 - 0.006 * (i - 5)) + noise;
    }
    for (size_t n = 4; n < 27; n++) {
        CHECK_INT_EQ(verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, bloom, n)), 0);
        t.n--;
    }
    ld_spec asha = spec_for("asha", 1);
    asha.early_terminate.min_iter = 3;
    asha.early_terminate.max_iter = 27;
    CHECK_INT_EQ(verdict(&asha, &t, add(&t, LD_TRIAL_RUNNING, bloom, 3)), 1);
    t.n--;
    size_t stopped_at = 0;
    for (size_t n = 4; n < 27 && !stopped_at; n++) {
        if (verdict(&spec, &t, add(&t, LD_TRIAL_RUNNING, peaked, n)))
            stopped_at = n;
        t.n--;
    }
    CHECK(stopped_at > 0 && stopped_at <= 12);
}

static void test_none(void)
{
    ld_spec spec = spec_for(NULL, 1);
    ld_pruner p;
    char err[64];
    CHECK_INT_EQ(ld_pruner_open(&spec, &p, err, sizeof err), LD_OK);
    CHECK(p.type == NULL);
    table t = {.n = 0};
    int stop = -1;
    char *reason = NULL;
    ld_trial *x = add(&t, LD_TRIAL_RUNNING, (double[]){0.1}, 1);
    CHECK_INT_EQ(ld_pruner_should_prune(&p, &spec, t.trials, t.n, x, &stop, &reason), LD_OK);
    CHECK(stop == 0 && reason == NULL);
}

int main(void)
{
    RUN(test_median);
    RUN(test_asha);
    RUN(test_hyperband);
    RUN(test_final_step);
    RUN(test_hyperband_brackets);
    RUN(test_threshold);
    RUN(test_plateau);
    RUN(test_overfit);
    RUN(test_curve);
    RUN(test_curve_crossing);
    RUN(test_none);
    TEST_END();
}
