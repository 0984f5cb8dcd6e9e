/* PostgREST's error catalogue: a code (PGRSTxxx or a SQLSTATE) with message,
 * details and hint, the HTTP status PostgREST maps it to, and the bytes and
 * headers it answers with (PostgREST's Error.hs). Producers anywhere below the router
 * fill a pgrst_error_t; rest.c renders it. */
#ifndef MOCK_PGRST_ERROR_H
#define MOCK_PGRST_ERROR_H

#include "buf.h"

#include <stdbool.h>

/* The HTTP response pgrst_error_render fills (base/message.h). */
typedef struct mock_response mock_response_t;

typedef struct pgrst_error {
    char code[16];          /* "" while unset; "PGRST205", "23505", ... */
    int status;             /* 0: derived from code by pgrst_error_status() */
    char *message;          /* owned heap string; never NULL once set */
    char *details;          /* owned; NULL renders as JSON null */
    bool details_json;      /* details is JSON text written as is (PGRST201's array) */
    char *hint;             /* owned; NULL renders as JSON null */
    char *www_authenticate; /* owned; NULL: the default for the status (see render) */
} pgrst_error_t;

void pgrst_error_init(pgrst_error_t *err);
/* Frees the strings and returns err to the unset state; safe on unset errors. */
void pgrst_error_dispose(pgrst_error_t *err);
bool pgrst_error_is_set(const pgrst_error_t *err);

/* Sets code and message (printf), clearing details and hint. Returns -1 so
 * producers can write `return pgrst_error_setf(err, ...)`. */
int pgrst_error_setf(pgrst_error_t *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void pgrst_error_detailsf(pgrst_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Details as a JSON value (compact JSON text, copied), not a string. */
void pgrst_error_details_json(pgrst_error_t *err, const char *json);
void pgrst_error_hintf(pgrst_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Moves src into dst (dst is disposed first); src is left unset. */
void pgrst_error_move(pgrst_error_t *dst, pgrst_error_t *src);

/* HTTP status for a code as PostgREST maps it (Error.hs pgErrorStatus and the
 * PGRST table). `role_is_anon`: the request ran as db-anon-role, which turns
 * 42501 into 401. */
int pgrst_error_status(const pgrst_error_t *err, bool role_is_anon);

/* Writes status, headers and the compact body {"code","details","hint","message"}
 * into resp as PostgREST version `pgrst_major` (12, 13 or 14) would send it:
 * Content-Type always; Content-Length and Proxy-Status from v13; Retry-After on
 * 503; WWW-Authenticate on 401. */
void pgrst_error_render(const pgrst_error_t *err, bool role_is_anon, int pgrst_major,
                        mock_response_t *resp);

/* The Server header PostgREST's Warp sends (Version.hs prettyVersion:
 * major.minor). The minor versions are those of the PostgREST builds Supabase
 * runs (reference: hosted 14.5, older hosted 13.0 and 12.2). */
const char *pgrst_server_header(int pgrst_major);
/* The body bytes alone (for tests and the journal). */
void pgrst_error_body(const pgrst_error_t *err, buf_t *out);

#endif
