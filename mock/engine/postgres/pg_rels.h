/* PostgREST's relationships as its schema cache derives them
 * (SchemaCache.hs): the foreign keys of allM2OandO2ORels (many-to-one, or
 * one-to-one when the key's columns are a primary key or unique), the same
 * through views (addViewM2OAndO2ORels over allViewsKeyDependencies),
 * many-to-many through junctions (addM2MRels), the inverse of each
 * (addInverseRels), and only those between exposed relations
 * (removeInternal). Composite keys keep every column pair in order. Pure:
 * the catalog rows come in, the relationships go out, all in one arena. */
#ifndef MOCK_PG_RELS_H
#define MOCK_PG_RELS_H

#include "arena.h"

#include <stdbool.h>
#include <stddef.h>

/* Cardinality's constructors in PostgREST's declaration order (the derived
 * Ord of Relationship sorts by it). */
typedef enum pg_card { PG_O2M, PG_M2O, PG_O2O, PG_M2M } pg_card_t;

typedef struct pg_colpair {
    const char *a, *b;
} pg_colpair_t;

typedef struct pg_qi {
    const char *schema, *name;
} pg_qi_t;

typedef struct pg_rel {
    pg_qi_t table;  /* relTable: the origin */
    pg_qi_t ftable; /* relForeignTable: the embedded side */
    bool is_self;
    pg_card_t card;
    /* O2M/M2O/O2O: relCons and relColumns, (table col, ftable col) pairs.
     * M2M: junConstraint1 and junColsSource, (table col, junction col). */
    const char *cons;
    const pg_colpair_t *cols;
    size_t ncols;
    bool is_parent; /* O2O */
    /* M2M: the junction, junConstraint2 and junColsTarget (ftable col,
     * junction col). */
    pg_qi_t junction;
    const char *cons2;
    const pg_colpair_t *fcols;
    size_t nfcols;
    bool table_is_view, ftable_is_view;
    /* The junction is outside the exposed schemas: removeInternal drops the
     * relationship, but its origin still counts as having relationships
     * for noRelBetweenHint. */
    bool internal;
    /* A computed relationship (allComputedRels): `function` takes a row of
     * table and returns ftable's rows, one (to_one) or a set. card, cons and
     * the columns are unused. */
    bool computed;
    pg_qi_t function;
    bool to_one;
} pg_rel_t;

/* One foreign key of allM2OandO2ORels. */
typedef struct pg_fk_row {
    pg_qi_t table, ftable;
    bool is_self;
    const char *cons;
    const pg_colpair_t *cols; /* (column, referenced column), in key order */
    size_t ncols;
    bool one_to_one;
} pg_fk_row_t;

/* One row of allViewsKeyDependencies: a view that shows the columns of a
 * table's key. */
typedef enum pg_dep_type { PG_DEP_PK, PG_DEP_FK, PG_DEP_FK_REF } pg_dep_type_t;
typedef struct pg_keydep {
    pg_qi_t table, view;
    const char *cons;
    pg_dep_type_t type;
    size_t ncols;
    const char **cols;         /* the table's key columns, in key order */
    const char *const **vcols; /* per column: the view columns that show it */
    const size_t *nvcols;
} pg_keydep_t;

/* What the builder needs to know about a relation: is it in the cache (an
 * exposed schema), and its primary key, which PostgREST knows for every
 * table of the database (a junction may be in a schema not exposed) and for
 * the exposed views. */
typedef struct pg_rel_lookup {
    void *ctx;
    bool (*cached)(void *ctx, pg_qi_t qi);
    /* false when the relation has none known */
    bool (*primary_key)(void *ctx, pg_qi_t qi, const char *const **pk, size_t *pk_count);
} pg_rel_lookup_t;

/* Every relationship whose origin and foreign table are cached, sorted by
 * origin then as PostgREST sorts each origin's list. */
size_t pg_rels_build(arena_t *arena, const pg_fk_row_t *fks, size_t nfk, const pg_keydep_t *deps,
                     size_t ndep, const pg_rel_lookup_t *lookup, pg_rel_t **out);

/* getOverrideRelationshipsMap: the computed relationships (computed set)
 * join rels[0..n); one whose function has the qualified name of a foreign
 * table replaces the detected ones from its table to that table. Returns
 * the new list (in arena), sorted as pg_rels_build sorts. */
size_t pg_rels_add_computed(arena_t *arena, const pg_rel_t *rels, size_t n,
                            const pg_rel_t *computed, size_t ncomputed,
                            const pg_rel_lookup_t *lookup, pg_rel_t **out);

/* M2O and O2O are to-one (relIsToOne). */
bool pg_rel_to_one(const pg_rel_t *r);

#endif
