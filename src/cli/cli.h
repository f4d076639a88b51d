/*
 * cli.h — what the subcommands of the `liandan` program share: the command table entry, global
 * options, exit codes, messages and output helpers. The CLI uses only the public API
 * (include/liandan.h); nothing from src/ internals.
 */
#ifndef LD_CLI_H
#define LD_CLI_H

#include <stdio.h>

#include "liandan.h"

/* Exit codes (DESIGN.md): listed in `liandan --help`. */
enum { EXIT_OK = 0, EXIT_RUN_FAILED = 1, EXIT_USAGE = 2, EXIT_STORAGE = 3 };

typedef struct {
    const char *storage; /* --storage URL, or NULL */
    int json;            /* --json */
    int quiet;           /* -q */
} cli_global;

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv, const cli_global *g);
    const char *usage;   /* "run SWEEP.yaml [options]" */
    const char *summary; /* one line for the command list */
    const char *help;    /* the options, one per line */
} cli_command;

const cli_command *cli_find(const char *name);
int cli_help(const cli_command *cmd, FILE *out);
/* The manual page (roff) for these commands (manpage.c). */
void cli_write_man(FILE *out, const cli_command *cmds, size_t n, const char *global_help);

/* Prints "liandan: <message>" to stderr; returns EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "liandan: <message>" and returns the exit code for status. */
int cli_fail(ld_status status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_exit_code(ld_status status);
/* Opens the storage named by --storage / LIANDAN_STORAGE (creating a new SQLite journal); on
   failure prints and returns the exit code. */
int cli_open_db(const cli_global *g, ld_db **db);
/* The same for commands that only look or annotate: a journal that does not exist is a storage
   error (exit 3), never created. */
int cli_open_journal(const cli_global *g, ld_db **db);

/* Parses a whole non-negative int; 0 on success. */
int cli_parse_int(const char *text, long *out);
int cli_parse_double(const char *text, double *out);
/* "--name=value" or "--name value": returns the value (advancing *i) or NULL when absent. */
const char *cli_option(int argc, char **argv, int *i, const char *name);

/* Output. */
void out_json_string(FILE *f, const char *s);
void out_json_number(FILE *f, double v);
void out_json_value(FILE *f, const ld_value *v);
void out_number(double v, char *buf, size_t size); /* shortest round-trip, or "-" for NaN */
void out_time(double t, char *buf, size_t size);   /* 2026-11-26T16:22:05.123Z, "" for 0 */
void out_duration(double seconds, char *buf, size_t size); /* 8.2s, 3m05s, 1h02m */
double out_trial_duration(const ld_trial *t);      /* 0 when it has not finished */
/* Writes a trial as the JSON object of DESIGN.md's export format. */
void out_trial_json(FILE *f, const ld_trial *t, int with_metrics);
/* "lr=0.001 optimizer=adam", floats to 4 significant digits (for tables and progress) */
void out_params(const ld_trial *t, char *buf, size_t size);
/* init --data DIR: a playbook for the data (init_playbook.c). */
int cli_init_playbook(const char *preset, const char *dir, double seconds, const char *out,
                      int force, const cli_global *g);
/* What a playbook chose (liandan best and the end of liandan run), as text or JSON. */
void cli_print_playbook_result(const char *name, const ld_playbook_result *r, int json);

/* Progress of `liandan run`, live on a terminal, one line per event otherwise. */
typedef struct cli_progress cli_progress;
cli_progress *cli_progress_new(const char *study, const char *metric, int quiet);
void cli_progress_free(cli_progress *p);
void cli_progress_event(const ld_event *ev, void *progress);

#endif
