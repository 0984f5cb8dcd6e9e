/* What the email and phone flows (auth_mail.c) need of gotrue.c's user store:
 * lookups, creation, confirmation and sessions by user index. Indexes stay
 * valid for the gotrue_t's life (users are flagged deleted, never moved out).
 * Strings returned are borrowed until the user changes. Only auth/ includes
 * this. gotrue.h has gotrue_prng, gotrue_scenario, gotrue_user_id and
 * gotrue_user_email ("" when none). */
#ifndef MOCK_GOTRUE_FLOWS_H
#define MOCK_GOTRUE_FLOWS_H

#include "gotrue.h"
#include "inbox.h"

typedef struct auth_mail auth_mail_t;

/* models.User's fields the flows set and the user object shows (omitempty:
 * a false has_* or an empty string leaves the field out). */
typedef struct gotrue_flow_fields {
    bool has_invited, has_recovery_sent, has_email_change_sent, has_phone_change_sent,
        has_reauth_sent;
    int64_t invited_us, recovery_sent_us, email_change_sent_us, phone_change_sent_us,
        reauth_sent_us;
    char new_email[256]; /* EmailChange, `json:"new_email"` */
    char new_phone[32];  /* PhoneChange, `json:"new_phone"` */
} gotrue_flow_fields_t;

/* The user's flow fields (valid while u is). */
gotrue_flow_fields_t *gotrue_user_flow(gotrue_t *g, long u);

/* The flows' state, created with g and freed with it (the inbox: inbox.h). */
auth_mail_t *gotrue_mail(gotrue_t *g);
/* The instance's start on the scenario clock (GoTrue's limiter epoch). */
int64_t gotrue_started_us(gotrue_t *g);

long gotrue_lookup_email(gotrue_t *g, const char *email); /* case-insensitive; -1: none */
/* `phone` without '+' (validatePhone's form); users stored with a '+' match too. */
long gotrue_lookup_phone(gotrue_t *g, const char *phone);
const char *gotrue_user_phone(gotrue_t *g, long u); /* NULL: none */
bool gotrue_user_email_confirmed(gotrue_t *g, long u);
bool gotrue_user_phone_confirmed(gotrue_t *g, long u);
bool gotrue_user_banned(gotrue_t *g, long u, int64_t now_us);
bool gotrue_user_has_password(gotrue_t *g, long u);
bool gotrue_user_deleted(gotrue_t *g, long u);
bool gotrue_user_anonymous(gotrue_t *g, long u);
/* signupNewUser with an email or a phone (the other ""), password may be ""
 * (an invited user), confirmed or not. Returns the index or -1 with err. */
long gotrue_create(gotrue_t *g, const gotrue_ctx_t *c, const char *email, const char *phone,
                   const char *password, const cJSON *data, bool confirm, gotrue_error_t *err);
/* models.User Confirm / ConfirmPhone: confirmed now (no-op when already). */
void gotrue_confirm_email(gotrue_t *g, long u, int64_t now_us);
void gotrue_confirm_phone(gotrue_t *g, long u, int64_t now_us);
/* ConfirmEmailChange / ConfirmPhoneChange: the new address, confirmed now. */
void gotrue_change_email(gotrue_t *g, long u, const char *email, int64_t now_us);
void gotrue_change_phone(gotrue_t *g, long u, const char *phone, int64_t now_us);
void gotrue_set_confirmation_sent(gotrue_t *g, long u, int64_t now_us);
void gotrue_merge_user_metadata(gotrue_t *g, long u, const cJSON *data);
/* A new session for u, signed in by amr (a static AuthenticationMethod text,
 * the access token's amr method, kept across refreshes), and its
 * AccessTokenResponse into out. */
int gotrue_sign_in(gotrue_t *g, const gotrue_ctx_t *c, long u, const char *amr, buf_t *out,
                   gotrue_error_t *err);
/* The session's creation time on the scenario clock. */
int64_t gotrue_session_created_us(gotrue_t *g, long session);

#endif
