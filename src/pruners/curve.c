/*
 * curve.c — stop a trial when even an optimistic extrapolation of its learning curve to the
 * final step cannot reach the k-th best final value of the complete trials (after Domhan et al.
 * 2015, "Speeding up automatic hyperparameter optimization of deep neural networks by
 * extrapolation of learning curves", with a small family fitted by least squares instead of
 * their MCMC). Rung rules compare values at the same step and so cut a large learning rate
 * that looks bad early and wins late; an extrapolation sees where the curve is going.
 *
 * The trial's finite reports (x = step, y = value, negated when minimizing so that higher is
 * better) are fitted with each curve y = c + b * phi(x) of the family:
 *   log-linear   phi = ln x
 *   power law    phi = x^-alpha, 7 powers alpha from 0.25 to 2 (saturating at c)
 *   exponential  phi = exp(-k x / x_last), 9 rates k from 0.25 to 4 (saturating at c)
 * (powers and rates a factor sqrt 2 apart), each a 2-parameter linear fit with its prediction
 * y(F) at the final step F and the standard deviation of a new observation there,
 * s * sqrt(1 + 1/n + (phi(F) - mean phi)^2 / S_phiphi), s^2 = RSS / (n - 2). The 17 members
 * are averaged as Domhan et al. do, weighted by their likelihood (RSS^(-n/2)); the optimistic
 * bound is the mixture's mean + z of its standard deviations (z = `z`, default 3, chosen on
 * bench/pruning/replay.sh: 2 cut the best run of the crossing family), and at least the best
 * value already reported. The trial stops when the bound does not reach the `top`-th best
 * value (default 1) of the complete trials. Nothing is judged without a known final step
 * (ld_final_step), before `min_points` (default 4) finite reports, before n_warmup_steps, or
 * before n_startup_trials complete trials. NaN reports are skipped.
 * Cost: 17 fits of n points, O(17 n) per judgement plus a pass over the history.
 */
#include <math.h>
#include <stdlib.h>

#include "pruners/pruner.h"

#define MAX_POINTS 4096

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

/*
 * The optimistic value at step F of the curve (x, y): the mixture of the family's predictions,
 * each member weighted by its likelihood under Gaussian noise (RSS^(-n/2); every member has two
 * parameters, so no penalty differs), mean + z * sd of the mixture. A member that fits the
 * curve so far much better dominates: a curve that has flattened is judged by the saturating
 * forms, not by a log-linear fit that would let it grow for ever; while the forms fit alike
 * (a curve still rising steadily), their spread widens the bound and the trial goes on.
 * *family: the member of the largest weight.
 */
static double optimistic(const double *x, const double *y, size_t n, double F, double z,
                         double *phi, const char **family)
{
    double lo = y[0], hi = y[0];
    for (size_t i = 1; i < n; i++) {
        lo = fmin(lo, y[i]);
        hi = fmax(hi, y[i]);
    }
    double s_floor = 1e-3 * (hi - lo) + 1e-12;
    /* powers and rates a factor sqrt(2) apart: a saturating form whose rate is off by more
       misplaces the asymptote of a curve that is still rising */
    static const double alphas[] = {0.25, 0.35, 0.5, 0.71, 1, 1.41, 2},
                        rates[] = {0.25, 0.35, 0.5, 0.71, 1, 1.41, 2, 2.83, 4};
    enum { N_ALPHAS = sizeof alphas / sizeof *alphas, FORMS = 1 + N_ALPHAS + 9 };
    fit fits[FORMS];
    int ok[FORMS];
    double log_w[FORMS], top_log_w = -INFINITY;
    for (int form = 0; form < FORMS; form++) {
        for (size_t i = 0; i < n; i++) {
            double xi = fmax(x[i], 1e-9);
            phi[i] = form == 0          ? log(xi)
                     : form <= N_ALPHAS ? pow(xi, -alphas[form - 1])
                                        : exp(-rates[form - 1 - N_ALPHAS] * xi / x[n - 1]);
        }
        double phi_final = form == 0          ? log(F)
                           : form <= N_ALPHAS ? pow(F, -alphas[form - 1])
                                              : exp(-rates[form - 1 - N_ALPHAS] * F / x[n - 1]);
        ok[form] = fit_member(phi, y, n, phi_final, s_floor, &fits[form]);
        log_w[form] = ok[form] ? -0.5 * (double)n * log(fits[form].rss) : -INFINITY;
        if (log_w[form] > top_log_w) {
            top_log_w = log_w[form];
            *family = form == 0 ? "log-linear" : form <= N_ALPHAS ? "power law" : "exponential";
        }
    }
    if (!isfinite(top_log_w))
        return -INFINITY;
    double sum_w = 0, mean = 0, second = 0;
    for (int form = 0; form < FORMS; form++) {
        if (!ok[form])
            continue;
        double w = exp(log_w[form] - top_log_w);
        sum_w += w;
        mean += w * fits[form].mean;
        second += w * (fits[form].sd * fits[form].sd + fits[form].mean * fits[form].mean);
    }
    mean /= sum_w;
    double var = second / sum_w - mean * mean;
    return mean + z * sqrt(fmax(var, 0));
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
        double z = et->z > 0 ? et->z : 3;
        double bound = fmax(optimistic(x, y, m, F, z, phi, &family), seen);
        if (bound < target) {
            *stop = 1;
            *reason = ld_reason("curve: %s=%g at %s %g extrapolates (mostly %s, optimistic) "
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
