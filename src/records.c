/*
 * records.c — names of statuses and trial states, and the destructors of the records that the
 * public API hands out (trials with their params and series, study infos).
 *
 * Every back-end and the core fill these records; whoever receives one frees it here, so the
 * ownership rules live in one place: a trial owns its strings, its param names and values, and
 * its series; a study info owns its strings. Destructors accept NULL.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "liandan.h"

static const char *const status_names[] = {
    [LD_OK] = "ok",
    [LD_ERR_INPUT] = "bad input",
    [LD_ERR_NOTFOUND] = "not found",
    [LD_ERR_CONFLICT] = "conflict",
    [LD_ERR_STORAGE] = "storage error",
    [LD_ERR_IO] = "I/O error",
    [LD_ERR_NOMEM] = "out of memory",
    [LD_ERR_DONE] = "done",
};

static const char *const state_names[] = {
    [LD_TRIAL_QUEUED] = "queued",
    [LD_TRIAL_RUNNING] = "running",
    [LD_TRIAL_COMPLETE] = "complete",
    [LD_TRIAL_PRUNED] = "pruned",
    [LD_TRIAL_FAILED] = "failed",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *ld_status_name(ld_status status)
{
    if ((unsigned)status >= COUNT(status_names))
        return "unknown status";
    return status_names[status];
}

const char *ld_trial_state_name(ld_trial_state state)
{
    if ((unsigned)state >= COUNT(state_names))
        return "unknown";
    return state_names[state];
}

int ld_trial_state_parse(const char *name)
{
    for (size_t i = 0; name && i < COUNT(state_names); i++)
        if (strcmp(name, state_names[i]) == 0)
            return (int)i;
    return -1;
}

const ld_series *ld_trial_series(const ld_trial *trial, const char *key)
{
    for (size_t i = 0; trial && key && i < trial->n_series; i++)
        if (strcmp(trial->series[i].key, key) == 0)
            return &trial->series[i];
    return NULL;
}

size_t ld_summary_keys(const ld_trial *trials, size_t n, const char *metric, const char ***keys)
{
    size_t cap = 0, m = 0, kept = 0;
    for (size_t i = 0; i < n; i++)
        cap += trials[i].n_series;
    /* every distinct key once (a study has a handful), marked when some trial reported it twice */
    const char **all = cap ? calloc(cap, sizeof *all) : NULL;
    char *twice = cap ? calloc(cap, 1) : NULL;
    *keys = NULL;
    for (size_t i = 0; all && twice && i < n; i++)
        for (size_t k = 0; k < trials[i].n_series; k++) {
            const ld_series *sr = &trials[i].series[k];
            size_t j = 0;
            while (j < m && strcmp(all[j], sr->key) != 0)
                j++;
            if (j == m)
                all[m++] = sr->key;
            twice[j] |= sr->n > 1;
        }
    for (size_t j = 0; all && twice && j < m; j++)
        if (!twice[j] && !(metric && strcmp(all[j], metric) == 0))
            all[kept++] = all[j];
    free(twice);
    if (!kept) {
        free(all);
        return 0;
    }
    *keys = all;
    return kept;
}

double ld_trial_summary(const ld_trial *trial, const char *key)
{
    const ld_series *s = ld_trial_series(trial, key);
    return s && s->n ? s->values[0] : NAN;
}

const ld_value *ld_trial_param(const ld_trial *trial, const char *name)
{
    for (size_t i = 0; trial && trial->param_names && name && i < trial->n_params; i++)
        if (trial->param_names[i] && strcmp(trial->param_names[i], name) == 0)
            return &trial->params[i];
    return NULL;
}

int ld_trial_diverged(const ld_trial *trial)
{
    return trial && trial->state == LD_TRIAL_PRUNED && trial->reason &&
           strncmp(trial->reason, "diverged", 8) == 0;
}

static void series_clear(ld_series *s)
{
    free(s->key);
    free(s->steps);
    free(s->values);
    free(s->times);
}

void ld_trial_clear(ld_trial *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_params; i++) {
        free(t->param_names[i]);
        free(t->params[i].str); /* not ld_value_clear: records stay independent of space.c */
    }
    free(t->param_names);
    free(t->params);
    for (size_t i = 0; i < t->n_series; i++)
        series_clear(&t->series[i]);
    free(t->series);
    free(t->reason);
    free(t->host);
    free(t->command);
    free(t->log_path);
    free(t->git_commit);
    memset(t, 0, sizeof *t);
}

void ld_trials_free(ld_trial *trials, size_t n)
{
    if (!trials)
        return;
    for (size_t i = 0; i < n; i++)
        ld_trial_clear(&trials[i]);
    free(trials);
}

void ld_trial_free(ld_trial *trial) { ld_trials_free(trial, trial ? 1 : 0); }

void ld_study_info_clear(ld_study_info *info)
{
    if (!info)
        return;
    free(info->name);
    free(info->sweep_path);
    free(info->sweep_text);
    free(info->description);
    free(info->conclusion);
    free(info->next_step);
    free(info->parent);
    free(info->metric);
    memset(info, 0, sizeof *info);
}

void ld_study_infos_free(ld_study_info *infos, size_t n)
{
    if (!infos)
        return;
    for (size_t i = 0; i < n; i++)
        ld_study_info_clear(&infos[i]);
    free(infos);
}
