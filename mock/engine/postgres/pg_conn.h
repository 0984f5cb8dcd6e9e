/* One asynchronous libpq connection on the event loop, and a small pool of
 * them: the database engine's way to run a statement without blocking other
 * connections of the HTTP server.
 *
 * CONTRACT (written before the implementation, so the engine and the loop
 * side could be built at the same time):
 * - pg_conn_exec sends one statement (PQsendQueryParams, text parameters,
 *   text results) and returns at once; `done` runs later on the loop thread
 *   with the statement's last PGresult (owned by the callee: valid only
 *   during the callback), or with res NULL and conn_error set when the
 *   connection broke. One statement at a time per connection: a caller chains
 *   the statements of a transaction (BEGIN, set_config, the statement,
 *   COMMIT) from the callbacks.
 * - With no loop (opt->loop NULL: the CLI, unit tests), pg_conn_exec blocks
 *   and runs `done` before it returns.
 * - The pool hands out a connection per transaction (pg_pool_acquire runs
 *   `ready` now when one is idle, later when one is released) and takes it
 *   back with pg_pool_release. */
#ifndef MOCK_PG_CONN_H
#define MOCK_PG_CONN_H

#include <libpq-fe.h>

#include <stddef.h>

struct uv_loop_s;

typedef struct pg_conn pg_conn_t;
typedef struct pg_pool pg_pool_t;

typedef void (*pg_conn_done_fn)(void *arg, const PGresult *res, const char *conn_error);
typedef void (*pg_pool_ready_fn)(void *arg, pg_conn_t *conn, const char *error);

typedef struct pg_pool_options {
    struct uv_loop_s *loop; /* NULL: blocking mode */
    const char *conninfo;   /* copied */
    size_t size;            /* connections at most (PostgREST's db-pool) */
} pg_pool_options_t;

pg_pool_t *pg_pool_new(const pg_pool_options_t *opt, char *err, size_t err_len);
void pg_pool_acquire(pg_pool_t *p, pg_pool_ready_fn ready, void *arg);
void pg_pool_release(pg_pool_t *p, pg_conn_t *conn);
/* Closes every connection; callbacks still pending run with an error first. */
void pg_pool_free(pg_pool_t *p);

int pg_conn_exec(pg_conn_t *c, const char *sql, int n_params, const char *const *params,
                 pg_conn_done_fn done, void *arg);

#endif
