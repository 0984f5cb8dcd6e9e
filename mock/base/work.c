/* work.h: the step budget of one request. The calibration (how many steps a
 * millisecond of statement_timeout buys) lives in caps.h. */
#include "work.h"

#include "caps.h"

#include <stddef.h>

uint64_t mock_work_steps_for_timeout_ms(uint64_t timeout_ms)
{
    /* No timeout, or a longer one than the hard cap: the cap. The loop serves
     * every client, so no role may hold it for seconds. */
    if (timeout_ms == 0 || timeout_ms > MOCK_WORK_MAX_TIMEOUT_MS)
        timeout_ms = MOCK_WORK_MAX_TIMEOUT_MS;
    return timeout_ms * MOCK_WORK_STEPS_PER_TIMEOUT_MS;
}

void mock_work_init(mock_work_t *w, uint64_t steps)
{
    w->left = steps;
    w->exhausted = false;
    w->fail_code = NULL;
    w->fail_message = NULL;
}

void mock_work_fail(mock_work_t *w, const char *code, const char *message)
{
    if (!w || w->fail_code)
        return;
    w->fail_code = code;
    w->fail_message = message;
}
