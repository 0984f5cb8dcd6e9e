/* The part of the expression language only statements use (sql_exec.c
 * turns parser.sql on; policies and CHECK constraints keep their subset):
 * arithmetic and ||, LIKE/ILIKE, NULLIF, IS DISTINCT FROM, BETWEEN, CASE,
 * COALESCE, aggregates (collected into the query level's px_aggs_t; their
 * values come from sql_exec.c's groups through ectx.aggs) and the common
 * built-in functions. Types are resolved at build time as Postgres's parser
 * does for these (parse_oper.c / parse_func.c / select_common_type), with
 * its error texts; evaluation follows the executor's functions (int4pl's
 * overflow checks, numeric's display scales, ...). */
#include "pg_like.h"
#include "pgrange.h"
#include "policy_expr_int.h"
#include "ts_config.h"
#include "tsvector.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- raw tree access (libpg_query's JSON) ---- */

static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}
static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}
static const char *sval(const cJSON *node)
{
    return str(get(node, "String"), "sval");
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

/* ---- type families ---- */

static bool scalar(const ptype_t *p, bool (*pred)(pgtype_kind_t))
{
    return p->special == SP_NONE && !p->t.is_array && pred(p->t.kind);
}
static bool kind_is_bytea(pgtype_kind_t k)
{
    return k == PGTYPE_BYTEA;
}

static bool kind_is_datetime(pgtype_kind_t k)
{
    return k == PGTYPE_TIMESTAMP || k == PGTYPE_TIMESTAMPTZ || k == PGTYPE_DATE;
}

static bool is_unknown(const ptype_t *p)
{
    return p->special == SP_UNKNOWN;
}
static bool stringish(const ptype_t *p)
{
    return scalar(p, pgtype_kind_is_string);
}

/* Integer kinds ordered by width. */
static int int_rank(pgtype_kind_t k)
{
    return k == PGTYPE_INT2 ? 0 : k == PGTYPE_INT4 ? 1 : 2;
}

/* ---- CASE / COALESCE: select_common_type ---- */

/* The common type of n[0..count): unknown literals take the first known
 * type; numbers widen within their family (int < numeric < float8); two
 * types that do not meet are 42804 `{context} types X and Y cannot be
 * matched`. Then every node is cast to it. */
static int common_type(parser_t *p, node_t **n, size_t count, const char *context)
{
    ptype_t best = px_ptype_of(PGTYPE_TEXT);
    bool have = false;
    for (size_t i = 0; i < count; i++) {
        const ptype_t *t = &n[i]->type;
        if (is_unknown(t))
            continue;
        if (!have) {
            best = *t;
            have = true;
            continue;
        }
        if (scalar(&best, pgtype_kind_is_number) && scalar(t, pgtype_kind_is_number)) {
            pgtype_kind_t a = best.t.kind, b = t->t.kind;
            if (pgtype_kind_is_float(a) || pgtype_kind_is_float(b))
                best = px_ptype_of(PGTYPE_FLOAT8);
            else if (a == PGTYPE_NUMERIC || b == PGTYPE_NUMERIC)
                best = px_ptype_of(PGTYPE_NUMERIC);
            else if (int_rank(b) > int_rank(a))
                best = *t;
            continue;
        }
        if (stringish(&best) && stringish(t)) {
            if (best.t.kind != t->t.kind || best.special != t->special)
                best = px_ptype_of(PGTYPE_TEXT);
            continue;
        }
        if (best.special == t->special && best.t.kind == t->t.kind &&
            best.t.is_array == t->t.is_array && best.t.enum_def == t->t.enum_def)
            continue;
        char s1[96], s2[96];
        return px_perr(p, n[i]->loc, "42804", "%s types %s and %s cannot be matched", context,
                       px_ptype_name(&best, s1, sizeof s1), px_ptype_name(t, s2, sizeof s2));
    }
    for (size_t i = 0; i < count; i++)
        if (px_make_cast(p, &n[i], &best, n[i]->loc, true) < 0)
            return -1;
    return 0;
}

static node_t *build_case(parser_t *p, const cJSON *c)
{
    size_t loc = loc_or(c, 0);
    node_t *n = px_node_new(N_CASE, loc);
    node_t *arg = NULL;
    node_t **results = NULL;
    size_t nres = 0;
    if (get(c, "arg") && !(arg = px_build(p, get(c, "arg"))))
        goto fail;
    const cJSON *whens = get(c, "args");
    for (const cJSON *w = cJSON_IsArray(whens) ? whens->child : NULL; w; w = w->next) {
        const cJSON *cw = get(w, "CaseWhen");
        node_t *cond = px_build(p, get(cw, "expr"));
        if (!cond)
            goto fail;
        if (arg) {
            /* CASE x WHEN v: `x = v` (transformCaseExpr); x is built again
             * for each WHEN (the evaluation reads it once per WHEN) */
            node_t *x = px_build(p, get(c, "arg"));
            if (!x) {
                px_node_free(cond);
                goto fail;
            }
            cond = px_make_cmp(p, x, cond, CMP_EQ, cond->loc);
        }
        if (!cond || px_coerce_bool(p, &cond, "CASE/WHEN") < 0) {
            px_node_free(cond);
            goto fail;
        }
        px_node_push_arg(n, cond);
        node_t *r = px_build(p, get(cw, "result"));
        if (!r)
            goto fail;
        px_node_push_arg(n, r);
    }
    if (get(c, "defresult") && !(n->b = px_build(p, get(c, "defresult"))))
        goto fail;
    results = xcalloc(n->nargs / 2 + 1, sizeof *results);
    for (size_t i = 1; i < n->nargs; i += 2)
        results[nres++] = n->args[i];
    if (n->b)
        results[nres++] = n->b;
    if (common_type(p, results, nres, "CASE") < 0)
        goto fail;
    nres = 0;
    for (size_t i = 1; i < n->nargs; i += 2)
        n->args[i] = results[nres++];
    if (n->b)
        n->b = results[nres++];
    n->type = nres ? results[0]->type : px_ptype_of(PGTYPE_TEXT);
    px_node_free(arg);
    free(results);
    return n;
fail:
    free(results);
    px_node_free(arg);
    px_node_free(n);
    return NULL;
}

static node_t *build_coalesce(parser_t *p, const cJSON *c)
{
    node_t *n = px_node_new(N_COALESCE, loc_or(c, 0));
    const cJSON *args = get(c, "args");
    for (const cJSON *a = cJSON_IsArray(args) ? args->child : NULL; a; a = a->next) {
        node_t *x = px_build(p, a);
        if (!x) {
            px_node_free(n);
            return NULL;
        }
        px_node_push_arg(n, x);
    }
    if (common_type(p, n->args, n->nargs, "COALESCE") < 0) {
        px_node_free(n);
        return NULL;
    }
    n->type = n->nargs ? n->args[0]->type : px_ptype_of(PGTYPE_TEXT);
    return n;
}

node_t *px_sql_build_node(parser_t *p, const char *name, const cJSON *body)
{
    if (strcmp(name, "CaseExpr") == 0)
        return build_case(p, body);
    return build_coalesce(p, body);
}

/* ---- functions and aggregates (parse_func.c) ---- */

static const struct {
    const char *name;
    int fn;
} AGGS[] = {
    {"count", PXA_COUNT},       {"sum", PXA_SUM},
    {"avg", PXA_AVG},           {"min", PXA_MIN},
    {"max", PXA_MAX},           {"array_agg", PXA_ARRAY_AGG},
    {"bool_and", PXA_BOOL_AND}, {"bool_or", PXA_BOOL_OR},
    {"every", PXA_BOOL_AND},    {"string_agg", PXA_STRING_AGG},
    {"json_agg", PXA_JSON_AGG}, {"jsonb_agg", PXA_JSONB_AGG},
};

static const struct {
    const char *name;
    int fn;
    int min_args, max_args; /* -1: variadic */
} FUNCS[] = {
    {"lower", PXF_LOWER, 1, 1},
    {"upper", PXF_UPPER, 1, 1},
    {"initcap", PXF_INITCAP, 1, 1},
    {"length", PXF_LENGTH, 1, 1},
    {"char_length", PXF_LENGTH, 1, 1},
    {"character_length", PXF_LENGTH, 1, 1},
    {"concat", PXF_CONCAT, 0, -1},
    {"now", PXF_NOW, 0, 0},
    {"abs", PXF_ABS, 1, 1},
    {"jsonb_build_object", PXF_JSONB_BUILD_OBJECT, 0, -1},
    {"json_build_object", PXF_JSON_BUILD_OBJECT, 0, -1},
    {"to_jsonb", PXF_TO_JSONB, 1, 1},
    {"to_json", PXF_TO_JSON, 1, 1},
    {"btrim", PXF_BTRIM, 1, 2},
    {"gen_random_uuid", PXF_GEN_RANDOM_UUID, 0, 0},
    {"uuid_generate_v4", PXF_GEN_RANDOM_UUID, 0, 0},
    {"format", PXF_FORMAT, 1, -1},
    {"to_hex", PXF_TO_HEX, 1, 1},
    {"lpad", PXF_LPAD, 2, 3},
    {"replace", PXF_REPLACE, 3, 3},
    {"substring", PXF_SUBSTRING, 2, 3},
    {"substr", PXF_SUBSTRING, 2, 3},
    {"translate", PXF_TRANSLATE, 3, 3},
    {"encode", PXF_ENCODE, 2, 2},
    {"extract", PXF_EXTRACT, 2, 2},
    {"date_part", PXF_EXTRACT, 2, 2},
    {"int4range", PXF_RANGE, 2, 3},
    {"int8range", PXF_RANGE, 2, 3},
    {"numrange", PXF_RANGE, 2, 3},
    {"daterange", PXF_RANGE, 2, 3},
    {"tsrange", PXF_RANGE, 2, 3},
    {"tstzrange", PXF_RANGE, 2, 3},
    {"to_tsvector", PXF_TO_TSVECTOR, 1, 2},
    {"random", PXF_RANDOM, 0, 0},
};

/* The range type a constructor of that name makes (rangetypes.c). */
static pgtype_kind_t range_kind(const char *name)
{
    static const struct {
        const char *name;
        pgtype_kind_t kind;
    } R[] = {{"int4range", PGTYPE_INT4RANGE}, {"int8range", PGTYPE_INT8RANGE},
             {"numrange", PGTYPE_NUMRANGE},   {"daterange", PGTYPE_DATERANGE},
             {"tsrange", PGTYPE_TSRANGE},     {"tstzrange", PGTYPE_TSTZRANGE}};
    for (size_t i = 0; i < sizeof R / sizeof *R; i++)
        if (strcmp(name, R[i].name) == 0)
            return R[i].kind;
    return PGTYPE_TEXT;
}

/* `function name(argtypes) does not exist` with parse_func.c's hint. */
static node_t *no_function(parser_t *p, size_t loc, const char *name, node_t **args, size_t n)
{
    buf_t sig;
    buf_init(&sig);
    buf_printf(&sig, "%s(", name);
    for (size_t i = 0; i < n; i++) {
        char s[96];
        buf_printf(&sig, "%s%s", i ? ", " : "", px_ptype_name(&args[i]->type, s, sizeof s));
    }
    buf_putc(&sig, ')');
    px_perr(p, loc, "42883", "function %s does not exist", buf_cstr(&sig));
    snprintf(p->err->hint, sizeof p->err->hint,
             "No function matches the given name and argument types. You might need to add "
             "explicit type casts.");
    buf_dispose(&sig);
    return NULL;
}

static void free_args(node_t **args, size_t n)
{
    for (size_t i = 0; i < n; i++)
        px_node_free(args[i]);
    free(args);
}

static int build_args(parser_t *p, const cJSON *list, node_t ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    for (const cJSON *a = cJSON_IsArray(list) ? list->child : NULL; a; a = a->next) {
        node_t *x = px_build(p, a);
        if (!x) {
            free_args(*out, *n);
            *out = NULL;
            *n = 0;
            return -1;
        }
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = x;
    }
    return 0;
}

/* An unknown literal argument is text (as the function's text signature
 * takes it). */
static int unknown_to_text(parser_t *p, node_t **n)
{
    if (!is_unknown(&(*n)->type))
        return 0;
    ptype_t text = px_ptype_of(PGTYPE_TEXT);
    return px_make_cast(p, n, &text, (*n)->loc, true);
}

static node_t *build_agg(parser_t *p, const cJSON *f, int fn, const char *name, size_t loc)
{
    if (!p->aggs) {
        if (p->in_agg)
            px_perr(p, loc, "42803", "aggregate function calls cannot be nested");
        else
            px_perr(p, loc, "42803", "aggregate functions are not allowed in %s",
                    p->agg_clause ? p->agg_clause : "this context");
        return NULL;
    }
    if (get(f, "agg_order") || get(f, "agg_filter") || get(f, "over") ||
        cJSON_IsTrue(get(f, "agg_within_group")) || cJSON_IsTrue(get(f, "func_variadic"))) {
        px_perr(p, loc, "0A000",
                "supamock: ORDER BY, FILTER and OVER in an aggregate call are not supported by "
                "the memory engine");
        return NULL;
    }
    px_aggs_t *aggs = p->aggs;
    p->aggs = NULL;
    p->in_agg = true;
    node_t **args = NULL;
    size_t n = 0;
    bool star = cJSON_IsTrue(get(f, "agg_star"));
    int rc = build_args(p, get(f, "args"), &args, &n);
    p->aggs = aggs;
    p->in_agg = false;
    if (rc < 0)
        return NULL;
    px_agg_t a;
    memset(&a, 0, sizeof a);
    a.fn = fn;
    a.star = star;
    a.distinct = cJSON_IsTrue(get(f, "agg_distinct"));
    bool ok = star ? fn == PXA_COUNT : (fn == PXA_STRING_AGG ? n == 2 : n == 1);
    if (star && fn != PXA_COUNT) {
        free_args(args, n);
        px_perr(p, loc, "42809", "%s(*) specified, but %s is not an aggregate function", name,
                name);
        return NULL;
    }
    if (ok && !star) {
        for (size_t i = 0; i < n; i++)
            if (fn != PXA_COUNT && unknown_to_text(p, &args[i]) < 0) {
                free_args(args, n);
                return NULL;
            }
        const ptype_t *t = &args[0]->type;
        switch (fn) {
        case PXA_COUNT:
            break;
        case PXA_SUM:
        case PXA_AVG:
            ok = scalar(t, pgtype_kind_is_number);
            break;
        case PXA_MIN:
        case PXA_MAX:
            ok = t->special != SP_NONE || t->t.kind != PGTYPE_JSON;
            break;
        case PXA_ARRAY_AGG:
            ok = !t->t.is_array;
            break;
        case PXA_BOOL_AND:
        case PXA_BOOL_OR:
            ok = scalar(t, pgtype_kind_is_string)
                     ? false
                     : (t->special == SP_NONE && !t->t.is_array && t->t.kind == PGTYPE_BOOL);
            break;
        case PXA_STRING_AGG:
            ok = stringish(t) && stringish(&args[1]->type);
            break;
        default:
            break;
        }
    }
    if (!ok) {
        node_t *r = no_function(p, loc, name, args, n);
        free_args(args, n);
        return r;
    }
    const ptype_t *t = n ? &args[0]->type : NULL;
    switch (fn) {
    case PXA_COUNT:
        a.type = px_ptype_of(PGTYPE_INT8);
        break;
    case PXA_SUM:
        a.type = px_ptype_of(t->t.kind == PGTYPE_INT2 || t->t.kind == PGTYPE_INT4 ? PGTYPE_INT8
                             : t->t.kind == PGTYPE_INT8                           ? PGTYPE_NUMERIC
                                                                                  : t->t.kind);
        break;
    case PXA_AVG:
        a.type = px_ptype_of(pgtype_kind_is_float(t->t.kind) ? PGTYPE_FLOAT8 : PGTYPE_NUMERIC);
        break;
    case PXA_MIN:
    case PXA_MAX:
        a.type = *t;
        break;
    case PXA_ARRAY_AGG:
        a.type = *t;
        a.type.special = SP_NONE;
        a.type.t.is_array = true;
        break;
    case PXA_BOOL_AND:
    case PXA_BOOL_OR:
        a.type = px_ptype_of(PGTYPE_BOOL);
        break;
    case PXA_STRING_AGG:
        a.type = px_ptype_of(PGTYPE_TEXT);
        break;
    case PXA_JSON_AGG:
        a.type = px_ptype_of(PGTYPE_JSON);
        break;
    default:
        a.type = px_ptype_of(PGTYPE_JSONB);
        break;
    }
    a.arg = n > 0 ? args[0] : NULL;
    a.arg2 = n > 1 ? args[1] : NULL;
    free(args);
    aggs->v = xrealloc(aggs->v, (aggs->n + 1) * sizeof *aggs->v);
    aggs->v[aggs->n] = a;
    node_t *r = px_node_new(N_AGG, loc);
    r->col = (int)aggs->n++;
    r->type = a.type;
    return r;
}

node_t *px_sql_build_func(parser_t *p, const cJSON *f, bool *handled)
{
    size_t loc = loc_or(f, 0);
    const cJSON *fname = get(f, "funcname");
    size_t nn = list_len(fname);
    const char *schema = nn == 2 ? sval(cJSON_GetArrayItem(fname, 0)) : NULL;
    const char *name = nn ? sval(cJSON_GetArrayItem(fname, (int)nn - 1)) : NULL;
    *handled = false;
    if (!name || nn > 2 ||
        (schema && strcmp(schema, "pg_catalog") != 0 && strcmp(schema, "extensions") != 0))
        return NULL;
    for (size_t i = 0; i < sizeof AGGS / sizeof *AGGS; i++)
        if (strcmp(name, AGGS[i].name) == 0) {
            *handled = true;
            return build_agg(p, f, AGGS[i].fn, name, loc);
        }
    int which = -1;
    for (size_t i = 0; i < sizeof FUNCS / sizeof *FUNCS; i++)
        if (strcmp(name, FUNCS[i].name) == 0)
            which = (int)i;
    if (which < 0)
        return NULL;
    *handled = true;
    if (cJSON_IsTrue(get(f, "agg_star")) || cJSON_IsTrue(get(f, "agg_distinct"))) {
        px_perr(p, loc, "42809", "%s specified, but %s is not an aggregate function",
                cJSON_IsTrue(get(f, "agg_star")) ? "*" : "DISTINCT", name);
        if (cJSON_IsTrue(get(f, "agg_star")))
            snprintf(p->err->message, sizeof p->err->message,
                     "%s(*) specified, but %s is not an aggregate function", name, name);
        return NULL;
    }
    if (get(f, "over") || get(f, "agg_order") || get(f, "agg_filter") ||
        cJSON_IsTrue(get(f, "func_variadic"))) {
        px_perr(p, loc, "0A000",
                "supamock: this form of function call is not supported by the memory engine");
        return NULL;
    }
    node_t **args = NULL;
    size_t n = 0;
    if (build_args(p, get(f, "args"), &args, &n) < 0)
        return NULL;
    int fn = FUNCS[which].fn;
    bool ok = (int)n >= FUNCS[which].min_args &&
              (FUNCS[which].max_args < 0 || (int)n <= FUNCS[which].max_args);
    ptype_t rtype = px_ptype_of(PGTYPE_TEXT);
    if (ok) {
        switch (fn) {
        case PXF_LOWER:
        case PXF_UPPER:
        case PXF_INITCAP:
        case PXF_LENGTH:
        case PXF_BTRIM:
            for (size_t i = 0; i < n && ok; i++) {
                if (unknown_to_text(p, &args[i]) < 0) {
                    free_args(args, n);
                    return NULL;
                }
                ok = stringish(&args[i]->type);
            }
            if (fn == PXF_LENGTH)
                rtype = px_ptype_of(PGTYPE_INT4);
            break;
        case PXF_CONCAT:
            break;
        case PXF_FORMAT:
            /* format(text, VARIADIC "any"): an unknown literal is text. */
            for (size_t i = 0; i < n; i++)
                if (unknown_to_text(p, &args[i]) < 0) {
                    free_args(args, n);
                    return NULL;
                }
            ok = stringish(&args[0]->type);
            break;
        case PXF_TO_HEX:
            /* to_hex(integer), to_hex(bigint): smallint promotes. */
            ok = scalar(&args[0]->type, pgtype_kind_is_int);
            break;
        case PXF_ENCODE:
            /* encode(bytea, text) */
            if (unknown_to_text(p, &args[1]) < 0) {
                free_args(args, n);
                return NULL;
            }
            ok = scalar(&args[0]->type, kind_is_bytea) && stringish(&args[1]->type);
            break;
        case PXF_EXTRACT:
            /* extract(field from x) is pg_catalog.extract(text, x): epoch of a
             * timestamp, timestamptz or date, as numeric (PostgreSQL 14 on);
             * date_part(text, x) is double precision. */
            if (unknown_to_text(p, &args[0]) < 0) {
                free_args(args, n);
                return NULL;
            }
            ok = stringish(&args[0]->type) && scalar(&args[1]->type, kind_is_datetime);
            rtype = px_ptype_of(strcmp(name, "date_part") == 0 ? PGTYPE_FLOAT8 : PGTYPE_NUMERIC);
            break;
        case PXF_LPAD:
        case PXF_REPLACE:
        case PXF_SUBSTRING:
        case PXF_TRANSLATE:
            /* lpad(text, integer [, text]), replace(text, text, text),
             * substring(text, integer [, integer]), translate(text, text, text) */
            for (size_t i = 0; i < n && ok; i++) {
                if ((fn == PXF_LPAD && i == 1) || (fn == PXF_SUBSTRING && i > 0)) {
                    ok = scalar(&args[i]->type, pgtype_kind_is_int) &&
                         args[i]->type.t.kind != PGTYPE_INT8;
                    continue;
                }
                if (unknown_to_text(p, &args[i]) < 0) {
                    free_args(args, n);
                    return NULL;
                }
                ok = stringish(&args[i]->type);
            }
            break;
        case PXF_TO_TSVECTOR:
            /* to_tsvector([regconfig,] text): the configuration an unknown
             * literal (regconfig's input), the document a string. */
            if (n == 2 && !is_unknown(&args[0]->type)) {
                ok = false;
                break;
            }
            for (size_t i = 0; i < n; i++)
                if (unknown_to_text(p, &args[i]) < 0) {
                    free_args(args, n);
                    return NULL;
                }
            ok = stringish(&args[n - 1]->type);
            rtype = px_ptype_of(PGTYPE_TSVECTOR);
            break;
        case PXF_NOW:
            rtype = px_ptype_of(PGTYPE_TIMESTAMPTZ);
            break;
        case PXF_GEN_RANDOM_UUID:
            rtype = px_ptype_of(PGTYPE_UUID);
            break;
        case PXF_RANDOM:
            rtype = px_ptype_of(PGTYPE_FLOAT8);
            break;
        case PXF_ABS:
            ok = scalar(&args[0]->type, pgtype_kind_is_number);
            if (ok)
                rtype = args[0]->type;
            break;
        case PXF_JSONB_BUILD_OBJECT:
        case PXF_JSON_BUILD_OBJECT:
            if (n % 2) {
                free_args(args, n);
                px_perr(p, loc, "22023", "argument list must have even number of elements");
                snprintf(p->err->hint, sizeof p->err->hint,
                         "The arguments of %s() must consist of alternating keys and values.",
                         name);
                return NULL;
            }
            __attribute__((fallthrough));
        case PXF_TO_JSONB:
        case PXF_TO_JSON:
            for (size_t i = 0; i < n; i++)
                if (unknown_to_text(p, &args[i]) < 0) {
                    free_args(args, n);
                    return NULL;
                }
            rtype = px_ptype_of(fn == PXF_JSONB_BUILD_OBJECT || fn == PXF_TO_JSONB ? PGTYPE_JSONB
                                                                                   : PGTYPE_JSON);
            break;
        case PXF_RANGE: {
            /* range_constructor2/3: the bounds are of the element type (an
             * unknown literal or NULL becomes it; a number widens to it),
             * the flags text */
            rtype = px_ptype_of(range_kind(name));
            ptype_t elem = px_ptype_of(pgrange_element(&rtype.t).kind);
            for (size_t i = 0; i < n && ok; i++) {
                const ptype_t *want = i < 2 ? &elem : NULL;
                ptype_t text = px_ptype_of(PGTYPE_TEXT);
                if (!want)
                    want = &text;
                bool widen = pgtype_kind_is_int(args[i]->type.t.kind) &&
                             (want->t.kind == PGTYPE_INT8 || want->t.kind == PGTYPE_NUMERIC);
                if (args[i]->type.special == SP_UNKNOWN || widen ||
                    (want->t.kind == PGTYPE_TEXT && stringish(&args[i]->type))) {
                    if (px_make_cast(p, &args[i], want, args[i]->loc, true) < 0) {
                        free_args(args, n);
                        return NULL;
                    }
                }
                ok = args[i]->type.t.kind == want->t.kind && !args[i]->type.t.is_array;
            }
            break;
        }
        default:
            break;
        }
    }
    if (!ok) {
        node_t *r = no_function(p, loc, name, args, n);
        free_args(args, n);
        return r;
    }
    node_t *r = px_node_new(N_CALL, loc);
    r->fn = fn;
    r->type = rtype;
    r->args = args;
    r->nargs = n;
    return r;
}

/* ---- operators (parse_oper.c, for the subset) ---- */

/* The result type of a op b on two numbers (the operator Postgres picks
 * once implicit casts are considered): ints widen, numeric with an int is
 * numeric, a float with anything is float8 (float4 op float4 stays float4). */
static ptype_t arith_type(pgtype_kind_t a, pgtype_kind_t b)
{
    if (pgtype_kind_is_int(a) && pgtype_kind_is_int(b))
        return px_ptype_of(int_rank(a) >= int_rank(b) ? a : b);
    if (a == PGTYPE_FLOAT4 && b == PGTYPE_FLOAT4)
        return px_ptype_of(PGTYPE_FLOAT4);
    if (pgtype_kind_is_float(a) || pgtype_kind_is_float(b))
        return px_ptype_of(PGTYPE_FLOAT8);
    return px_ptype_of(PGTYPE_NUMERIC);
}

static node_t *op_missing(parser_t *p, size_t loc, node_t *l, const char *op, node_t *r)
{
    char s1[96], s2[96];
    px_perr(p, loc, "42883", "operator does not exist: %s %s %s",
            px_ptype_name(&l->type, s1, sizeof s1), op, px_ptype_name(&r->type, s2, sizeof s2));
    snprintf(p->err->hint, sizeof p->err->hint,
             "No operator matches the given name and argument types. You might need to add "
             "explicit type casts.");
    px_node_free(l);
    px_node_free(r);
    return NULL;
}

static node_t *build_arith(parser_t *p, node_t *l, node_t *r, char op, const char *opname,
                           size_t loc)
{
    if (is_unknown(&l->type) && is_unknown(&r->type)) {
        px_perr(p, loc, "42725", "operator is not unique: unknown %s unknown", opname);
        snprintf(p->err->hint, sizeof p->err->hint,
                 "Could not choose a best candidate operator. You might need to add explicit "
                 "type casts.");
        px_node_free(l);
        px_node_free(r);
        return NULL;
    }
    if (is_unknown(&l->type) && px_make_cast(p, &l, &r->type, loc, true) < 0)
        goto fail;
    if (is_unknown(&r->type) && px_make_cast(p, &r, &l->type, loc, true) < 0)
        goto fail;
    if (!scalar(&l->type, pgtype_kind_is_number) || !scalar(&r->type, pgtype_kind_is_number))
        return op_missing(p, loc, l, opname, r);
    if (op == '%' && (pgtype_kind_is_float(l->type.t.kind) || pgtype_kind_is_float(r->type.t.kind)))
        return op_missing(p, loc, l, opname, r);
    ptype_t t = arith_type(l->type.t.kind, r->type.t.kind);
    if (!pgtype_kind_is_int(t.t.kind)) {
        if (px_make_cast(p, &l, &t, loc, true) < 0 || px_make_cast(p, &r, &t, loc, true) < 0)
            goto fail;
    }
    node_t *n = px_node_new(N_ARITH, l->loc);
    n->op = op;
    n->type = t;
    n->a = l;
    n->b = r;
    return n;
fail:
    px_node_free(l);
    px_node_free(r);
    return NULL;
}

static node_t *build_concat(parser_t *p, node_t *l, node_t *r, size_t loc)
{
    /* textcat (text || text), anynonarray || text and text || anynonarray */
    bool ls = stringish(&l->type) || is_unknown(&l->type);
    bool rs = stringish(&r->type) || is_unknown(&r->type);
    if (!ls && !rs)
        return op_missing(p, loc, l, "||", r);
    ptype_t text = px_ptype_of(PGTYPE_TEXT);
    if ((ls && px_make_cast(p, &l, &text, loc, true) < 0) ||
        (rs && px_make_cast(p, &r, &text, loc, true) < 0)) {
        px_node_free(l);
        px_node_free(r);
        return NULL;
    }
    node_t *n = px_node_new(N_CONCAT, l->loc);
    n->type = text;
    n->a = l;
    n->b = r;
    return n;
}

node_t *px_sql_build_aexpr(parser_t *p, const cJSON *a, bool *handled)
{
    const char *kind = str(a, "kind");
    size_t loc = loc_or(a, 0);
    const cJSON *names = get(a, "name");
    size_t nn = list_len(names);
    const char *opname = nn ? sval(cJSON_GetArrayItem(names, (int)nn - 1)) : NULL;
    const cJSON *lexpr = get(a, "lexpr"), *rexpr = get(a, "rexpr");
    *handled = false;
    if (!kind || !opname || !lexpr || !rexpr)
        return NULL;
    bool arith = strcmp(kind, "AEXPR_OP") == 0 && strchr("+-*/%", opname[0]) && !opname[1];
    bool concat = strcmp(kind, "AEXPR_OP") == 0 && strcmp(opname, "||") == 0;
    bool like = strcmp(kind, "AEXPR_LIKE") == 0 || strcmp(kind, "AEXPR_ILIKE") == 0;
    bool nullif = strcmp(kind, "AEXPR_NULLIF") == 0;
    bool distinct = strcmp(kind, "AEXPR_DISTINCT") == 0 || strcmp(kind, "AEXPR_NOT_DISTINCT") == 0;
    bool between = strcmp(kind, "AEXPR_BETWEEN") == 0 || strcmp(kind, "AEXPR_NOT_BETWEEN") == 0;
    if (!(arith || concat || like || nullif || distinct || between))
        return NULL;
    *handled = true;
    if (between) {
        const cJSON *items = get(get(rexpr, "List"), "items");
        if (list_len(items) != 2)
            return px_perr(p, loc, "42601", "syntax error at or near \"BETWEEN\""), NULL;
        bool neg = kind[5] == 'N';
        node_t *x1 = px_build(p, lexpr);
        node_t *x2 = x1 ? px_build(p, lexpr) : NULL;
        node_t *lo = x2 ? px_build(p, items->child) : NULL;
        node_t *hi = lo ? px_build(p, items->child->next) : NULL;
        if (!hi) {
            px_node_free(x1);
            px_node_free(x2);
            px_node_free(lo);
            return NULL;
        }
        node_t *c1 = px_make_cmp(p, x1, lo, neg ? CMP_LT : CMP_GE, loc);
        if (!c1) {
            px_node_free(x2);
            px_node_free(hi);
            return NULL;
        }
        node_t *c2 = px_make_cmp(p, x2, hi, neg ? CMP_GT : CMP_LE, loc);
        if (!c2) {
            px_node_free(c1);
            return NULL;
        }
        node_t *n = px_node_new(N_BOOL, c1->loc);
        n->op = neg; /* NOT BETWEEN: x < lo OR x > hi */
        n->type = px_ptype_of(PGTYPE_BOOL);
        px_node_push_arg(n, c1);
        px_node_push_arg(n, c2);
        return n;
    }
    node_t *l = px_build(p, lexpr);
    if (!l)
        return NULL;
    node_t *r = px_build(p, rexpr);
    if (!r) {
        px_node_free(l);
        return NULL;
    }
    if (arith)
        return build_arith(p, l, r, opname[0], opname, loc);
    if (concat)
        return build_concat(p, l, r, loc);
    if (like) {
        ptype_t text = px_ptype_of(PGTYPE_TEXT);
        if (is_unknown(&l->type) && px_make_cast(p, &l, &text, loc, true) < 0)
            goto fail;
        if (is_unknown(&r->type) && px_make_cast(p, &r, &text, loc, true) < 0)
            goto fail;
        if (!stringish(&l->type) || !stringish(&r->type))
            return op_missing(p, loc, l, opname, r);
        node_t *n = px_node_new(N_LIKE, l->loc);
        n->op = strcmp(kind, "AEXPR_ILIKE") == 0;
        n->negated = opname[0] == '!';
        n->type = px_ptype_of(PGTYPE_BOOL);
        n->a = l;
        n->b = r;
        return n;
    }
    /* NULLIF(a, b) and a IS [NOT] DISTINCT FROM b: the `=` of the two,
     * resolved as the comparison would be; NULLIF returns a's value. */
    node_t *keep = NULL;
    if (nullif) {
        keep = px_build(p, lexpr);
        if (!keep)
            goto fail;
        if (is_unknown(&keep->type)) {
            ptype_t text = px_ptype_of(PGTYPE_TEXT);
            if (px_make_cast(p, &keep, &text, loc, true) < 0) {
                px_node_free(keep);
                goto fail;
            }
        }
    }
    node_t *cmp = px_make_cmp(p, l, r, CMP_EQ, loc);
    if (!cmp) {
        px_node_free(keep);
        return NULL;
    }
    node_t *n = px_node_new(nullif ? N_NULLIF : N_DISTINCT, cmp->loc);
    if (nullif) {
        n->a = keep;
        n->b = cmp;
        n->type = keep->type;
    } else {
        n->a = cmp;
        n->negated = strcmp(kind, "AEXPR_NOT_DISTINCT") == 0;
        n->type = px_ptype_of(PGTYPE_BOOL);
    }
    return n;
fail:
    px_node_free(l);
    px_node_free(r);
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* evaluation                                                                */
/* ------------------------------------------------------------------------ */

static void set_text(pgvalue_t *out, const char *s, size_t len)
{
    pgvalue_init_null(out);
    out->is_null = false;
    out->s = xmalloc(len + 1);
    memcpy(out->s, s, len);
    out->s[len] = '\0';
}

static int range_error(pgtype_kind_t k, pgrst_error_t *err)
{
    return pgrst_error_setf(err, "22003", "%s out of range",
                            k == PGTYPE_INT2   ? "smallint"
                            : k == PGTYPE_INT4 ? "integer"
                                               : "bigint");
}

static bool fits(pgtype_kind_t k, int64_t v)
{
    return k == PGTYPE_INT2   ? v >= -32768 && v <= 32767
           : k == PGTYPE_INT4 ? v >= INT32_MIN && v <= INT32_MAX
                              : true;
}

/* A numeric's display scale (digits after the point of its text). */
static int num_scale(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

/* numeric.c select_div_scale, over the values' decimal weights. */
static int div_scale(const char *a, const char *b, long double x, long double y)
{
    int wa = x == 0 ? 0 : (int)floorl(log10l(fabsl(x)));
    int wb = y == 0 ? 0 : (int)floorl(log10l(fabsl(y)));
    /* weights in base-10000 digits, as numeric keeps them */
    int qa = wa >= 0 ? wa / 4 : -((-wa + 3) / 4);
    int qb = wb >= 0 ? wb / 4 : -((-wb + 3) / 4);
    long double fa = fabsl(x) / powl(10.0L, (long double)qa * 4);
    long double fb = fabsl(y) / powl(10.0L, (long double)qb * 4);
    int qweight = qa - qb;
    if ((int)floorl(fa) <= (int)floorl(fb))
        qweight--;
    int rscale = 16 - qweight * 4;
    int sa = num_scale(a), sb = num_scale(b);
    if (rscale < sa)
        rscale = sa;
    if (rscale < sb)
        rscale = sb;
    if (rscale < 0)
        rscale = 0;
    if (rscale > 1000)
        rscale = 1000;
    return rscale;
}

static int set_numeric(long double v, int scale, pgvalue_t *out, pgrst_error_t *err)
{
    if (!isfinite(v))
        return pgrst_error_setf(err, "22003", "value overflows numeric format");
    char buf[512];
    if (scale > 60)
        scale = 60; /* long double carries ~18 digits; the rest are zeros */
    snprintf(buf, sizeof buf, "%.*Lf", scale, v);
    if (strcmp(buf, "-0") == 0 || (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1)))
        memmove(buf, buf + 1, strlen(buf));
    pgvalue_init_null(out);
    out->is_null = false;
    out->s = xstrdup(buf);
    return 0;
}

/* An exact decimal: m * 10^-scale, while it fits 38 digits. */
typedef struct dec {
    __int128 m;
    int scale;
} dec_t;

static bool dec_parse(const char *s, dec_t *d)
{
    d->m = 0;
    d->scale = 0;
    bool neg = *s == '-', dot = false;
    if (*s == '-' || *s == '+')
        s++;
    int digits = 0;
    for (; *s; s++) {
        if (*s == '.') {
            dot = true;
            continue;
        }
        if (*s < '0' || *s > '9' || ++digits > 36)
            return false;
        d->m = d->m * 10 + (*s - '0');
        if (dot)
            d->scale++;
    }
    if (neg)
        d->m = -d->m;
    return true;
}

static bool dec_rescale(dec_t *d, int scale)
{
    while (d->scale < scale) {
        if (d->m > (__int128)1e36 || d->m < -(__int128)1e36)
            return false;
        d->m *= 10;
        d->scale++;
    }
    return true;
}

static void dec_text(const dec_t *d, pgvalue_t *out)
{
    char digits[64];
    int nd = 0;
    __int128 v = d->m < 0 ? -d->m : d->m;
    do {
        digits[nd++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    while (nd <= d->scale)
        digits[nd++] = '0';
    char buf[80];
    int o = 0;
    if (d->m < 0)
        buf[o++] = '-';
    for (int i = nd - 1; i >= 0; i--) {
        buf[o++] = digits[i];
        if (i == d->scale && d->scale > 0)
            buf[o++] = '.';
    }
    buf[o] = '\0';
    pgvalue_init_null(out);
    out->is_null = false;
    out->s = xstrdup(buf);
}

/* Exact a op b when both fit; false: the caller falls back to long double. */
static bool dec_op(const char *a, const char *b, char op, int rscale, pgvalue_t *out)
{
    dec_t x, y, r;
    if (!dec_parse(a, &x) || !dec_parse(b, &y))
        return false;
    switch (op) {
    case '+':
    case '-': {
        int sc = x.scale > y.scale ? x.scale : y.scale;
        if (!dec_rescale(&x, sc) || !dec_rescale(&y, sc))
            return false;
        r.m = op == '+' ? x.m + y.m : x.m - y.m;
        r.scale = sc;
        break;
    }
    case '*':
        if (__builtin_mul_overflow(x.m, y.m, &r.m))
            return false;
        r.scale = x.scale + y.scale;
        break;
    default: {
        /* a / b rounded half away from zero at rscale:
         * x.m * 10^(rscale + y.scale - x.scale + 1) / y.m, then round */
        int k = rscale + y.scale - x.scale + 1;
        if (y.m == 0 || k < 0)
            return false;
        __int128 num = x.m;
        for (int i = 0; i < k; i++)
            if (__builtin_mul_overflow(num, 10, &num))
                return false;
        __int128 q = num / y.m;
        __int128 rest = q % 10;
        q /= 10;
        if (rest >= 5)
            q++;
        else if (rest <= -5)
            q--;
        r.m = q;
        r.scale = rscale;
        break;
    }
    }
    dec_text(&r, out);
    return true;
}

int px_numeric_div(const char *a, const char *b, pgvalue_t *out, pgrst_error_t *err)
{
    long double x = strtold(a, NULL), y = strtold(b, NULL);
    if (y == 0)
        return pgrst_error_setf(err, "22012", "division by zero");
    int scale = div_scale(a, b, x, y);
    if (dec_op(a, b, '/', scale, out))
        return 0;
    return set_numeric(x / y, scale, out, err);
}

int px_numeric_text(long double v, int scale, pgvalue_t *out, pgrst_error_t *err)
{
    return set_numeric(v, scale, out, err);
}

static int eval_arith(const node_t *n, const pgvalue_t *a, const pgvalue_t *b, pgvalue_t *out,
                      pgrst_error_t *err)
{
    pgtype_kind_t k = n->type.t.kind;
    char op = (char)n->op;
    pgvalue_init_null(out);
    if (pgtype_kind_is_int(k)) {
        int64_t x = a->i, y = b->i, r = 0;
        bool ovf = false;
        switch (op) {
        case '+':
            ovf = __builtin_add_overflow(x, y, &r);
            break;
        case '-':
            ovf = __builtin_sub_overflow(x, y, &r);
            break;
        case '*':
            ovf = __builtin_mul_overflow(x, y, &r);
            break;
        case '/':
        case '%':
            if (y == 0)
                return pgrst_error_setf(err, "22012", "division by zero");
            if (y == -1) {
                /* int4div: MIN / -1 overflows; MIN % -1 is 0 */
                r = op == '%' ? 0 : -x;
                ovf = op == '/' && !fits(k, r);
                if (op == '/' && x == INT64_MIN)
                    ovf = true;
            } else {
                r = op == '/' ? x / y : x % y;
            }
            break;
        }
        if (ovf || !fits(k, r))
            return range_error(k, err);
        out->is_null = false;
        out->i = r;
        return 0;
    }
    if (pgtype_kind_is_float(k)) {
        double x = a->f, y = b->f, r = 0;
        switch (op) {
        case '+':
            r = x + y;
            break;
        case '-':
            r = x - y;
            break;
        case '*':
            r = x * y;
            break;
        default:
            if (y == 0)
                return pgrst_error_setf(err, "22012", "division by zero");
            r = x / y;
            break;
        }
        if (k == PGTYPE_FLOAT4)
            r = (double)(float)r;
        if (isinf(r) && !isinf(x) && !isinf(y))
            return pgrst_error_setf(err, "22003", "value out of range: overflow");
        out->is_null = false;
        out->f = r;
        return 0;
    }
    /* numeric: its text through long double, at Postgres's display scale */
    if (!a->s || !b->s || strcmp(a->s, "NaN") == 0 || strcmp(b->s, "NaN") == 0) {
        pgvalue_init_null(out);
        out->is_null = false;
        out->s = xstrdup("NaN");
        return 0;
    }
    long double x = strtold(a->s, NULL), y = strtold(b->s, NULL);
    int sa = num_scale(a->s), sb = num_scale(b->s);
    if ((op == '+' || op == '-' || op == '*') && dec_op(a->s, b->s, op, 0, out))
        return 0;
    switch (op) {
    case '+':
        return set_numeric(x + y, sa > sb ? sa : sb, out, err);
    case '-':
        return set_numeric(x - y, sa > sb ? sa : sb, out, err);
    case '*':
        return set_numeric(x * y, sa + sb, out, err);
    case '/':
        return px_numeric_div(a->s, b->s, out, err);
    default:
        if (y == 0)
            return pgrst_error_setf(err, "22012", "division by zero");
        return set_numeric(fmodl(x, y), sa > sb ? sa : sb, out, err);
    }
}

/* The value as Postgres's text output, for || and concat(). */
static void text_of(const ptype_t *t, const pgvalue_t *v, buf_t *out);

/* A range from its bounds (NULL: unbounded) and flags ("[)" by default),
 * through the range type's own input, which makes it canonical (an int4
 * range becomes [lo,hi), an empty one "empty") and raises its errors. */
static int make_range(const node_t *n, const pgvalue_t *v, pgvalue_t *out, pgrst_error_t *err)
{
    const char *flags = n->nargs == 3 ? v[2].s : "[)";
    if (n->nargs == 3 && v[2].is_null)
        return 0; /* strict in its flags: NULL */
    if (!flags || strlen(flags) != 2 || (flags[0] != '[' && flags[0] != '(') ||
        (flags[1] != ']' && flags[1] != ')')) {
        pgrst_error_setf(err, "42601", "invalid range bound flags");
        pgrst_error_hintf(err, "Valid values are \"[]\", \"[)\", \"(]\", and \"()\".");
        return -1;
    }
    buf_t b;
    buf_init(&b);
    buf_putc(&b, flags[0]);
    for (size_t i = 0; i < 2; i++) {
        if (i)
            buf_putc(&b, ',');
        if (v[i].is_null)
            continue;
        buf_t t;
        buf_init(&t);
        text_of(&n->args[i]->type, &v[i], &t);
        buf_putc(&b, '"');
        for (size_t k = 0; k < t.len; k++) {
            if (t.data[k] == '"' || t.data[k] == '\\')
                buf_putc(&b, '\\');
            buf_putc(&b, t.data[k]);
        }
        buf_putc(&b, '"');
        buf_dispose(&t);
    }
    buf_putc(&b, flags[1]);
    int rc = pgrange_from_text(&n->type.t, buf_cstr(&b), out, err);
    buf_dispose(&b);
    return rc;
}

static void text_of(const ptype_t *t, const pgvalue_t *v, buf_t *out)
{
    if (t->special != SP_NONE)
        buf_puts(out, v->s ? v->s : "");
    else
        pgvalue_render_text(&t->t, v, out);
}

/* The value as to_jsonb / jsonb_build_object take it (JSON text). */
static void json_of(const ptype_t *t, const pgvalue_t *v, buf_t *out)
{
    if (v->is_null) {
        buf_puts(out, "null");
        return;
    }
    if (t->special != SP_NONE) {
        ptype_t text = px_ptype_of(PGTYPE_TEXT);
        pgvalue_render_json(&text.t, v, out);
        return;
    }
    pgvalue_render_json(&t->t, v, out);
}

/* Characters of a UTF-8 string. */
static int64_t utf8_len(const char *s)
{
    int64_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* text_format's errors that carry its hint. */
static int format_spec_error(pgrst_error_t *err, const char *message)
{
    pgrst_error_setf(err, "22023", "%s", message);
    pgrst_error_hintf(err, "For a single \"%%\" use \"%%%%\".");
    return -1;
}

/* quote_literal (quote.c): quotes and backslashes doubled, E'' when there
 * is a backslash. */
static void quote_literal(const char *s, buf_t *out)
{
    if (strchr(s, '\\'))
        buf_putc(out, 'E');
    buf_putc(out, '\'');
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\')
            buf_putc(out, *s);
        buf_putc(out, *s);
    }
    buf_putc(out, '\'');
}

/* varlena.c text_format: %[n$][-][width]{s,L} and %%, with Postgres's
 * errors. %I needs the keyword list of quote_ident and * widths are not
 * read: both answer 0A000. */
static int format_text(const node_t *n, const pgvalue_t *v, buf_t *out, pgrst_error_t *err)
{
    const char *f = v[0].s;
    size_t next = 1; /* the argument a specifier without n$ takes */
    for (const char *c = f; *c; c++) {
        if (*c != '%') {
            buf_putc(out, *c);
            continue;
        }
        if (*++c == '\0')
            return format_spec_error(err, "unterminated format() type specifier");
        if (*c == '%') {
            buf_putc(out, '%');
            continue;
        }
        size_t arg = 0;
        const char *d = c;
        while (*d >= '0' && *d <= '9' && arg < 1000000)
            arg = arg * 10 + (size_t)(*d++ - '0');
        if (d > c && *d == '$') {
            if (arg == 0)
                return pgrst_error_setf(err, "22023",
                                        "format specifies argument 0, but arguments "
                                        "are numbered from 1");
            c = d + 1;
        } else {
            arg = next;
        }
        bool left = false;
        if (*c == '-') {
            left = true;
            c++;
        }
        size_t width = 0;
        while (*c >= '0' && *c <= '9' && width < 100000)
            width = width * 10 + (size_t)(*c++ - '0');
        if (*c == '*' || *c == 'I')
            return pgrst_error_setf(err, "0A000",
                                    "supamock: format()'s %s is not supported by the memory "
                                    "engine (runs on --db postgres)",
                                    *c == '*' ? "* width" : "%I");
        if (*c == '\0')
            return format_spec_error(err, "unterminated format() type specifier");
        if (*c != 's' && *c != 'L') {
            char msg[64];
            snprintf(msg, sizeof msg, "unrecognized format() type specifier \"%c\"", *c);
            return format_spec_error(err, msg);
        }
        if (arg >= n->nargs)
            return pgrst_error_setf(err, "22023", "too few arguments for format()");
        next = arg + 1;
        buf_t piece;
        buf_init(&piece);
        if (v[arg].is_null) {
            if (*c == 'L')
                buf_puts(&piece, "NULL");
        } else {
            buf_t t;
            buf_init(&t);
            text_of(&n->args[arg]->type, &v[arg], &t);
            if (*c == 'L')
                quote_literal(t.data ? t.data : "", &piece);
            else
                buf_append(&piece, t.data ? t.data : "", t.len);
            buf_dispose(&t);
        }
        int64_t chars = piece.data ? utf8_len(piece.data) : 0;
        size_t pad = (int64_t)width > chars ? width - (size_t)chars : 0;
        for (size_t i = 0; !left && i < pad; i++)
            buf_putc(out, ' ');
        buf_append(out, piece.data ? piece.data : "", piece.len);
        for (size_t i = 0; left && i < pad; i++)
            buf_putc(out, ' ');
        buf_dispose(&piece);
    }
    return 0;
}

/* Bytes of the first `chars` UTF-8 characters of s. */
static size_t utf8_prefix(const char *s, int64_t chars)
{
    size_t i = 0;
    for (int64_t c = 0; s[i] && c < chars; c++)
        do
            i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80);
    return i;
}

/* substring(s from start [for count]) by characters (text_substring):
 * characters start .. start+count-1 that exist; a negative count is
 * 22011. */
static int substring_text(const char *s, int64_t start, bool has_count, int64_t count,
                          pgvalue_t *out, pgrst_error_t *err)
{
    if (has_count && count < 0)
        return pgrst_error_setf(err, "22011", "negative substring length not allowed");
    int64_t from = start < 1 ? 1 : start;
    int64_t len = utf8_len(s);
    int64_t to = has_count ? start + count : len + 1; /* exclusive */
    if (to > len + 1)
        to = len + 1;
    if (to <= from) {
        set_text(out, "", 0);
        return 0;
    }
    size_t a = utf8_prefix(s, from - 1), b = utf8_prefix(s, to - 1);
    set_text(out, s + a, b - a);
    return 0;
}

/* translate(s, from, to): each character of s found in from becomes the
 * one at its place in to, or goes when to is shorter (first occurrence in
 * from wins). */
static void translate_text(const char *s, const char *from, const char *to, pgvalue_t *out)
{
    buf_t b;
    buf_init(&b);
    while (*s) {
        size_t cl = utf8_prefix(s, 1);
        int64_t at = -1, pos = 0;
        for (const char *f = from; *f; pos++) {
            size_t fl = utf8_prefix(f, 1);
            if (fl == cl && memcmp(f, s, cl) == 0) {
                at = pos;
                break;
            }
            f += fl;
        }
        if (at < 0) {
            buf_append(&b, s, cl);
        } else if (at < utf8_len(to)) {
            size_t a = utf8_prefix(to, at);
            buf_append(&b, to + a, utf8_prefix(to + a, 1));
        }
        s += cl;
    }
    set_text(out, b.data ? b.data : "", b.len);
    buf_dispose(&b);
}

/* encode(bytea, 'base64' | 'hex') as encode.c writes them: base64 with a
 * newline after every 76 characters. The bytea is its hex text ("\x0aff"). */
static int encode_bytea(const char *hex, const char *format, pgvalue_t *out, pgrst_error_t *err)
{
    const char *h = hex[0] == '\\' && hex[1] == 'x' ? hex + 2 : hex;
    if (strcmp(format, "hex") == 0) {
        set_text(out, h, strlen(h));
        return 0;
    }
    if (strcmp(format, "base64") != 0)
        return pgrst_error_setf(err, "22023", "unrecognized encoding: \"%s\"", format);
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    /* pg_base64_encode: groups of three bytes as four characters, a
     * newline as soon as a line holds 76 (after the last byte too), the
     * last group padded with '='. */
    size_t n = strlen(h) / 2;
    buf_t b;
    buf_init(&b);
    uint32_t acc = 0;
    int pos = 2;
    size_t line = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned byte;
        sscanf(h + 2 * i, "%2x", &byte);
        acc |= (uint32_t)byte << (pos * 8);
        if (--pos < 0) {
            for (int k = 3; k >= 0; k--)
                buf_putc(&b, digits[(acc >> (6 * k)) & 63]);
            line += 4;
            pos = 2;
            acc = 0;
        }
        if (line >= 76) {
            buf_putc(&b, '\n');
            line = 0;
        }
    }
    if (pos != 2) {
        buf_putc(&b, digits[(acc >> 18) & 63]);
        buf_putc(&b, digits[(acc >> 12) & 63]);
        buf_putc(&b, pos == 0 ? digits[(acc >> 6) & 63] : '=');
        buf_putc(&b, '=');
    }
    set_text(out, b.data ? b.data : "", b.len);
    buf_dispose(&b);
    return 0;
}

/* extract('epoch' from x): seconds since 1970-01-01 00:00 UTC (a timestamp
 * and a date as if UTC), numeric with six decimals (a date: none), or as
 * date_part a double. Other fields are not modelled (0A000). */
static int extract_epoch(const pgtype_t *t, const pgvalue_t *v, const char *field, bool as_double,
                         pgvalue_t *out, pgrst_error_t *err)
{
    if (strcasecmp(field, "epoch") != 0)
        return pgrst_error_setf(err, "0A000",
                                "supamock: extract(%s from ...) is not supported by the memory "
                                "engine",
                                field);
    const int64_t unix_2000 = 946684800; /* 2000-01-01 in Unix seconds */
    int64_t us = t->kind == PGTYPE_DATE ? v->i * 86400 * 1000000LL : v->i;
    int64_t secs = us / 1000000 + unix_2000, frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        secs--;
    }
    pgvalue_init_null(out);
    out->is_null = false;
    if (as_double) {
        out->f = (double)secs + (double)frac / 1e6;
        return 0;
    }
    char num[48];
    if (t->kind == PGTYPE_DATE)
        snprintf(num, sizeof num, "%lld", (long long)secs);
    else if (secs < 0 && frac)
        snprintf(num, sizeof num, "-%lld.%06lld", (long long)-(secs + 1),
                 (long long)(1000000 - frac));
    else
        snprintf(num, sizeof num, "%lld.%06lld", (long long)secs, (long long)frac);
    out->s = xstrdup(num);
    return 0;
}

/* lpad(string, length, fill): to `length` characters, the fill repeated on
 * the left, or the string cut; a negative length is 0 and an empty fill
 * only cuts (varlena.c lpad). Postgres refuses a result over 1 GB with
 * 54000; supamock refuses one over 10 MiB with the same error. */
static int lpad_text(const pgvalue_t *str, int64_t len, const char *fill, const ectx_t *env,
                     pgvalue_t *out, pgrst_error_t *err)
{
    (void)env;
    if (len < 0)
        len = 0;
    int64_t have = utf8_len(str->s), fill_chars = utf8_len(fill);
    if (have >= len || fill_chars == 0) {
        size_t keep = utf8_prefix(str->s, have < len ? have : len);
        set_text(out, str->s, keep);
        return 0;
    }
    if (len > 10 * 1024 * 1024)
        return pgrst_error_setf(err, "54000", "requested length too large");
    buf_t b;
    buf_init(&b);
    for (int64_t need = len - have; need > 0;) {
        int64_t take = need < fill_chars ? need : fill_chars;
        buf_append(&b, fill, utf8_prefix(fill, take));
        need -= take;
    }
    buf_puts(&b, str->s);
    set_text(out, b.data ? b.data : "", b.len);
    buf_dispose(&b);
    return 0;
}

static int eval_call(const node_t *n, const ectx_t *env, pgvalue_t *out, pgrst_error_t *err)
{
    pgvalue_t *v = xcalloc(n->nargs ? n->nargs : 1, sizeof *v);
    size_t got = 0;
    int rc = 0;
    for (; got < n->nargs; got++)
        if ((rc = px_eval(n->args[got], env, &v[got], err)) < 0)
            break;
    pgvalue_init_null(out);
    if (rc == 0) {
        switch (n->fn) {
        case PXF_LOWER:
        case PXF_UPPER:
            if (!v[0].is_null) {
                set_text(out, v[0].s, strlen(v[0].s));
                for (char *c = out->s; *c; c++)
                    *c = (char)(n->fn == PXF_LOWER ? tolower((unsigned char)*c)
                                                   : toupper((unsigned char)*c));
            }
            break;
        case PXF_INITCAP:
            /* initcap: each word's first letter upper case, the rest lower
             * (a word: a run of letters and digits); ASCII as upper/lower. */
            if (!v[0].is_null) {
                set_text(out, v[0].s, strlen(v[0].s));
                bool in_word = false;
                for (char *c = out->s; *c; c++) {
                    unsigned char u = (unsigned char)*c;
                    *c = (char)(in_word ? tolower(u) : toupper(u));
                    in_word = isalnum(u) || u >= 0x80;
                }
            }
            break;
        case PXF_LENGTH:
            if (!v[0].is_null) {
                out->is_null = false;
                out->i = utf8_len(v[0].s);
            }
            break;
        case PXF_TO_TSVECTOR: {
            const pgvalue_t *doc = &v[n->nargs - 1];
            if (doc->is_null || (n->nargs == 2 && v[0].is_null))
                break;
            ts_config_id_t cfg = TS_CFG_DEFAULT;
            if (n->nargs == 2 && !ts_config_lookup(v[0].s, &cfg)) {
                rc = pgrst_error_setf(err, "42704",
                                      "text search configuration \"%s\" does not exist", v[0].s);
                break;
            }
            tsvector_t tv = {NULL, 0};
            char *why = NULL;
            if (tsvector_from_text(cfg, doc->s, strlen(doc->s), &tv, &why) < 0) {
                rc = pgrst_error_setf(err, "54000", "%s", why ? why : "");
                free(why);
                break;
            }
            buf_t b;
            buf_init(&b);
            tsvector_render(&tv, &b);
            set_text(out, buf_cstr(&b), b.len);
            buf_dispose(&b);
            tsvector_dispose(&tv);
            break;
        }
        case PXF_BTRIM:
            if (!v[0].is_null && !(n->nargs == 2 && v[1].is_null)) {
                const char *set = n->nargs == 2 ? v[1].s : " ";
                const char *s = v[0].s;
                size_t len = strlen(s);
                while (len && strchr(set, s[0]) && *set) {
                    s++;
                    len--;
                }
                while (len && strchr(set, s[len - 1]) && *set)
                    len--;
                set_text(out, s, len);
            }
            break;
        case PXF_CONCAT: {
            buf_t b;
            buf_init(&b);
            for (size_t i = 0; i < n->nargs; i++)
                if (!v[i].is_null)
                    text_of(&n->args[i]->type, &v[i], &b);
            set_text(out, b.data ? b.data : "", b.len);
            buf_dispose(&b);
            break;
        }
        case PXF_FORMAT:
            if (!v[0].is_null) {
                buf_t b;
                buf_init(&b);
                rc = format_text(n, v, &b, err);
                if (rc == 0)
                    set_text(out, b.data ? b.data : "", b.len);
                buf_dispose(&b);
            }
            break;
        case PXF_NOW:
            out->is_null = false;
            out->i = env->now_us;
            break;
        case PXF_TO_HEX:
            /* the two's complement of the argument's own width */
            if (!v[0].is_null) {
                char hex[24];
                uint64_t u = n->args[0]->type.t.kind == PGTYPE_INT8 ? (uint64_t)v[0].i
                                                                    : (uint32_t)(int32_t)v[0].i;
                snprintf(hex, sizeof hex, "%llx", (unsigned long long)u);
                set_text(out, hex, strlen(hex));
            }
            break;
        case PXF_LPAD:
            if (!v[0].is_null && !v[1].is_null && !(n->nargs == 3 && v[2].is_null))
                rc = lpad_text(&v[0], v[1].i, n->nargs == 3 ? v[2].s : " ", env, out, err);
            break;
        case PXF_SUBSTRING:
            if (!v[0].is_null && !v[1].is_null && !(n->nargs == 3 && v[2].is_null))
                rc = substring_text(v[0].s, v[1].i, n->nargs == 3, n->nargs == 3 ? v[2].i : 0, out,
                                    err);
            break;
        case PXF_TRANSLATE:
            if (!v[0].is_null && !v[1].is_null && !v[2].is_null)
                translate_text(v[0].s, v[1].s, v[2].s, out);
            break;
        case PXF_ENCODE:
            if (!v[0].is_null && !v[1].is_null)
                rc = encode_bytea(v[0].s, v[1].s, out, err);
            break;
        case PXF_EXTRACT:
            if (!v[0].is_null && !v[1].is_null)
                rc = extract_epoch(&n->args[1]->type.t, &v[1], v[0].s,
                                   n->type.t.kind == PGTYPE_FLOAT8, out, err);
            break;
        case PXF_REPLACE:
            if (!v[0].is_null && !v[1].is_null && !v[2].is_null) {
                buf_t b;
                buf_init(&b);
                const char *s = v[0].s, *from = v[1].s;
                size_t flen = strlen(from);
                for (const char *hit; flen && (hit = strstr(s, from)); s = hit + flen) {
                    buf_append(&b, s, (size_t)(hit - s));
                    buf_puts(&b, v[2].s);
                }
                buf_puts(&b, s);
                set_text(out, b.data ? b.data : "", b.len);
                buf_dispose(&b);
            }
            break;
        case PXF_RANGE:
            rc = make_range(n, v, out, err);
            break;
        case PXF_RANDOM:
            if (env->store) {
                out->is_null = false;
                out->f = store_random(env->store);
            }
            break;
        case PXF_GEN_RANDOM_UUID:
            if (env->store) {
                char *u = store_random_uuid(env->store);
                out->is_null = false;
                out->s = u;
            }
            break;
        case PXF_ABS:
            if (!v[0].is_null) {
                pgtype_kind_t k = n->type.t.kind;
                if (pgtype_kind_is_int(k)) {
                    if (!fits(k, v[0].i < 0 ? -v[0].i : v[0].i) || v[0].i == INT64_MIN) {
                        rc = range_error(k, err);
                        break;
                    }
                    out->is_null = false;
                    out->i = v[0].i < 0 ? -v[0].i : v[0].i;
                } else if (pgtype_kind_is_float(k)) {
                    out->is_null = false;
                    out->f = fabs(v[0].f);
                } else {
                    set_text(out, v[0].s[0] == '-' ? v[0].s + 1 : v[0].s,
                             strlen(v[0].s[0] == '-' ? v[0].s + 1 : v[0].s));
                }
            }
            break;
        case PXF_TO_JSONB:
        case PXF_TO_JSON:
        case PXF_JSONB_BUILD_OBJECT:
        case PXF_JSON_BUILD_OBJECT: {
            if ((n->fn == PXF_TO_JSONB || n->fn == PXF_TO_JSON) && v[0].is_null)
                break;
            buf_t b;
            buf_init(&b);
            if (n->fn == PXF_TO_JSONB || n->fn == PXF_TO_JSON) {
                json_of(&n->args[0]->type, &v[0], &b);
            } else {
                buf_putc(&b, '{');
                for (size_t i = 0; i + 1 < n->nargs; i += 2) {
                    if (v[i].is_null) {
                        rc = pgrst_error_setf(err, "22004", "argument %zu: key must not be null",
                                              i + 1);
                        break;
                    }
                    buf_t key;
                    buf_init(&key);
                    text_of(&n->args[i]->type, &v[i], &key);
                    ptype_t text = px_ptype_of(PGTYPE_TEXT);
                    pgvalue_t kv = {.is_null = false, .s = (char *)buf_cstr(&key)};
                    if (i)
                        buf_puts(&b, n->fn == PXF_JSON_BUILD_OBJECT ? " , " : ", ");
                    pgvalue_render_json(&text.t, &kv, &b);
                    buf_puts(&b, n->fn == PXF_JSON_BUILD_OBJECT ? " : " : ": ");
                    json_of(&n->args[i + 1]->type, &v[i + 1], &b);
                    buf_dispose(&key);
                }
                buf_putc(&b, '}');
            }
            if (rc == 0) {
                if (n->fn == PXF_JSON_BUILD_OBJECT || n->fn == PXF_TO_JSON) {
                    set_text(out, b.data ? b.data : "", b.len);
                } else {
                    rc = pgvalue_from_text(&n->type.t, b.data ? b.data : "", b.len, out, err);
                    if (rc < 0)
                        pgvalue_init_null(out);
                }
            }
            buf_dispose(&b);
            break;
        }
        default:
            break;
        }
    }
    for (size_t i = 0; i < got && i < n->nargs; i++)
        pgvalue_dispose(&v[i]);
    free(v);
    if (rc < 0)
        pgvalue_dispose(out);
    return rc;
}

int px_sql_eval(const node_t *n, const ectx_t *env, pgvalue_t *out, pgrst_error_t *err)
{
    pgvalue_init_null(out);
    switch (n->kind) {
    case N_VAR: {
        const pgvalue_t *v = NULL;
        if (!env->names || !env->names->value)
            return pgrst_error_setf(err, "XX000", "supamock: a variable without a scope");
        if (env->names->value(env->names->ctx, n->col, &v, err) < 0)
            return -1;
        if (v)
            pgvalue_copy(out, v);
        return 0;
    }
    case N_AGG:
        if (env->aggs)
            pgvalue_copy(out, &env->aggs[n->col]);
        return 0;
    case N_ARITH:
    case N_CONCAT: {
        pgvalue_t a, b;
        if (px_eval(n->a, env, &a, err) < 0)
            return -1;
        if (px_eval(n->b, env, &b, err) < 0) {
            pgvalue_dispose(&a);
            return -1;
        }
        int rc = 0;
        if (!a.is_null && !b.is_null) {
            if (n->kind == N_ARITH) {
                rc = eval_arith(n, &a, &b, out, err);
            } else {
                buf_t s;
                buf_init(&s);
                text_of(&n->a->type, &a, &s);
                text_of(&n->b->type, &b, &s);
                set_text(out, s.data ? s.data : "", s.len);
                buf_dispose(&s);
            }
        }
        pgvalue_dispose(&a);
        pgvalue_dispose(&b);
        return rc;
    }
    case N_CALL:
        return eval_call(n, env, out, err);
    case N_CASE: {
        for (size_t i = 0; i + 1 < n->nargs; i += 2) {
            policy_truth_t t;
            if (px_eval_truth(n->args[i], env, &t, err) < 0)
                return -1;
            if (t == POLICY_TRUE)
                return px_eval(n->args[i + 1], env, out, err);
        }
        return n->b ? px_eval(n->b, env, out, err) : 0;
    }
    case N_COALESCE:
        for (size_t i = 0; i < n->nargs; i++) {
            if (px_eval(n->args[i], env, out, err) < 0)
                return -1;
            if (!out->is_null)
                return 0;
        }
        return 0;
    case N_NULLIF: {
        policy_truth_t t;
        if (px_eval_truth(n->b, env, &t, err) < 0)
            return -1;
        if (t == POLICY_TRUE)
            return 0;
        return px_eval(n->a, env, out, err);
    }
    case N_DISTINCT: {
        pgvalue_t a, b;
        if (px_eval(n->a->a, env, &a, err) < 0)
            return -1;
        if (px_eval(n->a->b, env, &b, err) < 0) {
            pgvalue_dispose(&a);
            return -1;
        }
        bool distinct;
        if (a.is_null || b.is_null)
            distinct = a.is_null != b.is_null;
        else
            distinct = px_compare(&n->a->a->type, &a, &n->a->b->type, &b) != 0;
        pgvalue_dispose(&a);
        pgvalue_dispose(&b);
        out->is_null = false;
        out->i = distinct != n->negated;
        return 0;
    }
    case N_LIKE: {
        pgvalue_t a, b;
        if (px_eval(n->a, env, &a, err) < 0)
            return -1;
        if (px_eval(n->b, env, &b, err) < 0) {
            pgvalue_dispose(&a);
            return -1;
        }
        int rc = 0;
        if (!a.is_null && !b.is_null) {
            pg_like_t *lk = pg_like_compile(b.s, n->op == 1);
            mock_work_t *w = env->pub->work;
            int m = pg_like_match(lk, a.s, strlen(a.s), w);
            pg_like_free(lk);
            if (m < 0) {
                if (w && w->fail_code)
                    rc = pgrst_error_setf(err, w->fail_code, "%s", w->fail_message);
                else
                    rc = pgrst_error_setf(err, "57014",
                                          "canceling statement due to statement timeout");
            } else {
                out->is_null = false;
                out->i = (m == 1) != n->negated;
            }
        }
        pgvalue_dispose(&a);
        pgvalue_dispose(&b);
        return rc;
    }
    default:
        return 0;
    }
}
