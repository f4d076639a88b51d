/*
 * util.h — the trainer's small toolbox: check-and-exit wrappers for allocation and files (the
 * trainer is a program, so a failed malloc or fopen ends it with the file, line and a hint), a
 * seeded random generator whose streams are reproducible across machines, and a wall clock.
 */
#ifndef TC_UTIL_H
#define TC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, as liandan's: 0 ok, 1 the run failed (or diverged), 2 bad usage or bad input. */
enum { TC_EXIT_OK = 0, TC_EXIT_FAILED = 1, TC_EXIT_USAGE = 2 };

/* Prints "liandan-textcnn: <message>" on stderr and exits with code. */
void tc_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void tc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *tc_malloc_check(size_t size, const char *file, int line);
void *tc_calloc_check(size_t count, size_t size, const char *file, int line);
void *tc_realloc_check(void *ptr, size_t size, const char *file, int line);
FILE *tc_fopen_check(const char *path, const char *mode, const char *file, int line);
char *tc_strdup_check(const char *s, const char *file, int line);
#define tc_malloc(n) tc_malloc_check((n), __FILE__, __LINE__)
#define tc_calloc(n, s) tc_calloc_check((n), (s), __FILE__, __LINE__)
#define tc_realloc(p, n) tc_realloc_check((p), (n), __FILE__, __LINE__)
#define tc_fopen(p, m) tc_fopen_check((p), (m), __FILE__, __LINE__)
#define tc_strdup(s) tc_strdup_check((s), __FILE__, __LINE__)

/* xoshiro256** seeded through splitmix64: the same seed gives the same stream everywhere. */
typedef struct {
    uint64_t s[4];
} tc_rng;

void tc_rng_seed(tc_rng *rng, uint64_t seed, uint64_t stream);
uint64_t tc_rng_next(tc_rng *rng);
/* Uniform in [0, 1) with 24 random bits (exactly representable as a float). */
float tc_rng_float(tc_rng *rng);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint32_t tc_rng_below(tc_rng *rng, uint32_t n);
/* Fisher-Yates shuffle of n ints. */
void tc_rng_shuffle(tc_rng *rng, int *a, int n);

double tc_now(void);

#endif
