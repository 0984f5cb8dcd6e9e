/* Rows -> the bytes PostgREST sends: compact row objects (row_to_json), arrays
 * joined the way Postgres's json_agg joins them, the singular object, and CSV.
 * Pure; the caller decides which columns and keys a row has. */
#ifndef MOCK_RENDER_H
#define MOCK_RENDER_H

#include "buf.h"
#include "pgtype.h"

#include <stdbool.h>
#include <stddef.h>

/* One output column of a row: key, type and value (borrowed). */
typedef struct render_cell {
    const char *key;
    const pgtype_t *type;
    const pgvalue_t *value;
} render_cell_t;

/* {"k":v,...} as row_to_json writes it; strip_nulls applies json_strip_nulls
 * (the nulls=stripped media type parameter): null-valued keys go, at every
 * depth of json/jsonb values too, which are then re-emitted compactly. */
void render_json_row(buf_t *out, const render_cell_t *cells, size_t n, bool strip_nulls);
/* json_agg's element separator: ", \n " between composite elements
 * (PG json.c json_agg_transfn). */
#define RENDER_JSON_ROW_SEPARATOR ", \n "
/* json_strip_nulls re-emits the array with a bare comma instead. */
#define RENDER_JSON_ROW_SEPARATOR_STRIPPED ","
/* CSV header line: the raw keys joined by commas, unquoted (no trailing newline). */
void render_csv_header(buf_t *out, const render_cell_t *cells, size_t n);
/* One CSV record as PostgREST writes it: composite-text output without the
 * parentheses (NULL empty; values quoted when they contain a delimiter, quote,
 * backslash, whitespace or parenthesis, or are empty). */
void render_csv_row(buf_t *out, const render_cell_t *cells, size_t n);

#endif
