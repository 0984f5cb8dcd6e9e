/* Unit tests for scenario.c: defaults (the Supabase CLI's demo keys), every validation
 * error with its exact FILE:LINE:COL, extends chains, merges and cycles, and the
 * shipped default scenario from disk and built in. In the error cases the value
 * or key at fault starts its own line, so its column is its indentation + 1. */
#include "scenario.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#ifndef MOCK_DATADIR
#define MOCK_DATADIR "/usr/local/share/supamock" /* as scenario.c for direct builds */
#endif

/* 2026-01-01T00:00:00Z in microseconds since 2000-01-01: 26 years of which 7
 * leap (2000..2024), 9497 days of 86400 s. */
#define US_2026 (INT64_C(9497) * 86400 * 1000000)

/* Test keys generated with openssl for these tests (never trust them). */
#define P256_PEM                                                                                   \
    "-----BEGIN PRIVATE KEY-----\n"                                                                \
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+hLzCMufm/ZeoeaN\n"                           \
    "Ou7TCEHkDfWnEBLZeAacjOA6PSShRANCAASc8BtY1g3PEe0FrUqdYn5KDwyye0DA\n"                           \
    "AnBsPH6o/Wijkt2fZHx+YYeeVhb0Eka2avFpOh2d70NFNduWIIxBC0+4\n"                                   \
    "-----END PRIVATE KEY-----\n"
#define P384_PEM                                                                                   \
    "-----BEGIN PRIVATE KEY-----\n"                                                                \
    "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAGea3SCcH8XyAoiHmi\n"                           \
    "w5VXYbXJLIBq5Foch8V7n7cXmKtvA8R/UU53nC16xOELmbqhZANiAARrHpPkAel8\n"                           \
    "q6Nu9HAavVZOpOQDH5cZULdY+Ul4giYOtUrQ0F+RENFIncr/QdXD0OXZ31J5qa+t\n"                           \
    "ASdkBzOVuUcs8TllMGm8hwio3jx8OsSC38LN8efvsusqlK+0cb5/kWc=\n"                                   \
    "-----END PRIVATE KEY-----\n"
/* The same P-256 key as a private JWK, in the Supabase CLI's signing keys
 * file form (kty, kid, use, key_ops, alg, ext, d, crv, x, y). */
#define P256_JWK                                                                                   \
    "{\"kty\":\"EC\",\"kid\":\"k\",\"use\":\"sig\",\"key_ops\":[\"sign\",\"verify\"],\"alg\":"     \
    "\"ES256\",\"ext\":true,\"d\":\"-hLzCMufm_ZeoeaNOu7TCEHkDfWnEBLZeAacjOA6PSQ\",\"crv\":\"P-"    \
    "256\",\"x\":\"nPAbWNYNzxHtBa1KnWJ-Sg8MsntAwAJwbDx-qP1oo5I\",\"y\":"                           \
    "\"3Z9kfH5hh55WFvQSRrZq8Wk6HZ3vQ0U125YgjEELT7g\"}"

static char msg[1200];

/* Loads text as "t.json"; NULL on success (scenario in *out), else the
 * formatted error. */
static const char *try_load(const char *text, scenario_t **out)
{
    scenario_error_t err;
    scenario_t *s = NULL;
    if (scenario_load_text("t.json", text, strlen(text), &s, &err) == 0) {
        if (out)
            *out = s;
        else
            scenario_free(s);
        return NULL;
    }
    assert_null(s);
    scenario_error_format(&err, msg, sizeof msg);
    return msg;
}

static scenario_t *load_ok(const char *text)
{
    scenario_t *s = NULL;
    const char *e = try_load(text, &s);
    if (e)
        fail_msg("unexpected error: %s", e);
    return s;
}

/* auth.enable_anonymous_sign_ins: the config.toml name, a boolean, false
 * by default (the CLI's template). */
static void test_anonymous_sign_ins(void **state)
{
    (void)state;
    scenario_t *s = load_ok("{\"name\": \"a\", \"auth\": {\"enable_anonymous_sign_ins\": true}}");
    assert_true(s->enable_anonymous_sign_ins);
    scenario_free(s);
    s = load_ok("{\"name\": \"a\"}");
    assert_false(s->enable_anonymous_sign_ins);
    scenario_free(s);
    const char *e =
        try_load("{\"name\": \"a\", \"auth\": {\"enable_anonymous_sign_ins\": 1}}", NULL);
    assert_non_null(e);
    assert_non_null(strstr(e, "enable_anonymous_sign_ins"));
}

/* auth.mfa: config.toml's [auth.mfa] and [auth.mfa.totp] names; a hosted
 * project's defaults. */
static void test_mfa_settings(void **state)
{
    (void)state;
    scenario_t *s = load_ok("{\"name\": \"a\"}");
    assert_int_equal(s->mfa_max_enrolled_factors, 10);
    assert_true(s->mfa_totp_enroll_enabled);
    assert_true(s->mfa_totp_verify_enabled);
    scenario_free(s);
    s = load_ok("{\"name\": \"a\", \"auth\": {\"mfa\": {\"max_enrolled_factors\": 3, "
                "\"totp\": {\"enroll_enabled\": false}}}}");
    assert_int_equal(s->mfa_max_enrolled_factors, 3);
    assert_false(s->mfa_totp_enroll_enabled);
    assert_true(s->mfa_totp_verify_enabled);
    scenario_free(s);
    const char *e = try_load("{\"name\": \"a\", \"auth\": {\"mfa\": {\"totp\": "
                             "{\"enrol_enabled\": false}}}}",
                             NULL);
    assert_non_null(e);
    assert_non_null(strstr(e, "enrol_enabled"));
    e = try_load("{\"name\": \"a\", \"auth\": {\"mfa\": {\"max_enrolled_factors\": 0}}}", NULL);
    assert_non_null(e);
    assert_non_null(strstr(e, "max_enrolled_factors"));
}

static void test_defaults(void **state)
{
    (void)state;
    scenario_t *s = load_ok("{}");
    assert_string_equal(s->name, "t");
    assert_int_equal(s->postgrest_version, 14);
    assert_int_equal(s->db_schema_count, 2);
    assert_string_equal(s->db_schemas[0], "public");
    assert_string_equal(s->db_schemas[1], "graphql_public");
    assert_int_equal(s->db_max_rows, 1000);
    assert_int_equal(s->db_tx_end, SCENARIO_TX_COMMIT);
    assert_false(s->db_aggregates_enabled);
    assert_int_equal(s->gateway, SCENARIO_GATEWAY_HOSTED);
    assert_true(s->clock_real);
    assert_string_equal(s->jwt_secret, "super-secret-jwt-token-with-at-least-32-characters-long");
    assert_string_equal(s->anon_key,
                        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZ"
                        "SI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblY"
                        "Tn_I0");
    assert_string_equal(s->service_role_key,
                        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZ"
                        "SI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8H"
                        "dp7fsn3W0YpN81IU");
    assert_string_equal(s->publishable_key, "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH");
    assert_string_equal(s->secret_key, "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz");
    assert_int_equal(s->role_count, 3);
    assert_string_equal(s->roles[0].name, "anon");
    assert_false(s->roles[0].bypass_rls);
    assert_string_equal(s->roles[1].name, "authenticated");
    assert_false(s->roles[1].bypass_rls);
    assert_string_equal(s->roles[2].name, "service_role");
    assert_true(s->roles[2].bypass_rls);
    assert_true(s->auto_reload);
    assert_int_equal(s->auto_reload_after_ms, 120000);
    assert_null(s->rules);
    assert_int_equal(s->table_count, 0);
    assert_int_equal(s->file_count, 1);
    assert_string_equal(s->files[0], "t.json");
    assert_string_equal(s->description, "");
    scenario_free(s);
    scenario_free(NULL);
}

static void test_item_defaults(void **state)
{
    (void)state;
    scenario_t *s =
        load_ok("{\"tables\": {\"api.t\": {\"columns\": [{\"name\": \"a\", \"type\": "
                "\"text\"}, {\"name\": \"id\", \"type\": \"int8\", \"primary_key\": "
                "true}], \"policies\": [{\"name\": \"p\"}]}},\n"
                " \"auth\": {\"users\": [{\"id\": \"13AB4CF1-8587-4685-874B-C2D37BEEAB38\","
                " \"email\": \"a@b.c\"}]},\n"
                " \"schema_cache\": {\"auto_reload_after_ms\": null}, \"clock\": \"real\"}");
    assert_int_equal(s->table_count, 1);
    scenario_table_t *t = &s->tables[0];
    assert_string_equal(t->schema, "api");
    assert_string_equal(t->name, "t");
    assert_true(t->in_schema_cache);
    assert_false(t->rls);
    assert_false(t->has_grants);
    assert_null(t->rows);
    assert_true(t->columns[0].nullable);
    assert_true(t->columns[0].in_schema_cache);
    assert_null(t->columns[0].default_value);
    /* A primary key column is NOT NULL, as attnotnull shows in Postgres. */
    assert_false(t->columns[1].nullable);
    assert_string_equal(t->policies[0].command, "all");
    assert_true(t->policies[0].permissive);
    assert_int_equal(t->policies[0].role_count, 0);
    assert_null(t->policies[0].using_expr);
    scenario_user_t *u = &s->users[0];
    assert_string_equal(u->id, "13ab4cf1-8587-4685-874b-c2d37beeab38");
    assert_true(u->email_confirmed);
    assert_string_equal(u->role, "authenticated");
    assert_null(u->password);
    assert_null(u->phone);
    char *meta = cJSON_PrintUnformatted(u->user_metadata);
    assert_string_equal(meta, "{}");
    cJSON_free(meta);
    meta = cJSON_PrintUnformatted(u->app_metadata);
    assert_string_equal(meta, "{\"provider\":\"email\",\"providers\":[\"email\"]}");
    cJSON_free(meta);
    assert_false(s->auto_reload);
    assert_true(s->clock_real);
    scenario_free(s);
}

static void test_values(void **state)
{
    (void)state;
    scenario_t *s = load_ok(
        "// a comment\n"
        "{\"$schema\": \"./scenario.schema.json\", \"name\": \"x\", \"description\": \"d\",\n"
        " \"postgrest_version\": 12, \"gateway\": \"self-hosted\", \"clock\": "
        "\"2026-01-01T00:00:00Z\",\n"
        " \"postgrest\": {\"db_schemas\": [\"api\"], \"db_max_rows\": null, \"db_tx_end\": "
        "\"rollback-allow-override\", \"db_plan_enabled\": true, \"openapi_mode\": "
        "\"ignore-privileges\"},\n"
        " \"roles\": {\"anon\": {\"bypass_rls\": true}, \"editor\": {}},\n"
        " \"enums\": {\"mood\": [\"sad\", \"ok\"]},\n"
        " \"tables\": {\"t\": {\"rls\": true, \"in_schema_cache\": false, \"columns\": [\n"
        "   {\"name\": \"m\", \"type\": \"mood[]\", \"default\": 5, \"check\": \"m IS NOT "
        "NULL\"},\n"
        "   {\"name\": \"n\", \"type\": \"varchar(20)\", \"identity\": \"by default\", "
        "\"references\": \"auth.users(id)\", \"unique\": true}],\n"
        "   \"grants\": {\"anon\": [\"select\"], \"editor\": [\"INSERT\", \"update\"], "
        "\"service_role\": [\"all\"], \"authenticated\": []},\n"
        "   \"policies\": [{\"name\": \"p\", \"command\": \"update\", \"roles\": [\"PUBLIC\", "
        "\"editor\"], \"permissive\": false, \"using\": \"true\", \"with_check\": \"m = 'ok'\"}],\n"
        "   \"rows\": [{\"m\": null}, {}]}},\n"
        " \"auth\": {\"confirm_email\": true, \"on_signup\": {\"table\": \"public.t\", "
        "\"values\": {\"m\": \"{{user.id}}\"}}},\n"
        " \"schema_cache\": {\"auto_reload_after_ms\": 5},\n"
        " \"rules\": [{\"name\": \"r\"}]}");
    assert_string_equal(s->name, "x");
    assert_string_equal(s->description, "d");
    assert_int_equal(s->postgrest_version, 12);
    assert_int_equal(s->gateway, SCENARIO_GATEWAY_SELF_HOSTED);
    assert_false(s->clock_real);
    assert_true(s->clock_start_us == US_2026);
    assert_int_equal(s->clock_pos.line, 3);
    assert_int_equal(s->db_schema_count, 1);
    assert_int_equal(s->db_max_rows, -1);
    assert_int_equal(s->db_tx_end, SCENARIO_TX_ROLLBACK_ALLOW_OVERRIDE);
    assert_true(s->db_plan_enabled);
    assert_int_equal(s->openapi_mode, SCENARIO_OPENAPI_IGNORE_PRIVILEGES);
    assert_int_equal(s->role_count, 4);
    assert_true(s->roles[0].bypass_rls);
    assert_string_equal(s->roles[3].name, "editor");
    assert_false(s->roles[3].bypass_rls);
    assert_int_equal(s->enum_count, 1);
    assert_int_equal(s->enums[0].label_count, 2);
    assert_string_equal(s->enums[0].labels[1], "ok");
    scenario_table_t *t = &s->tables[0];
    assert_true(t->rls);
    assert_false(t->in_schema_cache);
    assert_int_equal(t->columns[0].default_value->valueint, 5);
    assert_int_equal(t->columns[0].default_pos.line, 8);
    assert_string_equal(t->columns[0].check, "m IS NOT NULL");
    assert_string_equal(t->columns[1].identity, "by default");
    assert_string_equal(t->columns[1].references, "auth.users(id)");
    assert_true(t->columns[1].unique);
    assert_int_equal(t->columns[1].references_pos.line, 9);
    assert_true(t->has_grants);
    assert_int_equal(t->grant_count, 4);
    assert_int_equal(t->grants[0].privileges, SCENARIO_PRIV_SELECT);
    assert_int_equal(t->grants[1].privileges, SCENARIO_PRIV_INSERT | SCENARIO_PRIV_UPDATE);
    assert_int_equal(t->grants[2].privileges, SCENARIO_PRIV_ALL);
    assert_string_equal(t->grants[3].role, "authenticated");
    assert_int_equal(t->grants[3].privileges, 0);
    scenario_policy_t *p = &t->policies[0];
    assert_string_equal(p->command, "update");
    assert_int_equal(p->role_count, 2);
    assert_string_equal(p->roles[0], "public");
    assert_false(p->permissive);
    assert_string_equal(p->using_expr, "true");
    assert_string_equal(p->with_check, "m = 'ok'");
    assert_int_equal(p->using_pos.line, 11);
    assert_int_equal(cJSON_GetArraySize(t->rows), 2);
    assert_int_equal(t->row_pos[1].line, 12);
    assert_true(s->confirm_email);
    assert_string_equal(s->on_signup_table, "public.t");
    assert_int_equal(s->on_signup_pos.line, 13);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(s->on_signup_values, "m")->valuestring,
                        "{{user.id}}");
    assert_true(s->auto_reload);
    assert_int_equal(s->auto_reload_after_ms, 5);
    assert_int_equal(cJSON_GetArraySize(s->rules), 1);
    assert_int_equal(s->rule_pos[0].line, 15);
    assert_int_equal(s->rule_pos[0].col, 12);
    assert_string_equal(s->rule_pos[0].file, "t.json");
    scenario_free(s);
}

/* One bad scenario and the exact error it must give. */
typedef struct bad_case {
    const char *text;
    const char *error;
} bad_case_t;

static const bad_case_t bad_cases[] = {
    {"{\n  \"tables\": {\n    \"profiles\": {\n      \"colums\": []\n    }\n  }\n}",
     "t.json:4:7: unknown key \"colums\" in table \"profiles\" (did you mean \"columns\"?)"},
    {"{\n  \"postgrest_version\":\n    15\n}",
     "t.json:3:5: \"postgrest_version\" must be 12, 13 or 14"},
    {"{\"gateway\":\n  \"hostd\"}",
     "t.json:2:3: \"gateway\" must be \"hosted\", \"self-hosted\" or \"cli\", not \"hostd\" (did "
     "you mean \"hosted\"?)"},
    {"{\"clock\":\n  \"2026-02-30T00:00:00Z\"}",
     "t.json:2:3: \"clock\" must be \"real\" or an ISO 8601 time such as \"2026-01-01T00:00:00Z\" "
     "or \"2026-01-01T09:30:00.5+02:00\", not \"2026-02-30T00:00:00Z\""},
    {"{\"clock\":\n  12}",
     "t.json:2:3: \"clock\" must be \"real\" or an ISO 8601 time such as \"2026-01-01T00:00:00Z\" "
     "or \"2026-01-01T09:30:00.5+02:00\", not a number"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\"}], \"policies\": [\n"
     "  {\"name\": \"p\", \"command\":\n    \"selec\"}]}}}",
     "t.json:3:5: \"command\" in policy \"p\" of table \"t\" must be \"select\", \"insert\", "
     "\"update\", \"delete\" or \"all\", not \"selec\" (did you mean \"select\"?)"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\"}],\n"
     "  \"grants\": {\"anon\": [\"select\",\n    \"truncate\"]}}}}",
     "t.json:3:5: bad privilege \"truncate\" for role \"anon\" in \"grants\" of table \"t\": "
     "expected \"select\", \"insert\", \"update\", \"delete\" or \"all\""},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\"}],\n"
     "  \"grants\": {\n    \"anonn\": [\"select\"]}}}}",
     "t.json:3:5: role \"anonn\" does not exist (in \"grants\" of table \"t\"; declare it in "
     "\"roles\") (did you mean \"anon\"?)"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"int8\", \"identity\":\n"
     "  \"sometimes\"}]}}}",
     "t.json:2:3: \"identity\" in column \"a\" of table \"t\" must be \"always\" or \"by "
     "default\", not \"sometimes\""},
    {"{\"tables\": {\n  \"\": {\"columns\": []}}}",
     "t.json:2:3: bad table name \"\" (expected \"name\" or \"schema.name\")"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\"}, {\"name\":\n"
     "  \"a\", \"type\": \"int4\"}]}}}",
     "t.json:2:3: column \"a\" specified more than once in table \"t\""},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\", \"nullable\":\n"
     "  \"yes\"}]}}}",
     "t.json:2:3: \"nullable\" in column \"a\" of table \"t\" must be true or false, not a string"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\":\n  \"intger\"}]}}}",
     "t.json:2:3: unknown type \"intger\" for column \"a\" of table \"t\" (expected a Postgres "
     "type such as uuid, text, integer, timestamptz, jsonb, or an enum from \"enums\") (did you "
     "mean \"integer\"?)"},
    {"{\"tables\": {\"t\": {\"columns\": [\n  {\"type\": \"text\"}]}}}",
     "t.json:2:3: column 1 of table \"t\" has no \"name\""},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\":\n  \"\", \"type\": \"text\"}]}}}",
     "t.json:2:3: column name must not be empty"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"uuid\", \"references\":\n"
     "  \"users.id\"}]}}}",
     "t.json:2:3: \"references\" in column \"a\" of table \"t\" must look like \"table(column)\" "
     "or \"schema.table(column)\", not \"users.id\""},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"uuid\", \"default\":\n"
     "  \"uuid_generate_v7()\"}]}}}",
     "t.json:2:3: unsupported default uuid_generate_v7() for column \"a\" of table \"t\" "
     "(functions: gen_random_uuid(), uuid_generate_v4(), now(), auth.uid(), nextval; anything "
     "else must be a JSON literal)"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"int8\", \"default\": 1, "
     "\"identity\":\n  \"always\"}]}}}",
     "t.json:2:3: both default and identity specified for column \"a\" of table \"t\""},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"int8\", \"primary_key\": "
     "true, \"nullable\":\n  true}]}}}",
     "t.json:2:3: conflicting NULL/NOT NULL declarations for column \"a\" of table \"t\" (a "
     "primary key is never nullable)"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\"}], \"policies\": [\n"
     "  {\"name\": \"p\", \"command\": \"insert\", \"using\":\n    \"true\"}]}}}",
     "t.json:3:5: only WITH CHECK expression allowed for INSERT (policy \"p\" of table \"t\": use "
     "\"with_check\")"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\"}], \"policies\": [\n"
     "  {\"name\": \"p\", \"command\": \"select\", \"with_check\":\n    \"true\"}]}}}",
     "t.json:3:5: WITH CHECK cannot be applied to SELECT or DELETE (policy \"p\" of table \"t\": "
     "use \"using\")"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\"}], \"policies\": [\n"
     "  {\"name\": \"p\"}, {\"name\":\n    \"p\"}]}}}",
     "t.json:3:5: policy \"p\" for table \"t\" already exists"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\"}], \"policies\": [\n"
     "  {\"name\": \"p\", \"roles\":\n    []}]}}}",
     "t.json:3:5: \"roles\" in policy \"p\" of table \"t\" must be a non-empty array of role "
     "names (leave it out for PUBLIC)"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\"}],\n"
     "  \"rows\": [{},\n    3]}}}",
     "t.json:3:5: row 2 of table \"t\" must be an object of column values, not a number"},
    {"{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\"}]},\n"
     "  \"public.t\": {}}}",
     "t.json:2:3: table \"public.t\" is declared twice in \"tables\""},
    {"{\"tables\": {\"profiles\": {\"columns\": [{\"name\": \"a\", \"type\": \"text\"}]},\n"
     "  \"profile\": {\"rows\": []}}}",
     "t.json:2:3: table \"profile\" has no \"columns\" and is not in a base scenario (did you mean "
     "\"profiles\"?)"},
    {"{\"enums\": {\"e\": [\"a\",\n  \"a\"]}}",
     "t.json:2:3: enum label \"a\" already exists in enum \"e\""},
    {"{\"enums\": {\"e\":\n  []}}", "t.json:2:3: enum \"e\" needs at least one label"},
    {"{\"roles\": {\"r\": {\n  \"bypass\": true}}}",
     "t.json:2:3: unknown key \"bypass\" in role \"r\""},
    {"{\"auth\": {\"jwt_secret\":\n  \"short\"}}",
     "t.json:2:3: \"jwt_secret\" must be at least 32 characters long (PostgREST rejects shorter "
     "HS256 secrets)"},
    {"{\"auth\": {\"signing_keys\": [\n"
     "  {\"kid\": \"a\", \"alg\": \"ES256\", \"status\": \"current\", \"private_key\": "
     "\"nope\"}]}}",
     "t.json:2:68: \"private_key\" is not a PEM private key"},
    {"{\"auth\": {\"signing_keys\": [\n"
     "  {\"kid\": \"a\", \"alg\": \"HS256\", \"status\": \"current\", \"private_key\": \"x\"}]}}",
     "t.json:2:3: HS256 signing key \"a\" takes \"secret\", not \"private_key\""},
    {"{\"auth\": {\"signing_keys\": [\n"
     "  {\"kid\": \"a\", \"alg\": \"ES384\", \"status\": \"current\"}]}}",
     "t.json:2:23: \"alg\" must be \"HS256\", \"ES256\" or \"RS256\", not \"ES384\""},
    {"{\"auth\": {\"signing_keys\": [\n"
     "  {\"kid\": \"a\", \"alg\": \"HS256\", \"status\": \"active\", \"secret\": "
     "\"0123456789abcdef0123456789abcdef\"}]}}",
     "t.json:2:42: \"status\" must be \"current\", \"previous\" or \"revoked\", not \"active\""},
    {"{\"auth\": {\"signing_keys\":\n"
     "  [{\"kid\": \"a\", \"alg\": \"HS256\", \"status\": \"previous\", \"secret\": "
     "\"0123456789abcdef0123456789abcdef\"}]}}",
     "t.json:2:3: \"signing_keys\" needs exactly one \"current\" key (found 0)"},
    {"{\"auth\": {\"signing_keys\": [{\"kid\": \"a\", \"alg\": \"HS256\", \"status\": \"current\", "
     "\"secret\": \"0123456789abcdef0123456789abcdef\"},\n"
     "  {\"kid\": \"a\", \"alg\": \"HS256\", \"status\": \"previous\", \"secret\": "
     "\"0123456789abcdef0123456789abcdef\"}]}}",
     "t.json:2:3: signing key \"a\" is listed twice"},
    {"{\"auth\": {\"signing_keys\": [\n"
     "  {\"alg\": \"HS256\", \"status\": \"current\", \"secret\": "
     "\"0123456789abcdef0123456789abcdef\"}]}}",
     "t.json:2:3: a signing key needs \"kid\""},
    {"{\"auth\": {\"signing_keys\": [\n"
     "  {\"kid\": \"a\", \"alg\": \"HS256\", \"status\": \"current\", \"secret\": \"short\", "
     "\"x\": 1}]}}",
     "t.json:2:72: unknown key \"x\" in a signing key"},
    {"{\"auth\": {\"signing_keys\": [{\"kid\": \"a\", \"alg\": \"ES256\", \"status\": "
     "\"current\",\n"
     "  \"private_key\": \"" P384_PEM "\"}]}}",
     "t.json:2:18: \"private_key\": ES256 needs a P-256 (prime256v1) EC key"},
    {"{\"auth\": {\"publishable_key\":\n  \"pk_123\"}}",
     "t.json:2:3: \"publishable_key\" must start with \"sb_publishable_\" (the gateway tells key "
     "kinds apart by prefix)"},
    {"{\"auth\": {\"users\": [{\"id\":\n  \"42\", \"email\": \"a@b.c\"}]}}",
     "t.json:2:3: \"id\" in user 1 of auth.users must be a UUID like "
     "\"13ab4cf1-8587-4685-874b-c2d37beeab38\", not \"42\""},
    {"{\"auth\": {\"users\": [\n  {\"id\": \"13ab4cf1-8587-4685-874b-c2d37beeab38\"}]}}",
     "t.json:2:3: user \"13ab4cf1-8587-4685-874b-c2d37beeab38\" has no \"email\""},
    {"{\"auth\": {\"users\": [{\"id\": \"13ab4cf1-8587-4685-874b-c2d37beeab38\", \"email\": "
     "\"a@b.c\"},\n  {\"id\": \"23ab4cf1-8587-4685-874b-c2d37beeab38\", \"email\":\n  "
     "\"a@b.c\"}]}}",
     "t.json:3:3: email \"a@b.c\" is already used by user "
     "\"13ab4cf1-8587-4685-874b-c2d37beeab38\""},
    {"{\"auth\": {\"on_signup\": {\"table\":\n  \"profiles\", \"values\": {}}}}",
     "t.json:2:3: auth.on_signup names table \"profiles\", which is not in \"tables\""},
    {"{\"postgrest\": {\"db_max_rows\":\n  -1}}",
     "t.json:2:3: \"db_max_rows\" in \"postgrest\" must be a whole number from 0 to 2147483647"},
    {"{\"postgrest\": {\"db_tx_end\":\n  \"abort\"}}",
     "t.json:2:3: \"db_tx_end\" in \"postgrest\" must be \"commit\", \"commit-allow-override\", "
     "\"rollback\" or \"rollback-allow-override\", not \"abort\""},
    {"{\"postgrest\": {\"db_schemas\": [\"public\",\n  \"public\"]}}",
     "t.json:2:3: schema \"public\" is listed twice in \"db_schemas\""},
    {"{\"schema_cache\": {\"auto_reload_after_ms\":\n  \"soon\"}}",
     "t.json:2:3: \"auto_reload_after_ms\" in \"schema_cache\" must be a whole number, not a "
     "string"},
    {"{\"rules\":\n  {}}", "t.json:2:3: \"rules\" must be an array, not an object"},
    {"{\"rules\": [{},\n  1]}", "t.json:2:3: rule 2 must be an object, not a number"},
    {"{\"name\": \"a\",\n  \"name\": \"b\"}", "t.json:2:3: duplicate key \"name\" in the scenario"},
    {"{\"extends\":\n  \"no-such-scenario-anywhere\"}",
     /* Text from memory has no folder: names come from the scenario roots only. */
     "t.json:2:3: cannot find base scenario \"no-such-scenario-anywhere\" (looked for "
     "scenarios/no-such-scenario-anywhere.json, "
     "@EXE_ROOT@/no-such-scenario-anywhere.json, " MOCK_DATADIR
     "/scenarios/no-such-scenario-anywhere.json)"},
    {"[1, 2]", "t.json:1:1: a scenario must be a JSON object, not an array"},
    {"{\n  \"a\": tru\n}",
     "t.json:2:8: invalid JSON at \"tru\" (expected a value, ',' , ':' or a closing bracket; "
     "comments are allowed, trailing commas are not)"},
    {"{\n /* unterminated\n}", "t.json:2:2: unterminated block comment (no closing \"*/\")"},
};

/* The expected message with @EXE_ROOT@ replaced by the scenario root beside
 * the running executable: <its folder>/../share/supamock/scenarios, spelt as
 * the loader spells it. */
static void expected_message(const char *want, char *out, size_t out_len)
{
    const char *mark = strstr(want, "@EXE_ROOT@");
    if (!mark) {
        snprintf(out, out_len, "%s", want);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(n > 0);
    exe[n] = '\0';
    for (int up = 0; up < 2; up++)
        *strrchr(exe, '/') = '\0';
    snprintf(out, out_len, "%.*s%s/share/supamock/scenarios%s", (int)(mark - want), want, exe,
             mark + strlen("@EXE_ROOT@"));
}

static void test_validation_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        char want[PATH_MAX + 1024];
        expected_message(bad_cases[i].error, want, sizeof want);
        const char *got = try_load(bad_cases[i].text, NULL);
        if (!got)
            fail_msg("case %zu loaded but should fail with: %s", i, want);
        if (strcmp(got, want) != 0)
            fail_msg("case %zu:\n  got:  %s\n  want: %s", i, got, want);
    }
}

static void test_parse_time(void **state)
{
    (void)state;
    int64_t us;
    assert_int_equal(scenario_parse_time("2026-01-01T00:00:00Z", &us), 0);
    assert_true(us == US_2026);
    assert_int_equal(scenario_parse_time("2000-01-01T02:00:00+02:00", &us), 0);
    assert_true(us == 0);
    assert_int_equal(scenario_parse_time("2000-01-01 02:00:00+0200", &us), 0);
    assert_true(us == 0);
    /* 23:59:59.5 at -00:30 is 00:29:59.5 UTC. */
    assert_int_equal(scenario_parse_time("1999-12-31T23:59:59.5-00:30", &us), 0);
    assert_true(us == INT64_C(1799500000));
    /* Seven fractional digits round to microseconds. */
    assert_int_equal(scenario_parse_time("2000-01-01T00:00:00.1234565Z", &us), 0);
    assert_true(us == 123457);
    /* 2000 is a leap year: Feb 29 is day 31 + 28 = 59. */
    assert_int_equal(scenario_parse_time("2000-02-29", &us), 0);
    assert_true(us == INT64_C(59) * 86400 * 1000000);
    assert_int_equal(scenario_parse_time("2001-02-29", &us), -1);
    assert_int_equal(scenario_parse_time("2026-01-01T24:00:00Z", &us), -1);
    assert_int_equal(scenario_parse_time("2026-01-01T00:00:00Zjunk", &us), -1);
    assert_int_equal(scenario_parse_time("2026-1-01", &us), -1);
    assert_int_equal(scenario_parse_time("", &us), -1);
}

/* ---- files ---- */

static char tmpdir[256];

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_scenario.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static scenario_t *load_path(const char *name, char *error, size_t error_len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    scenario_t *s = NULL;
    scenario_error_t err;
    if (scenario_load(path, &s, &err) != 0) {
        scenario_error_format(&err, error, error_len);
        return NULL;
    }
    return s;
}

static void test_extends_chain(void **state)
{
    (void)state;
    write_file("base.json",
               "{\"name\": \"base\", \"description\": \"b\", \"gateway\": \"cli\",\n"
               " \"roles\": {\"editor\": {\"bypass_rls\": true}},\n"
               " \"enums\": {\"e\": [\"x\"], \"f\": [\"y\"]},\n"
               " \"auth\": {\"users\": [{\"id\": \"13ab4cf1-8587-4685-874b-c2d37beeab38\", "
               "\"email\": \"a@b.c\", \"role\": \"r1\"},\n"
               "   {\"id\": \"23ab4cf1-8587-4685-874b-c2d37beeab38\", \"email\": \"b@b.c\"}]},\n"
               " \"tables\": {\"t\": {\"rls\": true, \"columns\": [\n"
               "   {\"name\": \"a\", \"type\": \"text\"},\n"
               "   {\"name\": \"b\", \"type\": \"text\"}],\n"
               "   \"grants\": {\"anon\": [\"select\"]},\n"
               "   \"policies\": [{\"name\": \"p1\", \"using\": \"true\"}, {\"name\": \"p2\"}],\n"
               "   \"rows\": [{\"a\": \"1\"}, {\"a\": \"2\"}]},\n"
               "  \"u\": {\"columns\": [{\"name\": \"id\", \"type\": \"int8\"}]}},\n"
               " \"schema_cache\": {\"auto_reload_after_ms\": null},\n"
               " \"rules\": [{\"name\": \"base rule\"}]}\n");
    write_file("mid.json", "{\"extends\": \"base\", \"postgrest_version\": 13,\n"
                           " \"rules\": [{\"name\": \"mid rule\"}]}\n");
    write_file("child.json",
               "// the leaf\n"
               "{\"extends\": \"./mid.json\", \"gateway\": \"hosted\",\n"
               " \"roles\": {\"editor\": {}},\n"
               " \"enums\": {\"f\": [\"z\", \"w\"]},\n"
               " \"auth\": {\"users\": [{\"id\": \"13AB4CF1-8587-4685-874B-C2D37BEEAB38\", "
               "\"email\": \"new@b.c\"}]},\n"
               " \"tables\": {\"public.t\": {\"columns\": [\n"
               "   {\"name\": \"b\", \"type\": \"integer\"},\n"
               "   {\"name\": \"c\", \"type\": \"uuid\"}],\n"
               "   \"policies\": [{\"name\": \"p1\", \"command\": \"delete\"}, {\"name\": "
               "\"p3\"}],\n"
               "   \"rows\": [{\"a\": \"3\"}]}},\n"
               " \"rules\": [{\"name\": \"child rule\"}]}\n");
    char err[1200];
    scenario_t *s = load_path("child.json", err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    /* name and description are the leaf's own. */
    assert_string_equal(s->name, "child");
    assert_string_equal(s->description, "");
    assert_int_equal(s->postgrest_version, 13);
    assert_int_equal(s->gateway, SCENARIO_GATEWAY_HOSTED);
    assert_false(s->auto_reload);
    assert_int_equal(s->file_count, 3);
    assert_non_null(strstr(s->files[0], "/base.json"));
    assert_non_null(strstr(s->files[1], "/mid.json"));
    assert_non_null(strstr(s->files[2], "/child.json"));
    /* roles merge by name; given keys override, absent ones stay. */
    assert_int_equal(s->role_count, 4);
    assert_true(s->roles[3].bypass_rls);
    /* enums merge by name: f replaced. */
    assert_int_equal(s->enum_count, 2);
    assert_int_equal(s->enums[1].label_count, 2);
    assert_string_equal(s->enums[1].labels[0], "z");
    /* users merge by id: the first is replaced in place. */
    assert_int_equal(s->user_count, 2);
    assert_string_equal(s->users[0].email, "new@b.c");
    assert_string_equal(s->users[0].role, "authenticated");
    assert_string_equal(s->users[1].email, "b@b.c");
    assert_int_equal(s->table_count, 2);
    scenario_table_t *t = &s->tables[0];
    assert_string_equal(t->name, "t");
    assert_true(t->rls);
    assert_int_equal(t->column_count, 3);
    assert_string_equal(t->columns[0].name, "a");
    assert_string_equal(t->columns[1].name, "b");
    assert_string_equal(t->columns[1].type, "integer");
    assert_string_equal(t->columns[2].name, "c");
    /* Positions keep pointing into the file each item came from. */
    assert_ptr_equal(t->columns[0].pos.file, s->files[0]);
    assert_int_equal(t->columns[0].pos.line, 7);
    assert_int_equal(t->columns[0].pos.col, 4);
    assert_ptr_equal(t->columns[1].pos.file, s->files[2]);
    assert_int_equal(t->columns[1].pos.line, 7);
    assert_int_equal(t->columns[1].type_pos.col, 26);
    /* grants kept (not given by the child), policies merged by name, rows replaced. */
    assert_true(t->has_grants);
    assert_int_equal(t->grant_count, 1);
    assert_int_equal(t->policy_count, 3);
    assert_string_equal(t->policies[0].name, "p1");
    assert_string_equal(t->policies[0].command, "delete");
    assert_null(t->policies[0].using_expr);
    assert_string_equal(t->policies[1].name, "p2");
    assert_string_equal(t->policies[2].name, "p3");
    assert_int_equal(cJSON_GetArraySize(t->rows), 1);
    assert_ptr_equal(t->row_pos[0].file, s->files[2]);
    assert_int_equal(t->row_pos[0].line, 10);
    /* rules appended, base first, each with its own file. */
    assert_int_equal(cJSON_GetArraySize(s->rules), 3);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(s->rules, 0), "name")->valuestring,
        "base rule");
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(s->rules, 2), "name")->valuestring,
        "child rule");
    assert_ptr_equal(s->rule_pos[0].file, s->files[0]);
    assert_int_equal(s->rule_pos[0].line, 14);
    assert_ptr_equal(s->rule_pos[1].file, s->files[1]);
    assert_int_equal(s->rule_pos[1].line, 2);
    assert_int_equal(s->rule_pos[1].col, 12);
    assert_ptr_equal(s->rule_pos[2].file, s->files[2]);
    scenario_free(s);
}

/* {"name": N, "drop": true} removes a base policy, as DROP POLICY would; a
 * missing one is DROP POLICY's 42704 text, at the entry's position. */
static void test_extends_drop_policy(void **state)
{
    (void)state;
    char err[1200], want[1200];
    write_file("pbase.json", "{\"tables\": {\"t\": {\"columns\": [{\"name\": \"a\", \"type\": "
                             "\"text\"}],\n \"policies\": [{\"name\": \"p1\"}, {\"name\": "
                             "\"p2\"}, {\"name\": \"p3\"}]}}}\n");
    write_file("pdrop.json", "{\"extends\": \"./pbase.json\", \"tables\": {\"t\": {\"policies\": "
                             "[{\"name\": \"p2\", \"drop\": true}, {\"name\": \"p4\"}]}}}\n");
    scenario_t *s = load_path("pdrop.json", err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    assert_int_equal(s->tables[0].policy_count, 3);
    assert_string_equal(s->tables[0].policies[0].name, "p1");
    assert_string_equal(s->tables[0].policies[1].name, "p3");
    assert_string_equal(s->tables[0].policies[2].name, "p4");
    scenario_free(s);

    write_file("pmissing.json",
               "{\"extends\": \"./pbase.json\", \"tables\": {\"t\": {\"policies\": "
               "[\n  {\"name\": \"nope\", \"drop\": true}]}}}\n");
    assert_null(load_path("pmissing.json", err, sizeof err));
    snprintf(want, sizeof want,
             "%s/pmissing.json:2:3: policy \"nope\" for table \"t\" does not exist", tmpdir);
    assert_string_equal(err, want);

    write_file("pextra.json", "{\"extends\": \"./pbase.json\", \"tables\": {\"t\": {\"policies\": "
                              "[\n  {\"name\": \"p1\", \"drop\": true, \"using\": \"true\"}]}}}\n");
    assert_null(load_path("pextra.json", err, sizeof err));
    snprintf(want, sizeof want,
             "%s/pextra.json:2:3: policy \"p1\" of table \"t\": \"drop\": true takes only the "
             "policy's \"name\"",
             tmpdir);
    assert_string_equal(err, want);
}

static void test_extends_errors(void **state)
{
    (void)state;
    char err[1200], want[1200];
    write_file("a.json", "{\"extends\": \"b\"}");
    write_file("b.json", "{\n  \"extends\":\n    \"a.json\"}");
    assert_null(load_path("a.json", err, sizeof err));
    snprintf(want, sizeof want,
             "%s/b.json:3:5: \"extends\" makes a cycle: %s/a.json -> %s/b.json -> %s/a.json",
             tmpdir, tmpdir, tmpdir, tmpdir);
    assert_string_equal(err, want);

    write_file("self.json", "{\"extends\": \"self\"}");
    assert_null(load_path("self.json", err, sizeof err));
    assert_non_null(strstr(err, "/self.json:1:13: \"extends\" makes a cycle: "));

    /* An error inside a base is reported in the base file. */
    write_file("badbase.json", "{\n  \"gateway\": 1}");
    write_file("usesbad.json", "{\"extends\": \"badbase\"}");
    assert_null(load_path("usesbad.json", err, sizeof err));
    snprintf(want, sizeof want, "%s/badbase.json:2:14: \"gateway\" must be a string, not a number",
             tmpdir);
    assert_string_equal(err, want);

    write_file("missing.json", "{\"extends\":\n  \"./nope.json\"}");
    assert_null(load_path("missing.json", err, sizeof err));
    snprintf(want, sizeof want,
             "%s/missing.json:2:3: cannot find base scenario file \"./nope.json\" (looked for "
             "%s/./nope.json)",
             tmpdir, tmpdir);
    assert_string_equal(err, want);

    scenario_t *s = NULL;
    scenario_error_t e;
    assert_int_equal(scenario_load("/nonexistent-dir/x.json", &s, &e), -1);
    scenario_error_format(&e, err, sizeof err);
    assert_string_equal(err, "/nonexistent-dir/x.json: cannot open: No such file or directory");
}

/* The repository root, from this file's path (CMake passes absolute paths;
 * a direct gcc build from the root gives a relative one, and "" then works). */
static void source_path(char *out, size_t len, const char *rel)
{
    const char *me = __FILE__;
    const char *tail = strstr(me, "tests/unit/scenario/test_scenario.c");
    snprintf(out, len, "%.*s%s", tail ? (int)(tail - me) : 0, me, rel);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Line and column (1-based) of the first occurrence of needle in text. */
static void find_pos(const char *text, const char *needle, int *line, int *col)
{
    const char *p = strstr(text, needle);
    assert_non_null(p);
    *line = 1;
    const char *start = text;
    for (const char *q = text; q < p; q++) {
        if (*q == '\n') {
            (*line)++;
            start = q + 1;
        }
    }
    *col = (int)(p - start) + 1;
}

static void check_default(const scenario_t *s, const char *text)
{
    assert_string_equal(s->name, "default");
    /* Real time, so the sessions GoTrue mints are not already expired for a client
     * comparing exp with its own clock (supabase-js does). */
    assert_true(s->clock_real);
    assert_false(s->auto_reload);
    assert_int_equal(s->user_count, 1);
    assert_string_equal(s->users[0].id, "13ab4cf1-8587-4685-874b-c2d37beeab38");
    assert_string_equal(s->users[0].password, "demo-password");
    assert_string_equal(s->on_signup_table, "profiles");
    assert_int_equal(s->table_count, 1);
    const scenario_table_t *t = &s->tables[0];
    assert_string_equal(t->schema, "public");
    assert_string_equal(t->name, "profiles");
    assert_true(t->rls);
    assert_false(t->has_grants);
    assert_int_equal(t->column_count, 7); /* the default scenario's 7-column profiles table */
    assert_string_equal(t->columns[0].name, "id");
    assert_true(t->columns[0].primary_key);
    assert_false(t->columns[0].nullable);
    assert_string_equal(t->columns[0].default_value->valuestring, "gen_random_uuid()");
    assert_string_equal(t->columns[1].references, "auth.users(id)");
    assert_true(t->columns[1].unique);
    assert_int_equal(t->policy_count, 3);
    assert_int_equal(cJSON_GetArraySize(t->rows), 1);
    int line, col;
    find_pos(text, "\"uuid\", \"primary_key\"", &line, &col);
    assert_int_equal(t->columns[0].type_pos.line, line);
    assert_int_equal(t->columns[0].type_pos.col, col);
    find_pos(text, "\"auth.uid() = user_id\"", &line, &col);
    assert_int_equal(t->policies[0].using_pos.line, line);
    assert_int_equal(t->policies[0].using_pos.col, col);
}

static void test_default_from_disk_and_builtin(void **state)
{
    (void)state;
    char path[600];
    source_path(path, sizeof path, "scenarios/default.json");
    char *text = slurp(path);
    /* The built-in copy is the file's bytes. */
    assert_string_equal(scenario_builtin_default, text);
    scenario_t *s = NULL;
    scenario_error_t err;
    char m[1200];
    if (scenario_load(path, &s, &err) != 0) {
        scenario_error_format(&err, m, sizeof m);
        fail_msg("%s", m);
    }
    check_default(s, text);
    assert_string_equal(s->files[0], path);
    scenario_free(s);

    /* By name from a directory without scenarios/: the built-in copy. */
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(tmpdir), 0);
    int rc = scenario_load("default", &s, &err);
    if (rc == 0) {
        check_default(s, text);
        if (strcmp(s->files[0], "<built-in>/default.json") != 0)
            assert_string_equal(s->files[0], MOCK_DATADIR "/scenarios/default.json");
        scenario_free(s);
        /* And a file extending "default" with nothing next to it gets it too. */
        write_file("leaf.json", "{\"extends\": \"default\", \"tables\": {\"profiles\": "
                                "{\"in_schema_cache\": false}}}");
        rc = scenario_load("leaf.json", &s, &err);
    }
    assert_int_equal(chdir(cwd), 0);
    if (rc != 0) {
        scenario_error_format(&err, m, sizeof m);
        fail_msg("%s", m);
    }
    assert_string_equal(s->name, "leaf");
    assert_int_equal(s->file_count, 2);
    assert_false(s->tables[0].in_schema_cache);
    assert_int_equal(s->tables[0].column_count, 7);
    scenario_free(s);
}

static void test_error_helpers(void **state)
{
    (void)state;
    scenario_error_t err;
    char out[700];
    scenario_pos_t pos = {"f.json", 3, 7};
    scenario_error_at(&err, pos, "row %d violates %s", 2, "x");
    scenario_error_format(&err, out, sizeof out);
    assert_string_equal(out, "f.json:3:7: row 2 violates x");
    scenario_pos_t none = {0};
    scenario_error_at(&err, none, "no file");
    scenario_error_format(&err, out, sizeof out);
    assert_string_equal(out, "no file");
    scenario_pos_t file_only = {"x.json", 0, 0};
    scenario_error_at(&err, file_only, "cannot read");
    scenario_error_format(&err, out, sizeof out);
    assert_string_equal(out, "x.json: cannot read");
}

/* ---- where scenario files may come from ---- */

/* A base reached through `extends` stays inside the extending file's folder
 * (or the scenario roots): no absolute paths, no "..", no symbolic links out. */
static void test_extends_stays_in_folder(void **state)
{
    (void)state;
    char path[600], err[1200], want[1200];
    snprintf(path, sizeof path, "%s/inner", tmpdir);
    assert_int_equal(mkdir(path, 0700), 0);
    write_file("outside.json", "{\"name\": \"outside\"}");
    write_file("inner/ok.json", "{\"name\": \"ok\"}");

    write_file("inner/abs.json", "{\"extends\": \"/etc/passwd\"}");
    assert_null(load_path("inner/abs.json", err, sizeof err));
    snprintf(want, sizeof want,
             "%s/inner/abs.json:1:13: \"extends\" must be a scenario name or a path relative to "
             "this file, not an absolute path (\"/etc/passwd\")",
             tmpdir);
    assert_string_equal(err, want);

    write_file("inner/dotdot.json", "{\"extends\": \"../outside.json\"}");
    assert_null(load_path("inner/dotdot.json", err, sizeof err));
    snprintf(want, sizeof want,
             "%s/inner/dotdot.json:1:13: base scenario file \"../outside.json\" is outside this "
             "scenario's folder and the scenario folders",
             tmpdir);
    assert_string_equal(err, want);

    /* A link inside the folder that leads out of it, by path and by name. */
    snprintf(path, sizeof path, "%s/inner/link.json", tmpdir);
    char target[600];
    snprintf(target, sizeof target, "%s/outside.json", tmpdir);
    assert_int_equal(symlink(target, path), 0);
    write_file("inner/bylink.json", "{\"extends\": \"./link.json\"}");
    assert_null(load_path("inner/bylink.json", err, sizeof err));
    assert_non_null(strstr(err, "\"./link.json\" is outside this scenario's folder"));
    write_file("inner/byname.json", "{\"extends\": \"link\"}");
    assert_null(load_path("inner/byname.json", err, sizeof err));
    snprintf(want, sizeof want,
             "%s/inner/byname.json:1:13: \"extends\": scenario \"link\" (%s/inner/link.json) "
             "resolves outside the scenario folders",
             tmpdir, tmpdir);
    assert_string_equal(err, want);

    /* Inside the folder, by path and by name, still works. */
    write_file("inner/good.json", "{\"extends\": \"ok\"}");
    scenario_t *s = load_path("inner/good.json", err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    assert_int_equal(s->file_count, 2);
    scenario_free(s);

    /* A name that is not a name. */
    write_file("inner/badname.json", "{\"extends\": \"..\"}");
    assert_null(load_path("inner/badname.json", err, sizeof err));
    assert_non_null(strstr(err, "\"..\" is not a scenario name"));
}

/* Only regular files are read: a FIFO would block the (single-threaded)
 * server until someone wrote to it. */
static void test_extends_fifo_does_not_block(void **state)
{
    (void)state;
    char path[600], err[1200], want[1200];
    snprintf(path, sizeof path, "%s/pipe.json", tmpdir);
    assert_int_equal(mkfifo(path, 0600), 0);
    write_file("usespipe.json", "{\"extends\": \"./pipe.json\"}");
    assert_null(load_path("usespipe.json", err, sizeof err));
    snprintf(want, sizeof want,
             "%s/usespipe.json:1:13: cannot read base scenario %s/./pipe.json: not a regular file",
             tmpdir, tmpdir);
    assert_string_equal(err, want);
    /* And as the file itself. */
    assert_null(load_path("pipe.json", err, sizeof err));
    snprintf(want, sizeof want, "%s/pipe.json: not a regular file", tmpdir);
    assert_string_equal(err, want);
    unlink(path);
}

/* A file that is not JSON is reported by position, never by its bytes. */
static void test_non_json_file_is_not_echoed(void **state)
{
    (void)state;
    char err[1200], want[1200];
    write_file("passwd.json", "root:x:0:0:secret-bytes:/root:/bin/bash\n");
    assert_null(load_path("passwd.json", err, sizeof err));
    snprintf(want, sizeof want,
             "%s/passwd.json:1:1: not a JSON scenario file (a scenario is a JSON object, opening "
             "with '{')",
             tmpdir);
    assert_string_equal(err, want);
    write_file("comment.json", "// a comment\n  [secret");
    assert_null(load_path("comment.json", err, sizeof err));
    assert_non_null(strstr(err, "/comment.json:2:3: not a JSON scenario file"));
    assert_null(strstr(err, "secret"));
}

/* scenario_load_name (the admin API's way in) takes names only, from the
 * scenario roots; text from memory extends by name only. */
static void test_load_by_name_only(void **state)
{
    (void)state;
    char path[600], err[1200], cwd[512];
    scenario_t *s = NULL;
    scenario_error_t e;
    const char *bad[] = {"/etc/passwd", "../x", "a/b", "x.json", "", "/proc/self/fd/0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(scenario_name_valid(bad[i]));
        assert_int_equal(scenario_load_name(bad[i], &s, &e), -1);
        assert_null(s);
        scenario_error_format(&e, err, sizeof err);
        assert_non_null(strstr(err, "is not a scenario name"));
    }
    assert_true(scenario_name_valid("stale-schema_cache2"));

    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(tmpdir), 0);
    snprintf(path, sizeof path, "%s/scenarios", tmpdir);
    assert_int_equal(mkdir(path, 0700), 0);
    write_file("scenarios/named.json", "{\"extends\": \"./sibling.json\"}");
    write_file("scenarios/sibling.json", "{\"name\": \"sibling\", \"gateway\": \"cli\"}");
    write_file("secret.json", "{\"name\": \"secret\"}");
    snprintf(path, sizeof path, "%s/scenarios/escape.json", tmpdir);
    char target[600];
    snprintf(target, sizeof target, "%s/secret.json", tmpdir);
    assert_int_equal(symlink(target, path), 0);
    int named = scenario_load_name("named", &s, &e);
    scenario_t *named_s = s;
    s = NULL;
    int escape = scenario_load_name("escape", &s, &e);
    scenario_error_format(&e, err, sizeof err);
    const char *text = "{\"extends\": \"scenarios/named.json\"}";
    scenario_t *t = NULL;
    scenario_error_t te;
    int from_text = scenario_load_text("<body>", text, strlen(text), &t, &te);
    assert_int_equal(chdir(cwd), 0);

    assert_int_equal(named, 0);
    assert_string_equal(named_s->name, "named");
    assert_int_equal(named_s->gateway, SCENARIO_GATEWAY_CLI);
    scenario_free(named_s);
    assert_int_equal(escape, -1);
    assert_null(s);
    assert_string_equal(err, "scenario \"escape\" (scenarios/escape.json) resolves outside the "
                             "scenario folders");
    assert_int_equal(from_text, -1);
    assert_null(t);
    scenario_error_format(&te, err, sizeof err);
    assert_string_equal(err, "<body>:1:13: \"extends\" in a scenario that is not a file must be a "
                             "scenario name, not a path (\"scenarios/named.json\")");
}

static void test_signing_keys(void **state)
{
    (void)state;
    scenario_t *s = load_ok("{\"auth\": {\"signing_keys\": [\n"
                            " {\"kid\": \"new\", \"alg\": \"ES256\", \"status\": \"current\", "
                            "\"private_key\": \"" P256_PEM "\"},\n"
                            " {\"kid\": \"legacy\", \"alg\": \"HS256\", \"status\": \"revoked\", "
                            "\"secret\": \"0123456789abcdef0123456789abcdef\"}]}}");
    assert_int_equal(s->signing_key_count, 2);
    assert_string_equal(s->signing_keys[0].kid, "new");
    assert_int_equal(s->signing_keys[0].alg, SIGNING_KEY_ES256);
    assert_int_equal(s->signing_keys[0].status, SIGNING_KEY_CURRENT);
    assert_non_null(s->signing_keys[0].pkey);
    assert_null(s->signing_keys[0].secret);
    assert_int_equal(s->signing_keys[1].alg, SIGNING_KEY_HS256);
    assert_int_equal(s->signing_keys[1].status, SIGNING_KEY_REVOKED);
    assert_string_equal(s->signing_keys[1].secret, "0123456789abcdef0123456789abcdef");
    assert_non_null(s->signing_keys_fingerprint);
    assert_int_equal(strlen(s->signing_keys_fingerprint), 64);
    scenario_free(s);
    /* Without the list (or with an empty one): no keys, no fingerprint. */
    s = load_ok("{\"auth\": {\"signing_keys\": []}}");
    assert_int_equal(s->signing_key_count, 0);
    assert_null(s->signing_keys_fingerprint);
    scenario_free(s);
}

static void test_signing_key_as_jwk(void **state)
{
    (void)state;
    scenario_t *pem = load_ok("{\"auth\": {\"signing_keys\": [{\"kid\": \"k\", \"alg\": \"ES256\", "
                              "\"status\": \"current\", \"private_key\": \"" P256_PEM "\"}]}}");
    scenario_t *jwk = load_ok("{\"auth\": {\"signing_keys\": [{\"kid\": \"k\", \"alg\": \"ES256\", "
                              "\"status\": \"current\", \"private_key\": " P256_JWK "}]}}");
    /* Same kid, alg and public key: the same fingerprint. */
    assert_string_equal(pem->signing_keys_fingerprint, jwk->signing_keys_fingerprint);
    scenario_free(pem);
    scenario_free(jwk);
    const char *e = try_load("{\"auth\": {\"signing_keys\": [{\"kid\": \"k\", \"alg\": \"RS256\", "
                             "\"status\": \"current\",\n  \"private_key\": " P256_JWK "}]}}",
                             NULL);
    assert_non_null(e);
    assert_string_equal(e, "t.json:2:18: \"private_key\" JWK for RS256 needs \"kty\": \"RSA\"");
    e = try_load("{\"auth\": {\"signing_keys\": [{\"kid\": \"k\", \"alg\": \"ES256\", "
                 "\"status\": \"current\",\n  \"private_key\": {\"kty\": \"EC\", \"crv\": "
                 "\"P-256\", \"x\": \"AA\"}}]}}",
                 NULL);
    assert_non_null(e);
    assert_string_equal(e, "t.json:2:18: \"private_key\" JWK needs \"d\" (base64url)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_anonymous_sign_ins),
        cmocka_unit_test(test_mfa_settings),
        cmocka_unit_test(test_item_defaults),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_validation_errors),
        cmocka_unit_test(test_signing_keys),
        cmocka_unit_test(test_signing_key_as_jwk),
        cmocka_unit_test(test_parse_time),
        cmocka_unit_test(test_extends_chain),
        cmocka_unit_test(test_extends_errors),
        cmocka_unit_test(test_extends_drop_policy),
        cmocka_unit_test(test_default_from_disk_and_builtin),
        cmocka_unit_test(test_error_helpers),
        cmocka_unit_test(test_extends_stays_in_folder),
        cmocka_unit_test(test_extends_fifo_does_not_block),
        cmocka_unit_test(test_non_json_file_is_not_echoed),
        cmocka_unit_test(test_load_by_name_only),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
