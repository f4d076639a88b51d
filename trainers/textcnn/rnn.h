/*
 * rnn.h — the recurrent context of RCNN (Lai et al. 2015), one direction per call, with a choice
 * of cell (--cell): the plain tanh recurrence of the paper, LSTM or GRU (both as PyTorch defines
 * them), and back-propagation through time. Like layers.h, nothing here allocates: the model
 * carves every buffer before training, and backward passes ADD into parameter gradients.
 *
 * Shapes (row-major), letters as in layers.h, plus
 *   G  gates of the cell: 1 (rnn), 4 (lstm: i, f, g, o), 3 (gru: r, z, n); GC = G*C
 *   A  width of a row of the cache: C (rnn), 5C (lstm: i, f, g, o, c), 4C (gru: r, z, n, hn)
 * Rows are r = b*T + t. In Lai's form the left context (dir = +1) at t summarises words
 * 0..t-1 and the right context (dir = -1) words t+1..len_b-1 (cl(w_i) and cr(w_i): neither
 * sees word t):
 *   left:  H[b,0] = 0,        H[b,t] = cell(H[b,t-1], X[b,t-1]) for 0 < t < len_b
 *   right: H[b,len_b-1] = 0,  H[b,t] = cell(H[b,t+1], X[b,t+1]) for t < len_b - 1
 * With with_word they are the outputs of a bidirectional RNN at t, which include word t (the
 * practitioners' TextRCNN): from a zero state,
 *   left:  H[b,t] = cell(H[b,t-1], X[b,t]),  right: H[b,t] = cell(H[b,t+1], X[b,t]), t < len_b
 * Either way H[b,t] = 0 (its cache row too) wherever there is nothing to summarise, so padding
 * never reaches a real position and a prediction never depends on the rest of the batch.
 *
 * The cells, for a = S x + bias (input side) and u = U h_prev (recurrent side), gate blocks of C:
 *   rnn:  h = tanh(a + u)
 *   lstm: i, f, o = sigmoid(a + u) blocks 0, 1, 3; g = tanh(a + u) block 2;
 *         c = f c_prev + i g; h = o tanh(c)
 *   gru:  r, z = sigmoid(a + u) blocks 0, 1; hn = u_2 + bias[3C:4C];
 *         n = tanh(a_2 + r hn); h = (1 - z) n + z h_prev
 * U [GC, C], S [GC, E], bias [GC] (gru: [4C], the last block being PyTorch's b_hn).
 */
#ifndef TC_RNN_H
#define TC_RNN_H

typedef enum { CELL_RNN = 0, CELL_LSTM = 1, CELL_GRU = 2 } tc_cell;

/* The cell named rnn, lstm or gru (any case); -1 for another name. */
int rnn_cell_parse(const char *name);
const char *rnn_cell_name(tc_cell cell);
int rnn_gates(tc_cell cell);                /* G */
int rnn_bias_width(tc_cell cell, int C);    /* floats in bias */
int rnn_cache_width(tc_cell cell, int C);   /* A */

/* What one direction's pass is about: the cell, the direction and the batch's shape. */
typedef struct {
    tc_cell cell;
    int dir;          /* +1 left context, -1 right context */
    int with_word;    /* 1: the context at t includes word t; 0: Lai's neighbours only */
    int B, T, C, E;
    const int *lens;  /* [B] tokens per sentence */
} tc_recurrence;

/* Scratch shared by both directions: input [BT, GC]; dinput, drecur [BT, GC]; dcell [BT, C]. */
typedef struct {
    float *input;  /* forward: S X + bias for every row */
    float *dinput; /* backward: the gradient of a (the input side) per row */
    float *drecur; /* backward: the gradient of u (the recurrent side); gru only, else unused */
    float *dcell;  /* backward: the gradient reaching c from the next step; lstm only */
} tc_rnn_scratch;

/*
 * H rows (stride ldh) get the context; cache [BT, A] keeps what the backward pass needs (gate
 * activations, and c or hn). X rows with stride ldx.
 */
void rnn_forward(const tc_recurrence *rc, float *H, int ldh, float *cache,
                 const tc_rnn_scratch *scratch, const float *X, int ldx, const float *U,
                 const float *S, const float *bias);

/*
 * Gradients of the last rnn_forward with the same H, cache and X. dH (stride ldh) is consumed:
 * the recurrent gradient is added into it. dX (stride ldx), dU, dS, dbias are added to.
 */
void rnn_backward(const tc_recurrence *rc, float *dX, int ldx, float *dU, float *dS,
                  float *dbias, float *dH, int ldh, const tc_rnn_scratch *scratch,
                  const float *cache, const float *H, const float *X, const float *U,
                  const float *S);

#endif
