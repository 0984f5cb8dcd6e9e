/* Unit tests for pgrst_error.c: the SQLSTATE -> HTTP status table
 * (PostgREST Error.hs pgErrorStatus, v14.17) row by row, the PGRST code
 * statuses, the compact body with keys in aeson's alphabetical order
 * (toJsonPgrstError), and the headers each PostgREST version
 * adds (Proxy-Status from v13, WWW-Authenticate on 401, Retry-After on 503). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pgrst_error.h"
#include "message.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Status of an error with this code and message. */
static int status_of(const char *code, const char *message, bool anon)
{
    pgrst_error_t err;
    pgrst_error_init(&err);
    pgrst_error_setf(&err, code, "%s", message);
    int s = pgrst_error_status(&err, anon);
    pgrst_error_dispose(&err);
    return s;
}

typedef struct status_case {
    const char *code;
    const char *message;
    bool anon;
    int status;
} status_case_t;

/* One row (or more) per case of pgErrorStatus, in its order. */
static const status_case_t sqlstate_cases[] = {
    {"08000", "connection exception", false, 503},
    {"08006", "connection failure", false, 503},
    {"08P01", "protocol violation", false, 503},
    {"09000", "triggered action exception", false, 500},
    {"0L000", "invalid grantor", false, 403},
    {"0LP01", "invalid grant operation", false, 403},
    {"0P000", "invalid role specification", false, 403},
    {"23503",
     "insert or update on table \"profiles\" violates foreign key constraint "
     "\"profiles_user_id_fkey\"",
     false, 409},
    {"23505", "duplicate key value violates unique constraint \"profiles_pkey\"", false, 409},
    {"25006", "cannot execute INSERT in a read-only transaction", false, 405},
    /* pg-safeupdate's message ends in "requires a WHERE clause": 400. */
    {"21000", "DELETE requires a WHERE clause", false, 400},
    {"21000", "UPDATE requires a WHERE clause", true, 400},
    /* Any other cardinality violation: 500. */
    {"21000", "more than one row returned by a subquery used as an expression", false, 500},
    /* 22023 with PostgREST's role-does-not-exist message (v13.0.1+,
     * test_auth.py): 401; any other invalid_parameter_value: 400. */
    {"22023", "role \"not_existing\" does not exist", false, 401},
    {"22023", "role \"not_existing\" does not exist", true, 401},
    {"22023", "invalid value for parameter \"TimeZone\": \"Mars/Base\"", false, 400},
    {"25000", "invalid transaction state", false, 500},
    {"25P02", "current transaction is aborted", false, 500},
    {"28000", "invalid authorization specification", false, 403},
    {"28P01", "password authentication failed for user \"x\"", false, 403},
    {"2D000", "invalid transaction termination", false, 500},
    {"38000", "external routine exception", false, 500},
    {"39000", "external routine invocation exception", false, 500},
    {"3B000", "savepoint exception", false, 500},
    {"40001", "could not serialize access due to concurrent update", false, 500},
    {"40P01", "deadlock detected", false, 500},
    {"53400", "configuration limit exceeded", false, 500},
    {"53100", "could not extend file", false, 503},
    {"53300", "sorry, too many clients already", false, 503},
    {"54000", "program limit exceeded", false, 500},
    {"54001", "stack depth limit exceeded", false, 500},
    {"55000", "object not in prerequisite state", false, 500},
    {"55P03", "could not obtain lock on row in relation \"t\"", false, 500},
    {"57P01", "terminating connection due to administrator command", false, 503},
    {"57014", "canceling statement due to statement timeout", false, 500},
    {"57000", "operator intervention", false, 500},
    {"58000", "system error", false, 500},
    {"58030", "could not open file", false, 500},
    {"F0000", "config file error", false, 500},
    {"HV000", "fdw error", false, 500},
    {"P0001", "plain raise exception", false, 400},
    {"P0002", "query returned no rows", false, 500},
    {"P0004", "assert failure", false, 500},
    {"XX000", "internal error", false, 500},
    {"XX001", "data corrupted", false, 500},
    {"42883", "function xmlagg(integer) does not exist", false, 406},
    {"42883", "function public.foo(integer) does not exist", false, 404},
    {"42883", "operator does not exist: text = integer", false, 404},
    {"42P01", "relation \"public.x\" does not exist", false, 404},
    {"42P17", "infinite recursion detected in policy for relation \"profiles\"", false, 500},
    /* 42501: 401 for db-anon-role, else 403 (App.hs `authed`). */
    {"42501", "permission denied for table profiles", true, 401},
    {"42501", "permission denied for table profiles", false, 403},
    {"42501", "new row violates row-level security policy for table \"profiles\"", true, 401},
    {"42501", "new row violates row-level security policy for table \"profiles\"", false, 403},
    /* PTxyz: status xyz. */
    {"PT402", "Payment Required", false, 402},
    {"PT418", "teapot", true, 418},
    {"PT201", "created by raise", false, 201},
    {"PT503", "custom unavailable", false, 503},
    /* Everything else: 400. */
    {"22P02", "invalid input syntax for type uuid: \"x\"", false, 400},
    {"22001", "value too long for type character varying(3)", false, 400},
    {"22003", "integer out of range", false, 400},
    {"23502", "null value in column \"id\" of relation \"t\" violates not-null constraint", false,
     400},
    {"23514", "new row for relation \"t\" violates check constraint \"t_check\"", false, 400},
    {"42703", "column profiles.nope does not exist", false, 400},
    {"42704", "type \"nope\" does not exist", false, 400},
    {"42601", "syntax error", false, 400},
};

static void test_sqlstate_statuses(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof sqlstate_cases / sizeof sqlstate_cases[0]; i++) {
        const status_case_t *c = &sqlstate_cases[i];
        int got = status_of(c->code, c->message, c->anon);
        if (got != c->status)
            fail_msg("%s \"%s\" (anon=%d): got %d, want %d", c->code, c->message, c->anon, got,
                     c->status);
    }
}

static void test_pt_unparsable(void **state)
{
    (void)state;
    /* Error.hs: 'P':'T':n -> fromMaybe status500 (mkStatus <$> readMaybe n ...):
     * a PT code whose rest is not a number is a 500, not the default 400. */
    assert_int_equal(status_of("PT40A", "not a number", false), 500);
    assert_int_equal(status_of("PTxyz", "not a number", false), 500);
}

typedef struct code_status {
    const char *code;
    int status;
} code_status_t;

/* Error.hs: the HTTP status of each PGRST code. */
static const code_status_t pgrst_cases[] = {
    {"PGRST000", 503}, {"PGRST001", 503}, {"PGRST002", 503}, {"PGRST003", 504}, {"PGRST100", 400},
    {"PGRST101", 405}, {"PGRST102", 400}, {"PGRST103", 416}, {"PGRST105", 405}, {"PGRST106", 406},
    {"PGRST107", 406}, {"PGRST108", 400}, {"PGRST111", 500}, {"PGRST112", 500}, {"PGRST114", 400},
    {"PGRST115", 400}, {"PGRST116", 406}, {"PGRST117", 405}, {"PGRST118", 400}, {"PGRST120", 400},
    {"PGRST121", 500}, {"PGRST122", 400}, {"PGRST123", 400}, {"PGRST124", 400}, {"PGRST125", 404},
    {"PGRST126", 404}, {"PGRST127", 400}, {"PGRST128", 400}, {"PGRST200", 400}, {"PGRST201", 300},
    {"PGRST202", 404}, {"PGRST203", 300}, {"PGRST204", 400}, {"PGRST205", 404}, {"PGRST300", 500},
    {"PGRST301", 401}, {"PGRST302", 401}, {"PGRST303", 401}, {"PGRSTX00", 500},
};

static void test_pgrst_statuses(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof pgrst_cases / sizeof pgrst_cases[0]; i++) {
        /* The anon flag must not matter for PGRST codes. */
        for (int anon = 0; anon < 2; anon++) {
            int got = status_of(pgrst_cases[i].code, "m", anon);
            if (got != pgrst_cases[i].status)
                fail_msg("%s: got %d, want %d", pgrst_cases[i].code, got, pgrst_cases[i].status);
        }
    }
}

static void test_explicit_status_wins(void **state)
{
    (void)state;
    /* A rule may override the status; status 0 means derived. */
    pgrst_error_t err;
    pgrst_error_init(&err);
    pgrst_error_setf(&err, "PGRST205", "x");
    err.status = 503;
    assert_int_equal(pgrst_error_status(&err, false), 503);
    pgrst_error_dispose(&err);
}

static char *body_of(const pgrst_error_t *err)
{
    buf_t b;
    buf_init(&b);
    pgrst_error_body(err, &b);
    return buf_steal(&b);
}

static void test_body_format(void **state)
{
    (void)state;
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_false(pgrst_error_is_set(&err));

    /* test_io.py v14.17, byte for byte. */
    assert_int_equal(pgrst_error_setf(&err, "PGRST002", "%s",
                                      "Could not query the database for the schema cache. "
                                      "Retrying."),
                     -1);
    assert_true(pgrst_error_is_set(&err));
    char *b = body_of(&err);
    assert_string_equal(b, "{\"code\":\"PGRST002\",\"details\":null,\"hint\":null,\"message\":"
                           "\"Could not query the database for the schema cache. Retrying.\"}");
    free(b);

    /* QuerySpec.hs v14.17: Content-Length 120 for this PGRST205 body. */
    pgrst_error_setf(&err, "PGRST205", "Could not find the table '%s.%s' in the schema cache",
                     "test", "faketable");
    b = body_of(&err);
    assert_string_equal(b, "{\"code\":\"PGRST205\",\"details\":null,\"hint\":null,\"message\":"
                           "\"Could not find the table 'test.faketable' in the schema cache\"}");
    assert_int_equal(strlen(b), 120);
    free(b);

    /* AuthSpec.hs v14.17: Content-Length 96 for the anon 42501. */
    pgrst_error_setf(&err, "42501", "permission denied for table authors_only");
    b = body_of(&err);
    assert_int_equal(strlen(b), 96);
    free(b);

    /* details and hint as strings, quotes escaped (as in a live project's log). */
    pgrst_error_setf(&err, "23505", "duplicate key value violates unique constraint \"%s\"",
                     "profiles_pkey");
    pgrst_error_detailsf(&err, "Key (id)=(%d) already exists.", 1);
    pgrst_error_hintf(&err, "%s", "line1\nline2");
    b = body_of(&err);
    assert_string_equal(b, "{\"code\":\"23505\",\"details\":\"Key (id)=(1) already exists.\","
                           "\"hint\":\"line1\\nline2\",\"message\":\"duplicate key value violates "
                           "unique constraint \\\"profiles_pkey\\\"\"}");
    free(b);

    /* setf clears details and hint of the previous error. */
    pgrst_error_setf(&err, "22P02", "invalid input syntax for type uuid: \"%s\"",
                     "%%drp:id:25d80f6f6a137%%");
    b = body_of(&err);
    assert_string_equal(b, "{\"code\":\"22P02\",\"details\":null,\"hint\":null,\"message\":"
                           "\"invalid input syntax for type uuid: "
                           "\\\"%%drp:id:25d80f6f6a137%%\\\"\"}");
    free(b);

    /* Non-ASCII raw, libpq's trailing newline escaped (PostgREST test_io.py). */
    pgrst_error_setf(&err, "PGRST000", "Database connection error.");
    pgrst_error_detailsf(&err, "%s", "no connection to the server\n");
    pgrst_error_hintf(&err, "%s", "caf\xc3\xa9");
    b = body_of(&err);
    assert_string_equal(b, "{\"code\":\"PGRST000\",\"details\":\"no connection to the "
                           "server\\n\",\"hint\":\"caf\xc3\xa9\",\"message\":\"Database "
                           "connection error.\"}");
    free(b);
    pgrst_error_dispose(&err);
    assert_false(pgrst_error_is_set(&err));
    pgrst_error_dispose(&err); /* safe on an unset error */
}

static void test_move(void **state)
{
    (void)state;
    pgrst_error_t a, b;
    pgrst_error_init(&a);
    pgrst_error_init(&b);
    pgrst_error_setf(&b, "PGRST100", "old");
    pgrst_error_setf(&a, "PGRST204", "Could not find the '%s' column of '%s' in the schema cache",
                     "x", "profiles");
    pgrst_error_move(&b, &a);
    assert_false(pgrst_error_is_set(&a));
    assert_null(a.message);
    assert_string_equal(b.code, "PGRST204");
    assert_string_equal(b.message,
                        "Could not find the 'x' column of 'profiles' in the schema cache");
    pgrst_error_dispose(&a);
    pgrst_error_dispose(&b);
}

/* Renders and returns the response for inspection (caller disposes). */
static void render(const char *code, const char *message, bool anon, int major,
                   mock_response_t *resp)
{
    pgrst_error_t err;
    pgrst_error_init(&err);
    pgrst_error_setf(&err, code, "%s", message);
    mock_response_init(resp);
    pgrst_error_render(&err, anon, major, resp);
    pgrst_error_dispose(&err);
}

static void test_headers_by_version(void **state)
{
    (void)state;
    mock_response_t r;
    /* v14 and v13: Content-Type and Proxy-Status (CHANGELOG #2967). */
    for (int major = 13; major <= 14; major++) {
        render("PGRST205", "Could not find the table 'public.x' in the schema cache", false, major,
               &r);
        assert_int_equal(r.status, 404);
        assert_string_equal(mock_response_header(&r, "Content-Type"),
                            "application/json; charset=utf-8");
        assert_string_equal(mock_response_header(&r, "Proxy-Status"), "PostgREST; error=PGRST205");
        assert_null(mock_response_header(&r, "WWW-Authenticate"));
        assert_null(mock_response_header(&r, "Retry-After"));
        assert_string_equal(buf_cstr(&r.body),
                            "{\"code\":\"PGRST205\",\"details\":null,\"hint\":null,\"message\":"
                            "\"Could not find the table 'public.x' in the schema cache\"}");
        mock_response_dispose(&r);
    }
    /* v12: no Proxy-Status. */
    render("42P01", "relation \"public.x\" does not exist", false, 12, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(mock_response_header(&r, "Content-Type"),
                        "application/json; charset=utf-8");
    assert_null(mock_response_header(&r, "Proxy-Status"));
    mock_response_dispose(&r);
    /* Proxy-Status carries SQLSTATEs too (`…; error=42501`). */
    render("42501", "permission denied for table profiles", false, 14, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(mock_response_header(&r, "Proxy-Status"), "PostgREST; error=42501");
    assert_null(mock_response_header(&r, "WWW-Authenticate"));
    mock_response_dispose(&r);
}

static void test_www_authenticate(void **state)
{
    (void)state;
    mock_response_t r;
    /* A 401 from a PG error adds WWW-Authenticate: Bearer (PostgREST
     * AuthSpec.hs). */
    render("42501", "permission denied for table authors_only", true, 14, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(mock_response_header(&r, "WWW-Authenticate"), "Bearer");
    assert_int_equal(r.body.len, 96);
    mock_response_dispose(&r);
    /* v12 too (the header predates Proxy-Status). */
    render("42501", "permission denied for table authors_only", true, 12, &r);
    assert_string_equal(mock_response_header(&r, "WWW-Authenticate"), "Bearer");
    mock_response_dispose(&r);
    /* 22023 unknown role is a 401 as well. */
    render("22023", "role \"x\" does not exist", false, 14, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(mock_response_header(&r, "WWW-Authenticate"), "Bearer");
    mock_response_dispose(&r);

    /* JWT errors carry their own value (Error.hs invalidTokenHeader). */
    pgrst_error_t err;
    pgrst_error_init(&err);
    pgrst_error_setf(&err, "PGRST303", "JWT expired");
    err.www_authenticate =
        strdup("Bearer error=\"invalid_token\", error_description=\"JWT expired\"");
    mock_response_init(&r);
    pgrst_error_render(&err, true, 14, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(mock_response_header(&r, "WWW-Authenticate"),
                        "Bearer error=\"invalid_token\", error_description=\"JWT expired\"");
    assert_string_equal(mock_response_header(&r, "Proxy-Status"), "PostgREST; error=PGRST303");
    /* Exactly one WWW-Authenticate header. */
    size_t n = 0;
    for (size_t i = 0; i < r.header_count; i++)
        n += strcasecmp(r.headers[i].name, "WWW-Authenticate") == 0;
    assert_int_equal(n, 1);
    mock_response_dispose(&r);
    pgrst_error_dispose(&err);
}

static void test_retry_after(void **state)
{
    (void)state;
    mock_response_t r;
    /* 503 gets Retry-After with a number of seconds (App.hs addRetryHint). */
    static const char *const codes[] = {"PGRST002", "PGRST000", "PGRST001",
                                        "08006",    "57P01",    "53300"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        render(codes[i], "m", false, 14, &r);
        assert_int_equal(r.status, 503);
        const char *ra = mock_response_header(&r, "Retry-After");
        assert_non_null(ra);
        assert_true(ra[0] != '\0');
        for (const char *p = ra; *p; p++)
            assert_true(*p >= '0' && *p <= '9');
        assert_null(mock_response_header(&r, "WWW-Authenticate"));
        mock_response_dispose(&r);
    }
    /* 504 (PGRST003) and 500 get none. */
    render("PGRST003", "Timed out acquiring connection from connection pool.", false, 14, &r);
    assert_int_equal(r.status, 504);
    assert_null(mock_response_header(&r, "Retry-After"));
    mock_response_dispose(&r);
    render("XX000", "internal", false, 14, &r);
    assert_int_equal(r.status, 500);
    assert_null(mock_response_header(&r, "Retry-After"));
    mock_response_dispose(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlstate_statuses),  cmocka_unit_test(test_pt_unparsable),
        cmocka_unit_test(test_pgrst_statuses),     cmocka_unit_test(test_explicit_status_wins),
        cmocka_unit_test(test_body_format),        cmocka_unit_test(test_move),
        cmocka_unit_test(test_headers_by_version), cmocka_unit_test(test_www_authenticate),
        cmocka_unit_test(test_retry_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
