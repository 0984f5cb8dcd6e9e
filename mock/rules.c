/* STUB (replaced by the fault rules' owner): no rule ever matches. */
#include "rules.h"

#include "xalloc.h"

#include <stdlib.h>

struct rules {
    int unused;
};

int rules_new(const scenario_t *sc, rules_t **out, scenario_error_t *err)
{
    (void)sc;
    (void)err;
    *out = xcalloc(1, sizeof **out);
    return 0;
}

void rules_free(rules_t *r)
{
    free(r);
}

int rules_apply(rules_t *r, struct instance *inst, const mock_request_t *req, const char *key_kind,
                const char *role, mock_response_t *resp)
{
    (void)r;
    (void)inst;
    (void)req;
    (void)key_kind;
    (void)role;
    (void)resp;
    return 0;
}

bool rules_empty(const rules_t *r)
{
    (void)r;
    return true;
}

void rules_on_event(rules_t *r, const char *event)
{
    (void)r;
    (void)event;
}

const char *rules_state(const rules_t *r)
{
    (void)r;
    return "Started";
}

cJSON *rules_to_json(const rules_t *r)
{
    (void)r;
    return cJSON_CreateArray();
}
