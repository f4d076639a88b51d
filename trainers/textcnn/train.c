/*
 * train.c — data reshaping, epoch orders, batches and evaluation (train.h).
 */
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void group_by_class(const tc_dataset *d, int nclasses, int *members, int *mstart)
{
    memset(mstart, 0, (size_t)(nclasses + 1) * sizeof *mstart);
    for (int i = 0; i < d->n; i++)
        mstart[d->label[i] + 1]++;
    for (int c = 0; c < nclasses; c++)
        mstart[c + 1] += mstart[c];
    int *fill = tc_malloc((size_t)(nclasses + 1) * sizeof *fill);
    memcpy(fill, mstart, (size_t)(nclasses + 1) * sizeof *fill);
    for (int i = 0; i < d->n; i++)
        members[fill[d->label[i]]++] = i;
    free(fill);
}

static int by_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Splits d's indices per class into chosen (count_c of class c, random) and the rest. */
static void stratified_pick(const tc_dataset *d, int nclasses, double fraction, int at_least_one,
                            tc_rng *rng, int *chosen, int *nchosen, int *rest, int *nrest)
{
    int *members = tc_malloc((size_t)(d->n ? d->n : 1) * sizeof *members);
    int *mstart = tc_malloc((size_t)(nclasses + 1) * sizeof *mstart);
    group_by_class(d, nclasses, members, mstart);
    *nchosen = *nrest = 0;
    for (int c = 0; c < nclasses; c++) {
        int n = mstart[c + 1] - mstart[c];
        int take = (int)lround(fraction * n);
        if (at_least_one && n > 0 && take == 0)
            take = 1;
        tc_rng_shuffle(rng, members + mstart[c], n);
        for (int i = 0; i < n; i++) {
            int idx = members[mstart[c] + i];
            if (i < take)
                chosen[(*nchosen)++] = idx;
            else
                rest[(*nrest)++] = idx;
        }
    }
    qsort(chosen, (size_t)*nchosen, sizeof *chosen, by_int);
    qsort(rest, (size_t)*nrest, sizeof *rest, by_int);
    free(members);
    free(mstart);
}

void train_sample_fraction(tc_dataset *d, int nclasses, double fraction, tc_rng *rng)
{
    int *chosen = tc_malloc((size_t)(d->n ? d->n : 1) * sizeof *chosen);
    int *rest = tc_malloc((size_t)(d->n ? d->n : 1) * sizeof *rest);
    int nchosen, nrest;
    stratified_pick(d, nclasses, fraction, 1, rng, chosen, &nchosen, rest, &nrest);
    data_select(d, chosen, nchosen, NULL);
    free(chosen);
    free(rest);
}

void train_split_dev(tc_dataset *train, tc_dataset *dev, int nclasses, double fraction,
                     tc_rng *rng)
{
    int n = train->n ? train->n : 1;
    int *chosen = tc_malloc((size_t)n * sizeof *chosen), *rest = tc_malloc((size_t)n * sizeof *rest);
    int nchosen, nrest;
    stratified_pick(train, nclasses, fraction, 0, rng, chosen, &nchosen, rest, &nrest);
    /* dev borrows a copy of train's arrays, then each keeps its own part */
    memset(dev, 0, sizeof *dev);
    dev->n = train->n;
    dev->start = tc_malloc((size_t)(train->n + 1) * sizeof *dev->start);
    memcpy(dev->start, train->start, (size_t)(train->n + 1) * sizeof *dev->start);
    dev->ids = tc_malloc((size_t)(train->start[train->n] + 1) * sizeof *dev->ids);
    memcpy(dev->ids, train->ids, (size_t)train->start[train->n] * sizeof *dev->ids);
    dev->label = tc_malloc((size_t)n * sizeof *dev->label);
    memcpy(dev->label, train->label, (size_t)train->n * sizeof *dev->label);
    dev->text = tc_malloc((size_t)n * sizeof *dev->text);
    memcpy(dev->text, train->text, (size_t)train->n * sizeof *dev->text);
    data_select(dev, chosen, nchosen, NULL);
    data_select(train, rest, nrest, NULL);
    free(chosen);
    free(rest);
}

int train_top_classes(const tc_dataset *train, int nclasses, int K, int *remap, int *kept)
{
    int *counts = tc_calloc((size_t)nclasses, sizeof *counts);
    data_class_counts(train, nclasses, counts);
    for (int c = 0; c < nclasses; c++)
        remap[c] = -1;
    int nkept = 0;
    while (nkept < K) {
        int best = -1;
        for (int c = 0; c < nclasses; c++)
            if (remap[c] < 0 && counts[c] > 0 && (best < 0 || counts[c] > counts[best]))
                best = c;
        if (best < 0)
            break;
        remap[best] = nkept;
        kept[nkept++] = best;
    }
    free(counts);
    return nkept;
}

void train_apply_remap(tc_dataset *d, const int *remap)
{
    int *keep = tc_malloc((size_t)(d->n ? d->n : 1) * sizeof *keep);
    int nkeep = 0;
    for (int i = 0; i < d->n; i++)
        if (d->label[i] < 0 || remap[d->label[i]] >= 0)
            keep[nkeep++] = i;
    data_select(d, keep, nkeep, remap);
    free(keep);
}

/* ---- epoch orders -------------------------------------------------------------------------- */

void sampler_init(tc_sampler *s, const tc_dataset *d, int nclasses, int oversample)
{
    memset(s, 0, sizeof *s);
    s->nclasses = nclasses;
    s->members = tc_malloc((size_t)(d->n ? d->n : 1) * sizeof *s->members);
    s->mstart = tc_malloc((size_t)(nclasses + 1) * sizeof *s->mstart);
    s->cursor = tc_calloc((size_t)nclasses, sizeof *s->cursor);
    s->classes = tc_calloc((size_t)nclasses, sizeof *s->classes);
    group_by_class(d, nclasses, s->members, s->mstart);
    int largest = 0;
    for (int c = 0; c < nclasses; c++) {
        int n = s->mstart[c + 1] - s->mstart[c];
        largest = n > largest ? n : largest;
    }
    s->capacity = oversample ? largest * nclasses : d->n;
    if (s->capacity < d->n)
        s->capacity = d->n;
    s->order = tc_malloc((size_t)(s->capacity ? s->capacity : 1) * sizeof *s->order);
}

void sampler_free(tc_sampler *s)
{
    if (!s)
        return;
    free(s->members);
    free(s->mstart);
    free(s->cursor);
    free(s->classes);
    free(s->order);
    memset(s, 0, sizeof *s);
}

/* The next example of class c, walking a reshuffled copy of its members. */
static int draw(tc_sampler *s, int c, tc_rng *rng)
{
    int n = s->mstart[c + 1] - s->mstart[c];
    if (s->cursor[c] == 0)
        tc_rng_shuffle(rng, s->members + s->mstart[c], n);
    int idx = s->members[s->mstart[c] + s->cursor[c]];
    s->cursor[c] = (s->cursor[c] + 1) % n;
    return idx;
}

int sampler_epoch(tc_sampler *s, int oversample, int balanced, tc_rng *rng)
{
    int K = s->nclasses, total = s->mstart[K], largest = 0, present = 0;
    for (int c = 0; c < K; c++) {
        int n = s->mstart[c + 1] - s->mstart[c];
        largest = n > largest ? n : largest;
        present += n > 0;
    }
    int len = oversample ? largest * present : total;
    if (balanced) {
        /* rounds of one example per class, in a fresh random class order each round */
        int *classes = s->classes, ncls = 0;
        for (int c = 0; c < K; c++)
            if (s->mstart[c + 1] > s->mstart[c])
                classes[ncls++] = c;
        for (int i = 0; i < len; i++) {
            if (i % ncls == 0)
                tc_rng_shuffle(rng, classes, ncls);
            s->order[i] = draw(s, classes[i % ncls], rng);
        }
        return len;
    }
    for (int i = 0; i < total; i++)
        s->order[i] = s->members[i];
    int at = total;
    if (oversample)
        for (int c = 0; c < K; c++) {
            int n = s->mstart[c + 1] - s->mstart[c];
            for (int extra = n; n > 0 && extra < largest; extra++)
                s->order[at++] = draw(s, c, rng);
        }
    tc_rng_shuffle(rng, s->order, at);
    return at;
}

/* ---- batches and evaluation ---------------------------------------------------------------- */

int train_fill_batch(tc_model *m, const tc_dataset *d, const int *idx, int B)
{
    for (int b = 0; b < B; b++) {
        int len = d->start[idx[b] + 1] - d->start[idx[b]];
        m->lens[b] = len;
        m->labels[b] = d->label[idx[b]];
    }
    int T = model_layout_batch(m, B);
    for (int b = 0; b < B; b++) {
        const int *src = d->ids + d->start[idx[b]];
        int *dst = m->ids + m->offs[b];
        memcpy(dst, src, (size_t)m->lens[b] * sizeof *dst);
        for (int r = m->offs[b] + m->lens[b]; r < m->offs[b + 1]; r++)
            m->ids[r] = TC_PAD;
    }
    return T;
}

double train_evaluate(tc_model *m, const tc_dataset *d, int batch, double *loss, int *pred,
                      float *conf)
{
    double total_loss = 0;
    long right = 0, labelled = 0;
    int K = m->shape.classes;
    int idx[batch];
    for (int start = 0; start < d->n; start += batch) {
        int B = d->n - start < batch ? d->n - start : batch;
        for (int b = 0; b < B; b++)
            idx[b] = start + b;
        int T = train_fill_batch(m, d, idx, B);
        int correct;
        total_loss += model_forward(m, B, T, 0, NULL, &correct) * B;
        right += correct;
        for (int b = 0; b < B; b++) {
            labelled += m->labels[b] >= 0;
            const float *p = m->probs + (size_t)b * K;
            int best = 0;
            for (int k = 1; k < K; k++)
                if (p[k] > p[best])
                    best = k;
            if (pred)
                pred[start + b] = best;
            if (conf)
                conf[start + b] = p[best];
        }
    }
    if (loss)
        *loss = labelled ? total_loss / labelled : NAN;
    return labelled ? (double)right / labelled : NAN;
}
