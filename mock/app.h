/* The running application as the router sees it: the settings, the current
 * scenario and the instance built from it, and the journal. /__mock/reset and
 * PUT /__mock/scenario replace the instance (and scenario) through here. */
#ifndef MOCK_APP_H
#define MOCK_APP_H

#include "admin.h"
#include "config.h"
#include "instance.h"
#include "journal.h"
#include "scenario.h"

typedef struct mock_app {
    const mock_config_t *cfg; /* borrowed; outlives the app */
    scenario_t *scenario;     /* owned */
    instance_t *inst;         /* owned; built from scenario */
    journal_t *journal;       /* owned */
    /* "HOST:PORT" of the URL the server listens on (owned), NULL until it
     * listens: the Host the admin API accepts besides the loopback names. */
    char *listen_authority;
} mock_app_t;

/* Builds the instance for `sc` (ownership of sc moves to the app, also on
 * failure). Returns 0 or -1 with err. */
int app_init(mock_app_t *app, const mock_config_t *cfg, scenario_t *sc, scenario_error_t *err);
void app_dispose(mock_app_t *app);

/* Switches to scenario sc (ownership moves, also on failure): builds its
 * instance first, so a failure leaves the current one serving. Clears the
 * journal. Returns 0 or -1 with err. */
int app_switch(mock_app_t *app, scenario_t *sc, scenario_error_t *err);
/* Rebuilds the instance from the current scenario and clears the journal. */
int app_reset(mock_app_t *app, scenario_error_t *err);

/* Records the URL the server listens on ("http://HOST:PORT"; with --port 0
 * the port the kernel chose), so that the admin API accepts it as Host. */
void app_set_listen_url(mock_app_t *app, const char *url);

/* The operations /__mock drives the app through (admin.h); valid while app is. */
admin_host_t app_admin_host(mock_app_t *app);

#endif
