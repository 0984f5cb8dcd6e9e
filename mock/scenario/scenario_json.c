/* Serialises a loaded scenario_t back into the scenario file format
 * with its defaults spelt out, so that GET /__mock/scenario shows exactly what
 * is being served. It does not validate (the scenario was validated when it
 * loaded) and knows nothing of rule counters (admin.c swaps those in). */
#include "scenario_json.h"

#include "clock.h"
#include "xalloc.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

/* cJSON additions fail only when out of memory; abort like xmalloc does. */
static cJSON *add(cJSON *obj, const char *key, cJSON *item)
{
    MOCK_ASSERT(item);
    MOCK_ASSERT(cJSON_AddItemToObject(obj, key, item));
    return item;
}

static void push(cJSON *arr, cJSON *item)
{
    MOCK_ASSERT(item);
    MOCK_ASSERT(cJSON_AddItemToArray(arr, item));
}

static cJSON *string_or_null(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static void add_string_if(cJSON *obj, const char *key, const char *s)
{
    if (s)
        add(obj, key, cJSON_CreateString(s));
}

static cJSON *dup_json(const cJSON *j)
{
    cJSON *copy = cJSON_Duplicate(j, true);
    MOCK_ASSERT(copy);
    return copy;
}

static cJSON *strings(char *const *v, size_t n)
{
    cJSON *arr = cJSON_CreateArray();
    MOCK_ASSERT(arr);
    for (size_t i = 0; i < n; i++)
        push(arr, cJSON_CreateString(v[i]));
    return arr;
}

static const char *tx_end_name(scenario_tx_end_t t)
{
    switch (t) {
    case SCENARIO_TX_COMMIT:
        return "commit";
    case SCENARIO_TX_COMMIT_ALLOW_OVERRIDE:
        return "commit-allow-override";
    case SCENARIO_TX_ROLLBACK:
        return "rollback";
    case SCENARIO_TX_ROLLBACK_ALLOW_OVERRIDE:
        return "rollback-allow-override";
    }
    return "commit";
}

static const char *gateway_name(scenario_gateway_t g)
{
    switch (g) {
    case SCENARIO_GATEWAY_HOSTED:
        return "hosted";
    case SCENARIO_GATEWAY_SELF_HOSTED:
        return "self-hosted";
    case SCENARIO_GATEWAY_CLI:
        return "cli";
    }
    return "hosted";
}

static cJSON *postgrest_json(const scenario_t *sc)
{
    cJSON *o = cJSON_CreateObject();
    MOCK_ASSERT(o);
    add(o, "db_schemas", strings(sc->db_schemas, sc->db_schema_count));
    add(o, "db_max_rows",
        sc->db_max_rows < 0 ? cJSON_CreateNull() : cJSON_CreateNumber((double)sc->db_max_rows));
    add(o, "db_tx_end", cJSON_CreateString(tx_end_name(sc->db_tx_end)));
    add(o, "db_aggregates_enabled", cJSON_CreateBool(sc->db_aggregates_enabled));
    add(o, "db_plan_enabled", cJSON_CreateBool(sc->db_plan_enabled));
    static const char *const openapi_modes[] = {"follow-privileges", "ignore-privileges",
                                                "disabled"};
    add(o, "openapi_mode", cJSON_CreateString(openapi_modes[sc->openapi_mode]));
    return o;
}

static cJSON *user_json(const scenario_user_t *u)
{
    cJSON *o = cJSON_CreateObject();
    MOCK_ASSERT(o);
    add(o, "id", cJSON_CreateString(u->id));
    add(o, "email", cJSON_CreateString(u->email));
    add_string_if(o, "phone", u->phone);
    add_string_if(o, "password", u->password);
    add(o, "user_metadata", dup_json(u->user_metadata));
    add(o, "app_metadata", dup_json(u->app_metadata));
    add(o, "email_confirmed", cJSON_CreateBool(u->email_confirmed));
    add(o, "role", cJSON_CreateString(u->role ? u->role : "authenticated"));
    return o;
}

static cJSON *auth_json(const scenario_t *sc)
{
    cJSON *o = cJSON_CreateObject();
    MOCK_ASSERT(o);
    add(o, "jwt_secret", string_or_null(sc->jwt_secret));
    add(o, "anon_key", string_or_null(sc->anon_key));
    add(o, "service_role_key", string_or_null(sc->service_role_key));
    add(o, "publishable_key", string_or_null(sc->publishable_key));
    add(o, "secret_key", string_or_null(sc->secret_key));
    cJSON *users = add(o, "users", cJSON_CreateArray());
    for (size_t i = 0; i < sc->user_count; i++)
        push(users, user_json(&sc->users[i]));
    if (sc->on_signup_table) {
        cJSON *s = add(o, "on_signup", cJSON_CreateObject());
        add(s, "table", cJSON_CreateString(sc->on_signup_table));
        add(s, "values",
            sc->on_signup_values ? dup_json(sc->on_signup_values) : cJSON_CreateObject());
    } else {
        add(o, "on_signup", cJSON_CreateNull());
    }
    add(o, "confirm_email", cJSON_CreateBool(sc->confirm_email));
    if (sc->site_url)
        add(o, "site_url", cJSON_CreateString(sc->site_url));
    add(o, "secure_password_change", cJSON_CreateBool(sc->secure_password_change));
    add(o, "enable_anonymous_sign_ins", cJSON_CreateBool(sc->enable_anonymous_sign_ins));
    cJSON *mfa = add(o, "mfa", cJSON_CreateObject());
    add(mfa, "max_enrolled_factors", cJSON_CreateNumber((double)sc->mfa_max_enrolled_factors));
    cJSON *totp = add(mfa, "totp", cJSON_CreateObject());
    add(totp, "enroll_enabled", cJSON_CreateBool(sc->mfa_totp_enroll_enabled));
    add(totp, "verify_enabled", cJSON_CreateBool(sc->mfa_totp_verify_enabled));
    if (sc->signing_key_count) {
        static const char *const statuses[] = {"current", "previous", "revoked"};
        cJSON *keys = add(o, "signing_keys", cJSON_CreateArray());
        for (size_t i = 0; i < sc->signing_key_count; i++) {
            const signing_key_t *k = &sc->signing_keys[i];
            cJSON *j = cJSON_CreateObject();
            push(keys, j);
            add(j, "kid", cJSON_CreateString(k->kid));
            add(j, "alg", cJSON_CreateString(signing_key_alg_name(k->alg)));
            add(j, "status", cJSON_CreateString(statuses[k->status]));
            if (k->secret) {
                add(j, "secret", cJSON_CreateString(k->secret));
                continue;
            }
            /* PKCS#8 PEM, as the scenario may give it. */
            BIO *bio = BIO_new(BIO_s_mem());
            int written = bio && PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL);
            MOCK_ASSERT(written);
            char *pem = NULL;
            long len = BIO_get_mem_data(bio, &pem);
            char *text = xmalloc((size_t)len + 1);
            memcpy(text, pem, (size_t)len);
            text[len] = '\0';
            add(j, "private_key", cJSON_CreateString(text));
            free(text);
            BIO_free(bio);
        }
    }
    return o;
}

static cJSON *column_json(const scenario_column_t *c)
{
    cJSON *o = cJSON_CreateObject();
    MOCK_ASSERT(o);
    add(o, "name", cJSON_CreateString(c->name));
    add(o, "type", cJSON_CreateString(c->type));
    add(o, "nullable", cJSON_CreateBool(c->nullable));
    if (c->default_value)
        add(o, "default", dup_json(c->default_value));
    add(o, "primary_key", cJSON_CreateBool(c->primary_key));
    add(o, "unique", cJSON_CreateBool(c->unique));
    add_string_if(o, "identity", c->identity);
    add_string_if(o, "references", c->references);
    add_string_if(o, "on_delete", c->on_delete);
    add_string_if(o, "fk_name", c->fk_name);
    add_string_if(o, "check", c->check);
    add(o, "in_schema_cache", cJSON_CreateBool(c->in_schema_cache));
    return o;
}

static cJSON *grants_json(const scenario_table_t *t)
{
    static const struct {
        unsigned bit;
        const char *name;
    } privs[] = {{SCENARIO_PRIV_SELECT, "select"},
                 {SCENARIO_PRIV_INSERT, "insert"},
                 {SCENARIO_PRIV_UPDATE, "update"},
                 {SCENARIO_PRIV_DELETE, "delete"}};
    cJSON *o = cJSON_CreateObject();
    MOCK_ASSERT(o);
    for (size_t i = 0; i < t->grant_count; i++) {
        const scenario_grant_t *g = &t->grants[i];
        cJSON *list = add(o, g->role, cJSON_CreateArray());
        if ((g->privileges & SCENARIO_PRIV_ALL) == SCENARIO_PRIV_ALL) {
            push(list, cJSON_CreateString("all"));
            continue;
        }
        for (size_t k = 0; k < sizeof privs / sizeof privs[0]; k++)
            if (g->privileges & privs[k].bit)
                push(list, cJSON_CreateString(privs[k].name));
    }
    return o;
}

static cJSON *policy_json(const scenario_policy_t *p)
{
    cJSON *o = cJSON_CreateObject();
    MOCK_ASSERT(o);
    add(o, "name", cJSON_CreateString(p->name));
    add(o, "command", cJSON_CreateString(p->command ? p->command : "all"));
    if (p->role_count)
        add(o, "roles", strings(p->roles, p->role_count));
    add(o, "permissive", cJSON_CreateBool(p->permissive));
    add_string_if(o, "using", p->using_expr);
    add_string_if(o, "with_check", p->with_check);
    return o;
}

static cJSON *table_json(const scenario_table_t *t)
{
    cJSON *o = cJSON_CreateObject();
    MOCK_ASSERT(o);
    cJSON *cols = add(o, "columns", cJSON_CreateArray());
    for (size_t i = 0; i < t->column_count; i++)
        push(cols, column_json(&t->columns[i]));
    add(o, "rls", cJSON_CreateBool(t->rls));
    /* Without "grants" Supabase's default privileges apply (ALL to the three API roles): the
     * key is left out rather than spelling them out, which would change the
     * table from "defaults" to "exactly these". */
    if (t->has_grants)
        add(o, "grants", grants_json(t));
    cJSON *pols = add(o, "policies", cJSON_CreateArray());
    for (size_t i = 0; i < t->policy_count; i++)
        push(pols, policy_json(&t->policies[i]));
    add(o, "in_schema_cache", cJSON_CreateBool(t->in_schema_cache));
    add(o, "rows", t->rows ? dup_json(t->rows) : cJSON_CreateArray());
    return o;
}

cJSON *scenario_to_json(const scenario_t *sc)
{
    cJSON *o = cJSON_CreateObject();
    MOCK_ASSERT(o);
    add(o, "name", cJSON_CreateString(sc->name ? sc->name : ""));
    add(o, "description", cJSON_CreateString(sc->description ? sc->description : ""));
    add(o, "postgrest_version", cJSON_CreateNumber(sc->postgrest_version));
    add(o, "postgrest", postgrest_json(sc));
    add(o, "gateway", cJSON_CreateString(gateway_name(sc->gateway)));
    if (sc->clock_real) {
        add(o, "clock", cJSON_CreateString("real"));
    } else {
        char iso[40];
        clock_format_iso(sc->clock_start_us, iso, sizeof iso);
        add(o, "clock", cJSON_CreateString(iso));
    }
    add(o, "auth", auth_json(sc));
    cJSON *roles = add(o, "roles", cJSON_CreateObject());
    for (size_t i = 0; i < sc->role_count; i++) {
        cJSON *r = add(roles, sc->roles[i].name, cJSON_CreateObject());
        add(r, "bypass_rls", cJSON_CreateBool(sc->roles[i].bypass_rls));
    }
    cJSON *enums = add(o, "enums", cJSON_CreateObject());
    for (size_t i = 0; i < sc->enum_count; i++)
        add(enums, sc->enums[i].name, strings(sc->enums[i].labels, sc->enums[i].label_count));
    cJSON *tables = add(o, "tables", cJSON_CreateObject());
    for (size_t i = 0; i < sc->table_count; i++) {
        const scenario_table_t *t = &sc->tables[i];
        if (strcmp(t->schema, "public") == 0) {
            add(tables, t->name, table_json(t));
        } else {
            char *key = xasprintf("%s.%s", t->schema, t->name);
            add(tables, key, table_json(t));
            free(key);
        }
    }
    cJSON *cache = add(o, "schema_cache", cJSON_CreateObject());
    add(cache, "auto_reload_after_ms",
        sc->auto_reload ? cJSON_CreateNumber((double)sc->auto_reload_after_ms)
                        : cJSON_CreateNull());
    add(o, "rules", sc->rules ? dup_json(sc->rules) : cJSON_CreateArray());
    return o;
}
