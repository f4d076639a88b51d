/*
 * report_data.h — the data behind every chart, computed once from a study (report_data.c) and
 * drawn by the renderers: svg.c (SVG for the HTML report, the dashboard and `plot`), term.c
 * (the terminal) and json.c (`plot --json`). Renderers read these structs and never the journal,
 * so all three views agree by construction.
 */
#ifndef LD_REPORT_DATA_H
#define LD_REPORT_DATA_H

#include <stddef.h>
#include <stdio.h>

#include "liandan.h"
#include "spec.h"

typedef enum { RD_AXIS_LINEAR = 0, RD_AXIS_LOG, RD_AXIS_CATEGORICAL } rd_axis_kind;

/* One parameter (or the objective) as a chart axis. */
typedef struct {
    char *name;
    rd_axis_kind kind;
    double lo, hi;    /* numeric axes: the span of the data (log axes: positive values only) */
    size_t n_cats;
    char **cats;      /* [n_cats] categorical axes: declared order, then first seen */
} rd_axis;

/* Keys drawn on one chart: train_X with val_X (or X with val_X), or one key alone. */
typedef struct {
    char *title;      /* "acc", "loss", or the key */
    size_t n_keys;
    char *keys[2];
} rd_group;

/* Best-so-far over the trials that have a finite value, in trial-number order. */
typedef struct {
    size_t n;
    int *trial;       /* [n] trial numbers */
    double *value;    /* [n] the trial's value */
    double *best;     /* [n] the best value among trials[0..i]: monotone by the goal */
} rd_history;

struct ld_report {
    ld_study_info info;
    ld_spec *spec;          /* NULL when the stored sweep no longer parses */
    ld_trial *trials;       /* [n_trials] by number */
    size_t n_trials;
    int with_metrics;

    size_t n_params;
    rd_axis *axes;          /* [n_params] parameters in sweep order (then first seen) */
    double *coord;          /* [n_trials * n_params] each trial on each axis in [0, 1], NaN when
                               the trial has no value for it */
    rd_axis objective;      /* the objective as an axis (linear) */

    rd_history history;
    double *importance;     /* [n_params] summing to 1, or all 0 (too few trials) */
    size_t *by_importance;  /* [n_params] axis indices, most important first */

    size_t n_groups;
    rd_group *groups;       /* every key any trial reported, grouped */
    const char *overlay_key;/* the key of the all-trials overlay (the metric if reported), or
                               NULL when nothing was reported */
    double compute_seconds;
    char err[512];
};

/* Pure computations, exposed for the unit tests. */

/* Fills h from trials (any state; only complete trials with a finite value count). */
ld_status rd_history_compute(const ld_trial *trials, size_t n, int maximize, rd_history *h);
void rd_history_clear(rd_history *h);

/* Groups the keys (n of them, first-seen order): acc-like pairs first, then loss, then others. */
ld_status rd_groups_compute(const char *const *keys, size_t n, rd_group **out, size_t *n_out);
void rd_groups_free(rd_group *g, size_t n);

/* Builds the report data from a study's info and trials (takes ownership of both, and of spec
   when not NULL). On failure frees them. */
ld_status rd_report_build(ld_study_info *info, ld_spec *spec, ld_trial *trials, size_t n,
                          int with_metrics, ld_report **out);

/* A value on an axis in [0, 1]; NaN when it does not fit. */
double rd_axis_position(const rd_axis *a, const ld_value *v);
double rd_axis_position_num(const rd_axis *a, double x);
/* The axis value at position p in [0, 1], for tick labels. */
double rd_axis_value_at(const rd_axis *a, double p);

/* The value shown for a trial: its objective, else NaN. */
double rd_trial_value(const ld_trial *t);
/* Index of a trial by number, or -1. */
long rd_find_trial(const ld_report *r, int number);
/* The groups one trial reported (indices into r->groups), written to idx[r->n_groups]. */
size_t rd_trial_groups(const ld_report *r, const ld_trial *t, size_t *idx);

/* Formats a number compactly for axis labels: 0.001, 1e-05, 12.5, 3 */
void rd_format(double v, char *buf, size_t size);

/* Colour of a value in [0, 1] on a perceptually even ramp (dark blue to yellow), "#rrggbb". */
void rd_color(double t, char out[8]);

/* Writes text with &, <, >, " escaped for HTML and SVG. */
void rd_escape(FILE *f, const char *s);

/* Renderers (svg.c). Charts are <svg class="chart" data-kind="..."> elements; every learning
   curve and parallel-coordinates line is a <path class="curve">. */
void rd_svg_curves(const ld_report *r, const ld_trial *t, FILE *f, int standalone);
void rd_svg_overlay(const ld_report *r, FILE *f, int standalone);
void rd_svg_history(const ld_report *r, FILE *f, int standalone);
void rd_svg_parallel(const ld_report *r, FILE *f, int standalone);
void rd_svg_slice(const ld_report *r, FILE *f, int standalone);
void rd_svg_importance(const ld_report *r, FILE *f, int standalone);

/* The most lines an overlay or parallel-coordinates chart draws: beyond, the best half and an
   even sample of the rest, so a 10,000-trial study stays light in a browser. Running trials
   are always drawn, so a dashboard's axes fit them. */
#define RD_MAX_LINES 2000
/* Fills keep[n_trials] with 1 for the trials such charts draw; returns how many. */
size_t rd_line_sample(const ld_report *r, unsigned char *keep);

#endif
