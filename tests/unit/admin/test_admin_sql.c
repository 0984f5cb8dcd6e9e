/* Unit tests for admin_sql.c: each statement admin_sql.h lists against an instance
 * built from an inline scenario, Postgres's messages and SQLSTATEs for the
 * checks CREATE POLICY/DROP POLICY/ALTER TABLE/GRANT make (commands/policy.c,
 * acl.c, namespace.c), the pg_policies view's columns, batch atomicity and
 * the "unsupported" answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "admin_sql.h"
#include "config.h"
#include "instance.h"
#include "scenario.h"
#include "security.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SCENARIO[] =
    "{\"name\": \"sql-test\", \"roles\": {\"service_role\": {\"bypass_rls\": true}, \"editor\": "
    "{}},"
    " \"tables\": {"
    "  \"profiles\": {\"columns\": ["
    "    {\"name\": \"id\", \"type\": \"uuid\", \"primary_key\": true, \"default\": "
    "\"gen_random_uuid()\"},"
    "    {\"name\": \"user_id\", \"type\": \"uuid\"},"
    "    {\"name\": \"is_public\", \"type\": \"boolean\"}],"
    "   \"rls\": true,"
    "   \"policies\": [{\"name\": \"Users can view own profile\", \"command\": \"select\","
    "                   \"roles\": [\"authenticated\"], \"using\": \"auth.uid() = user_id\"}]},"
    "  \"notes\": {\"columns\": [{\"name\": \"id\", \"type\": \"integer\", \"primary_key\": true},"
    "                           {\"name\": \"body\", \"type\": \"text\"}],"
    "   \"in_schema_cache\": false}"
    " }}";

typedef struct fx {
    scenario_t *sc;
    mock_config_t cfg;
    instance_t *inst;
    mock_response_t resp;
    cJSON *json;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (scenario_load_text("sql-test.json", SCENARIO, strlen(SCENARIO), &f->sc, &err) != 0)
        fail_msg("scenario: %s", err.message);
    mock_config_defaults(&f->cfg);
    if (instance_new(f->sc, &f->cfg, &f->inst, &err) != 0)
        fail_msg("instance: %s", err.message);
    mock_response_init(&f->resp);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    cJSON_Delete(f->json);
    mock_response_dispose(&f->resp);
    instance_free(f->inst);
    scenario_free(f->sc);
    free(f);
    return 0;
}

static void reload(void *inst)
{
    instance_schema_reload(inst);
}

/* Runs sql, checks the status and returns the parsed body (owned by f). */
static const cJSON *exec(fx_t *f, const char *sql, int status)
{
    cJSON_Delete(f->json);
    mock_response_dispose(&f->resp);
    mock_response_init(&f->resp);
    admin_sql_execute(instance_store(f->inst), instance_security(f->inst), f->sc, reload, f->inst,
                      instance_now_us(f->inst), sql, &f->resp);
    if (f->resp.status != status)
        fail_msg("`%s`: status %d, want %d: %s", sql, f->resp.status, status,
                 buf_cstr(&f->resp.body));
    assert_string_equal(mock_response_header(&f->resp, "Content-Type"), "application/json");
    f->json = cJSON_Parse(buf_cstr(&f->resp.body));
    assert_non_null(f->json);
    return f->json;
}

static void expect_body(fx_t *f, const char *sql, int status, const char *body)
{
    exec(f, sql, status);
    if (strcmp(buf_cstr(&f->resp.body), body) != 0)
        fail_msg("`%s`:\n  got  %s\n  want %s", sql, buf_cstr(&f->resp.body), body);
}

static store_table_t *table(fx_t *f, const char *name)
{
    store_table_t *t = store_find_table(instance_store(f->inst), "public", name);
    assert_non_null(t);
    return t;
}

static void test_create_policy_and_pg_policies(void **state)
{
    fx_t *f = *state;
    security_t *sec = instance_security(f->inst);
    store_table_t *t = table(f, "profiles");
    assert_int_equal(security_policy_count(sec, t), 1);
    expect_body(
        f,
        "create policy \"Public profiles\" on public.profiles for select to anon, authenticated "
        "using (is_public = true)",
        200, "{\"results\":[{\"command\":\"CREATE POLICY\"}]}");
    assert_int_equal(security_policy_count(sec, t), 2);
    const security_policy_t *p = security_policy_at(sec, t, 1);
    assert_string_equal(p->name, "Public profiles");
    assert_int_equal(p->command, SECURITY_CMD_SELECT);
    assert_true(p->permissive);
    assert_int_equal(p->role_count, 2);
    assert_string_equal(p->roles[0], "anon");
    assert_string_equal(p->using_text, "is_public = true");
    assert_non_null(p->using_expr);
    assert_null(p->check_expr);

    /* pg_policies: roles as a name[] (["public"] for PUBLIC), cmd "ALL" when
     * FOR is omitted, qual/with_check deparsed by pg_get_expr. */
    expect_body(
        f,
        "CREATE POLICY upd ON profiles AS RESTRICTIVE USING ((select auth.uid()) = user_id) "
        "WITH CHECK (auth.uid() = user_id);"
        "SELECT * FROM pg_policies WHERE tablename = 'profiles' AND policyname = 'upd'",
        200,
        "{\"results\":[{\"command\":\"CREATE POLICY\"},{\"command\":\"SELECT 1\",\"rows\":[{"
        "\"schemaname\":\"public\",\"tablename\":\"profiles\",\"policyname\":\"upd\","
        "\"permissive\":\"RESTRICTIVE\",\"roles\":[\"public\"],\"cmd\":\"ALL\","
        "\"qual\":\"(( SELECT auth.uid() AS uid) = user_id)\","
        "\"with_check\":\"(auth.uid() = user_id)\"}]}]}");
    expect_body(
        f,
        "select policyname, cmd, qual, with_check from pg_catalog.pg_policies where tablename = "
        "'profiles'",
        200,
        "{\"results\":[{\"command\":\"SELECT 3\",\"rows\":["
        "{\"policyname\":\"Users can view own profile\",\"cmd\":\"SELECT\","
        "\"qual\":\"(auth.uid() = user_id)\",\"with_check\":null},"
        "{\"policyname\":\"Public profiles\",\"cmd\":\"SELECT\",\"qual\":\"(is_public = true)\","
        "\"with_check\":null},"
        "{\"policyname\":\"upd\",\"cmd\":\"ALL\",\"qual\":\"(( SELECT auth.uid() AS uid) = "
        "user_id)\","
        "\"with_check\":\"(auth.uid() = user_id)\"}]}]}");
    expect_body(f, "select * from pg_policies where tablename = 'nothing'", 200,
                "{\"results\":[{\"command\":\"SELECT 0\",\"rows\":[]}]}");
}

static void test_create_policy_errors(void **state)
{
    fx_t *f = *state;
    /* commands/policy.c CreatePolicy */
    expect_body(f, "create policy p on profiles for insert using (true)", 400,
                "{\"error\":\"only WITH CHECK expression allowed for INSERT\",\"code\":\"42601\","
                "\"statement\":1}");
    expect_body(
        f, "create policy p on profiles for select with check (true)", 400,
        "{\"error\":\"WITH CHECK cannot be applied to SELECT or DELETE\",\"code\":\"42601\","
        "\"statement\":1}");
    expect_body(
        f, "create policy p on profiles for delete with check (true)", 400,
        "{\"error\":\"WITH CHECK cannot be applied to SELECT or DELETE\",\"code\":\"42601\","
        "\"statement\":1}");
    expect_body(
        f, "create policy p on profiles to nobody using (true)", 400,
        "{\"error\":\"role \\\"nobody\\\" does not exist\",\"code\":\"42704\",\"statement\":1}");
    expect_body(
        f, "create policy p on nope using (true)", 400,
        "{\"error\":\"relation \\\"nope\\\" does not exist\",\"code\":\"42P01\",\"statement\":1}");
    expect_body(
        f, "create policy p on private.profiles using (true)", 400,
        "{\"error\":\"relation \\\"private.profiles\\\" does not exist\",\"code\":\"42P01\","
        "\"statement\":1}");
    expect_body(f, "create policy p on profiles using (user_id = 'abc')", 400,
                "{\"error\":\"invalid input syntax for type uuid: \\\"abc\\\"\",\"code\":\"22P02\","
                "\"statement\":1}");
    expect_body(
        f, "create policy p on profiles using (auth.uid() = owner)", 400,
        "{\"error\":\"column \\\"owner\\\" does not exist\",\"code\":\"42703\",\"statement\":1}");
    expect_body(
        f, "create policy p on profiles using (user_id)", 400,
        "{\"error\":\"argument of POLICY must be type boolean, not type uuid\",\"code\":\"42804\","
        "\"statement\":1}");
    expect_body(f, "create policy \"Users can view own profile\" on profiles using (true)", 400,
                "{\"error\":\"policy \\\"Users can view own profile\\\" for table \\\"profiles\\\" "
                "already exists\",\"code\":\"42710\",\"statement\":1}");
    expect_body(
        f, "create policy p on profiles as sometimes using (true)", 400,
        "{\"error\":\"unrecognized row security option \\\"sometimes\\\"\",\"code\":\"42601\","
        "\"position\":32,\"statement\":1}");
    expect_body(f, "create policy p on profiles for everything using (true)", 400,
                "{\"error\":\"syntax error at or near \\\"everything\\\"\",\"code\":\"42601\","
                "\"position\":33,\"statement\":1}");
    expect_body(f, "create policy p on profiles using (true", 400,
                "{\"error\":\"syntax error at end of input\",\"code\":\"42601\",\"position\":40,"
                "\"statement\":1}");
    assert_int_equal(security_policy_count(instance_security(f->inst), table(f, "profiles")), 1);
}

static void test_batch_is_atomic(void **state)
{
    fx_t *f = *state;
    security_t *sec = instance_security(f->inst);
    store_table_t *t = table(f, "profiles");
    /* The second CREATE of the same name fails: nothing of the batch applies. */
    expect_body(
        f,
        "alter table profiles disable row level security; "
        "create policy a on profiles using (true); create policy a on profiles using (true)",
        400,
        "{\"error\":\"policy \\\"a\\\" for table \\\"profiles\\\" already exists\","
        "\"code\":\"42710\",\"statement\":3}");
    assert_int_equal(security_policy_count(sec, t), 1);
    assert_true(security_rls_enabled(sec, t));
    /* Drop then re-create within one batch sees the batch's own changes. */
    exec(f,
         "drop policy \"Users can view own profile\" on profiles;"
         "create policy \"Users can view own profile\" on profiles for select using (is_public);;",
         200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(f->json, "results")), 2);
    assert_int_equal(security_policy_count(sec, t), 1);
    assert_string_equal(security_policy_at(sec, t, 0)->using_text, "is_public");
}

static void test_drop_policy(void **state)
{
    fx_t *f = *state;
    security_t *sec = instance_security(f->inst);
    store_table_t *t = table(f, "profiles");
    expect_body(f, "DROP POLICY nope ON profiles", 400,
                "{\"error\":\"policy \\\"nope\\\" for table \\\"profiles\\\" does not exist\","
                "\"code\":\"42704\",\"statement\":1}");
    expect_body(f, "drop policy if exists nope on profiles", 200,
                "{\"results\":[{\"command\":\"DROP POLICY\"}]}");
    expect_body(f, "drop policy if exists nope on missing_table", 200,
                "{\"results\":[{\"command\":\"DROP POLICY\"}]}");
    expect_body(f, "drop policy p on missing_table", 400,
                "{\"error\":\"relation \\\"missing_table\\\" does not exist\",\"code\":\"42P01\","
                "\"statement\":1}");
    expect_body(f, "drop policy \"Users can view own profile\" on public.profiles", 200,
                "{\"results\":[{\"command\":\"DROP POLICY\"}]}");
    assert_int_equal(security_policy_count(sec, t), 0);
}

static void test_alter_table_rls(void **state)
{
    fx_t *f = *state;
    security_t *sec = instance_security(f->inst);
    store_table_t *t = table(f, "notes");
    assert_false(security_rls_enabled(sec, t));
    expect_body(f, "ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY", 200,
                "{\"results\":[{\"command\":\"ALTER TABLE\"}]}");
    assert_true(security_rls_enabled(sec, t));
    exec(f, "alter table only notes force row level security", 200);
    assert_true(security_rls_enabled(sec, t));
    exec(f, "alter table if exists notes disable row level security", 200);
    assert_false(security_rls_enabled(sec, t));
    exec(f, "alter table if exists ghost enable row level security", 200);
    expect_body(
        f, "alter table ghost enable row level security", 400,
        "{\"error\":\"relation \\\"ghost\\\" does not exist\",\"code\":\"42P01\",\"statement\":1}");
}

static void test_grant_revoke(void **state)
{
    fx_t *f = *state;
    security_t *sec = instance_security(f->inst);
    store_table_t *t = table(f, "notes");
    exec(f, "revoke all on table notes from anon, authenticated", 200);
    assert_int_equal(security_privileges(sec, t, "anon"), 0);
    assert_int_equal(security_privileges(sec, t, "authenticated"), 0);
    expect_body(f, "grant select, insert on notes to authenticated", 200,
                "{\"results\":[{\"command\":\"GRANT\"}]}");
    assert_int_equal(security_privileges(sec, t, "authenticated"),
                     SCENARIO_PRIV_SELECT | SCENARIO_PRIV_INSERT);
    assert_int_equal(security_privileges(sec, t, "anon"), 0);
    exec(f, "revoke insert on notes from authenticated", 200);
    assert_int_equal(security_privileges(sec, t, "authenticated"), SCENARIO_PRIV_SELECT);
    exec(f, "grant all privileges on all tables in schema public to editor", 200);
    assert_int_equal(security_privileges(sec, t, "editor"), SCENARIO_PRIV_ALL);
    assert_int_equal(security_privileges(sec, table(f, "profiles"), "editor"), SCENARIO_PRIV_ALL);
    exec(f, "revoke delete on notes from public", 200);
    assert_int_equal(security_privileges(sec, t, "editor"),
                     SCENARIO_PRIV_ALL & ~SCENARIO_PRIV_DELETE);
    exec(f, "grant usage on schema public to anon, authenticated", 200);
    expect_body(
        f, "grant select on notes to nobody", 400,
        "{\"error\":\"role \\\"nobody\\\" does not exist\",\"code\":\"42704\",\"statement\":1}");
    expect_body(
        f, "grant select on ghost to anon", 400,
        "{\"error\":\"relation \\\"ghost\\\" does not exist\",\"code\":\"42P01\",\"statement\":1}");
    expect_body(f, "grant fly on notes to anon", 400,
                "{\"error\":\"unrecognized privilege type "
                "\\\"fly\\\"\",\"code\":\"42601\",\"statement\":1}");
    expect_body(
        f, "grant select on all tables in schema nope to anon", 400,
        "{\"error\":\"schema \\\"nope\\\" does not exist\",\"code\":\"3F000\",\"statement\":1}");
}

static void test_notify_reloads_schema(void **state)
{
    fx_t *f = *state;
    store_table_t *t = table(f, "notes");
    assert_false(store_table_in_schema_cache(t));
    expect_body(f, "NOTIFY pgrst, 'reload config'", 200,
                "{\"results\":[{\"command\":\"NOTIFY\"}]}");
    assert_false(store_table_in_schema_cache(t));
    exec(f, "notify other_channel, 'reload schema'", 200);
    assert_false(store_table_in_schema_cache(t));
    expect_body(f, "notify pgrst, 'reload schema';", 200,
                "{\"results\":[{\"command\":\"NOTIFY\"}]}");
    assert_true(store_table_in_schema_cache(t));
}

static void test_unsupported_and_lexing(void **state)
{
    fx_t *f = *state;
    expect_body(f, "truncate profiles", 400,
                "{\"error\":\"supamock's /__mock/sql supports NOTIFY pgrst, CREATE POLICY, DROP "
                "POLICY, ALTER TABLE ... ENABLE|DISABLE ROW LEVEL SECURITY, GRANT, REVOKE, SELECT, "
                "INSERT, UPDATE and DELETE; got: truncate profiles\"}");
    exec(f, "alter table profiles add column x text", 400);
    expect_body(f, "", 200, "{\"results\":[]}");
    expect_body(f, " ; -- nothing\n", 200, "{\"results\":[]}");
    /* ';' inside quotes does not split statements */
    expect_body(f,
                "create policy \"a;b\" on profiles using (auth.role() = 'x;y'); "
                "select policyname, qual from pg_policies where policyname = 'a;b'",
                200,
                "{\"results\":[{\"command\":\"CREATE POLICY\"},{\"command\":\"SELECT 1\","
                "\"rows\":[{\"policyname\":\"a;b\",\"qual\":\"(auth.role() = 'x;y'::text)\"}]}]}");
    /* psql: ERROR: unterminated quoted string at or near "'x" (position 29) */
    expect_body(
        f, "notify pgrst; create policy 'x", 400,
        "{\"error\":\"unterminated quoted string at or near \\\"'x\\\"\",\"code\":\"42601\","
        "\"position\":29,\"statement\":2}");
}

/* Data statements run by the executor as the superuser, answered as the
 * database engine answers them (pg_mock_sql.c: command tags, rows as JSON
 * objects with numbers and booleans bare). Values: what PostgreSQL 15 gives
 * for the same statements over the same rows. */
static void test_data_statements(void **state)
{
    fx_t *f = *state;
    expect_body(f, "select 1 as one, 'a' || 'b' as ab, 1.50 * 2 as n, true and null as t", 200,
                "{\"results\":[{\"command\":\"SELECT 1\",\"rows\":[{\"one\":1,\"ab\":\"ab\","
                "\"n\":3.00,\"t\":null}]}]}");
    expect_body(f,
                "insert into notes (id, body) values (100, 'x'), (101, 'y') returning id; "
                "update notes set body = body || '!' where id >= 100; "
                "delete from notes where id = 101 returning body",
                200,
                "{\"results\":[{\"command\":\"INSERT 0 2\",\"rows\":[{\"id\":100},{\"id\":101}]},"
                "{\"command\":\"UPDATE 2\"},"
                "{\"command\":\"DELETE 1\",\"rows\":[{\"body\":\"y!\"}]}]}");
    expect_body(
        f, "select id, body from notes where id >= 100", 200,
        "{\"results\":[{\"command\":\"SELECT 1\",\"rows\":[{\"id\":100,\"body\":\"x!\"}]}]}");
    /* A failing statement rolls the whole batch back (one implicit
     * transaction), and nothing of the model changes either. */
    expect_body(f,
                "insert into notes (id, body) values (200, 'z'); "
                "create policy later on notes using (true); "
                "insert into notes (id, body) values (100, 'dup')",
                400,
                "{\"error\":\"duplicate key value violates unique constraint \\\"notes_pkey\\\"\","
                "\"code\":\"23505\",\"details\":\"Key (id)=(100) already exists.\","
                "\"statement\":3}");
    expect_body(f, "select count(*) from notes where id = 200", 200,
                "{\"results\":[{\"command\":\"SELECT 1\",\"rows\":[{\"count\":0}]}]}");
    assert_int_equal(security_policy_count(instance_security(f->inst), table(f, "notes")), 0);
    /* analysis errors carry Postgres's position */
    expect_body(f, "select nope from notes", 400,
                "{\"error\":\"column \\\"nope\\\" does not exist\",\"code\":\"42703\","
                "\"position\":8,\"statement\":1}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_policy_and_pg_policies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_policy_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_is_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drop_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alter_table_rls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grant_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_reloads_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported_and_lexing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_data_statements, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
