/* libFuzzer target: raw HTTP bytes -> http.c -> router_handle on a fresh app
 * (the built-in default scenario, its instance and a journal) -> serialised
 * responses. This is the whole request path below the socket: gateway, rules,
 * JWT, query parser, rest execution, store writes, rendering, /auth/v1 and the
 * admin API (which may reset the instance or switch the scenario). */
#include "app.h"
#include "http.h"
#include "router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each input gets its own app (scenario included, since PUT /__mock/scenario
 * replaces it), so one input's writes never leak into the next. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scenario_error_t serr;
    scenario_t *sc = NULL;
    if (scenario_load_text("<built-in>/default.json", scenario_builtin_default,
                           strlen(scenario_builtin_default), &sc, &serr) < 0)
        abort();
    mock_config_t cfg;
    mock_config_defaults(&cfg);
    cfg.journal_limit = 16;
    mock_app_t app;
    if (app_init(&app, &cfg, sc, &serr) < 0)
        abort();
    http_parser_t *parser = http_parser_new(cfg.max_body_bytes);
    arena_t *arena = arena_new();
    buf_t out;
    buf_init(&out);
    size_t off = 0;
    while (off < size) {
        size_t used = 0;
        mock_request_t req;
        http_result_t r =
            http_parser_feed(parser, arena, (const char *)data + off, size - off, &used, &req);
        off += used;
        if (r != HTTP_RESULT_REQUEST)
            break;
        mock_response_t resp;
        mock_response_init(&resp);
        router_handle(&app, &req, &resp);
        http_response_serialize(&resp, req.http_minor, !req.keep_alive, &out);
        mock_response_dispose(&resp);
        arena_reset(arena);
        if (!req.keep_alive || used == 0)
            break;
    }
    buf_dispose(&out);
    arena_free(arena);
    http_parser_free(parser);
    app_dispose(&app);
    return 0;
}
