/* Allocation that never returns NULL: running out of memory aborts with file
 * and line. Everything else in supamock allocates through these. */
#ifndef MOCK_XALLOC_H
#define MOCK_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Routes cJSON's allocations through xmalloc, so a JSON value that cannot
 * be allocated aborts like every other allocation instead of surfacing as a
 * NULL that looks like a parse error. Called once, first thing, by main(). */
void xalloc_install_cjson_hooks(void);

/* A broken invariant: print file and line, then abort. */
#define MOCK_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            mock_assert_fail(#cond, __FILE__, __LINE__);                                           \
    } while (0)
_Noreturn void mock_assert_fail(const char *what, const char *file, int line);

#endif
