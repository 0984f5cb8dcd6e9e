/* Applies SQL files to a database as `supabase db reset` applies migrations
 * and the seed: statement by statement (pg_split.h), as the role `postgres`,
 * stopping at the first failure with FILE:LINE:COL of the failing statement
 * (refined by Postgres's error position when it gives one) and Postgres's
 * own message, detail and hint.
 *
 * CREATE EXTENSION runs as the cluster's superuser: on Supabase, supautils
 * lets `postgres` create the extensions it allows, which a plain Postgres
 * refuses to a non-superuser for untrusted ones (postgis, pg_stat_statements).
 * So does ALTER ROLE ... SET pgrst.NAME (PostgREST's in-database
 * configuration), which a plain server allows only a superuser.
 * An extension this server lacks fails with the Debian package that brings
 * it, when one does. */
#ifndef MOCK_PG_APPLY_H
#define MOCK_PG_APPLY_H

#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct pg_site pg_site_t;
typedef struct pg_apply pg_apply_t;

/* Opens the connections (as `postgres`, and as the administrator for
 * extensions) to database db of site. NULL with err filled. */
pg_apply_t *pg_apply_open(pg_site_t *site, const char *db, char *err, size_t err_len);
void pg_apply_close(pg_apply_t *a); /* NULL is a no-op */

/* Runs every statement of text[0..len), which came from `file` (named in
 * errors as given). Returns 0, or -1 with err at FILE:LINE:COL. */
int pg_apply_text(pg_apply_t *a, const char *file, const char *text, size_t len,
                  scenario_error_t *err);

/* pg_apply_text with every statement run as the administrator: roles, which
 * a scenario declares and only a superuser may create or alter (BYPASSRLS). */
int pg_apply_admin_text(pg_apply_t *a, const char *file, const char *text, size_t len,
                        scenario_error_t *err);

/* Does the relation schema.name (or a type called name, in any schema)
 * exist now? For what a scenario's SQL already made (pg_load.c). */
bool pg_apply_relation_exists(pg_apply_t *a, const char *schema, const char *name);
bool pg_apply_type_exists(pg_apply_t *a, const char *name);

/* Reads the file (a regular file up to max_bytes) and applies it. */
int pg_apply_file(pg_apply_t *a, const char *path, size_t max_bytes, scenario_error_t *err);

/* The Debian package that brings extension `name`, or NULL when Debian
 * ships none (supabase's own builds: pg_graphql, pg_net, ...). */
const char *pg_apply_extension_package(const char *name);

#endif
