/*
 * layers.c — forward/backward pairs of the TextCNN and RCNN layers (layers.h).
 *
 * Loops that run per batch are split across OpenMP threads along a dimension whose sums do not
 * cross threads (sentences for activations, features for weight gradients), so a result never
 * depends on how the work was split.
 */
#include "layers.h"
#include "data.h"
#include "gemm.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Multiversioned: AVX-512 where the CPU has it, AVX2 or SSE2 elsewhere, picked at load time. */
__attribute__((target_clones("avx512f", "avx2", "default")))
void axpy(float *restrict y, float a, const float *restrict x, int n)
{
    for (int i = 0; i < n; i++)
        y[i] += a * x[i];
}

/* ---- embedding ----------------------------------------------------------------------------- */

void embedding_forward(float *X, int ldx, const int *ids, int BT, const float *emb, int E)
{
#pragma omp parallel for schedule(static) if (BT > 256)
    for (int r = 0; r < BT; r++)
        memcpy(X + (size_t)r * ldx, emb + (size_t)ids[r] * E, (size_t)E * sizeof *X);
}

int embedding_index(const int *ids, int BT, int *uniq, int *ustart, int *upos, int *mark)
{
    int nuniq = 0;
    /* ustart[u+1] counts first, then becomes the running fill position. */
    for (int r = 0; r < BT; r++) {
        int id = ids[r];
        if (id == TC_PAD)
            continue;
        if (mark[id] < 0) {
            mark[id] = nuniq;
            uniq[nuniq] = id;
            ustart[++nuniq] = 0;
        }
        ustart[mark[id] + 1]++;
    }
    ustart[0] = 0;
    for (int u = 0; u < nuniq; u++)
        ustart[u + 1] += ustart[u];
    for (int r = 0; r < BT; r++) {
        int id = ids[r];
        if (id == TC_PAD)
            continue;
        upos[ustart[mark[id]]++] = r;
    }
    /* The fill moved each ustart[u] to the start of u+1: shift back. */
    for (int u = nuniq; u > 0; u--)
        ustart[u] = ustart[u - 1];
    ustart[0] = 0;
    for (int u = 0; u < nuniq; u++)
        mark[uniq[u]] = -1;
    return nuniq;
}

void embedding_backward(float *demb, const float *dX, int ldx, int nuniq, const int *ustart,
                        const int *upos, int E)
{
#pragma omp parallel for schedule(static) if (nuniq > 64)
    for (int u = 0; u < nuniq; u++) {
        float *g = demb + (size_t)u * E;
        memset(g, 0, (size_t)E * sizeof *g);
        for (int i = ustart[u]; i < ustart[u + 1]; i++)
            axpy(g, 1.0f, dX + (size_t)upos[i] * ldx, E);
    }
}

/* ---- convolution --------------------------------------------------------------------------- */

/* The first window wider than k: its maps and every later window's take part in shift k. */
static int first_window_wider(const int *windows, int nwin, int k)
{
    int j = 0;
    while (j < nwin && windows[j] <= k)
        j++;
    return j;
}

void conv_forward(float *Y, const float *X, const float *W, int BT, int E, const int *windows,
                  int nwin, int maps, int kmax)
{
    int F = nwin * maps, ldw = kmax * E;
    for (int k = 0; k < kmax; k++) {
        int col0 = first_window_wider(windows, nwin, k) * maps;
        gemm(0, 1, BT, F - col0, E, 1.0f, X + (size_t)k * E, E, W + (size_t)col0 * ldw + k * E,
             ldw, k == 0 ? 0.0f : 1.0f, Y + col0, F);
    }
}

void conv_backward(float *dW, float *dX, const float *dY, const float *X, const float *W, int BT,
                   int E, const int *windows, int nwin, int maps, int kmax)
{
    int F = nwin * maps, ldw = kmax * E;
    for (int k = 0; k < kmax; k++) {
        int col0 = first_window_wider(windows, nwin, k) * maps;
        gemm(1, 0, F - col0, E, BT, 1.0f, dY + col0, F, X + (size_t)k * E, E,
             1.0f, dW + (size_t)col0 * ldw + k * E, ldw);
        gemm(0, 0, BT, E, F - col0, 1.0f, dY + col0, F, W + (size_t)col0 * ldw + k * E, ldw,
             1.0f, dX + (size_t)k * E, E);
    }
}

/* ---- max-over-time pooling ----------------------------------------------------------------- */

static float activate(float x, tc_act act) { return act == ACT_RELU ? (x > 0 ? x : 0) : tanhf(x); }

/* d act / d x, from the activation's output y. */
static float activate_grad(float y, tc_act act) { return act == ACT_RELU ? (y > 0) : 1 - y * y; }

void pool_forward(float *P, int *argmax, const float *Y, const float *bias, const int *lens,
                  const int *offs, int B, const int *windows, int nwin, int maps, int kmax,
                  tc_act act)
{
    int F = nwin * maps;
#pragma omp parallel for schedule(static) if (B > 8)
    for (int b = 0; b < B; b++) {
        int padded = lens[b] > kmax ? lens[b] : kmax;
        float *best = P + (size_t)b * F;
        int *arg = argmax + (size_t)b * F;
        for (int j = 0; j < nwin; j++) {
            int npos = padded - windows[j] + 1, f0 = j * maps;
            for (int f = f0; f < f0 + maps; f++) {
                best[f] = -FLT_MAX;
                arg[f] = offs[b];
            }
            for (int t = 0; t < npos; t++) {
                const float *y = Y + (size_t)(offs[b] + t) * F;
                for (int f = f0; f < f0 + maps; f++)
                    if (y[f] > best[f]) {
                        best[f] = y[f];
                        arg[f] = offs[b] + t;
                    }
            }
        }
        for (int f = 0; f < F; f++)
            best[f] = activate(best[f] + bias[f], act);
    }
}

void pool_backward(float *dY, float *dbias, const float *dP, const float *P, const int *argmax,
                   int B, int F, tc_act act)
{
    for (int b = 0; b < B; b++)
        for (int f = 0; f < F; f++) {
            float g = dP[(size_t)b * F + f] * activate_grad(P[(size_t)b * F + f], act);
            dY[(size_t)argmax[(size_t)b * F + f] * F + f] += g;
            dbias[f] += g;
        }
}

void conv_pool_backward(float *dW, float *dbias, float *dX, float *G, const float *dP,
                        const float *P, const int *argmax, const float *X, const float *W, int B,
                        int E, const int *windows, int nwin, int maps, int kmax, tc_act act)
{
    int F = nwin * maps, ldw = kmax * E;
    for (size_t i = 0; i < (size_t)B * F; i++)
        G[i] = dP[i] * activate_grad(P[i], act);
#pragma omp parallel for schedule(static) if (F > 16)
    for (int f = 0; f < F; f++) {
        int width = windows[f / maps] * E;
        for (int b = 0; b < B; b++) {
            float g = G[(size_t)b * F + f];
            if (g != 0) {
                axpy(dW + (size_t)f * ldw, g, X + (size_t)argmax[(size_t)b * F + f] * E, width);
                dbias[f] += g;
            }
        }
    }
    if (!dX)
        return;
#pragma omp parallel for schedule(static) if (B > 8)
    for (int b = 0; b < B; b++)
        for (int f = 0; f < F; f++) {
            float g = G[(size_t)b * F + f];
            if (g != 0)
                axpy(dX + (size_t)argmax[(size_t)b * F + f] * E, g, W + (size_t)f * ldw,
                     windows[f / maps] * E);
        }
}

/* ---- dropout, linear, softmax cross-entropy ------------------------------------------------ */

void dropout_forward(float *out, float *mask, const float *in, int n, float p, tc_rng *rng)
{
    float keep = 1.0f - p, scale = p > 0 ? 1.0f / keep : 1.0f;
    for (int i = 0; i < n; i++) {
        mask[i] = (p <= 0 || tc_rng_float(rng) < keep) ? scale : 0.0f;
        out[i] = in[i] * mask[i];
    }
}

void dropout_backward(float *din, const float *dout, const float *mask, int n)
{
    for (int i = 0; i < n; i++)
        din[i] += dout[i] * mask[i];
}

void linear_forward(float *out, const float *in, const float *W, const float *b, int B, int I,
                    int O)
{
    gemm(0, 1, B, O, I, 1.0f, in, I, W, I, 0.0f, out, O);
    for (int r = 0; r < B; r++)
        for (int o = 0; o < O; o++)
            out[(size_t)r * O + o] += b[o];
}

void linear_backward(float *din, float *dW, float *db, const float *dout, const float *in,
                     const float *W, int B, int I, int O)
{
    gemm(0, 0, B, I, O, 1.0f, dout, O, W, I, 1.0f, din, I);
    gemm(1, 0, O, I, B, 1.0f, dout, O, in, I, 1.0f, dW, I);
    for (int r = 0; r < B; r++)
        for (int o = 0; o < O; o++)
            db[o] += dout[(size_t)r * O + o];
}

double softmax_xent_forward(float *probs, const float *logits, const int *labels, int B, int K,
                            int *correct)
{
    double loss = 0;
    int right = 0;
    for (int r = 0; r < B; r++) {
        const float *z = logits + (size_t)r * K;
        float *p = probs + (size_t)r * K;
        int best = 0;
        for (int k = 1; k < K; k++)
            if (z[k] > z[best])
                best = k;
        double sum = 0;
        for (int k = 0; k < K; k++)
            sum += exp((double)z[k] - z[best]);
        for (int k = 0; k < K; k++)
            p[k] = (float)(exp((double)z[k] - z[best]) / sum);
        if (labels[r] >= 0) {
            loss += log(sum) - ((double)z[labels[r]] - z[best]);
            right += best == labels[r];
        }
        if (!isfinite(z[best]))
            loss = NAN;
    }
    if (correct)
        *correct = right;
    return loss / B;
}

void softmax_xent_backward(float *dlogits, const float *probs, const int *labels, int B, int K)
{
    for (int r = 0; r < B; r++)
        for (int k = 0; k < K; k++)
            dlogits[(size_t)r * K + k] =
                (probs[(size_t)r * K + k] - (k == labels[r] ? 1.0f : 0.0f)) / (float)B;
}

