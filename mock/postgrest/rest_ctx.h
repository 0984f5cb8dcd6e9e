/* What one /rest/v1 request knows once it has been parsed and authenticated;
 * shared by rest.c (reads, flow, headers) and rest_write.c (mutations). Lives
 * on rest_handle's stack for one request. */
#ifndef MOCK_REST_CTX_H
#define MOCK_REST_CTX_H

#include "gateway.h"
#include "pgrst_query.h"
#include "rest_body.h"
#include "rest_plan.h"
#include "rest.h"

typedef struct rest_ctx {
    const rest_env_t *renv; /* what the router lent for this request */
    const scenario_t *sc;
    const mock_request_t *req;
    arena_t *arena; /* the request's arena */
    mock_response_t *resp;
    store_t *store;
    store_table_t *table;
    const char *schema;
    bool negotiated; /* Content-Profile goes on responses with a body */
    pgrst_query_t q;
    pgrst_prefer_t prefer;
    pgrst_accept_t accept;
    rest_body_t body; /* POST/PATCH/PUT: parsed before the schema cache lookup */
    gateway_identity_t who;
    bool role_is_anon;
    bool tx_rollback; /* Prefer tx=rollback honoured, or db_tx_end rollback */
    store_env_t env;
    rest_plan_t plan;
    mock_work_t work; /* the role's statement_timeout, in steps (plan.work points here) */
    security_t *sec;  /* the instance's model (rest_security_begin) */
    bool rls;         /* row-level security applies to this request's role */
} rest_ctx_t;

/* rest.c: response helpers shared with rest_write.c. */
void rest_content_type(rest_ctx_t *c);
/* Renders rows through the select plan as the negotiated media type into the
 * response body; returns -1 with err set for PGRST116 (singular, n != 1). */
int rest_render_rows(rest_ctx_t *c, store_row_t **rows, size_t n, pgrst_error_t *err);
/* "a, b" Preference-Applied value for the given families, or NULL. */
void rest_preference_applied(rest_ctx_t *c, bool resolution, bool missing, bool ret,
                             bool max_affected);
/* Content-Range value. */
void rest_content_range(rest_ctx_t *c, long long lower, long long upper, long long total,
                        bool with_total);

/* rest_write.c */
int rest_insert(rest_ctx_t *c, pgrst_error_t *err);
int rest_update(rest_ctx_t *c, pgrst_error_t *err);
int rest_delete(rest_ctx_t *c, pgrst_error_t *err);
int rest_put(rest_ctx_t *c, pgrst_error_t *err);

#endif
