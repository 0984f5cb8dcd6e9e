/* The root endpoint's OpenAPI document (Response/OpenAPI.hs postgrestSpec).
 *
 * Key order is aeson's encoding of swagger2's types: the records that have a
 * generic toEncoding (Swagger, PathItem, the definitions' Schema, Param) keep
 * their field order; values that only have toJSON (Info, Operation, Response,
 * and every schema behind a Referenced such as a column's property) go
 * through aeson's Value, whose objects print with sorted keys; the
 * InsOrdHashMaps (paths, definitions, parameters, properties) keep insertion
 * order. A hosted project's answer shows exactly that shape. The relations
 * come from a HashMap in PostgREST, whose order depends on hashing; here they
 * come sorted by name.
 *
 * Everything written goes to the caller's buffer; scratch strings live in the
 * request arena. */
#include "openapi.h"

#include "pgrst_error.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one relation shows, gathered once. */
typedef struct oa_rel {
    const engine_relation_t *rel;
    const char *name;
    const char *description;
    bool writable;
    size_t ncols;
    engine_column_info_t *cols;
    engine_relationship_t *fks;
    size_t nfks;
} oa_rel_t;

static void str(buf_t *b, const char *s)
{
    buf_put_json_string(b, s);
}

/* "key": */
static void key(buf_t *b, const char *k)
{
    str(b, k);
    buf_putc(b, ':');
}

/* toSwaggerType: NULL for json/jsonb (no type). */
static const char *swagger_type(const char *t)
{
    static const char *const strings[] = {"character varying", "character", "text"};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (strcmp(t, strings[i]) == 0)
            return "string";
    if (strcmp(t, "boolean") == 0)
        return "boolean";
    if (strcmp(t, "smallint") == 0 || strcmp(t, "integer") == 0 || strcmp(t, "bigint") == 0)
        return "integer";
    if (strcmp(t, "numeric") == 0 || strcmp(t, "real") == 0 || strcmp(t, "double precision") == 0)
        return "number";
    if (strcmp(t, "json") == 0 || strcmp(t, "jsonb") == 0)
        return NULL;
    size_t n = strlen(t);
    if (n >= 2 && strcmp(t + n - 2, "[]") == 0)
        return "array";
    return "string";
}

/* toSwaggerFormat */
static const char *swagger_format(const char *t)
{
    if (strcmp(t, "smallint") == 0 || strcmp(t, "integer") == 0)
        return "int32";
    if (strcmp(t, "bigint") == 0)
        return "int64";
    return t;
}

/* A JSON number as aeson re-encodes the Scientific it decoded: no trailing
 * fractional zeros, integral values without a point (fixed notation only;
 * exponents are left as cJSON prints them). */
static void number_text(buf_t *b, const char *raw)
{
    size_t n = strlen(raw);
    if (strpbrk(raw, "eE") || !strchr(raw, '.')) {
        buf_append(b, raw, n);
        return;
    }
    while (n && raw[n - 1] == '0')
        n--;
    if (n && raw[n - 1] == '.')
        n--;
    buf_append(b, raw, n);
}

/* parseDefault, then JSON.decode: the default as JSON, or false when it
 * does not decode (PostgREST then shows none). String-typed columns get the
 * "::type" suffix and surrounding quotes dropped and are wrapped in double
 * quotes, as text (no escaping: a default containing a quote or backslash
 * decodes as JSON would read it, or not at all). */
static bool put_default(buf_t *b, const char *type, const char *expr, arena_t *arena)
{
    const char *st = swagger_type(type);
    const char *text = expr;
    if (st && strcmp(st, "string") == 0) {
        size_t n = strlen(expr);
        const char *suffix = arena_sprintf(arena, "::%s", type);
        size_t sn = strlen(suffix);
        const char *body = expr;
        if (n >= sn && strcmp(expr + n - sn, suffix) == 0) {
            n -= sn;
            while (n && *body == '\'') { /* T.dropAround (=='\'') */
                body++;
                n--;
            }
            while (n && body[n - 1] == '\'')
                n--;
        }
        text = arena_sprintf(arena, "\"%.*s\"", (int)n, body);
    }
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithOpts(text, &end, true);
    if (!v)
        return false;
    bool ok = true;
    if (cJSON_IsString(v)) {
        key(b, "default");
        str(b, v->valuestring);
    } else if (cJSON_IsBool(v)) {
        key(b, "default");
        buf_puts(b, cJSON_IsTrue(v) ? "true" : "false");
    } else if (cJSON_IsNull(v)) {
        key(b, "default");
        buf_puts(b, "null");
    } else if (cJSON_IsNumber(v)) {
        /* The literal as written (cJSON keeps no text): trim what aeson would. */
        const char *p = text;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        size_t len = strspn(p, "-+0123456789.eE");
        key(b, "default");
        number_text(b, arena_sprintf(arena, "%.*s", (int)len, p));
    } else {
        /* Objects and arrays: a column default never prints as one bare. */
        char *printed = cJSON_PrintUnformatted(v);
        key(b, "default");
        buf_puts(b, printed ? printed : "null");
        free(printed);
    }
    cJSON_Delete(v);
    return ok;
}

/* The foreign key of a single column (makeProperty's fk): the first
 * relationship from this relation over exactly this column. */
static const engine_relationship_t *column_fk(const oa_rel_t *r, const char *schema,
                                              const char *col)
{
    for (size_t i = 0; i < r->nfks; i++) {
        const engine_relationship_t *f = &r->fks[i];
        if (strcmp(f->schema, schema) == 0 && strcmp(f->relation, r->name) == 0 &&
            strcmp(f->column, col) == 0)
            return f;
    }
    return NULL;
}

/* A column's property (an Inline Schema: sorted keys). */
static void put_property(buf_t *b, const oa_rel_t *r, const char *schema,
                         const engine_column_info_t *c, arena_t *arena)
{
    const char *t = c->data_type ? c->data_type : c->type;
    key(b, c->name);
    buf_putc(b, '{');
    size_t mark = b->len;
    if (c->default_expr && put_default(b, t, c->default_expr, arena))
        buf_putc(b, ',');
    /* description: the comment, then "Note:" lines for the keys. */
    const engine_relationship_t *fk = column_fk(r, schema, c->name);
    if (c->primary_key || fk) {
        buf_t d;
        buf_init(&d);
        if (c->description)
            buf_printf(&d, "%s\n\n", c->description);
        buf_puts(&d, "Note:");
        if (c->primary_key)
            buf_puts(&d, "\nThis is a Primary Key.<pk/>");
        if (fk)
            buf_printf(&d, "\nThis is a Foreign Key to `%s.%s`.<fk table='%s' column='%s'/>",
                       fk->ref_relation, fk->ref_column, fk->ref_relation, fk->ref_column);
        key(b, "description");
        str(b, buf_cstr(&d));
        buf_putc(b, ',');
        buf_dispose(&d);
    } else if (c->description) {
        key(b, "description");
        str(b, c->description);
        buf_putc(b, ',');
    }
    if (c->enum_count) {
        key(b, "enum");
        buf_putc(b, '[');
        for (size_t i = 0; i < c->enum_count; i++) {
            if (i)
                buf_putc(b, ',');
            str(b, c->enum_labels[i]);
        }
        buf_puts(b, "],");
    }
    key(b, "format");
    str(b, swagger_format(t));
    const char *st = swagger_type(t);
    if (st && strcmp(st, "array") == 0) {
        /* items: the element's type, or {} when it has none (json[]). */
        char *elem = arena_sprintf(arena, "%.*s", (int)(strlen(t) - 2), t);
        const char *et = swagger_type(elem);
        buf_puts(b, ",\"items\":{");
        if (et) {
            key(b, "type");
            str(b, et);
        }
        buf_putc(b, '}');
    }
    if (c->max_length >= 0)
        buf_printf(b, ",\"maxLength\":%d", c->max_length);
    if (st) {
        buf_putc(b, ',');
        key(b, "type");
        str(b, st);
    }
    (void)mark;
    buf_putc(b, '}');
}

/* definitions.<table>: a Schema in field order (description, required,
 * properties, type). */
static void put_definition(buf_t *b, const oa_rel_t *r, const char *schema, arena_t *arena)
{
    key(b, r->name);
    buf_putc(b, '{');
    if (r->description) {
        key(b, "description");
        str(b, r->description);
        buf_putc(b, ',');
    }
    bool any_required = false;
    for (size_t i = 0; i < r->ncols; i++)
        any_required = any_required || !r->cols[i].nullable;
    if (any_required) {
        key(b, "required");
        buf_putc(b, '[');
        bool first = true;
        for (size_t i = 0; i < r->ncols; i++) {
            if (r->cols[i].nullable)
                continue;
            if (!first)
                buf_putc(b, ',');
            first = false;
            str(b, r->cols[i].name);
        }
        buf_puts(b, "],");
    }
    key(b, "properties");
    buf_putc(b, '{');
    for (size_t i = 0; i < r->ncols; i++) {
        if (i)
            buf_putc(b, ',');
        put_property(b, r, schema, &r->cols[i], arena);
    }
    buf_puts(b, "},\"type\":\"object\"}");
}

static void put_refs(buf_t *b, const oa_rel_t *r, bool row_filters, const char *const *names,
                     size_t n)
{
    key(b, "parameters");
    buf_putc(b, '[');
    bool first = true;
    if (row_filters) {
        for (size_t i = 0; i < r->ncols; i++) {
            buf_printf(b, "%s{\"$ref\":", first ? "" : ",");
            first = false;
            buf_t ref;
            buf_init(&ref);
            buf_printf(&ref, "#/parameters/rowFilter.%s.%s", r->name, r->cols[i].name);
            str(b, buf_cstr(&ref));
            buf_dispose(&ref);
            buf_putc(b, '}');
        }
    }
    for (size_t i = 0; i < n; i++) {
        buf_printf(b, "%s{\"$ref\":", first ? "" : ",");
        first = false;
        buf_t ref;
        buf_init(&ref);
        if (strcmp(names[i], "body") == 0)
            buf_printf(&ref, "#/parameters/body.%s", r->name);
        else
            buf_printf(&ref, "#/parameters/%s", names[i]);
        str(b, buf_cstr(&ref));
        buf_dispose(&ref);
        buf_putc(b, '}');
    }
    buf_puts(b, "],");
}

/* An Operation (toJSON: sorted keys: description, parameters, responses,
 * summary, tags). The table's comment: first line the summary, the rest
 * (leading newlines dropped) the description when not empty. */
static void put_operation(buf_t *b, const oa_rel_t *r, const char *method)
{
    key(b, method);
    buf_putc(b, '{');
    const char *summary = NULL, *desc = NULL;
    size_t summary_n = 0;
    if (r->description) {
        const char *nl = strchr(r->description, '\n');
        summary = r->description;
        summary_n = nl ? (size_t)(nl - summary) : strlen(summary);
        if (nl) {
            while (*nl == '\n')
                nl++;
            if (*nl)
                desc = nl;
        }
    }
    if (desc) {
        key(b, "description");
        str(b, desc);
        buf_putc(b, ',');
    }
    if (strcmp(method, "get") == 0) {
        static const char *const p[] = {"select", "order", "range",      "rangeUnit",
                                        "offset", "limit", "preferCount"};
        put_refs(b, r, true, p, sizeof p / sizeof p[0]);
        key(b, "responses");
        buf_puts(b, "{\"200\":{\"description\":\"OK\",\"schema\":{\"items\":{\"$ref\":");
        buf_t ref;
        buf_init(&ref);
        buf_printf(&ref, "#/definitions/%s", r->name);
        str(b, buf_cstr(&ref));
        buf_dispose(&ref);
        buf_puts(b, "},\"type\":\"array\"}},\"206\":{\"description\":\"Partial Content\"}},");
    } else if (strcmp(method, "post") == 0) {
        static const char *const p[] = {"body", "select", "preferPost"};
        put_refs(b, r, false, p, 3);
        buf_puts(b, "\"responses\":{\"201\":{\"description\":\"Created\"}},");
    } else if (strcmp(method, "delete") == 0) {
        static const char *const p[] = {"preferReturn"};
        put_refs(b, r, true, p, 1);
        buf_puts(b, "\"responses\":{\"204\":{\"description\":\"No Content\"}},");
    } else { /* patch */
        static const char *const p[] = {"body", "preferReturn"};
        put_refs(b, r, true, p, 2);
        buf_puts(b, "\"responses\":{\"204\":{\"description\":\"No Content\"}},");
    }
    if (summary) {
        key(b, "summary");
        buf_append_json_string(b, summary, summary_n);
        buf_putc(b, ',');
    }
    buf_puts(b, "\"tags\":[");
    str(b, r->name);
    buf_puts(b, "]}");
}

/* paths./<table>: a PathItem in field order (get, post, delete, patch). */
static void put_path(buf_t *b, const oa_rel_t *r)
{
    buf_t p;
    buf_init(&p);
    buf_printf(&p, "/%s", r->name);
    key(b, buf_cstr(&p));
    buf_dispose(&p);
    buf_putc(b, '{');
    put_operation(b, r, "get");
    if (r->writable) {
        buf_putc(b, ',');
        put_operation(b, r, "post");
        buf_putc(b, ',');
        put_operation(b, r, "delete");
        buf_putc(b, ',');
        put_operation(b, r, "patch");
    }
    buf_putc(b, '}');
}

/* A Param in field order: name, description, required, then the schema's
 * default/enum, in, type (as a hosted project's document shows them). */
static void put_param(buf_t *b, const char *id, const char *name, const char *desc, const char *def,
                      const char *const *enu, size_t nenu, const char *in)
{
    key(b, id);
    buf_putc(b, '{');
    key(b, "name");
    str(b, name);
    if (desc) {
        buf_putc(b, ',');
        key(b, "description");
        str(b, desc);
    }
    buf_puts(b, ",\"required\":false");
    if (def) {
        buf_putc(b, ',');
        key(b, "default");
        str(b, def);
    }
    if (nenu) {
        buf_puts(b, ",\"enum\":[");
        for (size_t i = 0; i < nenu; i++) {
            if (i)
                buf_putc(b, ',');
            str(b, enu[i]);
        }
        buf_putc(b, ']');
    }
    buf_puts(b, ",\"in\":");
    str(b, in);
    buf_puts(b, ",\"type\":\"string\"}");
}

static void put_parameters(buf_t *b, const oa_rel_t *rels, size_t n)
{
    static const char *const ret[] = {"return=representation", "return=minimal", "return=none"};
    static const char *const cnt[] = {"count=none"};
    static const char *const post[] = {"return=representation", "return=minimal", "return=none",
                                       "resolution=ignore-duplicates",
                                       "resolution=merge-duplicates"};
    key(b, "parameters");
    buf_putc(b, '{');
    /* makePreferParam ["params"]: no values, so no enum (OpenApiSpec.hs
     * "does not include empty enum in the preferParams parameter"). */
    put_param(b, "preferParams", "Prefer", "Preference", NULL, NULL, 0, "header");
    buf_putc(b, ',');
    put_param(b, "preferReturn", "Prefer", "Preference", NULL, ret, 3, "header");
    buf_putc(b, ',');
    put_param(b, "preferCount", "Prefer", "Preference", NULL, cnt, 1, "header");
    buf_putc(b, ',');
    put_param(b, "preferPost", "Prefer", "Preference", NULL, post, 5, "header");
    buf_putc(b, ',');
    put_param(b, "select", "select", "Filtering Columns", NULL, NULL, 0, "query");
    buf_putc(b, ',');
    put_param(b, "on_conflict", "on_conflict", "On Conflict", NULL, NULL, 0, "query");
    buf_putc(b, ',');
    put_param(b, "order", "order", "Ordering", NULL, NULL, 0, "query");
    buf_putc(b, ',');
    put_param(b, "range", "Range", "Limiting and Pagination", NULL, NULL, 0, "header");
    buf_putc(b, ',');
    put_param(b, "rangeUnit", "Range-Unit", "Limiting and Pagination", "items", NULL, 0, "header");
    buf_putc(b, ',');
    put_param(b, "offset", "offset", "Limiting and Pagination", NULL, NULL, 0, "query");
    buf_putc(b, ',');
    put_param(b, "limit", "limit", "Limiting and Pagination", NULL, NULL, 0, "query");
    for (size_t i = 0; i < n; i++) {
        const oa_rel_t *r = &rels[i];
        buf_t id;
        buf_init(&id);
        buf_printf(&id, "body.%s", r->name);
        buf_putc(b, ',');
        key(b, buf_cstr(&id));
        buf_puts(b, "{\"name\":");
        str(b, r->name);
        buf_puts(b, ",\"description\":");
        str(b, r->name);
        buf_puts(b, ",\"required\":false,\"in\":\"body\",\"schema\":{\"$ref\":");
        buf_reset(&id);
        buf_printf(&id, "#/definitions/%s", r->name);
        str(b, buf_cstr(&id));
        buf_puts(b, "}}");
        for (size_t c = 0; c < r->ncols; c++) {
            buf_reset(&id);
            buf_printf(&id, "rowFilter.%s.%s", r->name, r->cols[c].name);
            buf_putc(b, ',');
            put_param(b, buf_cstr(&id), r->cols[c].name, r->cols[c].description, NULL, NULL, 0,
                      "query");
        }
        buf_dispose(&id);
    }
    buf_putc(b, '}');
}

/* makeProcGetParam: an Inline Param (sorted keys). */
static void put_proc_get_param(buf_t *b, const engine_routine_param_t *p, arena_t *arena)
{
    const char *st = swagger_type(p->type);
    buf_putc(b, '{');
    if (p->variadic) {
        /* schemaMulti: collectionFormat multi, items of the element type. */
        size_t n = strlen(p->type);
        const char *elem = n >= 2 ? arena_sprintf(arena, "%.*s", (int)(n - 2), p->type) : p->type;
        const char *et = swagger_type(elem);
        buf_puts(b, "\"collectionFormat\":\"multi\",\"in\":\"query\",\"items\":{\"format\":");
        str(b, swagger_format(elem));
        if (et) {
            buf_puts(b, ",\"type\":");
            str(b, et);
        }
        buf_puts(b, "},\"name\":");
        str(b, p->name);
        buf_printf(b, ",\"required\":%s,\"type\":", p->required ? "true" : "false");
        str(b, st ? st : "string");
    } else {
        /* schemaNotMulti: arrays and untyped (json) parameters are strings
         * in a query string. */
        buf_puts(b, "\"format\":");
        str(b, swagger_format(p->type));
        buf_puts(b, ",\"in\":\"query\",\"name\":");
        str(b, p->name);
        buf_printf(b, ",\"required\":%s,\"type\":", p->required ? "true" : "false");
        str(b, st && strcmp(st, "array") != 0 ? st : "string");
    }
    buf_putc(b, '}');
}

/* makeProcSchema: the body parameter's schema (an Inline Schema: sorted
 * keys, its properties sorted by name too). */
static void put_proc_schema(buf_t *b, const engine_openapi_routine_t *r, arena_t *arena)
{
    size_t n = r->param_count;
    size_t *order = arena_calloc(arena, n ? n : 1, sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = 1; i < n; i++) /* insertion sort by name: n is small */
        for (size_t j = i;
             j > 0 && strcmp(r->params[order[j - 1]].name, r->params[order[j]].name) > 0; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    buf_putc(b, '{');
    if (r->description) {
        key(b, "description");
        str(b, r->description);
        buf_putc(b, ',');
    }
    buf_puts(b, "\"properties\":{");
    for (size_t k = 0; k < n; k++) {
        const engine_routine_param_t *p = &r->params[order[k]];
        const char *st = swagger_type(p->type);
        if (k)
            buf_putc(b, ',');
        key(b, p->name);
        buf_puts(b, "{\"format\":");
        str(b, swagger_format(p->type));
        if (st && strcmp(st, "array") == 0) {
            size_t tn = strlen(p->type);
            const char *et = swagger_type(arena_sprintf(arena, "%.*s", (int)(tn - 2), p->type));
            buf_puts(b, ",\"items\":{");
            if (et) {
                key(b, "type");
                str(b, et);
            }
            buf_putc(b, '}');
        }
        if (st) {
            buf_puts(b, ",\"type\":");
            str(b, st);
        }
        buf_putc(b, '}');
    }
    buf_putc(b, '}');
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any = any || r->params[i].required;
    if (any) {
        buf_puts(b, ",\"required\":[");
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            if (!r->params[i].required)
                continue;
            if (!first)
                buf_putc(b, ',');
            first = false;
            str(b, r->params[i].name);
        }
        buf_putc(b, ']');
    }
    buf_puts(b, ",\"type\":\"object\"}");
}

/* makeProcPathItem: "/rpc/name" with post, and get unless volatile
 * (PathItem's field order: get, post). */
static void put_proc_path(buf_t *b, const engine_openapi_routine_t *r, arena_t *arena)
{
    buf_t p;
    buf_init(&p);
    buf_printf(&p, "/rpc/%s", r->name);
    key(b, buf_cstr(&p));
    buf_dispose(&p);
    const char *summary = NULL, *desc = NULL;
    size_t summary_n = 0;
    if (r->description) {
        const char *nl = strchr(r->description, '\n');
        summary = r->description;
        summary_n = nl ? (size_t)(nl - summary) : strlen(summary);
        if (nl) {
            while (*nl == '\n')
                nl++;
            if (*nl)
                desc = nl;
        }
    }
    buf_putc(b, '{');
    for (int get = r->is_volatile ? 0 : 1; get >= 0; get--) {
        key(b, get ? "get" : "post");
        buf_putc(b, '{');
        if (desc) {
            key(b, "description");
            str(b, desc);
            buf_putc(b, ',');
        }
        buf_puts(b, "\"parameters\":[");
        if (get) {
            for (size_t i = 0; i < r->param_count; i++) {
                if (i)
                    buf_putc(b, ',');
                put_proc_get_param(b, &r->params[i], arena);
            }
        } else {
            buf_puts(b, "{\"in\":\"body\",\"name\":\"args\",\"required\":true,\"schema\":");
            put_proc_schema(b, r, arena);
            buf_puts(b, "},{\"$ref\":\"#/parameters/preferParams\"}");
        }
        buf_puts(b, "],\"produces\":[\"application/json\",\"application/"
                    "vnd.pgrst.object+json;nulls=stripped\",\"application/vnd.pgrst.object+json\"],"
                    "\"responses\":{\"200\":{\"description\":\"OK\"}},");
        if (summary) {
            key(b, "summary");
            buf_append_json_string(b, summary, summary_n);
            buf_putc(b, ',');
        }
        buf_t tag;
        buf_init(&tag);
        buf_printf(&tag, "(rpc) %s", r->name);
        buf_puts(b, "\"tags\":[");
        str(b, buf_cstr(&tag));
        buf_puts(b, "]}");
        buf_dispose(&tag);
        if (get)
            buf_putc(b, ',');
    }
    buf_putc(b, '}');
}

static int cmp_routine(const void *a, const void *b)
{
    return strcmp(((const engine_openapi_routine_t *)a)->name,
                  ((const engine_openapi_routine_t *)b)->name);
}

static int cmp_rel(const void *a, const void *b)
{
    return strcmp(((const oa_rel_t *)a)->name, ((const oa_rel_t *)b)->name);
}

void openapi_render(engine_t *e, const char *schema, const char *role, int postgrest_major,
                    arena_t *arena, buf_t *out)
{
    const engine_ops_t *ops = e->ops;
    if (ops->openapi_load)
        ops->openapi_load(e);
    const char **names = NULL;
    size_t nnames = ops->relation_names(e, schema, arena, &names);
    oa_rel_t *rels = arena_calloc(arena, nnames ? nnames : 1, sizeof *rels);
    size_t n = 0;
    for (size_t i = 0; i < nnames; i++) {
        const engine_relation_t *rel = ops->find_relation(e, schema, names[i]);
        if (!rel)
            continue;
        /* openapi-mode follow-privileges (the default): accessibleTables. */
        if (role && ops->relation_accessible && !ops->relation_accessible(e, rel, role))
            continue;
        oa_rel_t *r = &rels[n++];
        r->rel = rel;
        r->name = ops->relation_name(rel);
        r->description = ops->relation_description ? ops->relation_description(rel) : NULL;
        r->writable = ops->relation_writable ? ops->relation_writable(rel) : true;
        r->ncols = ops->column_count(rel);
        r->cols = arena_calloc(arena, r->ncols ? r->ncols : 1, sizeof *r->cols);
        for (size_t c = 0; c < r->ncols; c++)
            ops->column(rel, c, arena, &r->cols[c]);
        r->nfks = ops->relationships(e, rel, arena, &r->fks);
    }
    qsort(rels, n, sizeof *rels, cmp_rel);

    /* Version.hs: prettyVersion is the version's first two components, the
     * docs link its major one; the Server header carries the same version. */
    const char *server = pgrst_server_header(postgrest_major); /* "postgrest/14.5" */
    const char *version = strchr(server, '/') ? strchr(server, '/') + 1 : server;
    int major = atoi(version);

    /* Title and description from COMMENT ON SCHEMA: first line, then the
     * rest with leading newlines dropped ("" when the comment is one line). */
    const char *sd = ops->schema_description ? ops->schema_description(e, schema) : NULL;
    buf_puts(out, "{\"swagger\":\"2.0\",\"info\":{\"description\":");
    if (sd) {
        const char *nl = strchr(sd, '\n');
        const char *rest = nl ? nl : sd + strlen(sd);
        while (*rest == '\n')
            rest++;
        str(out, rest);
        buf_puts(out, ",\"title\":");
        buf_append_json_string(out, sd, nl ? (size_t)(nl - sd) : strlen(sd));
    } else {
        str(out, "This is a dynamic API generated by PostgREST");
        buf_puts(out, ",\"title\":\"PostgREST API\"");
    }
    buf_puts(out, ",\"version\":");
    str(out, version);
    /* proxyUri without openapi-server-proxy-uri: server-host "!4" printed
     * as 0.0.0.0 (escapeHostName), server-port 3000, http, path "/". */
    buf_puts(out, "},\"host\":\"0.0.0.0:3000\",\"basePath\":\"/\",\"schemes\":[\"http\"]");
    static const char mimes[] = "[\"application/json\",\"application/"
                                "vnd.pgrst.object+json;nulls=stripped\",\"application/"
                                "vnd.pgrst.object+json\",\"text/csv\"]";
    buf_printf(out, ",\"consumes\":%s,\"produces\":%s", mimes, mimes);

    buf_puts(out, ",\"paths\":{\"/\":{\"get\":{\"produces\":[\"application/openapi+json\","
                  "\"application/json\"],\"responses\":{\"200\":{\"description\":\"OK\"}},"
                  "\"summary\":\"OpenAPI description (this document)\",\"tags\":["
                  "\"Introspection\"]}}");
    for (size_t i = 0; i < n; i++) {
        buf_putc(out, ',');
        put_path(out, &rels[i]);
    }
    /* Routines after the tables (makePathItems). An overloaded name is one
     * path: the InsOrdHashMap keeps one value per key, the last given. */
    engine_openapi_routine_t *routines = NULL;
    size_t nr =
        ops->openapi_routines ? ops->openapi_routines(e, schema, role, arena, &routines) : 0;
    if (nr > 1)
        qsort(routines, nr, sizeof *routines, cmp_routine);
    for (size_t i = 0; i < nr; i++) {
        if (i + 1 < nr && strcmp(routines[i].name, routines[i + 1].name) == 0)
            continue;
        buf_putc(out, ',');
        put_proc_path(out, &routines[i], arena);
    }
    buf_puts(out, "},\"definitions\":{");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, ',');
        put_definition(out, &rels[i], schema, arena);
    }
    buf_puts(out, "},");
    put_parameters(out, rels, n);
    buf_printf(out,
               ",\"externalDocs\":{\"description\":\"PostgREST Documentation\",\"url\":\"https:"
               "//postgrest.org/en/v%d/references/api.html\"}}",
               major);
}
