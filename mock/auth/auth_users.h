/* auth.users as the Data API sees it: the table foreign keys point at
 * (`references: "auth.users(id)"`) and the one place its rows are built, for
 * scenario users at load and for GoTrue's signups and admin creations. */
#ifndef MOCK_AUTH_USERS_H
#define MOCK_AUTH_USERS_H

#include "pgrst_error.h"
#include "security.h"
#include "store.h"

/* Adds the auth.users table to store. Returns 0, or -1 with *error (heap
 * string, caller frees). */
int auth_users_create_table(store_t *store, char **error);

/* The auth.users table of store, or NULL (unit tests build stores without it). */
store_table_t *auth_users_table(store_t *store);

/* Inserts one user's row (id, email, phone, role; role defaults to
 * "authenticated"; email and phone may be NULL) as the table's owner, inside
 * the caller's transaction; sec (may be NULL) supplies CHECK constraints.
 * user_metadata / app_metadata (may be NULL) go to raw_user_meta_data /
 * raw_app_meta_data. Returns 0, or -1 with err (and *bad_key, when given, naming the column). */
int auth_users_insert(store_t *store, const security_t *sec, const char *id, const char *email,
                      const char *phone, const char *role, const cJSON *user_metadata,
                      const cJSON *app_metadata, const store_env_t *env, pgrst_error_t *err,
                      const char **bad_key);

#endif
