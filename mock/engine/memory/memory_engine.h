/* The memory engine: engine.h over the store and the security model. */
#ifndef MOCK_MEMORY_ENGINE_H
#define MOCK_MEMORY_ENGINE_H

#include "engine.h"
#include "mem_func.h"
#include "scenario.h"
#include "mem_view.h"
#include "security.h"
#include "store.h"

/* Borrows store, sec, sc, fs (the functions; NULL: none) and views (their
 * plans; NULL: none), which must outlive the engine (the instance owns them
 * all). Free with engine_free. */
engine_t *memory_engine_new(store_t *store, security_t *sec, const scenario_t *sc, mem_funcs_t *fs,
                            mem_views_t *views);

#endif
