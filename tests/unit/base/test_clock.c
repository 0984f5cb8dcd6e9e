/* Unit tests for clock.c: the HTTP date (RFC 9110 §5.6.7 IMF-fixdate) and
 * ISO 8601 formats for known instants, with supamock's time value counted in
 * microseconds from 2000-01-01 UTC (Postgres's epoch). Weekdays and epoch
 * seconds below are calendar facts, computed by hand in the comments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clock.h"

#include <string.h>

#define US INT64_C(1000000)
/* Unix seconds -> supamock time. */
#define FROM_UNIX(s) (((int64_t)(s)-MOCK_PG_EPOCH_UNIX) * US)

static void test_epochs(void **state)
{
    (void)state;
    /* 1970-01-01 to 2000-01-01: 30 years, 7 leap days (72..96):
     * 10957 days * 86400 = 946684800 s. */
    assert_int_equal(MOCK_PG_EPOCH_UNIX, INT64_C(10957) * 86400);
    char out[64];
    clock_format_http_date(0, out, sizeof out);
    assert_string_equal(out, "Sat, 01 Jan 2000 00:00:00 GMT"); /* 2000-01-01 was a Saturday */
    clock_format_iso(0, out, sizeof out);
    assert_string_equal(out, "2000-01-01T00:00:00Z");
    clock_format_http_date(FROM_UNIX(0), out, sizeof out);
    assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    clock_format_iso(FROM_UNIX(0), out, sizeof out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
}

static void test_http_date(void **state)
{
    (void)state;
    char out[64];
    /* RFC 9110 §5.6.7's own example: Sun, 06 Nov 1994 08:49:37 GMT is Unix
     * 784111777. */
    clock_format_http_date(FROM_UNIX(784111777), out, sizeof out);
    assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    /* The default scenario's clock: 2026-01-01T00:00:00Z, a Thursday; 9497 days
     * after 2000-01-01 (26 years, 7 leap days 2000..2024). */
    int64_t t2026 = INT64_C(9497) * 86400 * US;
    clock_format_http_date(t2026, out, sizeof out);
    assert_string_equal(out, "Thu, 01 Jan 2026 00:00:00 GMT");
    /* Sub-second parts are dropped (IMF-fixdate has whole seconds). */
    clock_format_http_date(t2026 + 999999, out, sizeof out);
    assert_string_equal(out, "Thu, 01 Jan 2026 00:00:00 GMT");
    /* One microsecond before: the last second of 2025, a Wednesday. */
    clock_format_http_date(t2026 - 1, out, sizeof out);
    assert_string_equal(out, "Wed, 31 Dec 2025 23:59:59 GMT");
    /* A leap day: 2024-02-29 12:34:56 UTC = Unix 1709210096, a Thursday. */
    clock_format_http_date(FROM_UNIX(1709210096), out, sizeof out);
    assert_string_equal(out, "Thu, 29 Feb 2024 12:34:56 GMT");
    /* The CLI demo keys' exp, 1983812996, checked with GNU
     * `date -u -d @1983812996`. */
    clock_format_http_date(FROM_UNIX(1983812996), out, sizeof out);
    assert_string_equal(out, "Thu, 11 Nov 2032 19:09:56 GMT");
    /* The self-hosted keys' exp 1799535600 (often quoted as 2027-01-10,
     * which is local time east of UTC; in UTC it is the evening before). */
    clock_format_http_date(FROM_UNIX(1799535600), out, sizeof out);
    assert_string_equal(out, "Sat, 09 Jan 2027 23:00:00 GMT");
    assert_int_equal(strlen(out), 29);
}

static void test_iso(void **state)
{
    (void)state;
    char out[64];
    int64_t t2026 = INT64_C(9497) * 86400 * US;
    clock_format_iso(t2026, out, sizeof out);
    assert_string_equal(out, "2026-01-01T00:00:00Z");
    /* Sub-second: six fraction digits (clock.h). */
    clock_format_iso(t2026 + 500000, out, sizeof out);
    assert_string_equal(out, "2026-01-01T00:00:00.500000Z");
    clock_format_iso(t2026 + 1, out, sizeof out);
    assert_string_equal(out, "2026-01-01T00:00:00.000001Z");
    /* Before the Postgres epoch the fraction still counts forward from the
     * second below: -1 us is 1999-12-31T23:59:59.999999Z. */
    clock_format_iso(-1, out, sizeof out);
    assert_string_equal(out, "1999-12-31T23:59:59.999999Z");
    clock_format_iso(-US, out, sizeof out);
    assert_string_equal(out, "1999-12-31T23:59:59Z");
    clock_format_iso(FROM_UNIX(784111777), out, sizeof out);
    assert_string_equal(out, "1994-11-06T08:49:37Z");
    clock_format_iso(FROM_UNIX(1709210096), out, sizeof out);
    assert_string_equal(out, "2024-02-29T12:34:56Z");
}

static void test_real_clock(void **state)
{
    (void)state;
    /* The real clock is after 2020-01-01 (Unix 1577836800) and in
     * microseconds since 2000. */
    int64_t now = clock_real_now_us();
    assert_true(now > FROM_UNIX(1577836800));
    assert_true(now < FROM_UNIX(INT64_C(4102444800))); /* 2100-01-01 */
    uint64_t m1 = clock_monotonic_ms();
    uint64_t m2 = clock_monotonic_ms();
    assert_true(m2 >= m1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epochs),
        cmocka_unit_test(test_http_date),
        cmocka_unit_test(test_iso),
        cmocka_unit_test(test_real_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
