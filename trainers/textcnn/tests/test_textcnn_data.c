/*
 * test_textcnn_data.c — text in and data reshaping of liandan-textcnn: the tokenizer (ASCII,
 * punctuation, CJK), file formats and malformed lines, the vocabulary options, the stratified
 * fidelity sample, top-K classes, and the oversampled / class-balanced epoch orders.
 */
#include "test.h"

#include "data.h"
#include "train.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char joined[1024];

static void join_token(const char *tok, size_t len, void *ctx)
{
    (void)ctx;
    strncat(joined, tok, len);
    strcat(joined, "|");
}

static const char *tokens_of(const char *text)
{
    static char scratch[1024];
    joined[0] = 0;
    data_tokenize(text, scratch, join_token, NULL);
    return joined;
}

static void test_tokenizer(void)
{
    CHECK_STR_EQ(tokens_of("Hello, World!"), "hello|,|world|!|");
    CHECK_STR_EQ(tokens_of("  don't stop-motion 'quoted' -- 3.5 "),
                 "don't|stop-motion|'|quoted|'|-|-|3|.|5|");
    CHECK_STR_EQ(tokens_of("我爱北京。Go!"), "我|爱|北|京|。|go|!|");
    CHECK_STR_EQ(tokens_of("日本語とカタカナ、ＯＫ！"), "日|本|語|と|カ|タ|カ|ナ|、|ＯＫ|！|");
    CHECK_STR_EQ(tokens_of("café\tNAÏVE"), "café|naÏve|"); /* only ASCII is lowercased */
    CHECK_STR_EQ(tokens_of(""), "");
    char scratch[8];
    CHECK_INT_EQ(data_tokenize("a b c", scratch, join_token, NULL), 3);
}

static char dir[] = "/tmp/textcnn-data-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_formats(void)
{
    tc_raw_file raw;
    data_raw_read(&raw, write_file("a.tsv", "pos\tgood film\n\nneg \t bad film\r\nno tab\n\tx\n"),
                  0, 0);
    CHECK_INT_EQ(raw.format, TC_FORMAT_TSV);
    CHECK_INT_EQ(raw.n, 2);
    CHECK_INT_EQ(raw.skipped, 2); /* the line without a tab, the empty label */
    CHECK_STR_EQ(raw.ex[1].label, "neg");
    CHECK_STR_EQ(raw.ex[1].text, " bad film");
    CHECK_INT_EQ(raw.ex[1].line, 3);
    data_raw_free(&raw);

    data_raw_read(&raw, write_file("b.txt", "__label__sports __label__x the match\nnolabel\n"
                                            "__label__food pizza\n"), 0, 0);
    CHECK_INT_EQ(raw.format, TC_FORMAT_FASTTEXT);
    CHECK_INT_EQ(raw.n, 2);
    CHECK_STR_EQ(raw.ex[0].label, "sports");
    CHECK_STR_EQ(raw.ex[0].text, "the match");
    CHECK_STR_EQ(raw.ex[1].label, "food");
    data_raw_free(&raw);

    data_raw_read(&raw, write_file("c.txt", "just text\nmore text\n"), 1, 0);
    CHECK_INT_EQ(raw.format, TC_FORMAT_PLAIN);
    CHECK_INT_EQ(raw.n, 2);
    CHECK(raw.ex[0].label == NULL);
    data_raw_free(&raw);
}

static void test_vocab_and_encode(void)
{
    tc_raw_file raw;
    data_raw_read(&raw, write_file("v.tsv", "a\tb b b c c d\nb\tc b e\nc\tzz b c c\n"), 0, 0);
    tc_strtab vocab, labels;
    vocab_build(&vocab, &raw, 2, 0);
    /* b x5, c x5 (ties in byte order), then nothing else reaches min-count 2 */
    CHECK_INT_EQ(vocab.n, 4);
    CHECK_STR_EQ(vocab.words[TC_PAD], "<pad>");
    CHECK_STR_EQ(vocab.words[TC_UNK], "<unk>");
    CHECK_STR_EQ(vocab.words[2], "b");
    CHECK_STR_EQ(vocab.words[3], "c");
    strtab_free(&vocab);
    vocab_build(&vocab, &raw, 1, 3);
    CHECK_INT_EQ(vocab.n, 3);
    strtab_free(&vocab);

    vocab_build(&vocab, &raw, 1, 0);
    strtab_init(&labels);
    strtab_add(&labels, "a", 1);
    strtab_add(&labels, "c", 1);
    tc_dataset d;
    data_encode(&d, &raw, &vocab, &labels, 4, 0); /* label b is unknown: skipped */
    CHECK_INT_EQ(d.n, 2);
    CHECK_INT_EQ(d.label[1], 1);
    CHECK_INT_EQ(d.start[1] - d.start[0], 4); /* truncated to --max-len 4 */
    CHECK_INT_EQ(d.max_len, 4);
    CHECK_INT_EQ(d.ids[d.start[1]], strtab_find(&vocab, "zz", 2));
    data_free(&d);
    strtab_free(&vocab);
    strtab_free(&labels);
    data_raw_free(&raw);
}

/* n examples: label i % K except that class 0 gets `extra` more; token = its index. */
static void make_dataset(tc_dataset *d, int n, int K, const int *labels)
{
    memset(d, 0, sizeof *d);
    d->n = n;
    d->start = malloc((size_t)(n + 1) * sizeof *d->start);
    d->ids = malloc((size_t)n * sizeof *d->ids);
    d->label = malloc((size_t)n * sizeof *d->label);
    d->text = calloc((size_t)n, sizeof *d->text);
    for (int i = 0; i <= n; i++)
        d->start[i] = i;
    for (int i = 0; i < n; i++) {
        d->ids[i] = 2 + i;
        d->label[i] = labels[i] % K;
    }
    d->max_len = 1;
}

static void test_reshaping(void)
{
    enum { N = 100, K = 3 };
    int labels[N], counts[K];
    for (int i = 0; i < N; i++) /* 60 of class 0, 30 of class 1, 10 of class 2 */
        labels[i] = i < 60 ? 0 : i < 90 ? 1 : 2;
    tc_rng rng;
    tc_rng_seed(&rng, 5, 0);
    tc_dataset d;
    make_dataset(&d, N, K, labels);
    train_sample_fraction(&d, K, 0.1, &rng);
    data_class_counts(&d, K, counts);
    CHECK_INT_EQ(counts[0], 6);
    CHECK_INT_EQ(counts[1], 3);
    CHECK_INT_EQ(counts[2], 1);
    for (int i = 1; i < d.n; i++) /* original order kept */
        CHECK(d.ids[i] > d.ids[i - 1]);
    data_free(&d);

    make_dataset(&d, N, K, labels);
    int remap[K], kept[K];
    CHECK_INT_EQ(train_top_classes(&d, K, 2, remap, kept), 2);
    CHECK_INT_EQ(kept[0], 0);
    CHECK_INT_EQ(kept[1], 1);
    CHECK_INT_EQ(remap[2], -1);
    train_apply_remap(&d, remap);
    CHECK_INT_EQ(d.n, 90);
    data_free(&d);

    make_dataset(&d, N, K, labels);
    tc_dataset dev;
    train_split_dev(&d, &dev, K, 0.2, &rng);
    CHECK_INT_EQ(dev.n, 20);
    CHECK_INT_EQ(d.n, 80);
    data_class_counts(&dev, K, counts);
    CHECK_INT_EQ(counts[0], 12);
    CHECK_INT_EQ(counts[2], 2);
    data_free(&d);
    data_free(&dev);

    make_dataset(&d, N, K, labels);
    tc_sampler s;
    sampler_init(&s, &d, K, 1);
    int len = sampler_epoch(&s, 1, 0, &rng);
    CHECK_INT_EQ(len, 180); /* every class topped up to 60 */
    int seen[N] = {0};
    memset(counts, 0, sizeof counts);
    for (int i = 0; i < len; i++) {
        counts[d.label[s.order[i]]]++;
        seen[s.order[i]]++;
    }
    CHECK_INT_EQ(counts[0], 60);
    CHECK_INT_EQ(counts[1], 60);
    CHECK_INT_EQ(counts[2], 60);
    for (int i = 0; i < 60; i++)
        CHECK_INT_EQ(seen[i], 1); /* the majority class is not repeated */
    for (int i = 90; i < N; i++)
        CHECK_INT_EQ(seen[i], 6); /* 10 examples drawn without replacement, 6 times over */
    sampler_free(&s);

    sampler_init(&s, &d, K, 0);
    len = sampler_epoch(&s, 0, 1, &rng);
    CHECK_INT_EQ(len, N);
    for (int r = 0; r + K <= len; r += K) { /* each round of 3 has each class once */
        int mask = 0;
        for (int i = r; i < r + K; i++)
            mask |= 1 << d.label[s.order[i]];
        CHECK_INT_EQ(mask, 7);
    }
    len = sampler_epoch(&s, 0, 0, &rng);
    CHECK_INT_EQ(len, N);
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < len; i++)
        seen[s.order[i]]++;
    for (int i = 0; i < N; i++)
        CHECK_INT_EQ(seen[i], 1);
    sampler_free(&s);
    data_free(&d);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_tokenizer);
    RUN(test_formats);
    RUN(test_vocab_and_encode);
    RUN(test_reshaping);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    TEST_END();
}
