/* /__mock/sql on a real database: the results of a simple query, row by row,
 * as JSON. */
#include "pg_mock_sql.h"

#include "pq.h"

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

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

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

int pg_mock_sql(const char *conninfo, const char *sql, buf_t *out, bool *notified)
{
    *notified = false;
    char err[256];
    const pq_api_t *pq = pq_load(err, sizeof err);
    if (!pq) {
        buf_puts(out, "{\"error\":");
        buf_put_json_string(out, err);
        buf_putc(out, '}');
        return 502;
    }
    PGconn *c = pq->connectdb(conninfo);
    if (pq->status(c) != CONNECTION_OK) {
        buf_puts(out, "{\"error\":");
        buf_put_json_string(out, pq->error_message(c));
        buf_putc(out, '}');
        pq->finish(c);
        return 502;
    }
    pq->set_notice_processor(c, quiet, NULL);
    pq->clear(pq->exec(c, "set statement_timeout = '30s'"));
    buf_t results;
    buf_init(&results);
    int status = 200;
    size_t n = 0;
    buf_t error;
    buf_init(&error);
    if (!pq->send_query(c, sql)) {
        status = 400;
        buf_puts(&error, "{\"error\":");
        buf_put_json_string(&error, pq->error_message(c));
        buf_putc(&error, '}');
    }
    PGresult *r;
    while (status == 200 && (r = pq->get_result(c)) != NULL) {
        ExecStatusType st = pq->result_status(r);
        if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
            status = 400;
            put_error(pq, &error, r, n + 1);
        } else if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
            status = 400;
            buf_puts(&error, "{\"error\":\"COPY needs a client that streams data; use INSERT or "
                             "SELECT\",\"code\":\"0A000\"}");
        } else if (st != PGRES_EMPTY_QUERY) {
            const char *tag = pq->cmd_status(r);
            if (strncmp(tag, "NOTIFY", 6) == 0)
                *notified = true;
            if (n++)
                buf_putc(&results, ',');
            buf_puts(&results, "{\"command\":");
            buf_put_json_string(&results, tag);
            if (st == PGRES_TUPLES_OK)
                put_rows(pq, &results, r);
            buf_putc(&results, '}');
        }
        pq->clear(r);
    }
    /* After an error or a COPY the connection is dropped with whatever it
     * still had to say. */
    pq->finish(c);
    if (status == 200) {
        buf_puts(out, "{\"results\":[");
        buf_append(out, results.data, results.len);
        buf_puts(out, "]}");
    } else {
        buf_append(out, error.data, error.len);
    }
    buf_dispose(&results);
    buf_dispose(&error);
    return status;
}
