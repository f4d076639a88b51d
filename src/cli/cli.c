/*
 * cli.c — shared pieces of the subcommands: messages and exit codes, opening the journal,
 * option and number parsing, and the output formats (JSON, times, durations).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void vmessage(const char *fmt, va_list ap)
{
    fputs("liandan: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

int cli_exit_code(ld_status status)
{
    switch (status) {
    case LD_OK:
    case LD_ERR_DONE:
        return EXIT_OK;
    case LD_ERR_INPUT:
    case LD_ERR_NOTFOUND:
    case LD_ERR_CONFLICT:
        return EXIT_USAGE;
    case LD_ERR_STORAGE:
        return EXIT_STORAGE;
    default:
        return EXIT_RUN_FAILED;
    }
}

int cli_fail(ld_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    return cli_exit_code(status);
}

int cli_open_db(const cli_global *g, ld_db **db)
{
    ld_status st = ld_db_open(g->storage, db);
    if (st == LD_OK)
        return EXIT_OK;
    int code = cli_fail(st, "%s", ld_db_errmsg(*db));
    ld_db_close(*db);
    *db = NULL;
    return code;
}

int cli_open_journal(const cli_global *g, ld_db **db)
{
    ld_status st = ld_db_open_existing(g->storage, db);
    if (st == LD_OK)
        return EXIT_OK;
    int code = cli_fail(st, "%s", ld_db_errmsg(*db));
    ld_db_close(*db);
    *db = NULL;
    return code;
}

int cli_parse_int(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno == ERANGE || end == text || *end)
        return -1;
    *out = v;
    return 0;
}

const char *cli_option(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

void out_json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p == '\r')
            fputs("\\r", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void shortest(double v, char *buf, size_t size)
{
    if (v == floor(v) && fabs(v) < 1e15) { /* whole numbers as such: epoch 10, not 1e+01 */
        snprintf(buf, size, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

void out_number(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "nan");
    else if (isinf(v))
        snprintf(buf, size, v > 0 ? "inf" : "-inf");
    else
        shortest(v, buf, size);
}

void out_json_number(FILE *f, double v)
{
    char buf[40];
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    shortest(v, buf, sizeof buf);
    fputs(buf, f);
}

void out_json_value(FILE *f, const ld_value *v)
{
    switch (v->type) {
    case LD_VAL_INT:
        fprintf(f, "%.0f", v->num);
        break;
    case LD_VAL_FLOAT:
        out_json_number(f, v->num);
        break;
    case LD_VAL_BOOL:
        fputs(v->num != 0 ? "true" : "false", f);
        break;
    case LD_VAL_STR:
        out_json_string(f, v->str);
        break;
    default:
        fputs("null", f);
    }
}

void out_time(double t, char *buf, size_t size)
{
    if (t <= 0) {
        snprintf(buf, size, "%s", "");
        return;
    }
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    int ms = (int)((t - (double)secs) * 1000.0);
    if (ms > 999)
        ms = 999;
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

void out_duration(double s, char *buf, size_t size)
{
    if (s < 60)
        snprintf(buf, size, "%.1fs", s);
    else if (s < 3600)
        snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(buf, size, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
}

double out_trial_duration(const ld_trial *t)
{
    if (t->started > 0 && t->finished > 0)
        return t->finished - t->started;
    return 0;
}

void out_params(const ld_trial *t, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < t->n_params && used + 1 < size; i++) {
        if (t->params[i].type == LD_VAL_NONE)
            continue;
        char v[256];
        if (t->params[i].type == LD_VAL_FLOAT) /* tables are for people: 4 digits */
            snprintf(v, sizeof v, "%.4g", t->params[i].num);
        else
            ld_value_format(&t->params[i], v, sizeof v);
        int n = snprintf(buf + used, size - used, "%s%s=%s", used ? " " : "", t->param_names[i], v);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    if (used >= size)
        buf[size - 1] = '\0';
}

void out_trial_json(FILE *f, const ld_trial *t, int with_metrics)
{
    char tbuf[40];
    fprintf(f, "{\"number\": %d, \"state\": ", t->number);
    out_json_string(f, ld_trial_state_name(t->state));
    fputs(", \"params\": {", f);
    int first = 1;
    for (size_t i = 0; i < t->n_params; i++) {
        if (t->params[i].type == LD_VAL_NONE)
            continue;
        fputs(first ? "" : ", ", f);
        first = 0;
        out_json_string(f, t->param_names[i]);
        fputs(": ", f);
        out_json_value(f, &t->params[i]);
    }
    fputs("}, \"value\": ", f);
    if (t->has_value)
        out_json_number(f, t->value);
    else
        fputs("null", f);
    fputs(", \"started\": ", f);
    out_time(t->started, tbuf, sizeof tbuf);
    out_json_string(f, t->started > 0 ? tbuf : NULL);
    fputs(", \"finished\": ", f);
    out_time(t->finished, tbuf, sizeof tbuf);
    out_json_string(f, t->finished > 0 ? tbuf : NULL);
    fputs(", \"duration\": ", f);
    double d = out_trial_duration(t);
    if (d > 0)
        fprintf(f, "%.3f", d);
    else
        fputs("null", f);
    fputs(", \"exit\": ", f);
    if (t->exit_code >= 0 && t->finished > 0)
        fprintf(f, "%d", t->exit_code);
    else
        fputs("null", f);
    fputs(", \"signal\": ", f);
    if (t->term_signal)
        fprintf(f, "%d", t->term_signal);
    else
        fputs("null", f);
    fputs(", \"reason\": ", f);
    out_json_string(f, t->reason);
    fprintf(f, ", \"host\": ");
    out_json_string(f, t->host);
    fprintf(f, ", \"pid\": ");
    if (t->pid > 0)
        fprintf(f, "%d", t->pid);
    else
        fputs("null", f);
    fputs(", \"command\": ", f);
    fputs(t->command && *t->command ? t->command : "null", f);
    fputs(", \"log\": ", f);
    out_json_string(f, t->log_path);
    fputs(", \"git_commit\": ", f);
    out_json_string(f, t->git_commit);
    fprintf(f, ", \"retry_of\": ");
    if (t->retry_of >= 0)
        fprintf(f, "%d", t->retry_of);
    else
        fputs("null", f);
    fprintf(f, ", \"requeued_as\": ");
    if (t->requeued_as >= 0)
        fprintf(f, "%d", t->requeued_as);
    else
        fputs("null", f);
    if (with_metrics) {
        fputs(", \"metrics\": {", f);
        for (size_t i = 0; i < t->n_series; i++) {
            const ld_series *s = &t->series[i];
            fputs(i ? ", " : "", f);
            out_json_string(f, s->key);
            fputs(": [", f);
            for (size_t j = 0; j < s->n; j++) {
                fputs(j ? ", [" : "[", f);
                out_json_number(f, s->steps[j]);
                fputs(", ", f);
                out_json_number(f, s->values[j]);
                fputc(']', f);
            }
            fputc(']', f);
        }
        fputc('}', f);
    }
    fputc('}', f);
}
