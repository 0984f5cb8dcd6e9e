/* The URL codec every wing shares: form decoding of query strings, path
 * decoding of request targets, and the percent-encoding PostgREST writes into
 * Location and Content-Location. Pure functions over an arena; no parsing of
 * what the parameters mean. */
#ifndef MOCK_URLCODEC_H
#define MOCK_URLCODEC_H

#include "arena.h"
#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Form-decodes s[0..n) ('+' is a space, %XX bytes) into the arena, as
 * Haskell's urlDecode does for PostgREST's query string: invalid escapes are
 * kept literally. The result is NUL-terminated; a decoded %00 ends it early. */
char *url_form_decode(arena_t *arena, const char *s, size_t n);

/* Steps through the name=value pairs of a query string: start with *cursor
 * at the query (NULL is an empty one) and call until it returns false. Empty
 * pairs ("a&&b") are skipped; a pair without '=' has the value "". Name and
 * value are form-decoded into arena. */
bool url_query_next(arena_t *arena, const char **cursor, const char **name, const char **value);

/* The form-decoded value of the first parameter called `name` (decoded names
 * compared), or NULL when there is none. */
const char *url_query_param(arena_t *arena, const char *query, const char *name);

/* Where url_form_decode_text keeps a decoded NUL: the two bytes C0 80 (the
 * "modified UTF-8" of Java's DataInput), which UTF-8 text never contains. */
#define URL_NUL "\xC0\x80"

/* Form-decodes s[0..n) as url_form_decode does, for text that must be UTF-8,
 * as PostgREST's query parameters must be (T.decodeUtf8 in QueryParams.hs).
 * Returns NULL when the decoded bytes are not UTF-8 (overlong forms,
 * surrogates and code points past U+10FFFF included). A decoded %00 becomes
 * URL_NUL, so the result stays one C string and still shows the NUL. */
char *url_form_decode_text(arena_t *arena, const char *s, size_t n);

/* Percent-decodes a request path src[0..n) into the arena ('+' stays '+').
 * Malformed escapes and %00 are kept literally so the result is a proper C
 * string. */
char *url_path_decode(arena_t *arena, const char *src, size_t n);

/* Network.HTTP.Base.urlEncode, as PostgREST encodes Content-Location and
 * Location: unreserved characters (ALPHA / DIGIT / "-._~") stay, every other
 * byte is %XX in upper case; URL_NUL is the NUL it stands for, %00. */
void url_encode(buf_t *out, const char *s);

#endif
