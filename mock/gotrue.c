/* STUB (replaced by the auth owner). */
#include "gotrue.h"

#include "xalloc.h"

#include <stdlib.h>

struct gotrue {
    int unused;
};

int gotrue_new(const scenario_t *sc, store_t *store, gotrue_t **out, scenario_error_t *err)
{
    (void)sc;
    (void)store;
    (void)err;
    *out = xcalloc(1, sizeof **out);
    return 0;
}

void gotrue_free(gotrue_t *g)
{
    free(g);
}
