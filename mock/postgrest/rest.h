/* /rest/v1: one request executed against the instance's data as PostgREST
 * would execute it, under the role the gateway resolved. */
#ifndef MOCK_REST_H
#define MOCK_REST_H

#include "config.h"
#include "engine.h"
#include "jwt.h"
#include "message.h"
#include "scenario.h"

#include <stdint.h>

/* What one /rest/v1 request is served with, lent by the instance for the call
 * (the router fills it). */
typedef struct rest_env {
    const scenario_t *sc;
    const mock_config_t *cfg; /* may be NULL (tests) */
    engine_t *engine;         /* the data plane: the only way to the data */
    jwt_cache_t *jwt_cache;
    int64_t now_us;        /* the scenario clock */
    const char *http_date; /* Date header value for now_us; borrowed for the call */
} rest_env_t;

/* `rel_path` is the path after "/rest/v1/" ("" for the root, "profiles", ...). */
void rest_handle(const rest_env_t *env, const mock_request_t *req, const char *rel_path,
                 mock_response_t *resp);

#endif
