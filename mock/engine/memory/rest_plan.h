/* A PostgREST query compiled against one table: the where tree with typed
 * operands, the ordering and the select projection. Compiling raises the errors
 * Postgres raises while analysing the generated SQL (unknown columns, bad
 * operand input, operators that do not exist for a type); evaluating is pure
 * and cannot fail. Shared by the read and write paths of rest.c. */
#ifndef MOCK_REST_PLAN_H
#define MOCK_REST_PLAN_H

#include "arena.h"
#include "pgrst_error.h"
#include "pgrst_request.h"
#include "render.h"
#include "store.h"
#include "work.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct rest_cond rest_cond_t;
typedef struct rest_order rest_order_t;
typedef struct rest_out rest_out_t;

/* What a plan needs from the embedded resources of its node (rest_embed.c
 * fills it; NULL in a plan without embeds). */
typedef struct rest_embed_hooks {
    void *ctx;
    /* The embeds' names as the request calls them (alias, else relation):
     * a filter `key=is.null` / `key=not.is.null` tests embed i. */
    const char *const *keys;
    size_t count;
    /* Is embed i of `row` empty (no to-one row, zero to-many rows)? */
    bool (*is_null)(void *ctx, size_t i, const store_row_t *row);
    /* order=rel(col): resolves col among the output columns of the to-one
     * embed `rel`, or -1 with PGRST108/PGRST118/42703 set. */
    int (*resolve_related)(void *ctx, const char *rel, const pgrst_field_t *f, size_t *embed,
                           size_t *out, pgtype_t *type, pgrst_error_t *err);
    /* The value of output column `out` of to-one embed i for `row` (NULL
     * when there is no row); either a pointer into a store row or *tmp. */
    const pgvalue_t *(*related_value)(void *ctx, size_t i, size_t out, const store_row_t *row,
                                      pgvalue_t *tmp);
    /* !inner embeds: a row whose embed i is empty is not in the result. */
    const size_t *inner;
    size_t inner_count;
} rest_embed_hooks_t;

/* Computed fields (rest_computed.c fills it): a select, filter or order
 * field that is no column of the table is, as Postgres reads PostgREST's
 * `"schema"."table"."name"`, the function name(table) found on the
 * request's search path (ParseFuncOrColumn's column notation). */
typedef struct rest_computed_hooks {
    void *ctx;
    /* 1 with *fn and *type when `name` is such a function of t's row type,
     * 0 when none is (a missing column), -1 with err (42501 without
     * EXECUTE, what the memory engine does not run). */
    int (*resolve)(void *ctx, const store_table_t *t, const char *name, const void **fn,
                   pgtype_t *type, pgrst_error_t *err);
    /* fn(row) into *out (the caller disposes it). A failing call stops the
     * plan's work with the function's error (rest_plan_work_error) and
     * leaves *out NULL. */
    void (*value)(void *ctx, const void *fn, const store_table_t *t, const store_row_t *row,
                  pgvalue_t *out);
} rest_computed_hooks_t;

/* An aggregate output (db-aggregates-enabled): col.sum(), count(), ... */
typedef struct rest_agg_spec {
    const char *fn;       /* "count", "sum", "avg", "min", "max" */
    bool star;            /* count(): every row */
    pgtype_t in_type;     /* the argument's type (after its ::cast) */
    pgtype_t result_type; /* Postgres's result type of fn(in_type) */
    bool cast;            /* col.sum()::text */
    pgtype_t cast_type;
} rest_agg_spec_t;

typedef struct rest_plan {
    const store_table_t *table;
    bool aggregates_enabled; /* set before rest_plan_select: else aggregates are PGRST123 */
    bool has_aggregates;     /* rest_plan_select found one */
    const char *alias;       /* the name the table goes by in Postgres's messages; NULL: its name */
    const rest_embed_hooks_t *embeds;
    const rest_computed_hooks_t *computed; /* NULL: no computed fields */
    rest_cond_t *where;                    /* AND of where_count conditions */
    size_t where_count;
    int index_col;                /* >= 0: a top-level eq on this indexed column */
    const pgvalue_t *index_value; /* its operand */
    rest_order_t *order;
    size_t order_count;
    rest_out_t *out;
    size_t out_count;
    /* The request's work (the caller's, lent for the plan's life): scans
     * and matchers charge it and stop when it stops. NULL: unbounded. */
    mock_work_t *work;
    /* Data representations (mem_datarep.h) and the environment their
     * functions run in, both lent for the plan's life; NULL: none. Set
     * before rest_plan_select / rest_plan_where. */
    const struct mem_datarep *datarep;
    const struct mem_call_env *call;
} rest_plan_t;

/* Compiles the where tree. The plan's arrays live in `arena` (the request's);
 * operand values and compiled regexes are released by rest_plan_dispose. */
int rest_plan_where(rest_plan_t *plan, arena_t *arena, const store_table_t *t,
                    const pgrst_logic_t *where, size_t where_count, pgrst_error_t *err);
int rest_plan_order(rest_plan_t *plan, arena_t *arena, const pgrst_order_term_t *terms, size_t n,
                    pgrst_error_t *err);
/* Compiles the select list. `store` resolves ::casts to enum types and tells
 * embeddings of related tables from unrelated names. */
int rest_plan_select(rest_plan_t *plan, arena_t *arena, const store_t *store,
                     const pgrst_select_item_t *items, size_t n, pgrst_error_t *err);
void rest_plan_dispose(rest_plan_t *plan);
/* Output i's aggregate, or NULL when it is a plain column. Projecting an
 * aggregate output yields its argument's value (the aggregate's input);
 * rest_aggregate.c folds them. */
const rest_agg_spec_t *rest_plan_out_agg(const rest_plan_t *plan, size_t i);

/* Does the row satisfy the where clause (SQL three-valued logic, NULL = no)?
 * A matcher whose work stopped answers no (see rest_plan_work_error). */
bool rest_plan_matches(const rest_plan_t *plan, const store_row_t *row);
/* Rows matching the plan in heap order, through the index when possible.
 * *rows is allocated in the arena. */
size_t rest_plan_collect(const rest_plan_t *plan, arena_t *arena, store_row_t ***rows);
/* Sorts rows by the plan's order (stable, so ties keep heap order). The
 * comparisons are charged to the work up front; when it cannot pay, the rows
 * stay unsorted and the work is stopped. */
void rest_plan_sort(const rest_plan_t *plan, store_row_t **rows, size_t n);
/* After rest_plan_collect or rest_plan_sort: 0 when the work went on, else
 * -1 with err set to how Postgres stops such a statement: 57014 "canceling
 * statement due to statement timeout" when the steps ran out, or the error a
 * matcher raised (22025 for a LIKE pattern ending in the escape). Nothing the
 * statement did may be kept: writers roll back. */
int rest_plan_work_error(const rest_plan_t *plan, pgrst_error_t *err);

/* Projects one row through the select list into cells[0..out_count): keys and
 * types borrowed from the plan, values either the row's or derived values kept
 * in *scratch. One scratch serves every row of a response: zero it before the
 * first row, call rest_plan_scratch_dispose after rendering each row (also on
 * failure); its arrays come from the arena once. Returns the cell count, or -1
 * with err set when a ::cast rejects the value (the target type's input error). */
typedef struct rest_scratch {
    pgvalue_t *values;    /* derived values of the current row */
    render_cell_t *cells; /* the current row's cells */
    size_t count;
} rest_scratch_t;
int rest_plan_project(const rest_plan_t *plan, arena_t *arena, const store_row_t *row,
                      render_cell_t **cells, rest_scratch_t *scratch, pgrst_error_t *err);
void rest_plan_scratch_dispose(rest_scratch_t *scratch);
/* The output key of select column i (i < out_count). */
const char *rest_plan_out_key(const rest_plan_t *plan, size_t i);
/* Output column i's type (its cast's, if any) and value for a row, without
 * applying the cast (for ordering by an embedded column). */
const pgtype_t *rest_plan_out_type(const rest_plan_t *plan, size_t i);
const pgvalue_t *rest_plan_out_value(const rest_plan_t *plan, size_t i, const store_row_t *row,
                                     pgvalue_t *tmp);

/* Postgres's 42703 for `name` on table t, with its "Perhaps you meant" hint
 * when a column is close enough (parse_relation.c errorMissingColumn). */
int rest_plan_missing_column(const store_table_t *t, const char *name, pgrst_error_t *err);
/* The same for a table referred to as `alias` (an embedded resource's
 * projects_1); NULL alias: the table's name. */
int rest_plan_missing_column_as(const store_table_t *t, const char *alias, const char *name,
                                pgrst_error_t *err);

#endif
