/*
 * space.h — hyperparameters and their distributions (W&B's forms), and the mapping between a
 * parameter's values and the unit interval that every sampler works in.
 *
 * A sampler proposes u in [0, 1) per parameter; ld_param_from_unit turns u into a value on the
 * parameter's own scale (log-uniform parameters are uniform in log space, integers and q steps are
 * exact, normal parameters go through the inverse normal CDF). ld_param_to_unit is the inverse,
 * for model-based samplers that learn from finished trials.
 */
#ifndef LD_SPACE_H
#define LD_SPACE_H

#include <stddef.h>

#include "liandan.h"
#include "util/buf.h"

typedef enum {
    LD_DIST_CONSTANT = 0,
    LD_DIST_CATEGORICAL,
    LD_DIST_INT_UNIFORM,
    LD_DIST_UNIFORM,
    LD_DIST_Q_UNIFORM,
    LD_DIST_LOG_UNIFORM,            /* min/max are natural-log exponents: X = exp(U(min, max)) */
    LD_DIST_LOG_UNIFORM_VALUES,     /* min/max are values: log X uniform on [log min, log max] */
    LD_DIST_Q_LOG_UNIFORM,          /* exponents, then rounded to q */
    LD_DIST_Q_LOG_UNIFORM_VALUES,   /* values, then rounded to q */
    LD_DIST_INV_LOG_UNIFORM,        /* X = exp(-U(min, max)), min/max exponents */
    LD_DIST_INV_LOG_UNIFORM_VALUES, /* 1/X log-uniform between 1/max and 1/min; min/max values */
    LD_DIST_NORMAL,                 /* mu, sigma */
    LD_DIST_Q_NORMAL,
    LD_DIST_LOG_NORMAL,             /* X = exp(N(mu, sigma)) */
    LD_DIST_Q_LOG_NORMAL,
    LD_DIST_BETA,                   /* a, b */
    LD_DIST_Q_BETA
} ld_dist;

/* W&B's name of a distribution ("log_uniform_values"), and the reverse (-1 when unknown). */
const char *ld_dist_name(ld_dist d);
int ld_dist_parse(const char *name);

typedef struct {
    char *name;            /* flattened: "optimizer.lr" for nested parameters */
    ld_dist dist;
    double min, max;       /* range forms */
    double q;              /* q forms; 1 by default */
    double mu, sigma;      /* normal forms; 0 and 1 by default */
    double a, b;           /* beta forms */
    int integer;           /* values are integers (int_uniform; min/max given as integers) */
    size_t n_values;
    ld_value *values;      /* constant (1 value) and categorical */
    double *probabilities; /* [n_values] or NULL for equal probabilities; sums to 1 */
    int line, column;      /* where it was declared, 1-based, for messages */
    char *when_param;      /* conditional: active only when that parameter equals when_value; */
    ld_value when_value;   /* NULL / NONE for an unconditional parameter */
    ld_value default_value;/* `default:`: where a playbook stage that does not search the
                              parameter holds it before any result; NONE when not given */
} ld_param;

void ld_param_clear(ld_param *p);

/* Maps u in [0, 1) to a value. The value owns its string (free with ld_value_clear). */
void ld_param_from_unit(const ld_param *p, double u, ld_value *out);
/* Maps a value back into [0, 1) (the centre of its cell for discrete values). A number outside a
   range is clamped; a value that is not one of a categorical's values, or of the wrong type, gives
   NaN. */
double ld_param_to_unit(const ld_param *p, const ld_value *v);

/* Does v, read back through the space, come out as itself (it lies in the range, or is one of
   the values)? */
int ld_param_contains(const ld_param *p, const ld_value *v);

/* Is the parameter log-scaled (for plots and model-based samplers)? */
int ld_param_is_log(const ld_param *p);
/* Number of distinct values for a grid, or 0 when it is continuous (no grid possible). */
size_t ld_param_grid_size(const ld_param *p);
/* The i-th grid value, 0 <= i < ld_param_grid_size(p), in ascending/declared order. */
void ld_param_grid_value(const ld_param *p, size_t i, ld_value *out);

/* Values. */
void ld_value_clear(ld_value *v);
ld_value ld_value_copy(const ld_value *v); /* type NONE if out of memory */
int ld_value_equal(const ld_value *a, const ld_value *b);
/* How the value is written into a command line: 3, 0.001, 1e-05, adam, True. */
void ld_value_format(const ld_value *v, char *out, size_t size);
/* JSON form: 3, 0.001, "adam", true. */
void ld_value_json(ld_buf *b, const ld_value *v);
/* Appends the ld_value_format form to b, without a length limit. */
void ld_value_append(ld_buf *b, const ld_value *v);

#endif
