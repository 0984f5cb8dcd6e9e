/* STUB (replaced by the auth owner): Kong's no-route answer. */
#include "auth.h"

void auth_handle(instance_t *inst, const mock_request_t *req, const char *rel_path,
                 mock_response_t *resp)
{
    (void)inst;
    (void)req;
    (void)rel_path;
    resp->status = 404;
    mock_response_add_header(resp, "Content-Type", "application/json; charset=utf-8");
    buf_puts(&resp->body, "{\"message\":\"no Route matched with those values\"}");
}
