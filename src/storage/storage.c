/*
 * storage.c — turns a storage URL into an open back-end.
 *
 * Back-ends are found by URL scheme in one table, so a new one is one file and one row. A URL
 * without a scheme is a SQLite file path. SQLite URLs follow SQLAlchemy (and so Optuna):
 * sqlite:///relative/path.db and sqlite:////absolute/path.db; "sqlite://host/..." is refused
 * rather than guessed at.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "storage/storage.h"

/* The back-end's location for the part of the URL after "scheme://", or NULL with err set. */
typedef const char *(*location_fn)(const char *url, const char *rest, char *err, size_t errlen);

typedef struct {
    const char *scheme;
    const char *title;           /* for messages */
    const ld_storage_type *type; /* NULL: known but not built in */
    location_fn location;
} backend;

static const char *file_location(const char *url, const char *rest, char *err, size_t errlen)
{
    if (rest[0] != '/') {
        snprintf(err, errlen,
                 "bad SQLite URL '%s'; expected sqlite:///relative/path.db or "
                 "sqlite:////absolute/path.db",
                 url);
        return NULL;
    }
    return rest + 1;
}

/* libpq reads the whole URL (user, host, port, database, ?parameters) itself. */
static const char *url_location(const char *url, const char *rest, char *err, size_t errlen)
{
    (void)rest, (void)err, (void)errlen;
    return url;
}

static const backend backends[] = {
    {"sqlite", "SQLite", &ld_storage_sqlite, file_location},
    {"postgresql", "PostgreSQL", &ld_storage_postgres, url_location},
    {"postgres", "PostgreSQL", &ld_storage_postgres, url_location},
};

/* Length of the scheme when url starts with "scheme://" (RFC 3986 scheme characters), else 0. */
static size_t scheme_length(const char *url)
{
    if (!isalpha((unsigned char)url[0]))
        return 0;
    size_t n = 1;
    while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
        n++;
    return strncmp(url + n, "://", 3) == 0 ? n : 0;
}

static const backend *find_backend(const char *scheme, size_t n)
{
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
        if (strlen(backends[i].scheme) == n && strncasecmp(backends[i].scheme, scheme, n) == 0)
            return &backends[i];
    return NULL;
}

/* Picks the back-end and its location for url; NULL with err set when the URL is unusable. */
static const backend *resolve(const char *url, const char **location, char *err, size_t errlen)
{
    size_t n = scheme_length(url);
    if (n == 0) {
        *location = url;
        return &backends[0];
    }
    const backend *b = find_backend(url, n);
    if (!b) {
        snprintf(err, errlen, "unknown storage URL scheme '%.*s'; expected sqlite:///PATH or "
                 "postgresql://USER@HOST/DATABASE",
                 (int)n, url);
        return NULL;
    }
    if (!b->type) {
        snprintf(err, errlen, "%s storage is not built in yet", b->title);
        return NULL;
    }
    *location = b->location(url, url + n + 3, err, errlen);
    return *location ? b : NULL;
}

static ld_status open_with(const char *url, int readonly, ld_storage *out, char *err,
                           size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!url || !*url) {
        snprintf(err, errlen, "no storage URL given; expected sqlite:///PATH or "
                              "postgresql://USER@HOST/DATABASE");
        return LD_ERR_INPUT;
    }
    const char *location;
    const backend *b = resolve(url, &location, err, errlen);
    if (!b)
        return LD_ERR_INPUT;
    if (readonly && !b->type->open_readonly) {
        snprintf(err, errlen, "%s storage cannot be opened read-only", b->title);
        return LD_ERR_INPUT;
    }
    void *state = NULL;
    ld_status st = (readonly ? b->type->open_readonly : b->type->open)(location, &state);
    if (st != LD_OK) {
        snprintf(err, errlen, "%s", state ? b->type->errmsg(state) : ld_status_name(st));
        if (state)
            b->type->close(state);
        return st;
    }
    out->type = b->type;
    out->state = state;
    return LD_OK;
}

ld_status ld_storage_open(const char *url, ld_storage *out, char *err, size_t errlen)
{
    return open_with(url, 0, out, err, errlen);
}

ld_status ld_storage_open_readonly(const char *url, ld_storage *out, char *err, size_t errlen)
{
    return open_with(url, 1, out, err, errlen);
}

void ld_storage_close(ld_storage *s)
{
    if (!s || !s->type)
        return;
    s->type->close(s->state);
    s->type = NULL;
    s->state = NULL;
}
