/* libFuzzer target for jwt.c: the input is used as a token for jwt_verify
 * (with the Supabase CLI demo secret and a fixed clock), as text for the
 * base64url decoder, and as bytes for an encode/decode round trip. Besides
 * sanitizer findings it aborts when an invariant of jwt.h breaks: a success
 * yields a claims object and no error, a failure yields PGRST301/PGRST303 with
 * a WWW-Authenticate value and no claims, and decode(encode(x)) == x. */
#include "jwt.h"
#include "xalloc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_SECRET "super-secret-jwt-token-with-at-least-32-characters-long"
#define FUZZ_NOW    INT64_C(1767225600) /* 2026-01-01T00:00:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_verify(const char *token)
{
    cJSON *claims = NULL;
    pgrst_error_t err;
    pgrst_error_init(&err);
    int rc = jwt_verify(token, FUZZ_SECRET, FUZZ_NOW, &claims, &err);
    if (rc == 0) {
        if (!claims || !cJSON_IsObject(claims) || pgrst_error_is_set(&err))
            abort();
    } else {
        if (rc != -1 || claims || !err.message || !err.www_authenticate)
            abort();
        if (strcmp(err.code, "PGRST301") != 0 && strcmp(err.code, "PGRST303") != 0)
            abort();
    }
    cJSON_Delete(claims);
    pgrst_error_dispose(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024)
        return 0;
    /* As a token: a C string, so stop at the first NUL like a header would. */
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    check_verify(text);

    /* As base64url text: whatever decodes must re-encode to something that
     * decodes to the same bytes. */
    size_t n = 0;
    unsigned char *dec = jwt_base64url_decode((const char *)data, size, &n);
    if (dec) {
        char *again = jwt_base64url_encode(dec, n);
        size_t m = 0;
        unsigned char *dec2 = jwt_base64url_decode(again, strlen(again), &m);
        if (!dec2 || m != n || memcmp(dec, dec2, n) != 0)
            abort();
        free(dec2);
        free(again);
        free(dec);
    }

    /* As bytes: encoding then decoding is the identity. */
    char *enc = jwt_base64url_encode(data, size);
    if (strpbrk(enc, "+/="))
        abort();
    unsigned char *back = jwt_base64url_decode(enc, strlen(enc), &n);
    if (!back || n != size || (size && memcmp(back, data, size) != 0))
        abort();
    free(back);
    free(enc);

    /* As claims: what we sign ourselves must verify, or fail only on claims. */
    char *signed_token = jwt_sign_hs256(text, FUZZ_SECRET);
    cJSON *claims = NULL;
    pgrst_error_t err;
    pgrst_error_init(&err);
    if (jwt_verify(signed_token, FUZZ_SECRET, FUZZ_NOW, &claims, &err) == 0) {
        if (!cJSON_IsObject(claims))
            abort();
    } else if (strcmp(err.code, "PGRST303") != 0 && strcmp(err.code, "PGRST301") != 0) {
        abort();
    }
    cJSON_Delete(claims);
    pgrst_error_dispose(&err);
    free(signed_token);
    free(text);
    return 0;
}
