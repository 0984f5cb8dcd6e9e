/* The memory engine: engine.h over the store and the security model. */
#ifndef MOCK_MEMORY_ENGINE_H
#define MOCK_MEMORY_ENGINE_H

#include "engine.h"
#include "scenario.h"
#include "security.h"
#include "store.h"

/* Borrows store, sec and sc, which must outlive the engine (the instance owns
 * all four). Free with engine_free. */
engine_t *memory_engine_new(store_t *store, security_t *sec, const scenario_t *sc);

#endif
