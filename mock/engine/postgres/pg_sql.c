/* Builds PostgREST's statements as text plus parameters. Each function names
 * the Haskell fragment it follows; spacing follows PostgREST's so that the
 * statements read the same in Postgres's logs. Not here: media type
 * handlers. */
#include "pg_sql.h"

#include "pg_plan.h"
#include "xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pg_stmt_init(pg_stmt_t *s, arena_t *arena)
{
    memset(s, 0, sizeof *s);
    s->arena = arena;
    buf_init(&s->sql);
}

void pg_stmt_dispose(pg_stmt_t *s)
{
    buf_dispose(&s->sql);
    s->params = NULL;
    s->param_count = s->param_cap = 0;
}

/* unknownEncoder: appends "$n" and binds value as text of unknown type. */
static void param(pg_stmt_t *s, const char *value)
{
    if (s->param_count == s->param_cap) {
        size_t cap = s->param_cap ? s->param_cap * 2 : 16;
        const char **p = arena_alloc(s->arena, cap * sizeof *p);
        if (s->param_count)
            memcpy(p, s->params, s->param_count * sizeof *p);
        s->params = p;
        s->param_cap = cap;
    }
    s->params[s->param_count++] = value;
    buf_printf(&s->sql, "$%zu", s->param_count);
}

static void sql(pg_stmt_t *s, const char *text)
{
    buf_puts(&s->sql, text);
}

/* The two-byte marker a decoded %00 becomes (urlcodec.h URL_NUL). */
static bool is_nul_marker(const char *p)
{
    return (unsigned char)p[0] == 0xC0 && (unsigned char)p[1] == 0x80;
}

void pg_put_ident(buf_t *out, const char *x)
{
    buf_putc(out, '"');
    for (const char *p = x; *p && !is_nul_marker(p); p++) {
        if (*p == '"')
            buf_putc(out, '"');
        buf_putc(out, *p);
    }
    buf_putc(out, '"');
}

static void ident(pg_stmt_t *s, const char *x)
{
    pg_put_ident(&s->sql, x);
}

/* A table reference (fromQi): "schema"."name", or "name" when schema is NULL. */
typedef struct qi {
    const char *schema;
    const char *name;
} qi_t;

static void from_qi(pg_stmt_t *s, qi_t q)
{
    if (q.schema && *q.schema) {
        ident(s, q.schema);
        sql(s, ".");
    }
    ident(s, q.name);
}

/* pgFmtColumn */
static void column_ref(pg_stmt_t *s, qi_t q, const char *col)
{
    from_qi(s, q);
    if (strcmp(col, "*") == 0) {
        sql(s, ".*");
    } else {
        sql(s, ".");
        ident(s, col);
    }
}

/* What resolveTypeOrUnknown decides for a field of the relation. */
typedef struct field_kind {
    const pg_column_t *col; /* NULL: not a column the cache knows */
    bool to_json;           /* to_jsonb(col) before a JSON path */
    bool to_tsvector;       /* to_tsvector([lang,] col) for FTS operators */
} field_kind_t;

static field_kind_t resolve(const engine_relation_t *rel, const pgrst_field_t *f, bool fts)
{
    field_kind_t k = {0};
    k.col = rel ? pg_schema_column(rel, f->name) : NULL;
    if (!k.col) {
        /* unknownField: cfIRType "" (so to_jsonb before a path), no tsvector. */
        k.to_json = true;
        return k;
    }
    bool json = strcmp(k.col->type, "json") == 0 || strcmp(k.col->type, "jsonb") == 0;
    k.to_json = !json;
    k.to_tsvector = fts && !(k.col->base_type && strcmp(k.col->base_type, "tsvector") == 0);
    return k;
}

/* pgFmtJsonPath */
static void json_path(pg_stmt_t *s, const pgrst_field_t *f)
{
    for (size_t i = 0; i < f->path_len; i++) {
        const pgrst_json_step_t *st = &f->path[i];
        sql(s, st->as_text ? "->>" : "->");
        param(s, st->key);
        if (st->is_index)
            sql(s, "::int");
    }
}

/* pgFmtField (without the tsvector wrapper, which needs the language). */
static void field_ref(pg_stmt_t *s, qi_t q, const pgrst_field_t *f, const field_kind_t *k)
{
    if (f->path_len == 0) {
        column_ref(s, q, f->name);
    } else if (k->to_json) {
        sql(s, "to_jsonb(");
        column_ref(s, q, f->name);
        sql(s, ")");
        json_path(s, f);
    } else {
        column_ref(s, q, f->name);
        json_path(s, f);
    }
}

/* pgFmtOrderTerm's tail: " ASC NULLS LAST" as PostgREST spells it (an
 * unset direction or nulls order leaves its blank). */
static void order_suffix(pg_stmt_t *s, const pgrst_order_term_t *o)
{
    static const char *const dir[] = {"", "ASC", "DESC"};
    static const char *const nulls[] = {"", "NULLS FIRST", "NULLS LAST"};
    sql(s, " ");
    sql(s, dir[o->dir]);
    sql(s, " ");
    sql(s, nulls[o->nulls]);
}

static int not_embedded(const char *name, pgrst_error_t *err)
{
    /* Error.hs NotEmbedded. */
    pgrst_error_setf(err, "PGRST108", "'%s' is not an embedded resource in this request", name);
    pgrst_error_hintf(err, "Verify that '%s' is included in the 'select' query parameter.", name);
    return -1;
}

static bool is_quant_op(pgrst_op_t op)
{
    switch (op) {
    case PGRST_OP_EQ:
    case PGRST_OP_GT:
    case PGRST_OP_GTE:
    case PGRST_OP_LT:
    case PGRST_OP_LTE:
    case PGRST_OP_LIKE:
    case PGRST_OP_ILIKE:
    case PGRST_OP_MATCH:
    case PGRST_OP_IMATCH:
        return true;
    default:
        return false;
    }
}

static const char *op_sql(pgrst_op_t op)
{
    switch (op) {
    case PGRST_OP_EQ:
        return "=";
    case PGRST_OP_GT:
        return ">";
    case PGRST_OP_GTE:
        return ">=";
    case PGRST_OP_LT:
        return "<";
    case PGRST_OP_LTE:
        return "<=";
    case PGRST_OP_LIKE:
        return "like";
    case PGRST_OP_ILIKE:
        return "ilike";
    case PGRST_OP_MATCH:
        return "~";
    case PGRST_OP_IMATCH:
        return "~*";
    case PGRST_OP_NEQ:
        return "<>";
    case PGRST_OP_CS:
        return "@>";
    case PGRST_OP_CD:
        return "<@";
    case PGRST_OP_OV:
        return "&&";
    case PGRST_OP_SL:
        return "<<";
    case PGRST_OP_SR:
        return ">>";
    case PGRST_OP_NXR:
        return "&<";
    case PGRST_OP_NXL:
        return "&>";
    case PGRST_OP_ADJ:
        return "-|-";
    case PGRST_OP_FTS:
        return "@@ to_tsquery";
    case PGRST_OP_PLFTS:
        return "@@ plainto_tsquery";
    case PGRST_OP_PHFTS:
        return "@@ phraseto_tsquery";
    case PGRST_OP_WFTS:
        return "@@ websearch_to_tsquery";
    default:
        return "=";
    }
}

static bool is_fts(pgrst_op_t op)
{
    return op == PGRST_OP_FTS || op == PGRST_OP_PLFTS || op == PGRST_OP_PHFTS ||
           op == PGRST_OP_WFTS;
}

/* like/ilike operands: '*' stands for '%' (T.map star). */
static const char *starred(arena_t *a, const char *v)
{
    char *s = arena_strdup(a, v ? v : "");
    for (char *p = s; *p; p++)
        if (*p == '*')
            *p = '%';
    return s;
}

static int count_node(pg_stmt_t *s, const pg_sql_context_t *ctx, const pg_node_t *node, qi_t parent,
                      bool source_root, pgrst_error_t *err);

/* Where a filter stands: the plan node it filters (NULL for a mutation's
 * own filters, which have no embeds) and whether it is the count query's. */
typedef struct where_at {
    const pg_sql_context_t *ctx;
    const pg_node_t *node;
    bool count;
} where_at_t;

/* pgFmtFilter */
static int filter_sql(pg_stmt_t *s, const engine_relation_t *rel, qi_t q, const pgrst_filter_t *f,
                      where_at_t at, pgrst_error_t *err)
{
    if (!at.node && f->field.relation_len)
        return not_embedded(f->field.relation[0], err);
    const pg_node_t *embed = pg_plan_null_embed(at.node, f);
    if (embed && at.count) {
        /* pgFmtLogicTreeCount: whether the embed has a row at all. */
        sql(s, f->negated ? "EXISTS (" : "NOT EXISTS (");
        if (count_node(s, at.ctx, embed, q, false, err) < 0)
            return -1;
        sql(s, ")");
        return 0;
    }
    if (embed) {
        /* CoercibleFilterNullEmbed */
        ident(s, embed->agg_alias);
        sql(s, f->negated ? " IS DISTINCT FROM NULL" : " IS NOT DISTINCT FROM NULL");
        return 0;
    }
    bool fts = is_fts(f->op);
    field_kind_t k = resolve(rel, &f->field, fts);
    /* withTextParse: the value goes through the text-to-domain function. */
    const char *parse = at.node && k.col
                            ? pg_schema_representation(at.node->cache, "text", k.col->nominal_type)
                            : NULL;
    sql(s, f->negated ? "NOT " : " ");
    if (fts && k.to_tsvector) {
        sql(s, "to_tsvector(");
        if (f->fts_language) {
            param(s, f->fts_language);
            sql(s, ", ");
        }
        field_ref(s, q, &f->field, &k);
        sql(s, ")");
    } else {
        field_ref(s, q, &f->field, &k);
    }
    if (f->op == PGRST_OP_IS) {
        static const char *const is_sql[] = {"NULL", "NOT NULL", "TRUE", "FALSE", "UNKNOWN"};
        sql(s, " IS ");
        sql(s, is_sql[f->is_value]);
    } else if (f->op == PGRST_OP_ISDISTINCT) {
        sql(s, " IS DISTINCT FROM ");
        param(s, f->value ? f->value : "");
    } else if (f->op == PGRST_OP_IN) {
        if (f->list_len == 1 && f->list[0][0] == '\0') {
            sql(s, " = ANY('{}') ");
        } else {
            buf_t lit;
            buf_init(&lit);
            pg_array_literal(&lit, f->list, f->list_len);
            sql(s, " = ANY (");
            if (parse) {
                /* pgFmtArrayLiteralForField: the function over unnest */
                sql(s, "(SELECT ");
                sql(s, parse);
                sql(s, "(unnest(");
                param(s, arena_strdup(s->arena, buf_cstr(&lit)));
                sql(s, "::text[])))");
            } else {
                param(s, arena_strdup(s->arena, buf_cstr(&lit)));
            }
            sql(s, ") ");
            buf_dispose(&lit);
        }
    } else if (fts) {
        sql(s, " ");
        sql(s, op_sql(f->op));
        sql(s, "(");
        if (f->fts_language) {
            param(s, f->fts_language);
            sql(s, ", ");
        }
        param(s, f->value ? f->value : "");
        sql(s, ") ");
    } else if (is_quant_op(f->op)) {
        sql(s, " ");
        sql(s, op_sql(f->op));
        sql(s, " ");
        const char *v = f->quant != PGRST_QUANT_NONE ? f->raw_value : f->value;
        if (f->op == PGRST_OP_LIKE || f->op == PGRST_OP_ILIKE)
            v = starred(s->arena, v);
        if (f->quant == PGRST_QUANT_ANY)
            sql(s, "ANY(");
        else if (f->quant == PGRST_QUANT_ALL)
            sql(s, "ALL(");
        bool like = f->op == PGRST_OP_LIKE || f->op == PGRST_OP_ILIKE;
        if (parse && !like) {
            sql(s, parse);
            sql(s, "(");
        }
        param(s, v ? v : "");
        if (parse && !like)
            sql(s, ")");
        if (f->quant != PGRST_QUANT_NONE)
            sql(s, ")");
    } else {
        sql(s, " ");
        sql(s, op_sql(f->op));
        sql(s, " ");
        if (parse) {
            sql(s, parse);
            sql(s, "(");
        }
        param(s, f->value ? f->value : "");
        if (parse)
            sql(s, ")");
    }
    return 0;
}

/* pgFmtLogicTree */
static int logic_sql(pg_stmt_t *s, const engine_relation_t *rel, qi_t q, const pgrst_logic_t *l,
                     where_at_t at, pgrst_error_t *err)
{
    if (l->kind == PGRST_LOGIC_FILTER)
        return filter_sql(s, rel, q, &l->filter, at, err);
    if (!at.node && l->relation_len)
        return not_embedded(l->relation[0], err);
    sql(s, l->negated ? "NOT" : "");
    sql(s, " (");
    for (size_t i = 0; i < l->child_count; i++) {
        if (i)
            sql(s, l->kind == PGRST_LOGIC_AND ? " AND " : " OR ");
        if (logic_sql(s, rel, q, &l->children[i], at, err) < 0)
            return -1;
    }
    sql(s, ")");
    return 0;
}

/* A mutation's where forest (combinedLogic): the root's filters, then its
 * logic trees, each group in query-string order; those on embedded
 * resources belong to the read plan (pg_plan.c). Returns how many terms it
 * wrote. */
static int where_terms(pg_stmt_t *s, const engine_relation_t *rel, qi_t q, const pgrst_query_t *qry,
                       bool logic_first, size_t *written, pgrst_error_t *err)
{
    *written = 0;
    where_at_t at = {0};
    for (int pass = 0; pass < 2; pass++) {
        bool want_logic = (pass == 0) == logic_first;
        for (size_t i = 0; i < qry->where_count; i++) {
            const pgrst_logic_t *l = &qry->where[i];
            if ((l->kind != PGRST_LOGIC_FILTER) != want_logic)
                continue;
            if (l->kind == PGRST_LOGIC_FILTER ? l->filter.field.relation_len : l->relation_len)
                continue;
            sql(s, *written ? " AND " : " WHERE ");
            if (logic_sql(s, rel, q, l, at, err) < 0)
                return -1;
            (*written)++;
        }
    }
    return 0;
}

/* The alias PostgREST gives a select item (addAliases): the explicit one, else
 * the last key of a JSON path (or the last key before trailing indexes, or
 * the column when the path has only indexes). */
static const char *item_alias(const pgrst_select_item_t *it)
{
    /* an aggregate outside spreads keeps Postgres's label (the function);
     * in a spread it is named after it (node_item_alias) */
    if (it->alias || it->aggregate)
        return it->alias;
    const pgrst_field_t *f = &it->field;
    if (!f->path_len)
        return NULL;
    for (size_t i = f->path_len; i-- > 0;)
        if (!f->path[i].is_index)
            return f->path[i].key;
    return f->name;
}

/* addAliases' fieldAliasForSpreadAgg: in a spread an aggregate without an
 * alias is named after its function, the name hoistSpreadAggFunctions
 * carries up to where the aggregate is applied. */
static const char *node_item_alias(const pg_node_t *node, const pgrst_select_item_t *it)
{
    if (it->aggregate && !it->alias && node->spread != PG_SPREAD_NONE)
        return it->aggregate;
    return item_alias(it);
}

/* ---- reads: readPlanToQuery over the plan tree (pg_plan.h) ---- */

/* getQualifiedIdentifier: the node's alias, else the relation itself. */
static qi_t node_qi(const pg_sql_context_t *ctx, const pg_node_t *n)
{
    if (n->from_alias)
        return (qi_t){NULL, n->from_alias};
    if (n->to_parent)
        return (qi_t){n->to_parent->ftable.schema, n->to_parent->ftable.name};
    return (qi_t){ctx->schema, n->rel->name};
}

/* The function that shows col as json (withOutputFormat), or NULL. */
static const char *output_format(const pg_node_t *node, const pg_column_t *col)
{
    return col ? pg_schema_representation(node->cache, col->nominal_type, "json") : NULL;
}

/* expandStarsForTable: "*" becomes the columns in and under a to-many
 * spread, and where a column of the table has a data representation. */
static bool expands_star(const pg_node_t *node)
{
    if (!node->rel)
        return false; /* a call's result that is no relation: nothing known */
    if (node->expand_stars)
        return true;
    for (size_t c = 0; c < node->rel->column_count; c++)
        if (output_format(node, &node->rel->columns[c]))
            return true;
    return false;
}

static void select_field(pg_stmt_t *s, const pg_node_t *node, qi_t q, const pgrst_select_item_t *it,
                         const pgrst_field_t *field, const pg_column_t *col, const char **alias);

/* pgFmtApplyAggregate around what comes between: the function's name in
 * capitals (convertAggFunction), then the aggregate's cast. */
static void aggregate_open(pg_stmt_t *s, const pgrst_select_item_t *it)
{
    if (it->aggregate_cast)
        sql(s, "CAST( ");
    for (const char *c = it->aggregate; *c; c++)
        buf_putc(&s->sql, (char)toupper((unsigned char)*c));
    sql(s, "(");
}

static void aggregate_close(pg_stmt_t *s, const pgrst_select_item_t *it)
{
    sql(s, ")");
    if (it->aggregate_cast) {
        sql(s, " AS ");
        sql(s, it->aggregate_cast);
        sql(s, " )");
    }
}

/* pgFmtSelectItem (pgFmtTableCoerce inside the cast). col: the column of an
 * expanded "*" (NULL: resolve field against the node's relation). */
static void select_item(pg_stmt_t *s, const pg_node_t *node, qi_t q, const pgrst_select_item_t *it,
                        const pgrst_field_t *field, const pg_column_t *col, const char *alias)
{
    /* pgFmtApplyAggregate agg aggCast (pgFmtApplyCast cast field). In a
     * spread the aggregate goes up to the first node that is none
     * (hoistSpreadAggFunctions): here the field alone, named. */
    bool apply = it->aggregate && node->spread == PG_SPREAD_NONE;
    if (apply)
        aggregate_open(s, it);
    if (it->aggregate && strcmp(field->name, "*") == 0) {
        /* count(): expandStarSelectField marks it cfFullRow, which
         * pgFmtField writes as the table's name: a whole-row value (t.*
         * would expand into the columns, dropping a spread's alias). */
        ident(s, q.name);
    } else {
        select_field(s, node, q, it, field, col, &alias);
    }
    if (apply)
        aggregate_close(s, it);
    if (alias) {
        sql(s, " AS ");
        ident(s, alias);
    }
}

/* pgFmtApplyCast cast (pgFmtTableCoerce field); a transformed field keeps
 * its name as the alias (addAliases) unless one is given. */
static void select_field(pg_stmt_t *s, const pg_node_t *node, qi_t q, const pgrst_select_item_t *it,
                         const pgrst_field_t *field, const pg_column_t *col, const char **alias)
{
    if (it->cast)
        sql(s, "CAST( ");
    field_kind_t k = resolve(col ? node->rel : node->field_rel, field, false);
    const char *transform = output_format(node, k.col);
    if (transform) {
        sql(s, transform);
        sql(s, "(");
    }
    field_ref(s, q, field, &k);
    if (transform)
        sql(s, ")");
    /* addAliases: a transformed field keeps its name */
    if (!*alias && transform && !it->aggregate)
        *alias = field->name;
    if (it->cast) {
        sql(s, " AS ");
        sql(s, it->cast);
        sql(s, " )");
    }
}

/* A node's select fields; expandStarsForTable turns "*" into the columns in
 * and under a to-many spread. Calls put(name) per output name when put is
 * set (generateSpreadSelectFields) instead of writing SQL. */
typedef void (*name_fn)(void *arg, const char *name, const pgrst_select_item_t *it);

static bool node_fields(pg_stmt_t *s, const pg_node_t *node, qi_t q, bool any, name_fn put,
                        void *arg)
{
    for (size_t i = 0; i < node->select_count; i++) {
        const pgrst_select_item_t *it = node->select[i];
        if (it->star && expands_star(node)) {
            for (size_t c = 0; c < node->rel->column_count; c++) {
                const pg_column_t *col = &node->rel->columns[c];
                if (put) {
                    put(arg, col->name, NULL);
                    continue;
                }
                if (any)
                    sql(s, ", ");
                any = true;
                pgrst_field_t f = {.name = col->name};
                select_item(s, node, q, it, &f, col, NULL);
            }
            continue;
        }
        const char *alias = node_item_alias(node, it);
        if (put) {
            put(arg, alias ? alias : it->star ? "*" : it->field.name, it);
            continue;
        }
        if (any)
            sql(s, ", ");
        any = true;
        if (it->star) {
            if (it->cast)
                sql(s, "CAST( ");
            column_ref(s, q, "*");
            if (it->cast) {
                sql(s, " AS ");
                sql(s, it->cast);
                sql(s, " )");
            }
            continue;
        }
        select_item(s, node, q, it, &it->field, NULL, alias);
    }
    return any;
}

/* generateSpreadSelectFields: the names a spread brings up, its own fields
 * then its embeds' (a nested spread's in turn). */
static void spread_names(const pg_node_t *node, name_fn put, void *arg)
{
    node_fields(NULL, node, (qi_t){0}, false, put, arg);
    for (size_t k = 0; k < node->child_count; k++) {
        const pg_node_t *c = node->children[k];
        if (c->spread != PG_SPREAD_NONE)
            spread_names(c, put, arg);
        else
            put(arg, c->alias ? c->alias : c->name, NULL);
    }
}

typedef struct spread_put {
    pg_stmt_t *s;
    const pg_node_t *node;
    bool *any;
    bool join;  /* the to-many spread's json_agg per field, in its join */
    bool group; /* groupF's terms of the spread's fields */
    bool apply; /* the aggregates hoisted from the spread are applied here */
} spread_put_t;

static void order_terms(pg_stmt_t *s, const pg_node_t *node, qi_t q, const engine_relation_t *root);

/* pgFmtApplyAggregate of a hoisted aggregate over the spread's column. */
static void spread_aggregate_ref(pg_stmt_t *s, qi_t agg, const char *name,
                                 const pgrst_select_item_t *it)
{
    aggregate_open(s, it);
    column_ref(s, agg, name);
    aggregate_close(s, it);
    sql(s, " AS ");
    ident(s, name);
}

static void put_spread_name(void *arg, const char *name, const pgrst_select_item_t *it)
{
    spread_put_t *p = arg;
    pg_stmt_t *s = p->s;
    if (p->group) {
        /* groupTermFromRelSelectField: the spread's fields not aggregated */
        if (it && it->aggregate)
            return;
        sql(s, *p->any ? ", " : " GROUP BY ");
        *p->any = true;
        column_ref(s, (qi_t){NULL, p->node->agg_alias}, name);
        return;
    }
    if (*p->any)
        sql(s, ", ");
    *p->any = true;
    qi_t agg = {NULL, p->node->agg_alias};
    if (!p->join) {
        /* pgFmtSpreadSelectItem, with the aggregates hoisted from below */
        if (p->apply && it && it->aggregate)
            spread_aggregate_ref(s, agg, name, it);
        else
            column_ref(s, agg, name);
        return;
    }
    /* pgFmtSpreadJoinSelectItem: ordered by the extra selects of
     * addToManyOrderSelects. */
    sql(s, "COALESCE(json_agg(");
    column_ref(s, agg, name);
    sql(s, " ");
    if (p->node->order_count) {
        sql(s, "ORDER BY ");
        for (size_t i = 0; i < p->node->order_count; i++) {
            const pgrst_order_term_t *o = p->node->order[i];
            if (i)
                sql(s, ", ");
            column_ref(
                s, agg,
                arena_sprintf(s->arena, "%s_%s_%zu", p->node->agg_alias, o->field.name, i + 1));
            order_suffix(s, o);
        }
    }
    sql(s, "),'[]')::jsonb AS ");
    ident(s, name);
}

/* pgFmtJoinCondition for each of relJoinConds, after `any` terms. */
static void join_conditions(pg_stmt_t *s, const pg_sql_context_t *ctx, const pg_node_t *node,
                            qi_t parent, bool any)
{
    const pg_rel_t *r = node->to_parent;
    qi_t q = node_qi(ctx, node);
    if (r->card == PG_M2M) {
        qi_t j = {r->table.schema, r->junction.name};
        qi_t f = {r->table.schema, r->ftable.name};
        for (size_t i = 0; i < r->nfcols; i++) {
            sql(s, any ? " AND " : "");
            any = true;
            column_ref(s, j, r->fcols[i].b);
            sql(s, " = ");
            column_ref(s, f, r->fcols[i].a);
        }
        for (size_t i = 0; i < r->ncols; i++) {
            sql(s, any ? " AND " : "");
            any = true;
            column_ref(s, j, r->cols[i].b);
            sql(s, " = ");
            column_ref(s, parent, r->cols[i].a);
        }
        return;
    }
    for (size_t i = 0; i < r->ncols; i++) {
        sql(s, any ? " AND " : "");
        any = true;
        column_ref(s, q, r->cols[i].b);
        sql(s, " = ");
        column_ref(s, parent, r->cols[i].a);
    }
}

/* fromF; parent names the parent's row, a computed relationship's
 * argument (relTableAlias). */
static void from_frag(pg_stmt_t *s, const pg_sql_context_t *ctx, const pg_node_t *node, qi_t parent,
                      bool mutation_root)
{
    const pg_rel_t *r = node->to_parent;
    sql(s, " FROM ");
    if (mutation_root) {
        ident(s, "pgrst_source");
    } else if (r && r->computed) {
        from_qi(s, (qi_t){r->function.schema, r->function.name});
        sql(s, "(");
        ident(s, parent.name);
        sql(s, "::");
        from_qi(s, (qi_t){r->table.schema, r->table.name});
        sql(s, ")");
    } else if (node->to_parent)
        from_qi(s, (qi_t){node->to_parent->ftable.schema, node->to_parent->ftable.name});
    else
        from_qi(s, (qi_t){ctx->schema, node->rel->name});
    if (node->from_alias) {
        sql(s, " AS ");
        ident(s, node->from_alias);
    }
    if (r && !r->computed && r->card == PG_M2M) {
        sql(s, ", ");
        from_qi(s, (qi_t){node->to_parent->junction.schema, node->to_parent->junction.name});
    }
}

static int read_query(pg_stmt_t *s, const pg_sql_context_t *ctx, const pg_node_t *node, qi_t parent,
                      bool mutation_root, const engine_relation_t *root, pgrst_error_t *err);

/* getJoin */
static int join_sql(pg_stmt_t *s, const pg_sql_context_t *ctx, const pg_node_t *c, qi_t parent,
                    const engine_relation_t *root, pgrst_error_t *err)
{
    qi_t agg = {NULL, c->agg_alias};
    bool to_one = pg_rel_to_one(c->to_parent);
    sql(s, c->inner ? " INNER" : " LEFT");
    sql(s, " JOIN LATERAL ( ");
    if (to_one) {
        if (read_query(s, ctx, c, parent, false, root, err) < 0)
            return -1;
        sql(s, " ) AS ");
        ident(s, c->agg_alias);
        sql(s, " ON TRUE");
        return 0;
    }
    sql(s, "SELECT json_agg(");
    ident(s, c->agg_alias);
    sql(s, ")::jsonb AS ");
    ident(s, c->agg_alias);
    if (c->spread == PG_SPREAD_TO_MANY) {
        bool any = true;
        spread_put_t p = {.s = s, .node = c, .any = &any, .join = true};
        spread_names(c, put_spread_name, &p);
    }
    sql(s, " FROM (");
    if (read_query(s, ctx, c, parent, false, root, err) < 0)
        return -1;
    sql(s, " ) AS ");
    ident(s, c->agg_alias);
    sql(s, " ) AS ");
    ident(s, c->agg_alias);
    sql(s, " ON ");
    if (c->inner) {
        ident(s, agg.name);
        sql(s, " IS NOT NULL");
    } else {
        sql(s, "TRUE");
    }
    return 0;
}

/* orderF over a node's terms: plain ones resolved against the root
 * relation (addOrders resolves with the request's context), related ones
 * against the embed's aggregate alias (unknownField: no to_jsonb). */
static void order_terms(pg_stmt_t *s, const pg_node_t *node, qi_t q, const engine_relation_t *root)
{
    for (size_t i = 0; i < node->order_count; i++) {
        const pgrst_order_term_t *o = node->order[i];
        sql(s, i ? ", " : "ORDER BY ");
        if (node->related[i]) {
            qi_t r = {NULL, node->related[i]};
            field_kind_t k = {0};
            field_ref(s, r, &o->field, &k);
        } else {
            field_kind_t k = resolve(root, &o->field, false);
            field_ref(s, q, &o->field, &k);
        }
        order_suffix(s, o);
    }
}

/* groupF: with an aggregate among the node's select items, GROUP BY every
 * other item (its alias, else pgFmtField) and every embedding's name
 * (groupTermFromRelSelectField). */
static bool spread_has_aggregate(const pg_node_t *node)
{
    for (size_t i = 0; i < node->select_count; i++)
        if (node->select[i]->aggregate)
            return true;
    for (size_t k = 0; k < node->child_count; k++)
        if (node->children[k]->spread != PG_SPREAD_NONE && spread_has_aggregate(node->children[k]))
            return true;
    return false;
}

static void group_by(pg_stmt_t *s, const pg_node_t *node, qi_t q)
{
    if (node->spread != PG_SPREAD_NONE)
        return; /* its aggregates are applied above it */
    bool aggregated = false;
    for (size_t i = 0; i < node->select_count && !aggregated; i++)
        aggregated = node->select[i]->aggregate != NULL;
    for (size_t k = 0; k < node->child_count && !aggregated; k++)
        aggregated =
            node->children[k]->spread != PG_SPREAD_NONE && spread_has_aggregate(node->children[k]);
    if (!aggregated)
        return;
    bool any = false;
    for (size_t i = 0; i < node->select_count; i++) {
        const pgrst_select_item_t *it = node->select[i];
        if (it->aggregate)
            continue;
        sql(s, any ? ", " : " GROUP BY ");
        any = true;
        const char *alias = item_alias(it);
        if (alias) {
            ident(s, alias);
        } else if (it->star) {
            column_ref(s, q, "*");
        } else {
            field_kind_t k = resolve(node->field_rel, &it->field, false);
            field_ref(s, q, &it->field, &k);
        }
    }
    for (size_t k = 0; k < node->child_count; k++) {
        const pg_node_t *c = node->children[k];
        if (c->spread != PG_SPREAD_NONE) {
            spread_put_t p = {.s = s, .node = c, .any = &any, .group = true};
            spread_names(c, put_spread_name, &p);
            continue;
        }
        sql(s, any ? ", " : " GROUP BY ");
        any = true;
        ident(s, c->alias ? c->alias : c->name);
    }
}

static int read_query(pg_stmt_t *s, const pg_sql_context_t *ctx, const pg_node_t *node, qi_t parent,
                      bool mutation_root, const engine_relation_t *root, pgrst_error_t *err)
{
    qi_t q = node_qi(ctx, node);
    sql(s, "SELECT ");
    bool any = false;
    if (node->select_count == 0 && node->child_count == 0) {
        column_ref(s, q, "*");
        any = true;
    } else {
        any = node_fields(s, node, q, false, NULL, NULL);
    }
    if (node->spread == PG_SPREAD_TO_MANY) {
        /* addToManyOrderSelects: the order terms as extra selects. */
        for (size_t i = 0; i < node->order_count; i++) {
            const pgrst_order_term_t *o = node->order[i];
            if (any)
                sql(s, ", ");
            any = true;
            if (node->related[i]) {
                field_kind_t k = {0};
                field_ref(s, (qi_t){NULL, node->related[i]}, &o->field, &k);
            } else {
                field_kind_t k = resolve(root, &o->field, false);
                field_ref(s, q, &o->field, &k);
            }
            sql(s, " AS ");
            ident(s, arena_sprintf(s->arena, "%s_%s_%zu", node->agg_alias, o->field.name, i + 1));
        }
    }
    /* getJoinSelects */
    for (size_t k = 0; k < node->child_count; k++) {
        const pg_node_t *c = node->children[k];
        qi_t agg = {NULL, c->agg_alias};
        if (c->spread != PG_SPREAD_NONE) {
            spread_put_t p = {.s = s,
                              .node = c,
                              .any = &any,
                              .join = false,
                              .apply = node->spread == PG_SPREAD_NONE};
            spread_names(c, put_spread_name, &p);
            continue;
        }
        if (pg_plan_empty_embed(c))
            continue;
        if (any)
            sql(s, ", ");
        any = true;
        if (pg_rel_to_one(c->to_parent)) {
            sql(s, "row_to_json(");
            ident(s, agg.name);
            sql(s, ".*)::jsonb AS ");
        } else {
            sql(s, "COALESCE( ");
            column_ref(s, agg, agg.name);
            sql(s, ", '[]') AS ");
        }
        ident(s, c->alias ? c->alias : c->name);
    }
    from_frag(s, ctx, node, parent, mutation_root);
    for (size_t k = 0; k < node->child_count; k++) {
        if (k)
            sql(s, " ");
        if (join_sql(s, ctx, node->children[k], q, root, err) < 0)
            return -1;
    }
    bool joined = node->to_parent && !node->to_parent->computed;
    if (node->where_count || joined) {
        sql(s, " WHERE ");
        where_at_t at = {.ctx = ctx, .node = node};
        for (size_t i = 0; i < node->where_count; i++) {
            if (i)
                sql(s, " AND ");
            if (logic_sql(s, node->field_rel, q, node->where[i], at, err) < 0)
                return -1;
        }
        if (joined)
            join_conditions(s, ctx, node, parent, node->where_count > 0);
    }
    sql(s, " ");
    group_by(s, node, q);
    sql(s, " ");
    if (node->spread != PG_SPREAD_TO_MANY)
        order_terms(s, node, q, root);
    sql(s, " ");
    /* limitOffsetF: nothing for the whole range. */
    if (node->ranged) {
        sql(s, "LIMIT ");
        if (node->limit >= 0)
            param(s, arena_sprintf(s->arena, "%lld", node->limit));
        else
            sql(s, "ALL");
        sql(s, " OFFSET ");
        param(s, arena_sprintf(s->arena, "%lld", node->offset));
    }
    return 0;
}

/* handlerF for tables: the body aggregate of the negotiated media type. */
static void body_handler(pg_stmt_t *s, const pgrst_accept_t *a)
{
    switch (a->media) {
    case PGRST_MEDIA_OBJECT:
        sql(s, a->nulls_stripped ? "coalesce(json_strip_nulls(json_agg(_postgrest_t)->0), 'null')"
                                 : "coalesce(json_agg(_postgrest_t)->0, 'null')");
        break;
    case PGRST_MEDIA_CSV:
        /* asCsvF */
        sql(s, "(SELECT coalesce(string_agg(a.k, ','), '')"
               "  FROM ("
               "    SELECT json_object_keys(r)::text as k"
               "    FROM ( "
               "      SELECT row_to_json(hh) as r from pgrst_source as hh limit 1"
               "    ) s"
               "  ) a"
               ") || '\n' || coalesce(string_agg(substring(_postgrest_t::text, 2, "
               "length(_postgrest_t::text) - 2), '\n'), '')");
        break;
    case PGRST_MEDIA_GEOJSON:
        sql(s, "json_build_object('type', 'FeatureCollection', 'features', "
               "coalesce(json_agg(ST_AsGeoJSON(_postgrest_t)::json), '[]'))");
        break;
    default:
        sql(s, a->nulls_stripped ? "coalesce(json_strip_nulls(json_agg(_postgrest_t)), '[]')"
                                 : "coalesce(json_agg(_postgrest_t), '[]')");
        break;
    }
}

static const char response_gucs[] =
    "nullif(current_setting('response.headers', true), '') AS response_headers, "
    "nullif(current_setting('response.status', true), '') AS response_status, ";

/* readPlanToCountQuery: the node's filters, its join to the parent, and an
 * EXISTS per inner-joined embed (so that !inner counts as it filters). */
static int count_node(pg_stmt_t *s, const pg_sql_context_t *ctx, const pg_node_t *node, qi_t parent,
                      bool source_root, pgrst_error_t *err)
{
    qi_t q = node_qi(ctx, node);
    sql(s, "SELECT 1 ");
    from_frag(s, ctx, node, parent, source_root);
    size_t inner = 0;
    for (size_t k = 0; k < node->child_count; k++)
        inner += node->children[k]->inner;
    bool joined = node->to_parent && !node->to_parent->computed;
    if (!node->where_count && !joined && !inner)
        return 0;
    sql(s, " WHERE ");
    where_at_t at = {.ctx = ctx, .node = node, .count = true};
    bool any = false;
    for (size_t i = 0; i < node->where_count; i++) {
        if (any)
            sql(s, " AND ");
        any = true;
        if (logic_sql(s, node->field_rel, q, node->where[i], at, err) < 0)
            return -1;
    }
    if (joined) {
        join_conditions(s, ctx, node, parent, any);
        any = true;
    }
    for (size_t k = 0; k < node->child_count; k++) {
        if (!node->children[k]->inner)
            continue;
        if (any)
            sql(s, " AND ");
        any = true;
        sql(s, "EXISTS (");
        if (count_node(s, ctx, node->children[k], q, false, err) < 0)
            return -1;
        sql(s, " )");
    }
    return 0;
}

static int count_query(pg_stmt_t *s, const pg_sql_context_t *ctx, const pg_node_t *root,
                       pgrst_error_t *err)
{
    return count_node(s, ctx, root, (qi_t){0}, false, err);
}

/* mainRead */
static int main_read(const pg_sql_context_t *ctx, const engine_request_t *req, pg_stmt_t *s,
                     pgrst_error_t *err)
{
    pg_node_t *root = pg_plan_build(ctx->cache, req, false, ctx->db_max_rows, err);
    if (!root)
        return -1;
    /* The root's range is the one the PostgREST layer computed. */
    root->limit = req->limit;
    root->offset = req->offset;
    root->ranged = req->limit >= 0 || req->offset > 0;
    sql(s, "WITH pgrst_source AS ( ");
    if (read_query(s, ctx, root, (qi_t){0}, false, req->relation, err) < 0)
        return -1;
    sql(s, " ) ");
    pgrst_count_t count = req->prefer->count;
    bool counting = count == PGRST_COUNT_EXACT || count == PGRST_COUNT_ESTIMATED;
    if (counting) {
        sql(s, ", pgrst_source_count AS (");
        if (count_query(s, ctx, root, err) < 0)
            return -1;
        if (count == PGRST_COUNT_ESTIMATED && ctx->db_max_rows > 0)
            buf_printf(&s->sql, " LIMIT %lld", ctx->db_max_rows + 1);
        sql(s, ")");
    }
    sql(s, " SELECT ");
    sql(s, counting ? "(SELECT pg_catalog.count(*) FROM pgrst_source_count)" : "null::bigint");
    sql(s, " AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, ");
    /* HEAD aggregates nothing (negotiateContent: NoAgg for a headers-only read). */
    if (req->method && strcmp(req->method, "HEAD") == 0)
        sql(s, "''::text");
    else
        body_handler(s, req->accept);
    sql(s, " AS body, ");
    sql(s, response_gucs);
    sql(s, "'' AS response_inserted FROM ( SELECT * FROM pgrst_source ) _postgrest_t");
    return 0;
}

int pg_sql_explain_count(const pg_sql_context_t *ctx, const engine_request_t *req, pg_stmt_t *out,
                         pgrst_error_t *err)
{
    pg_node_t *root = pg_plan_build(ctx->cache, req, false, ctx->db_max_rows, err);
    if (!root)
        return -1;
    sql(out, "EXPLAIN (FORMAT JSON) ");
    return count_query(out, ctx, root, err);
}

/* ---- mutations ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A sorted, distinct copy of names (Haskell's Set). */
static size_t set_of(arena_t *a, const char *const *names, size_t n, const char ***out)
{
    const char **v = arena_calloc(a, n ? n : 1, sizeof *v);
    if (n)
        memcpy(v, names, n * sizeof *v);
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
            v[k++] = v[i];
    *out = v;
    return k;
}

/* Payload.hs payloadAttributes: the keys of an object, or of the first object
 * of an array when every element is an object with the same keys; an empty
 * array, or anything else, has none. Returns -1 for an array whose elements
 * differ ("All object keys must match"). */
static int payload_keys(arena_t *a, const rest_body_t *b, const char ***keys, size_t *n,
                        pgrst_error_t *err)
{
    const cJSON *json = b->doc.json;
    *keys = NULL;
    *n = 0;
    if (cJSON_IsObject(json)) {
        *n = rest_body_keys(a, json, keys);
        return 0;
    }
    if (!cJSON_IsArray(json) || cJSON_GetArraySize(json) == 0)
        return 0;
    const cJSON *first = cJSON_GetArrayItem(json, 0);
    if (!cJSON_IsObject(first))
        return pgrst_error_setf(err, "PGRST102", "All object keys must match");
    *n = rest_body_keys(a, first, keys);
    const cJSON *row;
    cJSON_ArrayForEach(row, json)
    {
        const char **other = NULL;
        if (!cJSON_IsObject(row) || rest_body_keys(a, row, &other) != *n)
            return pgrst_error_setf(err, "PGRST102", "All object keys must match");
        for (size_t i = 0; i < *n; i++)
            if (strcmp(other[i], (*keys)[i]) != 0)
                return pgrst_error_setf(err, "PGRST102", "All object keys must match");
    }
    return 0;
}

static bool body_is_object(const engine_request_t *req)
{
    const rest_body_t *b = req->payload;
    if (!b || !b->source)
        return false;
    for (size_t i = 0; i < b->source_len; i++) {
        char ch = b->source[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
            continue;
        return ch == '{';
    }
    return false;
}

/* The raw body PostgREST binds: the bytes as sent, except that a body which
 * is neither an object nor an array becomes "[]" (Payload.hs emptyPJArray). */
static const char *raw_body(const engine_request_t *req)
{
    const rest_body_t *b = req->payload;
    if (!b)
        return "[]";
    if (b->source &&
        (req->query->columns || cJSON_IsObject(b->doc.json) || cJSON_IsArray(b->doc.json)))
        return arena_strndup(req->arena, b->source, b->source_len);
    return "[]";
}

/* iColumns resolved against the cache: PGRST204 for an unknown one. */
static int typed_columns(const engine_request_t *req, const char ***cols, size_t *n,
                         pgrst_error_t *err)
{
    const char **names = NULL;
    size_t k = 0;
    if (req->query->columns) {
        k = set_of(req->arena, req->query->columns, req->query->column_count, &names);
    } else if (req->payload) {
        if (payload_keys(req->arena, req->payload, &names, &k, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < k; i++) {
        if (!pg_schema_column(req->relation, names[i])) {
            pgrst_error_setf(err, "PGRST204",
                             "Could not find the '%s' column of '%s' in the schema cache", names[i],
                             req->relation->name);
            return -1;
        }
    }
    *cols = names;
    *n = k;
    return 0;
}

/* fromJsonBodyF body fields includeSelect includeLimitOne includeDefaults */
static void from_json_body(pg_stmt_t *s, const pg_schema_t *cache, const engine_request_t *req,
                           const char **cols, size_t n, bool include_select, bool defaults)
{
    bool object = body_is_object(req);
    qi_t body = {NULL, "pgrst_body"};
    if (include_select) {
        sql(s, "SELECT ");
        for (size_t i = 0; i < n; i++) {
            if (i)
                sql(s, ", ");
            column_ref(s, body, cols[i]);
        }
        sql(s, " ");
    }
    sql(s, "FROM (SELECT ");
    param(s, raw_body(req));
    sql(s, defaults ? "::jsonb" : "::json");
    sql(s, " AS json_data) pgrst_payload, ");
    if (defaults) {
        /* defsJsonb: the columns' defaults as one jsonb object the payload
         * overrides key by key (missing=default). */
        buf_t defs;
        buf_init(&defs);
        buf_puts(&defs, "jsonb_build_object(");
        bool any = false;
        for (size_t i = 0; i < n; i++) {
            const pg_column_t *c = pg_schema_column(req->relation, cols[i]);
            if (!c || !c->default_expr)
                continue;
            if (any)
                buf_putc(&defs, ',');
            any = true;
            /* pgFmtLit of the name, then the default expression as is. */
            bool backslash = strchr(c->name, '\\') != NULL;
            if (backslash)
                buf_putc(&defs, 'E');
            buf_putc(&defs, '\'');
            for (const char *p = c->name; *p; p++) {
                if (*p == '\'')
                    buf_putc(&defs, '\'');
                if (*p == '\\')
                    buf_putc(&defs, '\\');
                buf_putc(&defs, *p);
            }
            buf_puts(&defs, "', ");
            buf_puts(&defs, c->default_expr);
        }
        buf_putc(&defs, ')');
        if (object) {
            sql(s, "LATERAL (SELECT ");
            sql(s, buf_cstr(&defs));
            sql(s, " || pgrst_payload.json_data AS val) pgrst_json_defs, ");
        } else {
            sql(s, "LATERAL (SELECT jsonb_agg(");
            sql(s, buf_cstr(&defs));
            sql(s, " || elem) AS val from jsonb_array_elements(pgrst_payload.json_data) elem) "
                   "pgrst_json_defs, ");
        }
        buf_dispose(&defs);
    }
    /* withJsonParse: a column with a json-to-domain representation is read
     * as json and parsed (pgFmtCoerceNamed). */
    const char **parse = arena_calloc(s->arena, n ? n : 1, sizeof *parse);
    for (size_t i = 0; i < n; i++)
        parse[i] = pg_schema_representation(cache, "json",
                                            pg_schema_column(req->relation, cols[i])->nominal_type);
    sql(s, "LATERAL (SELECT ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sql(s, ", ");
        if (parse[i]) {
            sql(s, parse[i]);
            sql(s, "(");
            ident(s, cols[i]);
            sql(s, ") AS ");
        }
        ident(s, cols[i]);
    }
    sql(s, " FROM ");
    const char *source = defaults ? "pgrst_json_defs.val" : "pgrst_payload.json_data";
    if (n) {
        sql(s, defaults ? (object ? "jsonb_to_record" : "jsonb_to_recordset")
                        : (object ? "json_to_record" : "json_to_recordset"));
        sql(s, "(");
        sql(s, source);
        sql(s, ") AS _(");
        for (size_t i = 0; i < n; i++) {
            if (i)
                sql(s, ", ");
            ident(s, cols[i]);
            sql(s, " ");
            /* cfIRType: the column's nominal type, modifiers included
             * (Plan.hs resolveColumnField; PostgREST #2861): char(4) read
             * as "character" would be char(1) and refuse 'ab'. */
            sql(s, parse[i] ? "json" : pg_schema_column(req->relation, cols[i])->nominal_type);
        }
        sql(s, ") ");
    } else if (object) {
        sql(s, "(values(1)) _ ");
    } else {
        sql(s, defaults ? "jsonb_array_elements" : "json_array_elements");
        sql(s, "(");
        sql(s, source);
        sql(s, ") _ ");
    }
    sql(s, ") pgrst_body ");
}

/* inferColsEmbedNeeds: the root's selected column names, the columns its
 * embeds join on and the primary key, as a set; or "*" when the select has
 * one (or is empty). Empty for return=minimal or no preference (returningF
 * then says RETURNING 1). */
static size_t returnings(const engine_request_t *req, const pg_node_t *plan, const char ***out)
{
    *out = NULL;
    pgrst_return_t ret = req->prefer->ret;
    if (ret == PGRST_RETURN_UNSET || ret == PGRST_RETURN_MINIMAL)
        return 0;
    const engine_relation_t *rel = req->relation;
    size_t cap = plan->select_count + rel->pk_count + 1;
    for (size_t k = 0; k < plan->child_count; k++)
        cap += plan->children[k]->to_parent->ncols;
    const char **names = arena_calloc(req->arena, cap, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < plan->select_count; i++) {
        const pgrst_select_item_t *it = plan->select[i];
        if (it->star) {
            names[0] = "*";
            *out = names;
            return 1;
        }
        names[k++] = it->field.name;
    }
    if (plan->select_count == 0 && plan->child_count == 0) {
        names[0] = "*";
        *out = names;
        return 1;
    }
    for (size_t c = 0; c < plan->child_count; c++) {
        const pg_rel_t *r = plan->children[c]->to_parent;
        if (r->computed) {
            /* the columns a function needs are unknown: all of them */
            names[0] = "*";
            *out = names;
            return 1;
        }
        for (size_t i = 0; i < r->ncols; i++)
            names[k++] = r->cols[i].a;
    }
    for (size_t i = 0; i < rel->pk_count; i++)
        names[k++] = rel->pk[i];
    return set_of(req->arena, names, k, out);
}

static void returning_sql(pg_stmt_t *s, qi_t q, const char **names, size_t n)
{
    if (n == 0) {
        sql(s, "RETURNING 1");
        return;
    }
    sql(s, "RETURNING ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            sql(s, ", ");
        column_ref(s, q, names[i]);
    }
}

/* addConfigPgrstInserted */
static void pgrst_inserted(pg_stmt_t *s, bool add)
{
    sql(s, add ? "set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', "
                 "true), '')::int, 0) + 1)::text, true) <> '0'"
               : "set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', "
                 "true), '')::int, 0) - 1)::text, true) <> '-1'");
}

/* PUT: every and only primary-key column with a plain eq (Plan.hs
 * MutationSingleUpsert), else PGRST105. */
static int check_put(const engine_request_t *req, pgrst_error_t *err)
{
    const pgrst_query_t *qry = req->query;
    const engine_relation_t *rel = req->relation;
    if (qry->limit >= 0 || qry->offset > 0)
        return pgrst_error_setf(err, "PGRST114",
                                "limit/offset querystring parameters are not allowed for PUT");
    bool ok = rel->pk_count > 0;
    /* qsFilterFields == S.fromList pkCols: the filtered names as a set. */
    const char **names = arena_calloc(req->arena, qry->where_count + 1, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; ok && i < qry->where_count; i++) {
        const pgrst_logic_t *l = &qry->where[i];
        ok = l->kind == PGRST_LOGIC_FILTER && !l->filter.negated && l->filter.op == PGRST_OP_EQ &&
             l->filter.quant == PGRST_QUANT_NONE && !l->filter.field.relation_len;
        if (ok)
            names[k++] = l->filter.field.name;
    }
    if (ok) {
        const char **set = NULL;
        size_t m = set_of(req->arena, names, k, &set);
        ok = m == rel->pk_count;
        for (size_t i = 0; ok && i < m; i++)
            ok = strcmp(set[i], rel->pk[i]) == 0;
    }
    if (!ok)
        return pgrst_error_setf(
            err, "PGRST105",
            "Filters must include all and only primary key columns with 'eq' operators");
    return 0;
}

/* mutatePlanToQuery Insert (POST and PUT) */
static int insert_sql(const pg_sql_context_t *ctx, const engine_request_t *req,
                      const pg_node_t *plan, pg_stmt_t *s, const char **cols, size_t n,
                      pgrst_error_t *err)
{
    const engine_relation_t *rel = req->relation;
    qi_t q = {ctx->schema, rel->name};
    bool put = req->op == ENGINE_UPSERT;
    pgrst_resolution_t resolution = put ? PGRST_RESOLUTION_MERGE : req->prefer->resolution;
    bool merge = resolution == PGRST_RESOLUTION_MERGE;
    const char **conflict = NULL;
    size_t conflict_n = 0;
    if (resolution != PGRST_RESOLUTION_UNSET) {
        if (!put && req->query->on_conflict) {
            conflict = (const char **)req->query->on_conflict;
            conflict_n = req->query->on_conflict_count;
        } else {
            conflict = rel->pk;
            conflict_n = rel->pk_count;
        }
    }
    bool defaults = !put && req->prefer->missing == PGRST_MISSING_DEFAULT;
    sql(s, "INSERT INTO ");
    from_qi(s, q);
    if (n) {
        sql(s, "(");
        for (size_t i = 0; i < n; i++) {
            if (i)
                sql(s, ", ");
            ident(s, cols[i]);
        }
        sql(s, ") ");
    } else {
        sql(s, " ");
    }
    from_json_body(s, ctx->cache, req, cols, n, true, defaults);
    if (put) {
        sql(s, "WHERE ");
        pgrst_inserted(s, true);
        sql(s, " AND ");
        qi_t body = {NULL, "pgrst_body"};
        for (size_t i = 0; i < req->query->where_count; i++) {
            if (i)
                sql(s, " AND ");
            if (logic_sql(s, rel, body, &req->query->where[i], (where_at_t){0}, err) < 0)
                return -1;
        }
    } else if (merge) {
        sql(s, "WHERE ");
        pgrst_inserted(s, true);
    }
    if (conflict_n) {
        sql(s, " ON CONFLICT(");
        for (size_t i = 0; i < conflict_n; i++) {
            if (i)
                sql(s, ", ");
            ident(s, conflict[i]);
        }
        sql(s, ") ");
        if (!merge || n == 0) {
            sql(s, "DO NOTHING");
        } else {
            sql(s, "DO UPDATE SET ");
            for (size_t i = 0; i < n; i++) {
                if (i)
                    sql(s, ", ");
                ident(s, cols[i]);
                sql(s, " = EXCLUDED.");
                ident(s, cols[i]);
            }
            sql(s, "WHERE ");
            pgrst_inserted(s, false);
        }
    }
    sql(s, " ");
    const char **ret = NULL;
    size_t rn = returnings(req, plan, &ret);
    returning_sql(s, q, ret, rn);
    return 0;
}

/* mutatePlanToQuery Update */
static int update_sql(const pg_sql_context_t *ctx, const engine_request_t *req,
                      const pg_node_t *plan, pg_stmt_t *s, const char **cols, size_t n,
                      pgrst_error_t *err)
{
    const engine_relation_t *rel = req->relation;
    qi_t q = {ctx->schema, rel->name};
    const char **ret = NULL;
    size_t rn = returnings(req, plan, &ret);
    if (n == 0) {
        sql(s, "SELECT ");
        if (rn == 0)
            sql(s, "NULL");
        qi_t bare = {NULL, rel->name};
        for (size_t i = 0; i < rn; i++) {
            if (i)
                sql(s, ", ");
            column_ref(s, bare, ret[i]);
        }
        sql(s, " FROM ");
        from_qi(s, q);
        sql(s, " WHERE false");
        return 0;
    }
    sql(s, "UPDATE ");
    from_qi(s, q);
    sql(s, " SET ");
    qi_t body = {NULL, "pgrst_body"};
    for (size_t i = 0; i < n; i++) {
        if (i)
            sql(s, ", ");
        ident(s, cols[i]);
        sql(s, " = ");
        column_ref(s, body, cols[i]);
    }
    sql(s, " ");
    from_json_body(s, ctx->cache, req, cols, n, false,
                   req->prefer->missing == PGRST_MISSING_DEFAULT);
    size_t w;
    if (where_terms(s, rel, q, req->query, false, &w, err) < 0)
        return -1;
    sql(s, " ");
    returning_sql(s, q, ret, rn);
    return 0;
}

/* mutatePlanToQuery Delete */
static int delete_sql(const pg_sql_context_t *ctx, const engine_request_t *req,
                      const pg_node_t *plan, pg_stmt_t *s, pgrst_error_t *err)
{
    qi_t q = {ctx->schema, req->relation->name};
    sql(s, "DELETE FROM ");
    from_qi(s, q);
    sql(s, " ");
    size_t w;
    if (where_terms(s, req->relation, q, req->query, false, &w, err) < 0)
        return -1;
    sql(s, " ");
    const char **ret = NULL;
    size_t rn = returnings(req, plan, &ret);
    returning_sql(s, q, ret, rn);
    return 0;
}

/* mainWrite */
static int main_write(const pg_sql_context_t *ctx, const engine_request_t *req, pg_stmt_t *s,
                      pgrst_error_t *err)
{
    const engine_relation_t *rel = req->relation;
    pg_node_t *plan = pg_plan_build(ctx->cache, req, true, 0, err);
    if (!plan)
        return -1;
    if (req->op == ENGINE_UPSERT && check_put(req, err) < 0)
        return -1;
    const char **cols = NULL;
    size_t n = 0;
    if (req->op != ENGINE_DELETE && typed_columns(req, &cols, &n, err) < 0)
        return -1;

    /* Parameters are numbered in text order: the mutation's come first. */
    sql(s, "WITH pgrst_source AS (");
    int rc;
    switch (req->op) {
    case ENGINE_INSERT:
    case ENGINE_UPSERT:
        rc = insert_sql(ctx, req, plan, s, cols, n, err);
        break;
    case ENGINE_UPDATE:
        rc = update_sql(ctx, req, plan, s, cols, n, err);
        break;
    default:
        rc = delete_sql(ctx, req, plan, s, err);
        break;
    }
    if (rc < 0)
        return -1;
    bool insert = req->op == ENGINE_INSERT || req->op == ENGINE_UPSERT;
    bool representation = req->prefer->ret == PGRST_RETURN_REPRESENTATION;
    sql(s, ") SELECT '' AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, ");
    if (insert && req->prefer->ret == PGRST_RETURN_HEADERS_ONLY) {
        /* locF with locationF's text (pk names as quoted literals here,
         * where PostgREST splices them in unescaped). */
        sql(s, "CASE WHEN pg_catalog.count(_postgrest_t) = 1 THEN coalesce((\n"
               "WITH data AS (SELECT row_to_json(_) AS row FROM pgrst_source AS _ LIMIT 1)\n"
               "SELECT array_agg(json_data.key || '=' || coalesce('eq.' || json_data.value, "
               "'is.null'))\n"
               "FROM data CROSS JOIN json_each_text(data.row) AS json_data\n"
               "WHERE json_data.key IN ('");
        size_t pk_n = req->op == ENGINE_UPSERT ? 0 : rel->pk_count;
        for (size_t i = 0; i < pk_n; i++) {
            if (i)
                sql(s, "','");
            for (const char *p = rel->pk[i]; *p; p++) {
                if (*p == '\'')
                    buf_putc(&s->sql, '\'');
                buf_putc(&s->sql, *p);
            }
        }
        sql(s, "')\n), array[]::text[]) ELSE array[]::text[] END");
    } else {
        sql(s, "array[]::text[]");
    }
    sql(s, " AS header, ");
    if (representation)
        body_handler(s, req->accept);
    else
        sql(s, "''::text");
    sql(s, " AS body, ");
    sql(s, response_gucs);
    bool merge = req->op == ENGINE_UPSERT ||
                 (req->op == ENGINE_INSERT && req->prefer->resolution == PGRST_RESOLUTION_MERGE);
    sql(s, merge ? "nullif(current_setting('pgrst.inserted', true),'')::int" : "''");
    sql(s, " AS response_inserted FROM (");
    if (!representation) {
        sql(s, "SELECT * FROM pgrst_source");
    } else {
        /* readPlanToQuery over the CTE aliased as the table. */
        if (read_query(s, ctx, plan, (qi_t){0}, true, rel, err) < 0)
            return -1;
    }
    sql(s, ") _postgrest_t");
    return 0;
}

/* ---- calls ---- */

/* The JSON text of DirectArgs (CallPlan.hs ToJSON: Fixed as a string), for a
 * single unnamed parameter called through GET or a form. */
static const char *direct_args_json(arena_t *a, const engine_call_t *call)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < call->arg_count; i++) {
        const engine_call_arg_t *arg = &call->args[i];
        if (arg->variadic) {
            cJSON *arr = cJSON_CreateArray();
            for (size_t k = 0; k < arg->value_count; k++)
                cJSON_AddItemToArray(arr, cJSON_CreateString(arg->values[k]));
            cJSON_AddItemToObject(o, arg->name, arr);
        } else {
            cJSON_AddItemToObject(o, arg->name, cJSON_CreateString(arg->values[0]));
        }
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    const char *out = arena_strdup(a, text ? text : "{}");
    free(text);
    return out;
}

static const engine_call_arg_t *find_arg(const engine_call_t *call, const char *name)
{
    for (size_t i = 0; i < call->arg_count; i++)
        if (strcmp(call->args[i].name, name) == 0)
            return &call->args[i];
    return NULL;
}

/* A bytea argument as text input: the hex format. */
static const char *bytea_hex(arena_t *a, const char *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char *out = arena_alloc(a, 2 * len + 3);
    out[0] = '\\';
    out[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        out[2 + 2 * i] = hex[(unsigned char)data[i] >> 4];
        out[3 + 2 * i] = hex[(unsigned char)data[i] & 15];
    }
    out[2 * len + 2] = '\0';
    return out;
}

/* callIt: fn(args) pgrst_call, with the scalar wrapper. */
static void call_it_open(pg_stmt_t *s, const engine_call_t *call, bool scalar)
{
    if (scalar)
        sql(s, "(SELECT ");
    qi_t fq = {call->routine->schema, call->routine->name};
    from_qi(s, fq);
    sql(s, "(");
}

static void call_it_close(pg_stmt_t *s, bool scalar)
{
    sql(s, scalar ? ") pgrst_scalar) pgrst_call" : ") pgrst_call");
}

static bool names_has(const char **names, size_t n, const char *x)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], x) == 0)
            return true;
    return false;
}

static void logic_fields(const pgrst_logic_t *l, const char **names, size_t *n, size_t cap)
{
    if (l->kind == PGRST_LOGIC_FILTER) {
        if (*n < cap && !names_has(names, *n, l->filter.field.name))
            names[(*n)++] = l->filter.field.name;
        return;
    }
    for (size_t i = 0; i < l->child_count; i++)
        logic_fields(&l->children[i], names, n, cap);
}

static size_t logic_count(const pgrst_logic_t *l)
{
    size_t n = 1;
    for (size_t i = 0; i < l->child_count; i++)
        n += logic_count(&l->children[i]);
    return n;
}

/* getFilterFieldNames: the fields every node of the read plan filters on. */
static void plan_filter_fields(const pg_node_t *node, const char **names, size_t *n, size_t cap)
{
    for (size_t i = 0; i < node->where_count; i++)
        logic_fields(node->where[i], names, n, cap);
    for (size_t k = 0; k < node->child_count; k++)
        plan_filter_fields(node->children[k], names, n, cap);
}

static size_t plan_capacity(const pg_node_t *node)
{
    size_t cap = node->select_count + node->child_count;
    for (size_t i = 0; i < node->where_count; i++)
        cap += logic_count(node->where[i]);
    for (size_t k = 0; k < node->child_count; k++) {
        cap += plan_capacity(node->children[k]);
        const pg_rel_t *r = node->children[k]->to_parent;
        if (r && !r->computed)
            cap += r->ncols;
    }
    return cap;
}

/* returnedColumns with funCReturning = inferColsEmbedNeeds: "pgrst_call".*
 * when the root selects * or embeds over a computed relationship; else the
 * root's selected fields, the root's columns of each embed's join
 * (relColumns / junColsSource) and every filtered field as a set (sorted,
 * distinct); "*" when that set is empty. */
static void returned_columns(pg_stmt_t *s, const pg_node_t *root)
{
    size_t cap = plan_capacity(root);
    const char **names = arena_calloc(s->arena, cap + 1, sizeof *names);
    size_t n = 0;
    bool star = false;
    for (size_t i = 0; i < root->select_count; i++) {
        const pgrst_select_item_t *it = root->select[i];
        if (it->star) {
            star = true;
            break;
        }
        if (!names_has(names, n, it->field.name))
            names[n++] = it->field.name;
    }
    for (size_t k = 0; k < root->child_count && !star; k++) {
        const pg_rel_t *r = root->children[k]->to_parent;
        if (r->computed) {
            star = true;
            break;
        }
        for (size_t i = 0; i < r->ncols; i++)
            if (!names_has(names, n, r->cols[i].a))
                names[n++] = r->cols[i].a;
    }
    if (star) {
        sql(s, "\"pgrst_call\".*");
        return;
    }
    plan_filter_fields(root, names, &n, cap);
    if (n == 0) {
        sql(s, "*");
        return;
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sql(s, ", ");
        column_ref(s, (qi_t){NULL, "pgrst_call"}, names[i]);
    }
}

/* callPlanToQuery */
static void call_query(pg_stmt_t *s, const engine_request_t *req, const pg_node_t *plan)
{
    const engine_call_t *call = req->call;
    const engine_routine_t *r = call->routine;
    bool scalar = !r->returns_composite;
    sql(s, "SELECT ");
    if (scalar)
        sql(s, "pgrst_call.pgrst_scalar");
    else
        returned_columns(s, plan);
    sql(s, " ");
    if (call->positional) {
        /* singleParameter */
        const engine_routine_param_t *p = &r->params[0];
        const char *body =
            call->json_args
                ? (call->json ? arena_strndup(s->arena, call->json, call->json_len) : NULL)
                : direct_args_json(s->arena, call);
        sql(s, "FROM ");
        call_it_open(s, call, scalar);
        if (body && strcmp(p->type, "bytea") == 0)
            body =
                bytea_hex(s->arena, call->json ? call->json : "", call->json ? call->json_len : 0);
        if (body)
            param(s, body);
        else
            sql(s, "NULL");
        sql(s, "::");
        sql(s, p->type);
        call_it_close(s, scalar);
        return;
    }
    if (call->param_count == 0) {
        sql(s, "FROM ");
        call_it_open(s, call, scalar);
        call_it_close(s, scalar);
        return;
    }
    if (!call->json_args) {
        /* fmtArgs */
        sql(s, "FROM ");
        call_it_open(s, call, scalar);
        for (size_t i = 0; i < call->param_count; i++) {
            const engine_routine_param_t *p = call->params[i];
            const engine_call_arg_t *arg = find_arg(call, p->name);
            if (i)
                sql(s, ", ");
            if (p->variadic)
                sql(s, "VARIADIC ");
            ident(s, p->name);
            sql(s, " := ");
            if (!arg) {
                sql(s, "NULL");
            } else if (arg->variadic) {
                buf_t lit;
                buf_init(&lit);
                pg_array_literal(&lit, arg->values, arg->value_count);
                param(s, arena_strdup(s->arena, buf_cstr(&lit)));
                buf_dispose(&lit);
                sql(s, "::text[]");
            } else {
                param(s, arg->values[0]);
            }
            sql(s, "::");
            sql(s, p->type_max_length);
        }
        call_it_close(s, scalar);
        return;
    }
    /* fromJsonBodyF body fields False True False, then the call on each row. */
    const char *body = call->json ? arena_strndup(s->arena, call->json, call->json_len) : NULL;
    const char *b = body ? body : "";
    while (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
        b++;
    bool object = *b == '{';
    sql(s, "FROM (SELECT ");
    if (body)
        param(s, body);
    else
        sql(s, "NULL");
    sql(s, "::json AS json_data) pgrst_payload, LATERAL (SELECT ");
    for (size_t i = 0; i < call->param_count; i++) {
        if (i)
            sql(s, ", ");
        ident(s, call->params[i]->name);
    }
    sql(s, object ? " FROM json_to_record" : " FROM json_to_recordset");
    sql(s, "(pgrst_payload.json_data) AS _(");
    for (size_t i = 0; i < call->param_count; i++) {
        if (i)
            sql(s, ", ");
        ident(s, call->params[i]->name);
        sql(s, " ");
        sql(s, call->params[i]->type_max_length);
    }
    sql(s, ") LIMIT 1) pgrst_body , LATERAL ");
    call_it_open(s, call, scalar);
    for (size_t i = 0; i < call->param_count; i++) {
        const engine_routine_param_t *p = call->params[i];
        if (i)
            sql(s, ", ");
        if (p->variadic)
            sql(s, "VARIADIC ");
        ident(s, p->name);
        sql(s, " := pgrst_body.");
        ident(s, p->name);
    }
    call_it_close(s, scalar);
}

/* asJsonF / asJsonSingleF with a routine (handlerF (Just rout)). */
static void call_body_handler(pg_stmt_t *s, const engine_request_t *req)
{
    const engine_routine_t *r = req->call->routine;
    const pgrst_accept_t *a = req->accept;
    bool strip = a->nulls_stripped;
    bool scalar = !r->returns_composite && !r->returns_set;
    bool set_scalar = !r->returns_composite && r->returns_set;
    bool single_composite = r->returns_composite && !r->returns_set;
    const char *agg;
    const char *dflt = "'null'";
    if (a->media == PGRST_MEDIA_CSV || a->media == PGRST_MEDIA_GEOJSON) {
        body_handler(s, a);
        return;
    }
    if (a->media == PGRST_MEDIA_OBJECT) {
        agg = scalar ? "json_agg(_postgrest_t.pgrst_scalar)->0" : "json_agg(_postgrest_t)->0";
    } else if (single_composite) {
        agg = "json_agg(_postgrest_t)->0";
    } else if (scalar) {
        agg = "json_agg(_postgrest_t.pgrst_scalar)->0";
    } else if (set_scalar) {
        agg = "json_agg(_postgrest_t.pgrst_scalar)";
        dflt = "'[]'";
    } else {
        agg = "json_agg(_postgrest_t)";
        dflt = "'[]'";
    }
    sql(s, "coalesce(");
    if (strip)
        sql(s, "json_strip_nulls(");
    sql(s, agg);
    if (strip)
        sql(s, ")");
    sql(s, ", ");
    sql(s, dflt);
    sql(s, ")");
}

/* ---- a call's result: the read plan over pgrst_source ---- */

/* mainCall: the call in pgrst_source, the read plan over it as
 * "pgrst_source" AS "name" (addRels' root case, callReadPlan's relation),
 * the count and the body. */
static int main_call(const pg_sql_context_t *ctx, const engine_request_t *req, pg_stmt_t *s,
                     pgrst_error_t *err)
{
    const engine_routine_t *r = req->call->routine;
    pg_node_t *root =
        pg_plan_build_call(ctx->cache, req, ctx->call_relation, ctx->db_max_rows, err);
    if (!root)
        return -1;
    /* The root's range is the one the PostgREST layer computed. */
    root->limit = req->limit;
    root->offset = req->offset;
    root->ranged = req->limit >= 0 || req->offset > 0;
    sql(s, "WITH pgrst_source AS (");
    call_query(s, req, root);
    sql(s, ") ");
    pgrst_count_t count = req->prefer->count;
    bool counting = count == PGRST_COUNT_EXACT || count == PGRST_COUNT_ESTIMATED;
    if (counting) {
        sql(s, ", pgrst_source_count AS (");
        if (count_node(s, ctx, root, (qi_t){0}, true, err) < 0)
            return -1;
        sql(s, ")");
    }
    sql(s, " SELECT ");
    sql(s, counting ? "(SELECT pg_catalog.count(*) FROM pgrst_source_count)" : "null::bigint");
    sql(s, " AS total_result_set, ");
    sql(s, r->returns_set ? "pg_catalog.count(_postgrest_t)" : "1");
    sql(s, " AS page_total, ");
    if (req->method && strcmp(req->method, "HEAD") == 0)
        sql(s, "''::text");
    else
        call_body_handler(s, req);
    sql(s, " AS body, ");
    sql(s, response_gucs);
    sql(s, "'' AS response_inserted FROM (");
    if (read_query(s, ctx, root, (qi_t){0}, true, ctx->call_relation, err) < 0)
        return -1;
    sql(s, ") _postgrest_t");
    return 0;
}

int pg_sql_main(const pg_sql_context_t *ctx, const engine_request_t *req, pg_stmt_t *out,
                pgrst_error_t *err)
{
    if (req->op == ENGINE_CALL)
        return main_call(ctx, req, out, err);
    if (req->op == ENGINE_READ)
        return main_read(ctx, req, out, err);
    return main_write(ctx, req, out, err);
}

/* ---- transaction variables ---- */

static void set_config(pg_stmt_t *s, const char *name, const char *value)
{
    sql(s, ", set_config('");
    sql(s, name);
    sql(s, "', ");
    param(s, value);
    sql(s, ", true)");
}

void pg_sql_tx_vars(const pg_tx_vars_t *v, pg_stmt_t *s)
{
    sql(s, "select set_config('search_path', ");
    param(s, v->search_path);
    sql(s, ", true)");
    for (size_t i = 0; i < v->role_setting_count; i++) {
        sql(s, ", set_config(");
        param(s, v->role_settings[2 * i]);
        sql(s, ", ");
        param(s, v->role_settings[2 * i + 1]);
        sql(s, ", true)");
    }
    set_config(s, "role", v->role);
    set_config(s, "request.jwt.claims", v->claims_json);
    set_config(s, "request.method", v->method);
    set_config(s, "request.path", v->path);
    set_config(s, "request.headers", v->headers_json ? v->headers_json : "{}");
    set_config(s, "request.cookies", v->cookies_json ? v->cookies_json : "{}");
    if (v->timezone)
        set_config(s, "timezone", v->timezone);
    for (size_t i = 0; i < v->func_setting_count; i++) {
        sql(s, ", set_config(");
        param(s, v->func_settings[2 * i]);
        sql(s, ", ");
        param(s, v->func_settings[2 * i + 1]);
        sql(s, ", true)");
    }
    if (v->now)
        set_config(s, "supamock.now", v->now);
}

/* ---- claims ---- */

static int by_name(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string);
}

static void put_json(buf_t *out, const cJSON *v)
{
    if (cJSON_IsObject(v)) {
        size_t n = (size_t)cJSON_GetArraySize(v);
        const cJSON **items = xcalloc(n ? n : 1, sizeof *items);
        size_t k = 0;
        for (const cJSON *c = v->child; c; c = c->next)
            items[k++] = c;
        if (k > 1)
            qsort(items, k, sizeof *items, by_name);
        buf_putc(out, '{');
        for (size_t i = 0; i < k; i++) {
            if (i)
                buf_putc(out, ',');
            buf_put_json_string(out, items[i]->string);
            buf_putc(out, ':');
            put_json(out, items[i]);
        }
        buf_putc(out, '}');
        free(items);
    } else if (cJSON_IsArray(v)) {
        buf_putc(out, '[');
        for (const cJSON *c = v->child; c; c = c->next) {
            if (c != v->child)
                buf_putc(out, ',');
            put_json(out, c);
        }
        buf_putc(out, ']');
    } else if (cJSON_IsString(v)) {
        buf_put_json_string(out, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
            buf_printf(out, "%.0f", d);
        else
            buf_printf(out, "%.17g", d);
    } else if (cJSON_IsTrue(v)) {
        buf_puts(out, "true");
    } else if (cJSON_IsFalse(v)) {
        buf_puts(out, "false");
    } else {
        buf_puts(out, "null");
    }
}

char *pg_claims_json(const cJSON *claims, const char *role)
{
    /* parseClaims: the claims with "role" set to the role that runs. */
    cJSON *copy =
        claims && cJSON_IsObject(claims) ? cJSON_Duplicate(claims, true) : cJSON_CreateObject();
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "role");
    cJSON_AddStringToObject(copy, "role", role ? role : "anon");
    buf_t b;
    buf_init(&b);
    put_json(&b, copy);
    cJSON_Delete(copy);
    return buf_steal(&b);
}
