/* STUB (replaced by the admin API's owner): records nothing. */
#include "journal.h"

#include "xalloc.h"

#include <stdlib.h>

struct journal {
    size_t limit;
};

journal_t *journal_new(size_t limit)
{
    journal_t *j = xcalloc(1, sizeof *j);
    j->limit = limit;
    return j;
}

void journal_free(journal_t *j)
{
    free(j);
}

void journal_clear(journal_t *j)
{
    (void)j;
}

void journal_record(journal_t *j, const mock_request_t *req, const mock_response_t *resp,
                    int64_t at_us, uint64_t duration_us)
{
    (void)j;
    (void)req;
    (void)resp;
    (void)at_us;
    (void)duration_us;
}
