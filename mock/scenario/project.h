/* Supabase project folders (--project DIR): what `supabase db reset` reads.
 * DIR is the project (holding supabase/) or its supabase/ folder itself.
 *
 * - supabase/config.toml (optional; toml.h): [api] schemas,
 *   extra_search_path, max_rows; [auth] jwt_expiry, enable_signup;
 *   [auth.email] enable_confirmations; [db] major_version (noted: the
 *   database engine is PostgreSQL 15 whatever it says); [db.seed] enabled
 *   and sql_paths (globs relative to supabase/, default ./seed.sql). Other
 *   keys are the CLI's and are ignored; a file that is not TOML is an error
 *   at its line and column, and a known key of the wrong type is an error.
 * - supabase/migrations/NAME.sql, in filename order (byte order, as the CLI
 *   sorts them), then the seed files.
 * - supamock.json in DIR (or in supabase/): a scenario for rules and
 *   overrides; what it sets explicitly wins over config.toml.
 *
 * Reading a project runs no SQL: the database engine applies the files
 * (engine/postgres/pg_load.h). */
#ifndef MOCK_PROJECT_H
#define MOCK_PROJECT_H

#include "scenario.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Migrations and seed files a project may hold. */
#define PROJECT_MAX_SQL_FILES 4096

typedef struct project {
    char *dir;        /* the supabase/ folder */
    char **sql_files; /* migrations in order, then seed files: paths */
    size_t sql_file_count;
    size_t migration_count; /* the first migration_count of sql_files */
    char *name;             /* config.toml's project_id, else the folder's name */
    char *supamock_json;    /* path, NULL when absent */
    /* config.toml; has_* false when the file does not say. */
    char **schemas;
    size_t schema_count;
    bool has_schemas;
    char *extra_search_path; /* "public, extensions" (the CLI's default) */
    int64_t max_rows;
    bool has_max_rows;
    int64_t jwt_expiry;
    bool has_jwt_expiry;
    bool enable_signup;
    bool has_enable_signup;
    bool enable_confirmations;
    bool has_enable_confirmations;
    int64_t major_version; /* 0 when not given */
} project_t;

/* Reads the folder. Returns 0 with *out (project_free), or -1 with err at
 * the file (and line and column) that is wrong. */
int project_load(const char *dir, project_t **out, scenario_error_t *err);
void project_free(project_t *p); /* NULL is a no-op */

/* The scenario a project serves: supamock.json when there is one, else a
 * scenario with the defaults and no tables; config.toml's settings applied
 * where supamock.json does not set them. Returns 0 with *out, or -1.
 *
 * For the memory engine (`memory`), the scenario also reads the project's
 * migrations and seed files as its "sql" (scenario_sql.h: what the memory
 * engine models is built, every other statement is a notice), unless
 * supamock.json names its own "sql". */
int project_scenario(const project_t *p, bool memory, scenario_t **out, scenario_error_t *err);

#endif
