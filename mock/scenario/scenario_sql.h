/* A scenario's schema given as SQL ("sql": [files]) read into the same
 * description JSON tables give: Postgres's parser (sql/sql_parse.h) reads the
 * files; the statements the memory engine models become tables, columns,
 * enums, policies, grants and rows; every other statement is kept as a
 * notice (file:line, the construct, "runs on --db postgres") and the load
 * goes on without it, never silently.
 *
 * Internal to the scenario wing: scenario.c calls it while loading, before
 * the JSON "tables" are merged, so JSON can add to or override what the SQL
 * made. */
#ifndef MOCK_SCENARIO_SQL_H
#define MOCK_SCENARIO_SQL_H

#include "scenario.h"

/* What the loader lends the translator (scenario.c's own checks). */
typedef struct scenario_sql_host {
    scenario_t *s;
    /* NULL when the type (as a JSON column would name it) is one the
     * scenario models, else why not. */
    const char *(*type_problem)(const scenario_t *s, const char *type, char *buf, size_t len);
    scenario_table_t *(*find_table)(const scenario_t *s, const char *schema, const char *name);
    /* A new, zeroed table at the end of s->tables (owning schema and name). */
    scenario_table_t *(*add_table)(scenario_t *s, char *schema, char *name);
    /* SET search_path, carried from file to file as one psql session would:
     * where unqualified names are created and looked up. Owned strings;
     * empty means "public". Released by scenario_sql_host_dispose. */
    char *search_path[8];
    size_t search_path_len;
    /* CREATE DOMAIN over a modelled type: the domain's name and its base
     * type's text (domain_types[i] names no domain). Owned; released by
     * scenario_sql_host_dispose. */
    char **domain_names;
    char **domain_types;
    size_t domain_count;
} scenario_sql_host_t;

/* Releases the search path and the domains. */
void scenario_sql_host_dispose(scenario_sql_host_t *h);

/* Applies one file's statements. `file` is borrowed from s->files. Returns 0,
 * or -1 with err (a syntax error, with Postgres's message and position). */
int scenario_sql_apply(scenario_sql_host_t *h, const char *file, const char *text,
                       scenario_error_t *err);

/* Releases a function's / trigger's / cast's strings (scenario_free). */
void scenario_function_dispose(scenario_function_t *f);
void scenario_cast_dispose(scenario_cast_t *c);

/* The domain (CREATE DOMAIN so far) a TypeName names, borrowed from h; NULL
 * when it names none (or an array of one). */
const char *scenario_sql_domain(const scenario_sql_host_t *h, const cJSON *tn);
void scenario_trigger_dispose(scenario_trigger_t *t);

/* Adds a notice at a position (owned copies). */
void scenario_notice_add(scenario_t *s, scenario_pos_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
