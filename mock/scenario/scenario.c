/* Scenario files: reads a file (or the built-in default), follows its
 * `extends` chain, applies each file over its base, and validates every key and
 * value with FILE:LINE:COL errors. It produces a plain description (scenario_t);
 * it does not build tables, parse policy expressions or run fault rules.
 *
 * How a file applies over its base (`extends`), also in scenario.schema.json:
 * - scalars (postgrest_version, gateway, clock, each postgrest.* and auth.* key,
 *   schema_cache.auto_reload_after_ms) override the base's when given;
 *   `name` and `description` belong to each file and are never inherited (a file
 *   without `name` is named after its file name);
 * - tables merge by name ("profiles" and "public.profiles" are the same table);
 *   within a table, the child's keys override the base's; `columns` merge by
 *   column name (a known name is replaced in place, a new one is appended),
 *   `policies` merge by policy name the same way, and `{"name": N, "drop": true}`
 *   removes the base's policy N (DROP POLICY); `rows` and `grants` are
 *   replaced when given;
 * - enums merge by name (a redeclared enum replaces the base's labels); roles
 *   merge by name (given keys override); auth.users merge by id (a known id is
 *   replaced in place); auth.on_signup is replaced (null removes it);
 * - rules are appended (base rules first).
 * Positions of merged items keep pointing into the file they came from. */
#include "scenario.h"
#include "scenario_sql.h"

#include "caps.h"
#include "fuzzy.h"
#include "glob.h"
#include "jsonc.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MOCK_DATADIR
#define MOCK_DATADIR "/usr/local/share/supamock" /* direct (non-CMake) builds */
#endif

/* The name positions use for the compiled-in default scenario. */
#define BUILTIN_DEFAULT_FILE "<built-in>/default.json"
/* Longest extends chain followed (a cycle is reported long before this). */
#define MAX_EXTENDS_DEPTH 32
/* Postgres truncates identifiers longer than NAMEDATALEN - 1 bytes. */
#define PG_MAX_IDENT 63

/* The Supabase CLI's demo values (supabase/cli apps/cli-go/pkg/config/apikeys.go). */
#define DEMO_JWT_SECRET "super-secret-jwt-token-with-at-least-32-characters-long"
#define DEMO_ANON_KEY                                                                              \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHA" \
    "iOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
#define DEMO_SERVICE_ROLE_KEY                                                                      \
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9" \
    "sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU"
#define DEMO_PUBLISHABLE_KEY "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH"
#define DEMO_SECRET_KEY      "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"

/* ---- errors ---- */

void scenario_error_at(scenario_error_t *err, scenario_pos_t pos, const char *fmt, ...)
{
    if (!err)
        return;
    snprintf(err->file, sizeof err->file, "%s", pos.file ? pos.file : "");
    err->line = pos.line;
    err->col = pos.col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void scenario_error_format(const scenario_error_t *err, char *out, size_t out_len)
{
    if (err->line > 0)
        snprintf(out, out_len, "%s:%d:%d: %s", err->file, err->line, err->col, err->message);
    else if (err->file[0])
        snprintf(out, out_len, "%s: %s", err->file, err->message);
    else
        snprintf(out, out_len, "%s", err->message); /* a synthesised position {0} */
}

/* ---- the loader ---- */

struct chain;

typedef struct loader {
    scenario_t *s;
    scenario_error_t *err;
    const jsonc_doc_t *doc;
    const char *file;          /* borrowed from s->files */
    scenario_errors_t *all;    /* scenario_load_all: every error, and go on; else NULL */
    const struct chain *chain; /* where files may come from ("extends", "sql") */
} loader_t;

void scenario_errors_add(scenario_errors_t *all, const scenario_error_t *e)
{
    if (all->count < MOCK_MAX_REPORTED_ERRORS)
        all->items[all->count++] = *e;
    else
        all->more++;
}

/* In scenario_load_all's mode the caller goes on after an error (rc keeps
 * the failure); otherwise it returns at the first one. */
#define GO_ON_OR_RETURN(L, rc)                                                                     \
    do {                                                                                           \
        if (!(L)->all)                                                                             \
            return -1;                                                                             \
        (rc) = -1;                                                                                 \
    } while (0)

static scenario_pos_t pos_at(const loader_t *L, size_t offset)
{
    scenario_pos_t p = {L->file, 0, 0};
    if (offset != JSONC_NO_OFFSET)
        jsonc_line_col(L->doc, offset, &p.line, &p.col);
    return p;
}

static int fail_at(const loader_t *L, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(const loader_t *L, size_t offset, const char *fmt, ...)
{
    scenario_pos_t p = pos_at(L, offset);
    scenario_error_t e;
    snprintf(e.file, sizeof e.file, "%s", L->file);
    e.line = p.line;
    e.col = p.col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    /* err keeps the first error; the collector gets every one. */
    if (!L->all || L->all->count + L->all->more == 0)
        *L->err = e;
    if (L->all)
        scenario_errors_add(L->all, &e);
    va_end(ap);
    return -1;
}

static const char *kind_of(const cJSON *j)
{
    if (cJSON_IsString(j))
        return "a string";
    if (cJSON_IsNumber(j))
        return "a number";
    if (cJSON_IsBool(j))
        return "a boolean";
    if (cJSON_IsNull(j))
        return "null";
    if (cJSON_IsArray(j))
        return "an array";
    return "an object";
}

/* Levenshtein distance, capped for long strings (only used for suggestions). */
static size_t edit_distance(const char *a, const char *b)
{
    if (strlen(a) > 64 || strlen(b) > 64)
        return SIZE_MAX;
    return fuzzy_levenshtein(a, b, true);
}

/* The closest of candidates to word when close enough to be a typo, else NULL. */
static const char *closest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    size_t limit = strlen(word) / 3;
    if (limit < 2)
        limit = 2;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d <= limit && d < best_d) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

static void suggestion(char *out, size_t out_len, const char *word, const char *const *candidates,
                       size_t n)
{
    const char *c = closest(word, candidates, n);
    if (c)
        snprintf(out, out_len, " (did you mean \"%s\"?)", c);
    else
        out[0] = '\0';
}

/* Rejects unknown and duplicate keys of an object whose keys are fixed. `where`
 * names the object in messages ("the scenario", "table \"profiles\""). */
static int check_keys(const loader_t *L, const cJSON *obj, const jsonc_node_t *n,
                      const char *const *known, size_t known_count, const char *where)
{
    size_t i = 0;
    int rc = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++) {
        const jsonc_node_t *cn = jsonc_child(n, i);
        size_t off = cn ? cn->key_offset : JSONC_NO_OFFSET;
        bool found = false;
        for (size_t k = 0; k < known_count; k++) {
            if (strcmp(c->string, known[k]) == 0)
                found = true;
        }
        if (!found) {
            char hint[96];
            suggestion(hint, sizeof hint, c->string, known, known_count);
            fail_at(L, off, "unknown key \"%s\" in %s%s", c->string, where, hint);
            GO_ON_OR_RETURN(L, rc);
            continue;
        }
        for (const cJSON *p = obj->child; p != c; p = p->next) {
            if (strcmp(p->string, c->string) == 0) {
                fail_at(L, off, "duplicate key \"%s\" in %s", c->string, where);
                GO_ON_OR_RETURN(L, rc);
                break;
            }
        }
    }
    return rc;
}

/* Member `key` of obj (first match, case-sensitive) and its node, or NULL. */
static const cJSON *member(const cJSON *obj, const jsonc_node_t *n, const char *key,
                           const jsonc_node_t **node)
{
    size_t i = 0;
    for (const cJSON *c = obj->child; c; c = c->next, i++) {
        if (c->string && strcmp(c->string, key) == 0) {
            *node = jsonc_child(n, i);
            return c;
        }
    }
    *node = NULL;
    return NULL;
}

static size_t off_of(const jsonc_node_t *n)
{
    return n ? n->offset : JSONC_NO_OFFSET;
}

static int want_string(const loader_t *L, const cJSON *j, const jsonc_node_t *n, const char *key,
                       const char *where, bool allow_empty, char **out)
{
    if (!cJSON_IsString(j))
        return fail_at(L, off_of(n), "\"%s\" in %s must be a string, not %s", key, where,
                       kind_of(j));
    if (!allow_empty && j->valuestring[0] == '\0')
        return fail_at(L, off_of(n), "\"%s\" in %s must not be empty", key, where);
    free(*out);
    *out = xstrdup(j->valuestring);
    return 0;
}

static int want_bool(const loader_t *L, const cJSON *j, const jsonc_node_t *n, const char *key,
                     const char *where, bool *out)
{
    if (!cJSON_IsBool(j))
        return fail_at(L, off_of(n), "\"%s\" in %s must be true or false, not %s", key, where,
                       kind_of(j));
    *out = cJSON_IsTrue(j);
    return 0;
}

/* A JSON number that is a whole number in [min, max]. */
static int want_int(const loader_t *L, const cJSON *j, const jsonc_node_t *n, const char *key,
                    const char *where, int64_t min, int64_t max, int64_t *out)
{
    if (!cJSON_IsNumber(j))
        return fail_at(L, off_of(n), "\"%s\" in %s must be a whole number, not %s", key, where,
                       kind_of(j));
    double d = j->valuedouble;
    if (!(d == floor(d)) || d < (double)min || d > (double)max)
        return fail_at(L, off_of(n), "\"%s\" in %s must be a whole number from %lld to %lld", key,
                       where, (long long)min, (long long)max);
    *out = (int64_t)d;
    return 0;
}

static int want_object(const loader_t *L, const cJSON *j, const jsonc_node_t *n, const char *what)
{
    if (!cJSON_IsObject(j))
        return fail_at(L, off_of(n), "%s must be an object, not %s", what, kind_of(j));
    return 0;
}

static int want_array(const loader_t *L, const cJSON *j, const jsonc_node_t *n, const char *what)
{
    if (!cJSON_IsArray(j))
        return fail_at(L, off_of(n), "%s must be an array, not %s", what, kind_of(j));
    return 0;
}

/* Matches s against a list of allowed words; returns the index or -1 after
 * filling the error ("expected one of ..."). */
static int want_choice(const loader_t *L, const cJSON *j, const jsonc_node_t *n, const char *what,
                       const char *const *choices, size_t count)
{
    if (!cJSON_IsString(j))
        return fail_at(L, off_of(n), "%s must be a string, not %s", what, kind_of(j)), -1;
    for (size_t i = 0; i < count; i++) {
        if (strcmp(j->valuestring, choices[i]) == 0)
            return (int)i;
    }
    char list[256] = "";
    for (size_t i = 0; i < count; i++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s\"%s\"",
                 i == 0 ? "" : (i + 1 == count ? " or " : ", "), choices[i]);
    }
    char hint[96];
    suggestion(hint, sizeof hint, j->valuestring, choices, count);
    fail_at(L, off_of(n), "%s must be %s, not \"%s\"%s", what, list, j->valuestring, hint);
    return -1;
}

static void add_file(scenario_t *s, const char *file)
{
    s->files = xrealloc(s->files, (s->file_count + 1) * sizeof *s->files);
    s->files[s->file_count++] = xstrdup(file);
}

/* ---- freeing ---- */

static void column_dispose(scenario_column_t *c)
{
    free(c->domain);
    free(c->name);
    free(c->type);
    cJSON_Delete(c->default_value);
    free(c->identity);
    free(c->references);
    free(c->check);
    free(c->on_delete);
    free(c->fk_name);
    memset(c, 0, sizeof *c);
}

static void policy_dispose(scenario_policy_t *p)
{
    free(p->name);
    free(p->command);
    for (size_t i = 0; i < p->role_count; i++)
        free(p->roles[i]);
    free(p->roles);
    free(p->using_expr);
    free(p->with_check);
    memset(p, 0, sizeof *p);
}

static void grants_dispose(scenario_table_t *t)
{
    for (size_t i = 0; i < t->grant_count; i++)
        free(t->grants[i].role);
    free(t->grants);
    t->grants = NULL;
    t->grant_count = 0;
}

static void table_dispose(scenario_table_t *t)
{
    free(t->schema);
    free(t->name);
    for (size_t i = 0; i < t->column_count; i++)
        column_dispose(&t->columns[i]);
    free(t->columns);
    grants_dispose(t);
    for (size_t i = 0; i < t->policy_count; i++)
        policy_dispose(&t->policies[i]);
    free(t->policies);
    for (size_t i = 0; i < t->fkey_count; i++) {
        scenario_fkey_t *f = &t->fkeys[i];
        for (size_t k = 0; k < f->column_count; k++)
            free(f->columns[k]), free(f->ref_columns[k]);
        free(f->columns), free(f->ref_columns);
        free(f->name), free(f->ref_schema), free(f->ref_table), free(f->on_delete);
    }
    free(t->fkeys);
    free(t->view_sql);
    free(t->view_prior_sql);
    for (size_t i = 0; i < t->view_search_path_len; i++)
        free(t->view_search_path[i]);
    free(t->view_search_path);
    free(t->partition_strategy);
    for (size_t i = 0; i < t->partition_key_count; i++)
        free(t->partition_key[i]);
    free(t->partition_key);
    for (size_t i = 0; i < t->partition_count; i++) {
        scenario_partition_t *p = &t->partitions[i];
        free(p->schema), free(p->name);
        cJSON_Delete(p->values), cJSON_Delete(p->from), cJSON_Delete(p->to);
    }
    free(t->partitions);
    cJSON_Delete(t->rows);
    free(t->row_pos);
    memset(t, 0, sizeof *t);
}

static void user_dispose(scenario_user_t *u)
{
    free(u->id);
    free(u->email);
    free(u->phone);
    free(u->password);
    cJSON_Delete(u->user_metadata);
    cJSON_Delete(u->app_metadata);
    free(u->role);
    memset(u, 0, sizeof *u);
}

static void enum_dispose(scenario_enum_t *e)
{
    free(e->name);
    for (size_t i = 0; i < e->label_count; i++)
        free(e->labels[i]);
    free(e->labels);
    memset(e, 0, sizeof *e);
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void signing_keys_free(scenario_t *s)
{
    for (size_t i = 0; i < s->signing_key_count; i++) {
        free(s->signing_keys[i].kid);
        free(s->signing_keys[i].secret);
        EVP_PKEY_free(s->signing_keys[i].pkey);
    }
    free(s->signing_keys);
    free(s->signing_keys_fingerprint);
    s->signing_keys = NULL;
    s->signing_key_count = 0;
    s->signing_keys_fingerprint = NULL;
}

void scenario_free(scenario_t *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->description);
    free_strings(s->db_schemas, s->db_schema_count);
    free(s->db_extra_search_path);
    free(s->ltree_schema);
    free(s->jwt_secret);
    free(s->anon_key);
    free(s->service_role_key);
    free(s->publishable_key);
    free(s->secret_key);
    signing_keys_free(s);
    for (size_t i = 0; i < s->user_count; i++)
        user_dispose(&s->users[i]);
    free(s->users);
    free(s->on_signup_table);
    cJSON_Delete(s->on_signup_values);
    free(s->site_url);
    for (size_t i = 0; i < s->role_count; i++)
        free(s->roles[i].name);
    free(s->roles);
    for (size_t i = 0; i < s->enum_count; i++)
        enum_dispose(&s->enums[i]);
    free(s->enums);
    for (size_t i = 0; i < s->table_count; i++)
        table_dispose(&s->tables[i]);
    free(s->tables);
    for (size_t i = 0; i < s->function_count; i++)
        scenario_function_dispose(&s->functions[i]);
    free(s->functions);
    for (size_t i = 0; i < s->cast_count; i++)
        scenario_cast_dispose(&s->casts[i]);
    free(s->casts);
    for (size_t i = 0; i < s->domain_count; i++) {
        free(s->domain_names[i]);
        free(s->domain_types[i]);
    }
    free(s->domain_names);
    free(s->domain_types);
    for (size_t i = 0; i < s->trigger_count; i++)
        scenario_trigger_dispose(&s->triggers[i]);
    free(s->triggers);
    for (size_t i = 0; i < s->seed_stmt_count; i++) {
        scenario_seed_stmt_t *st = &s->seed_stmts[i];
        free(st->sql);
        for (size_t k = 0; k < st->search_path_len; k++)
            free(st->search_path[k]);
        free(st->search_path);
    }
    free(s->seed_stmts);
    cJSON_Delete(s->rules);
    free(s->rule_pos);
    for (size_t i = 0; i < s->sql_file_count; i++)
        free(s->sql_files[i].text);
    free(s->sql_files);
    for (size_t i = 0; i < s->notice_count; i++)
        free(s->notices[i].message);
    free(s->notices);
    for (size_t i = 0; i < s->rule_field_count; i++)
        free(s->rule_fields[i].path);
    free(s->rule_fields);
    free_strings(s->files, s->file_count);
    free(s);
}

/* ---- defaults ---- */

static void add_role(scenario_t *s, const char *name, bool bypass)
{
    s->roles = xrealloc(s->roles, (s->role_count + 1) * sizeof *s->roles);
    s->roles[s->role_count].name = xstrdup(name);
    s->roles[s->role_count].bypass_rls = bypass;
    s->role_count++;
}

static scenario_t *scenario_with_defaults(void)
{
    scenario_t *s = xcalloc(1, sizeof *s);
    s->postgrest_version = 14;
    s->db_schema_count = 2;
    s->db_schemas = xmalloc(2 * sizeof *s->db_schemas);
    s->db_schemas[0] = xstrdup("public");
    s->db_schemas[1] = xstrdup("graphql_public");
    s->db_max_rows = 1000;
    s->db_tx_end = SCENARIO_TX_COMMIT;
    s->gateway = SCENARIO_GATEWAY_HOSTED;
    s->clock_real = true;
    s->jwt_secret = xstrdup(DEMO_JWT_SECRET);
    s->anon_key = xstrdup(DEMO_ANON_KEY);
    s->service_role_key = xstrdup(DEMO_SERVICE_ROLE_KEY);
    s->publishable_key = xstrdup(DEMO_PUBLISHABLE_KEY);
    s->secret_key = xstrdup(DEMO_SECRET_KEY);
    add_role(s, "anon", false);
    add_role(s, "authenticated", false);
    add_role(s, "service_role", true);
    s->auto_reload = true;
    s->auto_reload_after_ms = 120000;
    s->mfa_max_enrolled_factors = 10;
    s->mfa_totp_enroll_enabled = s->mfa_totp_verify_enabled = true;
    return s;
}

/* ---- time ---- */

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard
 * Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int scenario_parse_time(const char *s, int64_t *out_us)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h = 0, mi = 0, sec = 0;
    int64_t frac_us = 0;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return -1;
    if (y < 1 || mo < 1 || mo > 12 || d < 1)
        return -1;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] + (mo == 2 && leap))
        return -1;
    const char *p = s + 10;
    int64_t zone_s = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi))
            return -1;
        p += 5;
        if (*p == ':') {
            if (!digits(p + 1, 2, &sec))
                return -1;
            p += 3;
            if (*p == '.' || *p == ',') {
                p++;
                if (!isdigit((unsigned char)*p))
                    return -1;
                int ndig = 0, round_up = 0;
                for (; isdigit((unsigned char)*p); p++, ndig++) {
                    if (ndig < 6)
                        frac_us = frac_us * 10 + (*p - '0');
                    else if (ndig == 6)
                        round_up = *p >= '5'; /* rounded to microseconds, as Postgres does */
                }
                for (int k = ndig; k < 6; k++)
                    frac_us *= 10;
                frac_us += round_up;
            }
        }
        if (h > 23 || mi > 59 || sec > 59)
            return -1;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, zh, zm = 0;
            p++;
            if (!digits(p, 2, &zh))
                return -1;
            p += 2;
            if (*p == ':') {
                if (!digits(p + 1, 2, &zm))
                    return -1;
                p += 3;
            } else if (isdigit((unsigned char)*p)) {
                if (!digits(p, 2, &zm))
                    return -1;
                p += 2;
            }
            if (zh > 15 || zm > 59)
                return -1;
            zone_s = sign * (zh * 3600 + zm * 60);
        }
    }
    if (*p != '\0')
        return -1;
    int64_t days = days_from_civil(y, mo, d) - days_from_civil(2000, 1, 1);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - zone_s;
    *out_us = secs * 1000000 + frac_us;
    return 0;
}

/* ---- names and types ---- */

static int check_ident(const loader_t *L, size_t off, const char *what, const char *name)
{
    if (name[0] == '\0')
        return fail_at(L, off, "%s must not be empty", what);
    if (strlen(name) > PG_MAX_IDENT)
        return fail_at(L, off, "%s \"%s\" is longer than %d bytes (Postgres's identifier limit)",
                       what, name, PG_MAX_IDENT);
    return 0;
}

/* The column type names scenarios accept (Postgres accepts them in any case). */
static const char *const builtin_types[] = {
    "uuid",
    "text",
    "name",
    "varchar",
    "character varying",
    "char",
    "character",
    "smallint",
    "int2",
    "integer",
    "int",
    "int4",
    "bigint",
    "int8",
    "serial",
    "serial4",
    "bigserial",
    "serial8",
    "numeric",
    "decimal",
    "real",
    "float4",
    "double precision",
    "float8",
    "boolean",
    "bool",
    "date",
    "timestamp",
    "timestamp without time zone",
    "timestamptz",
    "timestamp with time zone",
    "json",
    "jsonb",
    "tsvector",
    "int4range",
    "int8range",
    "numrange",
    "daterange",
    "tsrange",
    "tstzrange",
    "bytea",
    "oid",
    "time",
    "ltree",
    "time without time zone",
    "timetz",
    "time with time zone",
};
#define BUILTIN_TYPE_COUNT (sizeof builtin_types / sizeof builtin_types[0])

/* Checks a column type's shape: a known base type or an enum of the scenario,
 * an optional (n) / (p,s) modifier on varchar/char/numeric, an optional []. The
 * store's pgtype_parse does the real parsing; this catches typos at load time. */
static int check_type(const loader_t *L, size_t off, const char *type, const char *where)
{
    char base[96];
    size_t n = strlen(type);
    bool array = n >= 2 && strcmp(type + n - 2, "[]") == 0;
    if (array)
        n -= 2;
    if (n == 0 || n >= sizeof base)
        return fail_at(L, off, "unknown type \"%s\" for %s", type, where);
    memcpy(base, type, n);
    base[n] = '\0';
    for (size_t i = 0; i < L->s->enum_count; i++) {
        if (strcmp(base, L->s->enums[i].name) == 0)
            return 0;
    }
    char *paren = strchr(base, '(');
    if (paren) {
        /* A modifier: digits, at most one comma, a closing parenthesis at the end. */
        const char *q = paren + 1;
        int commas = 0, nd = 0;
        for (; *q && *q != ')'; q++) {
            if (*q == ',')
                commas++;
            else if (isdigit((unsigned char)*q))
                nd++;
            else if (*q != ' ')
                break;
        }
        if (*q != ')' || q[1] != '\0' || nd == 0 || commas > 1)
            return fail_at(L, off,
                           "bad type modifier in \"%s\" for %s (expected e.g. varchar(20) "
                           "or numeric(10,2))",
                           type, where);
        while (paren > base && paren[-1] == ' ')
            paren--;
        *paren = '\0';
    }
    char lower[96];
    for (size_t i = 0;; i++) {
        lower[i] = (char)tolower((unsigned char)base[i]);
        if (!base[i])
            break;
    }
    for (size_t i = 0; i < BUILTIN_TYPE_COUNT; i++) {
        if (strcmp(lower, builtin_types[i]) != 0)
            continue;
        if (paren && !(strncmp(lower, "varchar", 7) == 0 || strncmp(lower, "char", 4) == 0 ||
                       strcmp(lower, "numeric") == 0 || strcmp(lower, "decimal") == 0))
            return fail_at(L, off, "type \"%s\" for %s takes no modifier", type, where);
        if (array && strstr(lower, "serial"))
            return fail_at(L, off, "array of serial is not implemented (type \"%s\" for %s)", type,
                           where);
        return 0;
    }
    const char **cands = xmalloc((BUILTIN_TYPE_COUNT + L->s->enum_count) * sizeof *cands);
    size_t nc = 0;
    for (size_t i = 0; i < BUILTIN_TYPE_COUNT; i++)
        cands[nc++] = builtin_types[i];
    for (size_t i = 0; i < L->s->enum_count; i++)
        cands[nc++] = L->s->enums[i].name;
    char hint[96];
    suggestion(hint, sizeof hint, lower, cands, nc);
    free(cands);
    return fail_at(L, off,
                   "unknown type \"%s\" for %s (expected a Postgres type such as uuid, text, "
                   "integer, timestamptz, jsonb, or an enum from \"enums\")%s",
                   type, where, hint);
}

/* "table(col)" or "schema.table(col)". */
static bool reference_ok(const char *r)
{
    const char *open = strchr(r, '(');
    if (!open || open == r || open[-1] == '.' || r[0] == '.')
        return false;
    const char *close = strchr(open, ')');
    if (!close || close == open + 1 || close[1] != '\0')
        return false;
    const char *dot = memchr(r, '.', (size_t)(open - r));
    if (dot && memchr(dot + 1, '.', (size_t)(open - dot - 1)))
        return false;
    return strchr(open + 1, '(') == NULL;
}

static const char *const default_functions[] = {"gen_random_uuid()", "uuid_generate_v4()", "now()",
                                                "auth.uid()", "nextval"};

/* A default string that looks like a function call must be one we model. */
static int check_default(const loader_t *L, const cJSON *j, const jsonc_node_t *n,
                         const char *where)
{
    if (!cJSON_IsString(j))
        return 0;
    const char *v = j->valuestring;
    size_t len = strlen(v);
    for (size_t i = 0; i < sizeof default_functions / sizeof default_functions[0]; i++) {
        if (strcmp(v, default_functions[i]) == 0)
            return 0;
    }
    bool call = len >= 3 && v[len - 1] == ')' && strchr(v, '(') != NULL &&
                (isalpha((unsigned char)v[0]) || v[0] == '_');
    for (size_t i = 0; call && v[i] != '('; i++) {
        if (!isalnum((unsigned char)v[i]) && v[i] != '_' && v[i] != '.')
            call = false;
    }
    if (call)
        return fail_at(L, off_of(n),
                       "unsupported default %s for %s (functions: gen_random_uuid(), "
                       "uuid_generate_v4(), now(), auth.uid(), nextval; anything else must be a "
                       "JSON literal)",
                       v, where);
    return 0;
}

/* ---- roles ---- */

static scenario_role_t *find_role(const scenario_t *s, const char *name)
{
    for (size_t i = 0; i < s->role_count; i++) {
        if (strcmp(s->roles[i].name, name) == 0)
            return &s->roles[i];
    }
    return NULL;
}

/* A role name used by a grant or a policy must be declared ("public" is
 * accepted for policies, as TO PUBLIC). */
static int check_role_ref(const loader_t *L, size_t off, const char *name, const char *where)
{
    if (find_role(L->s, name))
        return 0;
    const char **cands = xmalloc(L->s->role_count * sizeof *cands);
    for (size_t i = 0; i < L->s->role_count; i++)
        cands[i] = L->s->roles[i].name;
    char hint[96];
    suggestion(hint, sizeof hint, name, cands, L->s->role_count);
    free(cands);
    return fail_at(L, off, "role \"%s\" does not exist (in %s; declare it in \"roles\")%s", name,
                   where, hint);
}

static int apply_roles(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    if (want_object(L, j, n, "\"roles\"") != 0)
        return -1;
    static const char *const keys[] = {"bypass_rls"};
    size_t i = 0;
    for (const cJSON *c = j->child; c; c = c->next, i++) {
        const jsonc_node_t *cn = jsonc_child(n, i);
        size_t koff = cn ? cn->key_offset : JSONC_NO_OFFSET;
        if (check_ident(L, koff, "role name", c->string) != 0)
            return -1;
        for (const cJSON *p = j->child; p != c; p = p->next) {
            if (strcmp(p->string, c->string) == 0)
                return fail_at(L, koff, "duplicate role \"%s\" in \"roles\"", c->string);
        }
        char where[128];
        snprintf(where, sizeof where, "role \"%s\"", c->string);
        if (want_object(L, c, cn, where) != 0 || check_keys(L, c, cn, keys, 1, where) != 0)
            return -1;
        scenario_role_t *r = find_role(L->s, c->string);
        if (!r) {
            add_role(L->s, c->string, false);
            r = &L->s->roles[L->s->role_count - 1];
        }
        const jsonc_node_t *vn;
        const cJSON *v = member(c, cn, "bypass_rls", &vn);
        if (v && want_bool(L, v, vn, "bypass_rls", where, &r->bypass_rls) != 0)
            return -1;
    }
    return 0;
}

/* ---- enums ---- */

static int apply_enums(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    if (want_object(L, j, n, "\"enums\"") != 0)
        return -1;
    size_t i = 0;
    for (const cJSON *c = j->child; c; c = c->next, i++) {
        const jsonc_node_t *cn = jsonc_child(n, i);
        size_t koff = cn ? cn->key_offset : JSONC_NO_OFFSET;
        if (check_ident(L, koff, "enum name", c->string) != 0)
            return -1;
        for (const cJSON *p = j->child; p != c; p = p->next) {
            if (strcmp(p->string, c->string) == 0)
                return fail_at(L, koff, "duplicate enum \"%s\" in \"enums\"", c->string);
        }
        char where[128];
        snprintf(where, sizeof where, "enum \"%s\"", c->string);
        if (want_array(L, c, cn, where) != 0)
            return -1;
        int count = cJSON_GetArraySize(c);
        if (count == 0)
            return fail_at(L, off_of(cn), "enum \"%s\" needs at least one label", c->string);
        scenario_enum_t e = {0};
        e.name = xstrdup(c->string);
        e.labels = xcalloc((size_t)count, sizeof *e.labels);
        e.pos = pos_at(L, koff);
        size_t k = 0;
        int rc = 0;
        for (const cJSON *l = c->child; l; l = l->next, k++) {
            const jsonc_node_t *ln = jsonc_child(cn, k);
            if (!cJSON_IsString(l)) {
                rc = fail_at(L, off_of(ln), "labels of enum \"%s\" must be strings, not %s",
                             c->string, kind_of(l));
                break;
            }
            if (l->valuestring[0] == '\0' || strlen(l->valuestring) > PG_MAX_IDENT) {
                /* Postgres: invalid enum label "", Labels must be 1 to 63 bytes long. */
                rc = fail_at(L, off_of(ln),
                             "invalid enum label \"%s\": labels must be 1 to %d "
                             "bytes long",
                             l->valuestring, PG_MAX_IDENT);
                break;
            }
            for (size_t m = 0; m < k; m++) {
                if (strcmp(e.labels[m], l->valuestring) == 0)
                    rc = fail_at(L, off_of(ln), "enum label \"%s\" already exists in enum \"%s\"",
                                 l->valuestring, c->string);
            }
            if (rc)
                break;
            e.labels[e.label_count++] = xstrdup(l->valuestring);
        }
        if (rc) {
            enum_dispose(&e);
            return -1;
        }
        size_t at = L->s->enum_count;
        for (size_t m = 0; m < L->s->enum_count; m++) {
            if (strcmp(L->s->enums[m].name, e.name) == 0)
                at = m;
        }
        if (at == L->s->enum_count) {
            L->s->enums = xrealloc(L->s->enums, (L->s->enum_count + 1) * sizeof *L->s->enums);
            L->s->enum_count++;
        } else {
            enum_dispose(&L->s->enums[at]);
        }
        L->s->enums[at] = e;
    }
    return 0;
}

/* ---- tables ---- */

static int parse_column(loader_t *L, const cJSON *j, const jsonc_node_t *n, const char *table,
                        size_t index, scenario_column_t *c)
{
    static const char *const keys[] = {"name",        "type",   "nullable",        "default",
                                       "primary_key", "unique", "identity",        "references",
                                       "on_delete",   "check",  "in_schema_cache", "fk_name"};
    char where[160];
    snprintf(where, sizeof where, "column %zu of table \"%s\"", index + 1, table);
    memset(c, 0, sizeof *c);
    if (want_object(L, j, n, where) != 0)
        return -1;
    c->nullable = true;
    c->in_schema_cache = true;
    c->pos = pos_at(L, off_of(n));
    const jsonc_node_t *vn;
    const cJSON *v = member(j, n, "name", &vn);
    if (!v)
        return fail_at(L, off_of(n), "%s has no \"name\"", where);
    if (want_string(L, v, vn, "name", where, true, &c->name) != 0 ||
        check_ident(L, off_of(vn), "column name", c->name) != 0)
        return -1;
    snprintf(where, sizeof where, "column \"%s\" of table \"%s\"", c->name, table);
    /* From here on every field is checked on its own: scenario_load_all
     * reports each wrong field of the column, not the first only. */
    int rc = 0;
    if (check_keys(L, j, n, keys, sizeof keys / sizeof keys[0], where) != 0)
        GO_ON_OR_RETURN(L, rc);
    v = member(j, n, "type", &vn);
    if (!v) {
        fail_at(L, off_of(n), "%s has no \"type\"", where);
        GO_ON_OR_RETURN(L, rc);
    } else if (want_string(L, v, vn, "type", where, false, &c->type) != 0 ||
               check_type(L, off_of(vn), c->type, where) != 0) {
        GO_ON_OR_RETURN(L, rc);
    } else {
        c->type_pos = pos_at(L, off_of(vn));
    }
    const jsonc_node_t *nullable_node;
    const cJSON *nullable = member(j, n, "nullable", &nullable_node);
    if (nullable && want_bool(L, nullable, nullable_node, "nullable", where, &c->nullable) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(j, n, "primary_key", &vn)) &&
        want_bool(L, v, vn, "primary_key", where, &c->primary_key) != 0)
        GO_ON_OR_RETURN(L, rc);
    if (c->primary_key) {
        /* Postgres: "conflicting NULL/NOT NULL declarations" for NULL PRIMARY KEY. */
        if (nullable && c->nullable && cJSON_IsBool(nullable)) {
            fail_at(L, off_of(nullable_node),
                    "conflicting NULL/NOT NULL declarations for %s (a primary key is "
                    "never nullable)",
                    where);
            GO_ON_OR_RETURN(L, rc);
        }
        c->nullable = false;
    }
    if ((v = member(j, n, "unique", &vn)) && want_bool(L, v, vn, "unique", where, &c->unique) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(j, n, "in_schema_cache", &vn)) &&
        want_bool(L, v, vn, "in_schema_cache", where, &c->in_schema_cache) != 0)
        GO_ON_OR_RETURN(L, rc);
    const jsonc_node_t *default_node;
    const cJSON *def = member(j, n, "default", &default_node);
    if (def) {
        if (check_default(L, def, default_node, where) != 0) {
            GO_ON_OR_RETURN(L, rc);
        } else {
            c->default_pos = pos_at(L, off_of(default_node));
            if (!cJSON_IsNull(def))
                c->default_value = cJSON_Duplicate(def, true);
        }
    }
    if ((v = member(j, n, "identity", &vn))) {
        static const char *const kinds[] = {"always", "by default"};
        char what[200];
        snprintf(what, sizeof what, "\"identity\" in %s", where);
        if (want_choice(L, v, vn, what, kinds, 2) < 0) {
            GO_ON_OR_RETURN(L, rc);
        } else {
            c->identity = xstrdup(v->valuestring);
            if (c->default_value) {
                fail_at(L, off_of(vn), "both default and identity specified for %s", where);
                GO_ON_OR_RETURN(L, rc);
            }
        }
    }
    if ((v = member(j, n, "references", &vn))) {
        if (want_string(L, v, vn, "references", where, false, &c->references) != 0) {
            GO_ON_OR_RETURN(L, rc);
        } else if (!reference_ok(c->references)) {
            fail_at(L, off_of(vn),
                    "\"references\" in %s must look like \"table(column)\" or "
                    "\"schema.table(column)\", not \"%s\"",
                    where, c->references);
            GO_ON_OR_RETURN(L, rc);
        } else {
            c->references_pos = pos_at(L, off_of(vn));
        }
    }
    if ((v = member(j, n, "on_delete", &vn))) {
        /* The referential actions of CREATE TABLE ... REFERENCES ... ON DELETE
         * (set default is not modelled). */
        static const char *const actions[] = {"cascade", "set null", "restrict", "no action"};
        const jsonc_node_t *ref_node;
        char what[200];
        snprintf(what, sizeof what, "\"on_delete\" in %s", where);
        if (want_choice(L, v, vn, what, actions, 4) < 0) {
            GO_ON_OR_RETURN(L, rc);
        } else if (!member(j, n, "references", &ref_node)) {
            fail_at(L, off_of(vn), "\"on_delete\" in %s needs \"references\"", where);
            GO_ON_OR_RETURN(L, rc);
        } else {
            c->on_delete = xstrdup(v->valuestring);
            c->on_delete_pos = pos_at(L, off_of(vn));
        }
    }
    if ((v = member(j, n, "fk_name", &vn))) {
        if (want_string(L, v, vn, "fk_name", where, false, &c->fk_name) != 0)
            return -1;
        if (!c->references)
            return fail_at(L, off_of(vn), "\"fk_name\" in %s needs \"references\"", where);
    }
    if ((v = member(j, n, "check", &vn))) {
        if (want_string(L, v, vn, "check", where, false, &c->check) != 0)
            GO_ON_OR_RETURN(L, rc);
        else
            c->check_pos = pos_at(L, off_of(vn));
    }
    return rc;
}

static int apply_columns(loader_t *L, scenario_table_t *t, const cJSON *j, const jsonc_node_t *n)
{
    char where[160];
    snprintf(where, sizeof where, "\"columns\" of table \"%s\"", t->name);
    if (want_array(L, j, n, where) != 0)
        return -1;
    /* touched[k]: column k was given by this array, so meeting it again is a duplicate. */
    bool *touched = xcalloc(t->column_count + (size_t)cJSON_GetArraySize(j) + 1, sizeof *touched);
    size_t i = 0;
    int rc = 0;
    for (const cJSON *c = j->child; c; c = c->next, i++) {
        const jsonc_node_t *cn = jsonc_child(n, i);
        scenario_column_t col;
        if (parse_column(L, c, cn, t->name, i, &col) != 0) {
            column_dispose(&col);
            rc = -1;
            if (!L->all)
                break;
            continue; /* scenario_load_all: check the next column */
        }
        size_t at = t->column_count;
        for (size_t k = 0; k < t->column_count; k++) {
            if (strcmp(t->columns[k].name, col.name) == 0)
                at = k;
        }
        if (at < t->column_count && touched[at]) {
            const jsonc_node_t *vn;
            member(c, cn, "name", &vn);
            rc = fail_at(L, off_of(vn), "column \"%s\" specified more than once in table \"%s\"",
                         col.name, t->name);
            column_dispose(&col);
            if (!L->all)
                break;
            continue;
        }
        if (at == t->column_count) {
            t->columns = xrealloc(t->columns, (t->column_count + 1) * sizeof *t->columns);
            t->column_count++;
        } else {
            column_dispose(&t->columns[at]);
        }
        t->columns[at] = col;
        touched[at] = true;
    }
    free(touched);
    return rc;
}

static int parse_policy(loader_t *L, const cJSON *j, const jsonc_node_t *n, const char *table,
                        size_t index, scenario_policy_t *p, bool *drop)
{
    static const char *const keys[] = {"name",  "command",    "roles", "permissive",
                                       "using", "with_check", "drop"};
    static const char *const commands[] = {"select", "insert", "update", "delete", "all"};
    char where[200];
    snprintf(where, sizeof where, "policy %zu of table \"%s\"", index + 1, table);
    memset(p, 0, sizeof *p);
    p->permissive = true;
    if (want_object(L, j, n, where) != 0)
        return -1;
    p->pos = pos_at(L, off_of(n));
    const jsonc_node_t *vn;
    const cJSON *v = member(j, n, "name", &vn);
    if (!v)
        return fail_at(L, off_of(n), "%s has no \"name\"", where);
    if (want_string(L, v, vn, "name", where, true, &p->name) != 0 ||
        check_ident(L, off_of(vn), "policy name", p->name) != 0)
        return -1;
    snprintf(where, sizeof where, "policy \"%s\" of table \"%s\"", p->name, table);
    if (check_keys(L, j, n, keys, sizeof keys / sizeof keys[0], where) != 0)
        return -1;
    *drop = false;
    if ((v = member(j, n, "drop", &vn))) {
        if (want_bool(L, v, vn, "drop", where, drop) != 0)
            return -1;
        if (*drop && cJSON_GetArraySize(j) != 2)
            return fail_at(L, off_of(n), "%s: \"drop\": true takes only the policy's \"name\"",
                           where);
        if (*drop)
            return 0;
    }
    int cmd = 4;
    if ((v = member(j, n, "command", &vn))) {
        char what[240];
        snprintf(what, sizeof what, "\"command\" in %s", where);
        if ((cmd = want_choice(L, v, vn, what, commands, 5)) < 0)
            return -1;
    }
    p->command = xstrdup(commands[cmd]);
    if ((v = member(j, n, "roles", &vn))) {
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
            return fail_at(L, off_of(vn),
                           "\"roles\" in %s must be a non-empty array of role names (leave it out "
                           "for PUBLIC)",
                           where);
        const jsonc_node_t *rn_parent = vn;
        p->roles = xcalloc((size_t)cJSON_GetArraySize(v), sizeof *p->roles);
        size_t k = 0;
        for (const cJSON *r = v->child; r; r = r->next, k++) {
            const jsonc_node_t *rn = jsonc_child(rn_parent, k);
            if (!cJSON_IsString(r) || r->valuestring[0] == '\0')
                return fail_at(L, off_of(rn), "\"roles\" in %s must hold role names, not %s", where,
                               cJSON_IsString(r) ? "an empty string" : kind_of(r));
            bool is_public =
                strcmp(r->valuestring, "public") == 0 || strcmp(r->valuestring, "PUBLIC") == 0;
            if (!is_public && check_role_ref(L, off_of(rn), r->valuestring, where) != 0)
                return -1;
            p->roles[p->role_count++] = xstrdup(is_public ? "public" : r->valuestring);
        }
    }
    if ((v = member(j, n, "permissive", &vn)) &&
        want_bool(L, v, vn, "permissive", where, &p->permissive) != 0)
        return -1;
    if ((v = member(j, n, "using", &vn))) {
        if (want_string(L, v, vn, "using", where, false, &p->using_expr) != 0)
            return -1;
        p->using_pos = pos_at(L, off_of(vn));
        /* Postgres (policy.c): 42601 only WITH CHECK expression allowed for INSERT. */
        if (cmd == 1)
            return fail_at(L, off_of(vn),
                           "only WITH CHECK expression allowed for INSERT (%s: use "
                           "\"with_check\")",
                           where);
    }
    if ((v = member(j, n, "with_check", &vn))) {
        if (want_string(L, v, vn, "with_check", where, false, &p->with_check) != 0)
            return -1;
        p->with_check_pos = pos_at(L, off_of(vn));
        /* Postgres (policy.c): 42601 WITH CHECK cannot be applied to SELECT or DELETE. */
        if (cmd == 0 || cmd == 3)
            return fail_at(L, off_of(vn),
                           "WITH CHECK cannot be applied to SELECT or DELETE (%s: use \"using\")",
                           where);
    }
    return 0;
}

static int apply_policies(loader_t *L, scenario_table_t *t, const cJSON *j, const jsonc_node_t *n)
{
    char where[160];
    snprintf(where, sizeof where, "\"policies\" of table \"%s\"", t->name);
    if (want_array(L, j, n, where) != 0)
        return -1;
    bool *touched = xcalloc(t->policy_count + (size_t)cJSON_GetArraySize(j) + 1, sizeof *touched);
    size_t i = 0;
    int rc = 0;
    for (const cJSON *c = j->child; c; c = c->next, i++) {
        const jsonc_node_t *cn = jsonc_child(n, i);
        scenario_policy_t pol;
        bool drop = false;
        if (parse_policy(L, c, cn, t->name, i, &pol, &drop) != 0) {
            policy_dispose(&pol);
            rc = -1;
            break;
        }
        size_t at = t->policy_count;
        for (size_t k = 0; k < t->policy_count; k++) {
            if (strcmp(t->policies[k].name, pol.name) == 0)
                at = k;
        }
        if (drop) {
            if (at == t->policy_count) {
                /* Postgres (DROP POLICY without IF EXISTS): 42704. */
                rc = fail_at(L, off_of(cn), "policy \"%s\" for table \"%s\" does not exist",
                             pol.name, t->name);
                policy_dispose(&pol);
                break;
            }
            policy_dispose(&t->policies[at]);
            memmove(&t->policies[at], &t->policies[at + 1],
                    (t->policy_count - at - 1) * sizeof *t->policies);
            memmove(&touched[at], &touched[at + 1], (t->policy_count - at - 1) * sizeof *touched);
            t->policy_count--;
            policy_dispose(&pol);
            continue;
        }
        if (at < t->policy_count && touched[at]) {
            const jsonc_node_t *vn;
            member(c, cn, "name", &vn);
            /* Postgres: 42710 policy "x" for table "t" already exists. */
            rc = fail_at(L, off_of(vn), "policy \"%s\" for table \"%s\" already exists", pol.name,
                         t->name);
            policy_dispose(&pol);
            break;
        }
        if (at == t->policy_count) {
            t->policies = xrealloc(t->policies, (t->policy_count + 1) * sizeof *t->policies);
            t->policy_count++;
        } else {
            policy_dispose(&t->policies[at]);
        }
        t->policies[at] = pol;
        touched[at] = true;
    }
    free(touched);
    return rc;
}

static int apply_grants(loader_t *L, scenario_table_t *t, const cJSON *j, const jsonc_node_t *n)
{
    static const char *const privs[] = {"select", "insert", "update", "delete", "all"};
    static const unsigned bits[] = {SCENARIO_PRIV_SELECT, SCENARIO_PRIV_INSERT,
                                    SCENARIO_PRIV_UPDATE, SCENARIO_PRIV_DELETE, SCENARIO_PRIV_ALL};
    char where[160];
    snprintf(where, sizeof where, "\"grants\" of table \"%s\"", t->name);
    grants_dispose(t);
    if (cJSON_IsNull(j)) {
        t->has_grants = false; /* back to Supabase's default privileges */
        return 0;
    }
    if (want_object(L, j, n, where) != 0)
        return -1;
    t->has_grants = true;
    t->grants = xcalloc((size_t)cJSON_GetArraySize(j) + 1, sizeof *t->grants);
    size_t i = 0;
    for (const cJSON *c = j->child; c; c = c->next, i++) {
        const jsonc_node_t *cn = jsonc_child(n, i);
        size_t koff = cn ? cn->key_offset : JSONC_NO_OFFSET;
        if (check_role_ref(L, koff, c->string, where) != 0)
            return -1;
        for (const cJSON *p = j->child; p != c; p = p->next) {
            if (strcmp(p->string, c->string) == 0)
                return fail_at(L, koff, "duplicate role \"%s\" in %s", c->string, where);
        }
        char what[240];
        snprintf(what, sizeof what, "privileges of role \"%s\" in %s", c->string, where);
        if (want_array(L, c, cn, what) != 0)
            return -1;
        scenario_grant_t *g = &t->grants[t->grant_count++];
        g->role = xstrdup(c->string);
        size_t k = 0;
        for (const cJSON *p = c->child; p; p = p->next, k++) {
            const jsonc_node_t *pn = jsonc_child(cn, k);
            char lower[16] = "";
            if (cJSON_IsString(p) && strlen(p->valuestring) < sizeof lower) {
                for (size_t m = 0; p->valuestring[m]; m++)
                    lower[m] = (char)tolower((unsigned char)p->valuestring[m]);
            }
            size_t m = 0;
            while (m < 5 && strcmp(lower, privs[m]) != 0)
                m++;
            if (m == 5) {
                char hint[96] = "";
                if (cJSON_IsString(p))
                    suggestion(hint, sizeof hint, p->valuestring, privs, 5);
                return fail_at(L, off_of(pn),
                               "bad privilege %s%s%s for role \"%s\" in %s: expected \"select\", "
                               "\"insert\", \"update\", \"delete\" or \"all\"%s",
                               cJSON_IsString(p) ? "\"" : "",
                               cJSON_IsString(p) ? p->valuestring : kind_of(p),
                               cJSON_IsString(p) ? "\"" : "", c->string, where, hint);
            }
            g->privileges |= bits[m];
        }
    }
    return 0;
}

static int apply_rows(loader_t *L, scenario_table_t *t, const cJSON *j, const jsonc_node_t *n)
{
    cJSON_Delete(t->rows);
    free(t->row_pos);
    t->rows = NULL;
    t->row_pos = NULL;
    char where[160];
    snprintf(where, sizeof where, "\"rows\" of table \"%s\"", t->name);
    if (want_array(L, j, n, where) != 0)
        return -1;
    size_t count = (size_t)cJSON_GetArraySize(j);
    t->row_pos = xcalloc(count + 1, sizeof *t->row_pos);
    size_t i = 0;
    for (const cJSON *r = j->child; r; r = r->next, i++) {
        const jsonc_node_t *rn = jsonc_child(n, i);
        if (!cJSON_IsObject(r))
            return fail_at(L, off_of(rn),
                           "row %zu of table \"%s\" must be an object of column values, not %s",
                           i + 1, t->name, kind_of(r));
        t->row_pos[i] = pos_at(L, off_of(rn));
    }
    t->rows = cJSON_Duplicate(j, true);
    return 0;
}

static scenario_table_t *find_table(const scenario_t *s, const char *schema, const char *name)
{
    for (size_t i = 0; i < s->table_count; i++) {
        if (strcmp(s->tables[i].schema, schema) == 0 && strcmp(s->tables[i].name, name) == 0)
            return &s->tables[i];
    }
    return NULL;
}

/* Splits a table key "name" or "schema.name" into fresh strings; -1 when a part
 * is empty. */
static int split_table_name(const char *key, char **schema, char **name)
{
    const char *dot = strchr(key, '.');
    if (!dot) {
        *schema = xstrdup("public");
        *name = xstrdup(key);
    } else {
        *schema = xstrndup(key, (size_t)(dot - key));
        *name = xstrdup(dot + 1);
    }
    return (*schema)[0] && (*name)[0] ? 0 : -1;
}

static const char *const table_keys[] = {"columns",         "rls", "grants", "policies",
                                         "in_schema_cache", "rows"};
#define TABLE_KEY_COUNT (sizeof table_keys / sizeof table_keys[0])

static int apply_table(loader_t *L, scenario_table_t *t, const cJSON *j, const jsonc_node_t *n)
{
    char where[160];
    snprintf(where, sizeof where, "table \"%s\"", t->name);
    if (want_object(L, j, n, where) != 0)
        return -1;
    int rc = 0;
    if (check_keys(L, j, n, table_keys, TABLE_KEY_COUNT, where) != 0)
        GO_ON_OR_RETURN(L, rc);
    const jsonc_node_t *vn;
    const cJSON *v;
    if ((v = member(j, n, "columns", &vn)) && apply_columns(L, t, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(j, n, "rls", &vn)) && want_bool(L, v, vn, "rls", where, &t->rls) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(j, n, "in_schema_cache", &vn)) &&
        want_bool(L, v, vn, "in_schema_cache", where, &t->in_schema_cache) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(j, n, "grants", &vn)) && apply_grants(L, t, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(j, n, "policies", &vn)) && apply_policies(L, t, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(j, n, "rows", &vn)) && apply_rows(L, t, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    return rc;
}

static int apply_tables(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    if (want_object(L, j, n, "\"tables\"") != 0)
        return -1;
    size_t i = 0;
    int rc = 0;
    /* After an error in one table, scenario_load_all checks the next. */
    for (const cJSON *c = j->child; c; c = c->next, i++) {
        const jsonc_node_t *cn = jsonc_child(n, i);
        size_t koff = cn ? cn->key_offset : JSONC_NO_OFFSET;
        char *schema, *name;
        if (split_table_name(c->string, &schema, &name) != 0) {
            free(schema);
            free(name);
            fail_at(L, koff, "bad table name \"%s\" (expected \"name\" or \"schema.name\")",
                    c->string);
            GO_ON_OR_RETURN(L, rc);
            continue;
        }
        if (check_ident(L, koff, "schema name", schema) != 0 ||
            check_ident(L, koff, "table name", name) != 0) {
            free(schema);
            free(name);
            GO_ON_OR_RETURN(L, rc);
            continue;
        }
        /* "profiles" and "public.profiles" name the same table. */
        bool twice = false;
        for (const cJSON *p = j->child; p != c && !twice; p = p->next) {
            char *ps, *pn;
            split_table_name(p->string, &ps, &pn);
            twice = strcmp(ps, schema) == 0 && strcmp(pn, name) == 0;
            free(ps);
            free(pn);
        }
        if (twice) {
            fail_at(L, koff, "table \"%s.%s\" is declared twice in \"tables\"", schema, name);
            free(schema);
            free(name);
            GO_ON_OR_RETURN(L, rc);
            continue;
        }
        scenario_table_t *t = find_table(L->s, schema, name);
        if (!t) {
            const jsonc_node_t *vn;
            char where[160];
            snprintf(where, sizeof where, "table \"%s\"", name);
            /* Typos in its keys explain a missing "columns" better than its absence. */
            if (want_object(L, c, cn, where) != 0 ||
                check_keys(L, c, cn, table_keys, TABLE_KEY_COUNT, where) != 0) {
                free(schema);
                free(name);
                GO_ON_OR_RETURN(L, rc);
                continue;
            }
            if (!member(c, cn, "columns", &vn)) {
                /* A table only a base could supply, probably a misspelt one. */
                const char **cands = xmalloc((L->s->table_count + 1) * sizeof *cands);
                for (size_t k = 0; k < L->s->table_count; k++)
                    cands[k] = L->s->tables[k].name;
                char hint[96];
                suggestion(hint, sizeof hint, name, cands, L->s->table_count);
                free(cands);
                fail_at(L, koff, "table \"%s\" has no \"columns\" and is not in a base scenario%s",
                        name, hint);
                free(schema);
                free(name);
                GO_ON_OR_RETURN(L, rc);
                continue;
            }
            L->s->tables = xrealloc(L->s->tables, (L->s->table_count + 1) * sizeof *L->s->tables);
            t = &L->s->tables[L->s->table_count++];
            memset(t, 0, sizeof *t);
            t->schema = schema;
            t->name = name;
            t->in_schema_cache = true;
            t->pos = pos_at(L, koff);
        } else {
            free(schema);
            free(name);
        }
        if (apply_table(L, t, c, cn) != 0)
            GO_ON_OR_RETURN(L, rc);
    }
    return rc;
}

/* ---- auth ---- */

static bool uuid_ok(const char *s)
{
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return s[36] == '\0';
}

static int parse_user(loader_t *L, const cJSON *j, const jsonc_node_t *n, size_t index,
                      scenario_user_t *u)
{
    static const char *const keys[] = {
        "id",           "email",           "phone", "password", "user_metadata",
        "app_metadata", "email_confirmed", "role"};
    char where[160];
    snprintf(where, sizeof where, "user %zu of auth.users", index + 1);
    memset(u, 0, sizeof *u);
    u->email_confirmed = true;
    if (want_object(L, j, n, where) != 0)
        return -1;
    u->pos = pos_at(L, off_of(n));
    const jsonc_node_t *vn;
    const cJSON *v = member(j, n, "id", &vn);
    if (!v)
        return fail_at(L, off_of(n), "%s has no \"id\" (a UUID)", where);
    if (want_string(L, v, vn, "id", where, false, &u->id) != 0)
        return -1;
    if (!uuid_ok(u->id))
        return fail_at(L, off_of(vn),
                       "\"id\" in %s must be a UUID like "
                       "\"13ab4cf1-8587-4685-874b-c2d37beeab38\", not \"%s\"",
                       where, u->id);
    for (char *p = u->id; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    snprintf(where, sizeof where, "user \"%s\"", u->id);
    if (check_keys(L, j, n, keys, sizeof keys / sizeof keys[0], where) != 0)
        return -1;
    v = member(j, n, "email", &vn);
    if (!v)
        return fail_at(L, off_of(n), "%s has no \"email\"", where);
    if (want_string(L, v, vn, "email", where, false, &u->email) != 0)
        return -1;
    const char *at = strchr(u->email, '@');
    if (!at || at == u->email || at[1] == '\0' || strchr(at + 1, '@'))
        return fail_at(L, off_of(vn), "\"email\" in %s is not an email address: \"%s\"", where,
                       u->email);
    if ((v = member(j, n, "phone", &vn)) &&
        want_string(L, v, vn, "phone", where, false, &u->phone) != 0)
        return -1;
    if ((v = member(j, n, "password", &vn)) &&
        want_string(L, v, vn, "password", where, false, &u->password) != 0)
        return -1;
    if ((v = member(j, n, "email_confirmed", &vn)) &&
        want_bool(L, v, vn, "email_confirmed", where, &u->email_confirmed) != 0)
        return -1;
    if ((v = member(j, n, "role", &vn)) &&
        want_string(L, v, vn, "role", where, false, &u->role) != 0)
        return -1;
    if (!u->role)
        u->role = xstrdup("authenticated");
    const char *meta_keys[] = {"user_metadata", "app_metadata"};
    cJSON **meta[] = {&u->user_metadata, &u->app_metadata};
    for (int m = 0; m < 2; m++) {
        if ((v = member(j, n, meta_keys[m], &vn))) {
            char what[200];
            snprintf(what, sizeof what, "\"%s\" in %s", meta_keys[m], where);
            if (want_object(L, v, vn, what) != 0)
                return -1;
            *meta[m] = cJSON_Duplicate(v, true);
        }
    }
    if (!u->user_metadata)
        u->user_metadata = cJSON_CreateObject();
    if (!u->app_metadata) {
        /* GoTrue's raw_app_meta_data for an email signup. */
        u->app_metadata = cJSON_Parse("{\"provider\":\"email\",\"providers\":[\"email\"]}");
    }
    MOCK_ASSERT(u->user_metadata && u->app_metadata);
    return 0;
}

static int apply_users(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    if (want_array(L, j, n, "\"users\" in \"auth\"") != 0)
        return -1;
    scenario_t *s = L->s;
    bool *touched = xcalloc(s->user_count + (size_t)cJSON_GetArraySize(j) + 1, sizeof *touched);
    size_t i = 0;
    int rc = 0;
    for (const cJSON *c = j->child; c; c = c->next, i++) {
        const jsonc_node_t *cn = jsonc_child(n, i);
        scenario_user_t u;
        if (parse_user(L, c, cn, i, &u) != 0) {
            user_dispose(&u);
            rc = -1;
            break;
        }
        /* Linear scans: scenario user lists are small. */
        size_t at = s->user_count;
        for (size_t k = 0; k < s->user_count; k++) {
            if (strcmp(s->users[k].id, u.id) == 0)
                at = k;
        }
        const jsonc_node_t *vn;
        if (at < s->user_count && touched[at]) {
            member(c, cn, "id", &vn);
            rc = fail_at(L, off_of(vn), "user \"%s\" appears twice in auth.users", u.id);
        }
        for (size_t k = 0; rc == 0 && k < s->user_count; k++) {
            if (k != at && strcmp(s->users[k].email, u.email) == 0) {
                member(c, cn, "email", &vn);
                rc = fail_at(L, off_of(vn), "email \"%s\" is already used by user \"%s\"", u.email,
                             s->users[k].id);
            }
        }
        if (rc) {
            user_dispose(&u);
            break;
        }
        if (at == s->user_count) {
            s->users = xrealloc(s->users, (s->user_count + 1) * sizeof *s->users);
            s->user_count++;
        } else {
            user_dispose(&s->users[at]);
        }
        s->users[at] = u;
        touched[at] = true;
    }
    free(touched);
    return rc;
}

static int apply_on_signup(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    scenario_t *s = L->s;
    free(s->on_signup_table);
    cJSON_Delete(s->on_signup_values);
    s->on_signup_table = NULL;
    s->on_signup_values = NULL;
    s->on_signup_pos = (scenario_pos_t){0};
    if (cJSON_IsNull(j))
        return 0;
    static const char *const keys[] = {"table", "values"};
    const char *where = "auth.on_signup";
    if (want_object(L, j, n, where) != 0 || check_keys(L, j, n, keys, 2, where) != 0)
        return -1;
    const jsonc_node_t *vn;
    const cJSON *v = member(j, n, "table", &vn);
    if (!v)
        return fail_at(L, off_of(n), "auth.on_signup has no \"table\"");
    if (want_string(L, v, vn, "table", where, false, &s->on_signup_table) != 0)
        return -1;
    s->on_signup_pos = pos_at(L, off_of(vn));
    char *schema, *name;
    int bad = split_table_name(s->on_signup_table, &schema, &name);
    bool found = !bad && find_table(s, schema, name) != NULL;
    free(schema);
    free(name);
    if (!found)
        return fail_at(L, off_of(vn),
                       "auth.on_signup names table \"%s\", which is not in "
                       "\"tables\"",
                       s->on_signup_table);
    v = member(j, n, "values", &vn);
    if (!v)
        return fail_at(L, off_of(n), "auth.on_signup has no \"values\"");
    if (want_object(L, v, vn, "\"values\" in auth.on_signup") != 0)
        return -1;
    s->on_signup_values = cJSON_Duplicate(v, true);
    return 0;
}

/* auth.mfa: {"max_enrolled_factors": N, "totp": {"enroll_enabled": B,
 * "verify_enabled": B}}, config.toml's [auth.mfa] names. Keys given
 * override the base's. */
static int apply_mfa(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    static const char *const keys[] = {"max_enrolled_factors", "totp"};
    static const char *const totp_keys[] = {"enroll_enabled", "verify_enabled"};
    scenario_t *s = L->s;
    const char *where = "auth.mfa";
    if (want_object(L, j, n, where) != 0 || check_keys(L, j, n, keys, 2, where) != 0)
        return -1;
    const jsonc_node_t *vn, *tn;
    const cJSON *v = member(j, n, "max_enrolled_factors", &vn);
    if (v && want_int(L, v, vn, "max_enrolled_factors", where, 1, 1000,
                      &s->mfa_max_enrolled_factors) != 0)
        return -1;
    const cJSON *t = member(j, n, "totp", &tn);
    if (!t)
        return 0;
    where = "auth.mfa.totp";
    if (want_object(L, t, tn, where) != 0 || check_keys(L, t, tn, totp_keys, 2, where) != 0)
        return -1;
    if ((v = member(t, tn, "enroll_enabled", &vn)) &&
        want_bool(L, v, vn, "enroll_enabled", where, &s->mfa_totp_enroll_enabled) != 0)
        return -1;
    if ((v = member(t, tn, "verify_enabled", &vn)) &&
        want_bool(L, v, vn, "verify_enabled", where, &s->mfa_totp_verify_enabled) != 0)
        return -1;
    return 0;
}

/* ---- auth.signing_keys ---- */

/* Refuses (and frees) a key not of the kind alg needs: P-256 for ES256, RSA
 * of at least 2048 bits for RS256. */
static struct evp_pkey_st *check_key_kind(const loader_t *L, const jsonc_node_t *n,
                                          signing_key_alg_t alg, EVP_PKEY *k)
{
    const char *why = NULL;
    if (alg == SIGNING_KEY_ES256) {
        char curve[32] = "";
        if (!EVP_PKEY_is_a(k, "EC") ||
            !EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve,
                                            NULL) ||
            strcmp(curve, "prime256v1") != 0)
            why = "ES256 needs a P-256 (prime256v1) EC key";
    } else if (!EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_get_bits(k) < 2048) {
        why = "RS256 needs an RSA key of at least 2048 bits";
    }
    if (why) {
        EVP_PKEY_free(k);
        return fail_at(L, off_of(n), "\"private_key\": %s", why), NULL;
    }
    return k;
}

/* A PEM private key of the kind alg needs, or NULL after the error. */
static struct evp_pkey_st *load_pem_key(const loader_t *L, const jsonc_node_t *n,
                                        signing_key_alg_t alg, const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!k)
        return fail_at(L, off_of(n), "\"private_key\" is not a PEM private key"), NULL;
    return check_key_kind(L, n, alg, k);
}

/* base64url without padding (RFC 7515 2) into a BIGNUM; NULL when absent or
 * not base64url. */
static BIGNUM *jwk_bn(const cJSON *jwk, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(jwk, name);
    if (!cJSON_IsString(v))
        return NULL;
    size_t len = strlen(v->valuestring);
    if (len % 4 == 1)
        return NULL;
    size_t padded = (len + 3) / 4 * 4;
    unsigned char *in = xmalloc(padded + 1), *out = xmalloc(padded / 4 * 3 + 1);
    for (size_t i = 0; i < len; i++) {
        char c = v->valuestring[i];
        if (!(isalnum((unsigned char)c) || c == '-' || c == '_')) {
            free(in);
            free(out);
            return NULL;
        }
        in[i] = (unsigned char)(c == '-' ? '+' : c == '_' ? '/' : c);
    }
    memset(in + len, '=', padded - len);
    int n = padded ? EVP_DecodeBlock(out, in, (int)padded) : -1;
    BIGNUM *bn = n > 0 ? BN_bin2bn(out, n - (int)(padded - len), NULL) : NULL;
    free(in);
    free(out);
    return bn;
}

/* A private JWK as the Supabase CLI's signing keys file holds them (kty EC
 * with crv P-256, d, x, y; kty RSA with n, e, d, p, q, dp, dq, qi), or NULL
 * after the error. */
static struct evp_pkey_st *load_jwk_key(const loader_t *L, const jsonc_node_t *n,
                                        signing_key_alg_t alg, const cJSON *jwk)
{
    const cJSON *kty = cJSON_GetObjectItemCaseSensitive(jwk, "kty");
    bool ec = alg == SIGNING_KEY_ES256;
    const char *want = ec ? "EC" : "RSA";
    if (!cJSON_IsString(kty) || strcmp(kty->valuestring, want) != 0)
        return fail_at(L, off_of(n), "\"private_key\" JWK for %s needs \"kty\": \"%s\"",
                       ec ? "ES256" : "RS256", want),
               NULL;
    static const char *const ec_names[] = {"d", "x", "y"};
    static const char *const rsa_names[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
    static const char *const rsa_params[] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    const char *const *names = ec ? ec_names : rsa_names;
    size_t count = ec ? 3 : 8;
    BIGNUM *bn[8] = {0};
    const char *missing = NULL;
    for (size_t i = 0; i < count; i++)
        if (!(bn[i] = jwk_bn(jwk, names[i])) && !missing)
            missing = names[i];
    const cJSON *crv = cJSON_GetObjectItemCaseSensitive(jwk, "crv");
    EVP_PKEY *k = NULL;
    if (missing) {
        fail_at(L, off_of(n), "\"private_key\" JWK needs \"%s\" (base64url)", missing);
    } else if (ec && (!cJSON_IsString(crv) || strcmp(crv->valuestring, "P-256") != 0)) {
        fail_at(L, off_of(n), "\"private_key\": ES256 needs a P-256 (prime256v1) EC key");
    } else {
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        unsigned char point[65];
        if (ec) {
            point[0] = 0x04; /* uncompressed: 04 || x || y */
            BN_bn2binpad(bn[1], point + 1, 32);
            BN_bn2binpad(bn[2], point + 33, 32);
            OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn[0]);
            OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point);
        } else {
            for (size_t i = 0; i < count; i++)
                OSSL_PARAM_BLD_push_BN(bld, rsa_params[i], bn[i]);
        }
        OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, want, NULL);
        if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
            EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEYPAIR, params) <= 0)
            k = NULL;
        EVP_PKEY_CTX_free(ctx);
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
        ERR_clear_error();
        if (!k)
            fail_at(L, off_of(n), "\"private_key\" JWK is not a valid %s key", want);
    }
    for (size_t i = 0; i < count; i++)
        BN_clear_free(bn[i]);
    return k ? check_key_kind(L, n, alg, k) : NULL;
}

static void fingerprint_signing_keys(scenario_t *s)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    for (size_t i = 0; i < s->signing_key_count; i++) {
        const signing_key_t *k = &s->signing_keys[i];
        if (k->status == SIGNING_KEY_REVOKED)
            continue;
        const char *alg = signing_key_alg_name(k->alg);
        EVP_DigestUpdate(md, k->kid, strlen(k->kid) + 1);
        EVP_DigestUpdate(md, alg, strlen(alg) + 1);
        if (k->secret) {
            EVP_DigestUpdate(md, k->secret, strlen(k->secret) + 1);
        } else {
            unsigned char *der = NULL;
            int len = i2d_PUBKEY(k->pkey, &der);
            if (len > 0)
                EVP_DigestUpdate(md, der, (size_t)len);
            OPENSSL_free(der);
        }
    }
    unsigned char d[32];
    unsigned int dn = 0;
    EVP_DigestFinal_ex(md, d, &dn);
    EVP_MD_CTX_free(md);
    char *hex = xmalloc(2 * sizeof d + 1);
    for (unsigned int i = 0; i < dn; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    s->signing_keys_fingerprint = hex;
}

static int apply_signing_key(loader_t *L, const cJSON *j, const jsonc_node_t *n, signing_key_t *k)
{
    static const char *const keys[] = {"kid", "alg", "status", "private_key", "secret"};
    static const char *const algs[] = {"HS256", "ES256", "RS256"};
    static const char *const statuses[] = {"current", "previous", "revoked"};
    const char *where = "a signing key";
    if (want_object(L, j, n, where) != 0 ||
        check_keys(L, j, n, keys, sizeof keys / sizeof keys[0], where) != 0)
        return -1;
    const jsonc_node_t *vn;
    const cJSON *v;
    if (!(v = member(j, n, "kid", &vn)))
        return fail_at(L, off_of(n), "a signing key needs \"kid\"");
    if (want_string(L, v, vn, "kid", where, false, &k->kid) != 0)
        return -1;
    if (!(v = member(j, n, "alg", &vn)))
        return fail_at(L, off_of(n), "signing key \"%s\" needs \"alg\"", k->kid);
    int alg = want_choice(L, v, vn, "\"alg\"", algs, 3);
    if (alg < 0)
        return -1;
    k->alg = (signing_key_alg_t)alg;
    if (!(v = member(j, n, "status", &vn)))
        return fail_at(L, off_of(n), "signing key \"%s\" needs \"status\"", k->kid);
    int st = want_choice(L, v, vn, "\"status\"", statuses, 3);
    if (st < 0)
        return -1;
    k->status = (signing_key_status_t)st;
    const jsonc_node_t *pn, *sn;
    const cJSON *pem = member(j, n, "private_key", &pn);
    const cJSON *secret = member(j, n, "secret", &sn);
    if (k->alg == SIGNING_KEY_HS256) {
        if (pem || !secret)
            return fail_at(L, off_of(n),
                           "HS256 signing key \"%s\" takes \"secret\", not "
                           "\"private_key\"",
                           k->kid);
        if (want_string(L, secret, sn, "secret", where, false, &k->secret) != 0)
            return -1;
        if (strlen(k->secret) < 32)
            return fail_at(L, off_of(sn),
                           "\"secret\" must be at least 32 characters long "
                           "(PostgREST rejects shorter HS256 secrets)");
        return 0;
    }
    if (secret || !pem)
        return fail_at(L, off_of(n),
                       "%s signing key \"%s\" takes \"private_key\" (PEM), not "
                       "\"secret\"",
                       algs[alg], k->kid);
    if (cJSON_IsObject(pem))
        k->pkey = load_jwk_key(L, pn, k->alg, pem);
    else if (cJSON_IsString(pem))
        k->pkey = load_pem_key(L, pn, k->alg, pem->valuestring);
    else
        return fail_at(L, off_of(pn),
                       "\"private_key\" must be a PEM string or a private JWK object, not %s",
                       kind_of(pem));
    return k->pkey ? 0 : -1;
}

/* The whole list replaces the base's; exactly one key is "current", and kids
 * are unique (GoTrue keeps its keys in a map by kid and signs with the one
 * key whose key_ops include "sign"). */
static int apply_signing_keys(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    if (want_array(L, j, n, "\"signing_keys\"") != 0)
        return -1;
    scenario_t *s = L->s;
    signing_keys_free(s);
    size_t count = (size_t)cJSON_GetArraySize(j);
    if (count == 0)
        return 0;
    s->signing_keys = xcalloc(count, sizeof *s->signing_keys);
    size_t i = 0, current = 0;
    for (const cJSON *c = j->child; c; c = c->next, i++) {
        const jsonc_node_t *cn = jsonc_child(n, i);
        signing_key_t *k = &s->signing_keys[i];
        s->signing_key_count = i + 1;
        if (apply_signing_key(L, c, cn, k) != 0)
            return -1;
        for (size_t o = 0; o < i; o++)
            if (strcmp(s->signing_keys[o].kid, k->kid) == 0)
                return fail_at(L, off_of(cn), "signing key \"%s\" is listed twice", k->kid);
        current += k->status == SIGNING_KEY_CURRENT;
    }
    if (current != 1)
        return fail_at(L, off_of(n),
                       "\"signing_keys\" needs exactly one \"current\" key (found %zu)", current);
    fingerprint_signing_keys(s);
    return 0;
}

static int apply_auth(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    static const char *const keys[] = {"jwt_secret",
                                       "anon_key",
                                       "service_role_key",
                                       "publishable_key",
                                       "secret_key",
                                       "users",
                                       "on_signup",
                                       "confirm_email",
                                       "signing_keys",
                                       "enable_anonymous_sign_ins",
                                       "mfa",
                                       "site_url",
                                       "secure_password_change"};
    const char *where = "\"auth\"";
    if (want_object(L, j, n, where) != 0 ||
        check_keys(L, j, n, keys, sizeof keys / sizeof keys[0], where) != 0)
        return -1;
    scenario_t *s = L->s;
    const jsonc_node_t *vn;
    const cJSON *v;
    if ((v = member(j, n, "jwt_secret", &vn))) {
        if (want_string(L, v, vn, "jwt_secret", where, false, &s->jwt_secret) != 0)
            return -1;
        /* PostgREST refuses HS256 secrets shorter than 32 characters (its
         * jwt-secret documentation; jose wants a 256-bit key). */
        if (strlen(s->jwt_secret) < 32)
            return fail_at(L, off_of(vn),
                           "\"jwt_secret\" must be at least 32 characters long (PostgREST "
                           "rejects shorter HS256 secrets)");
    }
    struct {
        const char *key;
        char **field;
        const char *prefix;
    } strs[] = {{"anon_key", &s->anon_key, NULL},
                {"service_role_key", &s->service_role_key, NULL},
                {"publishable_key", &s->publishable_key, "sb_publishable_"},
                {"secret_key", &s->secret_key, "sb_secret_"}};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        if (!(v = member(j, n, strs[i].key, &vn)))
            continue;
        if (want_string(L, v, vn, strs[i].key, where, false, strs[i].field) != 0)
            return -1;
        if (strs[i].prefix && strncmp(*strs[i].field, strs[i].prefix, strlen(strs[i].prefix)))
            return fail_at(L, off_of(vn),
                           "\"%s\" must start with \"%s\" (the gateway tells key "
                           "kinds apart by prefix)",
                           strs[i].key, strs[i].prefix);
    }
    if ((v = member(j, n, "confirm_email", &vn)) &&
        want_bool(L, v, vn, "confirm_email", where, &s->confirm_email) != 0)
        return -1;
    if ((v = member(j, n, "secure_password_change", &vn)) &&
        want_bool(L, v, vn, "secure_password_change", where, &s->secure_password_change) != 0)
        return -1;
    if ((v = member(j, n, "site_url", &vn)) &&
        want_string(L, v, vn, "site_url", where, false, &s->site_url) != 0)
        return -1;
    if ((v = member(j, n, "mfa", &vn)) && apply_mfa(L, v, vn) != 0)
        return -1;
    if ((v = member(j, n, "enable_anonymous_sign_ins", &vn)) &&
        want_bool(L, v, vn, "enable_anonymous_sign_ins", where, &s->enable_anonymous_sign_ins) != 0)
        return -1;
    if ((v = member(j, n, "users", &vn)) && apply_users(L, v, vn) != 0)
        return -1;
    if ((v = member(j, n, "on_signup", &vn)) && apply_on_signup(L, v, vn) != 0)
        return -1;
    if ((v = member(j, n, "signing_keys", &vn)) && apply_signing_keys(L, v, vn) != 0)
        return -1;
    return 0;
}

/* ---- postgrest, clock, schema cache, rules ---- */

static int apply_postgrest(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    static const char *const keys[] = {"db_schemas",      "db_max_rows",
                                       "db_tx_end",       "db_aggregates_enabled",
                                       "db_plan_enabled", "openapi_mode"};
    static const char *const openapi_modes[] = {"follow-privileges", "ignore-privileges",
                                                "disabled"};
    static const char *const tx_ends[] = {"commit", "commit-allow-override", "rollback",
                                          "rollback-allow-override"};
    const char *where = "\"postgrest\"";
    if (want_object(L, j, n, where) != 0 ||
        check_keys(L, j, n, keys, sizeof keys / sizeof keys[0], where) != 0)
        return -1;
    scenario_t *s = L->s;
    const jsonc_node_t *vn;
    const cJSON *v;
    if ((v = member(j, n, "db_schemas", &vn))) {
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
            return fail_at(L, off_of(vn),
                           "\"db_schemas\" in \"postgrest\" must be a non-empty array of schema "
                           "names");
        size_t count = (size_t)cJSON_GetArraySize(v), k = 0;
        char **names = xcalloc(count, sizeof *names);
        for (const cJSON *c = v->child; c; c = c->next, k++) {
            const jsonc_node_t *cn = jsonc_child(vn, k);
            int rc = 0;
            if (!cJSON_IsString(c) || c->valuestring[0] == '\0')
                rc = fail_at(L, off_of(cn), "\"db_schemas\" must hold schema names, not %s",
                             cJSON_IsString(c) ? "an empty string" : kind_of(c));
            for (size_t m = 0; rc == 0 && m < k; m++) {
                if (strcmp(names[m], c->valuestring) == 0)
                    rc = fail_at(L, off_of(cn), "schema \"%s\" is listed twice in \"db_schemas\"",
                                 c->valuestring);
            }
            if (rc) {
                free_strings(names, k);
                return -1;
            }
            names[k] = xstrdup(c->valuestring);
        }
        free_strings(s->db_schemas, s->db_schema_count);
        s->db_schemas = names;
        s->db_schema_count = count;
    }
    if ((v = member(j, n, "db_max_rows", &vn))) {
        if (cJSON_IsNull(v))
            s->db_max_rows = -1;
        else if (want_int(L, v, vn, "db_max_rows", where, 0, INT32_MAX, &s->db_max_rows) != 0)
            return -1;
    }
    if ((v = member(j, n, "db_tx_end", &vn))) {
        int k = want_choice(L, v, vn, "\"db_tx_end\" in \"postgrest\"", tx_ends, 4);
        if (k < 0)
            return -1;
        s->db_tx_end = (scenario_tx_end_t)k;
    }
    if ((v = member(j, n, "db_aggregates_enabled", &vn)) &&
        want_bool(L, v, vn, "db_aggregates_enabled", where, &s->db_aggregates_enabled) != 0)
        return -1;
    if ((v = member(j, n, "db_plan_enabled", &vn)) &&
        want_bool(L, v, vn, "db_plan_enabled", where, &s->db_plan_enabled) != 0)
        return -1;
    if ((v = member(j, n, "openapi_mode", &vn))) {
        int k = want_choice(L, v, vn, "\"openapi_mode\" in \"postgrest\"", openapi_modes, 3);
        if (k < 0)
            return -1;
        s->openapi_mode = (scenario_openapi_mode_t)k;
    }
    return 0;
}

static int apply_clock(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    scenario_t *s = L->s;
    s->clock_pos = pos_at(L, off_of(n));
    if (cJSON_IsNull(j) || (cJSON_IsString(j) && strcmp(j->valuestring, "real") == 0)) {
        s->clock_real = true;
        s->clock_start_us = 0;
        return 0;
    }
    if (!cJSON_IsString(j) || scenario_parse_time(j->valuestring, &s->clock_start_us) != 0)
        return fail_at(L, off_of(n),
                       "\"clock\" must be \"real\" or an ISO 8601 time such as "
                       "\"2026-01-01T00:00:00Z\" or \"2026-01-01T09:30:00.5+02:00\", not %s%s%s",
                       cJSON_IsString(j) ? "\"" : "",
                       cJSON_IsString(j) ? j->valuestring : kind_of(j),
                       cJSON_IsString(j) ? "\"" : "");
    s->clock_real = false;
    return 0;
}

static int apply_schema_cache(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    static const char *const keys[] = {"auto_reload_after_ms"};
    const char *where = "\"schema_cache\"";
    if (want_object(L, j, n, where) != 0 || check_keys(L, j, n, keys, 1, where) != 0)
        return -1;
    const jsonc_node_t *vn;
    const cJSON *v = member(j, n, "auto_reload_after_ms", &vn);
    if (!v)
        return 0;
    if (cJSON_IsNull(v)) {
        L->s->auto_reload = false;
        L->s->auto_reload_after_ms = 0;
        return 0;
    }
    if (want_int(L, v, vn, "auto_reload_after_ms", where, 0, INT64_C(1) << 50,
                 &L->s->auto_reload_after_ms) != 0)
        return -1;
    L->s->auto_reload = true;
    return 0;
}

static void add_rule_field(loader_t *L, size_t rule, const char *path, const jsonc_node_t *vn)
{
    scenario_t *s = L->s;
    s->rule_fields = xrealloc(s->rule_fields, (s->rule_field_count + 1) * sizeof *s->rule_fields);
    s->rule_fields[s->rule_field_count++] =
        (struct scenario_rule_field){rule, xstrdup(path), pos_at(L, off_of(vn))};
}

/* The positions of a rule's keys and of the keys of its match and respond
 * objects: rules.c compiles the rule later from the cJSON copy, which has
 * none. Bounded by the rule's size (the file's). */
static void record_rule_fields(loader_t *L, size_t rule, const cJSON *r, const jsonc_node_t *rn)
{
    size_t i = 0;
    for (const cJSON *e = r->child; e; e = e->next, i++) {
        const jsonc_node_t *en = jsonc_child(rn, i);
        add_rule_field(L, rule, e->string, en);
        bool nested = strcmp(e->string, "match") == 0 || strcmp(e->string, "respond") == 0;
        if (!cJSON_IsObject(e) || !nested)
            continue;
        size_t k = 0;
        for (const cJSON *f = e->child; f; f = f->next, k++) {
            char path[256];
            snprintf(path, sizeof path, "%s.%s", e->string, f->string);
            add_rule_field(L, rule, path, jsonc_child(en, k));
        }
    }
}

scenario_pos_t scenario_rule_field_pos(const scenario_t *s, size_t rule, const char *path)
{
    for (size_t i = 0; i < s->rule_field_count; i++)
        if (s->rule_fields[i].rule == rule && strcmp(s->rule_fields[i].path, path) == 0)
            return s->rule_fields[i].pos;
    return s->rule_pos ? s->rule_pos[rule] : (scenario_pos_t){0};
}

static int apply_rules(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    if (want_array(L, j, n, "\"rules\"") != 0)
        return -1;
    scenario_t *s = L->s;
    size_t old = s->rules ? (size_t)cJSON_GetArraySize(s->rules) : 0;
    size_t add = (size_t)cJSON_GetArraySize(j);
    size_t i = 0;
    for (const cJSON *r = j->child; r; r = r->next, i++) {
        if (!cJSON_IsObject(r))
            return fail_at(L, off_of(jsonc_child(n, i)), "rule %zu must be an object, not %s",
                           i + 1, kind_of(r));
    }
    if (!s->rules)
        s->rules = cJSON_CreateArray();
    MOCK_ASSERT(s->rules);
    s->rule_pos = xrealloc(s->rule_pos, (old + add + 1) * sizeof *s->rule_pos);
    i = 0;
    for (const cJSON *r = j->child; r; r = r->next, i++) {
        cJSON *copy = cJSON_Duplicate(r, true);
        MOCK_ASSERT(copy && cJSON_AddItemToArray(s->rules, copy));
        s->rule_pos[old + i] = pos_at(L, off_of(jsonc_child(n, i)));
        record_rule_fields(L, old + i, r, jsonc_child(n, i));
    }
    return 0;
}

/* ---- files and extends ---- */

/* Where scenario files may come from. A file named on the command line may be
 * anywhere: the developer chose it. Everything a load reaches beyond that, a
 * base through `extends` or a name sent to the admin API, must resolve (after
 * symbolic links, by realpath) inside the folder of the file the load started
 * from or inside a scenario root. A scenario, or a request to the admin API,
 * thereby cannot make the server read files elsewhere on the machine.
 *
 * The roots, in the order a NAME is looked for:
 *   1. scenarios/ under the current directory (a checkout, or a project's own
 *      scenarios beside its tests), so local files win;
 *   2. ../share/supamock/scenarios from the folder of the running binary, so an
 *      unpacked tarball or a .deb (prefix /usr) finds its own scenarios
 *      wherever it lives;
 *   3. the data directory compiled in (cmake --install's prefix), for a binary
 *      copied away from its install tree.
 * Fills roots with heap strings (the caller frees each) and returns how many;
 * a root spelt like an earlier one is left out. */
#define SCENARIO_ROOT_MAX 3
static size_t scenario_roots(char *roots[SCENARIO_ROOT_MAX])
{
    size_t n = 0;
    roots[n++] = xstrdup("scenarios");
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        /* /PREFIX/bin/supamock -> /PREFIX */
        for (int up = 0; up < 2; up++) {
            char *slash = strrchr(exe, '/');
            if (slash)
                *slash = '\0';
        }
        roots[n++] = xasprintf("%s/share/supamock/scenarios", exe);
    }
    const char *installed = MOCK_DATADIR "/scenarios";
    if (n < 2 || strcmp(roots[1], installed) != 0)
        roots[n++] = xstrdup(installed);
    return n;
}

static void scenario_roots_free(char *roots[SCENARIO_ROOT_MAX], size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(roots[i]);
}

/* The files of an extends chain being loaded, outermost first, as canonical
 * ids (realpath, or the built-in name); owned. */
typedef struct chain {
    char *ids[MAX_EXTENDS_DEPTH + 1];
    char *names[MAX_EXTENDS_DEPTH + 1]; /* as shown in messages */
    size_t n;
    /* The realpath of the folder of the file the load started from; NULL for
     * text from memory (a body sent to the admin API), which has no folder and
     * may extend only scenarios found by name under the roots. */
    char *folder;
    scenario_errors_t *all; /* scenario_load_all's collector, or NULL */
} chain_t;

static void chain_dispose(chain_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->ids[i]);
        free(c->names[i]);
    }
    c->n = 0;
    free(c->folder);
    c->folder = NULL;
}

/* realpath(3) through xalloc: its buffer is malloc'd outside xalloc. NULL with
 * errno set when the path does not resolve. */
static char *real_path(const char *path)
{
    char *real = realpath(path, NULL);
    if (!real)
        return NULL;
    char *copy = xstrdup(real);
    free(real);
    return copy;
}

static char *file_id(const char *file)
{
    if (strcmp(file, BUILTIN_DEFAULT_FILE) == 0)
        return xstrdup(file);
    char *real = real_path(file);
    return real ? real : xstrdup(file);
}

/* The realpath of the folder holding `file`, or NULL. */
static char *real_folder(const char *file)
{
    char *real = real_path(file);
    if (!real)
        return NULL;
    char *slash = strrchr(real, '/');
    if (slash == real)
        slash[1] = '\0'; /* a file in "/" */
    else if (slash)
        *slash = '\0';
    return real;
}

/* True when the canonical path `real` lies strictly inside the canonical
 * folder `dir` (a prefix ending at a '/', so "/a/bc" is not inside "/a/b"). */
static bool path_within(const char *real, const char *dir)
{
    size_t n = strlen(dir);
    if (n > 0 && dir[n - 1] == '/')
        n--; /* "/" itself */
    return strncmp(real, dir, n) == 0 && real[n] == '/';
}

static bool allowed_place(const char *real, const chain_t *chain)
{
    if (chain->folder && path_within(real, chain->folder))
        return true;
    char *roots[SCENARIO_ROOT_MAX];
    size_t nroots = scenario_roots(roots);
    bool inside = false;
    for (size_t i = 0; i < nroots && !inside; i++) {
        char *root = real_path(roots[i]);
        inside = root && path_within(real, root);
        free(root);
    }
    scenario_roots_free(roots, nroots);
    return inside;
}

bool scenario_name_valid(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return n > 0 && n <= SCENARIO_NAME_MAX;
}

/* Reads a whole regular file up to MOCK_MAX_SCENARIO_BYTES. Returns 0 with
 * *text (heap, NUL-terminated) and *len, or -1 with a message in why that
 * never quotes the file's bytes. Symbolic links are resolved by realpath
 * first (callers check where they lead) and the open follows none, so the
 * checked file cannot be swapped for a link in between. O_NONBLOCK because
 * opening a FIFO for reading waits for a writer, and the whole server runs on
 * one event loop; fstat then refuses anything but a regular file (FIFOs,
 * devices, /proc/self/fd/N of a pipe) before a byte is read. */
static int read_file(const char *path, char **text, size_t *len, char *why, size_t why_len)
{
    char *real = real_path(path);
    if (!real) {
        snprintf(why, why_len, "cannot open: %s", strerror(errno));
        return -1;
    }
    int fd = open(real, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    int open_errno = errno;
    free(real);
    if (fd < 0) {
        snprintf(why, why_len, "cannot open: %s", strerror(open_errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(why, why_len, "cannot open: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "not a regular file");
        close(fd);
        return -1;
    }
    /* One byte over the cap tells a file of exactly the cap from a larger one
     * (the size may change while it is read). */
    size_t limit = (size_t)MOCK_MAX_SCENARIO_BYTES + 1;
    size_t cap = st.st_size >= 0 && (uint64_t)st.st_size < limit ? (size_t)st.st_size + 1 : limit;
    size_t n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap == limit)
                break;
            cap = cap * 2 > limit ? limit : cap * 2;
            buf = xrealloc(buf, cap + 1);
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(why, why_len, "read error: %s", strerror(errno));
            free(buf);
            close(fd);
            return -1;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (n > MOCK_MAX_SCENARIO_BYTES) {
        snprintf(why, why_len, "file is larger than %d bytes", MOCK_MAX_SCENARIO_BYTES);
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

static bool looks_like_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') != NULL || (n >= 5 && strcmp(s + n - 5, ".json") == 0);
}

/* Where NAME is looked for: next to `from` (a file of the chain, when the
 * chain started from a file), ./scenarios, then the installed data directory.
 * Returns a heap path, BUILTIN_DEFAULT_FILE for "default" when no file exists,
 * or NULL with a message in why. A candidate that exists but resolves outside
 * the allowed places is an error, not a silent skip. */
static char *resolve_name(const char *name, const char *from, const chain_t *chain, char *why,
                          size_t why_len)
{
    if (!scenario_name_valid(name)) {
        snprintf(why, why_len,
                 "\"%.200s\" is not a scenario name (letters, digits, '-' and '_') nor a path "
                 "to a .json file",
                 name);
        return NULL;
    }
    char *cands[1 + SCENARIO_ROOT_MAX];
    size_t nc = 0;
    if (from && chain->folder) {
        const char *slash = strrchr(from, '/');
        if (slash)
            cands[nc++] = xasprintf("%.*s/%s.json", (int)(slash - from), from, name);
        else
            cands[nc++] = xasprintf("%s.json", name);
    }
    char *roots[SCENARIO_ROOT_MAX];
    size_t nroots = scenario_roots(roots);
    for (size_t i = 0; i < nroots; i++)
        cands[nc++] = xasprintf("%s/%s.json", roots[i], name);
    scenario_roots_free(roots, nroots);
    char *found = NULL;
    char tried[1024] = "";
    bool outside = false;
    for (size_t i = 0; i < nc; i++) {
        struct stat st;
        if (!found && !outside && stat(cands[i], &st) == 0) {
            char *real = real_path(cands[i]);
            if (real && allowed_place(real, chain)) {
                found = cands[i];
            } else {
                snprintf(why, why_len, "scenario \"%s\" (%s) resolves outside the scenario folders",
                         name, cands[i]);
                outside = true;
                free(cands[i]);
            }
            free(real);
            continue;
        }
        size_t used = strlen(tried);
        snprintf(tried + used, sizeof tried - used, "%s%s", used ? ", " : "", cands[i]);
        free(cands[i]);
    }
    if (outside)
        return NULL;
    if (!found && strcmp(name, "default") == 0)
        found = xstrdup(BUILTIN_DEFAULT_FILE);
    if (!found)
        snprintf(why, why_len, "looked for %s", tried);
    return found;
}

/* The path an `extends` value names, relative to the extending file. */
static char *resolve_relative(const char *value, const char *from)
{
    const char *slash = strrchr(from, '/');
    if (!slash)
        return xstrdup(value);
    return xasprintf("%.*s/%s", (int)(slash - from), from, value);
}

/* The file an `extends` value names, or NULL with a message in why. */
static char *resolve_base(const char *value, const char *from, const chain_t *chain, char *why,
                          size_t why_len)
{
    if (!looks_like_path(value)) {
        char where[1100];
        char *path = resolve_name(value, from, chain, where, sizeof where);
        if (!path && strncmp(where, "looked for ", 11) == 0)
            snprintf(why, why_len, "cannot find base scenario \"%s\" (%s)", value, where);
        else if (!path)
            snprintf(why, why_len, "\"extends\": %s", where);
        return path;
    }
    if (!chain->folder) {
        snprintf(why, why_len,
                 "\"extends\" in a scenario that is not a file must be a scenario name, not a "
                 "path (\"%.200s\")",
                 value);
        return NULL;
    }
    if (value[0] == '/') {
        snprintf(why, why_len,
                 "\"extends\" must be a scenario name or a path relative to this file, not an "
                 "absolute path (\"%.200s\")",
                 value);
        return NULL;
    }
    char *path = resolve_relative(value, from);
    char *real = real_path(path);
    if (!real) {
        snprintf(why, why_len, "cannot find base scenario file \"%s\" (looked for %s)", value,
                 path);
        free(path);
        return NULL;
    }
    bool ok = allowed_place(real, chain);
    free(real);
    if (!ok) {
        snprintf(why, why_len,
                 "base scenario file \"%s\" is outside this scenario's folder and the scenario "
                 "folders",
                 value);
        free(path);
        return NULL;
    }
    return path;
}

static int load_chain(const char *file, const char *text, size_t len, chain_t *chain,
                      scenario_t **out, scenario_error_t *err);

/* ---- "sql": the schema as SQL files ---- */

/* An error found in another file (a SQL file's syntax error): kept like
 * fail_at's. */
static int fail_with(const loader_t *L, const scenario_error_t *e)
{
    if (!L->all || L->all->count + L->all->more == 0)
        *L->err = *e;
    if (L->all)
        scenario_errors_add(L->all, e);
    return -1;
}

static const char *sql_type_problem(const scenario_t *s, const char *type, char *buf, size_t len)
{
    scenario_error_t scratch;
    jsonc_doc_t none;
    memset(&none, 0, sizeof none);
    loader_t L = {(scenario_t *)s, &scratch, &none, "", NULL, NULL};
    if (check_type(&L, JSONC_NO_OFFSET, type, "a column") == 0)
        return NULL;
    snprintf(buf, len, "type %s", type);
    return buf;
}

static scenario_table_t *sql_add_table(scenario_t *s, char *schema, char *name)
{
    s->tables = xrealloc(s->tables, (s->table_count + 1) * sizeof *s->tables);
    scenario_table_t *t = &s->tables[s->table_count++];
    memset(t, 0, sizeof *t);
    t->schema = schema;
    t->name = name;
    t->in_schema_cache = true;
    return t;
}

/* Reads one SQL file the scenario names and applies what it models. */
static int apply_sql_file(loader_t *L, scenario_sql_host_t *host, const char *path,
                          size_t value_off)
{
    char *real = real_path(path);
    if (!real || !allowed_place(real, L->chain)) {
        free(real);
        return fail_at(L, value_off,
                       "SQL file \"%s\" is outside this scenario's folder and the scenario "
                       "folders",
                       path);
    }
    free(real);
    char *text;
    size_t len;
    char why[160];
    if (read_file(path, &text, &len, why, sizeof why) != 0)
        return fail_at(L, value_off, "SQL file \"%s\": %s", path, why);
    if (memchr(text, '\0', len)) {
        free(text);
        return fail_at(L, value_off, "SQL file \"%s\" holds a NUL byte", path);
    }
    scenario_t *s = L->s;
    add_file(s, path);
    const char *file = s->files[s->file_count - 1];
    s->sql_files = xrealloc(s->sql_files, (s->sql_file_count + 1) * sizeof *s->sql_files);
    s->sql_files[s->sql_file_count++] = (scenario_sql_file_t){file, text};
    scenario_error_t e;
    memset(&e, 0, sizeof e);
    if (scenario_sql_apply(host, file, text, &e) != 0)
        return fail_with(L, &e);
    return 0;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files a "sql" entry names: a path, or a path whose last component holds
 * '*' (supabase/migrations/ then *.sql), matched against the entries of that
 * folder (no recursion, no hidden files) and sorted bytewise, as `supabase db
 * reset` orders migrations by file name. */
static int list_sql_files(const char *pattern, char ***out, size_t *count, char *why,
                          size_t why_len)
{
    *out = NULL;
    *count = 0;
    const char *slash = strrchr(pattern, '/');
    const char *base = slash ? slash + 1 : pattern;
    if (strchr(pattern, '*') && strchr(pattern, '*') < base) {
        snprintf(why, why_len, "only the file name may hold '*'");
        return -1;
    }
    if (!strchr(base, '*')) {
        *out = xcalloc(1, sizeof **out);
        (*out)[(*count)++] = xstrdup(pattern);
        return 0;
    }
    char *dir = slash ? xstrndup(pattern, (size_t)(slash - pattern)) : xstrdup(".");
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(why, why_len, "cannot open folder: %s", strerror(errno));
        free(dir);
        return -1;
    }
    size_t cap = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.' || !glob_match(base, de->d_name))
            continue;
        if (*count == MOCK_MAX_SQL_FILES + 1)
            break; /* the caller reports the excess */
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        (*out)[(*count)++] = xasprintf("%s/%s", dir, de->d_name);
    }
    closedir(d);
    free(dir);
    if (*count)
        qsort(*out, *count, sizeof **out, compare_paths);
    return 0;
}

static int apply_sql(loader_t *L, const cJSON *j, const jsonc_node_t *n)
{
    if (want_array(L, j, n, "\"sql\"") != 0)
        return -1;
    if (!L->chain || !L->chain->folder)
        return fail_at(L, off_of(n),
                       "\"sql\" in a scenario that is not a file: its paths are relative to the "
                       "scenario file");
    int rc = 0;
    size_t i = 0;
    /* One session for all the files: a SET search_path carries over. */
    scenario_sql_host_t host = {
        L->s, sql_type_problem, find_table, sql_add_table, {0}, 0, NULL, NULL, 0};
    for (const cJSON *e = j->child; e; e = e->next, i++) {
        size_t off = off_of(jsonc_child(n, i));
        if (!cJSON_IsString(e) || !e->valuestring[0] || e->valuestring[0] == '/') {
            fail_at(L, off,
                    "\"sql\" lists paths relative to the scenario file (globs allowed), "
                    "not %s",
                    cJSON_IsString(e) ? "an absolute or empty path" : kind_of(e));
            rc = -1;
            if (!L->all)
                break;
            continue;
        }
        char *pattern = resolve_relative(e->valuestring, L->file);
        char **paths = NULL;
        size_t count = 0;
        char why[200];
        bool failed = true;
        if (list_sql_files(pattern, &paths, &count, why, sizeof why) != 0)
            fail_at(L, off, "\"sql\": %s (\"%s\")", why, e->valuestring);
        else if (count == 0)
            fail_at(L, off, "no SQL file matches \"%s\"", e->valuestring);
        else if (L->s->sql_file_count + count > MOCK_MAX_SQL_FILES)
            fail_at(L, off, "more than %d SQL files", MOCK_MAX_SQL_FILES);
        else
            failed = false;
        /* A file with an error ends the list: later migrations build on it. */
        for (size_t k = 0; !failed && k < count; k++)
            failed = apply_sql_file(L, &host, paths[k], off) != 0;
        free_strings(paths, count);
        free(pattern);
        if (failed)
            rc = -1;
        if (failed && !L->all)
            break;
    }
    scenario_sql_host_dispose(&host);
    return rc;
}

static int load_extends(loader_t *L, const cJSON *v, const jsonc_node_t *vn, chain_t *chain,
                        scenario_t **base)
{
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
        return fail_at(L, off_of(vn),
                       "\"extends\" must be a scenario name or a path to a .json file, not %s",
                       cJSON_IsString(v) ? "an empty string" : kind_of(v));
    char why[1200];
    char *path = resolve_base(v->valuestring, L->file, chain, why, sizeof why);
    if (!path)
        return fail_at(L, off_of(vn), "%s", why);
    char *id = file_id(path);
    for (size_t i = 0; i < chain->n; i++) {
        if (strcmp(chain->ids[i], id) != 0)
            continue;
        char cycle[400] = "";
        for (size_t k = i; k < chain->n; k++) {
            size_t used = strlen(cycle);
            snprintf(cycle + used, sizeof cycle - used, "%s -> ", chain->names[k]);
        }
        size_t used = strlen(cycle);
        snprintf(cycle + used, sizeof cycle - used, "%s", path);
        fail_at(L, off_of(vn), "\"extends\" makes a cycle: %s", cycle);
        free(id);
        free(path);
        return -1;
    }
    if (chain->n >= MAX_EXTENDS_DEPTH) {
        fail_at(L, off_of(vn), "\"extends\" chain is longer than %d files", MAX_EXTENDS_DEPTH);
        free(id);
        free(path);
        return -1;
    }
    char *text = NULL;
    size_t len = 0;
    int rc;
    if (strcmp(path, BUILTIN_DEFAULT_FILE) == 0) {
        rc = 0;
    } else {
        char rwhy[160];
        rc = read_file(path, &text, &len, rwhy, sizeof rwhy);
        if (rc != 0)
            fail_at(L, off_of(vn), "cannot read base scenario %s: %s", path, rwhy);
    }
    if (rc == 0) {
        chain->ids[chain->n] = id;
        chain->names[chain->n] = xstrdup(path);
        chain->n++;
        id = NULL;
        if (text)
            rc = load_chain(path, text, len, chain, base, L->err);
        else
            rc = load_chain(path, scenario_builtin_default, strlen(scenario_builtin_default), chain,
                            base, L->err);
    }
    free(text);
    free(id);
    free(path);
    return rc;
}
static int apply_root(loader_t *L, const cJSON *root, const jsonc_node_t *n)
{
    static const char *const keys[] = {
        "$schema",   "name",    "description", "extends",      "postgrest_version",
        "postgrest", "gateway", "clock",       "auth",         "roles",
        "enums",     "sql",     "tables",      "schema_cache", "rules"};
    static const char *const gateways[] = {"hosted", "self-hosted", "cli"};
    const char *where = "the scenario";
    int rc = 0;
    /* Each key is checked on its own, so scenario_load_all goes on after an
     * error in one (GO_ON_OR_RETURN). */
    if (check_keys(L, root, n, keys, sizeof keys / sizeof keys[0], where) != 0)
        GO_ON_OR_RETURN(L, rc);
    scenario_t *s = L->s;
    const jsonc_node_t *vn;
    const cJSON *v;
    if ((v = member(root, n, "$schema", &vn)) && !cJSON_IsString(v)) {
        fail_at(L, off_of(vn), "\"$schema\" must be a string, not %s", kind_of(v));
        GO_ON_OR_RETURN(L, rc);
    }
    /* name and description describe this file; a base's never carry over. */
    free(s->name);
    free(s->description);
    s->name = NULL;
    s->description = NULL;
    if ((v = member(root, n, "name", &vn)) && want_string(L, v, vn, "name", where, false, &s->name))
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(root, n, "description", &vn)) &&
        want_string(L, v, vn, "description", where, true, &s->description))
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(root, n, "postgrest_version", &vn))) {
        if (!cJSON_IsNumber(v) ||
            (v->valuedouble != 12 && v->valuedouble != 13 && v->valuedouble != 14)) {
            fail_at(L, off_of(vn), "\"postgrest_version\" must be 12, 13 or 14");
            GO_ON_OR_RETURN(L, rc);
        } else {
            s->postgrest_version = (int)v->valuedouble;
        }
    }
    if ((v = member(root, n, "postgrest", &vn)) && apply_postgrest(L, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(root, n, "gateway", &vn))) {
        int k = want_choice(L, v, vn, "\"gateway\"", gateways, 3);
        if (k < 0)
            GO_ON_OR_RETURN(L, rc);
        else
            s->gateway = (scenario_gateway_t)k;
    }
    if ((v = member(root, n, "clock", &vn)) && apply_clock(L, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    /* Roles and enums first: tables refer to them, whatever the key order. */
    if ((v = member(root, n, "roles", &vn)) && apply_roles(L, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(root, n, "enums", &vn)) && apply_enums(L, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    /* SQL before the JSON tables: JSON adds to or overrides what it made. */
    if ((v = member(root, n, "sql", &vn)) && apply_sql(L, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(root, n, "tables", &vn)) && apply_tables(L, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(root, n, "auth", &vn)) && apply_auth(L, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(root, n, "schema_cache", &vn)) && apply_schema_cache(L, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    if ((v = member(root, n, "rules", &vn)) && apply_rules(L, v, vn) != 0)
        GO_ON_OR_RETURN(L, rc);
    if (!s->name) {
        /* Named after the file: "scenarios/stale.json" is "stale". */
        const char *base = strrchr(L->file, '/');
        base = base ? base + 1 : L->file;
        size_t blen = strlen(base);
        if (blen > 5 && strcmp(base + blen - 5, ".json") == 0)
            blen -= 5;
        s->name = xstrndup(base, blen);
    }
    if (!s->description)
        s->description = xstrdup("");
    return rc;
}

/* When text is not JSON from its first value on, it is most likely not a
 * scenario at all (a file named by mistake, or by someone probing the
 * server): the error then gives the position only. jsonc's own message quotes
 * the bytes where parsing stopped, which helps in a scenario being written but
 * must not show the opening bytes of an arbitrary file. Returns the offset of
 * the first value when it does not open a JSON object, else JSONC_NO_OFFSET. */
static size_t non_object_start(const char *text, size_t len)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    jsonc_error_t ignored;
    size_t off = JSONC_NO_OFFSET;
    if (jsonc_strip_comments(copy, len, &ignored) == 0) {
        size_t i = len >= 3 && memcmp(copy, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        while (i < len && (copy[i] == ' ' || copy[i] == '\t' || copy[i] == '\r' || copy[i] == '\n'))
            i++;
        if (i < len && copy[i] != '{')
            off = i;
    }
    free(copy);
    return off;
}

static int load_chain(const char *file, const char *text, size_t len, chain_t *chain,
                      scenario_t **out, scenario_error_t *err)
{
    *out = NULL;
    jsonc_doc_t doc;
    jsonc_error_t jerr;
    if (jsonc_parse(text, len, &doc, &jerr) != 0) {
        scenario_pos_t p = {file, 0, 0};
        size_t start = non_object_start(text, len);
        if (start != JSONC_NO_OFFSET) {
            jsonc_text_line_col(text, len, start, &p.line, &p.col);
            scenario_error_at(err, p,
                              "not a JSON scenario file (a scenario is a JSON object, opening "
                              "with '{')");
            return -1;
        }
        jsonc_text_line_col(text, len, jerr.offset, &p.line, &p.col);
        scenario_error_at(err, p, "%s", jerr.message);
        return -1;
    }
    loader_t L = {NULL, err, &doc, file, chain->all, chain};
    scenario_t *s = NULL;
    int rc = -1;
    if (!cJSON_IsObject(doc.json)) {
        fail_at(&L, doc.root->offset, "a scenario must be a JSON object, not %s",
                kind_of(doc.json));
        goto fail;
    }
    const jsonc_node_t *vn;
    const cJSON *ext = member(doc.json, doc.root, "extends", &vn);
    if (ext) {
        if (load_extends(&L, ext, vn, chain, &s) != 0)
            goto fail;
    } else {
        s = scenario_with_defaults();
    }
    add_file(s, file);
    L.s = s;
    L.file = s->files[s->file_count - 1];
    if (apply_root(&L, doc.json, doc.root) != 0)
        goto fail;
    *out = s;
    s = NULL;
    rc = 0;
fail:
    if (s && chain->all && !chain->all->partial) {
        chain->all->partial = s; /* the caller's, for later checks */
        s = NULL;
    }
    scenario_free(s);
    jsonc_doc_dispose(&doc);
    return rc;
}

/* Loads text as the first file of a chain; `folder` (owned, may be NULL) is
 * where its path-like `extends` may reach. */
static int load_first(const char *file, const char *text, size_t len, char *folder,
                      scenario_t **out, scenario_error_t *err, scenario_errors_t *all)
{
    chain_t chain = {0};
    chain.all = all;
    chain.ids[0] = file_id(file);
    chain.names[0] = xstrdup(file);
    chain.n = 1;
    chain.folder = folder;
    int rc;
    if (len > MOCK_MAX_SCENARIO_BYTES) {
        scenario_error_at(err, (scenario_pos_t){file, 0, 0}, "file is larger than %d bytes",
                          MOCK_MAX_SCENARIO_BYTES);
        *out = NULL;
        rc = -1;
    } else {
        rc = load_chain(file, text, len, &chain, out, err);
    }
    chain_dispose(&chain);
    return rc;
}

int scenario_load_text(const char *file, const char *text, size_t len, scenario_t **out,
                       scenario_error_t *err)
{
    /* Text from memory has no folder: its bases come by name from the roots. */
    return load_first(file ? file : "<scenario>", text, len, NULL, out, err, NULL);
}

int scenario_load_text_in(const char *folder, const char *file, const char *text, size_t len,
                          scenario_t **out, scenario_error_t *err)
{
    char *real = real_path(folder);
    if (!real) {
        scenario_error_at(err, (scenario_pos_t){file, 0, 0}, "cannot resolve the folder %s",
                          folder);
        return -1;
    }
    return load_first(file, text, len, real, out, err, NULL);
}

/* Loads a file the caller chose (or found under a root); its bases may come
 * from its own folder or the roots. */
static int load_file(const char *path, scenario_t **out, scenario_error_t *err,
                     scenario_errors_t *all)
{
    if (strcmp(path, BUILTIN_DEFAULT_FILE) == 0)
        return load_first(path, scenario_builtin_default, strlen(scenario_builtin_default), NULL,
                          out, err, all);
    char *text;
    size_t len;
    char why[160];
    if (read_file(path, &text, &len, why, sizeof why) != 0) {
        scenario_error_at(err, (scenario_pos_t){path, 0, 0}, "%s", why);
        return -1;
    }
    int rc = load_first(path, text, len, real_folder(path), out, err, all);
    free(text);
    return rc;
}

static int load_name(const char *name, scenario_t **out, scenario_error_t *err,
                     scenario_errors_t *all)
{
    *out = NULL;
    chain_t none = {0};
    char why[1200];
    char *path = resolve_name(name, NULL, &none, why, sizeof why);
    if (!path) {
        if (strncmp(why, "looked for ", 11) == 0)
            scenario_error_at(err, (scenario_pos_t){0}, "no scenario named \"%s\" (%s)", name, why);
        else
            scenario_error_at(err, (scenario_pos_t){0}, "%s", why);
        return -1;
    }
    int rc = load_file(path, out, err, all);
    free(path);
    return rc;
}

int scenario_load_name(const char *name, scenario_t **out, scenario_error_t *err)
{
    return load_name(name, out, err, NULL);
}

int scenario_load(const char *name_or_file, scenario_t **out, scenario_error_t *err)
{
    *out = NULL;
    if (looks_like_path(name_or_file))
        return load_file(name_or_file, out, err, NULL);
    return load_name(name_or_file, out, err, NULL);
}

int scenario_load_all(const char *name_or_file, scenario_t **out, scenario_errors_t *errs)
{
    *out = NULL;
    errs->count = 0;
    errs->more = 0;
    errs->partial = NULL;
    scenario_error_t first;
    memset(&first, 0, sizeof first);
    int rc = looks_like_path(name_or_file) ? load_file(name_or_file, out, &first, errs)
                                           : load_name(name_or_file, out, &first, errs);
    /* Errors that end a load at once (unreadable file, not JSON, a bad
     * extends chain) are only in `first`. */
    if (rc != 0 && errs->count == 0)
        scenario_errors_add(errs, &first);
    return rc;
}
