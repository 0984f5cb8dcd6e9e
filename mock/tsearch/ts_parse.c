/* A subset of Postgres's default text-search parser (wparser_def.c): the
 * token kinds that text searches meet in ordinary prose. Not the full state
 * machine: URLs, XML tags, entities and 1e5 are not recognised as such. */
#define _XOPEN_SOURCE 700 /* wcwidth */

#include "ts_parse.h"

#include "xalloc.h"

#include <string.h>
#include <wchar.h>
#include <wctype.h>

locale_t ts_utf8_locale(void)
{
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (!l)
        l = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
    return l;
}

void ts_parser_init(ts_parser_t *p, const char *s, size_t n)
{
    memset(p, 0, sizeof *p);
    p->s = s;
    p->n = n;
    p->loc = ts_utf8_locale();
}

void ts_parser_dispose(ts_parser_t *p)
{
    if (p->loc)
        freelocale(p->loc);
    p->loc = (locale_t)0;
}

/* Decodes one UTF-8 character at s[i] (i < n); *len its byte length. Invalid
 * bytes decode as themselves, one byte long (they are not letters). */
static unsigned decode(const char *s, size_t n, size_t i, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned c = u[i];
    size_t need;
    *len = 1;
    if (c < 0x80)
        return c;
    if ((c & 0xE0) == 0xC0)
        need = 1;
    else if ((c & 0xF0) == 0xE0)
        need = 2;
    else if ((c & 0xF8) == 0xF0)
        need = 3;
    else
        return 0xFFFD;
    if (i + need >= n)
        return 0xFFFD;
    unsigned cp = c & (0x3Fu >> need);
    for (size_t k = 1; k <= need; k++) {
        if ((u[i + k] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (u[i + k] & 0x3F);
    }
    *len = need + 1;
    return cp;
}

/* C_MARK: a character of zero display width (a combining mark such as
 * Devanagari's virama), which wparser_def.c's p_isspecial keeps inside a
 * word though it is no letter. */
enum { C_OTHER, C_ALPHA, C_NONASCII_ALPHA, C_DIGIT, C_MARK };

static bool zero_width(locale_t loc, unsigned c)
{
    locale_t old = uselocale(loc);
    int w = wcwidth((wchar_t)c);
    uselocale(old);
    return w == 0;
}

static int class_at(const ts_parser_t *p, size_t i, size_t *len)
{
    unsigned c = decode(p->s, p->n, i, len);
    if (c < 0x80) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            return C_ALPHA;
        if (c >= '0' && c <= '9')
            return C_DIGIT;
        return C_OTHER;
    }
    if (c != 0xFFFD && p->loc && iswalpha_l((wint_t)c, p->loc))
        return C_NONASCII_ALPHA;
    if (c != 0xFFFD && p->loc && zero_width(p->loc, c))
        return C_MARK;
    return C_OTHER;
}

/* A run of letters and digits from i: its end, and what it holds. */
typedef struct run {
    size_t end;
    bool alpha, nonascii, digit;
} run_t;

static run_t scan_run(const ts_parser_t *p, size_t i)
{
    run_t r = {i, false, false, false};
    while (r.end < p->n) {
        size_t len;
        int k = class_at(p, r.end, &len);
        if (k == C_OTHER || (k == C_MARK && r.end == i))
            break;
        r.alpha |= k != C_DIGIT;
        r.nonascii |= k == C_NONASCII_ALPHA;
        r.digit |= k == C_DIGIT;
        r.end += len;
    }
    return r;
}

static bool alnum_at(const ts_parser_t *p, size_t i)
{
    size_t len;
    int k = i < p->n ? class_at(p, i, &len) : C_OTHER;
    return k != C_OTHER && k != C_MARK;
}

static bool digit_at(const ts_parser_t *p, size_t i)
{
    return i < p->n && p->s[i] >= '0' && p->s[i] <= '9';
}

static ts_token_type_t word_type(run_t r)
{
    if (r.digit && r.alpha)
        return TS_TOK_NUMWORD;
    if (!r.alpha)
        return TS_TOK_UINT;
    return r.nonascii ? TS_TOK_WORD : TS_TOK_ASCIIWORD;
}

static bool next_part(ts_parser_t *p, ts_token_t *tok)
{
    run_t r = scan_run(p, p->part_at);
    tok->start = p->part_at;
    tok->len = r.end - p->part_at;
    tok->type = r.digit      ? TS_TOK_HWORD_NUMPART
                : r.nonascii ? TS_TOK_HWORD_PART
                             : TS_TOK_HWORD_ASCIIPART;
    p->part_at = r.end < p->part_end ? r.end + 1 : p->part_end; /* past the hyphen */
    return true;
}

/* From a run at i: a dotted name (host, file, version, float), an email, a
 * hyphenated word, or the run itself. */
static void word_token(ts_parser_t *p, size_t i, ts_token_t *tok)
{
    run_t first = scan_run(p, i);
    size_t end = first.end;
    /* Dotted: run(.run)+ */
    size_t labels = 1;
    bool all_digits = !first.alpha, last_alpha_only = first.alpha && !first.digit;
    size_t last_len = first.end - i;
    while (end + 1 < p->n && p->s[end] == '.' && alnum_at(p, end + 1)) {
        run_t r = scan_run(p, end + 1);
        labels++;
        all_digits &= !r.alpha;
        last_alpha_only = r.alpha && !r.digit;
        last_len = r.end - end - 1;
        end = r.end;
    }
    if (end < p->n && p->s[end] == '@' && alnum_at(p, end + 1)) {
        /* local@host.tld */
        size_t h = end + 1;
        run_t r = scan_run(p, h);
        size_t hend = r.end, hl = 1, tld_len = r.end - h;
        bool tld_alpha = r.alpha && !r.digit;
        while (hend + 1 < p->n && p->s[hend] == '.' && alnum_at(p, hend + 1)) {
            run_t q = scan_run(p, hend + 1);
            tld_alpha = q.alpha && !q.digit;
            tld_len = q.end - hend - 1;
            hend = q.end;
            hl++;
        }
        if (hl >= 2 && tld_alpha && tld_len >= 2) {
            tok->type = TS_TOK_EMAIL;
            tok->start = i;
            tok->len = hend - i;
            p->at = hend;
            return;
        }
    }
    if (labels >= 2) {
        tok->start = i;
        tok->len = end - i;
        p->at = end;
        if (all_digits)
            tok->type = labels == 2 ? TS_TOK_FLOAT : TS_TOK_VERSION;
        else if (last_alpha_only && last_len >= 2)
            tok->type = TS_TOK_HOST;
        else
            tok->type = TS_TOK_FILE;
        return;
    }
    /* Hyphenated: run(-run)+ where every later part holds a letter. */
    size_t hend = first.end;
    bool nonascii = first.nonascii, digit = first.digit;
    size_t parts = 1;
    while (hend + 1 < p->n && p->s[hend] == '-' && alnum_at(p, hend + 1)) {
        run_t r = scan_run(p, hend + 1);
        if (!r.alpha)
            break;
        nonascii |= r.nonascii;
        digit |= r.digit;
        hend = r.end;
        parts++;
    }
    if (parts >= 2 && first.alpha) {
        tok->type = digit ? TS_TOK_NUMHWORD : nonascii ? TS_TOK_HWORD : TS_TOK_ASCIIHWORD;
        tok->start = i;
        tok->len = hend - i;
        p->part_at = i;
        p->part_end = hend;
        p->at = hend;
        return;
    }
    tok->type = word_type(first);
    tok->start = i;
    tok->len = first.end - i;
    p->at = first.end;
}

bool ts_parser_next(ts_parser_t *p, ts_token_t *tok)
{
    if (p->part_at < p->part_end)
        return next_part(p, tok);
    while (p->at < p->n) {
        size_t i = p->at, len;
        int k = class_at(p, i, &len);
        if (k != C_OTHER && k != C_MARK) {
            word_token(p, i, tok);
            return true;
        }
        /* A signed number: -7, +4, -3.5 (not inside a word: the previous
         * character is no letter or digit, which holds here by construction). */
        if ((p->s[i] == '-' || p->s[i] == '+') && digit_at(p, i + 1)) {
            run_t r = scan_run(p, i + 1);
            if (!r.alpha) {
                size_t end = r.end;
                ts_token_type_t type = TS_TOK_INT;
                if (end + 1 < p->n && p->s[end] == '.' && digit_at(p, end + 1)) {
                    run_t f = scan_run(p, end + 1);
                    if (!f.alpha) {
                        end = f.end;
                        type = TS_TOK_FLOAT;
                    }
                }
                tok->type = type;
                tok->start = i;
                tok->len = end - i;
                p->at = end;
                return true;
            }
        }
        p->at += len;
    }
    return false;
}

char *ts_lower(locale_t loc, const char *s, size_t n, size_t *out_len)
{
    char *out = xmalloc(n + 1); /* never longer than the input: see below */
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        unsigned c = decode(s, n, i, &len);
        if (c < 0x80) {
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        } else if (c == 0xFFFD && len == 1) {
            out[o++] = s[i];
        } else {
            unsigned l = loc ? (unsigned)towlower_l((wint_t)c, loc) : c;
            char enc[4];
            size_t el;
            if (l < 0x80)
                enc[0] = (char)l, el = 1;
            else if (l < 0x800)
                enc[0] = (char)(0xC0 | (l >> 6)), enc[1] = (char)(0x80 | (l & 0x3F)), el = 2;
            else if (l < 0x10000)
                enc[0] = (char)(0xE0 | (l >> 12)), enc[1] = (char)(0x80 | ((l >> 6) & 0x3F)),
                enc[2] = (char)(0x80 | (l & 0x3F)), el = 3;
            else
                enc[0] = (char)(0xF0 | (l >> 18)), enc[1] = (char)(0x80 | ((l >> 12) & 0x3F)),
                enc[2] = (char)(0x80 | ((l >> 6) & 0x3F)), enc[3] = (char)(0x80 | (l & 0x3F)),
                el = 4;
            if (el > len) {
                /* Never in practice (lowering keeps the UTF-8 length here),
                 * but the buffer is sized for the original: keep it. */
                memcpy(out + o, s + i, len);
                o += len;
            } else {
                memcpy(out + o, enc, el);
                o += el;
            }
        }
        i += len;
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}
