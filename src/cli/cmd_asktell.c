/*
 * cmd_asktell.c — ask / report / tell from scripts, as Optuna's CLI does: `ask` claims a trial
 * and prints its params as JSON, `report` records intermediate values (and says whether to
 * stop), `tell` records the end. For loops that liandan does not launch itself.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int open_study(const cli_global *g, const char *name, const char *sweep, ld_db **db,
                      ld_study **study)
{
    int code = sweep ? cli_open_db(g, db) : cli_open_journal(g, db);
    if (code != EXIT_OK)
        return code;
    ld_overrides ov = {.name = name};
    ld_status st = sweep ? ld_study_open(*db, sweep, &ov, study)
                         : ld_study_open_existing(*db, name, study);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(*db));
        ld_db_close(*db);
        *db = NULL;
    }
    return code;
}

int cmd_ask(int argc, char **argv, const cli_global *g)
{
    const char *sweep = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_option(argc, argv, &i, "--sweep")))
            sweep = v;
        else if ((v = cli_option(argc, argv, &i, "--name")))
            name = v;
        else if (argv[i][0] == '-')
            return cli_usage("ask: unknown option '%s'", argv[i]);
        else if (!name)
            name = argv[i];
        else
            return cli_usage("usage: liandan ask STUDY | ask --sweep SWEEP.yaml [--name NAME]");
    }
    if (!name && !sweep)
        return cli_usage("usage: liandan ask STUDY | ask --sweep SWEEP.yaml [--name NAME]");
    ld_db *db;
    ld_study *study;
    int code = open_study(g, name, sweep, &db, &study);
    if (code != EXIT_OK)
        return code;
    ld_trial *t = NULL;
    ld_status st = ld_study_ask(study, &t);
    if (st == LD_ERR_DONE) {
        code = cli_fail(LD_ERR_INPUT, "study '%s' has spent its budget (or its grid); nothing "
                                      "to ask", ld_study_name(study));
    } else if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else {
        printf("{\"study\": ");
        out_json_string(stdout, ld_study_name(study));
        printf(", \"trial\": %d, \"params\": {", t->number);
        int first = 1;
        for (size_t i = 0; i < t->n_params; i++) {
            if (t->params[i].type == LD_VAL_NONE)
                continue;
            printf(first ? "" : ", ");
            first = 0;
            out_json_string(stdout, t->param_names[i]);
            printf(": ");
            out_json_value(stdout, &t->params[i]);
        }
        printf("}}\n");
    }
    ld_trial_free(t);
    ld_study_close(study);
    ld_db_close(db);
    return code;
}

int cmd_tell(int argc, char **argv, const cli_global *g)
{
    const char *pos[2] = {NULL, NULL};
    int n_pos = 0;
    ld_trial_end end = {.state = LD_TRIAL_COMPLETE, .exit_code = -1};
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_option(argc, argv, &i, "--value"))) {
            if (cli_parse_double(v, &end.value))
                return cli_usage("--value needs a number, got '%s'", v);
            end.has_value = 1;
        } else if ((v = cli_option(argc, argv, &i, "--state"))) {
            int s = ld_trial_state_parse(v);
            if (s != LD_TRIAL_COMPLETE && s != LD_TRIAL_PRUNED && s != LD_TRIAL_FAILED)
                return cli_usage("--state takes complete, pruned or failed, got '%s'", v);
            end.state = (ld_trial_state)s;
        } else if ((v = cli_option(argc, argv, &i, "--reason"))) {
            end.reason = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("tell: unknown option '%s'", argv[i]);
        } else if (n_pos < 2) {
            pos[n_pos++] = argv[i];
        } else {
            return cli_usage("tell: too many arguments");
        }
    }
    long number;
    if (n_pos != 2)
        return cli_usage("usage: liandan tell STUDY TRIAL [--value V] [--state S]");
    if (cli_parse_int(pos[1], &number) || number > 1000000000)
        return cli_usage("'%s' is not a trial number", pos[1]);
    ld_db *db;
    ld_study *study;
    int code = open_study(g, pos[0], NULL, &db, &study);
    if (code != EXIT_OK)
        return code;
    ld_status st = ld_study_tell(study, (int)number, &end);
    if (st != LD_OK)
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    ld_study_close(study);
    ld_db_close(db);
    return code;
}

int cmd_record(int argc, char **argv, const cli_global *g)
{
    const char *pos[2] = {NULL, NULL};
    int n_pos = 0;
    const char *keys[64];
    double values[64];
    size_t n = 0;
    int has_step = 0;
    double step = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_option(argc, argv, &i, "--step"))) {
            if (cli_parse_double(v, &step))
                return cli_usage("--step needs a number, got '%s'", v);
            has_step = 1;
        } else if (strchr(argv[i], '=') && n_pos == 2) {
            char *eq = strchr(argv[i], '=');
            *eq = '\0';
            if (n >= 64)
                return cli_usage("report takes at most 64 values at once");
            keys[n] = argv[i];
            if (!*argv[i] || cli_parse_double(eq + 1, &values[n]))
                return cli_usage("'%s=%s' is not KEY=NUMBER", argv[i], eq + 1);
            n++;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("report: unknown option '%s'", argv[i]);
        } else if (n_pos < 2) {
            pos[n_pos++] = argv[i];
        } else {
            return cli_usage("report: '%s' is not KEY=VALUE", argv[i]);
        }
    }
    long number;
    if (n_pos != 2 || n == 0)
        return cli_usage("usage: liandan record STUDY TRIAL KEY=VALUE... [--step S]");
    if (cli_parse_int(pos[1], &number) || number > 1000000000)
        return cli_usage("'%s' is not a trial number", pos[1]);
    ld_db *db;
    ld_study *study;
    int code = open_study(g, pos[0], NULL, &db, &study);
    if (code != EXIT_OK)
        return code;
    ld_status st = LD_OK;
    if (!has_step) {
        ld_trial t;
        st = ld_db_get_trial(db, pos[0], (int)number, &t);
        if (st == LD_OK) {
            size_t most = 0;
            for (size_t i = 0; i < t.n_series; i++)
                if (t.series[i].n > most)
                    most = t.series[i].n;
            step = (double)(most + 1);
            ld_trial_clear(&t);
        }
    }
    if (st == LD_OK)
        st = ld_study_report(study, (int)number, step, n, keys, values);
    int stop = 0;
    char *reason = NULL;
    if (st == LD_OK)
        st = ld_study_should_prune(study, (int)number, &stop, &reason);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else if (g->json) {
        printf("{\"stop\": %s, \"reason\": ", stop ? "true" : "false");
        out_json_string(stdout, reason);
        printf("}\n");
    } else {
        printf("stop=%d\n", stop);
    }
    free(reason);
    ld_study_close(study);
    ld_db_close(db);
    return code;
}
