/* TOTP (RFC 6238 over RFC 4226 HOTP) with OpenSSL's HMAC-SHA1, transcribing
 * pquerna/otp's hotp.GenerateCodeCustom and totp.ValidateCustom, which GoTrue's
 * mfa.go verifyTOTPFactor calls. */
#include "totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdio.h>
#include <string.h>

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void totp_base32(const unsigned char *bytes, size_t n, char *out)
{
    size_t o = 0;
    unsigned buf = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        buf = (buf << 8) | bytes[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = b32[(buf >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        out[o++] = b32[(buf << (5 - bits)) & 31];
    out[o] = '\0';
}

/* base32.StdEncoding.DecodeString after hotp pads the secret with '=' to a
 * multiple of 8 and upper-cases it. Returns the length, or -1. */
static long base32_decode(const char *s, unsigned char *out, size_t cap)
{
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ')
        len--;
    while (*s == ' ' && len) {
        s++;
        len--;
    }
    /* Padding as Go's decoder accepts it: only at the end, and only the
     * amounts a final quantum can have. */
    size_t data = len;
    while (data && s[data - 1] == '=')
        data--;
    size_t pad = len - data + (len % 8 ? 8 - len % 8 : 0);
    if ((data + pad) % 8 != 0)
        return -1;
    size_t rem = data % 8;
    if (!(rem == 0 || rem == 2 || rem == 4 || rem == 5 || rem == 7))
        return -1;
    unsigned long long buf = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < data; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        const char *p = c ? strchr(b32, c) : NULL;
        if (!p)
            return -1;
        buf = (buf << 5) | (unsigned)(p - b32);
        bits += 5;
        if (bits >= 8) {
            if (o >= cap)
                return -1;
            out[o++] = (unsigned char)(buf >> (bits - 8));
            bits -= 8;
        }
    }
    return (long)o;
}

uint32_t totp_hotp(const unsigned char *key, size_t key_len, uint64_t counter)
{
    unsigned char msg[8];
    for (int i = 7; i >= 0; i--) {
        msg[i] = (unsigned char)(counter & 0xff);
        counter >>= 8;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha1(), key, (int)key_len, msg, sizeof msg, mac, &mac_len) || mac_len < 20)
        return UINT32_MAX;
    int off = mac[mac_len - 1] & 0xf;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    return bin % 1000000;
}

bool totp_validate(const char *code, const char *secret_b32, int64_t unix_now)
{
    /* hotp.ValidateCustom: strings.TrimSpace, then the length must be the
     * digit count. */
    while (*code == ' ' || *code == '\t' || *code == '\n' || *code == '\r')
        code++;
    size_t len = strlen(code);
    while (len && (code[len - 1] == ' ' || code[len - 1] == '\t' || code[len - 1] == '\n' ||
                   code[len - 1] == '\r'))
        len--;
    if (len != 6)
        return false;
    unsigned char key[128];
    long key_len = base32_decode(secret_b32, key, sizeof key);
    if (key_len < 0)
        return false;
    int64_t t = unix_now >= 0 ? unix_now / TOTP_PERIOD_S
                              : -((-unix_now + TOTP_PERIOD_S - 1) / TOTP_PERIOD_S);
    const int64_t counters[3] = {t, t + 1, t - 1};
    bool ok = false;
    for (int i = 0; i < 3; i++) {
        uint32_t v = totp_hotp(key, (size_t)key_len, (uint64_t)counters[i]);
        char want[8];
        snprintf(want, sizeof want, "%06u", (unsigned)v);
        /* subtle.ConstantTimeCompare; every counter is tried. */
        unsigned diff = 0;
        for (int k = 0; k < 6; k++)
            diff |= (unsigned)(want[k] ^ code[k]);
        ok |= v != UINT32_MAX && diff == 0;
    }
    return ok;
}
