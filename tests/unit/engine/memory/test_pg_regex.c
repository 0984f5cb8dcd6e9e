/* pg_regex: ARE syntax and matching as PostgreSQL 15 answers them (the tables
 * below are PostgreSQL 15.20's answers to `select S ~ P` / `S ~* P` and to the
 * malformed patterns), plus the bounds: steps charged to the work, and
 * patterns that blow up elsewhere answered at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pg_regex.h"

#include <stdlib.h>
#include <string.h>

/* subject, pattern, ~* (else ~), PostgreSQL 15.20's answer. */
static const struct {
    const char *s, *p;
    bool icase;
    int want;
} matches[] = {
    {"demo@example.com", "^demo", false, 1},
    {"demo@example.com", "^DEMO", false, 0},
    {"demo@example.com", "^DEMO", true, 1},
    {"demo@example.com", "example\\.com$", false, 1},
    {"demo@example.com", "example$", false, 0},
    {"abc", "^abc$", false, 1},
    {"xabc", "^abc", false, 0},
    {"abc\012", "abc$", false, 0},
    {"a\012b", "a.b", false, 1},
    {"a\012b", "(?n)a.b", false, 0},
    {"a\012b", "(?n)^b", false, 1},
    {"a\012b", "^b", false, 0},
    {"a\012b", "(?w)a$", false, 1},
    {"a\012b", "a[^x]b", false, 1},
    {"a\012b", "(?p)a[^x]b", false, 0},
    {"hello world", "\\mworld", false, 1},
    {"helloworld", "\\mworld", false, 0},
    {"hello world", "hello\\M", false, 1},
    {"hello world", "o\\yw", false, 0},
    {"hello world", "o\\y w", false, 1},
    {"hello world", "l\\Yl", false, 1},
    {"abc123", "[[:digit:]]+$", false, 1},
    {"abc", "[[:digit:]]", false, 0},
    {"ABC", "[[:lower:]]", true, 1},
    {"ABC", "[[:lower:]]", false, 0},
    {"abc", "\\d", false, 0},
    {"a1", "\\d", false, 1},
    {"a b", "\\s", false, 1},
    {"ab", "\\S\\S", false, 1},
    {"a_b", "^\\w+$", false, 1},
    {"a-b", "^\\w+$", false, 0},
    {"a-b", "^[\\w-]+$", false, 1},
    {"12", "^[^\\D]+$", false, 1},
    {"\303\211COLE", "\303\251cole", true, 1},
    {"\303\211cole", "^[a-z\303\251]+$", true, 1},
    {"stra\303\237e", "STRASSE", true, 0},
    {"\303\204\303\226\303\234", "\303\244\303\266\303\274", true, 1},
    {"\346\227\245\346\234\254\350\252\236", "^.{3}$", false, 1},
    {"\346\227\245\346\234\254\350\252\236", "\346\234\254", false, 1},
    {"\346\227\245\346\234\254\350\252\236", "^[\346\227\245\346\234\254]+\350\252\236$", false, 1},
    {"aaa", "a{3}", false, 1},
    {"aa", "a{3}", false, 0},
    {"aaaa", "^a{2,3}$", false, 0},
    {"aaa", "^a{2,3}$", false, 1},
    {"a", "^a{0,}$", false, 1},
    {"", "^a{0,2}$", false, 1},
    {"abab", "^(ab)+$", false, 1},
    {"abab", "^(?:ab){2}$", false, 1},
    {"abba", "^(a)(b)\\2\\1$", false, 1},
    {"abab", "^(a)(b)\\2\\1$", false, 0},
    {"xyzxyz", "(x.z)\\1", false, 1},
    {"xyzxYz", "(x.z)\\1", false, 0},
    {"xyzXYZ", "(x.z)\\1", true, 1},
    {"aaab", "(a*)\\1*b", false, 1},
    {"cat", "cat|dog", false, 1},
    {"dog", "^(cat|dog)$", false, 1},
    {"cow", "^(cat|dog)$", false, 0},
    {"", "", false, 1},
    {"a", "a|", false, 1},
    {"b", "^(a|)$", false, 0},
    {"", "^(a|)$", false, 1},
    {"a{", "a{", false, 1},
    {"a{,3}", "a{,3}", false, 1},
    {"a}", "a}", false, 1},
    {"a]", "a]", false, 1},
    {"[]", "[]]", false, 1},
    {"a", "[^]a]", false, 0},
    {"a.c", "a\\.c", false, 1},
    {"abc", "a\\.c", false, 0},
    {"a+c", "***=a+c", false, 1},
    {"aac", "***=a+c", false, 0},
    {"A+C", "(?q)a+c", true, 1},
    {"ab", "(?x) a b # comment", false, 1},
    {"a b", "(?x)a\\ b", false, 1},
    {"AB", "(?c)ab", true, 0},
    {"AB", "(?i)ab", false, 1},
    {"\011", "\\t", false, 1},
    {"A", "\\x41", false, 1},
    {"A", "\\u0041", false, 1},
    {"A", "\\101", false, 1},
    {"ab", "a*?b", false, 1},
    {"b", "^a??b$", false, 1},
    {"z", "[a-z]", false, 1},
    {"Z", "[a-z]", false, 0},
    {"Z", "[a-z]", true, 1},
    {"-", "[a-]", false, 1},
    {"-", "[-a]", false, 1},
};
/* PostgreSQL 15's message after "invalid regular expression: " (NULL: accepted). */
static const struct {
    const char *p, *message;
} errors[] = {
    {"(", "parentheses () not balanced"},
    {"[a", "brackets [] not balanced"},
    {"a{2,1}", "invalid repetition count(s)"},
    {"*a", "quantifier operand invalid"},
    {"a**", "quantifier operand invalid"},
    {"\\", "invalid escape \\ sequence"},
    {"\\q", "invalid escape \\ sequence"},
    {"a{0,32767}", "invalid repetition count(s)"},
    {"a{256}", "invalid repetition count(s)"},
    {"((a{1,100}){1,100}){1,100}", "regular expression is too complex"},
    {"(a{255}){255}", "regular expression is too complex"},
    {"[[:foo:]]", "invalid character class"},
    {"[b-a]", "invalid character range"},
    {"(?z)a", "invalid embedded option"},
    {"a{1", "braces {} not balanced"},
    {"\\1", "invalid backreference number"},
    {"(a)\\2", "invalid backreference number"},
    {")", "parentheses () not balanced"},
    {"a)", "parentheses () not balanced"},
    {"x(?i)", "quantifier operand invalid"},
    {"^*", "quantifier operand invalid"},
    {"a{1}{2}", "quantifier operand invalid"},
    {"(a{1,100}){1,100}", NULL},
    {"[[.ab.]]", "invalid collating element"},
    {"[a-c-e]", "invalid character range"},
    {"a|*", "quantifier operand invalid"},
    {"(a|b){255}{3}", "quantifier operand invalid"},
    {"[\\q]", "invalid escape \\ sequence"},
    {"\\x", "invalid escape \\ sequence"},
    {"\\u12", "invalid escape \\ sequence"},
};

static int match(const char *p, bool icase, const char *s, mock_work_t *w)
{
    const char *msg = NULL;
    pg_regex_t *re = pg_regex_compile(p, strlen(p), icase, &msg);
    if (!re)
        fail_msg("%s: %s", p, msg);
    int r = pg_regex_match(re, s, strlen(s), w);
    pg_regex_free(re);
    return r;
}

static void test_matches_like_postgres(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++) {
        int got = match(matches[i].p, matches[i].icase, matches[i].s, NULL);
        if (got != matches[i].want)
            fail_msg("'%s' %s '%s': got %d, Postgres says %d", matches[i].s,
                     matches[i].icase ? "~*" : "~", matches[i].p, got, matches[i].want);
    }
}

static void test_errors_like_postgres(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        const char *msg = NULL;
        pg_regex_t *re = pg_regex_compile(errors[i].p, strlen(errors[i].p), false, &msg);
        if (errors[i].message) {
            if (re)
                fail_msg("%s: compiled, Postgres says %s", errors[i].p, errors[i].message);
            assert_string_equal(msg, errors[i].message);
        } else if (!re) {
            fail_msg("%s: %s, Postgres accepts it", errors[i].p, msg);
        }
        pg_regex_free(re);
    }
}

static char *repeat(char c, size_t n, const char *tail)
{
    char *s = malloc(n + strlen(tail) + 1);
    memset(s, c, n);
    strcpy(s + n, tail);
    return s;
}

/* Nested quantifiers are linear in the subject: no backtracking blow-up. */
static void test_nested_quantifiers_are_linear(void **state)
{
    (void)state;
    char *s = repeat('a', 20000, "");
    mock_work_t w;
    mock_work_init(&w, 10 * 1000 * 1000);
    assert_int_equal(match("(a*)*b", false, s, &w), 0);
    assert_int_equal(match("(a|aa)+$", false, s, &w), 1);
    assert_int_equal(match("^(a+)+c", false, s, &w), 0);
    assert_false(w.exhausted);
    free(s);
}

/* The steps a match takes are charged; when they run out the answer is -1. */
static void test_steps_run_out(void **state)
{
    (void)state;
    char *s = repeat('a', 50000, "");
    mock_work_t w;
    mock_work_init(&w, 100000);
    assert_int_equal(match("(a{1,100}){1,100}b", false, s, &w), -1);
    assert_true(w.exhausted);
    assert_int_equal(w.left, 0);
    /* Once stopped, every later match stops at once. */
    assert_int_equal(match("a", false, "a", &w), -1);
    free(s);
}

/* Backreferences: verified by a backtracker whose steps are charged too. */
static void test_backreference_is_bounded(void **state)
{
    (void)state;
    char *s = repeat('a', 3000, "");
    mock_work_t w;
    mock_work_init(&w, 1000000);
    /* No 'b' anywhere: the automaton says no before any backtracking. */
    assert_int_equal(match("(a*)\\1*b", false, s, &w), 0);
    assert_false(w.exhausted);
    free(s);
    s = repeat('a', 3000, "c");
    mock_work_init(&w, 1000000);
    assert_int_equal(match("^(a|aa)+\\1c$", false, s, &w), 1);
    mock_work_init(&w, 1000000);
    int r = match("(a*)(a*)\\2\\1\\2x?c.b", false, s, &w);
    assert_true(r == 0 || r == -1);
    assert_true(r == 0 || w.exhausted);
    free(s);
}

static void test_case_insensitive_and_anchors(void **state)
{
    (void)state;
    assert_int_equal(match("^demo@EXAMPLE\\.com$", true, "Demo@Example.com", NULL), 1);
    assert_int_equal(match("^demo@EXAMPLE\\.com$", false, "Demo@Example.com", NULL), 0);
    assert_int_equal(match("[A-Z]+", true, "abc", NULL), 1);
    assert_int_equal(match("^b", false, "ab", NULL), 0);
    assert_int_equal(match("a$", false, "ab", NULL), 0);
    assert_int_equal(match("\\Aab\\Z", false, "ab", NULL), 1);
    assert_int_equal(match("[[:alpha:]]+[[:space:]][[:upper:]]", false, "Demo User", NULL), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_like_postgres),
        cmocka_unit_test(test_errors_like_postgres),
        cmocka_unit_test(test_nested_quantifiers_are_linear),
        cmocka_unit_test(test_steps_run_out),
        cmocka_unit_test(test_backreference_is_bounded),
        cmocka_unit_test(test_case_insensitive_and_anchors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
