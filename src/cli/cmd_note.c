/*
 * cmd_note.c — the lab journal's words and hands: `note` records why a study was run, what was
 * concluded and what to try next; `stop` ends a hopeless trial from any terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_notes(const ld_study_info *info, const cli_global *g)
{
    if (g->json) {
        printf("{\"study\": ");
        out_json_string(stdout, info->name);
        printf(", \"why\": ");
        out_json_string(stdout, info->description);
        printf(", \"conclusion\": ");
        out_json_string(stdout, info->conclusion);
        printf(", \"next\": ");
        out_json_string(stdout, info->next_step);
        printf("}\n");
        return;
    }
    printf("why:        %s\n", info->description ? info->description : "-");
    printf("conclusion: %s\n", info->conclusion ? info->conclusion : "-");
    printf("next:       %s\n", info->next_step ? info->next_step : "-");
}

int cmd_note(int argc, char **argv, const cli_global *g)
{
    const char *study = NULL;
    const char *texts[3] = {NULL, NULL, NULL};
    static const char *const flags[3] = {"--why", "--conclusion", "--next"};
    for (int i = 1; i < argc; i++) {
        int matched = 0;
        for (int f = 0; f < 3 && !matched; f++) {
            const char *v = cli_option(argc, argv, &i, flags[f]);
            if (v) {
                texts[f] = v;
                matched = 1;
            } else if (strcmp(argv[i], flags[f]) == 0) {
                return cli_usage("%s needs a text", flags[f]);
            }
        }
        if (matched)
            continue;
        if (argv[i][0] == '-')
            return cli_usage("note: unknown option '%s'; it takes --why, --conclusion, --next",
                             argv[i]);
        if (study)
            return cli_usage("note takes one study; quote the text: --conclusion \"...\"");
        study = argv[i];
    }
    if (!study)
        return cli_usage("usage: liandan note STUDY [--why TEXT] [--conclusion TEXT] [--next TEXT]");
    ld_db *db = NULL;
    int code = cli_open_journal(g, &db);
    if (code != EXIT_OK)
        return code;
    static const ld_note_field fields[3] = {LD_NOTE_WHY, LD_NOTE_CONCLUSION, LD_NOTE_NEXT};
    for (int f = 0; f < 3 && code == EXIT_OK; f++) {
        if (!texts[f])
            continue;
        ld_status st = ld_db_set_note(db, study, fields[f], texts[f]);
        if (st != LD_OK)
            code = cli_fail(st, "%s", ld_db_errmsg(db));
    }
    if (code == EXIT_OK) {
        ld_study_info info;
        ld_status st = ld_db_get_study(db, study, &info);
        if (st != LD_OK)
            code = cli_fail(st, "%s", ld_db_errmsg(db));
        else
            print_notes(&info, g);
        ld_study_info_clear(&info);
    }
    ld_db_close(db);
    return code;
}

int cmd_stop(int argc, char **argv, const cli_global *g)
{
    if (argc != 3)
        return cli_usage("usage: liandan stop STUDY TRIAL");
    long number;
    if (cli_parse_int(argv[2], &number) || number > 1000000000)
        return cli_usage("'%s' is not a trial number", argv[2]);
    ld_db *db = NULL;
    int code = cli_open_journal(g, &db);
    if (code != EXIT_OK)
        return code;
    ld_status st = ld_db_request_stop(db, argv[1], (int)number);
    if (st != LD_OK)
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    else if (!g->quiet)
        fprintf(stderr, "liandan: asked the tuner of trial %ld to stop it\n", number);
    ld_db_close(db);
    return code;
}
