/* The table store: schemas, tables, columns, enums, sequences, rows in heap
 * order, hash indexes on primary-key and unique columns, and the constraints
 * Postgres enforces on writes (not null, unique, foreign key) with Postgres's
 * constraint names and messages. Writes happen inside a transaction that can be
 * rolled back. It knows nothing of HTTP, roles or policies. */
#ifndef MOCK_STORE_H
#define MOCK_STORE_H

#include "pgrst_error.h"
#include "pgtype.h"
#include "prng.h"
#include "work.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store store_t;
typedef struct store_table store_table_t;
typedef struct store_row store_row_t;
typedef struct store_sequence store_sequence_t;

typedef enum store_default_kind {
    STORE_DEFAULT_NONE,            /* NULL */
    STORE_DEFAULT_VALUE,           /* a literal (default_value) */
    STORE_DEFAULT_GEN_RANDOM_UUID, /* gen_random_uuid() / uuid_generate_v4(): v4 UUID from the
                                      store's PRNG */
    STORE_DEFAULT_NOW,             /* now(): the statement's clock (store_env_t.now_us) */
    STORE_DEFAULT_AUTH_UID,        /* auth.uid(): store_env_t.auth_uid, NULL when none */
    STORE_DEFAULT_SEQUENCE, /* nextval of the column's sequence (serial, identity, "nextval") */
} store_default_kind_t;

typedef enum store_identity {
    STORE_IDENTITY_NONE,
    STORE_IDENTITY_ALWAYS,
    STORE_IDENTITY_BY_DEFAULT,
} store_identity_t;

/* How a scenario declares a column; strings are borrowed for the call only. */
typedef struct store_column_spec {
    const char *name;
    const char *type;           /* "uuid", "integer", "text[]", "varchar(20)", an enum name */
    bool nullable;              /* ignored (false) for primary-key columns */
    const cJSON *default_value; /* NULL: none; a JSON literal; or a string naming one of
                                   gen_random_uuid(), uuid_generate_v4(), now(), auth.uid(),
                                   nextval */
    bool primary_key;           /* several columns with primary_key form one composite key */
    bool unique;
    const char *identity;   /* NULL, "always", "by default" */
    const char *references; /* NULL, "table(col)" (schema public) or "schema.table(col)" */
    const char *on_delete;  /* NULL or "no action", "restrict", "cascade", "set null" */
    const char *fk_name;    /* NULL: {table}_{col}_fkey; else the constraint's name */
    bool in_schema_cache;
} store_column_spec_t;

/* A foreign key's ON DELETE action (Postgres's referential actions; the
 * default is NO ACTION). ON UPDATE is always NO ACTION. */
typedef enum store_fk_action {
    STORE_FK_NO_ACTION,
    STORE_FK_RESTRICT,
    STORE_FK_CASCADE,
    STORE_FK_SET_NULL,
} store_fk_action_t;

/* A column as the store holds it. Read-only for everyone but the store. */
typedef struct store_column {
    char *name;
    pgtype_t type;
    bool nullable;
    bool primary_key;
    bool unique;
    store_default_kind_t default_kind;
    pgvalue_t default_value; /* STORE_DEFAULT_VALUE only */
    store_identity_t identity;
    store_sequence_t *sequence; /* owned by the table; serial, identity or nextval columns */
    char *ref_schema;           /* foreign key target, NULL when none */
    char *ref_table;
    char *ref_column;
    char *fk_constraint; /* "profiles_user_id_fkey" */
    store_fk_action_t on_delete;
    char *unique_constraint; /* "profiles_user_id_key" (single-column unique) */
    bool in_schema_cache;    /* false: PostgREST has not seen this column yet */
} store_column_t;

/* A foreign key as the store holds it, over one column or several (FOREIGN
 * KEY (a, b) REFERENCES t (x, y)): cols[i] references ref_cols[i] of `ref`.
 * Read-only for everyone but the store; the list is complete once
 * store_resolve_references has succeeded. */
typedef struct store_fkey {
    char *name; /* the constraint's name */
    size_t ncols;
    size_t *cols;
    store_table_t *ref;
    size_t *ref_cols;
    store_fk_action_t on_delete;
    size_t ref_index; /* the referenced key's index in ref (internal) */
    size_t *ix_perm;  /* per column of that index: which i of cols/ref_cols (internal) */
} store_fkey_t;

/* How a scenario declares a foreign key over several columns; strings are
 * borrowed for the call only. */
typedef struct store_fkey_spec {
    const char *name; /* NULL: {table}_{col1}_{col2}..._fkey, as Postgres names it */
    const char *const *columns;
    const char *ref_schema;
    const char *ref_table;
    const char *const *ref_columns;
    size_t column_count;
    const char *on_delete; /* as store_column_spec_t's */
} store_fkey_spec_t;

/* Per-statement inputs for defaults and messages. */
typedef struct store_env {
    int64_t now_us;        /* now(): microseconds since 2000-01-01 00:00:00 UTC */
    const char *auth_uid;  /* auth.uid() as text, NULL when the request has no sub */
    bool hide_row_details; /* true when Postgres omits "Failing row contains"/"Key (..)=(..)"
                              details (RLS enabled and the role does not bypass it) */
} store_env_t;

/* ---- building (scenario load) ---- */

/* prng (borrowed; it must outlive the store) drives gen_random_uuid(): the
 * same seed and operations give the same UUIDs. */
store_t *store_new(prng_t *prng);
void store_free(store_t *s); /* NULL is a no-op */

/* Registers an enum type. Returns 0, or -1 with *error (heap string, caller frees). */
int store_add_enum(store_t *s, const char *name, const char *const *labels, size_t label_count,
                   char **error);
/* Creates schema.name with the given columns (in order). Constraint names follow
 * Postgres: {table}_pkey, {table}_{col}_key, {table}_{col}_fkey, sequences
 * {table}_{col}_seq. Returns the table, or NULL with *error (which names the
 * offending column when there is one; *error_column is its index, else -1). */
store_table_t *store_add_table(store_t *s, const char *schema, const char *name,
                               const store_column_spec_t *cols, size_t col_count, char **error,
                               int *error_column);
/* Adds a foreign key over several columns to t; the referenced table must be
 * in the store and the referenced columns exactly a primary key or unique
 * constraint of it, of compatible types, as Postgres requires. Returns 0 or
 * -1 with *error (heap string, caller frees). */
int store_add_fkey(store_t *s, store_table_t *t, const store_fkey_spec_t *spec, char **error);
/* The search path a request's statement runs with, as far as types go:
 * PostgREST sets it to the request's schema and db-extra-search-path
 * ("public, extensions"). ltree_schema is where CREATE EXTENSION ltree put
 * the type (NULL: no statement said; its operators are then always found).
 * Strings are copied. */
void store_set_search_path(store_t *s, const char *ltree_schema, const char *extra_search_path);
/* The schema a request runs on (its table's or routine's, the profile
 * PostgREST chose): PostgREST sets search_path to it followed by
 * db-extra-search-path for the transaction, so statements of functions find
 * unqualified tables there. Borrowed until set again; NULL between requests
 * (unqualified names then mean public, as for scenario loading). */
void store_set_request_schema(store_t *s, const char *schema);
#define STORE_MAX_SEARCH_PATH 16
/* The schemas of the current search path in order (at most cap). */
size_t store_search_path(const store_t *s, const char **out, size_t cap);
/* An unqualified table name looked up along the search path; NULL: none. */
store_table_t *store_find_table_on_path(const store_t *s, const char *name);
/* NULL when ltree's operators resolve in a request on t's schema; else the
 * schema ltree is in, which Postgres names the type by ("public.ltree"). */
const char *store_ltree_hidden(const store_table_t *t);

/* A partition of a partitioned table as the scenario declares it: the
 * default one, or its LIST values or RANGE bounds in scenario_partition_t's
 * JSON form. Borrowed for the call only. */
typedef struct store_partition_spec {
    const char *name;
    bool is_default;
    const cJSON *values, *from, *to;
} store_partition_spec_t;
/* Makes t partitioned by LIST (one key column) or RANGE (key columns, in
 * order) with these partitions. The rows stay in t: a write is refused
 * (23514) when no partition takes the row. Returns 0 or -1 with *error
 * (heap string, caller frees). */
int store_set_partitions(store_t *s, store_table_t *t, bool range, const char *const *key,
                         size_t nkey, const store_partition_spec_t *parts, size_t nparts,
                         char **error);
/* After every table is added: resolves foreign keys (target must exist and be a
 * primary-key or unique column of a compatible type). Returns 0 or -1 with *error,
 * *error_table and *error_column identifying the column. */
int store_resolve_references(store_t *s, char **error, const store_table_t **error_table,
                             int *error_column);

/* ---- derived relations: views, a statement's subqueries in FROM ---- */

/* A relation whose rows are not stored but computed when someone reads it:
 * a view's query (mem_view.c), a subquery in a statement's FROM. It has
 * columns like a table and no constraints, indexes or sequences; writes to
 * it are its owner's business (the store refuses them).
 *
 * Whoever reads rows calls store_table_refresh first (a no-op for a table).
 * The relation's `fill` then computes the rows for that reader and hands
 * them over with store_derived_set_rows. The rows are reused while nothing
 * was written to the store, for the same reader (role and claims) and within
 * one epoch (store_derived_release), unless the relation was made with
 * refill_always (a subquery reading variables that change between runs).
 * Rows replaced by a refill stay allocated until store_derived_release, so
 * that a reader still walking them (a view embedded in itself, a statement
 * run again from inside its own loop) never sees them freed. */
typedef struct store_reader {
    const char *role;     /* current_user of the reading statement */
    bool superuser;       /* it reads as the owner: no privileges, no row-level security */
    const cJSON *claims;  /* request.jwt.claims; NULL: none */
    int64_t now_us;       /* now() of the reading statement */
    const char *auth_uid; /* auth.uid() as text, NULL when none */
    mock_work_t *work;    /* the reading statement's budget (filling charges it); NULL: none */
    const void *opaque;   /* the reader's own context: a statement's sql_exec_env_t, else NULL */
} store_reader_t;

typedef int (*store_fill_fn)(void *ctx, store_table_t *t, const store_reader_t *rd,
                             pgrst_error_t *err);

/* A derived relation schema.name with columns names[i] of types[i]. In the
 * catalog (found by store_find_table, listed by store_table_at) when
 * `catalog` is true, owned by the store then; else detached, owned by the
 * caller (store_derived_free). ctx is the fill's, borrowed. NULL with
 * *error when a name repeats ("column \"x\" specified more than once"). */
store_table_t *store_add_derived(store_t *s, const char *schema, const char *name,
                                 const char *const *names, const pgtype_t *types, size_t n,
                                 bool catalog, bool refill_always, store_fill_fn fill, void *ctx,
                                 char **error);
/* Detached ones only, before the store is freed; NULL is a no-op. */
void store_derived_free(store_table_t *t);
/* Takes a derived relation out of the catalog and frees it (a view being
 * built that turned out not to analyse); nothing may refer to it. */
void store_drop_derived(store_t *s, store_table_t *t);
bool store_table_is_derived(const store_table_t *t);
/* A derived relation outside the catalog (a subquery of a statement). */
bool store_table_is_detached(const store_table_t *t);
/* Computes t's rows for rd when they are not current (see above); 0, or -1
 * with the fill's error. A table: always 0. */
int store_table_refresh(store_table_t *t, const store_reader_t *rd, pgrst_error_t *err);
/* The fill's result: nrows rows of column_count values each, row-major,
 * moved into the relation (values[] itself stays the caller's). */
void store_derived_set_rows(store_table_t *t, pgvalue_t *values, size_t nrows);
/* The same, each row tagged with the table row it shows (an automatically
 * updatable view's rows: a write through the view changes that row). */
void store_derived_set_rows_tagged(store_table_t *t, pgvalue_t *values, size_t nrows,
                                   const store_row_t *const *tags);
/* A derived row's tag; NULL for a table's row or an untagged one. */
const store_row_t *store_row_tag(const store_row_t *r);
/* Provenance: column col of derived t is column ocol of relation `origin`
 * (a view column that is a plain column of a table or view it reads). */
void store_derived_set_origin(store_table_t *t, size_t col, const store_table_t *origin,
                              size_t ocol);
/* The origin store_derived_set_origin recorded, or false (a table's
 * column, or a view column that is an expression). */
bool store_column_origin(const store_table_t *t, size_t col, const store_table_t **origin,
                         size_t *ocol);
/* A new epoch: every derived relation is computed afresh when next read,
 * and the row sets refills replaced are freed. The engine calls it at the
 * start of each request, when no row of the previous one is held. */
void store_derived_release(store_t *s);

/* ---- catalogue ---- */

/* A registered enum by name (case-insensitive), or NULL. Owned by the store. */
const pgtype_enum_t *store_find_enum(const store_t *s, const char *name);
/* A domain (CREATE DOMAIN) by name, as its base type: expressions cast to
 * it (`x::public.color`). A later one of the same name replaces it. */
void store_add_domain(store_t *s, const char *name, const pgtype_t *base);
const pgtype_t *store_find_domain(const store_t *s, const char *name);
/* A column's sequence ({table}_{col}_seq) and the value nextval returns next. */
const char *store_sequence_name(const store_sequence_t *q);
int64_t store_sequence_peek(const store_sequence_t *q);
/* True between store_begin and store_commit/store_rollback. */
bool store_in_transaction(const store_t *s);

size_t store_table_count(const store_t *s);
store_table_t *store_table_at(const store_t *s, size_t i); /* in creation order */
store_table_t *store_find_table(const store_t *s, const char *schema, const char *name);
const char *store_table_schema(const store_table_t *t);
const char *store_table_name(const store_table_t *t);
size_t store_table_column_count(const store_table_t *t);
const store_column_t *store_table_column(const store_table_t *t, size_t i);
/* Column index by exact name, or -1. */
int store_table_find_column(const store_table_t *t, const char *name);
/* Primary-key column indexes in declaration order; count 0 when the table has none. */
size_t store_table_primary_key(const store_table_t *t, const size_t **cols);
size_t store_table_row_count(const store_table_t *t);
/* The table's foreign keys, one-column and composite. */
size_t store_table_fkey_count(const store_table_t *t);
const store_fkey_t *store_table_fkey(const store_table_t *t, size_t i);
/* Table-level flag the model keeps for PostgREST's schema cache. */
bool store_table_in_schema_cache(const store_table_t *t);
void store_table_set_in_schema_cache(store_table_t *t, bool in_cache);
void store_column_set_in_schema_cache(store_table_t *t, size_t col, bool in_cache);

/* ---- reading ---- */

/* Heap order: first row, next row, NULL at the end. Valid until the next write. */
store_row_t *store_table_first(const store_table_t *t);
store_row_t *store_row_next(const store_row_t *r);
/* The row's values, one per column in column order; owned by the row. */
const pgvalue_t *store_row_values(const store_row_t *r);
/* A row of no table (a function's result row read as a table's, such as a
 * computed relationship's): n values moved in (the caller's array is left
 * NULL). Not in any heap (store_row_next is NULL); the caller frees it with
 * store_row_free_detached(r, n). */
store_row_t *store_row_new_detached(pgvalue_t *values, size_t n);
void store_row_free_detached(store_row_t *r, size_t n);
/* True when column `col` alone is a primary key or unique (hash-indexed). */
bool store_column_is_indexed(const store_table_t *t, size_t col);
/* The row whose indexed column `col` equals v (non-null), or NULL. O(1). */
store_row_t *store_index_lookup(const store_table_t *t, size_t col, const pgvalue_t *v);

/* "(v1, v2, null)" as Postgres's ExecBuildSlotValueDescription writes a row
 * into "Failing row contains ..." details: text output, each value clipped to
 * 64 bytes on a character boundary and followed by "...". */
void store_row_description(const store_table_t *t, const pgvalue_t *values, buf_t *out);
/* "(a, b) = (v1, v2)": the form ExecBuildSlotValueDescription takes when
 * the user may not read the whole row, over the columns shown[i] (in
 * column order). */
void store_row_description_cols(const store_table_t *t, const pgvalue_t *values, const bool *shown,
                                buf_t *out);

/* gen_random_uuid() as a statement calls it: a v4 UUID (heap text, caller
 * frees) from the store's PRNG, the same stream defaults draw from. */
char *store_random_uuid(store_t *s);
/* random() as a statement calls it: uniform in [0, 1), from the same
 * stream (the same --seed gives the same values; PostgreSQL's differ). */
double store_random(store_t *s);

/* ---- writing (inside a transaction) ---- */

/* Starts a transaction; exactly one may be open. Every write below must happen
 * between store_begin and store_commit/store_rollback. */
void store_begin(store_t *s);
void store_commit(store_t *s);
/* Undoes every insert, update and delete since store_begin, restoring heap order
 * and indexes. Sequences are not rolled back, as in Postgres. */
void store_rollback(store_t *s);

/* Completes a row for insertion: values[i] for which provided[i] is false are
 * replaced by the column's default (consuming sequence values, PRNG output and
 * the clock exactly as Postgres evaluates defaults). Ownership of values[] stays
 * with the caller. An identity ALWAYS column given a value fails with 428C9. */
int store_apply_defaults(store_t *s, store_table_t *t, pgvalue_t *values, const bool *provided,
                         const store_env_t *env, pgrst_error_t *err);
/* Inserts a complete row (values: column_count entries; ownership moves to the
 * store on success and on failure). Checks not-null (23502) and unique/primary
 * key (23505) immediately, and queues foreign-key checks for store_end_statement.
 * *out (may be NULL) receives the new row. */
int store_insert(store_t *s, store_table_t *t, pgvalue_t *values, const store_env_t *env,
                 store_row_t **out, pgrst_error_t *err);
/* Replaces row r with new values (full row; ownership moves to the store). The
 * new version goes to the end of the heap, as an UPDATE does in Postgres.
 * Constraints as for insert; r is invalid afterwards, *out is the new row. */
int store_update(store_t *s, store_table_t *t, store_row_t *r, pgvalue_t *values,
                 const store_env_t *env, store_row_t **out, pgrst_error_t *err);
/* Deletes row r. Referencing rows get their foreign key's ON DELETE action at
 * store_end_statement, as Postgres's RI triggers run after the statement:
 * NO ACTION and RESTRICT fail with 23503, CASCADE deletes them (and so on down),
 * SET NULL nulls the referencing column (23502 when it is NOT NULL). */
int store_delete(store_t *s, store_table_t *t, store_row_t *r, const store_env_t *env,
                 pgrst_error_t *err);
/* Runs the foreign-key checks and actions queued by the statement's writes, as
 * Postgres's RI triggers do at the end of a statement. Returns 0 or -1 with
 * 23503 (or 23502 from SET NULL); on -1 the caller rolls back. */
int store_end_statement(store_t *s, const store_env_t *env, pgrst_error_t *err);

/* 23502 for the first NOT NULL column that is null in `values` (a new row
 * version), with the failing row unless env hides row details. ExecInsert
 * runs it (ExecConstraints) before an ON CONFLICT's unique check. */
int store_check_not_null(const store_table_t *t, const pgvalue_t *values, const store_env_t *env,
                         pgrst_error_t *err);

/* The existing row that conflicts with `values` on the unique constraint or
 * primary key made of exactly columns cols[0..n) (any order), or NULL. Returns -1
 * with err set (42P10 "there is no unique or exclusion constraint matching the ON
 * CONFLICT specification") when no such constraint exists. */
int store_find_conflict(const store_table_t *t, const size_t *cols, size_t n,
                        const pgvalue_t *values, store_row_t **out, pgrst_error_t *err);

#endif
