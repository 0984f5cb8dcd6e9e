/* What /rest/v1 needs from a data plane. The PostgREST layer (postgrest/)
 * reaches data only through this interface; an engine implements it: the
 * memory engine (engine/memory/) today, a PostgreSQL-backed one later.
 *
 * Two halves:
 * - the schema cache: the relations, columns, relationships and functions
 *   PostgREST has loaded (not necessarily what exists: DDL after a load is
 *   invisible until reload, as in production);
 * - execution: one request is one transaction run under a role and its JWT
 *   claims, as PostgREST runs it (SET LOCAL ROLE, request.jwt.claims, the SQL
 *   it generates). The engine renders the rows as Postgres's json_agg /
 *   row_to_json would, and reports the counts and the Location key that
 *   PostgREST derives its headers from; the PostgREST layer picks statuses and
 *   headers.
 *
 * Completion is a callback so that an engine may finish later, on the loop,
 * without blocking other connections (a database round trip); the memory
 * engine completes before engine_execute returns. Everything a request lends
 * (strings, the query, the payload, the result buffers) must stay valid until
 * `done` has run. */
#ifndef MOCK_ENGINE_H
#define MOCK_ENGINE_H

#include "arena.h"
#include "buf.h"
#include "explain.h"
#include "pgrst_error.h"
#include "pgrst_request.h"
#include "rest_body.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct engine engine_t;
/* A relation in the schema cache; owned by the engine, valid until the next
 * reload or until the engine is freed. */
typedef struct engine_relation engine_relation_t;

/* ---- the schema cache ---- */

typedef struct engine_column_info {
    const char *name;
    const char *type; /* the type name as Postgres names it in messages, without a type
                         modifier: "uuid", "text[]", "character varying" */
    bool nullable;
    bool has_default;
    bool primary_key;
    /* What the OpenAPI document shows (Response/OpenAPI.hs); filled when
     * `arena` is not NULL, else NULL/-1/0. The default as Postgres prints
     * column_default ("'x'::text", "42", "now()"), the COMMENT ON COLUMN, the
     * character_maximum_length of character(n)/varchar(n), the labels of an
     * enum type in order. */
    const char *data_type; /* PostgREST's data_type: domains as their base type, others'
                              type modifier kept ("character varying", "text[]") */
    const char *default_expr;
    const char *description;
    int max_length;
    const char *const *enum_labels;
    size_t enum_count;
} engine_column_info_t;

/* A foreign key as PostgREST's relationship detection sees it (from the
 * referencing side). Strings are the engine's. */
typedef struct engine_relationship {
    const char *constraint; /* "profiles_user_id_fkey" */
    const char *schema;     /* referencing relation */
    const char *relation;
    const char *column; /* single-column keys (what the memory engine models) */
    const char *ref_schema;
    const char *ref_relation;
    const char *ref_column;
} engine_relationship_t;

/* A routine's parameter as PostgREST's schema cache holds it
 * (SchemaCache.hs funcsSqlQuery, Routine.hs RoutineParam). */
typedef struct engine_routine_param {
    const char *name;            /* "" for an unnamed parameter */
    const char *type;            /* type::regtype::text: "integer", "jsonb", "text[]" */
    const char *type_max_length; /* the type a call casts to: "character" and "bit" widened to
                                    "character varying" / "bit varying" */
    bool required;               /* no DEFAULT */
    bool variadic;
} engine_routine_param_t;

typedef enum engine_volatility {
    ENGINE_VOLATILE,
    ENGINE_STABLE,
    ENGINE_IMMUTABLE,
} engine_volatility_t;

/* A function in the schema cache (Routine.hs Function). Owned by the engine,
 * valid as long as its relations are. */
typedef struct engine_routine {
    const char *schema;
    const char *name;
    const engine_routine_param_t *params; /* input parameters in declaration order */
    size_t param_count;
    /* The return type: its schema and name (the relation's name for a
     * composite of a table, "record" for RETURNS TABLE / OUT parameters,
     * "void", "int4", ...), whether it is SETOF and whether it is composite
     * (a row type, or TABLE/OUT/INOUT parameters). */
    const char *return_schema;
    const char *return_name;
    bool returns_set;
    bool returns_composite;
    engine_volatility_t volatility;
    bool has_variadic;
    /* The function's own SET default_transaction_isolation ("serializable",
     * "repeatable read"; NULL: none), which its transaction takes
     * (planIsoLvl), and its SET settings of the hoisted list
     * (db-hoisted-tx-settings) as key, value pairs that the transaction
     * applies (txVarQuery's funcSettingsSql). */
    const char *isolation_level;
    const char *const *settings;
    size_t setting_count; /* pairs */
} engine_routine_t;

/* Routine.hs funcReturnsVoid: Single (Scalar pg_catalog.void). */
static inline bool engine_routine_returns_void(const engine_routine_t *r)
{
    return !r->returns_set && !r->returns_composite && r->return_schema && r->return_name &&
           !strcmp(r->return_schema, "pg_catalog") && !strcmp(r->return_name, "void");
}

/* A routine as the OpenAPI document lists it (Response/OpenAPI.hs over
 * SchemaCache.hs Routine): its name, COMMENT ON FUNCTION (NULL: none),
 * volatility and input parameters (engine_routine_param_t: name, type,
 * required, variadic). Strings are the engine's. */
typedef struct engine_openapi_routine {
    const char *name;
    const char *description;
    bool is_volatile;
    const engine_routine_param_t *params;
    size_t param_count;
} engine_openapi_routine_t;

/* ---- one request ---- */

typedef enum engine_op {
    ENGINE_READ,   /* GET and HEAD */
    ENGINE_INSERT, /* POST, including upserts (Prefer resolution) */
    ENGINE_UPDATE, /* PATCH */
    ENGINE_UPSERT, /* PUT: a single-row upsert addressed by the primary key */
    ENGINE_DELETE,
    ENGINE_CALL, /* /rpc/NAME: GET, HEAD and POST */
} engine_op_t;

/* DirectArgs (CallPlan.hs RpcParamValue): an argument from the query string
 * or a form body, Fixed (one value) or Variadic (every value of a VARIADIC
 * parameter). */
typedef struct engine_call_arg {
    const char *name;
    const char *const *values;
    size_t value_count;
    bool variadic;
} engine_call_arg_t;

/* ENGINE_CALL: the routine PostgREST resolved (Plan.hs findProc) and how it
 * is called (callPlan, callPlanToQuery). Borrowed for the call. */
typedef struct engine_call {
    const engine_routine_t *routine;
    /* OnePosParam: the routine's single unnamed parameter takes the whole
     * argument (the body). Else KeyParams: the named parameters that the
     * request names, in declaration order. */
    bool positional;
    const engine_routine_param_t *const *params;
    size_t param_count;
    /* JsonArgs: the body as sent (json_len bytes; NULL: none). Else
     * DirectArgs: args. */
    bool json_args;
    const char *json;
    size_t json_len;
    const engine_call_arg_t *args;
    size_t arg_count;
    /* planTxMode: GET/HEAD calls and STABLE/IMMUTABLE routines run in a READ
     * ONLY transaction. */
    bool read_only;
} engine_call_t;

/* The request as PostgREST has parsed and authenticated it. Borrowed for the
 * call; strings live in `arena` (the request's). */
typedef struct engine_request {
    engine_op_t op;
    arena_t *arena;
    const engine_relation_t *relation; /* from engine_find_relation; NULL for ENGINE_CALL */
    const engine_call_t *call;         /* ENGINE_CALL only */
    const pgrst_query_t *query;
    const pgrst_prefer_t *prefer;
    const pgrst_accept_t *accept; /* the negotiated media type of the rows */
    const rest_body_t *payload;   /* POST/PATCH/PUT */
    /* ENGINE_READ: the range PostgREST computed from limit/offset, the Range
     * header and db-max-rows (RangeQuery.hs); limit -1 is unbounded. */
    long long offset;
    long long limit;
    bool tx_rollback;        /* end the transaction with ROLLBACK (Prefer tx or db-tx-end) */
    bool aggregates_enabled; /* db-aggregates-enabled: else aggregates are PGRST123 */
    /* Who runs it (SET LOCAL ROLE and request.jwt.claims). */
    const char *role;
    const cJSON *claims;  /* NULL for the anon key without a JWT */
    const char *auth_uid; /* the `sub` claim, NULL when none */
    int64_t now_us;       /* now() for the statement: the scenario clock */
    /* Optional, for the database engine's transaction variables (PostgREST's
     * request.method, request.path, request.headers, request.cookies); NULL:
     * the method of op, "/" + the relation's name, and "{}". The JSON texts
     * are objects of strings as PostgREST encodes them. */
    const char *method;
    const char *path;
    const char *headers_json;
    const char *cookies_json;
} engine_request_t;

/* What the engine reports; the caller zeroes it and points `body` at the
 * buffer the rows are rendered into (the response body). */
typedef struct engine_result {
    buf_t *body;          /* rows as the negotiated media type, when the request returns rows */
    long long total;      /* ENGINE_READ: rows matching before the range; writes: rows affected */
    long long page_count; /* rows in the body (reads) or returned by the statement (writes) */
    size_t inserted;      /* ENGINE_INSERT: rows that were inserted rather than merged */
    bool upsert;          /* ENGINE_INSERT: ran with ON CONFLICT (a resolution and a target) */
    bool existed;         /* ENGINE_UPSERT: the row was there and got updated */
    /* ENGINE_INSERT with Prefer return=headers-only: the primary key of the
     * first row as "col=eq.value" pairs for Location; NULL when none. Values
     * are text as Postgres outputs them, in the request arena. */
    const char **location_columns;
    const char **location_values;
    size_t location_count;
    /* Optional: when the caller points it at an initialised record
     * (mock_explain_init), the engine fills what it decided on the way: the
     * table, the grants checked and what row-level security did. NULL: the
     * engine spends nothing on it. An engine that fills nothing leaves
     * `engine` false. */
    mock_explain_t *explain;
    /* What the statement set in response.headers (a JSON array of objects)
     * and response.status (text), for PostgREST's overrideStatusHeaders; NULL
     * when unset. Strings in the request arena. The memory engine leaves them
     * NULL. */
    const char *guc_headers;
    const char *guc_status;
} engine_result_t;

/* Called once per engine_execute with 0, or -1 and err set. */
typedef void (*engine_done_fn)(void *arg, int rc);

typedef struct engine_ops {
    const char *name; /* "memory", "postgres" */
    /* Reads engine_request_t's method, path, headers_json and cookies_json
     * (the caller may leave them NULL otherwise and spare the work). */
    bool uses_request_vars;
    /* Answers application/vnd.pgrst.plan (db-plan-enabled) with EXPLAIN's
     * output of the statement it would run, into engine_result_t.body. */
    bool explains_plans;
    const engine_relation_t *(*find_relation)(engine_t *e, const char *schema, const char *name);
    /* Names of the cached relations of `schema` in creation order (for the
     * "Perhaps you meant" hints); the array lives in arena. */
    size_t (*relation_names)(engine_t *e, const char *schema, arena_t *arena, const char ***out);
    const char *(*relation_name)(const engine_relation_t *rel);
    size_t (*column_count)(const engine_relation_t *rel);
    /* Column i; composed strings ("text[]") live in arena;
     * with a NULL arena, out->type is NULL. */
    void (*column)(const engine_relation_t *rel, size_t i, arena_t *arena,
                   engine_column_info_t *out);
    /* Foreign keys from and to rel; the array lives in arena. */
    size_t (*relationships)(engine_t *e, const engine_relation_t *rel, arena_t *arena,
                            engine_relationship_t **out);
    /* For the OpenAPI document (Response/OpenAPI.hs; optional, NULL: no
     * comments, every relation listed and writable). openapi_load, called
     * first, loads what the ones below read where an engine keeps that out
     * of its cache until a document is asked for. COMMENT ON TABLE/VIEW,
     * NULL when none. */
    void (*openapi_load)(engine_t *e);
    const char *(*relation_description)(const engine_relation_t *rel);
    /* COMMENT ON SCHEMA, NULL when none. */
    const char *(*schema_description)(engine_t *e, const char *schema);
    /* openapi-mode follow-privileges: may `role` use rel at all (owner, or
     * any table or column privilege; SqlFragment.hs accessibleTables)? */
    bool (*relation_accessible)(engine_t *e, const engine_relation_t *rel, const char *role);
    /* Insertable, updatable or deletable (tables always; views when
     * auto-updatable), which gives the path item its POST/PATCH/DELETE. */
    bool (*relation_writable)(const engine_relation_t *rel);
    /* The routines of schema that role may execute (SqlFragment.hs
     * accessibleFuncs; NULL role: all of them), for the OpenAPI document;
     * the array lives in arena.
     * Optional: NULL lists none. */
    size_t (*openapi_routines)(engine_t *e, const char *schema, const char *role, arena_t *arena,
                               engine_openapi_routine_t **out);
    /* Is name one of the cached pg_timezone_names (what Prefer: timezone=
     * may name)? Optional: NULL accepts any. */
    bool (*timezone_valid)(engine_t *e, const char *name);
    /* The overloads of schema.name in PostgREST's order (fewest parameters
     * first, decodeFuncs' sort); *out is the engine's. 0 when the cache has
     * none. */
    size_t (*routines)(engine_t *e, const char *schema, const char *name,
                       const engine_routine_t *const **out);
    /* Names of the cached routines of schema, one per name (for the "Perhaps
     * you meant" hints); the array lives in arena. */
    size_t (*routine_names)(engine_t *e, const char *schema, arena_t *arena, const char ***out);
    void (*execute)(engine_t *e, const engine_request_t *req, engine_result_t *res,
                    pgrst_error_t *err, engine_done_fn done, void *arg);
    /* NOTIFY pgrst, 'reload schema': the cache takes in what exists now. */
    void (*reload)(engine_t *e);
    void (*free)(engine_t *e);
} engine_ops_t;

/* Every engine starts with this header (C's single inheritance). */
struct engine {
    const engine_ops_t *ops;
};

/* Thin wrappers so callers read as prose. */
static inline const engine_relation_t *engine_find_relation(engine_t *e, const char *schema,
                                                            const char *name)
{
    return e->ops->find_relation(e, schema, name);
}

static inline void engine_execute(engine_t *e, const engine_request_t *req, engine_result_t *res,
                                  pgrst_error_t *err, engine_done_fn done, void *arg)
{
    e->ops->execute(e, req, res, err, done, arg);
}

/* Does rel have a primary key? (PUT's Allow, upsert's conflict target.) */
bool engine_relation_has_primary_key(engine_t *e, const engine_relation_t *rel);

/* NULL is a no-op. */
void engine_free(engine_t *e);

#endif
