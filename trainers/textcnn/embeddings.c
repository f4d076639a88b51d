/*
 * embeddings.c — streaming the word2vec / GloVe / fastText text format into the embedding
 * table (embeddings.h).
 */
#include "embeddings.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int is_sep(char c) { return c == ' ' || c == '\t'; }

/* Reads the next non-blank line into ef->line, without its trailing blanks, \r and \n.
 * Returns 0 at the end of the file. */
static int next_line(tc_embeddings_file *ef)
{
    for (;;) {
        errno = 0;
        ef->len = getline(&ef->line, &ef->cap, ef->f);
        if (ef->len < 0) {
            if (ferror(ef->f))
                tc_die(TC_EXIT_USAGE, "%s:%ld: read failed: %s", ef->path, ef->lineno + 1,
                       strerror(errno));
            return 0;
        }
        ef->lineno++;
        if (strlen(ef->line) != (size_t)ef->len)
            tc_die(TC_EXIT_USAGE, "%s:%ld: a NUL byte; expected text lines `word x1 x2 ...` "
                   "(word2vec's binary format is not read: save the vectors as text)", ef->path,
                   ef->lineno);
        while (ef->len > 0 && (ef->line[ef->len - 1] == '\n' || ef->line[ef->len - 1] == '\r' ||
                               is_sep(ef->line[ef->len - 1])))
            ef->line[--ef->len] = 0;
        if (ef->len > 0)
            return 1;
    }
}

/* The blank-separated fields of s. */
static long count_fields(const char *s)
{
    long n = 0;
    for (int in = 0; *s; s++) {
        int sep = is_sep(*s);
        n += !sep && !in;
        in = !sep;
    }
    return n;
}

/* s is a non-negative decimal integer: its value in *v (saturated at INT64_MAX). */
static int parse_count(const char *s, size_t len, int64_t *v)
{
    if (len == 0)
        return 0;
    *v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        int d = s[i] - '0';
        *v = *v > (INT64_MAX - d) / 10 ? INT64_MAX : *v * 10 + d;
    }
    return 1;
}

/* A header is exactly two whole numbers. Returns 0 when the current line is not one. */
static int read_header(tc_embeddings_file *ef)
{
    const char *s = ef->line;
    size_t n1 = strcspn(s, " \t");
    const char *second = s + n1 + strspn(s + n1, " \t");
    int64_t count, dim;
    if (count_fields(s) != 2 || !parse_count(s, n1, &count) ||
        !parse_count(second, strlen(second), &dim))
        return 0;
    if (count < 1 || count > INT32_MAX)
        tc_die(TC_EXIT_USAGE, "%s:%ld: the header `N DIM` announces %lld vectors; expected "
               "1..%d", ef->path, ef->lineno, (long long)count, INT32_MAX);
    if (dim < 1 || dim > TC_EMBEDDINGS_MAX_WIDTH)
        tc_die(TC_EXIT_USAGE, "%s:%ld: the header `N DIM` announces vectors of %lld numbers; "
               "expected 1..%d", ef->path, ef->lineno, (long long)dim, TC_EMBEDDINGS_MAX_WIDTH);
    ef->announced = (long)count;
    ef->width = (int)dim;
    return 1;
}

/* Checks that the current line is a word and ef->width numbers. */
static void check_shape(const tc_embeddings_file *ef)
{
    long numbers = count_fields(ef->line) - 1;
    if (numbers != ef->width)
        tc_die(TC_EXIT_USAGE, "%s:%ld: expected a word and %d numbers%s, found %ld numbers",
               ef->path, ef->lineno, ef->width,
               ef->announced >= 0 ? " (the header's DIM)" : " (as on the first line)", numbers);
}

void embeddings_open(tc_embeddings_file *ef, const char *path)
{
    memset(ef, 0, sizeof *ef);
    ef->path = path;
    ef->f = tc_fopen(path, "r");
    ef->announced = -1;
    if (!next_line(ef))
        tc_die(TC_EXIT_USAGE, "%s: no vectors; expected lines `word x1 x2 ...`, optionally "
               "after a header `N DIM`", path);
    if (read_header(ef)) {
        if (!next_line(ef))
            tc_die(TC_EXIT_USAGE, "%s: ends after its header; it announced %ld vectors", path,
                   ef->announced);
        check_shape(ef);
    } else {
        long numbers = count_fields(ef->line) - 1;
        if (numbers < 1 || numbers > TC_EMBEDDINGS_MAX_WIDTH)
            tc_die(TC_EXIT_USAGE, "%s:%ld: expected a header `N DIM` or a word and 1..%d "
                   "numbers, found %ld numbers", path, ef->lineno, TC_EMBEDDINGS_MAX_WIDTH,
                   numbers);
        ef->width = (int)numbers;
    }
    ef->have_line = 1;
}

/* Parses the numbers after the word on the current line into out[width]. */
static void parse_vector(const tc_embeddings_file *ef, const char *numbers, float *out)
{
    const char *p = numbers;
    for (int i = 0; i < ef->width; i++) {
        while (is_sep(*p))
            p++;
        char *end;
        errno = 0;
        float v = strtof(p, &end);
        if (end == p || (*end && !is_sep(*end)) || !isfinite(v) || errno == ERANGE)
            tc_die(TC_EXIT_USAGE, "%s:%ld:%ld: expected a finite number, got \"%.*s\"", ef->path,
                   ef->lineno, (long)(p - ef->line) + 1, (int)strcspn(p, " \t"), p);
        out[i] = v;
        p = end;
    }
}

/* A vocabulary row's best match so far. */
enum { NO_MATCH = 0, FOLDED_MATCH, EXACT_MATCH };

int embeddings_load(tc_embeddings_file *ef, const tc_strtab *vocab, float *emb, int E)
{
    if (E != ef->width)
        tc_die(TC_EXIT_USAGE, "%s: vectors of %d numbers, but --emb is %d; drop --emb (the "
               "file then sets it) or make them agree", ef->path, ef->width, E);
    unsigned char *match = tc_calloc((size_t)vocab->n, 1);
    char *folded = NULL;
    size_t folded_cap = 0;
    long vectors = 0;
    int covered = 0;
    while (ef->have_line || next_line(ef)) {
        ef->have_line = 0;
        if (ef->announced >= 0 && vectors == ef->announced)
            tc_die(TC_EXIT_USAGE, "%s:%ld: more vectors than the %ld the header announced",
                   ef->path, ef->lineno, ef->announced);
        vectors++;
        check_shape(ef);
        size_t wlen = strcspn(ef->line, " \t");
        const char *numbers = ef->line + wlen;
        int id = strtab_find(vocab, ef->line, wlen), kind = EXACT_MATCH;
        if (id < 0) {
            if (wlen + 1 > folded_cap) {
                folded_cap = 2 * wlen + 1;
                folded = tc_realloc(folded, folded_cap);
            }
            int changed = 0;
            for (size_t i = 0; i < wlen; i++) {
                char c = ef->line[i];
                folded[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
                changed |= folded[i] != c;
            }
            id = changed ? strtab_find(vocab, folded, wlen) : -1;
            kind = FOLDED_MATCH;
        }
        if (id <= TC_UNK || match[id] >= kind)
            continue;
        covered += match[id] == NO_MATCH;
        match[id] = (unsigned char)kind;
        parse_vector(ef, numbers, emb + (size_t)id * E);
    }
    if (ef->announced >= 0 && vectors < ef->announced)
        tc_die(TC_EXIT_USAGE, "%s:%ld: the file ends after %ld vectors; the header announced %ld "
               "(truncated?)", ef->path, ef->lineno, vectors, ef->announced);
    free(folded);
    free(match);
    return covered;
}

void embeddings_close(tc_embeddings_file *ef)
{
    if (!ef)
        return;
    if (ef->f)
        fclose(ef->f);
    free(ef->line);
    memset(ef, 0, sizeof *ef);
}
