/* The running application as the router sees it: the settings, the root space
 * (the scenario the process serves, its instance and journal) and the
 * sessions, each one more space built from a scenario of its own.
 * /__mock/reset and PUT /__mock/scenario replace a space's instance (and
 * scenario) through here; POST/DELETE /__mock/sessions add and end sessions. */
#ifndef MOCK_APP_H
#define MOCK_APP_H

#include "admin.h"
#include "config.h"
#include "instance.h"
#include "journal.h"
#include "scenario.h"

#include <stddef.h>
#include <stdint.h>

struct mock_app;
/* A scenario shared by the spaces built from it (app.c counts references, so
 * a session built from the root's scenario outlives a switch of the root). */
typedef struct app_scenario app_scenario_t;

/* One served project: rows, rules, clock and journal of its own. */
typedef struct app_space {
    struct mock_app *app;              /* the app it belongs to */
    struct app_space *next;            /* the next session (sessions only) */
    char id[ADMIN_SESSION_ID_LEN + 1]; /* "" for the root */
    app_scenario_t *shared;            /* owned reference */
    scenario_t *scenario;              /* shared's scenario */
    instance_t *inst;                  /* owned; built from scenario */
    journal_t *journal;                /* owned */
    /* Responses still being answered in this space (router.c holds the
     * space while an engine finishes one later). While any are, the space
     * is not freed when its session ends (`ended`), and an instance that a
     * reset or a switch replaces is kept (`retired`) until they complete:
     * the engine of that instance may still be running their statements. */
    size_t holds;
    bool ended;
    uint64_t generation; /* counts resets and switches */
    struct app_retired *retired;
} app_space_t;

typedef struct mock_app {
    const mock_config_t *cfg; /* borrowed; outlives the app */
    app_space_t root;         /* what requests without a session reach */
    app_space_t *sessions;    /* newest first */
    app_space_t *ended;       /* ended sessions still held, freed on release */
    size_t session_count;
    uint64_t session_seq; /* sessions created so far: the first part of ids */
    /* "HOST:PORT" of the URL the server listens on (owned), NULL until it
     * listens: the Host the admin API accepts besides the loopback names. */
    char *listen_authority;
} mock_app_t;

/* Builds the root instance for `sc` (ownership of sc moves to the app, also on
 * failure; app_dispose frees it then). Returns 0 or -1 with err. */
int app_init(mock_app_t *app, const mock_config_t *cfg, scenario_t *sc, scenario_error_t *err);
/* Frees the root and every session. */
void app_dispose(mock_app_t *app);

/* Switches the space to scenario sc (ownership moves, also on failure): builds
 * its instance first, so a failure leaves the current one serving. Clears the
 * journal. Returns 0 or -1 with err. */
int app_switch(app_space_t *space, scenario_t *sc, scenario_error_t *err);
/* Rebuilds the space's instance from its scenario and clears its journal. */
int app_reset(app_space_t *space, scenario_error_t *err);

/* A response of the space will complete later: keep the space, and the
 * instance it was served by, until app_space_release. */
void app_space_hold(app_space_t *space);
/* The response completed; frees what only it kept (an ended session, a
 * replaced instance). */
void app_space_release(app_space_t *space);

/* The session with this id (NUL-terminated), or NULL. */
app_space_t *app_session_find(mock_app_t *app, const char *id);

/* Records the URL the server listens on ("http://HOST:PORT"; with --port 0
 * the port the kernel chose), so that the admin API accepts it as Host. */
void app_set_listen_url(mock_app_t *app, const char *url);

/* The operations /__mock drives a space through (admin.h); valid while the
 * space is. The session operations act on the app's sessions whichever space
 * they are called through. */
admin_host_t app_admin_host(app_space_t *space);

#endif
