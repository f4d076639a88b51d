/*
 * model.h — TextCNN (Kim 2014) and RCNN (Lai et al. 2015) as one parameter block carved into
 * named tensors, the activations for the largest batch carved likewise, and the forward and
 * backward passes of a whole batch. After model_alloc, training allocates nothing.
 *
 *   TextCNN: ids -> embedding X [BT, E] -> conv, all windows [BT, F] -> max over time, bias, ReLU
 *            [B, F] -> dropout -> linear [B, K] -> softmax cross-entropy
 *   RCNN:    ids -> Z [BT, C+E+C] = [left context | embedding | right context] (rnn.h: tanh,
 *            LSTM or GRU cells) -> projection (a width-1 convolution) [BT, F] -> max over
 *            time, bias, ReLU or tanh (Lai's) [B, F] -> dropout -> linear [B, K] -> softmax
 *            cross-entropy
 */
#ifndef TC_MODEL_H
#define TC_MODEL_H

#include "layers.h"
#include "rnn.h"

#include <stddef.h>

#define TC_MAX_WINDOWS 16

typedef enum { MODEL_CNN = 0, MODEL_RCNN = 1 } tc_model_kind;

/* Everything that fixes the parameter block's layout; saved with the model. */
typedef struct {
    int kind;
    int vocab, emb, classes;
    int nwin, windows[TC_MAX_WINDOWS], kmax; /* CNN windows, ascending; RCNN: {1} */
    int maps;                                /* per window (CNN), projection width (RCNN) */
    int context;                             /* RCNN context width per direction */
    int cell;                                /* RCNN context cell (tc_cell) */
    int context_word;                        /* RCNN: contexts include their word (rnn.h) */
    int projection_act;                      /* RCNN: tc_act after pooling (CNN: always ReLU) */
} tc_shape;

/* Named tensors inside one block; the embedding comes first, the "dense" rest after it. */
typedef struct {
    float *emb;                      /* [V, E], row TC_PAD always zero */
    float *conv_w;                   /* [F, kmax*E']: E' = E (CNN) or 2C+E (RCNN) */
    float *conv_b;                   /* [F] */
    float *left_u, *left_s, *left_b; /* RCNN: [GC, C], [GC, E], [rnn_bias_width] (rnn.h) */
    float *right_u, *right_s, *right_b;
    float *out_w; /* [K, F] */
    float *out_b; /* [K] */
} tc_tensors;

typedef struct {
    tc_shape shape;
    float dropout;   /* drop probability while training */
    int freeze_emb;  /* the embedding table gets no gradient and no update (nuniq stays 0) */
    int F;           /* features after pooling */
    int in_width;    /* E' above: row width of the convolution input */
    size_t nparams;  /* all floats in the block */
    size_t ndense;   /* floats after the embedding */
    float *params;   /* the block */
    tc_tensors p;    /* carved from params */
    float *dense_grad; /* [ndense], the gradients of everything but the embedding */
    tc_tensors g;    /* carved from dense_grad (g.emb is NULL: see demb) */

    /* activations, for at most maxB sentences of at most maxT tokens */
    int maxB, maxT;
    int *ids, *lens, *labels;   /* [B*T], [B], [B] */
    int *offs;                  /* [B+1] first row of each sentence; offs[B] = rows */
    int rows;                   /* rows of the current batch (the BT of the layers) */
    float *feat, *dfeat;        /* [(B*T + kmax) * in_width]: X (CNN) or Z (RCNN) */
    float *conv;                /* [B*T, F] */
    float *left_cache, *right_cache; /* RCNN [B*T, A] (rnn.h) */
    tc_rnn_scratch rnn_scratch;      /* RCNN, shared by both directions */
    float *pooled, *dpooled, *gscratch; /* [B, F] */
    int *argmax;                /* [B, F] */
    float *dropped, *ddropped, *mask;   /* [B, F] */
    float *logits, *dlogits, *probs;    /* [B, K] */
    /* the embedding gradient, one row per distinct token of the batch */
    int *uniq, *ustart, *upos, *mark; /* [B*T], [B*T+1], [B*T], [V] */
    int nuniq;
    float *demb;                /* [B*T, E] */
} tc_model;

/* Lays out the block for shape and allocates it (zeroed), the gradients and the activations. */
void model_alloc(tc_model *m, const tc_shape *shape, int maxB, int maxT);
void model_free(tc_model *m);

/* Kim's U(-0.25, 0.25) embeddings; U(-1/sqrt(fan_in), +) for the rest, as PyTorch's default. */
void model_init(tc_model *m, tc_rng *rng);

/*
 * Lays out a batch of B sentences of lens[b] tokens: TextCNN packs them (offs[b+1] = offs[b] +
 * max(len, kmax)), RCNN pads them to T = max(longest, kmax) each. Sets m->offs and m->rows and
 * returns T; the caller then writes sentence b's ids at m->ids + m->offs[b] (TC_PAD after it).
 */
int model_layout_batch(tc_model *m, int B);

/*
 * The forward pass of the batch already in m->ids (laid out by model_layout_batch), m->lens and
 * m->labels. train: dropout on. Returns the mean loss over the B rows (an unlabelled row, label
 * -1, adds no loss and counts as wrong); m->probs holds the class probabilities.
 */
double model_forward(tc_model *m, int B, int T, int train, tc_rng *rng, int *correct);

/* The backward pass of the last forward: dense_grad and demb/uniq/nuniq are overwritten (with
 * freeze_emb, nuniq is 0 and no gradient reaches the embedding). */
void model_backward(tc_model *m, int B, int T);

/* The batch length T for sentences of these lengths: max(longest, kmax). */
int model_batch_len(const tc_model *m, const int *lens, int B);

#endif
