/*
 * metrics.h — the metric-line protocol: a trial reports by printing "key=value" tokens.
 *
 *   epoch=3 train_loss=0.41 train_acc=0.86 val_acc=0.83
 *
 * A line is a metric line when it has at least one token and every whitespace-separated token is
 * key=number. Keys start with a letter or '_' and hold letters, digits, '_', '.', '-' and '/'.
 * Numbers are C/Python float syntax, plus nan, inf, -inf, NaN, Infinity (any case). Anything else
 * on the line makes it an ordinary log line, so prose that happens to contain "a=b" is not parsed.
 */
#ifndef LD_METRICS_H
#define LD_METRICS_H

#include <stddef.h>

#define LD_METRICS_MAX 64
#define LD_METRIC_KEY_MAX 64

typedef struct {
    char key[LD_METRIC_KEY_MAX];
    double value;
} ld_metric_kv;

/*
 * Parses one line (without its newline; a trailing '\r' is ignored). Returns the number of pairs
 * written to out (at most max), or 0 when the line is not a metric line.
 */
size_t ld_metrics_parse_line(const char *line, ld_metric_kv *out, size_t max);

/* Parses one number as the protocol does; returns 0 when text is not a number. */
int ld_metrics_parse_number(const char *text, double *out);

#endif
