/* Owns the root space and the sessions: each a scenario, its instance and a
 * journal, swapped on reset and scenario switches. Responses never borrow from
 * an instance or scenario (message.h), so the old ones are freed at once, and
 * a session is freed as soon as DELETE ends it. */
#include "app.h"

#include "caps.h"
#include "feed.h"
#include "log.h"
#include "pg_load.h"
#include "pg_mock_sql.h"
#include "pg_site.h"
#include "project.h"
#include "runtime.h"
#include "xalloc.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct app_scenario {
    scenario_t *sc; /* owned */
    size_t refs;
    /* The database engine: the scenario's template database (owned; built
     * with the first instance), whether the project's SQL files go into it,
     * and db-extra-search-path (the project's or its in-database setting). */
    pg_template_t *tpl;
    bool project_files;
    char *extra_search_path;
};

static app_scenario_t *shared_new(scenario_t *sc)
{
    app_scenario_t *s = xcalloc(1, sizeof *s);
    s->sc = sc;
    s->refs = 1;
    return s;
}

static void shared_drop(app_scenario_t *s)
{
    if (s && --s->refs == 0) {
        pg_template_free(s->tpl);
        scenario_free(s->sc);
        free(s->extra_search_path);
        free(s);
    }
}

/* PostgREST's in-database configuration (ALTER ROLE authenticator SET
 * pgrst.NAME), read back after the load, over the scenario's settings:
 * PostgREST's Config/Database.hs gives it precedence over the file. */
static void apply_db_settings(app_scenario_t *shared)
{
    scenario_t *sc = shared->sc;
    const char *v;
    if ((v = pg_template_setting(shared->tpl, "db_aggregates_enabled")))
        sc->db_aggregates_enabled = strcmp(v, "true") == 0 || strcmp(v, "on") == 0;
    if ((v = pg_template_setting(shared->tpl, "db_plan_enabled")))
        sc->db_plan_enabled = strcmp(v, "true") == 0 || strcmp(v, "on") == 0;
    if ((v = pg_template_setting(shared->tpl, "openapi_mode"))) {
        static const char *const modes[] = {"follow-privileges", "ignore-privileges", "disabled"};
        for (int i = 0; i < 3; i++)
            if (strcmp(v, modes[i]) == 0)
                sc->openapi_mode = (scenario_openapi_mode_t)i;
    }
    if ((v = pg_template_setting(shared->tpl, "db_max_rows"))) {
        char *end = NULL;
        long long n = strtoll(v, &end, 10);
        if (end && *end == '\0' && n >= 0)
            sc->db_max_rows = n;
    }
    if ((v = pg_template_setting(shared->tpl, "db_tx_end"))) {
        static const char *const names[] = {"commit", "commit-allow-override", "rollback",
                                            "rollback-allow-override"};
        for (int i = 0; i < 4; i++)
            if (strcmp(v, names[i]) == 0)
                sc->db_tx_end = (scenario_tx_end_t)i;
    }
    if ((v = pg_template_setting(shared->tpl, "db_schemas"))) {
        /* "public, api": a comma-separated list. */
        char **names = NULL;
        size_t n = 0;
        const char *p = v;
        while (*p && n < 64) {
            while (*p == ' ' || *p == ',')
                p++;
            const char *e = p;
            while (*e && *e != ',')
                e++;
            const char *t = e;
            while (t > p && t[-1] == ' ')
                t--;
            if (t > p) {
                names = xrealloc(names, (n + 1) * sizeof *names);
                names[n++] = xstrndup(p, (size_t)(t - p));
            }
            p = e;
        }
        if (n) {
            for (size_t i = 0; i < sc->db_schema_count; i++)
                free(sc->db_schemas[i]);
            free(sc->db_schemas);
            sc->db_schemas = names;
            sc->db_schema_count = n;
        }
    }
    if ((v = pg_template_setting(shared->tpl, "db_extra_search_path"))) {
        free(shared->extra_search_path);
        shared->extra_search_path = xstrdup(v);
    }
    /* A role the project's SQL created is one a JWT may name (the gateway
     * refuses roles the scenario does not know, as Postgres's SET ROLE would). */
    for (size_t i = 0; i < pg_template_role_count(shared->tpl); i++) {
        bool bypass;
        const char *name = pg_template_role(shared->tpl, i, &bypass);
        size_t k = 0;
        while (k < sc->role_count && strcmp(sc->roles[k].name, name) != 0)
            k++;
        if (k < sc->role_count)
            continue;
        sc->roles = xrealloc(sc->roles, (sc->role_count + 1) * sizeof *sc->roles);
        sc->roles[sc->role_count++] =
            (scenario_role_t){.name = xstrdup(name), .bypass_rls = bypass};
    }
}

/* The template of `shared` on the app's site, built on first use. */
static int ensure_template(mock_app_t *app, app_scenario_t *shared, scenario_error_t *err)
{
    if (shared->tpl)
        return 0;
    const project_t *p = shared->project_files ? app->project : NULL;
    if (pg_template_build(app->site, shared->sc, p ? (const char *const *)p->sql_files : NULL,
                          p ? p->sql_file_count : 0, &shared->tpl, err) < 0)
        return -1;
    if (p && !shared->extra_search_path)
        shared->extra_search_path = xstrdup(p->extra_search_path);
    apply_db_settings(shared);
    log_msg(LOG_INFO, "database engine: loaded '%s' into a template in %.0f ms",
            shared->sc->name ? shared->sc->name : "scenario", pg_template_build_ms(shared->tpl));
    return 0;
}

/* A new instance of `shared` on the app's engine. */
static int build_instance(mock_app_t *app, app_scenario_t *shared, instance_t **out,
                          scenario_error_t *err)
{
    if (!app->site)
        return instance_new(shared->sc, app->cfg, out, err);
    if (ensure_template(app, shared, err) < 0)
        return -1;
    /* The engine's connections live on the loop the server will serve on
     * (main.c frees it after the app), so a slow statement does not hold
     * other connections. */
    instance_db_t db = {.tpl = shared->tpl,
                        .extra_search_path = shared->extra_search_path,
                        .loop = runtime_shared_loop()};
    return instance_new_db(shared->sc, app->cfg, &db, out, err);
}

/* The journal redacts keys by kind, so it learns the scenario's keys. */
static void journal_keys(app_space_t *space)
{
    const scenario_t *sc = space->scenario;
    journal_set_keys(space->journal, sc->anon_key, sc->service_role_key, sc->publishable_key,
                     sc->secret_key);
}

/* Builds the space's instance and journal from `shared` (whose reference
 * moves to the space, also on failure). */
static int space_init(app_space_t *space, mock_app_t *app, app_scenario_t *shared,
                      scenario_error_t *err)
{
    space->app = app;
    space->shared = shared;
    space->scenario = shared->sc;
    if (build_instance(app, shared, &space->inst, err) < 0)
        return -1;
    space->journal = journal_new(app->cfg ? app->cfg->journal_limit : MOCK_DEFAULT_JOURNAL_LIMIT);
    space->feed = feed_new(space->journal);
    journal_keys(space);
    return 0;
}

/* An instance (and the scenario reference it was built from) replaced while
 * responses it serves were still outstanding. */
typedef struct app_retired {
    struct app_retired *next;
    instance_t *inst;
    app_scenario_t *shared; /* a reference, or NULL when the scenario stayed */
} app_retired_t;

static void free_retired(app_space_t *space)
{
    while (space->retired) {
        app_retired_t *r = space->retired;
        space->retired = r->next;
        instance_free(r->inst);
        shared_drop(r->shared);
        free(r);
    }
}

/* The space's instance (and, with shared, the scenario reference) is being
 * replaced: freed now, or kept while responses are outstanding. */
static void retire(app_space_t *space, app_scenario_t *shared)
{
    space->generation++;
    if (space->holds == 0) {
        instance_free(space->inst);
        shared_drop(shared);
        return;
    }
    app_retired_t *r = xmalloc(sizeof *r);
    r->inst = space->inst;
    r->shared = shared;
    r->next = space->retired;
    space->retired = r;
}

static void space_dispose(app_space_t *space)
{
    /* The feed's streams end first: they read the journal. */
    feed_free(space->feed);
    space->feed = NULL;
    free_retired(space);
    instance_free(space->inst);
    journal_free(space->journal);
    shared_drop(space->shared);
    space->inst = NULL;
    space->journal = NULL;
    space->shared = NULL;
    space->scenario = NULL;
}

int app_init(mock_app_t *app, const mock_config_t *cfg, scenario_t *sc, scenario_error_t *err)
{
    memset(app, 0, sizeof *app);
    app->cfg = cfg;
    return space_init(&app->root, app, shared_new(sc), err);
}

int app_init_db(mock_app_t *app, const mock_config_t *cfg, scenario_t *sc, pg_site_t *site,
                const project_t *project, scenario_error_t *err)
{
    memset(app, 0, sizeof *app);
    app->cfg = cfg;
    app->site = site;
    app->project = project;
    app_scenario_t *shared = shared_new(sc);
    shared->project_files = project != NULL;
    return space_init(&app->root, app, shared, err);
}

void app_dispose(mock_app_t *app)
{
    while (app->sessions) {
        app_space_t *s = app->sessions;
        app->sessions = s->next;
        space_dispose(s);
        free(s);
    }
    while (app->ended) {
        app_space_t *s = app->ended;
        app->ended = s->next;
        space_dispose(s);
        free(s);
    }
    space_dispose(&app->root);
    free(app->listen_authority);
    /* Last: every database above lived on it. */
    pg_site_close(app->site);
    memset(app, 0, sizeof *app);
}

int app_switch(app_space_t *space, scenario_t *sc, scenario_error_t *err)
{
    instance_t *inst = NULL;
    app_scenario_t *shared = shared_new(sc);
    if (build_instance(space->app, shared, &inst, err) < 0) {
        shared_drop(shared);
        return -1;
    }
    retire(space, space->shared);
    space->shared = shared;
    space->scenario = sc;
    space->inst = inst;
    journal_clear(space->journal);
    journal_keys(space);
    return 0;
}

int app_reset(app_space_t *space, scenario_error_t *err)
{
    instance_t *inst = NULL;
    /* On the database engine too the new instance comes first (a clone of
     * the template, well under a second), so a failure leaves the old one
     * serving; then the old database is dropped with its connections. */
    if (build_instance(space->app, space->shared, &inst, err) < 0)
        return -1;
    retire(space, NULL);
    space->inst = inst;
    journal_clear(space->journal);
    return 0;
}

void app_space_hold(app_space_t *space)
{
    space->holds++;
}

void app_space_release(app_space_t *space)
{
    MOCK_ASSERT(space->holds > 0);
    if (--space->holds > 0)
        return;
    free_retired(space);
    if (!space->ended)
        return;
    mock_app_t *app = space->app;
    for (app_space_t **p = &app->ended; *p; p = &(*p)->next) {
        if (*p == space) {
            *p = space->next;
            break;
        }
    }
    space_dispose(space);
    free(space);
}

app_space_t *app_session_find(mock_app_t *app, const char *id)
{
    for (app_space_t *s = app->sessions; s; s = s->next)
        if (strcmp(s->id, id) == 0)
            return s;
    return NULL;
}

void app_set_listen_url(mock_app_t *app, const char *url)
{
    const char *authority = strstr(url, "://");
    free(app->listen_authority);
    app->listen_authority = xstrdup(authority ? authority + 3 : url);
}

/* ---- sessions ---- */

static int session_create(mock_app_t *app, scenario_t *sc, char *id_out, scenario_error_t *err)
{
    if (app->session_count >= MOCK_MAX_SESSIONS) {
        scenario_free(sc);
        return ADMIN_SESSION_FULL;
    }
    app_scenario_t *shared;
    if (sc) {
        shared = shared_new(sc);
    } else {
        shared = app->root.shared;
        shared->refs++;
    }
    app_space_t *s = xcalloc(1, sizeof *s);
    if (space_init(s, app, shared, err) < 0) {
        space_dispose(s);
        free(s);
        return -1;
    }
    unsigned char rnd[8];
    MOCK_ASSERT(RAND_bytes(rnd, sizeof rnd) == 1);
    int n = snprintf(s->id, sizeof s->id, "%08llx",
                     (unsigned long long)(++app->session_seq & 0xffffffffu));
    for (size_t i = 0; i < sizeof rnd; i++)
        n += snprintf(s->id + n, sizeof s->id - (size_t)n, "%02x", rnd[i]);
    s->next = app->sessions;
    app->sessions = s;
    app->session_count++;
    memcpy(id_out, s->id, sizeof s->id);
    return 0;
}

static bool session_delete(mock_app_t *app, const char *id)
{
    for (app_space_t **p = &app->sessions; *p; p = &(*p)->next) {
        if (strcmp((*p)->id, id) != 0)
            continue;
        app_space_t *s = *p;
        *p = s->next;
        app->session_count--;
        if (s->holds > 0) {
            /* Its outstanding responses complete first (app_space_release);
             * its event streams end now. */
            feed_free(s->feed);
            s->feed = NULL;
            s->ended = true;
            s->next = app->ended;
            app->ended = s;
            return true;
        }
        space_dispose(s);
        free(s);
        return true;
    }
    return false;
}

/* Oldest first: the list is newest first, so recurse to its end. */
static void each_from(const app_space_t *s, void (*fn)(void *, const char *, const char *),
                      void *ctx)
{
    if (!s)
        return;
    each_from(s->next, fn, ctx);
    fn(ctx, s->id, s->scenario->name ? s->scenario->name : "");
}

/* ---- what /__mock drives (admin.h); `app` is an app_space_t ---- */

static const mock_config_t *host_config(void *space)
{
    return ((app_space_t *)space)->app->cfg;
}

static const char *host_listen_authority(void *space)
{
    return ((app_space_t *)space)->app->listen_authority;
}

static const scenario_t *host_scenario(void *space)
{
    return ((app_space_t *)space)->scenario;
}

static store_t *host_store(void *space)
{
    return instance_store(((app_space_t *)space)->inst);
}

static security_t *host_security(void *space)
{
    return instance_security(((app_space_t *)space)->inst);
}

static rules_t *host_rules(void *space)
{
    return instance_rules(((app_space_t *)space)->inst);
}

static journal_t *host_journal(void *space)
{
    return ((app_space_t *)space)->journal;
}

static int64_t host_now_us(void *space)
{
    return instance_now_us(((app_space_t *)space)->inst);
}

static uint64_t host_uptime_ms(void *space)
{
    return instance_uptime_ms(((app_space_t *)space)->inst);
}

static uint64_t host_request_count(void *space)
{
    return instance_request_count(((app_space_t *)space)->inst);
}

static void host_clock_advance(void *space, int64_t ms)
{
    instance_clock_advance(((app_space_t *)space)->inst, ms);
}

static void host_clock_set(void *space, int64_t us)
{
    instance_clock_set(((app_space_t *)space)->inst, us);
}

static void host_schema_reload(void *space)
{
    instance_schema_reload(((app_space_t *)space)->inst);
}

static void reload_on_notify(void *arg)
{
    instance_schema_reload(arg);
}

static bool host_db_sql(void *space, const char *sql, mock_response_t *resp)
{
    app_space_t *s = space;
    pg_mock_db_t *db = s->inst ? instance_admin_db(s->inst) : NULL;
    if (!db)
        return false;
    /* The instance outlives the job: freeing it completes the job first,
     * without the notify callback. */
    pg_mock_sql(db, sql, resp, reload_on_notify, s->inst);
    return true;
}

static bool host_db_table(void *space, const char *schema, const char *name, const char *rows_json,
                          mock_response_t *resp)
{
    app_space_t *s = space;
    pg_mock_db_t *db = s->inst ? instance_admin_db(s->inst) : NULL;
    if (!db)
        return false;
    pg_mock_table(db, schema, name, rows_json, resp);
    return true;
}

static inbox_t *host_inbox(void *space)
{
    return gotrue_inbox(instance_gotrue(((app_space_t *)space)->inst));
}

static int host_reset(void *space, scenario_error_t *err)
{
    return app_reset(space, err);
}

static int host_switch_to(void *space, scenario_t *sc, scenario_error_t *err)
{
    return app_switch(space, sc, err);
}

static int host_session_create(void *space, scenario_t *sc, char *id_out, scenario_error_t *err)
{
    return session_create(((app_space_t *)space)->app, sc, id_out, err);
}

static bool host_session_delete(void *space, const char *id)
{
    return session_delete(((app_space_t *)space)->app, id);
}

static void host_session_each(void *space, void (*fn)(void *, const char *, const char *),
                              void *ctx)
{
    each_from(((app_space_t *)space)->app->sessions, fn, ctx);
}

static void host_events(void *space, uint64_t since, mock_response_t *resp)
{
    feed_answer(((app_space_t *)space)->feed, since, resp);
}

static const admin_host_ops_t admin_host_ops = {
    .config = host_config,
    .listen_authority = host_listen_authority,
    .scenario = host_scenario,
    .store = host_store,
    .security = host_security,
    .rules = host_rules,
    .journal = host_journal,
    .inbox = host_inbox,
    .now_us = host_now_us,
    .uptime_ms = host_uptime_ms,
    .request_count = host_request_count,
    .clock_advance = host_clock_advance,
    .clock_set = host_clock_set,
    .schema_reload = host_schema_reload,
    .db_sql = host_db_sql,
    .db_table = host_db_table,
    .reset = host_reset,
    .switch_to = host_switch_to,
    .session_create = host_session_create,
    .session_delete = host_session_delete,
    .session_each = host_session_each,
    .events = host_events,
};

admin_host_t app_admin_host(app_space_t *space)
{
    return (admin_host_t){.ops = &admin_host_ops, .app = space};
}
