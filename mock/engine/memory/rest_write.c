/* POST (insert, bulk insert, upsert), PATCH, PUT and DELETE on a table, as
 * PostgREST's generated statements behave in Postgres: one transaction per
 * request, constraints checked per row and foreign keys at statement end,
 * rolled back on any error, on PGRST116/PGRST124, or when tx=rollback applies. */
#include "rest_ctx.h"
#include "mem_trigger.h"
#include "mem_datarep.h"
#include "mem_view.h"
#include "rest_body_member.h"
#include "rest_embed.h"
#include "rest_security.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Payload column names: columns= when given, else the first object's keys,
 * which every other object must share ("All object keys must match"). Both
 * are sets in PostgREST (distinct, in ascending order), so a name never comes
 * twice. */

/* A payload member into column col: through the column's json -> domain
 * representation when it has one (Plan.hs resolveOrError, withJsonParse:
 * the member is read as json and handed to the function), else as the
 * column's type. */
static int body_member(rest_ctx_t *c, const cJSON *row, const jsonc_node_t *node, const char *name,
                       size_t col, bool *present, pgvalue_t *out, pgrst_error_t *err)
{
    const pgtype_t *type = &store_table_column(c->table, col)->type;
    const mem_func_t *f = mem_datarep_find(c->plan.datarep, c->table, col, MEM_DATAREP_FROM_JSON);
    if (!f)
        return rest_body_member(&c->body, row, node, name, type, present, out, err);
    static const pgtype_t json_type = {.kind = PGTYPE_JSON, .length = -1};
    pgvalue_t j;
    pgvalue_init_null(&j);
    if (rest_body_member(&c->body, row, node, name, &json_type, present, &j, err) < 0)
        return -1;
    int rc = 0;
    if (*present) {
        pgvalue_t v;
        pgtype_t vtype;
        rc = mem_datarep_apply(f, &j, c->plan.call, &v, &vtype, err);
        if (rc == 0) {
            pgvalue_dispose(out);
            *out = v;
        }
    }
    pgvalue_dispose(&j);
    return rc;
}

static int payload_columns(rest_ctx_t *c, const cJSON *rows, const char ***names, size_t *count,
                           pgrst_error_t *err)
{
    if (c->q.columns) {
        *names = (const char **)c->q.columns;
        *count = c->q.column_count;
        return 0;
    }
    const cJSON *first = cJSON_GetArrayItem(rows, 0);
    const char **list = NULL;
    size_t k = first ? rest_body_keys(c->arena, first, &list) : 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        const char **keys = NULL;
        if (rest_body_keys(c->arena, row, &keys) != k)
            return pgrst_error_setf(err, "PGRST102", "All object keys must match");
        for (size_t i = 0; i < k; i++)
            if (strcmp(keys[i], list[i]) != 0)
                return pgrst_error_setf(err, "PGRST102", "All object keys must match");
    }
    *names = list;
    *count = k;
    return 0;
}

/* Column indexes of the payload columns; PGRST204 for one the schema cache
 * does not know. */
static int resolve_payload(rest_ctx_t *c, const char **names, size_t n, size_t **cols,
                           pgrst_error_t *err)
{
    *cols = arena_calloc(c->arena, n ? n : 1, sizeof **cols);
    for (size_t i = 0; i < n; i++) {
        int col = store_table_find_column(c->table, names[i]);
        if (col < 0 || !store_table_column(c->table, (size_t)col)->in_schema_cache) {
            return pgrst_error_setf(err, "PGRST204",
                                    "Could not find the '%s' column of '%s' in the schema cache",
                                    names[i], store_table_name(c->table));
        }
        (*cols)[i] = (size_t)col;
    }
    return 0;
}

static void values_dispose(pgvalue_t *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pgvalue_dispose(&values[i]);
    free(values);
}

/* ---- row triggers (mem_trigger.h) ---- */

static bool has_triggers(const rest_ctx_t *c)
{
    return c->fs && mem_triggers_any(c->fs, c->table);
}

/* The environment the table's triggers run in: the request's role and
 * transaction. */
static mem_call_env_t trigger_env(rest_ctx_t *c)
{
    return (mem_call_env_t){
        .fs = c->fs,
        .store = c->store,
        .sec = c->sec,
        .role = c->role,
        .claims = c->claims,
        .store_env = &c->env,
        .work = &c->work,
    };
}

/* AFTER ROW triggers queued until the statement's rows are written
 * (AfterTriggerEndQuery): the event, OLD (owned copy) and the row written. */
typedef struct after_row {
    sql_row_event_t ev;
    pgvalue_t *old;
    store_row_t *row;
} after_row_t;

static pgvalue_t *values_copy(const pgvalue_t *v, size_t n)
{
    pgvalue_t *out = xcalloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        pgvalue_copy(&out[i], &v[i]);
    return out;
}

/* Fires the queued AFTER triggers (and frees the queue). */
static int fire_after(rest_ctx_t *c, after_row_t *q, size_t n, pgrst_error_t *err)
{
    size_t ncols = store_table_column_count(c->table);
    mem_call_env_t env = trigger_env(c);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            pgvalue_t *nw = q[i].row ? values_copy(store_row_values(q[i].row), ncols) : NULL;
            rc = mem_triggers_fire(&env, c->table, false, q[i].ev, q[i].old, nw, NULL, err);
            if (nw)
                values_dispose(nw, ncols);
        }
        if (q[i].old)
            values_dispose(q[i].old, ncols);
        q[i].old = NULL;
    }
    return rc;
}

/* A failed statement's queue: the OLD copies go. */
static void drop_after(rest_ctx_t *c, after_row_t *q, size_t n)
{
    size_t ncols = store_table_column_count(c->table);
    for (size_t i = 0; i < n; i++)
        if (q[i].old)
            values_dispose(q[i].old, ncols);
}

/* BEFORE ROW triggers on one row: NEW may change, or the row be skipped. */
static int fire_before(rest_ctx_t *c, sql_row_event_t ev, const pgvalue_t *old, pgvalue_t *nw,
                       bool *skip, pgrst_error_t *err)
{
    mem_call_env_t env = trigger_env(c);
    return mem_triggers_fire(&env, c->table, true, ev, old, nw, skip, err);
}

/* Ends the request's transaction: commit unless it must roll back. */
static void finish_tx(rest_ctx_t *c)
{
    if (c->tx_rollback)
        store_rollback(c->store);
    else
        store_commit(c->store);
}

static int fail_tx(rest_ctx_t *c)
{
    store_rollback(c->store);
    return -1;
}

/* Representation rows go through the select plan. */
static int plan_returning(rest_ctx_t *c, pgrst_error_t *err)
{
    c->plan.table = c->table;
    c->plan.index_col = -1;
    if (c->embed)
        return 0; /* planned already (PUT plans before its checks) */
    /* The read-back's embeds: their SELECT privileges are checked with the
     * plan (the statement's range table holds them). */
    if (rest_embed_plan(c, true, err) < 0)
        return -1;
    return rest_embed_require(c, err);
}

static bool representation(const rest_ctx_t *c)
{
    return c->prefer.ret == PGRST_RETURN_REPRESENTATION;
}

/* Does the statement read the table's columns (RETURNING more than `1`)? Then
 * it needs SELECT, and SELECT policies apply to its rows (rowsecurity.c:
 * requiredPerms & ACL_SELECT). return=minimal is `RETURNING 1` (PostgREST SqlFragment.hs
 * returningF); headers-only returns the primary key for Location. */
static bool returns_columns(const rest_ctx_t *c)
{
    return c->prefer.ret == PGRST_RETURN_REPRESENTATION ||
           c->prefer.ret == PGRST_RETURN_HEADERS_ONLY;
}

/* Appends privilege bit p to need[*n] (the order is the order checked). */
static void need_priv(unsigned *need, size_t *n, unsigned p)
{
    need[(*n)++] = p;
}

static bool row_in(store_row_t *const *rows, size_t n, const store_row_t *r)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i] == r)
            return true;
    return false;
}

/* Conflict target: on_conflict columns, else the primary key; 0 columns
 * means no upsert is possible (PostgREST then inserts plainly). */
static int conflict_target(rest_ctx_t *c, size_t **cols, size_t *n, pgrst_error_t *err)
{
    if (c->q.on_conflict) {
        *n = c->q.on_conflict_count;
        *cols = arena_calloc(c->arena, *n ? *n : 1, sizeof **cols);
        for (size_t i = 0; i < *n; i++) {
            int col = store_table_find_column(c->table, c->q.on_conflict[i]);
            if (col < 0)
                return pgrst_error_setf(err, "42703", "column \"%s\" does not exist",
                                        c->q.on_conflict[i]);
            (*cols)[i] = (size_t)col;
        }
        return 0;
    }
    const size_t *pk = NULL;
    *n = store_table_primary_key(c->table, &pk);
    *cols = (size_t *)pk;
    return 0;
}

/* The primary key of `row` for the Location header, as the text values
 * PostgREST's SQL selects for it (pgrst_source's pk columns). */
static void location_key(rest_ctx_t *c, const store_row_t *row)
{
    const size_t *pk = NULL;
    size_t n = store_table_primary_key(c->table, &pk);
    if (!n || !row)
        return;
    engine_result_t *res = c->res;
    res->location_columns = arena_calloc(c->arena, n, sizeof *res->location_columns);
    res->location_values = arena_calloc(c->arena, n, sizeof *res->location_values);
    buf_t text;
    buf_init(&text);
    for (size_t i = 0; i < n; i++) {
        const store_column_t *col = store_table_column(c->table, pk[i]);
        buf_reset(&text);
        pgvalue_render_text(&col->type, &store_row_values(row)[pk[i]], &text);
        res->location_columns[i] = col->name;
        res->location_values[i] = arena_strndup(c->arena, text.data, text.len);
    }
    res->location_count = n;
    buf_dispose(&text);
}

/* ---- writes through a view ---- */

/* A write whose target is a view: the rewriter's target (mem_view.h). The
 * statement plans and checks privileges on the view, then changes the
 * table below with its columns, triggers and constraints (and its
 * row-level security only when every view on the way is security_invoker:
 * otherwise the view's owner writes, who bypasses it), and returns what
 * the view shows of the rows it changed. */
typedef struct view_write {
    bool active, entered;
    store_table_t *view;
    mem_view_target_t target;
    bool saved_rls, saved_hide;
} view_write_t;

static int view_begin(rest_ctx_t *c, mem_view_cmd_t cmd, view_write_t *vw, pgrst_error_t *err)
{
    if (!c->table || !store_table_is_derived(c->table))
        return 0;
    if (mem_view_target(c->views, c->table, cmd, &vw->target, err) < 0)
        return -1;
    vw->active = true;
    vw->view = c->table;
    return 0;
}

/* The payload's view columns as the table's; 0A000 for one the view
 * computes (view_cols_are_auto_updatable). */
static int view_columns(const view_write_t *vw, mem_view_cmd_t cmd, const char **names,
                        size_t *cols, size_t n, pgrst_error_t *err)
{
    for (size_t i = 0; vw->active && i < n; i++) {
        int m = vw->target.colmap[cols[i]];
        if (m < 0)
            return mem_view_column_error(vw->view, cmd, names[i], err);
        cols[i] = (size_t)m;
    }
    return 0;
}

/* From here on the statement changes the table. Privileges on it are the
 * writer's to hold only through security_invoker views. */
static int view_enter(rest_ctx_t *c, view_write_t *vw, const unsigned *need, size_t nneed,
                      pgrst_error_t *err)
{
    if (!vw->active)
        return 0;
    vw->entered = true;
    vw->saved_rls = c->rls;
    vw->saved_hide = c->env.hide_row_details;
    c->table = vw->target.table;
    c->rls = vw->target.invoker && security_rls_applies(c->sec, c->table, c->role);
    c->env.hide_row_details = c->rls;
    if (vw->target.invoker && security_require(c->sec, c->table, c->role, need, nneed, err) < 0)
        return -1;
    return 0;
}

static void view_leave(rest_ctx_t *c, view_write_t *vw)
{
    if (!vw->entered)
        return;
    vw->entered = false;
    c->table = vw->view;
    c->rls = vw->saved_rls;
    c->env.hide_row_details = vw->saved_hide;
}

static void view_dispose(rest_ctx_t *c, view_write_t *vw)
{
    view_leave(c, vw);
    mem_view_target_dispose(&vw->target);
    vw->active = false;
}

/* A row written through the view: the WITH CHECK OPTIONs on the way
 * (mem_view_check), read as the views' owner with the writer's
 * current_user. */
static int view_check_row(rest_ctx_t *c, const view_write_t *vw, const store_row_t *row,
                          const size_t *cols, size_t ncols, pgrst_error_t *err)
{
    if (!vw->active)
        return 0;
    size_t n = store_table_column_count(vw->target.table);
    bool *written = arena_calloc(c->arena, n ? n : 1, sizeof *written);
    for (size_t i = 0; i < ncols; i++)
        written[cols[i]] = true;
    static const unsigned select_priv[] = {SCENARIO_PRIV_SELECT};
    pgrst_error_t ignored;
    pgrst_error_init(&ignored);
    mem_view_row_shown_t shown = {
        .hidden = security_rls_applies(c->sec, vw->target.table, c->role),
        .whole = security_require(c->sec, vw->target.table, c->role, select_priv, 1, &ignored) == 0,
        .written = written};
    pgrst_error_dispose(&ignored);
    sql_exec_env_t env = {.store = c->store,
                          .role = c->role,
                          .superuser = true,
                          .claims = c->claims,
                          .store_env = &c->env,
                          .work = &c->work};
    return mem_view_check(&vw->target, &env, store_row_values(row), &shown, err);
}

/* The table rows view rows rows[0..n) show (in place). */
static int view_sources(const view_write_t *vw, store_row_t **rows, size_t n, pgrst_error_t *err)
{
    for (size_t i = 0; vw->active && i < n; i++) {
        rows[i] = (store_row_t *)store_row_tag(rows[i]);
        if (!rows[i])
            return pgrst_error_setf(err, "XX000", "supamock: a row of view \"%s\" has no table row",
                                    store_table_name(vw->view));
    }
    return 0;
}

/* After the writes: the view's rows showing the table rows rows[0..*n), in
 * that order (RETURNING through the view); a row the view does not show is
 * left out. */
static int view_results(rest_ctx_t *c, view_write_t *vw, store_row_t **rows, size_t *n,
                        pgrst_error_t *err)
{
    if (!vw->active)
        return 0;
    view_leave(c, vw);
    if (rest_refresh(c, c->table, err) < 0)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        for (store_row_t *r = store_table_first(c->table); r; r = store_row_next(r))
            if (store_row_tag(r) == rows[i]) {
                rows[k++] = r;
                break;
            }
    *n = k;
    return 0;
}

int rest_insert(rest_ctx_t *c, pgrst_error_t *err)
{
    view_write_t vw;
    memset(&vw, 0, sizeof vw);
    rest_body_t *b = &c->body;
    int rc = -1;
    cJSON *body = b->doc.json;
    cJSON *rows = body;
    if (cJSON_IsObject(body)) {
        rows = cJSON_CreateArray();
        cJSON_AddItemReferenceToArray(rows, body);
    } else if (!cJSON_IsArray(body)) {
        pgrst_error_setf(err, "PGRST102", "Empty or invalid json");
        goto out;
    }
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        if (!cJSON_IsObject(row)) {
            pgrst_error_setf(err, "22023",
                             "argument of json_populate_recordset must be an array of objects");
            goto out;
        }
    }
    const char **names = NULL;
    size_t name_count = 0;
    size_t *cols = NULL;
    if (payload_columns(c, rows, &names, &name_count, err) < 0 ||
        resolve_payload(c, names, name_count, &cols, err) < 0 || rest_body_bind(b, err) < 0 ||
        plan_returning(c, err) < 0 || view_begin(c, MEM_VIEW_INSERT, &vw, err) < 0 ||
        view_columns(&vw, MEM_VIEW_INSERT, names, cols, name_count, err) < 0)
        goto out;

    size_t *target = NULL, target_n = 0;
    bool upsert = c->prefer.resolution != PGRST_RESOLUTION_UNSET;
    if (upsert && vw.active) {
        pgrst_error_setf(err, "0A000",
                         "supamock: an upsert through a view is not supported by the memory "
                         "engine");
        goto out;
    }
    if (upsert && conflict_target(c, &target, &target_n, err) < 0)
        goto out;
    upsert = upsert && target_n > 0;
    bool merge = upsert && c->prefer.resolution == PGRST_RESOLUTION_MERGE;
    bool reads = returns_columns(c);
    unsigned need[3];
    size_t need_n = 0;
    need_priv(need, &need_n, SCENARIO_PRIV_INSERT);
    if (merge)
        need_priv(need, &need_n, SCENARIO_PRIV_UPDATE); /* ON CONFLICT DO UPDATE */
    if (reads)
        need_priv(need, &need_n, SCENARIO_PRIV_SELECT);
    if (rest_security_require(c, need, need_n, err) < 0 ||
        view_enter(c, &vw, need, need_n, err) < 0)
        goto out;

    size_t nrows = (size_t)cJSON_GetArraySize(rows);
    size_t ncols = store_table_column_count(c->table);
    store_row_t **result = arena_calloc(c->arena, nrows ? nrows : 1, sizeof *result);
    size_t result_n = 0, inserted = 0;
    bool triggers = has_triggers(c);
    after_row_t *aq = arena_calloc(c->arena, nrows ? nrows : 1, sizeof *aq);
    size_t aqn = 0;
    store_begin(c->store);
    size_t row_index = 0;
    cJSON_ArrayForEach(row, rows)
    {
        const jsonc_node_t *node = rest_body_row_node(b, row_index++);
        pgvalue_t *values = xcalloc(ncols, sizeof *values);
        bool *provided = arena_calloc(c->arena, ncols, sizeof *provided);
        for (size_t i = 0; i < ncols; i++)
            pgvalue_init_null(&values[i]);
        for (size_t i = 0; i < name_count; i++) {
            bool present = false;
            if (body_member(c, row, node, names[i], cols[i], &present, &values[cols[i]], err) < 0) {
                values_dispose(values, ncols);
                rc = fail_tx(c);
                goto out;
            }
            /* An absent key is NULL, or the column's default with missing=default. */
            provided[cols[i]] = present || c->prefer.missing != PGRST_MISSING_DEFAULT;
        }
        /* ExecInsert: the INSERT WITH CHECK OPTIONs (and SELECT's, for
         * RETURNING) run on the proposed row before ExecConstraints (NOT
         * NULL, then CHECK), and both before the unique check that finds an
         * ON CONFLICT row. ExecBRInsertTriggers run first, on the row with
         * its defaults; one returning NULL drops the row. */
        bool skip = false;
        if (store_apply_defaults(c->store, c->table, values, provided, &c->env, err) < 0 ||
            (triggers && fire_before(c, SQL_ROW_INSERT, NULL, values, &skip, err) < 0) ||
            (!skip && (rest_security_new_row(c, SECURITY_CMD_INSERT, reads, values, err) < 0 ||
                       store_check_not_null(c->table, values, &c->env, err) < 0 ||
                       rest_security_constraints(c, values, err) < 0))) {
            values_dispose(values, ncols);
            rc = fail_tx(c);
            goto out;
        }
        if (skip) {
            values_dispose(values, ncols);
            continue;
        }
        store_row_t *existing = NULL;
        if (upsert && store_find_conflict(c->table, target, target_n, values, &existing, err) < 0) {
            values_dispose(values, ncols);
            rc = fail_tx(c);
            goto out;
        }
        store_row_t *out_row = NULL;
        if (existing && c->prefer.resolution == PGRST_RESOLUTION_IGNORE) {
            values_dispose(values, ncols);
            continue;
        }
        if (existing) {
            if (row_in(result, result_n, existing)) {
                values_dispose(values, ncols);
                pgrst_error_setf(err, "21000",
                                 "ON CONFLICT DO UPDATE command cannot affect row a second time");
                pgrst_error_hintf(err, "Ensure that no rows proposed for insertion within the "
                                       "same command have duplicate constrained values.");
                rc = fail_tx(c);
                goto out;
            }
            /* DO UPDATE SET col = EXCLUDED.col for every payload column. */
            pgvalue_t *merged = xcalloc(ncols, sizeof *merged);
            const pgvalue_t *old = store_row_values(existing);
            for (size_t i = 0; i < ncols; i++)
                pgvalue_copy(&merged[i], &old[i]);
            for (size_t i = 0; i < name_count; i++) {
                if (!provided[cols[i]])
                    continue;
                pgvalue_dispose(&merged[cols[i]]);
                pgvalue_copy(&merged[cols[i]], &values[cols[i]]);
            }
            values_dispose(values, ncols);
            /* ExecOnConflictUpdate: the existing row must pass UPDATE's USING
             * (and SELECT's when read), then ExecUpdate checks UPDATE's WITH
             * CHECK and the constraints on the merged row. */
            if (rest_security_conflict_row(c, reads, old, err) < 0 ||
                rest_security_new_row(c, SECURITY_CMD_UPDATE, false, merged, err) < 0 ||
                rest_security_constraints(c, merged, err) < 0) {
                values_dispose(merged, ncols);
                rc = fail_tx(c);
                goto out;
            }
            int urc = store_update(c->store, c->table, existing, merged, &c->env, &out_row, err);
            free(merged);
            if (urc < 0) {
                rc = fail_tx(c);
                goto out;
            }
        } else {
            int irc = store_insert(c->store, c->table, values, &c->env, &out_row, err);
            free(values);
            if (irc < 0 || view_check_row(c, &vw, out_row, cols, name_count, err) < 0) {
                rc = fail_tx(c);
                goto out;
            }
            inserted++;
            if (triggers)
                aq[aqn++] = (after_row_t){SQL_ROW_INSERT, NULL, out_row};
        }
        result[result_n++] = out_row;
    }
    if (fire_after(c, aq, aqn, err) < 0 || store_end_statement(c->store, &c->env, err) < 0 ||
        view_results(c, &vw, result, &result_n, err) < 0 ||
        rest_check_singular(c, result_n, err) < 0) {
        rc = fail_tx(c);
        goto out;
    }
    if (representation(c) && rest_render_rows(c, result, result_n, err) < 0) {
        rc = fail_tx(c);
        goto out;
    }
    c->res->upsert = upsert;
    c->res->inserted = inserted;
    c->res->page_count = (long long)result_n;
    c->res->total = (long long)result_n;
    /* Statements.hs locF: a Location only when exactly one row was
     * inserted (CASE WHEN count(_postgrest_t) = 1). */
    if (c->prefer.ret == PGRST_RETURN_HEADERS_ONLY && result_n == 1)
        location_key(c, result[0]);
    finish_tx(c);
    rc = 0;
out:
    view_dispose(c, &vw);
    if (rows != body)
        cJSON_Delete(rows);
    return rc;
}

/* PATCH and DELETE need a WHERE clause under pg-safeupdate, which Supabase
 * preloads for the Data API. */
static int require_where(rest_ctx_t *c, const char *verb, pgrst_error_t *err)
{
    if (c->q.where_count == 0)
        return pgrst_error_setf(err, "21000", "%s requires a WHERE clause", verb);
    return 0;
}

/* Matching rows (heap order) for PATCH/DELETE. */
static int collect_targets(rest_ctx_t *c, store_row_t ***rows, size_t *n, pgrst_error_t *err)
{
    if (plan_returning(c, err) < 0)
        return -1;
    if (rest_plan_where(&c->plan, c->arena, c->table, c->q.where, c->q.where_count, err) < 0)
        return -1;
    *n = rest_plan_collect(&c->plan, c->arena, rows);
    /* Before any change: a statement cancelled while scanning leaves the
     * table as it was. */
    return rest_plan_work_error(&c->plan, err);
}

static int check_max_affected(rest_ctx_t *c, size_t n, pgrst_error_t *err)
{
    if (c->prefer.handling == PGRST_HANDLING_STRICT && c->prefer.max_affected >= 0 &&
        (long long)n > (long long)c->prefer.max_affected) {
        pgrst_error_setf(err, "PGRST124",
                         "Query result exceeds max-affected preference constraint");
        pgrst_error_detailsf(err, "The query affects %zu rows", n);
        return -1;
    }
    return 0;
}

int rest_update(rest_ctx_t *c, pgrst_error_t *err)
{
    rest_body_t *b = &c->body;
    int rc = -1;
    view_write_t vw;
    memset(&vw, 0, sizeof vw);
    cJSON *body = b->doc.json;
    const char **names = NULL;
    size_t name_count = 0;
    size_t *cols = NULL;
    if (!cJSON_IsObject(body)) {
        pgrst_error_setf(err, "PGRST102", "Empty or invalid json");
        goto out;
    }
    cJSON *wrapped = cJSON_CreateArray();
    cJSON_AddItemReferenceToArray(wrapped, body);
    int prc = payload_columns(c, wrapped, &names, &name_count, err);
    cJSON_Delete(wrapped);
    if (prc < 0 || resolve_payload(c, names, name_count, &cols, err) < 0 ||
        rest_body_bind(b, err) < 0 || view_begin(c, MEM_VIEW_UPDATE, &vw, err) < 0)
        goto out;
    /* the view's rows are read as its filters see them, before the payload's
     * columns become the table's */
    if (vw.active && rest_refresh(c, c->table, err) < 0)
        goto out;

    store_row_t **targets = NULL;
    size_t n = 0;
    if (name_count == 0) {
        /* An empty object updates nothing: PostgREST runs SELECT ... WHERE false. */
        if (plan_returning(c, err) < 0)
            goto out;
    } else {
        if (require_where(c, "UPDATE", err) < 0 || collect_targets(c, &targets, &n, err) < 0)
            goto out;
    }
    /* The WHERE clause (always there under pg-safeupdate) reads columns, so
     * an UPDATE needs SELECT as well, and SELECT's policies join UPDATE's. */
    static const unsigned need[] = {SCENARIO_PRIV_UPDATE, SCENARIO_PRIV_SELECT};
    if (rest_security_require(c, need, 2, err) < 0 ||
        view_columns(&vw, MEM_VIEW_UPDATE, names, cols, name_count, err) < 0 ||
        view_sources(&vw, targets, n, err) < 0 || view_enter(c, &vw, need, 2, err) < 0 ||
        rest_security_filter(c, SECURITY_CMD_UPDATE, true, targets, &n, err) < 0)
        goto out;
    size_t ncols = store_table_column_count(c->table);
    store_row_t **result = arena_calloc(c->arena, n ? n : 1, sizeof *result);
    pgvalue_t *payload = NULL;
    bool triggers = has_triggers(c);
    after_row_t *aq = arena_calloc(c->arena, n ? n : 1, sizeof *aq);
    size_t aqn = 0, kept = 0;
    store_begin(c->store);
    for (size_t r = 0; r < n; r++) {
        if (!payload) {
            /* json_populate_record runs only when a row is updated. */
            payload = xcalloc(ncols, sizeof *payload);
            for (size_t i = 0; i < ncols; i++)
                pgvalue_init_null(&payload[i]);
            for (size_t i = 0; i < name_count; i++) {
                bool present = false;
                if (body_member(c, body, b->doc.root, names[i], cols[i], &present,
                                &payload[cols[i]], err) < 0) {
                    values_dispose(payload, ncols);
                    drop_after(c, aq, aqn);
                    rc = fail_tx(c);
                    goto out;
                }
            }
        }
        pgvalue_t *values = xcalloc(ncols, sizeof *values);
        const pgvalue_t *old = store_row_values(targets[r]);
        for (size_t i = 0; i < ncols; i++)
            pgvalue_copy(&values[i], &old[i]);
        for (size_t i = 0; i < name_count; i++) {
            pgvalue_dispose(&values[cols[i]]);
            pgvalue_copy(&values[cols[i]], &payload[cols[i]]);
        }
        /* ExecUpdate: BEFORE ROW triggers, then WITH CHECK OPTIONs, then
         * ExecConstraints. */
        bool skip = false;
        pgvalue_t *old_copy = triggers ? values_copy(old, ncols) : NULL;
        if ((triggers && fire_before(c, SQL_ROW_UPDATE, old_copy, values, &skip, err) < 0) ||
            (!skip && (rest_security_new_row(c, SECURITY_CMD_UPDATE, true, values, err) < 0 ||
                       rest_security_constraints(c, values, err) < 0))) {
            values_dispose(values, ncols);
            values_dispose(payload, ncols);
            if (old_copy)
                values_dispose(old_copy, ncols);
            drop_after(c, aq, aqn);
            rc = fail_tx(c);
            goto out;
        }
        if (skip) {
            values_dispose(values, ncols);
            values_dispose(old_copy, ncols);
            continue;
        }
        int urc = store_update(c->store, c->table, targets[r], values, &c->env, &result[kept], err);
        free(values);
        if (urc < 0 || view_check_row(c, &vw, result[kept], cols, name_count, err) < 0) {
            values_dispose(payload, ncols);
            if (old_copy)
                values_dispose(old_copy, ncols);
            drop_after(c, aq, aqn);
            rc = fail_tx(c);
            goto out;
        }
        if (triggers)
            aq[aqn++] = (after_row_t){SQL_ROW_UPDATE, old_copy, result[kept]};
        kept++;
    }
    n = kept; /* rows a BEFORE trigger skipped are neither counted nor returned */
    if (payload)
        values_dispose(payload, ncols);
    size_t written = n;
    if (fire_after(c, aq, aqn, err) < 0 || store_end_statement(c->store, &c->env, err) < 0 ||
        view_results(c, &vw, result, &n, err) < 0 || rest_check_singular(c, written, err) < 0 ||
        check_max_affected(c, written, err) < 0 ||
        (representation(c) && rest_render_rows(c, result, n, err) < 0)) {
        rc = fail_tx(c);
        goto out;
    }
    c->res->page_count = (long long)written;
    c->res->total = (long long)written;
    finish_tx(c);
    rc = 0;
out:
    view_dispose(c, &vw);
    return rc;
}

static int delete_rows(rest_ctx_t *c, view_write_t *vw, pgrst_error_t *err);

int rest_delete(rest_ctx_t *c, pgrst_error_t *err)
{
    view_write_t vw;
    memset(&vw, 0, sizeof vw);
    int rc = delete_rows(c, &vw, err);
    view_dispose(c, &vw);
    return rc;
}

static int delete_rows(rest_ctx_t *c, view_write_t *vw, pgrst_error_t *err)
{
    store_row_t **targets = NULL;
    size_t n = 0;
    static const unsigned need[] = {SCENARIO_PRIV_DELETE, SCENARIO_PRIV_SELECT};
    if (require_where(c, "DELETE", err) < 0 || view_begin(c, MEM_VIEW_DELETE, vw, err) < 0 ||
        (vw->active && rest_refresh(c, c->table, err) < 0) ||
        collect_targets(c, &targets, &n, err) < 0 || rest_security_require(c, need, 2, err) < 0)
        return -1;
    /* Through a view: what RETURNING shows is the view's rows; the rows
     * deleted are the table's below them. */
    store_row_t **shown = targets;
    if (vw->active) {
        shown = arena_calloc(c->arena, n ? n : 1, sizeof *shown);
        if (n)
            memcpy(shown, targets, n * sizeof *shown);
        if (view_sources(vw, targets, n, err) < 0 || view_enter(c, vw, need, 2, err) < 0)
            return -1;
    }
    if (rest_security_filter(c, SECURITY_CMD_DELETE, true, targets, &n, err) < 0)
        return -1;
    store_begin(c->store);
    if (rest_check_singular(c, n, err) < 0)
        return fail_tx(c);
    /* The representation is rendered before the rows go away (RETURNING). */
    if (representation(c)) {
        store_table_t *written = c->table;
        view_leave(c, vw);
        int rrc = rest_render_rows(c, shown, n, err);
        if (vw->active && view_enter(c, vw, need, 0, err) < 0)
            rrc = -1;
        c->table = written;
        if (rrc < 0)
            return fail_tx(c);
    }
    bool triggers = has_triggers(c);
    size_t ncols = store_table_column_count(c->table);
    after_row_t *aq = arena_calloc(c->arena, n ? n : 1, sizeof *aq);
    size_t aqn = 0;
    for (size_t r = 0; r < n; r++) {
        /* ExecBRDeleteTriggers: NULL keeps the row. (The representation
         * above shows what RETURNING would; a skipped row is not deleted.) */
        pgvalue_t *old = triggers ? values_copy(store_row_values(targets[r]), ncols) : NULL;
        bool skip = false;
        if (triggers && fire_before(c, SQL_ROW_DELETE, old, NULL, &skip, err) < 0) {
            values_dispose(old, ncols);
            drop_after(c, aq, aqn);
            return fail_tx(c);
        }
        if (skip) {
            values_dispose(old, ncols);
            continue;
        }
        if (store_delete(c->store, c->table, targets[r], &c->env, err) < 0) {
            if (old)
                values_dispose(old, ncols);
            drop_after(c, aq, aqn);
            return fail_tx(c);
        }
        if (triggers)
            aq[aqn++] = (after_row_t){SQL_ROW_DELETE, old, NULL};
    }
    if (fire_after(c, aq, aqn, err) < 0 || store_end_statement(c->store, &c->env, err) < 0 ||
        check_max_affected(c, n, err) < 0)
        return fail_tx(c);
    c->res->page_count = (long long)n;
    c->res->total = (long long)n;
    finish_tx(c);
    return 0;
}

/* PUT: a single-row upsert addressed by every primary-key column with eq. */
int rest_put(rest_ctx_t *c, pgrst_error_t *err)
{
    if (store_table_is_derived(c->table))
        return pgrst_error_setf(err, "0A000",
                                "supamock: PUT through a view is not supported by the memory "
                                "engine");
    if (c->q.limit >= 0 || c->q.offset > 0)
        return pgrst_error_setf(err, "PGRST114",
                                "limit/offset querystring parameters are not allowed for PUT");
    const size_t *pk = NULL;
    size_t pk_n = store_table_primary_key(c->table, &pk);
    bool ok = pk_n > 0 && c->q.where_count == pk_n;
    for (size_t i = 0; ok && i < c->q.where_count; i++) {
        const pgrst_logic_t *l = &c->q.where[i];
        ok = l->kind == PGRST_LOGIC_FILTER && !l->filter.negated && l->filter.op == PGRST_OP_EQ &&
             l->filter.quant == PGRST_QUANT_NONE && !l->filter.field.path_len;
        bool is_pk = false;
        for (size_t k = 0; ok && k < pk_n; k++)
            is_pk = is_pk ||
                    strcmp(store_table_column(c->table, pk[k])->name, l->filter.field.name) == 0;
        ok = ok && is_pk;
    }
    if (!ok)
        return pgrst_error_setf(
            err, "PGRST105",
            "Filters must include all and only primary key columns with 'eq' operators");

    rest_body_t *b = &c->body;
    int rc = -1;
    cJSON *body = b->doc.json;
    cJSON *obj = body;
    if (cJSON_IsArray(body) && cJSON_GetArraySize(body) == 1)
        obj = cJSON_GetArrayItem(body, 0);
    if (!cJSON_IsObject(obj)) {
        pgrst_error_setf(err, "PGRST102", "Empty or invalid json");
        goto out;
    }
    /* Every key value in the payload must equal the URL's. */
    for (size_t i = 0; i < c->q.where_count; i++) {
        const pgrst_filter_t *f = &c->q.where[i].filter;
        int col = store_table_find_column(c->table, f->field.name);
        const pgtype_t *type = &store_table_column(c->table, (size_t)col)->type;
        pgvalue_t url_value, body_value;
        bool present = false, same = false;
        pgvalue_init_null(&body_value);
        if (pgvalue_from_text(type, f->value, strlen(f->value), &url_value, err) == 0) {
            if (rest_body_member(b, obj, rest_body_row_node(b, 0), f->field.name, type, &present,
                                 &body_value, err) == 0)
                same = present && !url_value.is_null && !body_value.is_null &&
                       pgvalue_compare(type, &url_value, &body_value) == 0;
            pgvalue_dispose(&body_value);
            pgvalue_dispose(&url_value);
        }
        if (pgrst_error_is_set(err))
            goto out;
        if (!same) {
            pgrst_error_setf(err, "PGRST115",
                             "Payload values do not match URL in primary key column(s)");
            goto out;
        }
    }
    /* The rest is an upsert of this one row, merging on the primary key. */
    cJSON *single = cJSON_CreateArray();
    cJSON_AddItemReferenceToArray(single, obj);
    const char **names = NULL;
    size_t name_count = 0;
    size_t *cols = NULL;
    int prc = payload_columns(c, single, &names, &name_count, err);
    cJSON_Delete(single);
    static const unsigned need[] = {SCENARIO_PRIV_INSERT, SCENARIO_PRIV_UPDATE,
                                    SCENARIO_PRIV_SELECT};
    if (prc < 0 || resolve_payload(c, names, name_count, &cols, err) < 0 ||
        plan_returning(c, err) < 0 || rest_security_require(c, need, 3, err) < 0)
        goto out;
    size_t ncols = store_table_column_count(c->table);
    pgvalue_t *values = xcalloc(ncols, sizeof *values);
    bool *provided = arena_calloc(c->arena, ncols, sizeof *provided);
    for (size_t i = 0; i < ncols; i++)
        pgvalue_init_null(&values[i]);
    store_begin(c->store);
    for (size_t i = 0; i < name_count; i++) {
        provided[cols[i]] = true;
        bool present = false;
        if (body_member(c, obj, rest_body_row_node(b, 0), names[i], cols[i], &present,
                        &values[cols[i]], err) < 0) {
            values_dispose(values, ncols);
            rc = fail_tx(c);
            goto out;
        }
    }
    store_row_t *existing = NULL, *result = NULL;
    /* As for POST's upsert: INSERT's checks on the proposed row first. */
    if (store_apply_defaults(c->store, c->table, values, provided, &c->env, err) < 0 ||
        rest_security_new_row(c, SECURITY_CMD_INSERT, true, values, err) < 0 ||
        rest_security_constraints(c, values, err) < 0 ||
        store_find_conflict(c->table, pk, pk_n, values, &existing, err) < 0) {
        values_dispose(values, ncols);
        rc = fail_tx(c);
        goto out;
    }
    int wrc;
    if (existing) {
        for (size_t i = 0; i < ncols; i++) {
            if (!provided[i]) {
                pgvalue_dispose(&values[i]);
                pgvalue_copy(&values[i], &store_row_values(existing)[i]);
            }
        }
        if (rest_security_conflict_row(c, true, store_row_values(existing), err) < 0 ||
            rest_security_new_row(c, SECURITY_CMD_UPDATE, false, values, err) < 0 ||
            rest_security_constraints(c, values, err) < 0) {
            values_dispose(values, ncols);
            rc = fail_tx(c);
            goto out;
        }
        wrc = store_update(c->store, c->table, existing, values, &c->env, &result, err);
    } else {
        wrc = store_insert(c->store, c->table, values, &c->env, &result, err);
    }
    free(values);
    if (wrc < 0 || store_end_statement(c->store, &c->env, err) < 0 ||
        (representation(c) && rest_render_rows(c, &result, 1, err) < 0)) {
        rc = fail_tx(c);
        goto out;
    }
    c->res->existed = existing != NULL;
    c->res->page_count = 1;
    c->res->total = 1;
    finish_tx(c);
    rc = 0;
out:
    return rc;
}
