/* The read plan tree of a request on the database engine (PostgREST's
 * Plan.hs readPlan): one node per resource of the select tree, each with
 * its relationship to its parent (findRel, with PGRST200/PGRST201), the
 * filters, logic trees, order and range the query string gives it
 * (PGRST108 for a path that names no embedded resource), related orders
 * checked (PGRST118) and spreads marked to-one or to-many. pg_sql.c turns
 * the tree into SQL. Everything lives in the request's arena. */
#ifndef MOCK_PG_PLAN_H
#define MOCK_PG_PLAN_H

#include "engine.h"
#include "pg_schema.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum pg_spread { PG_SPREAD_NONE, PG_SPREAD_TO_ONE, PG_SPREAD_TO_MANY } pg_spread_t;

typedef struct pg_node pg_node_t;
struct pg_node {
    const pg_schema_t *cache; /* for data representations */
    /* The relation read: the request's at the root (NULL for a call's
     * result that is no relation), relForeignTable below. */
    const engine_relation_t *rel;
    /* The relation relName names (NULL when it names none, e.g. a
     * constraint): what PostgREST resolves the node's fields against. */
    const engine_relation_t *field_rel;
    const char *name;  /* relName */
    const char *alias; /* relAlias */
    const char *hint;
    bool inner;
    pg_spread_t spread;
    const pg_rel_t *to_parent; /* NULL at the root */
    const char *from_alias;    /* FROM ... AS this; NULL for none */
    const char *agg_alias;     /* relAggAlias */
    int depth;
    bool expand_stars; /* in or under a to-many spread: "*" becomes the columns */
    /* The plain select items (no embeds), in select order. */
    const pgrst_select_item_t **select;
    size_t select_count;
    pg_node_t **children; /* forest order */
    size_t child_count;
    /* where_: logic trees, then filters, each group in query order. */
    const pgrst_logic_t **where;
    size_t where_count;
    /* order: the terms of the node's order parameter; related[i] is the
     * relAggAlias a related term orders by (NULL for a plain term). */
    const pgrst_order_term_t **order;
    const char **related;
    size_t order_count;
    long long limit; /* -1: none */
    long long offset;
    bool ranged; /* limitOffsetF writes LIMIT/OFFSET */
};

/* Builds the tree for req over the cache. Returns the root, or NULL with err
 * set. `mutation`: the root's filters and logic trees belong to the
 * mutation (qsFiltersNotRoot), ranges are not applied, and the root reads
 * pgrst_source aliased as the table. db_max_rows (0: none) restricts every
 * node's range on reads (treeRestrictRange). */
pg_node_t *pg_plan_build(const pg_schema_t *cache, const engine_request_t *req, bool mutation,
                         long long db_max_rows, pgrst_error_t *err);

/* The same for a call's result (callReadPlan): the root reads pgrst_source
 * aliased as the function's composite type (funcTableName) or, for a scalar,
 * the function's name; rel is that type's relation, NULL when it is none.
 * Its filters and ranges are the read's. */
pg_node_t *pg_plan_build_call(const pg_schema_t *cache, const engine_request_t *req,
                              const engine_relation_t *rel, long long db_max_rows,
                              pgrst_error_t *err);

/* A child of node whose name or alias is `name` and whose filter is
 * `is.null` / `not.is.null` turns into a test of the embed
 * (addNullEmbedFilters); returns that child or NULL. */
const pg_node_t *pg_plan_null_embed(const pg_node_t *node, const pgrst_filter_t *f);

/* rsEmptyEmbed: the node and all below it select nothing. */
bool pg_plan_empty_embed(const pg_node_t *node);

#endif
