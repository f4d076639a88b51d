/*
 * test_metrics.c — the metric-line protocol: which lines are metric lines, and the numbers and
 * keys read from them. Strictness is the point, so most cases are lines that must be rejected.
 */
#include "metrics.h"
#include "test.h"

#include <math.h>

static size_t parse(const char *line, ld_metric_kv *kv)
{
    return ld_metrics_parse_line(line, kv, LD_METRICS_MAX);
}

static void test_valid_lines(void)
{
    ld_metric_kv kv[LD_METRICS_MAX];
    CHECK_INT_EQ(parse("epoch=3 train_loss=0.41 train_acc=0.86 val_acc=0.83", kv), 4);
    CHECK_STR_EQ(kv[0].key, "epoch");
    CHECK_NEAR(kv[0].value, 3, 0);
    CHECK_STR_EQ(kv[3].key, "val_acc");
    CHECK_NEAR(kv[3].value, 0.83, 0);

    CHECK_INT_EQ(parse("  \tloss=-1.5e-3\t lr=1e-3  ", kv), 2);
    CHECK_NEAR(kv[0].value, -1.5e-3, 0);
    CHECK_NEAR(kv[1].value, 1e-3, 0);

    CHECK_INT_EQ(parse("a=1 b=+2 c=.5 d=5. e=1E+2 f=-0", kv), 6);
    CHECK_NEAR(kv[1].value, 2, 0);
    CHECK_NEAR(kv[2].value, 0.5, 0);
    CHECK_NEAR(kv[3].value, 5, 0);
    CHECK_NEAR(kv[4].value, 100, 0);
    CHECK(kv[5].value == 0 && signbit(kv[5].value));

    CHECK_INT_EQ(parse("val/acc=1 train.loss=2 top-5=3 _x9=4", kv), 4);
    CHECK_STR_EQ(kv[0].key, "val/acc");
    CHECK_STR_EQ(kv[1].key, "train.loss");
    CHECK_STR_EQ(kv[2].key, "top-5");
    CHECK_STR_EQ(kv[3].key, "_x9");

    CHECK_INT_EQ(parse("acc=0.9\r", kv), 1);
    CHECK_NEAR(kv[0].value, 0.9, 0);
}

static void test_special_values(void)
{
    ld_metric_kv kv[LD_METRICS_MAX];
    const char *line = "a=nan b=NaN c=NAN d=inf e=-inf f=Infinity g=-INFINITY h=+inf i=-nan";
    CHECK_INT_EQ(parse(line, kv), 9);
    CHECK(isnan(kv[0].value) && isnan(kv[1].value) && isnan(kv[2].value) && isnan(kv[8].value));
    CHECK(isinf(kv[3].value) && kv[3].value > 0);
    CHECK(isinf(kv[4].value) && kv[4].value < 0);
    CHECK(isinf(kv[5].value) && kv[5].value > 0);
    CHECK(isinf(kv[6].value) && kv[6].value < 0);
    CHECK(isinf(kv[7].value) && kv[7].value > 0);
    CHECK_INT_EQ(parse("a=1e999", kv), 1); /* overflow reads as inf, as in Python */
    CHECK(isinf(kv[0].value));
}

static void test_rejected_lines(void)
{
    ld_metric_kv kv[LD_METRICS_MAX];
    const char *bad[] = {
        "",
        "   ",
        "\r",
        "Epoch 3 finished",
        "a=b",
        "acc=0.9 done",
        "done acc=0.9",
        "=3",
        "acc=",
        "acc",
        "acc==3",
        "acc=3=4",
        "3acc=1",
        ".acc=1",
        "a$b=1",
        "acc=0x1p3",
        "acc=0x10",
        "acc=1e",
        "acc=1e+",
        "acc=.",
        "acc=-",
        "acc=1.2.3",
        "acc=1,5",
        "acc=nan(123)",
        "acc=infin",
        "acc=nana",
        "acc=--1",
        "acc=+-1",
        "acc=1_000",
        "acc=0.9%",
        "acc=0.9s",
        "acc= 0.9",
        "loss=0.1 accuracy: 0.9",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = parse(bad[i], kv);
        if (n != 0)
            fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
        CHECK_INT_EQ(n, 0);
    }
    CHECK_INT_EQ(ld_metrics_parse_line(NULL, kv, LD_METRICS_MAX), 0);
}

static void test_key_length(void)
{
    ld_metric_kv kv[1];
    char line[LD_METRIC_KEY_MAX + 16];
    memset(line, 'k', LD_METRIC_KEY_MAX - 1);
    strcpy(line + LD_METRIC_KEY_MAX - 1, "=1");
    CHECK_INT_EQ(ld_metrics_parse_line(line, kv, 1), 1);
    CHECK_INT_EQ(strlen(kv[0].key), LD_METRIC_KEY_MAX - 1);

    memset(line, 'k', LD_METRIC_KEY_MAX);
    strcpy(line + LD_METRIC_KEY_MAX, "=1");
    CHECK_INT_EQ(ld_metrics_parse_line(line, kv, 1), 0);
}

static void test_max_pairs(void)
{
    ld_metric_kv kv[2];
    CHECK_INT_EQ(ld_metrics_parse_line("a=1 b=2 c=3", kv, 2), 2);
    CHECK_STR_EQ(kv[0].key, "a");
    CHECK_STR_EQ(kv[1].key, "b");
    /* Pairs past max are still checked: the line's kind never depends on max. */
    CHECK_INT_EQ(ld_metrics_parse_line("a=1 b=2 c=x", kv, 2), 0);
    CHECK_INT_EQ(ld_metrics_parse_line("a=1", NULL, 0), 0);

    char line[LD_METRICS_MAX * 8 + 64];
    ld_metric_kv many[LD_METRICS_MAX];
    size_t len = 0;
    for (int i = 0; i < LD_METRICS_MAX + 5; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, "k%d=%d ", i, i);
    CHECK_INT_EQ(ld_metrics_parse_line(line, many, LD_METRICS_MAX), LD_METRICS_MAX);
    CHECK_STR_EQ(many[LD_METRICS_MAX - 1].key, "k63");
}

static void test_parse_number(void)
{
    double v = 0;
    CHECK(ld_metrics_parse_number("1e-3", &v));
    CHECK_NEAR(v, 0.001, 0);
    CHECK(ld_metrics_parse_number("-42", &v));
    CHECK_NEAR(v, -42, 0);
    CHECK(ld_metrics_parse_number("+0.5", &v));
    CHECK_NEAR(v, 0.5, 0);
    CHECK(ld_metrics_parse_number("0.1000000000000000055511151231257827", &v));
    CHECK(v == 0.1);
    CHECK(ld_metrics_parse_number("iNfInItY", &v) && isinf(v));
    CHECK(ld_metrics_parse_number("nAn", &v) && isnan(v));
    v = 7;
    CHECK(!ld_metrics_parse_number("0x1p3", &v));
    CHECK(!ld_metrics_parse_number(" 1", &v));
    CHECK(!ld_metrics_parse_number("1 ", &v));
    CHECK(!ld_metrics_parse_number("", &v));
    CHECK(!ld_metrics_parse_number("+", &v));
    CHECK(!ld_metrics_parse_number(NULL, &v));
    CHECK_NEAR(v, 7, 0); /* untouched on failure */
}

int main(void)
{
    RUN(test_valid_lines);
    RUN(test_special_values);
    RUN(test_rejected_lines);
    RUN(test_key_length);
    RUN(test_max_pairs);
    RUN(test_parse_number);
    TEST_END();
}
