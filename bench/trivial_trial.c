/*
 * trivial_trial.c — the cheapest possible trial, for the runner benchmark (bench/runner.sh): it
 * parses its --name=value arguments as a training script would, prints one metric line and exits,
 * so that everything a benchmark measures is the tuner's own cost per trial (fork/exec, pipes,
 * the journal), not the trial's.
 *
 *   trivial_trial --x=0.3 --y=-1.2
 *   loss=1.53
 *
 * The loss is the sum of the squares of the numeric values; a malformed argument exits 2.
 * $TRIVIAL_METRICS=K (K > 1) adds K - 1 more metrics to the line (m1=... m2=...), for studies
 * whose trials report several (bench/bigstudy).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    double loss = 0.0;
    for (int i = 1; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (strncmp(argv[i], "--", 2) != 0 || !eq) {
            fprintf(stderr, "trivial_trial: expected --name=value, got '%s'\n", argv[i]);
            return 2;
        }
        double v = strtod(eq + 1, NULL);
        loss += v * v;
    }
    printf("loss=%.17g", loss);
    const char *k = getenv("TRIVIAL_METRICS");
    for (int m = 1; k && m < atoi(k); m++)
        printf(" m%d=%.17g", m, loss / (m + 1));
    printf("\n");
    return 0;
}
