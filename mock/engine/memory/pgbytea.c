/* bytea input and its canonical form (see pgbytea.h). Output needs no code
 * here: the canonical form is byteaout's text. Not here: the escape output
 * format (bytea_output = escape), which Supabase does not set. */
#include "pgbytea.h"

#include "xalloc.h"

#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

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

/* The bytes of the UTF-8 character at s (Postgres's pg_mblen), as an error
 * message quotes it; never past end. */
static int char_len(const char *s, const char *end)
{
    unsigned char c = (unsigned char)*s;
    int n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return n > end - s ? (int)(end - s) : n;
}

static void put_byte(buf_t *b, unsigned char c)
{
    buf_putc(b, hexdigits[c >> 4]);
    buf_putc(b, hexdigits[c & 15]);
}

/* hex_decode_safe: pairs of hex digits, whitespace (space, tab, newline,
 * carriage return) allowed between pairs but not inside one. */
static int from_hex(const char *s, const char *end, buf_t *b, pgrst_error_t *err)
{
    while (s < end) {
        if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
            s++;
            continue;
        }
        int hi = hex_value(*s);
        if (hi < 0)
            return pgrst_error_setf(err, "22023", "invalid hexadecimal digit: \"%.*s\"",
                                    char_len(s, end), s);
        s++;
        if (s >= end)
            return pgrst_error_setf(err, "22023", "invalid hexadecimal data: odd number of digits");
        int lo = hex_value(*s);
        if (lo < 0)
            return pgrst_error_setf(err, "22023", "invalid hexadecimal digit: \"%.*s\"",
                                    char_len(s, end), s);
        s++;
        put_byte(b, (unsigned char)(hi << 4 | lo));
    }
    return 0;
}

/* The escape form: "\\" is one backslash, "\ooo" (first digit 0-3) one
 * byte; any other backslash is a syntax error; other bytes stand for
 * themselves. */
static int from_escape(const char *s, const char *end, buf_t *b, pgrst_error_t *err)
{
    while (s < end) {
        if (*s != '\\') {
            put_byte(b, (unsigned char)*s++);
            continue;
        }
        if (end - s >= 2 && s[1] == '\\') {
            put_byte(b, '\\');
            s += 2;
            continue;
        }
        if (end - s >= 4 && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            put_byte(b, (unsigned char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0')));
            s += 4;
            continue;
        }
        return pgrst_error_setf(err, "22P02", "invalid input syntax for type bytea");
    }
    return 0;
}

int pgbytea_from_text(const char *s, size_t n, pgvalue_t *out, pgrst_error_t *err)
{
    buf_t b;
    buf_init(&b);
    buf_puts(&b, "\\x");
    int rc = n >= 2 && s[0] == '\\' && s[1] == 'x' ? from_hex(s + 2, s + n, &b, err)
                                                   : from_escape(s, s + n, &b, err);
    if (rc < 0) {
        buf_dispose(&b);
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->s = buf_steal(&b);
    return 0;
}
