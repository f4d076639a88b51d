/*
 * manpage.c — `liandan help --man`: the manual page liandan.1, written from the same command
 * table as `--help` (main.c), so that the two never disagree. The Makefile builds
 * build/liandan.1 with it and `make install` puts it in share/man/man1.
 */
#include <string.h>

#include "cli.h"

/* Text as roff: backslashes escaped, hyphens as \-, a line never starting with . or '. */
static void roff_text(FILE *out, const char *s, size_t n)
{
    int at_start = 1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (at_start && (c == '.' || c == '\''))
            fputs("\\&", out);
        if (c == '\\')
            fputs("\\e", out);
        else if (c == '-')
            fputs("\\-", out);
        else
            fputc(c, out);
        at_start = c == '\n';
    }
}

static void roff_line(FILE *out, const char *s)
{
    roff_text(out, s, strlen(s));
    fputc('\n', out);
}

/* A block of pre-formatted lines (the options, aligned as in --help). */
static void roff_block(FILE *out, const char *text)
{
    if (!text || !*text)
        return;
    fputs(".RS\n.nf\n", out);
    roff_text(out, text, strlen(text));
    if (text[strlen(text) - 1] != '\n')
        fputc('\n', out);
    fputs(".fi\n.RE\n", out);
}

void cli_write_man(FILE *out, const cli_command *cmds, size_t n, const char *global_help)
{
    fprintf(out, ".TH LIANDAN 1 \"2026\" \"liandan %s\" \"User Commands\"\n", LD_VERSION);
    fputs(".SH NAME\n", out);
    roff_line(out, "liandan - tune hyperparameters: run training commands with sampled settings, "
                   "in parallel, and journal every trial");
    fputs(".SH SYNOPSIS\n.B liandan\n.I COMMAND\n[options]\n", out);
    fputs(".SH DESCRIPTION\n", out);
    roff_line(out, "liandan reads a sweep file (the W&B sweep YAML: a command, a search space and "
                   "a metric), launches trials as subprocesses with sampled parameters, reads the "
                   "key=value metric lines they print, stops hopeless ones early, and records "
                   "every trial in a journal (SQLite, or PostgreSQL for many machines) that the "
                   "other commands read, report and plot.");
    fputs(".SH COMMANDS\n", out);
    for (size_t i = 0; i < n; i++) {
        fputs(".TP\n.B ", out);
        roff_line(out, cmds[i].usage);
        roff_text(out, cmds[i].summary, strlen(cmds[i].summary));
        fputs(".\n", out);
        roff_block(out, cmds[i].help);
    }
    fputs(".SH OPTIONS\n", out);
    roff_block(out, global_help);
    fputs(".SH EXIT STATUS\n", out);
    roff_line(out, "0 ok, 1 a trial or run failed, 2 bad usage or bad input (sweep file, "
                   "arguments, unknown study), 3 storage error.");
    fputs(".SH ENVIRONMENT\n.TP\n.B LIANDAN_STORAGE\n", out);
    roff_line(out, "the journal's URL when --storage is not given (default ./liandan.db).");
    fputs(".SH FILES\n.TP\n.B liandan.db\n", out);
    roff_line(out, "the journal; trial logs in liandan.runs/STUDY/NUMBER.log beside it.");
    fputs(".SH SEE ALSO\n", out);
    roff_line(out, "docs/cli.md, docs/sweep.md and docs/playbook.md in the source tree.");
}
