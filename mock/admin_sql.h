/* POST /__mock/sql (SPEC §7): the statements the Supabase SQL editor is used
 * for when fixing these bugs, parsed as Postgres does and applied to the live
 * model: NOTIFY pgrst, 'reload schema'; CREATE POLICY; DROP POLICY [IF
 * EXISTS]; ALTER TABLE ... ENABLE|DISABLE ROW LEVEL SECURITY; GRANT/REVOKE;
 * SELECT * FROM pg_policies WHERE tablename = '...'. */
#ifndef MOCK_ADMIN_SQL_H
#define MOCK_ADMIN_SQL_H

#include "instance.h"
#include "message.h"

/* Executes `sql` (one or more statements separated by ';') against inst and
 * writes the admin answer into resp: 200 with a JSON result, or 400
 * {"error": "..."} naming the Postgres error (or what is supported). */
void admin_sql_execute(instance_t *inst, const char *sql, mock_response_t *resp);

#endif
