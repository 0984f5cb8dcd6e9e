/* CSV request bodies (Content-Type: text/csv) as PostgREST reads them
 * (ApiRequest/Payload.hs): cassava's decodeByName takes the first record as
 * the header and pairs every later record with it by position; csvToJson
 * makes each record a JSON object of strings, with the unquoted or quoted
 * value NULL becoming null. The records must all give the same keys (a
 * record shorter than the header gives fewer), else PGRST102 "All lines must
 * have same number of fields"; a longer record's extra fields are dropped,
 * as cassava's zip drops them. The result is the JSON text of that array,
 * which then goes wherever a JSON body goes.
 *
 * The grammar is RFC 4180's as cassava parses it: ',' between fields,
 * records ended by LF or CRLF (the last one may be unterminated), quoted
 * fields with "" for a quote; a quote inside an unquoted field, or an
 * unterminated quoted field, is a parse error. cassava's own wording of
 * parse errors (attoparsec's) is not reproduced: the message says what
 * is wrong and where. Fields must be UTF-8 (csvToJson decodes them). */
#ifndef MOCK_REST_CSV_H
#define MOCK_REST_CSV_H

#include "buf.h"
#include "pgrst_error.h"

#include <stddef.h>

/* Appends the JSON array for csv[0..len) to out: 0, or -1 with err set to
 * PGRST102. */
int rest_csv_to_json(const char *csv, size_t len, buf_t *out, pgrst_error_t *err);

#endif
