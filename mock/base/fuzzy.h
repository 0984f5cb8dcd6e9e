/* The "Perhaps you meant" matcher PostgREST uses for PGRST205/PGRST202 hints:
 * the Haskell fuzzyset 0.2.x algorithm
 * (laserpants/fuzzyset-haskell v0.2.4). Pure. */
#ifndef MOCK_FUZZY_H
#define MOCK_FUZZY_H

#include <stdbool.h>
#include <stddef.h>

/* v14.6+ threshold for table and function names; 0.33 before v14.6. */
#define FUZZY_MIN_SCORE_TABLES 0.75
#define FUZZY_MIN_SCORE_LEGACY 0.33

/* Index of the best candidate for `query` scoring at least min_score, or -1.
 * Equal scores keep the earlier candidate (PostgREST's order there comes from
 * HashMap iteration and is not reproducible; see reference Open questions). */
int fuzzy_best(const char *query, const char *const *candidates, size_t count, double min_score);
/* Levenshtein distance between a and b (unit costs); `fold_case` compares
 * ASCII letters case-insensitively. Used by every "did you mean" in supamock. */
size_t fuzzy_levenshtein(const char *a, const char *b, bool fold_case);

/* The score fuzzyset gives `candidate` for `query` (1.0 for a case-insensitive
 * exact match), or 0 when they share no 2-gram. For tests. */
double fuzzy_score(const char *query, const char *candidate);

#endif
