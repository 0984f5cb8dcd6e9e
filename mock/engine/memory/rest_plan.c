/* Compiles PostgREST filters, order and select against a table and evaluates
 * them over store rows. Error texts are Postgres's, raised in the order its
 * analyser meets them (select list, then WHERE, then ORDER BY). */
#include "rest_plan.h"

#include "fuzzy.h"
#include "mem_datarep.h"
#include "pg_like.h"
#include "pg_regex.h"
#include "pgltree.h"
#include "pgrange.h"
#include "rest_fts.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum tv { TV_FALSE, TV_TRUE, TV_NULL } tv_t;

/* A value source: a column, optionally navigated by a JSON path. */
typedef struct rest_source {
    size_t col;
    const pgrst_json_step_t *path;
    size_t path_len;
    pgtype_t type; /* the column's type, or text (->>) / jsonb (->) after a path */
    bool star;     /* count()'s argument: every row, a non-null value */
    /* A path on a column that is not json/jsonb: PostgREST reads
     * to_jsonb(col)->path (Plan.hs resolveTypeOrUnknown, cfToJson); the
     * column's own type (col_type, set with any path) renders it as JSON
     * first. */
    bool to_json;
    pgtype_t col_type;
    /* A computed field: fn(row) through the plan's hooks instead of col. */
    const rest_computed_hooks_t *computed;
    const void *fn;
    const store_table_t *table;
} rest_source_t;

struct rest_cond {
    pgrst_logic_kind_t kind;
    bool negated;
    size_t embed; /* 1 + the embed a `rel=is.null` filter tests (FilterNullEmbed), else 0 */
    /* PGRST_LOGIC_FILTER */
    rest_source_t src;
    pgrst_op_t op;
    pgrst_quant_t quant;
    pgrst_is_value_t is_value;
    bool listed;         /* in, or op(any)/op(all): the operands are a list (maybe empty) */
    pgvalue_t *operands; /* eq..lte, in, quantified lists, cs/cd/ov */
    size_t operand_count;
    pg_like_t **likes;    /* like/ilike: the patterns with '*' turned into '%' */
    pg_regex_t **regexes; /* match/imatch */
    size_t pattern_count;
    rest_fts_t *fts; /* fts/plfts/phfts/wfts: owned */
    /* AND / OR */
    rest_cond_t *children;
    size_t child_count;
};

struct rest_order {
    rest_source_t src;
    size_t embed; /* 1 + the to-one embed of a related order (order=rel(col)), else 0 */
    size_t embed_out;
    bool desc;
    bool nulls_first;
};

struct rest_out {
    const char *key;
    rest_source_t src;
    /* The column's domain -> json representation (Plan.hs withOutputFormat)
     * and its result type; NULL: the value as it is. A ::cast applies to
     * the representation. */
    const mem_func_t *to_json;
    pgtype_t rep_type;
    bool cast;
    pgtype_t cast_type;
    bool is_agg;
    rest_agg_spec_t agg;
};

static const pgtype_t text_type = {.kind = PGTYPE_TEXT, .length = -1};
static const pgtype_t jsonb_type = {.kind = PGTYPE_JSONB, .length = -1};

/* ---- errors ---- */

int rest_plan_missing_column(const store_table_t *t, const char *name, pgrst_error_t *err)
{
    return rest_plan_missing_column_as(t, NULL, name, err);
}

int rest_plan_missing_column_as(const store_table_t *t, const char *alias, const char *name,
                                pgrst_error_t *err)
{
    const char *ref = alias ? alias : store_table_name(t);
    pgrst_error_setf(err, "42703", "column %s.%s does not exist", ref, name);
    /* errorMissingColumn/updateFuzzyAttrMatchState: the closest column wins if
     * fewer than half of the typed name's characters differ; two equally close
     * columns suggest nothing. */
    size_t best = (size_t)-1, best_count = 0;
    const char *best_name = NULL;
    size_t typed = strlen(name);
    for (size_t i = 0; i < store_table_column_count(t); i++) {
        const char *cand = store_table_column(t, i)->name;
        size_t d = fuzzy_levenshtein(name, cand, false);
        if (d > typed / 2)
            continue;
        if (d < best) {
            best = d;
            best_count = 1;
            best_name = cand;
        } else if (d == best) {
            best_count++;
        }
    }
    if (best_name && best_count == 1)
        pgrst_error_hintf(err, "Perhaps you meant to reference the column \"%s.%s\".", ref,
                          best_name);
    return -1;
}

static const char *op_symbol(pgrst_op_t op)
{
    switch (op) {
    case PGRST_OP_EQ:
        return "=";
    case PGRST_OP_NEQ:
        return "<>";
    case PGRST_OP_GT:
        return ">";
    case PGRST_OP_GTE:
        return ">=";
    case PGRST_OP_LT:
        return "<";
    case PGRST_OP_LTE:
        return "<=";
    case PGRST_OP_LIKE:
        return "~~";
    case PGRST_OP_ILIKE:
        return "~~*";
    case PGRST_OP_MATCH:
        return "~";
    case PGRST_OP_IMATCH:
        return "~*";
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
    default:
        return "=";
    }
}

/* 42883 as Postgres words it for `type OP unknown`. */
static int no_operator(const pgtype_t *t, pgrst_op_t op, pgrst_error_t *err)
{
    char scratch[96];
    pgrst_error_setf(err, "42883", "operator does not exist: %s %s unknown",
                     pgtype_name(t, scratch, sizeof scratch), op_symbol(op));
    pgrst_error_hintf(err, "No operator matches the given name and argument types. You might "
                           "need to add explicit type casts.");
    return -1;
}

/* ---- sources ---- */

static int resolve_source(const rest_plan_t *plan, const pgrst_field_t *f, rest_source_t *src,
                          pgrst_error_t *err)
{
    const store_table_t *t = plan->table;
    int col = store_table_find_column(t, f->name);
    if (col < 0 && plan->computed) {
        int rc =
            plan->computed->resolve(plan->computed->ctx, t, f->name, &src->fn, &src->type, err);
        if (rc < 0)
            return -1;
        if (rc > 0) {
            src->computed = plan->computed;
            src->table = t;
        }
    }
    if (col < 0 && !src->computed)
        return rest_plan_missing_column_as(t, plan->alias, f->name, err);
    src->col = col < 0 ? 0 : (size_t)col;
    src->path = f->path;
    src->path_len = f->path_len;
    if (!src->computed)
        src->type = store_table_column(t, (size_t)col)->type;
    if (f->path_len) {
        pgtype_t fn_type = src->type;
        const pgtype_t *ct = src->computed ? &fn_type : &store_table_column(t, (size_t)col)->type;
        src->col_type = *ct;
        src->to_json = (ct->kind != PGTYPE_JSON && ct->kind != PGTYPE_JSONB) || ct->is_array;
        src->type = f->path[f->path_len - 1].as_text ? text_type : jsonb_type;
    }
    return 0;
}

/* Navigates a JSON value by the path; returns the node or NULL. */
static const cJSON *json_step(const cJSON *node, const pgrst_json_step_t *step, bool jsonb)
{
    if (!node)
        return NULL;
    if (step->is_index) {
        /* jsonb keeps a scalar as a one-element array flagged scalar, and
         * jsonb_array_element only asks JB_ROOT_IS_ARRAY: '5'::jsonb -> 0
         * (and -> -1) is 5. json's own -> on a scalar is NULL. */
        if (jsonb && !cJSON_IsArray(node) && !cJSON_IsObject(node))
            return step->index == 0 || step->index == -1 ? node : NULL;
        if (!cJSON_IsArray(node))
            return NULL;
        long n = cJSON_GetArraySize(node);
        long i = step->index < 0 ? n + step->index : step->index;
        return i >= 0 && i < n ? cJSON_GetArrayItem(node, (int)i) : NULL;
    }
    /* A numeric-looking key on an object is still a key (->'0' vs ->0 both
     * work on objects with key "0"). */
    return cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, step->key) : NULL;
}

/* The source's JSON path applied to a json/jsonb value v: always *tmp
 * (which the caller disposes). */
static const pgvalue_t *path_value(const rest_source_t *src, const pgvalue_t *v, pgvalue_t *tmp)
{
    pgvalue_init_null(tmp);
    if (v->is_null)
        return tmp;
    cJSON *doc;
    if (src->to_json) {
        buf_t j;
        buf_init(&j);
        pgvalue_render_json(&src->col_type, v, &j);
        doc = cJSON_Parse(buf_cstr(&j));
        buf_dispose(&j);
    } else {
        doc = cJSON_Parse(v->s);
    }
    const cJSON *node = doc;
    /* to_jsonb(col) is jsonb; a json column's arrows are json's. */
    bool jsonb = src->to_json || src->col_type.kind == PGTYPE_JSONB;
    for (size_t i = 0; i < src->path_len && node; i++)
        node = json_step(node, &src->path[i], jsonb);
    if (node && !cJSON_IsNull(node)) {
        pgrst_error_t ignored;
        pgrst_error_init(&ignored);
        if (src->path[src->path_len - 1].as_text && cJSON_IsString(node)) {
            pgvalue_from_text(&text_type, node->valuestring, strlen(node->valuestring), tmp,
                              &ignored);
        } else {
            char *text = cJSON_PrintUnformatted(node);
            pgvalue_t as_jsonb;
            if (pgvalue_from_text(&jsonb_type, text, strlen(text), &as_jsonb, &ignored) == 0) {
                if (src->path[src->path_len - 1].as_text) {
                    buf_t b;
                    buf_init(&b);
                    pgvalue_render_text(&jsonb_type, &as_jsonb, &b);
                    pgvalue_from_text(&text_type, buf_cstr(&b), b.len, tmp, &ignored);
                    buf_dispose(&b);
                    pgvalue_dispose(&as_jsonb);
                } else {
                    *tmp = as_jsonb;
                }
            }
            cJSON_free(text);
        }
        pgrst_error_dispose(&ignored);
    } else if (node && cJSON_IsNull(node) && !src->path[src->path_len - 1].as_text) {
        /* -> on a JSON null gives the jsonb value null, not SQL NULL. */
        pgrst_error_t ignored;
        pgrst_error_init(&ignored);
        pgvalue_from_text(&jsonb_type, "null", 4, tmp, &ignored);
        pgrst_error_dispose(&ignored);
    }
    cJSON_Delete(doc);
    return tmp;
}

/* Reads the source's value for a row. Returns a pointer either into the row or
 * to *tmp (which the caller disposes). */
static const pgvalue_t *source_value(const rest_source_t *src, const store_row_t *row,
                                     pgvalue_t *tmp)
{
    static const pgvalue_t one = {.i = 1};
    if (src->star)
        return &one;
    if (src->computed) {
        if (!src->path_len) {
            src->computed->value(src->computed->ctx, src->fn, src->table, row, tmp);
            return tmp;
        }
        pgvalue_t whole;
        src->computed->value(src->computed->ctx, src->fn, src->table, row, &whole);
        path_value(src, &whole, tmp);
        pgvalue_dispose(&whole);
        return tmp;
    }
    const pgvalue_t *v = &store_row_values(row)[src->col];
    if (!src->path_len)
        return v;
    return path_value(src, v, tmp);
}

/* ---- compiling filters ---- */

static bool is_texty(const pgtype_t *t)
{
    return !t->is_array &&
           (t->kind == PGTYPE_TEXT || t->kind == PGTYPE_VARCHAR || t->kind == PGTYPE_CHAR);
}

/* LIKE pattern: PostgREST turns '*' into '%'. */
static char *like_pattern(arena_t *arena, const char *v)
{
    char *p = arena_strdup(arena, v);
    for (char *c = p; *c; c++)
        if (*c == '*')
            *c = '%';
    return p;
}

static int parse_operand(const pgtype_t *t, const char *text, pgvalue_t *out, pgrst_error_t *err)
{
    return pgvalue_from_text(t, text, strlen(text), out, err);
}

/* ltree's comparison operators and its @> / <@ are the extension's: they
 * resolve only with its schema on the request's search path (Postgres then
 * names the type "public.ltree"). Without them @> and <@ meet only
 * pg_catalog's polymorphic candidates, none best (42725); the comparisons
 * find nothing (42883). `in` (= ANY) still resolves, as Postgres 15 finds. */
static int ltree_hidden(const rest_plan_t *plan, pgrst_op_t op, pgrst_error_t *err)
{
    const char *schema = store_ltree_hidden(plan->table);
    if (!schema)
        return 0;
    switch (op) {
    case PGRST_OP_CS:
    case PGRST_OP_CD:
        pgrst_error_setf(err, "42725", "operator is not unique: %s.ltree %s unknown", schema,
                         op_symbol(op));
        pgrst_error_hintf(err, "Could not choose a best candidate operator. You might need to "
                               "add explicit type casts.");
        return -1;
    case PGRST_OP_EQ:
    case PGRST_OP_NEQ:
    case PGRST_OP_GT:
    case PGRST_OP_GTE:
    case PGRST_OP_LT:
    case PGRST_OP_LTE:
        pgrst_error_setf(err, "42883", "operator does not exist: %s.ltree %s unknown", schema,
                         op_symbol(op));
        pgrst_error_hintf(err, "No operator matches the given name and argument types. You "
                               "might need to add explicit type casts.");
        return -1;
    default:
        return 0;
    }
}

static int compile_filter(rest_cond_t *c, arena_t *arena, const rest_plan_t *plan,
                          const pgrst_filter_t *f, pgrst_error_t *err)
{
    c->kind = PGRST_LOGIC_FILTER;
    c->negated = f->negated;
    c->op = f->op;
    c->quant = f->quant;
    c->is_value = f->is_value;
    /* addNullEmbedFilters: `rel=is.null` / `rel=not.is.null` naming an
     * embedded resource tests the embed instead of a column. */
    if (plan->embeds && f->op == PGRST_OP_IS && f->is_value == PGRST_IS_NULL &&
        !f->field.path_len && !f->field.relation_len) {
        for (size_t i = 0; i < plan->embeds->count; i++)
            if (strcmp(plan->embeds->keys[i], f->field.name) == 0) {
                c->embed = i + 1;
                return 0;
            }
    }
    if (f->field.relation_len) {
        pgrst_error_setf(err, "PGRST108", "'%s' is not an embedded resource in this request",
                         f->field.relation[0]);
        pgrst_error_hintf(err, "Verify that '%s' is included in the 'select' query parameter.",
                          f->field.relation[0]);
        return -1;
    }
    if (resolve_source(plan, &f->field, &c->src, err) < 0)
        return -1;
    const pgtype_t *type = &c->src.type;
    const char *const *list = f->list;
    size_t list_len = f->list_len;
    bool listed = f->op == PGRST_OP_IN || f->quant != PGRST_QUANT_NONE;
    /* in.() parses as the one-element list [""], which SqlFragment.hs renders
     * as `= ANY('{}')`: the empty list, whatever the column's type. */
    if (f->op == PGRST_OP_IN && list_len == 1 && list && list[0] && !list[0][0])
        list_len = 0;
    c->listed = listed;
    if (f->quant != PGRST_QUANT_NONE && !f->list) {
        /* The operand of op(any)/op(all) is an array literal (array_in). */
        pgrst_error_setf(err, "22P02", "malformed array literal: \"%s\"",
                         f->raw_value ? f->raw_value : "");
        pgrst_error_detailsf(err, "Array value must start with \"{\" or dimension information.");
        return -1;
    }
    if (type->kind == PGTYPE_LTREE && !type->is_array && f->quant == PGRST_QUANT_NONE &&
        ltree_hidden(plan, f->op, err) < 0)
        return -1;
    switch (f->op) {
    case PGRST_OP_IS:
        if (f->is_value != PGRST_IS_NULL && f->is_value != PGRST_IS_NOT_NULL &&
            (type->kind != PGTYPE_BOOL || type->is_array)) {
            char scratch[96];
            const char *what = f->is_value == PGRST_IS_TRUE    ? "IS TRUE"
                               : f->is_value == PGRST_IS_FALSE ? "IS FALSE"
                                                               : "IS UNKNOWN";
            return pgrst_error_setf(err, "42804",
                                    "argument of %s must be type boolean, not type %s", what,
                                    pgtype_name(type, scratch, sizeof scratch));
        }
        return 0;
    case PGRST_OP_LIKE:
    case PGRST_OP_ILIKE:
    case PGRST_OP_MATCH:
    case PGRST_OP_IMATCH: {
        if (!is_texty(type))
            return no_operator(type, f->op, err);
        size_t n = listed ? list_len : 1;
        c->pattern_count = n;
        if (f->op == PGRST_OP_LIKE || f->op == PGRST_OP_ILIKE)
            c->likes = arena_calloc(arena, n, sizeof *c->likes);
        else
            c->regexes = arena_calloc(arena, n, sizeof *c->regexes);
        for (size_t i = 0; i < n; i++) {
            const char *v = listed ? list[i] : f->value;
            if (!v)
                v = "";
            if (c->likes) {
                c->likes[i] = pg_like_compile(like_pattern(arena, v), f->op == PGRST_OP_ILIKE);
                continue;
            }
            const char *why = NULL;
            c->regexes[i] = pg_regex_compile(v, strlen(v), f->op == PGRST_OP_IMATCH, &why);
            if (!c->regexes[i])
                return pgrst_error_setf(err, "2201B", "invalid regular expression: %s", why);
        }
        return 0;
    }
    case PGRST_OP_FTS:
    case PGRST_OP_PLFTS:
    case PGRST_OP_PHFTS:
    case PGRST_OP_WFTS:
        c->fts = rest_fts_compile(type, f->op, f->fts_language, f->value, err);
        return c->fts ? 0 : -1;
    case PGRST_OP_SL:
    case PGRST_OP_SR:
    case PGRST_OP_NXR:
    case PGRST_OP_NXL:
    case PGRST_OP_ADJ:
        /* Range operators; the operand is read as a range of the column's type. */
        if (!pgrange_is_range(type))
            return no_operator(type, f->op, err);
        break;
    case PGRST_OP_CS:
    case PGRST_OP_CD:
    case PGRST_OP_OV:
        /* ltree's @> / <@ (ancestor, descendant); it has no && */
        if (!type->is_array && !(type->kind == PGTYPE_JSONB && f->op != PGRST_OP_OV) &&
            !(type->kind == PGTYPE_LTREE && f->op != PGRST_OP_OV) && !pgrange_is_range(type))
            return no_operator(type, f->op, err);
        break;
    default:
        if (type->kind == PGTYPE_JSON && !type->is_array)
            return no_operator(type, f->op, err); /* json has no comparison operators */
        break;
    }
    size_t n = listed ? list_len : 1;
    c->operand_count = n;
    c->operands = arena_calloc(arena, n ? n : 1, sizeof *c->operands);
    for (size_t i = 0; i < n; i++)
        pgvalue_init_null(&c->operands[i]);
    /* Plan.hs resolveQueryInputField: a column whose domain has a text
     * representation reads each operand through it (SqlFragment.hs
     * pgFmtUnknownLiteralForField, pgFmtArrayLiteralForField for in.()). */
    const mem_func_t *from_text =
        c->src.path_len
            ? NULL
            : mem_datarep_find(plan->datarep, plan->table, c->src.col, MEM_DATAREP_FROM_TEXT);
    /* op(any) hands the whole array literal to the function, f('{a,b}'),
     * whose result is no array. */
    if (from_text && f->quant != PGRST_QUANT_NONE)
        return pgrst_error_setf(err, "42809", "op ANY/ALL (array) requires array on right side");
    /* in.() hands the function text (unnest(...::text[])), which it takes
     * exactly; a single operand is of unknown type, which typename(...) may
     * read as a coercion instead. */
    if (from_text && f->op != PGRST_OP_IN &&
        mem_datarep_unknown_is_coercion(plan->datarep, plan->table, c->src.col,
                                        MEM_DATAREP_FROM_TEXT))
        from_text = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *v = listed ? list[i] : f->value;
        if (from_text) {
            pgvalue_t text;
            pgvalue_init_null(&text);
            text.is_null = false;
            text.s = xstrdup(v ? v : "");
            pgtype_t rtype;
            int rc = mem_datarep_apply(from_text, &text, plan->call, &c->operands[i], &rtype, err);
            pgvalue_dispose(&text);
            if (rc < 0)
                return -1;
            continue;
        }
        if (parse_operand(type, v ? v : "", &c->operands[i], err) < 0)
            return -1;
    }
    return 0;
}

static int compile_logic(rest_cond_t *c, arena_t *arena, const rest_plan_t *t,
                         const pgrst_logic_t *l, int depth, pgrst_error_t *err)
{
    memset(c, 0, sizeof *c);
    if (l->kind == PGRST_LOGIC_FILTER)
        return compile_filter(c, arena, t, &l->filter, err);
    if (l->relation_len) {
        pgrst_error_setf(err, "PGRST108", "'%s' is not an embedded resource in this request",
                         l->relation[0]);
        pgrst_error_hintf(err, "Verify that '%s' is included in the 'select' query parameter.",
                          l->relation[0]);
        return -1;
    }
    MOCK_ASSERT(depth < 1000);
    c->kind = l->kind;
    c->negated = l->negated;
    c->child_count = l->child_count;
    c->children = arena_calloc(arena, l->child_count ? l->child_count : 1, sizeof *c->children);
    for (size_t i = 0; i < l->child_count; i++)
        if (compile_logic(&c->children[i], arena, t, &l->children[i], depth + 1, err) < 0)
            return -1;
    return 0;
}

int rest_plan_where(rest_plan_t *plan, arena_t *arena, const store_table_t *t,
                    const pgrst_logic_t *where, size_t where_count, pgrst_error_t *err)
{
    plan->table = t;
    plan->index_col = -1;
    plan->where_count = where_count;
    plan->where = arena_calloc(arena, where_count ? where_count : 1, sizeof *plan->where);
    for (size_t i = 0; i < where_count; i++) {
        if (compile_logic(&plan->where[i], arena, plan, &where[i], 0, err) < 0)
            return -1;
        const rest_cond_t *c = &plan->where[i];
        if (plan->index_col < 0 && c->kind == PGRST_LOGIC_FILTER && !c->negated &&
            c->op == PGRST_OP_EQ && c->quant == PGRST_QUANT_NONE && !c->src.path_len &&
            !c->src.computed && store_column_is_indexed(t, c->src.col)) {
            plan->index_col = (int)c->src.col;
            plan->index_value = &c->operands[0];
        }
    }
    return 0;
}

static void cond_dispose(rest_cond_t *c)
{
    for (size_t i = 0; c->operands && i < c->operand_count; i++)
        pgvalue_dispose(&c->operands[i]);
    for (size_t i = 0; i < c->pattern_count; i++) {
        if (c->likes)
            pg_like_free(c->likes[i]);
        if (c->regexes)
            pg_regex_free(c->regexes[i]);
    }
    rest_fts_free(c->fts);
    c->fts = NULL;
    for (size_t i = 0; c->children && i < c->child_count; i++)
        cond_dispose(&c->children[i]);
}

void rest_plan_dispose(rest_plan_t *plan)
{
    for (size_t i = 0; plan->where && i < plan->where_count; i++)
        cond_dispose(&plan->where[i]);
    memset(plan, 0, sizeof *plan);
}

/* ---- evaluation ---- */

static bool array_contains(const pgtype_t *t, const pgvalue_t *hay, const pgvalue_t *needle)
{
    pgtype_t elem = *t;
    elem.is_array = false;
    for (size_t i = 0; i < needle->nelems; i++) {
        const pgvalue_t *n = &needle->elems[i];
        bool found = false;
        for (size_t k = 0; k < hay->nelems && !found; k++)
            found = !n->is_null && !hay->elems[k].is_null &&
                    pgvalue_compare(&elem, &hay->elems[k], n) == 0;
        if (!found)
            return false;
    }
    return true;
}

static bool array_overlaps(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    pgtype_t elem = *t;
    elem.is_array = false;
    for (size_t i = 0; i < a->nelems; i++)
        for (size_t k = 0; k < b->nelems; k++)
            if (!a->elems[i].is_null && !b->elems[k].is_null &&
                pgvalue_compare(&elem, &a->elems[i], &b->elems[k]) == 0)
                return true;
    return false;
}

/* jsonb @> as Postgres defines containment: objects contain the pairs,
 * arrays contain the elements, scalars are equal. */
static bool json_contains(const cJSON *a, const cJSON *b)
{
    if (cJSON_IsObject(b)) {
        if (!cJSON_IsObject(a))
            return false;
        const cJSON *item;
        cJSON_ArrayForEach(item, b)
        {
            if (!json_contains(cJSON_GetObjectItemCaseSensitive(a, item->string), item))
                return false;
        }
        return true;
    }
    if (cJSON_IsArray(b)) {
        if (!cJSON_IsArray(a))
            return false;
        const cJSON *want;
        cJSON_ArrayForEach(want, b)
        {
            bool found = false;
            const cJSON *have;
            cJSON_ArrayForEach(have, a)
            {
                if (json_contains(have, want)) {
                    found = true;
                    break;
                }
            }
            if (!found)
                return false;
        }
        return true;
    }
    if (!a)
        return false;
    if (cJSON_IsArray(a)) {
        const cJSON *have;
        cJSON_ArrayForEach(have, a)
        {
            if (cJSON_Compare(have, b, true))
                return true;
        }
        return false;
    }
    return cJSON_Compare(a, b, true);
}

static bool jsonb_contains(const pgvalue_t *a, const pgvalue_t *b)
{
    cJSON *ja = cJSON_Parse(a->s), *jb = cJSON_Parse(b->s);
    bool r = ja && jb && json_contains(ja, jb);
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    return r;
}

static tv_t compare_op(pgrst_op_t op, int cmp)
{
    switch (op) {
    case PGRST_OP_EQ:
        return cmp == 0 ? TV_TRUE : TV_FALSE;
    case PGRST_OP_NEQ:
        return cmp != 0 ? TV_TRUE : TV_FALSE;
    case PGRST_OP_GT:
        return cmp > 0 ? TV_TRUE : TV_FALSE;
    case PGRST_OP_GTE:
        return cmp >= 0 ? TV_TRUE : TV_FALSE;
    case PGRST_OP_LT:
        return cmp < 0 ? TV_TRUE : TV_FALSE;
    case PGRST_OP_LTE:
        return cmp <= 0 ? TV_TRUE : TV_FALSE;
    default:
        return TV_FALSE;
    }
}

/* sl, sr, nxr, nxl, adj: <<, >>, &<, &>, -|- of two ranges. */
static bool range_op(pgrst_op_t op, const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b)
{
    switch (op) {
    case PGRST_OP_SL:
        return pgrange_before(t, a, b);
    case PGRST_OP_SR:
        return pgrange_after(t, a, b);
    case PGRST_OP_NXR:
        return pgrange_overleft(t, a, b);
    case PGRST_OP_NXL:
        return pgrange_overright(t, a, b);
    default:
        return pgrange_adjacent(t, a, b);
    }
}

/* One operand (index i) against a non-null value. */
static tv_t eval_one(const rest_cond_t *c, const pgvalue_t *v, size_t i, mock_work_t *w)
{
    const pgtype_t *t = &c->src.type;
    switch (c->op) {
    case PGRST_OP_LIKE:
    case PGRST_OP_ILIKE:
        /* -1 (the work stopped) reads as no match; the caller sees the work
         * stopped and answers with its error instead of these rows. */
        return pg_like_match(c->likes[i], v->s, strlen(v->s), w) == 1 ? TV_TRUE : TV_FALSE;
    case PGRST_OP_MATCH:
    case PGRST_OP_IMATCH:
        return pg_regex_match(c->regexes[i], v->s, strlen(v->s), w) == 1 ? TV_TRUE : TV_FALSE;
    case PGRST_OP_SL:
    case PGRST_OP_SR:
    case PGRST_OP_NXR:
    case PGRST_OP_NXL:
    case PGRST_OP_ADJ:
        if (c->operands[i].is_null)
            return TV_NULL;
        return range_op(c->op, t, v, &c->operands[i]) ? TV_TRUE : TV_FALSE;
    case PGRST_OP_CS:
        if (c->operands[i].is_null)
            return TV_NULL;
        if (pgrange_is_range(t))
            return pgrange_contains(t, v, &c->operands[i]) ? TV_TRUE : TV_FALSE;
        if (t->kind == PGTYPE_LTREE && !t->is_array)
            return pgltree_is_ancestor(v->s, c->operands[i].s) ? TV_TRUE : TV_FALSE;
        return (t->is_array ? array_contains(t, v, &c->operands[i])
                            : jsonb_contains(v, &c->operands[i]))
                   ? TV_TRUE
                   : TV_FALSE;
    case PGRST_OP_CD:
        if (c->operands[i].is_null)
            return TV_NULL;
        if (pgrange_is_range(t))
            return pgrange_contains(t, &c->operands[i], v) ? TV_TRUE : TV_FALSE;
        if (t->kind == PGTYPE_LTREE && !t->is_array)
            return pgltree_is_ancestor(c->operands[i].s, v->s) ? TV_TRUE : TV_FALSE;
        return (t->is_array ? array_contains(t, &c->operands[i], v)
                            : jsonb_contains(&c->operands[i], v))
                   ? TV_TRUE
                   : TV_FALSE;
    case PGRST_OP_OV:
        if (c->operands[i].is_null)
            return TV_NULL;
        if (pgrange_is_range(t))
            return pgrange_overlaps(t, v, &c->operands[i]) ? TV_TRUE : TV_FALSE;
        return array_overlaps(t, v, &c->operands[i]) ? TV_TRUE : TV_FALSE;
    default:
        if (c->operands[i].is_null)
            return TV_NULL;
        return compare_op(c->op == PGRST_OP_IN ? PGRST_OP_EQ : c->op,
                          pgvalue_compare(t, v, &c->operands[i]));
    }
}

static tv_t tv_not(tv_t v)
{
    return v == TV_NULL ? TV_NULL : v == TV_TRUE ? TV_FALSE : TV_TRUE;
}

static tv_t eval_filter(const rest_plan_t *plan, const rest_cond_t *c, const store_row_t *row,
                        mock_work_t *w)
{
    if (c->embed) {
        /* IS [NOT] DISTINCT FROM NULL on the embed's row: never NULL itself. */
        bool is_null = plan->embeds->is_null(plan->embeds->ctx, c->embed - 1, row);
        return is_null != c->negated ? TV_TRUE : TV_FALSE;
    }
    pgvalue_t tmp;
    const pgvalue_t *v = source_value(&c->src, row, &tmp);
    tv_t r;
    if (c->op == PGRST_OP_IS) {
        switch (c->is_value) {
        case PGRST_IS_NULL:
            r = v->is_null ? TV_TRUE : TV_FALSE;
            break;
        case PGRST_IS_NOT_NULL:
            r = v->is_null ? TV_FALSE : TV_TRUE;
            break;
        case PGRST_IS_TRUE:
            r = !v->is_null && v->i ? TV_TRUE : TV_FALSE;
            break;
        case PGRST_IS_FALSE:
            r = !v->is_null && !v->i ? TV_TRUE : TV_FALSE;
            break;
        default:
            r = v->is_null ? TV_TRUE : TV_FALSE;
            break;
        }
    } else if (c->op == PGRST_OP_ISDISTINCT) {
        const pgvalue_t *o = &c->operands[0];
        if (v->is_null || o->is_null)
            r = v->is_null != o->is_null ? TV_TRUE : TV_FALSE;
        else
            r = pgvalue_compare(&c->src.type, v, o) != 0 ? TV_TRUE : TV_FALSE;
    } else if (v->is_null && !(c->listed && c->operand_count + c->pattern_count == 0)) {
        r = TV_NULL;
    } else if (c->fts) {
        r = rest_fts_match(c->fts, v, w) ? TV_TRUE : TV_FALSE;
    } else {
        size_t n = c->operand_count ? c->operand_count : c->pattern_count;
        bool any = c->op == PGRST_OP_IN || c->quant != PGRST_QUANT_ALL;
        /* Over an empty array ANY is false and ALL true, a NULL left side
         * included (Postgres's array comparison looks at no element). */
        if (c->op != PGRST_OP_IN && c->quant == PGRST_QUANT_NONE) {
            r = eval_one(c, v, 0, w);
        } else {
            /* = ANY / op ALL over the list, with SQL's NULL rules. */
            r = any ? TV_FALSE : TV_TRUE;
            for (size_t i = 0; i < n; i++) {
                tv_t e = eval_one(c, v, i, w);
                if (any && e == TV_TRUE) {
                    r = TV_TRUE;
                    break;
                }
                if (!any && e == TV_FALSE) {
                    r = TV_FALSE;
                    break;
                }
                if (e == TV_NULL)
                    r = TV_NULL;
            }
        }
    }
    if (v == &tmp)
        pgvalue_dispose(&tmp);
    return c->negated ? tv_not(r) : r;
}

static tv_t eval_cond(const rest_plan_t *plan, const rest_cond_t *c, const store_row_t *row,
                      mock_work_t *w)
{
    if (c->kind == PGRST_LOGIC_FILTER)
        return eval_filter(plan, c, row, w);
    bool is_and = c->kind == PGRST_LOGIC_AND;
    tv_t r = is_and ? TV_TRUE : TV_FALSE;
    for (size_t i = 0; i < c->child_count; i++) {
        tv_t e = eval_cond(plan, &c->children[i], row, w);
        if (is_and && e == TV_FALSE) {
            r = TV_FALSE;
            break;
        }
        if (!is_and && e == TV_TRUE) {
            r = TV_TRUE;
            break;
        }
        if (e == TV_NULL)
            r = TV_NULL;
    }
    return c->negated ? tv_not(r) : r;
}

bool rest_plan_matches(const rest_plan_t *plan, const store_row_t *row)
{
    for (size_t i = 0; i < plan->where_count; i++)
        if (eval_cond(plan, &plan->where[i], row, plan->work) != TV_TRUE)
            return false;
    /* INNER JOIN LATERAL ... ON TRUE / ON embed IS NOT NULL */
    for (size_t i = 0; plan->embeds && i < plan->embeds->inner_count; i++)
        if (plan->embeds->is_null(plan->embeds->ctx, plan->embeds->inner[i], row))
            return false;
    return true;
}

size_t rest_plan_collect(const rest_plan_t *plan, arena_t *arena, store_row_t ***rows)
{
    if (plan->index_col >= 0) {
        store_row_t *r =
            plan->index_value->is_null
                ? NULL
                : store_index_lookup(plan->table, (size_t)plan->index_col, plan->index_value);
        *rows = arena_alloc(arena, sizeof **rows);
        if (r && rest_plan_matches(plan, r)) {
            (*rows)[0] = r;
            return 1;
        }
        return 0;
    }
    size_t cap = store_table_row_count(plan->table);
    *rows = arena_alloc(arena, (cap ? cap : 1) * sizeof **rows);
    size_t n = 0;
    for (store_row_t *r = store_table_first(plan->table); r; r = store_row_next(r)) {
        /* A row visited costs about what four matcher steps cost. */
        if (!mock_work_charge(plan->work, 4))
            break;
        if (rest_plan_matches(plan, r))
            (*rows)[n++] = r;
    }
    if (mock_work_stopped(plan->work))
        return 0; /* the caller answers rest_plan_work_error */
    return n;
}

/* ---- order ---- */

int rest_plan_order(rest_plan_t *plan, arena_t *arena, const pgrst_order_term_t *terms, size_t n,
                    pgrst_error_t *err)
{
    plan->order_count = n;
    plan->order = arena_calloc(arena, n ? n : 1, sizeof *plan->order);
    for (size_t i = 0; i < n; i++) {
        rest_order_t *o = &plan->order[i];
        const char *rel = terms[i].related              ? terms[i].related
                          : terms[i].field.relation_len ? terms[i].field.relation[0]
                                                        : NULL;
        if (terms[i].related && plan->embeds && plan->embeds->resolve_related) {
            size_t embed = 0, out = 0;
            if (plan->embeds->resolve_related(plan->embeds->ctx, terms[i].related, &terms[i].field,
                                              &embed, &out, &o->src.type, err) < 0)
                return -1;
            o->embed = embed + 1;
            o->embed_out = out;
            /* order=rel(col->key): "<agg alias>"."col"->'key' (pgFmtOrderTerm
             * formats the relation term as a field with its JSON path). */
            const pgrst_field_t *f = &terms[i].field;
            if (f->path_len) {
                const pgtype_t *ct = &o->src.type;
                if ((ct->kind != PGTYPE_JSON && ct->kind != PGTYPE_JSONB) || ct->is_array) {
                    char scratch[96];
                    pgrst_error_setf(err, "42883", "operator does not exist: %s %s unknown",
                                     pgtype_name(ct, scratch, sizeof scratch),
                                     f->path[0].as_text ? "->>" : "->");
                    pgrst_error_hintf(err, "No operator matches the given name and argument "
                                           "types. You might need to add explicit type casts.");
                    return -1;
                }
                o->src.path = f->path;
                o->src.path_len = f->path_len;
                o->src.type = f->path[f->path_len - 1].as_text ? text_type : jsonb_type;
            }
        } else if (rel) {
            /* An order on a path is placed on that embed before compiling. */
            pgrst_error_setf(err, "PGRST108", "'%s' is not an embedded resource in this request",
                             rel);
            pgrst_error_hintf(err, "Verify that '%s' is included in the 'select' query parameter.",
                              rel);
            return -1;
        } else if (resolve_source(plan, &terms[i].field, &o->src, err) < 0) {
            return -1;
        }
        if (o->src.type.kind == PGTYPE_JSON && !o->src.type.is_array) {
            pgrst_error_setf(err, "42883", "could not identify an ordering operator for type json");
            pgrst_error_hintf(err, "Use an explicit ordering operator or modify the query.");
            return -1;
        }
        o->desc = terms[i].dir == PGRST_ORDER_DESC;
        /* Postgres: NULLS LAST for ASC, NULLS FIRST for DESC by default. */
        o->nulls_first =
            terms[i].nulls == PGRST_NULLS_DEFAULT ? o->desc : terms[i].nulls == PGRST_NULLS_FIRST;
    }
    return 0;
}

/* Orders two rows by the plan's terms (0 when equal on every term). */
static int compare_rows(const rest_plan_t *plan, const store_row_t *a, const store_row_t *b)
{
    for (size_t i = 0; i < plan->order_count; i++) {
        const rest_order_t *o = &plan->order[i];
        pgvalue_t ta, tb;
        const pgvalue_t *va, *vb;
        if (o->embed) {
            pgvalue_init_null(&ta);
            pgvalue_init_null(&tb);
            va = plan->embeds->related_value(plan->embeds->ctx, o->embed - 1, o->embed_out, a, &ta);
            vb = plan->embeds->related_value(plan->embeds->ctx, o->embed - 1, o->embed_out, b, &tb);
            if (o->src.path_len) {
                pgvalue_t pa, pb;
                path_value(&o->src, va, &pa);
                path_value(&o->src, vb, &pb);
                pgvalue_dispose(&ta);
                pgvalue_dispose(&tb);
                ta = pa, tb = pb;
                va = &ta, vb = &tb;
            }
        } else {
            va = source_value(&o->src, a, &ta);
            vb = source_value(&o->src, b, &tb);
        }
        /* jsonb compares in its btree order, parsing both values: a step
         * per 64 bytes of them, so a sort of large documents stops with the
         * statement's work (and compares nothing more once it has). */
        bool stopped = o->src.type.kind == PGTYPE_JSONB && !o->src.type.is_array && !va->is_null &&
                       !vb->is_null && strcmp(va->s, vb->s) != 0 &&
                       !mock_work_charge(plan->work, (strlen(va->s) + strlen(vb->s)) / 64);
        int cmp;
        if (stopped)
            cmp = 0;
        else if (va->is_null || vb->is_null)
            cmp = va->is_null == vb->is_null ? 0 : (va->is_null == o->nulls_first ? -1 : 1);
        else
            cmp = o->desc ? -pgvalue_compare(&o->src.type, va, vb)
                          : pgvalue_compare(&o->src.type, va, vb);
        if (va == &ta)
            pgvalue_dispose(&ta);
        if (vb == &tb)
            pgvalue_dispose(&tb);
        if (cmp)
            return cmp;
    }
    return 0;
}

/* Bottom-up merge sort: stable (ties keep heap order, as a Postgres sort of a
 * sequential scan does in practice) and takes the plan as context. */
void rest_plan_sort(const rest_plan_t *plan, store_row_t **rows, size_t n)
{
    if (!plan->order_count || n < 2)
        return;
    /* A merge sort makes at most n * ceil(log2 n) comparisons, a step each. */
    uint64_t passes = 0;
    for (size_t width = 1; width < n; width *= 2)
        passes++;
    if (!mock_work_charge(plan->work, (uint64_t)n * passes * plan->order_count))
        return;
    store_row_t **tmp = xmalloc(n * sizeof *tmp);
    store_row_t **src = rows, **dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = compare_rows(plan, src[j], src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        store_row_t **swap = src;
        src = dst;
        dst = swap;
    }
    if (src != rows)
        memcpy(rows, src, n * sizeof *rows);
    free(tmp);
}

/* ---- select ---- */

static const char *default_key(const pgrst_field_t *f)
{
    /* PostgREST names a JSON-path column after its last key (Plan.hs,
     * lastJsonKey): when the path ends in an index, the last key before
     * it, or the column itself (select=data->1->k->>2 is "k", data->3 is
     * "data"). */
    for (size_t i = f->path_len; i > 0; i--)
        if (!f->path[i - 1].is_index)
            return f->path[i - 1].key;
    return f->name;
}

/* Whether a foreign key links tables a and b in either direction. */
static bool related(const store_table_t *a, const store_table_t *b)
{
    for (int pass = 0; pass < 2; pass++) {
        const store_table_t *from = pass ? b : a, *to = pass ? a : b;
        for (size_t i = 0; i < store_table_column_count(from); i++) {
            const store_column_t *col = store_table_column(from, i);
            if (col->ref_table && strcmp(col->ref_table, store_table_name(to)) == 0 &&
                strcmp(col->ref_schema, store_table_schema(to)) == 0)
                return true;
        }
    }
    return false;
}

/* An embedding: PGRST200 when no foreign key relates the tables (what
 * PostgREST answers too); resource embedding itself is not modelled yet. */
static int embed_error(const store_t *store, const store_table_t *t, const char *name,
                       pgrst_error_t *err)
{
    const store_table_t *other = store_find_table(store, store_table_schema(t), name);
    if (other && store_table_in_schema_cache(other) && related(t, other)) {
        pgrst_error_setf(err, "PGRST127", "Feature not implemented");
        pgrst_error_detailsf(err, "supamock does not model resource embedding yet");
        return -1;
    }
    pgrst_error_setf(err, "PGRST200",
                     "Could not find a relationship between '%s' and '%s' in the schema cache",
                     store_table_name(t), name);
    pgrst_error_detailsf(err,
                         "Searched for a foreign key relationship between '%s' and '%s' in the "
                         "schema '%s', but no matches were found.",
                         store_table_name(t), name, store_table_schema(t));
    return -1;
}

/* ::type in a select item: a built-in type or one of the scenario's enums. */
static int parse_cast(const store_t *store, const char *name, pgtype_t *out)
{
    char base[128];
    snprintf(base, sizeof base, "%s", name);
    char *bracket = strchr(base, '[');
    if (bracket)
        *bracket = '\0';
    const pgtype_enum_t *e = store_find_enum(store, base);
    char *msg = NULL;
    int rc = pgtype_parse(name, e ? &e : NULL, e ? 1 : 0, out, &msg);
    free(msg);
    return rc;
}

/* Postgres's result type of the aggregate over `in` (pg_aggregate): count
 * is bigint; sum of smallint/integer bigint, of bigint and numeric numeric,
 * of real real, of double precision double precision; avg of the integers
 * and numeric numeric, of the floats double precision; min and max keep the
 * type. -1 when fn(in) does not exist. */
static int aggregate_type(const char *fn, const pgtype_t *in, pgtype_t *out)
{
    static const pgtype_t int8_type = {.kind = PGTYPE_INT8, .length = -1};
    static const pgtype_t numeric_type = {.kind = PGTYPE_NUMERIC, .length = -1};
    static const pgtype_t float4_type = {.kind = PGTYPE_FLOAT4, .length = -1};
    static const pgtype_t float8_type = {.kind = PGTYPE_FLOAT8, .length = -1};
    if (strcmp(fn, "count") == 0) {
        *out = int8_type;
        return 0;
    }
    if (strcmp(fn, "min") == 0 || strcmp(fn, "max") == 0) {
        /* json has no ordering (and so neither min nor max) */
        if (in->kind == PGTYPE_JSON)
            return -1;
        *out = *in;
        out->serial = false;
        return 0;
    }
    if (in->is_array)
        return -1;
    bool avg = strcmp(fn, "avg") == 0;
    switch (in->kind) {
    case PGTYPE_INT2:
    case PGTYPE_INT4:
        *out = avg ? numeric_type : int8_type;
        return 0;
    case PGTYPE_INT8:
    case PGTYPE_NUMERIC:
        *out = numeric_type;
        return 0;
    case PGTYPE_FLOAT4:
        *out = avg ? float8_type : float4_type;
        return 0;
    case PGTYPE_FLOAT8:
        *out = float8_type;
        return 0;
    default:
        return -1;
    }
}

/* An aggregate select item: fn(field::cast)::aggregate_cast AS alias
 * (QueryBuilder's pgFmtSelectItem with an aggregate; the key without an
 * alias is the function's name). */
static int compile_aggregate(rest_plan_t *plan, const store_t *store, const pgrst_select_item_t *it,
                             rest_out_t *o, pgrst_error_t *err)
{
    static const pgtype_t int8_type = {.kind = PGTYPE_INT8, .length = -1};
    o->is_agg = true;
    o->agg.fn = it->aggregate;
    o->key = it->alias ? it->alias : it->aggregate;
    if (strcmp(it->field.name, "*") == 0) { /* count() */
        o->agg.star = true;
        o->agg.in_type = int8_type;
        o->src.type = int8_type;
        o->src.star = true;
    } else {
        if (resolve_source(plan, &it->field, &o->src, err) < 0)
            return -1;
        o->agg.in_type = o->src.type;
        if (it->cast) {
            if (parse_cast(store, it->cast, &o->cast_type) < 0)
                return pgrst_error_setf(err, "42704", "type \"%s\" does not exist", it->cast);
            o->cast = true;
            o->agg.in_type = o->cast_type;
        }
    }
    if (aggregate_type(o->agg.fn, &o->agg.in_type, &o->agg.result_type) < 0) {
        char scratch[96];
        pgrst_error_setf(err, "42883", "function %s(%s) does not exist", o->agg.fn,
                         pgtype_name(&o->agg.in_type, scratch, sizeof scratch));
        pgrst_error_hintf(err, "No function matches the given name and argument types. You "
                               "might need to add explicit type casts.");
        return -1;
    }
    if (it->aggregate_cast) {
        if (parse_cast(store, it->aggregate_cast, &o->agg.cast_type) < 0)
            return pgrst_error_setf(err, "42704", "type \"%s\" does not exist", it->aggregate_cast);
        o->agg.cast = true;
    }
    return 0;
}

/* Plan.hs resolveOutputField: a column whose domain has a json
 * representation is selected through it (expandStarsForTable expands `*`
 * for such tables so each column gets it). Not for a JSON path, which
 * PostgREST reads from to_jsonb(col). */
static void output_format(const rest_plan_t *plan, rest_out_t *o)
{
    o->to_json = mem_datarep_find(plan->datarep, plan->table, o->src.col, MEM_DATAREP_TO_JSON);
    if (o->to_json)
        o->rep_type = o->to_json->ret_type;
}

/* Applies an output's representation to v (into *tmp). NULL with err when
 * its function fails. */
static const pgvalue_t *represent(const rest_plan_t *plan, const rest_out_t *o, const pgvalue_t *v,
                                  pgvalue_t *tmp, pgrst_error_t *err)
{
    pgtype_t type;
    pgvalue_t out;
    if (mem_datarep_apply(o->to_json, v, plan->call, &out, &type, err) < 0)
        return NULL;
    pgvalue_dispose(tmp);
    *tmp = out;
    return tmp;
}

/* select=count: a field named count, no JSON path, on a table without
 * such a column. */
static bool is_count_column(const store_table_t *t, const pgrst_select_item_t *it)
{
    return strcmp(it->field.name, "count") == 0 && it->field.path_len == 0 &&
           store_table_find_column(t, "count") < 0;
}

const rest_agg_spec_t *rest_plan_out_agg(const rest_plan_t *plan, size_t i)
{
    return plan->out[i].is_agg ? &plan->out[i].agg : NULL;
}

int rest_plan_select(rest_plan_t *plan, arena_t *arena, const store_t *store,
                     const pgrst_select_item_t *items, size_t n, pgrst_error_t *err)
{
    const store_table_t *t = plan->table;
    size_t ncols = store_table_column_count(t);
    if (n == 0) {
        /* An empty select list (select=, rel()) reads every column
         * (QueryBuilder's defSelect). */
        static const pgrst_select_item_t star = {.star = true, .field = {.name = "*"}};
        items = &star;
        n = 1;
    }
    size_t total = 0, count_columns = 0, aggregates = 0;
    for (size_t i = 0; i < n; i++) {
        total += items[i].star ? ncols : 1;
        aggregates += items[i].is_aggregate;
    }
    plan->out = arena_calloc(arena, total ? total : 1, sizeof *plan->out);
    plan->out_count = 0;
    for (size_t i = 0; i < n; i++) {
        const pgrst_select_item_t *it = &items[i];
        if (it->is_aggregate) {
            if (!plan->aggregates_enabled) {
                pgrst_error_setf(err, "PGRST123", "Use of aggregate functions is not allowed");
                return -1;
            }
            if (compile_aggregate(plan, store, it, &plan->out[plan->out_count++], err) < 0)
                return -1;
            plan->has_aggregates = true;
            continue;
        }
        if (it->is_embed) {
            if (!plan->embeds)
                return embed_error(store, t, it->embed_name ? it->embed_name : it->field.name, err);
            continue; /* planned by rest_embed.c */
        }
        if (it->star) {
            for (size_t c = 0; c < ncols; c++) {
                rest_out_t *o = &plan->out[plan->out_count++];
                o->key = store_table_column(t, c)->name;
                o->src.col = c;
                o->src.type = store_table_column(t, c)->type;
                output_format(plan, o);
            }
            continue;
        }
        if (is_count_column(t, it)) {
            /* PostgREST writes the field as "tbl"."count"; without such a
             * column Postgres reads it in functional notation, count(tbl):
             * the aggregate over whole rows, which no row is NULL for (the
             * spec's "performing a count by using it as a column"). Not an
             * aggregate item to PostgREST, so db-aggregates-enabled does not
             * gate it; a cast applies to the count. */
            pgrst_select_item_t agg = {.alias = it->alias,
                                       .field = {.name = "*"},
                                       .is_aggregate = true,
                                       .aggregate = "count",
                                       .aggregate_cast = it->cast};
            if (compile_aggregate(plan, store, &agg, &plan->out[plan->out_count++], err) < 0)
                return -1;
            plan->has_aggregates = true;
            count_columns++;
            continue;
        }
        rest_out_t *o = &plan->out[plan->out_count++];
        if (resolve_source(plan, &it->field, &o->src, err) < 0)
            return -1;
        o->key = it->alias ? it->alias : default_key(&it->field);
        if (!o->src.path_len)
            output_format(plan, o);
        if (it->cast) {
            if (parse_cast(store, it->cast, &o->cast_type) < 0)
                return pgrst_error_setf(err, "42704", "type \"%s\" does not exist", it->cast);
            o->cast = true;
        }
    }
    if (count_columns > 0 && aggregates == 0) {
        /* PostgREST groups only by the fields beside aggregate items, and a
         * count column is none: any other column is ungrouped. */
        for (size_t i = 0; i < plan->out_count; i++)
            if (!plan->out[i].is_agg && !plan->out[i].src.star && plan->out[i].src.col < ncols)
                return pgrst_error_setf(err, "42803",
                                        "column \"%s.%s\" must appear in the GROUP BY clause or "
                                        "be used in an aggregate function",
                                        plan->alias ? plan->alias : store_table_name(t),
                                        store_table_column(t, plan->out[i].src.col)->name);
    }
    return 0;
}

/* The text a cast starts from. Most casts are I/O conversions (the source's
 * output function), but pg_cast gives two of the string casts a function
 * of their own: boolean to text, varchar or char is text(boolean)
 * (booltext: 'true'/'false', where boolout says 't'/'f'), and char(n) to
 * text or varchar is text(bpchar) (rtrim1: the padding goes). */
static void cast_source_text(const pgtype_t *from, const pgtype_t *to, const pgvalue_t *v,
                             buf_t *out)
{
    if (!from->is_array && !to->is_array && pgtype_kind_is_string(to->kind)) {
        if (from->kind == PGTYPE_BOOL) {
            buf_puts(out, v->i ? "true" : "false");
            return;
        }
        if (from->kind == PGTYPE_CHAR && to->kind != PGTYPE_CHAR) {
            size_t n = v->s ? strlen(v->s) : 0;
            while (n > 0 && v->s[n - 1] == ' ')
                n--;
            buf_append(out, v->s ? v->s : "", n);
            return;
        }
    }
    pgvalue_render_text(from, v, out);
}

int rest_plan_project(const rest_plan_t *plan, arena_t *arena, const store_row_t *row,
                      render_cell_t **cells, rest_scratch_t *scratch, pgrst_error_t *err)
{
    size_t n = plan->out_count ? plan->out_count : 1;
    if (!scratch->values) {
        scratch->values = arena_alloc(arena, n * sizeof *scratch->values);
        scratch->cells = arena_alloc(arena, n * sizeof *scratch->cells);
    }
    *cells = scratch->cells;
    scratch->count = plan->out_count;
    for (size_t i = 0; i < plan->out_count; i++)
        pgvalue_init_null(&scratch->values[i]);
    for (size_t i = 0; i < plan->out_count; i++) {
        const rest_out_t *o = &plan->out[i];
        const pgvalue_t *v = source_value(&o->src, row, &scratch->values[i]);
        const pgtype_t *from = &o->src.type;
        if (o->to_json) {
            v = represent(plan, o, v, &scratch->values[i], err);
            if (!v)
                return -1;
            from = &o->rep_type;
        }
        const pgtype_t *type = o->cast ? &o->cast_type : from;
        if (o->cast && !v->is_null) {
            /* A cast through the text form, as Postgres's I/O conversion casts
             * do; the input function's error is the query's error. */
            buf_t text;
            buf_init(&text);
            cast_source_text(from, &o->cast_type, v, &text);
            pgvalue_t cast;
            int rc = pgvalue_from_text(&o->cast_type, buf_cstr(&text), text.len, &cast, err);
            buf_dispose(&text);
            if (rc < 0)
                return -1;
            pgvalue_dispose(&scratch->values[i]);
            scratch->values[i] = cast;
            v = &scratch->values[i];
        }
        (*cells)[i] = (render_cell_t){.key = o->key, .type = type, .value = v};
    }
    return (int)plan->out_count;
}

void rest_plan_scratch_dispose(rest_scratch_t *scratch)
{
    for (size_t i = 0; i < scratch->count; i++)
        pgvalue_dispose(&scratch->values[i]);
    scratch->count = 0; /* the arrays stay for the next row */
}

const char *rest_plan_out_key(const rest_plan_t *plan, size_t i)
{
    return plan->out[i].key;
}

const pgtype_t *rest_plan_out_type(const rest_plan_t *plan, size_t i)
{
    const rest_out_t *o = &plan->out[i];
    if (o->is_agg)
        return o->agg.cast ? &o->agg.cast_type : &o->agg.result_type;
    return o->cast ? &o->cast_type : o->to_json ? &o->rep_type : &o->src.type;
}

const pgvalue_t *rest_plan_out_value(const rest_plan_t *plan, size_t i, const store_row_t *row,
                                     pgvalue_t *tmp)
{
    const rest_out_t *o = &plan->out[i];
    const pgvalue_t *v = source_value(&o->src, row, tmp);
    if (!o->to_json)
        return v;
    /* In its representation, as rest_plan_out_type says; a function that
     * fails here leaves NULL (projecting the row raises its error). */
    pgvalue_t copy;
    pgvalue_copy(&copy, v);
    pgrst_error_t err;
    pgrst_error_init(&err);
    const pgvalue_t *r = represent(plan, o, &copy, tmp, &err);
    pgvalue_dispose(&copy);
    pgrst_error_dispose(&err);
    if (!r) {
        pgvalue_dispose(tmp);
        pgvalue_init_null(tmp);
        return tmp;
    }
    return r;
}

int rest_plan_work_error(const rest_plan_t *plan, pgrst_error_t *err)
{
    const mock_work_t *w = plan->work;
    if (!mock_work_stopped(w))
        return 0;
    if (w->fail_code)
        return pgrst_error_setf(err, w->fail_code, "%s", w->fail_message);
    return pgrst_error_setf(err, "57014", "canceling statement due to statement timeout");
}
