/* The work one request may do on the single event loop, counted in steps.
 * Every scan and matcher charges its inner-loop iterations here; once the
 * steps run out the work stops and the request answers as Postgres does when
 * statement_timeout cancels a statement. A matcher can also stop the work
 * with an error of its own (Postgres raises some errors only while matching).
 * Plain data: embed it in the request's context; no allocation. */
#ifndef MOCK_WORK_H
#define MOCK_WORK_H

#include <stdbool.h>
#include <stdint.h>

typedef struct mock_work {
    uint64_t left;            /* steps still allowed */
    bool exhausted;           /* the steps ran out: the statement timed out */
    const char *fail_code;    /* set by mock_work_fail: SQLSTATE (static string) */
    const char *fail_message; /* and its message (static string) */
} mock_work_t;

/* Steps a statement may take when the role's statement_timeout is
 * timeout_ms (0: no timeout), per the calibration in caps.h. */
uint64_t mock_work_steps_for_timeout_ms(uint64_t timeout_ms);
void mock_work_init(mock_work_t *w, uint64_t steps);

/* Charges n steps to w (NULL: unbounded, for callers outside a request).
 * Returns false once the work has stopped, for whatever reason; callers
 * return at once and leave the verdict to whoever started the work. */
static inline bool mock_work_charge(mock_work_t *w, uint64_t n)
{
    if (!w)
        return true;
    if (w->exhausted || w->fail_code)
        return false;
    if (w->left < n) {
        w->left = 0;
        w->exhausted = true;
        return false;
    }
    w->left -= n;
    return true;
}

/* True once the work stopped (steps exhausted or an error recorded). */
static inline bool mock_work_stopped(const mock_work_t *w)
{
    return w && (w->exhausted || w->fail_code);
}

/* Stops the work with an error; the first error recorded wins. */
void mock_work_fail(mock_work_t *w, const char *code, const char *message);

#endif
