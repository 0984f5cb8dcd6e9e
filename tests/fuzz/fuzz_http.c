/* libFuzzer target: bytes -> http.c's parser -> requests -> serialised
 * responses, with no socket. The first input byte picks the read size so
 * that spans split across reads are exercised as the server sees them. */
#include "http.h"

#include "arena.h"
#include "buf.h"
#include "message.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void answer(const mock_request_t *req, buf_t *out)
{
    mock_response_t resp;
    mock_response_init(&resp);
    resp.status = req->body_len % 2 ? 404 : 200;
    mock_response_add_header(&resp, "Content-Type", "application/json");
    mock_response_add_headerf(&resp, "X-Path-Length", "%zu", strlen(req->path));
    buf_append(&resp.body, req->body, req->body_len);
    for (size_t i = 0; i < req->header_count; i++)
        buf_puts(&resp.body, req->headers[i].name);
    resp.omit_body = strcmp(req->method, "HEAD") == 0;
    http_response_serialize(&resp, req->http_minor, !req->keep_alive, out);
    mock_response_dispose(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t step = (size_t)data[0] + 1;
    const char *p = (const char *)data + 1;
    size_t len = size - 1;
    http_parser_t *parser = http_parser_new(4096);
    arena_t *arena = arena_new();
    buf_t out;
    buf_init(&out);
    size_t off = 0;
    while (off < len) {
        size_t n = len - off < step ? len - off : step;
        size_t used = 0;
        mock_request_t req;
        http_result_t r = http_parser_feed(parser, arena, p + off, n, &used, &req);
        off += used;
        if (r == HTTP_RESULT_ERROR) {
            mock_response_t resp;
            mock_response_init(&resp);
            http_error_response(&resp, http_parser_error_status(parser));
            http_response_serialize(&resp, 1, true, &out);
            mock_response_dispose(&resp);
            break;
        }
        if (r == HTTP_RESULT_REQUEST) {
            answer(&req, &out);
            arena_reset(arena);
            if (!req.keep_alive)
                break;
        }
        (void)http_parser_take_expect_continue(parser);
    }
    buf_dispose(&out);
    arena_free(arena);
    http_parser_free(parser);
    return 0;
}
