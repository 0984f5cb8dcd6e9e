/* engine/rest_csv.c: CSV request bodies as PostgREST's Payload.hs reads
 * them (cassava decodeByName, then csvToJson). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "caps.h"
#include "rest_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Converts csv and checks the JSON, or (want NULL) the error message. */
static void expect(const char *csv, const char *want, const char *error)
{
    buf_t out;
    buf_init(&out);
    pgrst_error_t err;
    pgrst_error_init(&err);
    int rc = rest_csv_to_json(csv, strlen(csv), &out, &err);
    if (want) {
        assert_int_equal(rc, 0);
        assert_string_equal(buf_cstr(&out), want);
    } else {
        assert_int_equal(rc, -1);
        assert_string_equal(err.code, "PGRST102");
        assert_string_equal(err.message, error);
    }
    pgrst_error_dispose(&err);
    buf_dispose(&out);
}

static void test_records(void **state)
{
    (void)state;
    /* InsertSpec.hs "CSV insert" bodies. */
    expect("a,b\nbar,baz", "[{\"a\":\"bar\",\"b\":\"baz\"}]", NULL);
    expect("a,b\nNULL,foo", "[{\"a\":null,\"b\":\"foo\"}]", NULL);
    expect("id,name,client_id\n8,Xenix,1\n9,Windows NT,1",
           "[{\"client_id\":\"1\",\"id\":\"8\",\"name\":\"Xenix\"},"
           "{\"client_id\":\"1\",\"id\":\"9\",\"name\":\"Windows NT\"}]",
           NULL);
    /* Quoting, CRLF, an empty field, a trailing line break. */
    expect("a,b\r\n\"x,\"\"y\"\"\nz\",\r\n", "[{\"a\":\"x,\\\"y\\\"\\nz\",\"b\":\"\"}]", NULL);
    expect("a\n", "[]", NULL);
    /* Keys sorted as Data.Map sorts them; a repeated name keeps the last. */
    expect("b,a,b\n1,2,3", "[{\"a\":\"2\",\"b\":\"3\"}]", NULL);
}

static void test_uneven_records(void **state)
{
    (void)state;
    /* InsertSpec.hs "fails for too few". */
    expect("a,b\nfoo,bar\nbaz", NULL, "All lines must have same number of fields");
    /* cassava zips: extra fields go, and records that are all short agree. */
    expect("a,b\n1,2,3", "[{\"a\":\"1\",\"b\":\"2\"}]", NULL);
    expect("a,b\n1\n2", "[{\"a\":\"1\"},{\"a\":\"2\"}]", NULL);
    /* A short record that loses only a repeated name keeps the same keys. */
    expect("a,b,a\n1,2,3\n4,5", "[{\"a\":\"3\",\"b\":\"2\"},{\"a\":\"4\",\"b\":\"5\"}]", NULL);
}

static void test_refusals(void **state)
{
    (void)state;
    expect("", NULL, "parse error: the CSV body has no header");
    expect("a\n\"open", NULL, "parse error: the quoted field at byte 2 is not closed");
    expect("a\nx\"y", NULL, "parse error: unexpected '\"' at byte 3");
    expect("a\n\xff", NULL, "the CSV body is not UTF-8");
    /* Bounded: a header wider than any table, or too many fields in all. */
    size_t n = (MOCK_MAX_CSV_COLUMNS + 1) * 2;
    char *wide = malloc(n + 1);
    for (size_t i = 0; i < n; i += 2)
        wide[i] = 'a', wide[i + 1] = ',';
    wide[n - 1] = '\0';
    expect(wide, NULL, "the CSV header has more than 1600 columns");
    free(wide);
    size_t rows = MOCK_MAX_CSV_CELLS / 1000 + 1;
    buf_t b;
    buf_init(&b);
    for (int i = 0; i < 1000; i++)
        buf_puts(&b, i ? ",c" : "c");
    buf_putc(&b, '\n');
    for (size_t i = 0; i < rows; i++)
        buf_puts(&b, "\n");
    char msg[80];
    snprintf(msg, sizeof msg, "the CSV body has more than %d fields", MOCK_MAX_CSV_CELLS);
    expect(buf_cstr(&b), NULL, msg);
    buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_uneven_records),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
