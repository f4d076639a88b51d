/*
 * options.h — every flag of liandan-textcnn, in one table (options.c) that both the parser and
 * --help read, so a hyperparameter is defined, defaulted, range-checked and documented in one
 * place.
 */
#ifndef TC_OPTIONS_H
#define TC_OPTIONS_H

#include <stdio.h>

typedef struct {
    /* data */
    const char *train, *dev, *test;
    int min_count, max_vocab, max_len, strict;
    double dev_fraction;
    /* model */
    const char *model, *windows, *embeddings, *cell, *projection_act;
    int emb; /* 0: not given (300, or the width of --embeddings) */
    int freeze_embeddings, maps, context, context_word;
    double dropout, max_norm;
    /* training */
    const char *optimizer;
    double lr, momentum, l2, clip, decay;
    int decay_every, batch, epochs, patience;
    int oversample, balanced_batches, dense_embedding_updates;
    double train_fraction;
    int classes, seed, threads;
    /* outputs */
    const char *save, *load, *predict, *predictions, *checkpoint;
    int profile, help;
} tc_config;

/* Fills cfg from the defaults and argv; on a bad flag or value prints why and exits 2. */
void options_parse(tc_config *cfg, int argc, char **argv);
void options_help(FILE *out);

#endif
