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
#include <stdint.h>

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
    bool permissive;           /* false: restrictive */
    char *using_text;          /* NULL when absent; the text as written */
    char *check_text;          /* NULL when absent */
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

/* How a statement run as some role reads a table (sql_exec.c, and the
 * subqueries of policies): the SELECT privilege once per table, then the
 * table's SELECT policies per row when RLS applies to env->role. Borrowed
 * from the model. */
const policy_reader_t *security_reader(const security_t *s);

/* ---- per table ---- */
/* SCENARIO_PRIV_* bits `role` holds on t. */
unsigned security_privileges(const security_t *s, const store_table_t *t, const char *role);
bool security_rls_enabled(const security_t *s, const store_table_t *t);
size_t security_policy_count(const security_t *s, const store_table_t *t);
/* Policies in creation order; borrowed until the next mutation of t. */
const security_policy_t *security_policy_at(const security_t *s, const store_table_t *t, size_t i);
/* The parsed `check` constraint of column col, or NULL. */
const policy_expr_t *security_column_check(const security_t *s, const store_table_t *t, size_t col);

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
void security_revoke(security_t *s, const store_table_t *t, const char *role, unsigned privileges);

/* ---- decisions (added by the security model's owner; pure, used by
 * rest_security.c and unit-tested directly) ---- */

/* True when RLS filters `role` on t: RLS is enabled and the role does not
 * bypass it (service_role's BYPASSRLS). Table owners are not modelled. */
bool security_rls_applies(const security_t *s, const store_table_t *t, const char *role);

/* Checks that `role` holds every privilege of privs[0..n) (SCENARIO_PRIV_*
 * single bits, in the order the statement needs them). The first one missing
 * gives 42501 `permission denied for table {t}` with Supabase's hint
 * `Grant the required privileges to the current role with: GRANT {PRIV} ON
 * {schema}.{t} TO {role};`. Returns 0 or -1 with err. */
int security_require(const security_t *s, const store_table_t *t, const char *role,
                     const unsigned *privs, size_t n, pgrst_error_t *err);

/* Does policy p apply to command cmd run by role (its command matches or is
 * ALL; its roles include role, or are PUBLIC)? */
bool security_policy_applies(const security_policy_t *p, security_command_t cmd, const char *role);

/* The security barrier qual of one command's policies over a row, as
 * rowsecurity.c builds it: (OR of permissive USING) AND every restrictive
 * USING; no applicable permissive policy means no row passes; NULL counts as
 * false. env->row is the row. Returns 0 with *visible, or -1 with err when an
 * expression raises at run time. */
int security_row_visible(const security_t *s, const store_table_t *t, security_command_t cmd,
                         const policy_eval_env_t *env, bool *visible, pgrst_error_t *err);
/* The same, and for a hidden row adds one to hidden[i] (i < hidden_n) for each
 * policy i (creation order) that decided against it: every permissive policy
 * evaluated (none passed), or the restrictive one that failed. */
int security_row_visible_counted(const security_t *s, const store_table_t *t,
                                 security_command_t cmd, const policy_eval_env_t *env,
                                 bool *visible, uint32_t *hidden, size_t hidden_n,
                                 pgrst_error_t *err);

/* The rewriter's expansion of t's policies for cmd run by role (and, through
 * their subqueries, of the SELECT policies of the tables those read): a
 * table met again while its own policies are expanded fails the statement
 * before any row is read, 42P17 `infinite recursion detected in policy for
 * relation "{t}"`, whatever the data. Returns 0 or -1 with err. */
int security_check_recursion(const security_t *s, const store_table_t *t, security_command_t cmd,
                             const char *role, pgrst_error_t *err);

/* Which WITH CHECK OPTION an RLS check stands for (execMain.c
 * ExecWithCheckOptions): it decides the 42501 message. */
typedef enum security_wco_kind {
    SECURITY_WCO_NEW_ROW,  /* WCO_RLS_INSERT_CHECK / WCO_RLS_UPDATE_CHECK */
    SECURITY_WCO_CONFLICT, /* WCO_RLS_CONFLICT_CHECK: ON CONFLICT DO UPDATE's existing row */
} security_wco_kind_t;

/* The WITH CHECK OPTIONs of one command's policies on env->row, as
 * add_with_check_options builds them: one for the permissive policies OR-ed
 * (an always-false one when there are none), then one per restrictive policy
 * in order. A policy's WITH CHECK is used unless force_using or it has none,
 * then its USING. A check that is not true (false or NULL) fails: 42501
 * `new row violates row-level security policy for table "{t}"`, with
 * `policy "{p}"` when a restrictive policy failed, and `(USING expression)`
 * for SECURITY_WCO_CONFLICT. Returns 0 or -1 with err. */
int security_with_check(const security_t *s, const store_table_t *t, security_command_t cmd,
                        bool force_using, security_wco_kind_t kind, const policy_eval_env_t *env,
                        pgrst_error_t *err);
/* The same, setting *failed_policy (when not NULL) on a failure by a
 * restrictive policy to its name (borrowed from the model), else NULL. */
int security_with_check_named(const security_t *s, const store_table_t *t, security_command_t cmd,
                              bool force_using, security_wco_kind_t kind,
                              const policy_eval_env_t *env, const char **failed_policy,
                              pgrst_error_t *err);

/* Column CHECK constraints on a complete new row (ExecConstraints, after the
 * not-null checks: a row with a NULL in a NOT NULL column is left for the
 * store's 23502 and passes here). A check that is false fails with 23514
 * `new row for relation "{t}" violates check constraint "{t}_{col}_check"`
 * and details `Failing row contains (...).` unless hide_details; NULL passes.
 * Returns 0 or -1 with err. */
int security_check_constraints(const security_t *s, const store_table_t *t,
                               const policy_eval_env_t *env, bool hide_details, pgrst_error_t *err);

#endif
