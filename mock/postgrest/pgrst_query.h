/* PostgREST's request language, parsed: the query string (select, filters,
 * logic trees, order, limit/offset, columns, on_conflict), the Prefer header and
 * the Accept header, with PostgREST's exact PGRST100/PGRST107/... errors. Pure:
 * it does not know which tables or columns exist (the engine checks those).
 * The result types live in engine/pgrst_request.h, which the engines read.
 * Every pointer in the results lives in the arena passed in. */
#ifndef MOCK_PGRST_QUERY_H
#define MOCK_PGRST_QUERY_H

#include "arena.h"
#include "message.h"
#include "pgrst_error.h"
#include "pgrst_request.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a raw (still url-encoded) query string as PostgREST does for a table
 * request. Returns 0, or -1 with err set to PGRST100 (exact Parsec message and
 * details) or PGRST103 (negative limit), or PGRST_QUERY_NOT_UTF8 with err
 * unset when a parameter PostgREST reads before any of those errors is not
 * UTF-8: PostgREST's T.decodeUtf8 throws there and no PostgREST error body is
 * written (rest.c answers as Warp does). A decoded %00 is kept as URL_NUL
 * (urlcodec.h) in keys, params and the select, order, columns and on_conflict
 * values; filter values are cut at it, as libpq reads a text parameter. */
#define PGRST_QUERY_NOT_UTF8 (-2)
int pgrst_query_parse(arena_t *arena, const char *raw_query, pgrst_query_t *out,
                      pgrst_error_t *err);
/* The same for a GET/HEAD of a routine (isRpcRead): a filter parameter whose
 * value does not start as an operator expression (`op.`, `op(`, `not.`)
 * becomes an argument (out->rpc_args, NoOpExpr) instead of PGRST100. */
int pgrst_query_parse_rpc(arena_t *arena, const char *raw_query, pgrst_query_t *out,
                          pgrst_error_t *err);

/* One filter parameter (key and decoded value) through the full grammar, as
 * pgrst_query_parse parses filters that its fast path does not take. */
int pgrst_filter_parse(arena_t *arena, const char *key, const char *value, pgrst_logic_t *out,
                       pgrst_error_t *err);

/* Every Prefer header of the request, comma-split, trimmed, first value per
 * family wins (Preferences.hs). Never fails; see `invalid` for handling=strict. */
void pgrst_prefer_parse(arena_t *arena, const mock_request_t *req, pgrst_prefer_t *out);
/* The same with the timezone= preference checked against the time zone
 * names the schema cache knows (tz_ok; NULL accepts any): PostgREST v14's
 * Preferences.hs fromHeaders leaves an unknown zone unapplied and counts it
 * invalid (PGRST122 with handling=strict). */
void pgrst_prefer_parse_tz(arena_t *arena, const mock_request_t *req,
                           bool (*tz_ok)(void *arg, const char *name), void *tz_arg,
                           pgrst_prefer_t *out);

/* Negotiates the Accept header (NULL means any type) against what a table endpoint
 * produces, honouring order and q-values. Returns 0, or -1 with 406 PGRST107
 * `None of these media types are available: <the Accept list as PostgREST prints it>`. */
int pgrst_accept_parse(const char *accept, pgrst_accept_t *out, pgrst_error_t *err);
/* The same, where application/vnd.pgrst.plan is produced too (db-plan-enabled
 * on an engine that explains): MediaType.hs decodeMediaType's forms
 * (vnd.pgrst.plan, +text, +json; for="..."; options=a|b) and Negotiate.hs,
 * where the plan is for a media type the endpoint produces. */
int pgrst_accept_parse_plan(const char *accept, bool plan_enabled, pgrst_accept_t *out,
                            pgrst_error_t *err);
/* The same against what the root endpoint (the OpenAPI document) produces:
 * application/openapi+json, application/json or any type, whatever the
 * q-values. 0, or -1 with 406 PGRST107. */
int pgrst_accept_root(const char *accept, pgrst_error_t *err);

/* Range request header "a-b" / "a-": returns 0 and fills from/to (to = -1 when
 * open); returns 1 when absent or not of that form (ignored, as PostgREST does). */
int pgrst_range_parse(const char *range, int64_t *from, int64_t *to);

#endif
