/* The auth.users table of the memory engine and the building of its rows.
 * GoTrue's table has many more columns; these are the ones foreign keys and
 * on_signup values use. */
#include "auth_users.h"

#include "owner_insert.h"
#include "xalloc.h"

#include <cjson/cJSON.h>

static const store_column_spec_t auth_user_columns[] = {
    {.name = "id", .type = "uuid", .primary_key = true, .in_schema_cache = true},
    {.name = "email", .type = "text", .nullable = true, .in_schema_cache = true},
    {.name = "phone", .type = "text", .nullable = true, .in_schema_cache = true},
    {.name = "role", .type = "text", .nullable = true, .in_schema_cache = true},
    /* What a project's handle_new_user reads (new.raw_user_meta_data). */
    {.name = "raw_app_meta_data", .type = "jsonb", .nullable = true, .in_schema_cache = true},
    {.name = "raw_user_meta_data", .type = "jsonb", .nullable = true, .in_schema_cache = true},
};

int auth_users_create_table(store_t *store, char **error)
{
    int bad_col = -1;
    size_t n = sizeof auth_user_columns / sizeof auth_user_columns[0];
    return store_add_table(store, "auth", "users", auth_user_columns, n, error, &bad_col) ? 0 : -1;
}

store_table_t *auth_users_table(store_t *store)
{
    return store_find_table(store, "auth", "users");
}

int auth_users_insert(store_t *store, const security_t *sec, const char *id, const char *email,
                      const char *phone, const char *role, const cJSON *user_metadata,
                      const cJSON *app_metadata, const store_env_t *env, pgrst_error_t *err,
                      const char **bad_key)
{
    store_table_t *users = auth_users_table(store);
    if (!users)
        return 0; /* nothing to mirror */
    cJSON *row = cJSON_CreateObject();
    MOCK_ASSERT(row);
    MOCK_ASSERT(cJSON_AddStringToObject(row, "id", id));
    if (email)
        MOCK_ASSERT(cJSON_AddStringToObject(row, "email", email));
    if (phone)
        MOCK_ASSERT(cJSON_AddStringToObject(row, "phone", phone));
    MOCK_ASSERT(cJSON_AddStringToObject(row, "role", role ? role : "authenticated"));
    if (app_metadata)
        MOCK_ASSERT(
            cJSON_AddItemToObject(row, "raw_app_meta_data", cJSON_Duplicate(app_metadata, true)));
    if (user_metadata)
        MOCK_ASSERT(
            cJSON_AddItemToObject(row, "raw_user_meta_data", cJSON_Duplicate(user_metadata, true)));
    int rc = owner_insert_json(store, sec, users, row, env, err, bad_key);
    cJSON_Delete(row);
    return rc;
}
