/* Dispatch by path prefix and the headers every response carries. The Data
 * API and Auth go through the gateway; /__mock never does. */
#include "router.h"

#include "admin.h"
#include "gateway.h"
#include "instance.h"
#include "rest.h"

#include <string.h>

static bool has_prefix(const char *path, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0)
        return false;
    if (path[n] != '\0' && path[n] != '/')
        return false;
    *rest = path + n;
    return true;
}

/* Kong's answer when no route matches (kong.response.exit, compact). The
 * hosted gateway's bytes for this case are not documented; Kong's are used for
 * every gateway flavour. */
static void no_route(mock_response_t *resp)
{
    resp->status = 404;
    mock_response_add_header(resp, "Content-Type", "application/json; charset=utf-8");
    buf_puts(&resp->body, "{\"message\":\"no Route matched with those values\"}");
}

void router_handle(void *ctx, const mock_request_t *req, mock_response_t *resp)
{
    instance_t *inst = ctx;
    /* The instance keeps the formatted date until the second changes, which
     * outlives this response's serialisation. */
    mock_response_add_header(resp, "Date", instance_http_date(inst));

    const char *rest = NULL;
    if (has_prefix(req->path, "/__mock", &rest)) {
        admin_handle(inst, req, rest, resp);
        return;
    }
    instance_count_request(inst);
    if (has_prefix(req->path, "/rest/v1", &rest)) {
        if (!gateway_preflight(instance_scenario(inst), req, resp)) {
            rest_handle(inst, req, *rest ? rest + 1 : rest, resp);
            gateway_cors_headers(resp);
        }
        return;
    }
    no_route(resp);
}
