/* Loading a project into the database engine, and cloning it per instance.
 *
 * A template is built once per scenario on a site (pg_site.h): a database
 * that starts from the Supabase baseline, gets the scenario's SQL files
 * (a project's supabase/migrations/NAME.sql files in filename order, then
 * supabase/seed.sql) and then the scenario's JSON tables (pg_ddl.h, phase
 * BEFORE). Nothing connects to it afterwards, so it can be cloned.
 *
 * Every instance (the root at start and after /__mock/reset, each session)
 * gets its own working database: CREATE DATABASE ... TEMPLATE, a file copy
 * of a few megabytes. The caller then makes the engine on it (pg_engine_new
 * loads the schema cache) and only then calls pg_database_finish, which runs
 * phase AFTER (what the scenario marks in_schema_cache: false), so those
 * tables and columns exist but PostgREST's cache has not seen them.
 * Dropping the database ends its connections first (WITH (FORCE)).
 *
 * PostgREST's in-database configuration, `ALTER ROLE authenticator SET
 * pgrst.NAME = 'value'` in a migration, is read back from pg_db_role_setting
 * after the load (pg_template_setting). */
#ifndef MOCK_PG_LOAD_H
#define MOCK_PG_LOAD_H

#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pg_site pg_site_t;
typedef struct pg_template pg_template_t;
typedef struct pg_database pg_database_t;

/* Largest SQL file a project may hold. */
#define PG_LOAD_MAX_FILE_BYTES (64u << 20)

/* Builds the template for sc on site: files[0..n) (paths, applied in this
 * order, named in errors as given), then sc's JSON. Returns 0 with *out
 * (freed with pg_template_free, which drops it), or -1 with err at the
 * FILE:LINE:COL that failed. sc must outlive the template (positions). */
int pg_template_build(pg_site_t *site, const scenario_t *sc, const char *const *files, size_t n,
                      pg_template_t **out, scenario_error_t *err);
void pg_template_free(pg_template_t *t); /* NULL is a no-op */

/* How long the build took (ms), for the start-up log. */
double pg_template_build_ms(const pg_template_t *t);

/* The value authenticator's pgrst.NAME setting got from the project's SQL
 * ("db_aggregates_enabled" for pgrst.db_aggregates_enabled), or NULL. */
const char *pg_template_setting(const pg_template_t *t, const char *name);

/* The cluster's roles after the load, but Postgres's predefined pg_* ones,
 * in creation order: role i's name, and whether it bypasses row-level
 * security (superuser or BYPASSRLS). At most LOAD_MAX_ROLES. */
size_t pg_template_role_count(const pg_template_t *t);
const char *pg_template_role(const pg_template_t *t, size_t i, bool *bypass_rls);

/* A working database cloned from the template ("supamock_KIND_N"). Returns
 * 0 with *out, or -1 with err filled. */
int pg_database_clone(pg_template_t *t, const char *kind, pg_database_t **out, char *err,
                      size_t err_len);
/* Phase AFTER of the scenario (pg_ddl.h), once the engine has its cache.
 * Returns 0, or -1 with err at the scenario position that failed. */
int pg_database_finish(pg_database_t *db, scenario_error_t *err);
/* Drops the database (its connections are ended first). NULL is a no-op. */
void pg_database_drop(pg_database_t *db);

/* What supamock.gen_random_uuid() (baseline.sql) mixes into its UUIDs on
 * this database: --seed, for the connections opened afterwards. Returns 0,
 * or -1 with err filled. */
int pg_database_set_seed(pg_database_t *db, uint64_t seed, char *err, size_t err_len);

const char *pg_database_name(const pg_database_t *db);
/* A connection string for the database as `user` (NULL: the administrator).
 * The caller frees it. */
char *pg_database_conninfo(const pg_database_t *db, const char *user);
/* Milliseconds the clone took. */
double pg_database_clone_ms(const pg_database_t *db);

#endif
