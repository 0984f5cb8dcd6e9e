/* PKCE for the email flows: the code_challenge checks (pkce.go), flow states
 * (models.FlowState: one per PKCE request, its auth code a UUID from the
 * instance's PRNG), the auth code GET /verify hands out (issueAuthCode) and
 * POST /token?grant_type=pkce (token.go PKCE, security/pkce.go). At most
 * GOTRUE_MAX_FLOW_STATES are kept, the oldest fall out. Owned by auth_mail.c's
 * state, one per instance. */
#ifndef MOCK_AUTH_PKCE_H
#define MOCK_AUTH_PKCE_H

#include "buf.h"
#include "gotrue.h"
#include "prng.h"

#include <cjson/cJSON.h>

typedef struct auth_pkce auth_pkce_t;

auth_pkce_t *auth_pkce_new(void);
void auth_pkce_free(auth_pkce_t *p); /* NULL is a no-op */

/* validatePKCEParams: both or neither, 43 to 128 characters of
 * [a-zA-Z._~0-9-]. 0, or -1 with GoTrue's 400. */
int auth_pkce_validate(const char *method, const char *challenge, gotrue_error_t *err);
/* generateFlowState for user with the given AuthenticationMethod text
 * ("magiclink", "recovery", "email/signup", "email_change"); nothing when
 * challenge is "". A method other than s256/plain (any case) is
 * NewFlowState's plain error, which GoTrue answers 500 unexpected_failure. */
int auth_pkce_new_flow(auth_pkce_t *p, prng_t *prng, long user, const char *method,
                       const char *challenge, const char *challenge_method, int64_t now_us,
                       gotrue_error_t *err);
/* issueAuthCode: the auth code of the user's latest flow state of method
 * (its issue time recorded), or NULL when there is none. Borrowed until the
 * next call. */
const char *auth_pkce_issue_code(auth_pkce_t *p, long user, const char *method, int64_t now_us);
/* POST /token?grant_type=pkce {auth_code, code_verifier}: the session into
 * out and the flow state destroyed, or -1 with err. */
int auth_pkce_grant(auth_pkce_t *p, gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body,
                    buf_t *out, gotrue_error_t *err);

#endif
