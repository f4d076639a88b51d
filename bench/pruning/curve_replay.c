/*
 * curve_replay.c — a trainer that prints recorded learning curves, so that every early-stopping
 * rule can be measured on the same real curves (bench/pruning/replay.sh) in seconds, as a user
 * runs it: liandan launches this program per trial with the trial's hyperparameters, exactly as
 * it launches the trainer whose curves were recorded.
 *
 * The curve file is a TSV with a header line; the columns named by the trial's arguments are
 * the configuration, `epoch` is the step, and every other column is a metric. The rows of one
 * configuration are printed in file order as metric lines, one per epoch, each after sleeping
 * `--sleep` seconds plus `--time-scale` times the row's `secs` column (when there is one), so
 * that parallel trials overlap as the recorded ones did; `--epochs=N` prints the first N only
 * (a sweep's `epochs` parameter is how liandan knows a trial's final step).
 *
 *   curve_replay --curves=FILE [--sleep=S] [--time-scale=F] [--epochs=N] --lr=0.001 ...
 *   epoch=1 train_loss=1.32 train_acc=0.50 val_loss=1.02 val_acc=0.63 secs=0.33
 *
 * Exit 2 (with the reason on stderr) on a missing file, an argument that names no column, or a
 * configuration the file does not hold.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_COLUMNS 64
#define MAX_ARGS 32

typedef struct {
    const char *name, *value;
    int column;
} match;

/* Splits `line` at tabs in place; returns the number of fields (at most MAX_COLUMNS). */
static int split(char *line, char **fields)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < MAX_COLUMNS;) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = 0;
        p = tab + 1;
    }
    return n;
}

/* Numbers compare by value (0.001 and 1e-3 are one configuration), anything else as text. */
static int same_value(const char *a, const char *b)
{
    char *end_a, *end_b;
    double x = strtod(a, &end_a), y = strtod(b, &end_b);
    if (end_a != a && !*end_a && end_b != b && !*end_b)
        return fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
    return !strcmp(a, b);
}

static void pause_for(double seconds)
{
    if (!(seconds > 0))
        return;
    struct timespec ts = {(time_t)seconds, (long)((seconds - floor(seconds)) * 1e9)};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    double sleep_s = 0, time_scale = 0;
    long max_epochs = -1;
    match m[MAX_ARGS];
    int n_match = 0;
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (strncmp(argv[i], "--", 2) || !eq) {
            fprintf(stderr, "curve_replay: expected --name=value, got '%s'\n", argv[i]);
            return 2;
        }
        *eq = 0;
        const char *name = argv[i] + 2, *value = eq + 1;
        if (!strcmp(name, "curves"))
            path = value;
        else if (!strcmp(name, "sleep"))
            sleep_s = atof(value);
        else if (!strcmp(name, "time-scale"))
            time_scale = atof(value);
        else if (!strcmp(name, "epochs"))
            max_epochs = atol(value);
        else if (n_match < MAX_ARGS)
            m[n_match++] = (match){name, value, -1};
        else {
            fprintf(stderr, "curve_replay: more than %d configuration arguments\n", MAX_ARGS);
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "curve_replay: missing --curves=FILE\n");
        return 2;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "curve_replay: cannot open %s: %s\n", path, strerror(errno));
        return 2;
    }
    char *line = NULL, *header[MAX_COLUMNS], *fields[MAX_COLUMNS];
    size_t cap = 0;
    if (getline(&line, &cap, f) < 0) {
        fprintf(stderr, "curve_replay: %s is empty\n", path);
        return 2;
    }
    int n_columns = split(line, fields), epoch_column = -1, secs_column = -1;
    for (int c = 0; c < n_columns; c++) {
        header[c] = strdup(fields[c]);
        if (!header[c])
            return 2;
        if (!strcmp(header[c], "epoch"))
            epoch_column = c;
        if (!strcmp(header[c], "secs"))
            secs_column = c;
        for (int a = 0; a < n_match; a++)
            if (!strcmp(header[c], m[a].name))
                m[a].column = c;
    }
    for (int a = 0; a < n_match; a++)
        if (m[a].column < 0) {
            fprintf(stderr, "curve_replay: %s has no column '%s' (the header names the columns)\n",
                    path, m[a].name);
            return 2;
        }
    if (epoch_column < 0) {
        fprintf(stderr, "curve_replay: %s has no 'epoch' column\n", path);
        return 2;
    }
    int printed = 0;
    while ((max_epochs < 0 || printed < max_epochs) && getline(&line, &cap, f) >= 0) {
        if (split(line, fields) != n_columns)
            continue;
        int hit = 1;
        for (int a = 0; a < n_match && hit; a++)
            hit = same_value(fields[m[a].column], m[a].value);
        if (!hit)
            continue;
        pause_for(sleep_s + (secs_column >= 0 ? time_scale * atof(fields[secs_column]) : 0));
        printf("epoch=%s", fields[epoch_column]);
        for (int c = 0; c < n_columns; c++) {
            int is_param = c == epoch_column;
            for (int a = 0; a < n_match && !is_param; a++)
                is_param = c == m[a].column;
            if (!is_param)
                printf(" %s=%s", header[c], fields[c]);
        }
        printf("\n");
        fflush(stdout);
        printed++;
    }
    if (!printed) {
        fprintf(stderr, "curve_replay: %s holds no curve for", path);
        for (int a = 0; a < n_match; a++)
            fprintf(stderr, " %s=%s", m[a].name, m[a].value);
        fprintf(stderr, "\n");
        return 2;
    }
    free(line);
    for (int c = 0; c < n_columns; c++)
        free(header[c]);
    fclose(f);
    return 0;
}
