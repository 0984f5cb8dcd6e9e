/* /__mock: the admin API (SPEC §7). Never journaled, never passes the gateway.
 *
 * Answers (all application/json; errors are {"error": "..."}):
 * - --admin-token set: every call needs `Authorization: Bearer TOKEN`, else
 *   401 {"error":"admin token required"} (no/other scheme) or
 *   {"error":"invalid admin token"}, with WWW-Authenticate: Bearer realm="supamock admin".
 * - GET /health; GET /scenario (effective scenario, rules with matched/answered/expired);
 *   PUT /scenario ({"name": N} alone loads by name or path, anything else is a
 *   whole scenario named "<PUT /__mock/scenario>" in errors) -> {"status":"ok","scenario":N};
 *   POST /reset and POST /reload-schema -> the same shape;
 *   GET|POST /clock ({"advance_ms": N} | {"set": ISO}) -> {"now": ISO};
 *   GET /requests[?method=&path=&status=404|4xx&code=&rule=&since=ID|ISO],
 *   GET /requests/count -> {"count":N}, DELETE /requests -> {"deleted":N};
 *   GET /tables/[SCHEMA.]NAME -> [rows...]; PUT /tables/NAME (array of row
 *   objects) -> the new rows, or 409 {"error","code","details"} for SQLSTATE
 *   class 23 and 400 with the same shape for other Postgres errors (nothing changed);
 *   POST /sql {"sql": "..."} -> admin_sql_execute.
 * - 400 bad body/filter, 404 unknown endpoint or table, 405 (with Allow) for
 *   a wrong method on a known path; HEAD works wherever GET does. */
#ifndef MOCK_ADMIN_H
#define MOCK_ADMIN_H

#include "app.h"
#include "message.h"

/* `sub` is the path after "/__mock" (e.g. "/health"). */
void admin_handle(mock_app_t *app, const mock_request_t *req, const char *sub,
                  mock_response_t *resp);

#endif
