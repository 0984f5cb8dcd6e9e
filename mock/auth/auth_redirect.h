/* The URLs of GoTrue's email flows: which redirect_to it honours
 * (utilities.GetReferrer, IsRedirectURLValid), the /verify link its mailer
 * builds (templatemailer getPath), and the 303 targets of GET /verify
 * (verify.go prepErrorRedirectURL, prepRedirectURL, prepPKCERedirectURL,
 * tokens.AccessTokenResponse.AsRedirectURL), with Go's url.Values encoding
 * (keys sorted, QueryEscape). Pure; returned strings are heap, caller frees. */
#ifndef MOCK_AUTH_REDIRECT_H
#define MOCK_AUTH_REDIRECT_H

#include "scenario.h"

#include <stdbool.h>

/* The Supabase CLI's auth.site_url, used when a scenario sets none. */
#define AUTH_DEFAULT_SITE_URL "http://127.0.0.1:3000"

/* IsRedirectURLValid against the scenario's site_url: the site's scheme and
 * host (any port on loopback), or a loopback IP. The allow list
 * (additional_redirect_urls) is not modelled. */
bool auth_redirect_ok(const scenario_t *sc, const char *url);
/* GetReferrer: redirect_to when valid, else a valid Referer, else the site
 * URL. Either may be NULL. Returns one of its arguments or the scenario's
 * (borrowed). */
const char *auth_redirect_referrer(const scenario_t *sc, const char *redirect_to,
                                   const char *referer);
/* BASE/verify?token=..&type=..&redirect_to=.. (encodeRedirectURL: the
 * referrer is escaped only when it holds &, = or #). */
char *auth_redirect_link(const char *base_url, const char *referrer, const char *token,
                         const char *type);
/* The error in the fragment (error, error_code, error_description, sb), and
 * in the query too in a PKCE flow. */
char *auth_redirect_error(const char *rurl, int status, const char *code, const char *message,
                          bool pkce);
/* rurl's query re-encoded with key=value set (key NULL: unchanged), and when
 * frag_key is given a fragment frag_key=value&sb=. */
char *auth_redirect_query(const char *rurl, const char *key, const char *value,
                          const char *frag_key);
/* rurl#access_token=..&expires_at=..&expires_in=..&refresh_token=..&sb=&token_type=..&type=..
 * from an AccessTokenResponse body. */
char *auth_redirect_session(const char *rurl, const char *session_json, const char *type);

#endif
