/* fuzzyset-haskell 0.2.4 as PostgREST calls it (getOne with a minimum score):
 * exact case-insensitive match first; otherwise candidates that share n-grams
 * with the query (n = 3, then 2) are ranked by cosine similarity of their gram
 * counts, the top 50 are re-scored by normalised Levenshtein distance, and the
 * best at or above the minimum wins. */
#include "fuzzy.h"

#include "xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FUZZY_MAX_LEN 256
#define FUZZY_TOP     50

/* Lowercase, keep alphanumerics, spaces and commas, pad with '-' (normalise and
 * gramsSize in fuzzyset). */
static size_t normalise(const char *s, char *out)
{
    size_t n = 0;
    out[n++] = '-';
    for (; *s && n < FUZZY_MAX_LEN + 1; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == ' ' || c == ',' || c >= 0x80)
            out[n++] = (char)tolower(c);
    }
    out[n++] = '-';
    out[n] = '\0';
    return n;
}

/* Cosine similarity of the n-gram count vectors of a and b (already padded). */
static double cosine(const char *a, size_t la, const char *b, size_t lb, size_t gram)
{
    if (la < gram || lb < gram)
        return 0;
    size_t na = la - gram + 1, nb = lb - gram + 1;
    double dot = 0, norm_a = 0, norm_b = 0;
    /* Quadratic but tiny: names are short and candidates few. */
    for (size_t i = 0; i < na; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = memcmp(a + k, a + i, gram) == 0;
        if (seen)
            continue;
        double ca = 0, cb = 0;
        for (size_t k = i; k < na; k++)
            ca += memcmp(a + k, a + i, gram) == 0;
        for (size_t k = 0; k < nb; k++)
            cb += memcmp(b + k, a + i, gram) == 0;
        dot += ca * cb;
        norm_a += ca * ca;
    }
    for (size_t i = 0; i < nb; i++) {
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = memcmp(b + k, b + i, gram) == 0;
        if (seen)
            continue;
        double cb = 0;
        for (size_t k = i; k < nb; k++)
            cb += memcmp(b + k, b + i, gram) == 0;
        norm_b += cb * cb;
    }
    if (dot == 0)
        return 0;
    return dot / (sqrt(norm_a) * sqrt(norm_b));
}

size_t fuzzy_levenshtein(const char *a, const char *b, bool fold_case)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = xmalloc((lb + 1) * sizeof *row);
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            unsigned char ca = (unsigned char)a[i - 1], cb = (unsigned char)b[j - 1];
            if (fold_case) {
                ca = (unsigned char)tolower(ca);
                cb = (unsigned char)tolower(cb);
            }
            size_t cost = ca == cb ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}

static double distance_score(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t longest = la > lb ? la : lb;
    if (longest == 0)
        return 1;
    return 1.0 - (double)fuzzy_levenshtein(a, b, true) / (double)longest;
}

typedef struct scored {
    size_t index;
    double score;
} scored_t;

static int by_score_desc(const void *pa, const void *pb)
{
    const scored_t *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score < b->score ? 1 : -1;
    return a->index < b->index ? -1 : (a->index > b->index);
}

int fuzzy_best(const char *query, const char *const *candidates, size_t count, double min_score)
{
    for (size_t i = 0; i < count; i++)
        if (strcasecmp(query, candidates[i]) == 0)
            return (int)i;
    if (count == 0 || strlen(query) > FUZZY_MAX_LEN)
        return -1;
    char q[FUZZY_MAX_LEN + 3], c[FUZZY_MAX_LEN + 3];
    size_t lq = normalise(query, q);
    scored_t *ranked = xcalloc(count, sizeof *ranked);
    int best = -1;
    for (size_t gram = 3; gram >= 2 && best < 0; gram--) {
        size_t n = 0;
        for (size_t i = 0; i < count; i++) {
            if (strlen(candidates[i]) > FUZZY_MAX_LEN)
                continue;
            size_t lc = normalise(candidates[i], c);
            double s = cosine(q, lq, c, lc, gram);
            if (s > 0)
                ranked[n++] = (scored_t){i, s};
        }
        if (n == 0)
            continue;
        qsort(ranked, n, sizeof *ranked, by_score_desc);
        if (n > FUZZY_TOP)
            n = FUZZY_TOP;
        for (size_t k = 0; k < n; k++)
            ranked[k].score = distance_score(query, candidates[ranked[k].index]);
        qsort(ranked, n, sizeof *ranked, by_score_desc);
        /* The minimum applies to the re-scored list; when nothing reaches it
         * the next smaller gram size is tried (fuzzyset-haskell 0.2.4). */
        if (ranked[0].score >= min_score)
            best = (int)ranked[0].index;
    }
    free(ranked);
    return best;
}

double fuzzy_score(const char *query, const char *candidate)
{
    if (strcasecmp(query, candidate) == 0)
        return 1.0;
    char q[FUZZY_MAX_LEN + 3], c[FUZZY_MAX_LEN + 3];
    if (strlen(query) > FUZZY_MAX_LEN || strlen(candidate) > FUZZY_MAX_LEN)
        return 0;
    size_t lq = normalise(query, q), lc = normalise(candidate, c);
    if (cosine(q, lq, c, lc, 3) == 0 && cosine(q, lq, c, lc, 2) == 0)
        return 0;
    return distance_score(query, candidate);
}
