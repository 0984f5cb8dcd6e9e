/* GoTrue's model: users, sessions, refresh tokens with rotation, access tokens
 * with GoTrue's claims, the user object in Go's field order, and the
 * handle_new_user-style on_signup insert through the store; anonymous users,
 * bans, soft deletion, and sessions' AAL and AMR claims (MFA factors are in
 * gotrue_mfa.c). Knows nothing of HTTP: auth.c maps requests onto these
 * calls and renders gotrue_error_t.
 * Sources (supabase/auth): internal/api/{auth,token,signup,anonymous,user,
 * logout,admin,errors,password}.go, internal/models/{user,sessions,amr}.go,
 * internal/tokens/service.go. */
#include "gotrue.h"

#include "auth_mail.h"
#include "auth_users.h"
#include "gotrue_db.h"
#include "gotrue_mfa.h"
#include "gotrue_obfuscate.h"
#include "clock.h"
#include "gotrue_flows.h"
#include "inbox.h"
#include "jwt.h"
#include "mem_trigger.h"
#include "owner_insert.h"
#include "xalloc.h"

#include <crypt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#define NO_TIME INT64_MIN

typedef struct gt_user {
    char id[40];
    char identity_id[40];
    char *email; /* NULL when none (rendered "") */
    char *phone;
    char *password; /* NULL: cannot sign in with a password */
    /* password holds the bcrypt hash read from the database's auth.users
     * (a seeded or earlier user), not the text itself. */
    bool password_hashed;
    char *role;
    cJSON *user_metadata; /* owned objects */
    cJSON *app_metadata;
    int64_t created_us, updated_us;
    int64_t email_confirmed_us, phone_confirmed_us, confirmation_sent_us, last_sign_in_us;
    bool email_confirmed_flag; /* scenario users: confirmed once gotrue_start runs */
    bool deleted;
    int64_t banned_until_us; /* NO_TIME: not banned (models.User BannedUntil nil) */
    /* Anonymous sign-ins (anonymous.go): no identity until an email is
     * linked (user.go UserUpdate, verify.go emailChangeVerify). */
    bool is_anonymous;
    bool no_identity;
    bool phone_identity;       /* the identity's provider is "phone" (kept after a soft delete) */
    int64_t deleted_us;        /* NO_TIME, or the soft delete's time (models.User DeletedAt) */
    gotrue_flow_fields_t flow; /* set by the email and phone flows (auth_mail.c) */
} gt_user_t;

typedef struct gt_amr {
    const char *method; /* static: "password", "anonymous", "totp" */
    int64_t updated_us;
} gt_amr_t;

#define GT_MAX_AMR 4

typedef struct gt_session {
    char id[40];
    long user;
    bool alive;
    int64_t created_us;
    long active_token;
    /* mfa_amr_claims of the session: one row per method, its updated_at
     * refreshed when the method is used again (models.AddClaimToSession). */
    gt_amr_t amr[GT_MAX_AMR];
    size_t amr_count;
    bool aal2;          /* sessions.aal = 'aal2' */
    char factor_id[40]; /* sessions.factor_id, "" when NULL */
} gt_session_t;

typedef struct gt_token {
    char value[16];
    long session;
    bool revoked;
    int64_t updated_us;
    long parent;
} gt_token_t;

struct gotrue {
    const scenario_t *sc;       /* borrowed; outlives the instance */
    store_t *store;             /* borrowed; the instance's */
    const security_t *security; /* borrowed; the instance's (CHECK constraints of on_signup rows) */
    mem_funcs_t *funcs;         /* borrowed; the instance's: triggers on auth.users (NULL: none) */
    bool started;
    prng_t *prng; /* borrowed from the instance: ids, refresh tokens, error ids */
    gt_user_t *users;
    size_t user_count, user_cap;
    gt_session_t *sessions;
    size_t session_count, session_cap;
    gt_token_t *tokens;
    size_t token_count, token_cap;
    /* The email and phone flows (auth_mail.c): owned, freed with g. */
    auth_mail_t *mail;
    inbox_t *inbox;
    int64_t started_us;
    gotrue_mfa_t *mfa; /* owned: MFA factors and challenges (gotrue_mfa.c) */
    /* The database engine's auth.users behind the users (gotrue_db.c):
     * owned, NULL on the memory engine. */
    gotrue_db_t *db;
};

/* ---- small helpers ---- */

int gotrue_fail(gotrue_error_t *err, int status, const char *code, const char *fmt, ...)
{
    memset(err, 0, sizeof *err);
    err->status = status;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

static void new_uuid(gotrue_t *g, char out[40])
{
    prng_uuid(g->prng, out);
}

/* GoTrue's refresh tokens are 12 characters of [a-z0-9] (crypto.SecureAlphanumeric). */
static void new_refresh_token(gotrue_t *g, char out[16])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 12; i++)
        out[i] = alphabet[prng_next(g->prng) % 36];
    out[12] = '\0';
}

static bool is_uuid(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

static int64_t unix_s(int64_t pg_us)
{
    int64_t s = pg_us / 1000000 - (pg_us % 1000000 < 0);
    return s + MOCK_PG_EPOCH_UNIX;
}

void gotrue_put_time(buf_t *out, int64_t us)
{
    char t[48];
    clock_format_iso(us, t, sizeof t);
    char *dot = strchr(t, '.');
    if (dot) {
        char *z = strchr(dot, 'Z');
        char *end = z;
        while (end > dot + 1 && end[-1] == '0')
            end--;
        memmove(end, z, strlen(z) + 1);
    }
    buf_putc(out, '"');
    buf_puts(out, t);
    buf_putc(out, '"');
}

static const char *str_field(const cJSON *body, const char *name)
{
    const cJSON *v = body ? cJSON_GetObjectItemCaseSensitive(body, name) : NULL;
    return cJSON_IsString(v) ? v->valuestring : "";
}

static bool bool_field(const cJSON *body, const char *name)
{
    const cJSON *v = body ? cJSON_GetObjectItemCaseSensitive(body, name) : NULL;
    return cJSON_IsTrue(v);
}

/* ---- Go-style JSON ---- */

void gotrue_put_go_string(buf_t *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            buf_putc(out, '\\');
            buf_putc(out, (char)c);
        } else if (c == '\n') {
            buf_puts(out, "\\n");
        } else if (c == '\r') {
            buf_puts(out, "\\r");
        } else if (c == '\t') {
            buf_puts(out, "\\t");
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            /* encoding/json's HTML-safe escaping (HTMLEscape is on by default). */
            char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            buf_puts(out, u);
        } else if (c == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
            buf_puts(out, p[2] == 0xa8 ? "\\u2028" : "\\u2029");
            p += 2;
        } else {
            buf_putc(out, (char)c);
        }
    }
    buf_putc(out, '"');
}

static int cmp_keys(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string);
}

/* A float64 as strconv.FormatFloat(f, 'f' or 'e', -1, 64) writes it for JSON. */
static void put_go_number(buf_t *out, double d)
{
    char tmp[64];
    double a = d < 0 ? -d : d;
    if (a != 0 && (a < 1e-6 || a >= 1e21)) {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
            if (strtod(tmp, NULL) == d)
                break;
        }
        /* Go writes e-07, not e-007; C already uses two digits minimum. */
        buf_puts(out, tmp);
        return;
    }
    if (d == (double)(long long)d && a < 9e15) {
        buf_put_int(out, (long long)d);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    if (strchr(tmp, 'e')) /* %g chose an exponent inside the 'f' range: write it plainly */
        snprintf(tmp, sizeof tmp, "%.17f", d);
    buf_puts(out, tmp);
}

void gotrue_put_go_json(buf_t *out, const cJSON *v)
{
    if (!v || cJSON_IsNull(v)) {
        buf_puts(out, "null");
    } else if (cJSON_IsTrue(v)) {
        buf_puts(out, "true");
    } else if (cJSON_IsFalse(v)) {
        buf_puts(out, "false");
    } else if (cJSON_IsNumber(v)) {
        put_go_number(out, v->valuedouble);
    } else if (cJSON_IsString(v)) {
        gotrue_put_go_string(out, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        buf_putc(out, '[');
        const cJSON *e;
        bool first = true;
        cJSON_ArrayForEach(e, v)
        {
            if (!first)
                buf_putc(out, ',');
            first = false;
            gotrue_put_go_json(out, e);
        }
        buf_putc(out, ']');
    } else if (cJSON_IsObject(v)) {
        size_t n = (size_t)cJSON_GetArraySize(v);
        const cJSON **items = xcalloc(n ? n : 1, sizeof *items);
        size_t i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, v) items[i++] = e;
        qsort(items, n, sizeof *items, cmp_keys);
        buf_putc(out, '{');
        for (i = 0; i < n; i++) {
            /* A Go map keeps one value per key: the last duplicate wins. */
            if (i + 1 < n && strcmp(items[i]->string, items[i + 1]->string) == 0)
                continue;
            if (out->len && out->data[out->len - 1] != '{')
                buf_putc(out, ',');
            gotrue_put_go_string(out, items[i]->string);
            buf_putc(out, ':');
            gotrue_put_go_json(out, items[i]);
        }
        buf_putc(out, '}');
        free(items);
    } else {
        buf_puts(out, "null");
    }
}

/* ---- claims and tokens ---- */

/* AccessTokenClaims (internal/tokens/service.go) with the session's
 * authenticator assurance level and its AMR entries (models.AMREntry
 * {method, timestamp}, most recent first as CalculateAALAndAMR sorts them). */
static char *claims_json(const char *issuer, const char *sub, int64_t iat, int64_t exp,
                         const char *email, const char *phone, const cJSON *app_metadata,
                         const cJSON *user_metadata, const char *role, bool aal2,
                         const gt_amr_t *amr, size_t amr_count, const char *session_id,
                         bool is_anonymous)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "{\"iss\":");
    gotrue_put_go_string(&b, issuer);
    buf_puts(&b, ",\"sub\":");
    gotrue_put_go_string(&b, sub);
    buf_puts(&b, ",\"aud\":\"authenticated\"");
    if (exp >= 0) {
        buf_puts(&b, ",\"exp\":");
        buf_put_int(&b, exp);
    }
    buf_puts(&b, ",\"iat\":");
    buf_put_int(&b, iat);
    buf_puts(&b, ",\"email\":");
    gotrue_put_go_string(&b, email ? email : "");
    buf_puts(&b, ",\"phone\":");
    gotrue_put_go_string(&b, phone ? phone : "");
    buf_puts(&b, ",\"app_metadata\":");
    if (app_metadata)
        gotrue_put_go_json(&b, app_metadata);
    else
        buf_puts(&b, "{}");
    buf_puts(&b, ",\"user_metadata\":");
    if (user_metadata)
        gotrue_put_go_json(&b, user_metadata);
    else
        buf_puts(&b, "{}");
    buf_puts(&b, ",\"role\":");
    gotrue_put_go_string(&b, role ? role : "authenticated");
    buf_puts(&b, aal2 ? ",\"aal\":\"aal2\",\"amr\":[" : ",\"aal\":\"aal1\",\"amr\":[");
    /* sort.Slice by timestamp, descending; among equal timestamps the
     * claim written last comes first. */
    bool used[GT_MAX_AMR] = {false};
    for (size_t k = 0; k < amr_count && k < GT_MAX_AMR; k++) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < amr_count && i < GT_MAX_AMR; i++)
            if (!used[i] && (best == SIZE_MAX || amr[i].updated_us >= amr[best].updated_us))
                best = i;
        used[best] = true;
        if (k)
            buf_putc(&b, ',');
        buf_puts(&b, "{\"method\":");
        gotrue_put_go_string(&b, amr[best].method);
        buf_puts(&b, ",\"timestamp\":");
        buf_put_int(&b, unix_s(amr[best].updated_us));
        buf_putc(&b, '}');
    }
    buf_putc(&b, ']');
    if (session_id && *session_id) { /* `json:"session_id,omitempty"` */
        buf_puts(&b, ",\"session_id\":");
        gotrue_put_go_string(&b, session_id);
    }
    buf_puts(&b, is_anonymous ? ",\"is_anonymous\":true}" : ",\"is_anonymous\":false}");
    return buf_steal(&b);
}

char *gotrue_claims_json(const char *issuer, const char *sub, int64_t iat, int64_t exp,
                         const char *email, const char *phone, const cJSON *app_metadata,
                         const cJSON *user_metadata, const char *role, int64_t amr_ts,
                         const char *session_id)
{
    gt_amr_t pw = {.method = "password", .updated_us = (amr_ts - MOCK_PG_EPOCH_UNIX) * 1000000};
    return claims_json(issuer, sub, iat, exp, email, phone, app_metadata, user_metadata, role,
                       false, &pw, 1, session_id, false);
}

/* golang-jwt v5 NumericDate.UnmarshalJSON (types.go) for the exp, nbf and iat
 * of GoTrue's AccessTokenClaims (jwt.RegisteredClaims): the value goes through
 * json.Unmarshal into a json.Number, which takes a JSON number and also a
 * JSON string that holds a valid JSON number (encoding/json's literalStore:
 * "1700000000" is accepted as 1700000000); the time is truncated to seconds.
 * Returns 1 with *secs set, 0 when the claim is absent or null, -1 with the
 * library's text in why when the claim cannot be decoded (the parser then
 * says "token is malformed: could not JSON decode claim: ..."). */
static int numeric_date(const cJSON *v, double *secs, char *why, size_t why_len)
{
    if (!v || cJSON_IsNull(v))
        return 0;
    if (cJSON_IsNumber(v)) {
        *secs = floor(v->valuedouble);
        return 1;
    }
    if (cJSON_IsString(v)) {
        /* encoding/json isValidNumber: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
        const char *c = v->valuestring;
        bool ok = true;
        if (*c == '-')
            c++;
        if (*c == '0')
            c++;
        else if (*c >= '1' && *c <= '9')
            while (*c >= '0' && *c <= '9')
                c++;
        else
            ok = false;
        if (ok && *c == '.') {
            c++;
            if (!(*c >= '0' && *c <= '9'))
                ok = false;
            while (*c >= '0' && *c <= '9')
                c++;
        }
        if (ok && (*c == 'e' || *c == 'E')) {
            c++;
            if (*c == '+' || *c == '-')
                c++;
            if (!(*c >= '0' && *c <= '9'))
                ok = false;
            while (*c >= '0' && *c <= '9')
                c++;
        }
        if (ok && *c == '\0') {
            *secs = floor(strtod(v->valuestring, NULL));
            return 1;
        }
        /* Go's %q of the raw JSON item, quotes included. */
        buf_t q;
        buf_init(&q);
        buf_puts(&q, "\"\\\"");
        for (const char *k = v->valuestring; *k; k++) {
            if (*k == '"' || *k == '\\')
                buf_puts(&q, "\\\\\\");
            buf_putc(&q, *k);
        }
        buf_puts(&q, "\\\"\"");
        snprintf(why, why_len,
                 "token is malformed: could not JSON decode claim: could not parse NumericData: "
                 "json: invalid number literal, trying to unmarshal %s into Number",
                 buf_cstr(&q));
        buf_dispose(&q);
        return -1;
    }
    const char *type = cJSON_IsBool(v) ? "bool" : cJSON_IsArray(v) ? "array" : "object";
    snprintf(why, why_len,
             "token is malformed: could not JSON decode claim: could not parse NumericData: json: "
             "cannot unmarshal %s into Go value of type json.Number",
             type);
    return -1;
}

/* Verifies an HS256 token as golang-jwt v5 does for GoTrue's parser
 * (jwt.NewParser(jwt.WithValidMethods(["HS256"])), no leeway), writing the
 * library's error text into why. Returns the claims or NULL. */
/* GoTrue's method check, keyfunc and signature check with signing keys
 * (internal/api/auth.go parseJWTClaims; golang-jwt v5 parser.go): the method
 * must be one of the keys' algorithms (ValidMethods; the HS256 secret stays
 * valid), a string kid picks a key (FindPublicKeyByKid), else HS256 falls back
 * to the secret, else the keyfunc fails. 0 when the signature verifies. */
static int verify_with_keys(const char *token, const jwt_parts_t *t, const gotrue_ctx_t *c,
                            char *why, size_t why_len)
{
    const char *alg = t->alg ? t->alg : "";
    /* The project's secret counts as an HS256 key unless a revoked HS256 key
     * holds it (as the gateway's key set has it). */
    bool legacy = true, method_ok = false;
    for (size_t i = 0; i < c->key_count; i++) {
        const signing_key_t *k = &c->keys[i];
        if (k->alg == SIGNING_KEY_HS256 && strcmp(k->secret, c->secret) == 0)
            legacy = k->status != SIGNING_KEY_REVOKED;
        method_ok |=
            k->status != SIGNING_KEY_REVOKED && strcmp(alg, signing_key_alg_name(k->alg)) == 0;
    }
    method_ok |= legacy && strcmp(alg, "HS256") == 0;
    if (!method_ok) {
        snprintf(why, why_len, "token signature is invalid: signing method %s is invalid", alg);
        return -1;
    }
    const cJSON *kid = cJSON_GetObjectItemCaseSensitive(t->header, "kid");
    const signing_key_t *key = NULL;
    for (size_t i = 0; cJSON_IsString(kid) && i < c->key_count; i++)
        if (c->keys[i].status != SIGNING_KEY_REVOKED &&
            strcmp(c->keys[i].kid, kid->valuestring) == 0)
            key = &c->keys[i];
    if (!key && strcmp(alg, "HS256") != 0) {
        /* fmt's %v of the header values: a missing kid is <nil>. */
        snprintf(why, why_len,
                 "token is unverifiable: error while executing keyfunc: unrecognized JWT kid %s "
                 "for algorithm %s",
                 cJSON_IsString(kid) ? kid->valuestring : "<nil>", alg);
        return -1;
    }
    if (key && strcmp(alg, signing_key_alg_name(key->alg)) != 0) {
        snprintf(why, why_len, "token signature is invalid: key is of invalid type");
        return -1;
    }
    if (!jwt_signature_verifies(token, key, key ? NULL : c->secret)) {
        /* golang-jwt's Verify errors: ErrSignatureInvalid for HMAC, the
         * crypto packages' for ECDSA and RSA. */
        const char *what = !key || key->alg == SIGNING_KEY_HS256 ? "signature is invalid"
                           : key->alg == SIGNING_KEY_ES256 ? "crypto/ecdsa: verification error"
                                                           : "crypto/rsa: verification error";
        snprintf(why, why_len, "token signature is invalid: %s", what);
        return -1;
    }
    return 0;
}

static cJSON *verify_hs256(const char *token, const gotrue_ctx_t *c, int64_t now_unix, char *why,
                           size_t why_len)
{
    const char *secret = c->secret;
    /* The facts come from the one HS256 inspection (jwt.c); the order and the
     * words are golang-jwt's (parser.go ParseWithClaims). */
    jwt_parts_t t;
    jwt_parts_inspect(token, secret, &t);
    cJSON *claims = NULL;
    if (t.segments != 3) {
        snprintf(why, why_len, "token is malformed: token contains an invalid number of segments");
        goto done;
    }
    if (!t.header_b64) {
        snprintf(why, why_len, "token is malformed: could not base64 decode header");
        goto done;
    }
    if (!t.header) {
        snprintf(why, why_len, "token is malformed: could not JSON decode header");
        goto done;
    }
    if (!t.payload_b64) {
        snprintf(why, why_len, "token is malformed: could not base64 decode claim");
        goto done;
    }
    if (!cJSON_IsObject(t.claims)) {
        snprintf(why, why_len, "token is malformed: could not JSON decode claim");
        goto done;
    }
    /* The claims are decoded (ParseUnverified) before the method and the
     * signature are checked, so a malformed exp wins over a bad signature. */
    double exp_s = 0, nbf_s = 0, iat_s = 0;
    int has_exp =
        numeric_date(cJSON_GetObjectItemCaseSensitive(t.claims, "exp"), &exp_s, why, why_len);
    int has_nbf = has_exp < 0 ? -1
                              : numeric_date(cJSON_GetObjectItemCaseSensitive(t.claims, "nbf"),
                                             &nbf_s, why, why_len);
    int has_iat = has_nbf < 0 ? -1
                              : numeric_date(cJSON_GetObjectItemCaseSensitive(t.claims, "iat"),
                                             &iat_s, why, why_len);
    if (has_iat < 0)
        goto done;
    if (c->key_count) {
        if (verify_with_keys(token, &t, c, why, why_len) < 0)
            goto done;
    } else if (!t.alg || strcmp(t.alg, "HS256") != 0) {
        snprintf(why, why_len, "token signature is invalid: signing method %s is invalid",
                 t.alg ? t.alg : "");
        goto done;
    } else if (!t.signature_ok) {
        snprintf(why, why_len, "token signature is invalid: signature is invalid");
        goto done;
    }
    /* A signature segment that is not base64url cannot match either (the
     * branches above). */
    /* validator.go: valid while now is before exp (so expired at exp itself),
     * and not before nbf. */
    if (has_exp && (double)now_unix >= exp_s) {
        snprintf(why, why_len, "token has invalid claims: token is expired");
        goto done;
    }
    if (has_nbf && (double)now_unix < nbf_s) {
        snprintf(why, why_len, "token has invalid claims: token is not valid yet");
        goto done;
    }
    claims = t.claims;
    t.claims = NULL;
done:
    jwt_parts_dispose(&t);
    return claims;
}

/* ---- Go's time.ParseDuration ---- */

/* Go's time.quote: bytes outside printable ASCII become \xHH, '"' and '\\'
 * are backslashed, and the whole is double-quoted. */
static void go_quote(buf_t *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c < ' ') {
            buf_puts(out, "\\x");
            buf_putc(out, hex[c >> 4]);
            buf_putc(out, hex[c & 15]);
        } else {
            if (c == '"' || c == '\\')
                buf_putc(out, '\\');
            buf_putc(out, (char)c);
        }
    }
    buf_putc(out, '"');
}

static int duration_error(char *why, size_t why_len, const char *prefix, const char *unit,
                          size_t unit_len, const char *orig)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, prefix);
    if (unit) {
        go_quote(&b, unit, unit_len);
        buf_puts(&b, " in duration ");
    }
    go_quote(&b, orig, strlen(orig));
    snprintf(why, why_len, "%s", buf_cstr(&b));
    buf_dispose(&b);
    return -1;
}

/* time.go unitMap, in nanoseconds; µ is U+00B5 and μ U+03BC. */
static uint64_t duration_unit(const char *u, size_t n)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {{"ns", 1ull},           {"us", 1000ull},        {"\xc2\xb5s", 1000ull},
                 {"\xce\xbcs", 1000ull}, {"ms", 1000000ull},     {"s", 1000000000ull},
                 {"m", 60000000000ull},  {"h", 3600000000000ull}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
            return units[i].ns;
    return 0;
}

int gotrue_parse_duration(const char *orig, int64_t *ns, char *why, size_t why_len)
{
    /* A transcription of time.ParseDuration (Go's src/time/format.go),
     * [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+, with its overflow bounds and messages. */
    const uint64_t big = 1ull << 63;
    const char *s = orig;
    uint64_t d = 0;
    bool neg = false;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    if (strcmp(s, "0") == 0) {
        *ns = 0;
        return 0;
    }
    if (!*s)
        return duration_error(why, why_len, "time: invalid duration ", NULL, 0, orig);
    while (*s) {
        uint64_t v = 0, f = 0;
        double scale = 1;
        if (!(*s == '.' || (*s >= '0' && *s <= '9')))
            return duration_error(why, why_len, "time: invalid duration ", NULL, 0, orig);
        /* leadingInt */
        const char *start = s;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (v > big / 10)
                return duration_error(why, why_len, "time: invalid duration ", NULL, 0, orig);
            v = v * 10 + (uint64_t)(*s - '0');
            if (v > big)
                return duration_error(why, why_len, "time: invalid duration ", NULL, 0, orig);
        }
        bool pre = s != start, post = false;
        if (*s == '.') {
            /* leadingFraction: digits past what fits are ignored. */
            s++;
            const char *fs = s;
            bool overflow = false;
            for (; *s >= '0' && *s <= '9'; s++) {
                if (overflow)
                    continue;
                if (f > (big - 1) / 10) {
                    overflow = true;
                    continue;
                }
                uint64_t y = f * 10 + (uint64_t)(*s - '0');
                if (y > big) {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10;
            }
            post = s != fs;
        }
        if (!pre && !post)
            return duration_error(why, why_len, "time: invalid duration ", NULL, 0, orig);
        size_t i = 0;
        while (s[i] && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9'))
            i++;
        if (i == 0)
            return duration_error(why, why_len, "time: missing unit in duration ", NULL, 0, orig);
        uint64_t unit = duration_unit(s, i);
        if (!unit)
            return duration_error(why, why_len, "time: unknown unit ", s, i, orig);
        s += i;
        if (v > big / unit)
            return duration_error(why, why_len, "time: invalid duration ", NULL, 0, orig);
        v *= unit;
        if (f > 0) {
            v += (uint64_t)((double)f * ((double)unit / scale));
            if (v > big)
                return duration_error(why, why_len, "time: invalid duration ", NULL, 0, orig);
        }
        d += v;
        if (d > big)
            return duration_error(why, why_len, "time: invalid duration ", NULL, 0, orig);
    }
    if (neg) {
        *ns = d == big ? INT64_MIN : -(int64_t)d;
        return 0;
    }
    if (d > big - 1)
        return duration_error(why, why_len, "time: invalid duration ", NULL, 0, orig);
    *ns = (int64_t)d;
    return 0;
}

/* admin.go adminUserUpdate/adminUserCreate: "" leaves the ban alone, "none"
 * lifts it, anything else goes through time.ParseDuration. *set is false when
 * there is nothing to do; *ns == 0 lifts the ban (models.User Ban). */
static int ban_duration(const cJSON *body, bool *set, int64_t *ns, gotrue_error_t *err)
{
    const char *v = str_field(body, "ban_duration");
    *set = false;
    *ns = 0;
    if (!*v)
        return 0;
    if (strcmp(v, "none") != 0) {
        char why[300];
        if (gotrue_parse_duration(v, ns, why, sizeof why) < 0)
            return gotrue_fail(err, 400, "validation_failed", "invalid format for ban duration: %s",
                               why);
    }
    *set = true;
    return 0;
}

/* models.User Ban: BannedUntil = time.Now().Add(duration), or nil for 0.
 * The clock has microseconds; a duration's nanoseconds are truncated. */
static void apply_ban(gt_user_t *u, int64_t now_us, int64_t ns)
{
    u->banned_until_us = ns == 0 ? NO_TIME : now_us + ns / 1000;
}

/* ---- users ---- */

static gt_user_t *add_user(gotrue_t *g)
{
    if (g->user_count == g->user_cap) {
        g->user_cap = g->user_cap ? g->user_cap * 2 : 8;
        g->users = xrealloc(g->users, g->user_cap * sizeof *g->users);
    }
    gt_user_t *u = &g->users[g->user_count++];
    memset(u, 0, sizeof *u);
    u->created_us = u->updated_us = NO_TIME;
    u->email_confirmed_us = u->phone_confirmed_us = NO_TIME;
    u->confirmation_sent_us = u->last_sign_in_us = NO_TIME;
    u->banned_until_us = NO_TIME;
    u->deleted_us = NO_TIME;
    return u;
}

static void user_dispose(gt_user_t *u)
{
    free(u->email);
    free(u->phone);
    free(u->password);
    free(u->role);
    cJSON_Delete(u->user_metadata);
    cJSON_Delete(u->app_metadata);
}

/* app_metadata {"provider":P,"providers":[P]} with `extra`'s keys on top. */
static cJSON *app_metadata_for(const char *provider, const cJSON *extra)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "provider", provider);
    cJSON *list = cJSON_AddArrayToObject(m, "providers");
    cJSON_AddItemToArray(list, cJSON_CreateString(provider));
    const cJSON *e;
    cJSON_ArrayForEach(e, extra)
    {
        cJSON_DeleteItemFromObjectCaseSensitive(m, e->string);
        cJSON_AddItemToObject(m, e->string, cJSON_Duplicate(e, true));
    }
    return m;
}

/* UpdateUserMetaData (models/user.go): keys set, null deletes. */
static void merge_metadata(cJSON *target, const cJSON *update)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, update)
    {
        cJSON_DeleteItemFromObjectCaseSensitive(target, e->string);
        if (!cJSON_IsNull(e))
            cJSON_AddItemToObject(target, e->string, cJSON_Duplicate(e, true));
    }
}

static long find_user_by_id(const gotrue_t *g, const char *id)
{
    for (size_t i = 0; i < g->user_count; i++)
        if (!g->users[i].deleted && strcasecmp(g->users[i].id, id) == 0)
            return (long)i;
    return -1;
}

static long find_user_by_email(const gotrue_t *g, const char *email)
{
    for (size_t i = 0; i < g->user_count; i++)
        if (!g->users[i].deleted && g->users[i].email && strcasecmp(g->users[i].email, email) == 0)
            return (long)i;
    return -1;
}

static long find_user_by_phone(const gotrue_t *g, const char *phone)
{
    for (size_t i = 0; i < g->user_count; i++)
        if (!g->users[i].deleted && g->users[i].phone && strcmp(g->users[i].phone, phone) == 0)
            return (long)i;
    return -1;
}

int gotrue_new(const scenario_t *sc, store_t *store, prng_t *prng, gotrue_t **out,
               scenario_error_t *err)
{
    (void)err;
    gotrue_t *g = xcalloc(1, sizeof *g);
    g->sc = sc;
    g->store = store;
    g->prng = prng;
    g->mail = auth_mail_new();
    g->inbox = inbox_new();
    g->mfa = gotrue_mfa_new();
    for (size_t i = 0; i < sc->user_count; i++) {
        const scenario_user_t *su = &sc->users[i];
        gt_user_t *u = add_user(g);
        snprintf(u->id, sizeof u->id, "%s", su->id);
        for (char *p = u->id; *p; p++)
            if (*p >= 'A' && *p <= 'F')
                *p = (char)(*p - 'A' + 'a');
        u->email = su->email ? xstrdup(su->email) : NULL;
        u->phone = su->phone ? xstrdup(su->phone) : NULL;
        u->password = su->password ? xstrdup(su->password) : NULL;
        u->role = xstrdup(su->role ? su->role : "authenticated");
        u->user_metadata =
            su->user_metadata ? cJSON_Duplicate(su->user_metadata, true) : cJSON_CreateObject();
        u->app_metadata =
            app_metadata_for(su->email || !su->phone ? "email" : "phone", su->app_metadata);
        u->email_confirmed_flag = su->email_confirmed;
        u->phone_identity = !(su->email || !su->phone);
    }
    *out = g;
    return 0;
}

void gotrue_free(gotrue_t *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->user_count; i++)
        user_dispose(&g->users[i]);
    free(g->users);
    free(g->sessions);
    free(g->tokens);
    auth_mail_free(g->mail);
    inbox_free(g->inbox);
    gotrue_mfa_free(g->mfa);
    gotrue_db_free(g->db);
    free(g);
}

void gotrue_set_security(gotrue_t *g, const security_t *sec)
{
    g->security = sec;
}

void gotrue_set_functions(gotrue_t *g, mem_funcs_t *funcs)
{
    g->funcs = funcs;
}

/* GoTrue's INSERT INTO auth.users fires the table's row triggers (a
 * project's handle_new_user), AFTER ones once the row is in, as
 * supabase_auth_admin, GoTrue's database role. */
static int users_triggers(gotrue_t *g, const char *id, store_env_t *env, pgrst_error_t *err)
{
    store_table_t *users = auth_users_table(g->store);
    if (!g->funcs || !users || !mem_triggers_any(g->funcs, users))
        return 0;
    pgvalue_t key;
    pgtype_t uuid = store_table_column(users, 0)->type;
    if (pgvalue_from_text(&uuid, id, strlen(id), &key, err) < 0)
        return -1;
    store_row_t *row = store_index_lookup(users, 0, &key);
    pgvalue_dispose(&key);
    if (!row)
        return 0;
    size_t n = store_table_column_count(users);
    pgvalue_t *values = xcalloc(n ? n : 1, sizeof *values);
    for (size_t i = 0; i < n; i++)
        pgvalue_copy(&values[i], &store_row_values(row)[i]);
    mock_work_t work;
    mock_work_init(&work, mock_work_steps_for_timeout_ms(MOCK_STATEMENT_TIMEOUT_DEFAULT_MS));
    mem_call_env_t cenv = {
        .fs = g->funcs,
        .store = g->store,
        .sec = g->security,
        .role = "supabase_auth_admin",
        .store_env = env,
        .work = &work,
    };
    int rc = mem_triggers_fire(&cenv, users, false, SQL_ROW_INSERT, NULL, values, NULL, err);
    for (size_t i = 0; i < n; i++)
        pgvalue_dispose(&values[i]);
    free(values);
    return rc;
}

void gotrue_start(gotrue_t *g, int64_t now_us)
{
    if (g->started)
        return;
    g->started = true;
    g->started_us = now_us;
    for (size_t i = 0; i < g->user_count; i++) {
        gt_user_t *u = &g->users[i];
        u->created_us = u->updated_us = now_us;
        if (u->email_confirmed_flag && u->email)
            u->email_confirmed_us = now_us;
        if (u->email_confirmed_flag && u->phone)
            u->phone_confirmed_us = now_us;
        new_uuid(g, u->identity_id);
    }
}

static void identity_data_json(const gt_user_t *u, buf_t *out)
{
    /* A map in Go: keys sorted. */
    buf_putc(out, '{');
    if (u->email) {
        buf_puts(out, "\"email\":");
        gotrue_put_go_string(out, u->email);
        buf_putc(out, ',');
    }
    buf_puts(out, "\"email_verified\":");
    buf_puts(out, u->email_confirmed_us != NO_TIME ? "true" : "false");
    if (!u->email && u->phone) {
        buf_puts(out, ",\"phone\":");
        gotrue_put_go_string(out, u->phone);
    }
    buf_puts(out, ",\"phone_verified\":");
    buf_puts(out, u->phone_confirmed_us != NO_TIME ? "true" : "false");
    buf_puts(out, ",\"sub\":");
    gotrue_put_go_string(out, u->id);
    buf_putc(out, '}');
}

/* models.User's recovery_sent_at ... reauthentication_sent_at, in the
 * struct's order (between confirmed_at and last_sign_in_at). */
static void flow_fields_json(const gotrue_flow_fields_t *f, buf_t *out)
{
    if (f->has_recovery_sent) {
        buf_puts(out, ",\"recovery_sent_at\":");
        gotrue_put_time(out, f->recovery_sent_us);
    }
    if (f->new_email[0]) {
        buf_puts(out, ",\"new_email\":");
        gotrue_put_go_string(out, f->new_email);
    }
    if (f->has_email_change_sent) {
        buf_puts(out, ",\"email_change_sent_at\":");
        gotrue_put_time(out, f->email_change_sent_us);
    }
    if (f->new_phone[0]) {
        buf_puts(out, ",\"new_phone\":");
        gotrue_put_go_string(out, f->new_phone);
    }
    if (f->has_phone_change_sent) {
        buf_puts(out, ",\"phone_change_sent_at\":");
        gotrue_put_time(out, f->phone_change_sent_us);
    }
    if (f->has_reauth_sent) {
        buf_puts(out, ",\"reauthentication_sent_at\":");
        gotrue_put_time(out, f->reauth_sent_us);
    }
}

/* models.User marshalled (field order of the Go struct, omitempty dropped). */
static void user_json(const gotrue_t *g, const gt_user_t *u, buf_t *out)
{
    buf_puts(out, "{\"id\":");
    gotrue_put_go_string(out, u->id);
    buf_puts(out, ",\"aud\":\"authenticated\",\"role\":");
    gotrue_put_go_string(out, u->role ? u->role : "authenticated");
    buf_puts(out, ",\"email\":");
    gotrue_put_go_string(out, u->email ? u->email : "");
    if (u->email_confirmed_us != NO_TIME) {
        buf_puts(out, ",\"email_confirmed_at\":");
        gotrue_put_time(out, u->email_confirmed_us);
    }
    if (u->flow.has_invited) {
        buf_puts(out, ",\"invited_at\":");
        gotrue_put_time(out, u->flow.invited_us);
    }
    buf_puts(out, ",\"phone\":");
    gotrue_put_go_string(out, u->phone ? u->phone : "");
    if (u->phone_confirmed_us != NO_TIME) {
        buf_puts(out, ",\"phone_confirmed_at\":");
        gotrue_put_time(out, u->phone_confirmed_us);
    }
    if (u->confirmation_sent_us != NO_TIME) {
        buf_puts(out, ",\"confirmation_sent_at\":");
        gotrue_put_time(out, u->confirmation_sent_us);
    }
    int64_t confirmed =
        u->email_confirmed_us != NO_TIME ? u->email_confirmed_us : u->phone_confirmed_us;
    if (confirmed != NO_TIME) {
        buf_puts(out, ",\"confirmed_at\":");
        gotrue_put_time(out, confirmed);
    }
    flow_fields_json(&u->flow, out);
    if (u->last_sign_in_us != NO_TIME) {
        buf_puts(out, ",\"last_sign_in_at\":");
        gotrue_put_time(out, u->last_sign_in_us);
    }
    buf_puts(out, ",\"app_metadata\":");
    gotrue_put_go_json(out, u->app_metadata);
    buf_puts(out, ",\"user_metadata\":");
    gotrue_put_go_json(out, u->user_metadata);
    /* models.User Factors `json:"factors,omitempty"`, before Identities. */
    if (g)
        gotrue_mfa_factors_json(g->mfa, u->id, out);
    if (u->no_identity) {
        /* An anonymous user has no identity (SignupParams.ToUserModel). */
        buf_puts(out, ",\"identities\":[]");
        goto identities_done;
    }
    /* One identity for the email (or phone) provider (models.Identity). */
    buf_puts(out, ",\"identities\":[{\"identity_id\":");
    gotrue_put_go_string(out, u->identity_id);
    buf_puts(out, ",\"id\":");
    if (u->deleted_us != NO_TIME) {
        /* SoftDeleteUserIdentities: provider_id obfuscated, data emptied. */
        char pid[128], ob[48];
        snprintf(pid, sizeof pid, "%s:%s", u->phone_identity ? "phone" : "email", u->id);
        gotrue_obfuscate(u->id, pid, ob);
        gotrue_put_go_string(out, ob);
    } else {
        gotrue_put_go_string(out, u->id);
    }
    buf_puts(out, ",\"user_id\":");
    gotrue_put_go_string(out, u->id);
    buf_puts(out, ",\"identity_data\":");
    if (u->deleted_us != NO_TIME)
        buf_puts(out, "{}");
    else
        identity_data_json(u, out);
    buf_puts(out, ",\"provider\":");
    buf_puts(out, !u->phone_identity ? "\"email\"" : "\"phone\"");
    buf_puts(out, ",\"last_sign_in_at\":");
    gotrue_put_time(out, u->created_us);
    buf_puts(out, ",\"created_at\":");
    gotrue_put_time(out, u->created_us);
    buf_puts(out, ",\"updated_at\":");
    gotrue_put_time(out, u->created_us);
    if (u->email && u->deleted_us == NO_TIME) {
        buf_puts(out, ",\"email\":");
        gotrue_put_go_string(out, u->email);
    }
    buf_puts(out, "}]");
identities_done:
    buf_puts(out, ",\"created_at\":");
    gotrue_put_time(out, u->created_us);
    buf_puts(out, ",\"updated_at\":");
    gotrue_put_time(out, u->updated_us);
    /* models.User: BannedUntil *time.Time `json:"banned_until,omitempty"`,
     * after UpdatedAt; kept after the ban ends, as GoTrue keeps the column. */
    if (u->banned_until_us != NO_TIME) {
        buf_puts(out, ",\"banned_until\":");
        gotrue_put_time(out, u->banned_until_us);
    }
    if (u->deleted_us != NO_TIME) { /* `json:"deleted_at,omitempty"` */
        buf_puts(out, ",\"deleted_at\":");
        gotrue_put_time(out, u->deleted_us);
    }
    buf_puts(out, u->is_anonymous ? ",\"is_anonymous\":true}" : ",\"is_anonymous\":false}");
}

void gotrue_user_json(gotrue_t *g, long user, buf_t *out)
{
    user_json(g, &g->users[user], out);
}

/* ---- sessions ---- */

static long add_token(gotrue_t *g, long session, long parent, int64_t now_us)
{
    if (g->token_count == g->token_cap) {
        g->token_cap = g->token_cap ? g->token_cap * 2 : 16;
        g->tokens = xrealloc(g->tokens, g->token_cap * sizeof *g->tokens);
    }
    gt_token_t *t = &g->tokens[g->token_count];
    memset(t, 0, sizeof *t);
    new_refresh_token(g, t->value);
    t->session = session;
    t->parent = parent;
    t->updated_us = now_us;
    g->sessions[session].active_token = (long)g->token_count;
    return (long)g->token_count++;
}

/* The token response (AccessTokenResponse) for session s and token t. */
static void token_response(gotrue_t *g, const gotrue_ctx_t *c, long s, long t, buf_t *out)
{
    const gt_session_t *ss = &g->sessions[s];
    const gt_user_t *u = &g->users[ss->user];
    int64_t iat = unix_s(c->now_us);
    int64_t exp = iat + GOTRUE_ACCESS_TOKEN_TTL_S;
    char *claims = claims_json(c->issuer, u->id, iat, exp, u->email, u->phone, u->app_metadata,
                               u->user_metadata, u->role, ss->aal2, ss->amr, ss->amr_count, ss->id,
                               u->is_anonymous);
    /* SignJWT (internal/tokens/service.go): the current key signs and names
     * itself in the header's kid. */
    const signing_key_t *current = NULL;
    for (size_t i = 0; i < c->key_count; i++)
        if (c->keys[i].status == SIGNING_KEY_CURRENT)
            current = &c->keys[i];
    char *jwt = current ? jwt_sign_key(claims, current) : jwt_sign_hs256(claims, c->secret);
    free(claims);
    buf_puts(out, "{\"access_token\":");
    gotrue_put_go_string(out, jwt);
    free(jwt);
    buf_puts(out, ",\"token_type\":\"bearer\",\"expires_in\":");
    buf_put_int(out, GOTRUE_ACCESS_TOKEN_TTL_S);
    buf_puts(out, ",\"expires_at\":");
    buf_put_int(out, exp);
    buf_puts(out, ",\"refresh_token\":");
    gotrue_put_go_string(out, g->tokens[t].value);
    buf_puts(out, ",\"user\":");
    user_json(g, u, out);
    buf_putc(out, '}');
}

static void set_error_id(gotrue_t *g, gotrue_error_t *err)
{
    new_uuid(g, err->error_id);
}

/* A new session for user u (sign-in time now) and its token response. */
static void add_amr(gt_session_t *ss, const char *method, int64_t now_us)
{
    /* AddClaimToSession: INSERT ... ON CONFLICT (session_id,
     * authentication_method) DO UPDATE SET updated_at. */
    for (size_t i = 0; i < ss->amr_count; i++)
        if (strcmp(ss->amr[i].method, method) == 0) {
            ss->amr[i].updated_us = now_us;
            return;
        }
    if (ss->amr_count < GT_MAX_AMR)
        ss->amr[ss->amr_count++] = (gt_amr_t){.method = method, .updated_us = now_us};
}

/* A new session for user u signed in by `method` (models.AuthenticationMethod
 * as issueRefreshToken records it) and its token response. */
static int issue_session_by(gotrue_t *g, const gotrue_ctx_t *c, long u, const char *method,
                            buf_t *out, gotrue_error_t *err)
{
    if (g->session_count >= GOTRUE_MAX_SESSIONS || g->token_count >= GOTRUE_MAX_SESSIONS) {
        gotrue_fail(err, 500, "unexpected_failure", "Database error granting user");
        set_error_id(g, err);
        return -1;
    }
    if (g->session_count == g->session_cap) {
        g->session_cap = g->session_cap ? g->session_cap * 2 : 16;
        g->sessions = xrealloc(g->sessions, g->session_cap * sizeof *g->sessions);
    }
    long s = (long)g->session_count++;
    gt_session_t *ss = &g->sessions[s];
    memset(ss, 0, sizeof *ss);
    new_uuid(g, ss->id);
    ss->user = u;
    ss->alive = true;
    ss->created_us = c->now_us;
    add_amr(ss, method, c->now_us);
    long t = add_token(g, s, -1, c->now_us);
    g->users[u].last_sign_in_us = c->now_us;
    token_response(g, c, s, t, out);
    return 0;
}

static int issue_session(gotrue_t *g, const gotrue_ctx_t *c, long u, buf_t *out,
                         gotrue_error_t *err)
{
    return issue_session_by(g, c, u, "password", out, err);
}

static void end_sessions(gotrue_t *g, long user, long keep, long only)
{
    for (size_t i = 0; i < g->session_count; i++) {
        if (g->sessions[i].user != user || (long)i == keep)
            continue;
        if (only >= 0 && (long)i != only)
            continue;
        g->sessions[i].alive = false;
    }
}

/* models.User IsBanned: time.Now().Before(*u.BannedUntil). */
static bool is_banned(const gt_user_t *u, int64_t now_us)
{
    return u->banned_until_us != NO_TIME && now_us < u->banned_until_us;
}

/* The password against what the user has: the text, or the bcrypt hash
 * GoTrue's database holds (crypto.CompareHashAndPassword: bcrypt's $2a$/$2b$,
 * which libcrypt's crypt_r checks). */
static bool password_matches(const gt_user_t *u, const char *password)
{
    if (!u->password)
        return false;
    if (!u->password_hashed)
        return strcmp(u->password, password) == 0;
    if (strncmp(u->password, "$2", 2) != 0)
        return false;
    struct crypt_data *cd = xcalloc(1, sizeof *cd);
    const char *h = crypt_r(password, u->password, cd);
    bool ok = h && h[0] != '*' && strcmp(h, u->password) == 0;
    free(cd);
    return ok;
}

static void set_password(gt_user_t *u, const char *password)
{
    free(u->password);
    u->password = password ? xstrdup(password) : NULL;
    u->password_hashed = false;
}

/* ---- grants ---- */

int gotrue_password_grant(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                          gotrue_error_t *err)
{
    const char *email = str_field(body, "email");
    const char *phone = str_field(body, "phone");
    const char *password = str_field(body, "password");
    if (*email && *phone)
        return gotrue_fail(err, 422, "validation_failed",
                           "Only an email address or phone number should be provided on login.");
    long u;
    if (*email)
        u = find_user_by_email(g, email);
    else if (*phone)
        u = find_user_by_phone(g, phone[0] == '+' ? phone + 1 : phone) >= 0
                ? find_user_by_phone(g, phone[0] == '+' ? phone + 1 : phone)
                : find_user_by_phone(g, phone);
    else
        return gotrue_fail(err, 400, "validation_failed", "missing email or phone");
    /* token.go ResourceOwnerPasswordGrant: unknown user and wrong password
     * answer alike (apierrors.ErrorCodeInvalidCredentials). The ban is
     * checked between the two, so a banned user learns of the ban whatever
     * the password: `if user.IsBanned() { return
     * apierrors.NewBadRequestError(apierrors.ErrorCodeUserBanned, "User is banned") }`. */
    if (u < 0 || !g->users[u].password || !*g->users[u].password)
        return gotrue_fail(err, 400, "invalid_credentials", "Invalid login credentials");
    if (is_banned(&g->users[u], c->now_us))
        return gotrue_fail(err, 400, "user_banned", "User is banned");
    if (!password_matches(&g->users[u], password))
        return gotrue_fail(err, 400, "invalid_credentials", "Invalid login credentials");
    if (*email && g->users[u].email_confirmed_us == NO_TIME)
        return gotrue_fail(err, 400, "email_not_confirmed", "Email not confirmed");
    if (!*email && g->users[u].phone_confirmed_us == NO_TIME)
        return gotrue_fail(err, 400, "phone_not_confirmed", "Phone not confirmed");
    return issue_session(g, c, u, out, err);
}

static long find_token(const gotrue_t *g, const char *value)
{
    for (size_t i = 0; i < g->token_count; i++)
        if (strcmp(g->tokens[i].value, value) == 0)
            return (long)i;
    return -1;
}

int gotrue_refresh_grant(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                         gotrue_error_t *err)
{
    const char *value = str_field(body, "refresh_token");
    if (!*value)
        return gotrue_fail(err, 400, "validation_failed", "refresh_token required");
    long t = find_token(g, value);
    /* A logged-out session's tokens are deleted with it (models.Logout), so
     * they are "not found", like a token this server never issued. */
    if (t < 0 || !g->sessions[g->tokens[t].session].alive ||
        g->users[g->sessions[g->tokens[t].session].user].deleted)
        return gotrue_fail(err, 400, "refresh_token_not_found",
                           "Invalid Refresh Token: Refresh Token Not Found");
    long s = g->tokens[t].session;
    gt_session_t *ss = &g->sessions[s];
    /* tokens/service.go RefreshTokenGrant, right after the token is found. */
    if (is_banned(&g->users[ss->user], c->now_us))
        return gotrue_fail(err, 400, "user_banned", "Invalid Refresh Token: User Banned");
    if (g->tokens[t].revoked) {
        /* tokens/service.go RefreshTokenGrant: a revoked token that is the
         * parent of the active one may be replayed within the reuse
         * interval and gets the active token back; anything else is reuse,
         * which revokes the whole family. */
        long active = ss->active_token;
        bool parent_of_active =
            active >= 0 && g->tokens[active].parent == t && !g->tokens[active].revoked;
        if (parent_of_active &&
            c->now_us <=
                g->tokens[t].updated_us + (int64_t)GOTRUE_REFRESH_REUSE_INTERVAL_S * 1000000) {
            token_response(g, c, s, active, out);
            return 0;
        }
        for (size_t i = 0; i < g->token_count; i++)
            if (g->tokens[i].session == s)
                g->tokens[i].revoked = true;
        return gotrue_fail(err, 400, "refresh_token_already_used",
                           "Invalid Refresh Token: Already Used");
    }
    if (g->token_count >= GOTRUE_MAX_SESSIONS) {
        gotrue_fail(err, 500, "unexpected_failure", "Database error granting user");
        set_error_id(g, err);
        return -1;
    }
    g->tokens[t].revoked = true;
    g->tokens[t].updated_us = c->now_us;
    long nt = add_token(g, s, t, c->now_us);
    token_response(g, c, s, nt, out);
    return 0;
}

/* ---- authentication ---- */

static int verify_bearer(gotrue_t *g, const gotrue_ctx_t *c, const char *token, cJSON **claims,
                         gotrue_error_t *err)
{
    (void)g;
    if (!token || !*token)
        return gotrue_fail(err, 401, "no_authorization",
                           "This endpoint requires a valid Bearer token");
    char why[200];
    *claims = verify_hs256(token, c, unix_s(c->now_us), why, sizeof why);
    if (!*claims)
        return gotrue_fail(err, 403, "bad_jwt",
                           "invalid JWT: unable to parse or verify signature, %s", why);
    return 0;
}

int gotrue_authenticate(gotrue_t *g, const gotrue_ctx_t *c, const char *token, gotrue_who_t *who,
                        gotrue_error_t *err)
{
    cJSON *claims = NULL;
    if (verify_bearer(g, c, token, &claims, err) < 0)
        return -1;
    int rc = -1;
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(claims, "session_id");
    /* auth.go maybeLoadUserOrSession. */
    if (!cJSON_IsString(sub) || !*sub->valuestring) {
        gotrue_fail(err, 403, "bad_jwt", "invalid claim: missing sub claim");
        goto done;
    }
    if (!is_uuid(sub->valuestring)) {
        gotrue_fail(err, 400, "bad_jwt", "invalid claim: sub claim must be a UUID");
        goto done;
    }
    who->user = find_user_by_id(g, sub->valuestring);
    who->session = -1;
    if (who->user < 0) {
        gotrue_fail(err, 403, "user_not_found", "User from sub claim in JWT does not exist");
        goto done;
    }
    if (cJSON_IsString(sid) && *sid->valuestring &&
        strcmp(sid->valuestring, "00000000-0000-0000-0000-000000000000") != 0) {
        if (!is_uuid(sid->valuestring)) {
            gotrue_fail(err, 403, "bad_jwt", "invalid claim: session_id claim must be a UUID");
            goto done;
        }
        for (size_t i = 0; i < g->session_count; i++)
            if (g->sessions[i].alive && strcasecmp(g->sessions[i].id, sid->valuestring) == 0)
                who->session = (long)i;
        if (who->session < 0) {
            gotrue_fail(err, 403, "session_not_found",
                        "Session from session_id claim in JWT does not exist");
            goto done;
        }
    }
    /* auth.go requireAuthentication: "Reject banned users who still hold an
     * access token issued before the ban". */
    if (is_banned(&g->users[who->user], c->now_us)) {
        gotrue_fail(err, 403, "user_banned", "User is banned");
        goto done;
    }
    who->is_anonymous = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(claims, "is_anonymous"));
    rc = 0;
done:
    cJSON_Delete(claims);
    return rc;
}

int gotrue_require_admin(gotrue_t *g, const gotrue_ctx_t *c, const char *token, gotrue_error_t *err)
{
    cJSON *claims = NULL;
    if (verify_bearer(g, c, token, &claims, err) < 0)
        return -1;
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(claims, "role");
    /* auth.go requireAdmin: GOTRUE_JWT_ADMIN_ROLES is service_role on Supabase. */
    bool ok = cJSON_IsString(role) && strcmp(role->valuestring, "service_role") == 0;
    cJSON_Delete(claims);
    if (!ok)
        return gotrue_fail(err, 403, "not_admin", "User not allowed");
    return 0;
}

int gotrue_logout(gotrue_t *g, const gotrue_who_t *who, const char *scope, gotrue_error_t *err)
{
    /* logout.go: scope global (default), local, others. */
    if (!scope || !*scope || strcmp(scope, "global") == 0 || who->session < 0)
        end_sessions(g, who->user, -1, -1);
    else if (strcmp(scope, "local") == 0)
        end_sessions(g, who->user, -1, who->session);
    else if (strcmp(scope, "others") == 0)
        end_sessions(g, who->user, who->session, -1);
    else
        return gotrue_fail(err, 400, "validation_failed", "Unsupported logout scope \"%s\"", scope);
    return 0;
}

/* ---- password and email checks ---- */

static int check_password(const char *password, gotrue_error_t *err)
{
    /* password.go checkPasswordStrength: length counts bytes (len(password)). */
    if (strlen(password) < GOTRUE_MIN_PASSWORD_LENGTH) {
        gotrue_fail(err, 422, "weak_password", "Password should be at least %d characters.",
                    GOTRUE_MIN_PASSWORD_LENGTH);
        err->weak_password = true;
        return -1;
    }
    return 0;
}

/* A deliberately small version of GoTrue's email check: one '@' with text on
 * both sides and a dot in the domain. */
static bool email_ok(const char *e)
{
    const char *at = strchr(e, '@');
    return at && at != e && !strchr(at + 1, '@') && strchr(at + 1, '.') && at[1] != '.' &&
           e[strlen(e) - 1] != '.' && !strpbrk(e, " \t\r\n");
}

/* ---- on_signup: the handle_new_user trigger ---- */

static const cJSON *lookup_path(const cJSON *user, const char *path, size_t n)
{
    const cJSON *cur = user;
    const char *p = path;
    const char *end = path + n;
    while (p < end && cur) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        size_t len = dot ? (size_t)(dot - p) : (size_t)(end - p);
        char key[128];
        if (len >= sizeof key)
            return NULL;
        memcpy(key, p, len);
        key[len] = '\0';
        cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, key) : NULL;
        p = dot ? dot + 1 : end;
    }
    return cur;
}

cJSON *gotrue_template_value(const cJSON *tmpl, const cJSON *user)
{
    if (!cJSON_IsString(tmpl))
        return cJSON_Duplicate(tmpl, true);
    const char *s = tmpl->valuestring;
    size_t len = strlen(s);
    /* Exactly one placeholder: the value itself, with its JSON type. */
    if (len > 9 && strncmp(s, "{{user.", 7) == 0 && strcmp(s + len - 2, "}}") == 0 &&
        !strstr(s + 2, "{{") && strstr(s, "}}") == s + len - 2) {
        const cJSON *v = lookup_path(user, s + 7, len - 9);
        return v ? cJSON_Duplicate(v, true) : cJSON_CreateNull();
    }
    buf_t b;
    buf_init(&b);
    const char *p = s;
    while (*p) {
        const char *open = strstr(p, "{{user.");
        const char *close = open ? strstr(open, "}}") : NULL;
        if (!open || !close) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(open - p));
        const cJSON *v = lookup_path(user, open + 7, (size_t)(close - open - 7));
        if (cJSON_IsString(v)) {
            buf_puts(&b, v->valuestring);
        } else if (v && !cJSON_IsNull(v)) {
            char *txt = cJSON_PrintUnformatted(v);
            buf_puts(&b, txt);
            cJSON_free(txt);
        }
        p = close + 2;
    }
    cJSON *out = cJSON_CreateString(buf_cstr(&b));
    buf_dispose(&b);
    return out;
}

/* Inserts the auth.users row and the on_signup row in one transaction, as
 * GoTrue's INSERT INTO auth.users fires the security-definer trigger. */
static int store_new_user(gotrue_t *g, const gt_user_t *u, int64_t now_us, gotrue_error_t *gerr)
{
    store_env_t env = {.now_us = now_us, .auth_uid = NULL};
    pgrst_error_t perr;
    pgrst_error_init(&perr);
    if (!auth_users_table(g->store))
        return 0; /* a store without auth.users (unit tests): nothing to mirror */
    store_begin(g->store);
    int rc = auth_users_insert(g->store, g->security, u->id, u->email, u->phone, u->role,
                               u->user_metadata, u->app_metadata, &env, &perr, NULL);
    if (rc == 0)
        rc = users_triggers(g, u->id, &env, &perr);
    if (rc == 0 && g->sc->on_signup_table && g->sc->on_signup_values) {
        const char *name = g->sc->on_signup_table;
        const char *dot = strchr(name, '.');
        char schema[128] = "public";
        if (dot && (size_t)(dot - name) < sizeof schema) {
            memcpy(schema, name, (size_t)(dot - name));
            schema[dot - name] = '\0';
            name = dot + 1;
        }
        store_table_t *t = store_find_table(g->store, schema, name);
        if (!t) {
            rc = pgrst_error_setf(&perr, "42P01", "relation \"%s\" does not exist",
                                  g->sc->on_signup_table);
        } else {
            cJSON *subject = cJSON_CreateObject();
            cJSON_AddStringToObject(subject, "id", u->id);
            cJSON_AddItemToObject(subject, "email",
                                  u->email ? cJSON_CreateString(u->email) : cJSON_CreateNull());
            cJSON_AddItemToObject(subject, "phone",
                                  u->phone ? cJSON_CreateString(u->phone) : cJSON_CreateNull());
            cJSON_AddItemToObject(subject, "user_metadata",
                                  cJSON_Duplicate(u->user_metadata, true));
            cJSON_AddItemToObject(subject, "app_metadata", cJSON_Duplicate(u->app_metadata, true));
            cJSON *values = cJSON_CreateObject();
            const cJSON *e;
            cJSON_ArrayForEach(e, g->sc->on_signup_values)
                cJSON_AddItemToObject(values, e->string, gotrue_template_value(e, subject));
            rc = owner_insert_json(g->store, g->security, t, values, &env, &perr, NULL);
            cJSON_Delete(values);
            cJSON_Delete(subject);
        }
    }
    if (rc == 0)
        rc = store_end_statement(g->store, &env, &perr);
    if (rc == 0)
        store_commit(g->store);
    else
        store_rollback(g->store);
    /* utilities.NewPostgresError: a trigger's RAISE (and the constraint
     * codes) show on the initial API version, as gotrue_db.c does. */
    static const char *const public_codes[] = {"P0001", "23000", "23001", "23502",
                                               "23503", "23505", "23514", "23P01"};
    for (size_t i = 0; rc != 0 && gerr && i < sizeof public_codes / sizeof public_codes[0]; i++) {
        if (strcmp(perr.code, public_codes[i]) != 0)
            continue;
        snprintf(gerr->pg_code, sizeof gerr->pg_code, "%s", perr.code);
        snprintf(gerr->pg_message, sizeof gerr->pg_message, "%s", perr.message);
        snprintf(gerr->pg_detail, sizeof gerr->pg_detail, "%s", perr.details ? perr.details : "");
    }
    pgrst_error_dispose(&perr);
    return rc;
}

/* Creates a user (signupNewUser / adminUserCreate). Returns its index, or -1
 * with err (the trigger failed: 500 "Database error saving new user"). */
static long create_user(gotrue_t *g, const gotrue_ctx_t *c, const char *email, const char *phone,
                        const char *password, const cJSON *user_metadata,
                        const cJSON *app_metadata_extra, bool confirm, gotrue_error_t *err)
{
    if (g->user_count >= GOTRUE_MAX_USERS) {
        gotrue_fail(err, 500, "unexpected_failure", "Database error saving new user");
        set_error_id(g, err);
        return -1;
    }
    gt_user_t nu;
    memset(&nu, 0, sizeof nu);
    new_uuid(g, nu.id);
    new_uuid(g, nu.identity_id);
    nu.email = *email ? xstrdup(email) : NULL;
    nu.phone = *phone ? xstrdup(phone) : NULL;
    nu.password = *password ? xstrdup(password) : NULL;
    nu.role = xstrdup("authenticated");
    nu.app_metadata = !nu.email && !nu.phone
                          ? cJSON_CreateObject()
                          : app_metadata_for(nu.email ? "email" : "phone", app_metadata_extra);
    /* The provider identity's claims are kept in user_metadata too
     * (createNewIdentity; Confirm sets email_verified). */
    nu.user_metadata = cJSON_CreateObject();
    if (nu.email || nu.phone) {
        if (nu.email)
            cJSON_AddStringToObject(nu.user_metadata, "email", nu.email);
        else
            cJSON_AddStringToObject(nu.user_metadata, "phone", nu.phone);
        cJSON_AddBoolToObject(nu.user_metadata, "email_verified", confirm && nu.email);
        cJSON_AddBoolToObject(nu.user_metadata, "phone_verified", confirm && !nu.email);
        cJSON_AddStringToObject(nu.user_metadata, "sub", nu.id);
    }
    if (cJSON_IsObject(user_metadata))
        merge_metadata(nu.user_metadata, user_metadata);
    nu.created_us = nu.updated_us = c->now_us;
    nu.email_confirmed_us = confirm && nu.email ? c->now_us : NO_TIME;
    nu.phone_confirmed_us = confirm && !nu.email && nu.phone ? c->now_us : NO_TIME;
    nu.confirmation_sent_us = nu.last_sign_in_us = NO_TIME;
    nu.banned_until_us = nu.deleted_us = NO_TIME;
    nu.phone_identity = !nu.email && nu.phone;
    /* SignupParams.ToUserModel for AnonymousProvider: no provider in
     * app_metadata, no identity, is_anonymous. */
    nu.is_anonymous = nu.no_identity = !nu.email && !nu.phone;
    /* On the database engine the row goes into auth.users when the request
     * ends (gotrue_db.c), and a trigger's failure answers then. */
    gotrue_error_t pgerr;
    memset(&pgerr, 0, sizeof pgerr);
    if (!g->db && store_new_user(g, &nu, c->now_us, &pgerr) < 0) {
        user_dispose(&nu);
        gotrue_fail(err, 500, "unexpected_failure", "Database error saving new user");
        memcpy(err->pg_code, pgerr.pg_code, sizeof err->pg_code);
        memcpy(err->pg_message, pgerr.pg_message, sizeof err->pg_message);
        memcpy(err->pg_detail, pgerr.pg_detail, sizeof err->pg_detail);
        set_error_id(g, err);
        return -1;
    }
    gt_user_t *slot = add_user(g);
    *slot = nu;
    return (long)(g->user_count - 1);
}

/* anonymous.go SignupAnonymously: the user (no email, phone, password or
 * identity; user_metadata from data) and a session whose AMR is
 * "anonymous", in one transaction whose failure is one message. */
static int signup_anonymously(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *data, buf_t *out,
                              gotrue_error_t *err)
{
    long u = create_user(g, c, "", "", "", cJSON_IsObject(data) ? data : NULL, NULL, true, err);
    if (u < 0) {
        /* anonymous.go's message; the trigger's Postgres error stays. */
        snprintf(err->message, sizeof err->message, "Database error creating anonymous user");
        return -1;
    }
    return issue_session_by(g, c, u, "anonymous", out, err);
}

int gotrue_signup(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                  gotrue_error_t *err)
{
    const char *email = str_field(body, "email");
    const char *phone = str_field(body, "phone");
    const char *password = str_field(body, "password");
    const cJSON *data = body ? cJSON_GetObjectItemCaseSensitive(body, "data") : NULL;
    if (!*email && !*phone) {
        /* api.go's /signup route: no email and no phone is an anonymous
         * sign-in when External.AnonymousUsers.Enabled. */
        if (!g->sc->enable_anonymous_sign_ins)
            return gotrue_fail(err, 422, "anonymous_provider_disabled",
                               "Anonymous sign-ins are disabled");
        return signup_anonymously(g, c, data, out, err);
    }
    /* signup.go SignupParams.Validate, then checkPasswordStrength. */
    if (!*password)
        return gotrue_fail(err, 422, "validation_failed", "Signup requires a valid password");
    if (*email && *phone)
        return gotrue_fail(err, 422, "validation_failed",
                           "Only an email address or phone number should be provided on signup.");
    if (check_password(password, err) < 0)
        return -1;
    char lower[512];
    if (*email) {
        if (strlen(email) >= sizeof lower || !email_ok(email))
            return gotrue_fail(err, 400, "validation_failed",
                               "Unable to validate email address: invalid format");
        size_t i = 0;
        for (; email[i]; i++)
            lower[i] = (char)(email[i] >= 'A' && email[i] <= 'Z' ? email[i] + 32 : email[i]);
        lower[i] = '\0';
        email = lower;
    }
    long existing = *email ? find_user_by_email(g, email) : find_user_by_phone(g, phone);
    bool confirm = !g->sc->confirm_email;
    if (existing >= 0) {
        gt_user_t *u = &g->users[existing];
        bool confirmed =
            *email ? u->email_confirmed_us != NO_TIME : u->phone_confirmed_us != NO_TIME;
        if (confirmed && confirm)
            return gotrue_fail(err, 422, "user_already_exists", "User already registered");
        if (confirmed) {
            /* signup.go sanitizeUser: an obfuscated user so that signup does
             * not reveal who is registered. */
            gt_user_t fake;
            memset(&fake, 0, sizeof fake);
            new_uuid(g, fake.id);
            new_uuid(g, fake.identity_id);
            fake.email = *email ? (char *)email : NULL;
            fake.phone = *phone ? (char *)phone : NULL;
            fake.role = (char *)"authenticated";
            fake.app_metadata = app_metadata_for(*email ? "email" : "phone", NULL);
            fake.user_metadata =
                cJSON_IsObject(data) ? cJSON_Duplicate(data, true) : cJSON_CreateObject();
            fake.created_us = fake.updated_us = fake.confirmation_sent_us = c->now_us;
            fake.email_confirmed_us = fake.phone_confirmed_us = NO_TIME;
            fake.last_sign_in_us = NO_TIME;
            fake.banned_until_us = fake.deleted_us = NO_TIME;
            fake.phone_identity = !*email;
            buf_t tmp;
            buf_init(&tmp);
            user_json(g, &fake, &tmp);
            /* No identities: replace the one user_json wrote. */
            const char *ids = strstr(buf_cstr(&tmp), ",\"identities\":[");
            const char *after = ids ? strstr(ids, "}],\"created_at\"") : NULL;
            if (ids && after) {
                buf_append(out, tmp.data, (size_t)(ids - tmp.data));
                buf_puts(out, ",\"identities\":[");
                buf_puts(out, after + 2);
            } else {
                buf_puts(out, buf_cstr(&tmp));
            }
            buf_dispose(&tmp);
            cJSON_Delete(fake.app_metadata);
            cJSON_Delete(fake.user_metadata);
            return 0;
        }
        /* An unconfirmed user signing up again: the confirmation is sent again. */
        u->confirmation_sent_us = c->now_us;
        user_json(g, u, out);
        return 0;
    }
    long u = create_user(g, c, email, phone, password, data, NULL, confirm, err);
    if (u < 0)
        return -1;
    if (confirm)
        return issue_session(g, c, u, out, err);
    g->users[u].confirmation_sent_us = c->now_us;
    user_json(g, &g->users[u], out);
    return 0;
}

/* PUT /user (user.go UserUpdate): data merges into user_metadata, password
 * changes after the strength check; email and phone change directly (the
 * mock sends no confirmation mail). */
int gotrue_update_user(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                       const cJSON *body, buf_t *out, gotrue_error_t *err)
{
    gt_user_t *u = &g->users[who->user];
    const cJSON *pw = cJSON_GetObjectItemCaseSensitive(body, "password");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(body, "data");
    const cJSON *email = cJSON_GetObjectItemCaseSensitive(body, "email");
    const cJSON *phone = cJSON_GetObjectItemCaseSensitive(body, "phone");
    /* validateUserUpdateParams: validatePhone (phone.go) drops a leading '+'
     * and spaces, then wants E.164 digits: ^[1-9]\d{1,14}$. */
    char phone_fmt[64] = "";
    if (cJSON_IsString(phone) && *phone->valuestring) {
        const char *p = phone->valuestring[0] == '+' ? phone->valuestring + 1 : phone->valuestring;
        size_t k = 0;
        bool ok = true;
        for (; *p && ok; p++) {
            if (*p == ' ')
                continue;
            ok = *p >= '0' && *p <= '9' && k < 15 && (k > 0 || *p != '0');
            if (ok)
                phone_fmt[k++] = *p;
        }
        phone_fmt[k] = '\0';
        if (!ok || k < 2)
            return gotrue_fail(err, 400, "validation_failed",
                               "Invalid phone number format (E.164 required)");
    }
    bool changing_secret = (cJSON_IsString(pw) && *pw->valuestring) ||
                           (cJSON_IsString(email) && *email->valuestring &&
                            (!u->email || strcmp(u->email, email->valuestring) != 0)) ||
                           (cJSON_IsString(phone) && *phone->valuestring &&
                            (!u->phone || strcmp(u->phone, phone->valuestring) != 0));
    /* user.go UserUpdate: user.HasMFAEnabled() && !session.IsAAL2(). */
    if (changing_secret && gotrue_mfa_has_verified(g->mfa, u->id) &&
        !(who->session >= 0 && g->sessions[who->session].aal2))
        return gotrue_fail(
            err, 401, "insufficient_aal",
            "AAL2 session is required to update email or password when MFA is enabled.");
    if (u->is_anonymous && cJSON_IsString(pw) && *pw->valuestring &&
        !(cJSON_IsString(email) && *email->valuestring) &&
        !(cJSON_IsString(phone) && *phone->valuestring))
        return gotrue_fail(
            err, 422, "validation_failed",
            "Updating password of an anonymous user without an email or phone is not "
            "allowed");
    if (cJSON_IsString(pw)) {
        if (check_password(pw->valuestring, err) < 0)
            return -1;
        if (password_matches(u, pw->valuestring))
            return gotrue_fail(err, 422, "same_password",
                               "New password should be different from the old password.");
    }
    if (cJSON_IsString(email) && *email->valuestring && !email_ok(email->valuestring))
        return gotrue_fail(err, 400, "validation_failed",
                           "Unable to validate email address: invalid format");
    if (cJSON_IsString(email) && *email->valuestring) {
        long other = find_user_by_email(g, email->valuestring);
        if (other >= 0 && other != who->user)
            return gotrue_fail(err, 422, "email_exists",
                               "A user with this email address has already been registered");
    }
    if (cJSON_IsString(pw))
        set_password(u, pw->valuestring);
    if (cJSON_IsObject(data))
        merge_metadata(u->user_metadata, data);
    if (cJSON_IsString(email) && *email->valuestring && u->is_anonymous) {
        /* Linking an anonymous user. On an autoconfirm project UserUpdate
         * calls emailChangeVerify directly, which creates the email
         * identity, clears is_anonymous and confirms the address
         * (ConfirmEmailChange, Confirm: email_verified in user_metadata).
         * With auth.confirm_email the email change mail goes out instead
         * (auth_mail_update_user keeps the email from reaching here) and
         * gotrue_change_email links the user when the link is followed. */
        free(u->email);
        u->email = xstrdup(email->valuestring);
        for (char *p = u->email; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        u->is_anonymous = false;
        u->no_identity = false;
        new_uuid(g, u->identity_id);
        u->email_confirmed_us = c->now_us;
        cJSON_DeleteItemFromObjectCaseSensitive(u->user_metadata, "email_verified");
        cJSON_AddBoolToObject(u->user_metadata, "email_verified", true);
        cJSON *am = app_metadata_for("email", u->app_metadata);
        cJSON_DeleteItemFromObjectCaseSensitive(am, "provider");
        cJSON_DeleteItemFromObjectCaseSensitive(am, "providers");
        cJSON_AddStringToObject(am, "provider", "email");
        cJSON_AddItemToObject(am, "providers",
                              cJSON_CreateStringArray((const char *[]){"email"}, 1));
        cJSON_Delete(u->app_metadata);
        u->app_metadata = am;
    } else if (cJSON_IsString(email) && *email->valuestring) {
        free(u->email);
        u->email = xstrdup(email->valuestring);
    }
    if (cJSON_IsString(phone) && *phone->valuestring && u->is_anonymous) {
        /* Linking a phone: with SMS autoconfirm (the CLI's default) UserUpdate
         * calls smsVerify (phoneChangeVerification), which creates the phone
         * identity, confirms the number and clears is_anonymous
         * (verify.go). */
        free(u->phone);
        u->phone = xstrdup(phone_fmt);
        u->phone_confirmed_us = c->now_us;
        u->is_anonymous = false;
        if (u->no_identity) {
            u->no_identity = false;
            u->phone_identity = true;
            new_uuid(g, u->identity_id);
            const char *prov = "phone";
            cJSON_DeleteItemFromObjectCaseSensitive(u->app_metadata, "provider");
            cJSON_DeleteItemFromObjectCaseSensitive(u->app_metadata, "providers");
            cJSON_AddStringToObject(u->app_metadata, "provider", prov);
            cJSON_AddItemToObject(u->app_metadata, "providers", cJSON_CreateStringArray(&prov, 1));
        }
    } else if (cJSON_IsString(phone) && *phone->valuestring) {
        free(u->phone);
        u->phone = xstrdup(phone_fmt);
    }
    u->updated_us = c->now_us;
    user_json(g, u, out);
    return 0;
}

/* ---- admin ---- */

/* SQL LIKE (ILIKE when ci) with '%', '_' and the default '\\' escape,
 * over bytes. Backtracks only on '%': bounded by |pattern| * |text|. */
static bool like_match(const char *p, const char *t, bool ci)
{
    const char *star_p = NULL, *star_t = NULL;
    while (*t) {
        char pc = *p, tc = *t;
        if (pc == '%') {
            star_p = ++p;
            star_t = t;
            continue;
        }
        bool lit = pc == '\\' && p[1];
        char want = lit ? p[1] : pc;
        if (ci) {
            want = (char)(want >= 'A' && want <= 'Z' ? want + 32 : want);
            tc = (char)(tc >= 'A' && tc <= 'Z' ? tc + 32 : tc);
        }
        if (pc && ((!lit && pc == '_') || want == tc)) {
            p += lit ? 2 : 1;
            t++;
        } else if (star_p) {
            p = star_p;
            t = ++star_t;
        } else {
            return false;
        }
    }
    while (*p == '%')
        p++;
    return *p == '\0';
}

typedef struct {
    int64_t created_us;
    size_t index;
} list_key_t;

static int cmp_newest_first(const void *a, const void *b)
{
    const list_key_t *x = a, *y = b;
    if (x->created_us != y->created_us)
        return x->created_us > y->created_us ? -1 : 1;
    return x->index > y->index ? -1 : x->index < y->index;
}

void gotrue_admin_list(gotrue_t *g, const char *filter, bool ascending, uint64_t page,
                       uint64_t per_page, buf_t *out, uint64_t *total)
{
    /* models.FindUsersInAudience: every user of the audience, soft-deleted
     * ones too; `filter` keeps `email LIKE %f% OR
     * raw_user_meta_data->>'full_name' ILIKE %f%`; ORDER BY created_at DESC
     * (admin.go's default sort); pop's Paginate takes page < 1 as 1 and
     * per_page < 1 as 20. */
    list_key_t *keys = xcalloc(g->user_count ? g->user_count : 1, sizeof *keys);
    size_t n = 0;
    char *like = NULL;
    if (filter && *filter) {
        size_t fl = strlen(filter);
        like = xcalloc(fl + 3, 1);
        like[0] = '%';
        memcpy(like + 1, filter, fl);
        like[fl + 1] = '%';
    }
    for (size_t i = 0; i < g->user_count; i++) {
        const gt_user_t *u = &g->users[i];
        if (u->deleted)
            continue;
        if (like) {
            const cJSON *fn = cJSON_GetObjectItemCaseSensitive(u->user_metadata, "full_name");
            bool hit = (u->email && like_match(like, u->email, false)) ||
                       (cJSON_IsString(fn) && like_match(like, fn->valuestring, true));
            if (!hit)
                continue;
        }
        keys[n++] = (list_key_t){.created_us = u->created_us, .index = i};
    }
    free(like);
    qsort(keys, n, sizeof *keys, cmp_newest_first);
    if (ascending) /* sort=created_at asc */
        for (size_t i = 0; i < n / 2; i++) {
            list_key_t t = keys[i];
            keys[i] = keys[n - 1 - i];
            keys[n - 1 - i] = t;
        }
    *total = n;
    if (page < 1)
        page = 1;
    if (per_page < 1)
        per_page = 20;
    buf_puts(out, "{\"users\":[");
    uint64_t skip = (page - 1) > UINT64_MAX / per_page ? UINT64_MAX : (page - 1) * per_page;
    for (uint64_t k = skip, shown = 0; k < n && shown < per_page; k++, shown++) {
        if (shown)
            buf_putc(out, ',');
        user_json(g, &g->users[keys[k].index], out);
    }
    buf_puts(out, "],\"aud\":\"authenticated\"}");
    free(keys);
}

static long admin_load_user(gotrue_t *g, const char *id, gotrue_error_t *err)
{
    /* admin.go loadUser. */
    if (!is_uuid(id)) {
        gotrue_fail(err, 404, "validation_failed", "user_id must be an UUID");
        return -1;
    }
    long u = find_user_by_id(g, id);
    if (u < 0)
        gotrue_fail(err, 404, "user_not_found", "User not found");
    return u;
}

int gotrue_admin_get(gotrue_t *g, const char *id, buf_t *out, gotrue_error_t *err)
{
    long u = admin_load_user(g, id, err);
    if (u < 0)
        return -1;
    user_json(g, &g->users[u], out);
    return 0;
}

int gotrue_admin_create(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                        gotrue_error_t *err)
{
    const char *email = str_field(body, "email");
    const char *phone = str_field(body, "phone");
    const char *password = str_field(body, "password");
    if (!*email && !*phone)
        return gotrue_fail(err, 400, "validation_failed",
                           "Cannot create a user without either an email or phone");
    if (*email && !email_ok(email))
        return gotrue_fail(err, 400, "validation_failed",
                           "Unable to validate email address: invalid format");
    if (*email && find_user_by_email(g, email) >= 0)
        return gotrue_fail(err, 422, "email_exists",
                           "A user with this email address has already been registered");
    if (*phone && find_user_by_phone(g, phone) >= 0)
        return gotrue_fail(err, 422, "phone_exists",
                           "A user with this phone number has already been registered");
    if (*password && check_password(password, err) < 0)
        return -1;
    bool ban = false;
    int64_t ban_ns = 0;
    if (ban_duration(body, &ban, &ban_ns, err) < 0)
        return -1;
    bool confirm = bool_field(body, *email ? "email_confirm" : "phone_confirm");
    const cJSON *um = cJSON_GetObjectItemCaseSensitive(body, "user_metadata");
    const cJSON *am = cJSON_GetObjectItemCaseSensitive(body, "app_metadata");
    long u =
        create_user(g, c, email, phone, password, um, cJSON_IsObject(am) ? am : NULL, confirm, err);
    if (u < 0) {
        /* admin.go adminUserCreate's message for a failed insert. */
        if (err->status == 500 && strcmp(err->message, "Database error saving new user") == 0)
            snprintf(err->message, sizeof err->message, "Database error creating new user");
        return -1;
    }
    if (ban)
        apply_ban(&g->users[u], c->now_us, ban_ns);
    user_json(g, &g->users[u], out);
    return 0;
}

int gotrue_admin_update(gotrue_t *g, const gotrue_ctx_t *c, const char *id, const cJSON *body,
                        buf_t *out, gotrue_error_t *err)
{
    long ui = admin_load_user(g, id, err);
    if (ui < 0)
        return -1;
    gt_user_t *u = &g->users[ui];
    const char *email = str_field(body, "email");
    const char *password = str_field(body, "password");
    if (*email && !email_ok(email))
        return gotrue_fail(err, 400, "validation_failed",
                           "Unable to validate email address: invalid format");
    if (*email) {
        long other = find_user_by_email(g, email);
        if (other >= 0 && other != ui)
            return gotrue_fail(err, 422, "email_exists",
                               "A user with this email address has already been registered");
    }
    bool ban = false;
    int64_t ban_ns = 0;
    if (ban_duration(body, &ban, &ban_ns, err) < 0)
        return -1;
    if (*password && check_password(password, err) < 0)
        return -1;
    if (ban)
        apply_ban(u, c->now_us, ban_ns);
    const char *phone = str_field(body, "phone");
    if ((*email || *phone) && u->no_identity) {
        /* adminUserUpdate: an anonymous user gets the email (or phone)
         * identity (createNewIdentity, UpdateAppMetaDataProviders). */
        u->no_identity = false;
        u->phone_identity = !*email;
        new_uuid(g, u->identity_id);
        cJSON_DeleteItemFromObjectCaseSensitive(u->app_metadata, "provider");
        cJSON_DeleteItemFromObjectCaseSensitive(u->app_metadata, "providers");
        const char *prov = *email ? "email" : "phone";
        cJSON_AddStringToObject(u->app_metadata, "provider", prov);
        cJSON_AddItemToObject(u->app_metadata, "providers", cJSON_CreateStringArray(&prov, 1));
    }
    /* "if user.IsAnonymous && params.EmailConfirm" (and PhoneConfirm). */
    if (u->is_anonymous && ((*email && bool_field(body, "email_confirm")) ||
                            (*phone && bool_field(body, "phone_confirm"))))
        u->is_anonymous = false;
    if (*email) {
        free(u->email);
        u->email = xstrdup(email);
    }
    if (*phone) {
        free(u->phone);
        u->phone = xstrdup(phone);
    }
    if (*password)
        set_password(u, password);
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(body, "role");
    if (cJSON_IsString(role) && *role->valuestring) {
        free(u->role);
        u->role = xstrdup(role->valuestring);
    }
    const cJSON *um = cJSON_GetObjectItemCaseSensitive(body, "user_metadata");
    if (cJSON_IsObject(um))
        merge_metadata(u->user_metadata, um);
    const cJSON *am = cJSON_GetObjectItemCaseSensitive(body, "app_metadata");
    if (cJSON_IsObject(am))
        merge_metadata(u->app_metadata, am);
    if (bool_field(body, "email_confirm") && u->email && u->email_confirmed_us == NO_TIME)
        u->email_confirmed_us = c->now_us;
    if (bool_field(body, "phone_confirm") && u->phone && u->phone_confirmed_us == NO_TIME)
        u->phone_confirmed_us = c->now_us;
    u->updated_us = c->now_us;
    user_json(g, u, out);
    return 0;
}

/* models.User SoftDeleteUser and SoftDeleteUserIdentities, then the
 * factors and sessions go (admin.go adminUserDelete). The auth.users row
 * stays, so rows that reference it stay too. */
static void soft_delete(gotrue_t *g, const gotrue_ctx_t *c, long ui)
{
    gt_user_t *u = &g->users[ui];
    char ob[48];
    gotrue_obfuscate(u->id, u->email ? u->email : "", ob);
    free(u->email);
    u->email = xstrdup(ob);
    gotrue_obfuscate(u->id, u->phone ? u->phone : "", ob);
    ob[15] = '\0'; /* obfuscatePhone: [:15] */
    free(u->phone);
    u->phone = xstrdup(ob);
    set_password(u, NULL);
    u->deleted_us = u->updated_us = c->now_us;
    cJSON_Delete(u->user_metadata);
    u->user_metadata = cJSON_CreateObject();
    cJSON_Delete(u->app_metadata);
    u->app_metadata = cJSON_CreateObject();
    gotrue_mfa_delete_user(g->mfa, u->id);
    end_sessions(g, ui, -1, -1);
}

int gotrue_admin_delete(gotrue_t *g, const gotrue_ctx_t *c, const char *id, const cJSON *body,
                        buf_t *out, gotrue_error_t *err)
{
    long ui = admin_load_user(g, id, err);
    if (ui < 0)
        return -1;
    if (bool_field(body, "should_soft_delete")) {
        /* "user has been soft deleted already": nothing to do. */
        if (g->users[ui].deleted_us == NO_TIME)
            soft_delete(g, c, ui);
        buf_puts(out, "{}");
        return 0;
    }
    store_table_t *users = g->db ? NULL : auth_users_table(g->store);
    if (users) {
        store_env_t env = {.now_us = c->now_us, .auth_uid = NULL};
        pgrst_error_t perr;
        pgrst_error_init(&perr);
        pgvalue_t key;
        pgvalue_init_null(&key);
        cJSON *jid = cJSON_CreateString(g->users[ui].id);
        int rc = pgvalue_from_json(&store_table_column(users, 0)->type, jid, &key, &perr);
        cJSON_Delete(jid);
        store_begin(g->store);
        store_row_t *row = rc == 0 ? store_index_lookup(users, 0, &key) : NULL;
        if (row)
            rc = store_delete(g->store, users, row, &env, &perr);
        if (rc == 0)
            rc = store_end_statement(g->store, &env, &perr);
        if (rc == 0)
            store_commit(g->store);
        else
            store_rollback(g->store);
        pgvalue_dispose(&key);
        if (rc < 0) {
            /* admin.go adminUserDelete: `if terr := tx.Destroy(user); terr !=
             * nil { return apierrors.NewInternalServerError("Database error
             * deleting user").WithInternalError(terr) }`: a referencing row
             * whose foreign key is NO ACTION or RESTRICT makes Postgres refuse
             * (23503), and the delete is rolled back. */
            gotrue_fail(err, 500, "unexpected_failure", "Database error deleting user");
            set_error_id(g, err);
            snprintf(err->pg_code, sizeof err->pg_code, "%s", perr.code);
            snprintf(err->pg_message, sizeof err->pg_message, "%s",
                     perr.message ? perr.message : "");
            snprintf(err->pg_detail, sizeof err->pg_detail, "%s", perr.details ? perr.details : "");
            pgrst_error_dispose(&perr);
            return -1;
        }
        pgrst_error_dispose(&perr);
    }
    g->users[ui].deleted = true;
    gotrue_mfa_delete_user(g->mfa, g->users[ui].id);
    end_sessions(g, ui, -1, -1);
    buf_puts(out, "{}");
    return 0;
}

/* ---- what gotrue_mfa.c needs of users and sessions ---- */

gotrue_mfa_t *gotrue_mfa(gotrue_t *g)
{
    return g->mfa;
}

const scenario_t *gotrue_scenario(const gotrue_t *g)
{
    return g->sc;
}

/* ---- for the email and phone flows (gotrue_flows.h) ---- */

gotrue_flow_fields_t *gotrue_user_flow(gotrue_t *g, long u)
{
    return &g->users[u].flow;
}

prng_t *gotrue_prng(gotrue_t *g)
{
    return g->prng;
}

auth_mail_t *gotrue_mail(gotrue_t *g)
{
    return g->mail;
}

inbox_t *gotrue_inbox(gotrue_t *g)
{
    return g->inbox;
}

int64_t gotrue_started_us(gotrue_t *g)
{
    return g->started_us;
}

long gotrue_lookup_email(gotrue_t *g, const char *email)
{
    return find_user_by_email(g, email);
}

long gotrue_lookup_phone(gotrue_t *g, const char *phone)
{
    long u = find_user_by_phone(g, phone);
    if (u < 0) {
        char plus[64];
        if (snprintf(plus, sizeof plus, "+%s", phone) < (int)sizeof plus)
            u = find_user_by_phone(g, plus);
    }
    return u;
}

const char *gotrue_user_phone(gotrue_t *g, long u)
{
    return g->users[u].phone;
}

bool gotrue_user_email_confirmed(gotrue_t *g, long u)
{
    return g->users[u].email_confirmed_us != NO_TIME;
}

bool gotrue_user_phone_confirmed(gotrue_t *g, long u)
{
    return g->users[u].phone_confirmed_us != NO_TIME;
}

bool gotrue_user_banned(gotrue_t *g, long u, int64_t now_us)
{
    return is_banned(&g->users[u], now_us);
}

bool gotrue_user_anonymous(gotrue_t *g, long u)
{
    return g->users[u].is_anonymous;
}

bool gotrue_user_deleted(gotrue_t *g, long u)
{
    return (size_t)u >= g->user_count || g->users[u].deleted;
}

bool gotrue_user_has_password(gotrue_t *g, long u)
{
    return g->users[u].password != NULL && *g->users[u].password;
}

long gotrue_create(gotrue_t *g, const gotrue_ctx_t *c, const char *email, const char *phone,
                   const char *password, const cJSON *data, bool confirm, gotrue_error_t *err)
{
    return create_user(g, c, email, phone, password, data, NULL, confirm, err);
}

/* Confirm sets user_metadata's email_verified too (models/user.go Confirm:
 * UpdateUserMetaData {"email_verified": true}). */
void gotrue_confirm_email(gotrue_t *g, long u, int64_t now_us)
{
    gt_user_t *x = &g->users[u];
    if (x->email_confirmed_us == NO_TIME)
        x->email_confirmed_us = now_us;
    cJSON_DeleteItemFromObjectCaseSensitive(x->user_metadata, "email_verified");
    cJSON_AddBoolToObject(x->user_metadata, "email_verified", true);
    x->updated_us = now_us;
}

void gotrue_confirm_phone(gotrue_t *g, long u, int64_t now_us)
{
    gt_user_t *x = &g->users[u];
    if (x->phone_confirmed_us == NO_TIME)
        x->phone_confirmed_us = now_us;
    cJSON_DeleteItemFromObjectCaseSensitive(x->user_metadata, "phone_verified");
    cJSON_AddBoolToObject(x->user_metadata, "phone_verified", true);
    x->updated_us = now_us;
}

void gotrue_change_email(gotrue_t *g, long u, const char *email, int64_t now_us)
{
    gt_user_t *x = &g->users[u];
    if (x->is_anonymous) {
        /* emailChangeVerify: the email identity is created and the user is
         * no longer anonymous. */
        x->is_anonymous = x->no_identity = false;
        new_uuid(g, x->identity_id);
        cJSON_DeleteItemFromObjectCaseSensitive(x->app_metadata, "provider");
        cJSON_DeleteItemFromObjectCaseSensitive(x->app_metadata, "providers");
        cJSON_AddStringToObject(x->app_metadata, "provider", "email");
        cJSON_AddItemToObject(x->app_metadata, "providers",
                              cJSON_CreateStringArray((const char *[]){"email"}, 1));
    }
    free(x->email);
    x->email = xstrdup(email);
    x->email_confirmed_us = now_us;
    x->updated_us = now_us;
    if (cJSON_GetObjectItemCaseSensitive(x->user_metadata, "email")) {
        cJSON_DeleteItemFromObjectCaseSensitive(x->user_metadata, "email");
        cJSON_AddStringToObject(x->user_metadata, "email", email);
    }
}

void gotrue_change_phone(gotrue_t *g, long u, const char *phone, int64_t now_us)
{
    gt_user_t *x = &g->users[u];
    if (x->is_anonymous) {
        /* smsVerify (phone_change): the phone identity, no longer anonymous. */
        x->is_anonymous = false;
        if (x->no_identity) {
            x->no_identity = false;
            x->phone_identity = true;
            new_uuid(g, x->identity_id);
            const char *prov = "phone";
            cJSON_DeleteItemFromObjectCaseSensitive(x->app_metadata, "provider");
            cJSON_DeleteItemFromObjectCaseSensitive(x->app_metadata, "providers");
            cJSON_AddStringToObject(x->app_metadata, "provider", prov);
            cJSON_AddItemToObject(x->app_metadata, "providers", cJSON_CreateStringArray(&prov, 1));
        }
    }
    free(x->phone);
    x->phone = xstrdup(phone);
    x->phone_confirmed_us = now_us;
    x->updated_us = now_us;
}

void gotrue_set_confirmation_sent(gotrue_t *g, long u, int64_t now_us)
{
    g->users[u].confirmation_sent_us = now_us;
}

void gotrue_merge_user_metadata(gotrue_t *g, long u, const cJSON *data)
{
    if (cJSON_IsObject(data))
        merge_metadata(g->users[u].user_metadata, data);
}

int gotrue_sign_in(gotrue_t *g, const gotrue_ctx_t *c, long u, const char *amr, buf_t *out,
                   gotrue_error_t *err)
{
    return issue_session_by(g, c, u, amr, out, err);
}

int64_t gotrue_session_created_us(gotrue_t *g, long session)
{
    return session >= 0 ? g->sessions[session].created_us : NO_TIME;
}

const char *gotrue_user_id(const gotrue_t *g, long user)
{
    return g->users[user].id;
}

const char *gotrue_user_email(const gotrue_t *g, long user)
{
    return g->users[user].email ? g->users[user].email : "";
}

long gotrue_admin_load_user(gotrue_t *g, const char *id, gotrue_error_t *err)
{
    return admin_load_user(g, id, err);
}

bool gotrue_session_is_aal2(const gotrue_t *g, long session)
{
    return session >= 0 && g->sessions[session].aal2;
}

int gotrue_session_step_up(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                           const char *method, const char *factor_id, buf_t *out,
                           gotrue_error_t *err)
{
    /* token.go updateMFASessionAndClaims: the AMR claim, a refresh token
     * swapped in (GrantRefreshTokenSwap for these 12-character tokens), the
     * AAL from the claims (CalculateAALAndAMR: a TOTP claim is AAL2) and the
     * factor on the session; then mfa.go's InvalidateSessionsWithAALLessThan
     * ends the user's other AAL1 sessions. */
    if (who->session < 0) {
        gotrue_fail(err, 500, "unexpected_failure", "Cannot read SessionId claim as UUID");
        set_error_id(g, err);
        return -1;
    }
    if (g->token_count >= GOTRUE_MAX_SESSIONS) {
        gotrue_fail(err, 500, "unexpected_failure", "Database error granting user");
        set_error_id(g, err);
        return -1;
    }
    long s = who->session;
    gt_session_t *ss = &g->sessions[s];
    add_amr(ss, method, c->now_us);
    long parent = ss->active_token;
    if (parent >= 0) {
        g->tokens[parent].revoked = true;
        g->tokens[parent].updated_us = c->now_us;
    }
    long t = add_token(g, s, parent, c->now_us);
    ss = &g->sessions[s];
    ss->aal2 = false;
    for (size_t i = 0; i < ss->amr_count; i++)
        ss->aal2 |= strcmp(ss->amr[i].method, "totp") == 0;
    snprintf(ss->factor_id, sizeof ss->factor_id, "%s", factor_id);
    for (size_t i = 0; i < g->session_count; i++)
        if (g->sessions[i].user == who->user && !g->sessions[i].aal2)
            g->sessions[i].alive = false;
    token_response(g, c, s, t, out);
    return 0;
}

void gotrue_sessions_downgrade(gotrue_t *g, long user, const char *factor_id, const char *method)
{
    /* models.Factor DowngradeSessionsToAAL1. */
    for (size_t i = 0; i < g->session_count; i++) {
        gt_session_t *ss = &g->sessions[i];
        if (ss->user != user || strcmp(ss->factor_id, factor_id) != 0)
            continue;
        size_t k = 0;
        for (size_t j = 0; j < ss->amr_count; j++)
            if (strcmp(ss->amr[j].method, method) != 0)
                ss->amr[k++] = ss->amr[j];
        ss->amr_count = k;
        ss->aal2 = false;
        ss->factor_id[0] = '\0';
    }
}

/* ---- the database engine's auth.users (gotrue_db.h) ---- */

size_t gotrue_user_count(const gotrue_t *g)
{
    return g->user_count;
}

void gotrue_user_row(const gotrue_t *g, long ui, gotrue_row_t *out)
{
    const gt_user_t *u = &g->users[ui];
    const gotrue_flow_fields_t *f = &u->flow;
    memset(out, 0, sizeof *out);
    out->id = u->id;
    out->email = u->email;
    out->phone = u->phone;
    out->role = u->role;
    out->password = u->password;
    out->password_hashed = u->password_hashed;
    out->removed = u->deleted;
    out->is_anonymous = u->is_anonymous;
    out->created_us = u->created_us;
    out->updated_us = u->updated_us;
    out->email_confirmed_us = u->email_confirmed_us;
    out->phone_confirmed_us = u->phone_confirmed_us;
    out->confirmation_sent_us = u->confirmation_sent_us;
    out->last_sign_in_us = u->last_sign_in_us;
    out->invited_us = f->has_invited ? f->invited_us : NO_TIME;
    out->recovery_sent_us = f->has_recovery_sent ? f->recovery_sent_us : NO_TIME;
    out->email_change_sent_us = f->has_email_change_sent ? f->email_change_sent_us : NO_TIME;
    out->phone_change_sent_us = f->has_phone_change_sent ? f->phone_change_sent_us : NO_TIME;
    out->reauth_sent_us = f->has_reauth_sent ? f->reauth_sent_us : NO_TIME;
    out->banned_until_us = u->banned_until_us;
    out->deleted_us = u->deleted_us;
    out->email_change = f->new_email;
    out->phone_change = f->new_phone;
    out->user_metadata = u->user_metadata;
    out->app_metadata = u->app_metadata;
}

void gotrue_discard_user(gotrue_t *g, long ui)
{
    g->users[ui].deleted = true;
    gotrue_mfa_delete_user(g->mfa, g->users[ui].id);
    end_sessions(g, ui, -1, -1);
}

void gotrue_restore_user(gotrue_t *g, long ui)
{
    g->users[ui].deleted = false;
}

static int64_t row_time(const cJSON *row, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : NO_TIME;
}

static char *row_string(const cJSON *row, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);
    return cJSON_IsString(v) && *v->valuestring ? xstrdup(v->valuestring) : NULL;
}

long gotrue_add_row_user(gotrue_t *g, const cJSON *row)
{
    const char *id = str_field(row, "id");
    if (!is_uuid(id))
        return -1;
    long have = find_user_by_id(g, id);
    if (have >= 0)
        return have;
    if (g->user_count >= GOTRUE_MAX_USERS)
        return -1;
    gt_user_t *u = add_user(g);
    snprintf(u->id, sizeof u->id, "%s", id);
    new_uuid(g, u->identity_id);
    u->email = row_string(row, "email");
    u->phone = row_string(row, "phone");
    u->password = row_string(row, "encrypted_password");
    u->password_hashed = u->password != NULL;
    u->role = row_string(row, "role");
    if (!u->role)
        u->role = xstrdup("authenticated");
    const cJSON *um = cJSON_GetObjectItemCaseSensitive(row, "raw_user_meta_data");
    const cJSON *am = cJSON_GetObjectItemCaseSensitive(row, "raw_app_meta_data");
    u->user_metadata = cJSON_IsObject(um) ? cJSON_Duplicate(um, true) : cJSON_CreateObject();
    u->app_metadata = cJSON_IsObject(am) ? cJSON_Duplicate(am, true) : cJSON_CreateObject();
    u->is_anonymous = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "is_anonymous"));
    u->no_identity = u->is_anonymous;
    u->phone_identity = !u->email && u->phone;
    u->created_us = row_time(row, "created_at");
    u->updated_us = row_time(row, "updated_at");
    if (u->created_us == NO_TIME)
        u->created_us = g->started_us;
    if (u->updated_us == NO_TIME)
        u->updated_us = u->created_us;
    u->email_confirmed_us = row_time(row, "email_confirmed_at");
    u->phone_confirmed_us = row_time(row, "phone_confirmed_at");
    u->email_confirmed_flag = u->email_confirmed_us != NO_TIME;
    u->confirmation_sent_us = row_time(row, "confirmation_sent_at");
    u->last_sign_in_us = row_time(row, "last_sign_in_at");
    u->banned_until_us = row_time(row, "banned_until");
    u->deleted_us = row_time(row, "deleted_at");
    int64_t invited = row_time(row, "invited_at");
    if (invited != NO_TIME) {
        u->flow.has_invited = true;
        u->flow.invited_us = invited;
    }
    return (long)(g->user_count - 1);
}

void gotrue_set_db(gotrue_t *g, gotrue_db_t *db)
{
    gotrue_db_free(g->db);
    g->db = db;
}

gotrue_db_t *gotrue_db(gotrue_t *g)
{
    return g->db;
}
