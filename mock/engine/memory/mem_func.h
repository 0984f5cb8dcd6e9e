/* Functions on the memory engine: the routine catalog built from the
 * scenario's CREATE FUNCTION statements (what PostgREST's schema cache holds
 * of them: engine_routine_t, for pgrst_rpc.c's resolution), EXECUTE
 * privileges, and calls: language sql bodies and the PL/pgSQL subset
 * (plpgsql.c), their SQL statements and expressions run by the executor
 * (sql_exec.h) with a name scope of parameters and variables.
 *
 * A function whose body uses what the subset does not run is reported when
 * the catalog is built (file:line, the construct, "runs on --db postgres")
 * and left out of the catalog, so calling it is PGRST202 as for a function
 * that does not exist.
 *
 * The catalog is built once per instance from the scenario and the store it
 * was built with; it borrows both (and the security model) and must be freed
 * before them. Calls are bounded: the caller's work budget (mock_work_t)
 * pays for every statement and loop iteration, calls nest at most
 * MEM_FUNC_MAX_DEPTH deep. */
#ifndef MOCK_MEM_FUNC_H
#define MOCK_MEM_FUNC_H

#include "engine.h"
#include "scenario.h"
#include "security.h"
#include "sql_exec.h"
#include "store.h"

#include <stdbool.h>
#include <stddef.h>

/* Nested calls (a trigger's function writing to a table with a trigger,
 * recursion): Postgres stops at max_stack_depth, 54001. */
#define MEM_FUNC_MAX_DEPTH 32

/* Work steps (work.h) a statement run from a function costs up front, and a
 * PL/pgSQL statement of its own: what their parse, analysis and execution
 * take measured against the rows-visited calibration of caps.h. */
#define MEM_FUNC_STATEMENT_STEPS 400
#define MEM_FUNC_PLPGSQL_STEPS   50

typedef struct mem_funcs mem_funcs_t;
typedef struct mem_func mem_func_t;

/* The result shape of a function. */
typedef enum mem_ret_kind {
    MEM_RET_VOID,
    MEM_RET_SCALAR,  /* one value of ret_type */
    MEM_RET_ROW,     /* a row of columns (a table's row type, TABLE (...), OUT parameters) */
    MEM_RET_TRIGGER, /* a trigger function (not callable through /rpc) */
} mem_ret_kind_t;

/* A function's parameter, typed. */
typedef struct mem_param {
    const char *name; /* "" when unnamed */
    pgtype_t type;
    scenario_arg_mode_t mode;
    bool has_default;
    /* A table's row type (`test.items`: a computed field's or computed
     * relationship's parameter), else NULL. Its value is a pgvalue_t whose
     * elems are the row's column values (nelems = the table's columns);
     * `type` is then unused. language sql reads it as $n.col / p.col,
     * PL/pgSQL as a record (p.col) or $n.col. */
    const store_table_t *rowtype;
} mem_param_t;

struct mem_func {
    engine_routine_t routine; /* what PostgREST's cache holds (inputs only) */
    const scenario_function_t *def;
    mem_param_t *params; /* every parameter, declaration order */
    size_t param_count;
    size_t input_count; /* IN, INOUT, VARIADIC */
    mem_ret_kind_t kind;
    bool returns_set;
    pgtype_t ret_type;            /* MEM_RET_SCALAR */
    const store_table_t *rowtype; /* MEM_RET_ROW of a table's row type, else NULL */
    size_t col_count;             /* MEM_RET_ROW: the columns */
    const char **col_names;
    pgtype_t *col_types;
    bool plpgsql;
    bool rows_one; /* ROWS 1 (prorows = 1): a computed relationship's to-one */
    /* In PostgREST's schema cache (funcsSqlQuery's `callable`): every input
     * parameter named, or one unnamed of bytea/json/jsonb/text/xml. Others
     * (a computed field's `f(items)`) are not routes but still run. */
    bool callable;
    cJSON *decl;          /* the CREATE FUNCTION statement's tree (parameters' DEFAULTs) */
    cJSON *body;          /* plpgsql: the PLpgSQL_function tree; sql: the statements' tree */
    const char *body_src; /* the text the body's locations point into (owned) */
    void *compiled;       /* plpgsql.c's */
};

/* Builds the catalog; notices about functions left out are logged once
 * per scenario. Never fails (a function it cannot run is left out). */
mem_funcs_t *mem_funcs_new(const scenario_t *sc, store_t *store, const security_t *sec);
void mem_funcs_free(mem_funcs_t *fs); /* NULL is a no-op */

/* engine.h's routines / routine_names / openapi_routines over the catalog. */
size_t mem_funcs_routines(const mem_funcs_t *fs, const char *schema, const char *name,
                          const engine_routine_t *const **out);
size_t mem_funcs_routine_names(const mem_funcs_t *fs, const char *schema, arena_t *arena,
                               const char ***out);
size_t mem_funcs_openapi(const mem_funcs_t *fs, const char *schema, const char *role,
                         arena_t *arena, engine_openapi_routine_t **out);

/* Every function of the catalog (triggers too), in catalog order. */
size_t mem_funcs_count(const mem_funcs_t *fs);
const mem_func_t *mem_funcs_at(const mem_funcs_t *fs, size_t i);

/* The function of a routine the catalog reported. */
const mem_func_t *mem_func_of(const engine_routine_t *r);
/* A function by schema-qualified name (a trigger's), NULL when none
 * (several overloads: the one without input parameters). */
const mem_func_t *mem_funcs_find(const mem_funcs_t *fs, const char *schema, const char *name);

/* has_function_privilege(role, f, 'EXECUTE'): PUBLIC, a grant to the role,
 * or the owner (postgres, supabase_admin: superusers). */
bool mem_func_may_execute(const mem_func_t *f, const char *role);

/* Who runs a call and in what transaction. */
typedef struct mem_call_env {
    mem_funcs_t *fs;
    store_t *store;
    const security_t *sec;
    const char *role;
    bool superuser;
    const cJSON *claims;
    store_env_t *store_env;
    mock_work_t *work;
    bool read_only; /* the transaction is READ ONLY (GET, STABLE/IMMUTABLE at the top) */
    int depth;
} mem_call_env_t;

/* A trigger call's record: NEW/OLD rows of table (NULL: absent). */
typedef struct mem_trigger_call {
    const store_table_t *table;
    const char *name; /* TG_NAME */
    const char *when; /* "BEFORE" / "AFTER" */
    const char *op;   /* "INSERT" / "UPDATE" / "DELETE" */
    const pgvalue_t *new_row;
    const pgvalue_t *old_row;
    /* out: what the function returned: NULL (returned_null) or a row,
     * column_count values owned by the caller once set */
    bool returned_null;
    pgvalue_t *returned;
} mem_trigger_call_t;

/* Calls f with its input arguments (input_count values of the parameters'
 * types; NULL for omitted ones with a default: the default is evaluated).
 * `given` says which were given (NULL: all). The result: MEM_RET_SCALAR as
 * one column named after the function, MEM_RET_ROW as its columns, rows as
 * returned (a non-set function: exactly one row, possibly of NULLs); void:
 * no columns. Returns 0 or -1 with err (Postgres's error; P0001 for RAISE). */
int mem_func_call(const mem_func_t *f, const pgvalue_t *args, const bool *given,
                  const mem_call_env_t *env, sql_result_t *out, pgrst_error_t *err);

/* Runs a trigger function for one row. Returns 0 or -1 with err. */
int mem_func_trigger(const mem_func_t *f, mem_trigger_call_t *tc, const mem_call_env_t *env,
                     pgrst_error_t *err);

/* ---- shared by mem_func.c and plpgsql.c ---- */

/* Runs one parsed statement in the call's environment with scope: checks
 * the function's volatility (0A000 "%s is not allowed in a non-volatile
 * function") and the transaction's (25006 "cannot execute %s in a read-only
 * transaction") first. */
int mem_func_run_stmt(const mem_func_t *f, const mem_call_env_t *env, const sql_scope_t *scope,
                      const cJSON *stmt, const char *src, sql_result_t *out, pgrst_error_t *err);
/* The executor's environment for a call's statements. */
void mem_func_exec_env(const mem_func_t *f, const mem_call_env_t *env, const sql_scope_t *scope,
                       sql_exec_env_t *out, sql_row_hook_t *hook, void *hook_ctx);
/* The executor's row hook that fires the catalog's triggers; ctx is a
 * mem_call_env_t (the environment the statement runs in) that must outlive
 * the statement. */
sql_row_hook_t mem_funcs_row_hook(mem_funcs_t *fs, void *ctx);

/* The rows a body produced (in: NULL for none) in the function's result
 * shape, with assignment coercions; a non-set function gets exactly one
 * row. out is initialised here. */
int mem_func_shape_result(const mem_func_t *f, sql_result_t *in, sql_result_t *out,
                          pgrst_error_t *err);

/* Resolves "int", "text[]", "items" to a type; -1 when not modelled. */
int mem_func_type(const store_t *store, const char *name, pgtype_t *out);

#endif
