/* Request bodies as PostgREST reads them: JSON only (CSV bodies are not
 * modelled yet), parsed with cJSON, with the source offset of every value kept
 * so numbers and json/jsonb values reach Postgres's input functions spelt as
 * the client sent them. It also says what Postgres refuses in the text (bytes
 * that are not UTF-8, the \u0000 escape). It does not know tables or types:
 * the memory engine maps keys to columns (rest_body_member.c). */
#include "rest_body.h"

#include "rest_csv.h"

#include "buf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Parsec's alphaNum over a Latin-1 decoded header (PostgREST decodes the
 * Content-Type with decodeLatin1): ASCII letters and digits, and the Latin-1
 * letters and numbers (ª ² ³ µ ¹ º ¼ ½ ¾ À-Ö Ø-ö ø-ÿ). */
static bool latin1_alnum(unsigned char ch)
{
    if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
        return true;
    if (ch == 0xaa || ch == 0xb2 || ch == 0xb3 || ch == 0xb5 || ch == 0xb9 || ch == 0xba ||
        (ch >= 0xbc && ch <= 0xbe))
        return true;
    return ch >= 0xc0 && ch != 0xd7 && ch != 0xf7;
}

/* Length of the run of s that is alphaNum or one of `extra`. */
static size_t media_token(const char *s, const char *extra)
{
    size_t n = 0;
    while (s[n] && (latin1_alnum((unsigned char)s[n]) || strchr(extra, s[n])))
        n++;
    return n;
}

static bool token_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* The value of parameter `key` (";key=value") when it is exactly `want`. */
static bool media_param_is(const char *params, const char *key, const char *want)
{
    size_t kn = strlen(key), wn = strlen(want);
    for (const char *p = strchr(params, ';'); p; p = strchr(p + 1, ';')) {
        const char *k = p + 1;
        while (*k == ' ' || *k == '\t')
            k++;
        if (strncasecmp(k, key, kn) != 0)
            continue;
        const char *v = k + kn;
        while (*v == ' ' || *v == '\t')
            v++;
        if (*v++ != '=')
            continue;
        while (*v == ' ' || *v == '\t')
            v++;
        bool quoted = *v == '"';
        v += quoted;
        if (strncmp(v, want, wn) == 0 && (quoted ? v[wn] == '"' : !media_token(v + wn, "|-")))
            return true;
    }
    return false;
}

/* The Content-Type as PostgREST's decodeMediaType and toMime see it: NULL for
 * a JSON body (application/json, and vnd.pgrst.array without nulls=stripped,
 * under any parameters), else the name its "Content-Type not acceptable"
 * message prints: the canonical name of a type it knows, or the whole header
 * (Latin-1 decoded, so UTF-8 here) for any other. tokenizeMediaType reads
 * type "/" subtype as runs of alphanumerics and ".*" / ".*+-", ignores what
 * follows, so "application/jsonx" is another type while "application/json x"
 * is JSON. */
static const char *media_type_name(arena_t *a, const char *ct)
{
    size_t tn = media_token(ct, ".*");
    size_t sn = tn && ct[tn] == '/' ? media_token(ct + tn + 1, ".*+-") : 0;
    if (sn) {
        const char *sub = ct + tn + 1, *params = sub + sn;
        bool stripped = media_param_is(params, "nulls", "stripped");
        if (token_is(ct, tn, "application")) {
            if (token_is(sub, sn, "json") || ((token_is(sub, sn, "vnd.pgrst.array+json") ||
                                               token_is(sub, sn, "vnd.pgrst.array")) &&
                                              !stripped))
                return NULL;
            if (token_is(sub, sn, "vnd.pgrst.array+json") || token_is(sub, sn, "vnd.pgrst.array"))
                return "application/vnd.pgrst.array+json;nulls=stripped";
            if (token_is(sub, sn, "vnd.pgrst.object+json") || token_is(sub, sn, "vnd.pgrst.object"))
                return stripped ? "application/vnd.pgrst.object+json;nulls=stripped"
                                : "application/vnd.pgrst.object+json";
            static const char *const app_known[] = {"geo+json", "openapi+json",
                                                    "x-www-form-urlencoded", "octet-stream"};
            for (size_t i = 0; i < sizeof app_known / sizeof app_known[0]; i++)
                if (token_is(sub, sn, app_known[i]))
                    return arena_sprintf(a, "application/%s", app_known[i]);
        } else if (token_is(ct, tn, "text")) {
            static const char *const text_known[] = {"csv", "plain", "xml"};
            for (size_t i = 0; i < sizeof text_known / sizeof text_known[0]; i++)
                if (token_is(sub, sn, text_known[i]))
                    return arena_sprintf(a, "text/%s", text_known[i]);
        } else if (token_is(ct, tn, "*") && token_is(sub, sn, "*")) {
            return "*/*";
        }
    }
    buf_t b;
    buf_init(&b);
    for (const unsigned char *p = (const unsigned char *)ct; *p; p++) {
        if (*p < 0x80) {
            buf_putc(&b, (char)*p);
        } else {
            buf_putc(&b, (char)(0xc0 | (*p >> 6)));
            buf_putc(&b, (char)(0x80 | (*p & 0x3f)));
        }
    }
    char *name = arena_strdup(a, buf_cstr(&b));
    buf_dispose(&b);
    return name;
}

/* Postgres's pg_utf_mblen: the length a lead byte announces. */
static size_t utf8_mblen(unsigned char ch)
{
    if (ch < 0x80)
        return 1;
    if ((ch & 0xe0) == 0xc0)
        return 2;
    if ((ch & 0xf0) == 0xe0)
        return 3;
    if ((ch & 0xf8) == 0xf0)
        return 4;
    return 1;
}

/* Postgres's pg_utf8_islegal: no overlong forms, surrogates or code points
 * above U+10FFFF. */
static bool utf8_legal(const unsigned char *s, size_t n)
{
    /* pg_utf8_islegal, without switch fall-through: bytes 4 and 3 are plain
     * continuation bytes, byte 2's range depends on the lead byte. */
    if (n < 1 || n > 4)
        return false;
    for (size_t i = n; i-- > 2;)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return false;
    if (n >= 2) {
        unsigned char a = s[1];
        unsigned char lo = 0x80, hi = 0xbf;
        if (*s == 0xe0)
            lo = 0xa0;
        else if (*s == 0xed)
            hi = 0x9f;
        else if (*s == 0xf0)
            lo = 0x90;
        else if (*s == 0xf4)
            hi = 0x8f;
        if (a < lo || a > hi)
            return false;
    }
    unsigned char a = *s;
    return !(a >= 0x80 && a < 0xc2) && a <= 0xf4;
}

size_t rest_body_utf8_invalid(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        if (s[i] == 0)
            return i; /* pg_verify_mbstr refuses NUL in any encoding */
        size_t l = utf8_mblen(s[i]);
        if (l > len - i || !utf8_legal(s + i, l))
            return i;
        i += l;
    }
    return len;
}

void rest_body_encoding_error(const char *text, size_t len, size_t at, pgrst_error_t *err)
{
    /* report_invalid_encoding: as many bytes as the lead byte announces (at
     * most what is left), each as 0x%02x, separated by spaces. */
    const unsigned char *s = (const unsigned char *)text + at;
    size_t n = utf8_mblen(*s);
    if (n > len - at)
        n = len - at;
    char hex[4 * 5 + 1] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(hex + strlen(hex), sizeof hex - strlen(hex), "%s0x%02x", i ? " " : "", s[i]);
    pgrst_error_setf(err, "22021", "invalid byte sequence for encoding \"UTF8\": %s", hex);
}

/* Does a JSON string in text (valid JSON) hold the escape \u0000? Postgres
 * de-escapes every string of the payload in json_to_record(set) and refuses
 * that one, whatever the key or depth. */
static bool has_nul_escape(const char *text, size_t len)
{
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        if (!in_string) {
            in_string = text[i] == '"';
            continue;
        }
        if (text[i] == '"') {
            in_string = false;
        } else if (text[i] == '\\') {
            if (i + 5 < len && text[i + 1] == 'u' && memcmp(text + i + 2, "0000", 4) == 0)
                return true;
            i++; /* the escaped character, so \\u0000 is text */
        }
    }
    return false;
}

/* Does a string in text hold a raw control character? aeson refuses those
 * ("unescaped control character"); cJSON takes them. */
static bool has_raw_control(const char *text, size_t len)
{
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (!in_string) {
            in_string = ch == '"';
        } else if (ch == '"') {
            in_string = false;
        } else if (ch == '\\') {
            i++;
        } else if (ch < 0x20) {
            return true;
        }
    }
    return false;
}

const char *rest_body_media(const mock_request_t *req)
{
    const char *ct = mock_request_header(req, "content-type");
    return ct ? media_type_name(req->arena, ct) : NULL;
}

static int parse_json(const char *body, size_t body_len, bool raw, rest_body_t *b,
                      pgrst_error_t *err);

int rest_body_parse(const mock_request_t *req, bool raw, rest_body_t *b, pgrst_error_t *err)
{
    memset(b, 0, sizeof *b);
    const char *ct = mock_request_header(req, "content-type");
    const char *media = ct ? media_type_name(req->arena, ct) : NULL;
    if (media && strcmp(media, "text/csv") == 0) {
        /* Payload.hs: the CSV becomes a JSON array (ProcessedJSON, so
         * columns= does not make it raw), which goes on as a JSON body. */
        buf_t json;
        buf_init(&json);
        if (rest_csv_to_json(req->body, req->body_len, &json, err) < 0) {
            buf_dispose(&json);
            return -1;
        }
        char *text = arena_strndup(req->arena, json.data ? json.data : "", json.len);
        size_t len = json.len;
        buf_dispose(&json);
        return parse_json(text, len, false, b, err);
    }
    if (media)
        return pgrst_error_setf(err, "PGRST102", "Content-Type not acceptable: %s", media);
    return parse_json(req->body, req->body_len, raw, b, err);
}

/* The body text: the request's, or the JSON a CSV body became (in the
 * request arena). Both live as long as the request. */
static int parse_json(const char *body, size_t body_len, bool raw, rest_body_t *b,
                      pgrst_error_t *err)
{
    size_t bad = rest_body_utf8_invalid(body, body_len);
    b->bad_utf8 = bad < body_len;
    b->bad_utf8_at = bad;
    /* aeson decodes the body (and refuses bytes that are not UTF-8) unless
     * columns= is given; then Postgres gets it as it came, and refuses it when
     * it binds the parameter (rest_body_bind). The JSON structure is still
     * read here, from a copy with '?' in place of each bad byte. */
    const char *text = body;
    char *copy = NULL;
    if (b->bad_utf8 && raw) {
        copy = malloc(body_len ? body_len : 1);
        memcpy(copy, body, body_len);
        for (size_t i = bad; i < body_len;) {
            size_t next = i + rest_body_utf8_invalid(copy + i, body_len - i);
            if (next >= body_len)
                break;
            copy[next] = '?';
            i = next + 1;
        }
        text = copy;
    }
    jsonc_error_t jerr;
    bool ok = (raw || !b->bad_utf8) && body_len != 0 &&
              jsonc_parse(text, body_len, &b->doc, &jerr) == 0 &&
              memcmp(b->doc.text, text, body_len) == 0 && !has_raw_control(text, body_len);
    if (ok)
        b->nul_escape = has_nul_escape(text, body_len);
    free(copy); /* the document keeps its own copy of the text */
    if (!ok) {
        jsonc_doc_dispose(&b->doc);
        memset(b, 0, sizeof *b);
        return pgrst_error_setf(err, "PGRST102", "Empty or invalid json");
    }
    b->source = body;
    b->source_len = body_len;
    b->present = true;
    return 0;
}

int rest_body_bind(const rest_body_t *b, pgrst_error_t *err)
{
    if (b->present && b->bad_utf8) {
        rest_body_encoding_error(b->source, b->source_len, b->bad_utf8_at, err);
        return -1;
    }
    return 0;
}

static int key_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

size_t rest_body_keys(arena_t *a, const cJSON *obj, const char ***out)
{
    size_t n = (size_t)cJSON_GetArraySize(obj), k = 0;
    const char **keys = arena_calloc(a, n ? n : 1, sizeof *keys);
    const cJSON *item;
    cJSON_ArrayForEach(item, obj)
    {
        keys[k++] = item->string;
    }
    qsort(keys, k, sizeof *keys, key_cmp);
    size_t d = 0;
    for (size_t i = 0; i < k; i++)
        if (d == 0 || strcmp(keys[d - 1], keys[i]) != 0)
            keys[d++] = keys[i];
    *out = keys;
    return d;
}

void rest_body_dispose(rest_body_t *b)
{
    if (b->present)
        jsonc_doc_dispose(&b->doc);
    b->present = false;
}

const jsonc_node_t *rest_body_row_node(const rest_body_t *b, size_t index)
{
    return cJSON_IsObject(b->doc.json) ? b->doc.root : jsonc_child(b->doc.root, index);
}
