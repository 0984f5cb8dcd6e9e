/* Unit tests for journal.c: the ring bound (--journal-limit entries; `dropped` counts
 * what fell out), the byte bound, key redaction (apikey and Authorization shown
 * as their kind plus the last 6 characters; the exact format is journal.h's),
 * the filters of GET /__mock/requests, and the entry's JSON shape. Keys are the
 * Supabase CLI demo keys (scenarios/default.json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arena.h"
#include "journal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANON_KEY                                                                                   \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHA" \
    "iOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
#define SERVICE_KEY                                                                                \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9" \
    "sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU"
#define PUBLISHABLE_KEY "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH"
#define SECRET_KEY      "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"
#define ELLIPSIS        "\xe2\x80\xa6"

/* 2026-01-01T00:00:00Z in microseconds since 2000-01-01: 9497 days
 * (26 years, 7 leap days 2000..2024) * 86400 s. */
#define T2026 (INT64_C(9497) * 86400 * 1000000)

typedef struct fixture {
    arena_t *arena;
    journal_t *j;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->arena = arena_new();
    f->j = journal_new(3);
    journal_set_keys(f->j, ANON_KEY, SERVICE_KEY, PUBLISHABLE_KEY, SECRET_KEY);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    journal_free(f->j);
    arena_free(f->arena);
    free(f);
    return 0;
}

/* Records one exchange; headers as "name", "value" pairs ending with NULL. */
static void record(journal_t *j, const char *method, const char *path, const char *query,
                   const char *body, int status, const char *code, const char *rule, int64_t at,
                   ...)
{
    mock_header_t headers[8];
    size_t n = 0;
    va_list ap;
    va_start(ap, at);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL && n < 8) {
        headers[n].name = name;
        headers[n].value = va_arg(ap, const char *);
        n++;
    }
    va_end(ap);
    mock_request_t req = {
        .method = method,
        .target = path,
        .path = path,
        .query = query,
        .headers = headers,
        .header_count = n,
        .body = body,
        .body_len = strlen(body),
    };
    mock_response_t resp;
    mock_response_init(&resp);
    resp.status = status;
    resp.outcome.code = code;
    resp.outcome.rule = rule;
    resp.outcome.role = "anon";
    resp.outcome.key = "anon";
    journal_record(j, &req, &resp, at, 42);
    mock_response_dispose(&resp);
}

/* The journal's answer for filter f, parsed. */
static cJSON *dump(const journal_t *j, const journal_filter_t *f)
{
    buf_t out;
    buf_init(&out);
    journal_write_json(j, f, &out);
    cJSON *json = cJSON_Parse(buf_cstr(&out));
    assert_non_null(json);
    buf_dispose(&out);
    return json;
}

static int id_at(const cJSON *json, int i)
{
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(json, "requests");
    const cJSON *e = cJSON_GetArrayItem(reqs, i);
    assert_non_null(e);
    return (int)cJSON_GetObjectItemCaseSensitive(e, "id")->valuedouble;
}

static int count_of(const cJSON *json)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(json, "requests"));
}

static void test_ring_limit_and_dropped(void **state)
{
    fixture_t *f = *state;
    for (int i = 0; i < 5; i++)
        record(f->j, "GET", "/rest/v1/profiles", "", "", 200, NULL, NULL, T2026, NULL);
    /* Limit 3, five recorded: the two oldest fell out. */
    assert_int_equal(journal_size(f->j), 3);
    assert_int_equal(journal_dropped(f->j), 2);
    cJSON *json = dump(f->j, NULL);
    assert_int_equal(count_of(json), 3);
    assert_int_equal(id_at(json, 0), 3);
    assert_int_equal(id_at(json, 2), 5);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(json, "dropped")->valuedouble, 2);
    cJSON_Delete(json);

    /* A clear empties the ring and forgets dropped; ids keep counting up. */
    journal_clear(f->j);
    assert_int_equal(journal_size(f->j), 0);
    assert_int_equal(journal_dropped(f->j), 0);
    record(f->j, "GET", "/x", "", "", 404, NULL, NULL, T2026, NULL);
    json = dump(f->j, NULL);
    assert_int_equal(id_at(json, 0), 6);
    cJSON_Delete(json);
}

static void test_byte_bound(void **state)
{
    (void)state;
    journal_t *j = journal_new(10000);
    size_t big = MOCK_JOURNAL_MAX_BODY_BYTES * 2;
    char *body = malloc(big + 1);
    memset(body, 'a', big);
    body[big] = '\0';
    size_t n = MOCK_JOURNAL_MAX_BYTES / MOCK_JOURNAL_MAX_BODY_BYTES + 100;
    for (size_t i = 0; i < n; i++)
        record(j, "POST", "/rest/v1/t", "", body, 201, NULL, NULL, T2026, NULL);
    /* Each entry keeps at most MOCK_JOURNAL_MAX_BODY_BYTES of body, and the
     * whole ring stays under MOCK_JOURNAL_MAX_BYTES. */
    assert_true(journal_size(j) < n);
    assert_true(journal_size(j) * MOCK_JOURNAL_MAX_BODY_BYTES <= MOCK_JOURNAL_MAX_BYTES);
    assert_int_equal(journal_size(j) + journal_dropped(j), n);
    free(body);
    journal_free(j);
}

static const char *header_of(const cJSON *entry, const char *name)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(entry, "headers");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, name);
    return v ? v->valuestring : NULL;
}

static void test_redaction(void **state)
{
    fixture_t *f = *state;
    journal_t *j = journal_new(10);
    journal_set_keys(j, ANON_KEY, SERVICE_KEY, PUBLISHABLE_KEY, SECRET_KEY);
    /* A user JWT: three dot-separated parts, not a configured key. */
    const char *user_jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijklmnopqrXYZ123";
    record(j, "GET", "/rest/v1/profiles", "", "", 200, NULL, NULL, T2026, "apikey", ANON_KEY,
           "authorization", "Bearer " SERVICE_KEY, NULL);
    record(j, "GET", "/rest/v1/profiles", "", "", 200, NULL, NULL, T2026, "apikey", PUBLISHABLE_KEY,
           "authorization", user_jwt, NULL);
    record(j, "GET", "/rest/v1/profiles", "", "", 200, NULL, NULL, T2026, "apikey", SECRET_KEY,
           "authorization", "bearer abc", NULL);
    record(j, "GET", "/rest/v1/profiles", "", "", 401, NULL, NULL, T2026, "apikey",
           "sb_publishable_not-the-configured-one", "authorization",
           "Basic dXNlcjpwYXNzd29yZC1sb25nLWVub3VnaA==", NULL);
    cJSON *json = dump(j, NULL);
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(json, "requests");
    const cJSON *e0 = cJSON_GetArrayItem(reqs, 0);
    /* Last 6 characters of the demo keys: ...DMblYTn_I0 and ...W0YpN81IU. */
    assert_string_equal(header_of(e0, "apikey"), "anon " ELLIPSIS "YTn_I0");
    assert_string_equal(header_of(e0, "authorization"), "service_role " ELLIPSIS "pN81IU");
    const cJSON *e1 = cJSON_GetArrayItem(reqs, 1);
    /* ...Og_3BJgxAaH; a bare (non-Bearer) JWT in Authorization is invalid. */
    assert_string_equal(header_of(e1, "apikey"), "publishable " ELLIPSIS "JgxAaH");
    assert_string_equal(header_of(e1, "authorization"), "invalid " ELLIPSIS "XYZ123");
    const cJSON *e2 = cJSON_GetArrayItem(reqs, 2);
    /* ...Hg_xSvEMPvz; "abc" is too short to show any of it. */
    assert_string_equal(header_of(e2, "apikey"), "secret " ELLIPSIS "vEMPvz");
    assert_string_equal(header_of(e2, "authorization"), "invalid " ELLIPSIS);
    const cJSON *e3 = cJSON_GetArrayItem(reqs, 3);
    /* Not a configured key: invalid; a Basic credential is invalid too. */
    assert_string_equal(header_of(e3, "apikey"), "invalid " ELLIPSIS "ed-one");
    assert_string_equal(header_of(e3, "authorization"), "invalid " ELLIPSIS "VnaA==");
    cJSON_Delete(json);

    /* No key survives whole anywhere in the answer. */
    buf_t out;
    buf_init(&out);
    journal_write_json(j, NULL, &out);
    assert_null(strstr(buf_cstr(&out), ANON_KEY));
    assert_null(strstr(buf_cstr(&out), SERVICE_KEY));
    assert_null(strstr(buf_cstr(&out), PUBLISHABLE_KEY));
    assert_null(strstr(buf_cstr(&out), SECRET_KEY));
    assert_null(strstr(buf_cstr(&out), "abcdefghijklmnopqr"));
    buf_dispose(&out);
    journal_free(j);

    /* A user JWT in Bearer form is "user". */
    journal_t *k = journal_new(10);
    journal_set_keys(k, ANON_KEY, SERVICE_KEY, PUBLISHABLE_KEY, SECRET_KEY);
    char bearer[200];
    snprintf(bearer, sizeof bearer, "Bearer %s", user_jwt);
    record(k, "GET", "/auth/v1/user", "", "", 200, NULL, NULL, T2026, "authorization", bearer,
           NULL);
    json = dump(k, NULL);
    assert_string_equal(
        header_of(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(json, "requests"), 0),
                  "authorization"),
        "user " ELLIPSIS "XYZ123");
    cJSON_Delete(json);
    journal_free(k);
    (void)f;
}

static void test_filters(void **state)
{
    (void)state;
    journal_t *j = journal_new(100);
    int64_t s = 1000000;
    record(j, "GET", "/rest/v1/profiles", "", "", 200, NULL, NULL, T2026, NULL);
    record(j, "POST", "/rest/v1/profiles", "", "{}", 404, "PGRST205", "stale", T2026 + 60 * s,
           NULL);
    record(j, "PATCH", "/rest/v1/orders", "", "{}", 403, "42501", NULL, T2026 + 120 * s, NULL);
    record(j, "GET", "/auth/v1/user", "", "", 401, "bad_jwt", NULL, T2026 + 180 * s, NULL);

    journal_filter_t f = {.method = "get"};
    assert_int_equal(journal_count(j, &f), 2);
    f = (journal_filter_t){.path = "/rest/v1/*"};
    assert_int_equal(journal_count(j, &f), 3);
    f = (journal_filter_t){.path = "/rest/v1/profiles"};
    assert_int_equal(journal_count(j, &f), 2);
    f = (journal_filter_t){.path = "*user"};
    assert_int_equal(journal_count(j, &f), 1);
    f = (journal_filter_t){.path = "/rest"}; /* the glob matches the whole value */
    assert_int_equal(journal_count(j, &f), 0);
    f = (journal_filter_t){.status = 404};
    assert_int_equal(journal_count(j, &f), 1);
    f = (journal_filter_t){.status_class = 4};
    assert_int_equal(journal_count(j, &f), 3);
    f = (journal_filter_t){.code = "42501"};
    assert_int_equal(journal_count(j, &f), 1);
    f = (journal_filter_t){.rule = "stale"};
    assert_int_equal(journal_count(j, &f), 1);
    f = (journal_filter_t){.has_since_id = true, .since_id = 2};
    cJSON *json = dump(j, &f);
    assert_int_equal(count_of(json), 2);
    assert_int_equal(id_at(json, 0), 3);
    cJSON_Delete(json);
    f = (journal_filter_t){.has_since_at = true, .since_at_us = T2026 + 120 * s};
    assert_int_equal(journal_count(j, &f), 2); /* at >= since */
    f = (journal_filter_t){.method = "GET", .status_class = 4};
    assert_int_equal(journal_count(j, &f), 1);
    journal_free(j);
}

/* A connection fault: the handler's response may hold a status (truncated_body
 * cuts a 200), but nothing complete reached the client, so the entry says 0. */
static void test_fault_is_status_0(void **state)
{
    (void)state;
    journal_t *j = journal_new(10);
    record(j, "GET", "/rest/v1/profiles", "", "", 200, NULL, NULL, T2026, NULL);
    mock_request_t req = {.method = "GET",
                          .target = "/rest/v1/t",
                          .path = "/rest/v1/t",
                          .query = "",
                          .body = "",
                          .body_len = 0};
    mock_response_t resp;
    mock_response_init(&resp);
    resp.status = 200;
    resp.outcome.rule = "cut";
    resp.outcome.fault = "truncated_body";
    journal_record(j, &req, &resp, T2026, 1);
    mock_response_dispose(&resp);
    mock_response_init(&resp);
    resp.outcome.rule = "reset";
    resp.outcome.fault = "connection_reset";
    journal_record(j, &req, &resp, T2026, 1);
    mock_response_dispose(&resp);

    journal_filter_t f = {.fault_status = true};
    cJSON *json = dump(j, &f);
    assert_int_equal(count_of(json), 2);
    const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(json, "requests"), 0);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(e, "status")->valueint, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "fault")->valuestring,
                        "truncated_body");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "rule")->valuestring, "cut");
    cJSON_Delete(json);
    f = (journal_filter_t){.status = 200};
    json = dump(j, &f);
    assert_int_equal(count_of(json), 1);
    e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(json, "requests"), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "fault")));
    cJSON_Delete(json);
    f = (journal_filter_t){.fault = "connection_reset"};
    assert_int_equal(journal_count(j, &f), 1);
    f = (journal_filter_t){.status_class = 2};
    assert_int_equal(journal_count(j, &f), 1);
    journal_free(j);
}

/* The response as sent: headers (names lowercased, Set-Cookie redacted like a
 * request's Cookie), the body parsed when JSON, tokens in /auth/v1 answers
 * redacted, and bodies past MOCK_JOURNAL_MAX_RESPONSE_BYTES cut and shown
 * as text. */
static void test_response_kept(void **state)
{
    (void)state;
    journal_t *j = journal_new(10);
    mock_request_t req = {.method = "POST",
                          .target = "/auth/v1/token",
                          .path = "/auth/v1/token",
                          .query = "grant_type=password",
                          .body = "",
                          .body_len = 0};
    mock_response_t resp;
    mock_response_init(&resp);
    mock_response_add_header(&resp, "Content-Type", "application/json");
    mock_response_add_header(&resp, "Set-Cookie", "sb=abcdefghijklmnopqrstuvwxyz0123456789");
    /* GoTrue's verify redirect carries the session in the fragment. */
    mock_response_add_header(
        &resp, "Location",
        "http://localhost:3000/cb?x=1#access_token=aaaa.bbbb.cccccccccccccccccc"
        "dddddd&refresh_token=r1&type=signup");
    buf_puts(&resp.body, "{\"access_token\":\"aaaa.bbbb.cccccccccccccccccccccccccccc\","
                         "\"token_type\":\"bearer\",\"totp\":{\"secret\":\"JBSWY3DPEHPK3PXP\","
                         "\"uri\":\"otpauth://totp/x?secret=JBSWY3DPEHPK3PXPABCDEF\"}}");
    journal_record(j, &req, &resp, T2026, 1);
    mock_response_dispose(&resp);
    req.path = req.target = "/rest/v1/t";
    mock_response_init(&resp);
    for (size_t i = 0; i < MOCK_JOURNAL_MAX_RESPONSE_BYTES + 10; i++)
        buf_putc(&resp.body, 'x');
    journal_record(j, &req, &resp, T2026, 1);
    mock_response_dispose(&resp);

    cJSON *json = dump(j, NULL);
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(json, "requests");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(reqs, 0), "response");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(r, "headers");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(h, "content-type")->valuestring,
                        "application/json");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(h, "set-cookie")->valuestring,
                        "cookie \xe2\x80\xa6"
                        "456789");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(h, "location")->valuestring,
                        "http://localhost:3000/cb?x=1#access_token=user%20%E2%80%A6dddddd&"
                        "refresh_token=token%20%E2%80%A6&type=signup");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(r, "body");
    const cJSON *totp = cJSON_GetObjectItemCaseSensitive(b, "totp");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(totp, "uri")->valuestring,
                        "token \xe2\x80\xa6"
                        "ABCDEF");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(totp, "secret")->valuestring,
                        "token \xe2\x80\xa6");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(b, "access_token")->valuestring,
                        "user \xe2\x80\xa6"
                        "cccccc");
    /* Any field whose name speaks of a token is redacted, token_type too
     * (short values lose their tail: journal.h). */
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(b, "token_type")->valuestring,
                        "token \xe2\x80\xa6");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "truncated")));
    r = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(reqs, 1), "response");
    b = cJSON_GetObjectItemCaseSensitive(r, "body");
    assert_true(cJSON_IsString(b));
    assert_int_equal(strlen(b->valuestring), MOCK_JOURNAL_MAX_RESPONSE_BYTES);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "truncated")));
    cJSON_Delete(json);
    journal_free(j);
}

/* Only the newest MOCK_JOURNAL_RESPONSES entries keep their response; older
 * ones answer "response": null and keep the rest (a full ring must stay
 * within the RSS budget). */
static void test_only_the_newest_keep_their_response(void **state)
{
    (void)state;
    journal_t *j = journal_new(MOCK_JOURNAL_RESPONSES + 10);
    for (int i = 0; i < MOCK_JOURNAL_RESPONSES + 5; i++) {
        mock_request_t req = {.method = "GET",
                              .target = "/rest/v1/t",
                              .path = "/rest/v1/t",
                              .query = "",
                              .body = "",
                              .body_len = 0};
        mock_response_t resp;
        mock_response_init(&resp);
        resp.status = 200;
        buf_puts(&resp.body, "[{\"n\":1}]");
        journal_record(j, &req, &resp, T2026, 1);
        mock_response_dispose(&resp);
    }
    cJSON *json = dump(j, NULL);
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(json, "requests");
    assert_int_equal(cJSON_GetArraySize(reqs), MOCK_JOURNAL_RESPONSES + 5);
    for (int i = 0; i < MOCK_JOURNAL_RESPONSES + 5; i++) {
        const cJSON *e = cJSON_GetArrayItem(reqs, i);
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "response");
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(e, "status")->valueint, 200);
        if (i < 5)
            assert_true(cJSON_IsNull(r));
        else
            assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r, "body")));
    }
    cJSON_Delete(json);
    journal_free(j);
}

typedef struct heard {
    uint64_t ids[8];
    size_t n;
} heard_t;

static void on_heard(void *ctx, const journal_t *j, uint64_t id)
{
    heard_t *h = ctx;
    /* The entry is readable from inside the call. */
    if (id) {
        buf_t one;
        buf_init(&one);
        assert_true(journal_write_entry(j, id, &one));
        buf_dispose(&one);
    }
    if (h->n < 8)
        h->ids[h->n++] = id;
}

/* The live feed's view: a listener told of each record (its id) and each
 * clear (0), single entries by id, and the ids held. */
static void test_listener_and_single_entries(void **state)
{
    (void)state;
    journal_t *j = journal_new(2);
    heard_t h = {0};
    journal_set_listener(j, on_heard, &h);
    assert_int_equal(journal_first_id(j), 0);
    assert_int_equal(journal_last_id(j), 0);
    for (int i = 0; i < 3; i++)
        record(j, "GET", "/a", "", "", 200, NULL, NULL, T2026, NULL);
    /* The ring holds 2: entry 1 fell out. */
    assert_int_equal(journal_first_id(j), 2);
    assert_int_equal(journal_last_id(j), 3);
    buf_t out;
    buf_init(&out);
    assert_false(journal_write_entry(j, 1, &out));
    assert_true(journal_write_entry(j, 3, &out));
    cJSON *e = cJSON_Parse(buf_cstr(&out));
    assert_non_null(e);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(e, "id")->valueint, 3);
    cJSON_Delete(e);
    buf_dispose(&out);
    journal_clear(j);
    assert_int_equal(journal_last_id(j), 0);
    /* Ids go on after a clear. */
    assert_int_equal(journal_next_id(j), 4);
    assert_int_equal(h.n, 4);
    assert_int_equal(h.ids[0], 1);
    assert_int_equal(h.ids[2], 3);
    assert_int_equal(h.ids[3], 0);
    /* journal_free tells nobody. */
    journal_free(j);
    assert_int_equal(h.n, 4);
}

static void test_entry_shape(void **state)
{
    (void)state;
    journal_t *j = journal_new(10);
    /* Query strings are form-decoded ('+' is a space), as PostgREST does. */
    record(j, "POST", "/rest/v1/profiles", "select=id,email&id=eq.1&id=eq.2&note=a+b%21",
           "{\"free_image_quota\": 7, \"tags\": [\"x\"]}", 201, NULL, NULL, T2026 + 500000,
           "content-type", "application/json", "prefer", "return=minimal", "prefer", "count=exact",
           NULL);
    record(j, "POST", "/rest/v1/profiles", "", "not json", 400, "PGRST102", NULL, T2026, NULL);
    record(j, "GET", "/x", "", "bad \xff byte", 404, NULL, NULL, T2026, NULL);
    cJSON *json = dump(j, NULL);
    const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(json, "requests");
    const cJSON *e = cJSON_GetArrayItem(reqs, 0);
    static const char *const keys[] = {"id",      "at",   "method", "path",        "query",
                                       "headers", "body", "role",   "key",         "status",
                                       "code",    "rule", "fault",  "duration_us", "response"};
    const cJSON *k = e->child;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++, k = k->next) {
        assert_non_null(k);
        assert_string_equal(k->string, keys[i]);
    }
    assert_null(k);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "at")->valuestring,
                        "2026-01-01T00:00:00.500000Z");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "path")->valuestring,
                        "/rest/v1/profiles");
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(e, "query");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(q, "select")->valuestring, "id,email");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(q, "note")->valuestring, "a b!");
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(q, "id");
    assert_true(cJSON_IsArray(ids));
    assert_int_equal(cJSON_GetArraySize(ids), 2);
    assert_string_equal(cJSON_GetArrayItem(ids, 1)->valuestring, "eq.2");
    assert_string_equal(header_of(e, "prefer"), "return=minimal, count=exact");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(e, "body");
    assert_true(cJSON_IsObject(body));
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(body, "free_image_quota")->valuedouble, 7);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "code")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "rule")));
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(e, "status")->valuedouble, 201);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(e, "duration_us")->valuedouble, 42);

    e = cJSON_GetArrayItem(reqs, 1);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "body")->valuestring, "not json");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "code")->valuestring, "PGRST102");
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(e, "query")));
    assert_null(cJSON_GetObjectItemCaseSensitive(e, "query")->child);
    e = cJSON_GetArrayItem(reqs, 2);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e, "body")->valuestring,
                        "bad \xef\xbf\xbd byte"); /* U+FFFD for the invalid byte */
    cJSON_Delete(json);

    /* An empty body is null. */
    journal_clear(j);
    record(j, "GET", "/x", "", "", 404, NULL, NULL, T2026, NULL);
    json = dump(j, NULL);
    e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(json, "requests"), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e, "body")));
    cJSON_Delete(json);
    journal_free(j);
}

static const cJSON *entry_at(const cJSON *json, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(json, "requests"), i);
}

static const char *field_of(const cJSON *entry, const char *part, const char *name)
{
    const cJSON *v =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(entry, part), name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void test_credentials_redacted(void **state)
{
    (void)state;
    journal_t *j = journal_new(10);
    journal_set_keys(j, ANON_KEY, SERVICE_KEY, PUBLISHABLE_KEY, SECRET_KEY);
    const char *refresh = "v2mfj4fkb3xqzr7tlh9wqe8yu1io"; /* 28 characters */
    const char *user_jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijklmnopqrXYZ123";
    char body[512];
    /* 0: password grant; 1: refresh grant; 2: PUT /user with nested and
     * non-string credentials; 3: a body that is not JSON; 4: REST body fields
     * are the user's data and stay. */
    record(j, "POST", "/auth/v1/token", "grant_type=password",
           "{\"email\":\"a@b.c\",\"password\":\"hunter2-long-enough-to-have-a-tail\"}", 200, NULL,
           NULL, T2026, "cookie", "sb-access-token=abcdefghijklmnopqrstuvwxyz012345",
           "x-refresh-token", refresh, "x-client-info", "supabase-js/2", NULL);
    snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", refresh);
    record(j, "POST", "/auth/v1/token", "grant_type=refresh_token&apikey=" ANON_KEY, body, 200,
           NULL, NULL, T2026, "set-cookie", "a=b", NULL);
    snprintf(body, sizeof body,
             "{\"password\":12345678,\"data\":{\"new_password\":\"x\",\"access_token\":\"%s\"},"
             "\"nonce\":\"123456\",\"email\":\"a@b.c\"}",
             user_jwt);
    record(j, "PUT", "/auth/v1/user", "", body, 200, NULL, NULL, T2026, NULL);
    record(j, "POST", "/auth/v1/signup", "", "email=a&password=hunter2", 400, NULL, NULL, T2026,
           NULL);
    record(j, "POST", "/rest/v1/t", "api%6Bey=" SECRET_KEY "&select=token",
           "{\"password\":\"column value\"}", 201, NULL, NULL, T2026, NULL);
    cJSON *json = dump(j, NULL);

    const cJSON *e0 = entry_at(json, 0);
    const cJSON *b0 = cJSON_GetObjectItemCaseSensitive(e0, "body");
    assert_string_equal(field_of(e0, "body", "password"), "[redacted]");
    assert_string_equal(field_of(e0, "body", "email"), "a@b.c");
    assert_non_null(b0);
    assert_string_equal(header_of(e0, "cookie"), "cookie " ELLIPSIS "012345");
    /* An opaque refresh token: kind token, last 6 characters. */
    assert_string_equal(header_of(e0, "x-refresh-token"), "token " ELLIPSIS "8yu1io");
    assert_string_equal(header_of(e0, "x-client-info"), "supabase-js/2");
    assert_string_equal(field_of(e0, "query", "grant_type"), "password");

    const cJSON *e1 = entry_at(json, 1);
    assert_string_equal(field_of(e1, "body", "refresh_token"), "token " ELLIPSIS "8yu1io");
    /* ?apikey= as the apikey header: kind and tail. */
    assert_string_equal(field_of(e1, "query", "apikey"), "anon " ELLIPSIS "YTn_I0");
    assert_string_equal(field_of(e1, "query", "grant_type"), "refresh_token");
    /* Under 24 characters: the kind only. */
    assert_string_equal(header_of(e1, "set-cookie"), "cookie " ELLIPSIS);

    const cJSON *e2 = entry_at(json, 2);
    const cJSON *b2 = cJSON_GetObjectItemCaseSensitive(e2, "body");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(b2, "password")->valuestring,
                        "[redacted]");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(b2, "data");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(data, "new_password")->valuestring,
                        "[redacted]");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(data, "access_token")->valuestring,
                        "user " ELLIPSIS "XYZ123");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(b2, "nonce")->valuestring,
                        "token " ELLIPSIS);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(b2, "email")->valuestring, "a@b.c");

    const cJSON *e3 = entry_at(json, 3);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(e3, "body")->valuestring, "[redacted]");

    const cJSON *e4 = entry_at(json, 4);
    /* A percent-encoded name is still apikey. */
    assert_string_equal(field_of(e4, "query", "apikey"), "secret " ELLIPSIS "vEMPvz");
    assert_string_equal(field_of(e4, "query", "select"), "token");
    assert_string_equal(field_of(e4, "body", "password"), "column value");
    cJSON_Delete(json);

    /* Nothing secret survives anywhere in the answer. */
    buf_t out;
    buf_init(&out);
    journal_write_json(j, NULL, &out);
    const char *text = buf_cstr(&out);
    assert_null(strstr(text, "hunter2"));
    assert_null(strstr(text, refresh));
    assert_null(strstr(text, "abcdefghijklmnopqrstuvwxyz"));
    assert_null(strstr(text, ANON_KEY));
    assert_null(strstr(text, SECRET_KEY));
    assert_null(strstr(text, "12345678"));
    assert_null(strstr(text, "123456\""));
    assert_null(strstr(text, "abcdefghijklmnopqr"));
    buf_dispose(&out);
    journal_free(j);
}

static void test_truncated_body_is_text(void **state)
{
    (void)state;
    journal_t *j = journal_new(10);
    size_t n = MOCK_JOURNAL_MAX_BODY_BYTES + 10;
    char *body = malloc(n + 1);
    body[0] = '[';
    memset(body + 1, '1', n - 2);
    body[n - 1] = ']';
    body[n] = '\0';
    record(j, "POST", "/rest/v1/t", "", body, 201, NULL, NULL, T2026, NULL);
    cJSON *json = dump(j, NULL);
    const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(json, "requests"), 0);
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(e, "body");
    assert_true(cJSON_IsString(b));
    assert_int_equal(strlen(b->valuestring), MOCK_JOURNAL_MAX_BODY_BYTES);
    cJSON_Delete(json);
    free(body);
    journal_free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ring_limit_and_dropped, setup, teardown),
        cmocka_unit_test(test_byte_bound),
        cmocka_unit_test_setup_teardown(test_redaction, setup, teardown),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_fault_is_status_0),
        cmocka_unit_test(test_entry_shape),
        cmocka_unit_test(test_truncated_body_is_text),
        cmocka_unit_test(test_credentials_redacted),
        cmocka_unit_test(test_response_kept),
        cmocka_unit_test(test_only_the_newest_keep_their_response),
        cmocka_unit_test(test_listener_and_single_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
