/*
 * bbo.c — the black-box benchmark's liandan side: runs liandan's samplers on the functions of
 * the shared bbo harness (../shared/bbo/eval.c, compiled into this file so that every value is
 * bit-identical to `./eval` without a process per trial) and measures the samplers' overhead.
 *
 * The samplers are driven exactly as the study drives them (sampler.h): ask with the whole
 * history, then the trial joins the history as complete. Storage is left out on both sides: the
 * Optuna numbers it is compared with come from in-memory studies.
 *
 *   bbo regret   [--functions a,b] [--samplers s,t] [--seeds 20] [--trials 100]   JSON on stdout
 *   bbo overhead [--samplers tpe,gp] [--at 100,1000,5000] [--reps 20] [--blocks 1]  JSON on stdout
 *
 * Build: cc ... -DBBO_EVAL_C='"/path/to/eval.c"' bench/bbo/bbo.c libliandan.a (bench/bbo/run.sh).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "liandan.h"
#include "samplers/sampler.h"
#include "space.h"
#include "spec.h"

#ifndef BBO_EVAL_C
#error "define BBO_EVAL_C as the path of the shared bbo eval.c (bench/bbo/run.sh does)"
#endif
/* eval.c is a program: its main becomes bbo_eval_main, and its static functions are ours. */
#define main bbo_eval_main
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include BBO_EVAL_C
#pragma GCC diagnostic pop
#undef main

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die_usage(const char *msg)
{
    fprintf(stderr, "bbo: %s\nusage: bbo regret|overhead [options]\n", msg);
    exit(2);
}

/* The sweep text of one shared-harness space, so the spec goes through ld_spec_parse. */
static char *sweep_of(const Space *sp)
{
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    len += (size_t)snprintf(s + len, cap - len,
                            "name: %s\nmethod: random\nmetric: {name: value, goal: minimize}\n"
                            "parameters:\n",
                            sp->name);
    for (int i = 0; i < sp->np; i++) {
        const Param *p = &sp->p[i];
        if (p->type == T_CAT) {
            len += (size_t)snprintf(s + len, cap - len, "  %s: {values: [", p->name);
            for (int c = 0; c < p->nchoices; c++)
                len += (size_t)snprintf(s + len, cap - len, "%s%s", c ? ", " : "", p->choices[c]);
            len += (size_t)snprintf(s + len, cap - len, "]}\n");
        } else if (p->type == T_INT) {
            len += (size_t)snprintf(
                s + len, cap - len, "  %s: {distribution: %s, min: %d, max: %d%s}\n", p->name,
                p->log ? "q_log_uniform_values" : "int_uniform", (int)p->low, (int)p->high,
                p->log ? ", q: 1" : "");
        } else {
            len += (size_t)snprintf(s + len, cap - len,
                                    "  %s: {distribution: %s, min: %.17g, max: %.17g}\n",
                                    p->name, p->log ? "log_uniform_values" : "uniform", p->low,
                                    p->high);
        }
    }
    return s;
}

/* The objective at the values, with eval.c's rules (integers rounded, tiny excursions clipped). */
static double evaluate(const Space *sp, const ld_value *values)
{
    double x[MAXP];
    for (int k = 0; k < sp->np; k++) {
        const Param *p = &sp->p[k];
        const ld_value *v = &values[k];
        if (p->type == T_CAT) {
            x[k] = 0;
            for (int c = 0; c < p->nchoices; c++)
                if (v->type == LD_VAL_STR && strcmp(v->str, p->choices[c]) == 0)
                    x[k] = c;
            continue;
        }
        double y = v->num;
        if (p->type == T_INT)
            y = floor(y + 0.5);
        y = y < p->low ? p->low : y > p->high ? p->high : y;
        x[k] = y;
    }
    if (!strcmp(sp->name, "branin"))
        return branin(x);
    if (!strcmp(sp->name, "hartmann6"))
        return hartmann6(x);
    if (!strcmp(sp->name, "rosenbrock"))
        return rosenbrock(x);
    if (!strcmp(sp->name, "ackley"))
        return ackley(x);
    if (!strcmp(sp->name, "ackley_shifted"))
        return ackley_shifted(x);
    return hpo_mixed(x);
}

static ld_spec *parse_space(const Space *sp)
{
    char *text = sweep_of(sp), err[512];
    ld_spec *spec = NULL;
    if (!text || ld_spec_parse("bbo.yaml", text, strlen(text), &spec, err, sizeof err) != LD_OK) {
        fprintf(stderr, "bbo: cannot parse the space of %s: %s\n", sp->name, text ? err : "");
        exit(1);
    }
    free(text);
    return spec;
}

/* A history that grows one complete trial at a time. */
typedef struct {
    ld_trial *t;
    size_t n, cap;
} history;

static ld_trial *history_push(history *h, size_t n_params)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 128;
        h->t = realloc(h->t, h->cap * sizeof *h->t);
        if (!h->t) {
            fprintf(stderr, "bbo: out of memory\n");
            exit(1);
        }
    }
    ld_trial *t = &h->t[h->n];
    memset(t, 0, sizeof *t);
    t->number = (int)h->n;
    t->state = LD_TRIAL_RUNNING;
    t->n_params = n_params;
    t->params = calloc(n_params, sizeof *t->params);
    t->grid_index = t->retry_of = t->requeued_as = -1;
    h->n++;
    return t;
}

static void history_free(history *h)
{
    for (size_t i = 0; i < h->n; i++) {
        for (size_t j = 0; j < h->t[i].n_params; j++)
            ld_value_clear(&h->t[i].params[j]);
        free(h->t[i].params);
    }
    free(h->t);
    memset(h, 0, sizeof *h);
}

/* One ask (trial h->n with the history so far) and one tell (the trial completes). */
static void ask_tell(const ld_sampler *s, const ld_spec *spec, history *h, const Space *sp,
                     double (*objective)(const Space *, const ld_value *))
{
    ld_value *values = calloc(spec->n_params, sizeof *values);
    int grid = -1;
    if (!values ||
        s->type->ask(s->state, spec, h->t, h->n, (int)h->n, values, &grid) != LD_OK) {
        fprintf(stderr, "bbo: the %s sampler failed\n", s->type->name);
        exit(1);
    }
    ld_trial *t = history_push(h, spec->n_params);
    for (size_t j = 0; j < spec->n_params; j++)
        t->params[j] = values[j];
    free(values);
    t->state = LD_TRIAL_COMPLETE;
    t->has_value = 1;
    t->value = objective(sp, t->params);
}

static int in_list(const char *list, const char *name)
{
    if (!list)
        return 1;
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

static int cmd_regret(const char *functions, const char *samplers, int seeds, int trials)
{
    static const char *all[] = {"random", "sobol", "tpe", "gp", "bayes"};
    printf("{\"config\": {\"seeds\": %d, \"trials\": %d}, \"runs\": {", seeds, trials);
    int first_f = 1;
    for (int f = 0; f < NSPACES; f++) {
        const Space *sp = &SPACES[f];
        if (!in_list(functions, sp->name))
            continue;
        ld_spec *spec = parse_space(sp);
        printf("%s\n\"%s\": {", first_f ? "" : ",", sp->name);
        first_f = 0;
        int first_s = 1;
        for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
            if (!in_list(samplers, all[k]))
                continue;
            printf("%s\n \"%s\": [", first_s ? "" : ",", all[k]);
            first_s = 0;
            for (int seed = 0; seed < seeds; seed++) {
                ld_sampler s;
                char err[256];
                if (ld_sampler_open(ld_sampler_find(all[k]), spec, (uint64_t)seed, &s, err,
                                    sizeof err) != LD_OK) {
                    fprintf(stderr, "bbo: %s: %s\n", all[k], err);
                    return 1;
                }
                history h = {0};
                double t0 = now();
                for (int i = 0; i < trials; i++)
                    ask_tell(&s, spec, &h, sp, evaluate);
                double wall = now() - t0;
                printf("%s{\"seed\": %d, \"wall_s\": %.6f, \"values\": [", seed ? ", " : "", seed,
                       wall);
                for (size_t i = 0; i < h.n; i++)
                    printf("%s%.17g", i ? ", " : "", h.t[i].value);
                printf("]}");
                fflush(stdout);
                history_free(&h);
                ld_sampler_close(&s);
                fprintf(stderr, "bbo: %s %s seed %d: %.2f s\n", sp->name, all[k], seed, wall);
            }
            printf("]");
        }
        printf("}");
        ld_spec_free(spec);
    }
    printf("}}\n");
    return 0;
}

/* The overhead objective: 5 floats in [-5, 5], the sum of squares. */
static const Space OVERHEAD = {"overhead",
                               5,
                               {{"x1", T_FLOAT, -5, 5, 0, {0}, 0},
                                {"x2", T_FLOAT, -5, 5, 0, {0}, 0},
                                {"x3", T_FLOAT, -5, 5, 0, {0}, 0},
                                {"x4", T_FLOAT, -5, 5, 0, {0}, 0},
                                {"x5", T_FLOAT, -5, 5, 0, {0}, 0}}};

static double sum_squares(const Space *sp, const ld_value *values)
{
    double s = 0;
    for (int k = 0; k < sp->np; k++)
        s += values[k].num * values[k].num;
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * One block: a history of n finished trials (drawn by the random sampler, as the Optuna side
 * fills its study), then `reps` ask+tell rounds of a freshly opened sampler on the growing
 * history. Its mean, first (the sampler's first ask in the process: a cold fit cache for gp)
 * and slowest round in milliseconds. 0, or 1 when a sampler cannot be opened.
 */
static int overhead_block(const char *name, const ld_spec *spec, long n, int reps, double *mean,
                          double *first_ms, double *max_ms)
{
    ld_sampler fill, s;
    char err[256];
    if (ld_sampler_open(ld_sampler_find("random"), spec, 1, &fill, err, sizeof err) != LD_OK ||
        ld_sampler_open(ld_sampler_find(name), spec, 0, &s, err, sizeof err) != LD_OK) {
        fprintf(stderr, "bbo: %s\n", err);
        return 1;
    }
    history h = {0};
    for (long i = 0; i < n; i++)
        ask_tell(&fill, spec, &h, &OVERHEAD, sum_squares);
    double total = 0;
    *max_ms = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        ask_tell(&s, spec, &h, &OVERHEAD, sum_squares);
        double ms = 1e3 * (now() - t0);
        total += ms;
        if (r == 0)
            *first_ms = ms;
        *max_ms = ms > *max_ms ? ms : *max_ms;
    }
    *mean = total / reps;
    history_free(&h);
    ld_sampler_close(&fill);
    ld_sampler_close(&s);
    return 0;
}

/*
 * For each n in `at`, `blocks` blocks of `reps` rounds (overhead_block); prints the median of
 * the blocks' means (a shared machine's hiccups land in some blocks, not in the median), the
 * median first round, the slowest round of all, and every block's mean.
 */
static int cmd_overhead(const char *samplers, const char *at, int reps, int blocks)
{
    static const char *all[] = {"tpe", "gp", "bayes"};
    if (blocks < 1 || blocks > 64 || reps < 1)
        die_usage("--blocks must be 1..64 and --reps at least 1");
    ld_spec *spec = parse_space(&OVERHEAD);
    printf("{\"overhead\": [");
    int first = 1;
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        if (!in_list(samplers, all[k]))
            continue;
        for (const char *p = at; p && *p;) {
            long n = strtol(p, NULL, 10);
            const char *e = strchr(p, ',');
            p = e ? e + 1 : NULL;
            double means[64], firsts[64], sorted[64], max_ms = 0;
            for (int b = 0; b < blocks; b++) {
                double mx;
                if (overhead_block(all[k], spec, n, reps, &means[b], &firsts[b], &mx) != 0)
                    return 1;
                max_ms = mx > max_ms ? mx : max_ms;
            }
            memcpy(sorted, means, blocks * sizeof *sorted);
            qsort(sorted, blocks, sizeof *sorted, cmp_double);
            double ms = sorted[blocks / 2];
            qsort(firsts, blocks, sizeof *firsts, cmp_double);
            printf("%s\n {\"sampler\": \"%s\", \"finished\": %ld, \"reps\": %d, \"blocks\": %d, "
                   "\"ms\": %.6f, \"first_ms\": %.6f, \"max_ms\": %.6f, \"block_ms\": [",
                   first ? "" : ",", all[k], n, reps, blocks, ms, firsts[blocks / 2], max_ms);
            for (int b = 0; b < blocks; b++)
                printf("%s%.6f", b ? ", " : "", means[b]);
            printf("]}");
            first = 0;
            fflush(stdout);
            fprintf(stderr, "bbo: overhead %s at %ld: %.4f ms (median of %d blocks)\n", all[k], n,
                    ms, blocks);
        }
    }
    printf("]}\n");
    ld_spec_free(spec);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die_usage("missing command");
    const char *functions = NULL, *samplers = NULL, *at = "100,1000,5000";
    int seeds = 20, trials = 100, reps = 20, blocks = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            die_usage("an option needs a value");
        if (!strcmp(a, "--functions"))
            functions = v;
        else if (!strcmp(a, "--samplers"))
            samplers = v;
        else if (!strcmp(a, "--seeds"))
            seeds = atoi(v);
        else if (!strcmp(a, "--trials"))
            trials = atoi(v);
        else if (!strcmp(a, "--at"))
            at = v;
        else if (!strcmp(a, "--reps"))
            reps = atoi(v);
        else if (!strcmp(a, "--blocks"))
            blocks = atoi(v);
        else
            die_usage("unknown option");
        i++;
    }
    if (!strcmp(argv[1], "regret"))
        return cmd_regret(functions, samplers, seeds, trials);
    if (!strcmp(argv[1], "overhead"))
        return cmd_overhead(samplers, at, reps, blocks);
    die_usage("unknown command");
    return 2;
}
