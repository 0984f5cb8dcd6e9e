/* The engine-independent helpers of engine.h, written over the ops. */
#include "engine.h"

#include <stddef.h>

bool engine_relation_has_primary_key(engine_t *e, const engine_relation_t *rel)
{
    size_t n = e->ops->column_count(rel);
    for (size_t i = 0; i < n; i++) {
        engine_column_info_t col;
        e->ops->column(rel, i, NULL, &col); /* no type name wanted */
        if (col.primary_key)
            return true;
    }
    return false;
}

void engine_free(engine_t *e)
{
    if (e)
        e->ops->free(e);
}
