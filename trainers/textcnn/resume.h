/*
 * resume.h — the training state behind --checkpoint DIR: written after every epoch (to a
 * temporary file, then renamed, so a kill at any moment leaves the previous epoch's state
 * whole), read at start, so a trial stopped by SIGTERM, a preemption or a dead tuner goes on
 * from its last finished epoch and ends as the uninterrupted run would have, bit for bit.
 *
 * DIR/train.state holds what the next epoch depends on: the epoch count, the best epoch's
 * score and parameters, early-stopping and timing counters, the current parameters, the
 * optimizer's learning rate, step and moments, the two random streams (batch order, dropout)
 * and the class sampler's permutations and cursors. It is native-endian (a byte-order check
 * refuses another machine's), ends with an FNV-1a hash of every byte before it, and carries a
 * fingerprint of the run's options: a state from other options is ignored with a warning, and
 * so is a damaged one (training starts over rather than from a wrong state).
 */
#ifndef TC_RESUME_H
#define TC_RESUME_H

#include <stdint.h>

#include "model.h"
#include "optim.h"
#include "train.h"
#include "util.h"

typedef struct {
    int epoch;          /* epochs finished */
    int best_epoch, stale;
    double best_acc, train_secs, train_flops;
} tc_progress;

/* What the state covers; the pointers are the trainer's own, read or filled in place. */
typedef struct {
    tc_progress *progress;
    tc_model *model;
    float *best;        /* [model->nparams] the best epoch's parameters */
    tc_optim *optim;
    tc_sampler *sampler;
    tc_rng *order_rng, *dropout_rng;
} tc_train_state;

/* FNV-1a over the arguments that define the run: all but --checkpoint, --threads (results do
 * not depend on it) and --epochs (a finished run can be resumed to train longer). */
uint64_t resume_fingerprint(int argc, char **argv);

/* Writes DIR/train.state (creating DIR). Exits with a message when the disk refuses. */
void resume_save(const char *dir, uint64_t fingerprint, const tc_train_state *st);

/* Reads DIR/train.state into st when it is there, whole and of this run: 1. 0 otherwise (no
 * file, or one it ignores, saying why on stderr); st is then untouched. */
int resume_load(const char *dir, uint64_t fingerprint, tc_train_state *st);

#endif
