/*
 * util.c — check-and-exit wrappers, the seeded random generator and the clock of util.h.
 */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void tc_die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("liandan-textcnn: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

void tc_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("liandan-textcnn: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void *tc_malloc_check(size_t size, const char *file, int line)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        tc_die(TC_EXIT_FAILED, "%s:%d: out of memory allocating %zu bytes (try a smaller --batch, "
               "--max-len or --max-vocab)", file, line, size);
    return p;
}

void *tc_calloc_check(size_t count, size_t size, const char *file, int line)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        tc_die(TC_EXIT_FAILED, "%s:%d: out of memory allocating %zu x %zu bytes (try a smaller "
               "--batch, --max-len or --max-vocab)", file, line, count, size);
    return p;
}

void *tc_realloc_check(void *ptr, size_t size, const char *file, int line)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        tc_die(TC_EXIT_FAILED, "%s:%d: out of memory growing a buffer to %zu bytes", file, line,
               size);
    return p;
}

FILE *tc_fopen_check(const char *path, const char *mode, const char *file, int line)
{
    FILE *f = fopen(path, mode);
    if (!f)
        tc_die(TC_EXIT_USAGE, "%s: cannot open for %s: %s (check the path; opened at %s:%d)",
               path, mode[0] == 'r' ? "reading" : "writing", strerror(errno), file, line);
    return f;
}

char *tc_strdup_check(const char *s, const char *file, int line)
{
    size_t n = strlen(s) + 1;
    char *p = tc_malloc_check(n, file, line);
    memcpy(p, s, n);
    return p;
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void tc_rng_seed(tc_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t tc_rng_next(tc_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

float tc_rng_float(tc_rng *rng) { return (float)(tc_rng_next(rng) >> 40) * (1.0f / 16777216.0f); }

uint32_t tc_rng_below(tc_rng *rng, uint32_t n)
{
    /* Lemire's multiply-shift with rejection of the biased low range. */
    uint64_t m = (uint64_t)(uint32_t)(tc_rng_next(rng) >> 32) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (uint64_t)(uint32_t)(tc_rng_next(rng) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

void tc_rng_shuffle(tc_rng *rng, int *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)tc_rng_below(rng, (uint32_t)i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

double tc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
