/* The memory engine behind engine.h: the schema cache is the store's tables
 * with their in_schema_cache flags, and a request runs against the store in
 * one store transaction, with grants and RLS from the security model. Reads
 * are here; mutations are in rest_write.c. It completes every request before
 * returning. It borrows the store, the security model and the scenario from
 * the instance that owns it. */
#include "memory_engine.h"

#include "caps.h"
#include "mem_call.h"
#include "mem_datarep.h"
#include "pgtz.h"
#include "rest_aggregate.h"
#include "rest_ctx.h"
#include "rest_computed.h"
#include "relationships.h"
#include "rest_embed.h"
#include "rest_security.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct memory_engine {
    engine_t base; /* first: engine_t * <-> memory_engine_t * */
    store_t *store;
    security_t *sec;
    const scenario_t *sc;
    mem_funcs_t *fs;        /* borrowed: the instance's */
    mem_datarep_t *datarep; /* owned: the data representations over fs, NULL when none */
    mem_views_t *views;     /* borrowed: the instance's */
    /* Every relationship among the store's tables and views: the schema
     * does not change after the build (a reload only flips what is in the
     * schema cache, which mem_rels_from filters per request), so they are
     * found once, in rels_arena (owned). */
    arena_t *rels_arena;
    mem_rels_t rels;
} memory_engine_t;

static memory_engine_t *from(engine_t *e)
{
    return (memory_engine_t *)e;
}

/* ---- the schema cache ---- */

static const engine_relation_t *find_relation(engine_t *e, const char *schema, const char *name)
{
    store_table_t *t = store_find_table(from(e)->store, schema, name);
    if (!t || !store_table_in_schema_cache(t))
        return NULL;
    return (const engine_relation_t *)t;
}

static const store_table_t *table_of(const engine_relation_t *rel)
{
    return (const store_table_t *)rel;
}

static size_t relation_names(engine_t *e, const char *schema, arena_t *arena, const char ***out)
{
    store_t *s = from(e)->store;
    size_t n = store_table_count(s);
    const char **names = arena_calloc(arena, n ? n : 1, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const store_table_t *t = store_table_at(s, i);
        if (strcmp(store_table_schema(t), schema) == 0 && store_table_in_schema_cache(t))
            names[k++] = store_table_name(t);
    }
    *out = names;
    return k;
}

static const char *relation_name(const engine_relation_t *rel)
{
    return store_table_name(table_of(rel));
}

static size_t column_count(const engine_relation_t *rel)
{
    return store_table_column_count(table_of(rel));
}

/* The column's default as Postgres prints column_default (pg_get_expr of
 * pg_attrdef): functions by name, constants as ruleutils.c get_const_expr
 * prints them. Identity columns have none. In arena. */
static const char *default_expr(const store_column_t *col, arena_t *arena)
{
    char scratch[128];
    switch (col->default_kind) {
    case STORE_DEFAULT_NONE:
        return NULL;
    case STORE_DEFAULT_GEN_RANDOM_UUID:
        return "gen_random_uuid()";
    case STORE_DEFAULT_NOW:
        return "now()";
    case STORE_DEFAULT_AUTH_UID:
        return "auth.uid()";
    case STORE_DEFAULT_SEQUENCE:
        if (col->identity != STORE_IDENTITY_NONE || !col->sequence)
            return NULL;
        return arena_sprintf(arena, "nextval('%s'::regclass)", store_sequence_name(col->sequence));
    case STORE_DEFAULT_VALUE:
        break;
    }
    if (col->default_value.is_null)
        return "NULL";
    buf_t text;
    buf_init(&text);
    pgvalue_render_text(&col->type, &col->default_value, &text);
    const char *t = buf_cstr(&text);
    pgtype_kind_t k = col->type.kind;
    bool scalar = !col->type.is_array;
    const char *out;
    if (scalar && k == PGTYPE_BOOL)
        out = col->default_value.i ? "true" : "false";
    else if ((scalar && k == PGTYPE_INT4 && t[0] != '-') ||
             (scalar && k == PGTYPE_NUMERIC && t[0] >= '0' && t[0] <= '9' &&
              strcspn(t, "eE.") != strlen(t)))
        /* ruleutils.c get_const_expr: booleans, non-negative int4 and
         * numerics that read back as numeric print bare; every other
         * constant (the default was folded to the column's type by
         * cookDefault) is quoted and labelled. */
        out = arena_strdup(arena, t);
    else {
        buf_t b;
        buf_init(&b);
        buf_putc(&b, '\'');
        for (const char *p = t; *p; p++) {
            if (*p == '\'')
                buf_putc(&b, '\'');
            buf_putc(&b, *p);
        }
        buf_printf(&b, "'::%s", pgtype_name(&col->type, scratch, sizeof scratch));
        out = arena_strdup(arena, buf_cstr(&b));
        buf_dispose(&b);
    }
    buf_dispose(&text);
    return out;
}

static void column(const engine_relation_t *rel, size_t i, arena_t *arena,
                   engine_column_info_t *out)
{
    const store_column_t *col = store_table_column(table_of(rel), i);
    char scratch[128];
    out->name = col->name;
    out->type =
        arena ? arena_strdup(arena, pgtype_name(&col->type, scratch, sizeof scratch)) : NULL;
    out->nullable = col->nullable;
    out->has_default = col->default_kind != STORE_DEFAULT_NONE;
    out->primary_key = col->primary_key;
    out->data_type = out->type;
    out->default_expr = arena ? default_expr(col, arena) : NULL;
    out->description = NULL; /* scenarios declare no comments */
    out->max_length = (col->type.kind == PGTYPE_VARCHAR || col->type.kind == PGTYPE_CHAR) &&
                              !col->type.is_array && col->type.length > 0
                          ? col->type.length
                          : -1;
    out->enum_labels = NULL;
    out->enum_count = 0;
    if (col->type.kind == PGTYPE_ENUM && !col->type.is_array && col->type.enum_def) {
        out->enum_labels = (const char *const *)col->type.enum_def->labels;
        out->enum_count = col->type.enum_def->label_count;
    }
}

/* Is the role granted anything on rel (openapi-mode follow-privileges)? The
 * memory engine models grants only, no owners. */
static bool relation_accessible(engine_t *e, const engine_relation_t *rel, const char *role)
{
    return security_privileges(from(e)->sec, table_of(rel), role) != 0;
}

/* pg_timezone_names: the system's tz database, as Debian's PostgreSQL. */
static bool timezone_valid(engine_t *e, const char *name)
{
    (void)e;
    return pgtz_name_valid(name);
}

/* Every relation of the memory engine is a table: always writable. */
static bool relation_writable(const engine_relation_t *rel)
{
    (void)rel;
    return true;
}

static size_t relationships(engine_t *e, const engine_relation_t *rel, arena_t *arena,
                            engine_relationship_t **out)
{
    store_t *s = from(e)->store;
    const store_table_t *self = table_of(rel);
    size_t cap = 0;
    for (size_t i = 0; i < store_table_count(s); i++)
        cap += store_table_column_count(store_table_at(s, i));
    engine_relationship_t *rels = arena_calloc(arena, cap ? cap : 1, sizeof *rels);
    size_t k = 0;
    for (size_t i = 0; i < store_table_count(s); i++) {
        const store_table_t *t = store_table_at(s, i);
        for (size_t c = 0; c < store_table_column_count(t); c++) {
            const store_column_t *col = store_table_column(t, c);
            if (!col->ref_table)
                continue;
            bool from_self = t == self;
            bool to_self = strcmp(col->ref_schema, store_table_schema(self)) == 0 &&
                           strcmp(col->ref_table, store_table_name(self)) == 0;
            if (!from_self && !to_self)
                continue;
            rels[k++] = (engine_relationship_t){
                .constraint = col->fk_constraint,
                .schema = store_table_schema(t),
                .relation = store_table_name(t),
                .column = col->name,
                .ref_schema = col->ref_schema,
                .ref_relation = col->ref_table,
                .ref_column = col->ref_column,
            };
        }
    }
    *out = rels;
    return k;
}

/* The functions the memory engine runs (mem_func.c's catalog). */
static size_t routines(engine_t *e, const char *schema, const char *name,
                       const engine_routine_t *const **out)
{
    return mem_funcs_routines(from(e)->fs, schema, name, out);
}

static size_t routine_names(engine_t *e, const char *schema, arena_t *arena, const char ***out)
{
    return mem_funcs_routine_names(from(e)->fs, schema, arena, out);
}

static size_t openapi_routines(engine_t *e, const char *schema, const char *role, arena_t *arena,
                               engine_openapi_routine_t **out)
{
    return mem_funcs_openapi(from(e)->fs, schema, role, arena, out);
}

static void reload(engine_t *e)
{
    store_t *s = from(e)->store;
    size_t n = store_table_count(s);
    for (size_t i = 0; i < n; i++) {
        store_table_t *t = store_table_at(s, i);
        store_table_set_in_schema_cache(t, true);
        for (size_t c = 0; c < store_table_column_count(t); c++)
            store_column_set_in_schema_cache(t, c, true);
    }
}

/* ---- reads ---- */

int rest_check_singular(rest_ctx_t *c, size_t n, pgrst_error_t *err)
{
    if (c->accept.media != PGRST_MEDIA_OBJECT || n == 1)
        return 0;
    pgrst_error_setf(err, "PGRST116",
                     c->sc->postgrest_version >= 13
                         ? "Cannot coerce the result to a single JSON object"
                         : "JSON object requested, multiple (or no) rows returned");
    pgrst_error_detailsf(err, "The result contains %zu rows", n);
    return -1;
}

/* One row's cells: through the embed tree when the select has embeds. */
static int row_cells(rest_ctx_t *c, const store_row_t *row, render_cell_t **cells,
                     rest_scratch_t *scratch, rest_embed_cells_t *ecells, pgrst_error_t *err)
{
    if (c->embed && c->plan.embeds) {
        int k = rest_embed_row(c, row, ecells, err);
        *cells = ecells->cells;
        return k;
    }
    return rest_plan_project(&c->plan, c->arena, row, cells, scratch, err);
}

/* A select with aggregates: the rows grouped, then the range of the groups
 * (GROUP BY comes before LIMIT/OFFSET), rendered as rest_render_rows renders
 * rows. The rows come sorted, so groups keep the order of their first row. */
static int render_grouped(rest_ctx_t *c, store_row_t **rows, size_t n, long long lower,
                          long long limit, pgrst_error_t *err)
{
    rest_groups_t *g = rest_groups_new(&c->plan, &c->work);
    rest_embed_group_layout(c, g);
    rest_scratch_t scratch = {0};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        render_cell_t *cells = NULL;
        rest_embed_cells_t ecells = {0};
        int k = row_cells(c, rows[i], &cells, &scratch, &ecells, err);
        rc = k < 0 ? -1 : rest_groups_add(g, cells, (size_t)k, err);
        rest_embed_cells_dispose(&ecells);
        rest_plan_scratch_dispose(&scratch);
    }
    if (rc == 0 && (rest_embed_error(c, err) < 0 || rest_plan_work_error(&c->plan, err) < 0))
        rc = -1;
    size_t total = rest_groups_count(g);
    size_t first = lower >= 0 && (size_t)lower < total ? (size_t)lower : total;
    size_t last = total;
    if (limit >= 0 && lower >= 0 && (size_t)(lower + limit) < total)
        last = (size_t)(lower + limit);
    c->res->total = (long long)total;
    c->res->page_count = last > first ? (long long)(last - first) : 0;
    buf_t *out = c->res->body;
    if (rc == 0 && c->accept.media == PGRST_MEDIA_OBJECT)
        rc = rest_check_singular(c, last - first, err);
    else if (rc == 0 && c->accept.media == PGRST_MEDIA_JSON)
        buf_putc(out, '[');
    for (size_t i = first; i < last && rc == 0; i++) {
        const render_cell_t *cells;
        int k = rest_groups_row(g, i, &cells, err);
        if (k < 0) {
            rc = -1;
            break;
        }
        if (c->accept.media == PGRST_MEDIA_CSV) {
            if (i == first) {
                render_csv_header(out, cells, (size_t)k);
            }
            buf_putc(out, '\n');
            render_csv_row(out, cells, (size_t)k);
        } else {
            if (i > first)
                buf_puts(out, c->accept.nulls_stripped ? RENDER_JSON_ROW_SEPARATOR_STRIPPED
                                                       : RENDER_JSON_ROW_SEPARATOR);
            render_json_row(out, cells, (size_t)k, c->accept.nulls_stripped);
        }
    }
    if (rc == 0 && c->accept.media == PGRST_MEDIA_JSON)
        buf_putc(out, ']');
    rest_groups_free(g);
    return rc;
}

int rest_render_rows(rest_ctx_t *c, store_row_t **rows, size_t n, pgrst_error_t *err)
{
    if (rest_embed_refresh(c, err) < 0)
        return -1;
    if (c->plan.has_aggregates)
        return render_grouped(c, rows, n, 0, -1, err);
    buf_t *out = c->res->body;
    if (c->accept.media == PGRST_MEDIA_OBJECT) {
        if (rest_check_singular(c, n, err) < 0)
            return -1;
    } else if (c->accept.media == PGRST_MEDIA_JSON) {
        buf_putc(out, '[');
    } else if (c->accept.media == PGRST_MEDIA_CSV) {
        /* The header names the columns even when there are no rows. */
        const char **keys = NULL;
        size_t nk = 0;
        if (c->embed && c->plan.embeds) {
            nk = rest_embed_keys(c, &keys);
        } else {
            nk = c->plan.out_count;
            keys = arena_calloc(c->arena, nk ? nk : 1, sizeof *keys);
            for (size_t i = 0; i < nk; i++)
                keys[i] = rest_plan_out_key(&c->plan, i);
        }
        for (size_t i = 0; i < nk; i++) {
            render_cell_t cell = {.key = keys[i]};
            if (i)
                buf_putc(out, ',');
            render_csv_header(out, &cell, 1);
        }
    }
    rest_scratch_t scratch = {0};
    for (size_t i = 0; i < n; i++) {
        render_cell_t *cells = NULL;
        rest_embed_cells_t ecells = {0};
        int k = row_cells(c, rows[i], &cells, &scratch, &ecells, err);
        if (k < 0) {
            rest_embed_cells_dispose(&ecells);
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
        rest_embed_cells_dispose(&ecells);
        rest_plan_scratch_dispose(&scratch);
    }
    if (rest_embed_error(c, err) < 0 || rest_plan_work_error(&c->plan, err) < 0)
        return -1;
    if (c->accept.media == PGRST_MEDIA_JSON)
        buf_putc(out, ']');
    return 0;
}

int rest_refresh(rest_ctx_t *c, const store_table_t *t, pgrst_error_t *err)
{
    if (!t || !store_table_is_derived(t))
        return 0;
    store_reader_t rd = {.role = c->role,
                         .claims = c->claims,
                         .now_us = c->env.now_us,
                         .auth_uid = c->env.auth_uid,
                         .work = &c->work};
    return store_table_refresh((store_table_t *)t, &rd, err);
}

static int do_read(rest_ctx_t *c, pgrst_error_t *err)
{
    /* Postgres analyses the select list before WHERE, and WHERE before ORDER
     * BY; compile in that order so the first error is the one it reports. */
    /* The select tree first (PostgREST plans it before any SQL runs; the
     * embeds' subqueries are analysed with the FROM clause). */
    if (rest_embed_plan(c, false, err) < 0)
        return -1;
    if (rest_plan_where(&c->plan, c->arena, c->table, c->q.where, c->q.where_count, err) < 0)
        return -1;
    if (rest_plan_order(&c->plan, c->arena, c->q.order, c->q.order_count, err) < 0)
        return -1;

    /* ExecCheckPermissions runs once the statement is analysed. */
    static const unsigned need[] = {SCENARIO_PRIV_SELECT};
    if (rest_security_require(c, need, 1, err) < 0 || rest_embed_require(c, err) < 0)
        return -1;
    /* Views compute their rows now, for this role (the embeds' too: an
     * !inner embed filters the rows being collected). */
    if (rest_refresh(c, c->table, err) < 0 || rest_embed_refresh(c, err) < 0)
        return -1;

    store_row_t **rows = NULL;
    size_t total = rest_plan_collect(&c->plan, c->arena, &rows);
    if (rest_embed_error(c, err) < 0 || rest_plan_work_error(&c->plan, err) < 0)
        return -1;
    /* Rows the SELECT policies hide are not there at all: neither in the
     * range nor in the count. */
    if (rest_security_filter(c, SECURITY_CMD_SELECT, false, rows, &total, err) < 0)
        return -1;
    rest_plan_sort(&c->plan, rows, total);
    if (rest_embed_error(c, err) < 0 || rest_plan_work_error(&c->plan, err) < 0)
        return -1;

    if (c->plan.has_aggregates)
        return render_grouped(c, rows, total, c->ereq->offset, c->ereq->limit, err);
    /* LIMIT/OFFSET of the range PostgREST computed; a negative offset (kept as
     * sent) selects nothing. */
    long long lower = c->ereq->offset;
    size_t first = lower >= 0 && (size_t)lower < total ? (size_t)lower : total;
    size_t last = total;
    if (c->ereq->limit >= 0 && lower >= 0 && (size_t)(lower + c->ereq->limit) < total)
        last = (size_t)(lower + c->ereq->limit);
    size_t count = last > first ? last - first : 0;
    c->res->total = (long long)total;
    c->res->page_count = (long long)count;
    /* With a count requested, an offset past the end is PostgREST's 416,
     * answered without rows (and before a singular check). */
    if (c->prefer.count != PGRST_COUNT_UNSET && lower > (long long)total)
        return 0;
    return rest_render_rows(c, rows + first, count, err);
}

/* ---- execution ---- */

/* The statement_timeout Supabase gives the role PostgREST switches to
 * (ALTER ROLE ... SET statement_timeout in Supabase's roles). */
static uint64_t statement_timeout_ms(const char *role)
{
    if (role && strcmp(role, "anon") == 0)
        return MOCK_STATEMENT_TIMEOUT_ANON_MS;
    if (role && strcmp(role, "authenticated") == 0)
        return MOCK_STATEMENT_TIMEOUT_AUTHENTICATED_MS;
    /* service_role and custom roles: the authenticator's. */
    return MOCK_STATEMENT_TIMEOUT_DEFAULT_MS;
}

static void execute(engine_t *e, const engine_request_t *req, engine_result_t *res,
                    pgrst_error_t *err, engine_done_fn done, void *arg)
{
    memory_engine_t *me = from(e);
    rest_ctx_t c;
    memset(&c, 0, sizeof c);
    c.sc = me->sc;
    c.ereq = req;
    c.res = res;
    c.arena = req->arena;
    c.store = me->store;
    c.table = req->relation ? (store_table_t *)table_of(req->relation) : NULL;
    c.fs = me->fs;
    c.views = me->views;
    c.rels = &me->rels;
    c.q = *req->query;
    c.prefer = *req->prefer;
    c.accept = *req->accept;
    if (req->payload)
        c.body = *req->payload;
    c.role = req->role;
    c.claims = req->claims;
    c.tx_rollback = req->tx_rollback;
    c.env.now_us = req->now_us;
    c.env.auth_uid = req->auth_uid;
    c.plan.table = c.table;
    c.plan.index_col = -1;
    /* One statement, bounded as Postgres bounds it: the role's timeout, here
     * in work steps so that the loop is never held for long (work.h). */
    mock_work_init(&c.work, mock_work_steps_for_timeout_ms(statement_timeout_ms(req->role)));
    c.plan.work = &c.work;
    c.sec = me->sec;
    /* Data representations' functions run in the request's statement, as
     * the role, within its work. */
    mem_call_env_t call = {
        .fs = me->fs,
        .store = c.store,
        .sec = me->sec,
        .role = c.role,
        .claims = c.claims,
        .store_env = &c.env,
        .work = &c.work,
        .read_only = req->op == ENGINE_READ,
    };
    c.plan.datarep = me->datarep;
    c.plan.call = &call;
    rest_computed_t computed;
    rest_computed_init(&computed, &c);
    c.computed = &computed.hooks;
    c.plan.computed = c.computed;
    /* search_path for the transaction: the request's schema, then
     * db-extra-search-path (functions' statements resolve names on it). */
    store_set_request_schema(me->store, c.table ? store_table_schema(c.table)
                                        : req->call && req->call->routine
                                            ? req->call->routine->schema
                                            : NULL);
    c.x = res->explain;
    if (c.x) {
        static const uint8_t commands[] = {
            [ENGINE_READ] = MOCK_EXPLAIN_SELECT,   [ENGINE_INSERT] = MOCK_EXPLAIN_INSERT,
            [ENGINE_UPDATE] = MOCK_EXPLAIN_UPDATE, [ENGINE_UPSERT] = MOCK_EXPLAIN_INSERT,
            [ENGINE_DELETE] = MOCK_EXPLAIN_DELETE,
        };
        c.x->command = req->op <= ENGINE_DELETE ? commands[req->op] : MOCK_EXPLAIN_SELECT;
    }
    /* Views' rows of the previous request are released; this one computes
     * its own when it reads them. */
    store_derived_release(me->store);
    if (c.table)
        rest_security_begin(&c); /* RLS for this role; sets env.hide_row_details */
    /* Prefer: timezone= (validated against timezone_valid): SET LOCAL
     * timezone for the statement, which timestamptz output follows. */
    pgtz_begin(req->prefer ? req->prefer->timezone : NULL);
    int rc = 0;
    if (c.table && c.rls) {
        /* The rewriter expands the policies before anything runs; a write
         * that returns or filters rows reads SELECT's as well. */
        security_command_t cmd = req->op == ENGINE_INSERT   ? SECURITY_CMD_INSERT
                                 : req->op == ENGINE_UPDATE ? SECURITY_CMD_UPDATE
                                 : req->op == ENGINE_UPSERT ? SECURITY_CMD_INSERT
                                 : req->op == ENGINE_DELETE ? SECURITY_CMD_DELETE
                                                            : SECURITY_CMD_SELECT;
        rc = security_check_recursion(c.sec, c.table, cmd, c.role, err);
        if (rc == 0 && cmd != SECURITY_CMD_SELECT)
            rc = security_check_recursion(c.sec, c.table, SECURITY_CMD_SELECT, c.role, err);
        if (rc == 0 && req->op == ENGINE_UPSERT)
            rc = security_check_recursion(c.sec, c.table, SECURITY_CMD_UPDATE, c.role, err);
    }
    switch (rc < 0 ? -1 : (int)req->op) {
    case -1:
        break;
    case ENGINE_READ:
        rc = do_read(&c, err);
        break;
    case ENGINE_INSERT:
        rc = rest_insert(&c, err);
        break;
    case ENGINE_UPDATE:
        rc = rest_update(&c, err);
        break;
    case ENGINE_UPSERT:
        rc = rest_put(&c, err);
        break;
    case ENGINE_DELETE:
        rc = rest_delete(&c, err);
        break;
    case ENGINE_CALL:
        rc = mem_call_execute(&c, me->fs, err);
        break;
    default:
        rc = pgrst_error_setf(err, "PGRST127", "Feature not implemented");
        break;
    }
    pgtz_end();
    store_set_request_schema(me->store, NULL);
    rest_embed_dispose(&c);
    rest_plan_dispose(&c.plan);
    rest_computed_dispose(&computed);
    done(arg, rc);
}

static void memory_free(engine_t *e)
{
    mem_datarep_free(from(e)->datarep);
    arena_free(from(e)->rels_arena);
    free(from(e));
}

static const engine_ops_t memory_ops = {
    .name = "memory",
    .find_relation = find_relation,
    .relation_names = relation_names,
    .relation_name = relation_name,
    .column_count = column_count,
    .column = column,
    .relationships = relationships,
    .relation_accessible = relation_accessible,
    .relation_writable = relation_writable,
    .timezone_valid = timezone_valid,
    .routines = routines,
    .routine_names = routine_names,
    .openapi_routines = openapi_routines,
    .execute = execute,
    .reload = reload,
    .free = memory_free,
};

engine_t *memory_engine_new(store_t *store, security_t *sec, const scenario_t *sc, mem_funcs_t *fs,
                            mem_views_t *views)
{
    memory_engine_t *me = xcalloc(1, sizeof *me);
    me->base.ops = &memory_ops;
    me->store = store;
    me->sec = sec;
    me->sc = sc;
    me->fs = fs;
    me->datarep = mem_datarep_new(sc, fs, store);
    me->views = views;
    me->rels_arena = arena_new();
    mem_rels_all(store, me->rels_arena, &me->rels);
    return &me->base;
}
