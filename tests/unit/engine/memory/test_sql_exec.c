/* Unit tests for sql_exec.c (with expr_sql.c and sql_agg.c): statements
 * over a small store, their rows in Postgres's text output, compared with
 * what PostgreSQL 15 answers for the same SQL over the same data (psql -A -t,
 * NULL shown empty; the fixture below is the CREATE TABLE / INSERT the
 * expectations were computed from). Errors: SQLSTATE, message and position
 * as PostgreSQL 15 reports them (parse_relation.c, parse_agg.c,
 * parse_func.c, parse_target.c, int.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sql_exec.h"
#include "sql_parse.h"
#include "store.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * create table items(id int4 primary key, name text not null, qty int4,
 *                    price numeric, cat text);
 * create table cats(name text primary key, label text);
 * insert into items values (1,'apple',3,1.50,'a'),(2,'banana',1,0.25,'a'),
 *   (3,'cherry',NULL,10,'b'),(4,'date',7,2.125,NULL);
 * insert into cats values ('a','Fruit A'),('b','Fruit B'),('c','Unused');
 */
typedef struct fx {
    prng_t prng;
    store_t *s;
    store_table_t *items, *cats;
    store_env_t senv;
    mock_work_t work;
} fx_t;

static store_column_spec_t col(const char *name, const char *type, bool pk, bool nullable)
{
    store_column_spec_t c;
    memset(&c, 0, sizeof c);
    c.name = name;
    c.type = type;
    c.primary_key = pk;
    c.nullable = nullable;
    c.in_schema_cache = true;
    return c;
}

static void put(fx_t *f, store_table_t *t, const char *const *texts)
{
    size_t n = store_table_column_count(t);
    pgvalue_t *v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        pgrst_error_t e;
        pgrst_error_init(&e);
        if (!texts[i])
            pgvalue_init_null(&v[i]);
        else
            assert_int_equal(pgvalue_from_text(&store_table_column(t, i)->type, texts[i],
                                               strlen(texts[i]), &v[i], &e),
                             0);
    }
    pgrst_error_t e;
    pgrst_error_init(&e);
    assert_int_equal(store_insert(f->s, t, v, &f->senv, NULL, &e), 0);
    free(v);
}

static int setup(void **state)
{
    fx_t *f = xcalloc(1, sizeof *f);
    prng_seed(&f->prng, 7);
    f->s = store_new(&f->prng);
    store_column_spec_t ic[] = {col("id", "int4", true, false), col("name", "text", false, false),
                                col("qty", "int4", false, true),
                                col("price", "numeric", false, true),
                                col("cat", "text", false, true)};
    store_column_spec_t cc[] = {col("name", "text", true, false),
                                col("label", "text", false, true)};
    char *error = NULL;
    int ecol;
    f->items = store_add_table(f->s, "public", "items", ic, 5, &error, &ecol);
    f->cats = store_add_table(f->s, "public", "cats", cc, 2, &error, &ecol);
    assert_non_null(f->items);
    assert_non_null(f->cats);
    const store_table_t *et;
    assert_int_equal(store_resolve_references(f->s, &error, &et, &ecol), 0);
    store_begin(f->s);
    put(f, f->items, (const char *[]){"1", "apple", "3", "1.50", "a"});
    put(f, f->items, (const char *[]){"2", "banana", "1", "0.25", "a"});
    put(f, f->items, (const char *[]){"3", "cherry", NULL, "10", "b"});
    put(f, f->items, (const char *[]){"4", "date", "7", "2.125", NULL});
    put(f, f->cats, (const char *[]){"a", "Fruit A"});
    put(f, f->cats, (const char *[]){"b", "Fruit B"});
    put(f, f->cats, (const char *[]){"c", "Unused"});
    pgrst_error_t e;
    pgrst_error_init(&e);
    assert_int_equal(store_end_statement(f->s, &f->senv, &e), 0);
    store_commit(f->s);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    store_free(f->s);
    free(f);
    return 0;
}

/* $1 = 41 (integer), $2 = 'abc' (text); `x` = 5 (integer). */
static int scope_resolve(const void *ctx, const sql_name_t *name, int *slot, pgtype_t *type,
                         pgrst_error_t *err)
{
    (void)ctx;
    (void)err;
    char *e = NULL;
    if (name->param == 1 || (name->nparts == 1 && strcmp(name->parts[0], "x") == 0)) {
        *slot = name->param == 1 ? 0 : 2;
        return pgtype_parse("int4", NULL, 0, type, &e) == 0 ? 1 : -1;
    }
    if (name->param == 2) {
        *slot = 1;
        return pgtype_parse("text", NULL, 0, type, &e) == 0 ? 1 : -1;
    }
    return 0;
}

static int scope_value(const void *ctx, int slot, const pgvalue_t **out, pgrst_error_t *err)
{
    (void)ctx;
    (void)err;
    static pgvalue_t vals[3];
    vals[0] = (pgvalue_t){.is_null = false, .i = 41};
    vals[1] = (pgvalue_t){.is_null = false, .s = (char *)"abc"};
    vals[2] = (pgvalue_t){.is_null = false, .i = 5};
    *out = &vals[slot];
    return 0;
}

static const sql_scope_t SCOPE = {
    .ctx = NULL, .conflict = SQL_CONFLICT_ERROR, .resolve = scope_resolve, .value = scope_value};

/* Runs sql as the superuser; returns the rows as psql -A -t prints them
 * (caller frees), or NULL with *err. */
static char *run(fx_t *f, const char *sql, sql_exec_error_t *err, uint64_t *affected)
{
    sql_script_t script;
    sql_error_t serr;
    assert_int_equal(sql_parse_script(sql, &script, &serr), 0);
    assert_int_equal(script.count, 1);
    mock_work_init(&f->work, 1000000);
    sql_exec_env_t env = {.store = f->s,
                          .sec = NULL,
                          .role = "postgres",
                          .superuser = true,
                          .claims = NULL,
                          .store_env = &f->senv,
                          .work = &f->work,
                          .scope = &SCOPE,
                          .hook = NULL};
    sql_result_t res;
    sql_exec_error_init(err);
    store_begin(f->s);
    int rc = sql_exec_once(&env, script.stmts[0].node, sql, &res, err);
    sql_script_dispose(&script);
    if (rc < 0) {
        store_rollback(f->s);
        return NULL;
    }
    store_commit(f->s);
    if (affected)
        *affected = res.rows_affected;
    buf_t b;
    buf_init(&b);
    for (size_t r = 0; r < res.nrows; r++) {
        for (size_t c = 0; c < res.ncols; c++) {
            if (c)
                buf_putc(&b, '|');
            const pgvalue_t *v = &res.values[r * res.ncols + c];
            if (!v->is_null)
                pgvalue_render_text(&res.types[c], v, &b);
        }
        buf_putc(&b, '\n');
    }
    sql_result_dispose(&res);
    char *s = buf_steal(&b);
    return s ? s : xstrdup("");
}

static void expect_rows(void **state, const char *sql, const char *want)
{
    sql_exec_error_t err;
    char *got = run(*state, sql, &err, NULL);
    if (!got)
        fail_msg("%s: %s %s", sql, err.e.code, err.e.message);
    assert_string_equal(got, want);
    free(got);
}

static void expect_error(void **state, const char *sql, const char *code, const char *message,
                         size_t position)
{
    sql_exec_error_t err;
    char *got = run(*state, sql, &err, NULL);
    if (got)
        fail_msg("%s: expected %s, got rows %s", sql, code, got);
    assert_string_equal(err.e.code, code);
    assert_string_equal(err.e.message, message);
    /* psql's position is 1-based */
    if (position)
        assert_int_equal(err.position + 1, position);
    sql_exec_error_dispose(&err);
}

static void test_params_and_exprs(void **state)
{
    expect_rows(state, "select $1 + 1", "42\n");
    expect_rows(state, "select $2 || '-' || x", "abc-5\n");
    expect_rows(state, "select 1 + 1, 'x' || 1, -qty from items where id = 1", "2|x1|-3\n");
    expect_rows(state, "select sum(price), avg(price), 7/2, 7.0/2, 1/3.0, sum(qty * 2) from items",
                "13.875|3.4687500000000000|3|3.5000000000000000|0.33333333333333333333|22\n");
}

static void test_count_where(void **state)
{
    expect_rows(state, "select count(*) from items where qty > 2", "2\n");
    expect_rows(state, "select count(distinct cat) from items", "2\n");
}

static void test_group_by(void **state)
{
    expect_rows(state,
                "select cat, count(*), count(qty), sum(qty), avg(qty), min(name), max(price) "
                "from items group by cat order by cat",
                "a|2|2|4|2.0000000000000000|apple|1.50\n"
                "b|1|0|||cherry|10\n"
                "|1|1|7|7.0000000000000000|date|2.125\n");
    expect_rows(state, "select cat, sum(qty) from items group by 1 having sum(qty) > 3 order by 2",
                "a|4\n|7\n");
    expect_rows(state,
                "select string_agg(name, ','), array_agg(id), bool_and(qty > 0), "
                "jsonb_agg(name), json_agg(qty) from items",
                "apple,banana,cherry,date|{1,2,3,4}|t|[\"apple\", \"banana\", \"cherry\", "
                "\"date\"]|[3, 1, null, 7]\n");
}

static void test_joins(void **state)
{
    expect_rows(state,
                "select i.name, c.label from items i left join cats c on c.name = i.cat order by "
                "i.id",
                "apple|Fruit A\nbanana|Fruit A\ncherry|Fruit B\ndate|\n");
    expect_rows(state,
                "select i.name, c.label from items i right join cats c on c.name = i.cat order by "
                "c.name, i.id",
                "apple|Fruit A\nbanana|Fruit A\ncherry|Fruit B\n|Unused\n");
    expect_rows(state,
                "select i.name, c.label from items i full join cats c on c.name = i.cat order by "
                "i.id, c.name",
                "apple|Fruit A\nbanana|Fruit A\ncherry|Fruit B\ndate|\n|Unused\n");
}

static void test_order_limit_distinct(void **state)
{
    expect_rows(state, "select name from items order by qty desc nulls last, id limit 2 offset 1",
                "apple\nbanana\n");
    expect_rows(state, "select name from items order by qty", "banana\napple\ndate\ncherry\n");
    expect_rows(state, "select distinct cat from items order by cat", "a\nb\n\n");
}

static void test_functions(void **state)
{
    expect_rows(state,
                "select upper(name) || '-' || qty as tag, coalesce(cat, 'none'), case when qty > "
                "2 then 'big' else 'small' end from items order by id",
                "APPLE-3|a|big\nBANANA-1|a|small\n|b|small\nDATE-7|none|big\n");
    expect_rows(state,
                "select length(name), lower('ABC'), nullif(qty, 3), name like 'b%', name ilike "
                "'B%' from items order by id",
                "5|abc||f|f\n6|abc|1|t|t\n6|abc||f|f\n4|abc|7|f|f\n");
    expect_rows(state, "select jsonb_build_object('id', id, 'name', name) from items where id = 1",
                "{\"id\": 1, \"name\": \"apple\"}\n");
    expect_rows(state, "select id from items where id between 2 and 3 and cat is distinct from 'b'",
                "2\n");
    /* format(): PostgreSQL 15 answers these (positions, the next argument
     * after a positional one, widths, %L quoting, NULLs). */
    expect_rows(state, "select format('%s-%s|%2$s %1$s|%-5s|%5s|', 'a', 1, 'ab', 'x')",
                "a-1|1 a|1    |   ab|\n");
    expect_rows(state, "select format('%L %L %L %s|', E'O''Re\\\\illy', NULL, 42, NULL)",
                "E'O''Re\\\\illy' NULL '42' |\n");
    expect_rows(state, "select format('100%%'), format(NULL) is null", "100%|t\n");
    /* PostgreSQL 15: t|36|f (two calls, two values) */
    expect_rows(state,
                "select gen_random_uuid() is not null, length(gen_random_uuid()::text), "
                "gen_random_uuid() = gen_random_uuid()",
                "t|36|f\n");
}

/* The string, bytea, date/time, json and bit functions data representation
 * casts use; each expectation is PostgreSQL 15's answer to the same query. */
static void test_representation_functions(void **state)
{
    expect_rows(state, "select initcap('hello wORLD-foo bar2baz'), initcap(null) is null",
                "Hello World-Foo Bar2baz|t\n");
    expect_rows(state, "select to_hex(255), to_hex(-1), to_hex(-1::bigint), to_hex(null::int)",
                "ff|ffffffff|ffffffffffffffff|\n");
    expect_rows(state,
                "select lpad('h\xc3\xa9llo', 3), lpad('ab', 6, 'xy'), lpad('ab', -1), "
                "lpad('ab', 5, ''), lpad('ab', 4, '\xc3\xa9')",
                "h\xc3\xa9l|xyxyab||ab|\xc3\xa9\xc3\xa9"
                "ab\n");
    expect_rows(state,
                "select replace('aaa', 'aa', 'b'), replace('abc', '', 'x'), replace('abc', 'b', "
                "''), replace(null, 'a', 'b') is null",
                "ba|abc|ac|t\n");
    expect_rows(state,
                "select substring('h\xc3\xa9llo', 0, 3), substring('h\xc3\xa9llo', 2), "
                "substring('h\xc3\xa9llo', 9), substr('abc', -1, 3), substring('abc', 2, 0)",
                "h\xc3\xa9|\xc3\xa9llo||a|\n");
    expect_rows(state,
                "select translate('h\xc3\xa9llo', 'l\xc3\xa9', 'L'), translate('12345', "
                "'143', 'ax')",
                "hLLo|a2x5\n");
    expect_rows(state,
                "select encode('\\x0102'::bytea, 'base64'), encode('\\x010203'::bytea, 'hex'), "
                "encode('\\x01'::bytea, 'base64')",
                "AQI=|010203|AQ==\n");
    /* 57 bytes are 76 characters and a newline (pg_base64_encode). */
    expect_rows(
        state,
        "select length(encode('\\xabababababababababababababababababababababababababababababab"
        "ababababababababababababababababababababababababababab'::bytea, 'base64'))",
        "77\n");
    expect_rows(state,
                "select extract(epoch from '2017-12-14 01:02:30+00'::timestamptz), extract(epoch "
                "from '1969-12-31 23:59:59.5+00'::timestamptz), extract(epoch from "
                "'2020-01-01'::date), date_part('epoch', '2020-01-01 00:00:01.25'::timestamp)",
                "1513213350.000000|-0.500000|1577836800|1577836801.25\n");
    expect_rows(state,
                "select '{\"a\":[1,{\"b\":\"x\"}]}'::json #>> '{a,1,b}', '\"s\"'::json #>> '{}', "
                "'{\"a\":1}'::jsonb #>> '{a}', '[1,2]'::json #>> '{-1}', '{\"a\":1}'::json #>> "
                "'{b}' is null",
                "x|s|1|2|t\n");
    expect_rows(state,
                "select 'x0100'::bit(16)::int, 'xFFFFFFFF'::bit(32)::int, 'xFF'::bit(8)::bigint, "
                "'x0100'::bit(8), '101'::bit(3)::int",
                "256|-1|255|00000001|5\n");
    expect_error(state, "select substring('abc', 1, -1)", "22011",
                 "negative substring length not allowed", 0);
    expect_error(state, "select encode('\\x01'::bytea, 'base32')", "22023",
                 "unrecognized encoding: \"base32\"", 0);
    expect_error(state, "select '012'::bit(3)", "22P02", "\"2\" is not a valid binary digit", 8);
    expect_error(state, "select 'x1FFFFFFFF'::bit(36)::int", "22003", "integer out of range", 0);
}

static void expect_hint(void **state, const char *sql, const char *hint)
{
    sql_exec_error_t err;
    char *got = run(*state, sql, &err, NULL);
    assert_null(got);
    if (!hint)
        assert_null(err.e.hint);
    else
        assert_string_equal(err.e.hint ? err.e.hint : "(none)", hint);
    sql_exec_error_dispose(&err);
}

static void test_errors(void **state)
{
    /* psql's HINTs (errorMissingColumn) */
    expect_hint(state, "select nope from items",
                "Perhaps you meant to reference the column \"items.name\".");
    expect_hint(state, "select i.nme from items i",
                "Perhaps you meant to reference the column \"i.name\".");
    expect_hint(state, "select labl from items i join cats c on true",
                "Perhaps you meant to reference the column \"c.label\".");
    expect_hint(state, "select nam from items i join cats c on true",
                "Perhaps you meant to reference the column \"i.name\" or the column "
                "\"c.name\".");
    expect_hint(state, "select zzzzzz from items", NULL);
    expect_error(state, "select nope from items", "42703", "column \"nope\" does not exist", 8);
    expect_error(state, "select * from nope", "42P01", "relation \"nope\" does not exist", 15);
    expect_error(state, "select name, count(*) from items", "42803",
                 "column \"items.name\" must appear in the GROUP BY clause or be used in an "
                 "aggregate function",
                 8);
    expect_error(state, "select id from items where count(*) > 1", "42803",
                 "aggregate functions are not allowed in WHERE", 28);
    expect_error(state, "select sum(name) from items", "42883", "function sum(text) does not exist",
                 8);
    expect_error(state, "select name - 1 from items", "42883",
                 "operator does not exist: text - integer", 13);
    expect_error(state, "select 2147483647 + 1", "22003", "integer out of range", 0);
    expect_error(state, "select 1 / 0", "22012", "division by zero", 0);
    expect_error(state, "select $3", "42P02", "there is no parameter $3", 8);
    expect_error(state, "select format('%x', 1)", "22023",
                 "unrecognized format() type specifier \"x\"", 0);
    expect_hint(state, "select format('%')", "For a single \"%\" use \"%%\".");
    expect_error(state, "select format('%s %s', 1)", "22023", "too few arguments for format()", 0);
    expect_error(state, "select format('%0$s', 1)", "22023",
                 "format specifies argument 0, but arguments are numbered from 1", 0);
    /* supamock's own bound (not Postgres's): nine tables in one FROM list */
    expect_error(state,
                 "select 1 from items a, items b, items c, items d, items e, items f, items g, "
                 "items h, items i",
                 "54000", "supamock: a FROM list of the memory engine names at most 8 tables", 0);
}

static void test_writes(void **state)
{
    uint64_t n = 0;
    sql_exec_error_t err;
    char *got = run(*state,
                    "insert into items (id, name, qty) values (10, 'x', 5), (11, 'y', default) "
                    "returning id, name, qty * 2",
                    &err, &n);
    assert_non_null(got);
    assert_string_equal(got, "10|x|10\n11|y|\n");
    assert_int_equal(n, 2);
    free(got);
    got = run(*state, "update items set qty = qty + 1 where cat = 'a' returning id, qty", &err, &n);
    assert_non_null(got);
    assert_string_equal(got, "1|4\n2|2\n");
    free(got);
    got = run(*state, "delete from items where qty is null", &err, &n);
    assert_non_null(got);
    assert_string_equal(got, "");
    assert_int_equal(n, 2); /* cherry and y */
    free(got);
    expect_rows(state, "select count(*) from items", "4\n");
    /* store constraints, as the REST path reports them */
    expect_error(state, "insert into items (id, name) values (1, 'dup')", "23505",
                 "duplicate key value violates unique constraint \"items_pkey\"", 0);
    expect_error(state, "insert into items (id) values (20)", "23502",
                 "null value in column \"name\" of relation \"items\" violates not-null "
                 "constraint",
                 0);
    expect_error(state, "insert into items (id, name) values ('x', 'a')", "22P02",
                 "invalid input syntax for type integer: \"x\"", 38);
    expect_error(state, "insert into items (nope) values (1)", "42703",
                 "column \"nope\" of relation \"items\" does not exist", 20);
    expect_error(state, "insert into items (id, name) values (1)", "42601",
                 "INSERT has more target columns than expressions", 24);
}

static void test_on_conflict(void **state)
{
    uint64_t n = 9;
    sql_exec_error_t err;
    char *got = run(*state,
                    "insert into items (id, name, qty) values (1, 'again', 9), (20, 'new', 1) on "
                    "conflict (id) do update set qty = items.qty + excluded.qty returning id, "
                    "name, qty",
                    &err, &n);
    assert_non_null(got);
    assert_string_equal(got, "1|apple|12\n20|new|1\n");
    free(got);
    got = run(*state,
              "insert into items (id, name) values (1, 'x') on conflict do nothing "
              "returning id",
              &err, &n);
    assert_non_null(got);
    assert_string_equal(got, "");
    assert_int_equal(n, 0);
    free(got);
    /* the arbiter's WHERE leaves banana (qty 1) alone */
    got = run(*state,
              "insert into items (id, name) values (2, 'x') on conflict (id) do update set name "
              "= excluded.name where items.qty > 5 returning id",
              &err, &n);
    assert_string_equal(got, "");
    free(got);
    expect_error(state,
                 "insert into items (id, name) values (1,'x') on conflict do update set "
                 "qty = 0",
                 "42601",
                 "ON CONFLICT DO UPDATE requires inference specification or constraint name", 45);
    expect_error(state, "insert into items (id, name) values (1,'x') on conflict (name) do nothing",
                 "42P10",
                 "there is no unique or exclusion constraint matching the ON CONFLICT "
                 "specification",
                 0);
}

static void test_aggregate_subqueries(void **state)
{
    expect_rows(state, "select coalesce((select max(qty) from items), 0) + 1", "8\n");
    expect_rows(state, "select name from items where qty = (select max(qty) from items)", "date\n");
    expect_rows(state,
                "select (select count(*) from items i2 where i2.cat = i.cat) from items i order "
                "by id",
                "2\n2\n1\n0\n");
    expect_rows(state, "select exists (select count(*) from items where false)", "t\n");
    expect_rows(state, "select 3 in (select sum(qty) - 8 from items)", "t\n");
    expect_error(state, "select (select name from items where count(*) > 0)", "42803",
                 "aggregate functions are not allowed in WHERE", 38);
    expect_error(state, "select (select name, count(*) from items)", "42803",
                 "column \"items.name\" must appear in the GROUP BY clause or be used in an "
                 "aggregate function",
                 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_params_and_exprs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count_where, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_by, setup, teardown),
        cmocka_unit_test_setup_teardown(test_joins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_limit_distinct, setup, teardown),
        cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_representation_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_on_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregate_subqueries, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
