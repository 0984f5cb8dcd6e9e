/* GoTrue's redirect and link URLs (see auth_redirect.h): a small url.Parse
 * (scheme, host, port, query, fragment) and url.Values, enough for the URLs a
 * scenario's site and a client's redirect_to give; not a general URL parser. */
#include "auth_redirect.h"

#include "buf.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Go's url.QueryEscape. */
static void query_escape(buf_t *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_putc(out, (char)c);
        } else if (c == ' ') {
            buf_putc(out, '+');
        } else {
            buf_putc(out, '%');
            buf_putc(out, hex[c >> 4]);
            buf_putc(out, hex[c & 15]);
        }
    }
}

/* Go's url.QueryUnescape of n bytes ('+' is a space); bad escapes kept. */
static char *query_unescape(const char *s, size_t n)
{
    char *o = xmalloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '+') {
            o[k++] = ' ';
        } else if (ch == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
                   isxdigit((unsigned char)s[i + 2])) {
            char h[3] = {s[i + 1], s[i + 2], 0};
            o[k++] = (char)strtol(h, NULL, 16);
            i += 2;
        } else {
            o[k++] = ch;
        }
    }
    o[k] = '\0';
    return o;
}

/* url.Values: pairs kept in insertion order, Encode sorts keys (stable). */
typedef struct kv {
    char *k, *v;
} kv_t;

typedef struct values {
    kv_t *a;
    size_t n, cap;
} values_t;

static void values_add(values_t *vs, const char *k, const char *v)
{
    if (vs->n == vs->cap) {
        vs->cap = vs->cap ? vs->cap * 2 : 8;
        vs->a = xrealloc(vs->a, vs->cap * sizeof *vs->a);
    }
    vs->a[vs->n].k = xstrdup(k);
    vs->a[vs->n].v = xstrdup(v);
    vs->n++;
}

static void values_set(values_t *vs, const char *k, const char *v)
{
    size_t w = 0;
    for (size_t i = 0; i < vs->n; i++) {
        if (strcmp(vs->a[i].k, k) == 0) {
            free(vs->a[i].k);
            free(vs->a[i].v);
        } else {
            vs->a[w++] = vs->a[i];
        }
    }
    vs->n = w;
    values_add(vs, k, v);
}

static void values_dispose(values_t *vs)
{
    for (size_t i = 0; i < vs->n; i++) {
        free(vs->a[i].k);
        free(vs->a[i].v);
    }
    free(vs->a);
    memset(vs, 0, sizeof *vs);
}

/* url.ParseQuery (pairs without '=' have an empty value). */
static void values_parse(values_t *vs, const char *q, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && q[j] != '&')
            j++;
        if (j > i) {
            const char *eq = memchr(q + i, '=', j - i);
            size_t kl = eq ? (size_t)(eq - (q + i)) : j - i;
            char *k = query_unescape(q + i, kl);
            char *v = eq ? query_unescape(eq + 1, (size_t)(q + j - eq - 1)) : xstrdup("");
            values_add(vs, k, v);
            free(k);
            free(v);
        }
        i = j + 1;
    }
}

static int cmp_kv(const void *a, const void *b)
{
    const kv_t *const *x = a, *const *y = b;
    int c = strcmp((*x)->k, (*y)->k);
    /* Stable: equal keys keep their order (the pointers follow the array). */
    return c ? c : (*x < *y ? -1 : *x > *y);
}

static void values_encode(const values_t *vs, buf_t *out)
{
    /* sort.Strings on the keys; each key's values keep their order. */
    const kv_t **order = xcalloc(vs->n ? vs->n : 1, sizeof *order);
    for (size_t i = 0; i < vs->n; i++)
        order[i] = &vs->a[i];
    qsort(order, vs->n, sizeof *order, cmp_kv);
    for (size_t i = 0; i < vs->n; i++) {
        if (i)
            buf_putc(out, '&');
        query_escape(out, order[i]->k);
        buf_putc(out, '=');
        query_escape(out, order[i]->v);
    }
    free(order);
}

/* url.URL.String() of a fragment set to an encoded form: escape(..,
 * encodeFragment) turns '%' into %25 and keeps what a form encoding leaves. */
static void put_fragment(buf_t *out, const char *encoded)
{
    for (const char *p = encoded; *p; p++) {
        if (*p == '%')
            buf_puts(out, "%25");
        else
            buf_putc(out, *p);
    }
}

/* A URL split as url.Parse sees it: before '?', the query, the fragment. */
typedef struct split_url {
    char *head;     /* scheme://host/path */
    char *query;    /* raw, without '?', NULL when none */
    char *fragment; /* raw, NULL when none */
} split_url_t;

static void split_url(const char *s, split_url_t *u)
{
    memset(u, 0, sizeof *u);
    const char *hash = strchr(s, '#');
    size_t len = hash ? (size_t)(hash - s) : strlen(s);
    const char *q = memchr(s, '?', len);
    size_t hl = q ? (size_t)(q - s) : len;
    u->head = xmalloc(hl + 1);
    memcpy(u->head, s, hl);
    u->head[hl] = '\0';
    if (q) {
        size_t ql = len - hl - 1;
        u->query = xmalloc(ql + 1);
        memcpy(u->query, q + 1, ql);
        u->query[ql] = '\0';
    }
    if (hash)
        u->fragment = xstrdup(hash + 1);
}

static void split_url_dispose(split_url_t *u)
{
    free(u->head);
    free(u->query);
    free(u->fragment);
}

/* The host (lowercase, brackets off), scheme and port of an absolute URL.
 * false when it has none. */
static bool url_parts(const char *url, char *scheme, size_t sl, char *host, size_t hl, char *port,
                      size_t pl)
{
    const char *colon = strstr(url, "://");
    if (!colon || colon == url || (size_t)(colon - url) >= sl)
        return false;
    memcpy(scheme, url, (size_t)(colon - url));
    scheme[colon - url] = '\0';
    for (char *p = scheme; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    const char *h = colon + 3;
    size_t n = strcspn(h, "/?#");
    const char *at = memchr(h, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - h);
        h = at + 1;
    }
    const char *pend = NULL;
    size_t hostlen;
    if (*h == '[') {
        const char *rb = memchr(h, ']', n);
        if (!rb)
            return false;
        hostlen = (size_t)(rb - h - 1);
        if (hostlen >= hl)
            return false;
        memcpy(host, h + 1, hostlen);
        pend = rb + 1;
    } else {
        const char *c = memchr(h, ':', n);
        hostlen = c ? (size_t)(c - h) : n;
        if (hostlen >= hl)
            return false;
        memcpy(host, h, hostlen);
        pend = h + hostlen;
    }
    host[hostlen] = '\0';
    for (char *p = host; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    port[0] = '\0';
    if (*pend == ':') {
        size_t n2 = strcspn(pend + 1, "/?#");
        if (n2 >= pl)
            return false;
        memcpy(port, pend + 1, n2);
        port[n2] = '\0';
    }
    return true;
}

static bool is_loopback(const char *host)
{
    /* url_validator.go isLocalhost, and net.ParseIP(...).IsLoopback(). */
    if (!strcmp(host, "localhost") || !strcmp(host, "::1") || !strcmp(host, "0.0.0.0") ||
        !strcmp(host, "::"))
        return true;
    unsigned a, b, c2, d;
    char extra;
    return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c2, &d, &extra) == 4 && a == 127 && b < 256 &&
           c2 < 256 && d < 256;
}

static const char *site_url(const scenario_t *sc)
{
    return sc->site_url ? sc->site_url : AUTH_DEFAULT_SITE_URL;
}

bool auth_redirect_ok(const scenario_t *sc, const char *url)
{
    if (!url || !*url)
        return false;
    char bs[16], bh[256], bp[16], rs[16], rh[256], rp[16];
    if (!url_parts(site_url(sc), bs, sizeof bs, bh, sizeof bh, bp, sizeof bp) ||
        !url_parts(url, rs, sizeof rs, rh, sizeof rh, rp, sizeof rp))
        return false;
    if (strcmp(bh, rh) == 0 && strcmp(bs, rs) == 0 && (strcmp(bp, rp) == 0 || is_loopback(rh)))
        return true;
    /* A loopback IP is always allowed (ip.IsLoopback()); other hosts need the
     * allow list, which supamock's scenarios do not model. */
    return is_loopback(rh) && strcmp(rh, "localhost") != 0 && strcmp(rh, "0.0.0.0") != 0 &&
           strcmp(rh, "::") != 0;
}

const char *auth_redirect_referrer(const scenario_t *sc, const char *redirect_to,
                                   const char *referer)
{
    if (auth_redirect_ok(sc, redirect_to))
        return redirect_to;
    if (auth_redirect_ok(sc, referer))
        return referer;
    return site_url(sc);
}

/* templatemailer getPath: BASE/verify?token=..&type=..&redirect_to=.. with
 * encodeRedirectURL (escaped only when it holds &, = or #). */
char *auth_redirect_link(const char *base_url, const char *referrer, const char *token,
                         const char *type)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, base_url);
    buf_puts(&b, "/verify?token=");
    query_escape(&b, token);
    buf_puts(&b, "&type=");
    query_escape(&b, type);
    buf_puts(&b, "&redirect_to=");
    if (strpbrk(referrer, "&=#"))
        query_escape(&b, referrer);
    else
        buf_puts(&b, referrer);
    return buf_steal(&b);
}

/* prepErrorRedirectURL. */
char *auth_redirect_error(const char *rurl, int status, const char *code, const char *message,
                          bool pkce)
{
    split_url_t u;
    split_url(rurl, &u);
    const char *oauth = status == 400   ? "invalid_request"
                        : status == 401 ? "unauthorized_client"
                        : status == 403 ? "access_denied"
                        : status == 500 ? "server_error"
                        : status == 503 ? "temporarily_unavailable"
                                        : NULL;
    values_t hq = {0}, q = {0};
    if (u.query)
        values_parse(&q, u.query, strlen(u.query));
    if (oauth) {
        values_set(&hq, "error", oauth);
        values_set(&q, "error", oauth);
    }
    values_set(&hq, "error_code", code);
    values_set(&hq, "error_description", message);
    values_set(&q, "error_code", code);
    values_set(&q, "error_description", message);
    values_set(&hq, "sb", "");
    buf_t b, f;
    buf_init(&b);
    buf_init(&f);
    buf_puts(&b, u.head);
    if (pkce) {
        buf_putc(&b, '?');
        values_encode(&q, &b);
    } else if (u.query && *u.query) {
        buf_putc(&b, '?');
        buf_puts(&b, u.query);
    }
    values_encode(&hq, &f);
    buf_putc(&b, '#');
    put_fragment(&b, buf_cstr(&f));
    buf_dispose(&f);
    values_dispose(&hq);
    values_dispose(&q);
    split_url_dispose(&u);
    return buf_steal(&b);
}

/* prepRedirectURL (the single-confirmation message) and
 * prepPKCERedirectURL (?code=): the query re-encoded with the new value. */
char *auth_redirect_query(const char *rurl, const char *key, const char *value,
                          const char *frag_key)
{
    split_url_t u;
    split_url(rurl, &u);
    values_t q = {0};
    if (u.query)
        values_parse(&q, u.query, strlen(u.query));
    if (key)
        values_set(&q, key, value);
    buf_t b;
    buf_init(&b);
    buf_puts(&b, u.head);
    if (q.n) {
        buf_putc(&b, '?');
        values_encode(&q, &b);
    }
    if (frag_key) {
        values_t hq = {0};
        values_set(&hq, frag_key, value);
        values_set(&hq, "sb", "");
        buf_t f;
        buf_init(&f);
        values_encode(&hq, &f);
        buf_putc(&b, '#');
        put_fragment(&b, buf_cstr(&f));
        buf_dispose(&f);
        values_dispose(&hq);
    } else if (u.fragment) {
        buf_putc(&b, '#');
        buf_puts(&b, u.fragment);
    }
    values_dispose(&q);
    split_url_dispose(&u);
    return buf_steal(&b);
}

/* token.AsRedirectURL: the session in the fragment, with type. */
char *auth_redirect_session(const char *rurl, const char *session_json, const char *type)
{
    cJSON *s = cJSON_Parse(session_json);
    values_t hq = {0};
    values_set(&hq, "type", type);
    const char *keys[] = {"access_token", "token_type", "expires_in", "expires_at",
                          "refresh_token"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, keys[i]);
        char num[32];
        if (cJSON_IsNumber(v)) {
            snprintf(num, sizeof num, "%lld", (long long)v->valuedouble);
            values_set(&hq, keys[i], num);
        } else {
            values_set(&hq, keys[i], cJSON_IsString(v) ? v->valuestring : "");
        }
    }
    values_set(&hq, "sb", "");
    buf_t b;
    buf_init(&b);
    buf_puts(&b, rurl);
    buf_putc(&b, '#');
    values_encode(&hq, &b);
    values_dispose(&hq);
    cJSON_Delete(s);
    return buf_steal(&b);
}
