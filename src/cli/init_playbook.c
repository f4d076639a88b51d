/*
 * init_playbook.c — `liandan init --preset textcnn|rcnn|fasttext --data DIR`: looks at the data
 * first (`liandan data stats`), then writes a playbook (a sweep with stages:, docs/playbook.md)
 * for it that runs unchanged with `liandan run FILE`.
 *
 * What the data decides, each written into the file as a comment beside the choice:
 *   - class imbalance of 3:1 or more: oversampling becomes a searched option;
 *   - more than 3,000 training examples: the cheap stages train on a sample of about 3,000
 *     (at least 10% of the data), the later ones on all of it;
 *   - 20 classes or more: the learning-rate stage keeps only the 10 most frequent classes;
 *   - texts longer than the trainer's 100 tokens at the 99th percentile: --max-len follows it.
 * The stages follow the playbook's priors: the learning rate by decades first (everything else
 * at the paper's defaults, so the first stage holds the paper's configuration), then the most
 * influential parameters on the sample, regularization on the full data, a refinement around
 * the best, and a confirm stage that re-trains the best configurations with three seeds.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define SAMPLE_EXAMPLES 3000.0
#define IMBALANCE_SEARCHED 3.0
#define MANY_CLASSES 20

typedef struct {
    char train[PATH_MAX], dev[PATH_MAX], test[PATH_MAX]; /* test "" when absent */
    ld_data_stats *stats;
    const ld_data_file_stats *tr;
} data_dir;

/* Appends s as a YAML double-quoted scalar. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* DIR/NAME.tsv or DIR/NAME.txt, made absolute; 0 when neither exists. */
static int find_split(const char *dir, const char *name, char *out)
{
    static const char *const ext[] = {"tsv", "txt"};
    for (size_t i = 0; i < 2; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s.%s", dir, name, ext[i]);
        if (is_file(p) && realpath(p, out))
            return 1;
    }
    out[0] = '\0';
    return 0;
}

/* A program installed beside this liandan (build/ or bin/), else the bare name for PATH. */
static void sibling(const char *rel, char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char p[PATH_MAX + 64], real[PATH_MAX];
            snprintf(p, sizeof p, "%s/%s", exe, rel);
            if (access(p, R_OK) == 0 && realpath(p, real)) {
                snprintf(out, size, "%s", real);
                return;
            }
        }
    }
    const char *base = strrchr(rel, '/');
    snprintf(out, size, "%s", base ? base + 1 : rel);
}

/* Does the trainer's --help mention this flag (added in a later version)? */
static int trainer_has(const char *trainer, const char *flag)
{
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "'%s' --help 2>&1", trainer);
    FILE *p = popen(cmd, "r");
    if (!p)
        return 0;
    char line[512];
    int found = 0;
    while (fgets(line, sizeof line, p))
        found |= strstr(line, flag) != NULL;
    pclose(p);
    return found;
}

static int load_data(const char *dir, data_dir *d)
{
    memset(d, 0, sizeof *d);
    if (!find_split(dir, "train", d->train))
        return cli_usage("init: %s has no train.tsv (or train.txt); --data needs a folder with "
                         "train, dev and test files ('liandan data split' makes them)", dir);
    if (!find_split(dir, "dev", d->dev))
        return cli_usage("init: %s has no dev.tsv (or dev.txt): the playbook selects by "
                         "validation; 'liandan data split' makes one", dir);
    find_split(dir, "test", d->test);
    const char *paths[3] = {d->train, d->dev, d->test};
    ld_data_error err;
    ld_status st = ld_data_stats_compute(paths, d->test[0] ? 3 : 2, &d->stats, &err);
    if (st != LD_OK)
        return cli_fail(st, "init: %s", err.msg);
    d->tr = &d->stats->files[0];
    return EXIT_OK;
}

/* The share of the training set the cheap stages use (1: all of it). */
static double sample_fraction(const ld_data_file_stats *tr)
{
    double n = (double)tr->counts.examples;
    if (n <= SAMPLE_EXAMPLES)
        return 1;
    double f = fmax(0.1, SAMPLE_EXAMPLES / n);
    return ceil(f * 100) / 100;
}

static void write_findings(FILE *f, const data_dir *d, double fraction, int oversample,
                           int subset)
{
    const ld_data_file_stats *tr = d->tr;
    fprintf(f, "# What `liandan data stats` found, and what it decided here:\n");
    fprintf(f, "#   train: %zu examples, %zu classes (largest '%s' %zu, smallest '%s' %zu), "
               "tokens per text p50 %zu, p90 %zu, p99 %zu, max %zu; %zu distinct tokens\n",
            tr->counts.examples, tr->counts.n_classes,
            tr->counts.n_classes ? tr->counts.classes[0].label : "-",
            tr->counts.n_classes ? tr->counts.classes[0].count : 0,
            tr->counts.n_classes ? tr->counts.classes[tr->counts.n_classes - 1].label : "-",
            tr->counts.n_classes ? tr->counts.classes[tr->counts.n_classes - 1].count : 0,
            tr->len_p50, tr->len_p90, tr->len_p99, tr->len_max, tr->vocab);
    for (size_t i = 1; i < d->stats->n_files; i++) {
        const ld_data_file_stats *x = &d->stats->files[i];
        fprintf(f, "#   %s: %zu examples, %.1f%% of its tokens unseen in train, %zu texts "
                   "also in train\n", i == 1 ? "dev" : "test", x->counts.examples,
                100 * x->oov_rate, x->leaked);
    }
    if (oversample)
        fprintf(f, "#   - imbalance %.1f:1 (>= %.0f:1): oversampling the rare classes is a "
                   "searched option\n", tr->imbalance, IMBALANCE_SEARCHED);
    else
        fprintf(f, "#   - imbalance %.1f:1 (< %.0f:1): no rebalancing\n", tr->imbalance,
                IMBALANCE_SEARCHED);
    if (fraction < 1)
        fprintf(f, "#   - %zu training examples: the cheap stages train on %.0f%% (about %.0f), "
                   "the later ones on all\n", tr->counts.examples, 100 * fraction,
                fraction * (double)tr->counts.examples);
    else
        fprintf(f, "#   - %zu training examples (<= %.0f): every stage trains on all of them\n",
                tr->counts.examples, SAMPLE_EXAMPLES);
    if (subset)
        fprintf(f, "#   - %zu classes: the learning-rate stage keeps the 10 most frequent\n",
                tr->counts.n_classes);
    else
        fprintf(f, "#   - %zu classes (< %d): no class-subset stage\n", tr->counts.n_classes,
                MANY_CLASSES);
    for (size_t i = 0; i < d->stats->n_warnings; i++)
        fprintf(f, "#   warning: %s\n", d->stats->warnings[i]);
}

static void write_data_args(FILE *f, const data_dir *d, const char *style)
{
    const char *names[3] = {"train", "dev", "test"};
    const char *paths[3] = {d->train, d->dev, d->test};
    for (int i = 0; i < 3; i++) {
        if (!paths[i][0])
            continue;
        if (!strcmp(style, "=")) { /* --train=PATH, one element */
            char buf[PATH_MAX + 16];
            snprintf(buf, sizeof buf, "--%s=%s", names[i], paths[i]);
            fprintf(f, "  - ");
            put_quoted(f, buf);
            fprintf(f, "\n");
        } else {
            fprintf(f, "  - --%s\n  - ", names[i]);
            put_quoted(f, paths[i]);
            fprintf(f, "\n");
        }
    }
}

static void write_neural(FILE *f, const char *preset, const data_dir *d, double seconds,
                         const char *trainer, const char *name)
{
    const ld_data_file_stats *tr = d->tr;
    int rcnn = !strcmp(preset, "rcnn");
    double fraction = sample_fraction(tr);
    int oversample = tr->imbalance >= IMBALANCE_SEARCHED;
    int subset = tr->counts.n_classes >= MANY_CLASSES;
    int has_cell = rcnn && trainer_has(trainer, "--cell");
    write_findings(f, d, fraction, oversample, subset);
    fprintf(f, "name: %s\n", name);
    fprintf(f, "description: The tuning playbook for %s on this data, from a sample to a "
               "configuration confirmed with three seeds.\n", rcnn ? "RCNN" : "TextCNN");
    fprintf(f, "program: ");
    put_quoted(f, trainer);
    fprintf(f, "\ncommand:\n  - ${program}\n");
    write_data_args(f, d, " ");
    fprintf(f, "  - --model\n  - %s\n", rcnn ? "rcnn" : "cnn");
    fprintf(f, "  - --patience        # stop a trial after 4 epochs without a better val_acc\n"
               "  - 4\n");
    if (tr->len_p99 > 100)
        fprintf(f, "  - --max-len         # the 99th percentile of the training texts' length\n"
                   "  - %zu\n", tr->len_p99 < 1000 ? tr->len_p99 : 1000);
    fprintf(f, "  - ${args_no_boolean_flags}   # --lr=0.001 ... and --oversample when true\n");
    fprintf(f, "# the trainer keeps the model of its best epoch, and scores test_acc there\n"
               "metric: {name: val_acc, goal: maximize, summary: best}\n");
    fprintf(f, "parameters:\n");
    fprintf(f, "  # Learning rate matters most: log scale; adam's paper default 0.001 first.\n"
               "  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.03, "
               "default: 0.001}\n");
    if (rcnn) {
        fprintf(f, "  # Recurrent context per direction (Lai et al. use 100 to 200).\n"
                   "  context: {values: [50, 100, 200], default: 100}\n"
                   "  # The projection after the recurrent layer.\n"
                   "  maps: {values: [100, 200, 300], default: 100}\n");
        if (has_cell)
            fprintf(f, "  # The recurrent cell: the LSTM of practitioners' TextRCNN first.\n"
                       "  cell: {values: [lstm, gru, rnn], default: lstm}\n");
    } else {
        fprintf(f, "  # Feature maps per window: Kim's 100 first, rarely over 300.\n"
                   "  maps: {values: [50, 100, 200, 300], default: 100}\n"
                   "  # Window widths: Kim's 3,4,5 first; narrow ones suit short texts.\n"
                   "  windows: {values: [\"3,4,5\", \"2,3,4\", \"1,2,3\", \"2,3,4,5\"], "
                   "default: \"3,4,5\"}\n");
    }
    fprintf(f, "  # Embedding width: Kim's 300 first.\n"
               "  emb: {values: [100, 200, 300], default: 300}\n"
               "  # Dropout on a linear scale; Kim's 0.5 first.\n"
               "  dropout: {min: 0.1, max: 0.7, default: 0.5}\n"
               "  # L2 penalty: none first, then small amounts.\n"
               "  l2: {values: [0, 0.00001, 0.0001, 0.001], default: 0}\n"
               "  # Mini-batch size: Kim's 50 first.\n"
               "  batch: {values: [25, 50, 100], default: 50}\n"
               "  # Kim's max-norm of 3 on the output weights, or none.\n"
               "  max_norm: {values: [3, 0], default: 3}\n");
    if (oversample)
        fprintf(f, "  # The data is imbalanced (%.1f:1): repeat rare-class examples, or not.\n"
                   "  oversample: {values: [false, true], default: false}\n", tr->imbalance);
    fprintf(f, "  # Epochs: an upper bound; --patience ends a trial that stopped improving.\n"
               "  epochs: {value: 20}\n"
               "  # The share of the training set; the cheap stages fix it lower.\n"
               "  train_fraction: {value: 1.0}\n"
               "  # The confirm stage re-trains with 3 seeds; not with one a configuration\n"
               "  # already ran with on all the data (2, 3, 4 for this seed 1).\n"
               "  seed: {value: 1}\n");
    char t[32];
    snprintf(t, sizeof t, "%.0fs", seconds);
    fprintf(f, "parallel: 2       # trials at a time: one per core here\n"
               "timeout: 30m      # a trial that runs longer is stopped and recorded failed\n"
               "budget: {time: %s}  # shared over the stages by their share: weights\n"
               "seed: 1\n", t);
    char frac[32] = "";
    if (fraction < 1)
        snprintf(frac, sizeof frac, "\n    train_fraction: %.2f", fraction);
    fprintf(f, "stages:\n"
               "  # 1. the learning rate by decades, everything else at the paper's defaults\n"
               "  - name: lr\n"
               "    method: grid\n"
               "    order: sequential   # the paper's rate first, then a decade each way\n"
               "    parameters:\n"
               "      lr: {values: [0.001, 0.0001, 0.0003, 0.003, 0.01]}%s%s\n"
               "    share: 1\n", frac, subset ? "\n    classes: 10" : "");
    fprintf(f, "  # 2. the most influential parameters, around the best rate, on the sample\n"
               "  - name: architecture\n"
               "    method: tpe\n"
               "    parameters: [lr, %s, emb]%s\n"
               "    share: 3\n", rcnn ? (has_cell ? "context, maps, cell" : "context, maps")
                                     : "maps, windows", frac);
    fprintf(f, "  # 3. regularization later, on all the data\n"
               "  - name: regularization\n"
               "    method: tpe\n"
               "    parameters: [lr, dropout, l2, batch, max_norm%s]\n"
               "    share: 2\n", oversample ? ", oversample" : "");
    fprintf(f, "  # 4. everything, in ranges narrowed around the 5 best so far\n"
               "  - name: fine\n"
               "    method: tpe\n"
               "    refine: {top: 5}\n"
               "    share: 2\n"
               "  # 5. the 2 best configurations again with 3 seeds each, chosen by mean val_acc\n"
               "  - name: confirm\n"
               "    confirm: {top: 2, seeds: 3}\n"
               "    share: 2\n");
}

static void write_fasttext(FILE *f, const data_dir *d, double seconds, const char *script,
                           const char *name)
{
    write_findings(f, d, 1, 0, 0);
    fprintf(f, "name: %s\n", name);
    fprintf(f, "description: The tuning playbook for fastText on this data, confirmed with "
               "three seeds.\n");
    fprintf(f, "program: ");
    put_quoted(f, script);
    fprintf(f, "\ncommand:\n  - sh\n  - ${program}\n");
    write_data_args(f, d, "=");
    fprintf(f, "  - --thread=1      # one thread per trial: reproducible, and two trials at a "
               "time\n  - ${args}\n");
    fprintf(f, "metric: {name: val_acc, goal: maximize}\n"
               "parameters:\n"
               "  # Learning rate on a log scale; fastText's supervised default is 0.1.\n"
               "  lr: {distribution: log_uniform_values, min: 0.01, max: 2.0, default: 0.1}\n"
               "  # Passes over the data; the default is 5.\n"
               "  epoch: {min: 2, max: 60, default: 5}\n"
               "  # Word n-grams: bigrams usually help sentiment.\n"
               "  wordNgrams: {min: 1, max: 3, default: 1}\n"
               "  # Vector size; the default is 100.\n"
               "  dim: {values: [50, 100, 200], default: 100}\n"
               "  # Character n-grams of length minn..maxn (0: none, the default).\n"
               "  minn: {values: [0, 2, 3], default: 0}\n"
               "  maxn: {values: [0, 4, 5, 6], default: 0}\n"
               "  # Hash buckets for n-grams; 2M is the default but makes big models.\n"
               "  bucket: {values: [200000, 1000000, 2000000], default: 2000000}\n"
               "  loss: {values: [softmax, ns, hs], default: softmax}\n"
               "  seed: {value: 1}\n");
    fprintf(f, "parallel: 2\ntimeout: 30m\nbudget: {time: %.0fs}\nseed: 1\n", seconds);
    fprintf(f, "stages:\n"
               "  - name: lr\n    method: grid\n    order: sequential\n    parameters:\n"
               "      lr: {values: [0.1, 0.01, 0.03, 0.3, 1.0]}\n    share: 1\n"
               "  - name: search\n    method: tpe\n    share: 5\n"
               "  - name: fine\n    method: tpe\n    refine: {top: 5}\n    share: 2\n"
               "  - name: confirm\n    confirm: {top: 2, seeds: 3}\n    share: 1\n");
}

int cli_init_playbook(const char *preset, const char *dir, double seconds, const char *out,
                      int force, const cli_global *g)
{
    int fasttext = !strcmp(preset, "fasttext");
    if (!fasttext && strcmp(preset, "textcnn") && strcmp(preset, "rcnn"))
        return cli_usage("init: --data works with --preset textcnn, rcnn or fasttext, not '%s'",
                         preset);
    data_dir d;
    int code = load_data(dir, &d);
    if (code != EXIT_OK)
        return code;
    char program[PATH_MAX];
    if (fasttext)
        sibling("../examples/fasttext/train.sh", program, sizeof program);
    else
        sibling("liandan-textcnn", program, sizeof program);
    if (fasttext && !strchr(program, '/')) {
        ld_data_stats_free(d.stats);
        return cli_fail(LD_ERR_IO, "init: cannot find examples/fasttext/train.sh beside this "
                                   "liandan; run the liandan built in the repository");
    }
    char real_dir[PATH_MAX], name[300];
    const char *base = realpath(dir, real_dir) ? strrchr(real_dir, '/') : NULL;
    snprintf(name, sizeof name, "%s-%s", preset, base && base[1] ? base + 1 : "data");
    for (char *c = name; *c; c++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", *c))
            *c = '_';
    FILE *f = stdout;
    int fd = -1;
    if (out) {
        fd = open(out, O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL), 0644);
        if (fd < 0) {
            ld_data_stats_free(d.stats);
            return errno == EEXIST
                       ? cli_usage("init: %s exists; choose another name or add --force", out)
                       : cli_fail(LD_ERR_IO, "init: %s: %s", out, strerror(errno));
        }
        f = fdopen(fd, "w");
    }
    if (!f) {
        close(fd);
        ld_data_stats_free(d.stats);
        return cli_fail(LD_ERR_IO, "init: %s: %s", out, strerror(errno));
    }
    fprintf(f, "# A tuning playbook written by: liandan init --preset %s --data %s --time %.0fs\n"
               "# Run it unchanged: liandan run %s   (docs/playbook.md explains the stages)\n",
            preset, dir, seconds, out ? out : "THIS_FILE");
    if (fasttext)
        write_fasttext(f, &d, seconds, program, name);
    else
        write_neural(f, preset, &d, seconds, program, name);
    ld_data_stats_free(d.stats);
    if (out) {
        int bad = ferror(f);
        if (fclose(f) != 0 || bad) {
            unlink(out);
            return cli_fail(LD_ERR_IO, "init: %s: write failed", out);
        }
        if (!g->quiet)
            fprintf(stderr, "liandan: wrote %s (playbook %s, %.0fs); run it: liandan run %s\n",
                    out, name, seconds, out);
    }
    return EXIT_OK;
}
