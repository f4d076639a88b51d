/*
 * main.c — the `liandan` program: global options, the subcommand table and help.
 *
 * Subcommands are dispatched from one table (as git.c does); `liandan help CMD` and
 * `liandan CMD --help` print the same text, from the table.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/suggest.h"

int cmd_run(int argc, char **argv, const cli_global *g);
int cmd_status(int argc, char **argv, const cli_global *g);
int cmd_trials(int argc, char **argv, const cli_global *g);
int cmd_show(int argc, char **argv, const cli_global *g);
int cmd_best(int argc, char **argv, const cli_global *g);
int cmd_export(int argc, char **argv, const cli_global *g);
int cmd_note(int argc, char **argv, const cli_global *g);
int cmd_stop(int argc, char **argv, const cli_global *g);
int cmd_ask(int argc, char **argv, const cli_global *g);
int cmd_tell(int argc, char **argv, const cli_global *g);
int cmd_report_main(int argc, char **argv, const cli_global *g);
int cmd_record(int argc, char **argv, const cli_global *g);
int cmd_plot(int argc, char **argv, const cli_global *g);
int cmd_dashboard(int argc, char **argv, const cli_global *g);
int cmd_data(int argc, char **argv, const cli_global *g);
int cmd_init(int argc, char **argv, const cli_global *g);
int cmd_refine(int argc, char **argv, const cli_global *g);
int cmd_retry(int argc, char **argv, const cli_global *g);
int cmd_enqueue(int argc, char **argv, const cli_global *g);
int cmd_delete(int argc, char **argv, const cli_global *g);
int cmd_rename(int argc, char **argv, const cli_global *g);
int cmd_copy(int argc, char **argv, const cli_global *g);
static int cmd_help(int argc, char **argv, const cli_global *g);
static int cmd_version(int argc, char **argv, const cli_global *g);
static int unknown_command(const char *name);

static const cli_command commands[] = {
    {"run", cmd_run, "run SWEEP.yaml [options]",
     "run a sweep: launch trials in parallel and journal every one",
     "  --trials N      trial budget for the study (overrides budget.trials / run_cap)\n"
     "  --time T        wall-time budget of this run: 90s, 15m, 2h (overrides budget.time)\n"
     "  --parallel N    trials at a time (overrides parallel)\n"
     "  --name NAME     study name (overrides name; default: the file's base name)\n"
     "  --from STUDY    warm start: the finished trials of STUDY that fit this space inform\n"
     "                  the sampler (overrides the sweep's parent)\n"
     "A sweep with stages: (a playbook) runs its stages one after the other, each a study\n"
     "NAME.STAGE; run it again to resume in the stage where it stopped (docs/playbook.md).\n"
     "  -q              no progress, only the final summary\n"
     "Ctrl-C once: start no new trial, let the running ones finish. Twice: stop them too\n"
     "(they are re-queued). SIGUSR1: as Ctrl-C once. SIGTERM (scancel, preemption): the\n"
     "running trials get SIGTERM and $LIANDAN_TERM_GRACE (20s) to finish; the others are\n"
     "re-queued. Running the same sweep again resumes the study.\n"},
    {"status", cmd_status, "status [STUDY] [--json]",
     "studies in the journal with trial counts and best values", ""},
    {"trials", cmd_trials, "trials STUDY [--state STATE] [--limit N] [--columns K,K] [--json]",
     "one row per trial: state, value, duration, summary metrics, params",
     "  --state STATE   only trials in this state (queued, running, complete, pruned, failed)\n"
     "  --columns K,K   these metrics as columns, each trial's last value (default: the\n"
     "                  summary metrics, those printed once such as test_acc=; none: no column)\n"},
    {"show", cmd_show, "show STUDY TRIAL [--json]",
     "one trial: params, per-step metrics, exit status, log tail", ""},
    {"best", cmd_best, "best STUDY [--json]", "the best complete trial",
     "Of a playbook (a sweep with stages:): the configuration its confirm stage chose, with the\n"
     "mean and sd over the seeds of the objective and of every summary metric (test_acc=).\n"},
    {"export", cmd_export, "export STUDY --format csv|json [-o FILE]",
     "the whole study as CSV (one row per trial) or JSON (with every metric series)",
     "  --format F      csv or json\n"
     "  -o FILE         write to FILE instead of stdout\n"},
    {"note", cmd_note, "note STUDY [--why TEXT] [--conclusion TEXT] [--next TEXT]",
     "record why a study was run, what it showed, and what to try next; no option prints them",
     "  --why TEXT          why the study was run (its description)\n"
     "  --conclusion TEXT   what was concluded\n"
     "  --next TEXT         what to try next\n"},
    {"stop", cmd_stop, "stop STUDY TRIAL",
     "stop a running trial by hand (its tuner ends it and records it pruned)", ""},
    {"retry", cmd_retry, "retry STUDY [--state failed|pruned] [TRIAL...]",
     "re-queue finished trials with the same parameters; the next run runs them first",
     "  --state S       which trials: failed (default) or pruned; or name TRIAL numbers\n"
     "Each re-run supersedes its original (requeued_as), so the trial budget is unchanged.\n"},
    {"enqueue", cmd_enqueue, "enqueue STUDY KEY=VALUE...",
     "queue a trial with these parameters (the others at their defaults); the next run runs it",
     "Values are checked against the sweep's space. As Optuna's enqueue_trial: a trial to try\n"
     "first, such as a paper's settings; it runs even when the budget is spent.\n"},
    {"delete", cmd_delete, "delete STUDY [--force]",
     "delete a study with its trials, metrics and log files (a playbook with its stages)",
     "  --force         also while trials of it run (their tuners then fail to record them)\n"},
    {"rename", cmd_rename, "rename STUDY NEW_NAME",
     "rename a study (a playbook with its stages); parent links follow", ""},
    {"copy", cmd_copy, "copy STUDY --to URL [--as NEW_NAME]",
     "copy a study with every trial to another journal (SQLite, PostgreSQL), or within one",
     "  --to URL        the destination journal (created when it is a new SQLite file)\n"
     "  --as NEW_NAME   the copy's name (default: the same; needed within one journal)\n"},
    {"ask", cmd_ask, "ask STUDY | ask --sweep SWEEP.yaml [--name NAME]",
     "claim a trial and print its params as JSON (for your own loop; see tell)",
     "  --sweep FILE    create or join the study of this sweep file\n"
     "  --name NAME     the study name when --sweep is given\n"},
    {"tell", cmd_tell, "tell STUDY TRIAL [--value V] [--state complete|pruned|failed]",
     "record the end of an asked trial",
     "  --value V       the objective (default: from reported values)\n"
     "  --state S       complete (default), pruned or failed\n"
     "  --reason TEXT   why it failed or was pruned\n"},
    {"record", cmd_record, "record STUDY TRIAL KEY=VALUE... [--step S]",
     "record intermediate values of an asked trial; prints stop=1 when it should stop",
     "  --step S        the step (default: the step key in the pairs, else the report count)\n"
     "The older spelling 'report STUDY TRIAL KEY=VALUE...' does the same.\n"},
    {"report", cmd_report_main, "report STUDY [-o report.html]",
     "write the study's HTML report",
     "One self-contained HTML file (inline SVG, no network): the study's why, conclusion and\n"
     "counts, learning curves, history, parallel coordinates, slice plots, parameter\n"
     "importance and a sortable table of every trial.\n"
     "  -o FILE         write to FILE (default report.html; - for stdout)\n"},
    {"plot", cmd_plot, "plot STUDY --kind KIND [--trial N] [-o FILE.svg]",
     "one chart of the report as an SVG file (--json: the data behind it)",
     "  --kind KIND     curves (all trials' validation curves, or one trial's with --trial),\n"
     "                  history, parallel, slice or importance\n"
     "  --trial N       with --kind curves: that trial's train and validation curves\n"
     "  -o FILE         write to FILE (default: stdout)\n"},
    {"dashboard", cmd_dashboard, "dashboard [--port 8080] [--bind 127.0.0.1]",
     "a read-only live web view of every study's report, refreshing while trials run",
     "  --port N        the port (default 8080; 0: any free port, printed on start)\n"
     "  --bind ADDR     the IPv4 address to listen on (default 127.0.0.1: this machine only)\n"
     "The journal is opened read-only: the dashboard never writes and never blocks a tuner.\n"
     "Ctrl-C stops it.\n"},
    {"refine", cmd_refine, "refine STUDY [--top K] [-o next.yaml]",
     "coarse to fine: write a sweep narrowed around the study's best trials",
     "  --top K         narrow around the best K complete trials (default: the best tenth,\n"
     "                  at least 3)\n"
     "  -o FILE         write the sweep to FILE (default: stdout)\n"
     "Ranges shrink to the top trials' span plus a margin on each parameter's own scale (log\n"
     "stays log); categories outside the top are dropped; parameters of under 5% importance\n"
     "are frozen at the best value (with 10 or more complete trials; a categorical one only\n"
     "when the top trials agree on it). The new sweep names this study as its parent: its\n"
     "trials warm-start the new study's sampler.\n"},
    {"data", cmd_data, "data TOOL [FILE...] [options]",
     "know, shrink and split text-classification data (TSV label<TAB>text or fastText)",
     "Tools:\n"
     "  stats FILE... [--json]          classes, shares, imbalance, token lengths, vocabulary,\n"
     "                                  duplicates; OOV rate and leakage of dev/test vs train\n"
     "  sample FILE -o OUT (--n N | --fraction F) [--stratify] [--seed S]\n"
     "  classes FILE -o OUT (--top K | --keep a,b,...)\n"
     "  balance FILE -o OUT (--oversample | --undersample) [--ratio R]\n"
     "                                  every class ends with >= R x the largest (default 1)\n"
     "  split FILE -o DIR --dev F --test F [--stratify] [--seed S]\n"
     "                                  writes DIR/train, dev and test (.tsv, or .txt)\n"
     "  badcases PREDICTIONS.tsv [--top N] [--json]\n"
     "                                  from gold<TAB>predicted<TAB>confidence<TAB>text: accuracy,\n"
     "                                  per-class P/R/F1, confusion, most confident mistakes\n"
     "  debian -o DIR [--dumpavail FILE]  a corpus from the Debian package index (offline)\n"
     "  fetch NAME -o DIR [--sha256 FILE=HEX] [--from SRC]\n"
     "                                  trec, mr, sst2, subj, cr, mpqa from their publishers,\n"
     "                                  checksum-verified; --from converts files downloaded by hand\n"
     "Options:\n"
     "  --format F      output format: tsv or fasttext (default: the input's)\n"
     "  --stratify      keep each class's share (within one example; no class is dropped)\n"
     "  --seed S        the random seed (default 0): the same seed gives the same output\n"
     "Bad lines are reported as FILE:LINE; outputs appear only when complete.\n"
     "See docs/data.md.\n"},
    {"init", cmd_init, "init --preset NAME [--data DIR [--time T]] [-o FILE] [--force]",
     "write a commented sweep file with the tuning playbook's starting ranges",
     "  --preset NAME   textcnn, rcnn, mlp or generic; with --data: textcnn, rcnn or fasttext\n"
     "  --data DIR      write a playbook (a sweep with stages:) fitted to DIR/train.tsv,\n"
     "                  dev.tsv and test.tsv: `data stats` decides the sample size, oversampling\n"
     "                  and class subsets, written in as comments (docs/playbook.md)\n"
     "  --time T        the playbook's time budget, shared by its stages (default 15m)\n"
     "  -o FILE         write to FILE (not overwritten without --force) instead of stdout\n"},
    {"help", cmd_help, "help [COMMAND | --man]", "this help, or one command's",
     "  --man           the manual page, liandan.1 (roff), from this same help\n"},
    {"version", cmd_version, "version", "print the version", ""},
};

#define N_COMMANDS (sizeof commands / sizeof *commands)

const cli_command *cli_find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static const char global_help[] =
    "Global options (any command):\n"
    "  --storage URL   the journal: sqlite:///path.db (default ./liandan.db, or\n"
    "                  $LIANDAN_STORAGE), or postgresql://user@host/db for many machines\n"
    "  --json          machine-readable output on stdout\n"
    "  -q, --quiet     less output\n"
    "  -h, --help      help\n"
    "Exit status: 0 ok, 1 a trial or run failed, 2 bad usage or input, 3 storage error.\n";

int cli_help(const cli_command *cmd, FILE *out)
{
    fprintf(out, "usage: liandan %s\n\n%s.\n", cmd->usage, cmd->summary);
    if (cmd->help && *cmd->help)
        fprintf(out, "\n%s", cmd->help);
    fprintf(out, "\n%s", global_help);
    return EXIT_OK;
}

static void overview(FILE *out)
{
    fprintf(out, "liandan %s — runs your training command with sampled hyperparameters, in\n"
                 "parallel, and keeps a journal of every trial.\n\n"
                 "usage: liandan COMMAND [options]\n\nCommands:\n",
            LD_VERSION);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n%s\n'liandan help COMMAND' or 'liandan COMMAND --help' for one command.\n",
            global_help);
}

static int cmd_help(int argc, char **argv, const cli_global *g)
{
    (void)g;
    if (argc < 2) {
        overview(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--man")) { /* liandan.1, from this same table */
        cli_write_man(stdout, commands, N_COMMANDS, global_help);
        return EXIT_OK;
    }
    const cli_command *cmd = cli_find(argv[1]);
    if (!cmd)
        return unknown_command(argv[1]);
    return cli_help(cmd, stdout);
}

/* "no command 'stauts' (did you mean 'status'?)". */
static int unknown_command(const char *name)
{
    const char *names[sizeof commands / sizeof *commands];
    size_t n = 0;
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        names[n++] = commands[i].name;
    const char *hint = ld_suggest(name, names, n, NULL);
    if (hint)
        return cli_usage("no command '%s' (did you mean '%s'?); 'liandan help' lists them", name,
                         hint);
    return cli_usage("no command '%s'; 'liandan help' lists them", name);
}

static int cmd_version(int argc, char **argv, const cli_global *g)
{
    (void)argc;
    (void)argv;
    if (g->json)
        printf("{\"version\": \"%s\"}\n", LD_VERSION);
    else
        printf("liandan %s\n", LD_VERSION);
    return EXIT_OK;
}

/* Takes the global options out of argv wherever they stand; returns the new argc, or -1. */
static int strip_globals(int argc, char **argv, cli_global *g, int *want_help)
{
    int out = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            while (i < argc)
                argv[out++] = argv[i++];
            break;
        }
        if (strcmp(a, "--json") == 0) {
            g->json = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            g->quiet = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            *want_help = 1;
        } else if (strncmp(a, "--storage=", 10) == 0) {
            g->storage = a + 10;
        } else if (strcmp(a, "--storage") == 0) {
            if (i + 1 >= argc)
                return -1;
            g->storage = argv[++i];
        } else {
            argv[out++] = argv[i];
        }
    }
    return out;
}

int main(int argc, char **argv)
{
    cli_global g = {0};
    int want_help = 0;
    int n = strip_globals(argc - 1, argv + 1, &g, &want_help);
    if (n < 0)
        return cli_usage("--storage needs a URL such as sqlite:///liandan.db");
    char **args = argv + 1;
    if (n == 0) {
        overview(want_help ? stdout : stderr);
        return want_help ? EXIT_OK : EXIT_USAGE;
    }
    if (!strcmp(args[0], "--version") || !strcmp(args[0], "-V"))
        return cmd_version(n, args, &g);
    const cli_command *cmd = cli_find(args[0]);
    if (!cmd)
        return unknown_command(args[0]);
    if (want_help)
        return cli_help(cmd, stdout);
    return cmd->run(n, args, &g);
}
