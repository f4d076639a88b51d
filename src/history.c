/*
 * history.c — merging a study's changed trials into a tuner's copy of them (see history.h).
 */
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "journal_internal.h"

void ld_history_init(ld_history *h, int with_metrics)
{
    memset(h, 0, sizeof *h);
    h->seen = -1;
    h->with_metrics = with_metrics;
}

void ld_history_free(ld_history *h)
{
    ld_trials_free(h->trials, h->n);
    ld_history_init(h, h->with_metrics);
}

/* Room for trials numbered up to `last`. */
static int reserve(ld_history *h, size_t last)
{
    if (last < h->cap)
        return 1;
    size_t cap = h->cap ? h->cap : 64;
    while (cap <= last)
        cap *= 2;
    ld_trial *grown = realloc(h->trials, cap * sizeof *grown);
    if (!grown)
        return 0;
    h->trials = grown;
    h->cap = cap;
    return 1;
}

ld_status ld_history_update(ld_history *h, const ld_storage_type *type, void *state,
                            int64_t study, const ld_spec *spec)
{
    ld_trial *changed = NULL;
    size_t n = 0;
    int64_t upto = h->seen;
    ld_status st = type->list_changed(state, study, h->seen, h->with_metrics, &changed, &n,
                                      &upto);
    if (st != LD_OK)
        return st;
    /* Every trial is stamped when it is created, so a read past the copy's end starts at its
       end; anything else means the journal was edited under us: read it all again. */
    int contiguous = 1;
    size_t end = h->n;
    for (size_t i = 0; i < n && contiguous; i++) {
        size_t number = (size_t)changed[i].number;
        if (changed[i].number < 0 || number > end)
            contiguous = 0;
        else if (number == end)
            end++;
    }
    if (!contiguous && h->seen >= 0) {
        ld_trials_free(changed, n);
        ld_history fresh;
        ld_history_init(&fresh, h->with_metrics);
        st = ld_history_update(&fresh, type, state, study, spec);
        if (st == LD_OK) {
            ld_history_free(h);
            *h = fresh;
        }
        return st;
    }
    if (!contiguous || !reserve(h, end) || ld_trials_align(spec, changed, n) != LD_OK) {
        ld_trials_free(changed, n);
        return contiguous ? LD_ERR_NOMEM : LD_ERR_STORAGE;
    }
    for (size_t i = 0; i < n; i++) {
        size_t number = (size_t)changed[i].number;
        if (number < h->n)
            ld_trial_clear(&h->trials[number]);
        h->trials[number] = changed[i]; /* moved: the copy owns its strings now */
    }
    h->n = end;
    h->seen = upto;
    free(changed);
    return LD_OK;
}
