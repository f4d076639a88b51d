/*
 * metrics.c — the metric-line protocol of metrics.h: tells metric lines ("epoch=3 val_acc=0.83")
 * from ordinary log output and extracts their key=number pairs.
 *
 * The parser is strict on purpose: one token that is not key=number makes the whole line a log
 * line, so prose containing "a=b" never turns into a metric. Numbers are checked against the
 * decimal float grammar before strtod sees them, because strtod alone also accepts hex floats,
 * "nan(...)", leading blanks and a trailing suffix. (strtod follows LC_NUMERIC: the tuner keeps
 * the "C" numeric locale.)
 */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_key_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_key_char(char c)
{
    return is_key_start(c) || is_digit(c) || c == '.' || c == '-' || c == '/';
}

static int is_word(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/*
 * The grammar strtod must agree with: [+-] (digits [. digits*] | . digits) [(e|E) [+-] digits].
 * Returns 1 when s[0..n) matches it.
 */
static int is_decimal(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && is_digit(s[i]))
        i++, digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && is_digit(s[i]); i++)
            digits++;
    if (digits == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp_digits = 0;
        while (i < n && is_digit(s[i]))
            i++, exp_digits++;
        if (exp_digits == 0)
            return 0;
    }
    return i == n;
}

/* Parses s[0..n); s[n] must not continue a number (whitespace or NUL), since strtod reads on. */
static int parse_number_n(const char *s, size_t n, double *out)
{
    size_t sign = n > 0 && (s[0] == '+' || s[0] == '-');
    const char *word = s + sign;
    size_t word_len = n - sign;
    if (is_word(word, word_len, "nan")) {
        *out = NAN;
        return 1;
    }
    if (is_word(word, word_len, "inf") || is_word(word, word_len, "infinity")) {
        *out = s[0] == '-' ? -INFINITY : INFINITY;
        return 1;
    }
    if (!is_decimal(s, n))
        return 0;
    char *end;
    double v = strtod(s, &end);
    if (end != s + n)
        return 0;
    *out = v;
    return 1;
}

int ld_metrics_parse_number(const char *text, double *out)
{
    if (!text)
        return 0;
    return parse_number_n(text, strlen(text), out);
}

/* Checks one "key=number" token of length n and fills kv (which may be NULL to only check). */
static int parse_token(const char *tok, size_t n, ld_metric_kv *kv)
{
    size_t key_len = 0;
    while (key_len < n && tok[key_len] != '=')
        key_len++;
    if (key_len == 0 || key_len == n || key_len >= LD_METRIC_KEY_MAX || !is_key_start(tok[0]))
        return 0;
    for (size_t i = 1; i < key_len; i++)
        if (!is_key_char(tok[i]))
            return 0;
    double v;
    if (!parse_number_n(tok + key_len + 1, n - key_len - 1, &v))
        return 0;
    if (kv) {
        memcpy(kv->key, tok, key_len);
        kv->key[key_len] = '\0';
        kv->value = v;
    }
    return 1;
}

size_t ld_metrics_parse_line(const char *line, ld_metric_kv *out, size_t max)
{
    if (!line)
        return 0;
    size_t tokens = 0, written = 0;
    const char *p = line;
    for (;;) {
        while (is_space(*p))
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !is_space(*p))
            p++;
        ld_metric_kv *kv = written < max ? &out[written] : NULL;
        if (!parse_token(start, (size_t)(p - start), kv))
            return 0;
        tokens++;
        written += kv != NULL;
    }
    return tokens ? written : 0;
}
