/* pg_auth.h: a batch is BEGIN, its statements one by one, COMMIT (ROLLBACK
 * after the first failure), chained from pg_conn callbacks on the one
 * connection of a private pool.
 *
 * Ownership: the store owns its pool; a batch (pg_auth_batch_t) is owned by
 * the chain from pg_pool_acquire until its `done` has run, and borrows the
 * caller's statements until then. */
#include "pg_auth.h"

#include "pg_conn.h"
#include "pq.h"

#include "caps.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pg_auth_store {
    auth_store_t base;
    const pq_api_t *pq;
    pg_pool_t *pool;
    char *conninfo;
} pg_auth_store_t;

typedef struct pg_auth_batch {
    pg_auth_store_t *s;
    const auth_store_stmt_t *stmts;
    size_t n, next;
    pg_conn_t *conn;
    int rc;
    auth_store_error_t err;
    auth_store_done_fn done;
    void *arg;
} pg_auth_batch_t;

static void batch_finish(pg_auth_batch_t *b)
{
    if (b->conn)
        pg_pool_release(b->s->pool, b->conn);
    auth_store_done_fn done = b->done;
    void *arg = b->arg;
    int rc = b->rc;
    auth_store_error_t err = b->err;
    free(b);
    done(arg, rc, &err);
}

static void fail_client(pg_auth_batch_t *b, const char *message)
{
    if (b->rc == 0) {
        b->rc = -1;
        b->err.sqlstate[0] = '\0';
        snprintf(b->err.message, sizeof b->err.message, "%s", message ? message : "");
    }
}

static void fail_result(pg_auth_batch_t *b, const PGresult *res)
{
    const pq_api_t *pq = b->s->pq;
    if (b->rc != 0)
        return;
    b->rc = -1;
    const char *state = pq->result_error_field(res, PG_DIAG_SQLSTATE);
    const char *msg = pq->result_error_field(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = pq->result_error_field(res, PG_DIAG_MESSAGE_DETAIL);
    snprintf(b->err.sqlstate, sizeof b->err.sqlstate, "%s", state ? state : "");
    snprintf(b->err.message, sizeof b->err.message, "%s", msg ? msg : "");
    snprintf(b->err.detail, sizeof b->err.detail, "%s", detail ? detail : "");
}

static void on_end(void *arg, const PGresult *res, const char *conn_error)
{
    pg_auth_batch_t *b = arg;
    if (!res)
        fail_client(b, conn_error);
    else if (b->s->pq->result_status(res) == PGRES_FATAL_ERROR)
        fail_result(b, res); /* a deferred constraint at COMMIT */
    batch_finish(b);
}

static void on_stmt(void *arg, const PGresult *res, const char *conn_error);

static void batch_send(pg_auth_batch_t *b, const char *sql, int n, const char *const *params,
                       pg_conn_done_fn next)
{
    if (pg_conn_exec(b->conn, sql, n, params, next, b) == 0)
        return;
    fail_client(b, pg_conn_error(b->conn));
    batch_finish(b);
}

static void step(pg_auth_batch_t *b)
{
    if (b->rc != 0 || b->next == b->n) {
        batch_send(b, b->rc == 0 ? "COMMIT" : "ROLLBACK", 0, NULL, on_end);
        return;
    }
    const auth_store_stmt_t *st = &b->stmts[b->next++];
    batch_send(b, st->sql, st->n_params, st->params, on_stmt);
}

static void on_stmt(void *arg, const PGresult *res, const char *conn_error)
{
    pg_auth_batch_t *b = arg;
    if (!res) {
        fail_client(b, conn_error);
        batch_finish(b); /* the connection broke: nothing to roll back on it */
        return;
    }
    ExecStatusType st = b->s->pq->result_status(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_result(b, res);
    step(b);
}

static void on_conn(void *arg, pg_conn_t *conn, const char *error)
{
    pg_auth_batch_t *b = arg;
    if (!conn) {
        fail_client(b, error);
        batch_finish(b);
        return;
    }
    b->conn = conn;
    batch_send(b, "BEGIN", 0, NULL, on_stmt);
}

static void store_run(auth_store_t *base, const auth_store_stmt_t *stmts, size_t n,
                      auth_store_done_fn done, void *arg)
{
    pg_auth_store_t *s = (pg_auth_store_t *)base;
    pg_auth_batch_t *b = xcalloc(1, sizeof *b);
    b->s = s;
    b->stmts = stmts;
    b->n = n;
    b->done = done;
    b->arg = arg;
    pg_pool_acquire(s->pool, on_conn, b);
}

/* GoTrue keeps at most GOTRUE_MAX_USERS users: the oldest are read. */
#define MOCK_STR_(x) #x
#define MOCK_STR(x)  MOCK_STR_(x)

/* Times as microseconds since 2000-01-01 UTC (Postgres's own epoch). */
#define US(col)                                                                                    \
    "(extract(epoch from " col " - timestamptz '2000-01-01 00:00:00+00') * 1000000)::int8"

static char *store_load_users(auth_store_t *base, char *err, size_t err_len)
{
    pg_auth_store_t *s = (pg_auth_store_t *)base;
    const pq_api_t *pq = s->pq;
    static const char sql[] =
        "SELECT coalesce(json_agg(json_build_object("
        "'id', id, 'email', email, 'phone', phone, 'encrypted_password', encrypted_password,"
        " 'role', role, 'raw_app_meta_data', raw_app_meta_data,"
        " 'raw_user_meta_data', raw_user_meta_data, 'is_anonymous', is_anonymous,"
        " 'created_at', " US("created_at") ", 'updated_at', " US(
            "updated_at") ","
                          " 'email_confirmed_at', " US(
                              "email_confirmed_at") ","
                                                    " 'phone_confirmed_at', " US(
                                                        "phone_confirmed_at") ","
                                                                              " 'confirmation_sent_"
                                                                              "at', " US(
                                                                                  "confirmation_"
                                                                                  "sent_at") ","
                                                                                             " '"
                                                                                             "last_"
                                                                                             "sign_"
                                                                                             "in_"
                                                                                             "at',"
                                                                                             " " US("last_sign_in_at") ", 'invited_at', " US(
                                                                                                 "i"
                                                                                                 "n"
                                                                                                 "v"
                                                                                                 "i"
                                                                                                 "t"
                                                                                                 "e"
                                                                                                 "d"
                                                                                                 "_"
                                                                                                 "a"
                                                                                                 "t") ","
                                                                                                      " 'banned_until', " US("banned_until") ", 'deleted_at', " US(
                                                                                                          "deleted_at") ")"
                                                                                                                        " ORDER BY created_at, id), '[]')::text"
                                                                                                                        " FROM (SELECT * FROM auth.users ORDER BY created_at, id LIMIT " MOCK_STR(
                                                                                                                            GOTRUE_MAX_USERS) ") u";
    PGconn *c = pq->connectdb(s->conninfo);
    if (pq->status(c) != CONNECTION_OK) {
        snprintf(err, err_len, "%s", pq->error_message(c));
        pq->finish(c);
        return NULL;
    }
    PGresult *r = pq->exec(c, sql);
    char *out = NULL;
    if (pq->result_status(r) == PGRES_TUPLES_OK && pq->ntuples(r) == 1)
        out = xstrdup(pq->getvalue(r, 0, 0));
    else
        snprintf(err, err_len, "%s", pq->result_error_message(r));
    pq->clear(r);
    pq->finish(c);
    return out;
}

static void store_free(auth_store_t *base)
{
    pg_auth_store_t *s = (pg_auth_store_t *)base;
    if (!s)
        return;
    pg_pool_free(s->pool);
    free(s->conninfo);
    free(s);
}

static const auth_store_ops_t pg_auth_ops = {
    .run = store_run,
    .load_users = store_load_users,
    .free = store_free,
};

auth_store_t *pg_auth_store_new(struct uv_loop_s *loop, const char *conninfo, char *err,
                                size_t err_len)
{
    const pq_api_t *pq = pq_load(err, err_len);
    if (!pq)
        return NULL;
    pg_auth_store_t *s = xcalloc(1, sizeof *s);
    s->base.ops = &pg_auth_ops;
    s->pq = pq;
    s->conninfo = xstrdup(conninfo);
    pg_pool_options_t po = {.loop = loop, .conninfo = conninfo, .size = 1};
    s->pool = pg_pool_new(&po, err, err_len);
    if (!s->pool) {
        free(s->conninfo);
        free(s);
        return NULL;
    }
    return &s->base;
}
