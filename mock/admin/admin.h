/* /__mock: the admin API. Never journaled, never passes the gateway.
 *
 * Answers (all application/json, with X-Content-Type-Options: nosniff and
 * never an Access-Control-Allow-Origin; errors are {"error": "..."}):
 * - Only the developer's own tools may call it. Before anything else, and
 *   before the --admin-token check, these get 403 and change nothing:
 *   - an Origin header that is not a loopback origin (http or https with host
 *     localhost, 127.x.x.x or [::1], any port) nor the request's own Host
 *     (same origin); `Origin: null` is refused. Browsers send Origin on every
 *     cross-site POST, so this stops web pages from driving the API;
 *     {"error":"cross-origin request refused: Origin \"O\" is not a loopback origin"}
 *   - a missing Host (HTTP/1.0 allows that; refused rather than guessed), more
 *     than one Host, or a Host that is neither the listening address
 *     (HOST:PORT as printed in the ready line), a loopback name (localhost,
 *     127.x.x.x, [::1], with or without a port) nor an --admin-host value. This
 *     stops DNS rebinding, where a page on evil.example:54321 re-resolves its own
 *     name to 127.0.0.1 and its requests carry Host: evil.example:54321;
 *     {"error":"request refused: no Host header"},
 *     {"error":"request refused: more than one Host header"},
 *     {"error":"request refused: Host \"H\" is not this server's address or a loopback
 *     name (start supamock with --admin-host NAME to accept another name)"}
 *   - a Content-Type other than application/json (parameters such as charset
 *     allowed), on any request, with or without a body, and a body without a
 *     Content-Type. text/plain, application/x-www-form-urlencoded and
 *     multipart/form-data are what a browser sends cross-site without asking
 *     first (no CORS preflight);
 *     {"error":"request refused: Content-Type \"T\" is not application/json"},
 *     {"error":"request refused: a request body needs Content-Type: application/json"}
 *   - a CORS preflight (OPTIONS with Origin): no cross-origin access is granted;
 *     {"error":"cross-origin request refused: the admin API grants no CORS access"}
 *   Header values quoted in these messages are cut at 100 bytes and have bytes
 *   outside printable ASCII replaced by '?'.
 * - --admin-token set: every call needs `Authorization: Bearer TOKEN`, else
 *   401 {"error":"admin token required"} (no/other scheme) or
 *   {"error":"invalid admin token"}, with WWW-Authenticate: Bearer realm="supamock admin".
 * - GET /health; GET /scenario (effective scenario, rules with matched/answered/expired);
 *   PUT /scenario ({"name": N} alone loads the scenario NAME from the scenario
 *   folders, never a path; anything else is a whole scenario named
 *   "<PUT /__mock/scenario>" in errors, whose "extends" may only be a NAME)
 *   -> {"status":"ok","scenario":N};
 *   POST /reset and POST /reload-schema -> the same shape;
 *   GET|POST /clock ({"advance_ms": N} | {"set": ISO}) -> {"now": ISO};
 *   GET /requests[?method=&path=&status=404|4xx|0&code=&rule=&fault=&since=ID|ISO]
 *   (status=0: connection faults),
 *   GET /requests/count -> {"count":N}, DELETE /requests -> {"deleted":N};
 *   GET /requests/ID/explain -> journal_write_explain, 404 for an unknown id;
 *   GET /inbox[?email=&phone=&kind=] -> inbox_write_json (what Auth would have
 *   mailed or texted, oldest first), DELETE /inbox[?same filters] -> {"deleted":N};
 *   GET /tables/[SCHEMA.]NAME -> [rows...]; PUT /tables/NAME (array of row
 *   objects) -> the new rows, or 409 {"error","code","details"} for SQLSTATE
 *   class 23 and 400 with the same shape for other Postgres errors (nothing changed);
 *   POST /sql {"sql": "..."} -> admin_sql_execute;
 *   POST /sessions (no body, {} or {"scenario": NAME}) -> 201 {"id","url","scenario"},
 *   429 past MOCK_MAX_SESSIONS; GET /sessions -> [{"id","url","scenario"}...]
 *   (oldest first); DELETE /sessions/ID -> {"deleted": ID} or 404. The url is
 *   "http://" + the request's Host + "/s/ID".
 * - GET / (and GET with an empty sub-path): the dashboard page (dashboard.h),
 *   after the Origin/Host checks but without the --admin-token check: the
 *   page is static and every call it makes needs the token.
 * - GET /events: text/event-stream of the journal (the app's events op; see
 *   mock/feed.h for the events), resuming after Last-Event-ID or ?since=ID
 *   (400 when not digits), else from the newest entry on; HEAD answers the
 *   head alone.
 * - 400 bad body/filter, 404 unknown endpoint or table, 405 (with Allow) for
 *   a wrong method on a known path; HEAD works wherever GET does. */
#ifndef MOCK_ADMIN_H
#define MOCK_ADMIN_H

#include "config.h"
#include "inbox.h"
#include "journal.h"
#include "message.h"
#include "rules.h"
#include "scenario.h"
#include "security.h"
#include "store.h"

#include <stdbool.h>
#include <stdint.h>

/* What the admin API drives, offered by the app that owns the instances
 * (app.c). The admin wing sits below the app, so it reaches the current
 * instance only through these operations; each call returns the current
 * instance's model, so pointers taken before reset or switch_to must not be
 * used after it. */
typedef struct admin_host_ops {
    const mock_config_t *(*config)(void *app); /* may be NULL (tests) */
    /* "HOST:PORT" the server listens on, or NULL (not listening yet, tests). */
    const char *(*listen_authority)(void *app);
    const scenario_t *(*scenario)(void *app);
    store_t *(*store)(void *app);
    security_t *(*security)(void *app);
    rules_t *(*rules)(void *app);
    journal_t *(*journal)(void *app);
    /* The current instance's Auth inbox; NULL op in hosts without Auth (the
     * endpoint is then 404). */
    inbox_t *(*inbox)(void *app);
    int64_t (*now_us)(void *app); /* the scenario clock */
    uint64_t (*uptime_ms)(void *app);
    uint64_t (*request_count)(void *app);
    void (*clock_advance)(void *app, int64_t ms);
    void (*clock_set)(void *app, int64_t us);
    void (*schema_reload)(void *app);
    /* POST /__mock/sql on the database engine: runs sql on the instance's
     * database and fills resp; returns false (resp untouched) when the
     * instance is on the memory engine. NULL: always the memory engine. */
    bool (*db_sql)(void *app, const char *sql, mock_response_t *resp);
    /* GET (rows_json NULL) and PUT /__mock/tables/SCHEMA.NAME on the database
     * engine: fills resp (or defers it); false (resp untouched) on the memory
     * engine. NULL: always the memory engine. rows_json is a JSON array of
     * objects, already checked. */
    bool (*db_table)(void *app, const char *schema, const char *name, const char *rows_json,
                     mock_response_t *resp);
    /* Rebuild from the current scenario / switch to sc (ownership moves, also
     * on failure). 0, or -1 with err and the current instance still serving. */
    int (*reset)(void *app, scenario_error_t *err);
    int (*switch_to)(void *app, scenario_t *sc, scenario_error_t *err);
    /* Sessions: the process's, whichever space `app` is. session_create builds
     * one from sc (ownership moves, also on failure), or from the scenario the
     * root serves when sc is NULL, and writes its id (ADMIN_SESSION_ID_LEN hex
     * digits) to id_out: 0, ADMIN_SESSION_FULL at MOCK_MAX_SESSIONS, or -1
     * with err. NULL in hosts without sessions (tests): the endpoints are 404. */
    int (*session_create)(void *app, scenario_t *sc, char *id_out, scenario_error_t *err);
    /* Ends the session: true, or false for an unknown id. */
    bool (*session_delete)(void *app, const char *id);
    /* Calls fn for every session, oldest first. */
    void (*session_each)(void *app, void (*fn)(void *ctx, const char *id, const char *scenario),
                         void *ctx);
    /* GET /__mock/events: makes resp a stream (message.h's resp->stream) of
     * the space's journal, replaying the entries after `since`. NULL in hosts
     * without streams (tests): the endpoint is 404. */
    void (*events)(void *app, uint64_t since, mock_response_t *resp);
} admin_host_ops_t;

/* A session id: 8 hex digits of a per-process counter (unique), then 16 hex
 * digits from OpenSSL's RAND_bytes (unguessable; not the instance PRNG, whose
 * sequence a scenario fixes). */
#define ADMIN_SESSION_ID_LEN 24
/* session_create's answer when MOCK_MAX_SESSIONS are open. */
#define ADMIN_SESSION_FULL (-2)

typedef struct admin_host {
    const admin_host_ops_t *ops;
    void *app;
} admin_host_t;

/* True for a loopback host: "localhost" (any case), a dotted-quad IPv4
 * address in 127.0.0.0/8, or ::1 (bracketed or not, also as ::ffff:127.x.x.x).
 * Names that merely start with "127." are not loopback. */
bool admin_is_loopback_host(const char *host);
/* True when value can be an --admin-host: a DNS name or IP address (IPv6 in
 * brackets), optionally with :PORT. */
bool admin_host_value_ok(const char *value);

/* `sub` is the path after "/__mock" (e.g. "/health"). */
void admin_handle(const admin_host_t *h, const mock_request_t *req, const char *sub,
                  mock_response_t *resp);

#endif
