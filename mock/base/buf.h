/* A growable byte buffer. The owner calls buf_init/buf_dispose; the data is
 * always NUL-terminated after any append so it can be used as a C string.
 * Growth aborts on out-of-memory; callers enforce request-size caps (caps.h)
 * before appending client-controlled data. */
#ifndef MOCK_BUF_H
#define MOCK_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
} buf_t;

void buf_init(buf_t *b);
void buf_dispose(buf_t *b);
/* Forget the contents but keep the memory (keep-alive reuse). */
void buf_reset(buf_t *b);
void buf_reserve(buf_t *b, size_t extra);
void buf_append(buf_t *b, const void *p, size_t n);
void buf_puts(buf_t *b, const char *s);
void buf_putc(buf_t *b, char c);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a decimal integer (no printf: used on every response). */
void buf_put_int(buf_t *b, long long v);
/* Take ownership of the contents (NUL-terminated, never NULL); b is left empty. */
char *buf_steal(buf_t *b);
/* The contents as a C string ("" when empty); valid until the next append. */
const char *buf_cstr(const buf_t *b);

/* Append s[0..n) as a JSON string literal with quotes. Escapes as Postgres's
 * json output does (escape_json in PG's json.c): \" \\ \b \f \n \r \t, other
 * control characters as \u00xx, everything else (including non-ASCII UTF-8)
 * raw. aeson, which writes PostgREST's own error bodies, escapes the same set
 * for the strings PostgREST produces. */
void buf_append_json_string(buf_t *b, const char *s, size_t n);
void buf_put_json_string(buf_t *b, const char *s);

#endif
