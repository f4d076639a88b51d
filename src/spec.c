/*
 * spec.c — reads a sweep file (W&B sweep YAML plus liandan's keys) into an ld_spec, and builds a
 * trial's argv from the spec's command template.
 *
 * The file is loaded with libyaml's document API so that every node keeps its line and column:
 * each mistake is reported once, as "FILE:LINE:COL: what is wrong; what was expected", and the
 * parse either returns a complete spec or nothing. Keys that W&B knows but liandan does not use
 * become notes, not errors, so a W&B sweep file runs unchanged.
 *
 * Order of work: the top-level keys are read in document order (each by its handler in
 * top_keys[]), then finish() checks what needs the whole file: required keys, `when` targets,
 * command macros, grid discreteness, and fills defaults.
 */
#include "spec.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "pruners/pruner.h"
#include "samplers/sampler.h"
#include "util/suggest.h"

#define MAX_NESTING 16
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- parse context and messages -------------------------------------------------------- */

typedef struct {
    const char *path;
    yaml_document_t *doc;
    ld_spec *spec;
    char *err;
    size_t errlen;
    ld_status status;
    yaml_node_t *root;
    int method_seen, metric_seen, params_seen;
    yaml_node_t *command_list; /* the command: list, NULL when absent */
    int *when_nodes;   /* [spec->n_params] node id of each parameter's `when` key, 0 when none */
} ctx;

static void vwrite_at(ctx *c, int line, int col, const char *fmt, va_list ap)
{
    if (!c->errlen)
        return;
    int n = snprintf(c->err, c->errlen, "%s:%d:%d: ", c->path, line, col);
    if (n >= 0 && (size_t)n < c->errlen)
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
}

/* Records an input error at node n (1:1 when n is NULL) and returns 0 for `return fail(...)`. */
__attribute__((format(printf, 3, 4))) static int fail(ctx *c, const yaml_node_t *n,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwrite_at(c, n ? (int)n->start_mark.line + 1 : 1, n ? (int)n->start_mark.column + 1 : 1, fmt,
              ap);
    va_end(ap);
    c->status = LD_ERR_INPUT;
    return 0;
}

/* The same at a remembered 1-based position. */
__attribute__((format(printf, 4, 5))) static int fail_at(ctx *c, int line, int col,
                                                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwrite_at(c, line, col, fmt, ap);
    va_end(ap);
    c->status = LD_ERR_INPUT;
    return 0;
}

static int fail_nomem(ctx *c)
{
    if (c->errlen)
        snprintf(c->err, c->errlen, "out of memory");
    c->status = LD_ERR_NOMEM;
    return 0;
}

static char *dup_or_fail(ctx *c, const char *s)
{
    char *p = ld_strdup(s);
    if (!p)
        fail_nomem(c);
    return p;
}

static yaml_node_t *node(ctx *c, int id) { return yaml_document_get_node(c->doc, id); }

static int line_of(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }

static const char *text(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* "'two'", "a list", "a mapping", "nothing": what a message says it got. */
static const char *describe(const yaml_node_t *n, char *buf, size_t size)
{
    if (n->type == YAML_SEQUENCE_NODE)
        return "a list";
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (!*text(n) && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return "nothing";
    snprintf(buf, size, "'%.60s%s'", text(n), strlen(text(n)) > 60 ? "..." : "");
    return buf;
}

/* ---- suggestions ----------------------------------------------------------------------- */

static const char *suggest(const char *word, const char *const *cands, size_t n)
{
    return ld_suggest(word, cands, n, NULL);
}

static void join_names(const char *const *names, size_t n, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++) {
        int w = snprintf(out + len, size - len, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

/* ---- scalars --------------------------------------------------------------------------- */

typedef enum { SC_STR, SC_INT, SC_FLOAT, SC_BOOL, SC_NULL } scalar_kind;

static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static const char *skip_sign(const char *s) { return *s == '+' || *s == '-' ? s + 1 : s; }

/* [-+]? (digits [. digits?] | . digits) ([eE] [-+]? digits)?  — what YAML writes as a float. */
static int looks_float(const char *s)
{
    const char *p = skip_sign(s);
    size_t int_digits = strspn(p, "0123456789");
    p += int_digits;
    size_t frac_digits = 0;
    if (*p == '.') {
        p++;
        frac_digits = strspn(p, "0123456789");
        p += frac_digits;
    }
    if (!int_digits && !frac_digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p = skip_sign(p + 1);
        if (!all_digits(p))
            return 0;
        return 1;
    }
    return *p == '\0';
}

static int special_float(const char *s, double *num)
{
    const char *p = skip_sign(s);
    if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF")) {
        *num = *s == '-' ? -INFINITY : INFINITY;
        return 1;
    }
    if (p == s && (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))) {
        *num = NAN;
        return 1;
    }
    return 0;
}

/*
 * YAML 1.1-ish typing of a scalar: quoted scalars are strings; plain ones are null (empty, ~,
 * null), bools (true/false/True/False only), decimal ints, floats (1e-3, .5, .inf, .nan), else
 * strings.
 */
static scalar_kind classify(const yaml_node_t *n, double *num)
{
    const char *s = text(n);
    *num = 0;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return SC_STR;
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
        return SC_NULL;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "false") || !strcmp(s, "False")) {
        *num = s[0] == 't' || s[0] == 'T';
        return SC_BOOL;
    }
    if (all_digits(skip_sign(s))) {
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        if (errno != ERANGE) {
            *num = (double)v;
            return SC_INT;
        }
        *num = strtod(s, NULL);
        return SC_FLOAT;
    }
    if (looks_float(s)) {
        *num = strtod(s, NULL);
        return SC_FLOAT;
    }
    return special_float(s, num) ? SC_FLOAT : SC_STR;
}

/* A parameter value from a scalar node; what names it in messages ("value", "values[2]"). */
static int to_value(ctx *c, const yaml_node_t *n, const char *what, ld_value *out)
{
    char buf[96];
    double num;
    *out = (ld_value){LD_VAL_NONE, 0, NULL};
    if (n->type != YAML_SCALAR_NODE)
        return fail(c, n, "%s must be a number, string or bool, got %s", what,
                    describe(n, buf, sizeof buf));
    switch (classify(n, &num)) {
    case SC_NULL:
        return fail(c, n, "%s is null; liandan has no null value, write 'None' in quotes if the "
                          "program expects that text", what);
    case SC_INT: out->type = LD_VAL_INT; break;
    case SC_FLOAT: out->type = LD_VAL_FLOAT; break;
    case SC_BOOL: out->type = LD_VAL_BOOL; break;
    case SC_STR:
        out->type = LD_VAL_STR;
        out->str = dup_or_fail(c, text(n));
        if (!out->str) {
            out->type = LD_VAL_NONE;
            return 0;
        }
        break;
    }
    out->num = num;
    return 1;
}

/* A finite number (int or float); *is_int tells which (may be NULL). */
static int get_number(ctx *c, const yaml_node_t *n, const char *what, double *out, int *is_int)
{
    char buf[96];
    scalar_kind k = n->type == YAML_SCALAR_NODE ? classify(n, out) : SC_STR;
    if ((k != SC_INT && k != SC_FLOAT) || !isfinite(*out))
        return fail(c, n, "%s must be a finite number, got %s", what,
                    describe(n, buf, sizeof buf));
    if (is_int)
        *is_int = k == SC_INT;
    return 1;
}

/* A whole number >= min: "parallel must be a whole number >= 1, got 'two'". */
static int get_whole(ctx *c, const yaml_node_t *n, const char *what, long long min,
                     long long *out)
{
    char buf[96];
    double num;
    scalar_kind k = n->type == YAML_SCALAR_NODE ? classify(n, &num) : SC_STR;
    if (k != SC_INT || num < (double)min)
        return fail(c, n, "%s must be a whole number >= %lld, got %s", what, min,
                    describe(n, buf, sizeof buf));
    *out = strtoll(text(n), NULL, 10);
    return 1;
}

static int get_int(ctx *c, const yaml_node_t *n, const char *what, long long min, int *out)
{
    long long v = 0;
    if (!get_whole(c, n, what, min, &v))
        return 0;
    if (v > 1000000000)
        return fail(c, n, "%s is too large, got %lld; expected at most 1000000000", what, v);
    *out = (int)v;
    return 1;
}

static int get_string(ctx *c, const yaml_node_t *n, const char *what, char **out)
{
    char buf[96];
    double num;
    if (n->type != YAML_SCALAR_NODE || classify(n, &num) == SC_NULL || !*text(n))
        return fail(c, n, "%s must be a non-empty string, got %s", what,
                    describe(n, buf, sizeof buf));
    free(*out);
    *out = dup_or_fail(c, text(n));
    return *out != NULL;
}

static int get_duration(ctx *c, const yaml_node_t *n, const char *what, double *out)
{
    char buf[96];
    *out = n->type == YAML_SCALAR_NODE ? ld_parse_duration(text(n)) : -1;
    if (*out < 0)
        return fail(c, n, "%s must be a duration such as 90s, 15m, 2h, got %s", what,
                    describe(n, buf, sizeof buf));
    return 1;
}

/* ---- mappings -------------------------------------------------------------------------- */

typedef struct {
    const char *const *known;
    size_t n_known;
    const char *const *ignored; /* W&B keys liandan accepts and notes */
    size_t n_ignored;
    const char *const *planned; /* liandan keys of DESIGN.md not implemented yet: noted */
    size_t n_planned;
} key_set;

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

/* Appends "file:line:col: KIND: text" to the notes shown before the run starts. */
static int push_note(ctx *c, const yaml_node_t *at, const char *kind, const char *text)
{
    ld_spec *s = c->spec;
    char **notes = realloc(s->notes, (s->n_notes + 1) * sizeof *notes);
    if (!notes)
        return fail_nomem(c);
    s->notes = notes;
    ld_buf b = LD_BUF_INIT;
    ld_buf_printf(&b, "%s:%d:%d: %s: %s", c->path, line_of(at), (int)at->start_mark.column + 1,
                  kind, text);
    if (!(notes[s->n_notes] = ld_buf_take(&b)))
        return fail_nomem(c);
    s->n_notes++;
    return 1;
}

/* "note: 'key' what", for keys that are accepted and ignored. */
static int add_note(ctx *c, const yaml_node_t *key, const char *what)
{
    ld_buf b = LD_BUF_INIT;
    ld_buf_printf(&b, "'%s' %s", text(key), what);
    int ok = b.failed ? fail_nomem(c) : push_note(c, key, "note", ld_buf_str(&b));
    ld_buf_free(&b);
    return ok;
}

/* A warning that does not stop the run. */
static int add_warning(ctx *c, const yaml_node_t *at, const char *text)
{
    return push_note(c, at, "warning", text);
}

static int unknown_key(ctx *c, const yaml_node_t *key, const key_set *ks)
{
    const char *all[64];
    size_t n = 0;
    for (size_t i = 0; i < ks->n_known && n < ARRAY_LEN(all); i++)
        all[n++] = ks->known[i];
    for (size_t i = 0; i < ks->n_ignored && n < ARRAY_LEN(all); i++)
        all[n++] = ks->ignored[i];
    for (size_t i = 0; i < ks->n_planned && n < ARRAY_LEN(all); i++)
        all[n++] = ks->planned[i];
    const char *hint = suggest(text(key), all, n);
    if (hint)
        return fail(c, key, "unknown key '%s' (did you mean '%s'?)", text(key), hint);
    char list[512];
    join_names(ks->known, ks->n_known, list, sizeof list);
    return fail(c, key, "unknown key '%s'; expected one of %s", text(key), list);
}

/*
 * Checks a mapping's keys: plain scalars, none twice, each known or ignored (ignored ones get a
 * note). what names the mapping in messages ("metric").
 */
static int check_keys(ctx *c, const yaml_node_t *m, const char *what, const key_set *ks)
{
    char buf[96];
    if (m->type != YAML_MAPPING_NODE)
        return fail(c, m, "%s must be a mapping, got %s", what, describe(m, buf, sizeof buf));
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(c, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return fail(c, k, "a key must be a name, got %s", describe(k, buf, sizeof buf));
        for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *earlier = node(c, q->key);
            if (earlier->type == YAML_SCALAR_NODE && !strcmp(text(earlier), text(k)))
                return fail(c, k, "duplicate key '%s' (first given at line %d); each key may "
                                  "appear once", text(k), line_of(earlier));
        }
        if (in_list(text(k), ks->ignored, ks->n_ignored)) {
            if (!add_note(c, k, "is a W&B key that liandan ignores"))
                return 0;
        } else if (in_list(text(k), ks->planned, ks->n_planned)) {
            if (!add_note(c, k, "is not supported yet; liandan ignores it"))
                return 0;
        } else if (!in_list(text(k), ks->known, ks->n_known)) {
            return unknown_key(c, k, ks);
        }
    }
    return 1;
}

/* The value under key in mapping m, or NULL; *key_node gets the key when wanted. */
static yaml_node_t *lookup(ctx *c, const yaml_node_t *m, const char *key, yaml_node_t **key_node)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(c, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp(text(k), key)) {
            if (key_node)
                *key_node = k;
            return node(c, p->value);
        }
    }
    return NULL;
}

/* ---- parameters ------------------------------------------------------------------------ */

enum {
    K_VALUE = 1 << 0, K_VALUES = 1 << 1, K_PROB = 1 << 2, K_MIN = 1 << 3, K_MAX = 1 << 4,
    K_Q = 1 << 5, K_MU = 1 << 6, K_SIGMA = 1 << 7, K_A = 1 << 8, K_B = 1 << 9
};

static const char *const param_keys[] = {"value", "values", "probabilities", "min", "max", "q",
                                         "mu", "sigma", "a", "b", "distribution", "parameters",
                                         "when", "default"};
#define N_SHAPE_KEYS 10 /* the first ten have a K_ bit, in bit order */

/* Which keys each distribution needs and which it may take. */
static const struct {
    unsigned required, optional;
} dist_keys[] = {
    [LD_DIST_CONSTANT] = {K_VALUE, 0},
    [LD_DIST_CATEGORICAL] = {K_VALUES, K_PROB},
    [LD_DIST_INT_UNIFORM] = {K_MIN | K_MAX, 0},
    [LD_DIST_UNIFORM] = {K_MIN | K_MAX, 0},
    [LD_DIST_Q_UNIFORM] = {K_MIN | K_MAX, K_Q},
    [LD_DIST_LOG_UNIFORM] = {K_MIN | K_MAX, 0},
    [LD_DIST_LOG_UNIFORM_VALUES] = {K_MIN | K_MAX, 0},
    [LD_DIST_Q_LOG_UNIFORM] = {K_MIN | K_MAX, K_Q},
    [LD_DIST_Q_LOG_UNIFORM_VALUES] = {K_MIN | K_MAX, K_Q},
    [LD_DIST_INV_LOG_UNIFORM] = {K_MIN | K_MAX, 0},
    [LD_DIST_INV_LOG_UNIFORM_VALUES] = {K_MIN | K_MAX, 0},
    [LD_DIST_NORMAL] = {0, K_MU | K_SIGMA},
    [LD_DIST_Q_NORMAL] = {0, K_MU | K_SIGMA | K_Q},
    [LD_DIST_LOG_NORMAL] = {0, K_MU | K_SIGMA},
    [LD_DIST_Q_LOG_NORMAL] = {0, K_MU | K_SIGMA | K_Q},
    [LD_DIST_BETA] = {0, K_A | K_B},
    [LD_DIST_Q_BETA] = {0, K_A | K_B | K_Q},
};

static const char *const all_dists[] = {
    "constant", "categorical", "int_uniform", "uniform", "q_uniform", "log_uniform",
    "log_uniform_values", "q_log_uniform", "q_log_uniform_values", "inv_log_uniform",
    "inv_log_uniform_values", "normal", "q_normal", "log_normal", "q_log_normal", "beta",
    "q_beta"};

static unsigned present_keys(ctx *c, const yaml_node_t *m)
{
    unsigned mask = 0;
    for (int i = 0; i < N_SHAPE_KEYS; i++)
        if (lookup(c, m, param_keys[i], NULL))
            mask |= 1u << i;
    return mask;
}

static void describe_keys(unsigned mask, char *out, size_t size)
{
    const char *names[N_SHAPE_KEYS] = {0};
    size_t n = 0;
    for (int i = 0; i < N_SHAPE_KEYS; i++)
        if (mask & (1u << i))
            names[n++] = param_keys[i];
    if (n)
        join_names(names, n, out, size);
    else
        snprintf(out, size, "no other keys");
}

/* W&B's inference when `distribution` is absent. */
static int infer_dist(ctx *c, const yaml_node_t *m, const char *name, unsigned keys, int *dist)
{
    yaml_node_t *min = lookup(c, m, "min", NULL), *max = lookup(c, m, "max", NULL);
    double num;
    if (keys & K_VALUES)
        *dist = LD_DIST_CATEGORICAL;
    else if (keys & K_VALUE)
        *dist = LD_DIST_CONSTANT;
    else if (keys & (K_MIN | K_MAX))
        *dist = min && max && min->type == YAML_SCALAR_NODE && max->type == YAML_SCALAR_NODE &&
                        classify(min, &num) == SC_INT && classify(max, &num) == SC_INT
                    ? LD_DIST_INT_UNIFORM
                    : LD_DIST_UNIFORM;
    else if (keys & (K_MU | K_SIGMA))
        *dist = LD_DIST_NORMAL;
    else
        return fail(c, m, "parameter '%s' has no distribution; give value, values, min and max, "
                          "or distribution", name);
    return 1;
}

static int parse_dist(ctx *c, const yaml_node_t *m, const char *name, unsigned keys, int *dist)
{
    yaml_node_t *d = lookup(c, m, "distribution", NULL);
    char buf[96];
    if ((keys & K_VALUE) && (keys & K_VALUES))
        return fail(c, m, "parameter '%s' has both value and values; give one", name);
    if (!d)
        return infer_dist(c, m, name, keys, dist);
    if (d->type != YAML_SCALAR_NODE)
        return fail(c, d, "distribution must be a name such as uniform, got %s",
                    describe(d, buf, sizeof buf));
    const char *s = text(d);
    *dist = !strcmp(s, "categorical_w_probabilities") ? LD_DIST_CATEGORICAL : ld_dist_parse(s);
    if (*dist >= 0)
        return 1;
    if (!strcmp(s, "loguniform") || !strcmp(s, "log-uniform") || !strcmp(s, "reciprocal"))
        return fail(c, d, "unknown distribution '%s' (did you mean 'log_uniform_values'? its min "
                          "and max are the values, as in Optuna and SciPy; W&B's 'log_uniform' "
                          "takes exponents)", s);
    const char *hint = suggest(s, all_dists, ARRAY_LEN(all_dists));
    if (hint)
        return fail(c, d, "unknown distribution '%s' (did you mean '%s'?)", s, hint);
    char list[512];
    join_names(all_dists, ARRAY_LEN(all_dists), list, sizeof list);
    return fail(c, d, "unknown distribution '%s'; expected one of %s", s, list);
}

static int check_shape(ctx *c, const yaml_node_t *m, const char *name, ld_dist dist,
                       unsigned keys)
{
    unsigned allowed = dist_keys[dist].required | dist_keys[dist].optional;
    char takes[128];
    describe_keys(allowed, takes, sizeof takes);
    for (int i = 0; i < N_SHAPE_KEYS; i++) {
        unsigned bit = 1u << i;
        yaml_node_t *k = NULL;
        if ((keys & bit) && !(allowed & bit)) {
            lookup(c, m, param_keys[i], &k);
            return fail(c, k, "'%s' does not apply to %s; %s takes %s", param_keys[i],
                        ld_dist_name(dist), ld_dist_name(dist), takes);
        }
        if (!(keys & bit) && (dist_keys[dist].required & bit))
            return fail(c, m, "parameter '%s' (%s) is missing '%s'; %s takes %s", name,
                        ld_dist_name(dist), param_keys[i], ld_dist_name(dist), takes);
    }
    return 1;
}

/* Reads an optional number key into *out; *is_int tells whether it was written as an integer. */
static int read_number(ctx *c, const yaml_node_t *m, const char *key, double *out, int *is_int)
{
    yaml_node_t *n = lookup(c, m, key, NULL);
    return !n || get_number(c, n, key, out, is_int);
}

static int read_values(ctx *c, const yaml_node_t *m, ld_param *p)
{
    yaml_node_t *v = lookup(c, m, "values", NULL);
    char buf[96], what[48];
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "values must be a list, got %s", describe(v, buf, sizeof buf));
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (!n)
        return fail(c, v, "values is empty; expected at least one value");
    p->values = calloc(n, sizeof *p->values);
    if (!p->values)
        return fail_nomem(c);
    for (size_t i = 0; i < n; i++) {
        snprintf(what, sizeof what, "values[%zu]", i);
        if (!to_value(c, node(c, v->data.sequence.items.start[i]), what, &p->values[i]))
            return 0;
        p->n_values = i + 1;
    }
    return 1;
}

static int read_probabilities(ctx *c, const yaml_node_t *m, ld_param *p)
{
    yaml_node_t *v = lookup(c, m, "probabilities", NULL);
    char buf[96], what[48];
    if (!v)
        return 1;
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "probabilities must be a list, got %s", describe(v, buf, sizeof buf));
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n != p->n_values)
        return fail(c, v, "probabilities has %zu entries but values has %zu; give one "
                          "probability per value", n, p->n_values);
    p->probabilities = calloc(n, sizeof *p->probabilities);
    if (!p->probabilities)
        return fail_nomem(c);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = node(c, v->data.sequence.items.start[i]);
        snprintf(what, sizeof what, "probabilities[%zu]", i);
        if (!get_number(c, item, what, &p->probabilities[i], NULL))
            return 0;
        if (p->probabilities[i] < 0)
            return fail(c, item, "%s must be >= 0, got %s", what, text(item));
        sum += p->probabilities[i];
    }
    if (fabs(sum - 1) > 1e-6) {
        char s[32];
        ld_format_double(sum, s);
        return fail(c, v, "probabilities sum to %s; they must sum to 1", s);
    }
    return 1;
}

static const char *num_str(double v, char out[32])
{
    ld_format_double(v, out);
    return out;
}

static int is_values_log(ld_dist d)
{
    return d == LD_DIST_LOG_UNIFORM_VALUES || d == LD_DIST_Q_LOG_UNIFORM_VALUES ||
           d == LD_DIST_INV_LOG_UNIFORM_VALUES;
}

static int has_range(ld_dist d) { return (dist_keys[d].required & K_MIN) != 0; }

static int check_positive(ctx *c, const yaml_node_t *m, const char *key, double v)
{
    char s[32];
    if (v > 0)
        return 1;
    return fail(c, lookup(c, m, key, NULL), "%s must be > 0, got %s", key, num_str(v, s));
}

/* Range checks: min <= max, log _values forms above 0, a multiple of q inside the range. */
static int check_range(ctx *c, const yaml_node_t *m, ld_param *p)
{
    char a[32], b[32];
    if (p->min > p->max)
        return fail(c, lookup(c, m, "max", NULL), "min (%s) is greater than max (%s)",
                    num_str(p->min, a), num_str(p->max, b));
    if (is_values_log(p->dist) && p->min <= 0)
        return fail(c, lookup(c, m, "min", NULL), "%s needs min > 0, got %s",
                    ld_dist_name(p->dist), num_str(p->min, a));
    if ((p->dist == LD_DIST_LOG_UNIFORM || p->dist == LD_DIST_Q_LOG_UNIFORM) && p->min > 0 &&
        p->max - p->min < 1) { /* bounds that look like values: 1e-4 and 1 meant, not e^1e-4 */
        char w[512];
        snprintf(w, sizeof w, "%s's min and max are exponents (W&B's meaning): this samples "
                              "e^%s to e^%s, that is %.4g to %.4g; for values from %s to %s "
                              "write distribution: %s_values",
                 ld_dist_name(p->dist), num_str(p->min, a), num_str(p->max, b), exp(p->min),
                 exp(p->max), a, b, ld_dist_name(p->dist));
        if (!add_warning(c, lookup(c, m, "distribution", NULL), w))
            return 0;
    }
    if ((p->dist == LD_DIST_Q_UNIFORM || p->dist == LD_DIST_Q_LOG_UNIFORM_VALUES) &&
        ceil(p->min / p->q - 1e-9) > floor(p->max / p->q + 1e-9)) {
        char q[32];
        return fail(c, m, "no multiple of q (%s) lies between min (%s) and max (%s); make q "
                          "smaller or the range wider", num_str(p->q, q), num_str(p->min, a),
                    num_str(p->max, b));
    }
    return 1;
}

/* Reads min, max, q, mu, sigma, a, b and checks them; sets p->integer. */
static int read_numbers(ctx *c, const yaml_node_t *m, ld_param *p)
{
    int min_int = 0, max_int = 0, q_int = 1;
    if (!read_number(c, m, "min", &p->min, &min_int) ||
        !read_number(c, m, "max", &p->max, &max_int) || !read_number(c, m, "q", &p->q, &q_int) ||
        !read_number(c, m, "mu", &p->mu, NULL) || !read_number(c, m, "sigma", &p->sigma, NULL) ||
        !read_number(c, m, "a", &p->a, NULL) || !read_number(c, m, "b", &p->b, NULL))
        return 0;
    if (p->dist == LD_DIST_INT_UNIFORM && (!min_int || !max_int)) {
        char s[32];
        return fail(c, lookup(c, m, min_int ? "max" : "min", NULL),
                    "int_uniform needs whole numbers for min and max, got %s",
                    num_str(min_int ? p->max : p->min, s));
    }
    if (!check_positive(c, m, "q", p->q) || !check_positive(c, m, "sigma", p->sigma) ||
        !check_positive(c, m, "a", p->a) || !check_positive(c, m, "b", p->b))
        return 0;
    if (has_range(p->dist) && !check_range(c, m, p))
        return 0;
    /* Integers when q is (W&B: isinstance(q, int)) and, for forms bounded by values, the bounds. */
    int bounded_by_values = p->dist == LD_DIST_Q_UNIFORM || p->dist == LD_DIST_Q_LOG_UNIFORM_VALUES;
    p->integer = p->dist == LD_DIST_INT_UNIFORM ||
                 (q_int && (dist_keys[p->dist].optional & K_Q) &&
                  (!bounded_by_values || (min_int && max_int)));
    return 1;
}

static int read_when(ctx *c, const yaml_node_t *m, ld_param *p, int *when_node)
{
    yaml_node_t *w = lookup(c, m, "when", NULL);
    char buf[96];
    *when_node = 0;
    if (!w)
        return 1;
    size_t n = w->type == YAML_MAPPING_NODE
                   ? (size_t)(w->data.mapping.pairs.top - w->data.mapping.pairs.start)
                   : 0;
    if (n != 1)
        return fail(c, w, "when must name one parameter and its value, as when: {optimizer: "
                          "sgd}, got %s", describe(w, buf, sizeof buf));
    yaml_node_t *k = node(c, w->data.mapping.pairs.start->key);
    if (k->type != YAML_SCALAR_NODE)
        return fail(c, k, "when must name a parameter, got %s", describe(k, buf, sizeof buf));
    p->when_param = dup_or_fail(c, text(k));
    if (!p->when_param ||
        !to_value(c, node(c, w->data.mapping.pairs.start->value), "the when value",
                  &p->when_value))
        return 0;
    *when_node = w->data.mapping.pairs.start->key;
    return 1;
}

/* `default:` (a liandan key): must be a value the distribution can take. */
static int read_default(ctx *c, const yaml_node_t *m, ld_param *p)
{
    yaml_node_t *n = lookup(c, m, "default", NULL);
    if (!n)
        return 1;
    if (!to_value(c, n, "default", &p->default_value))
        return 0;
    if (!ld_param_contains(p, &p->default_value))
        return fail(c, n, "default %s of '%s' is not a value its distribution can take; give "
                          "one inside its range (or one of its values)", text(n), p->name);
    return 1;
}

static int valid_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
           strlen(s);
}

static int add_param(ctx *c, const yaml_node_t *key, ld_param *p, int when_node)
{
    ld_spec *s = c->spec;
    int i = ld_spec_param_index(s, p->name);
    if (i >= 0)
        return fail(c, key, "duplicate parameter name '%s' (first declared at line %d); each "
                            "parameter needs its own name", p->name, s->params[i].line);
    ld_param *params = realloc(s->params, (s->n_params + 1) * sizeof *params);
    if (!params)
        return fail_nomem(c);
    s->params = params;
    int *whens = realloc(c->when_nodes, (s->n_params + 1) * sizeof *whens);
    if (!whens)
        return fail_nomem(c);
    c->when_nodes = whens;
    whens[s->n_params] = when_node;
    params[s->n_params++] = *p;
    memset(p, 0, sizeof *p);
    return 1;
}

static int parse_param_body(ctx *c, const yaml_node_t *m, ld_param *p, int *when_node)
{
    static const key_set ks = {.known = param_keys, .n_known = ARRAY_LEN(param_keys)};
    int dist = -1;
    if (!check_keys(c, m, "a parameter", &ks))
        return 0;
    unsigned keys = present_keys(c, m);
    if (!parse_dist(c, m, p->name, keys, &dist))
        return 0;
    p->dist = (ld_dist)dist;
    if (!check_shape(c, m, p->name, p->dist, keys))
        return 0;
    if (p->dist == LD_DIST_CONSTANT) {
        p->values = calloc(1, sizeof *p->values);
        if (!p->values)
            return fail_nomem(c);
        p->n_values = 1;
        if (!to_value(c, lookup(c, m, "value", NULL), "value", &p->values[0]))
            return 0;
    } else if (p->dist == LD_DIST_CATEGORICAL) {
        if (!read_values(c, m, p) || !read_probabilities(c, m, p))
            return 0;
    } else if (!read_numbers(c, m, p)) {
        return 0;
    }
    return read_when(c, m, p, when_node) && read_default(c, m, p);
}

static int parse_params(ctx *c, const yaml_node_t *m, const char *prefix, int depth);

/* One entry of a parameters mapping: a parameter, or a nested {parameters: ...}. */
static int parse_param(ctx *c, const yaml_node_t *key, const yaml_node_t *m, const char *prefix,
                       int depth)
{
    char buf[96];
    if (!valid_name(text(key)))
        return fail(c, key, "parameter name '%s' is not valid; expected letters, digits, '_', "
                            "'.' or '-', starting with a letter or '_'", text(key));
    ld_buf full = LD_BUF_INIT;
    ld_buf_printf(&full, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", text(key));
    ld_param p = {0};
    p.name = ld_buf_take(&full);
    if (!p.name)
        return fail_nomem(c);
    p.q = p.sigma = p.a = p.b = 1;
    p.line = line_of(key);
    p.column = (int)key->start_mark.column + 1;
    int ok, when_node = 0;
    yaml_node_t *nested = m->type == YAML_MAPPING_NODE ? lookup(c, m, "parameters", NULL) : NULL;
    if (m->type != YAML_MAPPING_NODE)
        ok = fail(c, m, "parameter '%s' must be a mapping such as {values: [1, 2]} or {min: 0, "
                        "max: 1}, got %s", p.name, describe(m, buf, sizeof buf));
    else if (nested && m->data.mapping.pairs.top - m->data.mapping.pairs.start != 1)
        ok = fail(c, m, "parameter '%s' has parameters and other keys; a nested parameter holds "
                        "only parameters", p.name);
    else if (nested)
        ok = parse_params(c, nested, p.name, depth + 1);
    else
        ok = parse_param_body(c, m, &p, &when_node) && add_param(c, key, &p, when_node);
    ld_param_clear(&p);
    return ok;
}

static int parse_params(ctx *c, const yaml_node_t *m, const char *prefix, int depth)
{
    char buf[96];
    if (depth > MAX_NESTING)
        return fail(c, m, "parameters are nested more than %d deep", MAX_NESTING);
    if (m->type != YAML_MAPPING_NODE)
        return fail(c, m, "parameters must be a mapping of names to {...}, got %s",
                    describe(m, buf, sizeof buf));
    if (m->data.mapping.pairs.top == m->data.mapping.pairs.start)
        return fail(c, m, "no parameters; add one such as lr: {min: 0.0001, max: 0.1}");
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(c, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return fail(c, k, "a parameter name must be a string, got %s",
                        describe(k, buf, sizeof buf));
        for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++)
            if (!strcmp(text(node(c, q->key)), text(k)))
                return fail(c, k, "duplicate key '%s' (first given at line %d); each key may "
                                  "appear once", text(k), line_of(node(c, q->key)));
        if (!parse_param(c, k, node(c, p->value), prefix, depth))
            return 0;
    }
    return 1;
}

/* ---- top-level keys -------------------------------------------------------------------- */

/* The names of a registry (samplers.c's or pruners.c's table, through names_of) into
   names[MAX_NAMES], for checks and messages; returns how many. */
#define MAX_NAMES 16
static size_t registry_names(size_t (*names_of)(const char **, size_t), const char **names)
{
    size_t n = names_of(names, MAX_NAMES);
    return n < MAX_NAMES ? n : MAX_NAMES;
}

static int top_method(ctx *c, yaml_node_t *v)
{
    const char *names[MAX_NAMES];
    char list[128], buf[96];
    size_t n = registry_names(ld_sampler_names, names);
    ld_method m = text(v) ? ld_sampler_find(text(v)) : NULL;
    if (m) {
        c->spec->method = m;
        c->method_seen = 1;
        return 1;
    }
    join_names(names, n, list, sizeof list);
    const char *hint = text(v) ? suggest(text(v), names, n) : NULL;
    if (hint)
        return fail(c, v, "unknown method '%s' (did you mean '%s'?); expected one of %s", text(v),
                    hint, list);
    return fail(c, v, "unknown method %s; expected one of %s", describe(v, buf, sizeof buf),
                list);
}

static int top_metric(ctx *c, yaml_node_t *v)
{
    static const char *const known[] = {"name", "goal", "target", "summary"};
    static const char *const ignored[] = {"impute", "impute_while_running"};
    static const key_set ks = {.known = known, .n_known = ARRAY_LEN(known),
                               .ignored = ignored, .n_ignored = ARRAY_LEN(ignored)};
    ld_spec *s = c->spec;
    yaml_node_t *n;
    char buf[96];
    if (v->type != YAML_MAPPING_NODE)
        return fail(c, v, "metric must be a mapping such as {name: val_acc, goal: maximize}, got "
                          "%s", describe(v, buf, sizeof buf));
    if (!check_keys(c, v, "metric", &ks))
        return 0;
    c->metric_seen = 1;
    if (!(n = lookup(c, v, "name", NULL)))
        return fail(c, v, "metric has no 'name'; add name: val_acc (the key your program prints)");
    if (!get_string(c, n, "metric name", &s->metric))
        return 0;
    if ((n = lookup(c, v, "goal", NULL))) {
        if (!text(n) || (strcmp(text(n), "minimize") && strcmp(text(n), "maximize")))
            return fail(c, n, "metric goal must be minimize or maximize, got %s",
                        describe(n, buf, sizeof buf));
        s->maximize = !strcmp(text(n), "maximize");
    }
    if ((n = lookup(c, v, "summary", NULL))) {
        if (!text(n) || (strcmp(text(n), "last") && strcmp(text(n), "best")))
            return fail(c, n, "metric summary must be last or best, got %s",
                        describe(n, buf, sizeof buf));
        s->summary = !strcmp(text(n), "best") ? LD_SUMMARY_BEST : LD_SUMMARY_LAST;
    }
    if ((n = lookup(c, v, "target", NULL))) {
        if (!get_number(c, n, "metric target", &s->target, NULL))
            return 0;
        s->has_target = 1;
    }
    return 1;
}

static int top_parameters(ctx *c, yaml_node_t *v)
{
    c->params_seen = 1;
    return parse_params(c, v, NULL, 0);
}

static int top_early_terminate(ctx *c, yaml_node_t *v)
{
    static const char *const known[] = {"type", "min_iter", "max_iter", "s", "eta",
                                        "min_early_stopping_rate", "n_startup_trials",
                                        "n_warmup_steps", "interval", "lower", "upper",
                                        "patience", "min_delta", "val_key", "train_key",
                                        "top", "min_points", "z"};
    static const char *const ignored[] = {"strict"};
    static const key_set ks = {.known = known, .n_known = ARRAY_LEN(known),
                               .ignored = ignored, .n_ignored = ARRAY_LEN(ignored)};
    const char *types[MAX_NAMES];
    size_t n_types = registry_names(ld_pruner_names, types);
    char list[160]; /* "a, b or c" */
    join_names(types, n_types - 1, list, sizeof list);
    snprintf(list + strlen(list), sizeof list - strlen(list), " or %s", types[n_types - 1]);
    ld_early_terminate *et = &c->spec->early_terminate;
    yaml_node_t *n;
    char buf[96];
    if (!check_keys(c, v, "early_terminate", &ks))
        return 0;
    et->line = line_of(v);
    et->column = (int)v->start_mark.column + 1;
    if (!(n = lookup(c, v, "type", NULL)))
        return fail(c, v, "early_terminate has no 'type'; expected type: %s", list);
    if (!text(n) || !in_list(text(n), types, n_types)) {
        const char *hint = text(n) ? suggest(text(n), types, n_types) : NULL;
        if (hint)
            return fail(c, n, "unknown early_terminate type '%s' (did you mean '%s'?)", text(n),
                        hint);
        return fail(c, n, "unknown early_terminate type %s; expected %s",
                    describe(n, buf, sizeof buf), list);
    }
    if (!(et->type = dup_or_fail(c, text(n))))
        return 0;
    if ((n = lookup(c, v, "min_iter", NULL)) && !get_int(c, n, "min_iter", 1, &et->min_iter))
        return 0;
    if ((n = lookup(c, v, "max_iter", NULL)) && !get_int(c, n, "max_iter", 1, &et->max_iter))
        return 0;
    if ((n = lookup(c, v, "s", NULL)) && !get_int(c, n, "s", 0, &et->s))
        return 0;
    if ((n = lookup(c, v, "eta", NULL))) {
        if (!get_number(c, n, "eta", &et->eta, NULL))
            return 0;
        if (et->eta <= 1)
            return fail(c, n, "eta must be a number > 1, got %s", text(n));
    }
    if ((n = lookup(c, v, "min_early_stopping_rate", NULL)) &&
        !get_int(c, n, "min_early_stopping_rate", 0, &et->min_early_stopping_rate))
        return 0;
    if ((n = lookup(c, v, "n_startup_trials", NULL)) &&
        !get_int(c, n, "n_startup_trials", 0, &et->n_startup_trials))
        return 0;
    if ((n = lookup(c, v, "n_warmup_steps", NULL)) &&
        !get_int(c, n, "n_warmup_steps", 0, &et->n_warmup_steps))
        return 0;
    if ((n = lookup(c, v, "interval", NULL)) && !get_int(c, n, "interval", 1, &et->interval))
        return 0;
    if ((n = lookup(c, v, "lower", NULL))) {
        if (!get_number(c, n, "lower", &et->lower, NULL))
            return 0;
        et->has_lower = 1;
    }
    if ((n = lookup(c, v, "upper", NULL))) {
        if (!get_number(c, n, "upper", &et->upper, NULL))
            return 0;
        et->has_upper = 1;
    }
    et->patience = 5;
    if ((n = lookup(c, v, "patience", NULL)) && !get_int(c, n, "patience", 1, &et->patience))
        return 0;
    if ((n = lookup(c, v, "min_delta", NULL))) {
        if (!get_number(c, n, "min_delta", &et->min_delta, NULL))
            return 0;
        if (!(et->min_delta >= 0))
            return fail(c, n, "min_delta is the smallest gain that counts, a number >= 0; got %s",
                        text(n));
    }
    if ((n = lookup(c, v, "top", NULL)) && !get_int(c, n, "top", 1, &et->curve_top))
        return 0;
    if ((n = lookup(c, v, "min_points", NULL)) && !get_int(c, n, "min_points", 3, &et->min_points))
        return 0;
    if ((n = lookup(c, v, "z", NULL))) {
        if (!get_number(c, n, "z", &et->z, NULL))
            return 0;
        if (!(et->z > 0))
            return fail(c, n, "z is the optimistic bound's width in standard deviations, a "
                              "number > 0 (2 by default); got %s", text(n));
    }
    if ((n = lookup(c, v, "val_key", NULL)) && !get_string(c, n, "val_key", &et->val_key))
        return 0;
    if ((n = lookup(c, v, "train_key", NULL)) && !get_string(c, n, "train_key", &et->train_key))
        return 0;
    if (!strcmp(et->type, "threshold") && !et->has_lower && !et->has_upper)
        return fail(c, v, "early_terminate threshold needs 'lower' or 'upper' (or both): the "
                          "bound a trial's metric must stay within");
    if (et->has_lower && et->has_upper && et->lower > et->upper)
        return fail(c, v, "early_terminate: lower (%g) is greater than upper (%g)", et->lower,
                    et->upper);
    if (et->max_iter && et->min_iter && et->min_iter > et->max_iter)
        return fail(c, v, "early_terminate: min_iter (%d) is greater than max_iter (%d)",
                    et->min_iter, et->max_iter);
    return 1;
}

static int top_command(ctx *c, yaml_node_t *v)
{
    ld_spec *s = c->spec;
    char buf[96];
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "command must be a list such as [${env}, ${interpreter}, ${program}, "
                          "${args}], got %s", describe(v, buf, sizeof buf));
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (!n)
        return fail(c, v, "command is an empty list; expected [${env}, ${interpreter}, "
                          "${program}, ${args}] or your own");
    s->command = calloc(n, sizeof *s->command);
    s->command_at = calloc(n, sizeof *s->command_at);
    if (!s->command || !s->command_at)
        return fail_nomem(c);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = node(c, v->data.sequence.items.start[i]);
        double num;
        if (item->type != YAML_SCALAR_NODE || classify(item, &num) == SC_NULL)
            return fail(c, item, "command[%zu] must be a string, got %s", i,
                        describe(item, buf, sizeof buf));
        s->command_at[i][0] = line_of(item);
        s->command_at[i][1] = (int)item->start_mark.column + 1;
        if (!(s->command[i] = dup_or_fail(c, text(item))))
            return 0;
        s->n_command = i + 1;
    }
    c->command_list = v;
    return 1;
}

static int top_gpus(ctx *c, yaml_node_t *v)
{
    ld_spec *s = c->spec;
    char buf[96], what[32];
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "gpus must be a list of device numbers such as [0, 1], got %s",
                    describe(v, buf, sizeof buf));
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    s->gpus = calloc(n ? n : 1, sizeof *s->gpus);
    if (!s->gpus)
        return fail_nomem(c);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = node(c, v->data.sequence.items.start[i]);
        snprintf(what, sizeof what, "gpus[%zu]", i);
        if (!get_int(c, item, what, 0, &s->gpus[i]))
            return 0;
        for (size_t j = 0; j < i; j++)
            if (s->gpus[j] == s->gpus[i])
                return fail(c, item, "gpus lists device %d twice; each device may appear once",
                            s->gpus[i]);
        s->n_gpus = i + 1;
    }
    return 1;
}

/* budget: {trials: N, time: T}, at the top level or in a stage. */
static int read_budget(ctx *c, const yaml_node_t *v, const char *what, long *trials,
                       double *seconds)
{
    static const char *const known[] = {"trials", "time"};
    static const key_set ks = {.known = known, .n_known = ARRAY_LEN(known)};
    yaml_node_t *n;
    long long count = 0;
    if (!check_keys(c, v, what, &ks))
        return 0;
    if ((n = lookup(c, v, "trials", NULL))) {
        if (!get_whole(c, n, "budget.trials", 1, &count))
            return 0;
        *trials = (long)count;
    }
    return !(n = lookup(c, v, "time", NULL)) || get_duration(c, n, "budget.time", seconds);
}

static int top_budget(ctx *c, yaml_node_t *v)
{
    return read_budget(c, v, "budget", &c->spec->budget_trials, &c->spec->budget_seconds);
}

static int top_name(ctx *c, yaml_node_t *v) { return get_string(c, v, "name", &c->spec->name); }

static int top_description(ctx *c, yaml_node_t *v)
{
    return get_string(c, v, "description", &c->spec->description);
}

static int top_program(ctx *c, yaml_node_t *v)
{
    c->spec->program_line = line_of(v);
    c->spec->program_column = (int)v->start_mark.column + 1;
    return get_string(c, v, "program", &c->spec->program);
}

static int top_step(ctx *c, yaml_node_t *v) { return get_string(c, v, "step", &c->spec->step); }

static int top_fidelity(ctx *c, yaml_node_t *v)
{
    static const char *const known[] = {"param", "min", "max", "eta"};
    static const key_set ks = {.known = known, .n_known = ARRAY_LEN(known)};
    ld_fidelity *f = &c->spec->fidelity;
    yaml_node_t *n;
    int min_int = 0, max_int = 0;
    if (!check_keys(c, v, "fidelity", &ks))
        return 0;
    f->line = line_of(v);
    f->column = (int)v->start_mark.column + 1;
    if (!(n = lookup(c, v, "param", NULL)))
        return fail(c, v, "fidelity needs 'param': the command parameter that sets the budget, "
                          "e.g. {param: train_fraction, min: 0.05, max: 1.0, eta: 3}");
    if (!get_string(c, n, "fidelity param", &f->param))
        return 0;
    if (!(n = lookup(c, v, "min", NULL)) || !get_number(c, n, "fidelity min", &f->min, &min_int))
        return c->status == LD_ERR_INPUT ? 0 : fail(c, v, "fidelity needs 'min', the smallest budget");
    if (!(n = lookup(c, v, "max", NULL)) || !get_number(c, n, "fidelity max", &f->max, &max_int))
        return c->status == LD_ERR_INPUT ? 0 : fail(c, v, "fidelity needs 'max', the full budget");
    if (f->min <= 0 || f->min >= f->max)
        return fail(c, v, "fidelity needs 0 < min < max, got min %g and max %g", f->min, f->max);
    f->eta = 3;
    if ((n = lookup(c, v, "eta", NULL))) {
        if (!get_number(c, n, "fidelity eta", &f->eta, NULL))
            return 0;
        if (f->eta <= 1)
            return fail(c, n, "fidelity eta must be a number > 1, got %s", text(n));
    }
    f->integer = min_int && max_int;
    return 1;
}

/* Adds the fidelity parameter: a categorical over the budget levels, in increasing order. */
static int add_fidelity_param(ctx *c)
{
    ld_spec *s = c->spec;
    ld_fidelity *f = &s->fidelity;
    f->index = -1;
    if (!f->param)
        return 1;
    int clash = ld_spec_param_index(s, f->param);
    if (clash >= 0)
        return fail_at(c, s->params[clash].line, s->params[clash].column,
                       "'%s' is the fidelity parameter, which liandan sets; remove it from "
                       "parameters", f->param);
    if (s->method->exhaustive)
        return fail_at(c, f->line, f->column, "fidelity cannot be used with method grid; use "
                                              "random, sobol or bayes");
    ld_param p;
    memset(&p, 0, sizeof p);
    p.dist = LD_DIST_CATEGORICAL;
    p.line = f->line;
    p.column = f->column;
    p.name = dup_or_fail(c, f->param);
    p.values = calloc(64, sizeof *p.values);
    if (!p.name || !p.values) {
        ld_param_clear(&p);
        return fail_nomem(c);
    }
    for (double b = f->min; p.n_values < 63; b *= f->eta) {
        double level = b >= f->max * (1 - 1e-9) ? f->max : b;
        if (f->integer) {
            level = round(level);
        } else { /* 0.1 * 3 is 0.30000000000000004: keep 12 significant digits */
            char buf[32];
            snprintf(buf, sizeof buf, "%.12g", level);
            level = strtod(buf, NULL);
        }
        if (p.n_values && level <= p.values[p.n_values - 1].num)
            continue;
        p.values[p.n_values++] = (ld_value){f->integer ? LD_VAL_INT : LD_VAL_FLOAT, level, NULL};
        if (level >= f->max)
            break;
    }
    f->index = (int)s->n_params;
    return add_param(c, NULL, &p, 0);
}

static int top_parent(ctx *c, yaml_node_t *v)
{
    return get_string(c, v, "parent", &c->spec->parent);
}

static int top_run_cap(ctx *c, yaml_node_t *v)
{
    long long n = 0;
    if (!get_whole(c, v, "run_cap", 1, &n))
        return 0;
    c->spec->run_cap = (long)n;
    return 1;
}

static int top_parallel(ctx *c, yaml_node_t *v)
{
    return get_int(c, v, "parallel", 1, &c->spec->parallel);
}

static int top_threads(ctx *c, yaml_node_t *v)
{
    return get_int(c, v, "threads_per_trial", 1, &c->spec->threads_per_trial);
}

static int top_timeout(ctx *c, yaml_node_t *v)
{
    return get_duration(c, v, "timeout", &c->spec->timeout_seconds);
}

static int top_executor(ctx *c, yaml_node_t *v)
{
    char buf[96];
    c->spec->executor_line = line_of(v);
    if (v->type == YAML_SCALAR_NODE && strcmp(text(v), "local") == 0)
        c->spec->executor = LD_EXECUTOR_LOCAL;
    else if (v->type == YAML_SCALAR_NODE && strcmp(text(v), "slurm") == 0)
        c->spec->executor = LD_EXECUTOR_SLURM;
    else
        return fail(c, v, "executor must be local (trials as processes here, the default) or "
                          "slurm (each trial a Slurm batch job), got %s",
                    describe(v, buf, sizeof buf));
    return 1;
}

/* slurm: {partition, gres, time, cpus_per_task, mem, extra: [...]}: sbatch options per trial. */
static int top_slurm(ctx *c, yaml_node_t *v)
{
    static const char *const known[] = {"partition", "gres", "time", "cpus_per_task", "mem",
                                        "extra"};
    static const key_set ks = {.known = known, .n_known = ARRAY_LEN(known)};
    ld_slurm_options *o = &c->spec->slurm;
    yaml_node_t *n;
    char buf[96];
    if (!check_keys(c, v, "slurm", &ks))
        return 0;
    if ((n = lookup(c, v, "partition", NULL)) &&
        !get_string(c, n, "slurm.partition", &o->partition))
        return 0;
    if ((n = lookup(c, v, "gres", NULL)) && !get_string(c, n, "slurm.gres", &o->gres))
        return 0;
    if ((n = lookup(c, v, "time", NULL)) && !get_string(c, n, "slurm.time", &o->time))
        return 0;
    if ((n = lookup(c, v, "mem", NULL)) && !get_string(c, n, "slurm.mem", &o->mem))
        return 0;
    if ((n = lookup(c, v, "cpus_per_task", NULL)) &&
        !get_int(c, n, "slurm.cpus_per_task", 1, &o->cpus_per_task))
        return 0;
    if (!(n = lookup(c, v, "extra", NULL)))
        return 1;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(c, n, "slurm.extra must be a list of sbatch options such as "
                          "[--qos=normal, --account=lab], got %s", describe(n, buf, sizeof buf));
    size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    o->extra = calloc(count ? count : 1, sizeof *o->extra);
    if (!o->extra)
        return fail_nomem(c);
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = node(c, n->data.sequence.items.start[i]);
        char what[40];
        snprintf(what, sizeof what, "slurm.extra[%zu]", i);
        if (!get_string(c, item, what, &o->extra[i]))
            return 0;
        o->n_extra = i + 1;
        if (o->extra[i][0] != '-')
            return fail(c, item, "slurm.extra[%zu] must be an sbatch option starting with '-', "
                                 "got '%s' (write --option=value as one item)", i, o->extra[i]);
    }
    return 1;
}

static int top_seed(ctx *c, yaml_node_t *v)
{
    long long n = 0;
    if (!get_whole(c, v, "seed", 0, &n))
        return 0;
    c->spec->seed = (uint64_t)n;
    c->spec->has_seed = 1;
    return 1;
}

static int top_retries(ctx *c, yaml_node_t *v)
{
    return get_int(c, v, "retries", 0, &c->spec->retries);
}

static int top_max_failures(ctx *c, yaml_node_t *v)
{
    c->spec->has_max_failures = 1;
    return get_int(c, v, "max_failures", 0, &c->spec->max_failures);
}

static int top_order(ctx *c, yaml_node_t *v)
{
    static const char *const orders[] = {"random", "sequential"};
    char buf[96];
    if (v->type != YAML_SCALAR_NODE || !in_list(text(v), orders, ARRAY_LEN(orders))) {
        const char *hint = v->type == YAML_SCALAR_NODE ? suggest(text(v), orders, 2) : NULL;
        if (hint)
            return fail(c, v, "unknown order '%s' (did you mean '%s'?)", text(v), hint);
        return fail(c, v, "order is random (grid points in a seeded shuffled order, the "
                          "default) or sequential (the file's order), got %s",
                    describe(v, buf, sizeof buf));
    }
    c->spec->grid_sequential = !strcmp(text(v), "sequential");
    c->spec->order_line = line_of(v);
    c->spec->order_column = (int)v->start_mark.column + 1;
    return 1;
}

/* ---- playbook stages ------------------------------------------------------------------- */

static int stage_fix(ctx *c, ld_stage *st, const yaml_node_t *key, const char *name,
                     const yaml_node_t *v)
{
    for (size_t i = 0; i < st->n_fixed; i++)
        if (!strcmp(st->fixed_names[i], name))
            return fail(c, key, "stage '%s' fixes '%s' twice", st->name, name);
    char **names = realloc(st->fixed_names, (st->n_fixed + 1) * sizeof *names);
    if (names)
        st->fixed_names = names;
    ld_value *values = realloc(st->fixed_values, (st->n_fixed + 1) * sizeof *values);
    if (values)
        st->fixed_values = values;
    if (!names || !values)
        return fail_nomem(c);
    st->fixed_names[st->n_fixed] = NULL;
    st->fixed_values[st->n_fixed] = (ld_value){LD_VAL_NONE, 0, NULL};
    if (!to_value(c, v, name, &st->fixed_values[st->n_fixed]))
        return 0;
    if (!(st->fixed_names[st->n_fixed] = dup_or_fail(c, name))) {
        ld_value_clear(&st->fixed_values[st->n_fixed]);
        return 0;
    }
    st->n_fixed++;
    return 1;
}

static int stage_search_one(ctx *c, ld_stage *st, const yaml_node_t *name_node,
                            const yaml_node_t *def)
{
    char buf[96];
    if (name_node->type != YAML_SCALAR_NODE || !valid_name(text(name_node)))
        return fail(c, name_node, "stage '%s': a parameter to search must be a name, got %s",
                    st->name, describe(name_node, buf, sizeof buf));
    for (size_t i = 0; i < st->n_search; i++)
        if (!strcmp(st->search[i], text(name_node)))
            return fail(c, name_node, "stage '%s' names '%s' twice", st->name, text(name_node));
    int redefined = def && !(def->type == YAML_SCALAR_NODE && !*text(def));
    if (redefined) { /* check the body now, so a mistake is reported where it is */
        ld_param p = {0};
        int when = 0;
        p.q = p.sigma = p.a = p.b = 1;
        p.name = dup_or_fail(c, text(name_node));
        int ok = p.name && (def->type == YAML_MAPPING_NODE
                                ? parse_param_body(c, def, &p, &when)
                                : fail(c, def, "stage '%s': '%s' must be a parameter such as "
                                               "{values: [0.001, 0.01]} or empty, got %s",
                                       st->name, p.name, describe(def, buf, sizeof buf)));
        ld_param_clear(&p);
        if (!ok)
            return 0;
    }
    char **names = realloc(st->search, (st->n_search + 1) * sizeof *names);
    if (names)
        st->search = names;
    int *redef = realloc(st->search_redefined, (st->n_search + 1) * sizeof *redef);
    if (redef)
        st->search_redefined = redef;
    if (!names || !redef || !(names[st->n_search] = dup_or_fail(c, text(name_node))))
        return fail_nomem(c);
    redef[st->n_search++] = redefined;
    return 1;
}

static int stage_search(ctx *c, ld_stage *st, const yaml_node_t *v)
{
    char buf[96];
    if (v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++)
            if (!stage_search_one(c, st, node(c, *it), NULL))
                return 0;
    } else if (v->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++)
            if (!stage_search_one(c, st, node(c, p->key), node(c, p->value)))
                return 0;
    } else {
        return fail(c, v, "stage '%s': parameters must be a list of names to search, such as "
                          "[lr, dropout], or a mapping of names to new distributions, got %s",
                    st->name, describe(v, buf, sizeof buf));
    }
    if (!st->n_search)
        return fail(c, v, "stage '%s' searches no parameter; name at least one, or leave "
                          "'parameters' out to search them all", st->name);
    return 1;
}

static int stage_refine(ctx *c, ld_stage *st, const yaml_node_t *v)
{
    static const char *const known[] = {"top"};
    static const key_set ks = {.known = known, .n_known = ARRAY_LEN(known)};
    yaml_node_t *n;
    if (!check_keys(c, v, "refine", &ks))
        return 0;
    st->refine_top = 5;
    return !(n = lookup(c, v, "top", NULL)) || get_int(c, n, "refine.top", 1, &st->refine_top);
}

static int stage_confirm(ctx *c, ld_stage *st, const yaml_node_t *v)
{
    static const char *const known[] = {"top", "seeds", "seed_param"};
    static const key_set ks = {.known = known, .n_known = ARRAY_LEN(known)};
    yaml_node_t *n;
    if (!check_keys(c, v, "confirm", &ks))
        return 0;
    st->confirm_top = 3;
    st->confirm_seeds = 3;
    if ((n = lookup(c, v, "top", NULL)) && !get_int(c, n, "confirm.top", 1, &st->confirm_top))
        return 0;
    if ((n = lookup(c, v, "seeds", NULL)) &&
        !get_int(c, n, "confirm.seeds", 1, &st->confirm_seeds))
        return 0;
    if (st->confirm_top > 100 || st->confirm_seeds > 100)
        return fail(c, v, "confirm takes at most 100 configurations and 100 seeds");
    const char *seed = "seed";
    if ((n = lookup(c, v, "seed_param", NULL))) {
        if (n->type != YAML_SCALAR_NODE || !valid_name(text(n)))
            return fail(c, n, "confirm.seed_param must be a parameter name such as seed");
        seed = text(n);
    }
    return (st->seed_param = dup_or_fail(c, seed)) != NULL;
}

static int stage_key(ctx *c, ld_stage *st, const yaml_node_t *k, const yaml_node_t *v)
{
    const char *key = text(k);
    char buf[96];
    if (!strcmp(key, "method")) {
        ld_method m = v->type == YAML_SCALAR_NODE ? ld_sampler_find(text(v)) : NULL;
        if (m) {
            st->method = m;
            st->has_method = 1;
            return 1;
        }
        const char *names[MAX_NAMES];
        char list[128];
        join_names(names, registry_names(ld_sampler_names, names), list, sizeof list);
        return fail(c, v, "stage '%s': unknown method %s; expected one of %s", st->name,
                    describe(v, buf, sizeof buf), list);
    }
    if (!strcmp(key, "budget"))
        return read_budget(c, v, "a stage's budget", &st->budget_trials, &st->budget_seconds);
    if (!strcmp(key, "share")) {
        if (!get_number(c, v, "share", &st->share, NULL))
            return 0;
        return st->share > 0 ? 1 : fail(c, v, "share must be a number > 0, got %s", text(v));
    }
    if (!strcmp(key, "parameters"))
        return stage_search(c, st, v);
    if (!strcmp(key, "fixed")) {
        if (v->type != YAML_MAPPING_NODE)
            return fail(c, v, "fixed must be a mapping of parameter names to values, such as "
                              "{train_fraction: 0.1}");
        for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
             p++)
            if (!stage_fix(c, st, node(c, p->key), text(node(c, p->key)), node(c, p->value)))
                return 0;
        return 1;
    }
    if (!strcmp(key, "train_fraction")) {
        double f = 0;
        if (!get_number(c, v, "train_fraction", &f, NULL))
            return 0;
        if (!(f > 0 && f <= 1))
            return fail(c, v, "train_fraction must be in (0, 1], got %s", text(v));
        return stage_fix(c, st, k, key, v);
    }
    if (!strcmp(key, "classes")) {
        long long n = 0;
        return get_whole(c, v, "classes", 2, &n) && stage_fix(c, st, k, key, v);
    }
    if (!strcmp(key, "refine"))
        return stage_refine(c, st, v);
    if (!strcmp(key, "confirm"))
        return stage_confirm(c, st, v);
    /* order, fidelity and early_terminate are copied into the stage's sweep, checked there */
    if (!strcmp(key, "order"))
        return 1;
    if (v->type != YAML_MAPPING_NODE)
        return fail(c, v, "stage '%s': %s must be a mapping, got %s", st->name, key,
                    describe(v, buf, sizeof buf));
    return 1;
}

static int parse_stage(ctx *c, const yaml_node_t *m, ld_stage *st)
{
    static const char *const known[] = {"name",   "method",  "budget",  "share",
                                        "parameters", "fixed", "train_fraction", "classes",
                                        "fidelity", "early_terminate", "refine", "confirm",
                                        "order"};
    static const key_set ks = {.known = known, .n_known = ARRAY_LEN(known)};
    yaml_node_t *n;
    st->line = line_of(m);
    st->column = (int)m->start_mark.column + 1;
    st->share = 1;
    if (!check_keys(c, m, "a stage", &ks))
        return 0;
    if (!(n = lookup(c, m, "name", NULL)))
        return fail(c, m, "a stage needs a name, such as name: coarse (its study is NAME.coarse)");
    if (n->type != YAML_SCALAR_NODE || !valid_name(text(n)) || strchr(text(n), '.'))
        return fail(c, n, "a stage name must be letters, digits, '_' or '-', got '%s'",
                    n->type == YAML_SCALAR_NODE ? text(n) : "");
    if (!(st->name = dup_or_fail(c, text(n))))
        return 0;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(c, p->key);
        if (strcmp(text(k), "name") && !stage_key(c, st, k, node(c, p->value)))
            return 0;
    }
    if (st->confirm_seeds) {
        static const char *const excluded[] = {"method", "parameters", "refine", "fidelity"};
        for (size_t i = 0; i < ARRAY_LEN(excluded); i++)
            if (lookup(c, m, excluded[i], &n))
                return fail(c, n, "stage '%s' confirms the best configurations and takes no "
                                  "'%s'; put the search in a stage before it", st->name,
                            excluded[i]);
    }
    return 1;
}

static void stage_clear(ld_stage *st)
{
    free(st->name);
    for (size_t i = 0; i < st->n_search; i++)
        free(st->search[i]);
    free(st->search);
    free(st->search_redefined);
    for (size_t i = 0; i < st->n_fixed; i++) {
        free(st->fixed_names[i]);
        ld_value_clear(&st->fixed_values[i]);
    }
    free(st->fixed_names);
    free(st->fixed_values);
    free(st->seed_param);
}

static int top_stages(ctx *c, yaml_node_t *v)
{
    char buf[96];
    ld_spec *s = c->spec;
    if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.top == v->data.sequence.items.start)
        return fail(c, v, "stages must be a list of stages, such as - {name: coarse, "
                          "train_fraction: 0.1}, got %s", describe(v, buf, sizeof buf));
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n > 64)
        return fail(c, v, "a playbook holds at most 64 stages, got %zu", n);
    if (!(s->stages = calloc(n, sizeof *s->stages)))
        return fail_nomem(c);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *m = node(c, v->data.sequence.items.start[i]);
        ld_stage *st = &s->stages[s->n_stages++];
        if (!parse_stage(c, m, st))
            return 0;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->stages[j].name, st->name))
                return fail(c, m, "two stages are named '%s' (the first at line %d)", st->name,
                            s->stages[j].line);
        if (st->confirm_seeds && i + 1 < n)
            return fail(c, m, "the confirm stage '%s' must be the last stage", st->name);
        if ((st->refine_top || st->confirm_seeds) && i == 0)
            return fail(c, m, "the first stage '%s' has no stage before it to %s", st->name,
                        st->refine_top ? "refine" : "confirm");
    }
    return 1;
}

static const char *suggest_param(const ld_spec *s, const char *word, size_t skip, size_t *dist);

/* Whole-file checks of a playbook: every name a stage uses is a parameter, every stage has a
   budget. */
static int check_stages(ctx *c)
{
    ld_spec *s = c->spec;
    for (size_t i = 0; i < s->n_stages; i++) {
        ld_stage *st = &s->stages[i];
        for (size_t j = 0; j < st->n_search; j++) {
            if (ld_spec_param_index(s, st->search[j]) >= 0)
                continue;
            size_t dist = 0;
            const char *hint = suggest_param(s, st->search[j], (size_t)-1, &dist);
            if (hint)
                return fail_at(c, st->line, st->column, "stage '%s' searches '%s', which is "
                               "not a parameter (did you mean '%s'?)", st->name, st->search[j],
                               hint);
            return fail_at(c, st->line, st->column, "stage '%s' searches '%s', which is not a "
                           "parameter; declare it under the top-level parameters", st->name,
                           st->search[j]);
        }
        ld_method m = st->has_method ? st->method : s->method;
        if (!st->budget_trials && !st->budget_seconds && !s->budget_seconds && !st->confirm_seeds &&
            !m->exhaustive) /* a grid's budget is its size */
            return fail_at(c, st->line, st->column, "stage '%s' has no budget; give it "
                           "budget: {trials: 20} or give the playbook budget: {time: 1h} to "
                           "share", st->name);
    }
    if (s->n_stages && s->budget_trials)
        return fail_at(c, 1, 1, "a playbook shares budget.time over its stages; give each "
                                "stage its own budget: {trials: N} instead of the top-level "
                                "budget.trials");
    return 1;
}

typedef int (*top_fn)(ctx *c, yaml_node_t *value);

static const struct {
    const char *key;
    top_fn fn;
} top_keys[] = {
    {"name", top_name},
    {"description", top_description},
    {"program", top_program},
    {"command", top_command},
    {"method", top_method},
    {"metric", top_metric},
    {"parameters", top_parameters},
    {"early_terminate", top_early_terminate},
    {"run_cap", top_run_cap},
    {"parallel", top_parallel},
    {"gpus", top_gpus},
    {"threads_per_trial", top_threads},
    {"timeout", top_timeout},
    {"budget", top_budget},
    {"seed", top_seed},
    {"step", top_step},
    {"retries", top_retries},
    {"max_failures", top_max_failures},
    {"order", top_order},
    {"parent", top_parent},
    {"fidelity", top_fidelity},
    {"stages", top_stages},
    {"executor", top_executor},
    {"slurm", top_slurm},
};

/* W&B sweep keys (wandb/sweeps config/schema.json) that liandan accepts and ignores. */
static const char *const wandb_ignored[] = {"project", "entity",    "controller", "job",
                                            "image_uri", "imports", "apiVersion", "kind",
                                            "scheduler", "metrics"};

static int parse_top(ctx *c, yaml_node_t *root)
{
    const char *known[ARRAY_LEN(top_keys)];
    for (size_t i = 0; i < ARRAY_LEN(top_keys); i++)
        known[i] = top_keys[i].key;
    key_set ks = {.known = known,
                  .n_known = ARRAY_LEN(known),
                  .ignored = wandb_ignored,
                  .n_ignored = ARRAY_LEN(wandb_ignored)};
    if (!check_keys(c, root, "the top level", &ks))
        return 0;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
        for (size_t i = 0; i < ARRAY_LEN(top_keys); i++) {
            if (strcmp(text(k), top_keys[i].key))
                continue;
            if (!top_keys[i].fn(c, v))
                return 0;
        }
    }
    return 1;
}

/* ---- whole-file checks ----------------------------------------------------------------- */

/* suggest() over the parameter names, leaving out the one at index skip. */
static const char *suggest_param(const ld_spec *s, const char *word, size_t skip, size_t *dist)
{
    const char **names = calloc(s->n_params + 1, sizeof *names);
    const char *best = NULL;
    size_t n = 0;
    if (dist)
        *dist = 3;
    if (!names)
        return NULL; /* no suggestion is a fine answer when memory is short */
    for (size_t i = 0; i < s->n_params; i++)
        if (i != skip)
            names[n++] = s->params[i].name;
    best = ld_suggest(word, names, n, dist);
    free(names);
    return best;
}

static int check_when(ctx *c)
{
    ld_spec *s = c->spec;
    for (size_t i = 0; i < s->n_params; i++) {
        ld_param *p = &s->params[i];
        if (!p->when_param)
            continue;
        yaml_node_t *k = node(c, c->when_nodes[i]);
        int j = ld_spec_param_index(s, p->when_param);
        if (j < 0 || (size_t)j == i) {
            const char *hint = suggest_param(s, p->when_param, i, NULL);
            if (hint)
                return fail(c, k, "when names '%s', which is not a parameter (did you mean "
                                  "'%s'?)", p->when_param, hint);
            return fail(c, k, "when names '%s', which is not %s parameter", p->when_param,
                        j < 0 ? "a" : "another");
        }
        const ld_param *t = &s->params[j];
        if (t->dist == LD_DIST_CONSTANT || t->dist == LD_DIST_CATEGORICAL) {
            if (isnan(ld_param_to_unit(t, &p->when_value))) {
                char v[64];
                ld_value_format(&p->when_value, v, sizeof v);
                return fail(c, k, "when: {%s: %s} can never hold: %s is not one of the values of "
                                  "'%s'", p->when_param, v, v, t->name);
            }
        }
    }
    return 1;
}

static const char *const single_macros[] = {"env", "interpreter", "program", "args_json"};
static const char *const multi_macros[] = {"args", "args_no_hyphens", "args_no_boolean_flags"};
static const char *const all_macros[] = {"env",  "interpreter",     "program",
                                         "args", "args_no_hyphens", "args_no_boolean_flags",
                                         "args_json"};

/* The next "${name}" in s at or after *pos: name (into out) and the span [*start, *pos). */
typedef enum { MACRO_NONE, MACRO_FOUND, MACRO_UNTERMINATED } macro_scan;

static macro_scan next_macro(const char *s, size_t *pos, size_t *start, char *out, size_t size)
{
    const char *open = strstr(s + *pos, "${");
    if (!open)
        return MACRO_NONE;
    const char *close = strchr(open + 2, '}');
    if (!close)
        return MACRO_UNTERMINATED;
    size_t n = (size_t)(close - open - 2);
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), open + 2);
    *start = (size_t)(open - s);
    *pos = (size_t)(close + 1 - s);
    return MACRO_FOUND;
}

static int unknown_macro(ctx *c, const yaml_node_t *at, const char *name)
{
    size_t d_param, d_macro;
    const char *param = suggest_param(c->spec, name, (size_t)-1, &d_param);
    const char *macro = ld_suggest(name, all_macros, ARRAY_LEN(all_macros), &d_macro);
    if (param && (!macro || d_param <= d_macro))
        return fail(c, at, "${%s} names no parameter (did you mean ${%s}?)", name, param);
    if (macro)
        return fail(c, at, "unknown macro ${%s} (did you mean ${%s}?)", name, macro);
    return fail(c, at, "unknown macro ${%s}; expected ${env}, ${interpreter}, ${program}, "
                       "${args}, ${args_no_hyphens}, ${args_no_boolean_flags}, ${args_json} or "
                       "${NAME} of a parameter", name);
}

static int check_element(ctx *c, const yaml_node_t *at, const char *elem)
{
    char name[256];
    size_t pos = 0, start;
    macro_scan r;
    while ((r = next_macro(elem, &pos, &start, name, sizeof name)) == MACRO_FOUND) {
        if (in_list(name, multi_macros, ARRAY_LEN(multi_macros))) {
            if (start != 0 || elem[pos])
                return fail(c, at, "${%s} must be a command element of its own, got '%s'; write "
                                   "it as a separate list item", name, elem);
        } else if (!strcmp(name, "program") && !c->spec->program) {
            return fail(c, at, "${program} is used but 'program' is not set; add program: "
                               "train.py");
        } else if (!in_list(name, single_macros, ARRAY_LEN(single_macros)) &&
                   ld_spec_param_index(c->spec, name) < 0) {
            return unknown_macro(c, at, name);
        }
    }
    if (r == MACRO_UNTERMINATED)
        return fail(c, at, "unterminated macro in '%s'; expected ${NAME}", elem);
    return 1;
}

static int check_command(ctx *c)
{
    ld_spec *s = c->spec;
    static const char *const dflt[] = {"${env}", "${interpreter}", "${program}", "${args}"};
    if (!s->n_command) {
        if (!s->program)
            return 1; /* nothing to launch: fine for ask/tell; `run` refuses it */
        s->command = calloc(ARRAY_LEN(dflt), sizeof *s->command);
        if (!s->command)
            return fail_nomem(c);
        for (size_t i = 0; i < ARRAY_LEN(dflt); i++) {
            if (!(s->command[i] = dup_or_fail(c, dflt[i])))
                return 0;
            s->n_command = i + 1;
        }
        return 1;
    }
    yaml_node_t *list = c->command_list;
    for (size_t i = 0; i < s->n_command; i++)
        if (!check_element(c, node(c, list->data.sequence.items.start[i]), s->command[i]))
            return 0;
    return 1;
}

static int check_grid(ctx *c)
{
    ld_spec *s = c->spec;
    if (!s->method->exhaustive && s->order_line && !s->n_stages)
        return fail_at(c, s->order_line, s->order_column,
                       "order is the order of grid points, and this sweep's method is %s: "
                       "remove it, or use method: grid", ld_method_name(s->method));
    if (!s->method->exhaustive)
        return 1;
    for (size_t i = 0; i < s->n_params; i++) {
        if (ld_param_grid_size(&s->params[i]))
            continue;
        return fail_at(c, s->params[i].line, s->params[i].column,
                       "method grid needs a discrete parameter: give '%s' values: [...]",
                       s->params[i].name);
    }
    return 1;
}

static char *default_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, base, n);
        out[n] = '\0';
    }
    return out;
}

/* gpus: are this machine's devices; Slurm jobs get theirs from slurm.gres. */
static int check_executor(ctx *c)
{
    ld_spec *s = c->spec;
    if (s->executor == LD_EXECUTOR_SLURM && s->n_gpus)
        return fail_at(c, s->executor_line, 1,
                       "gpus lists this machine's devices, but executor: slurm runs trials on "
                       "the cluster's; ask for them with slurm: {gres: gpu:1} and remove gpus");
    return 1;
}

static int finish(ctx *c)
{
    ld_spec *s = c->spec;
    if (!c->method_seen && s->n_stages)
        s->method = ld_sampler_find("tpe"); /* a playbook's stages search with tpe unless told */
    else if (!c->method_seen)
        return fail(c, c->root, "missing 'method'; add method: random (or grid, bayes, sobol, "
                                "tpe, gp)");
    if (!c->metric_seen)
        return fail(c, c->root, "missing 'metric'; add metric: {name: val_acc, goal: maximize}");
    if (!c->params_seen)
        return fail(c, c->root, "missing 'parameters'; add parameters: {lr: {min: 0.0001, max: "
                                "0.1}}");
    if (!add_fidelity_param(c) || !check_when(c) || !check_command(c) || !check_grid(c) ||
        !check_stages(c) || !check_executor(c))
        return 0;
    if (s->run_cap && (!s->budget_trials || s->run_cap < s->budget_trials))
        s->budget_trials = s->run_cap;
    if (!s->name && !(s->name = default_name(s->path)))
        return fail_nomem(c);
    if (!s->step && !(s->step = dup_or_fail(c, "epoch")))
        return 0;
    return 1;
}

static int parse_document(ctx *c)
{
    char buf[96];
    c->root = yaml_document_get_root_node(c->doc);
    if (!c->root)
        return fail(c, NULL, "the file is empty; expected a mapping with method, metric and "
                             "parameters");
    if (c->root->type != YAML_MAPPING_NODE)
        return fail(c, c->root, "the top level is %s; expected a mapping with method, metric and "
                                "parameters", describe(c->root, buf, sizeof buf));
    return parse_top(c, c->root) && finish(c);
}

/* ---- entry points ---------------------------------------------------------------------- */

static ld_status yaml_error(const yaml_parser_t *parser, const char *path, char *err,
                            size_t errlen)
{
    if (parser->error == YAML_MEMORY_ERROR) {
        snprintf(err, errlen, "out of memory");
        return LD_ERR_NOMEM;
    }
    const char *problem = parser->problem ? parser->problem : "malformed YAML";
    snprintf(err, errlen, "%s:%d:%d: YAML syntax error: %s%s%s; check the indentation and "
                          "quoting here", path, (int)parser->problem_mark.line + 1,
             (int)parser->problem_mark.column + 1, parser->context ? parser->context : "",
             parser->context ? ", " : "", problem);
    return LD_ERR_INPUT;
}

static ld_spec *spec_new(const char *path, const char *text, size_t len)
{
    ld_spec *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->path = ld_strdup(path);
    s->text = malloc(len + 1);
    if (!s->path || !s->text) {
        ld_spec_free(s);
        return NULL;
    }
    memcpy(s->text, text, len);
    s->text[len] = '\0';
    s->method = ld_sampler_find("random");
    s->parallel = 1;
    s->early_terminate.eta = 3;
    s->early_terminate.n_startup_trials = 5;
    s->early_terminate.interval = 1;
    return s;
}

ld_status ld_spec_parse(const char *path, const char *text, size_t len, ld_spec **out,
                        char *err, size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = '\0';
    ld_spec *s = spec_new(path, text, len);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return LD_ERR_NOMEM;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        ld_spec_free(s);
        snprintf(err, errlen, "out of memory");
        return LD_ERR_NOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)s->text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        ld_status st = yaml_error(&parser, path, err, errlen);
        yaml_parser_delete(&parser);
        ld_spec_free(s);
        return st;
    }
    ctx c = {.path = path, .doc = &doc, .spec = s, .err = err, .errlen = errlen,
             .status = LD_OK};
    int ok = parse_document(&c);
    free(c.when_nodes);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (!ok) {
        ld_spec_free(s);
        return c.status;
    }
    *out = s;
    return LD_OK;
}

ld_status ld_spec_load(const char *path, ld_spec **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open the sweep file: %s", path, strerror(errno));
        return LD_ERR_INPUT;
    }
    ld_buf b = LD_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ld_buf_append(&b, chunk, n);
    int read_error = ferror(f);
    fclose(f);
    if (read_error) {
        ld_buf_free(&b);
        snprintf(err, errlen, "%s: cannot read the sweep file: %s", path, strerror(errno));
        return LD_ERR_INPUT;
    }
    if (b.failed) {
        ld_buf_free(&b);
        snprintf(err, errlen, "out of memory");
        return LD_ERR_NOMEM;
    }
    ld_status st = ld_spec_parse(path, ld_buf_str(&b), b.len, out, err, errlen);
    ld_buf_free(&b);
    return st;
}

void ld_spec_free(ld_spec *spec)
{
    if (!spec)
        return;
    free(spec->path);
    free(spec->text);
    free(spec->name);
    free(spec->description);
    free(spec->program);
    for (size_t i = 0; i < spec->n_command; i++)
        free(spec->command[i]);
    free(spec->command);
    free(spec->command_at);
    free(spec->metric);
    for (size_t i = 0; i < spec->n_params; i++)
        ld_param_clear(&spec->params[i]);
    free(spec->params);
    free(spec->early_terminate.type);
    free(spec->early_terminate.val_key);
    free(spec->early_terminate.train_key);
    free(spec->gpus);
    free(spec->slurm.partition);
    free(spec->slurm.gres);
    free(spec->slurm.time);
    free(spec->slurm.mem);
    for (size_t i = 0; i < spec->slurm.n_extra; i++)
        free(spec->slurm.extra[i]);
    free(spec->slurm.extra);
    free(spec->step);
    free(spec->parent);
    free(spec->fidelity.param);
    for (size_t i = 0; i < spec->n_stages; i++)
        stage_clear(&spec->stages[i]);
    free(spec->stages);
    for (size_t i = 0; i < spec->n_notes; i++)
        free(spec->notes[i]);
    free(spec->notes);
    free(spec);
}

void ld_param_default(const ld_param *p, ld_value *out)
{
    *out = (ld_value){LD_VAL_NONE, 0, NULL};
    if (p->default_value.type != LD_VAL_NONE) {
        *out = ld_value_copy(&p->default_value);
    } else if (p->n_values) {
        *out = ld_value_copy(&p->values[0]);
    } else if (p->dist == LD_DIST_NORMAL || p->dist == LD_DIST_Q_NORMAL ||
               p->dist == LD_DIST_LOG_NORMAL || p->dist == LD_DIST_Q_LOG_NORMAL ||
               p->dist == LD_DIST_BETA || p->dist == LD_DIST_Q_BETA) {
        ld_param_from_unit(p, 0.5, out); /* the median */
    } else {
        /* the middle of the range in the parameter's own scale: geometric for log ranges */
        ld_param_from_unit(p, 0.5, out);
        if (p->integer || p->dist == LD_DIST_INT_UNIFORM) {
            out->type = LD_VAL_INT;
            out->num = round(out->num);
        }
    }
}

int ld_spec_param_index(const ld_spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->n_params; i++)
        if (spec->params[i].name && !strcmp(spec->params[i].name, name))
            return (int)i;
    return -1;
}

/* ---- durations ------------------------------------------------------------------------- */

static double unit_seconds(const char *unit, size_t n)
{
    static const struct {
        const char *name;
        double seconds;
    } units[] = {{"s", 1},        {"sec", 1},      {"secs", 1},     {"second", 1},
                 {"seconds", 1},  {"m", 60},       {"min", 60},     {"mins", 60},
                 {"minute", 60},  {"minutes", 60}, {"h", 3600},     {"hr", 3600},
                 {"hrs", 3600},   {"hour", 3600},  {"hours", 3600}, {"d", 86400},
                 {"day", 86400},  {"days", 86400}};
    for (size_t i = 0; i < ARRAY_LEN(units); i++)
        if (strlen(units[i].name) == n && !strncmp(unit, units[i].name, n))
            return units[i].seconds;
    return -1;
}

/* "90", "90s", "1.5h", "1h30m", "1h 30m", "2 days"; -1 when malformed. */
double ld_parse_duration(const char *text)
{
    const char *p = text;
    double total = 0;
    int parts = 0;
    while (*p == ' ')
        p++;
    while (*p) {
        size_t digits = strspn(p, "0123456789.");
        if (!digits || digits > 30)
            return -1;
        char num[32];
        memcpy(num, p, digits);
        num[digits] = '\0';
        if (!looks_float(num))
            return -1;
        double v = strtod(num, NULL);
        p += digits;
        while (*p == ' ')
            p++;
        size_t letters = strspn(p, "abcdefghijklmnopqrstuvwxyz");
        if (!letters) { /* a bare number is seconds, but only on its own */
            if (parts || *p)
                return -1;
            return v;
        }
        double unit = unit_seconds(p, letters);
        if (unit < 0)
            return -1;
        total += v * unit;
        parts++;
        p += letters;
        while (*p == ' ')
            p++;
    }
    return parts ? total : -1;
}

/* ---- command lines --------------------------------------------------------------------- */

typedef struct {
    char **items;
    size_t n, cap;
    int failed;
} argv_list;

static void argv_push(argv_list *a, char *s)
{
    if (!s || a->failed) {
        a->failed = 1;
        free(s);
        return;
    }
    if (a->n + 2 > a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        char **items = realloc(a->items, cap * sizeof *items);
        if (!items) {
            a->failed = 1;
            free(s);
            return;
        }
        a->items = items;
        a->cap = cap;
    }
    a->items[a->n++] = s;
    a->items[a->n] = NULL;
}

static int on_path(const char *prog);

/* executor: slurm drives Slurm through its command-line tools: all four on PATH. */
static ld_status check_slurm_tools(const ld_spec *spec, char *err, size_t errlen)
{
    static const char *const tools[] = {"sbatch", "squeue", "scontrol", "scancel"};
    for (size_t i = 0; i < ARRAY_LEN(tools); i++)
        if (!on_path(tools[i])) {
            snprintf(err, errlen, "%s:%d:1: executor: slurm needs Slurm's %s, which is not on "
                                  "PATH; run liandan on a node where Slurm's commands work (a "
                                  "login node), or install Slurm's client (Debian: slurm-client)",
                     spec->path, spec->executor_line, tools[i]);
            return LD_ERR_INPUT;
        }
    return LD_OK;
}

static int on_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    while (*path) {
        size_t n = strcspn(path, ":");
        char full[4096];
        struct stat st;
        if (n && snprintf(full, sizeof full, "%.*s/%s", (int)n, path, prog) < (int)sizeof full &&
            stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
            return 1;
        path += n + (path[n] == ':');
    }
    return 0;
}

/* One element per active parameter: "--name=value", "name=value", or for
   args_no_boolean_flags "--name" for a true bool and nothing for a false one. */
static void push_args(argv_list *a, const ld_spec *spec, const ld_value *values,
                      const char *kind)
{
    int hyphens = strcmp(kind, "args_no_hyphens") != 0;
    int bool_flags = !strcmp(kind, "args_no_boolean_flags");
    for (size_t i = 0; i < spec->n_params; i++) {
        const ld_value *v = &values[i];
        if (v->type == LD_VAL_NONE)
            continue;
        ld_buf b = LD_BUF_INIT;
        if (bool_flags && v->type == LD_VAL_BOOL) {
            if (v->num == 0)
                continue;
            ld_buf_printf(&b, "--%s", spec->params[i].name);
        } else {
            ld_buf_printf(&b, "%s%s=", hyphens ? "--" : "", spec->params[i].name);
            ld_value_append(&b, v);
        }
        argv_push(a, ld_buf_take(&b));
    }
}

/* Python's json.dumps layout: {"lr": 0.001, "optimizer": "adam"}. */
static void append_args_json(ld_buf *b, const ld_spec *spec, const ld_value *values)
{
    int first = 1;
    ld_buf_putc(b, '{');
    for (size_t i = 0; i < spec->n_params; i++) {
        if (values[i].type == LD_VAL_NONE)
            continue;
        ld_buf_puts(b, first ? "" : ", ");
        ld_buf_json_string(b, spec->params[i].name);
        ld_buf_puts(b, ": ");
        ld_value_json(b, &values[i]);
        first = 0;
    }
    ld_buf_putc(b, '}');
}

/* Appends the expansion of one single-element macro; 0 when name is no macro. */
static int append_macro(ld_buf *b, const ld_spec *spec, const ld_value *values, const char *name)
{
    int i;
    if (!strcmp(name, "env"))
        ld_buf_puts(b, "/usr/bin/env");
    else if (!strcmp(name, "interpreter"))
        ld_buf_puts(b, on_path("python") ? "python" : "python3");
    else if (!strcmp(name, "program") && spec->program)
        ld_buf_puts(b, spec->program);
    else if (!strcmp(name, "args_json"))
        append_args_json(b, spec, values);
    else if ((i = ld_spec_param_index(spec, name)) >= 0) {
        if (values[i].type != LD_VAL_NONE) /* an inactive parameter expands to nothing */
            ld_value_append(b, &values[i]);
    } else
        return 0;
    return 1;
}

static ld_status expand_element(argv_list *a, const ld_spec *spec, const ld_value *values,
                                const char *elem, char *err, size_t errlen)
{
    char name[256];
    size_t pos = 0, start, done = 0;
    ld_buf b = LD_BUF_INIT;
    macro_scan r;
    while ((r = next_macro(elem, &pos, &start, name, sizeof name)) == MACRO_FOUND) {
        ld_buf_append(&b, elem + done, start - done);
        done = pos;
        if (!append_macro(&b, spec, values, name)) {
            ld_buf_free(&b);
            snprintf(err, errlen, "%s: command element '%s': unknown macro ${%s}", spec->path,
                     elem, name);
            return LD_ERR_INPUT;
        }
    }
    ld_buf_puts(&b, elem + done);
    argv_push(a, ld_buf_take(&b));
    return LD_OK;
}

/* The macro when elem is exactly "${args}", "${args_no_hyphens}" or "${args_no_boolean_flags}":
   those expand to several elements. NULL otherwise. */
static const char *whole_multi_macro(const char *elem)
{
    size_t n = strlen(elem);
    if (n < 4 || strncmp(elem, "${", 2) || elem[n - 1] != '}')
        return NULL;
    for (size_t m = 0; m < ARRAY_LEN(multi_macros); m++)
        if (strlen(multi_macros[m]) == n - 3 && !strncmp(elem + 2, multi_macros[m], n - 3))
            return multi_macros[m];
    return NULL;
}

ld_status ld_command_build(const ld_spec *spec, const ld_value *values, char ***argv, char *err,
                           size_t errlen)
{
    argv_list a = {0};
    ld_status st = LD_OK;
    *argv = NULL;
    for (size_t i = 0; i < spec->n_command && st == LD_OK; i++) {
        const char *multi = whole_multi_macro(spec->command[i]);
        if (multi)
            push_args(&a, spec, values, multi);
        else
            st = expand_element(&a, spec, values, spec->command[i], err, errlen);
    }
    if (st == LD_OK && a.failed) {
        snprintf(err, errlen, "out of memory");
        st = LD_ERR_NOMEM;
    } else if (st == LD_OK && !a.items) {
        snprintf(err, errlen, "%s: the command is empty; give a program or a command list",
                 spec->path);
        st = LD_ERR_INPUT;
    }
    if (st != LD_OK) {
        ld_argv_free(a.items);
        return st;
    }
    *argv = a.items;
    return LD_OK;
}

void ld_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        free(*p);
    free(argv);
}

/* ---- is the command runnable from here? ------------------------------------------------- */

static int has_script_suffix(const char *s)
{
    static const char *const suffixes[] = {".py", ".sh", ".bash", ".R", ".jl", ".pl", ".rb",
                                           ".lua", ".js"};
    size_t n = strlen(s);
    for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
        size_t k = strlen(suffixes[i]);
        if (n > k && !strcmp(s + n - k, suffixes[i]))
            return 1;
    }
    return 0;
}

/* "; it is in DIR, the sweep file's folder: run liandan there, or write PATH", when a relative
   path that is missing here exists next to the sweep file. */
static void where_else(const ld_spec *spec, const char *path, char *out, size_t size)
{
    out[0] = '\0';
    const char *slash = spec->path ? strrchr(spec->path, '/') : NULL;
    if (path[0] == '/' || !slash)
        return;
    char other[4096];
    struct stat st;
    int n = (int)(slash - spec->path);
    if (snprintf(other, sizeof other, "%.*s/%s", n, spec->path, path) >= (int)sizeof other ||
        stat(other, &st) != 0)
        return;
    char folder[4096], *abs = NULL;
    snprintf(folder, sizeof folder, "%.*s", n ? n : 1, n ? spec->path : "/");
    abs = realpath(folder, NULL);
    snprintf(out, size, "; it is in %s, the sweep file's folder: run liandan there, or write %s",
             abs ? abs : folder, other);
    free(abs);
}

/* A file the command names, relative to the working directory: missing is an error at (at). */
static ld_status check_file(const ld_spec *spec, const char *what, const char *path,
                            const int at[2], char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return LD_OK;
    char cwd[4096], also[8400];
    if (!getcwd(cwd, sizeof cwd))
        snprintf(cwd, sizeof cwd, ".");
    where_else(spec, path, also, sizeof also);
    snprintf(err, errlen, "%s:%d:%d: %s '%s' does not exist%s%s (trials run in the folder "
                          "liandan runs in, and the sweep's paths are relative to it)%s",
             spec->path, at[0], at[1], what, path, path[0] == '/' ? "" : " in ",
             path[0] == '/' ? "" : cwd, also);
    return LD_ERR_INPUT;
}

/* argv[0] (or what /usr/bin/env runs): a path that can be executed or a name on PATH. */
static ld_status check_executable(const ld_spec *spec, char **argv, const int at[2], char *err,
                                  size_t errlen)
{
    const char *exe = argv[0];
    const char *base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
    if (!strcmp(base, "env") && access(exe, X_OK) == 0) { /* env [-opts] [NAME=V]... PROGRAM */
        size_t i = 1;
        while (argv[i] && (argv[i][0] == '-' || strchr(argv[i], '=')))
            i++;
        if (!argv[i])
            return LD_OK;
        exe = argv[i];
    }
    if (!strchr(exe, '/')) {
        if (on_path(exe))
            return LD_OK;
        snprintf(err, errlen, "%s:%d:%d: '%s' is not a program on PATH; install it, or give its "
                              "path",
                 spec->path, at[0], at[1], exe);
        return LD_ERR_INPUT;
    }
    struct stat st;
    if (stat(exe, &st) != 0)
        return check_file(spec, "the command's program", exe, at, err, errlen);
    if (!S_ISREG(st.st_mode) || access(exe, X_OK) != 0) {
        snprintf(err, errlen, "%s:%d:%d: '%s' is not executable; chmod +x %s, or run it through "
                              "its interpreter (command: [python3, %s, ...] or [sh, %s, ...])",
                 spec->path, at[0], at[1], exe, exe, exe, exe);
        return LD_ERR_INPUT;
    }
    return LD_OK;
}

ld_status ld_spec_check_runnable(const ld_spec *spec, char *err, size_t errlen)
{
    if (!spec->n_command)
        return LD_OK;
    ld_value *values = calloc(spec->n_params ? spec->n_params : 1, sizeof *values);
    if (!values) {
        snprintf(err, errlen, "out of memory");
        return LD_ERR_NOMEM;
    }
    for (size_t i = 0; i < spec->n_params; i++)
        ld_param_default(&spec->params[i], &values[i]);
    char **argv = NULL;
    ld_status st = ld_command_build(spec, values, &argv, err, errlen);
    for (size_t i = 0; i < spec->n_params; i++)
        ld_value_clear(&values[i]);
    free(values);
    if (st != LD_OK)
        return st;
    const int program_at[2] = {spec->program_line ? spec->program_line : 1,
                               spec->program_column ? spec->program_column : 1};
    const int *first_at = spec->command_at ? spec->command_at[0] : program_at;
    int uses_program = 0;
    for (size_t i = 0; i < spec->n_command; i++)
        uses_program |= strstr(spec->command[i], "${program}") != NULL;
    /* the script first: "train.py does not exist" says more than "python3 fails" */
    if (uses_program && spec->program)
        st = check_file(spec, "program", spec->program, program_at, err, errlen);
    for (size_t i = 0; st == LD_OK && spec->command_at && i < spec->n_command; i++) {
        const char *e = spec->command[i];
        if (i > 0 && e[0] != '-' && !strstr(e, "${") && !strchr(e, '=') && has_script_suffix(e))
            st = check_file(spec, "the command's script", e, spec->command_at[i], err, errlen);
    }
    if (st == LD_OK && !(spec->command_at && whole_multi_macro(spec->command[0])))
        st = check_executable(spec, argv, first_at, err, errlen);
    ld_argv_free(argv);
    if (st == LD_OK && spec->executor == LD_EXECUTOR_SLURM)
        st = check_slurm_tools(spec, err, errlen);
    return st;
}
