/* /__mock/sql on a real database: the results of a simple query, row by row,
 * as JSON. */
#include "pg_mock_sql.h"

#include "pg_conn.h"
#include "pg_sql.h"
#include "pq.h"

#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs from pg_type.dat whose text output is already a JSON literal. */
enum {
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_OID = 26,
    OID_JSON = 114,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_NUMERIC = 1700,
    OID_JSONB = 3802,
};

/* One value as JSON: numbers and booleans as such (NaN and Infinity, which
 * JSON lacks, as strings), json and jsonb as their document, else a string. */
static void put_value(buf_t *b, const char *v, Oid type)
{
    switch (type) {
    case OID_BOOL:
        buf_puts(b, v[0] == 't' ? "true" : "false");
        return;
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC:
        if (strcmp(v, "NaN") != 0 && strstr(v, "Infinity") == NULL) {
            buf_puts(b, v);
            return;
        }
        break;
    case OID_JSON:
    case OID_JSONB:
        buf_puts(b, v);
        return;
    default:
        break;
    }
    buf_put_json_string(b, v);
}

static void put_rows(const pq_api_t *pq, buf_t *b, const PGresult *r)
{
    int rows = pq->ntuples(r), cols = pq->nfields(r);
    buf_puts(b, ",\"rows\":[");
    for (int i = 0; i < rows && i < PG_MOCK_SQL_MAX_ROWS; i++) {
        if (i)
            buf_putc(b, ',');
        buf_putc(b, '{');
        for (int c = 0; c < cols; c++) {
            if (c)
                buf_putc(b, ',');
            buf_put_json_string(b, pq->fname(r, c));
            buf_putc(b, ':');
            if (pq->getisnull(r, i, c))
                buf_puts(b, "null");
            else
                put_value(b, pq->getvalue(r, i, c), pq->ftype(r, c));
        }
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
    if (rows > PG_MOCK_SQL_MAX_ROWS)
        buf_puts(b, ",\"truncated\":true");
}

static void put_error(const pq_api_t *pq, buf_t *b, const PGresult *r, size_t statement)
{
    const char *msg = pq->result_error_field(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *code = pq->result_error_field(r, PG_DIAG_SQLSTATE);
    const char *detail = pq->result_error_field(r, PG_DIAG_MESSAGE_DETAIL);
    const char *hint = pq->result_error_field(r, PG_DIAG_MESSAGE_HINT);
    const char *pos = pq->result_error_field(r, PG_DIAG_STATEMENT_POSITION);
    buf_puts(b, "{\"error\":");
    buf_put_json_string(b, msg ? msg : pq->result_error_message(r));
    buf_puts(b, ",\"code\":");
    buf_put_json_string(b, code ? code : "XX000");
    if (detail) {
        buf_puts(b, ",\"details\":");
        buf_put_json_string(b, detail);
    }
    if (hint) {
        buf_puts(b, ",\"hint\":");
        buf_put_json_string(b, hint);
    }
    if (pos) {
        buf_puts(b, ",\"position\":");
        buf_put_int(b, atol(pos));
    }
    buf_puts(b, ",\"statement\":");
    buf_put_int(b, (long long)statement);
    buf_putc(b, '}');
}

/* ---- the owner's connection ---- */

struct pg_mock_db {
    pg_pool_t *pool; /* one connection as `postgres` */
};

pg_mock_db_t *pg_mock_db_new(struct uv_loop_s *loop, const char *conninfo, char *err,
                             size_t err_len)
{
    /* The admin API's statements are a developer's tool, bounded like the
     * blocking predecessor was: 30 s each (options travels with every
     * connection the pool opens). */
    buf_t ci;
    buf_init(&ci);
    buf_printf(&ci, "%s options='-c statement_timeout=30000'", conninfo);
    pg_pool_options_t opt = {.loop = loop, .conninfo = buf_cstr(&ci), .size = 1, .max_waiters = 16};
    pg_pool_t *pool = pg_pool_new(&opt, err, err_len);
    buf_dispose(&ci);
    if (!pool)
        return NULL;
    pg_mock_db_t *db = xcalloc(1, sizeof *db);
    db->pool = pool;
    return db;
}

void pg_mock_db_free(pg_mock_db_t *db)
{
    if (!db)
        return;
    pg_pool_free(db->pool);
    free(db);
}

/* One admin request on the database: what it runs, and where it answers.
 * Owned by itself from start to finish (freed when the response completes);
 * the response stays valid until then (message.h's deferral contract). */
typedef enum job_kind { JOB_SQL, JOB_TABLE_GET, JOB_TABLE_PUT } job_kind_t;

typedef struct job {
    pg_mock_db_t *db;
    job_kind_t kind;
    mock_response_t *resp;
    bool deferred;
    pg_conn_t *conn;
    const pq_api_t *pq;
    char *sql;    /* JOB_SQL: the script */
    char *target; /* tables: the quoted "schema"."name" */
    char *rows;   /* JOB_TABLE_PUT: the JSON array */
    int step;     /* tables: the statement of the chain that runs */
    /* JOB_SQL */
    buf_t results, error;
    size_t count;
    int status;
    bool notified;
    void (*on_notify)(void *arg);
    void *notify_arg;
} job_t;

static void job_free(job_t *j)
{
    free(j->sql);
    free(j->target);
    free(j->rows);
    buf_dispose(&j->results);
    buf_dispose(&j->error);
    free(j);
}

/* The job's answer is in resp: give the connection back and complete. */
static void job_finish(job_t *j)
{
    if (j->conn)
        pg_pool_release(j->db->pool, j->conn);
    j->conn = NULL;
    mock_response_add_header(j->resp, "Content-Type", "application/json");
    mock_response_t *resp = j->resp;
    bool deferred = j->deferred;
    job_free(j);
    if (deferred)
        mock_response_complete(resp);
}

static void answer_error(job_t *j, int status, const char *message)
{
    mock_response_clear(j->resp);
    j->resp->status = status;
    buf_puts(&j->resp->body, "{\"error\":");
    buf_put_json_string(&j->resp->body, message);
    buf_putc(&j->resp->body, '}');
}

/* ---- POST /__mock/sql ---- */

static void sql_each(void *arg, const PGresult *r)
{
    job_t *j = arg;
    const pq_api_t *pq = j->pq;
    if (j->status != 200)
        return;
    ExecStatusType st = pq->result_status(r);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
        j->status = 400;
        put_error(pq, &j->error, r, j->count + 1);
    } else if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
        j->status = 400;
        buf_puts(&j->error, "{\"error\":\"COPY needs a client that streams data; use INSERT or "
                            "SELECT\",\"code\":\"0A000\"}");
    } else if (st != PGRES_EMPTY_QUERY) {
        const char *tag = pq->cmd_status((PGresult *)r);
        if (strncmp(tag, "NOTIFY", 6) == 0)
            j->notified = true;
        if (j->count++)
            buf_putc(&j->results, ',');
        buf_puts(&j->results, "{\"command\":");
        buf_put_json_string(&j->results, tag);
        if (st == PGRES_TUPLES_OK)
            put_rows(pq, &j->results, r);
        buf_putc(&j->results, '}');
    }
}

static void sql_done(void *arg, const PGresult *res, const char *conn_error)
{
    (void)res;
    job_t *j = arg;
    mock_response_t *resp = j->resp;
    if (j->status == 200 && conn_error) {
        answer_error(j, 502, conn_error);
    } else if (j->status == 200) {
        resp->status = 200;
        buf_puts(&resp->body, "{\"results\":[");
        buf_append(&resp->body, j->results.data, j->results.len);
        buf_puts(&resp->body, "]}");
    } else {
        resp->status = j->status;
        buf_append(&resp->body, j->error.data, j->error.len);
    }
    /* PostgREST reloads its cache on NOTIFY pgrst; the engine's listener
     * does too, and a NOTIFY through here reloads it at once, so the next
     * request sees the new cache. Not after the pool closed (the instance
     * is going away). */
    if (j->notified && !conn_error && j->on_notify)
        j->on_notify(j->notify_arg);
    job_finish(j);
}

/* ---- /__mock/tables/NAME ---- */

/* The chain of a table job: PUT runs steps 0 to 4 (begin, delete, insert,
 * commit, read), GET only the read. */
enum { STEP_BEGIN, STEP_DELETE, STEP_INSERT, STEP_COMMIT, STEP_READ };

static const char *table_statement(const job_t *j, buf_t *b, int *n_params)
{
    *n_params = 0;
    buf_reset(b);
    switch (j->step) {
    case STEP_BEGIN:
        return "begin";
    case STEP_DELETE:
        buf_printf(b, "delete from %s", j->target);
        break;
    case STEP_INSERT:
        buf_printf(b, "insert into %s select * from json_populate_recordset(null::%s, $1)",
                   j->target, j->target);
        *n_params = 1;
        break;
    case STEP_COMMIT:
        return "commit";
    default:
        /* Every row, ignoring RLS (postgres has BYPASSRLS), in heap order
         * as the memory engine answers; one more than the cap tells a table
         * too large for this endpoint. */
        buf_printf(b,
                   "select count(*), coalesce(json_agg(t), '[]') from "
                   "(select * from %s limit %d) t",
                   j->target, PG_MOCK_SQL_MAX_ROWS + 1);
        break;
    }
    return buf_cstr(b);
}

static void table_step(job_t *j);

static void table_done(void *arg, const PGresult *r, const char *conn_error)
{
    job_t *j = arg;
    const pq_api_t *pq = j->pq;
    if (conn_error) {
        answer_error(j, 502, conn_error);
        job_finish(j);
        return;
    }
    ExecStatusType st = pq->result_status(r);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
        const char *code = pq->result_error_field(r, PG_DIAG_SQLSTATE);
        mock_response_clear(j->resp);
        /* An unknown relation is 404 as on the memory engine; integrity
         * violations (class 23) conflict with the data; the rest is a bad
         * request. The connection goes back inside the transaction: the
         * pool rolls it back. */
        j->resp->status = code && strcmp(code, "42P01") == 0    ? 404
                          : code && strncmp(code, "23", 2) == 0 ? 409
                                                                : 400;
        put_error(pq, &j->resp->body, r, 0);
        job_finish(j);
        return;
    }
    if (j->step == STEP_READ) {
        if (pq->ntuples(r) == 1 && atol(pq->getvalue(r, 0, 0)) > PG_MOCK_SQL_MAX_ROWS) {
            answer_error(j, 413,
                         "the table has more rows than /__mock/tables answers (10000); use "
                         "/__mock/sql");
        } else {
            j->resp->status = 200;
            buf_puts(&j->resp->body, pq->ntuples(r) == 1 ? pq->getvalue(r, 0, 1) : "[]");
        }
        job_finish(j);
        return;
    }
    j->step++;
    table_step(j);
}

static void table_step(job_t *j)
{
    buf_t b;
    buf_init(&b);
    int n = 0;
    const char *stmt = table_statement(j, &b, &n);
    const char *params[1] = {j->rows};
    int rc = pg_conn_exec(j->conn, stmt, n, params, table_done, j);
    buf_dispose(&b);
    if (rc < 0) {
        answer_error(j, 502, pg_conn_error(j->conn));
        job_finish(j);
    }
}

/* ---- starting a job ---- */

static void job_ready(void *arg, pg_conn_t *conn, const char *error)
{
    job_t *j = arg;
    if (!conn) {
        answer_error(j, 503, error);
        job_finish(j);
        return;
    }
    j->conn = conn;
    if (j->kind == JOB_SQL) {
        if (pg_conn_script(conn, j->sql, sql_each, sql_done, j) < 0) {
            answer_error(j, 502, pg_conn_error(conn));
            job_finish(j);
        }
        return;
    }
    table_step(j);
}

/* The client went away: the job runs to its end (the connection must come
 * back to the pool in a known state) and its answer is thrown away. */
static void job_cancel(void *arg)
{
    (void)arg;
}

static job_t *job_new(pg_mock_db_t *db, job_kind_t kind, mock_response_t *resp)
{
    char err[256];
    job_t *j = xcalloc(1, sizeof *j);
    j->db = db;
    j->kind = kind;
    j->resp = resp;
    j->pq = pq_load(err, sizeof err);
    j->status = 200;
    buf_init(&j->results);
    buf_init(&j->error);
    return j;
}

static void job_start(job_t *j)
{
    /* Deferred before the pool is asked: `ready` may run at once (an idle
     * connection, blocking mode), and then the job completes its own
     * deferral before this returns. */
    mock_response_defer(j->resp, job_cancel, j);
    j->deferred = true;
    pg_pool_acquire(j->db->pool, job_ready, j);
}

void pg_mock_sql(pg_mock_db_t *db, const char *sql, mock_response_t *resp,
                 void (*on_notify)(void *arg), void *arg)
{
    job_t *j = job_new(db, JOB_SQL, resp);
    j->sql = xstrdup(sql);
    j->on_notify = on_notify;
    j->notify_arg = arg;
    job_start(j);
}

static char *quoted_target(const char *schema, const char *name)
{
    buf_t b;
    buf_init(&b);
    pg_put_ident(&b, schema);
    buf_putc(&b, '.');
    pg_put_ident(&b, name);
    char *s = xstrdup(buf_cstr(&b));
    buf_dispose(&b);
    return s;
}

void pg_mock_table(pg_mock_db_t *db, const char *schema, const char *name, const char *rows_json,
                   mock_response_t *resp)
{
    job_t *j = job_new(db, rows_json ? JOB_TABLE_PUT : JOB_TABLE_GET, resp);
    j->target = quoted_target(schema, name);
    j->rows = rows_json ? xstrdup(rows_json) : NULL;
    j->step = rows_json ? STEP_BEGIN : STEP_READ;
    job_start(j);
}
