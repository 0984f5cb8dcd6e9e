/* A JSON request body with the source offset of every value (jsonc.c), so that
 * values reach Postgres's input functions spelt as the client sent them: cJSON
 * keeps numbers only as doubles, so 1.50 would become 1.5 and large bigints
 * would lose digits. */
#ifndef MOCK_REST_BODY_H
#define MOCK_REST_BODY_H

#include "arena.h"
#include "jsonc.h"
#include "message.h"
#include "pgrst_error.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct rest_body {
    bool present;       /* parsed (the rest is valid) */
    jsonc_doc_t doc;    /* owned; doc.json is the value */
    bool nul_escape;    /* a string holds \u0000, which Postgres refuses as text */
    bool bad_utf8;      /* columns= only: the bytes are not UTF-8 (see rest_body_bind) */
    size_t bad_utf8_at; /* the first bad byte's offset in source */
    const char *source; /* the request's body bytes (borrowed for the request) */
    size_t source_len;
} rest_body_t;

/* Parses req's body as PostgREST does for a table write: PGRST102 for an
 * empty or invalid body (comments are not JSON, nor are bytes that are not
 * UTF-8 or raw control characters in a string) or an unacceptable
 * Content-Type. `raw`: columns= applies (POST and PATCH), so PostgREST hands
 * the body to Postgres undecoded and bad bytes are Postgres's to refuse (kept
 * for rest_body_bind). Returns 0, or -1 with err set and b left empty. */
int rest_body_parse(const mock_request_t *req, bool raw, rest_body_t *b, pgrst_error_t *err);
/* The Content-Type's media type as PostgREST decodes it: NULL for JSON
 * (application/json, the vnd.pgrst.array types, or no header), else the name
 * ("application/x-www-form-urlencoded", "text/plain", ...) in req's arena. */
const char *rest_body_media(const mock_request_t *req);
/* What Postgres answers when the body is bound as the statement's json
 * parameter: 22021 for bytes that are not UTF-8. Returns 0 or -1 with err set. */
int rest_body_bind(const rest_body_t *b, pgrst_error_t *err);
/* The distinct keys of object obj in ascending byte order, as PostgREST's
 * Set of payload keys lists them (arena-allocated); returns the count. */
size_t rest_body_keys(arena_t *a, const cJSON *obj, const char ***out);
/* Offset of the first byte of text[0..len) that Postgres's UTF-8
 * verification (pg_verify_mbstr) refuses, NUL included; len when none. */
size_t rest_body_utf8_invalid(const char *text, size_t len);
/* Sets err to Postgres's 22021 for the bad sequence at text[at]. */
void rest_body_encoding_error(const char *text, size_t len, size_t at, pgrst_error_t *err);
/* Frees the document; safe on an empty body. */
void rest_body_dispose(rest_body_t *b);
/* The position node of row `index` of an array body, or the root of an object body. */
const jsonc_node_t *rest_body_row_node(const rest_body_t *b, size_t index);
#endif
