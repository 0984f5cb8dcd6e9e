/* Percent and form decoding, percent encoding. One implementation for the
 * HTTP layer (paths), PostgREST's grammar, the gateway, Auth, fault rules and
 * the journal's filters (query strings). */
#include "urlcodec.h"

#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *url_form_decode(arena_t *arena, const char *s, size_t n)
{
    char *out = arena_alloc(arena, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[k++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 &&
                   hex_value(s[i + 2]) >= 0) {
            out[k++] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out[k++] = s[i];
        }
    }
    out[k] = 0;
    return out;
}

/* Length of the UTF-8 sequence at s[0..n), or 0 when it is not one
 * (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* bounds of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

char *url_form_decode_text(arena_t *arena, const char *s, size_t n)
{
    /* Decode, check, then widen each NUL to URL_NUL: at most 2n + 1 bytes. */
    char *raw = arena_alloc(arena, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            raw[k++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 &&
                   hex_value(s[i + 2]) >= 0) {
            raw[k++] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            raw[k++] = s[i];
        }
    }
    size_t nuls = 0;
    for (size_t i = 0; i < k;) {
        size_t len = utf8_seq((const unsigned char *)raw + i, k - i);
        if (len == 0)
            return NULL;
        nuls += raw[i] == '\0';
        i += len;
    }
    raw[k] = '\0';
    if (nuls == 0)
        return raw;
    char *out = arena_alloc(arena, k + nuls + 1);
    size_t o = 0;
    for (size_t i = 0; i < k; i++) {
        if (raw[i] == '\0') {
            out[o++] = URL_NUL[0];
            out[o++] = URL_NUL[1];
        } else {
            out[o++] = raw[i];
        }
    }
    out[o] = '\0';
    return out;
}

char *url_path_decode(arena_t *arena, const char *src, size_t n)
{
    char *out = arena_alloc(arena, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (src[i] == '%' && i + 2 < n) {
            int hi = hex_value(src[i + 1]);
            int lo = hex_value(src[i + 2]);
            if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
                out[k++] = (char)(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out[k++] = src[i];
    }
    out[k] = '\0';
    return out;
}

void url_encode(buf_t *out, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == (unsigned char)URL_NUL[0] && (unsigned char)s[1] == (unsigned char)URL_NUL[1]) {
            buf_puts(out, "%00");
            s++;
        } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                   (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~')
            buf_putc(out, (char)ch);
        else
            buf_printf(out, "%%%02X", ch);
    }
}

bool url_query_next(arena_t *arena, const char **cursor, const char **name, const char **value)
{
    const char *p = *cursor;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        *cursor = amp ? amp + 1 : NULL;
        if (len == 0) {
            p = *cursor;
            continue;
        }
        const char *eq = memchr(p, '=', len);
        size_t nlen = eq ? (size_t)(eq - p) : len;
        *name = url_form_decode(arena, p, nlen);
        *value = eq ? url_form_decode(arena, eq + 1, len - nlen - 1) : "";
        return true;
    }
    *cursor = NULL;
    return false;
}

const char *url_query_param(arena_t *arena, const char *query, const char *name)
{
    const char *cursor = query, *n, *v;
    while (url_query_next(arena, &cursor, &n, &v))
        if (strcmp(n, name) == 0)
            return v;
    return NULL;
}
