/* totp.c against RFC 6238 appendix B (the SHA-1 rows, secret
 * "12345678901234567890", truncated to the six digits GoTrue uses) and
 * pquerna/otp's validation rules (a 30 s step, skew 1, six characters after
 * trimming); qr.c's geometry against boombuler/barcode's version table at
 * level H and goqrsvg's layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "qr.h"
#include "totp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char key[] = "12345678901234567890";

static void test_base32(void **state)
{
    (void)state;
    char out[64];
    totp_base32((const unsigned char *)key, 20, out);
    assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    totp_base32((const unsigned char *)"f", 1, out); /* RFC 4648 section 10 */
    assert_string_equal(out, "MY");
    totp_base32((const unsigned char *)"foobar", 6, out);
    assert_string_equal(out, "MZXW6YTBOI");
}

static void test_rfc6238_vectors(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        uint32_t code; /* the RFC's 8 digits mod 10^6 */
    } v[] = {{59, 287082},       {1111111109, 81804},  {1111111111, 50471},
             {1234567890, 5924}, {2000000000, 279037}, {20000000000, 353130}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_int_equal(totp_hotp((const unsigned char *)key, 20, (uint64_t)(v[i].t / 30)),
                         v[i].code);
        char code[8];
        snprintf(code, sizeof code, "%06u", v[i].code);
        assert_true(totp_validate(code, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", v[i].t));
        /* Skew 1: one step either side, not two. */
        assert_true(totp_validate(code, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", v[i].t + 30));
        assert_true(totp_validate(code, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", v[i].t - 30));
    }
    /* 1111111111 and 1111111109 share a step; 59's code is not good 90 s on
     * (steps 1 and 4 differ by three). */
    assert_false(totp_validate("287082", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59 + 90));
    /* Lower-case secrets and surrounding spaces in the code are accepted
     * (hotp: strings.ToUpper, strings.TrimSpace); other lengths are not. */
    assert_true(totp_validate(" 287082 ", "gezdgnbvgy3tqojqgezdgnbvgy3tqojq", 59));
    assert_false(totp_validate("28708", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59));
    assert_false(totp_validate("2870820", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59));
    assert_false(totp_validate("287082", "not base32!", 59));
}

static size_t count(const char *s, const char *needle)
{
    /* One pass (ASan's strstr measures the whole haystack on every call). */
    size_t n = 0, k = strlen(needle);
    for (const char *p = s; *p; p++)
        n += strncmp(p, needle, k) == 0;
    return n;
}

static void test_qr_geometry(void **state)
{
    (void)state;
    /* 17 bytes in byte mode need 17*8 + 4 + 8 = 148 bits: version 2 at H
     * holds 16 data bytes (128 bits), version 3 26 (208): 29 modules. */
    char *svg = qr_svg("otpauth://totp/ab");
    assert_non_null(svg);
    assert_non_null(strstr(svg, "<svg width=\"111\" height=\"111\"\n"));
    assert_int_equal(count(svg, "<rect "), 29 * 29);
    /* The top-left finder's corner module is dark, at the quiet zone's edge. */
    assert_non_null(strstr(svg, "<rect x=\"12\" y=\"12\" width=\"3\" height=\"3\" "
                                "style=\"fill:black;stroke:none\" />\n"));
    free(svg);
    /* Too long for version 40 at H (1276 data bytes). */
    char big[1300];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_null(qr_svg(big));
    big[1270] = '\0';
    svg = qr_svg(big);
    assert_non_null(svg);
    assert_int_equal(count(svg, "<rect "), 177 * 177);
    free(svg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base32),
        cmocka_unit_test(test_rfc6238_vectors),
        cmocka_unit_test(test_qr_geometry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
