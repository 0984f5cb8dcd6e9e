/* Supabase Auth's user store as a backend sees it: users with passwords and
 * metadata, sessions and refresh tokens, access tokens with GoTrue's claims
 * signed by jwt.c, and the on_signup insert. Mirrors every user into the
 * store's auth.users table (the target of `references: "auth.users(id)"`).
 * One gotrue_t belongs to one instance. */
#ifndef MOCK_GOTRUE_H
#define MOCK_GOTRUE_H

#include "buf.h"
#include "caps.h"
#include "mem_func.h"
#include "scenario.h"
#include "security.h"
#include "store.h"

#include "prng.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct gotrue gotrue_t;

/* Loads the scenario's users (their auth.users rows are already seeded by
 * instance.c). prng is the instance's (borrowed; it must outlive g): session
 * and identity ids, refresh tokens, error ids. Returns 0 or -1 with err. */
int gotrue_new(const scenario_t *sc, store_t *store, prng_t *prng, gotrue_t **out,
               scenario_error_t *err);
void gotrue_free(gotrue_t *g); /* NULL is a no-op */

/* ---- added by the auth owner ---- */

/* GoTrue's settings as the Supabase CLI configures them (config.toml defaults:
 * jwt_expiry 3600, refresh_token_reuse_interval 10, minimum_password_length 6;
 * GOTRUE_JWT_ADMIN_ROLES=service_role). */
#define GOTRUE_VERSION                  "v2.189.0" /* the CLI's pinned supabase/gotrue image (reference header) */
#define GOTRUE_ACCESS_TOKEN_TTL_S       3600
#define GOTRUE_REFRESH_REUSE_INTERVAL_S 10
#define GOTRUE_MIN_PASSWORD_LENGTH      6

/* One GoTrue error: status, error_code and message as internal/api/apierrors
 * builds them. `weak_password` adds the {"weak_password":{"reasons":["length"]}}
 * payload of errors.go's WeakPasswordError case. error_id is set for 5xx. */
typedef struct gotrue_error {
    int status;
    const char *code; /* static: "invalid_credentials", ... */
    char message[512];
    bool weak_password;
    bool no_code_header; /* an HTTPError without ErrorCode: no x-sb-error-code */
    char error_id[40];
    /* A Postgres error behind a 5xx (HTTPError.InternalError), "" when none.
     * errors.go answers requests without X-Supabase-Api-Version 2024-01-01
     * with it instead (utilities.NewPostgresError: 23503, 23502, ... are
     * public), as {"code":"23503","message":...,"detail":...}. */
    char pg_code[16];
    char pg_message[256];
    char pg_detail[512];
} gotrue_error_t;

/* Per-request inputs. All borrowed for the call. */
typedef struct gotrue_ctx {
    int64_t now_us;     /* scenario clock: microseconds since 2000-01-01 UTC */
    const char *issuer; /* the iss claim: "http://HOST/auth/v1" (GOTRUE_JWT_ISSUER) */
    const char *secret; /* HS256 secret */
    /* The scenario's signing keys (none: HS256 with secret only). */
    const signing_key_t *keys;
    size_t key_count;
} gotrue_ctx_t;

/* Binds the instance's clock on first use: scenario users get
 * created_at/updated_at/confirmed_at from now_us and their identity ids from
 * the PRNG. Later calls do nothing. */
void gotrue_start(gotrue_t *g, int64_t now_us);
/* The instance's security model, for the CHECK constraints of rows the
 * on_signup trigger inserts (borrowed; set once the model is built). */
void gotrue_set_security(gotrue_t *g, const security_t *sec);
/* The memory engine's functions: auth.users' row triggers fire on GoTrue's
 * inserts (borrowed; NULL: none). */
void gotrue_set_functions(gotrue_t *g, mem_funcs_t *funcs);

/* The bearer a request proves after requireAuthentication (auth.go). Indexes
 * into the gotrue_t; valid until the next call that changes it. */
typedef struct gotrue_who {
    long user;         /* user index */
    long session;      /* session index, -1 when the token names none */
    bool is_anonymous; /* the token's is_anonymous claim (requireNotAnonymous) */
} gotrue_who_t;

/* POST /token?grant_type=password and refresh_token; body is the parsed JSON
 * object (NULL for none). On success appends the token response to out. */
int gotrue_password_grant(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                          gotrue_error_t *err);
int gotrue_refresh_grant(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                         gotrue_error_t *err);
/* POST /signup: a session (autoconfirm) or the user object (confirm_email). */
int gotrue_signup(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                  gotrue_error_t *err);
/* requireAuthentication: `token` is the Bearer value (NULL: none). */
int gotrue_authenticate(gotrue_t *g, const gotrue_ctx_t *c, const char *token, gotrue_who_t *who,
                        gotrue_error_t *err);
/* requireAdminCredentials: a verified JWT whose role is service_role. */
int gotrue_require_admin(gotrue_t *g, const gotrue_ctx_t *c, const char *token,
                         gotrue_error_t *err);
void gotrue_user_json(gotrue_t *g, long user, buf_t *out);
/* PUT /user: email, phone, password, data. */
int gotrue_update_user(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                       const cJSON *body, buf_t *out, gotrue_error_t *err);
/* POST /logout?scope=global|local|others. */
int gotrue_logout(gotrue_t *g, const gotrue_who_t *who, const char *scope, gotrue_error_t *err);

/* /admin/users. list: page is 1-based; *total receives the user count. */
/* filter: admin.go's `filter` query parameter (NULL or "": none);
 * ascending: sort=created_at asc (default newest first). */
void gotrue_admin_list(gotrue_t *g, const char *filter, bool ascending, uint64_t page,
                       uint64_t per_page, buf_t *out, uint64_t *total);
int gotrue_admin_get(gotrue_t *g, const char *id, buf_t *out, gotrue_error_t *err);
int gotrue_admin_create(gotrue_t *g, const gotrue_ctx_t *c, const cJSON *body, buf_t *out,
                        gotrue_error_t *err);
int gotrue_admin_update(gotrue_t *g, const gotrue_ctx_t *c, const char *id, const cJSON *body,
                        buf_t *out, gotrue_error_t *err);
/* body: the parsed JSON body, NULL when the request had none
 * (should_soft_delete defaults to false). */
int gotrue_admin_delete(gotrue_t *g, const gotrue_ctx_t *c, const char *id, const cJSON *body,
                        buf_t *out, gotrue_error_t *err);

/* ---- for gotrue_mfa.c: users and sessions by index ---- */
typedef struct gotrue_mfa gotrue_mfa_t;
gotrue_mfa_t *gotrue_mfa(gotrue_t *g);
const scenario_t *gotrue_scenario(const gotrue_t *g);
prng_t *gotrue_prng(gotrue_t *g);
const char *gotrue_user_id(const gotrue_t *g, long user);
const char *gotrue_user_email(const gotrue_t *g, long user); /* "" when none */
/* admin.go loadUser: the user's index, or -1 with err (404). */
long gotrue_admin_load_user(gotrue_t *g, const char *id, gotrue_error_t *err);
bool gotrue_session_is_aal2(const gotrue_t *g, long session);
/* updateMFASessionAndClaims after a verified challenge: adds the AMR claim
 * `method` to the caller's session, binds factor_id, swaps its refresh token
 * and appends the token response; ends the user's other AAL1 sessions. */
int gotrue_session_step_up(gotrue_t *g, const gotrue_ctx_t *c, const gotrue_who_t *who,
                           const char *method, const char *factor_id, buf_t *out,
                           gotrue_error_t *err);
/* DowngradeSessionsToAAL1: sessions bound to factor_id lose `method`. */
void gotrue_sessions_downgrade(gotrue_t *g, long user, const char *factor_id, const char *method);

/* Claims of a GoTrue access token in GoTrue's order (internal/tokens/service.go
 * AccessTokenClaims): iss, sub, aud, exp, iat, email, phone, app_metadata,
 * user_metadata, role, aal, amr, session_id, is_anonymous. Metadata objects may
 * be NULL ({}). amr_ts is the sign-in time (unix seconds). exp < 0 omits exp
 * (a token that never expires); a NULL or empty session_id is omitted
 * (omitempty). Heap string. */
char *gotrue_claims_json(const char *issuer, const char *sub, int64_t iat, int64_t exp,
                         const char *email, const char *phone, const cJSON *app_metadata,
                         const cJSON *user_metadata, const char *role, int64_t amr_ts,
                         const char *session_id);

/* Go's time.ParseDuration: 0 with *ns, or -1 with Go's message in why
 * (`time: invalid duration "x"`, `time: missing unit in duration "1"`,
 * `time: unknown unit "d" in duration "1d"`). */
int gotrue_parse_duration(const char *s, int64_t *ns, char *why, size_t why_len);

/* JSON as Go's encoding/json writes a map[string]interface{}: compact, object
 * keys sorted bytewise, <, >, & and U+2028/U+2029 escaped as \u003c etc. */
void gotrue_put_go_json(buf_t *out, const cJSON *v);
void gotrue_put_go_string(buf_t *out, const char *s);
/* Fills err (status, GoTrue's error_code, printf message); returns -1. The
 * one constructor of a GoTrue error for every auth file. */
int gotrue_fail(gotrue_error_t *err, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A UTC time as Go's time.RFC3339Nano writes it (fraction's trailing zeros
 * trimmed), quoted: how GoTrue's JSON shows every time. */
void gotrue_put_time(buf_t *out, int64_t us);

/* on_signup templating: a string that is exactly one {{user.X}} placeholder
 * becomes that JSON value (null when absent); placeholders inside a longer
 * string are replaced by their text; other values are copied. `user` is an
 * object with id, email, phone, user_metadata. Returns a new cJSON value. */
cJSON *gotrue_template_value(const cJSON *tmpl, const cJSON *user);

#endif
