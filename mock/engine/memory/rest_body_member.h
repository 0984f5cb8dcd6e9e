/* Payload members as typed values: the memory engine's side of rest_body_t. */
#ifndef MOCK_REST_BODY_MEMBER_H
#define MOCK_REST_BODY_MEMBER_H

#include "pgrst_error.h"
#include "pgtype.h"
#include "rest_body.h"

#include <stdbool.h>

/* Member `key` of `row` (an object of this body at position `node`) converted
 * for type t as json_to_record converts it: the last of duplicate keys wins,
 * and a body holding \u0000 is 22P05. *present says whether the key was
 * there; when it was not, out is untouched and 0 is returned; when it was,
 * out's previous value is disposed and replaced. */
int rest_body_member(const rest_body_t *b, const cJSON *row, const jsonc_node_t *node,
                     const char *key, const pgtype_t *t, bool *present, pgvalue_t *out,
                     pgrst_error_t *err);

#endif
