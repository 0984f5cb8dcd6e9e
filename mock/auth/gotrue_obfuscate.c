/* obfuscateValue (internal/models/user.go): the SHA-256 of the user id's
 * text followed by the value, base64url without padding. OpenSSL hashes. */
#include "gotrue_obfuscate.h"

#include "xalloc.h"

#include <openssl/evp.h>

#include <string.h>

void gotrue_obfuscate(const char *id, const char *value, char out[48])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char d[32];
    unsigned int dlen = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(md, id, strlen(id)) == 1 &&
             EVP_DigestUpdate(md, value, strlen(value)) == 1 &&
             EVP_DigestFinal_ex(md, d, &dlen) == 1;
    EVP_MD_CTX_free(md);
    MOCK_ASSERT(ok && dlen == sizeof d);
    size_t o = 0;
    for (size_t i = 0; i < sizeof d; i += 3) {
        unsigned v = (unsigned)d[i] << 16;
        size_t n = sizeof d - i >= 3 ? 3 : sizeof d - i;
        if (n > 1)
            v |= (unsigned)d[i + 1] << 8;
        if (n > 2)
            v |= d[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        if (n > 1)
            out[o++] = alphabet[(v >> 6) & 63];
        if (n > 2)
            out[o++] = alphabet[v & 63];
    }
    out[o] = '\0';
}
