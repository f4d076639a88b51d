/*
 * table.c — the small containers of the data tools: the label table, the 64-bit hash set, exact
 * quotas (largest remainder) and the dealer that hands examples to outputs with those quotas,
 * and in-memory example lists written as train/dev/test.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

/* ---- labels ----------------------------------------------------------------------------- */

static int labels_grow_slots(dt_labels *t)
{
    size_t ns = t->nslots ? t->nslots * 2 : 64;
    size_t *slots = calloc(ns, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t h = (size_t)dt_hash(t->labels[i], strlen(t->labels[i])) & (ns - 1);
        while (slots[h])
            h = (h + 1) & (ns - 1);
        slots[h] = i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = ns;
    return 0;
}

size_t dt_labels_find(const dt_labels *t, const char *label, size_t len)
{
    if (!t->nslots)
        return (size_t)-1;
    size_t h = (size_t)dt_hash(label, len) & (t->nslots - 1);
    while (t->slots[h]) {
        const char *l = t->labels[t->slots[h] - 1];
        if (strlen(l) == len && memcmp(l, label, len) == 0)
            return t->slots[h] - 1;
        h = (h + 1) & (t->nslots - 1);
    }
    return (size_t)-1;
}

size_t dt_labels_add(dt_labels *t, const char *label, size_t len)
{
    size_t i = dt_labels_find(t, label, len);
    if (i != (size_t)-1)
        return i;
    if ((t->n + 1) * 2 > t->nslots && labels_grow_slots(t) != 0)
        return (size_t)-1;
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        char **l = realloc(t->labels, nc * sizeof *l);
        if (!l)
            return (size_t)-1;
        t->labels = l;
        size_t *c = realloc(t->counts, nc * sizeof *c);
        if (!c)
            return (size_t)-1;
        t->counts = c;
        t->cap = nc;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return (size_t)-1;
    memcpy(copy, label, len);
    copy[len] = '\0';
    t->labels[t->n] = copy;
    t->counts[t->n] = 0;
    size_t h = (size_t)dt_hash(label, len) & (t->nslots - 1);
    while (t->slots[h])
        h = (h + 1) & (t->nslots - 1);
    t->slots[h] = t->n + 1;
    return t->n++;
}

void dt_labels_free(dt_labels *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->labels[i]);
    free(t->labels);
    free(t->counts);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static int by_count(const void *a, const void *b)
{
    const ld_data_class *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->label, y->label);
}

int dt_labels_counts(const dt_labels *t, ld_data_counts *c)
{
    memset(c, 0, sizeof *c);
    c->classes = calloc(t->n ? t->n : 1, sizeof *c->classes);
    if (!c->classes)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        if (!t->counts[i])
            continue;
        ld_data_class *k = &c->classes[c->n_classes++];
        k->label = strdup(t->labels[i]);
        k->count = t->counts[i];
        c->examples += t->counts[i];
        if (!k->label) {
            ld_data_counts_clear(c);
            return -1;
        }
    }
    qsort(c->classes, c->n_classes, sizeof *c->classes, by_count);
    return 0;
}

/* ---- the hash set ----------------------------------------------------------------------- */

static int set_grow(dt_set *s)
{
    size_t nc = s->cap ? s->cap * 2 : 1024;
    uint64_t *keys = calloc(nc, sizeof *keys);
    uint32_t *vals = calloc(nc, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return -1;
    }
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->keys[i])
            continue;
        size_t h = (size_t)s->keys[i] & (nc - 1);
        while (keys[h])
            h = (h + 1) & (nc - 1);
        keys[h] = s->keys[i];
        vals[h] = s->vals[i];
    }
    free(s->keys);
    free(s->vals);
    s->keys = keys;
    s->vals = vals;
    s->cap = nc;
    return 0;
}

int dt_set_add(dt_set *s, uint64_t key, uint32_t *val)
{
    if (!key)
        key = 1;
    if ((s->n + 1) * 2 > s->cap && set_grow(s) != 0)
        return -1;
    size_t h = (size_t)key & (s->cap - 1);
    while (s->keys[h]) {
        if (s->keys[h] == key) {
            if (val)
                *val = s->vals[h];
            return 0;
        }
        h = (h + 1) & (s->cap - 1);
    }
    s->keys[h] = key;
    s->vals[h] = val ? *val : 0;
    s->n++;
    return 1;
}

int dt_set_has(const dt_set *s, uint64_t key)
{
    if (!key)
        key = 1;
    if (!s->cap)
        return 0;
    size_t h = (size_t)key & (s->cap - 1);
    while (s->keys[h]) {
        if (s->keys[h] == key)
            return 1;
        h = (h + 1) & (s->cap - 1);
    }
    return 0;
}

void dt_set_free(dt_set *s)
{
    free(s->keys);
    free(s->vals);
    memset(s, 0, sizeof *s);
}

/* ---- quotas ----------------------------------------------------------------------------- */

/* Integer arithmetic throughout: total * weight can pass 2^53 for big files. */
typedef unsigned __int128 u128;

void dt_apportion(const size_t *w, size_t n, size_t total, int keep_all, size_t *parts)
{
    u128 sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i];
    if (sum == 0) {
        memset(parts, 0, n * sizeof *parts);
        return;
    }
    size_t given = 0;
    for (size_t i = 0; i < n; i++) {
        parts[i] = (size_t)((u128)total * w[i] / sum);
        given += parts[i];
    }
    /* The rest, one each, to the largest remainders (ties: the earlier part). */
    while (given < total) {
        size_t best = n;
        u128 best_rem = 0;
        for (size_t i = 0; i < n; i++) {
            if (!w[i])
                continue;
            /* remainder of part i against what it has now: share - parts, scaled by sum */
            u128 scaled = (u128)total * w[i], have = (u128)parts[i] * sum;
            if (scaled <= have)
                continue;
            u128 rem = scaled - have;
            if (best == n || rem > best_rem) {
                best = i;
                best_rem = rem;
            }
        }
        if (best == n)
            break;
        parts[best]++;
        given++;
    }
    if (!keep_all)
        return;
    for (size_t i = 0; i < n; i++) {
        if (!w[i] || parts[i])
            continue;
        /* take one back from the part furthest above its share that can spare it */
        size_t from = n;
        __int128 best_over = 0;
        for (size_t j = 0; j < n; j++) {
            if (parts[j] < 2)
                continue;
            __int128 over = (__int128)((u128)parts[j] * sum) - (__int128)((u128)total * w[j]);
            if (from == n || over > best_over) {
                from = j;
                best_over = over;
            }
        }
        if (from == n)
            return;
        parts[from]--;
        parts[i] = 1;
    }
}

int dt_dealer_init(dt_dealer *d, size_t n_groups, uint64_t seed)
{
    memset(d, 0, sizeof *d);
    d->n_groups = n_groups;
    d->left = calloc(n_groups ? n_groups : 1, sizeof *d->left);
    d->quota = calloc(n_groups ? n_groups : 1, sizeof *d->quota);
    ld_rng_seed(&d->rng, seed, 0x64617461 /* "data" */);
    if (!d->left || !d->quota) {
        dt_dealer_free(d);
        return -1;
    }
    return 0;
}

int dt_dealer_next(dt_dealer *d, size_t g)
{
    size_t left = d->left[g];
    if (!left)
        return -1;
    size_t u = (size_t)ld_rng_below(&d->rng, left);
    d->left[g]--;
    for (int k = 0; k < 3; k++) {
        if (u < d->quota[g][k]) {
            d->quota[g][k]--;
            return k;
        }
        u -= d->quota[g][k];
    }
    return -1;
}

void dt_dealer_free(dt_dealer *d)
{
    free(d->left);
    free(d->quota);
    memset(d, 0, sizeof *d);
}

void dt_split_quotas(const size_t *counts, size_t n, double dev, double test, size_t (*q)[3])
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += counts[i];
    size_t *d = calloc(n ? n : 1, sizeof *d), *t = calloc(n ? n : 1, sizeof *t);
    if (!d || !t) {
        /* keep everything in train rather than fail: the caller's dealer is still exact */
        for (size_t i = 0; i < n; i++) {
            q[i][0] = counts[i];
            q[i][1] = q[i][2] = 0;
        }
        free(d);
        free(t);
        return;
    }
    dt_apportion(counts, n, (size_t)llround(dev * (double)total), 0, d);
    dt_apportion(counts, n, (size_t)llround(test * (double)total), 0, t);
    for (size_t i = 0; i < n; i++) {
        /* a class keeps at least one training example */
        while (counts[i] && d[i] + t[i] >= counts[i]) {
            if (t[i] >= d[i] && t[i])
                t[i]--;
            else if (d[i])
                d[i]--;
        }
        q[i][0] = counts[i] - d[i] - t[i];
        q[i][1] = d[i];
        q[i][2] = t[i];
    }
    free(d);
    free(t);
}

/* ---- in-memory examples ----------------------------------------------------------------- */

int dt_examples_add(dt_examples *e, const char *label, const char *text, uint64_t key)
{
    if (e->n == e->cap) {
        size_t nc = e->cap ? e->cap * 2 : 1024;
        dt_example *v = realloc(e->v, nc * sizeof *v);
        if (!v)
            return -1;
        e->v = v;
        e->cap = nc;
    }
    dt_example *x = &e->v[e->n];
    x->label = strdup(label);
    x->text = strdup(text);
    x->key = key;
    if (!x->label || !x->text) {
        free(x->label);
        free(x->text);
        return -1;
    }
    e->n++;
    return 0;
}

void dt_examples_free(dt_examples *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].label);
        free(e->v[i].text);
    }
    free(e->v);
    memset(e, 0, sizeof *e);
}

int *dt_split_parts(const dt_examples *e, double dev, double test, uint64_t seed)
{
    dt_labels t = {0};
    size_t *cls = malloc((e->n ? e->n : 1) * sizeof *cls);
    int *part = malloc((e->n ? e->n : 1) * sizeof *part);
    dt_dealer d = {0};
    if (!cls || !part)
        goto fail;
    for (size_t i = 0; i < e->n; i++) {
        cls[i] = dt_labels_add(&t, e->v[i].label, strlen(e->v[i].label));
        if (cls[i] == (size_t)-1)
            goto fail;
        t.counts[cls[i]]++;
    }
    if (dt_dealer_init(&d, t.n, seed) != 0)
        goto fail;
    dt_split_quotas(t.counts, t.n, dev, test, d.quota);
    for (size_t g = 0; g < t.n; g++)
        d.left[g] = t.counts[g];
    for (size_t i = 0; i < e->n; i++)
        part[i] = dt_dealer_next(&d, cls[i]);
    dt_dealer_free(&d);
    dt_labels_free(&t);
    free(cls);
    return part;
fail:
    dt_dealer_free(&d);
    dt_labels_free(&t);
    free(cls);
    free(part);
    return NULL;
}

ld_status dt_write_splits(const dt_examples *e, const int *part, const char *dir,
                          ld_data_result *res, ld_data_error *err)
{
    static const char *const names[3] = {"train.tsv", "dev.tsv", "test.tsv"};
    dt_out out[3] = {{0}};
    dt_labels counts[3] = {{0}};
    ld_status st = dt_mkdirs(dir, err);
    if (st != LD_OK)
        return st;
    memset(res, 0, sizeof *res);
    res->n_outputs = 3;
    for (int k = 0; k < 3; k++) {
        res->paths[k] = dt_join(dir, names[k]);
        if (!res->paths[k]) {
            st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
            goto done;
        }
        if ((st = dt_out_open(&out[k], res->paths[k], LD_DATA_TSV, err)) != LD_OK)
            goto done;
    }
    dt_labels all = {0};
    for (size_t i = 0; i < e->n; i++) {
        int k = part[i];
        if (k < 0 || k > 2)
            continue;
        size_t c = dt_labels_add(&counts[k], e->v[i].label, strlen(e->v[i].label));
        size_t a = dt_labels_add(&all, e->v[i].label, strlen(e->v[i].label));
        if (c == (size_t)-1 || a == (size_t)-1) {
            dt_labels_free(&all);
            st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
            goto done;
        }
        counts[k].counts[c]++;
        all.counts[a]++;
        if (dt_out_write(&out[k], e->v[i].label, e->v[i].text) != 0) {
            dt_labels_free(&all);
            st = dt_fail(err, LD_ERR_IO, "%s: write failed", res->paths[k]);
            goto done;
        }
    }
    int bad_counts = dt_labels_counts(&all, &res->input) != 0;
    dt_labels_free(&all);
    for (int k = 0; k < 3; k++)
        bad_counts |= dt_labels_counts(&counts[k], &res->outputs[k]) != 0;
    if (bad_counts) {
        st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int k = 0; k < 3 && st == LD_OK; k++)
        st = dt_out_commit(&out[k], err);
done:
    for (int k = 0; k < 3; k++) {
        dt_out_abort(&out[k]);
        dt_labels_free(&counts[k]);
    }
    if (st != LD_OK)
        ld_data_result_clear(res);
    return st;
}
