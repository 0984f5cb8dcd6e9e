/* PostgREST's routine resolution for /rpc/NAME (Plan.hs findProc and
 * callPlan), engine-neutral: it works over the routines an engine reports
 * (engine.h routines / routine_names), so any engine that reports its
 * functions gets the same overload choice and the same PGRST202/PGRST203
 * texts (Error.hs NoRpc, AmbiguousRpc). Everything it allocates lives in the
 * request's arena. */
#ifndef MOCK_PGRST_RPC_H
#define MOCK_PGRST_RPC_H

#include "engine.h"

#include <stdbool.h>
#include <stddef.h>

/* The request body's media type as findProc weighs it (iContentMediaType). */
typedef enum pgrst_rpc_media {
    PGRST_RPC_JSON,  /* application/json, or no Content-Type */
    PGRST_RPC_FORM,  /* application/x-www-form-urlencoded */
    PGRST_RPC_TEXT,  /* text/plain */
    PGRST_RPC_XML,   /* text/xml */
    PGRST_RPC_OCTET, /* application/octet-stream */
    PGRST_RPC_CSV    /* text/csv: a JSON array of objects once converted */
} pgrst_rpc_media_t;

/* What findProc looks at: the argument keys (a set: sorted, distinct), the
 * body's media type and whether the call is a POST (Inv). */
typedef struct pgrst_rpc_lookup {
    const char *schema;
    const char *name;
    const char *const *keys;
    size_t key_count;
    pgrst_rpc_media_t media;
    bool is_post;
    int postgrest_version; /* the fuzzy hint's threshold for routine names */
} pgrst_rpc_lookup_t;

/* The routine findProc picks among the engine's overloads of lookup->name:
 * those whose parameters match the keys, else the one with a single unnamed
 * json/jsonb (text, xml, bytea by media type) parameter on a POST. NULL with
 * PGRST202 (no match, with PostgREST's message, details and fuzzy hint) or
 * PGRST203 (more than one candidate) in err. */
const engine_routine_t *pgrst_rpc_find(engine_t *e, arena_t *arena,
                                       const pgrst_rpc_lookup_t *lookup, pgrst_error_t *err);

/* keys[0..n) sorted and made distinct in place (Data.Set's toList order);
 * returns the new count. */
size_t pgrst_rpc_key_set(const char **keys, size_t n);

/* callPlan's parameters: OnePosParam for a routine whose only parameter is
 * unnamed, else the routine's parameters named in keys (declaration order).
 * Fills call->positional, params and param_count. */
void pgrst_rpc_call_params(arena_t *arena, const engine_routine_t *r, const char *const *keys,
                           size_t key_count, engine_call_t *call);

/* toRpcParams: name=value pairs (query string or form body, in request order)
 * to DirectArgs. The last value of a repeated name wins, except for a
 * VARIADIC parameter, whose values are all kept in order. */
void pgrst_rpc_direct_args(arena_t *arena, const engine_routine_t *r, const char *const *names,
                           const char *const *values, size_t n, engine_call_t *call);

#endif
