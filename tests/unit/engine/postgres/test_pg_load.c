/* engine/postgres: loading into a real PostgreSQL 15 cluster (pg_site.c,
 * pg_apply.c, pg_ddl.c, pg_load.c): every shipped scenario becomes a
 * template whose clones hold its tables and rows, with in_schema_cache:false
 * objects only after pg_database_finish; the project folders of
 * tests/fixtures/projects load as `supabase db reset` would (migrations in
 * order, then seed.sql; the handle_new_user trigger fires), a failing
 * statement stops the load at FILE:LINE:COL with Postgres's message, a
 * missing extension names its Debian package, authenticator's pgrst.*
 * settings are read back, and a reset (drop + clone) stays well under a
 * second. Expected values come from running the same SQL on PostgreSQL 15. */
#define _GNU_SOURCE 1 /* asprintf */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pg_load.h"
#include "pg_site.h"
#include "scenario.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pg_site_t *site;
static const char *source_dir;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int group_setup(void **state)
{
    (void)state;
    source_dir = getenv("SUPAMOCK_SOURCE_DIR");
    if (!source_dir)
        source_dir = ".";
    char err[1024];
    if (pg_site_open(NULL, &site, err, sizeof err) < 0) {
        fprintf(stderr, "cluster: %s\n", err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    pg_site_close(site);
    return 0;
}

/* The first column of the first row of sql on db as the administrator. */
static char *query1(const pg_database_t *db, const char *sql)
{
    char *ci = pg_database_conninfo(db, NULL);
    PGconn *c = PQconnectdb(ci);
    free(ci);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(r));
    char *v = PQntuples(r) ? strdup(PQgetvalue(r, 0, 0)) : strdup("");
    PQclear(r);
    PQfinish(c);
    return v;
}

static void assert_query(const pg_database_t *db, const char *sql, const char *want)
{
    char *got = query1(db, sql);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got '%s', want '%s'", sql, got, want);
    free(got);
}

static void test_every_shipped_scenario(void **state)
{
    (void)state;
    char *dir_path;
    if (asprintf(&dir_path, "%s/scenarios", source_dir) < 0)
        fail();
    DIR *d = opendir(dir_path);
    assert_non_null(d);
    struct dirent *e;
    int loaded = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 || strstr(e->d_name, ".schema."))
            continue;
        char *path;
        if (asprintf(&path, "%s/%s", dir_path, e->d_name) < 0)
            fail();
        scenario_t *sc = NULL;
        scenario_error_t err;
        memset(&err, 0, sizeof err);
        if (scenario_load(path, &sc, &err) < 0)
            fail_msg("%s: %s", path, err.message);
        pg_template_t *t = NULL;
        if (pg_template_build(site, sc, NULL, 0, &t, &err) < 0)
            fail_msg("%s: %s:%d:%d: %s", e->d_name, err.file, err.line, err.col, err.message);
        pg_database_t *db = NULL;
        char msg[1024];
        if (pg_database_clone(t, "work", &db, msg, sizeof msg) < 0)
            fail_msg("%s: clone: %s", e->d_name, msg);
        if (pg_database_finish(db, &err) < 0)
            fail_msg("%s: finish: %s:%d:%d: %s", e->d_name, err.file, err.line, err.col,
                     err.message);
        /* Every table of the scenario exists with its rows. */
        for (size_t i = 0; i < sc->table_count; i++) {
            const scenario_table_t *st = &sc->tables[i];
            char *sql, *want;
            if (asprintf(&sql, "select count(*) from \"%s\".\"%s\"", st->schema, st->name) < 0 ||
                asprintf(&want, "%d", st->rows ? cJSON_GetArraySize(st->rows) : 0) < 0)
                fail();
            assert_query(db, sql, want);
            free(sql);
            free(want);
        }
        char *users;
        if (asprintf(&users, "%zu", sc->user_count) < 0)
            fail();
        assert_query(db, "select count(*) from auth.users", users);
        free(users);
        pg_database_drop(db);
        pg_template_free(t);
        scenario_free(sc);
        free(path);
        loaded++;
    }
    closedir(d);
    free(dir_path);
    assert_true(loaded >= 10);
}

/* The default scenario as DDL: constraint names as Postgres names them, the
 * policies' USING/WITH CHECK, RLS, and the scenario user. */
static void test_default_ddl(void **state)
{
    (void)state;
    scenario_t *sc = NULL;
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    assert_int_equal(scenario_load("default", &sc, &err), 0);
    pg_template_t *t = NULL;
    assert_int_equal(pg_template_build(site, sc, NULL, 0, &t, &err), 0);
    pg_database_t *db = NULL;
    char msg[512];
    assert_int_equal(pg_database_clone(t, "work", &db, msg, sizeof msg), 0);
    assert_query(db,
                 "select string_agg(conname, ',' order by conname) from pg_constraint "
                 "where conrelid = 'public.profiles'::regclass",
                 "profiles_pkey,profiles_user_id_fkey,profiles_user_id_key");
    assert_query(
        db, "select relrowsecurity::text from pg_class where oid = 'public.profiles'::regclass",
        "true");
    assert_query(db,
                 "select qual || ' / ' || with_check from pg_policies where policyname = "
                 "'Users can update own profile'",
                 /* supabase_admin's search_path holds auth, so pg_get_expr omits it */
                 "(uid() = user_id) / (uid() = user_id)");
    assert_query(
        db, "select confdeltype::text from pg_constraint where conname = 'profiles_user_id_fkey'",
        "c");
    assert_query(db, "select email from auth.users", "demo@example.com");
    assert_query(db, "select free_image_quota::text from public.profiles", "5");
    pg_database_drop(db);
    pg_template_free(t);
    scenario_free(sc);
}

/* in_schema_cache:false: absent from the template and from a fresh clone,
 * present after pg_database_finish (what runs after the engine loaded its
 * schema cache). */
static void test_late_objects(void **state)
{
    (void)state;
    char *path;
    if (asprintf(&path, "%s/scenarios/column-not-in-cache.json", source_dir) < 0)
        fail();
    scenario_t *sc = NULL;
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    assert_int_equal(scenario_load(path, &sc, &err), 0);
    pg_template_t *t = NULL;
    assert_int_equal(pg_template_build(site, sc, NULL, 0, &t, &err), 0);
    pg_database_t *db = NULL;
    char msg[512];
    assert_int_equal(pg_database_clone(t, "work", &db, msg, sizeof msg), 0);
    const char *has_col = "select count(*) from information_schema.columns where table_name = "
                          "'profiles' and column_name = 'free_image_quota'";
    assert_query(db, has_col, "0");
    assert_query(db, "select count(*) from public.profiles", "0");
    assert_int_equal(pg_database_finish(db, &err), 0);
    assert_query(db, has_col, "1");
    assert_query(db, "select count(*) from public.profiles", "1");
    pg_database_drop(db);
    pg_template_free(t);
    scenario_free(sc);
    free(path);
}

/* Quoted names and values reach the server intact (pg_ddl.c's quoting), and a
 * restrictive policy for a scenario role applies. */
static void test_quoting_round_trip(void **state)
{
    (void)state;
    static const char text[] =
        "{\"name\": \"q\", \"enums\": {\"mood\": [\"ok\", \"it's bad\"]},"
        " \"roles\": {\"auditor\": {\"bypass_rls\": false}},"
        " \"tables\": {\"api.notes\": {\"columns\": ["
        "  {\"name\": \"id\", \"type\": \"bigint\", \"primary_key\": true, \"identity\": "
        "\"always\"},"
        "  {\"name\": \"body\", \"type\": \"text\", \"nullable\": false, \"default\": \"it's\"},"
        "  {\"name\": \"tags\", \"type\": \"text[]\"}, {\"name\": \"mood\", \"type\": \"mood\"}],"
        " \"rls\": true, \"grants\": {\"auditor\": [\"select\"]},"
        " \"policies\": [{\"name\": \"only \\\"mine\\\"\", \"command\": \"select\","
        "   \"roles\": [\"auditor\"], \"using\": \"body <> 'x'\"}],"
        " \"rows\": [{\"body\": \"O'Hara\", \"tags\": [\"a\\\"b\", \"c,d\", null], \"mood\": "
        "\"it's bad\"},"
        "          {\"body\": \"x\"}]}}}";
    scenario_t *sc = NULL;
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (scenario_load_text("q.json", text, strlen(text), &sc, &err) < 0)
        fail_msg("%d:%d: %s", err.line, err.col, err.message);
    pg_template_t *t = NULL;
    if (pg_template_build(site, sc, NULL, 0, &t, &err) < 0)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.message);
    pg_database_t *db = NULL;
    char msg[512];
    assert_int_equal(pg_database_clone(t, "work", &db, msg, sizeof msg), 0);
    assert_query(db, "select concat_ws('|', body, tags::text, mood) from api.notes where id = 1",
                 "O'Hara|{\"a\\\"b\",\"c,d\",NULL}|it's bad");
    assert_query(db, "select body from api.notes where id = 2", "x");
    assert_query(
        db, "select policyname || ' ' || permissive from pg_policies where tablename = 'notes'",
        "only \"mine\" PERMISSIVE");
    assert_query(db, "begin; set local role auditor; select count(*)::text from api.notes", "1");
    pg_database_drop(db);
    pg_template_free(t);
    scenario_free(sc);
}

/* Builds a template from a project folder's files (migrations in order, then seed). */
static int load_project(const char *name, const char *const *files, size_t n, pg_template_t **t,
                        scenario_error_t *err)
{
    char *paths[8];
    for (size_t i = 0; i < n; i++)
        if (asprintf(&paths[i], "%s/tests/fixtures/projects/%s/supabase/%s", source_dir, name,
                     files[i]) < 0)
            fail();
    scenario_t *sc = NULL;
    scenario_error_t e2;
    assert_int_equal(scenario_load_text("empty.json", "{}", 2, &sc, &e2), 0);
    int rc = pg_template_build(site, sc, (const char *const *)paths, n, t, err);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    scenario_free(sc);
    return rc;
}

static void test_profiles_project(void **state)
{
    (void)state;
    const char *files[] = {"migrations/20240101000000_profiles.sql",
                           "migrations/20240102000000_avatars.sql", "seed.sql"};
    pg_template_t *t = NULL;
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (load_project("profiles", files, 3, &t, &err) < 0)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.message);
    pg_database_t *db = NULL;
    char msg[512];
    assert_int_equal(pg_database_clone(t, "work", &db, msg, sizeof msg), 0);
    /* handle_new_user made a profile for each seeded user. */
    assert_query(db, "select string_agg(full_name, ',' order by full_name) from public.profiles",
                 "Ada Lovelace,Alan Turing");
    assert_query(db, "select username from public.profiles where username is not null", "ada");
    assert_query(db, "select count(*) from pg_policies where schemaname = 'storage'", "2");
    /* A reset: drop the working database and clone the template again. */
    double t0 = now_ms();
    pg_database_drop(db);
    assert_int_equal(pg_database_clone(t, "work", &db, msg, sizeof msg), 0);
    double reset_ms = now_ms() - t0;
    fprintf(stderr, "reset (drop + clone of the profiles project): %.1f ms\n", reset_ms);
    assert_true(reset_ms < 1000);
    assert_query(db, "select count(*) from public.profiles", "2");
    pg_database_drop(db);
    pg_template_free(t);
}

static void test_multi_schema_project(void **state)
{
    (void)state;
    const char *files[] = {"migrations/20240301000000_extensions.sql",
                           "migrations/20240302000000_schemas.sql", "seed.sql"};
    pg_template_t *t = NULL;
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (load_project("multi-schema", files, 3, &t, &err) < 0)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.message);
    assert_string_equal(pg_template_setting(t, "db_aggregates_enabled"), "true");
    assert_string_equal(pg_template_setting(t, "db_max_rows"), "25");
    assert_null(pg_template_setting(t, "db_plan_enabled"));
    pg_database_t *db = NULL;
    char msg[512];
    assert_int_equal(pg_database_clone(t, "work", &db, msg, sizeof msg), 0);
    assert_query(db, "select string_agg(name::text, ',' order by id) from api.search_products('g')",
                 "Widget,Gadget,Gizmo");
    assert_query(db, "select api.price_with_tax(100)::text", "119");
    assert_query(db, "select sum(total_cents)::text from api.order_totals", "5500");
    pg_database_drop(db);
    pg_template_free(t);
}

static void test_failing_migration(void **state)
{
    (void)state;
    const char *files[] = {"migrations/20240401000000_ok.sql",
                           "migrations/20240402000000_broken.sql"};
    pg_template_t *t = NULL;
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    assert_int_equal(load_project("broken-migration", files, 2, &t, &err), -1);
    assert_null(t);
    assert_non_null(strstr(err.file, "20240402000000_broken.sql"));
    /* Postgres places the error at "titel" (line 5, column 8 of the file). */
    assert_int_equal(err.line, 5);
    assert_int_equal(err.col, 8);
    assert_non_null(strstr(err.message, "column \"titel\" of relation \"notes\" does not exist"));
    assert_non_null(strstr(err.message, "42703"));
}

static void test_missing_extension(void **state)
{
    (void)state;
    const char *files[] = {"migrations/20240501000000_cron.sql"};
    pg_template_t *t = NULL;
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    assert_int_equal(load_project("missing-extension", files, 1, &t, &err), -1);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
    assert_non_null(strstr(err.message, "pg_cron"));
    assert_non_null(strstr(err.message, "postgresql-15-cron"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_ddl),
        cmocka_unit_test(test_late_objects),
        cmocka_unit_test(test_every_shipped_scenario),
        cmocka_unit_test(test_quoting_round_trip),
        cmocka_unit_test(test_profiles_project),
        cmocka_unit_test(test_multi_schema_project),
        cmocka_unit_test(test_failing_migration),
        cmocka_unit_test(test_missing_extension),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
