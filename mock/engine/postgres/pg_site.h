/* Where the database engine's databases live: an ephemeral cluster supamock
 * starts (--db postgres, cluster.h) or an existing server given by URL
 * (--db postgres://...). A site makes and drops databases on it: a project's
 * template and the working databases cloned from it (pg_load.h). Every
 * database a site made is dropped when it closes, so an existing server is
 * left as found.
 *
 * On a cluster the Supabase baseline is in database `postgres` (cluster.c
 * built it into the cached template), so a new database clones it. On an
 * existing server the Supabase roles must exist already (as in the database
 * of `supabase start`); a new database is created empty and the baseline's
 * per-database part (schemas auth, extensions and storage, their functions,
 * the grants and default privileges) is applied to it, skipping what the
 * server already has. The URL's user must be allowed to create databases
 * and roles' objects (supabase_admin, or postgres on a local stack).
 *
 * Blocking: every call waits for the server (start-up, CREATE DATABASE). It
 * runs at start, on /__mock/reset and when a session is created. */
#ifndef MOCK_PG_SITE_H
#define MOCK_PG_SITE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pg_site pg_site_t;

/* url NULL: start an ephemeral cluster (pg_cluster_start with the default
 * options). Else a postgres:// or postgresql:// URL of an existing server.
 * Returns 0 with *out (the caller closes it), or -1 with err filled. */
int pg_site_open(const char *url, pg_site_t **out, char *err, size_t err_len);

/* Drops every database the site made, closes its connection and stops its
 * cluster. NULL is a no-op. */
void pg_site_close(pg_site_t *s);

/* A libpq keyword/value connection string for database `db` as `user` (NULL:
 * the site's administrator: the cluster's superuser or the URL's user).
 * The caller frees it. */
char *pg_site_conninfo(const pg_site_t *s, const char *db, const char *user);

/* The database that holds the Supabase baseline and nothing else, which a
 * project's template starts from: "postgres" on a cluster; NULL on an
 * existing server (a new database gets the baseline applied instead). */
const char *pg_site_baseline_db(const pg_site_t *s);

/* A database name unique on the server for this site: "supamock_KIND_N"
 * (with supamock's pid on an existing server). The caller frees it. */
char *pg_site_db_name(pg_site_t *s, const char *kind);

/* CREATE DATABASE name TEMPLATE template OWNER postgres. template NULL: a
 * database with just the baseline. The template must have no open
 * connection. Returns 0, or -1 with err filled. */
int pg_site_create_db(pg_site_t *s, const char *name, const char *template_db, char *err,
                      size_t err_len);

/* DROP DATABASE IF EXISTS name WITH (FORCE): its connections are ended
 * first. Returns 0, or -1 with err filled (err may be NULL). */
int pg_site_drop_db(pg_site_t *s, const char *name, char *err, size_t err_len);

/* Milliseconds the cluster took to start (0 for an existing server), and
 * whether its template came from the cache. */
double pg_site_start_ms(const pg_site_t *s, bool *cache_hit);

/* Runs sql (any number of statements) as the administrator on database db,
 * for the loader's bookkeeping; db NULL runs it on the site's maintenance
 * connection (for what any database may run, such as ALTER DATABASE: no
 * connection to make, which costs a backend's start). Returns 0, or -1 with
 * err filled. */
int pg_site_exec(pg_site_t *s, const char *db, const char *sql, char *err, size_t err_len);

#endif
