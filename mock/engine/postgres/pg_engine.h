/* The database engine: engine_ops (engine.h) over a PostgreSQL database,
 * running the SQL PostgREST generates for each request, with the schema cache
 * introspected from the database as PostgREST's SchemaCache.hs does.
 *
 * CONTRACT (written before the implementation, so loading and the engine
 * could be built at the same time): the loader (who starts the cluster and
 * creates the database) makes the engine once the database holds the
 * project's schema; reset and sessions free the engine, recreate the database
 * from its template and make a new engine. */
#ifndef MOCK_PG_ENGINE_H
#define MOCK_PG_ENGINE_H

#include "engine.h"

#include <stddef.h>

struct uv_loop_s;

typedef struct pg_engine_options {
    struct uv_loop_s *loop;     /* NULL: statements block (CLI, unit tests) */
    const char *conninfo;       /* the served database, logged in as `authenticator` */
    const char *owner_conninfo; /* the same database as its owner (introspection) */
    const char *const *schemas; /* db-schemas: the exposed schemas, the first is the default */
    size_t schema_count;
    const char *extra_search_path; /* db-extra-search-path: "public, extensions" */
    size_t pool_size;              /* db-pool */
    int statement_timeout_ms;      /* 0: none */
    /* Added with the implementation (zero keeps the old meaning): */
    int postgrest_version; /* 12, 13 or 14 (error wordings); 0: 14 */
    long long db_max_rows; /* db-max-rows, for count=estimated; 0: none */
    /* db-pre-request ("schema.fn" or "fn", as PostgREST's toQi splits it at
     * the first dot): called in every request's transaction after the
     * transaction variables, before the main statement. NULL: none. */
    const char *pre_request;
} pg_engine_options_t;

/* Connects and loads the schema cache. NULL with err filled on failure.
 * Strings of opt are copied. */
engine_t *pg_engine_new(const pg_engine_options_t *opt, char *err, size_t err_len);

/* Added with the implementation: moves the engine's connections onto loop
 * (NULL: back to blocking), for an engine made before the server's loop
 * existed. Only between requests: none may be in flight. The connections
 * are reopened lazily. Returns 0, or -1 with err filled (the engine keeps
 * its old pool then). */
int pg_engine_attach_loop(engine_t *e, struct uv_loop_s *loop, char *err, size_t err_len);

#endif
