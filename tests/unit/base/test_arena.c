/* Unit tests for arena.c: alignment to max_align_t (arena.h contract), many
 * small allocations spanning blocks without overlap, large allocations that
 * get a block of their own, reset reuse, calloc zeroing, and the string
 * helpers. Run under ASan, overlapping or out-of-block pointers also fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arena.h"

#include <stdalign.h>
#include <string.h>

#define ALIGN alignof(max_align_t)

static void test_alignment(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    /* Odd sizes, including 0 and 1, must each return an aligned pointer. */
    static const size_t sizes[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 4095, 5000, 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = arena_alloc(a, sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % ALIGN, 0);
    }
    arena_free(a);
}

static void test_zero_size_distinct(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    char *p = arena_alloc(a, 0);
    char *q = arena_alloc(a, 0);
    assert_non_null(p);
    assert_ptr_not_equal(p, q);
    arena_free(a);
}

static void test_many_small_no_overlap(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    /* 4000 allocations of 24 bytes cross several 8 KiB blocks. Each is filled
     * with its own byte pattern; any overlap would corrupt an earlier one. */
    enum { N = 4000, SZ = 24 };
    static unsigned char *ptrs[N];
    for (int i = 0; i < N; i++) {
        ptrs[i] = arena_alloc(a, SZ);
        assert_int_equal((uintptr_t)ptrs[i] % ALIGN, 0);
        memset(ptrs[i], i & 0xff, SZ);
    }
    for (int i = 0; i < N; i++)
        for (int k = 0; k < SZ; k++)
            assert_int_equal(ptrs[i][k], i & 0xff);
    arena_free(a);
}

static void test_large_allocations(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    char *small1 = arena_alloc(a, 16);
    /* Larger than the whole standard block: must be usable in full. */
    size_t big_n = 1u << 20;
    unsigned char *big = arena_alloc(a, big_n);
    assert_int_equal((uintptr_t)big % ALIGN, 0);
    memset(big, 0xab, big_n);
    assert_int_equal(big[0], 0xab);
    assert_int_equal(big[big_n - 1], 0xab);
    /* Small allocations keep working, and the earlier one is untouched. */
    memset(small1, 'x', 16);
    char *small2 = arena_alloc(a, 16);
    memset(small2, 'y', 16);
    assert_int_equal(small1[15], 'x');
    assert_int_equal(big[12345], 0xab);
    /* Several large allocations in a row stay distinct. */
    unsigned char *b2 = arena_alloc(a, 100000);
    unsigned char *b3 = arena_alloc(a, 100000);
    memset(b2, 1, 100000);
    memset(b3, 2, 100000);
    assert_int_equal(b2[99999], 1);
    assert_int_equal(b3[0], 2);
    assert_true(arena_used(a) >= big_n + 200000 + 32);
    arena_free(a);
}

static void test_reset_reuse(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    char *first = arena_alloc(a, 32);
    assert_int_equal(arena_used(a), 32);
    for (int i = 0; i < 1000; i++)
        (void)arena_alloc(a, 100);
    (void)arena_alloc(a, 50000);
    assert_true(arena_used(a) > 32 + 100000);
    arena_reset(a);
    assert_int_equal(arena_used(a), 0);
    /* After a reset the first standard block is reused from its start
     * (keep-alive: no new malloc for the next small request). */
    char *again = arena_alloc(a, 32);
    assert_ptr_equal(again, first);
    memset(again, 0, 32);
    /* Reset after only a huge allocation, twice in a row, stays usable. */
    (void)arena_alloc(a, 200000);
    arena_reset(a);
    arena_reset(a);
    char *s = arena_strdup(a, "still works");
    assert_string_equal(s, "still works");
    arena_free(a);
}

static void test_used_counts(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    assert_int_equal(arena_used(a), 0);
    (void)arena_alloc(a, 1);
    /* Sizes are rounded up to the alignment. */
    assert_int_equal(arena_used(a), ALIGN);
    (void)arena_alloc(a, ALIGN + 1);
    assert_int_equal(arena_used(a), 3 * ALIGN);
    arena_free(a);
}

static void test_calloc_zeroes(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    /* Dirty the block, reset, then calloc over the same memory. */
    unsigned char *p = arena_alloc(a, 256);
    memset(p, 0xff, 256);
    arena_reset(a);
    unsigned char *z = arena_calloc(a, 16, 16);
    assert_ptr_equal(z, p);
    for (int i = 0; i < 256; i++)
        assert_int_equal(z[i], 0);
    int *ints = arena_calloc(a, 10000, sizeof *ints);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(ints[i], 0);
    arena_free(a);
}

static void test_strings(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    const char *src = "profiles";
    char *d = arena_strdup(a, src);
    assert_string_equal(d, "profiles");
    assert_ptr_not_equal(d, src);
    char *n = arena_strndup(a, "user_id=eq.1", 7);
    assert_string_equal(n, "user_id");
    char *e = arena_strdup(a, "");
    assert_string_equal(e, "");
    char *f = arena_sprintf(a, "%s.%s(%d)", "public", "todos", 7);
    assert_string_equal(f, "public.todos(7)");
    /* A formatted string longer than a block. */
    char big[20000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *g = arena_sprintf(a, "<%s>", big);
    assert_int_equal(strlen(g), sizeof big + 1);
    assert_int_equal(g[0], '<');
    assert_int_equal(g[sizeof big], '>');
    /* Earlier strings survive later allocations. */
    assert_string_equal(d, "profiles");
    assert_string_equal(f, "public.todos(7)");
    arena_free(a);
}

static void test_free_null(void **state)
{
    (void)state;
    arena_free(NULL); /* arena.h: NULL is a no-op */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_zero_size_distinct),
        cmocka_unit_test(test_many_small_no_overlap),
        cmocka_unit_test(test_large_allocations),
        cmocka_unit_test(test_reset_reuse),
        cmocka_unit_test(test_used_counts),
        cmocka_unit_test(test_calloc_zeroes),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_free_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
