/* The expression language's insides, shared by its two users: policy_expr.c
 * (policies and CHECK constraints: the builder from libpg_query's raw tree,
 * the evaluator, deparse) and sql_exec.c (statements, which build their
 * FROM lists, targets and clauses with the same builder and run them with the
 * same evaluator). Nobody else includes this. Nodes own their children;
 * frames and contexts live on the evaluating caller's stack. */
#ifndef MOCK_POLICY_EXPR_INT_H
#define MOCK_POLICY_EXPR_INT_H

#include "policy_expr.h"
#include "sql_exec.h"

#include <stdarg.h>

enum { SP_NONE, SP_UNKNOWN };
typedef struct ptype {
    pgtype_t t;
    int special;
} ptype_t;

/* Postgres's name (current_user, a name column): a string type of its own,
 * with the text = name operators. */
static inline bool px_is_name(const ptype_t *p)
{
    return p->special == SP_NONE && !p->t.is_array && p->t.kind == PGTYPE_NAME;
}

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
    N_IN,      /* args: one comparison per list element */
    N_SUBLINK, /* EXISTS / IN / op ANY|ALL / scalar (SELECT ...): sq */
    N_OUTPUT,  /* the subquery's output on its current row, in an IN's comparison */
    /* Statements' expressions (parser.sql): */
    N_VAR,      /* a name scope's variable or $n: col is its slot */
    N_AGG,      /* an aggregate's value for the current group: col indexes ectx.aggs */
    N_ARITH,    /* a op b, op one of + - * / % */
    N_CONCAT,   /* a || b on strings */
    N_CALL,     /* a built-in function: fn is PXF_*, args */
    N_CASE,     /* CASE [a] WHEN args[2i] THEN args[2i+1] ... ELSE b END */
    N_COALESCE, /* args */
    N_NULLIF,   /* a, b: b is the comparison a = b */
    N_LIKE,     /* a [NOT] LIKE/ILIKE b: op 1 for ILIKE */
    N_DISTINCT, /* a IS [NOT] DISTINCT FROM b: a is the comparison */
} nkind_t;

/* A subquery's FROM entry (RangeTblEntry): a table and its alias. */
typedef struct rte {
    const store_table_t *t; /* borrowed from the store */
    char *alias;            /* owned; NULL: referred to by the table's name */
} rte_t;

typedef struct node node_t;

/* One item of FROM: a table (rte >= 0) or an inner join of two items (ON
 * quals, or CROSS JOIN when on is NULL). */
typedef struct from_item from_item_t;
struct from_item {
    int rte;
    from_item_t *l, *r;
    node_t *on;
    int jointype; /* PXJ_*: statements also have outer joins */
};
enum { PXJ_INNER, PXJ_LEFT, PXJ_RIGHT, PXJ_FULL };

enum { SL_EXISTS, SL_ANY, SL_ALL, SL_EXPR };

/* SELECT targets FROM items WHERE where, as a SubLink's subselect. Only inner
 * joins, so every ON and the WHERE together decide a combination of rows. */
typedef struct subq {
    int kind;  /* SL_* */
    int depth; /* its scope's depth: columns with this depth read its rows */
    rte_t *rtes;
    size_t nrte;
    from_item_t **from;
    size_t nfrom;
    node_t *where;
    node_t **targets;
    char **names; /* per target: the output name FigureColname or AS gives */
    size_t ntarget;
    node_t *test;         /* SL_ANY/SL_ALL: left op N_OUTPUT, resolved as an operator */
    int op;               /* CMP_* of test */
    struct px_aggs *aggs; /* statements: the subquery's aggregate calls (owned; NULL: none):
                             then it yields exactly one row, as an ungrouped aggregate does */
    /* Statements: ORDER BY (keys over the subquery's rows; owned), then
     * OFFSET and LIMIT (owned; NULL: none), applied to the rows that pass
     * before EXISTS / IN / the scalar value reads them. */
    node_t **sort; /* NULL entry: output sort_target[i] */
    int *sort_target;
    bool *sort_desc, *sort_nulls_first;
    size_t nsort;
    node_t *limit, *offset;
} subq_t;

enum { F_UID, F_ROLE, F_EMAIL, F_JWT };
enum { SV_CURRENT_USER, SV_CURRENT_ROLE, SV_SESSION_USER, SV_USER };
enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };
enum { BT_TRUE, BT_FALSE, BT_UNKNOWN };

struct node {
    nkind_t kind;
    size_t loc; /* byte offset, as PG's exprLocation (leftmost token) */
    ptype_t type;
    pgvalue_t val; /* N_CONST (owned) */
    int col;       /* N_COLUMN: the column of rte `rte` of the scope at `depth` */
    int depth;     /* N_COLUMN: 0 the policy's table, >0 a subquery's FROM */
    int rte;
    const rte_t *rte_ref; /* N_COLUMN at depth > 0: its entry (for deparse) */
    subq_t *sq;           /* N_SUBLINK; owned */
    int fn;               /* N_FUNC: F_*; N_SQLVAL: SV_* */
    int op;        /* N_CMP: CMP_*; N_JSON: 0 ->, 1 ->>; N_BOOL: 0 AND, 1 OR; N_BOOLTEST: BT_* */
    bool negated;  /* IS NOT ..., NOT IN */
    bool implicit; /* N_CAST from operator resolution */
    bool saop;     /* N_IN: deparse as `= ANY (ARRAY[...])` */
    node_t *a, *b; /* operands (N_CAST/N_NEG/N_NOT/tests use a) */
    node_t **args; /* N_BOOL, N_IN; owned */
    size_t nargs;
};

/* One scope of column names (parse_relation.c's namespace level): the
 * policy's table at depth 0, a subquery's FROM entries below it. */
typedef struct scope scope_t;
struct scope {
    const scope_t *up;
    int depth;
    const rte_t *rtes; /* borrowed from the subquery being built (or the parser's top) */
    size_t nrte;
    size_t base; /* rtes[0]'s index among the subquery's entries (a JOIN's ON sees a part) */
};

/* An aggregate call of a query level (parse_agg.c): count(*), sum(x) ...
 * fn is PXA_*; the arguments are built in the query's scope. */
typedef struct px_agg {
    int fn;
    bool star, distinct;
    node_t *arg, *arg2; /* arg2: string_agg's delimiter */
    ptype_t type;       /* the result's */
} px_agg_t;
struct px_aggs {
    px_agg_t *v;
    size_t n;
};
typedef struct px_aggs px_aggs_t;
enum {
    PXA_COUNT,
    PXA_SUM,
    PXA_AVG,
    PXA_MIN,
    PXA_MAX,
    PXA_ARRAY_AGG,
    PXA_BOOL_AND,
    PXA_BOOL_OR,
    PXA_STRING_AGG,
    PXA_JSON_AGG,
    PXA_JSONB_AGG
};

/* A WITH query's name in scope (statements): the relation its rows are
 * read from. The list is the parser's, innermost first. */
typedef struct px_cte px_cte_t;
struct px_cte {
    const char *name;
    const store_table_t *t;
    const px_cte_t *next;
};

typedef struct parser parser_t;
/* Statements (sql_exec.c): a subquery (its SelectStmt node) as a relation
 * named `name` whose columns are renamed by `colnames` (a String list, or
 * NULL): a detached derived relation (store.h) owned by the statement's
 * plan. NULL with p->err set when the subquery does not analyse. */
typedef const store_table_t *(*px_derive_fn)(parser_t *p, const cJSON *select, const char *name,
                                             const cJSON *colnames, size_t loc);
/* Statements: a function in FROM (a RangeFunction's body) as a relation,
 * named by its alias (else the function's name); NULL with p->err set. */
typedef const store_table_t *(*px_derive_function_fn)(parser_t *p, const cJSON *rangefunction,
                                                      const char **refname, size_t loc);

struct parser {
    const char *src; /* the expression's text (error positions are offsets into it) */
    const store_t *store;
    const store_table_t *t;
    policy_expr_error_t *err;
    int depth; /* nesting of the walk, bounded like Postgres's stack check */
    const scope_t *scope;
    const char *clause; /* "POLICY" or "CHECK" */
    rte_t top;          /* depth 0: the table the expression is about */
    /* Statements (sql_exec.c) only; zero for policies and CHECK constraints: */
    bool sql;                 /* the whole expression language, not the policy subset */
    const sql_scope_t *names; /* variables and $n; NULL: none */
    px_aggs_t *aggs;          /* aggregate calls land here; NULL: not allowed (agg_clause) */
    const char *agg_clause;   /* "WHERE", "JOIN conditions", ... for 42803 */
    bool in_agg;              /* building an aggregate's argument (nesting is 42803) */
    /* Where an unqualified table name is looked up: the first of these
     * schemas holding it (Postgres's search path); none: public. */
    const char *const *search_path;
    size_t nsearch_path;
    px_derive_fn derive; /* subqueries in FROM and WITH queries; NULL: not allowed */
    px_derive_function_fn derive_function; /* functions in FROM; NULL: not allowed */
    const px_cte_t *ctes;                  /* the WITH queries in scope */
};

/* One level of rows a column reads: depth 0 is the policy's row, a deeper
 * one the current combination of a subquery's FROM entries. */
typedef struct frame frame_t;
struct frame {
    const frame_t *up;
    int depth;
    const pgvalue_t *const *rows; /* one per entry; NULL: no row (all NULL) */
    const pgvalue_t *out;         /* the subquery's output on this row (N_OUTPUT) */
};

/* What evaluation carries: the caller's env, and the frames of the
 * subqueries being run. */
typedef struct ectx {
    const cJSON *claims;
    const char *role;
    const policy_eval_env_t *pub;
    const frame_t *frame;
    const sql_scope_t *names; /* N_VAR's values; NULL: none */
    const pgvalue_t *aggs;    /* N_AGG's values for the current group */
    int64_t now_us;           /* now(): the statement's clock */
    store_t *store;           /* gen_random_uuid()'s PRNG; NULL outside statements */
    /* The running statement's sql_exec_env_t (a subquery in its FROM runs
     * with it); NULL for policies and CHECK constraints. */
    const sql_exec_env_t *stmt;
} ectx_t;

/* Built-in functions of statements' expressions (N_CALL). */
enum {
    PXF_LOWER,
    PXF_UPPER,
    PXF_LENGTH,
    PXF_CONCAT,
    PXF_NOW,
    PXF_ABS,
    PXF_JSONB_BUILD_OBJECT,
    PXF_JSON_BUILD_OBJECT,
    PXF_TO_JSONB,
    PXF_TO_JSON,
    PXF_BTRIM,
    PXF_GEN_RANDOM_UUID,
    PXF_FORMAT,
    PXF_TO_HEX,
    PXF_LPAD,
    PXF_REPLACE,
    PXF_SUBSTRING,
    PXF_TRANSLATE,
    PXF_ENCODE,
    PXF_EXTRACT,
    PXF_INITCAP,
    PXF_RANGE, /* int4range(lo, hi [, bounds]) and the other range constructors */
    PXF_TO_TSVECTOR,
    PXF_RANDOM
};

/* ---- the builder (policy_expr.c) ---- */
int px_perr(parser_t *p, size_t offset, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
node_t *px_build(parser_t *p, const cJSON *node);
void px_node_free(node_t *n);
node_t *px_node_new(nkind_t k, size_t loc);
void px_node_push_arg(node_t *n, node_t *arg);
/* a op b for comparisons (CMP_*), with operator resolution's casts. */
node_t *px_make_cmp(parser_t *p, node_t *l, node_t *r, int op, size_t oploc);
int px_coerce_bool(parser_t *p, node_t **np, const char *clause);
int px_make_cast(parser_t *p, node_t **np, const ptype_t *to, size_t cast_loc, bool implicit);
int px_build_typename(parser_t *p, const cJSON *tn, ptype_t *out);
/* A FROM item into q (tables appended to q->rtes), then its ON quals in q's
 * scope (which the caller has pushed). */
from_item_t *px_build_from(parser_t *p, subq_t *q, const cJSON *item);
int px_build_on(parser_t *p, subq_t *q, from_item_t *f, const cJSON *item);
void px_from_free(from_item_t *f);
void px_subq_free(subq_t *q);
const char *px_figure_colname(const cJSON *node, int *strength);
ptype_t px_ptype_of(pgtype_kind_t k);
const char *px_ptype_name(const ptype_t *p, char *scratch, size_t n);
bool px_contains_agg(const node_t *n);
/* Walks n's N_COLUMN nodes of depth `depth` outside aggregates: fn returns
 * false to stop (then the walk returns that node). */
const node_t *px_find_column(const node_t *n, int depth,
                             bool (*ok)(const void *ctx, const node_t *col), const void *ctx);
/* ---- statements' part of the language (expr_sql.c) ---- */
/* A FuncCall: aggregates (into p->aggs) and built-in functions; *handled
 * false leaves it to the policy builder (auth.uid() ...). */
node_t *px_sql_build_func(parser_t *p, const cJSON *f, bool *handled);
/* An A_Expr: arithmetic, ||, LIKE/ILIKE, NULLIF, IS DISTINCT FROM, BETWEEN. */
node_t *px_sql_build_aexpr(parser_t *p, const cJSON *a, bool *handled);
/* CaseExpr, CoalesceExpr. */
node_t *px_sql_build_node(parser_t *p, const char *name, const cJSON *body);
int px_sql_eval(const node_t *n, const ectx_t *env, pgvalue_t *out, pgrst_error_t *err);
/* numeric a / b at numeric_div's display scale (texts in, text out). */
int px_numeric_div(const char *a, const char *b, pgvalue_t *out, pgrst_error_t *err);
/* A numeric's canonical text at `scale` digits. */
int px_numeric_text(long double v, int scale, pgvalue_t *out, pgrst_error_t *err);
/* ---- the evaluator ---- */
int px_eval(const node_t *n, const ectx_t *env, pgvalue_t *out, pgrst_error_t *err);
int px_eval_truth(const node_t *n, const ectx_t *env, policy_truth_t *t, pgrst_error_t *err);
int px_json_to_jsonb(const cJSON *j, pgvalue_t *out, pgrst_error_t *err);
/* A table's rows as env's reader lets the role see them (an array the
 * caller frees; rows borrowed). */
int px_visible_rows(const ectx_t *env, const store_table_t *t, const store_row_t ***out, size_t *n,
                    pgrst_error_t *err);
int px_compare(const ptype_t *lt, const pgvalue_t *a, const ptype_t *rt, const pgvalue_t *b);
int px_convert(const ptype_t *from, const pgvalue_t *v, const ptype_t *to, pgvalue_t *out,
               pgrst_error_t *err);
int px_charge(const ectx_t *env, pgrst_error_t *err);
/* A stable merge sort of idx[0..n) by cmp(ctx, a, b) (equal keys keep
 * their order, as a scan's rows do under ORDER BY's ties here). */
void px_sort_indexes(size_t *idx, size_t n, int (*cmp)(const void *ctx, size_t a, size_t b),
                     const void *ctx);
/* OFFSET / LIMIT's value (n NULL or a NULL value: -1), 2201X / 2201W when
 * negative (limit.c recompute_limits); what is "OFFSET" or "LIMIT". */
int px_eval_count(const node_t *n, const ectx_t *env, const char *what, int64_t *out,
                  pgrst_error_t *err);

#endif
