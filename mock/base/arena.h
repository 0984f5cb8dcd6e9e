/* A per-request memory pool (h2o style): many small allocations, one release.
 * Everything derived from one request lives in its arena and is freed at once
 * after the response is written. Pointers stay valid until arena_reset/free. */
#ifndef MOCK_ARENA_H
#define MOCK_ARENA_H

#include <stddef.h>

typedef struct arena arena_t;

arena_t *arena_new(void);
/* Frees every block; NULL is a no-op. */
void arena_free(arena_t *a);
/* Releases all allocations but keeps the first block for reuse (keep-alive). */
void arena_reset(arena_t *a);
/* Aligned to max_align_t; never NULL. Zeroed memory from arena_calloc. */
void *arena_alloc(arena_t *a, size_t n);
void *arena_calloc(arena_t *a, size_t count, size_t size);
char *arena_strdup(arena_t *a, const char *s);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_sprintf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes handed out since the last reset (for tests and stats). */
size_t arena_used(const arena_t *a);

#endif
