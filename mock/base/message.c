/* Request/response value helpers shared by http.c and everything above it. */
#include "message.h"

#include "xalloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *mock_headers_find(const mock_header_t *headers, size_t n, const char *lname)
{
    /* Called a dozen times per request: the first byte rules out most
     * headers without a call into strcmp. */
    for (size_t i = 0; i < n; i++)
        if (headers[i].name[0] == lname[0] && strcmp(headers[i].name, lname) == 0)
            return headers[i].value;
    return NULL;
}

const char *mock_request_header(const mock_request_t *req, const char *lname)
{
    return mock_headers_find(req->headers, req->header_count, lname);
}

void mock_response_init(mock_response_t *resp)
{
    resp->status = 200;
    resp->header_count = 0;
    buf_init(&resp->body);
    resp->omit_body = false;
    resp->length_mode = MOCK_LENGTH_AUTO;
    resp->close = false;
    resp->owned_count = 0;
    resp->fault = MOCK_FAULT_NONE;
    resp->delay_ms = 0;
    memset(&resp->outcome, 0, sizeof resp->outcome);
    resp->later.pending = false;
    resp->later.cancelled = false;
    resp->later.cancel = NULL;
    resp->later.then_count = 0;
}

void mock_response_defer(mock_response_t *resp, void (*cancel)(void *arg), void *arg)
{
    MOCK_ASSERT(!resp->later.pending);
    resp->later.pending = true;
    resp->later.cancel = cancel;
    resp->later.cancel_arg = arg;
}

void mock_response_then(mock_response_t *resp, mock_then_fn fn, void *arg)
{
    MOCK_ASSERT(resp->later.pending && resp->later.then_count < MOCK_MAX_THEN_STEPS);
    resp->later.then[resp->later.then_count].fn = fn;
    resp->later.then[resp->later.then_count].arg = arg;
    resp->later.then_count++;
}

void mock_response_complete(mock_response_t *resp)
{
    MOCK_ASSERT(resp->later.pending);
    resp->later.pending = false;
    resp->later.cancel = NULL;
    size_t n = resp->later.then_count;
    resp->later.then_count = 0;
    /* Copied first: the last step may free resp (the server's connection). */
    struct {
        mock_then_fn fn;
        void *arg;
    } steps[MOCK_MAX_THEN_STEPS];
    memcpy(steps, resp->later.then, n * sizeof steps[0]);
    for (size_t i = 0; i < n; i++)
        steps[i].fn(steps[i].arg, resp);
}

void mock_response_cancel(mock_response_t *resp)
{
    if (!resp->later.pending || resp->later.cancelled)
        return;
    resp->later.cancelled = true;
    if (resp->later.cancel)
        resp->later.cancel(resp->later.cancel_arg);
}

void mock_response_clear(mock_response_t *resp)
{
    for (size_t i = 0; i < resp->owned_count; i++)
        free(resp->owned[i]);
    resp->owned_count = 0;
    resp->header_count = 0;
    buf_reset(&resp->body);
}

void mock_response_dispose(mock_response_t *resp)
{
    buf_dispose(&resp->body);
    resp->header_count = 0;
    for (size_t i = 0; i < resp->owned_count; i++)
        free(resp->owned[i]);
    resp->owned_count = 0;
}

void mock_response_add_header(mock_response_t *resp, const char *name, const char *value)
{
    MOCK_ASSERT(resp->header_count < MOCK_MAX_RESPONSE_HEADERS);
    resp->headers[resp->header_count].name = name;
    resp->headers[resp->header_count].value = value;
    resp->header_count++;
}

void mock_response_add_headerf(mock_response_t *resp, const char *name, const char *fmt, ...)
{
    MOCK_ASSERT(resp->owned_count < MOCK_MAX_RESPONSE_HEADERS);
    va_list ap;
    va_start(ap, fmt);
    char *value = xvasprintf(fmt, ap);
    va_end(ap);
    mock_response_add_header_owned(resp, name, value);
}

void mock_response_add_header_owned(mock_response_t *resp, const char *name, char *value)
{
    MOCK_ASSERT(resp->owned_count < MOCK_MAX_RESPONSE_HEADERS);
    resp->owned[resp->owned_count++] = value;
    mock_response_add_header(resp, name, value);
}

void mock_response_add_header_copy(mock_response_t *resp, const char *name, const char *value)
{
    mock_response_add_header_owned(resp, name, xstrdup(value));
}

const char *mock_response_header(const mock_response_t *resp, const char *name)
{
    int first = tolower((unsigned char)name[0]);
    for (size_t i = 0; i < resp->header_count; i++)
        if (tolower((unsigned char)resp->headers[i].name[0]) == first &&
            strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    return NULL;
}

const char *mock_reason_phrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 300:
        return "Multiple Choices";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 402:
        return "Payment Required";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Request Entity Too Large"; /* http-types (Warp) wording */
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Requested Range Not Satisfiable";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 520:
        return "Unknown Error";
    default:
        return "Unknown";
    }
}
