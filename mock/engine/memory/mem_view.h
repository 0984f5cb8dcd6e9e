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
/* Frees the plans; call before the store is freed. NULL is a no-op. */
void mem_views_free(mem_views_t *v);

#endif
