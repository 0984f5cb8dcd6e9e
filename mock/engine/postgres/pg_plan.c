/* The read plan tree (see pg_plan.h), built in readPlan's order: the
 * select tree (initReadRequest), filters, orders, ranges and logic trees
 * placed by embed path (addFilters ... addLogicTrees, each moving the node
 * it updates to the front of its forest as updateNode does), relationships
 * (addRels), related orders (addRelatedOrders), to-many spreads and the
 * aggregate check. The first error in that order wins, as there. */
#include "pg_plan.h"

#include "buf.h"
#include "fuzzy.h"

#include <string.h>
#include <strings.h>

/* fuzzyset's `get` keeps matches scoring at least 0.33 (its default). */
#define PLAN_FUZZY_MIN 0.33

typedef struct builder {
    const pg_schema_t *cache;
    const engine_request_t *req;
    const char *schema;
    arena_t *arena;
    pgrst_error_t *err;
} builder_t;

static pg_node_t *new_node(builder_t *b, const pgrst_select_item_t *items, size_t n, int depth)
{
    pg_node_t *node = arena_calloc(b->arena, 1, sizeof *node);
    node->cache = b->cache;
    node->depth = depth;
    node->limit = -1;
    node->select = arena_calloc(b->arena, n ? n : 1, sizeof *node->select);
    node->children = arena_calloc(b->arena, n ? n : 1, sizeof *node->children);
    for (size_t i = 0; i < n; i++) {
        const pgrst_select_item_t *it = &items[i];
        if (!it->is_embed && !it->is_spread) {
            node->select[node->select_count++] = it;
            continue;
        }
        pg_node_t *c = new_node(b, it->children, it->child_count, depth + 1);
        c->name = it->embed_name;
        c->alias = it->is_spread ? NULL : it->alias;
        c->hint = it->embed_hint;
        c->inner = it->join_type && strcmp(it->join_type, "inner") == 0;
        c->spread = it->is_spread ? PG_SPREAD_TO_ONE : PG_SPREAD_NONE;
        c->field_rel = pg_schema_find_relation(b->cache, b->schema, c->name);
        node->children[node->child_count++] = c;
    }
    return node;
}

static int not_embedded(builder_t *b, const char *name)
{
    /* Error.hs NotEmbedded: v14's has no details (v16's names the alias
     * when url-use-legacy-target-names is false, a setting v14 lacks). */
    pgrst_error_setf(b->err, "PGRST108", "'%s' is not an embedded resource in this request", name);
    pgrst_error_hintf(b->err, "Verify that '%s' is included in the 'select' query parameter.",
                      name);
    return -1;
}

/* updateNode: the node at path (relName or alias at each step, the legacy
 * matching), moved to the front of each forest on the way; NULL with
 * PGRST108 when a step names none. */
static pg_node_t *find_path(builder_t *b, pg_node_t *root, const char *const *path, size_t n)
{
    pg_node_t *node = root;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < node->child_count && strcmp(node->children[k]->name, path[i]) != 0 &&
               !(node->children[k]->alias && strcmp(node->children[k]->alias, path[i]) == 0))
            k++;
        if (k == node->child_count) {
            not_embedded(b, path[i]);
            return NULL;
        }
        pg_node_t *c = node->children[k];
        memmove(node->children + 1, node->children, k * sizeof *node->children);
        node->children[0] = c;
        node = c;
    }
    return node;
}

static void prepend_where(builder_t *b, pg_node_t *node, const pgrst_logic_t *l)
{
    const pgrst_logic_t **w = arena_calloc(b->arena, node->where_count + 1, sizeof *node->where);
    w[0] = l;
    if (node->where_count)
        memcpy(w + 1, node->where, node->where_count * sizeof *w);
    node->where = w;
    node->where_count++;
}

static const char *const *logic_path(const pgrst_logic_t *l, size_t *n)
{
    if (l->kind == PGRST_LOGIC_FILTER) {
        *n = l->filter.field.relation_len;
        return l->filter.field.relation;
    }
    *n = l->relation_len;
    return l->relation;
}

/* addFilters (want_logic false) and addLogicTrees (true): a foldr, so the
 * last parameter is placed first and the first ends up in front. */
static int place_where(builder_t *b, pg_node_t *root, bool mutation, bool want_logic)
{
    const pgrst_query_t *q = b->req->query;
    for (size_t i = q->where_count; i-- > 0;) {
        const pgrst_logic_t *l = &q->where[i];
        if ((l->kind != PGRST_LOGIC_FILTER) != want_logic)
            continue;
        size_t n;
        const char *const *path = logic_path(l, &n);
        if (mutation && n == 0)
            continue; /* the mutation's own */
        pg_node_t *node = find_path(b, root, path, n);
        if (!node)
            return -1;
        prepend_where(b, node, l);
    }
    return 0;
}

static bool same_path(const char *const *a, size_t an, const char *const *p, size_t pn)
{
    if (an != pn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (strcmp(a[i], p[i]) != 0)
            return false;
    return true;
}

/* addOrders: one group of terms per embed path (pgrst_query.c keeps the
 * first order parameter of each). */
static int place_orders(builder_t *b, pg_node_t *root)
{
    const pgrst_query_t *q = b->req->query;
    size_t end = q->order_count;
    while (end > 0) {
        const pgrst_field_t *f = &q->order[end - 1].field;
        size_t start = end - 1;
        while (start > 0 &&
               same_path(q->order[start - 1].field.relation, q->order[start - 1].field.relation_len,
                         f->relation, f->relation_len))
            start--;
        pg_node_t *node = find_path(b, root, f->relation, f->relation_len);
        if (!node)
            return -1;
        node->order_count = end - start;
        node->order = arena_calloc(b->arena, node->order_count, sizeof *node->order);
        node->related = arena_calloc(b->arena, node->order_count, sizeof *node->related);
        for (size_t i = start; i < end; i++)
            node->order[i - start] = &q->order[i];
        end = start;
    }
    return 0;
}

/* addRanges (reads only): rel.limit / rel.offset. */
static int place_ranges(builder_t *b, pg_node_t *root)
{
    const pgrst_query_t *q = b->req->query;
    for (size_t i = q->embed_range_count; i-- > 0;) {
        const pgrst_embed_range_t *r = &q->embed_ranges[i];
        pg_node_t *node = find_path(b, root, r->relation, r->relation_len);
        if (!node)
            return -1;
        node->limit = r->limit;
        node->offset = r->offset;
        node->ranged = r->limit >= 0 || r->offset > 0;
    }
    return 0;
}

/* ---- findRel ---- */

static bool single(const pg_rel_t *r)
{
    return r->card != PG_M2M && r->ncols == 1;
}

static bool match_constraint(const pg_rel_t *r, const char *x)
{
    return r->card != PG_M2M && strcmp(r->cons, x) == 0;
}

static bool match_fk_col(const pg_rel_t *r, const char *x)
{
    return single(r) && strcmp(r->cols[0].a, x) == 0;
}

static bool match_fk_ref_col(const pg_rel_t *r, const char *x)
{
    return single(r) && strcmp(r->cols[0].b, x) == 0;
}

static bool matches(const pg_rel_t *r, const char *target, const char *hint)
{
    if (r->computed)
        return strcmp(r->function.name, target) == 0;
    bool to_target = strcmp(r->ftable.name, target) == 0;
    if (r->is_self) {
        if (!hint)
            return (to_target && r->card == PG_O2M) ||
                   (match_fk_col(r, target) && r->card == PG_M2O);
        return to_target && r->card == PG_O2M && match_fk_ref_col(r, hint);
    }
    if (!hint)
        return to_target || (match_constraint(r, target) && !r->ftable_is_view) ||
               (match_fk_col(r, target) && !r->ftable_is_view);
    return to_target &&
           (match_constraint(r, hint) || match_fk_col(r, hint) || match_fk_ref_col(r, hint) ||
            (r->card == PG_M2M && strcmp(r->junction.name, hint) == 0));
}

/* dbRelationships' entry for (origin, schema): foreign table in the schema,
 * junction exposed. */
static size_t candidates(builder_t *b, const char *origin, const pg_rel_t ***out)
{
    const pg_rel_t *all;
    size_t n = pg_schema_rels_from(b->cache, b->schema, origin, &all);
    const pg_rel_t **v = arena_calloc(b->arena, n ? n : 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].ftable.schema, b->schema) == 0 && !all[i].internal)
            v[k++] = &all[i];
    *out = v;
    return k;
}

static void put_cols(buf_t *b, const pg_colpair_t *p, size_t n, bool second)
{
    buf_putc(b, '(');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_puts(b, ", ");
        buf_puts(b, second ? p[i].b : p[i].a);
    }
    buf_putc(b, ')');
}

/* compressedRel (Error.hs); aeson writes the keys in order. */
static void put_compressed(buf_t *b, const pg_rel_t *r)
{
    static const char *const card_names[] = {"one-to-many", "many-to-one", "one-to-one",
                                             "many-to-many"};
    if (r->computed) {
        buf_puts(b, "{}"); /* compressedRel ComputedRelationship{} */
        return;
    }
    buf_t rel, emb;
    buf_init(&rel);
    buf_init(&emb);
    if (r->card == PG_M2M) {
        buf_printf(&rel, "%s using %s", r->junction.name, r->cons);
        put_cols(&rel, r->cols, r->ncols, true);
        buf_printf(&rel, " and %s", r->cons2);
        put_cols(&rel, r->fcols, r->nfcols, true);
    } else {
        buf_printf(&rel, "%s using %s", r->cons, r->table.name);
        put_cols(&rel, r->cols, r->ncols, false);
        buf_printf(&rel, " and %s", r->ftable.name);
        put_cols(&rel, r->cols, r->ncols, true);
    }
    buf_printf(&emb, "%s with %s", r->table.name, r->ftable.name);
    buf_puts(b, "{\"cardinality\":");
    buf_put_json_string(b, card_names[r->card]);
    buf_puts(b, ",\"embedding\":");
    buf_put_json_string(b, buf_cstr(&emb));
    buf_puts(b, ",\"relationship\":");
    buf_put_json_string(b, buf_cstr(&rel));
    buf_putc(b, '}');
    buf_dispose(&rel);
    buf_dispose(&emb);
}

/* noRelBetweenHint */
static void no_rel_hint(builder_t *b, const char *origin, const char *target)
{
    const char **origins;
    size_t no = pg_schema_rel_origins(b->cache, b->schema, b->arena, &origins);
    bool has_entry = false;
    for (size_t i = 0; i < no; i++)
        has_entry = has_entry || strcmp(origins[i], origin) == 0;
    if (has_entry) {
        const pg_rel_t **rels;
        size_t n = candidates(b, origin, &rels);
        const char **names = arena_calloc(b->arena, n ? n : 1, sizeof *names);
        size_t k = 0;
        /* fuzzyset's get answers only the exact match (weight 1.0, compared
         * lowercased) when there is one, and that one is not suggested. */
        for (size_t i = 0; i < n; i++) {
            if (strcasecmp(rels[i]->ftable.name, target) == 0)
                return;
            names[k++] = rels[i]->ftable.name;
        }
        int best = fuzzy_best(target, names, k, PLAN_FUZZY_MIN);
        if (best >= 0)
            pgrst_error_hintf(b->err, "Perhaps you meant '%s' instead of '%s'.", names[best],
                              target);
        return;
    }
    int best = fuzzy_best(origin, origins, no, PLAN_FUZZY_MIN);
    if (best >= 0)
        pgrst_error_hintf(b->err, "Perhaps you meant '%s' instead of '%s'.", origins[best], origin);
}

static const pg_rel_t *find_rel(builder_t *b, const char *origin, const char *target,
                                const char *hint)
{
    const pg_rel_t **rels;
    size_t n = candidates(b, origin, &rels);
    size_t found = 0;
    const pg_rel_t *first = NULL;
    for (size_t i = 0; i < n; i++)
        if (matches(rels[i], target, hint) && !found++)
            first = rels[i];
    if (found == 1)
        return first;
    if (!found) {
        pgrst_error_setf(b->err, "PGRST200",
                         "Could not find a relationship between '%s' and '%s' in the schema cache",
                         origin, target);
        if (hint)
            pgrst_error_detailsf(b->err,
                                 "Searched for a foreign key relationship between '%s' and '%s' "
                                 "using the hint '%s' in the schema '%s', but no matches were "
                                 "found.",
                                 origin, target, hint, b->schema);
        else
            pgrst_error_detailsf(b->err,
                                 "Searched for a foreign key relationship between '%s' and '%s' "
                                 "in the schema '%s', but no matches were found.",
                                 origin, target, b->schema);
        no_rel_hint(b, origin, target);
        return NULL;
    }
    pgrst_error_setf(b->err, "PGRST201",
                     "Could not embed because more than one relationship was found for '%s' and "
                     "'%s'",
                     origin, target);
    buf_t details, hints;
    buf_init(&details);
    buf_init(&hints);
    buf_putc(&details, '[');
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        const pg_rel_t *r = rels[i];
        if (!matches(r, target, hint))
            continue;
        if (any) {
            buf_putc(&details, ',');
            buf_puts(&hints, ", ");
        }
        any = true;
        put_compressed(&details, r);
        if (!r->computed) /* hintList ComputedRelationship{} = mempty */
            buf_printf(&hints, "'%s!%s'", r->ftable.name,
                       r->card == PG_M2M ? r->junction.name : r->cons);
    }
    buf_putc(&details, ']');
    pgrst_error_details_json(b->err, buf_cstr(&details));
    pgrst_error_hintf(b->err,
                      "Try changing '%s' to one of the following: %s. Find the desired "
                      "relationship in the 'details' key.",
                      target, buf_cstr(&hints));
    buf_dispose(&details);
    buf_dispose(&hints);
    return NULL;
}

/* addRels, pre-order over the forest. */
static int add_rels(builder_t *b, pg_node_t *node, bool under_to_many)
{
    for (size_t i = 0; i < node->child_count; i++) {
        pg_node_t *c = node->children[i];
        /* origin: the root's name (its alias over pgrst_source for a
         * mutation or a call), below it the table read */
        const char *origin = node->depth == 0 ? node->name : node->rel->name;
        const pg_rel_t *r = find_rel(b, origin, c->name, c->hint);
        if (!r)
            return -1;
        const engine_relation_t *ft =
            pg_schema_find_relation(b->cache, r->ftable.schema, r->ftable.name);
        if (!ft)
            return pgrst_error_setf(b->err, "PGRST200",
                                    "Could not find a relationship between '%s' and '%s' in the "
                                    "schema cache",
                                    origin, c->name);
        c->rel = ft;
        c->to_parent = r;
        if (r->computed || r->card != PG_M2M)
            c->from_alias = arena_sprintf(b->arena, "%s_%d", r->ftable.name, c->depth);
        c->agg_alias = arena_sprintf(b->arena, "%s_%s_%d", r->table.name,
                                     c->alias ? c->alias : c->name, c->depth);
        if (c->spread != PG_SPREAD_NONE && !pg_rel_to_one(r))
            c->spread = PG_SPREAD_TO_MANY;
        c->expand_stars = under_to_many || c->spread == PG_SPREAD_TO_MANY;
        if (add_rels(b, c, c->expand_stars) < 0)
            return -1;
    }
    return 0;
}

/* addRelatedOrders, pre-order. */
static int related_orders(builder_t *b, pg_node_t *node)
{
    for (size_t i = 0; i < node->order_count; i++) {
        const char *rel = node->order[i]->related;
        if (!rel)
            continue;
        const pg_node_t *found = NULL;
        for (size_t k = 0; k < node->child_count && !found; k++) {
            const pg_node_t *c = node->children[k];
            if (strcmp(c->alias ? c->alias : c->name, rel) == 0)
                found = c;
        }
        if (!found)
            return not_embedded(b, rel);
        if (!pg_rel_to_one(found->to_parent)) {
            pgrst_error_setf(b->err, "PGRST118", "A related order on '%s' is not possible",
                             found->alias ? found->alias : found->name);
            pgrst_error_detailsf(b->err,
                                 "'%s' and '%s' do not form a many-to-one or one-to-one "
                                 "relationship",
                                 node->depth == 0 ? node->name : node->rel->name,
                                 found->alias ? found->alias : found->name);
            return -1;
        }
        node->related[i] = found->agg_alias;
    }
    for (size_t k = 0; k < node->child_count; k++)
        if (related_orders(b, node->children[k]) < 0)
            return -1;
    return 0;
}

static bool any_aggregate(const pg_node_t *node)
{
    for (size_t i = 0; i < node->select_count; i++)
        if (node->select[i]->is_aggregate)
            return true;
    for (size_t k = 0; k < node->child_count; k++)
        if (any_aggregate(node->children[k]))
            return true;
    return false;
}

/* An aggregate in a spread of the given kind, or under one. */
static bool spread_aggregate(const pg_node_t *node, pg_spread_t kind, bool in_spread)
{
    in_spread = in_spread || node->spread == kind;
    for (size_t i = 0; in_spread && i < node->select_count; i++)
        if (node->select[i]->is_aggregate)
            return true;
    for (size_t k = 0; k < node->child_count; k++)
        if (spread_aggregate(node->children[k], kind, in_spread))
            return true;
    return false;
}

/* treeRestrictRange: db-max-rows caps every node of a read. */
static void restrict_range(pg_node_t *node, long long max_rows)
{
    if (node->depth > 0) {
        if (node->limit < 0 || node->limit > max_rows)
            node->limit = max_rows;
        node->ranged = true;
    }
    for (size_t k = 0; k < node->child_count; k++)
        restrict_range(node->children[k], max_rows);
}

/* readPlan over the root relation rel (NULL: a call's result that is no
 * relation) named `name` in `schema`; `source`: the root reads pgrst_source
 * aliased as name (addRels' root case for mutations and calls). */
static pg_node_t *build(const pg_schema_t *cache, const engine_request_t *req,
                        const engine_relation_t *rel, const char *name, const char *schema,
                        bool mutation, bool source, long long db_max_rows, pgrst_error_t *err)
{
    builder_t b = {.cache = cache, .req = req, .schema = schema, .arena = req->arena, .err = err};
    const pgrst_query_t *q = req->query;
    pg_node_t *root = new_node(&b, q->select, q->select_count, 0);
    root->rel = rel;
    root->field_rel = rel;
    root->name = name;
    if (source)
        root->from_alias = name;
    if (place_where(&b, root, mutation, false) < 0 || place_orders(&b, root) < 0 ||
        (!mutation && place_ranges(&b, root) < 0) || place_where(&b, root, mutation, true) < 0)
        return NULL;
    if (add_rels(&b, root, false) < 0 || related_orders(&b, root) < 0)
        return NULL;
    /* validateAggFunctions; then PostgREST refuses aggregates in a to-many
     * spread (addToManyOrderSelects). Those of a to-one spread are hoisted
     * to the node above it when the SQL is written (pg_sql.c). */
    if (any_aggregate(root) && !req->aggregates_enabled) {
        pgrst_error_setf(err, "PGRST123", "Use of aggregate functions is not allowed");
        return NULL;
    }
    if (spread_aggregate(root, PG_SPREAD_TO_MANY, false)) {
        pgrst_error_setf(err, "PGRST127", "Feature not implemented");
        pgrst_error_detailsf(err, "Aggregates are not implemented for one-to-many or "
                                  "many-to-many spreads.");
        return NULL;
    }

    if (!mutation && db_max_rows > 0)
        restrict_range(root, db_max_rows);
    return root;
}

pg_node_t *pg_plan_build(const pg_schema_t *cache, const engine_request_t *req, bool mutation,
                         long long db_max_rows, pgrst_error_t *err)
{
    return build(cache, req, req->relation, req->relation->name, req->relation->schema, mutation,
                 mutation, db_max_rows, err);
}

pg_node_t *pg_plan_build_call(const pg_schema_t *cache, const engine_request_t *req,
                              const engine_relation_t *rel, long long db_max_rows,
                              pgrst_error_t *err)
{
    /* callReadPlan: readPlan over (pdSchema, funcTableName or pdName), the
     * composite's name even when it is "record" (RETURNS TABLE, OUT
     * parameters). */
    const engine_routine_t *r = req->call->routine;
    const char *name = r->returns_composite && r->return_name ? r->return_name : r->name;
    return build(cache, req, rel, name, r->schema, false, true, db_max_rows, err);
}

const pg_node_t *pg_plan_null_embed(const pg_node_t *node, const pgrst_filter_t *f)
{
    if (!node || f->op != PGRST_OP_IS || f->is_value != PGRST_IS_NULL || f->field.path_len)
        return NULL;
    for (size_t k = 0; k < node->child_count; k++) {
        const pg_node_t *c = node->children[k];
        if (strcmp(c->alias ? c->alias : c->name, f->field.name) == 0)
            return c;
    }
    return NULL;
}

bool pg_plan_empty_embed(const pg_node_t *node)
{
    if (node->select_count)
        return false;
    for (size_t k = 0; k < node->child_count; k++)
        if (!pg_plan_empty_embed(node->children[k]))
            return false;
    return true;
}
