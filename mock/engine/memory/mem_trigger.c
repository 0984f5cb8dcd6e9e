/* Row triggers on the memory engine (mem_trigger.h), as Postgres's
 * trigger.c fires them: per row, BEFORE ones in name order (each sees the
 * NEW the previous returned; one returning NULL skips the row and the
 * rest), AFTER ones in name order once the row is written; WHEN evaluated
 * on OLD/NEW first. */
#include "mem_trigger.h"

#include "log.h"
#include "sql_parse.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static int by_name(const void *a, const void *b)
{
    const mem_trigger_t *x = a, *y = b;
    return strcmp(x->def->name, y->def->name);
}

void mem_triggers_build(mem_triggers_t *out, const scenario_t *sc, store_t *store,
                        const mem_funcs_t *fs, bool note)
{
    memset(out, 0, sizeof *out);
    out->items = xcalloc(sc->trigger_count ? sc->trigger_count : 1, sizeof *out->items);
    for (size_t i = 0; i < sc->trigger_count; i++) {
        const scenario_trigger_t *d = &sc->triggers[i];
        const char *why = NULL;
        store_table_t *t = store_find_table(store, d->table_schema, d->table_name);
        const mem_func_t *f =
            mem_funcs_find(fs, d->func_schema ? d->func_schema : "public", d->func_name);
        cJSON *tree = NULL;
        const cJSON *when = NULL;
        if (!t)
            why = "its table is not run by the memory engine";
        else if (!f)
            why = "its function is not run by the memory engine";
        else if (f->kind != MEM_RET_TRIGGER)
            why = "its function does not return trigger";
        if (!why) {
            sql_script_t s;
            sql_error_t perr;
            if (sql_parse_script(d->source, &s, &perr) == 0 && s.count == 1) {
                when = get(s.stmts[0].node, "whenClause");
                tree = s.tree;
                s.tree = NULL;
                sql_script_dispose(&s);
            } else {
                if (s.tree)
                    sql_script_dispose(&s);
                why = "its statement does not parse again";
            }
        }
        if (why) {
            if (note)
                log_msg(LOG_WARN,
                        "%s:%d:%d: note: create trigger %s: %s: not run by the memory engine "
                        "(runs on --db postgres)",
                        d->pos.file ? d->pos.file : "", d->pos.line, d->pos.col, d->name, why);
            continue;
        }
        out->items[out->count++] = (mem_trigger_t){d, t, f, tree, when};
    }
    qsort(out->items, out->count, sizeof *out->items, by_name);
}

void mem_triggers_dispose(mem_triggers_t *ts)
{
    for (size_t i = 0; i < ts->count; i++)
        cJSON_Delete(ts->items[i].tree);
    free(ts->items);
    memset(ts, 0, sizeof *ts);
}

bool mem_triggers_any(const mem_funcs_t *fs, const store_table_t *t)
{
    const mem_triggers_t *ts = fs ? mem_funcs_triggers(fs) : NULL;
    for (size_t i = 0; ts && i < ts->count; i++)
        if (ts->items[i].table == t)
            return true;
    return false;
}

/* ---- WHEN: NEW and OLD in scope ---- */

typedef struct when_scope {
    const store_table_t *t;
    const pgvalue_t *new_row, *old_row;
} when_scope_t;

static int when_resolve(const void *ctx, const sql_name_t *name, int *slot, pgtype_t *type,
                        pgrst_error_t *err)
{
    const when_scope_t *w = ctx;
    if (name->param || name->nparts != 2)
        return 0;
    bool is_new = strcmp(name->parts[0], "new") == 0;
    if (!is_new && strcmp(name->parts[0], "old") != 0)
        return 0;
    int c = store_table_find_column(w->t, name->parts[1]);
    if (c < 0) {
        pgrst_error_setf(err, "42703", "column %s.%s does not exist", name->parts[0],
                         name->parts[1]);
        return -1;
    }
    *slot = (is_new ? 0 : 0x10000) | c;
    *type = store_table_column(w->t, (size_t)c)->type;
    return 1;
}

static int when_value(const void *ctx, int slot, const pgvalue_t **out, pgrst_error_t *err)
{
    const when_scope_t *w = ctx;
    const pgvalue_t *row = slot & 0x10000 ? w->old_row : w->new_row;
    static pgvalue_t null = {.is_null = true};
    (void)err;
    *out = row ? &row[slot & 0xffff] : &null;
    return 0;
}

static int when_holds(const mem_trigger_t *tr, const mem_call_env_t *env, const pgvalue_t *old_row,
                      const pgvalue_t *new_row, bool *holds, pgrst_error_t *err)
{
    *holds = true;
    if (!tr->when)
        return 0;
    when_scope_t w = {tr->table, new_row, old_row};
    sql_scope_t scope = {&w, SQL_CONFLICT_USE_VARIABLE, when_resolve, when_value};
    sql_exec_env_t xe;
    sql_row_hook_t hook;
    mem_call_env_t he = *env;
    mem_func_exec_env(NULL, env, &scope, &xe, &hook, &he);
    sql_exec_error_t xerr;
    sql_exec_error_init(&xerr);
    sql_xplan_t *x = NULL;
    policy_truth_t truth = POLICY_FALSE;
    int rc =
        sql_expr_prepare_bool(env->store, tr->when, tr->def->source, &scope, "WHEN", &x, &xerr);
    if (rc == 0)
        rc = sql_expr_eval_bool(x, &xe, &truth, &xerr);
    if (rc < 0)
        pgrst_error_move(err, &xerr.e);
    sql_xplan_free(x);
    sql_exec_error_dispose(&xerr);
    *holds = truth == POLICY_TRUE;
    return rc;
}

/* ---- firing ---- */

static const char *const ops[] = {
    [SQL_ROW_INSERT] = "INSERT", [SQL_ROW_UPDATE] = "UPDATE", [SQL_ROW_DELETE] = "DELETE"};

static unsigned event_bit(sql_row_event_t ev)
{
    return ev == SQL_ROW_INSERT   ? SCENARIO_TRIGGER_INSERT
           : ev == SQL_ROW_UPDATE ? SCENARIO_TRIGGER_UPDATE
                                  : SCENARIO_TRIGGER_DELETE;
}

int mem_triggers_fire(const mem_call_env_t *env, store_table_t *t, bool before, sql_row_event_t ev,
                      const pgvalue_t *old_row, pgvalue_t *new_row, bool *skip, pgrst_error_t *err)
{
    if (skip)
        *skip = false;
    const mem_triggers_t *ts = env->fs ? mem_funcs_triggers(env->fs) : NULL;
    size_t ncols = store_table_column_count(t);
    for (size_t i = 0; ts && i < ts->count; i++) {
        const mem_trigger_t *tr = &ts->items[i];
        if (tr->table != t || tr->def->before != before || !(tr->def->events & event_bit(ev)))
            continue;
        bool holds;
        if (when_holds(tr, env, old_row, new_row, &holds, err) < 0)
            return -1;
        if (!holds)
            continue;
        mem_trigger_call_t tc = {
            .table = t,
            .name = tr->def->name,
            .when = before ? "BEFORE" : "AFTER",
            .op = ops[ev],
            .new_row = ev == SQL_ROW_DELETE ? NULL : new_row,
            .old_row = ev == SQL_ROW_INSERT ? NULL : old_row,
        };
        int rc = mem_func_trigger(tr->func, &tc, env, err);
        if (rc == 0 && before) {
            if (tc.returned_null) {
                if (skip)
                    *skip = true;
            } else if (tc.returned && new_row) {
                for (size_t c = 0; c < ncols; c++) {
                    pgvalue_dispose(&new_row[c]);
                    new_row[c] = tc.returned[c];
                    pgvalue_init_null(&tc.returned[c]);
                }
            }
        }
        if (tc.returned) {
            for (size_t c = 0; c < ncols; c++)
                pgvalue_dispose(&tc.returned[c]);
            free(tc.returned);
        }
        if (rc < 0)
            return -1;
        if (skip && *skip)
            return 0;
    }
    return 0;
}
