/*
 * toy_train.c — a stand-in training script for the demo and the tests: it takes
 * hyperparameters as --name=value arguments and prints one metric line per epoch, exactly as a
 * real training script would, with curves that respond to the hyperparameters the way real
 * ones do (a best learning rate per optimizer, divergence when it is far too high, dropout that
 * trades training fit for validation accuracy).
 *
 *   toy_train --lr=0.003 --dropout=0.3 --optimizer=adam --epochs=8 [--sleep=0.05]
 *   epoch=1 train_loss=1.52 train_acc=0.48 val_loss=1.60 val_acc=0.45 lr=0.003
 *   ...
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    double lr, dropout, sleep;
    int epochs, seed;
    const char *optimizer;
} options;

static int parse(int argc, char **argv, options *o)
{
    *o = (options){.lr = 1e-3, .dropout = 0.0, .sleep = 0.0, .epochs = 10, .optimizer = "adam"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq = strchr(a, '=');
        if (strncmp(a, "--", 2) != 0 || !eq) {
            fprintf(stderr, "toy_train: expected --name=value, got '%s'\n", a);
            return -1;
        }
        const char *v = eq + 1;
        size_t n = (size_t)(eq - a - 2);
        if (n == 2 && !strncmp(a + 2, "lr", n))
            o->lr = atof(v);
        else if (n == 7 && !strncmp(a + 2, "dropout", n))
            o->dropout = atof(v);
        else if (n == 6 && !strncmp(a + 2, "epochs", n))
            o->epochs = atoi(v);
        else if (n == 5 && !strncmp(a + 2, "sleep", n))
            o->sleep = atof(v);
        else if (n == 4 && !strncmp(a + 2, "seed", n))
            o->seed = atoi(v);
        else if (n == 9 && !strncmp(a + 2, "optimizer", n))
            o->optimizer = v;
        /* other parameters are accepted and ignored, as argparse's parse_known_args would */
    }
    return o->lr > 0 && o->epochs > 0 ? 0 : -1;
}

/* The learning rate each optimizer likes best, and how far (in decades) it tolerates. */
static void optimum(const char *opt, double *best_lr, double *width)
{
    if (strcmp(opt, "sgd") == 0)
        *best_lr = 0.05, *width = 0.6;
    else if (strcmp(opt, "rmsprop") == 0)
        *best_lr = 1e-3, *width = 0.5;
    else
        *best_lr = 3e-3, *width = 0.8;
}

static void nap(double seconds)
{
    if (seconds <= 0)
        return;
    struct timespec ts = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    options o;
    if (parse(argc, argv, &o) != 0)
        return 2;
    double best_lr, width;
    optimum(o.optimizer, &best_lr, &width);
    double miss = (log10(o.lr) - log10(best_lr)) / width; /* decades off, in widths */
    double ceiling = 0.92 - 0.25 * miss * miss / (1 + 0.1 * miss * miss)
                     - 0.15 * (o.dropout - 0.3) * (o.dropout - 0.3);
    if (ceiling < 0.15) /* a hopeless setting learns next to nothing, like a real model */
        ceiling = 0.15;
    double speed = 0.35 * exp(-0.3 * fabs(miss)) * (1.0 - 0.5 * o.dropout);
    unsigned state = (unsigned)(o.lr * 1e9) ^ (unsigned)(o.dropout * 1e6) ^ (unsigned)o.seed;
    for (int epoch = 1; epoch <= o.epochs; epoch++) {
        nap(o.sleep);
        if (miss > 2.5 && epoch >= 2) {
            printf("epoch=%d train_loss=nan val_loss=nan val_acc=nan\n", epoch);
            fprintf(stderr, "toy_train: loss diverged at epoch %d (lr %g too high)\n", epoch,
                    o.lr);
            return 1;
        }
        state = state * 1103515245u + 12345u;
        double noise = ((state >> 16) % 1000) / 1000.0 * 0.01 - 0.005;
        double progress = 1 - exp(-speed * epoch);
        double train_acc = 0.1 + (ceiling + 0.06 * (1 - o.dropout) - 0.1) * progress;
        double overfit = (1 - o.dropout) * 0.004 * epoch * epoch / o.epochs;
        double val_acc = 0.1 + (ceiling - 0.1) * progress - overfit + noise;
        if (val_acc < 0.05)
            val_acc = 0.05;
        printf("epoch=%d train_loss=%.4f train_acc=%.4f val_loss=%.4f val_acc=%.4f lr=%g\n",
               epoch, -log(train_acc > 0.01 ? train_acc : 0.01), train_acc,
               -log(val_acc > 0.01 ? val_acc : 0.01), val_acc, o.lr);
        fflush(stdout);
    }
    return 0;
}
