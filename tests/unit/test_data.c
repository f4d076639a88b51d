/*
 * test_data.c — the data tools' library (ld_data_*): exact stratified counts, determinism per
 * seed, format round-trips, bad lines named by file:line, stats numbers, badcases on a
 * hand-checked predictions file, and the Debian corpus and TREC conversion on fixtures.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "liandan.h"
#include "test.h"

static char scratch[256];
static char fixtures[512];

static const char *path_in(const char *name)
{
    static char buf[64][512];
    static int next;
    char *p = buf[next++ % 64];
    snprintf(p, 512, "%s/%s", scratch, name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* 100 examples: a 50, b 30, c 15, d 5, interleaved. */
static void write_abcd(const char *path)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    int left[4] = {50, 30, 15, 5}, i = 0;
    for (int round = 0; i < 100; round++)
        for (int c = 0; c < 4; c++)
            if (left[c]) {
                fprintf(f, "%c\ttext number %d of class %c\n", 'a' + c, i++, 'a' + c);
                left[c]--;
            }
    fclose(f);
}

static size_t count_of(const ld_data_counts *c, const char *label)
{
    for (size_t i = 0; i < c->n_classes; i++)
        if (!strcmp(c->classes[i].label, label))
            return c->classes[i].count;
    return 0;
}

static void test_sample_stratified_exact(void)
{
    const char *in = path_in("abcd.tsv"), *out = path_in("s.tsv");
    write_abcd(in);
    ld_data_common opt = {.stratify = 1, .seed = 7};
    ld_data_result r;
    ld_data_error err;
    CHECK_INT_EQ(ld_data_sample(in, out, 20, 0, &opt, &r, &err), LD_OK);
    CHECK_INT_EQ(r.outputs[0].examples, 20);
    CHECK_INT_EQ(count_of(&r.outputs[0], "a"), 10);
    CHECK_INT_EQ(count_of(&r.outputs[0], "b"), 6);
    CHECK_INT_EQ(count_of(&r.outputs[0], "c"), 3);
    CHECK_INT_EQ(count_of(&r.outputs[0], "d"), 1);
    ld_data_result_clear(&r);
    /* every class within one example of its exact share, none dropped */
    for (size_t n = 10; n <= 100; n += 9) {
        CHECK_INT_EQ(ld_data_sample(in, out, n, 0, &opt, &r, &err), LD_OK);
        CHECK_INT_EQ(r.outputs[0].examples, n);
        const size_t counts[4] = {50, 30, 15, 5};
        for (int c = 0; c < 4; c++) {
            char label[2] = {(char)('a' + c), 0};
            double share = (double)n * (double)counts[c] / 100.0;
            size_t got = count_of(&r.outputs[0], label);
            CHECK(got >= 1);
            CHECK(fabs((double)got - share) < 1.0);
        }
        ld_data_result_clear(&r);
    }
    /* a fraction; and fewer examples than classes is refused */
    CHECK_INT_EQ(ld_data_sample(in, out, 0, 0.1, &opt, &r, &err), LD_OK);
    CHECK_INT_EQ(r.outputs[0].examples, 10);
    ld_data_result_clear(&r);
    CHECK_INT_EQ(ld_data_sample(in, out, 3, 0, &opt, &r, &err), LD_ERR_INPUT);
    CHECK(strstr(err.msg, "needs --n 4 or more") != NULL);
    CHECK_INT_EQ(ld_data_sample(in, out, 101, 0, &opt, &r, &err), LD_ERR_INPUT);
}

static void test_sample_deterministic(void)
{
    const char *in = path_in("abcd.tsv"), *o1 = path_in("d1.tsv"), *o2 = path_in("d2.tsv");
    write_abcd(in);
    ld_data_result r;
    ld_data_error err;
    ld_data_common opt = {.seed = 3};
    CHECK_INT_EQ(ld_data_sample(in, o1, 30, 0, &opt, &r, &err), LD_OK);
    ld_data_result_clear(&r);
    CHECK_INT_EQ(ld_data_sample(in, o2, 30, 0, &opt, &r, &err), LD_OK);
    ld_data_result_clear(&r);
    char *a = read_all(o1), *b = read_all(o2);
    CHECK(a && b && !strcmp(a, b));
    free(b);
    opt.seed = 4;
    CHECK_INT_EQ(ld_data_sample(in, o2, 30, 0, &opt, &r, &err), LD_OK);
    ld_data_result_clear(&r);
    b = read_all(o2);
    CHECK(a && b && strcmp(a, b) != 0);
    free(a);
    free(b);
}

static void test_split_and_classes_and_balance(void)
{
    const char *in = path_in("abcd.tsv");
    write_abcd(in);
    ld_data_result r;
    ld_data_error err;
    ld_data_common opt = {.stratify = 1, .seed = 1};
    CHECK_INT_EQ(ld_data_split(in, path_in("split"), 0.1, 0.2, &opt, &r, &err), LD_OK);
    CHECK_INT_EQ(r.n_outputs, 3);
    CHECK_INT_EQ(r.outputs[0].examples + r.outputs[1].examples + r.outputs[2].examples, 100);
    CHECK_INT_EQ(count_of(&r.outputs[1], "a"), 5);
    CHECK_INT_EQ(count_of(&r.outputs[2], "a"), 10);
    CHECK_INT_EQ(count_of(&r.outputs[2], "b"), 6);
    CHECK_INT_EQ(count_of(&r.outputs[0], "d"), 5 - count_of(&r.outputs[1], "d") -
                                                    count_of(&r.outputs[2], "d"));
    CHECK(count_of(&r.outputs[0], "d") >= 1);
    CHECK(access(path_in("split/dev.tsv"), F_OK) == 0);
    ld_data_result_clear(&r);

    CHECK_INT_EQ(ld_data_classes(in, path_in("top.tsv"), 2, NULL, 0, &opt, &r, &err), LD_OK);
    CHECK_INT_EQ(r.outputs[0].n_classes, 2);
    CHECK_INT_EQ(count_of(&r.outputs[0], "a"), 50);
    CHECK_INT_EQ(count_of(&r.outputs[0], "b"), 30);
    ld_data_result_clear(&r);
    const char *keep[] = {"d"};
    CHECK_INT_EQ(ld_data_classes(in, path_in("keep.tsv"), 0, keep, 1, &opt, &r, &err), LD_OK);
    CHECK_INT_EQ(r.outputs[0].examples, 5);
    ld_data_result_clear(&r);
    const char *nokeep[] = {"zz"};
    CHECK_INT_EQ(ld_data_classes(in, path_in("keep.tsv"), 0, nokeep, 1, &opt, &r, &err),
                 LD_ERR_INPUT);
    CHECK(strstr(err.msg, "no class 'zz'") != NULL);

    CHECK_INT_EQ(ld_data_balance(in, path_in("over.tsv"), 1, 1.0, &opt, &r, &err), LD_OK);
    for (int c = 0; c < 4; c++)
        CHECK_INT_EQ(r.outputs[0].classes[c].count, 50);
    ld_data_result_clear(&r);
    CHECK_INT_EQ(ld_data_balance(in, path_in("over.tsv"), 1, 0.5, &opt, &r, &err), LD_OK);
    CHECK_INT_EQ(count_of(&r.outputs[0], "a"), 50);
    CHECK_INT_EQ(count_of(&r.outputs[0], "b"), 30);
    CHECK_INT_EQ(count_of(&r.outputs[0], "c"), 25);
    CHECK_INT_EQ(count_of(&r.outputs[0], "d"), 25);
    ld_data_result_clear(&r);
    CHECK_INT_EQ(ld_data_balance(in, path_in("under.tsv"), 0, 0.5, &opt, &r, &err), LD_OK);
    CHECK_INT_EQ(count_of(&r.outputs[0], "a"), 10);
    CHECK_INT_EQ(count_of(&r.outputs[0], "c"), 10);
    CHECK_INT_EQ(count_of(&r.outputs[0], "d"), 5);
    ld_data_result_clear(&r);
}

static void test_formats_round_trip(void)
{
    const char *in = path_in("abcd.tsv"), *ft = path_in("abcd.txt"), *back = path_in("back.tsv");
    write_abcd(in);
    ld_data_result r;
    ld_data_error err;
    ld_data_common to_ft = {.out_format = LD_DATA_FASTTEXT}, to_tsv = {.out_format = LD_DATA_TSV};
    CHECK_INT_EQ(ld_data_sample(in, ft, 100, 0, &to_ft, &r, &err), LD_OK);
    ld_data_result_clear(&r);
    char *f = read_all(ft);
    CHECK(f && !strncmp(f, "__label__a text number 0 of class a\n", 36));
    free(f);
    CHECK_INT_EQ(ld_data_sample(ft, back, 100, 0, &to_tsv, &r, &err), LD_OK);
    ld_data_result_clear(&r);
    char *a = read_all(in), *b = read_all(back);
    CHECK(a && b && !strcmp(a, b));
    free(a);
    free(b);
    /* a label with a space cannot be written as fastText */
    write_file(path_in("space.tsv"), "ok\tone\nnot ok\ttwo\n");
    CHECK_INT_EQ(ld_data_sample(path_in("space.tsv"), ft, 2, 0, &to_ft, &r, &err),
                 LD_ERR_INPUT);
    CHECK(strstr(err.msg, "space.tsv:2: label 'not ok' contains a space") != NULL);
}

static void test_bad_lines(void)
{
    ld_data_result r;
    ld_data_error err;
    ld_data_common opt = {0};
    const char *out = path_in("bad-out.tsv");
    write_file(path_in("bad.tsv"), "a\tone\nb\ttwo\nno tab here\n");
    CHECK_INT_EQ(ld_data_sample(path_in("bad.tsv"), out, 1, 0, &opt, &r, &err), LD_ERR_INPUT);
    char want[600];
    snprintf(want, sizeof want, "%s:3: no tab", path_in("bad.tsv"));
    CHECK(strstr(err.msg, want) == err.msg);
    CHECK(access(out, F_OK) != 0); /* nothing written */
    write_file(path_in("bad2.txt"), "__label__a one\n__label__b\n");
    CHECK_INT_EQ(ld_data_sample(path_in("bad2.txt"), out, 1, 0, &opt, &r, &err), LD_ERR_INPUT);
    CHECK(strstr(err.msg, "bad2.txt:2: no text after the label") != NULL);
    write_file(path_in("bad3.txt"), "__label__a one\n__label__a __label__b two\n");
    CHECK_INT_EQ(ld_data_sample(path_in("bad3.txt"), out, 1, 0, &opt, &r, &err), LD_ERR_INPUT);
    CHECK(strstr(err.msg, "bad3.txt:2: more than one __label__") != NULL);
    write_file(path_in("bad4.tsv"), "a\tone\n\nb\ttwo\n");
    CHECK_INT_EQ(ld_data_sample(path_in("bad4.tsv"), out, 1, 0, &opt, &r, &err), LD_ERR_INPUT);
    CHECK(strstr(err.msg, "bad4.tsv:2: empty line") != NULL);
}

static void test_stats(void)
{
    write_file(path_in("train.tsv"), "x\tthe cat sat\ny\ta dog\ny\ta dog\nx\tthe cat sat down "
                                     "now\ny\tred fish\ny\tred fish\nx\tthe end\n");
    write_file(path_in("dev.tsv"), "x\tthe cat sat\ny\tblue whale swims\nz\tthe new thing\n");
    const char *paths[] = {path_in("dev.tsv"), path_in("train.tsv")};
    ld_data_stats *s;
    ld_data_error err;
    CHECK_INT_EQ(ld_data_stats_compute(paths, 2, &s, &err), LD_OK);
    if (!s)
        return;
    const ld_data_file_stats *dev = &s->files[0], *train = &s->files[1];
    CHECK(train->is_train && !dev->is_train);
    CHECK_INT_EQ(train->counts.examples, 7);
    CHECK_INT_EQ(count_of(&train->counts, "y"), 4);
    CHECK_NEAR(train->imbalance, 4.0 / 3.0, 1e-12);
    CHECK_INT_EQ(train->duplicates, 2);
    CHECK_INT_EQ(train->conflicts, 0);
    /* lengths 3 2 2 5 2 2 2: sorted 2 2 2 2 2 3 5 */
    CHECK_INT_EQ(train->len_p50, 2);
    CHECK_INT_EQ(train->len_p90, 5);
    CHECK_INT_EQ(train->len_max, 5);
    CHECK_INT_EQ(train->vocab, 10); /* the cat sat a dog down now red fish end */
    CHECK_INT_EQ(dev->leaked, 1);
    /* dev tokens: the cat sat blue whale swims the new thing: 9, of which 5 unseen */
    CHECK_NEAR(dev->oov_rate, 5.0 / 9.0, 1e-12);
    int saw_leak = 0, saw_unknown_class = 0;
    for (size_t i = 0; i < s->n_warnings; i++) {
        saw_leak |= strstr(s->warnings[i], "1 text is also in") != NULL;
        saw_unknown_class |= strstr(s->warnings[i], "class 'z' (1 examples) never appears") != 0;
    }
    CHECK(saw_leak);
    CHECK(saw_unknown_class);
    ld_data_stats_free(s);
}

static void test_badcases(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/predictions.tsv", fixtures);
    ld_data_badcases *b;
    ld_data_error err;
    CHECK_INT_EQ(ld_data_badcases_compute(path, 3, &b, &err), LD_OK);
    if (!b)
        return;
    CHECK_INT_EQ(b->examples, 11);
    CHECK_INT_EQ(b->correct, 6);
    CHECK_INT_EQ(b->n_labels, 3);
    const size_t confusion[9] = {2, 2, 0, 1, 2, 1, 1, 0, 2};
    for (int i = 0; i < 9; i++)
        CHECK_INT_EQ(b->confusion[i], confusion[i]);
    CHECK_NEAR(b->precision[0], 0.5, 1e-12);
    CHECK_NEAR(b->recall[2], 2.0 / 3.0, 1e-12);
    CHECK_NEAR(b->f1[2], 2.0 / 3.0, 1e-12);
    CHECK_NEAR(b->macro_f1, (0.5 + 0.5 + 2.0 / 3.0) / 3, 1e-12);
    CHECK_INT_EQ(b->n_mistakes, 3);
    CHECK_INT_EQ(b->n_pairs, 2);
    CHECK_STR_EQ(b->pairs[0].gold, "a");
    CHECK_STR_EQ(b->pairs[0].predicted, "b");
    CHECK_INT_EQ(b->pairs[0].count, 2);
    CHECK_STR_EQ(b->mistakes[0].text, "three");
    CHECK_STR_EQ(b->mistakes[1].text, "two");
    CHECK_STR_EQ(b->mistakes[2].text, "six");
    CHECK_INT_EQ(b->mistakes[2].line, 7);
    ld_data_badcases_free(b);
    write_file(path_in("pred-bad.tsv"), "a\ta\t0.5\tok\na\tb\thigh\tbad\n");
    CHECK_INT_EQ(ld_data_badcases_compute(path_in("pred-bad.tsv"), 3, &b, &err), LD_ERR_INPUT);
    CHECK(strstr(err.msg, "pred-bad.tsv:2: confidence 'high' is not a number") != NULL);
}

static void test_debian_fixture(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/dumpavail.txt", fixtures);
    ld_data_result r;
    ld_data_error err;
    CHECK_INT_EQ(ld_data_debian(path, path_in("deb"), &r, &err), LD_OK);
    /* 0ad, libfoo1 (first version only), firmware-foo, pyfoo, bar-doc; nosection skipped */
    CHECK_INT_EQ(r.input.examples, 5);
    CHECK_INT_EQ(count_of(&r.input, "games"), 1);
    CHECK_INT_EQ(count_of(&r.input, "libs"), 1);
    CHECK_INT_EQ(count_of(&r.input, "oldlibs"), 0);
    CHECK_INT_EQ(count_of(&r.input, "kernel"), 1);
    CHECK_INT_EQ(count_of(&r.input, "python"), 1);
    ld_data_result_clear(&r);
    char *all = NULL;
    const char *names[3] = {"deb/train.tsv", "deb/dev.tsv", "deb/test.tsv"};
    size_t total = 0;
    for (int k = 0; k < 3; k++) {
        char *s = read_all(path_in(names[k]));
        CHECK(s != NULL);
        if (!s)
            continue;
        for (char *p = s; *p; p++)
            total += *p == '\n';
        if (strstr(s, "kernel\tBinary firmware for foo devices\n"))
            all = s;
        else
            free(s);
    }
    CHECK_INT_EQ(total, 5);
    CHECK(all != NULL); /* tab in the description became a space, trailing blanks gone */
    free(all);
    write_file(path_in("broken-dump.txt"), "Package: x\nthis line has no colon\n");
    CHECK_INT_EQ(ld_data_debian(path_in("broken-dump.txt"), path_in("deb2"), &r, &err),
                 LD_ERR_INPUT);
    CHECK(strstr(err.msg, "broken-dump.txt:2: expected 'Field: value'") != NULL);
}

static void test_convert_trec(void)
{
    char raw[600];
    snprintf(raw, sizeof raw, "%s/raw", fixtures);
    ld_data_result r;
    ld_data_error err;
    CHECK_INT_EQ(ld_data_convert("trec", raw, path_in("trec"), &r, &err), LD_OK);
    CHECK_INT_EQ(r.outputs[0].examples, 11);
    CHECK_INT_EQ(r.outputs[1].examples, 1); /* 500/5452 of 12, rounded */
    CHECK_INT_EQ(r.outputs[2].examples, 3);
    ld_data_result_clear(&r);
    char *test = read_all(path_in("trec/test.tsv"));
    CHECK(test && strstr(test, "HUM\tWho was Galileo ?\n")); /* CRLF gone */
    free(test);
    char *train = read_all(path_in("trec/train.tsv")), *dev = read_all(path_in("trec/dev.tsv"));
    /* Latin-1 0xF0 became UTF-8 */
    CHECK((train && strstr(train, "Los Angeles \xc3\xb0 ?")) ||
          (dev && strstr(dev, "Los Angeles \xc3\xb0 ?")));
    free(train);
    free(dev);
    CHECK_INT_EQ(ld_data_convert("nope", raw, path_in("x"), &r, &err), LD_ERR_INPUT);
}

int main(void)
{
    snprintf(scratch, sizeof scratch, "/tmp/liandan-test-data-XXXXXX");
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return 1;
    }
    /* tests/unit/test_data.c -> tests/fixtures/data */
    snprintf(fixtures, sizeof fixtures, "%s", __FILE__);
    char *slash = strrchr(fixtures, '/');
    if (slash)
        *slash = '\0';
    slash = strrchr(fixtures, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(fixtures, sizeof fixtures, "..");
    strncat(fixtures, "/fixtures/data", sizeof fixtures - strlen(fixtures) - 1);
    RUN(test_sample_stratified_exact);
    RUN(test_sample_deterministic);
    RUN(test_split_and_classes_and_balance);
    RUN(test_formats_round_trip);
    RUN(test_bad_lines);
    RUN(test_stats);
    RUN(test_badcases);
    RUN(test_debian_fixture);
    RUN(test_convert_trec);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", scratch);
    TEST_END();
}
