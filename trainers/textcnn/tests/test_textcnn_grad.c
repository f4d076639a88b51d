/*
 * test_textcnn_grad.c — the layers of liandan-textcnn against calculus and against a naive
 * reference: a central finite difference for every input and parameter gradient of every layer
 * (embedding, convolution, pooling with ReLU and tanh, the fused sparse conv+pool backward,
 * dropout in eval and train mode, linear, softmax cross-entropy, the RCNN recurrences with each
 * cell in both directions and both context forms, and the whole TextCNN and RCNN models, RCNN
 * once per cell and form, with ReLU and tanh), and the OpenBLAS products against plain loops. The recurrence checks
 * also show that a wrong gradient fails. Any mismatch prints what and where, and the program
 * exits non-zero.
 */
#include "test.h"

#include "data.h"
#include "gemm.h"
#include "layers.h"
#include "model.h"
#include "optim.h"
#include "rnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static tc_rng rng;

static void fill(float *x, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = lo + (hi - lo) * tc_rng_float(&rng);
}

static double dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return s;
}

/* Compares analytic[i] with (loss(x[i]+h) - loss(x[i]-h)) / 2h for every i and returns how many
 * entries are off; with a name, prints the first 5 of them. */
typedef double (*loss_fn)(void *ctx);

static int grad_mismatches(const char *what, float *x, size_t n, const float *analytic,
                           loss_fn loss, void *ctx, float h, double *worst)
{
    int bad = 0;
    *worst = 0;
    for (size_t i = 0; i < n; i++) {
        float keep = x[i];
        x[i] = keep + h;
        double up = loss(ctx);
        x[i] = keep - h;
        double down = loss(ctx);
        x[i] = keep;
        double numeric = (up - down) / (2.0 * h), a = analytic[i];
        double err = fabs(a - numeric), tol = 2e-3 + 2e-2 * fmax(fabs(a), fabs(numeric));
        *worst = fmax(*worst, err);
        if (err > tol && bad++ < 5 && what)
            fprintf(stderr, "%s[%zu]: analytic %.6g, numeric %.6g\n", what, i, a, numeric);
    }
    return bad;
}

/* A failed check per gradient with any entry off. */
static void check_grad(const char *what, float *x, size_t n, const float *analytic, loss_fn loss,
                       void *ctx, float h)
{
    double worst;
    int bad = grad_mismatches(what, x, n, analytic, loss, ctx, h, &worst);
    test_checks++;
    if (bad) {
        test_failures++;
        fprintf(stderr, "gradient check FAILED: %s: %d of %zu entries off (worst error %.3g)\n",
                what, bad, n, worst);
    }
}

static void check_close(const char *what, const float *a, const float *b, size_t n, double rel)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double err = fabs((double)a[i] - b[i]) / fmax(1.0, fabs((double)b[i]));
        worst = fmax(worst, err);
    }
    test_checks++;
    if (!(worst <= rel)) {
        test_failures++;
        fprintf(stderr, "%s: differ by %.3g (allowed %.3g)\n", what, worst, rel);
    }
}

/* ---- embedding ----------------------------------------------------------------------------- */

enum { EV = 7, EE = 5, EROWS = 9 };
static int emb_ids[EROWS] = {3, 0, 5, 3, 2, 6, 0, 3, 5};
static float emb_table[EV * EE], emb_out[EROWS * EE], emb_r[EROWS * EE];

static double embedding_loss(void *ctx)
{
    (void)ctx;
    embedding_forward(emb_out, EE, emb_ids, EROWS, emb_table, EE);
    return dot(emb_out, emb_r, EROWS * EE);
}

static void test_embedding(void)
{
    fill(emb_table, EV * EE, -1, 1);
    memset(emb_table, 0, EE * sizeof *emb_table); /* TC_PAD row */
    fill(emb_r, EROWS * EE, -1, 1);
    int uniq[EROWS], ustart[EROWS + 1], upos[EROWS], mark[EV];
    memset(mark, 0xff, sizeof mark);
    int nuniq = embedding_index(emb_ids, EROWS, uniq, ustart, upos, mark);
    CHECK_INT_EQ(nuniq, 4); /* 3, 5, 2, 6: padding excluded, first occurrence order */
    CHECK_INT_EQ(uniq[0], 3);
    CHECK_INT_EQ(uniq[1], 5);
    CHECK_INT_EQ(uniq[3], 6);
    CHECK_INT_EQ(ustart[1] - ustart[0], 3); /* token 3 at rows 0, 3, 7 */
    CHECK_INT_EQ(upos[ustart[0] + 2], 7);
    for (int v = 0; v < EV; v++)
        CHECK_INT_EQ(mark[v], -1);
    float demb[EROWS * EE];
    embedding_backward(demb, emb_r, EE, nuniq, ustart, upos, EE);
    float dense[EV * EE];
    memset(dense, 0, sizeof dense);
    for (int u = 0; u < nuniq; u++)
        memcpy(dense + uniq[u] * EE, demb + u * EE, EE * sizeof *dense);
    check_grad("embedding d/demb", emb_table + EE, (EV - 1) * EE, dense + EE, embedding_loss,
               NULL, 1e-2f);
}

/* ---- convolution and pooling --------------------------------------------------------------- */

enum { CE = 4, CMAPS = 2, CNWIN = 3, CKMAX = 3, CF = CNWIN * CMAPS, CB = 3 };
static const int conv_windows[CNWIN] = {1, 2, 3};
static int conv_lens[CB] = {5, 1, 3}; /* the 1-token sentence is padded to kmax */
static int conv_offs[CB + 1];
static int conv_rows;
static float *cx, *cw, *cy, *cr, *cbias, *cp;
static int *cargmax;
static tc_act pool_act;

static double conv_loss(void *ctx)
{
    (void)ctx;
    conv_forward(cy, cx, cw, conv_rows, CE, conv_windows, CNWIN, CMAPS, CKMAX);
    return dot(cy, cr, (size_t)conv_rows * CF);
}

static double pool_loss(void *ctx)
{
    (void)ctx;
    pool_forward(cp, cargmax, cy, cbias, conv_lens, conv_offs, CB, conv_windows, CNWIN, CMAPS,
                 CKMAX, pool_act);
    return dot(cp, cr, (size_t)CB * CF);
}

static void conv_setup(void)
{
    conv_offs[0] = 0;
    for (int b = 0; b < CB; b++)
        conv_offs[b + 1] = conv_offs[b] + (conv_lens[b] > CKMAX ? conv_lens[b] : CKMAX);
    conv_rows = conv_offs[CB];
    size_t xn = (size_t)(conv_rows + CKMAX - 1) * CE;
    cx = calloc(xn, sizeof *cx);
    cw = calloc((size_t)CF * CKMAX * CE, sizeof *cw);
    cy = calloc((size_t)conv_rows * CF, sizeof *cy);
    cr = calloc((size_t)conv_rows * CF, sizeof *cr);
    cbias = calloc(CF, sizeof *cbias);
    cp = calloc((size_t)CB * CF, sizeof *cp);
    cargmax = calloc((size_t)CB * CF, sizeof *cargmax);
    fill(cx, (size_t)conv_rows * CE, -1, 1);
    for (int f = 0; f < CF; f++) /* only the first w*E entries of a row are weights */
        fill(cw + (size_t)f * CKMAX * CE, (size_t)conv_windows[f / CMAPS] * CE, -1, 1);
    fill(cbias, CF, -0.3f, 0.3f);
}

static void test_conv(void)
{
    conv_setup();
    size_t xn = (size_t)(conv_rows + CKMAX - 1) * CE, wn = (size_t)CF * CKMAX * CE;
    fill(cr, (size_t)conv_rows * CF, -1, 1);
    float *dw = calloc(wn, sizeof *dw), *dx = calloc(xn, sizeof *dx);
    conv_backward(dw, dx, cr, cx, cw, conv_rows, CE, conv_windows, CNWIN, CMAPS, CKMAX);
    check_grad("conv d/dW", cw, wn, dw, conv_loss, NULL, 1e-2f);
    check_grad("conv d/dX", cx, xn, dx, conv_loss, NULL, 1e-2f);
    /* the weights past a window's width never matter */
    for (int f = 0; f < CF; f++)
        for (int i = conv_windows[f / CMAPS] * CE; i < CKMAX * CE; i++)
            CHECK(dw[(size_t)f * CKMAX * CE + i] == 0);
    free(dw);
    free(dx);
}

static void test_pool(tc_act act, const char *name)
{
    pool_act = act;
    fill(cy, (size_t)conv_rows * CF, -1, 1);
    fill(cr, (size_t)CB * CF, -1, 1);
    pool_loss(NULL);
    /* the maximum comes from a valid position of its own sentence */
    for (int b = 0; b < CB; b++)
        for (int f = 0; f < CF; f++) {
            int padded = conv_offs[b + 1] - conv_offs[b];
            int t = cargmax[b * CF + f] - conv_offs[b];
            CHECK(t >= 0 && t <= padded - conv_windows[f / CMAPS]);
        }
    float *dy = calloc((size_t)conv_rows * CF, sizeof *dy), dbias[CF] = {0};
    pool_backward(dy, dbias, cr, cp, cargmax, CB, CF, act);
    char what[64];
    snprintf(what, sizeof what, "pool(%s) d/dY", name);
    check_grad(what, cy, (size_t)conv_rows * CF, dy, pool_loss, NULL, 1e-3f);
    snprintf(what, sizeof what, "pool(%s) d/dbias", name);
    check_grad(what, cbias, CF, dbias, pool_loss, NULL, 1e-3f);
    free(dy);
}

/* The sparse conv+pool backward must equal pool_backward followed by the dense conv_backward. */
static void test_conv_pool_fused(tc_act act)
{
    size_t xn = (size_t)(conv_rows + CKMAX - 1) * CE, wn = (size_t)CF * CKMAX * CE;
    conv_forward(cy, cx, cw, conv_rows, CE, conv_windows, CNWIN, CMAPS, CKMAX);
    pool_forward(cp, cargmax, cy, cbias, conv_lens, conv_offs, CB, conv_windows, CNWIN, CMAPS,
                 CKMAX, act);
    float dp[CB * CF], g[CB * CF], db1[CF] = {0}, db2[CF] = {0};
    fill(dp, CB * CF, -1, 1);
    float *dy = calloc((size_t)conv_rows * CF, sizeof *dy);
    float *dw1 = calloc(wn, sizeof *dw1), *dx1 = calloc(xn, sizeof *dx1);
    float *dw2 = calloc(wn, sizeof *dw2), *dx2 = calloc(xn, sizeof *dx2);
    pool_backward(dy, db1, dp, cp, cargmax, CB, CF, act);
    conv_backward(dw1, dx1, dy, cx, cw, conv_rows, CE, conv_windows, CNWIN, CMAPS, CKMAX);
    conv_pool_backward(dw2, db2, dx2, g, dp, cp, cargmax, cx, cw, CB, CE, conv_windows, CNWIN,
                       CMAPS, CKMAX, act);
    check_close("fused conv+pool dW vs dense", dw2, dw1, wn, 1e-5);
    check_close("fused conv+pool dX vs dense", dx2, dx1, xn, 1e-5);
    check_close("fused conv+pool dbias vs dense", db2, db1, CF, 1e-5);
    free(dy);
    free(dw1);
    free(dx1);
    free(dw2);
    free(dx2);
}

/* ---- dropout, linear, softmax cross-entropy ------------------------------------------------ */

enum { DN = 12 };
static float d_in[DN], d_out[DN], d_mask[DN], d_r[DN];
static float d_p;

static double dropout_loss(void *ctx)
{
    (void)ctx;
    tc_rng fixed;
    tc_rng_seed(&fixed, 99, 0); /* the same mask on every evaluation */
    if (d_p > 0) {
        dropout_forward(d_out, d_mask, d_in, DN, d_p, &fixed);
    } else { /* eval mode, as model_forward does it */
        memcpy(d_out, d_in, sizeof d_out);
        for (int i = 0; i < DN; i++)
            d_mask[i] = 1;
    }
    return dot(d_out, d_r, DN);
}

static void test_dropout(float p)
{
    d_p = p;
    fill(d_in, DN, -1, 1);
    fill(d_r, DN, -1, 1);
    dropout_loss(NULL);
    float din[DN] = {0};
    dropout_backward(din, d_r, d_mask, DN);
    check_grad(p > 0 ? "dropout(train) d/din" : "dropout(eval) d/din", d_in, DN, din,
               dropout_loss, NULL, 1e-2f);
    int zeros = 0;
    for (int i = 0; i < DN; i++) {
        zeros += d_mask[i] == 0;
        CHECK(d_mask[i] == 0 || fabsf(d_mask[i] - 1 / (1 - p)) < 1e-6f);
    }
    if (p == 0)
        CHECK_INT_EQ(zeros, 0);
}

enum { LB = 3, LI = 5, LO = 4 };
static float l_in[LB * LI], l_w[LO * LI], l_b[LO], l_out[LB * LO], l_r[LB * LO];
static int l_labels[LB] = {2, 0, 3};
static float s_logits[LB * LO], s_probs[LB * LO];

static double linear_loss(void *ctx)
{
    (void)ctx;
    linear_forward(l_out, l_in, l_w, l_b, LB, LI, LO);
    return dot(l_out, l_r, LB * LO);
}

static double xent_loss(void *ctx)
{
    (void)ctx;
    return softmax_xent_forward(s_probs, s_logits, l_labels, LB, LO, NULL);
}

static void test_linear_and_xent(void)
{
    fill(l_in, LB * LI, -1, 1);
    fill(l_w, LO * LI, -1, 1);
    fill(l_b, LO, -1, 1);
    fill(l_r, LB * LO, -1, 1);
    float din[LB * LI] = {0}, dw[LO * LI] = {0}, db[LO] = {0};
    linear_backward(din, dw, db, l_r, l_in, l_w, LB, LI, LO);
    check_grad("linear d/din", l_in, LB * LI, din, linear_loss, NULL, 1e-2f);
    check_grad("linear d/dW", l_w, LO * LI, dw, linear_loss, NULL, 1e-2f);
    check_grad("linear d/db", l_b, LO, db, linear_loss, NULL, 1e-2f);

    fill(s_logits, LB * LO, -3, 3);
    int correct;
    double loss = softmax_xent_forward(s_probs, s_logits, l_labels, LB, LO, &correct);
    CHECK(loss > 0 && isfinite(loss));
    for (int r = 0; r < LB; r++) {
        double sum = 0;
        for (int k = 0; k < LO; k++)
            sum += s_probs[r * LO + k];
        CHECK_NEAR(sum, 1.0, 1e-5);
    }
    float dl[LB * LO];
    softmax_xent_backward(dl, s_probs, l_labels, LB, LO);
    check_grad("softmax cross-entropy d/dlogits", s_logits, LB * LO, dl, xent_loss, NULL, 1e-2f);
    /* huge logits stay finite thanks to the max shift */
    float big[2] = {1e30f, 0};
    float pr[2];
    int lab[1] = {1};
    CHECK(isfinite(softmax_xent_forward(pr, big, lab, 1, 2, NULL)));
}

/* ---- the RCNN recurrences ------------------------------------------------------------------ */

/* Three sentences of 4, 1 and 3 tokens: the 1-token one has no context on either side. Row
 * strides wider than the rows, as in the model (H and X are columns of Z there). */
enum { RB = 3, RT = 4, RC = 3, RE = 2, RLDH = RC + 2, RLDX = RE + 1, RBT = RB * RT };
enum { RGC = 4 * RC, RA = 5 * RC, RBIAS = 4 * RC }; /* the largest cell's widths (lstm, gru) */
static int r_lens[RB] = {4, 1, 3};
static float r_x[RBT * RLDX], r_u[RGC * RC], r_s[RGC * RE], r_bias[RBIAS];
static float r_h[RBT * RLDH], r_cache[RBT * RA], r_r[RBT * RLDH];
static float r_input[RBT * RGC], r_dinput[RBT * RGC], r_drecur[RBT * RGC], r_dcell[RBT * RC];
static tc_recurrence r_rc;
static const tc_rnn_scratch r_scratch = {r_input, r_dinput, r_drecur, r_dcell};

static double rnn_loss(void *ctx)
{
    (void)ctx;
    rnn_forward(&r_rc, r_h, RLDH, r_cache, &r_scratch, r_x, RLDX, r_u, r_s, r_bias);
    return dot(r_h, r_r, RBT * RLDH);
}

static void test_rnn(tc_cell cell, int dir, int with_word)
{
    tc_recurrence rc = {cell, dir, with_word, RB, RT, RC, RE, r_lens};
    r_rc = rc;
    int GC = rnn_gates(cell) * RC, A = rnn_cache_width(cell, RC), nbias = rnn_bias_width(cell, RC);
    fill(r_x, sizeof r_x / sizeof *r_x, -1, 1);
    fill(r_u, (size_t)GC * RC, -0.8f, 0.8f);
    fill(r_s, (size_t)GC * RE, -0.8f, 0.8f);
    fill(r_bias, (size_t)nbias, -0.5f, 0.5f);
    fill(r_r, sizeof r_r / sizeof *r_r, -1, 1);
    fill(r_h, sizeof r_h / sizeof *r_h, 7, 8); /* stale values the forward pass must overwrite */
    fill(r_cache, sizeof r_cache / sizeof *r_cache, 7, 8);
    rnn_loss(NULL);
    /* held at zero: t >= len; in Lai's form also left t = 0 and right t = len - 1 */
    for (int b = 0; b < RB; b++)
        for (int t = 0; t < RT; t++) {
            int empty = with_word ? t >= r_lens[b]
                        : dir > 0 ? t == 0 || t >= r_lens[b] : t >= r_lens[b] - 1;
            int zeros = 0;
            for (int c = 0; c < RC; c++)
                zeros += r_h[(b * RT + t) * RLDH + c] == 0;
            for (int k = 0; k < A; k++)
                zeros += r_cache[(b * RT + t) * A + k] == 0;
            if (empty)
                CHECK_INT_EQ(zeros, RC + A);
            else
                CHECK(zeros < RC + A);
        }
    float dh[RBT * RLDH], dx[RBT * RLDX] = {0}, du[RGC * RC] = {0}, ds[RGC * RE] = {0};
    float db[RBIAS] = {0};
    memcpy(dh, r_r, sizeof dh);
    fill(r_dinput, RBT * RGC, 7, 8); /* stale scratch */
    fill(r_drecur, RBT * RGC, 7, 8);
    fill(r_dcell, RBT * RC, 7, 8);
    rnn_backward(&r_rc, dx, RLDX, du, ds, db, dh, RLDH, &r_scratch, r_cache, r_h, r_x, r_u, r_s);
    char what[64];
    const char *side = dir > 0 ? (with_word ? "left+word" : "left")
                               : (with_word ? "right+word" : "right");
    const char *name = rnn_cell_name(cell);
    snprintf(what, sizeof what, "%s(%s) d/dX", name, side);
    check_grad(what, r_x, sizeof r_x / sizeof *r_x, dx, rnn_loss, NULL, 1e-2f);
    snprintf(what, sizeof what, "%s(%s) d/dU", name, side);
    check_grad(what, r_u, (size_t)GC * RC, du, rnn_loss, NULL, 1e-2f);
    snprintf(what, sizeof what, "%s(%s) d/dS", name, side);
    check_grad(what, r_s, (size_t)GC * RE, ds, rnn_loss, NULL, 1e-2f);
    snprintf(what, sizeof what, "%s(%s) d/dbias", name, side);
    check_grad(what, r_bias, (size_t)nbias, db, rnn_loss, NULL, 1e-2f);
    /* The check itself must catch a wrong backward pass: dU off by 0.02 in every entry, and
     * one bias entry off by 0.05, are reported. */
    for (int i = 0; i < GC * RC; i++)
        du[i] += 0.02f;
    db[nbias - 1] += 0.05f;
    double worst;
    CHECK(grad_mismatches(NULL, r_u, (size_t)GC * RC, du, rnn_loss, NULL, 1e-2f, &worst) > 0);
    CHECK(grad_mismatches(NULL, r_bias, (size_t)nbias, db, rnn_loss, NULL, 1e-2f, &worst) > 0);
}

/* ---- whole models -------------------------------------------------------------------------- */

static tc_model gm;
static const int gm_tokens[3][4] = {{2, 3, 4, 0}, {5, 0, 0, 0}, {6, 2, 7, 8}};
static const int gm_lens[3] = {3, 1, 4};

static void model_load_batch(void)
{
    for (int b = 0; b < 3; b++) {
        gm.lens[b] = gm_lens[b];
        gm.labels[b] = b;
    }
    model_layout_batch(&gm, 3);
    for (int b = 0; b < 3; b++)
        for (int r = gm.offs[b]; r < gm.offs[b + 1]; r++)
            gm.ids[r] = r - gm.offs[b] < gm_lens[b] ? gm_tokens[b][r - gm.offs[b]] : TC_PAD;
}

static double model_loss(void *ctx)
{
    (void)ctx;
    model_load_batch();
    return model_forward(&gm, 3, model_layout_batch(&gm, 3), 0, NULL, NULL);
}

static void test_model(tc_model_kind kind, tc_cell cell, int context_word, tc_act act)
{
    tc_shape s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.vocab = 10;
    s.emb = 4;
    s.classes = 3;
    if (kind == MODEL_CNN) {
        s.nwin = 2;
        s.windows[0] = 1;
        s.windows[1] = 2;
        s.kmax = 2;
        s.maps = 3;
    } else {
        s.nwin = 1;
        s.windows[0] = s.kmax = 1;
        s.maps = 4;
        s.context = 3;
        s.cell = cell;
        s.context_word = context_word;
        s.projection_act = act;
    }
    model_alloc(&gm, &s, 3, 4);
    model_init(&gm, &rng);
    fill(gm.p.emb + s.emb, (size_t)(s.vocab - 1) * s.emb, -1, 1);
    gm.dropout = 0.5f; /* off in eval mode, which the check uses */
    double loss = model_loss(NULL);
    CHECK(isfinite(loss));
    model_backward(&gm, 3, model_layout_batch(&gm, 3));
    char name[32], what[64];
    snprintf(name, sizeof name, "%s", kind == MODEL_CNN ? "TextCNN" : "RCNN");
    if (kind == MODEL_RCNN)
        snprintf(name, sizeof name, "RCNN(%s%s, %s)", rnn_cell_name(cell),
                 context_word ? ", context-word" : "", act == ACT_TANH ? "tanh" : "relu");
    snprintf(what, sizeof what, "%s dense parameters", name);
    float *analytic = malloc(gm.ndense * sizeof *analytic);
    memcpy(analytic, gm.dense_grad, gm.ndense * sizeof *analytic);
    /* a smaller step than the layers': a step of 1e-2 can move a max-over-time argmax */
    check_grad(what, gm.params + (size_t)s.vocab * s.emb, gm.ndense, analytic, model_loss, NULL,
               1e-3f);
    float *emb_grad = calloc((size_t)s.vocab * s.emb, sizeof *emb_grad);
    for (int u = 0; u < gm.nuniq; u++)
        memcpy(emb_grad + (size_t)gm.uniq[u] * s.emb, gm.demb + (size_t)u * s.emb,
               (size_t)s.emb * sizeof *emb_grad);
    CHECK_INT_EQ(gm.nuniq, 7); /* tokens 2..8 */
    snprintf(what, sizeof what, "%s embedding", name);
    check_grad(what, gm.p.emb + s.emb, (size_t)(s.vocab - 1) * s.emb, emb_grad + s.emb,
               model_loss, NULL, 1e-2f);
    free(analytic);
    free(emb_grad);
    model_free(&gm);
}

/* ---- OpenBLAS against the naive reference --------------------------------------------------- */

/*
 * Adam on the embedding rows: lazily, a row moves only in the steps whose batch holds it; with
 * dense_emb (torch.optim.Adam's behaviour), its momentum keeps moving it after its batch, by
 * Adam's own formula with a zero gradient. Rows never seen, and <pad>, never move.
 */
static void test_embedding_updates(int dense)
{
    tc_shape s;
    memset(&s, 0, sizeof s);
    s.vocab = 6;
    s.emb = 2;
    s.classes = 2;
    s.nwin = 1;
    s.windows[0] = s.kmax = 1;
    s.maps = 2;
    tc_model m;
    model_alloc(&m, &s, 1, 1);
    model_init(&m, &rng);
    tc_optim o;
    optim_init(&o, OPT_ADAM, 0.1f, 0, 0, m.nparams);
    o.dense_emb = dense;
    float before[12], after1[12];
    memcpy(before, m.p.emb, sizeof before);
    m.nuniq = 1; /* a batch holding token 3 only, with gradient (0.5, -2) */
    m.uniq[0] = 3;
    m.demb[0] = 0.5f;
    m.demb[1] = -2.0f;
    optim_step(&o, &m);
    memcpy(after1, m.p.emb, sizeof after1);
    m.nuniq = 0; /* a batch without it */
    optim_step(&o, &m);
    for (int i = 0; i < 2; i++) {
        double g = m.demb[i], m2 = 0.9 * 0.1 * g, v2 = 0.999 * 0.001 * g * g;
        double moved = 0.1 / (1 - 0.81) * m2 / (sqrt(v2) / sqrt(1 - 0.999 * 0.999) + 1e-8);
        CHECK(after1[3 * 2 + i] != before[3 * 2 + i]);
        CHECK_NEAR(m.p.emb[3 * 2 + i], after1[3 * 2 + i] - (dense ? moved : 0), 1e-5);
    }
    for (int v = 0; v < 6; v++)
        for (int i = 0; v != 3 && i < 2; i++)
            CHECK(m.p.emb[v * 2 + i] == before[v * 2 + i]);
    CHECK(m.p.emb[0] == 0 && m.p.emb[1] == 0);
    /* mark[] is left all -1, as the next batch's embedding_index needs */
    for (int v = 0; v < 6; v++)
        CHECK_INT_EQ(m.mark[v], -1);
    optim_free(&o);
    model_free(&m);
}

static void test_gemm_vs_reference(void)
{
    int sizes[][3] = {{1, 1, 1}, {7, 5, 3}, {33, 17, 65}, {128, 96, 300}, {257, 3, 31}};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                int M = sizes[s][0], N = sizes[s][1], K = sizes[s][2];
                int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2;
                float *A = malloc((size_t)(ta ? K : M) * lda * sizeof *A);
                float *B = malloc((size_t)(tb ? N : K) * ldb * sizeof *B);
                float *C1 = malloc((size_t)M * ldc * sizeof *C1);
                float *C2 = malloc((size_t)M * ldc * sizeof *C2);
                fill(A, (size_t)(ta ? K : M) * lda, -1, 1);
                fill(B, (size_t)(tb ? N : K) * ldb, -1, 1);
                fill(C1, (size_t)M * ldc, -1, 1);
                memcpy(C2, C1, (size_t)M * ldc * sizeof *C2);
                gemm_reference = 0;
                gemm(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, 0.75f, C1, ldc);
                gemm_reference = 1;
                gemm(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, 0.75f, C2, ldc);
                gemm_reference = 0;
                char what[96];
                snprintf(what, sizeof what, "gemm %dx%dx%d trans %d%d vs reference", M, N, K,
                         ta, tb);
                check_close(what, C1, C2, (size_t)M * ldc, 1e-4);
                free(A);
                free(B);
                free(C1);
                free(C2);
            }
}

/* A realistic convolution and RCNN step through BLAS and through the reference loops. */
static void test_layers_vs_reference(void)
{
    enum { ROWS = 240, E = 48, MAPS = 16, NW = 3, K = 5 };
    int windows[NW] = {3, 4, 5};
    size_t xn = (size_t)(ROWS + K - 1) * E, wn = (size_t)NW * MAPS * K * E, yn = (size_t)ROWS * NW * MAPS;
    float *x = calloc(xn, sizeof *x), *w = calloc(wn, sizeof *w);
    float *y1 = malloc(yn * sizeof *y1), *y2 = malloc(yn * sizeof *y2), *dy = malloc(yn * sizeof *dy);
    float *dw1 = calloc(wn, sizeof *dw1), *dw2 = calloc(wn, sizeof *dw2);
    float *dx1 = calloc(xn, sizeof *dx1), *dx2 = calloc(xn, sizeof *dx2);
    fill(x, (size_t)ROWS * E, -1, 1);
    fill(w, wn, -0.2f, 0.2f);
    fill(dy, yn, -1, 1);
    conv_forward(y1, x, w, ROWS, E, windows, NW, MAPS, K);
    conv_backward(dw1, dx1, dy, x, w, ROWS, E, windows, NW, MAPS, K);
    gemm_reference = 1;
    conv_forward(y2, x, w, ROWS, E, windows, NW, MAPS, K);
    conv_backward(dw2, dx2, dy, x, w, ROWS, E, windows, NW, MAPS, K);
    gemm_reference = 0;
    check_close("conv forward BLAS vs reference", y1, y2, yn, 1e-4);
    check_close("conv backward dW BLAS vs reference", dw1, dw2, wn, 1e-4);
    check_close("conv backward dX BLAS vs reference", dx1, dx2, xn, 1e-4);
    /* and against a direct reading of the definition, for one output */
    double direct = 0;
    int r = 17, f = 2 * MAPS + 5; /* a width-5 map */
    for (int k = 0; k < 5; k++)
        for (int e = 0; e < E; e++)
            direct += (double)x[(r + k) * E + e] * w[(size_t)f * K * E + k * E + e];
    CHECK_NEAR(y1[r * NW * MAPS + f], direct, 1e-4);
    free(x);
    free(w);
    free(y1);
    free(y2);
    free(dy);
    free(dw1);
    free(dw2);
    free(dx1);
    free(dx2);
}

int main(void)
{
    tc_rng_seed(&rng, 12345, 0);
    gemm_init(2);
    RUN(test_embedding);
    RUN(test_conv);
    test_pool(ACT_RELU, "relu");
    test_pool(ACT_TANH, "tanh");
    test_conv_pool_fused(ACT_RELU);
    test_conv_pool_fused(ACT_TANH);
    test_dropout(0);
    test_dropout(0.4f);
    RUN(test_linear_and_xent);
    for (int cell = CELL_RNN; cell <= CELL_GRU; cell++)
        for (int with_word = 0; with_word <= 1; with_word++) {
            test_rnn((tc_cell)cell, +1, with_word);
            test_rnn((tc_cell)cell, -1, with_word);
        }
    test_model(MODEL_CNN, CELL_RNN, 0, ACT_RELU);
    for (int cell = CELL_RNN; cell <= CELL_GRU; cell++)
        for (int context_word = 0; context_word <= 1; context_word++)
            test_model(MODEL_RCNN, (tc_cell)cell, context_word, ACT_RELU);
    test_model(MODEL_RCNN, CELL_RNN, 0, ACT_TANH); /* Lai et al.'s RCNN */
    test_model(MODEL_RCNN, CELL_LSTM, 0, ACT_TANH);
    test_embedding_updates(0);
    test_embedding_updates(1);
    RUN(test_gemm_vs_reference);
    RUN(test_layers_vs_reference);
    free(cx);
    free(cw);
    free(cy);
    free(cr);
    free(cbias);
    free(cp);
    free(cargmax);
    TEST_END();
}
