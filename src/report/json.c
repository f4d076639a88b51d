/*
 * json.c — the data behind each chart as JSON (`liandan plot --json`): the same numbers the SVG
 * and terminal renderers draw, for people who want to draw them their own way. NaN and
 * infinities are written as null.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "report/report_data.h"
#include "util/buf.h"

/* A JSON string (null for NULL), escaped by the library's one JSON writer. */
static void jstr(FILE *f, const char *s)
{
    ld_buf b = LD_BUF_INIT;
    ld_buf_json_string(&b, s);
    fputs(ld_buf_str(&b), f);
    ld_buf_free(&b);
}

static void jnum(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

static void points(FILE *f, const ld_series *s)
{
    fputc('[', f);
    for (size_t i = 0; i < s->n; i++) {
        fputs(i ? ", [" : "[", f);
        jnum(f, s->steps[i]);
        fputs(", ", f);
        jnum(f, s->values[i]);
        fputc(']', f);
    }
    fputc(']', f);
}

static void trial_curves(const ld_report *r, const ld_trial *t, FILE *f)
{
    fprintf(f, "{\"kind\": \"curves\", \"study\": ");
    jstr(f, r->info.name);
    fprintf(f, ", \"trial\": %d, \"state\": \"%s\", \"value\": ", t->number,
            ld_trial_state_name(t->state));
    jnum(f, rd_trial_value(t));
    fputs(", \"charts\": [", f);
    int first = 1;
    for (size_t g = 0; g < r->n_groups; g++) {
        const rd_group *gr = &r->groups[g];
        int any = 0;
        for (size_t k = 0; k < gr->n_keys; k++)
            any |= ld_trial_series(t, gr->keys[k]) != NULL;
        if (!any)
            continue;
        fputs(first ? "{\"title\": " : ", {\"title\": ", f);
        first = 0;
        jstr(f, gr->title);
        fputs(", \"series\": [", f);
        int sfirst = 1;
        for (size_t k = 0; k < gr->n_keys; k++) {
            const ld_series *s = ld_trial_series(t, gr->keys[k]);
            if (!s)
                continue;
            fputs(sfirst ? "{\"key\": " : ", {\"key\": ", f);
            sfirst = 0;
            jstr(f, s->key);
            fputs(", \"points\": ", f);
            points(f, s);
            fputc('}', f);
        }
        fputs("]}", f);
    }
    fputs("]}\n", f);
}

static void overlay(const ld_report *r, FILE *f)
{
    fputs("{\"kind\": \"curves\", \"study\": ", f);
    jstr(f, r->info.name);
    fputs(", \"key\": ", f);
    jstr(f, r->overlay_key);
    fputs(", \"trials\": [", f);
    int first = 1;
    for (size_t i = 0; i < r->n_trials && r->overlay_key; i++) {
        const ld_trial *t = &r->trials[i];
        const ld_series *s = ld_trial_series(t, r->overlay_key);
        if (!s)
            continue;
        fprintf(f, "%s{\"trial\": %d, \"state\": \"%s\", \"value\": ", first ? "" : ",\n  ",
                t->number, ld_trial_state_name(t->state));
        first = 0;
        jnum(f, rd_trial_value(t));
        fputs(", \"points\": ", f);
        points(f, s);
        fputc('}', f);
    }
    fputs("]}\n", f);
}

static void axis(FILE *f, const rd_axis *a)
{
    static const char *const scales[] = {"linear", "log", "categorical"};
    fputs("{\"name\": ", f);
    jstr(f, a->name);
    fprintf(f, ", \"scale\": \"%s\"", scales[a->kind]);
    if (a->kind == RD_AXIS_CATEGORICAL) {
        fputs(", \"categories\": [", f);
        for (size_t c = 0; c < a->n_cats; c++) {
            fputs(c ? ", " : "", f);
            jstr(f, a->cats[c]);
        }
        fputc(']', f);
    } else {
        fputs(", \"min\": ", f);
        jnum(f, a->lo);
        fputs(", \"max\": ", f);
        jnum(f, a->hi);
    }
    fputc('}', f);
}

ld_status ld_report_json(ld_report *r, ld_plot_kind kind, int trial, FILE *f)
{
    const size_t d = r->n_params;
    switch (kind) {
    case LD_PLOT_CURVES:
        if (trial >= 0) {
            long i = rd_find_trial(r, trial);
            if (i < 0) {
                snprintf(r->err, sizeof r->err, "study '%s' has no trial %d", r->info.name,
                         trial);
                return LD_ERR_NOTFOUND;
            }
            trial_curves(r, &r->trials[i], f);
        } else {
            overlay(r, f);
        }
        break;
    case LD_PLOT_HISTORY:
        fputs("{\"kind\": \"history\", \"study\": ", f);
        jstr(f, r->info.name);
        fprintf(f, ", \"goal\": \"%s\", \"points\": [", r->info.maximize ? "maximize" : "minimize");
        for (size_t i = 0; i < r->history.n; i++) {
            fprintf(f, "%s{\"trial\": %d, \"value\": ", i ? ", " : "", r->history.trial[i]);
            jnum(f, r->history.value[i]);
            fputs(", \"best\": ", f);
            jnum(f, r->history.best[i]);
            fputc('}', f);
        }
        fputs("]}\n", f);
        break;
    case LD_PLOT_PARALLEL:
        fputs("{\"kind\": \"parallel\", \"study\": ", f);
        jstr(f, r->info.name);
        fputs(", \"axes\": [", f);
        for (size_t j = 0; j <= d; j++) {
            fputs(j ? ", " : "", f);
            axis(f, j < d ? &r->axes[j] : &r->objective);
        }
        fputs("], \"trials\": [", f);
        for (size_t i = 0, first = 1; i < r->n_trials; i++) {
            double v = rd_trial_value(&r->trials[i]);
            if (!isfinite(v))
                continue;
            fprintf(f, "%s{\"trial\": %d, \"state\": \"%s\", \"coords\": [", first ? "" : ",\n  ",
                    r->trials[i].number, ld_trial_state_name(r->trials[i].state));
            first = 0;
            for (size_t j = 0; j <= d; j++) {
                fputs(j ? ", " : "", f);
                jnum(f, j < d ? r->coord[i * d + j] : rd_axis_position_num(&r->objective, v));
            }
            fputs("]}", f);
        }
        fputs("]}\n", f);
        break;
    case LD_PLOT_SLICE:
        fputs("{\"kind\": \"slice\", \"study\": ", f);
        jstr(f, r->info.name);
        fputs(", \"params\": [", f);
        for (size_t j = 0; j < d; j++) {
            fputs(j ? ",\n  " : "", f);
            axis(f, &r->axes[j]);
        }
        fputs("], \"objective\": ", f);
        axis(f, &r->objective);
        fputs(", \"trials\": [", f);
        for (size_t i = 0, first = 1; i < r->n_trials; i++) {
            const ld_trial *t = &r->trials[i];
            if (t->state != LD_TRIAL_COMPLETE || !isfinite(rd_trial_value(t)))
                continue;
            fprintf(f, "%s{\"trial\": %d, \"value\": ", first ? "" : ",\n  ", t->number);
            first = 0;
            jnum(f, t->value);
            fputs(", \"positions\": [", f);
            for (size_t j = 0; j < d; j++) {
                fputs(j ? ", " : "", f);
                jnum(f, r->coord[i * d + j]);
            }
            fputs("]}", f);
        }
        fputs("]}\n", f);
        break;
    case LD_PLOT_IMPORTANCE:
        fputs("{\"kind\": \"importance\", \"study\": ", f);
        jstr(f, r->info.name);
        fputs(", \"params\": [", f);
        for (size_t k = 0; k < d; k++) {
            size_t j = r->by_importance[k];
            fputs(k ? ", {\"name\": " : "{\"name\": ", f);
            jstr(f, r->axes[j].name);
            fputs(", \"importance\": ", f);
            jnum(f, r->importance[j]);
            fputc('}', f);
        }
        fputs("]}\n", f);
        break;
    default:
        snprintf(r->err, sizeof r->err, "unknown chart kind %d", (int)kind);
        return LD_ERR_INPUT;
    }
    if (fflush(f) != 0 || ferror(f)) {
        snprintf(r->err, sizeof r->err, "cannot write the output: %s", strerror(errno));
        return LD_ERR_IO;
    }
    return LD_OK;
}
