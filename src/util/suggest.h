/*
 * suggest.h — "did you mean": the closest of a list of names to a mistyped one.
 */
#ifndef LD_SUGGEST_H
#define LD_SUGGEST_H

#include <stddef.h>

/*
 * The candidate closest to word (edit distance <= 2 and shorter than the word, or else one a
 * prefix of the other), or NULL; *dist gets its distance (3 for a prefix match) when wanted.
 */
const char *ld_suggest(const char *word, const char *const *cands, size_t n, size_t *dist);

#endif
