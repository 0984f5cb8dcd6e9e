/* ltree input, order and ancestry (see pgltree.h). Labels are words of
 * letters, digits and underscores as Postgres 15 reads them; every
 * non-ASCII character counts as a letter (what a UTF-8 locale's iswalnum
 * says of the letters people use; its few non-letters are not told apart).
 * Not here: lquery and ltxtquery (the ~ and @ operators). */
#include "pgltree.h"

#include "xalloc.h"

#include <string.h>

#define LTREE_LABEL_MAX_CHARS 255
#define LTREE_MAX_LEVELS      65535

/* Bytes of the UTF-8 character at s (at least 1, never past the NUL). */
static size_t char_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if (!s[i])
            return i;
    return n;
}

static bool label_char(const char *s)
{
    unsigned char c = (unsigned char)*s;
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c == '_';
}

static int label_too_long(pgrst_error_t *err, int len, int pos)
{
    pgrst_error_setf(err, "42622", "label string is too long");
    pgrst_error_detailsf(err, "Label length is %d, must be at most %d, at character %d.", len,
                         LTREE_LABEL_MAX_CHARS, pos);
    return -1;
}

/* parse_ltree: a label ends at a '.' or at the end; an empty label (a
 * leading, doubled or trailing '.') and any other character are syntax
 * errors. Positions are 1-based characters, as Postgres counts them. */
int pgltree_from_text(const char *s, pgvalue_t *out, pgrst_error_t *err)
{
    size_t levels = 1;
    for (const char *p = s; *p; p++)
        if (*p == '.')
            levels++;
    if (levels > LTREE_MAX_LEVELS)
        return pgrst_error_setf(err, "54000",
                                "number of ltree labels (%zu) exceeds the maximum allowed (%d)",
                                levels, LTREE_MAX_LEVELS);
    int pos = 0;      /* characters read */
    int label = 0;    /* characters of the label being read */
    bool any = false; /* a label has begun since the last '.' (or the start) */
    const char *p = s;
    for (; *p; p += char_len(p)) {
        pos++;
        if (label_char(p)) {
            label++;
            any = true;
            continue;
        }
        if (*p == '.' && any) {
            if (label > LTREE_LABEL_MAX_CHARS)
                return label_too_long(err, label, pos);
            label = 0;
            any = false;
            continue;
        }
        return pgrst_error_setf(err, "42601", "ltree syntax error at character %d", pos);
    }
    if (any && label > LTREE_LABEL_MAX_CHARS)
        return label_too_long(err, label, pos + 1);
    if (!any && p != s) {
        pgrst_error_setf(err, "42601", "ltree syntax error");
        pgrst_error_detailsf(err, "Unexpected end of input.");
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->s = xstrdup(s);
    return 0;
}

/* The label of p up to the next '.' or the end: its length. */
static size_t label_len(const char *p)
{
    const char *d = strchr(p, '.');
    return d ? (size_t)(d - p) : strlen(p);
}

int pgltree_compare(const char *a, const char *b)
{
    /* The empty path has no labels. */
    while (*a && *b) {
        size_t al = label_len(a), bl = label_len(b);
        int c = memcmp(a, b, al < bl ? al : bl);
        if (c)
            return c < 0 ? -1 : 1;
        if (al != bl)
            return al < bl ? -1 : 1;
        a += al, b += bl;
        if (*a)
            a++;
        if (*b)
            b++;
        /* "a." cannot occur (input rejects it), so an exhausted side has
         * no labels left. */
    }
    return *a ? 1 : *b ? -1 : 0;
}

bool pgltree_is_ancestor(const char *a, const char *b)
{
    /* inner_isparent: every label of a equals b's at the same level. */
    while (*a) {
        if (!*b)
            return false;
        size_t al = label_len(a), bl = label_len(b);
        if (al != bl || memcmp(a, b, al) != 0)
            return false;
        a += al, b += bl;
        if (*a)
            a++;
        if (*b)
            b++;
    }
    return true;
}
