/*
 * importance.h — first-order, variance-based parameter importance from a study's trials.
 */
#ifndef LD_IMPORTANCE_H
#define LD_IMPORTANCE_H

#include <stddef.h>

#include "liandan.h"
#include "spec.h"

/*
 * Fills importance[spec->n_params], summing to 1 (all 0 when fewer than 4 complete trials or no
 * parameter explains anything). trials' params must be in spec order.
 */
ld_status ld_importance(const ld_spec *spec, const ld_trial *trials, size_t n,
                        double *importance);

#endif
