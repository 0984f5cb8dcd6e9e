/* Unit tests for render.c: row objects as row_to_json writes them (compact,
 * keys escaped with escape_json, jsonb values in jsonb spacing),
 * nulls=stripped (json_strip_nulls, PG jsonfuncs.c sn_* callbacks: recursive,
 * and it re-emits compactly), the json_agg separator (PG json.c
 * json_agg_transfn), and CSV as PostgREST builds it (SqlFragment.hs asCsvF:
 * header = string_agg(json_object_keys(row)::text, ','), so keys are raw;
 * body = each row's composite text output without the parentheses, whose
 * quoting is record_out's in PG rowtypes.c: quote empty strings and values
 * containing " \ ( ) , or whitespace, doubling " and \). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "render.h"

#include <stdlib.h>
#include <string.h>

#define MAXC 12

/* A row under construction: parsed types and values it owns. */
typedef struct row {
    pgtype_t types[MAXC];
    pgvalue_t values[MAXC];
    render_cell_t cells[MAXC];
    size_t n;
} row_t;

/* Adds key = value (text input of type; NULL value: SQL null). */
static void add(row_t *r, const char *key, const char *type, const char *text)
{
    assert_true(r->n < MAXC);
    size_t i = r->n++;
    char *e = NULL;
    if (pgtype_parse(type, NULL, 0, &r->types[i], &e) != 0)
        fail_msg("type %s: %s", type, e);
    if (text) {
        pgrst_error_t err;
        pgrst_error_init(&err);
        if (pgvalue_from_text(&r->types[i], text, strlen(text), &r->values[i], &err) != 0)
            fail_msg("%s input %s: %s", type, text, err.message);
    } else {
        pgvalue_init_null(&r->values[i]);
    }
    r->cells[i] = (render_cell_t){key, &r->types[i], &r->values[i]};
}

static void row_dispose(row_t *r)
{
    for (size_t i = 0; i < r->n; i++)
        pgvalue_dispose(&r->values[i]);
    r->n = 0;
}

static char *json_row(const row_t *r, bool strip)
{
    buf_t b;
    buf_init(&b);
    render_json_row(&b, r->cells, r->n, strip);
    return buf_steal(&b);
}

static char *csv_row(const row_t *r)
{
    buf_t b;
    buf_init(&b);
    render_csv_row(&b, r->cells, r->n);
    return buf_steal(&b);
}

static char *csv_header(const row_t *r)
{
    buf_t b;
    buf_init(&b);
    render_csv_header(&b, r->cells, r->n);
    return buf_steal(&b);
}

#define ASSERT_STR(expr, want)                                                                     \
    do {                                                                                           \
        char *got_ = (expr);                                                                       \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_separator(void **state)
{
    (void)state;
    /* json_agg_transfn: ", \n " between composite elements (PG json.c). */
    assert_string_equal(RENDER_JSON_ROW_SEPARATOR, ", \n ");
    assert_int_equal(strlen(RENDER_JSON_ROW_SEPARATOR), 4);
}

static void test_json_row_compact(void **state)
{
    (void)state;
    row_t r = {0};
    add(&r, "id", "int4", "1");
    add(&r, "name", "text", "a");
    ASSERT_STR(json_row(&r, false), "{\"id\":1,\"name\":\"a\"}"); /* row_to_json is compact */
    row_dispose(&r);

    add(&r, "id", "uuid", "13AB4CF1-8587-4685-874B-C2D37BEEAB38");
    add(&r, "ok", "bool", "true");
    add(&r, "tags", "int4[]", "{1,2,3}");
    add(&r, "at", "timestamptz", "2026-01-01 00:00:00+00");
    add(&r, "gone", "text", NULL);
    ASSERT_STR(json_row(&r, false), "{\"id\":\"13ab4cf1-8587-4685-874b-c2d37beeab38\",\"ok\":true,"
                                    "\"tags\":[1,2,3],\"at\":\"2026-01-01T00:00:00+00:00\","
                                    "\"gone\":null}");
    row_dispose(&r);
}

static void test_json_row_jsonb_spacing(void **state)
{
    (void)state;
    /* jsonb columns keep jsonb's spacing inside the compact row (jsonb_out);
     * json columns are verbatim. */
    row_t r = {0};
    add(&r, "j", "jsonb", "{\"b\":[1,2],\"a\":1}");
    add(&r, "k", "json", "{\"b\" : [1,2]}");
    ASSERT_STR(json_row(&r, false), "{\"j\":{\"a\": 1, \"b\": [1, 2]},\"k\":{\"b\" : [1,2]}}");
    row_dispose(&r);
}

static void test_json_key_escaping(void **state)
{
    (void)state;
    /* Keys (aliases may be anything quoted) go through escape_json. */
    row_t r = {0};
    add(&r, "we\"ird", "int4", "1");
    add(&r, "back\\slash", "int4", "2");
    add(&r, "tab\there", "int4", "3");
    add(&r, "caf\xc3\xa9", "text", "\xe2\x82\xac\n");
    ASSERT_STR(json_row(&r, false), "{\"we\\\"ird\":1,\"back\\\\slash\":2,\"tab\\there\":3,"
                                    "\"caf\xc3\xa9\":\"\xe2\x82\xac\\n\"}");
    row_dispose(&r);
}

static void test_json_strip_nulls(void **state)
{
    (void)state;
    row_t r = {0};
    add(&r, "a", "int4", NULL);
    add(&r, "b", "text", "x");
    add(&r, "c", "text", NULL);
    add(&r, "d", "text", "");
    ASSERT_STR(json_row(&r, false), "{\"a\":null,\"b\":\"x\",\"c\":null,\"d\":\"\"}");
    /* Only null-valued keys go; the empty string stays; no stray commas. */
    ASSERT_STR(json_row(&r, true), "{\"b\":\"x\",\"d\":\"\"}");
    row_dispose(&r);
    /* All null: an empty object. */
    add(&r, "a", "int4", NULL);
    ASSERT_STR(json_row(&r, true), "{}");
    row_dispose(&r);
    /* Nothing at all. */
    ASSERT_STR(json_row(&r, false), "{}");
}

static void test_json_strip_nulls_nested(void **state)
{
    (void)state;
    /* json_strip_nulls is recursive and re-emits what it keeps without
     * spaces (sn_object_field_start appends ',' then the key then ':'), so
     * under nulls=stripped a jsonb value {"a": null, "b": 1} comes out as
     * {"b":1}. */
    row_t r = {0};
    add(&r, "id", "int4", "1");
    add(&r, "j", "jsonb", "{\"a\":null,\"b\":1}");
    ASSERT_STR(json_row(&r, true), "{\"id\":1,\"j\":{\"b\":1}}");
    row_dispose(&r);
}

static void test_csv_header(void **state)
{
    (void)state;
    row_t r = {0};
    add(&r, "id", "int4", "1");
    add(&r, "user_id", "uuid", "13ab4cf1-8587-4685-874b-c2d37beeab38");
    add(&r, "free_image_quota", "int4", "5");
    ASSERT_STR(csv_header(&r), "id,user_id,free_image_quota");
    row_dispose(&r);
}

static void test_csv_header_raw_keys(void **state)
{
    (void)state;
    /* asCsvF joins json_object_keys(...)::text with ',' and quotes nothing:
     * an alias with a space or a comma appears as is. */
    row_t r = {0};
    add(&r, "first name", "text", "a");
    add(&r, "a,b", "text", "b");
    ASSERT_STR(csv_header(&r), "first name,a,b");
    row_dispose(&r);
}

static void test_csv_quoting(void **state)
{
    (void)state;
    row_t r = {0};
    add(&r, "plain", "text", "abc");
    add(&r, "empty", "text", "");
    add(&r, "null", "text", NULL);
    add(&r, "comma", "text", "a,b");
    add(&r, "quote", "text", "say \"hi\"");
    add(&r, "bslash", "text", "a\\b");
    add(&r, "space", "text", "hello world");
    add(&r, "parens", "text", "(x)");
    add(&r, "tab", "text", "a\tb");
    add(&r, "nl", "text", "a\nb");
    add(&r, "utf8", "text", "caf\xc3\xa9");
    /* record_out: "" for empty, nothing for NULL, "..." with "" and \\
     * doubled when quoting is needed, UTF-8 untouched. */
    ASSERT_STR(csv_row(&r), "abc,\"\",,\"a,b\",\"say \"\"hi\"\"\",\"a\\\\b\",\"hello world\","
                            "\"(x)\",\"a\tb\",\"a\nb\",caf\xc3\xa9");
    row_dispose(&r);
}

static void test_csv_typed_values(void **state)
{
    (void)state;
    /* Text output of each type, then record_out's quoting: an array's text
     * contains ',' and a timestamp's a space, so both are quoted. */
    row_t r = {0};
    add(&r, "i", "int4", "-5");
    add(&r, "b", "bool", "true");
    add(&r, "f", "bool", "false");
    add(&r, "arr", "int4[]", "{1,2}");
    add(&r, "one", "int4[]", "{7}");
    add(&r, "ts", "timestamptz", "2026-01-01 00:00:00+00");
    add(&r, "u", "uuid", "13ab4cf1-8587-4685-874b-c2d37beeab38");
    add(&r, "n", "int8", NULL);
    ASSERT_STR(csv_row(&r), "-5,t,f,\"{1,2}\",{7},\"2026-01-01 00:00:00+00\","
                            "13ab4cf1-8587-4685-874b-c2d37beeab38,");
    row_dispose(&r);
    /* A single NULL column is an empty record; two NULLs are one comma. */
    add(&r, "a", "text", NULL);
    ASSERT_STR(csv_row(&r), "");
    add(&r, "b", "text", NULL);
    ASSERT_STR(csv_row(&r), ",");
    row_dispose(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_separator),
        cmocka_unit_test(test_json_row_compact),
        cmocka_unit_test(test_json_row_jsonb_spacing),
        cmocka_unit_test(test_json_key_escaping),
        cmocka_unit_test(test_json_strip_nulls),
        cmocka_unit_test(test_json_strip_nulls_nested),
        cmocka_unit_test(test_csv_header),
        cmocka_unit_test(test_csv_header_raw_keys),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_csv_typed_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
