/* Scenario files (scenarios/scenario.schema.json): JSON with line and block comments, "extends",
 * defaults, and strict validation. Unknown keys and bad values are rejected with
 * FILE:LINE:COL. The result is a plain description; building tables and rows from
 * it (and reporting their errors at the positions recorded here) is instance.c's. */
#ifndef MOCK_SCENARIO_H
#define MOCK_SCENARIO_H

#include <cjson/cJSON.h>
#include "caps.h"
#include "signing_key.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 1-based line and column of a value in its source file; 0/0 when synthesised. */
typedef struct scenario_pos {
    const char *file; /* borrowed from the scenario's file list */
    int line;
    int col;
} scenario_pos_t;

typedef struct scenario_error {
    char file[512];
    int line;
    int col;
    char message[512];
} scenario_error_t;

typedef enum scenario_gateway {
    SCENARIO_GATEWAY_HOSTED,
    SCENARIO_GATEWAY_SELF_HOSTED,
    SCENARIO_GATEWAY_CLI,
} scenario_gateway_t;

typedef enum scenario_tx_end {
    SCENARIO_TX_COMMIT,
    SCENARIO_TX_COMMIT_ALLOW_OVERRIDE,
    SCENARIO_TX_ROLLBACK,
    SCENARIO_TX_ROLLBACK_ALLOW_OVERRIDE,
} scenario_tx_end_t;

typedef struct scenario_column {
    char *name;
    char *type;
    bool nullable;        /* default true */
    cJSON *default_value; /* owned; NULL when absent */
    bool primary_key;
    unsigned pk_position; /* 1 + its place in a composite PRIMARY KEY (a, b) of SQL, else 0 */
    bool unique;
    char *identity;          /* NULL, "always", "by default" */
    char *references;        /* NULL or "table(col)" / "schema.table(col)" */
    char *on_delete;         /* NULL (no action) or "cascade", "set null", "restrict",
                                "no action": the foreign key's ON DELETE action */
    char *fk_name;           /* NULL ({table}_{col}_fkey) or the foreign key's constraint
                                name (PostgREST's embed hints name it) */
    char *check;             /* NULL or a policy expression */
    bool check_from_sql;     /* came from the scenario's SQL: skipped with a warning when
                                the memory engine cannot evaluate it */
    bool in_schema_cache;    /* default true */
    char *domain;            /* the SQL's CREATE DOMAIN the column's type names (`type` is its
                                base type), NULL when none: data representations need it */
    scenario_pos_t pos;      /* the column object */
    scenario_pos_t type_pos; /* its "type" value */
    scenario_pos_t default_pos;
    scenario_pos_t references_pos;
    scenario_pos_t on_delete_pos;
    scenario_pos_t check_pos; /* its "check" value */
} scenario_column_t;

typedef struct scenario_policy {
    char *name;
    char *command; /* select|insert|update|delete|all (default all) */
    char **roles;  /* NULL/0: PUBLIC */
    size_t role_count;
    bool permissive;  /* default true */
    char *using_expr; /* NULL when absent */
    char *with_check; /* NULL when absent */
    bool from_sql;    /* CREATE POLICY in the scenario's SQL (see check_from_sql) */
    scenario_pos_t pos;
    scenario_pos_t using_pos;
    scenario_pos_t with_check_pos;
} scenario_policy_t;

typedef struct scenario_grant {
    char *role;
    unsigned privileges; /* SCENARIO_PRIV_* bits */
} scenario_grant_t;

enum {
    SCENARIO_PRIV_SELECT = 1u << 0,
    SCENARIO_PRIV_INSERT = 1u << 1,
    SCENARIO_PRIV_UPDATE = 1u << 2,
    SCENARIO_PRIV_DELETE = 1u << 3,
    SCENARIO_PRIV_ALL = 0xfu,
};

/* A foreign key over several columns (FOREIGN KEY (a, b) REFERENCES t (x, y)
 * in the scenario's SQL); one-column keys live on their column. */
typedef struct scenario_fkey {
    char *name;     /* the constraint's name; NULL: {table}_{first col}_fkey */
    char **columns; /* the referencing columns, in the constraint's order */
    char *ref_schema;
    char *ref_table;
    char **ref_columns; /* as many as columns */
    size_t column_count;
    char *on_delete; /* as scenario_column_t's */
    scenario_pos_t pos;
} scenario_fkey_t;

/* A partition of a partitioned table (CREATE TABLE ... PARTITION OF). The
 * parent holds the rows (a read of it sees every partition's); a partition
 * is its bound, which routes rows: one the bounds send nowhere is refused.
 * Bound values are JSON constants as the SQL wrote them (a string, a
 * number), null for NULL; in a range bound false stands for MINVALUE and
 * true for MAXVALUE. */
typedef struct scenario_partition {
    char *schema, *name;
    bool is_default;
    cJSON *values;    /* FOR VALUES IN (...): an array; NULL otherwise */
    cJSON *from, *to; /* FOR VALUES FROM (...) TO (...): one per key column */
    scenario_pos_t pos;
} scenario_partition_t;

typedef struct scenario_table {
    char *schema; /* "public" unless the key was "schema.name" */
    char *name;
    scenario_column_t *columns;
    size_t column_count;
    bool rls;
    bool has_grants; /* false: Supabase's legacy default grants apply */
    /* Made by the scenario's SQL (CREATE TABLE/VIEW): without GRANTs it has
     * what Postgres gives, Supabase's default privileges in public only;
     * a JSON table without "grants" has them in any schema. */
    bool from_sql;
    scenario_grant_t *grants;
    size_t grant_count;
    scenario_policy_t *policies;
    size_t policy_count;
    scenario_fkey_t *fkeys; /* multi-column foreign keys, in declaration order */
    size_t fkey_count;
    bool in_schema_cache; /* default true */
    /* PARTITION BY LIST / RANGE (key columns): "list" or "range", NULL for
     * a table that is not partitioned; its partitions in creation order. */
    char *partition_strategy;
    char **partition_key;
    size_t partition_key_count;
    scenario_partition_t *partitions;
    size_t partition_count;
    cJSON *rows;             /* owned array of objects; NULL when absent */
    scenario_pos_t *row_pos; /* one per row */
    scenario_pos_t pos;
    /* A view (CREATE [OR REPLACE] VIEW, CREATE MATERIALIZED VIEW): the whole
     * statement's text, owned, which the memory engine reads its query from
     * when it builds the store (mem_view.c); NULL for a table. A view has no
     * columns here: Postgres derives them from the query. The search path it
     * was created under names its query's unqualified tables, as Postgres
     * binds them at CREATE VIEW. */
    char *view_sql;
    /* CREATE OR REPLACE VIEW: the definition it replaced (owned; NULL when
     * none), which the new query may read, as Postgres binds it to the view
     * that exists while CREATE OR REPLACE runs. */
    char *view_prior_sql;
    char **view_search_path; /* owned */
    size_t view_search_path_len;
    bool view_materialized;
    bool view_security_invoker; /* WITH (security_invoker): read as the caller */
    char view_check_option;     /* WITH [LOCAL|CASCADED] CHECK OPTION: 'l', 'c'; 0: none */
} scenario_table_t;

typedef struct scenario_user {
    char *id;
    char *email;
    char *phone;          /* NULL when absent */
    char *password;       /* NULL when absent (the user cannot sign in with a password) */
    cJSON *user_metadata; /* owned object; never NULL ({} by default) */
    cJSON *app_metadata;  /* owned object; never NULL */
    bool email_confirmed; /* default true */
    char *role;           /* default "authenticated" */
    scenario_pos_t pos;
} scenario_user_t;

typedef struct scenario_enum {
    char *name;
    char **labels;
    size_t label_count;
    scenario_pos_t pos;
} scenario_enum_t;

typedef struct scenario_role {
    char *name;
    bool bypass_rls;
} scenario_role_t;

/* A function from the scenario's SQL (CREATE [OR REPLACE] FUNCTION), as the
 * catalog needs it; what the body means is the engine's (it re-reads
 * `source`, the whole statement, with Postgres's parser). Types are the text
 * a scenario column would name them with ("integer", "text[]", "items"). */
typedef enum scenario_arg_mode {
    SCENARIO_ARG_IN,
    SCENARIO_ARG_OUT,
    SCENARIO_ARG_INOUT,
    SCENARIO_ARG_VARIADIC,
    SCENARIO_ARG_TABLE, /* a RETURNS TABLE (...) column */
} scenario_arg_mode_t;

typedef struct scenario_func_param {
    char *name; /* "" when unnamed */
    char *type;
    scenario_arg_mode_t mode;
    bool has_default;
    char *domain; /* as scenario_column_t's: the domain `type` stands for, or NULL */
} scenario_func_param_t;

typedef struct scenario_function {
    char *schema;
    char *name;
    scenario_func_param_t *params; /* in declaration order, every mode */
    size_t param_count;
    char *return_type; /* "integer", "items", "void", "trigger"; "record" for TABLE/OUT */
    bool returns_set;
    char *language;     /* "sql", "plpgsql", ... as written, lower case */
    char *source;       /* the CREATE FUNCTION statement's text */
    size_t body_offset; /* where `source` starts in its file (positions of the body) */
    char volatility;    /* 'v', 's', 'i' */
    bool security_definer;
    bool strict;
    char **settings; /* SET name = value pairs */
    size_t setting_count;
    /* EXECUTE: PUBLIC's grant (Postgres's default) and the roles granted
     * explicitly (Supabase's default privileges in public: anon,
     * authenticated, service_role). */
    bool public_execute;
    char **execute_roles;
    size_t execute_role_count;
    scenario_pos_t pos;
} scenario_function_t;

/* CREATE CAST (source AS target) WITH FUNCTION f(arg): what PostgREST's
 * schema cache reads of pg_cast for data representations (SchemaCache.hs
 * dataRepresentations). A type is its name as the SQL's last part wrote it
 * ("color", "json", "text") and whether that names a CREATE DOMAIN's domain.
 * The function is the scenario's, resolved when the cast was created (as
 * Postgres requires it to exist): its schema, name and input types. Casts
 * WITHOUT FUNCTION or WITH INOUT are noticed and left out. */
typedef struct scenario_cast {
    char *source, *target;
    bool source_domain, target_domain;
    char context; /* 'i' AS IMPLICIT, 'a' AS ASSIGNMENT, 'e' explicit */
    char *func_schema, *func_name;
    char **func_arg_types;   /* the function's input types, as scenario_func_param_t's */
    char **func_arg_domains; /* each NULL or a domain */
    size_t func_arg_count;
    scenario_pos_t pos;
} scenario_cast_t;

/* CREATE TRIGGER ... FOR EACH ROW on a table (statement triggers are
 * noticed and left out). */
enum {
    SCENARIO_TRIGGER_INSERT = 1u << 0,
    SCENARIO_TRIGGER_UPDATE = 1u << 1,
    SCENARIO_TRIGGER_DELETE = 1u << 2,
};

typedef struct scenario_trigger {
    char *name;
    char *table_schema;
    char *table_name;
    bool before;       /* else AFTER */
    unsigned events;   /* SCENARIO_TRIGGER_* */
    char *func_schema; /* NULL: by the search path */
    char *func_name;
    char *source; /* the CREATE TRIGGER statement (its WHEN clause is re-read from it) */
    scenario_pos_t pos;
} scenario_trigger_t;

/* Something the load understood but does not model on the memory engine (a
 * statement of the scenario's SQL it skipped): said at load and by validate. */
typedef struct scenario_notice {
    scenario_pos_t pos;
    char *message; /* owned */
} scenario_notice_t;

/* One file of the scenario's "sql", as read (the database engine runs it). */
typedef struct scenario_sql_file {
    const char *path; /* borrowed from files */
    char *text;       /* owned, NUL-terminated */
} scenario_sql_file_t;

/* PostgREST's openapi-mode: what GET /rest/v1/ answers. */
typedef enum scenario_openapi_mode {
    SCENARIO_OPENAPI_FOLLOW_PRIVILEGES, /* the default: what the role may use */
    SCENARIO_OPENAPI_IGNORE_PRIVILEGES, /* every relation and routine of the schema */
    SCENARIO_OPENAPI_DISABLED,          /* PGRST126 */
} scenario_openapi_mode_t;

/* A seed statement of the scenario's SQL that is not a list of constant rows
 * (INSERT ... SELECT, a value computed by a subquery, DELETE, an UPDATE the
 * row reader does not take): kept whole, with the search path it ran under,
 * for the memory engine's executor to run once the tables, views and their
 * constant rows exist (instance.c). */
typedef struct scenario_seed_stmt {
    char *sql; /* owned: the statement's text */
    char **search_path;
    size_t search_path_len;
    scenario_pos_t pos;
} scenario_seed_stmt_t;

typedef struct scenario {
    char *name;
    char *description;
    int postgrest_version; /* 12 | 13 | 14 (default 14) */
    /* postgrest: */
    char **db_schemas; /* default public, graphql_public */
    size_t db_schema_count;
    int64_t db_max_rows; /* default 1000; -1 for null (unlimited) */
    scenario_tx_end_t db_tx_end;
    bool db_aggregates_enabled;
    bool db_plan_enabled;
    /* db-extra-search-path as the scenario's SQL set it in-database (ALTER
     * ROLE authenticator SET pgrst.db_extra_search_path); NULL: Supabase's
     * "public, extensions". */
    char *db_extra_search_path;
    /* The schema CREATE EXTENSION ltree put ltree's type and operators in;
     * NULL when no statement did (a column of type ltree then finds its
     * operators on every search path). */
    char *ltree_schema;
    scenario_openapi_mode_t openapi_mode;
    scenario_gateway_t gateway;
    bool clock_real;        /* true: real time */
    int64_t clock_start_us; /* fixed clock: microseconds since 2000-01-01 UTC */
    /* auth: */
    char *jwt_secret;
    char *anon_key;
    char *service_role_key;
    char *publishable_key;
    char *secret_key;
    /* auth.signing_keys in the order given; none: HS256 with jwt_secret only. */
    signing_key_t *signing_keys;
    size_t signing_key_count;
    /* Hex SHA-256 over the keys that verify (kid, alg, key material), so a
     * cache of verified tokens can tell key sets apart; NULL without keys. */
    char *signing_keys_fingerprint;
    scenario_user_t *users;
    size_t user_count;
    char *on_signup_table;   /* NULL when absent */
    cJSON *on_signup_values; /* owned object; NULL when absent */
    bool confirm_email;
    /* GoTrue settings named as the Supabase CLI's config.toml names them:
     * auth.site_url (NULL: the CLI's "http://127.0.0.1:3000") and
     * auth.email.secure_password_change. */
    char *site_url;
    bool secure_password_change;
    /* auth.enable_anonymous_sign_ins (config.toml's [auth] name): POST /signup
     * without email or phone creates an anonymous user. */
    bool enable_anonymous_sign_ins;
    /* auth.mfa as config.toml's [auth.mfa] and [auth.mfa.totp]; defaults
     * are a hosted project's: 10 factors, TOTP enroll and verify on. */
    int64_t mfa_max_enrolled_factors;
    bool mfa_totp_enroll_enabled, mfa_totp_verify_enabled;
    scenario_role_t *roles; /* anon, authenticated, service_role always present */
    size_t role_count;
    scenario_enum_t *enums;
    size_t enum_count;
    scenario_table_t *tables; /* after extends: base tables first, merged by name */
    size_t table_count;
    scenario_function_t *functions; /* from the SQL, in creation order */
    size_t function_count;
    scenario_cast_t *casts; /* CREATE CAST ... WITH FUNCTION, in creation order */
    size_t cast_count;
    /* CREATE DOMAIN name AS type of the SQL: names a statement's expression
     * may cast to (`x::public.color`), each standing for its base type
     * (domain_types[i], as a column names it). Owned. */
    char **domain_names;
    char **domain_types;
    size_t domain_count;
    scenario_trigger_t *triggers; /* from the SQL, in creation order */
    size_t trigger_count;
    scenario_seed_stmt_t *seed_stmts; /* from the SQL, in file order */
    size_t seed_stmt_count;
    bool auto_reload; /* schema_cache.auto_reload_after_ms not null */
    int64_t auto_reload_after_ms;
    cJSON *rules;                   /* owned array, NULL when absent */
    scenario_sql_file_t *sql_files; /* "sql", every base's first, in the order applied */
    size_t sql_file_count;
    scenario_notice_t *notices;
    size_t notice_count;
    char **files; /* every file read (this one and its bases); positions point here */
    size_t file_count;
    /* Added by scenario.c's owner (positions for later checks by other modules): */
    scenario_pos_t *rule_pos; /* one per element of rules */
    /* The value of each key of a rule and of its match/respond objects
     * ("delay_ms", "match.method"), so an error names the field, not the rule. */
    struct scenario_rule_field {
        size_t rule; /* index into rules */
        char *path;  /* owned */
        scenario_pos_t pos;
    } * rule_fields;
    size_t rule_field_count;
    scenario_pos_t on_signup_pos; /* the on_signup "table" value */
    scenario_pos_t clock_pos;     /* the clock value (0/0 when absent) */
} scenario_t;

/* Where the value of `path` ("respond.status") of rule `rule` is, else the
 * rule's own position. */
scenario_pos_t scenario_rule_field_pos(const scenario_t *s, size_t rule, const char *path);

/* Where scenario files come from. A FILE named on the command line may be
 * anywhere; everything else must resolve, after symbolic links, inside the
 * scenario roots (scenarios/ under the current directory, then the installed
 * data directory's scenarios/) or inside the folder of the file the load
 * started from. `extends` takes a NAME (NAME.json next to the extending file,
 * then under the roots) or a path relative to the extending file; absolute
 * paths, ".." and links leading elsewhere are load errors. Only regular files
 * are read (never a FIFO or a device), up to MOCK_MAX_SCENARIO_BYTES, and a
 * file that is not JSON is reported by position without quoting its bytes. */

/* Longest scenario NAME accepted. */
#define SCENARIO_NAME_MAX 128
/* True for a scenario NAME: 1 to SCENARIO_NAME_MAX letters, digits, '-' and '_'. */
bool scenario_name_valid(const char *s);

/* Loads a scenario by NAME (see above; "default" falls back to the copy
 * compiled into the binary) or by FILE path (anything containing '/' or ending
 * in .json): for the command line only. Returns 0, or -1 with err filled. */
int scenario_load(const char *name_or_file, scenario_t **out, scenario_error_t *err);
/* Loads a scenario by NAME only (what the admin API accepts): anything but a
 * valid NAME found under the roots is an error. Returns 0, or -1 with err. */
int scenario_load_name(const char *name, scenario_t **out, scenario_error_t *err);
/* Loads from text already in memory; `file` names it in positions and errors.
 * The text has no folder: its `extends` must be a NAME under the roots. */
int scenario_load_text(const char *file, const char *text, size_t len, scenario_t **out,
                       scenario_error_t *err);
/* The same for text that stands as a file in `folder` (which must exist):
 * its "sql" paths and a path-like `extends` resolve from there, as for a
 * file read from that folder. */
int scenario_load_text_in(const char *folder, const char *file, const char *text, size_t len,
                          scenario_t **out, scenario_error_t *err);
void scenario_free(scenario_t *s); /* NULL is a no-op */

/* Every error one load found, in the order found: at most
 * MOCK_MAX_REPORTED_ERRORS are kept, `more` counts the rest. */
typedef struct scenario_errors {
    scenario_error_t items[MOCK_MAX_REPORTED_ERRORS];
    size_t count;
    size_t more;
    /* scenario_load_all only: when a file failed after its keys were read,
     * what was loaded, so checks that come later (fault rules) can still
     * report their errors. Owned by the caller (scenario_free); never served. */
    scenario_t *partial;
} scenario_errors_t;
/* scenario_load for `supamock validate`: after an error it goes on wherever
 * the rest can still be checked on its own (every key of the scenario, every
 * unknown key of an object, every table, every column), so one run reports
 * them all. Returns 0, or -1 with errs->count >= 1. */
int scenario_load_all(const char *name_or_file, scenario_t **out, scenario_errors_t *errs);

/* Appends an error to errs (counted in `more` beyond the cap). */
void scenario_errors_add(scenario_errors_t *errs, const scenario_error_t *e);

/* Fills err with a position and a printf message (for callers that find errors
 * in a loaded scenario, e.g. a seed row violating a constraint). */
void scenario_error_at(scenario_error_t *err, scenario_pos_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "FILE:LINE:COL: message" into out ("FILE: message" when the error has no
 * line, e.g. a file that cannot be read; just the message without a file). */
void scenario_error_format(const scenario_error_t *err, char *out, size_t out_len);

/* Parses an ISO 8601 timestamp as scenario "clock" takes it: YYYY-MM-DD, then
 * optionally T (or t or a space) HH:MM[:SS[.fraction]] and Z, +HH, +HHMM or
 * +HH:MM (no zone means UTC). Fractions beyond microseconds are rounded.
 * Returns 0 with *out_us (microseconds since 2000-01-01 00:00:00 UTC), or -1. */
int scenario_parse_time(const char *s, int64_t *out_us);

/* The built-in default scenario's text (scenarios/default.json compiled in). */
extern const char scenario_builtin_default[];

#endif
