/* /auth/v1: the gateway's key check and Authorization rewrite (as gateway.c),
 * then GoTrue's routes (internal/api/api.go) mapped onto gotrue.c, with
 * GoTrue's error bodies in both forms (errors.go HandleResponseError). No user
 * state lives here; it is all in the instance's gotrue_t. The MFA routes and
 * the admin user list's paging are in auth_account.c; the email and phone
 * flows are auth_mail.c's (email_flows below routes them). Not modelled:
 * OAuth and the open /callback, /authorize routes. */
#include "auth.h"

#include "auth_account.h"
#include "auth_mail.h"
#include "auth_redirect.h"
#include "gotrue_db.h"

#include "clock.h"
#include "gateway.h"
#include "urlcodec.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* X-Supabase-Api-Version (apiversions.go): a date at or after 2024-01-01
 * selects the 2024-01-01 error shape; anything else is the initial one. */
static bool api_2024(const mock_request_t *req)
{
    const char *v = mock_request_header(req, "x-supabase-api-version");
    if (!v || strlen(v) != 10 || v[4] != '-' || v[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9'))
            return false;
    return strcmp(v, "2024-01-01") >= 0;
}

static void send_json(mock_response_t *resp, int status)
{
    resp->status = status;
    mock_response_add_header(resp, "Content-Type", "application/json");
}

/* errors.go HandleResponseError for an *HTTPError or *WeakPasswordError. */
static void send_error(const mock_request_t *req, const gotrue_error_t *err, mock_response_t *resp)
{
    bool v2024 = api_2024(req);
    if (v2024)
        mock_response_add_header(resp, "X-Supabase-Api-Version", "2024-01-01");
    send_json(resp, err->status);
    if (!err->no_code_header)
        mock_response_add_header(resp, "X-Sb-Error-Code", err->code);
    buf_reset(&resp->body);
    if (v2024) {
        buf_puts(&resp->body, "{\"code\":");
        gotrue_put_go_string(&resp->body, err->code);
        buf_puts(&resp->body, ",\"message\":");
        gotrue_put_go_string(&resp->body, err->message);
    } else if (err->pg_code[0]) {
        /* errors.go handleResponseErrorHTTP, initial API version: "Provide
         * better error messages for certain user-triggered Postgres errors":
         * utilities.PostgresError {code, message, hint/detail omitempty},
         * status 500 for the integrity violations. */
        buf_puts(&resp->body, "{\"code\":");
        gotrue_put_go_string(&resp->body, err->pg_code);
        buf_puts(&resp->body, ",\"message\":");
        gotrue_put_go_string(&resp->body, err->pg_message);
        if (err->pg_detail[0]) {
            buf_puts(&resp->body, ",\"detail\":");
            gotrue_put_go_string(&resp->body, err->pg_detail);
        }
    } else {
        buf_puts(&resp->body, "{\"code\":");
        buf_put_int(&resp->body, err->status);
        buf_puts(&resp->body, ",\"error_code\":");
        gotrue_put_go_string(&resp->body, err->code);
        buf_puts(&resp->body, ",\"msg\":");
        gotrue_put_go_string(&resp->body, err->message);
        if (err->status >= 500 && err->error_id[0]) {
            buf_puts(&resp->body, ",\"error_id\":");
            gotrue_put_go_string(&resp->body, err->error_id);
        }
    }
    if (err->weak_password)
        buf_puts(&resp->body, ",\"weak_password\":{\"reasons\":[\"length\"]}");
    buf_putc(&resp->body, '}');
    resp->outcome.code = err->code;
}

/* The Authorization header GoTrue sees after Kong's rewrite (Supabase's kong-entrypoint.sh):
 * a user header that is not `Bearer sb_...` wins; sb_secret_/sb_publishable_
 * apikeys become the service_role/anon JWT; otherwise the raw apikey, which
 * is no Bearer credential. Then GoTrue's bearerRegexp `^(?:B|b)earer (\S+$)`.
 * Returns the token or NULL. */
static const char *bearer_token(const scenario_t *sc, const mock_request_t *req, gateway_key_t key)
{
    const char *auth = mock_request_header(req, "authorization");
    if (!auth || strncasecmp(auth, "Bearer sb_", 10) == 0) {
        if (key == GATEWAY_KEY_SECRET)
            return sc->service_role_key;
        if (key == GATEWAY_KEY_PUBLISHABLE)
            return sc->anon_key;
        return NULL;
    }
    if (!(auth[0] == 'B' || auth[0] == 'b') || strncmp(auth + 1, "earer ", 6) != 0)
        return NULL;
    const char *tok = auth + 7;
    if (!*tok || strpbrk(tok, " \t\r\n"))
        return NULL;
    return tok;
}

static const char *issuer(const mock_request_t *req)
{
    const char *host = mock_request_header(req, "host");
    return arena_sprintf(req->arena, "http://%s/auth/v1", host ? host : "127.0.0.1:54321");
}

/* The JSON body as retrieveRequestParams reads it. Returns 0 with *out (NULL
 * when the route takes no body), or -1 with err. */
static int parse_body(const mock_request_t *req, cJSON **out, gotrue_error_t *err)
{
    *out = NULL;
    memset(err, 0, sizeof *err);
    err->status = 400;
    err->code = "bad_json";
    if (req->body_len == 0) {
        snprintf(err->message, sizeof err->message,
                 "Could not parse request body as JSON: unexpected end of JSON input");
        return -1;
    }
    *out = cJSON_ParseWithLength(req->body, req->body_len);
    if (!*out) {
        /* cJSON cannot say what encoding/json would; the position is its. */
        snprintf(err->message, sizeof err->message,
                 "Could not parse request body as JSON: invalid character");
        return -1;
    }
    if (!cJSON_IsObject(*out)) {
        snprintf(err->message, sizeof err->message,
                 "Could not parse request body as JSON: json: cannot unmarshal %s into Go value "
                 "of type map[string]interface {}",
                 cJSON_IsArray(*out)    ? "array"
                 : cJSON_IsString(*out) ? "string"
                                        : "number");
        cJSON_Delete(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* A path GoTrue has no route for. GoTrue's router sets no NotFound handler,
 * so chi would write its text "404 page not found"; the product promises
 * JSON from every /auth/v1 answer (a client parses every body), so the same
 * words come as the HTTPError GoTrue renders when no error code is set
 * (errors.go handleResponseErrorHTTP: error_code "unknown", no
 * x-sb-error-code header). */
static void not_found(const mock_request_t *req, mock_response_t *resp)
{
    gotrue_error_t err;
    memset(&err, 0, sizeof err);
    err.status = 404;
    err.code = "unknown";
    err.no_code_header = true;
    snprintf(err.message, sizeof err.message, "404 page not found");
    buf_reset(&resp->body);
    send_error(req, &err, resp);
}

static void method_not_allowed(mock_response_t *resp)
{
    resp->status = 405;
}

static bool path_is(const char *p, const char *route)
{
    size_t n = strlen(route);
    return strncmp(p, route, n) == 0 && (p[n] == '\0' || (p[n] == '/' && p[n + 1] == '\0'));
}

static bool is(const mock_request_t *req, const char *m)
{
    return strcmp(req->method, m) == 0;
}

/* GoTrue routes supamock does not model yet (internal/api/api.go in
 * github.com/supabase/auth). They exist in GoTrue, so chi's text 404 would be
 * a lie and a client cannot parse it: they answer as GoTrue answers a route
 * whose feature is off (requireOAuthServerEnabled, requireScimServerEnabled:
 * apierrors.NewNotFoundError(ErrorCodeFeatureDisabled, "... is disabled")),
 * after the middleware GoTrue runs first (requireAuthentication,
 * requireAdminCredentials). A '*' segment matches one path segment. */
typedef enum { NEEDS_NOTHING, NEEDS_USER, NEEDS_ADMIN } route_needs_t;

static const struct unmodelled_route {
    const char *methods; /* space-separated, as registered with chi */
    const char *pattern;
    route_needs_t needs;
    const char *feature;
} unmodelled_routes[] = {
    {"GET", "/settings", NEEDS_NOTHING, "GET /settings"},
    {"GET", "/.well-known/jwks.json", NEEDS_NOTHING, "JWKS"},
    {"GET", "/.well-known/openid-configuration", NEEDS_NOTHING, "OpenID discovery"},
    {"GET", "/.well-known/oauth-authorization-server", NEEDS_NOTHING, "OAuth server"},
    {"GET POST", "/callback", NEEDS_NOTHING, "OAuth sign-in"},
    {"GET", "/authorize", NEEDS_NOTHING, "OAuth sign-in"},
    {"GET", "/admin/audit", NEEDS_ADMIN, "The audit log"},
    {"GET", "/admin/users/*/passkeys", NEEDS_ADMIN, "Passkeys"},
    {"DELETE", "/admin/users/*/passkeys/*", NEEDS_ADMIN, "Passkeys"},
    {"GET POST", "/admin/sso/providers", NEEDS_ADMIN, "SSO"},
    {"GET PUT DELETE", "/admin/sso/providers/*", NEEDS_ADMIN, "SSO"},
    {"GET POST", "/admin/oauth/clients", NEEDS_ADMIN, "OAuth server"},
    {"GET PUT DELETE", "/admin/oauth/clients/*", NEEDS_ADMIN, "OAuth server"},
    {"POST", "/admin/oauth/clients/*/regenerate_secret", NEEDS_ADMIN, "OAuth server"},
    {"GET POST", "/admin/custom-providers", NEEDS_ADMIN, "Custom OAuth providers"},
    {"GET PUT DELETE", "/admin/custom-providers/*", NEEDS_ADMIN, "Custom OAuth providers"},
    {"GET", "/user/identities/authorize", NEEDS_USER, "Identity linking"},
    {"DELETE", "/user/identities/*", NEEDS_USER, "Identity linking"},
    {"GET DELETE", "/user/oauth/grants", NEEDS_USER, "OAuth server"},
    {"POST", "/passkeys/authentication/options", NEEDS_NOTHING, "Passkeys"},
    {"POST", "/passkeys/authentication/verify", NEEDS_NOTHING, "Passkeys"},
    {"POST", "/passkeys/registration/options", NEEDS_USER, "Passkeys"},
    {"POST", "/passkeys/registration/verify", NEEDS_USER, "Passkeys"},
    {"GET", "/passkeys", NEEDS_USER, "Passkeys"},
    {"PATCH DELETE", "/passkeys/*", NEEDS_USER, "Passkeys"},
    {"POST", "/sso", NEEDS_NOTHING, "SSO"},
    {"GET", "/sso/saml/metadata", NEEDS_NOTHING, "SSO"},
    {"POST", "/sso/saml/acs", NEEDS_NOTHING, "SSO"},
    {"POST", "/oauth/clients/register", NEEDS_NOTHING, "OAuth server"},
    {"POST", "/oauth/token", NEEDS_NOTHING, "OAuth server"},
    {"GET", "/oauth/userinfo", NEEDS_USER, "OAuth server"},
    {"GET", "/oauth/authorize", NEEDS_NOTHING, "OAuth server"},
    {"GET", "/oauth/authorizations/*", NEEDS_USER, "OAuth server"},
    {"POST", "/oauth/authorizations/*/consent", NEEDS_USER, "OAuth server"},
};

/* Whether `path` (a trailing '/' allowed, as chi's routes take it) matches
 * `pattern` segment by segment. */
static bool route_matches(const char *pattern, const char *path)
{
    while (*pattern) {
        if (*path != '/' || *pattern != '/')
            return false;
        pattern++;
        path++;
        if (*pattern == '*') {
            size_t seg = strcspn(path, "/");
            if (seg == 0)
                return false;
            path += seg;
            pattern++;
        } else {
            size_t seg = strcspn(pattern, "/");
            if (strncmp(pattern, path, seg) != 0 || (path[seg] != '\0' && path[seg] != '/'))
                return false;
            pattern += seg;
            path += seg;
        }
    }
    return *path == '\0' || (path[0] == '/' && path[1] == '\0');
}

static bool method_listed(const char *methods, const char *method)
{
    size_t n = strlen(method);
    for (const char *m = methods; *m;) {
        size_t len = strcspn(m, " ");
        if (len == n && strncmp(m, method, n) == 0)
            return true;
        m += len;
        m += strspn(m, " ");
    }
    return false;
}

static const struct unmodelled_route *unmodelled_route(const char *path)
{
    for (size_t i = 0; i < sizeof unmodelled_routes / sizeof unmodelled_routes[0]; i++)
        if (route_matches(unmodelled_routes[i].pattern, path))
            return &unmodelled_routes[i];
    return NULL;
}

static void health(mock_response_t *resp)
{
    /* api.go HealthCheckResponse {version, name, description}. */
    send_json(resp, 200);
    buf_puts(&resp->body, "{\"version\":\"" GOTRUE_VERSION "\",\"name\":\"GoTrue\","
                          "\"description\":\"GoTrue is a user registration and authentication "
                          "API\"}");
}

/* jwks.go WellKnownJwks: the public JWK of every configured key except HMAC
 * ones (revoked keys are no longer configured), cacheable for ten minutes.
 * GoTrue ranges over a Go map (no fixed order); the mock keeps the
 * scenario's order. */
static void jwks(const scenario_t *sc, mock_response_t *resp)
{
    send_json(resp, 200);
    mock_response_add_header(resp, "Cache-Control", "public, max-age=600");
    char *text = jwt_jwks_json(sc->signing_keys, sc->signing_key_count);
    buf_puts(&resp->body, text);
    free(text);
}

static void admin_users(gotrue_t *g, const gotrue_ctx_t *c, const mock_request_t *req,
                        const char *rest, mock_response_t *resp, gotrue_error_t *err, int *rc)
{
    cJSON *body = NULL;
    if (*rest == '\0' || strcmp(rest, "/") == 0) {
        if (is(req, "GET")) {
            *rc = auth_admin_list_users(
                g, req, arena_strndup(req->arena, "/admin/users/", 12 + strlen(rest)), resp, err);
            return;
        }
        if (is(req, "POST")) {
            if (parse_body(req, &body, err) == 0) {
                resp->status = 200;
                *rc = gotrue_admin_create(g, c, body, &resp->body, err);
            } else {
                *rc = -1;
            }
            cJSON_Delete(body);
            return;
        }
        method_not_allowed(resp);
        return;
    }
    const char *id = arena_strdup(req->arena, rest + 1);
    char *slash = strchr(id, '/');
    if (slash && strncmp(slash, "/factors", 8) == 0 && (slash[8] == '\0' || slash[8] == '/')) {
        /* admin.go: r.Route("/{user_id}") ... r.Route("/factors"). */
        const char *after = rest + 1 + (slash - id) + 8;
        *slash = '\0';
        *rc = auth_admin_factors_route(g, c, req, id, after, resp, err);
        if (*rc > 0) {
            if (resp->status == 405)
                method_not_allowed(resp);
            else
                not_found(req, resp);
            *rc = 0;
        }
        return;
    }
    if (slash) {
        if (slash[1] != '\0') {
            not_found(req, resp);
            return;
        }
        *slash = '\0';
    }
    if (is(req, "GET")) {
        resp->status = 200;
        *rc = gotrue_admin_get(g, id, &resp->body, err);
    } else if (is(req, "PUT")) {
        if (parse_body(req, &body, err) == 0) {
            resp->status = 200;
            *rc = gotrue_admin_update(g, c, id, body, &resp->body, err);
        } else {
            *rc = -1;
        }
        cJSON_Delete(body);
    } else if (is(req, "DELETE")) {
        /* adminUserDelete parses the body only when there is one. */
        if (req->body_len == 0 || parse_body(req, &body, err) == 0) {
            resp->status = 200;
            *rc = gotrue_admin_delete(g, c, id, body, &resp->body, err);
        } else {
            *rc = -1;
        }
        cJSON_Delete(body);
    } else {
        method_not_allowed(resp);
    }
}

/* The email and phone flows (auth_mail.c): /otp, /magiclink, /recover,
 * /resend, /verify, /invite, /admin/generate_link, /reauthenticate (api.go's
 * routes and their middleware). Returns false for other paths. */
static bool email_flows(const scenario_t *sc, gotrue_t *g, const gotrue_ctx_t *c,
                        const mock_request_t *req, const char *path, const char *token,
                        mock_response_t *resp, gotrue_error_t *err, int *rc)
{
    static const struct {
        const char *path, *method;
        route_needs_t needs;
    } routes[] = {{"/otp", "POST", NEEDS_NOTHING},
                  {"/magiclink", "POST", NEEDS_NOTHING},
                  {"/recover", "POST", NEEDS_NOTHING},
                  {"/resend", "POST", NEEDS_NOTHING},
                  {"/verify", NULL, NEEDS_NOTHING},
                  {"/invite", "POST", NEEDS_ADMIN},
                  {"/admin/generate_link", "POST", NEEDS_ADMIN},
                  {"/reauthenticate", "GET", NEEDS_USER}};
    size_t i = 0;
    while (i < sizeof routes / sizeof routes[0] && !path_is(path, routes[i].path))
        i++;
    if (i == sizeof routes / sizeof routes[0])
        return false;
    bool verify = strcmp(routes[i].path, "/verify") == 0;
    if (verify ? !is(req, "GET") && !is(req, "POST") : !is(req, routes[i].method)) {
        method_not_allowed(resp);
        return true;
    }
    gotrue_who_t w = {.user = -1, .session = -1};
    if (routes[i].needs == NEEDS_ADMIN && (*rc = gotrue_require_admin(g, c, token, err)) < 0)
        return true;
    if (routes[i].needs == NEEDS_USER && (*rc = gotrue_authenticate(g, c, token, &w, err)) < 0)
        return true;
    /* utilities.GetReferrer: redirect_to from the header or the query. */
    const char *redirect_to = mock_request_header(req, "redirect_to");
    if (!redirect_to || !*redirect_to)
        redirect_to = url_query_param(req->arena, req->query, "redirect_to");
    auth_mail_env_t env = {
        .base_url = c->issuer,
        .referrer = auth_redirect_referrer(sc, redirect_to, mock_request_header(req, "referer"))};
    if (verify && is(req, "GET")) {
        char *location = NULL;
        *rc = auth_mail_verify_get(g, c, &env, url_query_param(req->arena, req->query, "token"),
                                   url_query_param(req->arena, req->query, "type"), &location, err);
        if (*rc == 0) {
            /* http.Redirect(w, r, url, 303) for a GET: text/html with a link. */
            resp->status = 303;
            mock_response_add_header(resp, "Location", arena_strdup(req->arena, location));
            mock_response_add_header(resp, "Content-Type", "text/html; charset=utf-8");
            buf_puts(&resp->body, "<a href=\"");
            for (const char *p = location; *p; p++) {
                /* html.EscapeString */
                if (*p == '<')
                    buf_puts(&resp->body, "&lt;");
                else if (*p == '>')
                    buf_puts(&resp->body, "&gt;");
                else if (*p == '&')
                    buf_puts(&resp->body, "&amp;");
                else if (*p == '\'')
                    buf_puts(&resp->body, "&#39;");
                else if (*p == '"')
                    buf_puts(&resp->body, "&#34;");
                else
                    buf_putc(&resp->body, *p);
            }
            buf_puts(&resp->body, "\">See Other</a>.\n\n");
        }
        free(location);
        return true;
    }
    if (routes[i].needs == NEEDS_USER) {
        resp->status = 200;
        *rc = auth_mail_reauthenticate(g, c, &w, &resp->body, err);
        return true;
    }
    cJSON *body = NULL;
    if ((*rc = parse_body(req, &body, err)) < 0)
        return true;
    resp->status = 200;
    const char *p = routes[i].path;
    if (!strcmp(p, "/otp"))
        *rc = auth_mail_otp(g, c, &env, body, &resp->body, err);
    else if (!strcmp(p, "/magiclink"))
        *rc = auth_mail_magiclink(g, c, &env, body, &resp->body, err);
    else if (!strcmp(p, "/recover"))
        *rc = auth_mail_recover(g, c, &env, body, &resp->body, err);
    else if (!strcmp(p, "/resend"))
        *rc = auth_mail_resend(g, c, &env, body, &resp->body, err);
    else if (!strcmp(p, "/verify"))
        *rc = auth_mail_verify_post(g, c, body, &resp->body, err);
    else if (!strcmp(p, "/invite"))
        *rc = auth_mail_invite(g, c, &env, body, &resp->body, err);
    else
        *rc = auth_mail_generate_link(g, c, &env, body, &resp->body, err);
    cJSON_Delete(body);
    return true;
}

/* ---- the database engine: the response waits for auth.users ---- */

/* What a response waiting for its auth.users batch needs; in the request
 * arena, which outlives the response (message.h). */
typedef struct auth_later {
    const mock_request_t *req;
    mock_response_t *resp;
    bool answered; /* the handler answered with an error already */
} auth_later_t;

static void on_written(void *arg, int rc, const gotrue_error_t *err)
{
    auth_later_t *l = arg;
    if (rc != 0 && !l->answered) {
        /* The transaction failed: GoTrue answers its 500 instead of what the
         * handler had made. The Date header is the router's: kept. */
        const char *date = mock_response_header(l->resp, "Date");
        mock_response_clear(l->resp);
        if (date)
            mock_response_add_header(l->resp, "Date", date);
        l->resp->status = err->status;
        send_error(l->req, err, l->resp);
    }
    if (mock_response_pending(l->resp))
        mock_response_complete(l->resp);
}

/* On the database engine, what the request changed goes into auth.users
 * (gotrue_db.h) before the response is sent; nothing happens on the memory
 * engine or when nothing changed. */
static void write_through(gotrue_t *g, const mock_request_t *req, const char *path, int rc,
                          int64_t now_us, mock_response_t *resp)
{
    /* Reads that change no user skip the walk over every user (gotrue_db.c
     * compares them all); GET /verify and /reauthenticate do change them. */
    if (is(req, "GET") &&
        (path_is(path, "/health") || path_is(path, "/settings") || path_is(path, "/user") ||
         path_is(path, "/.well-known/jwks.json") || strncmp(path, "/admin/users", 12) == 0))
        return;
    gotrue_db_batch_t *b = gotrue_db_collect(g, now_us);
    if (!b)
        return;
    auth_later_t *l = arena_alloc(req->arena, sizeof *l);
    *l = (auth_later_t){.req = req, .resp = resp, .answered = rc < 0};
    mock_response_defer(resp, NULL, NULL);
    gotrue_db_submit(g, b, path_is(path, "/admin/users") && is(req, "POST"), on_written, l);
}

void auth_handle(const auth_env_t *env, const mock_request_t *req, const char *rel_path,
                 mock_response_t *resp)
{
    const scenario_t *sc = env->sc;
    const mock_config_t *cfg = env->cfg;
    const char *path = *rel_path ? rel_path : "/";
    int64_t now_us = env->now_us;
    const char *apikey_q = gateway_query_apikey(req->arena, req->query);
    const char *secret = cfg && cfg->jwt_secret ? cfg->jwt_secret : sc->jwt_secret;
    if (!resp->outcome.key) {
        const char *key_kind = NULL, *role = NULL;
        gateway_identify(sc, req, apikey_q, now_us / 1000000 + MOCK_PG_EPOCH_UNIX,
                         cfg ? cfg->jwt_secret : NULL, env->jwt_cache, &key_kind, &role);
        resp->outcome.key = key_kind;
        resp->outcome.role = role;
    }
    /* Kong's auth-v1-open routes carry no key-auth (Supabase's docker kong.yml). */
    bool open_route =
        path_is(path, "/verify") || path_is(path, "/callback") || path_is(path, "/authorize");
    /* With signing keys the JWKS is modelled, and public as on hosted
     * projects (verifiers fetch it without an apikey); without them the route
     * stays unmodelled below. */
    bool serve_jwks = sc->signing_key_count > 0 && path_is(path, "/.well-known/jwks.json");
    open_route = open_route || serve_jwks;
    gateway_identity_t who;
    memset(&who, 0, sizeof who);
    if (!open_route && gateway_admit(sc, req, apikey_q, &who, resp) != 0) {
        gateway_identity_dispose(&who);
        return;
    }
    gateway_key_t key = who.key;
    gateway_identity_dispose(&who);

    gotrue_t *g = env->gotrue;
    gotrue_start(g, now_us);
    gotrue_ctx_t c = {.now_us = now_us,
                      .issuer = issuer(req),
                      .secret = secret,
                      .keys = sc->signing_keys,
                      .key_count = sc->signing_key_count};
    const char *token = bearer_token(sc, req, key);
    gotrue_error_t err;
    memset(&err, 0, sizeof err);
    int rc = 0;
    cJSON *body = NULL;
    const struct unmodelled_route *route = NULL;

    if (serve_jwks) {
        if (is(req, "GET"))
            jwks(sc, resp);
        else
            method_not_allowed(resp);
    } else if (path_is(path, "/health")) {
        if (is(req, "GET"))
            health(resp);
        else
            method_not_allowed(resp);
    } else if (path_is(path, "/token")) {
        if (!is(req, "POST")) {
            method_not_allowed(resp);
        } else {
            /* token.go Token: grant_type from r.FormValue (the query string). */
            const char *grant = url_query_param(req->arena, req->query, "grant_type");
            if (!grant || (strcmp(grant, "password") != 0 && strcmp(grant, "refresh_token") != 0 &&
                           strcmp(grant, "pkce") != 0)) {
                memset(&err, 0, sizeof err);
                err.status = 400;
                err.code = "invalid_credentials";
                snprintf(err.message, sizeof err.message, "unsupported_grant_type");
                rc = -1;
            } else if ((rc = parse_body(req, &body, &err)) == 0) {
                resp->status = 200;
                rc = strcmp(grant, "password") == 0
                         ? gotrue_password_grant(g, &c, body, &resp->body, &err)
                     : strcmp(grant, "pkce") == 0
                         ? auth_mail_pkce_grant(g, &c, body, &resp->body, &err)
                         : gotrue_refresh_grant(g, &c, body, &resp->body, &err);
            }
        }
    } else if (path_is(path, "/signup")) {
        if (!is(req, "POST")) {
            method_not_allowed(resp);
        } else if ((rc = parse_body(req, &body, &err)) == 0) {
            resp->status = 200;
            auth_mail_env_t menv = {.base_url = c.issuer,
                                    .referrer = auth_redirect_referrer(
                                        sc, url_query_param(req->arena, req->query, "redirect_to"),
                                        mock_request_header(req, "referer"))};
            rc = auth_mail_signup(g, &c, &menv, body, &resp->body, &err);
        }
    } else if (path_is(path, "/user")) {
        if (!is(req, "GET") && !is(req, "PUT")) {
            method_not_allowed(resp);
        } else {
            gotrue_who_t w;
            rc = gotrue_authenticate(g, &c, token, &w, &err);
            if (rc == 0 && is(req, "GET")) {
                resp->status = 200;
                gotrue_user_json(g, w.user, &resp->body);
            } else if (rc == 0 && (rc = parse_body(req, &body, &err)) == 0) {
                resp->status = 200;
                auth_mail_env_t menv = {.base_url = c.issuer,
                                        .referrer = auth_redirect_referrer(
                                            sc,
                                            url_query_param(req->arena, req->query, "redirect_to"),
                                            mock_request_header(req, "referer"))};
                rc = auth_mail_update_user(g, &c, &menv, &w, body, &resp->body, &err);
            }
        }
    } else if (path_is(path, "/logout")) {
        if (!is(req, "POST")) {
            method_not_allowed(resp);
        } else {
            gotrue_who_t w;
            rc = gotrue_authenticate(g, &c, token, &w, &err);
            if (rc == 0)
                rc = gotrue_logout(g, &w, url_query_param(req->arena, req->query, "scope"), &err);
            if (rc == 0)
                resp->status = 204; /* logout.go: w.WriteHeader(http.StatusNoContent) */
        }
    } else if (email_flows(sc, g, &c, req, path, token, resp, &err, &rc)) {
        /* answered (rc < 0: err) */
    } else if (strncmp(path, "/factors", 8) == 0 && (path[8] == '\0' || path[8] == '/')) {
        rc = auth_factors_route(g, &c, req, token, path + 8, resp, &err);
        if (rc > 0) {
            if (resp->status == 405)
                method_not_allowed(resp);
            else
                not_found(req, resp);
            rc = 0;
        }
    } else if ((route = unmodelled_route(path)) != NULL) {
        if (!method_listed(route->methods, req->method)) {
            method_not_allowed(resp);
        } else {
            if (route->needs == NEEDS_ADMIN) {
                rc = gotrue_require_admin(g, &c, token, &err);
            } else if (route->needs == NEEDS_USER) {
                gotrue_who_t w;
                rc = gotrue_authenticate(g, &c, token, &w, &err);
            }
            if (rc == 0) {
                memset(&err, 0, sizeof err);
                err.status = 404;
                err.code = "feature_disabled";
                snprintf(err.message, sizeof err.message,
                         "%s is disabled: supamock does not model it yet", route->feature);
                rc = -1;
            }
        }
    } else if (strncmp(path, "/admin/users", 12) == 0 && (path[12] == '\0' || path[12] == '/')) {
        rc = gotrue_require_admin(g, &c, token, &err);
        if (rc == 0)
            admin_users(g, &c, req, path + 12, resp, &err, &rc);
    } else {
        not_found(req, resp);
    }
    cJSON_Delete(body);
    if (rc < 0) {
        buf_reset(&resp->body); /* a handler may have started a success body */
        send_error(req, &err, resp);
    } else if (resp->status == 200 && !mock_response_header(resp, "Content-Type")) {
        mock_response_add_header(resp, "Content-Type", "application/json");
    }
    write_through(g, req, path, rc, now_us, resp);
}

int auth_parse_json_body(const mock_request_t *req, cJSON **out, gotrue_error_t *err)
{
    return parse_body(req, out, err);
}
