/* Aggregates of a statement's groups (sql_exec.c): per group and aggregate
 * call (px_agg_t, built by expr_sql.c), the argument values in scan order;
 * the result computed at the end as Postgres's final functions do (count,
 * sum/avg with their result types and numeric scales, min/max, array_agg,
 * bool_and/bool_or, string_agg, json_agg/jsonb_agg), DISTINCT removing
 * duplicates first. Values are bounded by the statement's row cap. */
#ifndef MOCK_SQL_AGG_H
#define MOCK_SQL_AGG_H

#include "policy_expr_int.h"

typedef struct sql_agg_state sql_agg_state_t;

/* One state per aggregate of aggs[0..n); free with sql_agg_states_free. */
sql_agg_state_t *sql_agg_states_new(const px_agg_t *aggs, size_t n);
void sql_agg_states_free(const px_agg_t *aggs, size_t n, sql_agg_state_t *st);
/* Adds the current row (x's frame) to every aggregate. Returns 0 or -1. */
int sql_agg_accumulate(const px_agg_t *aggs, size_t n, sql_agg_state_t *st, const ectx_t *x,
                       pgrst_error_t *err);
/* The aggregates' values: *out is an array of n (caller disposes each and
 * frees it). Charges w per value combined. Returns 0 or -1. */
int sql_agg_finish(const px_agg_t *aggs, size_t n, sql_agg_state_t *st, pgvalue_t **out,
                   mock_work_t *w, pgrst_error_t *err);

#endif
