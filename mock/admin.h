/* /__mock: the admin API (SPEC §7). Never journaled, never passes the gateway. */
#ifndef MOCK_ADMIN_H
#define MOCK_ADMIN_H

#include "app.h"
#include "message.h"

/* `sub` is the path after "/__mock" (e.g. "/health"). */
void admin_handle(mock_app_t *app, const mock_request_t *req, const char *sub,
                  mock_response_t *resp);

#endif
