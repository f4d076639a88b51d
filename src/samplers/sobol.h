/*
 * sobol.h — the pieces of the Sobol sampler (sobol.c) that its tests check one by one: the
 * direction numbers, the unscrambled points and the scramble. The sampler itself is reached
 * through ld_sampler_find("sobol") like every other.
 *
 * Conventions: dimensions are 0-based here (dimension 0 is van der Corput, dimension d >= 1 is
 * row d + 1 of Joe & Kuo's new-joe-kuo-6.21201); points are numbered from 0 in Gray-code order,
 * and point 0 is the origin before scrambling.
 */
#ifndef LD_SAMPLERS_SOBOL_H
#define LD_SAMPLERS_SOBOL_H

#include <stddef.h>
#include <stdint.h>

/* Dimensions with direction numbers; parameters past them are sampled at random. */
#define LD_SOBOL_MAX_DIMS 128

/* Fills v[32] with the direction numbers of dimension dim, v[k] = m_{k+1} / 2^(k+1) as a 32-bit
   fraction. Returns 0, or -1 when dim >= LD_SOBOL_MAX_DIMS. */
int ld_sobol_directions(size_t dim, uint32_t v[32]);
/* Coordinate of point `index` in the dimension with direction numbers v, as a 32-bit fraction. */
uint32_t ld_sobol_coord(const uint32_t v[32], uint32_t index);
/* Owen-scrambles a 32-bit fraction with key and returns it as a double in [0, 1). */
double ld_sobol_scramble(uint32_t x, uint64_t key);

#endif
