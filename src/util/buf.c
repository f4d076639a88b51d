/*
 * buf.c — growable string buffer, JSON escaping and round-trip number formatting.
 */
#include "util/buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ld_buf_free(ld_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void ld_buf_reset(ld_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int reserve(ld_buf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void ld_buf_append(ld_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ld_buf_puts(ld_buf *b, const char *s) { ld_buf_append(b, s, strlen(s)); }

void ld_buf_putc(ld_buf *b, char c) { ld_buf_append(b, &c, 1); }

void ld_buf_vprintf(ld_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || !reserve(b, (size_t)n))
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void ld_buf_printf(ld_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ld_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *ld_buf_str(const ld_buf *b) { return b->data ? b->data : ""; }

char *ld_buf_take(ld_buf *b)
{
    if (b->failed) {
        ld_buf_free(b);
        return NULL;
    }
    char *s = b->data ? b->data : ld_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void ld_buf_json_string(ld_buf *b, const char *s)
{
    if (!s) {
        ld_buf_puts(b, "null");
        return;
    }
    ld_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': ld_buf_puts(b, "\\\""); break;
        case '\\': ld_buf_puts(b, "\\\\"); break;
        case '\n': ld_buf_puts(b, "\\n"); break;
        case '\r': ld_buf_puts(b, "\\r"); break;
        case '\t': ld_buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20)
                ld_buf_printf(b, "\\u%04x", *p);
            else
                ld_buf_putc(b, (char)*p);
        }
    }
    ld_buf_putc(b, '"');
}

void ld_buf_json_number(ld_buf *b, double v)
{
    if (!isfinite(v)) {
        ld_buf_puts(b, "null");
        return;
    }
    char tmp[32];
    ld_format_double(v, tmp);
    ld_buf_puts(b, tmp);
}

void ld_format_double(double v, char out[32])
{
    if (isnan(v)) {
        strcpy(out, "nan");
        return;
    }
    if (isinf(v)) {
        strcpy(out, v > 0 ? "inf" : "-inf");
        return;
    }
    /* The fewest significant digits that read back exactly: what Python's repr prints. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

char *ld_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
