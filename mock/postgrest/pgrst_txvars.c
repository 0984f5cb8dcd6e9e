/* request.headers and request.cookies as JSON text. The order of keys is the
 * request's (PostgREST's HashMap order is its hash's; no client can rely on
 * either). */
#include "pgrst_txvars.h"

#include <string.h>

/* Appends "name":"value" unless a later pair has the same name. */
static bool last_of(const char *const *names, size_t i, size_t n)
{
    for (size_t k = i + 1; k < n; k++)
        if (strcmp(names[k], names[i]) == 0)
            return false;
    return true;
}

static const char *object(arena_t *arena, const char *const *names, const char *const *values,
                          size_t n)
{
    buf_t b;
    buf_init(&b);
    buf_putc(&b, '{');
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (!last_of(names, i, n))
            continue;
        if (any)
            buf_putc(&b, ',');
        any = true;
        buf_put_json_string(&b, names[i]);
        buf_putc(&b, ':');
        buf_put_json_string(&b, values[i]);
    }
    buf_putc(&b, '}');
    const char *s = arena_strndup(arena, b.data, b.len);
    buf_dispose(&b);
    return s;
}

const char *pgrst_headers_json(arena_t *arena, const mock_request_t *req)
{
    size_t n = req->header_count;
    const char **names = arena_calloc(arena, n ? n : 1, sizeof *names);
    const char **values = arena_calloc(arena, n ? n : 1, sizeof *values);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(req->headers[i].name, "cookie") == 0)
            continue;
        names[k] = req->headers[i].name;
        values[k++] = req->headers[i].value;
    }
    return object(arena, names, values, k);
}

const char *pgrst_cookies_json(arena_t *arena, const mock_request_t *req)
{
    const char *cookie = mock_request_header(req, "cookie");
    if (!cookie)
        return "{}";
    size_t cap = 1;
    for (const char *p = cookie; *p; p++)
        cap += *p == ';';
    const char **names = arena_calloc(arena, cap, sizeof *names);
    const char **values = arena_calloc(arena, cap, sizeof *values);
    size_t k = 0;
    const char *p = cookie;
    while (*p && k < cap) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *start = p;
        while (*p && *p != ';')
            p++;
        const char *end = p;
        while (end > start && end[-1] == ' ')
            end--;
        if (end == start)
            continue;
        const char *eq = memchr(start, '=', (size_t)(end - start));
        names[k] = arena_strndup(arena, start, eq ? (size_t)(eq - start) : (size_t)(end - start));
        values[k++] = eq ? arena_strndup(arena, eq + 1, (size_t)(end - eq - 1)) : "";
    }
    return object(arena, names, values, k);
}
