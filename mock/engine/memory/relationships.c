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

/* The FK column `c` of table t resolved to its target, or NULL. */
static const store_table_t *fk_target(const store_t *s, const store_table_t *t, size_t c,
                                      size_t *fcol)
{
    const store_column_t *col = store_table_column(t, c);
    if (!col->ref_table || !col->ref_column)
        return NULL;
    store_table_t *ft = store_find_table(s, col->ref_schema, col->ref_table);
    if (!ft)
        return NULL;
    int fc = store_table_find_column(ft, col->ref_column);
    if (fc < 0)
        return NULL;
    *fcol = (size_t)fc;
    return ft;
}

/* one_to_one in allM2OandO2ORels: the FK's columns are exactly those of a
 * primary key or unique constraint. */
static bool fk_is_unique(const store_table_t *t, size_t c)
{
    const size_t *pk = NULL;
    size_t pkn = store_table_primary_key(t, &pk);
    if (pkn == 1 && pk[0] == c)
        return true;
    return store_table_column(t, c)->unique;
}

static bool in_primary_key(const store_table_t *t, size_t c)
{
    const size_t *pk = NULL;
    size_t pkn = store_table_primary_key(t, &pk);
    for (size_t i = 0; i < pkn; i++)
        if (pk[i] == c)
            return true;
    return false;
}

static int cmp_table(const store_table_t *a, const store_table_t *b)
{
    int c = strcmp(store_table_schema(a), store_table_schema(b));
    return c ? c : strcmp(store_table_name(a), store_table_name(b));
}

static int cmp_col(const store_table_t *a, size_t ac, const store_table_t *b, size_t bc)
{
    return strcmp(store_table_column(a, ac)->name, store_table_column(b, bc)->name);
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
        /* junColsSource [(table col, junction col)], then junColsTarget */
        if (!c)
            c = cmp_col(a->table, a->col, b->table, b->col);
        if (!c)
            c = cmp_col(a->junction, a->jcol, b->junction, b->jcol);
        if (!c)
            c = cmp_col(a->ftable, a->fcol, b->ftable, b->fcol);
        if (!c)
            c = cmp_col(a->junction, a->jfcol, b->junction, b->jfcol);
        return c;
    }
    c = strcmp(a->cons, b->cons);
    if (!c)
        c = cmp_col(a->table, a->col, b->table, b->col);
    if (!c)
        c = cmp_col(a->ftable, a->fcol, b->ftable, b->fcol);
    if (!c && a->is_parent != b->is_parent)
        c = a->is_parent ? 1 : -1;
    return c;
}

size_t mem_rels_from(const store_t *s, const store_table_t *origin, arena_t *arena, mem_rel_t **out)
{
    const char *schema = store_table_schema(origin);
    size_t nt = store_table_count(s);
    /* Upper bound: each FK gives at most two direct relationships, and each
     * pair of FKs of one junction at most one many-to-many. */
    size_t cap = 1;
    for (size_t i = 0; i < nt; i++) {
        size_t nc = store_table_column_count(store_table_at(s, i));
        cap += 2 * nc + nc * nc;
    }
    mem_rel_t *rels = arena_calloc(arena, cap, sizeof *rels);
    size_t k = 0;
    for (size_t i = 0; i < nt; i++) {
        const store_table_t *t = store_table_at(s, i);
        if (!visible(t, schema))
            continue;
        for (size_t c = 0; c < store_table_column_count(t); c++) {
            size_t fc;
            const store_table_t *ft = fk_target(s, t, c, &fc);
            if (!ft || !visible(ft, schema))
                continue;
            bool o2o = fk_is_unique(t, c);
            const char *cons = store_table_column(t, c)->fk_constraint;
            if (t == origin) /* M2O / O2O from the referencing side */
                rels[k++] = (mem_rel_t){.table = t,
                                        .ftable = ft,
                                        .is_self = t == ft,
                                        .card = o2o ? MEM_O2O : MEM_M2O,
                                        .cons = cons,
                                        .col = c,
                                        .fcol = fc};
            if (ft == origin) /* addInverseRels: O2M / O2O(parent) */
                rels[k++] = (mem_rel_t){.table = ft,
                                        .ftable = t,
                                        .is_self = t == ft,
                                        .card = o2o ? MEM_O2O : MEM_O2M,
                                        .cons = cons,
                                        .col = fc,
                                        .fcol = c,
                                        .is_parent = o2o};
            /* addM2MRels: t is a junction when this FK points at origin and
             * another (non one-to-one) FK of t points elsewhere, both within
             * t's primary key. */
            if (ft != origin || o2o || !in_primary_key(t, c))
                continue;
            for (size_t c2 = 0; c2 < store_table_column_count(t); c2++) {
                size_t fc2;
                if (c2 == c)
                    continue;
                const store_table_t *ft2 = fk_target(s, t, c2, &fc2);
                if (!ft2 || !visible(ft2, schema) || fk_is_unique(t, c2) || !in_primary_key(t, c2))
                    continue;
                rels[k++] = (mem_rel_t){.table = origin,
                                        .ftable = ft2,
                                        .is_self = origin == ft2,
                                        .card = MEM_M2M,
                                        .cons = cons,
                                        .cons2 = store_table_column(t, c2)->fk_constraint,
                                        .col = fc,
                                        .fcol = fc2,
                                        .junction = t,
                                        .jcol = c,
                                        .jfcol = c2};
            }
        }
    }
    qsort(rels, k, sizeof *rels, rel_cmp);
    *out = rels;
    return k;
}

static const char *col_name(const store_table_t *t, size_t c)
{
    return store_table_column(t, c)->name;
}

static bool matches(const mem_rel_t *r, const char *target, const char *hint)
{
    const char *ftn = store_table_name(r->ftable);
    bool direct = r->card != MEM_M2M;
    bool fk_col = direct && strcmp(col_name(r->table, r->col), target) == 0;
    if (r->is_self) {
        if (!hint)
            return (strcmp(ftn, target) == 0 && r->card == MEM_O2M) ||
                   (fk_col && r->card == MEM_M2O);
        return strcmp(ftn, target) == 0 && r->card == MEM_O2M &&
               strcmp(col_name(r->ftable, r->fcol), hint) == 0;
    }
    if (!hint)
        return strcmp(ftn, target) == 0 || (direct && strcmp(r->cons, target) == 0) || fk_col;
    if (strcmp(ftn, target) != 0)
        return false;
    if (direct)
        return strcmp(r->cons, hint) == 0 || strcmp(col_name(r->table, r->col), hint) == 0 ||
               strcmp(col_name(r->ftable, r->fcol), hint) == 0;
    return strcmp(store_table_name(r->junction), hint) == 0;
}

/* compressedRel (Error.hs): aeson writes the keys in order. */
static void put_compressed(buf_t *b, const mem_rel_t *r)
{
    static const char *const card_names[] = {"one-to-many", "many-to-one", "one-to-one",
                                             "many-to-many"};
    buf_t rel;
    buf_init(&rel);
    if (r->card == MEM_M2M)
        buf_printf(&rel, "%s using %s(%s) and %s(%s)", store_table_name(r->junction), r->cons,
                   col_name(r->junction, r->jcol), r->cons2, col_name(r->junction, r->jfcol));
    else
        buf_printf(&rel, "%s using %s(%s) and %s(%s)", r->cons, store_table_name(r->table),
                   col_name(r->table, r->col), store_table_name(r->ftable),
                   col_name(r->ftable, r->fcol));
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

/* fuzzyset's `get` keeps matches scoring at least 0.33 (its default). */
#define REL_FUZZY_MIN 0.33

/* noRelBetweenHint (Error.hs). */
static void no_rel_hint(const store_t *s, const store_table_t *origin, const char *target,
                        const mem_rel_t *rels, size_t n, arena_t *arena, pgrst_error_t *err)
{
    const char *schema = store_table_schema(origin);
    if (n) {
        /* The origin has relationships: suggest one of its foreign tables,
         * but not one the target already names exactly (weight 1.0). */
        const char **cands = arena_calloc(arena, n, sizeof *cands);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const char *name = store_table_name(rels[i].ftable);
            if (strcasecmp(name, target) != 0)
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
        if (mem_rels_from(s, t, arena, &tr))
            cands[k++] = store_table_name(t);
    }
    const char *parent = store_table_name(origin);
    int best = fuzzy_best(parent, cands, k, REL_FUZZY_MIN);
    if (best >= 0)
        pgrst_error_hintf(err, "Perhaps you meant '%s' instead of '%s'.", cands[best], parent);
}

int mem_rel_find(const store_t *s, const store_table_t *origin, const char *target,
                 const char *hint, arena_t *arena, mem_rel_t *out, pgrst_error_t *err)
{
    mem_rel_t *rels;
    size_t n = mem_rels_from(s, origin, arena, &rels);
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
        no_rel_hint(s, origin, target, rels, n, arena, err);
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
