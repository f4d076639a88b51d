/*
 * badcases.c — `data badcases`: look at what the model gets wrong. One pass over a predictions
 * file (gold<TAB>predicted<TAB>confidence<TAB>text, as liandan-textcnn --predictions writes)
 * fills the confusion matrix and keeps the N most confident mistakes in a min-heap, so memory
 * is the matrix plus N texts whatever the file's size.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/data.h"

typedef struct {
    dt_labels labels;
    size_t *m; /* [cap * cap] row gold, column predicted, in first-seen label order */
    size_t cap;
    ld_data_mistake *heap; /* [n_heap] min-heap: the least confident mistake on top */
    size_t n_heap, top;
} acc;

/* a < b: a is the one to drop first (less confident; on a tie, the later line) */
static int weaker(const ld_data_mistake *a, const ld_data_mistake *b)
{
    if (a->confidence != b->confidence)
        return a->confidence < b->confidence;
    return a->line > b->line;
}

static void sift_down(ld_data_mistake *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && weaker(&h[l], &h[m]))
            m = l;
        if (r < n && weaker(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        ld_data_mistake t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void sift_up(ld_data_mistake *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!weaker(&h[i], &h[p]))
            return;
        ld_data_mistake t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static void mistake_free(ld_data_mistake *m)
{
    free(m->gold);
    free(m->predicted);
    free(m->text);
}

static int fill(ld_data_mistake *m, size_t line, const char *g, const char *p, double conf,
                const char *text)
{
    m->line = line;
    m->confidence = conf;
    m->gold = strdup(g);
    m->predicted = strdup(p);
    m->text = strdup(text);
    if (!m->gold || !m->predicted || !m->text) {
        mistake_free(m);
        return -1;
    }
    return 0;
}

static int keep_mistake(acc *a, size_t line, const char *g, const char *p, double conf,
                        const char *text)
{
    if (a->top == 0)
        return 0;
    ld_data_mistake cand = {.line = line, .confidence = conf};
    if (a->n_heap == a->top) {
        if (!weaker(&a->heap[0], &cand))
            return 0;
        mistake_free(&a->heap[0]);
        if (fill(&a->heap[0], line, g, p, conf, text) != 0)
            return -1;
        sift_down(a->heap, a->n_heap, 0);
        return 0;
    }
    if (fill(&a->heap[a->n_heap], line, g, p, conf, text) != 0)
        return -1;
    sift_up(a->heap, a->n_heap++);
    return 0;
}

/* Makes room for label index i in the matrix. */
static int grow_matrix(acc *a, size_t need)
{
    if (need <= a->cap)
        return 0;
    size_t nc = a->cap ? a->cap : 8;
    while (nc < need)
        nc *= 2;
    size_t *m = calloc(nc * nc, sizeof *m);
    if (!m)
        return -1;
    for (size_t i = 0; i < a->cap; i++)
        memcpy(m + i * nc, a->m + i * a->cap, a->cap * sizeof *m);
    free(a->m);
    a->m = m;
    a->cap = nc;
    return 0;
}

static int by_label(const void *x, const void *y, void *labels)
{
    char *const *l = labels;
    return strcmp(l[*(const size_t *)x], l[*(const size_t *)y]);
}

static int str_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static size_t label_index(const ld_data_badcases *b, const char *label)
{
    char *const *hit = bsearch(&label, b->labels, b->n_labels, sizeof *b->labels, str_cmp);
    return hit ? (size_t)(hit - b->labels) : 0;
}

static int by_pair(const void *x, const void *y, void *badcases)
{
    const ld_data_badcases *current = badcases;
    const ld_data_mistake *a = x, *b = y;
    size_t n = current->n_labels;
    size_t ca = current->confusion[label_index(current, a->gold) * n +
                                   label_index(current, a->predicted)];
    size_t cb = current->confusion[label_index(current, b->gold) * n +
                                   label_index(current, b->predicted)];
    if (ca != cb)
        return ca > cb ? -1 : 1;
    int c = strcmp(a->gold, b->gold);
    if (c)
        return c;
    if ((c = strcmp(a->predicted, b->predicted)))
        return c;
    if (a->confidence != b->confidence)
        return a->confidence > b->confidence ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static ld_status finish(acc *a, ld_data_badcases *b)
{
    size_t n = a->labels.n;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    b->labels = calloc(n ? n : 1, sizeof *b->labels);
    b->confusion = calloc(n ? n * n : 1, sizeof *b->confusion);
    b->support = calloc(n ? n : 1, sizeof *b->support);
    b->precision = calloc(n ? n : 1, sizeof *b->precision);
    b->recall = calloc(n ? n : 1, sizeof *b->recall);
    b->f1 = calloc(n ? n : 1, sizeof *b->f1);
    if (!order || !b->labels || !b->confusion || !b->support || !b->precision || !b->recall ||
        !b->f1) {
        free(order);
        return LD_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof *order, by_label, a->labels.labels);
    b->n_labels = n;
    for (size_t i = 0; i < n; i++) {
        b->labels[i] = a->labels.labels[order[i]];
        a->labels.labels[order[i]] = NULL;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            b->confusion[i * n + j] = a->m[order[i] * a->cap + order[j]];
    free(order);
    double f1_sum = 0;
    size_t f1_n = 0;
    for (size_t i = 0; i < n; i++) {
        size_t tp = b->confusion[i * n + i], pred = 0, gold = 0;
        for (size_t j = 0; j < n; j++) {
            gold += b->confusion[i * n + j];
            pred += b->confusion[j * n + i];
        }
        b->support[i] = gold;
        b->precision[i] = pred ? (double)tp / (double)pred : NAN;
        b->recall[i] = gold ? (double)tp / (double)gold : NAN;
        double p = b->precision[i], r = b->recall[i];
        b->f1[i] = isnan(p) || isnan(r) ? NAN : p + r > 0 ? 2 * p * r / (p + r) : 0;
        if (gold) {
            f1_sum += isnan(b->f1[i]) ? 0 : b->f1[i];
            f1_n++;
        }
    }
    b->macro_f1 = f1_n ? f1_sum / (double)f1_n : NAN;
    b->accuracy = b->examples ? (double)b->correct / (double)b->examples : NAN;
    /* the kept mistakes, grouped by pair: pairs with most mistakes first */
    b->mistakes = a->heap;
    b->n_mistakes = a->n_heap;
    a->heap = NULL;
    a->n_heap = 0;
    qsort_r(b->mistakes, b->n_mistakes, sizeof *b->mistakes, by_pair, b);
    b->pairs = calloc(b->n_mistakes ? b->n_mistakes : 1, sizeof *b->pairs);
    if (!b->pairs)
        return LD_ERR_NOMEM;
    for (size_t i = 0; i < b->n_mistakes; i++) {
        const ld_data_mistake *m = &b->mistakes[i];
        ld_data_pair *last = b->n_pairs ? &b->pairs[b->n_pairs - 1] : NULL;
        if (last && !strcmp(last->gold, m->gold) && !strcmp(last->predicted, m->predicted)) {
            last->n++;
            continue;
        }
        size_t g = label_index(b, m->gold), p = label_index(b, m->predicted);
        b->pairs[b->n_pairs++] = (ld_data_pair){b->labels[g], b->labels[p],
                                                b->confusion[g * n + p], i, 1};
    }
    return LD_OK;
}

static int bad_line(ld_data_error *err, const char *path, size_t line, const char *what)
{
    dt_fail(err, LD_ERR_INPUT, "%s:%zu: %s", path, line, what);
    return -1;
}

ld_status ld_data_badcases_compute(const char *path, size_t top, ld_data_badcases **out,
                                   ld_data_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return dt_fail(err, errno == ENOENT ? LD_ERR_INPUT : LD_ERR_IO, "%s: %s", path,
                       strerror(errno));
    acc a = {.top = top};
    ld_data_badcases *b = calloc(1, sizeof *b);
    a.heap = calloc(top ? top : 1, sizeof *a.heap);
    char *buf = NULL;
    size_t cap = 0, line = 0;
    ssize_t got;
    ld_status st = LD_OK;
    if (!b || !a.heap) {
        st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
        goto done;
    }
    while ((got = getline(&buf, &cap, f)) >= 0) {
        line++;
        size_t n = (size_t)got;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        char *fields[4] = {buf, NULL, NULL, NULL};
        for (int k = 1; k < 4; k++) {
            char *tab = strchr(fields[k - 1], '\t');
            if (!tab)
                break;
            *tab = '\0';
            fields[k] = tab + 1;
        }
        if (!fields[3]) {
            bad_line(err, path, line,
                     "expected gold<TAB>predicted<TAB>confidence<TAB>text (4 tab-separated "
                     "columns)");
            st = LD_ERR_INPUT;
            break;
        }
        char *end;
        errno = 0;
        double conf = strtod(fields[2], &end);
        if (end == fields[2] || *end || errno == ERANGE || isnan(conf)) {
            if (line == 1 && !strcasecmp(fields[0], "gold"))
                continue; /* a header */
            char what[256];
            snprintf(what, sizeof what, "confidence '%.40s' is not a number", fields[2]);
            bad_line(err, path, line, what);
            st = LD_ERR_INPUT;
            break;
        }
        if (!*fields[0] || !*fields[1]) {
            bad_line(err, path, line, "empty gold or predicted label");
            st = LD_ERR_INPUT;
            break;
        }
        size_t g = dt_labels_add(&a.labels, fields[0], strlen(fields[0]));
        size_t p = g == (size_t)-1 ? g : dt_labels_add(&a.labels, fields[1], strlen(fields[1]));
        if (p == (size_t)-1 || grow_matrix(&a, a.labels.n) != 0) {
            st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
            break;
        }
        a.m[g * a.cap + p]++;
        b->examples++;
        if (g == p)
            b->correct++;
        else if (keep_mistake(&a, line, fields[0], fields[1], conf, fields[3]) != 0) {
            st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
            break;
        }
    }
    if (st == LD_OK && ferror(f))
        st = dt_fail(err, LD_ERR_IO, "%s: read failed", path);
    if (st == LD_OK && b->examples == 0)
        st = dt_fail(err, LD_ERR_INPUT,
                     "%s: no predictions; expected gold<TAB>predicted<TAB>confidence<TAB>text "
                     "lines",
                     path);
    if (st == LD_OK && finish(&a, b) != LD_OK)
        st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
done:
    fclose(f);
    free(buf);
    for (size_t i = 0; i < a.n_heap; i++)
        mistake_free(&a.heap[i]);
    free(a.heap);
    free(a.m);
    dt_labels_free(&a.labels);
    if (st != LD_OK) {
        ld_data_badcases_free(b);
        return st;
    }
    *out = b;
    return LD_OK;
}

void ld_data_badcases_free(ld_data_badcases *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_labels; i++)
        free(b->labels[i]);
    free(b->labels);
    free(b->confusion);
    free(b->support);
    free(b->precision);
    free(b->recall);
    free(b->f1);
    for (size_t i = 0; i < b->n_mistakes; i++)
        mistake_free(&b->mistakes[i]);
    free(b->mistakes);
    free(b->pairs);
    free(b);
}
