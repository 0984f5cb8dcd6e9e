/* The routine catalog of the memory engine and calls of language sql
 * functions (PL/pgSQL: plpgsql.c). See mem_func.h.
 *
 * What PostgREST's schema cache reports of a function follows its
 * funcsSqlQuery (SchemaCache.hs): input parameters only (IN, INOUT,
 * VARIADIC) with type::regtype::text names, the return type's schema and
 * name (a table's row type by the table's name, "record" for TABLE/OUT
 * parameters), proretset, composite when the type is a row type or there
 * are OUT/INOUT/TABLE parameters; trigger functions are not listed; the
 * overloads of a name come fewest parameters first (decodeFuncs' sort). */
#include "mem_func.h"

#include "log.h"
#include "mem_trigger.h"
#include "plpgsql.h"
#include "sql_parse.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mem_funcs {
    const scenario_t *sc;
    store_t *store;
    const security_t *sec;
    mem_func_t **funcs; /* catalog order: schema, name, decodeFuncs' order */
    size_t count;
    mem_func_t **routable; /* those of funcs /rpc reaches: callable, no trigger */
    size_t nroutable;
    mem_triggers_t triggers;
};

static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* ---- types ---- */

int mem_func_type(const store_t *store, const char *name, pgtype_t *out)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", name);
    /* PL/pgSQL's declared types come with trailing blanks ("int "). */
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\n'))
        buf[--n] = '\0';
    char *error = NULL;
    if (pgtype_parse(buf, NULL, 0, out, &error) == 0)
        return 0;
    free(error);
    error = NULL;
    char base[128];
    snprintf(base, sizeof base, "%s", buf);
    char *br = strchr(base, '[');
    if (br)
        *br = '\0';
    const pgtype_enum_t *e = store_find_enum(store, base);
    if (!e)
        return -1;
    const pgtype_enum_t *const list[1] = {e};
    int rc = pgtype_parse(buf, list, 1, out, &error);
    free(error);
    return rc;
}

/* A table's row type: "items", "public.items". */
static const store_table_t *row_type(const store_t *store, const char *fn_schema, const char *name)
{
    const char *dot = strchr(name, '.');
    if (dot) {
        char schema[64];
        size_t k = (size_t)(dot - name);
        if (k >= sizeof schema)
            return NULL;
        memcpy(schema, name, k);
        schema[k] = '\0';
        return store_find_table(store, schema, dot + 1);
    }
    const store_table_t *t = store_find_table(store, fn_schema, name);
    if (!t)
        t = store_find_table(store, "public", name);
    if (t)
        return t;
    /* The scenario names a type without the schema it was written with
     * (`test.items` in a function of public): the one table of that name. */
    for (size_t i = 0; i < store_table_count(store); i++) {
        const store_table_t *c = store_table_at(store, i);
        if (strcmp(store_table_name(c), name) != 0)
            continue;
        if (t)
            return NULL; /* several: not knowable here */
        t = c;
    }
    return t;
}

/* ---- the catalog ---- */

static void func_free(mem_func_t *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->routine.param_count; i++) {
        free((void *)f->routine.params[i].type);
        free((void *)f->routine.params[i].type_max_length);
    }
    free((void *)f->routine.params);
    cJSON_Delete(f->decl);
    free((void *)f->routine.settings);
    free(f->params);
    free(f->col_names);
    free(f->col_types);
    plpgsql_free(f->compiled);
    cJSON_Delete(f->body);
    free((void *)f->body_src);
    free(f);
}

typedef struct why {
    char text[200];
} why_t;

/* The body of a language sql function: the AS string parsed as a script,
 * or the SQL-standard body (BEGIN ATOMIC / RETURN) of the statement. Every
 * statement must be one the executor runs. */
static int sql_body(mem_func_t *f, why_t *why)
{
    sql_script_t decl;
    sql_error_t perr;
    if (sql_parse_script(f->def->source, &decl, &perr) < 0 || decl.count != 1) {
        if (decl.tree)
            sql_script_dispose(&decl);
        snprintf(why->text, sizeof why->text, "its statement does not parse again");
        return -1;
    }
    const cJSON *fs = decl.stmts[0].node;
    const char *as = NULL;
    for (const cJSON *o = get(fs, "options") ? get(fs, "options")->child : NULL; o; o = o->next) {
        const cJSON *d = get(o, "DefElem");
        const cJSON *name = get(d, "defname");
        if (cJSON_IsString(name) && strcmp(name->valuestring, "as") == 0) {
            const cJSON *items = get(get(get(d, "arg"), "List"), "items");
            const cJSON *s = items ? get(get(items->child, "String"), "sval") : NULL;
            as = cJSON_IsString(s) ? s->valuestring : NULL;
        }
    }
    int rc = 0;
    if (as) {
        sql_script_t body;
        if (sql_parse_script(as, &body, &perr) < 0) {
            snprintf(why->text, sizeof why->text, "its body: %.180s", perr.message);
            rc = -1;
        } else {
            f->body = body.tree;
            body.tree = NULL;
            sql_script_dispose(&body);
            f->body_src = xstrdup(as);
        }
    } else {
        /* RETURN expr / BEGIN ATOMIC ... END: locations point into source. */
        const cJSON *sb = get(fs, "sql_body");
        cJSON *stmts = cJSON_CreateObject();
        cJSON *list = cJSON_AddArrayToObject(stmts, "stmts");
        if (get(sb, "ReturnStmt")) {
            /* RETURN expr is SELECT expr. */
            cJSON *sel = cJSON_CreateObject();
            cJSON *ss = cJSON_AddObjectToObject(sel, "SelectStmt");
            cJSON *tl = cJSON_AddArrayToObject(ss, "targetList");
            cJSON *rt = cJSON_CreateObject();
            cJSON *res = cJSON_AddObjectToObject(rt, "ResTarget");
            cJSON_AddItemToObject(res, "val",
                                  cJSON_Duplicate(get(get(sb, "ReturnStmt"), "returnval"), true));
            cJSON_AddItemToArray(tl, rt);
            cJSON *raw = cJSON_CreateObject();
            cJSON_AddItemToObject(raw, "stmt", sel);
            cJSON_AddItemToArray(list, raw);
        } else {
            const cJSON *outer = get(get(sb, "List"), "items");
            const cJSON *inner = outer ? get(get(outer->child, "List"), "items") : NULL;
            for (const cJSON *s = inner ? inner->child : NULL; s; s = s->next) {
                cJSON *raw = cJSON_CreateObject();
                cJSON_AddItemToObject(raw, "stmt", cJSON_Duplicate(s, true));
                cJSON_AddItemToArray(list, raw);
            }
        }
        f->body = stmts;
        f->body_src = xstrdup(f->def->source);
    }
    sql_script_dispose(&decl);
    if (rc < 0)
        return -1;
    const cJSON *list = get(f->body, "stmts");
    for (const cJSON *raw = list ? list->child : NULL; raw; raw = raw->next) {
        const cJSON *st = get(raw, "stmt");
        const char *kind = st && st->child ? st->child->string : "";
        if (strcmp(kind, "SelectStmt") != 0 && strcmp(kind, "InsertStmt") != 0 &&
            strcmp(kind, "UpdateStmt") != 0 && strcmp(kind, "DeleteStmt") != 0) {
            snprintf(why->text, sizeof why->text, "a %s in its body", kind);
            return -1;
        }
    }
    return 0;
}

/* The result shape from the declaration. */
static int shape(mem_funcs_t *fs, mem_func_t *f, why_t *why)
{
    const scenario_function_t *d = f->def;
    f->returns_set = d->returns_set;
    f->routine.returns_set = d->returns_set;
    const char *rt = d->return_type;
    size_t outs = 0;
    for (size_t i = 0; i < f->param_count; i++)
        if (f->params[i].mode == SCENARIO_ARG_OUT || f->params[i].mode == SCENARIO_ARG_INOUT ||
            f->params[i].mode == SCENARIO_ARG_TABLE)
            outs++;
    f->routine.return_schema = "pg_catalog";
    f->routine.return_name = rt;
    if (strcmp(rt, "trigger") == 0) {
        f->kind = MEM_RET_TRIGGER;
        return 0;
    }
    if (strcmp(rt, "void") == 0) {
        f->kind = MEM_RET_VOID;
        return 0;
    }
    if (strcmp(rt, "record") == 0 && outs) {
        f->kind = MEM_RET_ROW;
        f->routine.returns_composite = true;
        f->col_names = xcalloc(outs, sizeof *f->col_names);
        f->col_types = xcalloc(outs, sizeof *f->col_types);
        for (size_t i = 0; i < f->param_count; i++)
            if (f->params[i].mode == SCENARIO_ARG_OUT || f->params[i].mode == SCENARIO_ARG_INOUT ||
                f->params[i].mode == SCENARIO_ARG_TABLE) {
                f->col_names[f->col_count] = f->params[i].name;
                f->col_types[f->col_count++] = f->params[i].type;
            }
        return 0;
    }
    const store_table_t *t = row_type(fs->store, d->schema, rt);
    if (t && mem_func_type(fs->store, rt, &f->ret_type) < 0) {
        f->kind = MEM_RET_ROW;
        f->rowtype = t;
        f->routine.returns_composite = true;
        f->routine.return_schema = store_table_schema(t);
        f->routine.return_name = store_table_name(t);
        size_t n = store_table_column_count(t);
        f->col_names = xcalloc(n ? n : 1, sizeof *f->col_names);
        f->col_types = xcalloc(n ? n : 1, sizeof *f->col_types);
        for (size_t i = 0; i < n; i++) {
            f->col_names[i] = store_table_column(t, i)->name;
            f->col_types[i] = store_table_column(t, i)->type;
        }
        f->col_count = n;
        return 0;
    }
    if (mem_func_type(fs->store, rt, &f->ret_type) < 0) {
        snprintf(why->text, sizeof why->text, "its return type %s", rt);
        return -1;
    }
    f->kind = MEM_RET_SCALAR;
    return 0;
}

static int param_order(const engine_routine_param_t *x, const engine_routine_param_t *y)
{
    int c;
    if ((c = strcmp(x->name, y->name)) || (c = strcmp(x->type, y->type)) ||
        (c = strcmp(x->type_max_length, y->type_max_length)))
        return c;
    if (x->required != y->required)
        return x->required ? 1 : -1;
    if (x->variadic != y->variadic)
        return x->variadic ? 1 : -1;
    return 0;
}

/* schema, name, then decodeFuncs' sort (as pg_schema.c's routine_order). */
static int routine_order(const void *pa, const void *pb)
{
    const engine_routine_t *a = &(*(mem_func_t *const *)pa)->routine;
    const engine_routine_t *b = &(*(mem_func_t *const *)pb)->routine;
    int c = strcmp(a->schema, b->schema);
    if (!c)
        c = strcmp(a->name, b->name);
    if (c)
        return c;
    if (a->param_count != b->param_count)
        return a->param_count < b->param_count ? -1 : 1;
    for (size_t i = 0; i < a->param_count; i++)
        if ((c = param_order(&a->params[i], &b->params[i])))
            return c;
    return 0;
}

/* The names PostgREST's cache gives a parameter's type (type::regtype::text)
 * and the one a call casts to (character widened to character varying). */
static void regtype_names(mem_func_t *f, size_t i, engine_routine_param_t *p, char *scratch,
                          size_t cap)
{
    const pgtype_t *t = &f->params[i].type;
    pgtype_t plain = *t;
    plain.length = -1; /* regtype prints no type modifier */
    if (plain.kind == PGTYPE_CHAR)
        plain.length = 1;
    const char *name = pgtype_name(&plain, scratch, cap);
    p->type = name;
    p->type_max_length = name;
    if (t->kind == PGTYPE_CHAR)
        p->type_max_length = t->is_array ? "character varying[]" : "character varying";
}

/* ROWS 1 among the statement's options (prorows; SchemaCache.hs
 * allComputedRels reads `not proretset or prorows = 1` as single_row). */
static bool decl_rows_one(const cJSON *decl)
{
    const cJSON *st = get(get(decl, "stmts") ? get(decl, "stmts")->child : NULL, "stmt");
    const cJSON *opts = get(get(st, "CreateFunctionStmt"), "options");
    for (const cJSON *o = opts ? opts->child : NULL; o; o = o->next) {
        const cJSON *d = get(o, "DefElem");
        const cJSON *name = get(d, "defname");
        if (!cJSON_IsString(name) || strcmp(name->valuestring, "rows") != 0)
            continue;
        const cJSON *arg = get(d, "arg");
        const cJSON *iv = get(get(arg, "Integer"), "ival");
        const cJSON *fv = get(get(arg, "Float"), "fval");
        if (cJSON_IsNumber(iv))
            return iv->valuedouble == 1;
        if (cJSON_IsString(fv))
            return strtod(fv->valuestring, NULL) == 1;
    }
    return false;
}

static mem_func_t *build(mem_funcs_t *fs, const scenario_function_t *d, why_t *why)
{
    mem_func_t *f = xcalloc(1, sizeof *f);
    f->def = d;
    f->params = xcalloc(d->param_count ? d->param_count : 1, sizeof *f->params);
    f->param_count = d->param_count;
    for (size_t i = 0; i < d->param_count; i++) {
        mem_param_t *p = &f->params[i];
        p->name = d->params[i].name;
        p->mode = d->params[i].mode;
        p->has_default = d->params[i].has_default;
        if (mem_func_type(fs->store, d->params[i].type, &p->type) < 0 &&
            (p->rowtype = row_type(fs->store, d->schema, d->params[i].type)) != NULL) {
            /* A row-type parameter: read through $n.field / name.field. */
            p->type = (pgtype_t){.kind = PGTYPE_TEXT, .length = -1};
        } else if (!p->rowtype && mem_func_type(fs->store, d->params[i].type, &p->type) < 0) {
            snprintf(why->text, sizeof why->text, "parameter type %s", d->params[i].type);
            func_free(f);
            return NULL;
        }
        if (p->mode == SCENARIO_ARG_IN || p->mode == SCENARIO_ARG_INOUT ||
            p->mode == SCENARIO_ARG_VARIADIC)
            f->input_count++;
    }
    sql_script_t decl;
    sql_error_t perr;
    if (sql_parse_script(d->source, &decl, &perr) == 0) {
        f->decl = decl.tree; /* the parameters' DEFAULTs are read from it */
        decl.tree = NULL;
        sql_script_dispose(&decl);
        f->rows_one = decl_rows_one(f->decl);
    }
    engine_routine_t *r = &f->routine;
    r->schema = d->schema;
    r->name = d->name;
    r->volatility = d->volatility == 'i'   ? ENGINE_IMMUTABLE
                    : d->volatility == 's' ? ENGINE_STABLE
                                           : ENGINE_VOLATILE;
    if (shape(fs, f, why) < 0) {
        func_free(f);
        return NULL;
    }
    engine_routine_param_t *ps = xcalloc(f->input_count + 1, sizeof *ps);
    size_t k = 0;
    for (size_t i = 0; i < f->param_count; i++) {
        const mem_param_t *p = &f->params[i];
        if (p->mode != SCENARIO_ARG_IN && p->mode != SCENARIO_ARG_INOUT &&
            p->mode != SCENARIO_ARG_VARIADIC)
            continue;
        engine_routine_param_t *e = &ps[k++];
        e->name = p->name;
        char scratch[128];
        regtype_names(f, i, e, scratch, sizeof scratch);
        if (p->rowtype) /* regtype names a table's row type by the table */
            e->type = e->type_max_length = store_table_name(p->rowtype);
        /* Composed names (arrays) live in scratch: the function keeps copies. */
        e->type = xstrdup(e->type);
        e->type_max_length = xstrdup(e->type_max_length);
        e->required = !p->has_default;
        e->variadic = p->mode == SCENARIO_ARG_VARIADIC;
        if (e->variadic)
            r->has_variadic = true;
    }
    r->params = ps;
    r->param_count = k;
    /* funcsSqlQuery's arguments CTE: unnamed inputs make a function
     * uncallable, but for one whose first input is of those types. */
    size_t unnamed = 0;
    for (size_t i = 0; i < k; i++)
        unnamed += !ps[i].name || !ps[i].name[0];
    const char *first = k ? ps[0].type : "";
    f->callable = unnamed == 0 ||
                  (unnamed == 1 && (strcmp(first, "bytea") == 0 || strcmp(first, "json") == 0 ||
                                    strcmp(first, "jsonb") == 0 || strcmp(first, "text") == 0 ||
                                    strcmp(first, "xml") == 0));
    /* The hoisted settings (db-hoisted-tx-settings' default). */
    const char **kv = xcalloc(2 * d->setting_count + 1, sizeof *kv);
    for (size_t i = 0; i < d->setting_count; i++) {
        const char *key = d->settings[2 * i], *value = d->settings[2 * i + 1];
        if (strcmp(key, "default_transaction_isolation") == 0)
            r->isolation_level = value;
        if (strcmp(key, "statement_timeout") == 0 ||
            strcmp(key, "plan_filter.statement_cost_limit") == 0 ||
            strcmp(key, "default_transaction_isolation") == 0) {
            kv[2 * r->setting_count] = key;
            kv[2 * r->setting_count + 1] = value;
            r->setting_count++;
        }
    }
    r->settings = kv;
    if (strcmp(d->language, "plpgsql") == 0) {
        f->plpgsql = true;
        if (plpgsql_compile(fs->store, f, &f->compiled, why->text, sizeof why->text) < 0) {
            func_free(f);
            return NULL;
        }
    } else if (strcmp(d->language, "sql") == 0) {
        if (sql_body(f, why) < 0) {
            func_free(f);
            return NULL;
        }
    } else {
        snprintf(why->text, sizeof why->text, "language %s", d->language);
        func_free(f);
        return NULL;
    }
    return f;
}

mem_funcs_t *mem_funcs_new(const scenario_t *sc, store_t *store, const security_t *sec)
{
    /* Said once per scenario: sessions build instances of the same one. */
    static const scenario_t *noted;
    bool note = noted != sc;
    noted = sc;
    mem_funcs_t *fs = xcalloc(1, sizeof *fs);
    fs->sc = sc;
    fs->store = store;
    fs->sec = sec;
    fs->funcs = xcalloc(sc->function_count ? sc->function_count : 1, sizeof *fs->funcs);
    for (size_t i = 0; i < sc->function_count; i++) {
        const scenario_function_t *d = &sc->functions[i];
        why_t why = {{0}};
        mem_func_t *f = build(fs, d, &why);
        if (!f) {
            if (note)
                log_msg(LOG_WARN,
                        "%s:%d:%d: note: create function %s.%s(): %s: not run by the memory "
                        "engine (runs on --db postgres)",
                        d->pos.file ? d->pos.file : "", d->pos.line, d->pos.col, d->schema, d->name,
                        why.text[0] ? why.text : "its body");
            continue;
        }
        fs->funcs[fs->count++] = f;
    }
    qsort(fs->funcs, fs->count, sizeof *fs->funcs, routine_order);
    fs->routable = xcalloc(fs->count ? fs->count : 1, sizeof *fs->routable);
    for (size_t i = 0; i < fs->count; i++)
        if (fs->funcs[i]->callable && fs->funcs[i]->kind != MEM_RET_TRIGGER)
            fs->routable[fs->nroutable++] = fs->funcs[i];
    mem_triggers_build(&fs->triggers, sc, store, fs, note);
    return fs;
}

void mem_funcs_free(mem_funcs_t *fs)
{
    if (!fs)
        return;
    mem_triggers_dispose(&fs->triggers);
    for (size_t i = 0; i < fs->count; i++)
        func_free(fs->funcs[i]);
    free(fs->funcs);
    free(fs->routable);
    free(fs);
}

const mem_triggers_t *mem_funcs_triggers(const mem_funcs_t *fs)
{
    return &fs->triggers;
}

size_t mem_funcs_count(const mem_funcs_t *fs)
{
    return fs ? fs->count : 0;
}

const mem_func_t *mem_funcs_at(const mem_funcs_t *fs, size_t i)
{
    return fs->funcs[i];
}

const mem_func_t *mem_func_of(const engine_routine_t *r)
{
    return (const mem_func_t *)r; /* routine is the first member */
}

size_t mem_funcs_routines(const mem_funcs_t *fs, const char *schema, const char *name,
                          const engine_routine_t *const **out)
{
    size_t i = 0;
    *out = NULL;
    if (!fs)
        return 0;
    while (i < fs->nroutable && (strcmp(fs->routable[i]->routine.schema, schema) != 0 ||
                                 strcmp(fs->routable[i]->routine.name, name) != 0 ||
                                 fs->routable[i]->kind == MEM_RET_TRIGGER))
        i++;
    size_t k = i;
    while (k < fs->nroutable && strcmp(fs->routable[k]->routine.schema, schema) == 0 &&
           strcmp(fs->routable[k]->routine.name, name) == 0 &&
           fs->routable[k]->kind != MEM_RET_TRIGGER)
        k++;
    /* mem_func_t starts with its routine: the array of pointers is one of
     * routines. */
    *out = (const engine_routine_t *const *)(fs->routable + i);
    return k - i;
}

size_t mem_funcs_routine_names(const mem_funcs_t *fs, const char *schema, arena_t *arena,
                               const char ***out)
{
    size_t n = fs ? fs->count : 0;
    const char **names = arena_calloc(arena, n ? n : 1, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const engine_routine_t *r = &fs->funcs[i]->routine;
        if (strcmp(r->schema, schema) != 0 || fs->funcs[i]->kind == MEM_RET_TRIGGER ||
            !fs->funcs[i]->callable)
            continue;
        if (k && strcmp(names[k - 1], r->name) == 0)
            continue;
        names[k++] = r->name;
    }
    *out = names;
    return k;
}

size_t mem_funcs_openapi(const mem_funcs_t *fs, const char *schema, const char *role,
                         arena_t *arena, engine_openapi_routine_t **out)
{
    size_t n = fs ? fs->count : 0;
    engine_openapi_routine_t *rs = arena_calloc(arena, n ? n : 1, sizeof *rs);
    size_t k = 0;
    /* accessibleFuncs lists in oid order: creation order here. */
    for (size_t c = 0; fs && c < fs->sc->function_count; c++) {
        for (size_t i = 0; i < n; i++) {
            const mem_func_t *f = fs->funcs[i];
            if (f->def != &fs->sc->functions[c] || f->kind == MEM_RET_TRIGGER || !f->callable ||
                strcmp(f->routine.schema, schema) != 0 || (role && !mem_func_may_execute(f, role)))
                continue;
            rs[k++] = (engine_openapi_routine_t){
                .name = f->routine.name,
                .description = NULL,
                .is_volatile = f->routine.volatility == ENGINE_VOLATILE,
                .params = f->routine.params,
                .param_count = f->routine.param_count,
            };
        }
    }
    *out = rs;
    return k;
}

const mem_func_t *mem_funcs_find(const mem_funcs_t *fs, const char *schema, const char *name)
{
    const mem_func_t *found = NULL;
    for (size_t i = 0; fs && i < fs->count; i++) {
        const mem_func_t *f = fs->funcs[i];
        if (strcmp(f->routine.name, name) != 0 || (schema && strcmp(f->routine.schema, schema)))
            continue;
        if (!found || f->input_count == 0)
            found = f;
    }
    return found;
}

bool mem_func_may_execute(const mem_func_t *f, const char *role)
{
    const scenario_function_t *d = f->def;
    if (d->public_execute || !role || strcmp(role, "postgres") == 0 ||
        strcmp(role, "supabase_admin") == 0)
        return true;
    for (size_t i = 0; i < d->execute_role_count; i++)
        if (strcmp(d->execute_roles[i], role) == 0)
            return true;
    return false;
}

/* ---- running statements ---- */

/* stmt is sql_stmt_t.node: the member named after the statement's kind. */
static const char *write_command(const cJSON *stmt)
{
    const char *kind = stmt && stmt->string ? stmt->string : "";
    if (strcmp(kind, "InsertStmt") == 0)
        return "INSERT";
    if (strcmp(kind, "UpdateStmt") == 0)
        return "UPDATE";
    if (strcmp(kind, "DeleteStmt") == 0)
        return "DELETE";
    return NULL;
}

static int hook_before(void *ctx, store_table_t *t, sql_row_event_t ev, const pgvalue_t *old_row,
                       pgvalue_t *new_row, bool *skip, pgrst_error_t *err);
static int hook_after(void *ctx, store_table_t *t, sql_row_event_t ev, const pgvalue_t *old_row,
                      const pgvalue_t *new_row, pgrst_error_t *err);

sql_row_hook_t mem_funcs_row_hook(mem_funcs_t *fs, void *ctx)
{
    (void)fs;
    return (sql_row_hook_t){.ctx = ctx, .before = hook_before, .after = hook_after};
}

void mem_func_exec_env(const mem_func_t *f, const mem_call_env_t *env, const sql_scope_t *scope,
                       sql_exec_env_t *out, sql_row_hook_t *hook, void *hook_ctx)
{
    bool definer = f && f->def->security_definer;
    memset(out, 0, sizeof *out);
    out->store = env->store;
    out->sec = env->sec;
    /* SECURITY DEFINER: the owner's privileges for the body (the scenario's
     * functions are owned by postgres, which bypasses row-level security
     * as the owner of the tables would). */
    out->role = definer ? "postgres" : env->role;
    out->superuser = definer || env->superuser;
    out->claims = env->claims;
    out->store_env = env->store_env;
    out->work = env->work;
    out->scope = scope;
    *hook = mem_funcs_row_hook(env->fs, hook_ctx);
    out->hook = hook;
}

int mem_func_run_stmt(const mem_func_t *f, const mem_call_env_t *env, const sql_scope_t *scope,
                      const cJSON *stmt, const char *src, sql_result_t *out, pgrst_error_t *err)
{
    const char *write = write_command(stmt);
    if (write && f && f->routine.volatility != ENGINE_VOLATILE)
        return pgrst_error_setf(err, "0A000", "%s is not allowed in a non-volatile function",
                                write);
    if (write && env->read_only)
        return pgrst_error_setf(err, "25006", "cannot execute %s in a read-only transaction",
                                write);
    /* A statement's parse, analysis and run cost what some hundreds of
     * rows visited do (work.h's steps, caps.h's calibration): a loop of
     * statements exhausts the budget in about the statement_timeout. */
    if (!mock_work_charge(env->work, MEM_FUNC_STATEMENT_STEPS))
        return pgrst_error_setf(err, "57014", "canceling statement due to statement timeout");
    mem_call_env_t he = *env;
    if (f && f->def->security_definer) {
        he.role = "postgres";
        he.superuser = true;
    }
    sql_exec_env_t xe;
    sql_row_hook_t hook;
    mem_func_exec_env(f, env, scope, &xe, &hook, &he);
    sql_exec_error_t xerr;
    sql_exec_error_init(&xerr);
    sql_result_init(out);
    int rc = sql_exec_once(&xe, stmt, src, out, &xerr);
    if (rc < 0)
        pgrst_error_move(err, &xerr.e);
    sql_exec_error_dispose(&xerr);
    return rc;
}

/* ---- triggers through the executor's row hook ---- */

static int hook_before(void *ctx, store_table_t *t, sql_row_event_t ev, const pgvalue_t *old_row,
                       pgvalue_t *new_row, bool *skip, pgrst_error_t *err)
{
    const mem_call_env_t *he = ctx;
    return mem_triggers_fire(he, t, true, ev, old_row, new_row, skip, err);
}

static int hook_after(void *ctx, store_table_t *t, sql_row_event_t ev, const pgvalue_t *old_row,
                      const pgvalue_t *new_row, pgrst_error_t *err)
{
    const mem_call_env_t *he = ctx;
    return mem_triggers_fire(he, t, false, ev, old_row, (pgvalue_t *)new_row, NULL, err);
}

/* ---- language sql ---- */

/* Parameters by name and $n; columns win (functions.c's
 * sql_fn_post_column_ref resolves a name only when no column has it). */
typedef struct sql_frame {
    const mem_func_t *f;
    const pgvalue_t *args; /* one per parameter (OUT ones NULL) */
} sql_frame_t;

/* A slot is the parameter's index, plus 1 + the field's column shifted
 * by SLOT_FIELD_SHIFT for a field of a row-type parameter. */
#define SLOT_FIELD_SHIFT 16

/* Parameter i, or its field `field` (NULL: the whole parameter). */
static int param_slot(const mem_func_t *f, size_t i, const char *field, int *slot, pgtype_t *type,
                      pgrst_error_t *err)
{
    const mem_param_t *p = &f->params[i];
    if (!p->rowtype) {
        if (field) { /* ParseFuncOrColumn on a scalar: not a composite */
            char scratch[96];
            return pgrst_error_setf(err, "42809",
                                    "column notation .%s applied to type %s, which is not a "
                                    "composite type",
                                    field, pgtype_name(&p->type, scratch, sizeof scratch));
        }
        *slot = (int)i;
        *type = p->type;
        return 1;
    }
    if (!field)
        return pgrst_error_setf(err, "0A000",
                                "supamock: a whole-row parameter (%s) is not run by the "
                                "memory engine; read its fields",
                                store_table_name(p->rowtype));
    int col = store_table_find_column(p->rowtype, field);
    if (col < 0)
        return pgrst_error_setf(err, "42703", "column \"%s\" not found in data type %s", field,
                                store_table_name(p->rowtype));
    *slot = (int)i | ((col + 1) << SLOT_FIELD_SHIFT);
    *type = store_table_column(p->rowtype, (size_t)col)->type;
    return 1;
}

static int sql_resolve(const void *ctx, const sql_name_t *name, int *slot, pgtype_t *type,
                       pgrst_error_t *err)
{
    const sql_frame_t *fr = ctx;
    const mem_func_t *f = fr->f;
    if (name->param > 0) {
        size_t k = 0;
        for (size_t i = 0; i < f->param_count; i++) {
            if (f->params[i].mode == SCENARIO_ARG_OUT || f->params[i].mode == SCENARIO_ARG_TABLE)
                continue;
            if (++k == (size_t)name->param)
                return param_slot(f, i, name->nparts ? name->parts[0] : NULL, slot, type, err);
        }
        return 0;
    }
    /* x, fn.x; a row parameter's field: x.field, fn.x.field. */
    const char *pn = NULL, *field = NULL;
    if (name->nparts == 1) {
        pn = name->parts[0];
    } else if (name->nparts == 2 && strcmp(name->parts[0], f->routine.name) == 0) {
        pn = name->parts[1];
    } else if (name->nparts == 2) {
        pn = name->parts[0];
        field = name->parts[1];
    } else if (name->nparts == 3 && strcmp(name->parts[0], f->routine.name) == 0) {
        pn = name->parts[1];
        field = name->parts[2];
    }
    for (size_t i = 0; pn && i < f->param_count; i++) {
        if (f->params[i].mode == SCENARIO_ARG_OUT || f->params[i].mode == SCENARIO_ARG_TABLE)
            continue;
        if (f->params[i].name[0] && strcmp(f->params[i].name, pn) == 0) {
            if (field && !f->params[i].rowtype)
                return 0;
            return param_slot(f, i, field, slot, type, err);
        }
    }
    return 0;
}

static int sql_value(const void *ctx, int slot, const pgvalue_t **out, pgrst_error_t *err)
{
    (void)err;
    const sql_frame_t *fr = ctx;
    size_t i = (size_t)slot & ((1u << SLOT_FIELD_SHIFT) - 1);
    size_t field = (size_t)slot >> SLOT_FIELD_SHIFT;
    static const pgvalue_t null_value = {.is_null = true};
    if (!field) {
        *out = &fr->args[i];
    } else {
        /* A NULL row (STRICT aside) reads NULL fields. */
        const pgvalue_t *row = &fr->args[i];
        *out = !row->is_null && field - 1 < row->nelems ? &row->elems[field - 1] : &null_value;
    }
    return 0;
}

/* Coerces the statement's result into the function's result shape
 * (check_sql_fn_retval's assignment coercions), keeping every row for a
 * set, the first (or one of NULLs) otherwise. */
int mem_func_shape_result(const mem_func_t *f, sql_result_t *in, sql_result_t *out,
                          pgrst_error_t *err)
{
    sql_result_init(out);
    out->command = "SELECT";
    if (f->kind == MEM_RET_VOID)
        return 0;
    size_t ncols = f->kind == MEM_RET_SCALAR ? 1 : f->col_count;
    out->ncols = ncols;
    out->names = xcalloc(ncols ? ncols : 1, sizeof *out->names);
    out->types = xcalloc(ncols ? ncols : 1, sizeof *out->types);
    for (size_t c = 0; c < ncols; c++) {
        out->names[c] = xstrdup(f->kind == MEM_RET_SCALAR ? f->routine.name : f->col_names[c]);
        out->types[c] = f->kind == MEM_RET_SCALAR ? f->ret_type : f->col_types[c];
    }
    size_t rows = in ? in->nrows : 0;
    if (!f->returns_set)
        rows = 1;
    size_t cells = rows * ncols;
    out->values = xcalloc(cells ? cells : 1, sizeof *out->values);
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < ncols; c++) {
            pgvalue_t *dst = &out->values[r * ncols + c];
            pgvalue_init_null(dst);
            if (!in || r >= in->nrows || c >= in->ncols)
                continue;
            if (sql_exec_assign(&in->types[c], &in->values[r * in->ncols + c], &out->types[c], dst,
                                err) < 0) {
                out->nrows = r + 1;
                return -1;
            }
        }
        out->nrows = r + 1;
    }
    return 0;
}

static int call_sql(const mem_func_t *f, const pgvalue_t *args, const mem_call_env_t *env,
                    sql_result_t *out, pgrst_error_t *err)
{
    sql_frame_t fr = {f, args};
    sql_scope_t scope = {&fr, SQL_CONFLICT_USE_COLUMN, sql_resolve, sql_value};
    sql_result_t last;
    sql_result_init(&last);
    bool have = false;
    const cJSON *list = get(f->body, "stmts");
    for (const cJSON *raw = list ? list->child : NULL; raw; raw = raw->next) {
        if (have)
            sql_result_dispose(&last);
        have = false;
        const cJSON *st = get(raw, "stmt");
        if (mem_func_run_stmt(f, env, &scope, st ? st->child : NULL, f->body_src, &last, err) < 0)
            return -1;
        have = true;
    }
    int rc = mem_func_shape_result(f, have ? &last : NULL, out, err);
    if (have)
        sql_result_dispose(&last);
    return rc;
}

/* ---- calls ---- */

/* The DEFAULT of parameter i, evaluated as the call's argument would be
 * (an expression of the declaration, in the caller's environment). */
static int param_default(const mem_func_t *f, size_t i, const mem_call_env_t *env, pgvalue_t *out,
                         pgrst_error_t *err)
{
    const cJSON *fs = f->decl ? get(get(f->decl, "stmts")->child, "stmt") : NULL;
    const cJSON *params = get(get(fs, "CreateFunctionStmt"), "parameters");
    const cJSON *p = params ? params->child : NULL;
    for (size_t k = 0; p && k < i; k++)
        p = p->next;
    const cJSON *def = get(get(p, "FunctionParameter"), "defexpr");
    if (!def)
        return 0;
    sql_exec_env_t xe;
    sql_row_hook_t hook;
    mem_call_env_t he = *env;
    mem_func_exec_env(NULL, env, NULL, &xe, &hook, &he);
    sql_exec_error_t xerr;
    sql_exec_error_init(&xerr);
    sql_xplan_t *x = NULL;
    pgvalue_t v;
    pgvalue_init_null(&v);
    int rc = sql_expr_prepare(env->store, def, f->def->source, NULL, &x, &xerr);
    if (rc == 0)
        rc = sql_expr_eval(x, &xe, &v, &xerr);
    pgtype_t from = x ? sql_xplan_type(x) : f->params[i].type;
    if (rc == 0 && sql_exec_assign(&from, &v, &f->params[i].type, out, &xerr.e) < 0)
        rc = -1;
    if (rc < 0)
        pgrst_error_move(err, &xerr.e);
    pgvalue_dispose(&v);
    sql_xplan_free(x);
    sql_exec_error_dispose(&xerr);
    return rc;
}

int mem_func_call(const mem_func_t *f, const pgvalue_t *args, const bool *given,
                  const mem_call_env_t *env, sql_result_t *out, pgrst_error_t *err)
{
    sql_result_init(out);
    if (env->depth >= MEM_FUNC_MAX_DEPTH) {
        pgrst_error_setf(err, "54001", "stack depth limit exceeded");
        pgrst_error_hintf(err, "Increase the configuration parameter \"max_stack_depth\" "
                               "(currently 2048kB), after ensuring the platform's stack depth "
                               "limit is adequate.");
        return -1;
    }
    mem_call_env_t inner = *env;
    inner.depth++;
    /* Every parameter's value: inputs as given (or their defaults), OUT
     * ones NULL. */
    pgvalue_t *all = xcalloc(f->param_count ? f->param_count : 1, sizeof *all);
    size_t k = 0;
    int rc = 0;
    bool null_input = false;
    for (size_t i = 0; i < f->param_count; i++) {
        pgvalue_init_null(&all[i]);
        const mem_param_t *p = &f->params[i];
        if (p->mode == SCENARIO_ARG_OUT || p->mode == SCENARIO_ARG_TABLE)
            continue;
        if (!given || given[k]) {
            pgvalue_copy(&all[i], &args[k]);
        } else if (p->has_default && rc == 0) {
            rc = param_default(f, i, &inner, &all[i], err);
        }
        if (all[i].is_null)
            null_input = true;
        k++;
    }
    if (rc == 0 && f->def->strict && null_input) {
        /* STRICT: NULL in, NULL out, the body not run. */
        rc = mem_func_shape_result(f, NULL, out, err);
        if (f->returns_set)
            out->nrows = 0;
    } else if (rc == 0) {
        rc = f->plpgsql ? plpgsql_call(f, all, &inner, NULL, out, err)
                        : call_sql(f, all, &inner, out, err);
    }
    for (size_t i = 0; i < f->param_count; i++)
        pgvalue_dispose(&all[i]);
    free(all);
    if (rc < 0)
        sql_result_dispose(out);
    return rc;
}

int mem_func_trigger(const mem_func_t *f, mem_trigger_call_t *tc, const mem_call_env_t *env,
                     pgrst_error_t *err)
{
    if (!f->plpgsql)
        return pgrst_error_setf(err, "0A000",
                                "trigger functions can only be written in "
                                "PL/pgSQL on the memory engine");
    if (env->depth >= MEM_FUNC_MAX_DEPTH) {
        pgrst_error_setf(err, "54001", "stack depth limit exceeded");
        pgrst_error_hintf(err, "Increase the configuration parameter \"max_stack_depth\" "
                               "(currently 2048kB), after ensuring the platform's stack depth "
                               "limit is adequate.");
        return -1;
    }
    mem_call_env_t inner = *env;
    inner.depth++;
    sql_result_t out;
    sql_result_init(&out);
    int rc = plpgsql_call(f, NULL, &inner, tc, &out, err);
    sql_result_dispose(&out);
    return rc;
}
