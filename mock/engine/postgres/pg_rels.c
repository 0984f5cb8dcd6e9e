/* Relationship detection over the catalog rows (see pg_rels.h). The list
 * grows in a heap vector while it is built and lands in the arena; every
 * loop is bounded by the database's keys, and the column choices of a key
 * shown by a view several times are capped (PG_RELS_MAX_EXPANSIONS). */
#include "pg_rels.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* expandKeyDepCols makes one relationship per choice of view column for
 * each key column: the product of the choices. Views that show one key
 * column under many names would multiply it; beyond this many the rest are
 * left out (PostgREST has no cap). */
#define PG_RELS_MAX_EXPANSIONS 64

typedef struct rel_vec {
    pg_rel_t *v;
    size_t n, cap;
} rel_vec_t;

static void push(rel_vec_t *vec, const pg_rel_t *r)
{
    if (vec->n == vec->cap) {
        vec->cap = vec->cap ? vec->cap * 2 : 32;
        vec->v = xrealloc(vec->v, vec->cap * sizeof *vec->v);
    }
    vec->v[vec->n++] = *r;
}

bool pg_rel_to_one(const pg_rel_t *r)
{
    if (r->computed)
        return r->to_one;
    return r->card == PG_M2O || r->card == PG_O2O;
}

static bool qi_eq(pg_qi_t a, pg_qi_t b)
{
    return strcmp(a.schema, b.schema) == 0 && strcmp(a.name, b.name) == 0;
}

static int qi_cmp(pg_qi_t a, pg_qi_t b)
{
    int c = strcmp(a.schema, b.schema);
    return c ? c : strcmp(a.name, b.name);
}

static int pairs_cmp(const pg_colpair_t *a, size_t na, const pg_colpair_t *b, size_t nb)
{
    for (size_t i = 0; i < na && i < nb; i++) {
        int c = strcmp(a[i].a, b[i].a);
        if (!c)
            c = strcmp(a[i].b, b[i].b);
        if (c)
            return c;
    }
    return na < nb ? -1 : na > nb ? 1 : 0;
}

static int bool_cmp(bool a, bool b)
{
    return a == b ? 0 : a ? 1 : -1;
}

/* The derived Ord of Relationship: relTable, relForeignTable, relIsSelf,
 * relCardinality (constructor, then its fields), relTableIsView,
 * relFTableIsView. */
static int rel_cmp(const void *x, const void *y)
{
    const pg_rel_t *a = x, *b = y;
    if (a->computed || b->computed) {
        /* ComputedRelationship is the later constructor; its fields:
         * relFunction, relTable, relForeignTable, relTableAlias (empty
         * here), relToOne, relIsSelf. Lists are per origin, so the origin
         * compares first. */
        int c = qi_cmp(a->table, b->table);
        if (c)
            return c;
        if (a->computed != b->computed)
            return a->computed ? 1 : -1;
        c = qi_cmp(a->function, b->function);
        if (!c)
            c = qi_cmp(a->ftable, b->ftable);
        if (!c)
            c = bool_cmp(a->to_one, b->to_one);
        if (!c)
            c = bool_cmp(a->is_self, b->is_self);
        return c;
    }
    int c = qi_cmp(a->table, b->table);
    if (!c)
        c = qi_cmp(a->ftable, b->ftable);
    if (!c)
        c = bool_cmp(a->is_self, b->is_self);
    if (!c && a->card != b->card)
        c = a->card < b->card ? -1 : 1;
    if (!c && a->card == PG_M2M) {
        c = qi_cmp(a->junction, b->junction);
        if (!c)
            c = strcmp(a->cons, b->cons);
        if (!c)
            c = strcmp(a->cons2, b->cons2);
        if (!c)
            c = pairs_cmp(a->cols, a->ncols, b->cols, b->ncols);
        if (!c)
            c = pairs_cmp(a->fcols, a->nfcols, b->fcols, b->nfcols);
    } else if (!c) {
        c = strcmp(a->cons, b->cons);
        if (!c)
            c = pairs_cmp(a->cols, a->ncols, b->cols, b->ncols);
        if (!c && a->card == PG_O2O)
            c = bool_cmp(a->is_parent, b->is_parent);
    }
    if (!c)
        c = bool_cmp(a->table_is_view, b->table_is_view);
    if (!c)
        c = bool_cmp(a->ftable_is_view, b->ftable_is_view);
    return c;
}

static pg_colpair_t *swapped(arena_t *a, const pg_colpair_t *p, size_t n)
{
    pg_colpair_t *s = arena_calloc(a, n ? n : 1, sizeof *s);
    for (size_t i = 0; i < n; i++)
        s[i] = (pg_colpair_t){p[i].b, p[i].a};
    return s;
}

/* expandKeyDepCols: choice k (0 <= k < product of the choice counts) as one
 * view column per key column, the first column varying slowest (traverse
 * in the list monad). */
static size_t expansions(const pg_keydep_t *d)
{
    size_t n = 1;
    for (size_t i = 0; i < d->ncols; i++) {
        n *= d->nvcols[i];
        if (n > PG_RELS_MAX_EXPANSIONS)
            return PG_RELS_MAX_EXPANSIONS;
    }
    return n;
}

static const char *choice(const pg_keydep_t *d, size_t k, size_t col)
{
    size_t stride = 1;
    for (size_t i = col + 1; i < d->ncols; i++)
        stride *= d->nvcols[i] ? d->nvcols[i] : 1;
    return d->vcols[col][(k / stride) % (d->nvcols[col] ? d->nvcols[col] : 1)];
}

static bool dep_usable(const pg_keydep_t *d, size_t ncols)
{
    if (d->ncols != ncols)
        return false; /* zipWith would cut; the query only keeps whole keys */
    for (size_t i = 0; i < d->ncols; i++)
        if (!d->nvcols[i])
            return false;
    return true;
}

/* addViewM2OAndO2ORels for one base relationship. */
static void view_rels(arena_t *a, const pg_rel_t *r, const pg_keydep_t *deps, size_t ndep,
                      rel_vec_t *vec)
{
    for (size_t i = 0; i < ndep; i++) {
        const pg_keydep_t *vt = &deps[i];
        if (vt->type != PG_DEP_FK || !qi_eq(vt->table, r->table) || strcmp(vt->cons, r->cons) ||
            !dep_usable(vt, r->ncols))
            continue;
        size_t nk = expansions(vt);
        for (size_t k = 0; k < nk; k++) {
            pg_rel_t v = *r;
            pg_colpair_t *cols = arena_calloc(a, r->ncols, sizeof *cols);
            for (size_t c = 0; c < r->ncols; c++)
                cols[c] = (pg_colpair_t){choice(vt, k, c), r->cols[c].b};
            v.table = vt->view;
            v.is_self = false;
            v.cols = cols;
            v.table_is_view = true;
            v.ftable_is_view = false;
            push(vec, &v);
        }
    }
    for (size_t i = 0; i < ndep; i++) {
        const pg_keydep_t *tv = &deps[i];
        if (tv->type != PG_DEP_FK_REF || !qi_eq(tv->table, r->ftable) ||
            strcmp(tv->cons, r->cons) || !dep_usable(tv, r->ncols))
            continue;
        size_t nk = expansions(tv);
        for (size_t k = 0; k < nk; k++) {
            pg_rel_t v = *r;
            pg_colpair_t *cols = arena_calloc(a, r->ncols, sizeof *cols);
            for (size_t c = 0; c < r->ncols; c++)
                cols[c] = (pg_colpair_t){r->cols[c].a, choice(tv, k, c)};
            v.ftable = tv->view;
            v.is_self = false;
            v.cols = cols;
            v.table_is_view = false;
            v.ftable_is_view = true;
            push(vec, &v);
        }
    }
    for (size_t i = 0; i < ndep; i++) {
        const pg_keydep_t *vt = &deps[i];
        if (vt->type != PG_DEP_FK || !qi_eq(vt->table, r->table) || strcmp(vt->cons, r->cons) ||
            !dep_usable(vt, r->ncols))
            continue;
        size_t nk1 = expansions(vt);
        for (size_t k1 = 0; k1 < nk1; k1++) {
            for (size_t j = 0; j < ndep; j++) {
                const pg_keydep_t *tv = &deps[j];
                if (tv->type != PG_DEP_FK_REF || !qi_eq(tv->table, r->ftable) ||
                    strcmp(tv->cons, r->cons) || !dep_usable(tv, r->ncols))
                    continue;
                size_t nk2 = expansions(tv);
                for (size_t k2 = 0; k2 < nk2; k2++) {
                    pg_rel_t v = *r;
                    pg_colpair_t *cols = arena_calloc(a, r->ncols, sizeof *cols);
                    for (size_t c = 0; c < r->ncols; c++)
                        cols[c] = (pg_colpair_t){choice(vt, k1, c), choice(tv, k2, c)};
                    v.table = vt->view;
                    v.ftable = tv->view;
                    v.is_self = qi_eq(vt->view, tv->view);
                    v.cols = cols;
                    v.table_is_view = true;
                    v.ftable_is_view = true;
                    push(vec, &v);
                }
            }
        }
    }
}

/* A many-to-one by its table, for grouping the keys of each junction. */
typedef struct keyed {
    pg_qi_t table;
    size_t index; /* into the builder's vector */
} keyed_t;

static int by_table(const void *x, const void *y)
{
    const keyed_t *a = x, *b = y;
    int c = qi_cmp(a->table, b->table);
    return c ? c : (a->index < b->index ? -1 : a->index > b->index);
}

static bool in_set(const char *const *set, size_t n, const char *x)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(set[i], x) == 0)
            return true;
    return false;
}

size_t pg_rels_build(arena_t *arena, const pg_fk_row_t *fks, size_t nfk, const pg_keydep_t *deps,
                     size_t ndep, const pg_rel_lookup_t *lookup, pg_rel_t **out)
{
    rel_vec_t all = {0};
    /* allM2OandO2ORels */
    for (size_t i = 0; i < nfk; i++) {
        const pg_fk_row_t *f = &fks[i];
        pg_rel_t r = {.table = f->table,
                      .ftable = f->ftable,
                      .is_self = f->is_self,
                      .card = f->one_to_one ? PG_O2O : PG_M2O,
                      .cons = f->cons,
                      .cols = f->cols,
                      .ncols = f->ncols};
        push(&all, &r);
    }
    /* addViewM2OAndO2ORels: every base one is M2O or O2O (not a parent). */
    size_t nbase = all.n;
    for (size_t i = 0; i < nbase; i++) {
        pg_rel_t r = all.v[i]; /* the vector may move while pushing */
        view_rels(arena, &r, deps, ndep, &all);
    }
    /* addM2MRels: a junction's two many-to-one keys whose columns are all
     * in its primary key. The many-to-ones are grouped by their table
     * first, so that only keys of one table are paired. */
    size_t nm2o = all.n;
    keyed_t *keys = xcalloc(nm2o ? nm2o : 1, sizeof *keys);
    size_t ni = 0;
    for (size_t i = 0; i < nm2o; i++)
        if (all.v[i].card == PG_M2O)
            keys[ni++] = (keyed_t){all.v[i].table, i};
    qsort(keys, ni, sizeof *keys, by_table);
    for (size_t g = 0; g < ni;) {
        size_t h = g + 1;
        while (h < ni && qi_eq(all.v[keys[h].index].table, all.v[keys[g].index].table))
            h++;
        const char *const *pk = NULL;
        size_t pkn = 0;
        bool has_pk = lookup->primary_key(lookup->ctx, all.v[keys[g].index].table, &pk, &pkn);
        for (size_t x = g; has_pk && x < h; x++) {
            for (size_t y = g; y < h; y++) {
                /* all.v may move while pushing: index it afresh */
                const pg_rel_t *r1 = &all.v[keys[x].index], *r2 = &all.v[keys[y].index];
                if (strcmp(r1->cons, r2->cons) == 0)
                    continue;
                bool subset = true;
                for (size_t c = 0; subset && c < r1->ncols; c++)
                    subset = in_set(pk, pkn, r1->cols[c].a);
                for (size_t c = 0; subset && c < r2->ncols; c++)
                    subset = in_set(pk, pkn, r2->cols[c].a);
                if (!subset)
                    continue;
                pg_rel_t m = {.table = r1->ftable,
                              .ftable = r2->ftable,
                              .is_self = qi_eq(r1->ftable, r2->ftable),
                              .card = PG_M2M,
                              .cons = r1->cons,
                              .cols = swapped(arena, r1->cols, r1->ncols),
                              .ncols = r1->ncols,
                              .junction = r1->table,
                              .cons2 = r2->cons,
                              .fcols = swapped(arena, r2->cols, r2->ncols),
                              .nfcols = r2->ncols,
                              .table_is_view = r1->ftable_is_view,
                              .ftable_is_view = r2->ftable_is_view};
                push(&all, &m);
            }
        }
        g = h;
    }
    free(keys);
    /* addInverseRels */
    size_t nfwd = all.n;
    for (size_t i = 0; i < nfwd; i++) {
        pg_rel_t r = all.v[i];
        if (r.card != PG_M2O && r.card != PG_O2O)
            continue;
        pg_rel_t inv = r;
        inv.table = r.ftable;
        inv.ftable = r.table;
        inv.cols = swapped(arena, r.cols, r.ncols);
        inv.table_is_view = r.ftable_is_view;
        inv.ftable_is_view = r.table_is_view;
        if (r.card == PG_M2O) {
            inv.card = PG_O2M;
        } else {
            inv.is_parent = !r.is_parent;
        }
        push(&all, &inv);
    }
    /* removeInternal: both ends cached (in an exposed schema); a junction
     * outside them only marks the relationship. */
    pg_rel_t *rels = arena_calloc(arena, all.n ? all.n : 1, sizeof *rels);
    size_t k = 0;
    for (size_t i = 0; i < all.n; i++) {
        pg_rel_t r = all.v[i];
        if (!lookup->cached(lookup->ctx, r.table) || !lookup->cached(lookup->ctx, r.ftable))
            continue;
        if (r.card == PG_M2M && !lookup->cached(lookup->ctx, r.junction))
            r.internal = true;
        rels[k++] = r;
    }
    free(all.v);
    if (k > 1)
        qsort(rels, k, sizeof *rels, rel_cmp);
    *out = rels;
    return k;
}

size_t pg_rels_add_computed(arena_t *arena, const pg_rel_t *rels, size_t n,
                            const pg_rel_t *computed, size_t ncomputed,
                            const pg_rel_lookup_t *lookup, pg_rel_t **out)
{
    pg_rel_t *v = arena_calloc(arena, n + ncomputed + 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool replaced = false;
        for (size_t j = 0; j < ncomputed && !replaced; j++)
            replaced = qi_eq(computed[j].table, rels[i].table) &&
                       qi_eq(computed[j].function, rels[i].ftable);
        if (!replaced)
            v[k++] = rels[i];
    }
    for (size_t j = 0; j < ncomputed; j++) {
        const pg_rel_t *c = &computed[j];
        /* HM.fromList: one per (table, function); the last row wins. */
        bool later = false;
        for (size_t m = j + 1; m < ncomputed && !later; m++)
            later = qi_eq(computed[m].table, c->table) && qi_eq(computed[m].function, c->function);
        if (later || !lookup->cached(lookup->ctx, c->table) ||
            !lookup->cached(lookup->ctx, c->ftable))
            continue;
        v[k++] = *c;
    }
    if (k > 1)
        qsort(v, k, sizeof *v, rel_cmp);
    *out = v;
    return k;
}
