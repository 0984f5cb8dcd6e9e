/* Views on the memory engine (see mem_view.h). */
#include "mem_view.h"

#include "buf.h"
#include "sql_exec.h"
#include "sql_parse.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The budget a view's query gets when its reader has none (a policy or a
 * CHECK constraint reading a view): the bound of a policy's subquery. */
#define MEM_VIEW_WORK_STEPS 1000000

typedef struct mem_view {
    mem_views_t *set; /* the owner */
    store_table_t *t; /* the store's */
    sql_plan_t *plan; /* owned */
    bool invoker, materialized;
    char check; /* WITH CHECK OPTION: 'l'ocal, 'c'ascaded, 0 none */
    /* Automatically updatable (sql_plan_auto_updatable): the one relation it
     * reads; NULL with not_updatable saying why not (Postgres's detail). */
    const store_table_t *source;
    const char *not_updatable;
    bool tracked; /* rows are computed from source's row by row and tagged with the table row */
} mem_view_t;

struct mem_views {
    store_t *store;        /* borrowed */
    const security_t *sec; /* borrowed; NULL until mem_views_set_security */
    mem_view_t **views;    /* owned; each the ctx of its relation's fill */
    size_t nviews;
    mem_view_problem_t *problems;
    size_t nproblems;
};

static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* A statement's budget that ran out, as the statement reports it. */
static int work_error(const mock_work_t *w, pgrst_error_t *err)
{
    if (w->fail_code)
        return pgrst_error_setf(err, w->fail_code, "%s", w->fail_message);
    return pgrst_error_setf(err, "57014", "canceling statement due to statement timeout");
}

/* An automatically updatable view's rows: its source's rows (as the view
 * reads them) through its WHERE and select list one by one, each tagged
 * with the table row it shows, so that a write through the view finds the
 * row it changes (a view over such a view passes its source's tags on). */
static int fill_tracked(mem_view_t *v, store_table_t *t, const store_reader_t *rd,
                        const sql_exec_env_t *env, pgrst_error_t *err)
{
    store_table_t *src = (store_table_t *)v->source;
    store_reader_t srd = *rd;
    srd.superuser = env->superuser;
    srd.work = env->work;
    if (!env->superuser && env->sec) {
        static const unsigned select_priv[] = {SCENARIO_PRIV_SELECT};
        if (security_require(env->sec, src, env->role, select_priv, 1, err) < 0)
            return -1;
    }
    if (store_table_refresh(src, &srd, err) < 0)
        return -1;
    bool rls = !env->superuser && env->sec && security_rls_applies(env->sec, src, env->role);
    size_t ncols = store_table_column_count(t);
    size_t cap = store_table_row_count(src);
    pgvalue_t *values = xcalloc((cap ? cap : 1) * (ncols ? ncols : 1), sizeof *values);
    const store_row_t **tags = xcalloc(cap ? cap : 1, sizeof *tags);
    size_t k = 0;
    int rc = 0;
    for (const store_row_t *r = store_table_first(src); r && k < cap && rc == 0;
         r = store_row_next(r)) {
        if (!mock_work_charge(env->work, 4)) {
            rc = work_error(env->work, err);
            break;
        }
        if (rls) {
            policy_eval_env_t pe = {.row = store_row_values(r),
                                    .claims = env->claims,
                                    .role = env->role,
                                    .work = env->work};
            bool vis = false;
            if ((rc = security_row_visible(env->sec, src, SECURITY_CMD_SELECT, &pe, &vis, err)) <
                    0 ||
                !vis)
                continue;
        }
        bool passes = false;
        sql_exec_error_t e;
        sql_exec_error_init(&e);
        if (sql_plan_eval_row(v->plan, env, store_row_values(r), &passes, &values[k * ncols], &e) <
            0) {
            pgrst_error_move(err, &e.e);
            sql_exec_error_dispose(&e);
            rc = -1;
            break;
        }
        if (passes) {
            tags[k] = store_row_tag(r) ? store_row_tag(r) : r;
            k++;
        } else {
            for (size_t c = 0; c < ncols; c++)
                pgvalue_dispose(&values[k * ncols + c]);
        }
    }
    if (rc == 0)
        store_derived_set_rows_tagged(t, values, k, tags);
    else
        for (size_t i = 0; i < k * ncols; i++)
            pgvalue_dispose(&values[i]);
    free(values);
    free(tags);
    return rc;
}

/* Runs the view's query for a reader: as the owner (privileges and
 * row-level security of the tables below are the owner's, who sees every
 * row), or with WITH (security_invoker) as the reader. current_user stays
 * the reader's either way, as in Postgres. */
static int fill(void *ctx, store_table_t *t, const store_reader_t *rd, pgrst_error_t *err)
{
    mem_view_t *v = ctx;
    mock_work_t local;
    mock_work_t *work = rd->work;
    if (!work) {
        mock_work_init(&local, MEM_VIEW_WORK_STEPS);
        work = &local;
    }
    store_env_t senv = {.now_us = rd->now_us, .auth_uid = rd->auth_uid};
    sql_exec_env_t env = {
        .store = v->set->store,
        .sec = v->invoker ? v->set->sec : NULL,
        .role = rd->role ? rd->role : "postgres",
        .superuser = v->invoker ? rd->superuser : true,
        .claims = rd->claims,
        .store_env = &senv,
        .work = work,
    };
    if (v->tracked)
        return fill_tracked(v, t, rd, &env, err);
    return sql_exec_fill(v->plan, &env, t, err);
}

/* message, and the SQLSTATE when there is one */
static void add_problem(mem_views_t *set, const scenario_table_t *st, const char *message,
                        const char *code)
{
    set->problems = xrealloc(set->problems, (set->nproblems + 1) * sizeof *set->problems);
    set->problems[set->nproblems++] =
        (mem_view_problem_t){st, code ? xasprintf("%s (%s)", message, code) : xstrdup(message)};
}

/* The names the view's columns go by: its column list first (CREATE VIEW
 * v (a, b)), then the query's own names. */
static size_t alias_names(const cJSON *list, const char **out, size_t cap)
{
    size_t n = 0;
    for (const cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e && n < cap; e = e->next) {
        const cJSON *v = get(get(e, "String"), "sval");
        if (cJSON_IsString(v))
            out[n++] = v->valuestring;
    }
    return n;
}

/* Where view column i comes from: the relation of the query's FROM it
 * names, looked through when that is a subquery of the query itself (as
 * markTargetListOrigins looks through RTE_SUBQUERY and CTEs). */
static void record_origin(store_table_t *t, const sql_plan_t *plan, size_t i)
{
    const store_table_t *ot;
    size_t oc;
    if (!sql_plan_column_origin(plan, i, &ot, &oc))
        return;
    while (store_table_is_detached(ot)) {
        const store_table_t *next;
        size_t nc;
        if (!store_column_origin(ot, oc, &next, &nc))
            return;
        ot = next;
        oc = nc;
    }
    store_derived_set_origin(t, i, ot, oc);
}

/* One definition of st analysed against the store as it is: its plan and
 * its columns' names (owned), or false with *problem (owned). */
static bool analyse(mem_views_t *set, const scenario_table_t *st, const char *sql,
                    sql_plan_t **plan, char ***colnames, size_t *ncols, char **problem)
{
    sql_script_t script;
    sql_error_t perr;
    *plan = NULL;
    if (sql_parse_script(sql, &script, &perr) < 0) {
        *problem = xstrdup(perr.message);
        return false;
    }
    const sql_stmt_t *stmt = script.count == 1 ? &script.stmts[0] : NULL;
    const cJSON *query = NULL, *aliases = NULL;
    if (stmt && strcmp(stmt->kind, "ViewStmt") == 0) {
        query = get(stmt->node, "query");
        aliases = get(stmt->node, "aliases");
    } else if (stmt && strcmp(stmt->kind, "CreateTableAsStmt") == 0) {
        query = get(stmt->node, "query");
        aliases = get(get(stmt->node, "into"), "colNames");
    }
    sql_exec_error_t e;
    sql_exec_error_init(&e);
    if (!query) {
        *problem = xstrdup("not a view's statement");
    } else if (sql_exec_prepare_in(set->store, query, sql, NULL,
                                   (const char *const *)st->view_search_path,
                                   st->view_search_path_len, plan, &e) < 0) {
        *problem = xasprintf("%s (%s)", e.e.message, e.e.code);
        sql_exec_error_dispose(&e);
    } else {
        const char *const *names;
        const pgtype_t *types;
        size_t n = sql_plan_columns(*plan, &names, &types);
        const char *alias[256];
        size_t nalias = alias_names(aliases, alias, 256);
        if (nalias > n) {
            *problem = xstrdup("CREATE VIEW specifies more column names than columns (42601)");
            sql_plan_free(*plan);
            *plan = NULL;
        } else {
            *colnames = xcalloc(n ? n : 1, sizeof **colnames);
            for (size_t i = 0; i < n; i++)
                (*colnames)[i] = xstrdup(i < nalias ? alias[i] : names[i]);
            *ncols = n;
        }
    }
    sql_script_dispose(&script);
    return *plan != NULL;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void record_origins(mem_view_t *v)
{
    for (size_t i = 0; i < store_table_column_count(v->t); i++) {
        store_derived_set_origin(v->t, i, NULL, 0);
        record_origin(v->t, v->plan, i);
    }
}

/* The view's relation in the store, filled by plan (taken). */
static mem_view_t *create(mem_views_t *set, const scenario_table_t *st, sql_plan_t *plan,
                          char **colnames, size_t n, char **problem)
{
    const char *const *names;
    const pgtype_t *types;
    sql_plan_columns(plan, &names, &types);
    mem_view_t *v = xcalloc(1, sizeof *v);
    v->set = set;
    v->plan = plan;
    v->invoker = st->view_security_invoker;
    v->materialized = st->view_materialized;
    v->check = st->view_check_option;
    v->not_updatable = sql_plan_auto_updatable(plan, &v->source);
    if (v->not_updatable)
        v->source = NULL;
    v->tracked = v->source && !v->materialized && !sql_plan_sorted(plan);
    v->t = store_add_derived(set->store, st->schema, st->name, (const char *const *)colnames, types,
                             n, true, false, fill, v, problem);
    free_names(colnames, n);
    if (!v->t) {
        sql_plan_free(plan);
        free(v);
        return NULL;
    }
    store_table_set_in_schema_cache(v->t, st->in_schema_cache);
    record_origins(v);
    set->views = xrealloc(set->views, (set->nviews + 1) * sizeof *set->views);
    set->views[set->nviews++] = v;
    return v;
}

/* CREATE OR REPLACE VIEW whose new query reads the view itself: the view
 * as it was exists while the new query is analysed. The new definition
 * keeps the old columns (Postgres: 42P16 otherwise). */
static void build_replaced(mem_views_t *set, const scenario_table_t *st, char *first_problem)
{
    sql_plan_t *plan;
    char **names = NULL, *problem = NULL;
    size_t n = 0;
    mem_view_t *v = NULL;
    if (analyse(set, st, st->view_prior_sql, &plan, &names, &n, &problem))
        v = create(set, st, plan, names, n, &problem);
    if (!v) {
        add_problem(set, st, first_problem, NULL);
        free(problem);
        return;
    }
    size_t n2 = 0;
    char **names2 = NULL;
    if (!analyse(set, st, st->view_sql, &plan, &names2, &n2, &problem) || n2 != n) {
        if (plan)
            problem = xstrdup("cannot change the number of columns of a view (42P16)");
        sql_plan_free(plan);
        free_names(names2, n2);
        set->nviews--; /* v is the last one */
        store_drop_derived(set->store, v->t);
        sql_plan_free(v->plan);
        free(v);
        add_problem(set, st, problem, NULL);
        free(problem);
        return;
    }
    free_names(names2, n2);
    sql_plan_free(v->plan);
    v->plan = plan;
    v->not_updatable = sql_plan_auto_updatable(plan, &v->source);
    if (v->not_updatable)
        v->source = NULL;
    /* it reads itself: never computed row by row (42P17 when read) */
    v->tracked = false;
    record_origins(v);
}

static void build_view(mem_views_t *set, const scenario_table_t *st)
{
    sql_plan_t *plan;
    char **names = NULL, *problem = NULL;
    size_t n = 0;
    if (analyse(set, st, st->view_sql, &plan, &names, &n, &problem)) {
        if (!create(set, st, plan, names, n, &problem)) {
            add_problem(set, st, problem, NULL);
            free(problem);
        }
        return;
    }
    if (st->view_prior_sql)
        build_replaced(set, st, problem);
    else
        add_problem(set, st, problem, NULL);
    free(problem);
}

mem_views_t *mem_views_new(const scenario_t *sc, store_t *store)
{
    mem_views_t *set = xcalloc(1, sizeof *set);
    set->store = store;
    for (size_t i = 0; i < sc->table_count; i++)
        if (sc->tables[i].view_sql)
            build_view(set, &sc->tables[i]);
    return set;
}

size_t mem_views_problems(const mem_views_t *v, const mem_view_problem_t **out)
{
    *out = v->problems;
    return v->nproblems;
}

void mem_views_set_security(mem_views_t *v, const security_t *sec)
{
    v->sec = sec;
}

void mem_views_free(mem_views_t *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->nviews; i++) {
        sql_plan_free(v->views[i]->plan);
        free(v->views[i]);
    }
    free(v->views);
    for (size_t i = 0; i < v->nproblems; i++)
        free(v->problems[i].message);
    free(v->problems);
    free(v);
}

static const mem_view_t *find_view(const mem_views_t *set, const store_table_t *t)
{
    for (size_t i = 0; set && i < set->nviews; i++)
        if (set->views[i]->t == t)
            return set->views[i];
    return NULL;
}

/* rewriteTargetView's refusals, in the words of the command. */
static const char *const VERBS[] = {"insert into", "update", "delete from"};
static const char *const HINTS[] = {"inserting into", "updating", "deleting from"};
static const char *const EVENTS[] = {"INSERT", "UPDATE", "DELETE"};

int mem_view_target(const mem_views_t *set, const store_table_t *t, mem_view_cmd_t cmd,
                    mem_view_target_t *out, pgrst_error_t *err)
{
    const mem_view_t *v = find_view(set, t);
    if (!v)
        return pgrst_error_setf(err, "XX000", "supamock: %s is not a view", store_table_name(t));
    if (v->materialized)
        return pgrst_error_setf(err, "42809", "cannot change materialized view \"%s\"",
                                store_table_name(t));
    size_t n = store_table_column_count(t);
    int *colmap = xcalloc(n ? n : 1, sizeof *colmap);
    const char *why = v->not_updatable;
    size_t updatable = 0;
    for (size_t i = 0; i < n; i++) {
        const store_table_t *ot;
        size_t oc;
        colmap[i] =
            !why && sql_plan_column_origin(v->plan, i, &ot, &oc) && ot == v->source ? (int)oc : -1;
        updatable += colmap[i] >= 0;
    }
    if (!why && cmd != MEM_VIEW_DELETE && updatable == 0)
        why = "Views that have no updatable columns are not automatically updatable.";
    if (why) {
        free(colmap);
        pgrst_error_setf(err, "55000", "cannot %s view \"%s\"", VERBS[cmd], store_table_name(t));
        pgrst_error_detailsf(err, "%s", why);
        pgrst_error_hintf(err,
                          "To enable %s the view, provide an INSTEAD OF %s trigger or an "
                          "unconditional ON %s DO INSTEAD rule.",
                          HINTS[cmd], EVENTS[cmd], EVENTS[cmd]);
        return -1;
    }
    if (!v->tracked) {
        free(colmap);
        return pgrst_error_setf(err, "0A000",
                                "supamock: writing through view \"%s\" (it has ORDER BY or reads "
                                "itself) is not supported by the memory engine",
                                store_table_name(t));
    }
    mem_view_target_t below = {0};
    if (store_table_is_derived(v->source)) {
        /* a view over a view: the one below is rewritten in turn */
        if (mem_view_target(set, v->source, cmd, &below, err) < 0) {
            free(colmap);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            if (colmap[i] >= 0)
                colmap[i] = below.colmap[colmap[i]];
        out->table = below.table;
        out->invoker = v->invoker && below.invoker;
        free(below.colmap);
    } else {
        out->table = (store_table_t *)v->source;
        out->invoker = v->invoker;
    }
    out->colmap = colmap;
    out->chain = xrealloc(below.chain, (below.nchain + 1) * sizeof *out->chain);
    out->chain[below.nchain] = v;
    out->nchain = below.nchain + 1;
    return 0;
}

void mem_view_target_dispose(mem_view_target_t *target)
{
    free(target->colmap);
    free((void *)target->chain);
    memset(target, 0, sizeof *target);
}

int mem_view_check(const mem_view_target_t *target, const sql_exec_env_t *env,
                   const pgvalue_t *values, const mem_view_row_shown_t *shown, pgrst_error_t *err)
{
    /* Which views are checked: those with the option, and every one below
     * a CASCADED one. The rewriter puts the inner views' checks first
     * (rewriteTargetView: lcons), so the first failing from the table up
     * is the one reported. Each view's WHERE is read on the row as the
     * view below projects it, shown there or not. */
    bool *checked = xcalloc(target->nchain ? target->nchain : 1, sizeof *checked);
    bool cascades = false;
    for (size_t i = target->nchain; i-- > 0;) {
        checked[i] = target->chain[i]->check || cascades;
        cascades = cascades || target->chain[i]->check == 'c';
    }
    const pgvalue_t *cur = values;
    pgvalue_t *row = NULL;
    size_t ncols = 0;
    int rc = 0;
    for (size_t i = 0; i < target->nchain && rc == 0; i++) {
        const mem_view_t *v = target->chain[i];
        size_t n = store_table_column_count(v->t);
        pgvalue_t *out = xcalloc(n ? n : 1, sizeof *out);
        bool passes = false;
        sql_exec_error_t e;
        sql_exec_error_init(&e);
        if (sql_plan_eval_row(v->plan, env, cur, &passes, out, &e) < 0) {
            pgrst_error_move(err, &e.e);
            sql_exec_error_dispose(&e);
            free(out);
            rc = -1;
            break;
        }
        if (!passes && checked[i]) {
            pgrst_error_setf(err, "44000", "new row violates check option for view \"%s\"",
                             store_table_name(v->t));
            if (!shown->hidden) {
                buf_t desc;
                buf_init(&desc);
                if (shown->whole)
                    store_row_description(target->table, values, &desc);
                else
                    store_row_description_cols(target->table, values, shown->written, &desc);
                pgrst_error_detailsf(err, "Failing row contains %s.", buf_cstr(&desc));
                buf_dispose(&desc);
            }
            rc = -1;
        }
        for (size_t k = 0; k < ncols; k++)
            pgvalue_dispose(&row[k]);
        free(row);
        row = out;
        ncols = n;
        cur = row;
    }
    for (size_t k = 0; k < ncols; k++)
        pgvalue_dispose(&row[k]);
    free(row);
    free(checked);
    return rc;
}

int mem_view_column_error(const store_table_t *t, mem_view_cmd_t cmd, const char *column,
                          pgrst_error_t *err)
{
    static const char *const verbs[] = {"insert into", "update", "delete from"};
    pgrst_error_setf(err, "0A000", "cannot %s column \"%s\" of view \"%s\"", verbs[cmd], column,
                     store_table_name(t));
    pgrst_error_detailsf(err, "View columns that are not columns of their base relation are not "
                              "updatable.");
    return -1;
}
