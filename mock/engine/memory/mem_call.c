/* ENGINE_CALL on the memory engine: /rest/v1/rpc/NAME as PostgREST's
 * callPlanToQuery runs it (Query/QueryBuilder.hs): the arguments converted
 * as json_to_record / the parameters' input functions would, the call in
 * the request's transaction (its errors roll its writes back), then the
 * read over the result (`FROM fn(...) pgrst_call` with the request's
 * select, filters, order and range) aggregated as asJsonF/asJsonSingleF
 * does: a scalar as its JSON value, a single composite as an object, a set
 * as an array.
 *
 * The result rows of a set or composite are put in a temporary store's
 * table named pgrst_call so that the read reuses rest_plan.c (filters,
 * order, select) and rest_render_rows; the temporary store lives for the
 * call only. */
#include "mem_call.h"

#include "prng.h"
#include "relationships.h"
#include "rest_computed.h"
#include "rest_embed.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

/* The input parameter index (among inputs) of a routine parameter. */
static size_t input_index(const mem_func_t *f, const engine_routine_param_t *p)
{
    return (size_t)(p - f->routine.params);
}

/* A text argument into a parameter's type; VARIADIC ones are arrays of
 * their values. */
static int from_text(const mem_param_t *p, const engine_call_arg_t *arg, pgvalue_t *out,
                     pgrst_error_t *err)
{
    if (p->mode == SCENARIO_ARG_VARIADIC || (arg->variadic && p->type.is_array)) {
        pgtype_t elem = p->type;
        elem.is_array = false;
        pgvalue_init_null(out);
        out->is_null = false;
        out->elems = xcalloc(arg->value_count ? arg->value_count : 1, sizeof *out->elems);
        for (size_t i = 0; i < arg->value_count; i++) {
            if (pgvalue_from_text(&elem, arg->values[i], strlen(arg->values[i]), &out->elems[i],
                                  err) < 0)
                return -1;
            out->nelems++;
        }
        return 0;
    }
    const char *v = arg->value_count ? arg->values[arg->value_count - 1] : "";
    return pgvalue_from_text(&p->type, v, strlen(v), out, err);
}

/* The call's argument values (input parameters in order) and which were
 * given. */
static int arguments(const mem_func_t *f, const engine_call_t *call, pgvalue_t *args, bool *given,
                     pgrst_error_t *err)
{
    size_t n = f->input_count;
    const mem_param_t **inputs = xcalloc(n ? n : 1, sizeof *inputs);
    for (size_t i = 0, k = 0; i < f->param_count; i++)
        if (f->params[i].mode == SCENARIO_ARG_IN || f->params[i].mode == SCENARIO_ARG_INOUT ||
            f->params[i].mode == SCENARIO_ARG_VARIADIC)
            inputs[k++] = &f->params[i];
    int rc = 0;
    if (call->positional) {
        /* The single unnamed parameter takes the whole body (or the query
         * string's arguments as a JSON object). */
        const char *text = call->json ? call->json : "";
        size_t len = call->json ? call->json_len : 0;
        char *owned = NULL;
        if (!call->json_args) {
            cJSON *o = cJSON_CreateObject();
            for (size_t i = 0; i < call->arg_count; i++) {
                const engine_call_arg_t *a = &call->args[i];
                cJSON_AddStringToObject(o, a->name,
                                        a->value_count ? a->values[a->value_count - 1] : "");
            }
            owned = cJSON_PrintUnformatted(o);
            cJSON_Delete(o);
            text = owned;
            len = strlen(owned);
        }
        if (n && inputs[0]->type.kind == PGTYPE_BYTEA && !inputs[0]->type.is_array) {
            /* The raw body's bytes as bytea (callPlanToQuery sends them as
             * such): through bytea's hex input. */
            static const char hex[] = "0123456789abcdef";
            char *h = xmalloc(2 * len + 3);
            h[0] = '\\';
            h[1] = 'x';
            for (size_t i = 0; i < len; i++) {
                h[2 + 2 * i] = hex[(unsigned char)text[i] >> 4];
                h[3 + 2 * i] = hex[(unsigned char)text[i] & 15];
            }
            h[2 + 2 * len] = '\0';
            rc = pgvalue_from_text(&inputs[0]->type, h, 2 + 2 * len, &args[0], err);
            free(h);
        } else if (n) {
            rc = pgvalue_from_text(&inputs[0]->type, text, len, &args[0], err);
        }
        if (n)
            given[0] = true;
        free(owned);
        free(inputs);
        return rc;
    }
    cJSON *body = NULL;
    const cJSON *obj = NULL;
    if (call->json_args && call->param_count) {
        body = cJSON_ParseWithLength(call->json ? call->json : "null",
                                     call->json ? call->json_len : 4);
        /* json_to_recordset of an array: its first row (LIMIT 1). */
        obj = cJSON_IsArray(body) ? body->child : body;
    }
    for (size_t i = 0; i < call->param_count && rc == 0; i++) {
        const engine_routine_param_t *p = call->params[i];
        size_t k = input_index(f, p);
        if (k >= n)
            continue;
        given[k] = true;
        if (call->json_args) {
            const cJSON *v = cJSON_IsObject(obj) ? get(obj, p->name) : NULL;
            if (!v) {
                pgvalue_init_null(&args[k]);
                continue;
            }
            rc = pgvalue_from_json(&inputs[k]->type, v, &args[k], err);
        } else {
            const engine_call_arg_t *a = NULL;
            for (size_t j = 0; j < call->arg_count; j++)
                if (strcmp(call->args[j].name, p->name) == 0)
                    a = &call->args[j];
            if (!a) {
                pgvalue_init_null(&args[k]);
                continue;
            }
            rc = from_text(inputs[k], a, &args[k], err);
        }
    }
    cJSON_Delete(body);
    free(inputs);
    return rc;
}

/* ---- the read over the result ---- */

static int render_scalar(rest_ctx_t *c, const sql_result_t *r, bool set, pgrst_error_t *err)
{
    buf_t *out = c->res->body;
    c->res->total = (long long)r->nrows;
    c->res->page_count = (long long)r->nrows;
    if (c->accept.media == PGRST_MEDIA_OBJECT && rest_check_singular(c, r->nrows, err) < 0)
        return -1;
    if (c->accept.media == PGRST_MEDIA_CSV) {
        buf_puts(out, r->names[0]);
        for (size_t i = 0; i < r->nrows; i++) {
            buf_putc(out, '\n');
            if (!r->values[i].is_null)
                pgvalue_render_text(&r->types[0], &r->values[i], out);
        }
        return 0;
    }
    if (set)
        buf_putc(out, '[');
    for (size_t i = 0; i < r->nrows; i++) {
        if (i)
            buf_puts(out, ", "); /* json_agg_transfn's separator for scalars */
        pgvalue_render_json(&r->types[0], &r->values[i], out);
    }
    if (set)
        buf_putc(out, ']');
    else if (r->nrows == 0)
        buf_puts(out, "null");
    return 0;
}

/* ---- the call's returned columns ---- */

typedef struct names {
    const char **v;
    size_t n, cap;
} names_t;

static void names_add(names_t *ns, arena_t *arena, const char *name)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i], name) == 0)
            return;
    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? 2 * ns->cap : 16;
        const char **v = arena_calloc(arena, cap, sizeof *v);
        if (ns->n)
            memcpy(v, ns->v, ns->n * sizeof *v);
        ns->v = v;
        ns->cap = cap;
    }
    ns->v[ns->n++] = name;
}

/* getFilterFieldNames: every filtered field, the embeds' too. */
static void filter_names(const pgrst_logic_t *l, size_t n, names_t *ns, arena_t *arena)
{
    for (size_t i = 0; i < n; i++) {
        if (l[i].kind == PGRST_LOGIC_FILTER)
            names_add(ns, arena, l[i].filter.field.name);
        else
            filter_names(l[i].children, l[i].child_count, ns, arena);
    }
}

/* callPlanToQuery's returnedColumns (funCReturning = inferColsEmbedNeeds,
 * funCFilterFields): the call projects the root's selected fields, the
 * root's columns of each embed's join and every filtered field, unless the
 * root selects * or embeds over a computed relationship (then every
 * column; also when the set is empty). The outer query reads only those:
 * a projected name that is neither a result column nor a computed field
 * of the row type fails in the call (42703 on pgrst_call), a root order
 * on any other column fails in the read over it (42703 on its alias).
 * Checked before the read is planned, as Postgres analyses the CTE first;
 * *names NULL: every column. */
static int call_projection(rest_ctx_t *k, const store_table_t *t, names_t *out, pgrst_error_t *err)
{
    names_t ns = {0};
    out->v = NULL;
    out->n = 0;
    const pgrst_query_t *q = &k->q;
    for (size_t i = 0; i < q->select_count; i++) {
        const pgrst_select_item_t *it = &q->select[i];
        /* count()'s field is "*" too; with aggregates off the plan fails
         * first (PGRST123, before any SQL). */
        if (it->star || strcmp(it->field.name, "*") == 0 ||
            (it->is_aggregate && !k->sc->db_aggregates_enabled))
            return 0;
        if (it->is_embed) {
            mem_rel_t *computed, rel;
            size_t nc = rest_computed_rels(k->computed, t, k->arena, &computed);
            const store_t *rs = k->store;
            const store_table_t *origin = rest_computed_origin(k->computed, t, &rs);
            pgrst_error_t ignored; /* the read's planning reports it */
            pgrst_error_init(&ignored);
            int found = mem_rel_find_with(rs, NULL, origin, computed, nc,
                                          it->embed_name ? it->embed_name : it->field.name,
                                          it->embed_hint, k->arena, &rel, &ignored);
            pgrst_error_dispose(&ignored);
            if (found < 0)
                continue;
            if (rel.fn)
                return 0;
            for (size_t c = 0; c < rel.ncols; c++)
                names_add(&ns, k->arena, store_table_column(origin, rel.cols[c])->name);
            continue;
        }
        names_add(&ns, k->arena, it->field.name);
    }
    filter_names(q->where, q->where_count, &ns, k->arena);
    if (!ns.n)
        return 0;
    for (size_t i = 0; i < ns.n; i++) {
        if (store_table_find_column(t, ns.v[i]) >= 0)
            continue;
        const void *fn;
        pgtype_t type;
        int r =
            k->computed ? k->computed->resolve(k->computed->ctx, t, ns.v[i], &fn, &type, err) : 0;
        if (r < 0)
            return -1;
        if (r == 0)
            return pgrst_error_setf(err, "42703", "column pgrst_call.%s does not exist", ns.v[i]);
    }
    *out = ns;
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An implicit cast from a to b (pg_cast's castcontext 'i', for the types a
 * row type's columns have): the same type, integers and numbers widening,
 * the string types to text/varchar. */
static bool implicit_cast(const pgtype_t *a, const pgtype_t *b)
{
    if (a->is_array != b->is_array)
        return false;
    if (a->kind == b->kind)
        return a->kind != PGTYPE_ENUM || a->enum_def == b->enum_def;
    static const pgtype_kind_t ladder[] = {PGTYPE_INT2,    PGTYPE_INT4,   PGTYPE_INT8,
                                           PGTYPE_NUMERIC, PGTYPE_FLOAT4, PGTYPE_FLOAT8};
    int ia = -1, ib = -1;
    for (int i = 0; i < 6; i++) {
        if (ladder[i] == a->kind)
            ia = i;
        if (ladder[i] == b->kind)
            ib = i;
    }
    if (ia >= 0 && ib >= 0)
        return ia < ib;
    return pgtype_kind_is_string(a->kind) && pgtype_kind_is_string(b->kind) &&
           b->kind != PGTYPE_CHAR;
}

/* The read over a projected call orders only by projected names; a
 * computed field of the row type there is called on the projected record
 * coerced to the row type (coerce_record_to_complex), which fails unless
 * the projection is the row type's columns. */
static int order_in_projection(rest_ctx_t *k, const store_table_t *t, const names_t *ns,
                               const store_table_t *rowtype, const char *alias, pgrst_error_t *err)
{
    if (!ns->v)
        return 0;
    for (size_t i = 0; i < k->q.order_count; i++) {
        const pgrst_order_term_t *o = &k->q.order[i];
        if (o->related || o->field.relation_len)
            continue;
        bool in = false;
        for (size_t j = 0; j < ns->n && !in; j++)
            in = strcmp(ns->v[j], o->field.name) == 0;
        if (in)
            continue;
        const void *fn;
        pgtype_t type;
        int r = rowtype && k->computed
                    ? k->computed->resolve(k->computed->ctx, t, o->field.name, &fn, &type, err)
                    : 0;
        if (r < 0)
            return -1;
        if (r == 0)
            return pgrst_error_setf(err, "42703", "column %s.%s does not exist", alias,
                                    o->field.name);
        /* The record's columns: the projection, sorted (a set's toList). */
        const char **cols = arena_calloc(k->arena, ns->n, sizeof *cols);
        memcpy(cols, ns->v, ns->n * sizeof *cols);
        qsort(cols, ns->n, sizeof *cols, cmp_name);
        size_t want = store_table_column_count(rowtype);
        for (size_t c = 0; c < want; c++) {
            if (c >= ns->n) {
                pgrst_error_setf(err, "42846", "cannot cast type record to %s", alias);
                pgrst_error_detailsf(err, "Input has too few columns.");
                return -1;
            }
            pgtype_t from;
            int col = store_table_find_column(t, cols[c]);
            if (col >= 0) {
                from = store_table_column(t, (size_t)col)->type;
            } else if (k->computed->resolve(k->computed->ctx, t, cols[c], &fn, &from, err) < 0) {
                return -1;
            }
            const pgtype_t *to = &store_table_column(rowtype, c)->type;
            if (!implicit_cast(&from, to)) {
                char a[96], b[96];
                pgrst_error_setf(err, "42846", "cannot cast type record to %s", alias);
                pgrst_error_detailsf(err, "Cannot cast type %s to %s in column %zu.",
                                     pgtype_name(&from, a, sizeof a), pgtype_name(to, b, sizeof b),
                                     c + 1);
                return -1;
            }
        }
        if (ns->n > want) {
            pgrst_error_setf(err, "42846", "cannot cast type record to %s", alias);
            pgrst_error_detailsf(err, "Input has too many columns.");
            return -1;
        }
    }
    return 0;
}

/* A set of rows or a composite: through pgrst_call. */
static int render_rows(rest_ctx_t *c, sql_result_t *r, bool set, pgrst_error_t *err)
{
    prng_t prng;
    prng_seed(&prng, 1);
    store_t *tmp = store_new(&prng);
    int rc = 0;
    /* Enum types the columns use, registered in the temporary store. */
    for (size_t i = 0; i < r->ncols && rc == 0; i++) {
        const pgtype_enum_t *e = r->types[i].enum_def;
        if (r->types[i].kind == PGTYPE_ENUM && e && !store_find_enum(tmp, e->name)) {
            char *error = NULL;
            rc = store_add_enum(tmp, e->name, (const char *const *)e->labels, e->label_count,
                                &error);
            free(error);
        }
    }
    store_column_spec_t *specs = xcalloc(r->ncols ? r->ncols : 1, sizeof *specs);
    char(*names)[128] = xcalloc(r->ncols ? r->ncols : 1, sizeof *names);
    for (size_t i = 0; i < r->ncols; i++) {
        pgtype_name(&r->types[i], names[i], sizeof names[i]);
        const char *tn = pgtype_name(&r->types[i], names[i], sizeof names[i]);
        if (tn != names[i])
            snprintf(names[i], sizeof names[i], "%s", tn);
        if (r->types[i].kind == PGTYPE_VARCHAR && r->types[i].length > 0 && !r->types[i].is_array)
            snprintf(names[i], sizeof names[i], "varchar(%d)", r->types[i].length);
        specs[i] = (store_column_spec_t){
            .name = r->names[i], .type = names[i], .nullable = true, .in_schema_cache = true};
    }
    char *error = NULL;
    int bad = -1;
    store_table_t *t =
        rc == 0 ? store_add_table(tmp, "pg_temp", "pgrst_call", specs, r->ncols, &error, &bad)
                : NULL;
    free(specs);
    free(names);
    if (!t) {
        pgrst_error_setf(err, "XX000", "the result of the function: %s", error ? error : "?");
        free(error);
        store_free(tmp);
        return -1;
    }
    store_begin(tmp);
    store_env_t env = c->env;
    for (size_t i = 0; i < r->nrows && rc == 0; i++) {
        pgvalue_t *row = xcalloc(r->ncols ? r->ncols : 1, sizeof *row);
        for (size_t k = 0; k < r->ncols; k++)
            pgvalue_copy(&row[k], &r->values[i * r->ncols + k]);
        rc = store_insert(tmp, t, row, &env, NULL, err);
        free(row);
    }
    /* The read: as memory_engine.c's, without privileges (the call's
     * result is no table of the role's). */
    rest_ctx_t rc2 = *c;
    rest_ctx_t *k = &rc2;
    k->store = tmp;
    k->table = t;
    k->embed = NULL;
    memset(&k->plan, 0, sizeof k->plan);
    k->plan.table = t;
    k->plan.index_col = -1;
    k->plan.work = &k->work;
    k->rls = false;
    k->x = NULL;
    /* Computed fields of the function's return table apply to pgrst_call
     * (its rows are of that row type); others are the instance's. */
    rest_computed_t computed;
    rest_computed_init(&computed, k);
    computed.store = c->store;
    computed.call_table = t;
    computed.call_rowtype = mem_func_of(c->ereq->call->routine)->rowtype;
    k->computed = &computed.hooks;
    k->plan.computed = k->computed;
    if (!set)
        k->accept.media =
            c->accept.media == PGRST_MEDIA_JSON ? PGRST_MEDIA_OBJECT : c->accept.media;
    const mem_func_t *fn = mem_func_of(c->ereq->call->routine);
    names_t projected = {0};
    const char *alias = fn->rowtype ? store_table_name(fn->rowtype) : fn->routine.name;
    if (rc == 0 && call_projection(k, t, &projected, err) < 0)
        rc = -1;
    if (rc == 0 && (rest_embed_plan(k, false, err) < 0 ||
                    rest_plan_where(&k->plan, k->arena, t, k->q.where, k->q.where_count, err) < 0 ||
                    order_in_projection(k, t, &projected, fn->rowtype, alias, err) < 0 ||
                    rest_plan_order(&k->plan, k->arena, k->q.order, k->q.order_count, err) < 0))
        rc = -1;
    store_row_t **rows = NULL;
    size_t total = 0;
    if (rc == 0) {
        total = rest_plan_collect(&k->plan, k->arena, &rows);
        rest_plan_sort(&k->plan, rows, total);
        if (rest_embed_error(k, err) < 0 || rest_plan_work_error(&k->plan, err) < 0)
            rc = -1;
    }
    if (rc == 0) {
        long long lower = k->ereq->offset;
        size_t first = lower >= 0 && (size_t)lower < total ? (size_t)lower : total;
        size_t last = total;
        if (k->ereq->limit >= 0 && lower >= 0 && (size_t)(lower + k->ereq->limit) < total)
            last = (size_t)(lower + k->ereq->limit);
        size_t count = last > first ? last - first : 0;
        c->res->total = (long long)total;
        c->res->page_count = (long long)count;
        if (!(k->prefer.count != PGRST_COUNT_UNSET && lower > (long long)total)) {
            if (!set && count == 0 && k->accept.media == PGRST_MEDIA_OBJECT &&
                c->accept.media == PGRST_MEDIA_JSON)
                buf_puts(c->res->body, "null"); /* json_agg of nothing ->0 */
            else
                rc = rest_render_rows(k, rows + first, count, err);
        }
    }
    rest_embed_dispose(k);
    rest_computed_dispose(&computed);
    rest_plan_dispose(&k->plan);
    store_rollback(tmp);
    store_free(tmp);
    return rc;
}

int mem_call_execute(rest_ctx_t *c, mem_funcs_t *fs, pgrst_error_t *err)
{
    const engine_call_t *call = c->ereq->call;
    const mem_func_t *f = mem_func_of(call->routine);
    /* ExecCheckPermissions for the function: 42501. */
    if (!mem_func_may_execute(f, c->role))
        return pgrst_error_setf(err, "42501", "permission denied for function %s", f->routine.name);
    size_t n = f->input_count;
    pgvalue_t *args = xcalloc(n ? n : 1, sizeof *args);
    bool *given = xcalloc(n ? n : 1, sizeof *given);
    for (size_t i = 0; i < n; i++)
        pgvalue_init_null(&args[i]);
    int rc = arguments(f, call, args, given, err);
    sql_result_t r;
    sql_result_init(&r);
    bool have = false;
    if (rc == 0) {
        mem_call_env_t env = {
            .fs = fs,
            .store = c->store,
            .sec = c->sec,
            .role = c->role,
            .superuser = false,
            .claims = c->claims,
            .store_env = &c->env,
            .work = &c->work,
            .read_only = call->read_only,
            .depth = 0,
        };
        store_begin(c->store);
        rc = mem_func_call(f, args, given, &env, &r, err);
        have = rc == 0;
        if (rc == 0)
            rc = store_end_statement(c->store, &c->env, err);
    }
    for (size_t i = 0; i < n; i++)
        pgvalue_dispose(&args[i]);
    free(args);
    free(given);
    if (rc == 0 && f->kind == MEM_RET_VOID) {
        c->res->total = 1;
        c->res->page_count = 1;
    } else if (rc == 0 && f->kind == MEM_RET_SCALAR) {
        rc = render_scalar(c, &r, f->returns_set, err);
    } else if (rc == 0) {
        rc = render_rows(c, &r, f->returns_set, err);
    }
    /* failExceedsMaxAffectedPref runs on calls too, inside the transaction. */
    if (rc == 0 && c->prefer.max_affected >= 0 && c->prefer.handling == PGRST_HANDLING_STRICT &&
        c->res->page_count > c->prefer.max_affected) {
        pgrst_error_setf(err, "PGRST124",
                         "Query result exceeds max-affected preference constraint");
        pgrst_error_detailsf(err, "The query affects %lld rows", c->res->page_count);
        rc = -1;
    }
    if (store_in_transaction(c->store)) {
        if (rc == 0 && !c->tx_rollback)
            store_commit(c->store);
        else
            store_rollback(c->store);
    }
    if (have)
        sql_result_dispose(&r);
    return rc;
}
