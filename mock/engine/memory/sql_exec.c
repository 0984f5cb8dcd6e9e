/* The statement executor (sql_exec.h): analysis of SELECT / INSERT / UPDATE
 * / DELETE raw trees into plans made of policy_expr's nodes (the statement's
 * FROM entries are the parser's depth-0 scope), and their runs: FROM and
 * joins as materialised row combinations read through the role's row-level
 * security (security.c's reader), WHERE, GROUP BY with aggregates
 * (sql_agg.c), HAVING, the target list, DISTINCT, ORDER BY, OFFSET/LIMIT;
 * writes through the store with the checks rest_write.c applies, in
 * nodeModifyTable.c's order. Every combination, comparison and write is
 * charged to env->work. */
#include "sql_exec.h"

#include "policy_expr_int.h"
#include "sql_agg.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CMD_SELECT, CMD_INSERT, CMD_UPDATE, CMD_DELETE };
static const char *const CMD_TAGS[] = {"SELECT", "INSERT", "UPDATE", "DELETE"};

typedef struct sortkey {
    node_t *expr; /* NULL: output column out_col */
    int out_col;
    bool desc, nulls_first;
} sortkey_t;

struct sql_plan {
    int cmd;
    subq_t *q; /* the FROM entries (depth 0); for writes rte 0 is the target */
    node_t *where;
    /* SELECT list or RETURNING */
    node_t **targets;
    char **names;
    pgtype_t *types;
    size_t ntarget;
    px_aggs_t aggs;
    node_t **group;
    size_t ngroup;
    node_t *having;
    bool grouped; /* GROUP BY or aggregates: one output row per group */
    sortkey_t *sort;
    size_t nsort;
    node_t *limit, *offset;
    bool distinct;
    /* writes */
    store_table_t *table;
    bool reads; /* the statement reads the target's columns (WHERE, RETURNING, SET) */
    /* INSERT: target columns, then VALUES rows (NULL item: DEFAULT) or a SELECT */
    size_t *cols;
    size_t ncols;
    node_t ***rows;
    size_t nrows;
    sql_plan_t *select;
    /* INSERT ... ON CONFLICT: 0 none, 1 DO NOTHING, 2 DO UPDATE (SET in
     * set_cols/set_exprs over rte 0, the existing row, and rte 1, EXCLUDED) */
    int conflict;
    size_t *conf_cols; /* the arbiter's columns; none: any unique constraint */
    size_t nconf;
    node_t *conf_where; /* DO UPDATE ... WHERE */
    /* UPDATE: SET col = expr (NULL expr: DEFAULT) */
    size_t *set_cols;
    node_t **set_exprs;
    size_t nset;
    /* Subqueries in FROM and WITH queries, at any depth of the statement:
     * their relations (detached, store.h) and the plans that fill them. */
    struct derived_rel *derived;
    px_cte_t **ctes;
    size_t nderived, nctes;
    /* UNION [ALL] of larg and rarg (owned): their rows, the types made
     * common, distinct unless `all`; then sort (output columns) and
     * limit/offset above */
    sql_plan_t *larg, *rarg;
    bool setop_all;
};

/* A relation the statement made for itself: a subquery's (plan) or a
 * function's in FROM (series); the plan owns all three. */
typedef struct derived_rel {
    store_table_t *t;
    sql_plan_t *plan;
    struct series *series;
} derived_rel_t;

static void series_free(struct series *sr);
static int too_many(pgrst_error_t *err);

static void own_derived(sql_plan_t *pl, store_table_t *t, sql_plan_t *plan, struct series *sr)
{
    pl->derived = xrealloc(pl->derived, (pl->nderived + 1) * sizeof *pl->derived);
    pl->derived[pl->nderived++] = (derived_rel_t){t, plan, sr};
}

/* ------------------------------------------------------------------------ */
/* errors and results                                                        */
/* ------------------------------------------------------------------------ */

void sql_exec_error_init(sql_exec_error_t *err)
{
    pgrst_error_init(&err->e);
    err->position = SQL_EXEC_NO_POSITION;
}

void sql_exec_error_dispose(sql_exec_error_t *err)
{
    pgrst_error_dispose(&err->e);
    err->position = SQL_EXEC_NO_POSITION;
}

static int from_parse_error(const policy_expr_error_t *pe, sql_exec_error_t *err)
{
    pgrst_error_setf(&err->e, pe->code[0] ? pe->code : "42601", "%s", pe->message);
    if (pe->detail[0])
        pgrst_error_detailsf(&err->e, "%s", pe->detail);
    if (pe->hint[0])
        pgrst_error_hintf(&err->e, "%s", pe->hint);
    err->position = pe->offset;
    return -1;
}

static int from_run_error(pgrst_error_t *e, sql_exec_error_t *err)
{
    if (!pgrst_error_is_set(e))
        pgrst_error_setf(e, "XX000", "supamock: the statement failed");
    pgrst_error_move(&err->e, e);
    err->position = SQL_EXEC_NO_POSITION;
    return -1;
}

void sql_result_init(sql_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->command = "SELECT";
}

void sql_result_dispose(sql_result_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->ncols; i++)
        free(r->names[i]);
    free(r->names);
    free(r->types);
    for (size_t i = 0; i < r->nrows * r->ncols; i++)
        pgvalue_dispose(&r->values[i]);
    free(r->values);
    sql_result_init(r);
}

/* ------------------------------------------------------------------------ */
/* raw tree access                                                           */
/* ------------------------------------------------------------------------ */

static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}
static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}
static const char *sval(const cJSON *node)
{
    return str(get(node, "String"), "sval");
}
static const char *node_name(const cJSON *node)
{
    return node && node->child && node->child->string ? node->child->string : "";
}
static const cJSON *node_body(const cJSON *node)
{
    return node ? node->child : NULL;
}
static size_t loc_or(const cJSON *body, size_t dflt)
{
    const cJSON *v = get(body, "location");
    return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (size_t)v->valuedouble : dflt;
}
static size_t list_len(const cJSON *list)
{
    return cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 0;
}

/* ------------------------------------------------------------------------ */
/* analysis                                                                  */
/* ------------------------------------------------------------------------ */

static void plan_free_parts(sql_plan_t *p)
{
    px_subq_free(p->q);
    px_node_free(p->where);
    for (size_t i = 0; i < p->ntarget; i++) {
        px_node_free(p->targets[i]);
        free(p->names[i]);
    }
    free(p->targets);
    free(p->names);
    free(p->types);
    for (size_t i = 0; i < p->aggs.n; i++) {
        px_node_free(p->aggs.v[i].arg);
        px_node_free(p->aggs.v[i].arg2);
    }
    free(p->aggs.v);
    for (size_t i = 0; i < p->ngroup; i++)
        px_node_free(p->group[i]);
    free(p->group);
    px_node_free(p->having);
    for (size_t i = 0; i < p->nsort; i++)
        px_node_free(p->sort[i].expr);
    free(p->sort);
    px_node_free(p->limit);
    px_node_free(p->offset);
    free(p->cols);
    for (size_t r = 0; r < p->nrows; r++) {
        for (size_t c = 0; c < p->ncols; c++)
            px_node_free(p->rows[r][c]);
        free(p->rows[r]);
    }
    free(p->rows);
    sql_plan_free(p->select);
    free(p->conf_cols);
    px_node_free(p->conf_where);
    free(p->set_cols);
    for (size_t i = 0; i < p->nset; i++)
        px_node_free(p->set_exprs[i]);
    free(p->set_exprs);
    for (size_t i = 0; i < p->nderived; i++) {
        store_derived_free(p->derived[i].t);
        sql_plan_free(p->derived[i].plan);
        series_free(p->derived[i].series);
    }
    free(p->derived);
    sql_plan_free(p->larg);
    sql_plan_free(p->rarg);
    for (size_t i = 0; i < p->nctes; i++)
        free(p->ctes[i]);
    free(p->ctes);
}

void sql_plan_free(sql_plan_t *p)
{
    if (!p)
        return;
    plan_free_parts(p);
    free(p);
}

static pgtype_t out_type(const ptype_t *t)
{
    if (t->special != SP_NONE) {
        ptype_t text = px_ptype_of(PGTYPE_TEXT);
        return text.t;
    }
    return t->t;
}

typedef struct an {
    parser_t p;
    policy_expr_error_t perr;
    scope_t scope; /* depth 0: the statement's FROM entries */
    sql_plan_t *plan;
} an_t;

static const store_table_t *derive(parser_t *p, const cJSON *select, const char *name,
                                   const cJSON *colnames, size_t loc);
static const store_table_t *derive_function(parser_t *p, const cJSON *rf, const char **refname,
                                            size_t loc);

static void an_init(an_t *a, const store_t *store, const char *src, const sql_scope_t *names,
                    sql_plan_t *plan)
{
    memset(a, 0, sizeof *a);
    a->p.src = src;
    a->p.store = store;
    a->p.err = &a->perr;
    a->p.clause = "WHERE";
    a->p.sql = true;
    a->p.names = names;
    a->plan = plan;
    a->scope = (scope_t){.up = NULL, .depth = 0, .rtes = NULL, .nrte = 0};
    a->p.scope = &a->scope;
    a->p.derive = derive;
    a->p.derive_function = derive_function;
}

static void an_scope(an_t *a)
{
    a->scope.rtes = a->plan->q->rtes;
    a->scope.nrte = a->plan->q->nrte;
}

static void add_target(sql_plan_t *pl, node_t *n, const char *name)
{
    pl->targets = xrealloc(pl->targets, (pl->ntarget + 1) * sizeof *pl->targets);
    pl->names = xrealloc(pl->names, (pl->ntarget + 1) * sizeof *pl->names);
    pl->types = xrealloc(pl->types, (pl->ntarget + 1) * sizeof *pl->types);
    pl->targets[pl->ntarget] = n;
    pl->names[pl->ntarget] = xstrdup(name);
    pl->types[pl->ntarget] = out_type(&n->type);
    pl->ntarget++;
}

static node_t *column_node(const subq_t *q, size_t rte, size_t col, size_t loc)
{
    node_t *n = px_node_new(N_COLUMN, loc);
    n->col = (int)col;
    n->depth = 0;
    n->rte = (int)rte;
    n->type = px_ptype_of(PGTYPE_TEXT);
    n->type.t = store_table_column(q->rtes[rte].t, col)->type;
    return n;
}

static const char *rte_name(const rte_t *r)
{
    return r->alias ? r->alias : store_table_name(r->t);
}

/* A target list (SELECT's, RETURNING's): `*` and `t.*` expand to the
 * entries' columns; an unknown literal's column is text. */
static int build_targets(an_t *a, const cJSON *list)
{
    sql_plan_t *pl = a->plan;
    for (const cJSON *it = cJSON_IsArray(list) ? list->child : NULL; it; it = it->next) {
        const cJSON *rt = get(it, "ResTarget");
        const cJSON *val = get(rt, "val");
        const cJSON *cr = get(val, "ColumnRef");
        const cJSON *fields = get(cr, "fields");
        size_t nf = list_len(fields);
        if (cr && nf && get(cJSON_GetArrayItem(fields, (int)nf - 1), "A_Star")) {
            size_t loc = loc_or(cr, 0);
            const char *rel = nf >= 2 ? sval(cJSON_GetArrayItem(fields, (int)nf - 2)) : NULL;
            if (!rel && pl->q->nrte == 0)
                return px_perr(&a->p, loc, "42601",
                               "SELECT * with no tables specified is not valid");
            bool found = false;
            for (size_t r = 0; r < pl->q->nrte; r++) {
                if (rel && strcmp(rte_name(&pl->q->rtes[r]), rel) != 0)
                    continue;
                found = true;
                const store_table_t *t = pl->q->rtes[r].t;
                for (size_t c = 0; c < store_table_column_count(t); c++)
                    add_target(pl, column_node(pl->q, r, c, loc), store_table_column(t, c)->name);
            }
            if (!found)
                return px_perr(&a->p, loc, "42P01", "missing FROM-clause entry for table \"%s\"",
                               rel ? rel : "");
            continue;
        }
        node_t *n = px_build(&a->p, val);
        if (!n)
            return -1;
        if (n->type.special == SP_UNKNOWN) {
            ptype_t text = px_ptype_of(PGTYPE_TEXT);
            if (px_make_cast(&a->p, &n, &text, n->loc, true) < 0) {
                px_node_free(n);
                return -1;
            }
        }
        int strength;
        const char *as = str(rt, "name");
        add_target(pl, n, as ? as : px_figure_colname(val, &strength));
    }
    return 0;
}

/* The FROM list into plan->q (depth 0), then the ON quals. */
static int build_from_list(an_t *a, const cJSON *from)
{
    sql_plan_t *pl = a->plan;
    for (const cJSON *it = cJSON_IsArray(from) ? from->child : NULL; it; it = it->next) {
        const char *nm = node_name(it);
        if (strcmp(nm, "RangeVar") != 0 && strcmp(nm, "JoinExpr") != 0 &&
            strcmp(nm, "RangeSubselect") != 0 && strcmp(nm, "RangeFunction") != 0)
            return px_perr(&a->p, loc_or(node_body(it), 0), "0A000",
                           "supamock: this FROM item (%s) is not supported by the memory engine",
                           strcmp(nm, "RangeSubselect") == 0 ? "a subquery" : nm),
                   -1;
        from_item_t *f = px_build_from(&a->p, pl->q, it);
        if (!f)
            return -1;
        pl->q->from = xrealloc(pl->q->from, (pl->q->nfrom + 1) * sizeof *pl->q->from);
        pl->q->from[pl->q->nfrom++] = f;
    }
    an_scope(a);
    const char *saved = a->p.agg_clause;
    a->p.agg_clause = "JOIN conditions";
    size_t i = 0;
    for (const cJSON *it = cJSON_IsArray(from) ? from->child : NULL; it; it = it->next, i++)
        if (px_build_on(&a->p, pl->q, pl->q->from[i], it) < 0)
            return -1;
    a->p.agg_clause = saved;
    return 0;
}

static int build_where(an_t *a, const cJSON *where)
{
    if (!where)
        return 0;
    px_aggs_t *aggs = a->p.aggs;
    a->p.aggs = NULL;
    a->p.agg_clause = "WHERE";
    node_t *w = px_build(&a->p, where);
    a->p.aggs = aggs;
    if (!w || px_coerce_bool(&a->p, &w, "WHERE") < 0) {
        px_node_free(w);
        return -1;
    }
    a->plan->where = w;
    return 0;
}

/* parse_agg.c check_ungrouped_columns: a column outside aggregates must be
 * grouped by, or its table's primary key must be (functional dependency). */
typedef struct group_ctx {
    const sql_plan_t *pl;
} group_ctx_t;

static bool grouped_column(const void *ctx, const node_t *col)
{
    const sql_plan_t *pl = ((const group_ctx_t *)ctx)->pl;
    for (size_t i = 0; i < pl->ngroup; i++) {
        const node_t *g = pl->group[i];
        if (g->kind == N_COLUMN && g->depth == 0 && g->rte == col->rte && g->col == col->col)
            return true;
    }
    const size_t *pk = NULL;
    size_t npk = store_table_primary_key(pl->q->rtes[col->rte].t, &pk);
    if (npk == 0)
        return false;
    for (size_t k = 0; k < npk; k++) {
        bool in = false;
        for (size_t i = 0; i < pl->ngroup && !in; i++) {
            const node_t *g = pl->group[i];
            in = g->kind == N_COLUMN && g->depth == 0 && g->rte == col->rte &&
                 (size_t)g->col == pk[k];
        }
        if (!in)
            return false;
    }
    return true;
}

static int check_grouped(an_t *a, const node_t *n)
{
    group_ctx_t g = {a->plan};
    const node_t *bad = px_find_column(n, 0, grouped_column, &g);
    if (!bad)
        return 0;
    const rte_t *r = &a->plan->q->rtes[bad->rte];
    return px_perr(&a->p, bad->loc, "42803",
                   "column \"%s.%s\" must appear in the GROUP BY clause or be used in an "
                   "aggregate function",
                   rte_name(r), store_table_column(r->t, (size_t)bad->col)->name);
}

/* An integer constant of ORDER BY / GROUP BY: a target's position. */
static bool position_of(const cJSON *node, long *pos)
{
    const cJSON *c = get(node, "A_Const");
    const cJSON *iv = get(get(c, "ival"), "ival");
    if (!c)
        return false;
    *pos = cJSON_IsNumber(iv) ? (long)iv->valuedouble : 0;
    return get(c, "ival") != NULL;
}

static int build_group(an_t *a, const cJSON *sel)
{
    sql_plan_t *pl = a->plan;
    const cJSON *group = get(sel, "groupClause");
    const cJSON *targets = get(sel, "targetList");
    px_aggs_t *aggs = a->p.aggs;
    a->p.aggs = NULL;
    a->p.agg_clause = "GROUP BY";
    for (const cJSON *it = cJSON_IsArray(group) ? group->child : NULL; it; it = it->next) {
        long pos;
        const cJSON *expr = it;
        if (position_of(it, &pos)) {
            if (pos < 1 || (size_t)pos > list_len(targets)) {
                a->p.aggs = aggs;
                return px_perr(&a->p, loc_or(node_body(it), 0), "42P10",
                               "GROUP BY position %ld is not in select list", pos);
            }
            expr = get(get(cJSON_GetArrayItem(targets, (int)pos - 1), "ResTarget"), "val");
        }
        node_t *g = px_build(&a->p, expr);
        if (!g) {
            a->p.aggs = aggs;
            return -1;
        }
        pl->group = xrealloc(pl->group, (pl->ngroup + 1) * sizeof *pl->group);
        pl->group[pl->ngroup++] = g;
    }
    a->p.aggs = aggs;
    return 0;
}

static int build_sort(an_t *a, const cJSON *sel)
{
    sql_plan_t *pl = a->plan;
    const cJSON *sort = get(sel, "sortClause");
    for (const cJSON *it = cJSON_IsArray(sort) ? sort->child : NULL; it; it = it->next) {
        const cJSON *sb = get(it, "SortBy");
        const cJSON *node = get(sb, "node");
        const char *dir = str(sb, "sortby_dir");
        const char *nulls = str(sb, "sortby_nulls");
        if (get(sb, "useOp"))
            return px_perr(&a->p, loc_or(sb, 0), "0A000",
                           "supamock: ORDER BY ... USING is not supported by the memory engine");
        sortkey_t k = {.expr = NULL, .out_col = -1};
        k.desc = dir && strcmp(dir, "SORTBY_DESC") == 0;
        k.nulls_first = nulls ? strcmp(nulls, "SORTBY_NULLS_FIRST") == 0 : k.desc;
        long pos;
        const cJSON *cr = get(node, "ColumnRef");
        if (position_of(node, &pos)) {
            /* findTargetlistEntrySQL92 */
            if (pos < 1 || (size_t)pos > pl->ntarget)
                return px_perr(&a->p, loc_or(node_body(node), 0), "42P10",
                               "ORDER BY position %ld is not in select list", pos);
            k.out_col = (int)pos - 1;
        } else if (cr && list_len(get(cr, "fields")) == 1 && sval(get(cr, "fields")->child)) {
            /* a bare name is an output column's first, then a column */
            const char *name = sval(get(cr, "fields")->child);
            for (size_t i = 0; i < pl->ntarget; i++) {
                if (strcmp(pl->names[i], name) != 0)
                    continue;
                if (k.out_col >= 0 && !(pl->targets[i]->kind == N_COLUMN &&
                                        pl->targets[k.out_col]->kind == N_COLUMN &&
                                        pl->targets[i]->rte == pl->targets[k.out_col]->rte &&
                                        pl->targets[i]->col == pl->targets[k.out_col]->col))
                    return px_perr(&a->p, loc_or(cr, 0), "42702", "ORDER BY \"%s\" is ambiguous",
                                   name);
                k.out_col = (int)i;
            }
        }
        if (k.out_col < 0) {
            a->p.agg_clause = "ORDER BY";
            if (!(k.expr = px_build(&a->p, node)))
                return -1;
            if (pl->distinct) {
                px_node_free(k.expr);
                return px_perr(&a->p, loc_or(node_body(node), 0), "42P10",
                               "for SELECT DISTINCT, ORDER BY expressions must appear in select "
                               "list");
            }
        }
        pl->sort = xrealloc(pl->sort, (pl->nsort + 1) * sizeof *pl->sort);
        pl->sort[pl->nsort++] = k;
    }
    return 0;
}

/* LIMIT / OFFSET: no columns of the query (transformLimitClause). */
static int build_limit(an_t *a, const cJSON *node, const char *clause, node_t **out)
{
    if (!node || (get(node, "A_Const") && cJSON_IsTrue(get(get(node, "A_Const"), "isnull"))))
        return 0;
    scope_t none = {.up = NULL, .depth = 0, .rtes = NULL, .nrte = 0};
    const scope_t *saved = a->p.scope;
    px_aggs_t *aggs = a->p.aggs;
    a->p.scope = &none;
    a->p.aggs = NULL;
    a->p.agg_clause = clause;
    node_t *n = px_build(&a->p, node);
    a->p.scope = saved;
    a->p.aggs = aggs;
    if (!n)
        return -1;
    ptype_t i8 = px_ptype_of(PGTYPE_INT8);
    if (px_make_cast(&a->p, &n, &i8, n->loc, true) < 0) {
        px_node_free(n);
        return -1;
    }
    *out = n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* subqueries in FROM, WITH queries                                          */
/* ------------------------------------------------------------------------ */

/* A subquery's rows for the statement reading it: its plan run with the
 * reading statement's environment (its role, variables, budget), each time
 * the statement reads it. */
static int fill_subquery(void *ctx, store_table_t *t, const store_reader_t *rd, pgrst_error_t *err)
{
    const sql_plan_t *sub = ctx;
    const sql_exec_env_t *env = rd->opaque;
    if (!env)
        return pgrst_error_setf(err, "XX000",
                                "supamock: a subquery was read outside its statement");
    return sql_exec_fill(sub, env, t, err);
}

int sql_exec_fill(const sql_plan_t *p, const sql_exec_env_t *env, store_table_t *t,
                  pgrst_error_t *err)
{
    sql_result_t res;
    sql_exec_error_t e;
    sql_exec_error_init(&e);
    if (sql_exec_run(p, env, &res, &e) < 0) {
        pgrst_error_move(err, &e.e);
        sql_exec_error_dispose(&e);
        return -1;
    }
    store_derived_set_rows(t, res.values, res.nrows);
    sql_result_dispose(&res);
    return 0;
}

/* The outermost statement's plan: it owns every derived relation. */
static sql_plan_t *owner_plan(an_t *a)
{
    return a->plan;
}

static int analyse_select(an_t *a, const cJSON *sel);

/* A SELECT nested in the statement (a subquery of FROM, a WITH query, an
 * arm of a UNION), analysed as a statement of its own: the same text,
 * variables, search path and WITH queries in scope, no column of the outer
 * query, nesting bounded as Postgres's stack depth check bounds it. */
static int analyse_arm(an_t *a, const cJSON *sel, sql_plan_t **out)
{
    if (a->p.depth + 1 > 32)
        return px_perr(&a->p, 0, "54001", "stack depth limit exceeded");
    sql_plan_t *sub = xcalloc(1, sizeof *sub);
    an_t b;
    an_init(&b, a->p.store, a->p.src, a->p.names, sub);
    b.p.search_path = a->p.search_path;
    b.p.nsearch_path = a->p.nsearch_path;
    b.p.ctes = a->p.ctes;
    b.p.depth = a->p.depth + 1;
    if (analyse_select(&b, sel) < 0) {
        *a->p.err = b.perr;
        sql_plan_free(sub);
        return -1;
    }
    *out = sub;
    return 0;
}

/* px_derive_fn: the subquery is analysed as a statement of its own (the
 * same text, variables, search path and WITH queries in scope; no column
 * of the outer query), its columns named by colnames, then its output
 * names; its relation is a detached derived one the plan owns. */
static const store_table_t *derive(parser_t *p, const cJSON *select, const char *name,
                                   const cJSON *colnames, size_t loc)
{
    an_t *a = (an_t *)(void *)p; /* p is the first member of an an_t */
    const cJSON *body = get(select, "SelectStmt");
    if (!body) {
        px_perr(p, loc, "0A000", "supamock: this subquery is not supported by the memory engine");
        return NULL;
    }
    sql_plan_t *sub = NULL;
    if (analyse_arm(a, body, &sub) < 0)
        return NULL;
    size_t n = sub->ntarget;
    const char **names = xcalloc(n ? n : 1, sizeof *names);
    size_t k = 0;
    for (const cJSON *c = cJSON_IsArray(colnames) ? colnames->child : NULL; c && k < n; c = c->next)
        names[k++] = sval(c);
    if (cJSON_IsArray(colnames) && (size_t)cJSON_GetArraySize(colnames) > n) {
        free(names);
        sql_plan_free(sub);
        px_perr(p, loc, "42P10", "table \"%s\" has %zu columns available but %d columns specified",
                name, n, cJSON_GetArraySize(colnames));
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (!names[i])
            names[i] = sub->names[i];
    char *error = NULL;
    /* detached: the store is only read (the write counter refills compare) */
    store_table_t *t = store_add_derived((store_t *)p->store, "pg_temp", name, names, sub->types, n,
                                         false, true, fill_subquery, sub, &error);
    free(names);
    if (!t) {
        /* two output columns of one name: Postgres allows it until one is
         * referenced; the memory engine refuses the subquery */
        px_perr(p, loc, "0A000", "supamock: %s", error);
        free(error);
        sql_plan_free(sub);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const store_table_t *ot;
        size_t oc;
        if (sql_plan_column_origin(sub, i, &ot, &oc))
            store_derived_set_origin(t, i, ot, oc);
    }
    own_derived(owner_plan(a), t, sub, NULL);
    return t;
}

/* generate_series(start, stop [, step]) in FROM over integers: its
 * arguments (expressions of the statement's variables, no column of the
 * query) evaluated each time the statement reads it. */
typedef struct series {
    sql_xplan_t *args[3];
    size_t nargs;
    pgtype_t type; /* integer, or bigint when an argument is */
} series_t;

static void series_free(struct series *sr)
{
    for (size_t i = 0; sr && i < sr->nargs; i++)
        sql_xplan_free(sr->args[i]);
    free(sr);
}

static int fill_series(void *ctx, store_table_t *t, const store_reader_t *rd, pgrst_error_t *err)
{
    const series_t *sr = ctx;
    const sql_exec_env_t *env = rd->opaque;
    if (!env)
        return pgrst_error_setf(err, "XX000",
                                "supamock: a function in FROM was read outside its "
                                "statement");
    int64_t v[3] = {0, 0, 1};
    for (size_t i = 0; i < sr->nargs; i++) {
        pgvalue_t x;
        sql_exec_error_t e;
        sql_exec_error_init(&e);
        if (sql_expr_eval(sr->args[i], env, &x, &e) < 0) {
            pgrst_error_move(err, &e.e);
            sql_exec_error_dispose(&e);
            return -1;
        }
        bool null = x.is_null;
        v[i] = x.i;
        pgvalue_dispose(&x);
        if (null) /* a strict function: no row */
            return 0;
    }
    if (v[2] == 0)
        return pgrst_error_setf(err, "22023", "step size cannot equal zero");
    pgvalue_t *values = NULL;
    size_t n = 0, cap = 0;
    for (int64_t x = v[0]; v[2] > 0 ? x <= v[1] : x >= v[1];) {
        if (n >= SQL_EXEC_MAX_ROWS || !mock_work_charge(env->work, 1)) {
            free(values);
            return n >= SQL_EXEC_MAX_ROWS
                       ? too_many(err)
                       : pgrst_error_setf(err, "57014",
                                          "canceling statement due to statement timeout");
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            values = xrealloc(values, cap * sizeof *values);
        }
        pgvalue_init_null(&values[n]);
        values[n].is_null = false;
        values[n++].i = x;
        /* generate_series_step_int8: the series ends where x would overflow */
        if (__builtin_add_overflow(x, v[2], &x))
            break;
    }
    store_derived_set_rows(t, values, n);
    free(values);
    return 0;
}

static const store_table_t *derive_function(parser_t *p, const cJSON *rf, const char **refname,
                                            size_t loc)
{
    an_t *a = (an_t *)(void *)p;
    const cJSON *fns = get(rf, "functions");
    const cJSON *items = get(get(cJSON_IsArray(fns) ? fns->child : NULL, "List"), "items");
    const cJSON *fc = get(cJSON_IsArray(items) ? items->child : NULL, "FuncCall");
    const cJSON *fname = get(fc, "funcname");
    size_t nn = list_len(fname);
    const char *name = nn ? sval(cJSON_GetArrayItem(fname, (int)nn - 1)) : NULL;
    const char *schema = nn == 2 ? sval(fname->child) : NULL;
    const cJSON *args = get(fc, "args");
    size_t nargs = list_len(args);
    if (list_len(fns) != 1 || !name || strcmp(name, "generate_series") != 0 ||
        (schema && strcmp(schema, "pg_catalog") != 0) || nargs < 2 || nargs > 3 ||
        cJSON_IsTrue(get(rf, "ordinality")) || get(rf, "coldeflist") ||
        cJSON_IsTrue(get(rf, "is_rowsfrom"))) {
        px_perr(p, loc, "0A000",
                "supamock: this function in FROM is not supported by the memory engine (only "
                "generate_series over integers)");
        return NULL;
    }
    series_t *sr = xcalloc(1, sizeof *sr);
    sr->type = px_ptype_of(PGTYPE_INT4).t;
    for (const cJSON *e = args->child; e; e = e->next) {
        sql_exec_error_t ee;
        sql_exec_error_init(&ee);
        sql_xplan_t *x = NULL;
        if (sql_expr_prepare(p->store, e, p->src, p->names, &x, &ee) < 0) {
            px_perr(p, ee.position != SQL_EXEC_NO_POSITION ? ee.position : loc,
                    ee.e.code[0] ? ee.e.code : "42601", "%s", ee.e.message);
            sql_exec_error_dispose(&ee);
            series_free(sr);
            return NULL;
        }
        sr->args[sr->nargs++] = x;
        pgtype_t at = sql_xplan_type(x);
        if (at.is_array ||
            (at.kind != PGTYPE_INT2 && at.kind != PGTYPE_INT4 && at.kind != PGTYPE_INT8)) {
            series_free(sr);
            px_perr(p, loc, "0A000",
                    "supamock: generate_series over this type is not supported by the memory "
                    "engine (only integers)");
            return NULL;
        }
        if (at.kind == PGTYPE_INT8)
            sr->type = at;
    }
    const cJSON *alias = get(rf, "alias");
    const char *aname = str(alias, "aliasname");
    const cJSON *cn = get(alias, "colnames");
    const char *col = list_len(cn) ? sval(cn->child) : aname ? aname : "generate_series";
    *refname = aname ? aname : "generate_series";
    char *error = NULL;
    store_table_t *t = store_add_derived((store_t *)p->store, "pg_temp", *refname, &col, &sr->type,
                                         1, false, true, fill_series, sr, &error);
    if (!t) {
        free(error);
        series_free(sr);
        px_perr(p, loc, "XX000", "supamock: generate_series in FROM");
        return NULL;
    }
    own_derived(owner_plan(a), t, NULL, sr);
    return t;
}

/* The type both arms' column becomes (select_common_type): the same type;
 * numbers widen (integers to the wider, to numeric, to double precision);
 * anything else is 42804 `UNION types X and Y cannot be matched`. */
static int common_type(an_t *a, const pgtype_t *l, const pgtype_t *r, pgtype_t *out)
{
    if (l->kind == r->kind && l->is_array == r->is_array &&
        (l->kind != PGTYPE_ENUM || l->enum_def == r->enum_def)) {
        *out = *l;
        if (l->kind == PGTYPE_VARCHAR && l->length != r->length)
            out->length = -1;
        return 0;
    }
    if (!l->is_array && !r->is_array && pgtype_kind_is_number(l->kind) &&
        pgtype_kind_is_number(r->kind)) {
        pgtype_kind_t k = pgtype_kind_is_float(l->kind) || pgtype_kind_is_float(r->kind)
                              ? PGTYPE_FLOAT8
                          : l->kind == PGTYPE_NUMERIC || r->kind == PGTYPE_NUMERIC ? PGTYPE_NUMERIC
                          : l->kind == PGTYPE_INT8 || r->kind == PGTYPE_INT8       ? PGTYPE_INT8
                          : l->kind == PGTYPE_INT4 || r->kind == PGTYPE_INT4       ? PGTYPE_INT4
                                                                                   : PGTYPE_INT2;
        *out = px_ptype_of(k).t;
        return 0;
    }
    if (!l->is_array && !r->is_array && pgtype_kind_is_string(l->kind) &&
        pgtype_kind_is_string(r->kind)) {
        *out = px_ptype_of(PGTYPE_TEXT).t;
        return 0;
    }
    char s1[96], s2[96];
    return px_perr(&a->p, 0, "42804", "UNION types %s and %s cannot be matched",
                   pgtype_name(l, s1, sizeof s1), pgtype_name(r, s2, sizeof s2));
}

/* SELECT ... UNION [ALL] SELECT ... [ORDER BY output] [LIMIT/OFFSET]. */
static int analyse_union(an_t *a, const cJSON *sel)
{
    sql_plan_t *pl = a->plan;
    pl->cmd = CMD_SELECT;
    const char *op = str(sel, "op");
    if (strcmp(op, "SETOP_UNION") != 0)
        return px_perr(&a->p, 0, "0A000",
                       "supamock: INTERSECT and EXCEPT are not supported by the memory engine");
    pl->setop_all = cJSON_IsTrue(get(sel, "all"));
    if (analyse_arm(a, get(sel, "larg"), &pl->larg) < 0 ||
        analyse_arm(a, get(sel, "rarg"), &pl->rarg) < 0)
        return -1;
    if (pl->larg->ntarget != pl->rarg->ntarget)
        return px_perr(&a->p, 0, "42601", "each UNION query must have the same number of columns");
    for (size_t i = 0; i < pl->larg->ntarget; i++) {
        pgtype_t t;
        if (common_type(a, &pl->larg->types[i], &pl->rarg->types[i], &t) < 0)
            return -1;
        pl->names = xrealloc(pl->names, (pl->ntarget + 1) * sizeof *pl->names);
        pl->types = xrealloc(pl->types, (pl->ntarget + 1) * sizeof *pl->types);
        pl->targets = xrealloc(pl->targets, (pl->ntarget + 1) * sizeof *pl->targets);
        pl->names[pl->ntarget] = xstrdup(pl->larg->names[i]);
        pl->types[pl->ntarget] = t;
        pl->targets[pl->ntarget++] = NULL;
    }
    /* ORDER BY of a set operation: output columns by name or position */
    const cJSON *sort = get(sel, "sortClause");
    for (const cJSON *it = cJSON_IsArray(sort) ? sort->child : NULL; it; it = it->next) {
        const cJSON *sb = get(it, "SortBy");
        const cJSON *node = get(sb, "node");
        const char *dir = str(sb, "sortby_dir");
        const char *nulls = str(sb, "sortby_nulls");
        sortkey_t k = {.expr = NULL, .out_col = -1};
        k.desc = dir && strcmp(dir, "SORTBY_DESC") == 0;
        k.nulls_first = nulls ? strcmp(nulls, "SORTBY_NULLS_FIRST") == 0 : k.desc;
        long pos;
        const cJSON *cr = get(node, "ColumnRef");
        if (position_of(node, &pos)) {
            if (pos < 1 || (size_t)pos > pl->ntarget)
                return px_perr(&a->p, loc_or(node_body(node), 0), "42P10",
                               "ORDER BY position %ld is not in select list", pos);
            k.out_col = (int)pos - 1;
        } else if (cr && list_len(get(cr, "fields")) == 1 && sval(get(cr, "fields")->child)) {
            const char *name = sval(get(cr, "fields")->child);
            for (size_t i = 0; i < pl->ntarget && k.out_col < 0; i++)
                if (strcmp(pl->names[i], name) == 0)
                    k.out_col = (int)i;
        }
        if (k.out_col < 0 || get(sb, "useOp"))
            /* parse_clause.c: an expression over a UNION's columns */
            return px_perr(&a->p, loc_or(node_body(node), 0), "0A000",
                           "invalid UNION/INTERSECT/EXCEPT ORDER BY clause");
        pl->sort = xrealloc(pl->sort, (pl->nsort + 1) * sizeof *pl->sort);
        pl->sort[pl->nsort++] = k;
    }
    if (build_limit(a, get(sel, "limitOffset"), "OFFSET", &pl->offset) < 0 ||
        build_limit(a, get(sel, "limitCount"), "LIMIT", &pl->limit) < 0)
        return -1;
    return 0;
}

/* WITH a AS (SELECT ...), b AS (...): each query a relation in scope for
 * the ones after it and the statement (not RECURSIVE, not data-modifying). */
static int build_with(an_t *a, const cJSON *with)
{
    if (!with)
        return 0;
    if (cJSON_IsTrue(get(with, "recursive")))
        return px_perr(&a->p, loc_or(with, 0), "0A000",
                       "supamock: WITH RECURSIVE is not supported by the memory engine");
    const cJSON *ctes = get(with, "ctes");
    size_t first = a->plan->nctes;
    for (const cJSON *it = cJSON_IsArray(ctes) ? ctes->child : NULL; it; it = it->next) {
        const cJSON *cte = get(it, "CommonTableExpr");
        const char *name = str(cte, "ctename");
        size_t loc = loc_or(cte, 0);
        /* names in one WITH list must differ (an outer one is hidden) */
        for (size_t i = first; name && i < a->plan->nctes; i++)
            if (strcmp(a->plan->ctes[i]->name, name) == 0)
                return px_perr(&a->p, loc, "42712",
                               "WITH query name \"%s\" specified more than once", name);
        const store_table_t *t =
            name ? derive(&a->p, get(cte, "ctequery"), name, get(cte, "aliascolnames"), loc) : NULL;
        if (!t)
            return -1;
        px_cte_t *c = xcalloc(1, sizeof *c);
        c->name = name; /* borrowed from the tree, which outlives the analysis only */
        c->t = t;
        c->next = a->p.ctes;
        a->p.ctes = c;
        a->plan->ctes = xrealloc(a->plan->ctes, (a->plan->nctes + 1) * sizeof *a->plan->ctes);
        a->plan->ctes[a->plan->nctes++] = c;
    }
    return 0;
}

static int analyse_select(an_t *a, const cJSON *sel)
{
    sql_plan_t *pl = a->plan;
    pl->cmd = CMD_SELECT;
    pl->q = xcalloc(1, sizeof *pl->q);
    size_t loc = 0;
    if (build_with(a, get(sel, "withClause")) < 0)
        return -1;
    if (str(sel, "op") && strcmp(str(sel, "op"), "SETOP_NONE") != 0 && !get(sel, "lockingClause") &&
        !get(sel, "intoClause"))
        return analyse_union(a, sel);
    if (get(sel, "valuesLists") || get(sel, "windowClause") || get(sel, "lockingClause") ||
        get(sel, "intoClause") || (str(sel, "op") && strcmp(str(sel, "op"), "SETOP_NONE") != 0))
        return px_perr(&a->p, loc, "0A000",
                       "supamock: VALUES, windows, INTERSECT/EXCEPT, FOR UPDATE and SELECT INTO "
                       "are not supported by the memory engine"),
               -1;
    const cJSON *distinct = get(sel, "distinctClause");
    if (distinct) {
        if (list_len(distinct) > 0 && !cJSON_IsNull(distinct->child) &&
            node_name(distinct->child)[0])
            return px_perr(&a->p, loc, "0A000",
                           "supamock: DISTINCT ON is not supported by the memory engine"),
                   -1;
        pl->distinct = true;
    }
    if (build_from_list(a, get(sel, "fromClause")) < 0)
        return -1;
    if (build_where(a, get(sel, "whereClause")) < 0)
        return -1;
    if (build_group(a, sel) < 0)
        return -1;
    a->p.aggs = &pl->aggs;
    a->p.agg_clause = NULL;
    if (build_targets(a, get(sel, "targetList")) < 0)
        return -1;
    const cJSON *having = get(sel, "havingClause");
    if (having) {
        pl->having = px_build(&a->p, having);
        if (!pl->having || px_coerce_bool(&a->p, &pl->having, "HAVING") < 0)
            return -1;
    }
    if (build_sort(a, sel) < 0)
        return -1;
    a->p.aggs = NULL;
    pl->grouped = pl->ngroup > 0 || pl->aggs.n > 0 || pl->having;
    if (pl->grouped) {
        for (size_t i = 0; i < pl->ntarget; i++)
            if (check_grouped(a, pl->targets[i]) < 0)
                return -1;
        if (pl->having && check_grouped(a, pl->having) < 0)
            return -1;
        for (size_t i = 0; i < pl->nsort; i++)
            if (pl->sort[i].expr && check_grouped(a, pl->sort[i].expr) < 0)
                return -1;
    }
    if (build_limit(a, get(sel, "limitCount"), "LIMIT", &pl->limit) < 0 ||
        build_limit(a, get(sel, "limitOffset"), "OFFSET", &pl->offset) < 0)
        return -1;
    return 0;
}

/* The write's target: rte 0 of plan->q. */
static int target_table(an_t *a, const cJSON *rv)
{
    sql_plan_t *pl = a->plan;
    pl->q = xcalloc(1, sizeof *pl->q);
    cJSON *wrapped = cJSON_CreateObject();
    cJSON_AddItemToObject(wrapped, "RangeVar", cJSON_Duplicate(rv, true));
    from_item_t *f = px_build_from(&a->p, pl->q, wrapped);
    cJSON_Delete(wrapped);
    if (!f)
        return -1;
    pl->q->from = xcalloc(1, sizeof *pl->q->from);
    pl->q->from[pl->q->nfrom++] = f;
    pl->table = (store_table_t *)pl->q->rtes[0].t;
    an_scope(a);
    return 0;
}

/* Assignment to a column (transformAssignedExpr): unknown literals go
 * through the column type's input; numbers convert among themselves and
 * anything converts to a string type; otherwise 42804. */
static int assign_to(an_t *a, node_t **n, const store_column_t *col)
{
    ptype_t to = px_ptype_of(PGTYPE_TEXT);
    to.t = col->type;
    const ptype_t *from = &(*n)->type;
    bool ok = from->special != SP_NONE ||
              (from->t.kind == to.t.kind && from->t.is_array == to.t.is_array &&
               from->t.enum_def == to.t.enum_def);
    pgtype_kind_t f = from->t.kind, t = to.t.kind;
    bool fstr = f == PGTYPE_TEXT || f == PGTYPE_VARCHAR || f == PGTYPE_CHAR;
    bool tstr = t == PGTYPE_TEXT || t == PGTYPE_VARCHAR || t == PGTYPE_CHAR;
    bool fnum = f == PGTYPE_INT2 || f == PGTYPE_INT4 || f == PGTYPE_INT8 || f == PGTYPE_NUMERIC ||
                f == PGTYPE_FLOAT4 || f == PGTYPE_FLOAT8;
    bool tnum = t == PGTYPE_INT2 || t == PGTYPE_INT4 || t == PGTYPE_INT8 || t == PGTYPE_NUMERIC ||
                t == PGTYPE_FLOAT4 || t == PGTYPE_FLOAT8;
    bool fdt = f == PGTYPE_DATE || f == PGTYPE_TIMESTAMP || f == PGTYPE_TIMESTAMPTZ;
    bool tdt = t == PGTYPE_DATE || t == PGTYPE_TIMESTAMP || t == PGTYPE_TIMESTAMPTZ;
    if (!ok && from->special == SP_NONE && !from->t.is_array && !to.t.is_array)
        ok = (tstr && !from->t.is_array) || (fnum && tnum) || (fdt && tdt) ||
             ((f == PGTYPE_JSON || f == PGTYPE_JSONB) && (t == PGTYPE_JSON || t == PGTYPE_JSONB));
    (void)fstr;
    if (px_is_name(from) && !tstr)
        ok = false;
    if (!ok) {
        char s1[96], s2[96];
        px_perr(&a->p, (*n)->loc, "42804",
                "column \"%s\" is of type %s but expression is of type %s", col->name,
                pgtype_name(&to.t, s1, sizeof s1), px_ptype_name(from, s2, sizeof s2));
        snprintf(a->p.err->hint, sizeof a->p.err->hint,
                 "You will need to rewrite or cast the expression.");
        return -1;
    }
    return px_make_cast(&a->p, n, &to, (*n)->loc, true);
}

static int find_target_column(an_t *a, const char *name, size_t loc, size_t *col)
{
    int c = store_table_find_column(a->plan->table, name);
    if (c < 0)
        return px_perr(&a->p, loc, "42703", "column \"%s\" of relation \"%s\" does not exist", name,
                       store_table_name(a->plan->table));
    *col = (size_t)c;
    return 0;
}

static int build_returning(an_t *a, const cJSON *ret)
{
    if (!ret)
        return 0;
    a->plan->reads = true;
    a->p.agg_clause = "RETURNING";
    return build_targets(a, ret);
}

static int build_set_list(an_t *a, const cJSON *list);

/* ON CONFLICT [(cols)] DO NOTHING | DO UPDATE SET ... [WHERE ...]
 * (transformOnConflictClause): EXCLUDED is a second entry over the same
 * table, seen only by the SET list and its WHERE. */
static int build_conflict(an_t *a, const cJSON *oc)
{
    sql_plan_t *pl = a->plan;
    if (!oc)
        return 0;
    const char *action = str(oc, "action");
    pl->conflict = action && strcmp(action, "ONCONFLICT_UPDATE") == 0 ? 2 : 1;
    const cJSON *infer = get(oc, "infer");
    if (get(infer, "conname") || get(infer, "whereClause"))
        return px_perr(&a->p, loc_or(infer, 0), "0A000",
                       "supamock: ON CONFLICT ON CONSTRAINT and partial arbiters are not "
                       "supported by the memory engine"),
               -1;
    const cJSON *elems = get(infer, "indexElems");
    for (const cJSON *it = cJSON_IsArray(elems) ? elems->child : NULL; it; it = it->next) {
        const char *name = str(get(it, "IndexElem"), "name");
        size_t col;
        if (!name)
            return px_perr(&a->p, loc_or(infer, 0), "0A000",
                           "supamock: expression arbiters are not supported by the memory engine"),
                   -1;
        int c = store_table_find_column(pl->table, name);
        if (c < 0)
            return px_perr(&a->p, loc_or(infer, 0), "42703", "column \"%s\" does not exist", name),
                   -1;
        col = (size_t)c;
        pl->conf_cols = xrealloc(pl->conf_cols, (pl->nconf + 1) * sizeof *pl->conf_cols);
        pl->conf_cols[pl->nconf++] = col;
    }
    if (pl->conflict == 2 && pl->nconf == 0) {
        /* parse_clause.c transformOnConflictArbiter */
        px_perr(&a->p, loc_or(oc, 0), "42601",
                "ON CONFLICT DO UPDATE requires inference specification or constraint name");
        snprintf(a->p.err->hint, sizeof a->p.err->hint, "For example, ON CONFLICT (column_name).");
        return -1;
    }
    if (pl->conflict != 2)
        return 0;
    pl->q->rtes = xrealloc(pl->q->rtes, (pl->q->nrte + 1) * sizeof *pl->q->rtes);
    pl->q->rtes[pl->q->nrte++] = (rte_t){.t = pl->table, .alias = xstrdup("excluded")};
    an_scope(a);
    pl->reads = true;
    if (build_set_list(a, get(oc, "targetList")) < 0)
        return -1;
    const cJSON *where = get(oc, "whereClause");
    if (where) {
        pl->conf_where = px_build(&a->p, where);
        if (!pl->conf_where || px_coerce_bool(&a->p, &pl->conf_where, "WHERE") < 0)
            return -1;
    }
    return 0;
}

static int analyse_insert(an_t *a, const cJSON *ins)
{
    sql_plan_t *pl = a->plan;
    pl->cmd = CMD_INSERT;
    if (get(ins, "withClause"))
        return px_perr(&a->p, 0, "0A000",
                       "supamock: WITH in INSERT is not supported by the memory engine"),
               -1;
    if (target_table(a, get(ins, "relation")) < 0)
        return -1;
    const store_table_t *t = pl->table;
    const cJSON *cols = get(ins, "cols");
    if (cols) {
        for (const cJSON *c = cols->child; c; c = c->next) {
            const cJSON *rt = get(c, "ResTarget");
            size_t col = 0; /* set by find_target_column (gcc -O2 cannot see it) */
            if (get(rt, "indirection"))
                return px_perr(&a->p, loc_or(rt, 0), "0A000",
                               "supamock: subscripts of INSERT's columns are not supported by the "
                               "memory engine"),
                       -1;
            if (find_target_column(a, str(rt, "name") ? str(rt, "name") : "", loc_or(rt, 0), &col) <
                0)
                return -1;
            for (size_t i = 0; i < pl->ncols; i++)
                if (pl->cols[i] == col)
                    return px_perr(&a->p, loc_or(rt, 0), "42701",
                                   "column \"%s\" specified more than once", str(rt, "name")),
                           -1;
            pl->cols = xrealloc(pl->cols, (pl->ncols + 1) * sizeof *pl->cols);
            pl->cols[pl->ncols++] = col;
        }
    }
    const cJSON *sel = get(get(ins, "selectStmt"), "SelectStmt");
    bool explicit_cols = cols != NULL;
    if (!explicit_cols) {
        pl->ncols = store_table_column_count(t);
        pl->cols = xcalloc(pl->ncols ? pl->ncols : 1, sizeof *pl->cols);
        for (size_t i = 0; i < pl->ncols; i++)
            pl->cols[i] = i;
    }
    if (sel && get(sel, "valuesLists")) {
        /* VALUES rows see no table (the target is not in their scope) */
        scope_t none = {.up = NULL, .depth = 0, .rtes = NULL, .nrte = 0};
        a->p.scope = &none;
        a->p.agg_clause = "VALUES";
        size_t used = 0;
        for (const cJSON *row = get(sel, "valuesLists")->child; row; row = row->next) {
            const cJSON *items = get(get(row, "List"), "items");
            size_t n = list_len(items);
            if (used && n != used)
                return px_perr(&a->p, loc_or(node_body(items->child), 0), "42601",
                               "VALUES lists must all be the same length"),
                       -1;
            used = n;
            if (n > pl->ncols)
                return px_perr(&a->p,
                               loc_or(node_body(cJSON_GetArrayItem(items, (int)pl->ncols)), 0),
                               "42601", "INSERT has more expressions than target columns"),
                       -1;
            if (n < pl->ncols && explicit_cols)
                return px_perr(&a->p, loc_or(get(cJSON_GetArrayItem(cols, (int)n), "ResTarget"), 0),
                               "42601", "INSERT has more target columns than expressions"),
                       -1;
            node_t **vals = xcalloc(pl->ncols ? pl->ncols : 1, sizeof *vals);
            pl->rows = xrealloc(pl->rows, (pl->nrows + 1) * sizeof *pl->rows);
            pl->rows[pl->nrows++] = vals;
            size_t i = 0;
            for (const cJSON *it = items->child; it; it = it->next, i++) {
                if (get(it, "SetToDefault"))
                    continue;
                if (!(vals[i] = px_build(&a->p, it)) ||
                    assign_to(a, &vals[i], store_table_column(t, pl->cols[i])) < 0)
                    return -1;
            }
        }
        if (!explicit_cols)
            pl->ncols = used; /* INSERT INTO t VALUES (a, b): the first columns */
        an_scope(a);
        a->p.scope = &a->scope;
    } else if (sel) {
        sql_exec_error_t serr;
        sql_exec_error_init(&serr);
        an_t sub;
        sql_plan_t *sp = xcalloc(1, sizeof *sp);
        an_init(&sub, a->p.store, a->p.src, a->p.names, sp);
        int rc = analyse_select(&sub, sel);
        if (rc < 0) {
            *a->p.err = sub.perr;
            sql_plan_free(sp);
            return -1;
        }
        pl->select = sp;
        if (sp->ntarget > pl->ncols)
            return px_perr(&a->p, sp->targets[pl->ncols]->loc, "42601",
                           "INSERT has more expressions than target columns"),
                   -1;
        if (sp->ntarget < pl->ncols && explicit_cols)
            return px_perr(&a->p, 0, "42601", "INSERT has more target columns than expressions"),
                   -1;
        if (!explicit_cols)
            pl->ncols = sp->ntarget;
    } else {
        pl->ncols = 0; /* DEFAULT VALUES */
        pl->rows = xcalloc(1, sizeof *pl->rows);
        pl->rows[0] = xcalloc(1, sizeof **pl->rows);
        pl->nrows = 1;
    }
    if (build_returning(a, get(ins, "returningList")) < 0)
        return -1;
    return build_conflict(a, get(ins, "onConflictClause"));
}

/* SET col = expr, ... (UPDATE's, ON CONFLICT DO UPDATE's) into set_cols /
 * set_exprs, each expression assigned to its column's type. */
static int build_set_list(an_t *a, const cJSON *list)
{
    sql_plan_t *pl = a->plan;
    for (const cJSON *it = cJSON_IsArray(list) ? list->child : NULL; it; it = it->next) {
        const cJSON *rt = get(it, "ResTarget");
        const cJSON *val = get(rt, "val");
        size_t col = 0; /* set by find_target_column (gcc -O2 cannot see it) */
        if (get(rt, "indirection") || get(val, "MultiAssignRef"))
            return px_perr(&a->p, loc_or(rt, 0), "0A000",
                           "supamock: this SET form is not supported by the memory engine"),
                   -1;
        if (find_target_column(a, str(rt, "name") ? str(rt, "name") : "", loc_or(rt, 0), &col) < 0)
            return -1;
        for (size_t i = 0; i < pl->nset; i++)
            if (pl->set_cols[i] == col)
                return px_perr(&a->p, loc_or(rt, 0), "42601",
                               "multiple assignments to same column \"%s\"", str(rt, "name")),
                       -1;
        node_t *e = NULL;
        if (!get(val, "SetToDefault")) {
            if (!(e = px_build(&a->p, val)))
                return -1;
            if (assign_to(a, &e, store_table_column(pl->table, col)) < 0) {
                px_node_free(e);
                return -1;
            }
            pl->reads = pl->reads || e->kind != N_CONST;
        }
        pl->set_cols = xrealloc(pl->set_cols, (pl->nset + 1) * sizeof *pl->set_cols);
        pl->set_exprs = xrealloc(pl->set_exprs, (pl->nset + 1) * sizeof *pl->set_exprs);
        pl->set_cols[pl->nset] = col;
        pl->set_exprs[pl->nset++] = e;
    }
    return 0;
}

static int analyse_update(an_t *a, const cJSON *up)
{
    sql_plan_t *pl = a->plan;
    pl->cmd = CMD_UPDATE;
    if (get(up, "withClause") || get(up, "fromClause"))
        return px_perr(&a->p, 0, "0A000",
                       "supamock: WITH and FROM in UPDATE are not supported by the memory engine"),
               -1;
    if (target_table(a, get(up, "relation")) < 0)
        return -1;
    a->p.agg_clause = "UPDATE";
    if (build_set_list(a, get(up, "targetList")) < 0)
        return -1;
    if (build_where(a, get(up, "whereClause")) < 0)
        return -1;
    pl->reads = pl->reads || pl->where;
    return build_returning(a, get(up, "returningList"));
}

static int analyse_delete(an_t *a, const cJSON *del)
{
    sql_plan_t *pl = a->plan;
    pl->cmd = CMD_DELETE;
    if (get(del, "withClause") || get(del, "usingClause"))
        return px_perr(&a->p, 0, "0A000",
                       "supamock: WITH and USING in DELETE are not supported by the memory engine"),
               -1;
    if (target_table(a, get(del, "relation")) < 0)
        return -1;
    if (build_where(a, get(del, "whereClause")) < 0)
        return -1;
    pl->reads = pl->where != NULL;
    return build_returning(a, get(del, "returningList"));
}

int sql_exec_prepare(const store_t *store, const cJSON *stmt, const char *src,
                     const sql_scope_t *scope, sql_plan_t **out, sql_exec_error_t *err)
{
    return sql_exec_prepare_in(store, stmt, src, scope, NULL, 0, out, err);
}

int sql_exec_prepare_in(const store_t *store, const cJSON *stmt, const char *src,
                        const sql_scope_t *scope, const char *const *search_path,
                        size_t nsearch_path, sql_plan_t **out, sql_exec_error_t *err)
{
    *out = NULL;
    sql_plan_t *pl = xcalloc(1, sizeof *pl);
    an_t a;
    an_init(&a, store, src, scope, pl);
    a.p.search_path = search_path;
    a.p.nsearch_path = nsearch_path;
    /* Either the wrapper {"SelectStmt": {...}} or its member (sql_stmt_t.node:
     * the item named "SelectStmt" whose value is the statement). */
    const char *kind = node_name(stmt);
    const cJSON *body = node_body(stmt);
    if (stmt && stmt->string && cJSON_IsObject(stmt) && strstr(stmt->string, "Stmt")) {
        kind = stmt->string;
        body = stmt;
    }
    int rc;
    if (strcmp(kind, "SelectStmt") == 0)
        rc = analyse_select(&a, body);
    else if (strcmp(kind, "InsertStmt") == 0)
        rc = analyse_insert(&a, body);
    else if (strcmp(kind, "UpdateStmt") == 0)
        rc = analyse_update(&a, body);
    else if (strcmp(kind, "DeleteStmt") == 0)
        rc = analyse_delete(&a, body);
    else
        rc = px_perr(&a.p, 0, "0A000", "supamock: %s is not a statement the executor runs", kind);
    if (rc < 0) {
        sql_plan_free(pl);
        return from_parse_error(&a.perr, err);
    }
    *out = pl;
    return 0;
}

bool sql_plan_column_origin(const sql_plan_t *p, size_t i, const store_table_t **t, size_t *col)
{
    if (p->cmd != CMD_SELECT || i >= p->ntarget)
        return false;
    const node_t *n = p->targets[i];
    if (!n || n->kind != N_COLUMN || n->depth != 0 || n->rte < 0 || (size_t)n->rte >= p->q->nrte)
        return false;
    *t = p->q->rtes[n->rte].t;
    *col = (size_t)n->col;
    return true;
}

bool sql_plan_sorted(const sql_plan_t *p)
{
    return p->nsort > 0;
}

const char *sql_plan_auto_updatable(const sql_plan_t *p, const store_table_t **source)
{
    if (p->cmd != CMD_SELECT)
        return "Views that do not select from a single table or view are not automatically "
               "updatable.";
    if (p->distinct)
        return "Views containing DISTINCT are not automatically updatable.";
    if (p->ngroup)
        return "Views containing GROUP BY are not automatically updatable.";
    if (p->having)
        return "Views containing HAVING are not automatically updatable.";
    if (p->larg)
        return "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.";
    if (p->nctes)
        return "Views containing WITH are not automatically updatable.";
    if (p->limit || p->offset)
        return "Views containing LIMIT or OFFSET are not automatically updatable.";
    if (p->aggs.n)
        return "Views that return aggregate functions are not automatically updatable.";
    const store_table_t *t =
        p->q->nfrom == 1 && p->q->from[0]->rte >= 0 ? p->q->rtes[p->q->from[0]->rte].t : NULL;
    if (!t || store_table_is_detached(t))
        return "Views that do not select from a single table or view are not automatically "
               "updatable.";
    *source = t;
    return NULL;
}

size_t sql_plan_columns(const sql_plan_t *p, const char *const **names, const pgtype_t **types)
{
    *names = (const char *const *)p->names;
    *types = p->types;
    return p->ntarget;
}

/* ------------------------------------------------------------------------ */
/* runs                                                                      */
/* ------------------------------------------------------------------------ */

/* One combination of rows of the FROM entries: row[i] the values of entry
 * i's row, NULL for an outer join's missing side. */
typedef struct combos {
    const pgvalue_t ***v;
    size_t n, cap;
    size_t width;
} combos_t;

typedef struct run {
    const sql_plan_t *pl;
    const sql_exec_env_t *env;
    policy_eval_env_t pub;
    ectx_t x; /* frame 0 points at `frame` */
    frame_t frame;
} run_t;

static int too_many(pgrst_error_t *err)
{
    return pgrst_error_setf(err, "54000",
                            "supamock: a statement of the memory engine produces at most %d rows",
                            SQL_EXEC_MAX_ROWS);
}

static int combos_push(combos_t *c, const pgvalue_t **row, pgrst_error_t *err)
{
    if (c->n >= SQL_EXEC_MAX_ROWS) {
        free(row);
        return too_many(err);
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = row;
    return 0;
}

static void combos_dispose(combos_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i]);
    free(c->v);
    memset(c, 0, sizeof *c);
}

static const pgvalue_t **combo_new(size_t width)
{
    return xcalloc(width ? width : 1, sizeof(const pgvalue_t *));
}

static int eval_truth_on(run_t *r, const node_t *n, const pgvalue_t **rows, policy_truth_t *t,
                         pgrst_error_t *err)
{
    r->frame.rows = rows;
    return px_eval_truth(n, &r->x, t, err);
}

static void merge(const pgvalue_t **dst, const pgvalue_t **a, const pgvalue_t **b, size_t w)
{
    for (size_t i = 0; i < w; i++)
        dst[i] = a && a[i] ? a[i] : b ? b[i] : NULL;
}

/* The combinations of one FROM item (ON quals applied). */
static int from_rows(run_t *r, const from_item_t *f, combos_t *out, pgrst_error_t *err)
{
    size_t w = r->pl->q->nrte;
    out->width = w;
    if (f->rte >= 0) {
        const store_row_t **rows = NULL;
        size_t n = 0;
        if (px_visible_rows(&r->x, r->pl->q->rtes[f->rte].t, &rows, &n, err) < 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            const pgvalue_t **c = combo_new(w);
            c[f->rte] = store_row_values(rows[i]);
            if (combos_push(out, c, err) < 0) {
                free(rows);
                return -1;
            }
        }
        free(rows);
        return 0;
    }
    combos_t L = {0}, R = {0};
    int rc = from_rows(r, f->l, &L, err);
    if (rc == 0)
        rc = from_rows(r, f->r, &R, err);
    bool *rmatched = rc == 0 ? xcalloc(R.n ? R.n : 1, sizeof *rmatched) : NULL;
    for (size_t i = 0; rc == 0 && i < L.n; i++) {
        bool matched = false;
        for (size_t j = 0; rc == 0 && j < R.n; j++) {
            if ((rc = px_charge(&r->x, err)) < 0)
                break;
            const pgvalue_t **c = combo_new(w);
            merge(c, L.v[i], R.v[j], w);
            policy_truth_t t = POLICY_TRUE;
            if (f->on && (rc = eval_truth_on(r, f->on, c, &t, err)) < 0) {
                free(c);
                break;
            }
            if (t != POLICY_TRUE) {
                free(c);
                continue;
            }
            matched = true;
            rmatched[j] = true;
            rc = combos_push(out, c, err);
        }
        if (rc == 0 && !matched && (f->jointype == PXJ_LEFT || f->jointype == PXJ_FULL)) {
            const pgvalue_t **c = combo_new(w);
            merge(c, L.v[i], NULL, w);
            rc = combos_push(out, c, err);
        }
    }
    for (size_t j = 0; rc == 0 && j < R.n; j++)
        if (!rmatched[j] && (f->jointype == PXJ_RIGHT || f->jointype == PXJ_FULL)) {
            const pgvalue_t **c = combo_new(w);
            merge(c, NULL, R.v[j], w);
            rc = combos_push(out, c, err);
        }
    free(rmatched);
    combos_dispose(&L);
    combos_dispose(&R);
    return rc;
}

/* FROM (the items' cross product) and WHERE. */
static int scan(run_t *r, combos_t *out, pgrst_error_t *err)
{
    const sql_plan_t *pl = r->pl;
    size_t w = pl->q->nrte;
    combos_t acc = {0};
    acc.width = w;
    if (combos_push(&acc, combo_new(w), err) < 0)
        return -1;
    for (size_t i = 0; i < pl->q->nfrom; i++) {
        combos_t item = {0}, next = {0};
        if (from_rows(r, pl->q->from[i], &item, err) < 0) {
            combos_dispose(&acc);
            combos_dispose(&item);
            return -1;
        }
        int rc = 0;
        for (size_t a = 0; rc == 0 && a < acc.n; a++)
            for (size_t b = 0; rc == 0 && b < item.n; b++) {
                if ((rc = px_charge(&r->x, err)) < 0)
                    break;
                const pgvalue_t **c = combo_new(w);
                merge(c, acc.v[a], item.v[b], w);
                rc = combos_push(&next, c, err);
            }
        combos_dispose(&acc);
        combos_dispose(&item);
        acc = next;
        if (rc < 0) {
            combos_dispose(&acc);
            return -1;
        }
    }
    if (pl->where) {
        size_t kept = 0;
        for (size_t i = 0; i < acc.n; i++) {
            policy_truth_t t;
            if (px_charge(&r->x, err) < 0 || eval_truth_on(r, pl->where, acc.v[i], &t, err) < 0) {
                combos_dispose(&acc);
                return -1;
            }
            if (t == POLICY_TRUE)
                acc.v[kept++] = acc.v[i];
            else
                free(acc.v[i]);
        }
        acc.n = kept;
    }
    *out = acc;
    return 0;
}

/* An output row under construction: the targets' values and the sort keys'. */
typedef struct outrow {
    pgvalue_t *vals;
    pgvalue_t *keys;
    size_t seq;
} outrow_t;

typedef struct outrows {
    outrow_t *v;
    size_t n, cap;
} outrows_t;

static void outrows_dispose(outrows_t *o, const sql_plan_t *pl)
{
    for (size_t i = 0; i < o->n; i++) {
        for (size_t c = 0; c < pl->ntarget; c++)
            pgvalue_dispose(&o->v[i].vals[c]);
        for (size_t k = 0; k < pl->nsort; k++)
            pgvalue_dispose(&o->v[i].keys[k]);
        free(o->v[i].vals);
        free(o->v[i].keys);
    }
    free(o->v);
    memset(o, 0, sizeof *o);
}

/* Evaluates the targets and sort keys on the current frame (and aggregate
 * values) into a new output row. */
static int emit(run_t *r, outrows_t *o, pgrst_error_t *err)
{
    const sql_plan_t *pl = r->pl;
    if (o->n >= SQL_EXEC_MAX_ROWS)
        return too_many(err);
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 16;
        o->v = xrealloc(o->v, o->cap * sizeof *o->v);
    }
    outrow_t *row = &o->v[o->n];
    row->vals = xcalloc(pl->ntarget ? pl->ntarget : 1, sizeof *row->vals);
    row->keys = xcalloc(pl->nsort ? pl->nsort : 1, sizeof *row->keys);
    row->seq = o->n;
    size_t c = 0, k = 0;
    int rc = 0;
    for (; c < pl->ntarget && rc == 0; c++)
        rc = px_eval(pl->targets[c], &r->x, &row->vals[c], err);
    for (; k < pl->nsort && rc == 0; k++)
        if (pl->sort[k].expr)
            rc = px_eval(pl->sort[k].expr, &r->x, &row->keys[k], err);
        else
            pgvalue_init_null(&row->keys[k]);
    if (rc < 0) {
        for (size_t i = 0; i < c; i++)
            pgvalue_dispose(&row->vals[i]);
        for (size_t i = 0; i < k; i++)
            pgvalue_dispose(&row->keys[i]);
        free(row->vals);
        free(row->keys);
        return -1;
    }
    o->n++;
    return 0;
}

/* ORDER BY: Postgres's btree order per key, NULLS LAST unless asked (or
 * DESC); ties keep the scan's order (our sort is stable). */
typedef struct sort_ctx {
    const sql_plan_t *pl;
} sort_ctx_t;

static const sql_plan_t *g_sort_plan; /* qsort has no context argument; set around the call */

static int cmp_outrow(const void *x, const void *y)
{
    const outrow_t *a = x, *b = y;
    const sql_plan_t *pl = g_sort_plan;
    for (size_t k = 0; k < pl->nsort; k++) {
        const sortkey_t *s = &pl->sort[k];
        const pgvalue_t *va = s->expr ? &a->keys[k] : &a->vals[s->out_col];
        const pgvalue_t *vb = s->expr ? &b->keys[k] : &b->vals[s->out_col];
        const ptype_t *t = s->expr ? &s->expr->type : &pl->targets[s->out_col]->type;
        int c;
        if (va->is_null || vb->is_null) {
            if (va->is_null && vb->is_null)
                continue;
            /* where NULLs go is said outright, whatever the direction */
            return va->is_null ? (s->nulls_first ? -1 : 1) : (s->nulls_first ? 1 : -1);
        } else {
            c = px_compare(t, va, t, vb);
        }
        if (c)
            return s->desc ? -c : c;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool rows_equal(const sql_plan_t *pl, const outrow_t *a, const outrow_t *b)
{
    for (size_t c = 0; c < pl->ntarget; c++) {
        const pgvalue_t *x = &a->vals[c], *y = &b->vals[c];
        if (x->is_null != y->is_null)
            return false;
        if (!x->is_null && px_compare(&pl->targets[c]->type, x, &pl->targets[c]->type, y) != 0)
            return false;
    }
    return true;
}

static int eval_count(run_t *r, const node_t *n, int64_t *out, const char *what, pgrst_error_t *err)
{
    return px_eval_count(n, &r->x, what, out, err);
}

/* Groups: key values, a representative combination, aggregate states. */
typedef struct group {
    pgvalue_t *keys;
    const pgvalue_t **rep;
    sql_agg_state_t *states;
} group_t;

static int run_grouped(run_t *r, combos_t *rows, outrows_t *o, pgrst_error_t *err)
{
    const sql_plan_t *pl = r->pl;
    group_t *groups = NULL;
    size_t ng = 0, cap = 0;
    int rc = 0;
    pgvalue_t *keys = xcalloc(pl->ngroup ? pl->ngroup : 1, sizeof *keys);
    if (pl->ngroup == 0) {
        /* an aggregate over no GROUP BY: one group, even over no rows */
        groups = xcalloc(1, sizeof *groups);
        groups[0].rep = combo_new(pl->q->nrte);
        groups[0].states = sql_agg_states_new(pl->aggs.v, pl->aggs.n);
        ng = cap = 1;
    }
    for (size_t i = 0; i < rows->n && rc == 0; i++) {
        r->frame.rows = rows->v[i];
        size_t k = 0;
        for (; k < pl->ngroup && rc == 0; k++)
            rc = px_eval(pl->group[k], &r->x, &keys[k], err);
        if (rc < 0) {
            for (size_t j = 0; j < k; j++)
                pgvalue_dispose(&keys[j]);
            break;
        }
        size_t g = 0;
        if (pl->ngroup) {
            for (g = 0; g < ng; g++) {
                if ((rc = px_charge(&r->x, err)) < 0)
                    break;
                bool same = true;
                for (size_t j = 0; j < pl->ngroup && same; j++) {
                    const pgvalue_t *x = &groups[g].keys[j], *y = &keys[j];
                    same = x->is_null == y->is_null &&
                           (x->is_null ||
                            px_compare(&pl->group[j]->type, x, &pl->group[j]->type, y) == 0);
                }
                if (same)
                    break;
            }
            if (rc < 0) {
                for (size_t j = 0; j < pl->ngroup; j++)
                    pgvalue_dispose(&keys[j]);
                break;
            }
            if (g == ng) {
                if (ng >= SQL_EXEC_MAX_ROWS) {
                    rc = too_many(err);
                    for (size_t j = 0; j < pl->ngroup; j++)
                        pgvalue_dispose(&keys[j]);
                    break;
                }
                if (ng == cap) {
                    cap = cap ? cap * 2 : 16;
                    groups = xrealloc(groups, cap * sizeof *groups);
                }
                groups[ng].keys = keys;
                keys = xcalloc(pl->ngroup, sizeof *keys);
                groups[ng].rep = rows->v[i];
                groups[ng].states = sql_agg_states_new(pl->aggs.v, pl->aggs.n);
                ng++;
            } else {
                for (size_t j = 0; j < pl->ngroup; j++)
                    pgvalue_dispose(&keys[j]);
            }
        }
        rc = sql_agg_accumulate(pl->aggs.v, pl->aggs.n, groups[g].states, &r->x, err);
    }
    for (size_t g = 0; g < ng && rc == 0; g++) {
        pgvalue_t *vals = NULL;
        rc = sql_agg_finish(pl->aggs.v, pl->aggs.n, groups[g].states, &vals, r->x.pub->work, err);
        if (rc < 0)
            break;
        r->x.aggs = vals;
        r->frame.rows = groups[g].rep;
        policy_truth_t t = POLICY_TRUE;
        if (pl->having)
            rc = px_eval_truth(pl->having, &r->x, &t, err);
        if (rc == 0 && t == POLICY_TRUE)
            rc = emit(r, o, err);
        r->x.aggs = NULL;
        for (size_t i = 0; i < pl->aggs.n; i++)
            pgvalue_dispose(&vals[i]);
        free(vals);
    }
    for (size_t g = 0; g < ng; g++) {
        if (pl->ngroup) {
            for (size_t j = 0; j < pl->ngroup; j++)
                pgvalue_dispose(&groups[g].keys[j]);
            free(groups[g].keys);
        } else {
            free(groups[g].rep);
        }
        sql_agg_states_free(pl->aggs.v, pl->aggs.n, groups[g].states);
    }
    free(groups);
    free(keys);
    return rc;
}

static void run_init(run_t *r, const sql_plan_t *pl, const sql_exec_env_t *env)
{
    memset(r, 0, sizeof *r);
    r->pl = pl;
    r->env = env;
    bool rls = env->sec && !env->superuser;
    r->pub = (policy_eval_env_t){.row = NULL,
                                 .claims = env->claims,
                                 .role = env->role,
                                 .reader = rls ? security_reader(env->sec) : NULL,
                                 .work = env->work,
                                 .active = NULL};
    r->frame = (frame_t){.up = NULL, .depth = 0, .rows = NULL, .out = NULL};
    r->x = (ectx_t){.claims = env->claims,
                    .role = env->role,
                    .pub = &r->pub,
                    .frame = &r->frame,
                    .names = env->scope,
                    .aggs = NULL,
                    .now_us = env->store_env ? env->store_env->now_us : 0,
                    .store = env->store,
                    .stmt = env};
}

/* SELECT: rows into out (values moved). */
static int run_select(const sql_plan_t *pl, const sql_exec_env_t *env, sql_result_t *out,
                      pgrst_error_t *err)
{
    run_t r;
    run_init(&r, pl, env);
    combos_t rows = {0};
    outrows_t o = {0};
    if (scan(&r, &rows, err) < 0)
        return -1;
    int rc = 0;
    if (pl->grouped) {
        rc = run_grouped(&r, &rows, &o, err);
    } else {
        for (size_t i = 0; i < rows.n && rc == 0; i++) {
            r.frame.rows = rows.v[i];
            rc = emit(&r, &o, err);
        }
    }
    combos_dispose(&rows);
    if (rc == 0 && pl->distinct) {
        size_t kept = 0;
        for (size_t i = 0; i < o.n && rc == 0; i++) {
            bool dup = false;
            for (size_t j = 0; j < kept && !dup && rc == 0; j++) {
                rc = px_charge(&r.x, err);
                dup = rc == 0 && rows_equal(pl, &o.v[j], &o.v[i]);
            }
            if (dup) {
                for (size_t c = 0; c < pl->ntarget; c++)
                    pgvalue_dispose(&o.v[i].vals[c]);
                for (size_t k = 0; k < pl->nsort; k++)
                    pgvalue_dispose(&o.v[i].keys[k]);
                free(o.v[i].vals);
                free(o.v[i].keys);
            } else {
                o.v[kept++] = o.v[i];
            }
        }
        if (rc == 0)
            o.n = kept;
    }
    if (rc == 0 && pl->nsort && o.n > 1) {
        /* n log n comparisons */
        size_t steps = o.n;
        for (size_t m = o.n; m > 1; m >>= 1)
            steps += o.n;
        if (!mock_work_charge(env->work, steps))
            rc = pgrst_error_setf(err, "57014", "canceling statement due to statement timeout");
        if (rc == 0) {
            g_sort_plan = pl;
            qsort(o.v, o.n, sizeof *o.v, cmp_outrow);
            g_sort_plan = NULL;
        }
    }
    int64_t limit = -1, offset = -1;
    if (rc == 0)
        rc = eval_count(&r, pl->offset, &offset, "OFFSET", err);
    if (rc == 0)
        rc = eval_count(&r, pl->limit, &limit, "LIMIT", err);
    if (rc < 0) {
        outrows_dispose(&o, pl);
        return -1;
    }
    size_t from = offset > 0 ? ((uint64_t)offset > o.n ? o.n : (size_t)offset) : 0;
    size_t to = limit >= 0 && (uint64_t)limit < o.n - from ? from + (size_t)limit : o.n;
    out->ncols = pl->ntarget;
    out->names = xcalloc(pl->ntarget ? pl->ntarget : 1, sizeof *out->names);
    out->types = xcalloc(pl->ntarget ? pl->ntarget : 1, sizeof *out->types);
    for (size_t c = 0; c < pl->ntarget; c++) {
        out->names[c] = xstrdup(pl->names[c]);
        out->types[c] = pl->types[c];
    }
    out->nrows = to - from;
    out->values = xcalloc(out->nrows * pl->ntarget + 1, sizeof *out->values);
    for (size_t i = from; i < to; i++)
        for (size_t c = 0; c < pl->ntarget; c++) {
            out->values[(i - from) * pl->ntarget + c] = o.v[i].vals[c];
            pgvalue_init_null(&o.v[i].vals[c]);
        }
    out->rows_affected = out->nrows;
    outrows_dispose(&o, pl);
    return 0;
}

/* ---- writes ---- */

static bool rls_on(const sql_exec_env_t *env, const store_table_t *t)
{
    return env->sec && !env->superuser && security_rls_applies(env->sec, t, env->role);
}

static int require(const sql_exec_env_t *env, const store_table_t *t, unsigned a, unsigned b,
                   pgrst_error_t *err)
{
    if (!env->sec || env->superuser)
        return 0;
    unsigned privs[2] = {a, b};
    return security_require(env->sec, t, env->role, privs, b ? 2 : 1, err);
}

static policy_eval_env_t penv(const sql_exec_env_t *env, const pgvalue_t *row)
{
    return (policy_eval_env_t){
        .row = row, .claims = env->claims, .role = env->role, .work = env->work};
}

/* The WITH CHECK OPTIONs (when RLS applies) and CHECK constraints on a new
 * row, as rest_security_new_row / rest_security_constraints apply them. */
static int check_new_row(const sql_exec_env_t *env, const store_table_t *t, security_command_t cmd,
                         bool with_select, const pgvalue_t *values, pgrst_error_t *err)
{
    if (!env->sec)
        return 0;
    policy_eval_env_t pe = penv(env, values);
    if (rls_on(env, t)) {
        if (security_with_check(env->sec, t, cmd, false, SECURITY_WCO_NEW_ROW, &pe, err) < 0)
            return -1;
        if (with_select && security_with_check(env->sec, t, SECURITY_CMD_SELECT, true,
                                               SECURITY_WCO_NEW_ROW, &pe, err) < 0)
            return -1;
    }
    return security_check_constraints(env->sec, t, &pe, env->store_env->hide_row_details, err);
}

/* Written rows, for RETURNING and AFTER hooks: copies of old and new. */
typedef struct written {
    pgvalue_t *old, *new_;
} written_t;

typedef struct writes {
    written_t *v;
    size_t n, cap, width;
} writes_t;

static pgvalue_t *copy_row(const pgvalue_t *src, size_t w)
{
    if (!src)
        return NULL;
    pgvalue_t *d = xcalloc(w ? w : 1, sizeof *d);
    for (size_t i = 0; i < w; i++)
        pgvalue_copy(&d[i], &src[i]);
    return d;
}

static void free_row(pgvalue_t *v, size_t w)
{
    if (!v)
        return;
    for (size_t i = 0; i < w; i++)
        pgvalue_dispose(&v[i]);
    free(v);
}

static int writes_push(writes_t *ws, const pgvalue_t *old, const pgvalue_t *new_,
                       pgrst_error_t *err)
{
    if (ws->n >= SQL_EXEC_MAX_ROWS)
        return too_many(err);
    if (ws->n == ws->cap) {
        ws->cap = ws->cap ? ws->cap * 2 : 16;
        ws->v = xrealloc(ws->v, ws->cap * sizeof *ws->v);
    }
    ws->v[ws->n++] = (written_t){copy_row(old, ws->width), copy_row(new_, ws->width)};
    return 0;
}

static void writes_dispose(writes_t *ws)
{
    for (size_t i = 0; i < ws->n; i++) {
        free_row(ws->v[i].old, ws->width);
        free_row(ws->v[i].new_, ws->width);
    }
    free(ws->v);
    memset(ws, 0, sizeof *ws);
}

/* After the writes: AFTER hooks, the queued foreign-key work, RETURNING. */
static int finish_write(const sql_plan_t *pl, const sql_exec_env_t *env, sql_row_event_t ev,
                        writes_t *ws, sql_result_t *out, pgrst_error_t *err)
{
    if (env->hook && env->hook->after)
        for (size_t i = 0; i < ws->n; i++)
            if (env->hook->after(env->hook->ctx, pl->table, ev, ws->v[i].old, ws->v[i].new_, err) <
                0)
                return -1;
    if (store_end_statement(env->store, env->store_env, err) < 0)
        return -1;
    out->command = CMD_TAGS[pl->cmd];
    out->rows_affected = ws->n;
    if (!pl->ntarget)
        return 0;
    run_t r;
    run_init(&r, pl, env);
    out->ncols = pl->ntarget;
    out->names = xcalloc(pl->ntarget, sizeof *out->names);
    out->types = xcalloc(pl->ntarget, sizeof *out->types);
    for (size_t c = 0; c < pl->ntarget; c++) {
        out->names[c] = xstrdup(pl->names[c]);
        out->types[c] = pl->types[c];
    }
    out->values = xcalloc(ws->n * pl->ntarget + 1, sizeof *out->values);
    for (size_t i = 0; i < ws->n; i++) {
        const pgvalue_t *row = ev == SQL_ROW_DELETE ? ws->v[i].old : ws->v[i].new_;
        r.frame.rows = &row;
        for (size_t c = 0; c < pl->ntarget; c++)
            if (px_eval(pl->targets[c], &r.x, &out->values[i * pl->ntarget + c], err) < 0)
                return -1;
        out->nrows++;
    }
    return 0;
}

/* The existing row a new one conflicts with: on the arbiter's columns, or
 * (DO NOTHING without one) on the primary key or any unique column. */
static int find_conflict(const sql_plan_t *pl, const pgvalue_t *values, store_row_t **out,
                         pgrst_error_t *err)
{
    *out = NULL;
    if (pl->nconf)
        return store_find_conflict(pl->table, pl->conf_cols, pl->nconf, values, out, err);
    const size_t *pk = NULL;
    size_t npk = store_table_primary_key(pl->table, &pk);
    if (npk && store_find_conflict(pl->table, pk, npk, values, out, err) < 0)
        return -1;
    for (size_t c = 0; !*out && c < store_table_column_count(pl->table); c++)
        if (store_table_column(pl->table, c)->unique &&
            store_find_conflict(pl->table, &c, 1, values, out, err) < 0)
            return -1;
    return 0;
}

static int check_new_row(const sql_exec_env_t *env, const store_table_t *t, security_command_t cmd,
                         bool with_select, const pgvalue_t *values, pgrst_error_t *err);
static pgvalue_t *copy_row(const pgvalue_t *src, size_t w);
static void free_row(pgvalue_t *v, size_t w);
static int writes_push(writes_t *ws, const pgvalue_t *old, const pgvalue_t *new_,
                       pgrst_error_t *err);

/* ExecOnConflictUpdate: the existing row must pass UPDATE's USING (the
 * "(USING expression)" 42501), the SET list reads it and EXCLUDED (the
 * proposed row), the optional WHERE may skip it, then it is updated as an
 * UPDATE would. */
static int conflict_update(const sql_plan_t *pl, const sql_exec_env_t *env, store_row_t *existing,
                           const pgvalue_t *proposed, writes_t *ws, pgrst_error_t *err)
{
    store_table_t *t = pl->table;
    size_t w = store_table_column_count(t);
    const pgvalue_t *old = store_row_values(existing);
    if (rls_on(env, t)) {
        policy_eval_env_t pe = penv(env, old);
        if (security_with_check(env->sec, t, SECURITY_CMD_UPDATE, true, SECURITY_WCO_CONFLICT, &pe,
                                err) < 0)
            return -1;
    }
    run_t r;
    run_init(&r, pl, env);
    const pgvalue_t *rows[2] = {old, proposed};
    r.frame.rows = rows;
    if (pl->conf_where) {
        policy_truth_t tr;
        if (px_eval_truth(pl->conf_where, &r.x, &tr, err) < 0)
            return -1;
        if (tr != POLICY_TRUE)
            return 0;
    }
    pgvalue_t *values = copy_row(old, w);
    bool *provided = xcalloc(w ? w : 1, sizeof *provided);
    for (size_t c = 0; c < w; c++)
        provided[c] = true;
    int rc = 0;
    bool any_default = false;
    for (size_t s = 0; s < pl->nset && rc == 0; s++) {
        size_t col = pl->set_cols[s];
        if (!pl->set_exprs[s]) {
            provided[col] = false;
            any_default = true;
            continue;
        }
        pgvalue_t v;
        if ((rc = px_eval(pl->set_exprs[s], &r.x, &v, err)) < 0)
            break;
        pgvalue_dispose(&values[col]);
        values[col] = v;
    }
    if (rc == 0 && any_default)
        rc = store_apply_defaults(env->store, t, values, provided, env->store_env, err);
    free(provided);
    bool skip = false;
    if (rc == 0 && env->hook && env->hook->before)
        rc = env->hook->before(env->hook->ctx, t, SQL_ROW_UPDATE, old, values, &skip, err);
    if (rc == 0 && !skip)
        rc = check_new_row(env, t, SECURITY_CMD_UPDATE, pl->ntarget > 0, values, err);
    if (rc < 0 || skip) {
        free_row(values, w);
        return rc;
    }
    pgvalue_t *old_copy = copy_row(old, w), *new_copy = copy_row(values, w);
    rc = store_update(env->store, t, existing, values, env->store_env, NULL, err);
    free(values);
    if (rc == 0)
        rc = writes_push(ws, old_copy, new_copy, err);
    free_row(old_copy, w);
    free_row(new_copy, w);
    return rc;
}

/* One new row: defaults, BEFORE hook, checks, the store's insert. values is
 * consumed. */
static int insert_row(const sql_plan_t *pl, const sql_exec_env_t *env, pgvalue_t *values,
                      const bool *provided, writes_t *ws, pgrst_error_t *err)
{
    store_table_t *t = pl->table;
    size_t w = store_table_column_count(t);
    if (store_apply_defaults(env->store, t, values, provided, env->store_env, err) < 0) {
        free_row(values, w);
        return -1;
    }
    if (env->hook && env->hook->before) {
        bool skip = false;
        if (env->hook->before(env->hook->ctx, t, SQL_ROW_INSERT, NULL, values, &skip, err) < 0) {
            free_row(values, w);
            return -1;
        }
        if (skip) {
            free_row(values, w);
            return 0;
        }
    }
    if (check_new_row(env, t, SECURITY_CMD_INSERT, pl->ntarget > 0, values, err) < 0) {
        free_row(values, w);
        return -1;
    }
    if (pl->conflict) {
        store_row_t *existing = NULL;
        if (find_conflict(pl, values, &existing, err) < 0) {
            free_row(values, w);
            return -1;
        }
        if (existing) {
            int rc = pl->conflict == 2 ? conflict_update(pl, env, existing, values, ws, err) : 0;
            free_row(values, w);
            return rc;
        }
    }
    pgvalue_t *copy = copy_row(values, w);
    int rc = store_insert(env->store, t, values, env->store_env, NULL, err);
    free(values); /* the store took the elements */
    if (rc == 0)
        rc = writes_push(ws, NULL, copy, err);
    free_row(copy, w);
    return rc;
}

static int run_insert(const sql_plan_t *pl, const sql_exec_env_t *env, sql_result_t *out,
                      pgrst_error_t *err)
{
    store_table_t *t = pl->table;
    size_t w = store_table_column_count(t);
    if (require(env, t, SCENARIO_PRIV_INSERT, pl->ntarget ? SCENARIO_PRIV_SELECT : 0, err) < 0)
        return -1;
    env->store_env->hide_row_details = rls_on(env, t);
    writes_t ws = {.width = w};
    bool *provided = xcalloc(w ? w : 1, sizeof *provided);
    run_t r;
    run_init(&r, pl, env);
    int rc = 0;
    sql_result_t sel;
    sql_result_init(&sel);
    size_t nrows = pl->nrows;
    if (pl->select) {
        sql_exec_error_t se;
        sql_exec_error_init(&se);
        if (sql_exec_run(pl->select, env, &sel, &se) < 0) {
            pgrst_error_move(err, &se.e);
            free(provided);
            return -1;
        }
        nrows = sel.nrows;
    }
    for (size_t i = 0; i < nrows && rc == 0; i++) {
        if ((rc = px_charge(&r.x, err)) < 0)
            break;
        pgvalue_t *values = xcalloc(w ? w : 1, sizeof *values);
        memset(provided, 0, w * sizeof *provided);
        for (size_t c = 0; c < w; c++)
            pgvalue_init_null(&values[c]);
        for (size_t c = 0; c < pl->ncols && rc == 0; c++) {
            size_t col = pl->cols[c];
            if (pl->select) {
                pgtype_t to = store_table_column(t, col)->type;
                rc = sql_exec_assign(&sel.types[c], &sel.values[i * sel.ncols + c], &to,
                                     &values[col], err);
                provided[col] = true;
            } else if (pl->rows[i][c]) {
                rc = px_eval(pl->rows[i][c], &r.x, &values[col], err);
                provided[col] = true;
            }
        }
        if (rc < 0) {
            free_row(values, w);
            break;
        }
        rc = insert_row(pl, env, values, provided, &ws, err);
    }
    sql_result_dispose(&sel);
    free(provided);
    if (rc == 0)
        rc = finish_write(pl, env, SQL_ROW_INSERT, &ws, out, err);
    writes_dispose(&ws);
    return rc;
}

/* The target's rows the statement changes: visible to the role for cmd
 * (and SELECT when the statement reads columns), passing WHERE. */
static int targets_of(const sql_plan_t *pl, const sql_exec_env_t *env, security_command_t cmd,
                      run_t *r, store_row_t ***out, size_t *n, pgrst_error_t *err)
{
    store_table_t *t = pl->table;
    size_t cap = store_table_row_count(t);
    store_row_t **rows = xcalloc(cap ? cap : 1, sizeof *rows);
    size_t k = 0;
    bool rls = rls_on(env, t);
    for (store_row_t *row = store_table_first(t); row && k < cap; row = store_row_next(row)) {
        if (px_charge(&r->x, err) < 0)
            goto fail;
        const pgvalue_t *vals = store_row_values(row);
        if (rls) {
            policy_eval_env_t pe = penv(env, vals);
            bool vis = false;
            if (security_row_visible(env->sec, t, cmd, &pe, &vis, err) < 0)
                goto fail;
            if (vis && pl->reads &&
                security_row_visible(env->sec, t, SECURITY_CMD_SELECT, &pe, &vis, err) < 0)
                goto fail;
            if (!vis)
                continue;
        }
        if (pl->where) {
            policy_truth_t tr;
            if (eval_truth_on(r, pl->where, &vals, &tr, err) < 0)
                goto fail;
            if (tr != POLICY_TRUE)
                continue;
        }
        rows[k++] = row;
    }
    *out = rows;
    *n = k;
    return 0;
fail:
    free(rows);
    return -1;
}

/* The rewriter's policy expansion for the target (42P17 before any row). */
static int check_recursion(const sql_exec_env_t *env, const store_table_t *t,
                           security_command_t cmd, pgrst_error_t *err)
{
    if (!rls_on(env, t))
        return 0;
    return security_check_recursion(env->sec, t, cmd, env->role, err);
}

static int run_update(const sql_plan_t *pl, const sql_exec_env_t *env, sql_result_t *out,
                      pgrst_error_t *err)
{
    store_table_t *t = pl->table;
    size_t w = store_table_column_count(t);
    if (require(env, t, SCENARIO_PRIV_UPDATE, pl->reads ? SCENARIO_PRIV_SELECT : 0, err) < 0)
        return -1;
    env->store_env->hide_row_details = rls_on(env, t);
    run_t r;
    run_init(&r, pl, env);
    store_row_t **rows = NULL;
    size_t n = 0;
    if (check_recursion(env, t, SECURITY_CMD_UPDATE, err) < 0 ||
        targets_of(pl, env, SECURITY_CMD_UPDATE, &r, &rows, &n, err) < 0)
        return -1;
    writes_t ws = {.width = w};
    bool *provided = xcalloc(w ? w : 1, sizeof *provided);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const pgvalue_t *old = store_row_values(rows[i]);
        pgvalue_t *values = copy_row(old, w);
        for (size_t c = 0; c < w; c++)
            provided[c] = true;
        r.frame.rows = &old;
        bool any_default = false;
        for (size_t s = 0; s < pl->nset && rc == 0; s++) {
            size_t col = pl->set_cols[s];
            pgvalue_t v;
            if (!pl->set_exprs[s]) {
                provided[col] = false;
                any_default = true;
                continue;
            }
            if ((rc = px_eval(pl->set_exprs[s], &r.x, &v, err)) < 0)
                break;
            pgvalue_dispose(&values[col]);
            values[col] = v;
        }
        if (rc == 0 && any_default)
            rc = store_apply_defaults(env->store, t, values, provided, env->store_env, err);
        bool skip = false;
        if (rc == 0 && env->hook && env->hook->before)
            rc = env->hook->before(env->hook->ctx, t, SQL_ROW_UPDATE, old, values, &skip, err);
        if (rc == 0 && !skip)
            rc = check_new_row(env, t, SECURITY_CMD_UPDATE, pl->reads, values, err);
        if (rc < 0 || skip) {
            free_row(values, w);
            continue;
        }
        pgvalue_t *old_copy = copy_row(old, w), *new_copy = copy_row(values, w);
        rc = store_update(env->store, t, rows[i], values, env->store_env, NULL, err);
        free(values);
        if (rc == 0)
            rc = writes_push(&ws, old_copy, new_copy, err);
        free_row(old_copy, w);
        free_row(new_copy, w);
    }
    free(provided);
    free(rows);
    if (rc == 0)
        rc = finish_write(pl, env, SQL_ROW_UPDATE, &ws, out, err);
    writes_dispose(&ws);
    return rc;
}

static int run_delete(const sql_plan_t *pl, const sql_exec_env_t *env, sql_result_t *out,
                      pgrst_error_t *err)
{
    store_table_t *t = pl->table;
    size_t w = store_table_column_count(t);
    if (require(env, t, SCENARIO_PRIV_DELETE, pl->reads ? SCENARIO_PRIV_SELECT : 0, err) < 0)
        return -1;
    env->store_env->hide_row_details = rls_on(env, t);
    run_t r;
    run_init(&r, pl, env);
    store_row_t **rows = NULL;
    size_t n = 0;
    if (check_recursion(env, t, SECURITY_CMD_DELETE, err) < 0 ||
        targets_of(pl, env, SECURITY_CMD_DELETE, &r, &rows, &n, err) < 0)
        return -1;
    writes_t ws = {.width = w};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const pgvalue_t *old = store_row_values(rows[i]);
        bool skip = false;
        if (env->hook && env->hook->before &&
            (rc = env->hook->before(env->hook->ctx, t, SQL_ROW_DELETE, old, NULL, &skip, err)) < 0)
            break;
        if (skip)
            continue;
        pgvalue_t *old_copy = copy_row(old, w);
        rc = store_delete(env->store, t, rows[i], env->store_env, err);
        if (rc == 0)
            rc = writes_push(&ws, old_copy, NULL, err);
        free_row(old_copy, w);
    }
    free(rows);
    if (rc == 0)
        rc = finish_write(pl, env, SQL_ROW_DELETE, &ws, out, err);
    writes_dispose(&ws);
    return rc;
}

/* ---- UNION [ALL] ---- */

typedef struct union_rows {
    const sql_plan_t *pl;
    pgvalue_t *v; /* row-major, pl->ntarget a row */
} union_rows_t;

/* ORDER BY over the union's output columns, NULLs as each key says. */
static int union_cmp(const void *ctx, size_t a, size_t b)
{
    const union_rows_t *u = ctx;
    const sql_plan_t *pl = u->pl;
    for (size_t k = 0; k < pl->nsort; k++) {
        size_t c = (size_t)pl->sort[k].out_col;
        const pgvalue_t *x = &u->v[a * pl->ntarget + c], *y = &u->v[b * pl->ntarget + c];
        int r;
        if (x->is_null || y->is_null)
            r = x->is_null == y->is_null ? 0 : (x->is_null == pl->sort[k].nulls_first ? -1 : 1);
        else
            r = pgvalue_compare(&pl->types[c], x, y) * (pl->sort[k].desc ? -1 : 1);
        if (r)
            return r;
    }
    return 0;
}

static bool rows_same(const sql_plan_t *pl, const pgvalue_t *a, const pgvalue_t *b)
{
    for (size_t c = 0; c < pl->ntarget; c++) {
        if (a[c].is_null != b[c].is_null)
            return false;
        if (!a[c].is_null && pgvalue_compare(&pl->types[c], &a[c], &b[c]) != 0)
            return false;
    }
    return true;
}

/* Both arms' rows (in the common types), without duplicates unless ALL
 * (NULLs equal, as DISTINCT has them), then ORDER BY, OFFSET, LIMIT. */
static int run_union(const sql_plan_t *pl, const sql_exec_env_t *env, sql_result_t *out,
                     pgrst_error_t *err)
{
    size_t nc = pl->ntarget;
    sql_result_t arms[2];
    const sql_plan_t *plans[2] = {pl->larg, pl->rarg};
    size_t ran = 0;
    int rc = 0;
    for (; ran < 2 && rc == 0; ran++) {
        sql_exec_error_t e;
        sql_exec_error_init(&e);
        if (sql_exec_run(plans[ran], env, &arms[ran], &e) < 0) {
            pgrst_error_move(err, &e.e);
            sql_exec_error_dispose(&e);
            rc = -1;
            break;
        }
    }
    size_t n = rc == 0 ? arms[0].nrows + arms[1].nrows : 0;
    if (rc == 0 && n > SQL_EXEC_MAX_ROWS)
        rc = too_many(err);
    pgvalue_t *v = xcalloc((n ? n : 1) * (nc ? nc : 1), sizeof *v);
    size_t k = 0;
    /* hash buckets of kept rows, for DISTINCT */
    size_t nb = 1;
    while (nb < 2 * n)
        nb <<= 1;
    size_t *head = NULL, *next = NULL;
    if (!pl->setop_all) {
        head = xmalloc(nb * sizeof *head);
        next = xmalloc((n ? n : 1) * sizeof *next);
        for (size_t i = 0; i < nb; i++)
            head[i] = SIZE_MAX;
    }
    for (size_t arm = 0; rc == 0 && arm < 2; arm++) {
        const sql_result_t *r = &arms[arm];
        for (size_t row = 0; rc == 0 && row < r->nrows; row++) {
            if (!mock_work_charge(env->work, 2)) {
                rc = pgrst_error_setf(err, "57014", "canceling statement due to statement timeout");
                break;
            }
            pgvalue_t *dst = &v[k * nc];
            for (size_t c = 0; c < nc && rc == 0; c++) {
                const pgvalue_t *src = &r->values[row * nc + c];
                if (src->is_null) {
                    pgvalue_init_null(&dst[c]);
                } else if (r->types[c].kind == pl->types[c].kind &&
                           r->types[c].is_array == pl->types[c].is_array) {
                    pgvalue_copy(&dst[c], src);
                } else {
                    ptype_t from = {.t = r->types[c]}, to = {.t = pl->types[c]};
                    rc = px_convert(&from, src, &to, &dst[c], err);
                    if (rc < 0)
                        for (size_t x = 0; x < c; x++)
                            pgvalue_dispose(&dst[x]);
                }
            }
            if (rc < 0)
                break;
            if (!pl->setop_all) {
                uint64_t h = 1469598103934665603ULL;
                for (size_t c = 0; c < nc; c++)
                    h = (h ^ (dst[c].is_null ? 0 : pgvalue_hash(&pl->types[c], &dst[c]))) *
                        1099511628211ULL;
                size_t b = (size_t)(h & (nb - 1));
                bool dup = false;
                for (size_t i = head[b]; i != SIZE_MAX && !dup; i = next[i])
                    dup = rows_same(pl, &v[i * nc], dst);
                if (dup) {
                    for (size_t c = 0; c < nc; c++)
                        pgvalue_dispose(&dst[c]);
                    continue;
                }
                next[k] = head[b];
                head[b] = k;
            }
            k++;
        }
    }
    free(head);
    free(next);
    for (size_t i = 0; i < ran; i++)
        sql_result_dispose(&arms[i]);
    size_t *idx = xcalloc(k ? k : 1, sizeof *idx);
    for (size_t i = 0; i < k; i++)
        idx[i] = i;
    if (rc == 0 && pl->nsort) {
        union_rows_t u = {pl, v};
        px_sort_indexes(idx, k, union_cmp, &u);
    }
    int64_t limit = -1, offset = -1;
    run_t r;
    run_init(&r, pl, env);
    if (rc == 0)
        rc = eval_count(&r, pl->offset, &offset, "OFFSET", err);
    if (rc == 0)
        rc = eval_count(&r, pl->limit, &limit, "LIMIT", err);
    size_t from = offset > 0 ? ((uint64_t)offset > k ? k : (size_t)offset) : 0;
    size_t to = limit >= 0 && (uint64_t)limit < k - from ? from + (size_t)limit : k;
    if (rc == 0) {
        out->ncols = nc;
        out->names = xcalloc(nc ? nc : 1, sizeof *out->names);
        out->types = xcalloc(nc ? nc : 1, sizeof *out->types);
        for (size_t c = 0; c < nc; c++) {
            out->names[c] = xstrdup(pl->names[c]);
            out->types[c] = pl->types[c];
        }
        out->nrows = to - from;
        out->values = xcalloc((out->nrows ? out->nrows : 1) * (nc ? nc : 1), sizeof *out->values);
        for (size_t i = from; i < to; i++) {
            memcpy(&out->values[(i - from) * nc], &v[idx[i] * nc], nc * sizeof *v);
            for (size_t c = 0; c < nc; c++)
                pgvalue_init_null(&v[idx[i] * nc + c]);
        }
        out->rows_affected = out->nrows;
    }
    for (size_t i = 0; i < k * nc; i++)
        pgvalue_dispose(&v[i]);
    free(v);
    free(idx);
    return rc;
}

int sql_exec_run(const sql_plan_t *p, const sql_exec_env_t *env, sql_result_t *out,
                 sql_exec_error_t *err)
{
    sql_result_init(out);
    pgrst_error_t e;
    pgrst_error_init(&e);
    store_env_t own_env = {0};
    sql_exec_env_t local = *env;
    if (!local.store_env)
        local.store_env = &own_env;
    mock_work_t own_work;
    if (!local.work) {
        mock_work_init(&own_work, 4000000);
        local.work = &own_work;
    }
    if (p->cmd != CMD_SELECT && !store_in_transaction(local.store)) {
        pgrst_error_setf(&e, "XX000", "supamock: a write outside a transaction");
        return from_run_error(&e, err);
    }
    int rc;
    switch (p->cmd) {
    case CMD_SELECT:
        rc = p->larg ? run_union(p, &local, out, &e) : run_select(p, &local, out, &e);
        break;
    case CMD_INSERT:
        rc = run_insert(p, &local, out, &e);
        break;
    case CMD_UPDATE:
        rc = run_update(p, &local, out, &e);
        break;
    default:
        rc = run_delete(p, &local, out, &e);
        break;
    }
    if (rc < 0) {
        sql_result_dispose(out);
        return from_run_error(&e, err);
    }
    out->command = CMD_TAGS[p->cmd];
    return 0;
}

int sql_exec_once(const sql_exec_env_t *env, const cJSON *stmt, const char *src, sql_result_t *out,
                  sql_exec_error_t *err)
{
    sql_plan_t *p = NULL;
    sql_result_init(out);
    if (sql_exec_prepare(env->store, stmt, src, env->scope, &p, err) < 0)
        return -1;
    int rc = sql_exec_run(p, env, out, err);
    sql_plan_free(p);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* expressions alone                                                         */
/* ------------------------------------------------------------------------ */

struct sql_xplan {
    node_t *root;
};

static int xprepare(const store_t *store, const cJSON *expr, const char *src,
                    const sql_scope_t *scope, const char *clause, sql_xplan_t **out,
                    sql_exec_error_t *err)
{
    *out = NULL;
    an_t a;
    an_init(&a, store, src, scope, NULL);
    a.p.agg_clause = clause ? clause : "this context";
    node_t *n = px_build(&a.p, expr);
    if (n && n->type.special == SP_UNKNOWN) {
        ptype_t text = px_ptype_of(PGTYPE_TEXT);
        if (px_make_cast(&a.p, &n, &text, n->loc, true) < 0) {
            px_node_free(n);
            n = NULL;
        }
    }
    /* PL/pgSQL's exec_eval_boolean: a value of another type is cast to
     * boolean when the condition runs (IF 1 is true; IF 'abc' is 22P02) */
    ptype_t b = px_ptype_of(PGTYPE_BOOL);
    if (n && clause && px_make_cast(&a.p, &n, &b, n->loc, false) < 0) {
        px_node_free(n);
        n = NULL;
    }
    if (!n)
        return from_parse_error(&a.perr, err);
    *out = xcalloc(1, sizeof **out);
    (*out)->root = n;
    return 0;
}

int sql_expr_prepare(const store_t *store, const cJSON *expr, const char *src,
                     const sql_scope_t *scope, sql_xplan_t **out, sql_exec_error_t *err)
{
    return xprepare(store, expr, src, scope, NULL, out, err);
}

int sql_expr_prepare_bool(const store_t *store, const cJSON *expr, const char *src,
                          const sql_scope_t *scope, const char *clause, sql_xplan_t **out,
                          sql_exec_error_t *err)
{
    return xprepare(store, expr, src, scope, clause ? clause : "IF", out, err);
}

void sql_xplan_free(sql_xplan_t *x)
{
    if (!x)
        return;
    px_node_free(x->root);
    free(x);
}

pgtype_t sql_xplan_type(const sql_xplan_t *x)
{
    return out_type(&x->root->type);
}

int sql_expr_eval(const sql_xplan_t *x, const sql_exec_env_t *env, pgvalue_t *out,
                  sql_exec_error_t *err)
{
    sql_plan_t none;
    memset(&none, 0, sizeof none);
    run_t r;
    run_init(&r, &none, env);
    mock_work_t own;
    if (!env->work) {
        mock_work_init(&own, 4000000);
        r.pub.work = &own;
    }
    pgrst_error_t e;
    pgrst_error_init(&e);
    if (px_eval(x->root, &r.x, out, &e) < 0)
        return from_run_error(&e, err);
    return 0;
}

int sql_expr_eval_bool(const sql_xplan_t *x, const sql_exec_env_t *env, policy_truth_t *out,
                       sql_exec_error_t *err)
{
    pgvalue_t v;
    if (sql_expr_eval(x, env, &v, err) < 0)
        return -1;
    *out = v.is_null ? POLICY_NULL : v.i ? POLICY_TRUE : POLICY_FALSE;
    pgvalue_dispose(&v);
    return 0;
}

int sql_exec_assign(const pgtype_t *from, const pgvalue_t *v, const pgtype_t *to, pgvalue_t *out,
                    pgrst_error_t *err)
{
    pgvalue_init_null(out);
    if (v->is_null)
        return 0;
    ptype_t f = px_ptype_of(PGTYPE_TEXT), t = px_ptype_of(PGTYPE_TEXT);
    f.t = *from;
    t.t = *to;
    return px_convert(&f, v, &t, out, err);
}

int sql_plan_eval_row(const sql_plan_t *p, const sql_exec_env_t *env, const pgvalue_t *row,
                      bool *passes, pgvalue_t *out, sql_exec_error_t *err)
{
    run_t r;
    run_init(&r, p, env);
    const pgvalue_t *rows[1] = {row};
    r.frame.rows = rows;
    pgrst_error_t e;
    pgrst_error_init(&e);
    *passes = true;
    if (p->where) {
        policy_truth_t t;
        if (px_eval_truth(p->where, &r.x, &t, &e) < 0)
            return from_run_error(&e, err);
        *passes = t == POLICY_TRUE;
    }
    for (size_t c = 0; c < p->ntarget; c++)
        if (px_eval(p->targets[c], &r.x, &out[c], &e) < 0) {
            for (size_t k = 0; k < c; k++)
                pgvalue_dispose(&out[k]);
            return from_run_error(&e, err);
        }
    return 0;
}
