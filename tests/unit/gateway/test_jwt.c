/* Unit tests for jwt.c. Expected values come from: the Supabase demo keys and
 * secrets (supabase/cli apikeys.go and supabase/supabase docker/.env.example); PostgREST
 * v14's Auth/Jwt.hs (skew of 30 s: expired iff now - 30 > exp, not yet valid
 * iff now + 30 < nbf/iat, claims checked in the order exp, nbf, iat, first
 * failure wins; sciToInt = fromMaybe 0 . toBoundedInteger) and Error.hs
 * (messages, details only for KeyError/BadAlgorithm, WWW-Authenticate
 * `Bearer error="invalid_token", error_description=<show message>`); jose-jwt
 * (Jose.Jwt.decode, Jose.Internal.Parser: any parse failure is BadCrypto, an
 * unsecured token is BadAlgorithm "JWT is unsecured but expected 'alg' was not
 * 'none'", no key for the alg is KeyError "No suitable key was found to decode
 * the JWT", a bad signature is KeyError "None of the keys was able to decode
 * the JWT"); PostgREST's own tests (test_io.py / AuthSpec.hs v14.17) for the
 * random-characters and alg-none tokens; RFC 4648 §10 for base64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "jwt.h"

#include "buf.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_SECRET "super-secret-jwt-token-with-at-least-32-characters-long"
#define CLI_ANON                                                                                   \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."                                                        \
    "eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9."                    \
    "CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
#define CLI_SERVICE                                                                                \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."                                                        \
    "eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0."         \
    "EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU"
#define SELF_SECRET "your-super-secret-jwt-token-with-at-least-32-characters-long"
#define SELF_ANON                                                                                  \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."                                                        \
    "eyAgCiAgICAicm9sZSI6ICJhbm9uIiwKICAgICJpc3MiOiAic3VwYWJhc2UtZGVtbyIsCiAgICAiaWF0IjogMTY0MTc2" \
    "OTIwMCwKICAgICJleHAiOiAxNzk5NTM1NjAwCn0.dc_X5iR_VP_qT0zsiyj_I_OZ2T9FtRU2BBNWN8Bu4GE"
#define SELF_SERVICE                                                                               \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."                                                        \
    "eyAgCiAgICAicm9sZSI6ICJzZXJ2aWNlX3JvbGUiLAogICAgImlzcyI6ICJzdXBhYmFzZS1kZW1vIiwKICAgICJpYXQi" \
    "OiAxNjQxNzY5MjAwLAogICAgImV4cCI6IDE3OTk1MzU2MDAKfQ.DaYlNEoUrrEn2Ig7tqibS-"                    \
    "PHK5vgusbcbo7X36XVt4Q"

/* 2026-01-01T00:00:00Z, the default scenario's clock; before every demo exp. */
#define NOW INT64_C(1767225600)

static cJSON *verify_ok(const char *token, const char *secret, int64_t now)
{
    cJSON *claims = NULL;
    pgrst_error_t err;
    pgrst_error_init(&err);
    int rc = jwt_verify(token, secret, now, &claims, &err);
    if (rc != 0)
        fail_msg("verify failed: %s %s (details %s)", err.code, err.message,
                 err.details ? err.details : "null");
    assert_false(pgrst_error_is_set(&err));
    assert_non_null(claims);
    pgrst_error_dispose(&err);
    return claims;
}

/* Verification fails with exactly this code, message, details (NULL: JSON
 * null) and WWW-Authenticate value derived from the message. */
static void verify_fails(const char *token, const char *secret, int64_t now, const char *code,
                         const char *message, const char *details)
{
    cJSON *claims = NULL;
    pgrst_error_t err;
    pgrst_error_init(&err);
    int rc = jwt_verify(token, secret, now, &claims, &err);
    if (rc == 0)
        fail_msg("token verified but %s \"%s\" was expected", code, message);
    assert_int_equal(rc, -1);
    assert_null(claims);
    assert_string_equal(err.code, code);
    assert_string_equal(err.message, message);
    if (details) {
        if (!err.details)
            fail_msg("details null, want \"%s\"", details);
        assert_string_equal(err.details, details);
    } else if (err.details) {
        fail_msg("details \"%s\", want null", err.details);
    }
    assert_null(err.hint);
    char want[256];
    snprintf(want, sizeof want, "Bearer error=\"invalid_token\", error_description=\"%s\"",
             message);
    assert_non_null(err.www_authenticate);
    assert_string_equal(err.www_authenticate, want);
    /* Every JWT error is a 401 (Error.hs JwtError status). */
    assert_int_equal(pgrst_error_status(&err, true), 401);
    assert_int_equal(pgrst_error_status(&err, false), 401);
    pgrst_error_dispose(&err);
}

/* ---- base64url ---------------------------------------------------------- */

static void check_encode(const char *in, size_t n, const char *want)
{
    char *got = jwt_base64url_encode((const unsigned char *)in, n);
    assert_string_equal(got, want);
    free(got);
}

static void check_decode(const char *in, const char *want, size_t want_len)
{
    size_t n = 12345;
    unsigned char *got = jwt_base64url_decode(in, strlen(in), &n);
    if (!got)
        fail_msg("decode(\"%s\") failed", in);
    assert_int_equal(n, want_len);
    assert_memory_equal(got, want, want_len);
    assert_int_equal(got[n], '\0'); /* jwt.h: NUL appended */
    free(got);
}

static void check_decode_fails(const char *in)
{
    size_t n = 0;
    unsigned char *got = jwt_base64url_decode(in, strlen(in), &n);
    if (got) {
        free(got);
        fail_msg("decode(\"%s\") should fail", in);
    }
}

static void test_base64url_rfc4648(void **state)
{
    (void)state;
    /* RFC 4648 §10 test vectors, with the padding removed (RFC 7515 §2
     * base64url without padding). */
    check_encode("", 0, "");
    check_encode("f", 1, "Zg");
    check_encode("fo", 2, "Zm8");
    check_encode("foo", 3, "Zm9v");
    check_encode("foob", 4, "Zm9vYg");
    check_encode("fooba", 5, "Zm9vYmE");
    check_encode("foobar", 6, "Zm9vYmFy");
    check_decode("", "", 0);
    check_decode("Zg", "f", 1);
    check_decode("Zm8", "fo", 2);
    check_decode("Zm9v", "foo", 3);
    check_decode("Zm9vYg", "foob", 4);
    check_decode("Zm9vYmE", "fooba", 5);
    check_decode("Zm9vYmFy", "foobar", 6);
}

static void test_base64url_alphabet(void **state)
{
    (void)state;
    /* RFC 4648 §5: 62 is '-' and 63 is '_'. 0xfb 0xff 0xbf is the sextets
     * 62 63 62 63. */
    check_encode("\xfb\xff\xbf", 3, "-_-_");
    check_decode("-_-_", "\xfb\xff\xbf", 3);
    check_encode("\xff", 1, "_w");
    check_decode("_w", "\xff", 1);
    /* Embedded NUL bytes round-trip. */
    check_encode("\0\0\0", 3, "AAAA");
    check_decode("AAAA", "\0\0\0", 3);
    /* The standard alphabet's + and / are not base64url. */
    check_decode_fails("-_-_+");
    check_decode_fails("+/+/");
    check_decode_fails("ab/c");
    /* Padding is not part of the unpadded form (jose: Base64URLUnpadded). */
    check_decode_fails("Zg==");
    check_decode_fails("Zm8=");
    /* A length of 4k+1 can never be base64. */
    check_decode_fails("Z");
    check_decode_fails("Zm9vY");
    /* Characters outside the alphabet. */
    check_decode_fails("Zm9v!");
    check_decode_fails("Zm 9v");
    check_decode_fails("Zm9\n");
}

static void test_base64url_whitespace(void **state)
{
    (void)state;
    /* memory's convertFromBase Base64URLUnpadded (what jose uses) accepts
     * only the alphabet: surrounding whitespace is an error too. */
    check_decode_fails("Zm9v    ");
    check_decode_fails("    Zm9v");
}

static void test_base64url_round_trip(void **state)
{
    (void)state;
    unsigned char bytes[256];
    for (int i = 0; i < 256; i++)
        bytes[i] = (unsigned char)(255 - i);
    for (size_t n = 0; n <= sizeof bytes; n += 7) {
        char *enc = jwt_base64url_encode(bytes, n);
        assert_int_equal(strlen(enc), (n * 4 + 2) / 3); /* unpadded length */
        assert_null(strpbrk(enc, "+/="));
        size_t m = 0;
        unsigned char *dec = jwt_base64url_decode(enc, strlen(enc), &m);
        assert_non_null(dec);
        assert_int_equal(m, n);
        if (n)
            assert_memory_equal(dec, bytes, n);
        free(dec);
        free(enc);
    }
}

/* ---- the demo keys ------------------------------------------------------ */

static void test_cli_demo_keys_verify(void **state)
{
    (void)state;
    cJSON *c = verify_ok(CLI_ANON, CLI_SECRET, NOW);
    /* Payload {"iss":"supabase-demo","role":"anon","exp":1983812996}, no iat. */
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "role")->valuestring, "anon");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "iss")->valuestring, "supabase-demo");
    assert_true(cJSON_GetObjectItemCaseSensitive(c, "exp")->valuedouble == 1983812996.0);
    assert_null(cJSON_GetObjectItemCaseSensitive(c, "iat"));
    assert_int_equal(cJSON_GetArraySize(c), 3);
    cJSON_Delete(c);

    c = verify_ok(CLI_SERVICE, CLI_SECRET, NOW);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "role")->valuestring, "service_role");
    cJSON_Delete(c);
}

static void test_self_hosted_keys_verify(void **state)
{
    (void)state;
    /* Pretty-printed payloads (docker/.env.example): whitespace inside the JSON is
     * fine. iat 1641769200 is in the past, exp 1799535600 in the future. */
    cJSON *c = verify_ok(SELF_ANON, SELF_SECRET, NOW);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "role")->valuestring, "anon");
    assert_true(cJSON_GetObjectItemCaseSensitive(c, "iat")->valuedouble == 1641769200.0);
    assert_true(cJSON_GetObjectItemCaseSensitive(c, "exp")->valuedouble == 1799535600.0);
    cJSON_Delete(c);
    c = verify_ok(SELF_SERVICE, SELF_SECRET, NOW);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "role")->valuestring, "service_role");
    cJSON_Delete(c);
    /* Past 1799535600 + 30 s the self-hosted keys expire. */
    cJSON_Delete(verify_ok(SELF_ANON, SELF_SECRET, INT64_C(1799535600) + 30));
    verify_fails(SELF_ANON, SELF_SECRET, INT64_C(1799535600) + 31, "PGRST303", "JWT expired", NULL);
}

static void test_sign_reproduces_demo_keys(void **state)
{
    (void)state;
    /* HS256 over the compact header {"alg":"HS256","typ":"JWT"} and the exact
     * payload text reproduces the published CLI keys byte for byte. */
    char *t = jwt_sign_hs256("{\"iss\":\"supabase-demo\",\"role\":\"anon\",\"exp\":1983812996}",
                             CLI_SECRET);
    assert_string_equal(t, CLI_ANON);
    free(t);
    t = jwt_sign_hs256("{\"iss\":\"supabase-demo\",\"role\":\"service_role\",\"exp\":1983812996}",
                       CLI_SECRET);
    assert_string_equal(t, CLI_SERVICE);
    free(t);
    /* And the self-hosted one, whose payload is pretty-printed JSON. */
    t = jwt_sign_hs256(
        "{  \n    \"role\": \"anon\",\n    \"iss\": \"supabase-demo\",\n    \"iat\": "
        "1641769200,\n    \"exp\": 1799535600\n}",
        SELF_SECRET);
    assert_string_equal(t, SELF_ANON);
    free(t);
}

static void test_sign_verify_round_trip(void **state)
{
    (void)state;
    const char *claims = "{\"sub\":\"13ab4cf1-8587-4685-874b-c2d37beeab38\",\"role\":"
                         "\"authenticated\",\"email\":\"demo@example.com\",\"aud\":"
                         "\"authenticated\",\"iat\":1767225600,\"exp\":1767229200,"
                         "\"user_metadata\":{\"n\":\"caf\xc3\xa9\"}}";
    char *t = jwt_sign_hs256(claims, CLI_SECRET);
    cJSON *c = verify_ok(t, CLI_SECRET, NOW + 60);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "sub")->valuestring,
                        "13ab4cf1-8587-4685-874b-c2d37beeab38");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "role")->valuestring, "authenticated");
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(c, "user_metadata");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(md, "n")->valuestring, "caf\xc3\xa9");
    cJSON_Delete(c);
    /* Another secret does not verify it. */
    verify_fails(t, SELF_SECRET, NOW, "PGRST301", "No suitable key or wrong key type",
                 "None of the keys was able to decode the JWT");
    free(t);
}

/* ---- PGRST301 ----------------------------------------------------------- */

static void test_wrong_secret_and_tampering(void **state)
{
    (void)state;
    verify_fails(CLI_ANON, SELF_SECRET, NOW, "PGRST301", "No suitable key or wrong key type",
                 "None of the keys was able to decode the JWT");
    verify_fails(SELF_ANON, CLI_SECRET, NOW, "PGRST301", "No suitable key or wrong key type",
                 "None of the keys was able to decode the JWT");
    /* Signature altered in its first character. */
    char t[512];
    snprintf(t, sizeof t, "%s", CLI_ANON);
    char *sig = strrchr(t, '.') + 1;
    sig[0] = sig[0] == 'C' ? 'D' : 'C';
    verify_fails(t, CLI_SECRET, NOW, "PGRST301", "No suitable key or wrong key type",
                 "None of the keys was able to decode the JWT");
    /* The anon payload swapped for the service_role payload, anon signature
     * kept: an escalation attempt. */
    snprintf(t, sizeof t, "%s",
             "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
             "eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0."
             "CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0");
    verify_fails(t, CLI_SECRET, NOW, "PGRST301", "No suitable key or wrong key type",
                 "None of the keys was able to decode the JWT");
    /* A truncated signature (valid base64url, wrong length). */
    snprintf(t, sizeof t, "%s", CLI_ANON);
    t[strlen(t) - 4] = '\0';
    verify_fails(t, CLI_SECRET, NOW, "PGRST301", "No suitable key or wrong key type",
                 "None of the keys was able to decode the JWT");
    /* An empty signature. */
    snprintf(t, sizeof t, "%s", CLI_ANON);
    strrchr(t, '.')[1] = '\0';
    verify_fails(t, CLI_SECRET, NOW, "PGRST301", "No suitable key or wrong key type",
                 "None of the keys was able to decode the JWT");
}

static void test_part_count(void **state)
{
    (void)state;
    /* PostgREST's own test (AuthSpec.hs / test_io.py v14.17). */
    verify_fails("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGFuIG9iamVjdA", CLI_SECRET, NOW,
                 "PGRST301", "Expected 3 parts in JWT; got 2", NULL);
    verify_fails("a.b.c.d", CLI_SECRET, NOW, "PGRST301", "Expected 3 parts in JWT; got 4", NULL);
    verify_fails(CLI_ANON ".x", CLI_SECRET, NOW, "PGRST301", "Expected 3 parts in JWT; got 4",
                 NULL);
    /* An sb_ key used as the Bearer token (supabase-py#1228). */
    verify_fails("sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz", CLI_SECRET, NOW, "PGRST301",
                 "Expected 3 parts in JWT; got 1", NULL);
    /* BS.split counts empty parts: "." is two parts, ".." three. */
    verify_fails(".", CLI_SECRET, NOW, "PGRST301", "Expected 3 parts in JWT; got 2", NULL);
}

static void test_empty_token(void **state)
{
    (void)state;
    verify_fails("", CLI_SECRET, NOW, "PGRST301", "Empty JWT is sent in Authorization header",
                 NULL);
}

static void test_undecodable_tokens(void **state)
{
    (void)state;
    /* PostgREST's test "when token is complete but random characters":
     * jose's parser fails, which is BadCrypto. */
    verify_fails("quifquirndsjagnrgniur.fonvoienqhhdj.iuqvnvhojah", CLI_SECRET, NOW, "PGRST301",
                 "JWT cryptographic operation failed", NULL);
    /* Three empty parts: the header is not JSON. */
    verify_fails("..", CLI_SECRET, NOW, "PGRST301", "JWT cryptographic operation failed", NULL);
    /* A good header, a payload that is not base64url. */
    verify_fails("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.!!!!.abc", CLI_SECRET, NOW, "PGRST301",
                 "JWT cryptographic operation failed", NULL);
    /* A header that is base64url of something that is not JSON ("hello"). */
    verify_fails("aGVsbG8.e30.abc", CLI_SECRET, NOW, "PGRST301",
                 "JWT cryptographic operation failed", NULL);
}

static void test_alg_none(void **state)
{
    (void)state;
    /* PostgREST's test token with {"typ":"JWT","alg":"none"} and payload {}. */
    verify_fails(
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.yOBhlOIqn56T-4NvyEXCjfi3UmyQZ-BzXtePMO2NgRI",
        CLI_SECRET, NOW, "PGRST301", "Wrong or unsupported encoding algorithm",
        "JWT is unsecured but expected 'alg' was not 'none'");
    /* The classic attack: alg none, service_role claims, empty signature. */
    char *h = jwt_base64url_encode((const unsigned char *)"{\"alg\":\"none\",\"typ\":\"JWT\"}", 26);
    const char *claims = "{\"role\":\"service_role\"}";
    char *p = jwt_base64url_encode((const unsigned char *)claims, strlen(claims));
    char t[256];
    snprintf(t, sizeof t, "%s.%s.", h, p);
    verify_fails(t, CLI_SECRET, NOW, "PGRST301", "Wrong or unsupported encoding algorithm",
                 "JWT is unsecured but expected 'alg' was not 'none'");
    free(h);
    free(p);
}

static void test_alg_without_key(void **state)
{
    (void)state;
    /* An RS256 header with only an HMAC secret configured: jose finds no key
     * that can decode it (checkKeys [] -> KeyError). */
    char *h =
        jwt_base64url_encode((const unsigned char *)"{\"alg\":\"RS256\",\"typ\":\"JWT\"}", 27);
    char t[512];
    snprintf(t, sizeof t, "%s.%s", h, strchr(CLI_ANON, '.') + 1);
    verify_fails(t, CLI_SECRET, NOW, "PGRST301", "No suitable key or wrong key type",
                 "No suitable key was found to decode the JWT");
    free(h);
}

/* ---- claims: PGRST303 --------------------------------------------------- */

/* A token for `claims` signed with the CLI secret (sign is checked against
 * the published keys above). */
static char *tok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *tok(const char *fmt, ...)
{
    char claims[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(claims, sizeof claims, fmt, ap);
    va_end(ap);
    return jwt_sign_hs256(claims, CLI_SECRET);
}

static void ok_at(char *t, int64_t now)
{
    cJSON_Delete(verify_ok(t, CLI_SECRET, now));
}

static void test_exp_skew(void **state)
{
    (void)state;
    char *t = tok("{\"role\":\"authenticated\",\"exp\":%lld}", (long long)NOW);
    ok_at(t, NOW);
    ok_at(t, NOW + 30); /* now - 30 > exp is false */
    verify_fails(t, CLI_SECRET, NOW + 31, "PGRST303", "JWT expired", NULL);
    verify_fails(t, CLI_SECRET, NOW + 100000, "PGRST303", "JWT expired", NULL);
    free(t);
    /* The CLI demo keys expire in 2032 (exp 1983812996). */
    verify_fails(CLI_ANON, CLI_SECRET, INT64_C(1983812996) + 31, "PGRST303", "JWT expired", NULL);
}

static void test_nbf_iat_skew(void **state)
{
    (void)state;
    char *t = tok("{\"nbf\":%lld}", (long long)NOW + 30);
    ok_at(t, NOW); /* now + 30 < nbf is false */
    free(t);
    t = tok("{\"nbf\":%lld}", (long long)NOW + 31);
    verify_fails(t, CLI_SECRET, NOW, "PGRST303", "JWT not yet valid", NULL);
    ok_at(t, NOW + 1);
    free(t);
    t = tok("{\"iat\":%lld}", (long long)NOW + 30);
    ok_at(t, NOW);
    free(t);
    t = tok("{\"iat\":%lld}", (long long)NOW + 31);
    verify_fails(t, CLI_SECRET, NOW, "PGRST303", "JWT issued at future", NULL);
    free(t);
    /* Past nbf/iat are fine. */
    t = tok("{\"nbf\":1,\"iat\":1,\"exp\":%lld}", (long long)NOW + 3600);
    ok_at(t, NOW);
    free(t);
}

static void test_non_numeric_claims(void **state)
{
    (void)state;
    char *t = tok("{\"exp\":\"%lld\"}", (long long)NOW + 3600);
    verify_fails(t, CLI_SECRET, NOW, "PGRST303", "The JWT 'exp' claim must be a number", NULL);
    free(t);
    t = tok("{\"nbf\":true}");
    verify_fails(t, CLI_SECRET, NOW, "PGRST303", "The JWT 'nbf' claim must be a number", NULL);
    free(t);
    t = tok("{\"iat\":[1]}");
    verify_fails(t, CLI_SECRET, NOW, "PGRST303", "The JWT 'iat' claim must be a number", NULL);
    free(t);
    /* null is "absent" for aeson's .:? (Nothing), so it passes. */
    t = tok("{\"exp\":null,\"nbf\":null,\"iat\":null,\"role\":\"anon\"}");
    ok_at(t, NOW);
    free(t);
}

static void test_claim_order(void **state)
{
    (void)state;
    /* checkForErrors is mconcat over Alt: exp's check (number, then time)
     * comes first, then nbf's, then iat's. An expired token with a bad nbf
     * is "JWT expired". */
    char *t = tok("{\"exp\":%lld,\"nbf\":\"soon\"}", (long long)NOW - 3600);
    verify_fails(t, CLI_SECRET, NOW, "PGRST303", "JWT expired", NULL);
    free(t);
    /* A valid exp and a bad nbf: the nbf error. */
    t = tok("{\"exp\":%lld,\"nbf\":\"soon\"}", (long long)NOW + 3600);
    verify_fails(t, CLI_SECRET, NOW, "PGRST303", "The JWT 'nbf' claim must be a number", NULL);
    free(t);
    /* Future nbf and future iat: nbf's error. */
    t = tok("{\"iat\":%lld,\"nbf\":%lld}", (long long)NOW + 3600, (long long)NOW + 3600);
    verify_fails(t, CLI_SECRET, NOW, "PGRST303", "JWT not yet valid", NULL);
    free(t);
}

static void test_fractional_exp(void **state)
{
    (void)state;
    /* sciToInt = fromMaybe 0 . Sci.toBoundedInteger: a non-integral exp
     * becomes 0, which is long past. */
    char *t = tok("{\"exp\":%lld.5}", (long long)NOW + 3600);
    verify_fails(t, CLI_SECRET, NOW, "PGRST303", "JWT expired", NULL);
    free(t);
}

static void test_claims_not_an_object(void **state)
{
    (void)state;
    /* A correctly signed token whose payload is not a JSON object: decodeClaims
     * fails with ParsingClaimsFailed (PGRST303), after the signature check. */
    char *t = jwt_sign_hs256("[1,2,3]", CLI_SECRET);
    verify_fails(t, CLI_SECRET, NOW, "PGRST303", "Parsing claims failed", NULL);
    free(t);
    t = jwt_sign_hs256("not json", CLI_SECRET);
    verify_fails(t, CLI_SECRET, NOW, "PGRST303", "Parsing claims failed", NULL);
    free(t);
    /* The same payload with a wrong signature is a key error first. */
    t = jwt_sign_hs256("[1,2,3]", SELF_SECRET);
    verify_fails(t, CLI_SECRET, NOW, "PGRST301", "No suitable key or wrong key type",
                 "None of the keys was able to decode the JWT");
    free(t);
}

/* ---- the verified-token cache ------------------------------------------ */

static void test_cache_rechecks_time_and_secret(void **state)
{
    (void)state;
    jwt_cache_t *cache = jwt_cache_new();
    char *t = tok("{\"role\":\"authenticated\",\"sub\":\"u1\",\"exp\":%lld}", (long long)NOW + 60);
    const cJSON *claims = NULL;
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(jwt_cache_verify(cache, t, CLI_SECRET, NOW, &claims, &err), 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(claims, "sub")->valuestring, "u1");
    /* A hit still checks exp against the clock: 60 s + 30 s skew later it expired. */
    assert_int_equal(jwt_cache_verify(cache, t, CLI_SECRET, NOW + 60, &claims, &err), 0);
    assert_int_equal(jwt_cache_verify(cache, t, CLI_SECRET, NOW + 91, &claims, &err), -1);
    assert_string_equal(err.code, "PGRST303");
    assert_string_equal(err.message, "JWT expired");
    pgrst_error_dispose(&err);
    /* A different secret is verified afresh, not served from the cache. */
    assert_int_equal(
        jwt_cache_verify(cache, t, "another-secret-of-at-least-32-characters!", NOW, &claims, &err),
        -1);
    assert_string_equal(err.details, "None of the keys was able to decode the JWT");
    pgrst_error_dispose(&err);
    free(t);
    jwt_cache_free(cache);
}

/* jwt_verify, then the v12 rewrite; expects PGRST301 with `message` and the
 * WWW-Authenticate built from it, and no details. */
static void verify_fails_v12(const char *token, int64_t now, const char *message,
                             const char *www_authenticate)
{
    cJSON *claims = NULL;
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(jwt_verify(token, CLI_SECRET, now, &claims, &err), -1);
    jwt_error_to_v12(&err);
    assert_string_equal(err.code, "PGRST301");
    assert_string_equal(err.message, message);
    assert_null(err.details);
    assert_string_equal(err.www_authenticate, www_authenticate);
    pgrst_error_dispose(&err);
}

static void test_v12_texts(void **state)
{
    (void)state;
    /* PostgREST v12.2.x Auth.hs jwtDecodeError / verifyClaims. */
    verify_fails_v12("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90IGFuIG9iamVjdA", NOW,
                     "JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; "
                     "got 2)",
                     "Bearer error=\"invalid_token\", error_description=\"JWSError "
                     "(CompactDecodeError Invalid number of parts: Expected 3 parts; got 2)\"");
    /* Wrong secret: the CLI anon key checked against the self-hosted secret is
     * the same failure as a tampered signature. */
    char tampered[512];
    snprintf(tampered, sizeof tampered, "%s", CLI_ANON);
    tampered[strlen(tampered) - 2] = tampered[strlen(tampered) - 2] == 'A' ? 'B' : 'A';
    verify_fails_v12(tampered, NOW, "JWSError JWSInvalidSignature",
                     "Bearer error=\"invalid_token\", error_description=\"JWSError "
                     "JWSInvalidSignature\"");
    /* Haskell show escapes the quotes inside the message. */
    verify_fails_v12("!!!.e30.abc", NOW, "JWSError (JSONDecodeError \"Not valid base64url\")",
                     "Bearer error=\"invalid_token\", error_description=\"JWSError "
                     "(JSONDecodeError \\\"Not valid base64url\\\")\"");
    verify_fails_v12(
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.yOBhlOIqn56T-4NvyEXCjfi3UmyQZ-BzXtePMO2NgRI", NOW,
        "JWSError JWSNoSignatures",
        "Bearer error=\"invalid_token\", error_description=\"JWSError JWSNoSignatures\"");
    /* The demo anon key expires at 1983812996; past the 30 s skew it is expired. */
    verify_fails_v12(CLI_ANON, 1983812996 + 31, "JWT expired",
                     "Bearer error=\"invalid_token\", error_description=\"JWT expired\"");
    /* Errors that are not JWT errors stay as they are. */
    pgrst_error_t other;
    pgrst_error_init(&other);
    pgrst_error_setf(&other, "22023", "role \"x\" does not exist");
    jwt_error_to_v12(&other);
    assert_string_equal(other.code, "22023");
    assert_string_equal(other.message, "role \"x\" does not exist");
    pgrst_error_dispose(&other);
}

/* ---- signing keys (ES256 / RS256 by kid) ----
 * Selection as jose-jwt's decode/canDecodeJws (Jose/Jwt.hs, Jose/Jwk.hs):
 * a header kid must equal the key's (keyIdCompatible), the header alg the
 * key's (algCompatible and the key type); nothing left is KeyError "No
 * suitable key was found to decode the JWT", a signature no key accepts is
 * KeyError "None of the keys was able to decode the JWT" (both under
 * PostgREST's "No suitable key or wrong key type", Error.hs). Revoked keys are
 * not configured at all. */

#define KEY_CLAIMS "{\"role\":\"authenticated\",\"sub\":\"u1\",\"exp\":1983812996}"

static signing_key_t make_key(const char *kid, signing_key_alg_t alg, signing_key_status_t status)
{
    signing_key_t k = {.kid = (char *)kid, .alg = alg, .status = status};
    if (alg == SIGNING_KEY_ES256)
        k.pkey = EVP_EC_gen("P-256");
    else if (alg == SIGNING_KEY_RS256)
        k.pkey = EVP_RSA_gen(2048);
    else
        k.secret = (char *)SELF_SECRET;
    return k;
}

static void keyset_fails(const char *token, const jwt_keyset_t *ks, const char *details)
{
    pgrst_error_t err;
    pgrst_error_init(&err);
    cJSON *claims = NULL;
    assert_int_equal(jwt_verify_keyset(token, ks, NOW, &claims, &err), -1);
    assert_null(claims);
    assert_string_equal(err.code, "PGRST301");
    assert_string_equal(err.message, "No suitable key or wrong key type");
    assert_non_null(err.details);
    assert_string_equal(err.details, details);
    pgrst_error_dispose(&err);
}

static void keyset_ok(const char *token, const jwt_keyset_t *ks)
{
    pgrst_error_t err;
    pgrst_error_init(&err);
    cJSON *claims = NULL;
    assert_int_equal(jwt_verify_keyset(token, ks, NOW, &claims, &err), 0);
    assert_non_null(cJSON_GetObjectItem(claims, "role"));
    cJSON_Delete(claims);
    pgrst_error_dispose(&err);
}

static char *header_of(const char *token)
{
    size_t n = 0;
    return (char *)jwt_base64url_decode(token, (size_t)(strchr(token, '.') - token), &n);
}

static void test_keys_round_trip(void **state)
{
    (void)state;
    signing_key_t keys[3] = {make_key("es-1", SIGNING_KEY_ES256, SIGNING_KEY_CURRENT),
                             make_key("rs-1", SIGNING_KEY_RS256, SIGNING_KEY_PREVIOUS),
                             make_key("hs-1", SIGNING_KEY_HS256, SIGNING_KEY_PREVIOUS)};
    jwt_keyset_t ks;
    jwt_keyset_init(&ks, keys, 3, "fp", CLI_SECRET);
    assert_string_equal(ks.legacy_secret, CLI_SECRET);
    for (size_t i = 0; i < 3; i++) {
        char *t = jwt_sign_key(KEY_CLAIMS, &keys[i]);
        /* GoTrue's SignJWT header: golang-jwt marshals a Go map, keys sorted. */
        char *h = header_of(t);
        char want[96];
        snprintf(want, sizeof want, "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"JWT\"}",
                 signing_key_alg_name(keys[i].alg), keys[i].kid);
        assert_string_equal(h, want);
        if (keys[i].alg == SIGNING_KEY_ES256) /* RFC 7518 3.4: R||S, 64 bytes */
            assert_int_equal(strlen(strrchr(t, '.') + 1), 86);
        keyset_ok(t, &ks);
        assert_true(jwt_signature_verifies(t, &keys[i], NULL));
        free(h);
        free(t);
    }
    /* The project's secret (no kid, like the legacy anon key) still verifies. */
    keyset_ok(CLI_ANON, &ks);
    for (size_t i = 0; i < 3; i++)
        EVP_PKEY_free(keys[i].pkey);
}

static void test_keys_refusals(void **state)
{
    (void)state;
    signing_key_t keys[2] = {make_key("new", SIGNING_KEY_ES256, SIGNING_KEY_CURRENT),
                             make_key("old", SIGNING_KEY_ES256, SIGNING_KEY_REVOKED)};
    signing_key_t rsa = make_key("new", SIGNING_KEY_RS256, SIGNING_KEY_CURRENT);
    signing_key_t other = make_key("new", SIGNING_KEY_ES256, SIGNING_KEY_CURRENT);
    signing_key_t unknown = make_key("unknown", SIGNING_KEY_ES256, SIGNING_KEY_CURRENT);
    signing_key_t hs_kid = {
        .kid = (char *)"new", .alg = SIGNING_KEY_HS256, .secret = (char *)CLI_SECRET};
    jwt_keyset_t ks;
    jwt_keyset_init(&ks, keys, 2, "fp", CLI_SECRET);
    const struct {
        const signing_key_t *signer;
        const char *details;
    } cases[] = {
        /* Signed by the revoked key: no longer a candidate. */
        {&keys[1], "No suitable key was found to decode the JWT"},
        /* A kid nobody has. */
        {&unknown, "No suitable key was found to decode the JWT"},
        /* The right kid, another algorithm (RS256 header, ES256 key). */
        {&rsa, "No suitable key was found to decode the JWT"},
        /* HS256 with a kid: the project's secret has no kid. */
        {&hs_kid, "No suitable key was found to decode the JWT"},
        /* The right kid and alg, another key's signature. */
        {&other, "None of the keys was able to decode the JWT"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = jwt_sign_key(KEY_CLAIMS, cases[i].signer);
        keyset_fails(t, &ks, cases[i].details);
        free(t);
    }
    /* An HS256 key holding the project's secret stands for it: revoked, the
     * legacy anon key is refused; previous, it verifies. */
    signing_key_t hs[2] = {keys[0],
                           {.kid = (char *)"legacy",
                            .alg = SIGNING_KEY_HS256,
                            .status = SIGNING_KEY_REVOKED,
                            .secret = (char *)CLI_SECRET}};
    jwt_keyset_t legacy;
    jwt_keyset_init(&legacy, hs, 2, "fp2", CLI_SECRET);
    assert_null(legacy.legacy_secret);
    keyset_fails(CLI_ANON, &legacy, "No suitable key was found to decode the JWT");
    hs[1].status = SIGNING_KEY_PREVIOUS;
    keyset_ok(CLI_ANON, &legacy);
    EVP_PKEY_free(keys[0].pkey);
    EVP_PKEY_free(keys[1].pkey);
    EVP_PKEY_free(rsa.pkey);
    EVP_PKEY_free(other.pkey);
    EVP_PKEY_free(unknown.pkey);
}

static void test_keys_public_jwk(void **state)
{
    (void)state;
    signing_key_t es = make_key("es", SIGNING_KEY_ES256, SIGNING_KEY_CURRENT);
    signing_key_t rs = make_key("rs", SIGNING_KEY_RS256, SIGNING_KEY_PREVIOUS);
    signing_key_t hs = make_key("hs", SIGNING_KEY_HS256, SIGNING_KEY_PREVIOUS);
    /* GoTrue's public JWKs (internal/conf/jwk.go: use "sig", key_ops
     * ["verify"]); jwx marshals members sorted; HMAC keys are not published. */
    assert_null(jwt_public_jwk(&hs));
    cJSON *j = jwt_public_jwk(&es);
    const char *names_es[] = {"alg", "crv", "key_ops", "kid", "kty", "use", "x", "y"};
    size_t i = 0;
    for (cJSON *c = j->child; c; c = c->next, i++)
        assert_string_equal(c->string, names_es[i]);
    assert_int_equal(i, 8);
    assert_string_equal(cJSON_GetObjectItem(j, "kty")->valuestring, "EC");
    assert_string_equal(cJSON_GetObjectItem(j, "crv")->valuestring, "P-256");
    assert_int_equal(strlen(cJSON_GetObjectItem(j, "x")->valuestring), 43);
    assert_int_equal(strlen(cJSON_GetObjectItem(j, "y")->valuestring), 43);
    cJSON_Delete(j);
    j = jwt_public_jwk(&rs);
    const char *names_rs[] = {"alg", "e", "key_ops", "kid", "kty", "n", "use"};
    i = 0;
    for (cJSON *c = j->child; c; c = c->next, i++)
        assert_string_equal(c->string, names_rs[i]);
    assert_int_equal(i, 7);
    assert_string_equal(cJSON_GetObjectItem(j, "e")->valuestring, "AQAB");
    assert_int_equal(strlen(cJSON_GetObjectItem(j, "n")->valuestring), 342); /* 256 bytes */
    cJSON_Delete(j);
    EVP_PKEY_free(es.pkey);
    EVP_PKEY_free(rs.pkey);
}

static void test_keys_cache(void **state)
{
    (void)state;
    signing_key_t a = make_key("k", SIGNING_KEY_ES256, SIGNING_KEY_CURRENT);
    signing_key_t b = make_key("k", SIGNING_KEY_ES256, SIGNING_KEY_CURRENT);
    jwt_keyset_t ka, kb;
    jwt_keyset_init(&ka, &a, 1, "fp-a", CLI_SECRET);
    jwt_keyset_init(&kb, &b, 1, "fp-b", CLI_SECRET);
    char *t = jwt_sign_key(KEY_CLAIMS, &a);
    jwt_cache_t *cache = jwt_cache_new();
    pgrst_error_t err;
    pgrst_error_init(&err);
    const cJSON *claims = NULL;
    assert_int_equal(jwt_cache_verify_keyset(cache, t, &ka, NOW, &claims, &err), 0);
    assert_int_equal(jwt_cache_verify_keyset(cache, t, &ka, NOW, &claims, &err), 0);
    /* Another key set (another fingerprint) does not reuse the entry. */
    assert_int_equal(jwt_cache_verify_keyset(cache, t, &kb, NOW, &claims, &err), -1);
    assert_string_equal(err.details, "None of the keys was able to decode the JWT");
    /* Nor does the secret alone. */
    assert_int_equal(jwt_cache_verify(cache, t, CLI_SECRET, NOW, &claims, &err), -1);
    pgrst_error_dispose(&err);
    jwt_cache_free(cache);
    free(t);
    EVP_PKEY_free(a.pkey);
    EVP_PKEY_free(b.pkey);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64url_rfc4648),
        cmocka_unit_test(test_base64url_alphabet),
        cmocka_unit_test(test_base64url_whitespace),
        cmocka_unit_test(test_base64url_round_trip),
        cmocka_unit_test(test_cli_demo_keys_verify),
        cmocka_unit_test(test_self_hosted_keys_verify),
        cmocka_unit_test(test_sign_reproduces_demo_keys),
        cmocka_unit_test(test_sign_verify_round_trip),
        cmocka_unit_test(test_wrong_secret_and_tampering),
        cmocka_unit_test(test_part_count),
        cmocka_unit_test(test_empty_token),
        cmocka_unit_test(test_undecodable_tokens),
        cmocka_unit_test(test_alg_none),
        cmocka_unit_test(test_alg_without_key),
        cmocka_unit_test(test_exp_skew),
        cmocka_unit_test(test_nbf_iat_skew),
        cmocka_unit_test(test_non_numeric_claims),
        cmocka_unit_test(test_claim_order),
        cmocka_unit_test(test_cache_rechecks_time_and_secret),
        cmocka_unit_test(test_fractional_exp),
        cmocka_unit_test(test_claims_not_an_object),
        cmocka_unit_test(test_v12_texts),
        cmocka_unit_test(test_keys_round_trip),
        cmocka_unit_test(test_keys_refusals),
        cmocka_unit_test(test_keys_public_jwk),
        cmocka_unit_test(test_keys_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
