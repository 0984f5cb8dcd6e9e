/* A token walk over Postgres's lexical rules (scan.l): enough to step over
 * comments, strings, quoted identifiers and dollar quotes, and to see bare
 * words and parentheses. Every loop advances by at least one byte, so a walk
 * is linear in the text. */
#include "sql_text.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

typedef enum { TOK_END, TOK_WORD, TOK_OPEN, TOK_CLOSE, TOK_OTHER } tok_kind_t;

typedef struct tok {
    tok_kind_t kind;
    size_t start, end; /* [start, end) */
} tok_t;

static bool ident_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* After a `$tag$` opening at i (tag may be empty), the offset past the closing
 * one, or `end` when unclosed. *is_dollar false when text[i] starts no quote
 * ($1 parameters, a bare $). */
static size_t skip_dollar(const char *t, size_t end, size_t i, bool *is_dollar)
{
    size_t j = i + 1;
    *is_dollar = false;
    if (j < end && (ident_start((unsigned char)t[j]))) {
        while (j < end && ident_char((unsigned char)t[j]) && t[j] != '$')
            j++;
    }
    if (j >= end || t[j] != '$')
        return i + 1;
    *is_dollar = true;
    size_t tag_len = j + 1 - i; /* "$tag$" */
    for (size_t k = j + 1; k + tag_len <= end; k++)
        if (t[k] == '$' && memcmp(t + k, t + i, tag_len) == 0)
            return k + tag_len;
    return end;
}

/* The token at or after pos (blanks and comments skipped). */
static tok_t next_token(const char *t, size_t end, size_t pos)
{
    size_t i = pos;
    for (;;) {
        while (i < end && isspace((unsigned char)t[i]))
            i++;
        if (i + 1 < end && t[i] == '-' && t[i + 1] == '-') {
            while (i < end && t[i] != '\n')
                i++;
            continue;
        }
        if (i + 1 < end && t[i] == '/' && t[i + 1] == '*') {
            /* Block comments nest in Postgres. */
            int depth = 0;
            while (i < end) {
                if (i + 1 < end && t[i] == '/' && t[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (i + 1 < end && t[i] == '*' && t[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0)
                        break;
                } else {
                    i++;
                }
            }
            continue;
        }
        break;
    }
    tok_t k = {TOK_END, i, i};
    if (i >= end)
        return k;
    unsigned char c = (unsigned char)t[i];
    if (c == '(' || c == ')') {
        k.kind = c == '(' ? TOK_OPEN : TOK_CLOSE;
        k.end = i + 1;
        return k;
    }
    if (c == '\'' || ((c == 'E' || c == 'e') && i + 1 < end && t[i + 1] == '\'')) {
        /* '' doubles a quote; in E'' strings a backslash escapes the next byte. */
        bool escapes = c != '\'';
        size_t j = escapes ? i + 2 : i + 1;
        while (j < end) {
            if (escapes && t[j] == '\\') {
                j += 2;
            } else if (t[j] == '\'') {
                if (j + 1 < end && t[j + 1] == '\'')
                    j += 2;
                else
                    break;
            } else {
                j++;
            }
        }
        k.kind = TOK_OTHER;
        k.end = j < end ? j + 1 : end;
        return k;
    }
    if (c == '"') {
        size_t j = i + 1;
        while (j < end && !(t[j] == '"' && !(j + 1 < end && t[j + 1] == '"')))
            j += t[j] == '"' ? 2 : 1;
        k.kind = TOK_OTHER; /* a quoted identifier is never a keyword */
        k.end = j < end ? j + 1 : end;
        return k;
    }
    if (c == '$') {
        bool dollar;
        k.kind = TOK_OTHER;
        k.end = skip_dollar(t, end, i, &dollar);
        return k;
    }
    if (ident_start(c)) {
        size_t j = i + 1;
        while (j < end && ident_char((unsigned char)t[j]))
            j++;
        k.kind = TOK_WORD;
        k.end = j;
        return k;
    }
    k.kind = TOK_OTHER;
    k.end = i + 1;
    return k;
}

bool sql_paren_group(const char *text, size_t end, size_t from, size_t *open, size_t *close)
{
    tok_t k = next_token(text, end, from);
    if (k.kind != TOK_OPEN)
        return false;
    *open = k.start;
    int depth = 0;
    for (; k.kind != TOK_END; k = next_token(text, end, k.end)) {
        if (k.kind == TOK_OPEN)
            depth++;
        else if (k.kind == TOK_CLOSE && --depth == 0) {
            *close = k.start;
            return true;
        }
    }
    return false;
}

static bool word_is(const char *text, tok_t k, const char *word)
{
    size_t n = strlen(word);
    return k.kind == TOK_WORD && k.end - k.start == n && strncasecmp(text + k.start, word, n) == 0;
}

size_t sql_find_keyword(const char *text, size_t end, size_t from, const char *word,
                        const char *next)
{
    int depth = 0;
    for (tok_t k = next_token(text, end, from); k.kind != TOK_END;
         k = next_token(text, end, k.end)) {
        if (k.kind == TOK_OPEN)
            depth++;
        else if (k.kind == TOK_CLOSE)
            depth--;
        else if (depth == 0 && word_is(text, k, word)) {
            if (!next)
                return k.start;
            tok_t n = next_token(text, end, k.end);
            if (word_is(text, n, next))
                return k.start;
        }
    }
    return (size_t)-1;
}

int sql_text_max_nesting(const char *text, size_t end)
{
    int depth = 0, max = 0;
    for (tok_t k = next_token(text, end, 0); k.kind != TOK_END; k = next_token(text, end, k.end)) {
        if (k.kind == TOK_OPEN && ++depth > max)
            max = depth;
        else if (k.kind == TOK_CLOSE && depth > 0)
            depth--;
    }
    return max;
}

size_t sql_skip_blanks(const char *text, size_t end, size_t from)
{
    return next_token(text, end, from).start;
}
