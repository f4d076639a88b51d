/*
 * embeddings.h — pretrained word vectors in (--embeddings): the text format that word2vec,
 * GloVe and fastText (.vec) write. The file is streamed one line at a time and only the vectors
 * of vocabulary words are kept, written straight into the embedding table, so memory is the
 * vocabulary's rows plus one line however large the file is.
 *
 * Format: an optional header line `N DIM` (word2vec and fastText write one, GloVe does not),
 * then one line per word: the word, then DIM numbers, separated by spaces or tabs (trailing
 * blanks and \r are ignored). Without a header, DIM is the count of numbers on the first line.
 * Every line must have DIM numbers; the numbers are parsed (and must be finite) only on the
 * lines of vocabulary words. With a header, the file must hold exactly N vectors. A word is
 * matched exactly, or failing that with its ASCII letters lowercased (the tokenizer lowercases,
 * word2vec's vectors are cased); an exact match wins, and the first of several lines wins.
 * Anything else is an error naming path:line (and the column, for a bad number), exit 2.
 */
#ifndef TC_EMBEDDINGS_H
#define TC_EMBEDDINGS_H

#include "data.h"

#include <stdio.h>
#include <sys/types.h>

#define TC_EMBEDDINGS_MAX_WIDTH 4096 /* as --emb */

typedef struct {
    const char *path;
    FILE *f;
    char *line;      /* the current line (getline's buffer) */
    size_t cap;
    ssize_t len;     /* its length, -1 at end of file */
    long lineno;     /* 1-based number of the current line */
    int width;       /* DIM */
    long announced;  /* N of the header; -1 without one */
    int have_line;   /* the first vector line is read and not yet consumed */
} tc_embeddings_file;

/* Opens path and reads up to its first vector, which gives the width (ef->width). Exits 2 with
 * path:line when the file cannot be read, is empty, or its header or first line is malformed.
 * The caller closes it with embeddings_close. */
void embeddings_open(tc_embeddings_file *ef, const char *path);

/*
 * Streams the rest of the file, copying the vector of each vocabulary word into emb[id, 0:E]
 * (E must equal ef->width); rows of words the file lacks are left as they are (random init),
 * and rows TC_PAD and TC_UNK are never written. Returns how many of the vocabulary's words
 * (ids 2..vocab->n-1) got a vector. Exits 2 naming path:line on a malformed line.
 */
int embeddings_load(tc_embeddings_file *ef, const tc_strtab *vocab, float *emb, int E);

void embeddings_close(tc_embeddings_file *ef);

#endif
