/*
 * test_storage.c — the conformance suite of the storage interface, and the SQLite back-end's own
 * tests (URLs, schema versions, foreign files, a failing disk).
 *
 * storage_suite(url) is what every back-end must pass; it only uses storage.h and gives each
 * test its own study names. It runs against a SQLite file in a fresh temporary folder and, when
 * $LIANDAN_TEST_PG_URL names a PostgreSQL server (tests/run.sh starts one with
 * tests/pg_server.sh), against a fresh database there, followed by the PostgreSQL back-end's own
 * tests (passwords, schema versions, lost connections). The concurrency tests fork real
 * processes that share the journal, as several tuners do.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "storage/storage.h"
#include "test.h"

static char tmp_dir[PATH_MAX];
static const char *suite_url; /* the storage under test */

/* ---- helpers --------------------------------------------------------------------------- */

static int open_url(const char *url, ld_storage *s)
{
    char err[1024] = "";
    ld_status st = ld_storage_open(url, s, err, sizeof err);
    if (st != LD_OK)
        fprintf(stderr, "cannot open %s: %s\n", url, err);
    return st == LD_OK;
}

#define CALL(s, fn, ...) ((s)->type->fn((s)->state, __VA_ARGS__))
#define ERRMSG(s) ((s)->type->errmsg((s)->state))

/* Checks status st == want, printing the back-end's message when it is not. */
#define CHECK_ST(s, st, want)                                                                   \
    do {                                                                                        \
        ld_status got_ = (st);                                                                  \
        CHECK_INT_EQ(got_, want);                                                               \
        if (got_ != (want))                                                                     \
            fprintf(stderr, "  message: %s\n", ERRMSG(s));                                      \
    } while (0)

static int64_t make_study(ld_storage *s, const char *name, int maximize)
{
    ld_study_new sn = {name, "sweeps/x.yaml", "method: random\n", "why not", NULL, "val_acc",
                       maximize, 42, 1700000000.0};
    int64_t id = -1;
    CHECK_ST(s, CALL(s, create_study, &sn, &id), LD_OK);
    return id;
}

/* A trial with one float parameter x, in the given state; returns its number. */
static int make_trial(ld_storage *s, int64_t study, ld_trial_state state, double x)
{
    const char *names[] = {"x"};
    ld_value params[] = {{LD_VAL_FLOAT, x, NULL}};
    ld_trial_new t = {state, 1, names, params, -1, -1, 1700000001.0, "host-a", 1234};
    int number = -1;
    CHECK_ST(s, CALL(s, create_trial, study, &t, &number), LD_OK);
    return number;
}

static void finish(ld_storage *s, int64_t study, int number, ld_trial_state from,
                   ld_trial_state to, int has_value, double value)
{
    ld_trial_finish fin = {to, has_value, value, 1700000100.0, 0, 0, NULL};
    CHECK_ST(s, CALL(s, finish_trial, study, number, from, &fin), LD_OK);
}

static ld_trial *list(ld_storage *s, int64_t study, int with_metrics, size_t *n)
{
    ld_trial *trials = NULL;
    *n = 0;
    CHECK_ST(s, CALL(s, list_trials, study, with_metrics, &trials, n), LD_OK);
    return trials;
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- conformance: studies -------------------------------------------------------------- */

static void test_studies(void)
{
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    ld_study_new a = {"studies-a", "a.yaml", "text a", "why a", NULL, "loss", 0, UINT64_MAX, 1.5};
    ld_study_new b = {"studies-b", "b.yaml", "text b", "why b", "studies-a", "acc", 1, 7, 2.5};
    int64_t ida = -1, idb = -1, id = -1;
    CHECK_ST(&s, CALL(&s, create_study, &a, &ida), LD_OK);
    CHECK_ST(&s, CALL(&s, create_study, &b, &idb), LD_OK);
    CHECK(ida != idb);
    CHECK_ST(&s, CALL(&s, create_study, &a, &id), LD_ERR_CONFLICT);
    CHECK(strstr(ERRMSG(&s), "studies-a") != NULL);

    ld_study_info info;
    memset(&info, 0, sizeof info);
    CHECK_ST(&s, CALL(&s, find_study, "studies-b", &id, &info), LD_OK);
    CHECK_INT_EQ(id, idb);
    CHECK_STR_EQ(info.name, "studies-b");
    CHECK_STR_EQ(info.sweep_path, "b.yaml");
    CHECK_STR_EQ(info.sweep_text, "text b");
    CHECK_STR_EQ(info.description, "why b");
    CHECK_STR_EQ(info.parent, "studies-a");
    CHECK_STR_EQ(info.metric, "acc");
    CHECK(info.conclusion == NULL && info.next_step == NULL);
    CHECK_INT_EQ(info.maximize, 1);
    CHECK(info.seed == 7);
    CHECK_NEAR(info.created, 2.5, 0);
    CHECK_INT_EQ(info.n_trials, 0);
    CHECK_INT_EQ(info.has_best, 0);
    ld_study_info_clear(&info);

    CHECK_ST(&s, CALL(&s, find_study, "studies-a", &id, NULL), LD_OK);
    CHECK_INT_EQ(id, ida);
    CHECK_ST(&s, CALL(&s, find_study, "no-such-study", &id, NULL), LD_ERR_NOTFOUND);

    CHECK_ST(&s, CALL(&s, set_study_note, ida, LD_NOTE_WHY, "new why"), LD_OK);
    CHECK_ST(&s, CALL(&s, set_study_note, ida, LD_NOTE_CONCLUSION, "lr matters"), LD_OK);
    CHECK_ST(&s, CALL(&s, set_study_note, ida, LD_NOTE_NEXT, "try cosine"), LD_OK);
    CHECK_ST(&s, CALL(&s, set_study_note, 999999, LD_NOTE_NEXT, "x"), LD_ERR_NOTFOUND);

    ld_study_info *infos = NULL;
    size_t n = 0;
    CHECK_ST(&s, CALL(&s, list_studies, &infos, &n), LD_OK);
    size_t ia = n, ib = n;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(infos[i].name, "studies-a") == 0)
            ia = i;
        if (strcmp(infos[i].name, "studies-b") == 0)
            ib = i;
    }
    CHECK(ia < n && ib < n && ia < ib); /* creation order */
    if (ia < n) {
        CHECK_STR_EQ(infos[ia].description, "new why");
        CHECK_STR_EQ(infos[ia].conclusion, "lr matters");
        CHECK_STR_EQ(infos[ia].next_step, "try cosine");
        CHECK(infos[ia].seed == UINT64_MAX);
        CHECK(infos[ia].parent == NULL);
        CHECK_INT_EQ(infos[ia].maximize, 0);
    }
    ld_study_infos_free(infos, n);
    ld_storage_close(&s);
}

/* ---- conformance: creating trials ------------------------------------------------------ */

static void test_create_trials(void)
{
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    int64_t study = make_study(&s, "create", 1);
    const char *names[] = {"lr", "layers", "optimizer", "unused", "dropout_on", "momentum"};
    ld_value params[] = {{LD_VAL_FLOAT, 0.001, NULL},  {LD_VAL_INT, 3, NULL},
                         {LD_VAL_STR, 0, "adam"},      {LD_VAL_NONE, 0, NULL},
                         {LD_VAL_BOOL, 1, NULL},       {LD_VAL_FLOAT, -1e300, NULL}};
    ld_trial_new t = {LD_TRIAL_RUNNING, 6, names, params, 5, -1, 100.0, "host-b", 77};
    int number = -1;
    CHECK_ST(&s, CALL(&s, create_trial, study, &t, &number), LD_OK);
    CHECK_INT_EQ(number, 0);
    CHECK_INT_EQ(make_trial(&s, study, LD_TRIAL_QUEUED, 1), 1);
    CHECK_INT_EQ(make_trial(&s, study, LD_TRIAL_QUEUED, 2), 2);
    t.state = LD_TRIAL_COMPLETE;
    CHECK_ST(&s, CALL(&s, create_trial, study, &t, &number), LD_ERR_INPUT);

    ld_trial got;
    CHECK_ST(&s, CALL(&s, get_trial, study, 0, 0, &got), LD_OK);
    CHECK_INT_EQ(got.number, 0);
    CHECK_INT_EQ(got.state, LD_TRIAL_RUNNING);
    CHECK_INT_EQ(got.n_params, 5); /* the NONE value is not stored */
    if (got.n_params == 5) {
        CHECK_STR_EQ(got.param_names[0], "lr");
        CHECK_INT_EQ(got.params[0].type, LD_VAL_FLOAT);
        CHECK(got.params[0].num == 0.001);
        CHECK_STR_EQ(got.param_names[1], "layers");
        CHECK_INT_EQ(got.params[1].type, LD_VAL_INT);
        CHECK(got.params[1].num == 3);
        CHECK_STR_EQ(got.param_names[2], "optimizer");
        CHECK_INT_EQ(got.params[2].type, LD_VAL_STR);
        CHECK_STR_EQ(got.params[2].str, "adam");
        CHECK_STR_EQ(got.param_names[3], "dropout_on");
        CHECK_INT_EQ(got.params[3].type, LD_VAL_BOOL);
        CHECK(got.params[3].num == 1);
        CHECK_STR_EQ(got.param_names[4], "momentum");
        CHECK(got.params[4].num == -1e300);
    }
    CHECK_INT_EQ(got.grid_index, 5);
    CHECK_INT_EQ(got.retry_of, -1);
    CHECK_INT_EQ(got.requeued_as, -1);
    CHECK_INT_EQ(got.exit_code, -1);
    CHECK_INT_EQ(got.term_signal, 0);
    CHECK_INT_EQ(got.has_value, 0);
    CHECK_INT_EQ(got.stop_requested, 0);
    CHECK_NEAR(got.created, 100.0, 0);
    CHECK_NEAR(got.started, 100.0, 0);
    CHECK_STR_EQ(got.host, "host-b");
    CHECK_INT_EQ(got.tuner_pid, 77);
    CHECK(got.reason == NULL && got.command == NULL);
    ld_trial_clear(&got);

    CHECK_ST(&s, CALL(&s, get_trial, study, 3, 0, &got), LD_ERR_NOTFOUND);
    CHECK_ST(&s, CALL(&s, set_trial_process, study, 0, 4321, "[\"python\",\"train.py\"]",
                      "/tmp/0.log", "abc123", 200.0),
             LD_OK);
    CHECK_ST(&s, CALL(&s, set_trial_process, study, 9, 1, "[]", "x", NULL, 1.0), LD_ERR_NOTFOUND);

    size_t n;
    ld_trial *trials = list(&s, study, 0, &n);
    CHECK_INT_EQ(n, 3);
    for (size_t i = 0; i < n; i++)
        CHECK_INT_EQ(trials[i].number, (int)i);
    if (n == 3) {
        CHECK_INT_EQ(trials[0].pid, 4321);
        CHECK_STR_EQ(trials[0].command, "[\"python\",\"train.py\"]");
        CHECK_STR_EQ(trials[0].log_path, "/tmp/0.log");
        CHECK_STR_EQ(trials[0].git_commit, "abc123");
        CHECK_NEAR(trials[0].started, 200.0, 0);
        CHECK_INT_EQ(trials[1].state, LD_TRIAL_QUEUED);
        CHECK_INT_EQ(trials[2].n_params, 1);
        CHECK(trials[2].n_params == 1 && trials[2].params[0].num == 2);
        CHECK_INT_EQ(trials[2].n_series, 0);
    }
    ld_trials_free(trials, n);
    ld_storage_close(&s);
}

/* ---- conformance: claiming, finishing, re-queueing --------------------------------------- */

static void test_claim_and_finish(void)
{
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    int64_t study = make_study(&s, "claim", 0);
    make_trial(&s, study, LD_TRIAL_QUEUED, 0);
    make_trial(&s, study, LD_TRIAL_RUNNING, 1);
    make_trial(&s, study, LD_TRIAL_QUEUED, 2);
    int number = -1;
    CHECK_ST(&s, CALL(&s, claim_queued, study, "host-c", 99, 500.0, &number), LD_OK);
    CHECK_INT_EQ(number, 0);
    CHECK_ST(&s, CALL(&s, claim_queued, study, "host-c", 99, 501.0, &number), LD_OK);
    CHECK_INT_EQ(number, 2);
    CHECK_ST(&s, CALL(&s, claim_queued, study, "host-c", 99, 502.0, &number), LD_ERR_NOTFOUND);

    ld_trial t;
    CHECK_ST(&s, CALL(&s, get_trial, study, 2, 0, &t), LD_OK);
    CHECK_INT_EQ(t.state, LD_TRIAL_RUNNING);
    CHECK_STR_EQ(t.host, "host-c");
    CHECK_INT_EQ(t.tuner_pid, 99);
    CHECK_NEAR(t.started, 501.0, 0);
    CHECK_NEAR(t.heartbeat, 501.0, 0);
    ld_trial_clear(&t);

    ld_trial_finish fin = {LD_TRIAL_PRUNED, 1, 0.25, 600.0, -1, 15, "diverged"};
    CHECK_ST(&s, CALL(&s, finish_trial, study, 0, LD_TRIAL_RUNNING, &fin), LD_OK);
    /* Another tuner thought it was still running: conflict, nothing changes. */
    ld_trial_finish other = {LD_TRIAL_FAILED, 0, 0, 700.0, 1, 0, "stale"};
    CHECK_ST(&s, CALL(&s, finish_trial, study, 0, LD_TRIAL_RUNNING, &other), LD_ERR_CONFLICT);
    CHECK(strstr(ERRMSG(&s), "pruned") != NULL);
    CHECK_ST(&s, CALL(&s, finish_trial, study, 42, LD_TRIAL_RUNNING, &other), LD_ERR_NOTFOUND);

    CHECK_ST(&s, CALL(&s, get_trial, study, 0, 0, &t), LD_OK);
    CHECK_INT_EQ(t.state, LD_TRIAL_PRUNED);
    CHECK_INT_EQ(t.has_value, 1);
    CHECK(t.value == 0.25);
    CHECK_NEAR(t.finished, 600.0, 0);
    CHECK_INT_EQ(t.exit_code, -1);
    CHECK_INT_EQ(t.term_signal, 15);
    CHECK_STR_EQ(t.reason, "diverged");
    ld_trial_clear(&t);

    /* A failed trial re-run as a new queued one. */
    finish(&s, study, 1, LD_TRIAL_RUNNING, LD_TRIAL_FAILED, 0, 0);
    const char *names[] = {"x"};
    ld_value params[] = {{LD_VAL_FLOAT, 1, NULL}};
    ld_trial_new retry = {LD_TRIAL_QUEUED, 1, names, params, -1, 1, 800.0, NULL, 0};
    CHECK_ST(&s, CALL(&s, create_trial, study, &retry, &number), LD_OK);
    CHECK_INT_EQ(number, 3);
    CHECK_ST(&s, CALL(&s, set_requeued_as, study, 1, 3), LD_OK);
    CHECK_ST(&s, CALL(&s, set_requeued_as, study, 17, 3), LD_ERR_NOTFOUND);
    size_t n;
    ld_trial *trials = list(&s, study, 0, &n);
    CHECK_INT_EQ(n, 4);
    if (n == 4) {
        CHECK_INT_EQ(trials[1].state, LD_TRIAL_FAILED);
        CHECK_INT_EQ(trials[1].requeued_as, 3);
        CHECK_INT_EQ(trials[1].exit_code, 0);
        CHECK_INT_EQ(trials[3].retry_of, 1);
        CHECK_INT_EQ(trials[3].state, LD_TRIAL_QUEUED);
    }
    ld_trials_free(trials, n);
    if (s.type->count_trials) { /* optional: the claim's shortcut for history-free samplers */
        size_t total = 0, live = 0;
        CHECK_ST(&s, s.type->count_trials(s.state, study, &total, &live), LD_OK);
        CHECK_INT_EQ(total, 4);
        CHECK_INT_EQ(live, 3); /* trial 1 is superseded by its re-run */
    }
    ld_storage_close(&s);
}

/* ---- conformance: metrics ---------------------------------------------------------------- */

static void test_values(void)
{
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    int64_t study = make_study(&s, "values", 1);
    make_trial(&s, study, LD_TRIAL_RUNNING, 0);
    make_trial(&s, study, LD_TRIAL_RUNNING, 1);
    make_trial(&s, study, LD_TRIAL_RUNNING, 2);
    const char *k1[] = {"val_acc", "loss"};
    const char *k2[] = {"loss", "lr", "val_acc"};
    double v1[] = {NAN, INFINITY};
    double v2[] = {-INFINITY, 0.1, 0.5};
    double v3[] = {0.75, -0.0};
    CHECK_ST(&s, CALL(&s, add_values, study, 0, 1, 10.0, 2, k1, v1), LD_OK);
    CHECK_ST(&s, CALL(&s, add_values, study, 2, 1, 11.0, 2, k1, v3), LD_OK);
    CHECK_ST(&s, CALL(&s, add_values, study, 0, 2, 12.0, 3, k2, v2), LD_OK);
    CHECK_ST(&s, CALL(&s, add_values, study, 0, NAN, 13.0, 2, k1, v3), LD_OK);
    CHECK_ST(&s, CALL(&s, add_values, study, 9, 1, 13.0, 2, k1, v3), LD_ERR_NOTFOUND);
    finish(&s, study, 0, LD_TRIAL_RUNNING, LD_TRIAL_PRUNED, 1, NAN);

    size_t n;
    ld_trial *trials = list(&s, study, 1, &n);
    CHECK_INT_EQ(n, 3);
    if (n == 3) {
        ld_trial *t = &trials[0];
        CHECK_INT_EQ(t->has_value, 1);
        CHECK(isnan(t->value));
        CHECK_INT_EQ(t->n_series, 3);
        if (t->n_series == 3) {
            /* series in first-report order, points in report order */
            CHECK_STR_EQ(t->series[0].key, "val_acc");
            CHECK_STR_EQ(t->series[1].key, "loss");
            CHECK_STR_EQ(t->series[2].key, "lr");
        }
        const ld_series *acc = ld_trial_series(t, "val_acc");
        const ld_series *loss = ld_trial_series(t, "loss");
        const ld_series *lr = ld_trial_series(t, "lr");
        CHECK(acc && loss && lr && !ld_trial_series(t, "nope"));
        if (acc && loss && lr) {
            CHECK_INT_EQ(acc->n, 3);
            CHECK_INT_EQ(loss->n, 3);
            CHECK_INT_EQ(lr->n, 1);
            double acc_want[] = {NAN, 0.5, 0.75}, loss_want[] = {INFINITY, -INFINITY, -0.0};
            double steps_want[] = {1, 2, NAN}, times_want[] = {10, 12, 13};
            for (size_t i = 0; i < 3 && acc->n == 3 && loss->n == 3; i++) {
                CHECK(same_double(acc->values[i], acc_want[i]));
                CHECK(loss->values[i] == loss_want[i]);
                CHECK(same_double(acc->steps[i], steps_want[i]));
                CHECK(acc->times[i] == times_want[i]);
            }
            CHECK(lr->n == 1 && lr->values[0] == 0.1 && lr->steps[0] == 2);
        }
        CHECK_INT_EQ(trials[1].n_series, 0);
        CHECK_INT_EQ(trials[2].n_series, 2);
        if (trials[2].n_series == 2)
            CHECK(trials[2].series[0].n == 1 && trials[2].series[0].values[0] == 0.75);
    }
    ld_trials_free(trials, n);

    trials = list(&s, study, 0, &n);
    CHECK(n == 3 && trials[0].n_series == 0 && trials[0].series == NULL);
    ld_trials_free(trials, n);

    ld_trial t;
    CHECK_ST(&s, CALL(&s, get_trial, study, 2, 1, &t), LD_OK);
    CHECK_INT_EQ(t.n_series, 2);
    ld_trial_clear(&t);
    ld_storage_close(&s);
}

/* ---- conformance: study summaries --------------------------------------------------------- */

static void check_best(ld_storage *s, const char *name, int has_best, int number, double value)
{
    ld_study_info info;
    int64_t id;
    memset(&info, 0, sizeof info);
    CHECK_ST(s, CALL(s, find_study, name, &id, &info), LD_OK);
    CHECK_INT_EQ(info.has_best, has_best);
    if (has_best) {
        CHECK_INT_EQ(info.best_number, number);
        CHECK(same_double(info.best_value, value));
    }
    ld_study_info_clear(&info);
}

static void test_best_and_counts(void)
{
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    int64_t up = make_study(&s, "best-max", 1);
    int64_t down = make_study(&s, "best-min", 0);
    int64_t empty = make_study(&s, "best-none", 1);
    check_best(&s, "best-max", 0, 0, 0);
    double values[] = {0.5, 0.9, 0.9, 2.0, NAN, 0.1, -INFINITY};
    ld_trial_state ends[] = {LD_TRIAL_COMPLETE, LD_TRIAL_COMPLETE, LD_TRIAL_COMPLETE,
                             LD_TRIAL_PRUNED,   LD_TRIAL_COMPLETE, LD_TRIAL_FAILED,
                             LD_TRIAL_COMPLETE};
    for (int i = 0; i < 7; i++) {
        for (int k = 0; k < 2; k++) {
            int64_t study = k ? down : up;
            int number = make_trial(&s, study, LD_TRIAL_RUNNING, i);
            ld_trial_finish fin = {ends[i], ends[i] != LD_TRIAL_FAILED, values[i], 0, 0, 0, NULL};
            if (k && ends[i] == LD_TRIAL_FAILED) /* a Ctrl-C'd trial: counted apart */
                fin.reason = "interrupted: stopped by Ctrl-C; re-queued for the next run";
            ld_trial t;
            CHECK_ST(&s, CALL(&s, get_trial, study, number, 0, &t), LD_OK);
            fin.finished = t.started + 1.5;
            CHECK_ST(&s, CALL(&s, finish_trial, study, number, LD_TRIAL_RUNNING, &fin), LD_OK);
            ld_trial_clear(&t);
        }
    }
    make_trial(&s, up, LD_TRIAL_QUEUED, 0);
    make_trial(&s, up, LD_TRIAL_RUNNING, 0);
    make_trial(&s, empty, LD_TRIAL_RUNNING, 0);
    check_best(&s, "best-max", 1, 1, 0.9); /* ties go to the lowest number; NaN never wins */
    check_best(&s, "best-min", 1, 6, -INFINITY);
    check_best(&s, "best-none", 0, 0, 0);

    ld_study_info *infos;
    size_t n;
    CHECK_ST(&s, CALL(&s, list_studies, &infos, &n), LD_OK);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(infos[i].name, "best-max") == 0) {
            CHECK_INT_EQ(infos[i].n_trials, 9);
            CHECK_INT_EQ(infos[i].counts[LD_TRIAL_QUEUED], 1);
            CHECK_INT_EQ(infos[i].counts[LD_TRIAL_RUNNING], 1);
            CHECK_INT_EQ(infos[i].counts[LD_TRIAL_COMPLETE], 5);
            CHECK_INT_EQ(infos[i].counts[LD_TRIAL_PRUNED], 1);
            CHECK_INT_EQ(infos[i].counts[LD_TRIAL_FAILED], 1);
            CHECK_INT_EQ(infos[i].interrupted, 0);
            CHECK_NEAR(infos[i].compute_seconds, 7 * 1.5, 1e-9);
            CHECK(infos[i].has_best && infos[i].best_number == 1);
        } else if (strcmp(infos[i].name, "best-min") == 0) {
            CHECK_INT_EQ(infos[i].n_trials, 7);
            CHECK_INT_EQ(infos[i].counts[LD_TRIAL_FAILED], 1);
            CHECK_INT_EQ(infos[i].interrupted, 1);
            CHECK(infos[i].has_best && infos[i].best_number == 6);
        } else if (strcmp(infos[i].name, "best-none") == 0) {
            CHECK_INT_EQ(infos[i].n_trials, 1);
            CHECK_INT_EQ(infos[i].has_best, 0);
            CHECK_NEAR(infos[i].compute_seconds, 0, 0);
        }
    }
    ld_study_infos_free(infos, n);
    ld_storage_close(&s);
}

/* ---- conformance: heartbeats and stop requests ------------------------------------------- */

static void test_heartbeat_and_stop(void)
{
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    int64_t study = make_study(&s, "heartbeat", 0);
    make_trial(&s, study, LD_TRIAL_RUNNING, 0);
    make_trial(&s, study, LD_TRIAL_RUNNING, 1);
    make_trial(&s, study, LD_TRIAL_QUEUED, 2);
    int numbers[] = {0, 1, 2, 99};
    CHECK_ST(&s, CALL(&s, heartbeat, study, numbers, 4, 5000.0), LD_OK);
    CHECK_ST(&s, CALL(&s, heartbeat, study, numbers, 0, 6000.0), LD_OK);
    CHECK_ST(&s, CALL(&s, request_stop, study, 1), LD_OK);
    finish(&s, study, 0, LD_TRIAL_RUNNING, LD_TRIAL_COMPLETE, 1, 1.0);
    CHECK_ST(&s, CALL(&s, request_stop, study, 0), LD_ERR_CONFLICT);
    CHECK_ST(&s, CALL(&s, request_stop, study, 7), LD_ERR_NOTFOUND);
    size_t n;
    ld_trial *trials = list(&s, study, 0, &n);
    CHECK_INT_EQ(n, 3);
    if (n == 3) {
        CHECK_NEAR(trials[0].heartbeat, 5000.0, 0);
        CHECK_NEAR(trials[1].heartbeat, 5000.0, 0);
        CHECK_NEAR(trials[2].heartbeat, 0, 0); /* queued: no heartbeat */
        CHECK_INT_EQ(trials[0].stop_requested, 0);
        CHECK_INT_EQ(trials[1].stop_requested, 1);
    }
    ld_trials_free(trials, n);
    ld_storage_close(&s);
}

/* ---- conformance: reading what changed ----------------------------------------------------- */

/* The trials that changed after `since` through s: their numbers in *numbers (up to 8), their
   count returned, and the change count now in *upto. */
static size_t changed_since(ld_storage *s, int64_t study, int64_t since, int with_metrics,
                            int *numbers, int64_t *upto, ld_trial **keep)
{
    ld_trial *trials = NULL;
    size_t n = 0;
    CHECK_ST(s, CALL(s, list_changed, study, since, with_metrics, &trials, &n, upto), LD_OK);
    for (size_t i = 0; i < n && i < 8; i++)
        numbers[i] = trials[i].number;
    if (keep)
        *keep = trials;
    else
        ld_trials_free(trials, n);
    return n;
}

/* Each write through one connection shows up, alone, in the next read of the changes through
   another (two tuners on one study); a heartbeat and an undone write do not. */
static void test_changes(void)
{
    ld_storage a, b;
    if (!open_url(suite_url, &a) || !open_url(suite_url, &b)) {
        CHECK(0);
        return;
    }
    int64_t study = make_study(&a, "changes", 0);
    int64_t other = make_study(&a, "changes-other", 0);
    make_trial(&a, study, LD_TRIAL_RUNNING, 0.5);
    make_trial(&a, study, LD_TRIAL_QUEUED, 1.5);
    make_trial(&a, other, LD_TRIAL_QUEUED, 9);
    int got[8] = {0};
    int64_t seen = -7, upto = -7;
    ld_trial *all = NULL;
    CHECK_INT_EQ(changed_since(&b, study, -1, 0, got, &seen, &all), 2);
    if (all) {
        CHECK_INT_EQ(all[0].number, 0);
        CHECK_INT_EQ(all[1].number, 1);
        CHECK_INT_EQ(all[1].n_params, 1);
        CHECK_NEAR(all[1].params[0].num, 1.5, 0);
        ld_trials_free(all, 2);
    }
    CHECK(seen >= 2);
    CHECK_INT_EQ(changed_since(&b, study, seen, 0, got, &upto, NULL), 0);
    CHECK_INT_EQ(upto, seen);

    int beat[] = {0};
    CHECK_ST(&a, CALL(&a, heartbeat, study, beat, 1, 5000.0), LD_OK);
    CHECK_INT_EQ(changed_since(&b, study, seen, 0, got, &upto, NULL), 0);

    /* one write at a time: the trial it touched, and a larger change count */
#define EXPECT_ONE(number)                                                                      \
    do {                                                                                        \
        CHECK_INT_EQ(changed_since(&b, study, seen, 0, got, &upto, NULL), 1);                   \
        CHECK_INT_EQ(got[0], number);                                                           \
        CHECK(upto > seen);                                                                     \
        seen = upto;                                                                            \
    } while (0)
    const char *keys[] = {"loss"};
    double vals[] = {0.25};
    CHECK_ST(&a, CALL(&a, add_values, study, 0, 1.0, 1700000002.0, 1, keys, vals), LD_OK);
    ld_trial *series = NULL;
    CHECK_INT_EQ(changed_since(&b, study, seen, 1, got, &upto, &series), 1);
    if (series) {
        CHECK_INT_EQ(series[0].n_series, 1);
        ld_trials_free(series, 1);
    }
    seen = upto;
    int claimed = -1;
    CHECK_ST(&a, CALL(&a, claim_queued, study, "host-b", 99, 1700000003.0, &claimed), LD_OK);
    CHECK_INT_EQ(claimed, 1);
    EXPECT_ONE(1);
    CHECK_ST(&a, CALL(&a, set_trial_process, study, 1, 4321, "[\"x\"]", "1.log", NULL, 0),
             LD_OK);
    EXPECT_ONE(1);
    CHECK_ST(&a, CALL(&a, request_stop, study, 0), LD_OK);
    EXPECT_ONE(0);
    finish(&a, study, 0, LD_TRIAL_RUNNING, LD_TRIAL_FAILED, 0, 0);
    EXPECT_ONE(0);
    CHECK_ST(&a, CALL(&a, set_requeued_as, study, 0, 2), LD_OK);
    EXPECT_ONE(0);
    make_trial(&a, study, LD_TRIAL_QUEUED, 0.5);
    EXPECT_ONE(2);
    make_trial(&a, other, LD_TRIAL_QUEUED, 9); /* another study's changes are not ours */
    CHECK_INT_EQ(changed_since(&b, study, seen, 0, got, &upto, NULL), 0);
#undef EXPECT_ONE

    /* a write that changed nothing, and one undone with its transaction, show nothing */
    ld_trial_finish fin = {LD_TRIAL_COMPLETE, 1, 1.0, 1700000100.0, 0, 0, NULL};
    CHECK_ST(&a, CALL(&a, finish_trial, study, 0, LD_TRIAL_RUNNING, &fin), LD_ERR_CONFLICT);
    CHECK_ST(&a, a.type->begin(a.state), LD_OK);
    make_trial(&a, study, LD_TRIAL_QUEUED, 3);
    CHECK_ST(&a, a.type->rollback(a.state), LD_OK);
    CHECK_INT_EQ(changed_since(&b, study, seen, 0, got, &upto, NULL), 0);

    /* the same trials as list_trials gives, read again from nothing */
    size_t n_list = 0, n_changed = 0;
    ld_trial *listed = list(&b, study, 1, &n_list);
    ld_trial *fresh = NULL;
    CHECK_ST(&b, CALL(&b, list_changed, study, -1, 1, &fresh, &n_changed, &upto), LD_OK);
    CHECK_INT_EQ(n_changed, n_list);
    for (size_t i = 0; i < n_list && i < n_changed; i++) {
        CHECK_INT_EQ(fresh[i].number, listed[i].number);
        CHECK_INT_EQ(fresh[i].state, listed[i].state);
        CHECK_INT_EQ(fresh[i].requeued_as, listed[i].requeued_as);
        CHECK_INT_EQ(fresh[i].n_series, listed[i].n_series);
        CHECK_INT_EQ(fresh[i].n_params, listed[i].n_params);
    }
    ld_trials_free(listed, n_list);
    ld_trials_free(fresh, n_changed);
    size_t total = 0, live = 0;
    CHECK_ST(&b, CALL(&b, count_trials, study, &total, &live), LD_OK);
    CHECK_INT_EQ(total, 3);
    CHECK_INT_EQ(live, 2); /* trial 0 is superseded by its re-run */
    ld_storage_close(&a);
    ld_storage_close(&b);
}

/* Every back-end offers every method of the interface. */
static void test_every_method(void)
{
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    const ld_storage_type *t = s.type;
    CHECK(t->open && t->close && t->errmsg && t->begin && t->commit && t->rollback);
    CHECK(t->create_study && t->find_study && t->list_studies && t->set_study_note);
    CHECK(t->create_trial && t->claim_queued && t->set_trial_process && t->finish_trial);
    CHECK(t->set_requeued_as && t->add_values && t->list_trials && t->list_changed);
    CHECK(t->get_trial && t->heartbeat && t->request_stop && t->open_readonly);
    CHECK(t->count_trials && t->delete_study && t->rename_study);
    ld_storage_close(&s);
}

/* ---- conformance: transactions ------------------------------------------------------------- */

static void test_transactions(void)
{
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    int64_t study = make_study(&s, "transactions", 0);
    CHECK_ST(&s, s.type->begin(s.state), LD_OK);
    CHECK_INT_EQ(make_trial(&s, study, LD_TRIAL_QUEUED, 0), 0);
    CHECK_INT_EQ(make_trial(&s, study, LD_TRIAL_QUEUED, 1), 1);
    size_t n;
    ld_trial *trials = list(&s, study, 0, &n); /* sees its own writes */
    CHECK_INT_EQ(n, 2);
    ld_trials_free(trials, n);
    CHECK_ST(&s, s.type->begin(s.state), LD_ERR_STORAGE);
    CHECK_ST(&s, s.type->rollback(s.state), LD_OK);
    trials = list(&s, study, 0, &n);
    CHECK_INT_EQ(n, 0);
    ld_trials_free(trials, n);

    CHECK_ST(&s, s.type->begin(s.state), LD_OK);
    CHECK_INT_EQ(make_trial(&s, study, LD_TRIAL_QUEUED, 0), 0);
    int number = -1;
    /* A failing operation inside begin/commit undoes only itself. */
    CHECK_ST(&s, CALL(&s, create_trial, 987654, &(ld_trial_new){LD_TRIAL_QUEUED, 0, NULL, NULL,
                                                                -1, -1, 1, NULL, 0},
                      &number),
             LD_ERR_NOTFOUND);
    CHECK_ST(&s, s.type->commit(s.state), LD_OK);
    CHECK_ST(&s, s.type->commit(s.state), LD_ERR_STORAGE);
    trials = list(&s, study, 0, &n);
    CHECK_INT_EQ(n, 1);
    ld_trials_free(trials, n);
    ld_storage_close(&s);
}

/* ---- conformance: reopening ---------------------------------------------------------------- */

static void test_reopen(void)
{
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    int64_t study = make_study(&s, "reopen", 1);
    make_trial(&s, study, LD_TRIAL_RUNNING, 0.5);
    const char *keys[] = {"acc"};
    double v[] = {NAN};
    CHECK_ST(&s, CALL(&s, add_values, study, 0, 1, 1.0, 1, keys, v), LD_OK);
    finish(&s, study, 0, LD_TRIAL_RUNNING, LD_TRIAL_COMPLETE, 1, 0.8);
    ld_storage_close(&s);
    ld_storage_close(&s); /* closing twice is harmless */

    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    int64_t id = -1;
    CHECK_ST(&s, CALL(&s, find_study, "reopen", &id, NULL), LD_OK);
    CHECK_INT_EQ(id, study);
    size_t n;
    ld_trial *trials = list(&s, id, 1, &n);
    CHECK(n == 1 && trials[0].state == LD_TRIAL_COMPLETE && trials[0].value == 0.8);
    CHECK(n == 1 && trials[0].n_params == 1 && trials[0].params[0].num == 0.5);
    CHECK(n == 1 && trials[0].n_series == 1 && isnan(trials[0].series[0].values[0]));
    ld_trials_free(trials, n);
    check_best(&s, "reopen", 1, 0, 0.8);
    ld_storage_close(&s);
}

/* ---- conformance: many processes at once -------------------------------------------------- */

#define N_CHILDREN 4

/* Forks N_CHILDREN children that wait on a shared gate, run child(i) and exit with its result. */
static void fork_children(int (*child)(int i, void *arg), void *arg, int gate[2])
{
    pid_t pids[N_CHILDREN];
    for (int i = 0; i < N_CHILDREN; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            char c;
            close(gate[1]);
            while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
            }
            _exit(child(i, arg));
        }
        CHECK(pids[i] > 0);
    }
    close(gate[0]);
    close(gate[1]); /* opens the gate: every child starts now */
    for (int i = 0; i < N_CHILDREN; i++) {
        int status = -1;
        if (pids[i] > 0)
            waitpid(pids[i], &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}

static int child_create(int i, void *arg)
{
    (void)i;
    int64_t study = *(int64_t *)arg;
    ld_storage s;
    if (!open_url(suite_url, &s))
        return 1;
    int failures = 0;
    for (int k = 0; k < 50; k++) {
        int number;
        const char *names[] = {"k"};
        ld_value params[] = {{LD_VAL_INT, k, NULL}};
        ld_trial_new t = {LD_TRIAL_QUEUED, 1, names, params, -1, -1, 1, "h", getpid()};
        ld_status st = s.type->begin(s.state);
        if (st == LD_OK)
            st = s.type->create_trial(s.state, study, &t, &number);
        if (st == LD_OK)
            st = s.type->commit(s.state);
        else
            s.type->rollback(s.state);
        if (st != LD_OK) {
            fprintf(stderr, "child %d: %s\n", (int)getpid(), ERRMSG(&s));
            failures++;
        }
    }
    ld_storage_close(&s);
    return failures ? 1 : 0;
}

static void test_concurrent_create(void)
{
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    int64_t study = make_study(&s, "concurrent-create", 0);
    int gate[2];
    CHECK(pipe(gate) == 0);
    fork_children(child_create, &study, gate);
    size_t n;
    ld_trial *trials = list(&s, study, 0, &n);
    CHECK_INT_EQ(n, N_CHILDREN * 50);
    for (size_t i = 0; i < n; i++)
        if (trials[i].number != (int)i)
            CHECK_INT_EQ(trials[i].number, i);
    ld_trials_free(trials, n);
    ld_storage_close(&s);
}

typedef struct {
    int64_t study;
    int out; /* write end of a pipe for claimed numbers */
} claim_arg;

static int child_claim(int i, void *arg)
{
    const claim_arg *a = arg;
    ld_storage s;
    if (!open_url(suite_url, &s))
        return 1;
    ld_status st;
    int number;
    while ((st = s.type->claim_queued(s.state, a->study, "h", 100 + i, 1.0, &number)) == LD_OK)
        if (write(a->out, &number, sizeof number) != (ssize_t)sizeof number)
            return 1;
    if (st != LD_ERR_NOTFOUND)
        fprintf(stderr, "child %d: %s\n", (int)getpid(), ERRMSG(&s));
    ld_storage_close(&s);
    return st == LD_ERR_NOTFOUND ? 0 : 1;
}

static void test_concurrent_claim(void)
{
    enum { N = 100 };
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    claim_arg a = {make_study(&s, "concurrent-claim", 0), -1};
    CHECK_ST(&s, s.type->begin(s.state), LD_OK);
    for (int i = 0; i < N; i++)
        make_trial(&s, a.study, LD_TRIAL_QUEUED, i);
    CHECK_ST(&s, s.type->commit(s.state), LD_OK);
    int gate[2], results[2];
    CHECK(pipe(gate) == 0 && pipe(results) == 0);
    a.out = results[1];
    fork_children(child_claim, &a, gate);
    close(results[1]);
    int seen[N] = {0}, number, total = 0;
    while (read(results[0], &number, sizeof number) == (ssize_t)sizeof number) {
        CHECK(number >= 0 && number < N);
        if (number >= 0 && number < N)
            seen[number]++;
        total++;
    }
    close(results[0]);
    CHECK_INT_EQ(total, N);
    for (int i = 0; i < N; i++)
        if (seen[i] != 1)
            CHECK_INT_EQ(seen[i], 1);
    size_t n;
    ld_trial *trials = list(&s, a.study, 0, &n);
    for (size_t i = 0; i < n; i++)
        CHECK(trials[i].state == LD_TRIAL_RUNNING && trials[i].tuner_pid >= 100);
    ld_trials_free(trials, n);
    ld_storage_close(&s);
}

/* ---- conformance: scale ------------------------------------------------------------------- */

/* 10,000 trials with params and metrics list quickly and each gets its own rows. */
static void test_many_trials(void)
{
    enum { N = 10000 };
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    int64_t study = make_study(&s, "many", 0);
    const char *keys[] = {"epoch_loss", "acc"};
    CHECK_ST(&s, s.type->begin(s.state), LD_OK);
    for (int i = 0; i < N; i++) {
        int number = make_trial(&s, study, LD_TRIAL_RUNNING, i);
        for (int step = 0; step < 3; step++) {
            double v[] = {i + step / 10.0, -i};
            CHECK_ST(&s, CALL(&s, add_values, study, number, step, 1, 2, keys, v), LD_OK);
        }
    }
    CHECK_ST(&s, s.type->commit(s.state), LD_OK);
    double t0 = now_seconds();
    size_t n;
    ld_trial *trials = list(&s, study, 1, &n);
    double elapsed = now_seconds() - t0;
    CHECK_INT_EQ(n, N);
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        const ld_trial *t = &trials[i];
        ok &= t->number == (int)i && t->n_params == 1 && t->params[0].num == (double)i;
        ok &= t->n_series == 2 && t->series[0].n == 3 && t->series[1].n == 3;
        ok &= t->n_series == 2 && t->series[0].values[2] == i + 0.2 &&
              t->series[1].values[0] == -(double)i;
    }
    CHECK(ok);
    CHECK(elapsed < 2.0);
    fprintf(stderr, "list_trials: %d trials with metrics in %.0f ms\n", N, elapsed * 1e3);
    ld_trials_free(trials, n);
    ld_storage_close(&s);
}

/* What a tuner writes for one trivial trial, outside any begin/commit. */
static void test_trial_rate(void)
{
    enum { N = 300 };
    ld_storage s;
    if (!open_url(suite_url, &s)) {
        CHECK(0);
        return;
    }
    int64_t study = make_study(&s, "rate", 0);
    const char *keys[] = {"loss"};
    double t0 = now_seconds();
    for (int i = 0; i < N; i++) {
        int number = make_trial(&s, study, LD_TRIAL_RUNNING, i);
        CHECK_ST(&s, CALL(&s, set_trial_process, study, number, 1, "[]", "log", NULL, 1), LD_OK);
        for (int step = 0; step < 3; step++) {
            double v[] = {step};
            CHECK_ST(&s, CALL(&s, add_values, study, number, step, 1, 1, keys, v), LD_OK);
            CHECK_ST(&s, CALL(&s, heartbeat, study, &number, 1, 2), LD_OK);
        }
        finish(&s, study, number, LD_TRIAL_RUNNING, LD_TRIAL_COMPLETE, 1, i);
    }
    double rate = N / (now_seconds() - t0);
    fprintf(stderr, "storage writes of %.0f trivial trials/s\n", rate);
    /* The rate is printed, never asserted: it swings tenfold with the machine's load, and
       bench/distributed/ measures it against a bare loop. What must hold is that every write
       of every trial landed. */
    ld_trial *t = NULL;
    size_t n = 0;
    CHECK_ST(&s, CALL(&s, list_trials, study, 1, &t, &n), LD_OK);
    CHECK_INT_EQ(n, N);
    for (size_t i = 0; i < n; i++) {
        CHECK_INT_EQ(t[i].state, LD_TRIAL_COMPLETE);
        CHECK_INT_EQ(t[i].n_series, 1);
        if (t[i].n_series == 1)
            CHECK_INT_EQ(t[i].series[0].n, 3);
    }
    ld_trials_free(t, n);
    ld_storage_close(&s);
}

/* The suite every back-end passes; url names an empty storage. */
static void storage_suite(const char *url)
{
    suite_url = url;
    RUN(test_studies);
    RUN(test_create_trials);
    RUN(test_claim_and_finish);
    RUN(test_values);
    RUN(test_best_and_counts);
    RUN(test_heartbeat_and_stop);
    RUN(test_changes);
    RUN(test_every_method);
    RUN(test_transactions);
    RUN(test_reopen);
    RUN(test_concurrent_create);
    RUN(test_concurrent_claim);
    RUN(test_many_trials);
    RUN(test_trial_rate);
}

/* ---- SQLite: URLs and files ---------------------------------------------------------------- */

static char *path_in_tmp(const char *name)
{
    static char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
    return path;
}

/* Opening url fails with status want and a message containing `says`. */
static void check_open_fails(const char *url, ld_status want, const char *says)
{
    ld_storage s;
    char err[1024] = "";
    CHECK_INT_EQ(ld_storage_open(url, &s, err, sizeof err), want);
    CHECK(s.type == NULL && s.state == NULL);
    if (!strstr(err, says))
        fprintf(stderr, "  opening %s said '%s', expected '%s'\n", url, err, says);
    CHECK(strstr(err, says) != NULL);
}

static int file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void test_urls(void)
{
    check_open_fails("foo://bar", LD_ERR_INPUT,
                     "unknown storage URL scheme 'foo'; expected sqlite:///PATH");
    /* nothing listens on port 1: refused at once, and the password never shows */
    check_open_fails("postgresql://me:hunter2@127.0.0.1:1/liandan?password=swordfish&sslmode="
                     "disable",
                     LD_ERR_STORAGE,
                     "postgresql: cannot connect to postgresql://me:***@127.0.0.1:1/liandan"
                     "?password=***&sslmode=disable: connection to server at \"127.0.0.1\", "
                     "port 1 failed");
    check_open_fails("postgres://127.0.0.1:1/x", LD_ERR_STORAGE, "Connection refused");
    {
        ld_storage s;
        char err[1024] = "";
        ld_storage_open("postgresql://me:hunter2@127.0.0.1:1/db?password=swordfish", &s, err,
                        sizeof err);
        CHECK(strstr(err, "hunter2") == NULL && strstr(err, "swordfish") == NULL);
    }
    check_open_fails("sqlite://host/x.db", LD_ERR_INPUT, "sqlite:////absolute/path.db");
    check_open_fails("", LD_ERR_INPUT, "no storage URL");
    check_open_fails("sqlite:///", LD_ERR_INPUT, "the path is empty");
    check_open_fails("sqlite:////no/such/dir/x.db", LD_ERR_STORAGE,
                     "cannot open database /no/such/dir/x.db: no such directory /no/such/dir");

    char url[PATH_MAX + 128];
    ld_storage s;
    snprintf(url, sizeof url, "sqlite:///%s", path_in_tmp("abs.db")); /* 4 slashes: absolute */
    CHECK(url[10] == '/' && url[9] == '/');
    CHECK(open_url(url, &s));
    ld_storage_close(&s);
    CHECK(file_exists(path_in_tmp("abs.db")));

    CHECK(open_url(path_in_tmp("bare.db"), &s)); /* a bare path is a SQLite file */
    ld_storage_close(&s);
    CHECK(file_exists(path_in_tmp("bare.db")));

    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir(tmp_dir) == 0);
    CHECK(open_url("sqlite:///rel.db", &s)); /* 3 slashes: relative, as in SQLAlchemy */
    ld_storage_close(&s);
    CHECK(open_url("SQLite:///rel2.db", &s));
    ld_storage_close(&s);
    CHECK(chdir(cwd) == 0);
    CHECK(file_exists(path_in_tmp("rel.db")));
    CHECK(file_exists(path_in_tmp("rel2.db")));
}

static void test_not_a_database(void)
{
    const char *path = path_in_tmp("notes.txt");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    for (int i = 0; i < 100; i++)
        fputs("this is not a database, just some text that goes on for a while\n", f);
    fclose(f);
    check_open_fails(path, LD_ERR_STORAGE, "file is not a database");

    /* Another program's SQLite file is refused, not migrated into. */
    sqlite3 *db;
    CHECK(sqlite3_open(path_in_tmp("other.db"), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "CREATE TABLE songs (title TEXT)", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    check_open_fails(path_in_tmp("other.db"), LD_ERR_STORAGE, "not a liandan journal");
}

static void test_newer_schema(void)
{
    const char *path = path_in_tmp("newer.db");
    ld_storage s;
    CHECK(open_url(path, &s));
    ld_storage_close(&s);
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    check_open_fails(path, LD_ERR_STORAGE, "schema version is 99");
}

/* A journal of schema 2 (before change numbers) opens, is upgraded, and its trials all read as
   changed since the start; later writes are counted from there. */
static void test_upgrade_to_changes(void)
{
    const char *path = path_in_tmp("v2.db");
    ld_storage s;
    CHECK(open_url(path, &s));
    int64_t study = make_study(&s, "old", 0);
    make_trial(&s, study, LD_TRIAL_QUEUED, 1);
    make_trial(&s, study, LD_TRIAL_QUEUED, 2);
    ld_storage_close(&s);
    sqlite3 *db;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "DROP INDEX trials_by_change; ALTER TABLE trials DROP COLUMN changed; "
                           "ALTER TABLE studies DROP COLUMN changes; PRAGMA user_version = 2",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    CHECK(open_url(path, &s));
    int got[8];
    int64_t seen = -7, upto = -7;
    CHECK_INT_EQ(changed_since(&s, study, -1, 0, got, &seen, NULL), 2);
    CHECK_INT_EQ(seen, 0);
    CHECK_INT_EQ(changed_since(&s, study, seen, 0, got, &upto, NULL), 0);
    make_trial(&s, study, LD_TRIAL_QUEUED, 3);
    CHECK_INT_EQ(changed_since(&s, study, seen, 0, got, &upto, NULL), 1);
    CHECK_INT_EQ(got[0], 2);
    ld_storage_close(&s);
}

static int child_open(int i, void *path)
{
    (void)i;
    ld_storage s;
    if (!open_url(path, &s))
        return 1;
    ld_storage_close(&s);
    return 0;
}

/* Tuners started together on a new file all create or find the same schema. */
static void test_concurrent_first_open(void)
{
    for (int round = 0; round < 5; round++) {
        char name[32];
        snprintf(name, sizeof name, "fresh%d.db", round);
        int gate[2];
        CHECK(pipe(gate) == 0);
        fork_children(child_open, path_in_tmp(name), gate);
    }
}

static off_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_size : 0;
}

/*
 * A real write failure: the child lowers its file-size limit to the WAL's current size, so the
 * next commit's write fails in the kernel (EFBIG). The handle must then refuse every write, even
 * once the limit is lifted, and the file must hold only whole reports.
 */
static int child_disk_full(const char *path)
{
    int failures_before = test_failures; /* the parent's, copied by fork */
    ld_storage s;
    if (!open_url(path, &s))
        return 1;
    int64_t study = make_study(&s, "disk", 0);
    int number = make_trial(&s, study, LD_TRIAL_RUNNING, 0);
    signal(SIGXFSZ, SIG_IGN);
    char wal[PATH_MAX + 128];
    snprintf(wal, sizeof wal, "%s-wal", path);
    struct rlimit old, low;
    getrlimit(RLIMIT_FSIZE, &old);
    low = old;
    low.rlim_cur = (rlim_t)file_size(wal) + 64 * 1024; /* room for a few reports */
    CHECK(low.rlim_cur > 0 && setrlimit(RLIMIT_FSIZE, &low) == 0);
    const char *keys[] = {"a", "b"};
    double v[] = {1, 2};
    ld_status st = LD_OK;
    for (int i = 0; i < 100000 && st == LD_OK; i++)
        st = s.type->add_values(s.state, study, number, i, 1, 2, keys, v);
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK_ST(&s, st, LD_ERR_STORAGE);
    const char *msg = ERRMSG(&s);
    fprintf(stderr, "write failure reported as: %s\n", msg);
    CHECK(strstr(msg, "sqlite: cannot add values to trial 0 of study") == msg);
    CHECK_ST(&s, CALL(&s, heartbeat, study, &number, 1, 3.0), LD_ERR_STORAGE);
    CHECK(strstr(ERRMSG(&s), "refused after an earlier failure") != NULL);
    CHECK_ST(&s, s.type->begin(s.state), LD_ERR_STORAGE);
    size_t n;
    ld_trial *trials = list(&s, study, 1, &n); /* reads still work */
    CHECK_INT_EQ(n, 1);
    ld_trials_free(trials, n);
    ld_storage_close(&s);
    return test_failures != failures_before;
}

static void test_write_failure(void)
{
    const char *path = path_in_tmp("disk.db");
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0)
        _exit(child_disk_full(path));
    int status = -1;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    ld_storage s;
    if (!open_url(path, &s)) {
        CHECK(0);
        return;
    }
    int64_t study;
    CHECK_ST(&s, CALL(&s, find_study, "disk", &study, NULL), LD_OK);
    size_t n;
    ld_trial *trials = list(&s, study, 1, &n);
    CHECK(n == 1 && trials[0].n_series == 2 && trials[0].series[0].n > 0);
    CHECK(n == 1 && trials[0].n_series == 2 && trials[0].series[0].n == trials[0].series[1].n);
    ld_trials_free(trials, n);
    ld_storage_close(&s);
}


/* ---- PostgreSQL: the server's side --------------------------------------------------------- */

static const char *pg_admin_url; /* $LIANDAN_TEST_PG_URL: a database to run admin commands in */
static char pg_dbs[16][64];      /* databases made here, dropped at the end when all passed */
static int n_pg_dbs;

static void quiet(void *arg, const char *message)
{
    (void)arg, (void)message;
}

/* Runs sql on url (the admin database when NULL); 1 when it succeeded. */
static int pg_exec(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url ? url : pg_admin_url);
    PQsetNoticeProcessor(c, quiet, NULL);
    PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
    ExecStatusType rs = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int ok = rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "  %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok;
}

/* A new empty database; returns its URL (static storage, valid until the next call). */
static const char *pg_fresh_db(const char *name)
{
    static char url[1024];
    char db[64], sql[160];
    snprintf(db, sizeof db, "ldtest_%d_%s", (int)getpid(), name);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", db);
    CHECK(pg_exec(NULL, sql));
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    CHECK(pg_exec(NULL, sql));
    if (n_pg_dbs < 16)
        snprintf(pg_dbs[n_pg_dbs++], sizeof pg_dbs[0], "%s", db);
    /* the admin URL with its database replaced */
    const char *slash = strrchr(pg_admin_url, '/');
    snprintf(url, sizeof url, "%.*s/%s", (int)(slash - pg_admin_url), pg_admin_url, db);
    return url;
}

/* Cuts every session of liandan's connections (application_name), as a server restart does. */
static void pg_cut_sessions(void)
{
    CHECK(pg_exec(NULL, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = 'liandan' AND pid <> pg_backend_pid()"));
}

/* A lost connection outside begin/commit is repaired and the operation done once; inside, the
   transaction is lost, says so, and the next one works. */
static void test_pg_lost_connection(void)
{
    const char *url = pg_fresh_db("lost");
    ld_storage s;
    if (!open_url(url, &s)) {
        CHECK(0);
        return;
    }
    int64_t study = make_study(&s, "lost", 0);
    pg_cut_sessions();
    CHECK_INT_EQ(make_trial(&s, study, LD_TRIAL_RUNNING, 1), 0);
    pg_cut_sessions();
    const char *keys[] = {"loss"};
    double v[] = {0.5};
    CHECK_ST(&s, CALL(&s, add_values, study, 0, 1, 10.0, 1, keys, v), LD_OK);
    pg_cut_sessions();
    finish(&s, study, 0, LD_TRIAL_RUNNING, LD_TRIAL_COMPLETE, 1, 0.5);
    size_t n;
    ld_trial *trials = list(&s, study, 1, &n);
    CHECK(n == 1 && trials[0].state == LD_TRIAL_COMPLETE && trials[0].n_series == 1 &&
          trials[0].series[0].n == 1); /* each write happened once */
    ld_trials_free(trials, n);

    CHECK_ST(&s, s.type->begin(s.state), LD_OK);
    CHECK_INT_EQ(make_trial(&s, study, LD_TRIAL_QUEUED, 2), 1);
    pg_cut_sessions();
    const char *names[] = {"x"};
    ld_value params[] = {{LD_VAL_FLOAT, 3, NULL}};
    ld_trial_new t = {LD_TRIAL_QUEUED, 1, names, params, -1, -1, 1.0, NULL, 0};
    int number = -1;
    CHECK_ST(&s, CALL(&s, create_trial, study, &t, &number), LD_ERR_STORAGE);
    CHECK(strstr(ERRMSG(&s), "the connection to the server was lost") != NULL);
    CHECK_ST(&s, s.type->commit(s.state), LD_ERR_STORAGE);
    CHECK_ST(&s, s.type->begin(s.state), LD_OK);
    CHECK_INT_EQ(make_trial(&s, study, LD_TRIAL_QUEUED, 4), 1);
    CHECK_ST(&s, s.type->commit(s.state), LD_OK);
    trials = list(&s, study, 0, &n);
    CHECK(n == 2 && trials[1].params[0].num == 4); /* the lost transaction left nothing */
    ld_trials_free(trials, n);
    ld_storage_close(&s);
}

static void test_pg_wrong_password(void)
{
    const char *url = pg_fresh_db("password");
    const char *old = getenv("PGPASSWORD");
    char saved[256] = "";
    if (old)
        snprintf(saved, sizeof saved, "%s", old);
    setenv("PGPASSWORD", "not-the-password", 1); /* wins over PGPASSFILE */
    check_open_fails(url, LD_ERR_STORAGE, "password authentication failed for user \"liandan\"");
    if (old)
        setenv("PGPASSWORD", saved, 1);
    else
        unsetenv("PGPASSWORD");
    /* nothing was created */
    CHECK(pg_exec(url, "SELECT 1 WHERE to_regclass('liandan_studies') IS NULL "
                       "AND to_regclass('liandan_meta') IS NULL"));
    ld_storage s;
    CHECK(open_url(url, &s));
    ld_storage_close(&s);
}

static void test_pg_schema_checks(void)
{
    const char *url = pg_fresh_db("newer");
    ld_storage s;
    CHECK(open_url(url, &s));
    ld_storage_close(&s);
    CHECK(open_url(url, &s)); /* the second open finds the schema made */
    ld_storage_close(&s);
    CHECK(pg_exec(url, "UPDATE liandan_meta SET version = 99"));
    check_open_fails(url, LD_ERR_STORAGE, "its schema version is 99 but this liandan knows");

    url = pg_fresh_db("foreign");
    CHECK(pg_exec(url, "CREATE TABLE liandan_studies (title text)"));
    check_open_fails(url, LD_ERR_STORAGE, "not a liandan journal");

    /* reading only: a database without a journal is not created into; writes are refused */
    url = pg_fresh_db("readonly");
    char err[1024] = "";
    CHECK_INT_EQ(ld_storage_open_readonly(url, &s, err, sizeof err), LD_ERR_NOTFOUND);
    CHECK(strstr(err, "there is no liandan journal in this database") != NULL);
    CHECK(open_url(url, &s));
    int64_t study = make_study(&s, "ro", 0);
    ld_storage_close(&s);
    CHECK_INT_EQ(ld_storage_open_readonly(url, &s, err, sizeof err), LD_OK);
    if (s.type) {
        int64_t id = -1;
        CHECK_ST(&s, CALL(&s, find_study, "ro", &id, NULL), LD_OK);
        CHECK_INT_EQ(id, study);
        CHECK_ST(&s, CALL(&s, set_study_note, id, LD_NOTE_WHY, "x"), LD_ERR_STORAGE);
        CHECK(strstr(ERRMSG(&s), "opened read-only") != NULL);
        ld_storage_close(&s);
    }
}

/* Tuners started together on an empty database all create or find the same schema. */
static void test_pg_concurrent_first_open(void)
{
    for (int round = 0; round < 3; round++) {
        char name[32];
        snprintf(name, sizeof name, "first%d", round);
        const char *url = pg_fresh_db(name);
        int gate[2];
        CHECK(pipe(gate) == 0);
        fork_children(child_open, (void *)url, gate);
    }
}

static void postgres_tests(void)
{
    RUN(test_pg_lost_connection);
    RUN(test_pg_wrong_password);
    RUN(test_pg_schema_checks);
    RUN(test_pg_concurrent_first_open);
}

static void pg_cleanup(void)
{
    for (int i = 0; i < n_pg_dbs; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.63s", pg_dbs[i]);
        pg_exec(NULL, sql);
    }
}

/* ---- main ---------------------------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/liandan-storage-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    char url[PATH_MAX + 128];
    snprintf(url, sizeof url, "sqlite:///%s/suite.db", tmp_dir);
    storage_suite(url);

    RUN(test_urls);
    RUN(test_not_a_database);
    RUN(test_newer_schema);
    RUN(test_upgrade_to_changes);
    RUN(test_concurrent_first_open);
    RUN(test_write_failure);

    pg_admin_url = getenv("LIANDAN_TEST_PG_URL");
    if (pg_admin_url && *pg_admin_url) {
        fprintf(stderr, "PostgreSQL: the suite against %s\n", pg_admin_url);
        storage_suite(pg_fresh_db("suite"));
        postgres_tests();
        if (!test_failures)
            pg_cleanup();
    } else {
        fprintf(stderr, "PostgreSQL: not tested (LIANDAN_TEST_PG_URL is unset; tests/run.sh "
                        "starts a server with tests/pg_server.sh)\n");
    }

    if (!test_failures)
        nftw(tmp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    else
        fprintf(stderr, "files kept in %s\n", tmp_dir);
    TEST_END();
}
