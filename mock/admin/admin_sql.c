/* POST /__mock/sql on the memory engine: the text is parsed by Postgres's own
 * grammar (sql_parse.h); each statement's raw tree is read here. SELECT,
 * INSERT, UPDATE and DELETE go to the executor (sql_exec.h) as the
 * administrator (postgres, a superuser: no privilege checks, no row-level
 * security, as on the database engine); NOTIFY pgrst, CREATE/DROP POLICY,
 * ALTER TABLE ... ROW LEVEL SECURITY, GRANT/REVOKE and SELECT ... FROM
 * pg_policies change or read the instance's security model. A batch runs as
 * one transaction would: every statement is analysed first (against the
 * model plus the policies earlier statements of the batch create or drop),
 * then the data statements run in the store's transaction (rolled back if
 * one fails), and only when all pass are the model's changes applied, in
 * order, so a failing batch changes nothing. Answers as the database engine
 * answers (pg_mock_sql.c): {"results": [{"command": TAG, "rows": [...]}]}. */
#include "admin_sql.h"

#include "policy_expr.h"
#include "security.h"
#include "sql_exec.h"
#include "sql_parse.h"
#include "sql_text.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows answered per statement, as the database engine's /__mock/sql. */
#define ADMIN_SQL_MAX_ROWS 10000

static const char UNSUPPORTED[] =
    "supamock's /__mock/sql supports NOTIFY pgrst, CREATE POLICY, DROP POLICY, ALTER TABLE ... "
    "ENABLE|DISABLE ROW LEVEL SECURITY, GRANT, REVOKE, SELECT, INSERT, UPDATE and DELETE; got: ";

typedef struct sql_fail_t {
    char code[8];
    char *message;    /* heap */
    char *detail;     /* heap, NULL when none */
    char *hint;       /* heap, NULL when none */
    long position;    /* 1-based in the whole text, 0 when none */
    bool unsupported; /* answer {"error": ...} only */
} sql_fail_t;

static int sql_fail(sql_fail_t *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int sql_fail(sql_fail_t *e, const char *code, const char *fmt, ...)
{
    free(e->message);
    snprintf(e->code, sizeof e->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    e->message = xvasprintf(fmt, ap);
    va_end(ap);
    return -1;
}

typedef enum {
    S_NOTIFY,
    S_CREATE_POLICY,
    S_DROP_POLICY,
    S_ALTER_TABLE,
    S_GRANT,
    S_REVOKE,
    S_SELECT_POLICIES,
    S_EXEC, /* SELECT / INSERT / UPDATE / DELETE through the executor */
} skind_t;

enum {
    PC_SCHEMANAME,
    PC_TABLENAME,
    PC_POLICYNAME,
    PC_PERMISSIVE,
    PC_ROLES,
    PC_CMD,
    PC_QUAL,
    PC_WITH_CHECK,
    PC_COUNT
};
static const char *const PG_POLICIES_COLS[PC_COUNT] = {
    "schemaname", "tablename", "policyname", "permissive", "roles", "cmd", "qual", "with_check",
};

typedef struct stmt {
    skind_t kind;
    const char *tag;          /* Postgres command tag */
    bool reload;              /* NOTIFY pgrst, 'reload schema' */
    store_table_t *table;     /* CREATE/DROP POLICY, ALTER TABLE; NULL: IF EXISTS skipped it */
    security_policy_t policy; /* CREATE POLICY; owned until applied */
    char *name;               /* DROP POLICY */
    bool if_exists;
    int rls;                /* ALTER TABLE: 1 enable, 0 disable, -1 neither (FORCE only) */
    store_table_t **tables; /* GRANT/REVOKE targets */
    size_t ntables;
    char **roles; /* GRANT/REVOKE grantees (PUBLIC expanded) */
    size_t nroles;
    unsigned privs;
    int cols[PC_COUNT]; /* SELECT: output columns (-1 ends) */
    size_t ncols;
    char *filter[PC_COUNT]; /* SELECT: WHERE col = 'value' */
    sql_plan_t *plan;       /* S_EXEC: the analysed statement */
    sql_result_t res;       /* S_EXEC: its result once run */
    bool ran;
} stmt_t;

static void stmt_dispose(stmt_t *s)
{
    security_policy_dispose(&s->policy);
    free(s->name);
    free(s->tables);
    for (size_t i = 0; i < s->nroles; i++)
        free(s->roles[i]);
    free(s->roles);
    for (int i = 0; i < PC_COUNT; i++)
        free(s->filter[i]);
    sql_plan_free(s->plan);
    if (s->ran)
        sql_result_dispose(&s->res);
}

/* Policies that earlier statements of the batch create (exists) or drop. */
typedef struct overlay_entry {
    const store_table_t *t;
    char *name;
    bool exists;
} overlay_entry_t;

typedef struct ctx {
    const scenario_t *sc;
    void (*schema_reload)(void *arg);
    void *reload_arg;
    store_t *store;
    security_t *sec;
    int64_t now_us;
    const char *src;      /* the whole text */
    const sql_stmt_t *st; /* the statement being read */
    sql_fail_t *err;
    overlay_entry_t *overlay;
    size_t noverlay;
} ctx_t;

/* ---- raw tree access ---- */

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
static bool is(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

/* [schema.]name as written (for messages), resolved with search_path public. */
static store_table_t *range_var(ctx_t *c, const cJSON *rv, char *written, size_t wlen)
{
    const char *schema = str(rv, "schemaname"), *rel = str(rv, "relname");
    if (schema)
        snprintf(written, wlen, "%s.%s", schema, rel ? rel : "");
    else
        snprintf(written, wlen, "%s", rel ? rel : "");
    return rel ? store_find_table(c->store, schema ? schema : "public", rel) : NULL;
}

/* ---- roles ---- */

static void push_role(stmt_t *s, const char *r)
{
    for (size_t i = 0; i < s->nroles; i++)
        if (strcmp(s->roles[i], r) == 0)
            return;
    s->roles = xrealloc(s->roles, (s->nroles + 1) * sizeof *s->roles);
    s->roles[s->nroles++] = xstrdup(r);
}

/* RoleSpec list: PUBLIC sets *public; names must exist (get_rolespec_oid). */
static int role_list(ctx_t *c, const cJSON *list, stmt_t *s, bool *public)
{
    *public = false;
    for (const cJSON *it = cJSON_IsArray(list) ? list->child : NULL; it; it = it->next) {
        const cJSON *rs = get(it, "RoleSpec");
        const char *type = str(rs, "roletype");
        if (is(type, "ROLESPEC_PUBLIC")) {
            *public = true;
            continue;
        }
        if (!is(type, "ROLESPEC_CSTRING"))
            return sql_fail(c->err, "0A000",
                            "supamock: CURRENT_USER, SESSION_USER and CURRENT_ROLE as a role are "
                            "not supported; name the role");
        const char *r = str(rs, "rolename");
        if (!r || !security_role_exists(c->sec, r))
            return sql_fail(c->err, "42704", "role \"%s\" does not exist", r ? r : "");
        push_role(s, r);
    }
    return 0;
}

/* ---- NOTIFY channel [, 'payload'] ---- */

static int read_notify(ctx_t *c, const cJSON *n, stmt_t *s)
{
    s->kind = S_NOTIFY;
    s->tag = "NOTIFY";
    const char *channel = str(n, "conditionname");
    const char *payload = str(n, "payload");
    /* PostgREST's listener: an empty payload or 'reload schema' reloads the
     * schema cache; 'reload config' rereads the configuration (nothing to do
     * here); other payloads and channels are ignored. */
    (void)c;
    s->reload = is(channel, "pgrst") &&
                (!payload || payload[0] == '\0' || strcmp(payload, "reload schema") == 0);
    return 0;
}

/* ---- CREATE POLICY ---- */

static bool overlay_lookup(const ctx_t *c, const store_table_t *t, const char *name, bool *exists)
{
    for (size_t i = c->noverlay; i-- > 0;)
        if (c->overlay[i].t == t && strcmp(c->overlay[i].name, name) == 0) {
            *exists = c->overlay[i].exists;
            return true;
        }
    return false;
}

static bool policy_exists(const ctx_t *c, const store_table_t *t, const char *name)
{
    bool exists;
    if (overlay_lookup(c, t, name, &exists))
        return exists;
    size_t n = security_policy_count(c->sec, t);
    for (size_t i = 0; i < n; i++)
        if (strcmp(security_policy_at(c->sec, t, i)->name, name) == 0)
            return true;
    return false;
}

static void overlay_set(ctx_t *c, const store_table_t *t, const char *name, bool exists)
{
    c->overlay = xrealloc(c->overlay, (c->noverlay + 1) * sizeof *c->overlay);
    c->overlay[c->noverlay++] = (overlay_entry_t){.t = t, .name = xstrdup(name), .exists = exists};
}

/* The text inside the parentheses after `word` [then `next`] in the
 * statement: the policy keeps its expressions as written (pg_policies shows
 * them deparsed). */
static char *clause_text(const ctx_t *c, const char *word, const char *next)
{
    size_t end = c->st->offset + c->st->length;
    size_t at = sql_find_keyword(c->src, end, c->st->offset, word, next);
    if (at == (size_t)-1)
        return NULL;
    size_t from = at + strlen(word);
    if (next) {
        from = sql_find_keyword(c->src, end, from, next, NULL);
        if (from == (size_t)-1)
            return NULL;
        from += strlen(next);
    }
    size_t open, close;
    if (!sql_paren_group(c->src, end, from, &open, &close))
        return NULL;
    size_t a = open + 1, b = close;
    while (a < b && isspace((unsigned char)c->src[a]))
        a++;
    while (b > a && isspace((unsigned char)c->src[b - 1]))
        b--;
    return xstrndup(c->src + a, b - a);
}

static int parse_expr_into(ctx_t *c, const store_table_t *t, const char *text, policy_expr_t **out)
{
    policy_expr_error_t pe;
    *out = policy_expr_parse(text, c->store, t, &pe);
    if (!*out)
        return sql_fail(c->err, pe.code, "%s", pe.message);
    return 0;
}

static int read_create_policy(ctx_t *c, const cJSON *n, stmt_t *s)
{
    s->kind = S_CREATE_POLICY;
    s->tag = "CREATE POLICY";
    security_policy_t *p = &s->policy;
    p->name = xstrdup(str(n, "policy_name") ? str(n, "policy_name") : "");
    char written[160];
    store_table_t *t = range_var(c, get(n, "table"), written, sizeof written);
    p->permissive = cJSON_IsTrue(get(n, "permissive")); /* false is left out of the tree */
    static const char *const cmds[] = {"all", "select", "insert", "update", "delete"};
    static const security_command_t vals[] = {SECURITY_CMD_ALL, SECURITY_CMD_SELECT,
                                              SECURITY_CMD_INSERT, SECURITY_CMD_UPDATE,
                                              SECURITY_CMD_DELETE};
    p->command = SECURITY_CMD_ALL;
    for (int k = 0; k < 5; k++)
        if (is(str(n, "cmd_name"), cmds[k]))
            p->command = vals[k];
    bool public = true;
    stmt_t roles_holder;
    memset(&roles_holder, 0, sizeof roles_holder);
    if (role_list(c, get(n, "roles"), &roles_holder, &public) < 0) {
        stmt_dispose(&roles_holder);
        return -1;
    }
    if (!get(n, "roles"))
    public = true;
    /* policy_role_list_to_array: PUBLIC with other roles keeps only PUBLIC
     * (with a WARNING). */
    if (!public && roles_holder.nroles) {
        p->roles = roles_holder.roles;
        p->role_count = roles_holder.nroles;
        roles_holder.roles = NULL;
        roles_holder.nroles = 0;
    }
    stmt_dispose(&roles_holder);
    if (get(n, "qual"))
        p->using_text = clause_text(c, "using", NULL);
    if (get(n, "with_check"))
        p->check_text = clause_text(c, "with", "check");
    if ((get(n, "qual") && !p->using_text) || (get(n, "with_check") && !p->check_text))
        return sql_fail(c->err, "42601", "syntax error at or near \"(\"");
    /* commands/policy.c CreatePolicy, in its order: command/clause checks,
     * roles (checked above), the table, the expressions, then the duplicate
     * name. */
    if ((p->command == SECURITY_CMD_SELECT || p->command == SECURITY_CMD_DELETE) && p->check_text)
        return sql_fail(c->err, "42601", "WITH CHECK cannot be applied to SELECT or DELETE");
    if (p->command == SECURITY_CMD_INSERT && p->using_text)
        return sql_fail(c->err, "42601", "only WITH CHECK expression allowed for INSERT");
    if (!t)
        return sql_fail(c->err, "42P01", "relation \"%s\" does not exist", written);
    s->table = t;
    if (p->using_text && parse_expr_into(c, t, p->using_text, &p->using_expr) < 0)
        return -1;
    if (p->check_text && parse_expr_into(c, t, p->check_text, &p->check_expr) < 0)
        return -1;
    if (policy_exists(c, t, p->name))
        return sql_fail(c->err, "42710", "policy \"%s\" for table \"%s\" already exists", p->name,
                        store_table_name(t));
    overlay_set(c, t, p->name, true);
    return 0;
}

/* ---- DROP POLICY [IF EXISTS] name ON table [CASCADE | RESTRICT] ---- */

static int read_drop_policy(ctx_t *c, const cJSON *n, stmt_t *s)
{
    s->kind = S_DROP_POLICY;
    s->tag = "DROP POLICY";
    s->if_exists = cJSON_IsTrue(get(n, "missing_ok"));
    /* objects: [[schema,] table, policy] */
    const cJSON *obj = get(get(get(n, "objects")->child, "List"), "items");
    int count = cJSON_GetArraySize(obj);
    if (count < 2 || count > 3)
        return sql_fail(c->err, "42601", "improper qualified name (too many dotted names)");
    const char *schema = count == 3 ? sval(cJSON_GetArrayItem(obj, 0)) : NULL;
    const char *rel = sval(cJSON_GetArrayItem(obj, count - 2));
    s->name = xstrdup(
        sval(cJSON_GetArrayItem(obj, count - 1)) ? sval(cJSON_GetArrayItem(obj, count - 1)) : "");
    char written[160];
    snprintf(written, sizeof written, "%s%s%s", schema ? schema : "", schema ? "." : "",
             rel ? rel : "");
    store_table_t *t = rel ? store_find_table(c->store, schema ? schema : "public", rel) : NULL;
    if (!t) {
        if (s->if_exists)
            return 0; /* NOTICE: relation "x" does not exist, skipping */
        return sql_fail(c->err, "42P01", "relation \"%s\" does not exist", written);
    }
    if (!policy_exists(c, t, s->name)) {
        if (s->if_exists)
            return 0; /* NOTICE: policy "x" for relation "t" does not exist, skipping */
        return sql_fail(c->err, "42704", "policy \"%s\" for table \"%s\" does not exist", s->name,
                        store_table_name(t));
    }
    s->table = t;
    overlay_set(c, t, s->name, false);
    return 0;
}

/* ---- ALTER TABLE [IF EXISTS] [ONLY] t {ENABLE|DISABLE|FORCE|NO FORCE} ROW LEVEL SECURITY ---- */

static int read_alter_table(ctx_t *c, const cJSON *n, stmt_t *s)
{
    s->kind = S_ALTER_TABLE;
    s->tag = "ALTER TABLE";
    s->rls = -1;
    s->if_exists = cJSON_IsTrue(get(n, "missing_ok"));
    if (!is(str(n, "objtype"), "OBJECT_TABLE")) {
        c->err->unsupported = true;
        return -1;
    }
    const cJSON *cmds = get(n, "cmds");
    for (const cJSON *it = cJSON_IsArray(cmds) ? cmds->child : NULL; it; it = it->next) {
        const char *sub = str(get(it, "AlterTableCmd"), "subtype");
        if (is(sub, "AT_EnableRowSecurity"))
            s->rls = 1;
        else if (is(sub, "AT_DisableRowSecurity"))
            s->rls = 0;
        else if (!is(sub, "AT_ForceRowSecurity") && !is(sub, "AT_NoForceRowSecurity")) {
            c->err->unsupported = true;
            return -1;
        }
    }
    char written[160];
    store_table_t *t = range_var(c, get(n, "relation"), written, sizeof written);
    if (!t && !s->if_exists)
        return sql_fail(c->err, "42P01", "relation \"%s\" does not exist", written);
    s->table = t;
    return 0;
}

/* ---- GRANT / REVOKE ---- */

static int read_privileges(ctx_t *c, const cJSON *privs, stmt_t *s, bool *table_privs_only)
{
    *table_privs_only = true;
    if (!privs) {
        s->privs = SCENARIO_PRIV_ALL; /* ALL [PRIVILEGES] */
        return 0;
    }
    for (const cJSON *it = privs->child; it; it = it->next) {
        const cJSON *ap = get(it, "AccessPriv");
        const char *w = str(ap, "priv_name");
        if (get(ap, "cols"))
            return sql_fail(c->err, "0A000", "supamock: column privileges are not supported");
        if (!w)
            return sql_fail(c->err, "42601", "syntax error");
        if (strcmp(w, "select") == 0)
            s->privs |= SCENARIO_PRIV_SELECT;
        else if (strcmp(w, "insert") == 0)
            s->privs |= SCENARIO_PRIV_INSERT;
        else if (strcmp(w, "update") == 0)
            s->privs |= SCENARIO_PRIV_UPDATE;
        else if (strcmp(w, "delete") == 0)
            s->privs |= SCENARIO_PRIV_DELETE;
        else if (strcmp(w, "truncate") == 0 || strcmp(w, "references") == 0 ||
                 strcmp(w, "trigger") == 0 || strcmp(w, "maintain") == 0)
            ; /* table privileges the model does not use */
        else if (strcmp(w, "usage") == 0 || strcmp(w, "execute") == 0 || strcmp(w, "create") == 0)
            *table_privs_only = false;
        else
            return sql_fail(c->err, "42601", "unrecognized privilege type \"%s\"", w);
    }
    return 0;
}

static void push_table(stmt_t *s, store_table_t *t)
{
    s->tables = xrealloc(s->tables, (s->ntables + 1) * sizeof *s->tables);
    s->tables[s->ntables++] = t;
}

static bool schema_exists(const ctx_t *c, const char *schema)
{
    if (strcmp(schema, "public") == 0 || strcmp(schema, "auth") == 0 ||
        strcmp(schema, "extensions") == 0 || strcmp(schema, "storage") == 0)
        return true;
    for (size_t i = 0; i < store_table_count(c->store); i++)
        if (strcmp(store_table_schema(store_table_at(c->store, i)), schema) == 0)
            return true;
    return false;
}

static int read_grant(ctx_t *c, const cJSON *n, stmt_t *s)
{
    bool revoke = !cJSON_IsTrue(get(n, "is_grant"));
    s->kind = revoke ? S_REVOKE : S_GRANT;
    s->tag = revoke ? "REVOKE" : "GRANT";
    bool table_privs_only;
    if (read_privileges(c, get(n, "privileges"), s, &table_privs_only) < 0)
        return -1;
    const char *objtype = str(n, "objtype");
    const char *targtype = str(n, "targtype");
    bool objects_are_tables = is(objtype, "OBJECT_TABLE");
    const cJSON *objects = get(n, "objects");
    if (is(targtype, "ACL_TARGET_ALL_IN_SCHEMA")) {
        /* ALL TABLES | SEQUENCES | FUNCTIONS | ROUTINES IN SCHEMA s [, ...] */
        for (const cJSON *it = cJSON_IsArray(objects) ? objects->child : NULL; it; it = it->next) {
            const char *schema = sval(it);
            if (!schema || !schema_exists(c, schema))
                return sql_fail(c->err, "3F000", "schema \"%s\" does not exist",
                                schema ? schema : "");
            for (size_t i = 0; objects_are_tables && i < store_table_count(c->store); i++) {
                store_table_t *t = store_table_at(c->store, i);
                if (strcmp(store_table_schema(t), schema) == 0)
                    push_table(s, t);
            }
        }
    } else if (is(objtype, "OBJECT_SCHEMA")) {
        for (const cJSON *it = cJSON_IsArray(objects) ? objects->child : NULL; it; it = it->next) {
            const char *schema = sval(it);
            if (!schema || !schema_exists(c, schema))
                return sql_fail(c->err, "3F000", "schema \"%s\" does not exist",
                                schema ? schema : "");
        }
    } else if (objects_are_tables && is(targtype, "ACL_TARGET_OBJECT")) {
        for (const cJSON *it = cJSON_IsArray(objects) ? objects->child : NULL; it; it = it->next) {
            char written[160];
            store_table_t *t = range_var(c, get(it, "RangeVar"), written, sizeof written);
            if (!t)
                return sql_fail(c->err, "42P01", "relation \"%s\" does not exist", written);
            push_table(s, t);
        }
    } else {
        c->err->unsupported = true;
        return -1;
    }
    if (objects_are_tables && !table_privs_only)
        return sql_fail(c->err, "0LP01", "invalid privilege type %s for relation",
                        "USAGE/EXECUTE/CREATE");
    bool public;
    if (role_list(c, get(n, "grantees"), s, &public) < 0)
        return -1;
    if (public) {
        /* PUBLIC: every role the model knows (Supabase's API roles plus the
         * scenario's), which is what PUBLIC means for them. */
        push_role(s, "anon");
        push_role(s, "authenticated");
        push_role(s, "service_role");
        const scenario_t *sc = c->sc;
        for (size_t i = 0; i < sc->role_count; i++)
            push_role(s, sc->roles[i].name);
    }
    if (!objects_are_tables) {
        s->ntables = 0; /* schema, sequence and function privileges: accepted, not modelled */
        s->privs = 0;
    }
    return 0;
}

/* ---- SELECT cols FROM pg_policies [WHERE col = 'v' [AND ...]] ---- */

static int pc_index(const char *name)
{
    for (int i = 0; i < PC_COUNT; i++)
        if (strcmp(PG_POLICIES_COLS[i], name) == 0)
            return i;
    return -1;
}

/* Is this a query on pg_policies (the catalog view the executor does not
 * model)? */
static bool on_pg_policies(const cJSON *sel)
{
    const cJSON *from = get(sel, "fromClause");
    if (cJSON_GetArraySize(from) != 1)
        return false;
    const cJSON *rv = get(from->child, "RangeVar");
    const char *schema = str(rv, "schemaname");
    return is(str(rv, "relname"), "pg_policies") && (!schema || is(schema, "pg_catalog"));
}

static const char PG_POLICIES_SUBSET[] =
    "supamock: pg_policies supports SELECT col, ... FROM pg_policies WHERE column = 'value' "
    "joined by AND on its text columns";

static int filter_of(ctx_t *c, const cJSON *e, stmt_t *s)
{
    const cJSON *b = get(e, "BoolExpr");
    if (b && is(str(b, "boolop"), "AND_EXPR")) {
        for (const cJSON *it = get(b, "args")->child; it; it = it->next)
            if (filter_of(c, it, s) < 0)
                return -1;
        return 0;
    }
    const cJSON *a = get(e, "A_Expr");
    const cJSON *l = get(get(a, "lexpr"), "ColumnRef");
    const cJSON *r = get(get(a, "rexpr"), "A_Const");
    const char *name = l ? sval(get(l, "fields")->child) : NULL;
    int k = name ? pc_index(name) : -1;
    if (name && k < 0)
        return sql_fail(c->err, "42703", "column \"%s\" does not exist", name);
    if (!a || !is(str(a, "kind"), "AEXPR_OP") || !is(sval(get(a, "name")->child), "=") || k < 0 ||
        k == PC_ROLES || !str(get(r, "sval"), "sval"))
        return sql_fail(c->err, "0A000", "%s", PG_POLICIES_SUBSET);
    free(s->filter[k]);
    s->filter[k] = xstrdup(str(get(r, "sval"), "sval"));
    return 0;
}

static int read_select_policies(ctx_t *c, const cJSON *sel, stmt_t *s)
{
    s->kind = S_SELECT_POLICIES;
    s->tag = "SELECT";
    if (get(sel, "groupClause") || get(sel, "sortClause") || get(sel, "limitCount") ||
        get(sel, "distinctClause") || get(sel, "havingClause"))
        return sql_fail(c->err, "0A000", "%s", PG_POLICIES_SUBSET);
    for (const cJSON *it = get(sel, "targetList")->child; it; it = it->next) {
        const cJSON *rt = get(it, "ResTarget");
        const cJSON *cr = get(get(rt, "val"), "ColumnRef");
        const cJSON *f = cr ? get(cr, "fields")->child : NULL;
        if (f && get(f, "A_Star")) {
            for (int i = 0; i < PC_COUNT; i++)
                if (s->ncols < PC_COUNT)
                    s->cols[s->ncols++] = i;
            continue;
        }
        const char *name = f ? sval(f) : NULL;
        if (!name || f->next || str(rt, "name"))
            return sql_fail(c->err, "0A000", "%s", PG_POLICIES_SUBSET);
        int k = pc_index(name);
        if (k < 0)
            return sql_fail(c->err, "42703", "column \"%s\" does not exist", name);
        if (s->ncols < PC_COUNT)
            s->cols[s->ncols++] = k;
    }
    const cJSON *where = get(sel, "whereClause");
    return where ? filter_of(c, where, s) : 0;
}

/* ---- data statements: analysed now, run in the batch's transaction ---- */

static int read_exec(ctx_t *c, const sql_stmt_t *st, stmt_t *s)
{
    s->kind = S_EXEC;
    sql_exec_error_t e;
    sql_exec_error_init(&e);
    if (sql_exec_prepare(c->store, st->node, c->src, NULL, &s->plan, &e) < 0) {
        sql_fail(c->err, e.e.code, "%s", e.e.message ? e.e.message : "error");
        if (e.e.details)
            c->err->detail = xstrdup(e.e.details);
        if (e.e.hint)
            c->err->hint = xstrdup(e.e.hint);
        if (e.position != SQL_EXEC_NO_POSITION)
            c->err->position = (long)e.position + 1;
        sql_exec_error_dispose(&e);
        return -1;
    }
    return 0;
}

static int read_stmt(ctx_t *c, const sql_stmt_t *st, stmt_t *s)
{
    c->st = st;
    const cJSON *n = st->node;
    const char *kind = st->kind;
    if (is(kind, "NotifyStmt"))
        return read_notify(c, n, s);
    if (is(kind, "CreatePolicyStmt"))
        return read_create_policy(c, n, s);
    if (is(kind, "DropStmt") && is(str(n, "removeType"), "OBJECT_POLICY"))
        return read_drop_policy(c, n, s);
    if (is(kind, "AlterTableStmt"))
        return read_alter_table(c, n, s);
    if (is(kind, "GrantStmt"))
        return read_grant(c, n, s);
    if (is(kind, "SelectStmt") && on_pg_policies(n))
        return read_select_policies(c, n, s);
    if (is(kind, "SelectStmt") || is(kind, "InsertStmt") || is(kind, "UpdateStmt") ||
        is(kind, "DeleteStmt"))
        return read_exec(c, st, s);
    c->err->unsupported = true;
    return -1;
}

static const char *cmd_name(security_command_t c)
{
    switch (c) {
    case SECURITY_CMD_SELECT:
        return "SELECT";
    case SECURITY_CMD_INSERT:
        return "INSERT";
    case SECURITY_CMD_UPDATE:
        return "UPDATE";
    case SECURITY_CMD_DELETE:
        return "DELETE";
    default:
        return "ALL";
    }
}

static cJSON *deparsed(const policy_expr_t *e)
{
    if (!e)
        return cJSON_CreateNull();
    buf_t b;
    buf_init(&b);
    policy_expr_deparse(e, &b);
    cJSON *j = cJSON_CreateString(buf_cstr(&b));
    buf_dispose(&b);
    return j;
}

static void add(cJSON *obj, const char *key, cJSON *item)
{
    MOCK_ASSERT(item);
    if (!cJSON_AddItemToObject(obj, key, item)) {
        cJSON_Delete(item);
        MOCK_ASSERT(!"cJSON_AddItemToObject");
    }
}

/* One value as the database engine answers it (pg_mock_sql.c put_value):
 * numbers and booleans as such (NaN and Infinity as strings), json and
 * jsonb as their document, else the text output as a string. */
static cJSON *json_value(const pgtype_t *t, const pgvalue_t *v)
{
    if (v->is_null)
        return cJSON_CreateNull();
    buf_t b;
    buf_init(&b);
    pgvalue_render_text(t, v, &b);
    const char *text = buf_cstr(&b);
    cJSON *out = NULL;
    if (!t->is_array) {
        switch (t->kind) {
        case PGTYPE_BOOL:
            out = cJSON_CreateBool(v->i != 0);
            break;
        case PGTYPE_INT2:
        case PGTYPE_INT4:
        case PGTYPE_INT8:
        case PGTYPE_FLOAT4:
        case PGTYPE_FLOAT8:
        case PGTYPE_NUMERIC:
            if (strcmp(text, "NaN") != 0 && !strstr(text, "Infinity"))
                out = cJSON_CreateRaw(text);
            break;
        case PGTYPE_JSON:
        case PGTYPE_JSONB:
            out = cJSON_CreateRaw(text);
            break;
        default:
            break;
        }
    }
    if (!out)
        out = cJSON_CreateString(text);
    buf_dispose(&b);
    MOCK_ASSERT(out);
    return out;
}

static cJSON *exec_rows(const sql_result_t *r, bool *truncated)
{
    cJSON *rows = cJSON_CreateArray();
    MOCK_ASSERT(rows);
    *truncated = r->nrows > ADMIN_SQL_MAX_ROWS;
    for (size_t i = 0; i < r->nrows && i < ADMIN_SQL_MAX_ROWS; i++) {
        cJSON *row = cJSON_CreateObject();
        MOCK_ASSERT(row);
        for (size_t c = 0; c < r->ncols; c++) {
            cJSON *v = json_value(&r->types[c], &r->values[i * r->ncols + c]);
            /* duplicate names: the last wins, as a JSON object keeps one */
            cJSON_DeleteItemFromObjectCaseSensitive(row, r->names[c]);
            add(row, r->names[c], v);
        }
        cJSON_AddItemToArray(rows, row);
    }
    return rows;
}

static cJSON *select_rows(ctx_t *c, const stmt_t *s)
{
    cJSON *rows = cJSON_CreateArray();
    MOCK_ASSERT(rows);
    for (size_t ti = 0; ti < store_table_count(c->store); ti++) {
        const store_table_t *t = store_table_at(c->store, ti);
        size_t n = security_policy_count(c->sec, t);
        for (size_t pi = 0; pi < n; pi++) {
            const security_policy_t *p = security_policy_at(c->sec, t, pi);
            buf_t qual, check;
            buf_init(&qual);
            buf_init(&check);
            if (p->using_expr)
                policy_expr_deparse(p->using_expr, &qual);
            if (p->check_expr)
                policy_expr_deparse(p->check_expr, &check);
            const char *text[PC_COUNT] = {
                store_table_schema(t),
                store_table_name(t),
                p->name,
                p->permissive ? "PERMISSIVE" : "RESTRICTIVE",
                NULL,
                cmd_name(p->command),
                p->using_expr ? buf_cstr(&qual) : NULL,
                p->check_expr ? buf_cstr(&check) : NULL,
            };
            bool keep = true;
            for (int k = 0; k < PC_COUNT && keep; k++)
                if (s->filter[k] && (!text[k] || strcmp(text[k], s->filter[k]) != 0))
                    keep = false;
            if (keep) {
                cJSON *row = cJSON_CreateObject();
                MOCK_ASSERT(row);
                for (size_t ci = 0; ci < s->ncols; ci++) {
                    int k = s->cols[ci];
                    cJSON *v;
                    if (k == PC_ROLES) {
                        v = cJSON_CreateArray();
                        MOCK_ASSERT(v);
                        if (p->role_count == 0)
                            cJSON_AddItemToArray(v, cJSON_CreateString("public"));
                        for (size_t r = 0; r < p->role_count; r++)
                            cJSON_AddItemToArray(v, cJSON_CreateString(p->roles[r]));
                    } else if (k == PC_QUAL) {
                        v = deparsed(p->using_expr);
                    } else if (k == PC_WITH_CHECK) {
                        v = deparsed(p->check_expr);
                    } else {
                        v = cJSON_CreateString(text[k]);
                    }
                    add(row, PG_POLICIES_COLS[k], v);
                }
                cJSON_AddItemToArray(rows, row);
            }
            buf_dispose(&qual);
            buf_dispose(&check);
        }
    }
    return rows;
}

/* Applies a validated statement; returns its result object. */
static cJSON *apply(ctx_t *c, stmt_t *s)
{
    cJSON *res = cJSON_CreateObject();
    MOCK_ASSERT(res);
    char *error = NULL;
    if (s->kind == S_EXEC) {
        /* the command tags Postgres sends (CommandComplete) */
        char tag[64];
        unsigned long long n = (unsigned long long)s->res.rows_affected;
        if (strcmp(s->res.command, "INSERT") == 0)
            snprintf(tag, sizeof tag, "INSERT 0 %llu", n);
        else
            snprintf(tag, sizeof tag, "%s %llu", s->res.command, n);
        add(res, "command", cJSON_CreateString(tag));
        if (strcmp(s->res.command, "SELECT") == 0 || s->res.ncols > 0) {
            bool truncated = false;
            add(res, "rows", exec_rows(&s->res, &truncated));
            if (truncated)
                add(res, "truncated", cJSON_CreateTrue());
        }
        return res;
    }
    if (s->kind == S_SELECT_POLICIES) {
        cJSON *rows = select_rows(c, s);
        char tag[64];
        snprintf(tag, sizeof tag, "SELECT %d", cJSON_GetArraySize(rows));
        add(res, "command", cJSON_CreateString(tag));
        add(res, "rows", rows);
        return res;
    }
    add(res, "command", cJSON_CreateString(s->tag));
    switch (s->kind) {
    case S_NOTIFY:
        if (s->reload)
            c->schema_reload(c->reload_arg);
        break;
    case S_CREATE_POLICY:
        /* Validated against the overlay: a failure here is a broken invariant. */
        if (security_create_policy(c->sec, s->table, &s->policy, &error) < 0)
            mock_assert_fail(error, __FILE__, __LINE__);
        memset(&s->policy, 0, sizeof s->policy);
        break;
    case S_DROP_POLICY:
        if (s->table && security_drop_policy(c->sec, s->table, s->name, true, &error) < 0)
            mock_assert_fail(error, __FILE__, __LINE__);
        break;
    case S_ALTER_TABLE:
        if (s->table && s->rls >= 0)
            security_set_rls(c->sec, s->table, s->rls == 1);
        break;
    case S_GRANT:
    case S_REVOKE:
        for (size_t t = 0; t < s->ntables; t++)
            for (size_t r = 0; r < s->nroles; r++) {
                if (s->kind == S_GRANT)
                    security_grant(c->sec, s->tables[t], s->roles[r], s->privs);
                else
                    security_revoke(c->sec, s->tables[t], s->roles[r], s->privs);
            }
        break;
    case S_SELECT_POLICIES:
    case S_EXEC:
        break; /* answered above */
    }
    return res;
}

/* ------------------------------------------------------------------------ */
/* entry                                                                     */
/* ------------------------------------------------------------------------ */

/* Up to the first three words of the statement, for the "unsupported" text. */
static char *first_words(const char *src, const sql_stmt_t *st)
{
    buf_t b;
    buf_init(&b);
    size_t i = st->offset, end = st->offset + st->length;
    for (int w = 0; w < 3; w++) {
        while (i < end && isspace((unsigned char)src[i]))
            i++;
        if (i >= end)
            break;
        size_t start = i;
        while (i < end && !isspace((unsigned char)src[i]))
            i++;
        if (w)
            buf_putc(&b, ' ');
        buf_append(&b, src + start, i - start > 40 ? 40 : i - start);
    }
    return buf_steal(&b);
}

/* Which statement (1-based) the byte offset is in: the ';' outside strings,
 * quoted identifiers and comments before it, plus one. */
static size_t statement_at(const char *s, size_t offset)
{
    size_t no = 1;
    for (size_t i = 0; s[i] && i < offset; i++) {
        char ch = s[i];
        if (ch == '\'' || ch == '"') {
            for (i++; s[i] && i < offset; i++)
                if (s[i] == ch) {
                    if (s[i + 1] == ch)
                        i++;
                    else
                        break;
                }
        } else if (ch == '-' && s[i + 1] == '-') {
            while (s[i] && s[i] != '\n' && i < offset)
                i++;
        } else if (ch == '/' && s[i + 1] == '*') {
            for (i += 2; s[i] && i < offset && !(s[i] == '*' && s[i + 1] == '/'); i++)
                ;
            if (s[i])
                i++;
        } else if (ch == ';') {
            no++;
        }
        if (!s[i])
            break;
    }
    return no;
}

static void answer_error(mock_response_t *resp, const sql_fail_t *e, size_t stmt_no,
                         const char *words)
{
    resp->status = 400;
    cJSON *o = cJSON_CreateObject();
    MOCK_ASSERT(o);
    if (e->unsupported) {
        char *msg = xasprintf("%s%s", UNSUPPORTED, words ? words : "");
        add(o, "error", cJSON_CreateString(msg));
        free(msg);
    } else {
        /* pg_mock_sql.c put_error's members, in its order */
        add(o, "error", cJSON_CreateString(e->message ? e->message : "error"));
        add(o, "code", cJSON_CreateString(e->code));
        if (e->detail)
            add(o, "details", cJSON_CreateString(e->detail));
        if (e->hint)
            add(o, "hint", cJSON_CreateString(e->hint));
        if (e->position > 0)
            add(o, "position", cJSON_CreateNumber((double)e->position));
        add(o, "statement", cJSON_CreateNumber((double)stmt_no));
    }
    char *text = cJSON_PrintUnformatted(o);
    MOCK_ASSERT(text);
    buf_puts(&resp->body, text);
    cJSON_free(text);
    cJSON_Delete(o);
}

/* Runs the batch's data statements in one store transaction; on a failure
 * everything is rolled back and *failed is the statement's index. */
static int run_data(ctx_t *c, stmt_t *stmts, size_t n, size_t *failed)
{
    bool own = !store_in_transaction(c->store);
    if (own) {
        store_derived_release(c->store); /* views compute their rows afresh */
        store_begin(c->store);
    }
    store_env_t senv = {.now_us = c->now_us, .auth_uid = NULL, .hide_row_details = false};
    mock_work_t work;
    /* a developer's tool, bounded like the database engine's 30 s statement_timeout */
    mock_work_init(&work, mock_work_steps_for_timeout_ms(30000));
    sql_exec_env_t env = {.store = c->store,
                          .sec = c->sec,
                          .role = "postgres",
                          .superuser = true,
                          .claims = NULL,
                          .store_env = &senv,
                          .work = &work,
                          .scope = NULL,
                          .hook = NULL};
    for (size_t i = 0; i < n; i++) {
        if (stmts[i].kind != S_EXEC)
            continue;
        sql_exec_error_t e;
        sql_exec_error_init(&e);
        if (sql_exec_run(stmts[i].plan, &env, &stmts[i].res, &e) < 0) {
            sql_fail(c->err, e.e.code, "%s", e.e.message ? e.e.message : "error");
            if (e.e.details)
                c->err->detail = xstrdup(e.e.details);
            if (e.e.hint)
                c->err->hint = xstrdup(e.e.hint);
            sql_exec_error_dispose(&e);
            if (own)
                store_rollback(c->store);
            *failed = i;
            return -1;
        }
        stmts[i].ran = true;
    }
    if (own)
        store_commit(c->store);
    return 0;
}

void admin_sql_execute(store_t *store, security_t *sec, const scenario_t *sc,
                       void (*schema_reload)(void *arg), void *arg, int64_t now_us, const char *sql,
                       mock_response_t *resp)
{
    mock_response_add_header(resp, "Content-Type", "application/json");
    sql_fail_t err;
    memset(&err, 0, sizeof err);
    ctx_t c;
    memset(&c, 0, sizeof c);
    c.sc = sc;
    c.schema_reload = schema_reload;
    c.reload_arg = arg;
    c.store = store;
    c.sec = sec;
    c.now_us = now_us;
    c.src = sql;
    c.err = &err;
    stmt_t *stmts = NULL;
    size_t nstmts = 0;
    sql_script_t script;
    memset(&script, 0, sizeof script);
    sql_error_t perr;
    if (sql_parse_script(sql, &script, &perr) < 0) {
        sql_fail(&err, "42601", "%s", perr.message);
        if (perr.offset != SQL_NO_OFFSET)
            err.position = (long)perr.offset + 1;
        answer_error(resp, &err, perr.offset == SQL_NO_OFFSET ? 1 : statement_at(sql, perr.offset),
                     NULL);
        goto done;
    }
    /* Read and check everything first. */
    stmts = xcalloc(script.count ? script.count : 1, sizeof *stmts);
    for (size_t i = 0; i < script.count; i++) {
        if (!script.stmts[i].node || !script.stmts[i].kind)
            continue; /* an empty statement */
        stmt_t *s = &stmts[nstmts++];
        if (read_stmt(&c, &script.stmts[i], s) < 0) {
            char *words = first_words(sql, &script.stmts[i]);
            answer_error(resp, &err, nstmts, words);
            free(words);
            goto done;
        }
    }
    /* Then the data, in one transaction. */
    size_t failed = 0;
    if (run_data(&c, stmts, nstmts, &failed) < 0) {
        answer_error(resp, &err, failed + 1, NULL);
        goto done;
    }
    /* Then the model's changes, in order. */
    cJSON *out = cJSON_CreateObject();
    cJSON *results = cJSON_CreateArray();
    MOCK_ASSERT(out && results);
    add(out, "results", results);
    for (size_t i = 0; i < nstmts; i++)
        cJSON_AddItemToArray(results, apply(&c, &stmts[i]));
    char *text = cJSON_PrintUnformatted(out);
    MOCK_ASSERT(text);
    resp->status = 200;
    buf_puts(&resp->body, text);
    cJSON_free(text);
    cJSON_Delete(out);
done:
    for (size_t i = 0; i < nstmts; i++)
        stmt_dispose(&stmts[i]);
    free(stmts);
    for (size_t i = 0; i < c.noverlay; i++)
        free(c.overlay[i].name);
    free(c.overlay);
    sql_script_dispose(&script);
    free(err.message);
    free(err.detail);
    free(err.hint);
}
