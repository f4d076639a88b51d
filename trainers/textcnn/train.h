/*
 * train.h — what happens around the model in training: the seeded reshaping of the data sets
 * (cheap fidelity, a held-out dev split), the order of each epoch (shuffled, oversampled or
 * class-balanced), filling a batch, and evaluation. The epoch-order buffers are sized once, so
 * an epoch allocates nothing.
 */
#ifndef TC_TRAIN_H
#define TC_TRAIN_H

#include "data.h"
#include "model.h"

/* Keeps a stratified sample of d: round(fraction * n_c) examples of each class c (at least one
 * of each class that has any), chosen by rng, in their original order. */
void train_sample_fraction(tc_dataset *d, int nclasses, double fraction, tc_rng *rng);

/* Moves a stratified share of train into dev (which must be empty). */
void train_split_dev(tc_dataset *train, tc_dataset *dev, int nclasses, double fraction,
                     tc_rng *rng);

/* The K classes with the most training examples (ties: lower id), as remap[old] = new id or -1;
 * returns how many kept (min(K, classes present)). names receives the kept ids in new order. */
int train_top_classes(const tc_dataset *train, int nclasses, int K, int *remap, int *kept);

/* Drops the examples whose label maps to -1 and renumbers the rest. */
void train_apply_remap(tc_dataset *d, const int *remap);

typedef struct {
    int nclasses;
    int *members, *mstart; /* example indices grouped by class: [n], [nclasses+1] */
    int *cursor;           /* per-class position in members (balanced batches) */
    int *classes;          /* [nclasses] the class order of a balanced round */
    int *order;            /* the current epoch */
    int capacity;
} tc_sampler;

void sampler_init(tc_sampler *s, const tc_dataset *d, int nclasses, int oversample);
void sampler_free(tc_sampler *s);
/*
 * Writes one epoch's order into s->order and returns its length: every example once, shuffled;
 * with oversample, each class topped up to the largest class's count with repeats (drawn
 * without replacement while they last); with balanced, position i holds a class chosen so that
 * each run of nclasses positions has every class once.
 */
int sampler_epoch(tc_sampler *s, int oversample, int balanced, tc_rng *rng);

/* Copies examples idx[0..B) into m->ids/lens/labels; returns the batch length T. */
int train_fill_batch(tc_model *m, const tc_dataset *d, const int *idx, int B);

/* Forward passes over d in order, batch sentences at a time. Returns the accuracy over the
 * labelled examples; *loss gets the mean loss. pred/conf [d->n] (optional) get the predicted
 * class and its probability. */
double train_evaluate(tc_model *m, const tc_dataset *d, int batch, double *loss, int *pred,
                      float *conf);

#endif
