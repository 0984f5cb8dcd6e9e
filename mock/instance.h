/* One running mock: the model built from a scenario (store, clock, PRNG,
 * counters) plus the settings it serves with. All mutable state of a served
 * project hangs off this value; reset means building a new one. */
#ifndef MOCK_INSTANCE_H
#define MOCK_INSTANCE_H

#include <stdint.h>

/* The models an instance owns, declared here and defined in their wings:
 * callers of this header include the wings they use themselves. (C11 allows
 * a typedef to be repeated.) */
typedef struct mock_config mock_config_t;
typedef struct scenario scenario_t;
typedef struct scenario_error scenario_error_t;
typedef struct store store_t;
typedef struct security security_t;
typedef struct rules rules_t;
typedef struct gotrue gotrue_t;
typedef struct jwt_cache jwt_cache_t;
typedef struct engine engine_t;
typedef struct prng prng_t;

typedef struct instance instance_t;
typedef struct pg_template pg_template_t;
typedef struct pg_mock_db pg_mock_db_t;

/* What an instance on the database engine is built from (NULL: the memory
 * engine). Borrowed for the call; the template must outlive the instance. */
typedef struct instance_db {
    pg_template_t *tpl;            /* the scenario's template database (pg_load.h) */
    const char *extra_search_path; /* db-extra-search-path: "public, extensions" */
    struct uv_loop_s *loop;        /* the server's loop (NULL: statements block) */
} instance_db_t;

/* Builds tables, enums and seed rows from `sc` (which must outlive the instance).
 * Seed rows get defaults, sequences and constraint checks exactly as inserts do;
 * a violation fails with err positioned at the offending row or column.
 * Returns 0 or -1. */
int instance_new(const scenario_t *sc, const mock_config_t *cfg, instance_t **out,
                 scenario_error_t *err);
/* instance_new on the database engine when db is not NULL: a working
 * database cloned from db->tpl, the engine on it (its schema cache loaded),
 * then what the scenario marks in_schema_cache:false. The memory models
 * (GoTrue's users, rules, the clock) are built as instance_new builds them. */
int instance_new_db(const scenario_t *sc, const mock_config_t *cfg, const instance_db_t *db,
                    instance_t **out, scenario_error_t *err);
void instance_free(instance_t *inst); /* NULL is a no-op */

/* The admin API's connection to the instance's database as its owner
 * (`postgres`), for /__mock/sql and /__mock/tables; NULL on the memory
 * engine. Owned by the instance. */
pg_mock_db_t *instance_admin_db(const instance_t *inst);

const scenario_t *instance_scenario(const instance_t *inst);
const mock_config_t *instance_config(const instance_t *inst);
store_t *instance_store(instance_t *inst);
/* The instance's one PRNG (UUIDs, tokens, fault bytes). */
prng_t *instance_prng(instance_t *inst);
/* The data plane /rest/v1 reaches the data through (engine.h). */
engine_t *instance_engine(instance_t *inst);
/* The scenario clock: microseconds since 2000-01-01 00:00:00 UTC. */
int64_t instance_now_us(const instance_t *inst);
/* The instance's cache of verified JWTs. */
jwt_cache_t *instance_jwt_cache(instance_t *inst);
/* The Date header value for the scenario clock's current second; the string
 * is the instance's and changes when the second does. */
const char *instance_http_date(instance_t *inst);
/* Requests answered since start (for /__mock/health). */
uint64_t instance_request_count(const instance_t *inst);
void instance_count_request(instance_t *inst);
/* Milliseconds since the instance was built (real time). */
uint64_t instance_uptime_ms(const instance_t *inst);

/* The instance's models; owned by it. */
security_t *instance_security(instance_t *inst);
rules_t *instance_rules(instance_t *inst);
gotrue_t *instance_gotrue(instance_t *inst);

/* /__mock/clock: moves the scenario clock. A fixed clock moves only through
 * these; a real clock keeps running from the new point. */
void instance_clock_advance(instance_t *inst, int64_t ms);
void instance_clock_set(instance_t *inst, int64_t us);

/* The schema_reload event: PostgREST reloads its schema cache, so tables and
 * columns with in_schema_cache false come into it; rules waiting for the event
 * expire; the auto-reload timer starts again. */
void instance_schema_reload(instance_t *inst);
/* Called before each request: fires schema_reload when the scenario's
 * schema_cache.auto_reload_after_ms of scenario time has passed since the
 * instance was built or last reloaded. */
void instance_tick(instance_t *inst);

#endif
