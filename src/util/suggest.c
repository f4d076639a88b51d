/*
 * suggest.c — "did you mean": the closest of a list of names to a mistyped one, for every
 * message that names a key, a method, a parameter, a metric or a study that does not exist.
 */
#include "util/suggest.h"

#include <string.h>

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[65];
    if (la > 64 || lb > 64)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static int is_prefix_pair(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), shorter = la < lb ? la : lb;
    return shorter >= 3 && strncmp(a, b, shorter) == 0;
}

const char *ld_suggest(const char *word, const char *const *cands, size_t n, size_t *dist)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, cands[i]);
        if (d < best_d && d < strlen(word)) {
            best = cands[i];
            best_d = d;
        }
    }
    for (size_t i = 0; !best && i < n; i++)
        if (is_prefix_pair(word, cands[i]))
            best = cands[i];
    if (dist)
        *dist = best_d;
    return best;
}

