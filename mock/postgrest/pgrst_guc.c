/* overrideStatusHeaders (Response.hs) with GucHeader.hs's decoding. The
 * headers are validated as a whole before anything changes, as the Haskell
 * decodes them before it builds the response. */
#include "pgrst_guc.h"

#include <cjson/cJSON.h>

#include "caps.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int headers_error(pgrst_error_t *err)
{
    return pgrst_error_setf(err, "PGRST111",
                            "response.headers guc must be a JSON array composed of objects with a "
                            "single key and a string value");
}

/* A header name (a token) or value (no CR, LF or NUL) fit to write. */
static bool safe(const char *s, bool name)
{
    if (name && !*s)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\r' || *p == '\n')
            return false;
        if (name && (*p <= ' ' || *p == ':' || *p >= 0x7f))
            return false;
    }
    return true;
}

int pgrst_guc_apply(const char *status, const char *headers, arena_t *arena, mock_response_t *resp,
                    pgrst_error_t *err)
{
    int code = -1;
    if (status) {
        /* Data.Text.Read.decimal: leading digits, the rest ignored. */
        if (!isdigit((unsigned char)status[0]))
            return pgrst_error_setf(err, "PGRST112",
                                    "response.status guc must be a valid status code");
        code = 0;
        for (const char *p = status; isdigit((unsigned char)*p) && code < 100000; p++)
            code = code * 10 + (*p - '0');
        /* Warp would write any number; the server here writes only real
         * status lines. */
        if (code < 100 || code > 599)
            return pgrst_error_setf(err, "PGRST112",
                                    "response.status guc must be a valid status code");
    }
    cJSON *list = NULL;
    if (headers) {
        list = cJSON_Parse(headers);
        if (!cJSON_IsArray(list)) {
            cJSON_Delete(list);
            return headers_error(err);
        }
        const cJSON *h;
        cJSON_ArrayForEach(h, list)
        {
            if (!cJSON_IsObject(h) || !h->child || h->child->next || !cJSON_IsString(h->child)) {
                cJSON_Delete(list);
                return headers_error(err);
            }
        }
        /* Drop the answer's headers that a GUC header names, then append. */
        const cJSON *g;
        cJSON_ArrayForEach(g, list)
        {
            size_t k = 0;
            for (size_t i = 0; i < resp->header_count; i++)
                if (strcasecmp(resp->headers[i].name, g->child->string) != 0)
                    resp->headers[k++] = resp->headers[i];
            resp->header_count = k;
        }
        cJSON_ArrayForEach(g, list)
        {
            /* Bounded: room stays for the headers added after this (Date,
             * CORS); a name or value that would break the header block is
             * not written. */
            if (resp->header_count + 8 >= MOCK_MAX_RESPONSE_HEADERS)
                break;
            if (!safe(g->child->string, true) || !safe(g->child->valuestring, false))
                continue;
            mock_response_add_header(resp, arena_strdup(arena, g->child->string),
                                     arena_strdup(arena, g->child->valuestring));
        }
        cJSON_Delete(list);
    }
    if (code >= 0)
        resp->status = code;
    return 0;
}
