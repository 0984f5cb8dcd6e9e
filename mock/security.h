/* Grants, row-level security and policies as Postgres keeps them, per table
 * and per role, built from the scenario and changed at run time by /__mock/sql.
 * This is the model; enforcing it on a request (which privilege a verb needs,
 * which rows a role sees, which new rows pass WITH CHECK) is rest_security.c's.
 * Owned by the instance; a reset builds a new one. */
#ifndef MOCK_SECURITY_H
#define MOCK_SECURITY_H

#include "policy_expr.h"
#include "scenario.h"
#include "store.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct security security_t;

typedef enum security_command {
    SECURITY_CMD_ALL,
    SECURITY_CMD_SELECT,
    SECURITY_CMD_INSERT,
    SECURITY_CMD_UPDATE,
    SECURITY_CMD_DELETE,
} security_command_t;

/* One policy as pg_policy holds it. All strings and expressions are owned by
 * the policy; once added, by the security model. */
typedef struct security_policy {
    char *name;
    security_command_t command;
    char **roles; /* NULL/0: PUBLIC (every role) */
    size_t role_count;
    bool permissive;          /* false: restrictive */
    char *using_text;         /* NULL when absent; the text as written */
    char *check_text;         /* NULL when absent */
    policy_expr_t *using_expr; /* parsed against the table; NULL when absent */
    policy_expr_t *check_expr;
} security_policy_t;

void security_policy_dispose(security_policy_t *p);

/* Builds grants (Supabase's legacy defaults for tables without "grants"), RLS
 * flags and parsed policies for every table of `store` that the scenario
 * declares; `check` column constraints are parsed too. A policy expression that
 * does not parse is a load error at its position. Returns 0 or -1 with err. */
int security_new(const scenario_t *sc, store_t *store, security_t **out, scenario_error_t *err);
void security_free(security_t *s); /* NULL is a no-op */

/* ---- roles ---- */
/* anon, authenticated, service_role, plus scenario "roles". */
bool security_role_exists(const security_t *s, const char *role);
bool security_role_bypasses_rls(const security_t *s, const char *role);

/* ---- per table ---- */
/* SCENARIO_PRIV_* bits `role` holds on t. */
unsigned security_privileges(const security_t *s, const store_table_t *t, const char *role);
bool security_rls_enabled(const security_t *s, const store_table_t *t);
size_t security_policy_count(const security_t *s, const store_table_t *t);
/* Policies in creation order; borrowed until the next mutation of t. */
const security_policy_t *security_policy_at(const security_t *s, const store_table_t *t, size_t i);
/* The parsed `check` constraint of column col, or NULL. */
const policy_expr_t *security_column_check(const security_t *s, const store_table_t *t,
                                           size_t col);

/* ---- changes (/__mock/sql) ---- */
/* Takes ownership of *p (also on failure). Fails with *error (heap) as Postgres
 * words it: `policy "x" for table "t" already exists` (42710). */
int security_create_policy(security_t *s, const store_table_t *t, security_policy_t *p,
                           char **error);
/* `policy "x" for table "t" does not exist` (42704) unless if_exists. */
int security_drop_policy(security_t *s, const store_table_t *t, const char *name, bool if_exists,
                         char **error);
void security_set_rls(security_t *s, const store_table_t *t, bool enabled);
void security_grant(security_t *s, const store_table_t *t, const char *role, unsigned privileges);
void security_revoke(security_t *s, const store_table_t *t, const char *role,
                     unsigned privileges);

#endif
