/* Templates and their clones: the order of a project's load, and the
 * bookkeeping of which database belongs to whom. */
#include "pg_load.h"

#include "pg_apply.h"
#include "pg_ddl.h"
#include "pg_site.h"
#include "pq.h"

#include "clock.h"

#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* pgrst.* settings read back from the database, at most this many. */
#define LOAD_MAX_SETTINGS 64
/* Roles read back after the load; a cluster with more is not a project. */
#define LOAD_MAX_ROLES 4096

struct pg_template {
    pg_site_t *site; /* borrowed; outlives the template */
    char *db;        /* owned name */
    pg_ddl_t ddl;    /* the scenario as SQL; phase AFTER runs per clone */
    double build_ms;
    char *setting_names[LOAD_MAX_SETTINGS]; /* without the "pgrst." prefix */
    char *setting_values[LOAD_MAX_SETTINGS];
    size_t setting_count;
    /* The cluster's roles after the load (pg_roles without the predefined
     * pg_* ones): a migration's CREATE ROLE names a role a JWT may carry. */
    char **roles;
    bool *roles_bypass_rls;
    size_t role_count;
};

struct pg_database {
    pg_template_t *tpl; /* borrowed; outlives the database */
    char *name;
    double clone_ms;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Runs the statements of one phase on a; the first failure is reported at
 * the scenario item it came from, with Postgres's message. */
static int run_phase(pg_apply_t *a, const pg_ddl_t *ddl, pg_ddl_phase_t phase,
                     scenario_error_t *err)
{
    for (size_t i = 0; i < ddl->count; i++) {
        const pg_ddl_stmt_t *st = &ddl->stmts[i];
        if (st->phase != phase)
            continue;
        scenario_error_t e;
        memset(&e, 0, sizeof e);
        int rc = st->admin ? pg_apply_admin_text(a, "<scenario>", st->sql, strlen(st->sql), &e)
                           : pg_apply_text(a, "<scenario>", st->sql, strlen(st->sql), &e);
        if (rc < 0) {
            /* e names the generated text's position; the scenario's is the one
             * a developer can act on. */
            scenario_error_at(err, st->pos, "%s", e.message);
            return -1;
        }
    }
    return 0;
}

/* Reads authenticator's pgrst.* settings (ALTER ROLE authenticator SET
 * pgrst.x = ...; for every database or this one), as PostgREST's
 * Config/Database.hs queries pg_db_role_setting. */
static void read_settings(pg_template_t *t)
{
    char err[256];
    const pq_api_t *pq = pq_load(err, sizeof err);
    if (!pq)
        return;
    char *ci = pg_site_conninfo(t->site, t->db, NULL);
    PGconn *c = pq->connectdb(ci);
    free(ci);
    if (pq->status(c) == CONNECTION_OK) {
        PGresult *r = pq->exec(
            c, "select substr(kv, 1, strpos(kv, '=') - 1), substr(kv, strpos(kv, '=') + 1) "
               "from pg_db_role_setting s join pg_roles r on r.oid = s.setrole "
               "cross join lateral unnest(s.setconfig) kv "
               "where r.rolname = 'authenticator' and kv like 'pgrst.%' "
               "and s.setdatabase in (0, (select oid from pg_database where datname = "
               "current_database())) order by s.setdatabase, 1");
        if (pq->result_status(r) == PGRES_TUPLES_OK) {
            for (int i = 0; i < pq->ntuples(r); i++) {
                const char *name = pq->getvalue(r, i, 0) + 6;
                const char *value = pq->getvalue(r, i, 1);
                size_t k = 0;
                /* A per-database setting (read last) overrides the global one. */
                while (k < t->setting_count && strcmp(t->setting_names[k], name) != 0)
                    k++;
                if (k == t->setting_count) {
                    if (k >= LOAD_MAX_SETTINGS)
                        continue;
                    t->setting_names[k] = xstrdup(name);
                    t->setting_count++;
                } else {
                    free(t->setting_values[k]);
                }
                t->setting_values[k] = xstrdup(value);
            }
        }
        pq->clear(r);
        r = pq->exec(c, "select rolname, rolsuper or rolbypassrls from pg_roles "
                        "where rolname !~ '^pg_' order by oid");
        if (pq->result_status(r) == PGRES_TUPLES_OK) {
            size_t n = (size_t)pq->ntuples(r);
            if (n > LOAD_MAX_ROLES)
                n = LOAD_MAX_ROLES;
            t->roles = xcalloc(n ? n : 1, sizeof *t->roles);
            t->roles_bypass_rls = xcalloc(n ? n : 1, sizeof *t->roles_bypass_rls);
            for (size_t i = 0; i < n; i++) {
                t->roles[i] = xstrdup(pq->getvalue(r, (int)i, 0));
                t->roles_bypass_rls[i] = strcmp(pq->getvalue(r, (int)i, 1), "t") == 0;
            }
            t->role_count = n;
        }
        pq->clear(r);
    }
    pq->finish(c);
}

int pg_template_build(pg_site_t *site, const scenario_t *sc, const char *const *files, size_t n,
                      pg_template_t **out, scenario_error_t *err)
{
    *out = NULL;
    double t0 = now_ms();
    pg_template_t *t = xcalloc(1, sizeof *t);
    t->site = site;
    t->db = pg_site_db_name(site, "template");
    char msg[1024];
    scenario_pos_t none = {0};
    if (pg_site_create_db(site, t->db, NULL, msg, sizeof msg) < 0) {
        scenario_error_at(err, none, "creating the project database: %s", msg);
        free(t->db);
        free(t);
        return -1;
    }
    /* A fixed scenario clock is what supamock.now() (baseline.sql) answers
     * while the project loads: seed.sql's now() and the defaults its rows
     * take. Only for the build: CREATE DATABASE ... TEMPLATE does not copy
     * a database's settings. */
    char clock_sql[256] = "";
    if (!sc->clock_real) {
        char iso[48];
        clock_format_iso(sc->clock_start_us, iso, sizeof iso);
        snprintf(clock_sql, sizeof clock_sql, "alter database \"%s\" set supamock.now = '%s'",
                 t->db, iso);
        if (pg_site_exec(site, NULL, clock_sql, msg, sizeof msg) < 0) {
            scenario_error_at(err, none, "setting the scenario clock: %s", msg);
            pg_template_free(t);
            return -1;
        }
    }
    pg_apply_t *a = pg_apply_open(site, t->db, msg, sizeof msg);
    if (!a) {
        scenario_error_at(err, none, "%s", msg);
        pg_template_free(t);
        return -1;
    }
    /* graphql_public: in every Supabase database (the default db-schemas
     * names it; supabase/postgres's init scripts create it, pg_graphql fills
     * it), which the baseline leaves out with pg_graphql. */
    static const char graphql_public[] =
        "create schema if not exists graphql_public; "
        "grant usage on schema graphql_public to postgres, anon, authenticated, service_role";
    int rc =
        pg_apply_admin_text(a, "<graphql_public>", graphql_public, sizeof graphql_public - 1, err);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = pg_apply_file(a, files[i], PG_LOAD_MAX_FILE_BYTES, err);
    /* A scenario whose schema is SQL ("sql"): Postgres runs that SQL
     * itself, and the JSON adds only what the SQL did not make (its tables
     * and enums are skipped below). It goes through the same gate as a
     * project's migrations (pg_gate.h): a scenario file may come from
     * anywhere. SUPAMOCK_PG_TRUST_SQL=1 runs it as the administrator
     * instead, for SQL the developer trusts that needs it (PostgREST's spec
     * fixtures create a foreign server and load as a superuser). */
    bool scenario_sql = n == 0 && sc->sql_file_count > 0;
    const char *trust = getenv("SUPAMOCK_PG_TRUST_SQL");
    bool as_admin = trust && strcmp(trust, "1") == 0;
    for (size_t i = 0; scenario_sql && i < sc->sql_file_count && rc == 0; i++) {
        const char *path = sc->sql_files[i].path, *text = sc->sql_files[i].text;
        rc = as_admin ? pg_apply_admin_text(a, path, text, strlen(text), err)
                      : pg_apply_text(a, path, text, strlen(text), err);
    }
    if (rc == 0) {
        scenario_t view = *sc; /* shallow: only the two lists differ */
        scenario_table_t *tables = NULL;
        scenario_enum_t *enums = NULL;
        if (scenario_sql) {
            tables = xcalloc(sc->table_count ? sc->table_count : 1, sizeof *tables);
            enums = xcalloc(sc->enum_count ? sc->enum_count : 1, sizeof *enums);
            view.table_count = view.enum_count = 0;
            for (size_t i = 0; i < sc->table_count; i++)
                if (!pg_apply_relation_exists(a, sc->tables[i].schema, sc->tables[i].name))
                    tables[view.table_count++] = sc->tables[i];
            for (size_t i = 0; i < sc->enum_count; i++)
                if (!pg_apply_type_exists(a, sc->enums[i].name))
                    enums[view.enum_count++] = sc->enums[i];
            view.tables = tables;
            view.enums = enums;
        }
        pg_ddl_build(&view, &t->ddl);
        free(tables);
        free(enums);
        rc = run_phase(a, &t->ddl, PG_DDL_BEFORE, err);
    }
    pg_apply_close(a);
    if (rc == 0 && clock_sql[0]) {
        snprintf(clock_sql, sizeof clock_sql, "alter database \"%s\" reset supamock.now", t->db);
        if (pg_site_exec(site, NULL, clock_sql, msg, sizeof msg) < 0) {
            scenario_error_at(err, none, "resetting the scenario clock: %s", msg);
            rc = -1;
        }
    }
    if (rc < 0) {
        pg_template_free(t);
        return -1;
    }
    read_settings(t);
    t->build_ms = now_ms() - t0;
    *out = t;
    return 0;
}

void pg_template_free(pg_template_t *t)
{
    if (!t)
        return;
    pg_site_drop_db(t->site, t->db, NULL, 0);
    free(t->db);
    pg_ddl_dispose(&t->ddl);
    for (size_t i = 0; i < t->setting_count; i++) {
        free(t->setting_names[i]);
        free(t->setting_values[i]);
    }
    for (size_t i = 0; i < t->role_count; i++)
        free(t->roles[i]);
    free(t->roles);
    free(t->roles_bypass_rls);
    free(t);
}

double pg_template_build_ms(const pg_template_t *t)
{
    return t->build_ms;
}

const char *pg_template_setting(const pg_template_t *t, const char *name)
{
    for (size_t i = 0; i < t->setting_count; i++)
        if (strcmp(t->setting_names[i], name) == 0)
            return t->setting_values[i];
    return NULL;
}

size_t pg_template_role_count(const pg_template_t *t)
{
    return t->role_count;
}

const char *pg_template_role(const pg_template_t *t, size_t i, bool *bypass_rls)
{
    *bypass_rls = t->roles_bypass_rls[i];
    return t->roles[i];
}

int pg_database_clone(pg_template_t *t, const char *kind, pg_database_t **out, char *err,
                      size_t err_len)
{
    double t0 = now_ms();
    pg_database_t *db = xcalloc(1, sizeof *db);
    db->tpl = t;
    db->name = pg_site_db_name(t->site, kind);
    if (pg_site_create_db(t->site, db->name, t->db, err, err_len) < 0) {
        free(db->name);
        free(db);
        *out = NULL;
        return -1;
    }
    db->clone_ms = now_ms() - t0;
    *out = db;
    return 0;
}

int pg_database_finish(pg_database_t *db, scenario_error_t *err)
{
    if (pg_ddl_count(&db->tpl->ddl, PG_DDL_AFTER) == 0)
        return 0;
    char msg[1024];
    pg_apply_t *a = pg_apply_open(db->tpl->site, db->name, msg, sizeof msg);
    if (!a) {
        scenario_error_at(err, (scenario_pos_t){0}, "%s", msg);
        return -1;
    }
    int rc = run_phase(a, &db->tpl->ddl, PG_DDL_AFTER, err);
    pg_apply_close(a);
    return rc;
}

void pg_database_drop(pg_database_t *db)
{
    if (!db)
        return;
    pg_site_drop_db(db->tpl->site, db->name, NULL, 0);
    free(db->name);
    free(db);
}

int pg_database_set_seed(pg_database_t *db, uint64_t seed, char *err, size_t err_len)
{
    char sql[256];
    snprintf(sql, sizeof sql, "alter database \"%s\" set supamock.seed = '%llu'", db->name,
             (unsigned long long)seed);
    return pg_site_exec(db->tpl->site, NULL, sql, err, err_len);
}

const char *pg_database_name(const pg_database_t *db)
{
    return db->name;
}

char *pg_database_conninfo(const pg_database_t *db, const char *user)
{
    return pg_site_conninfo(db->tpl->site, db->name, user);
}

double pg_database_clone_ms(const pg_database_t *db)
{
    return db->clone_ms;
}
