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
#include "mem_func.h"

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
        const engine_routine_t *const *rs = NULL;
        size_t nr = mem_funcs_routines(rc->c->fs, path[s], name, &rs);
        for (size_t i = 0; i < nr; i++) {
            const mem_func_t *f = mem_func_of(rs[i]);
            if (!takes_row_of(f, row))
                continue;
            if (f->kind != MEM_RET_SCALAR || f->returns_set)
                return pgrst_error_setf(err, "0A000",
                                        "supamock: %s.%s returns %s: as a column of %s it is not "
                                        "run by the memory engine (runs on --db postgres)",
                                        f->routine.schema, f->routine.name,
                                        f->returns_set ? "a set" : "a row", store_table_name(row));
            /* ExecCheckPermissions at the executor's start. */
            if (!mem_func_may_execute(f, rc->c->role))
                return pgrst_error_setf(err, "42501", "permission denied for function %s",
                                        f->routine.name);
            *fn = f;
            *type = f->ret_type;
            type->serial = false;
            return 1;
        }
    }
    return 0;
}

static void value(void *ctx, const void *fn, const store_table_t *t, const store_row_t *row,
                  pgvalue_t *out)
{
    rest_computed_t *rc = ctx;
    rest_ctx_t *c = rc->c;
    const mem_func_t *f = fn;
    pgvalue_init_null(out);
    if (mock_work_stopped(&c->work))
        return;
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
    sql_result_t r;
    pgrst_error_t err;
    pgrst_error_init(&err);
    if (mem_func_call(f, &arg, NULL, &env, &r, &err) < 0) {
        /* The function's error is the statement's: kept in the request's
         * arena for rest_plan_work_error. */
        mock_work_fail(&c->work, arena_strdup(c->arena, err.code),
                       arena_strdup(c->arena, err.message ? err.message : ""));
        pgrst_error_dispose(&err);
        return;
    }
    pgrst_error_dispose(&err);
    if (r.nrows && r.ncols) {
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
