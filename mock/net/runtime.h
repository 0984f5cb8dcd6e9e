/* The process's event loop as one call: the HTTP server, SIGINT/SIGTERM for a
 * graceful stop, and the log flushed once per loop iteration. The entry
 * (main.c) says what to serve; the loop itself stays inside net/. */
#ifndef MOCK_RUNTIME_H
#define MOCK_RUNTIME_H

#include "config.h"
#include "server.h"

/* Called once the server listens, with its URL ("http://127.0.0.1:54321").
 * Returns 0 to serve, or -1 to shut down at once (runtime_serve returns 1). */
typedef int (*runtime_ready_fn)(void *arg, const char *url);

/* Listens on cfg->host:cfg->port, calls ready, and serves requests through
 * handler(ctx, ...) until SIGINT or SIGTERM. Returns 0 after a signal, 1 when
 * the server could not listen or ready refused. */
int runtime_serve(const mock_config_t *cfg, server_handler_fn handler, void *ctx,
                  runtime_ready_fn ready, void *ready_arg);

#endif
