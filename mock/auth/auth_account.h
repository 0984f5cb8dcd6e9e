/* The /auth/v1 routes of account features that auth.c hands over: the
 * /factors routes (MFA), /admin/users/ID/factors and the paginated
 * GET /admin/users. Each fills resp's status and body, or returns -1 with
 * err for auth.c to render. */
#ifndef MOCK_AUTH_ACCOUNT_H
#define MOCK_AUTH_ACCOUNT_H

#include "gotrue.h"
#include "message.h"

/* auth.c's JSON body reader (retrieveRequestParams), shared with these routes. */
int auth_parse_json_body(const mock_request_t *req, cJSON **out, gotrue_error_t *err);

/* /factors and /factors/...: `rest` is the path after "/factors". The bearer
 * is authenticated here (requireAuthentication), before the method check. */
int auth_factors_route(gotrue_t *g, const gotrue_ctx_t *c, const mock_request_t *req,
                       const char *token, const char *rest, mock_response_t *resp,
                       gotrue_error_t *err);

/* /admin/users/ID/factors[/FID] after requireAdminCredentials: `id` is the
 * user id segment, `rest` the path after "/factors". */
int auth_admin_factors_route(gotrue_t *g, const gotrue_ctx_t *c, const mock_request_t *req,
                             const char *id, const char *rest, mock_response_t *resp,
                             gotrue_error_t *err);

/* GET /admin/users: admin.go adminUsers with pagination.go's paginate and
 * addPaginationHeaders. `path` is the path GoTrue sees ("/admin/users"). */
int auth_admin_list_users(gotrue_t *g, const mock_request_t *req, const char *path,
                          mock_response_t *resp, gotrue_error_t *err);

#endif
