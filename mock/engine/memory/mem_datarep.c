/* Data representations (see mem_datarep.h). */
#include "mem_datarep.h"

#include "sql_parse.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* One column of a domain with a representation, in one direction. */
typedef struct rep {
    const char *schema, *table, *column; /* borrowed from the scenario */
    mem_datarep_dir_t dir;
    const mem_func_t *f;
    bool unknown_coerces; /* mem_datarep_unknown_is_coercion */
} rep_t;

struct mem_datarep {
    rep_t *reps;
    size_t count;
};

static bool same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The catalog's function a cast names: same schema, name and input types
 * (domains included: json(color) is not json(integer)). */
static const mem_func_t *cast_function(const mem_funcs_t *fs, const scenario_cast_t *c)
{
    /* Every function of the catalog, routes or not: json(color) has one
     * unnamed integer parameter, which funcsSqlQuery does not call a route. */
    for (size_t i = 0; i < mem_funcs_count(fs); i++) {
        const mem_func_t *f = mem_funcs_at(fs, i);
        const scenario_function_t *d = f->def;
        if (strcmp(f->routine.schema, c->func_schema) != 0 ||
            strcmp(f->routine.name, c->func_name) != 0)
            continue;
        size_t k = 0;
        bool ok = true;
        for (size_t j = 0; ok && j < d->param_count; j++) {
            scenario_arg_mode_t m = d->params[j].mode;
            if (m != SCENARIO_ARG_IN && m != SCENARIO_ARG_INOUT && m != SCENARIO_ARG_VARIADIC)
                continue;
            ok = k < c->func_arg_count && strcmp(d->params[j].type, c->func_arg_types[k]) == 0 &&
                 same(d->params[j].domain, c->func_arg_domains[k]);
            k++;
        }
        if (ok && k == c->func_arg_count && f->kind == MEM_RET_SCALAR && !f->returns_set)
            return f;
    }
    return NULL;
}

/* The cast of `domain` in direction dir: (domain, json), (text, domain),
 * (json, domain), the last one created winning as pg_cast keeps one per
 * pair. */
static const scenario_cast_t *find_cast(const scenario_t *sc, const char *domain,
                                        mem_datarep_dir_t dir)
{
    const scenario_cast_t *hit = NULL;
    for (size_t i = 0; i < sc->cast_count; i++) {
        const scenario_cast_t *c = &sc->casts[i];
        if (c->context != 'i')
            continue;
        bool match =
            dir == MEM_DATAREP_TO_JSON
                ? c->source_domain && strcmp(c->source, domain) == 0 &&
                      strcmp(c->target, "json") == 0
                : c->target_domain && strcmp(c->target, domain) == 0 &&
                      strcmp(c->source, dir == MEM_DATAREP_FROM_TEXT ? "text" : "json") == 0;
        if (match)
            hit = c;
    }
    return hit;
}

static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* Adds col's representations in every direction its domain has one. */
static void add_reps(mem_datarep_t *dr, size_t *cap, const scenario_t *sc, const mem_funcs_t *fs,
                     const char *schema, const char *table, const char *column, const char *domain,
                     const char *base_type)
{
    for (int dir = MEM_DATAREP_TO_JSON; dir <= MEM_DATAREP_FROM_JSON; dir++) {
        const scenario_cast_t *cast = find_cast(sc, domain, (mem_datarep_dir_t)dir);
        const mem_func_t *f = cast ? cast_function(fs, cast) : NULL;
        /* has_function_privilege(castfunc, 'execute') as the schema
         * cache's role, the authenticator. */
        if (!f || !mem_func_may_execute(f, "authenticator"))
            continue;
        if (dr->count == *cap) {
            *cap = *cap ? 2 * *cap : 8;
            dr->reps = xrealloc(dr->reps, *cap * sizeof *dr->reps);
        }
        /* FuncNameAsType: the function's qualified name names the domain
         * (domains are known by name alone here). */
        pgtype_t base;
        char *why = NULL;
        bool string_domain = base_type && pgtype_parse(base_type, NULL, 0, &base, &why) == 0 &&
                             !base.is_array && pgtype_kind_is_string(base.kind);
        free(why);
        dr->reps[dr->count++] =
            (rep_t){schema, table,
                    column, (mem_datarep_dir_t)dir,
                    f,      strcmp(f->routine.name, domain) == 0 && string_domain};
    }
}

/* The domain of a scenario table's column, NULL when none. */
static const scenario_column_t *scenario_column(const scenario_t *sc, const char *schema,
                                                const char *table, const char *column)
{
    for (size_t t = 0; t < sc->table_count; t++) {
        const scenario_table_t *tbl = &sc->tables[t];
        if (strcmp(tbl->schema, schema) != 0 || strcmp(tbl->name, table) != 0)
            continue;
        for (size_t c = 0; c < tbl->column_count; c++)
            if (strcmp(tbl->columns[c].name, column) == 0)
                return &tbl->columns[c];
    }
    return NULL;
}

/* The domain a view's target `expr::name` casts to, NULL when it is no
 * cast to a domain (pg_catalog's names never are). */
static const char *cast_domain(const scenario_t *sc, const cJSON *val)
{
    const cJSON *names = get(get(get(val, "TypeCast"), "typeName"), "names");
    int n = cJSON_IsArray(names) ? cJSON_GetArraySize(names) : 0;
    if (n == 0 || cJSON_GetArraySize(get(get(get(val, "TypeCast"), "typeName"), "arrayBounds")))
        return NULL;
    const cJSON *first = get(cJSON_GetArrayItem(names, 0), "String");
    const cJSON *last = get(cJSON_GetArrayItem(names, n - 1), "String");
    const cJSON *sv = get(last, "sval"), *fv = get(first, "sval");
    if (!cJSON_IsString(sv) ||
        (n > 1 && cJSON_IsString(fv) && strcmp(fv->valuestring, "pg_catalog") == 0))
        return NULL;
    for (size_t i = 0; i < sc->domain_count; i++)
        if (strcmp(sc->domain_names[i], sv->valuestring) == 0)
            return sc->domain_names[i];
    return NULL;
}

/* `*` or `t.*` in a target list. */
static bool is_star(const cJSON *val)
{
    const cJSON *fields = get(get(val, "ColumnRef"), "fields");
    int n = cJSON_IsArray(fields) ? cJSON_GetArraySize(fields) : 0;
    return n > 0 && get(cJSON_GetArrayItem(fields, n - 1), "A_Star") != NULL;
}

/* A view's columns: by the query's target list when it names each column
 * (no `*`), else by their origins alone. */
static void view_reps(mem_datarep_t *dr, size_t *cap, const scenario_t *sc, const mem_funcs_t *fs,
                      const store_t *store, const scenario_table_t *v)
{
    const store_table_t *t = store_find_table((store_t *)store, v->schema, v->name);
    if (!t)
        return;
    sql_script_t script;
    sql_error_t perr;
    const cJSON *targets = NULL;
    bool parsed = sql_parse_script(v->view_sql, &script, &perr) == 0;
    if (parsed && script.count == 1) {
        const cJSON *q = get(script.stmts[0].node, "query");
        targets = get(get(q, "SelectStmt"), "targetList");
        for (const cJSON *e = cJSON_IsArray(targets) ? targets->child : NULL; e; e = e->next)
            if (is_star(get(get(e, "ResTarget"), "val")))
                targets = NULL; /* a `*`: columns are not the entries one for one */
    }
    size_t ncols = store_table_column_count(t);
    for (size_t c = 0; c < ncols; c++) {
        const char *domain = NULL, *base = NULL;
        const cJSON *entry = targets ? cJSON_GetArrayItem(targets, (int)c) : NULL;
        const cJSON *val = get(get(entry, "ResTarget"), "val");
        const char *d = entry ? cast_domain(sc, val) : NULL;
        if (get(val, "TypeCast") && !d)
            continue; /* cast to another type: of that type, whatever it reads */
        if (d) {
            domain = d;
            for (size_t i = 0; i < sc->domain_count; i++)
                if (sc->domain_names[i] == d)
                    base = sc->domain_types[i];
        } else {
            const store_table_t *ot = t;
            size_t oc = c;
            const scenario_column_t *sccol = NULL;
            /* through views over views, to the table's column */
            for (int hops = 0; hops < 32 && store_column_origin(ot, oc, &ot, &oc); hops++)
                sccol = scenario_column(sc, store_table_schema(ot), store_table_name(ot),
                                        store_table_column(ot, oc)->name);
            if (sccol && sccol->domain) {
                domain = sccol->domain;
                base = sccol->type;
            }
        }
        if (domain)
            add_reps(dr, cap, sc, fs, v->schema, v->name, store_table_column(t, c)->name, domain,
                     base);
    }
    if (parsed)
        sql_script_dispose(&script);
}

mem_datarep_t *mem_datarep_new(const scenario_t *sc, const mem_funcs_t *fs, const store_t *store)
{
    if (!fs || sc->cast_count == 0)
        return NULL;
    mem_datarep_t *dr = xcalloc(1, sizeof *dr);
    size_t cap = 0;
    for (size_t t = 0; t < sc->table_count; t++) {
        const scenario_table_t *tbl = &sc->tables[t];
        if (tbl->view_sql) {
            if (store)
                view_reps(dr, &cap, sc, fs, store, tbl);
            continue;
        }
        for (size_t c = 0; c < tbl->column_count; c++) {
            const scenario_column_t *col = &tbl->columns[c];
            if (col->domain)
                add_reps(dr, &cap, sc, fs, tbl->schema, tbl->name, col->name, col->domain,
                         col->type);
        }
    }
    if (dr->count == 0) {
        mem_datarep_free(dr);
        return NULL;
    }
    return dr;
}

void mem_datarep_free(mem_datarep_t *dr)
{
    if (!dr)
        return;
    free(dr->reps);
    free(dr);
}

static const rep_t *find(const mem_datarep_t *dr, const store_table_t *t, size_t col,
                         mem_datarep_dir_t dir)
{
    if (!dr || col >= store_table_column_count(t))
        return NULL;
    const char *schema = store_table_schema(t), *name = store_table_name(t);
    const char *column = store_table_column(t, col)->name;
    for (size_t i = 0; i < dr->count; i++) {
        const rep_t *r = &dr->reps[i];
        if (r->dir == dir && strcmp(r->column, column) == 0 && strcmp(r->table, name) == 0 &&
            strcmp(r->schema, schema) == 0)
            return r;
    }
    return NULL;
}

bool mem_datarep_unknown_is_coercion(const mem_datarep_t *dr, const store_table_t *t, size_t col,
                                     mem_datarep_dir_t dir)
{
    const rep_t *r = find(dr, t, col, dir);
    return r && r->unknown_coerces;
}

const mem_func_t *mem_datarep_find(const mem_datarep_t *dr, const store_table_t *t, size_t col,
                                   mem_datarep_dir_t dir)
{
    const rep_t *r = find(dr, t, col, dir);
    return r ? r->f : NULL;
}

int mem_datarep_apply(const mem_func_t *f, const pgvalue_t *in, const mem_call_env_t *env,
                      pgvalue_t *out, pgtype_t *out_type, pgrst_error_t *err)
{
    *out_type = f->ret_type;
    if (in->is_null && f->def->strict) {
        pgvalue_init_null(out);
        return 0;
    }
    sql_result_t r;
    sql_result_init(&r);
    if (mem_func_call(f, in, NULL, env, &r, err) < 0)
        return -1;
    if (r.nrows >= 1 && r.ncols >= 1)
        pgvalue_copy(out, &r.values[0]);
    else
        pgvalue_init_null(out);
    sql_result_dispose(&r);
    return 0;
}
