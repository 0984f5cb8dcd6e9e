/* base/toml.c: the TOML 1.0 forms `supabase init` writes (toml.io/en/v1.0.0),
 * read into cJSON; errors with line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "toml.h"

#include <string.h>

static cJSON *parse(const char *text)
{
    toml_error_t err;
    cJSON *root = toml_parse(text, strlen(text), &err);
    if (!root)
        fail_msg("%d:%d: %s", err.line, err.col, err.message);
    return root;
}

static void test_config_shapes(void **state)
{
    (void)state;
    const char *text = "# A comment\n"
                       "project_id = \"demo\"\n"
                       "\n"
                       "[api]\n"
                       "enabled = true\n"
                       "port = 54_321 # trailing comment\n"
                       "schemas = [\"public\", \"graphql_public\",\n"
                       "  # comment in an array\n"
                       "  'api',\n"
                       "]\n"
                       "ratio = 1.5e2\n"
                       "\n"
                       "[auth.email]\n"
                       "enable_confirmations = false\n"
                       "template = \"\"\"\n"
                       "multi \"quoted\"\n"
                       "line\"\"\"\n"
                       "path = 'C:\\no\\escapes'\n"
                       "\"quoted key\".x = \"\\u00e9\\t\"\n"
                       "inline = { a = 1, b = [true, false] }\n"
                       "when = 1979-05-27T07:32:00Z\n"
                       "[[remotes]]\n"
                       "name = \"one\"\n"
                       "[[remotes]]\n"
                       "name = \"two\"\n";
    cJSON *r = parse(text);
    assert_string_equal(cJSON_GetObjectItem(r, "project_id")->valuestring, "demo");
    cJSON *api = cJSON_GetObjectItem(r, "api");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(api, "enabled")));
    assert_int_equal((int)cJSON_GetObjectItem(api, "port")->valuedouble, 54321);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(api, "schemas")), 3);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(api, "schemas"), 2)->valuestring,
                        "api");
    assert_true(cJSON_GetObjectItem(api, "ratio")->valuedouble == 150.0);
    cJSON *email = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "auth"), "email");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(email, "enable_confirmations")));
    assert_string_equal(cJSON_GetObjectItem(email, "template")->valuestring,
                        "multi \"quoted\"\nline");
    assert_string_equal(cJSON_GetObjectItem(email, "path")->valuestring, "C:\\no\\escapes");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(email, "quoted key"), "x")->valuestring,
        "\xc3\xa9\t");
    cJSON *in = cJSON_GetObjectItem(email, "inline");
    assert_int_equal((int)cJSON_GetObjectItem(in, "a")->valuedouble, 1);
    assert_string_equal(cJSON_GetObjectItem(email, "when")->valuestring, "1979-05-27T07:32:00Z");
    cJSON *remotes = cJSON_GetObjectItem(r, "remotes");
    assert_int_equal(cJSON_GetArraySize(remotes), 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(remotes, 1), "name")->valuestring,
                        "two");
    cJSON_Delete(r);
}

static void expect_error(const char *text, int line, int col, const char *what)
{
    toml_error_t err;
    cJSON *r = toml_parse(text, strlen(text), &err);
    assert_null(r);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    if (!strstr(err.message, what))
        fail_msg("message '%s' lacks '%s'", err.message, what);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("[api]\nport 54321\n", 2, 6, "expected '='");
    expect_error("a = 1\na = 2\n", 2, 1, "defined twice");
    expect_error("a = \"open\n", 1, 10, "newline");
    expect_error("[api\n", 1, 5, "expected ']'");
    expect_error("a = [1, 2\n", 2, 1, "expected ',' or ']'");
    expect_error("a = 1 b = 2\n", 1, 7, "end of the line");
    expect_error("a = bogus\n", 1, 5, "unsupported value");
    /* Deep nesting is refused, not recursed into. */
    char deep[200];
    memset(deep, '[', sizeof deep);
    memcpy(deep, "a = ", 4);
    deep[sizeof deep - 1] = '\0';
    toml_error_t err;
    assert_null(toml_parse(deep, strlen(deep), &err));
    assert_non_null(strstr(err.message, "nested"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_shapes),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
