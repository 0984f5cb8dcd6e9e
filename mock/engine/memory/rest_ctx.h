/* What the memory engine knows while it runs one /rest/v1 request: the
 * request as the PostgREST layer handed it over (engine.h), the table, the
 * compiled plan and the security state. Shared by memory_engine.c (reads) and
 * rest_write.c (mutations); lives on memory_execute's stack for one request. */
#ifndef MOCK_REST_CTX_H
#define MOCK_REST_CTX_H

#include "engine.h"
#include "rest_body.h"
#include "rest_plan.h"
#include "scenario.h"
#include "security.h"
#include "store.h"
#include "work.h"

typedef struct rest_ctx {
    const scenario_t *sc;
    const engine_request_t *ereq; /* the request as handed over */
    engine_result_t *res;         /* what the PostgREST layer builds its answer from */
    arena_t *arena;               /* the request's arena */
    store_t *store;
    store_table_t *table;
    pgrst_query_t q; /* copies of the request's parts, read by the plan and writes */
    pgrst_prefer_t prefer;
    pgrst_accept_t accept;
    rest_body_t body; /* borrowed: the request's payload (not disposed here) */
    const char *role;
    const cJSON *claims;
    bool tx_rollback; /* Prefer tx=rollback honoured, or db_tx_end rollback */
    store_env_t env;
    rest_plan_t plan;
    mock_work_t work;         /* the role's statement_timeout, in steps (plan.work points here) */
    security_t *sec;          /* the instance's model (rest_security_begin) */
    bool rls;                 /* row-level security applies to this request's role */
    mock_explain_t *x;        /* res->explain: NULL when nobody asked */
    struct rest_embed *embed; /* the planned select tree (rest_embed.c), NULL before */
    struct mem_funcs *fs;     /* the functions and triggers (mem_func.h); NULL: none */
    struct mem_views *views;  /* the views' plans (mem_view.h): writes through them */
    const struct mem_rels *rels; /* the store's relationships (relationships.h), the engine's */
    /* Computed fields (rest_computed.c) for every plan of the request;
     * NULL: none. */
    const rest_computed_hooks_t *computed;
} rest_ctx_t;

/* memory_engine.c: computes t's rows for this request's reader when t is a
 * view (store.h's derived relations); 0 for a table. */
int rest_refresh(rest_ctx_t *c, const store_table_t *t, pgrst_error_t *err);

/* memory_engine.c: renders rows through the select plan as the negotiated
 * media type into res->body; returns -1 with err set for PGRST116 (singular,
 * n != 1). */
int rest_render_rows(rest_ctx_t *c, store_row_t **rows, size_t n, pgrst_error_t *err);
/* MainTx.hs failNotSingular: with the singular media type a statement must
 * return exactly one row (the rows it read or changed, whatever `return=`
 * says), else PGRST116 and the transaction rolls back. */
int rest_check_singular(rest_ctx_t *c, size_t n, pgrst_error_t *err);

/* rest_write.c */
int rest_insert(rest_ctx_t *c, pgrst_error_t *err);
int rest_update(rest_ctx_t *c, pgrst_error_t *err);
int rest_delete(rest_ctx_t *c, pgrst_error_t *err);
int rest_put(rest_ctx_t *c, pgrst_error_t *err);

#endif
