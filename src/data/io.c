/*
 * io.c — examples in and out for the data tools: the line reader that knows both formats and
 * names file:line on a bad line, the writer, and outputs that appear only when complete (a
 * temporary file beside the target, renamed at the end).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/data.h"

#define FT_PREFIX "__label__"
#define FT_PREFIX_LEN 9

ld_status dt_fail(ld_data_error *err, ld_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}

uint64_t dt_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return ld_mix64(h);
}

const char *ld_data_format_name(ld_data_format format)
{
    switch (format) {
    case LD_DATA_TSV:
        return "tsv";
    case LD_DATA_FASTTEXT:
        return "fasttext";
    default:
        return "auto";
    }
}

int ld_data_format_parse(const char *name)
{
    if (!strcmp(name, "tsv"))
        return LD_DATA_TSV;
    if (!strcmp(name, "fasttext"))
        return LD_DATA_FASTTEXT;
    return -1;
}

void ld_data_counts_clear(ld_data_counts *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_classes; i++)
        free(c->classes[i].label);
    free(c->classes);
    memset(c, 0, sizeof *c);
}

void ld_data_result_clear(ld_data_result *r)
{
    if (!r)
        return;
    ld_data_counts_clear(&r->input);
    for (size_t i = 0; i < 3; i++) {
        ld_data_counts_clear(&r->outputs[i]);
        free(r->paths[i]);
    }
    memset(r, 0, sizeof *r);
}

/* ---- reading ---------------------------------------------------------------------------- */

ld_status dt_open(dt_reader *r, const char *path, ld_data_format format, ld_data_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->format = format;
    r->f = fopen(path, "r");
    if (!r->f)
        return dt_fail(err, errno == ENOENT ? LD_ERR_INPUT : LD_ERR_IO, "%s: %s", path,
                       strerror(errno));
    static const size_t bufsize = 1 << 20;
    setvbuf(r->f, NULL, _IOFBF, bufsize);
    return LD_OK;
}

void dt_close(dt_reader *r)
{
    if (r->f)
        fclose(r->f);
    free(r->buf);
    memset(r, 0, sizeof *r);
}

ld_status dt_rewind(dt_reader *r, ld_data_error *err)
{
    if (fseek(r->f, 0, SEEK_SET) != 0)
        return dt_fail(err, LD_ERR_INPUT, "%s: cannot read it twice (%s); give a regular file",
                       r->path, strerror(errno));
    r->line = 0;
    return LD_OK;
}

static int bad(dt_reader *r, ld_data_error *err, const char *what)
{
    dt_fail(err, LD_ERR_INPUT, "%s:%zu: %s", r->path, r->line, what);
    return -1;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

int dt_next(dt_reader *r, ld_data_error *err)
{
    ssize_t got = getline(&r->buf, &r->cap, r->f);
    if (got < 0) {
        if (ferror(r->f)) {
            dt_fail(err, LD_ERR_IO, "%s: read failed: %s", r->path, strerror(errno));
            return -1;
        }
        return 0;
    }
    r->line++;
    size_t n = (size_t)got;
    while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
        r->buf[--n] = '\0';
    if (memchr(r->buf, '\0', n))
        return bad(r, err, "a NUL byte in the line; is this a text file?");
    if (n == 0)
        return bad(r, err, "empty line; each line must be one example (label<TAB>text or "
                           "__label__LABEL text)");
    if (r->format == LD_DATA_AUTO)
        r->format = strncmp(r->buf, FT_PREFIX, FT_PREFIX_LEN) == 0 ? LD_DATA_FASTTEXT
                                                                    : LD_DATA_TSV;
    char *s = r->buf;
    if (r->format == LD_DATA_TSV) {
        char *tab = memchr(s, '\t', n);
        if (!tab)
            return bad(r, err, "no tab; expected label<TAB>text like the lines before it");
        if (tab == s)
            return bad(r, err, "empty label before the tab; expected label<TAB>text");
        *tab = '\0';
        r->label = s;
        r->label_len = (size_t)(tab - s);
        r->text = tab + 1;
        r->text_len = n - r->label_len - 1;
    } else {
        if (strncmp(s, FT_PREFIX, FT_PREFIX_LEN) != 0)
            return bad(r, err, "no __label__ prefix; expected __label__LABEL text like the "
                               "lines before it");
        char *l = s + FT_PREFIX_LEN, *e = l;
        while (*e && !is_space(*e))
            e++;
        if (e == l)
            return bad(r, err, "empty label after __label__");
        char *t = e;
        while (is_space(*t))
            t++;
        if (strncmp(t, FT_PREFIX, FT_PREFIX_LEN) == 0)
            return bad(r, err, "more than one __label__; the data tools take one label per "
                               "example");
        *e = '\0';
        r->label = l;
        r->label_len = (size_t)(e - l);
        r->text = t;
        r->text_len = n - (size_t)(t - s);
    }
    if (r->text_len == 0)
        return bad(r, err, "no text after the label");
    return 1;
}

/* ---- writing ---------------------------------------------------------------------------- */

const char *dt_label_problem(const char *label, ld_data_format format)
{
    if (strpbrk(label, "\t\n\r"))
        return "contains a tab or newline";
    if (format == LD_DATA_FASTTEXT && strchr(label, ' '))
        return "contains a space, which fastText format cannot hold; use --format tsv";
    return NULL;
}

ld_status dt_out_open(dt_out *o, const char *path, ld_data_format format, ld_data_error *err)
{
    memset(o, 0, sizeof *o);
    o->format = format == LD_DATA_AUTO ? LD_DATA_TSV : format;
    o->path = strdup(path);
    size_t n = strlen(path) + 16;
    o->tmp = malloc(n);
    if (!o->path || !o->tmp) {
        dt_out_abort(o);
        return dt_fail(err, LD_ERR_NOMEM, "out of memory");
    }
    snprintf(o->tmp, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        ld_status st = dt_fail(err, LD_ERR_IO, "%s: cannot create it: %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        dt_out_abort(o);
        return st;
    }
    fchmod(fd, 0644);
    o->f = fdopen(fd, "w");
    if (!o->f) {
        close(fd);
        dt_out_abort(o);
        return dt_fail(err, LD_ERR_IO, "%s: %s", path, strerror(errno));
    }
    setvbuf(o->f, NULL, _IOFBF, 1 << 20);
    return LD_OK;
}

int dt_out_write(dt_out *o, const char *label, const char *text)
{
    if (o->format == LD_DATA_FASTTEXT)
        return fprintf(o->f, FT_PREFIX "%s %s\n", label, text) < 0 ? -1 : 0;
    return fprintf(o->f, "%s\t%s\n", label, text) < 0 ? -1 : 0;
}

ld_status dt_out_commit(dt_out *o, ld_data_error *err)
{
    int failed = ferror(o->f) || fflush(o->f) != 0;
    int e = errno;
    if (fclose(o->f) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    o->f = NULL;
    if (failed) {
        ld_status st = dt_fail(err, LD_ERR_IO, "%s: write failed: %s", o->path, strerror(e));
        dt_out_abort(o);
        return st;
    }
    if (rename(o->tmp, o->path) != 0) {
        ld_status st = dt_fail(err, LD_ERR_IO, "%s: %s", o->path, strerror(errno));
        dt_out_abort(o);
        return st;
    }
    free(o->tmp);
    o->tmp = NULL;
    dt_out_abort(o);
    return LD_OK;
}

void dt_out_abort(dt_out *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}

ld_status dt_mkdirs(const char *dir, ld_data_error *err)
{
    char *p = strdup(dir);
    if (!p)
        return dt_fail(err, LD_ERR_NOMEM, "out of memory");
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                ld_status st = dt_fail(err, LD_ERR_IO, "%s: cannot create it: %s", p,
                                       strerror(errno));
                free(p);
                return st;
            }
            *s = c;
            if (!c)
                break;
        }
    }
    free(p);
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return dt_fail(err, LD_ERR_INPUT, "%s: not a folder", dir);
    return LD_OK;
}

char *dt_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", dir, name);
    return s;
}
