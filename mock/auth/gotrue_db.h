/* GoTrue's users kept in the database engine's auth.users, as GoTrue keeps
 * them: gotrue.c works on its users in memory as on the memory engine; when
 * an /auth/v1 request has been handled, gotrue_db_collect compares every
 * user with what was last written and makes one batch of INSERT, UPDATE and
 * DELETE statements (auth_store.h) that runs in one transaction, so the
 * project's triggers on auth.users run (handle_new_user), and ON DELETE
 * CASCADE removes referencing rows. The response waits for the batch
 * (auth.c); a failed batch answers GoTrue's 500 for the operation and the
 * users it inserted are dropped again.
 *
 * Ownership: gotrue_t owns the gotrue_db_t (gotrue_set_db); it borrows the
 * auth_store_t, which the instance owns and frees after the gotrue_t. A
 * batch is owned by the caller from collect until its done has run. */
#ifndef MOCK_GOTRUE_DB_H
#define MOCK_GOTRUE_DB_H

#include "auth_store.h"
#include "gotrue.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct gotrue_db gotrue_db_t;
typedef struct gotrue_db_batch gotrue_db_batch_t;

/* One user as a row of auth.users (models.User's columns); borrowed from
 * the gotrue_t until the user changes. Times are scenario-clock
 * microseconds, INT64_MIN for NULL. */
typedef struct gotrue_row {
    const char *id;
    const char *email, *phone, *role; /* NULL: NULL */
    const char *password;             /* NULL: none */
    bool password_hashed;             /* password is a bcrypt hash already */
    bool removed;                     /* hard deleted (or never kept): no row */
    bool is_anonymous;
    int64_t created_us, updated_us, email_confirmed_us, phone_confirmed_us, confirmation_sent_us,
        last_sign_in_us, invited_us, recovery_sent_us, email_change_sent_us, phone_change_sent_us,
        reauth_sent_us, banned_until_us, deleted_us;
    const char *email_change, *phone_change; /* "" when none */
    const cJSON *user_metadata, *app_metadata;
} gotrue_row_t;

/* ---- gotrue.c's side ---- */
size_t gotrue_user_count(const gotrue_t *g); /* users ever made (indexes 0..n) */
void gotrue_user_row(const gotrue_t *g, long u, gotrue_row_t *out);
/* A user whose INSERT failed: gone (flagged deleted, sessions ended). */
void gotrue_discard_user(gotrue_t *g, long u);
/* A user whose DELETE failed: back. */
void gotrue_restore_user(gotrue_t *g, long u);
/* Adds a user read from auth.users (a row of auth_store load_users) unless
 * one with its id exists; returns its index, or -1 when the row is unusable. */
long gotrue_add_row_user(gotrue_t *g, const cJSON *row);
/* Takes ownership of db (NULL: the memory engine). */
void gotrue_set_db(gotrue_t *g, gotrue_db_t *db);
gotrue_db_t *gotrue_db(gotrue_t *g); /* NULL on the memory engine */

/* ---- gotrue_db.c ---- */
gotrue_db_t *gotrue_db_new(auth_store_t *store);
void gotrue_db_free(gotrue_db_t *db); /* NULL is a no-op */

/* Makes store GoTrue's database: the users auth.users holds after the load
 * (seed.sql, the scenario's users) become GoTrue's, and count as written.
 * Returns 0, or -1 with err filled. */
int gotrue_db_attach(gotrue_t *g, auth_store_t *store, char *err, size_t err_len);

/* What the request that just ran changed, as one batch; NULL when nothing.
 * From here on the changes count as written (a later request does not write
 * them again while this batch runs). */
/* now_us: the scenario clock, what now() answers in the batch's triggers
 * (supamock.now, as the database engine sets it for requests). */
gotrue_db_batch_t *gotrue_db_collect(gotrue_t *g, int64_t now_us);

/* Why a batch failed, as GoTrue answers: 500 unexpected_failure with the
 * operation's message (admin_create: adminUserCreate's "Database error
 * creating new user"; an anonymous sign-in's "Database error creating
 * anonymous user"; else signupNewUser's "Database error saving new user",
 * adminUserDelete's "Database error deleting user" or "Database error
 * updating user"), and the Postgres error when errors.go shows it. */
typedef void (*gotrue_db_done_fn)(void *arg, int rc, const gotrue_error_t *err);

/* Runs the batch (it is freed before done runs). On failure the batch's
 * inserted users are discarded and deleted ones restored first. */
void gotrue_db_submit(gotrue_t *g, gotrue_db_batch_t *b, bool admin_create, gotrue_db_done_fn done,
                      void *arg);

#endif
