/*
 * sobol.c — scrambled Sobol' points: low-discrepancy coverage of the space, so that the first
 * 2^k trials cover each parameter, and pairs of the first ones, far more evenly than random ones.
 *
 * What it promises:
 *   - Trial `number` takes point `number` of the sequence (Gray-code order, point 0 first), so
 *     trials 0 .. 2^k - 1 are a complete (t, k, d)-net whichever tuners claim them, and a seed
 *     reproduces the study. History is not consulted.
 *   - Each varying parameter takes the next dimension in declaration order (constants take none),
 *     dimension 0 being van der Corput. Varying parameters beyond the first LD_SOBOL_MAX_DIMS
 *     get no dimension and are drawn at random from the stream (seed ^ FALLBACK_SALT, number).
 *   - Every dimension is Owen-scrambled (nested uniform scramble) with a key derived from the
 *     study seed: each point is uniform on [0, 1)^d, the net structure is kept, and the origin
 *     point 0 becomes an ordinary random-looking point.
 *
 * Direction numbers: S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
 * two-dimensional projections", SIAM J. Sci. Comput. 30 (2008) 2635-2654, file
 * new-joe-kuo-6.21201 (https://web.maths.unsw.edu.au/~fkuo/sobol/), rows d = 2 .. 128. Checked
 * against two independent copies and, in test_samplers.c, against the values SciPy's
 * qmc.Sobol(scramble=False) documents.
 */
#include "samplers/sobol.h"

#include <stdio.h>
#include <stdlib.h>

#include "samplers/sampler.h"
#include "space.h"
#include "util/rng.h"

#define SOBOL_BITS 32
#define FALLBACK_SALT 0x736f626f6c66616cULL /* "sobolfal" */
#define SCRAMBLE_SALT 0x736f626f6c736372ULL /* "sobolscr" */

/*
 * One row of Joe & Kuo's table: the primitive polynomial
 *     x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1
 * with `poly` holding a_1 .. a_(s-1) as bits, a_1 the most significant, and the initial direction
 * integers m_1 .. m_s (m_k odd and below 2^k).
 */
typedef struct {
    uint16_t degree; /* s */
    uint16_t poly;   /* a */
    uint16_t m[10];  /* [degree] */
} sobol_row;

/* Dimensions 1 .. 127 (0-based); the comment is Joe & Kuo's d, which is 1-based. */
static const sobol_row joe_kuo[LD_SOBOL_MAX_DIMS - 1] = {
    {1, 0, {1}}, /* 2 */
    {2, 1, {1, 3}}, /* 3 */
    {3, 1, {1, 3, 1}}, /* 4 */
    {3, 2, {1, 1, 1}}, /* 5 */
    {4, 1, {1, 1, 3, 3}}, /* 6 */
    {4, 4, {1, 3, 5, 13}}, /* 7 */
    {5, 2, {1, 1, 5, 5, 17}}, /* 8 */
    {5, 4, {1, 1, 5, 5, 5}}, /* 9 */
    {5, 7, {1, 1, 7, 11, 19}}, /* 10 */
    {5, 11, {1, 1, 5, 1, 1}}, /* 11 */
    {5, 13, {1, 1, 1, 3, 11}}, /* 12 */
    {5, 14, {1, 3, 5, 5, 31}}, /* 13 */
    {6, 1, {1, 3, 3, 9, 7, 49}}, /* 14 */
    {6, 13, {1, 1, 1, 15, 21, 21}}, /* 15 */
    {6, 16, {1, 3, 1, 13, 27, 49}}, /* 16 */
    {6, 19, {1, 1, 1, 15, 7, 5}}, /* 17 */
    {6, 22, {1, 3, 1, 15, 13, 25}}, /* 18 */
    {6, 25, {1, 1, 5, 5, 19, 61}}, /* 19 */
    {7, 1, {1, 3, 7, 11, 23, 15, 103}}, /* 20 */
    {7, 4, {1, 3, 7, 13, 13, 15, 69}}, /* 21 */
    {7, 7, {1, 1, 3, 13, 7, 35, 63}}, /* 22 */
    {7, 8, {1, 3, 5, 9, 1, 25, 53}}, /* 23 */
    {7, 14, {1, 3, 1, 13, 9, 35, 107}}, /* 24 */
    {7, 19, {1, 3, 1, 5, 27, 61, 31}}, /* 25 */
    {7, 21, {1, 1, 5, 11, 19, 41, 61}}, /* 26 */
    {7, 28, {1, 3, 5, 3, 3, 13, 69}}, /* 27 */
    {7, 31, {1, 1, 7, 13, 1, 19, 1}}, /* 28 */
    {7, 32, {1, 3, 7, 5, 13, 19, 59}}, /* 29 */
    {7, 37, {1, 1, 3, 9, 25, 29, 41}}, /* 30 */
    {7, 41, {1, 3, 5, 13, 23, 1, 55}}, /* 31 */
    {7, 42, {1, 3, 7, 3, 13, 59, 17}}, /* 32 */
    {7, 50, {1, 3, 1, 3, 5, 53, 69}}, /* 33 */
    {7, 55, {1, 1, 5, 5, 23, 33, 13}}, /* 34 */
    {7, 56, {1, 1, 7, 7, 1, 61, 123}}, /* 35 */
    {7, 59, {1, 1, 7, 9, 13, 61, 49}}, /* 36 */
    {7, 62, {1, 3, 3, 5, 3, 55, 33}}, /* 37 */
    {8, 14, {1, 3, 1, 15, 31, 13, 49, 245}}, /* 38 */
    {8, 21, {1, 3, 5, 15, 31, 59, 63, 97}}, /* 39 */
    {8, 22, {1, 3, 1, 11, 11, 11, 77, 249}}, /* 40 */
    {8, 38, {1, 3, 1, 11, 27, 43, 71, 9}}, /* 41 */
    {8, 47, {1, 1, 7, 15, 21, 11, 81, 45}}, /* 42 */
    {8, 49, {1, 3, 7, 3, 25, 31, 65, 79}}, /* 43 */
    {8, 50, {1, 3, 1, 1, 19, 11, 3, 205}}, /* 44 */
    {8, 52, {1, 1, 5, 9, 19, 21, 29, 157}}, /* 45 */
    {8, 56, {1, 3, 7, 11, 1, 33, 89, 185}}, /* 46 */
    {8, 67, {1, 3, 3, 3, 15, 9, 79, 71}}, /* 47 */
    {8, 70, {1, 3, 7, 11, 15, 39, 119, 27}}, /* 48 */
    {8, 84, {1, 1, 3, 1, 11, 31, 97, 225}}, /* 49 */
    {8, 97, {1, 1, 1, 3, 23, 43, 57, 177}}, /* 50 */
    {8, 103, {1, 3, 7, 7, 17, 17, 37, 71}}, /* 51 */
    {8, 115, {1, 3, 1, 5, 27, 63, 123, 213}}, /* 52 */
    {8, 122, {1, 1, 3, 5, 11, 43, 53, 133}}, /* 53 */
    {9, 8, {1, 3, 5, 5, 29, 17, 47, 173, 479}}, /* 54 */
    {9, 13, {1, 3, 3, 11, 3, 1, 109, 9, 69}}, /* 55 */
    {9, 16, {1, 1, 1, 5, 17, 39, 23, 5, 343}}, /* 56 */
    {9, 22, {1, 3, 1, 5, 25, 15, 31, 103, 499}}, /* 57 */
    {9, 25, {1, 1, 1, 11, 11, 17, 63, 105, 183}}, /* 58 */
    {9, 44, {1, 1, 5, 11, 9, 29, 97, 231, 363}}, /* 59 */
    {9, 47, {1, 1, 5, 15, 19, 45, 41, 7, 383}}, /* 60 */
    {9, 52, {1, 3, 7, 7, 31, 19, 83, 137, 221}}, /* 61 */
    {9, 55, {1, 1, 1, 3, 23, 15, 111, 223, 83}}, /* 62 */
    {9, 59, {1, 1, 5, 13, 31, 15, 55, 25, 161}}, /* 63 */
    {9, 62, {1, 1, 3, 13, 25, 47, 39, 87, 257}}, /* 64 */
    {9, 67, {1, 1, 1, 11, 21, 53, 125, 249, 293}}, /* 65 */
    {9, 74, {1, 1, 7, 11, 11, 7, 57, 79, 323}}, /* 66 */
    {9, 81, {1, 1, 5, 5, 17, 13, 81, 3, 131}}, /* 67 */
    {9, 82, {1, 1, 7, 13, 23, 7, 65, 251, 475}}, /* 68 */
    {9, 87, {1, 3, 5, 1, 9, 43, 3, 149, 11}}, /* 69 */
    {9, 91, {1, 1, 3, 13, 31, 13, 13, 255, 487}}, /* 70 */
    {9, 94, {1, 3, 3, 1, 5, 63, 89, 91, 127}}, /* 71 */
    {9, 103, {1, 1, 3, 3, 1, 19, 123, 127, 237}}, /* 72 */
    {9, 104, {1, 1, 5, 7, 23, 31, 37, 243, 289}}, /* 73 */
    {9, 109, {1, 1, 5, 11, 17, 53, 117, 183, 491}}, /* 74 */
    {9, 122, {1, 1, 1, 5, 1, 13, 13, 209, 345}}, /* 75 */
    {9, 124, {1, 1, 3, 15, 1, 57, 115, 7, 33}}, /* 76 */
    {9, 137, {1, 3, 1, 11, 7, 43, 81, 207, 175}}, /* 77 */
    {9, 138, {1, 3, 1, 1, 15, 27, 63, 255, 49}}, /* 78 */
    {9, 143, {1, 3, 5, 3, 27, 61, 105, 171, 305}}, /* 79 */
    {9, 145, {1, 1, 5, 3, 1, 3, 57, 249, 149}}, /* 80 */
    {9, 152, {1, 1, 3, 5, 5, 57, 15, 13, 159}}, /* 81 */
    {9, 157, {1, 1, 1, 11, 7, 11, 105, 141, 225}}, /* 82 */
    {9, 167, {1, 3, 3, 5, 27, 59, 121, 101, 271}}, /* 83 */
    {9, 173, {1, 3, 5, 9, 11, 49, 51, 59, 115}}, /* 84 */
    {9, 176, {1, 1, 7, 1, 23, 45, 125, 71, 419}}, /* 85 */
    {9, 181, {1, 1, 3, 5, 23, 5, 105, 109, 75}}, /* 86 */
    {9, 182, {1, 1, 7, 15, 7, 11, 67, 121, 453}}, /* 87 */
    {9, 185, {1, 3, 7, 3, 9, 13, 31, 27, 449}}, /* 88 */
    {9, 191, {1, 3, 1, 15, 19, 39, 39, 89, 15}}, /* 89 */
    {9, 194, {1, 1, 1, 1, 1, 33, 73, 145, 379}}, /* 90 */
    {9, 199, {1, 3, 1, 15, 15, 43, 29, 13, 483}}, /* 91 */
    {9, 218, {1, 1, 7, 3, 19, 27, 85, 131, 431}}, /* 92 */
    {9, 220, {1, 3, 3, 3, 5, 35, 23, 195, 349}}, /* 93 */
    {9, 227, {1, 3, 3, 7, 9, 27, 39, 59, 297}}, /* 94 */
    {9, 229, {1, 1, 3, 9, 11, 17, 13, 241, 157}}, /* 95 */
    {9, 230, {1, 3, 7, 15, 25, 57, 33, 189, 213}}, /* 96 */
    {9, 234, {1, 1, 7, 1, 9, 55, 73, 83, 217}}, /* 97 */
    {9, 236, {1, 3, 3, 13, 19, 27, 23, 113, 249}}, /* 98 */
    {9, 241, {1, 3, 5, 3, 23, 43, 3, 253, 479}}, /* 99 */
    {9, 244, {1, 1, 5, 5, 11, 5, 45, 117, 217}}, /* 100 */
    {9, 253, {1, 3, 3, 7, 29, 37, 33, 123, 147}}, /* 101 */
    {10, 4, {1, 3, 1, 15, 5, 5, 37, 227, 223, 459}}, /* 102 */
    {10, 13, {1, 1, 7, 5, 5, 39, 63, 255, 135, 487}}, /* 103 */
    {10, 19, {1, 3, 1, 7, 9, 7, 87, 249, 217, 599}}, /* 104 */
    {10, 22, {1, 1, 3, 13, 9, 47, 7, 225, 363, 247}}, /* 105 */
    {10, 50, {1, 3, 7, 13, 19, 13, 9, 67, 9, 737}}, /* 106 */
    {10, 55, {1, 3, 5, 5, 19, 59, 7, 41, 319, 677}}, /* 107 */
    {10, 64, {1, 1, 5, 3, 31, 63, 15, 43, 207, 789}}, /* 108 */
    {10, 69, {1, 1, 7, 9, 13, 39, 3, 47, 497, 169}}, /* 109 */
    {10, 98, {1, 3, 1, 7, 21, 17, 97, 19, 415, 905}}, /* 110 */
    {10, 107, {1, 3, 7, 1, 3, 31, 71, 111, 165, 127}}, /* 111 */
    {10, 115, {1, 1, 5, 11, 1, 61, 83, 119, 203, 847}}, /* 112 */
    {10, 121, {1, 3, 3, 13, 9, 61, 19, 97, 47, 35}}, /* 113 */
    {10, 127, {1, 1, 7, 7, 15, 29, 63, 95, 417, 469}}, /* 114 */
    {10, 134, {1, 3, 1, 9, 25, 9, 71, 57, 213, 385}}, /* 115 */
    {10, 140, {1, 3, 5, 13, 31, 47, 101, 57, 39, 341}}, /* 116 */
    {10, 145, {1, 1, 3, 3, 31, 57, 125, 173, 365, 551}}, /* 117 */
    {10, 152, {1, 3, 7, 1, 13, 57, 67, 157, 451, 707}}, /* 118 */
    {10, 158, {1, 1, 1, 7, 21, 13, 105, 89, 429, 965}}, /* 119 */
    {10, 161, {1, 1, 5, 9, 17, 51, 45, 119, 157, 141}}, /* 120 */
    {10, 171, {1, 3, 7, 7, 13, 45, 91, 9, 129, 741}}, /* 121 */
    {10, 181, {1, 3, 7, 1, 23, 57, 67, 141, 151, 571}}, /* 122 */
    {10, 194, {1, 1, 3, 11, 17, 47, 93, 107, 375, 157}}, /* 123 */
    {10, 199, {1, 3, 3, 5, 11, 21, 43, 51, 169, 915}}, /* 124 */
    {10, 203, {1, 1, 5, 3, 15, 55, 101, 67, 455, 625}}, /* 125 */
    {10, 208, {1, 3, 5, 9, 1, 23, 29, 47, 345, 595}}, /* 126 */
    {10, 227, {1, 3, 7, 7, 5, 49, 29, 155, 323, 589}}, /* 127 */
    {10, 242, {1, 3, 3, 7, 5, 41, 127, 61, 261, 717}}, /* 128 */
};

int ld_sobol_directions(size_t dim, uint32_t v[SOBOL_BITS])
{
    if (dim >= LD_SOBOL_MAX_DIMS)
        return -1;
    if (dim == 0) {
        for (int k = 0; k < SOBOL_BITS; k++)
            v[k] = (uint32_t)1 << (SOBOL_BITS - 1 - k);
        return 0;
    }
    const sobol_row *r = &joe_kuo[dim - 1];
    int s = r->degree;
    for (int k = 0; k < SOBOL_BITS; k++) {
        if (k < s) {
            v[k] = (uint32_t)r->m[k] << (SOBOL_BITS - 1 - k);
            continue;
        }
        /* Bratley & Fox's recurrence: v_k = a_1 v_(k-1) ^ ... ^ a_(s-1) v_(k-s+1)
           ^ v_(k-s) ^ (v_(k-s) >> s). */
        uint32_t x = v[k - s] ^ (v[k - s] >> s);
        for (int i = 1; i < s; i++)
            if ((r->poly >> (s - 1 - i)) & 1)
                x ^= v[k - i];
        v[k] = x;
    }
    return 0;
}

uint32_t ld_sobol_coord(const uint32_t v[SOBOL_BITS], uint32_t index)
{
    /* Antonov & Saleev: in Gray-code order point n is the XOR of the direction numbers of the
       set bits of gray(n) = n ^ (n >> 1); the recursive generator gives the same points. */
    uint32_t gray = index ^ (index >> 1);
    uint32_t x = 0;
    for (int k = 0; gray; k++, gray >>= 1)
        if (gray & 1)
            x ^= v[k];
    return x;
}

/* One fair coin per node of the binary tree of elementary intervals: node (depth, prefix). */
static uint32_t node_coin(uint64_t key, int depth, uint32_t prefix)
{
    uint64_t node = ((uint64_t)depth << 32) | prefix;
    return (uint32_t)(ld_mix64(key ^ ld_mix64(node)) >> 63);
}

/*
 * Nested uniform (Owen) scrambling in base 2: digit k of x (k = 0 the most significant) is
 * flipped by a coin that depends on the key and on digits 0 .. k-1 only. The coins are hashed
 * from (depth, prefix) rather than stored as a tree (in the spirit of Laine & Karras and
 * Burley's hash-based Owen scrambling, but with a full 64-bit hash per node instead of their
 * single multiply-xor permutation). Each level permutes the 2^k intervals of length 2^-k
 * among themselves, so every elementary-interval (net) property of the points survives, and a
 * scrambled point is uniform on [0, 1).
 * The digits below the 32nd are zero in every unscrambled point; scrambling them the same way
 * just draws 21 more coins from the full 32-digit prefix, so u carries 53 random bits.
 */
double ld_sobol_scramble(uint32_t x, uint64_t key)
{
    uint32_t y = 0;
    for (int k = 0; k < SOBOL_BITS; k++) {
        uint32_t prefix = k ? x >> (SOBOL_BITS - k) : 0;
        uint32_t digit = (x >> (SOBOL_BITS - 1 - k)) & 1;
        y |= (digit ^ node_coin(key, k, prefix)) << (SOBOL_BITS - 1 - k);
    }
    uint64_t tail = ld_mix64(key ^ ld_mix64(((uint64_t)SOBOL_BITS << 32) | x)) >> 43;
    return (double)(((uint64_t)y << 21) | tail) * 0x1.0p-53;
}

typedef struct {
    uint64_t seed;
    size_t n_params;
    int *dim_of;            /* [n_params] Sobol dimension of each parameter, -1 when it has none
                               (a constant, or past LD_SOBOL_MAX_DIMS: drawn at random) */
    size_t n_dims;          /* dimensions in use */
    uint32_t (*v)[SOBOL_BITS]; /* [n_dims][SOBOL_BITS] direction numbers */
    uint64_t *key;          /* [n_dims] scramble key of each dimension */
} sobol_state;

static void sobol_destroy(void *state)
{
    sobol_state *s = state;
    if (!s)
        return;
    free(s->dim_of);
    free(s->v);
    free(s->key);
    free(s);
}

/* Gives each varying parameter the next dimension while the table lasts. */
static size_t assign_dims(const ld_spec *spec, int *dim_of)
{
    size_t n_dims = 0;
    for (size_t j = 0; j < spec->n_params; j++) {
        if (spec->params[j].dist == LD_DIST_CONSTANT || n_dims == LD_SOBOL_MAX_DIMS)
            dim_of[j] = -1;
        else
            dim_of[j] = (int)n_dims++;
    }
    return n_dims;
}

static ld_status sobol_create(const ld_spec *spec, uint64_t seed, void **state, char *err,
                              size_t errlen)
{
    *state = NULL;
    size_t n = spec->n_params;
    sobol_state *s = calloc(1, sizeof *s);
    if (s)
        s->dim_of = calloc(n ? n : 1, sizeof *s->dim_of);
    if (s && s->dim_of) {
        s->n_dims = assign_dims(spec, s->dim_of);
        s->v = calloc(s->n_dims ? s->n_dims : 1, sizeof *s->v);
        s->key = calloc(s->n_dims ? s->n_dims : 1, sizeof *s->key);
    }
    if (!s || !s->dim_of || !s->v || !s->key) {
        sobol_destroy(s);
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return LD_ERR_NOMEM;
    }
    s->seed = seed;
    s->n_params = n;
    for (size_t d = 0; d < s->n_dims; d++) {
        ld_sobol_directions(d, s->v[d]);
        s->key[d] = ld_mix64(seed ^ ld_mix64(SCRAMBLE_SALT + d));
    }
    *state = s;
    return LD_OK;
}

static ld_status sobol_ask(void *state, const ld_spec *spec, const ld_trial *history,
                           size_t n_history, int number, ld_value *values, int *grid_index)
{
    (void)history;
    (void)n_history;
    const sobol_state *s = state;
    uint32_t index = (uint32_t)number;
    ld_rng fallback;
    ld_rng_seed(&fallback, s->seed ^ FALLBACK_SALT, index);
    for (size_t j = 0; j < spec->n_params && j < s->n_params; j++) {
        int d = s->dim_of[j];
        double u = d >= 0 ? ld_sobol_scramble(ld_sobol_coord(s->v[d], index), s->key[d])
                          : ld_rng_uniform(&fallback);
        ld_param_from_unit(&spec->params[j], u, &values[j]);
    }
    *grid_index = -1;
    return LD_OK;
}

const ld_sampler_type ld_sampler_sobol = {
    .name = "sobol",
    .version = 1,
    .create = sobol_create,
    .destroy = sobol_destroy,
    .ask = sobol_ask,
    .tell = NULL,
    .history_free = 1,
};
