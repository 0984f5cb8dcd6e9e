/* Data representations on the memory engine: the casts PostgREST's schema
 * cache reads as a domain's representation (SchemaCache.hs
 * dataRepresentations: CREATE CAST ... WITH FUNCTION ... AS IMPLICIT between
 * a domain and json or text, whose function the schema cache's role may
 * execute) and where Plan.hs applies them: a selected column of the domain
 * goes out through its domain -> json function (withOutputFormat), a
 * filter's operand comes in through text -> domain (withTextParse), a
 * written body value through json -> domain (withJsonParse).
 *
 * Built once per engine from the scenario's casts and the function
 * catalog; borrows both (the catalog must outlive it). Lookups are by
 * table and column: the column's domain is the scenario's. */
#ifndef MOCK_MEM_DATAREP_H
#define MOCK_MEM_DATAREP_H

#include "mem_func.h"
#include "scenario.h"
#include "store.h"

typedef struct mem_datarep mem_datarep_t;

typedef enum mem_datarep_dir {
    MEM_DATAREP_TO_JSON,   /* domain -> json: a selected column */
    MEM_DATAREP_FROM_TEXT, /* text -> domain: a filter's operand */
    MEM_DATAREP_FROM_JSON, /* json -> domain: a body's value */
} mem_datarep_dir_t;

/* NULL when the scenario has no representation (fs may be NULL). The
 * store's views (mem_view.h) have their columns' domains too: a column
 * that is a table's column keeps its domain, one written `expr::domain`
 * is of that domain, as Postgres types a view's columns. */
mem_datarep_t *mem_datarep_new(const scenario_t *sc, const mem_funcs_t *fs, const store_t *store);
void mem_datarep_free(mem_datarep_t *dr); /* NULL is a no-op */

/* The function representing column col of t in direction dir, NULL when
 * none (dr may be NULL). */
const mem_func_t *mem_datarep_find(const mem_datarep_t *dr, const store_table_t *t, size_t col,
                                   mem_datarep_dir_t dir);

/* Is `f(x)`, written with an argument of unknown type (a filter's
 * operand: PostgREST sends it as an unknown-typed parameter), a type
 * coercion rather than a call? Postgres's func_get_detail reads
 * typename(arg) so when no function takes the unknown argument exactly,
 * the name names a type and the argument coerces to it through I/O: a
 * function named after its domain over a string type (find_coercion_pathway
 * from unknown to a string category). The operand is then the domain's
 * own input, the function is not called. */
bool mem_datarep_unknown_is_coercion(const mem_datarep_t *dr, const store_table_t *t, size_t col,
                                     mem_datarep_dir_t dir);

/* Calls f on one value of its input type (a NULL goes in too unless f is
 * STRICT, as Postgres calls a cast function). The result: *out (owned by
 * the caller) of *out_type, f's return type. 0, or -1 with err (the
 * function's own error). */
int mem_datarep_apply(const mem_func_t *f, const pgvalue_t *in, const mem_call_env_t *env,
                      pgvalue_t *out, pgtype_t *out_type, pgrst_error_t *err);

#endif
