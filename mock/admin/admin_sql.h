/* POST /__mock/sql on the memory engine: the statements the Supabase SQL
 * editor is used for when fixing these bugs, parsed by Postgres's grammar and
 * applied to the live model: NOTIFY pgrst, 'reload schema'; CREATE POLICY;
 * DROP POLICY [IF EXISTS]; ALTER TABLE ... ENABLE|DISABLE ROW LEVEL SECURITY;
 * GRANT/REVOKE; SELECT ... FROM pg_policies; and SELECT, INSERT, UPDATE,
 * DELETE run by the executor (sql_exec.h) as the superuser. */
#ifndef MOCK_ADMIN_SQL_H
#define MOCK_ADMIN_SQL_H

#include "message.h"
#include "scenario.h"
#include "security.h"
#include "store.h"

#include <stdint.h>

/* Executes `sql` (one or more statements separated by ';') against the
 * instance's store and security model (sc is its scenario) and writes the
 * admin answer into resp: 200 with a JSON result, or 400 {"error": "..."}
 * naming the Postgres error (or what is supported). NOTIFY pgrst, 'reload
 * schema' calls schema_reload(arg). now_us is now() (the scenario clock). */
void admin_sql_execute(store_t *store, security_t *sec, const scenario_t *sc,
                       void (*schema_reload)(void *arg), void *arg, int64_t now_us, const char *sql,
                       mock_response_t *resp);

#endif
