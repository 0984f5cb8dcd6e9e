/* PostgREST's request language: query string (QueryParams.hs), Prefer
 * (Preferences.hs), Accept (MediaType.hs + wai-extra parseHttpAccept) and Range.
 * Parse errors are produced by a small emulation of Parsec's error merging, so
 * PGRST100 messages and details come out as PostgREST's Parsec parsers print them.
 * It does not know tables or columns and does not evaluate anything. */
#include "pgrst_query.h"

#include "urlcodec.h"

#include "buf.h"
#include "caps.h"
#include "xalloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Arena vectors                                                             */
/* ------------------------------------------------------------------------ */

typedef struct vec {
    void *data;
    size_t len, cap, elem;
} vec_t;

static void vec_init(vec_t *v, size_t elem)
{
    v->data = NULL;
    v->len = v->cap = 0;
    v->elem = elem;
}

/* Returns a zeroed slot; storage lives in the arena (old blocks are simply left behind). */
static void *vec_push(arena_t *a, vec_t *v)
{
    if (v->len == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 4;
        void *nd = arena_alloc(a, ncap * v->elem);
        if (v->len)
            memcpy(nd, v->data, v->len * v->elem);
        v->data = nd;
        v->cap = ncap;
    }
    void *slot = (char *)v->data + v->len * v->elem;
    memset(slot, 0, v->elem);
    v->len++;
    return slot;
}

/* ------------------------------------------------------------------------ */
/* Parsec emulation                                                          */
/*                                                                           */
/* Mirrors parsec-3.1 (Text.Parsec.Prim/Error): a result is ok/error and      */
/* consumed/empty, and carries a ParseError (position + messages). bind, <|>, */
/* try, <?>, many, lookAhead and notFollowedBy merge errors exactly as parsec  */
/* does, so the rendered message is the one PostgREST prints.                 */
/* ------------------------------------------------------------------------ */

enum { M_SYSUNEXPECT, M_UNEXPECT, M_EXPECT, M_MESSAGE };

typedef struct pmsg {
    int kind;
    const char *text;
} pmsg_t;

typedef struct perr {
    long line, col;
    const pmsg_t *m; /* arena array, never mutated once built */
    size_t n;        /* 0: parsec's "unknown error" */
} perr_t;

typedef struct ppos {
    size_t off;
    long line, col;
} ppos_t;

typedef struct ps {
    arena_t *a;
    const char *s;
    size_t len;
    ppos_t pos;
} ps_t;

typedef struct pr {
    bool ok;
    bool consumed;
    perr_t err;
} pr_t;

static perr_t err_unknown(ppos_t p)
{
    perr_t e = {p.line, p.col, NULL, 0};
    return e;
}

static perr_t err_new(ps_t *ps, ppos_t p, int kind, const char *text)
{
    pmsg_t *m = arena_alloc(ps->a, sizeof *m);
    m->kind = kind;
    m->text = text;
    perr_t e = {p.line, p.col, m, 1};
    return e;
}

static perr_t err_add(ps_t *ps, perr_t e, int kind, const char *text)
{
    pmsg_t *m = arena_alloc(ps->a, (e.n + 1) * sizeof *m);
    if (e.n)
        memcpy(m, e.m, e.n * sizeof *m);
    m[e.n].kind = kind;
    m[e.n].text = text;
    e.m = m;
    e.n++;
    return e;
}

/* Text.Parsec.Error.mergeError. */
static perr_t err_merge(ps_t *ps, perr_t e1, perr_t e2)
{
    if (e2.n == 0 && e1.n > 0)
        return e1;
    if (e1.n == 0 && e2.n > 0)
        return e2;
    if (e1.line != e2.line)
        return e1.line > e2.line ? e1 : e2;
    if (e1.col != e2.col)
        return e1.col > e2.col ? e1 : e2;
    if (e1.n + e2.n == 0)
        return e1;
    pmsg_t *m = arena_alloc(ps->a, (e1.n + e2.n) * sizeof *m);
    if (e1.n)
        memcpy(m, e1.m, e1.n * sizeof *m);
    if (e2.n)
        memcpy(m + e1.n, e2.m, e2.n * sizeof *m);
    perr_t e = {e1.line, e1.col, m, e1.n + e2.n};
    return e;
}

/* setErrorMessage (Expect label): every Expect is replaced by this one. */
static perr_t err_set_expect(ps_t *ps, perr_t e, const char *label)
{
    pmsg_t *m = arena_alloc(ps->a, (e.n + 1) * sizeof *m);
    size_t n = 0;
    m[n].kind = M_EXPECT;
    m[n++].text = label;
    for (size_t i = 0; i < e.n; i++)
        if (e.m[i].kind != M_EXPECT)
            m[n++] = e.m[i];
    e.m = m;
    e.n = n;
    return e;
}

static pr_t pr_make(bool ok, bool consumed, perr_t err)
{
    pr_t r = {ok, consumed, err};
    return r;
}

/* m >>= k, given that m (a) succeeded and k produced b (parserBind). */
static pr_t pr_seq(ps_t *ps, pr_t a, pr_t b)
{
    if (b.consumed)
        return b;
    b.consumed = a.consumed;
    b.err = a.err.n == 0 ? b.err : err_merge(ps, a.err, b.err);
    return b;
}

/* m <|> n, given that m (a) failed without consuming and n produced b. */
static pr_t pr_alt(ps_t *ps, pr_t a, pr_t b)
{
    if (b.consumed)
        return b;
    b.err = err_merge(ps, a.err, b.err);
    return b;
}

/* try p: a consumed failure becomes an empty one; the caller restores the position. */
static pr_t pr_try(ps_t *ps, pr_t r, ppos_t p0)
{
    if (!r.ok) {
        r.consumed = false;
        ps->pos = p0;
    }
    return r;
}

/* p <?> label (labels in Text.Parsec.Prim). */
static pr_t pr_label(ps_t *ps, pr_t r, const char *label)
{
    if (r.consumed)
        return r;
    if (!r.ok || r.err.n > 0)
        r.err = err_set_expect(ps, r.err, label);
    return r;
}

/* option x p / optionMaybe p after p failed: empty success carrying p's error. */
static pr_t pr_optional(ps_t *ps, pr_t r, ppos_t p0)
{
    if (r.ok || r.consumed)
        return r;
    ps->pos = p0;
    return pr_make(true, false, err_merge(ps, r.err, err_unknown(p0)));
}

/* --- characters --------------------------------------------------------- */

/* Decodes one UTF-8 character; URL_NUL is the NUL it stands for; invalid
 * bytes count as one character each. */
static bool ps_peek(const ps_t *ps, uint32_t *cp, size_t *n)
{
    if (ps->pos.off >= ps->len)
        return false;
    const unsigned char *p = (const unsigned char *)ps->s + ps->pos.off;
    size_t left = ps->len - ps->pos.off;
    uint32_t c = p[0];
    size_t len = 1;
    if (c == (unsigned char)URL_NUL[0] && left >= 2 && p[1] == (unsigned char)URL_NUL[1]) {
        c = 0;
        len = 2;
    } else if (c >= 0xC2 && c <= 0xDF && left >= 2 && (p[1] & 0xC0) == 0x80) {
        c = ((c & 0x1F) << 6) | (p[1] & 0x3F);
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF && left >= 3 && (p[1] & 0xC0) == 0x80 &&
               (p[2] & 0xC0) == 0x80) {
        c = ((c & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        len = 3;
    } else if (c >= 0xF0 && c <= 0xF4 && left >= 4 && (p[1] & 0xC0) == 0x80 &&
               (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80) {
        c = ((c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) | ((uint32_t)(p[2] & 0x3F) << 6) |
            (p[3] & 0x3F);
        len = 4;
    }
    *cp = c;
    *n = len;
    return true;
}

/* Text.Parsec.Pos.updatePosChar. */
static void ps_advance(ps_t *ps, uint32_t c, size_t n)
{
    ps->pos.off += n;
    if (c == '\n') {
        ps->pos.line++;
        ps->pos.col = 1;
    } else if (c == '\t') {
        ps->pos.col = ps->pos.col + 8 - ((ps->pos.col - 1) % 8);
    } else {
        ps->pos.col++;
    }
}

static const char *const ascii_tab[] = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL",
                                        "BS",  "HT",  "LF",  "VT",  "FF",  "CR",  "SO",  "SI",
                                        "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB",
                                        "CAN", "EM",  "SUB", "ESC", "FS",  "GS",  "RS",  "US"};

/* GHC's showLitChar; `quote` is the delimiter that needs a backslash. */
static void show_lit_char(buf_t *b, uint32_t c, char quote)
{
    if (c > 0x7F) {
        buf_printf(b, "\\%u", (unsigned)c);
    } else if (c == 0x7F) {
        buf_puts(b, "\\DEL");
    } else if (c == '\\') {
        buf_puts(b, "\\\\");
    } else if (c == (uint32_t)quote) {
        buf_putc(b, '\\');
        buf_putc(b, quote);
    } else if (c >= ' ') {
        buf_putc(b, (char)c);
    } else {
        switch (c) {
        case '\a':
            buf_puts(b, "\\a");
            break;
        case '\b':
            buf_puts(b, "\\b");
            break;
        case '\f':
            buf_puts(b, "\\f");
            break;
        case '\n':
            buf_puts(b, "\\n");
            break;
        case '\r':
            buf_puts(b, "\\r");
            break;
        case '\t':
            buf_puts(b, "\\t");
            break;
        case '\v':
            buf_puts(b, "\\v");
            break;
        default:
            buf_putc(b, '\\');
            buf_puts(b, ascii_tab[c]);
        }
    }
}

/* show c (a Char: 'x') or show [c] (a String: "x"), into the arena. These
 * run on every failed alternative of every parse, so the plain-ASCII case is
 * built by hand rather than through a heap buffer. */
static const char *show_c(ps_t *ps, uint32_t c, char quote)
{
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != (uint32_t)quote) {
        char *p = arena_alloc(ps->a, 4);
        p[0] = quote;
        p[1] = (char)c;
        p[2] = quote;
        p[3] = '\0';
        return p;
    }
    buf_t b;
    buf_init(&b);
    buf_putc(&b, quote);
    show_lit_char(&b, c, quote);
    buf_putc(&b, quote);
    char *s = arena_strdup(ps->a, buf_cstr(&b));
    buf_dispose(&b);
    return s;
}

static const char *show_str(ps_t *ps, const char *lit)
{
    /* Only for our own ASCII literals, which need no escaping. */
    size_t n = strlen(lit);
    char *p = arena_alloc(ps->a, n + 3);
    p[0] = '"';
    memcpy(p + 1, lit, n);
    p[n + 1] = '"';
    p[n + 2] = '\0';
    return p;
}

typedef bool (*cpred_t)(uint32_t c, const void *arg);

/* satisfy: tokenPrimEx with show [c] for the unexpected token. */
static pr_t p_satisfy(ps_t *ps, cpred_t pred, const void *arg)
{
    ppos_t p0 = ps->pos;
    uint32_t c;
    size_t n;
    if (!ps_peek(ps, &c, &n))
        return pr_make(false, false, err_new(ps, p0, M_SYSUNEXPECT, ""));
    if (!pred(c, arg))
        return pr_make(false, false, err_new(ps, p0, M_SYSUNEXPECT, show_c(ps, c, '"')));
    ps_advance(ps, c, n);
    return pr_make(true, true, err_unknown(ps->pos));
}

static bool pred_eq(uint32_t c, const void *arg)
{
    return c == *(const uint32_t *)arg;
}
static bool pred_any(uint32_t c, const void *arg)
{
    (void)c;
    (void)arg;
    return true;
}
static bool pred_oneof(uint32_t c, const void *arg)
{
    return c < 0x80 && c && strchr(arg, (int)c);
}
static bool pred_noneof(uint32_t c, const void *arg)
{
    return !pred_oneof(c, arg);
}
static bool pred_digit(uint32_t c, const void *arg)
{
    (void)arg;
    return c >= '0' && c <= '9';
}
/* Data.Char.isAlpha: ASCII letters exactly; beyond ASCII an approximation that
 * treats everything except Latin-1 punctuation/symbols as a letter. */
static bool pred_letter(uint32_t c, const void *arg)
{
    (void)arg;
    if (c < 0x80)
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    if (c < 0xC0)
        return c == 0xAA || c == 0xB5 || c == 0xBA;
    return c != 0xD7 && c != 0xF7;
}

/* char c = satisfy (== c) <?> show [c] */
static pr_t p_char(ps_t *ps, char ch)
{
    uint32_t c = (unsigned char)ch;
    return pr_label(ps, p_satisfy(ps, pred_eq, &c), show_c(ps, c, '"'));
}

static pr_t p_letter(ps_t *ps)
{
    return pr_label(ps, p_satisfy(ps, pred_letter, NULL), "letter");
}
static pr_t p_digit(ps_t *ps)
{
    return pr_label(ps, p_satisfy(ps, pred_digit, NULL), "digit");
}

/* string s (tokens): errors are reported at the start position. */
static pr_t p_string(ps_t *ps, const char *s)
{
    ppos_t p0 = ps->pos;
    for (size_t i = 0; s[i]; i++) {
        uint32_t c;
        size_t n;
        if (!ps_peek(ps, &c, &n)) {
            perr_t e = err_add(ps, err_new(ps, p0, M_SYSUNEXPECT, ""), M_EXPECT, show_str(ps, s));
            return pr_make(false, i > 0, e);
        }
        if (c != (unsigned char)s[i]) {
            perr_t e = err_add(ps, err_new(ps, p0, M_SYSUNEXPECT, show_c(ps, c, '"')), M_EXPECT,
                               show_str(ps, s));
            return pr_make(false, i > 0, e);
        }
        ps_advance(ps, c, n);
    }
    return pr_make(true, s[0] != 0, err_unknown(ps->pos));
}

/* eof = notFollowedBy anyToken <?> "end of input" (anyToken does not move the position). */
static pr_t p_eof(ps_t *ps)
{
    ppos_t p0 = ps->pos;
    uint32_t c;
    size_t n;
    if (!ps_peek(ps, &c, &n)) {
        perr_t e = err_add(ps, err_new(ps, p0, M_SYSUNEXPECT, ""), M_EXPECT, "end of input");
        return pr_make(true, false, e);
    }
    perr_t e =
        err_add(ps, err_new(ps, p0, M_UNEXPECT, show_c(ps, c, '\'')), M_EXPECT, "end of input");
    return pr_make(false, false, e);
}

/* try (void $ lookAhead (string s)) */
static pr_t p_try_look_string(ps_t *ps, const char *s)
{
    ppos_t p0 = ps->pos;
    pr_t r = p_string(ps, s);
    if (r.ok) {
        ps->pos = p0;
        return pr_make(true, false, err_unknown(p0));
    }
    return pr_try(ps, r, p0);
}

/* try (void $ lookAhead (char c)) */
static pr_t p_try_look_char(ps_t *ps, char ch)
{
    ppos_t p0 = ps->pos;
    pr_t r = p_char(ps, ch);
    if (r.ok) {
        ps->pos = p0;
        return pr_make(true, false, err_unknown(p0));
    }
    return pr_try(ps, r, p0);
}

/* notFollowedBy p for a one-character parser p: if p matches, an UnExpect
 * (show c) at the position after c; otherwise an empty success carrying p's error. */
static pr_t p_not_followed_by(ps_t *ps, pr_t (*p)(ps_t *, const void *), const void *arg)
{
    ppos_t p0 = ps->pos;
    uint32_t c = 0;
    size_t n;
    (void)ps_peek(ps, &c, &n);
    pr_t r = p(ps, arg);
    if (r.ok) {
        perr_t e = err_new(ps, ps->pos, M_UNEXPECT, show_c(ps, c, '\''));
        ps->pos = p0;
        return pr_make(false, false, e);
    }
    ps->pos = p0;
    return pr_make(true, false, r.err);
}

static pr_t nfb_char(ps_t *ps, const void *arg)
{
    return p_char(ps, *(const char *)arg);
}
static pr_t nfb_noneof(ps_t *ps, const void *arg)
{
    return p_satisfy(ps, pred_noneof, arg);
}

/* many (satisfy pred), appending the matched bytes to out (may be NULL). */
static pr_t p_many_sat(ps_t *ps, cpred_t pred, const void *arg, buf_t *out)
{
    bool consumed = false;
    for (;;) {
        size_t start = ps->pos.off;
        pr_t r = p_satisfy(ps, pred, arg);
        if (!r.ok)
            return pr_make(true, consumed, r.err);
        consumed = true;
        if (out)
            buf_append(out, ps->s + start, ps->pos.off - start);
    }
}

/* ws = many (oneOf " \t") */
static pr_t p_ws(ps_t *ps)
{
    return p_many_sat(ps, pred_oneof, " \t", NULL);
}

/* pDelimiter = char '.' <?> "delimiter (.)" */
static pr_t p_delim(ps_t *ps)
{
    return pr_label(ps, p_char(ps, '.'), "delimiter (.)");
}

static char *buf_to_arena(ps_t *ps, buf_t *b)
{
    char *s = arena_strndup(ps->a, b->data ? b->data : "", b->len);
    buf_dispose(b);
    return s;
}

/* T.strip for the whitespace these parsers can produce. */
static char *strip_ws(ps_t *ps, const char *s)
{
    size_t n = strlen(s);
    while (n && strchr(" \t\n\r\f\v", s[n - 1]))
        n--;
    while (n && strchr(" \t\n\r\f\v", *s)) {
        s++;
        n--;
    }
    return arena_strndup(ps->a, s, n);
}

/* ------------------------------------------------------------------------ */
/* The grammar (QueryParams.hs)                                              */
/* ------------------------------------------------------------------------ */

/* pQuotedValue = char '"' *> many (noneOf "\\\"" <|> (char '\\' *> anyChar)) <* char '"' */
static pr_t p_quoted(ps_t *ps, const char **out)
{
    pr_t r = p_char(ps, '"');
    if (!r.ok)
        return r;
    buf_t b;
    buf_init(&b);
    bool consumed = false;
    pr_t many;
    for (;;) {
        ppos_t p1 = ps->pos;
        pr_t e1 = p_satisfy(ps, pred_noneof, "\\\"");
        if (e1.ok) {
            buf_append(&b, ps->s + p1.off, ps->pos.off - p1.off);
            consumed = true;
            continue;
        }
        ps->pos = p1;
        pr_t e2 = p_char(ps, '\\');
        if (e2.ok) {
            size_t start = ps->pos.off;
            pr_t e3 = pr_seq(ps, e2, p_satisfy(ps, pred_any, NULL));
            if (!e3.ok) {
                buf_dispose(&b);
                return pr_seq(ps, r, e3);
            }
            buf_append(&b, ps->s + start, ps->pos.off - start);
            consumed = true;
            continue;
        }
        ps->pos = p1;
        many = pr_make(true, consumed, err_merge(ps, e1.err, e2.err));
        break;
    }
    r = pr_seq(ps, r, many);
    r = pr_seq(ps, r, p_char(ps, '"'));
    if (!r.ok) {
        buf_dispose(&b);
        return r;
    }
    *out = buf_to_arena(ps, &b);
    return r;
}

/* pIdentifier = T.strip <$> many1 (letter <|> digit <|> oneOf "_ $") */
static pr_t p_ident_char(ps_t *ps)
{
    ppos_t p0 = ps->pos;
    pr_t r = p_letter(ps);
    if (r.ok || r.consumed)
        return r;
    ps->pos = p0;
    r = pr_alt(ps, r, p_digit(ps));
    if (r.ok || r.consumed)
        return r;
    ps->pos = p0;
    return pr_alt(ps, r, p_satisfy(ps, pred_oneof, "_ $"));
}

static pr_t p_identifier(ps_t *ps, const char **out)
{
    size_t start = ps->pos.off;
    pr_t r = p_ident_char(ps);
    if (!r.ok)
        return r;
    bool consumed = false;
    pr_t many;
    for (;;) {
        ppos_t p1 = ps->pos;
        pr_t e = p_ident_char(ps);
        if (!e.ok) {
            ps->pos = p1;
            many = pr_make(true, consumed, e.err);
            break;
        }
        consumed = true;
    }
    r = pr_seq(ps, r, many);
    *out = strip_ws(ps, arena_strndup(ps->a, ps->s + start, ps->pos.off - start));
    return r;
}

/* pJsonKeyIdentifier = T.strip <$> many1 (noneOf "(-:.,>)") */
static pr_t p_json_key_ident(ps_t *ps, const char **out)
{
    size_t start = ps->pos.off;
    pr_t r = p_satisfy(ps, pred_noneof, "(-:.,>)");
    if (!r.ok)
        return r;
    r = pr_seq(ps, r, p_many_sat(ps, pred_noneof, "(-:.,>)", NULL));
    *out = strip_ws(ps, arena_strndup(ps->a, ps->s + start, ps->pos.off - start));
    return r;
}

/* dash = try (char '-' >> notFollowedBy (char '>')) */
static pr_t p_dash(ps_t *ps)
{
    ppos_t p0 = ps->pos;
    pr_t r = p_char(ps, '-');
    if (!r.ok)
        return r;
    r = pr_seq(ps, r, p_not_followed_by(ps, nfb_char, ">"));
    return pr_try(ps, r, p0);
}

/* sepByDash ident = T.intercalate "-" <$> ident `sepBy1` dash */
static pr_t p_sep_by_dash(ps_t *ps, pr_t (*ident)(ps_t *, const char **), const char **out)
{
    const char *part;
    pr_t r = ident(ps, &part);
    if (!r.ok)
        return r;
    buf_t b;
    buf_init(&b);
    buf_puts(&b, part);
    bool consumed = false;
    pr_t many;
    for (;;) {
        ppos_t p1 = ps->pos;
        pr_t e = p_dash(ps);
        if (e.ok)
            e = pr_seq(ps, e, ident(ps, &part));
        if (e.ok) {
            buf_putc(&b, '-');
            buf_puts(&b, part);
            consumed = true;
            continue;
        }
        if (e.consumed) {
            buf_dispose(&b);
            return pr_seq(ps, r, e);
        }
        ps->pos = p1;
        many = pr_make(true, consumed, e.err);
        break;
    }
    r = pr_seq(ps, r, many);
    *out = buf_to_arena(ps, &b);
    return r;
}

/* pFieldName = pQuotedValue <|> sepByDash pIdentifier <?> "field name (* or [a..z0..9_$])" */
static pr_t p_field_name(ps_t *ps, const char **out)
{
    ppos_t p0 = ps->pos;
    pr_t r = p_quoted(ps, out);
    if (!r.ok && !r.consumed) {
        ps->pos = p0;
        r = pr_alt(ps, r, p_sep_by_dash(ps, p_identifier, out));
    }
    return pr_label(ps, r, "field name (* or [a..z0..9_$])");
}

/* pJsonKeyName = pQuotedValue <|> sepByDash pJsonKeyIdentifier <?> "any non reserved ..." */
static pr_t p_json_key_name(ps_t *ps, const char **out)
{
    ppos_t p0 = ps->pos;
    pr_t r = p_quoted(ps, out);
    if (!r.ok && !r.consumed) {
        ps->pos = p0;
        r = pr_alt(ps, r, p_sep_by_dash(ps, p_json_key_ident, out));
    }
    return pr_label(ps, r, "any non reserved character different from: .,>()");
}

/* pEnd of pJsonOperand: lookAhead "->", "::", ".", "," or eof */
static pr_t p_json_end(ps_t *ps)
{
    static const char *const la[] = {"->", "::", ".", ","};
    pr_t r = p_try_look_string(ps, la[0]);
    for (size_t i = 1; i < 4 && !r.ok; i++)
        r = pr_alt(ps, r, p_try_look_string(ps, la[i]));
    if (!r.ok)
        r = pr_alt(ps, r, p_eof(ps));
    return r;
}

/* pJIdx = ((:) <$> option '+' (char '-') <*> many1 digit) <* pEnd, inside try */
static pr_t p_json_idx(ps_t *ps, const char **out)
{
    ppos_t p0 = ps->pos;
    size_t start = ps->pos.off;
    pr_t r = pr_optional(ps, p_char(ps, '-'), p0);
    pr_t d = p_digit(ps);
    r = pr_seq(ps, r, d);
    if (!r.ok)
        return pr_try(ps, r, p0);
    for (bool more = true; more;) { /* many digit, keeping digit's label in the error */
        ppos_t p1 = ps->pos;
        pr_t e = p_digit(ps);
        if (!e.ok) {
            ps->pos = p1;
            r = pr_seq(ps, r, pr_make(true, false, e.err));
            more = false;
        }
    }
    *out = arena_strndup(ps->a, ps->s + start, ps->pos.off - start);
    r = pr_seq(ps, r, p_json_end(ps));
    return pr_try(ps, r, p0);
}

/* pJsonPath = many (pJsonArrow <*> pJsonOperand) */
static pr_t p_json_path(ps_t *ps, vec_t *steps)
{
    bool consumed = false;
    for (;;) {
        ppos_t p0 = ps->pos;
        bool as_text = true;
        pr_t r = pr_try(ps, p_string(ps, "->>"), p0);
        if (!r.ok) {
            as_text = false;
            r = pr_alt(ps, r, pr_try(ps, p_string(ps, "->"), p0));
        }
        if (!r.ok) {
            ps->pos = p0;
            return pr_make(true, consumed, r.err);
        }
        ppos_t p1 = ps->pos;
        const char *val = NULL;
        bool is_index = true;
        pr_t o = p_json_idx(ps, &val);
        if (!o.ok) {
            is_index = false;
            pr_t k = pr_try(ps, p_json_key_name(ps, &val), p1);
            o = pr_alt(ps, o, k);
        }
        r = pr_seq(ps, r, o);
        if (!r.ok)
            return r; /* consumed the arrow: a consumed failure */
        pgrst_json_step_t *st = vec_push(ps->a, steps);
        st->as_text = as_text;
        st->is_index = is_index;
        st->key = val;
        st->index = is_index ? strtol(val, NULL, 10) : 0;
        consumed = true;
    }
}

static void field_from(ps_t *ps, pgrst_field_t *f, const char *name, vec_t *steps)
{
    (void)ps;
    f->name = name;
    f->path = steps->data;
    f->path_len = steps->len;
}

/* pField = lexeme $ (,) <$> pFieldName <*> option [] pJsonPath */
static pr_t p_field(ps_t *ps, pgrst_field_t *f)
{
    pr_t r = p_ws(ps);
    const char *name;
    r = pr_seq(ps, r, p_field_name(ps, &name));
    if (!r.ok)
        return r;
    vec_t steps;
    vec_init(&steps, sizeof(pgrst_json_step_t));
    r = pr_seq(ps, r, p_json_path(ps, &steps));
    if (!r.ok)
        return r;
    field_from(ps, f, name, &steps);
    return pr_seq(ps, r, p_ws(ps));
}

/* pTreePath = (pFieldName `sepBy1` pDelimiter) then option [] pJsonPath */
static pr_t p_tree_path(ps_t *ps, vec_t *path, pgrst_field_t *f)
{
    const char *name;
    pr_t r = p_field_name(ps, &name);
    if (!r.ok)
        return r;
    *(const char **)vec_push(ps->a, path) = name;
    bool consumed = false;
    for (;;) {
        ppos_t p1 = ps->pos;
        pr_t e = p_delim(ps);
        if (e.ok)
            e = pr_seq(ps, e, p_field_name(ps, &name));
        if (e.ok) {
            *(const char **)vec_push(ps->a, path) = name;
            consumed = true;
            continue;
        }
        if (e.consumed)
            return pr_seq(ps, r, e);
        ps->pos = p1;
        r = pr_seq(ps, r, pr_make(true, consumed, e.err));
        break;
    }
    vec_t steps;
    vec_init(&steps, sizeof(pgrst_json_step_t));
    r = pr_seq(ps, r, p_json_path(ps, &steps));
    if (!r.ok)
        return r;
    path->len--; /* the last name is the field; the rest is the embed path */
    field_from(ps, f, ((const char **)path->data)[path->len], &steps);
    return r;
}

/* --- operators ---------------------------------------------------------- */

typedef enum { SVAL_ALL, SVAL_LOGIC } sval_kind_t;

/* pPgArray = "{" ++ many (noneOf "{}") ++ "}" */
static pr_t p_pg_array(ps_t *ps, const char **out)
{
    size_t start = ps->pos.off;
    pr_t r = p_string(ps, "{");
    if (!r.ok)
        return r;
    r = pr_seq(ps, r, p_many_sat(ps, pred_noneof, "{}", NULL));
    r = pr_seq(ps, r, p_string(ps, "}"));
    if (r.ok)
        *out = arena_strndup(ps->a, ps->s + start, ps->pos.off - start);
    return r;
}

/* try (pQuotedValue <* notFollowedBy (noneOf ",)")) */
static pr_t p_quoted_elem(ps_t *ps, const char **out)
{
    ppos_t p0 = ps->pos;
    pr_t r = p_quoted(ps, out);
    if (r.ok)
        r = pr_seq(ps, r, p_not_followed_by(ps, nfb_noneof, ",)"));
    return pr_try(ps, r, p0);
}

/* pSingleVal = many anyChar;
 * pLogicSingleVal = try quoted <|> try pPgArray <|> many (noneOf ",)") */
static pr_t p_sval(ps_t *ps, sval_kind_t kind, const char **out)
{
    if (kind == SVAL_ALL) {
        size_t start = ps->pos.off;
        pr_t r = p_many_sat(ps, pred_any, NULL, NULL);
        *out = arena_strndup(ps->a, ps->s + start, ps->pos.off - start);
        return r;
    }
    ppos_t p0 = ps->pos;
    pr_t r = p_quoted_elem(ps, out);
    if (r.ok)
        return r;
    pr_t a = pr_try(ps, p_pg_array(ps, out), p0);
    r = pr_alt(ps, r, a);
    if (r.ok)
        return r;
    size_t start = ps->pos.off;
    r = pr_alt(ps, r, p_many_sat(ps, pred_noneof, ",)", NULL));
    *out = arena_strndup(ps->a, ps->s + start, ps->pos.off - start);
    return r;
}

/* pListVal = lexeme (char '(') *> pListElement `sepBy1` char ',' <* lexeme (char ')') */
static pr_t p_list_val(ps_t *ps, pgrst_filter_t *f)
{
    pr_t r = p_ws(ps);
    r = pr_seq(ps, r, p_char(ps, '('));
    if (!r.ok)
        return r;
    r = pr_seq(ps, r, p_ws(ps));
    vec_t items;
    vec_init(&items, sizeof(const char *));
    for (bool first = true;; first = false) {
        ppos_t p1 = ps->pos;
        pr_t e = pr_make(true, false, err_unknown(p1));
        if (!first) {
            e = p_char(ps, ',');
            if (!e.ok) {
                ps->pos = p1;
                r = pr_seq(ps, r, pr_make(true, false, e.err));
                break;
            }
        }
        const char *val = NULL;
        ppos_t p2 = ps->pos;
        pr_t el = p_quoted_elem(ps, &val);
        if (!el.ok) {
            size_t start = ps->pos.off;
            el = pr_alt(ps, el, p_many_sat(ps, pred_noneof, ",)", NULL));
            val = arena_strndup(ps->a, ps->s + start, ps->pos.off - start);
        }
        (void)p2;
        e = pr_seq(ps, e, el);
        if (!e.ok)
            return pr_seq(ps, r, e);
        *(const char **)vec_push(ps->a, &items) = val;
        if (first)
            r = pr_seq(ps, r, e);
        else
            r = pr_seq(ps, r, pr_make(true, true, e.err));
    }
    r = pr_seq(ps, r, p_ws(ps));
    r = pr_seq(ps, r, p_char(ps, ')'));
    if (!r.ok)
        return r;
    r = pr_seq(ps, r, p_ws(ps));
    f->list = items.data;
    f->list_len = items.len;
    return r;
}

/* A PostgreSQL array literal {a,"b,c"} split into elements (for (any)/(all)).
 * Returns false when the text is not a flat literal; Postgres then fails with 22P02. */
static bool split_pg_array(arena_t *a, const char *s, const char *const **out, size_t *n)
{
    size_t len = strlen(s);
    if (len < 2 || s[0] != '{' || s[len - 1] != '}')
        return false;
    vec_t items;
    vec_init(&items, sizeof(const char *));
    const char *p = s + 1, *end = s + len - 1;
    if (p == end) {
        *out = arena_alloc(a, sizeof(const char *));
        *n = 0;
        return true;
    }
    for (;;) {
        buf_t b;
        buf_init(&b);
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p < end && *p == '"') {
            p++;
            while (p < end && *p != '"') {
                if (*p == '\\' && p + 1 < end)
                    p++;
                buf_putc(&b, *p++);
            }
            if (p >= end) {
                buf_dispose(&b);
                return false;
            }
            p++;
            while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        } else {
            const char *st = p;
            while (p < end && *p != ',') {
                if (*p == '"' || *p == '{' || *p == '}') {
                    buf_dispose(&b);
                    return false;
                }
                if (*p == '\\' && p + 1 < end)
                    p++;
                p++;
            }
            const char *e = p;
            while (e > st && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            for (const char *q = st; q < e; q++) {
                if (*q == '\\' && q + 1 < e)
                    q++;
                buf_putc(&b, *q);
            }
        }
        *(const char **)vec_push(a, &items) = arena_strndup(a, b.data ? b.data : "", b.len);
        buf_dispose(&b);
        if (p >= end)
            break;
        if (*p != ',')
            return false;
        p++;
    }
    *out = items.data;
    *n = items.len;
    return true;
}

static const struct {
    const char *name;
    pgrst_op_t op;
} simple_ops[] = {{"neq", PGRST_OP_NEQ}, {"cs", PGRST_OP_CS},   {"cd", PGRST_OP_CD},
                  {"ov", PGRST_OP_OV},   {"sl", PGRST_OP_SL},   {"sr", PGRST_OP_SR},
                  {"nxr", PGRST_OP_NXR}, {"nxl", PGRST_OP_NXL}, {"adj", PGRST_OP_ADJ}},
  quant_ops[] = {{"eq", PGRST_OP_EQ},       {"gte", PGRST_OP_GTE},     {"gt", PGRST_OP_GT},
                 {"lte", PGRST_OP_LTE},     {"lt", PGRST_OP_LT},       {"like", PGRST_OP_LIKE},
                 {"ilike", PGRST_OP_ILIKE}, {"match", PGRST_OP_MATCH}, {"imatch", PGRST_OP_IMATCH}},
  fts_ops[] = {{"fts", PGRST_OP_FTS},
               {"plfts", PGRST_OP_PLFTS},
               {"phfts", PGRST_OP_PHFTS},
               {"wfts", PGRST_OP_WFTS}};

/* try (string a) <|> try (string b) <|> ... over a table; *idx gets the match. */
#define P_CHOICE(ps, table, idx)                                                                   \
    p_choice((ps), (table)[0].name ? sizeof(table) / sizeof((table)[0]) : 0,                       \
             (const void *)(table), sizeof((table)[0]), (idx))
static pr_t p_choice(ps_t *ps, size_t n, const void *table, size_t stride, size_t *idx)
{
    ppos_t p0 = ps->pos;
    pr_t r = pr_make(false, false, err_unknown(p0));
    for (size_t i = 0; i < n; i++) {
        const char *name = *(const char *const *)((const char *)table + i * stride);
        pr_t t = pr_try(ps, p_string(ps, name), p0);
        r = i == 0 ? t : pr_alt(ps, r, t);
        if (r.ok) {
            *idx = i;
            return r;
        }
    }
    return r;
}

/* ciString s (traverse ciChar; ciChar c = char c <|> char (toUpper c)) */
static pr_t p_ci_string(ps_t *ps, const char *s)
{
    pr_t r = pr_make(true, false, err_unknown(ps->pos));
    for (size_t i = 0; s[i]; i++) {
        ppos_t p1 = ps->pos;
        pr_t c = p_char(ps, s[i]);
        if (!c.ok && !c.consumed) {
            ps->pos = p1;
            char up = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : s[i];
            c = pr_alt(ps, c, p_char(ps, up));
        }
        r = pr_seq(ps, r, c);
        if (!r.ok)
            return r;
    }
    return r;
}

/* The body of pOpExpr after the optional "not.": pIn <|> pIs <|> pIsDist <|>
 * try pFts <|> try pSimpleOp <|> try pQuantOp <?> "operator (eq, gt, ...)". */
static pr_t p_operation(ps_t *ps, sval_kind_t sk, pgrst_filter_t *f)
{
    ppos_t p0 = ps->pos;
    pr_t r;
    /* pIn = In <$> (try (string "in" *> pDelimiter) *> pListVal) */
    {
        pr_t t = p_string(ps, "in");
        if (t.ok)
            t = pr_seq(ps, t, p_delim(ps));
        t = pr_try(ps, t, p0);
        if (t.ok) {
            f->op = PGRST_OP_IN;
            return pr_seq(ps, t, p_list_val(ps, f));
        }
        r = t;
    }
    /* pIs = Is <$> (try (string "is" *> pDelimiter) *> pIsVal) */
    {
        pr_t t = p_string(ps, "is");
        if (t.ok)
            t = pr_seq(ps, t, p_delim(ps));
        t = pr_try(ps, t, p0);
        if (t.ok) {
            static const struct {
                const char *s;
                pgrst_is_value_t v;
            } vals[] = {{"null", PGRST_IS_NULL},
                        {"not_null", PGRST_IS_NOT_NULL},
                        {"true", PGRST_IS_TRUE},
                        {"false", PGRST_IS_FALSE},
                        {"unknown", PGRST_IS_UNKNOWN}};
            f->op = PGRST_OP_IS;
            ppos_t p1 = ps->pos;
            pr_t v = pr_make(false, false, err_unknown(p1));
            for (size_t i = 0; i < 5; i++) {
                pr_t c = pr_try(ps, p_ci_string(ps, vals[i].s), p1);
                v = i == 0 ? c : pr_alt(ps, v, c);
                if (v.ok) {
                    f->is_value = vals[i].v;
                    break;
                }
            }
            v = pr_label(ps, v, "isVal: (null, not_null, true, false, unknown)");
            return pr_seq(ps, t, v);
        }
        r = pr_alt(ps, r, t);
    }
    /* pIsDist = IsDistinctFrom <$> (try (string "isdistinct" *> pDelimiter) *> pSVal) */
    {
        pr_t t = p_string(ps, "isdistinct");
        if (t.ok)
            t = pr_seq(ps, t, p_delim(ps));
        t = pr_try(ps, t, p0);
        if (t.ok) {
            f->op = PGRST_OP_ISDISTINCT;
            const char *v;
            t = pr_seq(ps, t, p_sval(ps, sk, &v));
            f->value = f->raw_value = v;
            return pr_seq(ps, r, t);
        }
        r = pr_alt(ps, r, t);
    }
    /* try pFts: op, optionMaybe (try (between '(' ')' pIdentifier)), pDelimiter >> pSVal */
    {
        size_t idx = 0;
        pr_t t = P_CHOICE(ps, fts_ops, &idx);
        if (t.ok) {
            ppos_t p1 = ps->pos;
            const char *lang = NULL;
            pr_t l = p_char(ps, '(');
            if (l.ok)
                l = pr_seq(ps, l, p_identifier(ps, &lang));
            if (l.ok)
                l = pr_seq(ps, l, p_char(ps, ')'));
            l = pr_optional(ps, pr_try(ps, l, p1), p1);
            if (!l.ok || ps->pos.off == p1.off)
                lang = NULL;
            t = pr_seq(ps, t, l);
            t = pr_seq(ps, t, p_delim(ps));
            const char *v = NULL;
            if (t.ok)
                t = pr_seq(ps, t, p_sval(ps, sk, &v));
            if (t.ok) {
                f->op = fts_ops[idx].op;
                f->fts_language = lang;
                f->value = f->raw_value = v;
            }
        }
        t = pr_try(ps, t, p0);
        r = pr_alt(ps, r, t);
        if (r.ok)
            return r;
    }
    /* try pSimpleOp */
    {
        size_t idx = 0;
        pr_t t = pr_label(ps, P_CHOICE(ps, simple_ops, &idx), "unknown single value operator");
        if (t.ok) {
            t = pr_seq(ps, t, p_delim(ps));
            const char *v = NULL;
            if (t.ok)
                t = pr_seq(ps, t, p_sval(ps, sk, &v));
            if (t.ok) {
                f->op = simple_ops[idx].op;
                f->value = f->raw_value = v;
            }
        }
        t = pr_try(ps, t, p0);
        r = pr_alt(ps, r, t);
        if (r.ok)
            return r;
    }
    /* try pQuantOp */
    {
        size_t idx = 0;
        pr_t t = pr_label(ps, P_CHOICE(ps, quant_ops, &idx), "unknown single value operator");
        if (t.ok) {
            ppos_t p1 = ps->pos;
            pgrst_quant_t quant = PGRST_QUANT_NONE;
            pr_t q = p_char(ps, '(');
            if (q.ok) {
                ppos_t p2 = ps->pos;
                pr_t a = pr_try(ps, p_string(ps, "any"), p2);
                if (a.ok) {
                    quant = PGRST_QUANT_ANY;
                } else {
                    a = pr_alt(ps, a, p_string(ps, "all"));
                    quant = PGRST_QUANT_ALL;
                }
                q = pr_seq(ps, q, a);
                if (q.ok)
                    q = pr_seq(ps, q, p_char(ps, ')'));
            }
            q = pr_try(ps, q, p1);
            if (!q.ok)
                quant = PGRST_QUANT_NONE;
            q = pr_optional(ps, q, p1);
            t = pr_seq(ps, t, q);
            t = pr_seq(ps, t, p_delim(ps));
            const char *v = NULL;
            if (t.ok)
                t = pr_seq(ps, t, p_sval(ps, sk, &v));
            if (t.ok) {
                f->op = quant_ops[idx].op;
                f->quant = quant;
                f->raw_value = v;
                if (quant == PGRST_QUANT_NONE) {
                    f->value = v;
                } else if (!split_pg_array(ps->a, v, &f->list, &f->list_len)) {
                    f->list = NULL;
                    f->list_len = 0;
                }
            }
        }
        t = pr_try(ps, t, p0);
        r = pr_alt(ps, r, t);
    }
    return pr_label(ps, r, "operator (eq, gt, ...)");
}

/* pOpExpr = do { neg <- try (string "not" *> pDelimiter $> True) <|> pure False; pOperation } */
static pr_t p_op_expr(ps_t *ps, sval_kind_t sk, pgrst_filter_t *f)
{
    ppos_t p0 = ps->pos;
    pr_t r = p_string(ps, "not");
    if (r.ok)
        r = pr_seq(ps, r, p_delim(ps));
    r = pr_try(ps, r, p0);
    f->negated = r.ok;
    r = pr_optional(ps, r, p0);
    return pr_seq(ps, r, p_operation(ps, sk, f));
}

/* --- select ------------------------------------------------------------- */

static pr_t p_field_forest(ps_t *ps, int depth, vec_t *items);

/* aliasSeparator = char ':' >> notFollowedBy (char ':') */
static pr_t p_alias_sep(ps_t *ps)
{
    pr_t r = p_char(ps, ':');
    if (!r.ok)
        return r;
    return pr_seq(ps, r, p_not_followed_by(ps, nfb_char, ":"));
}

/* optionMaybe (try (pFieldName <* aliasSeparator)) */
static pr_t p_opt_alias(ps_t *ps, const char **alias)
{
    ppos_t p0 = ps->pos;
    const char *name = NULL;
    pr_t r = p_field_name(ps, &name);
    if (r.ok)
        r = pr_seq(ps, r, p_alias_sep(ps));
    r = pr_try(ps, r, p0);
    *alias = r.ok ? name : NULL;
    return pr_optional(ps, r, p0);
}

/* pEmbedParams: two optionMaybe (char '!' *> (try "left" <|> try "inner" <|> try pFieldName)) */
static pr_t p_embed_params(ps_t *ps, pgrst_select_item_t *it)
{
    pr_t r = pr_make(true, false, err_unknown(ps->pos));
    for (int i = 0; i < 2; i++) {
        ppos_t p0 = ps->pos;
        pr_t e = p_char(ps, '!');
        if (e.ok) {
            ppos_t p1 = ps->pos;
            pr_t t = pr_try(ps, p_string(ps, "left"), p1);
            const char *jt = "left", *hint = NULL;
            if (!t.ok) {
                t = pr_alt(ps, t, pr_try(ps, p_string(ps, "inner"), p1));
                jt = "inner";
            }
            if (!t.ok) {
                jt = NULL;
                t = pr_alt(ps, t, pr_try(ps, p_field_name(ps, &hint), p1));
            }
            e = pr_seq(ps, e, t);
            if (e.ok) {
                if (jt && !it->join_type)
                    it->join_type = jt;
                if (hint && !it->embed_hint)
                    it->embed_hint = hint;
            }
        }
        e = pr_optional(ps, e, p0);
        r = pr_seq(ps, r, e);
        if (!r.ok)
            return r;
    }
    return r;
}

/* pRelationSelect / pSpreadRelationSelect (the callers wrap them in try). */
static pr_t p_relation_select(ps_t *ps, bool spread, pgrst_select_item_t *it)
{
    pr_t r = p_ws(ps);
    const char *name;
    if (spread) {
        r = pr_seq(ps, r, p_string(ps, "..."));
        if (!r.ok)
            return r;
        r = pr_seq(ps, r, p_field_name(ps, &name));
    } else {
        r = pr_seq(ps, r, p_opt_alias(ps, &it->alias));
        if (!r.ok)
            return r;
        r = pr_seq(ps, r, p_field_name(ps, &name));
        if (r.ok && strcmp(name, "count") == 0) /* guard (name /= "count") */
            r = pr_seq(ps, r, pr_make(false, false, err_unknown(ps->pos)));
    }
    if (!r.ok)
        return r;
    r = pr_seq(ps, r, p_embed_params(ps, it));
    if (!r.ok)
        return r;
    r = pr_seq(ps, r, p_try_look_string(ps, "("));
    if (!r.ok)
        return r;
    it->is_embed = true;
    it->is_spread = spread;
    it->embed_name = name;
    it->field.name = name;
    return pr_seq(ps, r, p_ws(ps));
}

/* pEnd of pFieldSelect: lookAhead ")" / "," or eof */
static pr_t p_select_end(ps_t *ps)
{
    pr_t r = p_try_look_string(ps, ")");
    if (!r.ok)
        r = pr_alt(ps, r, p_try_look_string(ps, ","));
    if (!r.ok)
        r = pr_alt(ps, r, p_eof(ps));
    return r;
}

/* optionMaybe (string "::" *> pIdentifier) */
static pr_t p_opt_cast(ps_t *ps, const char **cast)
{
    ppos_t p0 = ps->pos;
    *cast = NULL;
    pr_t r = p_string(ps, "::");
    if (r.ok)
        r = pr_seq(ps, r, p_identifier(ps, cast));
    if (!r.ok)
        *cast = NULL;
    return pr_optional(ps, r, p0);
}

static pr_t p_field_select(ps_t *ps, pgrst_select_item_t *it)
{
    pr_t r0 = p_ws(ps);
    ppos_t p0 = ps->pos;
    /* try (do s <- string "*"; pEnd) */
    pr_t a = p_string(ps, "*");
    if (a.ok)
        a = pr_seq(ps, a, p_select_end(ps));
    a = pr_try(ps, a, p0);
    if (a.ok) {
        it->star = true;
        it->field.name = "*";
        return pr_seq(ps, pr_seq(ps, r0, a), p_ws(ps));
    }
    /* try (alias?, string "count()", aggCast?, pEnd) */
    const char *alias = NULL, *cast = NULL;
    pr_t b = p_opt_alias(ps, &alias);
    if (b.ok)
        b = pr_seq(ps, b, p_string(ps, "count()"));
    if (b.ok)
        b = pr_seq(ps, b, p_opt_cast(ps, &cast));
    if (b.ok)
        b = pr_seq(ps, b, p_select_end(ps));
    b = pr_try(ps, b, p0);
    a = pr_alt(ps, a, b);
    if (a.ok) {
        it->alias = alias;
        it->field.name = "*";
        it->is_aggregate = true;
        it->aggregate = "count";
        it->aggregate_cast = cast;
        return pr_seq(ps, pr_seq(ps, r0, a), p_ws(ps));
    }
    /* alias?, pField, cast?, optionMaybe (try ('.' *> agg <* "()")), aggCast?, pEnd */
    pr_t c = p_opt_alias(ps, &it->alias);
    if (c.ok)
        c = pr_seq(ps, c, p_field(ps, &it->field));
    if (c.ok)
        c = pr_seq(ps, c, p_opt_cast(ps, &it->cast));
    if (c.ok) {
        ppos_t p1 = ps->pos;
        static const char *const aggs[] = {"sum", "avg", "count", "max", "min"};
        pr_t g = p_char(ps, '.');
        const char *agg = NULL;
        if (g.ok) {
            ppos_t p2 = ps->pos;
            pr_t ch = pr_make(false, false, err_unknown(p2));
            for (size_t i = 0; i < 5; i++) {
                pr_t s = p_string(ps, aggs[i]);
                if (i >= 3)
                    s = pr_try(ps, s, p2);
                ch = i == 0 ? s : pr_alt(ps, ch, s);
                if (ch.ok || ch.consumed) {
                    if (ch.ok)
                        agg = aggs[i];
                    break;
                }
                ps->pos = p2;
            }
            if (!ch.ok && !ch.consumed) /* choice ends in mzero */
                ch = pr_alt(ps, ch, pr_make(false, false, err_unknown(p2)));
            g = pr_seq(ps, g, ch);
            if (g.ok)
                g = pr_seq(ps, g, p_string(ps, "()"));
        }
        g = pr_try(ps, g, p1);
        if (g.ok) {
            it->is_aggregate = true;
            it->aggregate = agg;
        }
        c = pr_seq(ps, c, pr_optional(ps, g, p1));
    }
    if (c.ok)
        c = pr_seq(ps, c, p_opt_cast(ps, &it->aggregate_cast));
    if (c.ok)
        c = pr_seq(ps, c, p_select_end(ps));
    a = pr_alt(ps, a, c);
    if (!a.ok)
        return pr_seq(ps, r0, a);
    return pr_seq(ps, pr_seq(ps, r0, a), p_ws(ps));
}

/* between (char '(') (char ')') pFieldForest */
static pr_t p_embed_body(ps_t *ps, int depth, pgrst_select_item_t *it)
{
    pr_t r = p_char(ps, '(');
    if (!r.ok)
        return r;
    vec_t kids;
    vec_init(&kids, sizeof(pgrst_select_item_t));
    r = pr_seq(ps, r, p_field_forest(ps, depth + 1, &kids));
    if (!r.ok)
        return r;
    r = pr_seq(ps, r, p_char(ps, ')'));
    it->children = kids.data;
    it->child_count = kids.len;
    return r;
}

static pr_t p_field_tree(ps_t *ps, int depth, pgrst_select_item_t *it)
{
    ppos_t p0 = ps->pos;
    pr_t r = pr_try(ps, p_relation_select(ps, true, it), p0);
    if (r.ok)
        return pr_seq(ps, r, p_embed_body(ps, depth, it));
    memset(it, 0, sizeof *it);
    pr_t b = pr_try(ps, p_relation_select(ps, false, it), p0);
    r = pr_alt(ps, r, b);
    if (r.ok)
        return pr_seq(ps, r, p_embed_body(ps, depth, it));
    memset(it, 0, sizeof *it);
    return pr_alt(ps, r, p_field_select(ps, it));
}

/* lexeme (char ',') */
static pr_t p_comma_lexeme(ps_t *ps)
{
    pr_t r = p_ws(ps);
    r = pr_seq(ps, r, p_char(ps, ','));
    if (!r.ok)
        return r;
    return pr_seq(ps, r, p_ws(ps));
}

/* pFieldForest = pFieldTree `sepBy` lexeme (char ',') */
static pr_t p_field_forest(ps_t *ps, int depth, vec_t *items)
{
    ppos_t p0 = ps->pos;
    if (depth > MOCK_MAX_NESTING)
        return pr_make(false, false, err_new(ps, p0, M_MESSAGE, "maximum nesting depth exceeded"));
    pgrst_select_item_t *it = vec_push(ps->a, items);
    pr_t r = p_field_tree(ps, depth, it);
    if (!r.ok) {
        items->len--;
        if (r.consumed)
            return r;
        return pr_optional(ps, r, p0);
    }
    for (;;) {
        ppos_t p1 = ps->pos;
        pr_t e = p_comma_lexeme(ps);
        if (e.ok) {
            it = vec_push(ps->a, items);
            e = pr_seq(ps, e, p_field_tree(ps, depth, it));
            if (!e.ok)
                items->len--;
        }
        if (e.ok)
            continue;
        if (e.consumed)
            return pr_seq(ps, r, e);
        ps->pos = p1;
        return pr_seq(ps, r, pr_make(true, ps->pos.off != p0.off, e.err));
    }
}

/* --- order -------------------------------------------------------------- */

static pr_t p_order_end(ps_t *ps)
{
    pr_t r = p_try_look_char(ps, ',');
    if (!r.ok)
        r = pr_alt(ps, r, p_eof(ps)); /* try eof */
    return r;
}

/* try (pDelimiter *> string a) <|> try (pDelimiter *> string b) */
static pr_t p_dot_choice(ps_t *ps, const char *a, const char *b, int *which)
{
    ppos_t p0 = ps->pos;
    pr_t r = p_delim(ps);
    if (r.ok)
        r = pr_seq(ps, r, p_string(ps, a));
    r = pr_try(ps, r, p0);
    if (r.ok) {
        *which = 1;
        return r;
    }
    pr_t s = p_delim(ps);
    if (s.ok)
        s = pr_seq(ps, s, p_string(ps, b));
    s = pr_try(ps, s, p0);
    r = pr_alt(ps, r, s);
    if (r.ok)
        *which = 2;
    return r;
}

/* dir <- optionMaybe pOrdDir; nls <- optionMaybe pNulls <* pEnd <|> pEnd $> Nothing */
static pr_t p_order_mods(ps_t *ps, pgrst_order_term_t *t)
{
    ppos_t p0 = ps->pos;
    int w = 0;
    pr_t r = p_dot_choice(ps, "asc", "desc", &w);
    if (r.ok)
        t->dir = w == 1 ? PGRST_ORDER_ASC : PGRST_ORDER_DESC;
    r = pr_optional(ps, r, p0);
    ppos_t p1 = ps->pos;
    w = 0;
    pr_t n = p_dot_choice(ps, "nullsfirst", "nullslast", &w);
    n = pr_optional(ps, n, p1);
    pr_t first = pr_seq(ps, n, p_order_end(ps));
    if (first.ok) {
        if (w)
            t->nulls = w == 1 ? PGRST_NULLS_FIRST : PGRST_NULLS_LAST;
        return pr_seq(ps, r, first);
    }
    if (!first.consumed) {
        ps->pos = p1;
        first = pr_alt(ps, first, p_order_end(ps));
    }
    return pr_seq(ps, r, first);
}

static pr_t p_order_term(ps_t *ps, pgrst_order_term_t *t)
{
    pr_t r = p_ws(ps);
    ppos_t p0 = ps->pos;
    /* try pOrderRelationTerm */
    const char *rel = NULL;
    pr_t a = p_field_name(ps, &rel);
    if (a.ok)
        a = pr_seq(ps, a, p_char(ps, '('));
    if (a.ok)
        a = pr_seq(ps, a, p_field(ps, &t->field));
    if (a.ok)
        a = pr_seq(ps, a, p_char(ps, ')'));
    if (a.ok)
        a = pr_seq(ps, a, p_order_mods(ps, t));
    a = pr_try(ps, a, p0);
    if (a.ok) {
        t->related = rel;
    } else {
        memset(t, 0, sizeof *t);
        pr_t b = p_field(ps, &t->field);
        if (b.ok)
            b = pr_seq(ps, b, p_order_mods(ps, t));
        a = pr_alt(ps, a, b);
    }
    r = pr_seq(ps, r, a);
    if (!r.ok)
        return r;
    return pr_seq(ps, r, p_ws(ps));
}

/* pOrder = lexeme (try pOrderRelationTerm <|> pOrderTerm) `sepBy1` char ',' */
static pr_t p_order(ps_t *ps, vec_t *terms)
{
    pr_t r = p_order_term(ps, vec_push(ps->a, terms));
    if (!r.ok)
        return r;
    for (;;) {
        ppos_t p1 = ps->pos;
        pr_t e = p_char(ps, ',');
        if (e.ok)
            e = pr_seq(ps, e, p_order_term(ps, vec_push(ps->a, terms)));
        if (e.ok)
            continue;
        if (e.consumed)
            return pr_seq(ps, r, e);
        ps->pos = p1;
        return pr_seq(ps, r, pr_make(true, false, e.err));
    }
}

/* --- logic trees -------------------------------------------------------- */

static pr_t p_logic_tree(ps_t *ps, int depth, pgrst_logic_t *node)
{
    ppos_t p0 = ps->pos;
    if (depth > MOCK_MAX_NESTING)
        return pr_make(false, false, err_new(ps, p0, M_MESSAGE, "maximum nesting depth exceeded"));
    /* Stmnt <$> try (Filter <$> pField <* pDelimiter <*> pOpExpr pLogicSingleVal) */
    pr_t r = p_field(ps, &node->filter.field);
    if (r.ok)
        r = pr_seq(ps, r, p_delim(ps));
    if (r.ok)
        r = pr_seq(ps, r, p_op_expr(ps, SVAL_LOGIC, &node->filter));
    r = pr_try(ps, r, p0);
    if (r.ok) {
        node->kind = PGRST_LOGIC_FILTER;
        return r;
    }
    memset(node, 0, sizeof *node);
    /* pNot = try (string "not" *> pDelimiter $> True) <|> pure False <?> "negation operator (not)"
     */
    pr_t n = p_string(ps, "not");
    if (n.ok)
        n = pr_seq(ps, n, p_delim(ps));
    n = pr_try(ps, n, p0);
    node->negated = n.ok;
    n = pr_label(ps, pr_optional(ps, n, p0), "negation operator (not)");
    /* pLogicOp = try (string "and" $> And) <|> string "or" $> Or <?> "logic operator (and, or)" */
    ppos_t p1 = ps->pos;
    pr_t op = pr_try(ps, p_string(ps, "and"), p1);
    node->kind = PGRST_LOGIC_AND;
    if (!op.ok) {
        op = pr_alt(ps, op, p_string(ps, "or"));
        node->kind = PGRST_LOGIC_OR;
    }
    op = pr_label(ps, op, "logic operator (and, or)");
    n = pr_seq(ps, n, op);
    if (n.ok) {
        n = pr_seq(ps, n, p_ws(ps));
        n = pr_seq(ps, n, p_char(ps, '('));
    }
    vec_t kids;
    vec_init(&kids, sizeof(pgrst_logic_t));
    if (n.ok) {
        n = pr_seq(ps, n, p_ws(ps));
        n = pr_seq(ps, n, p_logic_tree(ps, depth + 1, vec_push(ps->a, &kids)));
    }
    while (n.ok) {
        ppos_t p2 = ps->pos;
        pr_t e = p_comma_lexeme(ps);
        if (e.ok)
            e = pr_seq(ps, e, p_logic_tree(ps, depth + 1, vec_push(ps->a, &kids)));
        if (e.ok)
            continue;
        if (e.consumed) {
            n = pr_seq(ps, n, e);
            break;
        }
        ps->pos = p2;
        n = pr_seq(ps, n, pr_make(true, false, e.err));
        n = pr_seq(ps, n, p_ws(ps));
        n = pr_seq(ps, n, p_char(ps, ')'));
        if (n.ok)
            n = pr_seq(ps, n, p_ws(ps));
        break;
    }
    if (n.ok) {
        node->children = kids.data;
        node->child_count = kids.len;
    }
    return pr_alt(ps, r, n);
}

/* pColumns = pFieldName `sepBy1` lexeme (char ',') */
static pr_t p_columns(ps_t *ps, vec_t *names)
{
    const char *name;
    pr_t r = p_field_name(ps, &name);
    if (!r.ok)
        return r;
    *(const char **)vec_push(ps->a, names) = name;
    for (;;) {
        ppos_t p1 = ps->pos;
        pr_t e = p_comma_lexeme(ps);
        if (e.ok)
            e = pr_seq(ps, e, p_field_name(ps, &name));
        if (e.ok) {
            *(const char **)vec_push(ps->a, names) = name;
            continue;
        }
        if (e.consumed)
            return pr_seq(ps, r, e);
        ps->pos = p1;
        return pr_seq(ps, r, pr_make(true, false, e.err));
    }
}

/* pLogicPath = pFieldName `sepBy1` pDelimiter */
static pr_t p_name_path(ps_t *ps, vec_t *names)
{
    const char *name;
    pr_t r = p_field_name(ps, &name);
    if (!r.ok)
        return r;
    *(const char **)vec_push(ps->a, names) = name;
    for (;;) {
        ppos_t p1 = ps->pos;
        pr_t e = p_delim(ps);
        if (e.ok)
            e = pr_seq(ps, e, p_field_name(ps, &name));
        if (e.ok) {
            *(const char **)vec_push(ps->a, names) = name;
            continue;
        }
        if (e.consumed)
            return pr_seq(ps, r, e);
        ps->pos = p1;
        return pr_seq(ps, r, pr_make(true, false, e.err));
    }
}

/* ------------------------------------------------------------------------ */
/* Running a parser and rendering its error (mapError in QueryParams.hs)      */
/* ------------------------------------------------------------------------ */

static void ps_init(ps_t *ps, arena_t *a, const char *s)
{
    ps->a = a;
    ps->s = s;
    ps->len = strlen(s);
    ps->pos.off = 0;
    ps->pos.line = 1;
    ps->pos.col = 1;
}

static bool strs_has(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

/* showMany pre msgs: clean (nub, drop empty), then "a, b or c". */
static void show_many(buf_t *out, const char *pre, const pmsg_t *m, size_t n, size_t cap_n)
{
    const char **ms = xcalloc(cap_n + 1, sizeof *ms);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i].text[0] && !strs_has(ms, k, m[i].text))
            ms[k++] = m[i].text;
    if (k) {
        buf_putc(out, '\n');
        if (pre[0]) {
            buf_puts(out, pre);
            buf_putc(out, ' ');
        }
        for (size_t i = 0; i < k; i++) {
            if (i > 0)
                buf_puts(out, i == k - 1 ? " or " : ", ");
            buf_puts(out, ms[i]);
        }
    }
    free(ms);
}

/* showErrorMessages "or" "unknown parse error" "expecting" "unexpected" "end of input",
 * then T.strip . T.replace "\n" " ". */
static char *render_details(const perr_t *e)
{
    buf_t b;
    buf_init(&b);
    if (e->n == 0) {
        buf_puts(&b, "unknown parse error");
        return buf_steal(&b);
    }
    pmsg_t *s = xcalloc(e->n, sizeof *s);
    size_t k = 0;
    for (int kind = M_SYSUNEXPECT; kind <= M_MESSAGE; kind++) /* stable sort by kind */
        for (size_t i = 0; i < e->n; i++)
            if (e->m[i].kind == kind)
                s[k++] = e->m[i];
    size_t nsys = 0, nun = 0, nexp = 0;
    while (nsys < k && s[nsys].kind == M_SYSUNEXPECT)
        nsys++;
    while (nsys + nun < k && s[nsys + nun].kind == M_UNEXPECT)
        nun++;
    while (nsys + nun + nexp < k && s[nsys + nun + nexp].kind == M_EXPECT)
        nexp++;
    if (nun == 0 && nsys > 0) {
        buf_puts(&b, "\nunexpected ");
        buf_puts(&b, s[0].text[0] ? s[0].text : "end of input");
    }
    show_many(&b, "unexpected", s + nsys, nun, k);
    show_many(&b, "expecting", s + nsys + nun, nexp, k);
    show_many(&b, "", s + nsys + nun + nexp, k - nsys - nun - nexp, k);
    free(s);
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] == '\n')
            b.data[i] = ' ';
    char *raw = buf_steal(&b);
    char *st = raw;
    while (*st == ' ' || *st == '\t' || *st == '\n' || *st == '\r')
        st++;
    size_t n = strlen(st);
    while (n && (st[n - 1] == ' ' || st[n - 1] == '\t' || st[n - 1] == '\r'))
        n--;
    char *res = xstrndup(st, n);
    free(raw);
    return res;
}

/* Sets PGRST100 from a failed parse: message is `show (errorPos e)`. */
static int set_parse_error(pgrst_error_t *err, const char *source, const perr_t *e)
{
    pgrst_error_setf(err, "PGRST100", "\"%s\" (line %ld, column %ld)", source, e->line, e->col);
    char *details = render_details(e);
    pgrst_error_detailsf(err, "%s", details);
    free(details);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* The query string                                                          */
/* ------------------------------------------------------------------------ */

/* The last dot-separated segment of a key (endingIn in QueryParams.hs). */
static const char *last_segment(const char *key)
{
    const char *d = strrchr(key, '.');
    return d ? d + 1 : key;
}

static bool ending_in(const char *key, const char *const *words, size_t n)
{
    return strs_has(words, n, last_segment(key));
}

/* readMaybe :: Maybe Integer, for the plain decimal forms clients send. */
static bool read_integer(const char *s, int64_t *out)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    if (*s < '0' || *s > '9')
        return false;
    int64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        int d = *s++ - '0';
        if (v > (INT64_MAX - d) / 10)
            v = INT64_MAX; /* saturate: far beyond any table */
        else
            v = v * 10 + d;
    }
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (*s)
        return false;
    *out = neg ? -v : v;
    return true;
}

typedef struct raw_param {
    const char *key;
    const char *value; /* NULL: the key had no '=' */
    bool key_bad;      /* not UTF-8: T.decodeUtf8 throws when PostgREST reads it */
    bool value_bad;    /* likewise for the value */
} raw_param_t;

/* Keys and values as PostgREST's qParams holds them: form-decoded, then
 * T.decodeUtf8, which Haskell runs lazily, when a parameter is first read. A
 * parameter that is not UTF-8 is flagged here and refused where PostgREST
 * would first read it (see NOT_UTF8). A decoded NUL is URL_NUL. */
static void split_query(arena_t *a, const char *raw, vec_t *out)
{
    if (*raw == '?')
        raw++;
    while (*raw) {
        size_t n = strcspn(raw, "&;");
        const char *eq = memchr(raw, '=', n);
        raw_param_t *p = vec_push(a, out);
        size_t kn = eq ? (size_t)(eq - raw) : n;
        /* A string that is not UTF-8 keeps its bytes for Content-Location,
         * which PostgREST builds from the undecoded parameters (qsCanonical). */
        p->key = url_form_decode_text(a, raw, kn);
        p->key_bad = p->key == NULL;
        if (p->key_bad)
            p->key = url_form_decode(a, raw, kn);
        p->value = NULL;
        p->value_bad = false;
        if (eq) {
            p->value = url_form_decode_text(a, eq + 1, n - kn - 1);
            p->value_bad = p->value == NULL;
            if (p->value_bad)
                p->value = url_form_decode(a, eq + 1, n - kn - 1);
        }
        raw += n;
        if (*raw)
            raw++;
    }
}

/* pgrst_query_parse's result when a parameter PostgREST reads is not UTF-8. */
#define NOT_UTF8 PGRST_QUERY_NOT_UTF8

/* L.lookup over qParams: the first parameter named key, even one without a
 * value; every key before it is read (decoded) on the way. Returns NOT_UTF8
 * when one of those keys is not UTF-8, else 0 with *found (NULL: none). */
static int lookup_param(const vec_t *params, const char *key, const raw_param_t **found)
{
    const raw_param_t *p = params->data;
    *found = NULL;
    for (size_t i = 0; i < params->len; i++) {
        if (p[i].key_bad)
            return NOT_UTF8;
        if (strcmp(p[i].key, key) == 0) {
            *found = &p[i];
            return 0;
        }
    }
    return 0;
}

/* A filter or logic value as Postgres receives it: PostgREST passes it as a
 * text parameter and libpq reads that up to its first NUL. */
static raw_param_t cut_at_nul(arena_t *a, const raw_param_t *p)
{
    raw_param_t q = *p;
    const char *nul = strstr(p->value, URL_NUL);
    if (nul)
        q.value = arena_strndup(a, p->value, (size_t)(nul - p->value));
    return q;
}

static const char *const embeddable_reserved[] = {"order", "limit", "offset", "and", "or"};
static const char *const top_reserved[] = {"select", "columns", "on_conflict"};

static int parse_order_param(arena_t *a, const raw_param_t *p, vec_t *terms, pgrst_error_t *err)
{
    ps_t ps;
    ps_init(&ps, a, p->key);
    vec_t path;
    vec_init(&path, sizeof(const char *));
    pgrst_field_t fld;
    memset(&fld, 0, sizeof fld);
    pr_t r = p_tree_path(&ps, &path, &fld);
    if (!r.ok)
        return set_parse_error(err, arena_sprintf(a, "failed to parse tree path (%s)", p->key),
                               &r.err);
    if (p->value_bad)
        return NOT_UTF8;
    ps_init(&ps, a, p->value);
    vec_t t;
    vec_init(&t, sizeof(pgrst_order_term_t));
    r = p_order(&ps, &t);
    if (!r.ok)
        return set_parse_error(err, arena_sprintf(a, "failed to parse order (%s)", p->value),
                               &r.err);
    pgrst_order_term_t *terms_arr = t.data;
    for (size_t i = 0; i < t.len; i++) {
        terms_arr[i].field.relation = path.len ? path.data : NULL;
        terms_arr[i].field.relation_len = path.len;
        *(pgrst_order_term_t *)vec_push(a, terms) = terms_arr[i];
    }
    return 0;
}

static int parse_logic_param(arena_t *a, const raw_param_t *p, pgrst_logic_t *node,
                             pgrst_error_t *err)
{
    ps_t ps;
    ps_init(&ps, a, p->key);
    vec_t names;
    vec_init(&names, sizeof(const char *));
    pr_t r = p_name_path(&ps, &names);
    if (!r.ok)
        return set_parse_error(err, arena_sprintf(a, "failed to parse logic path (%s)", p->key),
                               &r.err);
    if (p->value_bad)
        return NOT_UTF8;
    const char **nm = names.data;
    const char *op = nm[names.len - 1];
    bool has_not = false;
    vec_t path;
    vec_init(&path, sizeof(const char *));
    for (size_t i = 0; i < names.len; i++) {
        if (strcmp(nm[i], "not") == 0)
            has_not = true;
        else if (i + 1 < names.len)
            *(const char **)vec_push(a, &path) = nm[i];
    }
    const char *text = arena_sprintf(a, "%s%s%s", has_not ? "not." : "", op, p->value);
    ps_init(&ps, a, text);
    memset(node, 0, sizeof *node);
    r = p_logic_tree(&ps, 0, node);
    if (!r.ok)
        return set_parse_error(err, arena_sprintf(a, "failed to parse logic tree (%s)", p->value),
                               &r.err);
    node->relation = path.len ? path.data : NULL;
    node->relation_len = path.len;
    return 0;
}

static int parse_filter_param(arena_t *a, const raw_param_t *p, pgrst_logic_t *node,
                              pgrst_error_t *err);

/* The common case, `col=op.value` with a plain column name and an operator
 * that takes the rest of the value as is, without running the parser: the
 * result is what p_tree_path and p_op_expr produce for such input (the unit
 * tests compare the two). Returns false when the full grammar is needed. */
static bool parse_filter_simple(arena_t *a, const raw_param_t *p, pgrst_logic_t *node)
{
    const char *k = p->key;
    if (p->value_bad)
        return false;
    if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || *k == '_'))
        return false;
    for (const char *c = k; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            return false;
    const char *dot = strchr(p->value, '.');
    if (!dot)
        return false;
    size_t n = (size_t)(dot - p->value);
    pgrst_op_t op = PGRST_OP_EQ;
    bool found = false;
    for (size_t i = 0; !found && i < sizeof simple_ops / sizeof simple_ops[0]; i++)
        if (strlen(simple_ops[i].name) == n && memcmp(simple_ops[i].name, p->value, n) == 0) {
            op = simple_ops[i].op;
            found = true;
        }
    for (size_t i = 0; !found && i < sizeof quant_ops / sizeof quant_ops[0]; i++)
        if (strlen(quant_ops[i].name) == n && memcmp(quant_ops[i].name, p->value, n) == 0) {
            op = quant_ops[i].op;
            found = true;
        }
    if (!found)
        return false;
    memset(node, 0, sizeof *node);
    node->kind = PGRST_LOGIC_FILTER;
    node->filter.field.name = arena_strdup(a, k);
    node->filter.op = op;
    node->filter.value = node->filter.raw_value = arena_strdup(a, dot + 1);
    return true;
}

int pgrst_filter_parse(arena_t *arena, const char *key, const char *value, pgrst_logic_t *out,
                       pgrst_error_t *err)
{
    raw_param_t p = {.key = key, .value = value};
    return parse_filter_param(arena, &p, out, err);
}

static int parse_filter_param(arena_t *a, const raw_param_t *p, pgrst_logic_t *node,
                              pgrst_error_t *err)
{
    ps_t ps;
    ps_init(&ps, a, p->key);
    vec_t path;
    vec_init(&path, sizeof(const char *));
    memset(node, 0, sizeof *node);
    node->kind = PGRST_LOGIC_FILTER;
    pr_t r = p_tree_path(&ps, &path, &node->filter.field);
    if (!r.ok)
        return set_parse_error(err, arena_sprintf(a, "failed to parse tree path (%s)", p->key),
                               &r.err);
    node->filter.field.relation = path.len ? path.data : NULL;
    node->filter.field.relation_len = path.len;
    if (p->value_bad)
        return NOT_UTF8;
    ps_init(&ps, a, p->value);
    r = p_op_expr(&ps, SVAL_ALL, &node->filter);
    if (!r.ok)
        return set_parse_error(err, arena_sprintf(a, "failed to parse filter (%s)", p->value),
                               &r.err);
    return 0;
}

static int name_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int parse_columns(arena_t *a, const char *value, const char *what, const char *const **out,
                         size_t *count, pgrst_error_t *err)
{
    ps_t ps;
    ps_init(&ps, a, value);
    vec_t names;
    vec_init(&names, sizeof(const char *));
    pr_t r = p_columns(&ps, &names);
    if (!r.ok)
        return set_parse_error(
            err, arena_sprintf(a, "failed to parse %s parameter (%s)", what, value), &r.err);
    const char **list = names.data;
    size_t n = names.len;
    if (strcmp(what, "columns") == 0) {
        /* pRequestColumns keeps a Set of the names: each once, in ascending
         * order (QueryParams.hs S.fromList), which is also the order the
         * planner resolves them in, so the first unknown name in that order
         * is the one PGRST204 reports. on_conflict stays a list. */
        qsort(list, n, sizeof *list, name_cmp);
        size_t d = 0;
        for (size_t i = 0; i < n; i++)
            if (d == 0 || strcmp(list[d - 1], list[i]) != 0)
                list[d++] = list[i];
        n = d;
    }
    *out = list;
    *count = n;
    return 0;
}

static bool same_path(const char *const *a, size_t an, const char *const *b, size_t bn)
{
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

/* Does v start as pOpExpr would consume it: "not.", or an operator's name
 * followed by '.' or '(' ? Parsec's `pOpExpr <|> pure (NoOpExpr v)` only
 * falls back when pOpExpr failed before consuming input (its operator
 * strings are in `try`), so a value that starts so and then fails is still
 * PGRST100; any other value is an argument. */
static bool starts_as_op_expr(const char *v)
{
    if (strncmp(v, "not.", 4) == 0)
        return true;
    static const char *const names[] = {
        "eq",     "neq", "gt", "gte",        "lt",  "lte",   "like",  "ilike", "match",
        "imatch", "in",  "is", "isdistinct", "fts", "plfts", "phfts", "wfts",  "cs",
        "cd",     "ov",  "sl", "sr",         "nxr", "nxl",   "adj"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(v, names[i], n) == 0 && (v[n] == '.' || v[n] == '('))
            return true;
    }
    return false;
}

static int query_parse(arena_t *arena, const char *raw_query, bool rpc_read, pgrst_query_t *out,
                       pgrst_error_t *err);

int pgrst_query_parse(arena_t *arena, const char *raw_query, pgrst_query_t *out, pgrst_error_t *err)
{
    return query_parse(arena, raw_query, false, out, err);
}

int pgrst_query_parse_rpc(arena_t *arena, const char *raw_query, pgrst_query_t *out,
                          pgrst_error_t *err)
{
    return query_parse(arena, raw_query, true, out, err);
}

static int query_parse(arena_t *arena, const char *raw_query, bool rpc_read, pgrst_query_t *out,
                       pgrst_error_t *err)
{
    memset(out, 0, sizeof *out);
    out->limit = -1;
    vec_t params;
    vec_init(&params, sizeof(raw_param_t));
    split_query(arena, raw_query ? raw_query : "", &params);
    const raw_param_t *pp = params.data;

    vec_t kept;
    vec_init(&kept, sizeof(pgrst_param_t));
    for (size_t i = 0; i < params.len; i++) {
        if (!pp[i].value)
            continue;
        pgrst_param_t *k = vec_push(arena, &kept);
        k->key = pp[i].key;
        k->value = pp[i].value;
    }
    out->params = kept.data;
    out->param_count = kept.len;

    /* where-nodes are placed at their parameter's index to keep query-string order. */
    pgrst_logic_t *slots = arena_calloc(arena, params.len + 1, sizeof *slots);
    bool *used = arena_calloc(arena, params.len + 1, sizeof *used);

    /* 1. order (QueryParams.parse traverses order, logic, columns, select, filters, on_conflict).
     */
    static const char *const w_order[] = {"order"};
    static const char *const w_logic[] = {"and", "or"};
    vec_t all_terms;
    vec_init(&all_terms, sizeof(pgrst_order_term_t));
    for (size_t i = 0; i < params.len; i++) {
        /* Finding the order parameters reads every key that has a value
         * (nonemptyParams), in order, up to a failing order parameter. */
        if (pp[i].value && pp[i].key_bad)
            return NOT_UTF8;
        if (!pp[i].value || !ending_in(pp[i].key, w_order, 1))
            continue;
        vec_t terms;
        vec_init(&terms, sizeof(pgrst_order_term_t));
        int rc = parse_order_param(arena, &pp[i], &terms, err);
        if (rc < 0)
            return rc;
        /* Only the first order parameter per embed path is used (ReadPlan's `find`). */
        const pgrst_order_term_t *t = terms.data;
        const pgrst_order_term_t *have = all_terms.data;
        bool dup = false;
        for (size_t j = 0; j < all_terms.len && terms.len; j++)
            if (same_path(have[j].field.relation, have[j].field.relation_len, t[0].field.relation,
                          t[0].field.relation_len))
                dup = true;
        for (size_t j = 0; j < terms.len && !dup; j++)
            *(pgrst_order_term_t *)vec_push(arena, &all_terms) = t[j];
    }
    out->order = all_terms.data;
    out->order_count = all_terms.len;

    /* 2. logic trees */
    for (size_t i = 0; i < params.len; i++) {
        if (!pp[i].value || !ending_in(pp[i].key, w_logic, 2))
            continue;
        /* A logic tree's filters go to Postgres as text parameters. */
        raw_param_t cut = cut_at_nul(arena, &pp[i]);
        int rc = parse_logic_param(arena, &cut, &slots[i], err);
        if (rc < 0)
            return rc;
        used[i] = true;
    }

    /* 3. columns */
    const raw_param_t *found;
    if (lookup_param(&params, "columns", &found) < 0 || (found && found->value_bad))
        return NOT_UTF8;
    const char *columns = found ? found->value : NULL;
    if (columns &&
        parse_columns(arena, columns, "columns", &out->columns, &out->column_count, err) < 0)
        return -1;

    /* 4. select */
    if (lookup_param(&params, "select", &found) < 0 || (found && found->value_bad))
        return NOT_UTF8;
    const char *select = found ? found->value : NULL;
    if (!select) {
        /* No select: all columns, exactly what parsing "*" yields (the unit
         * tests compare the two), without running the parser per request. */
        pgrst_select_item_t *star = arena_calloc(arena, 1, sizeof *star);
        star->star = true;
        star->field.name = "*";
        out->select = star;
        out->select_count = 1;
    } else {
        ps_t ps;
        ps_init(&ps, arena, select);
        vec_t items;
        vec_init(&items, sizeof(pgrst_select_item_t));
        pr_t r = p_field_forest(&ps, 0, &items);
        if (!r.ok)
            return set_parse_error(
                err, arena_sprintf(arena, "failed to parse select parameter (%s)", select), &r.err);
        out->select = items.data;
        out->select_count = items.len;
    }

    /* 5. filters: every other key with a value */
    vec_t rpc_args;
    vec_init(&rpc_args, sizeof(pgrst_param_t));
    for (size_t i = 0; i < params.len; i++) {
        if (!pp[i].value || ending_in(pp[i].key, embeddable_reserved, 5) ||
            strs_has(top_reserved, 3, pp[i].key))
            continue;
        if (rpc_read && !pp[i].value_bad && !starts_as_op_expr(pp[i].value)) {
            pgrst_param_t *arg = vec_push(arena, &rpc_args);
            arg->key = pp[i].key;
            arg->value = pp[i].value;
            continue;
        }
        raw_param_t cut = cut_at_nul(arena, &pp[i]);
        if (!parse_filter_simple(arena, &cut, &slots[i])) {
            int rc = parse_filter_param(arena, &cut, &slots[i], err);
            if (rc < 0)
                return rc;
        }
        used[i] = true;
    }

    /* 6. on_conflict */
    if (lookup_param(&params, "on_conflict", &found) < 0 || (found && found->value_bad))
        return NOT_UTF8;
    const char *onc = found ? found->value : NULL;
    if (onc && parse_columns(arena, onc, "on_conflict", &out->on_conflict, &out->on_conflict_count,
                             err) < 0)
        return -1;

    vec_t where;
    vec_init(&where, sizeof(pgrst_logic_t));
    for (size_t i = 0; i < params.len; i++)
        if (used[i])
            *(pgrst_logic_t *)vec_push(arena, &where) = slots[i];
    out->where = where.data;
    out->where_count = where.len;
    out->rpc_args = rpc_args.data;
    out->rpc_arg_count = rpc_args.len;

    /* 7. limit/offset (HashMap.fromList: the last wins; unreadable values are
     * ignored). ApiRequest.getRanges reads every value whose key ends in limit
     * or offset (the maps are strict) before it checks the range. */
    static const char *const w_range[] = {"limit", "offset"};
    for (size_t i = 0; i < params.len; i++)
        if (pp[i].value && pp[i].value_bad && ending_in(pp[i].key, w_range, 2))
            return NOT_UTF8;
    out->offset = 0;
    bool limit_seen = false;
    for (size_t i = 0; i < params.len; i++) {
        int64_t v;
        if (!pp[i].value || !read_integer(pp[i].value, &v))
            continue;
        if (strcmp(pp[i].key, "limit") == 0) {
            out->limit = v;
            limit_seen = true;
        } else if (strcmp(pp[i].key, "offset") == 0) {
            out->offset = v;
        }
    }
    /* rel.limit / rel.offset (pRequestRange: the key's tree path names the
     * embedded resource; unreadable values leave the range open). */
    vec_t ranges;
    vec_init(&ranges, sizeof(pgrst_embed_range_t));
    for (size_t i = 0; i < params.len; i++) {
        if (!pp[i].value || !strchr(pp[i].key, '.') || !ending_in(pp[i].key, w_range, 2))
            continue;
        ps_t ps;
        ps_init(&ps, arena, pp[i].key);
        vec_t path;
        vec_init(&path, sizeof(const char *));
        pgrst_field_t fld;
        memset(&fld, 0, sizeof fld);
        pr_t r = p_tree_path(&ps, &path, &fld);
        if (!r.ok)
            return set_parse_error(
                err, arena_sprintf(arena, "failed to parse tree path (%s)", pp[i].key), &r.err);
        if (!path.len)
            continue;
        pgrst_embed_range_t *slot = NULL;
        pgrst_embed_range_t *have = ranges.data;
        for (size_t j = 0; j < ranges.len && !slot; j++)
            if (same_path(have[j].relation, have[j].relation_len, path.data, path.len))
                slot = &have[j];
        if (!slot) {
            slot = vec_push(arena, &ranges);
            slot->relation = path.data;
            slot->relation_len = path.len;
            slot->limit = -1;
            slot->offset = 0;
        }
        int64_t v;
        bool is_limit = strcmp(last_segment(pp[i].key), "limit") == 0;
        if (is_limit)
            slot->limit = read_integer(pp[i].value, &v) ? v : -1;
        else
            slot->offset = read_integer(pp[i].value, &v) ? v : 0;
    }
    out->embed_ranges = ranges.data;
    out->embed_range_count = ranges.len;
    /* After the parse (ApiRequest.getRanges): a negative limit is an empty range. */
    if (limit_seen && out->limit < 0) {
        pgrst_error_setf(err, "PGRST103", "Requested range not satisfiable");
        pgrst_error_detailsf(err, "Limit should be greater than or equal to zero.");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Prefer (Preferences.fromHeaders)                                          */
/* ------------------------------------------------------------------------ */

/* BS.strip of Data.ByteString.Char8 (isSpace on Latin-1 bytes). */
static bool c8_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0;
}

static const char *const accepted_prefs[] = {"resolution=merge-duplicates",
                                             "resolution=ignore-duplicates",
                                             "return=representation",
                                             "return=minimal",
                                             "return=headers-only",
                                             "count=exact",
                                             "count=planned",
                                             "count=estimated",
                                             "tx=commit",
                                             "tx=rollback",
                                             "missing=default",
                                             "missing=null",
                                             "handling=strict",
                                             "handling=lenient"};

/* readMaybe :: Maybe Int64 (wraps modulo 2^64 like Haskell's fromInteger). */
static bool read_int64(const char *s, int64_t *out)
{
    bool neg = false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    if (*s < '0' || *s > '9')
        return false;
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    if (*s)
        return false;
    if (neg)
        v = 0 - v;
    memcpy(out, &v, sizeof v);
    return true;
}

void pgrst_prefer_parse(arena_t *arena, const mock_request_t *req, pgrst_prefer_t *out)
{
    pgrst_prefer_parse_tz(arena, req, NULL, NULL, out);
}

void pgrst_prefer_parse_tz(arena_t *arena, const mock_request_t *req,
                           bool (*tz_ok)(void *arg, const char *name), void *tz_arg,
                           pgrst_prefer_t *out)
{
    /* isTimezonePrefAccepted: the first timezone= value is one of the
     * cached pg_timezone_names; when it is not, no timezone applies and
     * every timezone= token is invalid (isUnacceptable). */
    bool tz_accepted = true;
    memset(out, 0, sizeof *out);
    out->max_affected = -1;
    vec_t invalid;
    vec_init(&invalid, sizeof(const char *));
    bool tz_seen = false, ma_seen = false;
    for (size_t h = 0; req && h < req->header_count; h++) {
        if (strcmp(req->headers[h].name, "prefer") != 0)
            continue;
        const char *v = req->headers[h].value;
        if (!*v)
            continue; /* BS.split ',' "" == [] */
        for (;;) {
            size_t n = strcspn(v, ",");
            const char *st = v, *en = v + n;
            while (st < en && c8_space((unsigned char)*st))
                st++;
            while (en > st && c8_space((unsigned char)en[-1]))
                en--;
            const char *tok = arena_strndup(arena, st, (size_t)(en - st));
            int64_t ma;
            if (strcmp(tok, "resolution=merge-duplicates") == 0) {
                if (!out->resolution)
                    out->resolution = PGRST_RESOLUTION_MERGE;
            } else if (strcmp(tok, "resolution=ignore-duplicates") == 0) {
                if (!out->resolution)
                    out->resolution = PGRST_RESOLUTION_IGNORE;
            } else if (strcmp(tok, "return=representation") == 0) {
                if (!out->ret)
                    out->ret = PGRST_RETURN_REPRESENTATION;
            } else if (strcmp(tok, "return=minimal") == 0) {
                if (!out->ret)
                    out->ret = PGRST_RETURN_MINIMAL;
            } else if (strcmp(tok, "return=headers-only") == 0) {
                if (!out->ret)
                    out->ret = PGRST_RETURN_HEADERS_ONLY;
            } else if (strncmp(tok, "count=", 6) == 0 && strs_has(accepted_prefs, 14, tok)) {
                if (!out->count)
                    out->count = tok[6] == 'e' && tok[7] == 'x' ? PGRST_COUNT_EXACT
                                 : tok[6] == 'p'                ? PGRST_COUNT_PLANNED
                                                                : PGRST_COUNT_ESTIMATED;
            } else if (strcmp(tok, "tx=commit") == 0 || strcmp(tok, "tx=rollback") == 0) {
                if (!out->tx)
                    out->tx = tok[3] == 'c' ? PGRST_TX_COMMIT : PGRST_TX_ROLLBACK;
            } else if (strcmp(tok, "missing=default") == 0 || strcmp(tok, "missing=null") == 0) {
                if (!out->missing)
                    out->missing = tok[8] == 'd' ? PGRST_MISSING_DEFAULT : PGRST_MISSING_NULL;
            } else if (strcmp(tok, "handling=strict") == 0 ||
                       strcmp(tok, "handling=lenient") == 0) {
                if (!out->handling)
                    out->handling = tok[9] == 's' ? PGRST_HANDLING_STRICT : PGRST_HANDLING_LENIENT;
            } else if (strncmp(tok, "timezone=", 9) == 0) {
                if (!tz_seen) {
                    tz_accepted = !tz_ok || tz_ok(tz_arg, tok + 9);
                    if (tz_accepted)
                        out->timezone = tok + 9;
                }
                tz_seen = true;
                if (!tz_accepted)
                    *(const char **)vec_push(arena, &invalid) = tok;
            } else if (strncmp(tok, "max-affected=", 13) == 0) {
                /* listStripPrefix takes the first such token; readMaybe may then fail. */
                if (!ma_seen && read_int64(tok + 13, &ma))
                    out->max_affected = ma;
                ma_seen = true;
            } else {
                *(const char **)vec_push(arena, &invalid) = tok;
            }
            if (!v[n])
                break;
            v += n + 1;
        }
    }
    out->invalid = invalid.data;
    out->invalid_count = invalid.len;
}

/* ------------------------------------------------------------------------ */
/* Accept (wai-extra parseHttpAccept + MediaType.decodeMediaType + Plan's     */
/* negotiateContent against a table's builtin handlers)                       */
/* ------------------------------------------------------------------------ */

typedef struct accept_item {
    char *mt; /* spaces removed, ";q=..." and what follows it dropped */
    double q;
    int specificity; /* semicolons - stars */
} accept_item_t;

/* reads :: Double on the text after ";q=" up to the next ';' (1.0 when unreadable). */
static double read_q(const char *s, size_t n)
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return 1.0;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (tmp[0] < '0' || tmp[0] > '9')
        return 1.0; /* Haskell reads wants a digit first (no ".5", no "+1") */
    char *end;
    double d = strtod(tmp, &end);
    if (end == tmp)
        return 1.0;
    /* strtod also takes hex and inf; Haskell would stop earlier. Good enough for q. */
    return d;
}

static bool ieq(const char *a, size_t an, const char *b)
{
    size_t bn = strlen(b);
    if (an != bn)
        return false;
    for (size_t i = 0; i < an; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x + 32);
        if (x != y)
            return false;
    }
    return true;
}

/* Returns 1 and fills out when the table endpoint can produce this media type. */
static int match_media(const char *mt, pgrst_accept_t *out)
{
    const char *slash = strchr(mt, '/');
    const char *main_end = slash ? slash : mt + strlen(mt);
    const char *sub = slash ? slash + 1 : main_end;
    const char *semi = strchr(sub, ';');
    size_t main_n = (size_t)(main_end - mt);
    size_t sub_n = semi ? (size_t)(semi - sub) : strlen(sub);
    /* nulls=stripped: params split on ';' and '=', names lowercased, quotes dropped. */
    bool stripped = false;
    for (const char *p = semi; p && *p; p = strchr(p + 1, ';')) {
        const char *k = p + 1;
        size_t kn = strcspn(k, "=;");
        if (ieq(k, kn, "nulls") && k[kn] == '=') {
            const char *v = k + kn + 1;
            size_t vn = strcspn(v, ";");
            while (vn && *v == '"') {
                v++;
                vn--;
            }
            while (vn && v[vn - 1] == '"')
                vn--;
            stripped = vn == 8 && memcmp(v, "stripped", 8) == 0;
        }
    }
    out->nulls_stripped = false;
    if (ieq(mt, main_n, "application")) {
        if (ieq(sub, sub_n, "json")) {
            out->media = PGRST_MEDIA_JSON;
            return 1;
        }
        if (ieq(sub, sub_n, "geo+json")) {
            out->media = PGRST_MEDIA_GEOJSON;
            return 1;
        }
        if (ieq(sub, sub_n, "vnd.pgrst.object+json") || ieq(sub, sub_n, "vnd.pgrst.object")) {
            out->media = PGRST_MEDIA_OBJECT;
            out->nulls_stripped = stripped;
            return 1;
        }
        if (ieq(sub, sub_n, "vnd.pgrst.array+json") || ieq(sub, sub_n, "vnd.pgrst.array")) {
            out->media = PGRST_MEDIA_JSON;
            out->nulls_stripped = stripped;
            return 1;
        }
        return 0; /* plan (db-plan-enabled is off), openapi, octet-stream, application/(star), ...
                   */
    }
    if (ieq(mt, main_n, "text") && ieq(sub, sub_n, "csv")) {
        out->media = PGRST_MEDIA_CSV;
        return 1;
    }
    if (ieq(mt, main_n, "*") && ieq(sub, sub_n, "*")) {
        out->media = PGRST_MEDIA_JSON;
        return 1;
    }
    return 0;
}

/* Returns 1 when the root endpoint produces this media type: Plan.hs
 * inspectPlan's [MTOpenAPI, MTApplicationJSON, MTAny], parameters ignored
 * as decodeMediaType ignores them for these. */
static int match_root_media(const char *mt, pgrst_accept_t *out)
{
    out->media = PGRST_MEDIA_JSON;
    out->nulls_stripped = false;
    size_t n = strcspn(mt, ";");
    return ieq(mt, n, "application/openapi+json") || ieq(mt, n, "application/json") ||
           ieq(mt, n, "*/*");
}

/* toMime of the media type match_media decoded (MediaType.hs), for the
 * `for` of a plan's Content-Type: application/vnd.pgrst.array+json without
 * stripped nulls is application/json there, any type stays any type. */
static const char *media_mime(const char *mt, const pgrst_accept_t *m)
{
    switch (m->media) {
    case PGRST_MEDIA_OBJECT:
        return m->nulls_stripped ? "application/vnd.pgrst.object+json;nulls=stripped"
                                 : "application/vnd.pgrst.object+json";
    case PGRST_MEDIA_CSV:
        return "text/csv";
    case PGRST_MEDIA_GEOJSON:
        return "application/geo+json";
    default:
        if (m->nulls_stripped)
            return "application/vnd.pgrst.array+json;nulls=stripped";
        return mt[0] == '*' ? "*/*" : "application/json";
    }
}

/* One `;name=value` parameter of a media type from p (at its ';'): the name
 * and the value, a quoted value unquoted (it may hold ';'). Returns where the
 * next parameter starts (its ';') or the end. */
static const char *media_param(const char *p, const char **name, size_t *name_n, const char **value,
                               size_t *value_n)
{
    const char *k = p + 1;
    size_t kn = strcspn(k, "=;");
    *name = k;
    *name_n = kn;
    *value = "";
    *value_n = 0;
    if (k[kn] != '=')
        return k + kn;
    const char *v = k + kn + 1;
    if (*v == '"') {
        const char *close = strchr(v + 1, '"');
        *value = v + 1;
        *value_n = close ? (size_t)(close - v - 1) : strlen(v + 1);
        return close ? close + 1 + strcspn(close + 1, ";") : v + strlen(v);
    }
    *value = v;
    *value_n = strcspn(v, ";");
    return v + *value_n;
}

/* application/vnd.pgrst.plan[+text|+json] with its for= and options=
 * (decodeMediaType getPlan; option names compare exactly, as `elem` does). */
static int match_plan(const char *mt, pgrst_accept_t *out)
{
    size_t n = strcspn(mt, ";");
    bool json;
    if (ieq(mt, n, "application/vnd.pgrst.plan") || ieq(mt, n, "application/vnd.pgrst.plan+text"))
        json = false;
    else if (ieq(mt, n, "application/vnd.pgrst.plan+json"))
        json = true;
    else
        return 0;
    char *for_mt = NULL;
    unsigned options = 0;
    for (const char *p = mt + n; *p == ';';) {
        const char *name, *value;
        size_t name_n, value_n;
        p = media_param(p, &name, &name_n, &value, &value_n);
        if (ieq(name, name_n, "for")) {
            free(for_mt);
            for_mt = xstrndup(value, value_n);
        } else if (ieq(name, name_n, "options")) {
            options = 0;
            for (const char *o = value; o < value + value_n;) {
                size_t on = strcspn(o, "|");
                if (o + on > value + value_n)
                    on = (size_t)(value + value_n - o);
                for (unsigned i = 0; i < PGRST_PLAN_OPTION_COUNT; i++)
                    if (on == strlen(pgrst_plan_option_name(i)) &&
                        memcmp(o, pgrst_plan_option_name(i), on) == 0)
                        options |= 1u << i;
                o += on + 1;
            }
        }
    }
    /* Negotiate.hs: the plan is for a media type the endpoint produces. */
    pgrst_accept_t inner;
    const char *target = for_mt ? for_mt : "application/json";
    int ok = match_media(target, &inner);
    if (ok) {
        *out = inner;
        out->plan = (pgrst_plan_t){
            .on = true, .json = json, .options = options, .for_mime = media_mime(target, &inner)};
    }
    free(for_mt);
    return ok;
}

static int match_media_or_plan(const char *mt, pgrst_accept_t *out)
{
    out->plan = (pgrst_plan_t){0};
    return match_plan(mt, out) || match_media(mt, out);
}

static int accept_negotiate(const char *accept, int (*match)(const char *, pgrst_accept_t *),
                            pgrst_accept_t *out, pgrst_error_t *err);

int pgrst_accept_parse(const char *accept, pgrst_accept_t *out, pgrst_error_t *err)
{
    out->plan = (pgrst_plan_t){0};
    return accept_negotiate(accept, match_media, out, err);
}

int pgrst_accept_parse_plan(const char *accept, bool plan_enabled, pgrst_accept_t *out,
                            pgrst_error_t *err)
{
    out->plan = (pgrst_plan_t){0};
    return accept_negotiate(accept, plan_enabled ? match_media_or_plan : match_media, out, err);
}

int pgrst_accept_root(const char *accept, pgrst_error_t *err)
{
    pgrst_accept_t unused;
    return accept_negotiate(accept, match_root_media, &unused, err);
}

static int accept_negotiate(const char *accept, int (*match)(const char *, pgrst_accept_t *),
                            pgrst_accept_t *out, pgrst_error_t *err)
{
    out->media = PGRST_MEDIA_JSON;
    out->nulls_stripped = false;
    if (!accept)
        return 0; /* no header: [MTAny] */
    size_t cap = 1;
    for (const char *p = accept; *p; p++)
        cap += *p == ',';
    accept_item_t *items = xcalloc(cap, sizeof *items);
    size_t n = 0;
    const char *p = accept;
    while (*accept) { /* BS.split 44 "" == [] */
        size_t len = strcspn(p, ",");
        char *nospace = xmalloc(len + 1);
        size_t k = 0;
        for (size_t i = 0; i < len; i++)
            if (p[i] != ' ')
                nospace[k++] = p[i];
        nospace[k] = 0;
        char *qp = strstr(nospace, ";q=");
        double q = 1.0;
        if (qp) {
            const char *qv = qp + 3;
            q = read_q(qv, strcspn(qv, ";"));
            *qp = 0;
        }
        int semis = 0, stars = 0;
        for (char *c = nospace; *c; c++) {
            semis += *c == ';';
            stars += *c == '*';
        }
        items[n].mt = nospace;
        items[n].q = q;
        items[n].specificity = semis - stars;
        n++;
        if (!p[len])
            break;
        p += len + 1;
    }
    /* sortBy (flip compare `on` (q, specificity)): stable insertion sort, descending. */
    for (size_t i = 1; i < n; i++) {
        accept_item_t t = items[i];
        size_t j = i;
        while (j > 0 && (items[j - 1].q < t.q ||
                         (items[j - 1].q == t.q && items[j - 1].specificity < t.specificity))) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = t;
    }
    int rc = -1;
    for (size_t i = 0; i < n; i++) {
        if (match(items[i].mt, out)) {
            rc = 0;
            break;
        }
    }
    if (rc < 0) {
        /* MediaTypeError: toMime of every decoded type, joined by ", ". Known types
         * print their canonical mime (e.g. "text/plain"); others print as sent. */
        buf_t b;
        buf_init(&b);
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_puts(&b, ", ");
            buf_puts(&b, items[i].mt);
        }
        pgrst_error_setf(err, "PGRST107", "None of these media types are available: %s",
                         buf_cstr(&b));
        buf_dispose(&b);
        out->media = PGRST_MEDIA_JSON;
    }
    for (size_t i = 0; i < n; i++)
        free(items[i].mt);
    free(items);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Range (RangeQuery.rangeParse: ^([0-9]+)-([0-9]*)$)                         */
/* ------------------------------------------------------------------------ */

int pgrst_range_parse(const char *range, int64_t *from, int64_t *to)
{
    if (!range)
        return 1;
    const char *p = range;
    if (*p < '0' || *p > '9')
        return 1;
    int64_t a = 0, b = -1;
    while (*p >= '0' && *p <= '9') {
        int d = *p++ - '0';
        a = a > (INT64_MAX - d) / 10 ? INT64_MAX : a * 10 + d;
    }
    if (*p++ != '-')
        return 1;
    if (*p) {
        b = 0;
        while (*p >= '0' && *p <= '9') {
            int d = *p++ - '0';
            b = b > (INT64_MAX - d) / 10 ? INT64_MAX : b * 10 + d;
        }
        if (*p)
            return 1;
    }
    *from = a;
    *to = b;
    return 0;
}
