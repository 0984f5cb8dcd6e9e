/* Aggregate states and final functions (sql_agg.h). Each state keeps its
 * argument values; the final step computes the result the way Postgres's
 * aggregate's final function would (int8 sums of int4, numeric sums of int8,
 * numeric averages at numeric_div's scale, ...). */
#include "sql_agg.h"

#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sql_agg_state {
    int64_t rows; /* count(*) */
    pgvalue_t *vals, *vals2;
    size_t n, cap;
};

sql_agg_state_t *sql_agg_states_new(const px_agg_t *aggs, size_t n)
{
    (void)aggs;
    return xcalloc(n ? n : 1, sizeof(sql_agg_state_t));
}

void sql_agg_states_free(const px_agg_t *aggs, size_t n, sql_agg_state_t *st)
{
    (void)aggs;
    if (!st)
        return;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < st[i].n; k++) {
            pgvalue_dispose(&st[i].vals[k]);
            if (st[i].vals2)
                pgvalue_dispose(&st[i].vals2[k]);
        }
        free(st[i].vals);
        free(st[i].vals2);
    }
    free(st);
}

int sql_agg_accumulate(const px_agg_t *aggs, size_t n, sql_agg_state_t *st, const ectx_t *x,
                       pgrst_error_t *err)
{
    for (size_t i = 0; i < n; i++) {
        sql_agg_state_t *s = &st[i];
        if (aggs[i].star) {
            s->rows++;
            continue;
        }
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 8;
            s->vals = xrealloc(s->vals, s->cap * sizeof *s->vals);
            if (aggs[i].arg2)
                s->vals2 = xrealloc(s->vals2, s->cap * sizeof *s->vals2);
        }
        if (px_eval(aggs[i].arg, x, &s->vals[s->n], err) < 0)
            return -1;
        if (aggs[i].arg2 && px_eval(aggs[i].arg2, x, &s->vals2[s->n], err) < 0) {
            pgvalue_dispose(&s->vals[s->n]);
            return -1;
        }
        s->n++;
    }
    return 0;
}

static bool same(const ptype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    if (a->is_null || b->is_null)
        return a->is_null && b->is_null;
    return px_compare(t, a, t, b) == 0;
}

/* DISTINCT: keeps the first of equal values (O(n^2) comparisons, charged). */
static int dedupe(const px_agg_t *a, sql_agg_state_t *s, mock_work_t *w, pgrst_error_t *err)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++) {
        bool dup = false;
        for (size_t j = 0; j < kept && !dup; j++) {
            if (!mock_work_charge(w, 1))
                return pgrst_error_setf(err, "57014",
                                        "canceling statement due to statement timeout");
            dup = same(&a->arg->type, &s->vals[j], &s->vals[i]);
        }
        if (dup) {
            pgvalue_dispose(&s->vals[i]);
            if (s->vals2)
                pgvalue_dispose(&s->vals2[i]);
        } else {
            s->vals[kept] = s->vals[i];
            if (s->vals2)
                s->vals2[kept] = s->vals2[i];
            kept++;
        }
    }
    s->n = kept;
    return 0;
}

static int num_scale(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

static void set_text(pgvalue_t *out, const char *s)
{
    pgvalue_init_null(out);
    out->is_null = false;
    out->s = xstrdup(s);
}

/* sum and avg over the non-null values. */
static int sum_avg(const px_agg_t *a, const sql_agg_state_t *s, pgvalue_t *out, pgrst_error_t *err)
{
    pgtype_kind_t k = a->arg->type.t.kind;
    size_t count = 0;
    __int128 isum = 0;
    long double nsum = 0;
    double fsum = 0;
    int scale = 0;
    for (size_t i = 0; i < s->n; i++) {
        const pgvalue_t *v = &s->vals[i];
        if (v->is_null)
            continue;
        count++;
        if (pgtype_kind_is_int(k))
            isum += v->i;
        else if (k == PGTYPE_FLOAT4 || k == PGTYPE_FLOAT8)
            fsum += v->f;
        else if (v->s) {
            nsum += strtold(v->s, NULL);
            if (num_scale(v->s) > scale)
                scale = num_scale(v->s);
        }
    }
    pgvalue_init_null(out);
    if (count == 0)
        return 0;
    bool avg = a->fn == PXA_AVG;
    if (k == PGTYPE_FLOAT4 || k == PGTYPE_FLOAT8) {
        out->is_null = false;
        out->f = avg ? fsum / (double)count : fsum;
        if (!avg && a->type.t.kind == PGTYPE_FLOAT4)
            out->f = (double)(float)out->f;
        return 0;
    }
    char sum_text[128];
    if (pgtype_kind_is_int(k)) {
        /* the exact integer sum as text */
        __int128 v = isum < 0 ? -isum : isum;
        char digits[64];
        int nd = 0;
        do {
            digits[nd++] = (char)('0' + (int)(v % 10));
            v /= 10;
        } while (v);
        int o = 0;
        if (isum < 0)
            sum_text[o++] = '-';
        while (nd)
            sum_text[o++] = digits[--nd];
        sum_text[o] = '\0';
        if (!avg && a->type.t.kind == PGTYPE_INT8) {
            if (isum > INT64_MAX || isum < INT64_MIN)
                return pgrst_error_setf(err, "22003", "bigint out of range");
            out->is_null = false;
            out->i = (int64_t)isum;
            return 0;
        }
        if (!avg) {
            set_text(out, sum_text);
            return 0;
        }
    } else {
        pgvalue_t t;
        if (px_numeric_text(nsum, scale, &t, err) < 0)
            return -1;
        snprintf(sum_text, sizeof sum_text, "%s", t.s);
        pgvalue_dispose(&t);
        if (!avg) {
            set_text(out, sum_text);
            return 0;
        }
    }
    char count_text[32];
    snprintf(count_text, sizeof count_text, "%zu", count);
    return px_numeric_div(sum_text, count_text, out, err);
}

static int finish_one(const px_agg_t *a, sql_agg_state_t *s, pgvalue_t *out, mock_work_t *w,
                      pgrst_error_t *err)
{
    pgvalue_init_null(out);
    if (a->distinct && !a->star && dedupe(a, s, w, err) < 0)
        return -1;
    if (!mock_work_charge(w, s->n + 1))
        return pgrst_error_setf(err, "57014", "canceling statement due to statement timeout");
    const ptype_t *t = a->arg ? &a->arg->type : NULL;
    switch (a->fn) {
    case PXA_COUNT: {
        int64_t c = a->star ? s->rows : 0;
        for (size_t i = 0; i < s->n; i++)
            c += !s->vals[i].is_null;
        out->is_null = false;
        out->i = c;
        return 0;
    }
    case PXA_SUM:
    case PXA_AVG:
        return sum_avg(a, s, out, err);
    case PXA_MIN:
    case PXA_MAX: {
        const pgvalue_t *best = NULL;
        for (size_t i = 0; i < s->n; i++) {
            const pgvalue_t *v = &s->vals[i];
            if (v->is_null)
                continue;
            int c = best ? px_compare(t, v, t, best) : 0;
            if (!best || (a->fn == PXA_MIN ? c < 0 : c > 0))
                best = v;
        }
        if (best)
            pgvalue_copy(out, best);
        return 0;
    }
    case PXA_BOOL_AND:
    case PXA_BOOL_OR: {
        bool any = false, acc = a->fn == PXA_BOOL_AND;
        for (size_t i = 0; i < s->n; i++) {
            if (s->vals[i].is_null)
                continue;
            any = true;
            acc = a->fn == PXA_BOOL_AND ? acc && s->vals[i].i : acc || s->vals[i].i;
        }
        if (any) {
            out->is_null = false;
            out->i = acc;
        }
        return 0;
    }
    case PXA_ARRAY_AGG:
        if (s->n == 0)
            return 0;
        out->is_null = false;
        out->nelems = s->n;
        out->elems = xcalloc(s->n, sizeof *out->elems);
        for (size_t i = 0; i < s->n; i++)
            pgvalue_copy(&out->elems[i], &s->vals[i]);
        return 0;
    case PXA_STRING_AGG: {
        buf_t b;
        buf_init(&b);
        bool any = false;
        for (size_t i = 0; i < s->n; i++) {
            if (s->vals[i].is_null)
                continue;
            if (any && !s->vals2[i].is_null)
                buf_puts(&b, s->vals2[i].s);
            buf_puts(&b, s->vals[i].s ? s->vals[i].s : "");
            any = true;
        }
        if (any)
            set_text(out, b.data ? b.data : "");
        buf_dispose(&b);
        return 0;
    }
    default: { /* json_agg, jsonb_agg */
        if (s->n == 0)
            return 0;
        buf_t b;
        buf_init(&b);
        buf_putc(&b, '[');
        ptype_t text = px_ptype_of(PGTYPE_TEXT);
        const pgtype_t *vt = t->special != SP_NONE ? &text.t : &t->t;
        for (size_t i = 0; i < s->n; i++) {
            if (i)
                buf_puts(&b, ", ");
            if (s->vals[i].is_null)
                buf_puts(&b, "null");
            else
                pgvalue_render_json(vt, &s->vals[i], &b);
        }
        buf_putc(&b, ']');
        int rc = 0;
        if (a->fn == PXA_JSON_AGG) {
            set_text(out, buf_cstr(&b));
        } else {
            rc = pgvalue_from_text(&a->type.t, b.data, b.len, out, err);
            if (rc < 0)
                pgvalue_init_null(out);
        }
        buf_dispose(&b);
        return rc;
    }
    }
}

int sql_agg_finish(const px_agg_t *aggs, size_t n, sql_agg_state_t *st, pgvalue_t **out,
                   mock_work_t *w, pgrst_error_t *err)
{
    pgvalue_t *v = xcalloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        if (finish_one(&aggs[i], &st[i], &v[i], w, err) < 0) {
            for (size_t j = 0; j < i; j++)
                pgvalue_dispose(&v[j]);
            free(v);
            return -1;
        }
    }
    *out = v;
    return 0;
}
