/*
 * data.h — text in: reading labelled files, the tokenizer, the vocabulary and the label set.
 *
 * Files are TSV (`label<TAB>text`) or fastText (`__label__X text`), detected from the first
 * non-blank line; files given to --predict may also be plain text, one example a line. Malformed
 * lines are reported as path:line with what was expected, then skipped, or rejected under
 * --strict. Everything here is done once, before training; nothing is allocated afterwards.
 */
#ifndef TC_DATA_H
#define TC_DATA_H

#include <stddef.h>

enum { TC_PAD = 0, TC_UNK = 1 }; /* reserved token ids: padding (a zero vector) and unknown */

typedef enum { TC_FORMAT_TSV, TC_FORMAT_FASTTEXT, TC_FORMAT_PLAIN } tc_format;

/* One example as read: its label (NULL when the file is plain text), its text, its line. */
typedef struct {
    char *label;
    char *text;
    int line;
} tc_raw_example;

typedef struct {
    const char *path;
    tc_format format;
    tc_raw_example *ex;
    int n;
    int skipped; /* malformed lines skipped */
} tc_raw_file;

/*
 * Reads path. allow_plain lets a file without labels through (for --predict). strict makes the
 * first malformed line an error (exit 2). The result owns its strings; free with data_raw_free.
 */
void data_raw_read(tc_raw_file *out, const char *path, int allow_plain, int strict);
void data_raw_free(tc_raw_file *raw);

/*
 * The tokenizer: lowercases ASCII, splits on whitespace, makes each punctuation mark a token
 * (an apostrophe or hyphen between two letters or digits stays inside the word: "don't",
 * "well-made"), and makes each CJK ideograph, kana and CJK/fullwidth punctuation mark a token of
 * its own, so Chinese and Japanese text work without a segmenter. Calls emit(token, length, ctx)
 * per token, with token pointing into scratch, which must hold strlen(text) + 1 bytes.
 * Returns the number of tokens.
 */
typedef void (*tc_token_fn)(const char *token, size_t len, void *ctx);
int data_tokenize(const char *text, char *scratch, tc_token_fn emit, void *ctx);

/* A string -> id table (open addressing). Ids are dense, in insertion order. */
typedef struct {
    char **words;
    long *counts;
    int n, cap;
    int *slots; /* -1 empty, else id */
    int nslots;
} tc_strtab;

void strtab_init(tc_strtab *t);
void strtab_free(tc_strtab *t);
int strtab_find(const tc_strtab *t, const char *s, size_t len); /* -1 when absent */
int strtab_add(tc_strtab *t, const char *s, size_t len);        /* id, new or existing */

/*
 * The vocabulary: id 0 <pad>, 1 <unk>, then the training words seen at least min_count times,
 * most frequent first (ties in byte order), at most max_vocab words in all (0: no limit).
 */
void vocab_build(tc_strtab *vocab, const tc_raw_file *train, int min_count, int max_vocab);

/* An encoded data set: token ids per example, label ids, and the raw text for predictions. */
typedef struct {
    int n;
    int *start;   /* [n+1] offsets into ids */
    int *ids;     /* [start[n]] token ids */
    int *label;   /* [n] label id, -1 when unlabelled */
    char **text;  /* [n] borrowed from the raw file */
    int max_len;  /* longest example, in tokens */
} tc_dataset;

/*
 * Encodes raw with the vocabulary and label set, truncating to max_len tokens (0: no limit).
 * A label not in the label set is a malformed line (path:line reported; skipped, or exit 2 under
 * strict). Lines whose text has no token are reported and skipped the same way.
 */
void data_encode(tc_dataset *out, const tc_raw_file *raw, const tc_strtab *vocab,
                 const tc_strtab *labels, int max_len, int strict);
void data_free(tc_dataset *d);

/* Keeps the examples whose index is listed (in that order); the label ids are mapped through
 * remap (NULL: unchanged). */
void data_select(tc_dataset *d, const int *keep, int nkeep, const int *remap);

/* Per-class example counts of d, into counts[nclasses]. */
void data_class_counts(const tc_dataset *d, int nclasses, int *counts);

#endif
