/* Unit tests for jsonc.c: comment stripping, cJSON parsing, and the positions of
 * keys and values. Expected columns are counted by hand from the literals below
 * (1-based, in UTF-8 code points). */
#include "jsonc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void strip(const char *in, const char *want)
{
    char *buf = strdup(in);
    jsonc_error_t err;
    assert_int_equal(jsonc_strip_comments(buf, strlen(buf), &err), 0);
    assert_string_equal(buf, want);
    free(buf);
}

static void test_strip_line_and_block(void **state)
{
    (void)state;
    strip("{\"a\": 1, // note\n\"b\": 2}", "{\"a\": 1,        \n\"b\": 2}");
    strip("[1, /* two */ 2]", "[1,           2]");
    /* A block comment over lines keeps its newlines so later lines keep their numbers. */
    strip("[/* a\nb */1]", "[    \n    1]");
    strip("// only\n", "       \n");
    strip("[1]//", "[1]  ");
}

static void test_strip_leaves_strings(void **state)
{
    (void)state;
    strip("{\"url\": \"http://x/*y*/\"}", "{\"url\": \"http://x/*y*/\"}");
    /* An escaped quote does not end the string. */
    strip("[\"a\\\"//b\", 1] // c", "[\"a\\\"//b\", 1]     ");
    strip("[\"\\\\\" /* c */]", "[\"\\\\\"        ]");
}

static void test_strip_unterminated(void **state)
{
    (void)state;
    char buf[] = "[1,\n /* open";
    jsonc_error_t err;
    assert_int_equal(jsonc_strip_comments(buf, strlen(buf), &err), -1);
    assert_int_equal(err.offset, 5);
}

static const char nested[] = "{\n"
                             "  // comment\n"
                             "  \"a\": 1,\n"
                             "  /* x */ \"b\": [true, {\"c\": \"d\"}]\n"
                             "}\n";

static void expect_pos(const jsonc_doc_t *doc, size_t offset, int line, int col)
{
    int l, c;
    jsonc_line_col(doc, offset, &l, &c);
    assert_int_equal(l, line);
    assert_int_equal(c, col);
}

static void test_positions(void **state)
{
    (void)state;
    jsonc_doc_t doc;
    jsonc_error_t err;
    assert_int_equal(jsonc_parse(nested, strlen(nested), &doc, &err), 0);
    expect_pos(&doc, doc.root->offset, 1, 1);
    assert_int_equal(doc.root->child_count, 2);
    const jsonc_node_t *a = jsonc_child(doc.root, 0);
    expect_pos(&doc, a->key_offset, 3, 3);
    expect_pos(&doc, a->offset, 3, 8);
    const jsonc_node_t *b = jsonc_child(doc.root, 1);
    expect_pos(&doc, b->key_offset, 4, 11);
    expect_pos(&doc, b->offset, 4, 16);
    expect_pos(&doc, jsonc_child(b, 0)->offset, 4, 17);
    const jsonc_node_t *obj = jsonc_child(b, 1);
    expect_pos(&doc, obj->offset, 4, 23);
    expect_pos(&doc, jsonc_child(obj, 0)->key_offset, 4, 24);
    expect_pos(&doc, jsonc_child(obj, 0)->offset, 4, 29);
    assert_null(jsonc_child(obj, 1));
    /* Array elements have no key. */
    assert_true(jsonc_child(b, 0)->key_offset == JSONC_NO_OFFSET);

    const cJSON *item = NULL;
    const jsonc_node_t *d = jsonc_lookup(&doc, "b[1].c", &item);
    assert_non_null(d);
    assert_string_equal(item->valuestring, "d");
    assert_ptr_equal(d, jsonc_child(obj, 0));
    assert_null(jsonc_lookup(&doc, "b[2]", NULL));
    assert_null(jsonc_lookup(&doc, "nope", NULL));
    jsonc_doc_dispose(&doc);
}

static void test_utf8_columns(void **state)
{
    (void)state;
    /* "é" and "ü" are two bytes each but one column. */
    const char *t = "{\"\xC3\xA9\": \"\xC3\xBC\", \"k\": 1}";
    jsonc_doc_t doc;
    jsonc_error_t err;
    assert_int_equal(jsonc_parse(t, strlen(t), &doc, &err), 0);
    const jsonc_node_t *k = jsonc_child(doc.root, 1);
    assert_int_equal(k->key_offset, 13);
    expect_pos(&doc, k->key_offset, 1, 12);
    expect_pos(&doc, k->offset, 1, 17);
    jsonc_doc_dispose(&doc);
}

static void test_bom(void **state)
{
    (void)state;
    const char *t = "\xEF\xBB\xBF{\"a\": 1}";
    jsonc_doc_t doc;
    jsonc_error_t err;
    assert_int_equal(jsonc_parse(t, strlen(t), &doc, &err), 0);
    expect_pos(&doc, jsonc_child(doc.root, 0)->key_offset, 1, 2);
    jsonc_doc_dispose(&doc);
}

static void test_duplicates_and_strings_with_brackets(void **state)
{
    (void)state;
    /* cJSON keeps both members of a duplicated key; the tree must follow. */
    const char *t = "{\"a\": \"}]\\\"{\", \"a\": [\"[\", -1.5e3, null, false]}";
    jsonc_doc_t doc;
    jsonc_error_t err;
    assert_int_equal(jsonc_parse(t, strlen(t), &doc, &err), 0);
    assert_int_equal(doc.root->child_count, 2);
    const jsonc_node_t *second = jsonc_child(doc.root, 1);
    assert_int_equal(second->child_count, 4);
    assert_int_equal(second->key_offset, 15);
    assert_int_equal(jsonc_child(second, 1)->offset, 26);
    assert_int_equal(jsonc_child(second, 3)->offset, 40);
    jsonc_doc_dispose(&doc);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    jsonc_doc_t doc;
    jsonc_error_t err;
    /* cJSON stops at the start of the value it cannot parse ("tru"). */
    const char *bad = "{\n  \"a\": tru\n}";
    assert_int_equal(jsonc_parse(bad, strlen(bad), &doc, &err), -1);
    assert_int_equal(err.offset, 9);
    assert_null(doc.json);
    /* Trailing text after the value is an error, not ignored. */
    const char *trailing = "{} {}";
    assert_int_equal(jsonc_parse(trailing, strlen(trailing), &doc, &err), -1);
    const char *eof = "[1, 2";
    assert_int_equal(jsonc_parse(eof, strlen(eof), &doc, &err), -1);
    assert_string_equal(err.message, "invalid JSON: unexpected end of file");
    const char nul[] = "{\"a\": 1}\0{";
    assert_int_equal(jsonc_parse(nul, sizeof nul - 1, &doc, &err), -1);
    assert_int_equal(err.offset, 8);
    const char *open = "{\"a\": 1} /* never closed";
    assert_int_equal(jsonc_parse(open, strlen(open), &doc, &err), -1);
    assert_int_equal(err.offset, 9);
    jsonc_doc_dispose(&doc); /* safe on an empty doc */
}

static void test_text_line_col(void **state)
{
    (void)state;
    int l, c;
    jsonc_text_line_col("ab\ncd", 5, 4, &l, &c);
    assert_int_equal(l, 2);
    assert_int_equal(c, 2);
    jsonc_text_line_col("ab", 2, 99, &l, &c);
    assert_int_equal(l, 1);
    assert_int_equal(c, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strip_line_and_block),
        cmocka_unit_test(test_strip_leaves_strings),
        cmocka_unit_test(test_strip_unterminated),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_utf8_columns),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_duplicates_and_strings_with_brackets),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_text_line_col),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
