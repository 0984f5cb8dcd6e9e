/* Postgres column types: type-name parsing, the input functions (text and JSON,
 * with Postgres's exact error texts and SQLSTATEs), btree ordering and hashing,
 * and the two output formats (row_to_json and the text output used for CSV and
 * error details). Pure functions over pgvalue_t; no store, no I/O. Behaviour is
 * that of PostgreSQL 16/17 (Supabase's current majors) unless a comment says so. */
#include "pgtype.h"

#include "pgbytea.h"
#include "pgltree.h"
#include "pgrange.h"
#include "tsvector.h"
#include "pgtz.h"

#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* small helpers                                                             */
/* ------------------------------------------------------------------------ */

static bool is_pg_space(char c)
{
    /* scanner_isspace / isspace in the C locale */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool ieq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

static bool ieqn(const char *a, size_t an, const char *b)
{
    return strlen(b) == an && strncasecmp(a, b, an) == 0;
}

/* Number of UTF-8 characters in s[0..n) (continuation bytes are not counted). */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* Byte offset of the first `chars` characters of s[0..n). */
static size_t utf8_prefix_bytes(const char *s, size_t n, size_t chars)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (c == chars)
                return i;
            c++;
        }
    }
    return n;
}

static int invalid_syntax(pgrst_error_t *err, const char *type, const char *input)
{
    return pgrst_error_setf(err, "22P02", "invalid input syntax for type %s: \"%s\"", type, input);
}

static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t mix64(uint64_t x)
{
    /* splitmix64 finaliser */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

/* ------------------------------------------------------------------------ */
/* type names                                                                */
/* ------------------------------------------------------------------------ */

/* numeric(p,s) is kept in `length` as p << 16 | s; -1 means unconstrained. */
#define NUMERIC_TYPMOD(p, s) ((int32_t)(((p) << 16) | (s)))
#define NUMERIC_PREC(l)      ((int)((l) >> 16))
#define NUMERIC_SCALE(l)     ((int)((l)&0xFFFF))

/* Parses "(n)" or "(p,s)" at *p (after optional spaces); returns the number of
 * values read (0 when no parenthesis), -1 on a syntax error. */
static int parse_typmods(const char **p, long *a, long *b)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    if (*s != '(')
        return 0;
    s++;
    char *end;
    errno = 0;
    *a = strtol(s, &end, 10);
    if (end == s || errno)
        return -1;
    s = end;
    while (*s == ' ')
        s++;
    int count = 1;
    if (*s == ',') {
        s++;
        *b = strtol(s, &end, 10);
        if (end == s || errno)
            return -1;
        s = end;
        while (*s == ' ')
            s++;
        count = 2;
    }
    if (*s != ')')
        return -1;
    *p = s + 1;
    return count;
}

int pgtype_parse(const char *name, const pgtype_enum_t *const *enums, size_t enum_count,
                 pgtype_t *out, char **error)
{
    pgtype_t t = {.kind = PGTYPE_TEXT, .length = -1};
    /* Normalise: trim, collapse runs of spaces, and split off "[]". */
    char *norm = xstrdup(name);
    size_t n = 0;
    for (const char *p = name; *p; p++) {
        if (is_pg_space(*p)) {
            if (n > 0 && norm[n - 1] != ' ')
                norm[n++] = ' ';
        } else {
            norm[n++] = *p;
        }
    }
    while (n > 0 && norm[n - 1] == ' ')
        n--;
    norm[n] = '\0';
    if (n >= 2 && strcmp(norm + n - 2, "[]") == 0) {
        t.is_array = true;
        n -= 2;
        while (n > 0 && norm[n - 1] == ' ')
            n--;
        norm[n] = '\0';
    }
    /* Split base name and modifiers. */
    char *paren = strchr(norm, '(');
    const char *mods = "";
    char base[64];
    size_t blen = paren ? (size_t)(paren - norm) : strlen(norm);
    while (blen > 0 && norm[blen - 1] == ' ')
        blen--;
    if (blen == 0 || blen >= sizeof base)
        goto unknown;
    memcpy(base, norm, blen);
    base[blen] = '\0';
    if (paren)
        mods = paren;
    long a = 0, b = 0;
    const char *mp = mods;
    int nmods = parse_typmods(&mp, &a, &b);
    if (nmods < 0 || *mp != '\0') {
        *error = xasprintf("invalid type modifier in type \"%s\"", name);
        free(norm);
        return -1;
    }

    static const struct {
        const char *name;
        pgtype_kind_t kind;
        bool serial;
    } simple[] = {
        {"uuid", PGTYPE_UUID, false},
        {"text", PGTYPE_TEXT, false},
        {"name", PGTYPE_NAME, false},
        {"smallint", PGTYPE_INT2, false},
        {"int2", PGTYPE_INT2, false},
        {"integer", PGTYPE_INT4, false},
        {"int", PGTYPE_INT4, false},
        {"int4", PGTYPE_INT4, false},
        {"bigint", PGTYPE_INT8, false},
        {"int8", PGTYPE_INT8, false},
        {"serial", PGTYPE_INT4, true},
        {"serial4", PGTYPE_INT4, true},
        {"bigserial", PGTYPE_INT8, true},
        {"serial8", PGTYPE_INT8, true},
        {"real", PGTYPE_FLOAT4, false},
        {"float4", PGTYPE_FLOAT4, false},
        {"double precision", PGTYPE_FLOAT8, false},
        {"float8", PGTYPE_FLOAT8, false},
        {"float", PGTYPE_FLOAT8, false},
        {"boolean", PGTYPE_BOOL, false},
        {"bool", PGTYPE_BOOL, false},
        {"date", PGTYPE_DATE, false},
        {"timestamp", PGTYPE_TIMESTAMP, false},
        {"timestamp without time zone", PGTYPE_TIMESTAMP, false},
        {"timestamptz", PGTYPE_TIMESTAMPTZ, false},
        {"timestamp with time zone", PGTYPE_TIMESTAMPTZ, false},
        {"json", PGTYPE_JSON, false},
        {"jsonb", PGTYPE_JSONB, false},
        {"tsvector", PGTYPE_TSVECTOR, false},
        {"bytea", PGTYPE_BYTEA, false},
        {"oid", PGTYPE_OID, false},
        {"time", PGTYPE_TIME, false},
        {"time without time zone", PGTYPE_TIME, false},
        {"timetz", PGTYPE_TIMETZ, false},
        {"time with time zone", PGTYPE_TIMETZ, false},
        {"ltree", PGTYPE_LTREE, false},
        {"int4range", PGTYPE_INT4RANGE, false},
        {"int8range", PGTYPE_INT8RANGE, false},
        {"numrange", PGTYPE_NUMRANGE, false},
        {"daterange", PGTYPE_DATERANGE, false},
        {"tsrange", PGTYPE_TSRANGE, false},
        {"tstzrange", PGTYPE_TSTZRANGE, false},
    };
    for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++) {
        if (ieq(base, simple[i].name)) {
            if (nmods != 0)
                goto bad_mods;
            t.kind = simple[i].kind;
            t.serial = simple[i].serial;
            if (t.serial && t.is_array)
                goto unknown; /* serial[] does not exist */
            goto done;
        }
    }
    if (ieq(base, "varchar") || ieq(base, "character varying")) {
        t.kind = PGTYPE_VARCHAR;
        if (nmods == 2)
            goto bad_mods;
        if (nmods == 1) {
            if (a < 1) {
                *error = xasprintf("length for type varchar must be at least 1");
                free(norm);
                return -1;
            }
            t.length = (int32_t)a;
        }
        goto done;
    }
    if (ieq(base, "char") || ieq(base, "character") || ieq(base, "bpchar")) {
        t.kind = PGTYPE_CHAR;
        if (nmods == 2)
            goto bad_mods;
        if (nmods == 1 && a < 1) {
            *error = xasprintf("length for type char must be at least 1");
            free(norm);
            return -1;
        }
        t.length = nmods == 1 ? (int32_t)a : 1;
        goto done;
    }
    if (ieq(base, "bit") && nmods == 1) {
        /* bit(n) (gram.y writes a bare `bit` as bit(1)); a bare name is left
         * to the enums, which may have one called so. */
        if (a < 1) {
            *error = xasprintf("length for type bit must be at least 1");
            free(norm);
            return -1;
        }
        /* Postgres allows 83886080 bits; supamock bounds a value's size
         * (a cast pads to it) far lower, with Postgres's message. */
        if (a > 65536) {
            *error = xasprintf("length for type bit cannot exceed %d", 65536);
            free(norm);
            return -1;
        }
        t.kind = PGTYPE_BIT;
        t.length = (int32_t)a;
        goto done;
    }
    if (ieq(base, "numeric") || ieq(base, "decimal")) {
        t.kind = PGTYPE_NUMERIC;
        if (nmods >= 1) {
            long prec = a, scale = nmods == 2 ? b : 0;
            if (prec < 1 || prec > 1000) {
                *error = xasprintf("NUMERIC precision %ld must be between 1 and 1000", prec);
                free(norm);
                return -1;
            }
            /* Negative scales (PG 15+) are not modelled. */
            if (scale < 0 || scale > prec) {
                *error =
                    xasprintf("NUMERIC scale %ld must be between 0 and precision %ld", scale, prec);
                free(norm);
                return -1;
            }
            t.length = NUMERIC_TYPMOD((int32_t)prec, (int32_t)scale);
        }
        goto done;
    }
    for (size_t i = 0; i < enum_count; i++) {
        if (ieq(base, enums[i]->name)) {
            if (nmods != 0)
                goto bad_mods;
            t.kind = PGTYPE_ENUM;
            t.enum_def = enums[i];
            goto done;
        }
    }
    if (base[0] == '_' && !t.is_array && nmods == 0) {
        /* "_int4": Postgres's own name for int4[] (a type's array type is
         * its name with an underscore before it). */
        pgtype_t elem;
        char *why = NULL;
        if (pgtype_parse(base + 1, enums, enum_count, &elem, &why) == 0 && !elem.is_array &&
            !elem.serial) {
            free(norm);
            elem.is_array = true;
            *out = elem;
            return 0;
        }
        free(why);
    }
unknown:
    *error = xasprintf("type \"%s\" does not exist", name);
    free(norm);
    return -1;
bad_mods:
    *error = xasprintf("invalid type modifier in type \"%s\"", name);
    free(norm);
    return -1;
done:
    free(norm);
    *out = t;
    return 0;
}

static const char *base_name(const pgtype_t *t)
{
    switch (t->kind) {
    case PGTYPE_UUID:
        return "uuid";
    case PGTYPE_TEXT:
        return "text";
    case PGTYPE_NAME:
        return "name";
    case PGTYPE_VARCHAR:
        return "character varying";
    case PGTYPE_CHAR:
        return "character";
    case PGTYPE_INT2:
        return "smallint";
    case PGTYPE_INT4:
        return "integer";
    case PGTYPE_INT8:
        return "bigint";
    case PGTYPE_NUMERIC:
        return "numeric";
    case PGTYPE_FLOAT4:
        return "real";
    case PGTYPE_FLOAT8:
        return "double precision";
    case PGTYPE_BOOL:
        return "boolean";
    case PGTYPE_DATE:
        return "date";
    case PGTYPE_TIMESTAMP:
        return "timestamp without time zone";
    case PGTYPE_TIMESTAMPTZ:
        return "timestamp with time zone";
    case PGTYPE_JSON:
        return "json";
    case PGTYPE_JSONB:
        return "jsonb";
    case PGTYPE_TSVECTOR:
        return "tsvector";
    case PGTYPE_BYTEA:
        return "bytea";
    case PGTYPE_OID:
        return "oid";
    case PGTYPE_TIME:
        return "time without time zone";
    case PGTYPE_TIMETZ:
        return "time with time zone";
    case PGTYPE_BIT:
        return "bit";
    case PGTYPE_LTREE:
        return "ltree";
    case PGTYPE_INT4RANGE:
        return "int4range";
    case PGTYPE_INT8RANGE:
        return "int8range";
    case PGTYPE_NUMRANGE:
        return "numrange";
    case PGTYPE_DATERANGE:
        return "daterange";
    case PGTYPE_TSRANGE:
        return "tsrange";
    case PGTYPE_TSTZRANGE:
        return "tstzrange";
    case PGTYPE_ENUM:
        return t->enum_def ? t->enum_def->name : "enum";
    }
    return "unknown";
}

const char *pgtype_name(const pgtype_t *t, char *scratch, size_t scratch_len)
{
    const char *b = base_name(t);
    if (!t->is_array)
        return b;
    snprintf(scratch, scratch_len, "%s[]", b);
    return scratch;
}

/* ------------------------------------------------------------------------ */
/* values: lifecycle                                                         */
/* ------------------------------------------------------------------------ */

void pgvalue_init_null(pgvalue_t *v)
{
    memset(v, 0, sizeof *v);
    v->is_null = true;
}

void pgvalue_dispose(pgvalue_t *v)
{
    if (!v)
        return;
    free(v->s);
    for (size_t i = 0; i < v->nelems; i++)
        pgvalue_dispose(&v->elems[i]);
    free(v->elems);
    pgvalue_init_null(v);
}

void pgvalue_copy(pgvalue_t *dst, const pgvalue_t *src)
{
    *dst = *src;
    dst->s = src->s ? xstrdup(src->s) : NULL;
    dst->elems = NULL;
    if (src->nelems) {
        dst->elems = xcalloc(src->nelems, sizeof *dst->elems);
        for (size_t i = 0; i < src->nelems; i++)
            pgvalue_copy(&dst->elems[i], &src->elems[i]);
    }
}

static void set_int(pgvalue_t *out, int64_t i)
{
    memset(out, 0, sizeof *out);
    out->i = i;
}

static void set_str(pgvalue_t *out, char *s)
{
    memset(out, 0, sizeof *out);
    out->s = s;
}

/* ------------------------------------------------------------------------ */
/* integers (pg_strtoint16/32/64_safe, PG 16+: underscores and 0x/0o/0b)     */
/* ------------------------------------------------------------------------ */

static int digit_value(char c, int base)
{
    int d;
    if (c >= '0' && c <= '9')
        d = c - '0';
    else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
    else
        return -1;
    return d < base ? d : -1;
}

/* Parses an integer into [min, max]. Returns 0, -1 syntax, -2 out of range. */
static int parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *p = s;
    while (is_pg_space(*p))
        p++;
    bool neg = false;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
        base = 8;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = 2;
        p += 2;
    }
    /* Accumulate as a negative number so INT64_MIN fits. */
    int64_t acc = 0;
    bool any = false;
    int64_t lim = neg ? min : -max;
    for (;;) {
        int d = digit_value(*p, base);
        if (d < 0) {
            if (*p == '_' && any && digit_value(p[1], base) >= 0) {
                p++;
                continue;
            }
            break;
        }
        if (acc < (lim + d) / base)
            return -2;
        acc = acc * base - d;
        if (acc < lim)
            return -2;
        any = true;
        p++;
    }
    if (!any)
        return -1;
    while (is_pg_space(*p))
        p++;
    if (*p)
        return -1;
    *out = neg ? acc : -acc;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* numeric                                                                   */
/* ------------------------------------------------------------------------ */

/* A decimal in pieces: sign, integer digits without leading zeros, fraction
 * digits (exactly dscale of them). Special values are kept in `special`. */
typedef struct decimal {
    int special; /* 0 finite, 1 NaN, 2 +Infinity, 3 -Infinity */
    bool neg;
    buf_t digits; /* integer digits followed by fraction digits */
    size_t nint;  /* how many of `digits` are before the point */
} decimal_t;

static void dec_init(decimal_t *d)
{
    memset(d, 0, sizeof *d);
    buf_init(&d->digits);
}

static void dec_to_text(const decimal_t *d, buf_t *out)
{
    if (d->special == 1) {
        buf_puts(out, "NaN");
        return;
    }
    if (d->special == 2) {
        buf_puts(out, "Infinity");
        return;
    }
    if (d->special == 3) {
        buf_puts(out, "-Infinity");
        return;
    }
    const char *dg = buf_cstr(&d->digits);
    size_t len = d->digits.len;
    bool zero = true;
    for (size_t i = 0; i < len; i++)
        if (dg[i] != '0')
            zero = false;
    if (d->neg && !zero)
        buf_putc(out, '-');
    size_t i = 0;
    while (i + 1 < d->nint && dg[i] == '0')
        i++;
    if (d->nint == 0)
        buf_putc(out, '0');
    else
        buf_append(out, dg + i, d->nint - i);
    if (len > d->nint) {
        buf_putc(out, '.');
        buf_append(out, dg + d->nint, len - d->nint);
    }
}

/* numeric_in (set_var_from_str): returns 0, -1 syntax error, -2 overflow. */
static int dec_parse(const char *s, decimal_t *d)
{
    const char *p = s;
    while (is_pg_space(*p))
        p++;
    const char *q = p;
    bool neg = false;
    if (*q == '+' || *q == '-') {
        neg = *q == '-';
        q++;
    }
    /* Special values: NaN (unsigned only), Infinity / inf with optional sign. */
    size_t rest = strlen(q);
    const char *after = NULL;
    if (q == p && rest >= 3 && strncasecmp(q, "NaN", 3) == 0) {
        d->special = 1;
        after = q + 3;
    } else if (rest >= 8 && strncasecmp(q, "Infinity", 8) == 0) {
        d->special = neg ? 3 : 2;
        after = q + 8;
    } else if (rest >= 3 && strncasecmp(q, "inf", 3) == 0) {
        d->special = neg ? 3 : 2;
        after = q + 3;
    }
    if (after) {
        while (is_pg_space(*after))
            after++;
        if (*after)
            return -1;
        return 0;
    }
    d->neg = neg;
    buf_t raw;
    buf_init(&raw);
    size_t nint = 0;
    bool seen_point = false, any = false;
    for (;; q++) {
        if (*q >= '0' && *q <= '9') {
            buf_putc(&raw, *q);
            if (!seen_point)
                nint++;
            any = true;
        } else if (*q == '.' && !seen_point) {
            seen_point = true;
        } else if (*q == '_' && any && q[1] >= '0' && q[1] <= '9' && q[-1] != '.') {
            continue; /* PG 16+: underscores between digits */
        } else {
            break;
        }
    }
    if (!any) {
        buf_dispose(&raw);
        return -1;
    }
    long exp = 0;
    if (*q == 'e' || *q == 'E') {
        q++;
        char *end;
        errno = 0;
        exp = strtol(q, &end, 10);
        if (end == q || !(isdigit((unsigned char)*q) || *q == '+' || *q == '-')) {
            buf_dispose(&raw);
            return -1;
        }
        if (errno || exp > 1000 || exp < -1000) {
            buf_dispose(&raw);
            return -1; /* PG: invalid input syntax when |exponent| > NUMERIC_MAX_PRECISION */
        }
        q = end;
    }
    while (is_pg_space(*q))
        q++;
    if (*q) {
        buf_dispose(&raw);
        return -1;
    }
    size_t nfrac = raw.len - nint;
    long dscale = (long)nfrac - exp;
    if (dscale < 0)
        dscale = 0;
    long pointpos = (long)nint + exp; /* index in raw where the point goes */
    buf_reset(&d->digits);
    if (pointpos <= 0) {
        for (long i = 0; i < -pointpos && (long)d->digits.len < dscale; i++)
            buf_putc(&d->digits, '0');
        for (size_t i = 0; i < raw.len && (long)d->digits.len < dscale; i++)
            buf_putc(&d->digits, raw.data[i]);
        d->nint = 0;
    } else {
        for (long i = 0; i < pointpos; i++)
            buf_putc(&d->digits, i < (long)raw.len ? raw.data[i] : '0');
        d->nint = (size_t)pointpos;
        for (long i = pointpos; i < (long)raw.len && (long)(d->digits.len - d->nint) < dscale; i++)
            buf_putc(&d->digits, raw.data[i]);
    }
    while ((long)(d->digits.len - d->nint) < dscale)
        buf_putc(&d->digits, '0');
    buf_dispose(&raw);
    return 0;
}

/* Rounds to `scale` fraction digits (half away from zero, as numeric round). */
static void dec_round(decimal_t *d, int scale)
{
    size_t nfrac = d->digits.len - d->nint;
    if ((size_t)scale >= nfrac) {
        while (d->digits.len - d->nint < (size_t)scale)
            buf_putc(&d->digits, '0');
        return;
    }
    size_t keep = d->nint + (size_t)scale;
    bool up = d->digits.data[keep] >= '5';
    d->digits.len = keep;
    d->digits.data[keep] = '\0';
    if (!up)
        return;
    long i = (long)keep - 1;
    for (; i >= 0; i--) {
        if (d->digits.data[i] == '9') {
            d->digits.data[i] = '0';
        } else {
            d->digits.data[i]++;
            break;
        }
    }
    if (i < 0) {
        /* carry out of the top digit: prepend a 1 */
        buf_t nb;
        buf_init(&nb);
        buf_putc(&nb, '1');
        buf_append(&nb, d->digits.data, d->digits.len);
        buf_dispose(&d->digits);
        d->digits = nb;
        d->nint++;
    }
}

/* Significant integer digits (leading zeros removed). */
static size_t dec_int_digits(const decimal_t *d)
{
    size_t i = 0;
    while (i < d->nint && d->digits.data[i] == '0')
        i++;
    return d->nint - i;
}

static int numeric_from_text(const pgtype_t *t, const char *s, pgvalue_t *out, pgrst_error_t *err)
{
    decimal_t d;
    dec_init(&d);
    int rc = dec_parse(s, &d);
    if (rc < 0) {
        buf_dispose(&d.digits);
        return invalid_syntax(err, "numeric", s);
    }
    if (t->length >= 0) {
        int prec = NUMERIC_PREC(t->length), scale = NUMERIC_SCALE(t->length);
        if (d.special == 2 || d.special == 3) {
            buf_dispose(&d.digits);
            pgrst_error_setf(err, "22003", "numeric field overflow");
            pgrst_error_detailsf(err,
                                 "A field with precision %d, scale %d cannot hold an infinite "
                                 "value.",
                                 prec, scale);
            return -1;
        }
        if (d.special == 0) {
            dec_round(&d, scale);
            if ((int)dec_int_digits(&d) > prec - scale) {
                int maxdigits = prec - scale;
                buf_dispose(&d.digits);
                /* numeric.c apply_typmod: "Display 10^0 as 1" */
                pgrst_error_setf(err, "22003", "numeric field overflow");
                pgrst_error_detailsf(err,
                                     "A field with precision %d, scale %d must round to an "
                                     "absolute value less than %s%d.",
                                     prec, scale, maxdigits ? "10^" : "",
                                     maxdigits ? maxdigits : 1);
                return -1;
            }
        }
    }
    buf_t text;
    buf_init(&text);
    dec_to_text(&d, &text);
    buf_dispose(&d.digits);
    set_str(out, buf_steal(&text));
    return 0;
}

/* Compares two canonical numeric texts exactly. */
static int numeric_rank(const char *s)
{
    if (strcmp(s, "NaN") == 0)
        return 3;
    if (strcmp(s, "Infinity") == 0)
        return 2;
    if (strcmp(s, "-Infinity") == 0)
        return 0;
    return 1;
}

static int cmp_magnitude(const char *a, const char *b)
{
    /* both without sign, canonical: integer part has no leading zeros except "0" */
    size_t ai = strcspn(a, "."), bi = strcspn(b, ".");
    bool az = ai == 1 && a[0] == '0', bz = bi == 1 && b[0] == '0';
    size_t al = az ? 0 : ai, bl = bz ? 0 : bi;
    if (al != bl)
        return al < bl ? -1 : 1;
    int c = memcmp(a, b, al);
    if (c)
        return c < 0 ? -1 : 1;
    const char *af = a[ai] == '.' ? a + ai + 1 : "";
    const char *bf = b[bi] == '.' ? b + bi + 1 : "";
    while (*af || *bf) {
        char x = *af ? *af++ : '0';
        char y = *bf ? *bf++ : '0';
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

static bool numeric_is_zero(const char *s)
{
    for (; *s; s++)
        if (*s >= '1' && *s <= '9')
            return false;
    return true;
}

static int numeric_cmp(const char *a, const char *b)
{
    int ra = numeric_rank(a), rb = numeric_rank(b);
    if (ra != rb || ra != 1)
        return ra < rb ? -1 : ra > rb ? 1 : 0;
    bool an = a[0] == '-' && !numeric_is_zero(a), bn = b[0] == '-' && !numeric_is_zero(b);
    if (a[0] == '-')
        a++;
    if (b[0] == '-')
        b++;
    if (an != bn)
        return an ? -1 : 1;
    int c = cmp_magnitude(a, b);
    return an ? -c : c;
}

static uint64_t numeric_hash(const char *s)
{
    /* 1.0 and 1.00 compare equal: hash without trailing fraction zeros. */
    size_t n = strlen(s);
    if (strchr(s, '.')) {
        while (n > 0 && s[n - 1] == '0')
            n--;
        if (n > 0 && s[n - 1] == '.')
            n--;
    }
    if (numeric_is_zero(s) && numeric_rank(s) == 1)
        return fnv1a("0", 1, FNV_OFFSET);
    return fnv1a(s, n, FNV_OFFSET);
}

/* ------------------------------------------------------------------------ */
/* floats                                                                    */
/* ------------------------------------------------------------------------ */

/* float4in / float8in: returns 0, -1 syntax, -2 out of range (*numlen = the
 * length of the number text PG quotes in the range message). */
static int parse_float(const char *s, bool single, double *out, size_t *numstart, size_t *numlen)
{
    const char *p = s;
    while (is_pg_space(*p))
        p++;
    *numstart = (size_t)(p - s);
    if (!*p)
        return -1;
    double v;
    const char *end;
    const char *q = p;
    bool neg = false;
    if (*q == '+' || *q == '-') {
        neg = *q == '-';
        q++;
    }
    if (strncasecmp(p, "NaN", 3) == 0) {
        v = NAN;
        end = p + 3;
    } else if (strncasecmp(q, "Infinity", 8) == 0) {
        v = neg ? -INFINITY : INFINITY;
        end = q + 8;
    } else if (strncasecmp(q, "inf", 3) == 0) {
        v = neg ? -INFINITY : INFINITY;
        end = q + 3;
    } else {
        /* strtod also takes hex floats, as PG does (it calls strtod too); it
         * must not see "nan(...)"/"infinity" spellings beyond those above. */
        if (!(isdigit((unsigned char)*q) || *q == '.'))
            return -1;
        char *e;
        errno = 0;
        if (single) {
            float f = strtof(p, &e);
            v = f;
            if (errno == ERANGE && (f == 0.0f || isinf(f))) {
                *numlen = (size_t)(e - p);
                return -2;
            }
        } else {
            v = strtod(p, &e);
            if (errno == ERANGE && (v == 0.0 || isinf(v))) {
                *numlen = (size_t)(e - p);
                return -2;
            }
        }
        if ((const char *)e == p)
            return -1;
        end = e;
    }
    while (is_pg_space(*end))
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

/* Shortest round-trip text as PG 12+ (extra_float_digits = 1) prints it
 * (src/common/d2s.c and f2s.c to_chars: "thresholds chosen to match printf"):
 * fixed notation for decimal exponents in [-4, 15) (float8) or [-4, 6)
 * (float4), else d.ddde+XX, like %g with the shortest exact precision. */
static void float_to_text(double v, bool single, buf_t *out)
{
    if (isnan(v)) {
        buf_puts(out, "NaN");
        return;
    }
    if (isinf(v)) {
        buf_puts(out, v < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (v == 0) {
        buf_puts(out, signbit(v) ? "-0" : "0");
        return;
    }
    char tmp[64];
    int maxp = single ? 9 : 17;
    int prec = 1;
    for (; prec <= maxp; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (single ? strtof(tmp, NULL) == (float)v : strtod(tmp, NULL) == v)
            break;
    }
    if (prec > maxp)
        snprintf(tmp, sizeof tmp, "%.*e", maxp - 1, v);
    /* tmp: [-]d[.ddd]e[+-]XX */
    char *e = strchr(tmp, 'e');
    int exp10 = atoi(e + 1);
    *e = '\0';
    bool neg = tmp[0] == '-';
    char digits[32];
    size_t nd = 0;
    for (char *c = tmp + (neg ? 1 : 0); *c; c++)
        if (isdigit((unsigned char)*c))
            digits[nd++] = *c;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    if (neg)
        buf_putc(out, '-');
    int hi = single ? 6 : 15;
    if (exp10 >= -4 && exp10 < hi) {
        if (exp10 < 0) {
            buf_puts(out, "0.");
            for (int i = 0; i < -exp10 - 1; i++)
                buf_putc(out, '0');
            buf_append(out, digits, nd);
        } else if ((int)nd <= exp10 + 1) {
            buf_append(out, digits, nd);
            for (int i = (int)nd; i < exp10 + 1; i++)
                buf_putc(out, '0');
        } else {
            buf_append(out, digits, (size_t)exp10 + 1);
            buf_putc(out, '.');
            buf_append(out, digits + exp10 + 1, nd - (size_t)exp10 - 1);
        }
    } else {
        buf_putc(out, digits[0]);
        if (nd > 1) {
            buf_putc(out, '.');
            buf_append(out, digits + 1, nd - 1);
        }
        buf_printf(out, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    }
}

static int float_cmp(double a, double b)
{
    /* float8_cmp_internal: NaN equals NaN and sorts above everything. */
    if (isnan(a))
        return isnan(b) ? 0 : 1;
    if (isnan(b))
        return -1;
    return a < b ? -1 : a > b ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* booleans (parse_bool_with_len)                                            */
/* ------------------------------------------------------------------------ */

static int parse_bool(const char *s, bool *out)
{
    const char *p = s;
    while (is_pg_space(*p))
        p++;
    size_t n = strlen(p);
    while (n > 0 && is_pg_space(p[n - 1]))
        n--;
    if (n == 0)
        return -1;
    /* Any unique prefix of true/false/yes/no, "on"/"off" (at least 2 chars), 1/0. */
    switch (tolower((unsigned char)p[0])) {
    case 't':
        if (strncasecmp(p, "true", n) == 0 && n <= 4)
            return *out = true, 0;
        break;
    case 'f':
        if (strncasecmp(p, "false", n) == 0 && n <= 5)
            return *out = false, 0;
        break;
    case 'y':
        if (strncasecmp(p, "yes", n) == 0 && n <= 3)
            return *out = true, 0;
        break;
    case 'n':
        if (strncasecmp(p, "no", n) == 0 && n <= 2)
            return *out = false, 0;
        break;
    case 'o':
        if (n >= 2 && n <= 2 && strncasecmp(p, "on", 2) == 0)
            return *out = true, 0;
        if (n >= 2 && n <= 3 && strncasecmp(p, "off", n) == 0)
            return *out = false, 0;
        break;
    case '1':
        if (n == 1)
            return *out = true, 0;
        break;
    case '0':
        if (n == 1)
            return *out = false, 0;
        break;
    default:
        break;
    }
    return -1;
}

/* ------------------------------------------------------------------------ */
/* uuid (string_to_uuid)                                                     */
/* ------------------------------------------------------------------------ */

static int parse_uuid(const char *s, char out[37])
{
    const char *p = s;
    bool braces = false;
    if (*p == '{') {
        braces = true;
        p++;
    }
    unsigned char bytes[16];
    for (int i = 0; i < 16; i++) {
        int hi = digit_value(p[0], 16);
        if (hi < 0 || p[1] == '\0')
            return -1;
        int lo = digit_value(p[1], 16);
        if (lo < 0)
            return -1;
        bytes[i] = (unsigned char)(hi << 4 | lo);
        p += 2;
        if (*p == '-' && (i % 2) == 1 && i < 15)
            p++;
    }
    if (braces) {
        if (*p != '}')
            return -1;
        p++;
    }
    if (*p)
        return -1;
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[bytes[i] >> 4];
        out[o++] = hex[bytes[i] & 15];
    }
    out[o] = '\0';
    return 0;
}

/* ------------------------------------------------------------------------ */
/* dates and timestamps                                                      */
/* ------------------------------------------------------------------------ */

#define USECS_PER_DAY 86400000000LL
#define USECS_PER_SEC 1000000LL
/* PG's +-infinity timestamps and dates (DT_NOBEGIN / DT_NOEND). */
#define TS_NOBEGIN   INT64_MIN
#define TS_NOEND     INT64_MAX
#define DATE_NOBEGIN ((int64_t)INT32_MIN)
#define DATE_NOEND   ((int64_t)INT32_MAX)

/* Days from 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

#define PG_EPOCH_DAYS 10957 /* 2000-01-01 minus 1970-01-01 */

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : md[m - 1];
}

static int read_digits(const char **p, int min, int max, int64_t *out)
{
    int n = 0;
    int64_t v = 0;
    while (isdigit((unsigned char)**p) && n < max) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n < min)
        return -1;
    *out = v;
    return n;
}

/* The ISO 8601 subset clients send: "YYYY-MM-DD", then optionally 'T' or
 * spaces and "HH:MM[:SS[.ffffff]]", then optionally a zone "Z", "UTC", "GMT"
 * or "+HH", "+HHMM", "+HH:MM" (also after a space), plus "infinity",
 * "-infinity" and "epoch". PG accepts many more forms (other DateStyles,
 * month names, time zone names, "now"/"today"/...); those are rejected here
 * with PG's invalid-syntax error, because the mock has no clock or zone
 * database in this pure module. Returns 0, -1 syntax (22007), -2 field out of
 * range (22008), -3 zone displacement out of range (22009). */
typedef struct dt_parts {
    int special;  /* 0, 1 = -infinity, 2 = +infinity */
    int64_t days; /* since 2000-01-01 */
    int64_t usec; /* time of day */
    bool has_zone;
    int64_t zone_sec; /* offset east of UTC */
} dt_parts_t;

/* Fractional seconds after the '.', rounded to microseconds as Postgres
 * rounds them. */
static int64_t read_fraction(const char **pp)
{
    const char *p = *pp;
    int64_t frac = 0;
    int nd = 0;
    int next = -1;
    while (isdigit((unsigned char)*p)) {
        if (nd < 6) {
            frac = frac * 10 + (*p - '0');
            nd++;
        } else if (next < 0) {
            next = *p - '0';
        }
        p++;
    }
    while (nd < 6) {
        frac *= 10;
        nd++;
    }
    if (next >= 5)
        frac++;
    *pp = p;
    return frac;
}

/* A time of day at *p: "H[H]:M[M][:S[S][.ffffff]]", or ISO 8601's basic
 * "HHMM" / "HHMMSS[.ffffff]". 0, -1 syntax, -2 a field out of range (24:00
 * is the one time past 23:59:59.999999; a leap second 60 is taken, as
 * DecodeTimeOnly takes it). */
static int parse_clock(const char **pp, int64_t *hh, int64_t *mi, int64_t *ss, int64_t *usec)
{
    const char *p = *pp;
    *hh = *mi = *ss = *usec = 0;
    const char *start = p;
    int64_t run;
    int n = read_digits(&p, 1, 6, &run);
    if (n < 0)
        return -1;
    if (*p == ':' && n <= 2) {
        *hh = run;
        p++;
        /* DecodeTime reads each field as a number: "4:5" is 04:05. */
        if (read_digits(&p, 1, 2, mi) < 0)
            return -1;
        if (*p == ':') {
            p++;
            if (read_digits(&p, 1, 2, ss) < 0)
                return -1;
            if (*p == '.') {
                p++;
                *usec = read_fraction(&p);
            }
        }
    } else if (n == 4 || n == 6) {
        *hh = (start[0] - '0') * 10 + (start[1] - '0');
        *mi = (start[2] - '0') * 10 + (start[3] - '0');
        if (n == 6) {
            *ss = (start[4] - '0') * 10 + (start[5] - '0');
            if (*p == '.') {
                p++;
                *usec = read_fraction(&p);
            }
        }
    } else {
        return -1;
    }
    *pp = p;
    if (*hh > 24 || *mi > 59 || *ss > 60 || (*hh == 24 && (*mi != 0 || *ss != 0 || *usec != 0)))
        return -2;
    return 0;
}

static int parse_datetime(const char *s, dt_parts_t *dt)
{
    memset(dt, 0, sizeof *dt);
    const char *p = s;
    while (is_pg_space(*p))
        p++;
    size_t n = strlen(p);
    while (n > 0 && is_pg_space(p[n - 1]))
        n--;
    if (ieqn(p, n, "infinity") || ieqn(p, n, "+infinity")) {
        dt->special = 2;
        return 0;
    }
    if (ieqn(p, n, "-infinity")) {
        dt->special = 1;
        return 0;
    }
    if (ieqn(p, n, "epoch")) {
        dt->days = -PG_EPOCH_DAYS;
        dt->has_zone = true;
        return 0;
    }
    int64_t y, mo, d;
    const char *digits = p;
    int yn = read_digits(&p, 4, 13, &y);
    if (yn < 0)
        return -1;
    if (*p == '-' && yn <= 9) {
        p++;
        if (read_digits(&p, 1, 2, &mo) < 0 || *p++ != '-')
            return -1;
        if (read_digits(&p, 1, 2, &d) < 0)
            return -1;
    } else if (yn >= 6 && *p != '-') {
        /* ISO 8601's basic form, "20250101" (DecodeNumberField): the last two
         * digits the day, the two before the month, the rest the year (two
         * digits of year: 1970 to 2069). */
        d = (digits[yn - 2] - '0') * 10 + (digits[yn - 1] - '0');
        mo = (digits[yn - 4] - '0') * 10 + (digits[yn - 3] - '0');
        y = 0;
        for (int i = 0; i < yn - 4; i++)
            y = y * 10 + (digits[i] - '0');
        if (yn == 6)
            y += y < 70 ? 2000 : 1900;
    } else {
        return -1;
    }
    bool range_error = false;
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, (int)mo))
        range_error = true;
    int64_t hh = 0, mi = 0, ss = 0, usec = 0;
    const char *q = p;
    if (*q == 'T' || *q == 't' || *q == ' ') {
        const char *r = q + 1;
        while (*q == ' ' && *r == ' ')
            r++;
        if (isdigit((unsigned char)*r)) {
            p = r;
            int rc = parse_clock(&p, &hh, &mi, &ss, &usec);
            if (rc == -1)
                return -1;
            if (rc == -2)
                range_error = true;
        }
    }
    /* zone */
    const char *z = p;
    while (*z == ' ')
        z++;
    if (*z == 'Z' || *z == 'z') {
        dt->has_zone = true;
        z++;
    } else if (strncasecmp(z, "UTC", 3) == 0 || strncasecmp(z, "GMT", 3) == 0) {
        dt->has_zone = true;
        z += 3;
    } else if (*z == '+' || *z == '-') {
        int sign = *z == '-' ? -1 : 1;
        z++;
        int64_t zh = 0, zm = 0, zs = 0;
        const char *zstart = z;
        int nd = read_digits(&z, 1, 6, &zh);
        if (nd < 0)
            return -1;
        if (nd == 4) {
            zm = zh % 100;
            zh /= 100;
        } else if (nd == 6) {
            zs = zh % 100;
            zm = zh / 100 % 100;
            zh /= 10000;
        } else if (nd > 2) {
            return -1;
        } else if (*z == ':') {
            z++;
            if (read_digits(&z, 2, 2, &zm) < 0)
                return -1;
            if (*z == ':') {
                z++;
                if (read_digits(&z, 2, 2, &zs) < 0)
                    return -1;
            }
        }
        (void)zstart;
        if (zm > 59 || zs > 59)
            return -2;
        if (zh > 15)
            return -3; /* PG: MAX_TZDISP_HOUR is 15 */
        dt->has_zone = true;
        dt->zone_sec = sign * (zh * 3600 + zm * 60 + zs);
    }
    while (is_pg_space(*z))
        z++;
    if (*z)
        return -1;
    if (range_error)
        return -2;
    dt->days = days_from_civil(y, (int)mo, (int)d) - PG_EPOCH_DAYS;
    dt->usec = ((hh * 60 + mi) * 60 + ss) * USECS_PER_SEC + usec;
    return 0;
}

/* PG's valid ranges: dates from 4713-11-24 BC; timestamps end at 294276-12-31
 * and dates at 5874897-12-31. BC years are not accepted by this parser, so
 * only the upper ends need checking. */
#define TS_END_USEC   ((days_from_civil(294277, 1, 1) - PG_EPOCH_DAYS) * USECS_PER_DAY)
#define DATE_END_DAYS (days_from_civil(5874898, 1, 1) - PG_EPOCH_DAYS)

static int datetime_from_text(const pgtype_t *t, const char *s, pgvalue_t *out, pgrst_error_t *err)
{
    const char *tname = base_name(t);
    dt_parts_t dt;
    int rc = parse_datetime(s, &dt);
    if (rc == -1)
        return pgrst_error_setf(err, "22007", "invalid input syntax for type %s: \"%s\"", tname, s);
    if (rc == -2)
        return pgrst_error_setf(err, "22008", "date/time field value out of range: \"%s\"", s);
    if (rc == -3)
        return pgrst_error_setf(err, "22009", "time zone displacement out of range: \"%s\"", s);
    if (t->kind == PGTYPE_DATE) {
        if (dt.special)
            return set_int(out, dt.special == 1 ? DATE_NOBEGIN : DATE_NOEND), 0;
        if (dt.days >= DATE_END_DAYS)
            return pgrst_error_setf(err, "22008", "date out of range: \"%s\"", s);
        set_int(out, dt.days);
        return 0;
    }
    if (dt.special) {
        set_int(out, dt.special == 1 ? TS_NOBEGIN : TS_NOEND);
        return 0;
    }
    /* Check the day before multiplying so that 9-digit years cannot overflow. */
    if (dt.days > TS_END_USEC / USECS_PER_DAY)
        return pgrst_error_setf(err, "22008", "timestamp out of range: \"%s\"", s);
    int64_t us = dt.days * USECS_PER_DAY + dt.usec;
    /* timestamp (without time zone) ignores a zone; timestamptz converts to
     * UTC, treating a zoneless input as the session zone, UTC on Supabase. */
    if (t->kind == PGTYPE_TIMESTAMPTZ && dt.has_zone)
        us -= dt.zone_sec * USECS_PER_SEC;
    else if (t->kind == PGTYPE_TIMESTAMPTZ && us > TS_NOBEGIN && us < TS_NOEND) {
        /* No zone given: local time of the session zone (pgtz.h; UTC unless
         * Prefer: timezone= set one), its offset found at the instant the
         * offset itself points to (two steps settle every time but those in
         * a transition's gap or overlap, where Postgres's
         * DetermineTimeZoneOffset may pick the other side). */
        int32_t off = pgtz_offset(us);
        off = pgtz_offset(us - (int64_t)off * USECS_PER_SEC);
        us -= (int64_t)off * USECS_PER_SEC;
    }
    if (us >= TS_END_USEC)
        return pgrst_error_setf(err, "22008", "timestamp out of range: \"%s\"", s);
    set_int(out, us);
    return 0;
}

/* time_in, the forms clients send: an optional date ("2003-04-12 ", which
 * time ignores), a clock (parse_clock), then optionally AM/PM and a zone
 * (also ignored), or "allballs". Other forms (month names, "now") are
 * rejected with Postgres's invalid-syntax error. */
static int clock_from_text(const char *s, const char *type, int64_t *zone_out, pgvalue_t *out,
                           pgrst_error_t *err);

static int time_from_text(const char *s, pgvalue_t *out, pgrst_error_t *err)
{
    return clock_from_text(s, "time", NULL, out, err);
}

/* timetz_in: the same forms; the zone given, else the session zone's offset
 * (pgtz.h) at that time of 2000-01-01 (Postgres takes the offset on the
 * current date: the same for zones without daylight saving time, UTC
 * unless Prefer: timezone= set one). */
static int timetz_from_text(const char *s, pgvalue_t *out, pgrst_error_t *err)
{
    int64_t zone = 0;
    if (clock_from_text(s, "time with time zone", &zone, out, err) < 0)
        return -1;
    if (zone == INT64_MIN)
        zone = pgtz_offset(out->i - (int64_t)pgtz_offset(out->i) * USECS_PER_SEC);
    out->i = PGTIMETZ_PACK(out->i, zone);
    return 0;
}

/* Both time_in's and timetz_in's clock; with zone_out the zone read (seconds
 * east of UTC), INT64_MIN without one. */
static int clock_from_text(const char *s, const char *type, int64_t *zone_out, pgvalue_t *out,
                           pgrst_error_t *err)
{
    if (zone_out)
        *zone_out = INT64_MIN;
    const char *p = s;
    while (is_pg_space(*p))
        p++;
    size_t n = strlen(p);
    while (n > 0 && is_pg_space(p[n - 1]))
        n--;
    if (ieqn(p, n, "allballs")) {
        set_int(out, 0);
        return 0;
    }
    const char *q = p;
    int64_t skip;
    if (read_digits(&q, 4, 9, &skip) >= 0 && *q == '-') {
        dt_parts_t dt;
        const char *t = strpbrk(p, " Tt");
        if (!t)
            goto syntax;
        char *date = xstrndup(p, (size_t)(t - p));
        int rc = parse_datetime(date, &dt);
        free(date);
        if (rc == -1 || dt.special)
            goto syntax;
        if (rc < 0)
            goto range;
        p = t + 1;
        while (*p == ' ')
            p++;
    }
    int64_t hh, mi, ss, usec;
    int rc = parse_clock(&p, &hh, &mi, &ss, &usec);
    if (rc == -1)
        goto syntax;
    while (*p == ' ')
        p++;
    if (strncasecmp(p, "am", 2) == 0 || strncasecmp(p, "pm", 2) == 0) {
        bool pm = p[0] == 'p' || p[0] == 'P';
        p += 2;
        if (rc == 0 && hh > 12)
            goto range;
        if (hh == 12)
            hh = 0;
        if (pm)
            hh += 12;
        while (*p == ' ')
            p++;
    }
    int64_t zone = INT64_MIN;
    if (*p == 'Z' || *p == 'z') {
        p++;
        zone = 0;
    } else if (strncasecmp(p, "UTC", 3) == 0 || strncasecmp(p, "GMT", 3) == 0) {
        p += 3;
        zone = 0;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        int64_t zh, zm = 0, zs = 0;
        int nd = read_digits(&p, 1, 4, &zh);
        if (nd < 0 || nd == 3)
            goto syntax;
        if (nd == 4) {
            zm = zh % 100;
            zh /= 100;
        } else if (*p == ':') {
            p++;
            if (read_digits(&p, 2, 2, &zm) < 0)
                goto syntax;
            if (*p == ':') {
                p++;
                if (read_digits(&p, 2, 2, &zs) < 0)
                    goto syntax;
            }
        }
        if (zm > 59 || zs > 59)
            goto range;
        if (zh > 15)
            return pgrst_error_setf(err, "22009", "time zone displacement out of range: \"%s\"", s);
        zone = sign * (zh * 3600 + zm * 60 + zs);
    }
    while (is_pg_space(*p))
        p++;
    if (*p)
        goto syntax;
    if (rc == -2)
        goto range;
    set_int(out, ((hh * 60 + mi) * 60 + ss) * USECS_PER_SEC + usec);
    if (zone_out && zone != INT64_MIN)
        *zone_out = zone;
    return 0;
syntax:
    return pgrst_error_setf(err, "22007", "invalid input syntax for type %s: \"%s\"", type, s);
range:
    return pgrst_error_setf(err, "22008", "date/time field value out of range: \"%s\"", s);
}

/* time_out: "HH:MM:SS", then the fraction without trailing zeros. */
static void format_time(int64_t us, buf_t *out)
{
    int64_t secs = us / USECS_PER_SEC, frac = us % USECS_PER_SEC;
    buf_printf(out, "%02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    if (frac) {
        char f[8];
        for (int i = 5; i >= 0; i--, frac /= 10)
            f[i] = (char)('0' + frac % 10);
        size_t n = 6;
        while (f[n - 1] == '0')
            n--;
        buf_putc(out, '.');
        buf_append(out, f, n);
    }
}

/* timetz_out: the time, then the zone as EncodeTimezone writes it (+hh,
 * :mm when minutes, :ss when seconds); to_json writes the same text. */
static void format_timetz(int64_t packed, buf_t *out)
{
    format_time(PGTIMETZ_TIME(packed), out);
    int32_t off = PGTIMETZ_ZONE(packed);
    int32_t a = off < 0 ? -off : off;
    int hh = a / 3600, mm = a / 60 % 60, ss = a % 60;
    if (ss)
        buf_printf(out, "%c%02d:%02d:%02d", off < 0 ? '-' : '+', hh, mm, ss);
    else if (mm)
        buf_printf(out, "%c%02d:%02d", off < 0 ? '-' : '+', hh, mm);
    else
        buf_printf(out, "%c%02d", off < 0 ? '-' : '+', hh);
}

/* timetz_cmp_internal: by the UTC instant (the time less the zone east),
 * then by zone, the one further east first (Postgres keeps seconds west and
 * orders the larger west offset last). */
static int timetz_cmp(int64_t a, int64_t b)
{
    int64_t ua = PGTIMETZ_TIME(a) - (int64_t)PGTIMETZ_ZONE(a) * USECS_PER_SEC;
    int64_t ub = PGTIMETZ_TIME(b) - (int64_t)PGTIMETZ_ZONE(b) * USECS_PER_SEC;
    if (ua != ub)
        return ua < ub ? -1 : 1;
    int32_t za = PGTIMETZ_ZONE(a), zb = PGTIMETZ_ZONE(b);
    if (za != zb)
        return za > zb ? -1 : 1;
    return 0;
}

/* bit_in: 'B'/'b' then binary digits, 'X'/'x' then hex digits (four bits
 * each), else binary digits; then to bit(n) as an explicit cast takes it
 * (the bit(bit, integer, boolean) length coercion that follows every cast
 * to bit(n)): cut, or padded with zeros on the right. bit(n) is made only
 * by casts here (no column is of it), so the 22026 of an implicit one does
 * not arise. */
static int bit_from_text(const pgtype_t *t, const char *s, pgvalue_t *out, pgrst_error_t *err)
{
    const char *p = s;
    bool hex = *p == 'x' || *p == 'X';
    if (hex || *p == 'b' || *p == 'B')
        p++;
    buf_t b;
    buf_init(&b);
    for (; *p; p++) {
        int d = hex ? (isdigit((unsigned char)*p) ? *p - '0'
                       : (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10
                       : (*p >= 'A' && *p <= 'F') ? *p - 'A' + 10
                                                  : -1)
                    : (*p == '0' || *p == '1' ? *p - '0' : -1);
        if (d < 0) {
            buf_dispose(&b);
            return pgrst_error_setf(err, "22P02", "\"%.*s\" is not a valid %s digit",
                                    (int)utf8_prefix_bytes(p, strlen(p), 1), p,
                                    hex ? "hexadecimal" : "binary");
        }
        for (int k = hex ? 3 : 0; k >= 0; k--)
            buf_putc(&b, (char)('0' + ((d >> k) & 1)));
    }
    if (t->length > 0) {
        while (b.len < (size_t)t->length)
            buf_putc(&b, '0');
        b.len = (size_t)t->length;
        b.data[b.len] = '\0';
    }
    memset(out, 0, sizeof *out);
    out->s = b.len ? buf_steal(&b) : xstrdup("");
    buf_dispose(&b);
    return 0;
}

/* oidin (oidin_subr): strtoul's decimal, signs and surrounding white space
 * taken; a negative value wraps as a 32-bit int would (-1 is 4294967295),
 * down to -2147483648. */
static int oid_from_text(const char *s, pgvalue_t *out, pgrst_error_t *err)
{
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (!isdigit((unsigned char)*p))
        return invalid_syntax(err, "oid", s);
    uint64_t v = 0;
    bool over = false;
    while (isdigit((unsigned char)*p)) {
        if (v > 0xFFFFFFFFull)
            over = true; /* keep reading: the tail must still be digits */
        else
            v = v * 10 + (uint64_t)(*p - '0');
        p++;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p)
        return invalid_syntax(err, "oid", s);
    if (over || (neg ? v > 0x80000000ull : v > 0xFFFFFFFFull))
        return pgrst_error_setf(err, "22003", "value \"%s\" is out of range for type oid", s);
    set_int(out, neg ? (int64_t)((0x100000000ull - v) & 0xFFFFFFFFull) : (int64_t)v);
    return 0;
}

static void format_date(int64_t days, buf_t *out)
{
    if (days == DATE_NOBEGIN) {
        buf_puts(out, "-infinity");
        return;
    }
    if (days == DATE_NOEND) {
        buf_puts(out, "infinity");
        return;
    }
    int64_t y;
    int m, d;
    civil_from_days(days + PG_EPOCH_DAYS, &y, &m, &d);
    if (y < 0 || y > 9999) {
        buf_printf(out, "%04lld-%02d-%02d", (long long)y, m, d);
        return;
    }
    /* Timestamps are rendered for every row of every response: digits by hand. */
    char t[10] = {(char)('0' + y / 1000),
                  (char)('0' + y / 100 % 10),
                  (char)('0' + y / 10 % 10),
                  (char)('0' + y % 10),
                  '-',
                  (char)('0' + m / 10),
                  (char)('0' + m % 10),
                  '-',
                  (char)('0' + d / 10),
                  (char)('0' + d % 10)};
    buf_append(out, t, sizeof t);
}

/* sep: 'T' (JSON) or ' ' (text). zone: NULL, "+00:00" or "+00". */
static void format_timestamp(int64_t us, char sep, const char *zone, buf_t *out)
{
    if (us == TS_NOBEGIN) {
        buf_puts(out, "-infinity");
        return;
    }
    if (us == TS_NOEND) {
        buf_puts(out, "infinity");
        return;
    }
    int64_t days = us / USECS_PER_DAY;
    int64_t rem = us % USECS_PER_DAY;
    if (rem < 0) {
        rem += USECS_PER_DAY;
        days--;
    }
    format_date(days, out);
    int64_t secs = rem / USECS_PER_SEC, frac = rem % USECS_PER_SEC;
    int h = (int)(secs / 3600), mi = (int)(secs / 60 % 60), se = (int)(secs % 60);
    char t[9] = {sep, (char)('0' + h / 10),  (char)('0' + h % 10),
                 ':', (char)('0' + mi / 10), (char)('0' + mi % 10),
                 ':', (char)('0' + se / 10), (char)('0' + se % 10)};
    buf_append(out, t, sizeof t);
    if (frac) {
        char f[8];
        for (int i = 5; i >= 0; i--, frac /= 10)
            f[i] = (char)('0' + frac % 10);
        size_t n = 6;
        while (f[n - 1] == '0')
            n--;
        buf_putc(out, '.');
        buf_append(out, f, n);
    }
    if (zone)
        buf_puts(out, zone);
}

/* A timestamptz in the session zone (pgtz.h; UTC unless Prefer: timezone=
 * set one): the local time, then the offset as datetime.c EncodeTimezone
 * writes it: +hh, then :mm when minutes or (xsd, JSON) always, :ss when
 * seconds ("-07", "+05:30", "-07:52:58"; JSON "-07:00", "+00:00"). */
static void format_timestamptz(int64_t us, char sep, bool xsd, buf_t *out)
{
    if (us == TS_NOBEGIN || us == TS_NOEND) {
        format_timestamp(us, sep, NULL, out);
        return;
    }
    int32_t off = pgtz_offset(us);
    int32_t a = off < 0 ? -off : off;
    int hh = a / 3600, mm = a / 60 % 60, ss = a % 60;
    char zone[16];
    if (ss)
        snprintf(zone, sizeof zone, "%c%02d:%02d:%02d", off < 0 ? '-' : '+', hh, mm, ss);
    else if (mm || xsd)
        snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+', hh, mm);
    else
        snprintf(zone, sizeof zone, "%c%02d", off < 0 ? '-' : '+', hh);
    format_timestamp(us + (int64_t)off * USECS_PER_SEC, sep, zone, out);
}

/* ------------------------------------------------------------------------ */
/* JSON text input (json_in / jsonb_in) with PG's error details               */
/* ------------------------------------------------------------------------ */

typedef enum jtype { J_NULL, J_FALSE, J_TRUE, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } jtype_t;

typedef struct jnode {
    jtype_t type;
    char *s; /* string: decoded UTF-8; number: canonical numeric text */
    size_t slen;
    struct jnode *items; /* array elements or object values */
    char **keys;         /* object keys (decoded) */
    size_t *keylens;
    size_t n, cap;
} jnode_t;

static void jnode_free(jnode_t *j)
{
    free(j->s);
    for (size_t i = 0; i < j->n; i++) {
        jnode_free(&j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->keylens);
}

typedef struct jparser {
    const char *p, *end;
    bool decode; /* jsonb: build the tree and de-escape strings */
    int depth;
    pgrst_error_t *err;
} jparser_t;

static bool jalnum(char c)
{
    /* JSON_ALPHANUMERIC_CHAR in PG's jsonapi.c */
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (unsigned char)c >= 0x80;
}

/* Sets the json syntax error with detail before + token + after. */
static int jerror(jparser_t *jp, const char *before, const char *tok, size_t toklen,
                  const char *after)
{
    pgrst_error_setf(jp->err, "22P02", "invalid input syntax for type json");
    char *t = xstrndup(tok, toklen);
    pgrst_error_detailsf(jp->err, "%s%s%s", before, t, after);
    free(t);
    return -1;
}

static void skip_ws(jparser_t *jp)
{
    while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
        jp->p++;
}

/* Extent of the token at p, as PG's lexer reports it in "found" messages. */
static size_t token_len(const char *p, const char *end)
{
    if (p >= end)
        return 0;
    if (*p == '"') {
        const char *q = p + 1;
        while (q < end && *q != '"') {
            if (*q == '\\' && q + 1 < end)
                q++;
            q++;
        }
        return (size_t)((q < end ? q + 1 : q) - p);
    }
    if (strchr("{}[],:", *p))
        return 1;
    const char *q = p;
    if (*q == '-')
        q++;
    while (q < end && jalnum(*q))
        q++;
    if (q == p)
        q++;
    return (size_t)(q - p);
}

/* expected: the detail up to the token, e.g. `Expected ":", but found "`. */
static int jexpected(jparser_t *jp, const char *expected)
{
    if (jp->p >= jp->end) {
        pgrst_error_setf(jp->err, "22P02", "invalid input syntax for type json");
        pgrst_error_detailsf(jp->err, "The input string ended unexpectedly.");
        return -1;
    }
    size_t tl = token_len(jp->p, jp->end);
    /* An invalid token is reported as such before any grammar error. */
    if (*jp->p != '"' && !strchr("{}[],:", *jp->p)) {
        bool word = ieqn(jp->p, tl, "true") || ieqn(jp->p, tl, "false") || ieqn(jp->p, tl, "null");
        bool ok_word =
            (tl == 4 && (memcmp(jp->p, "true", 4) == 0 || memcmp(jp->p, "null", 4) == 0)) ||
            (tl == 5 && memcmp(jp->p, "false", 5) == 0);
        (void)word;
        bool num = isdigit((unsigned char)*jp->p) || *jp->p == '-';
        if (!ok_word && !num)
            return jerror(jp, "Token \"", jp->p, tl, "\" is invalid.");
    }
    return jerror(jp, expected, jp->p, tl, "\".");
}

static void utf8_put(buf_t *b, unsigned cp)
{
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xC0 | cp >> 6));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xE0 | cp >> 12));
        buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(b, (char)(0xF0 | cp >> 18));
        buf_putc(b, (char)(0x80 | (cp >> 12 & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* Lexes a string at jp->p (which is '"'); decoded text into *dec when asked. */
static int jstring(jparser_t *jp, buf_t *dec)
{
    const char *start = jp->p;
    jp->p++;
    long hi_surrogate = -1;
    while (jp->p < jp->end && *jp->p != '"') {
        unsigned char c = (unsigned char)*jp->p;
        if (c < 0x20) {
            pgrst_error_setf(jp->err, "22P02", "invalid input syntax for type json");
            pgrst_error_detailsf(jp->err, "Character with value 0x%02x must be escaped.", c);
            return -1;
        }
        if (c != '\\') {
            if (hi_surrogate >= 0) {
                pgrst_error_setf(jp->err, "22P02", "invalid input syntax for type json");
                pgrst_error_detailsf(jp->err,
                                     "Unicode low surrogate must follow a high surrogate.");
                return -1;
            }
            if (dec)
                buf_putc(dec, (char)c);
            jp->p++;
            continue;
        }
        jp->p++;
        if (jp->p >= jp->end)
            break;
        char e = *jp->p;
        if (e == 'u') {
            unsigned cp = 0;
            for (int i = 1; i <= 4; i++) {
                int v = jp->p + i < jp->end ? digit_value(jp->p[i], 16) : -1;
                if (v < 0) {
                    pgrst_error_setf(jp->err, "22P02", "invalid input syntax for type json");
                    pgrst_error_detailsf(jp->err,
                                         "\"\\u\" must be followed by four hexadecimal digits.");
                    return -1;
                }
                cp = cp << 4 | (unsigned)v;
            }
            jp->p += 5;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (hi_surrogate >= 0) {
                    pgrst_error_setf(jp->err, "22P02", "invalid input syntax for type json");
                    pgrst_error_detailsf(
                        jp->err, "Unicode high surrogate must not follow a high surrogate.");
                    return -1;
                }
                hi_surrogate = cp;
                continue;
            }
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                if (hi_surrogate < 0) {
                    pgrst_error_setf(jp->err, "22P02", "invalid input syntax for type json");
                    pgrst_error_detailsf(jp->err,
                                         "Unicode low surrogate must follow a high surrogate.");
                    return -1;
                }
                cp = 0x10000 + (((unsigned)hi_surrogate - 0xD800) << 10) + (cp - 0xDC00);
                hi_surrogate = -1;
            } else if (hi_surrogate >= 0) {
                pgrst_error_setf(jp->err, "22P02", "invalid input syntax for type json");
                pgrst_error_detailsf(jp->err,
                                     "Unicode low surrogate must follow a high surrogate.");
                return -1;
            }
            if (dec) {
                if (cp == 0) {
                    /* jsonb (de-escaping) only; json keeps \u0000 verbatim */
                    pgrst_error_setf(jp->err, "22P05", "unsupported Unicode escape sequence");
                    pgrst_error_detailsf(jp->err, "\\u0000 cannot be converted to text.");
                    return -1;
                }
                utf8_put(dec, cp);
            }
            continue;
        }
        if (hi_surrogate >= 0) {
            pgrst_error_setf(jp->err, "22P02", "invalid input syntax for type json");
            pgrst_error_detailsf(jp->err, "Unicode low surrogate must follow a high surrogate.");
            return -1;
        }
        char r;
        switch (e) {
        case '"':
            r = '"';
            break;
        case '\\':
            r = '\\';
            break;
        case '/':
            r = '/';
            break;
        case 'b':
            r = '\b';
            break;
        case 'f':
            r = '\f';
            break;
        case 'n':
            r = '\n';
            break;
        case 'r':
            r = '\r';
            break;
        case 't':
            r = '\t';
            break;
        default: {
            size_t l = 1;
            while (jp->p + l < jp->end && ((unsigned char)jp->p[l] & 0xC0) == 0x80)
                l++;
            return jerror(jp, "Escape sequence \"\\", jp->p, l, "\" is invalid.");
        }
        }
        if (dec)
            buf_putc(dec, r);
        jp->p++;
    }
    if (jp->p >= jp->end) {
        (void)start;
        pgrst_error_setf(jp->err, "22P02", "invalid input syntax for type json");
        pgrst_error_detailsf(jp->err, "The input string ended unexpectedly.");
        return -1;
    }
    if (hi_surrogate >= 0) {
        pgrst_error_setf(jp->err, "22P02", "invalid input syntax for type json");
        pgrst_error_detailsf(jp->err, "Unicode low surrogate must follow a high surrogate.");
        return -1;
    }
    jp->p++;
    return 0;
}

/* JSON number grammar; the whole alnum run must be a number (PG reports
 * "1x" or "01" as an invalid token). */
static int jnumber(jparser_t *jp, jnode_t *node)
{
    const char *s = jp->p, *q = s;
    if (*q == '-')
        q++;
    bool ok = true;
    if (q < jp->end && *q == '0') {
        q++;
    } else if (q < jp->end && *q >= '1' && *q <= '9') {
        while (q < jp->end && isdigit((unsigned char)*q))
            q++;
    } else {
        ok = false;
    }
    if (ok && q < jp->end && *q == '.') {
        q++;
        if (!(q < jp->end && isdigit((unsigned char)*q)))
            ok = false;
        while (q < jp->end && isdigit((unsigned char)*q))
            q++;
    }
    if (ok && q < jp->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < jp->end && (*q == '+' || *q == '-'))
            q++;
        if (!(q < jp->end && isdigit((unsigned char)*q)))
            ok = false;
        while (q < jp->end && isdigit((unsigned char)*q))
            q++;
    }
    const char *t = q;
    while (t < jp->end && (jalnum(*t) || *t == '.'))
        t++;
    if (!ok || t != q)
        return jerror(jp, "Token \"", s, (size_t)(t - s), "\" is invalid.");
    if (node) {
        char *txt = xstrndup(s, (size_t)(q - s));
        decimal_t d;
        dec_init(&d);
        if (dec_parse(txt, &d) < 0) {
            free(txt);
            buf_dispose(&d.digits);
            return jerror(jp, "Token \"", s, (size_t)(q - s), "\" is invalid.");
        }
        free(txt);
        buf_t b;
        buf_init(&b);
        dec_to_text(&d, &b);
        buf_dispose(&d.digits);
        node->type = J_NUMBER;
        node->slen = b.len;
        node->s = buf_steal(&b);
    }
    jp->p = q;
    return 0;
}

static void jpush(jnode_t *parent, jnode_t *child, char *key, size_t keylen)
{
    if (parent->n == parent->cap) {
        parent->cap = parent->cap ? parent->cap * 2 : 4;
        parent->items = xrealloc(parent->items, parent->cap * sizeof *parent->items);
        if (parent->type == J_OBJECT) {
            parent->keys = xrealloc(parent->keys, parent->cap * sizeof *parent->keys);
            parent->keylens = xrealloc(parent->keylens, parent->cap * sizeof *parent->keylens);
        }
    }
    parent->items[parent->n] = *child;
    if (parent->type == J_OBJECT) {
        parent->keys[parent->n] = key;
        parent->keylens[parent->n] = keylen;
    }
    parent->n++;
}

static int jvalue(jparser_t *jp, jnode_t *node);

static int jcontainer(jparser_t *jp, jnode_t *node, bool object)
{
    if (++jp->depth > 6400) {
        pgrst_error_setf(jp->err, "54001", "stack depth limit exceeded");
        return -1;
    }
    jp->p++; /* [ or { */
    if (node) {
        memset(node, 0, sizeof *node);
        node->type = object ? J_OBJECT : J_ARRAY;
    }
    skip_ws(jp);
    char close = object ? '}' : ']';
    if (jp->p < jp->end && *jp->p == close) {
        jp->p++;
        jp->depth--;
        return 0;
    }
    for (size_t count = 0;; count++) {
        char *key = NULL;
        size_t keylen = 0;
        if (object) {
            if (jp->p >= jp->end || *jp->p != '"')
                return jexpected(jp, count == 0 ? "Expected string or \"}\", but found \""
                                                : "Expected string, but found \"");
            buf_t kb;
            buf_init(&kb);
            if (jstring(jp, node ? &kb : NULL) < 0) {
                buf_dispose(&kb);
                return -1;
            }
            keylen = kb.len;
            key = node ? buf_steal(&kb) : NULL;
            buf_dispose(&kb);
            skip_ws(jp);
            if (jp->p >= jp->end || *jp->p != ':') {
                free(key);
                return jexpected(jp, "Expected \":\", but found \"");
            }
            jp->p++;
            skip_ws(jp);
        }
        jnode_t child;
        memset(&child, 0, sizeof child);
        if (jvalue(jp, node ? &child : NULL) < 0) {
            free(key);
            jnode_free(&child);
            return -1;
        }
        if (node)
            jpush(node, &child, key, keylen);
        skip_ws(jp);
        if (jp->p < jp->end && *jp->p == ',') {
            jp->p++;
            skip_ws(jp);
            continue;
        }
        if (jp->p < jp->end && *jp->p == close) {
            jp->p++;
            break;
        }
        return jexpected(jp, object ? "Expected \",\" or \"}\", but found \""
                                    : "Expected \",\" or \"]\", but found \"");
    }
    jp->depth--;
    return 0;
}

static int jvalue(jparser_t *jp, jnode_t *node)
{
    skip_ws(jp);
    if (jp->p >= jp->end)
        return jexpected(jp, "");
    char c = *jp->p;
    if (c == '{' || c == '[')
        return jcontainer(jp, node, c == '{');
    if (c == '"') {
        buf_t b;
        buf_init(&b);
        if (jstring(jp, node ? &b : NULL) < 0) {
            buf_dispose(&b);
            return -1;
        }
        if (node) {
            node->type = J_STRING;
            node->slen = b.len;
            node->s = buf_steal(&b);
        }
        buf_dispose(&b);
        return 0;
    }
    if (c == '-' || isdigit((unsigned char)c))
        return jnumber(jp, node);
    size_t tl = token_len(jp->p, jp->end);
    if (tl == 4 && memcmp(jp->p, "true", 4) == 0) {
        if (node)
            node->type = J_TRUE;
    } else if (tl == 5 && memcmp(jp->p, "false", 5) == 0) {
        if (node)
            node->type = J_FALSE;
    } else if (tl == 4 && memcmp(jp->p, "null", 4) == 0) {
        if (node)
            node->type = J_NULL;
    } else {
        return jexpected(jp, "Expected JSON value, but found \"");
    }
    jp->p += tl;
    return 0;
}

/* Parses a whole JSON text; node may be NULL (validate only). */
static int json_parse(const char *s, size_t n, bool decode, jnode_t *node, pgrst_error_t *err)
{
    jparser_t jp = {.p = s, .end = s + n, .decode = decode, .err = err};
    if (node)
        memset(node, 0, sizeof *node);
    if (jvalue(&jp, node) < 0)
        return -1;
    skip_ws(&jp);
    if (jp.p < jp.end)
        return jexpected(&jp, "Expected end of input, but found \"");
    return 0;
}

static int key_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    /* lengthCompareJsonbString: shorter keys first, then bytewise */
    if (al != bl)
        return al < bl ? -1 : 1;
    return memcmp(a, b, al);
}

/* jsonb's object normalisation: sort keys, keep the last of duplicates. */
static void jsonb_normalise(jnode_t *j)
{
    for (size_t i = 0; i < j->n; i++)
        jsonb_normalise(&j->items[i]);
    if (j->type != J_OBJECT || j->n < 2)
        return;
    /* stable insertion sort by key so that among duplicates the last stays last */
    for (size_t i = 1; i < j->n; i++) {
        jnode_t item = j->items[i];
        char *k = j->keys[i];
        size_t kl = j->keylens[i];
        size_t m = i;
        while (m > 0 && key_cmp(j->keys[m - 1], j->keylens[m - 1], k, kl) > 0) {
            j->items[m] = j->items[m - 1];
            j->keys[m] = j->keys[m - 1];
            j->keylens[m] = j->keylens[m - 1];
            m--;
        }
        j->items[m] = item;
        j->keys[m] = k;
        j->keylens[m] = kl;
    }
    size_t w = 0;
    for (size_t i = 0; i < j->n; i++) {
        if (i + 1 < j->n &&
            key_cmp(j->keys[i], j->keylens[i], j->keys[i + 1], j->keylens[i + 1]) == 0) {
            jnode_free(&j->items[i]);
            free(j->keys[i]);
            continue;
        }
        j->items[w] = j->items[i];
        j->keys[w] = j->keys[i];
        j->keylens[w] = j->keylens[i];
        w++;
    }
    j->n = w;
}

/* JsonbToCString spacing: ", " between items, ": " after keys. */
static void jsonb_print(const jnode_t *j, buf_t *out)
{
    switch (j->type) {
    case J_NULL:
        buf_puts(out, "null");
        break;
    case J_TRUE:
        buf_puts(out, "true");
        break;
    case J_FALSE:
        buf_puts(out, "false");
        break;
    case J_NUMBER:
        buf_append(out, j->s, j->slen);
        break;
    case J_STRING:
        buf_append_json_string(out, j->s, j->slen);
        break;
    case J_ARRAY:
        buf_putc(out, '[');
        for (size_t i = 0; i < j->n; i++) {
            if (i)
                buf_puts(out, ", ");
            jsonb_print(&j->items[i], out);
        }
        buf_putc(out, ']');
        break;
    case J_OBJECT:
        buf_putc(out, '{');
        for (size_t i = 0; i < j->n; i++) {
            if (i)
                buf_puts(out, ", ");
            buf_append_json_string(out, j->keys[i], j->keylens[i]);
            buf_puts(out, ": ");
            jsonb_print(&j->items[i], out);
        }
        buf_putc(out, '}');
        break;
    }
}

static int json_from_text(const pgtype_t *t, const char *s, size_t n, pgvalue_t *out,
                          pgrst_error_t *err)
{
    if (t->kind == PGTYPE_JSON) {
        if (json_parse(s, n, false, NULL, err) < 0)
            return -1;
        set_str(out, xstrndup(s, n)); /* json keeps its input verbatim */
        return 0;
    }
    jnode_t root;
    if (json_parse(s, n, true, &root, err) < 0) {
        jnode_free(&root);
        return -1;
    }
    jsonb_normalise(&root);
    buf_t b;
    buf_init(&b);
    jsonb_print(&root, &b);
    jnode_free(&root);
    set_str(out, buf_steal(&b));
    return 0;
}

/* jsonb's btree order (compareJsonbContainers in PG's jsonb_util.c): by type
 * (null < string < number < boolean < array < object), arrays by their
 * length first and objects by their number of pairs first, then item by item
 * (an object's pairs in its stored key order, key then value); strings
 * compare as text does here (bytewise), numbers as numeric. A top-level
 * scalar is PG's "raw scalar" pseudo-array of one element, so it sorts
 * before an array of one element, and an empty top-level array sorts
 * before every scalar, null included (PG keeps that anomaly). */
static int jtype_rank(jtype_t t)
{
    switch (t) {
    case J_NULL:
        return 0;
    case J_STRING:
        return 1;
    case J_NUMBER:
        return 2;
    case J_FALSE:
    case J_TRUE:
        return 3;
    case J_ARRAY:
        return 4;
    case J_OBJECT:
        return 5;
    }
    return 0;
}

static int jbytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c)
        return c < 0 ? -1 : 1;
    return al < bl ? -1 : al > bl ? 1 : 0;
}

static int jnode_cmp(const jnode_t *a, const jnode_t *b);

/* Items of two containers of one kind and size, in order. */
static int jitems_cmp(const jnode_t *a, const jnode_t *b)
{
    for (size_t i = 0; i < a->n; i++) {
        if (a->type == J_OBJECT) {
            int c = jbytes_cmp(a->keys[i], a->keylens[i], b->keys[i], b->keylens[i]);
            if (c)
                return c;
        }
        int c = jnode_cmp(&a->items[i], &b->items[i]);
        if (c)
            return c;
    }
    return 0;
}

static int jnode_cmp(const jnode_t *a, const jnode_t *b)
{
    int ra = jtype_rank(a->type), rb = jtype_rank(b->type);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    switch (a->type) {
    case J_NULL:
        return 0;
    case J_FALSE:
    case J_TRUE:
        return a->type == b->type ? 0 : a->type == J_FALSE ? -1 : 1;
    case J_NUMBER:
        return numeric_cmp(a->s, b->s);
    case J_STRING:
        return jbytes_cmp(a->s, a->slen, b->s, b->slen);
    case J_ARRAY:
    case J_OBJECT:
        if (a->n != b->n)
            return a->n < b->n ? -1 : 1;
        return jitems_cmp(a, b);
    }
    return 0;
}

static int jsonb_compare(const char *x, const char *y)
{
    if (strcmp(x, y) == 0)
        return 0; /* one canonical text: one value */
    jnode_t a, b;
    pgrst_error_t ignored;
    pgrst_error_init(&ignored);
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    int c;
    if (json_parse(x, strlen(x), true, &a, &ignored) < 0 ||
        json_parse(y, strlen(y), true, &b, &ignored) < 0) {
        c = strcmp(x, y) < 0 ? -1 : 1; /* not stored jsonb: keep a total order */
    } else {
        bool aarr = a.type == J_ARRAY, barr = b.type == J_ARRAY;
        bool araw = a.type != J_OBJECT && !aarr, braw = b.type != J_OBJECT && !barr;
        if ((aarr || araw) && (barr || braw)) {
            /* both pseudo-arrays or arrays: raw first, then (overriding it)
             * the element counts, then the elements */
            size_t an = araw ? 1 : a.n, bn = braw ? 1 : b.n;
            c = araw != braw ? (araw ? -1 : 1) : 0;
            if (an != bn)
                c = an < bn ? -1 : 1;
            if (!c)
                c = araw ? jnode_cmp(&a, &b) : jitems_cmp(&a, &b);
        } else {
            c = jnode_cmp(&a, &b);
        }
    }
    jnode_free(&a);
    jnode_free(&b);
    pgrst_error_dispose(&ignored);
    return c;
}

/* A hash equal for values jsonb_compare finds equal: numbers through
 * numeric_hash (1.0 and 1 are one jsonb value to the btree order). */
static uint64_t jnode_hash(const jnode_t *j, uint64_t h)
{
    unsigned char tag = (unsigned char)j->type;
    h = fnv1a(&tag, 1, h);
    switch (j->type) {
    case J_NUMBER: {
        uint64_t n = numeric_hash(j->s);
        return fnv1a(&n, sizeof n, h);
    }
    case J_STRING:
        return fnv1a(j->s, j->slen, h);
    case J_ARRAY:
    case J_OBJECT:
        h = fnv1a(&j->n, sizeof j->n, h);
        for (size_t i = 0; i < j->n; i++) {
            if (j->type == J_OBJECT)
                h = fnv1a(j->keys[i], j->keylens[i] + 1, h);
            h = jnode_hash(&j->items[i], h);
        }
        return h;
    default:
        return h;
    }
}

static uint64_t jsonb_hash(const char *text)
{
    jnode_t j;
    pgrst_error_t ignored;
    pgrst_error_init(&ignored);
    uint64_t h = json_parse(text, strlen(text), true, &j, &ignored) < 0
                     ? fnv1a(text, strlen(text), FNV_OFFSET)
                     : jnode_hash(&j, FNV_OFFSET);
    jnode_free(&j);
    pgrst_error_dispose(&ignored);
    return h;
}

/* ------------------------------------------------------------------------ */
/* arrays (array_in / array_out), one dimension                              */
/* ------------------------------------------------------------------------ */

static int scalar_from_text(const pgtype_t *t, const char *s, size_t n, pgvalue_t *out,
                            pgrst_error_t *err);

static int malformed_array(pgrst_error_t *err, const char *input, const char *detail)
{
    pgrst_error_setf(err, "22P02", "malformed array literal: \"%s\"", input);
    pgrst_error_detailsf(err, "%s", detail);
    return -1;
}

static void free_elems(pgvalue_t *elems, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pgvalue_dispose(&elems[i]);
    free(elems);
}

static int array_from_text(const pgtype_t *t, const char *s, pgvalue_t *out, pgrst_error_t *err)
{
    pgtype_t et = *t;
    et.is_array = false;
    const char *p = s;
    while (is_pg_space(*p))
        p++;
    if (*p != '{')
        return malformed_array(err, s,
                               "Array value must start with \"{\" or dimension information.");
    p++;
    pgvalue_t *elems = NULL;
    size_t n = 0, cap = 0;
    buf_t item;
    buf_init(&item);
    while (is_pg_space(*p))
        p++;
    if (*p == '}') {
        p++;
        goto tail;
    }
    for (;;) {
        while (is_pg_space(*p))
            p++;
        buf_reset(&item);
        bool quoted = false, any = false;
        if (*p == '{') {
            buf_dispose(&item);
            free_elems(elems, n);
            pgrst_error_setf(err, "0A000", "multidimensional arrays are not supported");
            return -1;
        }
        /* element: a run of quoted and unquoted pieces, backslash escapes */
        size_t trail_ws_keep = 0;
        while (*p && *p != ',' && *p != '}') {
            if (*p == '"') {
                quoted = true;
                any = true;
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && p[1])
                        p++;
                    buf_putc(&item, *p++);
                }
                if (*p != '"') {
                    buf_dispose(&item);
                    free_elems(elems, n);
                    return malformed_array(err, s, "Unexpected end of input.");
                }
                p++;
                trail_ws_keep = item.len;
            } else if (*p == '\\' && p[1]) {
                p++;
                buf_putc(&item, *p++);
                any = true;
                trail_ws_keep = item.len;
            } else if (*p == '{' || *p == '"') {
                buf_dispose(&item);
                free_elems(elems, n);
                return malformed_array(err, s, "Unexpected \"{\" character.");
            } else {
                if (!is_pg_space(*p))
                    any = true;
                buf_putc(&item, *p++);
                if (!is_pg_space(item.data[item.len - 1]))
                    trail_ws_keep = item.len;
            }
        }
        if (!*p) {
            buf_dispose(&item);
            free_elems(elems, n);
            return malformed_array(err, s, "Unexpected end of input.");
        }
        if (!any) {
            buf_dispose(&item);
            free_elems(elems, n);
            return malformed_array(
                err, s, *p == '}' ? "Unexpected \"}\" character." : "Unexpected \",\" character.");
        }
        /* unquoted trailing whitespace is dropped */
        item.len = trail_ws_keep;
        if (item.data)
            item.data[item.len] = '\0';
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            elems = xrealloc(elems, cap * sizeof *elems);
        }
        if (!quoted && item.len == 4 && strncasecmp(buf_cstr(&item), "NULL", 4) == 0) {
            pgvalue_init_null(&elems[n++]);
        } else {
            pgvalue_t v;
            if (scalar_from_text(&et, buf_cstr(&item), item.len, &v, err) < 0) {
                buf_dispose(&item);
                free_elems(elems, n);
                return -1;
            }
            elems[n++] = v;
        }
        if (*p == '}') {
            p++;
            break;
        }
        p++; /* ',' */
    }
tail:
    buf_dispose(&item);
    while (is_pg_space(*p))
        p++;
    if (*p) {
        free_elems(elems, n);
        return malformed_array(err, s, "Junk after closing right brace.");
    }
    memset(out, 0, sizeof *out);
    out->elems = elems;
    out->nelems = n;
    return 0;
}

static bool array_elem_needs_quotes(const char *s)
{
    if (!*s)
        return true;
    if (strcasecmp(s, "NULL") == 0)
        return true;
    for (const char *p = s; *p; p++)
        if (*p == '{' || *p == '}' || *p == ',' || *p == '"' || *p == '\\' || is_pg_space(*p))
            return true;
    return false;
}

/* ------------------------------------------------------------------------ */
/* text input                                                                */
/* ------------------------------------------------------------------------ */

static int scalar_from_text(const pgtype_t *t, const char *s, size_t n, pgvalue_t *out,
                            pgrst_error_t *err)
{
    switch (t->kind) {
    case PGTYPE_UUID: {
        char u[37];
        if (parse_uuid(s, u) < 0)
            return invalid_syntax(err, "uuid", s);
        set_str(out, xstrdup(u));
        return 0;
    }
    case PGTYPE_TEXT:
        set_str(out, xstrndup(s, n));
        return 0;
    case PGTYPE_NAME: {
        /* namein: silently cut to NAMEDATALEN - 1 bytes, on a character */
        size_t len = n;
        if (len > 63) {
            len = 63;
            while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
                len--;
        }
        set_str(out, xstrndup(s, len));
        return 0;
    }
    case PGTYPE_BYTEA:
        return pgbytea_from_text(s, n, out, err);
    case PGTYPE_OID:
        return oid_from_text(s, out, err);
    case PGTYPE_TIME:
        return time_from_text(s, out, err);
    case PGTYPE_TIMETZ:
        return timetz_from_text(s, out, err);
    case PGTYPE_BIT:
        return bit_from_text(t, s, out, err);
    case PGTYPE_LTREE:
        return pgltree_from_text(s, out, err);
    case PGTYPE_TSVECTOR: {
        /* tsvectorin, kept as tsvectorout writes it back (sorted, merged). */
        tsvector_t v;
        char *why;
        const char *code;
        if (tsvector_parse(s, n, &v, &why, &code) < 0) {
            pgrst_error_setf(err, code, "%s", why);
            free(why);
            return -1;
        }
        buf_t b;
        buf_init(&b);
        tsvector_render(&v, &b);
        tsvector_dispose(&v);
        set_str(out, buf_steal(&b));
        return 0;
    }
    case PGTYPE_INT4RANGE:
    case PGTYPE_INT8RANGE:
    case PGTYPE_NUMRANGE:
    case PGTYPE_DATERANGE:
    case PGTYPE_TSRANGE:
    case PGTYPE_TSTZRANGE:
        return pgrange_from_text(t, s, out, err);
    case PGTYPE_VARCHAR:
    case PGTYPE_CHAR: {
        size_t len = n;
        if (t->length > 0) {
            size_t chars = utf8_chars(s, n);
            if (chars > (size_t)t->length) {
                /* Excess characters that are all spaces are truncated silently. */
                size_t cut = utf8_prefix_bytes(s, n, (size_t)t->length);
                for (size_t i = cut; i < n; i++)
                    if (s[i] != ' ')
                        return pgrst_error_setf(err, "22001", "value too long for type %s(%d)",
                                                t->kind == PGTYPE_CHAR ? "character"
                                                                       : "character varying",
                                                (int)t->length);
                len = cut;
            }
        }
        if (t->kind == PGTYPE_CHAR && t->length > 0) {
            size_t chars = utf8_chars(s, len);
            buf_t b;
            buf_init(&b);
            buf_append(&b, s, len);
            for (size_t i = chars; i < (size_t)t->length; i++)
                buf_putc(&b, ' ');
            set_str(out, buf_steal(&b));
            return 0;
        }
        set_str(out, xstrndup(s, len));
        return 0;
    }
    case PGTYPE_INT2:
    case PGTYPE_INT4:
    case PGTYPE_INT8: {
        int64_t min = t->kind == PGTYPE_INT2   ? INT16_MIN
                      : t->kind == PGTYPE_INT4 ? INT32_MIN
                                               : INT64_MIN;
        int64_t max = t->kind == PGTYPE_INT2   ? INT16_MAX
                      : t->kind == PGTYPE_INT4 ? INT32_MAX
                                               : INT64_MAX;
        int64_t v;
        int rc = parse_int(s, min, max, &v);
        if (rc == -1)
            return invalid_syntax(err, base_name(t), s);
        if (rc == -2)
            return pgrst_error_setf(err, "22003", "value \"%s\" is out of range for type %s", s,
                                    base_name(t));
        set_int(out, v);
        return 0;
    }
    case PGTYPE_NUMERIC:
        return numeric_from_text(t, s, out, err);
    case PGTYPE_FLOAT4:
    case PGTYPE_FLOAT8: {
        double v;
        size_t ns = 0, nl = 0;
        int rc = parse_float(s, t->kind == PGTYPE_FLOAT4, &v, &ns, &nl);
        if (rc == -1)
            return invalid_syntax(err, base_name(t), s);
        if (rc == -2) {
            char *num = xstrndup(s + ns, nl);
            pgrst_error_setf(err, "22003", "\"%s\" is out of range for type %s", num, base_name(t));
            free(num);
            return -1;
        }
        memset(out, 0, sizeof *out);
        out->f = v;
        return 0;
    }
    case PGTYPE_BOOL: {
        bool b;
        if (parse_bool(s, &b) < 0)
            return invalid_syntax(err, "boolean", s);
        set_int(out, b ? 1 : 0);
        return 0;
    }
    case PGTYPE_DATE:
    case PGTYPE_TIMESTAMP:
    case PGTYPE_TIMESTAMPTZ:
        return datetime_from_text(t, s, out, err);
    case PGTYPE_JSON:
    case PGTYPE_JSONB:
        return json_from_text(t, s, n, out, err);
    case PGTYPE_ENUM: {
        /* enum_in: exact, case-sensitive label match; no trimming. */
        const pgtype_enum_t *e = t->enum_def;
        for (size_t i = 0; e && i < e->label_count; i++) {
            if (strcmp(e->labels[i], s) == 0) {
                set_str(out, xstrdup(s));
                out->i = (int64_t)i; /* label position, for ordering */
                return 0;
            }
        }
        return pgrst_error_setf(err, "22P02", "invalid input value for enum %s: \"%s\"",
                                e ? e->name : "enum", s);
    }
    }
    return invalid_syntax(err, base_name(t), s);
}

int pgvalue_from_text(const pgtype_t *t, const char *s, size_t n, pgvalue_t *out,
                      pgrst_error_t *err)
{
    if (memchr(s, '\0', n)) {
        /* Text parameters cannot carry NUL bytes: the server rejects the bytes
         * before any input function runs. */
        return pgrst_error_setf(err, "22021", "invalid byte sequence for encoding \"UTF8\": 0x00");
    }
    char *copy = xstrndup(s, n);
    pgvalue_t v;
    int rc =
        t->is_array ? array_from_text(t, copy, &v, err) : scalar_from_text(t, copy, n, &v, err);
    free(copy);
    if (rc == 0) {
        v.is_null = false;
        *out = v;
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* JSON input (json_populate_record's populate_record_field)                 */
/* ------------------------------------------------------------------------ */

/* The JSON text of a number as cJSON kept it. cJSON keeps only a double, so
 * the original spelling is lost: "1.50" arrives as 1.5 and "1e3" as 1000.
 * Integral values print without a fraction, others with the shortest
 * round-trip digits. Callers holding the raw body text can do better. */
static char *json_number_text(const cJSON *j)
{
    double v = j->valuedouble;
    if (v == floor(v) && fabs(v) < 1e15)
        return xasprintf("%.0f", v);
    buf_t b;
    buf_init(&b);
    char tmp[64];
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*g", p, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    buf_puts(&b, tmp);
    return buf_steal(&b);
}

/* The raw JSON text populate_scalar would hand to the input function. */
static char *json_raw_text(const cJSON *j)
{
    if (cJSON_IsNumber(j))
        return json_number_text(j);
    if (cJSON_IsTrue(j))
        return xstrdup("true");
    if (cJSON_IsFalse(j))
        return xstrdup("false");
    /* Objects and arrays: cJSON re-prints compactly; PG would keep the
     * original spacing of the request body. */
    char *p = cJSON_PrintUnformatted(j);
    MOCK_ASSERT(p != NULL);
    char *r = xstrdup(p);
    cJSON_free(p);
    return r;
}

static int from_json_named(const pgtype_t *t, const cJSON *j, const char *colname, pgvalue_t *out,
                           pgrst_error_t *err);

static int array_from_json(const pgtype_t *t, const cJSON *j, const char *colname, pgvalue_t *out,
                           pgrst_error_t *err)
{
    pgtype_t et = *t;
    et.is_array = false;
    size_t n = (size_t)cJSON_GetArraySize(j);
    pgvalue_t *elems = n ? xcalloc(n, sizeof *elems) : NULL;
    size_t i = 0;
    for (const cJSON *c = j->child; c; c = c->next, i++) {
        if (cJSON_IsArray(c)) {
            free_elems(elems, i);
            return pgrst_error_setf(err, "0A000", "multidimensional arrays are not supported");
        }
        if (from_json_named(&et, c, colname, &elems[i], err) < 0) {
            free_elems(elems, i);
            return -1;
        }
    }
    memset(out, 0, sizeof *out);
    out->elems = elems;
    out->nelems = n;
    return 0;
}

static int from_json_named(const pgtype_t *t, const cJSON *j, const char *colname, pgvalue_t *out,
                           pgrst_error_t *err)
{
    if (!j || cJSON_IsNull(j)) {
        pgvalue_init_null(out);
        return 0;
    }
    if (cJSON_IsString(j)) {
        const char *s = j->valuestring;
        if (t->kind == PGTYPE_JSON || t->kind == PGTYPE_JSONB) {
            if (!t->is_array) {
                /* a JSON string into json/jsonb stays a JSON string */
                buf_t b;
                buf_init(&b);
                buf_put_json_string(&b, s);
                pgvalue_t v;
                int rc = pgvalue_from_text(t, b.data, b.len, &v, err);
                buf_dispose(&b);
                if (rc == 0)
                    *out = v;
                return rc;
            }
        }
        return pgvalue_from_text(t, s, strlen(s), out, err);
    }
    if (t->is_array) {
        if (!cJSON_IsArray(j)) {
            pgrst_error_setf(err, "22P02", "expected JSON array");
            if (colname)
                pgrst_error_hintf(err, "See the value of key \"%s\".", colname);
            return -1;
        }
        return array_from_json(t, j, colname, out, err);
    }
    char *raw = json_raw_text(j);
    int rc = pgvalue_from_text(t, raw, strlen(raw), out, err);
    free(raw);
    return rc;
}

int pgvalue_from_json(const pgtype_t *t, const cJSON *j, pgvalue_t *out, pgrst_error_t *err)
{
    return from_json_named(t, j, NULL, out, err);
}

int pgvalue_from_json_column(const pgtype_t *t, const cJSON *j, const char *colname, pgvalue_t *out,
                             pgrst_error_t *err)
{
    return from_json_named(t, j, colname, out, err);
}

/* ------------------------------------------------------------------------ */
/* ordering and hashing                                                      */
/* ------------------------------------------------------------------------ */

static int cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b ? 1 : 0;
}

static int scalar_compare(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    switch (t->kind) {
    case PGTYPE_INT2:
    case PGTYPE_INT4:
    case PGTYPE_INT8:
    case PGTYPE_BOOL:
    case PGTYPE_DATE:
    case PGTYPE_TIMESTAMP:
    case PGTYPE_TIMESTAMPTZ:
    case PGTYPE_OID:
    case PGTYPE_TIME:
        return cmp_i64(a->i, b->i);
    case PGTYPE_TIMETZ:
        return timetz_cmp(a->i, b->i);
    case PGTYPE_BIT: {
        /* bit_cmp: the common bits, then the shorter first ('0' < '1'). */
        int c = strcmp(a->s, b->s);
        return c < 0 ? -1 : c > 0;
    }
    case PGTYPE_LTREE:
        return pgltree_compare(a->s, b->s);
    case PGTYPE_ENUM:
        /* enums sort by label position (i is set by the input function) */
        return cmp_i64(a->i, b->i);
    case PGTYPE_FLOAT4:
    case PGTYPE_FLOAT8:
        return float_cmp(a->f, b->f);
    case PGTYPE_NUMERIC:
        return numeric_cmp(a->s, b->s);
    case PGTYPE_CHAR: {
        /* bpchar ignores trailing spaces */
        size_t al = strlen(a->s), bl = strlen(b->s);
        while (al > 0 && a->s[al - 1] == ' ')
            al--;
        while (bl > 0 && b->s[bl - 1] == ' ')
            bl--;
        int c = memcmp(a->s, b->s, al < bl ? al : bl);
        if (c)
            return c < 0 ? -1 : 1;
        return cmp_i64((int64_t)al, (int64_t)bl);
    }
    case PGTYPE_INT4RANGE:
    case PGTYPE_INT8RANGE:
    case PGTYPE_NUMRANGE:
    case PGTYPE_DATERANGE:
    case PGTYPE_TSRANGE:
    case PGTYPE_TSTZRANGE:
        return pgrange_compare(t, a, b);
    case PGTYPE_JSONB:
        return jsonb_compare(a->s, b->s);
    case PGTYPE_UUID:
    case PGTYPE_TEXT:
    case PGTYPE_NAME: /* name's collation is C: bytewise */
    case PGTYPE_VARCHAR:
    case PGTYPE_JSON:
    case PGTYPE_BYTEA: /* the hex text orders as byteacmp orders the bytes */
    case PGTYPE_TSVECTOR: {
        /* tsvector: by its canonical text, not tsvector_cmp's order (sizes
         * first); equal values compare equal either way.
         * Text uses C collation (bytewise). Supabase databases use
         * en_US.UTF-8, where e.g. "a" < "B"; the mock orders "B" < "a".
         * json has no btree order in PG; the text order is used for stable
         * sorting. */
        int c = strcmp(a->s, b->s);
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    }
    return 0;
}

int pgvalue_compare(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    if (!t->is_array)
        return scalar_compare(t, a, b);
    /* array_cmp: element-wise; NULL elements sort after non-NULL ones; then
     * the shorter array first. */
    pgtype_t et = *t;
    et.is_array = false;
    size_t n = a->nelems < b->nelems ? a->nelems : b->nelems;
    for (size_t i = 0; i < n; i++) {
        const pgvalue_t *x = &a->elems[i], *y = &b->elems[i];
        if (x->is_null || y->is_null) {
            if (x->is_null && y->is_null)
                continue;
            return x->is_null ? 1 : -1;
        }
        int c = scalar_compare(&et, x, y);
        if (c)
            return c;
    }
    return cmp_i64((int64_t)a->nelems, (int64_t)b->nelems);
}

static uint64_t scalar_hash(const pgtype_t *t, const pgvalue_t *v)
{
    switch (t->kind) {
    case PGTYPE_INT2:
    case PGTYPE_INT4:
    case PGTYPE_INT8:
    case PGTYPE_BOOL:
    case PGTYPE_DATE:
    case PGTYPE_TIMESTAMP:
    case PGTYPE_TIMESTAMPTZ:
    case PGTYPE_ENUM:
    case PGTYPE_OID:
    case PGTYPE_TIME:
    case PGTYPE_TIMETZ:
        return mix64((uint64_t)v->i);
    case PGTYPE_FLOAT4:
    case PGTYPE_FLOAT8: {
        double f = v->f;
        if (f == 0)
            f = 0; /* -0 == 0 */
        if (isnan(f))
            return 0x7ff8000000000000ULL;
        uint64_t bits;
        memcpy(&bits, &f, sizeof bits);
        return mix64(bits);
    }
    case PGTYPE_NUMERIC:
        return numeric_hash(v->s);
    case PGTYPE_CHAR: {
        size_t l = strlen(v->s);
        while (l > 0 && v->s[l - 1] == ' ')
            l--;
        return fnv1a(v->s, l, FNV_OFFSET);
    }
    case PGTYPE_JSONB:
        return jsonb_hash(v->s);
    case PGTYPE_UUID:
    case PGTYPE_TEXT:
    case PGTYPE_NAME:
    case PGTYPE_VARCHAR:
    case PGTYPE_JSON:
    case PGTYPE_TSVECTOR:
    case PGTYPE_BYTEA:
    case PGTYPE_LTREE:
    case PGTYPE_BIT:
    case PGTYPE_INT4RANGE: /* ranges: the canonical text is one per value */
    case PGTYPE_INT8RANGE:
    case PGTYPE_NUMRANGE:
    case PGTYPE_DATERANGE:
    case PGTYPE_TSRANGE:
    case PGTYPE_TSTZRANGE:
        return fnv1a(v->s, strlen(v->s), FNV_OFFSET);
    }
    return 0;
}

uint64_t pgvalue_hash(const pgtype_t *t, const pgvalue_t *v)
{
    if (v->is_null)
        return 0x9e3779b97f4a7c15ULL;
    if (!t->is_array)
        return scalar_hash(t, v);
    pgtype_t et = *t;
    et.is_array = false;
    uint64_t h = FNV_OFFSET ^ v->nelems;
    for (size_t i = 0; i < v->nelems; i++) {
        uint64_t e = v->elems[i].is_null ? 0x9e3779b97f4a7c15ULL : scalar_hash(&et, &v->elems[i]);
        h = mix64(h ^ e);
    }
    return h;
}

/* ------------------------------------------------------------------------ */
/* output                                                                    */
/* ------------------------------------------------------------------------ */

static void scalar_text(const pgtype_t *t, const pgvalue_t *v, buf_t *out)
{
    switch (t->kind) {
    case PGTYPE_INT2:
    case PGTYPE_INT4:
    case PGTYPE_INT8:
    case PGTYPE_OID:
        buf_put_int(out, (long long)v->i);
        break;
    case PGTYPE_TIME:
        format_time(v->i, out);
        break;
    case PGTYPE_TIMETZ:
        format_timetz(v->i, out);
        break;
    case PGTYPE_BOOL:
        buf_putc(out, v->i ? 't' : 'f');
        break;
    case PGTYPE_FLOAT4:
    case PGTYPE_FLOAT8:
        float_to_text(v->f, t->kind == PGTYPE_FLOAT4, out);
        break;
    case PGTYPE_DATE:
        format_date(v->i, out);
        break;
    case PGTYPE_TIMESTAMP:
        format_timestamp(v->i, ' ', NULL, out);
        break;
    case PGTYPE_TIMESTAMPTZ:
        format_timestamptz(v->i, ' ', false, out);
        break;
    default:
        buf_puts(out, v->s ? v->s : "");
        break;
    }
}

void pgvalue_render_text(const pgtype_t *t, const pgvalue_t *v, buf_t *out)
{
    if (v->is_null)
        return;
    if (!t->is_array) {
        scalar_text(t, v, out);
        return;
    }
    pgtype_t et = *t;
    et.is_array = false;
    buf_t tmp;
    buf_init(&tmp);
    buf_putc(out, '{');
    for (size_t i = 0; i < v->nelems; i++) {
        if (i)
            buf_putc(out, ',');
        if (v->elems[i].is_null) {
            buf_puts(out, "NULL");
            continue;
        }
        buf_reset(&tmp);
        scalar_text(&et, &v->elems[i], &tmp);
        const char *s = buf_cstr(&tmp);
        if (!array_elem_needs_quotes(s)) {
            buf_puts(out, s);
            continue;
        }
        buf_putc(out, '"');
        for (const char *p = s; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_putc(out, '\\');
            buf_putc(out, *p);
        }
        buf_putc(out, '"');
    }
    buf_putc(out, '}');
    buf_dispose(&tmp);
}

/* A number's text is bare JSON only if it is a valid JSON number
 * (IsValidJsonNumber): NaN and Infinity become strings. */
static void put_number_json(const char *s, buf_t *out)
{
    if (strcmp(s, "NaN") == 0 || strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0)
        buf_put_json_string(out, s);
    else
        buf_puts(out, s);
}

static void scalar_json(const pgtype_t *t, const pgvalue_t *v, buf_t *out)
{
    switch (t->kind) {
    case PGTYPE_INT2:
    case PGTYPE_INT4:
    case PGTYPE_INT8:
        buf_put_int(out, (long long)v->i);
        break;
    case PGTYPE_OID:
        /* to_json writes only the int, float and numeric types bare
         * (json_categorize_type); an oid is its text in quotes. */
        buf_printf(out, "\"%lld\"", (long long)v->i);
        break;
    case PGTYPE_BIT:
        buf_put_json_string(out, v->s);
        break;
    case PGTYPE_TIME:
    case PGTYPE_TIMETZ: {
        buf_t tmp;
        buf_init(&tmp);
        if (t->kind == PGTYPE_TIMETZ)
            format_timetz(v->i, &tmp);
        else
            format_time(v->i, &tmp);
        buf_put_json_string(out, buf_cstr(&tmp));
        buf_dispose(&tmp);
        break;
    }
    case PGTYPE_BOOL:
        buf_puts(out, v->i ? "true" : "false");
        break;
    case PGTYPE_FLOAT4:
    case PGTYPE_FLOAT8: {
        buf_t tmp;
        buf_init(&tmp);
        float_to_text(v->f, t->kind == PGTYPE_FLOAT4, &tmp);
        put_number_json(buf_cstr(&tmp), out);
        buf_dispose(&tmp);
        break;
    }
    case PGTYPE_NUMERIC:
        put_number_json(v->s, out);
        break;
    case PGTYPE_DATE:
    case PGTYPE_TIMESTAMP:
    case PGTYPE_TIMESTAMPTZ: {
        /* datum_to_json uses ISO 8601 with 'T' (JsonEncodeDateTime), and
         * "+00:00" for the UTC session zone; infinities as "infinity". */
        buf_t tmp;
        buf_init(&tmp);
        if (t->kind == PGTYPE_DATE)
            format_date(v->i, &tmp);
        else if (t->kind == PGTYPE_TIMESTAMPTZ)
            format_timestamptz(v->i, 'T', true, &tmp);
        else
            format_timestamp(v->i, 'T', NULL, &tmp);
        buf_put_json_string(out, buf_cstr(&tmp));
        buf_dispose(&tmp);
        break;
    }
    case PGTYPE_JSON:
    case PGTYPE_JSONB:
        buf_puts(out, v->s);
        break;
    case PGTYPE_UUID:
    case PGTYPE_TEXT:
    case PGTYPE_NAME:
    case PGTYPE_VARCHAR:
    case PGTYPE_CHAR:
    case PGTYPE_ENUM:
    case PGTYPE_TSVECTOR:
    case PGTYPE_BYTEA:
    case PGTYPE_LTREE:
    case PGTYPE_INT4RANGE:
    case PGTYPE_INT8RANGE:
    case PGTYPE_NUMRANGE:
    case PGTYPE_DATERANGE:
    case PGTYPE_TSRANGE:
    case PGTYPE_TSTZRANGE:
        buf_put_json_string(out, v->s ? v->s : "");
        break;
    }
}

void pgvalue_render_json(const pgtype_t *t, const pgvalue_t *v, buf_t *out)
{
    if (v->is_null) {
        buf_puts(out, "null");
        return;
    }
    if (!t->is_array) {
        scalar_json(t, v, out);
        return;
    }
    /* array_to_json_internal: elements separated by "," (no space) */
    pgtype_t et = *t;
    et.is_array = false;
    buf_putc(out, '[');
    for (size_t i = 0; i < v->nelems; i++) {
        if (i)
            buf_putc(out, ',');
        pgvalue_render_json(&et, &v->elems[i], out);
    }
    buf_putc(out, ']');
}
