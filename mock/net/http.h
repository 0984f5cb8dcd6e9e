/* HTTP/1.x framing as a pure value transformation: bytes -> mock_request_t and
 * mock_response_t -> bytes. No sockets, no timers, no event loop: server.c owns
 * those. One http_parser_t belongs to one connection and carries the state of a
 * request that arrives in several reads. */
#ifndef MOCK_HTTP_H
#define MOCK_HTTP_H

#include "arena.h"
#include "buf.h"
#include "message.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct http_parser http_parser_t;

/* What http_parser_feed found. */
typedef enum http_result {
    HTTP_RESULT_NEED_MORE = 0, /* every byte consumed, no complete request yet */
    HTTP_RESULT_REQUEST = 1,   /* *req holds one complete request; feed the rest again */
    HTTP_RESULT_ERROR = -1, /* the stream is broken: answer http_parser_error_status() and close */
} http_result_t;

/* max_body_bytes: a request body larger than this is an error (413). */
http_parser_t *http_parser_new(size_t max_body_bytes);
void http_parser_free(http_parser_t *p); /* NULL is a no-op */

/* Parses data[0..len). Stops after the first complete request, so pipelined
 * requests come out one per call: *consumed tells how many bytes were used and
 * the caller feeds data + *consumed next (after answering the request).
 * On HTTP_RESULT_REQUEST, *req is filled with strings copied into `arena` (llhttp's
 * spans point into `data`, which the caller may reuse at once); req->arena is
 * set to `arena`. The arena must be the same one for every call that
 * contributes to one request, and must not be reset before the request is
 * complete (headers are copied into it as they arrive).
 * On HTTP_RESULT_ERROR the parser is dead; http_parser_error_status() gives 400, 413
 * or 431. */
http_result_t http_parser_feed(http_parser_t *p, arena_t *arena, const char *data, size_t len,
                               size_t *consumed, mock_request_t *req);

/* The status for the last HTTP_RESULT_ERROR: 400 malformed, 413 body too large,
 * 431 head too large or too many headers. */
int http_parser_error_status(const http_parser_t *p);
/* A short reason for logs (llhttp's text or ours); valid until the next feed. */
const char *http_parser_error_reason(const http_parser_t *p);

/* True once per request when the client sent `Expect: 100-continue`, the
 * headers are complete and the body has not fully arrived: the caller should
 * write http_continue_line() now. Reading clears the flag. */
bool http_parser_take_expect_continue(http_parser_t *p);
/* True while a request has started arriving but is not complete. */
bool http_parser_in_request(const http_parser_t *p);

/* "HTTP/1.1 100 Continue\r\n\r\n" */
const char *http_continue_line(void);

/* Appends the bytes of `resp` to out: the status line with
 * mock_reason_phrase(), the response's headers in order, Content-Length per
 * resp->length_mode (AUTO: body length, omitted for 1xx, 204 and 304),
 * `Connection: close` when `close`, `Connection: keep-alive` when keeping an
 * HTTP/1.0 connection open, a blank line, then the body unless omit_body.
 * Returns whether the connection must close after these bytes: `close`, or a
 * body that has no Content-Length to frame it. */
bool http_response_serialize(const mock_response_t *resp, int http_minor, bool close, buf_t *out);

/* Fills resp (initialised by the caller) with the plain answer the server
 * gives for a broken request: the status, Content-Type: application/json, a
 * small JSON body such as {"message":"Request header fields too large"}, and
 * close set. */
void http_error_response(mock_response_t *resp, int status);

#endif
