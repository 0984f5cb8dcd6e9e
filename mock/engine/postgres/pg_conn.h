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
 *   back with pg_pool_release.
 *
 * Refinements made with the implementation (pg_conn.c):
 * - pg_conn_exec returns 0 when the statement was sent: `done` then runs
 *   exactly once. It returns -1 when it could not be sent (the connection is
 *   broken, or a statement is already running on it): `done` does not run
 *   and pg_conn_error says why. `done` may chain the next statement on the
 *   same connection, release it, or free the pool.
 * - The waiters are a FIFO bounded by max_waiters: one more acquire runs
 *   `ready` at once with conn NULL and an error (the caller answers as
 *   PostgREST does when its pool is exhausted). pg_pool_cancel takes a
 *   waiter back (its request went away): `ready` then never runs for it.
 * - pg_pool_release takes back any connection: a broken one is closed (and
 *   replaced when requests wait), one left inside a transaction is rolled
 *   back first, one with a statement still running is closed (its `done`
 *   never runs). An idle connection whose server goes away is noticed on
 *   the loop and dropped from the idle list.
 * - `ready` may run before pg_pool_acquire returns: with an idle connection,
 *   with an error (pool closed, too many waiters, a blocking connect that
 *   failed), and in blocking mode always.
 * - Connections are opened lazily, one per acquire that finds none idle, up
 *   to size; a failed connect fails the oldest waiter with libpq's message. */
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
    size_t size;            /* connections at most (PostgREST's db-pool); 0: 1 */
    size_t max_waiters;     /* acquires waiting at most; 0: 64 per connection */
} pg_pool_options_t;

pg_pool_t *pg_pool_new(const pg_pool_options_t *opt, char *err, size_t err_len);
void pg_pool_acquire(pg_pool_t *p, pg_pool_ready_fn ready, void *arg);
void pg_pool_release(pg_pool_t *p, pg_conn_t *conn);
/* Withdraws a waiting acquire (same ready and arg); no-op when none waits. */
void pg_pool_cancel(pg_pool_t *p, pg_pool_ready_fn ready, void *arg);
/* Connections open (idle, lent out or connecting), and acquires waiting. */
size_t pg_pool_open(const pg_pool_t *p);
size_t pg_pool_waiting(const pg_pool_t *p);
/* Closes every connection; callbacks still pending run with an error first. */
void pg_pool_free(pg_pool_t *p);

int pg_conn_exec(pg_conn_t *c, const char *sql, int n_params, const char *const *params,
                 pg_conn_done_fn done, void *arg);
/* A script: sql may hold several statements (the simple query protocol, no
 * parameters). `each` runs for every result as it arrives (borrowed for the
 * call), then `done` with res NULL, and conn_error set when the connection
 * broke. A COPY result ends the script: `each` sees it, and the connection
 * is given up (the caller releases it; the pool closes it). Returns as
 * pg_conn_exec does. */
typedef void (*pg_conn_each_fn)(void *arg, const PGresult *res);
int pg_conn_script(pg_conn_t *c, const char *sql, pg_conn_each_fn each, pg_conn_done_fn done,
                   void *arg);
/* Why the connection broke or the last pg_conn_exec failed ("" when fine). */
const char *pg_conn_error(const pg_conn_t *c);

#endif
