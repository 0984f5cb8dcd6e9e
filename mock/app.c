/* Owns the scenario, its instance and the journal, and swaps them on reset
 * and scenario switches. Responses never borrow from an instance or scenario
 * (message.h), so the old ones are freed at once. */
#include "app.h"

#include "xalloc.h"

#include <stdlib.h>
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
    free(app->listen_authority);
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

void app_set_listen_url(mock_app_t *app, const char *url)
{
    const char *authority = strstr(url, "://");
    free(app->listen_authority);
    app->listen_authority = xstrdup(authority ? authority + 3 : url);
}

/* ---- what /__mock drives (admin.h) ---- */

static const mock_config_t *host_config(void *app)
{
    return ((mock_app_t *)app)->cfg;
}

static const char *host_listen_authority(void *app)
{
    return ((mock_app_t *)app)->listen_authority;
}

static const scenario_t *host_scenario(void *app)
{
    return ((mock_app_t *)app)->scenario;
}

static store_t *host_store(void *app)
{
    return instance_store(((mock_app_t *)app)->inst);
}

static security_t *host_security(void *app)
{
    return instance_security(((mock_app_t *)app)->inst);
}

static rules_t *host_rules(void *app)
{
    return instance_rules(((mock_app_t *)app)->inst);
}

static journal_t *host_journal(void *app)
{
    return ((mock_app_t *)app)->journal;
}

static int64_t host_now_us(void *app)
{
    return instance_now_us(((mock_app_t *)app)->inst);
}

static uint64_t host_uptime_ms(void *app)
{
    return instance_uptime_ms(((mock_app_t *)app)->inst);
}

static uint64_t host_request_count(void *app)
{
    return instance_request_count(((mock_app_t *)app)->inst);
}

static void host_clock_advance(void *app, int64_t ms)
{
    instance_clock_advance(((mock_app_t *)app)->inst, ms);
}

static void host_clock_set(void *app, int64_t us)
{
    instance_clock_set(((mock_app_t *)app)->inst, us);
}

static void host_schema_reload(void *app)
{
    instance_schema_reload(((mock_app_t *)app)->inst);
}

static int host_reset(void *app, scenario_error_t *err)
{
    return app_reset(app, err);
}

static int host_switch_to(void *app, scenario_t *sc, scenario_error_t *err)
{
    return app_switch(app, sc, err);
}

static const admin_host_ops_t admin_host_ops = {
    .config = host_config,
    .listen_authority = host_listen_authority,
    .scenario = host_scenario,
    .store = host_store,
    .security = host_security,
    .rules = host_rules,
    .journal = host_journal,
    .now_us = host_now_us,
    .uptime_ms = host_uptime_ms,
    .request_count = host_request_count,
    .clock_advance = host_clock_advance,
    .clock_set = host_clock_set,
    .schema_reload = host_schema_reload,
    .reset = host_reset,
    .switch_to = host_switch_to,
};

admin_host_t app_admin_host(mock_app_t *app)
{
    return (admin_host_t){.ops = &admin_host_ops, .app = app};
}
