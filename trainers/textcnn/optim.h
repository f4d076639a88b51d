/*
 * optim.h — the optimizers, with their papers' defaults, gradient clipping by global norm, and
 * Kim's max-norm constraint.
 *
 * The dense parameters are updated every step. Embedding rows are updated only in the steps
 * whose batch contains their token ("lazy" updates, as PyTorch's SparseAdam), which is what
 * makes a step cost the batch, not the vocabulary; for plain SGD this is exact.
 */
#ifndef TC_OPTIM_H
#define TC_OPTIM_H

#include "model.h"

typedef enum { OPT_SGD, OPT_ADAM, OPT_ADADELTA, OPT_RMSPROP } tc_optim_kind;

typedef struct {
    tc_optim_kind kind;
    float lr, momentum, l2;
    float beta1, beta2, rho, eps;
    long step;
    int dense_emb;  /* every embedding row every step, as torch.optim.Adam (0: lazy rows) */
    float *s1, *s2; /* per-parameter state, [nparams] each: Adam m/v, Adadelta E[g^2]/E[dx^2],
                       RMSprop E[g^2], SGD momentum buffer */
} tc_optim;

/* Parses "sgd", "adam", "adadelta", "rmsprop"; -1 otherwise. */
int optim_parse(const char *name);
const char *optim_name(tc_optim_kind kind);
/* The default learning rate of each: 0.1, 1e-3, 1.0, 1e-3. */
float optim_default_lr(tc_optim_kind kind);

void optim_init(tc_optim *o, tc_optim_kind kind, float lr, float momentum, float l2,
                size_t nparams);
void optim_free(tc_optim *o);

/* The global L2 norm of the gradients of the last backward pass (dense and embedding rows),
 * summed in fixed-size chunks in a fixed order, so it does not depend on the thread count. */
double optim_grad_norm(const tc_model *m);
void optim_scale_grads(tc_model *m, float scale);

/* One step on every dense parameter and the embedding rows of the batch; with o->dense_emb, on
 * every embedding row but TC_PAD (the rows outside the batch with a zero gradient, so their
 * momentum keeps moving them, as in a dense framework). A frozen embedding is never stepped. */
void optim_step(tc_optim *o, tc_model *m);

/* Rescales each class's output weight vector to norm max_norm when it is longer (Kim 2014). */
void optim_max_norm(tc_model *m, float max_norm);

#endif
