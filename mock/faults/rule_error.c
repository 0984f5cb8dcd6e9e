/* Catalogue errors for fault rules: PostgREST's and Postgres's wording for a
 * code, filled from the request (schema, table, column, role, method) and
 * rendered exactly as rest.c renders the model's errors. It does not decide
 * whether a rule matches (rules.c) and never touches the store's rows. */
#include "rule_error.h"

#include "fuzzy.h"
#include "urlcodec.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Codes with a wording here (PostgREST's Error.hs; Postgres's own texts for SQLSTATEs). */
static const char *const known_codes[] = {
    "PGRST000", "PGRST001", "PGRST002", "PGRST003", "PGRST100", "PGRST101", "PGRST102", "PGRST103",
    "PGRST105", "PGRST106", "PGRST107", "PGRST108", "PGRST111", "PGRST112", "PGRST114", "PGRST115",
    "PGRST116", "PGRST117", "PGRST118", "PGRST120", "PGRST121", "PGRST122", "PGRST123", "PGRST124",
    "PGRST125", "PGRST126", "PGRST127", "PGRST128", "PGRST200", "PGRST201", "PGRST202", "PGRST203",
    "PGRST204", "PGRST205", "PGRST300", "PGRST301", "PGRST302", "PGRST303", "42501",    "23505",
    "23503",    "23502",    "23514",    "57014",    "42P01",    "42703",    "42704",    "22P02",
    "21000",    "42P17",    "22023",    "25006",    "57P01",    "53300",    "08006",    "42883",
};

bool rule_error_known(const char *code)
{
    for (size_t i = 0; i < sizeof known_codes / sizeof known_codes[0]; i++)
        if (strcmp(known_codes[i], code) == 0)
            return true;
    return false;
}

bool rule_error_is_sqlstate(const char *code)
{
    if (strlen(code) != 5)
        return false;
    for (const char *p = code; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z')))
            return false;
    return true;
}

/* ---- facts from the request ------------------------------------------------ */

static bool is_read(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

const char *rule_error_schema(const rule_error_ctx_t *ctx)
{
    const mock_request_t *req = ctx->req;
    const char *first = is_read(req->method) ? "accept-profile" : "content-profile";
    const char *second = is_read(req->method) ? "content-profile" : "accept-profile";
    const char *h = mock_request_header(req, first);
    if (!h)
        h = mock_request_header(req, second);
    if (h && *h)
        return h;
    if (ctx->sc && ctx->sc->db_schema_count)
        return ctx->sc->db_schemas[0];
    return "public";
}

const char *rule_error_table(const rule_error_ctx_t *ctx)
{
    const char *p = ctx->req->path;
    const char *prefix = "/rest/v1/";
    if (strncmp(p, prefix, strlen(prefix)) != 0)
        return "";
    p += strlen(prefix);
    if (strncmp(p, "rpc/", 4) == 0)
        p += 4;
    size_t n = strcspn(p, "/");
    return arena_strndup(ctx->req->arena, p, n);
}

static bool is_rpc(const rule_error_ctx_t *ctx)
{
    return strncmp(ctx->req->path, "/rest/v1/rpc/", 13) == 0;
}

/* Query parameters that are not filters (PostgREST's QueryParams.hs). */
static bool reserved_key(const char *k)
{
    static const char *const reserved[] = {"select", "columns", "on_conflict", "order", "limit",
                                           "offset", "and",     "or",          "apikey"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(k, reserved[i]) == 0)
            return true;
    return strncmp(k, "not.", 4) == 0;
}

/* The decoded value of parameter `name`, or of the first filter when name is
 * NULL (then *key receives its key). NULL when absent. */
static const char *query_param(const rule_error_ctx_t *ctx, const char *name, const char **key)
{
    arena_t *a = ctx->req->arena;
    const char *p = ctx->req->query;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq) {
            const char *k = url_form_decode(a, p, (size_t)(eq - p));
            const char *v = url_form_decode(a, eq + 1, len - (size_t)(eq - p) - 1);
            if (name ? strcmp(k, name) == 0 : (*k && !reserved_key(k))) {
                if (key)
                    *key = k;
                return v;
            }
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

/* The JSON body's first object (the body itself or a bulk body's first row). */
static cJSON *body_object(const rule_error_ctx_t *ctx)
{
    if (!ctx->req->body_len)
        return NULL;
    cJSON *j = cJSON_ParseWithLength(ctx->req->body, ctx->req->body_len);
    if (cJSON_IsArray(j)) {
        cJSON *first = cJSON_DetachItemFromArray(j, 0);
        cJSON_Delete(j);
        j = first;
    }
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

/* First name of a select list, skipping `*`, aliases, casts and JSON paths. */
static const char *first_select_column(arena_t *a, const char *sel)
{
    while (sel && *sel) {
        size_t n = strcspn(sel, ",");
        const char *item = sel;
        const char *colon = memchr(item, ':', n);
        if (colon && !(colon + 1 < item + n && colon[1] == ':'))
            item = colon + 1;
        while (*item == ' ')
            item++;
        size_t m = strcspn(item, ",:-()!. ");
        if (m > 0 && !(m == 1 && item[0] == '*'))
            return arena_strndup(a, item, m);
        sel = sel[n] ? sel + n + 1 : NULL;
    }
    return NULL;
}

/* The column an error names: for PGRST204 the first key of the JSON body (or
 * of `columns=`), otherwise the first select or filter column; then the
 * body's first key, the table's first column, and finally "id". */
static const char *error_column(const rule_error_ctx_t *ctx, const char *code,
                                const store_table_t *t)
{
    arena_t *a = ctx->req->arena;
    const char *col = NULL;
    cJSON *obj = body_object(ctx);
    const char *body_key = obj && obj->child ? arena_strdup(a, obj->child->string) : NULL;
    cJSON_Delete(obj);
    if (strcmp(code, "PGRST204") == 0) {
        const char *cols = query_param(ctx, "columns", NULL);
        if (body_key)
            return body_key;
        if (cols && *cols) {
            size_t n = strcspn(cols, ",");
            const char *c = cols;
            if (*c == '"') {
                c++;
                n = strcspn(c, "\"");
            }
            return arena_strndup(a, c, n);
        }
    }
    col = first_select_column(a, query_param(ctx, "select", NULL));
    if (!col) {
        const char *k = NULL;
        if (query_param(ctx, NULL, &k))
            col = k;
    }
    if (!col)
        col = body_key;
    if (!col && t && store_table_column_count(t))
        col = store_table_column(t, 0)->name;
    return col ? col : "id";
}

/* The value the request gives for `col` as Postgres prints it in a DETAIL:
 * from the body, else an eq. filter; NULL when there is none. */
static const char *column_value(const rule_error_ctx_t *ctx, const char *col)
{
    arena_t *a = ctx->req->arena;
    const char *out = NULL;
    cJSON *obj = body_object(ctx);
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, col) : NULL;
    if (cJSON_IsString(v))
        out = arena_strdup(a, v->valuestring);
    else if (cJSON_IsBool(v))
        out = cJSON_IsTrue(v) ? "t" : "f"; /* boolean output is t/f */
    else if (cJSON_IsNull(v))
        out = "null";
    else if (v) {
        char *s = cJSON_PrintUnformatted(v);
        if (s)
            out = arena_strdup(a, s);
        cJSON_free(s);
    }
    cJSON_Delete(obj);
    if (out)
        return out;
    const char *f = query_param(ctx, col, NULL);
    if (f && strncmp(f, "eq.", 3) == 0)
        return f + 3;
    return NULL;
}

static const store_table_t *find_table(const rule_error_ctx_t *ctx, const char *schema,
                                       const char *table)
{
    if (!ctx->store || !*table)
        return NULL;
    return store_find_table((store_t *)ctx->store, schema, table);
}

static const store_column_t *find_column(const store_table_t *t, const char *col)
{
    if (!t)
        return NULL;
    int i = store_table_find_column(t, col);
    return i >= 0 ? store_table_column(t, (size_t)i) : NULL;
}

static int pgrst_major(const rule_error_ctx_t *ctx)
{
    return ctx->sc ? ctx->sc->postgrest_version : 14;
}

/* PGRST205's hint: the model's table_not_found, with the named table left out
 * of the candidates as if it were missing. */
static void table_hint(const rule_error_ctx_t *ctx, const char *schema, const char *table,
                       pgrst_error_t *err)
{
    if (!ctx->store)
        return;
    store_t *store = (store_t *)ctx->store;
    size_t n = store_table_count(store);
    const char **cands = xcalloc(n ? n : 1, sizeof *cands);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const store_table_t *t = store_table_at(store, i);
        if (strcmp(store_table_schema(t), schema) == 0 && store_table_in_schema_cache(t) &&
            strcmp(store_table_name(t), table) != 0)
            cands[k++] = store_table_name(t);
    }
    double min = pgrst_major(ctx) >= 14 ? FUZZY_MIN_SCORE_TABLES : FUZZY_MIN_SCORE_LEGACY;
    int best = fuzzy_best(table, cands, k, min);
    if (best >= 0)
        pgrst_error_hintf(err, "Perhaps you meant the table '%s.%s'", schema, cands[best]);
    free(cands);
}

/* WWW-Authenticate of JWT errors: error_description is Haskell `show` of the
 * message (Error.hs invalidTokenHeader; jwt.c does the same). */
static void invalid_token_header(pgrst_error_t *err)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "Bearer error=\"invalid_token\", error_description=\"");
    for (const char *p = err->message; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *p);
    }
    buf_putc(&b, '"');
    free(err->www_authenticate);
    err->www_authenticate = buf_steal(&b);
}

/* The privilege a method needs (for 42501's GRANT hint). */
static const char *method_privilege(const char *method)
{
    if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0)
        return "INSERT";
    if (strcmp(method, "PATCH") == 0)
        return "UPDATE";
    if (strcmp(method, "DELETE") == 0)
        return "DELETE";
    return "SELECT";
}

static const char *write_verb(const char *method)
{
    if (strcmp(method, "DELETE") == 0)
        return "DELETE";
    if (strcmp(method, "PATCH") == 0)
        return "UPDATE";
    return "UPDATE"; /* pg-safeupdate only guards UPDATE and DELETE */
}

/* Group 1 (PostgREST Error.hs ApiRequestError). */
static int fill_api(const rule_error_ctx_t *ctx, const char *code, const char *schema,
                    const char *table, const char *col, pgrst_error_t *err)
{
    const char *method = ctx->req->method;
    int major = pgrst_major(ctx);
    if (strcmp(code, "PGRST100") == 0) {
        /* A filter without an operator, as `?col=value` gives. */
        const char *k = NULL;
        const char *v = query_param(ctx, NULL, &k);
        if (!v)
            v = "";
        pgrst_error_setf(err, code, "\"failed to parse filter (%s)\" (line 1, column 1)", v);
        if (*v)
            pgrst_error_detailsf(
                err, "unexpected \"%c\" expecting \"not\" or operator (eq, gt, ...)", *v);
        else
            pgrst_error_detailsf(
                err, "unexpected end of input expecting \"not\" or operator (eq, gt, ...)");
    } else if (strcmp(code, "PGRST101") == 0) {
        pgrst_error_setf(err, code, "Cannot use the %s method on RPC", method);
    } else if (strcmp(code, "PGRST102") == 0) {
        pgrst_error_setf(err, code, "Empty or invalid json");
    } else if (strcmp(code, "PGRST103") == 0) {
        pgrst_error_setf(err, code, "Requested range not satisfiable");
        const char *off = query_param(ctx, "offset", NULL);
        if (off)
            pgrst_error_detailsf(err, "An offset of %s was requested, but there are only 0 rows.",
                                 off);
        else
            pgrst_error_detailsf(err, "Limit should be greater than or equal to zero.");
    } else if (strcmp(code, "PGRST105") == 0) {
        pgrst_error_setf(
            err, code, "Filters must include all and only primary key columns with 'eq' operators");
    } else if (strcmp(code, "PGRST106") == 0) {
        buf_t list;
        buf_init(&list);
        for (size_t i = 0; ctx->sc && i < ctx->sc->db_schema_count; i++)
            buf_printf(&list, "%s%s", i ? ", " : "", ctx->sc->db_schemas[i]);
        if (major >= 13) {
            pgrst_error_setf(err, code, "Invalid schema: %s", schema);
            pgrst_error_hintf(err, "Only the following schemas are exposed: %s", buf_cstr(&list));
        } else {
            pgrst_error_setf(err, code, "The schema must be one of the following: %s",
                             buf_cstr(&list));
        }
        buf_dispose(&list);
    } else if (strcmp(code, "PGRST107") == 0) {
        const char *accept = mock_request_header(ctx->req, "accept");
        pgrst_error_setf(err, code, "None of these media types are available: %s",
                         accept ? accept : "application/json");
    } else if (strcmp(code, "PGRST108") == 0) {
        pgrst_error_setf(err, code, "'%s' is not an embedded resource in this request", table);
        pgrst_error_hintf(err, "Verify that '%s' is included in the 'select' query parameter.",
                          table);
    } else if (strcmp(code, "PGRST111") == 0) {
        pgrst_error_setf(err, code,
                         "response.headers guc must be a JSON array composed of objects with a "
                         "single key and a string value");
    } else if (strcmp(code, "PGRST112") == 0) {
        pgrst_error_setf(err, code, "response.status guc must be a valid status code");
    } else if (strcmp(code, "PGRST114") == 0) {
        pgrst_error_setf(err, code, "limit/offset querystring parameters are not allowed for PUT");
    } else if (strcmp(code, "PGRST115") == 0) {
        pgrst_error_setf(err, code, "Payload values do not match URL in primary key column(s)");
    } else if (strcmp(code, "PGRST116") == 0) {
        if (major >= 13)
            pgrst_error_setf(err, code, "Cannot coerce the result to a single JSON object");
        else
            pgrst_error_setf(err, code, "JSON object requested, multiple (or no) rows returned");
        pgrst_error_detailsf(err, "The result contains 0 rows");
    } else if (strcmp(code, "PGRST117") == 0) {
        pgrst_error_setf(err, code, "Unsupported HTTP method: %s", method);
    } else if (strcmp(code, "PGRST118") == 0) {
        pgrst_error_setf(err, code, "A related order on '%s' is not possible", col);
        pgrst_error_detailsf(
            err, "'%s' and '%s' do not form a many-to-one or one-to-one relationship", table, col);
    } else if (strcmp(code, "PGRST120") == 0) {
        pgrst_error_setf(err, code, "Bad operator on the '%s' embedded resource", col);
        pgrst_error_detailsf(err, "Only is null or not is null filters are allowed on embedded "
                                  "resources");
    } else if (strcmp(code, "PGRST121") == 0) {
        pgrst_error_setf(err, code, "Could not parse JSON in the \"RAISE SQLSTATE 'PGRST'\" error");
        pgrst_error_detailsf(err, "DETAIL is missing in the RAISE statement");
        pgrst_error_hintf(err, "DETAIL must be a JSON object with obligatory keys: 'status', "
                               "'headers' and optional key: 'status_text'.");
    } else if (strcmp(code, "PGRST122") == 0) {
        const char *prefer = mock_request_header(ctx->req, "prefer");
        pgrst_error_setf(err, code, "Invalid preferences given with handling=strict");
        pgrst_error_detailsf(err, "Invalid preferences: %s", prefer ? prefer : "");
    } else if (strcmp(code, "PGRST123") == 0) {
        pgrst_error_setf(err, code, "Use of aggregate functions is not allowed");
    } else if (strcmp(code, "PGRST124") == 0) {
        const store_table_t *t = find_table(ctx, schema, table);
        pgrst_error_setf(err, code, "Query result exceeds max-affected preference constraint");
        pgrst_error_detailsf(err, "The query affects %zu rows",
                             t ? store_table_row_count(t) : (size_t)0);
    } else if (strcmp(code, "PGRST125") == 0) {
        pgrst_error_setf(err, code, "Invalid path specified in request URL");
    } else if (strcmp(code, "PGRST126") == 0) {
        pgrst_error_setf(err, code, "Root endpoint metadata is disabled");
    } else if (strcmp(code, "PGRST127") == 0) {
        pgrst_error_setf(err, code, "Feature not implemented");
        pgrst_error_detailsf(err, "%s %s is not implemented", method, ctx->req->path);
    } else if (strcmp(code, "PGRST128") == 0) {
        pgrst_error_setf(err, code,
                         "Function must return SETOF or TABLE when max-affected "
                         "preference is used with handling=strict");
    } else {
        return -1;
    }
    return 0;
}

/* Group 2 (PostgREST Error.hs SchemaCacheError). */
static int fill_schema_cache(const rule_error_ctx_t *ctx, const char *code, const char *schema,
                             const char *table, const char *col, pgrst_error_t *err)
{
    if (strcmp(code, "PGRST200") == 0) {
        pgrst_error_setf(err, code,
                         "Could not find a relationship between '%s' and '%s' in the schema cache",
                         table, col);
        pgrst_error_detailsf(err,
                             "Searched for a foreign key relationship between '%s' and '%s' in the "
                             "schema '%s', but no matches were found.",
                             table, col, schema);
    } else if (strcmp(code, "PGRST201") == 0) {
        /* details is an array of relationships (compressedRel); it is kept
         * as JSON text here and written raw by rule_error_respond. */
        pgrst_error_setf(err, code,
                         "Could not embed because more than one relationship was found for '%s' "
                         "and '%s'",
                         table, col);
        pgrst_error_detailsf(
            err,
            "[{\"cardinality\":\"many-to-one\",\"embedding\":\"%s with %s\",\"relationship\":"
            "\"%s_%s_fkey using %s(%s) and %s(id)\"},{\"cardinality\":\"many-to-one\","
            "\"embedding\":\"%s with %s\",\"relationship\":\"%s_%s_id_fkey using %s(%s_id) and "
            "%s(id)\"}]",
            table, col, table, col, table, col, col, table, col, table, col, table, col, col);
        pgrst_error_hintf(err,
                          "Try changing '%s' to one of the following: '%s!%s_%s_fkey', "
                          "'%s!%s_%s_id_fkey'. Find the desired relationship in the 'details' key.",
                          col, col, table, col, col, table, col);
    } else if (strcmp(code, "PGRST202") == 0) {
        const char *fn = table;
        pgrst_error_setf(err, code,
                         "Could not find the function %s.%s without parameters in the schema cache",
                         schema, fn);
        pgrst_error_detailsf(err,
                             "Searched for the function %s.%s without parameters, but no matches "
                             "were found in the schema cache.",
                             schema, fn);
    } else if (strcmp(code, "PGRST203") == 0) {
        pgrst_error_setf(err, code,
                         "Could not choose the best candidate function between: %s.%s(%s => "
                         "text), %s.%s(%s => integer)",
                         schema, table, col, schema, table, col);
        pgrst_error_hintf(err, "Try renaming the parameters or the function itself in the "
                               "database so function overloading can be resolved");
    } else if (strcmp(code, "PGRST204") == 0) {
        pgrst_error_setf(err, code, "Could not find the '%s' column of '%s' in the schema cache",
                         col, table);
    } else if (strcmp(code, "PGRST205") == 0) {
        pgrst_error_setf(err, code, "Could not find the table '%s.%s' in the schema cache", schema,
                         table);
        table_hint(ctx, schema, table, err);
    } else {
        return -1;
    }
    return 0;
}

/* Groups 0 (connection) and 3 (JWT) of PostgREST's Error.hs. */
static int fill_connection_jwt(const rule_error_ctx_t *ctx, const char *code, pgrst_error_t *err)
{
    int major = pgrst_major(ctx);
    if (strcmp(code, "PGRST000") == 0) {
        pgrst_error_setf(err, code, "%s",
                         major >= 14 ? "Database connection error."
                                     : "Database connection error. Retrying the connection.");
    } else if (strcmp(code, "PGRST001") == 0) {
        /* libpq's text for a lost server, as test_io.py shows it. */
        pgrst_error_setf(err, code, "Database client error. Retrying the connection.");
        pgrst_error_detailsf(err, "no connection to the server\n");
    } else if (strcmp(code, "PGRST002") == 0) {
        pgrst_error_setf(err, code, "Could not query the database for the schema cache. Retrying.");
    } else if (strcmp(code, "PGRST003") == 0) {
        pgrst_error_setf(err, code, "Timed out acquiring connection from connection pool.");
    } else if (strcmp(code, "PGRST300") == 0) {
        pgrst_error_setf(err, code, "Server lacks JWT secret");
    } else if (strcmp(code, "PGRST301") == 0) {
        /* The wrong-secret case (jose KeyError), the one a rule most often
         * stands for. v12 spells every JWT failure as hs-jose's show. */
        if (major >= 13) {
            pgrst_error_setf(err, code, "No suitable key or wrong key type");
            pgrst_error_detailsf(err, "None of the keys was able to decode the JWT");
        } else {
            pgrst_error_setf(err, code, "JWSError JWSInvalidSignature");
        }
        invalid_token_header(err);
    } else if (strcmp(code, "PGRST302") == 0) {
        pgrst_error_setf(err, code, "Anonymous access is disabled");
        err->www_authenticate = xstrdup("Bearer");
    } else if (strcmp(code, "PGRST303") == 0) {
        pgrst_error_setf(err, code, "JWT expired");
        invalid_token_header(err);
    } else {
        return -1;
    }
    return 0;
}

/* SQLSTATEs with Postgres's wording. */
static int fill_sqlstate(const rule_error_ctx_t *ctx, const char *code, const char *schema,
                         const char *table, const char *col, const store_table_t *t,
                         pgrst_error_t *err)
{
    const char *method = ctx->req->method;
    const char *role = ctx->role ? ctx->role : "anon";
    const store_column_t *c = find_column(t, col);
    const char *val = column_value(ctx, col);
    if (strcmp(code, "42501") == 0) {
        pgrst_error_setf(err, code, "permission denied for table %s", table);
        /* Supabase's hint (documented in supabase-js PostgrestError.ts). */
        pgrst_error_hintf(err,
                          "Grant the required privileges to the current role with: GRANT %s ON "
                          "%s.%s TO %s;",
                          method_privilege(method), schema, table, role);
    } else if (strcmp(code, "23505") == 0) {
        const char *cons = NULL;
        if (c && c->primary_key)
            cons = arena_sprintf(ctx->req->arena, "%s_pkey", table);
        else if (c && c->unique_constraint)
            cons = c->unique_constraint;
        else
            cons = arena_sprintf(ctx->req->arena, "%s_%s_key", table, col);
        pgrst_error_setf(err, code, "duplicate key value violates unique constraint \"%s\"", cons);
        pgrst_error_detailsf(err, "Key (%s)=(%s) already exists.", col, val ? val : "");
    } else if (strcmp(code, "23503") == 0) {
        if (strcmp(method, "DELETE") == 0) {
            /* The referencing side: the first column of another table whose
             * foreign key points at this one. */
            const char *other = table, *cons = NULL, *ref_col = "id";
            size_t n = ctx->store ? store_table_count((store_t *)ctx->store) : 0;
            for (size_t i = 0; i < n && !cons; i++) {
                const store_table_t *o = store_table_at((store_t *)ctx->store, i);
                for (size_t k = 0; k < store_table_column_count(o) && !cons; k++) {
                    const store_column_t *oc = store_table_column(o, k);
                    if (oc->ref_table && strcmp(oc->ref_table, table) == 0 &&
                        strcmp(oc->ref_schema, schema) == 0) {
                        other = store_table_name(o);
                        cons = oc->fk_constraint;
                        ref_col = oc->ref_column;
                    }
                }
            }
            if (!cons)
                cons = arena_sprintf(ctx->req->arena, "%s_%s_fkey", other, col);
            const char *v = column_value(ctx, ref_col);
            pgrst_error_setf(err, code,
                             "update or delete on table \"%s\" violates foreign key constraint "
                             "\"%s\" on table \"%s\"",
                             table, cons, other);
            pgrst_error_detailsf(err, "Key (%s)=(%s) is still referenced from table \"%s\".",
                                 ref_col, v ? v : "", other);
        } else {
            const store_column_t *fk = c && c->fk_constraint ? c : NULL;
            for (size_t k = 0; !fk && t && k < store_table_column_count(t); k++)
                if (store_table_column(t, k)->fk_constraint)
                    fk = store_table_column(t, k);
            const char *fcol = fk ? fk->name : col;
            const char *v = column_value(ctx, fcol);
            const char *cons =
                fk ? fk->fk_constraint : arena_sprintf(ctx->req->arena, "%s_%s_fkey", table, col);
            pgrst_error_setf(err, code,
                             "insert or update on table \"%s\" violates foreign key constraint "
                             "\"%s\"",
                             table, cons);
            pgrst_error_detailsf(err, "Key (%s)=(%s) is not present in table \"%s\".", fcol,
                                 v ? v : "", fk ? fk->ref_table : table);
        }
    } else if (strcmp(code, "23502") == 0) {
        /* DETAIL "Failing row contains (...)" needs the whole row; Postgres
         * omits it under RLS, which is how it is rendered here. */
        pgrst_error_setf(err, code,
                         "null value in column \"%s\" of relation \"%s\" violates not-null "
                         "constraint",
                         col, table);
    } else if (strcmp(code, "23514") == 0) {
        pgrst_error_setf(err, code,
                         "new row for relation \"%s\" violates check constraint \"%s_%s_check\"",
                         table, table, col);
    } else if (strcmp(code, "57014") == 0) {
        pgrst_error_setf(err, code, "canceling statement due to statement timeout");
    } else if (strcmp(code, "42P01") == 0) {
        pgrst_error_setf(err, code, "relation \"%s.%s\" does not exist", schema, table);
    } else if (strcmp(code, "42703") == 0) {
        pgrst_error_setf(err, code, "column %s.%s does not exist", table, col);
    } else if (strcmp(code, "42704") == 0) {
        pgrst_error_setf(err, code, "type \"%s\" does not exist", col);
    } else if (strcmp(code, "22P02") == 0) {
        char scratch[64];
        const char *type = c ? pgtype_name(&c->type, scratch, sizeof scratch) : "uuid";
        pgrst_error_setf(err, code, "invalid input syntax for type %s: \"%s\"", type,
                         val ? val : "");
    } else if (strcmp(code, "21000") == 0) {
        pgrst_error_setf(err, code, "%s requires a WHERE clause", write_verb(method));
    } else if (strcmp(code, "42P17") == 0) {
        pgrst_error_setf(err, code, "infinite recursion detected in policy for relation \"%s\"",
                         table);
    } else if (strcmp(code, "22023") == 0) {
        pgrst_error_setf(err, code, "role \"%s\" does not exist", role);
    } else if (strcmp(code, "25006") == 0) {
        pgrst_error_setf(err, code, "cannot execute %s in a read-only transaction",
                         strcmp(method, "POST") == 0 ? "INSERT" : write_verb(method));
    } else if (strcmp(code, "57P01") == 0) {
        pgrst_error_setf(err, code, "terminating connection due to administrator command");
    } else if (strcmp(code, "53300") == 0) {
        pgrst_error_setf(err, code, "sorry, too many clients already");
    } else if (strcmp(code, "08006") == 0) {
        pgrst_error_setf(err, code, "server closed the connection unexpectedly");
    } else if (strcmp(code, "42883") == 0) {
        pgrst_error_setf(err, code, "function %s.%s() does not exist", schema, table);
    } else {
        return -1;
    }
    return 0;
}

int rule_error_fill(const rule_error_ctx_t *ctx, const char *code, pgrst_error_t *err)
{
    const char *schema = rule_error_schema(ctx);
    const char *table = rule_error_table(ctx);
    const store_table_t *t = is_rpc(ctx) ? NULL : find_table(ctx, schema, table);
    const char *col = error_column(ctx, code, t);
    if (fill_connection_jwt(ctx, code, err) == 0 ||
        fill_api(ctx, code, schema, table, col, err) == 0 ||
        fill_schema_cache(ctx, code, schema, table, col, err) == 0 ||
        fill_sqlstate(ctx, code, schema, table, col, t, err) == 0)
        return 0;
    pgrst_error_setf(err, code, "%s", "");
    return -1;
}

void rule_error_respond(const rule_error_ctx_t *ctx, const pgrst_error_t *err, int status_override,
                        mock_response_t *resp)
{
    const char *role = ctx->role ? ctx->role : "anon";
    bool anon = strcmp(role, "anon") == 0;
    int major = pgrst_major(ctx);
    mock_response_add_header(resp, "Server", pgrst_server_header(major));
    if (status_override > 0) {
        pgrst_error_t copy = *err;
        copy.status = status_override;
        pgrst_error_render(&copy, anon, major, resp);
    } else {
        pgrst_error_render(err, anon, major, resp);
    }
    if (strcmp(err->code, "PGRST201") == 0 && err->details) {
        /* The one error whose details is an array. */
        buf_reset(&resp->body);
        buf_puts(&resp->body, "{\"code\":\"PGRST201\",\"details\":");
        buf_puts(&resp->body, err->details);
        buf_puts(&resp->body, ",\"hint\":");
        if (err->hint)
            buf_put_json_string(&resp->body, err->hint);
        else
            buf_puts(&resp->body, "null");
        buf_puts(&resp->body, ",\"message\":");
        buf_put_json_string(&resp->body, err->message);
        buf_putc(&resp->body, '}');
    }
    resp->outcome.code = arena_strdup(ctx->req->arena, err->code);
}
