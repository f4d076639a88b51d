/*
 * test_textcnn_train.c — the liandan-textcnn program end to end, as a tuner runs it: it trains
 * TextCNN and RCNN on a topic data set this test writes (three classes told apart by their
 * words) and asserts the accuracy reached (RCNN with each context cell), the metric lines,
 * bit-identical reruns, save / load / predict, the predictions file, fastText input, malformed
 * lines (skipped, or rejected with --strict), bad training sets, corrupt model files,
 * divergence (diverged=1, exit 1), and pretrained vectors (--embeddings) that fastText trains
 * on part of the data set.
 */
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#ifndef TEXTCNN_BIN
#error "build with -DTEXTCNN_BIN=path/to/liandan-textcnn"
#endif

static char dir[] = "/tmp/textcnn-train-XXXXXX";
static char out[1 << 16], err[1 << 16];

static const char *at(const char *name)
{
    static char paths[8][256];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static void slurp(const char *path, char *buf, size_t size)
{
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = 0;
    fclose(f);
}

/* Runs the trainer with args; stdout and stderr land in out and err. Returns the exit code. */
static int run(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s >%s 2>%s", TEXTCNN_BIN, args, at("stdout"), at("stderr"));
    int status = system(cmd);
    slurp(at("stdout"), out, sizeof out);
    slurp(at("stderr"), err, sizeof err);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The value of key=... on the last line of out that has it; NAN when none. */
static double metric(const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "%s=", key);
    double v = NAN;
    for (const char *p = out; (p = strstr(p, pat)); p++)
        if (p == out || p[-1] == ' ' || p[-1] == '\n')
            v = strtod(p + strlen(pat), NULL);
    return v;
}

static int count_lines(const char *s, const char *prefix)
{
    int n = 0;
    for (const char *p = s; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
        n += strncmp(p, prefix, strlen(prefix)) == 0;
    return n;
}

/* Drops the secs=... values, the only thing allowed to differ between reruns. */
static void strip_secs(char *s)
{
    char *p;
    while ((p = strstr(s, "secs="))) {
        char *end = p + 5;
        while (*end && *end != ' ' && *end != '\n')
            end++;
        memmove(p, end, strlen(end) + 1);
    }
}

static const char *const TOPICS[3][8] = {
    {"goal", "match", "striker", "league", "coach", "stadium", "penalty", "season"},
    {"pizza", "recipe", "oven", "garlic", "noodles", "spicy", "dessert", "chef"},
    {"laptop", "software", "chip", "server", "compiler", "battery", "network", "kernel"},
};
static const char *const FILLER[10] = {"the", "a", "was", "really", "today", "we", "saw",
                                        "about", "new", "this"};

static unsigned lcg = 7;
static unsigned next_rand(void) { return (lcg = lcg * 1103515245u + 12345u) >> 16; }

/* n sentences of 5..10 words, two of them from the class's topic, in TSV or fastText form. */
static void write_topics(const char *name, int n, int fasttext, const char *names[3])
{
    FILE *f = fopen(at(name), "w");
    for (int i = 0; i < n; i++) {
        int c = i % 3, len = 5 + (int)(next_rand() % 6);
        int t1 = (int)(next_rand() % (unsigned)len), t2 = (int)(next_rand() % (unsigned)len);
        fprintf(f, fasttext ? "__label__%s " : "%s\t", names[c]);
        for (int w = 0; w < len; w++)
            fprintf(f, "%s%s", w ? " " : "",
                    w == t1 || w == t2 ? TOPICS[c][next_rand() % 8] : FILLER[next_rand() % 10]);
        fputc('\n', f);
    }
    fclose(f);
}

static const char *NAMES[3] = {"sports", "food", "tech"};
static char common[1024];

static void test_train_predict(void)
{
    CHECK_INT_EQ(run(common), 0);
    CHECK_INT_EQ(count_lines(out, "epoch="), 6);
    const char *keys[] = {"epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr", "secs"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        CHECK(!isnan(metric(keys[k])));
    CHECK(metric("test_acc") >= 0.9);
    CHECK(metric("val_acc") >= 0.9);
    CHECK(metric("best_epoch") >= 1 && metric("best_epoch") <= 6);
    CHECK(metric("train_loss") < 0.5);
    double test_acc = metric("test_acc");
    char first[sizeof out];
    strcpy(first, out);

    /* the same seed and threads give the same run, bit for bit */
    CHECK_INT_EQ(run(common), 0);
    strip_secs(first);
    strip_secs(out);
    CHECK_STR_EQ(out, first);
    /* and with two threads, twice */
    char threaded[1100];
    snprintf(threaded, sizeof threaded, "%s --threads 2", common);
    CHECK_INT_EQ(run(threaded), 0);
    char two[sizeof out];
    strip_secs(out);
    strcpy(two, out);
    CHECK_INT_EQ(run(threaded), 0);
    strip_secs(out);
    CHECK_STR_EQ(out, two);

    /* the saved model predicts what the trainer scored */
    char args[1024];
    snprintf(args, sizeof args, "--load %s --predict %s --predictions %s", at("model.bin"),
             at("test.tsv"), at("pred2.tsv"));
    CHECK_INT_EQ(run(args), 0);
    CHECK_NEAR(metric("test_acc"), test_acc, 1e-9);
    char pred[1 << 16], pred2[1 << 16];
    slurp(at("pred.tsv"), pred, sizeof pred);
    slurp(at("pred2.tsv"), pred2, sizeof pred2);
    CHECK_STR_EQ(pred2, pred);
    CHECK_INT_EQ(count_lines(pred, ""), 60);
    int tabs = 0;
    for (const char *p = pred; *p && *p != '\n'; p++)
        tabs += *p == '\t';
    CHECK_INT_EQ(tabs, 3); /* gold, predicted, confidence, text */
    CHECK(strncmp(pred, "sports\t", 7) == 0);

    /* plain text to stdout */
    FILE *f = fopen(at("plain.txt"), "w");
    fputs("the striker scored a late goal\nthe chef made spicy noodles\n", f);
    fclose(f);
    snprintf(args, sizeof args, "--load %s --predict %s", at("model.bin"), at("plain.txt"));
    CHECK_INT_EQ(run(args), 0);
    CHECK(strncmp(out, "\tsports\t", 8) == 0);
    CHECK(strstr(out, "\n\tfood\t") != NULL);
}

static void test_rcnn_and_options(void)
{
    char args[1400];
    const char *cells[] = {"rnn", "lstm", "gru"};
    for (size_t c = 0; c < sizeof cells / sizeof *cells; c++) {
        snprintf(args, sizeof args, "%s --model rcnn --context 8 --cell %s", common, cells[c]);
        CHECK_INT_EQ(run(args), 0);
        double test_acc = metric("test_acc");
        CHECK(test_acc >= 0.9);
        /* the saved model keeps its cell */
        snprintf(args, sizeof args, "--load %s --test %s", at("model.bin"), at("test.tsv"));
        CHECK_INT_EQ(run(args), 0);
        CHECK_NEAR(metric("test_acc"), test_acc, 1e-9);
    }
    snprintf(args, sizeof args, "%s --model rcnn --cell gru --context 8 --context-word", common);
    CHECK_INT_EQ(run(args), 0);
    CHECK(metric("test_acc") >= 0.9);
    double test_acc = metric("test_acc");
    snprintf(args, sizeof args, "--load %s --test %s", at("model.bin"), at("test.tsv"));
    CHECK_INT_EQ(run(args), 0);
    CHECK_NEAR(metric("test_acc"), test_acc, 1e-9);
    snprintf(args, sizeof args, "%s --model rcnn --context 8 --projection-act tanh", common);
    CHECK_INT_EQ(run(args), 0);
    CHECK(metric("test_acc") >= 0.9);
    test_acc = metric("test_acc");
    snprintf(args, sizeof args, "--load %s --test %s", at("model.bin"), at("test.tsv"));
    CHECK_INT_EQ(run(args), 0);
    CHECK_NEAR(metric("test_acc"), test_acc, 1e-9); /* the activation is saved with the model */
    snprintf(args, sizeof args, "%s --model rcnn --projection-act sigmoid", common);
    CHECK_INT_EQ(run(args), 2);
    snprintf(args, sizeof args, "%s --model rcnn --cell tree", common);
    CHECK_INT_EQ(run(args), 2);
    CHECK(strstr(err, "--cell: expected rnn, lstm or gru") != NULL);

    snprintf(args, sizeof args, "--train %s --dev %s --test %s --emb 16 --maps 8 --epochs 6 "
             "--batch 16 --optimizer sgd --momentum 0.9 --lr 0.5 --clip 1 --l2 1e-5 --decay 0.5 "
             "--decay-every 4 --balanced-batches --oversample --train-fraction 0.5 --classes 2 "
             "--threads 2", at("train.ft"), at("dev.tsv"), at("test.tsv"));
    CHECK_INT_EQ(run(args), 0);
    CHECK_NEAR(metric("lr"), 0.25, 1e-9); /* halved after epoch 4, printed in epochs 5..6 */
    CHECK(metric("test_acc") >= 0.9);

    snprintf(args, sizeof args, "%s --optimizer adadelta --lr 1 --epochs 10", common);
    CHECK_INT_EQ(run(args), 0);
    CHECK(metric("test_acc") >= 0.9);
    snprintf(args, sizeof args, "%s --optimizer rmsprop --epochs 10 --patience 1", common);
    CHECK_INT_EQ(run(args), 0);
    CHECK(metric("test_acc") >= 0.9);
    /* patience 1: stops one epoch after the best */
    CHECK_INT_EQ(count_lines(out, "epoch="), (int)metric("best_epoch") + 1);

    CHECK_INT_EQ(run("--help"), 0);
    CHECK(strstr(out, "--balanced-batches") && strstr(out, "--train-fraction") &&
          strstr(out, "Exit status"));
    /* underscores for hyphens, as W&B sweeps write parameter names: the same run */
    snprintf(args, sizeof args, "%s --train-fraction 0.5 --max-norm=2 --balanced-batches",
             common);
    CHECK_INT_EQ(run(args), 0);
    strip_secs(out);
    char hyphens[sizeof out];
    strcpy(hyphens, out);
    snprintf(args, sizeof args, "%s --train_fraction 0.5 --max_norm=2 --balanced_batches",
             common);
    CHECK_INT_EQ(run(args), 0);
    strip_secs(out);
    CHECK_STR_EQ(out, hyphens);
    CHECK_INT_EQ(run("--train x --train_fractions 0.5"), 2);
    CHECK_INT_EQ(run("--train x --bogus 1"), 2);
    CHECK(strstr(err, "unknown flag \"--bogus\""));
    CHECK_INT_EQ(run("--train x --lr abc"), 2);
    CHECK(strstr(err, "--lr: expected a number"));
    CHECK_INT_EQ(run("--train x --windows 3,,5"), 2);
}

static void test_bad_input(void)
{
    FILE *f = fopen(at("bad.tsv"), "w");
    for (int i = 0; i < 30; i++)
        fprintf(f, i == 4 ? "no tab on this line\n" : "%s\tword%d thing\n", NAMES[i % 2], i % 2);
    fclose(f);
    char args[1024];
    snprintf(args, sizeof args, "--train %s --emb 8 --maps 4 --epochs 1", at("bad.tsv"));
    CHECK_INT_EQ(run(args), 0);
    CHECK(strstr(err, "bad.tsv:5: expected `label<TAB>text`") != NULL);
    snprintf(args, sizeof args, "--train %s --strict --epochs 1", at("bad.tsv"));
    CHECK_INT_EQ(run(args), 2);
    CHECK(strstr(err, "bad.tsv:5:") && strstr(err, "--strict"));

    f = fopen(at("one.tsv"), "w");
    fputs("pos\tgood\npos\tgreat\npos\tfine\n", f);
    fclose(f);
    snprintf(args, sizeof args, "--train %s", at("one.tsv"));
    CHECK_INT_EQ(run(args), 2);
    CHECK(strstr(err, "single class (\"pos\")") != NULL);
    f = fopen(at("empty.tsv"), "w");
    fclose(f);
    snprintf(args, sizeof args, "--train %s", at("empty.tsv"));
    CHECK_INT_EQ(run(args), 2);
    CHECK(strstr(err, "empty") != NULL);
    snprintf(args, sizeof args, "--train %s", at("missing.tsv"));
    CHECK_INT_EQ(run(args), 2);

    /* a corrupt or foreign model file */
    char model[1 << 16];
    f = fopen(at("model.bin"), "rb");
    size_t n = fread(model, 1, sizeof model, f);
    fclose(f);
    model[n / 2] ^= 0x40;
    f = fopen(at("corrupt.bin"), "wb");
    fwrite(model, 1, n, f);
    fclose(f);
    snprintf(args, sizeof args, "--load %s --test %s", at("corrupt.bin"), at("test.tsv"));
    CHECK_INT_EQ(run(args), 2);
    CHECK(strstr(err, "checksum") != NULL);
    snprintf(args, sizeof args, "--load %s --test %s", at("bad.tsv"), at("test.tsv"));
    CHECK_INT_EQ(run(args), 2);
    CHECK(strstr(err, "bad magic") != NULL);
}

/* ---- pretrained vectors (--embeddings) ---------------------------------------------------- */

/* Adds the distinct space-separated words of text to words[*n] (each at most 31 bytes). */
static void add_words(const char *text, char words[][32], int *n, int max)
{
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, " \n");
        if (len > 0 && len < 32) {
            int seen = 0;
            for (int i = 0; i < *n && !seen; i++)
                seen = strlen(words[i]) == len && strncmp(words[i], p, len) == 0;
            if (!seen && *n < max) {
                memcpy(words[*n], p, len);
                words[(*n)++][len] = 0;
            }
        }
        p += len;
        p += *p != 0;
    }
}

/* Writes the texts of the training lines of classes other than skip, for fastText. */
static void write_texts(const char *tsv, const char *txt, const char *skip)
{
    FILE *in = fopen(at(tsv), "r"), *outf = fopen(at(txt), "w");
    char line[512];
    while (fgets(line, sizeof line, in)) {
        char *tab = strchr(line, '\t');
        if (tab && strncmp(line, skip, strlen(skip)) != 0)
            fputs(tab + 1, outf);
    }
    fclose(in);
    fclose(outf);
}

/* The 16 floats of word's line in a .vec file, as the trainer parses them. 0 when absent. */
static int vector_of(const char *vec, const char *word, float v[16])
{
    FILE *f = fopen(at(vec), "r");
    char line[4096];
    int found = 0;
    while (!found && f && fgets(line, sizeof line, f))
        if (strncmp(line, word, strlen(word)) == 0 && line[strlen(word)] == ' ') {
            char *p = line + strlen(word);
            for (int i = 0; i < 16; i++)
                v[i] = strtof(p, &p);
            found = 1;
        }
    if (f)
        fclose(f);
    return found;
}

/* Whether the bytes of v[n] appear in the file (a saved model holds its embedding rows). */
static int file_holds(const char *name, const float *v, int n)
{
    static char buf[1 << 20];
    FILE *f = fopen(at(name), "rb");
    size_t size = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    return memmem(buf, size, v, (size_t)n * sizeof *v) != NULL;
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(at(name), "w");
    fputs(text, f);
    fclose(f);
}

static void test_embeddings(void)
{
    /* vectors fastText trains on the sports and food lines: the tech words stay uncovered */
    write_texts("train.tsv", "ft.txt", "tech");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "fasttext skipgram -input %s -output %s -dim 16 -epoch 5 "
             "-minCount 1 -thread 1 >/dev/null 2>&1", at("ft.txt"), at("ft"));
    CHECK_INT_EQ(system(cmd), 0);
    static char text[1 << 16], words[256][32], covered_words[256][32];
    int nwords = 0, nvec = 0;
    slurp(at("ft.txt"), text, sizeof text);
    add_words(text, covered_words, &nvec, 256);
    FILE *f = fopen(at("train.tsv"), "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        add_words(strchr(line, '\t') + 1, words, &nwords, 256);
    if (f)
        fclose(f);
    int covered = 0;
    float v[16];
    for (int i = 0; i < nwords; i++)
        covered += vector_of("ft.vec", words[i], v);
    CHECK(covered > 0 && covered < nwords);
    CHECK_INT_EQ(covered, nvec); /* fastText keeps every word of its input at -minCount 1 */

    char args[2048], expect[256];
    snprintf(args, sizeof args, "%s --embeddings %s --save %s", common, at("ft.vec"),
             at("nonstatic.bin"));
    CHECK_INT_EQ(run(args), 0);
    snprintf(expect, sizeof expect, "embeddings: %d of %d vocabulary words covered (%.1f%%) from "
             "%s\n", covered, nwords, 100.0 * covered / nwords, at("ft.vec"));
    CHECK(strstr(err, expect) != NULL);
    CHECK(metric("test_acc") >= 0.9);

    /* frozen: a covered word's row is saved exactly as the file had it; fine-tuned, it moved */
    snprintf(args, sizeof args, "%s --embeddings %s --freeze-embeddings --save %s", common,
             at("ft.vec"), at("static.bin"));
    CHECK_INT_EQ(run(args), 0);
    double static_acc = metric("test_acc");
    CHECK(vector_of("ft.vec", "striker", v));
    CHECK(file_holds("static.bin", v, 16));
    CHECK(!file_holds("nonstatic.bin", v, 16));
    snprintf(args, sizeof args, "--load %s --test %s", at("static.bin"), at("test.tsv"));
    CHECK_INT_EQ(run(args), 0);
    CHECK_NEAR(metric("test_acc"), static_acc, 1e-9);

    /* GloVe's headerless form sets --emb; a cased word matches the lowercased vocabulary */
    write_file("glove.txt", "goal 0.5 -0.25 1 2\nPizza 0.125 0 0 1\nunseen 1 1 1 1\n");
    snprintf(args, sizeof args, "--train %s --dev %s --embeddings %s --freeze-embeddings --maps 4 "
             "--epochs 1 --save %s", at("train.tsv"), at("dev.tsv"), at("glove.txt"),
             at("glove.bin"));
    CHECK_INT_EQ(run(args), 0);
    CHECK(strstr(err, "embeddings: 2 of ") != NULL);
    const float pizza[4] = {0.125f, 0, 0, 1};
    CHECK(file_holds("glove.bin", pizza, 4));

    /* malformed files name the file and line */
    struct {
        const char *name, *content, *message;
    } bad[] = {
        {"short.vec", "3 4\ngoal 1 2 3 4\npizza 1 2 3\nchef 1 2 3 4\n",
         "short.vec:3: expected a word and 4 numbers"},
        {"nan.vec", "goal 1 2 3 4\npizza 1 2 x3 4\n",
         "nan.vec:2:11: expected a finite number, got \"x3\""},
        {"huge.vec", "99999999999 4\ngoal 1 2 3 4\n",
         "huge.vec:1: the header `N DIM` announces 99999999999 vectors"},
        {"cut.vec", "3 4\ngoal 1 2 3 4\n",
         "cut.vec:2: the file ends after 1 vectors; the header announced 3"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_file(bad[i].name, bad[i].content);
        snprintf(args, sizeof args, "--train %s --dev %s --embeddings %s --epochs 1",
                 at("train.tsv"), at("dev.tsv"), at(bad[i].name));
        CHECK_INT_EQ(run(args), 2);
        CHECK(strstr(err, bad[i].message) != NULL);
    }
    /* a width that disagrees with --emb */
    snprintf(args, sizeof args, "--train %s --dev %s --embeddings %s --emb 8 --epochs 1",
             at("train.tsv"), at("dev.tsv"), at("ft.vec"));
    CHECK_INT_EQ(run(args), 2);
    CHECK(strstr(err, "vectors of 16 numbers, but --emb is 8") != NULL);
}

static void test_divergence(void)
{
    char args[1400];
    snprintf(args, sizeof args, "%s --optimizer sgd --lr 1e30 --max-norm 0", common);
    CHECK_INT_EQ(run(args), 1);
    const char *last = out, *p;
    while ((p = strchr(last, '\n')) && p[1])
        last = p + 1;
    CHECK(strstr(last, "diverged=1") != NULL);
    CHECK(strstr(out, "test_acc=") == NULL);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    write_topics("train.tsv", 240, 0, NAMES);
    write_topics("train.ft", 240, 1, NAMES);
    write_topics("dev.tsv", 60, 0, NAMES);
    write_topics("test.tsv", 60, 0, NAMES);
    snprintf(common, sizeof common, "--train %s --dev %s --test %s --emb 16 --maps 8 "
             "--windows 2,3 --epochs 6 --batch 16 --lr 0.01 --seed 3 --save %s --predictions %s",
             at("train.tsv"), at("dev.tsv"), at("test.tsv"), at("model.bin"), at("pred.tsv"));
    RUN(test_train_predict);
    RUN(test_rcnn_and_options);
    RUN(test_bad_input);
    RUN(test_embeddings);
    RUN(test_divergence);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (getenv("KEEP") == NULL && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    TEST_END();
}
