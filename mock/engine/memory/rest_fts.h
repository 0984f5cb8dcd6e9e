/* PostgREST's full-text filters (fts, plfts, phfts, wfts) on the memory
 * engine: SqlFragment.hs writes `col @@ to_tsquery([lang,] value)` for a
 * tsvector column and `to_tsvector([lang,] col) @@ ...` for any other, and
 * Postgres resolves to_tsvector for text and json(b) only. */
#ifndef MOCK_REST_FTS_H
#define MOCK_REST_FTS_H

#include "pgrst_error.h"
#include "pgrst_request.h"
#include "pgtype.h"
#include "work.h"

#include <stdbool.h>

typedef struct rest_fts rest_fts_t;

/* Compiles the filter's query for a column of type t. NULL with err set
 * (42704 unknown configuration, 42883 no to_tsvector for the type, 42601 /
 * 22023 / 54000 from the query text) on failure. The caller frees the
 * result with rest_fts_free. */
rest_fts_t *rest_fts_compile(const pgtype_t *t, pgrst_op_t op, const char *language,
                             const char *value, pgrst_error_t *err);
/* Does the (non-NULL) value match? Charges w for reading the document and
 * matching; false once w stops (the caller then answers with w's verdict). */
bool rest_fts_match(const rest_fts_t *f, const pgvalue_t *v, mock_work_t *w);
void rest_fts_free(rest_fts_t *f);

#endif
