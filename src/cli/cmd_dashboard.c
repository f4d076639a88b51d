/*
 * cmd_dashboard.c — `liandan dashboard [--port 8080] [--bind 127.0.0.1]`: a read-only live web
 * view of the studies in a journal, served by libmicrohttpd.
 *
 *   /                      the studies, with counts and best values
 *   /study/NAME            the study's HTML report; it polls /stamp/NAME every 2 s and swaps
 *                          in a fresh page when the study changed
 *   /stamp/NAME            a short text that changes whenever the study does
 *   /svg/NAME?kind=K[&trial=N]   one chart (trials beyond the page's charts link here)
 *
 * Promises: the journal is opened read-only (the library refuses every write; WAL readers never
 * block the tuner that writes); the server binds to 127.0.0.1 unless told otherwise; one
 * internal thread answers requests, and a study's page is rebuilt only when its stamp changed,
 * so a 10,000-trial study costs one rebuild per change, not one per request.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "cli.h"

int report_open_db(const cli_global *g, ld_db **db); /* cmd_report.c */

#define PAGE_TRIAL_CHARTS 100
#define MAX_CACHED 16

typedef struct {
    char *study;
    char *stamp;
    char *html;
    size_t len;
} page;

typedef struct {
    ld_db *db;
    page cache[MAX_CACHED]; /* touched only by the server's one thread */
    size_t next_slot;
} server;

static void page_clear(page *p)
{
    free(p->study);
    free(p->stamp);
    free(p->html);
    memset(p, 0, sizeof *p);
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned code, const char *type,
                               char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (!r) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned code, const char *text)
{
    return respond(c, code, "text/plain; charset=utf-8", (char *)text, strlen(text),
                MHD_RESPMEM_MUST_COPY);
}

static void escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '"')
            fputs("&quot;", f);
        else
            fputc(*s, f);
    }
}

/* A path segment percent-encoded (RFC 3986 unreserved characters stay). */
static void url_segment(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

static enum MHD_Result index_page(server *s, struct MHD_Connection *c)
{
    ld_study_info *st = NULL;
    size_t n = 0;
    if (ld_db_list_studies(s->db, &st, &n) != LD_OK)
        return send_text(c, 500, ld_db_errmsg(s->db));
    char *body = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&body, &len);
    if (!f) {
        ld_study_infos_free(st, n);
        return send_text(c, 500, "out of memory");
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\"><meta http-equiv=\"refresh\" content=\"5\">"
          "<title>liandan dashboard</title><style>body{font:14px system-ui,sans-serif;"
          "margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ddd;"
          "padding:3px 8px;text-align:right}td:first-child{text-align:left}</style></head>"
          "<body><h1>liandan studies</h1>\n",
          f);
    if (n == 0)
        fputs("<p>no studies yet; 'liandan run SWEEP.yaml' starts one</p>", f);
    else
        fputs("<table id=\"studies\"><tr><th>study</th><th>trials</th><th>complete</th>"
              "<th>pruned</th><th>failed</th><th>interrupted</th><th>queued</th>"
              "<th>running</th><th>best</th><th>metric</th></tr>\n",
              f);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td><a href=\"/study/", f);
        url_segment(f, st[i].name);
        fputs("\">", f);
        escape(f, st[i].name);
        fprintf(f, "</a></td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td>"
                "<td>%zu</td><td>%zu</td><td>",
                st[i].n_trials, st[i].counts[LD_TRIAL_COMPLETE], st[i].counts[LD_TRIAL_PRUNED],
                st[i].counts[LD_TRIAL_FAILED] - st[i].interrupted, st[i].interrupted,
                st[i].counts[LD_TRIAL_QUEUED], st[i].counts[LD_TRIAL_RUNNING]);
        if (st[i].has_best) {
            char v[40];
            out_number(st[i].best_value, v, sizeof v);
            fprintf(f, "%s (#%d)", v, st[i].best_number);
        }
        fputs("</td><td>", f);
        escape(f, st[i].metric);
        fprintf(f, " (%s)</td></tr>\n", st[i].maximize ? "max" : "min");
    }
    fputs(n ? "</table></body></html>\n" : "</body></html>\n", f);
    ld_study_infos_free(st, n);
    if (fclose(f) != 0) {
        free(body);
        return send_text(c, 500, "out of memory");
    }
    return respond(c, 200, "text/html; charset=utf-8", body, len, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result not_found(server *s, struct MHD_Connection *c, ld_status st)
{
    return send_text(c, st == LD_ERR_NOTFOUND ? 404 : 500, ld_db_errmsg(s->db));
}

static enum MHD_Result study_page(server *s, struct MHD_Connection *c, const char *study)
{
    char *stamp = NULL;
    ld_status st = ld_report_stamp(s->db, study, &stamp);
    if (st != LD_OK)
        return not_found(s, c, st);
    for (size_t i = 0; i < MAX_CACHED; i++) {
        page *p = &s->cache[i];
        if (p->study && strcmp(p->study, study) == 0 && strcmp(p->stamp, stamp) == 0) {
            free(stamp);
            return respond(c, 200, "text/html; charset=utf-8", p->html, p->len,
                        MHD_RESPMEM_MUST_COPY);
        }
    }
    ld_report *r = NULL;
    st = ld_report_load(s->db, study, 1, &r);
    if (st != LD_OK) {
        free(stamp);
        return not_found(s, c, st);
    }
    char *body = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&body, &len);
    char *poll = NULL;
    size_t poll_len = 0;
    FILE *pf = open_memstream(&poll, &poll_len);
    if (pf) {
        fputs("/stamp/", pf);
        url_segment(pf, study);
        fclose(pf);
    }
    ld_html_opts opts = {.refresh_url = poll, .home_url = "/",
                         .max_trial_charts = PAGE_TRIAL_CHARTS};
    st = f && poll ? ld_report_html(r, &opts, f) : LD_ERR_NOMEM;
    if (f && fclose(f) != 0 && st == LD_OK)
        st = LD_ERR_NOMEM;
    ld_report_free(r);
    free(poll);
    if (st != LD_OK) {
        free(body);
        free(stamp);
        return send_text(c, 500, "cannot build the page");
    }
    /* replace this study's entry, else the next slot round-robin */
    size_t slot = s->next_slot;
    for (size_t i = 0; i < MAX_CACHED; i++)
        if (s->cache[i].study && strcmp(s->cache[i].study, study) == 0)
            slot = i;
    if (slot == s->next_slot)
        s->next_slot = (s->next_slot + 1) % MAX_CACHED;
    page_clear(&s->cache[slot]);
    page *p = &s->cache[slot];
    p->study = strdup(study);
    p->stamp = stamp;
    p->html = body;
    p->len = len;
    if (!p->study) {
        page_clear(p);
        return send_text(c, 500, "out of memory");
    }
    return respond(c, 200, "text/html; charset=utf-8", p->html, p->len, MHD_RESPMEM_MUST_COPY);
}

static enum MHD_Result chart(server *s, struct MHD_Connection *c, const char *study)
{
    const char *kind = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "kind");
    const char *trial = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "trial");
    int k = ld_plot_kind_parse(kind ? kind : "curves");
    long number = -1;
    if (k < 0 || (trial && cli_parse_int(trial, &number)))
        return send_text(c, 400, "kind is curves, history, parallel, slice or importance; "
                                 "trial a trial number");
    ld_report *r = NULL;
    ld_status st = ld_report_load(s->db, study, k == LD_PLOT_CURVES, &r);
    if (st != LD_OK)
        return not_found(s, c, st);
    char *body = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&body, &len);
    st = f ? ld_report_svg(r, (ld_plot_kind)k, (int)number, f) : LD_ERR_NOMEM;
    if (f)
        fclose(f);
    enum MHD_Result ret;
    if (st == LD_OK)
        ret = respond(c, 200, "image/svg+xml", body, len, MHD_RESPMEM_MUST_FREE);
    else {
        ret = send_text(c, st == LD_ERR_NOTFOUND ? 404 : 500, ld_report_errmsg(r));
        free(body);
    }
    ld_report_free(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state)
{
    (void)version, (void)upload, (void)upload_size, (void)state;
    server *s = cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_text(c, 405, "the dashboard is read-only: GET only");
    if (strcmp(url, "/") == 0)
        return index_page(s, c);
    if (strncmp(url, "/study/", 7) == 0 && url[7])
        return study_page(s, c, url + 7);
    if (strncmp(url, "/stamp/", 7) == 0 && url[7]) {
        char *stamp = NULL;
        ld_status st = ld_report_stamp(s->db, url + 7, &stamp);
        if (st != LD_OK)
            return not_found(s, c, st);
        return respond(c, 200, "text/plain; charset=utf-8", stamp, strlen(stamp),
                    MHD_RESPMEM_MUST_FREE);
    }
    if (strncmp(url, "/svg/", 5) == 0 && url[5])
        return chart(s, c, url + 5);
    if (strcmp(url, "/favicon.ico") == 0)
        return respond(c, 204, "image/x-icon", (char *)"", 0, MHD_RESPMEM_PERSISTENT);
    return send_text(c, 404, "no such page; / lists the studies");
}

int cmd_dashboard(int argc, char **argv, const cli_global *g)
{
    const char *host = "127.0.0.1";
    long port = 8080;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_option(argc, argv, &i, "--port"))) {
            if (cli_parse_int(v, &port) || port > 65535)
                return cli_usage("--port takes a port number 0-65535 (0: any free port), "
                                 "got '%s'", v);
        } else if ((v = cli_option(argc, argv, &i, "--bind"))) {
            host = v;
        } else {
            return cli_usage("dashboard: unexpected '%s'; usage: liandan dashboard "
                             "[--port 8080] [--bind 127.0.0.1]", argv[i]);
        }
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
        return cli_usage("--bind takes an IPv4 address such as 127.0.0.1 or 0.0.0.0, got '%s'",
                         host);
    server s = {0};
    int code = report_open_db(g, &s.db);
    if (code != EXIT_OK)
        return code;
    /* SIGINT and SIGTERM are taken by sigwait below; the server thread inherits the mask */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, (uint16_t)port, NULL, NULL, handle, &s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_END);
    if (!d) {
        code = cli_fail(LD_ERR_IO, "cannot listen on %s:%ld: %s; try another --port", host, port,
                        errno ? strerror(errno) : "in use");
        ld_db_close(s.db);
        return code;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned actual = info ? info->port : (unsigned)port;
    fprintf(stderr, "liandan: dashboard on http://%s:%u/ (read-only; Ctrl-C stops it)\n", host,
            actual);
    int sig = 0;
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    for (size_t i = 0; i < MAX_CACHED; i++)
        page_clear(&s.cache[i]);
    ld_db_close(s.db);
    return EXIT_OK;
}
