/*
 * observe.h — the study's history as numbers, for the model-based samplers (tpe.c, gp.c,
 * bayes.c). Private to src/samplers/.
 *
 * Every model works in the unit cube of ld_param_to_unit: a log parameter's coordinate is
 * uniform in log space, an integer's is the centre of its cell, a normal parameter's is its
 * prior quantile. Categorical parameters are kept as the index of their value. A parameter that
 * was inactive in a trial (its `when` condition did not hold: LD_VAL_NONE) is NaN / -1.
 *
 * Which trials count, and as what:
 *   complete, with a value     an observation (NaN values are dropped; an infinite value is a
 *                              divergence: the worst loss, +inf, in either direction)
 *   pruned as diverged         (its reason starts "diverged": a NaN or infinite objective, or
 *                              diverged=1) an observation with the worst loss, +inf, with or
 *                              without a value: the region it tried is to be avoided
 *   pruned, with a value       an observation ranked after every complete one (Optuna's rule:
 *                              a pruned trial's last value is worse evidence than a final one)
 *   queued or running          pending: no value; the samplers lie about it (TPE) or fantasize
 *                              it (GP) so that parallel asks spread out
 *   failed, superseded, or no value: ignored
 * Values are turned into losses: maximized metrics are negated, so lower is always better.
 */
#ifndef LD_SAMPLERS_OBSERVE_H
#define LD_SAMPLERS_OBSERVE_H

#include <stddef.h>
#include <stdint.h>

#include "liandan.h"
#include "samplers/sampler.h"
#include "spec.h"

typedef enum { LD_OBS_COMPLETE = 0, LD_OBS_PRUNED, LD_OBS_PENDING } ld_obs_kind;

/* How a model sees one parameter. */
typedef enum { LD_COL_CONST = 0, LD_COL_NUM, LD_COL_CAT } ld_col_kind;

/*
 * Legend: N observations (complete + pruned + pending, in trial-number order), P parameters of
 * the spec.
 */
typedef struct {
    size_t n, p;
    double *u;         /* [N][P] unit coordinate; NaN when inactive or not numeric */
    int *cat;          /* [N][P] index of the categorical value; -1 when inactive or not a category */
    double *loss;      /* [N] value as a loss (lower is better); NaN for pending */
    ld_obs_kind *kind; /* [N] */
    int *number;       /* [N] trial number */
    size_t n_complete, n_pruned, n_pending;
} ld_obs;

/* What each parameter is to a model; out[P]. Categorical parameters with one value are CONST. */
void ld_obs_columns(const ld_spec *spec, ld_col_kind *out);
/* How many parameters a model searches (the columns that are not CONST). */
size_t ld_obs_dims(const ld_spec *spec);
/* Is parameter j conditional (does it have a `when`)? */
int ld_obs_conditional(const ld_spec *spec, size_t j);

/* Fills *obs from history (owned by obs; free with ld_obs_clear). LD_ERR_NOMEM or LD_OK. */
ld_status ld_obs_build(const ld_spec *spec, const ld_trial *history, size_t n_history,
                       ld_obs *obs);
void ld_obs_clear(ld_obs *obs);

/*
 * Which parameters a proposal makes active: active[P] from the categorical indices cat[P] and
 * numeric values the proposal holds (as ld_values). Mirrors the study's rule (declaration order,
 * a condition on an inactive parameter is false).
 */
void ld_obs_active(const ld_spec *spec, const ld_value *values, int *active);

/* The same from unit coordinates u[P] and category indices cat[P] (-1: inactive), without
   building values. */
void ld_obs_active_unit(const ld_spec *spec, const double *u, const int *cat, int *active);

/* The cell of a discrete numeric parameter around the unit coordinate u, as [*lo, *hi]; for a
   continuous parameter lo == hi == u. */
void ld_obs_cell(const ld_param *p, double u, double *lo, double *hi);

/* Writes values[P] from unit coordinates u[P] and category indices cat[P], then clears the
   values of inactive parameters (type NONE). */
void ld_obs_emit(const ld_spec *spec, const double *u, const int *cat, ld_value *values);

/* Clears (to NONE) the values of the parameters the other values make inactive. */
void ld_obs_mask(const ld_spec *spec, ld_value *values);

/* Number of Sobol points every model-based sampler starts from, for d modelled dimensions. */
size_t ld_obs_n_init(size_t d);

/*
 * Hyperparameters a GP fitted on some data, remembered between asks in one process: a cache
 * keyed by a hash of that data and of how it was fitted, so that it saves time but never changes
 * an answer (gp.c, fit_on_schedule).
 */
#define LD_FIT_MEMO_SLOTS 4
#define LD_FIT_MEMO_MAX_LS 32
typedef struct {
    int used;
    uint64_t key, stamp;
    size_t nl;
    double ls[LD_FIT_MEMO_MAX_LS], sf2, sn2;
} ld_fit_memo_slot;
typedef struct {
    ld_fit_memo_slot slot[LD_FIT_MEMO_SLOTS];
    uint64_t clock;
} ld_fit_memo;

/*
 * What every model-based sampler keeps between asks: the study's seed, a Sobol sampler for the
 * first trials (before there is anything to model), and the GP's fit cache. The same for tpe,
 * gp and bayes.
 */
typedef struct {
    uint64_t seed;
    ld_sampler sobol;
    ld_fit_memo fits;
} ld_model_state;

ld_status ld_model_state_new(const ld_spec *spec, uint64_t seed, void **state, char *err,
                             size_t errlen);

/*
 * How a model-based sampler answers an ask (ld_model_ask): model_ready says whether the model
 * proposes trial `number` from obs (0: a Sobol point, before there is enough to model), and
 * propose writes that proposal as u[P] and cat[P] for ld_obs_emit.
 */
typedef struct {
    int (*model_ready)(const ld_spec *spec, const ld_obs *obs, int number);
    ld_status (*propose)(ld_model_state *s, const ld_spec *spec, const ld_obs *obs, int number,
                         double *u, int *cat);
} ld_model;

/* The ask of tpe, gp and bayes: the history as observations, then a Sobol point or the model's
   proposal, with the parameters its values make inactive cleared. */
ld_status ld_model_ask(const ld_model *model, ld_model_state *s, const ld_spec *spec,
                       const ld_trial *history, size_t n_history, int number, ld_value *values,
                       int *grid_index);
/* Frees a state from ld_model_state_new (NULL does nothing): the samplers' destroy. */
void ld_model_state_free(void *state);

#endif
