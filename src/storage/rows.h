/*
 * rows.h — what the SQL back-ends share when they turn result rows into records: both read a
 * study's trials, their params and their reports in three queries ordered by trial number, and
 * merge them into ld_trial arrays here, so the merge rules (param order, series grouping, report
 * order) are written once.
 */
#ifndef LD_ROWS_H
#define LD_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "storage/storage.h"

/* Which trials of a study a read takes: numbers lo..hi, or (by_change) those changed after
   change number `since` (list_changed). */
typedef struct {
    int64_t study;
    int lo, hi;
    int by_change;
    int64_t since;
} ld_rows_selection;

/* How a value type is stored: "int", "float", "str", "bool". */
const char *ld_rows_type_name(ld_value_type type);
/* The reverse; LD_VAL_NONE for anything else. */
ld_value_type ld_rows_type_parse(const char *name);
/* Every param of a new trial has a known type, and a name when it has a value. */
int ld_rows_valid_params(const ld_trial_new *t);

/* Room for element n of an array grown by doubling; returns the (moved) array, or NULL when out
   of memory (p is then untouched). */
void *ld_rows_grow(void *p, size_t n, size_t size);

/* The trial numbered `number`, walking *cursor forward: rows and trials are both by number. */
ld_trial *ld_rows_trial(ld_trial *trials, size_t n, size_t *cursor, int number);
/* Appends a param (copied); 0 when out of memory, with the trial left consistent. */
int ld_rows_add_param(ld_trial *t, const char *name, const char *type, double num,
                      const char *str);
/* Appends a report to the series of key (created at its first report); 0 when out of memory. */
int ld_rows_add_point(ld_trial *t, const char *key, double step, double value, double time);

#endif
