/*
 * reshape.c — sample, classes, balance and split: the playbook's tools for iterating on a small,
 * well-shaped copy of the data.
 *
 * All four read the input twice and hold only the label table in memory, so they work on files
 * of any size. Pass 1 (scan) checks every line and counts the classes; the quotas are then fixed
 * exactly (dt_apportion, dt_split_quotas); pass 2 (deal) hands each example to its output with
 * the seeded dealer, which fills every quota exactly and keeps the input order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

typedef struct {
    const char *path;
    dt_labels labels;
    ld_data_format in_format, out_format;
} scan_result;

static void scan_free(scan_result *s) { dt_labels_free(&s->labels); }

static ld_status scan(const char *in, const ld_data_common *opt, scan_result *s,
                      ld_data_error *err)
{
    memset(s, 0, sizeof *s);
    s->path = in;
    dt_reader r;
    ld_status st = dt_open(&r, in, LD_DATA_AUTO, err);
    if (st != LD_OK)
        return st;
    int got;
    while ((got = dt_next(&r, err)) == 1) {
        size_t c = dt_labels_add(&s->labels, r.label, r.label_len);
        if (c == (size_t)-1) {
            st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
            break;
        }
        if (s->labels.counts[c]++ == 0) {
            ld_data_format of = opt->out_format ? opt->out_format : r.format;
            const char *why = dt_label_problem(r.label, of);
            if (why) {
                st = dt_fail(err, LD_ERR_INPUT, "%s:%zu: label '%s' %s", in, r.line, r.label,
                             why);
                break;
            }
        }
    }
    if (got < 0)
        st = LD_ERR_INPUT;
    s->in_format = r.format;
    s->out_format = opt->out_format ? opt->out_format : r.format;
    dt_close(&r);
    if (st == LD_OK && s->labels.n == 0)
        st = dt_fail(err, LD_ERR_INPUT, "%s: no examples; expected label<TAB>text lines", in);
    if (st != LD_OK)
        scan_free(s);
    return st;
}

/*
 * Pass 2: each example of class c goes to output k when the dealer says so (group: c when
 * stratified, else 0), and base[c] more times to output 0 (oversampling).
 */
static ld_status deal(scan_result *s, dt_dealer *d, int stratify, const size_t *base,
                      char *const *paths, size_t n_out, ld_data_result *res, ld_data_error *err)
{
    dt_out out[3] = {{0}};
    dt_labels counts[3] = {{0}};
    dt_reader r = {0};
    ld_status st = dt_open(&r, s->path, s->in_format, err);
    if (st != LD_OK)
        return st;
    for (size_t k = 0; k < n_out && st == LD_OK; k++)
        st = dt_out_open(&out[k], paths[k], s->out_format, err);
    int got = 0;
    while (st == LD_OK && (got = dt_next(&r, err)) == 1) {
        size_t c = dt_labels_find(&s->labels, r.label, r.label_len);
        if (c == (size_t)-1) {
            st = dt_fail(err, LD_ERR_INPUT, "%s:%zu: the file changed while it was read",
                         s->path, r.line);
            break;
        }
        int k = dt_dealer_next(d, stratify ? c : 0);
        for (size_t o = 0; o < n_out; o++) {
            size_t copies = (k == (int)o) + (o == 0 && base ? base[c] : 0);
            if (!copies)
                continue;
            size_t ci = dt_labels_add(&counts[o], r.label, r.label_len);
            if (ci == (size_t)-1) {
                st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
                break;
            }
            counts[o].counts[ci] += copies;
            for (size_t i = 0; i < copies && st == LD_OK; i++)
                if (dt_out_write(&out[o], r.label, r.text) != 0)
                    st = dt_fail(err, LD_ERR_IO, "%s: write failed", paths[o]);
        }
    }
    if (got < 0 && st == LD_OK)
        st = LD_ERR_INPUT;
    dt_close(&r);
    if (st == LD_OK) {
        memset(res, 0, sizeof *res);
        res->n_outputs = n_out;
        int bad = dt_labels_counts(&s->labels, &res->input) != 0;
        for (size_t k = 0; k < n_out; k++) {
            bad |= dt_labels_counts(&counts[k], &res->outputs[k]) != 0;
            res->paths[k] = strdup(paths[k]);
            bad |= !res->paths[k];
        }
        if (bad)
            st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
    }
    for (size_t k = 0; k < n_out && st == LD_OK; k++)
        st = dt_out_commit(&out[k], err);
    for (size_t k = 0; k < 3; k++) {
        dt_out_abort(&out[k]);
        dt_labels_free(&counts[k]);
    }
    if (st != LD_OK)
        ld_data_result_clear(res);
    return st;
}

static size_t total_of(const dt_labels *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += t->counts[i];
    return n;
}

/* A dealer with one group per class (stratify) or one for the whole file. */
static int dealer_for(dt_dealer *d, const scan_result *s, int stratify, uint64_t seed)
{
    if (dt_dealer_init(d, stratify ? s->labels.n : 1, seed) != 0)
        return -1;
    if (stratify)
        for (size_t c = 0; c < s->labels.n; c++)
            d->left[c] = s->labels.counts[c];
    else
        d->left[0] = total_of(&s->labels);
    return 0;
}

ld_status ld_data_sample(const char *in, const char *out, size_t n, double fraction,
                         const ld_data_common *opt, ld_data_result *res, ld_data_error *err)
{
    scan_result s;
    ld_status st = scan(in, opt, &s, err);
    if (st != LD_OK)
        return st;
    size_t total = total_of(&s.labels);
    if (n == 0) {
        if (!(fraction > 0 && fraction <= 1)) {
            scan_free(&s);
            return dt_fail(err, LD_ERR_INPUT, "--fraction %g: expected a share in (0, 1]",
                           fraction);
        }
        n = (size_t)llround(fraction * (double)total);
        if (n == 0)
            n = 1;
    }
    if (n > total) {
        scan_free(&s);
        return dt_fail(err, LD_ERR_INPUT,
                       "%s: asked for %zu examples but it has %zu; use a smaller --n", in, n,
                       total);
    }
    if (opt->stratify && n < s.labels.n) {
        size_t k = s.labels.n;
        scan_free(&s);
        return dt_fail(err, LD_ERR_INPUT,
                       "%s: a stratified sample keeps every one of its %zu classes, so it needs "
                       "--n %zu or more (or drop classes first with 'liandan data classes')",
                       in, k, k);
    }
    dt_dealer d;
    if (dealer_for(&d, &s, opt->stratify, opt->seed) != 0) {
        scan_free(&s);
        return dt_fail(err, LD_ERR_NOMEM, "out of memory");
    }
    if (opt->stratify) {
        size_t *parts = calloc(s.labels.n, sizeof *parts);
        if (!parts) {
            dt_dealer_free(&d);
            scan_free(&s);
            return dt_fail(err, LD_ERR_NOMEM, "out of memory");
        }
        dt_apportion(s.labels.counts, s.labels.n, n, 1, parts);
        for (size_t c = 0; c < s.labels.n; c++)
            d.quota[c][0] = parts[c];
        free(parts);
    } else {
        d.quota[0][0] = n;
    }
    char *paths[1] = {(char *)out};
    st = deal(&s, &d, opt->stratify, NULL, paths, 1, res, err);
    dt_dealer_free(&d);
    scan_free(&s);
    return st;
}

static int by_size(const void *a, const void *b, void *labels)
{
    const dt_labels *t = labels;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (t->counts[x] != t->counts[y])
        return t->counts[x] > t->counts[y] ? -1 : 1;
    return strcmp(t->labels[x], t->labels[y]);
}

ld_status ld_data_classes(const char *in, const char *out, size_t top_k,
                          const char *const *keep, size_t n_keep, const ld_data_common *opt,
                          ld_data_result *res, ld_data_error *err)
{
    scan_result s;
    ld_status st = scan(in, opt, &s, err);
    if (st != LD_OK)
        return st;
    size_t k_n = s.labels.n;
    char *kept = calloc(k_n, 1);
    size_t *order = calloc(k_n, sizeof *order);
    dt_dealer d = {0};
    if (!kept || !order || dealer_for(&d, &s, 1, opt->seed) != 0) {
        st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (top_k) {
        for (size_t i = 0; i < k_n; i++)
            order[i] = i;
        qsort_r(order, k_n, sizeof *order, by_size, &s.labels);
        for (size_t i = 0; i < k_n && i < top_k; i++)
            kept[order[i]] = 1;
    } else {
        for (size_t i = 0; i < n_keep; i++) {
            size_t c = dt_labels_find(&s.labels, keep[i], strlen(keep[i]));
            if (c == (size_t)-1) {
                st = dt_fail(err, LD_ERR_INPUT,
                             "%s: no class '%s'; 'liandan data stats %s' lists its %zu classes",
                             in, keep[i], in, k_n);
                goto done;
            }
            kept[c] = 1;
        }
    }
    for (size_t c = 0; c < k_n; c++)
        d.quota[c][0] = kept[c] ? s.labels.counts[c] : 0;
    char *paths[1] = {(char *)out};
    st = deal(&s, &d, 1, NULL, paths, 1, res, err);
done:
    dt_dealer_free(&d);
    free(kept);
    free(order);
    scan_free(&s);
    return st;
}

ld_status ld_data_balance(const char *in, const char *out, int oversample, double ratio,
                          const ld_data_common *opt, ld_data_result *res, ld_data_error *err)
{
    if (!(ratio > 0 && ratio <= 1))
        return dt_fail(err, LD_ERR_INPUT, "--ratio %g: expected a number in (0, 1]", ratio);
    scan_result s;
    ld_status st = scan(in, opt, &s, err);
    if (st != LD_OK)
        return st;
    size_t k_n = s.labels.n, most = 0, least = (size_t)-1;
    for (size_t c = 0; c < k_n; c++) {
        if (s.labels.counts[c] > most)
            most = s.labels.counts[c];
        if (s.labels.counts[c] < least)
            least = s.labels.counts[c];
    }
    size_t *base = calloc(k_n, sizeof *base);
    dt_dealer d = {0};
    if (!base || dealer_for(&d, &s, 1, opt->seed) != 0) {
        free(base);
        scan_free(&s);
        return dt_fail(err, LD_ERR_NOMEM, "out of memory");
    }
    /* the 1e-9 keeps ratio 0.5 of 10 at 5, not 6, when 0.5 * 10 rounds up in binary */
    size_t floor_count = (size_t)ceil(ratio * (double)most - 1e-9);
    size_t cap = (size_t)floor((double)least / ratio + 1e-9);
    for (size_t c = 0; c < k_n; c++) {
        size_t n = s.labels.counts[c];
        if (oversample) {
            size_t target = n > floor_count ? n : floor_count;
            base[c] = target / n;
            d.quota[c][0] = target % n;
            /* base copies go to output 0 on top of the dealt one */
        } else {
            d.quota[c][0] = n < cap ? n : cap;
        }
    }
    char *paths[1] = {(char *)out};
    st = deal(&s, &d, 1, oversample ? base : NULL, paths, 1, res, err);
    dt_dealer_free(&d);
    free(base);
    scan_free(&s);
    return st;
}

ld_status ld_data_split(const char *in, const char *dir, double dev, double test,
                        const ld_data_common *opt, ld_data_result *res, ld_data_error *err)
{
    if (!(dev >= 0 && test >= 0 && dev + test < 1))
        return dt_fail(err, LD_ERR_INPUT,
                       "--dev %g --test %g: expected shares >= 0 that add up to less than 1",
                       dev, test);
    scan_result s;
    ld_status st = scan(in, opt, &s, err);
    if (st != LD_OK)
        return st;
    if ((st = dt_mkdirs(dir, err)) != LD_OK) {
        scan_free(&s);
        return st;
    }
    const char *ext = s.out_format == LD_DATA_FASTTEXT ? "txt" : "tsv";
    char *paths[3] = {0};
    static const char *const names[3] = {"train", "dev", "test"};
    dt_dealer d = {0};
    for (int k = 0; k < 3; k++) {
        char name[32];
        snprintf(name, sizeof name, "%s.%s", names[k], ext);
        paths[k] = dt_join(dir, name);
    }
    if (!paths[0] || !paths[1] || !paths[2] || dealer_for(&d, &s, opt->stratify, opt->seed)) {
        st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (opt->stratify) {
        dt_split_quotas(s.labels.counts, s.labels.n, dev, test, d.quota);
    } else {
        size_t total = total_of(&s.labels);
        dt_split_quotas(&total, 1, dev, test, d.quota);
    }
    st = deal(&s, &d, opt->stratify, NULL, paths, 3, res, err);
done:
    dt_dealer_free(&d);
    for (int k = 0; k < 3; k++)
        free(paths[k]);
    scan_free(&s);
    return st;
}
