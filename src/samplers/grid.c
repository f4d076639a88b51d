/*
 * grid.c — exhaustive search: every combination of the parameters' grid values, each handed out
 * once across all the tuners of a study.
 *
 * Order. Grid point g is a mixed-radix number whose digits are the parameters' value indices, in
 * declaration order with the last parameter the fastest digit and each parameter's values in
 * their declared (ld_param_grid_value) order:
 *     g = (...((i_0 * n_1 + i_1) * n_2 + i_2) ...) * n_{P-1} + i_{P-1}
 * where P is the number of parameters, n_j the grid size of parameter j and i_j its value index.
 *
 * Visiting order. By default the points are visited in a shuffled order fixed by the study's
 * seed (Optuna's grid sampler shuffles too): position k of the walk is point perm(k), perm a
 * bijection of 0..total-1 built from a 4-round Feistel network on the smallest even number of
 * bits that covers total, walking the cycle until it lands inside the grid. Any prefix of the
 * walk is then a fair sample of the grid, which is what pruners compare trials against; every
 * tuner of a study has the same seed, so they walk the same order. `order: sequential` makes
 * perm the identity: the file's order.
 *
 * Claiming. ask() hands out the first point of the walk that no live trial holds. A trial
 * holds its grid_index unless it was superseded (requeued_as >= 0): its re-run carries the same
 * grid_index and holds the point instead, and if no live trial holds it any more the point is
 * offered again under the same index. Whatever the trial's state, a live holder keeps its
 * point: a failed grid point is run again only through a re-queue. ask() runs under the study's
 * claim lock, so "first free" sees every other tuner's claims; grid_index is the point g itself,
 * so the walk's position is nobody else's business.
 *
 * Conditional parameters. A point whose `when`-inactive parameter is not at its first value
 * repeats the point with it there (the trial never sees that value): such points are marked
 * once, at create, and never handed out, so sgd x 2 momenta + adam is 3 points, not 4.
 *
 * Cost. One bitmap of `total` bits lives in the state and is rebuilt on each ask, which is
 * O(total / 8 + history) time, plus a few hashes per held point of the walk, and no
 * allocation; GRID_MAX_POINTS caps it at 1.25 MB. A sweep with `when` adds a second, fixed
 * bitmap, found in O(total * P) at create.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samplers/sampler.h"
#include "space.h"
#include "util/rng.h"

/* Ten million points is far past any grid a person waits for, and keeps the bitmap small. */
#define GRID_MAX_POINTS ((size_t)10000000)

typedef struct {
    size_t total;
    int shuffled;             /* 0: perm is the identity (order: sequential) */
    int half_bits;            /* the Feistel network works on 2 * half_bits bits */
    uint64_t keys[4];         /* its round keys, from the study's seed */
    unsigned char *taken;     /* [(total + 7) / 8] bit g set when a live trial holds point g */
    unsigned char *redundant; /* [(total + 7) / 8] bit g set when point g repeats another (a
                                 parameter its `when` makes inactive is not at its first
                                 value); NULL when no parameter has a `when` */
} grid_state;

static size_t bitmap_bytes(size_t total) { return (total + 7) / 8; }

/* A bijection of 0 .. 2^(2h) - 1: four Feistel rounds over two halves of h bits. */
static uint64_t feistel(const grid_state *g, uint64_t x)
{
    uint64_t mask = (UINT64_C(1) << g->half_bits) - 1;
    uint64_t left = x >> g->half_bits, right = x & mask;
    for (int round = 0; round < 4; round++) {
        uint64_t next = left ^ (ld_mix64(right ^ g->keys[round]) & mask);
        left = right;
        right = next;
    }
    return left << g->half_bits | right;
}

/* The point at position k of the walk (k < total). */
static size_t point_at(const grid_state *g, size_t k)
{
    if (!g->shuffled)
        return k;
    uint64_t x = k;
    do /* cycle-walking: the network's domain is under 4 * total, so about 4 steps at most */
        x = feistel(g, x);
    while (x >= g->total);
    return (size_t)x;
}

/* The first parameter with no grid (continuous, or no values), or NULL when all have one. */
static const ld_param *first_without_grid(const ld_spec *spec)
{
    for (size_t i = 0; i < spec->n_params; i++)
        if (ld_param_grid_size(&spec->params[i]) == 0)
            return &spec->params[i];
    return NULL;
}

static ld_status reject_without_grid(const ld_param *p, char *err, size_t errlen)
{
    char where[64] = "";
    if (p->line > 0)
        snprintf(where, sizeof where, " (line %d, column %d)", p->line, p->column);
    const char *name = p->name ? p->name : "?";
    if (p->dist == LD_DIST_CONSTANT || p->dist == LD_DIST_CATEGORICAL)
        snprintf(err, errlen, "parameter '%s'%s has no values to put on a grid", name, where);
    else
        snprintf(err, errlen,
                 "parameter '%s'%s is continuous, and grid search needs a finite list of "
                 "values: give it 'values', or an int_uniform or q_uniform range, or use "
                 "method: random or sobol",
                 name, where);
    return LD_ERR_INPUT;
}

static ld_status reject_size(size_t total, char *err, size_t errlen)
{
    if (total == SIZE_MAX)
        snprintf(err, errlen, "the grid has more points than can be counted");
    else
        snprintf(err, errlen, "the grid has %zu points", total);
    size_t len = strlen(err);
    snprintf(err + len, errlen - len,
             ", more than the %zu grid search allows; shorten the value lists or use method: "
             "random or sobol",
             GRID_MAX_POINTS);
    return LD_ERR_INPUT;
}

/*
 * The points that repeat another once inactive parameters are dropped: with `when`, point g's
 * parameter j is inactive when the digit of its condition's parameter k is not a value equal to
 * the condition's (or k is itself inactive, as the study decides in declaration order), and
 * the trial never sees j's value; of the points that differ only there, the one with j at its
 * first value stands for all. NULL (no error) when the spec has no `when`; 0 when out of memory.
 */
static int find_redundant(const ld_spec *spec, size_t total, unsigned char **out)
{
    size_t P = spec->n_params;
    *out = NULL;
    int any = 0;
    for (size_t j = 0; j < P; j++)
        any |= spec->params[j].when_param != NULL;
    if (!any)
        return 1;
    size_t *size = calloc(P, sizeof *size), *digit = calloc(P, sizeof *digit);
    int *cond = calloc(P, sizeof *cond), *active = calloc(P, sizeof *active);
    unsigned char **match = calloc(P, sizeof *match); /* [j][digit of cond[j]] */
    unsigned char *red = calloc(bitmap_bytes(total), 1);
    int ok = size && digit && cond && active && match && red;
    for (size_t j = 0; ok && j < P; j++) {
        size[j] = ld_param_grid_size(&spec->params[j]);
        cond[j] = spec->params[j].when_param ? ld_spec_param_index(spec, spec->params[j].when_param)
                                             : -1;
    }
    for (size_t j = 0; ok && j < P; j++) {
        if (cond[j] < 0)
            continue;
        const ld_param *q = &spec->params[cond[j]];
        size_t nk = ld_param_grid_size(q);
        ok = (match[j] = calloc(nk ? nk : 1, 1)) != NULL;
        for (size_t d = 0; ok && d < nk; d++) {
            ld_value v = {LD_VAL_NONE, 0, NULL};
            ld_param_grid_value(q, d, &v);
            match[j][d] = ld_value_equal(&v, &spec->params[j].when_value);
            ld_value_clear(&v);
        }
    }
    for (size_t g = 0; ok && g < total; g++) {
        for (size_t j = P, rest = g; j-- > 0;) {
            digit[j] = rest % size[j];
            rest /= size[j];
        }
        int repeat = 0;
        for (size_t j = 0; j < P && !repeat; j++) {
            int k = cond[j];
            active[j] = !spec->params[j].when_param ||
                        (k >= 0 && ((size_t)k >= j || active[k]) && match[j][digit[k]]);
            repeat = !active[j] && digit[j] != 0;
        }
        if (repeat)
            red[g / 8] |= (unsigned char)(1u << (g % 8));
    }
    for (size_t j = 0; match && j < P; j++)
        free(match[j]);
    free(size), free(digit), free(cond), free(active), free(match);
    if (!ok) {
        free(red);
        return 0;
    }
    *out = red;
    return 1;
}

static ld_status grid_create(const ld_spec *spec, uint64_t seed, void **state, char *err,
                             size_t errlen)
{
    (void)seed;
    char scratch[8];
    if (!err || errlen == 0) {
        err = scratch;
        errlen = sizeof scratch;
    }
    *state = NULL;
    const ld_param *bad = first_without_grid(spec);
    if (bad)
        return reject_without_grid(bad, err, errlen);
    size_t total = ld_grid_total(spec);
    if (total > GRID_MAX_POINTS)
        return reject_size(total, err, errlen);

    grid_state *g = malloc(sizeof *g);
    unsigned char *taken = calloc(bitmap_bytes(total), 1), *redundant = NULL;
    if (!g || !taken || !find_redundant(spec, total, &redundant)) {
        free(g);
        free(taken);
        snprintf(err, errlen, "out of memory for a grid of %zu points", total);
        return LD_ERR_NOMEM;
    }
    g->total = total;
    g->shuffled = !spec->grid_sequential && total > 1;
    g->half_bits = 1;
    while (g->half_bits < 32 && (UINT64_C(1) << (2 * g->half_bits)) < total)
        g->half_bits++;
    for (int round = 0; round < 4; round++)
        g->keys[round] = ld_mix64(seed ^ (UINT64_C(0x6a09e667f3bcc908) * (uint64_t)(round + 1)));
    g->taken = taken;
    g->redundant = redundant;
    *state = g;
    return LD_OK;
}

static void grid_destroy(void *state)
{
    grid_state *g = state;
    if (!g)
        return;
    free(g->taken);
    free(g->redundant);
    free(g);
}

/* Marks the points that live trials hold; grid indices outside this grid are ignored. */
static void mark_taken(grid_state *g, const ld_trial *history, size_t n_history)
{
    memset(g->taken, 0, bitmap_bytes(g->total));
    for (size_t i = 0; i < n_history; i++) {
        const ld_trial *t = &history[i];
        if (t->requeued_as >= 0 || t->grid_index < 0 || (size_t)t->grid_index >= g->total)
            continue;
        size_t at = (size_t)t->grid_index;
        g->taken[at / 8] |= (unsigned char)(1u << (at % 8));
    }
}

static int is_used(const grid_state *g, size_t at)
{
    unsigned char used = g->taken[at / 8] | (g->redundant ? g->redundant[at / 8] : 0);
    return (used >> (at % 8)) & 1;
}

/* The first point of the walk neither taken nor redundant, or total when there is none. */
static size_t first_free(const grid_state *g)
{
    size_t bytes = bitmap_bytes(g->total), used = 0;
    for (size_t i = 0; i < bytes; i++) /* a full grid answers without walking */
        used += (size_t)__builtin_popcount(g->taken[i] | (g->redundant ? g->redundant[i] : 0));
    if (used >= g->total)
        return g->total;
    for (size_t k = 0; k < g->total; k++) {
        size_t at = point_at(g, k);
        if (!is_used(g, at))
            return at;
    }
    return g->total;
}

/* Writes the values of point g, peeling the digits off from the fastest (last) parameter. */
static void point_values(const ld_spec *spec, size_t point, ld_value *values)
{
    for (size_t j = spec->n_params; j-- > 0;) {
        const ld_param *p = &spec->params[j];
        size_t n = ld_param_grid_size(p);
        ld_param_grid_value(p, point % n, &values[j]);
        point /= n;
    }
}

static ld_status grid_ask(void *state, const ld_spec *spec, const ld_trial *history,
                          size_t n_history, int number, ld_value *values, int *grid_index)
{
    (void)number;
    grid_state *g = state;
    *grid_index = -1;
    mark_taken(g, history, n_history);
    size_t point = first_free(g);
    if (point == g->total)
        return LD_ERR_DONE;
    point_values(spec, point, values);
    *grid_index = (int)point;
    return LD_OK;
}

const ld_sampler_type ld_sampler_grid = {
    .name = "grid",
    .version = 1,
    .create = grid_create,
    .destroy = grid_destroy,
    .ask = grid_ask,
    .tell = NULL,
    .exhaustive = 1,
};
