/* Serves the dashboard page with the headers that confine it. The page's
 * script and style are inline (no external assets), so the policy names
 * them by hash, computed from the compiled-in bytes on each request (a few
 * tens of kilobytes; the page is loaded by a person, not in a loop). */
#include "dashboard.h"

#include "xalloc.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

/* "'sha256-BASE64'" of the text between the first <TAG> and </TAG>, or
 * "'none'" when the page has no such element. Heap string. */
static char *element_hash(const char *page, const char *tag)
{
    char open[16], close[16];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *start = strstr(page, open);
    const char *end = start ? strstr(start, close) : NULL;
    if (!start || !end)
        return xstrdup("'none'");
    start += strlen(open);
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)start, (size_t)(end - start), digest);
    unsigned char b64[64];
    int n = EVP_EncodeBlock(b64, digest, sizeof digest);
    return xasprintf("'sha256-%.*s'", n, (const char *)b64);
}

void dashboard_answer(mock_response_t *resp)
{
    resp->status = 200;
    mock_response_add_header(resp, "Content-Type", "text/html; charset=utf-8");
    char *script = element_hash(dashboard_html, "script");
    char *style = element_hash(dashboard_html, "style");
    mock_response_add_headerf(resp, "Content-Security-Policy",
                              "default-src 'none'; script-src %s; style-src %s; "
                              "connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
                              "form-action 'none'; frame-ancestors 'none'",
                              script, style);
    free(script);
    free(style);
    mock_response_add_header(resp, "X-Frame-Options", "DENY");
    mock_response_add_header(resp, "Referrer-Policy", "no-referrer");
    mock_response_add_header(resp, "Cache-Control", "no-store");
    buf_puts(&resp->body, dashboard_html);
}
