/* Percent and form decoding, percent encoding. One implementation for the
 * HTTP layer (paths), PostgREST's grammar, the gateway, Auth, fault rules and
 * the journal's filters (query strings). */
#include "urlcodec.h"

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
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~')
            buf_putc(out, (char)ch);
        else
            buf_printf(out, "%%%02X", ch);
    }
}
