/* The URL codec every wing shares: form decoding of query strings, path
 * decoding of request targets, and the percent-encoding PostgREST writes into
 * Location and Content-Location. Pure functions over an arena; no parsing of
 * what the parameters mean. */
#ifndef MOCK_URLCODEC_H
#define MOCK_URLCODEC_H

#include "arena.h"
#include "buf.h"

#include <stddef.h>

/* Form-decodes s[0..n) ('+' is a space, %XX bytes) into the arena, as
 * Haskell's urlDecode does for PostgREST's query string: invalid escapes are
 * kept literally. The result is NUL-terminated; a decoded %00 ends it early. */
char *url_form_decode(arena_t *arena, const char *s, size_t n);

/* Percent-decodes a request path src[0..n) into the arena ('+' stays '+').
 * Malformed escapes and %00 are kept literally so the result is a proper C
 * string. */
char *url_path_decode(arena_t *arena, const char *src, size_t n);

/* Network.HTTP.Base.urlEncode, as PostgREST encodes Content-Location and
 * Location: unreserved characters (ALPHA / DIGIT / "-._~") stay, every other
 * byte is %XX in upper case. */
void url_encode(buf_t *out, const char *s);

#endif
