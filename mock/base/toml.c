/* The TOML reader: a recursive-descent parser over the text with a cursor,
 * line and column. Tables are created on first mention; a key given twice
 * is an error, as TOML says. */
#include "toml.h"

#include "buf.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *s;
    size_t len, i;
    int line;
    size_t line_start;
    toml_error_t *err;
    bool failed;
} parser_t;

static bool fail(parser_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(parser_t *p, const char *fmt, ...)
{
    if (p->failed)
        return false;
    p->failed = true;
    p->err->line = p->line;
    p->err->col = (int)(p->i - p->line_start) + 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    return false;
}

static int peek(const parser_t *p)
{
    return p->i < p->len ? (unsigned char)p->s[p->i] : -1;
}

static void advance(parser_t *p)
{
    if (p->i < p->len && p->s[p->i] == '\n') {
        p->line++;
        p->line_start = p->i + 1;
    }
    p->i++;
}

/* Spaces and tabs; with newlines also line breaks and comments. */
static void skip_ws(parser_t *p, bool newlines)
{
    for (;;) {
        int c = peek(p);
        if (c == ' ' || c == '\t' || (newlines && (c == '\n' || c == '\r'))) {
            advance(p);
        } else if (newlines && c == '#') {
            while (peek(p) != -1 && peek(p) != '\n')
                advance(p);
        } else {
            return;
        }
    }
}

/* After a key/value or a header: only a comment and the line's end. */
static bool end_of_line(parser_t *p)
{
    skip_ws(p, false);
    if (peek(p) == '#')
        while (peek(p) != -1 && peek(p) != '\n')
            advance(p);
    if (peek(p) == '\r')
        advance(p);
    if (peek(p) == -1)
        return true;
    if (peek(p) != '\n')
        return fail(p, "expected the end of the line");
    advance(p);
    return true;
}

static bool bare_key_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static bool put_utf8(parser_t *p, buf_t *b, unsigned long cp)
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)
        return fail(p, "invalid unicode escape");
    char out[4];
    int n;
    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_append(b, out, (size_t)n);
    return true;
}

/* A string at the cursor ('"', "'", '"""' or "'''"); its text into *out. */
static bool parse_string(parser_t *p, char **out)
{
    char q = p->s[p->i];
    bool multi = p->i + 2 < p->len && p->s[p->i + 1] == q && p->s[p->i + 2] == q;
    advance(p);
    if (multi) {
        advance(p);
        advance(p);
        /* A newline right after the opening delimiter is trimmed. */
        if (peek(p) == '\r')
            advance(p);
        if (peek(p) == '\n')
            advance(p);
    }
    buf_t b;
    buf_init(&b);
    for (;;) {
        int c = peek(p);
        if (c == -1) {
            buf_dispose(&b);
            return fail(p, "unterminated string");
        }
        if (c == q) {
            if (!multi) {
                advance(p);
                break;
            }
            if (p->i + 2 < p->len && p->s[p->i + 1] == q && p->s[p->i + 2] == q) {
                /* Up to two quotes may sit right before the closing three. */
                size_t run = 3;
                while (run < 5 && p->i + run < p->len && p->s[p->i + run] == q)
                    run++;
                for (size_t k = 0; k < run - 3; k++)
                    buf_putc(&b, q);
                for (size_t k = 0; k < run; k++)
                    advance(p);
                break;
            }
        }
        if (c == '\n' && !multi) {
            buf_dispose(&b);
            return fail(p, "a newline in a single-line string");
        }
        if (c == '\\' && q == '"') {
            advance(p);
            int e = peek(p);
            unsigned long cp = 0;
            int digits = 0;
            switch (e) {
            case 'b':
                buf_putc(&b, '\b');
                break;
            case 't':
                buf_putc(&b, '\t');
                break;
            case 'n':
                buf_putc(&b, '\n');
                break;
            case 'f':
                buf_putc(&b, '\f');
                break;
            case 'r':
                buf_putc(&b, '\r');
                break;
            case '"':
                buf_putc(&b, '"');
                break;
            case '\\':
                buf_putc(&b, '\\');
                break;
            case 'u':
                digits = 4;
                break;
            case 'U':
                digits = 8;
                break;
            default:
                if (multi && (e == '\n' || e == ' ' || e == '\t' || e == '\r')) {
                    /* A line-ending backslash trims the whitespace after it. */
                    while (peek(p) == ' ' || peek(p) == '\t' || peek(p) == '\n' || peek(p) == '\r')
                        advance(p);
                    continue;
                }
                buf_dispose(&b);
                return fail(p, "invalid escape in a string");
            }
            advance(p);
            for (int k = 0; k < digits; k++) {
                int h = peek(p);
                int v = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
                if (v < 0) {
                    buf_dispose(&b);
                    return fail(p, "invalid unicode escape");
                }
                cp = cp * 16 + (unsigned long)v;
                advance(p);
            }
            if (digits && !put_utf8(p, &b, cp)) {
                buf_dispose(&b);
                return false;
            }
            continue;
        }
        if (c == 0) {
            buf_dispose(&b);
            return fail(p, "a NUL byte in a string");
        }
        buf_putc(&b, (char)c);
        advance(p);
    }
    *out = buf_steal(&b);
    return true;
}

/* One key part: bare or quoted. */
static bool parse_key_part(parser_t *p, char **out)
{
    int c = peek(p);
    if (c == '"' || c == '\'') {
        if (p->i + 2 < p->len && p->s[p->i + 1] == c && p->s[p->i + 2] == c)
            return fail(p, "a key cannot be a multi-line string");
        return parse_string(p, out);
    }
    size_t start = p->i;
    while (bare_key_char(peek(p)))
        advance(p);
    if (p->i == start)
        return fail(p, "expected a key");
    *out = xstrndup(p->s + start, p->i - start);
    return true;
}

/* A dotted key: its parts into parts[0..*n). */
#define MAX_KEY_PARTS TOML_MAX_DEPTH
static bool parse_key(parser_t *p, char **parts, size_t *n)
{
    *n = 0;
    for (;;) {
        skip_ws(p, false);
        if (*n == MAX_KEY_PARTS)
            return fail(p, "a key with more than %d parts", MAX_KEY_PARTS);
        if (!parse_key_part(p, &parts[*n]))
            return false;
        (*n)++;
        skip_ws(p, false);
        if (peek(p) != '.')
            return true;
        advance(p);
    }
}

static void free_parts(char **parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(parts[i]);
}

/* The table at parts[0..n) under root, created as needed; the last element
 * of an array of tables stands for it. NULL (with the error) when a part
 * names a value that is not a table. */
static cJSON *walk(parser_t *p, cJSON *root, char **parts, size_t n)
{
    cJSON *t = root;
    for (size_t i = 0; i < n; i++) {
        cJSON *next = cJSON_GetObjectItemCaseSensitive(t, parts[i]);
        if (!next) {
            next = cJSON_CreateObject();
            cJSON_AddItemToObject(t, parts[i], next);
        } else if (cJSON_IsArray(next)) {
            next = cJSON_GetArrayItem(next, cJSON_GetArraySize(next) - 1);
        }
        if (!cJSON_IsObject(next)) {
            fail(p, "\"%s\" is not a table", parts[i]);
            return NULL;
        }
        t = next;
    }
    return t;
}

static cJSON *parse_value(parser_t *p, int depth);

static cJSON *parse_array(parser_t *p, int depth)
{
    advance(p); /* [ */
    cJSON *arr = cJSON_CreateArray();
    for (;;) {
        skip_ws(p, true);
        if (peek(p) == ']') {
            advance(p);
            return arr;
        }
        cJSON *v = parse_value(p, depth + 1);
        if (!v) {
            cJSON_Delete(arr);
            return NULL;
        }
        cJSON_AddItemToArray(arr, v);
        skip_ws(p, true);
        if (peek(p) == ',') {
            advance(p);
            continue;
        }
        if (peek(p) == ']') {
            advance(p);
            return arr;
        }
        cJSON_Delete(arr);
        fail(p, "expected ',' or ']' in an array");
        return NULL;
    }
}

static bool parse_keyval(parser_t *p, cJSON *table, int depth);

static cJSON *parse_inline_table(parser_t *p, int depth)
{
    advance(p); /* { */
    cJSON *t = cJSON_CreateObject();
    skip_ws(p, false);
    if (peek(p) == '}') {
        advance(p);
        return t;
    }
    for (;;) {
        if (!parse_keyval(p, t, depth + 1)) {
            cJSON_Delete(t);
            return NULL;
        }
        skip_ws(p, false);
        if (peek(p) == ',') {
            advance(p);
            continue;
        }
        if (peek(p) == '}') {
            advance(p);
            return t;
        }
        cJSON_Delete(t);
        fail(p, "expected ',' or '}' in an inline table");
        return NULL;
    }
}

/* Numbers, booleans, dates and times: a bare token. */
static cJSON *parse_scalar(parser_t *p)
{
    size_t start = p->i;
    while (p->i < p->len) {
        char c = p->s[p->i];
        if (bare_key_char((unsigned char)c) || c == '.' || c == '+' || c == ':')
            p->i++;
        else if (c == ' ' && p->i > start && p->i + 1 < p->len && p->s[p->i + 1] >= '0' &&
                 p->s[p->i + 1] <= '9' && p->i - start == 10)
            p->i++; /* "1979-05-27 07:32:00": a date and a time */
        else
            break;
    }
    size_t n = p->i - start;
    if (n == 0) {
        fail(p, "expected a value");
        return NULL;
    }
    char *tok = xstrndup(p->s + start, n);
    cJSON *v = NULL;
    if (strcmp(tok, "true") == 0) {
        v = cJSON_CreateTrue();
    } else if (strcmp(tok, "false") == 0) {
        v = cJSON_CreateFalse();
    } else if (strcmp(tok, "inf") == 0 || strcmp(tok, "+inf") == 0 || strcmp(tok, "-inf") == 0 ||
               strcmp(tok, "nan") == 0 || strcmp(tok, "+nan") == 0 || strcmp(tok, "-nan") == 0) {
        v = cJSON_CreateString(tok);
    } else if (n >= 8 && tok[0] >= '0' && tok[0] <= '9' && (tok[4] == '-' || tok[2] == ':')) {
        v = cJSON_CreateString(tok); /* a date, a time or both */
    } else {
        /* Integers (decimal, 0x, 0o, 0b, with _) and floats. */
        char clean[64];
        size_t k = 0;
        bool ok = n < sizeof clean;
        for (size_t j = 0; ok && j < n; j++)
            if (tok[j] != '_')
                clean[k++] = tok[j];
        clean[k] = '\0';
        char *end = NULL;
        int base = 10;
        const char *digits = clean;
        if (ok && clean[0] == '0' && (clean[1] == 'x' || clean[1] == 'o' || clean[1] == 'b')) {
            base = clean[1] == 'x' ? 16 : clean[1] == 'o' ? 8 : 2;
            digits = clean + 2;
        }
        if (ok && base == 10 && (strchr(clean, '.') || strchr(clean, 'e') || strchr(clean, 'E'))) {
            double d = strtod(clean, &end);
            if (end && *end == '\0')
                v = cJSON_CreateNumber(d);
        } else if (ok && *digits) {
            long long x = strtoll(digits, &end, base);
            if (end && *end == '\0')
                v = cJSON_CreateNumber((double)x);
        }
        if (!v) {
            p->i = start;
            fail(p, "unsupported value \"%.40s\"", tok);
        }
    }
    free(tok);
    return v;
}

static cJSON *parse_value(parser_t *p, int depth)
{
    if (depth > TOML_MAX_DEPTH) {
        fail(p, "values nested more than %d deep", TOML_MAX_DEPTH);
        return NULL;
    }
    int c = peek(p);
    if (c == '"' || c == '\'') {
        char *s = NULL;
        if (!parse_string(p, &s))
            return NULL;
        cJSON *v = cJSON_CreateString(s);
        free(s);
        return v;
    }
    if (c == '[')
        return parse_array(p, depth);
    if (c == '{')
        return parse_inline_table(p, depth);
    return parse_scalar(p);
}

static bool parse_keyval(parser_t *p, cJSON *table, int depth)
{
    char *parts[MAX_KEY_PARTS];
    size_t n = 0;
    skip_ws(p, false);
    size_t key_at = p->i;
    if (!parse_key(p, parts, &n)) {
        free_parts(parts, n);
        return false;
    }
    bool ok = false;
    cJSON *t = walk(p, table, parts, n - 1);
    if (t) {
        skip_ws(p, false);
        if (peek(p) != '=') {
            fail(p, "expected '=' after the key");
        } else if (cJSON_GetObjectItemCaseSensitive(t, parts[n - 1])) {
            p->i = key_at; /* keys never span lines: the column of the key */
            fail(p, "the key \"%s\" is defined twice", parts[n - 1]);
        } else {
            advance(p);
            skip_ws(p, false);
            cJSON *v = parse_value(p, depth);
            if (v) {
                cJSON_AddItemToObject(t, parts[n - 1], v);
                ok = true;
            }
        }
    }
    free_parts(parts, n);
    return ok;
}

/* [a.b] or [[a.b]]: the table later keys go into. */
static cJSON *parse_header(parser_t *p, cJSON *root)
{
    advance(p);
    bool array = peek(p) == '[';
    if (array)
        advance(p);
    char *parts[MAX_KEY_PARTS];
    size_t n = 0;
    cJSON *t = NULL;
    if (!parse_key(p, parts, &n)) {
        free_parts(parts, n);
        return NULL;
    }
    if (peek(p) != ']' || (array && (p->i + 1 >= p->len || p->s[p->i + 1] != ']'))) {
        fail(p, array ? "expected ']]'" : "expected ']'");
        free_parts(parts, n);
        return NULL;
    }
    advance(p);
    if (array)
        advance(p);
    cJSON *parent = walk(p, root, parts, n - 1);
    if (parent) {
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(parent, parts[n - 1]);
        if (array) {
            if (!cur) {
                cur = cJSON_CreateArray();
                cJSON_AddItemToObject(parent, parts[n - 1], cur);
            }
            if (!cJSON_IsArray(cur)) {
                fail(p, "\"%s\" is not an array of tables", parts[n - 1]);
            } else {
                t = cJSON_CreateObject();
                cJSON_AddItemToArray(cur, t);
            }
        } else if (!cur) {
            t = cJSON_CreateObject();
            cJSON_AddItemToObject(parent, parts[n - 1], t);
        } else if (cJSON_IsObject(cur)) {
            t = cur; /* a super-table defined implicitly before */
        } else {
            fail(p, "\"%s\" is not a table", parts[n - 1]);
        }
    }
    free_parts(parts, n);
    return t;
}

cJSON *toml_parse(const char *text, size_t len, toml_error_t *err)
{
    parser_t p = {.s = text, .len = len, .line = 1, .err = err};
    memset(err, 0, sizeof *err);
    cJSON *root = cJSON_CreateObject();
    cJSON *table = root;
    for (;;) {
        skip_ws(&p, true);
        int c = peek(&p);
        if (c == -1)
            return root;
        if (c == '[')
            table = parse_header(&p, root);
        else if (!parse_keyval(&p, table, 0))
            table = NULL;
        if (!table || !end_of_line(&p)) {
            if (!p.failed)
                fail(&p, "invalid TOML");
            cJSON_Delete(root);
            return NULL;
        }
    }
}
