/* The OpenAPI (Swagger 2.0) document PostgREST answers at the root endpoint
 * (GET /rest/v1/), built as Response/OpenAPI.hs builds it from the schema
 * cache, over what the engine interface tells about relations. Engine-neutral:
 * the engine supplies columns, keys, comments and privileges (engine.h). */
#ifndef MOCK_OPENAPI_H
#define MOCK_OPENAPI_H

#include "arena.h"
#include "buf.h"
#include "engine.h"

/* Appends the document of `schema` as `role` sees it (openapi-mode
 * follow-privileges: only the relations the role may use; NULL role:
 * ignore-privileges, everything of the schema) to out, as aeson
 * encodes it: compact, keys in swagger2's order. `postgrest_major` picks the
 * version and docs link. Scratch strings live in arena. Routines come
 * from the engine's `routines` (none when it has no such op). */
void openapi_render(engine_t *e, const char *schema, const char *role, int postgrest_major,
                    arena_t *arena, buf_t *out);

#endif
