/* The request journal: a ring of copied, redacted exchanges with a bound on
 * both the number of entries (--journal-limit) and the bytes they hold, plus
 * filtering and the JSON form GET /__mock/requests answers with. It does not
 * parse admin query strings (admin.c fills a journal_filter_t). */
#include "journal.h"

#include "glob.h"
#include "arena.h"
#include "clock.h"
#include "urlcodec.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Shorter secrets are shown without their tail (see journal.h). */
#define TAIL_MIN_LENGTH 24
#define TAIL_LENGTH     6
#define ELLIPSIS        "\xe2\x80\xa6" /* U+2026 */
/* What a password is shown as: nothing of it, not even its length. */
#define JOURNAL_REDACTED "[redacted]"

typedef struct jentry {
    uint64_t id;
    int64_t at_us;
    int status;
    uint64_t duration_us;
    char *method;
    char *path;
    char *query; /* raw, as sent */
    size_t header_count;
    char **names;  /* lowercased */
    char **values; /* credentials already redacted */
    char *body;    /* NULL when empty */
    size_t body_len;
    bool body_truncated;
    char *role; /* NULL: JSON null */
    char *key;
    char *code;
    char *rule;
    const char *fault; /* static (a rule's fault name), NULL for an HTTP answer */
    /* The response as sent (jresp_t), kept for the newest
     * MOCK_JOURNAL_RESPONSES entries only; NULL once released. */
    struct jresp *resp;
    mock_explain_t *explain; /* the used prefix of the outcome's (MOCK_EXPLAIN_SIZE), or NULL */
    size_t bytes;            /* what this entry counts against MOCK_JOURNAL_MAX_BYTES */
} jentry_t;

/* An entry's response, a block of its own so that it can go while the entry
 * stays: headers (names lowercased, credentials redacted) and the first
 * MOCK_JOURNAL_MAX_RESPONSE_BYTES of the body, packed after the struct. */
typedef struct jresp {
    size_t header_count;
    char **names;
    char **values;
    char *body; /* NULL when empty */
    size_t body_len;
    bool body_truncated;
    size_t bytes; /* the block's size, counted against MOCK_JOURNAL_MAX_BYTES */
} jresp_t;

struct journal {
    size_t limit;
    jentry_t **ring; /* cap slots; entries at (head + i) % cap for i < count */
    size_t cap;
    size_t head;
    size_t count;
    size_t bytes;
    uint64_t next_id;
    uint64_t dropped;
    char *keys[4]; /* anon, service_role, publishable, secret; owned, may be NULL */
    size_t key_len[4];
    jresp_t *resp_spare;          /* the last released response block, reused like spare (owned) */
    jentry_t *spare;              /* the last dropped entry's block, reused by the next record when
                                     large enough (owned; NULL when none) */
    journal_listener_fn listener; /* told of every record and clear; NULL: nobody */
    void *listener_ctx;
};

static const char *const key_kinds[4] = {"anon", "service_role", "publishable", "secret"};

journal_t *journal_new(size_t limit)
{
    journal_t *j = xcalloc(1, sizeof *j);
    j->limit = limit ? limit : 1;
    j->next_id = 1;
    return j;
}

/* An entry is one allocation: the struct, its header pointer arrays and
 * every string packed after it (two allocations per request would already
 * show in the hot path's profile). */
static void entry_free(jentry_t *e)
{
    if (e)
        free(e->resp);
    free(e);
}

/* Lets go of an entry's response (kept as the spare response block). */
static void release_resp(journal_t *j, jentry_t *e)
{
    if (!e->resp)
        return;
    j->bytes -= e->resp->bytes;
    free(j->resp_spare);
    j->resp_spare = e->resp;
    e->resp = NULL;
}

static void drop_oldest(journal_t *j)
{
    jentry_t *e = j->ring[j->head];
    j->ring[j->head] = NULL;
    j->head = (j->head + 1) % j->cap;
    j->count--;
    release_resp(j, e);
    j->bytes -= e->bytes;
    j->dropped++;
    /* Once the ring is full every record drops one entry: keeping the block
     * for the next record saves a free and a malloc per request. */
    entry_free(j->spare);
    j->spare = e;
}

/* A block of at least `size` bytes for a new entry, zeroed header, with
 * *block set to its real size: the spare when it is large enough, else a
 * fresh one. */
static jentry_t *entry_alloc(journal_t *j, size_t size, size_t *block)
{
    jentry_t *e = j->spare;
    j->spare = NULL;
    if (e && e->bytes >= size) {
        *block = e->bytes;
    } else {
        entry_free(e);
        e = xmalloc(size);
        *block = size;
    }
    memset(e, 0, sizeof *e);
    return e;
}

void journal_clear(journal_t *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->count; i++) {
        size_t at = (j->head + i) % j->cap;
        entry_free(j->ring[at]);
        j->ring[at] = NULL;
    }
    j->head = 0;
    j->count = 0;
    j->bytes = 0;
    j->dropped = 0;
    if (j->listener)
        j->listener(j->listener_ctx, j, 0);
}

void journal_set_listener(journal_t *j, journal_listener_fn fn, void *ctx)
{
    j->listener = fn;
    j->listener_ctx = ctx;
}

void journal_free(journal_t *j)
{
    if (!j)
        return;
    j->listener = NULL;
    journal_clear(j);
    entry_free(j->spare);
    free(j->resp_spare);
    free(j->ring);
    for (size_t i = 0; i < 4; i++)
        free(j->keys[i]);
    free(j);
}

void journal_set_keys(journal_t *j, const char *anon_key, const char *service_role_key,
                      const char *publishable_key, const char *secret_key)
{
    const char *keys[4] = {anon_key, service_role_key, publishable_key, secret_key};
    for (size_t i = 0; i < 4; i++) {
        free(j->keys[i]);
        j->keys[i] = keys[i] && *keys[i] ? xstrdup(keys[i]) : NULL;
        j->key_len[i] = j->keys[i] ? strlen(j->keys[i]) : 0;
    }
}

/* ---- redaction ---- */

static bool looks_like_jwt(const char *s)
{
    size_t dots = 0;
    for (; *s; s++) {
        if (*s == '.')
            dots++;
        else if (*s == ' ')
            return false;
    }
    return dots == 2;
}

static const char *classify(const journal_t *j, const char *token, size_t n, bool bearer)
{
    /* Length, then the signature's last bytes, then everything: the keys share
     * long JWT prefixes, so most mismatches end at the first two tests. */
    for (size_t i = 0; i < 4; i++)
        if (j->keys[i] && j->key_len[i] == n && n && token[n - 1] == j->keys[i][n - 1] &&
            memcmp(j->keys[i], token, n) == 0)
            return key_kinds[i];
    /* Only Authorization carries user tokens; an apikey that is no
     * configured key is what the gateway calls an invalid key. */
    if (bearer && looks_like_jwt(token))
        return "user";
    return "invalid";
}

/* "KIND …TAIL" into out: TAIL is the last TAIL_LENGTH characters of
 * token[0..n), left out when n < TAIL_MIN_LENGTH. Built by hand: this runs for
 * every journaled request. */
static void put_kind_tail(const char *kind, const char *token, size_t n, char *out, size_t out_len)
{
    const char *tail = n < TAIL_MIN_LENGTH ? "" : token + n - TAIL_LENGTH;
    size_t kn = strlen(kind), tn = n < TAIL_MIN_LENGTH ? 0 : TAIL_LENGTH, en = sizeof ELLIPSIS - 1;
    MOCK_ASSERT(kn + 1 + en + tn < out_len);
    memcpy(out, kind, kn);
    out[kn] = ' ';
    memcpy(out + kn + 1, ELLIPSIS, en);
    memcpy(out + kn + 1 + en, tail, tn);
    out[kn + 1 + en + tn] = '\0';
}

/* How a credential is shown (see journal.h). */
typedef enum cred {
    CRED_NONE = 0,
    CRED_APIKEY,        /* configured key kind, else invalid */
    CRED_AUTHORIZATION, /* Bearer: key kind, user for a JWT, else invalid */
    CRED_TOKEN,         /* optional "Bearer ": key kind, user for a JWT, else token */
    CRED_COOKIE,        /* cookie …TAIL */
    CRED_PASSWORD,      /* JOURNAL_REDACTED, nothing of the value */
} cred_t;

/* Writes the redacted form of value[0..n) into out. */
static void redact(const journal_t *j, cred_t how, const char *value, size_t n, char *out,
                   size_t out_len)
{
    const char *token = value;
    const char *kind = "invalid";
    switch (how) {
    case CRED_NONE:
    case CRED_PASSWORD:
        MOCK_ASSERT(strlen(JOURNAL_REDACTED) < out_len);
        memcpy(out, JOURNAL_REDACTED, sizeof JOURNAL_REDACTED);
        return;
    case CRED_COOKIE:
        put_kind_tail("cookie", value, n, out, out_len);
        return;
    case CRED_APIKEY:
        kind = classify(j, token, n, false);
        break;
    case CRED_AUTHORIZATION:
    case CRED_TOKEN:
        if (n >= 7 && strncasecmp(value, "bearer ", 7) == 0) {
            token = value + 7;
            while (*token == ' ')
                token++;
            n -= (size_t)(token - value);
            kind = classify(j, token, n, true);
        } else if (how == CRED_TOKEN) {
            kind = classify(j, token, n, true);
        }
        if (how == CRED_TOKEN && strcmp(kind, "invalid") == 0)
            kind = "token";
        break;
    }
    put_kind_tail(kind, token, n, out, out_len);
}

/* The words that mark a credential, found in one pass over a name or text
 * (every header of every request is looked at, so this stays cheap: one
 * switch on each byte, a comparison only where a word can start). */
enum {
    WORD_COOKIE = 1 << 0,
    WORD_PASSWORD = 1 << 1,
    WORD_TOKEN = 1 << 2,
    WORD_KEY = 1 << 3,
    WORD_SECRET = 1 << 4,
    WORD_NONCE = 1 << 5,
    WORD_CODE_VERIFIER = 1 << 6,
};

static bool word_at(const char *s, size_t left, const char *word, size_t k)
{
    if (left < k)
        return false;
    for (size_t i = 1; i < k; i++) /* s[0] matched already */
        if ((char)tolower((unsigned char)s[i]) != word[i])
            return false;
    return true;
}

static unsigned credential_words(const char *s, size_t n)
{
    unsigned found = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = s + i;
        size_t left = n - i;
        switch (tolower((unsigned char)*p)) {
        case 'c':
            if (word_at(p, left, "cookie", 6))
                found |= WORD_COOKIE;
            else if (word_at(p, left, "code_verifier", 13))
                found |= WORD_CODE_VERIFIER;
            break;
        case 'p':
            if (word_at(p, left, "password", 8))
                found |= WORD_PASSWORD;
            break;
        case 't':
            if (word_at(p, left, "token", 5))
                found |= WORD_TOKEN;
            break;
        case 'k':
            if (word_at(p, left, "key", 3))
                found |= WORD_KEY;
            break;
        case 's':
            if (word_at(p, left, "secret", 6))
                found |= WORD_SECRET;
            break;
        case 'n':
            if (word_at(p, left, "nonce", 5))
                found |= WORD_NONCE;
            break;
        default:
            break;
        }
    }
    return found;
}

/* How a header is redacted, from its lowercased name: apikey and
 * Authorization as they always were, cookies, and any other name that speaks
 * of a token, key, secret or password. */
static cred_t header_cred(const char *name, size_t n)
{
    if (n == 13 && memcmp(name, "authorization", 13) == 0)
        return CRED_AUTHORIZATION;
    if (n == 19 && memcmp(name, "proxy-authorization", 19) == 0)
        return CRED_AUTHORIZATION;
    if (n == 6 && memcmp(name, "apikey", 6) == 0)
        return CRED_APIKEY;
    unsigned words = credential_words(name, n);
    if (words & WORD_COOKIE)
        return CRED_COOKIE;
    if (words & WORD_PASSWORD)
        return CRED_PASSWORD;
    if (words & (WORD_TOKEN | WORD_KEY | WORD_SECRET))
        return CRED_TOKEN;
    return CRED_NONE;
}

/* How a query parameter or an /auth/v1 body field is redacted, from its name:
 * apikey as the header; password fields without a trace; tokens (refresh_token,
 * access_token, the OTP `token`, token_hash), secrets, code_verifier and the
 * reauthentication nonce as tokens. */
static cred_t field_cred(const char *name, size_t n)
{
    if (n == 6 && strncasecmp(name, "apikey", 6) == 0)
        return CRED_APIKEY;
    unsigned words = credential_words(name, n);
    if (words & WORD_PASSWORD)
        return CRED_PASSWORD;
    if ((words & (WORD_TOKEN | WORD_SECRET | WORD_KEY)) ||
        (n == 13 && strncasecmp(name, "code_verifier", 13) == 0) ||
        (n == 5 && strncasecmp(name, "nonce", 5) == 0))
        return CRED_TOKEN;
    return CRED_NONE;
}

/* Longest redacted value: the longest kind, a space, the ellipsis, the tail. */
#define REDACTED_MAX 48

/* The query with credential parameters' values replaced (see field_cred), as
 * a heap string, or NULL when nothing needs replacing. The names are
 * form-decoded before they are judged, so "api%6Bey" is apikey too; the
 * replaced values are percent-encoded so that rendering decodes them back. */
static char *redact_query(const journal_t *j, const char *query, size_t qlen)
{
    /* Most queries name no credential: skip the decoding for them. */
    if (!memchr(query, '%', qlen) && !(credential_words(query, qlen) & ~WORD_COOKIE))
        return NULL;
    arena_t *arena = arena_new();
    buf_t out;
    buf_init(&out);
    bool changed = false;
    const char *p = query, *end = query + qlen;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        size_t len = amp ? (size_t)(amp - p) : (size_t)(end - p);
        const char *eq = memchr(p, '=', len);
        size_t nlen = eq ? (size_t)(eq - p) : len;
        const char *name = url_form_decode(arena, p, nlen);
        cred_t how = eq ? field_cred(name, strlen(name)) : CRED_NONE;
        if (out.len)
            buf_putc(&out, '&');
        if (how == CRED_NONE) {
            buf_append(&out, p, len);
        } else {
            const char *value = url_form_decode(arena, eq + 1, len - nlen - 1);
            char red[REDACTED_MAX];
            redact(j, how, value, strlen(value), red, sizeof red);
            buf_append(&out, p, nlen + 1);
            url_encode(&out, red);
            changed = true;
        }
        p = amp ? amp + 1 : end;
    }
    arena_free(arena);
    if (!changed) {
        buf_dispose(&out);
        return NULL;
    }
    return buf_steal(&out);
}

/* In /auth/v1 answers, fields that carry a secret under a plain name: a TOTP
 * enrollment's `uri` (otpauth://...?secret=...) and `qr_code` (the same URI
 * drawn), beside its `secret` (GoTrue internal/api/mfa.go, TOTPObject). */
static cred_t response_field_cred(const char *name)
{
    if (strcmp(name, "uri") == 0 || strcmp(name, "qr_code") == 0)
        return CRED_TOKEN;
    return field_cred(name, strlen(name));
}

/* Replaces, in place, the value of every credential field of a JSON tree
 * (`response`: an /auth/v1 answer, see response_field_cred). */
static void redact_json(const journal_t *j, cJSON *node, bool response)
{
    for (cJSON *c = node ? node->child : NULL; c; c = c->next) {
        cred_t how = !c->string ? CRED_NONE
                     : response ? response_field_cred(c->string)
                                : field_cred(c->string, strlen(c->string));
        if (how != CRED_NONE && !cJSON_IsObject(c) && !cJSON_IsArray(c)) {
            char red[REDACTED_MAX];
            if (cJSON_IsString(c))
                redact(j, how, c->valuestring, strlen(c->valuestring), red, sizeof red);
            else
                redact(j, CRED_PASSWORD, "", 0, red, sizeof red);
            cJSON *v = cJSON_CreateString(red);
            MOCK_ASSERT(v);
            /* ReplaceItemViaPointer keeps the slot, not the name: move it. */
            v->string = c->string;
            c->string = NULL;
            MOCK_ASSERT(cJSON_ReplaceItemViaPointer(node, c, v));
            c = v;
        } else {
            redact_json(j, c, response);
        }
    }
}

/* The body of an /auth/v1 request with its credentials replaced, as a heap
 * string (*len set), or NULL to keep the body as sent. A JSON body keeps its
 * shape with the credential fields replaced; a body that is not JSON (GoTrue
 * would refuse it) is replaced whole by JOURNAL_REDACTED when it mentions a
 * credential field name anywhere, since where its values start is unknown. */
static char *redact_auth_body(const journal_t *j, const char *body, size_t n, size_t *len,
                              bool response)
{
    cJSON *json = NULL;
    if (!memchr(body, '\0', n))
        json = cJSON_ParseWithLengthOpts(body, n + 1, NULL, true);
    if (!json) {
        if (!(credential_words(body, n) & ~WORD_COOKIE))
            return NULL;
        *len = sizeof JOURNAL_REDACTED - 1;
        return xstrdup(JOURNAL_REDACTED);
    }
    redact_json(j, json, response);
    char *text = cJSON_PrintUnformatted(json);
    MOCK_ASSERT(text);
    cJSON_Delete(json);
    char *copy = xstrdup(text);
    cJSON_free(text);
    *len = strlen(copy);
    return copy;
}

/* A Location with its query's and fragment's credential parameters
 * replaced (GoTrue's verify and OAuth redirects put access_token and
 * refresh_token in the fragment), as a heap string, or NULL when nothing
 * needs replacing. */
static char *redact_location(const journal_t *j, const char *value)
{
    const char *q = strchr(value, '?');
    const char *f = strchr(value, '#');
    if (q && f && q > f)
        q = NULL; /* a '?' inside the fragment belongs to it */
    if (!q && !f)
        return NULL;
    const char *qend = f ? f : value + strlen(value);
    char *qred = q ? redact_query(j, q + 1, (size_t)(qend - q - 1)) : NULL;
    char *fred = f ? redact_query(j, f + 1, strlen(f + 1)) : NULL;
    if (!qred && !fred)
        return NULL;
    buf_t out;
    buf_init(&out);
    const char *head_end = q ? q : f;
    buf_append(&out, value, (size_t)(head_end - value));
    if (q) {
        buf_putc(&out, '?');
        if (qred)
            buf_puts(&out, qred);
        else
            buf_append(&out, q + 1, (size_t)(qend - q - 1));
    }
    if (f) {
        buf_putc(&out, '#');
        buf_puts(&out, fred ? fred : f + 1);
    }
    free(qred);
    free(fred);
    return buf_steal(&out);
}

/* ---- recording ---- */

/* Bump allocation inside one entry's block. */
typedef struct packer {
    char *at;
    char *end;
} packer_t;

static char *pack(packer_t *p, const char *s, size_t n)
{
    MOCK_ASSERT((size_t)(p->end - p->at) >= n + 1);
    char *dst = p->at;
    memcpy(dst, s, n);
    dst[n] = '\0';
    p->at += n + 1;
    return dst;
}

static char *pack_str(packer_t *p, const char *s)
{
    return s ? pack(p, s, strlen(s)) : NULL;
}

static size_t str_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static void grow_ring(journal_t *j)
{
    size_t ncap = j->cap ? j->cap * 2 : 64;
    if (ncap > j->limit)
        ncap = j->limit;
    jentry_t **ring = xcalloc(ncap, sizeof *ring);
    for (size_t i = 0; i < j->count; i++)
        ring[i] = j->ring[(j->head + i) % j->cap];
    free(j->ring);
    j->ring = ring;
    j->cap = ncap;
    j->head = 0;
}

static bool body_is_auth(const char *path)
{
    return strncmp(path, "/auth/v1", 8) == 0 && (path[8] == '/' || path[8] == '\0');
}

/* Response header names, lowercased as request names are. */
static void lower_into(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[n] = '\0';
}

void journal_record(journal_t *j, const mock_request_t *req, const mock_response_t *resp,
                    int64_t at_us, uint64_t duration_us)
{
    const char *method = req->method ? req->method : "";
    const char *path = req->path ? req->path : "";
    const char *query = req->query ? req->query : "";
    size_t hn = req->header_count;
    const char *body = req->body;
    size_t body_len = req->body ? req->body_len : 0;
    /* Credentials are replaced before anything is kept, so that no secret is
     * held in the ring (and a truncated body cannot show one half-parsed). */
    char *query_red = redact_query(j, query, strlen(query));
    if (query_red)
        query = query_red;
    char *body_red = NULL;
    if (body_len && body_is_auth(path))
        body_red = redact_auth_body(j, body, body_len, &body_len, false);
    if (body_red)
        body = body_red;
    bool truncated = body_len > MOCK_JOURNAL_MAX_BODY_BYTES;
    if (truncated)
        body_len = MOCK_JOURNAL_MAX_BODY_BYTES;
    /* The response's body: tokens in /auth/v1 answers (access_token,
     * refresh_token...) are redacted the way request bodies are. */
    const char *rbody = resp->omit_body ? NULL : resp->body.data;
    size_t rbody_len = rbody ? resp->body.len : 0;
    char *rbody_red = NULL;
    if (rbody_len && body_is_auth(path))
        rbody_red = redact_auth_body(j, rbody, rbody_len, &rbody_len, true);
    if (rbody_red)
        rbody = rbody_red;
    bool rtruncated = rbody_len > MOCK_JOURNAL_MAX_RESPONSE_BYTES;
    if (rtruncated)
        rbody_len = MOCK_JOURNAL_MAX_RESPONSE_BYTES;

    /* Size everything first (each length measured once), then copy into
     * one block. Header names arrive lowercased (message.h). */
    size_t mlen = strlen(method), plen = strlen(path), qlen = strlen(query);
    size_t size = sizeof(jentry_t) + 2 * (hn + 1) * sizeof(char *);
    size += mlen + 1 + plen + 1 + qlen + 1;
    size_t name_len[MOCK_MAX_HEADERS], value_len[MOCK_MAX_HEADERS];
    char redacted[MOCK_MAX_HEADERS][REDACTED_MAX]; /* only the secret headers' rows are used */
    size_t nred = 0;
    int red_at[MOCK_MAX_HEADERS];
    MOCK_ASSERT(hn <= MOCK_MAX_HEADERS);
    for (size_t i = 0; i < hn; i++) {
        const mock_header_t *h = &req->headers[i];
        name_len[i] = strlen(h->name);
        red_at[i] = -1;
        cred_t how = header_cred(h->name, name_len[i]);
        if (how != CRED_NONE) {
            redact(j, how, h->value, strlen(h->value), redacted[nred], REDACTED_MAX);
            red_at[i] = (int)nred++;
            value_len[i] = strlen(redacted[red_at[i]]);
        } else {
            value_len[i] = strlen(h->value);
        }
        size += name_len[i] + 1 + value_len[i] + 1;
    }
    size += body_len ? body_len + 1 : 0;
    size_t rn = resp->header_count;
    size_t rname_len[MOCK_MAX_RESPONSE_HEADERS], rvalue_len[MOCK_MAX_RESPONSE_HEADERS];
    char rred[MOCK_MAX_RESPONSE_HEADERS][REDACTED_MAX];
    bool rred_used[MOCK_MAX_RESPONSE_HEADERS];
    char *location_red = NULL; /* the redacted Location (heap), at location_at */
    size_t location_at = SIZE_MAX;
    MOCK_ASSERT(rn <= MOCK_MAX_RESPONSE_HEADERS);
    size_t rsize = sizeof(jresp_t) + 2 * (rn + 1) * sizeof(char *);
    for (size_t i = 0; i < rn; i++) {
        const mock_header_t *h = &resp->headers[i];
        rname_len[i] = strlen(h->name);
        char lname[64];
        size_t ln = rname_len[i] < sizeof lname - 1 ? rname_len[i] : sizeof lname - 1;
        lower_into(lname, h->name, ln);
        cred_t how = header_cred(lname, ln);
        rred_used[i] = how != CRED_NONE;
        if (rred_used[i]) {
            redact(j, how, h->value, strlen(h->value), rred[i], REDACTED_MAX);
            rvalue_len[i] = strlen(rred[i]);
        } else if (!location_red && strcmp(lname, "location") == 0 &&
                   (location_red = redact_location(j, h->value)) != NULL) {
            location_at = i;
            rvalue_len[i] = strlen(location_red);
        } else {
            rvalue_len[i] = strlen(h->value);
        }
        rsize += rname_len[i] + 1 + rvalue_len[i] + 1;
    }
    rsize += rbody_len ? rbody_len + 1 : 0;
    size += str_size(resp->outcome.role) + str_size(resp->outcome.key) +
            str_size(resp->outcome.code) + str_size(resp->outcome.rule);
    /* The explanation goes first after the pointer arrays (aligned there);
     * only the policies it recorded are kept. */
    const mock_explain_t *x = resp->outcome.explain;
    size_t xsize = x ? MOCK_EXPLAIN_SIZE(x) : 0;
    size += xsize;

    /* Make room first, so that the dropped entry's block can be reused. */
    while (j->count > 0 &&
           (j->count >= j->limit || j->bytes + size + rsize > MOCK_JOURNAL_MAX_BYTES))
        drop_oldest(j);
    size_t block = 0;
    jentry_t *e = entry_alloc(j, size, &block);
    e->names = (char **)(e + 1);
    e->values = e->names + hn + 1;
    char *after = (char *)(e->values + hn + 1);
    if (xsize) {
        e->explain = (mock_explain_t *)after;
        memcpy(e->explain, x, xsize);
        after += xsize;
    }
    packer_t p = {after, (char *)e + size};
    e->id = j->next_id++;
    e->at_us = at_us;
    /* Nothing complete was sent for a connection fault: status 0. */
    e->status = resp->outcome.fault ? 0 : resp->status;
    e->duration_us = duration_us;
    e->method = pack(&p, method, mlen);
    e->path = pack(&p, path, plen);
    e->query = pack(&p, query, qlen);
    e->header_count = hn;
    for (size_t i = 0; i < hn; i++) {
        const mock_header_t *h = &req->headers[i];
        e->names[i] = pack(&p, h->name, name_len[i]);
        if (red_at[i] >= 0)
            e->values[i] = pack(&p, redacted[red_at[i]], value_len[i]);
        else
            e->values[i] = pack(&p, h->value, value_len[i]);
    }
    if (body_len) {
        /* Bytes, not a C string: a body may hold NULs. */
        e->body = pack(&p, body, body_len);
        e->body_len = body_len;
        e->body_truncated = truncated;
    }
    /* The response's block: the spare when it is large enough. */
    jresp_t *r = j->resp_spare;
    j->resp_spare = NULL;
    size_t rblock = r && r->bytes >= rsize ? r->bytes : rsize;
    if (!r || r->bytes < rsize) {
        free(r);
        r = xmalloc(rsize);
    }
    memset(r, 0, sizeof *r);
    r->bytes = rblock;
    r->names = (char **)(r + 1);
    r->values = r->names + rn + 1;
    packer_t rp = {(char *)(r->values + rn + 1), (char *)r + rsize};
    r->header_count = rn;
    for (size_t i = 0; i < rn; i++) {
        const mock_header_t *h = &resp->headers[i];
        r->names[i] = pack(&rp, h->name, rname_len[i]);
        lower_into(r->names[i], h->name, rname_len[i]);
        const char *v = rred_used[i] ? rred[i] : i == location_at ? location_red : h->value;
        r->values[i] = pack(&rp, v, rvalue_len[i]);
    }
    if (rbody_len) {
        r->body = pack(&rp, rbody, rbody_len);
        r->body_len = rbody_len;
        r->body_truncated = rtruncated;
    }
    e->resp = r;
    e->role = pack_str(&p, resp->outcome.role);
    e->key = pack_str(&p, resp->outcome.key);
    e->code = pack_str(&p, resp->outcome.code);
    e->rule = pack_str(&p, resp->outcome.rule);
    e->fault = resp->outcome.fault;
    e->bytes = block; /* what the entry holds, counted against MOCK_JOURNAL_MAX_BYTES */

    if (j->count == j->cap)
        grow_ring(j);
    j->ring[(j->head + j->count) % j->cap] = e;
    j->count++;
    j->bytes += block + rblock;
    /* Only the newest MOCK_JOURNAL_RESPONSES entries keep their response
     * (the dashboard's window): the entry that just left it lets go of its
     * own, so a full ring holds request lines and a bounded set of bodies. */
    if (j->count > MOCK_JOURNAL_RESPONSES)
        release_resp(j, j->ring[(j->head + j->count - MOCK_JOURNAL_RESPONSES - 1) % j->cap]);
    free(query_red);
    free(body_red);
    free(rbody_red);
    free(location_red);
    if (j->listener)
        j->listener(j->listener_ctx, j, e->id);
}

/* ---- filtering ---- */

static bool str_eq(const char *want, const char *have)
{
    return have && strcmp(want, have) == 0;
}

static bool matches(const jentry_t *e, const journal_filter_t *f)
{
    if (!f)
        return true;
    if (f->method && strcasecmp(f->method, e->method) != 0)
        return false;
    if (f->path && !glob_match(f->path, e->path))
        return false;
    if (f->status && e->status != f->status)
        return false;
    if (f->fault_status && e->status != 0)
        return false;
    if (f->status_class && e->status / 100 != f->status_class)
        return false;
    if (f->code && !str_eq(f->code, e->code))
        return false;
    if (f->rule && !str_eq(f->rule, e->rule))
        return false;
    if (f->fault && !str_eq(f->fault, e->fault))
        return false;
    if (f->has_since_id && e->id <= f->since_id)
        return false;
    if (f->has_since_at && e->at_us < f->since_at_us)
        return false;
    return true;
}

size_t journal_count(const journal_t *j, const journal_filter_t *f)
{
    size_t n = 0;
    for (size_t i = 0; i < j->count; i++)
        n += matches(j->ring[(j->head + i) % j->cap], f);
    return n;
}

size_t journal_size(const journal_t *j)
{
    return j->count;
}

uint64_t journal_dropped(const journal_t *j)
{
    return j->dropped;
}

/* ---- rendering ---- */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is invalid
 * (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

/* s[0..n) with every invalid UTF-8 byte replaced by U+FFFD, into out. */
static void utf8_clean(buf_t *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_seq(u + i, n - i);
        if (k == 0) {
            buf_puts(out, "\xef\xbf\xbd");
            i++;
        } else {
            buf_append(out, s + i, k);
            i += k;
        }
    }
}

static void put_text(buf_t *out, const char *s, size_t n)
{
    buf_t clean;
    buf_init(&clean);
    utf8_clean(&clean, s, n);
    buf_append_json_string(out, clean.data ? clean.data : "", clean.len);
    buf_dispose(&clean);
}

static void put_text_or_null(buf_t *out, const char *s)
{
    if (s)
        put_text(out, s, strlen(s));
    else
        buf_puts(out, "null");
}

/* Adds one decoded parameter: a repeated name turns into an array. */
static void query_add(cJSON *obj, const char *name, const char *value)
{
    cJSON *v = cJSON_CreateString(value);
    MOCK_ASSERT(v);
    cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!old) {
        MOCK_ASSERT(cJSON_AddItemToObject(obj, name, v));
    } else if (cJSON_IsArray(old)) {
        MOCK_ASSERT(cJSON_AddItemToArray(old, v));
    } else {
        cJSON *arr = cJSON_CreateArray();
        MOCK_ASSERT(arr);
        cJSON *first = cJSON_DetachItemViaPointer(obj, old);
        MOCK_ASSERT(cJSON_AddItemToArray(arr, first));
        MOCK_ASSERT(cJSON_AddItemToArray(arr, v));
        MOCK_ASSERT(cJSON_AddItemToObject(obj, name, arr));
    }
}

static void put_query(buf_t *out, const char *query, arena_t *arena)
{
    cJSON *obj = cJSON_CreateObject();
    MOCK_ASSERT(obj);
    const char *cursor = query, *name, *value;
    while (url_query_next(arena, &cursor, &name, &value)) {
        buf_t cn, cv;
        buf_init(&cn);
        buf_init(&cv);
        utf8_clean(&cn, name, strlen(name));
        utf8_clean(&cv, value, strlen(value));
        query_add(obj, buf_cstr(&cn), buf_cstr(&cv));
        buf_dispose(&cn);
        buf_dispose(&cv);
    }
    char *text = cJSON_PrintUnformatted(obj);
    MOCK_ASSERT(text);
    buf_puts(out, text);
    cJSON_free(text);
    cJSON_Delete(obj);
}

static void put_headers(buf_t *out, char *const *names, char *const *values, size_t count)
{
    buf_putc(out, '{');
    bool first = true;
    for (size_t i = 0; i < count; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(names[k], names[i]) == 0;
        if (seen)
            continue;
        if (!first)
            buf_putc(out, ',');
        first = false;
        put_text(out, names[i], strlen(names[i]));
        buf_putc(out, ':');
        /* RFC 9110 §5.3: repeated fields combine as one comma-joined value. */
        buf_t v;
        buf_init(&v);
        for (size_t k = i; k < count; k++) {
            if (strcmp(names[k], names[i]) != 0)
                continue;
            if (v.len)
                buf_puts(&v, ", ");
            buf_puts(&v, values[k]);
        }
        put_text(out, buf_cstr(&v), v.len);
        buf_dispose(&v);
    }
    buf_putc(out, '}');
}

static void put_body(buf_t *out, const char *body, size_t body_len, bool truncated)
{
    if (!body) {
        buf_puts(out, "null");
        return;
    }
    /* A body with a NUL in it is not JSON text (cJSON would stop there). */
    if (!truncated && !memchr(body, '\0', body_len)) {
        /* The length includes the terminating NUL: cJSON's
         * require_null_terminated check looks at the byte after the value. */
        cJSON *json = cJSON_ParseWithLengthOpts(body, body_len + 1, NULL, true);
        if (json) {
            /* Re-printed compactly, which also guarantees valid output;
             * numbers go through doubles (integers past 2^53 lose digits). */
            char *text = cJSON_PrintUnformatted(json);
            MOCK_ASSERT(text);
            utf8_clean(out, text, strlen(text));
            cJSON_free(text);
            cJSON_Delete(json);
            return;
        }
    }
    put_text(out, body, body_len);
}

static void put_entry(buf_t *out, const jentry_t *e, arena_t *arena)
{
    char at[40];
    clock_format_iso(e->at_us, at, sizeof at);
    buf_puts(out, "{\"id\":");
    buf_put_int(out, (long long)e->id);
    buf_puts(out, ",\"at\":");
    buf_put_json_string(out, at);
    buf_puts(out, ",\"method\":");
    put_text_or_null(out, e->method);
    buf_puts(out, ",\"path\":");
    put_text_or_null(out, e->path);
    buf_puts(out, ",\"query\":");
    put_query(out, e->query, arena);
    buf_puts(out, ",\"headers\":");
    put_headers(out, e->names, e->values, e->header_count);
    buf_puts(out, ",\"body\":");
    put_body(out, e->body, e->body_len, e->body_truncated);
    buf_puts(out, ",\"role\":");
    put_text_or_null(out, e->role);
    buf_puts(out, ",\"key\":");
    put_text_or_null(out, e->key);
    buf_puts(out, ",\"status\":");
    buf_put_int(out, e->status);
    buf_puts(out, ",\"code\":");
    put_text_or_null(out, e->code);
    buf_puts(out, ",\"rule\":");
    put_text_or_null(out, e->rule);
    buf_puts(out, ",\"fault\":");
    put_text_or_null(out, e->fault);
    buf_puts(out, ",\"duration_us\":");
    buf_put_int(out, (long long)e->duration_us);
    if (!e->resp) {
        buf_puts(out, ",\"response\":null}"); /* older than the newest MOCK_JOURNAL_RESPONSES */
        return;
    }
    buf_puts(out, ",\"response\":{\"headers\":");
    put_headers(out, e->resp->names, e->resp->values, e->resp->header_count);
    buf_puts(out, ",\"body\":");
    put_body(out, e->resp->body, e->resp->body_len, e->resp->body_truncated);
    buf_puts(out, ",\"truncated\":");
    buf_puts(out, e->resp->body_truncated ? "true" : "false");
    buf_puts(out, "}}");
}

void journal_write_json(const journal_t *j, const journal_filter_t *f, buf_t *out)
{
    /* Decoded query strings live in this arena until the answer is written. */
    arena_t *arena = arena_new();
    buf_puts(out, "{\"requests\":[");
    bool first = true;
    for (size_t i = 0; i < j->count; i++) {
        const jentry_t *e = j->ring[(j->head + i) % j->cap];
        if (!matches(e, f))
            continue;
        if (!first)
            buf_putc(out, ',');
        first = false;
        put_entry(out, e, arena);
        arena_reset(arena);
    }
    buf_puts(out, "],\"dropped\":");
    buf_put_int(out, (long long)j->dropped);
    buf_putc(out, '}');
    arena_free(arena);
}

static const jentry_t *find_entry(const journal_t *j, uint64_t id)
{
    /* Ids are consecutive in the ring (a clear empties it), oldest first. */
    if (j->count == 0)
        return NULL;
    uint64_t first = j->ring[j->head]->id;
    if (id < first || id - first >= j->count)
        return NULL;
    const jentry_t *e = j->ring[(j->head + (size_t)(id - first)) % j->cap];
    return e->id == id ? e : NULL;
}

bool journal_write_entry(const journal_t *j, uint64_t id, buf_t *out)
{
    const jentry_t *e = find_entry(j, id);
    if (!e)
        return false;
    arena_t *arena = arena_new();
    put_entry(out, e, arena);
    arena_free(arena);
    return true;
}

uint64_t journal_first_id(const journal_t *j)
{
    return j->count ? j->ring[j->head]->id : 0;
}

uint64_t journal_last_id(const journal_t *j)
{
    return j->count ? j->ring[(j->head + j->count - 1) % j->cap]->id : 0;
}

uint64_t journal_next_id(const journal_t *j)
{
    return j->next_id;
}

bool journal_write_explain(const journal_t *j, uint64_t id, buf_t *out)
{
    const jentry_t *e = find_entry(j, id);
    if (!e)
        return false;
    mock_explain_subject_t s = {
        .method = e->method,
        .path = e->path,
        .status = e->status,
        .code = e->code,
        .role = e->role,
        .key = e->key,
        .rule = e->rule,
        .x = e->explain,
    };
    buf_puts(out, "{\"id\":");
    buf_put_int(out, (long long)e->id);
    buf_puts(out, ",\"method\":");
    put_text_or_null(out, e->method);
    buf_puts(out, ",\"path\":");
    put_text_or_null(out, e->path);
    buf_puts(out, ",\"status\":");
    buf_put_int(out, e->status);
    buf_puts(out, ",\"code\":");
    put_text_or_null(out, e->code);
    buf_puts(out, ",\"explain\":");
    /* Names come from the scenario: cleaned like every other text. */
    buf_t tmp;
    buf_init(&tmp);
    mock_explain_json(&s, &tmp);
    utf8_clean(out, buf_cstr(&tmp), tmp.len);
    buf_reset(&tmp);
    buf_puts(out, ",\"text\":");
    mock_explain_text(&s, &tmp);
    put_text(out, buf_cstr(&tmp), tmp.len);
    buf_dispose(&tmp);
    buf_putc(out, '}');
    return true;
}
