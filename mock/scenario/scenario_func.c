/* CREATE FUNCTION, CREATE TRIGGER and GRANT/REVOKE EXECUTE from a
 * scenario's SQL into the scenario model (scenario_function_t,
 * scenario_trigger_t). Only what the catalog needs is read here: names,
 * parameter types and modes, the return type, language, volatility,
 * SECURITY DEFINER, STRICT, SET options, EXECUTE grants; the body and the
 * parameters' defaults are kept as the statement's text, which the engine
 * re-reads with Postgres's parser (and decides whether it runs it).
 *
 * Postgres's defaults: EXECUTE to PUBLIC on creation (aclitemsdefault for
 * functions), VOLATILE, SECURITY INVOKER, CALLED ON NULL INPUT. Supabase's
 * default privileges in schema public add anon, authenticated and
 * service_role (supabase/postgres's migrations: ALTER DEFAULT PRIVILEGES IN
 * SCHEMA public GRANT ALL ON FUNCTIONS TO ...), which is why a project's
 * "REVOKE EXECUTE ... FROM public, anon" names anon too. */
#include "scenario_func.h"

#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static size_t names(const cJSON *list, const char **out, size_t cap)
{
    size_t n = 0;
    for (const cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e && n < cap; e = e->next) {
        const char *v = str(get(e, "String"), "sval");
        if (v)
            out[n++] = v;
    }
    return n;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void scenario_function_dispose(scenario_function_t *f)
{
    free(f->schema);
    free(f->name);
    for (size_t i = 0; i < f->param_count; i++) {
        free(f->params[i].name);
        free(f->params[i].type);
        free(f->params[i].domain);
    }
    free(f->params);
    free(f->return_type);
    free(f->language);
    free(f->source);
    free_strings(f->settings, 2 * f->setting_count);
    free_strings(f->execute_roles, f->execute_role_count);
}

void scenario_trigger_dispose(scenario_trigger_t *t)
{
    free(t->name);
    free(t->table_schema);
    free(t->table_name);
    free(t->func_schema);
    free(t->func_name);
    free(t->source);
}

/* The statement's own text, NUL-terminated and owned. */
static char *statement_text(const scenario_func_src_t *src)
{
    char *s = xmalloc(src->stmt->length + 1);
    memcpy(s, src->text + src->stmt->offset, src->stmt->length);
    s[src->stmt->length] = '\0';
    return s;
}

static const char *creation_schema(const scenario_func_src_t *src)
{
    for (size_t i = 0; i < src->h->search_path_len; i++)
        if (strcmp(src->h->search_path[i], "pg_catalog") != 0)
            return src->h->search_path[i];
    return "public";
}

static bool is_input(scenario_arg_mode_t m)
{
    return m == SCENARIO_ARG_IN || m == SCENARIO_ARG_INOUT || m == SCENARIO_ARG_VARIADIC;
}

/* Two domains (NULL: none) are the same: a domain is a type of its own,
 * f(color) is not f(integer). */
static bool same_domain(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Same schema, name and input types: the function CREATE OR REPLACE
 * replaces (Postgres identifies a function by its input argument types). */
static bool same_signature(const scenario_function_t *a, const scenario_function_t *b)
{
    if (strcmp(a->schema, b->schema) != 0 || strcmp(a->name, b->name) != 0)
        return false;
    size_t i = 0, j = 0;
    for (;;) {
        while (i < a->param_count && !is_input(a->params[i].mode))
            i++;
        while (j < b->param_count && !is_input(b->params[j].mode))
            j++;
        if (i == a->param_count || j == b->param_count)
            return i == a->param_count && j == b->param_count;
        if (strcmp(a->params[i].type, b->params[j].type) != 0 ||
            !same_domain(a->params[i].domain, b->params[j].domain))
            return false;
        i++, j++;
    }
}

static scenario_arg_mode_t arg_mode(const char *m)
{
    if (!m)
        return SCENARIO_ARG_IN;
    if (strcmp(m, "FUNC_PARAM_OUT") == 0)
        return SCENARIO_ARG_OUT;
    if (strcmp(m, "FUNC_PARAM_INOUT") == 0)
        return SCENARIO_ARG_INOUT;
    if (strcmp(m, "FUNC_PARAM_VARIADIC") == 0)
        return SCENARIO_ARG_VARIADIC;
    if (strcmp(m, "FUNC_PARAM_TABLE") == 0)
        return SCENARIO_ARG_TABLE;
    return SCENARIO_ARG_IN;
}

/* A SET option's value as SET would store it (a string constant's text, a
 * number's digits, several values joined by ", "). NULL: SET ... FROM
 * CURRENT or a form not read. */
static char *setting_value(const cJSON *vs)
{
    const cJSON *args = get(vs, "args");
    if (!cJSON_IsArray(args) || !args->child)
        return NULL;
    char buf[512];
    size_t used = 0;
    buf[0] = '\0';
    for (const cJSON *a = args->child; a; a = a->next) {
        const cJSON *c = get(a, "A_Const");
        char one[256];
        if (str(get(c, "sval"), "sval"))
            snprintf(one, sizeof one, "%s", str(get(c, "sval"), "sval"));
        else if (cJSON_IsNumber(get(get(c, "ival"), "ival")))
            snprintf(one, sizeof one, "%d", get(get(c, "ival"), "ival")->valueint);
        else if (str(get(c, "fval"), "fval"))
            snprintf(one, sizeof one, "%s", str(get(c, "fval"), "fval"));
        else
            return NULL;
        int k = snprintf(buf + used, sizeof buf - used, "%s%s", used ? ", " : "", one);
        if (k < 0 || (size_t)k >= sizeof buf - used)
            return NULL;
        used += (size_t)k;
    }
    return xstrdup(buf);
}

void scenario_func_create(const scenario_func_src_t *src, const cJSON *fs)
{
    const char *parts[3];
    size_t n = names(get(fs, "funcname"), parts, 3);
    if (n == 0 || n > 2)
        return src->notice_statement(src);
    if (str(fs, "is_procedure") || cJSON_IsTrue(get(fs, "is_procedure")))
        return src->notice_statement(src); /* procedures are not PostgREST's */
    scenario_function_t f;
    memset(&f, 0, sizeof f);
    f.schema = xstrdup(n == 2 ? parts[0] : creation_schema(src));
    f.name = xstrdup(parts[n - 1]);
    f.volatility = 'v';
    f.public_execute = true;
    f.pos = src->pos(src, src->stmt->offset);
    f.body_offset = src->stmt->offset;
    char why[160];
    const cJSON *ps = get(fs, "parameters");
    size_t np = cJSON_IsArray(ps) ? (size_t)cJSON_GetArraySize(ps) : 0;
    f.params = xcalloc(np ? np : 1, sizeof *f.params);
    bool ok = true;
    for (const cJSON *p = np ? ps->child : NULL; p && ok; p = p->next) {
        const cJSON *fp = get(p, "FunctionParameter");
        char *type = src->type_name(src, get(fp, "argType"), why, sizeof why);
        if (!type) {
            ok = false;
            break;
        }
        scenario_func_param_t *q = &f.params[f.param_count++];
        q->name = xstrdup(str(fp, "name") ? str(fp, "name") : "");
        q->type = type;
        const char *domain = scenario_sql_domain(src->h, get(fp, "argType"));
        q->domain = domain ? xstrdup(domain) : NULL;
        q->mode = arg_mode(str(fp, "mode"));
        q->has_default = get(fp, "defexpr") != NULL;
    }
    const cJSON *rt = get(fs, "returnType");
    bool has_out = false;
    for (size_t i = 0; i < f.param_count; i++)
        if (f.params[i].mode == SCENARIO_ARG_OUT || f.params[i].mode == SCENARIO_ARG_INOUT ||
            f.params[i].mode == SCENARIO_ARG_TABLE)
            has_out = true;
    if (ok && rt) {
        f.return_type = src->type_name(src, rt, why, sizeof why);
        f.returns_set = cJSON_IsTrue(get(rt, "setof"));
        ok = f.return_type != NULL;
    } else if (ok) {
        /* No RETURNS: the OUT parameters' record (one OUT parameter: its type). */
        size_t outs = 0, last = 0;
        for (size_t i = 0; i < f.param_count; i++)
            if (f.params[i].mode == SCENARIO_ARG_OUT || f.params[i].mode == SCENARIO_ARG_INOUT)
                outs++, last = i;
        f.return_type = xstrdup(outs == 1 ? f.params[last].type : has_out ? "record" : "void");
    }
    const cJSON *opts = get(fs, "options");
    for (const cJSON *o = cJSON_IsArray(opts) ? opts->child : NULL; o && ok; o = o->next) {
        const cJSON *d = get(o, "DefElem");
        const char *opt = str(d, "defname");
        const cJSON *arg = get(d, "arg");
        if (!opt)
            continue;
        if (strcmp(opt, "language") == 0 && str(get(arg, "String"), "sval")) {
            f.language = xstrdup(str(get(arg, "String"), "sval"));
            for (char *c = f.language; *c; c++)
                *c = (char)tolower((unsigned char)*c);
        } else if (strcmp(opt, "volatility") == 0 && str(get(arg, "String"), "sval")) {
            f.volatility = str(get(arg, "String"), "sval")[0];
        } else if (strcmp(opt, "security") == 0) {
            f.security_definer = cJSON_IsTrue(get(get(arg, "Boolean"), "boolval"));
        } else if (strcmp(opt, "strict") == 0) {
            f.strict = cJSON_IsTrue(get(get(arg, "Boolean"), "boolval"));
        } else if (strcmp(opt, "set") == 0) {
            const cJSON *vs = get(arg, "VariableSetStmt");
            const char *name = str(vs, "name");
            char *value = name ? setting_value(vs) : NULL;
            if (!value) {
                snprintf(why, sizeof why, "a SET option's form");
                ok = false;
                break;
            }
            f.settings = xrealloc(f.settings, 2 * (f.setting_count + 1) * sizeof *f.settings);
            f.settings[2 * f.setting_count] = xstrdup(name);
            f.settings[2 * f.setting_count + 1] = value;
            f.setting_count++;
        }
        /* as, cost, rows, leakproof, parallel, support, window: the body is
         * re-read from source; the rest change nothing answered. */
    }
    if (!f.language)
        f.language = xstrdup("sql"); /* a SQL-standard body (BEGIN ATOMIC, RETURN) */
    if (!ok) {
        char what[200];
        snprintf(what, sizeof what, "CREATE FUNCTION %s.%s: %s", f.schema, f.name, why);
        src->notice_at(src, src->stmt->offset, what);
        scenario_function_dispose(&f);
        return;
    }
    f.source = statement_text(src);
    if (strcmp(f.schema, "public") == 0) {
        static const char *const supabase[] = {"anon", "authenticated", "service_role"};
        f.execute_roles = xcalloc(3, sizeof *f.execute_roles);
        for (size_t i = 0; i < 3; i++)
            f.execute_roles[f.execute_role_count++] = xstrdup(supabase[i]);
    }
    scenario_t *s = src->h->s;
    for (size_t i = 0; i < s->function_count; i++) {
        if (!same_signature(&s->functions[i], &f))
            continue;
        if (!cJSON_IsTrue(get(fs, "replace"))) {
            /* 42723: function already exists with same argument types; the
             * file stops there on Postgres. */
            char what[200];
            snprintf(what, sizeof what, "CREATE FUNCTION %s.%s: the function already exists",
                     f.schema, f.name);
            src->notice_at(src, src->stmt->offset, what);
            scenario_function_dispose(&f);
            return;
        }
        /* OR REPLACE keeps the old function's privileges (ProcedureCreate
         * keeps proacl). */
        scenario_function_t *old = &s->functions[i];
        free_strings(f.execute_roles, f.execute_role_count);
        f.execute_roles = old->execute_roles;
        f.execute_role_count = old->execute_role_count;
        f.public_execute = old->public_execute;
        old->execute_roles = NULL;
        old->execute_role_count = 0;
        scenario_function_dispose(old);
        *old = f;
        return;
    }
    s->functions = xrealloc(s->functions, (s->function_count + 1) * sizeof *s->functions);
    s->functions[s->function_count++] = f;
}

/* ---- triggers ---- */

enum {
    TRIGGER_TYPE_BEFORE = 1 << 1, /* pg_trigger.h */
    TRIGGER_TYPE_INSERT = 1 << 2,
    TRIGGER_TYPE_DELETE = 1 << 3,
    TRIGGER_TYPE_UPDATE = 1 << 4,
    TRIGGER_TYPE_TRUNCATE = 1 << 5,
    TRIGGER_TYPE_INSTEAD = 1 << 6,
};

void scenario_trigger_create(const scenario_func_src_t *src, const cJSON *ts)
{
    const cJSON *rv = get(ts, "relation");
    const char *parts[3];
    size_t n = names(get(ts, "funcname"), parts, 3);
    int timing = cJSON_IsNumber(get(ts, "timing")) ? get(ts, "timing")->valueint : 0;
    int events = cJSON_IsNumber(get(ts, "events")) ? get(ts, "events")->valueint : 0;
    const char *what = NULL;
    if (!cJSON_IsTrue(get(ts, "row")))
        what = "a statement-level trigger";
    else if (timing & TRIGGER_TYPE_INSTEAD)
        what = "an INSTEAD OF trigger";
    else if (events & TRIGGER_TYPE_TRUNCATE)
        what = "a TRUNCATE trigger";
    else if (get(ts, "isconstraint") && cJSON_IsTrue(get(ts, "isconstraint")))
        what = "a constraint trigger";
    else if (get(ts, "transitionRels"))
        what = "a trigger with transition tables";
    else if (get(ts, "columns"))
        what = "UPDATE OF a column list";
    else if (get(ts, "args") && cJSON_GetArraySize(get(ts, "args")) > 0)
        what = "trigger arguments";
    else if (n == 0 || n > 2 || !str(rv, "relname"))
        what = "a trigger's name";
    if (what) {
        char msg[200];
        snprintf(msg, sizeof msg, "CREATE TRIGGER %s: %s", str(ts, "trigname") ?: "", what);
        src->notice_at(src, src->stmt->offset, msg);
        return;
    }
    const char *schema = str(rv, "schemaname");
    const char *table = str(rv, "relname");
    if (!schema) {
        const scenario_table_t *tbl = NULL;
        for (size_t i = 0; !tbl && i < src->h->search_path_len; i++)
            if ((tbl = src->h->find_table(src->h->s, src->h->search_path[i], table)))
                schema = tbl->schema;
        if (!tbl)
            schema =
                src->h->find_table(src->h->s, "public", table) ? "public" : creation_schema(src);
    }
    scenario_trigger_t tr;
    memset(&tr, 0, sizeof tr);
    tr.name = xstrdup(str(ts, "trigname") ? str(ts, "trigname") : "");
    tr.table_schema = xstrdup(schema);
    tr.table_name = xstrdup(table);
    tr.before = (timing & TRIGGER_TYPE_BEFORE) != 0;
    tr.events = ((events & TRIGGER_TYPE_INSERT) ? SCENARIO_TRIGGER_INSERT : 0) |
                ((events & TRIGGER_TYPE_UPDATE) ? SCENARIO_TRIGGER_UPDATE : 0) |
                ((events & TRIGGER_TYPE_DELETE) ? SCENARIO_TRIGGER_DELETE : 0);
    tr.func_schema = n == 2 ? xstrdup(parts[0]) : NULL;
    tr.func_name = xstrdup(parts[n - 1]);
    tr.source = statement_text(src);
    tr.pos = src->pos(src, src->stmt->offset);
    scenario_t *s = src->h->s;
    bool replace = cJSON_IsTrue(get(ts, "replace"));
    for (size_t i = 0; i < s->trigger_count; i++) {
        scenario_trigger_t *old = &s->triggers[i];
        if (strcmp(old->name, tr.name) == 0 && strcmp(old->table_schema, tr.table_schema) == 0 &&
            strcmp(old->table_name, tr.table_name) == 0) {
            if (!replace) {
                char msg[200];
                snprintf(msg, sizeof msg, "CREATE TRIGGER %s: the trigger already exists", tr.name);
                src->notice_at(src, src->stmt->offset, msg);
                scenario_trigger_dispose(&tr);
                return;
            }
            scenario_trigger_dispose(old);
            *old = tr;
            return;
        }
    }
    s->triggers = xrealloc(s->triggers, (s->trigger_count + 1) * sizeof *s->triggers);
    s->triggers[s->trigger_count++] = tr;
}

/* DROP TRIGGER name ON table / DROP FUNCTION name[(args)]: gone from the
 * model. Returns false when the statement is not one of those. */
bool scenario_func_drop(const scenario_func_src_t *src, const cJSON *ds)
{
    const char *type = str(ds, "removeType");
    scenario_t *s = src->h->s;
    if (!type)
        return false;
    bool fn = strcmp(type, "OBJECT_FUNCTION") == 0;
    bool trig = strcmp(type, "OBJECT_TRIGGER") == 0;
    if (!fn && !trig)
        return false;
    const cJSON *objs = get(ds, "objects");
    for (const cJSON *o = cJSON_IsArray(objs) ? objs->child : NULL; o; o = o->next) {
        const char *parts[4];
        if (trig) {
            size_t n = names(get(o, "List") ? get(get(o, "List"), "items") : NULL, parts, 4);
            if (n < 2)
                continue;
            for (size_t i = 0; i < s->trigger_count; i++) {
                scenario_trigger_t *t = &s->triggers[i];
                if (strcmp(t->name, parts[n - 1]) == 0 &&
                    strcmp(t->table_name, parts[n - 2]) == 0) {
                    scenario_trigger_dispose(t);
                    memmove(t, t + 1, (s->trigger_count - i - 1) * sizeof *t);
                    s->trigger_count--;
                    break;
                }
            }
            continue;
        }
        const cJSON *owa = get(o, "ObjectWithArgs");
        size_t n = names(get(owa, "objname"), parts, 3);
        if (n == 0)
            continue;
        const char *schema = n == 2 ? parts[0] : NULL;
        for (size_t i = 0; i < s->function_count; i++) {
            scenario_function_t *f = &s->functions[i];
            if (strcmp(f->name, parts[n - 1]) != 0 || (schema && strcmp(f->schema, schema) != 0))
                continue;
            scenario_function_dispose(f);
            memmove(f, f + 1, (s->function_count - i - 1) * sizeof *f);
            s->function_count--;
            break;
        }
    }
    return true;
}

/* ---- GRANT/REVOKE EXECUTE ---- */

static void grant_role(scenario_function_t *f, const char *role, bool grant)
{
    for (size_t i = 0; i < f->execute_role_count; i++) {
        if (strcmp(f->execute_roles[i], role) != 0)
            continue;
        if (!grant) {
            free(f->execute_roles[i]);
            f->execute_roles[i] = f->execute_roles[--f->execute_role_count];
        }
        return;
    }
    if (!grant)
        return;
    f->execute_roles =
        xrealloc(f->execute_roles, (f->execute_role_count + 1) * sizeof *f->execute_roles);
    f->execute_roles[f->execute_role_count++] = xstrdup(role);
}

static void apply_grantees(scenario_function_t *f, const cJSON *grantees, bool grant)
{
    for (const cJSON *e = cJSON_IsArray(grantees) ? grantees->child : NULL; e; e = e->next) {
        const cJSON *rs = get(e, "RoleSpec");
        const char *type = str(rs, "roletype");
        if (type && strcmp(type, "ROLESPEC_PUBLIC") == 0)
            f->public_execute = grant;
        else if (str(rs, "rolename"))
            grant_role(f, str(rs, "rolename"), grant);
    }
}

/* Do the function's input types match objargs (the types as written)? */
static bool args_match(const scenario_func_src_t *src, const scenario_function_t *f,
                       const cJSON *owa)
{
    if (cJSON_IsTrue(get(owa, "args_unspecified")) || !get(owa, "objargs"))
        return true;
    const cJSON *a = get(owa, "objargs")->child;
    char why[160];
    for (size_t i = 0; i < f->param_count; i++) {
        if (!is_input(f->params[i].mode))
            continue;
        if (!a)
            return false;
        const cJSON *tn = get(a, "TypeName") ? get(a, "TypeName") : a;
        char *t = src->type_name(src, tn, why, sizeof why);
        bool same = t && strcmp(t, f->params[i].type) == 0 &&
                    same_domain(scenario_sql_domain(src->h, tn), f->params[i].domain);
        free(t);
        if (!same)
            return false;
        a = a->next;
    }
    return a == NULL;
}

void scenario_func_grant(const scenario_func_src_t *src, const cJSON *gs)
{
    bool grant = cJSON_IsTrue(get(gs, "is_grant"));
    const cJSON *grantees = get(gs, "grantees");
    const char *target = str(gs, "targtype");
    scenario_t *s = src->h->s;
    /* Only EXECUTE (or ALL) means anything on a function. */
    const cJSON *privs = get(gs, "privileges");
    for (const cJSON *p = cJSON_IsArray(privs) ? privs->child : NULL; p; p = p->next) {
        const char *pn = str(get(p, "AccessPriv"), "priv_name");
        if (pn && strcmp(pn, "execute") != 0)
            return src->notice_statement(src);
    }
    const cJSON *objs = get(gs, "objects");
    for (const cJSON *o = cJSON_IsArray(objs) ? objs->child : NULL; o; o = o->next) {
        if (target && strcmp(target, "ACL_TARGET_ALL_IN_SCHEMA") == 0) {
            const char *schema = str(get(o, "String"), "sval");
            for (size_t i = 0; schema && i < s->function_count; i++)
                if (strcmp(s->functions[i].schema, schema) == 0)
                    apply_grantees(&s->functions[i], grantees, grant);
            continue;
        }
        const cJSON *owa = get(o, "ObjectWithArgs");
        const char *parts[3];
        size_t n = names(get(owa, "objname"), parts, 3);
        if (n == 0)
            continue;
        bool found = false;
        for (size_t i = 0; i < s->function_count; i++) {
            scenario_function_t *f = &s->functions[i];
            if (strcmp(f->name, parts[n - 1]) != 0 || (n == 2 && strcmp(f->schema, parts[0]) != 0))
                continue;
            if (!args_match(src, f, owa))
                continue;
            apply_grantees(f, grantees, grant);
            found = true;
        }
        if (!found)
            src->notice_statement(src);
    }
}

/* ---- CREATE CAST ---- */

void scenario_cast_dispose(scenario_cast_t *c)
{
    free(c->source);
    free(c->target);
    free(c->func_schema);
    free(c->func_name);
    for (size_t i = 0; i < c->func_arg_count; i++) {
        free(c->func_arg_types[i]);
        free(c->func_arg_domains[i]);
    }
    free(c->func_arg_types);
    free(c->func_arg_domains);
}

/* A cast's type: the TypeName's last name, and whether it is a domain. */
static char *cast_type(const scenario_func_src_t *src, const cJSON *tn, bool *domain)
{
    const cJSON *list = get(tn, "names");
    const cJSON *last = NULL;
    for (const cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e; e = e->next)
        last = e;
    const char *name = str(get(last, "String"), "sval");
    *domain = scenario_sql_domain(src->h, tn) != NULL;
    return name && cJSON_GetArraySize(get(tn, "arrayBounds")) == 0 ? xstrdup(name) : NULL;
}

void scenario_cast_create(const scenario_func_src_t *src, const cJSON *cs)
{
    const cJSON *owa = get(cs, "func");
    if (!owa || cJSON_IsTrue(get(cs, "inout")))
        return src->notice_statement(src);
    const cJSON *objname = get(owa, "objname");
    const char *parts[2] = {NULL, NULL};
    size_t n = 0;
    for (const cJSON *e = cJSON_IsArray(objname) ? objname->child : NULL; e && n < 2; e = e->next)
        parts[n++] = str(get(e, "String"), "sval");
    if (n == 0 || !parts[n - 1] || (n == 2 && !parts[0]))
        return src->notice_statement(src);
    /* The function as Postgres resolves it at CREATE CAST: the schema
     * given, else the first schema of the search path that has it. */
    scenario_t *s = src->h->s;
    const scenario_function_t *f = NULL;
    size_t schemas = n == 2 ? 1 : (src->h->search_path_len ? src->h->search_path_len : 1);
    for (size_t k = 0; !f && k < schemas; k++) {
        const char *schema = n == 2                    ? parts[0]
                             : src->h->search_path_len ? src->h->search_path[k]
                                                       : "public";
        for (size_t i = 0; !f && i < s->function_count; i++)
            if (strcmp(s->functions[i].schema, schema) == 0 &&
                strcmp(s->functions[i].name, parts[n - 1]) == 0 &&
                args_match(src, &s->functions[i], owa))
                f = &s->functions[i];
    }
    if (!f)
        return src->notice_statement(src);
    scenario_cast_t c = {0};
    c.source = cast_type(src, get(cs, "sourcetype"), &c.source_domain);
    c.target = cast_type(src, get(cs, "targettype"), &c.target_domain);
    if (!c.source || !c.target) {
        scenario_cast_dispose(&c);
        return src->notice_statement(src);
    }
    const char *ctx = str(cs, "context");
    c.context = ctx && strcmp(ctx, "COERCION_IMPLICIT") == 0     ? 'i'
                : ctx && strcmp(ctx, "COERCION_ASSIGNMENT") == 0 ? 'a'
                                                                 : 'e';
    /* The memory engine applies casts only where PostgREST does: as data
     * representations (SchemaCache.hs dataRepresentations: implicit, with
     * a function, between a domain and json or text). */
    bool json_or_text_source = strcmp(c.source, "json") == 0 || strcmp(c.source, "text") == 0;
    bool json_or_text_target = strcmp(c.target, "json") == 0 || strcmp(c.target, "text") == 0;
    if (c.context != 'i' ||
        !((c.source_domain && json_or_text_target) || (c.target_domain && json_or_text_source))) {
        scenario_cast_dispose(&c);
        return src->notice_statement(src);
    }
    c.func_schema = xstrdup(f->schema);
    c.func_name = xstrdup(f->name);
    c.func_arg_types = xcalloc(f->param_count ? f->param_count : 1, sizeof *c.func_arg_types);
    c.func_arg_domains = xcalloc(f->param_count ? f->param_count : 1, sizeof *c.func_arg_domains);
    for (size_t i = 0; i < f->param_count; i++) {
        if (!is_input(f->params[i].mode))
            continue;
        c.func_arg_types[c.func_arg_count] = xstrdup(f->params[i].type);
        c.func_arg_domains[c.func_arg_count] =
            f->params[i].domain ? xstrdup(f->params[i].domain) : NULL;
        c.func_arg_count++;
    }
    c.pos = src->pos(src, src->stmt->offset);
    s->casts = xrealloc(s->casts, (s->cast_count + 1) * sizeof *s->casts);
    s->casts[s->cast_count++] = c;
}
