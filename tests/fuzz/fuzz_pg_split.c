/* libFuzzer target for the psql-style statement splitter of migrations
 * (pg_split.c, over Postgres's scanner: sql_scan.c) and the position helpers: on arbitrary bytes
 * the spans are ordered, inside the text and disjoint, the count is stable whatever room the caller
 * gives, and line/column and character offsets stay in range. The text sits in a buffer of exactly
 * len bytes, so ASan catches a read past it. */
#include "pg_split.h"
#include "sql_parse.h"

#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    char *text = xmalloc(size ? size : 1);
    memcpy(text, data, size);
    pg_stmt_span_t spans[64];
    size_t n = pg_split(text, size, spans, 64);
    size_t none = pg_split(text, size, NULL, 0);
    if (n != none)
        abort();
    size_t prev_end = 0;
    for (size_t i = 0; i < n && i < 64; i++) {
        if (spans[i].start < prev_end || spans[i].end < spans[i].start || spans[i].end > size)
            abort();
        prev_end = spans[i].end;
        int line, col;
        pg_split_line_col(text, size, spans[i].start, &line, &col);
        if (line < 1 || col < 1)
            abort();
        if (sql_char_offset(text + spans[i].start, spans[i].end - spans[i].start, 1 + (long)i) >
            spans[i].end - spans[i].start)
            abort();
    }
    free(text);
    return 0;
}
