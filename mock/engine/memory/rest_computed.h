/* Computed fields on the memory engine: rest_plan.c's hooks for a field
 * that is no column of the table, resolved as Postgres resolves PostgREST's
 * `"schema"."table"."name"` (column notation: the function name(table) of
 * one argument, the table's row type, first found on the request's search
 * path) and evaluated by calling that function on the row (mem_func.h).
 * Lives on the request's stack next to the rest_ctx_t it reads. */
#ifndef MOCK_REST_COMPUTED_H
#define MOCK_REST_COMPUTED_H

#include "relationships.h"
#include "rest_ctx.h"
#include "sql_exec.h"

/* The rows computed relationships may return in one request (kept until
 * its response is rendered): beyond, 54000. */
#define REST_COMPUTED_MAX_ROWS SQL_EXEC_MAX_ROWS

typedef struct rest_computed {
    rest_computed_hooks_t hooks; /* ctx is this */
    rest_ctx_t *c;               /* the request (role, claims, work, functions) */
    store_t *store;              /* the instance's store (a call's read runs on a temporary one) */
    /* A call's read: its pgrst_call table has the row type of the
     * function's return table (NULL: none). */
    const store_table_t *call_table;
    const store_table_t *call_rowtype;
    /* The rows computed relationships returned, kept until dispose (the
     * response renders from them). */
    store_row_t **rows;
    size_t *row_cols;
    size_t nrows, cap;
} rest_computed_t;

/* Fills rc for the request c (c->store is the instance's store). */
void rest_computed_init(rest_computed_t *rc, rest_ctx_t *c);
void rest_computed_dispose(rest_computed_t *rc);

/* The table whose relationships rows of t have, and the store it is in:
 * a call's pgrst_call has those of its function's return table (callPlan
 * reads the call's result as that relation); any other table its own, in
 * *store unchanged. h NULL: t. */
const store_table_t *rest_computed_origin(const rest_computed_hooks_t *h, const store_table_t *t,
                                          const store_t **store);

/* Computed relationships (SchemaCache.hs allComputedRels) from origin: a
 * function of one argument, origin's row type, returning rows of a table
 * of origin's schema that is in the schema cache (to-one when it returns
 * one row or is declared ROWS 1). The array lives in arena. h NULL: none. */
size_t rest_computed_rels(const rest_computed_hooks_t *h, const store_table_t *origin,
                          arena_t *arena, mem_rel_t **out);

/* The rows computed relationship r returns for a parent row, as the
 * LATERAL `FROM fn(parent)` reads them: a heap array the caller frees
 * (the rows stay the hooks' owner's). A failing call stops the request's
 * work with the function's error and returns 0. */
size_t rest_computed_rel_rows(const rest_computed_hooks_t *h, const mem_rel_t *r,
                              const store_row_t *parent, store_row_t ***rows);

#endif
