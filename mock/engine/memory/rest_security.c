/* Applies the security model to one /rest/v1 statement: which rows its role
 * sees or may change, and whether the rows it writes pass WITH CHECK and CHECK
 * constraints. Which privileges a verb needs is decided by its caller in
 * rest.c/rest_write.c; the policy logic lives in security.c. */
#include "rest_security.h"

#include <stdio.h>
#include <string.h>

_Static_assert(MOCK_EXPLAIN_SELECT == (int)SECURITY_CMD_SELECT &&
                   MOCK_EXPLAIN_DELETE == (int)SECURITY_CMD_DELETE,
               "explain.h numbers commands as security.h does");

/* ", "-joined roles of p, cut to fit (the explanation of a policy that is
 * for other roles). */
static void policy_roles(const security_policy_t *p, char out[MOCK_EXPLAIN_NAME_MAX])
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < p->role_count; i++) {
        int w =
            snprintf(out + len, MOCK_EXPLAIN_NAME_MAX - len, "%s%s", i ? ", " : "", p->roles[i]);
        if (w < 0 || (size_t)w >= MOCK_EXPLAIN_NAME_MAX - len)
            break;
        len += (size_t)w;
    }
}

/* The table, the RLS state and the table's policies, as the explanation
 * needs them (only when asked: c->x). */
static void explain_begin(rest_ctx_t *c)
{
    mock_explain_t *x = c->x;
    x->engine = true;
    mock_explain_name(x->schema, store_table_schema(c->table));
    mock_explain_name(x->table, store_table_name(c->table));
    x->rls_enabled = security_rls_enabled(c->sec, c->table);
    x->rls_bypassed = x->rls_enabled && !c->rls;
    if (!c->rls)
        return;
    size_t n = security_policy_count(c->sec, c->table);
    x->policy_total = n > UINT8_MAX ? UINT8_MAX : (uint8_t)n;
    x->policy_count = n > MOCK_EXPLAIN_MAX_POLICIES ? MOCK_EXPLAIN_MAX_POLICIES : (uint8_t)n;
    for (size_t i = 0; i < x->policy_count; i++) {
        const security_policy_t *p = security_policy_at(c->sec, c->table, i);
        mock_explain_policy_t *e = &x->policies[i];
        mock_explain_name(e->name, p->name);
        e->command = (uint8_t)p->command;
        e->permissive = p->permissive;
        e->has_using = p->using_expr != NULL;
        e->has_check = p->check_expr != NULL;
        e->hidden = 0;
        /* Any command: only the role is asked here. */
        e->for_role = security_policy_applies(p, p->command, c->role);
        if (e->for_role)
            e->roles[0] = '\0';
        else
            policy_roles(p, e->roles);
    }
}

void rest_security_begin(rest_ctx_t *c)
{
    /* c->sec is set by memory_execute */
    c->rls = security_rls_applies(c->sec, c->table, c->role);
    /* ExecBuildSlotValueDescription and BuildIndexValueDescription omit row
     * values when RLS is active for the relation. */
    c->env.hide_row_details = c->rls;
    if (c->x)
        explain_begin(c);
}

int rest_security_require(rest_ctx_t *c, const unsigned *privs, size_t n, pgrst_error_t *err)
{
    int rc = security_require(c->sec, c->table, c->role, privs, n, err);
    if (c->x) {
        mock_explain_t *x = c->x;
        unsigned held = security_privileges(c->sec, c->table, c->role);
        for (size_t i = 0; i < n && x->grant_count < MOCK_EXPLAIN_MAX_GRANTS; i++) {
            bool granted = (held & privs[i]) == privs[i];
            uint8_t cmd = privs[i] == SCENARIO_PRIV_SELECT   ? MOCK_EXPLAIN_SELECT
                          : privs[i] == SCENARIO_PRIV_INSERT ? MOCK_EXPLAIN_INSERT
                          : privs[i] == SCENARIO_PRIV_UPDATE ? MOCK_EXPLAIN_UPDATE
                                                             : MOCK_EXPLAIN_DELETE;
            x->grants[x->grant_count++] = (mock_explain_grant_t){cmd, granted};
            if (!granted)
                break; /* the first missing one ends the statement */
        }
    }
    return rc;
}

static policy_eval_env_t env_for(rest_ctx_t *c, const pgvalue_t *row)
{
    /* A policy's subqueries spend the statement's work like any scan. */
    return (policy_eval_env_t){.row = row, .claims = c->claims, .role = c->role, .work = &c->work};
}

int rest_security_filter(rest_ctx_t *c, security_command_t cmd, bool with_select,
                         store_row_t **rows, size_t *n, pgrst_error_t *err)
{
    mock_explain_t *x = c->x;
    if (!c->rls) {
        if (x && !x->counted) {
            x->counted = true;
            x->matched = x->visible = (uint32_t)*n;
        }
        return 0;
    }
    /* Counting for the explanation is a few integer increments per hidden row. */
    uint32_t hidden[MOCK_EXPLAIN_MAX_POLICIES] = {0};
    uint32_t *h = x ? hidden : NULL;
    size_t hn = x ? x->policy_count : 0;
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        policy_eval_env_t env = env_for(c, store_row_values(rows[i]));
        bool visible = false;
        if (security_row_visible_counted(c->sec, c->table, cmd, &env, &visible, h, hn, err) < 0)
            return -1;
        if (visible && with_select && cmd != SECURITY_CMD_SELECT &&
            security_row_visible_counted(c->sec, c->table, SECURITY_CMD_SELECT, &env, &visible, h,
                                         hn, err) < 0)
            return -1;
        if (visible)
            rows[kept++] = rows[i];
    }
    if (x) {
        if (!x->counted) {
            x->counted = true;
            x->matched = (uint32_t)*n;
            x->visible = (uint32_t)kept;
        }
        for (size_t i = 0; i < hn; i++)
            x->policies[i].hidden += hidden[i];
    }
    *n = kept;
    return 0;
}

/* A failed WITH CHECK OPTION, for the explanation. */
static int check_failed(rest_ctx_t *c, security_command_t cmd, bool conflict, const char *policy,
                        int rc, const pgrst_error_t *err)
{
    if (rc < 0 && c->x && !c->x->check_failed && strcmp(err->code, "42501") == 0) {
        c->x->check_failed = true;
        c->x->check_conflict = conflict;
        c->x->check_command = (uint8_t)cmd;
        mock_explain_name(c->x->check_policy, policy);
    }
    return rc;
}

int rest_security_new_row(rest_ctx_t *c, security_command_t cmd, bool with_select,
                          const pgvalue_t *values, pgrst_error_t *err)
{
    if (!c->rls)
        return 0;
    policy_eval_env_t env = env_for(c, values);
    const char *policy = NULL;
    /* get_row_security_policies: the command's own WCOs first, then SELECT's
     * USING as WCOs of the same kind when SELECT rights are required. */
    int rc = security_with_check_named(c->sec, c->table, cmd, false, SECURITY_WCO_NEW_ROW, &env,
                                       &policy, err);
    if (rc < 0)
        return check_failed(c, cmd, false, policy, rc, err);
    if (with_select) {
        rc = security_with_check_named(c->sec, c->table, SECURITY_CMD_SELECT, true,
                                       SECURITY_WCO_NEW_ROW, &env, &policy, err);
        if (rc < 0)
            return check_failed(c, SECURITY_CMD_SELECT, false, policy, rc, err);
    }
    return 0;
}

int rest_security_conflict_row(rest_ctx_t *c, bool with_select, const pgvalue_t *existing,
                               pgrst_error_t *err)
{
    if (!c->rls)
        return 0;
    policy_eval_env_t env = env_for(c, existing);
    const char *policy = NULL;
    int rc = security_with_check_named(c->sec, c->table, SECURITY_CMD_UPDATE, true,
                                       SECURITY_WCO_CONFLICT, &env, &policy, err);
    if (rc < 0)
        return check_failed(c, SECURITY_CMD_UPDATE, true, policy, rc, err);
    if (with_select) {
        rc = security_with_check_named(c->sec, c->table, SECURITY_CMD_SELECT, true,
                                       SECURITY_WCO_CONFLICT, &env, &policy, err);
        if (rc < 0)
            return check_failed(c, SECURITY_CMD_SELECT, true, policy, rc, err);
    }
    return 0;
}

int rest_security_constraints(rest_ctx_t *c, const pgvalue_t *values, pgrst_error_t *err)
{
    policy_eval_env_t env = env_for(c, values);
    return security_check_constraints(c->sec, c->table, &env, c->env.hide_row_details, err);
}
