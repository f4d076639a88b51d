/*
 * rnn.c — the RCNN context recurrences and their back-propagation through time (rnn.h).
 *
 * Each step is one product over the B sentences of the batch (rows b*T + t, stride T rows)
 * followed by an elementwise pass; the input side S X of every step is one product per
 * sentence before the loop, and the weight gradients three products per sentence after the
 * backward loop, over its words only (batches are padded to their longest sentence, and the
 * products over the padding would be most of the work). The elementwise
 * passes are split across threads by sentence, each writing only its own rows, so the thread
 * count never changes a result.
 */
#include "rnn.h"
#include "gemm.h"

#include <math.h>
#include <string.h>
#include <strings.h>

static const char *const CELL_NAMES[] = {"rnn", "lstm", "gru"};

int rnn_cell_parse(const char *name)
{
    for (int c = 0; c < (int)(sizeof CELL_NAMES / sizeof *CELL_NAMES); c++)
        if (strcasecmp(name, CELL_NAMES[c]) == 0)
            return c;
    return -1;
}

const char *rnn_cell_name(tc_cell cell) { return CELL_NAMES[cell]; }

int rnn_gates(tc_cell cell) { return cell == CELL_LSTM ? 4 : cell == CELL_GRU ? 3 : 1; }

int rnn_bias_width(tc_cell cell, int C) { return (cell == CELL_GRU ? 4 : rnn_gates(cell)) * C; }

int rnn_cache_width(tc_cell cell, int C) { return (rnn_gates(cell) + (cell != CELL_RNN)) * C; }

/* 1 / (1 + e^-x): for x far below zero e^-x is +inf and the result 0, never NaN. */
static inline float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

/* Whether H[b, t] summarises any word (else it is held at zero). */
static inline int has_context(const tc_recurrence *rc, int b, int t)
{
    if (rc->with_word)
        return t < rc->lens[b];
    return rc->dir > 0 ? t < rc->lens[b] : t < rc->lens[b] - 1;
}

/* Zeroes nx floats at x and ny at y: the two rows of a step held at zero. */
static void zero_rows(float *x, int nx, float *y, int ny)
{
    memset(x, 0, (size_t)nx * sizeof *x);
    memset(y, 0, (size_t)ny * sizeof *y);
}

/* One step of one sentence: row (the cache row of t) holds U h_prev on entry. h_prev and
 * row_prev are NULL at a first step that reads a word (with_word), where the state is zero. */
static void cell_forward(tc_cell cell, int C, float *h, float *row, const float *a,
                         const float *bias, const float *h_prev, const float *row_prev)
{
    switch (cell) {
    case CELL_RNN:
        for (int c = 0; c < C; c++)
            h[c] = row[c] = tanhf(row[c] + a[c] + bias[c]);
        break;
    case CELL_LSTM:
        for (int c = 0; c < C; c++) {
            float i = sigmoid(row[c] + a[c] + bias[c]);
            float f = sigmoid(row[C + c] + a[C + c] + bias[C + c]);
            float g = tanhf(row[2 * C + c] + a[2 * C + c] + bias[2 * C + c]);
            float o = sigmoid(row[3 * C + c] + a[3 * C + c] + bias[3 * C + c]);
            float cell_state = (row_prev ? f * row_prev[4 * C + c] : 0.0f) + i * g;
            row[c] = i, row[C + c] = f, row[2 * C + c] = g, row[3 * C + c] = o;
            row[4 * C + c] = cell_state;
            h[c] = o * tanhf(cell_state);
        }
        break;
    case CELL_GRU:
        for (int c = 0; c < C; c++) {
            float r = sigmoid(row[c] + a[c] + bias[c]);
            float z = sigmoid(row[C + c] + a[C + c] + bias[C + c]);
            float hn = row[2 * C + c] + bias[3 * C + c];
            float n = tanhf(a[2 * C + c] + bias[2 * C + c] + r * hn);
            row[c] = r, row[C + c] = z, row[2 * C + c] = n, row[3 * C + c] = hn;
            h[c] = (1 - z) * n + (h_prev ? z * h_prev[c] : 0.0f);
        }
        break;
    }
}

void rnn_forward(const tc_recurrence *rc, float *H, int ldh, float *cache,
                 const tc_rnn_scratch *scratch, const float *X, int ldx, const float *U,
                 const float *S, const float *bias)
{
    int B = rc->B, T = rc->T, C = rc->C, E = rc->E, dir = rc->dir;
    int GC = rnn_gates(rc->cell) * C, A = rnn_cache_width(rc->cell, C);
    float *input = scratch->input;
    /* only the rows of words: padding is never an input (this is most of a pass's work) */
    for (int b = 0; b < B; b++)
        gemm(0, 1, rc->lens[b], GC, E, 1.0f, X + (size_t)b * T * ldx, ldx, S, E, 0.0f,
             input + (size_t)b * T * GC, GC);
    int first = dir > 0 ? 0 : T - 1, shift = rc->with_word ? 0 : dir;
    if (!rc->with_word) /* Lai: nothing to summarise at the first position */
        for (int b = 0; b < B; b++)
            zero_rows(H + (size_t)(b * T + first) * ldh, C, cache + (size_t)(b * T + first) * A,
                      A);
    for (int n = rc->with_word ? 0 : 1; n < T; n++) {
        int t = dir > 0 ? n : T - 1 - n, prev = t - dir;
        if (n > 0)
            gemm(0, 1, B, GC, C, 1.0f, H + (size_t)prev * ldh, T * ldh, U, C, 0.0f,
                 cache + (size_t)t * A, T * A);
#pragma omp parallel for schedule(static) if (B > 8)
        for (int b = 0; b < B; b++) {
            size_t r = (size_t)b * T + t, q = (size_t)b * T + prev;
            float *row = cache + r * A;
            if (!has_context(rc, b, t)) {
                zero_rows(H + r * ldh, C, row, A);
                continue;
            }
            if (n == 0) /* U h_prev with a zero state */
                memset(row, 0, (size_t)GC * sizeof *row);
            cell_forward(rc->cell, C, H + r * ldh, row, input + (r - shift) * GC, bias,
                         n > 0 ? H + q * ldh : NULL, n > 0 ? cache + q * A : NULL);
        }
    }
}

/*
 * One step of one sentence backwards: dh is the gradient reaching h; writes the gradients of
 * the input side (da) and the recurrent side (du, which is da except for gru's n block), adds
 * what goes to h_prev directly (gru) into dh_prev and sets what goes to c_prev (lstm). The
 * _prev pointers are NULL where the previous state is the zero start state.
 */
static void cell_backward(tc_cell cell, int C, float *da, float *du, const float *dh,
                          const float *row, const float *row_prev, const float *h_prev,
                          float *dh_prev, const float *dcell, float *dcell_prev)
{
    switch (cell) {
    case CELL_RNN:
        for (int c = 0; c < C; c++)
            da[c] = dh[c] * (1 - row[c] * row[c]);
        break;
    case CELL_LSTM:
        for (int c = 0; c < C; c++) {
            float i = row[c], f = row[C + c], g = row[2 * C + c], o = row[3 * C + c];
            float tc = tanhf(row[4 * C + c]);
            float dc = dh[c] * o * (1 - tc * tc) + dcell[c];
            da[c] = dc * g * i * (1 - i);
            da[C + c] = row_prev ? dc * row_prev[4 * C + c] * f * (1 - f) : 0.0f;
            da[2 * C + c] = dc * i * (1 - g * g);
            da[3 * C + c] = dh[c] * tc * o * (1 - o);
            if (dcell_prev)
                dcell_prev[c] = dc * f;
        }
        break;
    case CELL_GRU:
        for (int c = 0; c < C; c++) {
            float r = row[c], z = row[C + c], n = row[2 * C + c], hn = row[3 * C + c];
            float dn = dh[c] * (1 - z) * (1 - n * n);
            float dr = dn * hn * r * (1 - r);
            float dz = dh[c] * ((h_prev ? h_prev[c] : 0.0f) - n) * z * (1 - z);
            da[c] = du[c] = dr;
            da[C + c] = du[C + c] = dz;
            da[2 * C + c] = dn;
            du[2 * C + c] = dn * r;
            if (dh_prev)
                dh_prev[c] += dh[c] * z;
        }
        break;
    }
}

void rnn_backward(const tc_recurrence *rc, float *dX, int ldx, float *dU, float *dS,
                  float *dbias, float *dH, int ldh, const tc_rnn_scratch *scratch,
                  const float *cache, const float *H, const float *X, const float *U,
                  const float *S)
{
    int B = rc->B, T = rc->T, C = rc->C, E = rc->E, dir = rc->dir, BT = B * T;
    int GC = rnn_gates(rc->cell) * C, A = rnn_cache_width(rc->cell, C);
    float *DA = scratch->dinput, *DU = rc->cell == CELL_GRU ? scratch->drecur : DA;
    float *DC = scratch->dcell;
    int first = dir > 0 ? 0 : T - 1, last_step = rc->with_word ? 0 : 1;
    /* rows held at zero get zero gradients; in Lai's form the loop never visits t = first */
    if (!rc->with_word)
        for (int b = 0; b < B; b++)
            zero_rows(DA + (size_t)(b * T + first) * GC, GC, DU + (size_t)(b * T + first) * GC,
                      GC);
    if (rc->cell == CELL_LSTM)
        memset(DC, 0, (size_t)BT * C * sizeof *DC);
    for (int n = T - 1; n >= last_step; n--) {
        int t = dir > 0 ? n : T - 1 - n, prev = t - dir;
#pragma omp parallel for schedule(static) if (B > 8)
        for (int b = 0; b < B; b++) {
            size_t r = (size_t)b * T + t, q = (size_t)b * T + prev;
            if (!has_context(rc, b, t)) {
                zero_rows(DA + r * GC, GC, DU + r * GC, GC);
                continue;
            }
            int has_prev = n > 0;
            cell_backward(rc->cell, C, DA + r * GC, DU + r * GC, dH + r * ldh, cache + r * A,
                          has_prev ? cache + q * A : NULL, has_prev ? H + q * ldh : NULL,
                          has_prev ? dH + q * ldh : NULL, DC + r * C,
                          has_prev ? DC + q * C : NULL);
        }
        if (n > 0)
            gemm(0, 0, B, C, GC, 1.0f, DU + (size_t)t * GC, T * GC, U, C, 1.0f,
                 dH + (size_t)prev * ldh, T * ldh);
    }
    for (int r = 0; r < BT; r++)
        for (int k = 0; k < GC; k++)
            dbias[k] += DA[(size_t)r * GC + k];
    if (rc->cell == CELL_GRU) /* b_hn sits on the recurrent side of n */
        for (int r = 0; r < BT; r++)
            for (int c = 0; c < C; c++)
                dbias[3 * C + c] += DU[(size_t)r * GC + 2 * C + c];
    /* Row t of DU pairs with row t - dir of H, and row t of DA with row t - dir of X (Lai) or
     * row t (with_word). Only the steps inside a sentence carry a gradient, so the products
     * run per sentence over those rows and skip the padding; the sentences are summed in
     * order. The len_b - 1 steps with a previous state are the same in both forms. */
    size_t lead = dir > 0 ? 1 : 0, lag = dir > 0 ? 0 : 1;
    size_t in_lead = rc->with_word ? 0 : lead, in_lag = rc->with_word ? 0 : lag;
    for (int b = 0; b < B; b++) {
        int recur_steps = rc->lens[b] - 1, input_steps = recur_steps + rc->with_word;
        size_t row = (size_t)b * T;
        if (recur_steps > 0)
            gemm(1, 0, GC, C, recur_steps, 1.0f, DU + (row + lead) * GC, GC,
                 H + (row + lag) * ldh, ldh, 1.0f, dU, C);
        if (input_steps < 1)
            continue;
        gemm(1, 0, GC, E, input_steps, 1.0f, DA + (row + in_lead) * GC, GC,
             X + (row + in_lag) * ldx, ldx, 1.0f, dS, E);
        gemm(0, 0, input_steps, E, GC, 1.0f, DA + (row + in_lead) * GC, GC, S, E, 1.0f,
             dX + (row + in_lag) * ldx, ldx);
    }
}
