/* Dispatch by path prefix and the headers every response carries. The Data
 * API and Auth go through the fault rules and then the gateway; /__mock never
 * does. Everything but /__mock is journaled. */
#include "router.h"

#include "admin.h"
#include "app.h"
#include "arena.h"
#include "buf.h"
#include "auth.h"
#include "caps.h"
#include "clock.h"
#include "gateway.h"
#include "instance.h"
#include "rest.h"
#include "rules.h"

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

/* Key kind and role are resolved first, then the rules run, before the gateway's
 * rejections, JWT errors and the model; 1 when a rule answered. */
static int run_rules(instance_t *inst, const mock_request_t *req, mock_response_t *resp)
{
    if (rules_empty(instance_rules(inst)))
        return 0;
    const scenario_t *sc = instance_scenario(inst);
    const mock_config_t *cfg = instance_config(inst);
    const char *key = NULL, *role = NULL;
    int64_t now_unix = instance_now_us(inst) / 1000000 + MOCK_PG_EPOCH_UNIX;
    gateway_identify(sc, req, gateway_query_apikey(req->arena, req->query), now_unix,
                     cfg ? cfg->jwt_secret : NULL, instance_jwt_cache(inst), &key, &role);
    resp->outcome.key = key;
    resp->outcome.role = role;
    return rules_apply(instance_rules(inst), instance_store(inst), req, key, role, resp);
}

/* What serve() still owes a response that an engine completes later
 * (message.h, mock_deferral_t): the gateway's CORS headers and the journal
 * entry, both taken when the answer is known. Lives in the request arena,
 * which outlives the response. The space is held (app_space_hold) so that
 * a session ended meanwhile stays until this step ran. */
typedef struct serve_later {
    app_space_t *space;
    uint64_t generation; /* the space's instance when the request came */
    const mock_request_t *req;
    uint64_t started_us;
    bool cors;
} serve_later_t;

static void journal_answer(app_space_t *space, const mock_request_t *req,
                           const mock_response_t *resp, uint64_t started_us)
{
    journal_record(space->journal, req, resp, instance_now_us(space->inst),
                   clock_monotonic_us() - started_us);
}

static void on_answer_complete(void *arg, mock_response_t *resp)
{
    serve_later_t *l = arg;
    if (l->cors)
        gateway_cors_headers(resp);
    /* Recorded even when the client went away: the request was served (its
     * writes happened). Not into a journal that a reset or a scenario switch
     * cleared since, nor into an ended session's. */
    if (l->space->generation == l->generation && !l->space->ended)
        journal_answer(l->space, l->req, resp, l->started_us);
    app_space_release(l->space);
}

/* Serves one request in one space (the root or a session). */
static void serve(app_space_t *space, const mock_request_t *req, mock_response_t *resp)
{
    instance_t *inst = space->inst;
    instance_tick(inst);
    /* Responses never borrow from the instance (message.h): the date string
     * is copied into the request arena. */
    mock_response_add_header(resp, "Date", arena_strdup(req->arena, instance_http_date(inst)));

    const char *rest = NULL;
    if (has_prefix(req->path, "/__mock", &rest)) {
        admin_host_t host = app_admin_host(space);
        admin_handle(&host, req, rest, resp);
        return;
    }
    uint64_t started_us = clock_monotonic_us();
    instance_count_request(inst);
    bool rest_route = has_prefix(req->path, "/rest/v1", &rest);
    bool auth_route = !rest_route && has_prefix(req->path, "/auth/v1", &rest);
    if (rest_route || auth_route) {
        if (gateway_preflight(instance_scenario(inst), req, resp)) {
            /* the cors plugin answers before anything else runs */
        } else if (run_rules(inst, req, resp)) {
            gateway_cors_headers(resp);
            if (resp->fault == MOCK_FAULT_RANDOM_DATA_THEN_CLOSE) {
                /* From the instance's PRNG, so a reset replays the same bytes. */
                unsigned char bytes[MOCK_RANDOM_FAULT_BYTES];
                prng_fill(instance_prng(inst), bytes, sizeof bytes);
                buf_reset(&resp->body);
                buf_append(&resp->body, bytes, sizeof bytes);
            }
        } else {
            if (rest_route) {
                rest_env_t env = {
                    .sc = instance_scenario(inst),
                    .cfg = instance_config(inst),
                    .engine = instance_engine(inst),
                    .jwt_cache = instance_jwt_cache(inst),
                    .now_us = instance_now_us(inst),
                    .http_date = instance_http_date(inst),
                };
                rest_handle(&env, req, *rest ? rest + 1 : rest, resp);
            } else {
                auth_env_t env = {
                    .sc = instance_scenario(inst),
                    .cfg = instance_config(inst),
                    .gotrue = instance_gotrue(inst),
                    .jwt_cache = instance_jwt_cache(inst),
                    .now_us = instance_now_us(inst),
                };
                auth_handle(&env, req, rest, resp);
            }
            if (mock_response_pending(resp)) {
                serve_later_t *l = arena_alloc(req->arena, sizeof *l);
                *l = (serve_later_t){space, space->generation, req, started_us, true};
                app_space_hold(space);
                mock_response_then(resp, on_answer_complete, l);
                return;
            }
            gateway_cors_headers(resp);
        }
    } else {
        no_route(resp);
    }
    journal_answer(space, req, resp, started_us);
}

/* The JSON error every route answers for a session that does not exist (or
 * no longer does) and for a request naming two different sessions. */
static void session_error(const mock_request_t *req, mock_response_t *resp, int status,
                          const char *message)
{
    resp->status = status;
    mock_response_add_header(resp, "Content-Type", "application/json");
    buf_puts(&resp->body, "{\"error\":");
    buf_put_json_string(&resp->body, message);
    buf_putc(&resp->body, '}');
    resp->omit_body = strcmp(req->method, "HEAD") == 0;
}

/* "/s/ID" or "/s/ID/REST": *id_len and *rest ("" or "/REST") set, true. */
static bool session_path(const char *path, size_t *id_len, const char **rest)
{
    if (strncmp(path, "/s/", 3) != 0)
        return false;
    const char *end = strchr(path + 3, '/');
    *id_len = end ? (size_t)(end - (path + 3)) : strlen(path + 3);
    *rest = path + 3 + *id_len;
    return true;
}

void router_handle(void *ctx, const mock_request_t *req, mock_response_t *resp)
{
    mock_app_t *app = ctx;
    const char *header_id = mock_request_header(req, "x-supamock-session");
    size_t id_len = 0;
    const char *rest = NULL;
    bool in_path = session_path(req->path, &id_len, &rest);
    if (!header_id && !in_path) {
        serve(&app->root, req, resp);
        return;
    }
    const char *id = in_path ? arena_strndup(req->arena, req->path + 3, id_len) : header_id;
    if (in_path && header_id && strcmp(header_id, id) != 0) {
        session_error(req, resp, 400,
                      arena_sprintf(req->arena,
                                    "X-Supamock-Session names session \"%.64s\" but the path "
                                    "names \"%.64s\"",
                                    header_id, id));
        return;
    }
    app_space_t *space = app_session_find(app, id);
    if (!space) {
        session_error(req, resp, 404,
                      arena_sprintf(req->arena,
                                    "unknown session \"%.64s\" (POST /__mock/sessions creates "
                                    "one; DELETE ends it)",
                                    id));
        return;
    }
    if (!in_path) {
        serve(space, req, resp);
        return;
    }
    /* The routes see the request as if the client's base URL were the root:
     * path and target without "/s/ID". In the request arena, not on this
     * stack: a response completed later still refers to it. */
    mock_request_t *inner = arena_alloc(req->arena, sizeof *inner);
    *inner = *req;
    inner->path = *rest ? rest : "/";
    const char *traw = strncmp(req->target, "/s/", 3) == 0 ? strpbrk(req->target + 3, "/?") : NULL;
    if (!traw)
        inner->target = inner->path;
    else if (*traw == '?')
        inner->target = arena_sprintf(req->arena, "/%s", traw);
    else
        inner->target = traw;
    serve(space, inner, resp);
}
