/* A small TOML reader for supabase/config.toml: enough of TOML 1.0 to read
 * every file `supabase init` writes (tables, arrays of tables, dotted and
 * quoted keys, basic/literal/multi-line strings, integers, floats,
 * booleans, dates as strings, arrays, inline tables, comments) into a cJSON
 * object tree. Anything else is an error with its line and column; nothing
 * is guessed. Bounded: nesting at most TOML_MAX_DEPTH, the text's length
 * bounds the work. */
#ifndef MOCK_TOML_H
#define MOCK_TOML_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define TOML_MAX_DEPTH 32

typedef struct toml_error {
    int line, col; /* 1-based */
    char message[256];
} toml_error_t;

/* Parses text[0..len). Returns the root object (the caller deletes it), or
 * NULL with err filled. Dates and times come back as strings. */
cJSON *toml_parse(const char *text, size_t len, toml_error_t *err);

#endif
