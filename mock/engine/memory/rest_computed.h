/* Computed fields on the memory engine: rest_plan.c's hooks for a field
 * that is no column of the table, resolved as Postgres resolves PostgREST's
 * `"schema"."table"."name"` (column notation: the function name(table) of
 * one argument, the table's row type, first found on the request's search
 * path) and evaluated by calling that function on the row (mem_func.h).
 * Lives on the request's stack next to the rest_ctx_t it reads. */
#ifndef MOCK_REST_COMPUTED_H
#define MOCK_REST_COMPUTED_H

#include "rest_ctx.h"

typedef struct rest_computed {
    rest_computed_hooks_t hooks; /* ctx is this */
    rest_ctx_t *c;               /* the request (role, claims, work, functions) */
    store_t *store;              /* the instance's store (a call's read runs on a temporary one) */
    /* A call's read: its pgrst_call table has the row type of the
     * function's return table (NULL: none). */
    const store_table_t *call_table;
    const store_table_t *call_rowtype;
} rest_computed_t;

/* Fills rc for the request c (c->store is the instance's store). */
void rest_computed_init(rest_computed_t *rc, rest_ctx_t *c);

#endif
