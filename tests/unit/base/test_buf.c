/* Unit tests for buf.c: growth across many appends, NUL termination after
 * every operation, printf, reset/steal ownership, and JSON string escaping as
 * Postgres's escape_json writes it (src/backend/utils/adt/json.c: \" \\ \b \f
 * \n \r \t, other bytes below 0x20 as \u00xx with lowercase hex, everything
 * else raw) and as aeson writes PostgREST's own strings (quotes and newlines
 * escaped, non-ASCII raw UTF-8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "buf.h"

#include <stdlib.h>
#include <string.h>

static void test_empty(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    /* buf_cstr promises "" rather than NULL when nothing was appended. */
    assert_string_equal(buf_cstr(&b), "");
    char *s = buf_steal(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    buf_dispose(&b);
    buf_dispose(&b); /* disposing twice is harmless: dispose re-inits */
}

static void test_growth_and_termination(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    /* 10000 single bytes force many reallocations; every intermediate state
     * must be a valid C string of the right length. */
    for (size_t i = 0; i < 10000; i++) {
        buf_putc(&b, (char)('a' + i % 26));
        assert_int_equal(b.len, i + 1);
        assert_true(b.cap > b.len);
        assert_int_equal(b.data[b.len], '\0');
        assert_int_equal(strlen(b.data), b.len);
    }
    for (size_t i = 0; i < 10000; i++)
        assert_int_equal(b.data[i], 'a' + i % 26);
    buf_dispose(&b);
}

static void test_append_embedded_nul_and_empty(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_append(&b, "ab\0cd", 5);
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "ab\0cd", 6); /* the NUL after the data as well */
    buf_append(&b, "", 0);
    assert_int_equal(b.len, 5);
    buf_puts(&b, "ef");
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "ab\0cdef", 8);
    buf_dispose(&b);

    /* An empty append on a fresh buffer still yields a terminated string. */
    buf_init(&b);
    buf_append(&b, NULL, 0);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    buf_dispose(&b);
}

static void test_reserve(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_reserve(&b, 1000);
    assert_true(b.cap >= 1001); /* room for 1000 bytes and the NUL */
    char *before = b.data;
    size_t cap = b.cap;
    for (int i = 0; i < 1000; i++)
        buf_putc(&b, 'x');
    /* A reserve that was large enough means no reallocation while filling. */
    assert_ptr_equal(b.data, before);
    assert_int_equal(b.cap, cap);
    buf_dispose(&b);
}

static void test_printf(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "x=");
    buf_printf(&b, "%d/%s/%05.1f", -42, "abc", 3.14159);
    assert_string_equal(buf_cstr(&b), "x=-42/abc/003.1");
    assert_int_equal(b.len, strlen("x=-42/abc/003.1"));
    /* A formatted string longer than the initial capacity. */
    char big[5000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, strlen("x=-42/abc/003.1") + 2 + 4999);
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], '\0');
    buf_printf(&b, "%s", "");
    assert_int_equal(b.len, strlen("x=-42/abc/003.1") + 2 + 4999);
    buf_dispose(&b);
}

static void test_reset_keeps_memory(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "hello world");
    char *mem = b.data;
    size_t cap = b.cap;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_cstr(&b), "");
    assert_ptr_equal(b.data, mem);
    assert_int_equal(b.cap, cap);
    buf_puts(&b, "hi");
    assert_string_equal(buf_cstr(&b), "hi");
    buf_dispose(&b);
}

static void test_steal(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "owned");
    char *s = buf_steal(&b);
    assert_string_equal(s, "owned");
    /* b is left empty and reusable. */
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    buf_puts(&b, "again");
    assert_string_equal(buf_cstr(&b), "again");
    free(s);
    buf_dispose(&b);
}

static char *json_of(const char *s, size_t n)
{
    buf_t b;
    buf_init(&b);
    buf_append_json_string(&b, s, n);
    return buf_steal(&b);
}

#define ASSERT_JSON(in, expected)                                                                  \
    do {                                                                                           \
        char *got_ = json_of(in, sizeof(in) - 1);                                                  \
        assert_string_equal(got_, expected);                                                       \
        free(got_);                                                                                \
    } while (0)

static void test_json_escapes(void **state)
{
    (void)state;
    ASSERT_JSON("", "\"\"");
    ASSERT_JSON("plain", "\"plain\"");
    /* The seven short escapes of escape_json. */
    ASSERT_JSON("\"", "\"\\\"\"");
    ASSERT_JSON("\\", "\"\\\\\"");
    ASSERT_JSON("\b", "\"\\b\"");
    ASSERT_JSON("\f", "\"\\f\"");
    ASSERT_JSON("\n", "\"\\n\"");
    ASSERT_JSON("\r", "\"\\r\"");
    ASSERT_JSON("\t", "\"\\t\"");
    /* Other control characters: \u00xx, lowercase hex (appendStringInfo
     * "\\u%04x" in escape_json). */
    ASSERT_JSON("\x01", "\"\\u0001\"");
    ASSERT_JSON("\x0b", "\"\\u000b\"");
    ASSERT_JSON("\x1f", "\"\\u001f\"");
    ASSERT_JSON("\x1b[0m", "\"\\u001b[0m\"");
    /* DEL and '/' are not escaped by Postgres. */
    ASSERT_JSON("\x7f/", "\"\x7f/\"");
    /* Non-ASCII stays raw UTF-8, never \u escapes (aeson). */
    ASSERT_JSON("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    /* A mix, with the runs between escapes kept intact. A PostgREST message
     * from a live project's log: invalid input syntax for type uuid: "..." */
    ASSERT_JSON("invalid input syntax for type uuid: \"%%drp:id:25d80f6f6a137%%\"",
                "\"invalid input syntax for type uuid: \\\"%%drp:id:25d80f6f6a137%%\\\"\"");
    /* libpq details with a trailing newline (PostgREST test_io.py). */
    ASSERT_JSON("no connection to the server\n", "\"no connection to the server\\n\"");
    ASSERT_JSON("a\"b\\c\nd", "\"a\\\"b\\\\c\\nd\"");
}

static void test_json_length_bounded(void **state)
{
    (void)state;
    /* Only n bytes are read: the rest of the C string is ignored, and an
     * embedded NUL inside n is a control character (\u0000). */
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "k:");
    buf_append_json_string(&b, "abcdef", 3);
    assert_string_equal(buf_cstr(&b), "k:\"abc\"");
    buf_reset(&b);
    buf_append_json_string(&b, "a\0b", 3);
    assert_string_equal(buf_cstr(&b), "\"a\\u0000b\"");
    buf_reset(&b);
    buf_put_json_string(&b, "x\ty");
    assert_string_equal(buf_cstr(&b), "\"x\\ty\"");
    buf_dispose(&b);
}

static void test_json_long_string(void **state)
{
    (void)state;
    /* Escapes spread over a string much longer than the first allocation. */
    buf_t in;
    buf_init(&in);
    buf_t want;
    buf_init(&want);
    buf_putc(&want, '"');
    for (int i = 0; i < 3000; i++) {
        buf_puts(&in, "ab\"\n");
        buf_puts(&want, "ab\\\"\\n");
    }
    buf_putc(&want, '"');
    char *got = json_of(in.data, in.len);
    assert_string_equal(got, want.data);
    free(got);
    buf_dispose(&in);
    buf_dispose(&want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_growth_and_termination),
        cmocka_unit_test(test_append_embedded_nul_and_empty),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_reset_keeps_memory),
        cmocka_unit_test(test_steal),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_length_bounded),
        cmocka_unit_test(test_json_long_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
