/* Resource embedding on the memory engine: the select tree of a request
 * (rel(...), alias:rel!hint!inner(...), ...rel(...)) planned as PostgREST's
 * Plan.hs plans it and evaluated as the SQL its QueryBuilder generates would
 * be: LEFT/INNER JOIN LATERAL subqueries rendered with row_to_json(...)::jsonb
 * and json_agg(...)::jsonb, spreads as plain columns (to-one) or json arrays
 * (to-many). Grants and row-level security apply to every embedded table.
 * The plan lives in the request's arena; rest_embed_dispose releases what
 * the compiled plans hold. */
#ifndef MOCK_REST_EMBED_H
#define MOCK_REST_EMBED_H

#include "render.h"
#include "rest_ctx.h"

/* Plans the request's select tree against c->table: places filters, logic
 * trees, orders and ranges of embedded paths on their embeds (PGRST108),
 * resolves relationships (PGRST200/PGRST201), related orders (PGRST118) and
 * `rel=is.null` filters, then compiles every embed (its FROM comes first, as
 * Postgres analyses a LATERAL subquery before the outer target list) and the
 * root's select list into c->plan. c->q.where and c->q.order keep only the
 * root's own. `mutation`: the root's filters are the write's, not the
 * read-back's, and ranges of embeds do not apply (Plan.hs addRanges). The
 * caller compiles the root's where and order afterwards (c->plan.embeds is
 * set for them). Returns 0 or -1 with err set. */
int rest_embed_plan(rest_ctx_t *c, bool mutation, pgrst_error_t *err);

/* SELECT on every embedded table (and junction), in the order of the
 * statement's range table, after the root's privileges. */
int rest_embed_require(rest_ctx_t *c, pgrst_error_t *err);
/* Computes the rows of the embedded views (and views joining a
 * many-to-many) for this request, before anything reads them. */
int rest_embed_refresh(rest_ctx_t *c, pgrst_error_t *err);

/* An error an embed raised while rows were matched (a policy expression);
 * 0 when none. Check before rest_plan_work_error. */
int rest_embed_error(rest_ctx_t *c, pgrst_error_t *err);

/* One root row's output cells: its columns, then each embed's key (or a
 * spread's columns) in the select tree's order. Values are borrowed from the
 * row or owned by *cells (release with rest_embed_cells_dispose). Returns
 * the count or -1 (a ::cast failing). */
typedef struct rest_embed_cells {
    render_cell_t *cells;
    size_t count, cap;
    pgvalue_t **owned;
    size_t owned_count, owned_cap;
} rest_embed_cells_t;
int rest_embed_row(rest_ctx_t *c, const store_row_t *row, rest_embed_cells_t *cells,
                   pgrst_error_t *err);
void rest_embed_cells_dispose(rest_embed_cells_t *cells);
/* Tells the root's groups (its select has aggregates, or a to-one spread
 * under it does: hoistSpreadAggFunctions) which of a root row's cells are
 * folded how; nothing without embeds. */
struct rest_groups;
void rest_embed_group_layout(rest_ctx_t *c, struct rest_groups *g);

/* The output keys of a root row (CSV's header), in order; array in arena. */
size_t rest_embed_keys(rest_ctx_t *c, const char ***keys);

void rest_embed_dispose(rest_ctx_t *c);

#endif
