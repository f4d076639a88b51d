/*
 * gp.c — Gaussian-process Bayesian optimization: the `gp` sampler, and the model bayes.c uses.
 *
 * Each ask, from the history alone (so any process gives the same answer for the same
 * (seed, number, history)):
 *   1. encode the trials in the unit cube of ld_param_to_unit (log parameters in log space,
 *      integers at the centre of their cell), categoricals as indices with a Hamming distance,
 *      and, for conditional parameters, an activity column (gp.h);
 *   2. standardize the losses (maximized metrics are negated; +inf is clipped to the worst
 *      finite loss; pruned trials count with their last value, which is a pessimistic one),
 *      after a log warp when they are heavy-tailed (warp_losses);
 *   3. fit the Matérn-5/2 ARD hyperparameters by maximizing the log marginal likelihood plus
 *      log priors (below), with a box-constrained BFGS: from two starts (30 evaluations each)
 *      at checkpoints of the trial count (24, 27, 31, ..., growing by 1/8), from the last
 *      checkpoint's result (15 evaluations) in between (fit_on_schedule);
 *   4. fantasize the pending (queued or running) trials: each joins the data with the posterior
 *      mean as its value ("kriging believer"), which shrinks the variance there, so parallel asks
 *      spread out without a second fit;
 *   5. maximize log expected improvement (Ament et al., NeurIPS 2023: EI's logarithm computed
 *      stably deep in the tail, where plain EI underflows to 0 and gives no direction) over 1,024
 *      scrambled Sobol candidates, 160 perturbations of the five best trials and those trials with
 *      each categorical value swapped in turn, then refine the
 *      best three by a pattern search (coordinate steps halved down to 1e-5; a discrete parameter
 *      steps to the neighbouring cell; a categorical tries each value).
 *
 * Priors (on standardized losses, inputs in [0, 1]): log ls ~ N(sqrt(2) + log(d) / 2, 3)
 * (Hvarfner et al., ICML 2024: the length scales grow with the dimension d), log sf2 ~ N(0, 1),
 * log sn2 ~ N(-8, 4); bounds ls in [5e-3, 1e2], sf2 in [0.05, 20], sn2 in [1e-6, 0.5].
 *
 * Linear algebra goes through LAPACKE (dpotrf, dpotrs, dtrtri, dlauum) and CBLAS (dtrsm, dtrsv,
 * dtrmm, daxpy, ddot).
 * Matrices are column-major, as LAPACK expects. The first ld_obs_n_init(d) trials, and any ask
 * with fewer than two finished trials, take scrambled Sobol points instead.
 */
#include "samplers/gp.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samplers/sampler.h"
#include "samplers/sobol.h"
#include "space.h"
#include "util/rng.h"

/* A count for malloc: at least 1, so that malloc(0) never returns NULL. */
static size_t nz(size_t k) { return k ? k : 1; }

#define GP_SALT 0x67702d73616d706cULL /* "gp-sampl" */
#define SQRT5 2.23606797749978969641
#define LOG_2PI 1.83787706640934548356

#define N_SOBOL 1024
#define N_TOP_OBS 5
#define N_PER_OBS 32
#define N_REFINE 3
#define REFINE_EVALS 100
#define FIT_EVALS 30  /* per start of a full fit */
#define WARM_EVALS 15 /* a fit that starts from the last checkpoint's hyperparameters */
#define CHECKPOINT_ALL 24 /* up to this many observations, every ask is a checkpoint */
#define WARP_SKEW 5.0

/* ---- the model --------------------------------------------------------------------------- */

/* Legend: n points, nc columns, nl length scales. */
struct ld_gp {
    size_t n, nc, nl;
    double *x;        /* [n][nc] row-major inputs */
    double *y;        /* [n] targets */
    ld_gp_col *kind;  /* [nc] */
    size_t *ls_of;    /* [nc] */
    double *ls;       /* [nl] */
    double sf2, sn2;
    double jitter;    /* added to the diagonal when K + sn2 I would not factor */
    double *L;        /* [n][n] column-major; lower triangle: Cholesky factor of K + noise */
    double *alpha;    /* [n] (K + noise)^-1 y */
    int factored;
};

void ld_gp_free(ld_gp *gp)
{
    if (!gp)
        return;
    free(gp->x);
    free(gp->y);
    free(gp->kind);
    free(gp->ls_of);
    free(gp->ls);
    free(gp->L);
    free(gp->alpha);
    free(gp);
}

ld_gp *ld_gp_new(size_t n, size_t nc, const ld_gp_col *kind, const size_t *ls_of, size_t nl,
                 const double *x, const double *y)
{
    ld_gp *gp = calloc(1, sizeof *gp);
    if (!gp)
        return NULL;
    gp->n = n, gp->nc = nc, gp->nl = nl;
    gp->x = malloc(nz(n * nc) * sizeof *gp->x);
    gp->y = malloc(nz(n) * sizeof *gp->y);
    gp->kind = malloc(nz(nc) * sizeof *gp->kind);
    gp->ls_of = malloc(nz(nc) * sizeof *gp->ls_of);
    gp->ls = malloc(nz(nl) * sizeof *gp->ls);
    gp->L = malloc(nz(n * n) * sizeof *gp->L);
    gp->alpha = malloc(nz(n) * sizeof *gp->alpha);
    if (!gp->x || !gp->y || !gp->kind || !gp->ls_of || !gp->ls || !gp->L || !gp->alpha) {
        ld_gp_free(gp);
        return NULL;
    }
    if (n > 0 && nc > 0)
        memcpy(gp->x, x, n * nc * sizeof *x);
    if (n)
        memcpy(gp->y, y, n * sizeof *y);
    if (nc) {
        memcpy(gp->kind, kind, nc * sizeof *kind);
        memcpy(gp->ls_of, ls_of, nc * sizeof *ls_of);
    }
    for (size_t l = 0; l < nl; l++)
        gp->ls[l] = 1.0;
    gp->sf2 = 1.0;
    gp->sn2 = 1e-6;
    return gp;
}

void ld_gp_set_hyper(ld_gp *gp, const double *ls, double sf2, double sn2)
{
    memcpy(gp->ls, ls, gp->nl * sizeof *ls);
    gp->sf2 = sf2;
    gp->sn2 = sn2;
    gp->factored = 0;
}

void ld_gp_get_hyper(const ld_gp *gp, double *ls, double *sf2, double *sn2)
{
    memcpy(ls, gp->ls, gp->nl * sizeof *ls);
    *sf2 = gp->sf2;
    *sn2 = gp->sn2;
}

static double col_sq(ld_gp_col kind, double a, double b)
{
    if (kind == LD_GP_CAT)
        return a != b ? 1.0 : 0.0;
    return (a - b) * (a - b);
}

/* r^2 between two encoded points under the length scales. */
static double dist2(const ld_gp *gp, const double *a, const double *b)
{
    double r2 = 0;
    for (size_t c = 0; c < gp->nc; c++) {
        double l = gp->ls[gp->ls_of[c]];
        r2 += col_sq(gp->kind[c], a[c], b[c]) / (l * l);
    }
    return r2;
}

static double matern52(double r2, double sf2)
{
    double r = sqrt(r2);
    return sf2 * (1.0 + SQRT5 * r + (5.0 / 3.0) * r2) * exp(-SQRT5 * r);
}

/* The pairs (i, j), i > j, of n points, packed column by column: the pair index of (j + 1, j)
   is j n - j (j + 1) / 2, and i runs on from there. */
static size_t n_pairs(size_t n) { return n * (n - (n > 0)) / 2; }

/* Factors K + (sn2 + jitter) I into gp->L, K's off-diagonal taken from kern[n_pairs(n)] (packed),
   and solves for alpha. Jitter grows tenfold from 1e-10 sf2 until dpotrf succeeds. */
static ld_status factor_matrix(ld_gp *gp, const double *kern)
{
    size_t n = gp->n;
    double jitter = 0;
    for (int attempt = 0; attempt < 10; attempt++) {
        const double *k = kern;
        for (size_t j = 0; j < n; j++) {
            gp->L[j + j * n] = gp->sf2 + gp->sn2 + jitter;
            memcpy(gp->L + j + 1 + j * n, k, (n - j - 1) * sizeof *k);
            k += n - j - 1;
        }
        /* the _work forms: no NaN scan of the matrix (every entry is finite by construction) */
        lapack_int ln = (lapack_int)n;
        if (n == 0 || LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', ln, gp->L, ln) == 0) {
            gp->jitter = jitter;
            memcpy(gp->alpha, gp->y, n * sizeof *gp->y);
            if (n)
                LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'L', ln, 1, gp->L, ln, gp->alpha, ln);
            gp->factored = 1;
            return LD_OK;
        }
        jitter = jitter ? jitter * 10 : 1e-10 * gp->sf2;
    }
    gp->factored = 0;
    return LD_ERR_INPUT;
}

ld_status ld_gp_factor(ld_gp *gp)
{
    size_t n = gp->n;
    double *kern = malloc(nz(n_pairs(n)) * sizeof *kern), *k = kern;
    if (!kern)
        return LD_ERR_NOMEM;
    for (size_t j = 0; j < n; j++)
        for (size_t i = j + 1; i < n; i++)
            *k++ = matern52(dist2(gp, gp->x + i * gp->nc, gp->x + j * gp->nc), gp->sf2);
    ld_status st = factor_matrix(gp, kern);
    free(kern);
    return st;
}

double ld_gp_lml(const ld_gp *gp)
{
    double fit = 0, logdet = 0;
    for (size_t i = 0; i < gp->n; i++) {
        fit += gp->y[i] * gp->alpha[i];
        logdet += log(gp->L[i + i * gp->n]);
    }
    return -0.5 * fit - logdet - 0.5 * (double)gp->n * LOG_2PI;
}

/* Posterior at m points xq[m][nc]; ks is scratch of [n][m]. */
static void predict_into(const ld_gp *gp, const double *xq, size_t m, double *mean, double *var,
                         double *ks)
{
    size_t n = gp->n;
    for (size_t q = 0; q < m; q++) {
        double mu = 0;
        for (size_t i = 0; i < n; i++) {
            double k = matern52(dist2(gp, gp->x + i * gp->nc, xq + q * gp->nc), gp->sf2);
            ks[i + q * n] = k;
            mu += k * gp->alpha[i];
        }
        mean[q] = mu;
    }
    if (n == 0) {
        for (size_t q = 0; q < m; q++)
            var[q] = gp->sf2;
        return;
    }
    /* V = L^-1 K*, var = sf2 - column sums of V^2 */
    if (m == 1)
        cblas_dtrsv(CblasColMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)n, gp->L, (int)n,
                    ks, 1);
    else
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)n,
                    (int)m, 1.0, gp->L, (int)n, ks, (int)n);
    for (size_t q = 0; q < m; q++) {
        double s = 0;
        const double *v = ks + q * n;
        for (size_t i = 0; i < n; i++)
            s += v[i] * v[i];
        double vq = gp->sf2 - s;
        var[q] = vq > 1e-12 * gp->sf2 ? vq : 1e-12 * gp->sf2;
    }
}

ld_status ld_gp_predict(const ld_gp *gp, const double *xq, size_t m, double *mean, double *var)
{
    if (!gp->factored)
        return LD_ERR_INPUT;
    double *ks = malloc(nz(gp->n * m) * sizeof *ks);
    if (!ks)
        return LD_ERR_NOMEM;
    predict_into(gp, xq, m, mean, var, ks);
    free(ks);
    return LD_OK;
}

/*
 * log h(z) with h(z) = phi(z) + z Phi(z), so that EI = sigma h((best - mean) / sigma).
 * For z > -1 directly. Below, h(z) = phi(z) (1 - |z| sqrt(pi/2) erfcx(|z| / sqrt 2)) and
 * erfcx(t) = exp(t^2) erfc(t) keeps its precision while exp(t^2) stays finite (|z| < 25);
 * further out the asymptotic series h(z) ~ phi(z) / z^2 (1 - 3 / z^2 + 15 / z^4 - 105 / z^6).
 */
static double log_h(double z)
{
    if (z > -1) {
        double phi = exp(-0.5 * z * z) / sqrt(2 * M_PI), cdf = 0.5 * erfc(-z / M_SQRT2);
        return log(phi + z * cdf);
    }
    double logphi = -0.5 * z * z - 0.5 * LOG_2PI;
    if (z > -25) {
        double t = -z / M_SQRT2;
        double erfcx = exp(t * t) * erfc(t);
        double inner = 1.0 - (-z) * sqrt(M_PI / 2) * erfcx;
        return logphi + log(inner > 1e-300 ? inner : 1e-300);
    }
    double w = 1.0 / (z * z);
    return logphi + log(w) + log1p(-3 * w + 15 * w * w - 105 * w * w * w);
}

double ld_gp_log_ei(double mean, double var, double best)
{
    double sd = sqrt(var > 0 ? var : 0);
    if (!(sd > 0))
        return mean < best ? log(best - mean) : -INFINITY;
    return log(sd) + log_h((best - mean) / sd);
}

/* ---- fitting the hyperparameters --------------------------------------------------------- */

/*
 * A function to minimize, in two parts: most points a line search tries are rejected on their
 * value alone, so the gradient (for the GP, an inverse that costs more than the factorization)
 * is computed only for the points it keeps.
 */
typedef struct {
    double (*value)(const double *theta, void *ctx); /* INFINITY where undefined */
    /* at theta, the point value() was last called with; 0 when it cannot be computed */
    int (*gradient)(const double *theta, double *grad, void *ctx);
    void *ctx;
} objective;

/*
 * Minimizes f over the box [lo, hi] by BFGS on the free variables (those not held at a bound
 * by their gradient), with a projected Armijo backtracking line search. k <= 32 variables; at
 * most max_iter iterations and max_evals evaluations of f's value (each costs a Cholesky
 * factorization: the budget bounds the fit's time).
 * Returns the best value; theta holds its point.
 */
static double minimize_box(const objective *f, double *theta, const double *lo,
                           const double *hi, size_t k, int max_iter, int max_evals)
{
    int evals = 1;
    double H[32 * 32], g[32], gn[32], xn[32], d[32], s[32], yv[32], Hy[32];
    for (size_t i = 0; i < k; i++)
        theta[i] = theta[i] < lo[i] ? lo[i] : theta[i] > hi[i] ? hi[i] : theta[i];
    double fx = f->value(theta, f->ctx);
    if (!isfinite(fx))
        return fx;
    if (!f->gradient(theta, g, f->ctx))
        return INFINITY;
    int fresh = 1;
    for (int it = 0; it < max_iter; it++) {
        if (fresh) {
            memset(H, 0, sizeof H);
            for (size_t i = 0; i < k; i++)
                H[i * k + i] = 1.0;
        }
        /* free variables: not pinned at a bound by the gradient */
        int free_[32];
        double gmax = 0;
        for (size_t i = 0; i < k; i++) {
            free_[i] = !((theta[i] <= lo[i] && g[i] > 0) || (theta[i] >= hi[i] && g[i] < 0));
            if (free_[i] && fabs(g[i]) > gmax)
                gmax = fabs(g[i]);
        }
        if (gmax < 1e-5 || evals >= max_evals)
            break;
        double slope = 0;
        for (size_t i = 0; i < k; i++) {
            d[i] = 0;
            if (!free_[i])
                continue;
            for (size_t j = 0; j < k; j++)
                if (free_[j])
                    d[i] -= H[i * k + j] * g[j];
            slope += d[i] * g[i];
        }
        if (!(slope < 0)) { /* not a descent direction: restart from steepest descent */
            fresh = 1;
            slope = 0;
            for (size_t i = 0; i < k; i++) {
                d[i] = free_[i] ? -g[i] : 0;
                slope += d[i] * g[i];
            }
        }
        double scale = 1.0;
        if (fresh && gmax > 1.0) /* the first step moves no variable by more than 1 */
            scale = 1.0 / gmax;
        double t = scale, fn = INFINITY;
        int accepted = 0;
        for (int ls = 0; ls < 20 && evals < max_evals; ls++) {
            double decrease = 0;
            for (size_t i = 0; i < k; i++) {
                double v = theta[i] + t * d[i];
                xn[i] = v < lo[i] ? lo[i] : v > hi[i] ? hi[i] : v;
                decrease += g[i] * (xn[i] - theta[i]);
            }
            fn = f->value(xn, f->ctx);
            evals++;
            if (isfinite(fn) && fn <= fx + 1e-4 * decrease && f->gradient(xn, gn, f->ctx)) {
                accepted = 1;
                break;
            }
            t *= 0.5;
        }
        if (!accepted)
            break;
        double sy = 0;
        for (size_t i = 0; i < k; i++) {
            s[i] = xn[i] - theta[i];
            yv[i] = gn[i] - g[i];
            sy += s[i] * yv[i];
        }
        double fprev = fx;
        memcpy(theta, xn, k * sizeof *theta);
        memcpy(g, gn, k * sizeof *g);
        fx = fn;
        if (fprev - fx < 1e-7 * (1.0 + fabs(fx)))
            break;
        fresh = 0;
        if (sy > 1e-12) {
            /* BFGS update of the inverse Hessian:
               H += (1 + y'Hy / s'y) ss' / s'y - (Hy s' + s y'H) / s'y */
            double yHy = 0;
            for (size_t i = 0; i < k; i++) {
                Hy[i] = 0;
                for (size_t j = 0; j < k; j++)
                    Hy[i] += H[i * k + j] * yv[j];
                yHy += yv[i] * Hy[i];
            }
            double c = (1.0 + yHy / sy) / sy;
            for (size_t i = 0; i < k; i++)
                for (size_t j = 0; j < k; j++)
                    H[i * k + j] += c * s[i] * s[j] - (Hy[i] * s[j] + s[i] * Hy[j]) / sy;
        }
    }
    return fx;
}

/*
 * Inverts the lower triangular L[n][n] (leading dimension ld) in place by halves:
 * [A 0; B C]^-1 = [A^-1 0; -C^-1 B A^-1  C^-1], with the products in dtrmm. OpenBLAS 0.3.21's
 * dtrtri does the lower triangle unblocked (one dtrmv per column, about 6 GFLOP/s at n = 200);
 * this gives the same inverse in less than half the time, and LAPACK's own for small blocks.
 */
static int invert_lower(double *L, size_t n, size_t ld)
{
    if (n <= 48)
        return LAPACKE_dtrtri_work(LAPACK_COL_MAJOR, 'L', 'N', (lapack_int)n, L, (lapack_int)ld);
    size_t h = n / 2;
    double *A = L, *B = L + h, *C = L + h + h * ld;
    if (invert_lower(A, h, ld) != 0 || invert_lower(C, n - h, ld) != 0)
        return 1;
    cblas_dtrmm(CblasColMajor, CblasRight, CblasLower, CblasNoTrans, CblasNonUnit, (int)(n - h),
                (int)h, -1.0, A, (int)ld, B, (int)ld);
    cblas_dtrmm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)(n - h),
                (int)h, 1.0, C, (int)ld, B, (int)ld);
    return 0;
}

/* (L L')^-1 = L^-T L^-1 into the lower triangle of inv[n][n], from the Cholesky factor L. */
static int inverse_from_cholesky(const double *L, size_t n, double *inv)
{
    memcpy(inv, L, n * n * sizeof *inv);
    if (invert_lower(inv, n, n) != 0)
        return 1;
    return LAPACKE_dlauum_work(LAPACK_COL_MAJOR, 'L', (lapack_int)n, inv, (lapack_int)n) != 0;
}

/* What the negative log posterior needs, allocated once per fit. Pair arrays are packed
   (n_pairs). */
typedef struct {
    ld_gp *gp;
    size_t np;    /* pairs */
    double *S;    /* [nl][np] sum of col_sq over the columns of length scale l */
    double *r2;   /* [np] r^2 under the current length scales */
    double *kern; /* [np] */
    double *dk;   /* [np] sf2 (5/3)(1 + sqrt5 r) exp(-sqrt5 r): dk/dlog ls_l = dk S_l / ls_l^2 */
    double *w;    /* [np] (alpha alpha' - K^-1) at the pair, then times dk */
    double *inv;  /* [n][n] */
    double prior_mu;
} fit_ctx;

#define LS_SD 1.7320508075688772 /* sqrt 3 */
/* The prior's centre of log ls for nl length scales. */
static double prior_mu(size_t nl) { return M_SQRT2 + 0.5 * log((double)nz(nl)); }
#define SF2_SD 1.0
#define SN2_MU (-8.0)
#define SN2_SD 2.0

/* theta = (log ls[nl], log sf2, log sn2): -(log marginal likelihood + log prior), leaving the
   kernel and its factorization in c and c->gp for the gradient. */
static double neg_log_posterior(const double *theta, void *vctx)
{
    fit_ctx *c = vctx;
    ld_gp *gp = c->gp;
    size_t nl = gp->nl, np = c->np;
    for (size_t l = 0; l < nl; l++)
        gp->ls[l] = exp(theta[l]);
    gp->sf2 = exp(theta[nl]);
    gp->sn2 = exp(theta[nl + 1]);
    memset(c->r2, 0, nz(np) * sizeof *c->r2);
    for (size_t l = 0; l < nl; l++)
        cblas_daxpy((int)np, 1.0 / (gp->ls[l] * gp->ls[l]), c->S + l * np, 1, c->r2, 1);
    for (size_t p = 0; p < np; p++) {
        double r = sqrt(c->r2[p]), e = gp->sf2 * exp(-SQRT5 * r);
        c->kern[p] = (1.0 + SQRT5 * r + (5.0 / 3.0) * c->r2[p]) * e;
        c->dk[p] = (5.0 / 3.0) * (1.0 + SQRT5 * r) * e;
    }
    if (factor_matrix(gp, c->kern) != LD_OK)
        return INFINITY;
    double value = -ld_gp_lml(gp);
    for (size_t l = 0; l < nl; l++) {
        double z = (theta[l] - c->prior_mu) / LS_SD;
        value += 0.5 * z * z;
    }
    double zf = theta[nl] / SF2_SD, zn = (theta[nl + 1] - SN2_MU) / SN2_SD;
    return value + 0.5 * zf * zf + 0.5 * zn * zn;
}

/* The gradient of neg_log_posterior at theta, from the state its last call (at theta) left. */
static int neg_log_posterior_gradient(const double *theta, double *grad, void *vctx)
{
    fit_ctx *c = vctx;
    ld_gp *gp = c->gp;
    size_t n = gp->n, nl = gp->nl, np = c->np;
    /* priors */
    for (size_t l = 0; l < nl; l++)
        grad[l] = (theta[l] - c->prior_mu) / LS_SD / LS_SD;
    grad[nl] = theta[nl] / SF2_SD / SF2_SD;
    grad[nl + 1] = (theta[nl + 1] - SN2_MU) / SN2_SD / SN2_SD;

    /* d(-lml)/dtheta = -0.5 tr(W dK/dtheta), W = alpha alpha' - K^-1; each off-diagonal pair
       counts twice */
    if (inverse_from_cholesky(gp->L, n, c->inv) != 0)
        return 0;
    const double *a = gp->alpha;
    double gsf = 0, gsn = 0;
    for (size_t i = 0; i < n; i++) {
        double w = a[i] * a[i] - c->inv[i + i * n];
        gsf += w * gp->sf2;
        gsn += w * (gp->sn2 + gp->jitter);
    }
    double *w = c->w;
    for (size_t j = 0; j < n; j++) {
        const double *inv = c->inv + j * n;
        for (size_t i = j + 1; i < n; i++)
            *w++ = a[i] * a[j] - inv[i];
    }
    gsf += 2 * cblas_ddot((int)np, c->w, 1, c->kern, 1);
    for (size_t p = 0; p < np; p++)
        c->w[p] *= c->dk[p];
    for (size_t l = 0; l < nl; l++)
        grad[l] -= cblas_ddot((int)np, c->w, 1, c->S + l * np, 1) / (gp->ls[l] * gp->ls[l]);
    grad[nl] -= 0.5 * gsf;
    grad[nl + 1] -= 0.5 * gp->sn2 * gsn / (gp->sn2 + gp->jitter);
    return 1;
}

/* Fits from each of the n_starts points starts[n_starts][nl + 2] (theta: log ls, log sf2,
   log sn2), keeps the best, and factors. */
static ld_status fit_from_starts(ld_gp *gp, const double *starts, int n_starts, int max_evals)
{
    size_t n = gp->n, nl = gp->nl, k = nl + 2, np = n_pairs(n);
    if (k > 32)
        return LD_ERR_INPUT;
    fit_ctx c = {.gp = gp, .np = np};
    c.S = calloc(nz(nl * np), sizeof *c.S);
    c.r2 = malloc(nz(np) * sizeof *c.r2);
    c.kern = malloc(nz(np) * sizeof *c.kern);
    c.dk = malloc(nz(np) * sizeof *c.dk);
    c.w = malloc(nz(np) * sizeof *c.w);
    c.inv = malloc(nz(n * n) * sizeof *c.inv);
    if (!c.S || !c.r2 || !c.kern || !c.dk || !c.w || !c.inv) {
        free(c.S), free(c.r2), free(c.kern), free(c.dk), free(c.w), free(c.inv);
        return LD_ERR_NOMEM;
    }
    size_t p = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t i = j + 1; i < n; i++, p++)
            for (size_t col = 0; col < gp->nc; col++)
                c.S[gp->ls_of[col] * np + p] +=
                    col_sq(gp->kind[col], gp->x[i * gp->nc + col], gp->x[j * gp->nc + col]);
    c.prior_mu = prior_mu(nl);

    double lo[32], hi[32], theta[32], best_theta[32], best = INFINITY;
    for (size_t l = 0; l < nl; l++)
        lo[l] = log(5e-3), hi[l] = log(1e2);
    lo[nl] = log(0.05), hi[nl] = log(20.0);
    lo[nl + 1] = log(1e-6), hi[nl + 1] = log(0.5);
    const objective f = {neg_log_posterior, neg_log_posterior_gradient, &c};
    for (int s = 0; s < n_starts; s++) {
        memcpy(theta, starts + (size_t)s * k, k * sizeof *theta);
        double v = minimize_box(&f, theta, lo, hi, k, 50, max_evals);
        if (v < best) {
            best = v;
            memcpy(best_theta, theta, k * sizeof *theta);
        }
    }
    free(c.S), free(c.r2), free(c.kern), free(c.dk), free(c.w), free(c.inv);
    if (!isfinite(best)) {
        for (size_t l = 0; l < nl; l++)
            best_theta[l] = 0;
        best_theta[nl] = 0;
        best_theta[nl + 1] = log(1e-2);
    }
    for (size_t l = 0; l < nl; l++)
        gp->ls[l] = exp(best_theta[l]);
    gp->sf2 = exp(best_theta[nl]);
    gp->sn2 = exp(best_theta[nl + 1]);
    return ld_gp_factor(gp);
}

ld_status ld_gp_fit(ld_gp *gp)
{
    size_t nl = gp->nl, k = nl + 2;
    if (k > 32)
        return LD_ERR_INPUT;
    /* Two starts: the prior's smooth guess, and a wiggly one. */
    double mu = prior_mu(nl), starts[2 * 32];
    const double start_ls[2] = {mu < log(2.0) ? mu : log(2.0), log(0.2)};
    for (int s = 0; s < 2; s++) {
        double *t = starts + s * k;
        for (size_t l = 0; l < nl; l++)
            t[l] = start_ls[s];
        t[nl] = 0;
        t[nl + 1] = log(1e-3);
    }
    return fit_from_starts(gp, starts, 2, FIT_EVALS);
}

ld_status ld_gp_fit_from(ld_gp *gp, const double *ls, double sf2, double sn2, int max_evals)
{
    size_t nl = gp->nl, k = nl + 2;
    if (k > 32)
        return LD_ERR_INPUT;
    double start[32];
    for (size_t l = 0; l < nl; l++)
        start[l] = log(ls[l]);
    start[nl] = log(sf2);
    start[nl + 1] = log(sn2);
    return fit_from_starts(gp, start, 1, max_evals);
}

/* ---- the encoding ------------------------------------------------------------------------ */

/* Legend: P parameters, nc columns, nl length scales (one per modelled parameter). */
typedef struct {
    size_t nc, nl;
    ld_gp_col *kind; /* [nc] */
    size_t *ls_of;   /* [nc] */
    size_t *param;   /* [nc] the parameter of each column */
    ld_col_kind *col;/* [P] */
} encoding;

static void encoding_free(encoding *e)
{
    free(e->kind);
    free(e->ls_of);
    free(e->param);
    free(e->col);
}

static int encoding_build(encoding *e, const ld_spec *spec)
{
    size_t P = spec->n_params, cap = 2 * P + 1;
    memset(e, 0, sizeof *e);
    e->kind = malloc(cap * sizeof *e->kind);
    e->ls_of = malloc(cap * sizeof *e->ls_of);
    e->param = malloc(cap * sizeof *e->param);
    e->col = malloc(nz(P) * sizeof *e->col);
    if (!e->kind || !e->ls_of || !e->param || !e->col) {
        encoding_free(e);
        return 0;
    }
    ld_obs_columns(spec, e->col);
    for (size_t j = 0; j < P; j++) {
        if (e->col[j] == LD_COL_CONST)
            continue;
        size_t l = e->nl++;
        e->kind[e->nc] = e->col[j] == LD_COL_CAT ? LD_GP_CAT : LD_GP_NUM;
        e->ls_of[e->nc] = l;
        e->param[e->nc++] = j;
        if (e->col[j] == LD_COL_NUM && ld_obs_conditional(spec, j)) {
            e->kind[e->nc] = LD_GP_ACT;
            e->ls_of[e->nc] = l;
            e->param[e->nc++] = j;
        }
    }
    return 1;
}

/* x[nc] of a point given by u[P], cat[P] and active[P]. An inactive numeric parameter sits at
   0.5 with activity 0; an inactive categorical is one more value, unlike all the others. */
static void encode(const encoding *e, const ld_spec *spec, const double *u, const int *cat,
                   const int *active, double *x)
{
    for (size_t c = 0; c < e->nc; c++) {
        size_t j = e->param[c];
        int on = active[j];
        switch (e->kind[c]) {
        case LD_GP_NUM:
            x[c] = on && !isnan(u[j]) ? u[j] : 0.5;
            break;
        case LD_GP_ACT:
            x[c] = on && !isnan(u[j]) ? 1.0 : 0.0;
            break;
        case LD_GP_CAT:
            x[c] = on && cat[j] >= 0 ? (double)cat[j] : (double)spec->params[j].n_values;
            break;
        }
    }
}

/* ---- proposing --------------------------------------------------------------------------- */

/* The acquisition at one point (u, cat): log EI, with scratch for the encoding and k*. */
typedef struct {
    const ld_gp *gp;
    const encoding *enc;
    const ld_spec *spec;
    double best;
    double *x;  /* [nc] */
    double *ks; /* [n] */
    int *active;/* [P] */
} acq_ctx;

static double acquire(acq_ctx *a, const double *u, const int *cat)
{
    double mean, var;
    ld_obs_active_unit(a->spec, u, cat, a->active);
    encode(a->enc, a->spec, u, cat, a->active, a->x);
    predict_into(a->gp, a->x, 1, &mean, &var, a->ks);
    return ld_gp_log_ei(mean, var, a->best);
}

/* Snaps a discrete parameter's coordinate to the centre of its cell. */
static double snap(const ld_param *p, double u)
{
    double lo, hi;
    ld_obs_cell(p, u, &lo, &hi);
    return lo < hi ? 0.5 * (lo + hi) : u;
}

/* Pattern search from (u, cat) uphill in the acquisition; updates them and returns the value. */
static double refine(acq_ctx *a, double *u, int *cat, double value)
{
    const ld_spec *spec = a->spec;
    size_t P = spec->n_params;
    double step = 0.05;
    int evals = 0;
    while (step > 1e-5 && evals < REFINE_EVALS) {
        int improved = 0;
        for (size_t j = 0; j < P && evals < REFINE_EVALS; j++) {
            const ld_param *p = &spec->params[j];
            if (a->enc->col[j] == LD_COL_NUM) {
                if (!a->active[j])
                    continue;
                double old = u[j], lo, hi;
                ld_obs_cell(p, old, &lo, &hi);
                for (int dir = -1; dir <= 1; dir += 2) {
                    double v;
                    if (lo < hi) /* discrete: the neighbouring cell */
                        v = dir < 0 ? (lo > 0 ? snap(p, lo - 1e-9) : old)
                                    : (hi < 1 ? snap(p, hi + 1e-9) : old);
                    else
                        v = old + dir * step;
                    v = v < 0 ? 0 : v >= 1 ? 1 - 1e-12 : v;
                    if (v == old)
                        continue;
                    u[j] = v;
                    double f = acquire(a, u, cat);
                    evals++;
                    if (f > value + 1e-12) {
                        value = f;
                        improved = 1;
                        break;
                    }
                    u[j] = old;
                }
            } else if (a->enc->col[j] == LD_COL_CAT) {
                if (!a->active[j])
                    continue;
                int old = cat[j], best_c = old;
                for (size_t t = 0; t < p->n_values; t++) {
                    if ((int)t == old)
                        continue;
                    cat[j] = (int)t;
                    double f = acquire(a, u, cat);
                    evals++;
                    if (f > value + 1e-12) {
                        value = f;
                        best_c = (int)t;
                        improved = 1;
                    }
                }
                cat[j] = best_c;
            }
            ld_obs_active_unit(spec, u, cat, a->active);
        }
        if (!improved)
            step *= 0.5;
    }
    return value;
}

typedef struct {
    double v;
    size_t i;
} scored;

static int cmp_scored_desc(const void *pa, const void *pb)
{
    const scored *x = pa, *y = pb;
    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Fills the candidates cu[M][P], cc[M][P]: Sobol points, then perturbations of the best trials
   top[n_top] (indices into obs), then those trials with one categorical value swapped. */
static size_t make_candidates(uint64_t seed, int number, const ld_spec *spec,
                              const encoding *e, const ld_obs *obs, const size_t *top,
                              size_t n_top, double *cu, int *cc)
{
    size_t P = spec->n_params, m = 0;
    uint64_t key0 = ld_mix64(seed ^ GP_SALT ^ ld_mix64((uint64_t)number));
    uint32_t v[32];
    for (size_t i = 0; i < N_SOBOL; i++, m++)
        for (size_t j = 0; j < P; j++)
            cu[m * P + j] = 0.5, cc[m * P + j] = -1;
    for (size_t j = 0, dim = 0; j < P; j++) {
        if (e->col[j] == LD_COL_CONST)
            continue;
        ld_rng fallback;
        ld_rng_seed(&fallback, key0, j);
        int have = ld_sobol_directions(dim, v) == 0;
        uint64_t key = ld_mix64(key0 + dim);
        dim++;
        for (size_t i = 0; i < N_SOBOL; i++) {
            double x = have ? ld_sobol_scramble(ld_sobol_coord(v, (uint32_t)i), key)
                            : ld_rng_uniform(&fallback);
            const ld_param *p = &spec->params[j];
            if (e->col[j] == LD_COL_CAT) {
                size_t t = (size_t)(x * (double)p->n_values);
                cc[i * P + j] = (int)(t < p->n_values ? t : p->n_values - 1);
            } else {
                cu[i * P + j] = snap(p, x);
            }
        }
    }
    ld_rng rng;
    ld_rng_seed(&rng, key0 ^ 0x6c6f63616cULL, 1);
    for (size_t t = 0; t < n_top; t++) {
        size_t o = top[t];
        for (size_t r = 0; r < N_PER_OBS; r++, m++) {
            double width = r % 2 ? 0.02 : 0.1;
            for (size_t j = 0; j < P; j++) {
                const ld_param *p = &spec->params[j];
                double x = obs->u[o * P + j];
                int c = obs->cat[o * P + j];
                cu[m * P + j] = 0.5, cc[m * P + j] = -1;
                if (e->col[j] == LD_COL_NUM) {
                    x = isnan(x) ? ld_rng_uniform(&rng) : x + width * ld_rng_normal(&rng);
                    x = x < 0 ? 0 : x >= 1 ? 1 - 1e-12 : x;
                    cu[m * P + j] = snap(p, x);
                } else if (e->col[j] == LD_COL_CAT) {
                    if (c < 0 || ld_rng_uniform(&rng) < 0.2)
                        c = (int)ld_rng_below(&rng, p->n_values);
                    cc[m * P + j] = c;
                }
            }
        }
    }
    /* each best trial with one categorical value swapped: a categorical is a jump that local
       perturbations rarely make, and EI needs to see the other values next to the good ones */
    for (size_t t = 0; t < n_top; t++) {
        size_t o = top[t];
        for (size_t j = 0; j < P; j++) {
            if (e->col[j] != LD_COL_CAT || obs->cat[o * P + j] < 0)
                continue;
            for (size_t v2 = 0; v2 < spec->params[j].n_values; v2++) {
                if ((int)v2 == obs->cat[o * P + j])
                    continue;
                for (size_t k = 0; k < P; k++) {
                    double x = obs->u[o * P + k];
                    cu[m * P + k] = isnan(x) ? 0.5 : x;
                    cc[m * P + k] = obs->cat[o * P + k];
                }
                cc[m * P + j] = (int)v2;
                m++;
            }
        }
    }
    return m;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/*
 * A monotone warp of heavy-tailed losses: log(1 + (y - min) / (median - min)), applied only
 * when the upper half spreads more than WARP_SKEW times as far as the lower half (max - median >
 * WARP_SKEW (median - min)). Such tails (a Rosenbrock's 1e5 beside its 10) otherwise dominate the
 * standardized scale and flatten the region that matters; bounded losses (an error rate) are
 * left alone, where a warp only blurs the bottom. Order, and so the best trial, is unchanged.
 */
static void warp_losses(double *y, size_t n)
{
    if (n < 3)
        return;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return;
    memcpy(s, y, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_dbl);
    double lo = s[0], scale = s[n / 2] - s[0], upper = s[n - 1] - s[n / 2];
    free(s);
    if (!(scale > 0) || !isfinite(scale) || !(upper > WARP_SKEW * scale))
        return;
    for (size_t i = 0; i < n; i++)
        y[i] = log1p((y[i] - lo) / scale);
}

/*
 * y[n]: the losses of the observations idx[n] (rows of obs), as the model sees them: +inf
 * becomes the worst finite loss among them, heavy tails are warped, and the result is
 * standardized. A function of those observations alone, so a prefix of them gets the targets
 * it would have had as a whole history.
 */
static void model_targets(const ld_obs *obs, const size_t *idx, size_t n, double *y)
{
    double worst = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double l = obs->loss[idx[i]];
        if (isfinite(l) && l > worst)
            worst = l;
    }
    for (size_t i = 0; i < n; i++) {
        double l = obs->loss[idx[i]];
        y[i] = isfinite(l) ? l : isfinite(worst) ? worst : 0; /* +inf: the worst finite loss */
    }
    warp_losses(y, n);
    double mu = 0, sd = 0;
    for (size_t i = 0; i < n; i++)
        mu += y[i];
    mu /= (double)nz(n);
    for (size_t i = 0; i < n; i++)
        sd += (y[i] - mu) * (y[i] - mu);
    sd = n > 1 ? sqrt(sd / (double)(n - 1)) : 0;
    if (!(sd > 0) || !isfinite(sd))
        sd = 1;
    for (size_t i = 0; i < n; i++)
        y[i] = (y[i] - mu) / sd;
}

/* The checkpoint for n observations: the largest member of 1, 2, ..., CHECKPOINT_ALL, then
   c + ceil(c / 8) onwards (27, 31, 35, 40, ..., 176, 198, 223, ...), that is at most n. */
static size_t checkpoint(size_t n)
{
    if (n <= CHECKPOINT_ALL)
        return n;
    size_t c = CHECKPOINT_ALL;
    while (c + (c + 7) / 8 <= n)
        c += (c + 7) / 8;
    return c;
}

/* A hash of a model's data (the encoded inputs and the targets) and of how it is fitted. */
static uint64_t data_key(const ld_gp *gp, size_t n, const double *y, uint64_t how)
{
    uint64_t h = ld_mix64(how ^ ((uint64_t)n << 32) ^ gp->nc);
    for (size_t i = 0; i < n * gp->nc; i++) {
        uint64_t bits;
        memcpy(&bits, &gp->x[i], sizeof bits);
        h = ld_mix64(h ^ bits);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &y[i], sizeof bits);
        h = ld_mix64(h ^ bits);
    }
    return h;
}

/* The entry for key (marked as just used), or NULL. */
static const ld_fit_memo_slot *memo_find(ld_fit_memo *memo, uint64_t key, size_t nl)
{
    for (size_t i = 0; memo && i < LD_FIT_MEMO_SLOTS; i++)
        if (memo->slot[i].used && memo->slot[i].key == key && memo->slot[i].nl == nl) {
            memo->slot[i].stamp = ++memo->clock;
            return &memo->slot[i];
        }
    return NULL;
}

/* Remembers gp's hyperparameters under key, in place of the least recently used entry. */
static void memo_store(ld_fit_memo *memo, uint64_t key, const ld_gp *gp)
{
    if (!memo || gp->nl > LD_FIT_MEMO_MAX_LS)
        return;
    ld_fit_memo_slot *slot = &memo->slot[0];
    for (size_t i = 1; i < LD_FIT_MEMO_SLOTS; i++)
        if (!memo->slot[i].used || (slot->used && memo->slot[i].stamp < slot->stamp))
            slot = &memo->slot[i];
    slot->used = 1;
    slot->key = key;
    slot->stamp = ++memo->clock;
    slot->nl = gp->nl;
    ld_gp_get_hyper(gp, slot->ls, &slot->sf2, &slot->sn2);
}

/*
 * Fits gp (n observations idx[n] of obs, in trial-number order) on a schedule that is a
 * function of the data alone. The hyperparameters of n observations move little from those of
 * 0.9 n, so a full fit (two starts, FIT_EVALS each) runs only at checkpoints: on the first
 * checkpoint(n) observations, with their own targets. Between checkpoints the fit starts from
 * the checkpoint's result and takes at most WARM_EVALS steps. Either result depends only on the
 * observations, so every process gets the same model; memo (NULL: none) spares a process the
 * fits it has already done, keyed by a hash of their data.
 */
static ld_status fit_on_schedule(ld_gp *gp, const ld_obs *obs, const size_t *idx,
                                 ld_fit_memo *memo)
{
    size_t n = gp->n, c = checkpoint(n);
    uint64_t key = data_key(gp, n, gp->y, c == n ? 1 : 2);
    const ld_fit_memo_slot *hit = memo_find(memo, key, gp->nl);
    if (hit) {
        ld_gp_set_hyper(gp, hit->ls, hit->sf2, hit->sn2);
        return ld_gp_factor(gp);
    }
    ld_status st;
    if (c == n) {
        st = ld_gp_fit(gp);
    } else {
        double *yc = malloc(nz(c) * sizeof *yc);
        if (!yc)
            return LD_ERR_NOMEM;
        model_targets(obs, idx, c, yc);
        ld_gp *head = ld_gp_new(c, gp->nc, gp->kind, gp->ls_of, gp->nl, gp->x, yc);
        if (!head) {
            free(yc);
            return LD_ERR_NOMEM;
        }
        uint64_t head_key = data_key(head, c, yc, 1);
        free(yc);
        hit = memo_find(memo, head_key, gp->nl);
        if (hit) {
            ld_gp_set_hyper(head, hit->ls, hit->sf2, hit->sn2);
            st = LD_OK;
        } else {
            st = ld_gp_fit(head);
            if (st == LD_OK)
                memo_store(memo, head_key, head);
        }
        if (st == LD_OK)
            st = ld_gp_fit_from(gp, head->ls, head->sf2, head->sn2, WARM_EVALS);
        ld_gp_free(head);
    }
    if (st == LD_OK)
        memo_store(memo, key, gp);
    return st;
}

ld_status ld_gp_propose(uint64_t seed, const ld_spec *spec, const ld_obs *obs, int number,
                        ld_fit_memo *memo, double *u_out, int *cat_out)
{
    size_t P = spec->n_params, N = obs->n;
    encoding e;
    if (!encoding_build(&e, spec))
        return LD_ERR_NOMEM;
    /* Our matrices are small (n <= a few hundred): OpenBLAS's threads (OpenMP or pthreads)
       cost more to wake than they save, ten times more on a busy machine. One thread while we
       work, and the caller's setting back afterwards. */
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    size_t n_swaps = 0;
    for (size_t j = 0; j < P; j++)
        if (e.col[j] == LD_COL_CAT)
            n_swaps += spec->params[j].n_values - 1;
    size_t nc = e.nc, M = N_SOBOL + N_TOP_OBS * (N_PER_OBS + n_swaps);
    ld_status st = LD_ERR_NOMEM;
    double *x = malloc(nz(N * nc) * sizeof *x);
    double *y = malloc(nz(N) * sizeof *y);
    size_t *idx = malloc(nz(N) * sizeof *idx);
    int *active = malloc(nz(P) * sizeof *active);
    double *cu = malloc(M * nz(P) * sizeof *cu);
    int *cc = malloc(M * nz(P) * sizeof *cc);
    double *xq = malloc(M * nz(nc) * sizeof *xq);
    double *mean = malloc(M * sizeof *mean), *var = malloc(M * sizeof *var);
    scored *sc = malloc(M * sizeof *sc);
    double *ks = NULL;
    ld_gp *gp = NULL, *full = NULL;
    if (!x || !y || !idx || !active || !cu || !cc || !xq || !mean || !var || !sc)
        goto done;

    /* Observations (complete and pruned), encoded, with their standardized losses. */
    size_t n = 0;
    for (size_t i = 0; i < N; i++)
        if (obs->kind[i] != LD_OBS_PENDING)
            idx[n++] = i;
    for (size_t i = 0; i < n; i++) {
        const double *uo = obs->u + idx[i] * P;
        const int *co = obs->cat + idx[i] * P;
        for (size_t j = 0; j < P; j++)
            active[j] = e.col[j] == LD_COL_CAT ? co[j] >= 0 : !isnan(uo[j]);
        encode(&e, spec, uo, co, active, x + i * nc);
    }
    model_targets(obs, idx, n, y);
    double best = INFINITY;
    for (size_t i = 0; i < n; i++)
        best = y[i] < best ? y[i] : best;
    gp = ld_gp_new(n, nc, e.kind, e.ls_of, e.nl, x, y);
    if (!gp)
        goto done;
    st = fit_on_schedule(gp, obs, idx, memo);
    if (st != LD_OK)
        goto done;

    /* Fantasize the pending trials at the posterior mean. */
    size_t n_all = n;
    for (size_t i = 0; i < N; i++) {
        if (obs->kind[i] != LD_OBS_PENDING)
            continue;
        const double *uo = obs->u + i * P;
        const int *co = obs->cat + i * P;
        for (size_t j = 0; j < P; j++)
            active[j] = e.col[j] == LD_COL_CAT ? co[j] >= 0 : !isnan(uo[j]);
        encode(&e, spec, uo, co, active, x + n_all * nc);
        double v;
        st = ld_gp_predict(gp, x + n_all * nc, 1, &y[n_all], &v);
        if (st != LD_OK)
            goto done;
        n_all++;
    }
    const ld_gp *model = gp;
    if (n_all > n) {
        full = ld_gp_new(n_all, nc, e.kind, e.ls_of, e.nl, x, y);
        if (!full) {
            st = LD_ERR_NOMEM;
            goto done;
        }
        ld_gp_set_hyper(full, gp->ls, gp->sf2, gp->sn2);
        st = ld_gp_factor(full);
        if (st != LD_OK)
            goto done;
        model = full;
    }

    /* Candidates: the five best trials seed the local ones. */
    size_t n_top = n < N_TOP_OBS ? n : N_TOP_OBS;
    size_t top[N_TOP_OBS];
    for (size_t i = 0; i < n; i++)
        sc[i] = (scored){-y[i], idx[i]};
    qsort(sc, n, sizeof *sc, cmp_scored_desc);
    for (size_t t = 0; t < n_top; t++)
        top[t] = sc[t].i;
    M = make_candidates(seed, number, spec, &e, obs, top, n_top, cu, cc);
    for (size_t q = 0; q < M; q++) {
        ld_obs_active_unit(spec, cu + q * P, cc + q * P, active);
        encode(&e, spec, cu + q * P, cc + q * P, active, xq + q * nc);
    }
    ks = malloc(nz(model->n * M) * sizeof *ks);
    if (!ks) {
        st = LD_ERR_NOMEM;
        goto done;
    }
    predict_into(model, xq, M, mean, var, ks);
    for (size_t q = 0; q < M; q++) {
        double a = ld_gp_log_ei(mean[q], var[q], best);
        sc[q] = (scored){isnan(a) ? -INFINITY : a, q};
    }
    qsort(sc, M, sizeof *sc, cmp_scored_desc);

    acq_ctx ac = {.gp = model, .enc = &e, .spec = spec, .best = best, .x = xq, .ks = ks,
                  .active = active};
    double top_value = -INFINITY;
    double *tu = malloc(nz(P) * sizeof *tu);
    int *tc = malloc(nz(P) * sizeof *tc);
    if (!tu || !tc) {
        free(tu), free(tc);
        st = LD_ERR_NOMEM;
        goto done;
    }
    for (size_t r = 0; r < N_REFINE && r < M; r++) {
        size_t q = sc[r].i;
        memcpy(tu, cu + q * P, P * sizeof *tu);
        memcpy(tc, cc + q * P, P * sizeof *tc);
        ld_obs_active_unit(spec, tu, tc, active);
        double f = refine(&ac, tu, tc, sc[r].v);
        if (r == 0 || f > top_value) {
            top_value = f;
            memcpy(u_out, tu, P * sizeof *tu);
            memcpy(cat_out, tc, P * sizeof *tc);
        }
    }
    free(tu), free(tc);
    st = LD_OK;
done:
    openblas_set_num_threads(blas_threads);
    ld_gp_free(gp);
    ld_gp_free(full);
    encoding_free(&e);
    free(x), free(y), free(idx), free(active), free(cu), free(cc), free(xq), free(mean),
        free(var), free(sc), free(ks);
    return st;
}

/* ---- the sampler ------------------------------------------------------------------------- */

static ld_status gp_create(const ld_spec *spec, uint64_t seed, void **state, char *err,
                           size_t errlen)
{
    *state = NULL;
    size_t modelled = ld_obs_dims(spec);
    if (modelled > 30) {
        if (err && errlen)
            snprintf(err, errlen, "method gp models at most 30 parameters (this sweep has %zu); "
                                  "use tpe or bayes",
                     modelled);
        return LD_ERR_INPUT;
    }
    return ld_model_state_new(spec, seed, state, err, errlen);
}

static int gp_ready(const ld_spec *spec, const ld_obs *obs, int number)
{
    return (size_t)number >= ld_obs_n_init(ld_obs_dims(spec)) &&
           obs->n_complete + obs->n_pruned >= 2;
}

static ld_status gp_propose(ld_model_state *s, const ld_spec *spec, const ld_obs *obs,
                            int number, double *u, int *cat)
{
    return ld_gp_propose(s->seed, spec, obs, number, &s->fits, u, cat);
}

static ld_status gp_ask(void *state, const ld_spec *spec, const ld_trial *history,
                        size_t n_history, int number, ld_value *values, int *grid_index)
{
    static const ld_model model = {gp_ready, gp_propose};
    return ld_model_ask(&model, state, spec, history, n_history, number, values, grid_index);
}

const ld_sampler_type ld_sampler_gp = {
    .name = "gp",
    .version = 1,
    .create = gp_create,
    .destroy = ld_model_state_free,
    .ask = gp_ask,
    .tell = NULL,
};
