/*
 * samplers.c — the table of built-in samplers and the open/close pair every caller goes through.
 *
 * A new sampler is one file that defines its ld_sampler_type and one row in `builtins` below.
 * The table is static const: nothing here is mutable at run time.
 */
#include <stdint.h>
#include <string.h>

#include "samplers/sampler.h"
#include "space.h"

/* Each defined in the file of the same name. */
extern const ld_sampler_type ld_sampler_grid;
extern const ld_sampler_type ld_sampler_random;
extern const ld_sampler_type ld_sampler_sobol;
extern const ld_sampler_type ld_sampler_tpe;
extern const ld_sampler_type ld_sampler_gp;
extern const ld_sampler_type ld_sampler_bayes;

static const struct {
    const char *name;
    const ld_sampler_type *type;
} builtins[] = {
    {"grid", &ld_sampler_grid},   {"random", &ld_sampler_random}, {"bayes", &ld_sampler_bayes},
    {"sobol", &ld_sampler_sobol}, {"tpe", &ld_sampler_tpe},       {"gp", &ld_sampler_gp},
};

size_t ld_sampler_names(const char **names, size_t max)
{
    size_t n = sizeof builtins / sizeof builtins[0];
    for (size_t i = 0; i < n && i < max; i++)
        names[i] = builtins[i].name;
    return n;
}

const char *ld_method_name(ld_method m) { return m ? m->name : "none"; }

const ld_sampler_type *ld_sampler_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return builtins[i].type;
    return NULL;
}

/* On failure *out stays empty (closing it is harmless) and err says why. */
ld_status ld_sampler_open(const ld_sampler_type *type, const ld_spec *spec, uint64_t seed,
                          ld_sampler *out, char *err, size_t errlen)
{
    out->type = NULL;
    out->state = NULL;
    if (err && errlen)
        err[0] = '\0';
    void *state = NULL;
    ld_status st = type->create(spec, seed, &state, err, errlen);
    if (st != LD_OK)
        return st;
    out->type = type;
    out->state = state;
    return LD_OK;
}

void ld_sampler_close(ld_sampler *s)
{
    if (!s || !s->type)
        return;
    if (s->type->destroy)
        s->type->destroy(s->state);
    s->type = NULL;
    s->state = NULL;
}

size_t ld_grid_total(const ld_spec *spec)
{
    size_t total = 1;
    int overflow = 0; /* keep looking: a continuous parameter later on still makes it 0 */
    for (size_t i = 0; i < spec->n_params; i++) {
        size_t n = ld_param_grid_size(&spec->params[i]);
        if (n == 0)
            return 0;
        if (total > SIZE_MAX / n)
            overflow = 1;
        else
            total *= n;
    }
    return overflow ? SIZE_MAX : total;
}
