/*
 * resume.c — writing and reading the training state of resume.h.
 */
#include "resume.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

_Static_assert(sizeof(int) == sizeof(int32_t), "the sampler's arrays are saved as int32");

static const char MAGIC[8] = {'L', 'D', 'T', 'C', 'S', 'T', 'A', 'T'};
#define STATE_VERSION 1u
#define BYTE_ORDER_CHECK 0x01020304u

/* The fixed part, written as one block. */
typedef struct {
    char magic[8];
    uint32_t version, byte_order;
    uint64_t fingerprint, nparams, nmembers, nclasses;
    int32_t epoch, best_epoch, stale, pad0;
    double best_acc, train_secs, train_flops;
    float lr, pad1;
    int64_t step;
    uint64_t order_rng[4], dropout_rng[4];
} header;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

#define FNV_START 0xcbf29ce484222325ULL

uint64_t resume_fingerprint(int argc, char **argv)
{
    uint64_t h = FNV_START;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        static const char *const free_to_change[] = {"--checkpoint", "--threads", "--epochs"};
        int skip = 0;
        for (size_t k = 0; k < sizeof free_to_change / sizeof *free_to_change; k++) {
            size_t n = strlen(free_to_change[k]);
            if (strcmp(a, free_to_change[k]) == 0)
                skip = 2; /* the option and its value */
            else if (strncmp(a, free_to_change[k], n) == 0 && a[n] == '=')
                skip = 1;
        }
        if (skip) {
            i += skip - 1;
            continue;
        }
        h = fnv(h, a, strlen(a) + 1);
    }
    return h;
}

static char *state_path(const char *dir, const char *suffix)
{
    size_t n = strlen(dir) + 32;
    char *p = tc_malloc(n);
    snprintf(p, n, "%s/train.state%s", dir, suffix);
    return p;
}

static void mkdirs(const char *dir)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp)
        tc_die(TC_EXIT_USAGE, "--checkpoint: the folder name is too long");
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            tc_die(TC_EXIT_FAILED, "--checkpoint: cannot create %s: %s", tmp, strerror(errno));
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        tc_die(TC_EXIT_FAILED, "--checkpoint: cannot create %s: %s", tmp, strerror(errno));
}

typedef struct {
    FILE *f;
    const char *path;
    uint64_t hash;
} out_stream;

static void put(out_stream *o, const void *p, size_t n)
{
    o->hash = fnv(o->hash, p, n);
    if (n && fwrite(p, 1, n, o->f) != n)
        tc_die(TC_EXIT_FAILED, "%s: write failed (disk full?)", o->path);
}

static header header_of(uint64_t fingerprint, const tc_train_state *st)
{
    header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAGIC, sizeof MAGIC);
    h.version = STATE_VERSION;
    h.byte_order = BYTE_ORDER_CHECK;
    h.fingerprint = fingerprint;
    h.nparams = st->model->nparams;
    h.nclasses = (uint64_t)st->sampler->nclasses;
    h.nmembers = (uint64_t)st->sampler->mstart[st->sampler->nclasses];
    return h;
}

void resume_save(const char *dir, uint64_t fingerprint, const tc_train_state *st)
{
    mkdirs(dir);
    char *path = state_path(dir, ""), *tmp = state_path(dir, ".tmp");
    out_stream o = {fopen(tmp, "wb"), tmp, FNV_START};
    if (!o.f)
        tc_die(TC_EXIT_FAILED, "cannot write the checkpoint %s: %s", tmp, strerror(errno));
    header h = header_of(fingerprint, st);
    const tc_progress *p = st->progress;
    h.epoch = p->epoch;
    h.best_epoch = p->best_epoch;
    h.stale = p->stale;
    h.best_acc = p->best_acc;
    h.train_secs = p->train_secs;
    h.train_flops = p->train_flops;
    h.lr = st->optim->lr;
    h.step = st->optim->step;
    memcpy(h.order_rng, st->order_rng->s, sizeof h.order_rng);
    memcpy(h.dropout_rng, st->dropout_rng->s, sizeof h.dropout_rng);
    size_t n = st->model->nparams;
    put(&o, &h, sizeof h);
    put(&o, st->model->params, n * sizeof(float));
    put(&o, st->best, n * sizeof(float));
    put(&o, st->optim->s1, n * sizeof(float));
    put(&o, st->optim->s2, n * sizeof(float));
    put(&o, st->sampler->members, (size_t)h.nmembers * sizeof(int32_t));
    put(&o, st->sampler->cursor, (size_t)h.nclasses * sizeof(int32_t));
    uint64_t hash = o.hash;
    put(&o, &hash, sizeof hash);
    if (fflush(o.f) != 0 || fclose(o.f) != 0)
        tc_die(TC_EXIT_FAILED, "%s: write failed (disk full?)", tmp);
    if (rename(tmp, path) != 0)
        tc_die(TC_EXIT_FAILED, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    free(path);
    free(tmp);
}

int resume_load(const char *dir, uint64_t fingerprint, tc_train_state *st)
{
    char *path = state_path(dir, "");
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno != ENOENT)
            tc_warn("cannot read the checkpoint %s (%s); training from the start", path,
                    strerror(errno));
        free(path);
        return 0;
    }
    /* The size this run's state has: a file of any other size is not ours, and nothing is
       allocated from what the file says. */
    header want = header_of(fingerprint, st);
    size_t n = st->model->nparams;
    size_t size = sizeof(header) + 4 * n * sizeof(float) +
                  (size_t)(want.nmembers + want.nclasses) * sizeof(int32_t) + sizeof(uint64_t);
    char *buf = tc_malloc(size + 1);
    size_t got = fread(buf, 1, size + 1, f);
    fclose(f);
    const char *why = NULL;
    header h;
    memcpy(&h, buf, got >= sizeof h ? sizeof h : 0);
    uint64_t stored;
    if (got != size)
        why = "its size is not this run's (another model or data set, or a cut file)";
    else if (memcmp(h.magic, MAGIC, sizeof MAGIC) != 0)
        why = "it is not a liandan-textcnn training state";
    else if (h.version != STATE_VERSION || h.byte_order != BYTE_ORDER_CHECK)
        why = "it was written by another version or on another kind of machine";
    else if (memcpy(&stored, buf + size - sizeof stored, sizeof stored),
             stored != fnv(FNV_START, buf, size - sizeof stored))
        why = "its checksum is wrong (a damaged file)";
    else if (h.fingerprint != want.fingerprint)
        why = "it was saved by a run with other options";
    else if (h.nparams != want.nparams || h.nmembers != want.nmembers ||
             h.nclasses != want.nclasses || h.epoch < 1)
        why = "its shapes are not this run's";
    if (why) {
        tc_warn("ignoring the checkpoint %s: %s; training from the start", path, why);
        free(buf);
        free(path);
        return 0;
    }
    const char *at = buf + sizeof h;
    memcpy(st->model->params, at, n * sizeof(float));
    at += n * sizeof(float);
    memcpy(st->best, at, n * sizeof(float));
    at += n * sizeof(float);
    memcpy(st->optim->s1, at, n * sizeof(float));
    at += n * sizeof(float);
    memcpy(st->optim->s2, at, n * sizeof(float));
    at += n * sizeof(float);
    memcpy(st->sampler->members, at, (size_t)h.nmembers * sizeof(int32_t));
    at += h.nmembers * sizeof(int32_t);
    memcpy(st->sampler->cursor, at, (size_t)h.nclasses * sizeof(int32_t));
    tc_progress *p = st->progress;
    p->epoch = h.epoch;
    p->best_epoch = h.best_epoch;
    p->stale = h.stale;
    p->best_acc = h.best_acc;
    p->train_secs = h.train_secs;
    p->train_flops = h.train_flops;
    st->optim->lr = h.lr;
    st->optim->step = h.step;
    memcpy(st->order_rng->s, h.order_rng, sizeof h.order_rng);
    memcpy(st->dropout_rng->s, h.dropout_rng, sizeof h.dropout_rng);
    free(buf);
    free(path);
    return 1;
}
