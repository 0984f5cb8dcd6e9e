/* Unit tests for scenario_json.c: the effective scenario serialised in the
 * scenario file format loads back (scenario_load_text) into an equal scenario;
 * defaults are spelt out; `extends` is applied, not
 * repeated. Equality is checked field by field on scenario_t, so a key the
 * serialiser forgot shows up as a difference from the original. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scenario.h"
#include "scenario_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every key of the scenario format with a non-default value. */
static const char rich[] =
    "{\n"
    "  \"name\": \"rich\", \"description\": \"every key\",\n"
    "  \"postgrest_version\": 12,\n"
    "  \"postgrest\": {\"db_schemas\": [\"public\", \"api\"], \"db_max_rows\": null,\n"
    "                \"db_tx_end\": \"rollback-allow-override\", \"db_aggregates_enabled\": true,\n"
    "                \"db_plan_enabled\": true},\n"
    "  \"gateway\": \"self-hosted\",\n"
    "  \"clock\": \"2026-03-04T05:06:07.25Z\",\n"
    "  \"auth\": {\n"
    "    \"jwt_secret\": \"0123456789abcdef0123456789abcdef-rich\",\n"
    "    \"anon_key\": \"anon.key.x\", \"service_role_key\": \"service.key.y\",\n"
    "    \"publishable_key\": \"sb_publishable_rich\", \"secret_key\": \"sb_secret_rich\",\n"
    "    \"users\": [{\"id\": \"13ab4cf1-8587-4685-874b-c2d37beeab38\", \"email\": "
    "\"a@example.com\",\n"
    "               \"phone\": \"+15550100\", \"password\": \"pw\", \"user_metadata\": {\"k\": "
    "[1, 2]},\n"
    "               \"app_metadata\": {\"provider\": \"github\"}, \"email_confirmed\": false,\n"
    "               \"role\": \"authenticated\"},\n"
    "              {\"id\": \"23ab4cf1-8587-4685-874b-c2d37beeab38\", \"email\": "
    "\"b@example.com\"}],\n"
    "    \"on_signup\": {\"table\": \"api.items\", \"values\": {\"owner\": \"{{user.id}}\"}},\n"
    "    \"confirm_email\": true\n"
    "  },\n"
    "  \"roles\": {\"editor\": {\"bypass_rls\": false}, \"service_role\": {\"bypass_rls\": "
    "true}},\n"
    "  \"enums\": {\"mood\": [\"happy\", \"sad\"]},\n"
    "  \"tables\": {\n"
    "    \"api.items\": {\n"
    "      \"columns\": [\n"
    "        {\"name\": \"id\", \"type\": \"bigint\", \"primary_key\": true, \"identity\": "
    "\"always\"},\n"
    "        {\"name\": \"owner\", \"type\": \"uuid\", \"nullable\": false, \"references\": "
    "\"auth.users(id)\"},\n"
    "        {\"name\": \"mood\", \"type\": \"mood\", \"default\": \"happy\", \"unique\": true},\n"
    "        {\"name\": \"qty\", \"type\": \"integer\", \"check\": \"qty > 0\", "
    "\"in_schema_cache\": false},\n"
    "        {\"name\": \"tags\", \"type\": \"text[]\", \"default\": [\"a\"]}\n"
    "      ],\n"
    "      \"rls\": true,\n"
    "      \"grants\": {\"anon\": [\"select\"], \"editor\": [\"select\", \"update\"], "
    "\"service_role\": [\"all\"]},\n"
    "      \"policies\": [\n"
    "        {\"name\": \"own\", \"command\": \"update\", \"roles\": [\"editor\", \"public\"],\n"
    "         \"permissive\": false, \"using\": \"auth.uid() = owner\", \"with_check\": "
    "\"qty > 1\"},\n"
    "        {\"name\": \"all\", \"using\": \"true\"}\n"
    "      ],\n"
    "      \"in_schema_cache\": false,\n"
    "      \"rows\": [{\"owner\": \"13ab4cf1-8587-4685-874b-c2d37beeab38\", \"qty\": 2}]\n"
    "    },\n"
    "    \"notes\": {\"columns\": [{\"name\": \"body\", \"type\": \"text\"}]}\n"
    "  },\n"
    "  \"schema_cache\": {\"auto_reload_after_ms\": null},\n"
    "  \"rules\": [{\"name\": \"r1\", \"match\": {\"path\": \"/rest/v1/*\"}, \"respond\": "
    "{\"error\": \"PGRST205\"}}]\n"
    "}\n";

static scenario_t *load(const char *file, const char *text)
{
    scenario_t *sc = NULL;
    scenario_error_t err;
    if (scenario_load_text(file, text, strlen(text), &sc, &err) != 0) {
        char msg[1200];
        scenario_error_format(&err, msg, sizeof msg);
        fail_msg("load failed: %s", msg);
    }
    return sc;
}

static void str_eq(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void json_eq(const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_true(cJSON_Compare(a, b, true));
}

/* rows and rules: absent (NULL) and [] mean the same, and the serialiser
 * spells absent ones as []. */
static void list_eq(const cJSON *a, const cJSON *b)
{
    if ((!a || cJSON_GetArraySize(a) == 0) && (!b || cJSON_GetArraySize(b) == 0))
        return;
    json_eq(a, b);
}

static void assert_scenarios_equal(const scenario_t *a, const scenario_t *b)
{
    str_eq(a->name, b->name);
    str_eq(a->description, b->description);
    assert_int_equal(a->postgrest_version, b->postgrest_version);
    assert_int_equal(a->db_schema_count, b->db_schema_count);
    for (size_t i = 0; i < a->db_schema_count; i++)
        str_eq(a->db_schemas[i], b->db_schemas[i]);
    assert_int_equal(a->db_max_rows, b->db_max_rows);
    assert_int_equal(a->db_tx_end, b->db_tx_end);
    assert_int_equal(a->db_aggregates_enabled, b->db_aggregates_enabled);
    assert_int_equal(a->db_plan_enabled, b->db_plan_enabled);
    assert_int_equal(a->gateway, b->gateway);
    assert_int_equal(a->clock_real, b->clock_real);
    assert_int_equal(a->clock_start_us, b->clock_start_us);
    str_eq(a->jwt_secret, b->jwt_secret);
    str_eq(a->anon_key, b->anon_key);
    str_eq(a->service_role_key, b->service_role_key);
    str_eq(a->publishable_key, b->publishable_key);
    str_eq(a->secret_key, b->secret_key);
    assert_int_equal(a->user_count, b->user_count);
    for (size_t i = 0; i < a->user_count; i++) {
        const scenario_user_t *u = &a->users[i], *v = &b->users[i];
        str_eq(u->id, v->id);
        str_eq(u->email, v->email);
        str_eq(u->phone, v->phone);
        str_eq(u->password, v->password);
        json_eq(u->user_metadata, v->user_metadata);
        json_eq(u->app_metadata, v->app_metadata);
        assert_int_equal(u->email_confirmed, v->email_confirmed);
        str_eq(u->role, v->role);
    }
    str_eq(a->on_signup_table, b->on_signup_table);
    json_eq(a->on_signup_values, b->on_signup_values);
    assert_int_equal(a->confirm_email, b->confirm_email);
    assert_int_equal(a->role_count, b->role_count);
    for (size_t i = 0; i < a->role_count; i++) {
        str_eq(a->roles[i].name, b->roles[i].name);
        assert_int_equal(a->roles[i].bypass_rls, b->roles[i].bypass_rls);
    }
    assert_int_equal(a->enum_count, b->enum_count);
    for (size_t i = 0; i < a->enum_count; i++) {
        str_eq(a->enums[i].name, b->enums[i].name);
        assert_int_equal(a->enums[i].label_count, b->enums[i].label_count);
        for (size_t k = 0; k < a->enums[i].label_count; k++)
            str_eq(a->enums[i].labels[k], b->enums[i].labels[k]);
    }
    assert_int_equal(a->table_count, b->table_count);
    for (size_t i = 0; i < a->table_count; i++) {
        const scenario_table_t *t = &a->tables[i], *u = &b->tables[i];
        str_eq(t->schema, u->schema);
        str_eq(t->name, u->name);
        assert_int_equal(t->rls, u->rls);
        assert_int_equal(t->in_schema_cache, u->in_schema_cache);
        list_eq(t->rows, u->rows);
        assert_int_equal(t->column_count, u->column_count);
        for (size_t c = 0; c < t->column_count; c++) {
            const scenario_column_t *x = &t->columns[c], *y = &u->columns[c];
            str_eq(x->name, y->name);
            str_eq(x->type, y->type);
            assert_int_equal(x->nullable, y->nullable);
            json_eq(x->default_value, y->default_value);
            assert_int_equal(x->primary_key, y->primary_key);
            assert_int_equal(x->unique, y->unique);
            str_eq(x->identity, y->identity);
            str_eq(x->references, y->references);
            str_eq(x->check, y->check);
            assert_int_equal(x->in_schema_cache, y->in_schema_cache);
        }
        assert_int_equal(t->has_grants, u->has_grants);
        assert_int_equal(t->grant_count, u->grant_count);
        for (size_t g = 0; g < t->grant_count; g++) {
            str_eq(t->grants[g].role, u->grants[g].role);
            assert_int_equal(t->grants[g].privileges, u->grants[g].privileges);
        }
        assert_int_equal(t->policy_count, u->policy_count);
        for (size_t p = 0; p < t->policy_count; p++) {
            const scenario_policy_t *x = &t->policies[p], *y = &u->policies[p];
            str_eq(x->name, y->name);
            str_eq(x->command, y->command);
            assert_int_equal(x->role_count, y->role_count);
            for (size_t r = 0; r < x->role_count; r++)
                str_eq(x->roles[r], y->roles[r]);
            assert_int_equal(x->permissive, y->permissive);
            str_eq(x->using_expr, y->using_expr);
            str_eq(x->with_check, y->with_check);
        }
    }
    assert_int_equal(a->auto_reload, b->auto_reload);
    assert_int_equal(a->auto_reload_after_ms, b->auto_reload_after_ms);
    list_eq(a->rules, b->rules);
    assert_int_equal(a->signing_key_count, b->signing_key_count);
    for (size_t i = 0; i < a->signing_key_count; i++) {
        str_eq(a->signing_keys[i].kid, b->signing_keys[i].kid);
        assert_int_equal(a->signing_keys[i].alg, b->signing_keys[i].alg);
        assert_int_equal(a->signing_keys[i].status, b->signing_keys[i].status);
        str_eq(a->signing_keys[i].secret, b->signing_keys[i].secret);
    }
    /* The fingerprint covers every verifying key's material. */
    str_eq(a->signing_keys_fingerprint, b->signing_keys_fingerprint);
}

/* serialise -> print -> load -> compare; returns the printed text (caller frees). */
static char *round_trip(const scenario_t *sc)
{
    cJSON *json = scenario_to_json(sc);
    char *text = cJSON_PrintUnformatted(json);
    assert_non_null(text);
    scenario_t *back = load("<round trip>", text);
    assert_scenarios_equal(sc, back);
    /* And the second serialisation is the same document. */
    cJSON *again = scenario_to_json(back);
    assert_true(cJSON_Compare(json, again, true));
    cJSON_Delete(again);
    cJSON_Delete(json);
    scenario_free(back);
    return text;
}

static void test_rich_round_trip(void **state)
{
    (void)state;
    scenario_t *sc = load("rich.json", rich);
    char *text = round_trip(sc);
    cJSON *json = cJSON_Parse(text);
    /* Spot checks on the format itself (its key spellings). */
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(json, "postgrest"), "db_max_rows")));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(json, "clock")->valuestring,
                        "2026-03-04T05:06:07.250000Z");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(json, "gateway")->valuestring,
                        "self-hosted");
    const cJSON *tables = cJSON_GetObjectItemCaseSensitive(json, "tables");
    assert_non_null(cJSON_GetObjectItemCaseSensitive(tables, "api.items"));
    assert_non_null(cJSON_GetObjectItemCaseSensitive(tables, "notes")); /* public: bare name */
    assert_null(cJSON_GetObjectItemCaseSensitive(json, "extends"));
    cJSON_Delete(json);
    cJSON_free(text);
    scenario_free(sc);
}

static void test_defaults_filled(void **state)
{
    (void)state;
    scenario_t *sc = load("minimal.json", "{\"name\": \"minimal\"}");
    char *text = round_trip(sc);
    cJSON *json = cJSON_Parse(text);
    /* Supabase's defaults: db_schemas public+graphql_public,
     * db_max_rows 1000, db_tx_end commit, aggregates and plan off; version 14;
     * gateway hosted; the clock is real time when nothing sets it. */
    const cJSON *pg = cJSON_GetObjectItemCaseSensitive(json, "postgrest");
    const cJSON *schemas = cJSON_GetObjectItemCaseSensitive(pg, "db_schemas");
    assert_int_equal(cJSON_GetArraySize(schemas), 2);
    assert_string_equal(cJSON_GetArrayItem(schemas, 0)->valuestring, "public");
    assert_string_equal(cJSON_GetArrayItem(schemas, 1)->valuestring, "graphql_public");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(pg, "db_max_rows")->valuedouble, 1000);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(pg, "db_tx_end")->valuestring, "commit");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(pg, "db_aggregates_enabled")));
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(json, "postgrest_version")->valuedouble, 14);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(json, "gateway")->valuestring, "hosted");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(json, "clock")->valuestring, "real");
    /* The Supabase CLI demo secret is the default jwt_secret. */
    const cJSON *auth = cJSON_GetObjectItemCaseSensitive(json, "auth");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(auth, "jwt_secret")->valuestring,
                        "super-secret-jwt-token-with-at-least-32-characters-long");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(auth, "on_signup")));
    /* Without "roles" Supabase's defaults apply: service_role bypasses RLS. */
    const cJSON *roles = cJSON_GetObjectItemCaseSensitive(json, "roles");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(roles, "service_role"), "bypass_rls")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(roles, "anon"), "bypass_rls")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(json, "rules")), 0);
    cJSON_Delete(json);
    cJSON_free(text);
    scenario_free(sc);
}

static void test_column_defaults_spelt_out(void **state)
{
    (void)state;
    scenario_t *sc = load("cols.json", "{\"tables\": {\"t\": {\"columns\": [{\"name\": \"id\", "
                                       "\"type\": \"uuid\", \"primary_key\": true}]}}}");
    char *text = round_trip(sc);
    cJSON *json = cJSON_Parse(text);
    const cJSON *t =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "tables"), "t");
    const cJSON *col = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "columns"), 0);
    /* A primary key is never nullable (Postgres); in_schema_cache defaults to true. */
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(col, "nullable")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(col, "in_schema_cache")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(col, "unique")));
    assert_null(cJSON_GetObjectItemCaseSensitive(col, "default"));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(t, "rls")));
    /* No grants key: Supabase's default privileges still apply after a reload. */
    assert_null(cJSON_GetObjectItemCaseSensitive(t, "grants"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(t, "rows")), 0);
    /* The file is named after itself when it has no name (scenario.c). */
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(json, "name")->valuestring, "cols");
    cJSON_Delete(json);
    cJSON_free(text);
    scenario_free(sc);
}

static void test_extends_applied(void **state)
{
    (void)state;
    char dir[] = "/tmp/scenario_json_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char base_path[128], child_path[128];
    snprintf(base_path, sizeof base_path, "%s/base.json", dir);
    snprintf(child_path, sizeof child_path, "%s/child.json", dir);
    FILE *f = fopen(base_path, "w");
    assert_non_null(f);
    fputs("{\"name\": \"base\", \"tables\": {\"a\": {\"columns\": [{\"name\": \"x\", \"type\": "
          "\"text\"}]}}, \"rules\": [{\"name\": \"base rule\", \"match\": {}, \"respond\": "
          "{\"pass\": true}}]}",
          f);
    fclose(f);
    const char *child = "{\"name\": \"child\", \"extends\": \"base.json\", \"tables\": {\"b\": "
                        "{\"columns\": [{\"name\": \"y\", \"type\": \"int\"}]}}, \"rules\": "
                        "[{\"name\": \"child rule\", \"match\": {}, \"respond\": {\"pass\": "
                        "true}}]}";
    f = fopen(child_path, "w");
    assert_non_null(f);
    fputs(child, f);
    fclose(f);
    scenario_t *sc = NULL;
    scenario_error_t err;
    assert_int_equal(scenario_load(child_path, &sc, &err), 0);
    char *text = round_trip(sc);
    cJSON *json = cJSON_Parse(text);
    /* extends: tables merged by name (base first), rules appended. */
    const cJSON *tables = cJSON_GetObjectItemCaseSensitive(json, "tables");
    assert_string_equal(tables->child->string, "a");
    assert_string_equal(tables->child->next->string, "b");
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(json, "rules");
    assert_int_equal(cJSON_GetArraySize(rules), 2);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rules, 0), "name")->valuestring,
        "base rule");
    assert_null(cJSON_GetObjectItemCaseSensitive(json, "extends"));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(json, "name")->valuestring, "child");
    cJSON_Delete(json);
    cJSON_free(text);
    scenario_free(sc);
    unlink(child_path);
    unlink(base_path);
    rmdir(dir);
}

static void test_signing_keys_round_trip(void **state)
{
    (void)state;
    scenario_t *sc =
        load("keys.json",
             "{\"auth\": {\"signing_keys\": [{\"kid\": \"es\", \"alg\": \"ES256\", \"status\": "
             "\"current\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n"
             "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+hLzCMufm/ZeoeaN\\n"
             "Ou7TCEHkDfWnEBLZeAacjOA6PSShRANCAASc8BtY1g3PEe0FrUqdYn5KDwyye0DA\\n"
             "AnBsPH6o/Wijkt2fZHx+YYeeVhb0Eka2avFpOh2d70NFNduWIIxBC0+4\\n"
             "-----END PRIVATE KEY-----\\n\"}, {\"kid\": \"hs\", \"alg\": \"HS256\", "
             "\"status\": \"revoked\", \"secret\": \"0123456789abcdef0123456789abcdef\"}]}}");
    free(round_trip(sc));
    scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rich_round_trip),           cmocka_unit_test(test_defaults_filled),
        cmocka_unit_test(test_column_defaults_spelt_out), cmocka_unit_test(test_extends_applied),
        cmocka_unit_test(test_signing_keys_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
