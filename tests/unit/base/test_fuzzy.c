/* Unit tests for fuzzy.c, the "Perhaps you meant" matcher
 * (fuzzyset-haskell 0.2.x getOne). Scores are
 * 1 - levenshtein(lower(q), lower(c)) / max(len); the expected values were
 * worked out by hand from that formula (distances stated in comments), not
 * read from the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fuzzy.h"

#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_thresholds(void **state)
{
    (void)state;
    /* v14.6+ uses 0.75 for table names, earlier versions 0.33 (PostgREST
     * CHANGELOG 14.6). */
    assert_true(FUZZY_MIN_SCORE_TABLES == 0.75);
    assert_true(FUZZY_MIN_SCORE_LEGACY == 0.33);
}

static void test_reference_examples(void **state)
{
    (void)state;
    /* `todo` when `todos` exists scores 0.8 (distance 1 over 5)
     * and gives the hint even with the v14.6 threshold. */
    assert_float_equal(fuzzy_score("todo", "todos"), 0.8, 1e-9);
    const char *tables[] = {"profiles", "todos", "users_private"};
    assert_int_equal(fuzzy_best("todo", tables, N(tables), FUZZY_MIN_SCORE_TABLES), 1);
    assert_int_equal(fuzzy_best("todo", tables, N(tables), FUZZY_MIN_SCORE_LEGACY), 1);
    /* The motivating bug report's table (README): profile vs profiles,
     * distance 1 over 8 = 0.875. */
    assert_float_equal(fuzzy_score("profile", "profiles"), 0.875, 1e-9);
    assert_int_equal(fuzzy_best("profile", tables, N(tables), FUZZY_MIN_SCORE_TABLES), 0);
}

static void test_threshold_075_vs_033(void **state)
{
    (void)state;
    const char *tables[] = {"todos", "profiles"};
    /* prof vs profiles: distance 4 over 8 = 0.5: a hint before v14.6 only. */
    assert_float_equal(fuzzy_score("prof", "profiles"), 0.5, 1e-9);
    assert_int_equal(fuzzy_best("prof", tables, N(tables), FUZZY_MIN_SCORE_LEGACY), 1);
    assert_int_equal(fuzzy_best("prof", tables, N(tables), FUZZY_MIN_SCORE_TABLES), -1);
    /* The minimum is inclusive (`filter ((>= minScore) . fst)` in fuzzyset):
     * abcd vs abce is distance 1 over 4 = 0.75 exactly. */
    const char *one[] = {"abce"};
    assert_float_equal(fuzzy_score("abcd", "abce"), 0.75, 1e-9);
    assert_int_equal(fuzzy_best("abcd", one, 1, FUZZY_MIN_SCORE_TABLES), 0);
    /* Just below: abcde vs abxyz is distance 3 over 5 = 0.4. */
    const char *two[] = {"abxyz"};
    assert_int_equal(fuzzy_best("abcde", two, 1, FUZZY_MIN_SCORE_TABLES), -1);
    assert_int_equal(fuzzy_best("abcde", two, 1, FUZZY_MIN_SCORE_LEGACY), 0);
}

static void test_exact_case_insensitive(void **state)
{
    (void)state;
    /* An exact case-insensitive match scores 1.0 and wins over everything,
     * whatever the minimum. */
    const char *tables[] = {"Profile", "profiles", "PROFILES_archive"};
    assert_float_equal(fuzzy_score("PROFILES", "profiles"), 1.0, 1e-12);
    assert_int_equal(fuzzy_best("PROFILES", tables, N(tables), 1.0), 1);
    assert_int_equal(fuzzy_best("profile", tables, N(tables), FUZZY_MIN_SCORE_TABLES), 0);
    /* Case does not count as an edit in the distance stage either: TODO vs
     * todos is still 0.8. */
    assert_float_equal(fuzzy_score("TODO", "todos"), 0.8, 1e-9);
    const char *t2[] = {"todos"};
    assert_int_equal(fuzzy_best("TODO", t2, 1, FUZZY_MIN_SCORE_TABLES), 0);
}

static void test_unrelated(void **state)
{
    (void)state;
    const char *tables[] = {"profiles", "todos"};
    /* No shared 2-gram at all (-x xy yz z- against the candidates'): score 0
     * (fuzzy.h) and no hint. */
    assert_float_equal(fuzzy_score("xyz", "profiles"), 0.0, 1e-12);
    assert_int_equal(fuzzy_best("xyz", tables, N(tables), FUZZY_MIN_SCORE_LEGACY), -1);
    assert_int_equal(fuzzy_best("xyz", tables, N(tables), FUZZY_MIN_SCORE_TABLES), -1);
    /* A shared 2-gram ("s-") but a poor distance: users vs profiles is 7 over
     * 8 = 0.125, below both minimums. */
    const char *one[] = {"profiles"};
    assert_float_equal(fuzzy_score("users", "profiles"), 0.125, 1e-9);
    assert_int_equal(fuzzy_best("users", one, 1, FUZZY_MIN_SCORE_LEGACY), -1);
    /* Nothing to choose from. */
    assert_int_equal(fuzzy_best("todo", NULL, 0, FUZZY_MIN_SCORE_LEGACY), -1);
}

static void test_bigram_fallback(void **state)
{
    (void)state;
    /* orders and todos share no 3-gram (-or ord rde der ers rs- against -to
     * tod odo dos os-) but share the 2-gram "s-". With 3-grams nothing is
     * found, so 2-grams are tried (fuzzyset-haskell); the distance is 4 over 6,
     * a score of 1/3, which passes 0.33 and fails 0.75. */
    const char *tables[] = {"todos"};
    assert_float_equal(fuzzy_score("orders", "todos"), 1.0 / 3.0, 1e-9);
    assert_int_equal(fuzzy_best("orders", tables, 1, FUZZY_MIN_SCORE_LEGACY), 0);
    assert_int_equal(fuzzy_best("orders", tables, 1, FUZZY_MIN_SCORE_TABLES), -1);
}

static void test_underscore_stripping(void **state)
{
    (void)state;
    /* For the gram stage, '_' and other punctuation are removed (fuzzyset
     * `normalized` keeps alphanumerics, spaces and commas), so userprofiles
     * and user_profiles have identical grams. The distance stage compares
     * the lowercased names with the '_' still in them: distance 1 over 13. */
    const char *tables[] = {"todos", "user_profiles"};
    assert_float_equal(fuzzy_score("userprofiles", "user_profiles"), 12.0 / 13.0, 1e-9);
    assert_int_equal(fuzzy_best("userprofiles", tables, N(tables), FUZZY_MIN_SCORE_TABLES), 1);
    /* profile_s vs profiles: distance 1 over 9. */
    const char *t2[] = {"profiles"};
    assert_float_equal(fuzzy_score("profile_s", "profiles"), 8.0 / 9.0, 1e-9);
    assert_int_equal(fuzzy_best("profile_s", t2, 1, FUZZY_MIN_SCORE_TABLES), 0);
    /* A name that is only punctuation normalises to nothing: no shared gram
     * with a real table, so no hint. */
    assert_int_equal(fuzzy_best("___", t2, 1, FUZZY_MIN_SCORE_LEGACY), -1);
}

static void test_best_of_several(void **state)
{
    (void)state;
    /* item: items scores 0.8 (distance 1 over 5); todos and profiles score
     * far lower. The best wins regardless of its position. */
    const char *a[] = {"todos", "items", "profiles"};
    assert_int_equal(fuzzy_best("item", a, N(a), FUZZY_MIN_SCORE_LEGACY), 1);
    const char *b[] = {"items", "todos", "profiles"};
    assert_int_equal(fuzzy_best("item", b, N(b), FUZZY_MIN_SCORE_LEGACY), 0);
    /* Equal scores keep the earlier candidate (fuzzy.h contract): todo vs
     * todos and todo vs todox are both 0.8. */
    const char *c[] = {"todox", "todos"};
    assert_int_equal(fuzzy_best("todo", c, N(c), FUZZY_MIN_SCORE_TABLES), 0);
    const char *d[] = {"todos", "todox"};
    assert_int_equal(fuzzy_best("todo", d, N(d), FUZZY_MIN_SCORE_TABLES), 0);
}

static void test_long_names(void **state)
{
    (void)state;
    /* Very long names must not crash or read out of bounds. */
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const char *tables[] = {"profiles", big};
    int r = fuzzy_best(big, tables, N(tables), FUZZY_MIN_SCORE_TABLES);
    assert_int_equal(r, 1); /* exact match */
    (void)fuzzy_best("aaaa", tables, N(tables), FUZZY_MIN_SCORE_LEGACY);
    (void)fuzzy_score(big, "profiles");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_reference_examples),
        cmocka_unit_test(test_threshold_075_vs_033),
        cmocka_unit_test(test_exact_case_insensitive),
        cmocka_unit_test(test_unrelated),
        cmocka_unit_test(test_bigram_fallback),
        cmocka_unit_test(test_underscore_stripping),
        cmocka_unit_test(test_best_of_several),
        cmocka_unit_test(test_long_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
