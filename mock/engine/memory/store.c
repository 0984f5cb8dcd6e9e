/* The table store: tables built from column specs, rows kept in heap order in a
 * doubly linked list, open-addressing hash indexes for every primary key and
 * unique constraint, sequences, defaults, and the not-null / unique / foreign
 * key checks with Postgres's constraint names and messages. An undo log makes
 * a transaction's writes reversible. No HTTP, roles or policies here. */
#include "store.h"

#include "store_partition.h"

#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* types                                                                     */
/* ------------------------------------------------------------------------ */

struct store_sequence {
    char *name;   /* {table}_{col}_seq */
    int64_t next; /* the value nextval hands out next */
    int64_t max;  /* maximum value (by the column's integer type) */
};

struct store_row {
    store_row_t *prev, *next; /* heap order */
    bool dead;                /* removed from the heap; freed at commit/statement end */
    const store_row_t *tag;   /* a derived relation's row: the table row it shows, or NULL */
    pgvalue_t values[];       /* one per column */
};

/* A primary key or unique constraint with its hash index. Slots hold live rows
 * only; NULL keys are never indexed (NULLs are distinct). */
typedef struct uindex {
    char *name;
    bool primary;
    size_t ncols;
    size_t *cols;
    store_row_t **slots; /* NULL = empty, TOMBSTONE = deleted */
    uint64_t *hashes;
    size_t cap, used, tombs;
} uindex_t;

#define TOMBSTONE ((store_row_t *)(uintptr_t)1)
/* Postgres's INDEX_MAX_KEYS: the widest primary key a table may declare. */
#define INDEX_MAX_KEYS 32

struct store_table {
    store_t *store;
    char *schema, *name;
    store_column_t *cols;
    size_t ncols;
    size_t *pk;
    size_t npk;
    uindex_t *indexes; /* primary key first, then unique columns in column order */
    size_t nindexes;
    int *single_index;         /* per column: index of a one-column uindex on it, or -1 */
    store_table_t **ref_table; /* per column: resolved FK target table, or NULL */
    size_t *ref_col;           /* per column: FK target column */
    bool has_fk;
    store_fkey_t *fkeys; /* composite ones as added, then the one-column ones */
    size_t nfkeys;
    store_row_t *head, *tail;
    size_t nrows;
    bool in_schema_cache;
    store_partitioning_t *partitioning; /* owned; NULL: not partitioned */
    struct store_derived *derived;      /* owned; NULL: a table */
};

/* What a derived relation keeps besides its columns: how to fill it, and
 * for whom its rows were computed (see store.h). */
typedef struct store_derived {
    store_fill_fn fill;
    void *ctx;
    bool catalog, refill_always;
    bool filled;
    uint64_t write_gen, epoch; /* the store's when filled */
    char *role;                /* the reader's, owned */
    bool superuser;
    const cJSON *claims;
    /* Row sets replaced by refills within the epoch: each a heap list. */
    store_row_t **old;
    size_t nold;
    bool filling; /* the fill is running: a query reading itself is refused */
    /* per column: where it comes from (NULL: an expression) */
    const store_table_t **origin;
    size_t *origin_col;
} store_derived_t;

typedef enum undo_kind { UNDO_INSERT, UNDO_DELETE } undo_kind_t;

typedef struct undo {
    undo_kind_t kind;
    store_table_t *table;
    store_row_t *row;
    store_row_t *prev; /* UNDO_DELETE: the row's predecessor when it was removed */
} undo_t;

typedef enum pending_kind { PENDING_FK_CHECK, PENDING_REF_CHECK, PENDING_DEL_CHECK } pending_kind_t;

/* A foreign-key check queued for the end of the statement. FK_CHECK: `row`
 * (of `table`) must find its referenced keys. REF_CHECK: `row` was replaced
 * by an update; rows elsewhere must not still reference its old keys (ON
 * UPDATE NO ACTION). DEL_CHECK: `row` was deleted; each referencing foreign
 * key applies its ON DELETE action. */
typedef struct pending {
    pending_kind_t kind;
    store_table_t *table;
    store_row_t *row;
} pending_t;

struct store {
    prng_t *prng; /* borrowed from the instance: gen_random_uuid() */
    pgtype_enum_t **enums;
    size_t nenums;
    char **domain_names; /* owned; domain_types[i] is its base type */
    pgtype_t *domain_types;
    size_t ndomains;
    store_table_t **tables;
    size_t ntables;
    bool in_tx;
    undo_t *undo;
    size_t nundo, capundo;
    pending_t *pending;
    size_t npending, cappending;
    store_row_t **graveyard; /* (table, row) pairs removed outside a transaction */
    size_t ngrave, capgrave;
    uint64_t write_gen; /* bumped by every insert, update, delete and rollback */
    uint64_t epoch;     /* store_derived_release's count */
    /* Derived relations outside the catalog (owned by their plans): their
     * replaced row sets are released with the catalog's each epoch. */
    store_table_t **detached;
    size_t ndetached;
    char *ltree_schema; /* owned; NULL: ltree's operators are on every path */
    char **extra_path;  /* owned: db-extra-search-path's schemas */
    size_t nextra_path;
    const char *request_schema; /* borrowed for one request; NULL between requests */
};

/* A version-4 UUID from the instance's PRNG, heap-allocated. */
static char *random_uuid(store_t *s)
{
    char *out = xmalloc(37);
    prng_uuid(s->prng, out);
    return out;
}

char *store_random_uuid(store_t *s)
{
    return random_uuid(s);
}

double store_random(store_t *s)
{
    /* 53 random bits: uniform in [0, 1), as drandom's pg_prng_double */
    return (double)(prng_next(s->prng) >> 11) * 0x1.0p-53;
}

/* ------------------------------------------------------------------------ */
/* hash indexes                                                              */
/* ------------------------------------------------------------------------ */

static uint64_t key_hash(const store_table_t *t, const uindex_t *ix, const pgvalue_t *const *keys)
{
    uint64_t h = 0x84222325cbf29ce4ULL;
    for (size_t k = 0; k < ix->ncols; k++) {
        h ^= pgvalue_hash(&t->cols[ix->cols[k]].type, keys[k]);
        h *= 0x100000001b3ULL;
        h ^= h >> 29;
    }
    return h;
}

static bool key_equal(const store_table_t *t, const uindex_t *ix, const pgvalue_t *const *keys,
                      const store_row_t *r)
{
    for (size_t k = 0; k < ix->ncols; k++) {
        size_t c = ix->cols[k];
        if (pgvalue_compare(&t->cols[c].type, keys[k], &r->values[c]) != 0)
            return false;
    }
    return true;
}

/* Fills keys[] from a full row of values; false when any key column is NULL. */
static bool row_keys(const uindex_t *ix, const pgvalue_t *values, const pgvalue_t **keys)
{
    for (size_t k = 0; k < ix->ncols; k++) {
        keys[k] = &values[ix->cols[k]];
        if (keys[k]->is_null)
            return false;
    }
    return true;
}

static store_row_t *ix_find(const store_table_t *t, const uindex_t *ix,
                            const pgvalue_t *const *keys, const store_row_t *ignore)
{
    if (ix->cap == 0)
        return NULL;
    uint64_t h = key_hash(t, ix, keys);
    size_t mask = ix->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        store_row_t *r = ix->slots[i];
        if (!r)
            return NULL;
        if (r != TOMBSTONE && r != ignore && ix->hashes[i] == h && key_equal(t, ix, keys, r))
            return r;
    }
}

static void ix_place(uindex_t *ix, store_row_t *r, uint64_t h)
{
    size_t mask = ix->cap - 1;
    size_t i = h & mask;
    while (ix->slots[i] && ix->slots[i] != TOMBSTONE)
        i = (i + 1) & mask;
    if (ix->slots[i] == TOMBSTONE)
        ix->tombs--;
    ix->slots[i] = r;
    ix->hashes[i] = h;
    ix->used++;
}

static void ix_grow(uindex_t *ix)
{
    if (ix->cap && (ix->used + ix->tombs + 1) * 10 < ix->cap * 7)
        return;
    size_t ncap = ix->cap ? ix->cap : 16;
    while ((ix->used + 1) * 10 >= ncap * 5)
        ncap *= 2;
    store_row_t **old = ix->slots;
    uint64_t *oldh = ix->hashes;
    size_t oldcap = ix->cap;
    ix->slots = xcalloc(ncap, sizeof *ix->slots);
    ix->hashes = xcalloc(ncap, sizeof *ix->hashes);
    ix->cap = ncap;
    ix->used = 0;
    ix->tombs = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i] && old[i] != TOMBSTONE)
            ix_place(ix, old[i], oldh[i]);
    free(old);
    free(oldh);
}

static void ix_add(const store_table_t *t, uindex_t *ix, store_row_t *r)
{
    const pgvalue_t *keys[INDEX_MAX_KEYS];
    if (!row_keys(ix, r->values, keys))
        return;
    ix_grow(ix);
    ix_place(ix, r, key_hash(t, ix, keys));
}

static void ix_remove(const store_table_t *t, uindex_t *ix, store_row_t *r)
{
    const pgvalue_t *keys[INDEX_MAX_KEYS];
    if (!row_keys(ix, r->values, keys) || ix->cap == 0)
        return;
    uint64_t h = key_hash(t, ix, keys);
    size_t mask = ix->cap - 1;
    for (size_t i = h & mask; ix->slots[i]; i = (i + 1) & mask) {
        if (ix->slots[i] == r) {
            ix->slots[i] = TOMBSTONE;
            ix->used--;
            ix->tombs++;
            return;
        }
    }
    MOCK_ASSERT(!"row missing from its index");
}

/* ------------------------------------------------------------------------ */
/* heap list                                                                 */
/* ------------------------------------------------------------------------ */

static void heap_link_after(store_table_t *t, store_row_t *r, store_row_t *prev)
{
    r->prev = prev;
    r->next = prev ? prev->next : t->head;
    if (r->next)
        r->next->prev = r;
    else
        t->tail = r;
    if (prev)
        prev->next = r;
    else
        t->head = r;
    t->nrows++;
    r->dead = false;
}

static void heap_unlink(store_table_t *t, store_row_t *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        t->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        t->tail = r->prev;
    t->nrows--;
    r->dead = true;
}

static void row_free(const store_table_t *t, store_row_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < t->ncols; i++)
        pgvalue_dispose(&r->values[i]);
    free(r);
}

/* Attaches a new row (values moved in) at the end of the heap and the indexes. */
static store_row_t *row_attach(store_table_t *t, pgvalue_t *values)
{
    store_row_t *r = xmalloc(sizeof *r + t->ncols * sizeof(pgvalue_t));
    r->tag = NULL;
    memcpy(r->values, values, t->ncols * sizeof(pgvalue_t));
    for (size_t i = 0; i < t->ncols; i++)
        pgvalue_init_null(&values[i]);
    heap_link_after(t, r, t->tail);
    for (size_t i = 0; i < t->nindexes; i++)
        ix_add(t, &t->indexes[i], r);
    return r;
}

static void row_detach(store_table_t *t, store_row_t *r)
{
    for (size_t i = 0; i < t->nindexes; i++)
        ix_remove(t, &t->indexes[i], r);
    heap_unlink(t, r);
}

/* ------------------------------------------------------------------------ */
/* building                                                                  */
/* ------------------------------------------------------------------------ */

store_t *store_new(prng_t *prng)
{
    store_t *s = xcalloc(1, sizeof *s);
    s->prng = prng;
    return s;
}

static void free_heap(store_table_t *t, store_row_t *head)
{
    for (store_row_t *r = head, *n; r; r = n) {
        n = r->next;
        row_free(t, r);
    }
}

static void derived_release_old(store_table_t *t)
{
    store_derived_t *d = t->derived;
    for (size_t i = 0; i < d->nold; i++)
        free_heap(t, d->old[i]);
    d->nold = 0;
}

static void table_free(store_table_t *t)
{
    free_heap(t, t->head);
    if (t->derived) {
        derived_release_old(t);
        free(t->derived->old);
        free(t->derived->role);
        free(t->derived->origin);
        free(t->derived->origin_col);
        free(t->derived);
    }
    for (size_t i = 0; i < t->ncols; i++) {
        store_column_t *c = &t->cols[i];
        free(c->name);
        pgvalue_dispose(&c->default_value);
        if (c->sequence) {
            free(c->sequence->name);
            free(c->sequence);
        }
        free(c->ref_schema);
        free(c->ref_table);
        free(c->ref_column);
        free(c->fk_constraint);
        free(c->unique_constraint);
    }
    for (size_t i = 0; i < t->nindexes; i++) {
        free(t->indexes[i].name);
        free(t->indexes[i].cols);
        free(t->indexes[i].slots);
        free(t->indexes[i].hashes);
    }
    free(t->indexes);
    for (size_t i = 0; i < t->nfkeys; i++) {
        free(t->fkeys[i].name);
        free(t->fkeys[i].cols);
        free(t->fkeys[i].ref_cols);
        free(t->fkeys[i].ix_perm);
    }
    free(t->fkeys);
    store_partitioning_free(t->partitioning);
    free(t->cols);
    free(t->pk);
    free(t->single_index);
    free(t->ref_table);
    free(t->ref_col);
    free(t->schema);
    free(t->name);
    free(t);
}

static void free_removed_rows(store_t *s);

void store_free(store_t *s)
{
    if (!s)
        return;
    free(s->ltree_schema);
    for (size_t i = 0; i < s->nextra_path; i++)
        free(s->extra_path[i]);
    free(s->extra_path);
    if (s->in_tx)
        store_rollback(s);
    free_removed_rows(s);
    for (size_t i = 0; i < s->ntables; i++)
        table_free(s->tables[i]);
    free(s->tables);
    /* every plan owning a detached relation is freed before the store */
    MOCK_ASSERT(s->ndetached == 0);
    free(s->detached);
    for (size_t i = 0; i < s->nenums; i++) {
        pgtype_enum_t *e = s->enums[i];
        for (size_t j = 0; j < e->label_count; j++)
            free(e->labels[j]);
        free(e->labels);
        free(e->name);
        free(e);
    }
    free(s->enums);
    for (size_t i = 0; i < s->ndomains; i++)
        free(s->domain_names[i]);
    free(s->domain_names);
    free(s->domain_types);
    free(s->undo);
    free(s->pending);
    free(s->graveyard);
    free(s);
}

int store_add_enum(store_t *s, const char *name, const char *const *labels, size_t label_count,
                   char **error)
{
    for (size_t i = 0; i < s->nenums; i++) {
        if (strcasecmp(s->enums[i]->name, name) == 0) {
            *error = xasprintf("type \"%s\" already exists", name);
            return -1;
        }
    }
    for (size_t i = 0; i < label_count; i++) {
        if (labels[i][0] == '\0' || strlen(labels[i]) > 63) {
            *error = xasprintf("invalid enum label \"%s\"", labels[i]);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(labels[i], labels[j]) == 0) {
                *error = xasprintf("enum label \"%s\" used more than once", labels[i]);
                return -1;
            }
        }
    }
    pgtype_enum_t *e = xcalloc(1, sizeof *e);
    e->name = xstrdup(name);
    e->label_count = label_count;
    e->labels = xcalloc(label_count ? label_count : 1, sizeof *e->labels);
    for (size_t i = 0; i < label_count; i++)
        e->labels[i] = xstrdup(labels[i]);
    s->enums = xrealloc(s->enums, (s->nenums + 1) * sizeof *s->enums);
    s->enums[s->nenums++] = e;
    return 0;
}

void store_add_domain(store_t *s, const char *name, const pgtype_t *base)
{
    for (size_t i = 0; i < s->ndomains; i++)
        if (strcmp(s->domain_names[i], name) == 0) {
            s->domain_types[i] = *base;
            return;
        }
    s->domain_names = xrealloc(s->domain_names, (s->ndomains + 1) * sizeof *s->domain_names);
    s->domain_types = xrealloc(s->domain_types, (s->ndomains + 1) * sizeof *s->domain_types);
    s->domain_names[s->ndomains] = xstrdup(name);
    s->domain_types[s->ndomains++] = *base;
}

const pgtype_t *store_find_domain(const store_t *s, const char *name)
{
    for (size_t i = 0; i < s->ndomains; i++)
        if (strcmp(s->domain_names[i], name) == 0)
            return &s->domain_types[i];
    return NULL;
}

const pgtype_enum_t *store_find_enum(const store_t *s, const char *name)
{
    for (size_t i = 0; i < s->nenums; i++)
        if (strcasecmp(s->enums[i]->name, name) == 0)
            return s->enums[i];
    return NULL;
}

static bool is_int_kind(pgtype_kind_t k)
{
    return k == PGTYPE_INT2 || k == PGTYPE_INT4 || k == PGTYPE_INT8;
}

static int64_t int_max(pgtype_kind_t k)
{
    return k == PGTYPE_INT2 ? INT16_MAX : k == PGTYPE_INT4 ? INT32_MAX : INT64_MAX;
}

static store_sequence_t *sequence_new(const char *table, const char *col, pgtype_kind_t k)
{
    store_sequence_t *q = xcalloc(1, sizeof *q);
    q->name = xasprintf("%s_%s_seq", table, col);
    q->next = 1;
    /* serial's sequence is bigint-typed by default only for bigserial; identity
     * and serial sequences take the column's type, bounding max_value. */
    q->max = int_max(k);
    return q;
}

static void add_index(store_table_t *t, const char *name, bool primary, const size_t *cols,
                      size_t n)
{
    t->indexes = xrealloc(t->indexes, (t->nindexes + 1) * sizeof *t->indexes);
    uindex_t *ix = &t->indexes[t->nindexes];
    memset(ix, 0, sizeof *ix);
    ix->name = xstrdup(name);
    ix->primary = primary;
    MOCK_ASSERT(n >= 1 && n <= INDEX_MAX_KEYS); /* store_add_table refuses wider keys */
    ix->ncols = n;
    ix->cols = xmalloc(n * sizeof *ix->cols);
    memcpy(ix->cols, cols, n * sizeof *cols);
    if (n == 1 && t->single_index[cols[0]] < 0)
        t->single_index[cols[0]] = (int)t->nindexes;
    t->nindexes++;
}

/* Sets up the default of column c from its spec. Returns 0 or -1 with *error. */
static int column_default(store_t *s, store_table_t *t, store_column_t *c,
                          const store_column_spec_t *spec, char **error)
{
    c->default_kind = STORE_DEFAULT_NONE;
    pgvalue_init_null(&c->default_value);
    const cJSON *d = spec->default_value;
    bool is_fn = d && cJSON_IsString(d);
    const char *fn = is_fn ? d->valuestring : NULL;
    if (c->type.serial || c->identity != STORE_IDENTITY_NONE) {
        if (d && !cJSON_IsNull(d)) {
            if (c->identity != STORE_IDENTITY_NONE)
                *error = xasprintf("both default and identity specified for column \"%s\" of "
                                   "table \"%s\"",
                                   c->name, t->name);
            else
                *error = xasprintf("multiple default values specified for column \"%s\" of "
                                   "table \"%s\"",
                                   c->name, t->name);
            return -1;
        }
        c->default_kind = STORE_DEFAULT_SEQUENCE;
        c->sequence = sequence_new(t->name, c->name, c->type.kind);
        return 0;
    }
    if (!d || cJSON_IsNull(d))
        return 0;
    char tname[80];
    const char *colty = pgtype_name(&c->type, tname, sizeof tname);
    bool texty =
        !c->type.is_array && (c->type.kind == PGTYPE_TEXT || c->type.kind == PGTYPE_VARCHAR ||
                              c->type.kind == PGTYPE_CHAR);
    if (fn && (strcmp(fn, "gen_random_uuid()") == 0 || strcmp(fn, "uuid_generate_v4()") == 0 ||
               strcmp(fn, "auth.uid()") == 0)) {
        if (!(texty || (!c->type.is_array && c->type.kind == PGTYPE_UUID))) {
            *error = xasprintf("column \"%s\" is of type %s but default expression is of type "
                               "uuid",
                               c->name, colty);
            return -1;
        }
        c->default_kind =
            strcmp(fn, "auth.uid()") == 0 ? STORE_DEFAULT_AUTH_UID : STORE_DEFAULT_GEN_RANDOM_UUID;
        return 0;
    }
    if (fn && strcmp(fn, "now()") == 0) {
        pgtype_kind_t k = c->type.kind;
        if (c->type.is_array ||
            !(texty || k == PGTYPE_TIMESTAMPTZ || k == PGTYPE_TIMESTAMP || k == PGTYPE_DATE)) {
            *error = xasprintf("column \"%s\" is of type %s but default expression is of type "
                               "timestamp with time zone",
                               c->name, colty);
            return -1;
        }
        c->default_kind = STORE_DEFAULT_NOW;
        return 0;
    }
    if (fn && strcmp(fn, "nextval") == 0) {
        if (c->type.is_array || !is_int_kind(c->type.kind)) {
            *error = xasprintf("column \"%s\" is of type %s but default expression is of type "
                               "bigint",
                               c->name, colty);
            return -1;
        }
        c->default_kind = STORE_DEFAULT_SEQUENCE;
        c->sequence = sequence_new(t->name, c->name, c->type.kind);
        return 0;
    }
    (void)s;
    pgrst_error_t err;
    pgrst_error_init(&err);
    if (pgvalue_from_json(&c->type, d, &c->default_value, &err) < 0) {
        *error = xasprintf("column \"%s\": invalid default: %s", c->name, err.message);
        pgrst_error_dispose(&err);
        return -1;
    }
    c->default_kind = STORE_DEFAULT_VALUE;
    return 0;
}

/* An empty relation of ncols columns (their arrays zeroed), not yet in the
 * catalog. */
static store_table_t *table_new(store_t *s, const char *schema, const char *name, size_t ncols)
{
    size_t n = ncols ? ncols : 1;
    store_table_t *t = xcalloc(1, sizeof *t);
    t->store = s;
    t->schema = xstrdup(schema);
    t->name = xstrdup(name);
    t->in_schema_cache = true;
    t->cols = xcalloc(n, sizeof *t->cols);
    t->single_index = xmalloc(n * sizeof *t->single_index);
    t->ref_table = xcalloc(n, sizeof *t->ref_table);
    t->ref_col = xcalloc(n, sizeof *t->ref_col);
    t->pk = xmalloc(n * sizeof *t->pk);
    return t;
}

store_table_t *store_add_table(store_t *s, const char *schema, const char *name,
                               const store_column_spec_t *cols, size_t col_count, char **error,
                               int *error_column)
{
    *error_column = -1;
    if (store_find_table(s, schema, name)) {
        *error = xasprintf("relation \"%s\" already exists", name);
        return NULL;
    }
    store_table_t *t = table_new(s, schema, name, col_count);
    const pgtype_enum_t **enums = (const pgtype_enum_t **)s->enums;
    for (size_t i = 0; i < col_count; i++) {
        const store_column_spec_t *sp = &cols[i];
        store_column_t *c = &t->cols[i];
        t->ncols = i + 1;
        t->single_index[i] = -1;
        c->name = xstrdup(sp->name);
        pgvalue_init_null(&c->default_value);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(t->cols[j].name, sp->name) == 0) {
                *error = xasprintf("column \"%s\" specified more than once", sp->name);
                goto fail_col;
            }
        }
        char *terr = NULL;
        if (pgtype_parse(sp->type, (const pgtype_enum_t *const *)enums, s->nenums, &c->type,
                         &terr) < 0) {
            *error = terr;
            goto fail_col;
        }
        c->primary_key = sp->primary_key;
        c->unique = sp->unique;
        c->in_schema_cache = sp->in_schema_cache;
        c->identity = STORE_IDENTITY_NONE;
        if (sp->identity) {
            if (strcmp(sp->identity, "always") == 0)
                c->identity = STORE_IDENTITY_ALWAYS;
            else if (strcmp(sp->identity, "by default") == 0)
                c->identity = STORE_IDENTITY_BY_DEFAULT;
            else {
                *error = xasprintf("column \"%s\": identity must be \"always\" or \"by default\"",
                                   sp->name);
                goto fail_col;
            }
            if (c->type.is_array || !is_int_kind(c->type.kind)) {
                *error = xasprintf("identity column type must be smallint, integer, or bigint");
                goto fail_col;
            }
            if (c->type.serial) {
                *error = xasprintf("both default and identity specified for column \"%s\" of "
                                   "table \"%s\"",
                                   sp->name, name);
                goto fail_col;
            }
        }
        /* Primary keys, serials and identities are NOT NULL in Postgres. */
        c->nullable = sp->nullable && !sp->primary_key && !c->type.serial &&
                      c->identity == STORE_IDENTITY_NONE;
        if (column_default(s, t, c, sp, error) < 0)
            goto fail_col;
        if (sp->references) {
            const char *r = sp->references;
            const char *open = strchr(r, '(');
            const char *close = open ? strchr(open, ')') : NULL;
            if (!open || !close || close[1] != '\0' || open == r || close == open + 1) {
                *error = xasprintf("column \"%s\": references must look like \"table(col)\" or "
                                   "\"schema.table(col)\"",
                                   sp->name);
                goto fail_col;
            }
            char *target = xstrndup(r, (size_t)(open - r));
            char *dot = strchr(target, '.');
            if (dot) {
                *dot = '\0';
                c->ref_schema = xstrdup(target);
                c->ref_table = xstrdup(dot + 1);
            } else {
                c->ref_schema = xstrdup("public");
                c->ref_table = xstrdup(target);
            }
            free(target);
            c->ref_column = xstrndup(open + 1, (size_t)(close - open - 1));
            c->fk_constraint =
                sp->fk_name ? xstrdup(sp->fk_name) : xasprintf("%s_%s_fkey", name, sp->name);
            c->on_delete = STORE_FK_NO_ACTION;
            if (sp->on_delete && strcmp(sp->on_delete, "no action") != 0) {
                if (strcmp(sp->on_delete, "cascade") == 0)
                    c->on_delete = STORE_FK_CASCADE;
                else if (strcmp(sp->on_delete, "set null") == 0)
                    c->on_delete = STORE_FK_SET_NULL;
                else if (strcmp(sp->on_delete, "restrict") == 0)
                    c->on_delete = STORE_FK_RESTRICT;
                else {
                    *error = xasprintf("column \"%s\": on_delete must be \"cascade\", \"set "
                                       "null\", \"restrict\" or \"no action\"",
                                       sp->name);
                    goto fail_col;
                }
            }
            t->has_fk = true;
        }
        if (sp->primary_key)
            t->pk[t->npk++] = i;
    }
    /* Constraints: the primary key first, then unique columns in order. */
    if (t->npk > INDEX_MAX_KEYS) {
        *error = xasprintf("cannot use more than %d columns in an index", INDEX_MAX_KEYS);
        table_free(t);
        return NULL;
    }
    if (t->npk) {
        char *pkname = xasprintf("%s_pkey", name);
        add_index(t, pkname, true, t->pk, t->npk);
        free(pkname);
    }
    for (size_t i = 0; i < t->ncols; i++) {
        store_column_t *c = &t->cols[i];
        if (!c->unique)
            continue;
        c->unique_constraint = xasprintf("%s_%s_key", name, c->name);
        add_index(t, c->unique_constraint, false, &i, 1);
    }
    s->tables = xrealloc(s->tables, (s->ntables + 1) * sizeof *s->tables);
    s->tables[s->ntables++] = t;
    return t;

fail_col:
    *error_column = (int)(t->ncols - 1);
    table_free(t);
    return NULL;
}

static bool types_compatible(const pgtype_t *a, const pgtype_t *b)
{
    if (a->is_array != b->is_array)
        return false;
    if (is_int_kind(a->kind) && is_int_kind(b->kind))
        return true;
    bool at = a->kind == PGTYPE_TEXT || a->kind == PGTYPE_VARCHAR;
    bool bt = b->kind == PGTYPE_TEXT || b->kind == PGTYPE_VARCHAR;
    if (at && bt)
        return true;
    if (a->kind != b->kind)
        return false;
    return a->kind != PGTYPE_ENUM || a->enum_def == b->enum_def;
}

static int parse_fk_action(const char *text, store_fk_action_t *out)
{
    *out = STORE_FK_NO_ACTION;
    if (!text || strcmp(text, "no action") == 0)
        return 0;
    if (strcmp(text, "cascade") == 0)
        *out = STORE_FK_CASCADE;
    else if (strcmp(text, "set null") == 0)
        *out = STORE_FK_SET_NULL;
    else if (strcmp(text, "restrict") == 0)
        *out = STORE_FK_RESTRICT;
    else
        return -1;
    return 0;
}

static store_fkey_t *push_fkey(store_table_t *t)
{
    t->fkeys = xrealloc(t->fkeys, (t->nfkeys + 1) * sizeof *t->fkeys);
    store_fkey_t *f = &t->fkeys[t->nfkeys++];
    memset(f, 0, sizeof *f);
    return f;
}

/* transformFkeyCheckAttrs (tablecmds.c): the referenced columns must be
 * exactly the columns of a primary key or unique index, in any order.
 * Returns the index, or -1. */
static int key_index_of(const store_table_t *pt, const size_t *cols, size_t n)
{
    for (size_t x = 0; x < pt->nindexes; x++) {
        const uindex_t *ix = &pt->indexes[x];
        if (ix->ncols != n)
            continue;
        bool same = true;
        for (size_t k = 0; k < n && same; k++) {
            bool found = false;
            for (size_t m = 0; m < n; m++)
                found = found || cols[m] == ix->cols[k];
            same = found;
        }
        if (same)
            return (int)x;
    }
    return -1;
}

int store_add_fkey(store_t *s, store_table_t *t, const store_fkey_spec_t *spec, char **error)
{
    size_t n = spec->column_count;
    if (n == 0 || n > INDEX_MAX_KEYS) {
        *error = xasprintf("cannot use more than %d keys in a foreign key", INDEX_MAX_KEYS);
        return -1;
    }
    store_table_t *pt = store_find_table(s, spec->ref_schema, spec->ref_table);
    if (!pt) {
        *error = xasprintf("relation \"%s.%s\" does not exist", spec->ref_schema, spec->ref_table);
        return -1;
    }
    size_t cols[INDEX_MAX_KEYS], refs[INDEX_MAX_KEYS];
    for (size_t i = 0; i < n; i++) {
        int c = store_table_find_column(t, spec->columns[i]);
        int r = store_table_find_column(pt, spec->ref_columns[i]);
        if (c < 0 || r < 0) {
            *error = xasprintf("column \"%s\" referenced in foreign key constraint does not exist",
                               c < 0 ? spec->columns[i] : spec->ref_columns[i]);
            return -1;
        }
        cols[i] = (size_t)c;
        refs[i] = (size_t)r;
    }
    int x = key_index_of(pt, refs, n);
    if (x < 0) {
        *error = xasprintf("there is no unique constraint matching given keys for referenced "
                           "table \"%s\"",
                           pt->name);
        return -1;
    }
    buf_t name;
    buf_init(&name);
    if (spec->name) {
        buf_puts(&name, spec->name);
    } else {
        /* ChooseForeignKeyConstraintNameAddition: every column's name. */
        buf_puts(&name, t->name);
        for (size_t i = 0; i < n; i++)
            buf_printf(&name, "_%s", t->cols[cols[i]].name);
        buf_puts(&name, "_fkey");
    }
    for (size_t i = 0; i < n; i++) {
        if (!types_compatible(&t->cols[cols[i]].type, &pt->cols[refs[i]].type)) {
            char a[80], b[80];
            *error = xasprintf("foreign key constraint \"%s\" cannot be implemented: Key columns "
                               "\"%s\" and \"%s\" are of incompatible types: %s and %s.",
                               buf_cstr(&name), t->cols[cols[i]].name, pt->cols[refs[i]].name,
                               pgtype_name(&t->cols[cols[i]].type, a, sizeof a),
                               pgtype_name(&pt->cols[refs[i]].type, b, sizeof b));
            buf_dispose(&name);
            return -1;
        }
    }
    store_fk_action_t action;
    if (parse_fk_action(spec->on_delete, &action) < 0) {
        *error = xasprintf("foreign key \"%s\": on_delete must be \"cascade\", \"set null\", "
                           "\"restrict\" or \"no action\"",
                           buf_cstr(&name));
        buf_dispose(&name);
        return -1;
    }
    store_fkey_t *f = push_fkey(t);
    f->name = xstrdup(buf_cstr(&name));
    buf_dispose(&name);
    f->ncols = n;
    f->cols = xmalloc(n * sizeof *f->cols);
    f->ref_cols = xmalloc(n * sizeof *f->ref_cols);
    memcpy(f->cols, cols, n * sizeof *cols);
    memcpy(f->ref_cols, refs, n * sizeof *refs);
    f->ref = pt;
    f->on_delete = action;
    f->ref_index = (size_t)x;
    const uindex_t *ix = &pt->indexes[x];
    f->ix_perm = xmalloc(n * sizeof *f->ix_perm);
    for (size_t p = 0; p < n; p++)
        for (size_t i = 0; i < n; i++)
            if (refs[i] == ix->cols[p])
                f->ix_perm[p] = i;
    t->has_fk = true;
    return 0;
}

void store_set_search_path(store_t *s, const char *ltree_schema, const char *extra_search_path)
{
    free(s->ltree_schema);
    s->ltree_schema = ltree_schema ? xstrdup(ltree_schema) : NULL;
    for (size_t i = 0; i < s->nextra_path; i++)
        free(s->extra_path[i]);
    s->nextra_path = 0;
    /* "public, extensions": names separated by commas, spaces around them
     * dropped (PostgREST's splitOnCommas and strip). */
    for (const char *p = extra_search_path ? extra_search_path : ""; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        size_t m = n;
        while (m > 0 && p[m - 1] == ' ')
            m--;
        if (m > 0) {
            s->extra_path = xrealloc(s->extra_path, (s->nextra_path + 1) * sizeof *s->extra_path);
            s->extra_path[s->nextra_path++] = xstrndup(p, m);
        }
        p += n;
    }
}

void store_set_request_schema(store_t *s, const char *schema)
{
    s->request_schema = schema;
}

size_t store_search_path(const store_t *s, const char **out, size_t cap)
{
    size_t n = 0;
    if (!s->request_schema) {
        if (cap)
            out[n++] = "public";
        return n;
    }
    if (n < cap)
        out[n++] = s->request_schema;
    for (size_t i = 0; i < s->nextra_path && n < cap; i++)
        if (strcmp(s->extra_path[i], s->request_schema) != 0)
            out[n++] = s->extra_path[i];
    return n;
}

store_table_t *store_find_table_on_path(const store_t *s, const char *name)
{
    const char *path[STORE_MAX_SEARCH_PATH];
    size_t n = store_search_path(s, path, STORE_MAX_SEARCH_PATH);
    for (size_t i = 0; i < n; i++) {
        store_table_t *t = store_find_table(s, path[i], name);
        if (t)
            return t;
    }
    return NULL;
}

const char *store_ltree_hidden(const store_table_t *t)
{
    const store_t *s = t->store;
    if (!s->ltree_schema || strcmp(s->ltree_schema, t->schema) == 0 ||
        strcmp(s->ltree_schema, "pg_catalog") == 0)
        return NULL;
    for (size_t i = 0; i < s->nextra_path; i++)
        if (strcmp(s->extra_path[i], s->ltree_schema) == 0)
            return NULL;
    return s->ltree_schema;
}

int store_set_partitions(store_t *s, store_table_t *t, bool range, const char *const *key,
                         size_t nkey, const store_partition_spec_t *parts, size_t nparts,
                         char **error)
{
    (void)s;
    size_t cols[32];
    pgtype_t types[32];
    if (nkey == 0 || nkey > sizeof cols / sizeof cols[0] || (!range && nkey != 1)) {
        *error = xasprintf("partition key of %s: %zu columns", t->name, nkey);
        return -1;
    }
    for (size_t k = 0; k < nkey; k++) {
        int c = store_table_find_column(t, key[k]);
        if (c < 0) {
            *error = xasprintf("column \"%s\" named in partition key does not exist", key[k]);
            return -1;
        }
        cols[k] = (size_t)c;
        types[k] = t->cols[c].type;
    }
    store_partitioning_t *p = store_partitioning_new(range, cols, types, nkey);
    pgrst_error_t err;
    pgrst_error_init(&err);
    for (size_t i = 0; i < nparts; i++) {
        if (store_partitioning_add(p, parts[i].name, parts[i].is_default, parts[i].values,
                                   parts[i].from, parts[i].to, &err) < 0) {
            *error = xasprintf("partition %s of %s: %s", parts[i].name, t->name, err.message);
            pgrst_error_dispose(&err);
            store_partitioning_free(p);
            return -1;
        }
    }
    pgrst_error_dispose(&err);
    store_partitioning_free(t->partitioning);
    t->partitioning = p;
    return 0;
}

int store_resolve_references(store_t *s, char **error, const store_table_t **error_table,
                             int *error_column)
{
    *error_table = NULL;
    *error_column = -1;
    for (size_t ti = 0; ti < s->ntables; ti++) {
        store_table_t *t = s->tables[ti];
        for (size_t i = 0; i < t->ncols; i++) {
            store_column_t *c = &t->cols[i];
            if (!c->ref_table)
                continue;
            *error_table = t;
            *error_column = (int)i;
            store_table_t *pt = store_find_table(s, c->ref_schema, c->ref_table);
            if (!pt) {
                *error =
                    xasprintf("relation \"%s.%s\" does not exist", c->ref_schema, c->ref_table);
                return -1;
            }
            int pc = store_table_find_column(pt, c->ref_column);
            if (pc < 0) {
                *error = xasprintf("column \"%s\" referenced in foreign key constraint does not "
                                   "exist",
                                   c->ref_column);
                return -1;
            }
            if (pt->single_index[pc] < 0) {
                *error = xasprintf("there is no unique constraint matching given keys for "
                                   "referenced table \"%s\"",
                                   pt->name);
                return -1;
            }
            if (!types_compatible(&c->type, &pt->cols[pc].type)) {
                char a[80], b[80];
                *error = xasprintf("foreign key constraint \"%s\" cannot be implemented: Key "
                                   "columns \"%s\" and \"%s\" are of incompatible types: %s and "
                                   "%s.",
                                   c->fk_constraint, c->name, pt->cols[pc].name,
                                   pgtype_name(&c->type, a, sizeof a),
                                   pgtype_name(&pt->cols[pc].type, b, sizeof b));
                return -1;
            }
            bool fresh = !t->ref_table[i];
            t->ref_table[i] = pt;
            t->ref_col[i] = (size_t)pc;
            if (!fresh)
                continue; /* listed by an earlier call */
            store_fkey_t *f = push_fkey(t);
            f->name = xstrdup(c->fk_constraint);
            f->ncols = 1;
            f->cols = xmalloc(sizeof *f->cols);
            f->cols[0] = i;
            f->ref_cols = xmalloc(sizeof *f->ref_cols);
            f->ref_cols[0] = (size_t)pc;
            f->ref = pt;
            f->on_delete = c->on_delete;
            f->ref_index = (size_t)pt->single_index[pc];
            f->ix_perm = xcalloc(1, sizeof *f->ix_perm);
        }
    }
    *error_table = NULL;
    *error_column = -1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* catalogue                                                                 */
/* ------------------------------------------------------------------------ */

size_t store_table_count(const store_t *s)
{
    return s->ntables;
}

store_table_t *store_table_at(const store_t *s, size_t i)
{
    return i < s->ntables ? s->tables[i] : NULL;
}

store_table_t *store_find_table(const store_t *s, const char *schema, const char *name)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (strcmp(s->tables[i]->name, name) == 0 && strcmp(s->tables[i]->schema, schema) == 0)
            return s->tables[i];
    return NULL;
}

const char *store_table_schema(const store_table_t *t)
{
    return t->schema;
}

const char *store_table_name(const store_table_t *t)
{
    return t->name;
}

size_t store_table_column_count(const store_table_t *t)
{
    return t->ncols;
}

const store_column_t *store_table_column(const store_table_t *t, size_t i)
{
    return i < t->ncols ? &t->cols[i] : NULL;
}

int store_table_find_column(const store_table_t *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

size_t store_table_primary_key(const store_table_t *t, const size_t **cols)
{
    *cols = t->pk;
    return t->npk;
}

size_t store_table_fkey_count(const store_table_t *t)
{
    return t->nfkeys;
}

const store_fkey_t *store_table_fkey(const store_table_t *t, size_t i)
{
    return i < t->nfkeys ? &t->fkeys[i] : NULL;
}

size_t store_table_row_count(const store_table_t *t)
{
    return t->nrows;
}

bool store_table_in_schema_cache(const store_table_t *t)
{
    return t->in_schema_cache;
}

void store_table_set_in_schema_cache(store_table_t *t, bool in_cache)
{
    t->in_schema_cache = in_cache;
}

void store_column_set_in_schema_cache(store_table_t *t, size_t col, bool in_cache)
{
    MOCK_ASSERT(col < t->ncols);
    t->cols[col].in_schema_cache = in_cache;
}

/* ------------------------------------------------------------------------ */
/* derived relations                                                         */
/* ------------------------------------------------------------------------ */

store_table_t *store_add_derived(store_t *s, const char *schema, const char *name,
                                 const char *const *names, const pgtype_t *types, size_t n,
                                 bool catalog, bool refill_always, store_fill_fn fill, void *ctx,
                                 char **error)
{
    if (catalog && store_find_table(s, schema, name)) {
        *error = xasprintf("relation \"%s\" already exists", name);
        return NULL;
    }
    store_table_t *t = table_new(s, schema, name, n);
    t->derived = xcalloc(1, sizeof *t->derived);
    t->derived->fill = fill;
    t->derived->ctx = ctx;
    t->derived->catalog = catalog;
    t->derived->refill_always = refill_always;
    t->derived->origin = xcalloc(n ? n : 1, sizeof *t->derived->origin);
    t->derived->origin_col = xcalloc(n ? n : 1, sizeof *t->derived->origin_col);
    for (size_t i = 0; i < n; i++) {
        store_column_t *c = &t->cols[i];
        t->ncols = i + 1;
        t->single_index[i] = -1;
        c->name = xstrdup(names[i]);
        c->type = types[i];
        c->nullable = true;
        c->in_schema_cache = true;
        pgvalue_init_null(&c->default_value);
        for (size_t j = 0; j < i; j++)
            if (strcmp(t->cols[j].name, names[i]) == 0) {
                *error = xasprintf("column \"%s\" specified more than once", names[i]);
                table_free(t);
                return NULL;
            }
    }
    if (catalog) {
        s->tables = xrealloc(s->tables, (s->ntables + 1) * sizeof *s->tables);
        s->tables[s->ntables++] = t;
    } else {
        s->detached = xrealloc(s->detached, (s->ndetached + 1) * sizeof *s->detached);
        s->detached[s->ndetached++] = t;
    }
    return t;
}

void store_derived_free(store_table_t *t)
{
    if (!t)
        return;
    MOCK_ASSERT(t->derived && !t->derived->catalog);
    store_t *s = t->store;
    for (size_t i = 0; i < s->ndetached; i++)
        if (s->detached[i] == t) {
            s->detached[i] = s->detached[--s->ndetached];
            break;
        }
    table_free(t);
}

void store_drop_derived(store_t *s, store_table_t *t)
{
    MOCK_ASSERT(t->derived && t->derived->catalog);
    for (size_t i = 0; i < s->ntables; i++)
        if (s->tables[i] == t) {
            memmove(&s->tables[i], &s->tables[i + 1], (s->ntables - i - 1) * sizeof *s->tables);
            s->ntables--;
            break;
        }
    table_free(t);
}

bool store_table_is_derived(const store_table_t *t)
{
    return t->derived != NULL;
}

bool store_table_is_detached(const store_table_t *t)
{
    return t->derived && !t->derived->catalog;
}

static bool same_claims(const cJSON *a, const cJSON *b)
{
    return a == b || (a && b && cJSON_Compare(a, b, true));
}

int store_table_refresh(store_table_t *t, const store_reader_t *rd, pgrst_error_t *err)
{
    store_derived_t *d = t->derived;
    if (!d)
        return 0;
    store_t *s = t->store;
    if (d->filled && !d->refill_always && d->write_gen == s->write_gen && d->epoch == s->epoch &&
        d->superuser == rd->superuser && same_claims(d->claims, rd->claims) &&
        strcmp(d->role ? d->role : "", rd->role ? rd->role : "") == 0)
        return 0;
    if (d->filling)
        /* A view whose query reads the view itself (through a function or
         * another view): Postgres's rewriter refuses it. */
        return pgrst_error_setf(err, "42P17",
                                "infinite recursion detected in rules for relation "
                                "\"%s\"",
                                t->name);
    /* The current rows may still be walked by a reader up the stack: keep
     * them until the epoch ends. */
    if (t->head) {
        d->old = xrealloc(d->old, (d->nold + 1) * sizeof *d->old);
        d->old[d->nold++] = t->head;
        t->head = t->tail = NULL;
        t->nrows = 0;
    }
    d->filled = false;
    d->filling = true;
    int rc = d->fill(d->ctx, t, rd, err);
    d->filling = false;
    if (rc < 0)
        return -1;
    d->filled = true;
    d->write_gen = s->write_gen;
    d->epoch = s->epoch;
    d->superuser = rd->superuser;
    d->claims = rd->claims;
    free(d->role);
    d->role = rd->role ? xstrdup(rd->role) : NULL;
    return 0;
}

void store_derived_set_rows(store_table_t *t, pgvalue_t *values, size_t nrows)
{
    store_derived_set_rows_tagged(t, values, nrows, NULL);
}

void store_derived_set_rows_tagged(store_table_t *t, pgvalue_t *values, size_t nrows,
                                   const store_row_t *const *tags)
{
    MOCK_ASSERT(t->derived && !t->head);
    for (size_t r = 0; r < nrows; r++) {
        store_row_t *row = row_attach(t, values + r * t->ncols);
        row->tag = tags ? tags[r] : NULL;
    }
}

const store_row_t *store_row_tag(const store_row_t *r)
{
    return r->tag;
}

void store_derived_set_origin(store_table_t *t, size_t col, const store_table_t *origin,
                              size_t ocol)
{
    MOCK_ASSERT(t->derived && col < t->ncols);
    t->derived->origin[col] = origin;
    t->derived->origin_col[col] = ocol;
}

bool store_column_origin(const store_table_t *t, size_t col, const store_table_t **origin,
                         size_t *ocol)
{
    if (!t->derived || col >= t->ncols || !t->derived->origin[col])
        return false;
    *origin = t->derived->origin[col];
    *ocol = t->derived->origin_col[col];
    return true;
}

void store_derived_release(store_t *s)
{
    s->epoch++;
    for (size_t i = 0; i < s->ntables; i++)
        if (s->tables[i]->derived)
            derived_release_old(s->tables[i]);
    for (size_t i = 0; i < s->ndetached; i++)
        derived_release_old(s->detached[i]);
}

/* ------------------------------------------------------------------------ */
/* reading                                                                   */
/* ------------------------------------------------------------------------ */

store_row_t *store_table_first(const store_table_t *t)
{
    return t->head;
}

store_row_t *store_row_next(const store_row_t *r)
{
    return r->next;
}

const pgvalue_t *store_row_values(const store_row_t *r)
{
    return r->values;
}

store_row_t *store_row_new_detached(pgvalue_t *values, size_t n)
{
    store_row_t *r = xmalloc(sizeof *r + (n ? n : 1) * sizeof(pgvalue_t));
    r->prev = r->next = NULL;
    r->dead = false;
    for (size_t i = 0; i < n; i++) {
        r->values[i] = values[i];
        pgvalue_init_null(&values[i]);
    }
    return r;
}

void store_row_free_detached(store_row_t *r, size_t n)
{
    if (!r)
        return;
    for (size_t i = 0; i < n; i++)
        pgvalue_dispose(&r->values[i]);
    free(r);
}

bool store_column_is_indexed(const store_table_t *t, size_t col)
{
    return col < t->ncols && t->single_index[col] >= 0;
}

store_row_t *store_index_lookup(const store_table_t *t, size_t col, const pgvalue_t *v)
{
    if (col >= t->ncols || t->single_index[col] < 0 || v->is_null)
        return NULL;
    const pgvalue_t *keys[1] = {v};
    return ix_find(t, &t->indexes[t->single_index[col]], keys, NULL);
}

/* ------------------------------------------------------------------------ */
/* transactions                                                              */
/* ------------------------------------------------------------------------ */

const char *store_sequence_name(const store_sequence_t *q)
{
    return q->name;
}

int64_t store_sequence_peek(const store_sequence_t *q)
{
    return q->next;
}

bool store_in_transaction(const store_t *s)
{
    return s->in_tx;
}

static void push_undo(store_t *s, undo_kind_t kind, store_table_t *t, store_row_t *r,
                      store_row_t *prev)
{
    if (!s->in_tx)
        return;
    if (s->nundo == s->capundo) {
        s->capundo = s->capundo ? s->capundo * 2 : 64;
        s->undo = xrealloc(s->undo, s->capundo * sizeof *s->undo);
    }
    s->undo[s->nundo++] = (undo_t){kind, t, r, prev};
}

static void push_pending(store_t *s, pending_kind_t kind, store_table_t *t, store_row_t *r)
{
    if (s->npending == s->cappending) {
        s->cappending = s->cappending ? s->cappending * 2 : 16;
        s->pending = xrealloc(s->pending, s->cappending * sizeof *s->pending);
    }
    s->pending[s->npending++] = (pending_t){kind, t, r};
}

/* Rows removed outside a transaction wait in the graveyard, stored as
 * (table, row) pairs in consecutive slots, until the statement ends: queued
 * foreign-key checks may still read them. */
static void free_removed_rows(store_t *s)
{
    for (size_t i = 0; i + 1 < s->ngrave; i += 2)
        row_free((store_table_t *)(void *)s->graveyard[i], s->graveyard[i + 1]);
    s->ngrave = 0;
}

void store_begin(store_t *s)
{
    MOCK_ASSERT(!s->in_tx);
    s->in_tx = true;
    s->nundo = 0;
    s->npending = 0;
}

void store_commit(store_t *s)
{
    MOCK_ASSERT(s->in_tx);
    for (size_t i = 0; i < s->nundo; i++)
        if (s->undo[i].kind == UNDO_DELETE)
            row_free(s->undo[i].table, s->undo[i].row);
    s->nundo = 0;
    s->npending = 0;
    s->in_tx = false;
}

void store_rollback(store_t *s)
{
    MOCK_ASSERT(s->in_tx);
    s->write_gen++;
    for (size_t i = s->nundo; i-- > 0;) {
        undo_t *u = &s->undo[i];
        if (u->kind == UNDO_INSERT) {
            row_detach(u->table, u->row);
            row_free(u->table, u->row);
        } else {
            heap_link_after(u->table, u->row, u->prev);
            for (size_t k = 0; k < u->table->nindexes; k++)
                ix_add(u->table, &u->table->indexes[k], u->row);
        }
    }
    s->nundo = 0;
    s->npending = 0;
    s->in_tx = false;
}

/* ------------------------------------------------------------------------ */
/* messages                                                                  */
/* ------------------------------------------------------------------------ */

/* One value as ExecBuildSlotValueDescription writes it: text output
 * clipped to 64 bytes, "null" for NULL. */
static void describe_value(const store_column_t *col, const pgvalue_t *value, buf_t *v, buf_t *out)
{
    if (value->is_null) {
        buf_puts(out, "null");
        return;
    }
    buf_reset(v);
    pgvalue_render_text(&col->type, value, v);
    const char *str = buf_cstr(v);
    if (v->len <= 64) {
        buf_append(out, str, v->len);
    } else {
        /* pg_mbcliplen: never cut inside a UTF-8 sequence. */
        size_t cut = 64;
        while (cut > 0 && ((unsigned char)str[cut] & 0xC0) == 0x80)
            cut--;
        buf_append(out, str, cut);
        buf_puts(out, "...");
    }
}

void store_row_description_cols(const store_table_t *t, const pgvalue_t *values, const bool *shown,
                                buf_t *out)
{
    buf_t v;
    buf_init(&v);
    buf_putc(out, '(');
    bool any = false;
    for (size_t i = 0; i < t->ncols; i++)
        if (shown[i]) {
            buf_printf(out, "%s%s", any ? ", " : "", t->cols[i].name);
            any = true;
        }
    buf_puts(out, ") = (");
    any = false;
    for (size_t i = 0; i < t->ncols; i++)
        if (shown[i]) {
            if (any)
                buf_puts(out, ", ");
            describe_value(&t->cols[i], &values[i], &v, out);
            any = true;
        }
    buf_putc(out, ')');
    buf_dispose(&v);
}

void store_row_description(const store_table_t *t, const pgvalue_t *values, buf_t *out)
{
    buf_t v;
    buf_init(&v);
    buf_putc(out, '(');
    for (size_t i = 0; i < t->ncols; i++) {
        if (i)
            buf_puts(out, ", ");
        describe_value(&t->cols[i], &values[i], &v, out);
    }
    buf_putc(out, ')');
    buf_dispose(&v);
}

static char *row_description(const store_table_t *t, const pgvalue_t *values)
{
    buf_t b;
    buf_init(&b);
    store_row_description(t, values, &b);
    return buf_steal(&b);
}

/* "Key (a, b)=(1, x)" parts for BuildIndexValueDescription / ri_ReportViolation. */
static void key_description(const store_table_t *t, const size_t *cols, size_t n,
                            const pgvalue_t *values, buf_t *names, buf_t *vals)
{
    for (size_t k = 0; k < n; k++) {
        if (k) {
            buf_puts(names, ", ");
            buf_puts(vals, ", ");
        }
        buf_puts(names, t->cols[cols[k]].name);
        if (values[cols[k]].is_null)
            buf_puts(vals, "null");
        else
            pgvalue_render_text(&t->cols[cols[k]].type, &values[cols[k]], vals);
    }
}

/* ------------------------------------------------------------------------ */
/* writing                                                                   */
/* ------------------------------------------------------------------------ */

static int nextval(store_sequence_t *q, int64_t *out, pgrst_error_t *err)
{
    if (q->next > q->max)
        return pgrst_error_setf(err, "2200H",
                                "nextval: reached maximum value of sequence \"%s\" "
                                "(%lld)",
                                q->name, (long long)q->max);
    *out = q->next++;
    return 0;
}

int store_apply_defaults(store_t *s, store_table_t *t, pgvalue_t *values, const bool *provided,
                         const store_env_t *env, pgrst_error_t *err)
{
    /* Explicit values into GENERATED ALWAYS columns are refused before any
     * default is evaluated (the rewriter checks this). */
    for (size_t i = 0; i < t->ncols; i++) {
        const store_column_t *c = &t->cols[i];
        if (provided[i] && c->identity == STORE_IDENTITY_ALWAYS) {
            pgrst_error_setf(err, "428C9", "cannot insert a non-DEFAULT value into column \"%s\"",
                             c->name);
            pgrst_error_detailsf(err,
                                 "Column \"%s\" is an identity column defined as GENERATED "
                                 "ALWAYS.",
                                 c->name);
            pgrst_error_hintf(err, "Use OVERRIDING SYSTEM VALUE to override.");
            return -1;
        }
    }
    for (size_t i = 0; i < t->ncols; i++) {
        if (provided[i])
            continue;
        store_column_t *c = &t->cols[i];
        pgvalue_t v;
        pgvalue_init_null(&v);
        switch (c->default_kind) {
        case STORE_DEFAULT_NONE:
            break;
        case STORE_DEFAULT_VALUE:
            pgvalue_copy(&v, &c->default_value);
            break;
        case STORE_DEFAULT_GEN_RANDOM_UUID: {
            char *u = random_uuid(s);
            int rc = pgvalue_from_text(&c->type, u, strlen(u), &v, err);
            free(u);
            if (rc < 0)
                return -1;
            break;
        }
        case STORE_DEFAULT_NOW: {
            int64_t now = env ? env->now_us : 0;
            if (c->type.kind == PGTYPE_TIMESTAMPTZ || c->type.kind == PGTYPE_TIMESTAMP) {
                v.is_null = false;
                v.i = now; /* the session zone is UTC, so timestamp gets the same value */
            } else if (c->type.kind == PGTYPE_DATE) {
                const int64_t day = 86400000000LL;
                v.is_null = false;
                v.i = now >= 0 ? now / day : -((-now + day - 1) / day);
            } else {
                pgtype_t tz = {.kind = PGTYPE_TIMESTAMPTZ, .length = -1};
                pgvalue_t tv;
                pgvalue_init_null(&tv);
                tv.is_null = false;
                tv.i = now;
                buf_t b;
                buf_init(&b);
                pgvalue_render_text(&tz, &tv, &b);
                int rc = pgvalue_from_text(&c->type, b.data, b.len, &v, err);
                buf_dispose(&b);
                if (rc < 0)
                    return -1;
            }
            break;
        }
        case STORE_DEFAULT_AUTH_UID:
            /* auth.uid() casts the sub claim to uuid: an empty or missing sub is
             * NULL, a malformed one fails like any uuid input. */
            if (env && env->auth_uid && env->auth_uid[0]) {
                pgtype_t ut = {.kind = PGTYPE_UUID, .length = -1};
                pgvalue_t uv;
                if (pgvalue_from_text(&ut, env->auth_uid, strlen(env->auth_uid), &uv, err) < 0)
                    return -1;
                int rc = pgvalue_from_text(&c->type, uv.s, strlen(uv.s), &v, err);
                pgvalue_dispose(&uv);
                if (rc < 0)
                    return -1;
            }
            break;
        case STORE_DEFAULT_SEQUENCE: {
            int64_t n = 0;
            if (nextval(c->sequence, &n, err) < 0)
                return -1;
            v.is_null = false;
            v.i = n;
            break;
        }
        }
        pgvalue_dispose(&values[i]);
        values[i] = v;
    }
    return 0;
}

static void dispose_values(const store_table_t *t, pgvalue_t *values)
{
    for (size_t i = 0; i < t->ncols; i++)
        pgvalue_dispose(&values[i]);
}

int store_check_not_null(const store_table_t *t, const pgvalue_t *values, const store_env_t *env,
                         pgrst_error_t *err)
{
    bool hide = env && env->hide_row_details;
    if (t->partitioning && store_partitioning_route(t->partitioning, values) < 0) {
        /* Routing comes before the leaf's constraints (ExecFindPartition). */
        pgrst_error_setf(err, "23514", "no partition of relation \"%s\" found for row", t->name);
        if (!hide) {
            size_t n;
            const size_t *key = store_partitioning_key(t->partitioning, &n);
            buf_t names, vals;
            buf_init(&names);
            buf_init(&vals);
            key_description(t, key, n, values, &names, &vals);
            pgrst_error_detailsf(err, "Partition key of the failing row contains (%s) = (%s).",
                                 buf_cstr(&names), buf_cstr(&vals));
            buf_dispose(&names);
            buf_dispose(&vals);
        }
        return -1;
    }
    for (size_t i = 0; i < t->ncols; i++) {
        if (!t->cols[i].nullable && values[i].is_null) {
            pgrst_error_setf(err, "23502",
                             "null value in column \"%s\" of relation \"%s\" violates not-null "
                             "constraint",
                             t->cols[i].name, t->name);
            if (!hide) {
                char *row = row_description(t, values);
                pgrst_error_detailsf(err, "Failing row contains %s.", row);
                free(row);
            }
            return -1;
        }
    }
    return 0;
}

/* Not-null and unique checks for a new row version; `ignore` is the row being
 * replaced by an update (it does not conflict with itself). */
static int check_row(const store_table_t *t, const pgvalue_t *values, const store_row_t *ignore,
                     const store_env_t *env, pgrst_error_t *err)
{
    bool hide = env && env->hide_row_details;
    if (store_check_not_null(t, values, env, err) < 0)
        return -1;
    for (size_t x = 0; x < t->nindexes; x++) {
        const uindex_t *ix = &t->indexes[x];
        const pgvalue_t *keys[INDEX_MAX_KEYS];
        if (!row_keys(ix, values, keys))
            continue;
        if (!ix_find(t, ix, keys, ignore))
            continue;
        pgrst_error_setf(err, "23505", "duplicate key value violates unique constraint \"%s\"",
                         ix->name);
        if (!hide) {
            buf_t names, vals;
            buf_init(&names);
            buf_init(&vals);
            key_description(t, ix->cols, ix->ncols, values, &names, &vals);
            pgrst_error_detailsf(err, "Key (%s)=(%s) already exists.", buf_cstr(&names),
                                 buf_cstr(&vals));
            buf_dispose(&names);
            buf_dispose(&vals);
        }
        return -1;
    }
    return 0;
}

static bool row_has_fk_values(const store_table_t *t, const pgvalue_t *values)
{
    if (!t->has_fk)
        return false;
    for (size_t i = 0; i < t->ncols; i++)
        if (t->ref_table[i] && !values[i].is_null)
            return true;
    for (size_t x = 0; x < t->nfkeys; x++)
        if (t->fkeys[x].ncols > 1)
            return true; /* checked whole at the statement's end */
    return false;
}

/* True when some table's foreign key references column set of t. */
static bool table_is_referenced(const store_t *s, const store_table_t *t)
{
    for (size_t i = 0; i < s->ntables; i++) {
        const store_table_t *o = s->tables[i];
        if (!o->has_fk)
            continue;
        for (size_t c = 0; c < o->ncols; c++)
            if (o->ref_table[c] == t)
                return true;
        for (size_t x = 0; x < o->nfkeys; x++)
            if (o->fkeys[x].ref == t)
                return true;
    }
    return false;
}

/* A derived relation's rows are computed: writes through a view are its
 * owner's to translate (mem_view.c) before they reach the store. */
static int derived_write(const store_table_t *t, const char *verb, pgrst_error_t *err)
{
    return pgrst_error_setf(err, "55000", "cannot %s view \"%s\"", verb, t->name);
}

int store_insert(store_t *s, store_table_t *t, pgvalue_t *values, const store_env_t *env,
                 store_row_t **out, pgrst_error_t *err)
{
    if (t->derived) {
        dispose_values(t, values);
        return derived_write(t, "insert into", err);
    }
    s->write_gen++;
    if (check_row(t, values, NULL, env, err) < 0) {
        dispose_values(t, values);
        return -1;
    }
    bool fk = row_has_fk_values(t, values);
    store_row_t *r = row_attach(t, values);
    push_undo(s, UNDO_INSERT, t, r, NULL);
    if (fk)
        push_pending(s, PENDING_FK_CHECK, t, r);
    if (out)
        *out = r;
    return 0;
}

static void graveyard_add(store_t *s, store_table_t *t, store_row_t *r)
{
    if (s->ngrave + 2 > s->capgrave) {
        s->capgrave = s->capgrave ? s->capgrave * 2 : 16;
        s->graveyard = xrealloc(s->graveyard, s->capgrave * sizeof *s->graveyard);
    }
    s->graveyard[s->ngrave++] = (store_row_t *)(void *)t;
    s->graveyard[s->ngrave++] = r;
}

static void remove_row(store_t *s, store_table_t *t, store_row_t *r)
{
    store_row_t *prev = r->prev;
    row_detach(t, r);
    if (s->in_tx)
        push_undo(s, UNDO_DELETE, t, r, prev);
    else
        graveyard_add(s, t, r);
}

int store_update(store_t *s, store_table_t *t, store_row_t *r, pgvalue_t *values,
                 const store_env_t *env, store_row_t **out, pgrst_error_t *err)
{
    MOCK_ASSERT(!r->dead);
    if (t->derived) {
        dispose_values(t, values);
        return derived_write(t, "update", err);
    }
    s->write_gen++;
    if (check_row(t, values, r, env, err) < 0) {
        dispose_values(t, values);
        return -1;
    }
    bool fk = row_has_fk_values(t, values);
    bool referenced = table_is_referenced(s, t);
    remove_row(s, t, r);
    if (referenced)
        push_pending(s, PENDING_REF_CHECK, t, r);
    store_row_t *n = row_attach(t, values);
    push_undo(s, UNDO_INSERT, t, n, NULL);
    if (fk)
        push_pending(s, PENDING_FK_CHECK, t, n);
    if (out)
        *out = n;
    return 0;
}

int store_delete(store_t *s, store_table_t *t, store_row_t *r, const store_env_t *env,
                 pgrst_error_t *err)
{
    (void)env;
    MOCK_ASSERT(!r->dead);
    if (t->derived)
        return derived_write(t, "delete from", err);
    s->write_gen++;
    bool referenced = table_is_referenced(s, t);
    remove_row(s, t, r);
    if (referenced)
        push_pending(s, PENDING_DEL_CHECK, t, r);
    return 0;
}

/* The referenced key of composite foreign key f in a referencing row's
 * values, in the order of the referenced index; false when a column is NULL
 * (MATCH SIMPLE: the row is not checked). */
static bool fkey_keys(const store_fkey_t *f, const pgvalue_t *v, const pgvalue_t **keys)
{
    for (size_t p = 0; p < f->ncols; p++) {
        keys[p] = &v[f->cols[f->ix_perm[p]]];
        if (keys[p]->is_null)
            return false;
    }
    return true;
}

/* RI_FKey_check for the foreign keys over several columns of row r. */
static int check_composite_fk_row(store_table_t *t, store_row_t *r, const store_env_t *env,
                                  pgrst_error_t *err)
{
    for (size_t x = 0; x < t->nfkeys; x++) {
        const store_fkey_t *f = &t->fkeys[x];
        const pgvalue_t *keys[INDEX_MAX_KEYS];
        if (f->ncols < 2 || !fkey_keys(f, r->values, keys))
            continue;
        if (ix_find(f->ref, &f->ref->indexes[f->ref_index], keys, NULL))
            continue;
        pgrst_error_setf(err, "23503",
                         "insert or update on table \"%s\" violates foreign key constraint \"%s\"",
                         t->name, f->name);
        if (env && env->hide_row_details) {
            pgrst_error_detailsf(err, "Key is not present in table \"%s\".", f->ref->name);
        } else {
            buf_t names, text;
            buf_init(&names);
            buf_init(&text);
            key_description(t, f->cols, f->ncols, r->values, &names, &text);
            pgrst_error_detailsf(err, "Key (%s)=(%s) is not present in table \"%s\".",
                                 buf_cstr(&names), buf_cstr(&text), f->ref->name);
            buf_dispose(&names);
            buf_dispose(&text);
        }
        return -1;
    }
    return 0;
}

/* Insert side (RI_FKey_check): every non-null foreign key of live row r must
 * find its referenced row. */
static int check_fk_row(store_table_t *t, store_row_t *r, const store_env_t *env,
                        pgrst_error_t *err)
{
    if (r->dead)
        return 0; /* a later write in the statement replaced or removed it */
    for (size_t i = 0; i < t->ncols; i++) {
        store_table_t *pt = t->ref_table[i];
        if (!pt || r->values[i].is_null)
            continue;
        if (store_index_lookup(pt, t->ref_col[i], &r->values[i]))
            continue;
        const store_column_t *c = &t->cols[i];
        pgrst_error_setf(err, "23503",
                         "insert or update on table \"%s\" violates foreign key constraint \"%s\"",
                         t->name, c->fk_constraint);
        if (env && env->hide_row_details) {
            pgrst_error_detailsf(err, "Key is not present in table \"%s\".", pt->name);
        } else {
            buf_t v;
            buf_init(&v);
            pgvalue_render_text(&c->type, &r->values[i], &v);
            pgrst_error_detailsf(err, "Key (%s)=(%s) is not present in table \"%s\".", c->name,
                                 buf_cstr(&v), pt->name);
            buf_dispose(&v);
        }
        return -1;
    }
    return check_composite_fk_row(t, r, env, err);
}

/* A live row of t whose column i equals key, or NULL. */
static store_row_t *find_referencing(store_table_t *t, size_t i, const pgvalue_t *key)
{
    if (t->single_index[i] >= 0)
        return store_index_lookup(t, i, key);
    const pgtype_t *ft = &t->cols[i].type;
    for (store_row_t *r = t->head; r; r = r->next)
        if (!r->values[i].is_null && pgvalue_compare(ft, &r->values[i], key) == 0)
            return r;
    return NULL;
}

/* ON DELETE SET NULL (RI_FKey_setnull_del): the referencing row gets a new
 * version with column i null; its not-null check applies (23502). */
static int set_null(store_t *s, store_table_t *t, store_row_t *r, size_t i, const store_env_t *env,
                    pgrst_error_t *err)
{
    pgvalue_t *values = xcalloc(t->ncols, sizeof *values);
    for (size_t k = 0; k < t->ncols; k++) {
        if (k == i)
            pgvalue_init_null(&values[k]);
        else
            pgvalue_copy(&values[k], &r->values[k]);
    }
    int rc = store_update(s, t, r, values, env, NULL, err);
    free(values);
    return rc;
}

/* A live row of t whose columns f->cols equal the referenced key of `old`
 * (a row of f->ref), or NULL. */
static store_row_t *find_composite_referencing(store_table_t *t, const store_fkey_t *f,
                                               const store_row_t *old)
{
    for (store_row_t *r = t->head; r; r = r->next) {
        bool same = true;
        for (size_t i = 0; i < f->ncols && same; i++) {
            const pgvalue_t *v = &r->values[f->cols[i]];
            same = !v->is_null &&
                   pgvalue_compare(&t->cols[f->cols[i]].type, v, &old->values[f->ref_cols[i]]) == 0;
        }
        if (same)
            return r;
    }
    return NULL;
}

/* ON DELETE SET NULL of a composite key: every referencing column NULL. */
static int set_null_columns(store_t *s, store_table_t *t, store_row_t *r, const size_t *cols,
                            size_t n, const store_env_t *env, pgrst_error_t *err)
{
    pgvalue_t *values = xcalloc(t->ncols, sizeof *values);
    for (size_t k = 0; k < t->ncols; k++)
        pgvalue_copy(&values[k], &r->values[k]);
    for (size_t i = 0; i < n; i++) {
        pgvalue_dispose(&values[cols[i]]);
        pgvalue_init_null(&values[cols[i]]);
    }
    int rc = store_update(s, t, r, values, env, NULL, err);
    free(values);
    return rc;
}

/* check_ref_row for one foreign key over several columns of t referencing
 * old's table. */
static int check_composite_ref(store_t *s, store_table_t *t, const store_fkey_t *f,
                               const store_row_t *old, bool deleted, const store_env_t *env,
                               pgrst_error_t *err)
{
    store_table_t *pt = f->ref;
    const uindex_t *ix = &pt->indexes[f->ref_index];
    const pgvalue_t *keys[INDEX_MAX_KEYS];
    if (!row_keys(ix, old->values, keys))
        return 0;
    store_fk_action_t action = deleted ? f->on_delete : STORE_FK_NO_ACTION;
    if (action == STORE_FK_NO_ACTION && ix_find(pt, ix, keys, NULL))
        return 0; /* the key is present again */
    store_row_t *hit = find_composite_referencing(t, f, old);
    if (action == STORE_FK_CASCADE || action == STORE_FK_SET_NULL) {
        for (; hit; hit = find_composite_referencing(t, f, old)) {
            int rc = action == STORE_FK_CASCADE
                         ? store_delete(s, t, hit, env, err)
                         : set_null_columns(s, t, hit, f->cols, f->ncols, env, err);
            if (rc < 0)
                return -1;
        }
        return 0;
    }
    if (!hit)
        return 0;
    pgrst_error_setf(err, "23503",
                     "update or delete on table \"%s\" violates foreign key constraint \"%s\" "
                     "on table \"%s\"",
                     pt->name, f->name, t->name);
    if (env && env->hide_row_details) {
        pgrst_error_detailsf(err, "Key is still referenced from table \"%s\".", t->name);
        return -1;
    }
    buf_t names, text;
    buf_init(&names);
    buf_init(&text);
    key_description(pt, f->ref_cols, f->ncols, old->values, &names, &text);
    pgrst_error_detailsf(err, "Key (%s)=(%s) is still referenced from table \"%s\".",
                         buf_cstr(&names), buf_cstr(&text), t->name);
    buf_dispose(&names);
    buf_dispose(&text);
    return -1;
}

/* The referencing side of a removed row (ri_triggers.c): for each foreign key
 * referencing table pt, the action of `deleted` ? its ON DELETE : NO ACTION.
 * NO ACTION passes when the key exists again in pt (ri_Check_Pk_Match) or no
 * live row references it; RESTRICT skips the first escape ("we don't wish to
 * allow another row to be substituted", ri_restrict); CASCADE deletes the
 * referencing rows, whose own removal queues their checks; SET NULL nulls the
 * referencing column. */
static int check_ref_row(store_t *s, store_table_t *pt, store_row_t *old, bool deleted,
                         const store_env_t *env, pgrst_error_t *err)
{
    for (size_t ti = 0; ti < s->ntables; ti++) {
        store_table_t *t = s->tables[ti];
        if (!t->has_fk)
            continue;
        for (size_t i = 0; i < t->ncols; i++) {
            if (t->ref_table[i] != pt)
                continue;
            size_t pc = t->ref_col[i];
            const pgvalue_t *key = &old->values[pc];
            if (key->is_null)
                continue;
            store_fk_action_t action = deleted ? t->cols[i].on_delete : STORE_FK_NO_ACTION;
            if (action == STORE_FK_NO_ACTION && store_index_lookup(pt, pc, key))
                continue; /* the key is present again */
            store_row_t *hit = find_referencing(t, i, key);
            if (action == STORE_FK_CASCADE || action == STORE_FK_SET_NULL) {
                /* Each step removes hit from the rows matching key. */
                for (; hit; hit = find_referencing(t, i, key)) {
                    int rc = action == STORE_FK_CASCADE ? store_delete(s, t, hit, env, err)
                                                        : set_null(s, t, hit, i, env, err);
                    if (rc < 0)
                        return -1;
                }
                continue;
            }
            if (!hit)
                continue;
            pgrst_error_setf(err, "23503",
                             "update or delete on table \"%s\" violates foreign key constraint "
                             "\"%s\" on table \"%s\"",
                             pt->name, t->cols[i].fk_constraint, t->name);
            if (env && env->hide_row_details) {
                pgrst_error_detailsf(err, "Key is still referenced from table \"%s\".", t->name);
            } else {
                buf_t v;
                buf_init(&v);
                pgvalue_render_text(&pt->cols[pc].type, key, &v);
                pgrst_error_detailsf(err, "Key (%s)=(%s) is still referenced from table \"%s\".",
                                     pt->cols[pc].name, buf_cstr(&v), t->name);
                buf_dispose(&v);
            }
            return -1;
        }
        for (size_t x = 0; x < t->nfkeys; x++)
            if (t->fkeys[x].ncols > 1 && t->fkeys[x].ref == pt &&
                check_composite_ref(s, t, &t->fkeys[x], old, deleted, env, err) < 0)
                return -1;
    }
    return 0;
}

int store_end_statement(store_t *s, const store_env_t *env, pgrst_error_t *err)
{
    int rc = 0;
    for (size_t i = 0; i < s->npending && rc == 0; i++) {
        /* A copy: actions may queue more checks, which can move s->pending;
         * they run in this same loop, as Postgres fires the RI triggers that
         * cascaded deletes queue before the statement ends. */
        pending_t p = s->pending[i];
        if (p.kind == PENDING_FK_CHECK)
            rc = check_fk_row(p.table, p.row, env, err);
        else
            rc = check_ref_row(s, p.table, p.row, p.kind == PENDING_DEL_CHECK, env, err);
    }
    s->npending = 0;
    free_removed_rows(s);
    return rc;
}

int store_find_conflict(const store_table_t *t, const size_t *cols, size_t n,
                        const pgvalue_t *values, store_row_t **out, pgrst_error_t *err)
{
    *out = NULL;
    for (size_t x = 0; x < t->nindexes; x++) {
        const uindex_t *ix = &t->indexes[x];
        if (ix->ncols != n)
            continue;
        bool same = true;
        for (size_t k = 0; k < n && same; k++) {
            bool found = false;
            for (size_t m = 0; m < n; m++)
                if (cols[m] == ix->cols[k])
                    found = true;
            same = found;
        }
        if (!same)
            continue;
        const pgvalue_t *keys[INDEX_MAX_KEYS];
        if (row_keys(ix, values, keys))
            *out = ix_find(t, ix, keys, NULL);
        return 0;
    }
    return pgrst_error_setf(err, "42P10",
                            "there is no unique or exclusion constraint matching "
                            "the ON CONFLICT specification");
}
