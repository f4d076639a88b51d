/*
 * test_report.c — the report's data functions on fixed studies (best-so-far is monotone and
 * exact, importance ranks the one parameter that matters first, metric keys pair up), and what
 * the renderers draw from them: one curve path per trial, faded pruned trials with their stop
 * marked, braille charts with axis labels, colour only when asked, an exact sparkline.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report_data.h"
#include "test.h"

static ld_trial fixed_trial(int number, ld_trial_state state, double value)
{
    ld_trial t;
    memset(&t, 0, sizeof t);
    t.number = number;
    t.state = state;
    t.has_value = !isnan(value);
    t.value = value;
    return t;
}

static void test_history(void)
{
    ld_trial t[6] = {
        fixed_trial(0, LD_TRIAL_COMPLETE, 0.5), fixed_trial(1, LD_TRIAL_FAILED, NAN),
        fixed_trial(2, LD_TRIAL_COMPLETE, 0.3), fixed_trial(3, LD_TRIAL_PRUNED, 0.9),
        fixed_trial(4, LD_TRIAL_COMPLETE, 0.7), fixed_trial(5, LD_TRIAL_COMPLETE, 0.6),
    };
    rd_history h;
    CHECK_INT_EQ(rd_history_compute(t, 6, 1, &h), LD_OK);
    CHECK_INT_EQ(h.n, 4); /* failed and pruned trials do not count */
    int want_trial[4] = {0, 2, 4, 5};
    double want_best[4] = {0.5, 0.5, 0.7, 0.7};
    for (size_t i = 0; i < h.n && i < 4; i++) {
        CHECK_INT_EQ(h.trial[i], want_trial[i]);
        CHECK_NEAR(h.best[i], want_best[i], 0);
    }
    rd_history_clear(&h);
    CHECK_INT_EQ(rd_history_compute(t, 6, 0, &h), LD_OK);
    double want_min[4] = {0.5, 0.3, 0.3, 0.3};
    for (size_t i = 0; i < h.n && i < 4; i++)
        CHECK_NEAR(h.best[i], want_min[i], 0);
    rd_history_clear(&h);
}

/* Beyond RD_MAX_LINES: every running trial is kept, the best half, and an even sample. */
static void test_line_sample(void)
{
    size_t n = 3 * RD_MAX_LINES;
    ld_report r;
    memset(&r, 0, sizeof r);
    r.info.maximize = 1;
    r.trials = calloc(n, sizeof *r.trials);
    unsigned char *keep = malloc(n);
    if (!r.trials || !keep) {
        CHECK(0);
        free(r.trials);
        free(keep);
        return;
    }
    r.n_trials = n;
    for (size_t i = 0; i < n; i++) /* value grows with the number: the last ones are best */
        r.trials[i] = fixed_trial((int)i, LD_TRIAL_COMPLETE, (double)i);
    size_t running[] = {3, 17, 1000}; /* low numbers: neither best nor sure to be sampled */
    for (size_t k = 0; k < 3; k++)
        r.trials[running[k]] = fixed_trial((int)running[k], LD_TRIAL_RUNNING, NAN);
    size_t kept = rd_line_sample(&r, keep), counted = 0;
    CHECK_INT_EQ(kept, RD_MAX_LINES);
    for (size_t i = 0; i < n; i++)
        counted += keep[i];
    CHECK_INT_EQ(counted, kept);
    for (size_t k = 0; k < 3; k++)
        CHECK_INT_EQ(keep[running[k]], 1);
    size_t best_kept = 0;
    for (size_t i = n - (RD_MAX_LINES / 2 - 3); i < n; i++)
        best_kept += keep[i];
    CHECK_INT_EQ(best_kept, RD_MAX_LINES / 2 - 3);
    free(r.trials);
    free(keep);
}

static void test_groups(void)
{
    const char *keys[] = {"train_loss", "val_acc", "lr", "train_acc", "val_loss", "loss",
                          "val_f1"};
    rd_group *g = NULL;
    size_t n = 0;
    CHECK_INT_EQ(rd_groups_compute(keys, 7, &g, &n), LD_OK);
    /* acc-like first (train_acc with val_acc, then val_f1 alone), loss, then the rest */
    CHECK_INT_EQ(n, 5);
    if (n == 5) {
        CHECK_STR_EQ(g[0].title, "acc");
        CHECK_STR_EQ(g[0].keys[0], "train_acc");
        CHECK_STR_EQ(g[0].keys[1], "val_acc");
        CHECK_STR_EQ(g[1].title, "val_f1");
        CHECK_INT_EQ(g[1].n_keys, 1);
        CHECK_STR_EQ(g[2].title, "loss");
        CHECK_STR_EQ(g[2].keys[0], "train_loss");
        CHECK_STR_EQ(g[2].keys[1], "val_loss");
        CHECK_STR_EQ(g[3].title, "loss"); /* "loss" alone: val_loss is taken by train_loss */
        CHECK_INT_EQ(g[3].n_keys, 1);
        CHECK_STR_EQ(g[4].title, "lr");
    }
    rd_groups_free(g, n);
}

/* A real study in a scratch journal through the public ask/report/tell API: the objective
   depends on lr alone (on its log scale); dropout and optimizer are noise. */
static const char sweep[] =
    "name: fixed\n"
    "method: random\n"
    "metric: {name: val_acc, goal: maximize}\n"
    "parameters:\n"
    "  lr: {distribution: log_uniform_values, min: 0.0001, max: 1.0}\n"
    "  dropout: {distribution: uniform, min: 0.0, max: 0.5}\n"
    "  optimizer: {values: [sgd, adam]}\n"
    "  epochs: {value: 3}\n"
    "seed: 11\n";

#define N_TRIALS 60

static ld_report *make_study(const char *dir, ld_db **db_out)
{
    char path[512], url[600];
    snprintf(path, sizeof path, "%s/sweep.yaml", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return NULL;
    fputs(sweep, f);
    fclose(f);
    snprintf(url, sizeof url, "sqlite:///%s/test.db", dir);
    ld_db *db = NULL;
    CHECK_INT_EQ(ld_db_open(url, &db), LD_OK);
    ld_study *s = NULL;
    CHECK_INT_EQ(ld_study_open(db, path, NULL, &s), LD_OK);
    for (int i = 0; s && i < N_TRIALS; i++) {
        ld_trial *t = NULL;
        if (ld_study_ask(s, &t) != LD_OK)
            break;
        double lr = t->params[0].num;
        double acc = 1 - fabs(log10(lr) + 2) / 4; /* best at lr = 0.01 */
        for (int e = 1; e <= 3; e++) {
            const char *keys[4] = {"train_acc", "val_acc", "train_loss", "val_loss"};
            double v[4] = {acc * e / 3 + 0.02, acc * e / 3, 1 - acc * e / 3, 1.1 - acc * e / 3};
            ld_study_report(s, t->number, e, 4, keys, v);
        }
        /* every tenth trial is pruned after its reports */
        ld_trial_end end = {.state = i % 10 == 9 ? LD_TRIAL_PRUNED : LD_TRIAL_COMPLETE,
                            .exit_code = 0, .reason = i % 10 == 9 ? "pruned by test" : NULL};
        CHECK_INT_EQ(ld_study_tell(s, t->number, &end), LD_OK);
        ld_trial_free(t);
    }
    ld_study_close(s);
    ld_db_close(db);
    /* read it back the way viewers do */
    CHECK_INT_EQ(ld_db_open_readonly(url, &db), LD_OK);
    ld_report *r = NULL;
    CHECK_INT_EQ(ld_report_load(db, "fixed", 1, &r), LD_OK);
    *db_out = db;
    return r;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static char *render(void (*draw)(const ld_report *, FILE *, int), const ld_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    draw(r, f, 1);
    fclose(f);
    return buf;
}

static void test_study(const char *dir)
{
    ld_db *db = NULL;
    ld_report *r = make_study(dir, &db);
    if (!r) {
        ld_db_close(db);
        return;
    }
    CHECK_INT_EQ(r->n_trials, N_TRIALS);
    /* axes: the varying parameters on their scales; the constant is left out */
    CHECK_INT_EQ(r->n_params, 3);
    CHECK_STR_EQ(r->axes[0].name, "lr");
    CHECK_INT_EQ(r->axes[0].kind, RD_AXIS_LOG);
    CHECK_INT_EQ(r->axes[1].kind, RD_AXIS_LINEAR);
    CHECK_INT_EQ(r->axes[2].kind, RD_AXIS_CATEGORICAL);
    CHECK_INT_EQ(r->axes[2].n_cats, 2);
    /* the parameter that matters is ranked first, and clearly */
    CHECK_INT_EQ(r->by_importance[0], 0);
    CHECK(r->importance[0] > 0.6);
    CHECK_NEAR(r->importance[0] + r->importance[1] + r->importance[2], 1, 1e-9);
    /* best so far: monotone, and ends at the study's best */
    CHECK_INT_EQ(r->history.n, N_TRIALS - N_TRIALS / 10);
    for (size_t i = 1; i < r->history.n; i++)
        CHECK(r->history.best[i] >= r->history.best[i - 1]);
    CHECK(r->info.has_best);
    CHECK_NEAR(r->history.best[r->history.n - 1], r->info.best_value, 0);
    /* curves: acc and loss pairs; the overlay shows the objective */
    CHECK_INT_EQ(r->n_groups, 2);
    CHECK_STR_EQ(r->overlay_key, "val_acc");

    char *svg = render(rd_svg_overlay, r);
    CHECK_INT_EQ(count(svg, "class=\"curve\""), N_TRIALS);
    CHECK_INT_EQ(count(svg, "stroke-opacity=\"0.25\""), N_TRIALS / 10); /* pruned: faded */
    CHECK_INT_EQ(count(svg, "class=\"stop\""), N_TRIALS / 10);          /* and marked */
    free(svg);
    svg = render(rd_svg_parallel, r);
    CHECK_INT_EQ(count(svg, "class=\"curve\""), N_TRIALS);
    CHECK(strstr(svg, "lr (log)") != NULL);
    CHECK(strstr(svg, ">adam<") && strstr(svg, ">sgd<"));
    free(svg);
    svg = render(rd_svg_history, r);
    CHECK_INT_EQ(count(svg, "class=\"point\""), N_TRIALS - N_TRIALS / 10);
    CHECK_INT_EQ(count(svg, "class=\"best\""), 1);
    free(svg);
    svg = render(rd_svg_importance, r);
    CHECK_INT_EQ(count(svg, "class=\"bar\""), 3);
    free(svg);

    /* the HTML report: every chart, one table row per trial, no external reference */
    char *html = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&html, &len);
    CHECK_INT_EQ(ld_report_html(r, NULL, f), LD_OK);
    fclose(f);
    CHECK_INT_EQ(count(html, "<svg class=\"chart\""), N_TRIALS + 5);
    CHECK_INT_EQ(count(html, "<tr data-trial="), N_TRIALS);
    CHECK(strstr(html, "src=") == NULL && strstr(html, "href=\"http") == NULL);
    free(html);

    /* one trial in the terminal: labels, keys, no colour unless asked */
    const ld_trial *t = &r->trials[0];
    char *out = NULL;
    f = open_memstream(&out, &len);
    ld_term_opts plain = {.width = 60, .height = 6, .color = 0};
    CHECK_INT_EQ(ld_term_trial_curves(t, &plain, f), LD_OK);
    fclose(f);
    CHECK(strstr(out, "acc:") && strstr(out, "train_acc") && strstr(out, "val_acc"));
    CHECK(strstr(out, "loss:") && strstr(out, "\xe2\x94\xa4"));  /* ┤ at a y label */
    CHECK(strstr(out, "step") && strstr(out, "\xe2\x94\x94")); /* └ the x axis */
    CHECK(strchr(out, '\033') == NULL);
    free(out);
    f = open_memstream(&out, &len);
    ld_term_opts color = {.width = 60, .height = 6, .color = 1};
    ld_term_trial_curves(t, &color, f);
    fclose(f);
    CHECK(strstr(out, "\033[34m") && strstr(out, "\033[31m"));
    free(out);

    ld_report_free(r);
    ld_db_close(db);
}

static void test_sparkline(void)
{
    /* a study of four complete trials: 1, 2, 1.5, 4 (maximize) -> best 1, 2, 2, 4 */
    ld_study_info info;
    memset(&info, 0, sizeof info);
    info.name = strdup("spark");
    info.metric = strdup("score");
    info.maximize = 1;
    ld_trial *t = calloc(4, sizeof *t);
    double v[4] = {1, 2, 1.5, 4};
    for (int i = 0; i < 4; i++)
        t[i] = fixed_trial(i, LD_TRIAL_COMPLETE, v[i]);
    ld_report *r = NULL;
    CHECK_INT_EQ(rd_report_build(&info, NULL, t, 4, 0, &r), LD_OK);
    if (!r)
        return;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    ld_term_opts o = {.width = 60};
    CHECK_INT_EQ(ld_term_summary(r, &o, f), LD_OK);
    fclose(f);
    CHECK(strstr(out, "  1 \xe2\x96\x81\xe2\x96\x83\xe2\x96\x83\xe2\x96\x88 4\n") != NULL);
    /* no sweep, no parameters: importance says why it is empty */
    CHECK(strstr(out, "not enough complete trials") != NULL);
    free(out);
    ld_report_free(r);
}

int main(void)
{
    char dir[] = "/tmp/liandan-test-report.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_history();
    test_line_sample();
    test_groups();
    test_study(dir);
    test_sparkline();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    TEST_END();
}
