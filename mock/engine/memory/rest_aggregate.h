/* Aggregate functions on the memory engine (PostgREST's db-aggregates-enabled):
 * the rows a plan projects, grouped as the GROUP BY PostgREST generates
 * groups them (QueryBuilder: every selected column that is not an aggregate,
 * embedded resources' JSON included) and each aggregate folded as Postgres
 * folds it: count, sum and avg with Postgres's result types (numeric with
 * numeric_div's scale for avg), min and max by the type's ordering. A select
 * with aggregates and nothing to group by gives one row, even over no rows.
 * The groups own copies of every value they keep. */
#ifndef MOCK_REST_AGGREGATE_H
#define MOCK_REST_AGGREGATE_H

#include "pgrst_error.h"
#include "render.h"
#include "rest_plan.h"
#include "work.h"

#include <stddef.h>

typedef struct rest_groups rest_groups_t;

/* Groups for the rows of `plan` (which has aggregates), each row given as
 * its projected cells: the plan's outputs first, then anything after them
 * (embeds' cells), which group like plain columns. `work` (borrowed, may be
 * NULL) pays for the comparisons. */
rest_groups_t *rest_groups_new(const rest_plan_t *plan, mock_work_t *work);
/* The cells' layout when it goes beyond the plan's outputs: aggregates
 * hoisted from to-one spreads (Plan.hs hoistSpreadAggFunctions) stand after
 * them, so specs[i] (NULL: a key) says which cell is folded how, and keys and
 * types name the cells of the one row a select without keys gives over no
 * rows. The arrays are borrowed (the request's arena). */
void rest_groups_set_layout(rest_groups_t *g, const char *const *keys, const pgtype_t *const *types,
                            const rest_agg_spec_t *const *specs, size_t n);
/* Adds one row's cells (copied). Returns 0, or -1 with err (22003 when a sum
 * leaves the range the engine computes in). */
int rest_groups_add(rest_groups_t *g, const render_cell_t *cells, size_t n, pgrst_error_t *err);
/* The number of result rows. */
size_t rest_groups_count(const rest_groups_t *g);
/* Result row i as cells (keys and types from the first row's cells or the
 * plan; values owned by g until rest_groups_free). Returns the count or -1
 * with err (an aggregate's ::cast failing). */
int rest_groups_row(rest_groups_t *g, size_t i, const render_cell_t **cells, pgrst_error_t *err);
void rest_groups_free(rest_groups_t *g);

#endif
