/* Inserting a JSON object as a row with the table owner's rights, as seed
 * rows, the on_signup trigger (security definer) and PUT /__mock/tables do:
 * JSON input per column, defaults for absent keys, CHECK constraints, then the
 * store's not-null and unique checks (foreign keys at store_end_statement). No
 * grants, no row-level security. */
#ifndef MOCK_OWNER_INSERT_H
#define MOCK_OWNER_INSERT_H

#include "pgrst_error.h"
#include "security.h"
#include "store.h"

#include <cjson/cJSON.h>

/* Inside a store transaction. `sec` evaluates the table's CHECK constraints
 * (NULL while the model is being built: security_new checks seed rows itself).
 * On failure err is set and, when a key of `row` was at fault (an unknown column
 * or a value its type rejects), *bad_key (may be NULL) points at that key in
 * `row`. Returns 0 or -1. */
int owner_insert_json(store_t *store, const security_t *sec, store_table_t *t, const cJSON *row,
                      const store_env_t *env, pgrst_error_t *err, const char **bad_key);

#endif
