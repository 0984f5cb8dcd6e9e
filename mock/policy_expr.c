/* STUB (replaced by the policy expression owner). */
#include "policy_expr.h"

#include <stdio.h>

policy_expr_t *policy_expr_parse(const char *text, const store_t *store, const store_table_t *t,
                                 policy_expr_error_t *err)
{
    (void)text;
    (void)store;
    (void)t;
    err->offset = 0;
    snprintf(err->code, sizeof err->code, "42601");
    snprintf(err->message, sizeof err->message, "not implemented");
    return NULL;
}

void policy_expr_free(policy_expr_t *e)
{
    (void)e;
}

int policy_expr_eval(const policy_expr_t *e, const policy_eval_env_t *env, policy_truth_t *out,
                     pgrst_error_t *err)
{
    (void)e;
    (void)env;
    (void)err;
    *out = POLICY_TRUE;
    return 0;
}

void policy_expr_deparse(const policy_expr_t *e, buf_t *out)
{
    (void)e;
    (void)out;
}
