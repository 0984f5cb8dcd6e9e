/* glob_match: fault-rule globs (`*`) match the whole value. */
#include "glob.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void test_whole_value(void **state)
{
    (void)state;
    assert_true(glob_match("/rest/v1/profiles", "/rest/v1/profiles"));
    assert_false(glob_match("/rest/v1/profiles", "/rest/v1/profiles2"));
    assert_false(glob_match("/rest/v1/profiles", "/rest/v1/profile"));
    assert_true(glob_match("/rest/v1/*", "/rest/v1/profiles"));
    assert_false(glob_match("/rest/v1/*", "/auth/v1/token"));
    assert_false(glob_match("", "a"));
    assert_true(glob_match("", ""));
}

static void test_stars(void **state)
{
    (void)state;
    assert_true(glob_match("*", ""));
    assert_true(glob_match("a*c", "abbbc"));
    assert_true(glob_match("a*b*c", "aXbYbZc"));
    assert_false(glob_match("a*c", "abcd"));
    assert_true(glob_match("**x", "x"));
    /* A Prefer header glob, as a fault rule would use it. */
    assert_true(glob_match("*return=representation*", "count=exact,return=representation"));
    assert_true(glob_match("eq.*", "eq.13ab4cf1-8587-4685-874b-c2d37beeab38"));
    assert_false(glob_match("eq.*", "neq.1"));
}

static void test_no_blowup(void **state)
{
    (void)state;
    /* A pattern that is exponential for naive backtracking finishes at once. */
    char s[4001];
    for (int i = 0; i < 4000; i++)
        s[i] = 'a';
    s[4000] = '\0';
    assert_false(glob_match("*a*a*a*a*a*a*a*a*a*a*b", s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_value),
        cmocka_unit_test(test_stars),
        cmocka_unit_test(test_no_blowup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
