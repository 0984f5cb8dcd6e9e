/* The HTTP/1.1 server on libuv: the listener, one conn_t per client socket,
 * reads fed through http.c, responses queued in order, keep-alive as a reset of
 * the request arena, the limits on bad input (header and body size, idle time,
 * connection count) and graceful shutdown. It knows nothing of what requests
 * mean: the handler callback answers them. */
#include "server.h"

#include "caps.h"
#include "http.h"
#include "log.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <uv.h>

/* Bytes handed to libuv for each read. One buffer serves every connection:
 * a read callback runs to completion before the next allocation, and bytes
 * a connection cannot process yet are copied into its own `pending`. */
#define SERVER_READ_BYTES (64 * 1024)
/* Requests one connection may have answered in a row before the loop turns
 * to the others: a client pipelining tens of thousands of requests in one
 * stream of bytes gets this many per loop iteration, the rest waits in its
 * `pending` (reading paused) and goes on from a zero-delay timer, which libuv
 * runs at the start of the next iteration, after this one's I/O callbacks. */
#define SERVER_REQUESTS_PER_TURN 32
/* After a response that closes the connection, how long unread client bytes
 * are drained before the socket is closed. Closing with unread bytes makes
 * the kernel send RST, which can destroy the response the client has not yet
 * read (the "lingering close" of nginx and Apache). */
#define SERVER_LINGER_MS 1000
/* Bytes a random_data_then_close fault writes before closing. */
/* What a malformed_response fault writes: an HTTP/1.1 status line whose
 * status is not three digits. Every client rejects it as a protocol error
 * (Python http.client BadStatusLine, curl "Unsupported HTTP/1 response" /
 * weird server reply, llhttp/undici HPE_INVALID_STATUS, Go "malformed HTTP
 * status code"), and it cannot be mistaken for an HTTP/0.9 body. */
#define SERVER_MALFORMED_RESPONSE "HTTP/1.1 ??? supamock malformed response\r\n\r\n"

typedef enum conn_state {
    CONN_OPEN,      /* reading and answering requests */
    CONN_FINISHING, /* no more requests: flush queued writes, then linger */
    CONN_LINGERING, /* FIN sent, discarding input until EOF or timeout */
    CONN_HOLDING,   /* no_response fault: reading and discarding until the client closes */
    CONN_STREAMING, /* a streamed response: the owner writes, input is discarded */
    CONN_CLOSING,   /* uv_close called on every handle */
} conn_state_t;

typedef struct conn conn_t;

struct server {
    uv_loop_t *loop;
    const mock_config_t *cfg;
    server_handler_fn handler;
    void *ctx;
    uv_tcp_t listener;
    uv_timer_t grace;
    bool grace_started;
    bool grace_closing;
    int port;
    conn_t *conns; /* doubly linked list of live connections */
    size_t conn_count;
    size_t stream_count; /* connections carrying a streamed response */
    bool shutting_down;
    int open_handles; /* listener, grace timer and closing refused sockets */
    void (*done)(void *arg);
    void *done_arg;
    bool done_called;
    char read_buf[SERVER_READ_BYTES];
};

struct conn {
    server_t *srv;
    conn_t *prev, *next;
    uv_tcp_t tcp;
    uv_timer_t timer;    /* idle deadline, then the linger deadline */
    bool idle_lazy;      /* timer runs the idle deadline, which idle_since may have moved */
    uint64_t idle_since; /* loop time (ms) of the last completed request */
    bool idle_grace;     /* the idle deadline was extended once for unread bytes */
    uv_timer_t delay;    /* a fault rule's delay_ms before the held response goes out */
    uv_timer_t turn;     /* goes on with pending requests after yielding the loop */
    int open_handles;
    conn_state_t state;
    http_parser_t *parser;
    arena_t *arena; /* the current request's values; reset after each response */
    buf_t pending;  /* received bytes not yet parsed (back-pressure only) */
    size_t queued;  /* bytes handed to uv_write and not yet completed */
    size_t writes;  /* uv_write requests in flight */
    bool reading;
    bool eof;
    bool yielding; /* answered SERVER_REQUESTS_PER_TURN in a row: `turn` goes on */
    /* The request being answered and its response. They live here, not on
     * a stack, so that a handler can finish the response later
     * (mock_deferral_t): until it completes, `req` (with the arena) and
     * `resp` stay put, even after the client went away. */
    mock_request_t req;
    mock_response_t resp;
    uint64_t start_ns; /* when the request was parsed (access log duration) */
    /* A response is outstanding: the handler's owner has not completed it
     * (`awaiting`), or it waits out a fault rule's delay_ms on the `delay`
     * timer. Either way `req`, `resp` and the arena stay as they are, and
     * the response is serialised only when it goes out (so that it says
     * "Connection: close" when a shutdown began meanwhile). While `held`,
     * no further request is parsed, so pipelined responses stay in order;
     * input is still read (bounded) so that a client that goes away is
     * noticed. */
    bool held;
    bool awaiting;
    bool reset_after_writes; /* connection_reset once the queued writes are out */
    /* Set (owned) once the connection carries a streamed response; freed
     * with the connection, after the owner heard of the end. */
    server_stream_t *stream;
};

struct server_stream {
    conn_t *conn;
    server_stream_closed_fn closed; /* NULL: nobody to tell (not watched, or ended by the owner) */
    void *owner;
    const char *keepalive; /* static, or NULL */
    uint64_t last_write;   /* loop time (ms) of the last bytes queued */
};

typedef struct write_req {
    uv_write_t req;
    conn_t *conn;
    buf_t data; /* owned; freed when the write completes */
} write_req_t;

static void conn_process(conn_t *c);
static void conn_finish(conn_t *c);
static void conn_close(conn_t *c);
static void server_maybe_done(server_t *srv);
static void on_server_handle_closed(uv_handle_t *h);

/* ---- connections ---------------------------------------------------------- */

/* Has the client sent bytes the loop has not read yet? */
static bool bytes_waiting(conn_t *c)
{
    uv_os_fd_t fd;
    char byte;
    if (uv_fileno((const uv_handle_t *)&c->tcp, &fd) != 0)
        return false;
    return recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

static void on_idle_timeout(uv_timer_t *t)
{
    conn_t *c = t->data;
    if (c->idle_lazy) {
        /* Requests completed since the timer was started moved the deadline:
         * wait for the rest of it. */
        uint64_t due = c->idle_since + c->srv->cfg->idle_timeout_ms;
        uint64_t now = uv_now(c->srv->loop);
        if (now < due) {
            uv_timer_start(&c->timer, on_idle_timeout, due - now, 0);
            return;
        }
    }
    /* Timers run before the loop polls for input: after an iteration that
     * took longer than the deadline (another client's pipelined flood), a
     * client whose request is already in the socket would be cut, and
     * closing over unread bytes makes the kernel answer RST. Bytes waiting
     * unread mean the loop is behind, not the client: the deadline is
     * extended once, until the next completed request re-arms it (a client
     * that trickles bytes in time with the deadline gets no more). */
    if (c->state == CONN_OPEN && c->idle_lazy && !c->idle_grace && bytes_waiting(c)) {
        c->idle_grace = true;
        c->idle_since = uv_now(c->srv->loop);
        uv_timer_start(&c->timer, on_idle_timeout, c->srv->cfg->idle_timeout_ms, 0);
        return;
    }
    if (c->state == CONN_OPEN)
        log_msg(LOG_DEBUG, "closing a connection idle for %llu ms",
                (unsigned long long)c->srv->cfg->idle_timeout_ms);
    conn_close(c);
}

/* The idle deadline restarts after every completed request. Restarting a
 * libuv timer per request costs a heap removal and insertion; instead a
 * running idle timer is left alone and only idle_since moves, and the timer
 * re-arms itself for the remainder when it fires early. */
static void arm_idle(conn_t *c)
{
    c->idle_since = uv_now(c->srv->loop);
    c->idle_grace = false;
    if (c->idle_lazy && uv_is_active((uv_handle_t *)&c->timer))
        return;
    c->idle_lazy = true;
    uv_timer_start(&c->timer, on_idle_timeout, c->srv->cfg->idle_timeout_ms, 0);
}

/* Stops the idle (or linger) deadline. */
static void stop_timer(conn_t *c)
{
    c->idle_lazy = false;
    uv_timer_stop(&c->timer);
}

/* Frees c once its handles are closed and no owner may still fill its
 * response (an awaiting connection is freed by on_completed). */
static void conn_free(conn_t *c)
{
    server_t *srv = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->conn_count--;
    if (c->stream) {
        srv->stream_count--;
        if (c->stream->closed)
            c->stream->closed(c->stream->owner, c->stream);
        free(c->stream);
    }
    http_parser_free(c->parser);
    arena_free(c->arena);
    buf_dispose(&c->pending);
    mock_response_dispose(&c->resp); /* one held for its delay */
    free(c);
    server_maybe_done(srv);
}

static void on_conn_closed(uv_handle_t *h)
{
    conn_t *c = h->data;
    if (--c->open_handles > 0 || c->awaiting)
        return;
    conn_free(c);
}

/* The client went away or the server gave up on it: the owner of a pending
 * response hears that its answer will be thrown away. */
static void cancel_pending(conn_t *c)
{
    if (c->awaiting)
        mock_response_cancel(&c->resp);
}

static void conn_close(conn_t *c)
{
    if (c->state == CONN_CLOSING)
        return;
    c->state = CONN_CLOSING;
    cancel_pending(c);
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
    uv_close((uv_handle_t *)&c->timer, on_conn_closed);
    uv_close((uv_handle_t *)&c->delay, on_conn_closed);
    uv_close((uv_handle_t *)&c->turn, on_conn_closed);
}

/* connection_reset: SO_LINGER {1, 0} and close, so the kernel sends RST and
 * the client's next read fails with ECONNRESET (uv_tcp_close_reset). */
static void conn_reset(conn_t *c)
{
    if (c->state == CONN_CLOSING)
        return;
    c->state = CONN_CLOSING;
    cancel_pending(c);
    if (uv_tcp_close_reset(&c->tcp, on_conn_closed) < 0)
        uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
    uv_close((uv_handle_t *)&c->timer, on_conn_closed);
    uv_close((uv_handle_t *)&c->delay, on_conn_closed);
    uv_close((uv_handle_t *)&c->turn, on_conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out)
{
    (void)suggested;
    conn_t *c = h->data;
    out->base = c->srv->read_buf;
    out->len = sizeof c->srv->read_buf;
}

static void read_start(conn_t *c);

static void on_write(uv_write_t *w, int status)
{
    write_req_t *wr = (write_req_t *)w;
    conn_t *c = wr->conn;
    c->queued -= wr->data.len;
    c->writes--;
    buf_dispose(&wr->data);
    free(wr);
    if (c->state == CONN_CLOSING)
        return;
    if (status < 0) {
        conn_close(c);
        return;
    }
    if (c->reset_after_writes) {
        if (c->writes == 0)
            conn_reset(c);
        return;
    }
    if (c->state == CONN_FINISHING) {
        conn_finish(c);
        return;
    }
    /* Back-pressure released: parse what was held back, then read again. */
    if (c->state == CONN_OPEN && !c->held && c->queued <= MOCK_MAX_PENDING_WRITE_BYTES) {
        if (c->pending.len > 0)
            conn_process(c);
        if (c->state == CONN_OPEN && !c->reading && !c->eof)
            read_start(c);
    }
}

/* Takes ownership of *data's contents. With nothing queued the bytes are first
 * written synchronously (uv_try_write), which is the common case and skips a
 * write request, a copy and a callback; only what the socket does not take
 * goes through uv_write, behind which later writes queue in order. */
static void conn_write(conn_t *c, buf_t *data)
{
    if (c->writes == 0 && data->len > 0) {
        uv_buf_t whole = uv_buf_init(data->data, (unsigned)data->len);
        int n = uv_try_write((uv_stream_t *)&c->tcp, &whole, 1);
        if (n < 0 && n != UV_EAGAIN) {
            buf_dispose(data);
            conn_close(c);
            return;
        }
        if (n > 0) {
            size_t rest = data->len - (size_t)n;
            memmove(data->data, data->data + n, rest);
            data->len = rest;
        }
        if (data->len == 0) {
            buf_dispose(data);
            return;
        }
    }
    write_req_t *wr = xmalloc(sizeof *wr);
    wr->conn = c;
    wr->data = *data;
    buf_init(data);
    uv_buf_t b = uv_buf_init(wr->data.data, (unsigned)wr->data.len);
    c->queued += wr->data.len;
    c->writes++;
    int rc = uv_write(&wr->req, (uv_stream_t *)&c->tcp, &b, 1, on_write);
    if (rc < 0) {
        c->queued -= wr->data.len;
        c->writes--;
        buf_dispose(&wr->data);
        free(wr);
        conn_close(c);
    }
}

static void on_linger_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    (void)b;
    conn_t *c = s->data;
    if (nread < 0)
        conn_close(c);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    conn_t *c = req->data;
    free(req);
    if (c->state == CONN_CLOSING)
        return;
    if (status < 0 || c->eof || c->srv->shutting_down) {
        conn_close(c);
        return;
    }
    c->state = CONN_LINGERING;
    c->idle_lazy = false; /* a fixed deadline from now on */
    uv_timer_start(&c->timer, on_idle_timeout, SERVER_LINGER_MS, 0);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_linger_read) < 0)
        conn_close(c);
}

/* No more requests on this connection: once the queued responses are written,
 * send FIN and drain what the client still sends for a moment, then close. */
static void conn_finish(conn_t *c)
{
    if (c->state == CONN_CLOSING || c->state == CONN_LINGERING)
        return;
    c->state = CONN_FINISHING;
    if (c->reading) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = false;
    }
    if (c->writes > 0)
        return;
    uv_shutdown_t *req = xmalloc(sizeof *req);
    req->data = c;
    if (uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
        free(req);
        conn_close(c);
    }
}

static void answer_error(conn_t *c)
{
    int status = http_parser_error_status(c->parser);
    log_msg(LOG_DEBUG, "bad request (%d): %s", status, http_parser_error_reason(c->parser));
    mock_response_t resp;
    mock_response_init(&resp);
    http_error_response(&resp, status);
    buf_t out;
    buf_init(&out);
    http_response_serialize(&resp, 1, true, &out);
    log_access("-", "-", status, NULL, NULL, NULL, 0.0);
    mock_response_dispose(&resp);
    conn_write(c, &out);
    buf_reset(&c->pending);
    conn_finish(c);
}

/* no_response: input is read and thrown away so that a client that gives up
 * is noticed; nothing is ever written. */
static void on_hold_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    (void)b;
    conn_t *c = s->data;
    if (nread < 0)
        conn_close(c);
}

/* Puts one response on the wire, or acts out a fault rule's connection fault. Takes over
 * *out (the serialised response; unused by faults that write no response). */
static void conn_deliver(conn_t *c, buf_t *out, mock_fault_t fault, bool close)
{
    switch (fault) {
    case MOCK_FAULT_NONE:
        conn_write(c, out);
        if (close)
            conn_finish(c);
        return;
    case MOCK_FAULT_TRUNCATED_BODY: {
        /* The head as serialised (with the full Content-Length), then half
         * of the body bytes. */
        size_t head = out->len;
        for (size_t i = 0; i + 4 <= out->len; i++) {
            if (memcmp(out->data + i, "\r\n\r\n", 4) == 0) {
                head = i + 4;
                break;
            }
        }
        out->len = head + (out->len - head) / 2;
        conn_write(c, out);
        break;
    }
    case MOCK_FAULT_EMPTY_RESPONSE:
        buf_dispose(out);
        break;
    case MOCK_FAULT_MALFORMED_RESPONSE:
        buf_reset(out);
        buf_puts(out, SERVER_MALFORMED_RESPONSE);
        conn_write(c, out);
        break;
    case MOCK_FAULT_RANDOM_DATA_THEN_CLOSE:
        /* *out holds the response body alone: the handler's random bytes. */
        conn_write(c, out);
        break;
    case MOCK_FAULT_CONNECTION_RESET:
        buf_dispose(out);
        if (c->writes > 0) {
            /* Earlier pipelined responses go out first. */
            c->reset_after_writes = true;
            c->state = CONN_FINISHING;
            if (c->reading)
                uv_read_stop((uv_stream_t *)&c->tcp);
            c->reading = false;
        } else {
            conn_reset(c);
        }
        return;
    case MOCK_FAULT_NO_RESPONSE:
        buf_dispose(out);
        if (c->state != CONN_OPEN)
            return;
        /* Held until the client closes or the server shuts down: the idle
         * timeout does not apply to a request that was read completely. */
        c->state = CONN_HOLDING;
        stop_timer(c);
        buf_reset(&c->pending);
        if (c->reading)
            uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = false;
        if (!c->eof && uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_hold_read) == 0)
            c->reading = true;
        return;
    }
    /* Every fault but the two above ends the connection after its bytes
     * (FIN, not RST: conn_finish drains what the client still sends). */
    conn_finish(c);
}

/* The outstanding response went out: go on with what was pipelined behind it. */
static void conn_resume(conn_t *c)
{
    if (c->state != CONN_OPEN)
        return;
    arm_idle(c);
    if (c->pending.len > 0)
        conn_process(c);
    else if (c->eof)
        conn_finish(c);
    if (c->state == CONN_OPEN && !c->held && !c->reading && !c->eof &&
        c->queued <= MOCK_MAX_PENDING_WRITE_BYTES)
        read_start(c);
}

/* The access log line (and the explain text at debug level) of the
 * completed response c->resp. */
static void log_answer(conn_t *c)
{
    const mock_request_t *req = &c->req;
    const mock_response_t *resp = &c->resp;
    double ms = (double)(uv_hrtime() - c->start_ns) / 1e6;
    /* The handler names what it answered with: the error code, the rule, and
     * the connection fault acted out instead of a response (status 0). */
    const mock_outcome_t *o = &resp->outcome;
    log_access(req->method, req->target, o->fault ? 0 : resp->status, o->code, o->rule, o->fault,
               ms);
    if (o->explain && log_enabled(LOG_DEBUG)) {
        /* The words are built only at debug level. */
        mock_explain_subject_t s = {
            .method = req->method,
            .path = req->path,
            .status = o->fault ? 0 : resp->status,
            .code = o->code,
            .role = o->role,
            .key = o->key,
            .rule = o->rule,
            .x = o->explain,
        };
        buf_t why;
        buf_init(&why);
        mock_explain_text(&s, &why);
        log_msg(LOG_DEBUG, "explain: %s", buf_cstr(&why));
        buf_dispose(&why);
    }
}

/* Serialises c->resp and puts it on the wire, or acts out its fault.
 * Returns true when the connection takes no further request now. */
static bool deliver_response(conn_t *c)
{
    mock_response_t *resp = &c->resp;
    bool close = resp->close || !c->req.keep_alive || c->srv->shutting_down;
    buf_t out;
    buf_init(&out);
    mock_fault_t fault = resp->fault;
    if (fault == MOCK_FAULT_NONE || fault == MOCK_FAULT_TRUNCATED_BODY) {
        close = http_response_serialize(resp, c->req.http_minor, close, &out);
    } else if (fault == MOCK_FAULT_RANDOM_DATA_THEN_CLOSE) {
        out = resp->body; /* the bytes to send instead of a response */
        buf_init(&resp->body);
    }
    mock_response_dispose(resp);
    conn_deliver(c, &out, fault, close);
    return close || fault != MOCK_FAULT_NONE;
}

static void on_delay(uv_timer_t *t)
{
    conn_t *c = t->data;
    if (c->state != CONN_OPEN || !c->held)
        return;
    c->held = false;
    bool stop = deliver_response(c);
    arena_reset(c->arena);
    if (!stop)
        conn_resume(c);
}

/* The response c->resp is complete: logged now, written now or after its
 * delay_ms. Returns true when the connection takes no further request now:
 * it closes, acts out a fault, or holds the response for its delay. */
static bool respond(conn_t *c)
{
    log_answer(c);
    uint32_t delay = c->resp.delay_ms;
    if (delay == 0)
        return deliver_response(c);
    /* Real time, whatever the scenario clock; the loop serves others. */
    c->held = true;
    stop_timer(c);
    /* The loop's cached time may lag behind the clock by what this
     * iteration spent so far, and libuv truncates it to milliseconds:
     * refresh it and add one so that the wait is never shorter than
     * delay_ms of real time. */
    uv_update_time(c->srv->loop);
    uv_timer_start(&c->delay, on_delay, (uint64_t)delay + 1, 0);
    return true;
}

/* The last step of a deferred response (mock_response_complete): write it
 * and go on with the connection, or, when the client went away meanwhile,
 * log it and let the connection go. */
static void on_completed(void *arg, mock_response_t *resp)
{
    (void)resp;
    conn_t *c = arg;
    c->awaiting = false;
    if (c->state != CONN_OPEN) {
        /* Its answer is thrown away, but it was answered: logged as such. */
        log_answer(c);
        mock_response_dispose(&c->resp);
        arena_reset(c->arena);
        if (c->state == CONN_CLOSING && c->open_handles == 0)
            conn_free(c);
        return;
    }
    c->held = false;
    bool stop = respond(c);
    if (c->held)
        return; /* its delay_ms first */
    arena_reset(c->arena);
    if (!stop)
        conn_resume(c);
}

static bool stream_admitted(server_t *srv, mock_response_t *resp);
static bool stream_begin(conn_t *c);

/* Answers the request in c->req. Returns true when the connection takes no
 * further request now: it closes, acts out a fault, a response is
 * outstanding (deferred by the handler or held for its delay), or the
 * connection carries a stream. */
static bool answer_request(conn_t *c, uint64_t start_ns)
{
    server_t *srv = c->srv;
    c->start_ns = start_ns;
    mock_response_init(&c->resp);
    srv->handler(srv->ctx, &c->req, &c->resp);
    if (mock_response_pending(&c->resp)) {
        c->held = true;
        c->awaiting = true;
        stop_timer(c);
        mock_response_then(&c->resp, on_completed, c);
        return true;
    }
    if (c->resp.stream.open && stream_admitted(srv, &c->resp))
        return stream_begin(c);
    return respond(c);
}

static void on_turn(uv_timer_t *t);

/* Parses and answers as many requests as `data` holds. Returns the bytes
 * consumed; stops early on back-pressure, a held response, when the
 * connection finishes, or after SERVER_REQUESTS_PER_TURN answers (then
 * `yielding`, and `turn` goes on with the rest next iteration). */
static size_t conn_feed(conn_t *c, const char *data, size_t len)
{
    size_t off = 0;
    unsigned answered = 0;
    while (c->state == CONN_OPEN && !c->held && off < len) {
        if (c->queued > MOCK_MAX_PENDING_WRITE_BYTES)
            break;
        if (answered == SERVER_REQUESTS_PER_TURN) {
            c->yielding = true;
            uv_timer_start(&c->turn, on_turn, 0, 0);
            break;
        }
        size_t used = 0;
        uint64_t start = uv_hrtime();
        http_result_t r =
            http_parser_feed(c->parser, c->arena, data + off, len - off, &used, &c->req);
        off += used;
        if (r == HTTP_RESULT_ERROR) {
            answer_error(c);
            return len;
        }
        if (r == HTTP_RESULT_NEED_MORE) {
            if (http_parser_take_expect_continue(c->parser)) {
                buf_t cont;
                buf_init(&cont);
                buf_puts(&cont, http_continue_line());
                conn_write(c, &cont);
            }
            break;
        }
        bool stop = answer_request(c, start);
        answered++;
        if (c->held)
            return off; /* the request's arena stays until its answer went out */
        /* The response is serialised: nothing refers to the arena any more. */
        arena_reset(c->arena);
        if (stop)
            return len;
        arm_idle(c);
    }
    return off;
}

/* Processes bytes held back in c->pending. */
static void conn_process(conn_t *c)
{
    size_t used = conn_feed(c, c->pending.data, c->pending.len);
    if (c->state != CONN_OPEN) {
        buf_reset(&c->pending);
        return;
    }
    size_t rest = c->pending.len - used;
    memmove(c->pending.data, c->pending.data + used, rest);
    c->pending.len = rest;
    if (rest == 0 && c->eof && !c->held)
        conn_finish(c);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    conn_t *c = s->data;
    if (c->state != CONN_OPEN)
        return;
    if (nread < 0) {
        c->reading = false;
        uv_read_stop(s);
        c->eof = true;
        if (nread != UV_EOF) {
            conn_close(c);
            return;
        }
        /* Half-close: answer what already arrived, then finish. A request cut
         * off in the middle is dropped. */
        if (c->pending.len == 0 && !c->held)
            conn_finish(c);
        return;
    }
    if (nread == 0)
        return;
    size_t n = (size_t)nread;
    if (c->pending.len > 0) {
        buf_append(&c->pending, b->base, n);
        conn_process(c);
    } else {
        size_t used = conn_feed(c, b->base, n);
        if (c->state == CONN_OPEN && used < n)
            buf_append(&c->pending, b->base + used, n - used);
    }
    /* Back-pressure: responses not yet written, or input piling up behind
     * an outstanding response (read only to notice a client going away). */
    if (c->state == CONN_OPEN && c->reading &&
        (c->queued > MOCK_MAX_PENDING_WRITE_BYTES || c->yielding ||
         (c->held && c->pending.len >= SERVER_READ_BYTES))) {
        uv_read_stop(s);
        c->reading = false;
    }
}

/* The connection's turn again: answer what waits in `pending`, then read on
 * when nothing holds it back. */
static void on_turn(uv_timer_t *t)
{
    conn_t *c = t->data;
    c->yielding = false;
    if (c->state != CONN_OPEN || c->held)
        return; /* conn_resume goes on once the held response is out */
    if (c->pending.len > 0)
        conn_process(c);
    if (c->state == CONN_OPEN && !c->held && !c->reading && !c->eof &&
        c->queued <= MOCK_MAX_PENDING_WRITE_BYTES)
        read_start(c);
}

/* Reading waits while the connection yields: its pending bytes go first. */
static void read_start(conn_t *c)
{
    if (c->yielding)
        return;
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0) {
        conn_close(c);
        return;
    }
    c->reading = true;
}

/* ---- streamed responses ------------------------------------------------------ */

/* Whether a stream may open now; if not, resp becomes a 503 that closes the
 * connection (the handler's stream is never opened). */
static bool stream_admitted(server_t *srv, mock_response_t *resp)
{
    if (srv->stream_count < MOCK_MAX_STREAMS && !srv->shutting_down)
        return true;
    memset(&resp->stream, 0, sizeof resp->stream);
    mock_response_clear(resp);
    resp->status = 503;
    resp->close = true;
    mock_response_add_header(resp, "Content-Type", "application/json");
    mock_response_add_header(resp, "Retry-After", "5");
    if (srv->shutting_down)
        buf_puts(&resp->body, "{\"error\":\"the server is shutting down\"}");
    else
        buf_printf(&resp->body,
                   "{\"error\":\"too many event streams open (at most %d); close one and "
                   "retry\"}",
                   MOCK_MAX_STREAMS);
    return false;
}

/* Input on a streaming connection means nothing: it is read only so that a
 * client that leaves (EOF, error) is noticed at once. */
static void on_stream_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    (void)b;
    conn_t *c = s->data;
    if (nread < 0)
        conn_close(c);
}

/* Fires MOCK_STREAM_KEEPALIVE_MS after the last write as it stood when the
 * timer was armed; writes moved since only push the deadline (the timer is
 * not restarted on every write, as arm_idle does for the idle deadline). */
static void on_keepalive(uv_timer_t *t)
{
    conn_t *c = t->data;
    server_stream_t *s = c->stream;
    if (c->state != CONN_STREAMING || !s)
        return;
    uint64_t now = uv_now(c->srv->loop), due = s->last_write + MOCK_STREAM_KEEPALIVE_MS;
    if (now >= due) {
        server_stream_write(s, s->keepalive, strlen(s->keepalive));
        due = now + MOCK_STREAM_KEEPALIVE_MS;
    }
    if (c->state == CONN_STREAMING)
        uv_timer_start(&c->timer, on_keepalive, due - now, 0);
}

/* Writes the head of a streamed response and hands the connection to the
 * spec's owner. Returns true: the connection takes no further request. */
static bool stream_begin(conn_t *c)
{
    server_t *srv = c->srv;
    mock_response_t *resp = &c->resp;
    mock_stream_spec_t spec = resp->stream;
    /* The body runs until the connection closes (RFC 9112 §6.3, last case). */
    resp->length_mode = MOCK_LENGTH_NONE;
    buf_t out;
    buf_init(&out);
    http_response_serialize(resp, c->req.http_minor, true, &out);
    log_answer(c);
    mock_response_dispose(resp);
    conn_write(c, &out);
    if (c->state != CONN_OPEN)
        return true;
    /* Whatever was pipelined behind this request is dropped with the rest
     * of the input. */
    c->state = CONN_STREAMING;
    stop_timer(c);
    buf_reset(&c->pending);
    if (c->reading)
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = false;
    if (!c->eof && uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_stream_read) == 0)
        c->reading = true;
    server_stream_t *s = xcalloc(1, sizeof *s);
    s->conn = c;
    s->keepalive = spec.keepalive;
    s->last_write = uv_now(srv->loop);
    c->stream = s;
    srv->stream_count++;
    if (s->keepalive)
        uv_timer_start(&c->timer, on_keepalive, MOCK_STREAM_KEEPALIVE_MS, 0);
    spec.open(spec.owner, spec.arg, s);
    return true;
}

void server_stream_watch(server_stream_t *s, server_stream_closed_fn closed, void *owner)
{
    s->closed = closed;
    s->owner = owner;
}

int server_stream_write(server_stream_t *s, const char *data, size_t len)
{
    conn_t *c = s->conn;
    if (c->state != CONN_STREAMING)
        return -1;
    if (c->queued + len > MOCK_MAX_STREAM_QUEUED_BYTES) {
        log_msg(LOG_WARN, "dropping an event stream client: %zu bytes unread (cap %d)",
                c->queued + len, MOCK_MAX_STREAM_QUEUED_BYTES);
        conn_close(c);
        return -1;
    }
    if (len == 0)
        return 0;
    s->last_write = uv_now(c->srv->loop);
    buf_t b;
    buf_init(&b);
    buf_append(&b, data, len);
    conn_write(c, &b);
    return c->state == CONN_STREAMING ? 0 : -1;
}

void server_stream_end(server_stream_t *s)
{
    conn_t *c = s->conn;
    s->closed = NULL;
    s->owner = NULL;
    if (c->state != CONN_STREAMING)
        return;
    uv_timer_stop(&c->timer);
    conn_finish(c);
}

size_t server_stream_count(const server_t *srv)
{
    return srv->stream_count;
}

/* ---- listener --------------------------------------------------------------- */

static void on_refused_closed(uv_handle_t *h)
{
    server_t *srv = h->data;
    free(h);
    srv->open_handles--;
    server_maybe_done(srv);
}

static void on_connection(uv_stream_t *listener, int status)
{
    server_t *srv = listener->data;
    if (status < 0) {
        log_msg(LOG_WARN, "accept failed: %s", uv_strerror(status));
        return;
    }
    if (srv->shutting_down)
        return;
    if (srv->conn_count >= srv->cfg->max_connections) {
        /* Accept and close at once: the kernel backlog must not fill with
         * clients that will never be served, and the open ones are untouched. */
        uv_tcp_t *t = xmalloc(sizeof *t);
        uv_tcp_init(srv->loop, t);
        t->data = srv;
        srv->open_handles++;
        if (uv_accept(listener, (uv_stream_t *)t) == 0)
            log_msg(LOG_WARN, "refusing a connection: %zu open (--max-connections)",
                    srv->conn_count);
        uv_close((uv_handle_t *)t, on_refused_closed);
        return;
    }
    conn_t *c = xcalloc(1, sizeof *c);
    c->srv = srv;
    c->state = CONN_OPEN;
    c->parser = http_parser_new(srv->cfg->max_body_bytes);
    c->arena = arena_new();
    buf_init(&c->pending);
    uv_tcp_init(srv->loop, &c->tcp);
    uv_timer_init(srv->loop, &c->timer);
    uv_timer_init(srv->loop, &c->delay);
    uv_timer_init(srv->loop, &c->turn);
    c->tcp.data = c;
    c->timer.data = c;
    c->delay.data = c;
    c->turn.data = c;
    c->open_handles = 4;
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->conn_count++;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0) {
        conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    arm_idle(c);
    read_start(c);
}

/* Best effort: room for every allowed connection plus the files we use. */
static void raise_nofile(size_t max_connections)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = (rlim_t)max_connections + 64;
    if (rl.rlim_cur >= want)
        return;
    rlim_t cap = rl.rlim_max == RLIM_INFINITY ? want : rl.rlim_max;
    rl.rlim_cur = want < cap ? want : cap;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < want)
        log_msg(LOG_WARN,
                "open-file limit is %llu, below --max-connections %zu + 64; "
                "connections beyond it will fail to be accepted",
                (unsigned long long)rl.rlim_cur, max_connections);
}

static void on_failed_listener_closed(uv_handle_t *h)
{
    free(h->data);
}

static int resolve(const char *host, int port, struct sockaddr_storage *ss)
{
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)ss) == 0)
        return 0;
    if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss) == 0)
        return 0;
    if (strcmp(host, "localhost") == 0)
        return uv_ip4_addr("127.0.0.1", port, (struct sockaddr_in *)ss);
    return -1;
}

server_t *server_new(uv_loop_t *loop, const mock_config_t *cfg, server_handler_fn handler,
                     void *ctx)
{
    struct sockaddr_storage ss;
    if (resolve(cfg->host, cfg->port, &ss) < 0) {
        log_msg(LOG_ERROR, "cannot listen on %s: not an IPv4 or IPv6 address", cfg->host);
        return NULL;
    }
    raise_nofile(cfg->max_connections);
    server_t *srv = xcalloc(1, sizeof *srv);
    srv->loop = loop;
    srv->cfg = cfg;
    srv->handler = handler;
    srv->ctx = ctx;
    uv_tcp_init(loop, &srv->listener);
    srv->listener.data = srv;
    int rc = uv_tcp_bind(&srv->listener, (const struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&srv->listener, 511, on_connection);
    if (rc < 0) {
        if (rc == UV_EADDRINUSE)
            log_msg(LOG_ERROR, "port %d is already in use on %s", cfg->port, cfg->host);
        else
            log_msg(LOG_ERROR, "cannot listen on %s:%d: %s", cfg->host, cfg->port, uv_strerror(rc));
        /* The handle is on the loop now: it is freed when the caller runs the
         * loop, which it must do before uv_loop_close. */
        uv_close((uv_handle_t *)&srv->listener, on_failed_listener_closed);
        return NULL;
    }
    struct sockaddr_storage bound;
    int len = sizeof bound;
    uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&bound, &len);
    if (bound.ss_family == AF_INET6)
        srv->port = ntohs(((struct sockaddr_in6 *)&bound)->sin6_port);
    else
        srv->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    srv->open_handles = 1;
    return srv;
}

int server_port(const server_t *srv)
{
    return srv->port;
}

/* ---- shutdown --------------------------------------------------------------- */

static void server_maybe_done(server_t *srv)
{
    if (!srv->shutting_down || srv->done_called)
        return;
    if (srv->conn_count > 0)
        return;
    if (srv->grace_started && !srv->grace_closing) {
        srv->grace_closing = true;
        uv_timer_stop(&srv->grace);
        uv_close((uv_handle_t *)&srv->grace, on_server_handle_closed);
        return;
    }
    if (srv->open_handles > 0)
        return;
    srv->done_called = true;
    if (srv->done)
        srv->done(srv->done_arg);
}

static void on_server_handle_closed(uv_handle_t *h)
{
    server_t *srv = h->data;
    srv->open_handles--;
    server_maybe_done(srv);
}

static void on_grace_expired(uv_timer_t *t)
{
    server_t *srv = t->data;
    if (srv->conn_count > 0)
        log_msg(LOG_WARN, "shutdown grace period over: closing %zu connection(s)", srv->conn_count);
    for (conn_t *c = srv->conns; c; c = c->next)
        conn_close(c);
}

void server_shutdown(server_t *srv, void (*done)(void *arg), void *arg)
{
    if (srv->shutting_down)
        return;
    srv->shutting_down = true;
    srv->done = done;
    srv->done_arg = arg;
    uv_close((uv_handle_t *)&srv->listener, on_server_handle_closed);
    /* Connections with responses still queued flush them; the rest close now.
     * conn_close only schedules the close, so the list stays intact here. */
    for (conn_t *c = srv->conns; c; c = c->next) {
        if (c->state == CONN_OPEN && c->held)
            continue; /* its delayed response goes out when due (grace bounds it) */
        if (c->state == CONN_OPEN && c->writes > 0)
            conn_finish(c);
        else if (c->state != CONN_FINISHING)
            conn_close(c);
    }
    uv_timer_init(srv->loop, &srv->grace);
    srv->grace.data = srv;
    srv->open_handles++;
    srv->grace_started = true;
    uv_timer_start(&srv->grace, on_grace_expired, MOCK_SHUTDOWN_GRACE_MS, 0);
    /* The grace timer is closed as soon as the connections are gone. */
    server_maybe_done(srv);
}

void server_free(server_t *srv)
{
    if (!srv)
        return;
    MOCK_ASSERT(srv->conn_count == 0);
    free(srv);
}
