/*
 * gp.h — the Gaussian-process model behind the gp sampler (gp.c), private to src/samplers/:
 * bayes.c proposes through it, and test_gp.c checks its posterior against a hand computation.
 *
 * The kernel is Matérn-5/2 with one length scale per parameter (ARD):
 *     k(x, x') = sf2 (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r),   r^2 = sum_c s_c(x, x') / ls_l(c)^2
 * over the columns c of the encoding: a numeric column adds (x_c - x'_c)^2, a categorical column
 * adds 1 when the two values differ (one-hot distance / 2, so the kernel stays positive
 * definite), an activity column (0/1: is a conditional parameter active) adds (a - a')^2 with the
 * length scale of its parameter. Observations carry Gaussian noise sn2.
 */
#ifndef LD_SAMPLERS_GP_H
#define LD_SAMPLERS_GP_H

#include <stddef.h>
#include <stdint.h>

#include "liandan.h"
#include "samplers/observe.h"
#include "spec.h"

typedef enum { LD_GP_NUM = 0, LD_GP_CAT, LD_GP_ACT } ld_gp_col;

typedef struct ld_gp ld_gp;

/*
 * A model of n points x[n][nc] (copied) with targets y[n] (copied, used as given: the sampler
 * standardizes them), columns of kinds kind[nc], column c scaled by length scale ls_of[c] < nl.
 * NULL when out of memory. The hyperparameters start at ls = 1, sf2 = 1, sn2 = 1e-6.
 */
ld_gp *ld_gp_new(size_t n, size_t nc, const ld_gp_col *kind, const size_t *ls_of, size_t nl,
                 const double *x, const double *y);
void ld_gp_free(ld_gp *gp);
void ld_gp_set_hyper(ld_gp *gp, const double *ls, double sf2, double sn2);
void ld_gp_get_hyper(const ld_gp *gp, double *ls, double *sf2, double *sn2);
/* Fits the hyperparameters by maximizing the log marginal likelihood plus the log prior (see
   gp.c), then factors. LD_OK, LD_ERR_NOMEM, or LD_ERR_INPUT when no jitter made K positive. */
ld_status ld_gp_fit(ld_gp *gp);
/* The same from one start, (ls[nl], sf2, sn2), in at most max_evals evaluations. */
ld_status ld_gp_fit_from(ld_gp *gp, const double *ls, double sf2, double sn2, int max_evals);
/* Factors K + sn2 I with the current hyperparameters (adding jitter when needed). */
ld_status ld_gp_factor(ld_gp *gp);
/* Log marginal likelihood at the current hyperparameters (after ld_gp_factor). */
double ld_gp_lml(const ld_gp *gp);
/* Posterior mean and variance (of f, without the noise) at m points xq[m][nc]. */
ld_status ld_gp_predict(const ld_gp *gp, const double *xq, size_t m, double *mean, double *var);
/* log E[max(best - f, 0)] for f ~ N(mean, var), accurate far into the tail. */
double ld_gp_log_ei(double mean, double var, double best);

/* One GP proposal for trial `number`: u[P] and cat[P] for ld_obs_emit. Needs two complete or
   pruned observations. memo (may be NULL) caches fits between calls; the answer is the same
   without it. LD_OK, LD_ERR_NOMEM. */
ld_status ld_gp_propose(uint64_t seed, const ld_spec *spec, const ld_obs *obs, int number,
                        ld_fit_memo *memo, double *u, int *cat);

#endif
