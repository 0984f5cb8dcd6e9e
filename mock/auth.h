/* /auth/v1 (SPEC §5.3): the GoTrue endpoints a backend calls, answered from
 * the instance's gotrue_t with GoTrue's bodies in both error forms. */
#ifndef MOCK_AUTH_H
#define MOCK_AUTH_H

#include "instance.h"
#include "message.h"

/* `rel_path` is the path after "/auth/v1" ("/token", "/user", ...). Fills
 * resp->outcome (role, key, code). */
void auth_handle(instance_t *inst, const mock_request_t *req, const char *rel_path,
                 mock_response_t *resp);

#endif
