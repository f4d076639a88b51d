/*
 * bayes.h — the rule by which the bayes sampler (bayes.c) picks its model, exposed so that
 * test_bayes.c can check it.
 */
#ifndef LD_SAMPLERS_BAYES_H
#define LD_SAMPLERS_BAYES_H

#include "samplers/observe.h"
#include "spec.h"

typedef enum { LD_BAYES_SOBOL = 0, LD_BAYES_GP, LD_BAYES_TPE } ld_bayes_choice;

/* Which model proposes trial `number` given the observations (rule in bayes.c). */
ld_bayes_choice ld_bayes_choose(const ld_spec *spec, const ld_obs *obs, int number);

#endif
