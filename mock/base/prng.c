/* xoshiro256** (Blackman and Vigna, https://prng.di.unimi.it/) with the
 * splitmix64 seeding its authors recommend. */
#include "prng.h"

#include <string.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void prng_seed(prng_t *p, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        p->s[i] = splitmix64(&x);
}

uint64_t prng_next(prng_t *p)
{
    uint64_t *st = p->s;
    uint64_t result = rotl(st[1] * 5, 7) * 9;
    uint64_t t = st[1] << 17;
    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl(st[3], 45);
    return result;
}

void prng_fill(prng_t *p, void *out, size_t n)
{
    unsigned char *o = out;
    while (n > 0) {
        uint64_t v = prng_next(p);
        unsigned char b[8];
        for (int i = 0; i < 8; i++)
            b[i] = (unsigned char)(v >> (8 * i));
        size_t k = n < 8 ? n : 8;
        memcpy(o, b, k);
        o += k;
        n -= k;
    }
}

void prng_uuid(prng_t *p, char out[37])
{
    unsigned char b[16];
    uint64_t a = prng_next(p), c = prng_next(p);
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(a >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(c >> (56 - 8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10 */
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}
