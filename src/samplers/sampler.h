/*
 * sampler.h — the sampler plug-in interface: given the search space and the study's history,
 * propose the next trial's parameters.
 *
 * Shaped like SQLite's VFS: a static const type with a name and function pointers, and an
 * instance holding a pointer to its type and an opaque state. Built-ins are found by name in one
 * table (samplers.c), so a new sampler is one file and one row.
 *
 * Determinism: ask() for trial `number` of a study with seed S must depend only on (S, number,
 * history), never on process-local state such as how many asks this process made. Two tuners on
 * one study then never share a random stream, and a seeded study is reproducible.
 * ask() is called while the caller holds the study's claim lock, so a sampler that picks "the first
 * grid point nobody has" sees every other tuner's claims in history.
 */
#ifndef LD_SAMPLER_H
#define LD_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "liandan.h"
#include "spec.h"

typedef struct ld_sampler_type {
    const char *name;
    int version;
    /* Checks the space suits the sampler (e.g. grid needs discrete parameters) and makes a state.
       On failure writes a message to err and returns LD_ERR_INPUT. */
    ld_status (*create)(const ld_spec *spec, uint64_t seed, void **state, char *err,
                        size_t errlen);
    void (*destroy)(void *state);
    /*
     * Fills values[spec->n_params] for trial `number`. history holds every trial of the study
     * (any state, including queued and running, and superseded ones with requeued_as >= 0), with
     * params in spec order (history[i].params[j] belongs to spec->params[j]). *grid_index is set to
     * the grid point taken, or -1. Returns LD_ERR_DONE when there is nothing left to propose.
     */
    ld_status (*ask)(void *state, const ld_spec *spec, const ld_trial *history, size_t n_history,
                     int number, ld_value *values, int *grid_index);
    /* Optional (may be NULL): a trial finished. */
    void (*tell)(void *state, const ld_spec *spec, const ld_trial *trial);
    /* 1 when ask() never reads history (it depends on the seed and number only): the core then
       claims without listing the study's trials, which keeps claims O(1) as studies grow. */
    int history_free;
    /* 1 for a sampler that enumerates a finite set of points (grid): its budget is their
       number, and a sweep's `order:` applies to it only. */
    int exhaustive;
} ld_sampler_type;

typedef struct {
    const ld_sampler_type *type;
    void *state;
} ld_sampler;

/* The built-in type of that name ("grid", "random", "sobol"), or NULL. */
const ld_sampler_type *ld_sampler_find(const char *name);
/* The built-in types' names in the table's order (for messages): fills names[max], returns
   how many there are. */
size_t ld_sampler_names(const char **names, size_t max);
ld_status ld_sampler_open(const ld_sampler_type *type, const ld_spec *spec, uint64_t seed,
                          ld_sampler *out, char *err, size_t errlen);
void ld_sampler_close(ld_sampler *s);

/* Total number of grid points of the spec (product of grid sizes), 0 if any is continuous,
   SIZE_MAX on overflow. */
size_t ld_grid_total(const ld_spec *spec);

#endif
