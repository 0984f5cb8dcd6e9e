/* libFuzzer target for pgrst_query.c: the input is split at the first two NUL
 * bytes into a query string, a Prefer header and an Accept header (missing parts
 * are empty / absent), and each goes through its parser. Checks only that
 * nothing crashes, leaks or trips a sanitizer. */
#include "arena.h"
#include "message.h"
#include "pgrst_error.h"
#include "pgrst_query.h"
#include "xalloc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    char *buf = xmalloc(size + 3);
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = buf[size + 2] = 0;
    const char *qs = buf;
    const char *prefer = qs + strlen(qs) + 1;
    const char *accept = prefer <= buf + size ? prefer + strlen(prefer) + 1 : NULL;
    if (accept && accept > buf + size)
        accept = NULL;

    arena_t *a = arena_new();
    pgrst_query_t q;
    pgrst_error_t err;
    pgrst_error_init(&err);
    (void)pgrst_query_parse(a, qs, &q, &err);
    pgrst_error_dispose(&err);

    mock_header_t h = {"prefer", prefer};
    mock_request_t req;
    memset(&req, 0, sizeof req);
    req.arena = a;
    req.headers = &h;
    req.header_count = 1;
    pgrst_prefer_t p;
    pgrst_prefer_parse(a, &req, &p);

    pgrst_accept_t acc;
    (void)pgrst_accept_parse(accept, &acc, &err);
    pgrst_error_dispose(&err);
    pgrst_error_init(&err);
    if (pgrst_accept_parse_plan(accept, true, &acc, &err) == 0 && acc.plan.on &&
        (!acc.plan.for_mime || acc.plan.options >= 1u << 5))
        abort();
    pgrst_error_dispose(&err);

    int64_t from, to;
    (void)pgrst_range_parse(prefer, &from, &to);

    arena_free(a);
    free(buf);
    return 0;
}
