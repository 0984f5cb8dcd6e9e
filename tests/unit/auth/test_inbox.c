/* inbox.c: the test inbox's bounds (message cap drops the oldest, fields cut
 * at a character boundary), filters (email case-insensitive, phone with or
 * without '+', kind) and deletion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "inbox.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *query(const inbox_t *ib, const inbox_filter_t *f)
{
    buf_t b;
    buf_init(&b);
    inbox_write_json(ib, f, &b);
    cJSON *j = cJSON_Parse(buf_cstr(&b));
    buf_dispose(&b);
    assert_non_null(j);
    return j;
}

static void add(inbox_t *ib, const char *channel, const char *to, const char *kind)
{
    inbox_message_t m = {.channel = channel, .to = to, .kind = kind, .otp = "123456"};
    inbox_add(ib, &m, 0);
}

static void test_shape_and_filters(void **state)
{
    (void)state;
    inbox_t *ib = inbox_new();
    add(ib, "email", "a@example.com", "magiclink");
    add(ib, "sms", "15550001111", "sms");
    add(ib, "email", "b@example.com", "recovery");
    cJSON *all = query(ib, NULL);
    assert_int_equal(cJSON_GetArraySize(all), 3);
    const cJSON *first = cJSON_GetArrayItem(all, 0);
    assert_int_equal(cJSON_GetObjectItem(first, "id")->valueint, 1);
    assert_string_equal(cJSON_GetObjectItem(first, "time")->valuestring, "2000-01-01T00:00:00Z");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(first, "link")));
    cJSON_Delete(all);

    inbox_filter_t f = {.email = "A@Example.COM"};
    cJSON *j = query(ib, &f);
    assert_int_equal(cJSON_GetArraySize(j), 1);
    cJSON_Delete(j);
    f = (inbox_filter_t){.phone = "+15550001111"};
    j = query(ib, &f);
    assert_int_equal(cJSON_GetArraySize(j), 1);
    cJSON_Delete(j);
    /* An email filter never matches an SMS, nor a phone filter an email. */
    f = (inbox_filter_t){.email = "15550001111"};
    j = query(ib, &f);
    assert_int_equal(cJSON_GetArraySize(j), 0);
    cJSON_Delete(j);
    f = (inbox_filter_t){.kind = "recovery"};
    assert_int_equal(inbox_delete(ib, &f), 1);
    assert_int_equal(inbox_count(ib), 2);
    assert_int_equal(inbox_delete(ib, NULL), 2);
    assert_int_equal(inbox_count(ib), 0);
    inbox_free(ib);
}

static void test_cap_drops_the_oldest(void **state)
{
    (void)state;
    inbox_t *ib = inbox_new();
    char to[32];
    for (int i = 0; i < INBOX_MAX_MESSAGES + 5; i++) {
        snprintf(to, sizeof to, "u%d@example.com", i);
        add(ib, "email", to, "magiclink");
    }
    assert_int_equal(inbox_count(ib), INBOX_MAX_MESSAGES);
    cJSON *all = query(ib, NULL);
    const cJSON *first = cJSON_GetArrayItem(all, 0);
    assert_int_equal(cJSON_GetObjectItem(first, "id")->valueint, 6);
    assert_string_equal(cJSON_GetObjectItem(first, "to")->valuestring, "u5@example.com");
    cJSON_Delete(all);
    inbox_free(ib);
}

static void test_fields_are_cut_at_a_character(void **state)
{
    (void)state;
    inbox_t *ib = inbox_new();
    /* "é" (2 bytes) repeated so that the cap falls inside one. */
    size_t n = INBOX_MAX_FIELD + 11;
    char *link = malloc(n + 1);
    link[0] = 'x';
    for (size_t i = 1; i + 1 < n; i += 2) {
        link[i] = (char)0xc3;
        link[i + 1] = (char)0xa9;
    }
    link[n - (n % 2 == 0 ? 1 : 0)] = '\0';
    inbox_message_t m = {.channel = "email", .to = "a@example.com", .link = link};
    inbox_add(ib, &m, 0);
    cJSON *all = query(ib, NULL);
    const char *kept = cJSON_GetObjectItem(cJSON_GetArrayItem(all, 0), "link")->valuestring;
    assert_true(strlen(kept) <= INBOX_MAX_FIELD);
    assert_true(strlen(kept) % 2 == 1); /* 'x' plus whole two-byte characters */
    cJSON_Delete(all);
    free(link);
    inbox_free(ib);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_and_filters),
        cmocka_unit_test(test_cap_drops_the_oldest),
        cmocka_unit_test(test_fields_are_cut_at_a_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
