/*
 * fidelity.h — successive halving over a budget parameter (BOHB-style cheap fidelities).
 */
#ifndef LD_FIDELITY_H
#define LD_FIDELITY_H

#include <stddef.h>

#include "liandan.h"
#include "spec.h"

/* When a configuration complete at some level deserves the next one, overwrites values[] with
   it (at the next budget) and sets *promoted. history: the study's trials, in spec order. */
ld_status ld_fidelity_promote(const ld_spec *spec, const ld_trial *history, size_t n,
                              ld_value *values, int *promoted);
/* A new configuration starts at the smallest budget. */
void ld_fidelity_start(const ld_spec *spec, ld_value *values);
/* The trials the sampler should model (shallow copies into view[n]): one budget level.
   Returns how many. */
size_t ld_fidelity_model_view(const ld_spec *spec, const ld_trial *history, size_t n,
                              ld_trial *view);

#endif
