/*
 * history.h — a tuner's own copy of its study's trials, kept current by reading only what
 * changed since it last looked (the storage's list_changed), so that a claim and a pruner's
 * verdict cost what changed, not the whole study. Other tuners' writes arrive the same way:
 * every change to a trial but a heartbeat is counted by the journal in commit order.
 *
 * The copy is in the spec's parameter order (ld_trials_align). Heartbeats in it may be old:
 * stale-trial checks read the journal itself.
 */
#ifndef LD_HISTORY_H
#define LD_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "liandan.h"
#include "spec.h"
#include "storage/storage.h"

typedef struct {
    ld_trial *trials; /* trials[i].number == i: a study's numbers run from 0 without gaps */
    size_t n, cap;
    int64_t seen;     /* the study's change count at the last read; -1 before the first */
    int with_metrics; /* the copy keeps metric series (a pruner needs them) */
} ld_history;

/* An empty copy; with_metrics: keep every trial's series too. */
void ld_history_init(ld_history *h, int with_metrics);
/* Brings the copy up to date with the journal: one indexed read of the changed trials. Storage
   status (the message is the storage's), or LD_ERR_NOMEM; on failure the copy is as before. */
ld_status ld_history_update(ld_history *h, const ld_storage_type *type, void *state,
                            int64_t study, const ld_spec *spec);
void ld_history_free(ld_history *h);

#endif
