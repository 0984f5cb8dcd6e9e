/* auth_redirect.c: GoTrue's redirect_to rules (utilities/request.go
 * IsRedirectURLValid, GetReferrer), the mailer's /verify link
 * (templatemailer.go getPath, encodeRedirectURL) and verify.go's redirect
 * targets with Go's url.Values.Encode (keys sorted, url.QueryEscape: space
 * as '+'). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "auth_redirect.h"

#include <stdlib.h>
#include <string.h>

static void expect_str(char *got, const char *want)
{
    assert_string_equal(got, want);
    free(got);
}

static void test_redirect_ok(void **state)
{
    (void)state;
    scenario_t sc;
    memset(&sc, 0, sizeof sc);
    /* The CLI's default site, http://127.0.0.1:3000. */
    assert_true(auth_redirect_ok(&sc, "http://127.0.0.1:3000/welcome"));
    /* Loopback: any port, and any loopback IP (ip.IsLoopback()). */
    assert_true(auth_redirect_ok(&sc, "http://127.0.0.1:5173/cb"));
    assert_true(auth_redirect_ok(&sc, "http://127.0.0.2/cb"));
    /* "localhost" is neither the site's host nor an IP: the allow list's. */
    assert_false(auth_redirect_ok(&sc, "http://localhost:3000/"));
    assert_false(auth_redirect_ok(&sc, "https://evil.example/"));
    assert_false(auth_redirect_ok(&sc, ""));
    assert_false(auth_redirect_ok(&sc, NULL));
    char site[] = "https://app.example.com";
    sc.site_url = site;
    assert_true(auth_redirect_ok(&sc, "https://app.example.com/after"));
    assert_false(auth_redirect_ok(&sc, "http://app.example.com/after"));  /* scheme */
    assert_false(auth_redirect_ok(&sc, "https://app.example.com:8443/")); /* port */
    assert_string_equal(auth_redirect_referrer(&sc, "https://evil.example/", NULL), site);
    assert_string_equal(auth_redirect_referrer(&sc, NULL, "https://app.example.com/from"),
                        "https://app.example.com/from");
}

static void test_link(void **state)
{
    (void)state;
    expect_str(auth_redirect_link("http://h:1/auth/v1", "http://127.0.0.1:3000", "abc", "signup"),
               "http://h:1/auth/v1/verify?token=abc&type=signup&redirect_to=http://127.0.0.1:3000");
    /* encodeRedirectURL escapes a referrer holding &, = or #. */
    expect_str(auth_redirect_link("http://h/auth/v1", "http://127.0.0.1:3000/cb?a=1&b=2", "pkce_x",
                                  "magiclink"),
               "http://h/auth/v1/verify?token=pkce_x&type=magiclink&redirect_to="
               "http%3A%2F%2F127.0.0.1%3A3000%2Fcb%3Fa%3D1%26b%3D2");
}

static void test_error_redirect(void **state)
{
    (void)state;
    expect_str(auth_redirect_error("http://127.0.0.1:3000", 403, "otp_expired",
                                   "Email link is invalid or has expired", false),
               "http://127.0.0.1:3000#error=access_denied&error_code=otp_expired&"
               "error_description=Email+link+is+invalid+or+has+expired&sb=");
    /* A PKCE flow puts the error in the query too (re-encoded, sorted). */
    expect_str(auth_redirect_error("http://127.0.0.1:3000/cb?z=1", 422, "x", "a b", true),
               "http://127.0.0.1:3000/cb?error_code=x&error_description=a+b&z=1"
               "#error_code=x&error_description=a+b&sb=");
}

static void test_query_and_session(void **state)
{
    (void)state;
    expect_str(auth_redirect_query("http://127.0.0.1:3000/cb?sb_flow_id=f", "code", "C", NULL),
               "http://127.0.0.1:3000/cb?code=C&sb_flow_id=f");
    expect_str(auth_redirect_query("http://127.0.0.1:3000", NULL, "hi there", "message"),
               "http://127.0.0.1:3000#message=hi+there&sb=");
    expect_str(
        auth_redirect_session("http://127.0.0.1:3000",
                              "{\"access_token\":\"A\",\"token_type\":\"bearer\","
                              "\"expires_in\":3600,\"expires_at\":99,\"refresh_token\":\"R\"}",
                              "magiclink"),
        "http://127.0.0.1:3000#access_token=A&expires_at=99&expires_in=3600&"
        "refresh_token=R&sb=&token_type=bearer&type=magiclink");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redirect_ok),
        cmocka_unit_test(test_link),
        cmocka_unit_test(test_error_redirect),
        cmocka_unit_test(test_query_and_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
