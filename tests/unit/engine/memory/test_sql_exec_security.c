/* Unit tests for sql_exec.c as a role (not the superuser): privileges and
 * row-level security on the tables a statement reads and writes, the row
 * hook (BEFORE/AFTER, change and skip), the name scope's conflict rule and
 * the expression entries. Expected texts: PostgreSQL 15's (aclchk.c
 * "permission denied for table", execMain.c ExecWithCheckOptions "new row
 * violates row-level security policy", plpgsql's resolve_column_ref
 * ambiguity with its DETAIL), checked with psql on the same schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "instance.h"
#include "scenario.h"
#include "security.h"
#include "sql_exec.h"
#include "sql_parse.h"
#include "store.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ME    "13ab4cf1-8587-4685-874b-c2d37beeab38"
#define OTHER "8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f"

static const char SCENARIO[] =
    "{\"name\":\"exec-sec\",\n"
    "\"tables\":{\n"
    "\"secrets\":{\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\"primary_key\":true}],\n"
    "  \"grants\":{\"service_role\":[\"all\"]}},\n"
    "\"notes\":{\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\"primary_key\":true},\n"
    "   {\"name\":\"owner\",\"type\":\"uuid\"},{\"name\":\"body\",\"type\":\"text\"}],\n"
    "  \"rls\":true,\n"
    "  \"policies\":[\n"
    "   {\"name\":\"own\",\"command\":\"all\",\"roles\":[\"authenticated\"],"
    "\"using\":\"auth.uid() = owner\"}],\n"
    "  \"rows\":[{\"id\":1,\"owner\":\"" ME "\",\"body\":\"mine\"},\n"
    "          {\"id\":2,\"owner\":\"" OTHER "\",\"body\":\"theirs\"}]}\n"
    "}}\n";

typedef struct fx {
    scenario_t *sc;
    instance_t *inst;
    cJSON *claims;
    store_env_t senv;
    mock_work_t work;
    int before, after, skip_id;
} fx_t;

static int setup(void **state)
{
    fx_t *f = xcalloc(1, sizeof *f);
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (scenario_load_text("exec-sec.json", SCENARIO, strlen(SCENARIO), &f->sc, &err) != 0 ||
        instance_new(f->sc, NULL, &f->inst, &err) != 0) {
        fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.message);
        return -1;
    }
    f->claims = cJSON_Parse("{\"sub\":\"" ME "\",\"role\":\"authenticated\"}");
    f->skip_id = -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    cJSON_Delete(f->claims);
    instance_free(f->inst);
    scenario_free(f->sc);
    free(f);
    return 0;
}

/* BEFORE: uppercases nothing but counts, sets body to 'hooked' on inserts,
 * and skips the row whose id is skip_id. AFTER: counts. */
static int before(void *ctx, store_table_t *t, sql_row_event_t ev, const pgvalue_t *old_row,
                  pgvalue_t *new_row, bool *skip, pgrst_error_t *err)
{
    (void)t;
    (void)err;
    fx_t *f = ctx;
    f->before++;
    const pgvalue_t *row = new_row ? new_row : old_row;
    if (row[0].i == f->skip_id) {
        *skip = true;
        return 0;
    }
    if (ev == SQL_ROW_INSERT) {
        pgvalue_dispose(&new_row[2]);
        new_row[2].is_null = false;
        new_row[2].s = xstrdup("hooked");
    }
    return 0;
}

static int after(void *ctx, store_table_t *t, sql_row_event_t ev, const pgvalue_t *old_row,
                 const pgvalue_t *new_row, pgrst_error_t *err)
{
    (void)t;
    (void)ev;
    (void)old_row;
    (void)new_row;
    (void)err;
    ((fx_t *)ctx)->after++;
    return 0;
}

/* x: integer 7; id: integer 99 (a variable named like a column). */
static int resolve(const void *ctx, const sql_name_t *name, int *slot, pgtype_t *type,
                   pgrst_error_t *err)
{
    (void)ctx;
    (void)err;
    char *e = NULL;
    if (name->nparts != 1 ||
        (strcmp(name->parts[0], "x") != 0 && strcmp(name->parts[0], "id") != 0))
        return 0;
    *slot = name->parts[0][0] == 'x' ? 0 : 1;
    return pgtype_parse("int4", NULL, 0, type, &e) == 0 ? 1 : -1;
}

static int value(const void *ctx, int slot, const pgvalue_t **out, pgrst_error_t *err)
{
    (void)ctx;
    (void)err;
    static pgvalue_t v[2];
    v[0] = (pgvalue_t){.is_null = false, .i = 7};
    v[1] = (pgvalue_t){.is_null = false, .i = 99};
    *out = &v[slot];
    return 0;
}

static sql_exec_env_t env_as(fx_t *f, const char *role, const sql_scope_t *scope,
                             const sql_row_hook_t *hook)
{
    mock_work_init(&f->work, 1000000);
    return (sql_exec_env_t){.store = instance_store(f->inst),
                            .sec = instance_security(f->inst),
                            .role = role,
                            .superuser = false,
                            .claims = strcmp(role, "authenticated") == 0 ? f->claims : NULL,
                            .store_env = &f->senv,
                            .work = &f->work,
                            .scope = scope,
                            .hook = hook};
}

/* Runs one statement; returns "v|v\n" rows or NULL with err. */
static char *run(const sql_exec_env_t *env, const char *sql, sql_exec_error_t *err,
                 uint64_t *affected)
{
    sql_script_t script;
    sql_error_t serr;
    assert_int_equal(sql_parse_script(sql, &script, &serr), 0);
    sql_result_t res;
    sql_exec_error_init(err);
    store_begin(env->store);
    int rc = sql_exec_once(env, script.stmts[0].node, sql, &res, err);
    sql_script_dispose(&script);
    if (rc < 0) {
        store_rollback(env->store);
        return NULL;
    }
    store_commit(env->store);
    if (affected)
        *affected = res.rows_affected;
    buf_t b;
    buf_init(&b);
    for (size_t r = 0; r < res.nrows; r++) {
        for (size_t c = 0; c < res.ncols; c++) {
            if (c)
                buf_putc(&b, '|');
            if (!res.values[r * res.ncols + c].is_null)
                pgvalue_render_text(&res.types[c], &res.values[r * res.ncols + c], &b);
        }
        buf_putc(&b, '\n');
    }
    sql_result_dispose(&res);
    char *s = buf_steal(&b);
    return s ? s : xstrdup("");
}

static void test_rls_filters_reads_and_writes(void **state)
{
    fx_t *f = *state;
    sql_exec_env_t env = env_as(f, "authenticated", NULL, NULL);
    sql_exec_error_t err;
    char *got = run(&env, "select id, body from notes order by id", &err, NULL);
    assert_non_null(got);
    assert_string_equal(got, "1|mine\n");
    free(got);
    uint64_t n = 9;
    got = run(&env, "update notes set body = 'x' where true", &err, &n);
    assert_non_null(got);
    assert_int_equal(n, 1); /* the other user's row is not visible to UPDATE */
    free(got);
    assert_null(run(&env, "insert into notes (id, owner) values (3, '" OTHER "')", &err, NULL));
    assert_string_equal(err.e.code, "42501");
    assert_string_equal(err.e.message,
                        "new row violates row-level security policy for table \"notes\"");
    sql_exec_error_dispose(&err);
    /* the superuser sees everything */
    env.superuser = true;
    got = run(&env, "select count(*) from notes", &err, NULL);
    assert_string_equal(got, "2\n");
    free(got);
}

static void test_privileges(void **state)
{
    fx_t *f = *state;
    sql_exec_env_t env = env_as(f, "anon", NULL, NULL);
    sql_exec_error_t err;
    assert_null(run(&env, "select * from secrets", &err, NULL));
    assert_string_equal(err.e.code, "42501");
    assert_string_equal(err.e.message, "permission denied for table secrets");
    sql_exec_error_dispose(&err);
    assert_null(run(&env, "delete from secrets", &err, NULL));
    assert_string_equal(err.e.code, "42501");
    sql_exec_error_dispose(&err);
}

static void test_row_hooks(void **state)
{
    fx_t *f = *state;
    sql_row_hook_t hook = {.ctx = f, .before = before, .after = after};
    sql_exec_env_t env = env_as(f, "service_role", NULL, &hook);
    sql_exec_error_t err;
    f->skip_id = 11;
    uint64_t n = 0;
    char *got =
        run(&env, "insert into notes (id, body) values (10, 'a'), (11, 'b') returning id, body",
            &err, &n);
    assert_non_null(got);
    assert_string_equal(got, "10|hooked\n"); /* 11 skipped by the BEFORE hook */
    assert_int_equal(n, 1);
    assert_int_equal(f->before, 2);
    assert_int_equal(f->after, 1);
    free(got);
    f->skip_id = -1;
    got = run(&env, "delete from notes where id = 10", &err, &n);
    assert_int_equal(n, 1);
    assert_int_equal(f->before, 3);
    assert_int_equal(f->after, 2);
    free(got);
}

static void test_scope_and_expressions(void **state)
{
    fx_t *f = *state;
    sql_scope_t scope = {
        .ctx = NULL, .conflict = SQL_CONFLICT_ERROR, .resolve = resolve, .value = value};
    sql_exec_env_t env = env_as(f, "service_role", &scope, NULL);
    sql_exec_error_t err;
    /* psql: column reference "id" is ambiguous, DETAIL It could refer to
     * either a PL/pgSQL variable or a table column. */
    assert_null(run(&env, "select id from notes", &err, NULL));
    assert_string_equal(err.e.code, "42702");
    assert_string_equal(err.e.message, "column reference \"id\" is ambiguous");
    assert_string_equal(err.e.details,
                        "It could refer to either a PL/pgSQL variable or a table column.");
    assert_int_equal(err.position, 7);
    sql_exec_error_dispose(&err);
    scope.conflict = SQL_CONFLICT_USE_COLUMN;
    char *got = run(&env, "select id + x from notes order by 1", &err, NULL);
    assert_string_equal(got, "8\n9\n");
    free(got);
    scope.conflict = SQL_CONFLICT_USE_VARIABLE;
    got = run(&env, "select id from notes limit 1", &err, NULL);
    assert_string_equal(got, "99\n");
    free(got);

    /* expressions alone: `x * 6`, and IF 1 (PL/pgSQL casts it: true) */
    sql_expr_t tree;
    sql_error_t serr;
    assert_int_equal(sql_parse_expr("x * 6", &tree, &serr), 0);
    sql_xplan_t *x = NULL;
    assert_int_equal(
        sql_expr_prepare(instance_store(f->inst), tree.node, "x * 6", &scope, &x, &err), 0);
    pgvalue_t v;
    assert_int_equal(sql_expr_eval(x, &env, &v, &err), 0);
    assert_int_equal(v.i, 42);
    assert_int_equal(sql_xplan_type(x).kind, PGTYPE_INT4);
    sql_xplan_free(x);
    cJSON_Delete(tree.tree);
    assert_int_equal(sql_parse_expr("1", &tree, &serr), 0);
    assert_int_equal(
        sql_expr_prepare_bool(instance_store(f->inst), tree.node, "1", &scope, "IF", &x, &err), 0);
    policy_truth_t t;
    assert_int_equal(sql_expr_eval_bool(x, &env, &t, &err), 0);
    assert_int_equal(t, POLICY_TRUE);
    sql_xplan_free(x);
    cJSON_Delete(tree.tree);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rls_filters_reads_and_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_privileges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_row_hooks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scope_and_expressions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
