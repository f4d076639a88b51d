/*
 * spec.h — the sweep file (W&B sweep YAML plus liandan's keys) parsed into an ld_spec.
 *
 * Every mistake is reported as "FILE:LINE:COLUMN: what is wrong; what was expected" and makes the
 * parse fail with LD_ERR_INPUT; nothing is half-filled. Keys W&B knows but liandan has no use for
 * (project, entity, controller, ...) are accepted and listed in notes, one line each.
 */
#ifndef LD_SPEC_H
#define LD_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "liandan.h"
#include "space.h"

/* A sweep's `method` is a sampler of the one table in samplers/samplers.c (sampler.h). */
struct ld_sampler_type;
typedef const struct ld_sampler_type *ld_method;
/* The method's name as the sweep file spells it. */
const char *ld_method_name(ld_method m);

typedef enum { LD_SUMMARY_LAST = 0, LD_SUMMARY_BEST } ld_summary;

typedef struct {
    char *type;      /* hyperband, median, asha, threshold; NULL when absent */
    int min_iter, max_iter, s;      /* W&B's hyperband keys (0 = not given) */
    double eta;                     /* reduction factor, default 3 */
    int min_early_stopping_rate;    /* asha: the first rung is min_iter * eta^rate */
    int n_startup_trials;           /* median: no pruning before this many complete trials (5) */
    int n_warmup_steps;             /* median, threshold: no pruning before this step (0) */
    int interval;                   /* median: check every interval steps (1) */
    int has_lower, has_upper;
    double lower, upper;            /* threshold: prune outside [lower, upper] */
    int patience;                   /* plateau: steps without a gain of min_delta (5) */
    double min_delta;               /* plateau: the smallest gain that counts (0) */
    char *val_key, *train_key;      /* overfit: the losses watched; NULL: val_loss, train_loss */
    int curve_top;                  /* curve: must reach the top-th best final value (1) */
    int min_points;                 /* curve: finite reports before any judgement (4) */
    double z;                       /* curve: width of the optimistic bound, in sds (2) */
    int line, column;
} ld_early_terminate;

/*
 * Cheap fidelity (BOHB-style successive halving over a budget that is a parameter of the
 * command): `fidelity: {param: train_fraction, min: 0.05, max: 1.0, eta: 3}`. The parser adds
 * `param` to params as a categorical over the budget levels min, min*eta, ..., max; liandan,
 * not the sampler, decides each trial's level (fidelity.c).
 */
typedef struct {
    char *param;     /* NULL when the sweep has no fidelity */
    double min, max, eta;
    int integer;     /* levels are whole numbers (min and max given as integers) */
    int index;       /* the parameter's index in params, -1 when none */
    int line, column;
} ld_fidelity;

/*
 * One stage of a playbook (`stages:` in the sweep, docs/playbook.md): a study of its own named
 * NAME.STAGE whose sweep playbook.c writes from the top-level keys and these.
 */
typedef struct {
    char *name;
    int line, column;
    int has_method;
    ld_method method;
    long budget_trials;      /* 0: none */
    double budget_seconds;   /* 0: a share of the playbook's budget.time */
    double share;            /* this stage's weight in the shared time (default 1) */
    size_t n_search;         /* the parameters searched; 0: every one */
    char **search;
    int *search_redefined;   /* [n_search] the stage gives the parameter a distribution of its own */
    size_t n_fixed;          /* parameters held at a value (fixed:, train_fraction:, classes:) */
    char **fixed_names;
    ld_value *fixed_values;
    int refine_top;          /* narrow around the previous stage's best K trials; 0: no */
    int confirm_top;         /* a confirm stage: the K best configurations ... */
    int confirm_seeds;       /* ... re-trained with S seeds each; 0: not a confirm stage */
    char *seed_param;        /* confirm: the parameter that takes the seed ("seed") */
} ld_stage;

/*
 * Where trials run (`executor:`): local processes, or one Slurm batch job each (`executor:
 * slurm` with `slurm: {partition, gres, time, cpus_per_task, mem, extra}`; slurm.c).
 */
typedef enum { LD_EXECUTOR_LOCAL = 0, LD_EXECUTOR_SLURM } ld_executor_kind;

typedef struct {
    char *partition, *gres, *time, *mem; /* NULL: the cluster's default */
    int cpus_per_task;                   /* 0: the cluster's default */
    size_t n_extra;
    char **extra;                        /* further sbatch options, one argument each */
} ld_slurm_options;

typedef struct {
    char *path;        /* as given */
    char *text;        /* the whole file, as read */

    char *name;        /* the study name; defaults to the file's base name without extension */
    char *description; /* the "why" */
    char *program;
    int program_line, program_column; /* where program: is in the file; 0 when absent */
    size_t n_command;
    int (*command_at)[2]; /* each command element's line and column; NULL: the default */
    char **command;    /* the command template, one argv element each; default
                          ${env} ${interpreter} ${program} ${args}; none (n_command 0) when
                          the file has neither command nor program (ask/tell only) */
    ld_method method;

    char *metric;      /* metric.name */
    int maximize;      /* metric.goal: maximize */
    int has_target;
    double target;     /* metric.target: stop the study once reached */
    ld_summary summary;

    size_t n_params;
    ld_param *params;  /* in declaration order, nested ones flattened in place */

    ld_early_terminate early_terminate;

    long run_cap;          /* W&B's trial cap; 0 = none */
    long budget_trials;    /* budget.trials; 0 = none (run_cap is folded in: the smaller wins) */
    double budget_seconds; /* budget.time; 0 = none */
    int parallel;          /* default 1 */
    size_t n_gpus;
    int *gpus;             /* device ids */
    int threads_per_trial; /* 0 = cores / parallel */
    double timeout_seconds;/* per trial; 0 = none */
    int has_seed;
    uint64_t seed;
    char *step;            /* key that counts steps; default "epoch" */
    char *parent;          /* the study this one refines; its trials warm-start the sampler */
    ld_fidelity fidelity;
    int retries;           /* re-queue a failed trial up to this many times */
    int max_failures;      /* stop launching after this many failed trials in a row; 0 never */
    int has_max_failures;  /* given in the file; else LD_MAX_FAILURES_DEFAULT */
    int grid_sequential;   /* order: sequential: grid points in file order, not shuffled */
    ld_executor_kind executor;
    int executor_line;     /* where executor: is in the file; 0 when absent */
    ld_slurm_options slurm;
    int order_line, order_column; /* where `order:` was given; 0 when it was not */

    size_t n_stages;
    ld_stage *stages;      /* a playbook when n_stages > 0 */

    size_t n_notes;
    char **notes;          /* "sweep.yaml:3:1: note: 'project' is a W&B key that liandan ignores" */
} ld_spec;

/* max_failures when the sweep does not say: as W&B's agent, which stops after 5 failed runs. */
#define LD_MAX_FAILURES_DEFAULT 5

/*
 * Parses a sweep from text (path is used in messages and kept). On failure returns LD_ERR_INPUT
 * (or LD_ERR_NOMEM) and writes the message to err; *out is NULL.
 */
ld_status ld_spec_parse(const char *path, const char *text, size_t len, ld_spec **out,
                        char *err, size_t errlen);
/* Reads the file, then parses it. A missing or unreadable file is LD_ERR_INPUT. */
ld_status ld_spec_load(const char *path, ld_spec **out, char *err, size_t errlen);
void ld_spec_free(ld_spec *spec);
/* The value a playbook stage holds a parameter at before any result: its `default:`, else its
   constant, first category, the geometric mean of a log range, the middle of a linear one. */
void ld_param_default(const ld_param *p, ld_value *out);
/*
 * Before the first trial: is the command runnable from the working directory? Its executable
 * (command[0] after macros; for /usr/bin/env, the program env runs) is a file that can be run,
 * or a name on PATH; `program`, when the command uses it, and every command element that names
 * a script (.py, .sh, ...) exist. Paths are relative to the working directory, as trials run
 * there. With executor: slurm, Slurm's sbatch, squeue, scontrol and scancel are on PATH.
 * LD_ERR_INPUT with "file:line:col: ..." in err naming what it tried and the fix.
 */
ld_status ld_spec_check_runnable(const ld_spec *spec, char *err, size_t errlen);
/* Index of a parameter by name, or -1. */
int ld_spec_param_index(const ld_spec *spec, const char *name);
/* Parses a duration: "90", "90s", "15m", "2h", "1d", "1h30m". Returns -1 when malformed. */
double ld_parse_duration(const char *text);

/*
 * Builds the argv of one trial from the command template: ${env} is /usr/bin/env, ${interpreter}
 * is python (python3 when there is no python on PATH), ${program}, ${args} (one "--name=value"
 * element per parameter), ${args_no_hyphens} ("name=value"), ${args_json} (one element: a JSON
 * object), and ${NAME} for one parameter's value anywhere inside an element.
 * values[i] belongs to spec->params[i]. *argv is NULL-terminated; free with ld_argv_free.
 */
ld_status ld_command_build(const ld_spec *spec, const ld_value *values, char ***argv,
                           char *err, size_t errlen);
void ld_argv_free(char **argv);

#endif
