/*
 * layers.h — the layers of TextCNN and RCNN, each a <op>_forward / <op>_backward pair (as in
 * llm.c). Layers allocate nothing: every buffer is carved by model.c before training starts.
 * Backward functions ADD into parameter gradients and input gradients (callers zero them).
 *
 * Shapes (row-major), with the letters:
 *   B  sentences in the batch        T  padded length of the batch (row stride per sentence)
 *   E  embedding width (or the row width of the input of a convolution)
 *   F  feature maps of all windows together (nwin * maps); for RCNN, the projection width
 *   K  classes                       C  RCNN context width (each direction)
 *   w  a window width; kmax the widest. Rows of a batch are r = b*T + t.
 * A sentence of len tokens is padded with zero vectors to max(len, kmax) positions, and a
 * window of width w has max(len, kmax) - w + 1 valid positions in it; pooling sees only those.
 * TextCNN packs the sentences of a batch back to back (sentence b starts at row offs[b]), so
 * no product is spent on padding; RCNN steps through time, so it keeps rows b*T + t. RCNN's
 * recurrent context is in rnn.h.
 */
#ifndef TC_LAYERS_H
#define TC_LAYERS_H

#include "util.h"

#include <stddef.h>

typedef enum { ACT_RELU, ACT_TANH } tc_act;

/* X[r, 0:E] (row stride ldx) = emb[ids[r], :]; ids [BT]; emb [V, E] with row TC_PAD all zero. */
void embedding_forward(float *X, int ldx, const int *ids, int BT, const float *emb, int E);

/*
 * Groups the rows of a batch by token so the embedding gradient is summed in a fixed order
 * without a dense [V, E] buffer: uniq[nuniq] lists the distinct non-padding tokens in order of
 * first occurrence, and rows ustart[u]..ustart[u+1] of upos are the rows holding uniq[u], in
 * increasing order. mark [V] must be all -1 on entry and is left so.
 */
int embedding_index(const int *ids, int BT, int *uniq, int *ustart, int *upos, int *mark);

/* demb[u, :] = sum of dX[r, :] over the rows r of token uniq[u] (demb is [nuniq, E]). */
void embedding_backward(float *demb, const float *dX, int ldx, int nuniq, const int *ustart,
                        const int *upos, int E);

/*
 * The convolutions of all windows at once. windows[nwin] ascending, maps per window, F =
 * nwin*maps, W [F, kmax*E] (row f holds window j = f/maps in its first w_j*E entries, the rest
 * zero). X has BT + kmax - 1 rows of E (the extra rows zero), Y [BT, F] gets, for every row r,
 * Y[r, f] = sum_{k<w_j} X[r+k, :] . W[f, k*E:(k+1)*E]. Done as kmax products, one per shift k,
 * over the maps of the windows wider than k (a contiguous run of columns, windows being sorted).
 */
void conv_forward(float *Y, const float *X, const float *W, int BT, int E, const int *windows,
                  int nwin, int maps, int kmax);
/* Dense backward for any dY [BT, F]: dW [F, kmax*E], dX [BT + kmax - 1, E]. */
void conv_backward(float *dW, float *dX, const float *dY, const float *X, const float *W, int BT,
                   int E, const int *windows, int nwin, int maps, int kmax);

/*
 * Max over time, then the bias and the activation (act(max_t y + b) = max_t act(y + b) for a
 * monotone act, so the bias and activation touch B*F values, not B*T*F).
 * P [B, F] = act(max over valid t of Y[offs[b] + t, f] + bias[f]); argmax [B, F] the row it
 * came from. lens [B] are token counts; windows/kmax as for conv (RCNN: windows {1}, kmax 1).
 */
void pool_forward(float *P, int *argmax, const float *Y, const float *bias, const int *lens,
                  const int *offs, int B, const int *windows, int nwin, int maps, int kmax,
                  tc_act act);
/* dY [BT, F] += the gradient of Y (nonzero only at argmax); dbias [F] +=. */
void pool_backward(float *dY, float *dbias, const float *dP, const float *P, const int *argmax,
                   int B, int F, tc_act act);

/*
 * conv_backward(pool_backward(dP)) without the dense dY: only the B*F argmax rows carry a
 * gradient, so each is one contiguous axpy of w*E floats into dW and into dX, T times less work
 * than the dense products. dW and dbias are split by feature and dX by sentence, so every sum
 * runs in the same order whatever the thread count. G [B, F] is scratch. dX NULL: no input
 * gradient (a frozen embedding).
 */
void conv_pool_backward(float *dW, float *dbias, float *dX, float *G, const float *dP,
                        const float *P, const int *argmax, const float *X, const float *W, int B,
                        int E, const int *windows, int nwin, int maps, int kmax, tc_act act);

/* Inverted dropout: mask [n] = 0 or 1/(1-p), drawn from rng; out = in * mask. */
void dropout_forward(float *out, float *mask, const float *in, int n, float p, tc_rng *rng);
void dropout_backward(float *din, const float *dout, const float *mask, int n);

/* out [B, O] = in [B, I] . W[O, I]^T + b[O]. */
void linear_forward(float *out, const float *in, const float *W, const float *b, int B, int I,
                    int O);
void linear_backward(float *din, float *dW, float *db, const float *dout, const float *in,
                     const float *W, int B, int I, int O);

/*
 * probs [B, K] = softmax(logits); returns the mean cross-entropy over the B rows (computed with
 * the max subtracted, so large logits do not overflow) and counts the correct argmaxes.
 */
double softmax_xent_forward(float *probs, const float *logits, const int *labels, int B, int K,
                            int *correct);
/* dlogits = (probs - onehot(labels)) / B: the gradient of the mean. */
void softmax_xent_backward(float *dlogits, const float *probs, const int *labels, int B, int K);

/* y += a * x over n floats (the inner loop of the sparse backward passes). */
void axpy(float *y, float a, const float *x, int n);

#endif
