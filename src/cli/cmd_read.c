/*
 * cmd_read.c — the read commands: status, trials, show, best, export. Each prints a table for
 * people or, with --json (export: --format json), the documented machine form.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

/* ---- terminal charts for show and status (issue 6) -------------------------------------- */

/* Colours only on a terminal, and never when NO_COLOR is set to anything (no-color.org). */
static ld_term_opts term_opts(void)
{
    const char *no_color = getenv("NO_COLOR");
    ld_term_opts o = {.width = 72, .height = 10,
                      .color = isatty(STDOUT_FILENO) && !(no_color && *no_color)};
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        o.width = ws.ws_col > 120 ? 120 : ws.ws_col;
    return o;
}

/* show STUDY TRIAL: the trial's train and validation curves, one chart per metric pair. */
static void show_curves(const ld_trial *t)
{
    if (!t->n_series)
        return;
    ld_term_opts o = term_opts();
    printf("curves:\n");
    ld_term_trial_curves(t, &o, stdout);
}

/* status STUDY: the best-so-far sparkline and the importance bars. */
static int status_charts(ld_db *db, const char *study)
{
    ld_report *r = NULL;
    ld_status st = ld_report_load(db, study, 0, &r);
    if (st != LD_OK)
        return cli_fail(st, "%s", ld_db_errmsg(db));
    ld_term_opts o = term_opts();
    printf("\n");
    st = ld_term_summary(r, &o, stdout);
    ld_report_free(r);
    return st == LD_OK ? EXIT_OK : cli_fail(st, "cannot write the charts");
}

/* ---- the read commands -------------------------------------------------------------------- */

/* Opens the db and checks the positional arguments; returns an exit code. */
static int open_for(int argc, char **argv, int want, const char *usage, const cli_global *g,
                    ld_db **db, char **pos)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage("%s: unknown option '%s'; usage: liandan %s", argv[0], argv[i],
                             usage);
        if (n >= want)
            return cli_usage("%s: too many arguments; usage: liandan %s", argv[0], usage);
        pos[n++] = argv[i];
    }
    if (n < want)
        return cli_usage("usage: liandan %s", usage);
    return cli_open_journal(g, db);
}

static int parse_trial_number(const char *text, int *number)
{
    long n;
    if (cli_parse_int(text, &n) || n > 1000000000)
        return cli_usage("'%s' is not a trial number; trial numbers are 0, 1, 2, ...", text);
    *number = (int)n;
    return EXIT_OK;
}

static void status_json(const ld_study_info *s, size_t n)
{
    printf("{\"studies\": [");
    for (size_t i = 0; i < n; i++) {
        const ld_study_info *x = &s[i];
        printf("%s{\"name\": ", i ? ", " : "");
        out_json_string(stdout, x->name);
        printf(", \"trials\": %zu, \"queued\": %zu, \"running\": %zu, \"complete\": %zu, "
               "\"pruned\": %zu, \"failed\": %zu, \"interrupted\": %zu, \"best\": ",
               x->n_trials, x->counts[LD_TRIAL_QUEUED], x->counts[LD_TRIAL_RUNNING],
               x->counts[LD_TRIAL_COMPLETE], x->counts[LD_TRIAL_PRUNED],
               x->counts[LD_TRIAL_FAILED], x->interrupted);
        if (x->has_best)
            out_json_number(stdout, x->best_value);
        else
            printf("null");
        printf(", \"best_trial\": ");
        if (x->has_best)
            printf("%d", x->best_number);
        else
            printf("null");
        printf(", \"metric\": ");
        out_json_string(stdout, x->metric);
        printf(", \"goal\": \"%s\", \"description\": ", x->maximize ? "maximize" : "minimize");
        out_json_string(stdout, x->description);
        printf(", \"conclusion\": ");
        out_json_string(stdout, x->conclusion);
        printf(", \"next\": ");
        out_json_string(stdout, x->next_step);
        char t[40];
        out_time(x->created, t, sizeof t);
        printf(", \"created\": ");
        out_json_string(stdout, t);
        printf(", \"compute_seconds\": %.3f}", x->compute_seconds);
    }
    printf("]}\n");
}

/* The journal status read, for "no studies in ...": the URL without its password. */
static void journal_name(const cli_global *g, char *out, size_t size)
{
    const char *url = g->storage ? g->storage : getenv("LIANDAN_STORAGE");
    if (!url || !*url)
        url = "liandan.db";
    const char *scheme = strstr(url, "://"), *at = strrchr(url, '@');
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    if (colon && at && colon < at)
        snprintf(out, size, "%.*s:***%s", (int)(colon - url), url, at);
    else
        snprintf(out, size, "%s", url);
}

static void status_table(const ld_study_info *s, size_t n, const cli_global *g, int exists)
{
    if (n == 0) {
        char where[1024];
        journal_name(g, where, sizeof where);
        printf("no studies in %s%s; 'liandan run SWEEP.yaml' starts one (--storage URL or "
               "$LIANDAN_STORAGE names another journal)\n",
               where, exists ? "" : " (no journal there yet)");
        return;
    }
    /* FAILED leaves out the interrupted trials: they were stopped, not broken, and re-queued */
    printf("%-24s %6s %6s %6s %6s %6s %6s %6s  %-20s %s\n", "STUDY", "TRIALS", "DONE", "PRUNED",
           "FAILED", "INTR", "QUEUED", "RUN", "BEST", "METRIC");
    for (size_t i = 0; i < n; i++) {
        const ld_study_info *x = &s[i];
        char best[64] = "-";
        if (x->has_best) {
            char v[40];
            out_number(x->best_value, v, sizeof v);
            snprintf(best, sizeof best, "%s (#%d)", v, x->best_number);
        }
        printf("%-24s %6zu %6zu %6zu %6zu %6zu %6zu %6zu  %-20s %s %s\n", x->name, x->n_trials,
               x->counts[LD_TRIAL_COMPLETE], x->counts[LD_TRIAL_PRUNED],
               x->counts[LD_TRIAL_FAILED] - x->interrupted, x->interrupted,
               x->counts[LD_TRIAL_QUEUED], x->counts[LD_TRIAL_RUNNING], best,
               x->metric ? x->metric : "", x->maximize ? "(max)" : "(min)");
    }
}

int cmd_status(int argc, char **argv, const cli_global *g)
{
    ld_db *db = NULL;
    char *pos[1] = {NULL};
    int code;
    if (argc > 1) {
        code = open_for(argc, argv, 1, "status [STUDY] [--json]", g, &db, pos);
    } else if (!g->storage && !getenv("LIANDAN_STORAGE") &&
               ld_db_open_existing(NULL, &db) != LD_OK) {
        /* nothing run here yet (./liandan.db): an empty list, not an error */
        ld_db_close(db);
        if (g->json)
            status_json(NULL, 0);
        else
            status_table(NULL, 0, g, 0);
        return EXIT_OK;
    } else {
        ld_db_close(db);
        code = cli_open_journal(g, &db);
    }
    if (code != EXIT_OK)
        return code;
    ld_study_info *s = NULL;
    size_t n = 0;
    ld_status st = ld_db_list_studies(db, &s, &n);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else {
        size_t from = 0, count = n;
        if (pos[0]) {
            count = 0;
            for (size_t i = 0; i < n; i++)
                if (strcmp(s[i].name, pos[0]) == 0)
                    from = i, count = 1;
            ld_study_info missing;
            if (!count) { /* the journal's "no study named" with its did-you-mean */
                ld_status st = ld_db_get_study(db, pos[0], &missing);
                code = cli_fail(st == LD_OK ? LD_ERR_NOTFOUND : st, "%s", ld_db_errmsg(db));
                if (st == LD_OK)
                    ld_study_info_clear(&missing);
            }
        }
        if (code == EXIT_OK) {
            if (g->json) {
                status_json(s + from, count);
            } else {
                status_table(s + from, count, g, 1);
                if (pos[0])
                    code = status_charts(db, pos[0]);
            }
        }
    }
    ld_study_infos_free(s, n);
    ld_db_close(db);
    return code;
}

/* A trial's last reported value of key, or NAN. */
static double last_value(const ld_trial *t, const char *key)
{
    const ld_series *s = ld_trial_series(t, key);
    return s && s->n ? s->values[s->n - 1] : NAN;
}

/* cols[n_cols]: metric columns (the summary metrics, or --columns), each its last value. */
static void trials_table(const ld_trial *t, size_t n, int state_filter, const char *const *cols,
                         size_t n_cols)
{
    printf("%-6s %-9s %-14s %-9s", "TRIAL", "STATE", "VALUE", "DURATION");
    for (size_t k = 0; k < n_cols; k++)
        printf(" %-*s", (int)(strlen(cols[k]) > 10 ? strlen(cols[k]) : 10), cols[k]);
    printf(" %s\n", "PARAMS");
    for (size_t i = 0; i < n; i++) {
        if (state_filter >= 0 && (int)t[i].state != state_filter)
            continue;
        char value[40] = "-", dur[32] = "-", params[600];
        if (t[i].has_value)
            out_number(t[i].value, value, sizeof value);
        if (out_trial_duration(&t[i]) > 0)
            out_duration(out_trial_duration(&t[i]), dur, sizeof dur);
        out_params(&t[i], params, sizeof params);
        printf("%-6d %-9s %-14s %-9s", t[i].number, ld_trial_state_name(t[i].state), value, dur);
        for (size_t k = 0; k < n_cols; k++) {
            char c[40] = "-";
            double x = last_value(&t[i], cols[k]);
            if (!isnan(x))
                out_number(x, c, sizeof c);
            printf(" %-*s", (int)(strlen(cols[k]) > 10 ? strlen(cols[k]) : 10), c);
        }
        printf(" %s", params);
        if (t[i].reason) {
            const char *nl = strchr(t[i].reason, '\n');
            int len = nl ? (int)(nl - t[i].reason) : (int)strlen(t[i].reason);
            printf("  [%.*s]", len > 100 ? 100 : len, t[i].reason);
        }
        printf("\n");
    }
}

/* The table with the summary metrics as columns, or the --columns keys ("none": none), of the
   trials from t[from] on (the columns are those of all n). */
static int print_trials_table(ld_db *db, const char *study, const ld_trial *t, size_t n,
                              size_t from, int state_filter, const char *columns)
{
    ld_study_info info;
    if (ld_db_get_study(db, study, &info) != LD_OK)
        return cli_fail(LD_ERR_STORAGE, "%s", ld_db_errmsg(db));
    const char **cols = NULL;
    size_t n_cols = 0;
    char *copy = NULL;
    int code = EXIT_OK;
    if (!columns) {
        n_cols = ld_summary_keys(t, n, info.metric, &cols);
    } else if (strcmp(columns, "none") != 0 && (copy = strdup(columns)) &&
               (cols = calloc(strlen(columns) + 1, sizeof *cols))) {
        char *save = NULL;
        for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
            int seen = 0;
            for (size_t i = 0; i < n && !seen; i++)
                seen = ld_trial_series(&t[i], k) != NULL;
            if (!seen) {
                code = cli_usage("--columns: no trial of %s reported '%s'", study, k);
                break;
            }
            cols[n_cols++] = k;
        }
    }
    if (code == EXIT_OK)
        trials_table(t + from, n - from, state_filter, cols, n_cols);
    free(cols);
    free(copy);
    ld_study_info_clear(&info);
    return code;
}

/* Where the last `limit` trials in the state filter start (0: no limit, or fewer than that). */
static size_t limit_start(const ld_trial *t, size_t n, int state_filter, long limit)
{
    size_t i = n;
    for (long shown = 0; limit > 0 && i > 0 && shown < limit; i--)
        shown += state_filter < 0 || (int)t[i - 1].state == state_filter;
    return limit > 0 ? i : 0;
}

int cmd_trials(int argc, char **argv, const cli_global *g)
{
    int state_filter = -1;
    int out = 1;
    long limit = 0;
    const char *columns = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = cli_option(argc, argv, &i, "--state");
        const char *lim = v ? NULL : cli_option(argc, argv, &i, "--limit");
        if (lim) {
            char *end = NULL;
            limit = strtol(lim, &end, 10);
            if (end == lim || *end || limit <= 0)
                return cli_usage("--limit takes a number of trials above 0, got '%s'", lim);
        } else if (!v && (columns = cli_option(argc, argv, &i, "--columns")) != NULL) {
            continue;
        } else if (v) {
            state_filter = ld_trial_state_parse(v);
            if (state_filter < 0)
                return cli_usage("--state takes queued, running, complete, pruned or failed, "
                                 "got '%s'", v);
        } else {
            argv[out++] = argv[i];
        }
    }
    argc = out;
    ld_db *db = NULL;
    char *pos[1];
    int code = open_for(argc, argv, 1, "trials STUDY [--state STATE] [--limit N] [--columns K,K] "
                        "[--json]", g, &db, pos);
    if (code != EXIT_OK)
        return code;
    ld_trial *t = NULL;
    size_t n = 0;
    ld_status st = ld_db_list_trials(db, pos[0], !g->json, &t, &n);
    size_t from = st == LD_OK ? limit_start(t, n, state_filter, limit) : 0;
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else if (g->json) {
        printf("{\"study\": ");
        out_json_string(stdout, pos[0]);
        printf(", \"trials\": [");
        int first = 1;
        for (size_t i = from; i < n; i++) {
            if (state_filter >= 0 && (int)t[i].state != state_filter)
                continue;
            printf(first ? "" : ", ");
            first = 0;
            out_trial_json(stdout, &t[i], 0);
        }
        printf("]}\n");
    } else {
        code = print_trials_table(db, pos[0], t, n, from, state_filter, columns);
    }
    ld_trials_free(t, n);
    ld_db_close(db);
    return code;
}

/* The last max_lines lines of a file, printed with a prefix. */
static void print_tail(const char *path, int max_lines)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) {
        printf("  (no log%s%s)\n", path ? " at " : "", path ? path : "");
        return;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    long from = size > 8192 ? size - 8192 : 0;
    fseek(f, from, SEEK_SET);
    char buf[8193];
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[got] = '\0';
    int lines = 0;
    char *start = buf + got;
    while (start > buf) {
        if (start[-1] == '\n' && start != buf + got && ++lines > max_lines)
            break;
        start--;
    }
    printf("%s", start);
    if (got && buf[got - 1] != '\n')
        printf("\n");
}

static void show_text(const ld_trial *t)
{
    char v[40] = "-", tb[40], dur[32] = "-";
    printf("trial %d: %s", t->number, ld_trial_state_name(t->state));
    if (t->has_value) {
        out_number(t->value, v, sizeof v);
        printf(", value %s", v);
    }
    printf("\n");
    if (t->reason) /* its first line: the tail of the output it may carry is the log's, below */
        printf("reason: %.*s\n", (int)strcspn(t->reason, "\n"), t->reason);
    printf("params:\n");
    for (size_t i = 0; i < t->n_params; i++) {
        if (t->params[i].type == LD_VAL_NONE)
            continue;
        char pv[256];
        ld_value_format(&t->params[i], pv, sizeof pv);
        printf("  %s = %s\n", t->param_names[i], pv);
    }
    out_time(t->started, tb, sizeof tb);
    if (out_trial_duration(t) > 0)
        out_duration(out_trial_duration(t), dur, sizeof dur);
    printf("started: %s  duration: %s  host: %s  pid: %d\n", tb[0] ? tb : "-", dur,
           t->host ? t->host : "-", t->pid);
    if (t->finished > 0) {
        if (t->term_signal)
            printf("ended by signal %d\n", t->term_signal);
        else if (t->exit_code >= 0)
            printf("exit status: %d\n", t->exit_code);
    }
    if (t->command)
        printf("command: %s\n", t->command);
    if (t->git_commit)
        printf("git commit: %s\n", t->git_commit);
    if (t->retry_of >= 0)
        printf("re-runs trial %d\n", t->retry_of);
    if (t->requeued_as >= 0)
        printf("re-run as trial %d\n", t->requeued_as);
    if (t->n_series) {
        printf("metrics (step: value ...):\n");
        for (size_t i = 0; i < t->n_series; i++) {
            const ld_series *s = &t->series[i];
            printf("  %-14s", s->key);
            size_t from = s->n > 12 ? s->n - 12 : 0;
            if (from)
                printf(" ...");
            for (size_t j = from; j < s->n; j++) {
                char a[40], b[40];
                out_number(s->steps[j], a, sizeof a);
                out_number(s->values[j], b, sizeof b);
                printf(" %s:%s", a, b);
            }
            printf("\n");
        }
    }
    printf("log: %s\n", t->log_path ? t->log_path : "-");
    if (t->log_path)
        print_tail(t->log_path, 10);
}

int cmd_show(int argc, char **argv, const cli_global *g)
{
    ld_db *db = NULL;
    char *pos[2];
    int code = open_for(argc, argv, 2, "show STUDY TRIAL [--json]", g, &db, pos);
    if (code != EXIT_OK)
        return code;
    int number = 0;
    if ((code = parse_trial_number(pos[1], &number)) != EXIT_OK) {
        ld_db_close(db);
        return code;
    }
    ld_trial t;
    ld_status st = ld_db_get_trial(db, pos[0], number, &t);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else {
        if (g->json) {
            out_trial_json(stdout, &t, 1);
            printf("\n");
        } else {
            show_text(&t);
            show_curves(&t);
        }
        ld_trial_clear(&t);
    }
    ld_db_close(db);
    return code;
}

/* The params of a playbook's result, as "lr=0.001 dropout=0.3" or a JSON object's members. */
static void print_result_params(const ld_playbook_result *r, int json)
{
    for (size_t i = 0; i < r->n_params; i++) {
        if (json) {
            printf(i ? ", " : "");
            out_json_string(stdout, r->param_names[i]);
            printf(": ");
            out_json_value(stdout, &r->params[i]);
        } else {
            char v[64];
            ld_value_format(&r->params[i], v, sizeof v);
            printf("%s%s=%s", i ? " " : "", r->param_names[i], v);
        }
    }
}

void cli_print_playbook_result(const char *name, const ld_playbook_result *r, int json)
{
    if (json) {
        printf("{\"study\": ");
        out_json_string(stdout, name);
        printf(", \"stage\": ");
        out_json_string(stdout, r->stage);
        printf(", \"trial\": %d, \"value\": ", r->trial);
        out_json_number(stdout, r->value);
        printf(", \"value_sd\": ");
        out_json_number(stdout, r->value_sd);
        printf(", \"seeds\": %zu, \"confirmed\": %s, \"params\": {", r->n_seeds,
               r->confirmed ? "true" : "false");
        print_result_params(r, 1);
        printf("}, \"metrics\": {");
        for (size_t i = 0; i < r->n_metrics; i++) {
            printf(i ? ", " : "");
            out_json_string(stdout, r->metrics[i].key);
            printf(": {\"mean\": ");
            out_json_number(stdout, r->metrics[i].mean);
            printf(", \"sd\": ");
            out_json_number(stdout, r->metrics[i].sd);
            printf(", \"n\": %zu}", r->metrics[i].n);
        }
        printf("}, \"metric\": ");
        out_json_string(stdout, r->metric);
        printf(", \"goal\": \"%s\"}\n", r->maximize ? "maximize" : "minimize");
        return;
    }
    printf("playbook %s: %s ", name, r->confirmed ? "confirmed" : "best so far");
    print_result_params(r, 0);
    printf("\n  %s=%.4g (sd %.2g, %zu seed%s; %s, trial %d)", r->metric, r->value, r->value_sd,
           r->n_seeds, r->n_seeds == 1 ? "" : "s", r->stage, r->trial);
    for (size_t i = 0; i < r->n_metrics; i++)
        printf(" %s=%.4g (sd %.2g)", r->metrics[i].key, r->metrics[i].mean, r->metrics[i].sd);
    printf("\n");
}

int cmd_best(int argc, char **argv, const cli_global *g)
{
    ld_db *db = NULL;
    char *pos[1];
    int code = open_for(argc, argv, 1, "best STUDY [--json]", g, &db, pos);
    if (code != EXIT_OK)
        return code;
    ld_study_info info;
    ld_status st = ld_db_get_study(db, pos[0], &info);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
        ld_db_close(db);
        return code;
    }
    ld_playbook_result pr;
    ld_status pst = info.has_best ? LD_ERR_NOTFOUND : ld_db_playbook_result(db, pos[0], &pr);
    if (pst == LD_OK) {
        cli_print_playbook_result(pos[0], &pr, g->json);
        ld_playbook_result_clear(&pr);
    } else if (!info.has_best) {
        code = cli_fail(LD_ERR_NOTFOUND, "%s",
                        strstr(ld_db_errmsg(db), "playbook") ? ld_db_errmsg(db)
                                                             : "the study has no complete trial yet");
    } else {
        ld_trial t;
        const char **sum = NULL;
        size_t n_sum = 0;
        st = ld_db_get_trial(db, pos[0], info.best_number, &t);
        if (st == LD_OK) /* the best trial's own summary metrics (test_acc=) */
            n_sum = ld_summary_keys(&t, 1, info.metric, &sum);
        if (st != LD_OK) {
            code = cli_fail(st, "%s", ld_db_errmsg(db));
        } else if (g->json) {
            printf("{\"study\": ");
            out_json_string(stdout, pos[0]);
            printf(", \"trial\": %d, \"value\": ", t.number);
            out_json_number(stdout, t.value);
            printf(", \"params\": {");
            int first = 1;
            for (size_t i = 0; i < t.n_params; i++) {
                if (t.params[i].type == LD_VAL_NONE)
                    continue;
                printf(first ? "" : ", ");
                first = 0;
                out_json_string(stdout, t.param_names[i]);
                printf(": ");
                out_json_value(stdout, &t.params[i]);
            }
            printf("}, \"metrics\": {");
            for (size_t k = 0; k < n_sum; k++) {
                printf(k ? ", " : "");
                out_json_string(stdout, sum[k]); /* the playbook's form: one trial, n 1 */
                printf(": {\"mean\": ");
                out_json_number(stdout, ld_trial_summary(&t, sum[k]));
                printf(", \"sd\": 0, \"n\": 1}");
            }
            printf("}, \"metric\": ");
            out_json_string(stdout, info.metric);
            printf(", \"goal\": \"%s\"}\n", info.maximize ? "maximize" : "minimize");
        } else {
            char v[40], params[600];
            out_number(t.value, v, sizeof v);
            out_params(&t, params, sizeof params);
            printf("trial %d: %s=%s", t.number, info.metric, v);
            for (size_t k = 0; k < n_sum; k++) {
                out_number(ld_trial_summary(&t, sum[k]), v, sizeof v);
                printf(" %s=%s", sum[k], v);
            }
            printf("\n  %s\n", params);
        }
        free(sum);
        if (st == LD_OK)
            ld_trial_clear(&t);
    }
    ld_study_info_clear(&info);
    ld_db_close(db);
    return code;
}

/* CSV field, quoted when it holds a comma, quote or newline (RFC 4180). */
static void csv_field(FILE *f, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static void export_csv(FILE *f, const ld_trial *t, size_t n, const char *metric)
{
    const char **sum = NULL; /* summary metrics (test_acc=): one column each, at the end */
    size_t n_sum = ld_summary_keys(t, n, metric, &sum);
    /* Parameter columns: the union of the trials' names, each new one placed right after the
       name before it in its trial, so that a parameter some trials lack (its `when` failed)
       still gets its place in the sweep's order. */
    const char **names = calloc(1, sizeof *names);
    size_t n_names = 0;
    for (size_t i = 0; i < n; i++) {
        size_t after = 0; /* where the trial's next new name goes */
        for (size_t j = 0; j < t[i].n_params; j++) {
            size_t k = 0;
            while (k < n_names && strcmp(names[k], t[i].param_names[j]) != 0)
                k++;
            if (k < n_names) {
                after = k + 1;
                continue;
            }
            const char **grown = realloc(names, (n_names + 1) * sizeof *names);
            if (!grown)
                continue;
            names = grown;
            memmove(names + after + 1, names + after, (n_names - after) * sizeof *names);
            names[after++] = t[i].param_names[j];
            n_names++;
        }
    }
    fputs("number,state,value", f);
    for (size_t k = 0; k < n_names; k++) {
        fputc(',', f);
        csv_field(f, names[k]);
    }
    fputs(",duration,started,finished,exit,reason", f);
    for (size_t k = 0; k < n_sum; k++) {
        fputc(',', f);
        csv_field(f, sum[k]);
    }
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        char v[40] = "", tb[40];
        if (t[i].has_value)
            out_number(t[i].value, v, sizeof v);
        fprintf(f, "%d,%s,%s", t[i].number, ld_trial_state_name(t[i].state), v);
        for (size_t k = 0; k < n_names; k++) {
            fputc(',', f);
            for (size_t j = 0; j < t[i].n_params; j++)
                if (strcmp(t[i].param_names[j], names[k]) == 0 &&
                    t[i].params[j].type != LD_VAL_NONE) {
                    char pv[256];
                    ld_value_format(&t[i].params[j], pv, sizeof pv);
                    csv_field(f, pv);
                }
        }
        double d = out_trial_duration(&t[i]);
        if (d > 0)
            fprintf(f, ",%.3f", d);
        else
            fputc(',', f);
        out_time(t[i].started, tb, sizeof tb);
        fprintf(f, ",%s", tb);
        out_time(t[i].finished, tb, sizeof tb);
        fprintf(f, ",%s,", tb);
        if (t[i].finished > 0 && t[i].exit_code >= 0)
            fprintf(f, "%d", t[i].exit_code);
        fputc(',', f);
        csv_field(f, t[i].reason);
        for (size_t k = 0; k < n_sum; k++) {
            char sv[40] = "";
            double x = ld_trial_summary(&t[i], sum[k]);
            if (!isnan(x))
                out_number(x, sv, sizeof sv);
            fprintf(f, ",%s", sv);
        }
        fputc('\n', f);
    }
    free(names);
    free(sum);
}

static void export_json(FILE *f, const ld_study_info *info, const ld_trial *t, size_t n)
{
    fputs("{\"study\": ", f);
    out_json_string(f, info->name);
    fputs(", \"metric\": {\"name\": ", f);
    out_json_string(f, info->metric);
    fprintf(f, ", \"goal\": \"%s\"}, \"description\": ", info->maximize ? "maximize" : "minimize");
    out_json_string(f, info->description);
    fputs(", \"conclusion\": ", f);
    out_json_string(f, info->conclusion);
    fputs(", \"next\": ", f);
    out_json_string(f, info->next_step);
    fputs(", \"parent\": ", f);
    out_json_string(f, info->parent);
    fputs(", \"sweep\": ", f);
    out_json_string(f, info->sweep_text);
    fputs(", \"trials\": [", f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n  " : "\n  ", f);
        out_trial_json(f, &t[i], 1);
    }
    fputs("]}\n", f);
}

int cmd_export(int argc, char **argv, const cli_global *g)
{
    const char *format = g->json ? "json" : NULL, *output = NULL;
    int out = 1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_option(argc, argv, &i, "--format")))
            format = v;
        else if ((v = cli_option(argc, argv, &i, "-o")) || (v = cli_option(argc, argv, &i, "--output")))
            output = v;
        else
            argv[out++] = argv[i];
    }
    argc = out;
    if (!format)
        return cli_usage("export needs --format csv or --format json");
    if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
        return cli_usage("--format takes csv or json, got '%s'", format);
    ld_db *db = NULL;
    char *pos[1];
    int code = open_for(argc, argv, 1, "export STUDY --format csv|json [-o FILE]", g, &db, pos);
    if (code != EXIT_OK)
        return code;
    ld_study_info info;
    ld_trial *t = NULL;
    size_t n = 0;
    ld_status st = ld_db_get_study(db, pos[0], &info);
    if (st == LD_OK)
        st = ld_db_list_trials(db, pos[0], 1, &t, &n); /* csv: for the summary columns */
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else {
        FILE *f = output ? fopen(output, "w") : stdout;
        if (!f) {
            code = cli_fail(LD_ERR_IO, "cannot write %s: %s", output, strerror(errno));
        } else {
            if (strcmp(format, "csv") == 0)
                export_csv(f, t, n, info.metric);
            else
                export_json(f, &info, t, n);
            if ((output ? fclose(f) : fflush(f)) != 0)
                code = cli_fail(LD_ERR_IO, "cannot write %s: %s", output ? output : "stdout",
                                strerror(errno));
        }
    }
    ld_study_info_clear(&info);
    ld_trials_free(t, n);
    ld_db_close(db);
    return code;
}
