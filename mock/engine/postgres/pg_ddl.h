/* A JSON scenario as SQL: the DDL and DML that make a database hold what the
 * scenario describes (scenario.h), for the database engine. Pure text: it
 * runs nothing (pg_load.c does).
 *
 * Two phases, because PostgREST's schema cache must not see what the
 * scenario marks `in_schema_cache: false`:
 * - PG_DDL_BEFORE runs before the engine loads its schema cache (it is what
 *   the project's template database holds): enums, roles, schemas, the
 *   tables and columns in the cache with their RLS, grants and policies,
 *   the scenario's users in auth.users, seed rows, then foreign keys (added
 *   after the rows, so a row may reference one seeded later, as the memory
 *   engine allows);
 * - PG_DDL_AFTER runs once the engine has loaded its cache, after every
 *   clone of the template (start, reset, session): the hidden tables and
 *   columns, the rows of the tables they touch, and the foreign keys that
 *   involve them.
 *
 * Identifiers are double-quoted and literals single-quoted (standard
 * strings), so names and values from the scenario are never SQL; policy and
 * check expressions are SQL by definition (scenario files are the
 * developer's own, as migrations are) and go in parenthesised. */
#ifndef MOCK_PG_DDL_H
#define MOCK_PG_DDL_H

#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum pg_ddl_phase {
    PG_DDL_BEFORE,
    PG_DDL_AFTER,
} pg_ddl_phase_t;

typedef struct pg_ddl_stmt {
    char *sql; /* owned; one statement */
    pg_ddl_phase_t phase;
    scenario_pos_t pos; /* the scenario item it came from, for errors */
    bool admin;         /* runs as the administrator (roles are the server's) */
} pg_ddl_stmt_t;

typedef struct pg_ddl {
    pg_ddl_stmt_t *stmts; /* in execution order within each phase */
    size_t count, cap;
} pg_ddl_t;

/* Fills out (zeroed by the caller) from sc. */
void pg_ddl_build(const scenario_t *sc, pg_ddl_t *out);
/* Only the scenario's auth users (INSERT INTO auth.users), phase BEFORE:
 * what a project's SQL may reference (a seed row's REFERENCES auth.users),
 * so they go in before it. */
void pg_ddl_build_users(const scenario_t *sc, pg_ddl_t *out);
void pg_ddl_dispose(pg_ddl_t *d);

/* How many statements of the phase there are. */
size_t pg_ddl_count(const pg_ddl_t *d, pg_ddl_phase_t phase);

/* "..." with embedded quotes doubled; appended to a new string. */
char *pg_ddl_ident(const char *name);
/* '...' with embedded quotes doubled (standard_conforming_strings). */
char *pg_ddl_literal(const char *text);

#endif
