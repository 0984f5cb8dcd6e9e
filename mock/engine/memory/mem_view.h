/* Views on the memory engine. A view of the scenario (CREATE VIEW, CREATE
 * MATERIALIZED VIEW) is analysed once the tables exist, with the statement
 * executor (sql_exec.h) under the search path it was created with, and
 * becomes a derived relation of the store (store_add_derived): columns named
 * and typed as Postgres derives them from the query (or the view's column
 * list), rows computed by running the query when a statement reads the view.
 *
 * Whose rows: a view runs as its owner, as Postgres runs a view's query
 * with the owner's privileges. A project's views are owned by `postgres`,
 * which on Supabase owns the tables and bypasses row-level security, so the
 * owner reads every row. WITH (security_invoker) runs it as the reader, with
 * the reader's privileges and policies on the tables below (Postgres 15).
 *
 * Provenance: each view column that is a plain column of a relation in the
 * query's FROM records that column (store_derived_set_origin), as
 * pg_rewrite's target entries record resorigtbl/resorigcol; PostgREST
 * finds a view's keys and relationships through them (relationships.c).
 *
 * A materialized view is computed like a view (REFRESH is not modelled: its
 * rows follow the tables). The set owns its plans; the store owns the
 * relations. */
#ifndef MOCK_MEM_VIEW_H
#define MOCK_MEM_VIEW_H

#include "scenario.h"
#include "security.h"
#include "store.h"

#include <stddef.h>

typedef struct mem_views mem_views_t;

/* A view the executor could not analyse (a construct it does not run): it
 * is left out of the store, as the notice says. */
typedef struct mem_view_problem {
    const scenario_table_t *view;
    char *message; /* owned: Postgres's error text and SQLSTATE */
} mem_view_problem_t;

/* Adds sc's views to store in creation order (a view may read the views
 * before it). Views the executor cannot analyse are left out and listed in
 * *problems (owned by the set, valid until mem_views_free). Never fails. */
mem_views_t *mem_views_new(const scenario_t *sc, store_t *store);
size_t mem_views_problems(const mem_views_t *v, const mem_view_problem_t **out);
/* The security model the security_invoker views read through, once it
 * exists (it is built after the views, whose grants it holds). Borrowed. */
void mem_views_set_security(mem_views_t *v, const security_t *sec);
/* A write through a view (rewriteTargetView): the table it changes. */
typedef enum mem_view_cmd { MEM_VIEW_INSERT, MEM_VIEW_UPDATE, MEM_VIEW_DELETE } mem_view_cmd_t;
typedef struct mem_view_target {
    store_table_t *table; /* the table written (through views over views) */
    int *colmap;          /* owned (free): per view column, the table's column; -1 when
                             the view column is not updatable (an expression) */
    bool invoker;         /* every view on the way is security_invoker: the table's
                             row-level security applies to the writer */
} mem_view_target_t;
/* The target of cmd through view t, or -1 with Postgres's error: 55000
 * "cannot insert into view" with the detail why it is not automatically
 * updatable and the hint, 42809 for a materialized view. A view whose rows
 * are not computed row by row (mem_view.h: an ORDER BY, or one reading
 * itself) is 0A000. */
int mem_view_target(const mem_views_t *v, const store_table_t *t, mem_view_cmd_t cmd,
                    mem_view_target_t *out, pgrst_error_t *err);
/* 0A000 `cannot insert into column "x" of view "v"`: a column the view
 * computes. Returns -1. */
int mem_view_column_error(const store_table_t *t, mem_view_cmd_t cmd, const char *column,
                          pgrst_error_t *err);

/* Frees the plans; call before the store is freed. NULL is a no-op. */
void mem_views_free(mem_views_t *v);

#endif
