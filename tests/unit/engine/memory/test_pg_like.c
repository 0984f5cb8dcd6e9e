/* pg_like: LIKE/ILIKE as PostgreSQL 15 answers them (each expectation below
 * is its answer to the same expression), and the bound: the %a%a%b pattern
 * that backtracked exponentially stays within a few steps per character. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pg_like.h"

#include <stdlib.h>
#include <string.h>

static int like(const char *p, bool icase, const char *s, mock_work_t *w)
{
    pg_like_t *lk = pg_like_compile(p, icase);
    int r = pg_like_match(lk, s, strlen(s), w);
    pg_like_free(lk);
    return r;
}

static void test_like_like_postgres(void **state)
{
    (void)state;
    assert_int_equal(like("demo%", false, "demo@example.com", NULL), 1);
    assert_int_equal(like("DEMO%", false, "demo@example.com", NULL), 0);
    assert_int_equal(like("DEMO%", true, "demo@example.com", NULL), 1);
    assert_int_equal(like("%second%", false, "second@example.com", NULL), 1);
    assert_int_equal(like("_emo%", false, "demo", NULL), 1);
    assert_int_equal(like("d_mo", false, "dmo", NULL), 0);
    assert_int_equal(like("%", false, "", NULL), 1);
    assert_int_equal(like("", false, "", NULL), 1);
    assert_int_equal(like("_", false, "é", NULL), 1); /* one character, two bytes */
    assert_int_equal(like("__", false, "é", NULL), 0);
    assert_int_equal(like("ÉCOLE", true, "école", NULL), 1);
    assert_int_equal(like("50\\%", false, "50%", NULL), 1);
    assert_int_equal(like("50\\%", false, "500", NULL), 0);
    assert_int_equal(like("a\\_b", false, "a_b", NULL), 1);
    assert_int_equal(like("a\\_b", false, "axb", NULL), 0);
    assert_int_equal(like("%\\\\", false, "a\\", NULL), 1);
}

/* 'a' LIKE 'a\' is 22025 once matching reaches the escape; '' LIKE 'a\' is
 * false (Postgres never gets there). */
static void test_trailing_escape(void **state)
{
    (void)state;
    mock_work_t w;
    mock_work_init(&w, 1000);
    assert_int_equal(like("a\\", false, "", &w), 0);
    assert_null(w.fail_code);
    assert_int_equal(like("a\\", false, "ab", &w), -1);
    assert_string_equal(w.fail_code, "22025");
    assert_string_equal(w.fail_message, "LIKE pattern must not end with escape character");
}

static void test_backtracking_is_bounded(void **state)
{
    (void)state;
    size_t n = 20000;
    char *s = malloc(n + 1);
    memset(s, 'a', n);
    s[n] = '\0';
    mock_work_t w;
    mock_work_init(&w, 10 * n);
    assert_int_equal(like("%a%a%b", false, s, &w), 0);
    assert_int_equal(like("%a%a%b", true, s, &w), 0);
    assert_int_equal(like("%a%a%a", false, s, &w), 1);
    assert_false(w.exhausted);
    /* A budget too small stops the match. */
    mock_work_init(&w, 100);
    assert_int_equal(like("%b", false, s, &w), -1);
    assert_true(w.exhausted);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_like_like_postgres),
        cmocka_unit_test(test_trailing_escape),
        cmocka_unit_test(test_backtracking_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
