/*
 * optim.c — SGD with momentum, Adam, Adadelta, RMSprop; clipping; max-norm (optim.h).
 */
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const NAMES[] = {"sgd", "adam", "adadelta", "rmsprop"};

int optim_parse(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(name, NAMES[i]) == 0)
            return i;
    return -1;
}

const char *optim_name(tc_optim_kind kind) { return NAMES[kind]; }

float optim_default_lr(tc_optim_kind kind)
{
    switch (kind) {
    case OPT_SGD: return 0.1f;
    case OPT_ADADELTA: return 1.0f;
    default: return 1e-3f;
    }
}

void optim_init(tc_optim *o, tc_optim_kind kind, float lr, float momentum, float l2,
                size_t nparams)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->lr = lr;
    o->momentum = momentum;
    o->l2 = l2;
    o->beta1 = 0.9f;  /* Kingma & Ba 2015 */
    o->beta2 = 0.999f;
    o->eps = kind == OPT_ADADELTA ? 1e-6f : 1e-8f; /* Zeiler 2012 with Kim's choice of eps */
    o->rho = kind == OPT_ADADELTA ? 0.95f : 0.9f;  /* Zeiler 2012; Hinton's lecture 6e */
    o->s1 = tc_calloc(nparams, sizeof *o->s1);
    o->s2 = tc_calloc(nparams, sizeof *o->s2);
}

void optim_free(tc_optim *o)
{
    if (!o)
        return;
    free(o->s1);
    free(o->s2);
    memset(o, 0, sizeof *o);
}

/* The per-step constants of one update, so the span kernel does no pow() per element. */
typedef struct {
    tc_optim_kind kind;
    float lr, l2, momentum, b1, b2, rho, eps;
    float step_size, bias2_sqrt; /* Adam: lr / (1 - b1^t), sqrt(1 - b2^t) */
} update_consts;

/* p, g, s1, s2 over n floats. Multiversioned like axpy: the optimizer touches every dense float
 * of the model each step, so its loop is worth vectorizing wide. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void update_span(const update_consts *c, float *restrict p, const float *restrict g,
                        float *restrict s1, float *restrict s2, size_t n)
{
    /* constants in locals: stores through p could otherwise alias *c and force reloads that
     * keep the loops scalar */
    const float l2 = c->l2, lr = c->lr, mu = c->momentum, b1 = c->b1, b2 = c->b2, rho = c->rho;
    const float eps = c->eps, step_size = c->step_size, bias2_sqrt = c->bias2_sqrt;
    switch (c->kind) {
    case OPT_SGD:
        if (mu > 0)
            for (size_t i = 0; i < n; i++) {
                s1[i] = mu * s1[i] + g[i] + l2 * p[i];
                p[i] -= lr * s1[i];
            }
        else
            for (size_t i = 0; i < n; i++)
                p[i] -= lr * (g[i] + l2 * p[i]);
        break;
    case OPT_ADAM:
        for (size_t i = 0; i < n; i++) {
            float gi = g[i] + l2 * p[i];
            s1[i] = b1 * s1[i] + (1 - b1) * gi;
            s2[i] = b2 * s2[i] + (1 - b2) * gi * gi;
            p[i] -= step_size * s1[i] / (sqrtf(s2[i]) / bias2_sqrt + eps);
        }
        break;
    case OPT_ADADELTA:
        for (size_t i = 0; i < n; i++) {
            float gi = g[i] + l2 * p[i];
            s1[i] = rho * s1[i] + (1 - rho) * gi * gi;
            float dx = sqrtf(s2[i] + eps) / sqrtf(s1[i] + eps) * gi;
            s2[i] = rho * s2[i] + (1 - rho) * dx * dx;
            p[i] -= lr * dx;
        }
        break;
    case OPT_RMSPROP:
        for (size_t i = 0; i < n; i++) {
            float gi = g[i] + l2 * p[i];
            s1[i] = rho * s1[i] + (1 - rho) * gi * gi;
            p[i] -= lr * gi / (sqrtf(s1[i]) + eps);
        }
        break;
    }
}

enum { CHUNK = 4096 };

/* The gradient of an embedding row outside the batch; --emb is at most 4096 wide. */
static const float ZERO_ROW[4096];

double optim_grad_norm(const tc_model *m)
{
    size_t nchunks = (m->ndense + CHUNK - 1) / CHUNK;
    double total = 0;
    for (size_t c = 0; c < nchunks; c++) {
        size_t end = (c + 1) * CHUNK < m->ndense ? (c + 1) * CHUNK : m->ndense;
        double sum = 0;
        for (size_t i = c * CHUNK; i < end; i++)
            sum += (double)m->dense_grad[i] * m->dense_grad[i];
        total += sum;
    }
    const float *demb = m->demb;
    for (size_t i = 0; i < (size_t)m->nuniq * m->shape.emb; i++)
        total += (double)demb[i] * demb[i];
    return sqrt(total);
}

void optim_scale_grads(tc_model *m, float scale)
{
    for (size_t i = 0; i < m->ndense; i++)
        m->dense_grad[i] *= scale;
    for (size_t i = 0; i < (size_t)m->nuniq * m->shape.emb; i++)
        m->demb[i] *= scale;
}

void optim_step(tc_optim *o, tc_model *m)
{
    o->step++;
    update_consts c = {o->kind, o->lr, o->l2, o->momentum, o->beta1, o->beta2, o->rho, o->eps,
                       0, 0};
    if (o->kind == OPT_ADAM) {
        c.step_size = o->lr / (1 - powf(o->beta1, (float)o->step));
        c.bias2_sqrt = sqrtf(1 - powf(o->beta2, (float)o->step));
    }
    int E = m->shape.emb;
    size_t emb_size = (size_t)m->shape.vocab * E;
    size_t nchunks = (m->ndense + CHUNK - 1) / CHUNK;
#pragma omp parallel
    {
#pragma omp for schedule(static) nowait
        for (size_t ch = 0; ch < nchunks; ch++) {
            size_t i0 = ch * CHUNK, n = i0 + CHUNK < m->ndense ? CHUNK : m->ndense - i0;
            size_t at = emb_size + i0;
            update_span(&c, m->params + at, m->dense_grad + i0, o->s1 + at, o->s2 + at, n);
        }
        if (o->dense_emb && !m->freeze_emb) {
            /* mark[] is all -1 between batches (layers.h); here it maps a row to its u */
#pragma omp single
            for (int u = 0; u < m->nuniq; u++)
                m->mark[m->uniq[u]] = u;
#pragma omp for schedule(static)
            for (int v = 1; v < m->shape.vocab; v++) {
                size_t at = (size_t)v * E;
                int u = m->mark[v];
                update_span(&c, m->params + at, u >= 0 ? m->demb + (size_t)u * E : ZERO_ROW,
                            o->s1 + at, o->s2 + at, (size_t)E);
            }
#pragma omp single
            for (int u = 0; u < m->nuniq; u++)
                m->mark[m->uniq[u]] = -1;
        } else {
#pragma omp for schedule(static)
            for (int u = 0; u < m->nuniq; u++) {
            size_t at = (size_t)m->uniq[u] * E;
                update_span(&c, m->params + at, m->demb + (size_t)u * E, o->s1 + at,
                            o->s2 + at, (size_t)E);
            }
        }
    }
}

void optim_max_norm(tc_model *m, float max_norm)
{
    int F = m->F;
    for (int k = 0; k < m->shape.classes; k++) {
        float *w = m->p.out_w + (size_t)k * F;
        double norm = 0;
        for (int f = 0; f < F; f++)
            norm += (double)w[f] * w[f];
        norm = sqrt(norm);
        if (norm > max_norm)
            for (int f = 0; f < F; f++)
                w[f] *= (float)(max_norm / norm);
    }
}
