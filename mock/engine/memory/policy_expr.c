/* Policy expressions: Postgres's raw parse tree of the expression (read by
 * its own grammar through sql_parse_expr; this file never sees pg_query.h)
 * turned into typed nodes with Postgres's operator resolution done at parse
 * time (unknown literals take the other side's type, implicit casts are
 * inserted, mismatches are 42883) and column references resolved through the
 * scopes of subqueries as parse_relation.c resolves them; three-valued
 * evaluation over a row, the JWT claims and (for EXISTS / IN / scalar
 * subqueries) the store's rows as the role may see them; deparsing in
 * pg_get_expr's form. It does not know about roles, commands or which
 * policies apply: that is security.c's and rest's (reached through
 * env->reader for a subquery's table). */
#include "policy_expr_int.h"
#include "pg_like.h"
#include "sql_agg.h"

#include "sql_parse.h"
#include "fuzzy.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Nesting cap: deeper input fails like Postgres's stack check (54001) instead
 * of overflowing our stack. */
#define POLICY_MAX_DEPTH 200
/* Subqueries nest at most this deep (scopes), and a FROM list names at most
 * this many tables: a policy is written by hand, not generated. */
#define POLICY_MAX_SCOPES 16
#define POLICY_MAX_FROM   8
/* Rows a subquery may combine in one evaluation when no request bounds the
 * work (env->work NULL): the nested loops are charged one step each. */
#define POLICY_LOCAL_STEPS 4000000

static const char *const FUNC_NAMES[] = {"uid", "role", "email", "jwt"};
static const char *const SQLVAL_NAMES[] = {"CURRENT_USER", "CURRENT_ROLE", "SESSION_USER", "USER"};
static const char *const CMP_NAMES[] = {"=", "<>", "<", "<=", ">", ">="};

/* ------------------------------------------------------------------------ */
/* types                                                                     */
/* ------------------------------------------------------------------------ */

/* A pgtype_t plus the two pseudo types the parser needs: `unknown` (a string
 * literal or NULL not yet resolved, as in PG's parser) and `name` (the type of
 * current_user; stored as text). */

static ptype_t ptype_of(pgtype_kind_t k)
{
    ptype_t p;
    memset(&p, 0, sizeof p);
    p.t.kind = k;
    p.t.length = -1;
    return p;
}

static ptype_t ptype_special(int special)
{
    ptype_t p = ptype_of(PGTYPE_TEXT);
    p.special = special;
    return p;
}

static const char *ptype_name(const ptype_t *p, char *scratch, size_t n)
{
    if (p->special == SP_UNKNOWN)
        return "unknown";
    return pgtype_name(&p->t, scratch, n);
}

static bool ptype_equal(const ptype_t *a, const ptype_t *b)
{
    return a->special == b->special && a->t.kind == b->t.kind && a->t.is_array == b->t.is_array &&
           a->t.length == b->t.length && a->t.enum_def == b->t.enum_def;
}

static bool kind_is_datetime(pgtype_kind_t k)
{
    return k == PGTYPE_DATE || k == PGTYPE_TIMESTAMP || k == PGTYPE_TIMESTAMPTZ;
}
static bool is_scalar(const ptype_t *p, bool (*pred)(pgtype_kind_t))
{
    return p->special == SP_NONE && !p->t.is_array && pred(p->t.kind);
}
static bool is_bool(const ptype_t *p)
{
    return p->special == SP_NONE && !p->t.is_array && p->t.kind == PGTYPE_BOOL;
}

/* ------------------------------------------------------------------------ */
/* nodes                                                                     */
/* ------------------------------------------------------------------------ */

static const char *rte_refname(const rte_t *r)
{
    return r->alias ? r->alias : store_table_name(r->t);
}

struct policy_expr {
    node_t *root;
    const store_table_t *t; /* borrowed: column names for deparse, types */
};

static void node_free(node_t *n);

static void from_free(from_item_t *f)
{
    if (!f)
        return;
    from_free(f->l);
    from_free(f->r);
    node_free(f->on);
    free(f);
}

static void subq_free(subq_t *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nrte; i++)
        free(q->rtes[i].alias);
    free(q->rtes);
    for (size_t i = 0; i < q->nfrom; i++)
        from_free(q->from[i]);
    free(q->from);
    node_free(q->where);
    for (size_t i = 0; i < q->ntarget; i++) {
        node_free(q->targets[i]);
        free(q->names[i]);
    }
    free(q->targets);
    free(q->names);
    node_free(q->test);
    for (size_t i = 0; i < q->nsort; i++)
        node_free(q->sort[i]);
    free(q->sort);
    free(q->sort_target);
    free(q->sort_desc);
    free(q->sort_nulls_first);
    node_free(q->limit);
    node_free(q->offset);
    if (q->aggs) {
        for (size_t i = 0; i < q->aggs->n; i++) {
            node_free(q->aggs->v[i].arg);
            node_free(q->aggs->v[i].arg2);
        }
        free(q->aggs->v);
        free(q->aggs);
    }
    free(q);
}

static node_t *node_new(nkind_t k, size_t loc)
{
    node_t *n = xcalloc(1, sizeof *n);
    n->kind = k;
    n->loc = loc;
    pgvalue_init_null(&n->val);
    return n;
}

static void node_free(node_t *n)
{
    if (!n)
        return;
    pgvalue_dispose(&n->val);
    subq_free(n->sq);
    node_free(n->a);
    node_free(n->b);
    for (size_t i = 0; i < n->nargs; i++)
        node_free(n->args[i]);
    free(n->args);
    free(n);
}

static node_t *node_clone(const node_t *n)
{
    if (!n)
        return NULL;
    node_t *c = xmalloc(sizeof *c);
    *c = *n;
    c->sq = NULL; /* callers never clone a subquery (contains_sublink) */
    pgvalue_copy(&c->val, &n->val);
    c->a = node_clone(n->a);
    c->b = node_clone(n->b);
    c->args = NULL;
    if (n->nargs) {
        c->args = xcalloc(n->nargs, sizeof *c->args);
        for (size_t i = 0; i < n->nargs; i++)
            c->args[i] = node_clone(n->args[i]);
    }
    return c;
}

static void node_push_arg(node_t *n, node_t *arg)
{
    n->args = xrealloc(n->args, (n->nargs + 1) * sizeof *n->args);
    n->args[n->nargs++] = arg;
}

static bool contains_sublink(const node_t *n)
{
    if (!n)
        return false;
    if (n->kind == N_SUBLINK)
        return true;
    if (contains_sublink(n->a) || contains_sublink(n->b))
        return true;
    for (size_t i = 0; i < n->nargs; i++)
        if (contains_sublink(n->args[i]))
            return true;
    return false;
}

static bool contains_column(const node_t *n)
{
    if (!n)
        return false;
    if (n->kind == N_COLUMN)
        return true;
    if (contains_column(n->a) || contains_column(n->b))
        return true;
    for (size_t i = 0; i < n->nargs; i++)
        if (contains_column(n->args[i]))
            return true;
    return false;
}

/* ------------------------------------------------------------------------ */
/* parser state                                                              */
/* ------------------------------------------------------------------------ */

static int perr(parser_t *p, size_t offset, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int perr(parser_t *p, size_t offset, const char *code, const char *fmt, ...)
{
    p->err->offset = offset;
    snprintf(p->err->code, sizeof p->err->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* Reserved words (kwlist.h RESERVED_KEYWORD plus the type/function-name ones
 * the grammar cannot take as a column reference): quote_identifier quotes
 * them (and COL_NAME keywords) on output. */
static const char *const RESERVED[] = {
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "system_user",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
    /* TYPE_FUNC_NAME_KEYWORD */
    "authorization",
    "binary",
    "collation",
    "concurrently",
    "cross",
    "current_schema",
    "freeze",
    "full",
    "ilike",
    "inner",
    "is",
    "isnull",
    "join",
    "left",
    "like",
    "natural",
    "notnull",
    "outer",
    "overlaps",
    "right",
    "similar",
    "tablesample",
    "verbose",
};
/* COL_NAME_KEYWORD: usable as column names, but quote_identifier quotes them. */
static const char *const COL_NAME_KW[] = {
    "between",    "bigint",       "bit",       "boolean",       "char",          "character",
    "coalesce",   "dec",          "decimal",   "exists",        "extract",       "float",
    "greatest",   "grouping",     "inout",     "int",           "integer",       "interval",
    "least",      "national",     "nchar",     "none",          "normalize",     "nullif",
    "numeric",    "out",          "overlay",   "position",      "precision",     "real",
    "row",        "setof",        "smallint",  "substring",     "time",          "timestamp",
    "treat",      "trim",         "values",    "varchar",       "xmlattributes", "xmlconcat",
    "xmlelement", "xmlexists",    "xmlforest", "xmlnamespaces", "xmlparse",      "xmlpi",
    "xmlroot",    "xmlserialize", "xmltable",
};

static bool in_list(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0)
            return true;
    return false;
}
static bool is_reserved(const char *w)
{
    return in_list(w, RESERVED, sizeof RESERVED / sizeof *RESERVED);
}

/* ruleutils.c quote_identifier: bare only when lowercase letters, digits and
 * underscores (not starting with a digit) and not a non-unreserved keyword. */
static void put_ident(buf_t *out, const char *id)
{
    bool safe = id[0] && (islower((unsigned char)id[0]) || id[0] == '_');
    for (const char *q = id; *q && safe; q++)
        if (!(islower((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '_'))
            safe = false;
    if (safe &&
        (is_reserved(id) || in_list(id, COL_NAME_KW, sizeof COL_NAME_KW / sizeof *COL_NAME_KW)))
        safe = false;
    if (safe) {
        buf_puts(out, id);
        return;
    }
    buf_putc(out, '"');
    for (const char *q = id; *q; q++) {
        if (*q == '"')
            buf_putc(out, '"');
        buf_putc(out, *q);
    }
    buf_putc(out, '"');
}

/* ------------------------------------------------------------------------ */
/* casts and coercion (parse_coerce.c, simplified)                           */
/* ------------------------------------------------------------------------ */

/* Which explicit casts Postgres has (pg_cast plus the I/O conversions to and
 * from string types). Everything else is 42846. */
static bool can_cast(const ptype_t *from, const ptype_t *to)
{
    if (from->special == SP_UNKNOWN)
        return true;
    pgtype_kind_t f = from->t.kind, t = to->t.kind;
    bool fs = !from->t.is_array && pgtype_kind_is_string(f);
    bool ts = !to->t.is_array && pgtype_kind_is_string(t);
    if (fs || ts)
        return true;
    if (from->t.is_array || to->t.is_array)
        return from->t.is_array && to->t.is_array &&
               (f == t || (pgtype_kind_is_number(f) && pgtype_kind_is_number(t)));
    if (f == t && (f != PGTYPE_ENUM || from->t.enum_def == to->t.enum_def))
        return true;
    if (pgtype_kind_is_number(f) && pgtype_kind_is_number(t))
        return true;
    if ((f == PGTYPE_BOOL && t == PGTYPE_INT4) || (f == PGTYPE_INT4 && t == PGTYPE_BOOL))
        return true;
    if ((f == PGTYPE_JSON || f == PGTYPE_JSONB) && (t == PGTYPE_JSON || t == PGTYPE_JSONB))
        return true;
    if (f == PGTYPE_JSONB && (pgtype_kind_is_number(t) || t == PGTYPE_BOOL))
        return true;
    if (kind_is_datetime(f) && kind_is_datetime(t))
        return true;
    if (f == PGTYPE_BIT && (t == PGTYPE_INT4 || t == PGTYPE_INT8)) /* bittoint4, bittoint8 */
        return true;
    return false;
}

static void set_err_from_pgrst(parser_t *p, size_t loc, pgrst_error_t *e)
{
    perr(p, loc, e->code[0] ? e->code : "22P02", "%s", e->message ? e->message : "invalid input");
    pgrst_error_dispose(e);
}

/* Wraps *np in a cast to `to` (or folds it when *np is an unknown literal, as
 * coerce_type does for Consts). Returns 0 or -1 with the parse error. */
static int make_cast(parser_t *p, node_t **np, const ptype_t *to, size_t cast_loc, bool implicit)
{
    node_t *n = *np;
    char s1[96], s2[96];
    if (n->kind == N_CONST && n->type.special == SP_UNKNOWN) {
        if (!n->val.is_null) {
            pgvalue_t v;
            pgrst_error_t e;
            pgrst_error_init(&e);
            if (pgvalue_from_text(&to->t, n->val.s, strlen(n->val.s), &v, &e) < 0) {
                set_err_from_pgrst(p, n->loc, &e);
                return -1;
            }
            pgvalue_dispose(&n->val);
            n->val = v;
        }
        n->type = *to;
        return 0;
    }
    if (ptype_equal(&n->type, to))
        return 0;
    if (!can_cast(&n->type, to))
        return perr(p, cast_loc, "42846", "cannot cast type %s to %s",
                    ptype_name(&n->type, s1, sizeof s1), ptype_name(to, s2, sizeof s2));
    node_t *c = node_new(N_CAST, n->loc);
    c->type = *to;
    c->a = n;
    c->implicit = implicit;
    *np = c;
    return 0;
}

/* coerce_to_boolean: unknown literals become boolean constants; anything else
 * that is not boolean is 42804 with the clause name. */
static int coerce_bool(parser_t *p, node_t **np, const char *clause)
{
    node_t *n = *np;
    if (is_bool(&n->type))
        return 0;
    if (n->type.special == SP_UNKNOWN) {
        ptype_t b = ptype_of(PGTYPE_BOOL);
        return make_cast(p, np, &b, n->loc, true);
    }
    char s[96];
    return perr(p, n->loc, "42804", "argument of %s must be type boolean, not type %s", clause,
                ptype_name(&n->type, s, sizeof s));
}

static int op_not_exist(parser_t *p, size_t loc, const ptype_t *l, const char *op, const ptype_t *r)
{
    char s1[96], s2[96];
    int rc = perr(p, loc, "42883", "operator does not exist: %s %s %s",
                  ptype_name(l, s1, sizeof s1), op, ptype_name(r, s2, sizeof s2));
    return rc;
}

/* Operator resolution for comparisons (a simplified oper_select_candidate):
 * unknown literals take the other side's type; the numeric, string and
 * datetime families compare across their members with the implicit casts PG
 * would add (shown by pg_get_expr, e.g. `((v)::text = 'x'::text)` for a
 * varchar column); json has no comparison operators; anything else is 42883. */
static int resolve_cmp(parser_t *p, node_t **l, node_t **r, const char *opname, size_t oploc)
{
    ptype_t text = ptype_of(PGTYPE_TEXT);
    ptype_t L = (*l)->type, R = (*r)->type;
    if (L.special == SP_UNKNOWN && R.special == SP_UNKNOWN) {
        if (make_cast(p, l, &text, oploc, true) < 0 || make_cast(p, r, &text, oploc, true) < 0)
            return -1;
        return 0;
    }
    if (L.special == SP_UNKNOWN || R.special == SP_UNKNOWN) {
        node_t **u = L.special == SP_UNKNOWN ? l : r;
        ptype_t other = L.special == SP_UNKNOWN ? R : L;
        ptype_t target = other;
        if (other.special == SP_NONE && !other.t.is_array && other.t.kind == PGTYPE_VARCHAR)
            target = text; /* no varchar operators: text = text */
        if (make_cast(p, u, &target, oploc, true) < 0)
            return -1;
        L = (*l)->type;
        R = (*r)->type;
    }
    bool lstr = is_scalar(&L, pgtype_kind_is_string);
    bool rstr = is_scalar(&R, pgtype_kind_is_string);
    if (lstr && rstr) {
        if (ptype_equal(&L, &R) && L.t.kind != PGTYPE_VARCHAR)
            return 0;
        bool lname = px_is_name(&L), rname = px_is_name(&R);
        /* text = name and name = text exist (PG 12+); otherwise text = text. */
        if (!(lname && R.t.kind == PGTYPE_TEXT && !rname) && !(lname && rname) &&
            !(L.t.kind == PGTYPE_TEXT && !lname))
            if (make_cast(p, l, &text, oploc, true) < 0)
                return -1;
        if (!(rname && L.t.kind == PGTYPE_TEXT && !lname) && !(lname && rname) &&
            !(R.t.kind == PGTYPE_TEXT && !rname))
            if (make_cast(p, r, &text, oploc, true) < 0)
                return -1;
        return 0;
    }
    if (is_scalar(&L, pgtype_kind_is_number) && is_scalar(&R, pgtype_kind_is_number)) {
        pgtype_kind_t a = L.t.kind, b = R.t.kind;
        if ((pgtype_kind_is_int(a) && pgtype_kind_is_int(b)) ||
            (pgtype_kind_is_float(a) && pgtype_kind_is_float(b)) ||
            (a == PGTYPE_NUMERIC && b == PGTYPE_NUMERIC))
            return 0;
        ptype_t target = ptype_of(
            pgtype_kind_is_float(a) || pgtype_kind_is_float(b) ? PGTYPE_FLOAT8 : PGTYPE_NUMERIC);
        if (!(pgtype_kind_is_float(a) && target.t.kind == PGTYPE_FLOAT8) && a != target.t.kind)
            if (make_cast(p, l, &target, oploc, true) < 0)
                return -1;
        if (!(pgtype_kind_is_float(b) && target.t.kind == PGTYPE_FLOAT8) && b != target.t.kind)
            if (make_cast(p, r, &target, oploc, true) < 0)
                return -1;
        return 0;
    }
    if (is_scalar(&L, kind_is_datetime) && is_scalar(&R, kind_is_datetime))
        return 0; /* cross-type operators exist for every pair */
    if (L.special == SP_NONE && R.special == SP_NONE && L.t.kind == R.t.kind &&
        L.t.is_array == R.t.is_array && L.t.enum_def == R.t.enum_def && L.t.kind != PGTYPE_JSON)
        return 0;
    return op_not_exist(p, oploc, &L, opname, &R);
}

/* ------------------------------------------------------------------------ */
/* the raw parse tree to nodes (parse_expr.c transformExpr, for the subset)  */
/* ------------------------------------------------------------------------ */

/* The tree is libpg_query's JSON of Postgres's raw nodes: {"A_Expr": {...}}.
 * Every "location" is a byte offset into the expression, -1 when none. */
static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* {"String": {"sval": "x"}} -> "x" */
static const char *sval(const cJSON *node)
{
    return str(get(node, "String"), "sval");
}

static const char *node_name(const cJSON *node)
{
    return node && node->child && node->child->string ? node->child->string : "";
}

static const cJSON *node_body(const cJSON *node)
{
    return node ? node->child : NULL;
}

static size_t loc_or(const cJSON *body, size_t dflt)
{
    const cJSON *v = get(body, "location");
    return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (size_t)v->valuedouble : dflt;
}

static size_t list_len(const cJSON *list)
{
    return cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 0;
}

static node_t *build(parser_t *p, const cJSON *node);

static bool enter(parser_t *p, size_t loc)
{
    if (++p->depth > POLICY_MAX_DEPTH) {
        perr(p, loc, "54001", "stack depth limit exceeded");
        return false;
    }
    return true;
}

static node_t *unsupported(parser_t *p, size_t loc, const char *what)
{
    if (p->sql) {
        perr(p, loc, "0A000", "supamock: %s is not supported by the memory engine", what);
        return NULL;
    }
    perr(p, loc, "0A000", "supamock: %s is not supported in policy expressions", what);
    return NULL;
}

/* Number literal: integer that fits int4 -> integer, int8 -> bigint, else
 * numeric (make_const in parse_node.c). gram.y has already folded a leading
 * minus into the literal (doNegate). */
static node_t *make_number(parser_t *p, const char *text, size_t loc)
{
    node_t *n = node_new(N_CONST, loc);
    const char *digits = text[0] == '-' ? text + 1 : text;
    bool integral = digits[0] && strspn(digits, "0123456789") == strlen(digits);
    pgrst_error_t e;
    pgrst_error_init(&e);
    if (integral) {
        errno = 0;
        long long v = strtoll(text, NULL, 10);
        if (errno == 0) {
            n->type = ptype_of(v >= INT32_MIN && v <= INT32_MAX ? PGTYPE_INT4 : PGTYPE_INT8);
            n->val.is_null = false;
            n->val.i = v;
            return n;
        }
    }
    n->type = ptype_of(PGTYPE_NUMERIC);
    if (pgvalue_from_text(&n->type.t, text, strlen(text), &n->val, &e) < 0) {
        set_err_from_pgrst(p, loc, &e);
        node_free(n);
        return NULL;
    }
    return n;
}

static node_t *build_const(parser_t *p, const cJSON *c)
{
    size_t loc = loc_or(c, 0);
    const cJSON *v;
    if (cJSON_IsTrue(get(c, "isnull"))) {
        node_t *n = node_new(N_CONST, loc);
        n->type = ptype_special(SP_UNKNOWN);
        return n;
    }
    if ((v = get(c, "ival"))) {
        const cJSON *i = get(v, "ival");
        char text[32];
        snprintf(text, sizeof text, "%lld", cJSON_IsNumber(i) ? (long long)i->valuedouble : 0LL);
        return make_number(p, text, loc);
    }
    if ((v = get(c, "fval")))
        return make_number(p, str(v, "fval") ? str(v, "fval") : "0", loc);
    if ((v = get(c, "boolval"))) {
        node_t *n = node_new(N_CONST, loc);
        n->type = ptype_of(PGTYPE_BOOL);
        n->val.is_null = false;
        n->val.i = cJSON_IsTrue(get(v, "boolval"));
        return n;
    }
    if ((v = get(c, "sval"))) {
        node_t *n = node_new(N_CONST, loc);
        n->type = ptype_special(SP_UNKNOWN);
        n->val.is_null = false;
        n->val.s = xstrdup(str(v, "sval") ? str(v, "sval") : "");
        return n;
    }
    return unsupported(p, loc, "a bit-string constant");
}

/* TypeName -> the type. gram.y has already turned the SQL spellings into
 * pg_catalog's names (integer -> pg_catalog.int4, timestamp with time zone
 * -> pg_catalog.timestamptz); enums come from the store. */
static int build_typename(parser_t *p, const cJSON *tn, ptype_t *out)
{
    size_t loc = loc_or(tn, 0);
    const cJSON *names = get(tn, "names");
    size_t n = list_len(names);
    const char *schema = n == 2 ? sval(cJSON_GetArrayItem(names, 0)) : NULL;
    const char *name = n ? sval(cJSON_GetArrayItem(names, (int)n - 1)) : NULL;
    if (!name || n > 2 || cJSON_IsTrue(get(tn, "setof")) || get(tn, "pct_type"))
        return perr(p, loc, "0A000",
                    "supamock: this type name is not supported in policy "
                    "expressions");
    if (schema && strcmp(schema, "public") != 0 && strcmp(schema, "pg_catalog") != 0 &&
        strcmp(schema, "extensions") != 0)
        return perr(p, loc, "3F000", "schema \"%s\" does not exist", schema);
    bool array = list_len(get(tn, "arrayBounds")) > 0;
    buf_t full;
    buf_init(&full);
    buf_puts(&full, name);
    const cJSON *mods = get(tn, "typmods");
    if (list_len(mods) == 1) {
        const cJSON *iv = get(get(get(mods->child, "A_Const"), "ival"), "ival");
        if (!cJSON_IsNumber(iv)) {
            buf_dispose(&full);
            return perr(p, loc, "0A000",
                        "supamock: this type modifier is not supported in "
                        "policy expressions");
        }
        buf_printf(&full, "(%d)", (int)iv->valuedouble);
    } else if (list_len(mods) > 1) {
        buf_dispose(&full);
        return perr(p, loc, "0A000",
                    "supamock: this type modifier is not supported in policy "
                    "expressions");
    }
    memset(out, 0, sizeof *out);
    char *error = NULL;
    int rc = 0;
    if (strcmp(name, "name") == 0 && !array) {
        *out = ptype_of(PGTYPE_NAME);
    } else if (pgtype_parse(buf_cstr(&full), NULL, 0, &out->t, &error) == 0) {
        out->t.is_array = array;
    } else {
        free(error);
        /* pg_catalog's names are the built-in types only (gram.y writes
         * `bit(32)` as pg_catalog.bit, whatever a schema calls bit). */
        bool catalog = schema && strcmp(schema, "pg_catalog") == 0;
        const pgtype_enum_t *en = p->store && !catalog ? store_find_enum(p->store, name) : NULL;
        const pgtype_t *domain = p->store && !catalog && !en && !array && !list_len(mods)
                                     ? store_find_domain(p->store, name)
                                     : NULL;
        if (domain) {
            /* A domain is its base type here (its CHECKs are not
             * enforced, as for columns of it). */
            memset(out, 0, sizeof *out);
            out->t = *domain;
        } else if (!en) {
            rc = perr(p, loc, "42704", "type \"%s%s\" does not exist", name, array ? "[]" : "");
        } else {
            *out = ptype_of(PGTYPE_ENUM);
            out->t.enum_def = en;
            out->t.is_array = array;
        }
    }
    buf_dispose(&full);
    return rc;
}

static node_t *build_cast(parser_t *p, const cJSON *c)
{
    node_t *n = build(p, get(c, "arg"));
    if (!n)
        return NULL;
    ptype_t to;
    const cJSON *tn = get(c, "typeName");
    /* `type 'literal'` has no location of its own: the type name's. */
    size_t loc = loc_or(c, loc_or(tn, n->loc));
    if (build_typename(p, tn, &to) < 0 || make_cast(p, &n, &to, loc, false) < 0) {
        node_free(n);
        return NULL;
    }
    return n;
}

/* ---- column references (parse_relation.c colNameToVar / refnameNamespaceItem) ---- */

/* errorMissingColumn's hint for statements (parse_relation.c
 * updateFuzzyAttrMatchState): the columns of the entries in scope (of the
 * entry named rel when qualified) closest to the typed name, at most 3 edits
 * and at most half its length; one closest column, or two of different
 * entries, are suggested. */
static void fuzzy_hint(parser_t *p, const char *name, const char *rel)
{
    if (!p->sql)
        return;
    size_t best = 4, count = 0, limit = strlen(name) / 2;
    const rte_t *r1 = NULL, *r2 = NULL;
    const char *c1 = NULL, *c2 = NULL;
    for (const scope_t *s = p->scope; s; s = s->up)
        for (size_t r = 0; r < s->nrte; r++) {
            const rte_t *e = &s->rtes[r];
            if (rel && strcmp(rte_refname(e), rel) != 0)
                continue;
            for (size_t c = 0; c < store_table_column_count(e->t); c++) {
                const char *cand = store_table_column(e->t, c)->name;
                size_t d = fuzzy_levenshtein(name, cand, false);
                if (d > limit || d > best)
                    continue;
                if (d < best) {
                    best = d;
                    count = 1;
                    r1 = e;
                    c1 = cand;
                    r2 = NULL;
                } else if (count == 1 && e != r1) {
                    count = 2;
                    r2 = e;
                    c2 = cand;
                } else {
                    count = 3; /* too many equally close */
                }
            }
        }
    if (count == 1)
        snprintf(p->err->hint, sizeof p->err->hint,
                 "Perhaps you meant to reference the column \"%s.%s\".", rte_refname(r1), c1);
    else if (count == 2)
        snprintf(p->err->hint, sizeof p->err->hint,
                 "Perhaps you meant to reference the column \"%s.%s\" or the column \"%s.%s\".",
                 rte_refname(r1), c1, rte_refname(r2), c2);
}

/* A name the statement's scope knows (sql_exec.h): 1 with *out, 0 when
 * it does not know it, -1 with the parse error. */
static int build_var(parser_t *p, const char *const *parts, size_t n, int param, size_t loc,
                     node_t **out)
{
    *out = NULL;
    if (!p->names || !p->names->resolve)
        return 0;
    sql_name_t name = {.parts = parts, .nparts = n, .param = param, .location = loc};
    int slot = -1;
    pgtype_t t;
    memset(&t, 0, sizeof t);
    pgrst_error_t e;
    pgrst_error_init(&e);
    int rc = p->names->resolve(p->names->ctx, &name, &slot, &t, &e);
    if (rc < 0) {
        set_err_from_pgrst(p, loc, &e);
        return -1;
    }
    pgrst_error_dispose(&e);
    if (rc == 0)
        return 0;
    node_t *v = node_new(N_VAR, loc);
    v->col = slot;
    v->type.t = t;
    v->type.special = SP_NONE;
    *out = v;
    return 1;
}

/* Unqualified names look in the innermost scope first, then outward; two
 * entries of one scope having the column is 42702. Qualified names find the
 * entry by its refname (alias, or the table's name when it has none). */
static node_t *build_column(parser_t *p, const cJSON *c)
{
    size_t loc = loc_or(c, 0);
    const cJSON *fields = get(c, "fields");
    size_t n = list_len(fields);
    const char *parts[3] = {NULL, NULL, NULL};
    for (size_t i = 0; i < n && i < 3; i++) {
        const cJSON *f = cJSON_GetArrayItem(fields, (int)i);
        if (get(f, "A_Star"))
            return perr(p, loc, "0A000", "supamock: * is not supported in policy expressions here"),
                   NULL;
        parts[i] = sval(f);
    }
    if (n < 1 || n > 3 || !parts[n - 1])
        return perr(p, loc, "42601", "improper qualified name (too many dotted names)"), NULL;
    const char *colname = parts[n - 1];
    const char *rel = n >= 2 ? parts[n - 2] : NULL;
    const char *schema = n == 3 ? parts[0] : NULL;
    bool rel_found = false;
    for (const scope_t *s = p->scope; s; s = s->up) {
        int hit_rte = -1, hit_col = -1;
        for (size_t r = 0; r < s->nrte; r++) {
            const rte_t *e = &s->rtes[r];
            if (rel) {
                if (strcmp(rte_refname(e), rel) != 0)
                    continue;
                if (schema && (e->alias || strcmp(store_table_schema(e->t), schema) != 0))
                    continue;
                rel_found = true;
            }
            int col = store_table_find_column(e->t, colname);
            if (col < 0)
                continue;
            if (hit_rte >= 0)
                return perr(p, loc, "42702", "column reference \"%s\" is ambiguous", colname), NULL;
            hit_rte = (int)r;
            hit_col = col;
        }
        if (rel && rel_found && hit_rte < 0) {
            perr(p, loc, "42703", "column %s.%s does not exist", rel, colname);
            fuzzy_hint(p, colname, rel);
            return NULL;
        }
        if (hit_rte >= 0) {
            if (p->names && p->names->conflict != SQL_CONFLICT_USE_COLUMN) {
                /* plpgsql's resolve_column_ref: a variable of the same name */
                node_t *var = NULL;
                int vr = build_var(p, parts, n, 0, loc, &var);
                if (vr < 0)
                    return NULL;
                if (vr > 0 && p->names->conflict == SQL_CONFLICT_USE_VARIABLE)
                    return var;
                if (vr > 0) {
                    px_node_free(var);
                    perr(p, loc, "42702", "column reference \"%s\" is ambiguous", colname);
                    snprintf(p->err->detail, sizeof p->err->detail,
                             "It could refer to either a PL/pgSQL variable or a table column.");
                    return NULL;
                }
            }
            const rte_t *e = &s->rtes[hit_rte];
            node_t *col = node_new(N_COLUMN, loc);
            col->col = hit_col;
            col->depth = s->depth;
            col->rte = (int)s->base + hit_rte;
            col->rte_ref = s->depth > 0 ? e : NULL;
            col->type = ptype_of(PGTYPE_TEXT);
            col->type.t = store_table_column(e->t, (size_t)hit_col)->type;
            return col;
        }
    }
    {
        node_t *var = NULL;
        int vr = build_var(p, parts, n, 0, loc, &var);
        if (vr != 0)
            return var;
    }
    if (rel)
        return perr(p, loc, "42P01", "missing FROM-clause entry for table \"%s\"", rel), NULL;
    perr(p, loc, "42703", "column \"%s\" does not exist", colname);
    fuzzy_hint(p, colname, NULL);
    return NULL;
}

/* ---- functions ---- */

/* The auth schema's helpers Supabase policies call; anything else is 42883
 * with func_signature_string's name(argtype, ...). */
static node_t *build_func(parser_t *p, const cJSON *f)
{
    size_t loc = loc_or(f, 0);
    const cJSON *fname = get(f, "funcname");
    size_t nn = list_len(fname);
    const char *schema = nn == 2 ? sval(cJSON_GetArrayItem(fname, 0)) : NULL;
    const char *name = nn ? sval(cJSON_GetArrayItem(fname, (int)nn - 1)) : NULL;
    if (!name || nn > 2)
        return perr(p, loc, "42601", "improper qualified name (too many dotted names)"), NULL;
    if (p->sql) {
        bool handled = false;
        node_t *r = px_sql_build_func(p, f, &handled);
        if (handled)
            return r;
    }
    if (cJSON_IsTrue(get(f, "agg_star")) || get(f, "over") || get(f, "agg_filter") ||
        get(f, "agg_order") || cJSON_IsTrue(get(f, "agg_distinct")) ||
        cJSON_IsTrue(get(f, "func_variadic")))
        return unsupported(p, loc, "this form of function call");
    const cJSON *args = get(f, "args");
    node_t **built = NULL;
    size_t nargs = 0;
    node_t *result = NULL;
    for (const cJSON *a = cJSON_IsArray(args) ? args->child : NULL; a; a = a->next) {
        node_t *x = build(p, a);
        if (!x)
            goto done;
        built = xrealloc(built, (nargs + 1) * sizeof *built);
        built[nargs++] = x;
    }
    if (schema && strcmp(schema, "auth") == 0 && nargs == 0) {
        for (int k = 0; k < 4; k++) {
            if (strcmp(name, FUNC_NAMES[k]) == 0) {
                result = node_new(N_FUNC, loc);
                result->fn = k;
                result->type = ptype_of(k == F_UID   ? PGTYPE_UUID
                                        : k == F_JWT ? PGTYPE_JSONB
                                                     : PGTYPE_TEXT);
                goto done;
            }
        }
    }
    if (schema && strcmp(schema, "auth") != 0 && strcmp(schema, "public") != 0 &&
        strcmp(schema, "pg_catalog") != 0 && strcmp(schema, "extensions") != 0) {
        perr(p, loc, "3F000", "schema \"%s\" does not exist", schema);
        goto done;
    }
    {
        buf_t sig;
        buf_init(&sig);
        if (schema)
            buf_printf(&sig, "%s.", schema);
        buf_printf(&sig, "%s(", name);
        for (size_t i = 0; i < nargs; i++) {
            char s[96];
            buf_printf(&sig, "%s%s", i ? ", " : "", ptype_name(&built[i]->type, s, sizeof s));
        }
        buf_putc(&sig, ')');
        perr(p, loc, "42883", "function %s does not exist", buf_cstr(&sig));
        buf_dispose(&sig);
    }
done:
    for (size_t i = 0; i < nargs; i++)
        node_free(built[i]);
    free(built);
    return result;
}

static node_t *build_sqlvalue(parser_t *p, const cJSON *v)
{
    static const char *const ops[] = {"SVFOP_CURRENT_USER", "SVFOP_CURRENT_ROLE",
                                      "SVFOP_SESSION_USER", "SVFOP_USER"};
    const char *op = str(v, "op");
    if (p->sql && op && strncmp(op, "SVFOP_CURRENT_TIMESTAMP", 23) == 0) {
        node_t *n = node_new(N_CALL, loc_or(v, 0));
        n->fn = PXF_NOW;
        n->type = ptype_of(PGTYPE_TIMESTAMPTZ);
        return n;
    }
    for (int k = 0; k < 4; k++) {
        if (op && strcmp(op, ops[k]) == 0) {
            node_t *n = node_new(N_SQLVAL, loc_or(v, 0));
            n->fn = k;
            n->type = ptype_of(PGTYPE_NAME);
            return n;
        }
    }
    return unsupported(p, loc_or(v, 0), "this SQL value function");
}

/* ---- operators ---- */

static bool cmp_of(const char *name, int *op)
{
    for (int k = 0; k < 6; k++)
        if (name && strcmp(name, CMP_NAMES[k]) == 0) {
            *op = k;
            return true;
        }
    return false;
}

static node_t *make_cmp(parser_t *p, node_t *l, node_t *r, int op, size_t oploc)
{
    if (resolve_cmp(p, &l, &r, CMP_NAMES[op], oploc) < 0) {
        node_free(l);
        node_free(r);
        return NULL;
    }
    node_t *n = node_new(N_CMP, l->loc < oploc ? l->loc : oploc);
    n->op = op;
    n->type = ptype_of(PGTYPE_BOOL);
    n->a = l;
    n->b = r;
    return n;
}

/* `->` and `->>` on json/jsonb with a text or integer key. */
static node_t *make_json(parser_t *p, node_t *l, node_t *r, const char *opname, size_t oploc)
{
    bool arrow2 = strcmp(opname, "->>") == 0;
    ptype_t L = l->type;
    bool json = L.special == SP_NONE && !L.t.is_array &&
                (L.t.kind == PGTYPE_JSON || L.t.kind == PGTYPE_JSONB);
    bool rok = r->type.special == SP_UNKNOWN || is_scalar(&r->type, pgtype_kind_is_string) ||
               is_scalar(&r->type, pgtype_kind_is_int);
    ptype_t text = ptype_of(PGTYPE_TEXT);
    if (!json || !rok) {
        op_not_exist(p, oploc, &L, opname, &r->type);
        goto fail;
    }
    if (!is_scalar(&r->type, pgtype_kind_is_int) && make_cast(p, &r, &text, oploc, true) < 0)
        goto fail;
    node_t *n = node_new(N_JSON, l->loc);
    n->op = arrow2;
    n->type = arrow2 ? text : L;
    n->a = l;
    n->b = r;
    return n;
fail:
    node_free(l);
    node_free(r);
    return NULL;
}

/* `#>>` on json/jsonb with a text[] path: the value at the path as text
 * (json_extract_path_text; op 2 of N_JSON). */
static node_t *make_json_path(parser_t *p, node_t *l, node_t *r, size_t oploc)
{
    ptype_t L = l->type;
    bool json = L.special == SP_NONE && !L.t.is_array &&
                (L.t.kind == PGTYPE_JSON || L.t.kind == PGTYPE_JSONB);
    ptype_t path = ptype_of(PGTYPE_TEXT);
    path.t.is_array = true;
    bool rok = r->type.special == SP_UNKNOWN || (r->type.special == SP_NONE && r->type.t.is_array &&
                                                 pgtype_kind_is_string(r->type.t.kind));
    if (!json || !rok) {
        op_not_exist(p, oploc, &L, "#>>", &r->type);
        goto fail;
    }
    if (make_cast(p, &r, &path, oploc, true) < 0)
        goto fail;
    node_t *n = node_new(N_JSON, l->loc);
    n->op = 2;
    n->type = ptype_of(PGTYPE_TEXT);
    n->a = l;
    n->b = r;
    return n;
fail:
    node_free(l);
    node_free(r);
    return NULL;
}

static node_t *build_unary_minus(parser_t *p, const cJSON *operand, size_t loc)
{
    node_t *arg = build(p, operand);
    if (!arg)
        return NULL;
    if (!is_scalar(&arg->type, pgtype_kind_is_number)) {
        char s[96];
        perr(p, loc, "42883", "operator does not exist: - %s", ptype_name(&arg->type, s, sizeof s));
        node_free(arg);
        return NULL;
    }
    node_t *n = node_new(N_NEG, loc);
    n->type = arg->type;
    n->a = arg;
    return n;
}

/* x [NOT] IN (list): one comparison per element (transformAExprIn). With more
 * than one element and no column in the list, PG builds `x = ANY (ARRAY[..])`
 * (`<> ALL` for NOT IN); otherwise an OR (AND) of comparisons. x = ANY
 * (ARRAY[...]) / x <> ALL (ARRAY[...]) (what pg_get_expr prints for IN lists)
 * build the same. */
static node_t *build_in(parser_t *p, const cJSON *l_json, const cJSON *items, int op, bool all,
                        bool saop, size_t oploc)
{
    if ((op == CMP_EQ && all) || (op == CMP_NE && !all) || (op != CMP_EQ && op != CMP_NE))
        return unsupported(p, oploc, "this ANY/ALL comparison");
    node_t *l = build(p, l_json);
    if (!l)
        return NULL;
    if (contains_sublink(l)) {
        node_free(l);
        return unsupported(p, oploc, "a subquery on the left of IN (...)");
    }
    node_t *n = node_new(N_IN, l->loc);
    n->negated = all;
    n->type = ptype_of(PGTYPE_BOOL);
    bool any_column = false;
    for (const cJSON *it = cJSON_IsArray(items) ? items->child : NULL; it; it = it->next) {
        node_t *e = build(p, it);
        if (!e)
            goto fail;
        any_column = any_column || contains_column(e);
        node_t *c = make_cmp(p, node_clone(l), e, op, oploc);
        if (!c)
            goto fail;
        node_push_arg(n, c);
    }
    if (n->nargs == 0) {
        perr(p, oploc, "42601", "syntax error at or near \")\"");
        goto fail;
    }
    n->saop = saop || (n->nargs > 1 && !any_column);
    node_free(l);
    return n;
fail:
    node_free(l);
    node_free(n);
    return NULL;
}

static node_t *build_sublink(parser_t *p, const cJSON *s);

static node_t *build_aexpr(parser_t *p, const cJSON *a)
{
    const char *kind = str(a, "kind");
    size_t loc = loc_or(a, 0);
    const cJSON *names = get(a, "name");
    size_t nn = list_len(names);
    const char *opname = nn ? sval(cJSON_GetArrayItem(names, (int)nn - 1)) : NULL;
    const cJSON *lexpr = get(a, "lexpr"), *rexpr = get(a, "rexpr");
    if (!kind || !opname)
        return unsupported(p, loc, "this operator");
    if (nn == 2 && strcmp(sval(names->child) ? sval(names->child) : "", "pg_catalog") != 0)
        return perr(p, loc, "3F000", "schema \"%s\" does not exist", sval(names->child)), NULL;
    int op = -1;
    if (p->sql) {
        bool handled = false;
        node_t *r = px_sql_build_aexpr(p, a, &handled);
        if (handled)
            return r;
    }
    if (strcmp(kind, "AEXPR_IN") == 0) {
        cmp_of(opname, &op);
        return build_in(p, lexpr, get(get(rexpr, "List"), "items"), op, op == CMP_NE, false, loc);
    }
    if (strcmp(kind, "AEXPR_OP_ANY") == 0 || strcmp(kind, "AEXPR_OP_ALL") == 0) {
        const cJSON *arr = get(rexpr, "A_ArrayExpr");
        if (!arr || !cmp_of(opname, &op))
            return unsupported(p, loc, "ANY/ALL over anything but an ARRAY[...] list");
        return build_in(p, lexpr, get(arr, "elements"), op, kind[10] == 'L', true, loc);
    }
    if (strcmp(kind, "AEXPR_OP") != 0) {
        static const struct {
            const char *kind, *what;
        } names_of[] = {
            {"AEXPR_DISTINCT", "IS DISTINCT FROM"},
            {"AEXPR_NOT_DISTINCT", "IS NOT DISTINCT FROM"},
            {"AEXPR_NULLIF", "NULLIF"},
            {"AEXPR_LIKE", "LIKE"},
            {"AEXPR_ILIKE", "ILIKE"},
            {"AEXPR_SIMILAR", "SIMILAR TO"},
        };
        const char *what = "BETWEEN";
        for (size_t i = 0; i < sizeof names_of / sizeof *names_of; i++)
            if (strcmp(kind, names_of[i].kind) == 0)
                what = names_of[i].what;
        return unsupported(p, loc, what);
    }
    if (!lexpr) {
        if (strcmp(opname, "-") == 0)
            return build_unary_minus(p, rexpr, loc);
        return unsupported(p, loc, "this prefix operator");
    }
    if (!rexpr)
        return unsupported(p, loc, "this postfix operator");
    node_t *l = build(p, lexpr);
    if (!l)
        return NULL;
    node_t *r = build(p, rexpr);
    if (!r) {
        node_free(l);
        return NULL;
    }
    if (cmp_of(opname, &op))
        return make_cmp(p, l, r, op, loc);
    if (strcmp(opname, "->") == 0 || strcmp(opname, "->>") == 0)
        return make_json(p, l, r, opname, loc);
    if (strcmp(opname, "#>>") == 0)
        return make_json_path(p, l, r, loc);
    if (strchr("+-*/%^", opname[0]) && opname[1] == '\0')
        perr(p, loc, "0A000", "supamock: operator %s is not supported in policy expressions",
             opname);
    else
        op_not_exist(p, loc, &l->type, opname, &r->type);
    node_free(l);
    node_free(r);
    return NULL;
}

/* ---- boolean structure ---- */

static node_t *build_boolexpr(parser_t *p, const cJSON *b)
{
    const char *op = str(b, "boolop");
    const cJSON *args = get(b, "args");
    size_t loc = loc_or(b, 0);
    if (op && strcmp(op, "NOT_EXPR") == 0) {
        node_t *a = build(p, cJSON_IsArray(args) ? args->child : NULL);
        if (!a)
            return NULL;
        if (coerce_bool(p, &a, "NOT") < 0) {
            node_free(a);
            return NULL;
        }
        node_t *n = node_new(N_NOT, loc);
        n->type = ptype_of(PGTYPE_BOOL);
        n->a = a;
        return n;
    }
    bool is_or = op && strcmp(op, "OR_EXPR") == 0;
    node_t *n = node_new(N_BOOL, loc);
    n->op = is_or;
    n->type = ptype_of(PGTYPE_BOOL);
    for (const cJSON *a = cJSON_IsArray(args) ? args->child : NULL; a; a = a->next) {
        node_t *x = build(p, a);
        if (!x || coerce_bool(p, &x, is_or ? "OR" : "AND") < 0) {
            node_free(x);
            node_free(n);
            return NULL;
        }
        node_push_arg(n, x);
    }
    return n;
}

static node_t *build_nulltest(parser_t *p, const cJSON *t)
{
    node_t *a = build(p, get(t, "arg"));
    if (!a)
        return NULL;
    node_t *n = node_new(N_NULLTEST, a->loc);
    const char *k = str(t, "nulltesttype");
    n->negated = k && strcmp(k, "IS_NOT_NULL") == 0;
    n->type = ptype_of(PGTYPE_BOOL);
    n->a = a;
    return n;
}

static node_t *build_booltest(parser_t *p, const cJSON *t)
{
    static const struct {
        const char *name, *clause;
        int bt;
        bool neg;
    } kinds[] = {
        {"IS_TRUE", "IS TRUE", BT_TRUE, false},
        {"IS_NOT_TRUE", "IS NOT TRUE", BT_TRUE, true},
        {"IS_FALSE", "IS FALSE", BT_FALSE, false},
        {"IS_NOT_FALSE", "IS NOT FALSE", BT_FALSE, true},
        {"IS_UNKNOWN", "IS UNKNOWN", BT_UNKNOWN, false},
        {"IS_NOT_UNKNOWN", "IS NOT UNKNOWN", BT_UNKNOWN, true},
    };
    const char *k = str(t, "booltesttype");
    size_t i = 0;
    while (i < 5 && !(k && strcmp(k, kinds[i].name) == 0))
        i++;
    node_t *a = build(p, get(t, "arg"));
    if (!a)
        return NULL;
    if (coerce_bool(p, &a, kinds[i].clause) < 0) {
        node_free(a);
        return NULL;
    }
    node_t *n = node_new(N_BOOLTEST, a->loc);
    n->op = kinds[i].bt;
    n->negated = kinds[i].neg;
    n->type = ptype_of(PGTYPE_BOOL);
    n->a = a;
    return n;
}

static node_t *build(parser_t *p, const cJSON *node)
{
    const char *name = node_name(node);
    const cJSON *body = node_body(node);
    size_t loc = loc_or(body, 0);
    if (!body)
        return perr(p, 0, "42601", "syntax error at end of input"), NULL;
    if (!enter(p, loc))
        return NULL;
    node_t *n = NULL;
    if (strcmp(name, "A_Const") == 0)
        n = build_const(p, body);
    else if (strcmp(name, "ColumnRef") == 0)
        n = build_column(p, body);
    else if (strcmp(name, "FuncCall") == 0)
        n = build_func(p, body);
    else if (strcmp(name, "SQLValueFunction") == 0)
        n = build_sqlvalue(p, body);
    else if (strcmp(name, "TypeCast") == 0)
        n = build_cast(p, body);
    else if (strcmp(name, "A_Expr") == 0)
        n = build_aexpr(p, body);
    else if (strcmp(name, "BoolExpr") == 0)
        n = build_boolexpr(p, body);
    else if (strcmp(name, "NullTest") == 0)
        n = build_nulltest(p, body);
    else if (strcmp(name, "BooleanTest") == 0)
        n = build_booltest(p, body);
    else if (strcmp(name, "SubLink") == 0)
        n = build_sublink(p, body);
    else if (strcmp(name, "ParamRef") == 0) {
        const cJSON *num = get(body, "number");
        int pn = cJSON_IsNumber(num) ? (int)num->valuedouble : 0;
        if (build_var(p, NULL, 0, pn, loc, &n) == 0)
            perr(p, loc, "42P02", "there is no parameter $%d", pn);
    } else if (p->sql && strcmp(name, "A_Indirection") == 0 &&
               strcmp(node_name(get(body, "arg")), "ParamRef") == 0 &&
               list_len(get(body, "indirection")) == 1 && sval(get(body, "indirection")->child)) {
        /* $n.field: a field of a row-type parameter (a computed field's
         * `$1.id`); the scope resolves the parameter with the field's name
         * as its one part. */
        const cJSON *num = get(node_body(get(body, "arg")), "number");
        int pn = cJSON_IsNumber(num) ? (int)num->valuedouble : 0;
        const char *field = sval(get(body, "indirection")->child);
        size_t aloc = loc_or(node_body(get(body, "arg")), loc);
        if (build_var(p, &field, 1, pn, aloc, &n) == 0)
            perr(p, aloc, "42P02", "there is no parameter $%d", pn);
    } else if (p->sql && (strcmp(name, "CaseExpr") == 0 || strcmp(name, "CoalesceExpr") == 0)) {
        n = px_sql_build_node(p, name, body);
    } else {
        static const struct {
            const char *node, *what;
        } names_of[] = {
            {"CaseExpr", "CASE"},
            {"CoalesceExpr", "COALESCE"},
            {"MinMaxExpr", "GREATEST/LEAST"},
            {"A_ArrayExpr", "ARRAY[...]"},
            {"A_Indirection", "subscripting"},
            {"CollateClause", "COLLATE"},
            {"RowExpr", "ROW(...)"},
        };
        const char *what = name;
        for (size_t i = 0; i < sizeof names_of / sizeof *names_of; i++)
            if (strcmp(name, names_of[i].node) == 0)
                what = names_of[i].what;
        unsupported(p, loc, what);
    }
    p->depth--;
    return n;
}

/* ---- subqueries (transformSubLink, transformFromClause) ---- */

/* FigureColname: the output name of a target without AS. */
static const char *figure_colname(const cJSON *node, int *strength)
{
    const char *name = node_name(node);
    const cJSON *b = node_body(node);
    *strength = 0;
    if (strcmp(name, "ColumnRef") == 0) {
        const cJSON *fields = get(b, "fields");
        size_t n = list_len(fields);
        const char *last = n ? sval(cJSON_GetArrayItem(fields, (int)n - 1)) : NULL;
        if (last) {
            *strength = 2;
            return last;
        }
    } else if (strcmp(name, "FuncCall") == 0) {
        const cJSON *fn = get(b, "funcname");
        size_t n = list_len(fn);
        const char *last = n ? sval(cJSON_GetArrayItem(fn, (int)n - 1)) : NULL;
        if (last) {
            *strength = 2;
            return last;
        }
    } else if (strcmp(name, "TypeCast") == 0) {
        const char *inner = figure_colname(get(b, "arg"), strength);
        if (*strength > 1)
            return inner;
        const cJSON *names = get(get(b, "typeName"), "names");
        size_t n = list_len(names);
        const char *last = n ? sval(cJSON_GetArrayItem(names, (int)n - 1)) : NULL;
        if (last) {
            *strength = 1;
            return last;
        }
    } else if (strcmp(name, "SQLValueFunction") == 0) {
        const char *op = str(b, "op");
        *strength = 2;
        if (op && strcmp(op, "SVFOP_CURRENT_ROLE") == 0)
            return "current_role";
        if (op && strcmp(op, "SVFOP_SESSION_USER") == 0)
            return "session_user";
        return "current_user";
    } else if (strcmp(name, "SubLink") == 0) {
        const char *k = str(b, "subLinkType");
        if (k && strcmp(k, "EXISTS_SUBLINK") == 0) {
            *strength = 2;
            return "exists";
        }
    }
    return "?column?";
}

static from_item_t *build_from(parser_t *p, subq_t *q, const cJSON *item);

static int push_rte(parser_t *p, subq_t *q, const store_table_t *t, const char *alias,
                    const char *refname, size_t loc, from_item_t **out);

/* Whether a schema exists as far as the store knows: one of its tables'. */
static bool schema_known(const parser_t *p, const char *schema)
{
    for (size_t i = 0; p->store && i < store_table_count(p->store); i++)
        if (strcmp(store_table_schema(store_table_at(p->store, i)), schema) == 0)
            return true;
    return false;
}

static int add_rte(parser_t *p, subq_t *q, const cJSON *rv, from_item_t **out)
{
    size_t loc = loc_or(rv, 0);
    const char *rel = str(rv, "relname");
    const char *schema = str(rv, "schemaname");
    if (!rel || str(rv, "catalogname"))
        return perr(p, loc, "0A000",
                    "supamock: this table reference is not supported in "
                    "policy expressions");
    if (q->nrte >= POLICY_MAX_FROM)
        return perr(p, loc, "54000",
                    p->sql ? "supamock: a FROM list of the memory engine names at most %d tables"
                           : "supamock: a policy's subquery reads at most %d tables",
                    POLICY_MAX_FROM);
    const store_table_t *t = NULL;
    /* a WITH query's name hides a table's (parse_relation.c scanNameSpaceForCTE) */
    for (const px_cte_t *c = schema ? NULL : p->ctes; c && !t; c = c->next)
        if (strcmp(c->name, rel) == 0)
            t = c->t;
    /* An unqualified name: along the search path the statement was bound
     * under (a view's), else the request's. */
    for (size_t i = 0; p->store && !schema && !t && i < p->nsearch_path; i++)
        t = store_find_table(p->store, p->search_path[i], rel);
    if (!t && p->store && (schema || p->nsearch_path == 0))
        t = schema ? store_find_table(p->store, schema, rel)
                   : store_find_table_on_path(p->store, rel);
    if (!t) {
        if (schema && strcmp(schema, "public") != 0 && strcmp(schema, "auth") != 0 &&
            !schema_known(p, schema))
            return perr(p, loc, "3F000", "schema \"%s\" does not exist", schema);
        return perr(p, loc, "42P01", "relation \"%s%s%s\" does not exist", schema ? schema : "",
                    schema ? "." : "", rel);
    }
    const char *alias = str(get(rv, "alias"), "aliasname");
    if (get(get(rv, "alias"), "colnames"))
        return perr(p, loc, "0A000",
                    "supamock: column aliases are not supported in policy "
                    "expressions");
    return push_rte(p, q, t, alias, alias ? alias : rel, loc, out);
}

/* Appends FROM entry t, referred to as refname (its alias, else its name). */
static int push_rte(parser_t *p, subq_t *q, const store_table_t *t, const char *alias,
                    const char *refname, size_t loc, from_item_t **out)
{
    /* parse_relation.c checkNameSpaceConflicts */
    for (size_t i = 0; i < q->nrte; i++)
        if (strcmp(rte_refname(&q->rtes[i]), refname) == 0)
            return perr(p, loc, "42712", "table name \"%s\" specified more than once", refname);
    q->rtes = xrealloc(q->rtes, (q->nrte + 1) * sizeof *q->rtes);
    q->rtes[q->nrte] = (rte_t){.t = t, .alias = alias ? xstrdup(alias) : NULL};
    from_item_t *f = xcalloc(1, sizeof *f);
    f->rte = (int)q->nrte++;
    *out = f;
    return 0;
}

static from_item_t *build_from(parser_t *p, subq_t *q, const cJSON *item)
{
    const char *name = node_name(item);
    const cJSON *b = node_body(item);
    from_item_t *f = NULL;
    if (strcmp(name, "RangeVar") == 0) {
        if (add_rte(p, q, b, &f) < 0)
            return NULL;
        return f;
    }
    if (strcmp(name, "RangeFunction") == 0 && p->derive_function) {
        size_t loc = loc_or(b, 0);
        if (q->nrte >= POLICY_MAX_FROM) {
            perr(p, loc, "54000",
                 "supamock: a FROM list of the memory engine names at most %d tables",
                 POLICY_MAX_FROM);
            return NULL;
        }
        const char *refname = NULL;
        const store_table_t *t = p->derive_function(p, b, &refname, loc);
        if (!t || push_rte(p, q, t, refname, refname, loc, &f) < 0)
            return NULL;
        return f;
    }
    if (strcmp(name, "RangeSubselect") == 0 && p->derive) {
        /* (SELECT ...) alias: a relation of the statement's own (LATERAL
         * reads no outer column here: such a reference fails as a missing
         * FROM-clause entry) */
        size_t loc = loc_or(get(b, "subquery") ? node_body(get(b, "subquery")) : b, 0);
        const char *alias = str(get(b, "alias"), "aliasname");
        if (!alias) {
            perr(p, loc, "42601", "subquery in FROM must have an alias");
            return NULL;
        }
        if (q->nrte >= POLICY_MAX_FROM) {
            perr(p, loc, "54000",
                 "supamock: a FROM list of the memory engine names at most %d tables",
                 POLICY_MAX_FROM);
            return NULL;
        }
        const store_table_t *t =
            p->derive(p, get(b, "subquery"), alias, get(get(b, "alias"), "colnames"), loc);
        if (!t || push_rte(p, q, t, alias, alias, loc, &f) < 0)
            return NULL;
        return f;
    }
    if (strcmp(name, "JoinExpr") != 0) {
        unsupported(p, loc_or(b, 0), "this FROM item");
        return NULL;
    }
    const char *jt = str(b, "jointype");
    int kind = !jt                             ? -1
               : strcmp(jt, "JOIN_INNER") == 0 ? PXJ_INNER
               : strcmp(jt, "JOIN_LEFT") == 0  ? PXJ_LEFT
               : strcmp(jt, "JOIN_RIGHT") == 0 ? PXJ_RIGHT
               : strcmp(jt, "JOIN_FULL") == 0  ? PXJ_FULL
                                               : -1;
    /* Outer joins only in a statement's own FROM (sql_exec.c runs them). */
    if (kind < 0 || (kind != PXJ_INNER && !(p->sql && q->depth == 0)) || get(b, "usingClause") ||
        cJSON_IsTrue(get(b, "isNatural")) || get(b, "alias")) {
        unsupported(p, loc_or(b, 0),
                    p->sql ? "a join other than [INNER|LEFT|RIGHT|FULL] JOIN ... ON and CROSS JOIN "
                             "(in a subquery: "
                             "[INNER] JOIN ... ON)"
                           : "a join other than [INNER] JOIN ... ON and CROSS JOIN");
        return NULL;
    }
    f = xcalloc(1, sizeof *f);
    f->rte = -1;
    f->jointype = kind;
    if (!(f->l = build_from(p, q, get(b, "larg"))) || !(f->r = build_from(p, q, get(b, "rarg")))) {
        from_free(f);
        return NULL;
    }
    return f;
}

/* The entries of f's subtree: [lo, hi) (add_rte numbers them left to right). */
static void from_range(const from_item_t *f, size_t *lo, size_t *hi)
{
    if (f->rte >= 0) {
        *lo = (size_t)f->rte;
        *hi = (size_t)f->rte + 1;
        return;
    }
    size_t a, b;
    from_range(f->l, lo, &a);
    from_range(f->r, &b, hi);
}

/* The ON quals, once the FROM list is read: a join's ON sees the entries of
 * its two sides (and the outer queries), as transformJoinOnClause's
 * namespace does; anything else is a missing FROM-clause entry. */
static int build_on(parser_t *p, subq_t *q, from_item_t *f, const cJSON *item)
{
    if (f->rte >= 0)
        return 0;
    const cJSON *b = node_body(item);
    if (build_on(p, q, f->l, get(b, "larg")) < 0 || build_on(p, q, f->r, get(b, "rarg")) < 0)
        return -1;
    const cJSON *quals = get(b, "quals");
    if (!quals)
        return 0;
    size_t lo, hi;
    from_range(f, &lo, &hi);
    const scope_t *outer = p->scope;
    scope_t on = {
        .up = outer->up, .depth = outer->depth, .rtes = q->rtes + lo, .nrte = hi - lo, .base = lo};
    p->scope = &on;
    f->on = build(p, quals);
    p->scope = outer;
    if (!f->on || coerce_bool(p, &f->on, "JOIN/ON") < 0)
        return -1;
    return 0;
}

static bool never_grouped(const void *ctx, const node_t *col)
{
    (void)ctx;
    (void)col;
    return false;
}

/* A statement's subquery's ORDER BY (an output's position or name, else an
 * expression over its rows), OFFSET and LIMIT (no column of its own). An
 * aggregating subquery yields one row: those are refused there. */
static int sublink_window(parser_t *p, subq_t *q, const cJSON *sel, size_t loc)
{
    const cJSON *sort = get(sel, "sortClause");
    const cJSON *lim = get(sel, "limitCount"), *off = get(sel, "limitOffset");
    if (!sort && !lim && !off)
        return 0;
    if (q->aggs) {
        unsupported(p, loc, "ORDER BY, LIMIT or OFFSET in an aggregating subquery");
        return -1;
    }
    if (str(sel, "limitOption") && strcmp(str(sel, "limitOption"), "LIMIT_OPTION_WITH_TIES") == 0) {
        unsupported(p, loc, "FETCH ... WITH TIES");
        return -1;
    }
    for (const cJSON *it = cJSON_IsArray(sort) ? sort->child : NULL; it; it = it->next) {
        const cJSON *sb = get(it, "SortBy");
        const cJSON *node = get(sb, "node");
        if (get(sb, "useOp")) {
            unsupported(p, loc_or(sb, loc), "ORDER BY ... USING");
            return -1;
        }
        const char *dir = str(sb, "sortby_dir");
        const char *nulls = str(sb, "sortby_nulls");
        bool desc = dir && strcmp(dir, "SORTBY_DESC") == 0;
        node_t *k = NULL;
        int target = -1;
        const cJSON *ic = get(get(node, "A_Const"), "ival");
        const cJSON *cr = get(node, "ColumnRef");
        if (get(node, "A_Const") && ic) {
            /* findTargetlistEntrySQL92: a position */
            const cJSON *v = get(ic, "ival");
            long pos = cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
            if (pos < 1 || (size_t)pos > q->ntarget) {
                perr(p, loc_or(node_body(node), loc), "42P10",
                     "ORDER BY position %ld is not in select list", pos);
                return -1;
            }
            target = (int)pos - 1;
        } else if (cr && list_len(get(cr, "fields")) == 1 && sval(get(cr, "fields")->child)) {
            const char *name = sval(get(cr, "fields")->child);
            for (size_t i = 0; i < q->ntarget && target < 0; i++)
                if (strcmp(q->names[i], name) == 0)
                    target = (int)i;
        }
        if (target < 0 && !(k = build(p, node)))
            return -1;
        q->sort = xrealloc(q->sort, (q->nsort + 1) * sizeof *q->sort);
        q->sort_target = xrealloc(q->sort_target, (q->nsort + 1) * sizeof *q->sort_target);
        q->sort_target[q->nsort] = target;
        q->sort_desc = xrealloc(q->sort_desc, (q->nsort + 1) * sizeof *q->sort_desc);
        q->sort_nulls_first =
            xrealloc(q->sort_nulls_first, (q->nsort + 1) * sizeof *q->sort_nulls_first);
        q->sort[q->nsort] = k;
        q->sort_desc[q->nsort] = desc;
        q->sort_nulls_first[q->nsort++] = nulls ? strcmp(nulls, "SORTBY_NULLS_FIRST") == 0 : desc;
    }
    const cJSON *counts[2] = {off, lim};
    node_t **outs[2] = {&q->offset, &q->limit};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *c = counts[i];
        if (!c || (get(c, "A_Const") && cJSON_IsTrue(get(get(c, "A_Const"), "isnull"))))
            continue;
        node_t *n = build(p, c);
        ptype_t i8 = ptype_of(PGTYPE_INT8);
        if (!n || make_cast(p, &n, &i8, n->loc, true) < 0) {
            node_free(n);
            return -1;
        }
        *outs[i] = n;
    }
    return 0;
}

static node_t *build_sublink(parser_t *p, const cJSON *s)
{
    size_t loc = loc_or(s, 0);
    const char *kind = str(s, "subLinkType");
    if (strcmp(p->clause, "CHECK") == 0)
        return perr(p, loc, "0A000", "cannot use subquery in check constraint"), NULL;
    const cJSON *sel = get(get(s, "subselect"), "SelectStmt");
    int sk = !kind                                 ? -1
             : strcmp(kind, "EXISTS_SUBLINK") == 0 ? SL_EXISTS
             : strcmp(kind, "ANY_SUBLINK") == 0    ? SL_ANY
             : strcmp(kind, "ALL_SUBLINK") == 0    ? SL_ALL
             : strcmp(kind, "EXPR_SUBLINK") == 0   ? SL_EXPR
                                                   : -1;
    if (sk < 0)
        return unsupported(p, loc, "this kind of subquery");
    /* ORDER BY, LIMIT and OFFSET in a statement's subquery (sublink_window) */
    bool window_ok = p->sql;
    if (!sel || get(sel, "valuesLists") || get(sel, "withClause") || get(sel, "groupClause") ||
        get(sel, "havingClause") ||
        (!window_ok &&
         (get(sel, "sortClause") || get(sel, "limitCount") || get(sel, "limitOffset"))) ||
        get(sel, "distinctClause") || get(sel, "windowClause") || get(sel, "lockingClause") ||
        get(sel, "intoClause") || (str(sel, "op") && strcmp(str(sel, "op"), "SETOP_NONE") != 0))
        return unsupported(p, loc,
                           "a subquery other than SELECT ... FROM ... [JOIN ...] WHERE ...");
    int depth = p->scope->depth + 1;
    if (depth > POLICY_MAX_SCOPES)
        return perr(p, loc, "54001", "stack depth limit exceeded"), NULL;
    subq_t *q = xcalloc(1, sizeof *q);
    q->kind = sk;
    q->depth = depth;
    px_aggs_t *outer_aggs = p->aggs;
    const char *outer_clause = p->agg_clause;
    p->aggs = NULL; /* a subquery's aggregates are its own: not modelled */
    p->agg_clause = "a subquery of a statement";
    node_t *n = node_new(N_SUBLINK, loc);
    n->sq = q;
    n->type = ptype_of(PGTYPE_BOOL);
    /* The left side of IN / op ANY belongs to the outer query. */
    node_t *left = NULL;
    const cJSON *names = get(s, "operName");
    if (sk == SL_ANY || sk == SL_ALL) {
        size_t nn = list_len(names);
        const char *opname = nn ? sval(cJSON_GetArrayItem(names, (int)nn - 1)) : "=";
        if (!cmp_of(opname, &q->op)) {
            unsupported(p, loc, "this operator with a subquery");
            goto fail;
        }
        if (!(left = build(p, get(s, "testexpr"))))
            goto fail;
    }
    const cJSON *from = get(sel, "fromClause");
    for (const cJSON *it = cJSON_IsArray(from) ? from->child : NULL; it; it = it->next) {
        from_item_t *f = build_from(p, q, it);
        if (!f)
            goto fail;
        q->from = xrealloc(q->from, (q->nfrom + 1) * sizeof *q->from);
        q->from[q->nfrom++] = f;
    }
    scope_t inner = {.up = p->scope, .depth = depth, .rtes = q->rtes, .nrte = q->nrte};
    p->scope = &inner;
    p->agg_clause = "JOIN conditions";
    size_t i = 0;
    for (const cJSON *it = cJSON_IsArray(from) ? from->child : NULL; it; it = it->next, i++)
        if (build_on(p, q, q->from[i], it) < 0)
            goto fail_scoped;
    const cJSON *where = get(sel, "whereClause");
    p->agg_clause = "WHERE";
    if (where && (!(q->where = build(p, where)) || coerce_bool(p, &q->where, "WHERE") < 0))
        goto fail_scoped;
    const cJSON *targets = get(sel, "targetList");
    if (p->sql) {
        /* a statement's subquery may aggregate its own rows (no GROUP BY) */
        q->aggs = xcalloc(1, sizeof *q->aggs);
        p->aggs = q->aggs;
        p->agg_clause = "a subquery of a statement";
    }
    for (const cJSON *it = cJSON_IsArray(targets) ? targets->child : NULL; it; it = it->next) {
        const cJSON *rt = get(it, "ResTarget");
        const cJSON *val = get(rt, "val");
        const cJSON *cr = get(val, "ColumnRef");
        if (cr &&
            get(cJSON_GetArrayItem(get(cr, "fields"), list_len(get(cr, "fields")) - 1), "A_Star")) {
            if (sk != SL_EXISTS) {
                unsupported(p, loc_or(cr, loc), "* in a subquery's output");
                goto fail_scoped;
            }
            continue; /* EXISTS reads no output */
        }
        node_t *t = build(p, val);
        if (!t)
            goto fail_scoped;
        if (t->type.special == SP_UNKNOWN) {
            /* transformTargetList resolves an unknown output to text */
            ptype_t text = ptype_of(PGTYPE_TEXT);
            if (make_cast(p, &t, &text, t->loc, true) < 0) {
                node_free(t);
                goto fail_scoped;
            }
        }
        int strength;
        const char *as = str(rt, "name");
        q->targets = xrealloc(q->targets, (q->ntarget + 1) * sizeof *q->targets);
        q->names = xrealloc(q->names, (q->ntarget + 1) * sizeof *q->names);
        q->targets[q->ntarget] = t;
        q->names[q->ntarget++] = xstrdup(as ? as : figure_colname(val, &strength));
    }
    p->aggs = NULL;
    if (q->aggs && q->aggs->n == 0) {
        free(q->aggs);
        q->aggs = NULL;
    }
    if (window_ok && sublink_window(p, q, sel, loc) < 0)
        goto fail_scoped;
    if (q->aggs) {
        /* parse_agg.c check_ungrouped_columns, with no GROUP BY */
        for (size_t k = 0; k < q->ntarget; k++) {
            const node_t *bad = px_find_column(q->targets[k], depth, never_grouped, NULL);
            if (bad) {
                const rte_t *r = &q->rtes[bad->rte];
                perr(p, bad->loc, "42803",
                     "column \"%s.%s\" must appear in the GROUP BY clause or be used in an "
                     "aggregate function",
                     rte_refname(r), store_table_column(r->t, (size_t)bad->col)->name);
                goto fail_scoped;
            }
        }
    }
    p->scope = inner.up;
    if (sk == SL_EXPR || sk == SL_ANY || sk == SL_ALL) {
        if (q->ntarget != 1) {
            /* transformSubLink */
            if (sk == SL_EXPR)
                perr(p, loc, "42601", "subquery must return only one column");
            else
                perr(p, loc, "42601", "subquery has %s columns",
                     q->ntarget ? "too many" : "too few");
            goto fail;
        }
    }
    if (sk == SL_EXPR)
        n->type = q->targets[0]->type;
    if (sk == SL_ANY || sk == SL_ALL) {
        node_t *out = node_new(N_OUTPUT, q->targets[0]->loc);
        out->type = q->targets[0]->type;
        /* make_scalar_array_op's operator: resolved as `left op output` */
        q->test = make_cmp(p, left, out, q->op, loc);
        left = NULL;
        if (!q->test)
            goto fail;
    }
    p->aggs = outer_aggs;
    p->agg_clause = outer_clause;
    return n;
fail_scoped:
    p->scope = inner.up;
fail:
    p->aggs = outer_aggs;
    p->agg_clause = outer_clause;
    node_free(left);
    node_free(n);
    return NULL;
}

policy_expr_t *policy_expr_parse(const char *text, const store_t *store, const store_table_t *t,
                                 policy_expr_error_t *err)
{
    return policy_expr_parse_clause(text, store, t, "POLICY", err);
}

policy_expr_t *policy_expr_parse_clause(const char *text, const store_t *store,
                                        const store_table_t *t, const char *clause,
                                        policy_expr_error_t *err)
{
    memset(err, 0, sizeof *err);
    sql_expr_t tree;
    sql_error_t serr;
    if (sql_parse_expr(text, &tree, &serr) < 0) {
        err->offset = serr.offset == SQL_NO_OFFSET ? 0 : serr.offset;
        snprintf(err->code, sizeof err->code, "%s",
                 strstr(serr.message, "nest") || strstr(serr.message, "nested") ? "54001"
                                                                                : "42601");
        snprintf(err->message, sizeof err->message, "%s", serr.message);
        return NULL;
    }
    parser_t p;
    memset(&p, 0, sizeof p);
    p.src = text;
    p.store = store;
    p.t = t;
    p.err = err;
    p.clause = clause;
    p.top.t = t;
    scope_t top = {.up = NULL, .depth = 0, .rtes = &p.top, .nrte = 1};
    p.scope = &top;
    policy_expr_t *e = NULL;
    node_t *root = build(&p, tree.node);
    /* transformWhereClause(..., "POLICY") in commands/policy.c;
     * coerce_to_boolean(..., "CHECK") in catalog/heap.c cookConstraint. */
    if (root && coerce_bool(&p, &root, clause) == 0) {
        e = xcalloc(1, sizeof *e);
        e->root = root;
        e->t = t;
        root = NULL;
    }
    node_free(root);
    cJSON_Delete(tree.tree);
    return e;
}

void policy_expr_free(policy_expr_t *e)
{
    if (!e)
        return;
    node_free(e->root);
    free(e);
}

/* ------------------------------------------------------------------------ */
/* evaluation                                                                */
/* ------------------------------------------------------------------------ */

static void set_text(pgvalue_t *out, const char *s)
{
    pgvalue_init_null(out);
    if (s) {
        out->is_null = false;
        out->s = xstrdup(s);
    }
}

/* A JSON item as a jsonb value (canonical text). */
static int json_to_jsonb(const cJSON *j, pgvalue_t *out, pgrst_error_t *err)
{
    ptype_t jt = ptype_of(PGTYPE_JSONB);
    if (cJSON_IsNull(j)) {
        /* jsonb 'null' (not SQL NULL) */
        pgvalue_init_null(out);
        out->is_null = false;
        out->s = xstrdup("null");
        return 0;
    }
    return pgvalue_from_json(&jt.t, j, out, err);
}

/* ->> of a JSON item: strings unquoted, JSON null is SQL NULL, anything else
 * its jsonb text. */
static int json_to_text(const cJSON *j, pgvalue_t *out, pgrst_error_t *err)
{
    pgvalue_init_null(out);
    if (!j || cJSON_IsNull(j))
        return 0;
    if (cJSON_IsString(j)) {
        set_text(out, j->valuestring);
        return 0;
    }
    return json_to_jsonb(j, out, err);
}

static int eval(const node_t *n, const ectx_t *env, pgvalue_t *out, pgrst_error_t *err);

/* Walks `a -> k` chains on cJSON without re-rendering: *item is borrowed from
 * env->claims or from *owned (which the caller deletes). NULL *item: SQL NULL. */
static int eval_json_item(const node_t *n, const ectx_t *env, const cJSON **item, cJSON **owned,
                          pgrst_error_t *err)
{
    *item = NULL;
    if (n->kind == N_FUNC && n->fn == F_JWT) {
        *item = env->claims;
        return 0;
    }
    if (n->kind == N_JSON && n->op == 0) {
        const cJSON *base = NULL;
        if (eval_json_item(n->a, env, &base, owned, err) < 0)
            return -1;
        if (!base)
            return 0;
        pgvalue_t key;
        if (eval(n->b, env, &key, err) < 0)
            return -1;
        if (!key.is_null) {
            if (is_scalar(&n->b->type, pgtype_kind_is_int)) {
                if (cJSON_IsArray(base)) {
                    int len = cJSON_GetArraySize(base);
                    int64_t idx = key.i < 0 ? key.i + len : key.i;
                    if (idx >= 0 && idx < len)
                        *item = cJSON_GetArrayItem(base, (int)idx);
                }
            } else if (cJSON_IsObject(base)) {
                /* jsonb keeps the last of duplicate keys */
                for (const cJSON *c = base->child; c; c = c->next)
                    if (c->string && strcmp(c->string, key.s) == 0)
                        *item = c;
            }
        }
        pgvalue_dispose(&key);
        return 0;
    }
    pgvalue_t v;
    if (eval(n, env, &v, err) < 0)
        return -1;
    if (!v.is_null) {
        cJSON *j = cJSON_Parse(v.s);
        if (j) {
            cJSON_Delete(*owned);
            *owned = j;
            *item = j;
        }
    }
    pgvalue_dispose(&v);
    return 0;
}

static int int_range(pgtype_kind_t k, double v, pgrst_error_t *err)
{
    double lo = k == PGTYPE_INT2   ? -32768.0
                : k == PGTYPE_INT4 ? -2147483648.0
                                   : -9223372036854775808.0;
    double hi = k == PGTYPE_INT2   ? 32767.0
                : k == PGTYPE_INT4 ? 2147483647.0
                                   : 9223372036854775807.0;
    if (!(v >= lo && (k == PGTYPE_INT8 ? v < hi : v <= hi)))
        return pgrst_error_setf(err, "22003", "%s out of range",
                                k == PGTYPE_INT2   ? "smallint"
                                : k == PGTYPE_INT4 ? "integer"
                                                   : "bigint");
    return 0;
}

/* Converts a non-NULL value between types: the numeric conversions PG does
 * directly, everything else through text output and input (CoerceViaIO). */
static int convert(const ptype_t *from, const pgvalue_t *v, const ptype_t *to, pgvalue_t *out,
                   pgrst_error_t *err)
{
    pgtype_kind_t f = from->t.kind, t = to->t.kind;
    bool scalars = from->special != SP_UNKNOWN && !from->t.is_array && !to->t.is_array;
    pgvalue_init_null(out);
    if (scalars && pgtype_kind_is_number(f) && pgtype_kind_is_number(t)) {
        if (pgtype_kind_is_int(f) && pgtype_kind_is_int(t)) {
            if (int_range(t, (double)v->i, err) < 0)
                return -1;
            out->is_null = false;
            out->i = v->i;
            return 0;
        }
        double d = pgtype_kind_is_int(f)     ? (double)v->i
                   : pgtype_kind_is_float(f) ? v->f
                                             : strtod(v->s, NULL);
        if (pgtype_kind_is_float(t)) {
            out->is_null = false;
            out->f = t == PGTYPE_FLOAT4 ? (double)(float)d : d;
            return 0;
        }
        if (pgtype_kind_is_int(t)) {
            /* numeric rounds half away from zero; float8 rounds half to even */
            double r = f == PGTYPE_NUMERIC ? round(d) : rint(d);
            if (int_range(t, r, err) < 0)
                return -1;
            out->is_null = false;
            out->i = (int64_t)r;
            return 0;
        }
    }
    if (scalars && f == PGTYPE_BOOL && t == PGTYPE_INT4) {
        out->is_null = false;
        out->i = v->i;
        return 0;
    }
    if (scalars && f == PGTYPE_BIT && (t == PGTYPE_INT4 || t == PGTYPE_INT8)) {
        /* bittoint4 / bittoint8: the bits as an unsigned number of the
         * target's width, read as signed; more bits than that is 22003. */
        size_t width = t == PGTYPE_INT4 ? 32 : 64, n = strlen(v->s);
        if (n > width)
            return pgrst_error_setf(err, "22003", "%s out of range",
                                    t == PGTYPE_INT4 ? "integer" : "bigint");
        uint64_t u = 0;
        for (size_t i = 0; i < n; i++)
            u = (u << 1) | (uint64_t)(v->s[i] == '1');
        out->is_null = false;
        out->i = t == PGTYPE_INT4 ? (int64_t)(int32_t)(uint32_t)u : (int64_t)u;
        return 0;
    }
    if (scalars && f == PGTYPE_INT4 && t == PGTYPE_BOOL) {
        out->is_null = false;
        out->i = v->i != 0;
        return 0;
    }
    buf_t b;
    buf_init(&b);
    if (from->special != SP_NONE)
        buf_puts(&b, v->s);
    else
        pgvalue_render_text(&from->t, v, &b);
    if (to->special != SP_NONE) {
        set_text(out, buf_cstr(&b));
        buf_dispose(&b);
        return 0;
    }
    if (scalars && (f == PGTYPE_JSONB || f == PGTYPE_JSON) &&
        (pgtype_kind_is_number(t) || t == PGTYPE_BOOL)) {
        /* jsonb::int etc. need a JSON number (boolean); a string is 22023 */
        cJSON *j = cJSON_Parse(buf_cstr(&b));
        bool ok = j && (t == PGTYPE_BOOL ? cJSON_IsBool(j) : cJSON_IsNumber(j));
        const char *what = !j                  ? "null"
                           : cJSON_IsString(j) ? "string"
                           : cJSON_IsNumber(j) ? "number"
                           : cJSON_IsBool(j)   ? "boolean"
                           : cJSON_IsArray(j)  ? "array"
                           : cJSON_IsObject(j) ? "object"
                                               : "null";
        cJSON_Delete(j);
        if (!ok) {
            char s[96];
            buf_dispose(&b);
            return pgrst_error_setf(err, "22023", "cannot cast jsonb %s to type %s", what,
                                    pgtype_name(&to->t, s, sizeof s));
        }
    }
    int rc = pgvalue_from_text(&to->t, b.data ? b.data : "", b.len, out, err);
    buf_dispose(&b);
    if (rc < 0)
        pgvalue_init_null(out);
    return rc;
}

static int64_t datetime_us(pgtype_kind_t k, const pgvalue_t *v)
{
    return k == PGTYPE_DATE ? v->i * INT64_C(86400000000) : v->i;
}

static int cmp3(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static int compare(const ptype_t *lt, const pgvalue_t *a, const ptype_t *rt, const pgvalue_t *b)
{
    if (is_scalar(lt, pgtype_kind_is_int) && is_scalar(rt, pgtype_kind_is_int))
        return cmp3(a->i, b->i);
    if (is_scalar(lt, pgtype_kind_is_float) && is_scalar(rt, pgtype_kind_is_float))
        return a->f < b->f ? -1 : a->f > b->f ? 1 : 0; /* NaN ordering not modelled */
    if (is_scalar(lt, kind_is_datetime) && is_scalar(rt, kind_is_datetime))
        return cmp3(datetime_us(lt->t.kind, a), datetime_us(rt->t.kind, b));
    if (lt->special != SP_NONE || rt->special != SP_NONE) {
        int c = strcmp(a->s ? a->s : "", b->s ? b->s : "");
        return c < 0 ? -1 : c > 0;
    }
    return pgvalue_compare(&lt->t, a, b);
}

static void set_bool(pgvalue_t *out, policy_truth_t t)
{
    pgvalue_init_null(out);
    if (t != POLICY_NULL) {
        out->is_null = false;
        out->i = t == POLICY_TRUE;
    }
}

static policy_truth_t truth_of(const pgvalue_t *v)
{
    return v->is_null ? POLICY_NULL : v->i ? POLICY_TRUE : POLICY_FALSE;
}

static int eval_truth(const node_t *n, const ectx_t *env, policy_truth_t *t, pgrst_error_t *err)
{
    pgvalue_t v;
    if (eval(n, env, &v, err) < 0)
        return -1;
    *t = truth_of(&v);
    pgvalue_dispose(&v);
    return 0;
}

/* A claim as text the way Supabase's auth functions read it:
 * coalesce(nullif(request.jwt.claim.X, ''), request.jwt.claims ->> 'X'). */
static const cJSON *claim(const ectx_t *env, const char *name)
{
    if (!env->claims || !cJSON_IsObject(env->claims))
        return NULL;
    return cJSON_GetObjectItemCaseSensitive(env->claims, name);
}

/* ---- subqueries ---- */

static int charge(const ectx_t *env, pgrst_error_t *err)
{
    mock_work_t *w = env->pub->work; /* never NULL here: policy_expr_eval sees to it */
    if (mock_work_charge(w, 1))
        return 0;
    if (w->fail_code)
        return pgrst_error_setf(err, w->fail_code, "%s", w->fail_message);
    return pgrst_error_setf(err, "57014", "canceling statement due to statement timeout");
}

/* The rows of entry r the role may read: the table's rows through
 * env->reader (row-level security as Postgres applies it to a policy's
 * subquery: the current user's, with that table's SELECT policies). */
static int visible_rows(const ectx_t *env, const store_table_t *t, const store_row_t ***out,
                        size_t *n, pgrst_error_t *err)
{
    const policy_reader_t *rd = env->pub->reader;
    if (store_table_is_derived(t)) {
        /* A view or a subquery of FROM: its rows are computed for this
         * reader (no reader: the owner's, who sees every row). */
        store_reader_t who = {.role = env->role,
                              .superuser = rd == NULL,
                              .claims = env->claims,
                              .now_us = env->now_us,
                              .work = env->pub->work,
                              .opaque = env->stmt};
        if (store_table_refresh((store_table_t *)t, &who, err) < 0)
            return -1;
    }
    size_t cap = store_table_row_count(t);
    const store_row_t **rows = xcalloc(cap ? cap : 1, sizeof *rows);
    size_t k = 0;
    if (rd && rd->begin && rd->begin(rd->ctx, t, env->pub, err) < 0) {
        free(rows);
        return -1;
    }
    for (const store_row_t *r = store_table_first(t); r && k < cap; r = store_row_next(r)) {
        if (charge(env, err) < 0) {
            free(rows);
            return -1;
        }
        bool ok = true;
        if (rd && rd->visible(rd->ctx, t, store_row_values(r), env->pub, &ok, err) < 0) {
            free(rows);
            return -1;
        }
        if (ok)
            rows[k++] = r;
    }
    *out = rows;
    *n = k;
    return 0;
}

typedef struct sl_run {
    const node_t *n;
    const subq_t *q;
    const ectx_t *env;
    const store_row_t ***rows; /* per entry: its visible rows */
    size_t *counts;
    const pgvalue_t **cur; /* per entry: the current combination */
    int found;             /* rows that passed */
    bool saw_null, decided;
    policy_truth_t truth;    /* SL_ANY/SL_ALL: the deciding value once decided */
    pgvalue_t value;         /* SL_EXPR: the output */
    sql_agg_state_t *states; /* q->aggs: the aggregates' states */
    /* ORDER BY / OFFSET / LIMIT: the passing combinations with their sort
     * keys, read once all are known */
    bool window;
    struct sl_kept *kept;
    size_t nkept, capkept;
} sl_run_t;

typedef struct sl_kept {
    const pgvalue_t **cur; /* owned copy of the combination */
    pgvalue_t *keys;       /* owned: one per sort key */
} sl_kept_t;

static int sl_take(sl_run_t *s, ectx_t *in, frame_t *f, pgrst_error_t *err);

static int conds_pass(const from_item_t *f, const ectx_t *env, bool *pass, pgrst_error_t *err)
{
    if (!f || f->rte >= 0 || !*pass)
        return 0;
    if (f->on) {
        policy_truth_t t;
        if (eval_truth(f->on, env, &t, err) < 0)
            return -1;
        *pass = t == POLICY_TRUE;
    }
    if (conds_pass(f->l, env, pass, err) < 0)
        return -1;
    return conds_pass(f->r, env, pass, err);
}

/* One combination of rows: does it pass the ON quals and WHERE, and what
 * does it say. */
static int sl_row(sl_run_t *s, pgrst_error_t *err)
{
    const subq_t *q = s->q;
    frame_t f = {.up = s->env->frame, .depth = q->depth, .rows = s->cur, .out = NULL};
    ectx_t in = *s->env;
    in.frame = &f;
    if (charge(s->env, err) < 0)
        return -1;
    bool pass = true;
    for (size_t i = 0; i < q->nfrom && pass; i++)
        if (conds_pass(q->from[i], &in, &pass, err) < 0)
            return -1;
    if (pass && q->where) {
        policy_truth_t t;
        if (eval_truth(q->where, &in, &t, err) < 0)
            return -1;
        pass = t == POLICY_TRUE;
    }
    if (!pass)
        return 0;
    if (q->aggs)
        return sql_agg_accumulate(q->aggs->v, q->aggs->n, s->states, &in, err);
    if (s->window) {
        if (s->nkept == s->capkept) {
            s->capkept = s->capkept ? s->capkept * 2 : 16;
            s->kept = xrealloc(s->kept, s->capkept * sizeof *s->kept);
        }
        sl_kept_t *k = &s->kept[s->nkept];
        size_t m = q->nrte ? q->nrte : 1;
        k->cur = xcalloc(m, sizeof *k->cur);
        memcpy(k->cur, s->cur, q->nrte * sizeof *k->cur);
        k->keys = xcalloc(q->nsort ? q->nsort : 1, sizeof *k->keys);
        s->nkept++;
        for (size_t i = 0; i < q->nsort; i++) {
            const node_t *key = q->sort[i] ? q->sort[i] : q->targets[q->sort_target[i]];
            if (eval(key, &in, &k->keys[i], err) < 0)
                return -1;
        }
        return 0;
    }
    return sl_take(s, &in, &f, err);
}

/* A combination that passed (and is inside the window): what it says. */
static int sl_take(sl_run_t *s, ectx_t *in_, frame_t *f_, pgrst_error_t *err)
{
    const subq_t *q = s->q;
    ectx_t in = *in_;
    frame_t f = *f_;
    in.frame = &f;
    s->found++;
    switch (q->kind) {
    case SL_EXISTS:
        s->decided = true;
        return 0;
    case SL_EXPR:
        if (s->found > 1) /* nodeSubplan.c ExecScanSubPlan */
            return pgrst_error_setf(err, "21000",
                                    "more than one row returned by a subquery used as an "
                                    "expression");
        return eval(q->targets[0], &in, &s->value, err);
    default: {
        pgvalue_t v;
        if (eval(q->targets[0], &in, &v, err) < 0)
            return -1;
        f.out = &v;
        policy_truth_t t;
        int rc = eval_truth(q->test, &in, &t, err);
        pgvalue_dispose(&v);
        if (rc < 0)
            return -1;
        /* ANY: the first true decides; ALL: the first false. */
        policy_truth_t decide = q->kind == SL_ANY ? POLICY_TRUE : POLICY_FALSE;
        if (t == decide) {
            s->decided = true;
            s->truth = decide;
        }
        s->saw_null = s->saw_null || t == POLICY_NULL;
        return 0;
    }
    }
}

static int sl_loop(sl_run_t *s, size_t i, pgrst_error_t *err)
{
    if (i == s->q->nrte)
        return sl_row(s, err);
    for (size_t k = 0; k < s->counts[i] && !s->decided; k++) {
        s->cur[i] = store_row_values(s->rows[i][k]);
        if (sl_loop(s, i + 1, err) < 0)
            return -1;
    }
    return 0;
}

/* ORDER BY of a subquery: its keys, NULLs as the key says. */
static int sl_cmp(const void *ctx, size_t ia, size_t ib)
{
    const sl_run_t *s = ctx;
    const subq_t *q = s->q;
    const sl_kept_t *a = &s->kept[ia], *b = &s->kept[ib];
    for (size_t i = 0; i < q->nsort; i++) {
        const node_t *key = q->sort[i] ? q->sort[i] : q->targets[q->sort_target[i]];
        const pgvalue_t *x = &a->keys[i], *y = &b->keys[i];
        int c;
        if (x->is_null || y->is_null)
            c = x->is_null == y->is_null ? 0 : (x->is_null == q->sort_nulls_first[i] ? -1 : 1);
        else
            c = px_compare(&key->type, x, &key->type, y) * (q->sort_desc[i] ? -1 : 1);
        if (c)
            return c;
    }
    return 0;
}

static void sort_run(size_t *idx, size_t *tmp, size_t n,
                     int (*cmp)(const void *ctx, size_t a, size_t b), const void *ctx)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_run(idx, tmp, h, cmp, ctx);
    sort_run(idx + h, tmp, n - h, cmp, ctx);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp(ctx, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

void px_sort_indexes(size_t *idx, size_t n, int (*cmp)(const void *ctx, size_t a, size_t b),
                     const void *ctx)
{
    size_t *tmp = xcalloc(n ? n : 1, sizeof *tmp);
    sort_run(idx, tmp, n, cmp, ctx);
    free(tmp);
}

int px_eval_count(const node_t *n, const ectx_t *env, const char *what, int64_t *out,
                  pgrst_error_t *err)
{
    *out = -1;
    if (!n)
        return 0;
    pgvalue_t v;
    if (eval(n, env, &v, err) < 0)
        return -1;
    int rc = 0;
    if (!v.is_null && v.i < 0)
        rc = pgrst_error_setf(err, strcmp(what, "LIMIT") == 0 ? "2201W" : "2201X",
                              "%s must not be negative", what);
    else if (!v.is_null)
        *out = v.i;
    pgvalue_dispose(&v);
    return rc;
}

/* The kept combinations, ordered, through OFFSET and LIMIT. */
static int sl_window(sl_run_t *s, pgrst_error_t *err)
{
    const subq_t *q = s->q;
    size_t steps = s->nkept;
    for (size_t m = s->nkept; m > 1; m >>= 1)
        steps += s->nkept;
    if (!mock_work_charge(s->env->pub->work, steps))
        return charge(s->env, err);
    size_t *order = xcalloc(s->nkept ? s->nkept : 1, sizeof *order);
    for (size_t i = 0; i < s->nkept; i++)
        order[i] = i;
    px_sort_indexes(order, s->nkept, sl_cmp, s);
    const pgvalue_t **none = xcalloc(q->nrte ? q->nrte : 1, sizeof *none);
    frame_t f = {.up = s->env->frame, .depth = q->depth, .rows = none, .out = NULL};
    ectx_t in = *s->env;
    in.frame = &f;
    int64_t offset, limit;
    int rc = px_eval_count(q->offset, &in, "OFFSET", &offset, err);
    if (rc == 0)
        rc = px_eval_count(q->limit, &in, "LIMIT", &limit, err);
    free(none);
    if (rc < 0) {
        free(order);
        return -1;
    }
    size_t from = offset > 0 ? ((uint64_t)offset > s->nkept ? s->nkept : (size_t)offset) : 0;
    size_t to = limit >= 0 && (uint64_t)limit < s->nkept - from ? from + (size_t)limit : s->nkept;
    for (size_t k = from; k < to && !s->decided; k++) {
        frame_t kf = {
            .up = s->env->frame, .depth = q->depth, .rows = s->kept[order[k]].cur, .out = NULL};
        ectx_t kin = *s->env;
        kin.frame = &kf;
        if (sl_take(s, &kin, &kf, err) < 0) {
            free(order);
            return -1;
        }
    }
    free(order);
    return 0;
}

static int eval_sublink(const node_t *n, const ectx_t *env, pgvalue_t *out, pgrst_error_t *err)
{
    const subq_t *q = n->sq;
    sl_run_t s;
    memset(&s, 0, sizeof s);
    s.n = n;
    s.q = q;
    s.env = env;
    pgvalue_init_null(&s.value);
    size_t m = q->nrte ? q->nrte : 1;
    s.rows = xcalloc(m, sizeof *s.rows);
    s.counts = xcalloc(m, sizeof *s.counts);
    s.cur = xcalloc(m, sizeof *s.cur);
    s.window = q->nsort || q->limit || q->offset;
    int rc = 0;
    if (q->aggs)
        s.states = sql_agg_states_new(q->aggs->v, q->aggs->n);
    for (size_t i = 0; i < q->nrte && rc == 0; i++)
        rc = visible_rows(env, q->rtes[i].t, &s.rows[i], &s.counts[i], err);
    if (rc == 0)
        rc = sl_loop(&s, 0, err);
    if (rc == 0 && s.window)
        rc = sl_window(&s, err);
    for (size_t i = 0; i < s.nkept; i++) {
        for (size_t k = 0; k < q->nsort; k++)
            pgvalue_dispose(&s.kept[i].keys[k]);
        free(s.kept[i].keys);
        free(s.kept[i].cur);
    }
    free(s.kept);
    if (rc == 0 && q->aggs) {
        /* one row: the aggregates' values, the targets over them (the
         * subquery's own columns read as NULL: none can appear outside an
         * aggregate) */
        pgvalue_t *vals = NULL;
        rc = sql_agg_finish(q->aggs->v, q->aggs->n, s.states, &vals, env->pub->work, err);
        if (rc == 0) {
            const pgvalue_t **none = xcalloc(q->nrte ? q->nrte : 1, sizeof *none);
            frame_t f = {.up = env->frame, .depth = q->depth, .rows = none, .out = NULL};
            ectx_t in = *env;
            in.frame = &f;
            in.aggs = vals;
            s.found = 1;
            if (q->kind == SL_EXPR) {
                rc = eval(q->targets[0], &in, &s.value, err);
            } else if (q->kind == SL_ANY || q->kind == SL_ALL) {
                pgvalue_t v;
                rc = eval(q->targets[0], &in, &v, err);
                if (rc == 0) {
                    f.out = &v;
                    policy_truth_t t;
                    rc = eval_truth(q->test, &in, &t, err);
                    pgvalue_dispose(&v);
                    if (rc == 0) {
                        policy_truth_t decide = q->kind == SL_ANY ? POLICY_TRUE : POLICY_FALSE;
                        s.decided = t == decide;
                        s.saw_null = t == POLICY_NULL;
                    }
                }
            }
            free(none);
            for (size_t i = 0; i < q->aggs->n; i++)
                pgvalue_dispose(&vals[i]);
            free(vals);
        }
    }
    if (s.states)
        sql_agg_states_free(q->aggs->v, q->aggs->n, s.states);
    for (size_t i = 0; i < q->nrte; i++)
        free(s.rows[i]);
    free(s.rows);
    free(s.counts);
    free(s.cur);
    if (rc < 0) {
        pgvalue_dispose(&s.value);
        return -1;
    }
    switch (q->kind) {
    case SL_EXISTS:
        set_bool(out, s.found ? POLICY_TRUE : POLICY_FALSE);
        break;
    case SL_EXPR:
        *out = s.value; /* NULL when no row */
        break;
    case SL_ANY:
        set_bool(out, s.decided ? POLICY_TRUE : s.saw_null ? POLICY_NULL : POLICY_FALSE);
        break;
    default:
        set_bool(out, s.decided ? POLICY_FALSE : s.saw_null ? POLICY_NULL : POLICY_TRUE);
        break;
    }
    return 0;
}

static int eval(const node_t *n, const ectx_t *env, pgvalue_t *out, pgrst_error_t *err)
{
    pgvalue_init_null(out);
    switch (n->kind) {
    case N_CONST:
        pgvalue_copy(out, &n->val);
        return 0;
    case N_COLUMN: {
        const frame_t *f = env->frame;
        while (f && f->depth != n->depth)
            f = f->up;
        if (f && f->rows[n->rte])
            pgvalue_copy(out, &f->rows[n->rte][n->col]);
        return 0;
    }
    case N_OUTPUT:
        if (env->frame && env->frame->out)
            pgvalue_copy(out, env->frame->out);
        return 0;
    case N_SQLVAL:
        set_text(out, env->role);
        return 0;
    case N_FUNC: {
        if (n->fn == F_JWT) {
            if (!env->claims)
                return 0;
            return json_to_jsonb(env->claims, out, err);
        }
        pgvalue_t text;
        if (n->fn == F_ROLE && !env->claims) {
            /* header contract: without claims auth.role() falls back to the role */
            set_text(out, env->role);
            return 0;
        }
        if (json_to_text(claim(env, n->fn == F_UID ? "sub" : FUNC_NAMES[n->fn]), &text, err) < 0)
            return -1;
        if (n->fn != F_UID || text.is_null) {
            *out = text;
            return 0;
        }
        /* auth.uid(): (... ->> 'sub')::uuid, so a sub that is not a uuid is 22P02 */
        ptype_t u = ptype_of(PGTYPE_UUID);
        int rc = pgvalue_from_text(&u.t, text.s, strlen(text.s), out, err);
        pgvalue_dispose(&text);
        if (rc < 0)
            pgvalue_init_null(out);
        return rc;
    }
    case N_JSON: {
        const cJSON *item = NULL;
        cJSON *owned = NULL;
        int rc;
        if (n->op == 0) {
            rc = eval_json_item(n, env, &item, &owned, err);
            if (rc == 0 && item)
                rc = json_to_jsonb(item, out, err);
        } else if (n->op == 2) {
            /* #>>: each path element a key of an object or an index of an
             * array (json_get_path_text); a NULL element or a miss is NULL. */
            rc = eval_json_item(n->a, env, &item, &owned, err);
            pgvalue_t path;
            pgvalue_init_null(&path);
            if (rc == 0 && item)
                rc = eval(n->b, env, &path, err);
            if (rc == 0 && item && !path.is_null) {
                const cJSON *hit = item;
                for (size_t i = 0; hit && i < path.nelems; i++) {
                    const pgvalue_t *k = &path.elems[i];
                    const cJSON *next = NULL;
                    if (k->is_null) {
                        hit = NULL;
                        break;
                    }
                    if (cJSON_IsObject(hit)) {
                        for (const cJSON *c = hit->child; c; c = c->next)
                            if (c->string && strcmp(c->string, k->s) == 0)
                                next = c;
                    } else if (cJSON_IsArray(hit)) {
                        char *end;
                        long idx = strtol(k->s, &end, 10);
                        int len = cJSON_GetArraySize(hit);
                        if (*k->s && !*end) {
                            if (idx < 0)
                                idx += len;
                            if (idx >= 0 && idx < len)
                                next = cJSON_GetArrayItem(hit, (int)idx);
                        }
                    }
                    hit = next;
                }
                rc = json_to_text(hit, out, err);
            }
            pgvalue_dispose(&path);
        } else {
            rc = eval_json_item(n->a, env, &item, &owned, err);
            if (rc == 0 && item) {
                pgvalue_t key;
                rc = eval(n->b, env, &key, err);
                const cJSON *hit = NULL;
                if (rc == 0 && !key.is_null) {
                    if (is_scalar(&n->b->type, pgtype_kind_is_int)) {
                        int len = cJSON_IsArray(item) ? cJSON_GetArraySize(item) : 0;
                        int64_t idx = key.i < 0 ? key.i + len : key.i;
                        if (cJSON_IsArray(item) && idx >= 0 && idx < len)
                            hit = cJSON_GetArrayItem(item, (int)idx);
                    } else if (cJSON_IsObject(item)) {
                        for (const cJSON *c = item->child; c; c = c->next)
                            if (c->string && strcmp(c->string, key.s) == 0)
                                hit = c;
                    }
                }
                pgvalue_dispose(&key);
                if (rc == 0)
                    rc = json_to_text(hit, out, err);
            }
        }
        cJSON_Delete(owned);
        return rc;
    }
    case N_CAST: {
        pgvalue_t v;
        if (eval(n->a, env, &v, err) < 0)
            return -1;
        int rc = 0;
        if (!v.is_null)
            rc = convert(&n->a->type, &v, &n->type, out, err);
        pgvalue_dispose(&v);
        return rc;
    }
    case N_NEG: {
        if (eval(n->a, env, out, err) < 0)
            return -1;
        if (out->is_null)
            return 0;
        pgtype_kind_t k = n->type.t.kind;
        if (pgtype_kind_is_int(k)) {
            if (int_range(k, -(double)out->i, err) < 0) {
                pgvalue_dispose(out);
                return -1;
            }
            out->i = -out->i;
        } else if (pgtype_kind_is_float(k)) {
            out->f = -out->f;
        } else if (out->s && strcmp(out->s, "0") != 0 && strcmp(out->s, "NaN") != 0) {
            char *s = out->s[0] == '-' ? xstrdup(out->s + 1) : xasprintf("-%s", out->s);
            free(out->s);
            out->s = s;
        }
        return 0;
    }
    case N_CMP: {
        pgvalue_t a, b;
        if (eval(n->a, env, &a, err) < 0)
            return -1;
        if (eval(n->b, env, &b, err) < 0) {
            pgvalue_dispose(&a);
            return -1;
        }
        if (!a.is_null && !b.is_null) {
            int c = compare(&n->a->type, &a, &n->b->type, &b);
            bool r = false;
            switch (n->op) {
            case CMP_EQ:
                r = c == 0;
                break;
            case CMP_NE:
                r = c != 0;
                break;
            case CMP_LT:
                r = c < 0;
                break;
            case CMP_LE:
                r = c <= 0;
                break;
            case CMP_GT:
                r = c > 0;
                break;
            default:
                r = c >= 0;
                break;
            }
            set_bool(out, r ? POLICY_TRUE : POLICY_FALSE);
        }
        pgvalue_dispose(&a);
        pgvalue_dispose(&b);
        return 0;
    }
    case N_BOOL:
    case N_IN: {
        /* ExecEvalAnd/Or (and ScalarArrayOpExpr): stop at the deciding value;
         * otherwise NULL wins over the neutral value. */
        bool is_and = n->kind == N_BOOL ? n->op == 0 : n->negated;
        policy_truth_t decide = is_and ? POLICY_FALSE : POLICY_TRUE;
        bool saw_null = false;
        for (size_t i = 0; i < n->nargs; i++) {
            policy_truth_t t;
            if (eval_truth(n->args[i], env, &t, err) < 0)
                return -1;
            if (t == decide) {
                set_bool(out, decide);
                return 0;
            }
            saw_null = saw_null || t == POLICY_NULL;
        }
        set_bool(out, saw_null ? POLICY_NULL : is_and ? POLICY_TRUE : POLICY_FALSE);
        return 0;
    }
    case N_NOT: {
        policy_truth_t t;
        if (eval_truth(n->a, env, &t, err) < 0)
            return -1;
        set_bool(out, t == POLICY_NULL   ? POLICY_NULL
                      : t == POLICY_TRUE ? POLICY_FALSE
                                         : POLICY_TRUE);
        return 0;
    }
    case N_NULLTEST: {
        pgvalue_t v;
        if (eval(n->a, env, &v, err) < 0)
            return -1;
        set_bool(out, v.is_null != n->negated ? POLICY_TRUE : POLICY_FALSE);
        pgvalue_dispose(&v);
        return 0;
    }
    case N_BOOLTEST: {
        policy_truth_t t;
        if (eval_truth(n->a, env, &t, err) < 0)
            return -1;
        policy_truth_t want = n->op == BT_TRUE    ? POLICY_TRUE
                              : n->op == BT_FALSE ? POLICY_FALSE
                                                  : POLICY_NULL;
        set_bool(out, (t == want) != n->negated ? POLICY_TRUE : POLICY_FALSE);
        return 0;
    }
    case N_SUBLINK:
        return eval_sublink(n, env, out, err);
    case N_VAR:
    case N_AGG:
    case N_ARITH:
    case N_CONCAT:
    case N_CALL:
    case N_CASE:
    case N_COALESCE:
    case N_NULLIF:
    case N_LIKE:
    case N_DISTINCT:
        return px_sql_eval(n, env, out, err);
    }
    return 0;
}

int policy_expr_eval(const policy_expr_t *e, const policy_eval_env_t *env, policy_truth_t *out,
                     pgrst_error_t *err)
{
    pgrst_error_t local;
    pgrst_error_init(&local);
    policy_truth_t t = POLICY_NULL;
    const pgvalue_t *row = env->row;
    frame_t top = {.up = NULL, .depth = 0, .rows = &row, .out = NULL};
    /* Without a statement's budget, one of our own, shared by the policies
     * the subqueries evaluate in turn (they get this env's copy). */
    mock_work_t own;
    policy_eval_env_t bounded;
    if (!env->work) {
        mock_work_init(&own, POLICY_LOCAL_STEPS);
        bounded = *env;
        bounded.work = &own;
        env = &bounded;
    }
    ectx_t x = {.claims = env->claims, .role = env->role, .pub = env, .frame = &top};
    if (eval_truth(e->root, &x, &t, &local) < 0) {
        if (!pgrst_error_is_set(&local))
            pgrst_error_setf(&local, "XX000", "policy expression failed");
        pgrst_error_move(err, &local);
        return -1;
    }
    *out = t;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* deparse (ruleutils.c, pg_get_expr without PRETTY_PAREN)                    */
/* ------------------------------------------------------------------------ */

static void put_quoted(buf_t *out, const char *s)
{
    buf_putc(out, '\'');
    for (const char *q = s; *q; q++) {
        if (*q == '\'')
            buf_putc(out, '\'');
        buf_putc(out, *q);
    }
    buf_putc(out, '\'');
}

static void put_typename(buf_t *out, const ptype_t *t)
{
    char s[96];
    buf_puts(out, "::");
    if (t->special == SP_NONE && t->t.kind == PGTYPE_VARCHAR && t->t.length >= 0 && !t->t.is_array)
        buf_printf(out, "character varying(%d)", (int)t->t.length);
    else if (t->special == SP_NONE && t->t.kind == PGTYPE_CHAR && !t->t.is_array)
        buf_printf(out, "bpchar");
    else
        buf_puts(out, ptype_name(t, s, sizeof s));
}

/* get_const_expr: integers and float-looking numerics bare unless negative,
 * booleans bare, everything else a quoted literal with its type. */
static void dp_const(const node_t *n, buf_t *out)
{
    const ptype_t *t = &n->type;
    if (n->val.is_null) {
        buf_puts(out, "NULL");
        if (t->special != SP_UNKNOWN)
            put_typename(out, t);
        return;
    }
    if (t->special == SP_UNKNOWN) {
        put_quoted(out, n->val.s);
        return;
    }
    if (px_is_name(t)) {
        put_quoted(out, n->val.s);
        buf_puts(out, "::name");
        return;
    }
    buf_t txt;
    buf_init(&txt);
    pgvalue_render_text(&t->t, &n->val, &txt);
    const char *s = buf_cstr(&txt);
    if (!t->t.is_array && t->t.kind == PGTYPE_BOOL) {
        buf_puts(out, n->val.i ? "true" : "false");
    } else if (!t->t.is_array && t->t.kind == PGTYPE_INT4 && s[0] != '-') {
        buf_puts(out, s);
    } else if (!t->t.is_array && t->t.kind == PGTYPE_NUMERIC && isdigit((unsigned char)s[0]) &&
               strcspn(s, "eE.") != strlen(s)) {
        buf_puts(out, s);
    } else {
        put_quoted(out, s);
        put_typename(out, t);
    }
    buf_dispose(&txt);
}

/* ruleutils.c's deparse_context, for what pg_get_expr(qual, relid) does:
 * PRETTYFLAG_INDENT (subqueries on several lines) and a wrap column of 0. */
/* The names the deparse gives the entries of one query level
 * (set_rtable_names): an entry whose name a level around it (or an earlier
 * entry of its own) already uses becomes name_1, name_2, ... */
typedef struct dpnames dpnames_t;
struct dpnames {
    const dpnames_t *up;
    int depth;
    char **names; /* owned, one per entry */
    size_t n;
};

typedef struct dpc {
    const policy_expr_t *e;
    int indent;   /* indentLevel */
    bool qualify; /* inside a subquery every column names its entry */
    const dpnames_t *names;
} dpc_t;

static bool name_in_use(const dpnames_t *level, size_t upto, const char *name)
{
    for (size_t i = 0; i < upto; i++)
        if (strcmp(level->names[i], name) == 0)
            return true;
    for (const dpnames_t *l = level->up; l; l = l->up)
        for (size_t i = 0; i < l->n; i++)
            if (strcmp(l->names[i], name) == 0)
                return true;
    return false;
}

static void names_for(const subq_t *q, const dpnames_t *up, dpnames_t *out)
{
    out->up = up;
    out->depth = q->depth;
    out->n = q->nrte;
    out->names = xcalloc(q->nrte ? q->nrte : 1, sizeof *out->names);
    for (size_t i = 0; i < q->nrte; i++) {
        const char *base = rte_refname(&q->rtes[i]);
        char *name = xstrdup(base);
        for (int k = 1; name_in_use(out, i, name) && k < 1000; k++) {
            free(name);
            name = xasprintf("%s_%d", base, k);
        }
        out->names[i] = name;
    }
}

static void names_dispose(dpnames_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
}

static const char *name_of(const dpc_t *c, int depth, int rte)
{
    for (const dpnames_t *l = c->names; l; l = l->up)
        if (l->depth == depth && (size_t)rte < l->n)
            return l->names[rte];
    return store_table_name(c->e->t);
}

static void dp(const dpc_t *c, const node_t *n, buf_t *out);

/* removeStringInfoSpaces */
static void trim_spaces(buf_t *out)
{
    while (out->len > 0 && out->data[out->len - 1] == ' ')
        out->data[--out->len] = '\0';
}

/* appendContextKeyword: a new line, indented, then the keyword. */
static void keyword(buf_t *out, int level, int plus, const char *kw)
{
    trim_spaces(out);
    buf_putc(out, '\n');
    for (int i = 0; i < (level > 0 ? level : 0) + plus; i++)
        buf_putc(out, ' ');
    buf_puts(out, kw);
}

static void dp_table(const rte_t *r, const char *name, buf_t *out)
{
    /* generate_relation_name: qualified when not on the search path */
    if (strcmp(store_table_schema(r->t), "public") != 0) {
        put_ident(out, store_table_schema(r->t));
        buf_putc(out, '.');
    }
    put_ident(out, store_table_name(r->t));
    if (r->alias || strcmp(name, store_table_name(r->t)) != 0) {
        buf_putc(out, ' ');
        put_ident(out, name);
    }
}

/* get_from_clause_item */
static void dp_from(const dpc_t *c, const subq_t *q, const from_item_t *f, int level, buf_t *out)
{
    if (f->rte >= 0) {
        dp_table(&q->rtes[f->rte], c->names->names[f->rte], out);
        return;
    }
    buf_putc(out, '(');
    dp_from(c, q, f->l, level, out);
    keyword(out, level - 8, 4, f->on ? " JOIN " : " CROSS JOIN ");
    dp_from(c, q, f->r, level, out);
    if (f->on) {
        buf_puts(out, " ON (");
        dpc_t in = {c->e, level, true, c->names};
        dp(&in, f->on, out);
        buf_putc(out, ')');
    }
    buf_putc(out, ')');
}

/* get_query_def of the subselect: get_basic_select_query, get_target_list,
 * get_from_clause and the WHERE. */
static void dp_query(const dpc_t *c, const subq_t *q, buf_t *out)
{
    int level = c->indent + 8;
    dpnames_t names;
    names_for(q, c->names, &names);
    dpc_t in = {c->e, level, true, &names};
    buf_puts(out, " SELECT");
    for (size_t i = 0; i < q->ntarget; i++) {
        if (i == 0) {
            buf_putc(out, ' ');
        } else {
            buf_puts(out, ", ");
            keyword(out, level - 8, 4, "");
        }
        dp(&in, q->targets[i], out);
        /* get_target_list: ` AS name` unless it is the column's own name or
         * FigureColname found none. */
        const node_t *t = q->targets[i];
        const char *colname =
            t->kind == N_COLUMN
                ? store_table_column(t->depth ? t->rte_ref->t : c->e->t, (size_t)t->col)->name
                : NULL;
        if (strcmp(q->names[i], "?column?") != 0 && (!colname || strcmp(colname, q->names[i]))) {
            buf_puts(out, " AS ");
            put_ident(out, q->names[i]);
        }
    }
    for (size_t i = 0; i < q->nfrom; i++) {
        if (i == 0) {
            keyword(out, level - 8, 2, " FROM ");
        } else {
            buf_puts(out, ", ");
            keyword(out, level - 8, 4, "");
        }
        dp_from(&in, q, q->from[i], level, out);
    }
    if (q->where) {
        keyword(out, level - 8, 1, " WHERE ");
        dp(&in, q->where, out);
    }
    names_dispose(&names);
}

static void dp_sublink(const dpc_t *c, const node_t *n, buf_t *out)
{
    const subq_t *q = n->sq;
    buf_putc(out, '(');
    switch (q->kind) {
    case SL_EXISTS:
        buf_puts(out, "EXISTS ");
        break;
    case SL_ANY:
    case SL_ALL:
        dp(c, q->test->a, out);
        if (q->kind == SL_ANY && q->op == CMP_EQ)
            buf_puts(out, " IN ");
        else
            buf_printf(out, " %s %s ", CMP_NAMES[q->op], q->kind == SL_ANY ? "ANY" : "ALL");
        break;
    default:
        break;
    }
    if (q->kind != SL_EXPR)
        buf_putc(out, '(');
    dp_query(c, q, out);
    buf_putc(out, ')');
    if (q->kind != SL_EXPR)
        buf_putc(out, ')');
}

static void dp(const dpc_t *c, const node_t *n, buf_t *out)
{
    switch (n->kind) {
    case N_CONST:
        dp_const(n, out);
        return;
    case N_COLUMN: {
        const store_table_t *t = n->depth ? n->rte_ref->t : c->e->t;
        if (c->qualify) {
            put_ident(out, name_of(c, n->depth, n->rte));
            buf_putc(out, '.');
        }
        put_ident(out, store_table_column(t, (size_t)n->col)->name);
        return;
    }
    case N_OUTPUT:
        return; /* printed as the subquery's target list */
    case N_FUNC:
        buf_printf(out, "auth.%s()", FUNC_NAMES[n->fn]);
        return;
    case N_SQLVAL:
        buf_puts(out, SQLVAL_NAMES[n->fn]);
        return;
    case N_JSON:
        buf_putc(out, '(');
        dp(c, n->a, out);
        buf_puts(out, n->op ? " ->> " : " -> ");
        dp(c, n->b, out);
        buf_putc(out, ')');
        return;
    case N_CAST:
        buf_putc(out, '(');
        dp(c, n->a, out);
        buf_putc(out, ')');
        put_typename(out, &n->type);
        return;
    case N_NEG:
        buf_puts(out, "(- ");
        dp(c, n->a, out);
        buf_putc(out, ')');
        return;
    case N_CMP:
        buf_putc(out, '(');
        dp(c, n->a, out);
        buf_printf(out, " %s ", CMP_NAMES[n->op]);
        dp(c, n->b, out);
        buf_putc(out, ')');
        return;
    case N_BOOL:
        buf_putc(out, '(');
        for (size_t i = 0; i < n->nargs; i++) {
            if (i)
                buf_puts(out, n->op ? " OR " : " AND ");
            dp(c, n->args[i], out);
        }
        buf_putc(out, ')');
        return;
    case N_NOT:
        buf_puts(out, "(NOT ");
        dp(c, n->a, out);
        buf_putc(out, ')');
        return;
    case N_NULLTEST:
        buf_putc(out, '(');
        dp(c, n->a, out);
        buf_puts(out, n->negated ? " IS NOT NULL)" : " IS NULL)");
        return;
    case N_BOOLTEST:
        buf_putc(out, '(');
        dp(c, n->a, out);
        buf_printf(out, " IS %s%s)", n->negated ? "NOT " : "",
                   n->op == BT_TRUE    ? "TRUE"
                   : n->op == BT_FALSE ? "FALSE"
                                       : "UNKNOWN");
        return;
    case N_IN:
        if (n->saop) {
            buf_putc(out, '(');
            dp(c, n->args[0]->a, out);
            buf_puts(out, n->negated ? " <> ALL (ARRAY[" : " = ANY (ARRAY[");
            for (size_t i = 0; i < n->nargs; i++) {
                if (i)
                    buf_puts(out, ", ");
                dp(c, n->args[i]->b, out);
            }
            buf_puts(out, "]))");
        } else if (n->nargs == 1) {
            dp(c, n->args[0], out);
        } else {
            buf_putc(out, '(');
            for (size_t i = 0; i < n->nargs; i++) {
                if (i)
                    buf_puts(out, n->negated ? " AND " : " OR ");
                dp(c, n->args[i], out);
            }
            buf_putc(out, ')');
        }
        return;
    case N_SUBLINK:
        dp_sublink(c, n, out);
        return;
    case N_VAR:
    case N_AGG:
    case N_ARITH:
    case N_CONCAT:
    case N_CALL:
    case N_CASE:
    case N_COALESCE:
    case N_NULLIF:
    case N_LIKE:
    case N_DISTINCT:
        /* statements' nodes: never in a policy (parser.sql is off there) */
        buf_puts(out, "?");
        return;
    }
}

void policy_expr_deparse(const policy_expr_t *e, buf_t *out)
{
    char *top_name = xstrdup(store_table_name(e->t));
    dpnames_t top = {.up = NULL, .depth = 0, .names = &top_name, .n = 1};
    dpc_t c = {e, 0, false, &top};
    dp(&c, e->root, out);
    free(top_name);
}

/* ---- what security.c asks about an expression ---- */

static void tables_of(const node_t *n, const store_table_t **out, size_t cap, size_t *k);

static void tables_of_from(const from_item_t *f, const store_table_t **out, size_t cap, size_t *k)
{
    if (!f)
        return;
    tables_of(f->on, out, cap, k);
    tables_of_from(f->l, out, cap, k);
    tables_of_from(f->r, out, cap, k);
}

static void tables_of(const node_t *n, const store_table_t **out, size_t cap, size_t *k)
{
    if (!n)
        return;
    if (n->kind == N_SUBLINK) {
        const subq_t *q = n->sq;
        for (size_t i = 0; i < q->nrte; i++) {
            bool seen = false;
            for (size_t j = 0; j < *k && !seen; j++)
                seen = out[j] == q->rtes[i].t;
            if (!seen && *k < cap)
                out[(*k)++] = q->rtes[i].t;
        }
        for (size_t i = 0; i < q->nfrom; i++)
            tables_of_from(q->from[i], out, cap, k);
        tables_of(q->where, out, cap, k);
        for (size_t i = 0; i < q->ntarget; i++)
            tables_of(q->targets[i], out, cap, k);
        tables_of(q->test, out, cap, k);
    }
    tables_of(n->a, out, cap, k);
    tables_of(n->b, out, cap, k);
    for (size_t i = 0; i < n->nargs; i++)
        tables_of(n->args[i], out, cap, k);
}

size_t policy_expr_tables(const policy_expr_t *e, const store_table_t **out, size_t cap)
{
    size_t k = 0;
    if (e)
        tables_of(e->root, out, cap, &k);
    return k;
}

bool policy_expr_has_subquery(const policy_expr_t *e)
{
    return e && contains_sublink(e->root);
}

/* ------------------------------------------------------------------------ */
/* what policy_expr_int.h exports to expr_sql.c and sql_exec.c               */
/* ------------------------------------------------------------------------ */

int px_perr(parser_t *p, size_t offset, const char *code, const char *fmt, ...)
{
    p->err->offset = offset;
    snprintf(p->err->code, sizeof p->err->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    return -1;
}
node_t *px_build(parser_t *p, const cJSON *node)
{
    return build(p, node);
}
void px_node_free(node_t *n)
{
    node_free(n);
}
node_t *px_node_new(nkind_t k, size_t loc)
{
    return node_new(k, loc);
}
void px_node_push_arg(node_t *n, node_t *arg)
{
    node_push_arg(n, arg);
}
int px_coerce_bool(parser_t *p, node_t **np, const char *clause)
{
    return coerce_bool(p, np, clause);
}
int px_make_cast(parser_t *p, node_t **np, const ptype_t *to, size_t cast_loc, bool implicit)
{
    return make_cast(p, np, to, cast_loc, implicit);
}
node_t *px_make_cmp(parser_t *p, node_t *l, node_t *r, int op, size_t oploc)
{
    return make_cmp(p, l, r, op, oploc);
}
int px_build_typename(parser_t *p, const cJSON *tn, ptype_t *out)
{
    return build_typename(p, tn, out);
}
from_item_t *px_build_from(parser_t *p, subq_t *q, const cJSON *item)
{
    return build_from(p, q, item);
}
int px_build_on(parser_t *p, subq_t *q, from_item_t *f, const cJSON *item)
{
    return build_on(p, q, f, item);
}
void px_from_free(from_item_t *f)
{
    from_free(f);
}
void px_subq_free(subq_t *q)
{
    subq_free(q);
}
const char *px_figure_colname(const cJSON *node, int *strength)
{
    return figure_colname(node, strength);
}
ptype_t px_ptype_of(pgtype_kind_t k)
{
    return ptype_of(k);
}
const char *px_ptype_name(const ptype_t *p, char *scratch, size_t n)
{
    return ptype_name(p, scratch, n);
}
bool px_contains_agg(const node_t *n)
{
    if (!n)
        return false;
    if (n->kind == N_AGG)
        return true;
    if (px_contains_agg(n->a) || px_contains_agg(n->b))
        return true;
    for (size_t i = 0; i < n->nargs; i++)
        if (px_contains_agg(n->args[i]))
            return true;
    return false;
}
const node_t *px_find_column(const node_t *n, int depth,
                             bool (*ok)(const void *ctx, const node_t *col), const void *ctx)
{
    if (!n || n->kind == N_AGG)
        return NULL;
    if (n->kind == N_COLUMN && n->depth == depth && !ok(ctx, n))
        return n;
    const node_t *r;
    if ((r = px_find_column(n->a, depth, ok, ctx)) || (r = px_find_column(n->b, depth, ok, ctx)))
        return r;
    for (size_t i = 0; i < n->nargs; i++)
        if ((r = px_find_column(n->args[i], depth, ok, ctx)))
            return r;
    return NULL;
}
int px_eval(const node_t *n, const ectx_t *env, pgvalue_t *out, pgrst_error_t *err)
{
    return eval(n, env, out, err);
}
int px_eval_truth(const node_t *n, const ectx_t *env, policy_truth_t *t, pgrst_error_t *err)
{
    return eval_truth(n, env, t, err);
}
int px_compare(const ptype_t *lt, const pgvalue_t *a, const ptype_t *rt, const pgvalue_t *b)
{
    return compare(lt, a, rt, b);
}
int px_convert(const ptype_t *from, const pgvalue_t *v, const ptype_t *to, pgvalue_t *out,
               pgrst_error_t *err)
{
    return convert(from, v, to, out, err);
}
int px_charge(const ectx_t *env, pgrst_error_t *err)
{
    return charge(env, err);
}
int px_json_to_jsonb(const cJSON *j, pgvalue_t *out, pgrst_error_t *err)
{
    return json_to_jsonb(j, out, err);
}
int px_visible_rows(const ectx_t *env, const store_table_t *t, const store_row_t ***out, size_t *n,
                    pgrst_error_t *err)
{
    return visible_rows(env, t, out, n, err);
}
