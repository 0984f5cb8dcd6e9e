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
    mock_request_t *out; /* where on_message_complete writes the request */
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

static int on_message_complete(llhttp_t *l)
{
    http_parser_t *p = parser_of(l);
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
    req->keep_alive = llhttp_should_keep_alive(l) != 0 && !l->upgrade;
    req->http_minor = l->http_minor;
    if (p->body.cap > HTTP_KEEP_BODY_BYTES)
        buf_dispose(&p->body);
    p->headers = NULL;
    p->in_request = false;
    p->expect_continue = false;
    p->complete = true;
    return HPE_PAUSED;
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
    llhttp_errno_t err = llhttp_execute(&p->llhttp, data, len);
    p->arena = NULL;
    p->out = NULL;
    if (p->complete && (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE)) {
        *consumed = (size_t)(llhttp_get_error_pos(&p->llhttp) - data);
        if (err == HPE_PAUSED)
            llhttp_resume(&p->llhttp);
        else
            llhttp_resume_after_upgrade(&p->llhttp);
        return HTTP_RESULT_REQUEST;
    }
    if (err != HPE_OK) {
        if (!p->error_status) {
            p->error_status = 400;
            p->error_reason = llhttp_errno_name(err);
        }
        return HTTP_RESULT_ERROR;
    }
    *consumed = len;
    if (p->in_head) {
        p->head_prev += len;
        /* Bytes llhttp swallowed without a span (e.g. whitespace) count too. */
        if (p->head_prev > MOCK_MAX_HEADER_BYTES) {
            fail(p, 431, "request head too large");
            return HTTP_RESULT_ERROR;
        }
    }
    return HTTP_RESULT_NEED_MORE;
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
