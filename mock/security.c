/* STUB (replaced by the security model's owner): Supabase's legacy default
 * grants for every role, RLS off, no policies. */
#include "security.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct security {
    const scenario_t *sc;
};

void security_policy_dispose(security_policy_t *p)
{
    (void)p;
}

int security_new(const scenario_t *sc, store_t *store, security_t **out, scenario_error_t *err)
{
    (void)store;
    (void)err;
    *out = xcalloc(1, sizeof **out);
    (*out)->sc = sc;
    return 0;
}

void security_free(security_t *s)
{
    free(s);
}

bool security_role_exists(const security_t *s, const char *role)
{
    for (size_t i = 0; i < s->sc->role_count; i++)
        if (strcmp(s->sc->roles[i].name, role) == 0)
            return true;
    return false;
}

bool security_role_bypasses_rls(const security_t *s, const char *role)
{
    for (size_t i = 0; i < s->sc->role_count; i++)
        if (strcmp(s->sc->roles[i].name, role) == 0)
            return s->sc->roles[i].bypass_rls;
    return false;
}

unsigned security_privileges(const security_t *s, const store_table_t *t, const char *role)
{
    (void)s;
    (void)t;
    (void)role;
    return SCENARIO_PRIV_ALL;
}

bool security_rls_enabled(const security_t *s, const store_table_t *t)
{
    (void)s;
    (void)t;
    return false;
}

size_t security_policy_count(const security_t *s, const store_table_t *t)
{
    (void)s;
    (void)t;
    return 0;
}

const security_policy_t *security_policy_at(const security_t *s, const store_table_t *t, size_t i)
{
    (void)s;
    (void)t;
    (void)i;
    return NULL;
}

const policy_expr_t *security_column_check(const security_t *s, const store_table_t *t,
                                           size_t col)
{
    (void)s;
    (void)t;
    (void)col;
    return NULL;
}

int security_create_policy(security_t *s, const store_table_t *t, security_policy_t *p,
                           char **error)
{
    (void)s;
    (void)t;
    security_policy_dispose(p);
    *error = xstrdup("not implemented");
    return -1;
}

int security_drop_policy(security_t *s, const store_table_t *t, const char *name, bool if_exists,
                         char **error)
{
    (void)s;
    (void)t;
    (void)name;
    (void)if_exists;
    *error = xstrdup("not implemented");
    return -1;
}

void security_set_rls(security_t *s, const store_table_t *t, bool enabled)
{
    (void)s;
    (void)t;
    (void)enabled;
}

void security_grant(security_t *s, const store_table_t *t, const char *role, unsigned privileges)
{
    (void)s;
    (void)t;
    (void)role;
    (void)privileges;
}

void security_revoke(security_t *s, const store_table_t *t, const char *role, unsigned privileges)
{
    (void)s;
    (void)t;
    (void)role;
    (void)privileges;
}
