/* Postgres's LIKE and ILIKE (PostgREST's like and ilike, `*` already turned
 * into `%`), with the default escape character, the backslash. Matching is
 * Postgres's MatchText: at most O(text x pattern) comparisons, each charged to
 * the request's work. */
#ifndef MOCK_PG_LIKE_H
#define MOCK_PG_LIKE_H

#include "work.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct pg_like pg_like_t;

/* Compiles `pattern` (UTF-8, NUL-terminated). ILIKE (icase) folds the
 * pattern and each subject to lower case as Postgres does for a multibyte
 * database. The caller frees the result with pg_like_free. */
pg_like_t *pg_like_compile(const char *pattern, bool icase);
void pg_like_free(pg_like_t *lk);

/* 1 match, 0 no match, -1 the work stopped: its steps ran out, or the
 * pattern ends with the escape character and matching reached it, which
 * records Postgres's 22025 "LIKE pattern must not end with escape character"
 * in w (with w NULL the answer is then 0). Not reentrant on the same lk. */
int pg_like_match(pg_like_t *lk, const char *s, size_t len, mock_work_t *w);

#endif
