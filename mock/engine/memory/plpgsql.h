/* The PL/pgSQL subset of the memory engine: a function's body as
 * Postgres's own PL/pgSQL grammar reads it (sql_parse_plpgsql), checked
 * once when the catalog is built and interpreted per call; its expressions
 * and SQL statements run through the executor (sql_exec.h) with the
 * function's variables in scope. Internal to mem_func.c. */
#ifndef MOCK_PLPGSQL_H
#define MOCK_PLPGSQL_H

#include "mem_func.h"

/* Reads f's body (f->def->source). Returns 0 with *out (plpgsql_free), or
 * -1 with why: the construct the subset does not run, or the syntax error. */
int plpgsql_compile(const store_t *store, mem_func_t *f, void **out, char *why, size_t why_len);
void plpgsql_free(void *compiled); /* NULL is a no-op */

/* Runs f: args holds every parameter's value (OUT ones NULL); tc is the
 * trigger's call (NULL for a plain call). out: the result as
 * mem_func_shape_result shapes it. Returns 0 or -1 with err. */
int plpgsql_call(const mem_func_t *f, const pgvalue_t *args, const mem_call_env_t *env,
                 mem_trigger_call_t *tc, sql_result_t *out, pgrst_error_t *err);

/* RAISE's condition names (plerrcodes.h, from Postgres's errcodes.txt):
 * the SQLSTATE of a name, or NULL. */
const char *plpgsql_condition_sqlstate(const char *name);

#endif
