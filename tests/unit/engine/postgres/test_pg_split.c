/* engine/postgres/pg_split.c: statement boundaries as psql finds them
 * (src/bin/psql/psqlscan.l): strings, quoted identifiers, dollar quotes,
 * comments, parentheses and BEGIN ATOMIC bodies; positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pg_split.h"

#include <string.h>

/* Splits text and checks the statements' texts. */
static void expect(const char *text, const char *const *want, size_t n)
{
    pg_stmt_span_t spans[16];
    size_t count = pg_split(text, strlen(text), spans, 16);
    assert_int_equal(count, n);
    for (size_t i = 0; i < n; i++) {
        size_t len = spans[i].end - spans[i].start;
        assert_int_equal(len, strlen(want[i]));
        assert_memory_equal(text + spans[i].start, want[i], len);
    }
}

static void test_plain(void **state)
{
    (void)state;
    const char *w[] = {"create table a (x int);", "insert into a values (1);"};
    expect("create table a (x int);\n  insert into a values (1);\n", w, 2);
    const char *w2[] = {"select 1"};
    expect("-- only a comment;\n/* and ; one */ select 1", w2, 1);
    expect("  ;; -- nothing\n", NULL, 0);
}

static void test_quotes(void **state)
{
    (void)state;
    const char *w[] = {"select 'a;b''c', \"x;\"\"y\", E'\\';', $$;$$;", "select $f$ $$ ; $f$;",
                       "select 1 -- c;\n;"};
    expect("select 'a;b''c', \"x;\"\"y\", E'\\';', $$;$$; select $f$ $$ ; $f$; select 1 -- c;\n;",
           w, 3);
}

static void test_function_bodies(void **state)
{
    (void)state;
    const char *fn = "create function f() returns int language plpgsql as $body$\n"
                     "begin\n  return 1;\nend;\n$body$;";
    const char *w[] = {fn};
    expect(fn, w, 1);
    /* A SQL-standard body: psql counts BEGIN (and CASE) against END. */
    const char *atomic = "create function g(x int) returns int begin atomic\n"
                         "  select case when x > 0 then 1 else 0 end;\n  select 2;\nend;";
    const char *w2[] = {atomic, "select 3;"};
    expect("create function g(x int) returns int begin atomic\n"
           "  select case when x > 0 then 1 else 0 end;\n  select 2;\nend; select 3;",
           w2, 2);
    /* A transaction's BEGIN is the statement's first word: not a block. */
    const char *w3[] = {"begin;", "select 1;", "commit;"};
    expect("begin; select 1; commit;", w3, 3);
    /* $1 is a parameter, a$b an identifier: neither opens a dollar quote. */
    const char *w4[] = {"prepare p as select $1;", "select a$b;"};
    expect("prepare p as select $1; select a$b;", w4, 2);
}

static void test_psql_counts_begin_only_in_routines(void **state)
{
    (void)state;
    /* psqlscan.l counts BEGIN/END only after CREATE [OR REPLACE]
     * FUNCTION|PROCEDURE: a column named begin elsewhere ends nothing. */
    const char *w[] = {"select 1 as begin;", "select 2;"};
    expect("select 1 as begin; select 2;", w, 2);
    const char *w2[] = {"create or replace procedure p() begin atomic select 1; end;", "select 3;"};
    expect("create or replace procedure p() begin atomic select 1; end; select 3;", w2, 2);
    /* CASE counts only inside a BEGIN: a CASE expression in a default. */
    const char *w3[] = {"create function f(x int default case when true then 1 end) returns int "
                        "language sql as 'select x';",
                        "select 4;"};
    expect("create function f(x int default case when true then 1 end) returns int "
           "language sql as 'select x'; select 4;",
           w3, 2);
}

static void test_what_the_scanner_refuses_runs_to_the_end(void **state)
{
    (void)state;
    /* Postgres's scanner refuses an unterminated string: the statement it is
     * in runs to the end of the text, and the server reports it. */
    const char *w[] = {"select 1;", "select 'a; select 2;"};
    expect("select 1; select 'a; select 2;", w, 2);
    const char *w2[] = {"select 1;", "/* open ; comment"};
    expect("select 1; /* open ; comment", w2, 2);
    const char *w3[] = {"select $q$ body;"};
    expect("select $q$ body;", w3, 1);
}

static void test_positions(void **state)
{
    (void)state;
    const char *t = "ab\ncé d";
    int line, col;
    pg_split_line_col(t, strlen(t), 7, &line, &col); /* the d after a 2-byte é */
    assert_int_equal(line, 2);
    assert_int_equal(col, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_function_bodies),
        cmocka_unit_test(test_psql_counts_begin_only_in_routines),
        cmocka_unit_test(test_what_the_scanner_refuses_runs_to_the_end),
        cmocka_unit_test(test_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
