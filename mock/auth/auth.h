/* /auth/v1: the GoTrue endpoints a backend calls, answered from
 * the instance's gotrue_t with GoTrue's bodies in both error forms. */
#ifndef MOCK_AUTH_H
#define MOCK_AUTH_H

#include "config.h"
#include "gotrue.h"
#include "jwt.h"
#include "message.h"
#include "scenario.h"

#include <stdint.h>

/* What one /auth/v1 request is served with, lent by the instance for the
 * call (the router fills it). */
typedef struct auth_env {
    const scenario_t *sc;
    const mock_config_t *cfg; /* may be NULL (tests) */
    gotrue_t *gotrue;
    jwt_cache_t *jwt_cache;
    int64_t now_us; /* the scenario clock */
} auth_env_t;

/* `rel_path` is the path after "/auth/v1" ("/token", "/user", ...). Fills
 * resp->outcome (role, key, code). */
void auth_handle(const auth_env_t *env, const mock_request_t *req, const char *rel_path,
                 mock_response_t *resp);

#endif
