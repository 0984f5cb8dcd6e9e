/* gotrue.c through its public API: access-token claims in GoTrue's order,
 * the password grant's errors, refresh-token rotation and reuse, logout,
 * signup validation, on_signup templating and Go's JSON escaping. Expected
 * texts come from supabase/auth (internal/api/token.go, tokens/service.go,
 * password.go, signup.go, auth.go, errors.go). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clock.h"
#include "gotrue.h"
#include "jwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char scenario_text[] =
    "{\"name\":\"t\",\"clock\":\"2026-01-01T00:00:00Z\","
    "\"auth\":{\"jwt_secret\":\"super-secret-jwt-token-with-at-least-32-characters-long\","
    "\"users\":[{\"id\":\"13ab4cf1-8587-4685-874b-c2d37beeab38\",\"email\":\"demo@example.com\","
    "\"password\":\"demo-password\",\"user_metadata\":{\"full_name\":\"Demo User\"}},"
    "{\"id\":\"0b7e3a51-27c4-4a3e-9d42-6f1b2c3d4e5f\",\"email\":\"pending@example.com\","
    "\"password\":\"pending-password\",\"email_confirmed\":false}]}}";

#define SECRET "super-secret-jwt-token-with-at-least-32-characters-long"
/* 2026-01-01T00:00:00Z in microseconds since 2000-01-01. */
#define T0_US ((int64_t)(1767225600LL - MOCK_PG_EPOCH_UNIX) * 1000000)

typedef struct fixture {
    scenario_t *sc;
    prng_t prng; /* outlives store and g */
    store_t *store;
    gotrue_t *g;
    gotrue_ctx_t c;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    scenario_error_t err;
    assert_int_equal(
        scenario_load_text("t.json", scenario_text, strlen(scenario_text), &f->sc, &err), 0);
    prng_seed(&f->prng, 1);
    f->store = store_new(&f->prng);
    assert_int_equal(gotrue_new(f->sc, f->store, &f->prng, &f->g, &err), 0);
    gotrue_start(f->g, T0_US);
    f->c = (gotrue_ctx_t){
        .now_us = T0_US, .issuer = "http://127.0.0.1:54321/auth/v1", .secret = SECRET};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    gotrue_free(f->g);
    store_free(f->store);
    scenario_free(f->sc);
    free(f);
    return 0;
}

static cJSON *parse(const char *s)
{
    cJSON *j = cJSON_Parse(s);
    assert_non_null(j);
    return j;
}

static cJSON *sign_in(fixture_t *f, const char *email, const char *password, gotrue_error_t *err,
                      int *rc)
{
    char body[256];
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    cJSON *b = parse(body);
    buf_t out;
    buf_init(&out);
    *rc = gotrue_password_grant(f->g, &f->c, b, &out, err);
    cJSON_Delete(b);
    cJSON *res = *rc == 0 ? parse(buf_cstr(&out)) : NULL;
    buf_dispose(&out);
    return res;
}

static cJSON *refresh(fixture_t *f, const char *token, gotrue_error_t *err, int *rc)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "refresh_token", token);
    buf_t out;
    buf_init(&out);
    *rc = gotrue_refresh_grant(f->g, &f->c, b, &out, err);
    cJSON_Delete(b);
    cJSON *res = *rc == 0 ? parse(buf_cstr(&out)) : NULL;
    buf_dispose(&out);
    return res;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

/* Decodes the payload of a JWT (verifying it against SECRET at T0). */
static cJSON *claims_of(const char *jwt)
{
    cJSON *claims = NULL;
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(jwt_verify(jwt, SECRET, 1767225600LL, &claims, &err), 0);
    pgrst_error_dispose(&err);
    return claims;
}

static void test_claims_order(void **state)
{
    (void)state;
    cJSON *app = parse("{\"providers\":[\"email\"],\"provider\":\"email\"}");
    cJSON *meta = parse("{\"full_name\":\"Demo User\"}");
    char *json =
        gotrue_claims_json("http://localhost:54321/auth/v1", "13ab4cf1-8587-4685-874b-c2d37beeab38",
                           1767225600, 1767229200, "demo@example.com", NULL, app, meta,
                           "authenticated", 1767225600, "e557972e-68e0-4c85-953a-902e9f0e219a");
    /* GoTrue's access-token claims: iss, sub, aud, exp, iat, email, phone, app_metadata,
     * user_metadata, role, aal, amr, session_id, is_anonymous; maps (the
     * metadata) with Go's sorted keys. */
    assert_string_equal(
        json, "{\"iss\":\"http://localhost:54321/auth/v1\","
              "\"sub\":\"13ab4cf1-8587-4685-874b-c2d37beeab38\",\"aud\":\"authenticated\","
              "\"exp\":1767229200,\"iat\":1767225600,\"email\":\"demo@example.com\","
              "\"phone\":\"\",\"app_metadata\":{\"provider\":\"email\",\"providers\":[\"email\"]},"
              "\"user_metadata\":{\"full_name\":\"Demo User\"},\"role\":\"authenticated\","
              "\"aal\":\"aal1\",\"amr\":[{\"method\":\"password\",\"timestamp\":1767225600}],"
              "\"session_id\":\"e557972e-68e0-4c85-953a-902e9f0e219a\",\"is_anonymous\":false}");
    free(json);
    cJSON_Delete(app);
    cJSON_Delete(meta);
}

static void test_password_grant(void **state)
{
    fixture_t *f = *state;
    gotrue_error_t err;
    int rc;
    cJSON *res = sign_in(f, "demo@example.com", "demo-password", &err, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(str(res, "token_type"), "bearer");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(res, "expires_in")->valueint, 3600);
    /* expires_at = iat + jwt_expiry (3600) on the scenario clock. */
    assert_int_equal((int64_t)cJSON_GetObjectItemCaseSensitive(res, "expires_at")->valuedouble,
                     1767225600LL + 3600);
    assert_int_equal(strlen(str(res, "refresh_token")), 12);
    cJSON *claims = claims_of(str(res, "access_token"));
    assert_string_equal(str(claims, "sub"), "13ab4cf1-8587-4685-874b-c2d37beeab38");
    assert_string_equal(str(claims, "aud"), "authenticated");
    assert_string_equal(str(claims, "role"), "authenticated");
    assert_string_equal(str(claims, "iss"), "http://127.0.0.1:54321/auth/v1");
    cJSON_Delete(claims);
    cJSON_Delete(res);

    res = sign_in(f, "demo@example.com", "wrong", &err, &rc);
    assert_int_equal(rc, -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, "invalid_credentials");
    assert_string_equal(err.message, "Invalid login credentials");
    res = sign_in(f, "nobody@example.com", "demo-password", &err, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err.code, "invalid_credentials");
    res = sign_in(f, "pending@example.com", "pending-password", &err, &rc);
    assert_int_equal(rc, -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, "email_not_confirmed");
    assert_string_equal(err.message, "Email not confirmed");
    (void)res;
}

static void test_refresh_rotation(void **state)
{
    fixture_t *f = *state;
    gotrue_error_t err;
    int rc;
    cJSON *s0 = sign_in(f, "demo@example.com", "demo-password", &err, &rc);
    char *r0 = strdup(str(s0, "refresh_token"));
    cJSON *s1 = refresh(f, r0, &err, &rc);
    assert_int_equal(rc, 0);
    char *r1 = strdup(str(s1, "refresh_token"));
    assert_string_not_equal(r0, r1); /* rotated */
    /* Replaying the parent within refresh_token_reuse_interval (10 s) hands
     * back the active token (tokens/service.go). */
    f->c.now_us += 5 * 1000000;
    cJSON *s2 = refresh(f, r0, &err, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(str(s2, "refresh_token"), r1);
    /* Later it is reuse: 400 refresh_token_already_used, family revoked. */
    f->c.now_us += 6 * 1000000;
    assert_null(refresh(f, r0, &err, &rc));
    assert_int_equal(rc, -1);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, "refresh_token_already_used");
    assert_string_equal(err.message, "Invalid Refresh Token: Already Used");
    assert_null(refresh(f, r1, &err, &rc));
    assert_string_equal(err.code, "refresh_token_already_used");
    assert_null(refresh(f, "notatoken123", &err, &rc));
    assert_string_equal(err.code, "refresh_token_not_found");
    assert_string_equal(err.message, "Invalid Refresh Token: Refresh Token Not Found");
    free(r0);
    free(r1);
    cJSON_Delete(s0);
    cJSON_Delete(s1);
    cJSON_Delete(s2);
}

static void test_logout_and_authenticate(void **state)
{
    fixture_t *f = *state;
    gotrue_error_t err;
    int rc;
    cJSON *s = sign_in(f, "demo@example.com", "demo-password", &err, &rc);
    gotrue_who_t who;
    assert_int_equal(gotrue_authenticate(f->g, &f->c, str(s, "access_token"), &who, &err), 0);
    assert_int_equal(gotrue_logout(f->g, &who, NULL, &err), 0);
    /* The session is gone: its access token and refresh token die with it. */
    assert_int_equal(gotrue_authenticate(f->g, &f->c, str(s, "access_token"), &who, &err), -1);
    assert_int_equal(err.status, 403);
    assert_string_equal(err.code, "session_not_found");
    assert_string_equal(err.message, "Session from session_id claim in JWT does not exist");
    assert_null(refresh(f, str(s, "refresh_token"), &err, &rc));
    assert_string_equal(err.code, "refresh_token_not_found");
    cJSON_Delete(s);

    assert_int_equal(gotrue_authenticate(f->g, &f->c, NULL, &who, &err), -1);
    assert_int_equal(err.status, 401);
    assert_string_equal(err.code, "no_authorization");
    assert_string_equal(err.message, "This endpoint requires a valid Bearer token");
}

static void test_expired_and_keys(void **state)
{
    fixture_t *f = *state;
    gotrue_error_t err;
    gotrue_who_t who;
    /* exp one second before the clock. */
    char *jwt = jwt_sign_hs256("{\"sub\":\"13ab4cf1-8587-4685-874b-c2d37beeab38\","
                               "\"role\":\"authenticated\",\"exp\":1767225599}",
                               SECRET);
    assert_int_equal(gotrue_authenticate(f->g, &f->c, jwt, &who, &err), -1);
    assert_int_equal(err.status, 403);
    assert_string_equal(err.code, "bad_jwt");
    assert_string_equal(err.message, "invalid JWT: unable to parse or verify signature, token has "
                                     "invalid claims: token is expired");
    free(jwt);
    /* The anon key has no sub: GoTrue answers bad_jwt "missing sub claim". */
    jwt =
        jwt_sign_hs256("{\"iss\":\"supabase-demo\",\"role\":\"anon\",\"exp\":1983812996}", SECRET);
    assert_int_equal(gotrue_authenticate(f->g, &f->c, jwt, &who, &err), -1);
    assert_int_equal(err.status, 403);
    assert_string_equal(err.message, "invalid claim: missing sub claim");
    assert_int_equal(gotrue_require_admin(f->g, &f->c, jwt, &err), -1);
    assert_int_equal(err.status, 403);
    assert_string_equal(err.code, "not_admin");
    assert_string_equal(err.message, "User not allowed");
    free(jwt);
    jwt = jwt_sign_hs256("{\"iss\":\"supabase-demo\",\"role\":\"service_role\","
                         "\"exp\":1983812996}",
                         "another-secret-that-is-long-enough-for-hs256");
    assert_int_equal(gotrue_require_admin(f->g, &f->c, jwt, &err), -1);
    assert_string_equal(err.message, "invalid JWT: unable to parse or verify signature, token "
                                     "signature is invalid: signature is invalid");
    free(jwt);
}

static void test_signup_validation(void **state)
{
    fixture_t *f = *state;
    gotrue_error_t err;
    buf_t out;
    buf_init(&out);
    cJSON *b = parse("{\"email\":\"x@example.com\",\"password\":\"12345\"}");
    assert_int_equal(gotrue_signup(f->g, &f->c, b, &out, &err), -1);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.code, "weak_password");
    assert_string_equal(err.message, "Password should be at least 6 characters.");
    assert_true(err.weak_password);
    cJSON_Delete(b);
    b = parse("{\"email\":\"x@example.com\"}");
    assert_int_equal(gotrue_signup(f->g, &f->c, b, &out, &err), -1);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.message, "Signup requires a valid password");
    cJSON_Delete(b);
    b = parse("{\"email\":\"DEMO@example.com\",\"password\":\"another-password\"}");
    assert_int_equal(gotrue_signup(f->g, &f->c, b, &out, &err), -1);
    assert_int_equal(err.status, 422);
    assert_string_equal(err.code, "user_already_exists");
    assert_string_equal(err.message, "User already registered");
    cJSON_Delete(b);
    /* A new user signs up and can then sign in (autoconfirm). */
    b = parse("{\"email\":\"new@example.com\",\"password\":\"secret123\"}");
    assert_int_equal(gotrue_signup(f->g, &f->c, b, &out, &err), 0);
    cJSON *s = parse(buf_cstr(&out));
    assert_non_null(cJSON_GetObjectItemCaseSensitive(s, "access_token"));
    cJSON_Delete(s);
    cJSON_Delete(b);
    int rc;
    s = sign_in(f, "new@example.com", "secret123", &err, &rc);
    assert_int_equal(rc, 0);
    cJSON_Delete(s);
    buf_dispose(&out);
}

static void test_template(void **state)
{
    (void)state;
    cJSON *user = parse("{\"id\":\"u1\",\"email\":\"a@b.c\",\"phone\":null,"
                        "\"user_metadata\":{\"age\":42,\"name\":\"Ann\"}}");
    cJSON *t = parse("{\"a\":\"{{user.id}}\",\"b\":\"{{user.user_metadata.age}}\","
                     "\"c\":\"Hi {{user.user_metadata.name}} ({{user.email}})\","
                     "\"d\":\"{{user.phone}}\",\"e\":\"{{user.user_metadata.missing}}\",\"f\":7}");
    const char *expect[] = {"\"u1\"", "42", "\"Hi Ann (a@b.c)\"", "null", "null", "7"};
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, t)
    {
        cJSON *v = gotrue_template_value(e, user);
        char *txt = cJSON_PrintUnformatted(v);
        assert_string_equal(txt, expect[i++]);
        cJSON_free(txt);
        cJSON_Delete(v);
    }
    cJSON_Delete(t);
    cJSON_Delete(user);
}

static void test_go_json(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    /* encoding/json escapes <, >, & (HTMLEscape) and sorts map keys. */
    cJSON *j = parse("{\"z\":\"<a&b>\",\"a\":[1,2.5,true,null],\"m\":{\"y\":1,\"x\":\"\\n\"}}");
    gotrue_put_go_json(&b, j);
    assert_string_equal(buf_cstr(&b), "{\"a\":[1,2.5,true,null],\"m\":{\"x\":\"\\n\",\"y\":1},"
                                      "\"z\":\"\\u003ca\\u0026b\\u003e\"}");
    cJSON_Delete(j);
    buf_dispose(&b);
}

/* time.ParseDuration (Go's src/time/format.go) and its error texts, which
 * admin.go puts after "invalid format for ban duration: ". */
static void test_parse_duration(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int64_t ns;
    } ok[] = {{"24h", 86400000000000LL},
              {"1h30m", 5400000000000LL},
              {"876000h", 3153600000000000000LL},
              {"0", 0},
              {"-0", 0},
              {"+5s", 5000000000LL},
              {"-1.5h", -5400000000000LL},
              {"1.5s", 1500000000LL},
              {".5s", 500000000LL},
              {"5.s", 5000000000LL},
              {"1h1m1s1ms1us1ns", 3661001001001LL},
              {"3\xc2\xb5s", 3000},
              {"3\xce\xbcs", 3000},
              {"0s", 0},
              {"9223372036854775807ns", INT64_MAX},
              {"-9223372036854775808ns", INT64_MIN},
              {"2562047h47m16.854775807s", INT64_MAX}};
    char why[200];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t ns = -42;
        assert_int_equal(gotrue_parse_duration(ok[i].in, &ns, why, sizeof why), 0);
        assert_true(ns == ok[i].ns);
    }
    static const struct {
        const char *in, *why;
    } bad[] = {{"", "time: invalid duration \"\""},
               {"1d", "time: unknown unit \"d\" in duration \"1d\""},
               {"24", "time: missing unit in duration \"24\""},
               {"forever", "time: invalid duration \"forever\""},
               {"-", "time: invalid duration \"-\""},
               {".s", "time: invalid duration \".s\""},
               {"1h-2m", "time: unknown unit \"h-\" in duration \"1h-2m\""},
               {"9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\""},
               {"1\"x", "time: unknown unit \"\\\"x\" in duration \"1\\\"x\""},
               {"1\xc3\xa9", "time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\""}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ns = 0;
        assert_int_equal(gotrue_parse_duration(bad[i].in, &ns, why, sizeof why), -1);
        assert_string_equal(why, bad[i].why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claims_order),
        cmocka_unit_test_setup_teardown(test_password_grant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logout_and_authenticate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_and_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signup_validation, setup, teardown),
        cmocka_unit_test(test_template),
        cmocka_unit_test(test_go_json),
        cmocka_unit_test(test_parse_duration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
