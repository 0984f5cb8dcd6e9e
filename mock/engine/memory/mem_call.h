/* /rest/v1/rpc/NAME on the memory engine (ENGINE_CALL): the routine
 * PostgREST resolved, called in the request's transaction, its result read
 * and rendered as PostgREST renders a call's (mem_call.c). */
#ifndef MOCK_MEM_CALL_H
#define MOCK_MEM_CALL_H

#include "mem_func.h"
#include "rest_ctx.h"

/* Runs c->ereq->call: EXECUTE privilege (42501), arguments, the call
 * (writes committed unless the transaction ends in rollback; any error
 * rolls them back), then the body and counts into c->res. Returns 0 or -1
 * with err. */
int mem_call_execute(rest_ctx_t *c, mem_funcs_t *fs, pgrst_error_t *err);

#endif
