/* Unit tests for http.c: request parsing (request line, headers, chunked
 * bodies, limits, pipelined buffers) and response serialisation, through
 * http.h only. Expected framing follows RFC 9112 (HTTP/1.1 message syntax):
 * §6.3 for body length, §7.1 for chunked coding, §9.3 for persistence. */
#include "http.h"

#include "caps.h"
#include "xalloc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef struct fixture {
    http_parser_t *p;
    arena_t *arena;
    mock_request_t req;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = xcalloc(1, sizeof *f);
    f->p = http_parser_new(1000);
    f->arena = arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    http_parser_free(f->p);
    arena_free(f->arena);
    free(f);
    return 0;
}

/* Feeds the whole string; returns the result and sets *consumed. */
static http_result_t feed(fixture_t *f, const char *s, size_t *consumed)
{
    size_t c = 0;
    http_result_t r = http_parser_feed(f->p, f->arena, s, strlen(s), &c, &f->req);
    if (consumed)
        *consumed = c;
    return r;
}

static void test_request_line_and_headers(void **state)
{
    fixture_t *f = *state;
    const char *s = "GET /rest/v1/profiles?select=id,name&id=eq.1 HTTP/1.1\r\n"
                    "Host: localhost\r\n"
                    "ApiKey:   abc  \r\n"
                    "X-Empty:\r\n"
                    "\r\n";
    size_t used;
    assert_int_equal(feed(f, s, &used), HTTP_RESULT_REQUEST);
    assert_int_equal(used, strlen(s));
    assert_string_equal(f->req.method, "GET");
    assert_string_equal(f->req.target, "/rest/v1/profiles?select=id,name&id=eq.1");
    assert_string_equal(f->req.path, "/rest/v1/profiles");
    assert_string_equal(f->req.query, "select=id,name&id=eq.1");
    assert_int_equal(f->req.header_count, 3);
    /* Names lowercased, values trimmed (RFC 9110 §5.5: OWS is not part of the value). */
    assert_string_equal(f->req.headers[1].name, "apikey");
    assert_string_equal(f->req.headers[1].value, "abc");
    assert_string_equal(mock_request_header(&f->req, "host"), "localhost");
    assert_string_equal(mock_request_header(&f->req, "x-empty"), "");
    assert_string_equal(f->req.body, "");
    assert_int_equal(f->req.body_len, 0);
    assert_true(f->req.keep_alive);
    assert_int_equal(f->req.http_minor, 1);
    assert_ptr_equal(f->req.arena, f->arena);
}

static void test_path_percent_decoded_query_raw(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(feed(f, "GET /a%20b%2Fc+d%zz%00?x=%20+y HTTP/1.1\r\n\r\n", NULL),
                     HTTP_RESULT_REQUEST);
    /* '+' is not a space in a path; bad escapes and %00 stay literal. */
    assert_string_equal(f->req.path, "/a b/c+d%zz%00");
    assert_string_equal(f->req.query, "x=%20+y");
}

static void test_absolute_form_and_no_query(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(feed(f, "GET http://example.com:80/p/q HTTP/1.1\r\n\r\n", NULL),
                     HTTP_RESULT_REQUEST);
    assert_string_equal(f->req.path, "/p/q");
    assert_string_equal(f->req.query, "");
}

static void test_byte_by_byte(void **state)
{
    fixture_t *f = *state;
    const char *s = "POST /x HTTP/1.1\r\nContent-Length: 5\r\nX-Long-Name: some value\r\n\r\nhello";
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        size_t used = 0;
        http_result_t r = http_parser_feed(f->p, f->arena, s + i, 1, &used, &f->req);
        assert_int_equal(used, 1);
        assert_int_equal(r, i + 1 == n ? HTTP_RESULT_REQUEST : HTTP_RESULT_NEED_MORE);
    }
    assert_string_equal(f->req.method, "POST");
    assert_string_equal(mock_request_header(&f->req, "x-long-name"), "some value");
    assert_int_equal(f->req.body_len, 5);
    assert_string_equal(f->req.body, "hello");
}

static void test_chunked_body(void **state)
{
    fixture_t *f = *state;
    const char *s = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n";
    size_t used;
    assert_int_equal(feed(f, s, &used), HTTP_RESULT_REQUEST);
    assert_int_equal(used, strlen(s));
    assert_int_equal(f->req.body_len, 11);
    assert_string_equal(f->req.body, "hello world");
}

static void test_pipelined_buffer(void **state)
{
    fixture_t *f = *state;
    const char *a = "GET /one HTTP/1.1\r\n\r\n";
    const char *b = "POST /two HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}";
    const char *c = "GET /thr";
    char all[256];
    snprintf(all, sizeof all, "%s%s%s", a, b, c);
    size_t off = 0, used = 0, len = strlen(all);
    assert_int_equal(http_parser_feed(f->p, f->arena, all, len, &used, &f->req),
                     HTTP_RESULT_REQUEST);
    assert_int_equal(used, strlen(a));
    assert_string_equal(f->req.path, "/one");
    off += used;
    arena_reset(f->arena);
    assert_int_equal(http_parser_feed(f->p, f->arena, all + off, len - off, &used, &f->req),
                     HTTP_RESULT_REQUEST);
    assert_int_equal(used, strlen(b));
    assert_string_equal(f->req.path, "/two");
    assert_string_equal(f->req.body, "{}");
    off += used;
    arena_reset(f->arena);
    assert_int_equal(http_parser_feed(f->p, f->arena, all + off, len - off, &used, &f->req),
                     HTTP_RESULT_NEED_MORE);
    assert_int_equal(used, strlen(c));
    assert_true(http_parser_in_request(f->p));
    assert_int_equal(feed(f, "ee HTTP/1.1\r\n\r\n", NULL), HTTP_RESULT_REQUEST);
    assert_string_equal(f->req.path, "/three");
    assert_false(http_parser_in_request(f->p));
}

static void test_keep_alive_rules(void **state)
{
    fixture_t *f = *state;
    /* RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive". */
    assert_int_equal(feed(f, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", NULL),
                     HTTP_RESULT_REQUEST);
    assert_false(f->req.keep_alive);
    http_parser_free(f->p);
    f->p = http_parser_new(1000);
    assert_int_equal(feed(f, "GET / HTTP/1.0\r\n\r\n", NULL), HTTP_RESULT_REQUEST);
    assert_false(f->req.keep_alive);
    assert_int_equal(f->req.http_minor, 0);
    http_parser_free(f->p);
    f->p = http_parser_new(1000);
    assert_int_equal(feed(f, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", NULL),
                     HTTP_RESULT_REQUEST);
    assert_true(f->req.keep_alive);
}

static void test_garbage_is_400(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(feed(f, "NOT HTTP AT ALL\r\n\r\n", NULL), HTTP_RESULT_ERROR);
    assert_int_equal(http_parser_error_status(f->p), 400);
    /* The parser stays dead. */
    assert_int_equal(feed(f, "GET / HTTP/1.1\r\n\r\n", NULL), HTTP_RESULT_ERROR);
}

static void test_http2_preface_is_400(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(feed(f, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", NULL), HTTP_RESULT_ERROR);
    assert_int_equal(http_parser_error_status(f->p), 400);
}

static void test_head_over_16k_is_431(void **state)
{
    fixture_t *f = *state;
    char *big = xmalloc(MOCK_MAX_HEADER_BYTES + 100);
    memset(big, 'a', MOCK_MAX_HEADER_BYTES + 99);
    big[MOCK_MAX_HEADER_BYTES + 99] = '\0';
    assert_int_equal(feed(f, "GET / HTTP/1.1\r\nX-Big: ", NULL), HTTP_RESULT_NEED_MORE);
    assert_int_equal(feed(f, big, NULL), HTTP_RESULT_ERROR);
    assert_int_equal(http_parser_error_status(f->p), 431);
    free(big);
}

static void test_head_just_under_16k_is_fine(void **state)
{
    fixture_t *f = *state;
    const char *pre = "GET / HTTP/1.1\r\nX-Big: ";
    size_t fill = MOCK_MAX_HEADER_BYTES - strlen(pre) - 4;
    char *s = xmalloc(MOCK_MAX_HEADER_BYTES + 1);
    strcpy(s, pre);
    memset(s + strlen(pre), 'a', fill);
    strcpy(s + strlen(pre) + fill, "\r\n\r\n");
    assert_int_equal(strlen(s), MOCK_MAX_HEADER_BYTES);
    assert_int_equal(feed(f, s, NULL), HTTP_RESULT_REQUEST);
    free(s);
}

static void test_trickled_whitespace_head_is_431(void **state)
{
    fixture_t *f = *state;
    /* Whitespace before a value produces no llhttp span; it still counts. */
    assert_int_equal(feed(f, "GET / HTTP/1.1\r\nX:", NULL), HTTP_RESULT_NEED_MORE);
    char spaces[1025];
    memset(spaces, ' ', 1024);
    spaces[1024] = '\0';
    http_result_t r = HTTP_RESULT_NEED_MORE;
    for (int i = 0; i < 20 && r == HTTP_RESULT_NEED_MORE; i++)
        r = feed(f, spaces, NULL);
    assert_int_equal(r, HTTP_RESULT_ERROR);
    assert_int_equal(http_parser_error_status(f->p), 431);
}

static void test_header_count_limit(void **state)
{
    fixture_t *f = *state;
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < MOCK_MAX_HEADERS; i++)
        buf_printf(&b, "X-H%d: v\r\n", i);
    buf_puts(&b, "\r\n");
    assert_int_equal(feed(f, b.data, NULL), HTTP_RESULT_REQUEST);
    assert_int_equal(f->req.header_count, MOCK_MAX_HEADERS);
    http_parser_free(f->p);
    f->p = http_parser_new(1000);
    buf_reset(&b);
    buf_puts(&b, "GET / HTTP/1.1\r\n");
    for (int i = 0; i <= MOCK_MAX_HEADERS; i++)
        buf_printf(&b, "X-H%d: v\r\n", i);
    buf_puts(&b, "\r\n");
    assert_int_equal(feed(f, b.data, NULL), HTTP_RESULT_ERROR);
    assert_int_equal(http_parser_error_status(f->p), 431);
    buf_dispose(&b);
}

static void test_content_length_over_limit_is_413_up_front(void **state)
{
    fixture_t *f = *state;
    /* No body byte has arrived: the declared length alone decides. */
    assert_int_equal(feed(f, "POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", NULL),
                     HTTP_RESULT_ERROR);
    assert_int_equal(http_parser_error_status(f->p), 413);
}

static void test_content_length_at_limit_is_fine(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(feed(f, "POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n", NULL),
                     HTTP_RESULT_NEED_MORE);
}

static void test_chunked_over_limit_is_413(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(feed(f, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", NULL),
                     HTTP_RESULT_NEED_MORE);
    char chunk[700];
    memset(chunk, 'x', 600);
    memcpy(chunk + 600, "\r\n", 3);
    assert_int_equal(feed(f, "258\r\n", NULL), HTTP_RESULT_NEED_MORE); /* 0x258 = 600 */
    assert_int_equal(feed(f, chunk, NULL), HTTP_RESULT_NEED_MORE);
    /* The second size line already says the body will not fit: refused
     * before its data arrives, as a Content-Length would be. */
    assert_int_equal(feed(f, "258\r\n", NULL), HTTP_RESULT_ERROR);
    assert_int_equal(http_parser_error_status(f->p), 413);
}

static void test_conflicting_framing_is_400(void **state)
{
    fixture_t *f = *state;
    /* RFC 9112 §6.3: Content-Length with Transfer-Encoding is a smuggling
     * vector; llhttp refuses it in strict mode. */
    assert_int_equal(feed(f,
                          "POST / HTTP/1.1\r\nContent-Length: 3\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                          NULL),
                     HTTP_RESULT_ERROR);
    assert_int_equal(http_parser_error_status(f->p), 400);
}

/* The one error status of a whole request fed at once. */
static int status_of(fixture_t *f, const char *s)
{
    if (feed(f, s, NULL) != HTTP_RESULT_ERROR)
        return 0;
    return http_parser_error_status(f->p);
}

static void test_chunk_data_needs_exact_crlf(void **state)
{
    fixture_t *f = *state;
    /* RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF.
     * llhttp 8's loose build took any two bytes here ("abcXX"). */
    assert_int_equal(status_of(f, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                                  "3\r\nabcXX0\r\n\r\n"),
                     400);
}

static void test_chunk_framing_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n", /* 72 bits: overflow */
        "3\nabc\r\n0\r\n\r\n",                    /* bare LF after the size */
        "3\r\nabc\n0\r\n\r\n",                    /* bare LF after the data */
        "3 \r\nabc\r\n0\r\n\r\n",                 /* BWS only goes before ';' */
        "3;\r\nabc\r\n0\r\n\r\n",                 /* ';' without a name */
        "3;a=\r\nabc\r\n0\r\n\r\n",               /* '=' without a value */
        "3;a=b=c\r\nabc\r\n0\r\n\r\n",            /* '=' is no tchar */
        "3;a=\"x\"y\r\nabc\r\n0\r\n\r\n",         /* text after a quoted-string */
        "3;a=\"x\" \r\nabc\r\n0\r\n\r\n",         /* BWS before CRLF */
        "x\r\nabc\r\n0\r\n\r\n",                  /* no hex digit */
        "3\r\nabc\r\n0\r\n X: y\r\n\r\n",         /* obs-fold in the trailers */
        "3\r\nabc\r\n0\r\nX: y\n\r\n",            /* bare LF in the trailers */
        "3\r\nabc\r\n0\r\n\rX",                   /* CR without LF at the end */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        http_parser_t *p = http_parser_new(1000);
        arena_t *a = arena_new();
        char buf[256];
        snprintf(buf, sizeof buf, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n%s",
                 bad[i]);
        mock_request_t req;
        size_t used;
        http_result_t r = http_parser_feed(p, a, buf, strlen(buf), &used, &req);
        if (r != HTTP_RESULT_ERROR || http_parser_error_status(p) != 400)
            fail_msg("case %zu (%s): result %d status %d", i, bad[i], r,
                     http_parser_error_status(p));
        http_parser_free(p);
        arena_free(a);
    }
}

static void test_chunk_extensions_accepted(void **state)
{
    (void)state;
    /* RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name
     * [ BWS "=" BWS chunk-ext-val ] ), chunk-ext-val = token / quoted-string;
     * a recipient ignores extensions it does not know. llhttp 8.1 refused
     * the ones marked (*). */
    static const char *const good[] = {
        "3;foo=bar\r\nabc\r\n0\r\n\r\n",
        "3;a=1;b=2\r\nabc\r\n0\r\n\r\n",          /* (*) */
        "3;foo=bar;baz\r\nabc\r\n0\r\n\r\n",      /* (*) */
        "3;foo=\"a\\\"b;c\"\r\nabc\r\n0\r\n\r\n", /* (*) quoted-pair */
        "3 ; foo = bar\r\nabc\r\n0\r\n\r\n",      /* (*) BWS */
        "3;!#$%&'*+-.^_`|~=v\r\nabc\r\n0\r\n\r\n",
        "3;a\r\nabc\r\n0;last=\"\"\r\n\r\n",
        "3\r\nabc\r\n0\r\nX-Trailer: 1\r\nY:\r\n\r\n", /* trailers, discarded */
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        http_parser_t *p = http_parser_new(1000);
        arena_t *a = arena_new();
        char buf[256];
        snprintf(buf, sizeof buf,
                 "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n%sGET /next HTTP/1.1\r\n"
                 "\r\n",
                 good[i]);
        mock_request_t req;
        size_t used;
        http_result_t r = http_parser_feed(p, a, buf, strlen(buf), &used, &req);
        if (r != HTTP_RESULT_REQUEST || strcmp(req.body, "abc") != 0 || req.header_count != 1)
            fail_msg("case %zu (%s): result %d (%s)", i, good[i], r, http_parser_error_reason(p));
        assert_true(req.keep_alive);
        /* The pipelined request after it parses from the right byte. */
        r = http_parser_feed(p, a, buf + used, strlen(buf) - used, &used, &req);
        assert_int_equal(r, HTTP_RESULT_REQUEST);
        assert_string_equal(req.path, "/next");
        http_parser_free(p);
        arena_free(a);
    }
}

static void test_obs_fold_is_400(void **state)
{
    (void)state;
    /* RFC 9112 §5.2: a server may refuse obs-fold with 400; llhttp 9 does
     * ("Unexpected whitespace after header value"). */
    static const char *const bad[] = {
        "GET / HTTP/1.1\r\nX-A: a\r\n  b\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A:\r\n b\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        /* Whole, and byte by byte (the fold split across reads). */
        for (int bytewise = 0; bytewise < 2; bytewise++) {
            http_parser_t *p = http_parser_new(1000);
            arena_t *a = arena_new();
            mock_request_t req;
            size_t used;
            http_result_t r = HTTP_RESULT_NEED_MORE;
            size_t n = strlen(bad[i]);
            for (size_t k = 0; k < n && r == HTTP_RESULT_NEED_MORE; k += bytewise ? 1 : n)
                r = http_parser_feed(p, a, bad[i] + k, bytewise ? 1 : n, &used, &req);
            if (r != HTTP_RESULT_ERROR || http_parser_error_status(p) != 400)
                fail_msg("case %zu bytewise %d: result %d", i, bytewise, r);
            http_parser_free(p);
            arena_free(a);
        }
    }
}

static void test_chunked_byte_by_byte(void **state)
{
    fixture_t *f = *state;
    const char *s = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5;a=\"q\"\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n";
    size_t n = strlen(s), used;
    for (size_t i = 0; i + 1 < n; i++)
        assert_int_equal(http_parser_feed(f->p, f->arena, s + i, 1, &used, &f->req),
                         HTTP_RESULT_NEED_MORE);
    assert_int_equal(http_parser_feed(f->p, f->arena, s + n - 1, 1, &used, &f->req),
                     HTTP_RESULT_REQUEST);
    assert_int_equal(used, 1);
    assert_string_equal(f->req.body, "hello world");
    assert_true(f->req.keep_alive);
}

static void test_expect_continue_flag(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(
        feed(f, "POST / HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n", NULL),
        HTTP_RESULT_NEED_MORE);
    assert_true(http_parser_take_expect_continue(f->p));
    assert_false(http_parser_take_expect_continue(f->p));
    assert_int_equal(feed(f, "{}", NULL), HTTP_RESULT_REQUEST);
    assert_string_equal(http_continue_line(), "HTTP/1.1 100 Continue\r\n\r\n");
}

static void test_expect_continue_without_body_is_not_flagged(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(feed(f, "GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n", NULL),
                     HTTP_RESULT_REQUEST);
    assert_false(http_parser_take_expect_continue(f->p));
}

/* ---- serialisation ---------------------------------------------------------- */

static char *serialize(mock_response_t *resp, int minor, bool close, bool *closes)
{
    buf_t out;
    buf_init(&out);
    bool c = http_response_serialize(resp, minor, close, &out);
    if (closes)
        *closes = c;
    return buf_steal(&out);
}

static void test_serialize_basic(void **state)
{
    (void)state;
    mock_response_t r;
    mock_response_init(&r);
    r.status = 404;
    mock_response_add_header(&r, "Content-Type", "application/json; charset=utf-8");
    mock_response_add_header(&r, "Proxy-Status", "PostgREST; error=PGRST205");
    buf_puts(&r.body, "{}");
    bool closes = true;
    char *s = serialize(&r, 1, false, &closes);
    assert_string_equal(s, "HTTP/1.1 404 Not Found\r\n"
                           "Content-Type: application/json; charset=utf-8\r\n"
                           "Proxy-Status: PostgREST; error=PGRST205\r\n"
                           "Content-Length: 2\r\n"
                           "\r\n"
                           "{}");
    assert_false(closes);
    free(s);
    mock_response_dispose(&r);
}

static void test_serialize_204_and_close(void **state)
{
    (void)state;
    mock_response_t r;
    mock_response_init(&r);
    r.status = 204;
    mock_response_add_header(&r, "Content-Range", "*/*");
    bool closes = false;
    char *s = serialize(&r, 1, true, &closes);
    /* RFC 9110 §8.6: no Content-Length in a 204. */
    assert_string_equal(s, "HTTP/1.1 204 No Content\r\nContent-Range: */*\r\n"
                           "Connection: close\r\n\r\n");
    assert_true(closes);
    free(s);
    mock_response_dispose(&r);
}

static void test_serialize_head(void **state)
{
    (void)state;
    mock_response_t r;
    mock_response_init(&r);
    buf_puts(&r.body, "[1,2]");
    r.omit_body = true;
    char *s = serialize(&r, 1, false, NULL);
    /* AUTO: the length the GET body would have (RFC 9110 §8.6), no body bytes. */
    assert_string_equal(s, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    free(s);
    r.length_mode = MOCK_LENGTH_NONE; /* as PostgREST answers HEAD */
    bool closes = true;
    s = serialize(&r, 1, false, &closes);
    assert_string_equal(s, "HTTP/1.1 200 OK\r\n\r\n");
    assert_false(closes);
    free(s);
    mock_response_dispose(&r);
}

static void test_serialize_unframed_body_forces_close(void **state)
{
    (void)state;
    mock_response_t r;
    mock_response_init(&r);
    r.length_mode = MOCK_LENGTH_NONE;
    buf_puts(&r.body, "abc");
    bool closes = false;
    char *s = serialize(&r, 1, false, &closes);
    assert_string_equal(s, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc");
    assert_true(closes);
    free(s);
    mock_response_dispose(&r);
}

static void test_serialize_http10_keep_alive(void **state)
{
    (void)state;
    mock_response_t r;
    mock_response_init(&r);
    char *s = serialize(&r, 0, false, NULL);
    assert_string_equal(s,
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
    free(s);
    mock_response_dispose(&r);
}

static void test_error_responses(void **state)
{
    (void)state;
    mock_response_t r;
    mock_response_init(&r);
    http_error_response(&r, 431);
    assert_true(r.close);
    char *s = serialize(&r, 1, r.close, NULL);
    assert_string_equal(s, "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                           "Content-Type: application/json\r\n"
                           "Content-Length: 45\r\n"
                           "Connection: close\r\n\r\n"
                           "{\"message\":\"Request header fields too large\"}");
    free(s);
    mock_response_dispose(&r);
    mock_response_init(&r);
    http_error_response(&r, 413);
    assert_int_equal(r.status, 413);
    assert_string_equal(mock_response_header(&r, "content-type"), "application/json");
    mock_response_dispose(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_request_line_and_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_percent_decoded_query_raw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absolute_form_and_no_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_byte_by_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunked_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pipelined_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_alive_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_is_400, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http2_preface_is_400, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_over_16k_is_431, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_just_under_16k_is_fine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trickled_whitespace_head_is_431, setup, teardown),
        cmocka_unit_test_setup_teardown(test_header_count_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_length_over_limit_is_413_up_front, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_content_length_at_limit_is_fine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunked_over_limit_is_413, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflicting_framing_is_400, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunk_data_needs_exact_crlf, setup, teardown),
        cmocka_unit_test(test_chunk_framing_errors),
        cmocka_unit_test(test_chunk_extensions_accepted),
        cmocka_unit_test(test_obs_fold_is_400),
        cmocka_unit_test_setup_teardown(test_chunked_byte_by_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expect_continue_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expect_continue_without_body_is_not_flagged, setup,
                                        teardown),
        cmocka_unit_test(test_serialize_basic),
        cmocka_unit_test(test_serialize_204_and_close),
        cmocka_unit_test(test_serialize_head),
        cmocka_unit_test(test_serialize_unframed_body_forces_close),
        cmocka_unit_test(test_serialize_http10_keep_alive),
        cmocka_unit_test(test_error_responses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
