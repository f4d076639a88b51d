/*
 * options.c — the flag table, the parser and --help (options.h).
 */
#include "options.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum { SECTION, STR, INT, REAL, FLAG } kind;

typedef struct {
    kind kind;
    const char *name; /* without the leading -- (the section title for SECTION) */
    size_t offset;
    const char *def;  /* default as text; NULL: none */
    double min, max;  /* for INT and REAL */
    const char *arg;  /* the argument's name in --help */
    const char *help;
} option;

#define AT(field) offsetof(tc_config, field)

static const option OPTIONS[] = {
    {SECTION, "Data", 0, NULL, 0, 0, NULL, NULL},
    {STR, "train", AT(train), NULL, 0, 0, "FILE",
     "training set: TSV `label<TAB>text` or fastText `__label__X text` (detected)"},
    {STR, "dev", AT(dev), NULL, 0, 0, "FILE",
     "validation set (default: --dev-fraction of --train, stratified, seeded)"},
    {STR, "test", AT(test), NULL, 0, 0, "FILE", "test set, scored once at the best epoch"},
    {REAL, "dev-fraction", AT(dev_fraction), "0.1", 0.01, 0.5, "F",
     "share of --train held out for validation when there is no --dev"},
    {INT, "min-count", AT(min_count), "1", 1, 1e9, "N",
     "keep training words seen at least N times; the rest are <unk>"},
    {INT, "max-vocab", AT(max_vocab), "0", 0, 1e9, "N",
     "keep at most N words, most frequent first (0: all)"},
    {INT, "max-len", AT(max_len), "100", 1, 1e6, "N", "truncate texts to N tokens"},
    {FLAG, "strict", AT(strict), NULL, 0, 0, NULL,
     "reject the first malformed line (exit 2) instead of skipping it with a warning"},
    {SECTION, "Model", 0, NULL, 0, 0, NULL, NULL},
    {STR, "model", AT(model), "cnn", 0, 0, "NAME",
     "cnn (Kim 2014) or rcnn (Lai et al. 2015: bidirectional recurrent context)"},
    {INT, "emb", AT(emb), NULL, 1, 4096, "N",
     "embedding width (default: 300, or the width of the --embeddings vectors)"},
    {STR, "embeddings", AT(embeddings), NULL, 0, 0, "FILE",
     "pretrained word vectors, word2vec/GloVe/fastText .vec text (Kim's CNN-non-static); words "
     "they lack get the random init of CNN-rand"},
    {FLAG, "freeze-embeddings", AT(freeze_embeddings), NULL, 0, 0, NULL,
     "never update the embedding table (with --embeddings: Kim's CNN-static)"},
    {STR, "windows", AT(windows), "3,4,5", 0, 0, "LIST",
     "convolution window widths, comma-separated (cnn)"},
    {INT, "maps", AT(maps), "100", 1, 4096, "N",
     "feature maps per window (cnn); projection width (rcnn)"},
    {INT, "context", AT(context), "100", 1, 4096, "N", "recurrent context width per direction (rcnn)"},
    {STR, "cell", AT(cell), "lstm", 0, 0, "NAME",
     "recurrent context cell (rcnn): rnn (tanh, Lai et al.), lstm or gru"},
    {STR, "projection-act", AT(projection_act), "tanh", 0, 0, "NAME",
     "activation of the pooled projection (rcnn): tanh (Lai et al.) or relu"},
    {FLAG, "context-word", AT(context_word), NULL, 0, 0, NULL,
     "the contexts of a word include the word itself, as a bidirectional RNN's outputs do "
     "(rcnn; default: Lai et al.'s, the words before and after it only)"},
    {REAL, "dropout", AT(dropout), "0.5", 0, 0.95, "P", "dropout on the pooled features"},
    {REAL, "max-norm", AT(max_norm), "3", 0, 1e9, "S",
     "cap each class's output weight vector at L2 norm S (0: off)"},
    {SECTION, "Training", 0, NULL, 0, 0, NULL, NULL},
    {STR, "optimizer", AT(optimizer), "adam", 0, 0, "NAME", "sgd, adam, adadelta or rmsprop"},
    {REAL, "lr", AT(lr), NULL, 0, 1e30, "X",
     "learning rate (default: 0.1 sgd, 1e-3 adam and rmsprop, 1.0 adadelta)"},
    {REAL, "momentum", AT(momentum), "0", 0, 0.9999, "M", "momentum (sgd)"},
    {FLAG, "dense-embedding-updates", AT(dense_embedding_updates), NULL, 0, 0, NULL,
     "step every embedding row every step, as torch.optim.Adam (default: only the batch's rows); "
     "helps on very short texts"},
    {REAL, "l2", AT(l2), "0", 0, 1, "X", "L2 penalty added to the gradients"},
    {REAL, "clip", AT(clip), "0", 0, 1e30, "N",
     "clip gradients by global norm: scale them down when their norm exceeds N (0: off)"},
    {REAL, "decay", AT(decay), "1", 0.001, 1, "F",
     "multiply the learning rate by F when val_acc stops rising (or every --decay-every epochs)"},
    {INT, "decay-every", AT(decay_every), "0", 0, 1e6, "N", "decay every N epochs instead"},
    {INT, "batch", AT(batch), "50", 1, 65536, "N", "sentences per mini-batch"},
    {INT, "epochs", AT(epochs), "10", 1, 1e6, "N", "epochs"},
    {INT, "patience", AT(patience), "0", 0, 1e6, "N",
     "stop after N epochs without a better val_acc (0: never)"},
    {FLAG, "oversample", AT(oversample), NULL, 0, 0, NULL,
     "repeat minority-class examples up to the majority count"},
    {FLAG, "balanced-batches", AT(balanced_batches), NULL, 0, 0, NULL,
     "draw classes evenly in every mini-batch"},
    {REAL, "train-fraction", AT(train_fraction), "1", 1e-6, 1, "F",
     "train on a stratified, seeded sample of this share of --train (cheap fidelity)"},
    {INT, "classes", AT(classes), "0", 0, 1e6, "K",
     "keep only the K most frequent classes (0: all; cheap fidelity)"},
    {INT, "seed", AT(seed), "1", 0, 2147483647, "N",
     "random seed; the same seed and --threads give bit-identical results"},
    {INT, "threads", AT(threads), "1", 1, 256, "N", "threads"},
    {SECTION, "Output", 0, NULL, 0, 0, NULL, NULL},
    {STR, "save", AT(save), NULL, 0, 0, "FILE",
     "save the best epoch's model (vocabulary and labels included)"},
    {STR, "load", AT(load), NULL, 0, 0, "FILE", "load a saved model (with --predict or --test)"},
    {STR, "checkpoint", AT(checkpoint), NULL, 0, 0, "DIR",
     "save the training state in DIR after every epoch and resume from it when it is there "
     "(auto: $LIANDAN_CHECKPOINT_DIR, the folder liandan gives a trial and its re-runs; "
     "nothing when unset)"},
    {STR, "predict", AT(predict), NULL, 0, 0, "FILE",
     "classify FILE (labelled or plain text, one a line) with the --load model"},
    {STR, "predictions", AT(predictions), NULL, 0, 0, "FILE",
     "write gold<TAB>predicted<TAB>confidence<TAB>text for the test set (else dev), or for "
     "--predict (default: stdout)"},
    {FLAG, "profile", AT(profile), NULL, 0, 0, NULL,
     "print matrix-product work (all of it, and the training steps' alone), bytes and time on "
     "stderr at the end"},
    {FLAG, "help", AT(help), NULL, 0, 0, NULL, "this help"},
};

#define NOPTIONS (sizeof OPTIONS / sizeof *OPTIONS)

static void usage_error(const char *fmt, const char *a, const char *b)
{
    fputs("liandan-textcnn: ", stderr);
    fprintf(stderr, fmt, a, b);
    fputs(" (see liandan-textcnn --help)\n", stderr);
    exit(TC_EXIT_USAGE);
}

static void set_value(tc_config *cfg, const option *o, const char *value)
{
    char *base = (char *)cfg + o->offset;
    char *end;
    switch (o->kind) {
    case STR:
        *(const char **)base = value;
        break;
    case INT: {
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end)
            usage_error("--%s: expected a whole number, got \"%s\"", o->name, value);
        if (v < o->min || v > o->max) {
            char range[64];
            snprintf(range, sizeof range, "%.0f..%.0f", o->min, o->max);
            usage_error("--%s: must be in %s", o->name, range);
        }
        *(int *)base = (int)v;
        break;
    }
    case REAL: {
        errno = 0;
        double v = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(v))
            usage_error("--%s: expected a number, got \"%s\"", o->name, value);
        if (v < o->min || v > o->max) {
            char range[64];
            snprintf(range, sizeof range, "%g..%g", o->min, o->max);
            usage_error("--%s: must be in %s", o->name, range);
        }
        *(double *)base = v;
        break;
    }
    case FLAG:
        *(int *)base = 1;
        break;
    case SECTION:
        break;
    }
}

/* Whether the first len bytes of given spell name, an underscore standing for a hyphen (W&B
 * sweeps often write parameters as train_fraction). */
static int same_flag_name(const char *name, const char *given, size_t len)
{
    if (strlen(name) != len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (name[i] != given[i] && !(name[i] == '-' && given[i] == '_'))
            return 0;
    return 1;
}

void options_parse(tc_config *cfg, int argc, char **argv)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NOPTIONS; i++)
        if (OPTIONS[i].def)
            set_value(cfg, &OPTIONS[i], OPTIONS[i].def);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0)
            arg = "--help";
        if (strncmp(arg, "--", 2) != 0)
            usage_error("unexpected argument \"%s\"%s; flags start with --", arg, "");
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const option *o = NULL;
        for (size_t k = 0; k < NOPTIONS; k++)
            if (OPTIONS[k].kind != SECTION && same_flag_name(OPTIONS[k].name, name, len))
                o = &OPTIONS[k];
        if (!o)
            usage_error("unknown flag \"%s\"%s", arg, "");
        const char *value;
        if (o->kind == FLAG) {
            if (eq && strcmp(eq + 1, "1") != 0 && strcmp(eq + 1, "true") != 0) {
                if (strcmp(eq + 1, "0") == 0 || strcmp(eq + 1, "false") == 0) {
                    *(int *)((char *)cfg + o->offset) = 0;
                    continue;
                }
                usage_error("--%s takes no value (or =1/=0), got \"%s\"", o->name, eq + 1);
            }
            value = "1";
        } else if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            usage_error("--%s needs a value (%s)", o->name, o->arg);
            return;
        }
        set_value(cfg, o, value);
    }
}

void options_help(FILE *out)
{
    fputs("liandan-textcnn — a fast TextCNN / RCNN text classifier that prints liandan metric "
          "lines.\n\n"
          "usage: liandan-textcnn --train FILE [--dev FILE] [--test FILE] [flags]\n"
          "       liandan-textcnn --load MODEL --predict FILE [--predictions OUT]\n"
          "       liandan-textcnn --load MODEL --test FILE\n",
          out);
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option *o = &OPTIONS[i];
        if (o->kind == SECTION) {
            fprintf(out, "\n%s:\n", o->name);
            continue;
        }
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-22s %s", left, o->help);
        if (o->def && o->kind != FLAG)
            fprintf(out, " [%s]", o->def);
        fputc('\n', out);
    }
    fputs("\nOutput: one line per epoch on stdout,\n"
          "  epoch=1 train_loss=0.912 train_acc=0.662 val_loss=0.611 val_acc=0.782 lr=0.001 "
          "secs=0.84 train_secs=0.79\n"
          "(secs: the epoch with its validation pass; train_secs: the training steps only),\n"
          "then test_acc=... test_loss=... best_epoch=... best_val_acc=... (without --test:\n"
          "best_epoch and best_val_acc). The model of the best validation epoch is kept.\n"
          "A NaN or infinite loss stops training: the last line carries diverged=1.\n"
          "\nA flag may be spelled with _ for - (--train_fraction is --train-fraction).\n"
          "\nExit status: 0 ok, 1 the run failed or diverged, 2 bad usage or bad input.\n",
          out);
}
