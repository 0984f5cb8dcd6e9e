/* A JSON request body with the source offset of every value (jsonc.c), so that
 * values reach Postgres's input functions spelt as the client sent them: cJSON
 * keeps numbers only as doubles, so 1.50 would become 1.5 and large bigints
 * would lose digits. */
#ifndef MOCK_REST_BODY_H
#define MOCK_REST_BODY_H

#include "jsonc.h"
#include "message.h"
#include "pgrst_error.h"

#include <stdbool.h>

typedef struct rest_body {
    bool present;    /* parsed (the rest is valid) */
    jsonc_doc_t doc; /* owned; doc.json is the value */
} rest_body_t;

/* Parses req's body as PostgREST does for a table write: PGRST102 for an
 * empty or invalid body (comments are not JSON) or an unacceptable
 * Content-Type. Returns 0, or -1 with err set and b left empty. */
int rest_body_parse(const mock_request_t *req, rest_body_t *b, pgrst_error_t *err);
/* Frees the document; safe on an empty body. */
void rest_body_dispose(rest_body_t *b);
/* The position node of row `index` of an array body, or the root of an object body. */
const jsonc_node_t *rest_body_row_node(const rest_body_t *b, size_t index);
#endif
