/* Postgres errors as PostgREST reports them (Error.hs, the PgError and
 * SQL.CommandError instances): the SQLSTATE as the code, the server's
 * message, detail and hint as message, details and hint. The HTTP status
 * then follows from the code (pgrst_error_status, Error.hs pgErrorStatus).
 * RAISE with SQLSTATE 'PGRST' carries its own code, message, details, hint
 * and status as JSON in the message and detail. */
#ifndef MOCK_PG_ERROR_H
#define MOCK_PG_ERROR_H

#include "pgrst_error.h"
#include "pq.h"

/* Fills err from a failed result. Returns -1 (for `return pg_error_from_result(...)`). */
int pg_error_from_result(const pq_api_t *pq, const PGresult *res, pgrst_error_t *err);

/* A broken connection: PGRST000 "Database connection error." (503) with the
 * libpq message as details (SQL.ConnectionUsageError). */
int pg_error_connection(const char *message, pgrst_error_t *err);

/* A connection that broke during a statement: PGRST001 "Database client
 * error. Retrying the connection." (503) with libpq's message as details
 * (SQL.ClientError). */
int pg_error_client(const char *message, pgrst_error_t *err);

#endif
