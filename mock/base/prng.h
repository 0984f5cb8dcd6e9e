/* The one pseudo-random generator of a served project: xoshiro256** seeded
 * through splitmix64 from --seed. The instance owns it, so the same seed and
 * the same requests give the same UUIDs, tokens and fault bytes, and a reset
 * (a new instance) starts the sequence again. Not for secrets: nothing a mock
 * generates needs to be unpredictable. */
#ifndef MOCK_PRNG_H
#define MOCK_PRNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct prng {
    uint64_t s[4];
} prng_t;

void prng_seed(prng_t *p, uint64_t seed);
uint64_t prng_next(prng_t *p);
/* n bytes of output (8 per step, little-endian). */
void prng_fill(prng_t *p, void *out, size_t n);
/* A version-4 UUID (RFC 9562 §5.4) as lowercase canonical text into out
 * (37 bytes with the NUL). */
void prng_uuid(prng_t *p, char out[37]);

#endif
