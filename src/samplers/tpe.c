/*
 * tpe.c — the Tree-structured Parzen Estimator (Bergstra et al., NeurIPS 2011) with the
 * refinements that made Optuna's version strong (Watanabe, "Tree-structured Parzen estimator:
 * understanding its algorithm components", 2023):
 *
 *   - the finished trials are ranked and split into the best gamma(n) = min(ceil(0.15 n), 25)
 *     ("below", density l) and the rest ("above", density g); the next trial is the best of 32
 *     candidates drawn from l by the ratio l(x) / g(x). Optuna uses 0.1 n and 24 candidates;
 *     0.15 n and 32 were better on every function of bench/bbo but hpo_mixed (within noise
 *     there), see docs/bench-samplers.md;
 *   - multivariate kernels: each density is a mixture of products over the parameters, so the
 *     model sees how parameters go together (Optuna's multivariate=True);
 *   - a prior component (centre 0.5, width 1 in the unit cube) in each mixture, weight 1;
 *   - bandwidths: per trial and parameter, the larger gap to its neighbours (Optuna's univariate
 *     rule, which adapts to clusters), clipped below by the "magic clip" 1 / min(100, 1 + K);
 *   - weights: in the above group, trials older than the 25 most recent are ramped down;
 *   - categorical parameters: a kernel that puts most of its mass on the trial's value and
 *     spreads prior_weight / K over all values;
 *   - log and integer parameters are modelled in their own scale: the unit cube of
 *     ld_param_to_unit (log parameters uniform in log space); a discrete parameter is scored by
 *     the kernel's mass over the candidate's cell, not a density at one point;
 *   - trials still queued or running are put in the above group (a constant liar: "assume it
 *     went badly"), so parallel asks do not pile onto the same spot;
 *   - pruned trials count, ranked after every complete one (their last value is weaker
 *     evidence), as Optuna does;
 *   - a parameter that was inactive in a trial (its `when` failed) contributes a flat factor to
 *     that trial's kernel: the trial says nothing about it.
 *
 * Cost: O(n log n + 32 d n) per ask with n trials and d parameters, all from the history it is
 * given; a discrete dimension's cell masses (two erfc calls each) are computed only for the
 * components that can matter to the candidate's score (discrete_terms), with the same bits.
 * Nothing is remembered between asks, so the answer depends only on (seed, number,
 * history), in any process. The first n_init trials are scrambled Sobol points (sobol.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samplers/observe.h"
#include "samplers/sampler.h"
#include "samplers/tpe.h"
#include "space.h"
#include "util/rng.h"

/* A count for malloc: at least 1, so that malloc(0) never returns NULL. */
static size_t nz(size_t k) { return k ? k : 1; }

#define TPE_SALT 0x7470652d73616d70ULL /* "tpe-samp" */
#define N_CANDIDATES 32
#define N_STARTUP 10
#define PRIOR_WEIGHT 1.0
#define GAMMA_CAP 25
#define RAMP_FLAT 25
#define LOG_SQRT_2PI 0.91893853320467274178

/* ---- one Parzen estimator ---------------------------------------------------------------- */

/*
 * A mixture of K product kernels; component K-1 is the prior.
 * Legend: K components, Dn numeric parameters, Cw = the sum of the categorical parameters'
 * value counts (each categorical parameter owns a slice of a row).
 */
typedef struct {
    size_t k;
    double *logw;   /* [K] log of the normalized weight */
    double *mu;     /* [Dn][K] centre in the unit cube; NaN when the parameter was inactive */
    double *sigma;  /* [Dn][K] */
    double *ctr;    /* [Dn][K] mu, or 0.5 when inactive */
    double *inv;    /* [Dn][K] 1 / sigma, or 0 when inactive (a flat factor) */
    double *lognc;  /* [Dn][K] log(sigma sqrt(2 pi) Z), Z the kernel's mass inside [0, 1]; 0
                       when inactive */
    double *logz;   /* [Dn][K] log Z */
    double *logcat; /* [K][Cw] log probability of each categorical value */
} parzen;

static void parzen_free(parzen *pz)
{
    free(pz->logw);
    free(pz->mu);
    free(pz->sigma);
    free(pz->ctr);
    free(pz->inv);
    free(pz->lognc);
    free(pz->logz);
    free(pz->logcat);
    memset(pz, 0, sizeof *pz);
}

/* The parameters as the model sees them. */
typedef struct {
    size_t dn, dc, cw;
    size_t *num;     /* [Dn] parameter index of each numeric dimension */
    size_t *cat;     /* [Dc] parameter index of each categorical dimension */
    size_t *cat_off; /* [Dc] where its slice starts in a row of Cw */
} layout;

/* log_mass's smallest mass, and its log */
#define MASS_FLOOR 1e-300
#define LOG_MASS_FLOOR (-690.7755278982137) /* log(MASS_FLOOR) */

static double phi_cdf(double x) { return 0.5 * erfc(-x / M_SQRT2); }

/*
 * log(Phi(b) - Phi(a)) for a < b, accurate in both tails. When a <= 0 <= b, a tail beyond 9
 * (mass under 1.2e-19) cannot change the result, which is at least 0.5 and so moves only by
 * 5.5e-17 or more: its erfc is skipped, with the same bits.
 */
static double log_mass(double a, double b)
{
    double m;
    if (a > 0)
        m = 0.5 * (erfc(a / M_SQRT2) - erfc(b / M_SQRT2));
    else if (b < 0)
        m = 0.5 * (erfc(-b / M_SQRT2) - erfc(-a / M_SQRT2));
    else
        m = 1.0 - (a < -9 ? 0.0 : phi_cdf(a)) - (b > 9 ? 0.0 : 0.5 * erfc(b / M_SQRT2));
    return log(m > MASS_FLOOR ? m : MASS_FLOOR);
}

/* A value and where it came from, for sorting with ties broken by position. */
typedef struct {
    double v;
    size_t i;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * Sorts a[n] by v in [0, 1], ties in their given order, in O(n): qsort's callbacks cost several
 * times more at a thousand trials, and this runs once per dimension per ask. An LSD radix sort
 * on the top 32 bits of v (four 8-bit passes, their histograms from one read of the keys; a
 * pass where every key has the same byte is skipped), then an insertion pass that puts values
 * sharing those 32 bits in order: they are adjacent already, and rare. tmp[n] is scratch.
 */
static uint32_t key32(double v) { return v >= 1.0 ? UINT32_MAX : (uint32_t)(v * 0x1p32); }

static void sort_unit(keyed *a, size_t n, keyed *tmp)
{
    if (n < 64) {
        qsort(a, n, sizeof *a, cmp_keyed);
        return;
    }
    enum { PASSES = 4 };
    size_t count[PASSES][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint32_t key = key32(a[i].v);
        for (int pass = 0; pass < PASSES; pass++)
            count[pass][(key >> (8 * pass)) & 255]++;
    }
    keyed *src = a, *dst = tmp;
    for (int pass = 0; pass < PASSES; pass++) {
        int shift = 8 * pass;
        size_t *c = count[pass], sum = 0;
        if (c[(key32(src[0].v) >> shift) & 255] == n)
            continue;
        for (size_t b = 0; b < 256; b++) {
            size_t k = c[b];
            c[b] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++)
            dst[c[(key32(src[i].v) >> shift) & 255]++] = src[i];
        keyed *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    for (size_t i = 1; i < n; i++) {
        if (!(a[i].v < a[i - 1].v))
            continue;
        keyed x = a[i];
        size_t j = i;
        for (; j > 0 && x.v < a[j - 1].v; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/*
 * Bandwidths of one numeric dimension for one group, by Optuna's univariate rule: the prior
 * centre 0.5 joins the group's sorted centres, each centre's width is the larger gap to its
 * neighbours (the end ones use their one inner gap), then all are clipped to
 * [1 / min(100, 1 + K), 1]. sorted[cnt] holds every observation active in the dimension, by
 * coordinate (sorted once per ask for both groups); pos maps an observation to its place among
 * the group's m members, SIZE_MAX for non-members. Writes sigma[member * sstride].
 */
static void gap_bandwidths(const keyed *sorted, size_t cnt, const size_t *pos, size_t m,
                           double *sigma, size_t sstride, keyed *work)
{
    size_t k = 0;
    int prior_in = 0;
    for (size_t r = 0; r < cnt; r++) {
        size_t p = pos[sorted[r].i];
        if (p == SIZE_MAX)
            continue;
        if (!prior_in && sorted[r].v > 0.5) {
            work[k++] = (keyed){0.5, m};
            prior_in = 1;
        }
        work[k++] = (keyed){sorted[r].v, p};
    }
    if (!prior_in)
        work[k++] = (keyed){0.5, m};
    double min_sigma = 1.0 / fmin(100.0, 1.0 + (double)k);
    for (size_t r = 0; r < k; r++) {
        double g;
        if (k == 1)
            g = 1.0;
        else if (r == 0)
            g = work[1].v - work[0].v;
        else if (r == k - 1)
            g = work[k - 1].v - work[k - 2].v;
        else
            g = fmax(work[r].v - work[r - 1].v, work[r + 1].v - work[r].v);
        g = g < min_sigma ? min_sigma : g > 1.0 ? 1.0 : g;
        if (work[r].i < m)
            sigma[work[r].i * sstride] = g;
    }
}

/*
 * The log probabilities row[nv] of a categorical parameter in one component of K: the prior's
 * (the declared probabilities), a flat row for a trial where it was inactive (value -1), else
 * most of the mass on the trial's value and PRIOR_WEIGHT / K spread over all values.
 */
static void category_row(const ld_param *p, int value, int prior, size_t K, double *row)
{
    size_t nv = p->n_values;
    double fill = PRIOR_WEIGHT / (double)K;
    for (size_t t = 0; t < nv; t++) {
        if (prior)
            row[t] = p->probabilities ? p->probabilities[t] : 1.0 / (double)nv;
        else if (value < 0)
            row[t] = 1.0 / (double)nv;
        else
            row[t] = ((int)t == value ? 1.0 : 0.0) + fill / (double)nv;
    }
    double sum = 0;
    for (size_t t = 0; t < nv; t++)
        sum += row[t];
    for (size_t t = 0; t < nv; t++)
        row[t] = row[t] > 0 ? log(row[t] / sum) : -INFINITY;
}

/*
 * Builds the estimator of the trials members[m] (indices into obs) with weights w[m], plus the
 * prior. Returns 0 when out of memory.
 */
static int parzen_build(parzen *pz, const ld_spec *spec, const layout *lay, const ld_obs *obs,
                        const size_t *members, const double *w, size_t m,
                        const keyed *sorted, const size_t *cnt, const size_t *pos)
{
    size_t K = m + 1, Dn = lay->dn, Cw = lay->cw, P = obs->p;
    memset(pz, 0, sizeof *pz);
    pz->k = K;
    pz->logw = malloc(K * sizeof *pz->logw);
    pz->mu = malloc(K * nz(Dn) * sizeof *pz->mu);
    pz->sigma = malloc(K * nz(Dn) * sizeof *pz->sigma);
    pz->ctr = malloc(K * nz(Dn) * sizeof *pz->ctr);
    pz->inv = malloc(K * nz(Dn) * sizeof *pz->inv);
    pz->lognc = malloc(K * nz(Dn) * sizeof *pz->lognc);
    pz->logz = malloc(K * nz(Dn) * sizeof *pz->logz);
    pz->logcat = malloc(K * nz(Cw) * sizeof *pz->logcat);
    keyed *work = malloc(K * sizeof *work);
    if (!pz->logw || !pz->mu || !pz->sigma || !pz->ctr || !pz->inv || !pz->lognc || !pz->logz ||
        !pz->logcat || !work) {
        free(work);
        parzen_free(pz);
        return 0;
    }
    double total = PRIOR_WEIGHT;
    for (size_t i = 0; i < m; i++)
        total += w[i];
    for (size_t i = 0; i < m; i++)
        pz->logw[i] = log(w[i] / total);
    pz->logw[m] = log(PRIOR_WEIGHT / total);

    for (size_t d = 0; d < Dn; d++) {
        double *mu_d = pz->mu + d * K, *sg_d = pz->sigma + d * K;
        for (size_t i = 0; i < m; i++)
            mu_d[i] = obs->u[members[i] * P + lay->num[d]];
        mu_d[m] = 0.5;
        gap_bandwidths(sorted + d * obs->n, cnt[d], pos, m, sg_d, 1, work);
        sg_d[m] = 1.0;
        /* Past a few hundred trials most widths are the clip's minimum: their log is computed
           once (the same value gives the same bits). */
        double cached_sg = NAN, cached_log = NAN;
        for (size_t i = 0; i < K; i++) {
            size_t at = d * K + i;
            double mu = mu_d[i], sg = sg_d[i];
            if (isnan(mu)) {
                pz->sigma[at] = 1.0;
                pz->ctr[at] = 0.5;
                pz->inv[at] = pz->logz[at] = pz->lognc[at] = 0;
                continue;
            }
            /* log Z is 0 to double precision when both ends are 9 widths away: most
               kernels once n is large, so their two erfc calls are skipped */
            double lz = mu > 9 * sg && 1.0 - mu > 9 * sg ? 0.0
                                                          : log_mass(-mu / sg, (1.0 - mu) / sg);
            pz->ctr[at] = mu;
            pz->inv[at] = 1.0 / sg;
            pz->logz[at] = lz;
            if (sg != cached_sg)
                cached_sg = sg, cached_log = log(sg);
            pz->lognc[at] = cached_log + LOG_SQRT_2PI + lz;
        }
    }
    for (size_t c = 0; c < lay->dc; c++) {
        const ld_param *p = &spec->params[lay->cat[c]];
        size_t nv = p->n_values, off = lay->cat_off[c];
        /* Every component whose trial had value v has the same row, and so has every one
           whose trial had none: those nv + 1 rows are computed once (rows[v], rows[nv] the
           flat one), then the prior's. */
        double *rows = malloc((nv + 1) * nv * sizeof *rows);
        if (!rows) {
            free(work);
            parzen_free(pz);
            return 0;
        }
        for (size_t v = 0; v <= nv; v++)
            category_row(p, v < nv ? (int)v : -1, 0, K, rows + v * nv);
        for (size_t i = 0; i < m; i++) {
            int v = obs->cat[members[i] * P + lay->cat[c]];
            memcpy(pz->logcat + i * Cw + off, rows + (v < 0 ? nv : (size_t)v) * nv,
                   nv * sizeof *rows);
        }
        category_row(p, -1, 1, K, pz->logcat + m * Cw + off);
        free(rows);
    }
    free(work);
    return 1;
}

/* A candidate: numeric coordinates x[Dn] with cells [lo, hi] (lo == hi when continuous),
   categorical indices c[Dc], and which dimensions are active. */
typedef struct {
    double *x, *lo, *hi;
    int *c;
    int *num_on, *cat_on;
} candidate;

/*
 * terms[i] += log N(x; ctr[i], 1 / inv[i]) (without the truncation's mass, which nc[i] holds):
 * the loop that dominates an ask at a thousand trials. Element by element, with no sum across
 * i, so the vector clones (one is picked for the machine at load time) give the same bits as
 * the plain one: -std=c11 keeps the compiler from fusing a multiply and an add.
 */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void add_gauss_terms(size_t K, double x, const double *restrict ctr,
                            const double *restrict inv, const double *restrict nc,
                            double *restrict terms)
{
    for (size_t i = 0; i < K; i++) {
        double z = (x - ctr[i]) * inv[i];
        terms[i] -= 0.5 * z * z + nc[i];
    }
}

/* Component i's term for discrete dimension d: the log of its mass over the candidate's cell. */
static double cell_term(const parzen *pz, const candidate *cd, size_t d, size_t i)
{
    size_t at = d * pz->k + i;
    double mu = pz->mu[at], sg = pz->sigma[at];
    if (isnan(mu))
        return 0; /* inactive in that trial: a flat factor */
    return log_mass((cd->lo[d] - mu) / sg, (cd->hi[d] - mu) / sg) - pz->logz[at];
}

/*
 * An upper bound of cell_term that needs no erfc: the mass over [lo, hi] is at most its width
 * times the density at the cell's point nearest the centre, and log_mass never goes below
 * log(1e-300).
 */
static double cell_term_bound(const parzen *pz, const candidate *cd, size_t d, size_t i,
                              double log_width)
{
    size_t at = d * pz->k + i;
    double mu = pz->mu[at];
    if (isnan(mu))
        return 0;
    double lo = cd->lo[d], hi = cd->hi[d];
    double near = mu < lo ? lo - mu : mu > hi ? mu - hi : 0;
    double z = near * pz->inv[at];
    /* lognc - logz = log(sigma sqrt(2 pi)) */
    double log_peak = log_width - (pz->lognc[at] - pz->logz[at]) - 0.5 * z * z;
    return fmax(log_peak, LOG_MASS_FLOOR) - pz->logz[at];
}

/* A component whose term is 40 below the largest adds nothing that a double can hold (the sum
   below skips it); one whose bound is SKIP_MARGIN below the largest exact term is left out
   before its erfc calls, with room for the bound's rounding. */
#define NEGLIGIBLE 40.0
#define SKIP_MARGIN (NEGLIGIBLE + 1.0)

/* Component i's whole term, added up in the order parzen_logpdf's loops use. */
static double exact_term(const parzen *pz, const layout *lay, const candidate *cd, size_t i)
{
    size_t K = pz->k;
    double t = pz->logw[i];
    for (size_t d = 0; d < lay->dn; d++) {
        if (!cd->num_on[d])
            continue;
        if (cd->lo[d] < cd->hi[d]) {
            t += cell_term(pz, cd, d, i);
        } else {
            size_t at = d * K + i;
            double z = (cd->x[d] - pz->ctr[at]) * pz->inv[at];
            t -= 0.5 * z * z + pz->lognc[at];
        }
    }
    for (size_t c = 0; c < lay->dc; c++)
        if (cd->cat_on[c])
            t += pz->logcat[i * lay->cw + lay->cat_off[c] + (size_t)cd->c[c]];
    return t;
}

/*
 * The terms of a candidate with discrete dimensions. Their cell masses need two erfc calls per
 * component and dimension, which at a thousand trials cost most of an ask; but a component far
 * from the candidate in some dimension adds nothing to the sum. So first every term is bounded
 * (continuous and categorical parts exact, cells by cell_term_bound) in bound[K]; the
 * component with the largest bound gets its exact term, and only components whose bounds come
 * within SKIP_MARGIN of it are computed exactly; the rest are -inf. Those are the components
 * the sum would skip anyway, and the survivors' terms are added in the same order as before,
 * so the result has the same bits as computing every term.
 */
static void discrete_terms(const parzen *pz, const layout *lay, const candidate *cd,
                           double *terms, double *bound)
{
    size_t K = pz->k, Cw = lay->cw;
    memcpy(bound, pz->logw, K * sizeof *bound);
    for (size_t d = 0; d < lay->dn; d++) {
        if (!cd->num_on[d])
            continue;
        if (cd->lo[d] < cd->hi[d]) {
            double log_width = log(cd->hi[d] - cd->lo[d]);
            for (size_t i = 0; i < K; i++)
                bound[i] += cell_term_bound(pz, cd, d, i, log_width);
        } else {
            add_gauss_terms(K, cd->x[d], pz->ctr + d * K, pz->inv + d * K, pz->lognc + d * K,
                            bound);
        }
    }
    for (size_t c = 0; c < lay->dc; c++)
        if (cd->cat_on[c])
            for (size_t i = 0; i < K; i++)
                bound[i] += pz->logcat[i * Cw + lay->cat_off[c] + (size_t)cd->c[c]];
    size_t best = 0;
    for (size_t i = 1; i < K; i++)
        best = bound[i] > bound[best] ? i : best;
    terms[best] = exact_term(pz, lay, cd, best);
    double floor = terms[best] - SKIP_MARGIN;
    for (size_t i = 0; i < K; i++)
        if (i != best)
            terms[i] = bound[i] < floor ? -INFINITY : exact_term(pz, lay, cd, i);
}

/*
 * log density (or cell mass, for discrete dimensions) of the candidate under the mixture.
 * Dimension by dimension over all components (the arrays are [Dn][K] for that), so the inner
 * loop is a straight run over memory; terms[K] and bound[K] are scratch.
 */
static double parzen_logpdf(const parzen *pz, const layout *lay, const candidate *cd,
                            double *terms, double *bound)
{
    size_t K = pz->k, Cw = lay->cw;
    int discrete = 0;
    for (size_t d = 0; d < lay->dn; d++)
        discrete |= cd->num_on[d] && cd->lo[d] < cd->hi[d];
    if (discrete) {
        discrete_terms(pz, lay, cd, terms, bound);
    } else {
        memcpy(terms, pz->logw, K * sizeof *terms);
        for (size_t d = 0; d < lay->dn; d++)
            if (cd->num_on[d])
                add_gauss_terms(K, cd->x[d], pz->ctr + d * K, pz->inv + d * K,
                                pz->lognc + d * K, terms);
        for (size_t c = 0; c < lay->dc; c++)
            if (cd->cat_on[c])
                for (size_t i = 0; i < K; i++)
                    terms[i] += pz->logcat[i * Cw + lay->cat_off[c] + (size_t)cd->c[c]];
    }
    double top = -INFINITY;
    for (size_t i = 0; i < K; i++)
        top = terms[i] > top ? terms[i] : top;
    if (top == -INFINITY)
        return top;
    double s = 0;
    for (size_t i = 0; i < K; i++)
        if (terms[i] - top > -NEGLIGIBLE) /* e^-40: below a 5,000-term sum's rounding */
            s += exp(terms[i] - top);
    return top + log(s);
}

/* Draws from a truncated normal on [0, 1) by rejection; the centre lies inside, so at least
   about half of the draws are kept. */
static double draw_truncated(ld_rng *rng, double mu, double sigma)
{
    for (int tries = 0; tries < 64; tries++) {
        double x = mu + sigma * ld_rng_normal(rng);
        if (x >= 0 && x < 1)
            return x;
    }
    return ld_rng_uniform(rng);
}

static size_t draw_component(const parzen *pz, ld_rng *rng)
{
    double r = ld_rng_uniform(rng), cum = 0;
    for (size_t i = 0; i < pz->k; i++) {
        cum += exp(pz->logw[i]);
        if (r < cum)
            return i;
    }
    return pz->k - 1;
}

static int draw_category(const double *logp, size_t nv, ld_rng *rng)
{
    double r = ld_rng_uniform(rng), cum = 0;
    int last = 0;
    for (size_t t = 0; t < nv; t++) {
        if (logp[t] == -INFINITY)
            continue;
        last = (int)t;
        cum += exp(logp[t]);
        if (r < cum)
            return (int)t;
    }
    return last;
}

/* ---- the sampler ------------------------------------------------------------------------ */

static ld_status tpe_create(const ld_spec *spec, uint64_t seed, void **state, char *err,
                            size_t errlen)
{
    return ld_model_state_new(spec, seed, state, err, errlen);
}

/* Trials ranked best first: complete before pruned, then by loss, then by number. */
typedef struct {
    int kind;
    double loss;
    int number;
    size_t i;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->loss != y->loss)
        return x->loss < y->loss ? -1 : 1;
    return x->number < y->number ? -1 : x->number > y->number;
}

/*
 * Moves the k best of rk[n] to the front, in order; the rest follow in no particular order
 * (only membership of the "above" group matters). O(n k) at worst with k <= 25, O(n) for a
 * history in random order, where a full sort would be O(n log n) of callbacks.
 */
static void select_best(ranked *rk, size_t n, size_t k)
{
    if (k == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        size_t at;
        if (i < k) {
            at = i;
        } else if (cmp_ranked(&rk[i], &rk[k - 1]) < 0) {
            ranked t = rk[i];
            rk[i] = rk[k - 1];
            rk[k - 1] = t;
            at = k - 1;
        } else {
            continue;
        }
        for (; at > 0 && cmp_ranked(&rk[at], &rk[at - 1]) < 0; at--) {
            ranked t = rk[at];
            rk[at] = rk[at - 1];
            rk[at - 1] = t;
        }
    }
}

/* Optuna's default weights: 1 for the RAMP_FLAT most recent trials, a ramp from 1/m up to 1
   for the older ones (by trial number). */
static double ramp(size_t r, size_t m, size_t n_old)
{
    if (r >= n_old)
        return 1.0;
    if (n_old == 1)
        return 1.0 / (double)m;
    return 1.0 / (double)m + (1.0 - 1.0 / (double)m) * (double)r / (double)(n_old - 1);
}

/* pos maps an observation to its place among the members (SIZE_MAX for others). */
static void ramp_weights(const ld_obs *obs, const size_t *members, size_t m, const size_t *pos,
                         double *w)
{
    for (size_t i = 0; i < m; i++)
        w[i] = 1.0;
    if (m < RAMP_FLAT)
        return;
    size_t n_old = m - RAMP_FLAT;
    int in_order = 1; /* the history comes ordered by number: then no sort is needed */
    for (size_t i = 1; i < obs->n && in_order; i++)
        in_order = obs->number[i - 1] < obs->number[i];
    if (in_order) {
        size_t r = 0;
        for (size_t i = 0; i < obs->n; i++)
            if (pos[i] != SIZE_MAX)
                w[pos[i]] = ramp(r++, m, n_old);
        return;
    }
    keyed *kk = malloc(m * sizeof *kk);
    if (!kk)
        return;
    for (size_t i = 0; i < m; i++)
        kk[i] = (keyed){(double)obs->number[members[i]], i};
    qsort(kk, m, sizeof *kk, cmp_keyed);
    for (size_t r = 0; r < m; r++)
        w[kk[r].i] = ramp(r, m, n_old);
    free(kk);
}

ld_status ld_tpe_propose(uint64_t seed, const ld_spec *spec, const ld_obs *obs, int number,
                         const ld_tpe_options *opt, double *u_out, int *cat_out)
{
    size_t P = spec->n_params, N = obs->n;
    ld_col_kind *col = malloc(nz(P) * sizeof *col);
    layout lay = {0};
    lay.num = malloc(nz(P) * sizeof *lay.num);
    lay.cat = malloc(nz(P) * sizeof *lay.cat);
    lay.cat_off = malloc(nz(P) * sizeof *lay.cat_off);
    ranked *rk = malloc(nz(N) * sizeof *rk);
    size_t *below = malloc(nz(N) * sizeof *below);
    size_t *above = malloc(nz(N) * sizeof *above);
    double *wb = malloc(nz(N) * sizeof *wb), *wa = malloc(nz(N) * sizeof *wa);
    parzen l = {0}, g = {0};
    keyed *sorted = NULL, *radix_tmp = NULL;
    size_t *cnt = NULL, *pos_b = NULL, *pos_a = NULL;
    ld_status st = LD_ERR_NOMEM;
    if (!col || !lay.num || !lay.cat || !lay.cat_off || !rk || !below || !above || !wb || !wa)
        goto done;
    ld_obs_columns(spec, col);
    for (size_t j = 0; j < P; j++) {
        if (col[j] == LD_COL_NUM)
            lay.num[lay.dn++] = j;
        else if (col[j] == LD_COL_CAT) {
            lay.cat_off[lay.dc] = lay.cw;
            lay.cw += spec->params[j].n_values;
            lay.cat[lay.dc++] = j;
        }
    }

    size_t n_rank = 0, n_pend = 0;
    for (size_t i = 0; i < N; i++) {
        if (obs->kind[i] == LD_OBS_PENDING) {
            if (opt->constant_liar)
                above[n_pend++] = i; /* filled at the end of above below */
            continue;
        }
        rk[n_rank++] = (ranked){obs->kind[i], obs->loss[i], obs->number[i], i};
    }
    size_t n_all = n_rank + n_pend;
    size_t n_below = (size_t)ceil(opt->gamma * (double)n_all);
    if (n_below > GAMMA_CAP)
        n_below = GAMMA_CAP;
    if (n_below < 1)
        n_below = 1;
    if (n_below > n_rank)
        n_below = n_rank;
    select_best(rk, n_rank, n_below);
    /* above: the pending trials (moved to the end) and the ranked ones past the split */
    size_t n_above = 0;
    size_t *pend = below; /* borrow: below is filled after */
    memcpy(pend, above, n_pend * sizeof *pend);
    for (size_t r = n_below; r < n_rank; r++)
        above[n_above++] = rk[r].i;
    for (size_t r = 0; r < n_pend; r++)
        above[n_above++] = pend[r];
    for (size_t r = 0; r < n_below; r++)
        below[r] = rk[r].i;
    for (size_t r = 0; r < n_below; r++)
        wb[r] = 1.0;
    /* Each numeric dimension sorted once; each group reads its members out of that order. */
    sorted = malloc(nz(N * lay.dn) * sizeof *sorted);
    radix_tmp = malloc(nz(N) * sizeof *radix_tmp);
    cnt = malloc(nz(lay.dn) * sizeof *cnt);
    pos_b = malloc(nz(N) * sizeof *pos_b);
    pos_a = malloc(nz(N) * sizeof *pos_a);
    if (!sorted || !radix_tmp || !cnt || !pos_b || !pos_a)
        goto done;
    for (size_t d = 0; d < lay.dn; d++) {
        keyed *row = sorted + d * N;
        cnt[d] = 0;
        for (size_t i = 0; i < N; i++) {
            double v = obs->u[i * P + lay.num[d]];
            if (!isnan(v))
                row[cnt[d]++] = (keyed){v, i};
        }
        sort_unit(row, cnt[d], radix_tmp);
    }
    for (size_t i = 0; i < N; i++)
        pos_b[i] = pos_a[i] = SIZE_MAX;
    for (size_t r = 0; r < n_below; r++)
        pos_b[below[r]] = r;
    for (size_t r = 0; r < n_above; r++)
        pos_a[above[r]] = r;
    ramp_weights(obs, above, n_above, pos_a, wa);
    if (!parzen_build(&l, spec, &lay, obs, below, wb, n_below, sorted, cnt, pos_b) ||
        !parzen_build(&g, spec, &lay, obs, above, wa, n_above, sorted, cnt, pos_a))
        goto done;

    /* Draw candidates from l, keep the one with the largest log l - log g. */
    size_t Dn = lay.dn, Dc = lay.dc;
    size_t kmax = l.k > g.k ? l.k : g.k;
    double *buf = malloc((3 * nz(Dn) + 2 * kmax) * sizeof *buf);
    int *ibuf = malloc((2 * nz(Dc) + nz(Dn) + P) * sizeof *ibuf);
    double *best_u = malloc(nz(P) * sizeof *best_u);
    int *best_c = malloc(nz(P) * sizeof *best_c);
    if (!buf || !ibuf || !best_u || !best_c) {
        free(buf), free(ibuf), free(best_u), free(best_c);
        goto done;
    }
    candidate cd = {.x = buf, .lo = buf + Dn, .hi = buf + 2 * Dn, .c = ibuf,
                    .cat_on = ibuf + Dc, .num_on = ibuf + 2 * Dc};
    int *active = ibuf + 2 * Dc + Dn;
    double *terms = buf + 3 * Dn, *bound = terms + kmax;
    double *cu = malloc(nz(P) * sizeof *cu);
    int *cc = malloc(nz(P) * sizeof *cc);
    if (!cu || !cc) {
        free(cu), free(cc), free(buf), free(ibuf), free(best_u), free(best_c);
        goto done;
    }
    ld_rng rng;
    ld_rng_seed(&rng, seed ^ TPE_SALT, (uint64_t)number);
    double best = -INFINITY;
    for (int k = 0; k < opt->n_candidates; k++) {
        size_t comp = draw_component(&l, &rng);
        for (size_t j = 0; j < P; j++)
            cu[j] = 0.5, cc[j] = -1;
        for (size_t d = 0; d < Dn; d++) {
            double mu = l.mu[d * l.k + comp];
            double x = isnan(mu) ? ld_rng_uniform(&rng)
                                 : draw_truncated(&rng, mu, l.sigma[d * l.k + comp]);
            const ld_param *p = &spec->params[lay.num[d]];
            ld_obs_cell(p, x, &cd.lo[d], &cd.hi[d]);
            if (cd.lo[d] < cd.hi[d]) /* discrete: the centre of the cell stands for it */
                x = 0.5 * (cd.lo[d] + cd.hi[d]);
            cd.x[d] = x;
            cu[lay.num[d]] = x;
        }
        for (size_t c = 0; c < Dc; c++) {
            const ld_param *p = &spec->params[lay.cat[c]];
            cd.c[c] = draw_category(l.logcat + comp * lay.cw + lay.cat_off[c], p->n_values, &rng);
            cc[lay.cat[c]] = cd.c[c];
        }
        /* Which parameters this candidate makes active: only those are scored. */
        ld_obs_active_unit(spec, cu, cc, active);
        for (size_t d = 0; d < Dn; d++)
            cd.num_on[d] = active[lay.num[d]];
        for (size_t c = 0; c < Dc; c++)
            cd.cat_on[c] = active[lay.cat[c]];
        double score = parzen_logpdf(&l, &lay, &cd, terms, bound) -
                       parzen_logpdf(&g, &lay, &cd, terms, bound);
        if (k == 0 || score > best) {
            best = score;
            memcpy(best_u, cu, P * sizeof *cu);
            memcpy(best_c, cc, P * sizeof *cc);
        }
    }
    memcpy(u_out, best_u, P * sizeof *u_out);
    memcpy(cat_out, best_c, P * sizeof *cat_out);
    free(cu), free(cc), free(buf), free(ibuf), free(best_u), free(best_c);
    st = LD_OK;
done:
    parzen_free(&l);
    parzen_free(&g);
    free(sorted);
    free(radix_tmp);
    free(cnt);
    free(pos_b);
    free(pos_a);
    free(col);
    free(lay.num);
    free(lay.cat);
    free(lay.cat_off);
    free(rk);
    free(below);
    free(above);
    free(wb);
    free(wa);
    return st;
}

const ld_tpe_options ld_tpe_defaults = {
    .gamma = 0.15,
    .n_candidates = N_CANDIDATES,
    .constant_liar = 1,
};

static int tpe_ready(const ld_spec *spec, const ld_obs *obs, int number)
{
    (void)spec, (void)number;
    return obs->n_complete + obs->n_pruned >= N_STARTUP;
}

static ld_status tpe_propose(ld_model_state *s, const ld_spec *spec, const ld_obs *obs,
                             int number, double *u, int *cat)
{
    return ld_tpe_propose(s->seed, spec, obs, number, &ld_tpe_defaults, u, cat);
}

static ld_status tpe_ask(void *state, const ld_spec *spec, const ld_trial *history,
                         size_t n_history, int number, ld_value *values, int *grid_index)
{
    static const ld_model model = {tpe_ready, tpe_propose};
    return ld_model_ask(&model, state, spec, history, n_history, number, values, grid_index);
}

const ld_sampler_type ld_sampler_tpe = {
    .name = "tpe",
    .version = 1,
    .create = tpe_create,
    .destroy = ld_model_state_free,
    .ask = tpe_ask,
    .tell = NULL,
};
