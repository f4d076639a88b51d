/*
 * checkpoint.c — writing and reading the model file of checkpoint.h.
 */
#include "checkpoint.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char MAGIC[8] = {'L', 'D', 'T', 'X', 'T', 'C', 'N', 'N'};

typedef struct {
    FILE *f;
    const char *path;
    uint64_t hash;
} stream;

static void hash_bytes(stream *s, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        s->hash = (s->hash ^ b[i]) * 0x100000001b3ULL;
}

static void put(stream *s, const void *p, size_t n)
{
    hash_bytes(s, p, n);
    if (fwrite(p, 1, n, s->f) != n)
        tc_die(TC_EXIT_FAILED, "%s: write failed (disk full?)", s->path);
}

static void put_u32(stream *s, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(s, b, 4);
}

static void put_u64(stream *s, uint64_t v)
{
    put_u32(s, (uint32_t)v);
    put_u32(s, (uint32_t)(v >> 32));
}

static void put_str(stream *s, const char *str)
{
    size_t n = strlen(str);
    put_u32(s, (uint32_t)n);
    put(s, str, n);
}

static void get(stream *s, void *p, size_t n, const char *what)
{
    if (fread(p, 1, n, s->f) != n)
        tc_die(TC_EXIT_USAGE, "%s: truncated model file (ends inside %s); save it again with "
               "--save", s->path, what);
    hash_bytes(s, p, n);
}

static uint32_t get_u32(stream *s, const char *what)
{
    unsigned char b[4];
    get(s, b, 4, what);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t get_u64(stream *s, const char *what)
{
    uint64_t lo = get_u32(s, what);
    return lo | (uint64_t)get_u32(s, what) << 32;
}

static int get_int(stream *s, const char *what, int lo, int hi)
{
    int v = (int)get_u32(s, what);
    if (v < lo || v > hi)
        tc_die(TC_EXIT_USAGE, "%s: corrupt model file: %s is %d, expected %d..%d", s->path, what,
               v, lo, hi);
    return v;
}

static void get_words(stream *s, tc_strtab *t, int n, const char *what)
{
    strtab_init(t);
    char *buf = NULL;
    for (int i = 0; i < n; i++) {
        uint32_t len = get_u32(s, what);
        if (len > (1u << 20))
            tc_die(TC_EXIT_USAGE, "%s: corrupt model file: a %s entry of %u bytes", s->path,
                   what, len);
        buf = tc_realloc(buf, len + 1);
        get(s, buf, len, what);
        if (strtab_add(t, buf, len) != i)
            tc_die(TC_EXIT_USAGE, "%s: corrupt model file: %s entry %d repeats an earlier one",
                   s->path, what, i);
    }
    free(buf);
}

void ckpt_save(const char *path, const tc_model *m, const tc_strtab *vocab,
               const tc_strtab *labels, int max_len)
{
    stream s = {tc_fopen(path, "wb"), path, 0xcbf29ce484222325ULL};
    const tc_shape *sh = &m->shape;
    put(&s, MAGIC, sizeof MAGIC);
    put_u32(&s, TC_CKPT_VERSION);
    put_u32(&s, 0x01020304);
    int fields[] = {sh->kind, sh->vocab, sh->emb, sh->classes, sh->nwin};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        put_u32(&s, (uint32_t)fields[i]);
    for (int j = 0; j < sh->nwin; j++)
        put_u32(&s, (uint32_t)sh->windows[j]);
    put_u32(&s, (uint32_t)sh->kmax);
    put_u32(&s, (uint32_t)sh->maps);
    put_u32(&s, (uint32_t)sh->context);
    put_u32(&s, (uint32_t)sh->cell);
    put_u32(&s, (uint32_t)sh->context_word);
    put_u32(&s, (uint32_t)sh->projection_act);
    put_u32(&s, (uint32_t)max_len);
    for (int i = 0; i < vocab->n; i++)
        put_str(&s, vocab->words[i]);
    for (int i = 0; i < labels->n; i++)
        put_str(&s, labels->words[i]);
    put_u64(&s, m->nparams);
    for (size_t i = 0; i < m->nparams; i++) {
        uint32_t bits;
        memcpy(&bits, &m->params[i], 4);
        put_u32(&s, bits);
    }
    uint64_t hash = s.hash;
    put_u64(&s, hash);
    if (fclose(s.f) != 0)
        tc_die(TC_EXIT_FAILED, "%s: write failed on close (disk full?)", path);
}

void ckpt_load(const char *path, tc_model *m, tc_strtab *vocab, tc_strtab *labels,
               int *max_len, int maxB, int maxT)
{
    stream s = {tc_fopen(path, "rb"), path, 0xcbf29ce484222325ULL};
    char magic[8];
    if (fread(magic, 1, 8, s.f) != 8 || memcmp(magic, MAGIC, 8) != 0)
        tc_die(TC_EXIT_USAGE, "%s: not a liandan-textcnn model (bad magic number); give --load "
               "a file written by --save", path);
    hash_bytes(&s, magic, 8);
    uint32_t version = get_u32(&s, "the version");
    if (version != 1 && version != TC_CKPT_VERSION)
        tc_die(TC_EXIT_USAGE, "%s: model format version %u, this program reads versions 1 to "
               "%d; use the liandan-textcnn that saved it", path, version, TC_CKPT_VERSION);
    if (get_u32(&s, "the byte-order mark") != 0x01020304)
        tc_die(TC_EXIT_USAGE, "%s: corrupt model file (bad byte-order mark)", path);
    tc_shape sh;
    memset(&sh, 0, sizeof sh);
    sh.kind = get_int(&s, "the model kind", 0, 1);
    sh.vocab = get_int(&s, "the vocabulary size", 2, 1 << 28);
    sh.emb = get_int(&s, "the embedding width", 1, 1 << 16);
    sh.classes = get_int(&s, "the class count", 2, 1 << 20);
    sh.nwin = get_int(&s, "the window count", 1, TC_MAX_WINDOWS);
    for (int j = 0; j < sh.nwin; j++)
        sh.windows[j] = get_int(&s, "a window width", 1, 1024);
    sh.kmax = get_int(&s, "the widest window", 1, 1024);
    sh.maps = get_int(&s, "the feature maps", 1, 1 << 16);
    sh.context = get_int(&s, "the context width", 0, 1 << 16);
    if (version >= 2) {
        sh.cell = get_int(&s, "the context cell", CELL_RNN, CELL_GRU);
        sh.context_word = get_int(&s, "the context form", 0, 1);
        sh.projection_act = get_int(&s, "the projection activation", ACT_RELU, ACT_TANH);
    } else {
        sh.projection_act = ACT_TANH;
    }
    *max_len = get_int(&s, "max-len", 0, 1 << 30);
    get_words(&s, vocab, sh.vocab, "vocabulary");
    get_words(&s, labels, sh.classes, "label");
    model_alloc(m, &sh, maxB, maxT);
    uint64_t n = get_u64(&s, "the parameter count");
    if (n != m->nparams)
        tc_die(TC_EXIT_USAGE, "%s: corrupt model file: %llu parameters where the shape needs %zu",
               path, (unsigned long long)n, m->nparams);
    for (size_t i = 0; i < m->nparams; i++) {
        uint32_t bits = get_u32(&s, "the parameters");
        memcpy(&m->params[i], &bits, 4);
    }
    uint64_t expect = s.hash;
    if (get_u64(&s, "the checksum") != expect)
        tc_die(TC_EXIT_USAGE, "%s: corrupt model file (checksum mismatch); save it again with "
               "--save", path);
    fclose(s.f);
}
