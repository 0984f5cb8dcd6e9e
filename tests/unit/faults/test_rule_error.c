/* Unit tests for rule_error.c: catalogue texts filled from the request, each
 * expected string taken from PostgREST's Error.hs (PGRST templates, statuses,
 * headers) and tests, or from Postgres's own messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "instance.h"
#include "rule_error.h"

#include <stdlib.h>
#include <string.h>

static const char *scenario_text =
    "{\"name\":\"t\",\"tables\":{"
    "\"todos\":{\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\"primary_key\":true},"
    "{\"name\":\"owner\",\"type\":\"uuid\",\"unique\":true}]},"
    "\"todo\":{\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\"primary_key\":true}]}}}";

typedef struct fx {
    scenario_t *sc;
    instance_t *inst;
    arena_t *arena;
    mock_header_t headers[4];
    mock_request_t req;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    scenario_error_t err;
    if (scenario_load_text("t.json", scenario_text, strlen(scenario_text), &f->sc, &err) != 0)
        fail_msg("%s", err.message);
    if (instance_new(f->sc, NULL, &f->inst, &err) != 0)
        fail_msg("%s", err.message);
    f->arena = arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    instance_free(f->inst);
    scenario_free(f->sc);
    arena_free(f->arena);
    free(f);
    return 0;
}

static void req(fx_t *f, const char *method, const char *path, const char *query, const char *body)
{
    memset(&f->req, 0, sizeof f->req);
    f->req.arena = f->arena;
    f->req.method = method;
    f->req.path = path;
    f->req.target = path;
    f->req.query = query;
    f->req.headers = f->headers;
    f->req.body = body;
    f->req.body_len = strlen(body);
}

/* Renders `code` for the current request; returns the body (static buffer). */
static const char *render(fx_t *f, const char *code, const char *role, mock_response_t *resp)
{
    rule_error_ctx_t ctx = {
        .sc = f->sc, .store = instance_store(f->inst), .req = &f->req, .role = role};
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(rule_error_fill(&ctx, code, &err), 0);
    mock_response_init(resp);
    rule_error_respond(&ctx, &err, 0, resp);
    pgrst_error_dispose(&err);
    return buf_cstr(&resp->body);
}

static void expect(fx_t *f, const char *code, const char *role, int status, const char *body)
{
    mock_response_t resp;
    const char *got = render(f, code, role, &resp);
    assert_string_equal(got, body);
    assert_int_equal(resp.status, status);
    mock_response_dispose(&resp);
}

static void test_schema_cache_group(void **state)
{
    fx_t *f = *state;
    /* PGRST205; the hint leaves the named table out and finds 'todo' (fuzzy
     * score 0.8 for todo/todos). */
    req(f, "POST", "/rest/v1/todos", "", "{}");
    expect(f, "PGRST205", "anon", 404,
           "{\"code\":\"PGRST205\",\"details\":null,\"hint\":\"Perhaps you meant the table "
           "'public.todo'\",\"message\":\"Could not find the table 'public.todos' in the schema "
           "cache\"}");
    /* PGRST204 names the first key of the JSON body. */
    req(f, "POST", "/rest/v1/todos", "", "{\"title\":\"x\",\"id\":1}");
    expect(f, "PGRST204", "anon", 400,
           "{\"code\":\"PGRST204\",\"details\":null,\"hint\":null,\"message\":\"Could not find "
           "the 'title' column of 'todos' in the schema cache\"}");
}

static void test_connection_group(void **state)
{
    fx_t *f = *state;
    req(f, "GET", "/rest/v1/todos", "", "");
    mock_response_t resp;
    /* PostgREST test/io/test_io.py's exact PGRST002 body, 503 with Retry-After. */
    assert_string_equal(render(f, "PGRST002", "anon", &resp),
                        "{\"code\":\"PGRST002\",\"details\":null,\"hint\":null,\"message\":\"Could "
                        "not query the database for the schema cache. Retrying.\"}");
    assert_int_equal(resp.status, 503);
    assert_non_null(mock_response_header(&resp, "Retry-After"));
    assert_string_equal(mock_response_header(&resp, "Server"), "postgrest/14.5");
    assert_string_equal(mock_response_header(&resp, "Proxy-Status"), "PostgREST; error=PGRST002");
    mock_response_dispose(&resp);
    expect(f, "PGRST003", "anon", 504,
           "{\"code\":\"PGRST003\",\"details\":null,\"hint\":null,\"message\":\"Timed out "
           "acquiring connection from connection pool.\"}");
}

static void test_jwt_group(void **state)
{
    fx_t *f = *state;
    req(f, "GET", "/rest/v1/todos", "", "");
    mock_response_t resp;
    render(f, "PGRST303", "anon", &resp);
    assert_int_equal(resp.status, 401);
    /* Error.hs invalidTokenHeader: error_description is `show` of the message. */
    assert_string_equal(mock_response_header(&resp, "WWW-Authenticate"),
                        "Bearer error=\"invalid_token\", error_description=\"JWT expired\"");
    mock_response_dispose(&resp);
}

static void test_sqlstates(void **state)
{
    fx_t *f = *state;
    /* pgErrorStatus: 42501 is 401 for anon (+ WWW-Authenticate: Bearer), 403 otherwise;
     * Supabase's GRANT hint names the privilege, table and role. */
    req(f, "PATCH", "/rest/v1/todos", "id=eq.1", "{}");
    mock_response_t resp;
    assert_string_equal(render(f, "42501", "anon", &resp),
                        "{\"code\":\"42501\",\"details\":null,\"hint\":\"Grant the required "
                        "privileges to the current role with: GRANT UPDATE ON public.todos TO "
                        "anon;\",\"message\":\"permission denied for table todos\"}");
    assert_int_equal(resp.status, 401);
    assert_string_equal(mock_response_header(&resp, "WWW-Authenticate"), "Bearer");
    mock_response_dispose(&resp);
    render(f, "42501", "authenticated", &resp);
    assert_int_equal(resp.status, 403);
    assert_null(mock_response_header(&resp, "WWW-Authenticate"));
    mock_response_dispose(&resp);

    /* Unique violation on a unique column, with its constraint name. */
    req(f, "POST", "/rest/v1/todos", "", "{\"owner\":\"abc\"}");
    expect(f, "23505", "service_role", 409,
           "{\"code\":\"23505\",\"details\":\"Key (owner)=(abc) already exists.\",\"hint\":null,"
           "\"message\":\"duplicate key value violates unique constraint "
           "\\\"todos_owner_key\\\"\"}");
    /* ... and on the primary key: {table}_pkey. */
    req(f, "POST", "/rest/v1/todos", "", "{\"id\":7}");
    expect(f, "23505", "service_role", 409,
           "{\"code\":\"23505\",\"details\":\"Key (id)=(7) already exists.\",\"hint\":null,"
           "\"message\":\"duplicate key value violates unique constraint \\\"todos_pkey\\\"\"}");
    /* 57014 statement timeout is a 500. */
    expect(f, "57014", "anon", 500,
           "{\"code\":\"57014\",\"details\":null,\"hint\":null,\"message\":\"canceling statement "
           "due to statement timeout\"}");
    /* pg-safeupdate's 21000, 400. */
    req(f, "DELETE", "/rest/v1/todos", "", "");
    expect(f, "21000", "anon", 400,
           "{\"code\":\"21000\",\"details\":null,\"hint\":null,\"message\":\"DELETE requires a "
           "WHERE clause\"}");
    /* 22P02 with the column's type, the value from the eq. filter. */
    req(f, "GET", "/rest/v1/todos", "owner=eq.nope", "");
    expect(f, "22P02", "anon", 400,
           "{\"code\":\"22P02\",\"details\":null,\"hint\":null,\"message\":\"invalid input "
           "syntax for type uuid: \\\"nope\\\"\"}");
    /* PostgREST v12's answer for an unknown relation: 42P01, 404. */
    req(f, "GET", "/rest/v1/x", "", "");
    expect(f, "42P01", "anon", 404,
           "{\"code\":\"42P01\",\"details\":null,\"hint\":null,\"message\":\"relation "
           "\\\"public.x\\\" does not exist\"}");
}

static void test_known_codes(void **state)
{
    (void)state;
    /* Every PGRST code of Error.hs, groups 0-3. */
    static const char *const codes[] = {
        "PGRST000", "PGRST001", "PGRST002", "PGRST003", "PGRST100", "PGRST101", "PGRST102",
        "PGRST103", "PGRST105", "PGRST106", "PGRST107", "PGRST108", "PGRST111", "PGRST112",
        "PGRST114", "PGRST115", "PGRST116", "PGRST117", "PGRST118", "PGRST120", "PGRST121",
        "PGRST122", "PGRST123", "PGRST124", "PGRST125", "PGRST126", "PGRST127", "PGRST128",
        "PGRST200", "PGRST201", "PGRST202", "PGRST203", "PGRST204", "PGRST205", "PGRST300",
        "PGRST301", "PGRST302", "PGRST303"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        assert_true(rule_error_known(codes[i]));
    assert_false(rule_error_known("PGRST999"));
    assert_true(rule_error_is_sqlstate("P0001"));
    assert_false(rule_error_is_sqlstate("p0001"));
    assert_false(rule_error_is_sqlstate("PGRST205"));
}

static void test_pgrst201_details_is_an_array(void **state)
{
    fx_t *f = *state;
    req(f, "GET", "/rest/v1/todos", "select=owner(*)", "");
    mock_response_t resp;
    const char *body = render(f, "PGRST201", "anon", &resp);
    cJSON *j = cJSON_Parse(body);
    assert_non_null(j);
    /* PGRST201 is the one error whose details is an array. */
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(j, "details")));
    assert_int_equal(resp.status, 300);
    cJSON_Delete(j);
    mock_response_dispose(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_cache_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jwt_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqlstates, setup, teardown),
        cmocka_unit_test(test_known_codes),
        cmocka_unit_test_setup_teardown(test_pgrst201_details_is_an_array, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
