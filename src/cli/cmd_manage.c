/*
 * cmd_manage.c — `retry`, `enqueue`, `delete`, `rename`, `copy`: a journal kept in order by
 * hand, each one transaction (manage.c). Printed: what changed, on stderr, and with --json the
 * same facts on stdout.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void print_numbers(const char *key, const int *numbers, size_t n)
{
    printf("\"%s\": [", key);
    for (size_t i = 0; i < n; i++)
        printf("%s%d", i ? ", " : "", numbers[i]);
    printf("]");
}

static void print_names(const char *key, char *const *names, size_t n)
{
    printf("\"%s\": [", key);
    for (size_t i = 0; i < n; i++) {
        printf(i ? ", " : "");
        out_json_string(stdout, names[i]);
    }
    printf("]");
}

int cmd_retry(int argc, char **argv, const cli_global *g)
{
    const char *study = NULL;
    ld_trial_state state = LD_TRIAL_FAILED;
    int *numbers = calloc((size_t)argc + 1, sizeof *numbers);
    size_t n = 0;
    if (!numbers)
        return cli_fail(LD_ERR_NOMEM, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *v;
        long k;
        if ((v = cli_option(argc, argv, &i, "--state"))) {
            if (!strcmp(v, "failed") || !strcmp(v, "pruned")) {
                state = !strcmp(v, "failed") ? LD_TRIAL_FAILED : LD_TRIAL_PRUNED;
            } else {
                free(numbers);
                return cli_usage("--state takes failed or pruned, got '%s'", v);
            }
        } else if (argv[i][0] == '-') {
            free(numbers);
            return cli_usage("retry: unknown option '%s'", argv[i]);
        } else if (!study) {
            study = argv[i];
        } else if (cli_parse_int(argv[i], &k) || k > 1000000000) {
            free(numbers);
            return cli_usage("'%s' is not a trial number", argv[i]);
        } else {
            numbers[n++] = (int)k;
        }
    }
    if (!study) {
        free(numbers);
        return cli_usage("usage: liandan retry STUDY [--state failed|pruned] [TRIAL...]");
    }
    ld_db *db = NULL;
    int code = cli_open_journal(g, &db);
    if (code != EXIT_OK) {
        free(numbers);
        return code;
    }
    int *queued = NULL;
    size_t n_queued = 0;
    ld_status st = ld_db_retry(db, study, state, numbers, n, &queued, &n_queued);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else {
        if (g->json) {
            printf("{\"study\": ");
            out_json_string(stdout, study);
            printf(", ");
            print_numbers("queued", queued, n_queued);
            printf("}\n");
        }
        if (!g->quiet && n_queued)
            fprintf(stderr, "liandan: re-queued %zu trial%s of %s (trials %d to %d); 'liandan run' "
                            "with its sweep runs them first\n",
                    n_queued, n_queued == 1 ? "" : "s", study, queued[0], queued[n_queued - 1]);
        else if (!g->quiet)
            fprintf(stderr, "liandan: study %s has no %s trial to re-queue\n", study,
                    ld_trial_state_name(state));
    }
    free(queued);
    free(numbers);
    ld_db_close(db);
    return code;
}

int cmd_enqueue(int argc, char **argv, const cli_global *g)
{
    if (argc < 2 || argv[1][0] == '-')
        return cli_usage("usage: liandan enqueue STUDY KEY=VALUE...");
    for (int i = 2; i < argc; i++)
        if (!strchr(argv[i], '=') || argv[i][0] == '=')
            return cli_usage("enqueue: '%s' is not KEY=VALUE", argv[i]);
    ld_db *db = NULL;
    int code = cli_open_journal(g, &db);
    if (code != EXIT_OK)
        return code;
    int number = -1;
    ld_status st = ld_db_enqueue(db, argv[1], (const char *const *)argv + 2, (size_t)argc - 2,
                                 &number);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else {
        if (g->json) {
            printf("{\"study\": ");
            out_json_string(stdout, argv[1]);
            printf(", \"trial\": %d}\n", number);
        }
        if (!g->quiet)
            fprintf(stderr, "liandan: queued trial %d of %s; the next 'liandan run' of its sweep "
                            "runs it first\n", number, argv[1]);
    }
    ld_db_close(db);
    return code;
}

int cmd_delete(int argc, char **argv, const cli_global *g)
{
    const char *study = NULL;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (argv[i][0] == '-')
            return cli_usage("delete: unknown option '%s'", argv[i]);
        else if (!study)
            study = argv[i];
        else
            return cli_usage("delete takes one study, got '%s' and '%s'", study, argv[i]);
    }
    if (!study)
        return cli_usage("usage: liandan delete STUDY [--force]");
    ld_db *db = NULL;
    int code = cli_open_journal(g, &db);
    if (code != EXIT_OK)
        return code;
    char **deleted = NULL;
    size_t n = 0;
    ld_status st = ld_db_delete_study(db, study, force, &deleted, &n);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    } else {
        if (g->json) {
            printf("{");
            print_names("deleted", deleted, n);
            printf("}\n");
        }
        for (size_t i = 0; i < n && !g->quiet; i++)
            fprintf(stderr, "liandan: deleted study %s\n", deleted[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(deleted[i]);
    free(deleted);
    ld_db_close(db);
    return code;
}

int cmd_rename(int argc, char **argv, const cli_global *g)
{
    if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
        return cli_usage("usage: liandan rename STUDY NEW_NAME");
    ld_db *db = NULL;
    int code = cli_open_journal(g, &db);
    if (code != EXIT_OK)
        return code;
    ld_status st = ld_db_rename_study(db, argv[1], argv[2]);
    if (st != LD_OK)
        code = cli_fail(st, "%s", ld_db_errmsg(db));
    else if (!g->quiet)
        fprintf(stderr, "liandan: renamed %s to %s; its sweep file still names %s: run it with "
                        "--name %s to go on with this study\n",
                argv[1], argv[2], argv[1], argv[2]);
    ld_db_close(db);
    return code;
}

int cmd_copy(int argc, char **argv, const cli_global *g)
{
    const char *study = NULL, *url = NULL, *as = NULL, *v;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_option(argc, argv, &i, "--to")))
            url = v;
        else if ((v = cli_option(argc, argv, &i, "--as")))
            as = v;
        else if (argv[i][0] == '-')
            return cli_usage("copy: unknown option '%s'", argv[i]);
        else if (!study)
            study = argv[i];
        else
            return cli_usage("copy takes one study, got '%s' and '%s'", study, argv[i]);
    }
    if (!study || (!url && !as))
        return cli_usage("usage: liandan copy STUDY --to URL [--as NEW_NAME]   (or, within the "
                         "journal, copy STUDY --as NEW_NAME)");
    ld_db *from = NULL, *to = NULL;
    int code = cli_open_journal(g, &from);
    if (code != EXIT_OK)
        return code;
    if (url) {
        ld_status st = ld_db_open(url, &to);
        if (st != LD_OK) {
            code = cli_fail(st, "the destination %s: %s", url, ld_db_errmsg(to));
            ld_db_close(to);
            ld_db_close(from);
            return code;
        }
    }
    char **copied = NULL;
    size_t n = 0, trials = 0;
    ld_db *dest = to ? to : from;
    ld_status st = ld_db_copy_study(from, study, dest, as, &copied, &n, &trials);
    if (st != LD_OK) {
        code = cli_fail(st, "%s", ld_db_errmsg(dest));
    } else {
        if (g->json) {
            printf("{\"study\": ");
            out_json_string(stdout, study);
            printf(", ");
            print_names("copied", copied, n);
            printf(", \"trials\": %zu}\n", trials);
        }
        if (!g->quiet)
            fprintf(stderr, "liandan: copied study %s%s%s (%zu stud%s, %zu trial%s)%s%s; its "
                            "trials' log files stay where they are\n",
                    study, as ? " as " : "", as ? as : "", n, n == 1 ? "y" : "ies", trials,
                    trials == 1 ? "" : "s", url ? " to " : "", url ? url : "");
    }
    for (size_t i = 0; i < n; i++)
        free(copied[i]);
    free(copied);
    ld_db_close(to);
    ld_db_close(from);
    return code;
}
