/* The process's event loop as one call: the HTTP server, SIGINT/SIGTERM for a
 * graceful stop, and the log flushed once per loop iteration; for `supamock
 * run`, also the child process the server stays up for. The entry (main.c)
 * says what to serve and what to run; the loop itself stays inside net/. */
#ifndef MOCK_RUNTIME_H
#define MOCK_RUNTIME_H

#include "config.h"
#include "server.h"

#include <stdbool.h>

/* Called once the server listens, with its URL ("http://127.0.0.1:54321").
 * Returns 0 to serve, or -1 to shut down at once (runtime_serve returns 1). */
typedef int (*runtime_ready_fn)(void *arg, const char *url);

/* Listens on cfg->host:cfg->port, calls ready, and serves requests through
 * handler(ctx, ...) until SIGINT or SIGTERM. Returns 0 after a signal, 1 when
 * the server could not listen or ready refused. */
int runtime_serve(const mock_config_t *cfg, server_handler_fn handler, void *ctx,
                  runtime_ready_fn ready, void *ready_arg);

/* The command `supamock run` starts once the server listens. Both arrays are
 * NULL-terminated and borrowed: they must stay valid until runtime_run
 * returns. argv[0] is looked up in PATH (execvp's rules); env is the child's
 * whole environment. */
typedef struct runtime_command {
    char **argv;
    char **env;
} runtime_command_t;

/* Like runtime_ready_fn, and fills *cmd with the command to run. */
typedef int (*runtime_command_fn)(void *arg, const char *url, runtime_command_t *cmd);

/* Serves as runtime_serve does, and once ready has filled *cmd runs it as a
 * child process that inherits stdin, stdout and stderr. SIGINT and SIGTERM
 * sent to supamock are forwarded to the child instead of stopping the server;
 * when the child exits, the server shuts down gracefully (in-flight answers
 * finish). *child_status is then the child's exit status, 128 + N when signal
 * N ended it, or 127 (command not found) / 126 (not executable or another
 * spawn failure) after a message on stderr. Returns 0 when the command was
 * run or tried, 1 when the server could not listen or ready refused. */
int runtime_run(const mock_config_t *cfg, server_handler_fn handler, void *ctx,
                runtime_command_fn ready, void *ready_arg, int *child_status);

/* The loop runtime_serve and runtime_run serve on, made on first use, so
 * that what must live on it (the database engine's connections) can be built
 * before serving starts. It outlives them: once whatever was built on it is
 * closed, runtime_shared_loop_free runs it until the closes are done and
 * frees it (a no-op when it was never made). */
struct uv_loop_s *runtime_shared_loop(void);
void runtime_shared_loop_free(void);

/* A loop of its own, for tools and tests that drive loop-based code (the
 * database engine's connections) without a server. The caller ends it with
 * runtime_loop_free. */
struct uv_loop_s *runtime_loop_new(void);
/* Runs the loop until *flag is true (set by a callback on the loop) or
 * timeout_ms passed. Returns 0 when the flag was set, -1 on timeout. */
int runtime_loop_run_until(struct uv_loop_s *loop, const bool *flag, unsigned timeout_ms);
/* Runs the loop until every handle has closed (at most timeout_ms), then
 * closes and frees it. Returns 0, or -1 when handles were still open (the
 * loop is then leaked rather than freed under them). NULL is a no-op. */
int runtime_loop_free(struct uv_loop_s *loop, unsigned timeout_ms);

#endif
