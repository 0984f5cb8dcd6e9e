/* The statement splitter: one pass over the text with psql's lexical states
 * (psqlscan.l), bounded by the text's length. */
#include "pg_split.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool ident_cont(unsigned char c)
{
    return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* A dollar-quote delimiter at s[i] ("$$" or "$tag$"): its length, else 0. */
static size_t dollar_tag(const char *s, size_t len, size_t i)
{
    if (s[i] != '$')
        return 0;
    size_t j = i + 1;
    if (j < len && s[j] == '$')
        return 2;
    if (j >= len || !ident_start((unsigned char)s[j]))
        return 0;
    while (j < len && ident_cont((unsigned char)s[j]) && s[j] != '$')
        j++;
    return j < len && s[j] == '$' ? j - i + 1 : 0;
}

/* Skips blanks and comments from i; returns the offset of the next token. */
static size_t skip_blank(const char *s, size_t len, size_t i)
{
    for (;;) {
        while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
                           s[i] == '\f' || s[i] == '\v'))
            i++;
        if (i + 1 < len && s[i] == '-' && s[i + 1] == '-') {
            while (i < len && s[i] != '\n')
                i++;
            continue;
        }
        if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
            int depth = 0;
            while (i < len) {
                if (i + 1 < len && s[i] == '/' && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (i + 1 < len && s[i] == '*' && s[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0)
                        break;
                } else {
                    i++;
                }
            }
            continue;
        }
        return i;
    }
}

size_t pg_split(const char *s, size_t len, pg_stmt_span_t *out, size_t max)
{
    size_t count = 0;
    size_t i = 0;
    for (;;) {
        /* A lone ';' is an empty statement: psql sends nothing for it. */
        i = skip_blank(s, len, i);
        while (i < len && s[i] == ';')
            i = skip_blank(s, len, i + 1);
        if (i >= len)
            break;
        size_t start = i;
        int parens = 0, begins = 0, idents = 0;
        bool ended = false;
        while (i < len && !ended) {
            unsigned char c = (unsigned char)s[i];
            size_t tag;
            if (c == '-' || c == '/') {
                size_t j = skip_blank(s, len, i);
                if (j != i) {
                    i = j;
                    continue;
                }
                i++;
            } else if (c == '\'') {
                /* E'...' (the E was consumed as an identifier just before)
                 * takes backslash escapes; standard strings do not. */
                bool escapes = i > start && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
                               (i - 1 == start || !ident_cont((unsigned char)s[i - 2]));
                i++;
                while (i < len) {
                    if (escapes && s[i] == '\\' && i + 1 < len) {
                        i += 2;
                    } else if (s[i] == '\'') {
                        if (i + 1 < len && s[i + 1] == '\'') {
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        i++;
                    }
                }
            } else if (c == '"') {
                i++;
                while (i < len) {
                    if (s[i] == '"') {
                        if (i + 1 < len && s[i + 1] == '"') {
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    i++;
                }
            } else if ((tag = dollar_tag(s, len, i)) != 0) {
                const char *open = s + i;
                i += tag;
                bool closed = false;
                while (i + tag <= len) {
                    if (s[i] == '$' && memcmp(s + i, open, tag) == 0) {
                        i += tag;
                        closed = true;
                        break;
                    }
                    i++;
                }
                if (!closed)
                    i = len;
            } else if (ident_start(c)) {
                size_t j = i;
                while (j < len && ident_cont((unsigned char)s[j]))
                    j++;
                size_t n = j - i;
                idents++;
                /* psqlscan.l: BEGIN or CASE after the first word opens a
                 * block that END closes. */
                if ((n == 5 && strncasecmp(s + i, "begin", 5) == 0) ||
                    (n == 4 && strncasecmp(s + i, "case", 4) == 0)) {
                    if (idents > 1)
                        begins++;
                } else if (n == 3 && strncasecmp(s + i, "end", 3) == 0) {
                    if (begins > 0)
                        begins--;
                }
                i = j;
            } else if (c >= '0' && c <= '9') {
                /* A number (or $1 handled below): 1e5, 1.5; never a word. */
                while (i < len && (ident_cont((unsigned char)s[i]) || s[i] == '.'))
                    i++;
            } else if (c == '$') {
                i++;
                while (i < len && s[i] >= '0' && s[i] <= '9')
                    i++;
            } else if (c == '(') {
                parens++;
                i++;
            } else if (c == ')') {
                if (parens > 0)
                    parens--;
                i++;
            } else if (c == ';' && parens == 0 && begins == 0) {
                i++;
                ended = true;
            } else {
                i++;
            }
        }
        if (count < max) {
            out[count].start = start;
            out[count].end = i;
        }
        count++;
    }
    return count;
}

void pg_split_line_col(const char *s, size_t len, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

size_t pg_split_char_offset(const char *s, size_t len, long pos)
{
    size_t i = 0;
    long chars = 1;
    while (i < len && chars < pos) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    return i;
}
