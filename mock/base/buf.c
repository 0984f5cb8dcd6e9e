/* Growable byte buffer and JSON string escaping. */
#include "buf.h"

#include "xalloc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_dispose(buf_t *b)
{
    free(b->data);
    buf_init(b);
}

void buf_reset(buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_reserve(buf_t *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    /* 256 holds a typical header block or row without regrowing. */
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_append(buf_t *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(buf_t *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(buf_t *b, char c)
{
    if (b->len + 2 > b->cap)
        buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    MOCK_ASSERT(n >= 0);
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    va_end(ap);
}

void buf_put_int(buf_t *b, long long v)
{
    char digits[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[n++] = '-';
    buf_reserve(b, n);
    while (n)
        b->data[b->len++] = digits[--n];
    b->data[b->len] = '\0';
}

char *buf_steal(buf_t *b)
{
    if (!b->data)
        return xstrdup("");
    char *p = b->data;
    buf_init(b);
    return p;
}

const char *buf_cstr(const buf_t *b)
{
    return b->data ? b->data : "";
}

/* Bytes escape_json rewrites: control characters, '"' and '\\' (1 = escape).
 * A table because every string of every response goes through here. */
static const unsigned char json_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,         1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ['"'] = 1, ['\\'] = 1,
};

void buf_append_json_string(buf_t *b, const char *s, size_t n)
{
    buf_reserve(b, n + 2);
    b->data[b->len++] = '"';
    size_t run = 0; /* start of the current run of bytes needing no escape */
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        if (!json_escape[c])
            continue;
        const char *esc = NULL;
        char tmp[8];
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            esc = tmp;
        }
        buf_append(b, s + run, i - run);
        buf_puts(b, esc);
        run = i + 1;
    }
    buf_append(b, s + run, n - run);
    buf_putc(b, '"');
}

void buf_put_json_string(buf_t *b, const char *s)
{
    buf_append_json_string(b, s, strlen(s));
}
