/* Unit tests for rules.c: validation errors with positions,
 * matching (method, path glob, role, key kind, form-decoded query globs,
 * case-insensitive header names, JSON body subsets), first match wins,
 * `after`, `times`, `until` through instance_schema_reload, the state machine,
 * pass rules (side effects only) and rules_to_json's counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "instance.h"
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static scenario_t *load(const char *rules_json)
{
    char *text = NULL;
    size_t n = (size_t)snprintf(NULL, 0, "{\"name\":\"t\",\n\"rules\": %s}", rules_json);
    text = malloc(n + 1);
    snprintf(text, n + 1, "{\"name\":\"t\",\n\"rules\": %s}", rules_json);
    scenario_t *s = NULL;
    scenario_error_t err;
    int rc = scenario_load_text("t.json", text, n, &s, &err);
    free(text);
    if (rc != 0)
        fail_msg("scenario: %s", err.message);
    return s;
}

/* rules_new's error for a rules array, or "" when it compiles. */
static void compile_error(const char *rules_json, char *out, size_t len)
{
    scenario_t *s = load(rules_json);
    rules_t *r = NULL;
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (rules_new(s, &r, &err) == 0) {
        out[0] = '\0';
        rules_free(r);
    } else {
        scenario_error_format(&err, out, len);
    }
    scenario_free(s);
}

typedef struct fixture {
    arena_t *arena;
    mock_header_t headers[8];
    mock_request_t req;
} fixture_t;

static void request(fixture_t *f, const char *method, const char *path, const char *query,
                    const char *body)
{
    memset(&f->req, 0, sizeof f->req);
    f->req.arena = f->arena;
    f->req.method = method;
    f->req.path = path;
    f->req.query = query;
    f->req.target = path;
    f->req.headers = f->headers;
    f->req.header_count = 0;
    f->req.body = body;
    f->req.body_len = strlen(body);
    f->req.keep_alive = true;
    f->req.http_minor = 1;
}

static void add_header(fixture_t *f, const char *lname, const char *value)
{
    f->headers[f->req.header_count].name = lname;
    f->headers[f->req.header_count].value = value;
    f->req.header_count++;
}

/* Runs the rules; returns the answering rule's name, "" for none. */
static const char *apply(rules_t *r, fixture_t *f, const char *key, const char *role,
                         mock_response_t *resp)
{
    mock_response_init(resp);
    int rc = rules_apply(r, NULL, &f->req, key, role, resp);
    if (rc == 0)
        return "";
    assert_non_null(resp->outcome.rule);
    return resp->outcome.rule;
}

static const char *apply_once(rules_t *r, fixture_t *f, const char *key, const char *role)
{
    mock_response_t resp;
    const char *name = apply(r, f, key, role, &resp);
    mock_response_dispose(&resp);
    return name;
}

static void test_validation(void **state)
{
    (void)state;
    char e[1024];
    compile_error("[{\"match\":{\"path\":\"/x\"},\"respond\":{\"error\":\"PGRST205\"}}]", e,
                  sizeof e);
    assert_string_equal(e, "");
    /* Unknown keys are load errors at the key's value ("/x"). */
    compile_error("[\n {\"match\":{\"paht\":\"/x\"},\"respond\":{\"pass\":true}}]", e, sizeof e);
    assert_non_null(strstr(e, "t.json:3:19:"));
    assert_non_null(strstr(e, "match.paht"));
    compile_error("[{\"respond\":{\"error\":\"PGRST999\"}}]", e, sizeof e);
    assert_non_null(strstr(e, "PGRST999"));
    compile_error("[{\"respond\":{\"fault\":\"explode\"}}]", e, sizeof e);
    assert_non_null(strstr(e, "explode"));
    compile_error("[{\"match\":{\"key\":\"admin\"},\"respond\":{\"pass\":true}}]", e, sizeof e);
    assert_non_null(strstr(e, "admin"));
    compile_error("[{\"until\":\"tuesday\",\"respond\":{\"pass\":true}}]", e, sizeof e);
    assert_non_null(strstr(e, "until"));
    compile_error("[{\"match\":{}}]", e, sizeof e);
    assert_non_null(strstr(e, "respond"));
    /* Any SQLSTATE with a message; without one only the known ones. */
    compile_error("[{\"respond\":{\"error\":\"XX001\",\"message\":\"m\"}}]", e, sizeof e);
    assert_string_equal(e, "");
    compile_error("[{\"respond\":{\"error\":\"XX001\"}}]", e, sizeof e);
    assert_non_null(strstr(e, "XX001"));
}

static void test_matching(void **state)
{
    (void)state;
    scenario_t *s = load(
        "[{\"name\":\"m\",\"match\":{\"method\":[\"post\",\"PATCH\"],\"path\":\"/rest/v1/prof*\"},"
        "\"respond\":{\"status\":200}},"
        "{\"name\":\"role\",\"match\":{\"role\":\"service_role\",\"path\":\"/r\"},"
        "\"respond\":{\"status\":200}},"
        "{\"name\":\"key\",\"match\":{\"key\":[\"missing\",\"invalid\"],\"path\":\"/k\"},"
        "\"respond\":{\"status\":200}},"
        "{\"name\":\"q\",\"match\":{\"query\":{\"user_id\":\"eq.*\"},\"path\":\"/q\"},"
        "\"respond\":{\"status\":200}},"
        "{\"name\":\"h\",\"match\":{\"header\":{\"Prefer\":\"*return=representation*\"},"
        "\"path\":\"/h\"},\"respond\":{\"status\":200}},"
        "{\"name\":\"b\",\"match\":{\"body\":{\"a\":{\"b\":1},\"l\":[1,2]},\"path\":\"/b\"},"
        "\"respond\":{\"status\":200}}]");
    rules_t *r = NULL;
    scenario_error_t err;
    assert_int_equal(rules_new(s, &r, &err), 0);
    assert_false(rules_empty(r));
    fixture_t f = {.arena = arena_new()};

    request(&f, "POST", "/rest/v1/profiles", "", "");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "m");
    request(&f, "GET", "/rest/v1/profiles", "", "");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "");
    /* Globs match the whole value. */
    request(&f, "PATCH", "/rest/v2/profiles", "", "");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "");

    request(&f, "GET", "/r", "", "");
    assert_string_equal(apply_once(r, &f, "secret", "service_role"), "role");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "");
    assert_string_equal(apply_once(r, &f, "invalid", NULL), "");

    request(&f, "GET", "/k", "", "");
    assert_string_equal(apply_once(r, &f, "missing", "anon"), "key");
    assert_string_equal(apply_once(r, &f, "publishable", "anon"), "");

    /* Query values are form-decoded before the glob. */
    request(&f, "GET", "/q", "select=id&user%5Fid=eq.a+b", "");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "q");
    request(&f, "GET", "/q", "user_id=neq.1", "");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "");

    /* Header names are case-insensitive (request names arrive lowercased). */
    request(&f, "GET", "/h", "", "");
    add_header(&f, "prefer", "count=exact,return=representation");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "h");
    request(&f, "GET", "/h", "", "");
    add_header(&f, "prefer", "return=minimal");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "");

    /* Body subset: objects recursively, arrays equal; non-JSON never matches. */
    request(&f, "POST", "/b", "", "{\"x\":0,\"a\":{\"b\":1,\"c\":2},\"l\":[1,2]}");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "b");
    request(&f, "POST", "/b", "", "{\"a\":{\"b\":1},\"l\":[1,2,3]}");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "");
    request(&f, "POST", "/b", "", "{\"a\":{\"b\":\"1\"},\"l\":[1,2]}");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "");
    request(&f, "POST", "/b", "", "a=1");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "");

    rules_free(r);
    scenario_free(s);
    arena_free(f.arena);
}

static void test_counting_and_state(void **state)
{
    (void)state;
    scenario_t *s = load(
        "[{\"name\":\"delay\",\"match\":{\"path\":\"/x\"},\"delay_ms\":5,\"respond\":{\"pass\":"
        "true}},"
        "{\"name\":\"after\",\"match\":{\"path\":\"/x\"},\"after\":1,\"times\":2,"
        "\"respond\":{\"status\":201}},"
        "{\"name\":\"fallback\",\"match\":{\"path\":\"/x\"},\"to_state\":\"done\","
        "\"respond\":{\"status\":202,\"body\":\"f\"}},"
        "{\"name\":\"done\",\"match\":{\"path\":\"/y\"},\"in_state\":\"done\","
        "\"respond\":{\"fault\":\"connection_reset\"}}]");
    rules_t *r = NULL;
    scenario_error_t err;
    assert_int_equal(rules_new(s, &r, &err), 0);
    fixture_t f = {.arena = arena_new()};
    mock_response_t resp;

    request(&f, "GET", "/y", "", "");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), ""); /* still "Started" */
    assert_string_equal(rules_state(r), "Started");

    request(&f, "GET", "/x", "", "");
    /* 1st: `after` lets it through to the next rule; the pass rule's delay stays. */
    assert_string_equal(apply(r, &f, "anon", "anon", &resp), "fallback");
    assert_int_equal(resp.status, 202);
    assert_int_equal(resp.delay_ms, 5);
    assert_int_equal(resp.body.len, 1);
    mock_response_dispose(&resp);
    assert_string_equal(rules_state(r), "done");
    /* 2nd and 3rd: `after` answers twice (times), then expires. */
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "after");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "after");
    assert_string_equal(apply_once(r, &f, "anon", "anon"), "fallback");

    request(&f, "GET", "/y", "", "");
    assert_string_equal(apply(r, &f, "anon", "anon", &resp), "done");
    assert_int_equal(resp.fault, MOCK_FAULT_CONNECTION_RESET);
    mock_response_dispose(&resp);

    cJSON *j = rules_to_json(r);
    assert_int_equal(cJSON_GetArraySize(j), 4);
    cJSON *after = cJSON_GetArrayItem(j, 1);
    assert_int_equal(cJSON_GetObjectItem(after, "matched")->valueint, 3);
    assert_int_equal(cJSON_GetObjectItem(after, "answered")->valueint, 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(after, "expired")));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "answered")->valueint, 4);
    assert_string_equal(cJSON_GetObjectItem(after, "name")->valuestring, "after");
    cJSON_Delete(j);

    rules_free(r);
    scenario_free(s);
    arena_free(f.arena);
}

static void test_until_schema_reload(void **state)
{
    (void)state;
    scenario_t *s = load("[{\"name\":\"stale\",\"match\":{\"method\":\"POST\",\"path\":"
                         "\"/rest/v1/profiles\"},\"respond\":{\"error\":\"PGRST205\"},"
                         "\"until\":\"schema_reload\"}]");
    instance_t *inst = NULL;
    scenario_error_t err;
    assert_int_equal(instance_new(s, NULL, &inst, &err), 0);
    fixture_t f = {.arena = arena_new()};
    request(&f, "POST", "/rest/v1/profiles", "", "{}");
    mock_response_t resp;
    mock_response_init(&resp);
    assert_int_equal(
        rules_apply(instance_rules(inst), instance_store(inst), &f.req, "anon", "anon", &resp), 1);
    assert_int_equal(resp.status, 404);
    /* PGRST205's message (PostgREST Error.hs) */
    assert_string_equal(buf_cstr(&resp.body),
                        "{\"code\":\"PGRST205\",\"details\":null,\"hint\":null,\"message\":"
                        "\"Could not find the table 'public.profiles' in the schema cache\"}");
    mock_response_dispose(&resp);

    instance_schema_reload(inst);
    mock_response_init(&resp);
    assert_int_equal(
        rules_apply(instance_rules(inst), instance_store(inst), &f.req, "anon", "anon", &resp), 0);
    mock_response_dispose(&resp);
    cJSON *j = rules_to_json(instance_rules(inst));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "expired")));
    cJSON_Delete(j);

    instance_free(inst);
    scenario_free(s);
    arena_free(f.arena);
}

static void test_truncated_body_without_literal_falls_through(void **state)
{
    (void)state;
    scenario_t *s = load("[{\"name\":\"cut\",\"respond\":{\"fault\":\"truncated_body\"}},"
                         "{\"name\":\"never\",\"respond\":{\"status\":500}}]");
    rules_t *r = NULL;
    scenario_error_t err;
    assert_int_equal(rules_new(s, &r, &err), 0);
    fixture_t f = {.arena = arena_new()};
    request(&f, "GET", "/rest/v1/profiles", "", "");
    mock_response_t resp;
    mock_response_init(&resp);
    /* 0: the model answers, and the server cuts that answer. */
    assert_int_equal(rules_apply(r, NULL, &f.req, "anon", "anon", &resp), 0);
    assert_int_equal(resp.fault, MOCK_FAULT_TRUNCATED_BODY);
    assert_string_equal(resp.outcome.rule, "cut");
    mock_response_dispose(&resp);
    rules_free(r);
    scenario_free(s);
    arena_free(f.arena);
}

static void test_empty(void **state)
{
    (void)state;
    scenario_t *s = load("[]");
    rules_t *r = NULL;
    scenario_error_t err;
    assert_int_equal(rules_new(s, &r, &err), 0);
    assert_true(rules_empty(r));
    assert_string_equal(rules_state(r), "Started");
    rules_free(r);
    rules_free(NULL);
    scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_matching),
        cmocka_unit_test(test_counting_and_state),
        cmocka_unit_test(test_until_schema_reload),
        cmocka_unit_test(test_truncated_body_without_literal_falls_through),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
