/* The HTTP request and response as values, with no socket or parser in sight.
 * http.c fills a mock_request_t from llhttp and serialises a mock_response_t;
 * everything from the router down reads and writes only these. */
#ifndef MOCK_MESSAGE_H
#define MOCK_MESSAGE_H

#include "arena.h"
#include "buf.h"
#include "caps.h"
#include "explain.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mock_header {
    const char *name;  /* request headers: lowercased; response headers: as sent */
    const char *value; /* leading and trailing whitespace trimmed */
} mock_header_t;

/* One parsed request. All strings are NUL-terminated and live in `arena`,
 * which the connection owns and resets after the response is written. */
typedef struct mock_request {
    arena_t *arena;
    const char *method; /* "GET", "POST", ... as sent (llhttp validates it) */
    const char *target; /* raw request-target, e.g. "/rest/v1/t?select=a" */
    const char *path;   /* target up to '?', percent-decoded */
    const char *query;  /* raw text after '?', not decoded; "" when absent */
    mock_header_t *headers;
    size_t header_count;
    const char *body; /* de-chunked body bytes, NUL-terminated; "" when empty */
    size_t body_len;
    bool keep_alive; /* what HTTP/1.x rules say for this request */
    int http_minor;  /* 0 or 1 */
} mock_request_t;

/* First of headers[0..n) named `lname` (names and lname lowercase), or NULL. */
const char *mock_headers_find(const mock_header_t *headers, size_t n, const char *lname);
/* First header named `lname` (lowercase), or NULL. */
const char *mock_request_header(const mock_request_t *req, const char *lname);

/* Content-Length handling when the response is serialised. */
typedef enum mock_length_mode {
    MOCK_LENGTH_AUTO, /* Content-Length: body.len, except 204/304 and 1xx */
    MOCK_LENGTH_NONE, /* no Content-Length (HEAD responses, as PostgREST sends them) */
} mock_length_mode_t;

/* Connection faults a fault rule asks the server to act out instead
 * of a well-formed response. */
typedef enum mock_fault {
    MOCK_FAULT_NONE,
    MOCK_FAULT_CONNECTION_RESET,       /* RST: SO_LINGER 0, then close */
    MOCK_FAULT_EMPTY_RESPONSE,         /* close without writing a byte */
    MOCK_FAULT_MALFORMED_RESPONSE,     /* bytes that are not an HTTP response, then close */
    MOCK_FAULT_RANDOM_DATA_THEN_CLOSE, /* the body's bytes alone (the handler fills them
                                          from the instance's PRNG), then close */
    MOCK_FAULT_TRUNCATED_BODY,         /* headers with the full Content-Length, half the body,
                                          then close */
    MOCK_FAULT_NO_RESPONSE,            /* hold the connection, never answer */
} mock_fault_t;

/* What the handler learnt while answering, for the journal and the access log.
 * Strings are static or live in the request arena; NULL renders as JSON null. */
typedef struct mock_outcome {
    const char *role; /* resolved database role */
    const char *key; /* key kind: anon, service_role, publishable, secret, user, missing, invalid */
    const char *code; /* error code of the answer (PGRST205, 42501, invalid_credentials...) */
    const char *rule; /* name of the fault rule that answered */
    /* The connection fault acted out instead of a complete response, by the
     * name a rule gives it ("connection_reset"...); NULL for an HTTP answer.
     * When set, the journal and the access log show status 0. */
    const char *fault;
    /* /rest/v1: why the answer is what it is (explain.h), in the request
     * arena; NULL for every other request. */
    const mock_explain_t *explain;
} mock_outcome_t;

typedef struct mock_response mock_response_t;

/* A step that runs when a deferred response completes (see below). */
typedef void (*mock_then_fn)(void *arg, mock_response_t *resp);

/* Steps at most per response: one per layer between the server and the
 * layer that answers later (server, router; rest.c finishes its own). */
#define MOCK_MAX_THEN_STEPS 4

/* A response that is not filled when the handler returns: an engine waiting
 * on the database answers later, on the loop. Plain data inside the response.
 *
 * - The layer that will answer later calls mock_response_defer before it
 *   returns, and mock_response_complete once the response is filled.
 * - Every layer above that still has work to do on the response (headers,
 *   journal, access log, writing it) sees mock_response_pending after its
 *   callee returned and registers that work with mock_response_then instead
 *   of doing it now. The steps run in the order registered: innermost first.
 * - The request (and its arena) and the response stay valid until the
 *   response completed, even after the client went away: the server then
 *   runs the cancel callback (at most once), the answer is thrown away, but
 *   the owner must still complete. */
typedef struct mock_deferral {
    bool pending;   /* deferred and not completed yet */
    bool cancelled; /* its answer will be thrown away */
    void (*cancel)(void *arg);
    void *cancel_arg;
    struct {
        mock_then_fn fn;
        void *arg;
    } then[MOCK_MAX_THEN_STEPS];
    size_t then_count;
} mock_deferral_t;

/* One response. Header names and values must outlive serialisation: use string
 * literals or the request arena, never the instance or the scenario (a
 * delayed response may be written after /__mock/reset replaced both). The body
 * buffer is owned by the response. */
struct mock_response {
    int status;
    mock_header_t headers[MOCK_MAX_RESPONSE_HEADERS];
    size_t header_count;
    buf_t body;
    bool omit_body; /* HEAD: headers as for GET, no body bytes on the wire */
    mock_length_mode_t length_mode;
    bool close;                             /* close the connection after this response */
    char *owned[MOCK_MAX_RESPONSE_HEADERS]; /* header values from add_headerf, freed by dispose */
    size_t owned_count;
    mock_fault_t fault; /* server.c acts it out instead of writing normally */
    uint32_t delay_ms;  /* real time to wait before writing (fault rules' delay_ms) */
    mock_outcome_t outcome;
    mock_deferral_t later; /* see mock_deferral_t; all zero unless deferred */
};

void mock_response_init(mock_response_t *resp);
void mock_response_dispose(mock_response_t *resp);
/* Drops every header (freeing owned values) and the body bytes, so that an
 * error replaces a partly built answer; status, flags, fault, delay and
 * outcome are kept. */
void mock_response_clear(mock_response_t *resp);
/* Adds a header; aborts if MOCK_MAX_RESPONSE_HEADERS would be exceeded
 * (the set of headers supamock sends is fixed by code, never by clients). */
void mock_response_add_header(mock_response_t *resp, const char *name, const char *value);
/* Adds a header whose value is formatted now and owned by the response. */
void mock_response_add_headerf(mock_response_t *resp, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a header with a copy of `value`, owned by the response. */
void mock_response_add_header_copy(mock_response_t *resp, const char *name, const char *value);
/* Adds a header whose heap-allocated value the response takes over. */
void mock_response_add_header_owned(mock_response_t *resp, const char *name, char *value);
/* Value of the first header named `name` (case-insensitive), or NULL. */
const char *mock_response_header(const mock_response_t *resp, const char *name);
/* The owner says it will fill resp later (see mock_deferral_t). cancel (may
 * be NULL) runs if the answer will be thrown away. */
void mock_response_defer(mock_response_t *resp, void (*cancel)(void *arg), void *arg);
static inline bool mock_response_pending(const mock_response_t *resp)
{
    return resp->later.pending;
}
/* Registers a step to run when the pending response completes. */
void mock_response_then(mock_response_t *resp, mock_then_fn fn, void *arg);
/* The owner filled resp: the steps run now, in order. The last step (the
 * server's) may end resp's life: nothing may touch resp afterwards. */
void mock_response_complete(mock_response_t *resp);
/* The answer of a pending response will be thrown away (its client went
 * away): runs the owner's cancel callback once. */
void mock_response_cancel(mock_response_t *resp);

/* Standard reason phrase ("Not Found"), or "Unknown". */
const char *mock_reason_phrase(int status);

#endif
