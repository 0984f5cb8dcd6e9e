/* Functions, triggers and EXECUTE grants read from a scenario's SQL into
 * the scenario model. Internal to the scenario wing: scenario_sql.c hands
 * each CreateFunctionStmt, CreateTrigStmt, DropStmt and GrantStmt ON
 * FUNCTION here with what it knows of the file (the host, the statement,
 * how it names types and where it reports). */
#ifndef MOCK_SCENARIO_FUNC_H
#define MOCK_SCENARIO_FUNC_H

#include "scenario_sql.h"
#include "sql_parse.h"

#include <stdbool.h>

typedef struct scenario_func_src scenario_func_src_t;
struct scenario_func_src {
    scenario_sql_host_t *h;
    const char *file;
    const char *text; /* the whole file */
    const sql_stmt_t *stmt;
    void *ctx; /* scenario_sql.c's own */
    /* A TypeName's text as a scenario column names it (no check that the
     * memory engine models it: "void", "trigger", "json" are fine here);
     * owned, or NULL with why. */
    char *(*type_name)(const scenario_func_src_t *src, const cJSON *tn, char *why, size_t why_len);
    scenario_pos_t (*pos)(const scenario_func_src_t *src, size_t offset);
    /* "<what>: not run by the memory engine (runs on --db postgres)" at offset. */
    void (*notice_at)(const scenario_func_src_t *src, size_t offset, const char *what);
    void (*notice_statement)(const scenario_func_src_t *src);
};

void scenario_func_create(const scenario_func_src_t *src, const cJSON *fs);
void scenario_trigger_create(const scenario_func_src_t *src, const cJSON *ts);
void scenario_func_grant(const scenario_func_src_t *src, const cJSON *gs);
/* CREATE CAST ... WITH FUNCTION f(args) into s->casts (scenario_cast_t);
 * other forms, or a function the scenario does not have, are noticed. */
void scenario_cast_create(const scenario_func_src_t *src, const cJSON *cs);
/* DROP FUNCTION / DROP TRIGGER; false when ds drops something else. */
bool scenario_func_drop(const scenario_func_src_t *src, const cJSON *ds);

#endif
