/*
 * report_data.c — "compute data first, draw second": reads a study once and computes what every
 * chart shows (parameter axes on their own scales, best-so-far, importance, which metric keys
 * pair up on one chart). The SVG, terminal and JSON renderers draw only from ld_report, so the
 * HTML report, `liandan plot`, `--json` and the terminal always agree.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/importance.h"
#include "report/report_data.h"

/* ---- small helpers --------------------------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void rd_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

void rd_format(double v, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "-");
        return;
    }
    double a = fabs(v);
    if (v == 0)
        snprintf(buf, size, "0");
    else if (a >= 1e5 || a < 1e-3)
        snprintf(buf, size, "%.2g", v);
    else
        snprintf(buf, size, "%.4g", v);
}

/* Anchors of matplotlib's viridis ramp, whose lightness changes evenly, run from yellow at
   t = 0 to dark violet at t = 1: "better" (t near 1) is the darkest, the most readable on the
   white page, where the ramp's pale yellow end is left to the worst trials. */
void rd_color(double t, char out[8])
{
    static const unsigned char ramp[][3] = {
        {68, 1, 84}, {65, 68, 135}, {42, 120, 142}, {34, 168, 132}, {122, 209, 81}, {253, 231, 37},
    };
    const int last = (int)(sizeof ramp / sizeof ramp[0]) - 1;
    if (!(t >= 0))
        t = 0;
    if (t > 1)
        t = 1;
    double x = (1 - t) * last;
    int i = (int)x;
    if (i >= last)
        i = last - 1;
    double f = x - i;
    int c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (int)lround(ramp[i][k] + f * (ramp[i + 1][k] - ramp[i][k]));
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

double rd_trial_value(const ld_trial *t)
{
    return t->has_value ? t->value : NAN;
}

long rd_find_trial(const ld_report *r, int number)
{
    size_t lo = 0, hi = r->n_trials; /* trials are sorted by number */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->trials[mid].number < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_trials && r->trials[lo].number == number ? (long)lo : -1;
}

/* ---- best-so-far ----------------------------------------------------------------------- */

void rd_history_clear(rd_history *h)
{
    free(h->trial);
    free(h->value);
    free(h->best);
    memset(h, 0, sizeof *h);
}

ld_status rd_history_compute(const ld_trial *trials, size_t n, int maximize, rd_history *h)
{
    memset(h, 0, sizeof *h);
    size_t cap = n ? n : 1;
    h->trial = malloc(cap * sizeof *h->trial);
    h->value = malloc(cap * sizeof *h->value);
    h->best = malloc(cap * sizeof *h->best);
    if (!h->trial || !h->value || !h->best) {
        rd_history_clear(h);
        return LD_ERR_NOMEM;
    }
    double best = NAN;
    for (size_t i = 0; i < n; i++) {
        const ld_trial *t = &trials[i];
        if (t->state != LD_TRIAL_COMPLETE || !t->has_value || !isfinite(t->value))
            continue;
        if (isnan(best) || (maximize ? t->value > best : t->value < best))
            best = t->value;
        h->trial[h->n] = t->number;
        h->value[h->n] = t->value;
        h->best[h->n] = best;
        h->n++;
    }
    return LD_OK;
}

/* ---- metric keys on charts ------------------------------------------------------------- */

void rd_groups_free(rd_group *g, size_t n)
{
    for (size_t i = 0; g && i < n; i++) {
        free(g[i].title);
        free(g[i].keys[0]);
        free(g[i].keys[1]);
    }
    free(g);
}

static long key_index(const char *const *keys, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return (long)i;
    return -1;
}

/* Chart order: accuracy-like first, then loss-like, then the rest as first seen. */
static int group_rank(const char *title)
{
    if (strstr(title, "acc") || strstr(title, "f1") || strstr(title, "auc"))
        return 0;
    if (strstr(title, "loss") || strstr(title, "perplexity"))
        return 1;
    return 2;
}

ld_status rd_groups_compute(const char *const *keys, size_t n, rd_group **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    rd_group *g = calloc(n ? n : 1, sizeof *g);
    unsigned char *used = calloc(n ? n : 1, 1);
    if (!g || !used) {
        free(g), free(used);
        return LD_ERR_NOMEM;
    }
    size_t m = 0;
    ld_status st = LD_OK;
    for (size_t i = 0; i < n && st == LD_OK; i++) {
        if (used[i])
            continue;
        const char *k = keys[i];
        const char *base = NULL;
        long partner = -1;
        char want[512];
        /* train_X pairs with val_X; X pairs with val_X (Keras names loss / val_loss) */
        if (strncmp(k, "train_", 6) == 0) {
            base = k + 6;
            snprintf(want, sizeof want, "val_%s", base);
            partner = key_index(keys, n, want);
        } else if (strncmp(k, "val_", 4) == 0) {
            base = k + 4;
            snprintf(want, sizeof want, "train_%s", base);
            partner = key_index(keys, n, want);
            if (partner < 0)
                partner = key_index(keys, n, base);
            if (partner >= 0 && !used[partner]) { /* put the train side first */
                used[i] = used[partner] = 1;
                g[m].title = dup_str(base);
                g[m].keys[0] = dup_str(keys[partner]);
                g[m].keys[1] = dup_str(k);
                g[m].n_keys = 2;
                if (!g[m].title || !g[m].keys[0] || !g[m].keys[1])
                    st = LD_ERR_NOMEM;
                m++;
                continue;
            }
            partner = -1;
        } else {
            base = k;
            snprintf(want, sizeof want, "val_%s", base);
            partner = key_index(keys, n, want);
        }
        used[i] = 1;
        if (partner >= 0 && !used[partner]) {
            used[partner] = 1;
            g[m].title = dup_str(base);
            g[m].keys[0] = dup_str(k);
            g[m].keys[1] = dup_str(keys[partner]);
            g[m].n_keys = 2;
            if (!g[m].title || !g[m].keys[0] || !g[m].keys[1])
                st = LD_ERR_NOMEM;
        } else {
            g[m].title = dup_str(k);
            g[m].keys[0] = dup_str(k);
            g[m].n_keys = 1;
            if (!g[m].title || !g[m].keys[0])
                st = LD_ERR_NOMEM;
        }
        m++;
    }
    free(used);
    if (st != LD_OK) {
        rd_groups_free(g, m);
        return st;
    }
    /* stable sort by rank (insertion: a handful of groups) */
    for (size_t i = 1; i < m; i++) {
        rd_group x = g[i];
        size_t j = i;
        while (j > 0 && group_rank(g[j - 1].title) > group_rank(x.title)) {
            g[j] = g[j - 1];
            j--;
        }
        g[j] = x;
    }
    *out = g;
    *n_out = m;
    return LD_OK;
}

size_t rd_trial_groups(const ld_report *r, const ld_trial *t, size_t *idx)
{
    size_t m = 0;
    for (size_t i = 0; i < r->n_groups; i++) {
        const rd_group *g = &r->groups[i];
        for (size_t k = 0; k < g->n_keys; k++)
            if (ld_trial_series(t, g->keys[k])) {
                idx[m++] = i;
                break;
            }
    }
    return m;
}

/* ---- axes ------------------------------------------------------------------------------ */

double rd_axis_position_num(const rd_axis *a, double x)
{
    if (!isfinite(x))
        return NAN;
    if (a->kind == RD_AXIS_LOG) {
        if (x <= 0)
            return NAN;
        double lo = log(a->lo), hi = log(a->hi);
        return hi > lo ? (log(x) - lo) / (hi - lo) : 0.5;
    }
    return a->hi > a->lo ? (x - a->lo) / (a->hi - a->lo) : 0.5;
}

double rd_axis_position(const rd_axis *a, const ld_value *v)
{
    if (!v || v->type == LD_VAL_NONE)
        return NAN;
    if (a->kind == RD_AXIS_CATEGORICAL) {
        char buf[256];
        ld_value_format(v, buf, sizeof buf);
        for (size_t i = 0; i < a->n_cats; i++)
            if (strcmp(a->cats[i], buf) == 0)
                return (i + 0.5) / (double)a->n_cats;
        return NAN;
    }
    if (v->type == LD_VAL_STR)
        return NAN;
    return rd_axis_position_num(a, v->num);
}

double rd_axis_value_at(const rd_axis *a, double p)
{
    if (a->kind == RD_AXIS_LOG)
        return exp(log(a->lo) + p * (log(a->hi) - log(a->lo)));
    return a->lo + p * (a->hi - a->lo);
}

static void axis_clear(rd_axis *a)
{
    free(a->name);
    for (size_t i = 0; i < a->n_cats; i++)
        free(a->cats[i]);
    free(a->cats);
    memset(a, 0, sizeof *a);
}

static const ld_value *trial_param(const ld_trial *t, const char *name, size_t hint)
{
    if (hint < t->n_params && strcmp(t->param_names[hint], name) == 0)
        return &t->params[hint];
    for (size_t j = 0; j < t->n_params; j++)
        if (strcmp(t->param_names[j], name) == 0)
            return &t->params[j];
    return NULL;
}

static ld_status add_cat(rd_axis *a, const char *text)
{
    for (size_t i = 0; i < a->n_cats; i++)
        if (strcmp(a->cats[i], text) == 0)
            return LD_OK;
    char **grown = realloc(a->cats, (a->n_cats + 1) * sizeof *grown);
    if (!grown)
        return LD_ERR_NOMEM;
    a->cats = grown;
    if (!(a->cats[a->n_cats] = dup_str(text)))
        return LD_ERR_NOMEM;
    a->n_cats++;
    return LD_OK;
}

/* Fills an axis's kind, categories and numeric span from the spec (when known) and the data. */
static ld_status build_axis(rd_axis *a, const ld_param *par, const ld_trial *trials, size_t n,
                            size_t hint)
{
    int categorical = par && par->dist == LD_DIST_CATEGORICAL;
    if (!par) /* unknown to the sweep: strings and booleans make it categorical */
        for (size_t i = 0; i < n && !categorical; i++) {
            const ld_value *v = trial_param(&trials[i], a->name, hint);
            categorical = v && (v->type == LD_VAL_STR || v->type == LD_VAL_BOOL);
        }
    if (categorical) {
        a->kind = RD_AXIS_CATEGORICAL;
        char buf[256];
        for (size_t i = 0; par && i < par->n_values; i++) {
            ld_value_format(&par->values[i], buf, sizeof buf);
            if (add_cat(a, buf) != LD_OK)
                return LD_ERR_NOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            const ld_value *v = trial_param(&trials[i], a->name, hint);
            if (!v || v->type == LD_VAL_NONE)
                continue;
            ld_value_format(v, buf, sizeof buf);
            if (add_cat(a, buf) != LD_OK)
                return LD_ERR_NOMEM;
        }
        return LD_OK;
    }
    a->kind = par && ld_param_is_log(par) ? RD_AXIS_LOG : RD_AXIS_LINEAR;
    a->lo = INFINITY;
    a->hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const ld_value *v = trial_param(&trials[i], a->name, hint);
        if (!v || v->type == LD_VAL_NONE || v->type == LD_VAL_STR || !isfinite(v->num))
            continue;
        if (a->kind == RD_AXIS_LOG && v->num <= 0)
            continue;
        if (v->num < a->lo)
            a->lo = v->num;
        if (v->num > a->hi)
            a->hi = v->num;
    }
    if (a->lo > a->hi) /* no data yet: the sweep's range, else [0, 1] */
        a->lo = par && par->max > par->min ? par->min : 0, a->hi = par && par->max > par->min
                                                                      ? par->max : 1;
    if (a->kind == RD_AXIS_LOG && a->lo <= 0)
        a->kind = RD_AXIS_LINEAR;
    if (a->lo == a->hi) { /* one value: centre it */
        double d = a->lo ? fabs(a->lo) * 0.1 : 1;
        if (a->kind == RD_AXIS_LOG)
            a->lo /= 2, a->hi *= 2;
        else
            a->lo -= d, a->hi += d;
    }
    return LD_OK;
}

/* ---- the whole report ------------------------------------------------------------------ */

size_t rd_line_sample(const ld_report *r, unsigned char *keep)
{
    size_t n = r->n_trials;
    if (n <= RD_MAX_LINES) {
        memset(keep, 1, n);
        return n;
    }
    memset(keep, 0, n);
    size_t *order = malloc(n * sizeof *order), m = 0, kept = 0;
    /* running trials first (a dashboard is watched for them; at most one per worker), then
       the best half by value */
    for (size_t i = 0; i < n && kept < RD_MAX_LINES / 2; i++)
        if (r->trials[i].state == LD_TRIAL_RUNNING)
            keep[i] = 1, kept++;
    if (order) {
        for (size_t i = 0; i < n; i++)
            if (!isnan(rd_trial_value(&r->trials[i])))
                order[m++] = i;
        /* shell sort by value, best first: no comparator context needed, O(n^1.3) */
        int maximize = r->info.maximize;
        size_t gap;
        for (gap = m / 2; gap > 0; gap /= 2)
            for (size_t i = gap; i < m; i++) {
                size_t x = order[i], j = i;
                double vx = r->trials[x].value;
                while (j >= gap) {
                    double vy = r->trials[order[j - gap]].value;
                    if (maximize ? vy >= vx : vy <= vx)
                        break;
                    order[j] = order[j - gap];
                    j -= gap;
                }
                order[j] = x;
            }
        for (size_t i = 0; i < m && kept < RD_MAX_LINES / 2; i++)
            if (!keep[order[i]])
                keep[order[i]] = 1, kept++;
        free(order);
    }
    size_t rest = n - kept, want = RD_MAX_LINES - kept, seen = 0;
    for (size_t i = 0; i < n && want; i++) {
        if (keep[i])
            continue;
        /* an even sample: take the trial when the running share crosses the next step */
        if ((seen * want) / rest != ((seen + 1) * want) / rest)
            keep[i] = 1, kept++;
        seen++;
    }
    return kept;
}

void ld_report_free(ld_report *r)
{
    if (!r)
        return;
    ld_study_info_clear(&r->info);
    ld_spec_free(r->spec);
    ld_trials_free(r->trials, r->n_trials);
    for (size_t j = 0; j < r->n_params; j++)
        axis_clear(&r->axes[j]);
    free(r->axes);
    free(r->coord);
    axis_clear(&r->objective);
    rd_history_clear(&r->history);
    free(r->importance);
    free(r->by_importance);
    rd_groups_free(r->groups, r->n_groups);
    free(r);
}

/* Curve panels for keys reported per step; summary metrics (printed once: test_acc=) would be
   empty panels of one point each, so they go to the table instead. */
static ld_status build_groups(ld_report *r)
{
    size_t n_keys = 0, cap = 0;
    const char **keys = NULL, **sum = NULL;
    size_t n_sum = ld_summary_keys(r->trials, r->n_trials, r->info.metric, &sum);
    for (size_t i = 0; i < r->n_trials; i++)
        for (size_t s = 0; s < r->trials[i].n_series; s++) {
            const char *k = r->trials[i].series[s].key;
            if (key_index(keys, n_keys, k) >= 0 || key_index(sum, n_sum, k) >= 0)
                continue;
            if (n_keys == cap) {
                cap = cap ? cap * 2 : 16;
                const char **grown = realloc(keys, cap * sizeof *grown);
                if (!grown) {
                    free(keys);
                    free(sum);
                    return LD_ERR_NOMEM;
                }
                keys = grown;
            }
            keys[n_keys++] = k;
        }
    free(sum);
    ld_status st = rd_groups_compute(keys, n_keys, &r->groups, &r->n_groups);
    /* the overlay shows the objective's key when reported, else the first validation key */
    r->overlay_key = NULL;
    for (size_t g = 0; g < r->n_groups && st == LD_OK; g++)
        for (size_t k = 0; k < r->groups[g].n_keys; k++)
            if (r->info.metric && strcmp(r->groups[g].keys[k], r->info.metric) == 0)
                r->overlay_key = r->groups[g].keys[k];
    if (!r->overlay_key && r->n_groups)
        r->overlay_key = r->groups[0].keys[r->groups[0].n_keys - 1];
    free(keys);
    return st;
}

static int by_importance_desc(const void *a, const void *b, void *ctx)
{
    const double *imp = ctx;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (imp[x] != imp[y])
        return imp[x] < imp[y] ? 1 : -1;
    return (x > y) - (x < y);
}

ld_status rd_report_build(ld_study_info *info, ld_spec *spec, ld_trial *trials, size_t n,
                          int with_metrics, ld_report **out)
{
    *out = NULL;
    ld_report *r = calloc(1, sizeof *r);
    if (!r) {
        ld_study_info_clear(info);
        ld_spec_free(spec);
        ld_trials_free(trials, n);
        return LD_ERR_NOMEM;
    }
    r->info = *info;
    memset(info, 0, sizeof *info);
    r->spec = spec;
    r->trials = trials;
    r->n_trials = n;
    r->with_metrics = with_metrics;
    r->compute_seconds = r->info.compute_seconds;

    /* axes: the sweep's parameters that vary, then any name only the trials know */
    size_t cap = (spec ? spec->n_params : 0) + 1;
    for (size_t i = 0; i < n; i++)
        cap += trials[i].n_params;
    r->axes = calloc(cap, sizeof *r->axes);
    size_t *spec_of = calloc(cap, sizeof *spec_of);
    ld_status st = r->axes && spec_of ? LD_OK : LD_ERR_NOMEM;
    for (size_t j = 0; spec && st == LD_OK && j < spec->n_params; j++) {
        const ld_param *p = &spec->params[j];
        if (p->dist == LD_DIST_CONSTANT)
            continue;
        rd_axis *a = &r->axes[r->n_params];
        spec_of[r->n_params++] = j;
        if (!(a->name = dup_str(p->name)))
            st = LD_ERR_NOMEM;
        else
            st = build_axis(a, p, trials, n, j);
    }
    for (size_t i = 0; i < n && st == LD_OK; i++)
        for (size_t j = 0; j < trials[i].n_params && st == LD_OK; j++) {
            const char *name = trials[i].param_names[j];
            int known = spec && ld_spec_param_index(spec, name) >= 0;
            for (size_t k = 0; k < r->n_params && !known; k++)
                known = strcmp(r->axes[k].name, name) == 0;
            if (known)
                continue;
            rd_axis *a = &r->axes[r->n_params];
            spec_of[r->n_params++] = (size_t)-1;
            if (!(a->name = dup_str(name)))
                st = LD_ERR_NOMEM;
            else
                st = build_axis(a, NULL, trials, n, j);
        }
    size_t d = r->n_params;
    if (st == LD_OK) {
        r->coord = malloc((n && d ? n * d : 1) * sizeof *r->coord);
        r->importance = calloc(d ? d : 1, sizeof *r->importance);
        r->by_importance = malloc((d ? d : 1) * sizeof *r->by_importance);
        if (!r->coord || !r->importance || !r->by_importance)
            st = LD_ERR_NOMEM;
    }
    for (size_t i = 0; i < n && st == LD_OK; i++)
        for (size_t j = 0; j < d; j++) {
            size_t hint = spec_of[j] == (size_t)-1 ? j : spec_of[j];
            r->coord[i * d + j] =
                rd_axis_position(&r->axes[j], trial_param(&trials[i], r->axes[j].name, hint));
        }

    /* the objective axis spans the finite values */
    if (st == LD_OK) {
        r->objective.name = dup_str(r->info.metric ? r->info.metric : "value");
        r->objective.kind = RD_AXIS_LINEAR;
        r->objective.lo = INFINITY;
        r->objective.hi = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            double v = rd_trial_value(&trials[i]);
            if (!isfinite(v))
                continue;
            if (v < r->objective.lo)
                r->objective.lo = v;
            if (v > r->objective.hi)
                r->objective.hi = v;
        }
        if (r->objective.lo > r->objective.hi)
            r->objective.lo = 0, r->objective.hi = 1;
        if (r->objective.lo == r->objective.hi)
            r->objective.lo -= 0.5, r->objective.hi += 0.5;
        if (!r->objective.name)
            st = LD_ERR_NOMEM;
    }
    if (st == LD_OK)
        st = rd_history_compute(trials, n, r->info.maximize, &r->history);

    /* importance needs the sweep: it judges each parameter on its own (unit) scale */
    if (st == LD_OK && spec && d) {
        double *all = calloc(spec->n_params ? spec->n_params : 1, sizeof *all);
        if (!all)
            st = LD_ERR_NOMEM;
        if (st == LD_OK)
            st = ld_importance(spec, trials, n, all);
        for (size_t j = 0; st == LD_OK && j < d; j++)
            r->importance[j] = spec_of[j] == (size_t)-1 ? 0 : all[spec_of[j]];
        free(all);
    }
    for (size_t j = 0; j < d && st == LD_OK; j++)
        r->by_importance[j] = j;
    if (st == LD_OK)
        qsort_r(r->by_importance, d, sizeof *r->by_importance, by_importance_desc,
                r->importance);
    if (st == LD_OK)
        st = build_groups(r);
    free(spec_of);
    if (st != LD_OK) {
        ld_report_free(r);
        return st;
    }
    *out = r;
    return LD_OK;
}

/* ---- the public entry ------------------------------------------------------------------ */

ld_status ld_report_load(ld_db *db, const char *study, int with_metrics, ld_report **out)
{
    *out = NULL;
    ld_study_info info;
    ld_status st = ld_db_get_study(db, study, &info);
    if (st != LD_OK)
        return st;
    ld_trial *trials = NULL;
    size_t n = 0;
    st = ld_db_list_trials(db, study, with_metrics, &trials, &n);
    if (st != LD_OK) {
        ld_study_info_clear(&info);
        return st;
    }
    ld_spec *spec = NULL;
    if (info.sweep_text) {
        char err[512];
        /* a sweep that no longer parses still gives every chart but importance */
        if (ld_spec_parse(info.sweep_path ? info.sweep_path : "sweep", info.sweep_text,
                          strlen(info.sweep_text), &spec, err, sizeof err) != LD_OK)
            spec = NULL;
    }
    return rd_report_build(&info, spec, trials, n, with_metrics, out);
}

const char *ld_report_errmsg(const ld_report *r)
{
    return r ? r->err : "out of memory";
}
