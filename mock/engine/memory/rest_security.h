/* Grants and row-level security applied to one /rest/v1 statement, in the
 * order Postgres applies them: privileges once the statement is analysed,
 * security barrier quals on the rows it reads, WITH CHECK OPTIONs and CHECK
 * constraints on the rows it writes. The decisions themselves are security.c's;
 * this file knows which of them a verb needs and where its rows come from. */
#ifndef MOCK_REST_SECURITY_H
#define MOCK_REST_SECURITY_H

#include "rest_ctx.h"

/* Once the table is known: whether RLS applies to the request's role (sets
 * c->rls and c->env.hide_row_details). */
void rest_security_begin(rest_ctx_t *c);

/* ExecCheckPermissions: every privilege of privs[0..n) (SCENARIO_PRIV_* bits,
 * in the order the statement needs them) or 42501 naming the first missing. */
int rest_security_require(rest_ctx_t *c, const unsigned *privs, size_t n, pgrst_error_t *err);

/* Keeps (in order) the rows that pass cmd's USING quals, and also SELECT's
 * when with_select (the statement reads columns: a filter or RETURNING).
 * No-op without RLS. Returns 0, or -1 when a policy raises. */
int rest_security_filter(rest_ctx_t *c, security_command_t cmd, bool with_select,
                         store_row_t **rows, size_t *n, pgrst_error_t *err);

/* The WITH CHECK OPTIONs on a new row: cmd's (INSERT or UPDATE) WITH CHECK,
 * then SELECT's USING when with_select. No-op without RLS. */
int rest_security_new_row(rest_ctx_t *c, security_command_t cmd, bool with_select,
                          const pgvalue_t *values, pgrst_error_t *err);

/* ON CONFLICT DO UPDATE's check of the existing row: UPDATE's USING, then
 * SELECT's when with_select; failing gives the "(USING expression)" 42501. */
int rest_security_conflict_row(rest_ctx_t *c, bool with_select, const pgvalue_t *existing,
                               pgrst_error_t *err);

/* Column CHECK constraints on a complete new row (every role: 23514). */
int rest_security_constraints(rest_ctx_t *c, const pgvalue_t *values, pgrst_error_t *err);

#endif
