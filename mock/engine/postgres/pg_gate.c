/* The superuser gate for a project's SQL, decided on Postgres's parse tree
 * (mock/sql: libpg_query's JSON form of the raw nodes). See pg_gate.h for
 * why it exists. Pure: the catalog is asked only through the callback. */
#include "pg_gate.h"

#include "sql_parse.h"

#include <stdbool.h>
#include <string.h>

typedef struct gate {
    pg_gate_privileged_fn privileged;
    void *arg;
} gate_t;

static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A RoleSpec names a role the gate can judge only when it is spelled out;
 * CURRENT_USER, SESSION_USER, CURRENT_ROLE and PUBLIC are judged as
 * privileged, so statements using them stay with `postgres`. */
static bool role_is_safe(const gate_t *g, const cJSON *rolespec)
{
    const char *type = str(rolespec, "roletype");
    const char *name = str(rolespec, "rolename");
    if (!type || strcmp(type, "ROLESPEC_CSTRING") != 0 || !name)
        return false;
    return !g->privileged(g->arg, name);
}

static bool rolespecs_are_safe(const gate_t *g, const cJSON *list)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, list)
    {
        if (!role_is_safe(g, get(it, "RoleSpec")))
            return false;
    }
    return true;
}

/* Role options (CREATE/ALTER ROLE): the attributes that hand out power a
 * superuser guards may not be asked for, and the roles a new role joins
 * (IN ROLE) must not be privileged. NOSUPERUSER and friends are fine. */
static bool role_options_are_safe(const gate_t *g, const cJSON *options)
{
    static const char *const guarded[] = {"superuser", "createrole", "isreplication", "bypassrls"};
    const cJSON *it;
    cJSON_ArrayForEach(it, options)
    {
        const cJSON *def = get(it, "DefElem");
        const char *name = str(def, "defname");
        if (!name)
            return false;
        for (size_t i = 0; i < sizeof guarded / sizeof guarded[0]; i++) {
            if (strcmp(name, guarded[i]) != 0)
                continue;
            const cJSON *b = get(get(get(def, "arg"), "Boolean"), "boolval");
            if (cJSON_IsTrue(b))
                return false;
        }
        if (strcmp(name, "addroleto") == 0 &&
            !rolespecs_are_safe(g, get(get(get(def, "arg"), "List"), "items")))
            return false;
    }
    return true;
}

static bool admits(const gate_t *g, const char *kind, const cJSON *n)
{
    if (strcmp(kind, "CreateExtensionStmt") == 0)
        return true;
    if (strcmp(kind, "AlterRoleSetStmt") == 0) {
        /* Only PostgREST's settings: anything else a superuser may set on a
         * role (session_preload_libraries, ...) stays refused. */
        const char *name = str(get(n, "setstmt"), "name");
        return name && strncmp(name, "pgrst.", 6) == 0;
    }
    if (strcmp(kind, "CreateRoleStmt") == 0) {
        const char *type = str(n, "stmt_type");
        /* CREATE GROUP is the same statement; its members are ROLE lists. */
        return type && str(n, "role") && !g->privileged(g->arg, str(n, "role")) &&
               role_options_are_safe(g, get(n, "options"));
    }
    if (strcmp(kind, "AlterRoleStmt") == 0)
        return role_is_safe(g, get(n, "role")) && role_options_are_safe(g, get(n, "options"));
    if (strcmp(kind, "DropRoleStmt") == 0)
        return rolespecs_are_safe(g, get(n, "roles"));
    if (strcmp(kind, "GrantRoleStmt") == 0) {
        /* Membership in a privileged role is the escalation itself; the
         * grantees may be anyone (granting a new role to supabase_admin
         * gives nothing away). */
        const cJSON *it;
        cJSON_ArrayForEach(it, get(n, "granted_roles"))
        {
            const char *name = str(get(it, "AccessPriv"), "priv_name");
            if (!name || g->privileged(g->arg, name))
                return false;
        }
        const cJSON *grantor = get(n, "grantor");
        return !grantor || role_is_safe(g, grantor);
    }
    return false;
}

bool pg_gate_admits(const char *stmt, pg_gate_privileged_fn privileged, void *arg)
{
    sql_script_t script;
    sql_error_t err;
    if (sql_parse_script(stmt, &script, &err) < 0)
        return false;
    gate_t g = {.privileged = privileged, .arg = arg};
    bool ok = script.count == 1 && admits(&g, script.stmts[0].kind, script.stmts[0].node);
    sql_script_dispose(&script);
    return ok;
}
