/* GoTrue's email and phone flows: /otp, /magiclink, /recover, /resend, both
 * forms of /verify, /invite, /admin/generate_link, signup confirmation, email
 * change and reauthentication through PUT /user and GET /reauthenticate, and
 * the PKCE grant. What GoTrue would mail or text goes to the instance's inbox
 * (inbox.h). The per-user tokens (confirmation, recovery, email change,
 * phone change, reauthentication, as models.User keeps them), PKCE flow
 * states and the hourly send limiters live in the auth_mail_t, which the
 * gotrue_t owns. Sources (supabase/auth): internal/api/{otp,magic_link,
 * recover,resend,verify,invite,mail,phone,user,reauthenticate,pkce,token}.go,
 * internal/mailer/templatemailer, internal/conf/configuration.go. */
#ifndef MOCK_AUTH_MAIL_H
#define MOCK_AUTH_MAIL_H

#include "buf.h"
#include "gotrue.h"

#include <cjson/cJSON.h>

typedef struct auth_mail auth_mail_t;

auth_mail_t *auth_mail_new(void);
void auth_mail_free(auth_mail_t *m); /* NULL is a no-op */

/* What a request adds (borrowed for the call). */
typedef struct auth_mail_env {
    const char *base_url; /* "http://HOST/auth/v1": links point at BASE/verify */
    const char *referrer; /* utilities.GetReferrer's answer (auth_redirect_referrer) */
} auth_mail_env_t;

/* Each returns 0 with the JSON body appended to out (status 200), or -1 with
 * err. body is the parsed JSON object. */
int auth_mail_otp(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e, const cJSON *body,
                  buf_t *out, gotrue_error_t *err);
int auth_mail_magiclink(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                        const cJSON *body, buf_t *out, gotrue_error_t *err);
int auth_mail_recover(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                      const cJSON *body, buf_t *out, gotrue_error_t *err);
int auth_mail_resend(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                     const cJSON *body, buf_t *out, gotrue_error_t *err);
int auth_mail_verify_post(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                          gotrue_error_t *err);
/* GET /verify?token=&type=: 0 with *location (heap) for the 303, or -1 with
 * err for the errors GoTrue answers as JSON (params.Validate). */
int auth_mail_verify_get(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                         const char *token, const char *type, char **location, gotrue_error_t *err);
int auth_mail_invite(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                     const cJSON *body, buf_t *out, gotrue_error_t *err);
int auth_mail_generate_link(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                            const cJSON *body, buf_t *out, gotrue_error_t *err);
/* POST /signup: gotrue_signup plus the confirmation mail or SMS (and the
 * PKCE flow state) when the scenario requires confirmation. */
int auth_mail_signup(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                     const cJSON *body, buf_t *out, gotrue_error_t *err);
/* GET /reauthenticate. */
int auth_mail_reauthenticate(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                             buf_t *out, gotrue_error_t *err);
/* PUT /user: the nonce check of secure password change, then
 * gotrue_update_user without the email (and, with confirmations on, the
 * phone), then the email change (phone change) confirmations. body may be
 * edited. */
int auth_mail_update_user(gotrue_t *g, const gotrue_ctx_t *c, const auth_mail_env_t *e,
                          const gotrue_who_t *who, cJSON *body, buf_t *out, gotrue_error_t *err);
/* POST /token?grant_type=pkce. */
int auth_mail_pkce_grant(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                         gotrue_error_t *err);

#endif
