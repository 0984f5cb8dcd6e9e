/* Data representations (see mem_datarep.h). */
#include "mem_datarep.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* One column of a domain with a representation, in one direction. */
typedef struct rep {
    const char *schema, *table, *column; /* borrowed from the scenario */
    mem_datarep_dir_t dir;
    const mem_func_t *f;
    bool unknown_coerces; /* mem_datarep_unknown_is_coercion */
} rep_t;

struct mem_datarep {
    rep_t *reps;
    size_t count;
};

static bool same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The catalog's function a cast names: same schema, name and input types
 * (domains included: json(color) is not json(integer)). */
static const mem_func_t *cast_function(const mem_funcs_t *fs, const scenario_cast_t *c)
{
    const engine_routine_t *const *rs;
    size_t n = mem_funcs_routines(fs, c->func_schema, c->func_name, &rs);
    for (size_t i = 0; i < n; i++) {
        const mem_func_t *f = mem_func_of(rs[i]);
        const scenario_function_t *d = f->def;
        size_t k = 0;
        bool ok = true;
        for (size_t j = 0; ok && j < d->param_count; j++) {
            scenario_arg_mode_t m = d->params[j].mode;
            if (m != SCENARIO_ARG_IN && m != SCENARIO_ARG_INOUT && m != SCENARIO_ARG_VARIADIC)
                continue;
            ok = k < c->func_arg_count && strcmp(d->params[j].type, c->func_arg_types[k]) == 0 &&
                 same(d->params[j].domain, c->func_arg_domains[k]);
            k++;
        }
        if (ok && k == c->func_arg_count && f->kind == MEM_RET_SCALAR && !f->returns_set)
            return f;
    }
    return NULL;
}

/* The cast of `domain` in direction dir: (domain, json), (text, domain),
 * (json, domain), the last one created winning as pg_cast keeps one per
 * pair. */
static const scenario_cast_t *find_cast(const scenario_t *sc, const char *domain,
                                        mem_datarep_dir_t dir)
{
    const scenario_cast_t *hit = NULL;
    for (size_t i = 0; i < sc->cast_count; i++) {
        const scenario_cast_t *c = &sc->casts[i];
        if (c->context != 'i')
            continue;
        bool match =
            dir == MEM_DATAREP_TO_JSON
                ? c->source_domain && strcmp(c->source, domain) == 0 &&
                      strcmp(c->target, "json") == 0
                : c->target_domain && strcmp(c->target, domain) == 0 &&
                      strcmp(c->source, dir == MEM_DATAREP_FROM_TEXT ? "text" : "json") == 0;
        if (match)
            hit = c;
    }
    return hit;
}

mem_datarep_t *mem_datarep_new(const scenario_t *sc, const mem_funcs_t *fs)
{
    if (!fs || sc->cast_count == 0)
        return NULL;
    mem_datarep_t *dr = xcalloc(1, sizeof *dr);
    size_t cap = 0;
    for (size_t t = 0; t < sc->table_count; t++) {
        const scenario_table_t *tbl = &sc->tables[t];
        for (size_t c = 0; c < tbl->column_count; c++) {
            const scenario_column_t *col = &tbl->columns[c];
            if (!col->domain)
                continue;
            for (int dir = MEM_DATAREP_TO_JSON; dir <= MEM_DATAREP_FROM_JSON; dir++) {
                const scenario_cast_t *cast = find_cast(sc, col->domain, (mem_datarep_dir_t)dir);
                const mem_func_t *f = cast ? cast_function(fs, cast) : NULL;
                /* has_function_privilege(castfunc, 'execute') as the schema
                 * cache's role, the authenticator. */
                if (!f || !mem_func_may_execute(f, "authenticator"))
                    continue;
                if (dr->count == cap) {
                    cap = cap ? 2 * cap : 8;
                    dr->reps = xrealloc(dr->reps, cap * sizeof *dr->reps);
                }
                /* FuncNameAsType: the function's qualified name names the
                 * domain (domains are known by name alone here). */
                pgtype_t base;
                char *why = NULL;
                bool string_domain = pgtype_parse(col->type, NULL, 0, &base, &why) == 0 &&
                                     !base.is_array && pgtype_kind_is_string(base.kind);
                free(why);
                dr->reps[dr->count++] = (rep_t){
                    tbl->schema, tbl->name,
                    col->name,   (mem_datarep_dir_t)dir,
                    f,           strcmp(f->routine.name, col->domain) == 0 && string_domain};
            }
        }
    }
    if (dr->count == 0) {
        mem_datarep_free(dr);
        return NULL;
    }
    return dr;
}

void mem_datarep_free(mem_datarep_t *dr)
{
    if (!dr)
        return;
    free(dr->reps);
    free(dr);
}

static const rep_t *find(const mem_datarep_t *dr, const store_table_t *t, size_t col,
                         mem_datarep_dir_t dir)
{
    if (!dr || col >= store_table_column_count(t))
        return NULL;
    const char *schema = store_table_schema(t), *name = store_table_name(t);
    const char *column = store_table_column(t, col)->name;
    for (size_t i = 0; i < dr->count; i++) {
        const rep_t *r = &dr->reps[i];
        if (r->dir == dir && strcmp(r->column, column) == 0 && strcmp(r->table, name) == 0 &&
            strcmp(r->schema, schema) == 0)
            return r;
    }
    return NULL;
}

bool mem_datarep_unknown_is_coercion(const mem_datarep_t *dr, const store_table_t *t, size_t col,
                                     mem_datarep_dir_t dir)
{
    const rep_t *r = find(dr, t, col, dir);
    return r && r->unknown_coerces;
}

const mem_func_t *mem_datarep_find(const mem_datarep_t *dr, const store_table_t *t, size_t col,
                                   mem_datarep_dir_t dir)
{
    const rep_t *r = find(dr, t, col, dir);
    return r ? r->f : NULL;
}

int mem_datarep_apply(const mem_func_t *f, const pgvalue_t *in, const mem_call_env_t *env,
                      pgvalue_t *out, pgtype_t *out_type, pgrst_error_t *err)
{
    *out_type = f->ret_type;
    if (in->is_null && f->def->strict) {
        pgvalue_init_null(out);
        return 0;
    }
    sql_result_t r;
    sql_result_init(&r);
    if (mem_func_call(f, in, NULL, env, &r, err) < 0)
        return -1;
    if (r.nrows >= 1 && r.ncols >= 1)
        pgvalue_copy(out, &r.values[0]);
    else
        pgvalue_init_null(out);
    sql_result_dispose(&r);
    return 0;
}
