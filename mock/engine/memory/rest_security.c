/* Applies the security model to one /rest/v1 statement: which rows its role
 * sees or may change, and whether the rows it writes pass WITH CHECK and CHECK
 * constraints. Which privileges a verb needs is decided by its caller in
 * rest.c/rest_write.c; the policy logic lives in security.c. */
#include "rest_security.h"

#include <string.h>

void rest_security_begin(rest_ctx_t *c)
{
    /* c->sec is set by memory_execute */
    c->rls = security_rls_applies(c->sec, c->table, c->role);
    /* ExecBuildSlotValueDescription and BuildIndexValueDescription omit row
     * values when RLS is active for the relation. */
    c->env.hide_row_details = c->rls;
}

int rest_security_require(rest_ctx_t *c, const unsigned *privs, size_t n, pgrst_error_t *err)
{
    return security_require(c->sec, c->table, c->role, privs, n, err);
}

static policy_eval_env_t env_for(const rest_ctx_t *c, const pgvalue_t *row)
{
    return (policy_eval_env_t){.row = row, .claims = c->claims, .role = c->role};
}

int rest_security_filter(rest_ctx_t *c, security_command_t cmd, bool with_select,
                         store_row_t **rows, size_t *n, pgrst_error_t *err)
{
    if (!c->rls)
        return 0;
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        policy_eval_env_t env = env_for(c, store_row_values(rows[i]));
        bool visible = false;
        if (security_row_visible(c->sec, c->table, cmd, &env, &visible, err) < 0)
            return -1;
        if (visible && with_select && cmd != SECURITY_CMD_SELECT &&
            security_row_visible(c->sec, c->table, SECURITY_CMD_SELECT, &env, &visible, err) < 0)
            return -1;
        if (visible)
            rows[kept++] = rows[i];
    }
    *n = kept;
    return 0;
}

int rest_security_new_row(rest_ctx_t *c, security_command_t cmd, bool with_select,
                          const pgvalue_t *values, pgrst_error_t *err)
{
    if (!c->rls)
        return 0;
    policy_eval_env_t env = env_for(c, values);
    /* get_row_security_policies: the command's own WCOs first, then SELECT's
     * USING as WCOs of the same kind when SELECT rights are required. */
    if (security_with_check(c->sec, c->table, cmd, false, SECURITY_WCO_NEW_ROW, &env, err) < 0)
        return -1;
    if (with_select && security_with_check(c->sec, c->table, SECURITY_CMD_SELECT, true,
                                           SECURITY_WCO_NEW_ROW, &env, err) < 0)
        return -1;
    return 0;
}

int rest_security_conflict_row(rest_ctx_t *c, bool with_select, const pgvalue_t *existing,
                               pgrst_error_t *err)
{
    if (!c->rls)
        return 0;
    policy_eval_env_t env = env_for(c, existing);
    if (security_with_check(c->sec, c->table, SECURITY_CMD_UPDATE, true, SECURITY_WCO_CONFLICT,
                            &env, err) < 0)
        return -1;
    if (with_select && security_with_check(c->sec, c->table, SECURITY_CMD_SELECT, true,
                                           SECURITY_WCO_CONFLICT, &env, err) < 0)
        return -1;
    return 0;
}

int rest_security_constraints(rest_ctx_t *c, const pgvalue_t *values, pgrst_error_t *err)
{
    policy_eval_env_t env = env_for(c, values);
    return security_check_constraints(c->sec, c->table, &env, c->env.hide_row_details, err);
}
