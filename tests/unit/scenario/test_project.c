/* scenario/project.c: Supabase project folders as `supabase db reset` reads
 * them (the CLI's pkg/migration: migrations in filename order, then the seed
 * files of [db.seed] sql_paths, default ./seed.sql), config.toml's settings
 * applied to the served scenario, and errors naming the file and position. */
#define _GNU_SOURCE 1 /* asprintf */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "project.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *fixture(const char *name)
{
    const char *src = getenv("SUPAMOCK_SOURCE_DIR");
    char *path;
    if (asprintf(&path, "%s/tests/fixtures/projects/%s", src ? src : ".", name) < 0)
        fail();
    return path;
}

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void test_profiles(void **state)
{
    (void)state;
    char *dir = fixture("profiles");
    project_t *p = NULL;
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (project_load(dir, &p, &err) < 0)
        fail_msg("%s: %s", err.file, err.message);
    assert_int_equal(p->sql_file_count, 3);
    assert_int_equal(p->migration_count, 2);
    assert_string_equal(base(p->sql_files[0]), "20240101000000_profiles.sql");
    assert_string_equal(base(p->sql_files[1]), "20240102000000_avatars.sql");
    assert_string_equal(base(p->sql_files[2]), "seed.sql");
    assert_string_equal(p->name, "profiles");
    assert_true(p->has_schemas);
    assert_int_equal(p->schema_count, 2);
    assert_string_equal(p->extra_search_path, "public, extensions");
    assert_int_equal(p->max_rows, 1000);
    assert_int_equal(p->jwt_expiry, 3600);
    assert_true(p->has_enable_confirmations && !p->enable_confirmations);
    assert_int_equal(p->major_version, 15);
    assert_null(p->supamock_json);
    scenario_t *sc = NULL;
    assert_int_equal(project_scenario(p, false, &sc, &err), 0);
    assert_string_equal(sc->name, "profiles");
    assert_int_equal(sc->table_count, 0);
    assert_int_equal(sc->db_schema_count, 2);
    scenario_free(sc);
    project_free(p);
    free(dir);
}

static void test_todos_settings(void **state)
{
    (void)state;
    char *dir = fixture("todos/supabase"); /* the supabase/ folder itself */
    project_t *p = NULL;
    scenario_error_t err;
    assert_int_equal(project_load(dir, &p, &err), 0);
    scenario_t *sc = NULL;
    assert_int_equal(project_scenario(p, false, &sc, &err), 0);
    assert_int_equal(sc->db_schema_count, 1);
    assert_string_equal(sc->db_schemas[0], "public");
    assert_int_equal(sc->db_max_rows, 50);
    assert_true(sc->confirm_email);
    scenario_free(sc);
    project_free(p);
    free(dir);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_errors(void **state)
{
    (void)state;
    char tmp[] = "/tmp/supamock-project-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    project_t *p = NULL;
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    assert_int_equal(project_load(tmp, &p, &err), -1);
    assert_non_null(strstr(err.message, "not a Supabase project folder"));
    char *supa, *config, *seed, *json;
    if (asprintf(&supa, "%s/supabase", tmp) < 0 || asprintf(&config, "%s/config.toml", supa) < 0 ||
        asprintf(&seed, "%s/seed.sql", supa) < 0 || asprintf(&json, "%s/supamock.json", tmp) < 0)
        fail();
    assert_int_equal(mkdir(supa, 0755), 0);
    write_file(config, "[api]\nschemas = [\"public\"]\nmax_rows = \"many\"\n");
    assert_int_equal(project_load(tmp, &p, &err), -1);
    assert_non_null(strstr(err.message, "[api] max_rows must be"));
    write_file(config, "[api]\nschemas = [\"public\"\n[auth]\n");
    assert_int_equal(project_load(tmp, &p, &err), -1);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.file, "config.toml"));
    /* No seed.sql and sql_paths naming nothing: no seed files, no error. */
    write_file(config, "[api]\nschemas = [\"public\", \"api\"]\n[db.seed]\nenabled = true\n");
    write_file(seed, "select 1;\n");
    /* supamock.json: what it sets wins over config.toml. */
    write_file(json, "// rules and overrides\n{\"name\": \"mine\", \"postgrest\": "
                     "{\"db_schemas\": [\"public\"]}}\n");
    assert_int_equal(project_load(tmp, &p, &err), 0);
    assert_int_equal(p->sql_file_count, 1);
    assert_non_null(p->supamock_json);
    scenario_t *sc = NULL;
    if (project_scenario(p, false, &sc, &err) < 0)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.message);
    assert_string_equal(sc->name, "mine");
    assert_int_equal(sc->db_schema_count, 1);
    scenario_free(sc);
    project_free(p);
    unlink(json);
    unlink(seed);
    unlink(config);
    rmdir(supa);
    rmdir(tmp);
    free(supa);
    free(config);
    free(seed);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profiles),
        cmocka_unit_test(test_todos_settings),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
