/* sql_parse (Postgres's parser through libpg_query) and sql_text (the token
 * walk for spans). Expected messages and positions are PostgreSQL 15's, as
 * psql prints them for the same text (ERROR: syntax error at or near "selec",
 * LINE 2: selec 1, the caret under the s). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "caps.h"
#include "sql_parse.h"
#include "sql_scan.h"
#include "sql_text.h"

#include <stdlib.h>
#include <string.h>

static void test_statements_and_spans(void **state)
{
    (void)state;
    const char *text = "-- schema\ncreate table t (id int);\n\n  insert into t values (1);";
    sql_script_t s;
    sql_error_t err;
    assert_int_equal(sql_parse_script(text, &s, &err), 0);
    assert_int_equal(s.count, 2);
    assert_string_equal(s.stmts[0].kind, "CreateStmt");
    assert_int_equal(s.stmts[0].offset, strlen("-- schema\n"));
    assert_int_equal(s.stmts[0].length, strlen("create table t (id int)"));
    assert_string_equal(s.stmts[1].kind, "InsertStmt");
    assert_memory_equal(text + s.stmts[1].offset, "insert into t values (1)", 24);
    assert_int_equal(s.stmts[1].length, 24);
    sql_script_dispose(&s);
}

static void test_syntax_error_has_postgres_message_and_position(void **state)
{
    (void)state;
    const char *text = "select 1;\nselec 1;";
    sql_script_t s;
    sql_error_t err;
    assert_int_equal(sql_parse_script(text, &s, &err), -1);
    assert_string_equal(err.message, "syntax error at or near \"selec\"");
    int line, col;
    sql_line_col(text, err.offset, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
    /* An unterminated string: Postgres reports where it starts. */
    assert_int_equal(sql_parse_script("select 'abc", &s, &err), -1);
    assert_string_equal(err.message, "unterminated quoted string at or near \"'abc\"");
    assert_int_equal(err.offset, 7);
}

static void test_nesting_is_bounded(void **state)
{
    (void)state;
    size_t depth = MOCK_MAX_SQL_NESTING + 1;
    char *text = malloc(2 * depth + 16);
    strcpy(text, "select ");
    size_t n = strlen(text);
    for (size_t i = 0; i < depth; i++)
        text[n++] = '(';
    text[n++] = '1';
    for (size_t i = 0; i < depth; i++)
        text[n++] = ')';
    text[n] = '\0';
    sql_script_t s;
    sql_error_t err;
    assert_int_equal(sql_parse_script(text, &s, &err), -1);
    assert_non_null(strstr(err.message, "nest deeper"));
    /* Parentheses inside strings and comments do not count. */
    const char *quoted = "select '((((' /* ((( */ -- ((\n, (1)";
    assert_int_equal(sql_text_max_nesting(quoted, strlen(quoted)), 1);
    free(text);
}

/* The value of the i-th A_Const of `select a, b, ...` (0 when omitted). */
static double const_ival(const sql_script_t *s, int i)
{
    const cJSON *targets = cJSON_GetObjectItemCaseSensitive(s->stmts[0].node, "targetList");
    const cJSON *t = cJSON_GetArrayItem(targets, i);
    const cJSON *val =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "ResTarget"), "val");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(val, "A_Const");
    const cJSON *iv =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "ival"), "ival");
    return cJSON_IsNumber(iv) ? iv->valuedouble : 0;
}

static void test_negative_integers_keep_their_value(void **state)
{
    (void)state;
    /* libpg_query's JSON writes -7 as {"ival": {}}; the tree must say -7. */
    sql_script_t s;
    sql_error_t err;
    assert_int_equal(sql_parse_script("select -7, - 3, 0, 5, -0", &s, &err), 0);
    assert_true(const_ival(&s, 0) == -7);
    assert_true(const_ival(&s, 1) == -3);
    assert_true(const_ival(&s, 2) == 0);
    assert_true(const_ival(&s, 3) == 5);
    assert_true(const_ival(&s, 4) == 0);
    sql_script_dispose(&s);
}

static void test_paren_group_skips_strings_comments_and_dollar_quotes(void **state)
{
    (void)state;
    const char *t = "check /* ( */ (a = ')' and b = $x$)$x$ and \"c)\" = 1) tail";
    size_t open, close;
    assert_true(sql_paren_group(t, strlen(t), 5, &open, &close));
    assert_int_equal(open, strlen("check /* ( */ "));
    assert_int_equal(close, strlen(t) - strlen(") tail"));
    assert_false(sql_paren_group("x (", 3, 0, &open, &close));
    assert_false(sql_paren_group("(a", 2, 0, &open, &close));
    /* A keyword only outside parentheses, quotes and comments. */
    const char *p = "create policy \"using\" on t -- using\n for select using (f(using))";
    size_t at = sql_find_keyword(p, strlen(p), 0, "using", NULL);
    assert_int_equal(at, strlen("create policy \"using\" on t -- using\n for select "));
    const char *w = "create policy p on t using (true) with check (x)";
    assert_int_equal(sql_find_keyword(w, strlen(w), 0, "with", "check"),
                     strlen("create policy p on t using (true) "));
    assert_int_equal(sql_find_keyword(w, strlen(w), 0, "delete", NULL), (size_t)-1);
}

/* Beyond the plain forms above: the value
 * comes back from the text (gram.y doNegate folds `-5`, `- 5`, `-(5)`). */
static long long first_ival(const char *text)
{
    sql_script_t s;
    sql_error_t err;
    assert_int_equal(sql_parse_script(text, &s, &err), 0);
    const cJSON *tl = cJSON_GetObjectItemCaseSensitive(s.stmts[0].node, "targetList");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tl->child, "ResTarget"),
                                         "val"),
        "A_Const");
    const cJSON *iv =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "ival"), "ival");
    long long v = cJSON_IsNumber(iv) ? (long long)iv->valuedouble : 0;
    sql_script_dispose(&s);
    return v;
}

static void test_negative_integers_survive(void **state)
{
    (void)state;
    assert_int_equal(first_ival("select -5"), -5);
    assert_int_equal(first_ival("select - /* c */ 5"), -5);
    assert_int_equal(first_ival("select -(5)"), -5);
    assert_int_equal(first_ival("select - -5"), 5);
    assert_int_equal(first_ival("select 0"), 0);
    assert_int_equal(first_ival("select -2147483647"), -2147483647LL);
}

/* An expression inside USING (...): locations are offsets into the
 * expression; errors are Postgres's for `CREATE POLICY p ON t USING (...)`
 * (PostgreSQL 15: `USING (a = )` is syntax error at or near ")"). */
static void test_expression(void **state)
{
    (void)state;
    sql_expr_t e;
    sql_error_t err;
    assert_int_equal(sql_parse_expr("a = -1", &e, &err), 0);
    const cJSON *ax = cJSON_GetObjectItemCaseSensitive(e.node, "A_Expr");
    assert_non_null(ax);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(ax, "location")->valueint, 2);
    const cJSON *r =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ax, "rexpr"), "A_Const");
    assert_int_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "ival"), "ival")
            ->valueint,
        -1);
    cJSON_Delete(e.tree);
    assert_int_equal(sql_parse_expr("a = ", &e, &err), -1);
    assert_string_equal(err.message, "syntax error at or near \")\"");
    assert_int_equal(err.offset, 4);
    assert_int_equal(sql_parse_expr("a) or (b", &e, &err), -1);
    assert_string_equal(err.message, "syntax error at or near \"or\"");
    assert_int_equal(err.offset, 3);
    /* A comment to the end of the text cannot swallow the closing parenthesis. */
    assert_int_equal(sql_parse_expr("a -- note", &e, &err), 0);
    cJSON_Delete(e.tree);
    assert_int_equal(sql_parse_expr("'abc", &e, &err), -1);
    assert_string_equal(err.message, "unterminated quoted string at or near \"'abc\"");
    assert_int_equal(err.offset, 0);
}

static void test_error_positions_count_characters(void **state)
{
    (void)state;
    /* Postgres's errposition counts characters: `select 'éé', 'abc` is
     * refused at character 14 (1-based), which is byte 15. */
    const char *text = "select '\xc3\xa9\xc3\xa9', 'abc";
    sql_script_t s;
    sql_error_t err;
    assert_int_equal(sql_parse_script(text, &s, &err), -1);
    assert_int_equal(err.offset, strlen("select '\xc3\xa9\xc3\xa9', "));
    assert_int_equal(sql_char_offset("\xc3\xa9 x", 4, 3), 3);
    assert_int_equal(sql_char_offset("abc", 3, 1), 0);
    assert_int_equal(sql_char_offset("abc", 3, 99), 3);
}

static void test_scanner_tokens(void **state)
{
    (void)state;
    const char *text = "select \"Id\", E'a\\'b' /* c /* d */ */ from (t); -- x";
    sql_tokens_t t;
    sql_scan(text, strlen(text), &t);
    static const sql_token_kind_t want[] = {SQL_TOKEN_WORD,  SQL_TOKEN_QUOTED,  SQL_TOKEN_OTHER,
                                            SQL_TOKEN_OTHER, SQL_TOKEN_COMMENT, SQL_TOKEN_WORD,
                                            SQL_TOKEN_OPEN,  SQL_TOKEN_WORD,    SQL_TOKEN_CLOSE,
                                            SQL_TOKEN_SEMI,  SQL_TOKEN_COMMENT};
    assert_int_equal(t.n, sizeof want / sizeof *want);
    for (size_t i = 0; i < t.n; i++)
        assert_int_equal(t.v[i].kind, want[i]);
    assert_int_equal(t.v[3].start, strlen("select \"Id\", "));
    assert_int_equal(t.v[3].end, strlen("select \"Id\", E'a\\'b'"));
    assert_int_equal(t.stopped_at, strlen(text));
    assert_true(sql_token_is(text, &t.v[5], "FROM"));
    sql_tokens_dispose(&t);
    /* A refused token: what precedes it, and where it starts. */
    sql_scan("select 1, 12abc", 15, &t);
    assert_int_equal(t.n, 3); /* select, 1 and the comma */
    assert_int_equal(t.stopped_at, strlen("select 1, "));
    sql_tokens_dispose(&t);
    /* A NUL byte ends the text. */
    sql_scan("select\0 1", 9, &t);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.stopped_at, 6);
    sql_tokens_dispose(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statements_and_spans),
        cmocka_unit_test(test_syntax_error_has_postgres_message_and_position),
        cmocka_unit_test(test_nesting_is_bounded),
        cmocka_unit_test(test_negative_integers_survive),
        cmocka_unit_test(test_expression),
        cmocka_unit_test(test_paren_group_skips_strings_comments_and_dollar_quotes),
        cmocka_unit_test(test_negative_integers_keep_their_value),
        cmocka_unit_test(test_error_positions_count_characters),
        cmocka_unit_test(test_scanner_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
