/* The memory engine's SQL statement executor: one parsed statement
 * (libpg_query's raw tree of a SelectStmt, InsertStmt, UpdateStmt or
 * DeleteStmt, as sql_parse.h hands it over) run against the store as a role
 * with its JWT claims, with the privileges, row-level security and
 * constraints the REST path applies (security.c decides; the store writes),
 * and with a name scope for the identifiers that are not columns: PL/pgSQL
 * variables, a function's parameters by name and by $n, NEW/OLD records.
 *
 * Expressions are policy_expr.c's (one expression language for policies,
 * CHECK constraints, statements and PL/pgSQL): a statement is analysed once
 * (sql_exec_prepare: names, types, Postgres's analysis errors with their
 * positions) and run as often as wanted (sql_exec_run), as PL/pgSQL caches
 * its plans. sql_exec_once does both for /__mock/sql.
 *
 * Nothing here does I/O. Every run charges env->work (the statement's
 * statement_timeout in steps) per row read, combined, sorted or written;
 * results are capped at SQL_EXEC_MAX_ROWS rows. */
#ifndef MOCK_SQL_EXEC_H
#define MOCK_SQL_EXEC_H

#include "pgrst_error.h"
#include "pgtype.h"
#include "policy_expr.h"
#include "security.h"
#include "store.h"
#include "work.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Rows one statement may produce (a SELECT's result, RETURNING, rows
 * written): beyond it the statement fails with 54000 rather than growing
 * without bound on the one event loop. */
#define SQL_EXEC_MAX_ROWS 100000

/* ------------------------------------------------------------------------ */
/* errors                                                                    */
/* ------------------------------------------------------------------------ */

/* What Postgres raises (SQLSTATE, message, detail, hint in `e`) and, for an
 * analysis error, where: the byte offset into the statement's source text
 * (Postgres's "position", 1-based there, 0-based here), SQL_EXEC_NO_POSITION
 * for a run-time error that has none. Initialise with sql_exec_error_init;
 * dispose with sql_exec_error_dispose. */
#define SQL_EXEC_NO_POSITION ((size_t)-1)
typedef struct sql_exec_error {
    pgrst_error_t e;
    size_t position;
} sql_exec_error_t;

void sql_exec_error_init(sql_exec_error_t *err);
void sql_exec_error_dispose(sql_exec_error_t *err);

/* ------------------------------------------------------------------------ */
/* name scopes: variables, parameters, records                               */
/* ------------------------------------------------------------------------ */

/* A name the statement uses that may not be a column: a ColumnRef's
 * identifiers (`x`, `new.id`, `fn.param`) or a ParamRef ($n). */
typedef struct sql_name {
    const char *const *parts; /* nparts identifiers, as written (already downcased unless quoted);
                                 NULL for $n */
    size_t nparts;            /* 1..3 */
    int param;                /* $n: n >= 1; 0 for a ColumnRef */
    size_t location;          /* byte offset into the source text */
} sql_name_t;

/* Who wins when a name is both a column of the statement's tables and a
 * variable (PL/pgSQL's #variable_conflict; language sql functions resolve
 * columns first). */
typedef enum sql_conflict {
    SQL_CONFLICT_ERROR,        /* 42702 `column reference "x" is ambiguous`, detail `It could refer
                                  to either a PL/pgSQL variable or a table column.` (the default) */
    SQL_CONFLICT_USE_VARIABLE, /* the variable */
    SQL_CONFLICT_USE_COLUMN,   /* the column (language sql) */
} sql_conflict_t;

/* The variables a statement can see, owned by whoever runs it (memfunc's
 * interpreter: a function's frame). `resolve` is called while a statement is
 * analysed, `value` while it runs; slots are the scope's own numbers, stable
 * between the two (a prepared statement keeps them). Both see the same ctx:
 * the scope given to sql_exec_run must be shaped like the one given to
 * sql_exec_prepare (same names, same slots, same types).
 *
 * resolve: 1 with *slot (>= 0) and *type when name denotes a variable (for
 * `new.id`, the field of the record); 0 when it does not (the name then
 * fails as Postgres fails a missing column, 42703, or a missing parameter,
 * 42P02 `there is no parameter $n`); -1 with err (the position is filled in
 * by the caller) when the scope raises itself, e.g. 42703 `record "new" has
 * no field "x"`.
 * value: the slot's current value, borrowed until the call that asked for it
 * (sql_exec_run / sql_expr_eval) returns. */
typedef struct sql_scope {
    const void *ctx;
    sql_conflict_t conflict;
    int (*resolve)(const void *ctx, const sql_name_t *name, int *slot, pgtype_t *type,
                   pgrst_error_t *err);
    int (*value)(const void *ctx, int slot, const pgvalue_t **out, pgrst_error_t *err);
} sql_scope_t;

/* ------------------------------------------------------------------------ */
/* the hook row triggers run through                                         */
/* ------------------------------------------------------------------------ */

typedef enum sql_row_event {
    SQL_ROW_INSERT,
    SQL_ROW_UPDATE,
    SQL_ROW_DELETE,
} sql_row_event_t;

/* Row triggers (memfunc installs them). Where they run follows nodeModifyTable.c:
 *   before: once per row about to be written, after defaults (INSERT) or the
 *     SET list (UPDATE) and BEFORE the RLS WITH CHECK options, CHECK
 *     constraints and the store's not-null/unique checks, as ExecInsert /
 *     ExecUpdate / ExecDelete call ExecBR*Triggers. new_row (column_count
 *     values; NULL for DELETE) may be changed in place: the hook disposes
 *     what it replaces, the values stay the executor's. old_row is NULL for
 *     INSERT. *skip = true drops the row silently (the trigger returned
 *     NULL): it is neither written nor counted nor returned.
 *   after: once per written row, in write order, at the end of the statement
 *     (AfterTriggerEndQuery) before the foreign-key checks queued by the
 *     writes run (store_end_statement). new_row is NULL for DELETE, old_row
 *     NULL for INSERT; both borrowed for the call.
 * Either may be NULL. A hook that fails fails the statement (the caller rolls
 * back). Hooks may run statements of their own through this executor (the
 * store is in the same transaction); env->work bounds the whole. */
typedef struct sql_row_hook {
    void *ctx;
    int (*before)(void *ctx, store_table_t *t, sql_row_event_t ev, const pgvalue_t *old_row,
                  pgvalue_t *new_row, bool *skip, pgrst_error_t *err);
    int (*after)(void *ctx, store_table_t *t, sql_row_event_t ev, const pgvalue_t *old_row,
                 const pgvalue_t *new_row, pgrst_error_t *err);
} sql_row_hook_t;

/* ------------------------------------------------------------------------ */
/* the environment a statement runs in                                       */
/* ------------------------------------------------------------------------ */

typedef struct sql_exec_env {
    store_t *store;           /* required; writes need store_in_transaction() */
    const security_t *sec;    /* grants and policies; NULL: none are checked (as a superuser) */
    const char *role;         /* current_user: the role privileges and policies are for */
    bool superuser;           /* the role is a superuser (postgres, /__mock/sql): no privilege
                                 checks, and row-level security does not apply */
    const cJSON *claims;      /* request.jwt.claims (auth.uid() ...); NULL: none */
    store_env_t *store_env;   /* now() on the scenario clock, auth.uid() for defaults; the executor
                                 sets hide_row_details per table written */
    mock_work_t *work;        /* required: the statement's budget */
    const sql_scope_t *scope; /* variables; NULL: none (a name that is not a column is 42703) */
    const sql_row_hook_t *hook; /* row triggers; NULL: none */
} sql_exec_env_t;

/* ------------------------------------------------------------------------ */
/* results                                                                   */
/* ------------------------------------------------------------------------ */

/* What a statement returns. For SELECT, and for INSERT/UPDATE/DELETE with
 * RETURNING: the columns (names as Postgres names them: AS, or
 * FigureColname's choice, "?column?"), their types (an unknown literal's
 * column is text, as Postgres resolves it) and the rows, row-major
 * (values[r * ncols + c]). Without RETURNING a write has ncols == 0.
 * rows_affected is what GET DIAGNOSTICS ROW_COUNT / FOUND and the command
 * tag report: rows returned by SELECT, rows written by INSERT/UPDATE/DELETE
 * (rows a BEFORE trigger skipped are not counted). Everything is owned by
 * the result: dispose with sql_result_dispose. */
typedef struct sql_result {
    const char *command; /* "SELECT", "INSERT", "UPDATE", "DELETE" (static) */
    size_t ncols;
    char **names;
    pgtype_t *types;
    size_t nrows;
    pgvalue_t *values;
    uint64_t rows_affected;
} sql_result_t;

void sql_result_init(sql_result_t *r);
void sql_result_dispose(sql_result_t *r);

/* ------------------------------------------------------------------------ */
/* statements                                                                */
/* ------------------------------------------------------------------------ */

typedef struct sql_plan sql_plan_t;

/* Analyses one statement: stmt is the statement's node ({"SelectStmt":
 * {...}}, sql_stmt_t.node), src the whole text its locations point into
 * (borrowed for the call; the plan keeps what it needs). Tables, columns,
 * functions and operators are resolved here and fail as Postgres's parser
 * does (42P01, 42703, 42702, 42883, 42803, 42601 ...) with the position. The
 * plan borrows the store's tables and enums: it must not outlive a change of
 * the schema (the caller drops its plans when tables change). Returns 0 with
 * *out (free with sql_plan_free), or -1 with err. */
int sql_exec_prepare(const store_t *store, const cJSON *stmt, const char *src,
                     const sql_scope_t *scope, sql_plan_t **out, sql_exec_error_t *err);
void sql_plan_free(sql_plan_t *p); /* NULL is a no-op */
/* sql_exec_prepare with a search path for unqualified table names: the
 * first of these schemas that holds the name (a view's query binds its
 * names under the path CREATE VIEW ran with). sql_exec_prepare looks in
 * public. The path is borrowed for the call. */
int sql_exec_prepare_in(const store_t *store, const cJSON *stmt, const char *src,
                        const sql_scope_t *scope, const char *const *search_path,
                        size_t nsearch_path, sql_plan_t **out, sql_exec_error_t *err);
/* Where output column i of a SELECT comes from when it is a plain column of
 * one of its FROM entries, as the parser's markTargetListOrigins records it
 * (pg_rewrite's resorigtbl/resorigcol, which PostgREST reads for a view's
 * keys): that relation and column. False for an expression, a constant or
 * an aggregate. */
bool sql_plan_column_origin(const sql_plan_t *p, size_t i, const store_table_t **t, size_t *col);

/* Runs a prepared statement. Writes go through the store's transaction (the
 * caller opened it; on -1 the caller rolls back): per row, BEFORE hooks, the
 * RLS WITH CHECK options and CHECK constraints (security.c), then
 * store_insert/update/delete; at the end AFTER hooks and store_end_statement
 * (foreign keys and their actions). Privileges are checked first, as
 * ExecCheckPermissions does, then rows are read through the role's row-level
 * security. Returns 0 with *out filled (sql_result_init'ed by the call), or
 * -1 with err (out then holds nothing to dispose). */
int sql_exec_run(const sql_plan_t *p, const sql_exec_env_t *env, sql_result_t *out,
                 sql_exec_error_t *err);

/* What a plan returns without running it (for a PL/pgSQL SELECT INTO's
 * targets, a function's declared result): its columns. 0 for a write
 * without RETURNING. Borrowed from the plan. */
size_t sql_plan_columns(const sql_plan_t *p, const char *const **names, const pgtype_t **types);

/* view_query_is_auto_updatable (rewriteHandler.c): NULL when a view whose
 * query this plan is can be written through (one table or view in FROM; no
 * DISTINCT, GROUP BY, HAVING, set operation, WITH, LIMIT/OFFSET or
 * aggregate), else Postgres's detail saying why not ("Views containing
 * DISTINCT are not automatically updatable."). *source is the relation of
 * its FROM (when NULL is returned). */
const char *sql_plan_auto_updatable(const sql_plan_t *p, const store_table_t **source);
/* Whether the plan has an ORDER BY (its rows are not in its source's order). */
bool sql_plan_sorted(const sql_plan_t *p);
/* For such a plan: whether one row of its source passes its WHERE and, when
 * it does, its output columns for that row (out: ncols values the caller
 * disposes). Returns 0 or -1 with err (a run-time error of the WHERE or a
 * target). */
int sql_plan_eval_row(const sql_plan_t *p, const sql_exec_env_t *env, const pgvalue_t *row,
                      bool *passes, pgvalue_t *out, sql_exec_error_t *err);

/* Runs a SELECT plan and makes its rows those of derived relation t (a
 * view's, a subquery's: store.h), whose columns are the plan's. */
int sql_exec_fill(const sql_plan_t *p, const sql_exec_env_t *env, store_table_t *t,
                  pgrst_error_t *err);

/* Prepare, run and free: one statement of a script (/__mock/sql). */
int sql_exec_once(const sql_exec_env_t *env, const cJSON *stmt, const char *src, sql_result_t *out,
                  sql_exec_error_t *err);

/* ------------------------------------------------------------------------ */
/* expressions alone (PL/pgSQL's `x := a + 1`, `IF cond THEN`, RETURN expr)  */
/* ------------------------------------------------------------------------ */

typedef struct sql_xplan sql_xplan_t;

/* Analyses one expression node (an a_expr of a raw tree, e.g. a ResTarget's
 * val, or sql_parse_expr's node), with no table in scope: every name goes to
 * `scope`. Returns 0 with *out (free with sql_xplan_free), or -1 with err. */
int sql_expr_prepare(const store_t *store, const cJSON *expr, const char *src,
                     const sql_scope_t *scope, sql_xplan_t **out, sql_exec_error_t *err);
void sql_xplan_free(sql_xplan_t *x); /* NULL is a no-op */
/* The expression's type (an unknown literal is text). */
pgtype_t sql_xplan_type(const sql_xplan_t *x);
/* Evaluates it: *out owned by the caller (pgvalue_dispose). Subqueries in it
 * read tables as env's role would. Returns 0 or -1 with err. */
int sql_expr_eval(const sql_xplan_t *x, const sql_exec_env_t *env, pgvalue_t *out,
                  sql_exec_error_t *err);
/* The same as a condition (IF, WHILE, EXIT WHEN), as PL/pgSQL's
 * exec_eval_boolean: a value of another type is cast to boolean when it
 * runs (IF 1 is true, IF 'abc' is 22P02); a type with no cast to boolean is
 * 42846 at analysis. clause names the statement for messages ("IF"). */
int sql_expr_prepare_bool(const store_t *store, const cJSON *expr, const char *src,
                          const sql_scope_t *scope, const char *clause, sql_xplan_t **out,
                          sql_exec_error_t *err);
int sql_expr_eval_bool(const sql_xplan_t *x, const sql_exec_env_t *env, policy_truth_t *out,
                       sql_exec_error_t *err);

/* Assignment coercion (PL/pgSQL's assignment, INSERT's target columns):
 * value v of type `from` into type `to` as Postgres's assignment cast does,
 * with its errors (22P02, 22003, 22001 ...). NULL stays NULL. */
int sql_exec_assign(const pgtype_t *from, const pgvalue_t *v, const pgtype_t *to, pgvalue_t *out,
                    pgrst_error_t *err);

#endif
