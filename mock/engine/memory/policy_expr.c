/* Policy expressions: a lexer and recursive-descent parser for the
 * SQL subset Supabase policies use, with Postgres's operator resolution done at
 * parse time (unknown literals take the other side's type, implicit casts are
 * inserted, mismatches are 42883), three-valued evaluation over a row and JWT
 * claims, and deparsing in pg_get_expr's form. It does not know about roles,
 * commands or which policies apply: that is security.c's and rest's. */
#include "policy_expr.h"

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

/* ------------------------------------------------------------------------ */
/* types                                                                     */
/* ------------------------------------------------------------------------ */

/* A pgtype_t plus the two pseudo types the parser needs: `unknown` (a string
 * literal or NULL not yet resolved, as in PG's parser) and `name` (the type of
 * current_user; stored as text). */
enum { SP_NONE, SP_UNKNOWN, SP_NAME };
typedef struct ptype {
    pgtype_t t;
    int special;
} ptype_t;

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
    if (p->special == SP_NAME)
        return "name";
    return pgtype_name(&p->t, scratch, n);
}

static bool ptype_equal(const ptype_t *a, const ptype_t *b)
{
    return a->special == b->special && a->t.kind == b->t.kind && a->t.is_array == b->t.is_array &&
           a->t.length == b->t.length && a->t.enum_def == b->t.enum_def;
}

static bool kind_is_int(pgtype_kind_t k)
{
    return k == PGTYPE_INT2 || k == PGTYPE_INT4 || k == PGTYPE_INT8;
}
static bool kind_is_float(pgtype_kind_t k)
{
    return k == PGTYPE_FLOAT4 || k == PGTYPE_FLOAT8;
}
static bool kind_is_number(pgtype_kind_t k)
{
    return kind_is_int(k) || kind_is_float(k) || k == PGTYPE_NUMERIC;
}
static bool kind_is_string(pgtype_kind_t k)
{
    return k == PGTYPE_TEXT || k == PGTYPE_VARCHAR || k == PGTYPE_CHAR;
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

typedef enum nkind {
    N_CONST,
    N_COLUMN,
    N_FUNC,   /* auth.uid() ... */
    N_SQLVAL, /* CURRENT_USER and friends */
    N_JSON,   /* -> / ->> */
    N_CAST,   /* explicit ::type, or an implicit cast from operator resolution */
    N_NEG,    /* unary minus on a non-literal */
    N_CMP,    /* = <> < <= > >= */
    N_BOOL,   /* AND / OR, flattened */
    N_NOT,
    N_NULLTEST,
    N_BOOLTEST,
    N_IN, /* args: one comparison per list element */
    N_SUBSELECT,
} nkind_t;

enum { F_UID, F_ROLE, F_EMAIL, F_JWT };
static const char *const FUNC_NAMES[] = {"uid", "role", "email", "jwt"};
enum { SV_CURRENT_USER, SV_CURRENT_ROLE, SV_SESSION_USER, SV_USER };
static const char *const SQLVAL_NAMES[] = {"CURRENT_USER", "CURRENT_ROLE", "SESSION_USER", "USER"};
/* FigureColname's names for them (USER is SVFOP_USER: "current_user"). */
static const char *const SQLVAL_ALIASES[] = {"current_user", "current_role", "session_user",
                                             "current_user"};
enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };
static const char *const CMP_NAMES[] = {"=", "<>", "<", "<=", ">", ">="};
enum { BT_TRUE, BT_FALSE, BT_UNKNOWN };

typedef struct node node_t;
struct node {
    nkind_t kind;
    size_t loc; /* byte offset, as PG's exprLocation (leftmost token) */
    ptype_t type;
    pgvalue_t val; /* N_CONST (owned) */
    int col;       /* N_COLUMN */
    int fn;        /* N_FUNC: F_*; N_SQLVAL: SV_* */
    int op;        /* N_CMP: CMP_*; N_JSON: 0 ->, 1 ->>; N_BOOL: 0 AND, 1 OR; N_BOOLTEST: BT_* */
    bool negated;  /* IS NOT ..., NOT IN */
    bool implicit; /* N_CAST from operator resolution */
    bool saop;     /* N_IN: deparse as `= ANY (ARRAY[...])` */
    bool numlit;   /* N_CONST straight from a number token (gram.y folds minus into it) */
    node_t *a, *b; /* operands (N_CAST/N_NEG/N_NOT/tests/N_SUBSELECT use a) */
    node_t **args; /* N_BOOL, N_IN; owned */
    size_t nargs;
};

struct policy_expr {
    node_t *root;
    const store_table_t *t; /* borrowed: column names for deparse, types */
};

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
/* lexer (scan.l's rules for the tokens this subset uses)                    */
/* ------------------------------------------------------------------------ */

typedef enum tkind {
    T_END,
    T_IDENT,  /* unquoted: text lowercased (ASCII), as PG folds identifiers */
    T_QIDENT, /* "quoted": text unescaped, case kept */
    T_STRING, /* '...': text unescaped */
    T_NUMBER,
    T_OP, /* operator: text normalised (!= becomes <>) */
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_DOT,
    T_CAST,
    T_LBRACK,
    T_RBRACK,
    T_OTHER, /* anything else: a syntax error wherever it appears */
} tkind_t;

typedef struct tok {
    tkind_t kind;
    size_t pos, len; /* span in the source */
    char *text;      /* owned */
} tok_t;

typedef struct parser {
    const char *src;
    size_t srclen;
    tok_t *toks;
    size_t ntok, i;
    int depth;
    const store_t *store;
    const store_table_t *t;
    policy_expr_error_t *err;
} parser_t;

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

static bool is_ident_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}
static bool is_ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}
static bool is_op_char(char c)
{
    return c && strchr("~!@#^&|`?+-*/%<>=", c) != NULL;
}

static void push_tok(parser_t *p, size_t *cap, tkind_t k, size_t pos, size_t len, char *text)
{
    if (p->ntok == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        p->toks = xrealloc(p->toks, *cap * sizeof *p->toks);
    }
    p->toks[p->ntok++] = (tok_t){.kind = k, .pos = pos, .len = len, .text = text};
}

/* Error text quotes the source from the token's start to its end, as
 * scanner_yyerror does. */
static int lex(parser_t *p)
{
    const char *s = p->src;
    size_t n = p->srclen, i = 0, cap = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c)) {
            i++;
            continue;
        }
        if (c == '-' && i + 1 < n && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
            continue;
        }
        if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            size_t start = i;
            int level = 0;
            while (i < n) {
                if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
                    level++;
                    i += 2;
                } else if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
                    i += 2;
                    if (--level == 0)
                        break;
                } else {
                    i++;
                }
            }
            if (level > 0)
                return perr(p, start, "42601", "unterminated /* comment at or near \"%.*s\"",
                            (int)(n - start > 60 ? 60 : n - start), s + start);
            continue;
        }
        size_t start = i;
        if (is_ident_start(c)) {
            while (i < n && is_ident_char((unsigned char)s[i]))
                i++;
            char *t = xstrndup(s + start, i - start);
            for (char *q = t; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            push_tok(p, &cap, T_IDENT, start, i - start, t);
            continue;
        }
        if (c == '"' || c == '\'') {
            buf_t b;
            buf_init(&b);
            i++;
            bool closed = false;
            while (i < n) {
                if ((unsigned char)s[i] == c) {
                    if (i + 1 < n && (unsigned char)s[i + 1] == c) {
                        buf_putc(&b, (char)c);
                        i += 2;
                        continue;
                    }
                    i++;
                    closed = true;
                    break;
                }
                buf_putc(&b, s[i]);
                i++;
            }
            if (!closed) {
                buf_dispose(&b);
                return perr(p, start, "42601", "unterminated quoted %s at or near \"%.*s\"",
                            c == '"' ? "identifier" : "string",
                            (int)(n - start > 60 ? 60 : n - start), s + start);
            }
            if (c == '"' && b.len == 0) {
                buf_dispose(&b);
                return perr(p, start, "42601",
                            "zero-length delimited identifier at or near \"\"\"\"");
            }
            push_tok(p, &cap, c == '"' ? T_QIDENT : T_STRING, start, i - start, buf_steal(&b));
            continue;
        }
        if (isdigit(c) || (c == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
            while (i < n && isdigit((unsigned char)s[i]))
                i++;
            if (i < n && s[i] == '.' && !(i + 1 < n && s[i + 1] == '.')) {
                i++;
                while (i < n && isdigit((unsigned char)s[i]))
                    i++;
            }
            if (i < n && (s[i] == 'e' || s[i] == 'E')) {
                size_t j = i + 1;
                if (j < n && (s[j] == '+' || s[j] == '-'))
                    j++;
                if (j < n && isdigit((unsigned char)s[j])) {
                    i = j;
                    while (i < n && isdigit((unsigned char)s[i]))
                        i++;
                }
            }
            if (i < n && is_ident_start((unsigned char)s[i])) {
                /* PG 15+: "trailing junk after numeric literal". */
                size_t j = i;
                while (j < n && is_ident_char((unsigned char)s[j]))
                    j++;
                return perr(p, start, "42601",
                            "trailing junk after numeric literal at or near \"%.*s\"",
                            (int)(j - start), s + start);
            }
            push_tok(p, &cap, T_NUMBER, start, i - start, xstrndup(s + start, i - start));
            continue;
        }
        if (c == ':' && i + 1 < n && s[i + 1] == ':') {
            i += 2;
            push_tok(p, &cap, T_CAST, start, 2, xstrdup("::"));
            continue;
        }
        if (is_op_char((char)c)) {
            /* scan.l: the longest run of operator characters, stopping before a
             * comment start; a multi-character operator may not end in + or -
             * unless it contains one of ~!@#%^&|`? (so `=-1` is `=` then `-1`). */
            while (i < n && is_op_char(s[i])) {
                if (i > start &&
                    ((s[i] == '-' && s[i - 1] == '-') || (s[i] == '*' && s[i - 1] == '/')))
                    break;
                if (s[i] == '-' && i + 1 < n && s[i + 1] == '-')
                    break;
                if (s[i] == '/' && i + 1 < n && s[i + 1] == '*')
                    break;
                i++;
            }
            if (i == start)
                i++;
            size_t len = i - start;
            if (len > 1) {
                bool special = false;
                for (size_t j = start; j < i; j++)
                    if (strchr("~!@#%^&|`?", s[j]))
                        special = true;
                if (!special)
                    while (len > 1 && (s[start + len - 1] == '+' || s[start + len - 1] == '-'))
                        len--;
            }
            i = start + len;
            char *t = xstrndup(s + start, len);
            if (strcmp(t, "!=") == 0) {
                free(t);
                t = xstrdup("<>");
            }
            push_tok(p, &cap, T_OP, start, len, t);
            continue;
        }
        tkind_t k = T_OTHER;
        switch (c) {
        case '(':
            k = T_LPAREN;
            break;
        case ')':
            k = T_RPAREN;
            break;
        case ',':
            k = T_COMMA;
            break;
        case '.':
            k = T_DOT;
            break;
        case '[':
            k = T_LBRACK;
            break;
        case ']':
            k = T_RBRACK;
            break;
        default:
            break;
        }
        /* One byte (or one UTF-8 sequence) per stray character. */
        i++;
        while (k == T_OTHER && i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        push_tok(p, &cap, k, start, i - start, xstrndup(s + start, i - start));
    }
    push_tok(p, &cap, T_END, n, 0, xstrdup(""));
    return 0;
}

/* ------------------------------------------------------------------------ */
/* parser helpers                                                            */
/* ------------------------------------------------------------------------ */

static const tok_t *peek(const parser_t *p)
{
    return &p->toks[p->i];
}
static const tok_t *peek_at(const parser_t *p, size_t ahead)
{
    size_t j = p->i + ahead;
    return &p->toks[j < p->ntok ? j : p->ntok - 1];
}
static const tok_t *next(parser_t *p)
{
    const tok_t *t = &p->toks[p->i];
    if (t->kind != T_END)
        p->i++;
    return t;
}

static bool tok_is_kw(const tok_t *t, const char *kw)
{
    return t->kind == T_IDENT && strcmp(t->text, kw) == 0;
}
static bool accept_kw(parser_t *p, const char *kw)
{
    if (tok_is_kw(peek(p), kw)) {
        p->i++;
        return true;
    }
    return false;
}

static int syntax_error_at(parser_t *p, const tok_t *t)
{
    if (t->kind == T_END)
        return perr(p, t->pos, "42601", "syntax error at end of input");
    return perr(p, t->pos, "42601", "syntax error at or near \"%.*s\"", (int)t->len,
                p->src + t->pos);
}

static int expect(parser_t *p, tkind_t k)
{
    if (peek(p)->kind != k)
        return syntax_error_at(p, peek(p));
    p->i++;
    return 0;
}

/* Reserved words (kwlist.h RESERVED_KEYWORD plus the type/function-name ones
 * the grammar cannot take as a column reference). Unquoted, they cannot name a
 * column; quote_identifier quotes them (and COL_NAME keywords) on output. */
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
    bool fs = from->special == SP_NAME || (!from->t.is_array && kind_is_string(f));
    bool ts = to->special == SP_NAME || (!to->t.is_array && kind_is_string(t));
    if (fs || ts)
        return true;
    if (from->t.is_array || to->t.is_array)
        return from->t.is_array && to->t.is_array &&
               (f == t || (kind_is_number(f) && kind_is_number(t)));
    if (f == t && (f != PGTYPE_ENUM || from->t.enum_def == to->t.enum_def))
        return true;
    if (kind_is_number(f) && kind_is_number(t))
        return true;
    if ((f == PGTYPE_BOOL && t == PGTYPE_INT4) || (f == PGTYPE_INT4 && t == PGTYPE_BOOL))
        return true;
    if ((f == PGTYPE_JSON || f == PGTYPE_JSONB) && (t == PGTYPE_JSON || t == PGTYPE_JSONB))
        return true;
    if (f == PGTYPE_JSONB && (kind_is_number(t) || t == PGTYPE_BOOL))
        return true;
    if (kind_is_datetime(f) && kind_is_datetime(t))
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
        if (!n->val.is_null && to->special != SP_NAME) {
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
    bool lstr = L.special == SP_NAME || is_scalar(&L, kind_is_string);
    bool rstr = R.special == SP_NAME || is_scalar(&R, kind_is_string);
    if (lstr && rstr) {
        if (ptype_equal(&L, &R) && L.t.kind != PGTYPE_VARCHAR)
            return 0;
        bool lname = L.special == SP_NAME, rname = R.special == SP_NAME;
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
    if (is_scalar(&L, kind_is_number) && is_scalar(&R, kind_is_number)) {
        pgtype_kind_t a = L.t.kind, b = R.t.kind;
        if ((kind_is_int(a) && kind_is_int(b)) || (kind_is_float(a) && kind_is_float(b)) ||
            (a == PGTYPE_NUMERIC && b == PGTYPE_NUMERIC))
            return 0;
        ptype_t target =
            ptype_of(kind_is_float(a) || kind_is_float(b) ? PGTYPE_FLOAT8 : PGTYPE_NUMERIC);
        if (!(kind_is_float(a) && target.t.kind == PGTYPE_FLOAT8) && a != target.t.kind)
            if (make_cast(p, l, &target, oploc, true) < 0)
                return -1;
        if (!(kind_is_float(b) && target.t.kind == PGTYPE_FLOAT8) && b != target.t.kind)
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
/* grammar                                                                   */
/* ------------------------------------------------------------------------ */

static node_t *parse_expr(parser_t *p);

static bool enter(parser_t *p, size_t loc)
{
    if (++p->depth > POLICY_MAX_DEPTH) {
        perr(p, loc, "54001", "stack depth limit exceeded");
        return false;
    }
    return true;
}

/* Number literal: integer that fits int4 → integer, int8 → bigint, else
 * numeric (make_const in parse_node.c). `negative` folds a leading minus, as
 * gram.y's doNegate does. */
static node_t *make_number(parser_t *p, const tok_t *t, bool negative, size_t loc)
{
    node_t *n = node_new(N_CONST, loc);
    n->numlit = true;
    const char *s = t->text;
    bool integral = strspn(s, "0123456789") == strlen(s);
    char *text = xasprintf("%s%s", negative ? "-" : "", s);
    pgrst_error_t e;
    pgrst_error_init(&e);
    if (integral) {
        errno = 0;
        long long v = strtoll(text, NULL, 10);
        if (errno == 0) {
            n->type = ptype_of(v >= INT32_MIN && v <= INT32_MAX ? PGTYPE_INT4 : PGTYPE_INT8);
            n->val.is_null = false;
            n->val.i = v;
            free(text);
            return n;
        }
    }
    n->type = ptype_of(PGTYPE_NUMERIC);
    if (pgvalue_from_text(&n->type.t, text, strlen(text), &n->val, &e) < 0) {
        set_err_from_pgrst(p, loc, &e);
        free(text);
        node_free(n);
        return NULL;
    }
    free(text);
    return n;
}

/* Type names after `::`: one identifier or the multi-word SQL names, an
 * optional (n) and []; enums from the store. */
static int parse_typename(parser_t *p, ptype_t *out)
{
    const tok_t *t = peek(p);
    size_t loc = t->pos;
    if (t->kind != T_IDENT && t->kind != T_QIDENT)
        return syntax_error_at(p, t);
    buf_t name;
    buf_init(&name);
    next(p);
    const char *first = t->text;
    if (peek(p)->kind == T_DOT &&
        (peek_at(p, 1)->kind == T_IDENT || peek_at(p, 1)->kind == T_QIDENT)) {
        /* schema-qualified: public./pg_catalog. are on the search path */
        next(p);
        first = next(p)->text;
        if (strcmp(t->text, "public") != 0 && strcmp(t->text, "pg_catalog") != 0 &&
            strcmp(t->text, "extensions") != 0) {
            buf_dispose(&name);
            return perr(p, t->pos, "3F000", "schema \"%s\" does not exist", t->text);
        }
    }
    buf_puts(&name, first);
    if (t->kind == T_IDENT) {
        if (strcmp(first, "double") == 0 && accept_kw(p, "precision"))
            buf_puts(&name, " precision");
        else if (strcmp(first, "character") == 0 && accept_kw(p, "varying"))
            buf_puts(&name, " varying");
        else if (strcmp(first, "timestamp") == 0 || strcmp(first, "time") == 0) {
            if (tok_is_kw(peek(p), "with") || tok_is_kw(peek(p), "without")) {
                const char *w = next(p)->text;
                if (!accept_kw(p, "time") || !tok_is_kw(peek(p), "zone")) {
                    buf_dispose(&name);
                    return syntax_error_at(p, peek(p));
                }
                next(p);
                if (strcmp(first, "timestamp") == 0 && strcmp(w, "with") == 0) {
                    buf_reset(&name);
                    buf_puts(&name, "timestamptz");
                }
            }
        }
    }
    if (peek(p)->kind == T_LPAREN && peek_at(p, 1)->kind == T_NUMBER &&
        peek_at(p, 2)->kind == T_RPAREN) {
        next(p);
        buf_printf(&name, "(%s)", next(p)->text);
        next(p);
    }
    bool array = false;
    if (peek(p)->kind == T_LBRACK) {
        next(p);
        if (expect(p, T_RBRACK) < 0) {
            buf_dispose(&name);
            return -1;
        }
        array = true;
    }
    memset(out, 0, sizeof *out);
    char *error = NULL;
    if (strcmp(buf_cstr(&name), "name") == 0 && !array) {
        *out = ptype_special(SP_NAME);
    } else if (pgtype_parse(buf_cstr(&name), NULL, 0, &out->t, &error) == 0) {
        out->t.is_array = array;
    } else {
        free(error);
        const pgtype_enum_t *en = p->store ? store_find_enum(p->store, buf_cstr(&name)) : NULL;
        if (!en) {
            int rc = perr(p, loc, "42704", "type \"%s%s\" does not exist", buf_cstr(&name),
                          array ? "[]" : "");
            buf_dispose(&name);
            return rc;
        }
        *out = ptype_of(PGTYPE_ENUM);
        out->t.enum_def = en;
        out->t.is_array = array;
    }
    buf_dispose(&name);
    return 0;
}

/* func_signature_string: name(argtype, ...). */
static node_t *parse_function(parser_t *p, const char *schema, const char *name, size_t loc)
{
    next(p); /* ( */
    node_t **args = NULL;
    size_t nargs = 0;
    node_t *result = NULL;
    if (peek(p)->kind != T_RPAREN) {
        for (;;) {
            node_t *a = parse_expr(p);
            if (!a)
                goto done;
            args = xrealloc(args, (nargs + 1) * sizeof *args);
            args[nargs++] = a;
            if (peek(p)->kind == T_COMMA) {
                next(p);
                continue;
            }
            break;
        }
    }
    if (expect(p, T_RPAREN) < 0)
        goto done;
    if (schema && strcmp(schema, "auth") == 0 && nargs == 0) {
        for (int f = 0; f < 4; f++) {
            if (strcmp(name, FUNC_NAMES[f]) == 0) {
                result = node_new(N_FUNC, loc);
                result->fn = f;
                result->type = ptype_of(f == F_UID   ? PGTYPE_UUID
                                        : f == F_JWT ? PGTYPE_JSONB
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
            buf_printf(&sig, "%s%s", i ? ", " : "", ptype_name(&args[i]->type, s, sizeof s));
        }
        buf_putc(&sig, ')');
        perr(p, loc, "42883", "function %s does not exist", buf_cstr(&sig));
        buf_dispose(&sig);
    }
done:
    for (size_t i = 0; i < nargs; i++)
        node_free(args[i]);
    free(args);
    return result;
}

static node_t *parse_primary(parser_t *p)
{
    const tok_t *t = peek(p);
    switch (t->kind) {
    case T_NUMBER:
        next(p);
        return make_number(p, t, false, t->pos);
    case T_STRING: {
        next(p);
        node_t *n = node_new(N_CONST, t->pos);
        n->type = ptype_special(SP_UNKNOWN);
        n->val.is_null = false;
        n->val.s = xstrdup(t->text);
        return n;
    }
    case T_LPAREN: {
        next(p);
        if (tok_is_kw(peek(p), "select")) {
            size_t loc = t->pos;
            next(p);
            node_t *inner = parse_expr(p);
            if (!inner)
                return NULL;
            /* An output alias changes nothing here (ruleutils prints one). */
            if (accept_kw(p, "as")) {
                if (peek(p)->kind != T_IDENT && peek(p)->kind != T_QIDENT) {
                    syntax_error_at(p, peek(p));
                    node_free(inner);
                    return NULL;
                }
                next(p);
            }
            if (expect(p, T_RPAREN) < 0) {
                node_free(inner);
                return NULL;
            }
            node_t *n = node_new(N_SUBSELECT, loc);
            n->type = inner->type;
            if (n->type.special == SP_UNKNOWN)
                n->type = ptype_of(PGTYPE_TEXT); /* a subquery's unknown output resolves to text */
            n->a = inner;
            return n;
        }
        node_t *e = parse_expr(p);
        if (!e)
            return NULL;
        if (expect(p, T_RPAREN) < 0) {
            node_free(e);
            return NULL;
        }
        return e;
    }
    case T_IDENT:
    case T_QIDENT: {
        if (t->kind == T_IDENT) {
            if (strcmp(t->text, "true") == 0 || strcmp(t->text, "false") == 0) {
                next(p);
                node_t *n = node_new(N_CONST, t->pos);
                n->type = ptype_of(PGTYPE_BOOL);
                n->val.is_null = false;
                n->val.i = t->text[0] == 't';
                return n;
            }
            if (strcmp(t->text, "null") == 0) {
                next(p);
                node_t *n = node_new(N_CONST, t->pos);
                n->type = ptype_special(SP_UNKNOWN);
                return n;
            }
            static const char *const sv[] = {"current_user", "current_role", "session_user",
                                             "user"};
            for (int k = 0; k < 4; k++) {
                if (strcmp(t->text, sv[k]) == 0) {
                    next(p);
                    node_t *n = node_new(N_SQLVAL, t->pos);
                    n->fn = k;
                    n->type = ptype_special(SP_NAME);
                    return n;
                }
            }
            if (is_reserved(t->text))
                return syntax_error_at(p, t), NULL;
        }
        next(p);
        const tok_t *second = NULL;
        if (peek(p)->kind == T_DOT) {
            next(p);
            second = peek(p);
            if (second->kind != T_IDENT && second->kind != T_QIDENT)
                return syntax_error_at(p, second), NULL;
            next(p);
        }
        if (peek(p)->kind == T_LPAREN)
            return second ? parse_function(p, t->text, second->text, t->pos)
                          : parse_function(p, NULL, t->text, t->pos);
        const char *colname = second ? second->text : t->text;
        if (second && strcmp(t->text, store_table_name(p->t)) != 0)
            return perr(p, t->pos, "42P01", "missing FROM-clause entry for table \"%s\"", t->text),
                   NULL;
        int col = store_table_find_column(p->t, colname);
        if (col < 0) {
            if (second)
                return perr(p, t->pos, "42703", "column %s.%s does not exist", t->text, colname),
                       NULL;
            return perr(p, t->pos, "42703", "column \"%s\" does not exist", colname), NULL;
        }
        node_t *n = node_new(N_COLUMN, t->pos);
        n->col = col;
        n->type = ptype_of(PGTYPE_TEXT);
        n->type.t = store_table_column(p->t, (size_t)col)->type;
        return n;
    }
    default:
        return syntax_error_at(p, t), NULL;
    }
}

static node_t *parse_postfix(parser_t *p)
{
    node_t *n = parse_primary(p);
    while (n && peek(p)->kind == T_CAST) {
        size_t loc = next(p)->pos;
        ptype_t to;
        if (parse_typename(p, &to) < 0 || make_cast(p, &n, &to, loc, false) < 0) {
            node_free(n);
            return NULL;
        }
    }
    return n;
}

static node_t *parse_unary(parser_t *p)
{
    const tok_t *t = peek(p);
    if (t->kind == T_OP && strcmp(t->text, "-") == 0) {
        if (!enter(p, t->pos))
            return NULL;
        next(p);
        node_t *n;
        if (peek(p)->kind == T_NUMBER && peek_at(p, 1)->kind != T_CAST) {
            n = make_number(p, next(p), true, t->pos);
        } else {
            node_t *arg = parse_unary(p);
            if (!arg) {
                p->depth--;
                return NULL;
            }
            if (arg->kind == N_CONST && arg->numlit) {
                /* doNegate: a minus on a numeric constant folds into it, even
                 * `- -1` or `-(1)` (parentheses make no node). */
                buf_t txt;
                buf_init(&txt);
                pgvalue_render_text(&arg->type.t, &arg->val, &txt);
                char *digits = buf_steal(&txt);
                tok_t fake = {.kind = T_NUMBER, .text = digits[0] == '-' ? digits + 1 : digits};
                n = make_number(p, &fake, digits[0] != '-', t->pos);
                free(digits);
                node_free(arg);
                p->depth--;
                return n;
            }
            if (!is_scalar(&arg->type, kind_is_number)) {
                char s[96];
                perr(p, t->pos, "42883", "operator does not exist: - %s",
                     ptype_name(&arg->type, s, sizeof s));
                node_free(arg);
                p->depth--;
                return NULL;
            }
            n = node_new(N_NEG, t->pos);
            n->type = arg->type;
            n->a = arg;
        }
        p->depth--;
        return n;
    }
    return parse_postfix(p);
}

static bool is_cmp_op(const tok_t *t, int *op)
{
    if (t->kind != T_OP)
        return false;
    for (int k = 0; k < 6; k++)
        if (strcmp(t->text, CMP_NAMES[k]) == 0) {
            *op = k;
            return true;
        }
    return false;
}

/* Generic-operator level (`->`, `->>`; gram.y's Op, left associative). */
static node_t *parse_op(parser_t *p)
{
    node_t *l = parse_unary(p);
    while (l) {
        const tok_t *t = peek(p);
        int dummy;
        if (t->kind != T_OP || is_cmp_op(t, &dummy))
            break;
        next(p);
        node_t *r = parse_unary(p);
        if (!r) {
            node_free(l);
            return NULL;
        }
        bool arrow = strcmp(t->text, "->") == 0, arrow2 = strcmp(t->text, "->>") == 0;
        if (!arrow && !arrow2) {
            if (strchr("+-*/%^", t->text[0]) && t->len == 1)
                perr(p, t->pos, "0A000",
                     "supamock: operator %s is not supported in policy expressions", t->text);
            else
                op_not_exist(p, t->pos, &l->type, t->text, &r->type);
            node_free(l);
            node_free(r);
            return NULL;
        }
        ptype_t L = l->type;
        bool json = L.special == SP_NONE && !L.t.is_array &&
                    (L.t.kind == PGTYPE_JSON || L.t.kind == PGTYPE_JSONB);
        bool rok = r->type.special == SP_UNKNOWN || r->type.special == SP_NAME ||
                   is_scalar(&r->type, kind_is_string) || is_scalar(&r->type, kind_is_int);
        if (!json || !rok) {
            op_not_exist(p, t->pos, &L, t->text, &r->type);
            node_free(l);
            node_free(r);
            return NULL;
        }
        ptype_t text = ptype_of(PGTYPE_TEXT);
        if (!is_scalar(&r->type, kind_is_int) && make_cast(p, &r, &text, t->pos, true) < 0) {
            node_free(l);
            node_free(r);
            return NULL;
        }
        node_t *n = node_new(N_JSON, l->loc);
        n->op = arrow2;
        n->type = arrow2 ? text : L;
        n->a = l;
        n->b = r;
        l = n;
    }
    return l;
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

/* x [NOT] IN (list): one comparison per element (transformAExprIn). With more
 * than one element and no column in the list, PG builds `x = ANY (ARRAY[..])`
 * (`<> ALL` for NOT IN); otherwise an OR (AND) of comparisons. */
static node_t *parse_in(parser_t *p)
{
    node_t *l = parse_op(p);
    if (!l)
        return NULL;
    bool negated = false;
    size_t loc = peek(p)->pos;
    if (tok_is_kw(peek(p), "not") && tok_is_kw(peek_at(p, 1), "in")) {
        negated = true;
        next(p);
    }
    if (!accept_kw(p, "in"))
        return l;
    if (expect(p, T_LPAREN) < 0) {
        node_free(l);
        return NULL;
    }
    node_t *n = node_new(N_IN, l->loc);
    n->negated = negated;
    n->type = ptype_of(PGTYPE_BOOL);
    bool any_column = false;
    for (;;) {
        node_t *e = parse_expr(p);
        if (!e)
            goto fail;
        any_column = any_column || contains_column(e);
        node_t *c = make_cmp(p, node_clone(l), e, negated ? CMP_NE : CMP_EQ, loc);
        if (!c)
            goto fail;
        node_push_arg(n, c);
        if (peek(p)->kind == T_COMMA) {
            next(p);
            continue;
        }
        break;
    }
    if (expect(p, T_RPAREN) < 0)
        goto fail;
    n->saop = n->nargs > 1 && !any_column;
    node_free(l);
    return n;
fail:
    node_free(l);
    node_free(n);
    return NULL;
}

/* x = ANY (ARRAY[...]) and x <> ALL (ARRAY[...]): what pg_get_expr prints for
 * IN lists, so deparsed text parses again. Other forms are not modelled. */
static node_t *parse_any_all(parser_t *p, node_t *l, int op, size_t oploc)
{
    const tok_t *q = next(p);
    bool all = strcmp(q->text, "all") == 0;
    if ((op == CMP_EQ && all) || (op == CMP_NE && !all) || (op != CMP_EQ && op != CMP_NE)) {
        perr(p, q->pos, "0A000",
             "supamock: only = ANY and <> ALL are supported in policy expressions");
        node_free(l);
        return NULL;
    }
    if (expect(p, T_LPAREN) < 0 || !accept_kw(p, "array")) {
        if (!p->err->message[0])
            perr(p, peek(p)->pos, "0A000", "supamock: = ANY and <> ALL need an ARRAY[...] list");
        node_free(l);
        return NULL;
    }
    if (expect(p, T_LBRACK) < 0) {
        node_free(l);
        return NULL;
    }
    node_t *n = node_new(N_IN, l->loc);
    n->negated = all;
    n->type = ptype_of(PGTYPE_BOOL);
    for (;;) {
        node_t *e = parse_expr(p);
        if (!e)
            goto fail;
        node_t *c = make_cmp(p, node_clone(l), e, op, oploc);
        if (!c)
            goto fail;
        node_push_arg(n, c);
        if (peek(p)->kind != T_COMMA)
            break;
        next(p);
    }
    if (expect(p, T_RBRACK) < 0 || expect(p, T_RPAREN) < 0)
        goto fail;
    n->saop = true; /* an ArrayExpr stays one ScalarArrayOpExpr */
    node_free(l);
    return n;
fail:
    node_free(l);
    node_free(n);
    return NULL;
}

static node_t *parse_cmp(parser_t *p)
{
    node_t *l = parse_in(p);
    int op;
    if (!l || !is_cmp_op(peek(p), &op))
        return l;
    size_t oploc = next(p)->pos;
    if ((tok_is_kw(peek(p), "any") || tok_is_kw(peek(p), "some") || tok_is_kw(peek(p), "all")) &&
        peek_at(p, 1)->kind == T_LPAREN)
        return parse_any_all(p, l, op, oploc);
    node_t *r = parse_in(p);
    if (!r) {
        node_free(l);
        return NULL;
    }
    return make_cmp(p, l, r, op, oploc);
}

/* IS [NOT] NULL | TRUE | FALSE | UNKNOWN, ISNULL, NOTNULL. */
static node_t *parse_is(parser_t *p)
{
    node_t *a = parse_cmp(p);
    if (!a)
        return NULL;
    const tok_t *t = peek(p);
    if (tok_is_kw(t, "isnull") || tok_is_kw(t, "notnull")) {
        next(p);
        node_t *n = node_new(N_NULLTEST, a->loc);
        n->negated = t->text[0] == 'n';
        n->type = ptype_of(PGTYPE_BOOL);
        n->a = a;
        return n;
    }
    if (!tok_is_kw(t, "is"))
        return a;
    next(p);
    bool neg = accept_kw(p, "not");
    const tok_t *w = peek(p);
    node_t *n = NULL;
    if (tok_is_kw(w, "null")) {
        next(p);
        n = node_new(N_NULLTEST, a->loc);
    } else if (tok_is_kw(w, "true") || tok_is_kw(w, "false") || tok_is_kw(w, "unknown")) {
        next(p);
        int bt = w->text[0] == 't' ? BT_TRUE : w->text[0] == 'f' ? BT_FALSE : BT_UNKNOWN;
        char clause[32];
        snprintf(clause, sizeof clause, "IS %s%s", neg ? "NOT " : "",
                 bt == BT_TRUE    ? "TRUE"
                 : bt == BT_FALSE ? "FALSE"
                                  : "UNKNOWN");
        if (coerce_bool(p, &a, clause) < 0) {
            node_free(a);
            return NULL;
        }
        n = node_new(N_BOOLTEST, a->loc);
        n->op = bt;
    } else {
        syntax_error_at(p, w);
        node_free(a);
        return NULL;
    }
    n->negated = neg;
    n->type = ptype_of(PGTYPE_BOOL);
    n->a = a;
    return n;
}

static node_t *parse_not(parser_t *p)
{
    const tok_t *t = peek(p);
    if (!tok_is_kw(t, "not"))
        return parse_is(p);
    if (!enter(p, t->pos))
        return NULL;
    next(p);
    node_t *a = parse_not(p);
    p->depth--;
    if (!a)
        return NULL;
    if (coerce_bool(p, &a, "NOT") < 0) {
        node_free(a);
        return NULL;
    }
    node_t *n = node_new(N_NOT, t->pos);
    n->type = ptype_of(PGTYPE_BOOL);
    n->a = a;
    return n;
}

/* AND/OR: makeAndExpr/makeOrExpr flatten when the left operand is already the
 * same kind of BoolExpr, so `a AND b AND c` is one node of three arguments. */
static node_t *parse_bool(parser_t *p, int op)
{
    const char *kw = op ? "or" : "and";
    const char *clause = op ? "OR" : "AND";
    node_t *l = op ? parse_bool(p, 0) : parse_not(p);
    if (!l)
        return NULL;
    node_t *n = NULL;
    while (tok_is_kw(peek(p), kw)) {
        size_t loc = next(p)->pos;
        node_t *r = op ? parse_bool(p, 0) : parse_not(p);
        if (!r)
            goto fail;
        if (!n) {
            if (coerce_bool(p, &l, clause) < 0) {
                node_free(r);
                goto fail;
            }
            if (l->kind == N_BOOL && l->op == op) {
                n = l;
            } else {
                n = node_new(N_BOOL, loc);
                n->op = op;
                n->type = ptype_of(PGTYPE_BOOL);
                node_push_arg(n, l);
            }
            l = NULL;
        }
        if (coerce_bool(p, &r, clause) < 0) {
            node_free(r);
            goto fail;
        }
        node_push_arg(n, r);
    }
    return n ? n : l;
fail:
    node_free(l);
    node_free(n);
    return NULL;
}

static node_t *parse_expr(parser_t *p)
{
    if (!enter(p, peek(p)->pos))
        return NULL;
    node_t *n = parse_bool(p, 1);
    p->depth--;
    return n;
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
    parser_t p;
    memset(&p, 0, sizeof p);
    memset(err, 0, sizeof *err);
    p.src = text;
    p.srclen = strlen(text);
    p.store = store;
    p.t = t;
    p.err = err;
    policy_expr_t *e = NULL;
    node_t *root = NULL;
    if (lex(&p) < 0)
        goto done;
    root = parse_expr(&p);
    if (!root)
        goto done;
    if (peek(&p)->kind != T_END) {
        syntax_error_at(&p, peek(&p));
        goto done;
    }
    /* transformWhereClause(..., "POLICY") in commands/policy.c;
     * coerce_to_boolean(..., "CHECK") in catalog/heap.c cookConstraint. */
    if (coerce_bool(&p, &root, clause) < 0)
        goto done;
    e = xcalloc(1, sizeof *e);
    e->root = root;
    e->t = t;
    root = NULL;
done:
    node_free(root);
    for (size_t i = 0; i < p.ntok; i++)
        free(p.toks[i].text);
    free(p.toks);
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

static int eval(const node_t *n, const policy_eval_env_t *env, pgvalue_t *out, pgrst_error_t *err);

/* Walks `a -> k` chains on cJSON without re-rendering: *item is borrowed from
 * env->claims or from *owned (which the caller deletes). NULL *item: SQL NULL. */
static int eval_json_item(const node_t *n, const policy_eval_env_t *env, const cJSON **item,
                          cJSON **owned, pgrst_error_t *err)
{
    *item = NULL;
    if (n->kind == N_FUNC && n->fn == F_JWT) {
        *item = env->claims;
        return 0;
    }
    if (n->kind == N_SUBSELECT)
        return eval_json_item(n->a, env, item, owned, err);
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
            if (is_scalar(&n->b->type, kind_is_int)) {
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
    if (scalars && kind_is_number(f) && kind_is_number(t)) {
        if (kind_is_int(f) && kind_is_int(t)) {
            if (int_range(t, (double)v->i, err) < 0)
                return -1;
            out->is_null = false;
            out->i = v->i;
            return 0;
        }
        double d = kind_is_int(f) ? (double)v->i : kind_is_float(f) ? v->f : strtod(v->s, NULL);
        if (kind_is_float(t)) {
            out->is_null = false;
            out->f = t == PGTYPE_FLOAT4 ? (double)(float)d : d;
            return 0;
        }
        if (kind_is_int(t)) {
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
        (kind_is_number(t) || t == PGTYPE_BOOL)) {
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
    if (is_scalar(lt, kind_is_int) && is_scalar(rt, kind_is_int))
        return cmp3(a->i, b->i);
    if (is_scalar(lt, kind_is_float) && is_scalar(rt, kind_is_float))
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

static int eval_truth(const node_t *n, const policy_eval_env_t *env, policy_truth_t *t,
                      pgrst_error_t *err)
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
static const cJSON *claim(const policy_eval_env_t *env, const char *name)
{
    if (!env->claims || !cJSON_IsObject(env->claims))
        return NULL;
    return cJSON_GetObjectItemCaseSensitive(env->claims, name);
}

static int eval(const node_t *n, const policy_eval_env_t *env, pgvalue_t *out, pgrst_error_t *err)
{
    pgvalue_init_null(out);
    switch (n->kind) {
    case N_CONST:
        pgvalue_copy(out, &n->val);
        return 0;
    case N_COLUMN:
        if (env->row)
            pgvalue_copy(out, &env->row[n->col]);
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
        } else {
            rc = eval_json_item(n->a, env, &item, &owned, err);
            if (rc == 0 && item) {
                pgvalue_t key;
                rc = eval(n->b, env, &key, err);
                const cJSON *hit = NULL;
                if (rc == 0 && !key.is_null) {
                    if (is_scalar(&n->b->type, kind_is_int)) {
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
        if (kind_is_int(k)) {
            if (int_range(k, -(double)out->i, err) < 0) {
                pgvalue_dispose(out);
                return -1;
            }
            out->i = -out->i;
        } else if (kind_is_float(k)) {
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
    case N_SUBSELECT:
        return eval(n->a, env, out, err);
    }
    return 0;
}

int policy_expr_eval(const policy_expr_t *e, const policy_eval_env_t *env, policy_truth_t *out,
                     pgrst_error_t *err)
{
    pgrst_error_t local;
    pgrst_error_init(&local);
    policy_truth_t t = POLICY_NULL;
    if (eval_truth(e->root, env, &t, &local) < 0) {
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
    if (t->special == SP_NAME) {
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

static void dp(const policy_expr_t *e, const node_t *n, buf_t *out)
{
    switch (n->kind) {
    case N_CONST:
        dp_const(n, out);
        return;
    case N_COLUMN:
        put_ident(out, store_table_column(e->t, (size_t)n->col)->name);
        return;
    case N_FUNC:
        buf_printf(out, "auth.%s()", FUNC_NAMES[n->fn]);
        return;
    case N_SQLVAL:
        buf_puts(out, SQLVAL_NAMES[n->fn]);
        return;
    case N_JSON:
        buf_putc(out, '(');
        dp(e, n->a, out);
        buf_puts(out, n->op ? " ->> " : " -> ");
        dp(e, n->b, out);
        buf_putc(out, ')');
        return;
    case N_CAST:
        buf_putc(out, '(');
        dp(e, n->a, out);
        buf_putc(out, ')');
        put_typename(out, &n->type);
        return;
    case N_NEG:
        buf_puts(out, "(- ");
        dp(e, n->a, out);
        buf_putc(out, ')');
        return;
    case N_CMP:
        buf_putc(out, '(');
        dp(e, n->a, out);
        buf_printf(out, " %s ", CMP_NAMES[n->op]);
        dp(e, n->b, out);
        buf_putc(out, ')');
        return;
    case N_BOOL:
        buf_putc(out, '(');
        for (size_t i = 0; i < n->nargs; i++) {
            if (i)
                buf_puts(out, n->op ? " OR " : " AND ");
            dp(e, n->args[i], out);
        }
        buf_putc(out, ')');
        return;
    case N_NOT:
        buf_puts(out, "(NOT ");
        dp(e, n->a, out);
        buf_putc(out, ')');
        return;
    case N_NULLTEST:
        buf_putc(out, '(');
        dp(e, n->a, out);
        buf_puts(out, n->negated ? " IS NOT NULL)" : " IS NULL)");
        return;
    case N_BOOLTEST:
        buf_putc(out, '(');
        dp(e, n->a, out);
        buf_printf(out, " IS %s%s)", n->negated ? "NOT " : "",
                   n->op == BT_TRUE    ? "TRUE"
                   : n->op == BT_FALSE ? "FALSE"
                                       : "UNKNOWN");
        return;
    case N_IN:
        if (n->saop) {
            buf_putc(out, '(');
            dp(e, n->args[0]->a, out);
            buf_puts(out, n->negated ? " <> ALL (ARRAY[" : " = ANY (ARRAY[");
            for (size_t i = 0; i < n->nargs; i++) {
                if (i)
                    buf_puts(out, ", ");
                dp(e, n->args[i]->b, out);
            }
            buf_puts(out, "]))");
        } else if (n->nargs == 1) {
            dp(e, n->args[0], out);
        } else {
            buf_putc(out, '(');
            for (size_t i = 0; i < n->nargs; i++) {
                if (i)
                    buf_puts(out, n->negated ? " AND " : " OR ");
                dp(e, n->args[i], out);
            }
            buf_putc(out, ')');
        }
        return;
    case N_SUBSELECT: {
        /* get_target_list: ` AS alias` unless the expression is a column of
         * that name; FigureColname gives the function's name, the SQL value
         * function's keyword, or "?column?". */
        buf_puts(out, "( SELECT ");
        dp(e, n->a, out);
        const node_t *a = n->a;
        while (a->kind == N_CAST && a->implicit)
            a = a->a;
        if (a->kind == N_FUNC)
            buf_printf(out, " AS %s", FUNC_NAMES[a->fn]);
        else if (a->kind == N_SQLVAL)
            buf_printf(out, " AS \"%s\"", SQLVAL_ALIASES[a->fn]);
        else if (a->kind == N_CAST && !a->implicit) {
            /* FigureColname of a cast: the type name */
            char s[96];
            buf_puts(out, " AS ");
            put_ident(out, ptype_name(&a->type, s, sizeof s));
        } else if (a->kind != N_COLUMN)
            buf_puts(out, " AS \"?column?\"");
        buf_putc(out, ')');
        return;
    }
    }
}

void policy_expr_deparse(const policy_expr_t *e, buf_t *out)
{
    dp(e, e->root, out);
}
