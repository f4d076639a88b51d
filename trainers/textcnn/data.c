/*
 * data.c — reading labelled text files, the tokenizer, the vocabulary and encoding (data.h).
 */
#include "data.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading ------------------------------------------------------------------------------ */

static const char FASTTEXT_PREFIX[] = "__label__";

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

static void malformed(const char *path, int line, int strict, const char *what)
{
    if (strict)
        tc_die(TC_EXIT_USAGE, "%s:%d: %s (fix the line, or drop --strict to skip such lines)",
               path, line, what);
    tc_warn("%s:%d: %s; line skipped (--strict rejects it)", path, line, what);
}

static void raw_push(tc_raw_file *out, int *cap, const char *label, size_t label_len,
                     const char *text, int line)
{
    if (out->n == *cap) {
        *cap = *cap ? 2 * *cap : 1024;
        out->ex = tc_realloc(out->ex, (size_t)*cap * sizeof *out->ex);
    }
    tc_raw_example *e = &out->ex[out->n++];
    e->label = NULL;
    if (label) {
        e->label = tc_malloc(label_len + 1);
        memcpy(e->label, label, label_len);
        e->label[label_len] = 0;
    }
    e->text = tc_strdup(text);
    e->line = line;
}

/* Parses one fastText line: one or more __label__X tokens, then the text (first label wins). */
static int parse_fasttext(char *s, const char **label, size_t *label_len, char **text)
{
    size_t plen = sizeof FASTTEXT_PREFIX - 1;
    while (*s == ' ')
        s++;
    if (strncmp(s, FASTTEXT_PREFIX, plen) != 0)
        return 0;
    *label = s + plen;
    *label_len = strcspn(*label, " \t");
    if (*label_len == 0)
        return 0;
    s = (char *)*label + *label_len;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (strncmp(s, FASTTEXT_PREFIX, plen) != 0)
            break;
        s += strcspn(s, " \t");
    }
    *text = s;
    return 1;
}

void data_raw_read(tc_raw_file *out, const char *path, int allow_plain, int strict)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    FILE *f = tc_fopen(path, "r");
    char *buf = NULL;
    size_t bufcap = 0;
    ssize_t len;
    int line = 0, cap = 0, detected = 0;
    while ((len = getline(&buf, &bufcap, f)) != -1) {
        line++;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = 0;
        if ((size_t)len != strlen(buf)) {
            malformed(path, line, strict, "contains a NUL byte; expected UTF-8 text");
            out->skipped++;
            continue;
        }
        if (is_blank(buf))
            continue;
        if (!detected) {
            detected = 1;
            if (strncmp(buf, FASTTEXT_PREFIX, sizeof FASTTEXT_PREFIX - 1) == 0)
                out->format = TC_FORMAT_FASTTEXT;
            else if (strchr(buf, '\t') || !allow_plain)
                out->format = TC_FORMAT_TSV;
            else
                out->format = TC_FORMAT_PLAIN;
        }
        if (out->format == TC_FORMAT_PLAIN) {
            raw_push(out, &cap, NULL, 0, buf, line);
        } else if (out->format == TC_FORMAT_FASTTEXT) {
            const char *label;
            size_t label_len;
            char *text;
            if (!parse_fasttext(buf, &label, &label_len, &text)) {
                malformed(path, line, strict, "expected `__label__NAME text` (fastText format, "
                          "as on the file's first line)");
                out->skipped++;
                continue;
            }
            raw_push(out, &cap, label, label_len, text, line);
        } else {
            char *tab = strchr(buf, '\t');
            if (!tab) {
                malformed(path, line, strict, "expected `label<TAB>text` (TSV format, as on the "
                          "file's first line) but the line has no tab");
                out->skipped++;
                continue;
            }
            const char *label = buf;
            size_t label_len = (size_t)(tab - buf);
            while (label_len && *label == ' ')
                label++, label_len--;
            while (label_len && label[label_len - 1] == ' ')
                label_len--;
            if (label_len == 0) {
                malformed(path, line, strict, "empty label before the tab; expected "
                          "`label<TAB>text`");
                out->skipped++;
                continue;
            }
            raw_push(out, &cap, label, label_len, tab + 1, line);
        }
    }
    free(buf);
    if (ferror(f))
        tc_die(TC_EXIT_USAGE, "%s: read error after line %d", path, line);
    fclose(f);
}

void data_raw_free(tc_raw_file *raw)
{
    if (!raw)
        return;
    for (int i = 0; i < raw->n; i++) {
        free(raw->ex[i].label);
        free(raw->ex[i].text);
    }
    free(raw->ex);
    memset(raw, 0, sizeof *raw);
}

/* ---- the tokenizer ------------------------------------------------------------------------- */

/* Decodes one UTF-8 code point at s; sets *n to its length (1 for a stray byte, taken as is). */
static uint32_t utf8_decode(const unsigned char *s, int *n)
{
    if (s[0] < 0x80) {
        *n = 1;
        return s[0];
    }
    int len = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0) {
        *n = 1;
        return 0xfffd;
    }
    uint32_t cp = s[0] & (0x7f >> len);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *n = 1;
            return 0xfffd;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    *n = len;
    return cp;
}

static int is_ascii_alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_ascii_punct(uint32_t c)
{
    return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) ||
           (c >= 0x7b && c <= 0x7e);
}

static int is_space_cp(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
           c == 0xa0 || c == 0x3000;
}

/* Code points that are one token each: CJK ideographs, kana, CJK and fullwidth punctuation. */
static int is_cjk_token(uint32_t c)
{
    return (c >= 0x3001 && c <= 0x303f) ||   /* CJK symbols and punctuation */
           (c >= 0x3040 && c <= 0x30ff) ||   /* hiragana, katakana */
           (c >= 0x3400 && c <= 0x4dbf) ||   /* CJK extension A */
           (c >= 0x4e00 && c <= 0x9fff) ||   /* CJK unified ideographs */
           (c >= 0xf900 && c <= 0xfaff) ||   /* CJK compatibility ideographs */
           (c >= 0xff01 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) ||
           (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65) || /* fullwidth punct */
           (c >= 0x20000 && c <= 0x2fa1f);   /* extensions B.. and compatibility supplement */
}

int data_tokenize(const char *text, char *scratch, tc_token_fn emit, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    for (size_t i = 0; i <= n; i++)
        scratch[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
    int tokens = 0;
    size_t word = 0, i = 0;
    int in_word = 0;
    uint32_t prev = 0;
    while (i < n) {
        int len;
        uint32_t c = utf8_decode(s + i, &len);
        if (i + (size_t)len > n)
            len = (int)(n - i), c = 0xfffd;
        int separate = is_space_cp(c) || is_cjk_token(c);
        if (is_ascii_punct(c) && (c == '\'' || c == '-') && in_word && is_ascii_alnum(prev) &&
            i + 1 < n && is_ascii_alnum(s[i + 1]))
            separate = 0; /* don't, well-made */
        else if (is_ascii_punct(c))
            separate = 1;
        if (separate) {
            if (in_word) {
                emit(scratch + word, i - word, ctx);
                tokens++;
                in_word = 0;
            }
            if (!is_space_cp(c)) {
                emit(scratch + i, (size_t)len, ctx);
                tokens++;
            }
        } else if (!in_word) {
            in_word = 1;
            word = i;
        }
        prev = c;
        i += (size_t)len;
    }
    if (in_word) {
        emit(scratch + word, n - word, ctx);
        tokens++;
    }
    return tokens;
}

/* ---- string tables ------------------------------------------------------------------------- */

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

void strtab_init(tc_strtab *t)
{
    memset(t, 0, sizeof *t);
    t->nslots = 1024;
    t->slots = tc_malloc((size_t)t->nslots * sizeof *t->slots);
    memset(t->slots, 0xff, (size_t)t->nslots * sizeof *t->slots);
}

void strtab_free(tc_strtab *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n; i++)
        free(t->words[i]);
    free(t->words);
    free(t->counts);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static int slot_of(const tc_strtab *t, const char *s, size_t len)
{
    size_t mask = (size_t)t->nslots - 1, k = (size_t)fnv1a(s, len) & mask;
    for (;; k = (k + 1) & mask) {
        int id = t->slots[k];
        if (id < 0 || (strlen(t->words[id]) == len && memcmp(t->words[id], s, len) == 0))
            return (int)k;
    }
}

int strtab_find(const tc_strtab *t, const char *s, size_t len)
{
    return t->slots[slot_of(t, s, len)];
}

int strtab_add(tc_strtab *t, const char *s, size_t len)
{
    int k = slot_of(t, s, len);
    if (t->slots[k] >= 0)
        return t->slots[k];
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 256;
        t->words = tc_realloc(t->words, (size_t)t->cap * sizeof *t->words);
        t->counts = tc_realloc(t->counts, (size_t)t->cap * sizeof *t->counts);
    }
    int id = t->n++;
    t->words[id] = tc_malloc(len + 1);
    memcpy(t->words[id], s, len);
    t->words[id][len] = 0;
    t->counts[id] = 0;
    t->slots[k] = id;
    if (2 * t->n > t->nslots) { /* keep the load under one half */
        free(t->slots);
        t->nslots *= 2;
        t->slots = tc_malloc((size_t)t->nslots * sizeof *t->slots);
        memset(t->slots, 0xff, (size_t)t->nslots * sizeof *t->slots);
        for (int i = 0; i < t->n; i++)
            t->slots[slot_of(t, t->words[i], strlen(t->words[i]))] = i;
    }
    return id;
}

/* ---- the vocabulary ------------------------------------------------------------------------ */

static void count_token(const char *tok, size_t len, void *ctx)
{
    tc_strtab *t = ctx;
    int id = strtab_add(t, tok, len); /* may grow t->counts: index it afterwards */
    t->counts[id]++;
}

static const tc_strtab *sort_table;

static int by_count_then_bytes(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    long cx = sort_table->counts[x], cy = sort_table->counts[y];
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return strcmp(sort_table->words[x], sort_table->words[y]);
}

void vocab_build(tc_strtab *vocab, const tc_raw_file *train, int min_count, int max_vocab)
{
    tc_strtab all;
    strtab_init(&all);
    size_t longest = 0;
    for (int i = 0; i < train->n; i++) {
        size_t len = strlen(train->ex[i].text);
        longest = len > longest ? len : longest;
    }
    char *scratch = tc_malloc(longest + 1);
    for (int i = 0; i < train->n; i++)
        data_tokenize(train->ex[i].text, scratch, count_token, &all);
    free(scratch);

    int *order = tc_malloc((size_t)(all.n ? all.n : 1) * sizeof *order);
    for (int i = 0; i < all.n; i++)
        order[i] = i;
    sort_table = &all;
    qsort(order, (size_t)all.n, sizeof *order, by_count_then_bytes);
    sort_table = NULL;

    strtab_init(vocab);
    strtab_add(vocab, "<pad>", 5);
    strtab_add(vocab, "<unk>", 5);
    for (int i = 0; i < all.n; i++) {
        if (all.counts[order[i]] < min_count || (max_vocab > 0 && vocab->n >= max_vocab))
            break;
        int id = strtab_add(vocab, all.words[order[i]], strlen(all.words[order[i]]));
        vocab->counts[id] = all.counts[order[i]];
    }
    free(order);
    strtab_free(&all);
}

/* ---- encoding ------------------------------------------------------------------------------ */

typedef struct {
    const tc_strtab *vocab;
    int *ids;
    int n, cap, limit;
} encode_ctx;

static void encode_token(const char *tok, size_t len, void *ctx)
{
    encode_ctx *e = ctx;
    if (e->limit > 0 && e->n >= e->limit)
        return;
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 4096;
        e->ids = tc_realloc(e->ids, (size_t)e->cap * sizeof *e->ids);
    }
    int id = strtab_find(e->vocab, tok, len);
    e->ids[e->n++] = id < 0 ? TC_UNK : id;
}

void data_encode(tc_dataset *out, const tc_raw_file *raw, const tc_strtab *vocab,
                 const tc_strtab *labels, int max_len, int strict)
{
    memset(out, 0, sizeof *out);
    out->start = tc_malloc((size_t)(raw->n + 1) * sizeof *out->start);
    out->label = tc_malloc((size_t)(raw->n ? raw->n : 1) * sizeof *out->label);
    out->text = tc_malloc((size_t)(raw->n ? raw->n : 1) * sizeof *out->text);
    size_t longest = 0;
    for (int i = 0; i < raw->n; i++) {
        size_t len = strlen(raw->ex[i].text);
        longest = len > longest ? len : longest;
    }
    char *scratch = tc_malloc(longest + 1);
    encode_ctx e = {vocab, NULL, 0, 0, 0};
    out->start[0] = 0;
    for (int i = 0; i < raw->n; i++) {
        const tc_raw_example *x = &raw->ex[i];
        int label = -1;
        if (x->label) {
            label = strtab_find(labels, x->label, strlen(x->label));
            if (label < 0) {
                char what[256];
                snprintf(what, sizeof what, "label \"%.80s\" does not occur in the training set "
                         "(or was dropped by --classes)", x->label);
                malformed(raw->path, x->line, strict, what);
                continue;
            }
        }
        int before = e.n;
        e.limit = max_len > 0 ? before + max_len : 0;
        data_tokenize(x->text, scratch, encode_token, &e);
        if (e.n == before) {
            malformed(raw->path, x->line, strict, "the text has no token; expected words after "
                      "the label");
            continue;
        }
        int len = e.n - before;
        out->max_len = len > out->max_len ? len : out->max_len;
        out->label[out->n] = label;
        out->text[out->n] = x->text;
        out->start[++out->n] = e.n;
    }
    free(scratch);
    out->ids = e.ids ? e.ids : tc_malloc(sizeof *out->ids);
}

void data_free(tc_dataset *d)
{
    if (!d)
        return;
    free(d->start);
    free(d->ids);
    free(d->label);
    free(d->text);
    memset(d, 0, sizeof *d);
}

void data_select(tc_dataset *d, const int *keep, int nkeep, const int *remap)
{
    int *start = tc_malloc((size_t)(nkeep + 1) * sizeof *start);
    int *label = tc_malloc((size_t)(nkeep ? nkeep : 1) * sizeof *label);
    char **text = tc_malloc((size_t)(nkeep ? nkeep : 1) * sizeof *text);
    int total = 0;
    for (int i = 0; i < nkeep; i++)
        total += d->start[keep[i] + 1] - d->start[keep[i]];
    int *ids = tc_malloc((size_t)(total ? total : 1) * sizeof *ids);
    start[0] = 0;
    d->max_len = 0;
    for (int i = 0; i < nkeep; i++) {
        int k = keep[i], len = d->start[k + 1] - d->start[k];
        memcpy(ids + start[i], d->ids + d->start[k], (size_t)len * sizeof *ids);
        start[i + 1] = start[i] + len;
        label[i] = remap && d->label[k] >= 0 ? remap[d->label[k]] : d->label[k];
        text[i] = d->text[k];
        d->max_len = len > d->max_len ? len : d->max_len;
    }
    free(d->start);
    free(d->ids);
    free(d->label);
    free(d->text);
    d->start = start;
    d->ids = ids;
    d->label = label;
    d->text = text;
    d->n = nkeep;
}

void data_class_counts(const tc_dataset *d, int nclasses, int *counts)
{
    memset(counts, 0, (size_t)nclasses * sizeof *counts);
    for (int i = 0; i < d->n; i++)
        if (d->label[i] >= 0 && d->label[i] < nclasses)
            counts[d->label[i]]++;
}
