/* The stop words of Postgres's Snowball text-search dictionaries (english,
 * french, german), embedded in the binary. */
#ifndef MOCK_TS_STOP_H
#define MOCK_TS_STOP_H

#include <stdbool.h>

typedef enum ts_stop_list {
    TS_STOP_NONE,
    TS_STOP_ENGLISH,
    TS_STOP_FRENCH,
    TS_STOP_GERMAN,
} ts_stop_list_t;

/* Is `word` (lowercase UTF-8, NUL-terminated) in the list? */
bool ts_stop_is_stop(ts_stop_list_t list, const char *word);

#endif
