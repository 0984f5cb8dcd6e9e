/* Method + path -> handler: /rest/v1 (rest.c), /auth/v1 (auth.c), /__mock
 * (admin), and the gateway's answer for anything else. Adds the headers every
 * response carries. */
#ifndef MOCK_ROUTER_H
#define MOCK_ROUTER_H

#include "message.h"

/* A server_handler_fn: ctx is the instance_t. */
void router_handle(void *ctx, const mock_request_t *req, mock_response_t *resp);

#endif
