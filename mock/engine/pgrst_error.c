/* The PostgREST error catalogue: status mapping (Error.hs pgErrorStatus and the
 * PGRST codes' statuses) and the exact response PostgREST writes.
 * Producers choose code and texts; this file owns only how they go on the wire. */
#include "pgrst_error.h"

#include "message.h"

#include "urlcodec.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pgrst_error_init(pgrst_error_t *err)
{
    memset(err, 0, sizeof *err);
}

void pgrst_error_dispose(pgrst_error_t *err)
{
    free(err->message);
    free(err->details);
    free(err->hint);
    free(err->www_authenticate);
    pgrst_error_init(err);
}

bool pgrst_error_is_set(const pgrst_error_t *err)
{
    return err->code[0] != '\0';
}

int pgrst_error_setf(pgrst_error_t *err, const char *code, const char *fmt, ...)
{
    pgrst_error_dispose(err);
    MOCK_ASSERT(strlen(code) < sizeof err->code);
    strcpy(err->code, code);
    va_list ap;
    va_start(ap, fmt);
    err->message = xvasprintf(fmt, ap);
    va_end(ap);
    return -1;
}

void pgrst_error_detailsf(pgrst_error_t *err, const char *fmt, ...)
{
    free(err->details);
    va_list ap;
    va_start(ap, fmt);
    err->details = xvasprintf(fmt, ap);
    err->details_json = false;
    va_end(ap);
}

void pgrst_error_details_json(pgrst_error_t *err, const char *json)
{
    free(err->details);
    err->details = xstrdup(json);
    err->details_json = true;
}

void pgrst_error_hintf(pgrst_error_t *err, const char *fmt, ...)
{
    free(err->hint);
    va_list ap;
    va_start(ap, fmt);
    err->hint = xvasprintf(fmt, ap);
    va_end(ap);
}

void pgrst_error_move(pgrst_error_t *dst, pgrst_error_t *src)
{
    pgrst_error_dispose(dst);
    *dst = *src;
    pgrst_error_init(src);
}

typedef struct pgrst_code_status {
    const char *code;
    int status;
} pgrst_code_status_t;

/* PGRST codes (Error.hs v14.17). PGRST107 is 406 in code even
 * though errors.rst says 415. */
static const pgrst_code_status_t pgrst_codes[] = {
    {"PGRST000", 503}, {"PGRST001", 503}, {"PGRST002", 503}, {"PGRST003", 504}, {"PGRST100", 400},
    {"PGRST101", 405}, {"PGRST102", 400}, {"PGRST103", 416}, {"PGRST105", 405}, {"PGRST106", 406},
    {"PGRST107", 406}, {"PGRST108", 400}, {"PGRST111", 500}, {"PGRST112", 500}, {"PGRST114", 400},
    {"PGRST115", 400}, {"PGRST116", 406}, {"PGRST117", 405}, {"PGRST118", 400}, {"PGRST120", 400},
    {"PGRST121", 500}, {"PGRST122", 400}, {"PGRST123", 400}, {"PGRST124", 400}, {"PGRST125", 404},
    {"PGRST126", 404}, {"PGRST127", 400}, {"PGRST128", 400}, {"PGRST200", 400}, {"PGRST201", 300},
    {"PGRST202", 404}, {"PGRST203", 300}, {"PGRST204", 400}, {"PGRST205", 404}, {"PGRST300", 500},
    {"PGRST301", 401}, {"PGRST302", 401}, {"PGRST303", 401}, {"PGRSTX00", 500},
};

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* pgErrorStatus, first matching row wins (Error.hs). */
static int sqlstate_status(const char *c, const char *message, bool role_is_anon)
{
    if (starts(c, "08"))
        return 503;
    if (starts(c, "09"))
        return 500;
    if (starts(c, "0L") || starts(c, "0P"))
        return 403;
    if (strcmp(c, "23503") == 0 || strcmp(c, "23505") == 0)
        return 409;
    if (strcmp(c, "25006") == 0)
        return 405;
    if (strcmp(c, "21000") == 0)
        return ends(message, "requires a WHERE clause") ? 400 : 500;
    if (strcmp(c, "22023") == 0)
        return starts(message, "role ") && ends(message, " does not exist") ? 401 : 400;
    if (starts(c, "25"))
        return 500;
    if (starts(c, "28"))
        return 403;
    if (starts(c, "2D") || starts(c, "38") || starts(c, "39") || starts(c, "3B") || starts(c, "40"))
        return 500;
    if (strcmp(c, "53400") == 0)
        return 500;
    if (starts(c, "53"))
        return 503;
    if (starts(c, "54") || starts(c, "55"))
        return 500;
    if (strcmp(c, "57P01") == 0)
        return 503;
    if (starts(c, "57") || starts(c, "58") || starts(c, "F0") || starts(c, "HV"))
        return 500;
    if (strcmp(c, "P0001") == 0)
        return 400;
    if (starts(c, "P0") || starts(c, "XX"))
        return 500;
    if (strcmp(c, "42883") == 0)
        return starts(message, "function xmlagg(") ? 406 : 404;
    if (strcmp(c, "42P01") == 0)
        return 404;
    if (strcmp(c, "42P17") == 0)
        return 500;
    if (strcmp(c, "42501") == 0)
        return role_is_anon ? 401 : 403;
    if (starts(c, "PT")) {
        /* Error.hs: readMaybe of the rest; anything but a number is a 500. */
        const char *d = c + 2;
        bool digits = *d != '\0';
        for (const char *p = d; *p; p++)
            digits = digits && *p >= '0' && *p <= '9';
        int status = digits && strlen(d) <= 3 ? atoi(d) : 0;
        return status >= 100 && status <= 599 ? status : 500;
    }
    return 400;
}

int pgrst_error_status(const pgrst_error_t *err, bool role_is_anon)
{
    if (err->status)
        return err->status;
    if (starts(err->code, "PGRST")) {
        for (size_t i = 0; i < sizeof pgrst_codes / sizeof pgrst_codes[0]; i++)
            if (strcmp(pgrst_codes[i].code, err->code) == 0)
                return pgrst_codes[i].status;
        return 500;
    }
    return sqlstate_status(err->code, err->message ? err->message : "", role_is_anon);
}

/* A JSON string; URL_NUL (a NUL from the query string, urlcodec.h) is the
 * character it stands for, which aeson writes as \u0000. */
static void put_text(buf_t *out, const char *s)
{
    const char *nul = strstr(s, URL_NUL);
    if (!nul) {
        buf_put_json_string(out, s);
        return;
    }
    buf_t t;
    buf_init(&t);
    buf_put_json_string(&t, s); /* URL_NUL's bytes pass through unescaped */
    const char *p = buf_cstr(&t);
    while ((nul = strstr(p, URL_NUL)) != NULL) {
        buf_append(out, p, (size_t)(nul - p));
        buf_puts(out, "\\u0000");
        p = nul + 2;
    }
    buf_puts(out, p);
    buf_dispose(&t);
}

static void put_nullable(buf_t *out, const char *s)
{
    if (s)
        put_text(out, s);
    else
        buf_puts(out, "null");
}

void pgrst_error_body(const pgrst_error_t *err, buf_t *out)
{
    /* aeson >= 2 orders keys alphabetically and prints compactly (Error.hs toJsonPgrstError). */
    buf_puts(out, "{\"code\":");
    buf_put_json_string(out, err->code);
    buf_puts(out, ",\"details\":");
    if (err->details && err->details_json)
        buf_puts(out, err->details);
    else
        put_nullable(out, err->details);
    buf_puts(out, ",\"hint\":");
    put_nullable(out, err->hint);
    buf_puts(out, ",\"message\":");
    put_text(out, err->message ? err->message : "");
    buf_putc(out, '}');
}

void pgrst_error_render(const pgrst_error_t *err, bool role_is_anon, int pgrst_major,
                        mock_response_t *resp)
{
    resp->status = pgrst_error_status(err, role_is_anon);
    buf_reset(&resp->body);
    pgrst_error_body(err, &resp->body);
    mock_response_add_header(resp, "Content-Type", "application/json; charset=utf-8");
    if (pgrst_major >= 13) {
        /* Proxy-Status since v13.0.0 (CHANGELOG #2967). Content-Length is
         * written by the serialiser; v12 (Warp streaming) sends chunked bodies,
         * which supamock does not imitate. */
        mock_response_add_headerf(resp, "Proxy-Status", "PostgREST; error=%s", err->code);
    }
    if (resp->status == 401) {
        /* Copied: the error is usually disposed before the response is written. */
        mock_response_add_header_copy(resp, "WWW-Authenticate",
                                      err->www_authenticate ? err->www_authenticate : "Bearer");
    }
    if (resp->status == 503) {
        /* addRetryHint: PostgREST's backoff starts at 0 s and doubles; a mock
         * answers as a freshly failing server would, with the first step. */
        mock_response_add_header(resp, "Retry-After", "0");
    }
}

const char *pgrst_server_header(int pgrst_major)
{
    switch (pgrst_major) {
    case 12:
        return "postgrest/12.2";
    case 13:
        return "postgrest/13.0";
    default:
        return "postgrest/14.5";
    }
}
