/* pg_query_scan answers a protobuf ScanResult (libpg_query's pg_query.proto:
 * `ScanResult { int32 version = 1; repeated ScanToken tokens = 2; }`,
 * `ScanToken { int32 start = 1; int32 end = 2; Token token = 4;
 * KeywordKind keyword_kind = 5; }`). The wire format is read here directly:
 * five fields do not justify protobuf-c's headers, and every read is checked
 * against the buffer's end. */
#include "sql_scan.h"

#include "sql_parse.h"
#include "xalloc.h"

#include <pg_query.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Token numbers of pg_query.proto's enum Token (single characters are their
 * ASCII codes). */
enum {
    PB_TOKEN_OPEN = 40,
    PB_TOKEN_CLOSE = 41,
    PB_TOKEN_SEMI = 59,
    PB_TOKEN_IDENT = 258,
    PB_TOKEN_UIDENT = 259,
    PB_TOKEN_SQL_COMMENT = 275,
    PB_TOKEN_C_COMMENT = 276,
};

typedef struct pb {
    const uint8_t *p, *end;
} pb_t;

static bool pb_varint(pb_t *b, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64 && b->p < b->end; shift += 7) {
        uint8_t c = *b->p++;
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

/* Skips a field of wire type wt; false on a malformed buffer. */
static bool pb_skip(pb_t *b, unsigned wt)
{
    uint64_t v;
    switch (wt) {
    case 0:
        return pb_varint(b, &v);
    case 1:
        if (b->end - b->p < 8)
            return false;
        b->p += 8;
        return true;
    case 2:
        if (!pb_varint(b, &v) || v > (uint64_t)(b->end - b->p))
            return false;
        b->p += v;
        return true;
    case 5:
        if (b->end - b->p < 4)
            return false;
        b->p += 4;
        return true;
    default:
        return false;
    }
}

typedef struct raw_token {
    uint64_t start, end, token, keyword;
} raw_token_t;

static bool read_token(pb_t b, raw_token_t *t)
{
    memset(t, 0, sizeof *t); /* proto3 leaves zero values out */
    while (b.p < b.end) {
        uint64_t key;
        if (!pb_varint(&b, &key))
            return false;
        unsigned field = (unsigned)(key >> 3), wt = (unsigned)(key & 7);
        uint64_t *slot = field == 1   ? &t->start
                         : field == 2 ? &t->end
                         : field == 4 ? &t->token
                         : field == 5 ? &t->keyword
                                      : NULL;
        if (slot && wt == 0) {
            if (!pb_varint(&b, slot))
                return false;
        } else if (!pb_skip(&b, wt)) {
            return false;
        }
    }
    return true;
}

static sql_token_kind_t kind_of(const char *text, const raw_token_t *t)
{
    switch (t->token) {
    case PB_TOKEN_OPEN:
        return SQL_TOKEN_OPEN;
    case PB_TOKEN_CLOSE:
        return SQL_TOKEN_CLOSE;
    case PB_TOKEN_SEMI:
        return SQL_TOKEN_SEMI;
    case PB_TOKEN_SQL_COMMENT:
    case PB_TOKEN_C_COMMENT:
        return SQL_TOKEN_COMMENT;
    case PB_TOKEN_UIDENT:
        return SQL_TOKEN_QUOTED;
    case PB_TOKEN_IDENT:
        return text[t->start] == '"' ? SQL_TOKEN_QUOTED : SQL_TOKEN_WORD;
    default:
        return t->keyword ? SQL_TOKEN_WORD : SQL_TOKEN_OTHER;
    }
}

/* Decodes r's tokens into out (appending); spans are checked against len. */
static void decode(const char *text, size_t len, const PgQueryProtobuf *buf, sql_tokens_t *out)
{
    pb_t b = {(const uint8_t *)buf->data, (const uint8_t *)buf->data + buf->len};
    size_t cap = 0;
    while (b.p < b.end) {
        uint64_t key;
        if (!pb_varint(&b, &key))
            return;
        if (key >> 3 != 2 || (key & 7) != 2) {
            if (!pb_skip(&b, (unsigned)(key & 7)))
                return;
            continue;
        }
        uint64_t n;
        if (!pb_varint(&b, &n) || n > (uint64_t)(b.end - b.p))
            return;
        pb_t sub = {b.p, b.p + n};
        b.p += n;
        raw_token_t t;
        if (!read_token(sub, &t) || t.start >= t.end || t.end > len)
            continue;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 64;
            out->v = xrealloc(out->v, cap * sizeof *out->v);
        }
        out->v[out->n++] = (sql_token_t){(size_t)t.start, (size_t)t.end, kind_of(text, &t)};
    }
}

/* Scans s (NUL-terminated, its first n bytes); on a refusal returns the byte
 * offset of the refused token, else n. */
static size_t scan_once(const char *s, size_t n, sql_tokens_t *out)
{
    PgQueryScanResult r = pg_query_scan(s);
    size_t stop = n;
    if (r.error) {
        /* cursorpos: Postgres's 1-based character position. */
        stop = r.error->cursorpos > 0 ? sql_char_offset(s, n, r.error->cursorpos) : 0;
    } else {
        decode(s, n, &r.pbuf, out);
    }
    pg_query_free_scan_result(r);
    return stop;
}

void sql_scan(const char *text, size_t len, sql_tokens_t *out)
{
    memset(out, 0, sizeof *out);
    size_t n = strnlen(text, len);
    char *copy = xmalloc(n + 1);
    memcpy(copy, text, n);
    copy[n] = '\0';
    size_t stop = scan_once(copy, n, out);
    if (stop < n) {
        /* The scanner gives nothing when it refuses; the text before the
         * refused token scans on its own (tokens end at token boundaries). */
        copy[stop] = '\0';
        if (scan_once(copy, stop, out) < stop)
            stop = 0; /* not seen: were it so, nothing counts as scanned */
    }
    out->stopped_at = stop;
    free(copy);
}

void sql_tokens_dispose(sql_tokens_t *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

bool sql_token_is(const char *text, const sql_token_t *k, const char *word)
{
    size_t n = strlen(word);
    return k->kind == SQL_TOKEN_WORD && k->end - k->start == n &&
           strncasecmp(text + k->start, word, n) == 0;
}
