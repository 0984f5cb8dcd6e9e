/* urlcodec: form decoding as Haskell's urlDecode (PostgREST's query string),
 * path decoding as the HTTP layer needs it, and Network.HTTP.Base.urlEncode. */
#include "urlcodec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

static void test_form_decode(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    /* + is a space, %XX in either case, a short or invalid escape is kept */
    assert_string_equal(url_form_decode(a, "a%20b+c%4", 9), "a b c%4");
    assert_string_equal(url_form_decode(a, "%e2%82%AC", 9), "\xe2\x82\xac");
    assert_string_equal(url_form_decode(a, "%zz%", 4), "%zz%");
    /* only n bytes are read */
    assert_string_equal(url_form_decode(a, "abc&d=e", 3), "abc");
    arena_free(a);
}

static void test_form_decode_text(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    /* UTF-8 passes, a decoded NUL becomes URL_NUL */
    assert_string_equal(url_form_decode_text(a, "a+%C3%A9", 8), "a \xc3\xa9");
    assert_string_equal(url_form_decode_text(a, "x%00y%00", 8), "x" URL_NUL "y" URL_NUL);
    /* not UTF-8 (T.decodeUtf8 throws): a stray byte, a cut sequence, an
     * overlong form (C0 80 included, so URL_NUL never comes from a client),
     * a surrogate, a code point past U+10FFFF, raw bytes as well as escapes */
    const char *bad[] = {"%FF",       "%C3",          "%C3%28", "%C0%80", "%E0%80%80",
                         "%ED%A0%80", "%F4%90%80%80", "\xff",   "a\xc3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_null(url_form_decode_text(a, bad[i], strlen(bad[i])));
    /* the largest scalar values of each length pass */
    assert_non_null(url_form_decode_text(a, "%F4%8F%BF%BF%ED%9F%BF%DF%BF", 27));
    arena_free(a);
}

static void test_path_decode(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    /* + stays, %00 stays literal so the result remains one C string */
    assert_string_equal(url_path_decode(a, "/a+b%2Fc", 8), "/a+b/c");
    assert_string_equal(url_path_decode(a, "/x%00y", 6), "/x%00y");
    assert_string_equal(url_path_decode(a, "/%4", 3), "/%4");
    arena_free(a);
}

static void test_encode(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    url_encode(&b, "id=eq.1 a/b~c-d_e.f\xc3\xa9");
    assert_string_equal(buf_cstr(&b), "id%3Deq.1%20a%2Fb~c-d_e.f%C3%A9");
    buf_reset(&b);
    url_encode(&b, "a" URL_NUL "b");
    assert_string_equal(buf_cstr(&b), "a%00b");
    buf_dispose(&b);
}

static void test_query_iteration(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    /* Empty pairs are skipped, a bare name has "", names and values are
     * form-decoded; the lookup compares decoded names, first match wins. */
    const char *q = "&a=1&&b&c%3Dd=x+y%21&a=2&";
    const char *cursor = q, *n, *v;
    const char *want[][2] = {{"a", "1"}, {"b", ""}, {"c=d", "x y!"}, {"a", "2"}};
    size_t i = 0;
    while (url_query_next(a, &cursor, &n, &v)) {
        assert_true(i < 4);
        assert_string_equal(n, want[i][0]);
        assert_string_equal(v, want[i][1]);
        i++;
    }
    assert_int_equal(i, 4);
    assert_string_equal(url_query_param(a, q, "a"), "1");
    assert_string_equal(url_query_param(a, q, "c=d"), "x y!");
    assert_string_equal(url_query_param(a, q, "b"), "");
    assert_null(url_query_param(a, q, "zz"));
    assert_null(url_query_param(a, NULL, "a"));
    cursor = "";
    assert_false(url_query_next(a, &cursor, &n, &v));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_decode),     cmocka_unit_test(test_form_decode_text),
        cmocka_unit_test(test_path_decode),     cmocka_unit_test(test_encode),
        cmocka_unit_test(test_query_iteration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
