/* GoTrue's MFA with TOTP factors (internal/api/mfa.go, models/factor.go,
 * models/challenge.go): enrollment, challenges, verification that steps a
 * session up to aal2, unenrollment and the admin factor routes. Phone and
 * WebAuthn factors answer as a project with them disabled does. The
 * factors and challenges live here; users and sessions stay in gotrue.c. */
#ifndef MOCK_GOTRUE_MFA_H
#define MOCK_GOTRUE_MFA_H

#include "buf.h"
#include "gotrue.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

gotrue_mfa_t *gotrue_mfa_new(void);
void gotrue_mfa_free(gotrue_mfa_t *m); /* NULL is a no-op */

/* ,"factors":[...] for models.User (omitempty: nothing when the user has
 * none). m may be NULL. */
void gotrue_mfa_factors_json(const gotrue_mfa_t *m, const char *user_id, buf_t *out);
/* models.User HasMFAEnabled: the user has a verified factor. */
bool gotrue_mfa_has_verified(const gotrue_mfa_t *m, const char *user_id);
/* The user's factors and challenges go (a deleted user, DeleteFactorsByUserId). */
void gotrue_mfa_delete_user(gotrue_mfa_t *m, const char *user_id);

/* The per-request facts the routes need beyond gotrue_ctx_t. */
typedef struct gotrue_mfa_req {
    const char *ip;    /* utilities.GetIPAddress: challenge and verify must match */
    const cJSON *body; /* parsed JSON object, or NULL when the request had none */
} gotrue_mfa_req_t;

/* The middleware before a factor route's handler reads its body:
 * requireNotAnonymous and loadFactor for the caller (who), or, with who
 * NULL, the admin routes' loadUser(user_id) and loadFactor. 0 or -1 with err. */
int gotrue_mfa_route_check(gotrue_t *g, const gotrue_who_t *who, const char *user_id,
                           const char *factor_id, gotrue_error_t *err);

/* POST /factors, after requireAuthentication (who). */
int gotrue_mfa_enroll(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                      const gotrue_mfa_req_t *r, buf_t *out, gotrue_error_t *err);
/* POST /factors/ID/challenge, /factors/ID/verify and DELETE /factors/ID. */
int gotrue_mfa_challenge(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                         const char *factor_id, const gotrue_mfa_req_t *r, buf_t *out,
                         gotrue_error_t *err);
int gotrue_mfa_verify(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                      const char *factor_id, const gotrue_mfa_req_t *r, buf_t *out,
                      gotrue_error_t *err);
int gotrue_mfa_unenroll(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                        const char *factor_id, buf_t *out, gotrue_error_t *err);
/* GET /admin/users/ID/factors, PUT and DELETE /admin/users/ID/factors/FID
 * (after requireAdminCredentials). */
int gotrue_mfa_admin_list(gotrue_t *g, const char *user_id, buf_t *out, gotrue_error_t *err);
int gotrue_mfa_admin_update(gotrue_t *g, const gotrue_ctx_t *c, const char *user_id,
                            const char *factor_id, const cJSON *body, buf_t *out,
                            gotrue_error_t *err);
int gotrue_mfa_admin_delete(gotrue_t *g, const char *user_id, const char *factor_id, buf_t *out,
                            gotrue_error_t *err);

#endif
