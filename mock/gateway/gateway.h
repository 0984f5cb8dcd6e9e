/* The Supabase gateway in front of PostgREST, and PostgREST's own
 * authentication step: which key a request carries (apikey header or
 * ?apikey=), whether the gateway lets it through (hosted, self-hosted Kong
 * 2.8.1, or the CLI's open gateway), the gateway's Authorization rewrite,
 * and the role and claims PostgREST derives from the resulting JWT. */
#ifndef MOCK_GATEWAY_H
#define MOCK_GATEWAY_H

#include "jwt.h"
#include "message.h"
#include "pgrst_error.h"
#include "scenario.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum gateway_key {
    GATEWAY_KEY_MISSING,
    GATEWAY_KEY_INVALID,
    GATEWAY_KEY_ANON,         /* the legacy anon JWT key */
    GATEWAY_KEY_SERVICE_ROLE, /* the legacy service_role JWT key */
    GATEWAY_KEY_PUBLISHABLE,  /* sb_publishable_... */
    GATEWAY_KEY_SECRET,       /* sb_secret_... */
} gateway_key_t;

const char *gateway_key_name(gateway_key_t k); /* "anon", "publishable", "missing", ... */

/* Who a request is, once the gateway and PostgREST's JWT step are done. */
typedef struct gateway_identity {
    gateway_key_t key;
    bool user_jwt;       /* Authorization carried a JWT that is not a configured key */
    const char *role;    /* database role: "anon", "authenticated", "service_role", ... */
    const cJSON *claims; /* verified claims, NULL for anon without a JWT: owned when
                            claims_owned, else borrowed from a jwt_cache_t for the
                            request's duration */
    bool claims_owned;
    const char *sub; /* claims.sub when a string (borrowed from claims), else NULL */
    /* Where the token PostgREST verified came from (the role's source). */
    mock_explain_source_t source;
} gateway_identity_t;

void gateway_identity_dispose(gateway_identity_t *id);

/* ?apikey= as Kong's key-auth reads it (form-decoded into arena); NULL when
 * absent. */
const char *gateway_query_apikey(arena_t *arena, const char *query);
/* The gateway's key check. Returns 0 when the request may pass, or 1 after
 * writing the gateway's rejection into resp. `apikey_query` is the decoded
 * ?apikey= value or NULL. */
int gateway_admit(const scenario_t *sc, const mock_request_t *req, const char *apikey_query,
                  gateway_identity_t *id, mock_response_t *resp);

/* The gateway's cors plugin (Kong 2.8.1, priority 2000, so before key-auth):
 * an OPTIONS request with Origin and Access-Control-Request-Method is a
 * preflight, answered by the gateway itself without an apikey. Returns 1 after
 * writing the answer into resp, 0 for any other request. */
int gateway_preflight(const scenario_t *sc, const mock_request_t *req, mock_response_t *resp);
/* Headers the cors plugin adds to every other response of the API routes. */
void gateway_cors_headers(mock_response_t *resp);

/* PostgREST's authentication of the (rewritten) Authorization header: verifies
 * the JWT against the scenario secret at now_unix and resolves the role (a
 * missing role claim is anon; a role the scenario does not know is 401 22023).
 * Returns 0, or -1 with err set (PGRST301/PGRST303/22023). */
int gateway_authenticate(const scenario_t *sc, const mock_request_t *req, int64_t now_unix,
                         const char *jwt_secret_override, gateway_identity_t *id,
                         pgrst_error_t *err);
/* The same through a token cache (jwt.h), as the server does per request. */
int gateway_authenticate_cached(const scenario_t *sc, const mock_request_t *req, int64_t now_unix,
                                const char *jwt_secret_override, jwt_cache_t *cache,
                                gateway_identity_t *id, pgrst_error_t *err);

/* What fault rules match on, without rejecting anything: the key
 * kind ("anon", "service_role", "publishable", "secret", "user" for a JWT in
 * Authorization that is not a configured key, "missing", "invalid") and the
 * resolved role (NULL when the token fails verification or names an unknown
 * role). Both strings are static or the scenario's. */
void gateway_identify(const scenario_t *sc, const mock_request_t *req, const char *apikey_query,
                      int64_t now_unix, const char *jwt_secret_override, jwt_cache_t *cache,
                      const char **key_kind, const char **role);

#endif
