/* GoTrue's email and phone flows over gotrue.c's users; see auth_mail.h.
 * Times are the scenario clock; codes and auth codes come from the
 * instance's PRNG, so --seed fixes them. */
#include "auth_mail.h"

#include "auth_pkce.h"
#include "auth_redirect.h"
#include "caps.h"
#include "gotrue_flows.h"
#include "gotrue_mfa.h"
#include "inbox.h"
#include "xalloc.h"

#include <openssl/evp.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NO_TIME INT64_MIN
#define SEC     1000000LL

/* GoTrue's settings (internal/conf/configuration.go defaults, and the
 * Supabase CLI's config.toml where it sets them):
 * - GOTRUE_MAILER_OTP_EXP: the CLI's auth.email.otp_expiry, 3600 s;
 * - GOTRUE_SMS_OTP_EXP: GoTrue's default, 60 s;
 * - GOTRUE_SMTP_MAX_FREQUENCY and GOTRUE_SMS_MAX_FREQUENCY: 1 minute;
 * - GOTRUE_RATE_LIMIT_EMAIL_SENT and _SMS_SENT: 30 per hour (an interval
 *   limiter, internal/ratelimit/interval.go), counted only when confirmations
 *   are on (sendEmail: `if !config.Mailer.Autoconfirm`);
 * - (flow states: auth_pkce.c);
 * - GOTRUE_MAILER_SECURE_EMAIL_CHANGE_ENABLED: true (the CLI's
 *   auth.email.double_confirm_changes);
 * - GOTRUE_MAILER_OTP_LENGTH and GOTRUE_SMS_OTP_LENGTH: 6. */
#define MAIL_OTP_EXP_S       3600
#define SMS_OTP_EXP_S        60
#define MAX_FREQUENCY_S      60
#define EMAIL_SENT_PER_HOUR  30
#define SMS_SENT_PER_HOUR    30
#define REAUTH_SESSION_AGE_S (24 * 3600)
#define DEFAULT_SITE_URL     "http://127.0.0.1:3000"
#define PKCE_PREFIX          "pkce_"

/* errors.go DuplicateEmailMsg. */
#define DUPLICATE_EMAIL_MSG "A user with this email address has already been registered"

/* models.User's token columns for one user. Token hashes carry the "pkce_"
 * prefix in PKCE flows (addFlowPrefixToToken); "" is none. */
typedef struct mail_user {
    char confirmation[72];
    int64_t confirmation_sent;
    char recovery[72];
    int64_t recovery_sent;
    char ec_current[72], ec_new[72];
    char email_change[256];
    int64_t ec_sent;
    int ec_status; /* zeroConfirmation / singleConfirmation */
    char phone_change_token[72];
    char phone_change[32];
    int64_t pc_sent;
    char reauth[72];
    int64_t reauth_sent;
    bool invited;
} mail_user_t;

typedef struct limiter {
    bool started;
    int64_t last_us;
    int count;
} limiter_t;

struct auth_mail {
    mail_user_t *users; /* by user index, grown on demand */
    size_t user_cap;
    auth_pkce_t *pkce; /* PKCE flow states */
    limiter_t email, sms;
};

auth_mail_t *auth_mail_new(void)
{
    auth_mail_t *m = xcalloc(1, sizeof *m);
    m->pkce = auth_pkce_new();
    return m;
}

void auth_mail_free(auth_mail_t *m)
{
    if (!m)
        return;
    free(m->users);
    auth_pkce_free(m->pkce);
    free(m);
}

static mail_user_t *mu(gotrue_t *g, long u)
{
    auth_mail_t *m = gotrue_mail(g);
    if ((size_t)u >= m->user_cap) {
        size_t cap = m->user_cap ? m->user_cap : 16;
        while (cap <= (size_t)u)
            cap *= 2;
        m->users = xrealloc(m->users, cap * sizeof *m->users);
        for (size_t i = m->user_cap; i < cap; i++) {
            memset(&m->users[i], 0, sizeof m->users[i]);
            m->users[i].confirmation_sent = m->users[i].recovery_sent = NO_TIME;
            m->users[i].ec_sent = m->users[i].pc_sent = m->users[i].reauth_sent = NO_TIME;
        }
        m->user_cap = cap;
    }
    return &m->users[u];
}

/* ---- small helpers ---- */

/* errors.go handleResponseErrorDefault: an error that is no HTTPError. */
static int unexpected(gotrue_error_t *err)
{
    return gotrue_fail(err, 500, "unexpected_failure",
                       "Unexpected failure, please check server logs for more information");
}

static const char *str_field(const cJSON *body, const char *name)
{
    const cJSON *v = body ? cJSON_GetObjectItemCaseSensitive(body, name) : NULL;
    return cJSON_IsString(v) ? v->valuestring : "";
}

static bool confirmations_on(gotrue_t *g)
{
    /* GOTRUE_MAILER_AUTOCONFIRM and GOTRUE_SMS_AUTOCONFIRM are the CLI's
     * auth.email.enable_confirmations negated; the scenario's confirm_email. */
    return gotrue_scenario(g)->confirm_email;
}

/* crypto.GenerateOtp(6): a uniform number below 10^6, zero-padded. */
static void gen_otp(gotrue_t *g, char out[8])
{
    snprintf(out, 8, "%06u", (unsigned)(prng_next(gotrue_prng(g)) % 1000000u));
}

static void hex_digest(const EVP_MD *md, const char *a, const char *b, char *out, size_t out_len)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, md, NULL);
    EVP_DigestUpdate(ctx, a, strlen(a));
    EVP_DigestUpdate(ctx, b, strlen(b));
    EVP_DigestFinal_ex(ctx, d, &n);
    EVP_MD_CTX_free(ctx);
    size_t k = 0;
    for (unsigned int i = 0; i < n && k + 2 < out_len; i++, k += 2)
        snprintf(out + k, 3, "%02x", d[i]);
    out[k] = '\0';
}

/* crypto.GenerateTokenHash: sha224 hex of address and code. */
static void token_hash(const char *addr, const char *otp, bool pkce, char out[72])
{
    char h[64];
    hex_digest(EVP_sha224(), addr, otp, h, sizeof h);
    snprintf(out, 72, "%s%s", pkce ? PKCE_PREFIX : "", h);
}

/* isOtpValid: unexpired, and the hash equal to the stored one, with or
 * without the pkce_ prefix. */
static bool otp_valid(const char *actual, const char *expected, int64_t sent_us, int64_t now_us,
                      int exp_s)
{
    if (!*expected || sent_us == NO_TIME)
        return false;
    if (now_us > sent_us + exp_s * SEC)
        return false;
    return strcmp(actual, expected) == 0 ||
           (strncmp(expected, PKCE_PREFIX, 5) == 0 && strcmp(expected + 5, actual) == 0);
}

/* validateEmail (mail.go): lower-cased into out (256 bytes). */
static int validate_email(const char *email, char out[256], gotrue_error_t *err)
{
    if (!*email)
        return gotrue_fail(err, 400, "validation_failed", "An email address is required");
    if (strlen(email) > 255)
        return gotrue_fail(err, 400, "validation_failed", "An email address is too long");
    /* checkmail.ValidateFormat, in the small: local@domain.tld with no
     * spaces; its error text is "invalid format". */
    const char *at = strchr(email, '@');
    if (!at || at == email || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.' ||
        email[strlen(email) - 1] == '.' || strpbrk(email, " \t\r\n"))
        return gotrue_fail(err, 400, "validation_failed",
                           "Unable to validate email address: invalid format");
    size_t i = 0;
    for (; email[i]; i++)
        out[i] = (char)(email[i] >= 'A' && email[i] <= 'Z' ? email[i] + 32 : email[i]);
    out[i] = '\0';
    return 0;
}

/* validatePhone (phone.go): '+' and spaces removed, then ^[1-9]\d{1,14}$. */
static int validate_phone(const char *phone, char out[32], gotrue_error_t *err)
{
    size_t k = 0;
    bool ok = true;
    for (const char *p = phone; *p; p++) {
        if (*p == '+' || *p == ' ')
            continue;
        if (k >= 31 || *p < '0' || *p > '9') {
            ok = false;
            break;
        }
        out[k++] = *p;
    }
    out[k] = '\0';
    if (!ok || k < 2 || k > 15 || out[0] == '0')
        return gotrue_fail(err, 400, "validation_failed",
                           "Invalid phone number format (E.164 required)");
    return 0;
}

/* generateFlowState for a request with a code_challenge (nothing without). */
static int new_flow_state(gotrue_t *g, const gotrue_ctx_t *c, long u, const char *method,
                          const cJSON *body, gotrue_error_t *err)
{
    return auth_pkce_new_flow(gotrue_mail(g)->pkce, gotrue_prng(g), u, method,
                              str_field(body, "code_challenge"),
                              str_field(body, "code_challenge_method"), c->now_us, err);
}

static bool pkce_flow(const cJSON *body)
{
    return *str_field(body, "code_challenge") != '\0';
}

/* ---- sending ---- */

/* interval.go allowAt: the window starts when the server starts and moves on
 * by whole hours. */
static bool limiter_allow(limiter_t *l, int64_t start_us, int64_t now_us, int events, bool take)
{
    if (!l->started) {
        l->started = true;
        l->last_us = start_us;
    }
    int64_t hour = 3600 * SEC;
    int64_t since = now_us - l->last_us;
    if (since >= hour) {
        l->last_us += (since / hour) * hour;
        l->count = 0;
    }
    if (l->count < events) {
        if (take)
            l->count++;
        return true;
    }
    return false;
}

/* validateSentWithinFrequencyLimit / generateFrequencyLimitErrorMessage:
 * whole seconds left, truncated. */
static int email_frequency(int64_t sent_us, int64_t now_us, gotrue_error_t *err)
{
    if (sent_us != NO_TIME && sent_us + MAX_FREQUENCY_S * SEC > now_us)
        return gotrue_fail(err, 429, "over_email_send_rate_limit",
                           "For security purposes, you can only request this after %lld seconds.",
                           (long long)((sent_us + MAX_FREQUENCY_S * SEC - now_us) / SEC));
    return 0;
}

/* sendEmail's limiter: "email rate limit exceeded" once the hour's sends are
 * spent (only with confirmations on). */
static int email_limit(gotrue_t *g, const gotrue_ctx_t *c, bool take, gotrue_error_t *err)
{
    if (!confirmations_on(g))
        return 0;
    if (!limiter_allow(&gotrue_mail(g)->email, gotrue_started_us(g), c->now_us, EMAIL_SENT_PER_HOUR,
                       take))
        return gotrue_fail(err, 429, "over_email_send_rate_limit", "email rate limit exceeded");
    return 0;
}

static void mail_out(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e, const char *to,
                     const char *kind, const char *subject, const char *otp, const char *token,
                     const char *link_type)
{
    char *link = link_type ? auth_redirect_link(e->base_url, e->referrer, token, link_type) : NULL;
    inbox_message_t m = {.channel = "email",
                         .to = to,
                         .kind = kind,
                         .subject = subject,
                         .link = link,
                         .otp = otp,
                         .token_hash = token,
                         .redirect_to = link_type ? e->referrer : NULL};
    inbox_add(gotrue_inbox(g), &m, c->now_us);
    free(link);
}

static void email_change_fields(gotrue_t *g, long u, const char *new_email, int64_t now_us)
{
    gotrue_flow_fields_t *ff = gotrue_user_flow(g, u);
    ff->has_email_change_sent = true;
    ff->email_change_sent_us = now_us;
    snprintf(ff->new_email, sizeof ff->new_email, "%s", new_email);
}

/* sendConfirmation: the signup mail (templatemailer ConfirmationMail). */
static int send_confirmation(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e, long u,
                             bool pkce, gotrue_error_t *err)
{
    mail_user_t *x = mu(g, u);
    if (email_frequency(x->confirmation_sent, c->now_us, err) < 0 ||
        email_limit(g, c, true, err) < 0)
        return -1;
    char otp[8];
    gen_otp(g, otp);
    const char *email = gotrue_user_email(g, u);
    token_hash(email, otp, pkce, x->confirmation);
    mail_out(g, c, e, email, "signup", "Confirm your email address", otp, x->confirmation,
             "signup");
    x->confirmation_sent = c->now_us;
    gotrue_set_confirmation_sent(g, u, c->now_us);
    return 0;
}

/* sendInvite: no frequency check. */
static int send_invite(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e, long u,
                       gotrue_error_t *err)
{
    mail_user_t *x = mu(g, u);
    if (email_limit(g, c, true, err) < 0)
        return -1;
    char otp[8];
    gen_otp(g, otp);
    const char *email = gotrue_user_email(g, u);
    token_hash(email, otp, false, x->confirmation);
    mail_out(g, c, e, email, "invite", "You've been invited", otp, x->confirmation, "invite");
    x->confirmation_sent = c->now_us;
    x->invited = true;
    gotrue_user_flow(g, u)->has_invited = true;
    gotrue_user_flow(g, u)->invited_us = c->now_us;
    gotrue_set_confirmation_sent(g, u, c->now_us);
    return 0;
}

/* sendPasswordRecovery and sendMagicLink share the recovery token. */
static int send_recovery(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e, long u,
                         bool pkce, bool magiclink, gotrue_error_t *err)
{
    mail_user_t *x = mu(g, u);
    if (email_frequency(x->recovery_sent, c->now_us, err) < 0 || email_limit(g, c, true, err) < 0)
        return -1;
    char otp[8];
    gen_otp(g, otp);
    const char *email = gotrue_user_email(g, u);
    token_hash(email, otp, pkce, x->recovery);
    if (magiclink)
        mail_out(g, c, e, email, "magiclink", "Your sign-in link", otp, x->recovery, "magiclink");
    else
        mail_out(g, c, e, email, "recovery", "Reset your password", otp, x->recovery, "recovery");
    x->recovery_sent = c->now_us;
    gotrue_user_flow(g, u)->has_recovery_sent = true;
    gotrue_user_flow(g, u)->recovery_sent_us = c->now_us;
    return 0;
}

/* sendEmailChange: one mail to the new address and, with secure email
 * change, one to the current one (EmailChangeMail sends both with the
 * email_change template). */
static int send_email_change(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e, long u,
                             const char *new_email, bool pkce, gotrue_error_t *err)
{
    mail_user_t *x = mu(g, u);
    if (email_frequency(x->ec_sent, c->now_us, err) < 0 || email_limit(g, c, true, err) < 0)
        return -1;
    char otp_new[8], otp_cur[8] = "";
    gen_otp(g, otp_new);
    snprintf(x->email_change, sizeof x->email_change, "%s", new_email);
    token_hash(new_email, otp_new, pkce, x->ec_new);
    const char *cur = gotrue_user_email(g, u);
    x->ec_current[0] = '\0';
    if (cur && *cur) {
        gen_otp(g, otp_cur);
        token_hash(cur, otp_cur, pkce, x->ec_current);
    }
    x->ec_status = 0;
    mail_out(g, c, e, new_email, "email_change_new", "Confirm your new email address", otp_new,
             x->ec_new, "email_change");
    if (cur && *cur)
        mail_out(g, c, e, cur, "email_change_current", "Confirm your new email address", otp_cur,
                 x->ec_current, "email_change");
    x->ec_sent = c->now_us;
    email_change_fields(g, u, new_email, c->now_us);
    return 0;
}

/* sendReauthenticationOtp: a code only (ReauthenticateMail has no link). */
static int send_reauth_email(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e, long u,
                             gotrue_error_t *err)
{
    mail_user_t *x = mu(g, u);
    if (email_frequency(x->reauth_sent, c->now_us, err) < 0 || email_limit(g, c, true, err) < 0)
        return -1;
    char otp[8];
    gen_otp(g, otp);
    const char *email = gotrue_user_email(g, u);
    token_hash(email, otp, false, x->reauth);
    char subject[64];
    snprintf(subject, sizeof subject, "%s is your verification code", otp);
    mail_out(g, c, e, email, "reauthentication", subject, otp, x->reauth, NULL);
    x->reauth_sent = c->now_us;
    gotrue_user_flow(g, u)->has_reauth_sent = true;
    gotrue_user_flow(g, u)->reauth_sent_us = c->now_us;
    return 0;
}

typedef enum { PHONE_CONFIRMATION, PHONE_CHANGE, PHONE_REAUTH } phone_otp_t;

/* phone.go sendPhoneConfirmation with the default template "Your code is
 * {{ .Code }}". *message_id: the inbox id, standing in for the SMS
 * provider's message id. */
static int send_phone(gotrue_t *g, const gotrue_ctx_t *c, long u, const char *phone,
                      phone_otp_t type, char message_id[24], gotrue_error_t *err)
{
    mail_user_t *x = mu(g, u);
    int64_t *sent = type == PHONE_CHANGE   ? &x->pc_sent
                    : type == PHONE_REAUTH ? &x->reauth_sent
                                           : &x->confirmation_sent;
    if (*sent != NO_TIME && !(*sent + MAX_FREQUENCY_S * SEC < c->now_us))
        return gotrue_fail(err, 429, "over_sms_send_rate_limit",
                           "For security purposes, you can only request this after %lld seconds.",
                           (long long)((*sent + MAX_FREQUENCY_S * SEC - c->now_us) / SEC));
    if (confirmations_on(g) && !limiter_allow(&gotrue_mail(g)->sms, gotrue_started_us(g), c->now_us,
                                              SMS_SENT_PER_HOUR, true))
        return gotrue_fail(err, 429, "over_sms_send_rate_limit", "SMS rate limit exceeded");
    char otp[8];
    gen_otp(g, otp);
    char *token = type == PHONE_CHANGE   ? x->phone_change_token
                  : type == PHONE_REAUTH ? x->reauth
                                         : x->confirmation;
    token_hash(phone, otp, false, token);
    if (type == PHONE_CHANGE)
        snprintf(x->phone_change, sizeof x->phone_change, "%s", phone);
    char text[64];
    snprintf(text, sizeof text, "Your code is %s", otp);
    inbox_message_t m = {.channel = "sms",
                         .to = phone,
                         .kind = type == PHONE_CHANGE   ? "phone_change"
                                 : type == PHONE_REAUTH ? "reauthentication"
                                                        : "sms",
                         .body = text,
                         .otp = otp,
                         .token_hash = token};
    uint64_t id = inbox_add(gotrue_inbox(g), &m, c->now_us);
    snprintf(message_id, 24, "%llu", (unsigned long long)id);
    *sent = c->now_us;
    gotrue_flow_fields_t *ff = gotrue_user_flow(g, u);
    if (type == PHONE_CHANGE) {
        ff->has_phone_change_sent = true;
        ff->phone_change_sent_us = c->now_us;
        snprintf(ff->new_phone, sizeof ff->new_phone, "%s", phone);
    } else if (type == PHONE_REAUTH) {
        ff->has_reauth_sent = true;
        ff->reauth_sent_us = c->now_us;
    }
    if (type == PHONE_CONFIRMATION)
        gotrue_set_confirmation_sent(g, u, c->now_us);
    return 0;
}

/* ---- /otp, /magiclink, /recover, /resend ---- */

/* sendJSON(w, 200, map[string]string{}). */
static int empty_object(buf_t *out)
{
    buf_puts(out, "{}");
    return 0;
}

/* A password nobody knows, as GoTrue gives users created by /otp. */
static void random_password(gotrue_t *g, char out[40])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (int i = 0; i < 33; i++)
        out[i] = alphabet[prng_next(gotrue_prng(g)) % 62];
    out[33] = '\0';
}

static int magic_link(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                      const cJSON *body, buf_t *out, gotrue_error_t *err)
{
    /* magic_link.go MagicLinkParams.Validate. */
    const char *raw = str_field(body, "email");
    if (!*raw)
        return gotrue_fail(err, 422, "validation_failed", "Password recovery requires an email");
    char email[256];
    if (validate_email(raw, email, err) < 0)
        return -1;
    if (auth_pkce_validate(str_field(body, "code_challenge_method"),
                           str_field(body, "code_challenge"), err) < 0)
        return -1;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(body, "data");
    long u = gotrue_lookup_email(g, email);
    bool pkce = pkce_flow(body);
    if (u < 0 || !gotrue_user_email_confirmed(g, u)) {
        /* isNewUser: through Signup with a random password. With autoconfirm
         * the user is confirmed and gets the magic link; otherwise the
         * confirmation mail goes out and the answer is {}. */
        if (u < 0) {
            char pw[40];
            random_password(g, pw);
            u = gotrue_create(g, c, email, "", pw, cJSON_IsObject(data) ? data : NULL,
                              !confirmations_on(g), err);
            if (u < 0)
                return -1;
        } else if (!confirmations_on(g)) {
            gotrue_confirm_email(g, u, c->now_us);
        }
        if (confirmations_on(g)) {
            if (new_flow_state(g, c, u, "email/signup", body, err) < 0 ||
                send_confirmation(g, c, e, u, pkce, err) < 0)
                return -1;
            return empty_object(out);
        }
    }
    if (pkce && new_flow_state(g, c, u, "magiclink", body, err) < 0)
        return -1;
    if (send_recovery(g, c, e, u, pkce, true, err) < 0)
        return -1;
    return empty_object(out);
}

int auth_mail_magiclink(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                        const cJSON *body, buf_t *out, gotrue_error_t *err)
{
    return magic_link(g, c, e, body, out, err);
}

static int sms_otp(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                   gotrue_error_t *err)
{
    /* otp.go SmsOtp: channel defaults to sms; whatsapp needs Twilio. */
    const char *channel = str_field(body, "channel");
    char phone[32];
    if (validate_phone(str_field(body, "phone"), phone, err) < 0)
        return -1;
    if (*channel && strcmp(channel, "sms") != 0)
        return gotrue_fail(
            err, 400, "validation_failed",
            "Invalid channel, supported values are 'sms' or 'whatsapp'. 'whatsapp' is "
            "only supported if Twilio or Twilio Verify is used as the provider.");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(body, "data");
    long u = gotrue_lookup_phone(g, phone);
    char mid[24];
    if (u < 0 || !gotrue_user_phone_confirmed(g, u)) {
        if (u < 0) {
            char pw[40];
            random_password(g, pw);
            u = gotrue_create(g, c, "", phone, pw, cJSON_IsObject(data) ? data : NULL,
                              !confirmations_on(g), err);
            if (u < 0)
                return -1;
        } else if (!confirmations_on(g)) {
            gotrue_confirm_phone(g, u, c->now_us);
        }
        if (confirmations_on(g)) {
            /* Signup sends the confirmation SMS; SmsOtp answers {}. */
            if (send_phone(g, c, u, phone, PHONE_CONFIRMATION, mid, err) < 0)
                return -1;
            return empty_object(out);
        }
    }
    if (send_phone(g, c, u, phone, PHONE_CONFIRMATION, mid, err) < 0)
        return -1;
    /* SmsOtpResponse{MessageID}. */
    buf_puts(out, "{\"message_id\":");
    gotrue_put_go_string(out, mid);
    buf_putc(out, '}');
    return 0;
}

int auth_mail_otp(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e, const cJSON *body,
                  buf_t *out, gotrue_error_t *err)
{
    /* otp.go OtpParams.Validate, then shouldCreateUser. */
    const char *email = str_field(body, "email");
    const char *phone = str_field(body, "phone");
    if (*email && *phone)
        return gotrue_fail(err, 400, "validation_failed",
                           "Only an email address or phone number should be provided");
    if (*email && *str_field(body, "channel"))
        return gotrue_fail(err, 400, "validation_failed",
                           "Channel should only be specified with Phone OTP");
    if (auth_pkce_validate(str_field(body, "code_challenge_method"),
                           str_field(body, "code_challenge"), err) < 0)
        return -1;
    const cJSON *cu = cJSON_GetObjectItemCaseSensitive(body, "create_user");
    if (cJSON_IsFalse(cu)) {
        long u = -1;
        if (*email) {
            char lower[256];
            if (validate_email(email, lower, err) < 0)
                return -1;
            u = gotrue_lookup_email(g, lower);
        } else if (*phone) {
            char p[32];
            if (validate_phone(phone, p, err) < 0)
                return -1;
            u = gotrue_lookup_phone(g, p);
        }
        if ((*email || *phone) && u < 0)
            return gotrue_fail(err, 422, "otp_disabled", "Signups not allowed for otp");
    }
    if (*email)
        return magic_link(g, c, e, body, out, err);
    if (*phone)
        return sms_otp(g, c, body, out, err);
    return gotrue_fail(err, 400, "validation_failed", "One of email or phone must be set");
}

int auth_mail_recover(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                      const cJSON *body, buf_t *out, gotrue_error_t *err)
{
    /* recover.go RecoverParams.Validate. */
    const char *raw = str_field(body, "email");
    if (!*raw)
        return gotrue_fail(err, 400, "validation_failed", "Password recovery requires an email");
    char email[256];
    if (validate_email(raw, email, err) < 0)
        return -1;
    if (auth_pkce_validate(str_field(body, "code_challenge_method"),
                           str_field(body, "code_challenge"), err) < 0)
        return -1;
    long u = gotrue_lookup_email(g, email);
    if (u < 0)
        return empty_object(out); /* no word on who is registered */
    bool pkce = pkce_flow(body);
    if (pkce && new_flow_state(g, c, u, "recovery", body, err) < 0)
        return -1;
    if (send_recovery(g, c, e, u, pkce, false, err) < 0)
        return -1;
    return empty_object(out);
}

int auth_mail_resend(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                     const cJSON *body, buf_t *out, gotrue_error_t *err)
{
    /* resend.go ResendConfirmationParams.Validate. */
    const char *type = str_field(body, "type");
    const char *raw_email = str_field(body, "email");
    const char *raw_phone = str_field(body, "phone");
    bool email_type = !strcmp(type, "signup") || !strcmp(type, "email_change");
    bool phone_type = !strcmp(type, "sms") || !strcmp(type, "phone_change");
    if (email_type) {
        if (auth_pkce_validate(str_field(body, "code_challenge_method"),
                               str_field(body, "code_challenge"), err) < 0)
            return -1;
    } else if (!phone_type) {
        return gotrue_fail(err, 400, "validation_failed",
                           "Missing one of these types: signup, email_change, sms, phone_change");
    }
    if (!*raw_email && !strcmp(type, "signup"))
        return gotrue_fail(err, 400, "validation_failed",
                           "Type provided requires an email address");
    if (!*raw_phone && !strcmp(type, "sms"))
        return gotrue_fail(err, 400, "validation_failed", "Type provided requires a phone number");
    char email[256] = "", phone[32] = "";
    if (*raw_email && *raw_phone)
        return gotrue_fail(err, 400, "validation_failed",
                           "Only an email address or phone number should be provided.");
    if (*raw_email) {
        if (validate_email(raw_email, email, err) < 0)
            return -1;
    } else if (*raw_phone) {
        if (validate_phone(raw_phone, phone, err) < 0)
            return -1;
    } else {
        return gotrue_fail(err, 400, "validation_failed", "Missing email address or phone number");
    }
    long u = *email ? gotrue_lookup_email(g, email) : gotrue_lookup_phone(g, phone);
    if (u < 0)
        return empty_object(out);
    mail_user_t *x = mu(g, u);
    char mid[24] = "";
    bool pkce = pkce_flow(body);
    if (!strcmp(type, "signup")) {
        if (gotrue_user_email_confirmed(g, u))
            return empty_object(out);
        if (pkce && new_flow_state(g, c, u, "email/signup", body, err) < 0)
            return -1;
        if (send_confirmation(g, c, e, u, pkce, err) < 0)
            return -1;
    } else if (!strcmp(type, "sms")) {
        if (gotrue_user_phone_confirmed(g, u))
            return empty_object(out);
        if (send_phone(g, c, u, phone, PHONE_CONFIRMATION, mid, err) < 0)
            return -1;
    } else if (!strcmp(type, "email_change")) {
        if (!x->email_change[0])
            return empty_object(out);
        if (pkce && new_flow_state(g, c, u, "email_change", body, err) < 0)
            return -1;
        char target[256];
        snprintf(target, sizeof target, "%s", x->email_change);
        if (send_email_change(g, c, e, u, target, pkce, err) < 0)
            return -1;
    } else {
        if (!x->phone_change[0])
            return empty_object(out);
        char target[32];
        snprintf(target, sizeof target, "%s", x->phone_change);
        if (send_phone(g, c, u, target, PHONE_CHANGE, mid, err) < 0)
            return -1;
    }
    if (!*mid)
        return empty_object(out);
    buf_puts(out, "{\"message_id\":");
    gotrue_put_go_string(out, mid);
    buf_putc(out, '}');
    return 0;
}

/* ---- /verify ---- */

typedef struct verify {
    char type[32];
    char token[160];
    char token_hash[160];
    char email[256];
    char phone[32];
    bool single_confirmation; /* emailChangeVerify accepted one of two links */
} verify_t;

/* verifyTokenHash: the user whose token column holds the hash. */
static long find_by_hash(gotrue_t *g, const gotrue_ctx_t *c, verify_t *v, gotrue_error_t *err)
{
    auth_mail_t *m = gotrue_mail(g);
    const char *h = v->token_hash;
    bool emailotp = !strcmp(v->type, "email");
    bool signup = !strcmp(v->type, "signup") || !strcmp(v->type, "invite");
    bool recovery = !strcmp(v->type, "recovery") || !strcmp(v->type, "magiclink");
    bool change = !strcmp(v->type, "email_change");
    if (!emailotp && !signup && !recovery && !change)
        return gotrue_fail(err, 400, "validation_failed", "Invalid email verification type");
    long found = -1;
    for (size_t i = 0; i < m->user_cap && found < 0; i++) {
        const mail_user_t *x = &m->users[i];
        if (((emailotp || signup) && x->confirmation[0] && !strcmp(x->confirmation, h)) ||
            ((emailotp || recovery) && x->recovery[0] && !strcmp(x->recovery, h)) ||
            (change && ((x->ec_current[0] && !strcmp(x->ec_current, h)) ||
                        (x->ec_new[0] && !strcmp(x->ec_new, h)))))
            found = (long)i;
    }
    if (found < 0 || gotrue_user_deleted(g, found))
        return gotrue_fail(err, 403, "otp_expired", "Email link is invalid or has expired");
    if (gotrue_user_banned(g, found, c->now_us))
        return gotrue_fail(err, 403, "user_banned", "User is banned");
    const mail_user_t *x = &m->users[found];
    int64_t sent = NO_TIME;
    if (emailotp) {
        sent = x->confirmation_sent;
        snprintf(v->type, sizeof v->type, "signup");
        if (!strcmp(x->recovery, h)) {
            sent = x->recovery_sent;
            snprintf(v->type, sizeof v->type, "magiclink");
        }
    } else if (signup) {
        sent = x->confirmation_sent;
    } else if (recovery) {
        sent = x->recovery_sent;
    } else {
        sent = x->ec_sent;
    }
    if (sent == NO_TIME || c->now_us > sent + MAIL_OTP_EXP_S * SEC)
        return gotrue_fail(err, 403, "otp_expired", "Email link is invalid or has expired");
    return found;
}

/* verifyUserAndToken: the address names the user, the code must match. */
static long find_by_token(gotrue_t *g, const gotrue_ctx_t *c, verify_t *v, gotrue_error_t *err)
{
    const char *h = v->token_hash;
    long u = -1;
    auth_mail_t *m = gotrue_mail(g);
    if (!strcmp(v->type, "phone_change")) {
        for (size_t i = 0; i < m->user_cap && u < 0; i++)
            if (m->users[i].phone_change[0] && !strcmp(m->users[i].phone_change, v->phone) &&
                !gotrue_user_deleted(g, (long)i))
                u = (long)i;
    } else if (!strcmp(v->type, "sms")) {
        u = gotrue_lookup_phone(g, v->phone);
    } else if (!strcmp(v->type, "email_change")) {
        /* FindUserForEmailChange: the current address with its token, or
         * the new address with its token. */
        for (size_t i = 0; i < m->user_cap && u < 0; i++) {
            const mail_user_t *x = &m->users[i];
            if (gotrue_user_deleted(g, (long)i))
                continue;
            const char *cur = gotrue_user_email(g, (long)i);
            if ((x->ec_current[0] && cur && !strcasecmp(cur, v->email) &&
                 otp_valid(h, x->ec_current, x->ec_sent, c->now_us, MAIL_OTP_EXP_S)) ||
                (x->ec_new[0] && !strcasecmp(x->email_change, v->email) &&
                 otp_valid(h, x->ec_new, x->ec_sent, c->now_us, MAIL_OTP_EXP_S)))
                u = (long)i;
        }
    } else {
        u = gotrue_lookup_email(g, v->email);
    }
    if (u < 0 || gotrue_user_deleted(g, u))
        return gotrue_fail(err, 403, "otp_expired", "Token has expired or is invalid");
    if (gotrue_user_banned(g, u, c->now_us))
        return gotrue_fail(err, 403, "user_banned", "User is banned");
    const mail_user_t *x = mu(g, u);
    bool ok = false;
    if (!strcmp(v->type, "email")) {
        if (otp_valid(h, x->confirmation, x->confirmation_sent, c->now_us, MAIL_OTP_EXP_S)) {
            ok = true;
            snprintf(v->type, sizeof v->type, "signup");
        } else if (otp_valid(h, x->recovery, x->recovery_sent, c->now_us, MAIL_OTP_EXP_S)) {
            ok = true;
            snprintf(v->type, sizeof v->type, "magiclink");
        }
    } else if (!strcmp(v->type, "signup") || !strcmp(v->type, "invite")) {
        ok = otp_valid(h, x->confirmation, x->confirmation_sent, c->now_us, MAIL_OTP_EXP_S);
    } else if (!strcmp(v->type, "recovery") || !strcmp(v->type, "magiclink")) {
        ok = otp_valid(h, x->recovery, x->recovery_sent, c->now_us, MAIL_OTP_EXP_S);
    } else if (!strcmp(v->type, "email_change")) {
        ok = otp_valid(h, x->ec_current, x->ec_sent, c->now_us, MAIL_OTP_EXP_S) ||
             otp_valid(h, x->ec_new, x->ec_sent, c->now_us, MAIL_OTP_EXP_S);
    } else if (!strcmp(v->type, "phone_change")) {
        ok = otp_valid(h, x->phone_change_token, x->pc_sent, c->now_us, SMS_OTP_EXP_S);
    } else if (!strcmp(v->type, "sms")) {
        ok = otp_valid(h, x->confirmation, x->confirmation_sent, c->now_us, SMS_OTP_EXP_S);
    }
    if (!ok)
        return gotrue_fail(err, 403, "otp_expired", "Token has expired or is invalid");
    return u;
}

/* What a verified token does to its user (signupVerify, recoverVerify,
 * emailChangeVerify, smsVerify). 0, or -1 with err. */
static int apply_verification(gotrue_t *g, const gotrue_ctx_t *c, verify_t *v, long u,
                              gotrue_error_t *err)
{
    mail_user_t *x = mu(g, u);
    const char *t = v->type;
    if (!strcmp(t, "signup") || !strcmp(t, "invite")) {
        x->confirmation[0] = '\0';
        gotrue_confirm_email(g, u, c->now_us);
    } else if (!strcmp(t, "recovery") || !strcmp(t, "magiclink")) {
        x->recovery[0] = '\0'; /* models.User Recover */
        if (!gotrue_user_email_confirmed(g, u))
            gotrue_confirm_email(g, u, c->now_us);
    } else if (!strcmp(t, "email_change")) {
        const char *cur = gotrue_user_email(g, u);
        if (confirmations_on(g) && x->ec_status == 0 && cur && *cur) {
            /* Secure email change: the first of the two confirmations. */
            x->ec_status = 1;
            if (otp_valid(v->token_hash, x->ec_current, x->ec_sent, c->now_us, MAIL_OTP_EXP_S) ||
                !strcmp(v->token_hash, x->ec_current))
                x->ec_current[0] = '\0';
            else
                x->ec_new[0] = '\0';
            v->single_confirmation = true;
            return 0;
        }
        if (!x->email_change[0])
            return gotrue_fail(err, 403, "otp_expired", "Email link is invalid or has expired");
        gotrue_change_email(g, u, x->email_change, c->now_us);
        /* ConfirmEmailChange clears the change. */
        x->email_change[0] = x->ec_current[0] = x->ec_new[0] = '\0';
        x->ec_status = 0;
        gotrue_user_flow(g, u)->new_email[0] = '\0';
    } else if (!strcmp(t, "sms")) {
        x->confirmation[0] = '\0';
        gotrue_confirm_phone(g, u, c->now_us);
    } else if (!strcmp(t, "phone_change")) {
        gotrue_change_phone(g, u, x->phone_change, c->now_us);
        x->phone_change[0] = x->phone_change_token[0] = '\0';
        gotrue_user_flow(g, u)->new_phone[0] = '\0';
    } else {
        return gotrue_fail(err, 400, "validation_failed", "Unsupported verification type");
    }
    (void)err;
    return 0;
}

int auth_mail_verify_post(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                          gotrue_error_t *err)
{
    /* verify.go VerifyParams.Validate (POST). */
    verify_t v;
    memset(&v, 0, sizeof v);
    const char *type = str_field(body, "type");
    const char *token = str_field(body, "token");
    const char *th = str_field(body, "token_hash");
    const char *email = str_field(body, "email");
    const char *phone = str_field(body, "phone");
    const char *redirect_to = str_field(body, "redirect_to");
    if (!*type)
        return gotrue_fail(err, 400, "validation_failed", "Verify requires a verification type");
    if ((!*token && !*th) || (*token && *th))
        return gotrue_fail(err, 400, "validation_failed",
                           "Verify requires either a token or a token hash");
    if (strlen(type) >= sizeof v.type || strlen(token) >= sizeof v.token ||
        strlen(th) >= sizeof v.token_hash)
        return gotrue_fail(err, 403, "otp_expired", "Token has expired or is invalid");
    snprintf(v.type, sizeof v.type, "%s", type);
    snprintf(v.token, sizeof v.token, "%s", token);
    if (*token) {
        if (*phone && !*email) {
            if (validate_phone(phone, v.phone, err) < 0)
                return -1;
            token_hash(v.phone, token, false, v.token_hash);
        } else if (!*phone && *email) {
            gotrue_error_t tmp;
            if (validate_email(email, v.email, &tmp) < 0)
                return gotrue_fail(err, 422, "validation_failed", "Invalid email format");
            token_hash(v.email, token, false, v.token_hash);
        } else {
            return gotrue_fail(
                err, 400, "validation_failed",
                "Only an email address or phone number should be provided on verify");
        }
    } else {
        if (*email || *phone || *redirect_to)
            return gotrue_fail(err, 400, "validation_failed",
                               "Only the token_hash and type should be provided");
        snprintf(v.token_hash, sizeof v.token_hash, "%s", th);
    }
    /* verifyPost: isUsingTokenHash, else verifyUserAndToken. */
    long u = *token ? find_by_token(g, c, &v, err) : find_by_hash(g, c, &v, err);
    if (u < 0)
        return -1;
    if (strcmp(v.type, "signup") && strcmp(v.type, "invite") && strcmp(v.type, "recovery") &&
        strcmp(v.type, "magiclink") && strcmp(v.type, "email_change") && strcmp(v.type, "sms") &&
        strcmp(v.type, "phone_change"))
        return gotrue_fail(err, 400, "validation_failed", "Unsupported verification type");
    if (apply_verification(g, c, &v, u, err) < 0)
        return -1;
    if (v.single_confirmation) {
        buf_puts(out, "{\"code\":\"200\",\"msg\":\"Confirmation link accepted. Please proceed to "
                      "confirm link sent to the other email\"}");
        return 0;
    }
    return gotrue_sign_in(g, c, u, "otp", out, err);
}

/* models.ParseAuthenticationMethod of a verification type. */
static const char *auth_method_of(const char *type)
{
    size_t n = strlen(type);
    if (n >= 6 && !strcmp(type + n - 6, "signup"))
        return "email/signup";
    if (!strcmp(type, "magiclink") || !strcmp(type, "recovery") || !strcmp(type, "invite") ||
        !strcmp(type, "email_change") || !strcmp(type, "otp"))
        return type;
    return NULL;
}

int auth_mail_verify_get(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                         const char *token, const char *type, char **location, gotrue_error_t *err)
{
    *location = NULL;
    token = token ? token : "";
    type = type ? type : "";
    if (!*type)
        return gotrue_fail(err, 400, "validation_failed", "Verify requires a verification type");
    if (!*token)
        return gotrue_fail(err, 400, "validation_failed",
                           "Verify requires a token or a token hash");
    verify_t v;
    memset(&v, 0, sizeof v);
    bool pkce = strncmp(token, PKCE_PREFIX, 5) == 0;
    const char *method = NULL;
    if (pkce) {
        method = auth_method_of(type);
        if (!method) {
            /* ParseAuthenticationMethod's plain error: a 500. */
            return unexpected(err);
        }
    }
    gotrue_error_t verr;
    memset(&verr, 0, sizeof verr);
    long u = -1;
    int rc = -1;
    if (strlen(type) >= sizeof v.type || strlen(token) >= sizeof v.token_hash) {
        gotrue_fail(&verr, 403, "otp_expired", "Email link is invalid or has expired");
    } else {
        snprintf(v.type, sizeof v.type, "%s", type);
        snprintf(v.token_hash, sizeof v.token_hash, "%s", token);
        u = find_by_hash(g, c, &v, &verr);
        if (u >= 0) {
            if (strcmp(v.type, "signup") && strcmp(v.type, "invite") &&
                strcmp(v.type, "recovery") && strcmp(v.type, "magiclink") &&
                strcmp(v.type, "email_change"))
                gotrue_fail(&verr, 400, "validation_failed", "Unsupported verification type");
            else
                rc = apply_verification(g, c, &v, u, &verr);
        }
    }
    if (rc == 0 && v.single_confirmation) {
        *location =
            auth_redirect_query(e->referrer, pkce ? "message" : NULL,
                                "Confirmation link accepted. Please proceed to confirm link "
                                "sent to the other email",
                                "message");
        return 0;
    }
    if (rc == 0 && pkce) {
        /* issueAuthCode: the user's latest flow state of this method. */
        const char *code = auth_pkce_issue_code(gotrue_mail(g)->pkce, u, method, c->now_us);
        if (!code) {
            rc = gotrue_fail(
                &verr, 400, "flow_state_not_found",
                "No associated flow state found. 422: No valid flow state found for user.");
        } else {
            *location = auth_redirect_query(e->referrer, "code", code, NULL);
            return 0;
        }
    }
    if (rc == 0) {
        buf_t s;
        buf_init(&s);
        rc = gotrue_sign_in(g, c, u, "otp", &s, &verr);
        if (rc == 0)
            *location = auth_redirect_session(e->referrer, buf_cstr(&s), type);
        buf_dispose(&s);
        if (rc == 0)
            return 0;
    }
    *location = auth_redirect_error(e->referrer, verr.status, verr.code, verr.message, pkce);
    return 0;
}

/* ---- /invite and /admin/generate_link ---- */

int auth_mail_invite(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                     const cJSON *body, buf_t *out, gotrue_error_t *err)
{
    /* invite.go Invite. */
    char email[256];
    if (validate_email(str_field(body, "email"), email, err) < 0)
        return -1;
    long u = gotrue_lookup_email(g, email);
    if (u >= 0 && gotrue_user_email_confirmed(g, u))
        return gotrue_fail(err, 422, "email_exists", DUPLICATE_EMAIL_MSG);
    if (email_limit(g, c, false, err) < 0)
        return -1;
    if (u < 0) {
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(body, "data");
        u = gotrue_create(g, c, email, "", "", cJSON_IsObject(data) ? data : NULL, false, err);
        if (u < 0)
            return -1;
    }
    if (send_invite(g, c, e, u, err) < 0)
        return -1;
    gotrue_user_json(g, u, out);
    return 0;
}

int auth_mail_generate_link(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                            const cJSON *body, buf_t *out, gotrue_error_t *err)
{
    /* mail.go adminGenerateLink: nothing is sent; the link and code are the
     * answer. */
    char email[256];
    if (validate_email(str_field(body, "email"), email, err) < 0)
        return -1;
    const char *redirect_to = str_field(body, "redirect_to");
    auth_mail_env_t env = *e;
    if (auth_redirect_ok(gotrue_scenario(g), redirect_to))
        env.referrer = redirect_to;
    char type[32];
    snprintf(type, sizeof type, "%s", str_field(body, "type"));
    const char *password = str_field(body, "password");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(body, "data");
    char pw[40];
    long u = gotrue_lookup_email(g, email);
    if (u < 0) {
        if (!strcmp(type, "magiclink")) {
            snprintf(type, sizeof type, "signup");
            random_password(g, pw);
            password = pw;
        } else if (!strcmp(type, "recovery") || !strcmp(type, "email_change_current") ||
                   !strcmp(type, "email_change_new")) {
            return gotrue_fail(err, 404, "user_not_found", "User with this email not found");
        }
    }
    char otp[8], hashed[72];
    gen_otp(g, otp);
    token_hash(email, otp, false, hashed);
    const char *link_token = hashed, *link_type = type;
    char ec_new[72];
    if (!strcmp(type, "magiclink") || !strcmp(type, "recovery")) {
        mail_user_t *x = mu(g, u);
        snprintf(x->recovery, sizeof x->recovery, "%s", hashed);
        x->recovery_sent = c->now_us;
        gotrue_user_flow(g, u)->has_recovery_sent = true;
        gotrue_user_flow(g, u)->recovery_sent_us = c->now_us;
    } else if (!strcmp(type, "invite")) {
        if (u >= 0 && gotrue_user_email_confirmed(g, u))
            return gotrue_fail(err, 422, "email_exists", DUPLICATE_EMAIL_MSG);
        if (u < 0 && (u = gotrue_create(g, c, email, "", "", cJSON_IsObject(data) ? data : NULL,
                                        false, err)) < 0)
            return -1;
        mail_user_t *x = mu(g, u);
        snprintf(x->confirmation, sizeof x->confirmation, "%s", hashed);
        x->confirmation_sent = c->now_us;
        x->invited = true;
        gotrue_user_flow(g, u)->has_invited = true;
        gotrue_user_flow(g, u)->invited_us = c->now_us;
        gotrue_set_confirmation_sent(g, u, c->now_us);
    } else if (!strcmp(type, "signup")) {
        if (u >= 0) {
            if (gotrue_user_email_confirmed(g, u))
                return gotrue_fail(err, 422, "email_exists", DUPLICATE_EMAIL_MSG);
            gotrue_merge_user_metadata(g, u, data);
        } else {
            /* validateSignupParams: a password, then its strength. */
            if (!*password)
                return gotrue_fail(err, 400, "validation_failed",
                                   "Signup requires a valid password");
            if (strlen(password) < GOTRUE_MIN_PASSWORD_LENGTH) {
                gotrue_fail(err, 422, "weak_password", "Password should be at least %d characters.",
                            GOTRUE_MIN_PASSWORD_LENGTH);
                err->weak_password = true;
                return -1;
            }
            u = gotrue_create(g, c, email, "", password, cJSON_IsObject(data) ? data : NULL, false,
                              err);
            if (u < 0)
                return -1;
        }
        mail_user_t *x = mu(g, u);
        snprintf(x->confirmation, sizeof x->confirmation, "%s", hashed);
        x->confirmation_sent = c->now_us;
        gotrue_set_confirmation_sent(g, u, c->now_us);
    } else if (!strcmp(type, "email_change_current") || !strcmp(type, "email_change_new")) {
        char new_email[256];
        if (validate_email(str_field(body, "new_email"), new_email, err) < 0)
            return -1;
        long other = gotrue_lookup_email(g, new_email);
        if (other >= 0 && other != u)
            return gotrue_fail(err, 422, "email_exists", DUPLICATE_EMAIL_MSG);
        mail_user_t *x = mu(g, u);
        x->ec_sent = c->now_us;
        snprintf(x->email_change, sizeof x->email_change, "%s", new_email);
        x->ec_status = 0;
        email_change_fields(g, u, new_email, c->now_us);
        if (!strcmp(type, "email_change_current")) {
            snprintf(x->ec_current, sizeof x->ec_current, "%s", hashed);
        } else {
            token_hash(new_email, otp, false, ec_new);
            snprintf(x->ec_new, sizeof x->ec_new, "%s", ec_new);
            link_token = ec_new;
        }
        link_type = "email_change";
    } else {
        return gotrue_fail(err, 400, "validation_failed",
                           "Invalid email action link type requested: %s", type);
    }
    char *link = auth_redirect_link(env.base_url, env.referrer, link_token, link_type);
    /* GenerateLinkResponse: the embedded User's fields, then the link's. */
    buf_t user;
    buf_init(&user);
    gotrue_user_json(g, u, &user);
    buf_append(out, user.data, user.len - 1);
    buf_dispose(&user);
    buf_puts(out, ",\"action_link\":");
    gotrue_put_go_string(out, link);
    buf_puts(out, ",\"email_otp\":");
    gotrue_put_go_string(out, otp);
    buf_puts(out, ",\"hashed_token\":");
    gotrue_put_go_string(out, hashed);
    buf_puts(out, ",\"verification_type\":");
    gotrue_put_go_string(out, type);
    buf_puts(out, ",\"redirect_to\":");
    gotrue_put_go_string(out, env.referrer);
    buf_putc(out, '}');
    free(link);
    return 0;
}

/* ---- signup, reauthentication, PUT /user ---- */

int auth_mail_signup(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                     const cJSON *body, buf_t *out, gotrue_error_t *err)
{
    if (auth_pkce_validate(str_field(body, "code_challenge_method"),
                           str_field(body, "code_challenge"), err) < 0)
        return -1;
    bool confirm = confirmations_on(g);
    const char *raw_email = str_field(body, "email");
    const char *raw_phone = str_field(body, "phone");
    char email[256] = "", phone[32] = "";
    gotrue_error_t tmp;
    if (*raw_email && validate_email(raw_email, email, &tmp) < 0)
        email[0] = '\0';
    if (!*raw_email && *raw_phone && validate_phone(raw_phone, phone, &tmp) < 0)
        phone[0] = '\0';
    long before = *email   ? gotrue_lookup_email(g, email)
                  : *phone ? gotrue_lookup_phone(g, phone)
                           : -1;
    /* A repeated signup of an unconfirmed user sends again, within the
     * frequency limit (sendConfirmation / sendPhoneConfirmation). */
    if (confirm && before >= 0 && *email && !gotrue_user_email_confirmed(g, before)) {
        if (email_frequency(mu(g, before)->confirmation_sent, c->now_us, err) < 0)
            return -1;
    }
    if (confirm && before >= 0 && *phone && !gotrue_user_phone_confirmed(g, before)) {
        int64_t sent = mu(g, before)->confirmation_sent;
        if (sent != NO_TIME && !(sent + MAX_FREQUENCY_S * SEC < c->now_us))
            return gotrue_fail(
                err, 429, "over_sms_send_rate_limit",
                "For security purposes, you can only request this after %lld seconds.",
                (long long)((sent + MAX_FREQUENCY_S * SEC - c->now_us) / SEC));
    }
    if (confirm && *email && (before < 0 || !gotrue_user_email_confirmed(g, before)) &&
        email_limit(g, c, false, err) < 0)
        return -1;
    if (gotrue_signup(g, c, body, out, err) < 0)
        return -1;
    if (!confirm)
        return 0;
    long u = *email ? gotrue_lookup_email(g, email) : *phone ? gotrue_lookup_phone(g, phone) : -1;
    if (u < 0)
        return 0;
    bool pkce = pkce_flow(body);
    if (*email && !gotrue_user_email_confirmed(g, u)) {
        if (pkce && new_flow_state(g, c, u, "email/signup", body, err) < 0)
            return -1;
        return send_confirmation(g, c, e, u, pkce, err);
    }
    if (*phone && !gotrue_user_phone_confirmed(g, u)) {
        char mid[24];
        return send_phone(g, c, u, phone, PHONE_CONFIRMATION, mid, err);
    }
    return 0;
}

int auth_mail_reauthenticate(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                             buf_t *out, gotrue_error_t *err)
{
    /* reauthenticate.go Reauthenticate. */
    long u = who->user;
    const char *email = gotrue_user_email(g, u);
    const char *phone = gotrue_user_phone(g, u);
    bool has_email = email && *email, has_phone = phone && *phone;
    if (!has_email && !has_phone)
        return gotrue_fail(err, 400, "validation_failed",
                           "Reauthentication requires the user to have an email or a phone number");
    if (has_email && !gotrue_user_email_confirmed(g, u))
        return gotrue_fail(err, 422, "email_not_confirmed", "Please verify your email first.");
    if (!has_email && !gotrue_user_phone_confirmed(g, u))
        return gotrue_fail(err, 422, "phone_not_confirmed", "Please verify your phone first.");
    if (has_email) {
        auth_mail_env_t none = {.base_url = "", .referrer = ""};
        if (send_reauth_email(g, c, &none, u, err) < 0)
            return -1;
        return empty_object(out);
    }
    char p[32], mid[24];
    snprintf(p, sizeof p, "%s", phone[0] == '+' ? phone + 1 : phone);
    if (send_phone(g, c, u, p, PHONE_REAUTH, mid, err) < 0)
        return -1;
    buf_puts(out, "{\"message_id\":");
    gotrue_put_go_string(out, mid);
    buf_putc(out, '}');
    return 0;
}

/* reauthenticate.go verifyReauthentication. */
static int verify_nonce(gotrue_t *g, const gotrue_ctx_t *c, long u, const char *nonce,
                        gotrue_error_t *err)
{
    mail_user_t *x = mu(g, u);
    if (!x->reauth[0] || x->reauth_sent == NO_TIME)
        return gotrue_fail(err, 422, "reauthentication_not_valid",
                           "Nonce has expired or is invalid");
    const char *email = gotrue_user_email(g, u);
    const char *phone = gotrue_user_phone(g, u);
    char h[72];
    bool ok;
    if (email && *email) {
        token_hash(email, nonce, false, h);
        ok = otp_valid(h, x->reauth, x->reauth_sent, c->now_us, MAIL_OTP_EXP_S);
    } else if (phone && *phone) {
        token_hash(phone[0] == '+' ? phone + 1 : phone, nonce, false, h);
        ok = otp_valid(h, x->reauth, x->reauth_sent, c->now_us, SMS_OTP_EXP_S);
    } else {
        return gotrue_fail(err, 422, "reauthentication_not_valid",
                           "Reauthentication requires an email or a phone number");
    }
    if (!ok)
        return gotrue_fail(err, 422, "reauthentication_not_valid",
                           "Nonce has expired or is invalid");
    /* ConfirmReauthentication clears the token. */
    x->reauth[0] = '\0';
    x->reauth_sent = NO_TIME;
    return 0;
}

int auth_mail_update_user(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                          const gotrue_who_t *who, cJSON *body, buf_t *out, gotrue_error_t *err)
{
    long u = who->user;
    const cJSON *pw = cJSON_GetObjectItemCaseSensitive(body, "password");
    const char *raw_email = str_field(body, "email");
    const char *raw_phone = str_field(body, "phone");
    const char *cur_email = gotrue_user_email(g, u);
    const char *cur_phone = gotrue_user_phone(g, u);
    /* An anonymous user on an autoconfirm project links at once
     * (UserUpdate calls emailChangeVerify directly): gotrue.c's case. */
    bool link_now = gotrue_user_anonymous(g, u) && !confirmations_on(g);
    bool email_change =
        !link_now && *raw_email && (!cur_email || strcmp(cur_email, raw_email) != 0);
    bool phone_change =
        confirmations_on(g) && *raw_phone && (!cur_phone || strcmp(cur_phone, raw_phone) != 0);
    /* user.go UserUpdate: HasMFAEnabled() && !session.IsAAL2() refuses
     * changes of email, phone or password (before the duplicate checks). */
    const cJSON *pwv = cJSON_GetObjectItemCaseSensitive(body, "password");
    if ((email_change || phone_change || (cJSON_IsString(pwv) && *pwv->valuestring)) &&
        gotrue_mfa_has_verified(gotrue_mfa(g), gotrue_user_id(g, u)) &&
        !gotrue_session_is_aal2(g, who->session))
        return gotrue_fail(
            err, 401, "insufficient_aal",
            "AAL2 session is required to update email or password when MFA is enabled.");
    char new_email[256] = "", new_phone[32] = "";
    if (auth_pkce_validate(str_field(body, "code_challenge_method"),
                           str_field(body, "code_challenge"), err) < 0)
        return -1;
    if (email_change) {
        if (validate_email(raw_email, new_email, err) < 0)
            return -1;
        long other = gotrue_lookup_email(g, new_email);
        if (other >= 0 && other != u)
            return gotrue_fail(err, 422, "email_exists", DUPLICATE_EMAIL_MSG);
    }
    if (phone_change && validate_phone(raw_phone, new_phone, err) < 0)
        return -1;
    if (cJSON_IsString(pw) && gotrue_scenario(g)->secure_password_change) {
        /* user.go UserUpdate: sessions younger than 24 hours need no nonce. */
        int64_t created = gotrue_session_created_us(g, who->session);
        if (who->session < 0 || c->now_us > created + REAUTH_SESSION_AGE_S * SEC) {
            const char *nonce = str_field(body, "nonce");
            if (!*nonce)
                return gotrue_fail(err, 400, "reauthentication_needed",
                                   "Password update requires reauthentication");
            if (verify_nonce(g, c, u, nonce, err) < 0)
                return -1;
        }
    }
    /* The sends can fail on their limits; check before anything changes, as
     * GoTrue's transaction would roll the update back. */
    if (email_change) {
        if (email_frequency(mu(g, u)->ec_sent, c->now_us, err) < 0 ||
            email_limit(g, c, false, err) < 0)
            return -1;
    }
    if (email_change)
        cJSON_DeleteItemFromObjectCaseSensitive(body, "email");
    if (phone_change)
        cJSON_DeleteItemFromObjectCaseSensitive(body, "phone");
    buf_t tmp;
    buf_init(&tmp);
    int rc = gotrue_update_user(g, c, who, body, &tmp, err);
    buf_dispose(&tmp);
    if (rc < 0)
        return -1;
    bool pkce = pkce_flow(body);
    if (email_change) {
        if (pkce && new_flow_state(g, c, u, "email_change", body, err) < 0)
            return -1;
        if (send_email_change(g, c, e, u, new_email, pkce, err) < 0)
            return -1;
    }
    if (phone_change) {
        char mid[24];
        if (send_phone(g, c, u, new_phone, PHONE_CHANGE, mid, err) < 0)
            return -1;
    }
    gotrue_user_json(g, u, out);
    return 0;
}

int auth_mail_pkce_grant(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                         gotrue_error_t *err)
{
    return auth_pkce_grant(gotrue_mail(g)->pkce, g, c, body, out, err);
}
