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
 * It blocks the event loop while Postgres works (a developer's tool, bounded
 * by a 30 s statement_timeout) and answers at most PG_MOCK_SQL_MAX_ROWS rows
 * per statement (then "truncated": true). */
#ifndef MOCK_PG_MOCK_SQL_H
#define MOCK_PG_MOCK_SQL_H

#include "buf.h"

#include <stdbool.h>

#define PG_MOCK_SQL_MAX_ROWS 10000

/* Runs sql on the database conninfo names; writes the JSON answer into out.
 * Returns the HTTP status (200, 400, or 502 when the database cannot be
 * reached). *notified is true when a NOTIFY ran (the caller reloads the
 * schema cache, as PostgREST's listener does on NOTIFY pgrst). */
int pg_mock_sql(const char *conninfo, const char *sql, buf_t *out, bool *notified);

#endif
