/*
 * yaml_writer.h — writing sweep files with libyaml's emitter, so that every string is quoted as
 * YAML needs and every file read back parses to what was meant. Used by refine.c (a narrowed
 * sweep) and playbook.c (each stage's sweep).
 *
 * Like ld_buf, a failure (of the emitter or of memory) is sticky: later calls do nothing and
 * ld_yw_finish reports it once.
 */
#ifndef LD_YAML_WRITER_H
#define LD_YAML_WRITER_H

#include <yaml.h>

#include "liandan.h"
#include "util/buf.h"

typedef struct ld_yw_s {
    yaml_emitter_t emitter;
    ld_buf out;
    int failed;
    int open;
} ld_yw;

/* Starts a stream with one document (block style, unicode, no line wrapping). */
void ld_yw_begin(ld_yw *w);
/* Ends the document; returns the text (caller frees) or NULL when anything failed. */
char *ld_yw_finish(ld_yw *w);

void ld_yw_key(ld_yw *w, const char *text);
/* A string value, double-quoted so that it never reads back as a number or a bool. */
void ld_yw_string(ld_yw *w, const char *text);
/* integer: written without a fraction; otherwise always with one (3 -> 3.0). */
void ld_yw_number(ld_yw *w, double v, int integer);
void ld_yw_value(ld_yw *w, const ld_value *v);
void ld_yw_plain(ld_yw *w, const char *text);
void ld_yw_map_start(ld_yw *w, int flow);
void ld_yw_map_end(ld_yw *w);
void ld_yw_seq_start(ld_yw *w, int flow);
void ld_yw_seq_end(ld_yw *w);
/* key: value pairs; a NULL string writes nothing. */
void ld_yw_kv_string(ld_yw *w, const char *key, const char *v);
void ld_yw_kv_number(ld_yw *w, const char *key, double v, int integer);
/* Copies a node of a loaded document, with its scalars' styles and tags. */
void ld_yw_copy(ld_yw *w, yaml_document_t *doc, yaml_node_t *node);

#endif
