/* Fault rules: matching a request (method, path glob, role, key
 * kind, query/header globs, JSON body subset), counting (after, times), the
 * scenario state machine (in_state/to_state), expiry on events (until), and
 * the answer (a catalogue error rendered for the request, a literal response,
 * a connection fault, or pass). Rules are data: no scenario is named in code.
 * One rules_t belongs to one instance; a reset builds a new one. */
#ifndef MOCK_RULES_H
#define MOCK_RULES_H

#include "message.h"
#include "scenario.h"
#include "store.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

typedef struct rules rules_t;

/* Compiles sc->rules (validating them: a bad rule is a load error at its
 * position). Returns 0 or -1 with err. */
int rules_new(const scenario_t *sc, rules_t **out, scenario_error_t *err);
void rules_free(rules_t *r); /* NULL is a no-op */
/* `supamock validate`: compiles every rule of sc and adds each rule's first
 * error to errs (rules_new stops at the first). Returns 0 when all compile. */
int rules_check_all(const scenario_t *sc, scenario_errors_t *errs);

/* True when the scenario has no rules (the router then skips resolving the
 * key kind and role for them). */
bool rules_empty(const rules_t *r);

/* Runs the rules for one /rest/v1 or /auth/v1 request whose key kind and role
 * are already resolved. Returns 1 when a rule answered (resp filled, including
 * resp->fault, resp->delay_ms and resp->outcome.rule), 0 to go on (a pass rule
 * may still have set resp->delay_ms and moved the state). `store` (may be NULL)
 * is the instance's, read by error rules that name a table. */
int rules_apply(rules_t *r, const store_t *store, const mock_request_t *req, const char *key_kind,
                const char *role, mock_response_t *resp);

/* An event fired ("schema_reload"): rules with that `until` expire. */
void rules_on_event(rules_t *r, const char *event);

/* The scenario state machine's current state ("Started" initially). */
const char *rules_state(const rules_t *r);

/* The rules as JSON with their counters, for GET /__mock/scenario
 * (caller owns the result). */
cJSON *rules_to_json(const rules_t *r);

#endif
