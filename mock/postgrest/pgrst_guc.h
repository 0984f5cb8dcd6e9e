/* response.status and response.headers: what a statement (a trigger, a
 * function, a view's function) set with set_config, applied to PostgREST's
 * answer as Response.hs overrideStatusHeaders applies them. Only the database
 * engine reports them (engine_result_t guc_status / guc_headers). */
#ifndef MOCK_PGRST_GUC_H
#define MOCK_PGRST_GUC_H

#include "arena.h"
#include "message.h"
#include "pgrst_error.h"

/* status (NULL: keep) replaces resp->status when it starts with digits
 * (decimal), else PGRST112; headers (NULL: none) is a JSON array of
 * single-key objects with string values, else PGRST111: each replaces the
 * response's headers of the same name (case-insensitive) and goes last
 * (addHeadersIfNotIncluded). Strings are copied into arena. Returns 0, or -1
 * with err set and resp unchanged. */
int pgrst_guc_apply(const char *status, const char *headers, arena_t *arena, mock_response_t *resp,
                    pgrst_error_t *err);

#endif
