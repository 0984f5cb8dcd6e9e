/* Row triggers of the memory engine: the scenario's CREATE TRIGGER ... FOR
 * EACH ROW, bound to their tables and PL/pgSQL functions, fired from every
 * write path: the executor's row hook (statements of functions and
 * /__mock/sql), the REST path (rest_write.c) and GoTrue's mirror of
 * auth.users (gotrue.c). */
#ifndef MOCK_MEM_TRIGGER_H
#define MOCK_MEM_TRIGGER_H

#include "mem_func.h"

typedef struct mem_trigger {
    const scenario_trigger_t *def;
    store_table_t *table;
    const mem_func_t *func;
    cJSON *tree;       /* the statement re-read (owned) */
    const cJSON *when; /* its WHEN expression, NULL when none */
} mem_trigger_t;

typedef struct mem_triggers {
    mem_trigger_t *items; /* by name, as Postgres orders a table's triggers */
    size_t count;
} mem_triggers_t;

/* Binds sc's triggers to store's tables and fs's functions; those that
 * cannot be bound are logged (note) and left out. */
void mem_triggers_build(mem_triggers_t *out, const scenario_t *sc, store_t *store,
                        const mem_funcs_t *fs, bool note);
void mem_triggers_dispose(mem_triggers_t *ts);

/* The catalog's triggers (mem_func.c). */
const mem_triggers_t *mem_funcs_triggers(const mem_funcs_t *fs);

/* Has table t any trigger? */
bool mem_triggers_any(const mem_funcs_t *fs, const store_table_t *t);

/* Fires t's row triggers of one timing for one row, in env (env->fs holds
 * them). BEFORE: new_row may be replaced in place (column_count values);
 * *skip set when a trigger returned NULL. AFTER: skip may be NULL. Returns
 * 0 or -1 with err (the statement fails and the caller rolls back). */
int mem_triggers_fire(const mem_call_env_t *env, store_table_t *t, bool before, sql_row_event_t ev,
                      const pgvalue_t *old_row, pgvalue_t *new_row, bool *skip, pgrst_error_t *err);

#endif
