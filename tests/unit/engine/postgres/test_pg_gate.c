/* engine/postgres/pg_gate.c: which statements of a project's SQL run as the
 * superuser. The privileged roles of the tests stand for the catalog:
 * supabase_admin (a superuser), and the predefined pg_* roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pg_gate.h"

#include <stdbool.h>
#include <string.h>

static bool privileged(void *arg, const char *name)
{
    (void)arg;
    return strncmp(name, "pg_", 3) == 0 || strcmp(name, "supabase_admin") == 0;
}

static bool admits(const char *sql)
{
    return pg_gate_admits(sql, privileged, NULL);
}

static void test_extensions_and_pgrst_settings(void **state)
{
    (void)state;
    assert_true(admits("create extension if not exists pgcrypto with schema extensions cascade"));
    assert_true(admits("alter role authenticator set pgrst.db_aggregates_enabled = 'true'"));
    assert_true(admits("ALTER ROLE authenticator IN DATABASE postgres SET \"pgrst.db_schemas\" TO "
                       "'public, api'"));
    assert_true(admits("alter role anon reset pgrst.x"));
    /* Other settings stay with postgres, whatever a comment says. */
    assert_false(admits("alter role postgres set session_preload_libraries = 'x'"));
    assert_false(admits("alter role postgres superuser /* set pgrst.x */"));
    assert_false(admits("alter role postgres set search_path = public -- set pgrst.x"));
}

static void test_roles(void **state)
{
    (void)state;
    assert_true(admits("create role app_reader nologin"));
    assert_true(admits("create user app_user with login password 'x' nosuperuser in role anon"));
    assert_true(admits("grant app_reader to authenticator"));
    assert_true(admits("grant anon, app_reader to app_user"));
    assert_true(admits("revoke app_reader from authenticator"));
    assert_true(admits("alter role app_user with password 'y' nocreaterole"));
    assert_true(admits("drop role if exists app_reader, app_user"));
    /* Superuser power, directly or through a predefined role, is refused. */
    assert_false(admits("grant pg_execute_server_program to postgres"));
    assert_false(admits("grant app_reader, pg_write_server_files to postgres"));
    assert_false(admits("grant supabase_admin to postgres"));
    assert_false(admits("create role x superuser"));
    assert_false(admits("create role x createrole"));
    assert_false(admits("create role x replication"));
    assert_false(admits("create role x bypassrls"));
    assert_false(admits("create role x in role pg_read_server_files"));
    assert_false(admits("create role pg_mine"));
    assert_false(admits("alter role postgres createrole"));
    assert_false(admits("alter role supabase_admin with password 'x'"));
    assert_false(admits("alter role current_user with password 'x'"));
    assert_false(admits("drop role supabase_admin"));
    assert_false(admits("grant app_reader to app_user granted by supabase_admin"));
}

static void test_everything_else_runs_as_postgres(void **state)
{
    (void)state;
    assert_false(admits("create table t (id int)"));
    assert_false(admits("copy (select 1) to program 'id'"));
    assert_false(
        admits("do $$ begin execute 'grant pg_execute_server_program to postgres'; end $$"));
    assert_false(admits("alter role x rename to y"));
    /* One statement only, and only text that parses. */
    assert_false(admits("create extension pgcrypto; grant pg_execute_server_program to postgres"));
    assert_false(admits("create extension"));
    assert_false(admits(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extensions_and_pgrst_settings),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_everything_else_runs_as_postgres),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
