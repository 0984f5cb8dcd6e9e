/* Routing and HTTP shapes of the account features GoTrue serves beside the
 * basics in auth.c: the MFA routes (internal/api/api.go's /factors group
 * and the admin factor routes) and the admin user list's pagination
 * (internal/api/pagination.go). The models are in gotrue.c and
 * gotrue_mfa.c. */
#include "auth_account.h"

#include "gotrue_mfa.h"
#include "urlcodec.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is(const mock_request_t *req, const char *m)
{
    return strcmp(req->method, m) == 0;
}

/* utilities.GetIPAddress: the first X-Forwarded-For entry, trimmed. Without
 * one every request comes from the same gateway address. */
static const char *client_ip(const mock_request_t *req)
{
    const char *xff = mock_request_header(req, "x-forwarded-for");
    if (!xff)
        return "";
    while (*xff == ' ')
        xff++;
    size_t n = strcspn(xff, ",");
    while (n && xff[n - 1] == ' ')
        n--;
    return arena_strndup(req->arena, xff, n);
}

/* One path segment after a '/', or NULL; *next is what follows it. */
static const char *segment(const mock_request_t *req, const char *p, const char **next)
{
    if (*p != '/' || p[1] == '\0' || p[1] == '/')
        return NULL;
    size_t n = strcspn(p + 1, "/");
    *next = p + 1 + n;
    return arena_strndup(req->arena, p + 1, n);
}

static bool at_end(const char *p)
{
    return *p == '\0' || (p[0] == '/' && p[1] == '\0');
}

/* chi's answers for a path it has no route for, and for a route without
 * the method: auth.c renders them; here they are status codes. */
static int no_route(mock_response_t *resp, int status)
{
    resp->status = status;
    return 1;
}

int auth_factors_route(gotrue_t *g, const gotrue_ctx_t *c, const mock_request_t *req,
                       const char *token, const char *rest, mock_response_t *resp,
                       gotrue_error_t *err)
{
    /* Route shape first (chi matches before middleware runs). */
    const char *fid = NULL, *after = rest;
    enum { ENROLL, ONE, CHALLENGE, VERIFY } what;
    if (at_end(rest)) {
        if (!is(req, "POST"))
            return no_route(resp, 405);
        what = ENROLL;
    } else if ((fid = segment(req, rest, &after)) == NULL) {
        return no_route(resp, 404);
    } else if (at_end(after)) {
        if (!is(req, "DELETE"))
            return no_route(resp, 405);
        what = ONE;
    } else if (strncmp(after, "/challenge", 10) == 0 && at_end(after + 10)) {
        if (!is(req, "POST"))
            return no_route(resp, 405);
        what = CHALLENGE;
    } else if (strncmp(after, "/verify", 7) == 0 && at_end(after + 7)) {
        if (!is(req, "POST"))
            return no_route(resp, 405);
        what = VERIFY;
    } else {
        return no_route(resp, 404);
    }
    gotrue_who_t who;
    if (gotrue_authenticate(g, c, token, &who, err) < 0)
        return -1;
    gotrue_mfa_req_t r = {.ip = client_ip(req), .body = NULL};
    cJSON *body = NULL;
    int rc;
    resp->status = 200;
    switch (what) {
    case ENROLL:
        /* EnrollFactor reads the body after its session check; an
         * anonymous caller is refused before either (requireNotAnonymous). */
        if (who.is_anonymous || who.session < 0) {
            rc = gotrue_mfa_enroll(g, c, &who, &r, &resp->body, err);
            break;
        }
        if (auth_parse_json_body(req, &body, err) < 0)
            return -1;
        r.body = body;
        rc = gotrue_mfa_enroll(g, c, &who, &r, &resp->body, err);
        break;
    case CHALLENGE:
        rc = gotrue_mfa_challenge(g, c, &who, fid, &r, &resp->body, err);
        break;
    case VERIFY:
        /* loadFactor runs before the handler reads the body. */
        if (gotrue_mfa_route_check(g, &who, NULL, fid, err) < 0)
            return -1;
        if (auth_parse_json_body(req, &body, err) < 0)
            return -1;
        r.body = body;
        rc = gotrue_mfa_verify(g, c, &who, fid, &r, &resp->body, err);
        break;
    default:
        rc = gotrue_mfa_unenroll(g, c, &who, fid, &resp->body, err);
        break;
    }
    cJSON_Delete(body);
    return rc;
}

int auth_admin_factors_route(gotrue_t *g, const gotrue_ctx_t *c, const mock_request_t *req,
                             const char *id, const char *rest, mock_response_t *resp,
                             gotrue_error_t *err)
{
    const char *after = rest;
    if (at_end(rest)) {
        if (!is(req, "GET"))
            return no_route(resp, 405);
        resp->status = 200;
        return gotrue_mfa_admin_list(g, id, &resp->body, err);
    }
    const char *fid = segment(req, rest, &after);
    if (!fid || !at_end(after))
        return no_route(resp, 404);
    resp->status = 200;
    if (is(req, "DELETE"))
        return gotrue_mfa_admin_delete(g, id, fid, &resp->body, err);
    if (!is(req, "PUT"))
        return no_route(resp, 405);
    /* loadUser and loadFactor run before the handler reads the body. */
    if (gotrue_mfa_route_check(g, NULL, id, fid, err) < 0)
        return -1;
    cJSON *body = NULL;
    if (auth_parse_json_body(req, &body, err) < 0)
        return -1;
    int rc = gotrue_mfa_admin_update(g, c, id, fid, body, &resp->body, err);
    cJSON_Delete(body);
    return rc;
}

/* ---- GET /admin/users ---- */

typedef struct qpair {
    const char *key, *value; /* decoded */
} qpair_t;

static int hexval(char h)
{
    if (h >= '0' && h <= '9')
        return h - '0';
    if ((h | 32) >= 'a' && (h | 32) <= 'f')
        return (h | 32) - 'a' + 10;
    return -1;
}

/* url.QueryUnescape: "+" is a space; a bad escape fails. NULL on failure. */
static char *query_unescape(arena_t *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '+') {
            out[o++] = ' ';
        } else if (ch == '%') {
            if (i + 2 >= n)
                return NULL;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return NULL;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = ch;
        }
    }
    out[o] = '\0';
    return out;
}

/* url.QueryEscape. */
static void query_escape(buf_t *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char ch = *p;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~') {
            buf_putc(b, (char)ch);
        } else if (ch == ' ') {
            buf_putc(b, '+');
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[ch >> 4]);
            buf_putc(b, hex[ch & 15]);
        }
    }
}

/* url.ParseQuery: pairs split on '&'; a pair with ';' or a bad escape is
 * skipped (Query() ignores the error). */
static size_t parse_query(arena_t *a, const char *q, qpair_t **out)
{
    size_t cap = 1;
    for (const char *p = q; *p; p++)
        cap += *p == '&';
    qpair_t *pairs = arena_alloc(a, cap * sizeof *pairs);
    size_t n = 0;
    for (const char *p = q; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len && !memchr(p, ';', len)) {
            const char *eq = memchr(p, '=', len);
            size_t kl = eq ? (size_t)(eq - p) : len;
            char *k = query_unescape(a, p, kl);
            char *v = eq ? query_unescape(a, eq + 1, len - kl - 1) : arena_strdup(a, "");
            if (k && v)
                pairs[n++] = (qpair_t){.key = k, .value = v};
        }
        p = amp ? amp + 1 : NULL;
    }
    *out = pairs;
    return n;
}

static const char *first_value(const qpair_t *pairs, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(pairs[i].key, key) == 0)
            return pairs[i].value;
    return "";
}

/* strconv.ParseUint(s, 10, 64). 0 with *v, or -1 with Go's message. */
static int parse_uint(const char *s, uint64_t *v, char *why, size_t why_len)
{
    uint64_t n = 0;
    bool range = false;
    if (!*s)
        goto syntax;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            goto syntax;
        unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10)
            range = true;
        else
            n = n * 10 + d;
    }
    if (range) {
        snprintf(why, why_len, "strconv.ParseUint: parsing \"%.100s\": value out of range", s);
        return -1;
    }
    *v = n;
    return 0;
syntax:
    snprintf(why, why_len, "strconv.ParseUint: parsing \"%.100s\": invalid syntax", s);
    return -1;
}

/* addPaginationHeaders' URL: the request's path with the query re-encoded
 * (url.Values.Encode: keys sorted) and page set. */
static char *link_url(arena_t *a, const char *path, qpair_t *pairs, size_t n, uint64_t page)
{
    qpair_t *sorted = arena_alloc(a, (n + 1) * sizeof *sorted);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(pairs[i].key, "page") != 0)
            sorted[m++] = pairs[i];
    sorted[m++] =
        (qpair_t){.key = "page", .value = arena_sprintf(a, "%llu", (unsigned long long)page)};
    /* Stable by key: merge insertion keeps equal keys in request order. */
    for (size_t i = 1; i < m; i++) {
        qpair_t t = sorted[i];
        size_t j = i;
        while (j > 0 && strcmp(sorted[j - 1].key, t.key) > 0) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = t;
    }
    buf_t b;
    buf_init(&b);
    buf_puts(&b, path);
    buf_putc(&b, '?');
    for (size_t i = 0; i < m; i++) {
        if (i)
            buf_putc(&b, '&');
        query_escape(&b, sorted[i].key);
        buf_putc(&b, '=');
        query_escape(&b, sorted[i].value);
    }
    char *s = arena_strdup(a, buf_cstr(&b));
    buf_dispose(&b);
    return s;
}

int auth_admin_list_users(gotrue_t *g, const mock_request_t *req, const char *path,
                          mock_response_t *resp, gotrue_error_t *err)
{
    qpair_t *pairs = NULL;
    size_t n = parse_query(req->arena, req->query, &pairs);
    /* admin.go adminUsers: sort (only created_at is allowed), then paginate. */
    bool ascending = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(pairs[i].key, "sort") != 0)
            continue;
        /* sorting.go sort: "field[ dir]", only created_at allowed. */
        const char *v = pairs[i].value;
        size_t fl = strcspn(v, " ");
        const char *why = NULL;
        char msg[300];
        if (fl != 10 || strncmp(v, "created_at", 10) != 0) {
            snprintf(msg, sizeof msg, "bad field for sort '%.*s'", (int)(fl > 100 ? 100 : fl), v);
            why = msg;
        } else if (v[fl] == ' ') {
            const char *d = v + fl + 1;
            if (strcasecmp(d, "asc") == 0) {
                ascending = true;
            } else if (strcasecmp(d, "desc") == 0) {
                ascending = false;
            } else {
                snprintf(msg, sizeof msg,
                         "bad direction for sort '%.100s', only 'asc' and 'desc' allowed", d);
                why = msg;
            }
        }
        if (why) {
            memset(err, 0, sizeof *err);
            err->status = 400;
            err->code = "validation_failed";
            snprintf(err->message, sizeof err->message, "Bad Sort Parameters: %s", why);
            return -1;
        }
    }
    uint64_t page = 1, per_page = 50;
    char why[200];
    const char *qp = first_value(pairs, n, "page");
    const char *qpp = first_value(pairs, n, "per_page");
    if ((*qp && parse_uint(qp, &page, why, sizeof why) < 0) ||
        (*qpp && parse_uint(qpp, &per_page, why, sizeof why) < 0)) {
        memset(err, 0, sizeof *err);
        err->status = 400;
        err->code = "validation_failed";
        snprintf(err->message, sizeof err->message, "Bad Pagination Parameters: %s", why);
        return -1;
    }
    uint64_t total = 0;
    resp->status = 200;
    gotrue_admin_list(g, first_value(pairs, n, "filter"), ascending, page, per_page, &resp->body,
                      &total);
    if (per_page == 0) {
        /* calculateTotalPages divides by per_page: the panic becomes
         * recoverer's 500 "Internal Server Error", an HTTPError without a
         * code (errors.go: unexpected_failure, no x-sb-error-code). */
        memset(err, 0, sizeof *err);
        err->status = 500;
        err->code = "unexpected_failure";
        err->no_code_header = true;
        snprintf(err->message, sizeof err->message, "Internal Server Error");
        prng_uuid(gotrue_prng(g), err->error_id);
        return -1;
    }
    uint64_t pages = total / per_page + (total % per_page ? 1 : 0);
    buf_t link;
    buf_init(&link);
    if (pages > page) {
        buf_printf(&link, "<%s>; rel=\"next\", ", link_url(req->arena, path, pairs, n, page + 1));
    }
    buf_printf(&link, "<%s>; rel=\"last\"", link_url(req->arena, path, pairs, n, pages));
    mock_response_add_header(resp, "Link", arena_strdup(req->arena, buf_cstr(&link)));
    buf_dispose(&link);
    mock_response_add_header(resp, "X-Total-Count",
                             arena_sprintf(req->arena, "%llu", (unsigned long long)total));
    return 0;
}
