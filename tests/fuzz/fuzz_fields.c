/* libFuzzer target: one request field at a time through router_handle on a
 * fresh app, so the fuzzer spends its inputs on the field's parser and not on
 * getting HTTP framing right. The first byte picks the field, the rest is its
 * value: the Prefer, Accept and Range headers of /rest/v1, the query string of
 * GET /__mock/requests (the journal filter parser), the JSON bodies of the
 * GoTrue endpoints, and the Bearer token GET /auth/v1/user verifies. */
#include "app.h"
#include "router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ANON_KEY                                                                                   \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHA" \
    "iOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
#define SERVICE_KEY                                                                                \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9" \
    "sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU"

typedef struct field_case {
    const char *method;
    const char *path;
    const char *query;  /* NULL: the fuzzed value */
    const char *header; /* the fuzzed header's name, or NULL */
    bool body;          /* the fuzzed value is the body */
    const char *key;    /* apikey (also sent as Bearer for admin endpoints) */
} field_case_t;

static const field_case_t cases[] = {
    {"GET", "/rest/v1/profiles", "select=*", "prefer", false, ANON_KEY},
    {"POST", "/rest/v1/profiles", "", "prefer", false, SERVICE_KEY},
    {"GET", "/rest/v1/profiles", "select=id", "accept", false, SERVICE_KEY},
    {"GET", "/rest/v1/profiles", "select=id", "range", false, SERVICE_KEY},
    {"GET", "/__mock/requests", NULL, NULL, false, NULL},
    {"GET", "/__mock/requests/count", NULL, NULL, false, NULL},
    {"POST", "/auth/v1/token", "grant_type=password", NULL, true, ANON_KEY},
    {"POST", "/auth/v1/token", "grant_type=refresh_token", NULL, true, ANON_KEY},
    {"POST", "/auth/v1/signup", "", NULL, true, ANON_KEY},
    {"POST", "/auth/v1/admin/users", "", NULL, true, SERVICE_KEY},
    {"PUT", "/auth/v1/admin/users/13ab4cf1-8587-4685-874b-c2d37beeab38", "", NULL, true,
     SERVICE_KEY},
    {"GET", "/auth/v1/user", "", "authorization", false, ANON_KEY},
    {"POST", "/rest/v1/profiles", "", NULL, true, SERVICE_KEY},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const field_case_t *fc = &cases[data[0] % (sizeof cases / sizeof *cases)];
    scenario_error_t serr;
    scenario_t *sc = NULL;
    if (scenario_load_text("<built-in>/default.json", scenario_builtin_default,
                           strlen(scenario_builtin_default), &sc, &serr) < 0)
        abort();
    mock_config_t cfg;
    mock_config_defaults(&cfg);
    cfg.journal_limit = 16;
    mock_app_t app;
    if (app_init(&app, &cfg, sc, &serr) < 0)
        abort();
    arena_t *arena = arena_new();
    /* The value as a C string: a NUL ends it, as llhttp's spans would not
     * carry one into a header either. */
    char *value = arena_strndup(arena, (const char *)data + 1, size - 1);

    mock_header_t headers[4];
    size_t n = 0;
    headers[n++] = (mock_header_t){"host", "127.0.0.1"};
    if (fc->key)
        headers[n++] = (mock_header_t){"apikey", fc->key};
    if (fc->header) {
        const char *v = value;
        if (strcmp(fc->header, "authorization") == 0) {
            char *b = arena_alloc(arena, strlen(value) + 8);
            strcpy(b, "Bearer ");
            strcat(b, value);
            v = b;
        }
        headers[n++] = (mock_header_t){fc->header, v};
    }
    if (fc->body)
        headers[n++] = (mock_header_t){"content-type", "application/json"};
    mock_request_t req = {
        .arena = arena,
        .method = fc->method,
        .target = fc->path,
        .path = fc->path,
        .query = fc->query ? fc->query : value,
        .headers = headers,
        .header_count = n,
        .body = fc->body ? value : "",
        .body_len = fc->body ? strlen(value) : 0,
        .keep_alive = true,
        .http_minor = 1,
    };
    mock_response_t resp;
    mock_response_init(&resp);
    router_handle(&app, &req, &resp);
    /* The journal answer renders what was recorded, redaction included. */
    mock_response_t jr;
    mock_response_init(&jr);
    mock_request_t jreq = {
        .arena = arena,
        .method = "GET",
        .target = "/__mock/requests",
        .path = "/__mock/requests",
        .query = "",
        .headers = headers,
        .header_count = 1,
        .body = "",
        .keep_alive = true,
        .http_minor = 1,
    };
    router_handle(&app, &jreq, &jr);
    mock_response_dispose(&jr);
    mock_response_dispose(&resp);
    arena_free(arena);
    app_dispose(&app);
    return 0;
}
