/* libFuzzer target for auth_redirect.c: the input, split at the first two
 * newlines, is a site_url, a redirect_to and a redirect URL. Every function
 * runs on them; besides sanitizer findings it aborts when a contract breaks:
 * the referrer is one of its candidates or the site URL, the link is a
 * /verify link, and every built URL starts with the URL it was built on. */
#include "auth_redirect.h"
#include "xalloc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_prefix(char *built, const char *base)
{
    if (!built || strncmp(built, base, strcspn(base, "?#")) != 0)
        abort();
    free(built);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096 || memchr(data, 0, size))
        return 0;
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *site = text;
    char *redirect = strchr(site, '\n');
    char *rurl = NULL;
    if (redirect) {
        *redirect++ = '\0';
        rurl = strchr(redirect, '\n');
        if (rurl)
            *rurl++ = '\0';
    }
    if (!redirect)
        redirect = site + strlen(site);
    if (!rurl)
        rurl = redirect;
    scenario_t sc;
    memset(&sc, 0, sizeof sc);
    sc.site_url = *site ? site : NULL;
    const char *ref = auth_redirect_referrer(&sc, redirect, rurl);
    /* The default site is a literal of auth_redirect.c: compared by text. */
    if (ref != redirect && ref != rurl && ref != sc.site_url &&
        (sc.site_url || strcmp(ref, AUTH_DEFAULT_SITE_URL) != 0))
        abort();
    (void)auth_redirect_ok(&sc, rurl);
    char *link = auth_redirect_link("http://h/auth/v1", ref, rurl, "signup");
    if (strncmp(link, "http://h/auth/v1/verify?token=", 30) != 0 || !strstr(link, "&type=signup"))
        abort();
    free(link);
    check_prefix(auth_redirect_error(rurl, 403, "otp_expired", "a b&c", true), rurl);
    check_prefix(auth_redirect_error(rurl, 422, "x", "y", false), rurl);
    check_prefix(auth_redirect_query(rurl, "code", redirect, NULL), rurl);
    check_prefix(auth_redirect_query(rurl, NULL, redirect, "message"), rurl);
    check_prefix(auth_redirect_session(rurl, redirect, "magiclink"), rurl);
    free(text);
    return 0;
}
