/*
 * debian.c — `data debian`: a real text-classification corpus made offline from the machine's
 * own package index, for the demo and for trying liandan without a network.
 *
 * Each stanza of `apt-cache dumpavail` gives one example: the label is the Section with its
 * area ("contrib/", "non-free/", ...) dropped, the text is the first line of the Description.
 * A package listed twice (several versions) counts once. Where a package goes is decided by a
 * hash of its name alone (dt_hash: FNV-1a, mixed; bucket hash % 10: 0-7 train, 8 dev, 9 test),
 * so a package never changes split when the index gains or loses others. Each split is written
 * in hash order: stable, and not grouped by section.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "data/data.h"

typedef struct {
    char *name, *section, *desc;
} stanza;

static void stanza_reset(stanza *s)
{
    free(s->name);
    free(s->section);
    free(s->desc);
    memset(s, 0, sizeof *s);
}

static char *field_value(const char *line, size_t key_len)
{
    const char *v = line + key_len;
    while (*v == ' ' || *v == '\t')
        v++;
    char *out = strdup(v);
    if (!out)
        return NULL;
    for (char *p = out; *p; p++)
        if (*p == '\t')
            *p = ' ';
    size_t n = strlen(out);
    while (n > 0 && (out[n - 1] == ' '))
        out[--n] = '\0';
    return out;
}

/* Ends one stanza: adds it unless it lacks a field or its package was seen. */
static int flush(stanza *s, dt_examples *e, dt_set *seen, size_t *skipped)
{
    int rc = 0;
    if (s->name) {
        if (!s->section || !s->desc || !*s->section || !*s->desc) {
            (*skipped)++;
        } else {
            uint64_t h = dt_hash(s->name, strlen(s->name));
            int added = dt_set_add(seen, h, NULL);
            if (added < 0)
                rc = -1;
            else if (added) {
                const char *slash = strrchr(s->section, '/');
                rc = dt_examples_add(e, slash ? slash + 1 : s->section, s->desc, h);
            }
        }
    }
    stanza_reset(s);
    return rc;
}

static int by_key(const void *a, const void *b)
{
    uint64_t x = ((const dt_example *)a)->key, y = ((const dt_example *)b)->key;
    return x < y ? -1 : x > y;
}

ld_status ld_data_debian(const char *dumpavail, const char *dir, ld_data_result *res,
                         ld_data_error *err)
{
    memset(res, 0, sizeof *res);
    const char *name = dumpavail ? dumpavail : "apt-cache dumpavail";
    FILE *f = dumpavail ? fopen(dumpavail, "r") : popen("apt-cache dumpavail", "r");
    if (!f)
        return dt_fail(err, dumpavail ? LD_ERR_INPUT : LD_ERR_IO, "%s: %s", name,
                       strerror(errno));
    dt_examples e = {0};
    dt_set seen = {0};
    stanza s = {0};
    char *buf = NULL;
    size_t cap = 0, line = 0, skipped = 0;
    ssize_t got;
    ld_status st = LD_OK;
    while (st == LD_OK && (got = getline(&buf, &cap, f)) >= 0) {
        line++;
        size_t n = (size_t)got;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        if (n == 0) {
            if (flush(&s, &e, &seen, &skipped) != 0)
                st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
            continue;
        }
        if (buf[0] == ' ' || buf[0] == '\t')
            continue; /* a continuation: the long description */
        char *colon = strchr(buf, ':');
        if (!colon || colon == buf || memchr(buf, ' ', (size_t)(colon - buf))) {
            st = dt_fail(err, LD_ERR_INPUT,
                         "%s:%zu: expected 'Field: value' or an indented continuation line (the "
                         "format of apt-cache dumpavail)",
                         name, line);
            break;
        }
        size_t key_len = (size_t)(colon - buf) + 1;
        char **slot = NULL;
        if (!strncmp(buf, "Package:", key_len))
            slot = &s.name;
        else if (!strncmp(buf, "Section:", key_len))
            slot = &s.section;
        else if (!strncmp(buf, "Description:", key_len))
            slot = &s.desc;
        if (slot && !*slot && !(*slot = field_value(buf, key_len)))
            st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
    }
    if (st == LD_OK && flush(&s, &e, &seen, &skipped) != 0)
        st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
    stanza_reset(&s);
    free(buf);
    dt_set_free(&seen);
    if (dumpavail) {
        fclose(f);
    } else {
        int ws = pclose(f);
        if (st == LD_OK && (ws == -1 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0))
            st = dt_fail(err, LD_ERR_IO,
                         "apt-cache dumpavail failed (is this a Debian system with apt?)");
    }
    if (st == LD_OK && e.n == 0)
        st = dt_fail(err, LD_ERR_INPUT,
                     "%s: no packages with a Section and a Description; on Debian run "
                     "'apt-get update' first",
                     name);
    int *part = NULL;
    if (st == LD_OK) {
        qsort(e.v, e.n, sizeof *e.v, by_key);
        part = malloc(e.n * sizeof *part);
        if (!part)
            st = dt_fail(err, LD_ERR_NOMEM, "out of memory");
        for (size_t i = 0; part && i < e.n; i++) {
            unsigned bucket = (unsigned)(e.v[i].key % 10);
            part[i] = bucket < 8 ? 0 : bucket == 8 ? 1 : 2;
        }
    }
    if (st == LD_OK)
        st = dt_write_splits(&e, part, dir, res, err);
    free(part);
    dt_examples_free(&e);
    return st;
}
