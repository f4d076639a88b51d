/*
 * stats.c — `data stats`: know the data before tuning it. One streaming pass per file computes
 * class counts, text lengths, vocabulary and duplicates; the train file's vocabulary and texts
 * are kept (as 64-bit hashes) to measure the other files' out-of-vocabulary rate and leakage.
 * Problems found become warning lines that the CLI prints.
 *
 * Memory: the label table, one hash per distinct token and per distinct text (16 bytes each),
 * and a histogram of text lengths; never the texts themselves.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

typedef struct {
    dt_set tokens; /* token hashes */
    dt_set texts;  /* text hashes -> label index */
} file_sets;

static void sets_free(file_sets *s)
{
    dt_set_free(&s->tokens);
    dt_set_free(&s->texts);
}

static int warn(ld_data_stats *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int warn(ld_data_stats *s, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **w = realloc(s->warnings, (s->n_warnings + 1) * sizeof *w);
    if (!w)
        return -1;
    s->warnings = w;
    if (!(w[s->n_warnings] = strdup(buf)))
        return -1;
    s->n_warnings++;
    return 0;
}

static size_t percentile(const size_t *hist, size_t n_hist, size_t total, double p)
{
    size_t rank = (size_t)ceil(p * (double)total), seen = 0;
    if (rank == 0)
        rank = 1;
    for (size_t len = 0; len < n_hist; len++) {
        seen += hist[len];
        if (seen >= rank)
            return len;
    }
    return n_hist ? n_hist - 1 : 0;
}

/* One file; train is NULL for the train file itself, whose sets are kept in *mine. */
static ld_status one_file(ld_data_file_stats *fs, const file_sets *train, file_sets *mine,
                          ld_data_error *err)
{
    dt_reader r;
    ld_status st = dt_open(&r, fs->path, LD_DATA_AUTO, err);
    if (st != LD_OK)
        return st;
    dt_labels labels = {0};
    size_t *hist = NULL, n_hist = 0, tokens = 0, oov = 0, len_sum = 0;
    int got;
    while ((got = dt_next(&r, err)) == 1) {
        size_t c = dt_labels_add(&labels, r.label, r.label_len);
        if (c == (size_t)-1)
            goto nomem;
        labels.counts[c]++;
        size_t len = 0;
        for (const char *p = r.text; *p;) {
            while (*p == ' ' || *p == '\t')
                p++;
            const char *q = p;
            while (*q && *q != ' ' && *q != '\t')
                q++;
            if (q == p)
                break;
            uint64_t h = dt_hash(p, (size_t)(q - p));
            if (dt_set_add(&mine->tokens, h, NULL) < 0)
                goto nomem;
            if (train && !dt_set_has(&train->tokens, h))
                oov++;
            len++;
            p = q;
        }
        tokens += len;
        len_sum += len;
        if (len >= n_hist) {
            size_t nn = len + 1 > n_hist * 2 ? len + 1 : n_hist * 2;
            size_t *h2 = realloc(hist, nn * sizeof *h2);
            if (!h2)
                goto nomem;
            memset(h2 + n_hist, 0, (nn - n_hist) * sizeof *h2);
            hist = h2;
            n_hist = nn;
        }
        hist[len]++;
        uint64_t th = dt_hash(r.text, r.text_len);
        uint32_t label = (uint32_t)c;
        int added = dt_set_add(&mine->texts, th, &label);
        if (added < 0)
            goto nomem;
        if (added == 0) {
            fs->duplicates++;
            if (label != (uint32_t)c)
                fs->conflicts++;
        }
        if (train && dt_set_has(&train->texts, th))
            fs->leaked++;
    }
    fs->format = r.format;
    dt_close(&r);
    if (got < 0) {
        st = LD_ERR_INPUT;
        goto out;
    }
    if (dt_labels_counts(&labels, &fs->counts) != 0)
        goto nomem_closed;
    size_t n = fs->counts.examples;
    if (n == 0) {
        st = dt_fail(err, LD_ERR_INPUT, "%s: no examples; expected label<TAB>text lines",
                     fs->path);
        goto out;
    }
    fs->imbalance = (double)fs->counts.classes[0].count /
                    (double)fs->counts.classes[fs->counts.n_classes - 1].count;
    fs->len_p50 = percentile(hist, n_hist, n, 0.50);
    fs->len_p90 = percentile(hist, n_hist, n, 0.90);
    fs->len_p99 = percentile(hist, n_hist, n, 0.99);
    for (size_t i = 0; i < n_hist; i++)
        if (hist[i])
            fs->len_max = i;
    fs->len_mean = (double)len_sum / (double)n;
    fs->vocab = mine->tokens.n;
    if (train) {
        fs->has_oov = 1;
        fs->oov_rate = tokens ? (double)oov / (double)tokens : 0;
    }
out:
    dt_labels_free(&labels);
    free(hist);
    return st;
nomem:
    dt_close(&r);
nomem_closed:
    st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
    goto out;
}

static int find_class(const ld_data_counts *c, const char *label)
{
    for (size_t i = 0; i < c->n_classes; i++)
        if (!strcmp(c->classes[i].label, label))
            return (int)i;
    return -1;
}

static int add_warnings(ld_data_stats *s)
{
    const ld_data_file_stats *train = NULL;
    for (size_t i = 0; i < s->n_files; i++)
        if (s->files[i].is_train)
            train = &s->files[i];
    for (size_t i = 0; i < s->n_files; i++) {
        const ld_data_file_stats *f = &s->files[i];
        const ld_data_counts *c = &f->counts;
        if (c->n_classes == 1 && warn(s, "%s: only one class ('%s')", f->path,
                                      c->classes[0].label))
            return -1;
        if (c->n_classes > 1 && f->imbalance >= 10 &&
            warn(s,
                 "%s: classes are imbalanced %.1f:1 ('%s' %zu vs '%s' %zu); stratify samples "
                 "and splits, or try 'liandan data balance'",
                 f->path, f->imbalance, c->classes[0].label, c->classes[0].count,
                 c->classes[c->n_classes - 1].label, c->classes[c->n_classes - 1].count))
            return -1;
        size_t tiny = 0;
        for (size_t k = 0; k < c->n_classes; k++)
            tiny += c->classes[k].count < 5;
        if (f->is_train && tiny &&
            warn(s, "%s: %zu class%s fewer than 5 examples; a model can hardly learn %s",
                 f->path, tiny, tiny == 1 ? " has" : "es have", tiny == 1 ? "it" : "them"))
            return -1;
        if (f->duplicates &&
            warn(s, "%s: %zu duplicate text%s (%zu with a different label than before)",
                 f->path, f->duplicates, f->duplicates == 1 ? "" : "s", f->conflicts))
            return -1;
        if (!train || f == train)
            continue;
        if (f->leaked &&
            warn(s,
                 "%s: %zu text%s also in %s (leakage: scores on this file will look too "
                 "good); remove them from one side",
                 f->path, f->leaked, f->leaked == 1 ? " is" : "s are", train->path))
            return -1;
        if (f->oov_rate >= 0.10 &&
            warn(s, "%s: %.1f%% of its tokens are not in %s's vocabulary", f->path,
                 100 * f->oov_rate, train->path))
            return -1;
        for (size_t k = 0; k < c->n_classes; k++)
            if (find_class(&train->counts, c->classes[k].label) < 0 &&
                warn(s, "%s: class '%s' (%zu examples) never appears in %s", f->path,
                     c->classes[k].label, c->classes[k].count, train->path))
                return -1;
        size_t missing = 0;
        for (size_t k = 0; k < train->counts.n_classes; k++)
            missing += find_class(c, train->counts.classes[k].label) < 0;
        if (missing && warn(s, "%s: %zu of %s's classes have no example here", f->path, missing,
                            train->path))
            return -1;
    }
    return 0;
}

static int is_train_name(const char *path)
{
    const char *base = strrchr(path, '/');
    return strstr(base ? base + 1 : path, "train") != NULL;
}

ld_status ld_data_stats_compute(const char *const *paths, size_t n, ld_data_stats **out,
                                ld_data_error *err)
{
    *out = NULL;
    if (n == 0)
        return dt_fail(err, LD_ERR_INPUT, "no file given");
    ld_data_stats *s = calloc(1, sizeof *s);
    if (!s || !(s->files = calloc(n, sizeof *s->files))) {
        free(s);
        return dt_fail(err, LD_ERR_NOMEM, "out of memory");
    }
    s->n_files = n;
    size_t train = 0;
    for (size_t i = n; i-- > 0;)
        if (is_train_name(paths[i]))
            train = i;
    ld_status st = LD_OK;
    for (size_t i = 0; i < n && st == LD_OK; i++)
        if (!(s->files[i].path = strdup(paths[i])))
            st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
    file_sets train_sets = {0};
    if (st == LD_OK) {
        s->files[train].is_train = 1;
        st = one_file(&s->files[train], NULL, &train_sets, err);
    }
    for (size_t i = 0; i < n && st == LD_OK; i++) {
        if (i == train)
            continue;
        file_sets mine = {0};
        st = one_file(&s->files[i], n > 1 ? &train_sets : NULL, &mine, err);
        sets_free(&mine);
    }
    sets_free(&train_sets);
    if (st == LD_OK && add_warnings(s) != 0)
        st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
    if (st != LD_OK) {
        ld_data_stats_free(s);
        return st;
    }
    *out = s;
    return LD_OK;
}

void ld_data_stats_free(ld_data_stats *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_files; i++) {
        free(s->files[i].path);
        ld_data_counts_clear(&s->files[i].counts);
    }
    free(s->files);
    for (size_t i = 0; i < s->n_warnings; i++)
        free(s->warnings[i]);
    free(s->warnings);
    free(s);
}
