/* Resource embedding (see rest_embed.h). The select tree becomes a tree of
 * nodes, one per embedded resource; each node has its own compiled plan
 * (rest_plan.c) and finds its rows for a parent row through the relationship
 * (relationships.c), as the LATERAL subquery PostgREST generates does. Nodes
 * and their arrays live in the request's arena; row lists while evaluating
 * are heap buffers freed before returning. */
#include "rest_embed.h"

#include "relationships.h"
#include "rest_aggregate.h"
#include "rest_computed.h"
#include "security.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct enode enode_t;
typedef struct rest_embed rest_embed_t;

struct enode {
    rest_embed_t *e;
    const pgrst_select_item_t *item; /* NULL: the root */
    const char *name;                /* relName */
    const char *key;                 /* fromMaybe relName relAlias */
    const store_table_t *table;
    mem_rel_t rel; /* to the parent (not the root) */
    bool spread, inner, to_one, empty;
    int depth;
    const char *alias;     /* the table's alias in Postgres messages (projects_1) */
    const char *agg_alias; /* the LATERAL subquery's alias (clients_projects_1) */
    const pgrst_select_item_t *items;
    size_t item_count;
    enode_t **kids;
    size_t kid_count;
    /* What the request placed on this embed. */
    pgrst_logic_t *where;
    size_t where_count;
    pgrst_order_term_t *order;
    size_t order_count;
    int64_t limit, offset;
    /* Compiled. */
    rest_plan_t *plan; /* the root's is the request's c->plan */
    rest_plan_t own_plan;
    rest_embed_hooks_t hooks;
    const char **keys;
    size_t *inner_kids;
    bool rls, junction_rls;
};

struct rest_embed {
    rest_ctx_t *c;
    enode_t *root;
    bool mutation;
    bool failed;
    pgrst_error_t err; /* the first error raised while evaluating */
};

static const pgtype_t jsonb_type = {.kind = PGTYPE_JSONB, .length = -1};

/* ---- the tree ---- */

static enode_t *build(rest_embed_t *e, const pgrst_select_item_t *item,
                      const pgrst_select_item_t *items, size_t n, int depth)
{
    arena_t *a = e->c->arena;
    enode_t *nd = arena_calloc(a, 1, sizeof *nd);
    nd->e = e;
    nd->item = item;
    nd->depth = depth;
    nd->items = items;
    nd->item_count = n;
    nd->limit = -1;
    if (item) {
        nd->name = item->embed_name ? item->embed_name : item->field.name;
        nd->key = item->alias ? item->alias : nd->name;
        nd->spread = item->is_spread;
        nd->inner = item->join_type && strcmp(item->join_type, "inner") == 0;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += items[i].is_embed;
    nd->kids = arena_calloc(a, k ? k : 1, sizeof *nd->kids);
    for (size_t i = 0; i < n; i++)
        if (items[i].is_embed)
            nd->kids[nd->kid_count++] =
                build(e, &items[i], items[i].children, items[i].child_count, depth + 1);
    return nd;
}

static int not_embedded(const char *name, pgrst_error_t *err)
{
    pgrst_error_setf(err, "PGRST108", "'%s' is not an embedded resource in this request", name);
    pgrst_error_hintf(err, "Verify that '%s' is included in the 'select' query parameter.", name);
    return -1;
}

/* PostgREST v14's updateNode findNode: the first embed of the forest whose
 * target (relName) or alias is the step, so `rel.col=...` reaches an aliased
 * embed by its target too. (v16 made that its url-use-legacy-target-names
 * setting, whose false matches the alias only; v14 has no such setting.) */
static bool names_embed(const enode_t *k, const char *step)
{
    return strcmp(k->name, step) == 0 || (k->item->alias && strcmp(k->item->alias, step) == 0);
}

/* updateNode (Plan.hs): the embed at `path`, moving each node on the way to
 * the front of its parent's forest, as PostgREST rebuilds the forest;
 * PGRST108 when a step names none. */
static enode_t *find_path(enode_t *root, const char *const *path, size_t len, pgrst_error_t *err)
{
    enode_t *nd = root;
    for (size_t i = 0; i < len; i++) {
        size_t j = 0;
        while (j < nd->kid_count && !names_embed(nd->kids[j], path[i]))
            j++;
        if (j == nd->kid_count) {
            not_embedded(path[i], err);
            return NULL;
        }
        enode_t *found = nd->kids[j];
        memmove(&nd->kids[1], &nd->kids[0], j * sizeof *nd->kids);
        nd->kids[0] = found;
        nd = found;
    }
    return nd;
}

static void logic_path(const pgrst_logic_t *l, const char *const **path, size_t *len)
{
    if (l->kind == PGRST_LOGIC_FILTER) {
        *path = l->filter.field.relation;
        *len = l->filter.field.relation_len;
    } else {
        *path = l->relation;
        *len = l->relation_len;
    }
}

/* Places filters, orders, ranges and logic trees on their embeds in the
 * order Plan.hs applies them (addFilters, addOrders, addRanges,
 * addLogicTrees, each a foldr: the last parameter first), so that both the
 * PGRST108 reported and the forest's final order are PostgREST's. */
static int place(rest_embed_t *e, pgrst_error_t *err)
{
    rest_ctx_t *c = e->c;
    arena_t *a = c->arena;
    pgrst_query_t *q = &c->q;
    enode_t **wt = arena_calloc(a, q->where_count + 1, sizeof *wt);
    enode_t **ot = arena_calloc(a, q->order_count + 1, sizeof *ot);
    for (int pass = 0; pass < 2; pass++) { /* filters, then logic trees */
        if (pass == 1) {
            /* orders and ranges come between */
            for (size_t i = q->order_count; i-- > 0;) {
                if (!q->order[i].field.relation_len)
                    continue;
                ot[i] = find_path(e->root, q->order[i].field.relation,
                                  q->order[i].field.relation_len, err);
                if (!ot[i])
                    return -1;
                ot[i]->order_count++;
            }
            for (size_t i = q->embed_range_count; !e->mutation && i-- > 0;) {
                const pgrst_embed_range_t *r = &q->embed_ranges[i];
                enode_t *nd = find_path(e->root, r->relation, r->relation_len, err);
                if (!nd)
                    return -1;
                nd->limit = r->limit;
                nd->offset = r->offset;
            }
        }
        for (size_t i = q->where_count; i-- > 0;) {
            const pgrst_logic_t *l = &q->where[i];
            if ((l->kind == PGRST_LOGIC_FILTER) != (pass == 0))
                continue;
            const char *const *path;
            size_t len;
            logic_path(l, &path, &len);
            if (!len)
                continue;
            wt[i] = find_path(e->root, path, len, err);
            if (!wt[i])
                return -1;
            wt[i]->where_count++;
        }
    }
    /* Fill the embeds' lists in query order; the root keeps its own. */
    pgrst_logic_t *root_where = arena_calloc(a, q->where_count + 1, sizeof *root_where);
    pgrst_order_term_t *root_order = arena_calloc(a, q->order_count + 1, sizeof *root_order);
    size_t rw = 0, ro = 0;
    for (size_t i = 0; i < q->where_count; i++) {
        enode_t *nd = wt[i];
        if (!nd) {
            root_where[rw++] = q->where[i];
            continue;
        }
        if (!nd->where)
            nd->where = arena_calloc(a, nd->where_count, sizeof *nd->where), nd->where_count = 0;
        pgrst_logic_t copy = q->where[i];
        if (copy.kind == PGRST_LOGIC_FILTER) {
            copy.filter.field.relation = NULL;
            copy.filter.field.relation_len = 0;
        } else {
            copy.relation = NULL;
            copy.relation_len = 0;
        }
        nd->where[nd->where_count++] = copy;
    }
    for (size_t i = 0; i < q->order_count; i++) {
        enode_t *nd = ot[i];
        if (!nd) {
            root_order[ro++] = q->order[i];
            continue;
        }
        if (!nd->order)
            nd->order = arena_calloc(a, nd->order_count, sizeof *nd->order), nd->order_count = 0;
        pgrst_order_term_t copy = q->order[i];
        copy.field.relation = NULL;
        copy.field.relation_len = 0;
        nd->order[nd->order_count++] = copy;
    }
    q->where = root_where;
    q->where_count = rw;
    q->order = root_order;
    q->order_count = ro;
    return 0;
}

/* addRels: every embed's relationship, parents before children. */
static int resolve(rest_embed_t *e, enode_t *nd, pgrst_error_t *err)
{
    rest_ctx_t *c = e->c;
    for (size_t i = 0; i < nd->kid_count; i++) {
        enode_t *k = nd->kids[i];
        mem_rel_t *computed;
        size_t ncomputed = rest_computed_rels(c->computed, nd->table, c->arena, &computed);
        const store_t *rs = c->store;
        const store_table_t *origin = rest_computed_origin(c->computed, nd->table, &rs);
        /* the store's relationships are the engine's, computed once; a
         * call's result has its own */
        if (mem_rel_find_with(rs, rs == c->store ? c->rels : NULL, origin, computed, ncomputed,
                              k->name, k->item->embed_hint, c->arena, &k->rel, err) < 0)
            return -1;
        k->table = k->rel.ftable;
        k->to_one = mem_rel_to_one(&k->rel);
        k->alias = k->rel.card == MEM_M2M
                       ? store_table_name(k->table)
                       : arena_sprintf(c->arena, "%s_%d", store_table_name(k->table), k->depth);
        k->agg_alias =
            arena_sprintf(c->arena, "%s_%s_%d", store_table_name(nd->table), k->key, k->depth);
        if (resolve(e, k, err) < 0)
            return -1;
    }
    return 0;
}

static int refresh_node(rest_ctx_t *c, const enode_t *nd, pgrst_error_t *err)
{
    for (size_t i = 0; i < nd->kid_count; i++) {
        const enode_t *k = nd->kids[i];
        if (rest_refresh(c, k->table, err) < 0 ||
            (k->rel.card == MEM_M2M && rest_refresh(c, k->rel.junction, err) < 0) ||
            refresh_node(c, k, err) < 0)
            return -1;
    }
    return 0;
}

int rest_embed_refresh(rest_ctx_t *c, pgrst_error_t *err)
{
    return c->embed && c->embed->root ? refresh_node(c, c->embed->root, err) : 0;
}

static enode_t *kid_by_key(const enode_t *nd, const char *key)
{
    for (size_t i = 0; i < nd->kid_count; i++)
        if (strcmp(nd->kids[i]->key, key) == 0)
            return nd->kids[i];
    return NULL;
}

/* addRelatedOrders: order=rel(col) needs `rel` embedded and to-one. */
static int related_orders(enode_t *nd, const pgrst_order_term_t *order, size_t n,
                          pgrst_error_t *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!order[i].related)
            continue;
        const enode_t *k = kid_by_key(nd, order[i].related);
        if (!k)
            return not_embedded(order[i].related, err);
        if (!k->to_one) {
            pgrst_error_setf(err, "PGRST118", "A related order on '%s' is not possible", k->key);
            pgrst_error_detailsf(
                err, "'%s' and '%s' do not form a many-to-one or one-to-one relationship",
                store_table_name(nd->table), k->key);
            return -1;
        }
    }
    for (size_t i = 0; i < nd->kid_count; i++)
        if (related_orders(nd->kids[i], nd->kids[i]->order, nd->kids[i]->order_count, err) < 0)
            return -1;
    return 0;
}

/* rsEmptyEmbed: no column selected here nor anywhere below (rel()). */
static bool mark_empty(enode_t *nd)
{
    bool empty = true;
    for (size_t i = 0; i < nd->item_count; i++)
        if (!nd->items[i].is_embed)
            empty = false;
    for (size_t i = 0; i < nd->kid_count; i++)
        if (!mark_empty(nd->kids[i]))
            empty = false;
    nd->empty = empty;
    return empty;
}

/* ---- evaluation ---- */

typedef struct rowlist {
    store_row_t **rows;
    size_t n, cap;
} rowlist_t;

static void rows_push(rowlist_t *l, store_row_t *r)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->rows = xrealloc(l->rows, l->cap * sizeof *l->rows);
    }
    l->rows[l->n++] = r;
}

static void fail(rest_embed_t *e, pgrst_error_t *err)
{
    if (!e->failed) {
        e->failed = true;
        pgrst_error_move(&e->err, err);
        mock_work_fail(&e->c->work, "XX000", "embedded resource");
    }
    pgrst_error_dispose(err);
}

static bool row_visible(rest_embed_t *e, const store_table_t *t, bool rls, const store_row_t *r)
{
    if (!rls)
        return true;
    rest_ctx_t *c = e->c;
    policy_eval_env_t env = {.row = store_row_values(r), .claims = c->claims, .role = c->role};
    bool vis = false;
    pgrst_error_t err;
    pgrst_error_init(&err);
    if (security_row_visible(c->sec, t, SECURITY_CMD_SELECT, &env, &vis, &err) < 0) {
        fail(e, &err);
        return false;
    }
    return vis;
}

/* Rows of t whose columns tcols[i] equal vals[vcols[i]] (i < n), in heap
 * order; none when a value is NULL (an equality join). */
static void rows_equal(rest_embed_t *e, const store_table_t *t, const size_t *tcols,
                       const pgvalue_t *vals, const size_t *vcols, size_t n, rowlist_t *out)
{
    for (size_t i = 0; i < n; i++)
        if (vals[vcols[i]].is_null)
            return;
    if (n == 1 && store_column_is_indexed(t, tcols[0])) {
        store_row_t *r = store_index_lookup(t, tcols[0], &vals[vcols[0]]);
        if (r)
            rows_push(out, r);
        return;
    }
    for (store_row_t *r = store_table_first(t); r; r = store_row_next(r)) {
        if (!mock_work_charge(&e->c->work, 4 * n))
            return;
        bool same = true;
        for (size_t i = 0; i < n && same; i++) {
            const pgvalue_t *x = &store_row_values(r)[tcols[i]];
            same = !x->is_null &&
                   pgvalue_compare(&store_table_column(t, tcols[i])->type, x, &vals[vcols[i]]) == 0;
        }
        if (same)
            rows_push(out, r);
    }
}

/* The rows of embed k for a row of its parent: joined, filtered (its where,
 * its !inner embeds, row-level security), ordered and ranged, as its LATERAL
 * subquery returns them. The caller frees out->rows. */
static void kid_rows(enode_t *k, const store_row_t *parent, rowlist_t *out)
{
    rest_embed_t *e = k->e;
    const mem_rel_t *r = &k->rel;
    const pgvalue_t *pv = store_row_values(parent);
    /* Every subquery run costs a step, indexed or not, so that nested
     * embeds fanning out stop with the statement's work. */
    if (!mock_work_charge(&e->c->work, 1))
        return;
    if (r->fn) {
        /* FROM fn(parent) */
        store_row_t **rows;
        size_t n = rest_computed_rel_rows(e->c->computed, r, parent, &rows);
        for (size_t i = 0; i < n; i++)
            rows_push(out, rows[i]);
        free(rows);
    } else if (r->card == MEM_M2M) {
        /* FROM ftable, junction WHERE ftable.fcols = junction.jfcols AND
         * junction.jcols = parent.cols */
        rowlist_t links = {0};
        rows_equal(e, r->junction, r->jcols, pv, r->cols, r->ncols, &links);
        for (size_t i = 0; i < links.n; i++)
            if (row_visible(e, r->junction, k->junction_rls, links.rows[i]))
                rows_equal(e, k->table, r->fcols, store_row_values(links.rows[i]), r->jfcols,
                           r->nfcols, out);
        free(links.rows);
    } else {
        rows_equal(e, k->table, r->fcols, pv, r->cols, r->ncols, out);
    }
    size_t kept = 0;
    if (!mock_work_charge(&e->c->work, out->n))
        out->n = 0;
    for (size_t i = 0; i < out->n; i++)
        if (rest_plan_matches(k->plan, out->rows[i]) &&
            row_visible(e, k->table, k->rls, out->rows[i]))
            out->rows[kept++] = out->rows[i];
    out->n = kept;
    rest_plan_sort(k->plan, out->rows, out->n);
    /* LIMIT/OFFSET of the embed's range (rel.limit / rel.offset) */
    size_t first = k->offset > 0 ? (size_t)k->offset : 0;
    if (first > out->n)
        first = out->n;
    size_t last = out->n;
    if (k->limit >= 0 && first + (size_t)k->limit < last)
        last = first + (size_t)k->limit;
    if (first)
        memmove(out->rows, out->rows + first, (last - first) * sizeof *out->rows);
    out->n = last - first;
}

static bool hook_is_null(void *ctx, size_t i, const store_row_t *row)
{
    enode_t *nd = ctx;
    rowlist_t l = {0};
    kid_rows(nd->kids[i], row, &l);
    free(l.rows);
    return l.n == 0;
}

static int hook_resolve_related(void *ctx, const char *rel, const pgrst_field_t *f, size_t *embed,
                                size_t *out, pgtype_t *type, pgrst_error_t *err)
{
    enode_t *nd = ctx;
    for (size_t i = 0; i < nd->kid_count; i++) {
        enode_t *k = nd->kids[i];
        if (strcmp(k->key, rel) != 0)
            continue;
        /* ORDER BY "<agg alias>"."col": only what the subquery selects. */
        for (size_t j = 0; j < k->plan->out_count; j++)
            if (strcmp(rest_plan_out_key(k->plan, j), f->name) == 0) {
                *embed = i;
                *out = j;
                *type = *rest_plan_out_type(k->plan, j);
                return 0;
            }
        return pgrst_error_setf(err, "42703", "column %s.%s does not exist", k->agg_alias, f->name);
    }
    return not_embedded(rel, err);
}

static const pgvalue_t *hook_related_value(void *ctx, size_t i, size_t out, const store_row_t *row,
                                           pgvalue_t *tmp)
{
    enode_t *nd = ctx;
    enode_t *k = nd->kids[i];
    rowlist_t l = {0};
    kid_rows(k, row, &l);
    const pgvalue_t *v = tmp;
    pgvalue_init_null(tmp);
    if (l.n)
        v = rest_plan_out_value(k->plan, out, l.rows[0], tmp);
    free(l.rows);
    return v;
}

/* ---- compiling ---- */

static int compile(rest_embed_t *e, enode_t *nd, pgrst_error_t *err)
{
    rest_ctx_t *c = e->c;
    arena_t *a = c->arena;
    /* The LATERAL subqueries are analysed with the FROM clause, before the
     * target list and WHERE of the query around them. */
    for (size_t i = 0; i < nd->kid_count; i++)
        if (compile(e, nd->kids[i], err) < 0)
            return -1;
    bool root = nd == e->root;
    nd->plan = root ? &c->plan : &nd->own_plan;
    rest_plan_t *p = nd->plan;
    p->table = nd->table;
    p->aggregates_enabled = c->sc->db_aggregates_enabled;
    p->alias = root ? NULL : nd->alias;
    p->index_col = -1;
    p->work = &c->work;
    p->datarep = c->plan.datarep;
    p->call = c->plan.call;
    p->computed = c->computed;
    /* A computed relationship's rows are what its function's statements
     * read, under their own row-level security. */
    nd->rls = !nd->rel.fn && security_rls_applies(c->sec, nd->table, c->role);
    if (!root && nd->rel.card == MEM_M2M)
        nd->junction_rls = security_rls_applies(c->sec, nd->rel.junction, c->role);
    if (nd->kid_count) {
        nd->keys = arena_calloc(a, nd->kid_count, sizeof *nd->keys);
        nd->inner_kids = arena_calloc(a, nd->kid_count, sizeof *nd->inner_kids);
        size_t ni = 0;
        for (size_t i = 0; i < nd->kid_count; i++) {
            nd->keys[i] = nd->kids[i]->key;
            if (nd->kids[i]->inner)
                nd->inner_kids[ni++] = i;
        }
        bool root_write = root && e->mutation;
        nd->hooks = (rest_embed_hooks_t){
            .ctx = nd,
            .keys = nd->keys,
            /* A write's own filters are the statement's, not the read-back's. */
            .count = root_write ? 0 : nd->kid_count,
            .is_null = hook_is_null,
            .resolve_related = hook_resolve_related,
            .related_value = hook_related_value,
            .inner = nd->inner_kids,
            .inner_count = root_write ? 0 : ni,
        };
        p->embeds = &nd->hooks;
    }
    if (rest_plan_select(p, a, c->store, nd->items, nd->item_count, err) < 0)
        return -1;
    if (!root && nd->spread && !nd->to_one && p->has_aggregates) {
        /* addToManyOrderSelects (Plan.hs) */
        pgrst_error_setf(err, "PGRST127", "Feature not implemented");
        pgrst_error_detailsf(err, "Aggregates are not implemented for one-to-many or "
                                  "many-to-many spreads.");
        return -1;
    }
    if (root)
        return 0; /* the caller compiles the root's where and order */
    if (rest_plan_where(p, a, nd->table, nd->where, nd->where_count, err) < 0)
        return -1;
    p->work = &c->work;
    return rest_plan_order(p, a, nd->order, nd->order_count, err);
}

/* hoistSpreadAggFunctions: the aggregates of a to-one spread (and of the
 * to-one spreads below it) belong to the nearest node above that is no
 * to-one spread, which groups its rows by everything else it selects, the
 * spread's columns included. Marks those nodes as grouping. Returns whether
 * nd, a to-one spread, has aggregates for its parent. */
static bool hoist(enode_t *nd)
{
    bool up = false;
    for (size_t i = 0; i < nd->kid_count; i++)
        if (hoist(nd->kids[i]))
            up = true;
    bool passes = nd->item && nd->spread && nd->to_one;
    if (passes)
        return up || nd->plan->has_aggregates;
    if (up)
        nd->plan->has_aggregates = true; /* the GROUP BY is this node's */
    return false;
}

/* The cells node_cells makes for one row of nd, in order: key, type and
 * aggregate (its own outputs and those of the to-one spreads it reaches
 * through; NULL for everything else). Counts when keys is NULL. */
static size_t layout_of(const enode_t *nd, bool aggs, const char **keys, const pgtype_t **types,
                        const rest_agg_spec_t **specs, size_t n)
{
    for (size_t j = 0; j < nd->plan->out_count; j++, n++)
        if (keys) {
            keys[n] = rest_plan_out_key(nd->plan, j);
            types[n] = rest_plan_out_type(nd->plan, j);
            specs[n] = aggs ? rest_plan_out_agg(nd->plan, j) : NULL;
        }
    for (size_t i = 0; i < nd->kid_count; i++) {
        const enode_t *k = nd->kids[i];
        if (k->empty)
            continue;
        if (k->spread) {
            n = layout_of(k, aggs && k->to_one, keys, types, specs, n);
            continue;
        }
        if (keys) {
            keys[n] = k->key;
            types[n] = &jsonb_type;
            specs[n] = NULL;
        }
        n++;
    }
    return n;
}

static void set_layout(const enode_t *nd, rest_groups_t *g)
{
    arena_t *a = nd->e->c->arena;
    size_t n = layout_of(nd, true, NULL, NULL, NULL, 0);
    const char **keys = arena_calloc(a, n ? n : 1, sizeof *keys);
    const pgtype_t **types = arena_calloc(a, n ? n : 1, sizeof *types);
    const rest_agg_spec_t **specs = arena_calloc(a, n ? n : 1, sizeof *specs);
    layout_of(nd, true, keys, types, specs, 0);
    rest_groups_set_layout(g, keys, types, specs, n);
}

void rest_embed_group_layout(rest_ctx_t *c, rest_groups_t *g)
{
    if (c->embed && c->embed->root->kid_count)
        set_layout(c->embed->root, g);
}

int rest_embed_plan(rest_ctx_t *c, bool mutation, pgrst_error_t *err)
{
    rest_embed_t *e = arena_calloc(c->arena, 1, sizeof *e);
    e->c = c;
    e->mutation = mutation;
    pgrst_error_init(&e->err);
    c->embed = e;
    e->root = build(e, NULL, c->q.select, c->q.select_count, 0);
    e->root->table = c->table;
    e->root->name = e->root->key = store_table_name(c->table);
    if (place(e, err) < 0)
        return -1;
    if (resolve(e, e->root, err) < 0)
        return -1;
    if (related_orders(e->root, c->q.order, c->q.order_count, err) < 0)
        return -1;
    mark_empty(e->root);
    if (compile(e, e->root, err) < 0)
        return -1;
    hoist(e->root);
    return 0;
}

static int require_tree(rest_ctx_t *c, const enode_t *nd, pgrst_error_t *err)
{
    static const unsigned need[] = {SCENARIO_PRIV_SELECT};
    for (size_t i = 0; i < nd->kid_count; i++) {
        const enode_t *k = nd->kids[i];
        if (security_require(c->sec, k->table, c->role, need, 1, err) < 0)
            return -1;
        if (k->rel.card == MEM_M2M &&
            security_require(c->sec, k->rel.junction, c->role, need, 1, err) < 0)
            return -1;
        if (require_tree(c, k, err) < 0)
            return -1;
    }
    return 0;
}

int rest_embed_require(rest_ctx_t *c, pgrst_error_t *err)
{
    return c->embed ? require_tree(c, c->embed->root, err) : 0;
}

int rest_embed_error(rest_ctx_t *c, pgrst_error_t *err)
{
    if (!c->embed || !c->embed->failed)
        return 0;
    pgrst_error_move(err, &c->embed->err);
    return -1;
}

/* ---- rendering ---- */

static void cells_push(rest_embed_cells_t *cs, const char *key, const pgtype_t *type,
                       pgvalue_t *owned)
{
    if (cs->count == cs->cap) {
        cs->cap = cs->cap ? 2 * cs->cap : 16;
        cs->cells = xrealloc(cs->cells, cs->cap * sizeof *cs->cells);
    }
    if (cs->owned_count == cs->owned_cap) {
        cs->owned_cap = cs->owned_cap ? 2 * cs->owned_cap : 16;
        cs->owned = xrealloc(cs->owned, cs->owned_cap * sizeof *cs->owned);
    }
    cs->owned[cs->owned_count++] = owned;
    cs->cells[cs->count++] = (render_cell_t){.key = key, .type = type, .value = owned};
}

static pgvalue_t *new_value(void)
{
    pgvalue_t *v = xmalloc(sizeof *v);
    pgvalue_init_null(v);
    return v;
}

void rest_embed_cells_dispose(rest_embed_cells_t *cs)
{
    for (size_t i = 0; i < cs->owned_count; i++) {
        pgvalue_dispose(cs->owned[i]);
        free(cs->owned[i]);
    }
    free(cs->owned);
    free(cs->cells);
    memset(cs, 0, sizeof *cs);
}

static int node_cells(enode_t *nd, const store_row_t *row, rest_embed_cells_t *cs,
                      pgrst_error_t *err);

/* The jsonb value Postgres builds from text (row_to_json(...)::jsonb,
 * json_agg(...)::jsonb): canonical key order and spacing. */
static pgvalue_t *jsonb_of(const buf_t *text)
{
    pgvalue_t *v = new_value();
    pgrst_error_t ignored;
    pgrst_error_init(&ignored);
    if (pgvalue_from_text(&jsonb_type, buf_cstr(text), text->len, v, &ignored) < 0)
        pgvalue_init_null(v);
    pgrst_error_dispose(&ignored);
    return v;
}

static int row_json(enode_t *k, const store_row_t *row, buf_t *out, pgrst_error_t *err)
{
    rest_embed_cells_t tmp = {0};
    int rc = node_cells(k, row, &tmp, err);
    if (rc == 0)
        render_json_row(out, tmp.cells, tmp.count, false);
    rest_embed_cells_dispose(&tmp);
    return rc;
}

/* A to-one spread without a row: its columns, NULL. */
static void null_cells(enode_t *k, rest_embed_cells_t *cs)
{
    for (size_t j = 0; j < k->plan->out_count; j++)
        cells_push(cs, rest_plan_out_key(k->plan, j), rest_plan_out_type(k->plan, j), new_value());
    for (size_t i = 0; i < k->kid_count; i++) {
        enode_t *g = k->kids[i];
        if (g->empty)
            continue;
        if (g->spread && g->to_one)
            null_cells(g, cs);
        else if (g->spread) {
            /* nothing joins below a missing row: its arrays are NULL too */
            rest_embed_cells_t inner = {0};
            null_cells(g, &inner);
            for (size_t j = 0; j < inner.count; j++)
                cells_push(cs, inner.cells[j].key, &jsonb_type, new_value());
            rest_embed_cells_dispose(&inner);
        } else
            cells_push(cs, g->key, &jsonb_type, new_value());
    }
}

/* Rendering an embed costs a step per 4 bytes of JSON (it is parsed again
 * as jsonb at every level). */
static bool charge_bytes(rest_embed_t *e, size_t n)
{
    return mock_work_charge(&e->c->work, n / 4 + 1);
}

/* An embed whose select has aggregates: its rows grouped (the LATERAL
 * subquery's GROUP BY), as an array of the groups' rows, or the first one
 * for a to-one embed. */
static int grouped_json(enode_t *k, const rowlist_t *l, rest_embed_cells_t *cs, pgrst_error_t *err)
{
    rest_groups_t *g = rest_groups_new(k->plan, &k->e->c->work);
    set_layout(k, g);
    int rc = 0;
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        rest_embed_cells_t tmp = {0};
        rc = node_cells(k, l->rows[i], &tmp, err);
        if (rc == 0)
            rc = rest_groups_add(g, tmp.cells, tmp.count, err);
        rest_embed_cells_dispose(&tmp);
    }
    buf_t b;
    buf_init(&b);
    size_t n = rest_groups_count(g);
    if (!k->to_one)
        buf_putc(&b, '[');
    for (size_t i = 0; i < n && rc == 0 && (!k->to_one || i == 0); i++) {
        const render_cell_t *cells;
        int m = rest_groups_row(g, i, &cells, err);
        if (m < 0) {
            rc = -1;
            break;
        }
        if (i)
            buf_putc(&b, ',');
        render_json_row(&b, cells, (size_t)m, false);
    }
    if (!k->to_one)
        buf_putc(&b, ']');
    if (rc == 0)
        cells_push(cs, k->key, &jsonb_type,
                   b.len && charge_bytes(k->e, b.len) ? jsonb_of(&b) : new_value());
    buf_dispose(&b);
    rest_groups_free(g);
    return rc;
}

static int kid_cells(enode_t *k, const store_row_t *row, rest_embed_cells_t *cs, pgrst_error_t *err)
{
    if (mock_work_stopped(&k->e->c->work)) {
        /* the statement is over (57014 follows): keep the row's shape only */
        rest_embed_cells_t shape = {0};
        if (k->spread)
            null_cells(k, &shape);
        for (size_t j = 0; j < shape.count; j++)
            cells_push(cs, shape.cells[j].key, shape.cells[j].type, new_value());
        if (!k->spread)
            cells_push(cs, k->key, &jsonb_type, new_value());
        rest_embed_cells_dispose(&shape);
        return 0;
    }
    rowlist_t l = {0};
    kid_rows(k, row, &l);
    int rc = 0;
    if (k->spread && k->to_one) {
        if (l.n)
            rc = node_cells(k, l.rows[0], cs, err);
        else
            null_cells(k, cs);
    } else if (k->spread) {
        /* COALESCE(json_agg(field),'[]')::jsonb per spread field */
        rest_embed_cells_t *per = xcalloc(l.n ? l.n : 1, sizeof *per);
        for (size_t i = 0; i < l.n && rc == 0; i++)
            rc = node_cells(k, l.rows[i], &per[i], err);
        if (rc == 0) {
            rest_embed_cells_t shape = {0};
            null_cells(k, &shape);
            for (size_t j = 0; j < shape.count; j++) {
                buf_t b;
                buf_init(&b);
                buf_putc(&b, '[');
                for (size_t i = 0; i < l.n; i++) {
                    if (i)
                        buf_putc(&b, ',');
                    pgvalue_render_json(per[i].cells[j].type, per[i].cells[j].value, &b);
                }
                buf_putc(&b, ']');
                cells_push(cs, shape.cells[j].key, &jsonb_type,
                           charge_bytes(k->e, b.len) ? jsonb_of(&b) : new_value());
                buf_dispose(&b);
            }
            rest_embed_cells_dispose(&shape);
        }
        for (size_t i = 0; i < l.n; i++)
            rest_embed_cells_dispose(&per[i]);
        free(per);
    } else if (k->plan->has_aggregates) {
        rc = grouped_json(k, &l, cs, err);
    } else {
        buf_t b;
        buf_init(&b);
        if (k->to_one) {
            if (l.n)
                rc = row_json(k, l.rows[0], &b, err);
        } else {
            buf_putc(&b, '[');
            for (size_t i = 0; i < l.n && rc == 0; i++) {
                if (i)
                    buf_putc(&b, ',');
                rc = row_json(k, l.rows[i], &b, err);
            }
            buf_putc(&b, ']');
        }
        if (rc == 0)
            cells_push(cs, k->key, &jsonb_type,
                       b.len && charge_bytes(k->e, b.len) ? jsonb_of(&b) : new_value());
        buf_dispose(&b);
    }
    free(l.rows);
    return rc;
}

static int node_cells(enode_t *nd, const store_row_t *row, rest_embed_cells_t *cs,
                      pgrst_error_t *err)
{
    rest_ctx_t *c = nd->e->c;
    rest_scratch_t scratch = {0};
    render_cell_t *pc = NULL;
    int k = rest_plan_project(nd->plan, c->arena, row, &pc, &scratch, err);
    if (k < 0) {
        rest_plan_scratch_dispose(&scratch);
        return -1;
    }
    for (int i = 0; i < k; i++) {
        pgvalue_t *v = new_value();
        pgvalue_copy(v, pc[i].value);
        cells_push(cs, pc[i].key, pc[i].type, v);
    }
    rest_plan_scratch_dispose(&scratch);
    for (size_t i = 0; i < nd->kid_count; i++) {
        if (nd->kids[i]->empty)
            continue;
        if (kid_cells(nd->kids[i], row, cs, err) < 0)
            return -1;
    }
    return 0;
}

int rest_embed_row(rest_ctx_t *c, const store_row_t *row, rest_embed_cells_t *cells,
                   pgrst_error_t *err)
{
    if (node_cells(c->embed->root, row, cells, err) < 0)
        return -1;
    return (int)cells->count;
}

static void keys_of(const enode_t *nd, const char **keys, size_t *n, bool collect)
{
    for (size_t j = 0; j < nd->plan->out_count; j++) {
        if (collect)
            keys[*n] = rest_plan_out_key(nd->plan, j);
        (*n)++;
    }
    for (size_t i = 0; i < nd->kid_count; i++) {
        const enode_t *k = nd->kids[i];
        if (k->empty)
            continue;
        if (k->spread) {
            keys_of(k, keys, n, collect);
        } else {
            if (collect)
                keys[*n] = k->key;
            (*n)++;
        }
    }
}

size_t rest_embed_keys(rest_ctx_t *c, const char ***keys)
{
    size_t n = 0;
    keys_of(c->embed->root, NULL, &n, false);
    *keys = arena_calloc(c->arena, n ? n : 1, sizeof **keys);
    size_t m = 0;
    keys_of(c->embed->root, *keys, &m, true);
    return m;
}

static void dispose_tree(enode_t *nd, bool root)
{
    for (size_t i = 0; i < nd->kid_count; i++)
        dispose_tree(nd->kids[i], false);
    if (!root)
        rest_plan_dispose(&nd->own_plan);
}

void rest_embed_dispose(rest_ctx_t *c)
{
    if (!c->embed)
        return;
    dispose_tree(c->embed->root, true);
    pgrst_error_dispose(&c->embed->err);
    c->embed = NULL;
}
