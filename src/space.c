/*
 * space.c — W&B's parameter distributions and the map between each parameter and [0, 1).
 *
 * Every sampler works in the unit interval; this file is the one place that knows what a u means
 * for each distribution. Promises: from_unit(u) follows W&B's ppf (log ranges are uniform in log
 * space, q forms give round(x/q)*q, int_uniform gives each integer with equal probability), and
 * to_unit inverts it (continuous: to_unit(from_unit(u)) == u up to rounding; discrete: the centre
 * of the value's cell, so from_unit(to_unit(v)) == v).
 */
#include "space.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ----------------------------------------------------------------------------- */

static const char *const dist_names[] = {
    [LD_DIST_CONSTANT] = "constant",
    [LD_DIST_CATEGORICAL] = "categorical",
    [LD_DIST_INT_UNIFORM] = "int_uniform",
    [LD_DIST_UNIFORM] = "uniform",
    [LD_DIST_Q_UNIFORM] = "q_uniform",
    [LD_DIST_LOG_UNIFORM] = "log_uniform",
    [LD_DIST_LOG_UNIFORM_VALUES] = "log_uniform_values",
    [LD_DIST_Q_LOG_UNIFORM] = "q_log_uniform",
    [LD_DIST_Q_LOG_UNIFORM_VALUES] = "q_log_uniform_values",
    [LD_DIST_INV_LOG_UNIFORM] = "inv_log_uniform",
    [LD_DIST_INV_LOG_UNIFORM_VALUES] = "inv_log_uniform_values",
    [LD_DIST_NORMAL] = "normal",
    [LD_DIST_Q_NORMAL] = "q_normal",
    [LD_DIST_LOG_NORMAL] = "log_normal",
    [LD_DIST_Q_LOG_NORMAL] = "q_log_normal",
    [LD_DIST_BETA] = "beta",
    [LD_DIST_Q_BETA] = "q_beta",
};
#define N_DISTS (sizeof dist_names / sizeof dist_names[0])

const char *ld_dist_name(ld_dist d)
{
    return (size_t)d < N_DISTS ? dist_names[d] : "unknown";
}

int ld_dist_parse(const char *name)
{
    for (size_t i = 0; name && i < N_DISTS; i++)
        if (strcmp(name, dist_names[i]) == 0)
            return (int)i;
    return -1;
}

/* ---- values ---------------------------------------------------------------------------- */

void ld_value_clear(ld_value *v)
{
    if (!v)
        return;
    free(v->str);
    v->str = NULL;
    v->type = LD_VAL_NONE;
    v->num = 0;
}

ld_value ld_value_copy(const ld_value *v)
{
    ld_value out = {LD_VAL_NONE, 0, NULL};
    if (!v)
        return out;
    out = *v;
    if (v->type == LD_VAL_STR) {
        out.str = ld_strdup(v->str ? v->str : "");
        if (!out.str)
            out.type = LD_VAL_NONE;
    } else {
        out.str = NULL;
    }
    return out;
}

static int is_number(const ld_value *v) { return v->type == LD_VAL_INT || v->type == LD_VAL_FLOAT; }

/* Numbers compare by value whatever their type (3 == 3.0, as in Python); NaN equals NaN so that a
   stored NaN finds its own value again. Bools, strings and NONE only equal their own type. */
int ld_value_equal(const ld_value *a, const ld_value *b)
{
    if (is_number(a) && is_number(b))
        return a->num == b->num || (isnan(a->num) && isnan(b->num));
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case LD_VAL_STR: return strcmp(a->str ? a->str : "", b->str ? b->str : "") == 0;
    case LD_VAL_BOOL: return (a->num != 0) == (b->num != 0);
    default: return 1;
    }
}

static void format_int(double num, char out[32])
{
    if (fabs(num) < 9.2e18)
        snprintf(out, 32, "%lld", (long long)num);
    else
        ld_format_double(num, out);
}

void ld_value_format(const ld_value *v, char *out, size_t size)
{
    char tmp[32];
    const char *s = tmp;
    switch (v->type) {
    case LD_VAL_INT: format_int(v->num, tmp); break;
    case LD_VAL_FLOAT: ld_format_double(v->num, tmp); break;
    case LD_VAL_BOOL: s = v->num != 0 ? "True" : "False"; break; /* Python's str(bool) */
    case LD_VAL_STR: s = v->str ? v->str : ""; break;
    default: s = "None"; break;
    }
    if (size)
        snprintf(out, size, "%s", s);
}

void ld_value_append(ld_buf *b, const ld_value *v)
{
    if (v->type == LD_VAL_STR) {
        ld_buf_puts(b, v->str ? v->str : "");
        return;
    }
    char tmp[32];
    ld_value_format(v, tmp, sizeof tmp);
    ld_buf_puts(b, tmp);
}

void ld_value_json(ld_buf *b, const ld_value *v)
{
    char tmp[32];
    switch (v->type) {
    case LD_VAL_INT:
        format_int(v->num, tmp);
        ld_buf_puts(b, tmp);
        break;
    case LD_VAL_FLOAT: ld_buf_json_number(b, v->num); break;
    case LD_VAL_BOOL: ld_buf_puts(b, v->num != 0 ? "true" : "false"); break;
    case LD_VAL_STR: ld_buf_json_string(b, v->str ? v->str : ""); break;
    default: ld_buf_puts(b, "null"); break;
    }
}

void ld_param_clear(ld_param *p)
{
    if (!p)
        return;
    free(p->name);
    for (size_t i = 0; i < p->n_values; i++)
        ld_value_clear(&p->values[i]);
    free(p->values);
    free(p->probabilities);
    free(p->when_param);
    ld_value_clear(&p->when_value);
    ld_value_clear(&p->default_value);
    memset(p, 0, sizeof *p);
}

int ld_param_contains(const ld_param *p, const ld_value *v)
{
    double u = ld_param_to_unit(p, v);
    if (!isfinite(u))
        return 0;
    if (p->dist == LD_DIST_CATEGORICAL || p->dist == LD_DIST_CONSTANT)
        return 1;
    ld_value back = {LD_VAL_NONE, 0, NULL};
    ld_param_from_unit(p, u, &back);
    double a = back.num, b = v->num;
    ld_value_clear(&back);
    return fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b)) + 1e-12;
}

/* ---- special functions ----------------------------------------------------------------- */

static double normal_cdf(double x) { return 0.5 * erfc(-x / M_SQRT2); }

/*
 * Inverse of the standard normal CDF: Acklam's rational approximation (relative error 1.15e-9),
 * then one Halley step against erfc, which brings it to about machine precision. p in (0, 1).
 */
static double normal_ppf(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    const double p_low = 0.02425;
    double x;
    if (p < p_low || p > 1 - p_low) {
        double q = sqrt(-2 * log(p < p_low ? p : 1 - p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        if (p > 1 - p_low)
            x = -x;
    } else {
        double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    double e = normal_cdf(x) - p;
    double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

/* Continued fraction of the incomplete beta function, evaluated by the modified Lentz method. */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    d = 1 / (fabs(d) < tiny ? tiny : d);
    double h = d;
    for (int m = 1; m <= 300; m++) {
        for (int odd = 0; odd < 2; odd++) {
            double num = odd ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                             : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 + num * d;
            d = 1 / (fabs(d) < tiny ? tiny : d);
            c = 1 + num / c;
            if (fabs(c) < tiny)
                c = tiny;
            h *= d * c;
            if (odd && fabs(d * c - 1) < 1e-15)
                return h;
        }
    }
    return h;
}

/* The regularized incomplete beta I_x(a, b), the CDF of Beta(a, b). */
static double beta_cdf(double x, double a, double b)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double log_front = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    /* The fraction converges fast only below the mean; above it use I_x(a,b) = 1 - I_1-x(b,a). */
    if (x < (a + 1) / (a + b + 2))
        return exp(log_front) * beta_cf(a, b, x) / a;
    return 1 - exp(log_front) * beta_cf(b, a, 1 - x) / b;
}

/* Inverse of beta_cdf by bisection: the CDF is monotone, so 64 halvings pin x to ~1e-19. */
static double beta_ppf(double p, double a, double b)
{
    double lo = 0, hi = 1;
    for (int i = 0; i < 64; i++) {
        double mid = 0.5 * (lo + hi);
        if (beta_cdf(mid, a, b) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* ---- the continuous base of each distribution ------------------------------------------ */

/* The smallest and largest u the normal forms use: keeps their tails finite (about 8.3
   sigma). */
#define U_LO 0x1p-54
#define U_HI (1.0 - 0x1p-54)
/* The largest double below 1: to_unit's results stay in [0, 1). */
#define U_MAX (1.0 - 0x1p-53)

/* The range of log X for the log-uniform forms: [*lo, *hi]. */
static void log_range(const ld_param *p, double *lo, double *hi)
{
    switch (p->dist) {
    case LD_DIST_LOG_UNIFORM:
    case LD_DIST_Q_LOG_UNIFORM:
        *lo = p->min, *hi = p->max;
        break;
    case LD_DIST_INV_LOG_UNIFORM: /* X = exp(-U(min, max)) */
        *lo = -p->max, *hi = -p->min;
        break;
    default: /* the _values forms, whose min and max are values (> 0) */
        *lo = log(p->min), *hi = log(p->max);
        break;
    }
}

/* The range of X for the forms bounded by min and max. */
static int value_range(const ld_param *p, double *lo, double *hi)
{
    switch (p->dist) {
    case LD_DIST_UNIFORM:
    case LD_DIST_Q_UNIFORM:
        *lo = p->min, *hi = p->max;
        return 1;
    case LD_DIST_LOG_UNIFORM:
    case LD_DIST_Q_LOG_UNIFORM:
    case LD_DIST_INV_LOG_UNIFORM:
    case LD_DIST_LOG_UNIFORM_VALUES:
    case LD_DIST_Q_LOG_UNIFORM_VALUES:
    case LD_DIST_INV_LOG_UNIFORM_VALUES:
        log_range(p, lo, hi);
        *lo = exp(*lo), *hi = exp(*hi);
        return 1;
    default:
        return 0;
    }
}

int ld_param_is_log(const ld_param *p)
{
    switch (p->dist) {
    case LD_DIST_LOG_UNIFORM:
    case LD_DIST_LOG_UNIFORM_VALUES:
    case LD_DIST_Q_LOG_UNIFORM:
    case LD_DIST_Q_LOG_UNIFORM_VALUES:
    case LD_DIST_INV_LOG_UNIFORM:
    case LD_DIST_INV_LOG_UNIFORM_VALUES:
    case LD_DIST_LOG_NORMAL:
    case LD_DIST_Q_LOG_NORMAL:
        return 1;
    default:
        return 0;
    }
}

static int is_quantized(ld_dist d)
{
    return d == LD_DIST_Q_UNIFORM || d == LD_DIST_Q_LOG_UNIFORM ||
           d == LD_DIST_Q_LOG_UNIFORM_VALUES || d == LD_DIST_Q_NORMAL ||
           d == LD_DIST_Q_LOG_NORMAL || d == LD_DIST_Q_BETA;
}

/* u in (0, 1) -> x, the unrounded value (W&B's ppf before rounding to q). */
static double base_ppf(const ld_param *p, double u)
{
    double lo, hi;
    switch (p->dist) {
    case LD_DIST_NORMAL:
    case LD_DIST_Q_NORMAL:
        return p->mu + p->sigma * normal_ppf(u);
    case LD_DIST_LOG_NORMAL:
    case LD_DIST_Q_LOG_NORMAL:
        return exp(p->mu + p->sigma * normal_ppf(u));
    case LD_DIST_BETA:
    case LD_DIST_Q_BETA:
        return beta_ppf(u, p->a, p->b);
    case LD_DIST_UNIFORM:
    case LD_DIST_Q_UNIFORM:
        return p->min + u * (p->max - p->min);
    default:
        if (u <= 0 && (p->dist == LD_DIST_LOG_UNIFORM_VALUES ||
                       p->dist == LD_DIST_Q_LOG_UNIFORM_VALUES))
            return p->min; /* the bound as written (exp(log(1e-4)) is 1.0000000000000009e-4) */
        log_range(p, &lo, &hi);
        return exp(lo + u * (hi - lo));
    }
}

/* x -> u, the inverse of base_ppf (a CDF). */
static double base_cdf(const ld_param *p, double x)
{
    double lo, hi;
    switch (p->dist) {
    case LD_DIST_NORMAL:
    case LD_DIST_Q_NORMAL:
        return normal_cdf((x - p->mu) / p->sigma);
    case LD_DIST_LOG_NORMAL:
    case LD_DIST_Q_LOG_NORMAL:
        return x > 0 ? normal_cdf((log(x) - p->mu) / p->sigma) : 0;
    case LD_DIST_BETA:
    case LD_DIST_Q_BETA:
        return beta_cdf(x, p->a, p->b);
    case LD_DIST_UNIFORM:
    case LD_DIST_Q_UNIFORM:
        return p->max > p->min ? (x - p->min) / (p->max - p->min) : 0.5;
    default:
        log_range(p, &lo, &hi);
        if (!(x > 0))
            return 0;
        return hi > lo ? (log(x) - lo) / (hi - lo) : 0.5;
    }
}

/* ---- quantization ---------------------------------------------------------------------- */

/*
 * k * q, written so that a decimal q gives the nearest double to the decimal result: with q = 0.1,
 * k * q gives 0.30000000000000004 for k = 3 but k / 10 gives 0.3.
 */
static double q_multiple(double k, double q)
{
    double inv = 1.0 / q, n = nearbyint(inv);
    if (n >= 1 && fabs(inv - n) <= 1e-9 * n)
        return k / n;
    return k * q;
}

/* The multiples k of q inside a bounded form's range, [*kmin, *kmax]; 0 for unbounded forms. */
static int q_bounds(const ld_param *p, double *kmin, double *kmax)
{
    double lo, hi;
    if (p->dist == LD_DIST_Q_NORMAL || p->dist == LD_DIST_Q_LOG_NORMAL ||
        p->dist == LD_DIST_Q_BETA || !value_range(p, &lo, &hi))
        return 0;
    /* The slack absorbs division error: 0.7 / 0.1 is 6.999999999999999. */
    *kmin = ceil(lo / p->q - 1e-9);
    *kmax = floor(hi / p->q + 1e-9);
    return *kmin <= *kmax;
}

/* The multiple of q that x rounds to (W&B: numpy's round, half to even), kept inside the range. */
static double q_index(const ld_param *p, double x)
{
    double k = nearbyint(x / p->q), kmin, kmax;
    if (q_bounds(p, &kmin, &kmax))
        k = k < kmin ? kmin : k > kmax ? kmax : k;
    return k;
}

static void set_number(const ld_param *p, double x, ld_value *out)
{
    out->type = p->integer ? LD_VAL_INT : LD_VAL_FLOAT;
    out->num = p->integer ? nearbyint(x) : x;
    out->str = NULL;
}

/* The centre, in u, of the cell of the k-th multiple of q. */
static double q_cell_centre(const ld_param *p, double k)
{
    double kmin = 0, kmax = 0;
    int bounded = q_bounds(p, &kmin, &kmax);
    double lo = (k - 0.5) * p->q, hi = (k + 0.5) * p->q;
    double u_lo = bounded && k <= kmin ? 0 : base_cdf(p, lo);
    double u_hi = bounded && k >= kmax ? 1 : base_cdf(p, hi);
    return 0.5 * (u_lo + u_hi);
}

/* ---- categorical ----------------------------------------------------------------------- */

static size_t categorical_index(const ld_param *p, double u)
{
    if (!p->probabilities) {
        size_t i = (size_t)(u * (double)p->n_values);
        return i < p->n_values ? i : p->n_values - 1;
    }
    double cum = 0;
    size_t last = 0;
    for (size_t i = 0; i < p->n_values; i++) {
        cum += p->probabilities[i];
        if (p->probabilities[i] > 0)
            last = i;
        if (u < cum && p->probabilities[i] > 0)
            return i;
    }
    return last; /* the probabilities summed to a hair under 1 */
}

static double categorical_centre(const ld_param *p, size_t i)
{
    if (!p->probabilities)
        return ((double)i + 0.5) / (double)p->n_values;
    double cum = 0;
    for (size_t j = 0; j < i; j++)
        cum += p->probabilities[j];
    return cum + 0.5 * p->probabilities[i];
}

static int find_value(const ld_param *p, const ld_value *v, size_t *index)
{
    for (size_t i = 0; i < p->n_values; i++) {
        if (ld_value_equal(&p->values[i], v)) {
            *index = i;
            return 1;
        }
    }
    return 0;
}

/* ---- the mapping ----------------------------------------------------------------------- */

static double int_count(const ld_param *p) { return p->max - p->min + 1; }

void ld_param_from_unit(const ld_param *p, double u, ld_value *out)
{
    *out = (ld_value){LD_VAL_NONE, 0, NULL};
    if (!(u >= 0)) /* NaN too */
        u = 0;
    if (u >= 1)
        u = U_MAX;
    switch (p->dist) {
    case LD_DIST_CONSTANT:
    case LD_DIST_CATEGORICAL:
        if (p->n_values)
            *out = ld_value_copy(&p->values[p->dist == LD_DIST_CONSTANT ? 0
                                                                        : categorical_index(p, u)]);
        return;
    case LD_DIST_INT_UNIFORM: {
        double i = floor(u * int_count(p));
        out->type = LD_VAL_INT;
        out->num = p->min + (i < int_count(p) ? i : int_count(p) - 1);
        return;
    }
    default:
        break;
    }
    /* Only the unbounded forms need their u kept off 0 and 1; a bounded one maps u = 0 to its
       min exactly (a proposal on the bound reads dropout=0, not 3.9e-17). */
    int unbounded = p->dist == LD_DIST_NORMAL || p->dist == LD_DIST_Q_NORMAL ||
                    p->dist == LD_DIST_LOG_NORMAL || p->dist == LD_DIST_Q_LOG_NORMAL;
    double x = base_ppf(p, unbounded ? (u < U_LO ? U_LO : u > U_HI ? U_HI : u) : u);
    if (is_quantized(p->dist))
        x = q_multiple(q_index(p, x), p->q);
    set_number(p, x, out);
}

/* u of a numeric value; NaN when v is not a number. */
static double number_to_unit(const ld_param *p, const ld_value *v)
{
    if (!is_number(v))
        return NAN;
    double x = v->num;
    if (p->dist == LD_DIST_INT_UNIFORM) {
        double i = nearbyint(x) - p->min;
        i = i < 0 ? 0 : i >= int_count(p) ? int_count(p) - 1 : i;
        return (i + 0.5) / int_count(p);
    }
    if (is_quantized(p->dist))
        return q_cell_centre(p, q_index(p, x));
    return base_cdf(p, x);
}

double ld_param_to_unit(const ld_param *p, const ld_value *v)
{
    size_t i;
    double u;
    switch (p->dist) {
    case LD_DIST_CONSTANT:
        return 0.5;
    case LD_DIST_CATEGORICAL:
        return find_value(p, v, &i) ? categorical_centre(p, i) : NAN;
    default:
        u = number_to_unit(p, v);
        break;
    }
    if (isnan(u))
        return u;
    return u < 0 ? 0 : u > U_MAX ? U_MAX : u;
}

/* ---- grids ----------------------------------------------------------------------------- */

size_t ld_param_grid_size(const ld_param *p)
{
    double kmin, kmax;
    switch (p->dist) {
    case LD_DIST_CONSTANT:
    case LD_DIST_CATEGORICAL:
        return p->n_values;
    case LD_DIST_INT_UNIFORM:
        return int_count(p) >= 1 && int_count(p) < (double)SIZE_MAX ? (size_t)int_count(p) : 0;
    case LD_DIST_Q_UNIFORM:
        if (!q_bounds(p, &kmin, &kmax) || kmax - kmin + 1 >= (double)SIZE_MAX)
            return 0;
        return (size_t)(kmax - kmin + 1);
    default:
        return 0;
    }
}

void ld_param_grid_value(const ld_param *p, size_t i, ld_value *out)
{
    double kmin, kmax;
    *out = (ld_value){LD_VAL_NONE, 0, NULL};
    if (i >= ld_param_grid_size(p))
        return;
    switch (p->dist) {
    case LD_DIST_CONSTANT:
    case LD_DIST_CATEGORICAL:
        *out = ld_value_copy(&p->values[i]);
        break;
    case LD_DIST_INT_UNIFORM:
        out->type = LD_VAL_INT;
        out->num = p->min + (double)i;
        break;
    default: /* q_uniform */
        q_bounds(p, &kmin, &kmax);
        set_number(p, q_multiple(kmin + (double)i, p->q), out);
        break;
    }
}
