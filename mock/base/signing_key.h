/* One of a project's JWT signing keys, as Supabase's key rotation lists them
 * (scenario "auth.signing_keys"). Loaded by the scenario wing, used by the
 * gateway (verification) and GoTrue (signing, JWKS). Header only: the key
 * material is OpenSSL's, named here without including OpenSSL. */
#ifndef MOCK_SIGNING_KEY_H
#define MOCK_SIGNING_KEY_H

#include <stddef.h>

typedef enum signing_key_status {
    SIGNING_KEY_CURRENT,  /* signs GoTrue's tokens; verifies */
    SIGNING_KEY_PREVIOUS, /* verifies only */
    SIGNING_KEY_REVOKED,  /* neither: tokens signed with it are refused */
} signing_key_status_t;

typedef enum signing_key_alg {
    SIGNING_KEY_HS256,
    SIGNING_KEY_ES256, /* P-256 */
    SIGNING_KEY_RS256,
} signing_key_alg_t;

struct evp_pkey_st;

typedef struct signing_key {
    char *kid;
    signing_key_alg_t alg;
    signing_key_status_t status;
    char *secret;             /* HS256: the shared secret; else NULL */
    struct evp_pkey_st *pkey; /* ES256/RS256: the private key (OpenSSL EVP_PKEY); else NULL */
} signing_key_t;

static inline const char *signing_key_alg_name(signing_key_alg_t alg)
{
    return alg == SIGNING_KEY_ES256 ? "ES256" : alg == SIGNING_KEY_RS256 ? "RS256" : "HS256";
}

#endif
