/*
 * model.c — the parameter block, the activations and the whole-batch passes (model.h).
 */
#include "model.h"
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Walks the tensors in block order; with base NULL it only counts. */
static size_t carve(tc_tensors *t, float *base, const tc_shape *s, int in_width, int with_emb)
{
    size_t off = 0;
    int F = s->nwin * s->maps, C = s->context, E = s->emb;
    size_t GC = (size_t)rnn_gates((tc_cell)s->cell) * C;
    size_t nbias = (size_t)rnn_bias_width((tc_cell)s->cell, C);
#define TAKE(field, count)                                                                     \
    do {                                                                                       \
        t->field = base ? base + off : NULL;                                                   \
        off += (size_t)(count);                                                                \
    } while (0)
    if (with_emb)
        TAKE(emb, (size_t)s->vocab * E);
    else
        t->emb = NULL;
    TAKE(conv_w, (size_t)F * s->kmax * in_width);
    TAKE(conv_b, F);
    if (s->kind == MODEL_RCNN) {
        TAKE(left_u, GC * C);
        TAKE(left_s, GC * E);
        TAKE(left_b, nbias);
        TAKE(right_u, GC * C);
        TAKE(right_s, GC * E);
        TAKE(right_b, nbias);
    } else {
        t->left_u = t->left_s = t->left_b = t->right_u = t->right_s = t->right_b = NULL;
    }
    TAKE(out_w, (size_t)s->classes * F);
    TAKE(out_b, s->classes);
#undef TAKE
    return off;
}

void model_alloc(tc_model *m, const tc_shape *shape, int maxB, int maxT)
{
    memset(m, 0, sizeof *m);
    m->shape = *shape;
    const tc_shape *s = &m->shape;
    m->F = s->nwin * s->maps;
    m->in_width = s->kind == MODEL_RCNN ? 2 * s->context + s->emb : s->emb;
    m->nparams = carve(&m->p, NULL, s, m->in_width, 1);
    m->ndense = m->nparams - (size_t)s->vocab * s->emb;
    m->params = tc_calloc(m->nparams, sizeof *m->params);
    carve(&m->p, m->params, s, m->in_width, 1);
    m->dense_grad = tc_calloc(m->ndense, sizeof *m->dense_grad);
    carve(&m->g, m->dense_grad, s, m->in_width, 0);

    if (maxT < s->kmax)
        maxT = s->kmax;
    m->maxB = maxB;
    m->maxT = maxT;
    size_t BT = (size_t)maxB * maxT, F = (size_t)m->F, K = (size_t)s->classes;
    size_t feat = (BT + (size_t)s->kmax) * m->in_width;
    m->ids = tc_calloc(BT, sizeof *m->ids);
    m->lens = tc_calloc((size_t)maxB, sizeof *m->lens);
    m->labels = tc_calloc((size_t)maxB, sizeof *m->labels);
    m->offs = tc_calloc((size_t)maxB + 1, sizeof *m->offs);
    m->feat = tc_calloc(feat, sizeof *m->feat);
    m->dfeat = tc_calloc(feat, sizeof *m->dfeat);
    m->conv = tc_calloc(BT * F, sizeof *m->conv);
    if (s->kind == MODEL_RCNN) {
        size_t A = (size_t)rnn_cache_width((tc_cell)s->cell, s->context);
        size_t GC = (size_t)rnn_gates((tc_cell)s->cell) * s->context;
        m->left_cache = tc_calloc(BT * A, sizeof *m->left_cache);
        m->right_cache = tc_calloc(BT * A, sizeof *m->right_cache);
        m->rnn_scratch.input = tc_calloc(BT * GC, sizeof *m->rnn_scratch.input);
        m->rnn_scratch.dinput = tc_calloc(BT * GC, sizeof *m->rnn_scratch.dinput);
        m->rnn_scratch.drecur = tc_calloc(BT * GC, sizeof *m->rnn_scratch.drecur);
        m->rnn_scratch.dcell = tc_calloc(BT * (size_t)s->context, sizeof *m->rnn_scratch.dcell);
    }
    m->pooled = tc_calloc((size_t)maxB * F, sizeof *m->pooled);
    m->dpooled = tc_calloc((size_t)maxB * F, sizeof *m->dpooled);
    m->gscratch = tc_calloc((size_t)maxB * F, sizeof *m->gscratch);
    m->argmax = tc_calloc((size_t)maxB * F, sizeof *m->argmax);
    m->dropped = tc_calloc((size_t)maxB * F, sizeof *m->dropped);
    m->ddropped = tc_calloc((size_t)maxB * F, sizeof *m->ddropped);
    m->mask = tc_calloc((size_t)maxB * F, sizeof *m->mask);
    m->logits = tc_calloc((size_t)maxB * K, sizeof *m->logits);
    m->dlogits = tc_calloc((size_t)maxB * K, sizeof *m->dlogits);
    m->probs = tc_calloc((size_t)maxB * K, sizeof *m->probs);
    m->uniq = tc_calloc(BT, sizeof *m->uniq);
    m->ustart = tc_calloc(BT + 1, sizeof *m->ustart);
    m->upos = tc_calloc(BT, sizeof *m->upos);
    m->mark = tc_malloc((size_t)s->vocab * sizeof *m->mark);
    memset(m->mark, 0xff, (size_t)s->vocab * sizeof *m->mark);
    m->demb = tc_calloc(BT * (size_t)s->emb, sizeof *m->demb);
}

void model_free(tc_model *m)
{
    if (!m)
        return;
    void *blocks[] = {m->params, m->dense_grad, m->ids, m->lens, m->labels, m->offs, m->feat, m->dfeat,
                      m->conv, m->left_cache, m->right_cache, m->rnn_scratch.input,
                      m->rnn_scratch.dinput, m->rnn_scratch.drecur, m->rnn_scratch.dcell, m->pooled, m->dpooled, m->gscratch,
                      m->argmax, m->dropped, m->ddropped, m->mask, m->logits, m->dlogits,
                      m->probs, m->uniq, m->ustart, m->upos, m->mark, m->demb};
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++)
        free(blocks[i]);
    memset(m, 0, sizeof *m);
}

static void uniform(float *x, size_t n, float bound, tc_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (2 * tc_rng_float(rng) - 1) * bound;
}

void model_init(tc_model *m, tc_rng *rng)
{
    const tc_shape *s = &m->shape;
    int E = s->emb, C = s->context, F = m->F, W = m->in_width;
    memset(m->params, 0, m->nparams * sizeof *m->params);
    uniform(m->p.emb + E, (size_t)(s->vocab - 1) * E, 0.25f, rng);
    for (int f = 0; f < F; f++) {
        int fan_in = s->windows[f / s->maps] * W;
        uniform(m->p.conv_w + (size_t)f * s->kmax * W, (size_t)fan_in, 1 / sqrtf((float)fan_in),
                rng);
        uniform(m->p.conv_b + f, 1, 1 / sqrtf((float)fan_in), rng);
    }
    if (s->kind == MODEL_RCNN) {
        /* PyTorch's nn.RNN/LSTM/GRU: every weight and bias U(-1/sqrt(C), +) */
        float bound = 1 / sqrtf((float)C);
        size_t GC = (size_t)rnn_gates((tc_cell)s->cell) * C;
        size_t nbias = (size_t)rnn_bias_width((tc_cell)s->cell, C);
        uniform(m->p.left_u, GC * C, bound, rng);
        uniform(m->p.left_s, GC * E, bound, rng);
        uniform(m->p.left_b, nbias, bound, rng);
        uniform(m->p.right_u, GC * C, bound, rng);
        uniform(m->p.right_s, GC * E, bound, rng);
        uniform(m->p.right_b, nbias, bound, rng);
    }
    uniform(m->p.out_w, (size_t)s->classes * F, 1 / sqrtf((float)F), rng);
    uniform(m->p.out_b, (size_t)s->classes, 1 / sqrtf((float)F), rng);
}

int model_batch_len(const tc_model *m, const int *lens, int B)
{
    int T = m->shape.kmax;
    for (int b = 0; b < B; b++)
        T = lens[b] > T ? lens[b] : T;
    return T;
}

int model_layout_batch(tc_model *m, int B)
{
    int T = model_batch_len(m, m->lens, B), kmax = m->shape.kmax;
    m->offs[0] = 0;
    for (int b = 0; b < B; b++) {
        int padded = m->lens[b] > kmax ? m->lens[b] : kmax;
        m->offs[b + 1] = m->offs[b] + (m->shape.kind == MODEL_RCNN ? T : padded);
    }
    m->rows = m->offs[B];
    return T;
}

double model_forward(tc_model *m, int B, int T, int train, tc_rng *rng, int *correct)
{
    const tc_shape *s = &m->shape;
    int BT = m->rows, E = s->emb, C = s->context, W = m->in_width, F = m->F;
    tc_act act = s->kind == MODEL_RCNN ? (tc_act)s->projection_act : ACT_RELU;
    if (s->kind == MODEL_RCNN) {
        float *X = m->feat + C;
        embedding_forward(X, W, m->ids, BT, m->p.emb, E);
        tc_recurrence left = {(tc_cell)s->cell, +1, s->context_word, B, T, C, E, m->lens};
        tc_recurrence right = left;
        right.dir = -1;
        rnn_forward(&left, m->feat, W, m->left_cache, &m->rnn_scratch, X, W, m->p.left_u,
                    m->p.left_s, m->p.left_b);
        rnn_forward(&right, m->feat + C + E, W, m->right_cache, &m->rnn_scratch, X, W,
                    m->p.right_u, m->p.right_s, m->p.right_b);
    } else {
        embedding_forward(m->feat, E, m->ids, BT, m->p.emb, E);
        /* the shifted products read up to kmax-1 rows past the batch */
        memset(m->feat + (size_t)BT * E, 0, (size_t)(s->kmax - 1) * E * sizeof *m->feat);
    }
    conv_forward(m->conv, m->feat, m->p.conv_w, BT, W, s->windows, s->nwin, s->maps, s->kmax);
    pool_forward(m->pooled, m->argmax, m->conv, m->p.conv_b, m->lens, m->offs, B, s->windows,
                 s->nwin, s->maps, s->kmax, act);
    if (train && m->dropout > 0) {
        dropout_forward(m->dropped, m->mask, m->pooled, B * F, m->dropout, rng);
    } else {
        memcpy(m->dropped, m->pooled, (size_t)B * F * sizeof *m->dropped);
        for (int i = 0; i < B * F; i++)
            m->mask[i] = 1.0f;
    }
    linear_forward(m->logits, m->dropped, m->p.out_w, m->p.out_b, B, F, s->classes);
    return softmax_xent_forward(m->probs, m->logits, m->labels, B, s->classes, correct);
}

void model_backward(tc_model *m, int B, int T)
{
    const tc_shape *s = &m->shape;
    int BT = m->rows, E = s->emb, C = s->context, W = m->in_width, F = m->F, K = s->classes;
    tc_act act = s->kind == MODEL_RCNN ? (tc_act)s->projection_act : ACT_RELU;
    memset(m->dense_grad, 0, m->ndense * sizeof *m->dense_grad);
    softmax_xent_backward(m->dlogits, m->probs, m->labels, B, K);
    memset(m->ddropped, 0, (size_t)B * F * sizeof *m->ddropped);
    linear_backward(m->ddropped, m->g.out_w, m->g.out_b, m->dlogits, m->dropped, m->p.out_w, B,
                    F, K);
    memset(m->dpooled, 0, (size_t)B * F * sizeof *m->dpooled);
    dropout_backward(m->dpooled, m->ddropped, m->mask, B * F);
    memset(m->dfeat, 0, (size_t)(BT + s->kmax) * W * sizeof *m->dfeat);
    /* a frozen CNN embedding needs no input gradient; RCNN's contexts still do */
    float *dfeat = m->freeze_emb && s->kind == MODEL_CNN ? NULL : m->dfeat;
    conv_pool_backward(m->g.conv_w, m->g.conv_b, dfeat, m->gscratch, m->dpooled, m->pooled,
                       m->argmax, m->feat, m->p.conv_w, B, W, s->windows, s->nwin, s->maps,
                       s->kmax, act);
    const float *dX = m->dfeat;
    if (s->kind == MODEL_RCNN) {
        float *X = m->feat + C, *dXr = m->dfeat + C;
        tc_recurrence left = {(tc_cell)s->cell, +1, s->context_word, B, T, C, E, m->lens};
        tc_recurrence right = left;
        right.dir = -1;
        rnn_backward(&left, dXr, W, m->g.left_u, m->g.left_s, m->g.left_b, m->dfeat, W,
                     &m->rnn_scratch, m->left_cache, m->feat, X, m->p.left_u, m->p.left_s);
        rnn_backward(&right, dXr, W, m->g.right_u, m->g.right_s, m->g.right_b,
                     m->dfeat + C + E, W, &m->rnn_scratch, m->right_cache, m->feat + C + E, X,
                     m->p.right_u, m->p.right_s);
        dX = dXr;
    }
    m->nuniq = 0;
    if (m->freeze_emb)
        return;
    m->nuniq = embedding_index(m->ids, BT, m->uniq, m->ustart, m->upos, m->mark);
    embedding_backward(m->demb, dX, W, m->nuniq, m->ustart, m->upos, E);
}
