/* The admin API (/__mock): health, the effective scenario and switching it,
 * reset, schema reload, the clock, the journal, raw table access and the SQL
 * statements (delegated to admin_sql.c), behind the optional --admin-token.
 * JSON in and out; errors are {"error": "..."}. It never passes through the
 * gateway or the fault rules, and nothing here is journaled. */
#include "admin.h"

#include "admin_sql.h"
#include "dashboard.h"
#include "journal.h"
#include "rules.h"
#include "buf.h"
#include "caps.h"
#include "clock.h"
#include "owner_insert.h"
#include "urlcodec.h"
#include "render.h"
#include "scenario_json.h"
#include "security.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The file name a scenario given in a PUT /__mock/scenario body carries in
 * positions and errors. */
#define PUT_SCENARIO_FILE "<PUT /__mock/scenario>"
/* advance_ms beyond this (about 285 years) would overflow the microsecond clock
 * arithmetic long before it meant anything. */
#define MAX_CLOCK_STEP_MS (INT64_C(1) << 53)

static void json_headers(mock_response_t *resp)
{
    mock_response_add_header(resp, "Content-Type", "application/json");
}

static void admin_error(mock_response_t *resp, int status, const char *message)
{
    resp->status = status;
    json_headers(resp);
    buf_puts(&resp->body, "{\"error\":");
    buf_put_json_string(&resp->body, message);
    buf_putc(&resp->body, '}');
}

static void admin_errorf(mock_response_t *resp, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void admin_errorf(mock_response_t *resp, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    admin_error(resp, status, msg);
    free(msg);
}

/* Writes a cJSON value compactly as the body (200) and frees it. */
static void answer_json(mock_response_t *resp, cJSON *json)
{
    char *text = cJSON_PrintUnformatted(json);
    MOCK_ASSERT(text);
    resp->status = 200;
    json_headers(resp);
    buf_puts(&resp->body, text);
    cJSON_free(text);
    cJSON_Delete(json);
}

static void answer_ok(const admin_host_t *h, mock_response_t *resp)
{
    resp->status = 200;
    json_headers(resp);
    buf_puts(&resp->body, "{\"status\":\"ok\",\"scenario\":");
    buf_put_json_string(&resp->body,
                        h->ops->scenario(h->app)->name ? h->ops->scenario(h->app)->name : "");
    buf_putc(&resp->body, '}');
}

/* Parses the request body as JSON. Returns the value (caller frees), or NULL
 * after writing a 400. */
static cJSON *json_body(const mock_request_t *req, mock_response_t *resp)
{
    if (req->body_len == 0) {
        admin_error(resp, 400, "expected a JSON body");
        return NULL;
    }
    /* The length covers the terminating NUL: cJSON's require_null_terminated
     * check reads the byte after the value. */
    cJSON *json = memchr(req->body, '\0', req->body_len)
                      ? NULL
                      : cJSON_ParseWithLengthOpts(req->body, req->body_len + 1, NULL, true);
    if (!json)
        admin_error(resp, 400, "the body is not valid JSON");
    return json;
}

/* ---- who may call: the developer's own tools ---- */

/* Longest header value quoted back in a refusal. */
#define SHOWN_HEADER_MAX 100

/* A header value as a refusal quotes it: cut, and printable ASCII only. */
static const char *shown(const char *value, char out[SHOWN_HEADER_MAX + 1])
{
    size_t i = 0;
    for (; value[i] && i < SHOWN_HEADER_MAX; i++)
        out[i] = value[i] >= 0x20 && value[i] < 0x7f ? value[i] : '?';
    out[i] = '\0';
    return out;
}

/* The host part of an authority (RFC 3986 §3.2): "host", "host:port",
 * "[v6]" or "[v6]:port". */
typedef struct authority {
    char host[256]; /* without brackets */
    bool has_port;
} authority_t;

/* Returns false for anything but the forms above with a DNS-name-like or
 * IPv4 host, a bracketed IPv6 address, and a port of 1 to 5 digits. Paths,
 * user info and empty parts are refused, so an Origin with a path or a Host
 * with junk never compares equal to an accepted name by accident. */
static bool parse_authority(const char *s, authority_t *a)
{
    size_t len = strlen(s);
    const char *end = s + len, *host, *after;
    size_t hlen;
    bool bracketed = len > 0 && s[0] == '[';
    if (bracketed) {
        const char *close = memchr(s, ']', len);
        if (!close)
            return false;
        host = s + 1;
        hlen = (size_t)(close - host);
        after = close + 1;
    } else {
        const char *colon = memchr(s, ':', len);
        host = s;
        hlen = colon ? (size_t)(colon - s) : len;
        after = colon ? colon : end;
    }
    if (hlen == 0 || hlen >= sizeof a->host)
        return false;
    for (size_t i = 0; i < hlen; i++) {
        unsigned char c = (unsigned char)host[i];
        if (!(isalnum(c) || c == '-' || c == '.' || c == '_' || (bracketed && c == ':')))
            return false;
    }
    memcpy(a->host, host, hlen);
    a->host[hlen] = '\0';
    if (bracketed) {
        struct in6_addr v6;
        if (inet_pton(AF_INET6, a->host, &v6) != 1)
            return false;
    }
    a->has_port = false;
    if (after < end) {
        if (*after != ':')
            return false;
        after++;
        if (after == end || end - after > 5)
            return false;
        for (const char *p = after; p < end; p++)
            if (!isdigit((unsigned char)*p))
                return false;
        a->has_port = true;
    }
    return true;
}

bool admin_is_loopback_host(const char *host)
{
    char buf[INET6_ADDRSTRLEN + 1];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        if (n - 2 >= sizeof buf)
            return false;
        memcpy(buf, host + 1, n - 2);
        buf[n - 2] = '\0';
        host = buf;
    }
    if (strcasecmp(host, "localhost") == 0)
        return true;
    /* inet_pton takes only the four-part dotted-decimal form, so names such as
     * "127.0.0.1.evil.example" (which any DNS server may resolve anywhere) are
     * not mistaken for loopback addresses. */
    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    struct in6_addr v6;
    if (inet_pton(AF_INET6, host, &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
    return false;
}

bool admin_host_value_ok(const char *value)
{
    authority_t a;
    return parse_authority(value, &a);
}

/* Host: the listening address, a loopback name (any port: a forwarded port
 * still reaches only this machine), or an --admin-host value (a name alone
 * matches any port; NAME:PORT only that port). */
static bool host_allowed(const admin_host_t *h, const char *value)
{
    authority_t a;
    if (!parse_authority(value, &a))
        return false;
    if (admin_is_loopback_host(a.host))
        return true;
    const char *listen = h->ops->listen_authority ? h->ops->listen_authority(h->app) : NULL;
    if (listen && strcasecmp(value, listen) == 0)
        return true;
    const mock_config_t *cfg = h->ops->config(h->app);
    for (size_t i = 0; cfg && i < cfg->admin_host_count; i++) {
        authority_t b;
        if (!parse_authority(cfg->admin_hosts[i], &b) || strcasecmp(a.host, b.host) != 0)
            continue;
        if (!b.has_port || strcasecmp(value, cfg->admin_hosts[i]) == 0)
            return true;
    }
    return false;
}

/* Origin (RFC 6454): "scheme://host[:port]". A loopback origin is a tool on
 * this machine; one equal to the request's Host is the page supamock itself
 * served (the Host is checked separately, so a rebinding page's own origin
 * never gets through). "null" (sandboxed frames, data: URLs) is neither. */
static bool origin_allowed(const char *origin, const char *host)
{
    const char *rest;
    if (strncasecmp(origin, "http://", 7) == 0)
        rest = origin + 7;
    else if (strncasecmp(origin, "https://", 8) == 0)
        rest = origin + 8;
    else
        return false;
    authority_t a;
    if (!parse_authority(rest, &a))
        return false;
    return admin_is_loopback_host(a.host) || (host && strcasecmp(rest, host) == 0);
}

/* application/json, with or without parameters (charset=utf-8). */
static bool json_media_type(const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    if (strncasecmp(v, "application/json", 16) != 0)
        return false;
    v += 16;
    while (*v == ' ' || *v == '\t')
        v++;
    return *v == '\0' || *v == ';';
}

/* How many headers are named lname; *first gets the first value. */
static size_t count_headers(const mock_request_t *req, const char *lname, const char **first)
{
    size_t n = 0;
    *first = NULL;
    for (size_t i = 0; i < req->header_count; i++) {
        if (strcmp(req->headers[i].name, lname) != 0)
            continue;
        if (!n)
            *first = req->headers[i].value;
        n++;
    }
    return n;
}

/* The admin API changes the server's state and shows the JWT secret, so only
 * the developer's own tools may call it, never a web page the developer
 * happens to visit. Returns true when the request may go on; otherwise writes
 * a 403 before anything has happened. The checks, and why each is needed,
 * are listed in admin.h. */
static bool from_own_tools(const admin_host_t *h, const mock_request_t *req, mock_response_t *resp)
{
    char buf[SHOWN_HEADER_MAX + 1];
    const char *host, *origin, *ct;
    size_t hosts = count_headers(req, "host", &host);
    size_t origins = count_headers(req, "origin", &origin);
    if (origins > 1) {
        admin_error(resp, 403, "cross-origin request refused: more than one Origin header");
        return false;
    }
    if (origin && !origin_allowed(origin, hosts == 1 ? host : NULL)) {
        admin_errorf(resp, 403,
                     "cross-origin request refused: Origin \"%s\" is not a loopback origin",
                     shown(origin, buf));
        return false;
    }
    if (hosts == 0) {
        admin_error(resp, 403, "request refused: no Host header");
        return false;
    }
    if (hosts > 1) {
        admin_error(resp, 403, "request refused: more than one Host header");
        return false;
    }
    if (!host_allowed(h, host)) {
        admin_errorf(resp, 403,
                     "request refused: Host \"%s\" is not this server's address or a loopback "
                     "name (start supamock with --admin-host NAME to accept another name)",
                     shown(host, buf));
        return false;
    }
    if (origin && strcmp(req->method, "OPTIONS") == 0) {
        admin_error(resp, 403, "cross-origin request refused: the admin API grants no CORS access");
        return false;
    }
    size_t types = count_headers(req, "content-type", &ct);
    for (size_t i = 0; i < req->header_count; i++) {
        const mock_header_t *hd = &req->headers[i];
        if (strcmp(hd->name, "content-type") == 0 && !json_media_type(hd->value)) {
            admin_errorf(resp, 403, "request refused: Content-Type \"%s\" is not application/json",
                         shown(hd->value, buf));
            return false;
        }
    }
    if (types == 0 && req->body_len > 0) {
        admin_error(resp, 403,
                    "request refused: a request body needs Content-Type: application/json");
        return false;
    }
    return true;
}

/* ---- --admin-token ---- */

/* Returns true when the request may use the admin API; otherwise writes 401.
 * The comparison is constant-time in the token's bytes (CRYPTO_memcmp); only
 * the length can be learnt from timing. */
static bool authorized(const admin_host_t *h, const mock_request_t *req, mock_response_t *resp)
{
    const char *token = h->ops->config(h->app) ? h->ops->config(h->app)->admin_token : NULL;
    if (!token)
        return true;
    const char *auth = mock_request_header(req, "authorization");
    const char *why = "admin token required";
    if (auth && strncasecmp(auth, "bearer ", 7) == 0) {
        const char *given = auth + 7;
        while (*given == ' ')
            given++;
        size_t n = strlen(token);
        if (strlen(given) == n && CRYPTO_memcmp(given, token, n) == 0)
            return true;
        why = "invalid admin token";
    }
    admin_error(resp, 401, why);
    /* RFC 9110 §11.6.1: a 401 carries a challenge. */
    mock_response_add_header(resp, "WWW-Authenticate", "Bearer realm=\"supamock admin\"");
    return false;
}

/* ---- health, scenario, reset, reload, clock ---- */

static void health(const admin_host_t *h, mock_response_t *resp)
{
    const scenario_t *sc = h->ops->scenario(h->app);
    resp->status = 200;
    json_headers(resp);
    buf_puts(&resp->body, "{\"status\":\"ok\",\"scenario\":");
    buf_put_json_string(&resp->body, sc->name ? sc->name : "");
    buf_puts(&resp->body, ",\"state\":");
    buf_put_json_string(&resp->body, rules_state(h->ops->rules(h->app)));
    buf_printf(&resp->body, ",\"uptime_ms\":%llu,\"requests\":%llu}",
               (unsigned long long)h->ops->uptime_ms(h->app),
               (unsigned long long)h->ops->request_count(h->app));
}

static void get_scenario(const admin_host_t *h, mock_response_t *resp)
{
    cJSON *json = scenario_to_json(h->ops->scenario(h->app));
    cJSON *rules = rules_to_json(h->ops->rules(h->app));
    MOCK_ASSERT(rules);
    MOCK_ASSERT(cJSON_ReplaceItemInObjectCaseSensitive(json, "rules", rules));
    answer_json(resp, json);
}

static void load_error(mock_response_t *resp, const scenario_error_t *err)
{
    char msg[1200];
    scenario_error_format(err, msg, sizeof msg);
    admin_error(resp, 400, msg);
}

static void put_scenario(const admin_host_t *h, const mock_request_t *req, mock_response_t *resp)
{
    cJSON *body = json_body(req, resp);
    if (!body)
        return;
    if (!cJSON_IsObject(body)) {
        cJSON_Delete(body);
        admin_error(resp, 400, "expected {\"name\": \"...\"} or a whole scenario object");
        return;
    }
    scenario_t *sc = NULL;
    scenario_error_t err;
    int rc;
    /* {"name": X} alone names a scenario to load; anything else is a whole
     * scenario (which may itself use "extends"). */
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(body, "name");
    if (name && body->child == name && !name->next) {
        /* A name, never a path: files are loaded by path only from the command
         * line, so a request cannot make the server read (and echo) files
         * outside the scenario folders. */
        if (!cJSON_IsString(name) || !scenario_name_valid(name->valuestring)) {
            cJSON_Delete(body);
            admin_error(resp, 400,
                        "\"name\" must be a scenario name (letters, digits, '-' and '_') found "
                        "in the scenario folders; a scenario file is loaded by path only from "
                        "the command line (--scenario FILE)");
            return;
        }
        rc = scenario_load_name(name->valuestring, &sc, &err);
    } else {
        /* The text as sent, so that positions are the body's lines and columns. */
        rc = scenario_load_text(PUT_SCENARIO_FILE, req->body, req->body_len, &sc, &err);
    }
    cJSON_Delete(body);
    if (rc < 0) {
        load_error(resp, &err);
        return;
    }
    if (h->ops->switch_to(h->app, sc, &err) < 0) {
        load_error(resp, &err);
        return;
    }
    answer_ok(h, resp);
}

static void reset(const admin_host_t *h, mock_response_t *resp)
{
    scenario_error_t err;
    if (h->ops->reset(h->app, &err) < 0) {
        /* The scenario built once already; only a broken invariant gets here. */
        char msg[1200];
        scenario_error_format(&err, msg, sizeof msg);
        admin_errorf(resp, 500, "reset failed: %s", msg);
        return;
    }
    answer_ok(h, resp);
}

static void clock_now(const admin_host_t *h, mock_response_t *resp)
{
    char iso[40];
    clock_format_iso(h->ops->now_us(h->app), iso, sizeof iso);
    resp->status = 200;
    json_headers(resp);
    buf_puts(&resp->body, "{\"now\":");
    buf_put_json_string(&resp->body, iso);
    buf_putc(&resp->body, '}');
}

static void post_clock(const admin_host_t *h, const mock_request_t *req, mock_response_t *resp)
{
    cJSON *body = json_body(req, resp);
    if (!body)
        return;
    const char *usage = "expected {\"advance_ms\": N} or {\"set\": \"ISO 8601 time\"}";
    const cJSON *adv = cJSON_GetObjectItemCaseSensitive(body, "advance_ms");
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(body, "set");
    if (!cJSON_IsObject(body) || cJSON_GetArraySize(body) != 1 || (!adv && !set)) {
        admin_error(resp, 400, usage);
    } else if (adv) {
        double ms = adv->valuedouble;
        if (!cJSON_IsNumber(adv) || ms != (double)(int64_t)ms || ms > (double)MAX_CLOCK_STEP_MS ||
            ms < -(double)MAX_CLOCK_STEP_MS) {
            admin_error(resp, 400, "\"advance_ms\" must be an integer number of milliseconds");
        } else {
            h->ops->clock_advance(h->app, (int64_t)ms);
            clock_now(h, resp);
        }
    } else {
        int64_t us = 0;
        if (!cJSON_IsString(set) || scenario_parse_time(set->valuestring, &us) < 0) {
            admin_error(resp, 400,
                        "\"set\" must be an ISO 8601 time such as \"2026-01-01T00:00:00Z\"");
        } else {
            h->ops->clock_set(h->app, us);
            clock_now(h, resp);
        }
    }
    cJSON_Delete(body);
}

/* ---- the journal ---- */

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* Fills f from ?method=&path=&status=&code=&rule=&fault=&since= (form-decoded; an
 * empty value means no filter). Returns 0, or -1 after writing a 400. Strings
 * live in the request arena. */
static int parse_filter(const mock_request_t *req, journal_filter_t *f, mock_response_t *resp)
{
    memset(f, 0, sizeof *f);
    const char *cursor = req->query, *name, *value;
    while (url_query_next(req->arena, &cursor, &name, &value)) {
        if (!*value)
            continue;
        if (strcmp(name, "method") == 0) {
            f->method = value;
        } else if (strcmp(name, "path") == 0) {
            f->path = value;
        } else if (strcmp(name, "code") == 0) {
            f->code = value;
        } else if (strcmp(name, "rule") == 0) {
            f->rule = value;
        } else if (strcmp(name, "fault") == 0) {
            f->fault = value;
        } else if (strcmp(name, "status") == 0) {
            /* 404, or a class written 4xx. */
            if (strlen(value) == 3 && value[0] >= '1' && value[0] <= '5' &&
                tolower((unsigned char)value[1]) == 'x' && tolower((unsigned char)value[2]) == 'x')
                f->status_class = value[0] - '0';
            else if (strlen(value) == 3 && all_digits(value) && value[0] >= '1' && value[0] <= '5')
                f->status = atoi(value);
            else if (strcmp(value, "0") == 0)
                f->fault_status = true; /* connection faults: nothing HTTP was sent */
            else
                goto bad_status;
        } else if (strcmp(name, "since") == 0) {
            if (all_digits(value)) {
                errno = 0;
                unsigned long long id = strtoull(value, NULL, 10);
                if (errno)
                    goto bad_since;
                f->has_since_id = true;
                f->since_id = id;
            } else if (scenario_parse_time(value, &f->since_at_us) == 0) {
                f->has_since_at = true;
            } else {
                goto bad_since;
            }
        } else {
            admin_errorf(
                resp, 400,
                "unknown filter \"%s\" (filters: method, path, status, code, rule, fault, since)",
                name);
            return -1;
        }
    }
    return 0;
bad_status:
    admin_error(resp, 400,
                "\"status\" must be a status code such as 404, a class such as 4xx, or 0 "
                "(connection faults)");
    return -1;
bad_since:
    admin_error(resp, 400,
                "\"since\" must be an entry id (entries after it) or an ISO 8601 time (entries at "
                "or after it)");
    return -1;
}

static void get_requests(const admin_host_t *h, const mock_request_t *req, mock_response_t *resp,
                         bool count)
{
    journal_filter_t f;
    if (parse_filter(req, &f, resp) < 0)
        return;
    resp->status = 200;
    json_headers(resp);
    if (count) {
        buf_puts(&resp->body, "{\"count\":");
        buf_put_int(&resp->body, (long long)journal_count(h->ops->journal(h->app), &f));
        buf_putc(&resp->body, '}');
    } else {
        journal_write_json(h->ops->journal(h->app), &f, &resp->body);
    }
}

/* "/requests/ID/explain": the id, or 0 when sub is not that path. */
static uint64_t explain_id(const char *sub)
{
    const char *p = sub + strlen("/requests/");
    if (strncmp(sub, "/requests/", 10) != 0 || *p < '1' || *p > '9')
        return 0;
    uint64_t id = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (id > (UINT64_MAX - 9) / 10)
            return 0;
        id = id * 10 + (uint64_t)(*p - '0');
    }
    return strcmp(p, "/explain") == 0 ? id : 0;
}

static void get_explain(const admin_host_t *h, uint64_t id, mock_response_t *resp)
{
    if (!journal_write_explain(h->ops->journal(h->app), id, &resp->body)) {
        admin_errorf(resp, 404, "no journal entry %llu (never recorded, dropped or cleared)",
                     (unsigned long long)id);
        return;
    }
    resp->status = 200;
    json_headers(resp);
}

static void delete_requests(const admin_host_t *h, mock_response_t *resp)
{
    journal_t *journal = h->ops->journal(h->app);
    size_t n = journal_size(journal);
    journal_clear(journal);
    resp->status = 200;
    json_headers(resp);
    buf_puts(&resp->body, "{\"deleted\":");
    buf_put_int(&resp->body, (long long)n);
    buf_putc(&resp->body, '}');
}

/* ---- tables ---- */

/* "schema.name" or "name" (schema public); NULL after writing a 404. */
static store_table_t *find_table(const admin_host_t *h, const char *spec, mock_response_t *resp)
{
    const char *dot = strchr(spec, '.');
    char *schema = dot ? xstrndup(spec, (size_t)(dot - spec)) : xstrdup("public");
    const char *name = dot ? dot + 1 : spec;
    store_table_t *t = *name ? store_find_table(h->ops->store(h->app), schema, name) : NULL;
    if (!t)
        /* Postgres's words for an unknown relation (42P01). */
        admin_errorf(resp, 404, "relation \"%s.%s\" does not exist", schema, name);
    free(schema);
    return t;
}

/* Every row in heap order, as row_to_json writes rows (render.c). */
static void write_rows(const store_table_t *t, buf_t *out)
{
    size_t n = store_table_column_count(t);
    render_cell_t *cells = xcalloc(n ? n : 1, sizeof *cells);
    for (size_t c = 0; c < n; c++) {
        const store_column_t *col = store_table_column(t, c);
        cells[c].key = col->name;
        cells[c].type = &col->type;
    }
    buf_putc(out, '[');
    bool first = true;
    for (const store_row_t *r = store_table_first(t); r; r = store_row_next(r)) {
        const pgvalue_t *values = store_row_values(r);
        for (size_t c = 0; c < n; c++)
            cells[c].value = &values[c];
        if (!first)
            buf_putc(out, ',');
        first = false;
        render_json_row(out, cells, n, false);
    }
    buf_putc(out, ']');
    free(cells);
}

/* The database engine's table, when the instance runs on it: true once it
 * took the request (rows_json NULL for GET). */
static bool db_table(const admin_host_t *h, const char *spec, const char *rows_json,
                     mock_response_t *resp)
{
    if (!h->ops->db_table)
        return false;
    const char *dot = strchr(spec, '.');
    char *schema = dot ? xstrndup(spec, (size_t)(dot - spec)) : xstrdup("public");
    bool taken = h->ops->db_table(h->app, schema, dot ? dot + 1 : spec, rows_json, resp);
    free(schema);
    return taken;
}

static void get_table(const admin_host_t *h, const char *spec, mock_response_t *resp)
{
    if (db_table(h, spec, NULL, resp))
        return;
    store_table_t *t = find_table(h, spec, resp);
    if (!t)
        return;
    if (store_table_is_derived(t)) {
        /* A view: its rows as its owner reads them, computed now. */
        mock_work_t work;
        mock_work_init(&work, mock_work_steps_for_timeout_ms(MOCK_STATEMENT_TIMEOUT_DEFAULT_MS));
        store_reader_t rd = {
            .role = "postgres", .superuser = true, .now_us = h->ops->now_us(h->app), .work = &work};
        pgrst_error_t err;
        pgrst_error_init(&err);
        store_derived_release(h->ops->store(h->app));
        if (store_table_refresh(t, &rd, &err) < 0) {
            admin_errorf(resp, 400, "%s", err.message ? err.message : "the view failed");
            pgrst_error_dispose(&err);
            return;
        }
    }
    resp->status = 200;
    json_headers(resp);
    write_rows(t, &resp->body);
}

/* PUT's body: a JSON array of row objects, or NULL after writing a 400. */
static cJSON *rows_body(const mock_request_t *req, mock_response_t *resp)
{
    cJSON *body = json_body(req, resp);
    if (!body)
        return NULL;
    if (!cJSON_IsArray(body)) {
        admin_error(resp, 400, "expected a JSON array of row objects");
        cJSON_Delete(body);
        return NULL;
    }
    const cJSON *row;
    size_t i = 0;
    cJSON_ArrayForEach(row, body)
    {
        if (!cJSON_IsObject(row)) {
            admin_errorf(resp, 400, "row %zu is not a JSON object", i + 1);
            cJSON_Delete(body);
            return NULL;
        }
        i++;
    }
    return body;
}

static void put_table(const admin_host_t *h, const char *spec, const mock_request_t *req,
                      mock_response_t *resp)
{
    /* The body is checked first on either engine: the database engine
     * learns whether the table exists only when it runs the statements. */
    cJSON *body = rows_body(req, resp);
    if (!body)
        return;
    char *text = cJSON_PrintUnformatted(body);
    bool taken = text && db_table(h, spec, text, resp);
    free(text);
    if (taken) {
        cJSON_Delete(body);
        return;
    }
    store_table_t *t = find_table(h, spec, resp);
    if (!t) {
        cJSON_Delete(body);
        return;
    }
    const cJSON *row;
    store_t *store = h->ops->store(h->app);
    store_env_t env = {.now_us = h->ops->now_us(h->app), .auth_uid = NULL};
    pgrst_error_t err;
    pgrst_error_init(&err);
    /* One statement's worth of writes: the old rows go, the new ones come in,
     * foreign keys are checked at the end; any failure rolls everything back. */
    store_begin(store);
    store_row_t *r;
    while ((r = store_table_first(t)) != NULL)
        if (store_delete(store, t, r, &env, &err) < 0)
            goto fail;
    cJSON_ArrayForEach(row, body)
    {
        if (owner_insert_json(store, h->ops->security(h->app), t, row, &env, &err, NULL) < 0)
            goto fail;
    }
    if (store_end_statement(store, &env, &err) < 0)
        goto fail;
    store_commit(store);
    cJSON_Delete(body);
    pgrst_error_dispose(&err);
    get_table(h, spec, resp);
    return;
fail:
    store_rollback(store);
    cJSON_Delete(body);
    /* Integrity violations (SQLSTATE class 23) are conflicts with the data;
     * anything else (bad values, unknown columns) is a bad request. */
    resp->status = strncmp(err.code, "23", 2) == 0 ? 409 : 400;
    json_headers(resp);
    buf_puts(&resp->body, "{\"error\":");
    buf_put_json_string(&resp->body, err.message ? err.message : "");
    buf_puts(&resp->body, ",\"code\":");
    buf_put_json_string(&resp->body, err.code);
    buf_puts(&resp->body, ",\"details\":");
    if (err.details)
        buf_put_json_string(&resp->body, err.details);
    else
        buf_puts(&resp->body, "null");
    buf_putc(&resp->body, '}');
    pgrst_error_dispose(&err);
}

/* ---- sql ---- */

static void post_sql(const admin_host_t *h, const mock_request_t *req, mock_response_t *resp)
{
    cJSON *body = json_body(req, resp);
    if (!body)
        return;
    const cJSON *sql = cJSON_GetObjectItemCaseSensitive(body, "sql");
    if (!cJSON_IsObject(body) || !cJSON_IsString(sql))
        admin_error(resp, 400, "expected {\"sql\": \"...\"}");
    else if (h->ops->db_sql && h->ops->db_sql(h->app, sql->valuestring, resp))
        ; /* the database engine ran it */
    else
        admin_sql_execute(h->ops->store(h->app), h->ops->security(h->app), h->ops->scenario(h->app),
                          h->ops->schema_reload, h->app, h->ops->now_us(h->app), sql->valuestring,
                          resp);
    cJSON_Delete(body);
}

/* ---- the Auth inbox ---- */

/* ?email=&phone=&kind= (form-decoded, in the arena; empty means any).
 * Returns 0, or -1 after writing a 400. */
static int inbox_filter(const mock_request_t *req, inbox_filter_t *f, mock_response_t *resp)
{
    memset(f, 0, sizeof *f);
    const char *cursor = req->query, *name, *value;
    while (url_query_next(req->arena, &cursor, &name, &value)) {
        if (strcmp(name, "email") == 0) {
            f->email = *value ? value : NULL;
        } else if (strcmp(name, "phone") == 0) {
            f->phone = *value ? value : NULL;
        } else if (strcmp(name, "kind") == 0) {
            f->kind = *value ? value : NULL;
        } else {
            admin_errorf(resp, 400, "unknown inbox filter \"%s\" (use email, phone or kind)", name);
            return -1;
        }
    }
    return 0;
}

static void get_inbox(const admin_host_t *h, const mock_request_t *req, mock_response_t *resp)
{
    inbox_filter_t f;
    if (inbox_filter(req, &f, resp) < 0)
        return;
    resp->status = 200;
    json_headers(resp);
    inbox_write_json(h->ops->inbox(h->app), &f, &resp->body);
}

static void delete_inbox(const admin_host_t *h, const mock_request_t *req, mock_response_t *resp)
{
    inbox_filter_t f;
    if (inbox_filter(req, &f, resp) < 0)
        return;
    size_t n = inbox_delete(h->ops->inbox(h->app), &f);
    resp->status = 200;
    json_headers(resp);
    buf_printf(&resp->body, "{\"deleted\":%zu}", n);
}

/* ---- sessions ---- */

/* {"id": ID, "url": "http://HOST/s/ID", "scenario": NAME}; HOST is the
 * request's Host (already checked by from_own_tools), so the URL reaches this
 * server the way the caller did. */
static void write_session(buf_t *out, const mock_request_t *req, const char *id,
                          const char *scenario)
{
    const char *host = mock_request_header(req, "host");
    buf_puts(out, "{\"id\":");
    buf_put_json_string(out, id);
    buf_puts(out, ",\"url\":");
    char *url = xasprintf("http://%s/s/%s", host ? host : "localhost", id);
    buf_put_json_string(out, url);
    free(url);
    buf_puts(out, ",\"scenario\":");
    buf_put_json_string(out, scenario);
    buf_putc(out, '}');
}

typedef struct session_list {
    const mock_request_t *req;
    buf_t *out;
    const char *only; /* write this session alone; NULL: all, as an array */
    size_t n;
} session_list_t;

static void list_session(void *ctx, const char *id, const char *scenario)
{
    session_list_t *l = ctx;
    if (l->only && strcmp(l->only, id) != 0)
        return;
    if (!l->only && l->n++)
        buf_putc(l->out, ',');
    write_session(l->out, l->req, id, scenario);
}

static void get_sessions(const admin_host_t *h, const mock_request_t *req, mock_response_t *resp)
{
    resp->status = 200;
    json_headers(resp);
    session_list_t all = {.req = req, .out = &resp->body};
    buf_putc(&resp->body, '[');
    h->ops->session_each(h->app, list_session, &all);
    buf_putc(&resp->body, ']');
}

static void delete_session(const admin_host_t *h, const char *id, mock_response_t *resp)
{
    if (!h->ops->session_delete(h->app, id)) {
        admin_errorf(resp, 404, "unknown session \"%.64s\"", id);
        return;
    }
    resp->status = 200;
    json_headers(resp);
    buf_puts(&resp->body, "{\"deleted\":");
    buf_put_json_string(&resp->body, id);
    buf_putc(&resp->body, '}');
}

static void post_session(const admin_host_t *h, const mock_request_t *req, mock_response_t *resp)
{
    const char *usage = "expected no body, {} or {\"scenario\": \"NAME\"}";
    scenario_t *sc = NULL;
    scenario_error_t err;
    if (req->body_len > 0) {
        cJSON *body = json_body(req, resp);
        if (!body)
            return;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(body, "scenario");
        if (!cJSON_IsObject(body) || cJSON_GetArraySize(body) > 1 ||
            (cJSON_GetArraySize(body) == 1 && !name)) {
            cJSON_Delete(body);
            admin_error(resp, 400, usage);
            return;
        }
        if (name && (!cJSON_IsString(name) || !scenario_name_valid(name->valuestring))) {
            cJSON_Delete(body);
            admin_error(resp, 400,
                        "\"scenario\" must be a scenario name (letters, digits, '-' and '_') "
                        "found in the scenario folders, as PUT /__mock/scenario {\"name\": ...} "
                        "takes it");
            return;
        }
        int rc = name ? scenario_load_name(name->valuestring, &sc, &err) : 0;
        cJSON_Delete(body);
        if (rc < 0) {
            load_error(resp, &err);
            return;
        }
    }
    char id[ADMIN_SESSION_ID_LEN + 1];
    int rc = h->ops->session_create(h->app, sc, id, &err);
    if (rc == ADMIN_SESSION_FULL) {
        admin_errorf(resp, 429,
                     "too many sessions: at most %d are open at once; DELETE "
                     "/__mock/sessions/ID ends one",
                     MOCK_MAX_SESSIONS);
        return;
    }
    if (rc < 0) {
        load_error(resp, &err);
        return;
    }
    resp->status = 201;
    json_headers(resp);
    session_list_t one = {.req = req, .out = &resp->body, .only = id};
    h->ops->session_each(h->app, list_session, &one);
}

/* ---- the live feed ---- */

/* GET /__mock/events: the journal as server-sent events. Where to resume:
 * Last-Event-ID (what an EventSource sends when it reconnects), else
 * ?since=ID (0: everything the journal holds, within the replay bounds),
 * else only entries recorded from now on. */
static void get_events(const admin_host_t *h, const mock_request_t *req, mock_response_t *resp)
{
    /* A tag on another site (<img src=".../__mock/events">) sends no Origin,
     * and a stream it opens would hold one of the MOCK_MAX_STREAMS places
     * for nothing; browsers name such requests in Sec-Fetch-Site (Fetch
     * Metadata). Loopback pages of the developer's own are same-site. */
    const char *site = mock_request_header(req, "sec-fetch-site");
    if (site && strcmp(site, "cross-site") == 0) {
        admin_error(resp, 403,
                    "cross-origin request refused: the event stream is not served to other sites "
                    "(Sec-Fetch-Site: cross-site)");
        return;
    }
    const char *last = mock_request_header(req, "last-event-id");
    const char *since_text = NULL;
    if (last && *last) {
        since_text = last;
    } else {
        /* The last non-empty since= wins. */
        const char *cursor = req->query, *name, *value;
        while (url_query_next(req->arena, &cursor, &name, &value))
            if (strcmp(name, "since") == 0 && *value)
                since_text = value;
    }
    uint64_t since = journal_last_id(h->ops->journal(h->app));
    if (since_text) {
        errno = 0;
        char *end = NULL;
        unsigned long long v = strtoull(since_text, &end, 10);
        if (!all_digits(since_text) || errno || *end) {
            admin_error(resp, 400,
                        "Last-Event-ID and \"since\" must be a journal entry id (digits)");
            return;
        }
        since = v;
    }
    resp->status = 200;
    mock_response_add_header(resp, "Content-Type", "text/event-stream");
    mock_response_add_header(resp, "Cache-Control", "no-store");
    if (strcmp(req->method, "HEAD") == 0)
        return; /* the head alone: nothing to stream */
    h->ops->events(h->app, since, resp);
}

/* ---- dispatch ---- */

enum {
    M_GET = 1 << 0, /* HEAD goes wherever GET goes, without the body */
    M_POST = 1 << 1,
    M_PUT = 1 << 2,
    M_DELETE = 1 << 3,
};

static unsigned method_bit(const char *m)
{
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
        return M_GET;
    if (strcmp(m, "POST") == 0)
        return M_POST;
    if (strcmp(m, "PUT") == 0)
        return M_PUT;
    if (strcmp(m, "DELETE") == 0)
        return M_DELETE;
    return 0;
}

/* 405 with the Allow header RFC 9110 §15.5.6 asks for. */
static void wrong_method(mock_response_t *resp, const char *sub, unsigned allowed)
{
    static const char *const names[] = {"GET, HEAD", "POST", "PUT", "DELETE"};
    buf_t allow;
    buf_init(&allow);
    for (unsigned i = 0; i < 4; i++) {
        if (!(allowed & (1u << i)))
            continue;
        if (allow.len)
            buf_puts(&allow, ", ");
        buf_puts(&allow, names[i]);
    }
    admin_errorf(resp, 405, "use %s on /__mock%s", buf_cstr(&allow), sub);
    mock_response_add_header_owned(resp, "Allow", buf_steal(&allow));
}

void admin_handle(const admin_host_t *h, const mock_request_t *req, const char *sub,
                  mock_response_t *resp)
{
    /* Tells browsers never to read an admin answer as anything but JSON
     * (cross-origin reads of JSON are then blocked outright). */
    mock_response_add_header(resp, "X-Content-Type-Options", "nosniff");
    /* The 403s first: they depend on nothing secret, and a cross-site page
     * learns nothing from them (it cannot read the answer anyway). */
    if (!from_own_tools(h, req, resp))
        return;
    unsigned m = method_bit(req->method);
    if (strcmp(sub, "") == 0 || strcmp(sub, "/") == 0) {
        /* The page is the same static bytes for everyone and holds no data,
         * so it is served without the admin token: a browser cannot send a
         * header on navigation. Its script reads the token from the URL
         * fragment (never sent to the server) and sends it on every call. */
        if (m != M_GET) {
            wrong_method(resp, sub, M_GET);
            return;
        }
        dashboard_answer(resp);
        resp->omit_body = strcmp(req->method, "HEAD") == 0;
        return;
    }
    if (!authorized(h, req, resp))
        return;
    unsigned allowed = 0;
    const char *table = NULL;
    if (strcmp(sub, "/health") == 0) {
        allowed = M_GET;
        if (m == M_GET)
            health(h, resp);
    } else if (strcmp(sub, "/scenario") == 0) {
        allowed = M_GET | M_PUT;
        if (m == M_GET)
            get_scenario(h, resp);
        else if (m == M_PUT)
            put_scenario(h, req, resp);
    } else if (strcmp(sub, "/reset") == 0) {
        allowed = M_POST;
        if (m == M_POST)
            reset(h, resp);
    } else if (strcmp(sub, "/reload-schema") == 0) {
        allowed = M_POST;
        if (m == M_POST) {
            h->ops->schema_reload(h->app);
            answer_ok(h, resp);
        }
    } else if (strcmp(sub, "/clock") == 0) {
        allowed = M_GET | M_POST;
        if (m == M_GET)
            clock_now(h, resp);
        else if (m == M_POST)
            post_clock(h, req, resp);
    } else if (strcmp(sub, "/requests") == 0) {
        allowed = M_GET | M_DELETE;
        if (m == M_GET)
            get_requests(h, req, resp, false);
        else if (m == M_DELETE)
            delete_requests(h, resp);
    } else if (strcmp(sub, "/requests/count") == 0) {
        allowed = M_GET;
        if (m == M_GET)
            get_requests(h, req, resp, true);
    } else if (explain_id(sub)) {
        allowed = M_GET;
        if (m == M_GET)
            get_explain(h, explain_id(sub), resp);
    } else if (strncmp(sub, "/tables/", 8) == 0 && sub[8] && !strchr(sub + 8, '/')) {
        table = sub + 8;
        allowed = M_GET | M_PUT;
        if (m == M_GET)
            get_table(h, table, resp);
        else if (m == M_PUT)
            put_table(h, table, req, resp);
    } else if (strcmp(sub, "/sessions") == 0 && h->ops->session_create) {
        allowed = M_GET | M_POST;
        if (m == M_GET)
            get_sessions(h, req, resp);
        else if (m == M_POST)
            post_session(h, req, resp);
    } else if (strncmp(sub, "/sessions/", 10) == 0 && sub[10] && !strchr(sub + 10, '/') &&
               h->ops->session_create) {
        allowed = M_DELETE;
        if (m == M_DELETE)
            delete_session(h, sub + 10, resp);
    } else if (strcmp(sub, "/events") == 0 && h->ops->events) {
        allowed = M_GET;
        if (m == M_GET)
            get_events(h, req, resp);
    } else if (strcmp(sub, "/inbox") == 0 && h->ops->inbox) {
        allowed = M_GET | M_DELETE;
        if (m == M_GET)
            get_inbox(h, req, resp);
        else if (m == M_DELETE)
            delete_inbox(h, req, resp);
    } else if (strcmp(sub, "/sql") == 0) {
        allowed = M_POST;
        if (m == M_POST)
            post_sql(h, req, resp);
    } else {
        admin_errorf(resp, 404, "unknown admin endpoint /__mock%s", sub);
        return;
    }
    if (!(allowed & m)) {
        wrong_method(resp, sub, allowed);
        return;
    }
    resp->omit_body = strcmp(req->method, "HEAD") == 0;
}
