/*
 * yaml_writer.c — libyaml's emitter behind small calls (see yaml_writer.h).
 */
#include "util/yaml_writer.h"

#include <stdio.h>
#include <string.h>

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    ld_buf_append(data, (const char *)buffer, size);
    return 1;
}

static void emit(ld_yw *w, yaml_event_t *ev, int ok)
{
    if (w->failed || !ok || !yaml_emitter_emit(&w->emitter, ev))
        w->failed = 1;
}

void ld_yw_begin(ld_yw *w)
{
    memset(w, 0, sizeof *w);
    if (!yaml_emitter_initialize(&w->emitter)) {
        w->failed = 1;
        return;
    }
    w->open = 1;
    yaml_emitter_set_output(&w->emitter, write_handler, &w->out);
    yaml_emitter_set_unicode(&w->emitter, 1);
    yaml_emitter_set_width(&w->emitter, -1); /* descriptions stay on one line */
    yaml_event_t ev;
    emit(w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    emit(w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
}

char *ld_yw_finish(ld_yw *w)
{
    yaml_event_t ev;
    emit(w, &ev, yaml_document_end_event_initialize(&ev, 1));
    emit(w, &ev, yaml_stream_end_event_initialize(&ev));
    if (w->open)
        yaml_emitter_delete(&w->emitter);
    w->open = 0;
    char *text = w->failed ? NULL : ld_buf_take(&w->out);
    ld_buf_free(&w->out);
    return text;
}

static void scalar(ld_yw *w, const char *text, yaml_scalar_style_t style, const char *tag)
{
    yaml_event_t ev;
    int ok = yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)tag, (yaml_char_t *)text,
                                          (int)strlen(text), tag == NULL, tag == NULL, style);
    emit(w, &ev, ok);
}

void ld_yw_key(ld_yw *w, const char *text) { scalar(w, text, YAML_ANY_SCALAR_STYLE, NULL); }
void ld_yw_plain(ld_yw *w, const char *text) { scalar(w, text, YAML_PLAIN_SCALAR_STYLE, NULL); }

void ld_yw_string(ld_yw *w, const char *text)
{
    scalar(w, text, YAML_DOUBLE_QUOTED_SCALAR_STYLE, NULL);
}

void ld_yw_number(ld_yw *w, double v, int integer)
{
    char buf[40];
    if (integer)
        snprintf(buf, sizeof buf, "%.0f", v);
    else {
        ld_format_double(v, buf);
        if (!strpbrk(buf, ".eEn")) /* keep floats floats: 3 -> 3.0 */
            strcat(buf, ".0");
    }
    ld_yw_plain(w, buf);
}

void ld_yw_value(ld_yw *w, const ld_value *v)
{
    switch (v->type) {
    case LD_VAL_INT: ld_yw_number(w, v->num, 1); break;
    case LD_VAL_FLOAT: ld_yw_number(w, v->num, 0); break;
    case LD_VAL_BOOL: ld_yw_plain(w, v->num != 0 ? "true" : "false"); break;
    case LD_VAL_STR: ld_yw_string(w, v->str); break;
    default: ld_yw_plain(w, "null");
    }
}

/* Opens a mapping (mapping 1) or a sequence (0), in flow style {a: 1} / [1, 2] or block style. */
static void collection_start(ld_yw *w, int mapping, int flow)
{
    yaml_event_t ev;
    int ok = mapping ? yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                           flow ? YAML_FLOW_MAPPING_STYLE
                                                                : YAML_BLOCK_MAPPING_STYLE)
                     : yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                            flow ? YAML_FLOW_SEQUENCE_STYLE
                                                                 : YAML_BLOCK_SEQUENCE_STYLE);
    emit(w, &ev, ok);
}

void ld_yw_map_start(ld_yw *w, int flow) { collection_start(w, 1, flow); }
void ld_yw_seq_start(ld_yw *w, int flow) { collection_start(w, 0, flow); }

void ld_yw_map_end(ld_yw *w)
{
    yaml_event_t ev;
    emit(w, &ev, yaml_mapping_end_event_initialize(&ev));
}

void ld_yw_seq_end(ld_yw *w)
{
    yaml_event_t ev;
    emit(w, &ev, yaml_sequence_end_event_initialize(&ev));
}

void ld_yw_kv_string(ld_yw *w, const char *key, const char *v)
{
    if (!v)
        return;
    ld_yw_key(w, key);
    ld_yw_string(w, v);
}

void ld_yw_kv_number(ld_yw *w, const char *key, double v, int integer)
{
    ld_yw_key(w, key);
    ld_yw_number(w, v, integer);
}

void ld_yw_copy(ld_yw *w, yaml_document_t *doc, yaml_node_t *n)
{
    if (!n || w->failed)
        return;
    switch (n->type) {
    case YAML_SCALAR_NODE: {
        const char *tag = (const char *)n->tag;
        int implicit = !tag || !strcmp(tag, YAML_DEFAULT_SCALAR_TAG);
        yaml_event_t ev;
        int ok = yaml_scalar_event_initialize(&ev, NULL, implicit ? NULL : n->tag,
                                              n->data.scalar.value, (int)n->data.scalar.length,
                                              implicit, implicit, n->data.scalar.style);
        emit(w, &ev, ok);
        break;
    }
    case YAML_SEQUENCE_NODE:
        ld_yw_seq_start(w, n->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE);
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
             it++)
            ld_yw_copy(w, doc, yaml_document_get_node(doc, *it));
        ld_yw_seq_end(w);
        break;
    case YAML_MAPPING_NODE:
        ld_yw_map_start(w, n->data.mapping.style == YAML_FLOW_MAPPING_STYLE);
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            ld_yw_copy(w, doc, yaml_document_get_node(doc, p->key));
            ld_yw_copy(w, doc, yaml_document_get_node(doc, p->value));
        }
        ld_yw_map_end(w);
        break;
    default:
        break;
    }
}
