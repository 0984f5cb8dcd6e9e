/* Unit tests for explain.c: the words and the JSON object of a request's
 * explanation, built from hand-made records (what the engine and the
 * PostgREST layer would have filled). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "explain.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static mock_explain_policy_t policy(const char *name, unsigned cmd, bool for_role,
                                    const char *roles)
{
    mock_explain_policy_t p;
    memset(&p, 0, sizeof p);
    mock_explain_name(p.name, name);
    p.command = (uint8_t)cmd;
    p.permissive = true;
    p.for_role = for_role;
    mock_explain_name(p.roles, for_role ? "" : roles);
    p.has_using = true;
    return p;
}

static void profiles(mock_explain_t *x, unsigned cmd)
{
    mock_explain_init(x);
    x->source = MOCK_EXPLAIN_FROM_AUTHORIZATION;
    x->engine = true;
    x->command = (uint8_t)cmd;
    mock_explain_name(x->schema, "public");
    mock_explain_name(x->table, "profiles");
    x->rls_enabled = true;
}

static char *text(const mock_explain_t *x, const char *method, int status, const char *code,
                  const char *role, const char *key)
{
    mock_explain_subject_t s = {.method = method,
                                .path = "/rest/v1/profiles",
                                .status = status,
                                .code = code,
                                .role = role,
                                .key = key,
                                .x = x};
    buf_t b;
    buf_init(&b);
    mock_explain_text(&s, &b);
    return buf_steal(&b);
}

static void test_no_update_policy(void **state)
{
    (void)state;
    mock_explain_t x;
    profiles(&x, MOCK_EXPLAIN_UPDATE);
    x.source = MOCK_EXPLAIN_FROM_APIKEY;
    x.grants[0] = (mock_explain_grant_t){MOCK_EXPLAIN_UPDATE, true};
    x.grants[1] = (mock_explain_grant_t){MOCK_EXPLAIN_SELECT, true};
    x.grant_count = 2;
    x.counted = true;
    x.matched = 1;
    x.visible = 0;
    x.policies[0] = policy("Users can view own profile", MOCK_EXPLAIN_SELECT, true, NULL);
    x.policy_count = x.policy_total = 1;
    char *t = text(&x, "PATCH", 204, NULL, "anon", "anon");
    assert_string_equal(t, "PATCH /profiles matched 0 rows: 1 row exists; role anon has no UPDATE "
                           "policy on public.profiles, so RLS hides every row from it (policies: "
                           "'Users can view own profile' is SELECT only); role anon from the "
                           "apikey (the anon key); grants checked: UPDATE, SELECT on "
                           "public.profiles to anon, all granted");
    free(t);
}

static void test_using_counts(void **state)
{
    (void)state;
    mock_explain_t x;
    profiles(&x, MOCK_EXPLAIN_SELECT);
    x.counted = true;
    x.matched = 3;
    x.visible = 1;
    x.policies[0] = policy("own", MOCK_EXPLAIN_SELECT, true, NULL);
    x.policies[0].hidden = 2;
    x.policies[1] = policy("staff", MOCK_EXPLAIN_ALL, false, "staff, admin");
    x.policy_count = 2;
    x.policy_total = 10; /* more than recorded */
    char *t = text(&x, "GET", 200, NULL, "authenticated", "user");
    assert_string_equal(t, "GET /profiles matched 1 row: 3 rows exist; RLS applies to role "
                           "authenticated on public.profiles; policy 'own' (SELECT, permissive) "
                           "USING hid 2 rows; role authenticated from the Authorization header "
                           "(a user JWT)");
    free(t);
    /* Without applying policies the others are listed, and the rest counted. */
    x.policies[0].for_role = false;
    mock_explain_name(x.policies[0].roles, "authenticated");
    t = text(&x, "GET", 200, NULL, "anon", "anon");
    assert_non_null(strstr(t, "(policies: 'own' is for authenticated (SELECT), 'staff' is for "
                              "staff, admin, and 8 more)"));
    free(t);
}

static void test_with_check(void **state)
{
    (void)state;
    mock_explain_t x;
    profiles(&x, MOCK_EXPLAIN_INSERT);
    x.policies[0] = policy("ins", MOCK_EXPLAIN_INSERT, true, NULL);
    x.policies[1] = policy("cap", MOCK_EXPLAIN_INSERT, true, NULL);
    x.policies[1].permissive = false;
    x.policy_count = x.policy_total = 2;
    x.check_failed = true;
    x.check_command = MOCK_EXPLAIN_INSERT;
    char *t = text(&x, "POST", 403, "42501", "authenticated", "user");
    assert_non_null(strstr(t, "POST /profiles was refused (403 42501): the new row failed the "
                              "WITH CHECK of every permissive INSERT policy on public.profiles: "
                              "'ins'; "));
    free(t);
    mock_explain_name(x.check_policy, "cap");
    t = text(&x, "POST", 403, "42501", "authenticated", "user");
    assert_non_null(strstr(t, "the new row failed the WITH CHECK of restrictive policy 'cap' "
                              "(INSERT) on public.profiles"));
    free(t);
}

static void test_grant_and_bypass(void **state)
{
    (void)state;
    mock_explain_t x;
    profiles(&x, MOCK_EXPLAIN_SELECT);
    x.grants[0] = (mock_explain_grant_t){MOCK_EXPLAIN_SELECT, false};
    x.grant_count = 1;
    char *t = text(&x, "GET", 401, "42501", "anon", "anon");
    assert_non_null(strstr(t, "GET /profiles was refused (401 42501): role anon lacks the SELECT "
                              "privilege on public.profiles (GRANT SELECT ON public.profiles TO "
                              "anon)"));
    free(t);
    x.grants[0].granted = true;
    x.rls_bypassed = true;
    x.counted = true;
    x.matched = x.visible = 2;
    t = text(&x, "GET", 200, NULL, "service_role", "secret");
    assert_non_null(strstr(t, "GET /profiles matched 2 rows; role service_role bypasses RLS on "
                              "public.profiles (BYPASSRLS), so no policy applied; role "
                              "service_role from the Authorization header (a secret key, which "
                              "the gateway turns into the service_role JWT)"));
    free(t);
}

static void test_json_and_no_record(void **state)
{
    (void)state;
    mock_explain_t x;
    profiles(&x, MOCK_EXPLAIN_UPDATE);
    x.counted = true;
    x.matched = 1;
    x.policies[0] = policy("a \"quoted\" name", MOCK_EXPLAIN_UPDATE, true, NULL);
    x.policies[0].hidden = 1;
    x.policy_count = x.policy_total = 1;
    mock_explain_subject_t s = {.method = "PATCH", .role = "anon", .key = "anon", .x = &x};
    buf_t b;
    buf_init(&b);
    mock_explain_json(&s, &b);
    cJSON *j = cJSON_Parse(buf_cstr(&b));
    assert_non_null(j);
    const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "policies"), 0);
    assert_string_equal(cJSON_GetObjectItem(p, "name")->valuestring, "a \"quoted\" name");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(p, "applies")));
    assert_int_equal(cJSON_GetObjectItem(p, "rows_hidden")->valueint, 1);
    assert_string_equal(cJSON_GetObjectItem(j, "role_from")->valuestring, "authorization");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "with_check")));
    cJSON_Delete(j);
    buf_reset(&b);
    s.x = NULL;
    mock_explain_json(&s, &b);
    assert_string_equal(buf_cstr(&b), "null");
    buf_dispose(&b);
}

static void test_names_are_cut(void **state)
{
    (void)state;
    char name[MOCK_EXPLAIN_NAME_MAX];
    char long_name[200];
    memset(long_name, 'p', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    mock_explain_name(name, long_name);
    assert_int_equal(strlen(name), MOCK_EXPLAIN_NAME_MAX - 1);
    mock_explain_name(name, NULL);
    assert_string_equal(name, "");
    /* The journal keeps only the policies recorded. */
    mock_explain_t x;
    mock_explain_init(&x);
    assert_int_equal(MOCK_EXPLAIN_SIZE(&x), offsetof(mock_explain_t, policies));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_update_policy),   cmocka_unit_test(test_using_counts),
        cmocka_unit_test(test_with_check),         cmocka_unit_test(test_grant_and_bypass),
        cmocka_unit_test(test_json_and_no_record), cmocka_unit_test(test_names_are_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
