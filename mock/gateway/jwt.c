/* HS256 JWT verification and signing with OpenSSL (HMAC, constant-time
 * compare, base64 via EVP). Error texts are PostgREST v14's (Error.hs,
 * PGRST301/PGRST303); jwt_error_to_v12 rewrites them as PostgREST v12 words them. */
#include "jwt.h"

#include "buf.h"
#include "xalloc.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *jwt_base64url_encode(const unsigned char *data, size_t len)
{
    size_t cap = 4 * ((len + 2) / 3) + 1;
    unsigned char *b64 = xmalloc(cap);
    int n = EVP_EncodeBlock(b64, data, (int)len);
    while (n > 0 && b64[n - 1] == '=')
        n--;
    for (int i = 0; i < n; i++) {
        if (b64[i] == '+')
            b64[i] = '-';
        else if (b64[i] == '/')
            b64[i] = '_';
    }
    b64[n] = '\0';
    return (char *)b64;
}

unsigned char *jwt_base64url_decode(const char *s, size_t len, size_t *out_len)
{
    /* Only the URL alphabet without padding: OpenSSL's decoder would also
     * skip whitespace, which jose does not. */
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return NULL;
    }
    if (len % 4 == 1)
        return NULL;
    size_t padded = (len + 3) / 4 * 4;
    unsigned char *in = xmalloc(padded + 1);
    for (size_t i = 0; i < len; i++)
        in[i] = (unsigned char)(s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i]);
    size_t pad = padded - len;
    memset(in + len, '=', pad);
    in[padded] = '\0';
    unsigned char *out = xmalloc(padded / 4 * 3 + 1);
    int n = padded ? EVP_DecodeBlock(out, in, (int)padded) : 0;
    free(in);
    if (n < 0) {
        free(out);
        return NULL;
    }
    *out_len = (size_t)n - pad;
    out[*out_len] = '\0';
    return out;
}

/* WWW-Authenticate for a JWT error: error_description is Haskell `show` of
 * the message (double-quoted, with `"` and `\` escaped; Error.hs). */
static void set_www_authenticate(pgrst_error_t *err, const char *message)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "Bearer error=\"invalid_token\", error_description=\"");
    for (const char *p = message; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_putc(&b, '\\');
        buf_putc(&b, *p);
    }
    buf_putc(&b, '"');
    free(err->www_authenticate);
    err->www_authenticate = xstrdup(buf_cstr(&b));
    buf_dispose(&b);
}

static int fail_301(pgrst_error_t *err, const char *message, const char *details)
{
    pgrst_error_setf(err, "PGRST301", "%s", message);
    if (details)
        pgrst_error_detailsf(err, "%s", details);
    set_www_authenticate(err, message);
    return -1;
}

static int fail_303(pgrst_error_t *err, const char *message)
{
    pgrst_error_setf(err, "PGRST303", "%s", message);
    set_www_authenticate(err, message);
    return -1;
}

static void hmac_sha256(const char *secret, const char *data, size_t len, unsigned char *mac,
                        unsigned int *mac_len)
{
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)data, len, mac, mac_len);
}

/* One time claim as PostgREST's checkForErrors reads it: absent is fine; a
 * non-number is "The JWT '<name>' claim must be a number"; a number that is
 * not an integer (or out of range) counts as 0 (sciToInt). */
static int time_claim(const cJSON *claims, const char *name, int64_t *out, bool *present,
                      pgrst_error_t *err)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(claims, name);
    *present = c != NULL && !cJSON_IsNull(c);
    if (!*present)
        return 0;
    if (!cJSON_IsNumber(c)) {
        char msg[64];
        snprintf(msg, sizeof msg, "The JWT '%s' claim must be a number", name);
        return fail_303(err, msg);
    }
    double v = c->valuedouble;
    *out = v == (double)(int64_t)v && v > -9.2e18 && v < 9.2e18 ? (int64_t)v : 0;
    return 0;
}

/* The three time claims as numbers, once their types are known to be right. */
typedef struct jwt_times {
    bool has_exp, has_nbf, has_iat;
    int64_t exp, nbf, iat;
} jwt_times_t;

static int check_exp(const jwt_times_t *t, int64_t now, pgrst_error_t *err)
{
    return t->has_exp && now - JWT_CLOCK_SKEW_SECONDS > t->exp ? fail_303(err, "JWT expired") : 0;
}

static int check_nbf(const jwt_times_t *t, int64_t now, pgrst_error_t *err)
{
    return t->has_nbf && now + JWT_CLOCK_SKEW_SECONDS < t->nbf ? fail_303(err, "JWT not yet valid")
                                                               : 0;
}

static int check_iat(const jwt_times_t *t, int64_t now, pgrst_error_t *err)
{
    return t->has_iat && now + JWT_CLOCK_SKEW_SECONDS < t->iat
               ? fail_303(err, "JWT issued at future")
               : 0;
}

/* exp, then nbf, then iat: each checked fully (type, then time) before the
 * next, so the first failure in that order is the one reported. `out` (may be
 * NULL) receives the numbers when every check passed. */
static int read_and_check_times(const cJSON *claims, int64_t now, jwt_times_t *out,
                                pgrst_error_t *err)
{
    jwt_times_t t = {0};
    if (time_claim(claims, "exp", &t.exp, &t.has_exp, err) < 0 || check_exp(&t, now, err) < 0 ||
        time_claim(claims, "nbf", &t.nbf, &t.has_nbf, err) < 0 || check_nbf(&t, now, err) < 0 ||
        time_claim(claims, "iat", &t.iat, &t.has_iat, err) < 0 || check_iat(&t, now, err) < 0)
        return -1;
    if (out)
        *out = t;
    return 0;
}

int jwt_check_time_claims(const cJSON *claims, int64_t now, pgrst_error_t *err)
{
    return read_and_check_times(claims, now, NULL, err);
}

void jwt_parts_inspect(const char *token, const char *secret, jwt_parts_t *out)
{
    memset(out, 0, sizeof *out);
    out->segments = 1;
    for (const char *p = token; *p; p++)
        out->segments += *p == '.';
    if (out->segments != 3)
        return;
    const char *dot1 = strchr(token, '.');
    const char *dot2 = strchr(dot1 + 1, '.');
    size_t hlen = 0, plen = 0, slen = 0;
    unsigned char *header = jwt_base64url_decode(token, (size_t)(dot1 - token), &hlen);
    unsigned char *payload = jwt_base64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &plen);
    unsigned char *sig = jwt_base64url_decode(dot2 + 1, strlen(dot2 + 1), &slen);
    out->header_b64 = header != NULL;
    out->payload_b64 = payload != NULL;
    out->signature_b64 = sig != NULL;
    if (header) {
        cJSON *h = cJSON_ParseWithLength((const char *)header, hlen);
        if (cJSON_IsObject(h)) {
            out->header = h;
            const cJSON *alg = cJSON_GetObjectItemCaseSensitive(h, "alg");
            out->alg = cJSON_IsString(alg) ? alg->valuestring : NULL;
        } else {
            cJSON_Delete(h);
        }
    }
    if (payload)
        out->claims = cJSON_ParseWithLength((const char *)payload, plen);
    if (sig && secret) {
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int mac_len = 0;
        hmac_sha256(secret, token, (size_t)(dot2 - token), mac, &mac_len);
        out->signature_ok = slen == mac_len && CRYPTO_memcmp(mac, sig, mac_len) == 0;
    }
    free(header);
    free(payload);
    free(sig);
}

void jwt_parts_dispose(jwt_parts_t *p)
{
    cJSON_Delete(p->header);
    cJSON_Delete(p->claims);
    memset(p, 0, sizeof *p);
}

void jwt_keyset_init(jwt_keyset_t *ks, const signing_key_t *keys, size_t count,
                     const char *fingerprint, const char *secret)
{
    ks->keys = count ? keys : NULL;
    ks->count = count;
    ks->fingerprint = count ? fingerprint : NULL;
    ks->legacy_secret = secret;
    for (size_t i = 0; i < count && secret; i++)
        if (keys[i].alg == SIGNING_KEY_HS256 && strcmp(keys[i].secret, secret) == 0)
            ks->legacy_secret = NULL;
}

int jwt_verify(const char *token, const char *secret, int64_t now_unix, cJSON **claims,
               pgrst_error_t *err)
{
    jwt_keyset_t ks;
    jwt_keyset_init(&ks, NULL, 0, NULL, secret);
    return jwt_verify_keyset(token, &ks, now_unix, claims, err);
}

/* jose's key selection and signature check for a key set with signing keys
 * (decode and canDecodeJws in Jose/Jwt.hs and Jose/Jwk.hs): a header kid
 * must equal the key's (a key without kid, the legacy secret, never matches a
 * header kid), the header alg must be the key's alg; no key left is
 * "No suitable key was found to decode the JWT"; keys left that all fail the
 * signature is "None of the keys was able to decode the JWT". */
static int verify_with_keys(const char *token, const jwt_parts_t *t, const jwt_keyset_t *ks,
                            pgrst_error_t *err)
{
    const cJSON *kid_item = cJSON_GetObjectItemCaseSensitive(t->header, "kid");
    bool has_kid = kid_item != NULL;
    const char *kid = cJSON_IsString(kid_item) ? kid_item->valuestring : NULL;
    size_t suitable = 0;
    bool ok = false;
    if (ks->legacy_secret && !has_kid && strcmp(t->alg, "HS256") == 0) {
        suitable++;
        ok = jwt_signature_verifies(token, NULL, ks->legacy_secret);
    }
    for (size_t i = 0; i < ks->count; i++) {
        const signing_key_t *k = &ks->keys[i];
        if (k->status == SIGNING_KEY_REVOKED)
            continue;
        if (has_kid && (!kid || strcmp(kid, k->kid) != 0))
            continue;
        if (strcmp(t->alg, signing_key_alg_name(k->alg)) != 0)
            continue;
        suitable++;
        if (!ok)
            ok = jwt_signature_verifies(token, k, NULL);
    }
    if (suitable == 0)
        return fail_301(err, "No suitable key or wrong key type",
                        "No suitable key was found to decode the JWT");
    if (!ok)
        return fail_301(err, "No suitable key or wrong key type",
                        "None of the keys was able to decode the JWT");
    return 0;
}

int jwt_verify_keyset(const char *token, const jwt_keyset_t *ks, int64_t now_unix, cJSON **claims,
                      pgrst_error_t *err)
{
    const char *secret = ks->count ? NULL : ks->legacy_secret;
    if (*token == '\0')
        return fail_301(err, "Empty JWT is sent in Authorization header", NULL);
    jwt_parts_t t;
    jwt_parts_inspect(token, secret, &t); /* no HMAC with signing keys: verify_with_keys */
    int rc = -1;
    if (t.segments != 3) {
        char msg[64];
        snprintf(msg, sizeof msg, "Expected 3 parts in JWT; got %zu", t.segments);
        fail_301(err, msg, NULL);
        goto done;
    }
    /* jose parses the compact form first: any part that is not base64url, or a
     * header that is not a JSON object, is BadCrypto. */
    if (!t.header_b64 || !t.payload_b64 || !t.signature_b64 || !t.header) {
        fail_301(err, "JWT cryptographic operation failed", NULL);
        goto done;
    }
    if (t.alg && strcmp(t.alg, "none") == 0) {
        fail_301(err, "Wrong or unsupported encoding algorithm",
                 "JWT is unsecured but expected 'alg' was not 'none'");
        goto done;
    }
    if (ks->count && t.alg) {
        if (verify_with_keys(token, &t, ks, err) < 0)
            goto done;
    } else if (!t.alg || strcmp(t.alg, "HS256") != 0) {
        /* Only the project's HMAC secret is configured: no key suits another
         * algorithm. */
        fail_301(err, "No suitable key or wrong key type",
                 "No suitable key was found to decode the JWT");
        goto done;
    } else if (!t.signature_ok) {
        fail_301(err, "No suitable key or wrong key type",
                 "None of the keys was able to decode the JWT");
        goto done;
    }
    if (!cJSON_IsObject(t.claims)) {
        fail_303(err, "Parsing claims failed");
        goto done;
    }
    if (jwt_check_time_claims(t.claims, now_unix, err) < 0)
        goto done;
    *claims = t.claims;
    t.claims = NULL;
    rc = 0;
done:
    jwt_parts_dispose(&t);
    return rc;
}

char *jwt_sign_hs256(const char *claims_json, const char *secret)
{
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    char *h = jwt_base64url_encode((const unsigned char *)header, sizeof header - 1);
    char *p = jwt_base64url_encode((const unsigned char *)claims_json, strlen(claims_json));
    buf_t out;
    buf_init(&out);
    buf_printf(&out, "%s.%s", h, p);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    hmac_sha256(secret, out.data, out.len, mac, &mac_len);
    char *s = jwt_base64url_encode(mac, mac_len);
    buf_printf(&out, ".%s", s);
    free(h);
    free(p);
    free(s);
    return buf_steal(&out);
}

/* ---- ES256 / RS256 (and HS256 by key) ---- */

#define ES256_PART 32

/* DER ECDSA-Sig-Value -> JWS R||S (RFC 7518 3.4); 0 on success. */
static int ecdsa_der_to_raw(const unsigned char *der, size_t len, unsigned char raw[64])
{
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    if (!sig)
        return -1;
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG_get0(sig, &r, &s);
    int ok = BN_bn2binpad(r, raw, ES256_PART) == ES256_PART &&
             BN_bn2binpad(s, raw + ES256_PART, ES256_PART) == ES256_PART;
    ECDSA_SIG_free(sig);
    return ok ? 0 : -1;
}

/* JWS R||S -> DER, heap (OPENSSL_free), or NULL. */
static unsigned char *ecdsa_raw_to_der(const unsigned char *raw, int *der_len)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, ES256_PART, NULL);
    BIGNUM *s = BN_bin2bn(raw + ES256_PART, ES256_PART, NULL);
    unsigned char *der = NULL;
    if (sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
        r = s = NULL; /* owned by sig */
        *der_len = i2d_ECDSA_SIG(sig, &der);
        if (*der_len <= 0)
            der = NULL;
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return der;
}

static bool pkey_verify(EVP_PKEY *pkey, const unsigned char *data, size_t len,
                        const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
              EVP_DigestVerify(md, sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

bool jwt_signature_verifies(const char *token, const signing_key_t *key, const char *secret)
{
    const char *dot2 = strrchr(token, '.');
    if (!dot2)
        return false;
    size_t input_len = (size_t)(dot2 - token);
    size_t slen = 0;
    unsigned char *sig = jwt_base64url_decode(dot2 + 1, strlen(dot2 + 1), &slen);
    if (!sig)
        return false;
    bool ok = false;
    if (!key || key->alg == SIGNING_KEY_HS256) {
        const char *sec = key ? key->secret : secret;
        unsigned char mac[EVP_MAX_MD_SIZE];
        unsigned int mac_len = 0;
        hmac_sha256(sec, token, input_len, mac, &mac_len);
        ok = slen == mac_len && CRYPTO_memcmp(mac, sig, mac_len) == 0;
    } else if (key->alg == SIGNING_KEY_ES256) {
        /* jose's ecDecode wants exactly R||S of the curve's size. */
        int der_len = 0;
        unsigned char *der = slen == 2 * ES256_PART ? ecdsa_raw_to_der(sig, &der_len) : NULL;
        ok = der &&
             pkey_verify(key->pkey, (const unsigned char *)token, input_len, der, (size_t)der_len);
        OPENSSL_free(der);
    } else {
        ok = pkey_verify(key->pkey, (const unsigned char *)token, input_len, sig, slen);
    }
    free(sig);
    ERR_clear_error();
    return ok;
}

static void put_json_string(buf_t *b, const char *s)
{
    cJSON *str = cJSON_CreateString(s);
    char *p = cJSON_PrintUnformatted(str);
    buf_puts(b, p);
    cJSON_free(p);
    cJSON_Delete(str);
}

char *jwt_sign_key(const char *claims_json, const signing_key_t *key)
{
    buf_t header;
    buf_init(&header);
    buf_printf(&header, "{\"alg\":\"%s\",\"kid\":", signing_key_alg_name(key->alg));
    put_json_string(&header, key->kid);
    buf_puts(&header, ",\"typ\":\"JWT\"}");
    char *h = jwt_base64url_encode((const unsigned char *)header.data, header.len);
    char *p = jwt_base64url_encode((const unsigned char *)claims_json, strlen(claims_json));
    buf_dispose(&header);
    buf_t out;
    buf_init(&out);
    buf_printf(&out, "%s.%s", h, p);
    free(h);
    free(p);
    unsigned char sig_buf[EVP_MAX_MD_SIZE > 64 ? EVP_MAX_MD_SIZE : 64];
    unsigned char *sig = sig_buf;
    size_t sig_len = 0;
    unsigned char *der = NULL;
    if (key->alg == SIGNING_KEY_HS256) {
        unsigned int mac_len = 0;
        hmac_sha256(key->secret, out.data, out.len, sig_buf, &mac_len);
        sig_len = mac_len;
    } else {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        size_t len = 0;
        int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
                 EVP_DigestSign(md, NULL, &len, (const unsigned char *)out.data, out.len) == 1;
        if (ok) {
            der = xmalloc(len);
            ok = EVP_DigestSign(md, der, &len, (const unsigned char *)out.data, out.len) == 1;
        }
        EVP_MD_CTX_free(md);
        MOCK_ASSERT(ok);
        if (key->alg == SIGNING_KEY_ES256) {
            int rc = ecdsa_der_to_raw(der, len, sig_buf);
            MOCK_ASSERT(rc == 0);
            sig_len = 2 * ES256_PART;
        } else {
            sig = der;
            sig_len = len;
        }
    }
    char *s = jwt_base64url_encode(sig, sig_len);
    buf_printf(&out, ".%s", s);
    free(s);
    free(der);
    return buf_steal(&out);
}

/* A big number's bytes in base64url: left-padded to `pad` bytes when pad is
 * non-zero (EC coordinates), minimal otherwise (RSA n and e). */
static void add_bn(cJSON *o, const char *name, EVP_PKEY *pkey, const char *param, int pad)
{
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
        return;
    int len = pad ? pad : BN_num_bytes(bn);
    unsigned char *bytes = xmalloc((size_t)len + 1);
    if (pad)
        BN_bn2binpad(bn, bytes, pad);
    else
        BN_bn2bin(bn, bytes);
    char *b64 = jwt_base64url_encode(bytes, (size_t)len);
    cJSON_AddStringToObject(o, name, b64);
    free(b64);
    free(bytes);
    BN_free(bn);
}

cJSON *jwt_public_jwk(const signing_key_t *key)
{
    if (key->alg == SIGNING_KEY_HS256)
        return NULL;
    /* GoTrue (internal/conf/jwk.go) derives the public JWK with jwk.PublicKeyOf
     * and sets use "sig" and key_ops ["verify"]; jwx marshals members sorted. */
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "alg", signing_key_alg_name(key->alg));
    const char *verify[] = {"verify"};
    if (key->alg == SIGNING_KEY_ES256) {
        cJSON_AddStringToObject(o, "crv", "P-256");
        cJSON_AddItemToObject(o, "key_ops", cJSON_CreateStringArray(verify, 1));
        cJSON_AddStringToObject(o, "kid", key->kid);
        cJSON_AddStringToObject(o, "kty", "EC");
        cJSON_AddStringToObject(o, "use", "sig");
        add_bn(o, "x", key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, ES256_PART);
        add_bn(o, "y", key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, ES256_PART);
    } else {
        add_bn(o, "e", key->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
        cJSON_AddItemToObject(o, "key_ops", cJSON_CreateStringArray(verify, 1));
        cJSON_AddStringToObject(o, "kid", key->kid);
        cJSON_AddStringToObject(o, "kty", "RSA");
        add_bn(o, "n", key->pkey, OSSL_PKEY_PARAM_RSA_N, 0);
        cJSON_AddStringToObject(o, "use", "sig");
    }
    return o;
}

char *jwt_jwks_json(const signing_key_t *keys, size_t count)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "keys");
    for (size_t i = 0; i < count; i++) {
        cJSON *jwk = keys[i].status == SIGNING_KEY_REVOKED ? NULL : jwt_public_jwk(&keys[i]);
        if (jwk)
            cJSON_AddItemToArray(arr, jwk);
    }
    char *printed = cJSON_PrintUnformatted(o);
    char *text = xstrdup(printed);
    cJSON_free(printed);
    cJSON_Delete(o);
    return text;
}

/* Direct-mapped: a slot per hash of the token; a new token evicts the old. */
#define JWT_CACHE_SLOTS 64

typedef struct jwt_cache_entry {
    char *token;       /* owned; NULL when empty */
    char *secret;      /* owned: the legacy secret it verified against ("" for none) */
    char *fingerprint; /* owned: the signing keys' fingerprint ("" for none) */
    cJSON *claims;     /* owned */
    jwt_times_t times; /* exp/nbf/iat, read once: their types passed when verified */
} jwt_cache_entry_t;

struct jwt_cache {
    jwt_cache_entry_t slots[JWT_CACHE_SLOTS];
};

jwt_cache_t *jwt_cache_new(void)
{
    return xcalloc(1, sizeof(jwt_cache_t));
}

static void entry_clear(jwt_cache_entry_t *e)
{
    free(e->token);
    free(e->secret);
    free(e->fingerprint);
    cJSON_Delete(e->claims);
    memset(e, 0, sizeof *e);
}

void jwt_cache_free(jwt_cache_t *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < JWT_CACHE_SLOTS; i++)
        entry_clear(&cache->slots[i]);
    free(cache);
}

static size_t token_slot(const char *token)
{
    /* The tail is the signature (or its end): enough entropy to spread tokens
     * without hashing all of a long token on every request. */
    size_t len = strlen(token);
    const unsigned char *p = (const unsigned char *)token + (len > 24 ? len - 24 : 0);
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (size_t)(h % JWT_CACHE_SLOTS);
}

int jwt_cache_verify(jwt_cache_t *cache, const char *token, const char *secret, int64_t now_unix,
                     const cJSON **claims, pgrst_error_t *err)
{
    jwt_keyset_t ks;
    jwt_keyset_init(&ks, NULL, 0, NULL, secret);
    return jwt_cache_verify_keyset(cache, token, &ks, now_unix, claims, err);
}

int jwt_cache_verify_keyset(jwt_cache_t *cache, const char *token, const jwt_keyset_t *ks,
                            int64_t now_unix, const cJSON **claims, pgrst_error_t *err)
{
    const char *secret = ks->legacy_secret ? ks->legacy_secret : "";
    const char *fingerprint = ks->fingerprint ? ks->fingerprint : "";
    jwt_cache_entry_t *e = &cache->slots[token_slot(token)];
    if (e->token && strcmp(e->token, token) == 0 && strcmp(e->secret, secret) == 0 &&
        strcmp(e->fingerprint, fingerprint) == 0) {
        /* Time moves on (the scenario clock too): the times are checked on
         * every use, in PostgREST's order. */
        if (check_exp(&e->times, now_unix, err) < 0 || check_nbf(&e->times, now_unix, err) < 0 ||
            check_iat(&e->times, now_unix, err) < 0)
            return -1;
        *claims = e->claims;
        return 0;
    }
    cJSON *fresh = NULL;
    if (jwt_verify_keyset(token, ks, now_unix, &fresh, err) < 0)
        return -1;
    entry_clear(e);
    e->token = xstrdup(token);
    e->secret = xstrdup(secret);
    e->fingerprint = xstrdup(fingerprint);
    e->claims = fresh;
    /* jwt_verify checked the types already, so this only reads the numbers. */
    int rc = read_and_check_times(fresh, now_unix, &e->times, err);
    MOCK_ASSERT(rc == 0);
    *claims = fresh;
    return 0;
}

/* PostgREST v12.2 (Auth.hs, jose-jwt): every failure is PGRST301 without
 * details, and the texts are hs-jose's `show` kept "to avoid breaking
 * changes": KeyError -> JWSInvalidSignature, BadAlgorithm -> JWSNoSignatures,
 * BadCrypto -> the CompactDecodeError text (hard-coded "got 2" in Auth.hs);
 * a payload that is not base64url is `JWSError (JSONDecodeError "Not valid base64url")`;
 * the time claims use the constructor names JWTNotYetValid/JWTIssuedAtFuture. */
void jwt_error_to_v12(pgrst_error_t *err)
{
    static const struct {
        const char *v14_prefix;
        const char *v12;
    } map[] = {
        {"Expected 3 parts in JWT; got ",
         "JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got 2)"},
        {"JWT cryptographic operation failed",
         "JWSError (JSONDecodeError \"Not valid base64url\")"},
        {"No suitable key or wrong key type", "JWSError JWSInvalidSignature"},
        {"Wrong or unsupported encoding algorithm", "JWSError JWSNoSignatures"},
        {"JWT not yet valid", "JWTNotYetValid"},
        {"JWT issued at future", "JWTIssuedAtFuture"},
        {"JWT not in audience", "JWTNotInAudience"},
    };
    if (strcmp(err->code, "PGRST301") != 0 && strcmp(err->code, "PGRST303") != 0)
        return;
    const char *text = err->message;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strncmp(err->message, map[i].v14_prefix, strlen(map[i].v14_prefix)) == 0)
            text = map[i].v12;
    char *message = xstrdup(text);
    pgrst_error_setf(err, "PGRST301", "%s", message); /* clears details and hint */
    set_www_authenticate(err, message);
    free(message);
}
