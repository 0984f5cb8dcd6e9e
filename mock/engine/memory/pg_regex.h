/* Postgres's `~` and `~*` (PostgREST's match and imatch): Henry Spencer's
 * advanced regular expressions (ARE), compiled and matched with a bounded
 * amount of work. Matching only answers "is there a match anywhere"; that is
 * all a WHERE clause asks. */
#ifndef MOCK_PG_REGEX_H
#define MOCK_PG_REGEX_H

#include "work.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct pg_regex pg_regex_t;

/* Compiles `pattern` (UTF-8, len bytes) as Postgres does for `~` (icase:
 * `~*`). On error returns NULL and sets *message to Postgres's regerror text,
 * the part after "invalid regular expression: " (a static string). The
 * caller owns the result and frees it with pg_regex_free. */
pg_regex_t *pg_regex_compile(const char *pattern, size_t len, bool icase, const char **message);
void pg_regex_free(pg_regex_t *re);

/* Does the regex match somewhere in s (UTF-8, len bytes)? 1 yes, 0 no, -1
 * when the work stopped (its steps ran out, or a backreference search needed
 * more than MOCK_REGEX_MAX_BACKTRACK choice points, which marks w exhausted).
 * Each call charges its steps to w (NULL: unbounded steps; memory stays
 * bounded). Not reentrant on the same regex: it keeps scratch space. */
int pg_regex_match(pg_regex_t *re, const char *s, size_t len, mock_work_t *w);

#endif
