/* Views on the memory engine (see mem_view.h). */
#include "mem_view.h"

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
    bool invoker;
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
    sql_result_t res;
    sql_exec_error_t e;
    sql_exec_error_init(&e);
    if (sql_exec_run(v->plan, &env, &res, &e) < 0) {
        pgrst_error_move(err, &e.e);
        sql_exec_error_dispose(&e);
        return -1;
    }
    store_derived_set_rows(t, res.values, res.nrows);
    sql_result_dispose(&res);
    return 0;
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
