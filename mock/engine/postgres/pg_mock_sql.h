/* POST /__mock/sql on the database engine: any SQL, run as the database's
 * owner (`postgres`) on the instance's own database, answered as
 * {"results":[{"command":"SELECT 2","rows":[{...},...]},...]} with one
 * result per statement (the command tag as Postgres sends it), or 400
 * {"error", "code", "position", "statement"} with Postgres's message, SQLSTATE,
 * the 1-based character position in the request's SQL and the 1-based
 * number of the statement that failed. The statements run as one simple
 * query, so without an explicit BEGIN each commits on its own, as in psql;
 * a failure stops the rest.
 *
 * The admin API's work on the database runs on the event loop like the
 * engine's (one connection of its own as `postgres`, bounded by a 30 s
 * statement_timeout): the response is deferred and completes when Postgres
 * has answered. At most PG_MOCK_SQL_MAX_ROWS rows per statement are answered
 * (then "truncated": true). */
#ifndef MOCK_PG_MOCK_SQL_H
#define MOCK_PG_MOCK_SQL_H

#include "message.h"

#include <stdbool.h>

#define PG_MOCK_SQL_MAX_ROWS 10000

struct uv_loop_s;

/* The instance's connection as the database's owner, for the admin API.
 * loop NULL: blocking (the response is complete when the call returns). */
typedef struct pg_mock_db pg_mock_db_t;
pg_mock_db_t *pg_mock_db_new(struct uv_loop_s *loop, const char *conninfo, char *err,
                             size_t err_len);
/* Jobs still running complete their responses with an error first. */
void pg_mock_db_free(pg_mock_db_t *db);

/* POST /__mock/sql: runs sql and answers in resp (deferred). on_notify(arg)
 * runs when a NOTIFY ran and the script completed (the caller reloads the
 * schema cache at once, as PostgREST's listener would shortly after). */
void pg_mock_sql(pg_mock_db_t *db, const char *sql, mock_response_t *resp,
                 void (*on_notify)(void *arg), void *arg);

/* GET /__mock/tables/SCHEMA.NAME (rows_json NULL): every row ignoring RLS, as
 * json_agg writes them; PUT (rows_json a JSON array of objects): the rows
 * replace the table's in one transaction (json_populate_recordset; missing
 * keys are NULL, not the column default), then the rows are answered. 404 for
 * an unknown relation, 409 for an integrity violation, 400 otherwise, with
 * Postgres's error; 413 past PG_MOCK_SQL_MAX_ROWS rows. */
void pg_mock_table(pg_mock_db_t *db, const char *schema, const char *name, const char *rows_json,
                   mock_response_t *resp);

#endif
