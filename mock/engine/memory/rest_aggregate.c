/* Aggregates over projected rows (see rest_aggregate.h). Integer and numeric
 * sums are exact in 128 bits (a numeric as an integer scaled by 10^dscale);
 * beyond that the statement fails with 22003 rather than round. Groups are
 * found by a linear search charged to the statement's work. */
#include "rest_aggregate.h"

#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef __int128 i128;

typedef struct agg_state {
    int64_t count;  /* non-null inputs (count(): rows) */
    i128 sum;       /* integers; numerics scaled by 10^scale */
    int scale;      /* numeric: the largest dscale seen */
    double fsum;    /* floats */
    pgvalue_t best; /* min/max so far */
} agg_state_t;

typedef struct group {
    pgvalue_t *keys;   /* per cell; unused at aggregate positions */
    agg_state_t *aggs; /* per cell; unused at key positions */
} group_t;

struct rest_groups {
    const rest_plan_t *plan;
    mock_work_t *work;
    size_t n;               /* cells per row (0 until the first row) */
    const char **keys;      /* per cell */
    const pgtype_t **types; /* per cell: the input's (the row's) type */
    group_t *groups;
    size_t count, cap;
    render_cell_t *out;
    pgvalue_t *vals;
    /* rest_groups_set_layout's, else NULL (the plan's outputs) */
    const char *const *lkeys;
    const pgtype_t *const *ltypes;
    const rest_agg_spec_t *const *specs;
    size_t ln;
};

static const pgtype_t numeric_type = {.kind = PGTYPE_NUMERIC, .length = -1};

static const rest_agg_spec_t *agg_at(const rest_groups_t *g, size_t i)
{
    if (g->specs)
        return i < g->ln ? g->specs[i] : NULL;
    return i < g->plan->out_count ? rest_plan_out_agg(g->plan, i) : NULL;
}

void rest_groups_set_layout(rest_groups_t *g, const char *const *keys, const pgtype_t *const *types,
                            const rest_agg_spec_t *const *specs, size_t n)
{
    g->lkeys = keys;
    g->ltypes = types;
    g->specs = specs;
    g->ln = n;
}

/* Cells per row before any row is seen. */
static size_t shape_width(const rest_groups_t *g)
{
    return g->specs ? g->ln : g->plan->out_count;
}

rest_groups_t *rest_groups_new(const rest_plan_t *plan, mock_work_t *work)
{
    rest_groups_t *g = xcalloc(1, sizeof *g);
    g->plan = plan;
    g->work = work;
    return g;
}

static void group_init(rest_groups_t *g, group_t *gr)
{
    gr->keys = xcalloc(g->n ? g->n : 1, sizeof *gr->keys);
    gr->aggs = xcalloc(g->n ? g->n : 1, sizeof *gr->aggs);
    for (size_t i = 0; i < g->n; i++) {
        pgvalue_init_null(&gr->keys[i]);
        pgvalue_init_null(&gr->aggs[i].best);
    }
}

static void set_shape(rest_groups_t *g, const render_cell_t *cells, size_t n)
{
    g->n = n;
    g->keys = xcalloc(n ? n : 1, sizeof *g->keys);
    g->types = xcalloc(n ? n : 1, sizeof *g->types);
    for (size_t i = 0; i < n; i++) {
        g->keys[i] = cells ? cells[i].key : g->specs ? g->lkeys[i] : rest_plan_out_key(g->plan, i);
        g->types[i] = cells      ? cells[i].type
                      : g->specs ? g->ltypes[i]
                                 : rest_plan_out_type(g->plan, i);
    }
    g->out = xcalloc(n ? n : 1, sizeof *g->out);
    g->vals = xcalloc(n ? n : 1, sizeof *g->vals);
    for (size_t i = 0; i < n; i++)
        pgvalue_init_null(&g->vals[i]);
}

/* GROUP BY equality: NULLs group together. */
static bool same_key(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    if (a->is_null || b->is_null)
        return a->is_null && b->is_null;
    return pgvalue_compare(t, a, b) == 0;
}

/* A numeric's canonical text as an integer scaled by 10^*scale; false when
 * it is not a finite number that fits. */
static bool numeric_parse(const char *s, i128 *out, int *scale)
{
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    i128 v = 0;
    int sc = 0, digits = 0;
    bool point = false, any = false;
    for (; *s; s++) {
        if (*s == '.' && !point) {
            point = true;
            continue;
        }
        if (*s < '0' || *s > '9')
            return false;
        if (++digits > 36)
            return false;
        v = v * 10 + (*s - '0');
        any = true;
        sc += point;
    }
    if (!any)
        return false;
    *out = neg ? -v : v;
    *scale = sc;
    return true;
}

static bool rescale(i128 *v, int from, int to)
{
    for (int k = from; k < to; k++) {
        if (*v > (i128)1e36 || *v < -(i128)1e36)
            return false;
        *v *= 10;
    }
    return true;
}

static int overflow(pgrst_error_t *err, const pgtype_t *t)
{
    if (t->kind == PGTYPE_INT8)
        return pgrst_error_setf(err, "22003", "bigint out of range");
    return pgrst_error_setf(err, "22003", "value overflows numeric format");
}

static int fold(rest_groups_t *g, const rest_agg_spec_t *a, agg_state_t *st, const pgvalue_t *v,
                pgrst_error_t *err)
{
    if (v->is_null)
        return 0;
    st->count++;
    const pgtype_t *t = &a->in_type;
    if (strcmp(a->fn, "count") == 0)
        return 0;
    if (strcmp(a->fn, "min") == 0 || strcmp(a->fn, "max") == 0) {
        int c = st->best.is_null ? 0 : pgvalue_compare(t, v, &st->best);
        if (st->best.is_null || (a->fn[1] == 'i' ? c < 0 : c > 0)) {
            pgvalue_dispose(&st->best);
            pgvalue_copy(&st->best, v);
        }
        return 0;
    }
    (void)g;
    switch (t->kind) {
    case PGTYPE_INT2:
    case PGTYPE_INT4:
    case PGTYPE_INT8:
        st->sum += v->i;
        if (st->sum > (i128)1e36 || st->sum < -(i128)1e36)
            return overflow(err, &a->result_type);
        return 0;
    case PGTYPE_FLOAT4:
    case PGTYPE_FLOAT8:
        st->fsum += v->f;
        return 0;
    case PGTYPE_NUMERIC: {
        i128 x;
        int sc;
        if (!v->s || !numeric_parse(v->s, &x, &sc))
            return overflow(err, &numeric_type);
        if (sc > st->scale) {
            if (!rescale(&st->sum, st->scale, sc))
                return overflow(err, &numeric_type);
            st->scale = sc;
        } else if (!rescale(&x, sc, st->scale)) {
            return overflow(err, &numeric_type);
        }
        st->sum += x;
        if (st->sum > (i128)1e36 || st->sum < -(i128)1e36)
            return overflow(err, &numeric_type);
        return 0;
    }
    default:
        return 0;
    }
}

int rest_groups_add(rest_groups_t *g, const render_cell_t *cells, size_t n, pgrst_error_t *err)
{
    if (!g->keys)
        set_shape(g, cells, n);
    if (n != g->n)
        return pgrst_error_setf(err, "XX000", "aggregate rows of different shapes");
    size_t hit = g->count;
    for (size_t k = 0; k < g->count && hit == g->count; k++) {
        if (g->work && !mock_work_charge(g->work, 1 + n / 4))
            return 0; /* the statement is over; the caller reports it */
        bool same = true;
        for (size_t i = 0; i < n && same; i++)
            if (!agg_at(g, i)) {
                const pgvalue_t *x = &g->groups[k].keys[i], *y = cells[i].value;
                /* a jsonb key compares by parsing both: a step per 64 bytes */
                if (g->work && g->types[i]->kind == PGTYPE_JSONB && !g->types[i]->is_array &&
                    !x->is_null && !y->is_null &&
                    !mock_work_charge(g->work, (strlen(x->s) + strlen(y->s)) / 64))
                    return 0; /* the statement is over; the caller reports it */
                same = same_key(g->types[i], x, y);
            }
        if (same)
            hit = k;
    }
    if (hit == g->count) {
        if (g->count == g->cap) {
            g->cap = g->cap ? 2 * g->cap : 8;
            g->groups = xrealloc(g->groups, g->cap * sizeof *g->groups);
        }
        group_init(g, &g->groups[g->count]);
        for (size_t i = 0; i < n; i++)
            if (!agg_at(g, i))
                pgvalue_copy(&g->groups[g->count].keys[i], cells[i].value);
        g->count++;
    }
    group_t *gr = &g->groups[hit];
    for (size_t i = 0; i < n; i++) {
        const rest_agg_spec_t *a = agg_at(g, i);
        if (a && fold(g, a, &gr->aggs[i], cells[i].value, err) < 0)
            return -1;
    }
    return 0;
}

size_t rest_groups_count(const rest_groups_t *g)
{
    if (g->count)
        return g->count;
    /* No rows: one row when nothing is grouped (an aggregate without GROUP
     * BY), none otherwise. */
    size_t n = g->keys ? g->n : shape_width(g);
    for (size_t i = 0; i < n; i++)
        if (!agg_at(g, i))
            return 0;
    return 1;
}

/* The NBASE (10000) weight and first digit of |v| scaled by 10^scale, as
 * select_div_scale reads them off a NumericVar; 0 and 0 for zero. */
static void nbase_lead(i128 v, int scale, int *weight, int *first)
{
    char digits[64];
    if (v < 0)
        v = -v;
    int len = 0;
    char rev[64];
    do {
        rev[len++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    while (len <= scale)
        rev[len++] = '0';
    for (int i = 0; i < len; i++)
        digits[i] = rev[len - 1 - i];
    int ilen = len - scale; /* integer digits */
    int ipad = (4 - ilen % 4) % 4, fpad = (4 - scale % 4) % 4;
    char all[80];
    int n = 0;
    for (int i = 0; i < ipad; i++)
        all[n++] = '0';
    memcpy(all + n, digits, (size_t)len);
    n += len;
    for (int i = 0; i < fpad; i++)
        all[n++] = '0';
    int igroups = (ilen + ipad) / 4;
    *weight = 0;
    *first = 0;
    for (int k = 0; k * 4 < n; k++) {
        int d = (all[4 * k] - '0') * 1000 + (all[4 * k + 1] - '0') * 100 +
                (all[4 * k + 2] - '0') * 10 + (all[4 * k + 3] - '0');
        if (d) {
            *weight = igroups - 1 - k;
            *first = d;
            return;
        }
    }
}

/* numeric_avg: sum / count as numeric_div rounds it, at select_div_scale's
 * scale (NUMERIC_MIN_SIG_DIGITS 16 significant digits at least). */
static void numeric_avg(i128 sum, int scale, int64_t count, buf_t *out)
{
    int w1, f1, w2, f2;
    nbase_lead(sum, scale, &w1, &f1);
    nbase_lead(count, 0, &w2, &f2);
    int qweight = w1 - w2;
    if (f1 <= f2)
        qweight--;
    int rscale = 16 - qweight * 4;
    if (rscale < scale)
        rscale = scale;
    if (rscale < 0)
        rscale = 0;
    if (rscale > 1000)
        rscale = 1000;
    bool neg = sum < 0;
    i128 a = neg ? -sum : sum;
    i128 q = a / count, r = a % count;
    /* q at `scale`, then rscale - scale more digits and one to round on */
    buf_t d;
    buf_init(&d);
    char rev[64];
    int len = 0;
    do {
        rev[len++] = (char)('0' + (int)(q % 10));
        q /= 10;
    } while (q);
    while (len--)
        buf_putc(&d, rev[len]);
    for (int k = 0; k <= rscale - scale; k++) {
        r *= 10;
        buf_putc(&d, (char)('0' + (int)(r / count)));
        r %= count;
    }
    /* round half away from zero on the last digit */
    char *s = d.data;
    size_t n = d.len - 1;
    bool up = s[n] >= '5';
    s[n] = '\0';
    d.len = n;
    for (size_t i = n; up && i-- > 0;) {
        if (s[i] == '9') {
            s[i] = '0';
        } else {
            s[i]++;
            up = false;
        }
    }
    buf_t res;
    buf_init(&res);
    if (up)
        buf_putc(&res, '1');
    buf_puts(&res, s);
    buf_dispose(&d);
    /* res holds the digits of |avg| * 10^rscale */
    const char *t = buf_cstr(&res);
    size_t tl = res.len;
    bool zero = strspn(t, "0") == tl;
    if (neg && !zero)
        buf_putc(out, '-');
    if (tl <= (size_t)rscale) {
        buf_putc(out, '0');
        if (rscale) {
            buf_putc(out, '.');
            for (size_t i = tl; i < (size_t)rscale; i++)
                buf_putc(out, '0');
            buf_puts(out, t);
        }
    } else {
        size_t ip = tl - (size_t)rscale;
        size_t lead = 0;
        while (lead + 1 < ip && t[lead] == '0')
            lead++;
        for (size_t i = lead; i < ip; i++)
            buf_putc(out, t[i]);
        if (rscale) {
            buf_putc(out, '.');
            buf_puts(out, t + ip);
        }
    }
    buf_dispose(&res);
}

static void put_i128(buf_t *b, i128 v, int scale)
{
    bool neg = v < 0;
    if (neg)
        v = -v;
    char rev[64];
    int len = 0;
    do {
        rev[len++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    while (len <= scale)
        rev[len++] = '0';
    if (neg)
        buf_putc(b, '-');
    for (int i = len - 1; i >= 0; i--) {
        buf_putc(b, rev[i]);
        if (i == scale && scale)
            buf_putc(b, '.');
    }
}

/* The aggregate's value (result_type) into *v. */
static int finish(const rest_agg_spec_t *a, const agg_state_t *st, pgvalue_t *v, pgrst_error_t *err)
{
    pgvalue_init_null(v);
    if (strcmp(a->fn, "count") == 0) {
        v->is_null = false;
        v->i = st->count;
        return 0;
    }
    if (!st->count)
        return 0;
    if (strcmp(a->fn, "min") == 0 || strcmp(a->fn, "max") == 0) {
        pgvalue_copy(v, &st->best);
        return 0;
    }
    const pgtype_t *rt = &a->result_type;
    bool avg = strcmp(a->fn, "avg") == 0;
    if (rt->kind == PGTYPE_FLOAT4 || rt->kind == PGTYPE_FLOAT8) {
        v->is_null = false;
        double x = avg ? st->fsum / (double)st->count : st->fsum;
        v->f = rt->kind == PGTYPE_FLOAT4 ? (double)(float)x : x;
        return 0;
    }
    if (rt->kind == PGTYPE_INT8) {
        if (st->sum > INT64_MAX || st->sum < INT64_MIN)
            return overflow(err, rt);
        v->is_null = false;
        v->i = (int64_t)st->sum;
        return 0;
    }
    buf_t text;
    buf_init(&text);
    if (avg)
        numeric_avg(st->sum, st->scale, st->count, &text);
    else
        put_i128(&text, st->sum, st->scale);
    int rc = pgvalue_from_text(&numeric_type, buf_cstr(&text), text.len, v, err);
    buf_dispose(&text);
    return rc;
}

int rest_groups_row(rest_groups_t *g, size_t i, const render_cell_t **cells, pgrst_error_t *err)
{
    if (!g->keys)
        set_shape(g, NULL, shape_width(g));
    group_t empty = {0};
    group_t *gr = i < g->count ? &g->groups[i] : &empty;
    if (gr == &empty)
        group_init(g, &empty);
    int rc = (int)g->n;
    for (size_t k = 0; k < g->n; k++) {
        pgvalue_dispose(&g->vals[k]);
        pgvalue_init_null(&g->vals[k]);
        const rest_agg_spec_t *a = agg_at(g, k);
        g->out[k].key = g->keys[k];
        if (!a) {
            g->out[k].type = g->types[k];
            pgvalue_copy(&g->vals[k], &gr->keys[k]);
        } else {
            g->out[k].type = a->cast ? &a->cast_type : &a->result_type;
            if (finish(a, &gr->aggs[k], &g->vals[k], err) < 0) {
                rc = -1;
                break;
            }
            if (a->cast && !g->vals[k].is_null) {
                /* through the text form, as the select's casts */
                buf_t text;
                buf_init(&text);
                pgvalue_render_text(&a->result_type, &g->vals[k], &text);
                pgvalue_t cast;
                int crc = pgvalue_from_text(&a->cast_type, buf_cstr(&text), text.len, &cast, err);
                buf_dispose(&text);
                if (crc < 0) {
                    rc = -1;
                    break;
                }
                pgvalue_dispose(&g->vals[k]);
                g->vals[k] = cast;
            }
        }
        g->out[k].value = &g->vals[k];
    }
    if (gr == &empty) {
        for (size_t k = 0; k < g->n; k++) {
            pgvalue_dispose(&empty.keys[k]);
            pgvalue_dispose(&empty.aggs[k].best);
        }
        free(empty.keys);
        free(empty.aggs);
    }
    *cells = g->out;
    return rc;
}

void rest_groups_free(rest_groups_t *g)
{
    if (!g)
        return;
    for (size_t k = 0; k < g->count; k++) {
        for (size_t i = 0; i < g->n; i++) {
            pgvalue_dispose(&g->groups[k].keys[i]);
            pgvalue_dispose(&g->groups[k].aggs[i].best);
        }
        free(g->groups[k].keys);
        free(g->groups[k].aggs);
    }
    free(g->groups);
    for (size_t i = 0; i < g->n; i++)
        pgvalue_dispose(&g->vals[i]);
    free(g->vals);
    free(g->out);
    free(g->keys);
    free(g->types);
    free(g);
}
