/*
 * tpe.h — the TPE proposal step (tpe.c), private to src/samplers/ so that bayes.c can fall back
 * to it past the GP's range without going through a second sampler instance.
 */
#ifndef LD_SAMPLERS_TPE_H
#define LD_SAMPLERS_TPE_H

#include <stdint.h>

#include "samplers/observe.h"
#include "spec.h"

typedef struct {
    double gamma;      /* fraction of the trials in the "below" group (capped at 25 trials) */
    int n_candidates;  /* draws from l(x) scored by l(x) / g(x) */
    int constant_liar; /* pending trials join the "above" group */
} ld_tpe_options;

extern const ld_tpe_options ld_tpe_defaults;

/*
 * One TPE proposal for trial `number` from the observations: u[P] (unit coordinates of numeric
 * parameters) and cat[P] (categorical indices), ready for ld_obs_emit. Needs at least one
 * complete or pruned observation. LD_OK or LD_ERR_NOMEM.
 */
ld_status ld_tpe_propose(uint64_t seed, const ld_spec *spec, const ld_obs *obs, int number,
                         const ld_tpe_options *opt, double *u, int *cat);

#endif
