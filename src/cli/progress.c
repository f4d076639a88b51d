/*
 * progress.c — what `liandan run` shows while it works. On a terminal: a block redrawn in place
 * (trials done/total, best so far, elapsed and ETA, each running trial with its latest metrics)
 * under a scrolling list of finished trials. Otherwise: one plain line per event. All on stderr,
 * so stdout stays for data.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

#define MAX_SHOWN 16

typedef struct {
    int number;
    char params[200];
    char latest[200];
} running_row;

struct cli_progress {
    char *study;
    char *metric;
    int quiet, tty;
    int drawn_lines;
    size_t done_at_start;
    int first_event;
    running_row rows[MAX_SHOWN];
    int n_rows;
};

cli_progress *cli_progress_new(const char *study, const char *metric, int quiet)
{
    cli_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->study = strdup(study);
    p->metric = strdup(metric ? metric : "value");
    p->quiet = quiet;
    p->tty = isatty(STDERR_FILENO);
    p->first_event = 1;
    return p;
}

static void erase_block(cli_progress *p)
{
    if (p->tty && p->drawn_lines > 0) {
        fprintf(stderr, "\033[%dA\033[J", p->drawn_lines);
        p->drawn_lines = 0;
    }
}

void cli_progress_free(cli_progress *p)
{
    if (!p)
        return;
    erase_block(p);
    free(p->study);
    free(p->metric);
    free(p);
}

static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static running_row *row_of(cli_progress *p, int number)
{
    for (int i = 0; i < p->n_rows; i++)
        if (p->rows[i].number == number)
            return &p->rows[i];
    return NULL;
}

/* Lines of the live block must not wrap, or moving the cursor back up would miss. */
static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 80;
}

static void draw_block(cli_progress *p, const ld_event *ev)
{
    int width = terminal_width() - 1;
    char elapsed[32], eta[48] = "", best[40] = "-";
    out_duration(ev->elapsed, elapsed, sizeof elapsed);
    size_t done_here = ev->done - p->done_at_start;
    if (ev->budget > ev->done && done_here > 0) {
        /* seconds per finished trial in this run, parallelism included */
        double per = ev->elapsed / (double)done_here;
        char d[32];
        out_duration(per * (double)(ev->budget - ev->done), d, sizeof d);
        snprintf(eta, sizeof eta, "  ETA %s", d);
    }
    if (ev->has_best)
        out_number(ev->best_value, best, sizeof best);
    char total[32] = "";
    if (ev->budget)
        snprintf(total, sizeof total, "/%zu", ev->budget);
    char line[512], trial[16] = "";
    if (ev->has_best)
        snprintf(trial, sizeof trial, " (#%d)", ev->best_number);
    snprintf(line, sizeof line, "%zu%s done  %zu running  best %s=%s%s  %s%s", ev->done, total,
             ev->running, p->metric, best, trial, elapsed, eta);
    int room = width - (int)strlen(p->study) - 2;
    fprintf(stderr, "\033[1m%s\033[0m  %.*s\n", p->study, room > 0 ? room : 0, line);
    p->drawn_lines = 1;
    for (int i = 0; i < p->n_rows; i++) {
        snprintf(line, sizeof line, "  #%-4d %s  %s", p->rows[i].number, p->rows[i].params,
                 p->rows[i].latest);
        fprintf(stderr, "%.*s\n", width, line);
        p->drawn_lines++;
    }
}

static void end_line(cli_progress *p, const ld_trial *t)
{
    char value[40] = "", dur[32];
    out_duration(out_trial_duration(t), dur, sizeof dur);
    if (t->has_value)
        out_number(t->value, value, sizeof value);
    fprintf(stderr, "trial %d %s", t->number, ld_trial_state_name(t->state));
    if (t->has_value)
        fprintf(stderr, " %s=%s", p->metric, value);
    fprintf(stderr, " (%s)", dur);
    if (t->reason && t->state != LD_TRIAL_COMPLETE) {
        const char *nl = strchr(t->reason, '\n');
        int len = nl ? (int)(nl - t->reason) : (int)strlen(t->reason);
        fprintf(stderr, ": %.*s", len > 160 ? 160 : len, t->reason);
    }
    fputc('\n', stderr);
}

void cli_progress_event(const ld_event *ev, void *user)
{
    cli_progress *p = user;
    if (!p)
        return;
    if (p->first_event) {
        p->done_at_start = ev->done;
        p->first_event = 0;
    }
    if (ev->kind == LD_EV_NOTE) {
        erase_block(p);
        fprintf(stderr, "liandan: %s\n", ev->text);
    }
    if (p->quiet)
        return;
    char params[400];
    switch (ev->kind) {
    case LD_EV_START:
        out_params(ev->trial, params, sizeof params);
        if (p->n_rows < MAX_SHOWN) {
            running_row *r = &p->rows[p->n_rows++];
            r->number = ev->trial->number;
            copy_text(r->params, sizeof r->params, params);
            r->latest[0] = '\0';
        }
        if (!p->tty)
            fprintf(stderr, "trial %d started: %s%s%s%s\n", ev->trial->number, params,
                    ev->text ? " (" : "", ev->text ? ev->text : "", ev->text ? ")" : "");
        break;
    case LD_EV_METRIC: {
        running_row *r = row_of(p, ev->trial->number);
        if (r)
            copy_text(r->latest, sizeof r->latest, ev->text);
        break;
    }
    case LD_EV_END: {
        running_row *r = row_of(p, ev->trial->number);
        if (r) {
            *r = p->rows[--p->n_rows];
        }
        erase_block(p);
        end_line(p, ev->trial);
        break;
    }
    default:
        break;
    }
    if (p->tty && ev->kind != LD_EV_NOTE) {
        erase_block(p);
        draw_block(p, ev);
    }
    fflush(stderr);
}
