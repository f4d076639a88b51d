/*
 * cmd_report.c — `liandan report`, which has two forms:
 *   report STUDY TRIAL KEY=VALUE... [--step S]   record intermediate values (ask/tell; the
 *                                                code is cmd_report in cmd_asktell.c, unchanged)
 *   report STUDY [-o report.html]                write the study's self-contained HTML report
 * A second positional argument or any KEY=VALUE token means the first form. The HTML report is
 * written to a temporary file beside the target and renamed into place, so a reader never sees
 * half a report. Also: the helpers `plot` and `dashboard` share for opening the journal
 * read-only and deciding on colours.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cmd_record(int argc, char **argv, const cli_global *g); /* cmd_asktell.c */

/* Opens the journal read-only (a viewer never writes and never blocks a tuner). */
int report_open_db(const cli_global *g, ld_db **db)
{
    ld_status st = ld_db_open_readonly(g->storage, db);
    if (st == LD_OK)
        return EXIT_OK;
    int code = cli_fail(st, "%s", ld_db_errmsg(*db));
    ld_db_close(*db);
    *db = NULL;
    return code;
}

/* Writes through a temporary file renamed into place; "-" is stdout. Returns an exit code. */
int report_write_file(const char *path, ld_report *r,
                      ld_status (*write)(ld_report *r, void *arg, FILE *f), void *arg)
{
    if (strcmp(path, "-") == 0) {
        ld_status st = write(r, arg, stdout);
        return st == LD_OK ? EXIT_OK : cli_fail(st, "%s", ld_report_errmsg(r));
    }
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return cli_fail(LD_ERR_NOMEM, "out of memory");
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        int code = cli_fail(LD_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        return code;
    }
    ld_status st = write(r, arg, f);
    int closed = fclose(f);
    int code = EXIT_OK;
    if (st == LD_ERR_IO)
        code = cli_fail(st, "cannot write %s: %s", path, ld_report_errmsg(r));
    else if (st != LD_OK)
        code = cli_fail(st, "%s", ld_report_errmsg(r));
    else if (closed != 0)
        code = cli_fail(LD_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    else if (rename(tmp, path) != 0)
        code = cli_fail(LD_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    if (code != EXIT_OK)
        unlink(tmp);
    free(tmp);
    return code;
}

static ld_status write_html(ld_report *r, void *arg, FILE *f)
{
    (void)arg;
    return ld_report_html(r, NULL, f);
}

/* Is this the ask/tell form: a second positional argument or a KEY=VALUE pair? */
/* The old spelling of `record`, kept: "report STUDY TRIAL KEY=VALUE...", told apart from
   "report STUDY [-o FILE]" by a whole-number TRIAL after the study (a study's own name may hold
   '=' or digits). */
static int is_value_form(int argc, char **argv)
{
    int n_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--step") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            i++;
            continue;
        }
        if (a[0] == '-' && a[1])
            continue;
        if (++n_pos == 2)
            return a[strspn(a, "0123456789")] == '\0' && *a;
    }
    return 0;
}

int cmd_report_main(int argc, char **argv, const cli_global *g)
{
    if (is_value_form(argc, argv))
        return cmd_record(argc, argv, g);
    const char *output = "report.html", *study = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_option(argc, argv, &i, "-o")) || (v = cli_option(argc, argv, &i, "--output")))
            output = v;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage("report: unknown option '%s'; usage: liandan report STUDY "
                             "[-o report.html]", argv[i]);
        else if (study)
            return cli_usage("report takes one study, got '%s' and '%s'; usage: liandan report "
                             "STUDY [-o report.html]", study, argv[i]);
        else
            study = argv[i];
    }
    if (!study)
        return cli_usage("usage: liandan report STUDY [-o report.html] (to record an asked "
                         "trial's values: liandan record STUDY TRIAL KEY=VALUE...)");
    ld_db *db = NULL;
    int code = report_open_db(g, &db);
    if (code != EXIT_OK)
        return code;
    ld_report *r = NULL;
    ld_status st = ld_report_load(db, study, 1, &r);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else {
        code = report_write_file(output, r, write_html, NULL);
        struct stat sb;
        if (code == EXIT_OK && !g->quiet && strcmp(output, "-") != 0 && stat(output, &sb) == 0)
            fprintf(stderr, "liandan: wrote %s (%.0f KB) for study '%s'\n", output,
                    (double)sb.st_size / 1024, study);
    }
    ld_report_free(r);
    ld_db_close(db);
    return code;
}
