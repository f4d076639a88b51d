/*
 * cmd_data.c — `liandan data SUBCOMMAND`: the data tools' command line. Parses options, calls
 * the ld_data_* functions of include/liandan.h and prints their results as text or --json on
 * stdout; warnings and errors go to stderr. The logic lives in src/data/.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct {
    const char *pos[64];
    int n_pos;
    const char *out, *seed, *format, *n, *fraction, *top, *keep, *ratio, *dev, *test;
    const char *dumpavail, *from;
    const char *sha256[8];
    int n_sha256;
    int stratify, oversample, undersample;
} opts;

/* Reads the options of every subcommand; unknown ones are an error. Returns 0 or an exit code. */
static int parse(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    struct {
        const char *name;
        const char **dest;
    } valued[] = {{"-o", &o->out},         {"--seed", &o->seed},   {"--format", &o->format},
                  {"--n", &o->n},          {"--fraction", &o->fraction}, {"--top", &o->top},
                  {"--keep", &o->keep},    {"--ratio", &o->ratio}, {"--dev", &o->dev},
                  {"--test", &o->test},    {"--dumpavail", &o->dumpavail},
                  {"--from", &o->from}};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int done = 0;
        for (size_t k = 0; k < sizeof valued / sizeof *valued && !done; k++) {
            size_t n = strlen(valued[k].name);
            if (strncmp(a, valued[k].name, n) != 0 || (a[n] != '\0' && a[n] != '='))
                continue;
            const char *v = cli_option(argc, argv, &i, valued[k].name);
            if (!v)
                return cli_usage("data %s: %s needs a value", argv[1], valued[k].name);
            *valued[k].dest = v;
            done = 1;
        }
        if (done)
            continue;
        if (!strncmp(a, "--sha256", 8) && (a[8] == '\0' || a[8] == '=')) {
            const char *v = cli_option(argc, argv, &i, "--sha256");
            if (!v || !strchr(v, '='))
                return cli_usage("data fetch: --sha256 needs FILE=HEX, e.g. "
                                 "--sha256 rt-polaritydata.tar.gz=<64 hex digits>");
            if (o->n_sha256 == (int)(sizeof o->sha256 / sizeof *o->sha256))
                return cli_usage("data fetch: too many --sha256");
            o->sha256[o->n_sha256++] = v;
        } else if (!strcmp(a, "--stratify")) {
            o->stratify = 1;
        } else if (!strcmp(a, "--oversample")) {
            o->oversample = 1;
        } else if (!strcmp(a, "--undersample")) {
            o->undersample = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage("data %s: unknown option '%s'; 'liandan help data' lists them",
                             argv[1], a);
        } else {
            if (o->n_pos == (int)(sizeof o->pos / sizeof *o->pos))
                return cli_usage("data %s: too many files", argv[1]);
            o->pos[o->n_pos++] = a;
        }
    }
    return 0;
}

static int fail(ld_status st, const ld_data_error *err)
{
    return cli_fail(st, "%s", err->msg);
}

static int common(const opts *o, ld_data_common *c)
{
    memset(c, 0, sizeof *c);
    c->stratify = o->stratify;
    if (o->seed) {
        long s;
        if (cli_parse_int(o->seed, &s) != 0)
            return cli_usage("--seed %s: expected a whole number >= 0", o->seed);
        c->seed = (uint64_t)s;
    }
    if (o->format) {
        int f = ld_data_format_parse(o->format);
        if (f < 0)
            return cli_usage("--format %s: expected tsv or fasttext", o->format);
        c->out_format = (ld_data_format)f;
    }
    return 0;
}

static int share(const char *name, const char *text, double *out)
{
    if (cli_parse_double(text, out) != 0 || !(*out >= 0 && *out < 1))
        return cli_usage("%s %s: expected a share such as 0.1 (>= 0 and < 1)", name, text);
    return 0;
}

/* ---- printing ------------------------------------------------------------------------------ */

/* "examples": N, "classes": {"label": count, ...} (largest first), inside an object */
static void json_counts(FILE *f, const ld_data_counts *c)
{
    fprintf(f, "\"examples\": %zu, \"classes\": {", c->examples);
    for (size_t i = 0; i < c->n_classes; i++) {
        fputs(i ? ", " : "", f);
        out_json_string(f, c->classes[i].label);
        fprintf(f, ": %zu", c->classes[i].count);
    }
    fputc('}', f);
}

static int print_result(const cli_global *g, const ld_data_result *r)
{
    if (g->json) {
        fputs("{\"input\": {", stdout);
        json_counts(stdout, &r->input);
        fputs("}, \"outputs\": [", stdout);
        for (size_t k = 0; k < r->n_outputs; k++) {
            fputs(k ? ", " : "", stdout);
            fputs("{\"path\": ", stdout);
            out_json_string(stdout, r->paths[k]);
            fputs(", ", stdout);
            json_counts(stdout, &r->outputs[k]);
            fputc('}', stdout);
        }
        fputs("]}\n", stdout);
    } else if (!g->quiet) {
        for (size_t k = 0; k < r->n_outputs; k++)
            printf("wrote %zu examples in %zu classes to %s\n", r->outputs[k].examples,
                   r->outputs[k].n_classes, r->paths[k]);
    }
    return EXIT_OK;
}

static void print_stats_text(const ld_data_stats *s)
{
    for (size_t i = 0; i < s->n_files; i++) {
        const ld_data_file_stats *f = &s->files[i];
        const ld_data_counts *c = &f->counts;
        printf("%s (%s%s): %zu examples, %zu classes, imbalance %.1f:1\n", f->path,
               ld_data_format_name(f->format), f->is_train && s->n_files > 1 ? ", train" : "",
               c->examples, c->n_classes, f->imbalance);
        size_t w = 5;
        for (size_t k = 0; k < c->n_classes; k++)
            if (strlen(c->classes[k].label) > w)
                w = strlen(c->classes[k].label);
        if (w > 40)
            w = 40;
        printf("  %-*s %10s %7s\n", (int)w, "class", "count", "share");
        for (size_t k = 0; k < c->n_classes; k++)
            printf("  %-*s %10zu %6.2f%%\n", (int)w, c->classes[k].label, c->classes[k].count,
                   100.0 * (double)c->classes[k].count / (double)c->examples);
        printf("  tokens per text: p50 %zu, p90 %zu, p99 %zu, max %zu (mean %.1f)\n", f->len_p50,
               f->len_p90, f->len_p99, f->len_max, f->len_mean);
        printf("  vocabulary: %zu distinct tokens\n", f->vocab);
        printf("  duplicate texts: %zu (%zu with a different label)\n", f->duplicates,
               f->conflicts);
        if (f->has_oov) {
            printf("  out of vocabulary (vs the train file): %.2f%% of tokens\n",
                   100 * f->oov_rate);
            printf("  texts also in the train file: %zu\n", f->leaked);
        }
    }
}

static void print_stats_json(const ld_data_stats *s)
{
    fputs("{\"files\": [", stdout);
    for (size_t i = 0; i < s->n_files; i++) {
        const ld_data_file_stats *f = &s->files[i];
        const ld_data_counts *c = &f->counts;
        fputs(i ? ", " : "", stdout);
        fputs("{\"path\": ", stdout);
        out_json_string(stdout, f->path);
        printf(", \"format\": \"%s\", \"train\": %s, \"examples\": %zu, \"classes\": [",
               ld_data_format_name(f->format), f->is_train ? "true" : "false", c->examples);
        for (size_t k = 0; k < c->n_classes; k++) {
            fputs(k ? ", " : "", stdout);
            fputs("{\"label\": ", stdout);
            out_json_string(stdout, c->classes[k].label);
            printf(", \"count\": %zu, \"share\": ", c->classes[k].count);
            out_json_number(stdout, (double)c->classes[k].count / (double)c->examples);
            fputc('}', stdout);
        }
        fputs("], \"imbalance\": ", stdout);
        out_json_number(stdout, f->imbalance);
        printf(", \"tokens\": {\"p50\": %zu, \"p90\": %zu, \"p99\": %zu, \"max\": %zu, "
               "\"mean\": ",
               f->len_p50, f->len_p90, f->len_p99, f->len_max);
        out_json_number(stdout, f->len_mean);
        printf("}, \"vocab\": %zu, \"duplicates\": %zu, \"conflicts\": %zu, \"oov_rate\": ",
               f->vocab, f->duplicates, f->conflicts);
        if (f->has_oov) {
            out_json_number(stdout, f->oov_rate);
            printf(", \"leaked\": %zu}", f->leaked);
        } else {
            fputs("null, \"leaked\": null}", stdout);
        }
    }
    fputs("], \"warnings\": [", stdout);
    for (size_t i = 0; i < s->n_warnings; i++) {
        fputs(i ? ", " : "", stdout);
        out_json_string(stdout, s->warnings[i]);
    }
    fputs("]}\n", stdout);
}

/* ---- subcommands --------------------------------------------------------------------------- */

static int data_stats(const opts *o, const cli_global *g)
{
    if (o->n_pos < 1)
        return cli_usage("data stats: give one or more files (train first or named *train*)");
    ld_data_stats *s;
    ld_data_error err;
    ld_status st = ld_data_stats_compute(o->pos, (size_t)o->n_pos, &s, &err);
    if (st != LD_OK)
        return fail(st, &err);
    if (g->json)
        print_stats_json(s);
    else
        print_stats_text(s);
    if (!g->quiet)
        for (size_t i = 0; i < s->n_warnings; i++)
            fprintf(stderr, "liandan: warning: %s\n", s->warnings[i]);
    ld_data_stats_free(s);
    return EXIT_OK;
}

static int one_in_one_out(const opts *o, const char *sub)
{
    if (o->n_pos != 1)
        return cli_usage("data %s: give exactly one input file", sub);
    if (!o->out)
        return cli_usage("data %s: -o OUT is required (the input is never changed)", sub);
    return 0;
}

static int data_sample(const opts *o, const cli_global *g)
{
    int rc = one_in_one_out(o, "sample");
    ld_data_common c;
    if (rc || (rc = common(o, &c)))
        return rc;
    if (!o->n == !o->fraction)
        return cli_usage("data sample: give one of --n N or --fraction F");
    long n = 0;
    double fraction = 0;
    if (o->n && (cli_parse_int(o->n, &n) != 0 || n < 1))
        return cli_usage("--n %s: expected a whole number >= 1", o->n);
    if (o->fraction && (cli_parse_double(o->fraction, &fraction) != 0 ||
                        !(fraction > 0 && fraction <= 1)))
        return cli_usage("--fraction %s: expected a share in (0, 1], e.g. 0.1", o->fraction);
    ld_data_result r;
    ld_data_error err;
    ld_status st = ld_data_sample(o->pos[0], o->out, (size_t)n, fraction, &c, &r, &err);
    if (st != LD_OK)
        return fail(st, &err);
    rc = print_result(g, &r);
    ld_data_result_clear(&r);
    return rc;
}

static int data_classes(const opts *o, const cli_global *g)
{
    int rc = one_in_one_out(o, "classes");
    ld_data_common c;
    if (rc || (rc = common(o, &c)))
        return rc;
    if (!o->top == !o->keep)
        return cli_usage("data classes: give one of --top K or --keep a,b,...");
    long top = 0;
    if (o->top && (cli_parse_int(o->top, &top) != 0 || top < 1))
        return cli_usage("--top %s: expected a whole number >= 1", o->top);
    char *list = o->keep ? strdup(o->keep) : NULL;
    const char *keep[256];
    size_t n_keep = 0;
    if (list) {
        for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            if (n_keep == sizeof keep / sizeof *keep) {
                free(list);
                return cli_usage("--keep: at most 256 classes");
            }
            keep[n_keep++] = t;
        }
        if (!n_keep) {
            free(list);
            return cli_usage("--keep %s: expected class names separated by commas", o->keep);
        }
    }
    ld_data_result r;
    ld_data_error err;
    ld_status st = ld_data_classes(o->pos[0], o->out, (size_t)top, keep, n_keep, &c, &r, &err);
    free(list);
    if (st != LD_OK)
        return fail(st, &err);
    rc = print_result(g, &r);
    ld_data_result_clear(&r);
    return rc;
}

static int data_balance(const opts *o, const cli_global *g)
{
    int rc = one_in_one_out(o, "balance");
    ld_data_common c;
    if (rc || (rc = common(o, &c)))
        return rc;
    if (o->oversample == o->undersample)
        return cli_usage("data balance: give one of --oversample or --undersample");
    double ratio = 1;
    if (o->ratio && (cli_parse_double(o->ratio, &ratio) != 0 || !(ratio > 0 && ratio <= 1)))
        return cli_usage("--ratio %s: expected a number in (0, 1], e.g. 0.5", o->ratio);
    ld_data_result r;
    ld_data_error err;
    ld_status st = ld_data_balance(o->pos[0], o->out, o->oversample, ratio, &c, &r, &err);
    if (st != LD_OK)
        return fail(st, &err);
    rc = print_result(g, &r);
    ld_data_result_clear(&r);
    return rc;
}

static int data_split(const opts *o, const cli_global *g)
{
    int rc = one_in_one_out(o, "split");
    ld_data_common c;
    if (rc || (rc = common(o, &c)))
        return rc;
    if (!o->dev || !o->test)
        return cli_usage("data split: give --dev F and --test F (shares, e.g. 0.1)");
    double dev, test;
    if ((rc = share("--dev", o->dev, &dev)) || (rc = share("--test", o->test, &test)))
        return rc;
    if (dev + test >= 1)
        return cli_usage("--dev %s --test %s: they leave nothing for train", o->dev, o->test);
    ld_data_result r;
    ld_data_error err;
    ld_status st = ld_data_split(o->pos[0], o->out, dev, test, &c, &r, &err);
    if (st != LD_OK)
        return fail(st, &err);
    rc = print_result(g, &r);
    ld_data_result_clear(&r);
    return rc;
}

static void print_badcases_text(const ld_data_badcases *b)
{
    size_t n = b->n_labels, w = 5;
    for (size_t i = 0; i < n; i++)
        if (strlen(b->labels[i]) > w)
            w = strlen(b->labels[i]);
    if (w > 30)
        w = 30;
    printf("accuracy %.4f (%zu of %zu), macro F1 %.4f\n\n", b->accuracy, b->correct, b->examples,
           b->macro_f1);
    printf("%-*s %9s %9s %9s %9s\n", (int)w, "class", "precision", "recall", "f1", "support");
    for (size_t i = 0; i < n; i++) {
        char p[16], r[16], f[16];
        snprintf(p, sizeof p, isnan(b->precision[i]) ? "-" : "%.4f", b->precision[i]);
        snprintf(r, sizeof r, isnan(b->recall[i]) ? "-" : "%.4f", b->recall[i]);
        snprintf(f, sizeof f, isnan(b->f1[i]) ? "-" : "%.4f", b->f1[i]);
        printf("%-*s %9s %9s %9s %9zu\n", (int)w, b->labels[i], p, r, f, b->support[i]);
    }
    printf("\nconfusion matrix (rows: gold, columns: predicted, in the order above)\n");
    for (size_t i = 0; i < n; i++) {
        printf("%-*s", (int)w, b->labels[i]);
        for (size_t j = 0; j < n; j++)
            printf(" %6zu", b->confusion[i * n + j]);
        putchar('\n');
    }
    if (!b->n_mistakes)
        return;
    printf("\nthe %zu most confident mistakes, by (gold, predicted):\n", b->n_mistakes);
    for (size_t p = 0; p < b->n_pairs; p++) {
        const ld_data_pair *pr = &b->pairs[p];
        printf("%s -> %s (%zu mistake%s in all)\n", pr->gold, pr->predicted, pr->count,
               pr->count == 1 ? "" : "s");
        for (size_t i = pr->first; i < pr->first + pr->n; i++)
            printf("  %.4f  line %zu  %s\n", b->mistakes[i].confidence, b->mistakes[i].line,
                   b->mistakes[i].text);
    }
}

static void json_maybe(double v)
{
    if (isnan(v))
        fputs("null", stdout);
    else
        out_json_number(stdout, v);
}

static void print_badcases_json(const ld_data_badcases *b)
{
    size_t n = b->n_labels;
    printf("{\"examples\": %zu, \"correct\": %zu, \"accuracy\": ", b->examples, b->correct);
    json_maybe(b->accuracy);
    fputs(", \"macro_f1\": ", stdout);
    json_maybe(b->macro_f1);
    fputs(", \"classes\": [", stdout);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", stdout);
        fputs("{\"label\": ", stdout);
        out_json_string(stdout, b->labels[i]);
        fputs(", \"precision\": ", stdout);
        json_maybe(b->precision[i]);
        fputs(", \"recall\": ", stdout);
        json_maybe(b->recall[i]);
        fputs(", \"f1\": ", stdout);
        json_maybe(b->f1[i]);
        printf(", \"support\": %zu}", b->support[i]);
    }
    fputs("], \"confusion\": [", stdout);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", [" : "[", stdout);
        for (size_t j = 0; j < n; j++)
            printf("%s%zu", j ? ", " : "", b->confusion[i * n + j]);
        fputc(']', stdout);
    }
    fputs("], \"mistakes\": [", stdout);
    for (size_t p = 0; p < b->n_pairs; p++) {
        const ld_data_pair *pr = &b->pairs[p];
        fputs(p ? ", " : "", stdout);
        fputs("{\"gold\": ", stdout);
        out_json_string(stdout, pr->gold);
        fputs(", \"predicted\": ", stdout);
        out_json_string(stdout, pr->predicted);
        printf(", \"count\": %zu, \"examples\": [", pr->count);
        for (size_t i = pr->first; i < pr->first + pr->n; i++) {
            printf("%s{\"line\": %zu, \"confidence\": ", i > pr->first ? ", " : "",
                   b->mistakes[i].line);
            out_json_number(stdout, b->mistakes[i].confidence);
            fputs(", \"text\": ", stdout);
            out_json_string(stdout, b->mistakes[i].text);
            fputc('}', stdout);
        }
        fputs("]}", stdout);
    }
    fputs("]}\n", stdout);
}

static int data_badcases(const opts *o, const cli_global *g)
{
    if (o->n_pos != 1)
        return cli_usage("data badcases: give one predictions file "
                         "(gold<TAB>predicted<TAB>confidence<TAB>text)");
    long top = 20;
    if (o->top && cli_parse_int(o->top, &top) != 0)
        return cli_usage("--top %s: expected a whole number >= 0", o->top);
    ld_data_badcases *b;
    ld_data_error err;
    ld_status st = ld_data_badcases_compute(o->pos[0], (size_t)top, &b, &err);
    if (st != LD_OK)
        return fail(st, &err);
    if (g->json)
        print_badcases_json(b);
    else
        print_badcases_text(b);
    ld_data_badcases_free(b);
    return EXIT_OK;
}

static int data_debian(const opts *o, const cli_global *g)
{
    if (o->n_pos || !o->out)
        return cli_usage("data debian: usage: liandan data debian -o DIR [--dumpavail FILE]");
    ld_data_result r;
    ld_data_error err;
    ld_status st = ld_data_debian(o->dumpavail, o->out, &r, &err);
    if (st != LD_OK)
        return fail(st, &err);
    int rc = print_result(g, &r);
    ld_data_result_clear(&r);
    return rc;
}

static int data_fetch(const opts *o, const cli_global *g)
{
    if (o->n_pos != 1 || !o->out) {
        fprintf(stderr, "liandan: data fetch: usage: liandan data fetch NAME -o DIR; NAME is "
                        "one of:\n");
        for (const char *const *n = ld_data_fetch_names(); *n; n++)
            fprintf(stderr, "  %-5s %s\n", *n, ld_data_fetch_about(*n));
        return EXIT_USAGE;
    }
    if (!ld_data_fetch_about(o->pos[0]))
        return cli_usage("data fetch: no data set '%s'; 'liandan data fetch' lists them",
                         o->pos[0]);
    ld_data_result r;
    ld_data_error err;
    ld_status st;
    if (o->from) {
        st = ld_data_convert(o->pos[0], o->from, o->out, &r, &err);
    } else {
        ld_data_fetch_opts fo = {getenv("LIANDAN_FETCH_BASE_URL"), o->sha256,
                                 (size_t)o->n_sha256};
        if (fo.base_url && !*fo.base_url)
            fo.base_url = NULL;
        st = ld_data_fetch(o->pos[0], o->out, &fo, &r, &err);
    }
    if (st != LD_OK)
        return fail(st, &err);
    int rc = print_result(g, &r);
    ld_data_result_clear(&r);
    return rc;
}

int cmd_data(int argc, char **argv, const cli_global *g)
{
    static const struct {
        const char *name;
        int (*run)(const opts *o, const cli_global *g);
    } subs[] = {{"stats", data_stats},     {"sample", data_sample}, {"classes", data_classes},
                {"balance", data_balance}, {"split", data_split},   {"badcases", data_badcases},
                {"debian", data_debian},   {"fetch", data_fetch}};
    if (argc < 2)
        return cli_usage("data: which tool? stats, sample, classes, balance, split, badcases, "
                         "debian or fetch ('liandan help data')");
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
        if (strcmp(argv[1], subs[i].name) != 0)
            continue;
        opts o;
        int rc = parse(argc, argv, &o);
        if (rc)
            return rc;
        return subs[i].run(&o, g);
    }
    return cli_usage("data: no tool '%s'; expected stats, sample, classes, balance, split, "
                     "badcases, debian or fetch",
                     argv[1]);
}
