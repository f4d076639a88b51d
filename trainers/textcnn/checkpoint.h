/*
 * checkpoint.h — the saved model: a versioned binary file with a magic number, holding the
 * shape, the tokenization settings, the vocabulary, the label names and the parameter block,
 * so --load needs nothing else to predict.
 *
 * Format version 2 (all integers little-endian):
 *   "LDTXTCNN"                 8-byte magic
 *   u32 version (2), u32 0x01020304 (byte-order check)
 *   i32 kind, vocab, emb, classes, nwin, windows[nwin], kmax, maps, context, cell,
 *       context_word, projection_act (layers.h tc_act), max_len
 *   vocab x (u32 length, bytes)      the words by id (0 <pad>, 1 <unk>)
 *   classes x (u32 length, bytes)    the label names by id
 *   u64 nparams, nparams x f32       the parameter block, in model.h's carving order
 *   u64 FNV-1a hash of every byte before it
 * Version 1 is version 2 without cell, context_word and projection_act (RCNN's context cell
 * and form, rnn.h, and its pooled activation), which were then always the tanh recurrence in
 * Lai's form and tanh; it is still read. A file that is short, has another magic, another
 * version or a wrong hash is refused with a message naming the file and what is wrong (exit 2).
 */
#ifndef TC_CHECKPOINT_H
#define TC_CHECKPOINT_H

#include "data.h"
#include "model.h"

#define TC_CKPT_VERSION 2

void ckpt_save(const char *path, const tc_model *m, const tc_strtab *vocab,
               const tc_strtab *labels, int max_len);

/* Reads path into shape, vocab, labels (initialized here, caller frees) and a model allocated
 * for maxB sentences of maxT tokens, holding the saved parameters. */
void ckpt_load(const char *path, tc_model *m, tc_strtab *vocab, tc_strtab *labels,
               int *max_len, int maxB, int maxT);

#endif
