/* RFC 6238 TOTP as github.com/pquerna/otp computes it for GoTrue's MFA:
 * HMAC-SHA1, six digits, a 30 s step, secrets in unpadded base32. */
#ifndef MOCK_TOTP_H
#define MOCK_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_PERIOD_S    30
#define TOTP_SECRET_SIZE 20 /* totp.GenerateOpts SecretSize default */

/* base32.StdEncoding.WithPadding(NoPadding) of n bytes; out holds
 * (n * 8 + 4) / 5 + 1 characters. */
void totp_base32(const unsigned char *bytes, size_t n, char *out);

/* The code (0..999999) for counter, HOTP over the decoded key. */
uint32_t totp_hotp(const unsigned char *key, size_t key_len, uint64_t counter);

/* totp.ValidateCustom(code, secret, t, {Period 30, Skew 1, Digits 6, SHA1}):
 * the counters of t, t+1 step and t-1 step; a code that is not six
 * characters after trimming spaces never matches; a secret that is not
 * base32 never matches. */
bool totp_validate(const char *code, const char *secret_b32, int64_t unix_now);

#endif
