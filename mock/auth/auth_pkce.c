/* PKCE flow states and the pkce grant (see auth_pkce.h). Times are the
 * scenario clock. Knows nothing of HTTP or of the mails. */
#include "auth_pkce.h"

#include "caps.h"
#include "gotrue_flows.h"
#include "xalloc.h"

#include <openssl/evp.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_TIME INT64_MIN
/* conf defaultFlowStateExpiryDuration. */
#define FLOW_STATE_EXPIRY_US (300 * 1000000LL)

typedef struct flow_state {
    char auth_code[40];
    long user;
    char method[16]; /* AuthenticationMethod.String() */
    char challenge[132];
    char challenge_method[8]; /* "s256" or "plain" (CodeChallengeMethod.String()) */
    int64_t created_us, code_issued_us;
} flow_state_t;

struct auth_pkce {
    flow_state_t *flows; /* oldest first */
    size_t count, cap;
};

static const char *str_field(const cJSON *body, const char *name)
{
    const cJSON *v = body ? cJSON_GetObjectItemCaseSensitive(body, name) : NULL;
    return cJSON_IsString(v) ? v->valuestring : "";
}

auth_pkce_t *auth_pkce_new(void)
{
    return xcalloc(1, sizeof(auth_pkce_t));
}

void auth_pkce_free(auth_pkce_t *p)
{
    if (!p)
        return;
    free(p->flows);
    free(p);
}

int auth_pkce_validate(const char *method, const char *challenge, gotrue_error_t *err)
{
    if ((*challenge == '\0') != (*method == '\0'))
        return gotrue_fail(err, 400, "validation_failed",
                           "PKCE flow requires code_challenge_method and code_challenge");
    if (!*challenge)
        return 0;
    size_t n = strlen(challenge);
    if (n < 43 || n > 128)
        return gotrue_fail(err, 400, "validation_failed",
                           "code challenge has to be between %d and %d characters", 43, 128);
    for (const char *q = challenge; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '.' || *q == '_' || *q == '~' || *q == '-'))
            return gotrue_fail(err, 400, "validation_failed",
                               "code challenge can only contain alphanumeric characters, hyphens, "
                               "periods, underscores and tildes");
    return 0;
}

int auth_pkce_new_flow(auth_pkce_t *p, prng_t *prng, long user, const char *method,
                       const char *challenge, const char *challenge_method, int64_t now_us,
                       gotrue_error_t *err)
{
    if (!*challenge)
        return 0;
    /* ParseCodeChallengeMethod: strings.ToLower, then s256 or plain. */
    char lower[8] = "";
    size_t n = strlen(challenge_method);
    for (size_t i = 0; i < n && n < sizeof lower; i++)
        lower[i] = (char)(challenge_method[i] >= 'A' && challenge_method[i] <= 'Z'
                              ? challenge_method[i] + 32
                              : challenge_method[i]);
    if (strcmp(lower, "s256") != 0 && strcmp(lower, "plain") != 0)
        return gotrue_fail(err, 500, "unexpected_failure",
                           "Unexpected failure, please check server logs for more information");
    if (p->count == GOTRUE_MAX_FLOW_STATES) {
        memmove(p->flows, p->flows + 1, (p->count - 1) * sizeof *p->flows);
        p->count--;
    }
    if (p->count == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->flows = xrealloc(p->flows, p->cap * sizeof *p->flows);
    }
    flow_state_t *f = &p->flows[p->count++];
    memset(f, 0, sizeof *f);
    prng_uuid(prng, f->auth_code);
    f->user = user;
    snprintf(f->method, sizeof f->method, "%s", method);
    snprintf(f->challenge, sizeof f->challenge, "%s", challenge);
    snprintf(f->challenge_method, sizeof f->challenge_method, "%s", lower);
    f->created_us = now_us;
    f->code_issued_us = NO_TIME;
    return 0;
}

const char *auth_pkce_issue_code(auth_pkce_t *p, long user, const char *method, int64_t now_us)
{
    flow_state_t *f = NULL;
    for (size_t i = 0; i < p->count; i++)
        if (p->flows[i].user == user && strcmp(p->flows[i].method, method) == 0)
            f = &p->flows[i];
    if (!f)
        return NULL;
    f->code_issued_us = now_us;
    return f->auth_code;
}

/* base64.RawURLEncoding of SHA-256(verifier). */
static void s256(const char *verifier, char out[48])
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char d[32];
    unsigned int n = 0;
    EVP_Digest(verifier, strlen(verifier), d, &n, EVP_sha256(), NULL);
    size_t k = 0;
    for (unsigned int j = 0; j < n; j += 3) {
        unsigned v = (unsigned)d[j] << 16 | (j + 1 < n ? (unsigned)d[j + 1] << 8 : 0) |
                     (j + 2 < n ? d[j + 2] : 0);
        out[k++] = tbl[(v >> 18) & 63];
        out[k++] = tbl[(v >> 12) & 63];
        if (j + 1 < n)
            out[k++] = tbl[(v >> 6) & 63];
        if (j + 2 < n)
            out[k++] = tbl[v & 63];
    }
    out[k] = '\0';
}

int auth_pkce_grant(auth_pkce_t *p, gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body,
                    buf_t *out, gotrue_error_t *err)
{
    const char *code = str_field(body, "auth_code");
    const char *verifier = str_field(body, "code_verifier");
    if (!*code || !*verifier)
        return gotrue_fail(err, 400, "validation_failed",
                           "invalid request: both auth code and code verifier should be non-empty");
    size_t i = 0;
    while (i < p->count && strcmp(p->flows[i].auth_code, code) != 0)
        i++;
    if (i == p->count || p->flows[i].user < 0 || gotrue_user_deleted(g, p->flows[i].user))
        return gotrue_fail(err, 404, "flow_state_not_found",
                           "invalid flow state, no valid flow state found");
    flow_state_t *f = &p->flows[i];
    /* FlowState.IsExpired: a magic link's counts from the auth code's issue. */
    int64_t from = f->code_issued_us != NO_TIME && strcmp(f->method, "magiclink") == 0
                       ? f->code_issued_us
                       : f->created_us;
    if (c->now_us > from + FLOW_STATE_EXPIRY_US)
        return gotrue_fail(err, 422, "flow_state_expired",
                           "invalid flow state, flow state has expired");
    bool ok;
    if (strcmp(f->challenge_method, "s256") == 0) {
        char h[48];
        s256(verifier, h);
        ok = strcmp(h, f->challenge) == 0;
    } else {
        ok = strcmp(verifier, f->challenge) == 0;
    }
    if (!ok)
        return gotrue_fail(err, 400, "bad_code_verifier",
                           "code challenge does not match previously saved code verifier");
    /* IssueRefreshToken with the flow's AuthenticationMethod. The method
     * lives in the flow state about to go, so it is mapped to a static text. */
    static const char *const methods[] = {"magiclink", "recovery", "email/signup", "email_change",
                                          "invite"};
    const char *amr = "otp";
    for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++)
        if (strcmp(f->method, methods[k]) == 0)
            amr = methods[k];
    if (gotrue_sign_in(g, c, f->user, amr, out, err) < 0)
        return -1;
    /* tx.Destroy(flowState). */
    memmove(&p->flows[i], &p->flows[i + 1], (p->count - i - 1) * sizeof *p->flows);
    p->count--;
    return 0;
}
