/* apikey checks and the Authorization rewrite (Supabase's Kong: supabase/supabase
 * docker/volumes/api/kong.yml), then PostgREST's JWT step. Bodies of gateway
 * rejections are the three gateways' own. */
#include "gateway.h"

#include "jwt.h"
#include "urlcodec.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *gateway_key_name(gateway_key_t k)
{
    switch (k) {
    case GATEWAY_KEY_MISSING:
        return "missing";
    case GATEWAY_KEY_INVALID:
        return "invalid";
    case GATEWAY_KEY_ANON:
        return "anon";
    case GATEWAY_KEY_SERVICE_ROLE:
        return "service_role";
    case GATEWAY_KEY_PUBLISHABLE:
        return "publishable";
    case GATEWAY_KEY_SECRET:
        return "secret";
    }
    return "invalid";
}

void gateway_identity_dispose(gateway_identity_t *id)
{
    if (id->claims_owned)
        cJSON_Delete((cJSON *)id->claims);
    memset(id, 0, sizeof *id);
}

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static gateway_key_t classify(const scenario_t *sc, const char *key)
{
    if (!key)
        return GATEWAY_KEY_MISSING;
    if (same(key, sc->anon_key))
        return GATEWAY_KEY_ANON;
    if (same(key, sc->service_role_key))
        return GATEWAY_KEY_SERVICE_ROLE;
    if (same(key, sc->publishable_key))
        return GATEWAY_KEY_PUBLISHABLE;
    if (same(key, sc->secret_key))
        return GATEWAY_KEY_SECRET;
    return GATEWAY_KEY_INVALID;
}

static void reject_hosted(mock_response_t *resp, const char *body)
{
    resp->status = 401;
    mock_response_add_header(resp, "Content-Type", "application/json");
    buf_puts(&resp->body, body);
}

/* Kong 2.8.1's kong.response.error with the JSON template (kong/tools/utils.lua). */
static void reject_kong(mock_response_t *resp, const char *message, bool missing)
{
    resp->status = 401;
    mock_response_add_header(resp, "Content-Type", "application/json; charset=utf-8");
    if (missing)
        mock_response_add_header(resp, "WWW-Authenticate", "Key realm=\"kong\"");
    mock_response_add_header(resp, "Server", "kong/2.8.1");
    mock_response_add_header(resp, "X-Kong-Response-Latency", "0");
    buf_printf(&resp->body, "{\n  \"message\":\"%s\"\n}", message);
}

const char *gateway_query_apikey(arena_t *arena, const char *query)
{
    const char *p = query;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > 7 && strncmp(p, "apikey=", 7) == 0)
            return url_form_decode(arena, p + 7, len - 7);
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

int gateway_admit(const scenario_t *sc, const mock_request_t *req, const char *apikey_query,
                  gateway_identity_t *id, mock_response_t *resp)
{
    memset(id, 0, sizeof *id);
    /* Kong's key-auth reads the header first, then the query parameter. */
    const char *key = mock_request_header(req, "apikey");
    if (!key)
        key = apikey_query;
    id->key = classify(sc, key);
    if (sc->gateway == SCENARIO_GATEWAY_CLI)
        return 0; /* the CLI's kong.yml has no key-auth on rest-v1/auth-v1 */
    if (id->key == GATEWAY_KEY_MISSING) {
        if (sc->gateway == SCENARIO_GATEWAY_HOSTED)
            reject_hosted(resp, "{\"message\":\"No API key found in request\",\"hint\":\"No "
                                "`apikey` request header or url param was found.\"}");
        else
            reject_kong(resp, "No API key found in request", true);
        return 1;
    }
    if (id->key == GATEWAY_KEY_INVALID) {
        if (sc->gateway == SCENARIO_GATEWAY_HOSTED)
            reject_hosted(resp, "{\"message\":\"Invalid API key\",\"hint\":\"Double check your "
                                "Supabase `anon` or `service_role` API key.\"}");
        else
            reject_kong(resp, "Invalid authentication credentials", false);
        return 1;
    }
    return 0;
}

int gateway_preflight(const scenario_t *sc, const mock_request_t *req, mock_response_t *resp)
{
    if (strcmp(req->method, "OPTIONS") != 0 || !mock_request_header(req, "origin") ||
        !mock_request_header(req, "access-control-request-method"))
        return 0;
    /* kong/plugins/cors/handler.lua access(): origins unset means "*"; the
     * allowed headers echo the request's; the default method list. */
    resp->status = 200;
    mock_response_add_header(resp, "Access-Control-Allow-Origin", "*");
    const char *acrh = mock_request_header(req, "access-control-request-headers");
    if (acrh)
        mock_response_add_header(resp, "Access-Control-Allow-Headers", acrh);
    mock_response_add_header(resp, "Access-Control-Allow-Methods",
                             "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT");
    if (sc->gateway != SCENARIO_GATEWAY_HOSTED) {
        /* kong.response.exit answers carry Kong's own headers. */
        mock_response_add_header(resp, "Server", "kong/2.8.1");
        mock_response_add_header(resp, "X-Kong-Response-Latency", "0");
    }
    return 1;
}

void gateway_cors_headers(mock_response_t *resp)
{
    /* header_filter(): with origins unset, "*" on every response. */
    if (!mock_response_header(resp, "Access-Control-Allow-Origin"))
        mock_response_add_header(resp, "Access-Control-Allow-Origin", "*");
}

static bool role_known(const scenario_t *sc, const char *role)
{
    for (size_t i = 0; i < sc->role_count; i++)
        if (strcmp(sc->roles[i].name, role) == 0)
            return true;
    return false;
}

/* The token PostgREST sees after the gateway's Authorization rewrite, or NULL
 * for none (anon). Rewrite order (LUA_AUTH_EXPR in Supabase's
 * kong-entrypoint.sh): a user Authorization header that is not `Bearer sb_...`
 * wins; else the secret/publishable key maps to the service_role/anon JWT; else
 * a legacy JWT apikey is forwarded. */
static const char *effective_token(const scenario_t *sc, const mock_request_t *req,
                                   gateway_identity_t *id)
{
    const char *auth = mock_request_header(req, "authorization");
    if (auth && !(strncasecmp(auth, "Bearer sb_", 10) == 0)) {
        if (strncasecmp(auth, "Bearer ", 7) == 0 || strcasecmp(auth, "Bearer") == 0) {
            const char *token = auth[6] ? auth + 7 : "";
            while (*token == ' ')
                token++;
            id->source = MOCK_EXPLAIN_FROM_AUTHORIZATION;
            id->user_jwt = !same(token, sc->anon_key) && !same(token, sc->service_role_key);
            return token;
        }
        return NULL; /* not a Bearer credential: PostgREST ignores it (anon) */
    }
    if (id->key >= GATEWAY_KEY_ANON)
        id->source = MOCK_EXPLAIN_FROM_APIKEY;
    switch (id->key) {
    case GATEWAY_KEY_SECRET:
        return sc->service_role_key;
    case GATEWAY_KEY_PUBLISHABLE:
        return sc->anon_key;
    case GATEWAY_KEY_ANON:
        return sc->anon_key;
    case GATEWAY_KEY_SERVICE_ROLE:
        return sc->service_role_key;
    default:
        return NULL;
    }
}

int gateway_authenticate(const scenario_t *sc, const mock_request_t *req, int64_t now_unix,
                         const char *jwt_secret_override, gateway_identity_t *id,
                         pgrst_error_t *err)
{
    return gateway_authenticate_cached(sc, req, now_unix, jwt_secret_override, NULL, id, err);
}

int gateway_authenticate_cached(const scenario_t *sc, const mock_request_t *req, int64_t now_unix,
                                const char *jwt_secret_override, jwt_cache_t *cache,
                                gateway_identity_t *id, pgrst_error_t *err)
{
    const char *token = effective_token(sc, req, id);
    id->role = "anon";
    bool v12 = sc->postgrest_version == 12;
    /* v12's parseToken: an empty token is an empty claim set (anon); v13+
     * answers PGRST301 "Empty JWT is sent in Authorization header". */
    if (!token || (v12 && *token == '\0'))
        return 0;
    const char *secret = jwt_secret_override ? jwt_secret_override : sc->jwt_secret;
    /* The scenario's signing keys (not revoked) verify beside the secret. */
    jwt_keyset_t ks;
    jwt_keyset_init(&ks, sc->signing_keys, sc->signing_key_count, sc->signing_keys_fingerprint,
                    secret);
    const cJSON *claims = NULL;
    int rc;
    if (cache) {
        rc = jwt_cache_verify_keyset(cache, token, &ks, now_unix, &claims, err);
        id->claims_owned = false;
    } else {
        cJSON *owned = NULL;
        rc = jwt_verify_keyset(token, &ks, now_unix, &owned, err);
        claims = owned;
        id->claims_owned = true;
    }
    if (rc < 0) {
        if (v12)
            jwt_error_to_v12(err);
        return -1;
    }
    id->claims = claims;
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(claims, "role");
    if (cJSON_IsString(role)) {
        if (!role_known(sc, role->valuestring)) {
            pgrst_error_setf(err, "22023", "role \"%s\" does not exist", role->valuestring);
            /* pgErrorStatus maps this message to 401 from v13.0.1; v12 sends 400. */
            if (v12)
                err->status = 400;
            return -1;
        }
        id->role = role->valuestring;
    }
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
    if (cJSON_IsString(sub))
        id->sub = sub->valuestring;
    return 0;
}

void gateway_identify(const scenario_t *sc, const mock_request_t *req, const char *apikey_query,
                      int64_t now_unix, const char *jwt_secret_override, jwt_cache_t *cache,
                      const char **key_kind, const char **role)
{
    gateway_identity_t id;
    memset(&id, 0, sizeof id);
    const char *key = mock_request_header(req, "apikey");
    if (!key)
        key = apikey_query;
    id.key = classify(sc, key);
    pgrst_error_t err;
    pgrst_error_init(&err);
    int rc = gateway_authenticate_cached(sc, req, now_unix, jwt_secret_override, cache, &id, &err);
    *key_kind = id.user_jwt ? "user" : gateway_key_name(id.key);
    /* A token that fails verification or names an unknown role has no role;
     * the role's string is static or the scenario's, never the claims'. */
    *role = NULL;
    if (rc == 0) {
        for (size_t i = 0; i < sc->role_count; i++)
            if (strcmp(sc->roles[i].name, id.role) == 0)
                *role = sc->roles[i].name;
        if (!*role)
            *role = "anon";
    }
    pgrst_error_dispose(&err);
    gateway_identity_dispose(&id);
}
