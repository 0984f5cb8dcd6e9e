/* The stop words of Postgres's Snowball text-search dictionaries (the
 * languages with a <language>.stop file), embedded in the binary. */
#ifndef MOCK_TS_STOP_H
#define MOCK_TS_STOP_H

#include <stdbool.h>

typedef enum ts_stop_list {
    TS_STOP_NONE,
    TS_STOP_DANISH,
    TS_STOP_DUTCH,
    TS_STOP_ENGLISH,
    TS_STOP_FINNISH,
    TS_STOP_FRENCH,
    TS_STOP_GERMAN,
    TS_STOP_HUNGARIAN,
    TS_STOP_ITALIAN,
    TS_STOP_NEPALI,
    TS_STOP_NORWEGIAN,
    TS_STOP_PORTUGUESE,
    TS_STOP_RUSSIAN,
    TS_STOP_SPANISH,
    TS_STOP_SWEDISH,
    TS_STOP_TURKISH,
} ts_stop_list_t;

/* Is `word` (lowercase UTF-8, NUL-terminated) in the list? */
bool ts_stop_is_stop(ts_stop_list_t list, const char *word);

#endif
