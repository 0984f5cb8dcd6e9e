/* Which statements of a project's SQL run as the cluster's superuser.
 *
 * Migrations run as `postgres`, which on this cluster is neither a superuser
 * nor CREATEROLE: on PostgreSQL 15 a CREATEROLE role may grant itself
 * pg_execute_server_program and then run programs as the server's OS user
 * (`COPY ... TO PROGRAM`), so a hostile migration or scenario file could
 * reach the developer's machine. Supabase closes the same hole with the
 * supautils extension, which lets `postgres` create extensions and roles but
 * never hand out superuser power. The gate does supautils' job on the
 * statement's parse tree (Postgres's own grammar, so it sees what the server
 * will run, comments and quoting included):
 *   - CREATE EXTENSION;
 *   - ALTER ROLE ... SET pgrst.* (PostgREST's in-database configuration;
 *     a setting the server does not know needs a superuser);
 *   - CREATE ROLE/USER, ALTER ROLE, DROP ROLE, GRANT/REVOKE role, when no
 *     role involved is privileged and no SUPERUSER, CREATEROLE, REPLICATION
 *     or BYPASSRLS attribute is asked for
 * run as the superuser; everything else runs as `postgres`, where Postgres
 * itself refuses what a non-superuser may not do. Role statements built at
 * run time (EXECUTE in a DO block or a function) stay on `postgres` and fail:
 * README says so. */
#ifndef MOCK_PG_GATE_H
#define MOCK_PG_GATE_H

#include <stdbool.h>

/* Is the role named `name` privileged: a superuser, CREATEROLE, or one of
 * Postgres's predefined pg_* roles? The caller answers from the catalog; a
 * role that does not exist is not privileged (the statement then fails on
 * its own). */
typedef bool (*pg_gate_privileged_fn)(void *arg, const char *name);

/* True when the one statement in `stmt` (NUL-terminated) may run as the
 * superuser. Text that does not parse, or holds more or less than one
 * statement, is not admitted. */
bool pg_gate_admits(const char *stmt, pg_gate_privileged_fn privileged, void *arg);

#endif
