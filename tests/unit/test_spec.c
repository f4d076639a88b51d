/*
 * test_spec.c — the sweep-file parser and the command builder: every bad input gives its exact
 * "FILE:LINE:COL: ..." message, W&B's inference and nesting rules hold, W&B-only keys become
 * notes, and argv is built without a shell (a value with "; rm -rf ~" stays one element).
 */
#include "samplers/sampler.h"
#include "spec.h"
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEAD "method: random\nmetric: {name: acc, goal: maximize}\nprogram: train.py\n"

static ld_spec *parse_at(int line, const char *yaml)
{
    ld_spec *spec = NULL;
    char err[512] = "";
    ld_status st = ld_spec_parse("sweep.yaml", yaml, strlen(yaml), &spec, err, sizeof err);
    CHECK_INT_EQ(st, LD_OK);
    if (st != LD_OK)
        fprintf(stderr, "  (test line %d) unexpected error: %s\n", line, err);
    return spec;
}
#define PARSE(yaml) parse_at(__LINE__, (yaml))

static void expect_error_at(int line, const char *yaml, const char *expected)
{
    ld_spec *spec = (ld_spec *)1;
    char err[512] = "";
    ld_status st = ld_spec_parse("sweep.yaml", yaml, strlen(yaml), &spec, err, sizeof err);
    CHECK_INT_EQ(st, LD_ERR_INPUT);
    CHECK(spec == NULL);
    if (strcmp(err, expected))
        fprintf(stderr, "  (test line %d)\n", line);
    CHECK_STR_EQ(err, expected);
    CHECK(!strchr(err, '\n'));
}
#define EXPECT_ERROR(yaml, msg) expect_error_at(__LINE__, (yaml), (msg))

static const ld_param *param(const ld_spec *s, const char *name)
{
    int i = ld_spec_param_index(s, name);
    CHECK(i >= 0);
    return i >= 0 ? &s->params[i] : NULL;
}

/* ---- good files ------------------------------------------------------------------------ */

static void test_full_file(void)
{
    ld_spec *s = PARSE("# a W&B sweep plus liandan's keys\n"
                       "name: trec\n"
                       "description: does dropout matter?\n"
                       "project: textcnn\n"
                       "entity: me\n"
                       "program: train.py\n"
                       "method: tpe\n"
                       "metric:\n"
                       "  name: val_acc\n"
                       "  goal: maximize\n"
                       "  target: 0.95\n"
                       "  summary: best\n"
                       "early_terminate: {type: hyperband, min_iter: 3, eta: 2}\n"
                       "run_cap: 50\n"
                       "parallel: 4\n"
                       "gpus: [0, 1]\n"
                       "threads_per_trial: 2\n"
                       "timeout: 15m\n"
                       "budget: {trials: 80, time: 2h}\n"
                       "seed: 1234\n"
                       "step: iter\n"
                       "retries: 2\n"
                       "parameters:\n"
                       "  lr: {distribution: log_uniform_values, min: 1e-5, max: 1e-1}\n"
                       "  dropout: {values: [0.1, 0.3, 0.5], probabilities: [0.25, 0.25, 0.5]}\n");
    if (!s)
        return;
    CHECK_STR_EQ(s->name, "trec");
    CHECK_STR_EQ(s->description, "does dropout matter?");
    CHECK_STR_EQ(s->program, "train.py");
    CHECK(s->method == ld_sampler_find("tpe"));
    CHECK_STR_EQ(s->metric, "val_acc");
    CHECK_INT_EQ(s->maximize, 1);
    CHECK_INT_EQ(s->has_target, 1);
    CHECK_NEAR(s->target, 0.95, 0);
    CHECK_INT_EQ(s->summary, LD_SUMMARY_BEST);
    CHECK_STR_EQ(s->early_terminate.type, "hyperband");
    CHECK_INT_EQ(s->early_terminate.min_iter, 3);
    CHECK_NEAR(s->early_terminate.eta, 2, 0);
    CHECK_INT_EQ(s->early_terminate.line, 13);
    CHECK_INT_EQ(s->run_cap, 50);
    CHECK_INT_EQ(s->budget_trials, 50); /* run_cap is smaller than budget.trials */
    CHECK_NEAR(s->budget_seconds, 7200, 0);
    CHECK_INT_EQ(s->parallel, 4);
    CHECK_INT_EQ(s->n_gpus, 2);
    CHECK_INT_EQ(s->gpus[1], 1);
    CHECK_INT_EQ(s->threads_per_trial, 2);
    CHECK_NEAR(s->timeout_seconds, 900, 0);
    CHECK_INT_EQ(s->has_seed, 1);
    CHECK_INT_EQ(s->seed, 1234);
    CHECK_STR_EQ(s->step, "iter");
    CHECK_INT_EQ(s->retries, 2);
    CHECK_INT_EQ(s->n_params, 2);
    CHECK_STR_EQ(s->params[0].name, "lr");
    CHECK_INT_EQ(s->params[0].dist, LD_DIST_LOG_UNIFORM_VALUES);
    CHECK_NEAR(s->params[0].min, 1e-5, 0);
    CHECK_INT_EQ(s->params[0].line, 24);
    CHECK_INT_EQ(s->params[0].column, 3);
    CHECK_INT_EQ(s->params[1].dist, LD_DIST_CATEGORICAL);
    CHECK_NEAR(s->params[1].probabilities[2], 0.5, 0);
    CHECK_INT_EQ(s->n_notes, 2);
    if (s->n_notes == 2) {
        CHECK_STR_EQ(s->notes[0], "sweep.yaml:4:1: note: 'project' is a W&B key that liandan "
                                  "ignores");
        CHECK_STR_EQ(s->notes[1], "sweep.yaml:5:1: note: 'entity' is a W&B key that liandan "
                                  "ignores");
    }
    CHECK(strstr(s->text, "does dropout matter?") != NULL);
    CHECK_STR_EQ(s->path, "sweep.yaml");
    ld_spec_free(s);
}

static void test_defaults(void)
{
    ld_spec *s = PARSE(HEAD "parameters:\n  x: {values: [1]}\n");
    if (!s)
        return;
    CHECK_STR_EQ(s->name, "sweep");
    CHECK_INT_EQ(s->maximize, 1);
    CHECK_INT_EQ(s->summary, LD_SUMMARY_LAST);
    CHECK_INT_EQ(s->parallel, 1);
    CHECK_STR_EQ(s->step, "epoch");
    CHECK_INT_EQ(s->retries, 0);
    CHECK_INT_EQ(s->has_seed, 0);
    CHECK_INT_EQ(s->budget_trials, 0);
    CHECK(s->early_terminate.type == NULL);
    CHECK_NEAR(s->early_terminate.eta, 3, 0);
    CHECK_INT_EQ(s->n_command, 4);
    if (s->n_command == 4) {
        CHECK_STR_EQ(s->command[0], "${env}");
        CHECK_STR_EQ(s->command[3], "${args}");
    }
    CHECK_INT_EQ(s->n_notes, 0);
    ld_spec_free(s);

    s = PARSE("method: grid\nmetric: {name: loss}\nprogram: t.py\nparameters: {x: {value: 1}}\n");
    if (s) {
        CHECK_INT_EQ(s->maximize, 0);
        CHECK(s->method == ld_sampler_find("grid"));
        ld_spec_free(s);
    }
    /* budget.trials alone, and the name from a path with folders and dots */
    const char *y = HEAD "budget: {trials: 7}\nrun_cap: 9\nparameters: {x: {value: 1}}\n";
    char err[256];
    CHECK_INT_EQ(ld_spec_parse("runs/my.sweep.yaml", y, strlen(y), &s, err, sizeof err), LD_OK);
    if (s) {
        CHECK_STR_EQ(s->name, "my.sweep");
        CHECK_INT_EQ(s->budget_trials, 7);
        ld_spec_free(s);
    }
}

static void test_inference(void)
{
    ld_spec *s = PARSE(HEAD "parameters:\n"
                            "  layers: {min: 1, max: 10}\n"
                            "  dropout: {min: 0, max: 0.5}\n"
                            "  opt: {values: [adam, sgd]}\n"
                            "  epochs: {value: 10}\n"
                            "  noise: {mu: 0, sigma: 2}\n"
                            "  width: {distribution: uniform, min: 1, max: 4}\n"
                            "  batch: {distribution: q_log_uniform_values, min: 16, max: 256, "
                            "q: 16}\n"
                            "  frac: {distribution: q_uniform, min: 0, max: 1, q: 0.25}\n"
                            "  w: {distribution: categorical_w_probabilities, values: [a, b], "
                            "probabilities: [0.5, 0.5]}\n");
    if (!s)
        return;
    CHECK_INT_EQ(param(s, "layers")->dist, LD_DIST_INT_UNIFORM);
    CHECK_INT_EQ(param(s, "layers")->integer, 1);
    CHECK_INT_EQ(param(s, "dropout")->dist, LD_DIST_UNIFORM);
    CHECK_INT_EQ(param(s, "dropout")->integer, 0);
    CHECK_INT_EQ(param(s, "opt")->dist, LD_DIST_CATEGORICAL);
    CHECK_INT_EQ(param(s, "opt")->n_values, 2);
    CHECK(param(s, "opt")->probabilities == NULL);
    CHECK_INT_EQ(param(s, "epochs")->dist, LD_DIST_CONSTANT);
    CHECK_INT_EQ(param(s, "epochs")->values[0].type, LD_VAL_INT);
    CHECK_INT_EQ(param(s, "noise")->dist, LD_DIST_NORMAL);
    CHECK_NEAR(param(s, "noise")->sigma, 2, 0);
    CHECK_INT_EQ(param(s, "width")->dist, LD_DIST_UNIFORM);
    CHECK_INT_EQ(param(s, "batch")->integer, 1);
    CHECK_INT_EQ(param(s, "frac")->integer, 0);
    CHECK_INT_EQ(ld_param_grid_size(param(s, "frac")), 5);
    CHECK_INT_EQ(param(s, "w")->dist, LD_DIST_CATEGORICAL);
    ld_spec_free(s);
}

static void test_scalar_types(void)
{
    ld_spec *s = PARSE(HEAD "parameters:\n"
                            "  v: {values: [true, False, 'true', yes, 3, -4, 1e-3, .5, .inf, "
                            "-.inf, \"7\", 1.0, adam, 0.1]}\n");
    if (!s)
        return;
    const ld_param *p = param(s, "v");
    const ld_value_type types[] = {
        LD_VAL_BOOL,  LD_VAL_BOOL,  LD_VAL_STR,   LD_VAL_STR, LD_VAL_INT,   LD_VAL_INT,
        LD_VAL_FLOAT, LD_VAL_FLOAT, LD_VAL_FLOAT, LD_VAL_FLOAT, LD_VAL_STR, LD_VAL_FLOAT,
        LD_VAL_STR,   LD_VAL_FLOAT};
    CHECK_INT_EQ(p->n_values, 14);
    for (size_t i = 0; i < 14 && i < p->n_values; i++)
        CHECK_INT_EQ(p->values[i].type, types[i]);
    if (p->n_values == 14) {
        CHECK_NEAR(p->values[0].num, 1, 0);
        CHECK_NEAR(p->values[1].num, 0, 0);
        CHECK_STR_EQ(p->values[3].str, "yes");
        CHECK_NEAR(p->values[5].num, -4, 0);
        CHECK(p->values[6].num == 1e-3);
        CHECK(isinf(p->values[8].num) && p->values[8].num > 0);
        CHECK(isinf(p->values[9].num) && p->values[9].num < 0);
        CHECK_STR_EQ(p->values[10].str, "7");
    }
    ld_spec_free(s);

    s = PARSE(HEAD "parameters: {n: {value: .nan}}\n");
    if (s) {
        CHECK(isnan(s->params[0].values[0].num));
        ld_spec_free(s);
    }
}

static void test_nested(void)
{
    ld_spec *s = PARSE(HEAD "parameters:\n"
                            "  epochs: {value: 5}\n"
                            "  optimizer:\n"
                            "    parameters:\n"
                            "      lr: {min: 0.0001, max: 0.1}\n"
                            "      kind:\n"
                            "        parameters:\n"
                            "          name: {values: [adam, sgd]}\n"
                            "      momentum: {values: [0.9]}\n"
                            "  seed_offset: {value: 0}\n");
    if (!s)
        return;
    const char *names[] = {"epochs", "optimizer.lr", "optimizer.kind.name", "optimizer.momentum",
                           "seed_offset"};
    CHECK_INT_EQ(s->n_params, 5);
    for (size_t i = 0; i < 5 && i < s->n_params; i++)
        CHECK_STR_EQ(s->params[i].name, names[i]);
    CHECK_INT_EQ(ld_spec_param_index(s, "optimizer.kind.name"), 2);
    CHECK_INT_EQ(ld_spec_param_index(s, "lr"), -1);
    CHECK_INT_EQ(s->params[1].line, 8);
    CHECK_INT_EQ(s->params[1].column, 7);
    ld_spec_free(s);
}

/* log_uniform takes exponents (W&B): bounds that look like values get a warning; Optuna's
   spelling 'loguniform' is pointed to log_uniform_values; max_failures. */
static void test_log_uniform_and_max_failures(void)
{
    ld_spec *s = PARSE(HEAD "parameters:\n"
                            "  lr: {distribution: log_uniform, min: 1e-4, max: 1.0}\n"
                            "  wd: {distribution: log_uniform, min: -9.2, max: -2.3}\n"
                            "max_failures: 0\n");
    if (s) {
        CHECK_INT_EQ(s->n_notes, 1);
        if (s->n_notes)
            CHECK_STR_EQ(s->notes[0], "sweep.yaml:5:22: warning: log_uniform's min and max are "
                                      "exponents (W&B's meaning): this samples e^0.0001 to e^1, "
                                      "that is 1 to 2.718; for values from 0.0001 to 1 write "
                                      "distribution: log_uniform_values");
        CHECK_INT_EQ(s->has_max_failures, 1);
        CHECK_INT_EQ(s->max_failures, 0);
        ld_spec_free(s);
    }
    s = PARSE(HEAD "parameters: {x: {value: 1}}\n");
    if (s) {
        CHECK_INT_EQ(s->has_max_failures, 0);
        ld_spec_free(s);
    }
    EXPECT_ERROR(HEAD "parameters: {lr: {distribution: loguniform, min: 1e-4, max: 1}}\n",
                 "sweep.yaml:4:33: unknown distribution 'loguniform' (did you mean "
                 "'log_uniform_values'? its min and max are the values, as in Optuna and SciPy; "
                 "W&B's 'log_uniform' takes exponents)");
    EXPECT_ERROR(HEAD "parameters: {x: {value: 1}}\nmax_failures: -1\n",
                 "sweep.yaml:5:15: max_failures must be a whole number >= 0, got '-1'");
}

static void test_fidelity(void)
{
    ld_spec *s = PARSE(HEAD "parameters: {x: {min: 0.0, max: 1.0}}\n"
                            "fidelity: {param: frac, min: 0.05, max: 1.0, eta: 3}\n");
    if (s) {
        CHECK_INT_EQ(s->n_params, 2);
        CHECK_INT_EQ(s->fidelity.index, 1);
        const ld_param *f = &s->params[1];
        CHECK_STR_EQ(f->name, "frac");
        CHECK_INT_EQ(f->dist, LD_DIST_CATEGORICAL);
        CHECK_INT_EQ(f->n_values, 4); /* 0.05, 0.15, 0.45, 1 */
        if (f->n_values == 4) {
            CHECK_NEAR(f->values[1].num, 0.15, 1e-12);
            CHECK_NEAR(f->values[3].num, 1.0, 0);
            CHECK_INT_EQ(f->values[0].type, LD_VAL_FLOAT);
        }
        ld_spec_free(s);
    }
    s = PARSE(HEAD "parameters: {x: {min: 0.0, max: 1.0}}\n"
                   "fidelity: {param: classes, min: 2, max: 50, eta: 3}\n");
    if (s) {
        const ld_param *f = &s->params[1];
        CHECK_INT_EQ(f->n_values, 4); /* 2, 6, 18, 50 */
        if (f->n_values == 4)
            CHECK(f->values[0].type == LD_VAL_INT && f->values[2].num == 18 &&
                  f->values[3].num == 50);
        ld_spec_free(s);
    }
    EXPECT_ERROR(HEAD "parameters: {frac: {min: 0.0, max: 1.0}}\n"
                      "fidelity: {param: frac, min: 0.1, max: 1.0}\n",
                 "sweep.yaml:4:14: 'frac' is the fidelity parameter, which liandan sets; remove it "
                 "from parameters");
    EXPECT_ERROR(HEAD "parameters: {x: {min: 0.0, max: 1.0}}\n"
                      "fidelity: {param: frac, min: 1.0, max: 0.5}\n",
                 "sweep.yaml:5:11: fidelity needs 0 < min < max, got min 1 and max 0.5");
    EXPECT_ERROR(HEAD "parameters: {x: {min: 0.0, max: 1.0}}\nfidelity: {min: 1, max: 5}\n",
                 "sweep.yaml:5:11: fidelity needs 'param': the command parameter that sets the "
                 "budget, e.g. {param: train_fraction, min: 0.05, max: 1.0, eta: 3}");
}

static void test_executor(void)
{
    ld_spec *s = PARSE(HEAD "parameters: {x: {min: 0.0, max: 1.0}}\nexecutor: slurm\n"
                            "slurm: {partition: gpu, gres: \"gpu:1\", time: \"1:00:00\", "
                            "cpus_per_task: 8, mem: 16G, extra: [--qos=normal, --account=lab]}\n");
    if (s) {
        CHECK_INT_EQ(s->executor, LD_EXECUTOR_SLURM);
        CHECK_STR_EQ(s->slurm.partition, "gpu");
        CHECK_STR_EQ(s->slurm.gres, "gpu:1");
        CHECK_STR_EQ(s->slurm.time, "1:00:00");
        CHECK_STR_EQ(s->slurm.mem, "16G");
        CHECK_INT_EQ(s->slurm.cpus_per_task, 8);
        CHECK_INT_EQ(s->slurm.n_extra, 2);
        if (s->slurm.n_extra == 2)
            CHECK_STR_EQ(s->slurm.extra[1], "--account=lab");
        ld_spec_free(s);
    }
    s = PARSE(HEAD "parameters: {x: {value: 1}}\nexecutor: local\n");
    if (s) {
        CHECK_INT_EQ(s->executor, LD_EXECUTOR_LOCAL);
        ld_spec_free(s);
    }
    EXPECT_ERROR(HEAD "parameters: {x: {value: 1}}\nexecutor: kubernetes\n",
                 "sweep.yaml:5:11: executor must be local (trials as processes here, the default) "
                 "or slurm (each trial a Slurm batch job), got 'kubernetes'");
    EXPECT_ERROR(HEAD "parameters: {x: {value: 1}}\nexecutor: slurm\nslurm: {partiton: gpu}\n",
                 "sweep.yaml:6:9: unknown key 'partiton' (did you mean 'partition'?)");
    EXPECT_ERROR(HEAD "parameters: {x: {value: 1}}\nexecutor: slurm\nslurm: {extra: [qos]}\n",
                 "sweep.yaml:6:17: slurm.extra[0] must be an sbatch option starting with '-', got "
                 "'qos' (write --option=value as one item)");
    EXPECT_ERROR(HEAD "parameters: {x: {value: 1}}\nexecutor: slurm\ngpus: [0, 1]\n",
                 "sweep.yaml:5:1: gpus lists this machine's devices, but executor: slurm runs "
                 "trials on the cluster's; ask for them with slurm: {gres: gpu:1} and remove gpus");
}

static void test_notes(void)
{
    ld_spec *s = PARSE(HEAD "controller: {type: local}\n"
                            "parameters: {x: {value: 1}}\n"
                            "imports: [numpy]\n");
    if (!s)
        return;
    CHECK_INT_EQ(s->n_notes, 2);
    if (s->n_notes == 2) {
        CHECK_STR_EQ(s->notes[0], "sweep.yaml:4:1: note: 'controller' is a W&B key that liandan "
                                  "ignores");
        CHECK_STR_EQ(s->notes[1], "sweep.yaml:6:1: note: 'imports' is a W&B key that liandan "
                                  "ignores");
    }
    ld_spec_free(s);

    s = PARSE("method: bayes\nmetric: {name: acc, impute: worst}\nprogram: t.py\n"
              "parameters: {x: {min: 0, max: 1}}\n");
    if (s) {
        CHECK_INT_EQ(s->n_notes, 1);
        if (s->n_notes)
            CHECK_STR_EQ(s->notes[0], "sweep.yaml:2:21: note: 'impute' is a W&B key that "
                                      "liandan ignores");
        ld_spec_free(s);
    }
}

static void test_when(void)
{
    ld_spec *s = PARSE(HEAD "parameters:\n"
                            "  momentum: {min: 0.5, max: 0.99, when: {optimizer: sgd}}\n"
                            "  optimizer: {values: [adam, sgd]}\n");
    if (!s)
        return;
    const ld_param *p = param(s, "momentum");
    CHECK_STR_EQ(p->when_param, "optimizer");
    CHECK_INT_EQ(p->when_value.type, LD_VAL_STR);
    CHECK_STR_EQ(p->when_value.str, "sgd");
    CHECK(param(s, "optimizer")->when_param == NULL);
    ld_spec_free(s);

    EXPECT_ERROR(HEAD "parameters:\n"
                      "  momentum: {min: 0.5, max: 0.99, when: {optimzer: sgd}}\n"
                      "  optimizer: {values: [adam, sgd]}\n",
                 "sweep.yaml:5:42: when names 'optimzer', which is not a parameter (did you mean "
                 "'optimizer'?)");
    EXPECT_ERROR(HEAD "parameters:\n"
                      "  momentum: {min: 0.5, max: 0.99, when: {optimizer: sgdd}}\n"
                      "  optimizer: {values: [adam, sgd]}\n",
                 "sweep.yaml:5:42: when: {optimizer: sgdd} can never hold: sgdd is not one of "
                 "the values of 'optimizer'");
    EXPECT_ERROR(HEAD "parameters:\n  m: {value: 1, when: sgd}\n",
                 "sweep.yaml:5:23: when must name one parameter and its value, as when: "
                 "{optimizer: sgd}, got 'sgd'");
}

static void test_durations(void)
{
    CHECK_NEAR(ld_parse_duration("90"), 90, 0);
    CHECK_NEAR(ld_parse_duration("1.5"), 1.5, 0);
    CHECK_NEAR(ld_parse_duration("90s"), 90, 0);
    CHECK_NEAR(ld_parse_duration("15m"), 900, 0);
    CHECK_NEAR(ld_parse_duration("2h"), 7200, 0);
    CHECK_NEAR(ld_parse_duration("1d"), 86400, 0);
    CHECK_NEAR(ld_parse_duration("1h30m"), 5400, 0);
    CHECK_NEAR(ld_parse_duration("1h 30m 10s"), 5410, 0);
    CHECK_NEAR(ld_parse_duration("1.5h"), 5400, 0);
    CHECK_NEAR(ld_parse_duration("2 days"), 172800, 0);
    CHECK_NEAR(ld_parse_duration("10 min"), 600, 0);
    CHECK_NEAR(ld_parse_duration("3 hours"), 10800, 0);
    CHECK_NEAR(ld_parse_duration("45sec"), 45, 0);
    CHECK_NEAR(ld_parse_duration("0"), 0, 0);
    CHECK_NEAR(ld_parse_duration(""), -1, 0);
    CHECK_NEAR(ld_parse_duration("10 parsecs"), -1, 0);
    CHECK_NEAR(ld_parse_duration("-5s"), -1, 0);
    CHECK_NEAR(ld_parse_duration("1h30"), -1, 0);
    CHECK_NEAR(ld_parse_duration("h"), -1, 0);
    CHECK_NEAR(ld_parse_duration("1..5h"), -1, 0);
    CHECK_NEAR(ld_parse_duration("5 s x"), -1, 0);
}

static void test_method_names(void)
{
    /* every method the sweep accepts is a sampler of the one table, found by its own name */
    const char *names[16];
    size_t n = ld_sampler_names(names, 16);
    CHECK_INT_EQ(n, 6);
    for (size_t i = 0; i < n && i < 16; i++) {
        CHECK(ld_sampler_find(names[i]) != NULL);
        CHECK_STR_EQ(ld_method_name(ld_sampler_find(names[i])), names[i]);
    }
    CHECK(ld_sampler_find("grid")->exhaustive);
    CHECK(!ld_sampler_find("tpe")->exhaustive);
}

/* ---- bad files ------------------------------------------------------------------------- */

static void test_structure_errors(void)
{
    EXPECT_ERROR("method: random\nmetric: {name: acc\nprogram: t.py\n",
                 "sweep.yaml:3:8: YAML syntax error: while parsing a flow mapping, did not find "
                 "expected ',' or '}'; check the indentation and quoting here");
    EXPECT_ERROR("method: random\n\tmetric: x\n",
                 "sweep.yaml:2:1: YAML syntax error: while scanning a plain scalar, found a tab "
                 "character that violates indentation; check the indentation and quoting here");
    EXPECT_ERROR("", "sweep.yaml:1:1: the file is empty; expected a mapping with method, metric "
                     "and parameters");
    EXPECT_ERROR("# only a comment\n", "sweep.yaml:1:1: the file is empty; expected a mapping "
                                       "with method, metric and parameters");
    EXPECT_ERROR("- a\n- b\n", "sweep.yaml:1:1: the top level is a list; expected a mapping "
                               "with method, metric and parameters");
    EXPECT_ERROR("just words\n", "sweep.yaml:1:1: the top level is 'just words'; expected a "
                                 "mapping with method, metric and parameters");
    EXPECT_ERROR(HEAD "paramters:\n  x: {value: 1}\n",
                 "sweep.yaml:4:1: unknown key 'paramters' (did you mean 'parameters'?)");
    EXPECT_ERROR(HEAD "Method: grid\n",
                 "sweep.yaml:4:1: unknown key 'Method' (did you mean 'method'?)");
    EXPECT_ERROR(HEAD "zzz: 1\n",
                 "sweep.yaml:4:1: unknown key 'zzz'; expected one of name, description, program, "
                 "command, method, metric, parameters, early_terminate, run_cap, parallel, gpus, "
                 "threads_per_trial, timeout, budget, seed, step, retries, max_failures, order, "
                 "parent, fidelity, stages, executor, slurm");
    EXPECT_ERROR(HEAD "method: grid\nparameters: {x: {value: 1}}\n",
                 "sweep.yaml:4:1: duplicate key 'method' (first given at line 1); each key may "
                 "appear once");
    EXPECT_ERROR(HEAD "parameters:\n  x: {value: 1}\n  x: {value: 2}\n",
                 "sweep.yaml:6:3: duplicate key 'x' (first given at line 5); each key may appear "
                 "once");
    EXPECT_ERROR(HEAD "parameters: {x: {min: 1, max: 2, min: 3}}\n",
                 "sweep.yaml:4:34: duplicate key 'min' (first given at line 4); each key may "
                 "appear once");
    EXPECT_ERROR("metric: {name: acc}\nprogram: t.py\nparameters: {x: {value: 1}}\n",
                 "sweep.yaml:1:1: missing 'method'; add method: random (or grid, bayes, sobol, "
                 "tpe, gp)");
}

static void test_type_errors(void)
{
    EXPECT_ERROR(HEAD "parallel: two\nparameters: {x: {value: 1}}\n",
                 "sweep.yaml:4:11: parallel must be a whole number >= 1, got 'two'");
    EXPECT_ERROR(HEAD "parallel: 0\n", "sweep.yaml:4:11: parallel must be a whole number >= 1, "
                                       "got '0'");
    EXPECT_ERROR(HEAD "parallel: 2.5\n", "sweep.yaml:4:11: parallel must be a whole number >= 1, "
                                         "got '2.5'");
    EXPECT_ERROR(HEAD "parallel: [1]\n", "sweep.yaml:4:11: parallel must be a whole number >= 1, "
                                         "got a list");
    EXPECT_ERROR(HEAD "retries: -1\n", "sweep.yaml:4:10: retries must be a whole number >= 0, "
                                       "got '-1'");
    EXPECT_ERROR(HEAD "run_cap: 0\n", "sweep.yaml:4:10: run_cap must be a whole number >= 1, "
                                      "got '0'");
    EXPECT_ERROR(HEAD "seed: '12'\n", "sweep.yaml:4:7: seed must be a whole number >= 0, got "
                                      "'12'");
    EXPECT_ERROR(HEAD "gpus: [0, 1, 0]\n", "sweep.yaml:4:14: gpus lists device 0 twice; each "
                                           "device may appear once");
    EXPECT_ERROR(HEAD "gpus: [0, -1]\n", "sweep.yaml:4:11: gpus[1] must be a whole number >= 0, "
                                         "got '-1'");
    EXPECT_ERROR(HEAD "gpus: 0\n", "sweep.yaml:4:7: gpus must be a list of device numbers such "
                                   "as [0, 1], got '0'");
    EXPECT_ERROR(HEAD "timeout: 10 parsecs\n",
                 "sweep.yaml:4:10: timeout must be a duration such as 90s, 15m, 2h, got '10 "
                 "parsecs'");
    EXPECT_ERROR(HEAD "budget: {trials: 0}\n",
                 "sweep.yaml:4:18: budget.trials must be a whole number >= 1, got '0'");
    EXPECT_ERROR(HEAD "budget: {time: soon}\n",
                 "sweep.yaml:4:16: budget.time must be a duration such as 90s, 15m, 2h, got "
                 "'soon'");
    EXPECT_ERROR(HEAD "budget: {trails: 3}\n",
                 "sweep.yaml:4:10: unknown key 'trails' (did you mean 'trials'?)");
    EXPECT_ERROR(HEAD "step:\n",
                 "sweep.yaml:4:6: step must be a non-empty string, got nothing");
    EXPECT_ERROR("method: random\nmetric: {name: ''}\n",
                 "sweep.yaml:2:16: metric name must be a non-empty string, got ''");
    EXPECT_ERROR(HEAD "early_terminate: {type: hyperbnd}\n",
                 "sweep.yaml:4:25: unknown early_terminate type 'hyperbnd' (did you mean "
                 "'hyperband'?)");
    EXPECT_ERROR(HEAD "early_terminate: {min_iter: 3}\n",
                 "sweep.yaml:4:18: early_terminate has no 'type'; expected type: hyperband, "
                 "median, asha, threshold, plateau, overfit or curve");
    EXPECT_ERROR(HEAD "early_terminate: {type: plateau, patience: 0}\n",
                 "sweep.yaml:4:44: patience must be a whole number >= 1, got '0'");
    EXPECT_ERROR(HEAD "early_terminate: {type: plateau, min_delta: -1}\n",
                 "sweep.yaml:4:45: min_delta is the smallest gain that counts, a number >= 0; "
                 "got -1");
    EXPECT_ERROR(HEAD "early_terminate: {type: asha, eta: 1}\n",
                 "sweep.yaml:4:36: eta must be a number > 1, got 1");
    EXPECT_ERROR(HEAD "early_terminate: {type: asha, max_iter: x}\n",
                 "sweep.yaml:4:41: max_iter must be a whole number >= 1, got 'x'");
}

static void test_method_and_metric_errors(void)
{
    const char *params = "parameters: {x: {value: 1}}\n";
    char y[512];
    EXPECT_ERROR("method: bayesian\nmetric: {name: acc}\nprogram: t.py\n",
                 "sweep.yaml:1:9: unknown method 'bayesian' (did you mean 'bayes'?); expected one "
                 "of grid, random, bayes, sobol, tpe, gp");
    EXPECT_ERROR("method: custom\n", "sweep.yaml:1:9: unknown method 'custom'; expected one of "
                                     "grid, random, bayes, sobol, tpe, gp");
    snprintf(y, sizeof y, "method: random\nprogram: t.py\n%s", params);
    EXPECT_ERROR(y, "sweep.yaml:1:1: missing 'metric'; add metric: {name: val_acc, goal: "
                    "maximize}");
    snprintf(y, sizeof y, "program: t.py\n%smethod: grid\n", params);
    EXPECT_ERROR(y, "sweep.yaml:1:1: missing 'metric'; add metric: {name: val_acc, goal: "
                    "maximize}");
    EXPECT_ERROR("method: random\nmetric: {goal: maximize}\n",
                 "sweep.yaml:2:9: metric has no 'name'; add name: val_acc (the key your program "
                 "prints)");
    EXPECT_ERROR("method: random\nmetric: {name: acc, goal: max}\n",
                 "sweep.yaml:2:27: metric goal must be minimize or maximize, got 'max'");
    EXPECT_ERROR("method: random\nmetric: {name: acc, summary: mean}\n",
                 "sweep.yaml:2:30: metric summary must be last or best, got 'mean'");
    EXPECT_ERROR("method: random\nmetric: val_acc\n",
                 "sweep.yaml:2:9: metric must be a mapping such as {name: val_acc, goal: "
                 "maximize}, got 'val_acc'");
    EXPECT_ERROR("method: random\nmetric: {name: acc, target: high}\n",
                 "sweep.yaml:2:29: metric target must be a finite number, got 'high'");
    EXPECT_ERROR("method: random\nmetric: {name: acc, gaol: max}\n",
                 "sweep.yaml:2:21: unknown key 'gaol' (did you mean 'goal'?)");
}

static void test_parameter_errors(void)
{
    EXPECT_ERROR(HEAD "parameters:\n  x: {min: 5, max: 1}\n",
                 "sweep.yaml:5:20: min (5) is greater than max (1)");
    EXPECT_ERROR(HEAD "parameters:\n  x: {min: 0.5, max: 0.1}\n",
                 "sweep.yaml:5:22: min (0.5) is greater than max (0.1)");
    EXPECT_ERROR(HEAD "parameters:\n  lr: {distribution: log_uniform_values, min: 0, max: 1}\n",
                 "sweep.yaml:5:47: log_uniform_values needs min > 0, got 0");
    EXPECT_ERROR(HEAD "parameters:\n"
                      "  lr: {distribution: q_log_uniform_values, min: -1, max: 1}\n",
                 "sweep.yaml:5:49: q_log_uniform_values needs min > 0, got -1");
    EXPECT_ERROR(HEAD "parameters:\n  lr: {distribution: log_unifrom, min: 0, max: 1}\n",
                 "sweep.yaml:5:22: unknown distribution 'log_unifrom' (did you mean "
                 "'log_uniform'?)");
    EXPECT_ERROR(HEAD "parameters:\n  lr: {distribution: gaussian}\n",
                 "sweep.yaml:5:22: unknown distribution 'gaussian'; expected one of constant, "
                 "categorical, int_uniform, uniform, q_uniform, log_uniform, log_uniform_values, "
                 "q_log_uniform, q_log_uniform_values, inv_log_uniform, inv_log_uniform_values, "
                 "normal, q_normal, log_normal, q_log_normal, beta, q_beta");
    EXPECT_ERROR(HEAD "parameters:\n  x: {values: []}\n",
                 "sweep.yaml:5:15: values is empty; expected at least one value");
    EXPECT_ERROR(HEAD "parameters:\n  x: {values: adam}\n",
                 "sweep.yaml:5:15: values must be a list, got 'adam'");
    EXPECT_ERROR(HEAD "parameters:\n  x: {values: [1, [2, 3]]}\n",
                 "sweep.yaml:5:19: values[1] must be a number, string or bool, got a list");
    EXPECT_ERROR(HEAD "parameters:\n  x: {values: [1, null]}\n",
                 "sweep.yaml:5:19: values[1] is null; liandan has no null value, write 'None' in "
                 "quotes if the program expects that text");
    EXPECT_ERROR(HEAD "parameters:\n  x: {values: [a, b, c], probabilities: [0.5, 0.5]}\n",
                 "sweep.yaml:5:41: probabilities has 2 entries but values has 3; give one "
                 "probability per value");
    EXPECT_ERROR(HEAD "parameters:\n  x: {values: [a, b], probabilities: [0.5, 0.4]}\n",
                 "sweep.yaml:5:38: probabilities sum to 0.9; they must sum to 1");
    EXPECT_ERROR(HEAD "parameters:\n  x: {values: [a, b], probabilities: [1.5, -0.5]}\n",
                 "sweep.yaml:5:44: probabilities[1] must be >= 0, got -0.5");
    EXPECT_ERROR(HEAD "parameters:\n  x: {value: 1, values: [1, 2]}\n",
                 "sweep.yaml:5:6: parameter 'x' has both value and values; give one");
    EXPECT_ERROR(HEAD "parameters:\n  x: {distribution: q_uniform, min: 0, max: 1, q: 0}\n",
                 "sweep.yaml:5:51: q must be > 0, got 0");
    EXPECT_ERROR(HEAD "parameters:\n  x: {distribution: normal, mu: 0, sigma: -1}\n",
                 "sweep.yaml:5:43: sigma must be > 0, got -1");
    EXPECT_ERROR(HEAD "parameters:\n  x: {mu: 0, sigma: 0}\n",
                 "sweep.yaml:5:21: sigma must be > 0, got 0");
    EXPECT_ERROR(HEAD "parameters:\n  x: {distribution: beta, a: 0}\n",
                 "sweep.yaml:5:30: a must be > 0, got 0");
    EXPECT_ERROR(HEAD "parameters:\n  x: {distribution: int_uniform, min: 0.5, max: 3}\n",
                 "sweep.yaml:5:39: int_uniform needs whole numbers for min and max, got 0.5");
    EXPECT_ERROR(HEAD "parameters:\n  x: {distribution: uniform, min: 0}\n",
                 "sweep.yaml:5:6: parameter 'x' (uniform) is missing 'max'; uniform takes min, "
                 "max");
    EXPECT_ERROR(HEAD "parameters:\n  x: {min: 0, max: 1, mu: 3}\n",
                 "sweep.yaml:5:23: 'mu' does not apply to int_uniform; int_uniform takes min, max");
    EXPECT_ERROR(HEAD "parameters:\n  x: {min: 0, max: 'one'}\n",
                 "sweep.yaml:5:20: max must be a finite number, got 'one'");
    EXPECT_ERROR(HEAD "parameters:\n  x: {min: 0, max: .inf}\n",
                 "sweep.yaml:5:20: max must be a finite number, got '.inf'");
    EXPECT_ERROR(HEAD "parameters:\n  x: {vaules: [1, 2]}\n",
                 "sweep.yaml:5:7: unknown key 'vaules' (did you mean 'values'?)");
    EXPECT_ERROR(HEAD "parameters:\n  x: {probabilities: [1]}\n",
                 "sweep.yaml:5:6: parameter 'x' has no distribution; give value, values, min and "
                 "max, or distribution");
    EXPECT_ERROR(HEAD "parameters:\n  x: [1, 2]\n",
                 "sweep.yaml:5:6: parameter 'x' must be a mapping such as {values: [1, 2]} or "
                 "{min: 0, max: 1}, got a list");
    EXPECT_ERROR(HEAD "parameters:\n  x: {distribution: q_uniform, min: 0.1, max: 0.2}\n",
                 "sweep.yaml:5:6: no multiple of q (1) lies between min (0.1) and max (0.2); make "
                 "q smaller or the range wider");
    EXPECT_ERROR(HEAD "parameters:\n  'learning rate': {value: 1}\n",
                 "sweep.yaml:5:3: parameter name 'learning rate' is not valid; expected letters, "
                 "digits, '_', '.' or '-', starting with a letter or '_'");
    EXPECT_ERROR(HEAD "parameters:\n  opt:\n    parameters: {lr: {value: 1}}\n    values: [1]\n",
                 "sweep.yaml:6:5: parameter 'opt' has parameters and other keys; a nested "
                 "parameter holds only parameters");
    EXPECT_ERROR(HEAD "parameters:\n  opt.lr: {value: 1}\n  opt:\n    parameters:\n"
                      "      lr: {value: 2}\n",
                 "sweep.yaml:8:7: duplicate parameter name 'opt.lr' (first declared at line 5); "
                 "each parameter needs its own name");
}

static void test_missing_parameters(void)
{
    EXPECT_ERROR(HEAD, "sweep.yaml:1:1: missing 'parameters'; add parameters: {lr: {min: 0.0001, "
                       "max: 0.1}}");
    EXPECT_ERROR(HEAD "parameters: {}\n",
                 "sweep.yaml:4:13: no parameters; add one such as lr: {min: 0.0001, max: 0.1}");
    EXPECT_ERROR(HEAD "parameters:\n",
                 "sweep.yaml:4:12: parameters must be a mapping of names to {...}, got nothing");
    EXPECT_ERROR(HEAD "parameters:\n  opt: {parameters: {}}\n",
                 "sweep.yaml:5:21: no parameters; add one such as lr: {min: 0.0001, max: 0.1}");
}

static void test_grid_errors(void)
{
    EXPECT_ERROR("method: grid\nmetric: {name: acc}\nprogram: t.py\n"
                 "parameters:\n  a: {values: [1, 2]}\n  x: {min: 0.0, max: 1.0}\n",
                 "sweep.yaml:6:3: method grid needs a discrete parameter: give 'x' values: [...]");
    ld_spec *s = PARSE("method: grid\nmetric: {name: acc}\nprogram: t.py\nparameters:\n"
                       "  a: {min: 1, max: 3}\n  q: {distribution: q_uniform, min: 0, max: 1, "
                       "q: 0.5}\n  c: {value: x}\n");
    CHECK_INT_EQ(s->grid_sequential, 0); /* shuffled unless asked */
    ld_spec_free(s);
}

static void test_grid_order(void)
{
    const char *grid = "method: grid\nmetric: {name: acc}\nprogram: t.py\n"
                       "parameters:\n  a: {values: [1, 2]}\n";
    char yaml[512];
    snprintf(yaml, sizeof yaml, "%sorder: sequential\n", grid);
    ld_spec *s = PARSE(yaml);
    CHECK_INT_EQ(s->grid_sequential, 1);
    ld_spec_free(s);
    snprintf(yaml, sizeof yaml, "%sorder: random\n", grid);
    s = PARSE(yaml);
    CHECK_INT_EQ(s->grid_sequential, 0);
    ld_spec_free(s);
    snprintf(yaml, sizeof yaml, "%sorder: sequentail\n", grid);
    EXPECT_ERROR(yaml, "sweep.yaml:6:8: unknown order 'sequentail' (did you mean 'sequential'?)");
    snprintf(yaml, sizeof yaml, "%sorder: [a]\n", grid);
    EXPECT_ERROR(yaml, "sweep.yaml:6:8: order is random (grid points in a seeded shuffled order, "
                       "the default) or sequential (the file's order), got a list");
    EXPECT_ERROR(HEAD "order: sequential\nparameters: {x: {values: [1, 2]}}\n",
                 "sweep.yaml:4:8: order is the order of grid points, and this sweep's method is "
                 "random: remove it, or use method: grid");
}

static void test_command_errors(void)
{
    const char *tail = "parameters:\n  lr: {values: [0.1]}\n  batch: {values: [32]}\n";
    char y[1024];
    snprintf(y, sizeof y, HEAD "command: [python, train.py, '--lr=${lrr}']\n%s", tail);
    EXPECT_ERROR(y, "sweep.yaml:4:29: ${lrr} names no parameter (did you mean ${lr}?)");
    snprintf(y, sizeof y, HEAD "command: [python, '${foo}']\n%s", tail);
    EXPECT_ERROR(y, "sweep.yaml:4:19: unknown macro ${foo}; expected ${env}, ${interpreter}, "
                    "${program}, ${args}, ${args_no_hyphens}, ${args_no_boolean_flags}, "
                    "${args_json} or ${NAME} of a parameter");
    snprintf(y, sizeof y, HEAD "command: [python, '${arg}']\n%s", tail);
    EXPECT_ERROR(y, "sweep.yaml:4:19: unknown macro ${arg} (did you mean ${args}?)");
    snprintf(y, sizeof y,
             "method: random\nmetric: {name: acc}\ncommand: [python, '${program}', '${args}']\n%s",
             tail);
    EXPECT_ERROR(y, "sweep.yaml:3:19: ${program} is used but 'program' is not set; add program: "
                    "train.py");
    snprintf(y, sizeof y, "method: random\nmetric: {name: acc}\n%s", tail);
    {
        /* neither program nor command: a sweep for ask/tell, with nothing to launch */
        ld_spec *spec = NULL;
        char err[512] = "";
        CHECK_INT_EQ(ld_spec_parse("sweep.yaml", y, strlen(y), &spec, err, sizeof err), LD_OK);
        CHECK(spec && spec->n_command == 0);
        ld_spec_free(spec);
    }
    snprintf(y, sizeof y, HEAD "command: [python, '--x ${args}']\n%s", tail);
    EXPECT_ERROR(y, "sweep.yaml:4:19: ${args} must be a command element of its own, got '--x "
                    "${args}'; write it as a separate list item");
    snprintf(y, sizeof y, HEAD "command: [python, '${lr']\n%s", tail);
    EXPECT_ERROR(y, "sweep.yaml:4:19: unterminated macro in '${lr'; expected ${NAME}");
    snprintf(y, sizeof y, HEAD "command: []\n%s", tail);
    EXPECT_ERROR(y, "sweep.yaml:4:10: command is an empty list; expected [${env}, ${interpreter}, "
                    "${program}, ${args}] or your own");
    snprintf(y, sizeof y, HEAD "command: python train.py\n%s", tail);
    EXPECT_ERROR(y, "sweep.yaml:4:10: command must be a list such as [${env}, ${interpreter}, "
                    "${program}, ${args}], got 'python train.py'");
}

/* ---- command building ------------------------------------------------------------------ */

static ld_value str_value(const char *s)
{
    ld_value v = {LD_VAL_STR, 0, (char *)s};
    return v;
}

static void check_argv(char **argv, const char *const *expected, size_t n)
{
    size_t got = 0;
    while (argv && argv[got])
        got++;
    CHECK_INT_EQ(got, n);
    for (size_t i = 0; i < n && i < got; i++)
        CHECK_STR_EQ(argv[i], expected[i]);
}

static void write_file(const char *path, const char *text, int mode)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
    chmod(path, (mode_t)mode);
}

static void test_command_build(void)
{
    ld_spec *s = PARSE(HEAD "parameters:\n"
                            "  lr: {min: 0.00001, max: 0.1}\n"
                            "  opt: {values: [adam, sgd]}\n"
                            "  layers: {min: 1, max: 4}\n"
                            "  bn: {values: [true, false]}\n"
                            "  momentum: {min: 0.5, max: 0.9, when: {opt: sgd}}\n");
    if (!s)
        return;
    ld_value values[5] = {{LD_VAL_FLOAT, 1e-5, NULL}, str_value("x; rm -rf ~"),
                          {LD_VAL_INT, 3, NULL}, {LD_VAL_BOOL, 1, NULL}, {LD_VAL_NONE, 0, NULL}};
    char **argv = NULL, err[256];
    char *old_path = ld_strdup(getenv("PATH"));

    setenv("PATH", "/nonexistent", 1);
    CHECK_INT_EQ(ld_command_build(s, values, &argv, err, sizeof err), LD_OK);
    const char *const want[] = {"/usr/bin/env", "python3", "train.py", "--lr=1e-05",
                                "--opt=x; rm -rf ~", "--layers=3", "--bn=True"};
    check_argv(argv, want, 7);
    ld_argv_free(argv);

    /* ${interpreter} is python when python is on PATH */
    char dir[] = "/tmp/ld_spec_test_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char py[64];
    snprintf(py, sizeof py, "%s/python", dir);
    write_file(py, "#!/bin/sh\n", 0755);
    setenv("PATH", dir, 1);
    CHECK_INT_EQ(ld_command_build(s, values, &argv, err, sizeof err), LD_OK);
    CHECK(argv && argv[1] && !strcmp(argv[1], "python"));
    ld_argv_free(argv);
    unlink(py);
    rmdir(dir);
    if (old_path)
        setenv("PATH", old_path, 1);
    free(old_path);

    for (size_t i = 0; i < s->n_command; i++)
        free(s->command[i]);
    free(s->command);
    const char *tmpl[] = {"${program}", "${args_no_hyphens}", "--cfg=${args_json}",
                          "lr=${lr},opt=${opt}", "${args_no_boolean_flags}", "${momentum}"};
    s->n_command = 6;
    s->command = calloc(6, sizeof *s->command);
    for (size_t i = 0; i < 6; i++)
        s->command[i] = ld_strdup(tmpl[i]);
    values[3].num = 0;
    CHECK_INT_EQ(ld_command_build(s, values, &argv, err, sizeof err), LD_OK);
    const char *const want2[] = {
        "train.py", "lr=1e-05", "opt=x; rm -rf ~", "layers=3", "bn=False",
        "--cfg={\"lr\": 1e-05, \"opt\": \"x; rm -rf ~\", \"layers\": 3, \"bn\": false}",
        "lr=1e-05,opt=x; rm -rf ~", "--lr=1e-05", "--opt=x; rm -rf ~", "--layers=3", ""};
    check_argv(argv, want2, 11);
    ld_argv_free(argv);
    ld_argv_free(NULL);
    ld_spec_free(s);
    ld_spec_free(NULL);
}

static void test_command_from_file(void)
{
    ld_spec *s = PARSE(HEAD "command: ['${env}', python3, '${program}', --epochs, 10, "
                            "'${args_json}']\n"
                            "parameters:\n  optimizer:\n    parameters:\n"
                            "      lr: {values: [0.5]}\n");
    if (!s)
        return;
    ld_value values[1] = {{LD_VAL_FLOAT, 0.5, NULL}};
    char **argv = NULL, err[256];
    CHECK_INT_EQ(ld_command_build(s, values, &argv, err, sizeof err), LD_OK);
    const char *const want[] = {"/usr/bin/env", "python3", "train.py", "--epochs", "10",
                                "{\"optimizer.lr\": 0.5}"};
    check_argv(argv, want, 6);
    ld_argv_free(argv);
    ld_spec_free(s);

    s = PARSE(HEAD "command: [run, '--lr=${optimizer.lr}']\n"
                   "parameters:\n  optimizer:\n    parameters:\n      lr: {values: [0.5]}\n");
    if (s) {
        CHECK_INT_EQ(ld_command_build(s, values, &argv, err, sizeof err), LD_OK);
        const char *const want2[] = {"run", "--lr=0.5"};
        check_argv(argv, want2, 2);
        ld_argv_free(argv);
        ld_spec_free(s);
    }
}

static void test_load(void)
{
    char dir[] = "/tmp/ld_spec_load_XXXXXX", path[64], err[256];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/lr.yaml", dir);
    write_file(path, HEAD "parameters: {x: {value: 1}}\n", 0644);
    ld_spec *s = NULL;
    CHECK_INT_EQ(ld_spec_load(path, &s, err, sizeof err), LD_OK);
    if (s) {
        CHECK_STR_EQ(s->name, "lr");
        CHECK_STR_EQ(s->path, path);
        ld_spec_free(s);
    }
    unlink(path);
    CHECK_INT_EQ(ld_spec_load(path, &s, err, sizeof err), LD_ERR_INPUT);
    CHECK(s == NULL);
    char want[128];
    snprintf(want, sizeof want, "%s: cannot open the sweep file: No such file or directory",
             path);
    CHECK_STR_EQ(err, want);
    rmdir(dir);
}

/* Every prefix of a full file either parses or fails cleanly with a one-line located message. */
static void test_every_prefix(void)
{
    const char *full = "name: t\nproject: p\nprogram: train.py\nmethod: bayes\n"
                       "command: ['${env}', '${interpreter}', '${program}', '${args}']\n"
                       "metric: {name: acc, goal: maximize}\n"
                       "early_terminate: {type: hyperband, min_iter: 2}\n"
                       "timeout: 1h30m\nbudget: {trials: 9}\ngpus: [0, 1]\n"
                       "parameters:\n"
                       "  lr: {distribution: log_uniform_values, min: 1e-5, max: 0.1}\n"
                       "  opt:\n    parameters:\n      kind: {values: [adam, sgd]}\n"
                       "      mom: {min: 0.5, max: 0.9, when: {opt.kind: sgd}}\n"
                       "  p: {values: [a, b], probabilities: [0.3, 0.7]}\n";
    size_t len = strlen(full), ok = 0;
    for (size_t n = 0; n <= len; n++) {
        ld_spec *spec = NULL;
        char err[512] = "";
        ld_status st = ld_spec_parse("sweep.yaml", full, n, &spec, err, sizeof err);
        CHECK(st == LD_OK || st == LD_ERR_INPUT);
        if (st == LD_OK) {
            ok++;
            CHECK(spec != NULL);
        } else {
            CHECK(spec == NULL);
            CHECK(!strncmp(err, "sweep.yaml:", 11) && !strchr(err, '\n'));
        }
        ld_spec_free(spec);
    }
    CHECK(ok >= 1); /* at least the whole file */
}

int main(void)
{
    RUN(test_full_file);
    RUN(test_defaults);
    RUN(test_inference);
    RUN(test_scalar_types);
    RUN(test_nested);
    RUN(test_notes);
    RUN(test_log_uniform_and_max_failures);
    RUN(test_fidelity);
    RUN(test_executor);
    RUN(test_when);
    RUN(test_durations);
    RUN(test_method_names);
    RUN(test_structure_errors);
    RUN(test_type_errors);
    RUN(test_method_and_metric_errors);
    RUN(test_parameter_errors);
    RUN(test_missing_parameters);
    RUN(test_grid_errors);
    RUN(test_grid_order);
    RUN(test_command_errors);
    RUN(test_command_build);
    RUN(test_command_from_file);
    RUN(test_load);
    RUN(test_every_prefix);
    TEST_END();
}
