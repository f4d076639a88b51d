/*
 * cmd_plot.c — `liandan plot STUDY --kind K [--trial N] [-o FILE.svg]`: one chart of the HTML
 * report as a standalone SVG file, for slides and papers; with --json, the data behind it.
 */
#include <string.h>

#include "cli.h"

int report_open_db(const cli_global *g, ld_db **db);                        /* cmd_report.c */
int report_write_file(const char *path, ld_report *r,
                      ld_status (*write)(ld_report *r, void *arg, FILE *f), void *arg);

typedef struct {
    ld_plot_kind kind;
    int trial;
    int json;
} plot_args;

static ld_status write_plot(ld_report *r, void *arg, FILE *f)
{
    const plot_args *p = arg;
    return p->json ? ld_report_json(r, p->kind, p->trial, f)
                   : ld_report_svg(r, p->kind, p->trial, f);
}

int cmd_plot(int argc, char **argv, const cli_global *g)
{
    const char *output = "-", *study = NULL, *kind = NULL, *trial = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_option(argc, argv, &i, "--kind")))
            kind = v;
        else if ((v = cli_option(argc, argv, &i, "--trial")))
            trial = v;
        else if ((v = cli_option(argc, argv, &i, "-o")) ||
                 (v = cli_option(argc, argv, &i, "--output")))
            output = v;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage("plot: unknown option '%s'; see 'liandan help plot'", argv[i]);
        else if (study)
            return cli_usage("plot: too many arguments; usage: liandan plot STUDY --kind K "
                             "[--trial N] [-o FILE.svg]");
        else
            study = argv[i];
    }
    if (!study || !kind)
        return cli_usage("usage: liandan plot STUDY --kind curves|history|parallel|slice|"
                         "importance [--trial N] [-o FILE.svg]");
    plot_args p = {.trial = -1, .json = g->json};
    int k = ld_plot_kind_parse(kind);
    if (k < 0)
        return cli_usage("--kind takes curves, history, parallel, slice or importance, got '%s'",
                         kind);
    p.kind = (ld_plot_kind)k;
    if (trial) {
        long n;
        if (cli_parse_int(trial, &n) || n > 1000000000)
            return cli_usage("'%s' is not a trial number; trial numbers are 0, 1, 2, ...", trial);
        if (p.kind != LD_PLOT_CURVES)
            return cli_usage("--trial goes with --kind curves (one trial's learning curves)");
        p.trial = (int)n;
    }
    ld_db *db = NULL;
    int code = report_open_db(g, &db);
    if (code != EXIT_OK)
        return code;
    ld_report *r = NULL;
    ld_status st = ld_report_load(db, study, p.kind == LD_PLOT_CURVES, &r);
    if (st != LD_OK)
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    else
        code = report_write_file(output, r, write_plot, &p);
    ld_report_free(r);
    ld_db_close(db);
    return code;
}
