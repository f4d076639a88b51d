/*
 * pruner.h — the pruner plug-in interface: one question, "should this trial stop now?",
 * answered from the study's stored intermediate values only, so any tuner process (or an
 * ask/tell client) gets the same answer (Optuna keeps ASHA's rungs in storage for this reason).
 *
 * Built-ins are found by the early_terminate type in one table (pruners.c): median, asha,
 * hyperband, threshold, plateau, overfit, curve. Divergence (a NaN or infinite objective, diverged=1) is not a pruner:
 * the core stops such trials always.
 */
#ifndef LD_PRUNER_H
#define LD_PRUNER_H

#include <stddef.h>

#include "liandan.h"
#include "spec.h"

typedef struct ld_pruner_type {
    const char *name;
    int version;
    /* 1 for a rule that stops a run which has stopped learning (plateau, overfit), as a
       trainer's own early-stopping callback does: the trial ends `complete` with its value and
       the rule's reason. 0 for a rule that compares trials: a stopped trial is `pruned`. */
    int ends_training;
    /* Checks the options and makes a state; LD_ERR_INPUT with a message on bad options. */
    ld_status (*create)(const ld_spec *spec, void **state, char *err, size_t errlen);
    void (*destroy)(void *state); /* may be NULL */
    /*
     * history: every trial of the study with its metric series (the asking trial included);
     * trial: the asking trial, whose latest report is the one being judged. Sets *stop, and
     * *reason (caller frees) when it should stop.
     */
    ld_status (*should_prune)(void *state, const ld_spec *spec, const ld_trial *history,
                              size_t n, const ld_trial *trial, int *stop, char **reason);
} ld_pruner_type;

typedef struct {
    const ld_pruner_type *type;
    void *state;
} ld_pruner;

/* The built-in pruners' names (early_terminate types) in the table's order, for the sweep's
   checks and messages: fills names[max], returns how many there are. */
size_t ld_pruner_names(const char **names, size_t max);
/* The pruner the spec asks for; out->type is NULL when it asks for none. */
ld_status ld_pruner_open(const ld_spec *spec, ld_pruner *out, char *err, size_t errlen);
void ld_pruner_close(ld_pruner *p);
/* Convenience: no pruner means never stop. */
ld_status ld_pruner_should_prune(const ld_pruner *p, const ld_spec *spec,
                                 const ld_trial *history, size_t n, const ld_trial *trial,
                                 int *stop, char **reason);

/* ---- helpers shared by the pruners ---- */

/* create for a rule that reads everything from the spec and the history: no state. */
ld_status ld_pruner_create_stateless(const ld_spec *spec, void **state, char *err,
                                     size_t errlen);

/* The trial's series of the objective, or NULL. */
const ld_series *ld_objective(const ld_spec *spec, const ld_trial *t);
/* The trial's objective series when its latest report is at or past n_warmup_steps (a report
   a rule may judge), else NULL. */
const ld_series *ld_judged_objective(const ld_spec *spec, const ld_trial *t);
/* Is a strictly better than b for the study's goal? */
int ld_better(const ld_spec *spec, double a, double b);
/* The value of the first finite report at a step >= step; 0 when the trial has none. */
int ld_value_reaching(const ld_series *s, double step, double *value);
/*
 * The final step of a trial, when it is known: early_terminate.max_iter, else the trial's own
 * length parameter (epochs, num_epochs, max_epochs, n_epochs, or the step key plus "s": steps,
 * iterations, ...), else the last step every complete trial of the study ended at (when at least
 * two did and all agree); 0 when unknown. No pruner judges a report at or past it: stopping a
 * trial there saves nothing and would hide a finished trial.
 */
double ld_final_step(const ld_spec *spec, const ld_trial *trial, const ld_trial *history,
                     size_t n);
/* The largest final step any trial of the sweep can have, from the sweep alone (max_iter, or
   the length parameter's largest value); 0 when unknown. */
double ld_spec_final_step(const ld_spec *spec);
/* printf into a fresh string (for reasons). */
char *ld_reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
