/* Unit tests for the function layer (mem_func.c, plpgsql.c): the catalog
 * PostgREST's resolution sees, and calls of PL/pgSQL and language sql
 * functions over a small store. Expected values and errors are what
 * PostgreSQL 15 answers for the same functions (the same bodies are in
 * tests/fixtures/projects/functions, replayed on the real server by
 * test_mem_functions.py): pl_exec.c's texts for CASE without ELSE, RAISE
 * formatting, STRICT INTO. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mem_func.h"
#include "store.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fx {
    prng_t prng;
    store_t *s;
    scenario_t sc;
    mem_funcs_t *fs;
    store_env_t senv;
    mock_work_t work;
} fx_t;

/* A function as scenario_func.c reads it (only what the catalog uses). */
static void add_fn(scenario_t *sc, const char *name, const char *ret, bool set, char vol,
                   const char *lang, const char *params, const char *source)
{
    sc->functions = xrealloc(sc->functions, (sc->function_count + 1) * sizeof *sc->functions);
    scenario_function_t *f = &sc->functions[sc->function_count++];
    memset(f, 0, sizeof *f);
    f->schema = xstrdup("public");
    f->name = xstrdup(name);
    f->return_type = xstrdup(ret);
    f->returns_set = set;
    f->volatility = vol;
    f->language = xstrdup(lang);
    f->source = xstrdup(source);
    f->public_execute = true;
    /* params: "name type,name type" (inputs only) */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", params);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *sp = strchr(tok, ' ');
        *sp = '\0';
        f->params = xrealloc(f->params, (f->param_count + 1) * sizeof *f->params);
        f->params[f->param_count++] =
            (scenario_func_param_t){xstrdup(tok), xstrdup(sp + 1), SCENARIO_ARG_IN, false, NULL};
    }
}

static int setup(void **state)
{
    fx_t *f = xcalloc(1, sizeof *f);
    prng_seed(&f->prng, 7);
    f->s = store_new(&f->prng);
    store_column_spec_t cols[] = {
        {.name = "id", .type = "int4", .primary_key = true, .in_schema_cache = true},
        {.name = "title", .type = "text", .nullable = true, .in_schema_cache = true},
    };
    char *error = NULL;
    int ecol;
    store_table_t *t = store_add_table(f->s, "public", "notes", cols, 2, &error, &ecol);
    assert_non_null(t);
    const store_table_t *et;
    assert_int_equal(store_resolve_references(f->s, &error, &et, &ecol), 0);
    store_begin(f->s);
    for (int i = 1; i <= 2; i++) {
        pgvalue_t *v = xcalloc(2, sizeof *v);
        pgrst_error_t e;
        pgrst_error_init(&e);
        char id[8];
        snprintf(id, sizeof id, "%d", i);
        assert_int_equal(
            pgvalue_from_text(&store_table_column(t, 0)->type, id, strlen(id), &v[0], &e), 0);
        assert_int_equal(pgvalue_from_text(&store_table_column(t, 1)->type, i == 1 ? "one" : "two",
                                           3, &v[1], &e),
                         0);
        assert_int_equal(store_insert(f->s, t, v, &f->senv, NULL, &e), 0);
        free(v);
    }
    store_commit(f->s);
    scenario_t *sc = &f->sc;
    add_fn(sc, "fizz", "integer", false, 'i', "plpgsql", "n integer",
           "create function fizz(n int) returns text language plpgsql immutable as $$\n"
           "declare\n  out text := '';\n  i int;\nbegin\n  for i in 1..n loop\n"
           "    continue when i % 5 = 0;\n    exit when i > 7;\n"
           "    out := out || case when i % 3 = 0 then 'F' else i::text end;\n"
           "  end loop;\n  return out;\nend $$");
    free(sc->functions[0].return_type);
    sc->functions[0].return_type = xstrdup("text");
    add_fn(sc, "countdown", "integer", true, 'i', "plpgsql", "start integer",
           "create function countdown(start int) returns setof int language plpgsql as $$\n"
           "declare\n  k int := start;\nbegin\n  while k > 0 loop\n    return next k;\n"
           "    k := k - 2;\n  end loop;\n  return;\nend $$");
    add_fn(sc, "grade", "text", false, 'i', "plpgsql", "score integer",
           "create function grade(score int) returns text language plpgsql as $$\nbegin\n"
           "  case\n    when score >= 90 then return 'A';\n  end case;\nend $$");
    add_fn(sc, "shout", "integer", false, 'v', "plpgsql", "who text,n integer",
           "create function shout(who text, n int) returns int language plpgsql as $$\nbegin\n"
           "  raise exception 'too loud: % x% (100%%)', who, n using hint = 'lower it';\nend $$");
    add_fn(sc, "title_of", "text", false, 's', "plpgsql", "wanted integer",
           "create function title_of(wanted int) returns text language plpgsql as $$\n"
           "declare t text;\nbegin\n  select title into strict t from notes where id > wanted;\n"
           "  return t;\nend $$");
    add_fn(sc, "forever", "integer", false, 'i', "plpgsql", "n integer",
           "create function forever(n int) returns int language plpgsql as $$\nbegin\n"
           "  loop\n    n := n + 1;\n  end loop;\nend $$");
    add_fn(sc, "guarded", "integer", false, 'v', "plpgsql", "",
           "create function guarded() returns int language plpgsql as $$\nbegin\n"
           "  return 1;\nexception when others then return 0;\nend $$");
    add_fn(sc, "twice", "integer", false, 'i', "sql", "x integer",
           "create function twice(x int) returns int language sql as $$ select x * 2 $$");
    /* Functions of notes' row type (computed fields and relationships). */
    add_fn(sc, "label", "text", false, 's', "sql", " notes",
           "create function label(notes) returns text language sql stable as $$\n"
           "  select $1.title || '#' || $1.id $$");
    add_fn(sc, "named", "text", false, 's', "sql", "n notes",
           "create function named(n notes) returns text language sql stable as $$\n"
           "  select named.n.title || n.id $$");
    add_fn(sc, "bad_field", "text", false, 's', "sql", " notes",
           "create function bad_field(notes) returns text language sql as $$ select $1.nope $$");
    add_fn(sc, "same_note", "notes", true, 's', "sql", " notes",
           "create function same_note(notes) returns setof notes rows 1 language sql as $$\n"
           "  select * from notes where id = $1.id $$");
    add_fn(sc, "pl_label", "text", false, 's', "plpgsql", "n notes",
           "create function pl_label(n notes) returns text language plpgsql as $$\n"
           "begin\n  return n.title || $1.id;\nend $$");
    add_fn(sc, "trig", "trigger", false, 'v', "plpgsql", "",
           "create function trig() returns trigger language plpgsql as $$\nbegin\n"
           "  return new;\nend $$");
    f->fs = mem_funcs_new(sc, f->s, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    mem_funcs_free(f->fs);
    for (size_t i = 0; i < f->sc.function_count; i++) {
        scenario_function_t *fn = &f->sc.functions[i];
        for (size_t k = 0; k < fn->param_count; k++) {
            free(fn->params[k].name);
            free(fn->params[k].type);
        }
        free(fn->params);
        free(fn->schema);
        free(fn->name);
        free(fn->return_type);
        free(fn->language);
        free(fn->source);
    }
    free(f->sc.functions);
    store_free(f->s);
    free(f);
    return 0;
}

/* Calls name with integer/text arguments given as text; fills out or err. */
static int call(fx_t *f, const char *name, const char *const *args, size_t nargs, uint64_t steps,
                sql_result_t *out, pgrst_error_t *err)
{
    const engine_routine_t *const *rs;
    size_t n = mem_funcs_routines(f->fs, "public", name, &rs);
    assert_int_equal(n, 1);
    const mem_func_t *fn = mem_func_of(rs[0]);
    pgvalue_t v[4];
    for (size_t i = 0; i < nargs; i++)
        assert_int_equal(
            pgvalue_from_text(&fn->params[i].type, args[i], strlen(args[i]), &v[i], err), 0);
    mock_work_init(&f->work, steps);
    mem_call_env_t env = {.fs = f->fs,
                          .store = f->s,
                          .role = "postgres",
                          .superuser = true,
                          .store_env = &f->senv,
                          .work = &f->work};
    store_begin(f->s);
    int rc = mem_func_call(fn, v, NULL, &env, out, err);
    store_rollback(f->s);
    for (size_t i = 0; i < nargs; i++)
        pgvalue_dispose(&v[i]);
    return rc;
}

static void text_of(const sql_result_t *r, size_t row, char *buf, size_t cap)
{
    buf_t b;
    buf_init(&b);
    pgvalue_render_text(&r->types[0], &r->values[row * r->ncols], &b);
    snprintf(buf, cap, "%s", buf_cstr(&b));
    buf_dispose(&b);
}

static void test_catalog(void **state)
{
    fx_t *f = *state;
    const engine_routine_t *const *rs;
    assert_int_equal(mem_funcs_routines(f->fs, "public", "countdown", &rs), 1);
    assert_true(rs[0]->returns_set);
    assert_false(rs[0]->returns_composite);
    assert_int_equal(rs[0]->volatility, ENGINE_IMMUTABLE);
    assert_int_equal(rs[0]->param_count, 1);
    assert_string_equal(rs[0]->params[0].name, "start");
    assert_string_equal(rs[0]->params[0].type, "integer");
    assert_true(rs[0]->params[0].required);
    /* Trigger functions are not callable through /rpc (funcsSqlQuery). */
    assert_int_equal(mem_funcs_routines(f->fs, "public", "trig", &rs), 0);
    /* An EXCEPTION block is outside the subset: left out, not half run. */
    assert_int_equal(mem_funcs_routines(f->fs, "public", "guarded", &rs), 0);
    /* PUBLIC holds EXECUTE by default. */
    assert_int_equal(mem_funcs_routines(f->fs, "public", "twice", &rs), 1);
    assert_true(mem_func_may_execute(mem_func_of(rs[0]), "anon"));
}

static void test_loops_and_case(void **state)
{
    fx_t *f = *state;
    sql_result_t r;
    pgrst_error_t e;
    pgrst_error_init(&e);
    char buf[64];
    assert_int_equal(call(f, "fizz", (const char *[]){"20"}, 1, 1000000, &r, &e), 0);
    text_of(&r, 0, buf, sizeof buf);
    assert_string_equal(buf, "12F4F7");
    sql_result_dispose(&r);
    assert_int_equal(call(f, "countdown", (const char *[]){"7"}, 1, 1000000, &r, &e), 0);
    assert_int_equal(r.nrows, 4);
    text_of(&r, 3, buf, sizeof buf);
    assert_string_equal(buf, "1");
    sql_result_dispose(&r);
    assert_int_equal(call(f, "twice", (const char *[]){"21"}, 1, 1000000, &r, &e), 0);
    text_of(&r, 0, buf, sizeof buf);
    assert_string_equal(buf, "42");
    sql_result_dispose(&r);
}

static void test_errors(void **state)
{
    fx_t *f = *state;
    sql_result_t r;
    pgrst_error_t e;
    pgrst_error_init(&e);
    assert_int_equal(call(f, "grade", (const char *[]){"10"}, 1, 1000000, &r, &e), -1);
    assert_string_equal(e.code, "20000");
    assert_string_equal(e.message, "case not found");
    assert_string_equal(e.hint, "CASE statement is missing ELSE part.");
    pgrst_error_dispose(&e);
    assert_int_equal(call(f, "shout", (const char *[]){"bob", "5"}, 2, 1000000, &r, &e), -1);
    assert_string_equal(e.code, "P0001");
    assert_string_equal(e.message, "too loud: bob x5 (100%)");
    assert_string_equal(e.hint, "lower it");
    pgrst_error_dispose(&e);
    assert_int_equal(call(f, "title_of", (const char *[]){"5"}, 1, 1000000, &r, &e), -1);
    assert_string_equal(e.code, "P0002");
    assert_string_equal(e.message, "query returned no rows");
    pgrst_error_dispose(&e);
    assert_int_equal(call(f, "title_of", (const char *[]){"0"}, 1, 1000000, &r, &e), -1);
    assert_string_equal(e.code, "P0003");
    assert_string_equal(e.message, "query returned more than one row");
    pgrst_error_dispose(&e);
}

/* A function of the catalog by name, routable or not. */
static const mem_func_t *find(fx_t *f, const char *name)
{
    for (size_t i = 0; i < mem_funcs_count(f->fs); i++)
        if (strcmp(mem_funcs_at(f->fs, i)->routine.name, name) == 0)
            return mem_funcs_at(f->fs, i);
    return NULL;
}

/* Calls the one-argument function name on notes' row with the given id. */
static int call_on_note(fx_t *f, const char *name, int id, sql_result_t *out, pgrst_error_t *err)
{
    const mem_func_t *fn = find(f, name);
    assert_non_null(fn);
    const store_table_t *t = store_find_table(f->s, "public", "notes");
    assert_ptr_equal(fn->params[0].rowtype, t);
    const store_row_t *row = store_table_first(t);
    while (row && store_row_values(row)[0].i != id)
        row = store_row_next(row);
    assert_non_null(row);
    /* A row-type argument: the row's values as elems (mem_func.h). */
    pgvalue_t arg = {.is_null = false,
                     .elems = (pgvalue_t *)store_row_values(row),
                     .nelems = store_table_column_count(t)};
    mock_work_init(&f->work, 1000000);
    mem_call_env_t env = {.fs = f->fs,
                          .store = f->s,
                          .role = "postgres",
                          .superuser = true,
                          .store_env = &f->senv,
                          .work = &f->work};
    return mem_func_call(fn, &arg, NULL, &env, out, err);
}

static void test_row_parameters(void **state)
{
    fx_t *f = *state;
    sql_result_t r;
    pgrst_error_t e;
    pgrst_error_init(&e);
    char buf[64];
    /* $1.field, and a named parameter's field (n.title, fn.n.title). */
    assert_int_equal(call_on_note(f, "label", 2, &r, &e), 0);
    text_of(&r, 0, buf, sizeof buf);
    assert_string_equal(buf, "two#2");
    sql_result_dispose(&r);
    assert_int_equal(call_on_note(f, "named", 1, &r, &e), 0);
    text_of(&r, 0, buf, sizeof buf);
    assert_string_equal(buf, "one1");
    sql_result_dispose(&r);
    /* parse_func.c ParseFuncOrColumn: a field the row type lacks. */
    assert_int_equal(call_on_note(f, "bad_field", 1, &r, &e), -1);
    assert_string_equal(e.code, "42703");
    assert_string_equal(e.message, "column \"nope\" not found in data type notes");
    pgrst_error_dispose(&e);
    /* SETOF notes ROWS 1: a computed relationship's to-one (prorows). */
    assert_true(find(f, "same_note")->rows_one);
    assert_false(find(f, "label")->rows_one);
    assert_int_equal(call_on_note(f, "same_note", 2, &r, &e), 0);
    assert_int_equal(r.nrows, 1);
    assert_int_equal(r.ncols, 2);
    sql_result_dispose(&r);
    /* funcsSqlQuery's callable: an unnamed parameter of a row type keeps a
     * function out of PostgREST's cache (no route); a named one does not.
     * regtype names the row type by its table. */
    const engine_routine_t *const *rs;
    assert_int_equal(mem_funcs_routines(f->fs, "public", "label", &rs), 0);
    assert_int_equal(mem_funcs_routines(f->fs, "public", "named", &rs), 1);
    assert_string_equal(rs[0]->params[0].type, "notes");
    /* PL/pgSQL reads a row-type parameter as a record and as $n.col. */
    assert_int_equal(call_on_note(f, "pl_label", 2, &r, &e), 0);
    text_of(&r, 0, buf, sizeof buf);
    assert_string_equal(buf, "two2");
    sql_result_dispose(&r);
}

static void test_endless_loop_is_bounded(void **state)
{
    fx_t *f = *state;
    sql_result_t r;
    pgrst_error_t e;
    pgrst_error_init(&e);
    assert_int_equal(call(f, "forever", (const char *[]){"1"}, 1, 100000, &r, &e), -1);
    assert_string_equal(e.code, "57014");
    assert_string_equal(e.message, "canceling statement due to statement timeout");
    pgrst_error_dispose(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_catalog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loops_and_case, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_endless_loop_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_row_parameters, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
