/* Where GoTrue keeps its users when the project has a database: auth.users
 * of the database engine. The auth wing writes through this interface and
 * never sees libpq; engine/postgres implements it (pg_auth.c); the entry
 * (instance.c) plugs one into the other. The memory engine has none: GoTrue
 * then mirrors users into the memory store as before.
 *
 * A batch of statements runs in one transaction on a connection logged in as
 * supabase_auth_admin (GoTrue's database user), so the project's triggers on
 * auth.users run as they do behind GoTrue, and a failing one rolls the whole
 * batch back. */
#ifndef MOCK_AUTH_STORE_H
#define MOCK_AUTH_STORE_H

#include <stddef.h>

/* One statement with text parameters ($1..$n; a NULL entry is SQL NULL).
 * Borrowed until `done` has run. */
typedef struct auth_store_stmt {
    const char *sql;
    int n_params;
    const char *const *params;
} auth_store_stmt_t;

/* Why a batch failed: Postgres's SQLSTATE ("" when the connection broke),
 * message and detail, truncated to fit. */
typedef struct auth_store_error {
    char sqlstate[6];
    char message[256];
    char detail[512];
} auth_store_error_t;

/* rc 0: committed; -1: rolled back, err says why (valid during the call). */
typedef void (*auth_store_done_fn)(void *arg, int rc, const auth_store_error_t *err);

typedef struct auth_store auth_store_t;

typedef struct auth_store_ops {
    /* Runs stmts[0..n) in one transaction; `done` runs exactly once, on the
     * loop later, or before run returns (no loop, or an error at once).
     * Batches run one after the other in the order they were given. */
    void (*run)(auth_store_t *s, const auth_store_stmt_t *stmts, size_t n, auth_store_done_fn done,
                void *arg);
    /* The rows of auth.users as a JSON array of objects (heap text, the
     * caller frees), read blocking; NULL with err filled. Keys: id, email,
     * phone, encrypted_password, role, raw_app_meta_data, raw_user_meta_data,
     * is_anonymous, and the times in microseconds since 2000-01-01 UTC (null
     * when NULL): created_at, updated_at, email_confirmed_at,
     * phone_confirmed_at, confirmation_sent_at, last_sign_in_at, invited_at,
     * banned_until, deleted_at. */
    char *(*load_users)(auth_store_t *s, char *err, size_t err_len);
    void (*free)(auth_store_t *s);
} auth_store_ops_t;

/* Every implementation starts with this header. */
struct auth_store {
    const auth_store_ops_t *ops;
};

#endif
