/* pg_regex.h: a regular-expression engine for Postgres's ARE flavour, built
 * for input from the network. glibc's regcomp/regexec (used before) has no
 * limits: a{0,32767} or nested counted repetitions took a gigabyte, and a
 * backreference pattern ran for minutes. PCRE2 has step limits, but it
 * backtracks where Postgres does not: Postgres runs an automaton (linear in
 * the subject) and backtracks only to verify backreferences, so PCRE2 would
 * answer 57014 to patterns such as (a*)*b that Postgres answers at once, and
 * its syntax differs from ARE in many small ways (. and newline, $, \m, \y,
 * {, embedded options). So this file does what Postgres does, within caps:
 *
 *   - parse ARE syntax with Postgres's error messages (regerrs.h), including
 *     DUPMAX (255) for {m,n} and "regular expression is too complex" when the
 *     expansion of counted repetitions exceeds MOCK_REGEX_MAX_STATES;
 *   - match without backreferences by simulating the NFA over a state set
 *     (Thompson), steps = O(subject length x program size), memory fixed at
 *     compile time;
 *   - with backreferences, run the NFA first with each backreference read as
 *     "any string" (as Postgres's DFA pre-check does), then a backtracker
 *     whose steps are charged to the request and whose stack is capped.
 *
 * Not supported (answered as an invalid regular expression): lookahead and
 * lookbehind constraints, BRE/ERE embedded options (?b) (?e), named collating
 * elements such as [[.hyphen.]]. Case-insensitivity and character classes
 * follow the C.UTF-8 locale, as Supabase's databases are created with it. */
#include "pg_regex.h"

#include "caps.h"
#include "xalloc.h"

#include <locale.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <wctype.h>

/* ---- Postgres's messages (src/include/regex/regerrs.h) ---- */

enum {
    E_OK,
    E_ECOLLATE,
    E_ECTYPE,
    E_EESCAPE,
    E_ESUBREG,
    E_EBRACK,
    E_EPAREN,
    E_EBRACE,
    E_BADBR,
    E_ERANGE,
    E_BADRPT,
    E_BADOPT,
    E_ETOOBIG,
    E_UNSUPPORTED,
};

static const char *const messages[] = {
    [E_ECOLLATE] = "invalid collating element",
    [E_ECTYPE] = "invalid character class",
    [E_EESCAPE] = "invalid escape \\ sequence",
    [E_ESUBREG] = "invalid backreference number",
    [E_EBRACK] = "brackets [] not balanced",
    [E_EPAREN] = "parentheses () not balanced",
    [E_EBRACE] = "braces {} not balanced",
    [E_BADBR] = "invalid repetition count(s)",
    [E_ERANGE] = "invalid character range",
    [E_BADRPT] = "quantifier operand invalid",
    [E_BADOPT] = "invalid embedded option",
    [E_ETOOBIG] = "regular expression is too complex",
    [E_UNSUPPORTED] = "lookaround constraints are not supported by supamock",
};

/* ---- character classes ---- */

enum {
    CT_ALNUM = 1 << 0,
    CT_ALPHA = 1 << 1,
    CT_ASCII = 1 << 2,
    CT_BLANK = 1 << 3,
    CT_CNTRL = 1 << 4,
    CT_DIGIT = 1 << 5,
    CT_GRAPH = 1 << 6,
    CT_LOWER = 1 << 7,
    CT_PRINT = 1 << 8,
    CT_PUNCT = 1 << 9,
    CT_SPACE = 1 << 10,
    CT_UPPER = 1 << 11,
    CT_XDIGIT = 1 << 12,
    CT_WORD = 1 << 13,
};

static const struct {
    const char *name;
    unsigned bit;
} class_names[] = {
    {"alnum", CT_ALNUM},   {"alpha", CT_ALPHA}, {"ascii", CT_ASCII}, {"blank", CT_BLANK},
    {"cntrl", CT_CNTRL},   {"digit", CT_DIGIT}, {"graph", CT_GRAPH}, {"lower", CT_LOWER},
    {"print", CT_PRINT},   {"punct", CT_PUNCT}, {"space", CT_SPACE}, {"upper", CT_UPPER},
    {"xdigit", CT_XDIGIT}, {"word", CT_WORD},
};

typedef struct cls {
    uint32_t *ranges; /* pairs lo, hi */
    size_t nranges, cap;
    unsigned ctypes;  /* members: characters of these classes */
    unsigned nctypes; /* members: characters outside these classes (\D \S \W in brackets) */
    bool negate;
    bool no_newline; /* newline-sensitive negated class: never matches \n */
} cls_t;

static bool ctype_is(locale_t loc, unsigned bit, uint32_t c)
{
    wint_t w = (wint_t)c;
    switch (bit) {
    case CT_ALNUM:
        return loc ? iswalnum_l(w, loc) : (c < 128 && iswalnum(w));
    case CT_ALPHA:
        return loc ? iswalpha_l(w, loc) : (c < 128 && iswalpha(w));
    case CT_ASCII:
        return c < 128;
    case CT_BLANK:
        return loc ? iswblank_l(w, loc) : (c == ' ' || c == '\t');
    case CT_CNTRL:
        return loc ? iswcntrl_l(w, loc) : (c < 32 || c == 127);
    case CT_DIGIT:
        return c >= '0' && c <= '9';
    case CT_GRAPH:
        return loc ? iswgraph_l(w, loc) : (c > 32 && c < 127);
    case CT_LOWER:
        return loc ? iswlower_l(w, loc) : (c >= 'a' && c <= 'z');
    case CT_PRINT:
        return loc ? iswprint_l(w, loc) : (c >= 32 && c < 127);
    case CT_PUNCT:
        return loc ? iswpunct_l(w, loc) : (c < 128 && iswpunct(w));
    case CT_SPACE:
        return loc ? iswspace_l(w, loc) : (c == ' ' || (c >= 9 && c <= 13));
    case CT_UPPER:
        return loc ? iswupper_l(w, loc) : (c >= 'A' && c <= 'Z');
    case CT_XDIGIT:
        return c < 128 && ((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f'));
    case CT_WORD:
        return c == '_' || ctype_is(loc, CT_ALNUM, c);
    default:
        return false;
    }
}

static uint32_t fold_lower(locale_t loc, uint32_t c)
{
    if (c < 128)
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    return loc ? (uint32_t)towlower_l((wint_t)c, loc) : c;
}

static uint32_t fold_upper(locale_t loc, uint32_t c)
{
    if (c < 128)
        return c >= 'a' && c <= 'z' ? c - 32 : c;
    return loc ? (uint32_t)towupper_l((wint_t)c, loc) : c;
}

static bool cls_has(const cls_t *k, locale_t loc, uint32_t c)
{
    for (size_t i = 0; i < k->nranges; i++)
        if (c >= k->ranges[2 * i] && c <= k->ranges[2 * i + 1])
            return true;
    if (!(k->ctypes | k->nctypes))
        return false;
    for (unsigned bit = 1; bit <= CT_WORD; bit <<= 1) {
        if ((k->ctypes & bit) && ctype_is(loc, bit, c))
            return true;
        if ((k->nctypes & bit) && !ctype_is(loc, bit, c))
            return true;
    }
    return false;
}

static bool cls_match(const cls_t *k, locale_t loc, bool icase, uint32_t c)
{
    if (k->no_newline && c == '\n')
        return false;
    bool in = cls_has(k, loc, c);
    if (!in && icase)
        in = cls_has(k, loc, fold_lower(loc, c)) || cls_has(k, loc, fold_upper(loc, c));
    return in != k->negate;
}

static void cls_add(cls_t *k, uint32_t lo, uint32_t hi)
{
    if (k->nranges == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 4;
        k->ranges = xrealloc(k->ranges, k->cap * 2 * sizeof *k->ranges);
    }
    k->ranges[2 * k->nranges] = lo;
    k->ranges[2 * k->nranges + 1] = hi;
    k->nranges++;
}

/* ---- UTF-8 ---- */

/* Decodes the character at s[*i] and advances *i. The text Postgres stores is
 * valid UTF-8; a stray byte decodes as itself so matching stays total. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char b = s[*i];
    int n = b < 0x80 ? 0 : b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : -1;
    if (n <= 0 || *i + (size_t)n >= len) {
        (*i)++;
        return b;
    }
    uint32_t c = b & (0x3F >> n);
    for (int k = 1; k <= n; k++) {
        unsigned char cb = s[*i + (size_t)k];
        if ((cb & 0xC0) != 0x80) {
            (*i)++;
            return b;
        }
        c = (c << 6) | (cb & 0x3F);
    }
    *i += (size_t)n + 1;
    return c;
}

/* The character ending just before byte i (i > 0). */
static uint32_t utf8_prev(const unsigned char *s, size_t len, size_t i)
{
    size_t j = i - 1;
    while (j > 0 && i - j < 4 && (s[j] & 0xC0) == 0x80)
        j--;
    size_t k = j;
    uint32_t c = utf8_next(s, len, &k);
    return k == i ? c : s[i - 1];
}

/* ---- syntax tree ---- */

typedef enum nkind {
    N_EMPTY,
    N_CHAR,
    N_ANY,
    N_CLASS,
    N_CAT,
    N_ALT,
    N_REP,
    N_GROUP,
    N_BOS,  /* \A, or ^ outside newline-anchoring mode */
    N_EOS,  /* \Z, or $ likewise */
    N_BOL,  /* ^ with newline anchoring */
    N_EOL,  /* $ with newline anchoring */
    N_WB,   /* \y */
    N_NWB,  /* \Y */
    N_WBEG, /* \m */
    N_WEND, /* \M */
    N_BACKREF,
} nkind_t;

typedef struct node {
    nkind_t kind;
    int a, b;     /* children (CAT, ALT: both; REP, GROUP: a) */
    int min, max; /* REP: max -1 is unbounded */
    uint32_t c;   /* CHAR: the character; CLASS: class index; GROUP, BACKREF: group number */
} node_t;

typedef struct parser {
    const uint32_t *p;
    size_t n, i;
    node_t *nodes;
    size_t nnodes, cap;
    cls_t *classes;
    size_t nclasses, clscap;
    int ngroups;
    unsigned char *closed; /* closed[g]: group g's ')' was seen */
    int err;
    int depth;
    bool icase, expanded, nlstop, nlanch, has_backref;
    locale_t loc;
} parser_t;

static int node_new(parser_t *ps, nkind_t kind, int a, int b)
{
    if (ps->nnodes == ps->cap) {
        ps->cap = ps->cap ? 2 * ps->cap : 64;
        ps->nodes = xrealloc(ps->nodes, ps->cap * sizeof *ps->nodes);
    }
    node_t *nd = &ps->nodes[ps->nnodes];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->a = a;
    nd->b = b;
    return (int)ps->nnodes++;
}

static int char_node(parser_t *ps, uint32_t c)
{
    int n = node_new(ps, N_CHAR, -1, -1);
    ps->nodes[n].c = c;
    return n;
}

static cls_t *class_new(parser_t *ps, int *node)
{
    if (ps->nclasses == ps->clscap) {
        ps->clscap = ps->clscap ? 2 * ps->clscap : 8;
        ps->classes = xrealloc(ps->classes, ps->clscap * sizeof *ps->classes);
    }
    cls_t *k = &ps->classes[ps->nclasses];
    memset(k, 0, sizeof *k);
    *node = node_new(ps, N_CLASS, -1, -1);
    ps->nodes[*node].c = (uint32_t)ps->nclasses++;
    return k;
}

static bool at_end(const parser_t *ps)
{
    return ps->i >= ps->n;
}

static uint32_t peek(const parser_t *ps, size_t ahead)
{
    return ps->i + ahead < ps->n ? ps->p[ps->i + ahead] : 0;
}

static bool has(const parser_t *ps, size_t ahead)
{
    return ps->i + ahead < ps->n;
}

static int fail(parser_t *ps, int err)
{
    if (!ps->err)
        ps->err = err;
    return -1;
}

/* Expanded syntax (?x): white space and #-comments between tokens are ignored. */
static void skip_blanks(parser_t *ps)
{
    if (!ps->expanded)
        return;
    while (!at_end(ps)) {
        uint32_t c = peek(ps, 0);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            ps->i++;
        } else if (c == '#') {
            while (!at_end(ps) && peek(ps, 0) != '\n')
                ps->i++;
        } else {
            break;
        }
    }
}

static bool is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

static int hexval(uint32_t c)
{
    if (is_digit(c))
        return (int)(c - '0');
    if ((c | 32) >= 'a' && (c | 32) <= 'f')
        return (int)((c | 32) - 'a' + 10);
    return -1;
}

static bool is_alnum_ascii(uint32_t c)
{
    return is_digit(c) || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* Character-entry escapes (\n, \x41, \u00e9, \cX, octal ...) after the
 * backslash, shared by atoms and bracket expressions. Returns 1 with *out set,
 * 0 when the escape is not a character entry, -1 on error. */
static int char_escape(parser_t *ps, uint32_t e, uint32_t *out)
{
    switch (e) {
    case 'a':
        *out = 7;
        return 1;
    case 'b':
        *out = 8;
        return 1;
    case 'B':
        *out = '\\';
        return 1;
    case 'e':
        *out = 27;
        return 1;
    case 'f':
        *out = 12;
        return 1;
    case 'n':
        *out = 10;
        return 1;
    case 'r':
        *out = 13;
        return 1;
    case 't':
        *out = 9;
        return 1;
    case 'v':
        *out = 11;
        return 1;
    case 'c':
        if (at_end(ps))
            return fail(ps, E_EESCAPE);
        *out = ps->p[ps->i++] & 0x1F;
        return 1;
    case 'u':
    case 'U':
    case 'x': {
        int want = e == 'u' ? 4 : e == 'U' ? 8 : 0;
        uint32_t v = 0;
        int got = 0;
        while (has(ps, 0) && hexval(peek(ps, 0)) >= 0 && (want ? got < want : got < 8)) {
            v = v * 16 + (uint32_t)hexval(ps->p[ps->i++]);
            got++;
        }
        if ((want && got != want) || got == 0 || v > 0x10FFFF)
            return fail(ps, E_EESCAPE);
        *out = v;
        return 1;
    }
    case '0': {
        uint32_t v = 0;
        for (int k = 0; k < 2 && has(ps, 0) && peek(ps, 0) >= '0' && peek(ps, 0) <= '7'; k++)
            v = v * 8 + (ps->p[ps->i++] - '0');
        *out = v;
        return 1;
    }
    default:
        if (is_alnum_ascii(e))
            return 0;
        *out = e; /* a backslash before punctuation quotes it */
        return 1;
    }
}

static unsigned shorthand_bit(uint32_t e)
{
    switch (e | 32) {
    case 'd':
        return CT_DIGIT;
    case 's':
        return CT_SPACE;
    case 'w':
        return CT_WORD;
    default:
        return 0;
    }
}

/* One element of a bracket expression: a character (1, *c set), a class
 * ([:alpha:], \d: 2, added to k), or -1 on error. */
static int bracket_element(parser_t *ps, cls_t *k, uint32_t *c)
{
    uint32_t ch = ps->p[ps->i++];
    if (ch == '[' && has(ps, 0) &&
        (peek(ps, 0) == ':' || peek(ps, 0) == '.' || peek(ps, 0) == '=')) {
        uint32_t delim = ps->p[ps->i++];
        size_t start = ps->i;
        while (has(ps, 1) && !(peek(ps, 0) == delim && peek(ps, 1) == ']'))
            ps->i++;
        if (!has(ps, 1))
            return fail(ps, E_EBRACK);
        size_t len = ps->i - start;
        ps->i += 2;
        if (delim == ':') {
            char name[16];
            if (len >= sizeof name)
                return fail(ps, E_ECTYPE);
            for (size_t j = 0; j < len; j++)
                name[j] = ps->p[start + j] < 128 ? (char)ps->p[start + j] : '?';
            name[len] = '\0';
            for (size_t j = 0; j < sizeof class_names / sizeof class_names[0]; j++) {
                if (strcmp(name, class_names[j].name) == 0) {
                    unsigned bit = class_names[j].bit;
                    /* Case-insensitive [:upper:] and [:lower:] mean [:alpha:] (regc_locale.c). */
                    if (ps->icase && (bit == CT_UPPER || bit == CT_LOWER))
                        bit = CT_ALPHA;
                    k->ctypes |= bit;
                    return 2;
                }
            }
            return fail(ps, E_ECTYPE);
        }
        if (len != 1)
            return fail(ps, E_ECOLLATE);
        *c = ps->p[start];
        return 1;
    }
    if (ch == '\\') {
        if (at_end(ps))
            return fail(ps, E_EESCAPE);
        uint32_t e = ps->p[ps->i++];
        unsigned bit = shorthand_bit(e);
        if (bit) {
            if (e >= 'a')
                k->ctypes |= bit;
            else
                k->nctypes |= bit;
            return 2;
        }
        int r = char_escape(ps, e, c);
        if (r < 0)
            return -1;
        if (r == 0)
            return fail(ps, E_EESCAPE);
        return 1;
    }
    *c = ch;
    return 1;
}

static int parse_bracket(parser_t *ps)
{
    int node;
    cls_t *k = class_new(ps, &node);
    size_t kidx = ps->nclasses - 1;
    if (has(ps, 0) && peek(ps, 0) == '^') {
        k->negate = true;
        k->no_newline = ps->nlstop;
        ps->i++;
    }
    bool first = true;
    for (;;) {
        k = &ps->classes[kidx];
        if (at_end(ps))
            return fail(ps, E_EBRACK);
        if (peek(ps, 0) == ']' && !first) {
            ps->i++;
            return node;
        }
        first = false;
        uint32_t lo;
        int r = bracket_element(ps, k, &lo);
        if (r < 0)
            return -1;
        if (has(ps, 1) && peek(ps, 0) == '-' && peek(ps, 1) != ']') {
            if (r == 2)
                return fail(ps, E_ERANGE);
            ps->i++;
            uint32_t hi;
            int r2 = bracket_element(ps, k, &hi);
            if (r2 < 0)
                return -1;
            if (r2 == 2 || hi < lo)
                return fail(ps, E_ERANGE);
            cls_add(k, lo, hi);
            /* a-c-e: a range end cannot start another range. */
            if (has(ps, 1) && peek(ps, 0) == '-' && peek(ps, 1) != ']')
                return fail(ps, E_ERANGE);
        } else if (r == 1) {
            cls_add(k, lo, lo);
        }
    }
}

static int parse_alt(parser_t *ps);

static bool quantifier_next(const parser_t *ps)
{
    uint32_t c = peek(ps, 0);
    if (!has(ps, 0))
        return false;
    return c == '*' || c == '+' || c == '?' || (c == '{' && has(ps, 1) && is_digit(peek(ps, 1)));
}

static int parse_count(parser_t *ps)
{
    int v = 0;
    if (!has(ps, 0) || !is_digit(peek(ps, 0)))
        return -1;
    while (has(ps, 0) && is_digit(peek(ps, 0))) {
        v = v * 10 + (int)(ps->p[ps->i++] - '0');
        if (v > 100000)
            v = 100000;
    }
    return v;
}

/* An atom; *constraint tells anchors and other zero-width constraints, which
 * take no quantifier. */
static int parse_atom(parser_t *ps, bool *constraint)
{
    *constraint = false;
    uint32_t c = ps->p[ps->i++];
    switch (c) {
    case '(': {
        int group = 0;
        if (has(ps, 1) && peek(ps, 0) == '?' && peek(ps, 1) == ':') {
            ps->i += 2;
        } else if (has(ps, 1) && peek(ps, 0) == '?' &&
                   (peek(ps, 1) == '=' || peek(ps, 1) == '!' || peek(ps, 1) == '<')) {
            return fail(ps, E_UNSUPPORTED);
        } else {
            group = ++ps->ngroups;
            ps->closed = xrealloc(ps->closed, (size_t)ps->ngroups + 1);
            ps->closed[group] = 0;
        }
        if (++ps->depth > MOCK_REGEX_MAX_NESTING)
            return fail(ps, E_ETOOBIG);
        int inner = parse_alt(ps);
        ps->depth--;
        if (inner < 0)
            return -1;
        if (at_end(ps) || peek(ps, 0) != ')')
            return fail(ps, E_EPAREN);
        ps->i++;
        if (!group)
            return inner;
        ps->closed[group] = 1;
        int g = node_new(ps, N_GROUP, inner, -1);
        ps->nodes[g].c = (uint32_t)group;
        return g;
    }
    case ')':
        return fail(ps, E_EPAREN);
    case '^':
        *constraint = true;
        return node_new(ps, ps->nlanch ? N_BOL : N_BOS, -1, -1);
    case '$':
        *constraint = true;
        return node_new(ps, ps->nlanch ? N_EOL : N_EOS, -1, -1);
    case '.':
        if (ps->nlstop) {
            int node;
            cls_t *k = class_new(ps, &node);
            k->negate = true;
            k->no_newline = true;
            return node;
        }
        return node_new(ps, N_ANY, -1, -1);
    case '[':
        return parse_bracket(ps);
    case '*':
    case '+':
    case '?':
        return fail(ps, E_BADRPT);
    case '{':
        if (has(ps, 0) && is_digit(peek(ps, 0)))
            return fail(ps, E_BADRPT);
        return char_node(ps, c); /* a brace not starting a bound is itself */
    case '\\': {
        if (at_end(ps))
            return fail(ps, E_EESCAPE);
        uint32_t e = ps->p[ps->i++];
        unsigned bit = shorthand_bit(e);
        if (bit) {
            int node;
            cls_t *k = class_new(ps, &node);
            k->ctypes = bit;
            k->negate = e < 'a';
            k->no_newline = k->negate && ps->nlstop;
            return node;
        }
        nkind_t kind = N_EMPTY;
        switch (e) {
        case 'A':
            kind = N_BOS;
            break;
        case 'Z':
            kind = N_EOS;
            break;
        case 'm':
            kind = N_WBEG;
            break;
        case 'M':
            kind = N_WEND;
            break;
        case 'y':
            kind = N_WB;
            break;
        case 'Y':
            kind = N_NWB;
            break;
        default:
            break;
        }
        if (kind != N_EMPTY) {
            *constraint = true;
            return node_new(ps, kind, -1, -1);
        }
        if (e >= '1' && e <= '9') {
            /* As regc_lex.c: one digit is a backreference; more digits are
             * one when they number a group opened so far, else octal. */
            size_t save = ps->i;
            int g = (int)(e - '0');
            size_t digits = 1;
            while (has(ps, 0) && is_digit(peek(ps, 0)) && g < 100000) {
                g = g * 10 + (int)(ps->p[ps->i++] - '0');
                digits++;
            }
            if (digits == 1 || g <= ps->ngroups) {
                if (g > ps->ngroups || !ps->closed[g])
                    return fail(ps, E_ESUBREG);
                ps->has_backref = true;
                int n = node_new(ps, N_BACKREF, -1, -1);
                ps->nodes[n].c = (uint32_t)g;
                return n;
            }
            ps->i = save - 1;
            uint32_t v = 0;
            for (int k = 0; k < 3 && has(ps, 0) && peek(ps, 0) >= '0' && peek(ps, 0) <= '7'; k++)
                v = v * 8 + (ps->p[ps->i++] - '0');
            if (ps->i == save - 1)
                return fail(ps, E_EESCAPE);
            return char_node(ps, v);
        }
        uint32_t v;
        int r = char_escape(ps, e, &v);
        if (r < 0)
            return -1;
        if (r == 0)
            return fail(ps, E_EESCAPE);
        return char_node(ps, v);
    }
    default:
        return char_node(ps, c);
    }
}

static int parse_piece(parser_t *ps)
{
    bool constraint;
    int atom = parse_atom(ps, &constraint);
    if (atom < 0)
        return -1;
    skip_blanks(ps);
    if (!quantifier_next(ps))
        return atom;
    if (constraint)
        return fail(ps, E_BADRPT);
    int min, max;
    uint32_t q = ps->p[ps->i++];
    if (q == '*') {
        min = 0, max = -1;
    } else if (q == '+') {
        min = 1, max = -1;
    } else if (q == '?') {
        min = 0, max = 1;
    } else {
        min = parse_count(ps);
        max = min;
        if (has(ps, 0) && peek(ps, 0) == ',') {
            ps->i++;
            max = has(ps, 0) && is_digit(peek(ps, 0)) ? parse_count(ps) : -1;
        }
        if (at_end(ps) || peek(ps, 0) != '}')
            return fail(ps, E_EBRACE);
        ps->i++;
        if (min > MOCK_REGEX_DUPMAX || max > MOCK_REGEX_DUPMAX || (max >= 0 && max < min))
            return fail(ps, E_BADBR);
    }
    if (has(ps, 0) && peek(ps, 0) == '?')
        ps->i++; /* non-greedy: the same yes or no */
    skip_blanks(ps);
    if (quantifier_next(ps))
        return fail(ps, E_BADRPT);
    int r = node_new(ps, N_REP, atom, -1);
    ps->nodes[r].min = min;
    ps->nodes[r].max = max;
    return r;
}

static int parse_branch(parser_t *ps)
{
    int node = node_new(ps, N_EMPTY, -1, -1);
    for (;;) {
        skip_blanks(ps);
        if (at_end(ps) || peek(ps, 0) == '|' || peek(ps, 0) == ')')
            return node;
        int piece = parse_piece(ps);
        if (piece < 0)
            return -1;
        node = ps->nodes[node].kind == N_EMPTY ? piece : node_new(ps, N_CAT, node, piece);
    }
}

static int parse_alt(parser_t *ps)
{
    int left = parse_branch(ps);
    while (left >= 0 && !at_end(ps) && peek(ps, 0) == '|') {
        ps->i++;
        int right = parse_branch(ps);
        if (right < 0)
            return -1;
        left = node_new(ps, N_ALT, left, right);
    }
    return left;
}

/* ---- program ---- */

typedef enum op {
    OP_CHAR,    /* a, b, c: the character and its case variants */
    OP_ANY,     /* any character */
    OP_CLASS,   /* a: class index */
    OP_SPLIT,   /* try a, then b */
    OP_JMP,     /* a */
    OP_SAVE,    /* a: slot (group start/end, or a loop's start) */
    OP_ADVANCE, /* a: loop slot; fails unless the loop body consumed something */
    OP_BOS,
    OP_EOS,
    OP_BOL,
    OP_EOL,
    OP_WB,
    OP_NWB,
    OP_WBEG,
    OP_WEND,
    OP_BACKREF, /* a: group */
    OP_MATCH,
} op_t;

typedef struct inst {
    uint8_t op;
    uint32_t a, b, c;
} inst_t;

struct pg_regex {
    inst_t *prog;
    uint32_t ninst;
    cls_t *classes;
    size_t nclasses;
    int ngroups;
    uint32_t nslots; /* 2 per group (0 unused) plus one per loop */
    bool icase, has_backref, anchored;
    locale_t loc;
    /* Scratch for matching, sized at compile time. */
    uint32_t *clist, *nlist, *stack, *mark;
    uint32_t gen;
    size_t *slots;
    struct frame *frames;
    size_t nframes_cap;
};

typedef struct emitter {
    parser_t *ps;
    inst_t *prog;
    uint32_t n, cap;
    uint32_t loops;
} emitter_t;

/* Instructions and character positions the expansion of node needs,
 * saturating at `limit`. */
static void measure(const parser_t *ps, int node, uint64_t limit, uint64_t *insts, uint64_t *chars)
{
    const node_t *nd = &ps->nodes[node];
    uint64_t ia = 0, ca = 0, ib = 0, cb = 0;
    switch (nd->kind) {
    case N_CHAR:
    case N_ANY:
    case N_CLASS:
        *insts = 1, *chars = 1;
        return;
    case N_CAT:
    case N_ALT:
        measure(ps, nd->a, limit, &ia, &ca);
        measure(ps, nd->b, limit, &ib, &cb);
        *insts = ia + ib + (nd->kind == N_ALT ? 2 : 0);
        *chars = ca + cb;
        break;
    case N_GROUP:
        measure(ps, nd->a, limit, &ia, &ca);
        *insts = ia + 2, *chars = ca;
        break;
    case N_REP: {
        measure(ps, nd->a, limit, &ia, &ca);
        uint64_t min = (uint64_t)nd->min;
        if (nd->max < 0) {
            *insts = min * ia + ia + 4;
            *chars = (min + 1) * ca;
        } else {
            *insts = min * ia + ((uint64_t)nd->max - min) * (ia + 1);
            *chars = (uint64_t)nd->max * ca;
        }
        break;
    }
    case N_EMPTY:
        *insts = 0, *chars = 0;
        return;
    default:
        *insts = 1, *chars = nd->kind == N_BACKREF ? 1 : 0;
        return;
    }
    if (*insts > limit)
        *insts = limit + 1;
    if (*chars > limit)
        *chars = limit + 1;
}

static uint32_t emit(emitter_t *em, op_t op, uint32_t a, uint32_t b, uint32_t c)
{
    MOCK_ASSERT(em->n < em->cap);
    em->prog[em->n] = (inst_t){.op = (uint8_t)op, .a = a, .b = b, .c = c};
    return em->n++;
}

static void gen(emitter_t *em, int node)
{
    parser_t *ps = em->ps;
    const node_t *nd = &ps->nodes[node];
    switch (nd->kind) {
    case N_EMPTY:
        return;
    case N_CHAR: {
        uint32_t c = nd->c;
        if (ps->icase)
            emit(em, OP_CHAR, c, fold_lower(ps->loc, c), fold_upper(ps->loc, c));
        else
            emit(em, OP_CHAR, c, c, c);
        return;
    }
    case N_ANY:
        emit(em, OP_ANY, 0, 0, 0);
        return;
    case N_CLASS:
        emit(em, OP_CLASS, nd->c, 0, 0);
        return;
    case N_CAT:
        gen(em, nd->a);
        gen(em, nd->b);
        return;
    case N_ALT: {
        uint32_t split = emit(em, OP_SPLIT, 0, 0, 0);
        em->prog[split].a = em->n;
        gen(em, nd->a);
        uint32_t jmp = emit(em, OP_JMP, 0, 0, 0);
        em->prog[split].b = em->n;
        gen(em, nd->b);
        em->prog[jmp].a = em->n;
        return;
    }
    case N_GROUP:
        if (ps->has_backref)
            emit(em, OP_SAVE, 2 * nd->c, 0, 0);
        gen(em, nd->a);
        if (ps->has_backref)
            emit(em, OP_SAVE, 2 * nd->c + 1, 0, 0);
        return;
    case N_REP: {
        for (int i = 0; i < nd->min; i++)
            gen(em, nd->a);
        if (nd->max < 0) {
            /* L: split body, out; body: [save k] A [advance k]; jmp L. The
             * slot stops the backtracker from looping on empty iterations. */
            uint32_t split = emit(em, OP_SPLIT, 0, 0, 0);
            em->prog[split].a = em->n;
            uint32_t slot = 2 * ((uint32_t)ps->ngroups + 1) + em->loops++;
            if (ps->has_backref)
                emit(em, OP_SAVE, slot, 0, 0);
            gen(em, nd->a);
            if (ps->has_backref)
                emit(em, OP_ADVANCE, slot, 0, 0);
            emit(em, OP_JMP, split, 0, 0);
            em->prog[split].b = em->n;
            return;
        }
        /* x{m,n}: m copies, then n-m copies each preceded by a split that
         * may skip to the end. */
        uint32_t count = (uint32_t)(nd->max - nd->min);
        uint32_t *splits = xmalloc((count ? count : 1) * sizeof *splits);
        for (uint32_t i = 0; i < count; i++) {
            splits[i] = emit(em, OP_SPLIT, 0, 0, 0);
            em->prog[splits[i]].a = em->n;
            gen(em, nd->a);
        }
        for (uint32_t i = 0; i < count; i++)
            em->prog[splits[i]].b = em->n;
        free(splits);
        return;
    }
    case N_BOS:
        emit(em, OP_BOS, 0, 0, 0);
        return;
    case N_EOS:
        emit(em, OP_EOS, 0, 0, 0);
        return;
    case N_BOL:
        emit(em, OP_BOL, 0, 0, 0);
        return;
    case N_EOL:
        emit(em, OP_EOL, 0, 0, 0);
        return;
    case N_WB:
        emit(em, OP_WB, 0, 0, 0);
        return;
    case N_NWB:
        emit(em, OP_NWB, 0, 0, 0);
        return;
    case N_WBEG:
        emit(em, OP_WBEG, 0, 0, 0);
        return;
    case N_WEND:
        emit(em, OP_WEND, 0, 0, 0);
        return;
    case N_BACKREF:
        emit(em, OP_BACKREF, nd->c, 0, 0);
        return;
    }
}

/* ---- compile ---- */

/* Embedded options at the start: (?i) and friends (Postgres's "ARE embedded
 * options"). Returns false on an unknown letter. */
static bool parse_options(parser_t *ps, bool *literal)
{
    if (!(has(ps, 2) && peek(ps, 0) == '(' && peek(ps, 1) == '?' &&
          ((peek(ps, 2) | 32) >= 'a' && (peek(ps, 2) | 32) <= 'z')))
        return true;
    ps->i += 2;
    while (has(ps, 0) && peek(ps, 0) != ')') {
        switch (ps->p[ps->i++]) {
        case 'c':
            ps->icase = false;
            break;
        case 'i':
            ps->icase = true;
            break;
        case 'm':
        case 'n':
            ps->nlstop = ps->nlanch = true;
            break;
        case 'p':
            ps->nlstop = true, ps->nlanch = false;
            break;
        case 'w':
            ps->nlstop = false, ps->nlanch = true;
            break;
        case 's':
            ps->nlstop = ps->nlanch = false;
            break;
        case 't':
            ps->expanded = false;
            break;
        case 'x':
            ps->expanded = true;
            break;
        case 'q':
            *literal = true;
            break;
        default:
            return false; /* includes b and e (BRE, ERE), which supamock does not parse */
        }
    }
    if (at_end(ps))
        return false;
    ps->i++;
    return true;
}

static void parser_dispose(parser_t *ps)
{
    free(ps->nodes);
    free(ps->closed);
    free((void *)ps->p);
}

void pg_regex_free(pg_regex_t *re)
{
    if (!re)
        return;
    for (size_t i = 0; i < re->nclasses; i++)
        free(re->classes[i].ranges);
    free(re->classes);
    free(re->prog);
    free(re->clist);
    free(re->nlist);
    free(re->stack);
    free(re->mark);
    free(re->slots);
    free(re->frames);
    if (re->loc)
        freelocale(re->loc);
    free(re);
}

pg_regex_t *pg_regex_compile(const char *pattern, size_t len, bool icase, const char **message)
{
    parser_t ps;
    memset(&ps, 0, sizeof ps);
    ps.icase = icase;
    /* Supabase creates its databases with the C.UTF-8 locale: classes and
     * case folding follow it. Without it (a stripped system), ASCII rules. */
    ps.loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    uint32_t *cps = xmalloc((len ? len : 1) * sizeof *cps);
    size_t n = 0;
    for (size_t i = 0; i < len;)
        cps[n++] = utf8_next((const unsigned char *)pattern, len, &i);
    ps.p = cps;
    ps.n = n;
    ps.closed = xcalloc(1, 1);

    bool literal = false;
    int root;
    if (n >= 4 && cps[0] == '*' && cps[1] == '*' && cps[2] == '*' && cps[3] == '=') {
        ps.i = 4;
        literal = true;
    } else if (n >= 4 && cps[0] == '*' && cps[1] == '*' && cps[2] == '*' && cps[3] == ':') {
        ps.i = 4;
    }
    if (!literal && !parse_options(&ps, &literal)) {
        ps.err = E_BADOPT;
        root = -1;
    } else if (literal) {
        root = node_new(&ps, N_EMPTY, -1, -1);
        for (; ps.i < ps.n; ps.i++)
            root = node_new(&ps, N_CAT, root, char_node(&ps, ps.p[ps.i]));
    } else {
        root = parse_alt(&ps);
        if (root >= 0 && !at_end(&ps))
            root = fail(&ps, E_EPAREN); /* a ')' without its '(' */
    }

    uint64_t insts = 0, chars = 0;
    if (root >= 0) {
        measure(&ps, root, 4 * MOCK_REGEX_MAX_STATES, &insts, &chars);
        if (chars > MOCK_REGEX_MAX_STATES || insts > 4 * MOCK_REGEX_MAX_STATES)
            root = fail(&ps, E_ETOOBIG);
    }
    if (root < 0) {
        *message = messages[ps.err ? ps.err : E_ETOOBIG];
        for (size_t i = 0; i < ps.nclasses; i++)
            free(ps.classes[i].ranges);
        free(ps.classes);
        if (ps.loc)
            freelocale(ps.loc);
        parser_dispose(&ps);
        return NULL;
    }

    pg_regex_t *re = xcalloc(1, sizeof *re);
    emitter_t em = {.ps = &ps, .cap = (uint32_t)insts + 1};
    em.prog = xmalloc(em.cap * sizeof *em.prog);
    gen(&em, root);
    emit(&em, OP_MATCH, 0, 0, 0);
    re->prog = em.prog;
    re->ninst = em.n;
    re->classes = ps.classes;
    re->nclasses = ps.nclasses;
    re->ngroups = ps.ngroups;
    re->nslots = 2 * ((uint32_t)ps.ngroups + 1) + em.loops;
    re->icase = ps.icase;
    re->has_backref = ps.has_backref;
    re->anchored = re->prog[0].op == OP_BOS;
    re->loc = ps.loc;
    re->clist = xmalloc(re->ninst * sizeof *re->clist);
    re->nlist = xmalloc(re->ninst * sizeof *re->nlist);
    re->stack = xmalloc(re->ninst * sizeof *re->stack);
    re->mark = xcalloc(re->ninst, sizeof *re->mark);
    if (re->has_backref)
        re->slots = xmalloc(re->nslots * sizeof *re->slots);
    parser_dispose(&ps);
    return re;
}

/* ---- matching ---- */

/* Where a zero-width constraint is evaluated: the characters around a position. */
typedef struct ctx {
    bool at_start, at_end;
    uint32_t prev, cur;
} ctx_t;

static bool is_word(const pg_regex_t *re, const ctx_t *x, bool prev)
{
    if (prev ? x->at_start : x->at_end)
        return false;
    return ctype_is(re->loc, CT_WORD, prev ? x->prev : x->cur);
}

static bool constraint_holds(const pg_regex_t *re, op_t op, const ctx_t *x)
{
    switch (op) {
    case OP_BOS:
        return x->at_start;
    case OP_EOS:
        return x->at_end;
    case OP_BOL:
        return x->at_start || x->prev == '\n';
    case OP_EOL:
        return x->at_end || x->cur == '\n';
    case OP_WB:
        return is_word(re, x, true) != is_word(re, x, false);
    case OP_NWB:
        return is_word(re, x, true) == is_word(re, x, false);
    case OP_WBEG:
        return !is_word(re, x, true) && is_word(re, x, false);
    case OP_WEND:
        return is_word(re, x, true) && !is_word(re, x, false);
    default:
        return false;
    }
}

static bool consumes(const pg_regex_t *re, const inst_t *in, uint32_t c)
{
    switch ((op_t)in->op) {
    case OP_CHAR:
        return c == in->a || c == in->b || c == in->c ||
               (re->icase && c >= 128 &&
                (fold_lower(re->loc, c) == in->b || fold_upper(re->loc, c) == in->c));
    case OP_ANY:
        return true;
    case OP_CLASS:
        return cls_match(&re->classes[in->a], re->loc, re->icase, c);
    default:
        return false;
    }
}

/* Adds pc and everything reachable from it without consuming to list (the
 * state set of one position). Backreferences are consuming states that read
 * any string when `wild`. Returns true when MATCH is reachable; *steps counts
 * the states visited. */
static bool add_states(pg_regex_t *re, uint32_t *list, uint32_t *count, uint32_t pc, const ctx_t *x,
                       uint64_t *steps)
{
    uint32_t sp = 0;
    if (re->mark[pc] == re->gen)
        return false;
    re->mark[pc] = re->gen;
    re->stack[sp++] = pc;
    while (sp) {
        pc = re->stack[--sp];
        (*steps)++;
        const inst_t *in = &re->prog[pc];
        uint32_t next[2];
        int nnext = 0;
        switch ((op_t)in->op) {
        case OP_MATCH:
            return true;
        case OP_CHAR:
        case OP_ANY:
        case OP_CLASS:
            list[(*count)++] = pc;
            break;
        case OP_BACKREF:
            list[(*count)++] = pc;
            next[nnext++] = pc + 1;
            break;
        case OP_SPLIT:
            next[nnext++] = in->b;
            next[nnext++] = in->a;
            break;
        case OP_JMP:
            next[nnext++] = in->a;
            break;
        case OP_SAVE:
        case OP_ADVANCE:
            next[nnext++] = pc + 1;
            break;
        default:
            if (constraint_holds(re, (op_t)in->op, x))
                next[nnext++] = pc + 1;
            break;
        }
        for (int k = 0; k < nnext; k++) {
            if (re->mark[next[k]] != re->gen) {
                re->mark[next[k]] = re->gen;
                re->stack[sp++] = next[k];
            }
        }
    }
    return false;
}

static void next_gen(pg_regex_t *re)
{
    if (++re->gen == 0) {
        memset(re->mark, 0, re->ninst * sizeof *re->mark);
        re->gen = 1;
    }
}

/* The state-set simulation: steps O(len x ninst), no allocation. */
static int nfa_search(pg_regex_t *re, const unsigned char *s, size_t len, mock_work_t *w)
{
    uint32_t nc = 0, nn = 0;
    size_t pos = 0;
    ctx_t x = {.at_start = true, .at_end = len == 0, .prev = 0, .cur = 0};
    size_t after = 0;
    if (len)
        x.cur = utf8_next(s, len, &after);
    next_gen(re);
    for (;;) {
        uint64_t steps = 1;
        if (!re->anchored || pos == 0) {
            if (add_states(re, re->clist, &nc, 0, &x, &steps))
                return mock_work_charge(w, steps) ? 1 : -1;
        }
        if (x.at_end || (re->anchored && nc == 0))
            return mock_work_charge(w, steps) ? 0 : -1;
        {
            uint32_t c = x.cur;
            ctx_t y = {.at_start = false, .at_end = after >= len, .prev = c, .cur = 0};
            size_t after2 = after;
            if (!y.at_end)
                y.cur = utf8_next(s, len, &after2);
            next_gen(re);
            nn = 0;
            for (uint32_t k = 0; k < nc; k++) {
                uint32_t pc = re->clist[k];
                const inst_t *in = &re->prog[pc];
                /* Weighted so a step costs about the same time whatever the
                 * test: classes call the locale, case folding may too. */
                steps += in->op == OP_CLASS ? 3 : re->icase ? 2 : 1;
                if (in->op == OP_BACKREF) {
                    if (add_states(re, re->nlist, &nn, pc, &y, &steps))
                        return mock_work_charge(w, steps) ? 1 : -1;
                } else if (consumes(re, in, c)) {
                    if (add_states(re, re->nlist, &nn, pc + 1, &y, &steps))
                        return mock_work_charge(w, steps) ? 1 : -1;
                }
            }
            if (!mock_work_charge(w, steps))
                return -1;
            uint32_t *t = re->clist;
            re->clist = re->nlist;
            re->nlist = t;
            nc = nn;
            pos = after;
            after = after2;
            x = y;
        }
    }
}

typedef struct frame {
    uint32_t pc; /* UINT32_MAX: restore slots[slot] = at */
    uint32_t slot;
    size_t at;
} frame_t;

static bool push(pg_regex_t *re, size_t *sp, frame_t f)
{
    if (*sp == re->nframes_cap) {
        if (re->nframes_cap >= MOCK_REGEX_MAX_BACKTRACK)
            return false;
        re->nframes_cap = re->nframes_cap ? 2 * re->nframes_cap : 256;
        re->frames = xrealloc(re->frames, re->nframes_cap * sizeof *re->frames);
    }
    re->frames[(*sp)++] = f;
    return true;
}

static ctx_t ctx_at(const unsigned char *s, size_t len, size_t pos)
{
    ctx_t x = {.at_start = pos == 0, .at_end = pos >= len, .prev = 0, .cur = 0};
    if (pos > 0)
        x.prev = utf8_prev(s, len, pos);
    if (pos < len) {
        size_t i = pos;
        x.cur = utf8_next(s, len, &i);
    }
    return x;
}

/* Does group g's text occur at *pos? Advances *pos past it. */
static bool backref_at(const pg_regex_t *re, const unsigned char *s, size_t len, uint32_t g,
                       size_t *pos)
{
    size_t from = re->slots[2 * g], to = re->slots[2 * g + 1];
    if (from == SIZE_MAX || to == SIZE_MAX || to < from)
        return false;
    size_t i = from, j = *pos;
    while (i < to) {
        if (j >= len)
            return false;
        uint32_t a = utf8_next(s, len, &i), b = utf8_next(s, len, &j);
        if (a != b && !(re->icase && fold_lower(re->loc, a) == fold_lower(re->loc, b)))
            return false;
    }
    *pos = j;
    return true;
}

/* Backtracking from `start`, for patterns with backreferences: 1, 0, or -1
 * when the steps or the choice-point cap ran out. */
static int backtrack(pg_regex_t *re, const unsigned char *s, size_t len, size_t start,
                     mock_work_t *w)
{
    for (uint32_t k = 0; k < re->nslots; k++)
        re->slots[k] = SIZE_MAX;
    size_t sp = 0;
    uint64_t steps = 0;
    if (!push(re, &sp, (frame_t){.pc = 0, .at = start}))
        return -1;
    while (sp) {
        frame_t f = re->frames[--sp];
        if (f.pc == UINT32_MAX) {
            re->slots[f.slot] = f.at;
            continue;
        }
        uint32_t pc = f.pc;
        size_t pos = f.at;
        for (;;) {
            /* Two steps an instruction: a backtracking step (stack, slots,
             * decoding) costs about twice an automaton step. */
            steps += 2;
            if (steps >= 1024) {
                if (!mock_work_charge(w, steps))
                    return -1;
                steps = 0;
            }
            const inst_t *in = &re->prog[pc];
            bool ok = true;
            switch ((op_t)in->op) {
            case OP_MATCH:
                return mock_work_charge(w, steps) ? 1 : -1;
            case OP_CHAR:
            case OP_ANY:
            case OP_CLASS:
                if (pos >= len) {
                    ok = false;
                } else {
                    size_t i = pos;
                    uint32_t c = utf8_next(s, len, &i);
                    ok = consumes(re, in, c);
                    pos = i;
                    pc++;
                }
                break;
            case OP_SPLIT:
                if (!push(re, &sp, (frame_t){.pc = in->b, .at = pos})) {
                    if (w)
                        w->exhausted = true;
                    return -1;
                }
                pc = in->a;
                break;
            case OP_JMP:
                pc = in->a;
                break;
            case OP_SAVE:
                if (!push(re, &sp,
                          (frame_t){.pc = UINT32_MAX, .slot = in->a, .at = re->slots[in->a]})) {
                    if (w)
                        w->exhausted = true;
                    return -1;
                }
                re->slots[in->a] = pos;
                pc++;
                break;
            case OP_ADVANCE:
                ok = re->slots[in->a] != pos;
                pc++;
                break;
            case OP_BACKREF:
                ok = backref_at(re, s, len, in->a, &pos);
                pc++;
                break;
            default: {
                ctx_t x = ctx_at(s, len, pos);
                ok = constraint_holds(re, (op_t)in->op, &x);
                pc++;
                break;
            }
            }
            if (!ok)
                break;
        }
    }
    return mock_work_charge(w, steps) ? 0 : -1;
}

int pg_regex_match(pg_regex_t *re, const char *subject, size_t len, mock_work_t *w)
{
    const unsigned char *s = (const unsigned char *)subject;
    int r = nfa_search(re, s, len, w);
    if (r != 1 || !re->has_backref)
        return r;
    /* The automaton read each backreference as any string: a yes only says a
     * match is possible. Verify by backtracking from each start. */
    for (size_t start = 0;;) {
        r = backtrack(re, s, len, start, w);
        if (r != 0 || start >= len || re->anchored)
            return r;
        utf8_next(s, len, &start);
    }
}
