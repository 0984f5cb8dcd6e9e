/* Computed fields: see rest_computed.h.
 *
 * PostgREST writes a select, filter or order field as
 * `"schema"."table"."name"` whether or not it is a column; Postgres's
 * ParseFuncOrColumn then takes a name that is no column of the table as the
 * function call name(table): a function of exactly one argument of the
 * table's row type, looked up along the search path PostgREST set for the
 * transaction (the request's schema, then db-extra-search-path), the first
 * schema with a match winning. EXECUTE is checked as the executor does
 * (42501). The PostgREST docs call these "Computed Fields". */
#include "rest_computed.h"

#include "arena.h"
#include "buf.h"
#include "mem_func.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The single input parameter of f when it is of table t's row type. */
static bool takes_row_of(const mem_func_t *f, const store_table_t *t)
{
    if (f->input_count != 1)
        return false;
    for (size_t i = 0; i < f->param_count; i++) {
        const mem_param_t *p = &f->params[i];
        if (p->mode == SCENARIO_ARG_IN || p->mode == SCENARIO_ARG_INOUT ||
            p->mode == SCENARIO_ARG_VARIADIC)
            return p->rowtype == t && p->mode != SCENARIO_ARG_VARIADIC;
    }
    return false;
}

static int resolve(void *ctx, const store_table_t *t, const char *name, const void **fn,
                   pgtype_t *type, pgrst_error_t *err)
{
    rest_computed_t *rc = ctx;
    const store_table_t *row = t == rc->call_table ? rc->call_rowtype : t;
    if (!row || !rc->c->fs)
        return 0;
    const char *path[STORE_MAX_SEARCH_PATH];
    size_t n = store_search_path(rc->store, path, STORE_MAX_SEARCH_PATH);
    for (size_t s = 0; s < n; s++) {
        /* The whole catalog: a function of a row type with an unnamed
         * parameter is no route of PostgREST's, yet Postgres calls it. */
        size_t nf = mem_funcs_count(rc->c->fs);
        for (size_t i = 0; i < nf; i++) {
            const mem_func_t *f = mem_funcs_at(rc->c->fs, i);
            if (strcmp(f->routine.schema, path[s]) != 0 || strcmp(f->routine.name, name) != 0 ||
                !takes_row_of(f, row))
                continue;
            /* A set in the select list multiplies the rows (ProjectSet):
             * not modelled. */
            if ((f->kind != MEM_RET_SCALAR && f->kind != MEM_RET_ROW) || f->returns_set)
                return pgrst_error_setf(err, "0A000",
                                        "supamock: %s.%s returns %s: as a column of %s it is not "
                                        "run by the memory engine (runs on --db postgres)",
                                        f->routine.schema, f->routine.name,
                                        f->returns_set ? "a set" : "no value",
                                        store_table_name(row));
            /* ExecCheckPermissions at the executor's start. */
            if (!mem_func_may_execute(f, rc->c->role))
                return pgrst_error_setf(err, "42501", "permission denied for function %s",
                                        f->routine.name);
            *fn = f;
            if (f->kind == MEM_RET_ROW) {
                /* A composite: read as the json row_to_json makes of it,
                 * which is how the response renders it. */
                *type = (pgtype_t){.kind = PGTYPE_JSON, .length = -1};
                return 1;
            }
            *type = f->ret_type;
            type->serial = false;
            return 1;
        }
    }
    return 0;
}

/* f(row of t) in the request's environment into *r; -1 (r empty) when it
 * failed, the request's work stopped with its error. */
static int call_on_row(rest_computed_t *rc, const mem_func_t *f, const store_table_t *t,
                       const store_row_t *row, sql_result_t *r)
{
    rest_ctx_t *c = rc->c;
    sql_result_init(r);
    if (mock_work_stopped(&c->work))
        return -1;
    /* The row as the argument: its values borrowed (mem_func_call copies
     * its arguments). */
    pgvalue_t arg;
    pgvalue_init_null(&arg);
    arg.is_null = false;
    arg.elems = (pgvalue_t *)store_row_values(row);
    arg.nelems = store_table_column_count(t);
    bool read_only = c->ereq && (c->ereq->op == ENGINE_READ ||
                                 (c->ereq->op == ENGINE_CALL && c->ereq->call->read_only));
    mem_call_env_t env = {
        .fs = c->fs,
        .store = rc->store,
        .sec = c->sec,
        .role = c->role,
        .superuser = false,
        .claims = c->claims,
        .store_env = &c->env,
        .work = &c->work,
        .read_only = read_only,
        .depth = 0,
    };
    pgrst_error_t err;
    pgrst_error_init(&err);
    if (!mem_func_may_execute(f, c->role))
        pgrst_error_setf(&err, "42501", "permission denied for function %s", f->routine.name);
    if (err.code[0] || mem_func_call(f, &arg, NULL, &env, r, &err) < 0) {
        /* The function's error is the statement's: kept in the request's
         * arena for rest_plan_work_error. */
        mock_work_fail(&c->work, arena_strdup(c->arena, err.code),
                       arena_strdup(c->arena, err.message ? err.message : ""));
        pgrst_error_dispose(&err);
        sql_result_init(r);
        return -1;
    }
    pgrst_error_dispose(&err);
    return 0;
}

static void value(void *ctx, const void *fn, const store_table_t *t, const store_row_t *row,
                  pgvalue_t *out)
{
    rest_computed_t *rc = ctx;
    pgvalue_init_null(out);
    sql_result_t r;
    if (call_on_row(rc, fn, t, row, &r) < 0)
        return;
    const mem_func_t *f = fn;
    if (f->kind == MEM_RET_ROW && r.nrows) {
        /* A body without a row gives the NULL composite (which
         * mem_func_shape_result makes a row of NULLs). */
        bool all_null = true;
        for (size_t c = 0; c < r.ncols && all_null; c++)
            all_null = r.values[c].is_null;
        if (!all_null) {
            buf_t b;
            buf_init(&b);
            buf_putc(&b, '{');
            for (size_t c = 0; c < r.ncols; c++) {
                if (c)
                    buf_putc(&b, ',');
                buf_put_json_string(&b, r.names[c]);
                buf_putc(&b, ':');
                pgvalue_render_json(&r.types[c], &r.values[c], &b);
            }
            buf_putc(&b, '}');
            out->is_null = false;
            out->s = xstrdup(buf_cstr(&b));
            buf_dispose(&b);
        }
    } else if (r.nrows && r.ncols) {
        *out = r.values[0];
        pgvalue_init_null(&r.values[0]);
    }
    sql_result_dispose(&r);
}

void rest_computed_init(rest_computed_t *rc, rest_ctx_t *c)
{
    memset(rc, 0, sizeof *rc);
    rc->hooks = (rest_computed_hooks_t){.ctx = rc, .resolve = resolve, .value = value};
    rc->c = c;
    rc->store = c->store;
}

void rest_computed_dispose(rest_computed_t *rc)
{
    for (size_t i = 0; i < rc->nrows; i++)
        store_row_free_detached(rc->rows[i], rc->row_cols[i]);
    free(rc->rows);
    free(rc->row_cols);
    rc->rows = NULL;
    rc->row_cols = NULL;
    rc->nrows = rc->cap = 0;
}

/* The row type a table's rows have (a call's pgrst_call: its function's). */
static const store_table_t *row_type_of(const rest_computed_t *rc, const store_table_t *t)
{
    return t == rc->call_table ? rc->call_rowtype : t;
}

size_t rest_computed_rels(const rest_computed_hooks_t *h, const store_table_t *origin,
                          arena_t *arena, mem_rel_t **out)
{
    *out = NULL;
    if (!h)
        return 0;
    const rest_computed_t *rc = h->ctx;
    const store_table_t *row = row_type_of(rc, origin);
    size_t n = mem_funcs_count(rc->c->fs);
    if (!row || !n)
        return 0;
    mem_rel_t *rels = arena_calloc(arena, n, sizeof *rels);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const mem_func_t *f = mem_funcs_at(rc->c->fs, i);
        /* pronargs = 1 of a relation's row type, returning a relation's:
         * removeInternal keeps those whose foreign table is exposed (the
         * request's schema, origin's). */
        if (!takes_row_of(f, row) || f->kind != MEM_RET_ROW || !f->rowtype ||
            !store_table_in_schema_cache(f->rowtype) ||
            strcmp(store_table_schema(f->rowtype), store_table_schema(row)) != 0)
            continue;
        rels[k++] = (mem_rel_t){
            .table = origin,
            .ftable = f->rowtype,
            .is_self = f->rowtype == row,
            .card = !f->returns_set || f->rows_one ? MEM_M2O : MEM_O2M,
            .cons = f->routine.name,
            .fn = f,
        };
    }
    *out = rels;
    return k;
}

size_t rest_computed_rel_rows(const rest_computed_hooks_t *h, const mem_rel_t *r,
                              const store_row_t *parent, store_row_t ***rows)
{
    *rows = NULL;
    if (!h || !r->fn)
        return 0;
    rest_computed_t *rc = h->ctx;
    const mem_func_t *f = r->fn;
    sql_result_t res;
    if (call_on_row(rc, f, r->table, parent, &res) < 0)
        return 0;
    /* A non-set function's NULL result is one row of NULLs in FROM
     * (ExecMakeTableFunctionResult), as mem_func_shape_result gives it. */
    size_t ncols = store_table_column_count(r->ftable);
    size_t n = 0;
    if (rc->nrows + res.nrows > REST_COMPUTED_MAX_ROWS) {
        /* The rows stay until the response is rendered: bounded. */
        rest_ctx_t *c = rc->c;
        mock_work_fail(&c->work, "54000",
                       arena_sprintf(c->arena,
                                     "supamock: the computed relationships of one request "
                                     "return at most %d rows on the memory engine",
                                     REST_COMPUTED_MAX_ROWS));
        sql_result_dispose(&res);
        return 0;
    }
    if (res.ncols == ncols && res.nrows) {
        *rows = xcalloc(res.nrows, sizeof **rows);
        for (size_t i = 0; i < res.nrows; i++) {
            pgvalue_t *v = &res.values[i * res.ncols];
            if (rc->nrows == rc->cap) {
                rc->cap = rc->cap ? 2 * rc->cap : 16;
                rc->rows = xrealloc(rc->rows, rc->cap * sizeof *rc->rows);
                rc->row_cols = xrealloc(rc->row_cols, rc->cap * sizeof *rc->row_cols);
            }
            store_row_t *row = store_row_new_detached(v, ncols);
            rc->rows[rc->nrows] = row;
            rc->row_cols[rc->nrows++] = ncols;
            (*rows)[n++] = row;
        }
    }
    sql_result_dispose(&res);
    return n;
}

const store_table_t *rest_computed_origin(const rest_computed_hooks_t *h, const store_table_t *t,
                                          const store_t **store)
{
    if (!h)
        return t;
    const rest_computed_t *rc = h->ctx;
    if (t != rc->call_table || !rc->call_rowtype)
        return t;
    *store = rc->store;
    return rc->call_rowtype;
}
