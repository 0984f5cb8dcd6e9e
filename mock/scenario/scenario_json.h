/* The effective scenario (after `extends`, with every default filled in) as
 * JSON in the scenario file format (scenarios/scenario.schema.json), for GET /__mock/scenario.
 * Loading the result with scenario_load_text gives an equal scenario. */
#ifndef MOCK_SCENARIO_JSON_H
#define MOCK_SCENARIO_JSON_H

#include "scenario.h"

#include <cjson/cJSON.h>

/* Every key of the scenario file format, in a fixed order, except `extends` (already applied)
 * and `$schema`. Absent optional values are left out (a column's default,
 * identity, references and check; a policy's roles, using and with_check; a
 * user's phone and password); `auth.on_signup` and `postgrest.db_max_rows`
 * are null when unset, `auth.signing_keys` is left out when there are none
 * (private keys as PKCS#8 PEM), `clock` is "real" or an ISO 8601 instant, `rules` is
 * the scenario's rules as written (without counters). The caller owns the
 * result (cJSON_Delete). */
cJSON *scenario_to_json(const scenario_t *sc);

#endif
