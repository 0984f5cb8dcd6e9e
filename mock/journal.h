/* The request journal (SPEC §7): a bounded ring of what clients sent to
 * /rest/v1, /auth/v1 and unknown paths, and how supamock answered, with keys
 * redacted. Owned by the app; /__mock/reset clears it. */
#ifndef MOCK_JOURNAL_H
#define MOCK_JOURNAL_H

#include "message.h"

#include <stddef.h>
#include <stdint.h>

typedef struct journal journal_t;

journal_t *journal_new(size_t limit);
void journal_free(journal_t *j); /* NULL is a no-op */
void journal_clear(journal_t *j);

/* Records one exchange (copies everything it keeps). `at_us` is the scenario
 * clock (microseconds since 2000-01-01), duration in real microseconds. */
void journal_record(journal_t *j, const mock_request_t *req, const mock_response_t *resp,
                    int64_t at_us, uint64_t duration_us);

#endif
