/* engine/postgres/pg_ddl.c: a JSON scenario as SQL text, without a server:
 * identifiers double-quoted and literals single-quoted as Postgres's
 * quote_ident/quote_literal would (standard_conforming_strings on), array
 * values as array literals, the two phases (in_schema_cache:false after the
 * engine's cache), foreign keys after the rows. test_pg_load.c runs the
 * result on PostgreSQL 15. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pg_ddl.h"
#include "scenario.h"

#include <stdlib.h>
#include <string.h>

static const char scenario_text[] =
    "{\"name\": \"ddl\", \"enums\": {\"mood\": [\"ok\", \"it's bad\"]},"
    " \"roles\": {\"auditor\": {\"bypass_rls\": false}},"
    " \"tables\": {"
    "  \"api.notes\": {\"columns\": ["
    "    {\"name\": \"id\", \"type\": \"bigint\", \"primary_key\": true, \"identity\": \"always\"},"
    "    {\"name\": \"body\", \"type\": \"text\", \"nullable\": false, \"default\": \"it's\"},"
    "    {\"name\": \"tags\", \"type\": \"text[]\"},"
    "    {\"name\": \"mood\", \"type\": \"mood\"},"
    "    {\"name\": \"late\", \"type\": \"integer\", \"in_schema_cache\": false}],"
    "   \"rls\": true, \"grants\": {\"auditor\": [\"select\"], \"anon\": []},"
    "   \"policies\": [{\"name\": \"only \\\"mine\\\"\", \"command\": \"select\","
    "     \"permissive\": false, \"roles\": [\"auditor\"], \"using\": \"body <> 'x'\"}],"
    "   \"rows\": [{\"body\": \"O'Hara\", \"tags\": [\"a\\\"b\", \"c,d\", null], \"mood\": "
    "\"it's bad\"}]},"
    "  \"children\": {\"columns\": ["
    "    {\"name\": \"id\", \"type\": \"uuid\", \"primary_key\": true, \"default\": "
    "\"gen_random_uuid()\"},"
    "    {\"name\": \"note\", \"type\": \"bigint\", \"references\": \"api.notes(id)\", "
    "\"on_delete\": \"cascade\"}]}}}";

static bool has(const pg_ddl_t *d, pg_ddl_phase_t phase, const char *sql)
{
    for (size_t i = 0; i < d->count; i++)
        if (d->stmts[i].phase == phase && strcmp(d->stmts[i].sql, sql) == 0)
            return true;
    return false;
}

static size_t index_of(const pg_ddl_t *d, const char *prefix)
{
    for (size_t i = 0; i < d->count; i++)
        if (strncmp(d->stmts[i].sql, prefix, strlen(prefix)) == 0)
            return i;
    fail_msg("no statement starts with %s", prefix);
    return 0;
}

static void dump(const pg_ddl_t *d)
{
    for (size_t i = 0; i < d->count; i++)
        print_message("%d %s\n", d->stmts[i].phase, d->stmts[i].sql);
}

static void test_quoting_and_phases(void **state)
{
    (void)state;
    scenario_t *sc = NULL;
    scenario_error_t err;
    if (scenario_load_text("ddl.json", scenario_text, strlen(scenario_text), &sc, &err) < 0)
        fail_msg("%d:%d: %s", err.line, err.col, err.message);
    pg_ddl_t d;
    memset(&d, 0, sizeof d);
    pg_ddl_build(sc, &d);
    if (getenv("DDL_DUMP"))
        dump(&d);
    assert_true(has(&d, PG_DDL_BEFORE, "CREATE TYPE public.\"mood\" AS ENUM ('ok', 'it''s bad')"));
    assert_true(has(&d, PG_DDL_BEFORE, "CREATE SCHEMA IF NOT EXISTS \"api\""));
    assert_true(
        has(&d, PG_DDL_BEFORE,
            "CREATE TABLE \"api\".\"notes\" (\"id\" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "
            "\"body\" text DEFAULT 'it''s'::text NOT NULL, \"tags\" text[], \"mood\" "
            "public.\"mood\", PRIMARY KEY (\"id\"))"));
    assert_true(has(&d, PG_DDL_AFTER, "ALTER TABLE \"api\".\"notes\" ADD COLUMN \"late\" integer"));
    assert_true(has(&d, PG_DDL_BEFORE,
                    "REVOKE ALL ON \"api\".\"notes\" FROM anon, authenticated, service_role"));
    assert_true(has(&d, PG_DDL_BEFORE, "GRANT SELECT ON \"api\".\"notes\" TO \"auditor\""));
    assert_true(has(&d, PG_DDL_BEFORE,
                    "CREATE POLICY \"only \"\"mine\"\"\" ON \"api\".\"notes\" AS RESTRICTIVE FOR "
                    "SELECT TO \"auditor\" USING (body <> 'x')"));
    /* The table has a late column, so its rows wait for phase AFTER. */
    assert_true(has(&d, PG_DDL_AFTER,
                    "INSERT INTO \"api\".\"notes\" (\"body\", \"tags\", \"mood\") VALUES "
                    "('O''Hara', '{\"a\\\"b\",\"c,d\",NULL}', 'it''s bad')"));
    /* The foreign key names itself as Postgres would, and comes after the rows. */
    size_t fk = index_of(&d, "ALTER TABLE \"public\".\"children\" ADD CONSTRAINT "
                             "\"children_note_fkey\" FOREIGN KEY (\"note\") REFERENCES "
                             "\"api\".\"notes\" (\"id\") ON DELETE CASCADE");
    assert_true(fk > index_of(&d, "INSERT INTO \"api\".\"notes\""));
    assert_true(has(&d, PG_DDL_BEFORE, "ALTER ROLE \"auditor\" NOBYPASSRLS"));
    pg_ddl_dispose(&d);
    scenario_free(sc);
}

static void test_quote_helpers(void **state)
{
    (void)state;
    char *q = pg_ddl_ident("a\"b");
    assert_string_equal(q, "\"a\"\"b\"");
    free(q);
    q = pg_ddl_literal("it's \\n");
    assert_string_equal(q, "'it''s \\n'"); /* backslashes are plain characters */
    free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting_and_phases),
        cmocka_unit_test(test_quote_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
