/* /rest/v1 request flow in PostgREST's order: gateway, JWT, method and path,
 * schema profile, query string, Prefer, body, schema cache lookup, media type,
 * then the statement, which the engine runs (engine.h); the answer's status
 * and headers are built here from what the engine reports (Response.hs).
 * Every error comes from the model: the table, column, role or value at hand. */
#include "rest.h"

#include "clock.h"
#include "fuzzy.h"
#include "gateway.h"
#include "openapi.h"
#include "pgrst_guc.h"
#include "pgrst_query.h"
#include "pgrst_rpc.h"
#include "pgrst_txvars.h"
#include "urlcodec.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One /rest/v1 request on its way through the PostgREST layer. It lives in
 * the request arena, not on rest_handle's stack: an engine that finishes
 * later (engine.h) keeps pointers into it (the statement, its result, the
 * error) until its callback ran, and the flow resumes from there
 * (on_engine_done). */
typedef struct rest_flow {
    rest_env_t env;         /* what the router lent, copied: it lends it for the call only */
    const rest_env_t *renv; /* &env */
    const scenario_t *sc;
    const mock_request_t *req;
    arena_t *arena; /* the request's arena */
    mock_response_t *resp;
    engine_t *engine;
    const engine_relation_t *relation; /* from the engine's schema cache */
    const char *schema;
    bool negotiated; /* Content-Profile goes on responses with a body */
    pgrst_query_t q;
    pgrst_prefer_t prefer;
    pgrst_accept_t accept;
    rest_body_t body; /* POST/PATCH/PUT: parsed before the schema cache lookup */
    gateway_identity_t who;
    bool role_is_anon;
    bool tx_rollback; /* Prefer tx=rollback honoured, or db_tx_end rollback */
    bool threw;       /* PostgREST would have thrown, not answered (render_exception) */
    pgrst_error_t err;
    long long lower;         /* the read's range (read_range): first row */
    long long limit;         /* rows at most, -1: unbounded */
    mock_explain_t *explain; /* resp->outcome.explain, filled on the way (explain.h) */
    /* The statement the engine runs, and where it reports. */
    engine_request_t ereq;
    engine_result_t eres;
    engine_op_t op;
    engine_call_t call; /* ENGINE_CALL: the routine and its arguments */
    bool engine_done;   /* its callback ran */
    int engine_rc;
    bool waiting; /* rest_handle returned: the callback resumes the flow */
} rest_flow_t;

/* dispatch's answer when the engine will finish later. */
#define REST_PENDING 1

static void render_error(rest_flow_t *c, const pgrst_error_t *err)
{
    /* A failed request leaves nothing of a partly built success response. */
    mock_response_clear(c->resp);
    mock_response_add_header(c->resp, "Date", arena_strdup(c->arena, c->renv->http_date));
    mock_response_add_header(c->resp, "Server", pgrst_server_header(c->sc->postgrest_version));
    pgrst_error_render(err, c->role_is_anon, c->sc->postgrest_version, c->resp);
    /* Warp answers HEAD with the GET answer's head (its Content-Length
     * included) and no body bytes, errors too. */
    if (strcmp(c->req->method, "HEAD") == 0)
        c->resp->omit_body = true;
}

/* Warp's answer when the application throws instead of answering
 * (defaultOnExceptionResponse, warp 3.4.14 Settings.hs, the Warp PostgREST v14
 * builds with): PostgREST's App.hs installs no handler that answers, so an
 * exception such as T.decodeUtf8's on a query parameter that is not UTF-8
 * (QueryParams.hs) ends here. Warp's sendResponse adds Date and Server;
 * PostgREST's middlewares (CORS, Proxy-Status) never see the response, and a
 * HEAD gets neither body nor length (RspNoBody). */
static void render_exception(rest_flow_t *c)
{
    mock_response_clear(c->resp);
    c->resp->status = 500;
    mock_response_add_header(c->resp, "Date", arena_strdup(c->arena, c->renv->http_date));
    mock_response_add_header(c->resp, "Server", pgrst_server_header(c->sc->postgrest_version));
    mock_response_add_header(c->resp, "Content-Type", "text/plain; charset=utf-8");
    if (strcmp(c->req->method, "HEAD") == 0) {
        c->resp->omit_body = true;
        c->resp->length_mode = MOCK_LENGTH_NONE;
    } else {
        buf_puts(&c->resp->body, "Something went wrong");
    }
}

/* The query string without apikey=..., which the gateway consumes. */
static const char *strip_apikey(arena_t *arena, const char *query)
{
    buf_t out;
    buf_init(&out);
    const char *p = query;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (!(len >= 7 && strncmp(p, "apikey=", 7) == 0) && len > 0) {
            if (out.len)
                buf_putc(&out, '&');
            buf_append(&out, p, len);
        }
        p = amp ? amp + 1 : NULL;
    }
    char *s = arena_strdup(arena, buf_cstr(&out));
    buf_dispose(&out);
    return s;
}

static bool is_read(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* Accept-Profile (reads) / Content-Profile (writes) against db_schemas. */
static int negotiate_schema(rest_flow_t *c, pgrst_error_t *err)
{
    const char *hdr =
        mock_request_header(c->req, is_read(c->req->method) ? "accept-profile" : "content-profile");
    c->schema = c->sc->db_schema_count ? c->sc->db_schemas[0] : "public";
    c->negotiated = hdr != NULL || c->sc->db_schema_count > 1;
    if (!hdr)
        return 0;
    for (size_t i = 0; i < c->sc->db_schema_count; i++) {
        if (strcmp(hdr, c->sc->db_schemas[i]) == 0) {
            c->schema = c->sc->db_schemas[i];
            return 0;
        }
    }
    buf_t list;
    buf_init(&list);
    for (size_t i = 0; i < c->sc->db_schema_count; i++)
        buf_printf(&list, "%s%s", i ? ", " : "", c->sc->db_schemas[i]);
    if (c->sc->postgrest_version >= 14 || c->sc->postgrest_version == 13) {
        /* v13.0.7+ wording; supamock's v13 is the latest 13.0.x. */
        pgrst_error_setf(err, "PGRST106", "Invalid schema: %s", hdr);
        pgrst_error_hintf(err, "Only the following schemas are exposed: %s", buf_cstr(&list));
    } else {
        pgrst_error_setf(err, "PGRST106", "The schema must be one of the following: %s",
                         buf_cstr(&list));
    }
    buf_dispose(&list);
    return -1;
}

/* PGRST205 with the fuzzy hint among the other cached tables of the schema. */
static int table_not_found(rest_flow_t *c, const char *name, pgrst_error_t *err)
{
    pgrst_error_setf(err, "PGRST205", "Could not find the table '%s.%s' in the schema cache",
                     c->schema, name);
    const char **cands = NULL;
    size_t k = c->engine->ops->relation_names(c->engine, c->schema, c->arena, &cands);
    double min = c->sc->postgrest_version >= 14 ? FUZZY_MIN_SCORE_TABLES : FUZZY_MIN_SCORE_LEGACY;
    int best = fuzzy_best(name, cands, k, min);
    if (best >= 0)
        pgrst_error_hintf(err, "Perhaps you meant the table '%s.%s'", c->schema, cands[best]);
    return -1;
}

/* db-plan-enabled, where the engine can answer EXPLAIN's output (the memory
 * engine has no planner: there the plan media type is refused as with the
 * setting off, PGRST107). */
static bool plan_enabled(const rest_flow_t *c)
{
    return c->sc->db_plan_enabled && c->engine->ops->explains_plans;
}

/* Response.hs actionResponse (DbPlanResult): 200 with EXPLAIN's output and
 * the plan's media type, whatever the method (MediaType.hs toMime of
 * MTVndPlan: `application/vnd.pgrst.plan+json; for="application/json";
 * options=analyze|verbose`, then the charset). */
static void respond_plan(rest_flow_t *c)
{
    const pgrst_plan_t *p = &c->accept.plan;
    buf_t ct;
    buf_init(&ct);
    buf_printf(&ct, "application/vnd.pgrst.plan+%s; for=\"%s\"", p->json ? "json" : "text",
               p->for_mime);
    const char *sep = "; options=";
    for (unsigned i = 0; i < PGRST_PLAN_OPTION_COUNT; i++) {
        if (p->options & (1u << i)) {
            buf_printf(&ct, "%s%s", sep, pgrst_plan_option_name(i));
            sep = "|";
        }
    }
    buf_puts(&ct, "; charset=utf-8");
    c->resp->status = 200;
    mock_response_add_header(c->resp, "Content-Type", arena_strdup(c->arena, buf_cstr(&ct)));
    buf_dispose(&ct);
    if (c->negotiated)
        mock_response_add_header(c->resp, "Content-Profile", arena_strdup(c->arena, c->schema));
}

static void rest_content_type(rest_flow_t *c)
{
    const char *ct;
    switch (c->accept.media) {
    case PGRST_MEDIA_OBJECT:
        ct = c->accept.nulls_stripped
                 ? "application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8"
                 : "application/vnd.pgrst.object+json; charset=utf-8";
        break;
    case PGRST_MEDIA_CSV:
        ct = "text/csv; charset=utf-8";
        break;
    default:
        ct = c->accept.nulls_stripped
                 ? "application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8"
                 : "application/json; charset=utf-8";
        break;
    }
    mock_response_add_header(c->resp, "Content-Type", ct);
    if (c->negotiated)
        mock_response_add_header(c->resp, "Content-Profile", arena_strdup(c->arena, c->schema));
}

static const char *const return_names[] = {NULL, "minimal", "representation", "headers-only"};
static const char *const count_names[] = {NULL, "exact", "planned", "estimated"};
static const char *const resolution_names[] = {NULL, "merge-duplicates", "ignore-duplicates"};
static const char *const missing_names[] = {NULL, "default", "null"};
static const char *const handling_names[] = {NULL, "strict", "lenient"};
static const char *const tx_names[] = {NULL, "commit", "rollback"};

static void rest_preference_applied(rest_flow_t *c, bool resolution, bool missing, bool ret,
                                    bool max_affected)
{
    /* prefAppliedHeader: resolution, missing, return, count, tx, handling,
     * timezone, max-affected (the latter only with handling=strict). */
    const pgrst_prefer_t *p = &c->prefer;
    buf_t b;
    buf_init(&b);
#define MOCK_PREF(cond, fmt, ...)                                                                  \
    do {                                                                                           \
        if (cond)                                                                                  \
            buf_printf(&b, "%s" fmt, b.len ? ", " : "", __VA_ARGS__);                              \
    } while (0)
    MOCK_PREF(resolution && p->resolution, "resolution=%s", resolution_names[p->resolution]);
    MOCK_PREF(missing && p->missing, "missing=%s", missing_names[p->missing]);
    MOCK_PREF(ret && p->ret, "return=%s", return_names[p->ret]);
    MOCK_PREF(p->count, "count=%s", count_names[p->count]);
    bool tx_allowed = c->sc->db_tx_end == SCENARIO_TX_COMMIT_ALLOW_OVERRIDE ||
                      c->sc->db_tx_end == SCENARIO_TX_ROLLBACK_ALLOW_OVERRIDE;
    MOCK_PREF(p->tx && tx_allowed, "tx=%s", tx_names[p->tx]);
    MOCK_PREF(p->handling, "handling=%s", handling_names[p->handling]);
    MOCK_PREF(p->timezone, "timezone=%s", p->timezone);
    MOCK_PREF(max_affected && p->max_affected >= 0 && p->handling == PGRST_HANDLING_STRICT,
              "max-affected=%lld", (long long)p->max_affected);
#undef MOCK_PREF
    if (b.len)
        mock_response_add_header(c->resp, "Preference-Applied",
                                 arena_strndup(c->arena, b.data, b.len));
    buf_dispose(&b);
}

static void rest_content_range(rest_flow_t *c, long long lower, long long upper, long long total,
                               bool with_total)
{
    /* contentRangeH (RangeQuery.hs): the range part is "*" when the total is 0
     * or the range is empty. The value lives in the request arena. */
    buf_t b;
    buf_init(&b);
    if ((!with_total || total != 0) && lower <= upper) {
        buf_put_int(&b, lower);
        buf_putc(&b, '-');
        buf_put_int(&b, upper);
    } else {
        buf_putc(&b, '*');
    }
    buf_putc(&b, '/');
    if (with_total)
        buf_put_int(&b, total);
    else
        buf_putc(&b, '*');
    mock_response_add_header(c->resp, "Content-Range", arena_strndup(c->arena, b.data, b.len));
    buf_dispose(&b);
}

static int by_key(const void *pa, const void *pb)
{
    const pgrst_param_t *a = *(const pgrst_param_t *const *)pa;
    const pgrst_param_t *b = *(const pgrst_param_t *const *)pb;
    int cmp = strcmp(a->key, b->key);
    if (cmp)
        return cmp;
    return a < b ? -1 : (a > b); /* stable: sortOn keeps request order */
}

/* Content-Location: "/table?" + the canonical query string (ApiRequest's
 * urlEncodeVars of the params sorted by key; repeated keys join with ','). */
static void content_location(rest_flow_t *c)
{
    buf_t b;
    buf_init(&b);
    buf_putc(&b, '/');
    buf_puts(&b, c->engine->ops->relation_name(c->relation));
    size_t n = c->q.param_count;
    if (n) {
        const pgrst_param_t **sorted = arena_alloc(c->arena, n * sizeof *sorted);
        for (size_t i = 0; i < n; i++)
            sorted[i] = &c->q.params[i];
        if (n > 1)
            qsort(sorted, n, sizeof *sorted, by_key);
        buf_putc(&b, '?');
        for (size_t i = 0; i < n; i++) {
            if (i && strcmp(sorted[i]->key, sorted[i - 1]->key) == 0) {
                buf_putc(&b, ',');
            } else {
                if (i)
                    buf_putc(&b, '&');
                url_encode(&b, sorted[i]->key);
                buf_putc(&b, '=');
            }
            url_encode(&b, sorted[i]->value);
        }
    }
    mock_response_add_header(c->resp, "Content-Location", arena_strndup(c->arena, b.data, b.len));
    buf_dispose(&b);
}

/* The read's range (ApiRequest.hs getRanges, RangeQuery.hs): limit/offset
 * intersected with the Range header (GET only), then capped by db-max-rows.
 * A negative offset is a no-op and limit=0 is the empty range, which answers
 * [] with Content-Range "*" slash "*" (RangeSpec.hs). Returns -1 with PGRST103 for a
 * Range header whose upper bound is below its lower one. */
static int read_range(rest_flow_t *c, pgrst_error_t *err)
{
    long long lower = c->q.offset < 0 ? 0 : c->q.offset;
    bool bounded = c->q.limit >= 0;
    long long upper = bounded ? lower + c->q.limit - 1 : -1;
    int64_t hfrom, hto;
    if (strcmp(c->req->method, "GET") == 0 &&
        pgrst_range_parse(mock_request_header(c->req, "range"), &hfrom, &hto) == 0) {
        if (hto >= 0 && hto < hfrom) {
            pgrst_error_setf(err, "PGRST103", "Requested range not satisfiable");
            pgrst_error_detailsf(err, "The lower boundary must be lower than or equal to the "
                                      "upper boundary in the Range header.");
            return -1;
        }
        if (c->q.limit != 0) { /* limit=0 bypasses the Range header */
            if (hfrom > lower)
                lower = hfrom;
            if (hto >= 0 && (!bounded || hto < upper)) {
                upper = hto;
                bounded = true;
            }
        }
    }
    if (c->sc->db_max_rows >= 0) {
        long long cap = lower + c->sc->db_max_rows - 1;
        if (!bounded || cap < upper) {
            upper = cap;
            bounded = true;
        }
    }
    c->lower = lower;
    c->limit = bounded ? (upper >= lower ? upper - lower + 1 : 0) : -1;
    return 0;
}

static bool representation(const rest_flow_t *c)
{
    return c->prefer.ret == PGRST_RETURN_REPRESENTATION;
}

static bool with_count(const rest_flow_t *c)
{
    return c->prefer.count != PGRST_COUNT_UNSET;
}

/* Status and headers of a read from the engine's counts. */
static void respond_read(rest_flow_t *c, const engine_result_t *res, pgrst_error_t *err)
{
    long long lower = c->lower;
    long long total = res->total, count = res->page_count;
    int status = 200;
    /* A call counts for count=exact and count=estimated only (mainCall's
     * countF with shouldCount; no EXPLAIN follows a call): count=planned
     * leaves the total unknown. */
    bool counted =
        with_count(c) && !(c->op == ENGINE_CALL && c->prefer.count == PGRST_COUNT_PLANNED);
    if (counted) {
        if (lower > total)
            status = 416;
        else if (count < total)
            status = 206;
    }
    if (status == 416) {
        pgrst_error_setf(err, "PGRST103", "Requested range not satisfiable");
        pgrst_error_detailsf(err, "An offset of %lld was requested, but there are only %lld rows.",
                             lower, total);
        /* PostgREST keeps the read's headers and puts the error in the body. */
        c->resp->status = 416;
        rest_content_range(c, lower, lower + count - 1, total, true);
        if (c->op != ENGINE_CALL)
            content_location(c);
        mock_response_add_header(c->resp, "Content-Type", "application/json; charset=utf-8");
        buf_reset(&c->resp->body);
        pgrst_error_body(err, &c->resp->body);
        pgrst_error_dispose(err);
        return;
    }
    bool call = c->op == ENGINE_CALL;
    c->resp->status = status;
    rest_content_range(c, lower, lower + count - 1, total, counted);
    if (call && engine_routine_returns_void(c->call.routine)) {
        /* Response.hs: a void function answers 204 with the range and the
         * applied preferences only. */
        c->resp->status = 204;
        rest_preference_applied(c, false, false, false, true);
        buf_reset(&c->resp->body);
        return;
    }
    if (!call)
        content_location(c); /* a call's response has none (Response.hs) */
    rest_content_type(c);
    rest_preference_applied(c, false, false, false, call);
    if (strcmp(c->req->method, "HEAD") == 0) {
        c->resp->omit_body = true;
        c->resp->length_mode = MOCK_LENGTH_NONE;
    }
}

/* Location: "/table?pk=eq.value[&...]" for the first inserted row. */
static void location_header(rest_flow_t *c, const engine_result_t *res)
{
    buf_t b;
    buf_init(&b);
    buf_printf(&b, "/%s", c->engine->ops->relation_name(c->relation));
    for (size_t i = 0; i < res->location_count; i++) {
        buf_printf(&b, "%c%s=eq.", i ? '&' : '?', res->location_columns[i]);
        url_encode(&b, res->location_values[i]);
    }
    mock_response_add_header_owned(c->resp, "Location", buf_steal(&b));
}

/* Status and headers of a write from what the engine reports. */
static void respond_write(rest_flow_t *c, engine_op_t op, const engine_result_t *res)
{
    long long n = res->page_count;
    switch (op) {
    case ENGINE_INSERT: {
        c->resp->status =
            res->inserted == 0 && res->upsert && c->prefer.resolution == PGRST_RESOLUTION_MERGE
                ? 200
                : 201;
        if (res->location_count)
            location_header(c, res);
        rest_content_range(c, 1, 0, n, with_count(c));
        bool shows_resolution =
            engine_relation_has_primary_key(c->engine, c->relation) || c->q.on_conflict;
        rest_preference_applied(c, shows_resolution, true, true, false);
        break;
    }
    case ENGINE_UPDATE:
        c->resp->status = representation(c) ? 200 : 204;
        rest_content_range(c, 0, n - 1, n, with_count(c));
        rest_preference_applied(c, false, true, true, true);
        break;
    case ENGINE_DELETE:
        c->resp->status = representation(c) ? 200 : 204;
        rest_content_range(c, 1, 0, n, with_count(c));
        rest_preference_applied(c, false, false, true, true);
        break;
    default: /* ENGINE_UPSERT (PUT) */
        c->resp->status = representation(c) ? (res->existed ? 200 : 201) : 204;
        rest_preference_applied(c, false, false, true, false);
        break;
    }
    if (representation(c))
        rest_content_type(c);
}

/* Status and headers from the engine's report, once it finished. */
static int statement_answer(rest_flow_t *c)
{
    if (c->engine_rc < 0)
        return -1;
    if (c->accept.plan.on) {
        respond_plan(c);
        return 0;
    }
    if (c->op == ENGINE_READ || c->op == ENGINE_CALL)
        respond_read(c, &c->eres, &c->err);
    else
        respond_write(c, c->op, &c->eres);
    /* response.status / response.headers set by the statement (database
     * engine), except on the 416 that respond_read answered itself. */
    if ((c->eres.guc_status || c->eres.guc_headers) && c->resp->status != 416 &&
        pgrst_guc_apply(c->eres.guc_status, c->eres.guc_headers, c->arena, c->resp, &c->err) < 0)
        return -1;
    return 0;
}

static void rest_finish(rest_flow_t *c, int rc);

static void on_engine_done(void *arg, int rc)
{
    rest_flow_t *c = arg;
    c->engine_done = true;
    c->engine_rc = rc;
    if (!c->waiting)
        return; /* within engine_execute: run_statement goes on */
    /* Later, on the loop: the rest of the flow, then the layers above. */
    rest_finish(c, statement_answer(c));
    mock_response_complete(c->resp);
}

/* Hands the statement to the engine and answers from its result: 0 or -1
 * when the engine finished within engine_execute (the memory engine always
 * does), REST_PENDING when it finishes later. */
static int run_statement(rest_flow_t *c, engine_op_t op, pgrst_error_t *err)
{
    c->op = op;
    c->ereq = (engine_request_t){
        .op = op,
        .arena = c->arena,
        .relation = c->relation,
        .call = op == ENGINE_CALL ? &c->call : NULL,
        .query = &c->q,
        .prefer = &c->prefer,
        .accept = &c->accept,
        .payload = c->body.present ? &c->body : NULL,
        .offset = c->lower,
        .limit = c->limit,
        .tx_rollback = c->tx_rollback,
        .aggregates_enabled = c->sc->db_aggregates_enabled,
        .role = c->who.role,
        .claims = c->who.claims,
        .auth_uid = c->who.sub,
        .now_us = c->renv->now_us,
    };
    if (c->engine->ops->uses_request_vars) {
        c->ereq.method = c->req->method;
        c->ereq.path =
            op == ENGINE_CALL
                ? arena_sprintf(c->arena, "/rpc/%s", c->call.routine->name)
                : arena_sprintf(c->arena, "/%s", c->engine->ops->relation_name(c->relation));
        c->ereq.headers_json = pgrst_headers_json(c->arena, c->req);
        c->ereq.cookies_json = pgrst_cookies_json(c->arena, c->req);
    }
    memset(&c->eres, 0, sizeof c->eres);
    c->eres.body = &c->resp->body;
    c->eres.explain = c->explain;
    engine_execute(c->engine, &c->ereq, &c->eres, err, on_engine_done, c);
    if (!c->engine_done) {
        c->waiting = true;
        return REST_PENDING;
    }
    return statement_answer(c);
}

static void do_options(rest_flow_t *c)
{
    bool has_pk = engine_relation_has_primary_key(c->engine, c->relation);
    c->resp->status = 200;
    mock_response_add_header(c->resp, "Access-Control-Allow-Origin", "*");
    /* Response.hs allowH; grants narrow it once they are modelled. */
    mock_response_add_header(c->resp, "Allow",
                             has_pk ? "OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE"
                                    : "OPTIONS,GET,HEAD,POST,PATCH,DELETE");
}

/* The root endpoint (ApiRequest.hs getAction on ResourceSchema): OPTIONS
 * answers the schema's Allow, GET and HEAD the OpenAPI document of the
 * negotiated schema (Plan.hs inspectPlan, Response.hs), any other method is
 * UnsupportedMethod. */
static int do_root(rest_flow_t *c, pgrst_error_t *err)
{
    const char *method = c->req->method;
    if (strcmp(method, "OPTIONS") == 0) {
        /* Response.hs respondInfo "OPTIONS,GET,HEAD". */
        c->resp->status = 200;
        mock_response_add_header(c->resp, "Access-Control-Allow-Origin", "*");
        mock_response_add_header(c->resp, "Allow", "OPTIONS,GET,HEAD");
        return 0;
    }
    if (!is_read(method))
        return pgrst_error_setf(err, "PGRST117", "Unsupported HTTP method: %s", method);
    if (pgrst_accept_root(mock_request_header(c->req, "accept"), err) < 0)
        return -1;
    c->resp->status = 200;
    mock_response_add_header(c->resp, "Content-Type", "application/openapi+json; charset=utf-8");
    if (c->negotiated)
        mock_response_add_header(c->resp, "Content-Profile", arena_strdup(c->arena, c->schema));
    if (strcmp(method, "HEAD") == 0) {
        /* headersOnly: no body and no Content-Length (OpenApiSpec.hs "root
         * path returns a valid openapi spec"). */
        c->resp->omit_body = true;
        c->resp->length_mode = MOCK_LENGTH_NONE;
        return 0;
    }
    /* MainTx.hs: follow-privileges lists what the role may use;
     * ignore-privileges everything of the schema. */
    const char *role =
        c->sc->openapi_mode == SCENARIO_OPENAPI_IGNORE_PRIVILEGES ? NULL : c->who.role;
    openapi_render(c->engine, c->schema, role, c->sc->postgrest_version, c->arena, &c->resp->body);
    return 0;
}

static bool timezone_known(void *arg, const char *name)
{
    engine_t *e = arg;
    return e->ops->timezone_valid(e, name);
}

static const char *const known_methods[] = {"GET", "HEAD",   "POST",   "PATCH",
                                            "PUT", "DELETE", "OPTIONS"};

/* PGRST122: handling=strict with preferences PostgREST does not know. */
static int strict_preferences(rest_flow_t *c, pgrst_error_t *err)
{
    if (c->prefer.handling != PGRST_HANDLING_STRICT || !c->prefer.invalid_count)
        return 0;
    pgrst_error_setf(err, "PGRST122", "Invalid preferences given with handling=strict");
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < c->prefer.invalid_count; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", c->prefer.invalid[i]);
    pgrst_error_detailsf(err, "Invalid preferences: %s", buf_cstr(&b));
    buf_dispose(&b);
    return -1;
}

/* db-tx-end, and Prefer tx= where it may override it. */
static void transaction_end(rest_flow_t *c)
{
    bool tx_override = c->sc->db_tx_end == SCENARIO_TX_COMMIT_ALLOW_OVERRIDE ||
                       c->sc->db_tx_end == SCENARIO_TX_ROLLBACK_ALLOW_OVERRIDE;
    c->tx_rollback = c->sc->db_tx_end == SCENARIO_TX_ROLLBACK ||
                     c->sc->db_tx_end == SCENARIO_TX_ROLLBACK_ALLOW_OVERRIDE;
    if (tx_override && c->prefer.tx != PGRST_TX_UNSET)
        c->tx_rollback = c->prefer.tx == PGRST_TX_ROLLBACK;
}

/* The payload of a POST to a routine (Payload.hs getPayload with isProc):
 * fills c->call's body and the argument keys. A form body's pairs are kept
 * for the DirectArgs once the routine is known. */
typedef struct rpc_payload {
    pgrst_rpc_media_t media;
    const char **keys;
    size_t key_count;
    const char **form_names; /* PGRST_RPC_FORM */
    const char **form_values;
    size_t form_count;
} rpc_payload_t;

static int rpc_payload(rest_flow_t *c, rpc_payload_t *p, pgrst_error_t *err)
{
    const mock_request_t *req = c->req;
    const char *media = rest_body_media(req);
    p->media = PGRST_RPC_JSON;
    if (media) {
        if (strcmp(media, "application/x-www-form-urlencoded") == 0)
            p->media = PGRST_RPC_FORM;
        else if (strcmp(media, "text/plain") == 0)
            p->media = PGRST_RPC_TEXT;
        else if (strcmp(media, "text/xml") == 0)
            p->media = PGRST_RPC_XML;
        else if (strcmp(media, "application/octet-stream") == 0)
            p->media = PGRST_RPC_OCTET;
        else if (strcmp(media, "text/csv") == 0)
            p->media = PGRST_RPC_CSV;
        else
            return rest_body_parse(req, false, &c->body, err); /* PGRST102 */
    }
    c->call.json_args = true;
    switch (p->media) {
    case PGRST_RPC_FORM: {
        /* parseSimpleQuery of the body: name=value pairs, form-decoded. */
        char *text = arena_strndup(c->arena, req->body ? req->body : "", req->body_len);
        size_t cap = 1;
        for (size_t i = 0; i < req->body_len; i++)
            cap += text[i] == '&';
        p->form_names = arena_calloc(c->arena, cap, sizeof *p->form_names);
        p->form_values = arena_calloc(c->arena, cap, sizeof *p->form_values);
        p->keys = arena_calloc(c->arena, cap, sizeof *p->keys);
        const char *cursor = text, *name, *value;
        while (p->form_count < cap && url_query_next(c->arena, &cursor, &name, &value)) {
            p->form_names[p->form_count] = name;
            p->form_values[p->form_count] = value;
            p->keys[p->key_count++] = name;
            p->form_count++;
        }
        c->call.json_args = false;
        break;
    }
    case PGRST_RPC_TEXT:
    case PGRST_RPC_XML:
    case PGRST_RPC_OCTET:
        /* RawPay: the body as sent, for the single unnamed parameter. */
        c->call.json = req->body ? req->body : "";
        c->call.json_len = req->body_len;
        break;
    default:
        if (c->q.columns && p->media == PGRST_RPC_JSON) {
            /* RawJSON: the body goes to Postgres undecoded; the keys are columns=. */
            c->call.json = req->body ? req->body : "";
            c->call.json_len = req->body_len;
            p->keys = arena_calloc(c->arena, c->q.column_count + 1, sizeof *p->keys);
            for (size_t i = 0; i < c->q.column_count; i++)
                p->keys[p->key_count++] = c->q.columns[i];
            break;
        }
        if (req->body_len == 0 && p->media == PGRST_RPC_JSON) {
            /* An empty body calls the routine with no arguments. */
            c->call.json = "{}";
            c->call.json_len = 2;
            break;
        }
        /* JSON, or CSV converted to a JSON array (csvToJson). */
        if (rest_body_parse(req, false, &c->body, err) < 0)
            return -1;
        const cJSON *doc = c->body.doc.json;
        const cJSON *first = cJSON_IsArray(doc) ? doc->child : NULL;
        if (cJSON_IsObject(doc) || cJSON_IsObject(first)) {
            /* payloadAttributes: an object's keys, or those every object of
             * an array shares. */
            size_t n = rest_body_keys(c->arena, cJSON_IsObject(doc) ? doc : first, &p->keys);
            for (const cJSON *el = first ? first->next : NULL; el; el = el->next) {
                const char **other = NULL;
                size_t m = cJSON_IsObject(el) ? rest_body_keys(c->arena, el, &other) : (size_t)-1;
                bool same = m == n;
                for (size_t i = 0; same && i < n; i++)
                    same = strcmp(other[i], p->keys[i]) == 0;
                if (!same)
                    return pgrst_error_setf(err, "PGRST102", "All object keys must match");
            }
            p->key_count = n;
            c->call.json = c->body.source;
            c->call.json_len = c->body.source_len;
        } else {
            /* Anything else, an array of scalars included, is truncated to []. */
            c->call.json = "[]";
            c->call.json_len = 2;
        }
        break;
    }
    return 0;
}

/* /rpc/NAME: ApiRequest (query string, ranges, payload), then Plan.hs
 * callReadPlan (findProc, the read plan on the result, media type, strict
 * preferences, max-affected), then the call on the engine. */
static int dispatch_routine(rest_flow_t *c, const char *name, pgrst_error_t *err)
{
    const char *method = c->req->method;
    bool read = is_read(method);
    bool post = strcmp(method, "POST") == 0;
    bool options = strcmp(method, "OPTIONS") == 0;
    const char *query = strip_apikey(c->arena, c->req->query);
    int qrc = read ? pgrst_query_parse_rpc(c->arena, query, &c->q, err)
                   : pgrst_query_parse(c->arena, query, &c->q, err);
    if (qrc == PGRST_QUERY_NOT_UTF8)
        c->threw = true;
    if (qrc < 0)
        return -1;
    pgrst_prefer_parse_tz(c->arena, c->req, c->engine->ops->timezone_valid ? timezone_known : NULL,
                          c->engine, &c->prefer);
    /* getRanges: limit/offset for every method, the Range header for GET. */
    if (read_range(c, err) < 0)
        return -1;
    transaction_end(c);

    rpc_payload_t pay = {.media = PGRST_RPC_JSON};
    if (post && rpc_payload(c, &pay, err) < 0)
        return -1;
    if (read) {
        pay.keys = arena_calloc(c->arena, c->q.rpc_arg_count + 1, sizeof *pay.keys);
        for (size_t i = 0; i < c->q.rpc_arg_count; i++)
            pay.keys[pay.key_count++] = c->q.rpc_args[i].key;
    }
    pay.key_count = pgrst_rpc_key_set(pay.keys, pay.key_count);

    pgrst_rpc_lookup_t lookup = {
        .schema = c->schema,
        .name = arena_strdup(c->arena, name),
        .keys = pay.keys,
        .key_count = pay.key_count,
        .media = pay.media,
        .is_post = post,
        .postgrest_version = c->sc->postgrest_version,
    };
    const engine_routine_t *r = pgrst_rpc_find(c->engine, c->arena, &lookup, err);
    if (!r)
        return -1;
    c->call.routine = r;
    if (options) {
        /* Response.hs RoutineInfoPlan. */
        c->resp->status = 200;
        mock_response_add_header(c->resp, "Access-Control-Allow-Origin", "*");
        mock_response_add_header(c->resp, "Allow",
                                 r->volatility == ENGINE_VOLATILE ? "OPTIONS,POST"
                                                                  : "OPTIONS,GET,HEAD,POST");
        return 0;
    }
    if (pgrst_accept_parse_plan(mock_request_header(c->req, "accept"), plan_enabled(c), &c->accept,
                                err) < 0)
        return -1;
    if (strict_preferences(c, err) < 0)
        return -1;
    if (c->prefer.max_affected >= 0 && c->prefer.handling == PGRST_HANDLING_STRICT &&
        !r->returns_set)
        return pgrst_error_setf(err, "PGRST128",
                                "Function must return SETOF or TABLE when max-affected "
                                "preference is used with handling=strict");

    pgrst_rpc_call_params(c->arena, r, pay.keys, pay.key_count, &c->call);
    if (read) {
        const char **names = arena_calloc(c->arena, c->q.rpc_arg_count + 1, sizeof *names);
        const char **values = arena_calloc(c->arena, c->q.rpc_arg_count + 1, sizeof *values);
        for (size_t i = 0; i < c->q.rpc_arg_count; i++) {
            names[i] = c->q.rpc_args[i].key;
            values[i] = c->q.rpc_args[i].value;
        }
        pgrst_rpc_direct_args(c->arena, r, names, values, c->q.rpc_arg_count, &c->call);
    } else if (pay.media == PGRST_RPC_FORM) {
        pgrst_rpc_direct_args(c->arena, r, pay.form_names, pay.form_values, pay.form_count,
                              &c->call);
    }
    /* planTxMode */
    c->call.read_only = !post || r->volatility != ENGINE_VOLATILE;
    if (c->q.select_count == 0) {
        pgrst_select_item_t *star = arena_calloc(c->arena, 1, sizeof *star);
        star->star = true;
        star->field.name = "*";
        c->q.select = star;
        c->q.select_count = 1;
    }
    return run_statement(c, ENGINE_CALL, err);
}

static int dispatch(rest_flow_t *c, const char *rel_path, pgrst_error_t *err)
{
    /* ApiRequest.hs userApiRequest's order: the resource from the path
     * (getResource: PGRST125), then the schema profile (getSchema: PGRST106),
     * then the action from the method (getAction: PGRST117). */
    const char *method = c->req->method;
    const char *slash = strchr(rel_path, '/');
    bool routine =
        slash && strncmp(rel_path, "rpc/", 4) == 0 && slash[1] && !strchr(slash + 1, '/');
    if (slash && !routine)
        return pgrst_error_setf(err, "PGRST125", "Invalid path specified in request URL");
    /* getResource: the root with openapi-mode disabled is OpenAPIDisabled. */
    if (*rel_path == '\0' && c->sc->openapi_mode == SCENARIO_OPENAPI_DISABLED)
        return pgrst_error_setf(err, "PGRST126", "Root endpoint metadata is disabled");
    if (negotiate_schema(c, err) < 0)
        return -1;
    /* getAction: a routine takes HEAD, GET, POST and OPTIONS; any other
     * method, known or not, is InvalidRpcMethod (PGRST101, 405) before a
     * relation's UnsupportedMethod (PGRST117) is considered. */
    if (routine && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
        strcmp(method, "POST") != 0 && strcmp(method, "OPTIONS") != 0)
        return pgrst_error_setf(err, "PGRST101", "Cannot use the %s method on RPC", method);
    bool known = false;
    for (size_t i = 0; i < sizeof known_methods / sizeof known_methods[0]; i++)
        known = known || strcmp(method, known_methods[i]) == 0;
    if (!known)
        return pgrst_error_setf(err, "PGRST117", "Unsupported HTTP method: %s", method);
    if (*rel_path == '\0')
        return do_root(c, err);
    if (routine)
        return dispatch_routine(c, slash + 1, err);

    const char *query = strip_apikey(c->arena, c->req->query);
    int qrc = pgrst_query_parse(c->arena, query, &c->q, err);
    if (qrc == PGRST_QUERY_NOT_UTF8)
        c->threw = true;
    if (qrc < 0)
        return -1;
    pgrst_prefer_parse_tz(c->arena, c->req, c->engine->ops->timezone_valid ? timezone_known : NULL,
                          c->engine, &c->prefer);
    if (strict_preferences(c, err) < 0)
        return -1;
    /* getRanges runs while the request is read, before the payload and any
     * database work: an invalid Range header is PGRST103 whatever else is wrong. */
    if (is_read(method) && read_range(c, err) < 0)
        return -1;
    transaction_end(c);

    /* PostgREST decodes the payload while reading the request, so PGRST102
     * comes before any schema cache error; with columns= (POST, PATCH) it
     * passes the body on undecoded (Payload.hs RawJSON). */
    if ((strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0 ||
         strcmp(method, "PUT") == 0) &&
        rest_body_parse(c->req, c->q.columns && strcmp(method, "PUT") != 0, &c->body, err) < 0)
        return -1;

    char *name = arena_strdup(c->arena, rel_path);
    c->relation = engine_find_relation(c->engine, c->schema, name);
    if (!c->relation)
        return table_not_found(c, name, err);
    if (strcmp(method, "OPTIONS") == 0) {
        do_options(c);
        return 0;
    }
    if (pgrst_accept_parse_plan(mock_request_header(c->req, "accept"), plan_enabled(c), &c->accept,
                                err) < 0)
        return -1;

    engine_op_t op = ENGINE_DELETE;
    if (is_read(method)) {
        op = ENGINE_READ;
        if (c->q.select_count == 0) {
            /* An empty root select (select=, or one that parses to nothing,
             * such as select=%00) reads every column: QueryBuilder.hs
             * readPlanToQuery's defSelect; QuerySpec.hs "empty root select
             * gives all columns". */
            pgrst_select_item_t *star = arena_calloc(c->arena, 1, sizeof *star);
            star->star = true;
            star->field.name = "*";
            c->q.select = star;
            c->q.select_count = 1;
        }
    } else if (strcmp(method, "POST") == 0)
        op = ENGINE_INSERT;
    else if (strcmp(method, "PATCH") == 0)
        op = ENGINE_UPDATE;
    else if (strcmp(method, "PUT") == 0)
        op = ENGINE_UPSERT;
    return run_statement(c, op, err);
}

/* The flow's end, once its answer is known: the error rendered, the outcome
 * named, what the flow held released. */
static void rest_finish(rest_flow_t *c, int rc)
{
    const mock_request_t *req = c->req;
    mock_response_t *resp = c->resp;
    if (rc < 0 && c->threw) {
        render_exception(c);
    } else if (rc < 0) {
        render_error(c, &c->err);
        resp->outcome.code = arena_strdup(c->arena, c->err.code);
    }
    if (!resp->outcome.key)
        resp->outcome.key = c->who.user_jwt ? "user" : gateway_key_name(c->who.key);
    if (c->who.role)
        resp->outcome.role = arena_strdup(c->arena, c->who.role);
    c->explain->source = (uint8_t)c->who.source;
    if (mock_request_header(req, "origin") && !c->threw) {
        /* PostgREST's own CORS middleware, for requests that reach it (the
         * gateway's Access-Control-Allow-Origin comes on top; PostgREST's CorsSpec.hs). */
        mock_response_add_header(resp, "Access-Control-Expose-Headers",
                                 "Content-Encoding, Content-Location, Content-Range, "
                                 "Content-Type, Date, Location, Server, Transfer-Encoding, "
                                 "Range-Unit");
    }
    rest_body_dispose(&c->body);
    gateway_identity_dispose(&c->who);
    pgrst_error_dispose(&c->err);
}

void rest_handle(const rest_env_t *renv, const mock_request_t *req, const char *rel_path,
                 mock_response_t *resp)
{
    rest_flow_t *c = arena_calloc(req->arena, 1, sizeof *c);
    c->env = *renv;
    /* The Date value is the instance's and changes with the second. */
    c->env.http_date = arena_strdup(req->arena, renv->http_date);
    c->renv = &c->env;
    c->sc = renv->sc;
    c->req = req;
    c->arena = req->arena;
    c->resp = resp;
    c->engine = renv->engine;
    pgrst_error_init(&c->err);
    /* Every journaled request gets one: the header is a few hundred bytes
     * zeroed in the request arena; the engine fills the rest. */
    c->explain = arena_alloc(c->arena, sizeof *c->explain);
    mock_explain_init(c->explain);
    resp->outcome.explain = c->explain;

    if (gateway_admit(c->sc, req, gateway_query_apikey(c->arena, req->query), &c->who, resp) != 0) {
        resp->outcome.key = gateway_key_name(c->who.key);
        gateway_identity_dispose(&c->who);
        pgrst_error_dispose(&c->err);
        return;
    }
    const mock_config_t *cfg = renv->cfg;
    int64_t now_unix = renv->now_us / 1000000 + MOCK_PG_EPOCH_UNIX;
    int rc = gateway_authenticate_cached(c->sc, req, now_unix, cfg ? cfg->jwt_secret : NULL,
                                         renv->jwt_cache, &c->who, &c->err);
    c->role_is_anon = c->who.role && strcmp(c->who.role, "anon") == 0;
    if (rc == 0) {
        mock_response_add_header(resp, "Server", pgrst_server_header(c->sc->postgrest_version));
        rc = dispatch(c, rel_path, &c->err);
    }
    if (rc == REST_PENDING) {
        /* The engine answers later: the server holds the response. */
        mock_response_defer(resp, NULL, NULL);
        return;
    }
    rest_finish(c, rc);
}
