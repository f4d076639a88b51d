/*
 * cmd_init.c — `liandan init --preset NAME`: writes a commented sweep file that starts from the
 * tuning playbook's empirical priors, so a first study searches where good settings usually
 * are. Every range carries a one-line comment saying why; the user edits the command and data.
 *
 * The presets are text (this is a template, not logic): the e2e test data_init.sh checks that
 * each one parses by asking a trial from it. With --data DIR, init writes a playbook fitted to
 * that data instead (init_playbook.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The priors every neural preset shares (two-space indent, under `parameters:`). */
#define COMMON_PRIORS                                                                          \
    "  # Learning rate matters most: log scale, so the decades 1, 0.1, 0.01, 0.001 are\n"     \
    "  # equally likely; good values usually sit in 1e-3..1e-2 for adaptive optimizers.\n"   \
    "  lr: {distribution: log_uniform_values, min: 0.0001, max: 1.0}\n"                       \
    "  # Halve the learning rate when the dev score stalls; 0.5 is the playbook's default.\n"  \
    "  lr_decay: {value: 0.5}\n"                                                              \
    "  # Adaptive optimizers at their papers' defaults (adam b1=0.9 b2=0.999 eps=1e-8,\n"     \
    "  # adadelta rho=0.95 eps=1e-6, rmsprop rho=0.9): they forgive a rough lr.\n"             \
    "  optimizer: {values: [adam, adadelta, rmsprop]}\n"                                      \
    "  # Around 128: big enough for stable gradients, small enough to generalize.\n"          \
    "  batch_size: {values: [64, 128, 256]}\n"                                                \
    "  # Clipping the gradient norm at 5-15 stops the rare exploding step.\n"                 \
    "  clip: {values: [5, 10, 15]}\n"                                                         \
    "  # Dropout on a linear scale: 0.5 is the classic choice, 0.3/0.7 bracket it.\n"         \
    "  dropout: {values: [0.3, 0.5, 0.7]}\n"                                                  \
    "  # L2 weight on a log scale up to about 10; 1.0 is typical for text models.\n"          \
    "  l2: {distribution: log_uniform_values, min: 0.0001, max: 10.0}\n"                      \
    "  # Class balancing on/off: it helps recall on rare classes, can cost accuracy.\n"       \
    "  balance: {values: [false, true]}\n"

#define RUN_SETTINGS                                                                           \
    "parallel: 2         # trials at a time; one per core or per GPU (gpus: [0, 1])\n"        \
    "timeout: 30m        # a trial that runs longer is stopped and recorded failed\n"         \
    "budget: {trials: 40}  # random search needs a few dozen trials to map the space\n"       \
    "seed: 1             # the same seed draws the same trials\n"

#define RANDOM_METHOD                                                                          \
    "# random first: it maps the space without assumptions; switch to bayes (or tpe)\n"       \
    "# once a first study shows where the good region is.\n"                                  \
    "method: random\n"                                                                        \
    "metric: {name: val_acc, goal: maximize, summary: best}\n"

static const struct {
    const char *name;
    const char *summary;
    const char *text;
} presets[] = {
    {"textcnn", "a convolutional sentence classifier (Kim 2014)",
     "# A TextCNN sweep from the tuning playbook's priors (liandan init --preset textcnn).\n"
     "# Edit the command and data paths, then: liandan run THIS_FILE\n"
     "name: textcnn\n"
     "description: Which learning rate, filters and regularization suit TextCNN on this data?\n"
     "program: liandan-textcnn\n"
     "# ${args} expands to --lr=0.003 --optimizer=adam ...; add your data flags after it.\n"
     "command: [\"${program}\", \"${args}\"]\n" RANDOM_METHOD "parameters:\n" COMMON_PRIORS
     "  # Word embeddings of 128 or 256 dimensions; more rarely pays off on small data.\n"
     "  embedding_dim: {values: [128, 256]}\n"
     "  # Filter widths: n-grams of 3-5 words carry most of the signal in sentences.\n"
     "  kernel_sizes: {values: [\"3,4,5\", \"2,3,4\", \"3\"]}\n"
     "  # Feature maps per width: start small (units from {16, 32, 128}), rarely over 1000.\n"
     "  filters: {values: [16, 32, 128]}\n"
     "  # One convolution layer first, as the playbook says: add depth only if it helps.\n"
     "  layers: {value: 1}\n"
     "  # Epochs: enough to converge with early stopping doing the rest.\n"
     "  epochs: {value: 10}\n" RUN_SETTINGS},
    {"rcnn", "a recurrent-convolutional text classifier (Lai et al. 2015)",
     "# An RCNN sweep from the tuning playbook's priors (liandan init --preset rcnn).\n"
     "# Edit the program and command, then: liandan run THIS_FILE\n"
     "name: rcnn\n"
     "description: Which learning rate, hidden size and regularization suit the RCNN here?\n"
     "program: train.py\n"
     "command: [python3, \"${program}\", \"${args}\"]\n" RANDOM_METHOD
     "parameters:\n" COMMON_PRIORS
     "  # Word embeddings of 128 or 256 dimensions; more rarely pays off on small data.\n"
     "  embedding_dim: {values: [128, 256]}\n"
     "  # Recurrent units from {16, 32, 128}: small first, rarely over 1000.\n"
     "  hidden: {values: [16, 32, 128]}\n"
     "  # Start with one recurrent layer; a second rarely helps sentence classification.\n"
     "  layers: {values: [1, 2]}\n"
     "  # Epochs: enough to converge with early stopping doing the rest.\n"
     "  epochs: {value: 10}\n" RUN_SETTINGS},
    {"mlp", "a multi-layer perceptron on fixed features",
     "# An MLP sweep from the tuning playbook's priors (liandan init --preset mlp).\n"
     "# Edit the program and command, then: liandan run THIS_FILE\n"
     "name: mlp\n"
     "description: How deep and wide should the MLP be, and with which learning rate?\n"
     "program: train.py\n"
     "command: [python3, \"${program}\", \"${args}\"]\n" RANDOM_METHOD
     "parameters:\n" COMMON_PRIORS
     "  # Units per layer from {16, 32, 128}: small first, rarely over 1000.\n"
     "  units: {values: [16, 32, 128]}\n"
     "  # Layers start at 1; depth is the last thing to grow.\n"
     "  layers: {values: [1, 2, 3]}\n"
     "  # Epochs: enough to converge with early stopping doing the rest.\n"
     "  epochs: {value: 20}\n" RUN_SETTINGS},
    {"generic", "the priors that hold for most neural models",
     "# A sweep from the tuning playbook's general priors (liandan init --preset generic).\n"
     "# Edit the program and command, keep the ranges your script uses, then:\n"
     "#   liandan run THIS_FILE\n"
     "name: generic\n"
     "description: Which learning rate, optimizer and regularization suit this model?\n"
     "program: train.py\n"
     "command: [python3, \"${program}\", \"${args}\"]\n" RANDOM_METHOD
     "parameters:\n" COMMON_PRIORS
     "  # Layers start at 1; depth is the last thing to grow.\n"
     "  layers: {values: [1, 2]}\n"
     "  # Units from {16, 32, 128}: small first, rarely over 1000.\n"
     "  units: {values: [16, 32, 128]}\n"
     "  # Word embeddings of 128 or 256 dimensions, if the model has any.\n"
     "  embedding_dim: {values: [128, 256]}\n" RUN_SETTINGS},
};

#define N_PRESETS (sizeof presets / sizeof *presets)

static int list_presets(FILE *f)
{
    for (size_t i = 0; i < N_PRESETS; i++)
        fprintf(f, "  %-8s %s\n", presets[i].name, presets[i].summary);
    return EXIT_USAGE;
}

int cmd_init(int argc, char **argv, const cli_global *g)
{
    const char *preset = NULL, *out = NULL, *data = NULL;
    double seconds = 15 * 60;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_option(argc, argv, &i, "--preset")))
            preset = v;
        else if ((v = cli_option(argc, argv, &i, "--data")))
            data = v;
        else if ((v = cli_option(argc, argv, &i, "--time"))) {
            if ((seconds = ld_parse_duration(v)) <= 0)
                return cli_usage("init: --time needs a duration such as 5m or 1h, got '%s'", v);
        }
        else if ((v = cli_option(argc, argv, &i, "-o")))
            out = v;
        else if (!strcmp(argv[i], "--force"))
            force = 1;
        else
            return cli_usage("init: unexpected '%s'; usage: liandan init --preset NAME "
                             "[--data DIR [--time T]] [-o FILE]", argv[i]);
    }
    if (!preset) {
        cli_usage("init: give --preset NAME, one of:");
        return list_presets(stderr);
    }
    if (data)
        return cli_init_playbook(preset, data, seconds, out, force, g);
    size_t k = 0;
    while (k < N_PRESETS && strcmp(presets[k].name, preset) != 0)
        k++;
    if (k == N_PRESETS) {
        cli_usage("init: no preset '%s'; the presets are:", preset);
        return list_presets(stderr);
    }
    if (!out) {
        fputs(presets[k].text, stdout);
        return EXIT_OK;
    }
    int fd = open(out, O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL), 0644);
    if (fd < 0)
        return errno == EEXIST
                   ? cli_usage("init: %s exists; choose another name or add --force", out)
                   : cli_fail(LD_ERR_IO, "init: %s: %s", out, strerror(errno));
    size_t len = strlen(presets[k].text);
    ssize_t wrote = write(fd, presets[k].text, len);
    if (close(fd) != 0 || wrote != (ssize_t)len) {
        unlink(out);
        return cli_fail(LD_ERR_IO, "init: %s: write failed", out);
    }
    if (!g->quiet)
        fprintf(stderr, "liandan: wrote %s (preset %s); edit its command, then: liandan run %s\n",
                out, preset, out);
    return EXIT_OK;
}
