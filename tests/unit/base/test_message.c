/* message: response values. mock_response_clear drops what an error replaces
 * (headers, owned values, body) and keeps the rest. */
#include "message.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void test_clear_keeps_flags_drops_headers_and_body(void **state)
{
    (void)state;
    mock_response_t r;
    mock_response_init(&r);
    r.status = 201;
    r.close = true;
    r.outcome.code = "PGRST205";
    mock_response_add_header(&r, "Content-Range", "0-0/*");
    mock_response_add_headerf(&r, "Location", "/t?id=eq.%d", 1); /* owned: freed by clear */
    buf_puts(&r.body, "[{\"id\":1}]");
    mock_response_clear(&r);
    assert_int_equal(r.header_count, 0);
    assert_int_equal(r.owned_count, 0);
    assert_int_equal(r.body.len, 0);
    assert_null(mock_response_header(&r, "Location"));
    assert_int_equal(r.status, 201);
    assert_true(r.close);
    assert_string_equal(r.outcome.code, "PGRST205");
    /* usable again */
    mock_response_add_header(&r, "Content-Type", "application/json");
    assert_string_equal(mock_response_header(&r, "content-type"), "application/json");
    mock_response_dispose(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clear_keeps_flags_drops_headers_and_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
