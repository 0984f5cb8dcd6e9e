/* MFA as GoTrue serves it (internal/api/mfa.go EnrollFactor, ChallengeFactor,
 * VerifyFactor, UnenrollFactor; admin.go's factor routes; models/factor.go and
 * challenge.go), with a hosted project's defaults: TOTP enroll and verify
 * enabled and at most 10 factors per user (the scenario's auth.mfa, as
 * config.toml's [auth.mfa], changes them), phone and WebAuthn factors
 * disabled, challenges valid 300 s
 * (challenge_expiry_duration) and unverified factors without challenges
 * purged after 300 s (factor_expiry_duration), all on the scenario clock.
 * Factors and challenges are owned here, referring to users by id. */
#include "gotrue_mfa.h"

#include "clock.h"
#include "qr.h"
#include "totp.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NO_TIME                INT64_MIN
#define MFA_MAX_VERIFIED       10     /* MaxVerifiedFactors (not in config.toml) */
#define MFA_CHALLENGE_EXPIRY_S 300    /* defaultChallengeExpiryDuration */
#define MFA_FACTOR_EXPIRY_S    300    /* defaultFactorExpiryDuration */
#define MFA_MAX_FACTORS        100000 /* all users together: memory bound */
#define MFA_MAX_CHALLENGES     100000
/* The CLI's site_url, http://127.0.0.1:3000: its host is the TOTP issuer
 * when the request names none (enrollTOTPFactor). */
#define MFA_DEFAULT_ISSUER "127.0.0.1:3000"

typedef struct mfa_factor {
    char id[40];
    char user_id[40];
    char *friendly_name; /* "" when none */
    char secret[40];     /* base32, 32 characters */
    bool verified;
    int64_t created_us, updated_us, last_challenged_us;
} mfa_factor_t;

typedef struct mfa_challenge {
    char id[40];
    char factor_id[40];
    char ip[64];
    int64_t created_us, verified_us;
} mfa_challenge_t;

struct gotrue_mfa {
    mfa_factor_t *factors;
    size_t factor_count, factor_cap;
    mfa_challenge_t *challenges;
    size_t challenge_count, challenge_cap;
};

static int fail_500(gotrue_t *g, gotrue_error_t *err, const char *msg)
{
    gotrue_fail(err, 500, "unexpected_failure", "%s", msg);
    prng_uuid(gotrue_prng(g), err->error_id);
    return -1;
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

gotrue_mfa_t *gotrue_mfa_new(void)
{
    return xcalloc(1, sizeof(gotrue_mfa_t));
}

void gotrue_mfa_free(gotrue_mfa_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->factor_count; i++)
        free(m->factors[i].friendly_name);
    free(m->factors);
    free(m->challenges);
    free(m);
}

/* ---- the tables ---- */

static void drop_challenges_of(gotrue_mfa_t *m, const char *factor_id)
{
    size_t k = 0;
    for (size_t i = 0; i < m->challenge_count; i++)
        if (strcmp(m->challenges[i].factor_id, factor_id) != 0)
            m->challenges[k++] = m->challenges[i];
    m->challenge_count = k;
}

/* Removes factor i (its challenges go with it: ON DELETE CASCADE). */
static void drop_factor(gotrue_mfa_t *m, size_t i)
{
    drop_challenges_of(m, m->factors[i].id);
    free(m->factors[i].friendly_name);
    memmove(&m->factors[i], &m->factors[i + 1], (m->factor_count - i - 1) * sizeof *m->factors);
    m->factor_count--;
}

static bool has_challenge(const gotrue_mfa_t *m, const char *factor_id)
{
    for (size_t i = 0; i < m->challenge_count; i++)
        if (strcmp(m->challenges[i].factor_id, factor_id) == 0)
            return true;
    return false;
}

/* models.DeleteExpiredFactors: unverified factors without a challenge whose
 * created_at + 300 s is past. */
static void delete_expired(gotrue_mfa_t *m, int64_t now_us)
{
    for (size_t i = m->factor_count; i-- > 0;) {
        const mfa_factor_t *f = &m->factors[i];
        if (!f->verified && !has_challenge(m, f->id) &&
            f->created_us + (int64_t)MFA_FACTOR_EXPIRY_S * 1000000 < now_us)
            drop_factor(m, i);
    }
}

void gotrue_mfa_delete_user(gotrue_mfa_t *m, const char *user_id)
{
    for (size_t i = m->factor_count; i-- > 0;)
        if (strcasecmp(m->factors[i].user_id, user_id) == 0)
            drop_factor(m, i);
}

bool gotrue_mfa_has_verified(const gotrue_mfa_t *m, const char *user_id)
{
    for (size_t i = 0; m && i < m->factor_count; i++)
        if (m->factors[i].verified && strcasecmp(m->factors[i].user_id, user_id) == 0)
            return true;
    return false;
}

/* models.Factor marshalled: id, created_at, updated_at, status,
 * friendly_name (omitempty), factor_type, phone, last_challenged_at. */
static void factor_json(const mfa_factor_t *f, buf_t *out)
{
    buf_puts(out, "{\"id\":");
    gotrue_put_go_string(out, f->id);
    buf_puts(out, ",\"created_at\":");
    gotrue_put_time(out, f->created_us);
    buf_puts(out, ",\"updated_at\":");
    gotrue_put_time(out, f->updated_us);
    buf_puts(out, f->verified ? ",\"status\":\"verified\"" : ",\"status\":\"unverified\"");
    if (*f->friendly_name) {
        buf_puts(out, ",\"friendly_name\":");
        gotrue_put_go_string(out, f->friendly_name);
    }
    buf_puts(out, ",\"factor_type\":\"totp\",\"phone\":\"\",\"last_challenged_at\":");
    if (f->last_challenged_us != NO_TIME)
        gotrue_put_time(out, f->last_challenged_us);
    else
        buf_puts(out, "null");
    buf_putc(out, '}');
}

/* The user's factors in creation order (has_many loads them by primary
 * key order; the mock keeps insertion order). */
static void factors_array(const gotrue_mfa_t *m, const char *user_id, buf_t *out)
{
    buf_putc(out, '[');
    bool first = true;
    for (size_t i = 0; i < m->factor_count; i++) {
        if (strcasecmp(m->factors[i].user_id, user_id) != 0)
            continue;
        if (!first)
            buf_putc(out, ',');
        first = false;
        factor_json(&m->factors[i], out);
    }
    buf_putc(out, ']');
}

void gotrue_mfa_factors_json(const gotrue_mfa_t *m, const char *user_id, buf_t *out)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->factor_count; i++)
        if (strcasecmp(m->factors[i].user_id, user_id) == 0) {
            buf_puts(out, ",\"factors\":");
            factors_array(m, user_id, out);
            return;
        }
}

/* admin.go / mfa.go loadFactor for `user_id`: 404 validation_failed for a
 * malformed id, 404 mfa_factor_not_found for another user's or none. */
static long load_factor(const gotrue_mfa_t *m, const char *user_id, const char *factor_id,
                        gotrue_error_t *err)
{
    if (!is_uuid(factor_id)) {
        gotrue_fail(err, 404, "validation_failed", "factor_id must be an UUID");
        return -1;
    }
    for (size_t i = 0; i < m->factor_count; i++)
        if (strcasecmp(m->factors[i].id, factor_id) == 0 &&
            strcasecmp(m->factors[i].user_id, user_id) == 0)
            return (long)i;
    gotrue_fail(err, 404, "mfa_factor_not_found", "Factor not found");
    return -1;
}

/* requireNotAnonymous, which the /factors routes use (api.go). */
static int not_anonymous(const gotrue_who_t *who, gotrue_error_t *err)
{
    if (who->is_anonymous)
        return gotrue_fail(err, 403, "no_authorization",
                           "Anonymous user not allowed to perform these actions");
    return 0;
}

static const char *str_field(const cJSON *body, const char *name)
{
    const cJSON *v = body ? cJSON_GetObjectItemCaseSensitive(body, name) : NULL;
    return cJSON_IsString(v) ? v->valuestring : "";
}

int gotrue_mfa_route_check(gotrue_t *g, const gotrue_who_t *who, const char *user_id,
                           const char *factor_id, gotrue_error_t *err)
{
    if (who && not_anonymous(who, err) < 0)
        return -1;
    long u = who ? who->user : gotrue_admin_load_user(g, user_id, err);
    if (u < 0)
        return -1;
    return load_factor(gotrue_mfa(g), gotrue_user_id(g, u), factor_id, err) < 0 ? -1 : 0;
}

/* ---- enrollment ---- */

/* Go's %q of a string: quoted, with \" \\ and control bytes escaped. */
static void go_quote(buf_t *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            buf_putc(out, '\\');
            buf_putc(out, (char)*p);
        } else if (*p == '\n') {
            buf_puts(out, "\\n");
        } else if (*p == '\t') {
            buf_puts(out, "\\t");
        } else if (*p == '\r') {
            buf_puts(out, "\\r");
        } else if (*p < 0x20 || *p == 0x7f) {
            buf_puts(out, "\\x");
            buf_putc(out, hex[*p >> 4]);
            buf_putc(out, hex[*p & 15]);
        } else {
            buf_putc(out, (char)*p);
        }
    }
    buf_putc(out, '"');
}

/* mfa.go validateFactors. */
static int validate_factors(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                            const char *name, gotrue_error_t *err)
{
    gotrue_mfa_t *m = gotrue_mfa(g);
    const char *uid = gotrue_user_id(g, who->user);
    delete_expired(m, c->now_us);
    size_t count = 0, verified = 0;
    for (size_t i = 0; i < m->factor_count; i++) {
        const mfa_factor_t *f = &m->factors[i];
        if (strcasecmp(f->user_id, uid) != 0)
            continue;
        if (strcmp(f->friendly_name, name) == 0) {
            buf_t q;
            buf_init(&q);
            go_quote(&q, name);
            gotrue_fail(err, 422, "mfa_factor_name_conflict",
                        "A factor with the friendly name %s for this user already exists",
                        buf_cstr(&q));
            buf_dispose(&q);
            return -1;
        }
        count++;
        verified += f->verified;
    }
    if (count >= (size_t)gotrue_scenario(g)->mfa_max_enrolled_factors ||
        verified >= MFA_MAX_VERIFIED)
        return gotrue_fail(err, 422, "too_many_enrolled_mfa_factors",
                           "Maximum number of verified factors reached, unenroll to continue");
    if (verified > 0 && !gotrue_session_is_aal2(g, who->session))
        return gotrue_fail(err, 403, "insufficient_aal", "AAL2 required to enroll a new factor");
    return 0;
}

/* url.QueryEscape (space as '+') or, for the path of the otpauth URL,
 * url.PathEscape-like escaping of url.URL.String (encodePath: the reserved
 * $&+,/:;=@ stay). pquerna's EncodeQuery writes spaces as %20. */
static void url_escape(buf_t *out, const char *s, bool path)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char ch = *p;
        bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~';
        if (path && strchr("$&+,/:;=@", ch) && ch)
            keep = true;
        if (keep) {
            buf_putc(out, (char)ch);
        } else {
            buf_putc(out, '%');
            buf_putc(out, hex[ch >> 4]);
            buf_putc(out, hex[ch & 15]);
        }
    }
}

int gotrue_mfa_enroll(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                      const gotrue_mfa_req_t *r, buf_t *out, gotrue_error_t *err)
{
    if (not_anonymous(who, err) < 0)
        return -1;
    if (who->session < 0)
        return fail_500(g, err,
                        "A valid session and a registered user are required to enroll a factor");
    const char *type = str_field(r->body, "factor_type");
    if (strcmp(type, "phone") == 0)
        return gotrue_fail(err, 422, "mfa_phone_enroll_not_enabled",
                           "MFA enroll is disabled for Phone");
    if (strcmp(type, "webauthn") == 0)
        return gotrue_fail(err, 422, "mfa_webauthn_enroll_not_enabled",
                           "MFA enroll is disabled for WebAuthn");
    if (strcmp(type, "totp") != 0)
        return gotrue_fail(err, 400, "validation_failed",
                           "factor_type needs to be totp, phone, or webauthn");
    if (!gotrue_scenario(g)->mfa_totp_enroll_enabled)
        return gotrue_fail(err, 422, "mfa_totp_enroll_not_enabled",
                           "MFA enroll is disabled for TOTP");
    const char *name = str_field(r->body, "friendly_name");
    const char *issuer = str_field(r->body, "issuer");
    if (!*issuer)
        issuer = MFA_DEFAULT_ISSUER;
    if (validate_factors(g, c, who, name, err) < 0)
        return -1;
    gotrue_mfa_t *m = gotrue_mfa(g);
    if (m->factor_count >= MFA_MAX_FACTORS)
        return fail_500(g, err, "Database error creating factor");
    /* totp.Generate: 20 random bytes, base32 without padding; the key URL
     * otpauth://totp/ISSUER:ACCOUNT?algorithm=SHA1&digits=6&issuer=..&period=30&secret=.. */
    unsigned char raw[TOTP_SECRET_SIZE];
    prng_fill(gotrue_prng(g), raw, sizeof raw);
    mfa_factor_t f;
    memset(&f, 0, sizeof f);
    prng_uuid(gotrue_prng(g), f.id);
    snprintf(f.user_id, sizeof f.user_id, "%s", gotrue_user_id(g, who->user));
    totp_base32(raw, sizeof raw, f.secret);
    f.created_us = f.updated_us = c->now_us;
    f.last_challenged_us = NO_TIME;
    buf_t uri;
    buf_init(&uri);
    buf_puts(&uri, "otpauth://totp/");
    buf_t label;
    buf_init(&label);
    buf_puts(&label, issuer);
    buf_putc(&label, ':');
    buf_puts(&label, gotrue_user_email(g, who->user));
    url_escape(&uri, buf_cstr(&label), true);
    buf_dispose(&label);
    buf_puts(&uri, "?algorithm=SHA1&digits=6&issuer=");
    url_escape(&uri, issuer, false);
    buf_puts(&uri, "&period=30&secret=");
    buf_puts(&uri, f.secret);
    char *svg = qr_svg(buf_cstr(&uri));
    if (!svg) {
        /* enrollTOTPFactor ignores qr.Encode's error ("too much data to
         * encode"); goqrsvg then dereferences the nil code and the panic
         * becomes recoverer's 500, an HTTPError without a code (errors.go). */
        buf_dispose(&uri);
        fail_500(g, err, "Internal Server Error");
        err->no_code_header = true;
        return -1;
    }
    f.friendly_name = xstrdup(name);
    if (m->factor_count == m->factor_cap) {
        m->factor_cap = m->factor_cap ? m->factor_cap * 2 : 8;
        m->factors = xrealloc(m->factors, m->factor_cap * sizeof *m->factors);
    }
    m->factors[m->factor_count++] = f;
    /* EnrollFactorResponse {id, type, friendly_name, totp {qr_code, secret, uri}}. */
    buf_puts(out, "{\"id\":");
    gotrue_put_go_string(out, f.id);
    buf_puts(out, ",\"type\":\"totp\",\"friendly_name\":");
    gotrue_put_go_string(out, f.friendly_name);
    buf_puts(out, ",\"totp\":{\"qr_code\":");
    gotrue_put_go_string(out, svg);
    buf_puts(out, ",\"secret\":");
    gotrue_put_go_string(out, f.secret);
    buf_puts(out, ",\"uri\":");
    gotrue_put_go_string(out, buf_cstr(&uri));
    buf_puts(out, "}}");
    free(svg);
    buf_dispose(&uri);
    return 0;
}

/* ---- challenge and verify ---- */

int gotrue_mfa_challenge(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                         const char *factor_id, const gotrue_mfa_req_t *r, buf_t *out,
                         gotrue_error_t *err)
{
    if (not_anonymous(who, err) < 0)
        return -1;
    gotrue_mfa_t *m = gotrue_mfa(g);
    long fi = load_factor(m, gotrue_user_id(g, who->user), factor_id, err);
    if (fi < 0)
        return -1;
    /* ChallengeFactor's switch on the factor type. */
    if (!gotrue_scenario(g)->mfa_totp_verify_enabled)
        return gotrue_fail(err, 422, "mfa_totp_verify_not_enabled",
                           "MFA verification is disabled for TOTP");
    if (m->challenge_count >= MFA_MAX_CHALLENGES) {
        /* Expired challenges can never verify: make room by dropping them
         * before refusing. */
        size_t k = 0;
        for (size_t i = 0; i < m->challenge_count; i++)
            if (m->challenges[i].created_us + (int64_t)MFA_CHALLENGE_EXPIRY_S * 1000000 >=
                c->now_us)
                m->challenges[k++] = m->challenges[i];
        m->challenge_count = k;
        if (k >= MFA_MAX_CHALLENGES)
            return fail_500(g, err, "Database error creating challenge");
    }
    /* challengeTOTPFactor: CreateChallenge and WriteChallengeToDatabase
     * (last_challenged_at = now). */
    if (m->challenge_count == m->challenge_cap) {
        m->challenge_cap = m->challenge_cap ? m->challenge_cap * 2 : 8;
        m->challenges = xrealloc(m->challenges, m->challenge_cap * sizeof *m->challenges);
    }
    mfa_challenge_t *ch = &m->challenges[m->challenge_count++];
    memset(ch, 0, sizeof *ch);
    prng_uuid(gotrue_prng(g), ch->id);
    snprintf(ch->factor_id, sizeof ch->factor_id, "%s", m->factors[fi].id);
    snprintf(ch->ip, sizeof ch->ip, "%s", r->ip ? r->ip : "");
    ch->created_us = c->now_us;
    ch->verified_us = NO_TIME;
    m->factors[fi].last_challenged_us = c->now_us;
    /* ChallengeFactorResponse {id, type, expires_at}. */
    buf_puts(out, "{\"id\":");
    gotrue_put_go_string(out, ch->id);
    buf_puts(out, ",\"type\":\"totp\",\"expires_at\":");
    buf_put_int(out, unix_s(ch->created_us) + MFA_CHALLENGE_EXPIRY_S);
    buf_putc(out, '}');
    return 0;
}

int gotrue_mfa_verify(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                      const char *factor_id, const gotrue_mfa_req_t *r, buf_t *out,
                      gotrue_error_t *err)
{
    if (not_anonymous(who, err) < 0)
        return -1;
    gotrue_mfa_t *m = gotrue_mfa(g);
    long fi = load_factor(m, gotrue_user_id(g, who->user), factor_id, err);
    if (fi < 0)
        return -1;
    const cJSON *cid = r->body ? cJSON_GetObjectItemCaseSensitive(r->body, "challenge_id") : NULL;
    if (cid && !cJSON_IsNull(cid) && !cJSON_IsString(cid))
        return gotrue_fail(
            err, 400, "bad_json",
            "Could not parse request body as JSON: json: cannot unmarshal %s into Go "
            "struct field VerifyFactorParams.challenge_id of type uuid.UUID",
            cJSON_IsNumber(cid)  ? "number"
            : cJSON_IsBool(cid)  ? "bool"
            : cJSON_IsArray(cid) ? "array"
                                 : "object");
    if (cJSON_IsString(cid) && *cid->valuestring && strlen(cid->valuestring) != 36 &&
        strlen(cid->valuestring) != 32 && strlen(cid->valuestring) != 38 &&
        strlen(cid->valuestring) != 41 && strlen(cid->valuestring) != 45)
        /* gofrs/uuid UnmarshalText. */
        return gotrue_fail(
            err, 400, "bad_json",
            "Could not parse request body as JSON: uuid: incorrect UUID length %zu in "
            "string \"%.64s\"",
            strlen(cid->valuestring), cid->valuestring);
    const char *code = str_field(r->body, "code");
    if (!*code)
        return gotrue_fail(err, 400, "validation_failed", "Code needs to be non-empty");
    /* VerifyFactor's switch on the factor type. */
    if (!gotrue_scenario(g)->mfa_totp_verify_enabled)
        return gotrue_fail(err, 422, "mfa_totp_verify_not_enabled",
                           "MFA verification is disabled for TOTP");
    /* validateChallenge. */
    long ci = -1;
    for (size_t i = 0; cJSON_IsString(cid) && i < m->challenge_count; i++)
        if (strcasecmp(m->challenges[i].id, cid->valuestring) == 0 &&
            strcmp(m->challenges[i].factor_id, m->factors[fi].id) == 0)
            ci = (long)i;
    if (ci < 0)
        return gotrue_fail(err, 422, "mfa_factor_not_found",
                           "MFA factor with the provided challenge ID not found");
    mfa_challenge_t *ch = &m->challenges[ci];
    if (ch->verified_us != NO_TIME || strcmp(ch->ip, r->ip ? r->ip : "") != 0)
        return gotrue_fail(err, 422, "mfa_ip_address_mismatch",
                           "Challenge and verify IP addresses mismatch.");
    if (c->now_us > ch->created_us + (int64_t)MFA_CHALLENGE_EXPIRY_S * 1000000) {
        char id[40];
        snprintf(id, sizeof id, "%s", ch->id);
        memmove(ch, ch + 1, (m->challenge_count - (size_t)ci - 1) * sizeof *ch);
        m->challenge_count--;
        return gotrue_fail(
            err, 422, "mfa_challenge_expired",
            "MFA challenge %s has expired, verify against another challenge or create a "
            "new challenge.",
            id);
    }
    if (!totp_validate(code, m->factors[fi].secret, unix_s(c->now_us)))
        return gotrue_fail(err, 422, "mfa_verification_failed", "Invalid TOTP code entered");
    ch->verified_us = c->now_us;
    mfa_factor_t *f = &m->factors[fi];
    if (!f->verified) {
        f->verified = true;
        f->updated_us = c->now_us;
    }
    char fid[40];
    snprintf(fid, sizeof fid, "%s", f->id);
    if (gotrue_session_step_up(g, c, who, "totp", fid, out, err) < 0)
        return -1;
    /* models.DeleteUnverifiedFactors(tx, user, "totp"). */
    const char *uid = gotrue_user_id(g, who->user);
    for (size_t i = m->factor_count; i-- > 0;)
        if (!m->factors[i].verified && strcasecmp(m->factors[i].user_id, uid) == 0)
            drop_factor(m, i);
    return 0;
}

int gotrue_mfa_unenroll(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                        const char *factor_id, buf_t *out, gotrue_error_t *err)
{
    (void)c;
    if (not_anonymous(who, err) < 0)
        return -1;
    gotrue_mfa_t *m = gotrue_mfa(g);
    long fi = load_factor(m, gotrue_user_id(g, who->user), factor_id, err);
    if (fi < 0)
        return -1;
    if (who->session < 0)
        return fail_500(g, err, "A valid session and factor are required to unenroll a factor");
    if (m->factors[fi].verified && !gotrue_session_is_aal2(g, who->session))
        return gotrue_fail(err, 422, "insufficient_aal",
                           "AAL2 required to unenroll verified factor");
    char fid[40];
    snprintf(fid, sizeof fid, "%s", m->factors[fi].id);
    drop_factor(m, (size_t)fi);
    gotrue_sessions_downgrade(g, who->user, fid, "totp");
    /* UnenrollFactorResponse {id}. */
    buf_puts(out, "{\"id\":");
    gotrue_put_go_string(out, fid);
    buf_putc(out, '}');
    return 0;
}

/* ---- admin ---- */

int gotrue_mfa_admin_list(gotrue_t *g, const char *user_id, buf_t *out, gotrue_error_t *err)
{
    long u = gotrue_admin_load_user(g, user_id, err);
    if (u < 0)
        return -1;
    factors_array(gotrue_mfa(g), gotrue_user_id(g, u), out);
    return 0;
}

int gotrue_mfa_admin_update(gotrue_t *g, const gotrue_ctx_t *c, const char *user_id,
                            const char *factor_id, const cJSON *body, buf_t *out,
                            gotrue_error_t *err)
{
    long u = gotrue_admin_load_user(g, user_id, err);
    if (u < 0)
        return -1;
    gotrue_mfa_t *m = gotrue_mfa(g);
    long fi = load_factor(m, gotrue_user_id(g, u), factor_id, err);
    if (fi < 0)
        return -1;
    /* adminUserUpdateFactor: a non-empty friendly_name replaces the old one
     * (UpdateFriendlyName touches updated_at). */
    const char *name = str_field(body, "friendly_name");
    if (*name) {
        free(m->factors[fi].friendly_name);
        m->factors[fi].friendly_name = xstrdup(name);
        m->factors[fi].updated_us = c->now_us;
    }
    factor_json(&m->factors[fi], out);
    return 0;
}

int gotrue_mfa_admin_delete(gotrue_t *g, const char *user_id, const char *factor_id, buf_t *out,
                            gotrue_error_t *err)
{
    long u = gotrue_admin_load_user(g, user_id, err);
    if (u < 0)
        return -1;
    gotrue_mfa_t *m = gotrue_mfa(g);
    long fi = load_factor(m, gotrue_user_id(g, u), factor_id, err);
    if (fi < 0)
        return -1;
    /* adminUserDeleteFactor answers with the factor as it was. */
    factor_json(&m->factors[fi], out);
    char fid[40];
    snprintf(fid, sizeof fid, "%s", m->factors[fi].id);
    drop_factor(m, (size_t)fi);
    gotrue_sessions_downgrade(g, u, fid, "totp");
    return 0;
}
