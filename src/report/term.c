/*
 * term.c — charts for the terminal: a trial's learning curves in braille (each character cell
 * holds 2 x 4 dots, so a 60-column chart has 120 points across), the best-so-far history as a
 * sparkline, and parameter importance as bars of eighth blocks. Colours are ANSI and only when
 * the caller asks (the CLI asks on a terminal with NO_COLOR unset); without colour the second
 * curve of a pair is drawn with bullets so train and validation stay apart.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_data.h"

#define LABEL_W 9
static const char *const series_color[] = {"\033[34m", "\033[31m"}; /* train blue, val red */
#define RESET "\033[0m"

/* Writes code point cp as UTF-8. */
static void put_utf8(FILE *f, unsigned cp)
{
    if (cp < 0x80) {
        fputc((int)cp, f);
    } else if (cp < 0x800) {
        fputc(0xc0 | (int)(cp >> 6), f);
        fputc(0x80 | (int)(cp & 0x3f), f);
    } else {
        fputc(0xe0 | (int)(cp >> 12), f);
        fputc(0x80 | (int)((cp >> 6) & 0x3f), f);
        fputc(0x80 | (int)(cp & 0x3f), f);
    }
}

/* The braille bit of dot (dx, dy) in a cell: dx 0..1, dy 0..3 from the top. */
static unsigned char braille_bit(int dx, int dy)
{
    static const unsigned char bits[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};
    return bits[dx][dy];
}

typedef struct {
    int cols, rows;         /* plot cells */
    unsigned char *dots;    /* [rows * cols] braille bits */
    signed char *owner;     /* [rows * cols] the series that last drew in the cell, -1 none */
} canvas;

static void plot_dot(canvas *c, int px, int py, int series)
{
    if (px < 0 || py < 0 || px >= c->cols * 2 || py >= c->rows * 4)
        return;
    int cell = (py / 4) * c->cols + px / 2;
    c->dots[cell] |= braille_bit(px % 2, py % 4);
    c->owner[cell] = (signed char)series;
}

static void plot_line(canvas *c, int x0, int y0, int x1, int y1, int series)
{
    int dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) { /* Bresenham */
        plot_dot(c, x0, y0, series);
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * err;
        if (e2 >= dy)
            err += dy, x0 += sx;
        if (e2 <= dx)
            err += dx, y0 += sy;
    }
}

/* One chart of up to two series sharing axes. */
static void chart(FILE *f, const char *title, const ld_series *const *s, size_t n_series,
                  const ld_term_opts *o)
{
    int width = o->width > 0 ? o->width : 72, rows = o->height > 0 ? o->height : 10;
    int cols = width - LABEL_W - 2;
    if (cols < 10)
        cols = 10;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t k = 0; k < n_series; k++)
        for (size_t i = 0; i < s[k]->n; i++) {
            double x = s[k]->steps[i], y = s[k]->values[i];
            if (!isfinite(x) || !isfinite(y))
                continue;
            xlo = x < xlo ? x : xlo, xhi = x > xhi ? x : xhi;
            ylo = y < ylo ? y : ylo, yhi = y > yhi ? y : yhi;
        }
    fputs(title, f);
    fputs(":", f);
    for (size_t k = 0; k < n_series; k++) {
        fputs("  ", f);
        if (o->color)
            fputs(series_color[k], f);
        if (k == 0 || o->color)
            put_utf8(f, 0x2812), put_utf8(f, 0x2812); /* a braille stroke */
        else
            put_utf8(f, 0x2022); /* the bullet the plain chart draws it with */
        fprintf(f, " %s", s[k]->key);
        if (o->color)
            fputs(RESET, f);
    }
    fputc('\n', f);
    if (xlo > xhi) {
        fputs("  (no finite values)\n", f);
        return;
    }
    if (xlo == xhi)
        xlo -= 0.5, xhi += 0.5;
    if (ylo == yhi) {
        double d = ylo ? fabs(ylo) * 0.05 : 0.5;
        ylo -= d, yhi += d;
    }
    canvas c = {.cols = cols, .rows = rows};
    c.dots = calloc((size_t)(cols * rows), 1);
    c.owner = malloc((size_t)(cols * rows));
    if (!c.dots || !c.owner) {
        free(c.dots), free(c.owner);
        return;
    }
    memset(c.owner, -1, (size_t)(cols * rows));
    int W = cols * 2 - 1, H = rows * 4 - 1;
    for (size_t k = 0; k < n_series; k++) {
        int have = 0, px = 0, py = 0;
        for (size_t i = 0; i < s[k]->n; i++) {
            double x = s[k]->steps[i], y = s[k]->values[i];
            if (!isfinite(x) || !isfinite(y)) {
                have = 0;
                continue;
            }
            int nx = (int)lround((x - xlo) / (xhi - xlo) * W);
            int ny = H - (int)lround((y - ylo) / (yhi - ylo) * H);
            if (have)
                plot_line(&c, px, py, nx, ny, (int)k);
            else
                plot_dot(&c, nx, ny, (int)k);
            px = nx, py = ny, have = 1;
        }
    }
    for (int r = 0; r < rows; r++) {
        char label[32] = "";
        if (r == 0)
            rd_format(yhi, label, sizeof label);
        else if (r == rows - 1)
            rd_format(ylo, label, sizeof label);
        else if (r == rows / 2)
            rd_format(ylo + (yhi - ylo) * (1 - (r * 4 + 1.5) / (double)H), label, sizeof label);
        fprintf(f, "%*s ", LABEL_W - 1, label);
        put_utf8(f, label[0] ? 0x2524 : 0x2502); /* ┤ at a label, │ elsewhere */
        int cur = -1;
        for (int x = 0; x < cols; x++) {
            int cell = r * cols + x, who = c.owner[cell];
            if (o->color && who != cur) {
                fputs(who >= 0 ? series_color[who] : RESET, f);
                cur = who;
            }
            if (who < 0)
                fputc(' ', f);
            else if (who >= 1 && !o->color)
                put_utf8(f, 0x2022);
            else
                put_utf8(f, 0x2800 + c.dots[cell]);
        }
        if (o->color && cur >= 0)
            fputs(RESET, f);
        fputc('\n', f);
    }
    fprintf(f, "%*s ", LABEL_W - 1, "");
    put_utf8(f, 0x2514); /* └ */
    for (int x = 0; x < cols; x++)
        put_utf8(f, 0x2500);
    fputc('\n', f);
    /* one line under the axis: first step, "step" in the middle, last step at the end */
    char a[32], b[32], line[512];
    rd_format(xlo, a, sizeof a);
    rd_format(xhi, b, sizeof b);
    int len = cols + 1 < (int)sizeof line ? cols + 1 : (int)sizeof line - 1;
    memset(line, ' ', (size_t)len);
    line[len] = '\0';
    size_t la = strlen(a), lb = strlen(b);
    if ((int)(la + lb + 6) <= len) {
        memcpy(line + 1, a, la);
        memcpy(line + len - lb, b, lb);
        memcpy(line + len / 2 - 2, "step", 4);
    }
    fprintf(f, "%*s%s\n", LABEL_W - 1, "", line);
    free(c.dots);
    free(c.owner);
}

ld_status ld_term_trial_curves(const ld_trial *t, const ld_term_opts *opts, FILE *f)
{
    ld_term_opts none = {0};
    if (!opts)
        opts = &none;
    const char **keys = malloc((t->n_series ? t->n_series : 1) * sizeof *keys);
    if (!keys)
        return LD_ERR_NOMEM;
    for (size_t i = 0; i < t->n_series; i++)
        keys[i] = t->series[i].key;
    rd_group *g = NULL;
    size_t n = 0;
    ld_status st = rd_groups_compute(keys, t->n_series, &g, &n);
    free(keys);
    if (st != LD_OK)
        return st;
    if (n == 0)
        fputs("(the trial reported no metrics)\n", f);
    for (size_t i = 0; i < n; i++) {
        const ld_series *s[2];
        for (size_t k = 0; k < g[i].n_keys; k++)
            s[k] = ld_trial_series(t, g[i].keys[k]);
        if (i)
            fputc('\n', f);
        chart(f, g[i].title, s, g[i].n_keys, opts);
    }
    rd_groups_free(g, n);
    return fflush(f) == 0 && !ferror(f) ? LD_OK : LD_ERR_IO;
}

/* ---- the study summary ----------------------------------------------------------------- */

ld_status ld_term_summary(const ld_report *r, const ld_term_opts *opts, FILE *f)
{
    ld_term_opts none = {0};
    if (!opts)
        opts = &none;
    int width = opts->width > 0 ? opts->width : 72;
    const rd_history *h = &r->history;
    fprintf(f, "best so far (%s, %s) over %zu complete trial%s:\n", r->info.metric,
            r->info.maximize ? "max" : "min", h->n, h->n == 1 ? "" : "s");
    if (h->n) {
        char a[32], b[32];
        rd_format(h->best[0], a, sizeof a);
        rd_format(h->best[h->n - 1], b, sizeof b);
        int cols = width - 4 - (int)strlen(a) - (int)strlen(b);
        if (cols < 8)
            cols = 8;
        if ((size_t)cols > h->n)
            cols = (int)h->n;
        double lo = h->best[0], hi = h->best[h->n - 1];
        if (lo > hi) {
            double x = lo;
            lo = hi, hi = x;
        }
        fprintf(f, "  %s ", a);
        if (opts->color)
            fputs("\033[32m", f);
        for (int c = 0; c < cols; c++) {
            /* each column shows the best at the end of its share of the trials */
            size_t i = ((size_t)(c + 1) * h->n) / (size_t)cols - 1;
            double p = hi > lo ? (h->best[i] - lo) / (hi - lo) : 1;
            if (!r->info.maximize)
                p = 1 - p; /* higher bar = better */
            put_utf8(f, 0x2581 + (unsigned)lround(p * 7));
        }
        if (opts->color)
            fputs(RESET, f);
        fprintf(f, " %s\n", b);
    }
    double sum = 0;
    for (size_t j = 0; j < r->n_params; j++)
        sum += r->importance[j];
    fputs("importance:\n", f);
    if (sum == 0) {
        fputs("  (not enough complete trials to judge: 4 or more)\n", f);
    } else {
        size_t name_w = 4;
        for (size_t j = 0; j < r->n_params; j++)
            if (strlen(r->axes[j].name) > name_w)
                name_w = strlen(r->axes[j].name);
        int bar_w = width - (int)name_w - 12;
        if (bar_w < 10)
            bar_w = 10;
        for (size_t k = 0; k < r->n_params; k++) {
            size_t j = r->by_importance[k];
            fprintf(f, "  %-*s ", (int)name_w, r->axes[j].name);
            long eighths = lround(r->importance[j] * bar_w * 8);
            if (opts->color)
                fputs("\033[36m", f);
            for (long e = eighths; e >= 8; e -= 8)
                put_utf8(f, 0x2588);
            if (eighths % 8)
                put_utf8(f, 0x2590 - (unsigned)(eighths % 8)); /* ▏..▉ */
            if (opts->color)
                fputs(RESET, f);
            int used = (int)(eighths / 8) + (eighths % 8 ? 1 : 0);
            fprintf(f, "%*s %5.1f%%\n", bar_w - used, "", 100 * r->importance[j]);
        }
    }
    return fflush(f) == 0 && !ferror(f) ? LD_OK : LD_ERR_IO;
}
