/* A fault rule's `{"error": CODE}`: the catalogue error PostgREST
 * or Postgres would send for this request, worded from the request itself
 * (schema, table, column, role) and rendered with the same bytes and headers
 * as the model's own errors (pgrst_error.c). Pure: no socket, no state. */
#ifndef MOCK_RULE_ERROR_H
#define MOCK_RULE_ERROR_H

#include "message.h"
#include "pgrst_error.h"
#include "scenario.h"
#include "store.h"

#include <stdbool.h>

/* What an error text is filled from. Everything is borrowed for the call. */
typedef struct rule_error_ctx {
    const scenario_t *sc;
    const store_t *store; /* NULL: no fuzzy hint and no column facts */
    const mock_request_t *req;
    const char *role; /* resolved role; NULL is taken as anon */
} rule_error_ctx_t;

/* True when `code` can be rendered without a message: every PGRST code of
 * PostgREST's Error.hs and the SQLSTATEs rule_error knows the Postgres wording of.
 * Any other 5-character SQLSTATE (or PTxyz) is accepted by rules only with an
 * explicit "message". */
bool rule_error_known(const char *code);
/* True for a syntactically valid SQLSTATE: 5 characters of [0-9A-Z]. */
bool rule_error_is_sqlstate(const char *code);

/* Fills err for `code` from the request. An unknown code gets message ""
 * (the rule then supplies one). Returns 0, or -1 when code is unknown. */
int rule_error_fill(const rule_error_ctx_t *ctx, const char *code, pgrst_error_t *err);

/* Writes the error into resp as the model would: the Server header PostgREST's
 * Warp sends, then pgrst_error_render (status, Content-Type, Proxy-Status,
 * WWW-Authenticate, Retry-After). status_override > 0 replaces the mapped
 * status. resp->outcome.code is set (a string in req->arena). */
void rule_error_respond(const rule_error_ctx_t *ctx, const pgrst_error_t *err, int status_override,
                        mock_response_t *resp);

/* The schema and table a /rest/v1 request names, as rule_error reads them
 * (arena strings; table "" when the path has none). For tests. */
const char *rule_error_schema(const rule_error_ctx_t *ctx);
const char *rule_error_table(const rule_error_ctx_t *ctx);

#endif
