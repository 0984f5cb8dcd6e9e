/* The database engine's schema cache: the relations, columns, primary keys,
 * foreign keys and functions of the exposed schemas, introspected with the
 * catalog queries of PostgREST's SchemaCache.hs (adapted: flat rows instead
 * of aggregated arrays). A loaded cache is a snapshot: DDL run afterwards is
 * invisible until the engine loads a new one, which is how production's
 * PGRST205 happens. Everything of one cache lives in its own arena and is
 * freed at once with pg_schema_free. */
#ifndef MOCK_PG_SCHEMA_H
#define MOCK_PG_SCHEMA_H

#include "engine.h"
#include "pg_rels.h"
#include "pq.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct pg_column {
    const char *name;
    /* PostgREST's data_type (its cfIRType): format_type without the type
     * modifier for pg_catalog types ("character varying", "text[]"), with it
     * for others; domains over catalog types show their base type. */
    const char *type;
    const char *message_type; /* format_type(atttypid, NULL): what Postgres's messages say */
    const char *base_type;    /* the base type's name once domains are resolved ("tsvector") */
    const char *default_expr; /* column_default, NULL when none */
    const char *nominal_type; /* format_type(atttypid, atttypmod): colNominalType */
    bool nullable;
    bool primary_key;
    /* For the OpenAPI document (pg_schema_load_openapi): COMMENT ON COLUMN
     * (NULL: none), character_maximum_length (-1: none), the enum's labels
     * in order. */
    const char *description;
    int max_length;
    const char **enum_labels;
    size_t enum_count;
} pg_column_t;

/* A cached relation (engine.h's opaque engine_relation_t). */
struct engine_relation {
    const char *schema;
    const char *name;
    bool is_view;
    pg_column_t *columns; /* in attnum order */
    size_t column_count;
    const char **pk; /* primary-key columns sorted by name (tbl_pk_cols) */
    size_t pk_count;
    /* For the OpenAPI document (pg_schema_load_openapi): COMMENT ON the
     * relation (NULL: none); insertable, updatable or deletable; the roles
     * that may use it (accessibleTables' test, evaluated for every role). */
    const char *description;
    bool writable;
    const char **roles;
    size_t role_count;
};

typedef struct pg_schema pg_schema_t;

/* Introspects the database behind conn (any role that can read the catalog)
 * for the given schemas; extra is db-extra-search-path (views' key
 * dependencies look through it). NULL with err filled on failure. */
pg_schema_t *pg_schema_load(const pq_api_t *pq, PGconn *conn, const char *const *schemas,
                            size_t schema_count, const char *const *extra, size_t extra_count,
                            char *err, size_t err_len);
/* The parts of the cache only some requests read, loaded on their first use
 * rather than with the rest (they are most of a load's catalog work, and a
 * start waits for the load): the OpenAPI document's comments, privileges,
 * routines and schema descriptions (PostgREST itself reads accessibleTables,
 * accessibleFuncs and schemaDescription per request: Query.hs), and
 * pg_timezone_names, which Postgres builds by reading every file of its time
 * zone database. Each is tried once per cache (a reload tries again); 0, or
 * -1 with err filled, leaving that part empty. The cache's relations keep
 * pointing at the same objects. */
int pg_schema_load_openapi(const pq_api_t *pq, PGconn *conn, pg_schema_t *s, char *err,
                           size_t err_len);
int pg_schema_load_timezones(const pq_api_t *pq, PGconn *conn, pg_schema_t *s, char *err,
                             size_t err_len);
/* A cache is counted: the loader holds one reference, and a request in
 * flight holds another (pg_schema_hold), so that a reload while statements
 * run leaves the relations they and the PostgREST layer point at valid until
 * they complete. pg_schema_free drops one; the last frees. NULL is a no-op. */
pg_schema_t *pg_schema_hold(pg_schema_t *s);
void pg_schema_free(pg_schema_t *s);

const engine_relation_t *pg_schema_find_relation(const pg_schema_t *s, const char *schema,
                                                 const char *name);
/* Names of schema's relations in creation order (pg_class oid order). */
size_t pg_schema_relation_names(const pg_schema_t *s, const char *schema, arena_t *arena,
                                const char ***out);
/* Single-column foreign keys from and to rel. */
size_t pg_schema_relationships(const pg_schema_t *s, const engine_relation_t *rel, arena_t *arena,
                               engine_relationship_t **out);
/* The overloads of schema.name, fewest parameters first (decodeFuncs). */
size_t pg_schema_routines(const pg_schema_t *s, const char *schema, const char *name,
                          const engine_routine_t *const **out);
/* Distinct routine names of schema, sorted. */
size_t pg_schema_routine_names(const pg_schema_t *s, const char *schema, arena_t *arena,
                               const char ***out);
/* Every relationship whose origin is schema.name, sorted as PostgREST sorts
 * them; the caller keeps those whose foreign table is in `schema` and not
 * internal (PostgREST's dbRelationships entry for (origin, schema)). */
size_t pg_schema_rels_from(const pg_schema_t *s, const char *schema, const char *name,
                           const pg_rel_t **out);
/* The relations of schema that have a relationship to schema (the keys of
 * dbRelationships, for noRelBetweenHint), each once. */
size_t pg_schema_rel_origins(const pg_schema_t *s, const char *schema, arena_t *arena,
                             const char ***out);
/* The column called name, or NULL. */
const pg_column_t *pg_schema_column(const engine_relation_t *rel, const char *name);

/* The next four read what pg_schema_load_openapi loaded, or
 * pg_schema_load_timezones for the timezones. */
/* COMMENT ON SCHEMA schema, NULL when none. */
const char *pg_schema_description(const pg_schema_t *s, const char *schema);
/* The routines of schema that role may execute (accessibleFuncs), in
 * creation order; the array lives in arena, the strings in the cache. */
size_t pg_schema_openapi_routines(const pg_schema_t *s, const char *schema, const char *role,
                                  arena_t *arena, engine_openapi_routine_t **out);
/* Does role pass accessibleTables' test for rel (owner's member, or any table
 * or column privilege)? */
bool pg_schema_relation_accessible(const engine_relation_t *rel, const char *role);
/* The function of the data representation from type source to target
 * (dataRepresentations: a domain to json or text, or back), or NULL. */
const char *pg_schema_representation(const pg_schema_t *s, const char *source, const char *target);

/* Is name one of pg_timezone_names (Prefer: timezone= accepts no other)? */
bool pg_schema_timezone_valid(const pg_schema_t *s, const char *name);

/* A Postgres array literal of texts, each element quoted and escaped as
 * PostgREST's pgBuildArrayLiteral does ("{\"a\",\"b\"}"); NUL characters are
 * dropped (trimNullChars). Appended to out. */
void pg_array_literal(buf_t *out, const char *const *items, size_t n);

#endif
