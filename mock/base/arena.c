/* Bump allocator over a chain of blocks. Large requests get a block of their own.
 * Not thread-safe; one arena belongs to one request. */
#include "arena.h"

#include "xalloc.h"

#include <stdarg.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_BYTES 8192

typedef struct arena_block {
    struct arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    alignas(max_align_t) unsigned char data[];
} arena_block_t;

struct arena {
    arena_block_t *head; /* current block; older blocks follow via next */
    size_t total;
};

static arena_block_t *block_new(size_t size)
{
    arena_block_t *b = xmalloc(sizeof *b + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

arena_t *arena_new(void)
{
    arena_t *a = xmalloc(sizeof *a);
    a->head = block_new(ARENA_BLOCK_BYTES);
    a->total = 0;
    return a;
}

void arena_free(arena_t *a)
{
    if (!a)
        return;
    arena_block_t *b = a->head;
    while (b) {
        arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void arena_reset(arena_t *a)
{
    /* Keep only the oldest block, which is the standard-sized first one. */
    arena_block_t *b = a->head;
    while (b->next) {
        arena_block_t *next = b->next;
        free(b);
        b = next;
    }
    if (b->size != ARENA_BLOCK_BYTES) {
        free(b);
        b = block_new(ARENA_BLOCK_BYTES);
    }
    b->used = 0;
    a->head = b;
    a->total = 0;
}

void *arena_alloc(arena_t *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    n = (n + align - 1) & ~(align - 1);
    if (n == 0)
        n = align;
    arena_block_t *b = a->head;
    if (b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK_BYTES / 2 ? n : ARENA_BLOCK_BYTES;
        arena_block_t *nb = block_new(size);
        if (size == n) {
            /* A large allocation gets its own block behind the current one so
             * the current block keeps serving small allocations. */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            a->total += n;
            return nb->data;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->total += n;
    return p;
}

void *arena_calloc(arena_t *a, size_t count, size_t size)
{
    MOCK_ASSERT(size == 0 || count <= SIZE_MAX / size);
    void *p = arena_alloc(a, count * size);
    memset(p, 0, count * size);
    return p;
}

char *arena_strdup(arena_t *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_sprintf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    MOCK_ASSERT(n >= 0);
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t arena_used(const arena_t *a)
{
    return a->total;
}
