/* Partition bounds and routing (see store_partition.h). Bounds are few (a
 * scenario's partitions), so routing tries each in turn. */
#include "store_partition.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct bound {
    char *name;
    bool is_default;
    pgvalue_t *list; /* LIST: nlist values of the key column (NULL allowed) */
    size_t nlist;
    pgvalue_t *from, *to;   /* RANGE: nkey values each */
    int *from_inf, *to_inf; /* per key column: -1 MINVALUE, 1 MAXVALUE, 0 the value */
} bound_t;

struct store_partitioning {
    bool range;
    size_t nkey;
    size_t *key;
    pgtype_t *types;
    bound_t *parts;
    size_t nparts;
};

store_partitioning_t *store_partitioning_new(bool range, const size_t *key_cols,
                                             const pgtype_t *key_types, size_t nkey)
{
    store_partitioning_t *p = xcalloc(1, sizeof *p);
    p->range = range;
    p->nkey = nkey;
    p->key = xcalloc(nkey, sizeof *p->key);
    p->types = xcalloc(nkey, sizeof *p->types);
    memcpy(p->key, key_cols, nkey * sizeof *p->key);
    memcpy(p->types, key_types, nkey * sizeof *p->types);
    return p;
}

static void values_free(pgvalue_t *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        pgvalue_dispose(&v[i]);
    free(v);
}

static void bound_dispose(bound_t *b, size_t nkey)
{
    free(b->name);
    values_free(b->list, b->nlist);
    values_free(b->from, b->from ? nkey : 0);
    values_free(b->to, b->to ? nkey : 0);
    free(b->from_inf);
    free(b->to_inf);
}

void store_partitioning_free(store_partitioning_t *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nparts; i++)
        bound_dispose(&p->parts[i], p->nkey);
    free(p->parts);
    free(p->key);
    free(p->types);
    free(p);
}

/* One range bound (FROM or TO): a value of each key column's type, or
 * MINVALUE / MAXVALUE. */
static int range_bound(const store_partitioning_t *p, const cJSON *j, pgvalue_t **vals, int **inf,
                       pgrst_error_t *err)
{
    if (!cJSON_IsArray(j) || (size_t)cJSON_GetArraySize(j) != p->nkey)
        return pgrst_error_setf(err, "42P16", "invalid bound specification for a range partition");
    *vals = xcalloc(p->nkey, sizeof **vals);
    *inf = xcalloc(p->nkey, sizeof **inf);
    for (size_t k = 0; k < p->nkey; k++)
        pgvalue_init_null(&(*vals)[k]);
    size_t k = 0;
    for (const cJSON *e = j->child; e; e = e->next, k++) {
        if (cJSON_IsBool(e)) {
            (*inf)[k] = cJSON_IsTrue(e) ? 1 : -1;
            continue;
        }
        if (cJSON_IsNull(e))
            return pgrst_error_setf(err, "22004", "cannot specify NULL in range bound");
        if (pgvalue_from_json(&p->types[k], e, &(*vals)[k], err) < 0)
            return -1;
    }
    return 0;
}

int store_partitioning_add(store_partitioning_t *p, const char *name, bool is_default,
                           const cJSON *values, const cJSON *from, const cJSON *to,
                           pgrst_error_t *err)
{
    bound_t b = {.name = xstrdup(name), .is_default = is_default};
    if (is_default) {
        /* takes what no other bound takes */
    } else if (!p->range && cJSON_IsArray(values)) {
        b.nlist = (size_t)cJSON_GetArraySize(values);
        b.list = xcalloc(b.nlist ? b.nlist : 1, sizeof *b.list);
        size_t i = 0;
        for (const cJSON *e = values->child; e; e = e->next, i++)
            if (pgvalue_from_json(&p->types[0], e, &b.list[i], err) < 0) {
                bound_dispose(&b, p->nkey);
                return -1;
            }
    } else if (p->range && from && to) {
        if (range_bound(p, from, &b.from, &b.from_inf, err) < 0 ||
            range_bound(p, to, &b.to, &b.to_inf, err) < 0) {
            bound_dispose(&b, p->nkey);
            return -1;
        }
    } else {
        bound_dispose(&b, p->nkey);
        return pgrst_error_setf(err, "42P16", "invalid bound specification for a %s partition",
                                p->range ? "range" : "list");
    }
    p->parts = xrealloc(p->parts, (p->nparts + 1) * sizeof *p->parts);
    p->parts[p->nparts++] = b;
    return 0;
}

/* A row's key against a range bound (partition_rbound_cmp): <0, 0, >0. A
 * MINVALUE column is below every value and ends the comparison, MAXVALUE
 * above. */
static int cmp_bound(const store_partitioning_t *p, const pgvalue_t *row, const pgvalue_t *b,
                     const int *inf)
{
    for (size_t k = 0; k < p->nkey; k++) {
        if (inf[k])
            return -inf[k];
        int c = pgvalue_compare(&p->types[k], &row[p->key[k]], &b[k]);
        if (c)
            return c;
    }
    return 0;
}

static bool takes(const store_partitioning_t *p, const bound_t *b, const pgvalue_t *row)
{
    if (!p->range) {
        const pgvalue_t *v = &row[p->key[0]];
        for (size_t i = 0; i < b->nlist; i++) {
            if (v->is_null || b->list[i].is_null) {
                if (v->is_null && b->list[i].is_null)
                    return true;
                continue;
            }
            if (pgvalue_compare(&p->types[0], v, &b->list[i]) == 0)
                return true;
        }
        return false;
    }
    /* A range key with a NULL in it goes to the default partition only. */
    for (size_t k = 0; k < p->nkey; k++)
        if (row[p->key[k]].is_null)
            return false;
    return cmp_bound(p, row, b->from, b->from_inf) >= 0 && cmp_bound(p, row, b->to, b->to_inf) < 0;
}

int store_partitioning_route(const store_partitioning_t *p, const pgvalue_t *values)
{
    int fallback = -1;
    for (size_t i = 0; i < p->nparts; i++) {
        if (p->parts[i].is_default)
            fallback = (int)i;
        else if (takes(p, &p->parts[i], values))
            return (int)i;
    }
    return fallback;
}

const size_t *store_partitioning_key(const store_partitioning_t *p, size_t *n)
{
    *n = p->nkey;
    return p->key;
}
