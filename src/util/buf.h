/*
 * buf.h — a growable byte buffer for building strings, SQL and JSON.
 *
 * An allocation failure sets `failed` and makes every later append a no-op, so callers check once
 * at the end (ld_buf_take returns NULL then) instead of after every append.
 */
#ifndef LD_BUF_H
#define LD_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *data; /* NUL-terminated when len > 0 */
    size_t len, cap;
    int failed;
} ld_buf;

#define LD_BUF_INIT {NULL, 0, 0, 0}

void ld_buf_free(ld_buf *b);
void ld_buf_reset(ld_buf *b);
void ld_buf_append(ld_buf *b, const char *s, size_t n);
void ld_buf_puts(ld_buf *b, const char *s);
void ld_buf_putc(ld_buf *b, char c);
void ld_buf_printf(ld_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ld_buf_vprintf(ld_buf *b, const char *fmt, va_list ap);
/* The contents as a string, "" when empty ("" is a static string only when never allocated). */
const char *ld_buf_str(const ld_buf *b);
/* Hands the string to the caller (free with free()); NULL if an allocation failed. */
char *ld_buf_take(ld_buf *b);

/* JSON pieces: a quoted, escaped string (NULL gives null) and a number (NaN/inf give null). */
void ld_buf_json_string(ld_buf *b, const char *s);
void ld_buf_json_number(ld_buf *b, double v);

/* The shortest decimal form of v that reads back as the same double ("0.001", "1e-05", "3"). */
void ld_format_double(double v, char out[32]);

/* strdup that tolerates NULL. */
char *ld_strdup(const char *s);

#endif
