/* gotrue_db.c against a recording auth_store_t: which statements a request's
 * changes become (INSERT for a signup, UPDATE for a metadata change without
 * touching encrypted_password, DELETE for a hard delete), nothing when
 * nothing changed, and a failed transaction answered as GoTrue answers it
 * (internal/api/signup.go signupNewUser "Database error saving new user",
 * admin.go adminUserDelete "Database error deleting user";
 * utilities/postgres.go: P0001 and 23xxx are shown) with the inserted user
 * dropped and the deleted one back. Users read from auth.users sign in
 * against their bcrypt hash (token.go ResourceOwnerPasswordGrant,
 * crypto.CompareHashAndPassword). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "clock.h"
#include "gotrue.h"
#include "gotrue_db.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char scenario_text[] =
    "{\"name\":\"t\",\"clock\":\"2026-01-01T00:00:00Z\","
    "\"auth\":{\"jwt_secret\":\"super-secret-jwt-token-with-at-least-32-characters-long\"}}";

#define SECRET "super-secret-jwt-token-with-at-least-32-characters-long"
#define T0_US  ((int64_t)(1767225600LL - MOCK_PG_EPOCH_UNIX) * 1000000)
#define SEEDED "c0ffee00-0000-4000-8000-000000000001"

/* The recording store: what each batch held, answered at once. */
typedef struct fake_store {
    auth_store_t base;
    char *users_json;
    int fail; /* next batch fails with this SQLSTATE */
    char state[6];
    size_t batches;
    char sql[8][64];   /* first 63 characters of each statement of the last batch */
    char first[8][64]; /* its $1 */
    char pw_flag[8][8];
    char password[8][80];
    size_t n;
} fake_store_t;

static void fake_run(auth_store_t *s, const auth_store_stmt_t *stmts, size_t n,
                     auth_store_done_fn done, void *arg)
{
    fake_store_t *f = (fake_store_t *)s;
    f->batches++;
    f->n = n;
    for (size_t i = 0; i < n && i < 8; i++) {
        snprintf(f->sql[i], sizeof f->sql[i], "%s", stmts[i].sql);
        snprintf(f->first[i], sizeof f->first[i], "%s",
                 stmts[i].params[0] ? stmts[i].params[0] : "NULL");
        f->pw_flag[i][0] = f->password[i][0] = '\0';
        if (stmts[i].n_params >= 24) {
            snprintf(f->pw_flag[i], sizeof f->pw_flag[i], "%s", stmts[i].params[23]);
            snprintf(f->password[i], sizeof f->password[i], "%s",
                     stmts[i].params[4] ? stmts[i].params[4] : "NULL");
        }
    }
    auth_store_error_t err;
    memset(&err, 0, sizeof err);
    if (f->fail) {
        f->fail = 0;
        snprintf(err.sqlstate, sizeof err.sqlstate, "%s", f->state);
        snprintf(err.message, sizeof err.message, "signups are closed");
        done(arg, -1, &err);
        return;
    }
    done(arg, 0, &err);
}

static char *fake_load(auth_store_t *s, char *err, size_t err_len)
{
    (void)err;
    (void)err_len;
    return strdup(((fake_store_t *)s)->users_json);
}

static void fake_free(auth_store_t *s)
{
    (void)s;
}

static const auth_store_ops_t fake_ops = {
    .run = fake_run, .load_users = fake_load, .free = fake_free};

typedef struct fixture {
    scenario_t *sc;
    prng_t prng;
    store_t *store;
    gotrue_t *g;
    gotrue_ctx_t c;
    fake_store_t fs;
    char users_json[512];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    scenario_error_t err;
    assert_int_equal(
        scenario_load_text("t.json", scenario_text, strlen(scenario_text), &f->sc, &err), 0);
    prng_seed(&f->prng, 1);
    f->store = store_new(&f->prng);
    assert_int_equal(gotrue_new(f->sc, f->store, &f->prng, &f->g, &err), 0);
    gotrue_start(f->g, T0_US);
    f->c = (gotrue_ctx_t){
        .now_us = T0_US, .issuer = "http://127.0.0.1:54321/auth/v1", .secret = SECRET};
    /* A seeded user as seed.sql leaves it: crypt('analytical-engine',
     * gen_salt('bf', 4)). */
    struct crypt_data cd;
    memset(&cd, 0, sizeof cd);
    const char *hash = crypt_r("analytical-engine", "$2a$04$abcdefghijklmnopqrstuu", &cd);
    assert_non_null(hash);
    snprintf(f->users_json, sizeof f->users_json,
             "[{\"id\":\"" SEEDED "\",\"email\":\"ada@example.com\",\"encrypted_password\":\"%s\","
             "\"role\":\"authenticated\",\"raw_app_meta_data\":{\"provider\":\"email\"},"
             "\"raw_user_meta_data\":{\"full_name\":\"Ada\"},\"is_anonymous\":false,"
             "\"created_at\":%lld,\"updated_at\":%lld,\"email_confirmed_at\":%lld}]",
             hash, (long long)T0_US, (long long)T0_US, (long long)T0_US);
    f->fs.base.ops = &fake_ops;
    f->fs.users_json = f->users_json;
    char msg[128];
    assert_int_equal(gotrue_db_attach(f->g, &f->fs.base, msg, sizeof msg), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    gotrue_free(f->g);
    store_free(f->store);
    scenario_free(f->sc);
    free(f);
    return 0;
}

typedef struct outcome {
    bool ran;
    int rc;
    gotrue_error_t err;
} outcome_t;

static void on_done(void *arg, int rc, const gotrue_error_t *err)
{
    outcome_t *o = arg;
    o->ran = true;
    o->rc = rc;
    if (err)
        o->err = *err;
}

/* What auth.c does after a request: collect, submit. Returns whether a
 * batch ran. */
static bool flush(fixture_t *f, outcome_t *o)
{
    memset(o, 0, sizeof *o);
    gotrue_db_batch_t *b = gotrue_db_collect(f->g, f->c.now_us);
    if (!b)
        return false;
    gotrue_db_submit(f->g, b, false, on_done, o);
    assert_true(o->ran);
    return true;
}

static int call(fixture_t *f, const char *body_text,
                int (*fn)(gotrue_t *, const gotrue_ctx_t *, const cJSON *, buf_t *,
                          gotrue_error_t *),
                gotrue_error_t *err)
{
    cJSON *body = cJSON_Parse(body_text);
    assert_non_null(body);
    buf_t out;
    buf_init(&out);
    int rc = fn(f->g, &f->c, body, &out, err);
    buf_dispose(&out);
    cJSON_Delete(body);
    return rc;
}

static void test_seeded_user_signs_in_with_its_hash(void **state)
{
    fixture_t *f = *state;
    gotrue_error_t err;
    outcome_t o;
    assert_false(flush(f, &o)); /* loaded users count as written */
    assert_int_equal(call(f, "{\"email\":\"ada@example.com\",\"password\":\"wrong-one\"}",
                          gotrue_password_grant, &err),
                     -1);
    assert_string_equal(err.code, "invalid_credentials");
    assert_int_equal(call(f, "{\"email\":\"ada@example.com\",\"password\":\"analytical-engine\"}",
                          gotrue_password_grant, &err),
                     0);
    /* UpdateLastSignInAt: an UPDATE that leaves encrypted_password alone. */
    assert_true(flush(f, &o));
    assert_int_equal(o.rc, 0);
    assert_int_equal(f->fs.n, 2);
    assert_non_null(strstr(f->fs.sql[0], "set_config('supamock.now'"));
    assert_non_null(strstr(f->fs.sql[1], "UPDATE auth.users"));
    assert_string_equal(f->fs.first[1], SEEDED);
    assert_string_equal(f->fs.pw_flag[1], "false");
    assert_false(flush(f, &o));
}

static void test_signup_inserts_and_a_failure_drops_the_user(void **state)
{
    fixture_t *f = *state;
    gotrue_error_t err;
    outcome_t o;
    f->fs.fail = 1;
    snprintf(f->fs.state, sizeof f->fs.state, "P0001");
    assert_int_equal(call(f, "{\"email\":\"Grace@Example.com\",\"password\":\"cobol-1959\"}",
                          gotrue_signup, &err),
                     0);
    assert_true(flush(f, &o));
    assert_non_null(strstr(f->fs.sql[1], "INSERT INTO auth.users"));
    /* crypto.GenerateFromPassword: bcrypt, Go's "$2a$" at DefaultCost 10. */
    assert_memory_equal(f->fs.password[1], "$2a$10$", 7);
    assert_int_equal(strlen(f->fs.password[1]), 60);
    assert_int_equal(o.rc, -1);
    assert_int_equal(o.err.status, 500);
    assert_string_equal(o.err.code, "unexpected_failure");
    assert_string_equal(o.err.message, "Database error saving new user");
    assert_string_equal(o.err.pg_code, "P0001");
    assert_string_equal(o.err.pg_message, "signups are closed");
    assert_true(o.err.error_id[0] != '\0');
    /* Not kept: no sign-in, no second write, and the address is free. */
    assert_int_equal(call(f, "{\"email\":\"grace@example.com\",\"password\":\"cobol-1959\"}",
                          gotrue_password_grant, &err),
                     -1);
    assert_string_equal(err.code, "invalid_credentials");
    assert_false(flush(f, &o));
    assert_int_equal(call(f, "{\"email\":\"grace@example.com\",\"password\":\"cobol-1959\"}",
                          gotrue_signup, &err),
                     0);
    assert_true(flush(f, &o));
    assert_int_equal(o.rc, 0);
    assert_int_equal(call(f, "{\"email\":\"grace@example.com\",\"password\":\"cobol-1959\"}",
                          gotrue_password_grant, &err),
                     0);
}

static void test_delete_and_a_failed_delete(void **state)
{
    fixture_t *f = *state;
    gotrue_error_t err;
    outcome_t o;
    buf_t out;
    buf_init(&out);
    f->fs.fail = 1;
    snprintf(f->fs.state, sizeof f->fs.state, "23503");
    assert_int_equal(gotrue_admin_delete(f->g, &f->c, SEEDED, NULL, &out, &err), 0);
    assert_true(flush(f, &o));
    assert_int_equal(f->fs.n, 2);
    assert_string_equal(f->fs.sql[1], "DELETE FROM auth.users WHERE id = $1::uuid");
    assert_int_equal(o.rc, -1);
    assert_string_equal(o.err.message, "Database error deleting user");
    assert_string_equal(o.err.pg_code, "23503");
    /* Rolled back: the user is there again. */
    buf_reset(&out);
    assert_int_equal(gotrue_admin_get(f->g, SEEDED, &out, &err), 0);
    assert_false(flush(f, &o));
    assert_int_equal(gotrue_admin_delete(f->g, &f->c, SEEDED, NULL, &out, &err), 0);
    assert_true(flush(f, &o));
    assert_int_equal(o.rc, 0);
    assert_int_equal(gotrue_admin_get(f->g, SEEDED, &out, &err), -1);
    assert_int_equal(err.status, 404);
    assert_false(flush(f, &o));
    buf_dispose(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seeded_user_signs_in_with_its_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signup_inserts_and_a_failure_drops_the_user, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_delete_and_a_failed_delete, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
