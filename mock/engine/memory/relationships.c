/* Relationship detection and findRel over the store's foreign keys (see
 * relationships.h). Bounded by the scenario's tables and columns; every array
 * lives in the caller's arena. */
#include "relationships.h"

#include "buf.h"
#include "fuzzy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool mem_rel_to_one(const mem_rel_t *r)
{
    return r->card == MEM_M2O || r->card == MEM_O2O;
}

static bool visible(const store_table_t *t, const char *schema)
{
    return store_table_in_schema_cache(t) && strcmp(store_table_schema(t), schema) == 0;
}

/* one_to_one in allM2OandO2ORels: the foreign key's columns are exactly
 * those of the primary key or of a unique constraint (the store's unique
 * constraints are one-column). */
static bool fk_is_unique(const store_table_t *t, const store_fkey_t *f)
{
    const size_t *pk = NULL;
    size_t pkn = store_table_primary_key(t, &pk);
    if (f->ncols == 1 && store_table_column(t, f->cols[0])->unique)
        return true;
    if (pkn != f->ncols)
        return false;
    for (size_t i = 0; i < pkn; i++) {
        bool found = false;
        for (size_t k = 0; k < f->ncols; k++)
            found = found || f->cols[k] == pk[i];
        if (!found)
            return false;
    }
    return true;
}

/* addM2MRels: every column of the foreign key is in the primary key. */
static bool in_primary_key(const store_table_t *t, const store_fkey_t *f)
{
    const size_t *pk = NULL;
    size_t pkn = store_table_primary_key(t, &pk);
    for (size_t k = 0; k < f->ncols; k++) {
        bool found = false;
        for (size_t i = 0; i < pkn; i++)
            found = found || pk[i] == f->cols[k];
        if (!found)
            return false;
    }
    return true;
}

static int cmp_table(const store_table_t *a, const store_table_t *b)
{
    int c = strcmp(store_table_schema(a), store_table_schema(b));
    return c ? c : strcmp(store_table_name(a), store_table_name(b));
}

/* Haskell's list Ord over column names: element by element, then length. */
static int cmp_cols(const store_table_t *a, const size_t *ac, size_t an, const store_table_t *b,
                    const size_t *bc, size_t bn)
{
    for (size_t i = 0; i < an && i < bn; i++) {
        int c = strcmp(store_table_column(a, ac[i])->name, store_table_column(b, bc[i])->name);
        if (c)
            return c;
    }
    return an < bn ? -1 : an > bn ? 1 : 0;
}

/* The derived Ord of PostgREST's Relationship (SchemaCache.hs sorts each
 * origin's list with it): foreign table, self, then the cardinality's
 * constructor and fields in declaration order. */
static int rel_cmp(const void *x, const void *y)
{
    const mem_rel_t *a = x, *b = y;
    int c = cmp_table(a->ftable, b->ftable);
    if (c)
        return c;
    if (a->is_self != b->is_self)
        return a->is_self ? 1 : -1;
    if (a->card != b->card)
        return a->card < b->card ? -1 : 1;
    if (a->card == MEM_M2M) {
        c = cmp_table(a->junction, b->junction);
        if (!c)
            c = strcmp(a->cons, b->cons);
        if (!c)
            c = strcmp(a->cons2, b->cons2);
        /* junColsSource [(table col, junction col)], then junColsTarget:
         * compared here column list by column list, which orders them the
         * same whenever the first columns differ */
        if (!c)
            c = cmp_cols(a->table, a->cols, a->ncols, b->table, b->cols, b->ncols);
        if (!c)
            c = cmp_cols(a->junction, a->jcols, a->ncols, b->junction, b->jcols, b->ncols);
        if (!c)
            c = cmp_cols(a->ftable, a->fcols, a->nfcols, b->ftable, b->fcols, b->nfcols);
        if (!c)
            c = cmp_cols(a->junction, a->jfcols, a->nfcols, b->junction, b->jfcols, b->nfcols);
        return c;
    }
    c = strcmp(a->cons, b->cons);
    if (!c)
        c = cmp_cols(a->table, a->cols, a->ncols, b->table, b->cols, b->ncols);
    if (!c)
        c = cmp_cols(a->ftable, a->fcols, a->ncols, b->ftable, b->fcols, b->ncols);
    if (!c && a->is_parent != b->is_parent)
        c = a->is_parent ? 1 : -1;
    return c;
}

/* ---- every relationship of the store, as querySchemaCache builds them ---- */

/* A list of relationships under construction (arena-backed). */
typedef struct rels {
    arena_t *arena;
    mem_rel_t *v;
    size_t n, cap;
} rels_t;

static mem_rel_t *push(rels_t *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        mem_rel_t *v = arena_calloc(l->arena, cap, sizeof *v);
        if (l->n)
            memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    mem_rel_t *r = &l->v[l->n++];
    memset(r, 0, sizeof *r);
    return r;
}

/* A view column's table column: its origin, followed through the views it
 * reads (allViewsKeyDependencies' recursion), or false when it is an
 * expression somewhere on the way. Bounded: views cannot read themselves. */
static bool base_column(const store_table_t *t, size_t col, const store_table_t **bt, size_t *bc)
{
    for (int depth = 0; depth < 64 && store_table_is_derived(t); depth++) {
        if (!store_column_origin(t, col, &t, &col))
            return false;
    }
    if (store_table_is_derived(t))
        return false;
    *bt = t;
    *bc = col;
    return true;
}

/* The view's columns that are table column (bt, bc): repeated references
 * each count (ViewKeyDependency's list of view columns). */
static size_t view_cols(const store_table_t *v, const store_table_t *bt, size_t bc, size_t *out,
                        size_t cap)
{
    size_t n = 0;
    for (size_t c = 0; c < store_table_column_count(v) && n < cap; c++) {
        const store_table_t *t;
        size_t k;
        if (base_column(v, c, &t, &k) && t == bt && k == bc)
            out[n++] = c;
    }
    return n;
}

/* Combinations a key's repeated view columns may give at most, per view and
 * key: expandKeyDepCols multiplies them out; a view naming one key column
 * many times must not multiply without bound. */
#define REL_MAX_EXPANSIONS 16
/* Columns of one key PostgREST may see through a view (INDEX_MAX_KEYS). */
#define REL_MAX_KEY_COLS 32
#define REL_MAX_REFS     8

/* expandKeyDepCols: for the key columns keycols[0..n) of bt, every way
 * view v names all of them, as column arrays in the key's order. Returns
 * how many (0: v does not cover the key). */
static size_t expand(arena_t *arena, const store_table_t *v, const store_table_t *bt,
                     const size_t *keycols, size_t n, size_t **out)
{
    if (n == 0 || n > REL_MAX_KEY_COLS)
        return 0;
    size_t refs[REL_MAX_KEY_COLS][REL_MAX_REFS], nrefs[REL_MAX_KEY_COLS];
    size_t total = 1;
    for (size_t i = 0; i < n; i++) {
        nrefs[i] = view_cols(v, bt, keycols[i], refs[i], REL_MAX_REFS);
        if (nrefs[i] == 0)
            return 0;
        total *= nrefs[i];
        if (total > REL_MAX_EXPANSIONS)
            total = REL_MAX_EXPANSIONS;
    }
    size_t pick[REL_MAX_KEY_COLS] = {0};
    for (size_t e = 0; e < total; e++) {
        size_t *cols = arena_calloc(arena, n, sizeof *cols);
        for (size_t i = 0; i < n; i++)
            cols[i] = refs[i][pick[i]];
        out[e] = cols;
        /* traverse's order: the last key column varies fastest */
        for (size_t i = n; i-- > 0;) {
            if (++pick[i] < nrefs[i])
                break;
            pick[i] = 0;
        }
    }
    return total;
}

/* The views a relationship through them can start from: views PostgREST's
 * query sees (in the schema cache). */
static bool is_view(const store_table_t *t)
{
    return store_table_is_derived(t) && !store_table_is_detached(t);
}

/* addViewM2OAndO2ORels for one table relationship r (many-to-one or a
 * child's one-to-one): the same relationship from each view over r.table
 * covering its columns, to each view over r.ftable covering the referenced
 * ones, and between such views. */
static void add_view_rels(const store_t *s, rels_t *l, const mem_rel_t *r)
{
    size_t nt = store_table_count(s);
    size_t *vt_cols[REL_MAX_EXPANSIONS], *tv_cols[REL_MAX_EXPANSIONS];
    for (size_t i = 0; i < nt; i++) {
        const store_table_t *vw = store_table_at(s, i);
        if (!is_view(vw))
            continue;
        size_t ne = expand(l->arena, vw, r->table, r->cols, r->ncols, vt_cols);
        for (size_t e = 0; e < ne; e++) {
            mem_rel_t *x = push(l);
            *x = *r;
            x->table = vw;
            x->is_self = false;
            x->cols = vt_cols[e];
        }
    }
    for (size_t i = 0; i < nt; i++) {
        const store_table_t *vw = store_table_at(s, i);
        if (!is_view(vw))
            continue;
        size_t ne = expand(l->arena, vw, r->ftable, r->fcols, r->ncols, tv_cols);
        for (size_t e = 0; e < ne; e++) {
            mem_rel_t *x = push(l);
            *x = *r;
            x->ftable = vw;
            x->is_self = false;
            x->fcols = tv_cols[e];
        }
    }
    for (size_t i = 0; i < nt; i++) {
        const store_table_t *v1 = store_table_at(s, i);
        if (!is_view(v1))
            continue;
        size_t n1 = expand(l->arena, v1, r->table, r->cols, r->ncols, vt_cols);
        for (size_t e1 = 0; e1 < n1; e1++)
            for (size_t j = 0; j < nt; j++) {
                const store_table_t *v2 = store_table_at(s, j);
                if (!is_view(v2))
                    continue;
                size_t n2 = expand(l->arena, v2, r->ftable, r->fcols, r->ncols, tv_cols);
                for (size_t e2 = 0; e2 < n2; e2++) {
                    mem_rel_t *x = push(l);
                    *x = *r;
                    x->table = v1;
                    x->ftable = v2;
                    x->is_self = v1 == v2;
                    x->cols = vt_cols[e1];
                    x->fcols = tv_cols[e2];
                }
            }
    }
}

/* A relation's primary key as addViewPrimaryKeys gives it: a table's own;
 * a view's, the first of its columns naming each column of its table's
 * key when it names all of them. */
static size_t primary_key(arena_t *arena, const store_table_t *t, const size_t **out)
{
    if (!store_table_is_derived(t))
        return store_table_primary_key(t, out);
    *out = NULL;
    /* the table under the view's columns: each view column's own */
    for (size_t c = 0; c < store_table_column_count(t); c++) {
        const store_table_t *bt;
        size_t bc;
        if (!base_column(t, c, &bt, &bc))
            continue;
        const size_t *pk;
        size_t npk = store_table_primary_key(bt, &pk);
        size_t *cols[REL_MAX_EXPANSIONS];
        if (npk && expand(arena, t, bt, pk, npk, cols)) {
            *out = cols[0];
            return npk;
        }
    }
    return 0;
}

static bool cols_within(const size_t *cols, size_t n, const size_t *pk, size_t npk)
{
    for (size_t k = 0; k < n; k++) {
        bool found = false;
        for (size_t i = 0; i < npk && !found; i++)
            found = pk[i] == cols[k];
        if (!found)
            return false;
    }
    return true;
}

/* Every relationship among the store's tables and views, in the order
 * querySchemaCache builds them: the foreign keys (allM2OandO2ORels), those
 * through views (addViewM2OAndO2ORels), many-to-many (addM2MRels), then the
 * inverses (addInverseRels). */
static void all_rels(const store_t *s, rels_t *l)
{
    if (!s)
        return;
    size_t nt = store_table_count(s);
    for (size_t i = 0; i < nt; i++) {
        const store_table_t *t = store_table_at(s, i);
        size_t nf = store_table_fkey_count(t);
        for (size_t x = 0; x < nf; x++) {
            const store_fkey_t *f = store_table_fkey(t, x);
            mem_rel_t *r = push(l);
            *r = (mem_rel_t){.table = t,
                             .ftable = f->ref,
                             .is_self = t == f->ref,
                             .card = fk_is_unique(t, f) ? MEM_O2O : MEM_M2O,
                             .cons = f->name,
                             .ncols = f->ncols,
                             .cols = f->cols,
                             .fcols = f->ref_cols};
        }
    }
    size_t nbase = l->n;
    for (size_t i = 0; i < nbase; i++) {
        mem_rel_t r = l->v[i];
        add_view_rels(s, l, &r);
    }
    /* addM2MRels: a junction's two many-to-ones whose columns its primary
     * key holds. */
    size_t ndirect = l->n;
    for (size_t i = 0; i < ndirect; i++) {
        if (l->v[i].card != MEM_M2O)
            continue;
        const store_table_t *jt = l->v[i].table;
        const size_t *pk;
        size_t npk = primary_key(l->arena, jt, &pk);
        if (!npk)
            continue;
        for (size_t j = 0; j < ndirect; j++) {
            mem_rel_t a = l->v[i], b = l->v[j];
            if (b.card != MEM_M2O || b.table != jt || strcmp(a.cons, b.cons) == 0 ||
                !cols_within(a.cols, a.ncols, pk, npk) || !cols_within(b.cols, b.ncols, pk, npk))
                continue;
            mem_rel_t *m = push(l);
            *m = (mem_rel_t){.table = a.ftable,
                             .ftable = b.ftable,
                             .is_self = a.ftable == b.ftable,
                             .card = MEM_M2M,
                             .cons = a.cons,
                             .cons2 = b.cons,
                             .ncols = a.ncols,
                             .cols = a.fcols,
                             .jcols = a.cols,
                             .nfcols = b.ncols,
                             .fcols = b.fcols,
                             .jfcols = b.cols,
                             .junction = jt};
        }
    }
    for (size_t i = 0; i < ndirect; i++) {
        mem_rel_t r = l->v[i];
        mem_rel_t *inv = push(l);
        *inv = (mem_rel_t){.table = r.ftable,
                           .ftable = r.table,
                           .is_self = r.is_self,
                           .card = r.card == MEM_O2O ? MEM_O2O : MEM_O2M,
                           .cons = r.cons,
                           .ncols = r.ncols,
                           .cols = r.fcols,
                           .fcols = r.cols,
                           .is_parent = r.card == MEM_O2O};
    }
}

void mem_rels_all(const store_t *s, arena_t *arena, mem_rels_t *out)
{
    rels_t l = {.arena = arena};
    all_rels(s, &l);
    out->v = l.v;
    out->n = l.n;
}

size_t mem_rels_from(const mem_rels_t *all, const store_table_t *origin, arena_t *arena,
                     mem_rel_t **out)
{
    const char *schema = store_table_schema(origin);
    mem_rels_t l = *all;
    /* removeInternal: the origin's, to relations of its schema, not through
     * a junction outside it. */
    mem_rel_t *rels = arena_calloc(arena, l.n ? l.n : 1, sizeof *rels);
    size_t k = 0;
    for (size_t i = 0; i < l.n; i++) {
        const mem_rel_t *r = &l.v[i];
        if (r->table != origin || !visible(r->ftable, schema) ||
            (r->card == MEM_M2M && !visible(r->junction, schema)))
            continue;
        rels[k++] = *r;
    }
    qsort(rels, k, sizeof *rels, rel_cmp);
    *out = rels;
    return k;
}

static const char *col_name(const store_table_t *t, size_t c)
{
    return store_table_column(t, c)->name;
}

/* matchFKSingleCol / matchFKRefSingleCol: a column hint names the one
 * column of a one-column foreign key. */
static bool single_col(const mem_rel_t *r, const char *name)
{
    return r->card != MEM_M2M && r->ncols == 1 && strcmp(col_name(r->table, r->cols[0]), name) == 0;
}

static bool single_fcol(const mem_rel_t *r, const char *name)
{
    return r->card != MEM_M2M && r->ncols == 1 &&
           strcmp(col_name(r->ftable, r->fcols[0]), name) == 0;
}

static bool matches(const mem_rel_t *r, const char *target, const char *hint)
{
    if (r->fn) /* ComputedRelationship{relFunction} -> target == qiName relFunction */
        return strcmp(r->cons, target) == 0;
    const char *ftn = store_table_name(r->ftable);
    bool direct = r->card != MEM_M2M;
    bool fk_col = single_col(r, target);
    if (r->is_self) {
        if (!hint)
            return (strcmp(ftn, target) == 0 && r->card == MEM_O2M) ||
                   (fk_col && r->card == MEM_M2O);
        return strcmp(ftn, target) == 0 && r->card == MEM_O2M && single_fcol(r, hint);
    }
    /* a constraint or a column names a table's relationships only, not a
     * view's (relFTableIsView; PostgREST issue #2277) */
    bool ftable_view = is_view(r->ftable);
    if (!hint)
        return strcmp(ftn, target) == 0 ||
               (direct && strcmp(r->cons, target) == 0 && !ftable_view) || (fk_col && !ftable_view);
    if (strcmp(ftn, target) != 0)
        return false;
    if (direct)
        return strcmp(r->cons, hint) == 0 || single_col(r, hint) || single_fcol(r, hint);
    return strcmp(store_table_name(r->junction), hint) == 0;
}

/* fmtEls (Error.hs): "(a, b)". */
static void put_cols(buf_t *b, const store_table_t *t, const size_t *cols, size_t n)
{
    buf_putc(b, '(');
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%s%s", i ? ", " : "", col_name(t, cols[i]));
    buf_putc(b, ')');
}

/* compressedRel (Error.hs): aeson writes the keys in order. */
static void put_compressed(buf_t *b, const mem_rel_t *r)
{
    static const char *const card_names[] = {"one-to-many", "many-to-one", "one-to-one",
                                             "many-to-many"};
    if (r->fn) { /* compressedRel ComputedRelationship{} = JSON.object mempty */
        buf_puts(b, "{}");
        return;
    }
    buf_t rel;
    buf_init(&rel);
    if (r->card == MEM_M2M) {
        buf_printf(&rel, "%s using %s", store_table_name(r->junction), r->cons);
        put_cols(&rel, r->junction, r->jcols, r->ncols);
        buf_printf(&rel, " and %s", r->cons2);
        put_cols(&rel, r->junction, r->jfcols, r->nfcols);
    } else {
        buf_printf(&rel, "%s using %s", r->cons, store_table_name(r->table));
        put_cols(&rel, r->table, r->cols, r->ncols);
        buf_printf(&rel, " and %s", store_table_name(r->ftable));
        put_cols(&rel, r->ftable, r->fcols, r->ncols);
    }
    buf_puts(b, "{\"cardinality\":");
    buf_put_json_string(b, card_names[r->card]);
    buf_puts(b, ",\"embedding\":");
    buf_t emb;
    buf_init(&emb);
    buf_printf(&emb, "%s with %s", store_table_name(r->table), store_table_name(r->ftable));
    buf_put_json_string(b, buf_cstr(&emb));
    buf_puts(b, ",\"relationship\":");
    buf_put_json_string(b, buf_cstr(&rel));
    buf_putc(b, '}');
    buf_dispose(&emb);
    buf_dispose(&rel);
}

/* Whether origin has a many-to-many through a junction in a schema that is
 * not the origin's. PostgREST detects it (its table list spans every schema)
 * and removeInternal (SchemaCache.hs) then drops it from the origin's list
 * but keeps the origin's entry in the relationships map, even emptied: such
 * an origin "is found" for noRelBetweenHint. */
static bool has_internal_m2m(const store_t *s, const store_table_t *origin)
{
    const char *schema = store_table_schema(origin);
    size_t nt = store_table_count(s);
    for (size_t i = 0; i < nt; i++) {
        const store_table_t *t = store_table_at(s, i);
        if (!store_table_in_schema_cache(t) || strcmp(store_table_schema(t), schema) == 0)
            continue;
        size_t nf = store_table_fkey_count(t);
        for (size_t x = 0; x < nf; x++) {
            const store_fkey_t *f = store_table_fkey(t, x);
            if (f->ref != origin || fk_is_unique(t, f) || !in_primary_key(t, f))
                continue;
            for (size_t y = 0; y < nf; y++) {
                const store_fkey_t *g = store_table_fkey(t, y);
                if (y != x && visible(g->ref, schema) && !fk_is_unique(t, g) &&
                    in_primary_key(t, g))
                    return true;
            }
        }
    }
    return false;
}

/* fuzzyset's `get` keeps matches scoring at least 0.33 (its default). */
#define REL_FUZZY_MIN 0.33

/* noRelBetweenHint (Error.hs). */
static void no_rel_hint(const store_t *s, const mem_rels_t *all, const store_table_t *origin,
                        const char *target, const mem_rel_t *rels, size_t n, arena_t *arena,
                        pgrst_error_t *err)
{
    const char *schema = store_table_schema(origin);
    if (n || has_internal_m2m(s, origin)) {
        /* The origin has relationships: suggest one of its foreign tables.
         * fuzzyset's get answers an exact (case-insensitive) match alone,
         * [(1, v)], and the hint drops weight 1.0: a target that names one
         * of them exactly (a wrong !hint) gets no suggestion at all. */
        const char **cands = arena_calloc(arena, n, sizeof *cands);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const char *name = store_table_name(rels[i].ftable);
            if (strcasecmp(name, target) == 0)
                return;
            cands[k++] = name;
        }
        int best = fuzzy_best(target, cands, k, REL_FUZZY_MIN);
        if (best >= 0)
            pgrst_error_hintf(err, "Perhaps you meant '%s' instead of '%s'.", cands[best], target);
        return;
    }
    /* Otherwise suggest an origin that has relationships. */
    size_t nt = store_table_count(s);
    const char **cands = arena_calloc(arena, nt ? nt : 1, sizeof *cands);
    size_t k = 0;
    for (size_t i = 0; i < nt; i++) {
        const store_table_t *t = store_table_at(s, i);
        if (!visible(t, schema))
            continue;
        mem_rel_t *tr;
        if (mem_rels_from(all, t, arena, &tr) || has_internal_m2m(s, t))
            cands[k++] = store_table_name(t);
    }
    const char *parent = store_table_name(origin);
    int best = fuzzy_best(parent, cands, k, REL_FUZZY_MIN);
    if (best >= 0)
        pgrst_error_hintf(err, "Perhaps you meant '%s' instead of '%s'.", cands[best], parent);
}

int mem_rel_find(const store_t *s, const mem_rels_t *all, const store_table_t *origin,
                 const char *target, const char *hint, arena_t *arena, mem_rel_t *out,
                 pgrst_error_t *err)
{
    return mem_rel_find_with(s, all, origin, NULL, 0, target, hint, arena, out, err);
}

int mem_rel_find_with(const store_t *s, const mem_rels_t *all, const store_table_t *origin,
                      const mem_rel_t *computed, size_t ncomputed, const char *target,
                      const char *hint, arena_t *arena, mem_rel_t *out, pgrst_error_t *err)
{
    mem_rels_t own;
    if (!all) {
        mem_rels_all(s, arena, &own);
        all = &own;
    }
    mem_rel_t *rels;
    size_t n = mem_rels_from(all, origin, arena, &rels);
    if (ncomputed) {
        /* HM.union computedRels: keyed (table, function) against the
         * detected ones' (table, foreign table), the computed ones win; the
         * Relationship constructor sorts before ComputedRelationship. */
        mem_rel_t *merged = arena_calloc(arena, n + ncomputed, sizeof *merged);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            bool overridden = false;
            for (size_t j = 0; j < ncomputed && !overridden; j++)
                overridden = strcmp(store_table_name(rels[i].ftable), computed[j].cons) == 0;
            if (!overridden)
                merged[k++] = rels[i];
        }
        for (size_t j = 0; j < ncomputed; j++)
            merged[k++] = computed[j];
        rels = merged;
        n = k;
    }
    size_t found = 0, first = 0;
    for (size_t i = 0; i < n; i++)
        if (matches(&rels[i], target, hint)) {
            if (!found++)
                first = i;
        }
    if (found == 1) {
        *out = rels[first];
        return 0;
    }
    const char *parent = store_table_name(origin);
    if (!found) {
        pgrst_error_setf(err, "PGRST200",
                         "Could not find a relationship between '%s' and '%s' in the schema cache",
                         parent, target);
        if (hint)
            pgrst_error_detailsf(err,
                                 "Searched for a foreign key relationship between '%s' and '%s' "
                                 "using the hint '%s' in the schema '%s', but no matches were "
                                 "found.",
                                 parent, target, hint, store_table_schema(origin));
        else
            pgrst_error_detailsf(err,
                                 "Searched for a foreign key relationship between '%s' and '%s' "
                                 "in the schema '%s', but no matches were found.",
                                 parent, target, store_table_schema(origin));
        no_rel_hint(s, all, origin, target, rels, n, arena, err);
        return -1;
    }
    pgrst_error_setf(err, "PGRST201",
                     "Could not embed because more than one relationship was found for '%s' and "
                     "'%s'",
                     parent, target);
    buf_t details, hints;
    buf_init(&details);
    buf_init(&hints);
    buf_putc(&details, '[');
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        const mem_rel_t *r = &rels[i];
        if (!matches(r, target, hint))
            continue;
        if (any) {
            buf_putc(&details, ',');
            buf_puts(&hints, ", ");
        }
        any = true;
        put_compressed(&details, r);
        if (!r->fn) /* relHint: a computed relationship's hint is empty */
            buf_printf(&hints, "'%s!%s'", store_table_name(r->ftable),
                       r->card == MEM_M2M ? store_table_name(r->junction) : r->cons);
    }
    buf_putc(&details, ']');
    pgrst_error_details_json(err, buf_cstr(&details));
    pgrst_error_hintf(err,
                      "Try changing '%s' to one of the following: %s. Find the desired "
                      "relationship in the 'details' key.",
                      target, buf_cstr(&hints));
    buf_dispose(&details);
    buf_dispose(&hints);
    return -1;
}
