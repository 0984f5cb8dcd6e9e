/* llhttp glue: turns bytes into mock_request_t values (one complete request per
 * call, so pipelined requests come out in order) and mock_response_t values
 * into bytes. It enforces the head and body caps while parsing. It does no I/O
 * and keeps no state beyond the request being parsed. */
#include "http.h"

#include "caps.h"
#include "urlcodec.h"
#include "xalloc.h"

#include <llhttp.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Body buffers larger than this are released after each request instead of
 * being kept for the next one, so an idle keep-alive connection that once
 * received a big body does not pin that memory. */
#define HTTP_KEEP_BODY_BYTES (64 * 1024)

struct http_parser {
    llhttp_t llhttp;
    size_t max_body_bytes;
    /* Per-feed context, valid only during http_parser_feed. */
    arena_t *arena;
    const char *cur_data;
    /* The last byte other than SP and HTAB of earlier feeds (0 before the
     * first), so a span that starts a feed can still see what precedes it. */
    char prev_tail;
    /* The request being parsed. url/field/value/body are owned here and reused;
     * finished headers are copied into the arena at once. */
    buf_t url;
    buf_t field;
    buf_t value;
    buf_t body;
    mock_header_t *headers; /* arena array of MOCK_MAX_HEADERS, NULL before message begin */
    size_t header_count;
    bool in_request;
    bool in_head;
    size_t head_prev; /* head bytes fed in earlier calls */
    bool expect_continue;
    bool complete;
    /* A chunked body is decoded here, not by llhttp (see chunks_feed): llhttp
     * pauses after the head and is reset after the body. */
    bool in_chunks;
    int chunk_state;
    uint64_t chunk_left;     /* size of the chunk being read, then what is left of it */
    size_t chunk_digits;     /* hex digits of the size being read */
    size_t chunk_line_bytes; /* bytes of the size line or trailer section so far */
    bool chunk_ws;           /* BWS seen since the last token of a size line */
    bool keep_alive;         /* decided at the end of the head for chunked requests */
    mock_request_t *out;     /* where on_message_complete writes the request */
    int error_status;
    const char *error_reason;
};

static http_parser_t *parser_of(llhttp_t *l)
{
    return (http_parser_t *)l->data;
}

static int fail(http_parser_t *p, int status, const char *reason)
{
    p->error_status = status;
    p->error_reason = reason;
    return -1;
}

/* Head accounting: the offset just past a span in the current buffer plus what
 * earlier calls fed while this head was arriving. */
static int check_head(http_parser_t *p, const char *at, size_t len)
{
    if (!p->in_head)
        return 0;
    size_t used = p->head_prev + (size_t)(at + len - p->cur_data);
    if (used > MOCK_MAX_HEADER_BYTES)
        return fail(p, 431, "request head too large");
    return 0;
}

static int on_message_begin(llhttp_t *l)
{
    http_parser_t *p = parser_of(l);
    p->in_request = true;
    p->in_head = true;
    p->head_prev = 0;
    p->expect_continue = false;
    p->complete = false;
    p->header_count = 0;
    p->headers = arena_alloc(p->arena, sizeof(mock_header_t) * MOCK_MAX_HEADERS);
    buf_reset(&p->url);
    buf_reset(&p->field);
    buf_reset(&p->value);
    buf_reset(&p->body);
    return 0;
}

static int on_url(llhttp_t *l, const char *at, size_t len)
{
    http_parser_t *p = parser_of(l);
    if (check_head(p, at, len) < 0)
        return -1;
    buf_append(&p->url, at, len);
    return 0;
}

static int on_header_field(llhttp_t *l, const char *at, size_t len)
{
    http_parser_t *p = parser_of(l);
    if (check_head(p, at, len) < 0)
        return -1;
    buf_append(&p->field, at, len);
    return 0;
}

static int on_header_value(llhttp_t *l, const char *at, size_t len)
{
    http_parser_t *p = parser_of(l);
    if (check_head(p, at, len) < 0)
        return -1;
    /* llhttp 8 joins an obs-fold (a header line that starts with SP or HTAB)
     * to the value before it; the value's span then starts after a LF and
     * that whitespace, where an ordinary value's follows the colon and OWS.
     * RFC 9112 §5.2 lets a server refuse obs-fold with 400, and llhttp 9 does
     * unless its lenient-headers flag is on ("Unexpected whitespace after
     * header value"). An empty value's span is empty and sits after its LF. */
    if (len > 0) {
        const char *q = at;
        while (q > p->cur_data && (q[-1] == ' ' || q[-1] == '\t'))
            q--;
        char before = q > p->cur_data ? q[-1] : p->prev_tail;
        if (before == '\n')
            return fail(p, 400, "obsolete line folding in a header");
    }
    buf_append(&p->value, at, len);
    return 0;
}

static int on_header_value_complete(llhttp_t *l)
{
    http_parser_t *p = parser_of(l);
    if (p->header_count >= MOCK_MAX_HEADERS)
        return fail(p, 431, "too many request headers");
    char *name = arena_strndup(p->arena, buf_cstr(&p->field), p->field.len);
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    const char *v = buf_cstr(&p->value);
    size_t n = p->value.len;
    while (n > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    p->headers[p->header_count].name = name;
    p->headers[p->header_count].value = arena_strndup(p->arena, v, n);
    p->header_count++;
    buf_reset(&p->field);
    buf_reset(&p->value);
    return 0;
}

static int on_headers_complete(llhttp_t *l)
{
    http_parser_t *p = parser_of(l);
    p->in_head = false;
    if (l->http_major != 1)
        return fail(p, 400, "unsupported HTTP version");
    bool chunked = (l->flags & F_CHUNKED) != 0;
    bool has_length = (l->flags & F_CONTENT_LENGTH) != 0;
    if (has_length && l->content_length > p->max_body_bytes)
        return fail(p, 413, "request body too large");
    const char *expect = mock_headers_find(p->headers, p->header_count, "expect");
    if (expect && strcasecmp(expect, "100-continue") == 0 &&
        (chunked || (has_length && l->content_length > 0)))
        p->expect_continue = true;
    if (chunked) {
        /* llhttp 8.1 refuses valid chunk extensions (`;a=1;b=2`, quoted-pairs),
         * so the body is decoded by chunks_feed; llhttp stops here. The
         * keep-alive answer is taken now: llhttp is reset after the body. */
        p->in_chunks = true;
        p->chunk_state = 0;
        p->chunk_left = 0;
        p->chunk_digits = 0;
        p->chunk_line_bytes = 0;
        p->chunk_ws = false;
        bool upgrade = ((l->flags & F_UPGRADE) && (l->flags & F_CONNECTION_UPGRADE)) ||
                       l->method == HTTP_CONNECT;
        p->keep_alive = llhttp_should_keep_alive(l) != 0 && !upgrade;
        return HPE_PAUSED;
    }
    return 0;
}

static int on_body(llhttp_t *l, const char *at, size_t len)
{
    http_parser_t *p = parser_of(l);
    if (p->body.len + len > p->max_body_bytes)
        return fail(p, 413, "request body too large");
    buf_append(&p->body, at, len);
    return 0;
}

/* The request-target up to '?' or '#': origin-form as is, absolute-form
 * ("http://host/path") without scheme and authority. */
static void split_target(const char *t, size_t n, size_t *path_start, size_t *path_end,
                         size_t *query_start, size_t *query_end)
{
    size_t s = 0;
    if ((n >= 7 && strncasecmp(t, "http://", 7) == 0) ||
        (n >= 8 && strncasecmp(t, "https://", 8) == 0)) {
        s = (size_t)(strchr(t, '/') - t) + 2;
        while (s < n && t[s] != '/' && t[s] != '?' && t[s] != '#')
            s++;
    }
    size_t e = s;
    while (e < n && t[e] != '?' && t[e] != '#')
        e++;
    *path_start = s;
    *path_end = e;
    size_t qs = e, qe = e;
    if (e < n && t[e] == '?') {
        qs = e + 1;
        qe = qs;
        while (qe < n && t[qe] != '#')
            qe++;
    }
    *query_start = qs;
    *query_end = qe;
}

/* Fills *p->out with the request parsed so far; keep_alive as given. */
static void finish_request(http_parser_t *p, llhttp_t *l, bool keep_alive)
{
    mock_request_t *req = p->out;
    arena_t *a = p->arena;
    memset(req, 0, sizeof *req);
    req->arena = a;
    req->method = llhttp_method_name((llhttp_method_t)l->method);
    req->target = arena_strndup(a, buf_cstr(&p->url), p->url.len);
    size_t ps, pe, qs, qe;
    split_target(req->target, p->url.len, &ps, &pe, &qs, &qe);
    req->path = pe > ps ? url_path_decode(a, req->target + ps, pe - ps) : "/";
    req->query = arena_strndup(a, req->target + qs, qe - qs);
    req->headers = p->headers;
    req->header_count = p->header_count;
    req->body = arena_strndup(a, buf_cstr(&p->body), p->body.len);
    req->body_len = p->body.len;
    req->keep_alive = keep_alive;
    req->http_minor = l->http_minor;
    if (p->body.cap > HTTP_KEEP_BODY_BYTES)
        buf_dispose(&p->body);
    p->headers = NULL;
    p->in_request = false;
    p->expect_continue = false;
    p->complete = true;
}

static int on_message_complete(llhttp_t *l)
{
    http_parser_t *p = parser_of(l);
    finish_request(p, l, llhttp_should_keep_alive(l) != 0 && !l->upgrade);
    return HPE_PAUSED;
}

/* ---- chunked bodies (RFC 9112 §7.1) ----
 *
 *   chunked-body   = *chunk last-chunk trailer-section CRLF
 *   chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-size     = 1*HEXDIG
 *   chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 *   chunk-ext-val  = token / quoted-string
 *   trailer-section = *( field-line CRLF )
 *
 * Strictly: every line ends in CRLF (no bare LF or CR), a chunk's data is
 * followed by exactly CRLF, a size that does not fit 64 bits is an error,
 * extensions are checked against the grammar and then ignored, and trailer
 * fields are checked (token ":" field-value, no obs-fold) and discarded
 * (RFC 9110 §6.5.1 lets a recipient discard them). Whitespace is allowed only
 * where the grammar has BWS, so `3 \r\n` is refused. */

enum {
    CH_SIZE,          /* hex digits */
    CH_EXT_BWS,       /* after the size or a complete extension: BWS, ';' or CR */
    CH_EXT_NAME0,     /* after ';': BWS, then the first tchar of a name */
    CH_EXT_NAME,      /* in a name */
    CH_EXT_EQ_BWS,    /* after a name and BWS: '=', ';' or CR */
    CH_EXT_VAL0,      /* after '=': BWS, then a tchar or DQUOTE */
    CH_EXT_TOKEN,     /* in a token value */
    CH_EXT_QUOTED,    /* in a quoted-string */
    CH_EXT_QPAIR,     /* after a backslash in a quoted-string */
    CH_SIZE_LF,       /* after the size line's CR */
    CH_DATA,          /* chunk data */
    CH_DATA_CR,       /* the CR after chunk data */
    CH_DATA_LF,       /* the LF after chunk data */
    CH_TRAILER_START, /* start of a trailer line, or the final CRLF */
    CH_TRAILER_NAME,  /* in a field name */
    CH_TRAILER_VALUE, /* after the colon */
    CH_TRAILER_LF,    /* after a trailer line's CR */
    CH_END_LF,        /* after the final CR */
};

/* RFC 9110 §5.6.2 tchar. */
static bool is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 9110 §5.6.4 qdtext, and what a quoted-pair may escape. */
static bool is_qdtext(unsigned char c)
{
    return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
           (c >= 0x5d && c <= 0x7e) || c >= 0x80;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes chunked body bytes data[0..len). Returns 1 when the body ended
 * (*used: the bytes that belonged to it), 0 when every byte was used and more
 * are needed, -1 on an error (p->error_status set). */
static int chunks_feed(http_parser_t *p, const char *data, size_t len, size_t *used)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)data[i];
        if (p->chunk_state == CH_DATA) {
            size_t n = len - i;
            if (n > p->chunk_left)
                n = (size_t)p->chunk_left;
            buf_append(&p->body, data + i, n);
            p->chunk_left -= n;
            i += n;
            if (p->chunk_left == 0)
                p->chunk_state = CH_DATA_CR;
            continue;
        }
        i++;
        /* Size lines and trailers are capped like a head. */
        if (++p->chunk_line_bytes > MOCK_MAX_HEADER_BYTES)
            return p->chunk_state >= CH_TRAILER_START ? fail(p, 431, "request trailers too large")
                                                      : fail(p, 400, "chunk size line too long");
        switch (p->chunk_state) {
        case CH_SIZE: {
            int h = hex_value(c);
            if (h >= 0) {
                if (p->chunk_left > (UINT64_MAX >> 4))
                    return fail(p, 400, "chunk size overflow");
                p->chunk_left = (p->chunk_left << 4) | (uint64_t)h;
                p->chunk_digits++;
                break;
            }
            if (p->chunk_digits == 0)
                return fail(p, 400, "invalid chunk size");
            p->chunk_state = CH_EXT_BWS;
            i--; /* look at it again there */
            p->chunk_line_bytes--;
            break;
        }
        case CH_EXT_BWS:
            /* BWS belongs before a ';' only: "3 \r\n" is refused. */
            if (c == ' ' || c == '\t') {
                p->chunk_ws = true;
                break;
            }
            if (c == ';')
                p->chunk_state = CH_EXT_NAME0;
            else if (c == '\r' && !p->chunk_ws)
                p->chunk_state = CH_SIZE_LF;
            else
                return fail(p, 400, "invalid chunk extension");
            p->chunk_ws = false;
            break;
        case CH_EXT_NAME0:
            if (c == ' ' || c == '\t')
                break;
            if (!is_tchar(c))
                return fail(p, 400, "invalid chunk extension name");
            p->chunk_state = CH_EXT_NAME;
            break;
        case CH_EXT_NAME:
            if (is_tchar(c))
                break;
            p->chunk_state = CH_EXT_EQ_BWS;
            i--; /* look at it again there */
            p->chunk_line_bytes--;
            break;
        case CH_EXT_EQ_BWS:
            if (c == ' ' || c == '\t') {
                p->chunk_ws = true;
                break;
            }
            if (c == '=')
                p->chunk_state = CH_EXT_VAL0;
            else if (c == ';')
                p->chunk_state = CH_EXT_NAME0;
            else if (c == '\r' && !p->chunk_ws)
                p->chunk_state = CH_SIZE_LF;
            else
                return fail(p, 400, "invalid chunk extension");
            p->chunk_ws = false;
            break;
        case CH_EXT_VAL0:
            if (c == ' ' || c == '\t')
                break;
            if (c == '"')
                p->chunk_state = CH_EXT_QUOTED;
            else if (is_tchar(c))
                p->chunk_state = CH_EXT_TOKEN;
            else
                return fail(p, 400, "invalid chunk extension value");
            break;
        case CH_EXT_TOKEN:
            if (is_tchar(c))
                break;
            p->chunk_state = CH_EXT_BWS;
            i--;
            p->chunk_line_bytes--;
            break;
        case CH_EXT_QUOTED:
            if (c == '"')
                p->chunk_state = CH_EXT_BWS;
            else if (c == '\\')
                p->chunk_state = CH_EXT_QPAIR;
            else if (!is_qdtext(c))
                return fail(p, 400, "invalid chunk extension value");
            break;
        case CH_EXT_QPAIR:
            /* quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
            if (c != '\t' && c < 0x20)
                return fail(p, 400, "invalid chunk extension value");
            if (c == 0x7f)
                return fail(p, 400, "invalid chunk extension value");
            p->chunk_state = CH_EXT_QUOTED;
            break;
        case CH_SIZE_LF:
            if (c != '\n')
                return fail(p, 400, "expected LF after chunk size");
            p->chunk_line_bytes = 0;
            p->chunk_digits = 0;
            if (p->chunk_left == 0) {
                p->chunk_state = CH_TRAILER_START;
            } else {
                if (p->chunk_left > p->max_body_bytes - p->body.len)
                    return fail(p, 413, "request body too large");
                p->chunk_state = CH_DATA;
            }
            break;
        case CH_DATA_CR:
            if (c != '\r')
                return fail(p, 400, "expected CRLF after chunk data");
            p->chunk_state = CH_DATA_LF;
            break;
        case CH_DATA_LF:
            if (c != '\n')
                return fail(p, 400, "expected CRLF after chunk data");
            p->chunk_state = CH_SIZE;
            p->chunk_left = 0;
            p->chunk_line_bytes = 0;
            break;
        case CH_TRAILER_START:
            if (c == '\r')
                p->chunk_state = CH_END_LF;
            else if (is_tchar(c))
                p->chunk_state = CH_TRAILER_NAME;
            else /* obs-fold, bare LF, anything else */
                return fail(p, 400, "invalid trailer field");
            break;
        case CH_TRAILER_NAME:
            if (c == ':')
                p->chunk_state = CH_TRAILER_VALUE;
            else if (!is_tchar(c))
                return fail(p, 400, "invalid trailer field");
            break;
        case CH_TRAILER_VALUE:
            /* field-value: VCHAR, obs-text, SP, HTAB; the line ends in CRLF. */
            if (c == '\r')
                p->chunk_state = CH_TRAILER_LF;
            else if ((c < 0x20 && c != '\t') || c == 0x7f)
                return fail(p, 400, "invalid trailer field");
            break;
        case CH_TRAILER_LF:
            if (c != '\n')
                return fail(p, 400, "expected LF after trailer field");
            p->chunk_state = CH_TRAILER_START;
            break;
        case CH_END_LF:
            if (c != '\n')
                return fail(p, 400, "expected LF at the end of the chunked body");
            *used = i;
            return 1;
        default:
            MOCK_ASSERT(!"unknown chunk state");
        }
    }
    *used = len;
    return 0;
}

static const llhttp_settings_t http_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

http_parser_t *http_parser_new(size_t max_body_bytes)
{
    http_parser_t *p = xcalloc(1, sizeof *p);
    llhttp_init(&p->llhttp, HTTP_REQUEST, &http_settings);
    p->llhttp.data = p;
    p->max_body_bytes = max_body_bytes;
    buf_init(&p->url);
    buf_init(&p->field);
    buf_init(&p->value);
    buf_init(&p->body);
    return p;
}

void http_parser_free(http_parser_t *p)
{
    if (!p)
        return;
    buf_dispose(&p->url);
    buf_dispose(&p->field);
    buf_dispose(&p->value);
    buf_dispose(&p->body);
    free(p);
}

static void remember_tail(http_parser_t *p, const char *data, size_t len)
{
    while (len > 0 && (data[len - 1] == ' ' || data[len - 1] == '\t'))
        len--;
    if (len > 0)
        p->prev_tail = data[len - 1];
}

http_result_t http_parser_feed(http_parser_t *p, arena_t *arena, const char *data, size_t len,
                               size_t *consumed, mock_request_t *req)
{
    *consumed = 0;
    if (p->error_status)
        return HTTP_RESULT_ERROR;
    p->arena = arena;
    p->cur_data = data;
    p->out = req;
    p->complete = false;
    http_result_t result = HTTP_RESULT_NEED_MORE;
    size_t off = 0;
    if (!p->in_chunks) {
        llhttp_errno_t err = llhttp_execute(&p->llhttp, data, len);
        if (p->complete && (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE)) {
            *consumed = (size_t)(llhttp_get_error_pos(&p->llhttp) - data);
            remember_tail(p, data, *consumed);
            if (err == HPE_PAUSED)
                llhttp_resume(&p->llhttp);
            else
                llhttp_resume_after_upgrade(&p->llhttp);
            result = HTTP_RESULT_REQUEST;
            goto done;
        }
        if (err == HPE_PAUSED && p->in_chunks) {
            /* on_headers_complete paused at the first byte of the body. */
            off = (size_t)(llhttp_get_error_pos(&p->llhttp) - data);
        } else if (err != HPE_OK) {
            if (!p->error_status) {
                p->error_status = 400;
                p->error_reason = llhttp_errno_name(err);
            }
            result = HTTP_RESULT_ERROR;
            goto done;
        } else {
            *consumed = len;
            remember_tail(p, data, len);
            if (p->in_head) {
                p->head_prev += len;
                /* Bytes llhttp swallowed without a span (e.g. whitespace) count too. */
                if (p->head_prev > MOCK_MAX_HEADER_BYTES) {
                    fail(p, 431, "request head too large");
                    result = HTTP_RESULT_ERROR;
                }
            }
            goto done;
        }
    }
    size_t used = 0;
    int r = chunks_feed(p, data + off, len - off, &used);
    if (r < 0) {
        result = HTTP_RESULT_ERROR;
    } else if (r == 0) {
        *consumed = len;
        remember_tail(p, data, len);
    } else {
        finish_request(p, &p->llhttp, p->keep_alive);
        p->in_chunks = false;
        llhttp_reset(&p->llhttp);
        *consumed = off + used;
        remember_tail(p, data, *consumed);
        result = HTTP_RESULT_REQUEST;
    }
done:
    p->arena = NULL;
    p->out = NULL;
    return result;
}

int http_parser_error_status(const http_parser_t *p)
{
    return p->error_status ? p->error_status : 400;
}

const char *http_parser_error_reason(const http_parser_t *p)
{
    return p->error_reason ? p->error_reason : "malformed request";
}

bool http_parser_take_expect_continue(http_parser_t *p)
{
    bool e = p->expect_continue;
    p->expect_continue = false;
    return e;
}

bool http_parser_in_request(const http_parser_t *p)
{
    return p->in_request;
}

const char *http_continue_line(void)
{
    return "HTTP/1.1 100 Continue\r\n\r\n";
}

bool http_response_serialize(const mock_response_t *resp, int http_minor, bool close, buf_t *out)
{
    int st = resp->status;
    /* One allocation for the usual head plus the body. */
    buf_reserve(out, 512 + resp->body.len);
    buf_puts(out, "HTTP/1.1 ");
    buf_put_int(out, st);
    buf_putc(out, ' ');
    buf_puts(out, mock_reason_phrase(st));
    buf_puts(out, "\r\n");
    for (size_t i = 0; i < resp->header_count; i++) {
        buf_puts(out, resp->headers[i].name);
        buf_puts(out, ": ");
        buf_puts(out, resp->headers[i].value);
        buf_puts(out, "\r\n");
    }
    bool bodiless_status = (st >= 100 && st < 200) || st == 204 || st == 304;
    bool framed = bodiless_status || resp->omit_body;
    if (resp->length_mode == MOCK_LENGTH_AUTO && !bodiless_status) {
        buf_puts(out, "Content-Length: ");
        buf_put_int(out, (long long)resp->body.len);
        buf_puts(out, "\r\n");
        framed = true;
    }
    bool write_body = !resp->omit_body && !bodiless_status && resp->body.len > 0;
    /* Without a length, only closing the connection can end a body. */
    if (!framed && write_body)
        close = true;
    if (close)
        buf_puts(out, "Connection: close\r\n");
    else if (http_minor == 0)
        buf_puts(out, "Connection: keep-alive\r\n");
    buf_puts(out, "\r\n");
    if (write_body)
        buf_append(out, resp->body.data, resp->body.len);
    return close;
}

void http_error_response(mock_response_t *resp, int status)
{
    const char *msg;
    switch (status) {
    case 400:
        msg = "Bad request";
        break;
    case 413:
        msg = "Request body too large";
        break;
    case 431:
        msg = "Request header fields too large";
        break;
    default:
        msg = mock_reason_phrase(status);
        break;
    }
    resp->status = status;
    mock_response_add_header(resp, "Content-Type", "application/json");
    buf_puts(&resp->body, "{\"message\":");
    buf_put_json_string(&resp->body, msg);
    buf_putc(&resp->body, '}');
    resp->close = true;
}
