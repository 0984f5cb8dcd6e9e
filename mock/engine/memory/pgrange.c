/* Range values as rangetypes.c reads, writes, orders and compares them. The
 * bounds are values of the element type, read and written by pgtype's own
 * input and output functions; multiranges are not modelled. */
#include "pgrange.h"

#include "buf.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool pgrange_is_range(const pgtype_t *t)
{
    switch (t->kind) {
    case PGTYPE_INT4RANGE:
    case PGTYPE_INT8RANGE:
    case PGTYPE_NUMRANGE:
    case PGTYPE_DATERANGE:
    case PGTYPE_TSRANGE:
    case PGTYPE_TSTZRANGE:
        return !t->is_array;
    default:
        return false;
    }
}

pgtype_t pgrange_element(const pgtype_t *t)
{
    pgtype_t e = {.kind = PGTYPE_INT4, .length = -1};
    switch (t->kind) {
    case PGTYPE_INT8RANGE:
        e.kind = PGTYPE_INT8;
        break;
    case PGTYPE_NUMRANGE:
        e.kind = PGTYPE_NUMERIC;
        break;
    case PGTYPE_DATERANGE:
        e.kind = PGTYPE_DATE;
        break;
    case PGTYPE_TSRANGE:
        e.kind = PGTYPE_TIMESTAMP;
        break;
    case PGTYPE_TSTZRANGE:
        e.kind = PGTYPE_TIMESTAMPTZ;
        break;
    default:
        break;
    }
    return e;
}

static int malformed(pgrst_error_t *err, const char *s, const char *detail)
{
    pgrst_error_setf(err, "22P02", "malformed range literal: \"%s\"", s);
    pgrst_error_detailsf(err, "%s", detail);
    return -1;
}

/* range_parse_bound: the bound's text (heap) or NULL when infinite; *at
 * moves past it. -1 on a literal that ends inside the bound. */
static int parse_bound(const char *s, const char **at, char **out, pgrst_error_t *err)
{
    const char *p = *at;
    *out = NULL;
    if (*p == ',' || *p == ')' || *p == ']')
        return 0;
    buf_t b;
    buf_init(&b);
    bool inquote = false;
    while (inquote || !(*p == ',' || *p == ')' || *p == ']')) {
        char ch = *p++;
        if (ch == '\0') {
            buf_dispose(&b);
            return malformed(err, s, "Unexpected end of input.");
        }
        if (ch == '\\') {
            if (*p == '\0') {
                buf_dispose(&b);
                return malformed(err, s, "Unexpected end of input.");
            }
            buf_putc(&b, *p++);
        } else if (ch == '"') {
            if (!inquote)
                inquote = true;
            else if (*p == '"')
                buf_putc(&b, *p++);
            else
                inquote = false;
        } else {
            buf_putc(&b, ch);
        }
    }
    *at = p;
    *out = b.data ? buf_steal(&b) : xstrdup("");
    buf_dispose(&b);
    return 0;
}

typedef struct bound {
    const pgvalue_t *val;
    bool infinite, inclusive, lower;
} bound_t;

static bound_t lower_of(const pgvalue_t *r)
{
    return (bound_t){r->nelems ? &r->elems[0] : NULL, (r->i & PGRANGE_LB_INF) != 0,
                     (r->i & PGRANGE_LB_INC) != 0, true};
}

static bound_t upper_of(const pgvalue_t *r)
{
    return (bound_t){r->nelems ? &r->elems[1] : NULL, (r->i & PGRANGE_UB_INF) != 0,
                     (r->i & PGRANGE_UB_INC) != 0, false};
}

/* range_cmp_bounds */
static int cmp_bounds(const pgtype_t *et, bound_t b1, bound_t b2)
{
    if (b1.infinite && b2.infinite) {
        if (b1.lower == b2.lower)
            return 0;
        return b1.lower ? -1 : 1;
    }
    if (b1.infinite)
        return b1.lower ? -1 : 1;
    if (b2.infinite)
        return b2.lower ? 1 : -1;
    int r = pgvalue_compare(et, b1.val, b2.val);
    if (r == 0) {
        if (!b1.inclusive && !b2.inclusive) {
            if (b1.lower == b2.lower)
                return 0;
            return b1.lower ? 1 : -1;
        }
        if (!b1.inclusive)
            return b1.lower ? 1 : -1;
        if (!b2.inclusive)
            return b2.lower ? -1 : 1;
    }
    return r;
}

/* range_bound_escape */
static void put_bound(const pgtype_t *et, const pgvalue_t *v, buf_t *out)
{
    buf_t t;
    buf_init(&t);
    pgvalue_render_text(et, v, &t);
    const char *s = buf_cstr(&t);
    bool quote = !*s;
    for (const char *p = s; *p && !quote; p++)
        quote = *p == '"' || *p == '\\' || *p == '(' || *p == ')' || *p == '[' || *p == ']' ||
                *p == ',' || isspace((unsigned char)*p);
    if (quote)
        buf_putc(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_putc(out, *p);
        buf_putc(out, *p);
    }
    if (quote)
        buf_putc(out, '"');
    buf_dispose(&t);
}

static void set_empty(pgvalue_t *out)
{
    memset(out, 0, sizeof *out);
    out->i = PGRANGE_EMPTY;
    out->s = xstrdup("empty");
}

/* The discrete types' successor of a bound value (int4range_canonical and
 * friends): -1 with 22003 when it overflows. */
static int successor(const pgtype_t *et, pgvalue_t *v, pgrst_error_t *err)
{
    switch (et->kind) {
    case PGTYPE_INT4:
        if (v->i >= INT32_MAX)
            return pgrst_error_setf(err, "22003", "integer out of range");
        v->i++;
        return 0;
    case PGTYPE_INT8:
        if (v->i >= INT64_MAX)
            return pgrst_error_setf(err, "22003", "bigint out of range");
        v->i++;
        return 0;
    case PGTYPE_DATE:
        v->i++;
        return 0;
    default:
        return 0;
    }
}

static bool discrete(const pgtype_t *t)
{
    return t->kind == PGTYPE_INT4RANGE || t->kind == PGTYPE_INT8RANGE ||
           t->kind == PGTYPE_DATERANGE;
}

int pgrange_from_text(const pgtype_t *t, const char *s, pgvalue_t *out, pgrst_error_t *err)
{
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    if (strncasecmp(p, "empty", 5) == 0) {
        p += 5;
        while (isspace((unsigned char)*p))
            p++;
        if (*p)
            return malformed(err, s, "Junk after right parenthesis or bracket.");
        set_empty(out);
        return 0;
    }
    int64_t flags = 0;
    if (*p == '[')
        flags |= PGRANGE_LB_INC;
    else if (*p != '(')
        return malformed(err, s, "Missing left parenthesis or bracket.");
    p++;
    char *lo = NULL, *hi = NULL;
    if (parse_bound(s, &p, &lo, err) < 0)
        return -1;
    if (*p != ',') {
        free(lo);
        return malformed(err, s, "Missing comma after lower bound.");
    }
    p++;
    if (parse_bound(s, &p, &hi, err) < 0) {
        free(lo);
        return -1;
    }
    if (*p == ']')
        flags |= PGRANGE_UB_INC;
    else if (*p != ')') {
        free(lo);
        free(hi);
        return malformed(err, s, "Too many commas.");
    }
    p++;
    while (isspace((unsigned char)*p))
        p++;
    if (*p) {
        free(lo);
        free(hi);
        return malformed(err, s, "Junk after right parenthesis or bracket.");
    }
    pgtype_t et = pgrange_element(t);
    pgvalue_t *b = xcalloc(2, sizeof *b);
    pgvalue_init_null(&b[0]);
    pgvalue_init_null(&b[1]);
    int rc = 0;
    if (lo)
        rc = pgvalue_from_text(&et, lo, strlen(lo), &b[0], err);
    else
        flags = (flags | PGRANGE_LB_INF) & ~(int64_t)PGRANGE_LB_INC;
    if (rc == 0 && hi)
        rc = pgvalue_from_text(&et, hi, strlen(hi), &b[1], err);
    else if (!hi)
        flags = (flags | PGRANGE_UB_INF) & ~(int64_t)PGRANGE_UB_INC;
    free(lo);
    free(hi);
    pgvalue_t r = {.i = flags, .elems = b, .nelems = 2};
    if (rc < 0)
        goto fail;
    /* range_serialize: lower above upper fails; equal bounds not both
     * inclusive make the empty range. */
    bound_t lb = lower_of(&r), ub = upper_of(&r);
    if (!lb.infinite && !ub.infinite) {
        int c = pgvalue_compare(&et, lb.val, ub.val);
        if (c > 0) {
            pgrst_error_setf(err, "22000",
                             "range lower bound must be less than or equal to range upper bound");
            goto fail;
        }
        if (c == 0 && !(lb.inclusive && ub.inclusive)) {
            pgvalue_dispose(&r);
            set_empty(out);
            return 0;
        }
    }
    if (discrete(t)) {
        if (!(r.i & PGRANGE_LB_INF) && !(r.i & PGRANGE_LB_INC)) {
            if (successor(&et, &b[0], err) < 0)
                goto fail;
            r.i |= PGRANGE_LB_INC;
        }
        if (!(r.i & PGRANGE_UB_INF) && (r.i & PGRANGE_UB_INC)) {
            if (successor(&et, &b[1], err) < 0)
                goto fail;
            r.i &= ~(int64_t)PGRANGE_UB_INC;
        }
        if (!(r.i & (PGRANGE_LB_INF | PGRANGE_UB_INF)) && pgvalue_compare(&et, &b[0], &b[1]) == 0) {
            pgvalue_dispose(&r);
            set_empty(out);
            return 0;
        }
    }
    buf_t o;
    buf_init(&o);
    buf_putc(&o, (r.i & PGRANGE_LB_INC) ? '[' : '(');
    if (!(r.i & PGRANGE_LB_INF))
        put_bound(&et, &b[0], &o);
    buf_putc(&o, ',');
    if (!(r.i & PGRANGE_UB_INF))
        put_bound(&et, &b[1], &o);
    buf_putc(&o, (r.i & PGRANGE_UB_INC) ? ']' : ')');
    r.s = buf_steal(&o);
    *out = r;
    return 0;
fail:
    pgvalue_dispose(&r);
    return -1;
}

static bool is_empty(const pgvalue_t *r)
{
    return (r->i & PGRANGE_EMPTY) != 0;
}

int pgrange_compare(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    if (is_empty(a) && is_empty(b))
        return 0;
    if (is_empty(a))
        return -1;
    if (is_empty(b))
        return 1;
    pgtype_t et = pgrange_element(t);
    int c = cmp_bounds(&et, lower_of(a), lower_of(b));
    if (c)
        return c < 0 ? -1 : 1;
    c = cmp_bounds(&et, upper_of(a), upper_of(b));
    return c < 0 ? -1 : c > 0;
}

bool pgrange_before(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    if (is_empty(a) || is_empty(b))
        return false;
    pgtype_t et = pgrange_element(t);
    return cmp_bounds(&et, upper_of(a), lower_of(b)) < 0;
}

bool pgrange_after(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    if (is_empty(a) || is_empty(b))
        return false;
    pgtype_t et = pgrange_element(t);
    return cmp_bounds(&et, lower_of(a), upper_of(b)) > 0;
}

bool pgrange_overleft(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    if (is_empty(a) || is_empty(b))
        return false;
    pgtype_t et = pgrange_element(t);
    return cmp_bounds(&et, upper_of(a), upper_of(b)) <= 0;
}

bool pgrange_overright(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    if (is_empty(a) || is_empty(b))
        return false;
    pgtype_t et = pgrange_element(t);
    return cmp_bounds(&et, lower_of(a), lower_of(b)) >= 0;
}

/* bounds_adjacent: an upper bound and a lower bound with nothing between
 * them. Discrete ranges are canonical ([a,b)), so "nothing between" is only
 * the same value with one bound inclusive and the other not. */
static bool bounds_adjacent(const pgtype_t *et, bound_t upper, bound_t lower)
{
    if (upper.infinite || lower.infinite)
        return false;
    int c = pgvalue_compare(et, upper.val, lower.val);
    return c == 0 && upper.inclusive != lower.inclusive;
}

bool pgrange_adjacent(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    if (is_empty(a) || is_empty(b))
        return false;
    pgtype_t et = pgrange_element(t);
    return bounds_adjacent(&et, upper_of(a), lower_of(b)) ||
           bounds_adjacent(&et, upper_of(b), lower_of(a));
}

bool pgrange_overlaps(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    if (is_empty(a) || is_empty(b))
        return false;
    pgtype_t et = pgrange_element(t);
    if (cmp_bounds(&et, lower_of(a), lower_of(b)) >= 0 &&
        cmp_bounds(&et, lower_of(a), upper_of(b)) <= 0)
        return true;
    if (cmp_bounds(&et, lower_of(b), lower_of(a)) >= 0 &&
        cmp_bounds(&et, lower_of(b), upper_of(a)) <= 0)
        return true;
    return false;
}

bool pgrange_contains(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    if (is_empty(b))
        return true;
    if (is_empty(a))
        return false;
    pgtype_t et = pgrange_element(t);
    if (cmp_bounds(&et, lower_of(a), lower_of(b)) > 0)
        return false;
    if (cmp_bounds(&et, upper_of(a), upper_of(b)) < 0)
        return false;
    return true;
}
