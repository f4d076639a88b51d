/*
 * bbo_util.h — what the model-based sampler tests share: a sweep parsed from text, a history
 * that grows as trials are asked and told, Branin, and a sequential run of a sampler.
 * Header-only so that each test stays one program.
 */
#ifndef LD_TEST_BBO_UTIL_H
#define LD_TEST_BBO_UTIL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "samplers/sampler.h"
#include "space.h"
#include "spec.h"

static ld_spec *parse_sweep(const char *text)
{
    ld_spec *spec = NULL;
    char err[512];
    if (ld_spec_parse("test.yaml", text, strlen(text), &spec, err, sizeof err) != LD_OK) {
        fprintf(stderr, "cannot parse the test sweep: %s\n", err);
        exit(1);
    }
    return spec;
}

typedef struct {
    ld_trial *t;
    size_t n, cap;
} test_history;

/* Appends a trial in `state` holding copies of values[n_params]. */
static ld_trial *history_add(test_history *h, const ld_spec *spec, const ld_value *values,
                             ld_trial_state state, double value)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 64;
        h->t = realloc(h->t, h->cap * sizeof *h->t);
        if (!h->t)
            exit(1);
    }
    ld_trial *t = &h->t[h->n];
    memset(t, 0, sizeof *t);
    t->number = (int)h->n;
    t->state = state;
    t->n_params = spec->n_params;
    t->params = calloc(spec->n_params ? spec->n_params : 1, sizeof *t->params);
    for (size_t j = 0; j < spec->n_params; j++)
        t->params[j] = ld_value_copy(&values[j]);
    t->grid_index = t->retry_of = t->requeued_as = -1;
    t->has_value = state == LD_TRIAL_COMPLETE || state == LD_TRIAL_PRUNED;
    t->value = value;
    h->n++;
    return t;
}

static void history_free(test_history *h)
{
    for (size_t i = 0; i < h->n; i++) {
        for (size_t j = 0; j < h->t[i].n_params; j++)
            ld_value_clear(&h->t[i].params[j]);
        free(h->t[i].params);
    }
    free(h->t);
    memset(h, 0, sizeof *h);
}

static void values_clear(ld_value *v, size_t n)
{
    for (size_t j = 0; j < n; j++)
        ld_value_clear(&v[j]);
}

static const char BRANIN_SWEEP[] = "method: random\n"
                                   "metric: {name: loss, goal: minimize}\n"
                                   "parameters:\n"
                                   "  x1: {distribution: uniform, min: -5, max: 10}\n"
                                   "  x2: {distribution: uniform, min: 0, max: 15}\n";

#define BRANIN_MIN 0.39788735772973816

static double branin(const ld_value *v)
{
    double x1 = v[0].num, x2 = v[1].num;
    double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
    double y = x2 - b * x1 * x1 + c * x1 - 6;
    return y * y + 10 * (1 - t) * cos(x1) + 10;
}

/* Runs `trials` sequential trials of the named sampler on Branin; returns the best value. */
static double run_branin(const char *sampler, uint64_t seed, int trials)
{
    ld_spec *spec = parse_sweep(BRANIN_SWEEP);
    ld_sampler s;
    char err[256];
    if (ld_sampler_open(ld_sampler_find(sampler), spec, seed, &s, err, sizeof err) != LD_OK)
        exit(1);
    test_history h = {0};
    double best = INFINITY;
    for (int i = 0; i < trials; i++) {
        ld_value v[2] = {{0}};
        int grid;
        if (s.type->ask(s.state, spec, h.t, h.n, i, v, &grid) != LD_OK)
            exit(1);
        double y = branin(v);
        best = y < best ? y : best;
        history_add(&h, spec, v, LD_TRIAL_COMPLETE, y);
        values_clear(v, 2);
    }
    history_free(&h);
    ld_sampler_close(&s);
    ld_spec_free(spec);
    return best;
}

/* The named sampler against random search on Branin, 40 trials, seeds 1..10: mean regrets and
   the seeds the sampler won; prints them. */
typedef struct {
    double mean, mean_random;
    int wins;
} branin_duel;

__attribute__((unused)) static branin_duel duel_on_branin(const char *sampler)
{
    branin_duel d = {0, 0, 0};
    for (uint64_t seed = 1; seed <= 10; seed++) {
        double t = run_branin(sampler, seed, 40) - BRANIN_MIN;
        double r = run_branin("random", seed, 40) - BRANIN_MIN;
        d.mean += t / 10;
        d.mean_random += r / 10;
        d.wins += t < r;
    }
    fprintf(stderr, "branin, 40 trials, mean regret over 10 seeds: %s %.4g, random %.4g, "
                    "%s better on %d seeds\n",
            sampler, d.mean, d.mean_random, sampler, d.wins);
    return d;
}

#endif
