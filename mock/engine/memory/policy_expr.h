/* Policy expressions: the SQL subset real Supabase policies and check
 * constraints use, read by Postgres's own grammar (sql_parse_expr), analysed
 * against one table (and, for EXISTS / IN / scalar subqueries, the store's
 * other tables) and evaluated over a row and the request's JWT claims with
 * SQL three-valued logic. No I/O, no store writes. The parser reports the
 * byte offset of the first error, as Postgres reports a position, so
 * scenario.c/instance.c can turn it into FILE:LINE:COL. */
#ifndef MOCK_POLICY_EXPR_H
#define MOCK_POLICY_EXPR_H

#include "pgrst_error.h"
#include "pgtype.h"
#include "store.h"
#include "work.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct policy_expr policy_expr_t;

typedef struct policy_expr_error {
    size_t offset;     /* byte offset into the source text of the offending token */
    char code[8];      /* SQLSTATE Postgres would raise: 42601 syntax, 42703 column, 42883
                          operator/function, 42704 type, 42804 not boolean, 22P02 bad literal */
    char message[256]; /* Postgres's text, e.g. `column "x" does not exist`,
                          `syntax error at or near ")"` */
    char detail[160];  /* Postgres's DETAIL, "" when none */
    char hint[160];    /* Postgres's HINT, "" when none */
} policy_expr_error_t;

/* Parses `text` against table t (column names resolve to t's columns; `store`
 * resolves ::casts to enum types). Returns the expression (caller frees with
 * policy_expr_free), or NULL with err filled. The expression borrows t's column
 * types: it must not outlive the table. */
policy_expr_t *policy_expr_parse(const char *text, const store_t *store, const store_table_t *t,
                                 policy_expr_error_t *err);
/* The same for another clause: a column's CHECK constraint parses with clause
 * "CHECK", so a non-boolean one reads `argument of CHECK must be type boolean,
 * not type X` as Postgres words it. */
policy_expr_t *policy_expr_parse_clause(const char *text, const store_t *store,
                                        const store_table_t *t, const char *clause,
                                        policy_expr_error_t *err);
void policy_expr_free(policy_expr_t *e); /* NULL is a no-op */

typedef struct policy_eval_env policy_eval_env_t;

/* The tables whose policies are being expanded around an evaluation, inner
 * first (the rewriter's activeRIRs): a subquery reaching one of them again
 * is 42P17 infinite recursion. */
typedef struct policy_active {
    const store_table_t *t;
    const struct policy_active *up;
} policy_active_t;

/* How a subquery reads another table's rows: as the current role would,
 * with that table's row-level security (security.c provides it). begin runs
 * once per subquery evaluation and table (privileges, recursion), visible
 * per row. NULL reader: every row is read. */
typedef struct policy_reader {
    const void *ctx;
    int (*begin)(const void *ctx, const store_table_t *t, const policy_eval_env_t *env,
                 pgrst_error_t *err);
    int (*visible)(const void *ctx, const store_table_t *t, const pgvalue_t *row,
                   const policy_eval_env_t *env, bool *visible, pgrst_error_t *err);
} policy_reader_t;

/* What an expression sees when it runs. */
struct policy_eval_env {
    const pgvalue_t *row;          /* the row's values, one per column of the parse table */
    const cJSON *claims;           /* verified JWT claims, NULL when the request has none */
    const char *role;              /* current_user / auth.role() fallback: the database role */
    const policy_reader_t *reader; /* subqueries' tables; NULL: read every row */
    mock_work_t *work;             /* the statement's budget; NULL: a fixed bound of our own */
    const policy_active_t *active; /* policies being expanded (reader's business) */
};

typedef enum policy_truth {
    POLICY_FALSE = 0,
    POLICY_TRUE = 1,
    POLICY_NULL = 2, /* SQL NULL: treated as false by RLS and as pass by CHECK */
} policy_truth_t;

/* Evaluates e. Returns 0 with *out, or -1 with err set when Postgres would
 * raise at run time (e.g. 22P02 casting a claim that is not a uuid). */
int policy_expr_eval(const policy_expr_t *e, const policy_eval_env_t *env, policy_truth_t *out,
                     pgrst_error_t *err);

/* The expression as Postgres deparses it into pg_policies.qual/with_check
 * (ruleutils.c: fully parenthesised, e.g. `(auth.uid() = user_id)`). */
void policy_expr_deparse(const policy_expr_t *e, buf_t *out);

/* The tables the expression's subqueries read (each once), at most cap of
 * them; returns how many were written. */
size_t policy_expr_tables(const policy_expr_t *e, const store_table_t **out, size_t cap);
/* Does the expression hold a subquery (Postgres's hasSubLinks)? */
bool policy_expr_has_subquery(const policy_expr_t *e);

#endif
