/* Builds a served project from a scenario: enums, the auth.users table that
 * foreign keys point at, the scenario's tables and their seed rows (inserted
 * through the same store paths as API inserts), and the clock. Reports every
 * build failure at the scenario position it came from. */
#include "instance.h"

#include "config.h"
#include "engine.h"
#include "gotrue.h"
#include "gotrue_db.h"
#include "jwt.h"
#include "prng.h"
#include "rules.h"
#include "scenario.h"
#include "security.h"
#include "store.h"

#include "auth_users.h"
#include "clock.h"
#include "log.h"
#include "mem_view.h"
#include "sql_exec.h"
#include "sql_parse.h"
#include "caps.h"
#include "memory_engine.h"
#include "owner_insert.h"
#include "pg_auth.h"
#include "pg_engine.h"
#include "pg_load.h"
#include "pg_mock_sql.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct instance {
    const scenario_t *scenario;  /* borrowed; outlives the instance */
    const mock_config_t *config; /* borrowed */
    store_t *store;              /* owned */
    jwt_cache_t *jwt_cache;      /* owned */
    security_t *security;        /* owned */
    rules_t *rules;              /* owned */
    gotrue_t *gotrue;            /* owned */
    prng_t prng;                 /* the one PRNG: seeded from --seed at build (reset reseeds) */
    engine_t *engine;            /* owned; borrows store, security and scenario */
    mem_funcs_t *funcs;          /* owned: the memory engine's functions and triggers (NULL on
                                    the database engine); engine and gotrue borrow it */
    mem_views_t *views;          /* owned: the memory engine's views' plans (NULL on the database
                                    engine); their relations are the store's */
    pg_database_t *db;           /* owned: the database engine's working database, or NULL */
    auth_store_t *auth_store;    /* owned: GoTrue's connection to db (NULL on the memory engine);
                                    gotrue borrows it */
    pg_mock_db_t *admin_db;      /* owned: the admin API's connection to db, or NULL */
    bool clock_real;
    int64_t clock_us;        /* fixed clock value (scenario time) */
    int64_t clock_offset_us; /* real clock: what /__mock/clock added */
    int64_t last_reload_us;  /* scenario time of the build or the last schema_reload */
    uint64_t started_ms;     /* monotonic, for uptime */
    uint64_t requests;
    int64_t date_second; /* the second http_date was formatted for */
    char http_date[40];
};

static int resolve_clock(instance_t *inst, const scenario_t *sc, const mock_config_t *cfg,
                         scenario_error_t *err)
{
    inst->clock_real = sc->clock_real;
    inst->clock_us = sc->clock_start_us;
    if (!cfg || !cfg->clock)
        return 0;
    if (strcmp(cfg->clock, "real") == 0) {
        inst->clock_real = true;
        return 0;
    }
    /* --clock takes the same ISO 8601 forms as the scenario's "clock". */
    int64_t us = 0;
    if (scenario_parse_time(cfg->clock, &us) < 0) {
        scenario_pos_t none = {.file = "--clock", .line = 0, .col = 0};
        scenario_error_at(err, none,
                          "expected real or an ISO 8601 instant such as "
                          "2026-01-01T00:00:00Z, got \"%s\"",
                          cfg->clock);
        return -1;
    }
    inst->clock_real = false;
    inst->clock_us = us;
    return 0;
}

static int build_enums(instance_t *inst, const scenario_t *sc, scenario_error_t *err)
{
    for (size_t i = 0; i < sc->enum_count; i++) {
        const scenario_enum_t *e = &sc->enums[i];
        char *msg = NULL;
        if (store_add_enum(inst->store, e->name, (const char *const *)e->labels, e->label_count,
                           &msg) < 0) {
            scenario_error_at(err, e->pos, "%s", msg);
            free(msg);
            return -1;
        }
    }
    /* Domains over a type the store models (the SQL's loader kept only
     * those), for casts in statements' expressions. */
    for (size_t i = 0; i < sc->domain_count; i++) {
        pgtype_t base;
        char *msg = NULL;
        const pgtype_enum_t *e = store_find_enum(inst->store, sc->domain_types[i]);
        const pgtype_enum_t *const list[1] = {e};
        if (pgtype_parse(sc->domain_types[i], e ? list : NULL, e ? 1 : 0, &base, &msg) == 0)
            store_add_domain(inst->store, sc->domain_names[i], &base);
        free(msg);
    }
    return 0;
}

/* A partitioned table's bounds (CREATE TABLE ... PARTITION BY and its
 * PARTITION OF tables): the store routes its rows by them. */
static int build_partitions(instance_t *inst, store_table_t *t, const scenario_table_t *st,
                            scenario_error_t *err)
{
    size_t n = st->partition_count;
    store_partition_spec_t *specs = xcalloc(n ? n : 1, sizeof *specs);
    for (size_t i = 0; i < n; i++) {
        const scenario_partition_t *p = &st->partitions[i];
        specs[i] = (store_partition_spec_t){p->name, p->is_default, p->values, p->from, p->to};
    }
    char *msg = NULL;
    int rc = store_set_partitions(inst->store, t, strcmp(st->partition_strategy, "range") == 0,
                                  (const char *const *)st->partition_key, st->partition_key_count,
                                  specs, n, &msg);
    free(specs);
    if (rc < 0) {
        scenario_error_at(err, st->pos, "%s", msg);
        free(msg);
    }
    return rc;
}

static int build_tables(instance_t *inst, const scenario_t *sc, scenario_error_t *err)
{
    char *msg = NULL;
    int bad_col = -1;
    if (auth_users_create_table(inst->store, &msg) < 0) {
        scenario_pos_t none = {0};
        scenario_error_at(err, none, "internal auth.users table: %s", msg);
        free(msg);
        return -1;
    }
    store_set_search_path(inst->store, sc->ltree_schema,
                          sc->db_extra_search_path ? sc->db_extra_search_path
                                                   : "public, extensions");
    for (size_t i = 0; i < sc->table_count; i++) {
        const scenario_table_t *st = &sc->tables[i];
        if (st->view_sql)
            continue; /* mem_view.c, once the tables exist */
        store_column_spec_t *specs = xcalloc(st->column_count, sizeof *specs);
        for (size_t c = 0; c < st->column_count; c++) {
            const scenario_column_t *col = &st->columns[c];
            specs[c] = (store_column_spec_t){
                .name = col->name,
                .type = col->type,
                .nullable = col->nullable,
                .default_value = col->default_value,
                .primary_key = col->primary_key,
                .unique = col->unique,
                .identity = col->identity,
                .references = col->references,
                .on_delete = col->on_delete,
                .fk_name = col->fk_name,
                .in_schema_cache = col->in_schema_cache,
            };
        }
        bad_col = -1;
        store_table_t *t = store_add_table(inst->store, st->schema, st->name, specs,
                                           st->column_count, &msg, &bad_col);
        free(specs);
        if (!t) {
            scenario_pos_t pos = bad_col >= 0 ? st->columns[bad_col].pos : st->pos;
            scenario_error_at(err, pos, "%s", msg);
            free(msg);
            return -1;
        }
        store_table_set_in_schema_cache(t, st->in_schema_cache);
        if (st->partition_strategy && build_partitions(inst, t, st, err) < 0)
            return -1;
    }
    /* Foreign keys over several columns, once every table they name is in. */
    for (size_t i = 0; i < sc->table_count; i++) {
        const scenario_table_t *st = &sc->tables[i];
        store_table_t *t =
            st->view_sql ? NULL : store_find_table(inst->store, st->schema, st->name);
        for (size_t k = 0; t && k < st->fkey_count; k++) {
            const scenario_fkey_t *f = &st->fkeys[k];
            store_fkey_spec_t spec = {
                .name = f->name,
                .columns = (const char *const *)f->columns,
                .ref_schema = f->ref_schema,
                .ref_table = f->ref_table,
                .ref_columns = (const char *const *)f->ref_columns,
                .column_count = f->column_count,
                .on_delete = f->on_delete,
            };
            if (store_add_fkey(inst->store, t, &spec, &msg) < 0) {
                scenario_error_at(err, f->pos, "%s", msg);
                free(msg);
                return -1;
            }
        }
    }
    const store_table_t *bad_table = NULL;
    if (store_resolve_references(inst->store, &msg, &bad_table, &bad_col) < 0) {
        scenario_pos_t pos = {0};
        for (size_t i = 0; bad_table && i < sc->table_count; i++) {
            const scenario_table_t *st = &sc->tables[i];
            if (strcmp(st->schema, store_table_schema(bad_table)) == 0 &&
                strcmp(st->name, store_table_name(bad_table)) == 0)
                pos = bad_col >= 0 && (size_t)bad_col < st->column_count
                          ? st->columns[bad_col].references_pos
                          : st->pos;
        }
        scenario_error_at(err, pos, "%s", msg);
        free(msg);
        return -1;
    }
    return 0;
}

/* The scenario's views, once its tables exist (a view reads them). A view
 * the memory engine cannot analyse is left out; that is said once per
 * scenario, not once per session built from it. */
static int build_views(instance_t *inst, const scenario_t *sc)
{
    static const scenario_t *reported; /* the one event loop builds instances */
    inst->views = mem_views_new(sc, inst->store);
    const mem_view_problem_t *problems;
    size_t n = mem_views_problems(inst->views, &problems);
    for (size_t i = 0; reported != sc && i < n; i++) {
        const scenario_table_t *v = problems[i].view;
        log_msg(LOG_WARN,
                "%s:%d:%d: note: view %s.%s: not run by the memory engine (runs on --db "
                "postgres): %s",
                v->pos.file ? v->pos.file : "", v->pos.line, v->pos.col, v->schema, v->name,
                problems[i].message);
    }
    reported = sc;
    return 0;
}

/* The seed statements that are not constant rows (scenario_seed_stmt_t), in
 * file order, each in its own transaction, as the owner (no grants, no
 * row-level security; CHECK constraints hold). One the executor cannot run
 * is left out and said, once per scenario, as views are. */
static void run_seed_stmts(instance_t *inst, const scenario_t *sc)
{
    static const scenario_t *reported; /* the one event loop builds instances */
    for (size_t i = 0; i < sc->seed_stmt_count; i++) {
        const scenario_seed_stmt_t *st = &sc->seed_stmts[i];
        sql_script_t script;
        sql_error_t perr;
        memset(&script, 0, sizeof script);
        char why[700] = "";
        if (sql_parse_script(st->sql, &script, &perr) < 0) {
            snprintf(why, sizeof why, "%s", perr.message);
        } else if (script.count == 1) {
            store_env_t senv = {.now_us = instance_now_us(inst)};
            mock_work_t work;
            mock_work_init(&work,
                           mock_work_steps_for_timeout_ms(MOCK_STATEMENT_TIMEOUT_DEFAULT_MS));
            sql_exec_env_t env = {.store = inst->store,
                                  .sec = inst->security,
                                  .role = "postgres",
                                  .superuser = true,
                                  .store_env = &senv,
                                  .work = &work};
            sql_plan_t *plan = NULL;
            sql_result_t res;
            sql_exec_error_t e;
            sql_exec_error_init(&e);
            store_derived_release(inst->store);
            int rc = sql_exec_prepare_in(inst->store, script.stmts[0].node, st->sql, NULL,
                                         (const char *const *)st->search_path, st->search_path_len,
                                         &plan, &e);
            if (rc == 0) {
                store_begin(inst->store);
                rc = sql_exec_run(plan, &env, &res, &e);
                if (rc == 0) {
                    store_commit(inst->store);
                    sql_result_dispose(&res);
                } else {
                    store_rollback(inst->store);
                }
            }
            if (rc < 0)
                snprintf(why, sizeof why, "%s (%s)", e.e.message ? e.e.message : "", e.e.code);
            sql_exec_error_dispose(&e);
            sql_plan_free(plan);
        }
        if (why[0] && reported != sc)
            log_msg(LOG_WARN,
                    "%s:%d:%d: note: a seed statement not run by the memory engine (runs on "
                    "--db postgres): %s",
                    st->pos.file ? st->pos.file : "", st->pos.line, st->pos.col, why);
        if (script.tree)
            sql_script_dispose(&script);
    }
    reported = sc;
}

static void format_pg_error(const pgrst_error_t *perr, char *out, size_t n)
{
    if (perr->details)
        snprintf(out, n, "%s (%s): %s", perr->message, perr->code, perr->details);
    else
        snprintf(out, n, "%s (%s)", perr->message, perr->code);
}

static int seed_rows(instance_t *inst, const scenario_t *sc, scenario_error_t *err)
{
    store_env_t env = {.now_us = instance_now_us(inst), .auth_uid = NULL};
    pgrst_error_t perr;
    pgrst_error_init(&perr);
    char text[700];
    const char *bad_key = NULL;
    store_begin(inst->store);
    for (size_t i = 0; i < sc->user_count; i++) {
        const scenario_user_t *u = &sc->users[i];
        if (auth_users_insert(inst->store, NULL, u->id, u->email, u->phone, u->role,
                              u->user_metadata, u->app_metadata, &env, &perr, &bad_key) < 0) {
            format_pg_error(&perr, text, sizeof text);
            scenario_error_at(err, u->pos, "auth user: %s", text);
            goto fail;
        }
    }
    for (size_t i = 0; i < sc->table_count; i++) {
        const scenario_table_t *st = &sc->tables[i];
        if (st->view_sql)
            continue;
        store_table_t *t = store_find_table(inst->store, st->schema, st->name);
        MOCK_ASSERT(t);
        size_t r = 0;
        const cJSON *row;
        cJSON_ArrayForEach(row, st->rows)
        {
            bad_key = NULL;
            if (!cJSON_IsObject(row)) {
                scenario_error_at(err, st->row_pos[r], "a seed row must be a JSON object");
                goto fail;
            }
            if (owner_insert_json(inst->store, NULL, t, row, &env, &perr, &bad_key) < 0) {
                format_pg_error(&perr, text, sizeof text);
                scenario_error_at(err, st->row_pos[r], "seed row %zu of %s.%s: %s", r + 1,
                                  st->schema, st->name, text);
                goto fail;
            }
            r++;
        }
    }
    /* Foreign keys are checked once every seed row is in, so rows may
     * reference rows seeded later in the file. */
    if (store_end_statement(inst->store, &env, &perr) < 0) {
        format_pg_error(&perr, text, sizeof text);
        scenario_pos_t pos = sc->table_count ? sc->tables[0].pos : (scenario_pos_t){0};
        scenario_error_at(err, pos, "seed rows: %s", text);
        goto fail;
    }
    store_commit(inst->store);
    pgrst_error_dispose(&perr);
    return 0;
fail:
    store_rollback(inst->store);
    pgrst_error_dispose(&perr);
    return -1;
}

/* Pool size of one instance's engine: PostgREST's db-pool is 10; sessions
 * multiply it, and the cluster allows 50 connections. */
#define INSTANCE_PG_POOL 4

/* The database engine: clone, engine (its cache loaded now), then the
 * objects its cache must not have seen. */
static int build_db_engine(instance_t *inst, const scenario_t *sc, const instance_db_t *db,
                           scenario_error_t *err)
{
    char msg[1024];
    scenario_pos_t none = {0};
    if (pg_database_clone(db->tpl, "work", &inst->db, msg, sizeof msg) < 0) {
        scenario_error_at(err, none, "database engine: %s", msg);
        return -1;
    }
    /* supamock.gen_random_uuid() follows --seed (baseline.sql). */
    if (pg_database_set_seed(inst->db, inst->config ? inst->config->seed : 1, msg, sizeof msg) <
        0) {
        scenario_error_at(err, none, "database engine: %s", msg);
        return -1;
    }
    char *conninfo = pg_database_conninfo(inst->db, "authenticator");
    char *owner = pg_database_conninfo(inst->db, "postgres");
    pg_engine_options_t opt = {
        .loop = db->loop,
        .conninfo = conninfo,
        .owner_conninfo = owner,
        .schemas = (const char *const *)sc->db_schemas,
        .schema_count = sc->db_schema_count,
        .extra_search_path = db->extra_search_path ? db->extra_search_path : "public, extensions",
        .pool_size = INSTANCE_PG_POOL,
        .statement_timeout_ms = 0,
        .postgrest_version = sc->postgrest_version,
        .db_max_rows = sc->db_max_rows > 0 ? sc->db_max_rows : 0,
        /* In-database configuration only: Supabase exposes no file setting. */
        .pre_request = pg_template_setting(db->tpl, "db_pre_request"),
    };
    inst->engine = pg_engine_new(&opt, msg, sizeof msg);
    if (inst->engine)
        inst->admin_db = pg_mock_db_new(db->loop, owner, msg, sizeof msg);
    free(conninfo);
    free(owner);
    if (!inst->engine || !inst->admin_db) {
        scenario_error_at(err, none, "database engine: %s", msg);
        return -1;
    }
    if (pg_database_finish(inst->db, err) < 0)
        return -1;
    /* GoTrue's users live in auth.users: those the load left there are
     * GoTrue's from the start, and its writes go back through its own
     * connection as supabase_auth_admin (gotrue_db.h). */
    char *auth_conninfo = pg_database_conninfo(inst->db, "supabase_auth_admin");
    inst->auth_store = pg_auth_store_new(db->loop, auth_conninfo, msg, sizeof msg);
    free(auth_conninfo);
    if (!inst->auth_store ||
        gotrue_db_attach(inst->gotrue, inst->auth_store, msg, sizeof msg) < 0) {
        scenario_error_at(err, none, "database engine: auth.users: %s", msg);
        return -1;
    }
    return 0;
}

int instance_new(const scenario_t *sc, const mock_config_t *cfg, instance_t **out,
                 scenario_error_t *err)
{
    return instance_new_db(sc, cfg, NULL, out, err);
}

int instance_new_db(const scenario_t *sc, const mock_config_t *cfg, const instance_db_t *db,
                    instance_t **out, scenario_error_t *err)
{
    instance_t *inst = xcalloc(1, sizeof *inst);
    inst->scenario = sc;
    inst->config = cfg;
    inst->started_ms = clock_monotonic_ms();
    prng_seed(&inst->prng, cfg ? cfg->seed : 1);
    inst->store = store_new(&inst->prng);
    inst->jwt_cache = jwt_cache_new();
    bool memory = !(db && db->tpl);
    if (resolve_clock(inst, sc, cfg, err) < 0 || build_enums(inst, sc, err) < 0 ||
        build_tables(inst, sc, err) < 0 || seed_rows(inst, sc, err) < 0 ||
        (memory && build_views(inst, sc) < 0) ||
        security_new(sc, inst->store, &inst->security, err) < 0 ||
        rules_new(sc, &inst->rules, err) < 0 ||
        gotrue_new(sc, inst->store, &inst->prng, &inst->gotrue, err) < 0) {
        instance_free(inst);
        return -1;
    }
    if (memory)
        run_seed_stmts(inst, sc);
    inst->last_reload_us = instance_now_us(inst);
    if (memory) {
        mem_views_set_security(inst->views, inst->security);
        /* The memory engine runs the scenario's functions and triggers;
         * GoTrue's inserts into auth.users fire them from the first user on. */
        inst->funcs = mem_funcs_new(sc, inst->store, inst->security);
        gotrue_set_functions(inst->gotrue, inst->funcs);
    }
    /* Scenario users are created "now" on the scenario clock, with IDs from the seed. */
    gotrue_start(inst->gotrue, instance_now_us(inst));
    gotrue_set_security(inst->gotrue, inst->security);
    if (db && db->tpl) {
        if (build_db_engine(inst, sc, db, err) < 0) {
            instance_free(inst);
            return -1;
        }
    } else {
        inst->engine = memory_engine_new(inst->store, inst->security, sc, inst->funcs, inst->views);
    }
    *out = inst;
    return 0;
}

pg_mock_db_t *instance_admin_db(const instance_t *inst)
{
    return inst->admin_db;
}

void instance_free(instance_t *inst)
{
    if (!inst)
        return;
    /* Admin jobs still running answer with an error before the database goes. */
    pg_mock_db_free(inst->admin_db);
    engine_free(inst->engine); /* borrows the models below, and the database */
    gotrue_free(inst->gotrue);
    mem_funcs_free(inst->funcs); /* borrows the store and the security model */
    mem_views_free(inst->views); /* its plans borrow the store's tables */
    if (inst->auth_store)
        inst->auth_store->ops->free(inst->auth_store);
    pg_database_drop(inst->db);
    rules_free(inst->rules);
    security_free(inst->security); /* its expressions borrow the store's tables */
    store_free(inst->store);
    jwt_cache_free(inst->jwt_cache);
    free(inst);
}

const scenario_t *instance_scenario(const instance_t *inst)
{
    return inst->scenario;
}

const mock_config_t *instance_config(const instance_t *inst)
{
    return inst->config;
}

jwt_cache_t *instance_jwt_cache(instance_t *inst)
{
    return inst->jwt_cache;
}

store_t *instance_store(instance_t *inst)
{
    return inst->store;
}

prng_t *instance_prng(instance_t *inst)
{
    return &inst->prng;
}

engine_t *instance_engine(instance_t *inst)
{
    return inst->engine;
}

int64_t instance_now_us(const instance_t *inst)
{
    return inst->clock_real ? clock_real_now_us() + inst->clock_offset_us : inst->clock_us;
}

const char *instance_http_date(instance_t *inst)
{
    int64_t now = instance_now_us(inst);
    int64_t second = now / 1000000 - (now % 1000000 < 0);
    if (second != inst->date_second || !inst->http_date[0]) {
        clock_format_http_date(now, inst->http_date, sizeof inst->http_date);
        inst->date_second = second;
    }
    return inst->http_date;
}

uint64_t instance_request_count(const instance_t *inst)
{
    return inst->requests;
}

void instance_count_request(instance_t *inst)
{
    inst->requests++;
}

uint64_t instance_uptime_ms(const instance_t *inst)
{
    return clock_monotonic_ms() - inst->started_ms;
}

security_t *instance_security(instance_t *inst)
{
    return inst->security;
}

rules_t *instance_rules(instance_t *inst)
{
    return inst->rules;
}

gotrue_t *instance_gotrue(instance_t *inst)
{
    return inst->gotrue;
}

void instance_clock_advance(instance_t *inst, int64_t ms)
{
    if (inst->clock_real)
        inst->clock_offset_us += ms * 1000;
    else
        inst->clock_us += ms * 1000;
}

void instance_clock_set(instance_t *inst, int64_t us)
{
    if (inst->clock_real)
        inst->clock_offset_us = us - clock_real_now_us();
    else
        inst->clock_us = us;
}

void instance_schema_reload(instance_t *inst)
{
    inst->engine->ops->reload(inst->engine);
    inst->last_reload_us = instance_now_us(inst);
    rules_on_event(inst->rules, "schema_reload");
}

void instance_tick(instance_t *inst)
{
    const scenario_t *sc = inst->scenario;
    if (!sc->auto_reload)
        return;
    if (instance_now_us(inst) - inst->last_reload_us >= sc->auto_reload_after_ms * 1000)
        instance_schema_reload(inst);
}
