/*
 * rows.c — merging a back-end's ordered result rows into ld_trial records (see rows.h).
 */
#include <stdlib.h>
#include <string.h>

#include "storage/rows.h"
#include "util/buf.h"

static const char *const type_names[] = {
    [LD_VAL_INT] = "int", [LD_VAL_FLOAT] = "float", [LD_VAL_STR] = "str", [LD_VAL_BOOL] = "bool",
};

const char *ld_rows_type_name(ld_value_type type)
{
    return type >= LD_VAL_INT && type <= LD_VAL_BOOL ? type_names[type] : "none";
}

ld_value_type ld_rows_type_parse(const char *name)
{
    for (int k = LD_VAL_INT; name && k <= LD_VAL_BOOL; k++)
        if (strcmp(name, type_names[k]) == 0)
            return (ld_value_type)k;
    return LD_VAL_NONE;
}

int ld_rows_valid_params(const ld_trial_new *t)
{
    for (size_t i = 0; i < t->n_params; i++)
        if ((unsigned)t->params[i].type > LD_VAL_BOOL ||
            (t->params[i].type != LD_VAL_NONE && !t->param_names[i]))
            return 0;
    return 1;
}

void *ld_rows_grow(void *p, size_t n, size_t size)
{
    if (p && (n & (n - 1)) != 0)
        return p; /* not a power of two: the last doubling left room */
    return realloc(p, (n ? 2 * n : 1) * size);
}

ld_trial *ld_rows_trial(ld_trial *trials, size_t n, size_t *cursor, int number)
{
    while (*cursor < n && trials[*cursor].number < number)
        (*cursor)++;
    return *cursor < n && trials[*cursor].number == number ? &trials[*cursor] : NULL;
}

int ld_rows_add_param(ld_trial *t, const char *name, const char *type, double num,
                      const char *str)
{
    char **names = ld_rows_grow(t->param_names, t->n_params, sizeof *names);
    if (names)
        t->param_names = names;
    ld_value *params = ld_rows_grow(t->params, t->n_params, sizeof *params);
    if (params)
        t->params = params;
    if (!names || !params)
        return 0;
    ld_value v = {ld_rows_type_parse(type), 0, NULL};
    if (v.type == LD_VAL_STR)
        v.str = ld_strdup(str ? str : "");
    else
        v.num = num;
    char *copy = ld_strdup(name ? name : "");
    if (!copy || (v.type == LD_VAL_STR && !v.str)) {
        free(copy);
        free(v.str);
        return 0;
    }
    names[t->n_params] = copy;
    params[t->n_params++] = v;
    return 1;
}

/* The series of t for key, created (empty) at the end when it is the key's first report. */
static ld_series *series_for(ld_trial *t, const char *key)
{
    for (size_t i = t->n_series; i-- > 0;)
        if (strcmp(t->series[i].key, key) == 0)
            return &t->series[i];
    ld_series *grown = ld_rows_grow(t->series, t->n_series, sizeof *grown);
    if (!grown)
        return NULL;
    t->series = grown;
    ld_series *series = &grown[t->n_series];
    memset(series, 0, sizeof *series);
    if (!(series->key = ld_strdup(key)))
        return NULL;
    t->n_series++;
    return series;
}

int ld_rows_add_point(ld_trial *t, const char *key, double step, double value, double time)
{
    ld_series *series = series_for(t, key ? key : "");
    if (!series)
        return 0;
    size_t n = series->n;
    double *steps = ld_rows_grow(series->steps, n, sizeof *steps);
    if (steps)
        series->steps = steps;
    double *values = ld_rows_grow(series->values, n, sizeof *values);
    if (values)
        series->values = values;
    double *times = ld_rows_grow(series->times, n, sizeof *times);
    if (times)
        series->times = times;
    if (!steps || !values || !times)
        return 0;
    steps[n] = step;
    values[n] = value;
    times[n] = time;
    series->n++;
    return 1;
}
