/* Owns the scenario, its instance and the journal, and swaps them on reset
 * and scenario switches. Responses never borrow from an instance or scenario
 * (message.h), so the old ones are freed at once. */
#include "app.h"

#include <string.h>

/* The journal redacts keys by kind, so it learns the scenario's keys. */
static void journal_keys(mock_app_t *app)
{
    const scenario_t *sc = app->scenario;
    journal_set_keys(app->journal, sc->anon_key, sc->service_role_key, sc->publishable_key,
                     sc->secret_key);
}

int app_init(mock_app_t *app, const mock_config_t *cfg, scenario_t *sc, scenario_error_t *err)
{
    memset(app, 0, sizeof *app);
    app->cfg = cfg;
    app->scenario = sc;
    if (instance_new(sc, cfg, &app->inst, err) < 0)
        return -1;
    app->journal = journal_new(cfg->journal_limit);
    journal_keys(app);
    return 0;
}

void app_dispose(mock_app_t *app)
{
    instance_free(app->inst);
    scenario_free(app->scenario);
    journal_free(app->journal);
    memset(app, 0, sizeof *app);
}

int app_switch(mock_app_t *app, scenario_t *sc, scenario_error_t *err)
{
    instance_t *inst = NULL;
    if (instance_new(sc, app->cfg, &inst, err) < 0) {
        scenario_free(sc);
        return -1;
    }
    instance_free(app->inst);
    scenario_free(app->scenario);
    app->inst = inst;
    app->scenario = sc;
    journal_clear(app->journal);
    journal_keys(app);
    return 0;
}

int app_reset(mock_app_t *app, scenario_error_t *err)
{
    instance_t *inst = NULL;
    if (instance_new(app->scenario, app->cfg, &inst, err) < 0)
        return -1;
    instance_free(app->inst);
    app->inst = inst;
    journal_clear(app->journal);
    return 0;
}
