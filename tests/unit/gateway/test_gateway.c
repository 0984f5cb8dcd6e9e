/* Unit tests for gateway.c: the three gateways' key checks (self-hosted Kong 2.8.1,
 * the CLI's open gateway, hosted supabase.co),
 * ?apikey= when the header is absent, the Authorization rewrite order (a user
 * JWT wins; `Bearer sb_...` is no user JWT; sb_secret_ maps to service_role
 * and sb_publishable_ to anon), and PostgREST's role resolution (role claim,
 * missing claim -> anon, unknown role -> 401 22023 from PostgREST v13.0.1).
 * Scenarios are loaded from text with the Supabase CLI demo keys, which are
 * scenario.c's defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gateway.h"

#include "jwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_SECRET "super-secret-jwt-token-with-at-least-32-characters-long"
#define ANON_KEY                                                                                   \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."                                                        \
    "eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9."                    \
    "CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
#define SERVICE_KEY                                                                                \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."                                                        \
    "eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0."         \
    "EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU"
#define PUBLISHABLE "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH"
#define SECRET      "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"
#define USER_ID     "13ab4cf1-8587-4685-874b-c2d37beeab38"
#define NOW         INT64_C(1767225600) /* 2026-01-01T00:00:00Z */

static scenario_t *load(const char *gateway)
{
    char text[128];
    snprintf(text, sizeof text, "{\"gateway\":\"%s\"}", gateway);
    scenario_t *s = NULL;
    scenario_error_t err;
    if (scenario_load_text("t.json", text, strlen(text), &s, &err) != 0)
        fail_msg("scenario: %s", err.message);
    /* The defaults this file relies on. */
    assert_string_equal(s->anon_key, ANON_KEY);
    assert_string_equal(s->service_role_key, SERVICE_KEY);
    assert_string_equal(s->publishable_key, PUBLISHABLE);
    assert_string_equal(s->secret_key, SECRET);
    assert_string_equal(s->jwt_secret, CLI_SECRET);
    return s;
}

/* A request with up to two headers (lowercase names; NULL value: absent). */
typedef struct req {
    mock_request_t r;
    mock_header_t h[2];
} req_t;

static void mkreq(req_t *q, const char *apikey, const char *authorization)
{
    memset(q, 0, sizeof *q);
    q->r.method = "GET";
    q->r.target = "/rest/v1/profiles";
    q->r.path = "/rest/v1/profiles";
    q->r.query = "";
    q->r.body = "";
    q->r.headers = q->h;
    if (apikey)
        q->h[q->r.header_count++] = (mock_header_t){"apikey", apikey};
    if (authorization)
        q->h[q->r.header_count++] = (mock_header_t){"authorization", authorization};
}

/* gateway_admit's verdict; resp is left for inspection (caller disposes). */
static int admit(const scenario_t *s, const char *apikey, const char *apikey_query,
                 gateway_identity_t *id, mock_response_t *resp)
{
    req_t q;
    mkreq(&q, apikey, NULL);
    mock_response_init(resp);
    return gateway_admit(s, &q.r, apikey_query, id, resp);
}

static void test_key_names(void **state)
{
    (void)state;
    /* The key kinds the journal and rule matching name. */
    assert_string_equal(gateway_key_name(GATEWAY_KEY_MISSING), "missing");
    assert_string_equal(gateway_key_name(GATEWAY_KEY_INVALID), "invalid");
    assert_string_equal(gateway_key_name(GATEWAY_KEY_ANON), "anon");
    assert_string_equal(gateway_key_name(GATEWAY_KEY_SERVICE_ROLE), "service_role");
    assert_string_equal(gateway_key_name(GATEWAY_KEY_PUBLISHABLE), "publishable");
    assert_string_equal(gateway_key_name(GATEWAY_KEY_SECRET), "secret");
}

static void test_hosted_rejections(void **state)
{
    (void)state;
    scenario_t *s = load("hosted");
    gateway_identity_t id;
    mock_response_t resp;
    /* The hosted gateway's missing-key 401 (supabase/supabase#7730). */
    assert_int_equal(admit(s, NULL, NULL, &id, &resp), 1);
    assert_int_equal(id.key, GATEWAY_KEY_MISSING);
    assert_int_equal(resp.status, 401);
    assert_string_equal(buf_cstr(&resp.body),
                        "{\"message\":\"No API key found in request\",\"hint\":\"No `apikey` "
                        "request header or url param was found.\"}");
    assert_non_null(mock_response_header(&resp, "Content-Type"));
    assert_non_null(strstr(mock_response_header(&resp, "Content-Type"), "application/json"));
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);

    assert_int_equal(admit(s, "not-a-key", NULL, &id, &resp), 1);
    assert_int_equal(id.key, GATEWAY_KEY_INVALID);
    assert_int_equal(resp.status, 401);
    assert_string_equal(buf_cstr(&resp.body),
                        "{\"message\":\"Invalid API key\",\"hint\":\"Double check your Supabase "
                        "`anon` or `service_role` API key.\"}");
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);

    /* A key from another project (the self-hosted anon key) is invalid too. */
    assert_int_equal(admit(s,
                           "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyAgCiAgICAicm9sZSI6ICJhbm9uIiwKIC"
                           "AgICJpc3MiOiAic3VwYWJhc2UtZGVtbyIsCiAgICAiaWF0IjogMTY0MTc2OTIwMCwKICAgI"
                           "CJleHAiOiAxNzk5NTM1NjAwCn0.dc_X5iR_VP_qT0zsiyj_I_OZ2T9FtRU2BBNWN8Bu4GE",
                           NULL, &id, &resp),
                     1);
    assert_int_equal(id.key, GATEWAY_KEY_INVALID);
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);
    scenario_free(s);
}

static void test_hosted_admits_each_key(void **state)
{
    (void)state;
    scenario_t *s = load("hosted");
    static const struct {
        const char *key;
        gateway_key_t kind;
    } keys[] = {{ANON_KEY, GATEWAY_KEY_ANON},
                {SERVICE_KEY, GATEWAY_KEY_SERVICE_ROLE},
                {PUBLISHABLE, GATEWAY_KEY_PUBLISHABLE},
                {SECRET, GATEWAY_KEY_SECRET}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        gateway_identity_t id;
        mock_response_t resp;
        /* In the header... */
        assert_int_equal(admit(s, keys[i].key, NULL, &id, &resp), 0);
        assert_int_equal(id.key, keys[i].kind);
        assert_int_equal(resp.body.len, 0);
        mock_response_dispose(&resp);
        gateway_identity_dispose(&id);
        /* ...or as ?apikey= when the header is absent (key-auth reads both). */
        assert_int_equal(admit(s, NULL, keys[i].key, &id, &resp), 0);
        assert_int_equal(id.key, keys[i].kind);
        mock_response_dispose(&resp);
        gateway_identity_dispose(&id);
    }
    scenario_free(s);
}

static void test_header_before_query(void **state)
{
    (void)state;
    scenario_t *s = load("hosted");
    gateway_identity_t id;
    mock_response_t resp;
    /* Kong's key-auth takes the header when it is present. */
    assert_int_equal(admit(s, "wrong", ANON_KEY, &id, &resp), 1);
    assert_int_equal(id.key, GATEWAY_KEY_INVALID);
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);
    assert_int_equal(admit(s, SECRET, "wrong", &id, &resp), 0);
    assert_int_equal(id.key, GATEWAY_KEY_SECRET);
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);
    /* An invalid ?apikey= alone is an invalid key, not a missing one. */
    assert_int_equal(admit(s, NULL, "wrong", &id, &resp), 1);
    assert_int_equal(id.key, GATEWAY_KEY_INVALID);
    assert_non_null(strstr(buf_cstr(&resp.body), "Invalid API key"));
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);
    scenario_free(s);
}

static void test_self_hosted_kong(void **state)
{
    (void)state;
    scenario_t *s = load("self-hosted");
    gateway_identity_t id;
    mock_response_t resp;
    /* Kong 2.8.1: kong.response.error with the JSON template. */
    assert_int_equal(admit(s, NULL, NULL, &id, &resp), 1);
    assert_int_equal(resp.status, 401);
    assert_string_equal(buf_cstr(&resp.body),
                        "{\n  \"message\":\"No API key found in request\"\n}");
    assert_string_equal(mock_response_header(&resp, "Content-Type"),
                        "application/json; charset=utf-8");
    assert_string_equal(mock_response_header(&resp, "WWW-Authenticate"), "Key realm=\"kong\"");
    assert_string_equal(mock_response_header(&resp, "Server"), "kong/2.8.1");
    assert_non_null(mock_response_header(&resp, "X-Kong-Response-Latency"));
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);

    assert_int_equal(admit(s, "nope", NULL, &id, &resp), 1);
    assert_int_equal(resp.status, 401);
    assert_string_equal(buf_cstr(&resp.body),
                        "{\n  \"message\":\"Invalid authentication credentials\"\n}");
    /* Only the missing-key answer carries the challenge. */
    assert_null(mock_response_header(&resp, "WWW-Authenticate"));
    assert_string_equal(mock_response_header(&resp, "Server"), "kong/2.8.1");
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);

    /* Consumers anon (ANON_KEY, PUBLISHABLE_KEY) and service_role (SERVICE_KEY,
     * SECRET_KEY) pass, also through ?apikey=. */
    assert_int_equal(admit(s, PUBLISHABLE, NULL, &id, &resp), 0);
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);
    assert_int_equal(admit(s, NULL, SERVICE_KEY, &id, &resp), 0);
    assert_int_equal(id.key, GATEWAY_KEY_SERVICE_ROLE);
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);
    scenario_free(s);
}

static void test_cli_open(void **state)
{
    (void)state;
    scenario_t *s = load("cli");
    gateway_identity_t id;
    mock_response_t resp;
    /* The CLI's kong.yml has no key-auth on rest-v1: anything passes. */
    assert_int_equal(admit(s, NULL, NULL, &id, &resp), 0);
    assert_int_equal(id.key, GATEWAY_KEY_MISSING);
    assert_int_equal(resp.body.len, 0);
    assert_int_equal(resp.header_count, 0);
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);
    assert_int_equal(admit(s, "garbage", NULL, &id, &resp), 0);
    assert_int_equal(id.key, GATEWAY_KEY_INVALID);
    mock_response_dispose(&resp);
    gateway_identity_dispose(&id);
    /* Without any key or Authorization, PostgREST runs the request as anon. */
    req_t q;
    mkreq(&q, NULL, NULL);
    pgrst_error_t err;
    pgrst_error_init(&err);
    memset(&id, 0, sizeof id);
    assert_int_equal(gateway_authenticate(s, &q.r, NOW, NULL, &id, &err), 0);
    assert_string_equal(id.role, "anon");
    assert_null(id.claims);
    assert_false(id.user_jwt);
    gateway_identity_dispose(&id);
    scenario_free(s);
}

/* Runs both steps; returns gateway_authenticate's result. */
static int auth(const scenario_t *s, const char *apikey, const char *authorization, int64_t now,
                gateway_identity_t *id, pgrst_error_t *err)
{
    req_t q;
    mkreq(&q, apikey, authorization);
    mock_response_t resp;
    mock_response_init(&resp);
    int admitted = gateway_admit(s, &q.r, NULL, id, &resp);
    mock_response_dispose(&resp);
    if (admitted != 0)
        fail_msg("the gateway rejected the request");
    pgrst_error_init(err);
    return gateway_authenticate(s, &q.r, now, NULL, id, err);
}

static char *bearer(const char *claims, const char *secret)
{
    char *t = jwt_sign_hs256(claims, secret);
    char *h = malloc(strlen(t) + 8);
    sprintf(h, "Bearer %s", t);
    free(t);
    return h;
}

static void test_role_from_apikey(void **state)
{
    (void)state;
    scenario_t *s = load("hosted");
    gateway_identity_t id;
    pgrst_error_t err;
    /* Legacy JWT keys carry their role. */
    assert_int_equal(auth(s, ANON_KEY, NULL, NOW, &id, &err), 0);
    assert_string_equal(id.role, "anon");
    assert_false(id.user_jwt);
    gateway_identity_dispose(&id);
    assert_int_equal(auth(s, SERVICE_KEY, NULL, NOW, &id, &err), 0);
    assert_string_equal(id.role, "service_role");
    assert_false(id.user_jwt);
    gateway_identity_dispose(&id);
    /* The opaque keys map to the internal JWTs (Kong rewrite steps 2-3). */
    assert_int_equal(auth(s, SECRET, NULL, NOW, &id, &err), 0);
    assert_string_equal(id.role, "service_role");
    assert_int_equal(id.key, GATEWAY_KEY_SECRET);
    assert_false(id.user_jwt);
    gateway_identity_dispose(&id);
    assert_int_equal(auth(s, PUBLISHABLE, NULL, NOW, &id, &err), 0);
    assert_string_equal(id.role, "anon");
    assert_int_equal(id.key, GATEWAY_KEY_PUBLISHABLE);
    gateway_identity_dispose(&id);
    scenario_free(s);
}

static void test_bearer_sb_is_no_user_jwt(void **state)
{
    (void)state;
    scenario_t *s = load("hosted");
    gateway_identity_t id;
    pgrst_error_t err;
    /* supabase-js sends the key itself as the Bearer (supabase-js lib/fetch.ts); a
     * `Bearer sb_...` header is replaced by the key's JWT (rewrite step 1). */
    assert_int_equal(auth(s, SECRET, "Bearer " SECRET, NOW, &id, &err), 0);
    assert_string_equal(id.role, "service_role");
    assert_false(id.user_jwt);
    gateway_identity_dispose(&id);
    assert_int_equal(auth(s, PUBLISHABLE, "Bearer " PUBLISHABLE, NOW, &id, &err), 0);
    assert_string_equal(id.role, "anon");
    assert_false(id.user_jwt);
    gateway_identity_dispose(&id);
    /* Even a mismatched one: the apikey decides. */
    assert_int_equal(auth(s, PUBLISHABLE, "Bearer " SECRET, NOW, &id, &err), 0);
    assert_string_equal(id.role, "anon");
    gateway_identity_dispose(&id);
    /* The legacy keys as Bearer are not user JWTs either. */
    assert_int_equal(auth(s, ANON_KEY, "Bearer " ANON_KEY, NOW, &id, &err), 0);
    assert_string_equal(id.role, "anon");
    assert_false(id.user_jwt);
    gateway_identity_dispose(&id);
    assert_int_equal(auth(s, ANON_KEY, "Bearer " SERVICE_KEY, NOW, &id, &err), 0);
    assert_string_equal(id.role, "service_role");
    assert_false(id.user_jwt);
    gateway_identity_dispose(&id);
    scenario_free(s);
}

static void test_user_jwt_wins(void **state)
{
    (void)state;
    scenario_t *s = load("hosted");
    gateway_identity_t id;
    pgrst_error_t err;
    char *h = bearer("{\"sub\":\"" USER_ID "\",\"role\":\"authenticated\",\"exp\":1767229200}",
                     CLI_SECRET);
    /* Whatever the apikey, a user JWT in Authorization decides the role. */
    static const char *const keys[] = {ANON_KEY, SERVICE_KEY, PUBLISHABLE, SECRET};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        assert_int_equal(auth(s, keys[i], h, NOW, &id, &err), 0);
        assert_string_equal(id.role, "authenticated");
        assert_true(id.user_jwt);
        assert_non_null(id.sub);
        assert_string_equal(id.sub, USER_ID);
        assert_non_null(id.claims);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(id.claims, "role")->valuestring,
                            "authenticated");
        gateway_identity_dispose(&id);
    }
    free(h);
    scenario_free(s);
}

static void test_missing_role_claim_is_anon(void **state)
{
    (void)state;
    scenario_t *s = load("hosted");
    gateway_identity_t id;
    pgrst_error_t err;
    /* Role claim missing: db-anon-role, which is anon on Supabase. */
    char *h = bearer("{\"sub\":\"" USER_ID "\"}", CLI_SECRET);
    assert_int_equal(auth(s, ANON_KEY, h, NOW, &id, &err), 0);
    assert_string_equal(id.role, "anon");
    assert_true(id.user_jwt);
    assert_string_equal(id.sub, USER_ID);
    gateway_identity_dispose(&id);
    free(h);
    /* A non-string sub is not exposed as sub. */
    h = bearer("{\"sub\":42,\"role\":\"authenticated\"}", CLI_SECRET);
    assert_int_equal(auth(s, ANON_KEY, h, NOW, &id, &err), 0);
    assert_null(id.sub);
    gateway_identity_dispose(&id);
    free(h);
    scenario_free(s);
}

static void test_unknown_role(void **state)
{
    (void)state;
    scenario_t *s = load("hosted");
    gateway_identity_t id;
    pgrst_error_t err;
    /* test_auth.py v14.17: 401 {"code":"22023",...,"message":"role \"not_existing\"
     * does not exist"}. */
    char *h = bearer("{\"role\":\"not_existing\"}", CLI_SECRET);
    assert_int_equal(auth(s, ANON_KEY, h, NOW, &id, &err), -1);
    assert_string_equal(err.code, "22023");
    assert_string_equal(err.message, "role \"not_existing\" does not exist");
    assert_null(err.details);
    assert_null(err.hint);
    assert_int_equal(pgrst_error_status(&err, false), 401);
    buf_t b;
    buf_init(&b);
    pgrst_error_body(&err, &b);
    assert_string_equal(buf_cstr(&b), "{\"code\":\"22023\",\"details\":null,\"hint\":null,"
                                      "\"message\":\"role \\\"not_existing\\\" does not exist\"}");
    buf_dispose(&b);
    pgrst_error_dispose(&err);
    gateway_identity_dispose(&id);
    free(h);
    scenario_free(s);
}

static void test_jwt_errors_pass_through(void **state)
{
    (void)state;
    scenario_t *s = load("hosted");
    gateway_identity_t id;
    pgrst_error_t err;
    /* Expired user JWT: PGRST303 (the expired-user-jwt scenario). */
    char *h = bearer("{\"role\":\"authenticated\",\"exp\":1767225000}", CLI_SECRET);
    assert_int_equal(auth(s, ANON_KEY, h, NOW, &id, &err), -1);
    assert_string_equal(err.code, "PGRST303");
    assert_string_equal(err.message, "JWT expired");
    assert_string_equal(err.www_authenticate,
                        "Bearer error=\"invalid_token\", error_description=\"JWT expired\"");
    pgrst_error_dispose(&err);
    gateway_identity_dispose(&id);
    free(h);
    /* Signed with another secret. */
    h = bearer("{\"role\":\"authenticated\"}", "some-other-secret-of-at-least-32-characters");
    assert_int_equal(auth(s, SECRET, h, NOW, &id, &err), -1);
    assert_string_equal(err.code, "PGRST301");
    assert_string_equal(err.message, "No suitable key or wrong key type");
    pgrst_error_dispose(&err);
    gateway_identity_dispose(&id);
    free(h);
    /* An empty Bearer token (header values arrive trimmed): v13+ PGRST301. */
    assert_int_equal(auth(s, ANON_KEY, "Bearer", NOW, &id, &err), -1);
    assert_string_equal(err.code, "PGRST301");
    assert_string_equal(err.message, "Empty JWT is sent in Authorization header");
    pgrst_error_dispose(&err);
    gateway_identity_dispose(&id);
    /* Two parts. */
    assert_int_equal(auth(s, ANON_KEY, "Bearer abc.def", NOW, &id, &err), -1);
    assert_string_equal(err.message, "Expected 3 parts in JWT; got 2");
    pgrst_error_dispose(&err);
    gateway_identity_dispose(&id);
    scenario_free(s);
}

static void test_secret_override(void **state)
{
    (void)state;
    /* --jwt-secret replaces the scenario's secret for verification. */
    scenario_t *s = load("cli");
    const char *other = "another-secret-with-at-least-32-characters!!";
    char *h = bearer("{\"role\":\"authenticated\",\"sub\":\"" USER_ID "\"}", other);
    req_t q;
    mkreq(&q, NULL, h);
    gateway_identity_t id;
    mock_response_t resp;
    mock_response_init(&resp);
    assert_int_equal(gateway_admit(s, &q.r, NULL, &id, &resp), 0);
    mock_response_dispose(&resp);
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(gateway_authenticate(s, &q.r, NOW, other, &id, &err), 0);
    assert_string_equal(id.role, "authenticated");
    gateway_identity_dispose(&id);
    /* Without the override the scenario secret rejects it. */
    mock_response_init(&resp);
    assert_int_equal(gateway_admit(s, &q.r, NULL, &id, &resp), 0);
    mock_response_dispose(&resp);
    assert_int_equal(gateway_authenticate(s, &q.r, NOW, NULL, &id, &err), -1);
    assert_string_equal(err.code, "PGRST301");
    pgrst_error_dispose(&err);
    gateway_identity_dispose(&id);
    free(h);
    scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_names),
        cmocka_unit_test(test_hosted_rejections),
        cmocka_unit_test(test_hosted_admits_each_key),
        cmocka_unit_test(test_header_before_query),
        cmocka_unit_test(test_self_hosted_kong),
        cmocka_unit_test(test_cli_open),
        cmocka_unit_test(test_role_from_apikey),
        cmocka_unit_test(test_bearer_sb_is_no_user_jwt),
        cmocka_unit_test(test_user_jwt_wins),
        cmocka_unit_test(test_missing_role_claim_is_anon),
        cmocka_unit_test(test_unknown_role),
        cmocka_unit_test(test_jwt_errors_pass_through),
        cmocka_unit_test(test_secret_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
