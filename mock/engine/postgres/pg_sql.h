/* SQL generation for the database engine: the statements PostgREST v14
 * builds for a request (Query/Statements.hs mainRead and mainWrite,
 * QueryBuilder.hs, SqlFragment.hs, PreQuery.hs txVarQuery), from the parsed
 * request (engine.h) and the schema cache (pg_schema.h). Every value from
 * the request is a parameter ($1, $2, ... sent as text of unknown type, as
 * Hasql's unknownEncoder sends them); every identifier is quoted as
 * pgFmtIdent quotes it. Calls (ENGINE_CALL) follow Statements.hs mainCall
 * and QueryBuilder.hs callPlanToQuery. Resource embedding follows the plan
 * tree of pg_plan.h. */
#ifndef MOCK_PG_SQL_H
#define MOCK_PG_SQL_H

#include "engine.h"
#include "pg_schema.h"

#include <stddef.h>

/* One statement with its text parameters; strings live in `arena`. */
typedef struct pg_stmt {
    arena_t *arena;
    buf_t sql; /* owned */
    const char **params;
    size_t param_count;
    size_t param_cap;
} pg_stmt_t;

void pg_stmt_init(pg_stmt_t *s, arena_t *arena);
void pg_stmt_dispose(pg_stmt_t *s);

/* What generation needs besides the request. */
typedef struct pg_sql_context {
    const pg_schema_t *cache; /* relationships for embedding */
    const char *schema;       /* the relation's schema */
    long long db_max_rows;    /* 0: none (for count=estimated) */
    /* ENGINE_CALL: the relation named by the routine's composite return
     * type, whose columns type the filters on the result (funcTableName);
     * NULL when none is cached. */
    const engine_relation_t *call_relation;
} pg_sql_context_t;

/* The main statement of req: one row with total_result_set, page_total,
 * [header (writes)], body, response_headers, response_status,
 * response_inserted. Returns 0, or -1 with err set for what PostgREST's plan
 * stage refuses (PGRST108, PGRST118, PGRST123, PGRST200, PGRST201, PGRST204,
 * PGRST105, PGRST102 for payloads whose objects' keys differ). */
int pg_sql_main(const pg_sql_context_t *ctx, const engine_request_t *req, pg_stmt_t *out,
                pgrst_error_t *err);

/* EXPLAIN (FORMAT JSON) of the read's count query (Statements.hs
 * postExplain), for count=planned and count=estimated. */
int pg_sql_explain_count(const pg_sql_context_t *ctx, const engine_request_t *req, pg_stmt_t *out,
                         pgrst_error_t *err);

/* The transaction variables (txVarQuery): search_path, the role's settings,
 * role, request.jwt.claims, method, path, headers, cookies, timezone. */
typedef struct pg_tx_vars {
    const char *search_path;          /* already formatted: "\"public\", \"extensions\"" */
    const char *const *role_settings; /* key, value pairs applied before role */
    size_t role_setting_count;        /* pairs */
    const char *role;
    const char *claims_json;
    const char *method;
    const char *path;
    const char *headers_json;
    const char *cookies_json;
    const char *timezone;             /* NULL: none */
    const char *const *func_settings; /* a call's routine settings: key, value pairs */
    size_t func_setting_count;        /* pairs */
    /* supamock.now, what supamock.now() answers (baseline.sql): the
     * scenario clock as ISO 8601; NULL: none. */
    const char *now;
} pg_tx_vars_t;
void pg_sql_tx_vars(const pg_tx_vars_t *v, pg_stmt_t *out);

/* Appends x quoted as an identifier (escapeIdent: text up to a NUL, '"'
 * doubled, in double quotes). */
void pg_put_ident(buf_t *out, const char *x);

/* The claims as aeson encodes them for request.jwt.claims: compact, object
 * keys in ascending order at every level. Heap string, caller frees. */
char *pg_claims_json(const cJSON *claims, const char *role);

#endif
