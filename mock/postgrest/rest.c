/* /rest/v1 request flow in PostgREST's order: gateway, JWT, method and path,
 * schema profile, query string, Prefer, body, schema cache lookup, media type,
 * then the read (here) or write (rest_write.c). Every error comes from the
 * model: the table, column, role or value at hand. */
#include "rest.h"

#include "caps.h"

#include "clock.h"
#include "fuzzy.h"
#include "rest_ctx.h"
#include "rest_security.h"
#include "urlcodec.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void render_error(rest_ctx_t *c, const pgrst_error_t *err)
{
    /* A failed request leaves nothing of a partly built success response. */
    c->resp->header_count = 0;
    for (size_t i = 0; i < c->resp->owned_count; i++)
        free(c->resp->owned[i]);
    c->resp->owned_count = 0;
    buf_reset(&c->resp->body);
    mock_response_add_header(c->resp, "Date", arena_strdup(c->arena, c->renv->http_date));
    mock_response_add_header(c->resp, "Server", pgrst_server_header(c->sc->postgrest_version));
    pgrst_error_render(err, c->role_is_anon, c->sc->postgrest_version, c->resp);
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
static int negotiate_schema(rest_ctx_t *c, pgrst_error_t *err)
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
static int table_not_found(rest_ctx_t *c, const char *name, pgrst_error_t *err)
{
    pgrst_error_setf(err, "PGRST205", "Could not find the table '%s.%s' in the schema cache",
                     c->schema, name);
    size_t n = store_table_count(c->store);
    const char **cands = xcalloc(n ? n : 1, sizeof *cands);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const store_table_t *t = store_table_at(c->store, i);
        if (strcmp(store_table_schema(t), c->schema) == 0 && store_table_in_schema_cache(t))
            cands[k++] = store_table_name(t);
    }
    double min = c->sc->postgrest_version >= 14 ? FUZZY_MIN_SCORE_TABLES : FUZZY_MIN_SCORE_LEGACY;
    int best = fuzzy_best(name, cands, k, min);
    if (best >= 0)
        pgrst_error_hintf(err, "Perhaps you meant the table '%s.%s'", c->schema, cands[best]);
    free(cands);
    return -1;
}

void rest_content_type(rest_ctx_t *c)
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

int rest_render_rows(rest_ctx_t *c, store_row_t **rows, size_t n, pgrst_error_t *err)
{
    buf_t *out = &c->resp->body;
    if (c->accept.media == PGRST_MEDIA_OBJECT) {
        if (n != 1) {
            pgrst_error_setf(err, "PGRST116",
                             c->sc->postgrest_version >= 13
                                 ? "Cannot coerce the result to a single JSON object"
                                 : "JSON object requested, multiple (or no) rows returned");
            pgrst_error_detailsf(err, "The result contains %zu rows", n);
            return -1;
        }
    } else if (c->accept.media == PGRST_MEDIA_JSON) {
        buf_putc(out, '[');
    } else if (c->accept.media == PGRST_MEDIA_CSV) {
        /* The header names the columns even when there are no rows. */
        for (size_t i = 0; i < c->plan.out_count; i++) {
            render_cell_t cell = {.key = rest_plan_out_key(&c->plan, i)};
            if (i)
                buf_putc(out, ',');
            render_csv_header(out, &cell, 1);
        }
    }
    rest_scratch_t scratch = {0};
    for (size_t i = 0; i < n; i++) {
        render_cell_t *cells = NULL;
        int k = rest_plan_project(&c->plan, c->arena, rows[i], &cells, &scratch, err);
        if (k < 0) {
            rest_plan_scratch_dispose(&scratch);
            return -1;
        }
        if (c->accept.media == PGRST_MEDIA_CSV) {
            buf_putc(out, '\n');
            render_csv_row(out, cells, (size_t)k);
        } else {
            if (i)
                buf_puts(out, c->accept.nulls_stripped ? RENDER_JSON_ROW_SEPARATOR_STRIPPED
                                                       : RENDER_JSON_ROW_SEPARATOR);
            render_json_row(out, cells, (size_t)k, c->accept.nulls_stripped);
        }
        rest_plan_scratch_dispose(&scratch);
    }
    if (c->accept.media == PGRST_MEDIA_JSON)
        buf_putc(out, ']');
    return 0;
}

static const char *const return_names[] = {NULL, "minimal", "representation", "headers-only"};
static const char *const count_names[] = {NULL, "exact", "planned", "estimated"};
static const char *const resolution_names[] = {NULL, "merge-duplicates", "ignore-duplicates"};
static const char *const missing_names[] = {NULL, "default", "null"};
static const char *const handling_names[] = {NULL, "strict", "lenient"};
static const char *const tx_names[] = {NULL, "commit", "rollback"};

void rest_preference_applied(rest_ctx_t *c, bool resolution, bool missing, bool ret,
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

void rest_content_range(rest_ctx_t *c, long long lower, long long upper, long long total,
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
static void content_location(rest_ctx_t *c)
{
    buf_t b;
    buf_init(&b);
    buf_putc(&b, '/');
    buf_puts(&b, store_table_name(c->table));
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

static int do_read(rest_ctx_t *c, pgrst_error_t *err)
{
    /* Postgres analyses the select list before WHERE, and WHERE before ORDER
     * BY; compile in that order so the first error is the one it reports. */
    c->plan.table = c->table;
    c->plan.index_col = -1;
    if (rest_plan_select(&c->plan, c->arena, c->store, c->q.select, c->q.select_count, err) < 0)
        return -1;
    if (rest_plan_where(&c->plan, c->arena, c->table, c->q.where, c->q.where_count, err) < 0)
        return -1;
    if (rest_plan_order(&c->plan, c->arena, c->q.order, c->q.order_count, err) < 0)
        return -1;

    /* ExecCheckPermissions runs once the statement is analysed. */
    static const unsigned need[] = {SCENARIO_PRIV_SELECT};
    if (rest_security_require(c, need, 1, err) < 0)
        return -1;

    store_row_t **rows = NULL;
    size_t total = rest_plan_collect(&c->plan, c->arena, &rows);
    if (rest_plan_work_error(&c->plan, err) < 0)
        return -1;
    /* Rows the SELECT policies hide are not there at all: neither in the
     * range nor in the count (reference §4). */
    if (rest_security_filter(c, SECURITY_CMD_SELECT, false, rows, &total, err) < 0)
        return -1;
    rest_plan_sort(&c->plan, rows, total);
    if (rest_plan_work_error(&c->plan, err) < 0)
        return -1;

    /* Range: limit/offset intersected with the Range header (GET only), then
     * capped by db-max-rows (RangeQuery.hs, restrictRange). */
    long long lower = c->q.offset, upper = -1; /* -1: unbounded */
    if (c->q.limit >= 0)
        upper = lower + c->q.limit - 1;
    int64_t hfrom, hto;
    if (strcmp(c->req->method, "GET") == 0 &&
        pgrst_range_parse(mock_request_header(c->req, "range"), &hfrom, &hto) == 0) {
        if (hto >= 0 && hto < hfrom) {
            pgrst_error_setf(err, "PGRST103", "Requested range not satisfiable");
            pgrst_error_detailsf(err, "The lower boundary must be lower than or equal to the "
                                      "upper boundary in the Range header.");
            return -1;
        }
        if (hfrom > lower)
            lower = hfrom;
        if (hto >= 0 && (upper < 0 || hto < upper))
            upper = hto;
    }
    if (c->sc->db_max_rows >= 0) {
        long long cap = lower + c->sc->db_max_rows - 1;
        if (upper < 0 || cap < upper)
            upper = cap;
    }
    size_t first = (size_t)lower < total ? (size_t)lower : total;
    size_t last = upper < 0 || (size_t)upper + 1 > total ? total : (size_t)upper + 1;
    size_t count = last > first ? last - first : 0;

    bool with_count = c->prefer.count != PGRST_COUNT_UNSET;
    int status = 200;
    if (with_count) {
        if (lower > (long long)total)
            status = 416;
        else if ((long long)count < (long long)total)
            status = 206;
    }
    if (status == 416) {
        pgrst_error_setf(err, "PGRST103", "Requested range not satisfiable");
        pgrst_error_detailsf(err, "An offset of %lld was requested, but there are only %zu rows.",
                             lower, total);
        /* PostgREST keeps the read's headers and puts the error in the body. */
        c->resp->status = 416;
        rest_content_range(c, lower, lower + (long long)count - 1, (long long)total, true);
        content_location(c);
        mock_response_add_header(c->resp, "Content-Type", "application/json; charset=utf-8");
        pgrst_error_body(err, &c->resp->body);
        pgrst_error_dispose(err);
        return 0;
    }
    if (rest_render_rows(c, rows + first, count, err) < 0)
        return -1;
    c->resp->status = status;
    rest_content_range(c, lower, lower + (long long)count - 1, (long long)total, with_count);
    content_location(c);
    rest_content_type(c);
    rest_preference_applied(c, false, false, false, false);
    if (strcmp(c->req->method, "HEAD") == 0) {
        c->resp->omit_body = true;
        c->resp->length_mode = MOCK_LENGTH_NONE;
    }
    return 0;
}

static void do_options(rest_ctx_t *c)
{
    const size_t *pk = NULL;
    bool has_pk = store_table_primary_key(c->table, &pk) > 0;
    c->resp->status = 200;
    mock_response_add_header(c->resp, "Access-Control-Allow-Origin", "*");
    /* Response.hs allowH; grants narrow it once they are modelled. */
    mock_response_add_header(c->resp, "Allow",
                             has_pk ? "OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE"
                                    : "OPTIONS,GET,HEAD,POST,PATCH,DELETE");
}

static const char *const known_methods[] = {"GET", "HEAD",   "POST",   "PATCH",
                                            "PUT", "DELETE", "OPTIONS"};

static int dispatch(rest_ctx_t *c, const char *rel_path, pgrst_error_t *err)
{
    const char *method = c->req->method;
    bool known = false;
    for (size_t i = 0; i < sizeof known_methods / sizeof known_methods[0]; i++)
        known = known || strcmp(method, known_methods[i]) == 0;
    if (!known)
        return pgrst_error_setf(err, "PGRST117", "Unsupported HTTP method: %s", method);

    if (negotiate_schema(c, err) < 0)
        return -1;
    if (*rel_path == '\0') {
        pgrst_error_setf(err, "PGRST127", "Feature not implemented");
        pgrst_error_detailsf(err, "supamock does not serve the OpenAPI root document yet");
        return -1;
    }
    const char *slash = strchr(rel_path, '/');
    if (slash) {
        if (strncmp(rel_path, "rpc/", 4) == 0 && slash[1] && !strchr(slash + 1, '/')) {
            /* No functions are modelled, so every one is missing from the cache. */
            pgrst_error_setf(err, "PGRST202",
                             "Could not find the function %s.%s without parameters in the "
                             "schema cache",
                             c->schema, slash + 1);
            pgrst_error_detailsf(err,
                                 "Searched for the function %s.%s without parameters, but no "
                                 "matches were found in the schema cache.",
                                 c->schema, slash + 1);
            return -1;
        }
        return pgrst_error_setf(err, "PGRST125", "Invalid path specified in request URL");
    }

    const char *query = strip_apikey(c->arena, c->req->query);
    if (pgrst_query_parse(c->arena, query, &c->q, err) < 0)
        return -1;
    pgrst_prefer_parse(c->arena, c->req, &c->prefer);
    if (c->prefer.handling == PGRST_HANDLING_STRICT && c->prefer.invalid_count) {
        pgrst_error_setf(err, "PGRST122", "Invalid preferences given with handling=strict");
        buf_t b;
        buf_init(&b);
        for (size_t i = 0; i < c->prefer.invalid_count; i++)
            buf_printf(&b, "%s%s", i ? ", " : "", c->prefer.invalid[i]);
        pgrst_error_detailsf(err, "Invalid preferences: %s", buf_cstr(&b));
        buf_dispose(&b);
        return -1;
    }
    bool tx_override = c->sc->db_tx_end == SCENARIO_TX_COMMIT_ALLOW_OVERRIDE ||
                       c->sc->db_tx_end == SCENARIO_TX_ROLLBACK_ALLOW_OVERRIDE;
    c->tx_rollback = c->sc->db_tx_end == SCENARIO_TX_ROLLBACK ||
                     c->sc->db_tx_end == SCENARIO_TX_ROLLBACK_ALLOW_OVERRIDE;
    if (tx_override && c->prefer.tx != PGRST_TX_UNSET)
        c->tx_rollback = c->prefer.tx == PGRST_TX_ROLLBACK;

    /* PostgREST decodes the payload while reading the request, so PGRST102
     * comes before any schema cache error. */
    if ((strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0 ||
         strcmp(method, "PUT") == 0) &&
        rest_body_parse(c->req, &c->body, err) < 0)
        return -1;

    char *name = arena_strdup(c->arena, rel_path);
    c->table = store_find_table(c->store, c->schema, name);
    if (!c->table || !store_table_in_schema_cache(c->table))
        return table_not_found(c, name, err);
    if (strcmp(method, "OPTIONS") == 0) {
        do_options(c);
        return 0;
    }
    if (pgrst_accept_parse(mock_request_header(c->req, "accept"), &c->accept, err) < 0)
        return -1;

    c->env.now_us = c->renv->now_us;
    c->env.auth_uid = c->who.sub;
    rest_security_begin(c); /* RLS for this role; sets env.hide_row_details */
    if (is_read(method))
        return do_read(c, err);
    if (strcmp(method, "POST") == 0)
        return rest_insert(c, err);
    if (strcmp(method, "PATCH") == 0)
        return rest_update(c, err);
    if (strcmp(method, "PUT") == 0)
        return rest_put(c, err);
    return rest_delete(c, err);
}

/* The statement_timeout Supabase gives the role PostgREST switches to. */
static uint64_t statement_timeout_ms(const char *role)
{
    if (role && strcmp(role, "anon") == 0)
        return MOCK_STATEMENT_TIMEOUT_ANON_MS;
    if (role && strcmp(role, "authenticated") == 0)
        return MOCK_STATEMENT_TIMEOUT_AUTHENTICATED_MS;
    /* service_role and custom roles: the authenticator's. */
    return MOCK_STATEMENT_TIMEOUT_DEFAULT_MS;
}

void rest_handle(const rest_env_t *renv, const mock_request_t *req, const char *rel_path,
                 mock_response_t *resp)
{
    rest_ctx_t c;
    memset(&c, 0, sizeof c);
    c.renv = renv;
    c.sc = renv->sc;
    c.req = req;
    c.arena = req->arena;
    c.resp = resp;
    c.store = renv->store;
    c.plan.index_col = -1;
    pgrst_error_t err;
    pgrst_error_init(&err);

    if (gateway_admit(c.sc, req, gateway_query_apikey(c.arena, req->query), &c.who, resp) != 0) {
        resp->outcome.key = gateway_key_name(c.who.key);
        return;
    }
    const mock_config_t *cfg = renv->cfg;
    int64_t now_unix = renv->now_us / 1000000 + MOCK_PG_EPOCH_UNIX;
    int rc = gateway_authenticate_cached(c.sc, req, now_unix, cfg ? cfg->jwt_secret : NULL,
                                         renv->jwt_cache, &c.who, &err);
    c.role_is_anon = c.who.role && strcmp(c.who.role, "anon") == 0;
    mock_work_init(&c.work, mock_work_steps_for_timeout_ms(statement_timeout_ms(c.who.role)));
    c.plan.work = &c.work;
    if (rc == 0) {
        mock_response_add_header(resp, "Server", pgrst_server_header(c.sc->postgrest_version));
        rc = dispatch(&c, rel_path, &err);
    }
    if (rc < 0) {
        render_error(&c, &err);
        resp->outcome.code = arena_strdup(c.arena, err.code);
    }
    if (!resp->outcome.key)
        resp->outcome.key = c.who.user_jwt ? "user" : gateway_key_name(c.who.key);
    if (c.who.role)
        resp->outcome.role = arena_strdup(c.arena, c.who.role);
    if (mock_request_header(req, "origin")) {
        /* PostgREST's own CORS middleware, for requests that reach it (the
         * gateway's Access-Control-Allow-Origin comes on top; reference §5). */
        mock_response_add_header(resp, "Access-Control-Expose-Headers",
                                 "Content-Encoding, Content-Location, Content-Range, "
                                 "Content-Type, Date, Location, Server, Transfer-Encoding, "
                                 "Range-Unit");
    }
    rest_plan_dispose(&c.plan);
    rest_body_dispose(&c.body);
    gateway_identity_dispose(&c.who);
    pgrst_error_dispose(&err);
}
