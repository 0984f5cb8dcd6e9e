/* The admin API. So far: health. Everything else under /__mock answers 404
 * with the admin error shape until the scenario engine issue adds it. */
#include "admin.h"

#include "buf.h"

#include <string.h>

static void admin_error(mock_response_t *resp, int status, const char *message)
{
    resp->status = status;
    mock_response_add_header(resp, "Content-Type", "application/json");
    buf_puts(&resp->body, "{\"error\":");
    buf_put_json_string(&resp->body, message);
    buf_putc(&resp->body, '}');
}

static void health(instance_t *inst, mock_response_t *resp)
{
    const scenario_t *sc = instance_scenario(inst);
    resp->status = 200;
    mock_response_add_header(resp, "Content-Type", "application/json");
    buf_puts(&resp->body, "{\"status\":\"ok\",\"scenario\":");
    buf_put_json_string(&resp->body, sc->name ? sc->name : "");
    /* The scenario state machine (in_state/to_state) arrives with fault rules;
     * until then every instance is in WireMock's initial state. */
    buf_printf(&resp->body, ",\"state\":\"Started\",\"uptime_ms\":%llu,\"requests\":%llu}",
               (unsigned long long)instance_uptime_ms(inst),
               (unsigned long long)instance_request_count(inst));
}

void admin_handle(mock_app_t *app, const mock_request_t *req, const char *sub,
                  mock_response_t *resp)
{
    instance_t *inst = app->inst;
    if (strcmp(sub, "/health") == 0) {
        if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
            admin_error(resp, 405, "use GET on /__mock/health");
            return;
        }
        health(inst, resp);
        resp->omit_body = strcmp(req->method, "HEAD") == 0;
        return;
    }
    admin_error(resp, 404, "unknown admin endpoint");
}
