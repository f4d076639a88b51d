/*
 * cmd_refine.c — `liandan refine STUDY [--top K] [-o next.yaml]`: coarse to fine. Writes a
 * sweep narrowed around the study's best trials (ld_db_refine); `liandan run` on it starts a
 * child study linked to this one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_refine(int argc, char **argv, const cli_global *g)
{
    const char *study = NULL, *output = NULL;
    long top = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_option(argc, argv, &i, "--top"))) {
            if (cli_parse_int(v, &top) || top < 1)
                return cli_usage("--top needs a whole number >= 1, got '%s'", v);
        } else if ((v = cli_option(argc, argv, &i, "-o")) ||
                   (v = cli_option(argc, argv, &i, "--output"))) {
            output = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("refine: unknown option '%s'", argv[i]);
        } else if (!study) {
            study = argv[i];
        } else {
            return cli_usage("refine takes one study");
        }
    }
    if (!study)
        return cli_usage("usage: liandan refine STUDY [--top K] [-o next.yaml]");
    ld_db *db = NULL;
    int code = cli_open_journal(g, &db);
    if (code != EXIT_OK)
        return code;
    char *yaml = NULL;
    ld_status st = ld_db_refine(db, study, (size_t)top, &yaml);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else if (!output) {
        fputs(yaml, stdout);
    } else {
        FILE *f = fopen(output, "w");
        if (!f || fputs(yaml, f) < 0 || fclose(f) != 0)
            code = cli_fail(LD_ERR_IO, "cannot write %s: %s", output, strerror(errno));
        else if (!g->quiet)
            fprintf(stderr, "liandan: wrote %s; run it with: liandan run %s\n", output, output);
    }
    free(yaml);
    ld_db_close(db);
    return code;
}
