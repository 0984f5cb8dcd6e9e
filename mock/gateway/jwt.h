/* JSON Web Tokens as PostgREST verifies them (HS256 with the project's secret)
 * and as GoTrue signs them. OpenSSL does the cryptography; the comparison is
 * constant-time. Pure apart from OpenSSL. */
#ifndef MOCK_JWT_H
#define MOCK_JWT_H

#include "pgrst_error.h"
#include "signing_key.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Clock skew PostgREST allows for exp/nbf/iat (Auth/Jwt.hs v14.17). */
#define JWT_CLOCK_SKEW_SECONDS 30

/* Everything about an HS256 token that a verifier decides on, computed once
 * (the one HS256 verifier): PostgREST (jose) and GoTrue (golang-jwt) check
 * these facts in different orders and say different things about them, so
 * each caller walks them in its library's order. Owned by the caller:
 * jwt_parts_dispose frees it. */
typedef struct jwt_parts {
    size_t segments;    /* dot-separated parts of the compact form */
    bool header_b64;    /* the header segment is base64url */
    cJSON *header;      /* the header as a JSON object, or NULL */
    const char *alg;    /* header "alg" when it is a string, else NULL */
    bool payload_b64;   /* the payload segment is base64url */
    cJSON *claims;      /* the payload as JSON (any value), or NULL */
    bool signature_b64; /* the signature segment is base64url */
    bool signature_ok;  /* HMAC-SHA256(secret, header.payload) equals it */
} jwt_parts_t;

/* Fills *out for a token of exactly three segments (segments is set in every
 * case; nothing else is looked at when it is not 3). */
void jwt_parts_inspect(const char *token, const char *secret, jwt_parts_t *out);
void jwt_parts_dispose(jwt_parts_t *p);

/* Verifies `token` with HS256 and `secret`, then its time claims against
 * now_unix. Returns 0 with *claims (caller frees with cJSON_Delete), or -1 with
 * err set to PostgREST v14's PGRST301/PGRST303 error, including its
 * WWW-Authenticate value. */
int jwt_verify(const char *token, const char *secret, int64_t now_unix, cJSON **claims,
               pgrst_error_t *err);

/* The keys a verifier accepts: the scenario's signing keys that are not
 * revoked, and the project's HS256 secret as a key without kid (legacy_secret;
 * NULL when a listed HS256 key holds the same secret, so its status rules).
 * With no signing keys this is the legacy secret alone, and a header "kid" is
 * not looked at (the mock's behaviour before signing keys). */
typedef struct jwt_keyset {
    const signing_key_t *keys;
    size_t count;
    const char *legacy_secret;
    const char *fingerprint; /* tells key sets apart in the cache; NULL when count is 0 */
} jwt_keyset_t;

/* Fills *ks (borrowing everything) from the scenario's keys and HS256 secret. */
void jwt_keyset_init(jwt_keyset_t *ks, const signing_key_t *keys, size_t count,
                     const char *fingerprint, const char *secret);

/* jwt_verify against a key set, in jose-jwt's decode order (Jose/Jwt.hs):
 * keys are filtered by kid (when the header has one), by the key's alg and by
 * key type; none left is KeyError "No suitable key was found to decode the
 * JWT", none verifying is KeyError "None of the keys was able to decode the JWT". */
int jwt_verify_keyset(const char *token, const jwt_keyset_t *ks, int64_t now_unix, cJSON **claims,
                      pgrst_error_t *err);

/* Rewrites a v13+/v14 PGRST301/PGRST303 error (from jwt_verify) into the
 * PGRST301 PostgREST v12 sends for the same token; other errors unchanged.
 * (v12 also treats an empty Bearer token as anonymous: callers handle that.) */
void jwt_error_to_v12(pgrst_error_t *err);
/* PostgREST's exp, nbf and iat checks alone (for claims verified earlier). */
int jwt_check_time_claims(const cJSON *claims, int64_t now_unix, pgrst_error_t *err);

/* A bounded cache of verified tokens, so a token seen again skips base64,
 * HMAC and JSON parsing (PostgREST keeps a JWT cache for the same reason).
 * Only successful verifications are kept; time claims are checked on every
 * use. One cache belongs to one instance. */
typedef struct jwt_cache jwt_cache_t;
jwt_cache_t *jwt_cache_new(void);
void jwt_cache_free(jwt_cache_t *cache); /* NULL is a no-op */
/* jwt_verify through the cache. On success *claims is borrowed from the cache
 * and stays valid until the next call on it. */
int jwt_cache_verify(jwt_cache_t *cache, const char *token, const char *secret, int64_t now_unix,
                     const cJSON **claims, pgrst_error_t *err);

/* jwt_cache_verify against a key set. */
int jwt_cache_verify_keyset(jwt_cache_t *cache, const char *token, const jwt_keyset_t *ks,
                            int64_t now_unix, const cJSON **claims, pgrst_error_t *err);

/* Signs `claims` (compact JSON as given) with HS256; returns a heap string. */
char *jwt_sign_hs256(const char *claims_json, const char *secret);

/* Signs `claims` with `key` as GoTrue's SignJWT does: header
 * {"alg":...,"kid":...,"typ":"JWT"} (golang-jwt marshals a Go map: keys
 * sorted). ES256 signatures are R||S, 64 bytes. Returns a heap string. */
char *jwt_sign_key(const char *claims_json, const signing_key_t *key);

/* The public JWK of an ES256/RS256 key as GoTrue publishes it (jwx:
 * members sorted; use "sig", key_ops ["verify"]); NULL for HS256. */
cJSON *jwt_public_jwk(const signing_key_t *key);
/* GoTrue's JWKS body {"keys":[...]} (internal/api/jwks.go): the public JWKs of
 * the keys not revoked, HMAC keys left out, in the order given. Heap string. */
char *jwt_jwks_json(const signing_key_t *keys, size_t count);

/* Checks the signature of a three-part token with one key (alg already
 * matched to the key by the caller). secret: an HS256 key without a
 * signing_key_t (the legacy secret); key is then NULL. */
bool jwt_signature_verifies(const char *token, const signing_key_t *key, const char *secret);

/* base64url without padding, both ways. decode returns a heap buffer (NUL
 * appended, *out_len excludes it) or NULL when the input is not base64url. */
char *jwt_base64url_encode(const unsigned char *data, size_t len);
unsigned char *jwt_base64url_decode(const char *s, size_t len, size_t *out_len);

#endif
