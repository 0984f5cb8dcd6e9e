/* libFuzzer target: journal_record and journal_write_json with fuzzed path,
 * query, headers and body (NUL-separated in the input), so credential
 * redaction (query parameters, /auth/v1 JSON bodies, headers) and the JSON
 * rendering see hostile text. Checks that the answer is valid JSON and that a
 * planted password and token never appear in it. */
#include "arena.h"
#include "journal.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PLANTED "planted-secret-0123456789abcdef"

/* The next NUL-terminated piece of data[*at..size), copied into the arena. */
static const char *piece(arena_t *a, const uint8_t *data, size_t size, size_t *at)
{
    size_t start = *at;
    while (*at < size && data[*at] != 0)
        (*at)++;
    const char *s = arena_strndup(a, (const char *)data + start, *at - start);
    if (*at < size)
        (*at)++;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t *a = arena_new();
    journal_t *j = journal_new(4);
    journal_set_keys(j, "anon-key-for-the-fuzzer-0123456789", NULL, "sb_publishable_x", NULL);
    size_t at = 0;
    const char *path = piece(a, data, size, &at);
    const char *query = piece(a, data, size, &at);
    const char *body = piece(a, data, size, &at);
    /* The planted credentials ride along with the fuzzed ones. */
    char *q = arena_alloc(a, strlen(query) + sizeof "&password=" PLANTED);
    strcpy(q, query);
    strcat(q, "&password=" PLANTED);
    mock_header_t headers[MOCK_MAX_HEADERS];
    size_t n = 0;
    headers[n++] = (mock_header_t){"x-refresh-token", "Bearer " PLANTED};
    while (at < size && n < MOCK_MAX_HEADERS) {
        const char *name = piece(a, data, size, &at);
        /* Names arrive lowercased from http.c. */
        char *lower = arena_strndup(a, name, strlen(name));
        for (char *c = lower; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        headers[n++] = (mock_header_t){lower, piece(a, data, size, &at)};
    }
    mock_request_t req = {
        .arena = a,
        .method = "POST",
        .target = path,
        .path = path,
        .query = q,
        .headers = headers,
        .header_count = n,
        .body = body,
        .body_len = strlen(body),
    };
    mock_response_t resp;
    mock_response_init(&resp);
    resp.status = 200;
    journal_record(j, &req, &resp, 0, 1);
    journal_record(j, &req, &resp, 0, 1);
    buf_t out;
    buf_init(&out);
    journal_write_json(j, NULL, &out);
    cJSON *json = cJSON_Parse(buf_cstr(&out));
    /* The planted value may show only where the input itself put it (in a
     * header name, say). */
    bool planted_in_input = false;
    for (size_t i = 0; i + sizeof PLANTED - 1 <= size && !planted_in_input; i++)
        planted_in_input = strncasecmp((const char *)data + i, PLANTED, sizeof PLANTED - 1) == 0;
    if (!json || (!planted_in_input && strstr(buf_cstr(&out), PLANTED)))
        abort();
    cJSON_Delete(json);
    buf_dispose(&out);
    mock_response_dispose(&resp);
    journal_free(j);
    arena_free(a);
    return 0;
}
