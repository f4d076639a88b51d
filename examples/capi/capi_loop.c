/*
 * capi_loop.c — tuning from C with libliandan, no subprocesses: the example for programs that
 * evaluate their objective in-process. It opens (or resumes) the study of a sweep file, then
 * asks for trials, reports per-step values, stops when told, and tells each result.
 *
 *   cc capi_loop.c $(pkg-config --cflags --libs liandan) -o capi_loop
 *   ./capi_loop sweep.yaml [sqlite:///liandan.db]
 *
 * The objective here is a toy: a "training curve" whose final loss is the distance of x from 0.3
 * (plus a penalty when `mode` is not "good"), approached over 5 steps.
 */
#include <liandan.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static double param_number(const ld_trial *t, const char *name, double fallback)
{
    for (size_t i = 0; i < t->n_params; i++)
        if (strcmp(t->param_names[i], name) == 0 && t->params[i].type != LD_VAL_STR)
            return t->params[i].num;
    return fallback;
}

static const char *param_string(const ld_trial *t, const char *name)
{
    for (size_t i = 0; i < t->n_params; i++)
        if (strcmp(t->param_names[i], name) == 0 && t->params[i].type == LD_VAL_STR)
            return t->params[i].str;
    return "";
}

static int run_trial(ld_study *study, const ld_trial *t)
{
    double x = param_number(t, "x", 0.5);
    double target = fabs(x - 0.3) + (strcmp(param_string(t, "mode"), "good") == 0 ? 0 : 1);
    for (int step = 1; step <= 5; step++) {
        const char *keys[] = {"loss"};
        double loss = target + 1.0 / step;
        if (ld_study_report(study, t->number, step, 1, keys, &loss) != LD_OK)
            return -1;
        int stop = 0;
        char *reason = NULL;
        if (ld_study_should_prune(study, t->number, &stop, &reason) != LD_OK)
            return -1;
        if (stop) {
            ld_trial_end end = {.state = LD_TRIAL_PRUNED, .exit_code = -1, .reason = reason};
            ld_status st = ld_study_tell(study, t->number, &end);
            free(reason);
            return st == LD_OK ? 0 : -1;
        }
    }
    ld_trial_end end = {.state = LD_TRIAL_COMPLETE, .exit_code = 0};
    return ld_study_tell(study, t->number, &end) == LD_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: capi_loop SWEEP.yaml [STORAGE_URL]\n");
        return 2;
    }
    ld_db *db = NULL;
    ld_study *study = NULL;
    ld_status st = ld_db_open(argc > 2 ? argv[2] : NULL, &db);
    if (st == LD_OK)
        st = ld_study_open(db, argv[1], NULL, &study);
    int done = 0;
    while (st == LD_OK) {
        ld_trial *t = NULL;
        st = ld_study_ask(study, &t);
        if (st == LD_ERR_DONE) {
            st = LD_OK;
            break;
        }
        if (st == LD_OK && run_trial(study, t) != 0)
            st = LD_ERR_STORAGE;
        ld_trial_free(t);
        done++;
    }
    if (st != LD_OK)
        fprintf(stderr, "capi_loop: %s\n", ld_db_errmsg(db));
    else
        printf("ran %d trials of %s\n", done, ld_study_name(study));
    ld_study_close(study);
    ld_db_close(db);
    return st == LD_OK ? 0 : 1;
}
