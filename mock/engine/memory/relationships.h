/* PostgREST's relationships over the store, as its schema cache finds them
 * (SchemaCache.hs allM2OandO2ORels, addM2MRels, addInverseRels): every
 * foreign key gives a many-to-one (one-to-one when its column is a primary
 * key or unique on its own) and the inverse one-to-many (one-to-one); a table
 * whose primary key holds the columns of two foreign keys joins their targets
 * many-to-many. A foreign key over several columns joins on every column
 * pair. A view whose columns name all the columns of a table's foreign key
 * (or of the key it references) takes part in that relationship too, as
 * addViewM2OAndO2ORels derives it from the views' column origins
 * (store_column_origin); a view's primary key is its table's, named
 * through it (addViewPrimaryKeys). Pure reads of the store; column arrays
 * are the store's or the caller's arena's. */
#ifndef MOCK_RELATIONSHIPS_H
#define MOCK_RELATIONSHIPS_H

#include "arena.h"
#include "pgrst_error.h"
#include "store.h"

#include <stdbool.h>
#include <stddef.h>

/* Cardinality's constructors in PostgREST's declaration order (its derived
 * Ord sorts relationships by it). */
typedef enum mem_card { MEM_O2M, MEM_M2O, MEM_O2O, MEM_M2M } mem_card_t;

typedef struct mem_rel {
    const store_table_t *table;  /* relTable: the origin */
    const store_table_t *ftable; /* relForeignTable: the embedded side */
    bool is_self;
    mem_card_t card;
    /* O2M/M2O/O2O: the constraint and the joined columns (table.cols[i] =
     * ftable.fcols[i], i < ncols). M2M: table.cols[i] = junction.jcols[i]
     * (i < ncols) and ftable.fcols[j] = junction.jfcols[j] (j < nfcols). */
    const char *cons;
    size_t ncols, nfcols;
    const size_t *cols, *fcols;
    bool is_parent; /* O2O: the referenced side */
    const store_table_t *junction;
    const char *cons2; /* M2M: cons is the junction's FK to table, cons2 to ftable */
    const size_t *jcols, *jfcols;
    /* A computed relationship (SchemaCache.hs allComputedRels): the function
     * fn(table) returning rows of ftable, named cons; card M2O when it
     * returns one row (not SETOF, or ROWS 1), else O2M; no columns. The
     * function is engine-specific (rest_computed.c's); NULL for a foreign
     * key's. */
    const void *fn;
} mem_rel_t;

/* M2O and O2O are to-one (relIsToOne). */
bool mem_rel_to_one(const mem_rel_t *r);

/* Every relationship among the store's tables and views, as PostgREST's
 * schema cache builds them (foreign keys, through views, many-to-many, the
 * inverses), before removeInternal: one list per request (it lives in the
 * arena), read by the two calls below. */
typedef struct mem_rels {
    const mem_rel_t *v;
    size_t n;
} mem_rels_t;
void mem_rels_all(const store_t *s, arena_t *arena, mem_rels_t *out);

/* Every relationship of `all` whose origin is `origin` and whose foreign
 * table is in the schema cache in the same schema, sorted as PostgREST
 * sorts them. The array lives in arena. */
size_t mem_rels_from(const mem_rels_t *all, const store_table_t *origin, arena_t *arena,
                     mem_rel_t **out);

/* findRel (Plan.hs): the one relationship from `origin` that `target` (with
 * the optional hint) names, or -1 with PGRST200 (with the "Perhaps you meant"
 * hint) or PGRST201 (listing the candidates). `origin_name` is the name the
 * origin goes by in messages. */
int mem_rel_find(const store_t *s, const mem_rels_t *all, const store_table_t *origin,
                 const char *target, const char *hint, arena_t *arena, mem_rel_t *out,
                 pgrst_error_t *err);
/* The same with origin's computed relationships (n of them, fn set) besides
 * its foreign keys' (getOverrideRelationshipsMap: a computed relationship
 * replaces the detected ones to a table of its function's name). all: s's
 * relationships (mem_rels_all), NULL to have them computed here. */
int mem_rel_find_with(const store_t *s, const mem_rels_t *all, const store_table_t *origin,
                      const mem_rel_t *computed, size_t n, const char *target, const char *hint,
                      arena_t *arena, mem_rel_t *out, pgrst_error_t *err);

#endif
