/*
 * svg.c — draws the report data (report_data.h) as SVG: learning curves (one trial, and all
 * trials overlaid), optimization history, parallel coordinates, slice plots and importance.
 *
 * Every chart is one <svg class="chart" data-kind="..."> that carries its own presentation
 * attributes, so the same markup works inline in the HTML report and as a standalone .svg file.
 * Learning curves and parallel-coordinates lines are <path class="curve">; the browser tests
 * count them. Coordinates are written with one decimal: the report must stay small (a
 * 500-trial study well under 2 MB).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_data.h"

#define FONT "font-family=\"system-ui,sans-serif\" font-size=\"10\""
#define TRAIN_COLOR "#4c78a8"
#define VAL_COLOR "#e45756"
#define AXIS_COLOR "#888"
#define FADED 0.25

/* A plot area inside an SVG: pixel box and data window. */
typedef struct {
    double x, y, w, h;       /* pixels */
    double xlo, xhi, ylo, yhi;
    int xlog;                /* x is log-scaled (positions passed are values) */
} frame;

static double fx(const frame *f, double x)
{
    double p;
    if (f->xlog)
        p = (log(x) - log(f->xlo)) / (log(f->xhi) - log(f->xlo));
    else
        p = f->xhi > f->xlo ? (x - f->xlo) / (f->xhi - f->xlo) : 0.5;
    return f->x + p * f->w;
}

static double fy(const frame *f, double y)
{
    double p = f->yhi > f->ylo ? (y - f->ylo) / (f->yhi - f->ylo) : 0.5;
    if (p < -0.05)
        p = -0.05; /* a diverged value stays just below the frame rather than far off it */
    if (p > 1.05)
        p = 1.05;
    return f->y + (1 - p) * f->h;
}

static void open_svg(FILE *out, const char *kind, double w, double h, int standalone,
                     const char *title)
{
    fprintf(out, "<svg class=\"chart\" data-kind=\"%s\" %sviewBox=\"0 0 %.0f %.0f\" "
                 "width=\"%.0f\" height=\"%.0f\" " FONT " role=\"img\">",
            kind, standalone ? "xmlns=\"http://www.w3.org/2000/svg\" " : "", w, h, w, h);
    if (title) {
        fputs("<title>", out);
        rd_escape(out, title);
        fputs("</title>", out);
    }
    if (standalone)
        fprintf(out, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>", w, h);
    fputc('\n', out);
}

/* Up to about want "nice" ticks (1, 2, 5 times a power of ten) within [lo, hi]. */
static size_t nice_ticks(double lo, double hi, size_t want, double *out, size_t max)
{
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi)) {
        out[0] = lo;
        return 1;
    }
    double raw = (hi - lo) / (double)want;
    double mag = pow(10, floor(log10(raw)));
    double step = mag;
    if (raw / mag > 5)
        step = 10 * mag;
    else if (raw / mag > 2)
        step = 5 * mag;
    else if (raw / mag > 1)
        step = 2 * mag;
    size_t n = 0;
    for (double t = ceil(lo / step) * step; t <= hi + step * 1e-9 && n < max; t += step)
        out[n++] = fabs(t) < step * 1e-9 ? 0 : t;
    return n;
}

/* Decades within [lo, hi], or the two ends when fewer than two. */
static size_t log_ticks(double lo, double hi, double *out, size_t max)
{
    size_t n = 0;
    for (double e = ceil(log10(lo) - 1e-9); e <= floor(log10(hi) + 1e-9) && n < max; e++)
        out[n++] = pow(10, e);
    if (n < 2) {
        out[0] = lo;
        out[1] = hi;
        n = 2;
    }
    return n;
}

static void text(FILE *out, double x, double y, const char *anchor, const char *s)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
    rd_escape(out, s);
    fputs("</text>", out);
}

/* A pixel coordinate: one decimal, without a trailing ".0" (the report's bulk is numbers). */
static void coord(FILE *out, double v)
{
    long tenths = lround(v * 10);
    if (tenths % 10 == 0)
        fprintf(out, "%ld", tenths / 10);
    else
        fprintf(out, "%.1f", (double)tenths / 10);
}

/* The names of a frame's axes, either of them NULL. */
static void draw_axis_labels(FILE *out, const frame *f, const char *xlabel, const char *ylabel)
{
    if (xlabel)
        text(out, f->x + f->w / 2, f->y + f->h + 24, "middle", xlabel);
    if (ylabel) {
        fprintf(out, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" text-anchor=\"middle\">",
                f->x - 34, f->y + f->h / 2);
        rd_escape(out, ylabel);
        fputs("</text>", out);
    }
    fputc('\n', out);
}

/* The frame's axes, ticks and labels; xlabel/ylabel may be NULL. Grid lines, ticks and labels
   each go in one element or group: a report holds hundreds of these frames. */
static void draw_axes(FILE *out, const frame *f, const char *xlabel, const char *ylabel,
                      int integer_x)
{
    double yt[16], xt[16];
    char buf[32];
    size_t ny = nice_ticks(f->ylo, f->yhi, 4, yt, 16);
    size_t nx = f->xlog ? log_ticks(f->xlo, f->xhi, xt, 16) : nice_ticks(f->xlo, f->xhi, 5, xt, 16);
    fputs("<path stroke=\"#eee\" d=\"", out);
    for (size_t i = 0; i < ny; i++) {
        fputc('M', out), coord(out, f->x + 1), fputc(' ', out), coord(out, fy(f, yt[i]));
        fputc('H', out), coord(out, f->x + f->w);
    }
    fputs("\"/><path fill=\"none\" stroke=\"" AXIS_COLOR "\" d=\"M", out);
    coord(out, f->x), fputc(' ', out), coord(out, f->y), fputc('V', out);
    coord(out, f->y + f->h), fputc('H', out), coord(out, f->x + f->w);
    for (size_t i = 0; i < nx; i++) {
        if (integer_x && xt[i] != floor(xt[i]))
            continue;
        fputc('M', out), coord(out, fx(f, xt[i])), fputc(' ', out), coord(out, f->y + f->h);
        fputs("v3", out);
    }
    fputs("\"/><g text-anchor=\"end\">", out);
    for (size_t i = 0; i < ny; i++) {
        rd_format(yt[i], buf, sizeof buf);
        fputs("<text x=\"", out), coord(out, f->x - 3), fputs("\" y=\"", out);
        coord(out, fy(f, yt[i]) + 3), fprintf(out, "\">%s</text>", buf);
    }
    fputs("</g><g text-anchor=\"middle\">", out);
    for (size_t i = 0; i < nx; i++) {
        if (integer_x && xt[i] != floor(xt[i]))
            continue;
        rd_format(xt[i], buf, sizeof buf);
        fputs("<text x=\"", out), coord(out, fx(f, xt[i])), fputs("\" y=\"", out);
        coord(out, f->y + f->h + 12), fprintf(out, "\">%s</text>", buf);
    }
    fputs("</g>", out);
    draw_axis_labels(out, f, xlabel, ylabel);
}

/* A series as one path: NaN and infinite values break the line. */
/* The hover text of a trial's mark: "trial 7 (complete): val_acc=0.83; lr=0.001, dropout=0.3",
   as an SVG <title> child, which browsers show as a tooltip. */
static void trial_tip(FILE *out, const ld_report *r, const ld_trial *t)
{
    char v[40] = "-";
    double x = rd_trial_value(t);
    if (isfinite(x))
        rd_format(x, v, sizeof v);
    fprintf(out, "<title>trial %d (%s): ", t->number, ld_trial_state_name(t->state));
    rd_escape(out, r->info.metric ? r->info.metric : "value");
    fprintf(out, "=%s", v);
    for (size_t i = 0, first = 1; i < t->n_params; i++) {
        if (t->params[i].type == LD_VAL_NONE)
            continue;
        char pv[128];
        if (t->params[i].type == LD_VAL_FLOAT)
            snprintf(pv, sizeof pv, "%.4g", t->params[i].num);
        else
            ld_value_format(&t->params[i], pv, sizeof pv);
        fputs(first ? "; " : ", ", out);
        rd_escape(out, t->param_names[i]);
        fputc('=', out);
        rd_escape(out, pv);
        first = 0;
    }
    fputs("</title>", out);
}

static const ld_trial *trial_numbered(const ld_report *r, int number)
{
    for (size_t i = 0; i < r->n_trials; i++)
        if (r->trials[i].number == number)
            return &r->trials[i];
    return NULL;
}

/* A circle for trial t, with its number for highlighting and its hover text. */
static void trial_point(FILE *out, const ld_report *r, const ld_trial *t, double x, double y,
                        const char *fill)
{
    fprintf(out, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\"", x, y);
    if (fill)
        fprintf(out, " fill=\"%s\"", fill);
    if (!t) {
        fputs("/>", out);
        return;
    }
    fprintf(out, " data-trial=\"%d\">", t->number);
    trial_tip(out, r, t);
    fputs("</circle>", out);
}

/* tip: the trial whose hover text the path carries, or NULL. */
static void series_path(FILE *out, const frame *f, const ld_series *s, const char *color,
                        double opacity, const char *extra, const ld_report *r,
                        const ld_trial *tip)
{
    fprintf(out, "<path class=\"curve\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"", color);
    if (opacity < 1)
        fprintf(out, " stroke-opacity=\"%.2f\"", opacity);
    if (extra)
        fputs(extra, out);
    fputs(" d=\"", out);
    int pen = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->values[i]) || !isfinite(s->steps[i])) {
            pen = 0;
            continue;
        }
        fputc(pen ? 'L' : 'M', out);
        coord(out, fx(f, s->steps[i]));
        fputc(' ', out);
        coord(out, fy(f, s->values[i]));
        pen = 1;
    }
    if (s->n == 1 && pen) /* one point: a dot */
        fputs("h0.1", out);
    if (!tip) {
        fputs("\"/>", out);
        return;
    }
    fputs("\">", out);
    trial_tip(out, r, tip);
    fputs("</path>", out);
}

/* Where a pruned or failed trial stopped: a cross at its last finite point. */
static void stop_mark(FILE *out, const frame *f, const ld_series *s, const char *color)
{
    for (size_t i = s->n; i-- > 0;)
        if (isfinite(s->values[i]) && isfinite(s->steps[i])) {
            double x = fx(f, s->steps[i]), y = fy(f, s->values[i]);
            fprintf(out, "<path class=\"stop\" d=\"M%.1f %.1fl6 6m0 -6l-6 6\" stroke=\"%s\"/>",
                    x - 3, y - 3, color);
            return;
        }
}

static void series_span(const ld_series *s, double *xlo, double *xhi, double *ylo, double *yhi)
{
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->values[i]) || !isfinite(s->steps[i]))
            continue;
        if (s->steps[i] < *xlo)
            *xlo = s->steps[i];
        if (s->steps[i] > *xhi)
            *xhi = s->steps[i];
        if (s->values[i] < *ylo)
            *ylo = s->values[i];
        if (s->values[i] > *yhi)
            *yhi = s->values[i];
    }
}

static void widen(double *lo, double *hi)
{
    if (*lo > *hi)
        *lo = 0, *hi = 1;
    if (*lo == *hi) {
        double d = *lo ? fabs(*lo) * 0.05 : 0.5;
        *lo -= d, *hi += d;
    }
}

static int stopped_early(const ld_trial *t)
{
    return t->state == LD_TRIAL_PRUNED || t->state == LD_TRIAL_FAILED;
}

/* ---- one trial ------------------------------------------------------------------------- */

#define PANEL_W 190.0
#define PANEL_H 140.0

void rd_svg_curves(const ld_report *r, const ld_trial *t, FILE *out, int standalone)
{
    size_t *idx = malloc((r->n_groups ? r->n_groups : 1) * sizeof *idx);
    size_t m = idx ? rd_trial_groups(r, t, idx) : 0;
    char title[128];
    snprintf(title, sizeof title, "trial %d: learning curves", t->number);
    open_svg(out, "curves", PANEL_W * (double)(m ? m : 1), PANEL_H, standalone, title);
    for (size_t p = 0; p < m; p++) {
        const rd_group *g = &r->groups[idx[p]];
        frame f = {.x = PANEL_W * (double)p + 44, .y = 18, .w = PANEL_W - 54, .h = PANEL_H - 48,
                   .xlo = INFINITY, .xhi = -INFINITY, .ylo = INFINITY, .yhi = -INFINITY};
        for (size_t k = 0; k < g->n_keys; k++) {
            const ld_series *s = ld_trial_series(t, g->keys[k]);
            if (s)
                series_span(s, &f.xlo, &f.xhi, &f.ylo, &f.yhi);
        }
        widen(&f.xlo, &f.xhi);
        widen(&f.ylo, &f.yhi);
        fprintf(out, "<text x=\"%.1f\" y=\"10\" font-weight=\"bold\">", f.x - 40);
        rd_escape(out, g->title);
        fputs("</text>", out);
        draw_axes(out, &f, NULL, NULL, 1);
        /* the legend runs right-aligned along the top, one key after the other */
        double lx = f.x + f.w;
        for (size_t k = g->n_keys; k-- > 0;) {
            const char *color = g->n_keys == 2 && k == 0 ? TRAIN_COLOR : VAL_COLOR;
            if (g->n_keys == 1)
                color = TRAIN_COLOR;
            fprintf(out, "<text x=\"%.1f\" y=\"10\" text-anchor=\"end\" fill=\"%s\">", lx,
                    color);
            rd_escape(out, g->keys[k]);
            fputs("</text>", out);
            lx -= 5.6 * (double)strlen(g->keys[k]) + 8;
        }
        for (size_t k = 0; k < g->n_keys; k++) {
            const ld_series *s = ld_trial_series(t, g->keys[k]);
            const char *color = g->n_keys == 2 && k == 0 ? TRAIN_COLOR : VAL_COLOR;
            if (g->n_keys == 1)
                color = TRAIN_COLOR;
            if (s) {
                series_path(out, &f, s, color, 1, NULL, r, NULL);
                if (stopped_early(t) && k == g->n_keys - 1)
                    stop_mark(out, &f, s, "#000");
            }
        }
        fputc('\n', out);
    }
    if (!m)
        text(out, PANEL_W / 2, PANEL_H / 2, "middle", "no metrics reported");
    fputs("</svg>\n", out);
    free(idx);
}

/* A value's place on the colour ramp: brighter is better whatever the goal. */
static double goodness(const ld_report *r, double v)
{
    double t = (v - r->objective.lo) / (r->objective.hi - r->objective.lo);
    return r->info.maximize ? t : 1 - t;
}

static void ramp_legend(FILE *out, const ld_report *r, double x, double y, double w)
{
    fputs("<defs><linearGradient id=\"ld-ramp\">", out);
    for (int i = 0; i <= 4; i++) {
        char c[8];
        rd_color(i / 4.0, c);
        fprintf(out, "<stop offset=\"%d%%\" stop-color=\"%s\"/>", i * 25, c);
    }
    fputs("</linearGradient></defs>", out);
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"8\" fill=\"url(#ld-ramp)\"/>",
            x, y, w);
    char lo[32], hi[32];
    rd_format(r->info.maximize ? r->objective.lo : r->objective.hi, lo, sizeof lo);
    rd_format(r->info.maximize ? r->objective.hi : r->objective.lo, hi, sizeof hi);
    text(out, x - 3, y + 8, "end", lo);
    text(out, x + w + 3, y + 8, "start", hi);
}

/* ---- all trials ------------------------------------------------------------------------ */

/* "#N" at the last point of the three best complete trials' curves, so the eye finds them. */
static void label_best_curves(FILE *out, const ld_report *r, const frame *f, const char *key,
                              const unsigned char *keep)
{
    size_t best[3];
    size_t n = 0;
    for (size_t i = 0; key && keep && i < r->n_trials; i++) {
        const ld_trial *t = &r->trials[i];
        double v = rd_trial_value(t);
        if (!keep[i] || t->state != LD_TRIAL_COMPLETE || !isfinite(v) || !ld_trial_series(t, key))
            continue;
        size_t at = n < 3 ? n++ : 3; /* insertion into the best three, best first */
        while (at > 0 && goodness(r, v) > goodness(r, rd_trial_value(&r->trials[best[at - 1]]))) {
            if (at < 3)
                best[at] = best[at - 1];
            at--;
        }
        if (at < 3)
            best[at] = i;
    }
    for (size_t k = 0; k < n; k++) {
        const ld_trial *t = &r->trials[best[k]];
        const ld_series *s = ld_trial_series(t, key);
        for (size_t j = s->n; j-- > 0;)
            if (isfinite(s->values[j]) && isfinite(s->steps[j])) {
                char label[16];
                snprintf(label, sizeof label, "#%d", t->number);
                fprintf(out, "<g class=\"best-label\" data-trial=\"%d\">", t->number);
                text(out, fx(f, s->steps[j]) + 3, fy(f, s->values[j]) + 3, "start", label);
                fputs("</g>", out);
                break;
            }
    }
}

void rd_svg_overlay(const ld_report *r, FILE *out, int standalone)
{
    const double W = 720, H = 340;
    open_svg(out, "overlay", W, H, standalone, "validation curves of all trials");
    const char *key = r->overlay_key;
    frame f = {.x = 56, .y = 28, .w = W - 80, .h = H - 72, .xlo = INFINITY, .xhi = -INFINITY,
               .ylo = INFINITY, .yhi = -INFINITY};
    unsigned char *keep = malloc(r->n_trials ? r->n_trials : 1);
    size_t kept = keep ? rd_line_sample(r, keep) : 0;
    for (size_t i = 0; key && keep && i < r->n_trials; i++) {
        const ld_series *s = ld_trial_series(&r->trials[i], key);
        if (s && keep[i])
            series_span(s, &f.xlo, &f.xhi, &f.ylo, &f.yhi);
    }
    widen(&f.xlo, &f.xhi);
    widen(&f.ylo, &f.yhi);
    char head[160];
    snprintf(head, sizeof head, "%s per step, coloured by final %s", key ? key : "(nothing reported)",
             r->info.metric ? r->info.metric : "value");
    text(out, f.x, 14, "start", head);
    /* Zoomable (html.c's script): the ticks are redrawn for a zoomed window, the curves sit in
       a group that takes the zoom's transform, clipped to the frame (a little above and below
       it, where diverged values are drawn); data-frame gives the pixel box and data window. */
    fputs("<g class=\"ticks\">", out);
    draw_axes(out, &f, NULL, NULL, 1);
    fputs("</g>", out);
    draw_axis_labels(out, &f, "step", key);
    ramp_legend(out, r, W - 190, 6, 120);
    fprintf(out, "<clipPath id=\"ld-clip-overlay\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                 "height=\"%.1f\"/></clipPath><g clip-path=\"url(#ld-clip-overlay)\">"
                 "<g class=\"zoom\" data-frame=\"%.1f %.1f %.1f %.1f %.17g %.17g %.17g %.17g\">",
            f.x - 2, f.y - 0.06 * f.h, f.w + 4, f.h * 1.12, f.x, f.y, f.w, f.h, f.xlo, f.xhi,
            f.ylo, f.yhi);
    /* faded ones first, so the complete trials' curves stay on top */
    for (int pass = 0; pass < 2 && key && keep; pass++)
        for (size_t i = 0; i < r->n_trials; i++) {
            const ld_trial *t = &r->trials[i];
            const ld_series *s = ld_trial_series(t, key);
            if (!s || !keep[i] || stopped_early(t) != (pass == 0))
                continue;
            char color[8] = "#999999", extra[64];
            double v = rd_trial_value(t);
            if (isnan(v) && s->n)
                v = s->values[s->n - 1];
            if (isfinite(v))
                rd_color(goodness(r, v), color);
            snprintf(extra, sizeof extra, " data-trial=\"%d\"", t->number);
            series_path(out, &f, s, color, pass == 0 ? FADED : 0.9, extra, r, t);
            if (pass == 0)
                stop_mark(out, &f, s, t->state == LD_TRIAL_FAILED ? "#c00" : "#666");
        }
    fputs("</g></g>", out);
    label_best_curves(out, r, &f, key, keep);
    if (kept < r->n_trials) {
        char note[96];
        snprintf(note, sizeof note, "%zu of %zu trials drawn (the best half and a sample)", kept,
                 r->n_trials);
        text(out, W - 8, H - 4, "end", note);
    }
    fputs("</svg>\n", out);
    free(keep);
}

void rd_svg_history(const ld_report *r, FILE *out, int standalone)
{
    const double W = 720, H = 300;
    const rd_history *h = &r->history;
    open_svg(out, "history", W, H, standalone, "optimization history");
    frame f = {.x = 56, .y = 24, .w = W - 80, .h = H - 64, .xlo = 0,
               .xhi = r->n_trials ? r->trials[r->n_trials - 1].number : 1,
               .ylo = r->objective.lo, .yhi = r->objective.hi};
    widen(&f.xlo, &f.xhi);
    text(out, f.x, 14, "start", "each trial's value, and the best so far");
    draw_axes(out, &f, "trial", r->objective.name, 1);
    /* the best-so-far line first, so that the points on it stay on top for hover and click */
    if (h->n) {
        fputs("<path class=\"best\" fill=\"none\" stroke=\"" VAL_COLOR "\" stroke-width=\"2\" d=\"",
              out);
        for (size_t i = 0; i < h->n; i++) {
            if (i == 0)
                fprintf(out, "M%.1f %.1f", fx(&f, h->trial[i]), fy(&f, h->best[i]));
            else
                fprintf(out, "H%.1fV%.1f", fx(&f, h->trial[i]), fy(&f, h->best[i]));
        }
        fprintf(out, "H%.1f\"/>", f.x + f.w);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"" VAL_COLOR "\">best so far</text>",
                f.x + f.w - 60, f.y - 4);
    } else {
        text(out, f.x + f.w / 2, f.y + f.h / 2, "middle", "no complete trial yet");
    }
    fputs("<g fill=\"" TRAIN_COLOR "\" fill-opacity=\"0.6\">", out);
    for (size_t i = 0; i < h->n; i++)
        trial_point(out, r, trial_numbered(r, h->trial[i]), fx(&f, h->trial[i]),
                    fy(&f, h->value[i]), NULL);
    fputs("</g>\n", out);
    fputs("</svg>\n", out);
}

/* Tick labels of an axis drawn vertically at x over [y0, y0 + h]. */
static void vertical_axis(FILE *out, const rd_axis *a, double x, double y0, double h)
{
    char buf[64];
    fprintf(out, "<path d=\"M%.1f %.1fv%.1f\" stroke=\"" AXIS_COLOR "\"/>", x, y0, h);
    if (a->kind == RD_AXIS_CATEGORICAL) {
        for (size_t c = 0; c < a->n_cats; c++) {
            double y = y0 + (1 - (c + 0.5) / (double)a->n_cats) * h;
            fprintf(out, "<path d=\"M%.1f %.1fh-3\" stroke=\"" AXIS_COLOR "\"/>", x, y);
            text(out, x - 4, y + 3, "end", a->cats[c]);
        }
        return;
    }
    for (int k = 0; k <= 2; k++) {
        double p = k / 2.0;
        rd_format(rd_axis_value_at(a, p), buf, sizeof buf);
        double y = y0 + (1 - p) * h;
        fprintf(out, "<path d=\"M%.1f %.1fh-3\" stroke=\"" AXIS_COLOR "\"/>", x, y);
        text(out, x - 4, y + 3, "end", buf);
    }
}

void rd_svg_parallel(const ld_report *r, FILE *out, int standalone)
{
    size_t d = r->n_params;
    const double W = 120 * (double)(d + 1) + 60, H = 320, top = 40, h = H - 70;
    open_svg(out, "parallel", W, H, standalone, "parallel coordinates");
    double gap = (W - 100) / (double)(d ? d : 1);
    unsigned char *keep = malloc(r->n_trials ? r->n_trials : 1);
    if (keep)
        rd_line_sample(r, keep);
    fputs("<g stroke-width=\"1.2\" fill=\"none\">", out);
    /* worst first, so the best lines end on top */
    for (int pass = 0; pass < 2 && keep; pass++)
        for (size_t i = 0; i < r->n_trials; i++) {
            double v = rd_trial_value(&r->trials[i]);
            if (!keep[i] || !isfinite(v))
                continue;
            double g = goodness(r, v);
            if ((g >= 0.5) != (pass == 1))
                continue;
            char color[8];
            rd_color(g, color);
            fprintf(out, "<path class=\"curve\" data-trial=\"%d\" stroke=\"%s\"%s d=\"",
                    r->trials[i].number, color, stopped_early(&r->trials[i]) ?
                    " stroke-opacity=\"0.25\"" : " stroke-opacity=\"0.7\"");
            int pen = 0;
            for (size_t j = 0; j <= d; j++) {
                double p = j < d ? r->coord[i * d + j]
                                 : rd_axis_position_num(&r->objective, v);
                if (isnan(p)) {
                    pen = 0;
                    continue;
                }
                fprintf(out, "%c%.1f %.1f", pen ? 'L' : 'M', 50 + gap * (double)j,
                        top + (1 - p) * h);
                pen = 1;
            }
            fputs("\">", out);
            trial_tip(out, r, &r->trials[i]);
            fputs("</path>", out);
        }
    fputs("</g>\n", out);
    for (size_t j = 0; j <= d; j++) {
        const rd_axis *a = j < d ? &r->axes[j] : &r->objective;
        double x = 50 + gap * (double)j;
        vertical_axis(out, a, x, top, h);
        char name[96];
        snprintf(name, sizeof name, "%s%s", a->name, a->kind == RD_AXIS_LOG ? " (log)" : "");
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-weight=\"%s\">", x,
                top - 12, j == d ? "bold" : "normal");
        rd_escape(out, name);
        fputs("</text>", out);
    }
    fputs("\n</svg>\n", out);
    free(keep);
}

void rd_svg_slice(const ld_report *r, FILE *out, int standalone)
{
    size_t d = r->n_params;
    const double PW = 240, PH = 200;
    size_t cols = d < 3 ? (d ? d : 1) : 3, rows = d ? (d + cols - 1) / cols : 1;
    open_svg(out, "slice", PW * (double)cols, PH * (double)rows, standalone,
             "objective against each parameter");
    for (size_t j = 0; j < d; j++) {
        const rd_axis *a = &r->axes[j];
        double ox = PW * (double)(j % cols), oy = PH * (double)(j / cols);
        frame f = {.x = ox + 48, .y = oy + 18, .w = PW - 60, .h = PH - 58,
                   .xlo = a->lo, .xhi = a->hi, .ylo = r->objective.lo, .yhi = r->objective.hi,
                   .xlog = a->kind == RD_AXIS_LOG};
        char name[96];
        snprintf(name, sizeof name, "%s%s", a->name, a->kind == RD_AXIS_LOG ? " (log)" : "");
        if (a->kind == RD_AXIS_CATEGORICAL) {
            frame g = f;
            g.xlo = 0, g.xhi = 1, g.xlog = 0;
            fprintf(out, "<path d=\"M%.1f %.1fV%.1fH%.1f\" fill=\"none\" stroke=\"" AXIS_COLOR
                         "\"/>", g.x, g.y, g.y + g.h, g.x + g.w);
            double t[16];
            char buf[32];
            size_t n = nice_ticks(g.ylo, g.yhi, 4, t, 16);
            for (size_t k = 0; k < n; k++) {
                rd_format(t[k], buf, sizeof buf);
                text(out, g.x - 3, fy(&g, t[k]) + 3, "end", buf);
            }
            for (size_t c = 0; c < a->n_cats; c++)
                text(out, g.x + (c + 0.5) / (double)a->n_cats * g.w, g.y + g.h + 12, "middle",
                     a->cats[c]);
            text(out, g.x + g.w / 2, g.y + g.h + 26, "middle", name);
            f = g;
        } else {
            draw_axes(out, &f, name, j % cols == 0 ? r->objective.name : NULL, 0);
        }
        fputs("<g fill-opacity=\"0.7\">", out);
        for (size_t i = 0; i < r->n_trials; i++) {
            double v = rd_trial_value(&r->trials[i]), p = r->coord[i * d + j];
            if (!isfinite(v) || isnan(p) || r->trials[i].state != LD_TRIAL_COMPLETE)
                continue;
            /* categories: a fixed jitter by trial number spreads the points of one value */
            if (a->kind == RD_AXIS_CATEGORICAL)
                p += (((unsigned)r->trials[i].number * 2654435761u >> 16) % 1000 / 1000.0 - 0.5) *
                     0.6 / (double)a->n_cats;
            char color[8];
            rd_color(r->n_trials > 1 ? (double)i / (double)(r->n_trials - 1) : 1, color);
            trial_point(out, r, &r->trials[i], f.x + p * f.w, fy(&f, v), color);
        }
        fputs("</g>\n", out);
    }
    if (!d)
        text(out, PW / 2, PH / 2, "middle", "no parameter varies");
    fputs("</svg>\n", out);
}

void rd_svg_importance(const ld_report *r, FILE *out, int standalone)
{
    size_t d = r->n_params;
    const double W = 520, row = 22, H = 40 + row * (double)(d ? d : 1);
    open_svg(out, "importance", W, H, standalone, "parameter importance");
    text(out, 8, 14, "start", "share of the objective's variance each parameter explains alone");
    double sum = 0;
    for (size_t j = 0; j < d; j++)
        sum += r->importance[j];
    for (size_t k = 0; k < d; k++) {
        size_t j = r->by_importance[k];
        double y = 28 + row * (double)k, w = r->importance[j] * (W - 220);
        text(out, 132, y + 13, "end", r->axes[j].name);
        fprintf(out, "<rect class=\"bar\" x=\"140\" y=\"%.1f\" width=\"%.1f\" height=\"16\" "
                     "fill=\"" TRAIN_COLOR "\"/>", y, w);
        char buf[32];
        snprintf(buf, sizeof buf, "%.1f%%", 100 * r->importance[j]);
        text(out, 146 + w, y + 13, "start", buf);
    }
    if (sum == 0)
        text(out, W / 2, H - 6, "middle", "not enough complete trials to judge (4 or more)");
    fputs("</svg>\n", out);
}
