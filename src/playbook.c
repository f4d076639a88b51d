/*
 * playbook.c — the tuning playbook as one run: a sweep with `stages:` runs its stages one after
 * the other, each a study of its own named NAME.STAGE in the same journal (docs/playbook.md).
 *
 * A stage's sweep is written here, when the stage starts, from the playbook's top-level keys and
 * the stage's own: the parameters it does not search are frozen at the best trial's value of the
 * latest stage that has one (before any result: the parameter's `default:`, see
 * ld_param_default), `fixed:` ones are held at their value, `refine:` narrows the searched ranges
 * around the previous stage's best trials (refine.c's rule), and a confirm stage queues the best
 * distinct configurations of the stages before it with S seeds each. Each stage names the one
 * before it as its parent (the first names the playbook), so its sampler is warm-started from
 * the parent's trials that fit its space, and `liandan status` shows the chain.
 *
 * Time: the playbook's budget.time is shared out as it goes: a stage without a time of its own
 * gets (time left) x share / (sum of the shares of it and the stages after it), so a stage that
 * ends early leaves its time to the ones after it. Time spent is read back from the journal (the
 * union of the stage's trials' run intervals), so a killed playbook resumes with the same
 * shares, in the stage where it stopped: a stage is done once it has a conclusion note, which
 * the playbook writes when the stage ends; an unfinished stage is reopened with the sweep it was
 * created with (its stored text), and its queued and stale trials run first.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "journal_internal.h"
#include "report/importance.h"
#include "util/buf.h"
#include "util/yaml_writer.h"

/* The confirm stage's floor, when the stages before it used up the time and none of them ran on
   the full data: enough to start one round of trials, which then run to their end. */
#define CONFIRM_MIN_SECONDS 1.0

typedef struct {
    ld_db *db;
    const ld_spec *spec; /* the playbook's: the top-level parameters every stage draws from */
    const char *name;    /* the playbook's study */
    yaml_document_t doc; /* the playbook file, for copying its nodes into stage sweeps */
    int loaded;
} playbook;

/* What the journal holds about one stage. */
typedef struct {
    char *study;
    int exists, done;       /* done: it has a conclusion */
    char *sweep_text;       /* as created */
    ld_trial *trials;       /* in the playbook spec's parameter order */
    size_t n;
    const ld_trial **ranked; /* complete with a finite value, best first */
    size_t n_ranked;
    double elapsed;         /* seconds its trials ran (the union of their intervals) */
} stage_view;

/* ---- the playbook file ----------------------------------------------------------------- */

static yaml_node_t *doc_node(playbook *pb, int id) { return yaml_document_get_node(&pb->doc, id); }

static yaml_node_t *map_get(playbook *pb, yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = doc_node(pb, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
            return doc_node(pb, p->value);
    }
    return NULL;
}

static yaml_node_t *stage_node(playbook *pb, size_t i)
{
    yaml_node_t *stages = map_get(pb, yaml_document_get_root_node(&pb->doc), "stages");
    return stages ? doc_node(pb, stages->data.sequence.items.start[i]) : NULL;
}

static ld_status pb_open(playbook *pb, ld_db *db, const ld_spec *spec, const char *name)
{
    memset(pb, 0, sizeof *pb);
    pb->db = db;
    pb->spec = spec;
    pb->name = name;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)spec->text, strlen(spec->text));
    pb->loaded = yaml_parser_load(&parser, &pb->doc);
    yaml_parser_delete(&parser);
    if (!pb->loaded || !yaml_document_get_root_node(&pb->doc))
        return ld_db_fail(db, LD_ERR_INPUT, "%s: the playbook no longer parses", spec->path);
    return LD_OK;
}

static void pb_close(playbook *pb)
{
    if (pb->loaded)
        yaml_document_delete(&pb->doc);
    pb->loaded = 0;
}

char *ld_playbook_stage_study(const char *playbook_name, const ld_stage *st)
{
    ld_buf b = LD_BUF_INIT;
    ld_buf_printf(&b, "%s.%s", playbook_name, st->name);
    return ld_buf_take(&b);
}

static int name_in(const char *name, char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return (int)i;
    return -1;
}

/* ---- reading a stage back -------------------------------------------------------------- */

static int by_start(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Seconds during which at least one of the trials ran. */
static double busy_seconds(const ld_trial *t, size_t n)
{
    double *iv = malloc((n ? n : 1) * 2 * sizeof *iv);
    size_t m = 0;
    if (!iv)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].started <= 0)
            continue;
        double end = t[i].finished > 0 ? t[i].finished : t[i].heartbeat;
        if (end > t[i].started) {
            iv[2 * m] = t[i].started;
            iv[2 * m + 1] = end;
            m++;
        }
    }
    qsort(iv, m, 2 * sizeof *iv, by_start);
    double total = 0, lo = 0, hi = -1;
    for (size_t i = 0; i < m; i++) {
        if (iv[2 * i] > hi) {
            total += hi > lo ? hi - lo : 0;
            lo = iv[2 * i];
            hi = iv[2 * i + 1];
        } else if (iv[2 * i + 1] > hi) {
            hi = iv[2 * i + 1];
        }
    }
    total += hi > lo ? hi - lo : 0;
    free(iv);
    return total;
}

static int maximize_flag; /* for qsort's comparator below; set right before sorting */

static int by_value(const void *a, const void *b)
{
    double x = (*(const ld_trial *const *)a)->value, y = (*(const ld_trial *const *)b)->value;
    int c = (x > y) - (x < y);
    return maximize_flag ? -c : c;
}

static void view_clear(stage_view *v)
{
    free(v->study);
    free(v->sweep_text);
    ld_trials_free(v->trials, v->n);
    free(v->ranked);
    memset(v, 0, sizeof *v);
}

static ld_status view_stage(playbook *pb, size_t i, stage_view *v)
{
    memset(v, 0, sizeof *v);
    if (!(v->study = ld_playbook_stage_study(pb->name, &pb->spec->stages[i])))
        return ld_db_fail(pb->db, LD_ERR_NOMEM, "out of memory");
    ld_study_info info;
    ld_status st = ld_db_get_study(pb->db, v->study, &info);
    if (st == LD_ERR_NOTFOUND)
        return LD_OK;
    if (st != LD_OK)
        return st;
    v->exists = 1;
    v->done = info.conclusion && *info.conclusion;
    v->sweep_text = info.sweep_text;
    info.sweep_text = NULL;
    ld_study_info_clear(&info);
    st = ld_db_list_trials(pb->db, v->study, 1, &v->trials, &v->n);
    if (st == LD_OK && ld_trials_align(pb->spec, v->trials, v->n) != LD_OK)
        st = ld_db_fail(pb->db, LD_ERR_NOMEM, "out of memory");
    if (st == LD_OK && !(v->ranked = calloc(v->n ? v->n : 1, sizeof *v->ranked)))
        st = ld_db_fail(pb->db, LD_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == LD_OK && k < v->n; k++)
        if (v->trials[k].state == LD_TRIAL_COMPLETE && v->trials[k].has_value &&
            isfinite(v->trials[k].value))
            v->ranked[v->n_ranked++] = &v->trials[k];
    if (st == LD_OK) {
        maximize_flag = pb->spec->maximize;
        qsort(v->ranked, v->n_ranked, sizeof *v->ranked, by_value);
        v->elapsed = busy_seconds(v->trials, v->n);
    }
    return st;
}

/* ---- writing a stage's sweep ----------------------------------------------------------- */

typedef struct {
    playbook *pb;
    size_t index;
    const ld_stage *stage;
    yaml_node_t *node;      /* the stage's mapping in the playbook file */
    const ld_value *frozen; /* [pb->spec->n_params] where unsearched parameters are held */
    const stage_view *prev; /* the stage before, or NULL */
    ld_yw w;
} stage_writer;

static int is_searched(const ld_stage *st, const char *name)
{
    return st->n_search == 0 || name_in(name, st->search, st->n_search) >= 0;
}

/* Do the previous stage's best trials vary this parameter (so there is a span to narrow to)? */
static int prev_varied(const stage_writer *sw, size_t j, size_t k)
{
    for (size_t i = 1; i < k; i++)
        if (!ld_value_equal(&sw->prev->ranked[i]->params[j], &sw->prev->ranked[0]->params[j]))
            return 1;
    return 0;
}

static void emit_held(stage_writer *sw, const ld_value *v, yaml_node_t *when)
{
    ld_yw_map_start(&sw->w, 1);
    ld_yw_key(&sw->w, "value");
    ld_yw_value(&sw->w, v);
    if (when) {
        ld_yw_key(&sw->w, "when");
        ld_yw_copy(&sw->w, &sw->pb->doc, when);
    }
    ld_yw_map_end(&sw->w);
}

static void emit_seeds(stage_writer *sw)
{
    ld_yw_map_start(&sw->w, 1);
    ld_yw_key(&sw->w, "values");
    ld_yw_seq_start(&sw->w, 1);
    for (int s = 1; s <= sw->stage->confirm_seeds; s++)
        ld_yw_number(&sw->w, s, 1);
    ld_yw_seq_end(&sw->w);
    ld_yw_map_end(&sw->w);
}

/* One parameter of the playbook (full name, its node in the file) as this stage has it. */
static void emit_param(stage_writer *sw, const char *full, yaml_node_t *def)
{
    const ld_stage *st = sw->stage;
    const ld_spec *base = sw->pb->spec;
    int j = ld_spec_param_index(base, full);
    int fixed = name_in(full, st->fixed_names, st->n_fixed);
    yaml_node_t *when = map_get(sw->pb, def, "when");
    if (st->confirm_seeds) {
        if (!strcmp(full, st->seed_param))
            emit_seeds(sw);
        else if (fixed >= 0)
            emit_held(sw, &st->fixed_values[fixed], when);
        else
            ld_yw_copy(&sw->w, &sw->pb->doc, def);
    } else if (fixed >= 0) {
        emit_held(sw, &st->fixed_values[fixed], when);
    } else if (!is_searched(st, full) && j >= 0) {
        emit_held(sw, &sw->frozen[j], when);
    } else if (st->n_search && st->search_redefined[name_in(full, st->search, st->n_search)]) {
        ld_yw_copy(&sw->w, &sw->pb->doc, map_get(sw->pb, map_get(sw->pb, sw->node, "parameters"),
                                                  full));
    } else if (st->refine_top && sw->prev && sw->prev->n_ranked >= 2 && j >= 0) {
        size_t k = sw->prev->n_ranked < (size_t)st->refine_top ? sw->prev->n_ranked
                                                               : (size_t)st->refine_top;
        if (prev_varied(sw, (size_t)j, k))
            ld_refine_emit_param(&sw->w, base, sw->prev->ranked, k, NULL, (size_t)j);
        else
            ld_yw_copy(&sw->w, &sw->pb->doc, def);
    } else {
        ld_yw_copy(&sw->w, &sw->pb->doc, def);
    }
}

static void emit_params(stage_writer *sw, yaml_node_t *m, const char *prefix)
{
    ld_yw_map_start(&sw->w, 0);
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *key = (const char *)doc_node(sw->pb, p->key)->data.scalar.value;
        yaml_node_t *v = doc_node(sw->pb, p->value);
        ld_buf full = LD_BUF_INIT;
        ld_buf_printf(&full, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
        yaml_node_t *nested = map_get(sw->pb, v, "parameters");
        ld_yw_key(&sw->w, key);
        if (nested && v->data.mapping.pairs.top - v->data.mapping.pairs.start == 1) {
            ld_yw_map_start(&sw->w, 0);
            ld_yw_key(&sw->w, "parameters");
            emit_params(sw, nested, ld_buf_str(&full));
            ld_yw_map_end(&sw->w);
        } else {
            emit_param(sw, ld_buf_str(&full), v);
        }
        ld_buf_free(&full);
    }
    if (!prefix) { /* what the stage adds: fixed values and the seed the file does not declare */
        const ld_stage *st = sw->stage;
        for (size_t i = 0; i < st->n_fixed; i++)
            if (ld_spec_param_index(sw->pb->spec, st->fixed_names[i]) < 0) {
                ld_yw_key(&sw->w, st->fixed_names[i]);
                emit_held(sw, &st->fixed_values[i], NULL);
            }
        if (st->confirm_seeds && ld_spec_param_index(sw->pb->spec, st->seed_param) < 0) {
            ld_yw_key(&sw->w, st->seed_param);
            emit_seeds(sw);
        }
    }
    ld_yw_map_end(&sw->w);
}

/* The top-level keys a stage inherits as they are (the others it writes itself). */
static const char *const inherited[] = {"program", "command", "metric", "parallel", "gpus",
                                        "threads_per_trial", "timeout", "step", "retries",
                                        "max_failures", "executor", "slurm"};

static int fixes_fidelity(const ld_spec *spec, const ld_stage *st)
{
    return spec->fidelity.param && name_in(spec->fidelity.param, st->fixed_names, st->n_fixed) >= 0;
}

static char *describe_stage(const playbook *pb, size_t i, const stage_view *prev,
                            const char *frozen_from)
{
    const ld_spec *spec = pb->spec;
    const ld_stage *st = &spec->stages[i];
    ld_buf b = LD_BUF_INIT;
    ld_buf_printf(&b, "Stage %zu of %zu of playbook '%s' (%s): ", i + 1, spec->n_stages,
                  pb->name, st->name);
    if (st->confirm_seeds) {
        ld_buf_printf(&b, "re-trains the %d best configurations so far with %d seeds each and "
                          "picks the best mean %s",
                      st->confirm_top, st->confirm_seeds, spec->metric);
    } else {
        ld_method m = st->has_method ? st->method : spec->method;
        ld_buf_printf(&b, "searches ");
        if (!st->n_search)
            ld_buf_puts(&b, "every parameter");
        for (size_t k = 0; k < st->n_search; k++)
            ld_buf_printf(&b, "%s%s", k ? ", " : "", st->search[k]);
        ld_buf_printf(&b, " with %s", ld_method_name(m));
        if (st->refine_top && prev && prev->n_ranked >= 2)
            ld_buf_printf(&b, ", its ranges narrowed around the best %d trials of %s",
                          st->refine_top, prev->study);
        if (st->n_search)
            ld_buf_printf(&b, "; the others held at %s", frozen_from);
    }
    ld_buf_puts(&b, "; data: ");
    if (!st->n_fixed)
        ld_buf_puts(&b, "as the command gives it");
    for (size_t k = 0; k < st->n_fixed; k++) {
        char v[64];
        ld_value_format(&st->fixed_values[k], v, sizeof v);
        ld_buf_printf(&b, "%s%s=%s", k ? ", " : "", st->fixed_names[k], v);
    }
    ld_buf_puts(&b, ".");
    return ld_buf_take(&b);
}

/*
 * The sweep of stage i. frozen: where the parameters it does not search are held; prev: the
 * stage before (for refine); n_confirm: a confirm stage's number of trials (its budget).
 */
static char *write_stage(playbook *pb, size_t i, const ld_value *frozen, const stage_view *prev,
                         const char *frozen_from, size_t n_confirm)
{
    const ld_spec *spec = pb->spec;
    const ld_stage *st = &spec->stages[i];
    stage_writer sw = {.pb = pb, .index = i, .stage = st, .node = stage_node(pb, i),
                       .frozen = frozen, .prev = prev};
    yaml_node_t *root = yaml_document_get_root_node(&pb->doc);
    char *name = ld_playbook_stage_study(pb->name, st);
    char *why = describe_stage(pb, i, prev, frozen_from);
    char *parent = i ? ld_playbook_stage_study(pb->name, &spec->stages[i - 1]) : ld_strdup(pb->name);
    ld_yw_begin(&sw.w);
    if (!name || !why || !parent)
        sw.w.failed = 1;
    ld_yw_map_start(&sw.w, 0);
    ld_yw_kv_string(&sw.w, "name", name);
    ld_yw_kv_string(&sw.w, "description", why);
    ld_yw_kv_string(&sw.w, "parent", parent);
    for (size_t k = 0; k < sizeof inherited / sizeof *inherited; k++) {
        yaml_node_t *v = map_get(pb, root, inherited[k]);
        if (v) {
            ld_yw_key(&sw.w, inherited[k]);
            ld_yw_copy(&sw.w, &pb->doc, v);
        }
    }
    ld_method method = st->has_method ? st->method : spec->method;
    ld_yw_kv_string(&sw.w, "method", st->confirm_seeds ? "random" : ld_method_name(method));
    yaml_node_t *order = map_get(pb, sw.node, "order");
    if (!order)
        order = map_get(pb, root, "order");
    if (order && !st->confirm_seeds && method->exhaustive) {
        ld_yw_key(&sw.w, "order");
        ld_yw_copy(&sw.w, &pb->doc, order);
    }
    if (!st->confirm_seeds) {
        yaml_node_t *et = map_get(pb, sw.node, "early_terminate");
        if (!et)
            et = map_get(pb, root, "early_terminate");
        yaml_node_t *fid = map_get(pb, sw.node, "fidelity");
        if (!fid && !fixes_fidelity(spec, st))
            fid = map_get(pb, root, "fidelity");
        if (et) {
            ld_yw_key(&sw.w, "early_terminate");
            ld_yw_copy(&sw.w, &pb->doc, et);
        }
        if (fid) {
            ld_yw_key(&sw.w, "fidelity");
            ld_yw_copy(&sw.w, &pb->doc, fid);
        }
    }
    ld_yw_key(&sw.w, "parameters");
    emit_params(&sw, map_get(pb, root, "parameters"), NULL);
    long trials = st->confirm_seeds ? (long)n_confirm : st->budget_trials;
    if (trials > 0) {
        ld_yw_key(&sw.w, "budget");
        ld_yw_map_start(&sw.w, 1);
        ld_yw_kv_number(&sw.w, "trials", (double)trials, 1);
        ld_yw_map_end(&sw.w);
    }
    if (spec->has_seed)
        ld_yw_kv_number(&sw.w, "seed", (double)(spec->seed + i + 1), 1);
    ld_yw_map_end(&sw.w);
    free(name);
    free(why);
    free(parent);
    return ld_yw_finish(&sw.w);
}

/* A stage sweep's parse error, placed at the stage in the playbook file. */
static ld_status stage_error(ld_db *db, const ld_spec *spec, const ld_stage *st, ld_status status,
                             const char *err)
{
    const char *msg = err;
    for (int colons = 0; colons < 3 && msg && *msg; colons++) {
        const char *c = strchr(msg, ':');
        msg = c ? c + 1 : err;
        if (!c)
            break;
    }
    while (msg && *msg == ' ')
        msg++;
    return ld_db_fail(db, status, "%s:%d:%d: in stage '%s': %s", spec->path, st->line, st->column,
                      st->name, msg && *msg ? msg : err);
}

/* Parses a stage's sweep text; errors are placed at the stage. */
static ld_status parse_stage_sweep(ld_db *db, const ld_spec *spec, size_t i, const char *text,
                                   ld_spec **out)
{
    char err[1024];
    ld_status st = ld_spec_parse(spec->path, text, strlen(text), out, err, sizeof err);
    return st == LD_OK ? LD_OK : stage_error(db, spec, &spec->stages[i], st, err);
}

/* Every parameter at its default: the frozen values before any result. */
static ld_value *default_values(const ld_spec *spec)
{
    ld_value *v = calloc(spec->n_params ? spec->n_params : 1, sizeof *v);
    for (size_t j = 0; v && j < spec->n_params; j++)
        ld_param_default(&spec->params[j], &v[j]);
    return v;
}

static void values_free(ld_value *v, size_t n)
{
    for (size_t j = 0; v && j < n; j++)
        ld_value_clear(&v[j]);
    free(v);
}

ld_status ld_playbook_check(ld_db *db, const ld_spec *spec)
{
    playbook pb;
    ld_status st = pb_open(&pb, db, spec, spec->name);
    ld_value *frozen = st == LD_OK ? default_values(spec) : NULL;
    if (st == LD_OK && !frozen)
        st = ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LD_OK && i < spec->n_stages; i++) {
        const ld_stage *stage = &spec->stages[i];
        char *text = write_stage(&pb, i, frozen, NULL, "their defaults",
                                 (size_t)(stage->confirm_top > 0 ? stage->confirm_top : 1));
        ld_spec *parsed = NULL;
        if (!text)
            st = ld_db_fail(db, LD_ERR_NOMEM, "cannot write the sweep of stage '%s'",
                            stage->name);
        else
            st = parse_stage_sweep(db, spec, i, text, &parsed);
        if (st == LD_OK && stage->confirm_seeds && spec->n_command == 0)
            st = stage_error(db, spec, stage, LD_ERR_INPUT, "a playbook needs a command");
        ld_spec_free(parsed);
        free(text);
    }
    values_free(frozen, spec->n_params);
    pb_close(&pb);
    return st;
}

/* ---- confirm: the configurations to re-train ------------------------------------------- */

/* The value parameter p of the confirm stage takes for trial t: held where an earlier stage
   only held it for cheapness (its fixed: values), the trial's own otherwise. */
static void confirm_value(const ld_spec *cs, size_t p, const ld_trial *t, const ld_stage *from,
                          ld_value *out)
{
    const ld_param *param = &cs->params[p];
    const ld_value *v = ld_trial_param(t, param->name);
    if (param->dist == LD_DIST_CONSTANT ||
        name_in(param->name, from->fixed_names, from->n_fixed) >= 0 || !v ||
        v->type == LD_VAL_NONE || !ld_param_contains(param, v))
        ld_param_default(param, out);
    else
        *out = ld_value_copy(v);
}

/* A stage that fixes nothing: it trains on the full data. */
static const ld_stage full_data = {0};

/* Do two stages train on the same data (the same fixed: values), so that their trials'
   values compare? */
static int same_data(const ld_stage *a, const ld_stage *b)
{
    if (a->n_fixed != b->n_fixed)
        return 0;
    for (size_t i = 0; i < a->n_fixed; i++) {
        int j = name_in(a->fixed_names[i], b->fixed_names, b->n_fixed);
        if (j < 0 || !ld_value_equal(&a->fixed_values[i], &b->fixed_values[j]))
            return 0;
    }
    return 1;
}

/* A complete trial and the stage it ran in. */
typedef struct {
    const ld_trial *trial;
    size_t stage;
} candidate;

static int by_candidate_value(const void *a, const void *b)
{
    return by_value(&((const candidate *)a)->trial, &((const candidate *)b)->trial);
}

/*
 * The complete trials of stages [0, n_views) that compare with stage `like` (the same data),
 * best first; like == (size_t)-1 means "the full data" (stages that fix nothing). Caller frees.
 */
static candidate *pool_trials(const ld_spec *spec, const stage_view *views, size_t n_views,
                              size_t like, size_t *n)
{
    const ld_stage *ref = like == (size_t)-1 ? &full_data : &spec->stages[like];
    size_t total = 0;
    for (size_t s = 0; s < n_views; s++)
        total += views[s].n_ranked;
    candidate *c = calloc(total ? total : 1, sizeof *c);
    *n = 0;
    for (size_t s = 0; c && s < n_views; s++)
        if (same_data(&spec->stages[s], ref))
            for (size_t r = 0; r < views[s].n_ranked; r++)
                c[(*n)++] = (candidate){views[s].ranked[r], s};
    maximize_flag = spec->maximize;
    if (c)
        qsort(c, *n, sizeof *c, by_candidate_value);
    return c;
}

/* The latest stage before n_views with a complete trial, or (size_t)-1. */
static size_t latest_with_results(const stage_view *views, size_t n_views)
{
    for (size_t s = n_views; s-- > 0;)
        if (views[s].n_ranked)
            return s;
    return (size_t)-1;
}

/* The best complete trial on the full data of stages [0, n_views), or NULL; *stage: its stage. */
static const ld_trial *best_on_full_data(const ld_spec *spec, const stage_view *views,
                                         size_t n_views, size_t *stage)
{
    size_t m = 0;
    candidate *pool = pool_trials(spec, views, n_views, (size_t)-1, &m);
    const ld_trial *best = pool && m ? pool[0].trial : NULL;
    if (best && stage)
        *stage = pool[0].stage;
    free(pool);
    return best;
}

/*
 * Up to K distinct configurations, in cs's parameter order with the seed left NONE: the best
 * trials of every stage that trained on the full data, or, when none did, of the latest stage
 * with results and those on the same data as it.
 */
static size_t confirm_configs(const ld_spec *spec, const ld_spec *cs, const stage_view *views,
                              size_t n_views, size_t k, ld_value **configs, long *ran_seed)
{
    const ld_stage *confirm = &spec->stages[n_views];
    int seed = ld_spec_param_index(cs, confirm->seed_param);
    size_t n = 0, m = 0;
    candidate *pool = pool_trials(spec, views, n_views, (size_t)-1, &m);
    if (pool && m == 0) {
        free(pool);
        pool = pool_trials(spec, views, n_views, latest_with_results(views, n_views), &m);
    }
    for (size_t r = 0; pool && r < m && n < k; r++) {
        ld_value *c = calloc(cs->n_params ? cs->n_params : 1, sizeof *c);
        if (!c)
            break;
        for (size_t p = 0; p < cs->n_params; p++)
            if ((int)p != seed)
                confirm_value(cs, p, pool[r].trial, &spec->stages[pool[r].stage], &c[p]);
        int dup = 0;
        for (size_t q = 0; q < n && !dup; q++) {
            dup = 1;
            for (size_t p = 0; p < cs->n_params && dup; p++)
                dup = ld_value_equal(&configs[q][p], &c[p]) ||
                      (configs[q][p].type == LD_VAL_NONE && c[p].type == LD_VAL_NONE);
        }
        if (dup) {
            values_free(c, cs->n_params);
            continue;
        }
        /* the seed this configuration already ran with on the full data: re-running it would
           repeat that run (a seeded trainer is deterministic), so the confirm skips it */
        const ld_value *v = ld_trial_param(pool[r].trial, confirm->seed_param);
        ran_seed[n] = same_data(&spec->stages[pool[r].stage], &full_data) && v &&
                              v->type == LD_VAL_INT ? (long)v->num : 0;
        configs[n++] = c;
    }
    free(pool);
    return n;
}

/* Queues the configurations round by round, each configuration's k-th seed in round k, so a
   confirm cut short by time has every configuration at the same number of seeds. A
   configuration's seeds are 1, 2, ... S, skipping the one it already ran with on the full data
   (ran_seed; 0: none), whose run would only repeat itself. */
static ld_status enqueue_confirm(ld_study *cs, const ld_stage *stage, ld_value **configs,
                                 size_t n, const long *ran_seed, int seeds)
{
    int seed = ld_spec_param_index(cs->spec, stage->seed_param);
    ld_status st = LD_OK;
    for (int k = 1; st == LD_OK && k <= seeds && k <= stage->confirm_seeds; k++)
        for (size_t c = 0; st == LD_OK && c < n; c++) {
            long s = ran_seed[c] > 0 && k >= ran_seed[c] ? k + 1 : k;
            if (seed >= 0)
                configs[c][seed] = (ld_value){LD_VAL_INT, (double)s, NULL};
            st = ld_study_enqueue(cs, configs[c], NULL);
        }
    return st;
}

/* ---- the result ------------------------------------------------------------------------ */

static void result_clear_metrics(ld_playbook_result *r)
{
    for (size_t i = 0; i < r->n_metrics; i++)
        free(r->metrics[i].key);
    free(r->metrics);
    r->metrics = NULL;
    r->n_metrics = 0;
}

void ld_playbook_result_clear(ld_playbook_result *r)
{
    if (!r)
        return;
    free(r->stage);
    free(r->metric);
    for (size_t i = 0; i < r->n_params; i++) {
        free(r->param_names[i]);
        ld_value_clear(&r->params[i]);
    }
    free(r->param_names);
    free(r->params);
    result_clear_metrics(r);
    memset(r, 0, sizeof *r);
}

/* Is key a summary metric of t: reported once (test_acc=, best_epoch=), not the step? (The
   objective itself is the result's value.) */
static const ld_series *summary_series(const ld_trial *t, const char *key, const char *step,
                                       const char *metric)
{
    const ld_series *s = ld_trial_series(t, key);
    return s && s->n == 1 && strcmp(key, step) != 0 && strcmp(key, metric) != 0 ? s : NULL;
}

static int same_config(const ld_trial *a, const ld_trial *b, const char *seed)
{
    for (size_t i = 0; i < a->n_params; i++) {
        if (seed && !strcmp(a->param_names[i], seed))
            continue;
        const ld_value *v = ld_trial_param(b, a->param_names[i]);
        int none_a = a->params[i].type == LD_VAL_NONE, none_b = !v || v->type == LD_VAL_NONE;
        if (none_a != none_b || (!none_a && !ld_value_equal(&a->params[i], v)))
            return 0;
    }
    return 1;
}

static void mean_sd(const double *x, size_t n, double *mean, double *sd)
{
    double m = 0, q = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m = n ? m / (double)n : NAN;
    for (size_t i = 0; i < n; i++)
        q += (x[i] - m) * (x[i] - m);
    *mean = m;
    *sd = n > 1 ? sqrt(q / (double)(n - 1)) : 0;
}

/* Fills r from the trials of one configuration (group[n], best first). */
static ld_status fill_result(ld_playbook_result *r, const ld_trial *const *group, size_t n,
                             const char *step, const char *seed)
{
    double *x = calloc(n ? n : 1, sizeof *x);
    const ld_trial *best = group[0];
    const char *metric = r->metric ? r->metric : ""; /* set by the caller */
    if (!x)
        return LD_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        x[i] = group[i]->value;
    mean_sd(x, n, &r->value, &r->value_sd);
    r->n_seeds = n;
    r->trial = best->number;
    r->param_names = calloc(best->n_params + 1, sizeof *r->param_names);
    r->params = calloc(best->n_params + 1, sizeof *r->params);
    r->metrics = calloc(best->n_series + 1, sizeof *r->metrics);
    if (!r->param_names || !r->params || !r->metrics) {
        free(x);
        return LD_ERR_NOMEM;
    }
    for (size_t i = 0; i < best->n_params; i++) {
        if (best->params[i].type == LD_VAL_NONE || (seed && !strcmp(best->param_names[i], seed)))
            continue;
        r->param_names[r->n_params] = ld_strdup(best->param_names[i]);
        r->params[r->n_params++] = ld_value_copy(&best->params[i]);
    }
    for (size_t k = 0; k < best->n_series; k++) {
        const char *key = best->series[k].key;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            const ld_series *s = summary_series(group[i], key, step, metric);
            if (s && isfinite(s->values[0]))
                x[m++] = s->values[0];
        }
        if (!m || !summary_series(best, key, step, metric))
            continue;
        ld_metric_summary *ms = &r->metrics[r->n_metrics++];
        ms->key = ld_strdup(key);
        ms->n = m;
        mean_sd(x, m, &ms->mean, &ms->sd);
    }
    free(x);
    return LD_OK;
}

/* The best configuration of a confirm stage's trials (ranked best first): the highest mean
   among those with the most seeds done. */
static ld_status confirm_result(ld_playbook_result *r, const stage_view *v, const char *seed,
                                const char *step, int maximize)
{
    const ld_trial **group = calloc(v->n_ranked + 1, sizeof *group);
    const ld_trial **best_group = calloc(v->n_ranked + 1, sizeof *best_group);
    size_t best_n = 0;
    double best_mean = 0;
    if (!group || !best_group) {
        free(group);
        free(best_group);
        return LD_ERR_NOMEM;
    }
    for (size_t i = 0; i < v->n_ranked; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = same_config(v->ranked[j], v->ranked[i], seed);
        if (seen)
            continue;
        size_t n = 0;
        double sum = 0;
        for (size_t j = i; j < v->n_ranked; j++)
            if (same_config(v->ranked[i], v->ranked[j], seed)) {
                group[n++] = v->ranked[j];
                sum += v->ranked[j]->value;
            }
        double mean = sum / (double)n;
        if (n > best_n || (n == best_n && (maximize ? mean > best_mean : mean < best_mean))) {
            best_n = n;
            best_mean = mean;
            memcpy(best_group, group, n * sizeof *group);
        }
    }
    ld_status st = best_n ? fill_result(r, best_group, best_n, step, seed) : LD_ERR_NOTFOUND;
    free(group);
    free(best_group);
    return st;
}

ld_status ld_db_playbook_result(ld_db *db, const char *name, ld_playbook_result *out)
{
    memset(out, 0, sizeof *out);
    ld_study *s = NULL;
    ld_status st = ld_study_open_existing(db, name, &s);
    if (st != LD_OK)
        return st;
    const ld_spec *spec = s->spec;
    if (!spec->n_stages) {
        ld_study_close(s);
        return ld_db_fail(db, LD_ERR_NOTFOUND, "study '%s' is not a playbook", name);
    }
    playbook pb = {.db = db, .spec = spec, .name = name};
    size_t n = spec->n_stages, last = n - 1, from = (size_t)-1;
    stage_view *views = calloc(n, sizeof *views);
    st = views ? LD_OK : ld_db_fail(db, LD_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == LD_OK && i < n; i++)
        st = view_stage(&pb, i, &views[i]);
    const ld_stage *confirm = spec->stages[last].confirm_seeds ? &spec->stages[last] : NULL;
    const ld_trial *one = NULL; /* the result when it is a single trial */
    if (st == LD_OK && confirm && views[last].n_ranked) {
        from = last;
    } else if (st == LD_OK && confirm && views[last].done && !views[last].n) {
        /* a confirm skipped for lack of time: the best run on the full data stands */
        one = best_on_full_data(spec, views, last, &from);
    }
    if (st == LD_OK && from == (size_t)-1) { /* the latest stage with results */
        from = latest_with_results(views, n);
        one = from != (size_t)-1 ? views[from].ranked[0] : NULL;
    }
    st = st != LD_OK ? st : from == (size_t)-1 ? LD_ERR_NOTFOUND : LD_OK;
    if (st == LD_OK) {
        out->stage = ld_strdup(views[from].study);
        out->confirmed = !one;
        out->metric = ld_strdup(spec->metric);
        out->maximize = spec->maximize;
        st = one ? fill_result(out, &one, 1, spec->step, NULL)
                 : confirm_result(out, &views[from], confirm->seed_param, spec->step,
                                  spec->maximize);
        if (st == LD_ERR_NOMEM)
            ld_db_fail(db, st, "out of memory");
    }
    for (size_t i = 0; views && i < n; i++)
        view_clear(&views[i]);
    free(views);
    if (st == LD_ERR_NOTFOUND)
        ld_db_fail(db, st, "playbook '%s' has no complete trial yet; 'liandan run' it", name);
    if (st != LD_OK)
        ld_playbook_result_clear(out);
    ld_study_close(s);
    return st;
}

/* ---- running --------------------------------------------------------------------------- */

static void format_seconds(double s, char *out, size_t size)
{
    if (s < 10)
        snprintf(out, size, "%.1fs", s);
    else if (s < 60)
        snprintf(out, size, "%.0fs", s);
    else if (s < 3600)
        snprintf(out, size, "%.0fm%02.0fs", floor(s / 60), fmod(s, 60));
    else
        snprintf(out, size, "%.0fh%02.0fm", floor(s / 3600), fmod(floor(s / 60), 60));
}

static void note(ld_event_fn on_event, void *user, const char *text)
{
    if (!on_event)
        return;
    ld_event ev = {.kind = LD_EV_NOTE, .text = text};
    on_event(&ev, user);
}

/* Parameters of t that the stage searched, "lr=0.003, dropout=0.4". */
static void append_params(ld_buf *b, const ld_trial *t, const ld_stage *stage, const char *seed)
{
    int first = 1;
    for (size_t i = 0; i < t->n_params; i++) {
        if (t->params[i].type == LD_VAL_NONE || (seed && !strcmp(t->param_names[i], seed)))
            continue;
        if (stage && !is_searched(stage, t->param_names[i]))
            continue;
        char v[64];
        if (t->params[i].type == LD_VAL_FLOAT) /* four digits say enough in a sentence */
            snprintf(v, sizeof v, "%.4g", t->params[i].num);
        else
            ld_value_format(&t->params[i], v, sizeof v);
        ld_buf_printf(b, "%s%s=%s", first ? "" : ", ", t->param_names[i], v);
        first = 0;
    }
}

static void append_counts(ld_buf *b, const stage_view *v)
{
    size_t c[5] = {0};
    for (size_t i = 0; i < v->n; i++)
        c[v->trials[i].state]++;
    char t[32];
    format_seconds(v->elapsed, t, sizeof t);
    ld_buf_printf(b, "%zu trial%s (%zu complete, %zu pruned, %zu failed) in %s", v->n,
                  v->n == 1 ? "" : "s", c[LD_TRIAL_COMPLETE], c[LD_TRIAL_PRUNED],
                  c[LD_TRIAL_FAILED], t);
}

static void append_result(ld_buf *b, const ld_playbook_result *r)
{
    ld_buf_printf(b, "%s=%.4g (sd %.2g, %zu seed%s)", r->metric, r->value, r->value_sd,
                  r->n_seeds, r->n_seeds == 1 ? "" : "s");
    for (size_t i = 0; i < r->n_metrics; i++)
        ld_buf_printf(b, " %s=%.4g (sd %.2g)", r->metrics[i].key, r->metrics[i].mean,
                      r->metrics[i].sd);
}

/* What the stage found: the line printed as it ends, and its conclusion note. */
static char *conclude_stage(playbook *pb, size_t i, ld_study *stage_study,
                            const stage_view *views, int as_line)
{
    const ld_spec *spec = pb->spec;
    const stage_view *v = &views[i];
    const ld_stage *stage = &spec->stages[i];
    ld_buf b = LD_BUF_INIT;
    if (as_line)
        ld_buf_printf(&b, "stage %s: ", v->study);
    append_counts(&b, v);
    size_t from = 0;
    const ld_trial *stands = stage->confirm_seeds ? best_on_full_data(spec, views, i, &from) : NULL;
    if (!v->n && stands) {
        ld_buf_printf(&b, "; skipped: the playbook's time left was shorter than a training on "
                          "the full data; the result is the best of those, %s #%d, "
                          "not re-trained with other seeds",
                      views[from].study, stands->number);
        return ld_buf_take(&b);
    }
    if (!v->n) {
        ld_buf_puts(&b, "; skipped: the playbook's time was spent");
        return ld_buf_take(&b);
    }
    if (!v->n_ranked) {
        ld_buf_puts(&b, "; no trial completed");
        return ld_buf_take(&b);
    }
    if (stage->confirm_seeds) {
        ld_playbook_result r;
        memset(&r, 0, sizeof r);
        r.metric = ld_strdup(spec->metric);
        if (confirm_result(&r, v, stage->seed_param, spec->step, spec->maximize) == LD_OK) {
            ld_buf_puts(&b, "; confirmed ");
            const ld_trial *t = NULL;
            for (size_t k = 0; k < v->n_ranked && !t; k++)
                if (v->ranked[k]->number == r.trial)
                    t = v->ranked[k];
            if (t)
                append_params(&b, t, NULL, stage->seed_param);
            ld_buf_puts(&b, ": ");
            append_result(&b, &r);
        }
        ld_playbook_result_clear(&r);
        return ld_buf_take(&b);
    }
    char best[32];
    ld_format_double(v->ranked[0]->value, best);
    ld_buf_printf(&b, "; best %s=%s (trial %d", spec->metric, best, v->ranked[0]->number);
    ld_buf_puts(&b, as_line ? ")" : ": ");
    if (!as_line) {
        append_params(&b, v->ranked[0], stage, NULL);
        ld_buf_puts(&b, ")");
    }
    /* importance over the stage's own space, where 4 or more trials completed */
    const ld_spec *ss = stage_study->spec;
    ld_trial *copy = NULL;
    size_t n = 0;
    double *imp = calloc(ss->n_params ? ss->n_params : 1, sizeof *imp);
    if (!as_line && imp && ld_db_list_trials(pb->db, v->study, 0, &copy, &n) == LD_OK &&
        ld_trials_align(ss, copy, n) == LD_OK && ld_importance(ss, copy, n, imp) == LD_OK) {
        int any = 0;
        for (size_t shown = 0; shown < 5; shown++) { /* the largest first, at most 5 */
            size_t top = ss->n_params;
            for (size_t j = 0; j < ss->n_params; j++)
                if (imp[j] > 0.005 && (top == ss->n_params || imp[j] > imp[top]))
                    top = j;
            if (top == ss->n_params)
                break;
            ld_buf_printf(&b, "%s%s %.0f%%", any ? ", " : "; importance: ", ss->params[top].name,
                          100 * imp[top]);
            imp[top] = -1;
            any = 1;
        }
    }
    ld_trials_free(copy, n);
    free(imp);
    ld_buf_puts(&b, as_line ? "" : ".");
    return ld_buf_take(&b);
}

static char *next_step(playbook *pb, size_t i)
{
    const ld_spec *spec = pb->spec;
    ld_buf b = LD_BUF_INIT;
    if (i + 1 < spec->n_stages) {
        const ld_stage *n = &spec->stages[i + 1];
        ld_buf_printf(&b, "Stage '%s' (%s.%s): ", n->name, pb->name, n->name);
        if (n->confirm_seeds)
            ld_buf_printf(&b, "re-train the %d best configurations with %d seeds each.",
                          n->confirm_top, n->confirm_seeds);
        else if (n->refine_top)
            ld_buf_printf(&b, "narrow the ranges around the best %d trials of this stage.",
                          n->refine_top);
        else
            ld_buf_printf(&b, "search %s from this stage's best.",
                          n->n_search ? "its parameters" : "every parameter");
    } else {
        ld_buf_printf(&b, "The playbook is done: 'liandan best %s --json' gives the chosen "
                          "configuration; train it for real, or refine the last stage.",
                      pb->name);
    }
    return ld_buf_take(&b);
}

/*
 * How long one confirm trial is expected to take: the longest of the K best trials on the full
 * data so far (the best configurations of a search often train longest: more epochs, wider
 * models), and at least the median complete trial (one on a train_fraction F sample counted as
 * its duration / F). 0 before any result.
 */
static double confirm_trial_seconds(const ld_spec *spec, const stage_view *views, size_t n_views)
{
    const ld_stage *confirm = &spec->stages[spec->n_stages - 1];
    size_t total = 0, m = 0;
    for (size_t s = 0; s < n_views; s++)
        total += views[s].n_ranked;
    double *d = calloc(total ? total : 1, sizeof *d);
    for (size_t s = 0; d && s < n_views; s++) {
        int f = name_in("train_fraction", spec->stages[s].fixed_names, spec->stages[s].n_fixed);
        double frac = f >= 0 ? spec->stages[s].fixed_values[f].num : 1;
        for (size_t r = 0; r < views[s].n_ranked; r++) {
            const ld_trial *t = views[s].ranked[r];
            if (t->finished > t->started && t->started > 0 && frac > 0)
                d[m++] = (t->finished - t->started) / fmin(frac, 1);
        }
    }
    double seconds = 0;
    if (m) {
        qsort(d, m, sizeof *d, by_start); /* ascending, by the first double */
        seconds = d[m / 2];
        size_t pm = 0;
        candidate *pool = pool_trials(spec, views, n_views, (size_t)-1, &pm);
        for (size_t r = 0; pool && r < pm && r < (size_t)confirm->confirm_top; r++) {
            const ld_trial *t = pool[r].trial;
            if (t->finished > t->started && t->started > 0)
                seconds = fmax(seconds, t->finished - t->started);
        }
        free(pool);
    }
    free(d);
    return seconds;
}

/* The time `seeds` rounds of a confirm stage take: K trials each, `parallel` at a time. */
static double confirm_rounds_seconds(const ld_spec *spec, const stage_view *views,
                                     size_t n_views, int seeds)
{
    const ld_stage *confirm = &spec->stages[spec->n_stages - 1];
    long parallel = spec->parallel > 0 ? spec->parallel : 1;
    long trials = (long)confirm->confirm_top * seeds;
    return confirm_trial_seconds(spec, views, n_views) *
           (double)((trials + parallel - 1) / parallel);
}

/* The time a confirm stage needs: all its rounds (K x S trials). */
static double confirm_need(const ld_spec *spec, const stage_view *views, size_t n_views)
{
    return confirm_rounds_seconds(spec, views, n_views,
                                  spec->stages[spec->n_stages - 1].confirm_seeds);
}

/* How many seeds a confirm stage with `left` seconds queues: as many rounds as fit (at least
   one), so that it does not start a round it cannot finish; all of them without a time limit
   or before any result. */
static int confirm_seeds_that_fit(const ld_spec *spec, const stage_view *views, size_t n_views,
                                  double left)
{
    int seeds = spec->stages[spec->n_stages - 1].confirm_seeds;
    double one = confirm_rounds_seconds(spec, views, n_views, 1);
    if (left <= 0 || one <= 0)
        return seeds;
    int fit = (int)(left / one);
    return fit < 1 ? 1 : fit < seeds ? fit : seeds;
}

/* Is a confirm stage's time (left seconds) too short to re-train even once, while the stages
   before it ran on the full data? Then it starts nothing, and their best run is the result. */
static int no_time_to_retrain(const ld_spec *spec, const stage_view *views, size_t n_views,
                              double left)
{
    const ld_trial *best = best_on_full_data(spec, views, n_views, NULL);
    return best && best->finished > best->started && left < best->finished - best->started;
}

/*
 * Seconds stage i may run: its own budget.time, or its share of the playbook's time left;
 * 0 when the playbook has no time budget, -1 when its time is spent. A last confirm stage
 * whose share would not pay for its rounds (need, from confirm_need) has that time kept back,
 * but never more than half of the time left unless one round (one_round) needs more: slow
 * trials buy fewer confirm seeds, not searches of one trial.
 */
static double stage_seconds(const ld_spec *spec, size_t i, double used_before, double need,
                            double one_round)
{
    const ld_stage *st = &spec->stages[i];
    if (st->budget_seconds > 0)
        return st->budget_seconds;
    if (spec->budget_seconds <= 0)
        return 0;
    double reserved = 0, shares = 0;
    for (size_t k = i; k < spec->n_stages; k++) {
        if (spec->stages[k].budget_seconds > 0)
            reserved += k > i ? spec->stages[k].budget_seconds : 0;
        else
            shares += spec->stages[k].share;
    }
    double left = spec->budget_seconds - used_before - reserved;
    const ld_stage *last = &spec->stages[spec->n_stages - 1];
    if (need > left / 2)
        need = one_round > left / 2 ? one_round : left / 2;
    if (last->confirm_seeds && i + 1 < spec->n_stages && !last->budget_seconds && shares > 0 &&
        need > left * last->share / shares) {
        left -= need;
        shares -= last->share;
    }
    return left > 0 && shares > 0 ? left * st->share / shares : -1;
}

/* Frozen values for stage i: the best trial's of the latest stage that has one. */
static ld_status frozen_values(const ld_spec *spec, const stage_view *views, size_t i,
                               ld_value **out, char *from, size_t from_size)
{
    ld_value *v = default_values(spec);
    if (!v)
        return LD_ERR_NOMEM;
    snprintf(from, from_size, "their defaults");
    size_t latest = latest_with_results(views, i), m = 0;
    candidate *pool = latest == (size_t)-1 ? NULL : pool_trials(spec, views, i, latest, &m);
    if (pool && m) { /* the best trial on the data of the latest stage with results */
        const ld_trial *best = pool[0].trial;
        const ld_stage *from_stage = &spec->stages[pool[0].stage];
        for (size_t j = 0; j < spec->n_params; j++)
            if (best->params[j].type != LD_VAL_NONE &&
                name_in(spec->params[j].name, from_stage->fixed_names, from_stage->n_fixed) < 0) {
                ld_value_clear(&v[j]);
                v[j] = ld_value_copy(&best->params[j]);
            }
        snprintf(from, from_size, "the best trial so far (%s #%d)", views[pool[0].stage].study,
                 best->number);
    }
    free(pool);
    *out = v;
    return LD_OK;
}

/* Creates stage i's study (or reopens it with its stored sweep) and queues a confirm's trials,
   `seeds` rounds of them (0: none). */
static ld_status open_stage(playbook *pb, size_t i, stage_view *views, const ld_overrides *ov,
                            int seeds, ld_study **out)
{
    const ld_spec *spec = pb->spec;
    const ld_stage *stage = &spec->stages[i];
    char *text = views[i].exists ? ld_strdup(views[i].sweep_text) : NULL;
    ld_value *frozen = NULL;
    ld_value **configs = NULL;
    long *ran_seed = NULL;
    size_t n_configs = 0;
    ld_status st = LD_OK;
    if (!views[i].exists) {
        char from[256];
        st = frozen_values(spec, views, i, &frozen, from, sizeof from);
        if (st == LD_OK && stage->confirm_seeds) {
            /* the confirm sweep's space is known before its configurations: write it once to
               learn its parameter order, then with the right trial budget */
            char *draft = write_stage(pb, i, frozen, i ? &views[i - 1] : NULL, from, 1);
            ld_spec *cs = NULL;
            st = draft ? parse_stage_sweep(pb->db, spec, i, draft, &cs) : LD_ERR_NOMEM;
            configs = calloc((size_t)stage->confirm_top + 1, sizeof *configs);
            ran_seed = calloc((size_t)stage->confirm_top + 1, sizeof *ran_seed);
            if (st == LD_OK && configs && ran_seed)
                n_configs = confirm_configs(spec, cs, views, i, (size_t)stage->confirm_top,
                                            configs, ran_seed);
            if (st == LD_OK && n_configs == 0)
                st = ld_db_fail(pb->db, LD_ERR_INPUT, "stage '%s' has nothing to confirm: no "
                                "trial of the stages before it completed", stage->name);
            ld_spec_free(cs);
            free(draft);
        }
        if (st == LD_OK)
            text = write_stage(pb, i, frozen, i ? &views[i - 1] : NULL, from,
                               n_configs * (size_t)(seeds > 0 ? seeds : 0));
    }
    if (st == LD_OK && !text)
        st = ld_db_fail(pb->db, LD_ERR_NOMEM, "cannot write the sweep of stage '%s'", stage->name);
    ld_spec *ss = NULL;
    if (st == LD_OK)
        st = parse_stage_sweep(pb->db, spec, i, text, &ss);
    if (st == LD_OK)
        st = ld_study_open_spec(pb->db, ss, ov, out);
    if (st == LD_OK && seeds > 0 && configs && n_configs) { /* once, when it is created */
        ld_trial *queued = NULL;
        size_t n = 0;
        st = ld_db_list_trials(pb->db, views[i].study, 0, &queued, &n);
        ld_trials_free(queued, n);
        if (st == LD_OK && n == 0)
            st = enqueue_confirm(*out, stage, configs, n_configs, ran_seed, seeds);
    }
    for (size_t c = 0; configs && c < n_configs; c++)
        values_free(configs[c], (*out && (*out)->spec) ? (*out)->spec->n_params : 0);
    free(configs);
    free(ran_seed);
    values_free(frozen, spec->n_params);
    free(text);
    return st;
}

ld_status ld_playbook_run(ld_study *s, ld_event_fn on_event, void *user, size_t *n_failed)
{
    *n_failed = 0;
    const ld_spec *spec = s->spec;
    playbook pb;
    ld_status st = pb_open(&pb, s->db, spec, s->name);
    stage_view *views = calloc(spec->n_stages, sizeof *views);
    if (st == LD_OK && !views)
        st = ld_db_fail(s->db, LD_ERR_NOMEM, "out of memory");
    double used = 0;
    for (size_t i = 0; st == LD_OK && i < spec->n_stages && s->interrupts == 0; i++) {
        const ld_stage *stage = &spec->stages[i];
        if ((st = view_stage(&pb, i, &views[i])) != LD_OK)
            break;
        if (views[i].done) {
            used += views[i].elapsed;
            continue;
        }
        int confirms = spec->stages[spec->n_stages - 1].confirm_seeds > 0;
        double need = confirms ? confirm_need(spec, views, i) : 0;
        double one_round = confirms ? confirm_rounds_seconds(spec, views, i, 1) : 0;
        double seconds = stage_seconds(spec, i, used, need, one_round);
        double left = seconds != 0 ? seconds - views[i].elapsed : 0; /* 0: no time limit */
        if (seconds != 0 && stage->confirm_seeds && !views[i].exists &&
            no_time_to_retrain(spec, views, i, left))
            left = -1;
        else if (seconds != 0 && left <= 0)
            left = stage->confirm_seeds ? CONFIRM_MIN_SECONDS : -1;
        ld_study *ss = NULL;
        if (left >= 0) {
            ld_overrides ov = {.time_seconds = left, .parallel = spec->parallel};
            int seeds = stage->confirm_seeds && seconds != 0
                            ? confirm_seeds_that_fit(spec, views, i, left)
                            : stage->confirm_seeds;
            st = open_stage(&pb, i, views, &ov, seeds, &ss);
            if (st != LD_OK)
                break;
            char t[32];
            format_seconds(left, t, sizeof t);
            ld_buf b = LD_BUF_INIT;
            ld_buf_printf(&b, "stage %s (%zu of %zu) starts%s%s: %s", ss->name, i + 1,
                          spec->n_stages, left > 0 ? " with " : "", left > 0 ? t : "",
                          ss->spec->description);
            note(on_event, user, ld_buf_str(&b));
            ld_buf_free(&b);
            size_t failed = 0;
            s->stage = ss;
            st = ld_study_run(ss, on_event, user, &failed);
            s->stage = NULL;
            *n_failed += failed;
        }
        if (st == LD_OK && s->interrupts == 0) {
            view_clear(&views[i]);
            st = view_stage(&pb, i, &views[i]);
            if (st == LD_OK && !views[i].exists) { /* no time was left: an empty stage */
                ld_overrides ov = {.parallel = spec->parallel};
                st = open_stage(&pb, i, views, &ov, 0, &ss);
            }
            char *line = st == LD_OK && ss ? conclude_stage(&pb, i, ss, views, 1) : NULL;
            char *conclusion = line ? conclude_stage(&pb, i, ss, views, 0) : NULL;
            char *next = conclusion ? next_step(&pb, i) : NULL;
            if (st == LD_OK && !next)
                st = ld_db_fail(s->db, LD_ERR_NOMEM, "out of memory");
            if (st == LD_OK)
                st = ld_db_set_note(s->db, views[i].study, LD_NOTE_NEXT, next);
            if (st == LD_OK) /* the conclusion last: it marks the stage done */
                st = ld_db_set_note(s->db, views[i].study, LD_NOTE_CONCLUSION, conclusion);
            if (st == LD_OK)
                note(on_event, user, line);
            free(line);
            free(conclusion);
            free(next);
            used += views[i].elapsed;
        }
        ld_study_close(ss);
    }
    if (st == LD_OK && s->interrupts > 0)
        note(on_event, user, "playbook stopped; 'liandan run' with the same file resumes it in "
                             "the stage where it stopped");
    for (size_t i = 0; views && i < spec->n_stages; i++)
        view_clear(&views[i]);
    free(views);
    pb_close(&pb);
    return st;
}
