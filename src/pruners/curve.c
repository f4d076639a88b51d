/*
 * curve.c — stop a trial when even an optimistic extrapolation of its learning curve to the
 * final step cannot reach the k-th best final value of the complete trials (after Domhan et al.
 * 2015, "Speeding up automatic hyperparameter optimization of deep neural networks by
 * extrapolation of learning curves", with a small family fitted by least squares instead of
 * their MCMC). Rung rules compare values at the same step and so cut a large learning rate
 * that looks bad early and wins late; an extrapolation sees where the curve is going.
 *
 * The recent half of the trial's finite reports (at least `min_points`; x = step, y = value,
 * negated when minimizing so that higher is better: a curve that peaked and declines is judged
 * by where it is going now) is fitted with each family y = c + b * phi(x):
 *   log-linear   phi = ln x
 *   power law    phi = x^-alpha   (saturating at c)
 *   exponential  phi = exp(-k x / x_last)   (saturating at c)
 * c and b by least squares; the shape (alpha, k) by maximum likelihood under Gaussian noise
 * (a grid a factor 2^(1/4) apart, refined by golden-section search). The uncertainty of the
 * shape is its profile likelihood interval: every shape whose fit is within 1.92 log-likelihood
 * units of the best fit of any family (the likelihood-ratio test at 95%). Each plausible member
 * (the interval's ends, its best shape, the log-linear fit when plausible) predicts y(F) at the
 * final step F with the standard deviation of a new observation there,
 * s * sqrt(1 + 1/n + (phi(F) - mean phi)^2 / S_phiphi), s^2 = RSS / dof; the optimistic bound
 * is the largest y(F) + z_t * sd, z_t being z (`z`, default 2) widened for the few degrees of
 * freedom (Student's t, first Cornish-Fisher term), and at least the best value already
 * reported. The trial stops when the bound does not reach the `top`-th best value (default 1)
 * of the complete trials. Nothing is judged without a known final step (ld_final_step), before
 * `min_points` (default 4) finite reports, before n_warmup_steps, or before n_startup_trials
 * complete trials. NaN reports are skipped.
 * Why the interval and not the single best fit, or a likelihood-weighted average: the
 * asymptote of a curve still rising moves a lot with a small change of rate, and the best fit
 * under-predicts a late bloomer often enough to cut it (tests/unit/test_pruners.c,
 * test_curve_crossing; bench/pruning/replay.sh measured both).
 * Cost: about 150 fits of at most n points; tens of microseconds (bench/pruning/judge.sh).
 */
#include <math.h>
#include <stdlib.h>

#include "pruners/pruner.h"

#define MAX_POINTS 4096
/* A member is plausible while its log-likelihood is within this of the best member's (the
   likelihood-ratio test's 95% point for one parameter, chi2(1) / 2 = 1.92) */
#define PLAUSIBLE 1.92

/* One member's fit of y = c + b * phi(x) to (phi_i, y_i): its prediction at F, the standard
   deviation of a new observation there, and its residual sum of squares; 0 when the fit is
   degenerate (phi constant over the points). */
typedef struct {
    double mean, sd, rss;
} fit;

static int fit_member(const double *phi, const double *y, size_t n, double phi_final,
                      double s_floor, fit *out)
{
    double mp = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mp += phi[i];
        my += y[i];
    }
    mp /= (double)n;
    my /= (double)n;
    double spp = 0, spy = 0;
    for (size_t i = 0; i < n; i++) {
        spp += (phi[i] - mp) * (phi[i] - mp);
        spy += (phi[i] - mp) * (y[i] - my);
    }
    if (!(spp > 1e-12 * (1 + mp * mp)))
        return 0;
    double b = spy / spp, c = my - b * mp, rss = 0;
    for (size_t i = 0; i < n; i++) {
        double r = y[i] - (c + b * phi[i]);
        rss += r * r;
    }
    double s = sqrt(rss / (double)(n - 2));
    if (s < s_floor)
        s = s_floor;
    double d = phi_final - mp;
    out->mean = c + b * phi_final;
    out->sd = s * sqrt(1 + 1.0 / (double)n + d * d / spp);
    out->rss = fmax(rss, (double)n * s_floor * s_floor);
    return isfinite(out->mean) && isfinite(out->sd);
}

/* A curve and its final step, shared by the fits of every member of the family. */
typedef struct {
    const double *x, *y;
    size_t n;
    double F, s_floor;
    double *phi; /* scratch, n values */
} curve_fit;

enum { LOG_LINEAR, POWER_LAW, EXPONENTIAL };
static const char *const family_names[] = {"log-linear", "power law", "exponential"};

/* Fits the member of `kind` with this shape (alpha, or the rate k in units of 1 / x_last);
   *log_lik is its log-likelihood under Gaussian noise, -n/2 ln RSS up to a constant (every
   member has two free parameters, so none is favoured). 0 when degenerate. */
static int fit_shape(const curve_fit *c, int kind, double shape, fit *out, double *log_lik)
{
    double x_last = c->x[c->n - 1];
    for (size_t i = 0; i < c->n; i++) {
        double xi = fmax(c->x[i], 1e-9);
        c->phi[i] = kind == LOG_LINEAR  ? log(xi)
                    : kind == POWER_LAW ? pow(xi, -shape)
                                        : exp(-shape * xi / x_last);
    }
    double phi_final = kind == LOG_LINEAR  ? log(c->F)
                       : kind == POWER_LAW ? pow(c->F, -shape)
                                           : exp(-shape * c->F / x_last);
    if (!fit_member(c->phi, c->y, c->n, phi_final, c->s_floor, out))
        return 0;
    *log_lik = -0.5 * (double)c->n * log(out->rss);
    return isfinite(*log_lik);
}

/* Shapes of the coarse grid: 0.1 * 2^(i/4), i < GRID (0.1 .. 8.7); refined between them. */
#define GRID 27
#define GOLDEN_STEPS 24
#define BISECT_STEPS 16

static double grid_shape(int i)
{
    return 0.1 * pow(2, i / 4.0);
}

/* The family of `kind`'s most likely shape: the best grid point, refined by golden-section
   search on the log of the shape between its neighbours. */
static double best_shape(const curve_fit *c, int kind, double *best_ll)
{
    int best_i = -1;
    double ll, top = -INFINITY;
    fit f;
    for (int i = 0; i < GRID; i++)
        if (fit_shape(c, kind, grid_shape(i), &f, &ll) && ll > top) {
            top = ll;
            best_i = i;
        }
    *best_ll = top;
    if (best_i < 0)
        return NAN;
    double a = log(grid_shape(best_i > 0 ? best_i - 1 : 0)),
           b = log(grid_shape(best_i < GRID - 1 ? best_i + 1 : GRID - 1)),
           g = (sqrt(5) - 1) / 2, best = grid_shape(best_i);
    for (int step = 0; step < GOLDEN_STEPS; step++) {
        double m1 = b - g * (b - a), m2 = a + g * (b - a), ll1, ll2;
        int ok1 = fit_shape(c, kind, exp(m1), &f, &ll1);
        int ok2 = fit_shape(c, kind, exp(m2), &f, &ll2);
        if (!ok1 && !ok2)
            break;
        if (ok1 && (!ok2 || ll1 >= ll2))
            b = m2;
        else
            a = m1;
        double mid = exp((a + b) / 2);
        if (fit_shape(c, kind, mid, &f, &ll) && ll > *best_ll) {
            *best_ll = ll;
            best = mid;
        }
    }
    return best;
}

/* The end of the shape's plausible interval on one side of `from` (dir -1: smaller shapes,
   which saturate later and predict more; +1: larger): walk the grid outward while plausible,
   then bisect between the last plausible and the first implausible shape. */
static double interval_end(const curve_fit *c, int kind, double from, int dir, double floor_ll)
{
    fit f;
    double ll, inside = log(from), outside = NAN;
    int i = dir < 0 ? GRID - 1 : 0; /* the first grid point beyond `from` */
    while (i >= 0 && i < GRID && (dir < 0 ? grid_shape(i) >= from : grid_shape(i) <= from))
        i += dir;
    for (; i >= 0 && i < GRID; i += dir) {
        double g = log(grid_shape(i));
        if (!fit_shape(c, kind, exp(g), &f, &ll) || ll < floor_ll) {
            outside = g;
            break;
        }
        inside = g;
    }
    if (isnan(outside))
        return exp(inside); /* plausible to the end of the grid */
    for (int step = 0; step < BISECT_STEPS; step++) {
        double mid = (inside + outside) / 2;
        if (fit_shape(c, kind, exp(mid), &f, &ll) && ll >= floor_ll)
            inside = mid;
        else
            outside = mid;
    }
    return exp(inside);
}

/*
 * The optimistic value at step F of the curve (x, y). Each saturating family's shape (power
 * alpha, exponential rate) is fitted by maximum likelihood, and its uncertainty is the profile
 * likelihood interval: the shapes whose fit is within PLAUSIBLE log-likelihood units of the
 * best member of the whole family (log-linear included). The bound is the largest prediction
 * + z standard deviations over the plausible members (the interval's ends, its most likely
 * shape, and the log-linear fit when plausible). A curve that has flattened is so judged by
 * the saturating forms, not by a log-linear fit that would let it grow for ever; a curve still
 * rising has a wide interval of rates, whose slowest predicts a high final value, and goes on.
 * *family: the family of the member that gives the bound.
 */
static double optimistic(const double *x, const double *y, size_t n, double F, double z,
                         double *phi, const char **family)
{
    double lo = y[0], hi = y[0];
    for (size_t i = 1; i < n; i++) {
        lo = fmin(lo, y[i]);
        hi = fmax(hi, y[i]);
    }
    curve_fit c = {.x = x, .y = y, .n = n, .F = F, .s_floor = 1e-3 * (hi - lo) + 1e-12,
                   .phi = phi};
    double shape[3] = {0, NAN, NAN}, ll[3] = {-INFINITY, -INFINITY, -INFINITY};
    fit f;
    if (!fit_shape(&c, LOG_LINEAR, 0, &f, &ll[LOG_LINEAR]))
        ll[LOG_LINEAR] = -INFINITY;
    shape[POWER_LAW] = best_shape(&c, POWER_LAW, &ll[POWER_LAW]);
    shape[EXPONENTIAL] = best_shape(&c, EXPONENTIAL, &ll[EXPONENTIAL]);
    double top = fmax(ll[LOG_LINEAR], fmax(ll[POWER_LAW], ll[EXPONENTIAL]));
    if (!isfinite(top))
        return -INFINITY;
    double floor_ll = top - PLAUSIBLE, bound = -INFINITY, member_ll;
    for (int kind = LOG_LINEAR; kind <= EXPONENTIAL; kind++) {
        if (!(ll[kind] >= floor_ll))
            continue;
        double candidates[3] = {shape[kind], shape[kind], shape[kind]};
        if (kind != LOG_LINEAR) {
            candidates[1] = interval_end(&c, kind, shape[kind], -1, floor_ll);
            candidates[2] = interval_end(&c, kind, shape[kind], +1, floor_ll);
        }
        /* z as a normal quantile, widened for the degrees of freedom left to estimate the
           noise (n - 2, and one fewer with a fitted shape) by the first Cornish-Fisher term of
           Student's t: 4 points are few to estimate a noise level from */
        double dof = (double)n - (kind == LOG_LINEAR ? 2 : 3);
        if (dof < 1)
            continue;
        double z_t = z * (1 + (z * z + 1) / (4 * dof));
        for (int k = 0; k < 3; k++)
            if (fit_shape(&c, kind, candidates[k], &f, &member_ll) && member_ll >= floor_ll &&
                f.mean + z_t * f.sd > bound) {
                bound = f.mean + z_t * f.sd;
                *family = family_names[kind];
            }
    }
    return bound;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

static ld_status curve_should_prune(void *state, const ld_spec *spec, const ld_trial *history,
                                    size_t n, const ld_trial *trial, int *stop, char **reason)
{
    (void)state;
    const ld_early_terminate *et = &spec->early_terminate;
    const ld_series *s = ld_judged_objective(spec, trial);
    double F = s ? ld_final_step(spec, trial, history, n) : 0;
    if (!s || F <= 0)
        return LD_OK;
    double sign = spec->maximize ? 1 : -1;
    double *finals = malloc((n ? n : 1) * sizeof *finals);
    double *buf = malloc(3 * (s->n < MAX_POINTS ? s->n : MAX_POINTS) * sizeof *buf);
    if (!finals || !buf) {
        free(finals);
        free(buf);
        return LD_ERR_NOMEM;
    }
    size_t complete = 0;
    for (size_t i = 0; i < n; i++)
        if (history[i].state == LD_TRIAL_COMPLETE && history[i].has_value &&
            history[i].number != trial->number && isfinite(history[i].value))
            finals[complete++] = sign * history[i].value;
    size_t top = et->curve_top > 0 ? (size_t)et->curve_top : 1;
    double *x = buf, *y = buf + (s->n < MAX_POINTS ? s->n : MAX_POINTS), *phi = y + (y - x);
    size_t m = 0, first = s->n > MAX_POINTS ? s->n - MAX_POINTS : 0;
    double seen = -INFINITY;
    for (size_t i = first; i < s->n; i++)
        if (isfinite(s->values[i]) && s->steps[i] > 0) {
            x[m] = s->steps[i];
            y[m] = sign * s->values[i];
            seen = fmax(seen, y[m]);
            m++;
        }
    size_t min_points = et->min_points > 2 ? (size_t)et->min_points : 4;
    if (complete >= (size_t)et->n_startup_trials && complete >= top && m >= min_points) {
        qsort(finals, complete, sizeof *finals, cmp_desc);
        double target = finals[top - 1];
        const char *family = "";
        double z = et->z > 0 ? et->z : 2;
        size_t w = (m + 1) / 2 > min_points ? (m + 1) / 2 : min_points; /* the recent half */
        double bound = fmax(optimistic(x + (m - w), y + (m - w), w, F, z, phi, &family), seen);
        if (bound < target) {
            *stop = 1;
            *reason = ld_reason("curve: %s=%g at %s %g extrapolates (%s, optimistic) "
                                "to %g at %s %g, short of the best %zu final value %g of %zu "
                                "complete trials",
                                spec->metric, s->values[s->n - 1], spec->step,
                                s->steps[s->n - 1], family, sign * bound, spec->step, F,
                                top, sign * target, complete);
        }
    }
    free(finals);
    free(buf);
    return LD_OK;
}

const ld_pruner_type ld_pruner_curve = {
    .name = "curve",
    .version = 1,
    .create = ld_pruner_create_stateless,
    .destroy = NULL,
    .should_prune = curve_should_prune,
};
