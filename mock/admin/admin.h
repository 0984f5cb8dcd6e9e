/* /__mock: the admin API. Never journaled, never passes the gateway.
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

#include "config.h"
#include "journal.h"
#include "message.h"
#include "rules.h"
#include "scenario.h"
#include "security.h"
#include "store.h"

#include <stdint.h>

/* What the admin API drives, offered by the app that owns the instances
 * (app.c). The admin wing sits below the app, so it reaches the current
 * instance only through these operations; each call returns the current
 * instance's model, so pointers taken before reset or switch_to must not be
 * used after it. */
typedef struct admin_host_ops {
    const mock_config_t *(*config)(void *app); /* may be NULL (tests) */
    const scenario_t *(*scenario)(void *app);
    store_t *(*store)(void *app);
    security_t *(*security)(void *app);
    rules_t *(*rules)(void *app);
    journal_t *(*journal)(void *app);
    int64_t (*now_us)(void *app); /* the scenario clock */
    uint64_t (*uptime_ms)(void *app);
    uint64_t (*request_count)(void *app);
    void (*clock_advance)(void *app, int64_t ms);
    void (*clock_set)(void *app, int64_t us);
    void (*schema_reload)(void *app);
    /* Rebuild from the current scenario / switch to sc (ownership moves, also
     * on failure). 0, or -1 with err and the current instance still serving. */
    int (*reset)(void *app, scenario_error_t *err);
    int (*switch_to)(void *app, scenario_t *sc, scenario_error_t *err);
} admin_host_ops_t;

typedef struct admin_host {
    const admin_host_ops_t *ops;
    void *app;
} admin_host_t;

/* `sub` is the path after "/__mock" (e.g. "/health"). */
void admin_handle(const admin_host_t *h, const mock_request_t *req, const char *sub,
                  mock_response_t *resp);

#endif
