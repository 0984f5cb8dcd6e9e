/* The request as PostgREST hands it to the database in request.headers and
 * request.cookies (PreQuery.hs txVarQuery, ApiRequest.hs iHeaders/iCookies):
 * JSON objects of strings. Only the database engine uses them. */
#ifndef MOCK_PGRST_TXVARS_H
#define MOCK_PGRST_TXVARS_H

#include "arena.h"
#include "message.h"

/* Every header but Cookie, names lowercased as received, a repeated name
 * keeping its last value (HM.fromList). Lives in arena. */
const char *pgrst_headers_json(arena_t *arena, const mock_request_t *req);
/* The Cookie header's name=value pairs (Web.Cookie parseCookies: split on
 * ';', spaces trimmed, the last of a repeated name wins). Lives in arena. */
const char *pgrst_cookies_json(arena_t *arena, const mock_request_t *req);

#endif
