/*
 * data.h — what the data tools (src/data/) share behind the ld_data_* API: reading examples a
 * line at a time with file:line errors, writing them in either format, outputs that appear only
 * when complete (temp file + rename), a label table, a 64-bit hash set, and the exact-quota
 * selector that makes sampling and splitting stratified and deterministic.
 */
#ifndef LD_DATA_H
#define LD_DATA_H

#include <stdint.h>
#include <stdio.h>

#include "liandan.h"
#include "util/rng.h"

/* Formats err->msg; returns status so callers can `return dt_fail(...)`. */
ld_status dt_fail(ld_data_error *err, ld_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* 64-bit FNV-1a, finished with a mixer: stable across machines and releases. */
uint64_t dt_hash(const char *s, size_t n);

/* ---- reading ---------------------------------------------------------------------------- */

typedef struct {
    FILE *f;
    const char *path;
    ld_data_format format; /* detected from the first non-empty line unless given */
    size_t line;           /* of the example last returned */
    char *buf;
    size_t cap;
    /* the example last returned; label and text are NUL-terminated inside buf */
    char *label, *text;
    size_t label_len, text_len;
} dt_reader;

/* Opens path ("-" is not accepted: the tools read their input twice). */
ld_status dt_open(dt_reader *r, const char *path, ld_data_format format, ld_data_error *err);
/* 1: an example is in r->label / r->text; 0: end of file; -1: a bad line (err says where). */
int dt_next(dt_reader *r, ld_data_error *err);
/* Back to the start for a second pass. */
ld_status dt_rewind(dt_reader *r, ld_data_error *err);
void dt_close(dt_reader *r);

/* ---- writing ---------------------------------------------------------------------------- */

/* An output written to "<path>.tmp-XXXXXX" and renamed to path by dt_out_commit. */
typedef struct {
    FILE *f;
    char *path, *tmp;
    ld_data_format format;
} dt_out;

ld_status dt_out_open(dt_out *o, const char *path, ld_data_format format, ld_data_error *err);
/* Writes one example; 0 on success. */
int dt_out_write(dt_out *o, const char *label, const char *text);
ld_status dt_out_commit(dt_out *o, ld_data_error *err);
/* Removes the temporary file; safe after commit and on a zeroed dt_out. */
void dt_out_abort(dt_out *o);

/* Checks that a label can be written in format: no tab, newline, or (fastText) space. */
const char *dt_label_problem(const char *label, ld_data_format format);

/* mkdir -p */
ld_status dt_mkdirs(const char *dir, ld_data_error *err);
/* "dir/name" in a new string, or NULL. */
char *dt_join(const char *dir, const char *name);

/* ---- a label table: label -> index in first-seen order, with counts ---------------------- */

typedef struct {
    char **labels;   /* [n] */
    size_t *counts;  /* [n] */
    size_t n, cap;
    size_t *slots;   /* [nslots] index + 1, 0 = empty */
    size_t nslots;
} dt_labels;

/* The index of label, added when new (count 0); (size_t)-1 when out of memory. */
size_t dt_labels_add(dt_labels *t, const char *label, size_t len);
/* The index of label or (size_t)-1. */
size_t dt_labels_find(const dt_labels *t, const char *label, size_t len);
void dt_labels_free(dt_labels *t);
/* Fills c from the table (largest first, ties by label); 0 on success. */
int dt_labels_counts(const dt_labels *t, ld_data_counts *c);

/* ---- a set of 64-bit hashes ------------------------------------------------------------- */

typedef struct {
    uint64_t *keys; /* 0 marks empty; a zero key is stored as 1 */
    uint32_t *vals; /* a small value per key (e.g. a label index) */
    size_t n, cap;
} dt_set;

/* Adds key; returns 1 when it was new, 0 when present (then *val holds the stored value),
 * -1 when out of memory. val may be NULL. */
int dt_set_add(dt_set *s, uint64_t key, uint32_t *val);
int dt_set_has(const dt_set *s, uint64_t key);
void dt_set_free(dt_set *s);

/* ---- exact quotas ----------------------------------------------------------------------- */

/*
 * Splits total into parts proportional to weights[n] (largest remainder), each within one of its
 * exact share. With keep_all, parts whose weight is non-zero get at least 1 (taken back from the
 * parts furthest above their share); that needs total >= the number of such parts.
 */
void dt_apportion(const size_t *weights, size_t n, size_t total, int keep_all, size_t *parts);

/*
 * Deals the examples of each group to up to three outputs with exact quotas, in one pass: the
 * next example of group g goes to output k with probability quota_left[g][k] / left[g], which
 * makes every subset of the right size equally likely (sequential sampling).
 */
typedef struct {
    size_t n_groups;
    size_t *left;      /* [n_groups] examples not yet seen */
    size_t (*quota)[3]; /* [n_groups][3] still to deal */
    ld_rng rng;
} dt_dealer;

/* left[g] and quota[g][k] are filled by the caller after dt_dealer_init; 0 on success. */
int dt_dealer_init(dt_dealer *d, size_t n_groups, uint64_t seed);
/* The output (0..2) of the next example of group g, or -1 when it is not dealt. */
int dt_dealer_next(dt_dealer *d, size_t g);
void dt_dealer_free(dt_dealer *d);

/*
 * Per-class quotas for train/dev/test: dev and test apportioned over the classes with shares
 * dev and test of the whole; every class keeps at least one training example.
 */
void dt_split_quotas(const size_t *counts, size_t n, double dev, double test, size_t (*q)[3]);

/* ---- in-memory examples (debian, fetch) -------------------------------------------------- */

typedef struct {
    char *label, *text;
    uint64_t key; /* order or split key */
} dt_example;

typedef struct {
    dt_example *v;
    size_t n, cap;
} dt_examples;

/* Takes copies of label and text; 0 on success. */
int dt_examples_add(dt_examples *e, const char *label, const char *text, uint64_t key);
void dt_examples_free(dt_examples *e);

/*
 * Writes the three splits to dir/{train,dev,test}.tsv: part[i] (0 train, 1 dev, 2 test) says
 * where example i goes. All three files appear together or none does.
 */
ld_status dt_write_splits(const dt_examples *e, const int *part, const char *dir,
                          ld_data_result *res, ld_data_error *err);

/* Deals examples to train/dev/test stratified by label with these shares (seeded). */
int *dt_split_parts(const dt_examples *e, double dev, double test, uint64_t seed);

#endif
