/* The dashboard page as served: the compiled-in bytes, and a
 * Content-Security-Policy whose hashes are those of the page's own script and
 * style elements (CSP Level 3, "hash-source": base64 of the SHA-256 of the
 * element's text), so the browser runs exactly that script and nothing else. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dashboard.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

/* "'sha256-...'" of the text between <tag> and </tag>, computed here from
 * the page text independently of dashboard.c. */
static void expected_hash(const char *page, const char *open, const char *close, char *out,
                          size_t n)
{
    const char *a = strstr(page, open);
    assert_non_null(a);
    a += strlen(open);
    const char *b = strstr(a, close);
    assert_non_null(b);
    /* One element of each kind: a second would not be allowed by the policy. */
    assert_null(strstr(b, open));
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)a, (size_t)(b - a), d);
    unsigned char b64[64];
    EVP_EncodeBlock(b64, d, sizeof d);
    snprintf(out, n, "'sha256-%s'", (const char *)b64);
}

static void test_page_and_policy(void **state)
{
    (void)state;
    mock_response_t resp;
    mock_response_init(&resp);
    dashboard_answer(&resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(mock_response_header(&resp, "Content-Type"), "text/html; charset=utf-8");
    assert_int_equal(resp.body.len, strlen(dashboard_html));
    assert_memory_equal(resp.body.data, dashboard_html, resp.body.len);
    const char *csp = mock_response_header(&resp, "Content-Security-Policy");
    assert_non_null(csp);
    char want[128];
    expected_hash(dashboard_html, "<script>", "</script>", want, sizeof want);
    char directive[160];
    snprintf(directive, sizeof directive, "script-src %s;", want);
    assert_non_null(strstr(csp, directive));
    expected_hash(dashboard_html, "<style>", "</style>", want, sizeof want);
    snprintf(directive, sizeof directive, "style-src %s;", want);
    assert_non_null(strstr(csp, directive));
    assert_non_null(strstr(csp, "default-src 'none'"));
    assert_non_null(strstr(csp, "frame-ancestors 'none'"));
    assert_string_equal(mock_response_header(&resp, "X-Frame-Options"), "DENY");
    /* No external assets: nothing is loaded from another host. */
    assert_null(strstr(dashboard_html, "src=\"http"));
    assert_null(strstr(dashboard_html, "href=\"http"));
    assert_null(strstr(dashboard_html, "src=\"//"));
    mock_response_dispose(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_and_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
