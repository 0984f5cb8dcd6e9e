/* pg_like.h: LIKE as Postgres runs it, ported from MatchText in
 * src/backend/utils/adt/like_match.c (PostgreSQL 15,
 * https://github.com/postgres/postgres/blob/REL_15_STABLE/src/backend/utils/adt/like_match.c).
 * Its LIKE_ABORT answer ("the text ran out: no later start can match either")
 * is what keeps %a%a%b from backtracking exponentially; every comparison is
 * also charged to the request's work so that a long value cannot hold the
 * loop. ILIKE on a UTF-8 database is lower(text) LIKE lower(pattern) (like.c,
 * Generic_Text_IC_like), folded here with the C.UTF-8 locale. */
#include "pg_like.h"

#include "xalloc.h"

#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

struct pg_like {
    char *pattern; /* lower-cased for ILIKE */
    size_t plen;
    bool icase;
    locale_t loc;
    char *folded; /* scratch: the lower-cased subject */
    size_t folded_cap;
};

enum { LIKE_FALSE = 0, LIKE_TRUE = 1, LIKE_ABORT = -1, LIKE_STOP = -2 };

typedef struct run {
    mock_work_t *w;
    uint64_t pending; /* steps not yet charged */
    bool bad_escape;
} run_t;

/* Charges a step; false once the work stopped. Steps are handed to the work
 * in batches so the hot loop stays a counter. */
static bool step(run_t *r)
{
    if (++r->pending < 4096)
        return true;
    bool ok = mock_work_charge(r->w, r->pending);
    r->pending = 0;
    return ok;
}

/* NextByte and NextChar of like_match.c, for UTF-8. */
#define NEXT_BYTE(p, plen) ((p)++, (plen)--)
static void next_char(const char **t, size_t *tlen)
{
    do {
        (*t)++;
        (*tlen)--;
    } while (*tlen > 0 && (**t & 0xC0) == 0x80);
}

static int match_text(run_t *r, const char *t, size_t tlen, const char *p, size_t plen)
{
    /* Fast path for match-everything pattern */
    if (plen == 1 && *p == '%')
        return LIKE_TRUE;
    while (tlen > 0 && plen > 0) {
        if (!step(r))
            return LIKE_STOP;
        if (*p == '\\') {
            /* Next pattern byte must match literally, whatever it is */
            NEXT_BYTE(p, plen);
            if (plen == 0) {
                r->bad_escape = true;
                return LIKE_STOP;
            }
            if (*p != *t)
                return LIKE_FALSE;
        } else if (*p == '%') {
            /* Any sequence of N _'s and %'s is N _'s and one %: skip them so
             * the search below starts at a literal character. */
            NEXT_BYTE(p, plen);
            while (plen > 0) {
                if (*p == '%') {
                    NEXT_BYTE(p, plen);
                } else if (*p == '_') {
                    if (tlen == 0)
                        return LIKE_ABORT;
                    next_char(&t, &tlen);
                    NEXT_BYTE(p, plen);
                } else {
                    break;
                }
            }
            if (plen == 0)
                return LIKE_TRUE;
            char firstpat;
            if (*p == '\\') {
                if (plen < 2) {
                    r->bad_escape = true;
                    return LIKE_STOP;
                }
                firstpat = p[1];
            } else {
                firstpat = *p;
            }
            while (tlen > 0) {
                if (!step(r))
                    return LIKE_STOP;
                if (*t == firstpat) {
                    int matched = match_text(r, t, tlen, p, plen);
                    if (matched != LIKE_FALSE)
                        return matched; /* TRUE, ABORT or STOP */
                }
                next_char(&t, &tlen);
            }
            /* End of text with no match: no later start can match either. */
            return LIKE_ABORT;
        } else if (*p == '_') {
            next_char(&t, &tlen);
            NEXT_BYTE(p, plen);
            continue;
        } else if (*p != *t) {
            return LIKE_FALSE;
        }
        /* Bytes, not characters, are safe here: a multibyte character that
         * matched its first byte matches byte by byte, and no continuation
         * byte looks like % or _ or \. */
        NEXT_BYTE(t, tlen);
        NEXT_BYTE(p, plen);
    }
    if (tlen > 0)
        return LIKE_FALSE;
    while (plen > 0 && *p == '%')
        NEXT_BYTE(p, plen);
    if (plen == 0)
        return LIKE_TRUE;
    return LIKE_ABORT;
}

/* Lower-cases UTF-8 s into *out (grown as needed); returns the length. */
static size_t fold(locale_t loc, const char *s, size_t len, char **out, size_t *cap)
{
    if (*cap < 4 * len + 1) {
        *cap = 4 * len + 1;
        *out = xrealloc(*out, *cap);
    }
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned char b = u[i];
        if (b < 0x80) {
            (*out)[o++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
            i++;
            continue;
        }
        int n = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
        uint32_t c = b & (0x3F >> n);
        bool ok = n > 0 && i + (size_t)n < len;
        for (int k = 1; ok && k <= n; k++) {
            if ((u[i + (size_t)k] & 0xC0) != 0x80)
                ok = false;
            else
                c = (c << 6) | (u[i + (size_t)k] & 0x3F);
        }
        if (!ok) {
            (*out)[o++] = (char)b;
            i++;
            continue;
        }
        i += (size_t)n + 1;
        if (loc)
            c = (uint32_t)towlower_l((wint_t)c, loc);
        if (c < 0x80) {
            (*out)[o++] = (char)c;
        } else if (c < 0x800) {
            (*out)[o++] = (char)(0xC0 | (c >> 6));
            (*out)[o++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            (*out)[o++] = (char)(0xE0 | (c >> 12));
            (*out)[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            (*out)[o++] = (char)(0x80 | (c & 0x3F));
        } else {
            (*out)[o++] = (char)(0xF0 | (c >> 18));
            (*out)[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
            (*out)[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            (*out)[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    (*out)[o] = '\0';
    return o;
}

pg_like_t *pg_like_compile(const char *pattern, bool icase)
{
    pg_like_t *lk = xcalloc(1, sizeof *lk);
    lk->icase = icase;
    if (icase) {
        lk->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
        size_t cap = 0;
        lk->plen = fold(lk->loc, pattern, strlen(pattern), &lk->pattern, &cap);
    } else {
        lk->pattern = xstrdup(pattern);
        lk->plen = strlen(pattern);
    }
    return lk;
}

void pg_like_free(pg_like_t *lk)
{
    if (!lk)
        return;
    if (lk->loc)
        freelocale(lk->loc);
    free(lk->pattern);
    free(lk->folded);
    free(lk);
}

int pg_like_match(pg_like_t *lk, const char *s, size_t len, mock_work_t *w)
{
    run_t r = {.w = w};
    if (lk->icase) {
        /* Folding is a pass over the value: charge it like the comparisons. */
        if (!mock_work_charge(w, len / 8 + 1))
            return -1;
        len = fold(lk->loc, s, len, &lk->folded, &lk->folded_cap);
        s = lk->folded;
    }
    int m = match_text(&r, s, len, lk->pattern, lk->plen);
    bool charged = mock_work_charge(w, r.pending);
    if (r.bad_escape) {
        if (!w)
            return 0;
        mock_work_fail(w, "22025", "LIKE pattern must not end with escape character");
        return -1;
    }
    if (m == LIKE_STOP || !charged)
        return -1;
    return m == LIKE_TRUE ? 1 : 0;
}
