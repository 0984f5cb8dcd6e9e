/* The HTTP/1.1 server on libuv: listener, connections, keep-alive, pipelining,
 * limits (header and body size, idle time, connections) and graceful shutdown.
 * Requests are handed to a handler callback; the server knows nothing of what
 * they mean. */
#ifndef MOCK_SERVER_H
#define MOCK_SERVER_H

#include "config.h"
#include "message.h"

/* The loop is libuv's; only net/ (runtime.c) creates one. */
struct uv_loop_s;

/* Fills resp for req. Called on the loop thread; req and everything in
 * req->arena stay valid until the response has been written.
 *
 * The handler may instead answer later (message.h, mock_deferral_t): it
 * calls mock_response_defer(resp, ...) before returning and
 * mock_response_complete(resp) once resp is filled. Meanwhile the server
 * parses no further request of that connection (pipelined answers keep their
 * order) and its idle timeout does not run; input is still read, up to a
 * bound, to notice a client that goes away. The access log line is written
 * when the response completes. If the client goes away (a reset, a failed
 * write) or the shutdown grace period ends first, the deferral's cancel
 * callback runs; req and resp stay valid until completion all the same, and
 * the connection is freed then. Shutdown waits for outstanding responses
 * up to MOCK_SHUTDOWN_GRACE_MS, and for their completion after that. */
typedef void (*server_handler_fn)(void *ctx, const mock_request_t *req, mock_response_t *resp);

typedef struct server server_t;

/* Binds and listens on cfg->host:cfg->port. Returns NULL and logs the reason
 * (e.g. "port 54321 is already in use") on failure. cfg must outlive the server. */
server_t *server_new(struct uv_loop_s *loop, const mock_config_t *cfg, server_handler_fn handler,
                     void *ctx);
/* The port actually bound (the kernel's choice with --port 0). */
int server_port(const server_t *srv);
/* Stops accepting, lets in-flight responses finish (up to MOCK_SHUTDOWN_GRACE_MS),
 * closes every handle; `done` runs once all are closed. */
void server_shutdown(server_t *srv, void (*done)(void *arg), void *arg);
/* Frees the server after shutdown completed. NULL is a no-op. */
void server_free(server_t *srv);

#endif
