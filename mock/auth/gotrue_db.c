/* gotrue_db.h: GoTrue's users written through to the database engine's
 * auth.users.
 *
 * Each user has a fingerprint of its row (two: the password apart, so that an
 * UPDATE rewrites encrypted_password, and pays for a bcrypt hash, only when
 * the password changed). After a request every user whose fingerprint
 * differs from the one last written gets its statement. Users are only ever
 * appended (gotrue_flows.h), so indexes are stable.
 * Sources (supabase/auth): internal/models/user.go (the columns NewUser and
 * the updates fill), internal/api/{signup,admin,anonymous}.go (the messages),
 * internal/utilities/postgres.go (which Postgres errors are shown). */
#include "gotrue_db.h"

#include "arena.h"
#include "clock.h"
#include "xalloc.h"

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROW_ABSENT = 0, ROW_PRESENT = 1, ROW_GONE = 2 };

struct gotrue_db {
    auth_store_t *store; /* borrowed: the instance's */
    /* Per user index: what auth.users holds as far as GoTrue knows. */
    unsigned char *state;
    uint64_t *fp_row, *fp_pw;
    size_t count, cap;
};

typedef enum { OP_INSERT, OP_UPDATE, OP_DELETE } op_t;

#define ROW_PARAMS 25

typedef struct batch_stmt {
    op_t op;
    long user;
    bool anonymous;
    const char *params[ROW_PARAMS];
} batch_stmt_t;

struct gotrue_db_batch {
    arena_t *arena; /* owns the parameters */
    batch_stmt_t *ops;
    auth_store_stmt_t *stmts; /* the clock, then one per op */
    const char *now_param[1];
    size_t n; /* ops */
    gotrue_t *g;
    bool admin_create;
    gotrue_db_done_fn done;
    void *arg;
};

gotrue_db_t *gotrue_db_new(auth_store_t *store)
{
    gotrue_db_t *db = xcalloc(1, sizeof *db);
    db->store = store;
    return db;
}

void gotrue_db_free(gotrue_db_t *db)
{
    if (!db)
        return;
    free(db->state);
    free(db->fp_row);
    free(db->fp_pw);
    free(db);
}

static void grow(gotrue_db_t *db, size_t n)
{
    if (n <= db->cap) {
        if (n > db->count)
            db->count = n;
        return;
    }
    size_t cap = db->cap ? db->cap : 16;
    while (cap < n)
        cap *= 2;
    db->state = xrealloc(db->state, cap);
    db->fp_row = xrealloc(db->fp_row, cap * sizeof *db->fp_row);
    db->fp_pw = xrealloc(db->fp_pw, cap * sizeof *db->fp_pw);
    memset(db->state + db->cap, ROW_ABSENT, cap - db->cap);
    memset(db->fp_row + db->cap, 0, (cap - db->cap) * sizeof *db->fp_row);
    memset(db->fp_pw + db->cap, 0, (cap - db->cap) * sizeof *db->fp_pw);
    db->cap = cap;
    db->count = n;
}

/* ---- fingerprints (FNV-1a over the row's fields, each with a separator) ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    if (!s)
        return fnv(h, "\1", 1);
    return fnv(fnv(h, s, strlen(s)), "\0", 1);
}

/* The JSON value's tree, walked without printing it (every auth request on
 * the database engine fingerprints every user). Depth is bounded by what
 * cJSON parsed (CJSON_NESTING_LIMIT). */
static uint64_t fnv_json(uint64_t h, const cJSON *v)
{
    if (!v)
        return fnv(h, "\2", 1);
    unsigned char type = (unsigned char)(v->type & 0xff);
    h = fnv(h, &type, 1);
    if (v->string)
        h = fnv_str(h, v->string);
    if (cJSON_IsString(v))
        h = fnv_str(h, v->valuestring);
    else if (cJSON_IsNumber(v))
        h = fnv(h, &v->valuedouble, sizeof v->valuedouble);
    for (const cJSON *c = v->child; c; c = c->next)
        h = fnv_json(h, c);
    return fnv(h, "\3", 1);
}

static uint64_t row_fingerprint(const gotrue_row_t *r)
{
    uint64_t h = 14695981039346656037ull;
    h = fnv_str(h, r->email);
    h = fnv_str(h, r->phone);
    h = fnv_str(h, r->role);
    h = fnv_str(h, r->email_change);
    h = fnv_str(h, r->phone_change);
    int64_t times[] = {r->updated_us,           r->email_confirmed_us,   r->phone_confirmed_us,
                       r->confirmation_sent_us, r->last_sign_in_us,      r->invited_us,
                       r->recovery_sent_us,     r->email_change_sent_us, r->phone_change_sent_us,
                       r->reauth_sent_us,       r->banned_until_us,      r->deleted_us};
    h = fnv(h, times, sizeof times);
    h = fnv(h, r->is_anonymous ? "a" : "n", 1);
    h = fnv_json(h, r->user_metadata);
    h = fnv_json(h, r->app_metadata);
    return h | 1; /* never 0: 0 is "not known" */
}

static uint64_t pw_fingerprint(const gotrue_row_t *r)
{
    uint64_t h = 14695981039346656037ull;
    h = fnv_str(h, r->password);
    h = fnv(h, r->deleted_us != INT64_MIN ? "d" : "l", 1);
    return h | 1;
}

/* ---- rows as parameters ---- */

static const char *time_param(arena_t *a, int64_t us)
{
    if (us == INT64_MIN)
        return NULL;
    char t[48];
    clock_format_iso(us, t, sizeof t);
    return arena_strdup(a, t);
}

static const char *json_param(arena_t *a, const cJSON *v)
{
    if (!v)
        return "{}";
    char *t = cJSON_PrintUnformatted(v);
    const char *out = arena_strdup(a, t ? t : "{}");
    cJSON_free(t);
    return out;
}

/* crypto.GenerateFromPassword: bcrypt at Go's DefaultCost (10), "$2a$" as
 * golang.org/x/crypto/bcrypt writes it. The salt comes from the instance's
 * PRNG, so a seed replays the same hashes. NULL when libcrypt refuses. */
static const char *bcrypt_param(gotrue_t *g, arena_t *a, const char *password)
{
    unsigned char rnd[16];
    prng_fill(gotrue_prng(g), rnd, sizeof rnd);
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$2a$", 10, (const char *)rnd, sizeof rnd, salt, sizeof salt))
        return NULL;
    struct crypt_data *cd = xcalloc(1, sizeof *cd);
    const char *h = crypt_r(password, salt, cd);
    const char *out = h && h[0] != '*' ? arena_strdup(a, h) : NULL;
    free(cd);
    return out;
}

/* encrypted_password as GoTrue leaves it: the hash; "" for a user without a
 * password (NewUser with ""); NULL after SoftDeleteUser. */
static const char *password_param(gotrue_t *g, arena_t *a, const gotrue_row_t *r)
{
    if (r->deleted_us != INT64_MIN)
        return NULL;
    if (!r->password || !*r->password)
        return "";
    if (r->password_hashed)
        return arena_strdup(a, r->password);
    const char *h = bcrypt_param(g, a, r->password);
    return h ? h : "";
}

/* $1..$25 of the INSERT and UPDATE statements below. */
static void row_params(gotrue_t *g, arena_t *a, const gotrue_row_t *r, bool with_password,
                       const char **p)
{
    p[0] = arena_strdup(a, r->id);
    p[1] = r->role ? arena_strdup(a, r->role) : NULL;
    p[2] = r->email ? arena_strdup(a, r->email) : NULL;
    p[3] = r->phone ? arena_strdup(a, r->phone) : NULL;
    p[4] = with_password ? password_param(g, a, r) : NULL;
    p[5] = time_param(a, r->email_confirmed_us);
    p[6] = time_param(a, r->phone_confirmed_us);
    p[7] = time_param(a, r->invited_us);
    p[8] = time_param(a, r->confirmation_sent_us);
    p[9] = time_param(a, r->recovery_sent_us);
    p[10] = arena_strdup(a, r->email_change ? r->email_change : "");
    p[11] = time_param(a, r->email_change_sent_us);
    p[12] = arena_strdup(a, r->phone_change ? r->phone_change : "");
    p[13] = time_param(a, r->phone_change_sent_us);
    p[14] = time_param(a, r->reauth_sent_us);
    p[15] = time_param(a, r->last_sign_in_us);
    p[16] = json_param(a, r->app_metadata);
    p[17] = json_param(a, r->user_metadata);
    p[18] = time_param(a, r->created_us);
    p[19] = time_param(a, r->updated_us);
    p[20] = time_param(a, r->banned_until_us);
    p[21] = time_param(a, r->deleted_us);
    p[22] = r->is_anonymous ? "true" : "false";
    p[23] = with_password ? "true" : "false";
    p[24] = "authenticated";
}

/* models.User as pop's Create writes it: every column of the struct, the
 * tokens empty, instance_id the nil UUID (DONTUSEINSTANCEID). */
static const char insert_sql[] =
    "INSERT INTO auth.users (instance_id, id, aud, role, email, phone, encrypted_password,"
    " email_confirmed_at, phone_confirmed_at, invited_at, confirmation_token,"
    " confirmation_sent_at, recovery_token, recovery_sent_at, email_change_token_new,"
    " email_change, email_change_sent_at, email_change_token_current,"
    " email_change_confirm_status, phone_change, phone_change_token, phone_change_sent_at,"
    " reauthentication_token, reauthentication_sent_at, last_sign_in_at, raw_app_meta_data,"
    " raw_user_meta_data, created_at, updated_at, banned_until, is_sso_user, deleted_at,"
    " is_anonymous)"
    " VALUES ('00000000-0000-0000-0000-000000000000', $1::uuid, $25::text, $2::text, $3::text,"
    " $4::text, CASE WHEN $24::boolean THEN $5::text END, $6::timestamptz, $7::timestamptz, "
    "$8::timestamptz, '',"
    " $9::timestamptz, '', $10::timestamptz, '', $11::text, $12::timestamptz, '', 0, $13::text,"
    " '', $14::timestamptz, '', $15::timestamptz, $16::timestamptz, $17::jsonb, $18::jsonb,"
    " $19::timestamptz, $20::timestamptz, $21::timestamptz, false, $22::timestamptz,"
    " $23::boolean)";

/* The columns GoTrue's updates touch (UpdateOnly of Confirm, UpdateUserMetaData,
 * SetEmail, UpdatePassword, Ban, UpdateLastSignInAt, SoftDeleteUser, ...);
 * encrypted_password only when $24 says the password changed. */
static const char update_sql[] =
    "UPDATE auth.users SET aud = $25::text, role = $2::text, email = $3::text, phone = $4::text,"
    " encrypted_password = CASE WHEN $24::boolean THEN $5::text ELSE encrypted_password END,"
    " email_confirmed_at = $6::timestamptz, phone_confirmed_at = $7::timestamptz,"
    " invited_at = $8::timestamptz, confirmation_sent_at = $9::timestamptz,"
    " recovery_sent_at = $10::timestamptz, email_change = $11::text,"
    " email_change_sent_at = $12::timestamptz, phone_change = $13::text,"
    " phone_change_sent_at = $14::timestamptz, reauthentication_sent_at = $15::timestamptz,"
    " last_sign_in_at = $16::timestamptz, raw_app_meta_data = $17::jsonb,"
    " raw_user_meta_data = $18::jsonb, created_at = $19::timestamptz,"
    " updated_at = $20::timestamptz,"
    " banned_until = $21::timestamptz, deleted_at = $22::timestamptz,"
    " is_anonymous = $23::boolean"
    " WHERE id = $1::uuid";

/* adminUserDelete: tx.Destroy(user). */
static const char delete_sql[] = "DELETE FROM auth.users WHERE id = $1::uuid";

int gotrue_db_attach(gotrue_t *g, auth_store_t *store, char *err, size_t err_len)
{
    char *text = store->ops->load_users(store, err, err_len);
    if (!text)
        return -1;
    cJSON *rows = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsArray(rows)) {
        cJSON_Delete(rows);
        snprintf(err, err_len, "auth.users could not be read");
        return -1;
    }
    gotrue_db_t *db = gotrue_db_new(store);
    /* The scenario's users are in auth.users already (their JSON became
     * INSERTs when the database was built). */
    grow(db, gotrue_user_count(g));
    if (db->count)
        memset(db->state, ROW_PRESENT, db->count);
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        long u = gotrue_add_row_user(g, row);
        if (u >= 0)
            grow(db, (size_t)u + 1);
        if (u >= 0)
            db->state[u] = ROW_PRESENT;
    }
    cJSON_Delete(rows);
    for (size_t i = 0; i < db->count; i++) {
        gotrue_row_t r;
        gotrue_user_row(g, (long)i, &r);
        db->fp_row[i] = row_fingerprint(&r);
        db->fp_pw[i] = pw_fingerprint(&r);
        if (r.removed)
            db->state[i] = ROW_GONE;
    }
    gotrue_set_db(g, db);
    return 0;
}

gotrue_db_batch_t *gotrue_db_collect(gotrue_t *g, int64_t now_us)
{
    gotrue_db_t *db = gotrue_db(g);
    if (!db)
        return NULL;
    size_t n = gotrue_user_count(g);
    grow(db, n);
    gotrue_db_batch_t *b = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < n; i++) {
        gotrue_row_t r;
        gotrue_user_row(g, (long)i, &r);
        op_t op;
        bool with_pw = false;
        if (r.removed) {
            if (db->state[i] != ROW_PRESENT)
                continue;
            op = OP_DELETE;
            db->state[i] = ROW_GONE;
        } else {
            uint64_t fr = row_fingerprint(&r), fp = pw_fingerprint(&r);
            if (db->state[i] != ROW_PRESENT) {
                op = OP_INSERT;
                with_pw = true;
            } else if (fr != db->fp_row[i] || fp != db->fp_pw[i]) {
                op = OP_UPDATE;
                with_pw = fp != db->fp_pw[i];
            } else {
                continue;
            }
            db->state[i] = ROW_PRESENT;
            db->fp_row[i] = fr;
            db->fp_pw[i] = fp;
        }
        if (!b) {
            b = xcalloc(1, sizeof *b);
            b->arena = arena_new();
            b->g = g;
        }
        if (b->n == cap) {
            cap = cap ? cap * 2 : 4;
            b->ops = xrealloc(b->ops, cap * sizeof *b->ops);
        }
        batch_stmt_t *s = &b->ops[b->n++];
        memset(s, 0, sizeof *s);
        s->op = op;
        s->user = (long)i;
        s->anonymous = r.is_anonymous;
        if (op == OP_DELETE)
            s->params[0] = arena_strdup(b->arena, r.id);
        else
            row_params(g, b->arena, &r, with_pw, s->params);
    }
    if (b) {
        /* First the scenario clock for the triggers' now(). */
        b->now_param[0] = time_param(b->arena, now_us);
        b->stmts = xcalloc(b->n + 1, sizeof *b->stmts);
        b->stmts[0].sql = "select set_config('supamock.now', $1::text, true)";
        b->stmts[0].n_params = 1;
        b->stmts[0].params = b->now_param;
        for (size_t i = 0; i < b->n; i++) {
            batch_stmt_t *s = &b->ops[i];
            auth_store_stmt_t *st = &b->stmts[i + 1];
            st->sql = s->op == OP_INSERT   ? insert_sql
                      : s->op == OP_UPDATE ? update_sql
                                           : delete_sql;
            st->n_params = s->op == OP_DELETE ? 1 : ROW_PARAMS;
            st->params = s->params;
        }
    }
    return b;
}

static void batch_free(gotrue_db_batch_t *b)
{
    arena_free(b->arena);
    free(b->ops);
    free(b->stmts);
    free(b);
}

/* utilities.NewPostgresError: the codes errors.go shows instead of the
 * HTTPError on the initial API version (all answered with 500). */
static bool public_pg_code(const char *c)
{
    static const char *const codes[] = {"P0001", "23000", "23001", "23502",
                                        "23503", "23505", "23514", "23P01"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(c, codes[i]) == 0)
            return true;
    return false;
}

static void on_written(void *arg, int rc, const auth_store_error_t *serr)
{
    gotrue_db_batch_t *b = arg;
    gotrue_t *g = b->g;
    gotrue_error_t err;
    memset(&err, 0, sizeof err);
    if (rc != 0) {
        const char *msg = "Database error updating user";
        bool inserted = false, deleted = false, anonymous = false;
        for (size_t i = 0; i < b->n; i++) {
            inserted |= b->ops[i].op == OP_INSERT;
            deleted |= b->ops[i].op == OP_DELETE;
            anonymous |= b->ops[i].op == OP_INSERT && b->ops[i].anonymous;
        }
        if (inserted)
            msg = b->admin_create ? "Database error creating new user"
                  : anonymous     ? "Database error creating anonymous user"
                                  : "Database error saving new user";
        else if (deleted)
            msg = "Database error deleting user";
        gotrue_fail(&err, 500, "unexpected_failure", "%s", msg);
        prng_uuid(gotrue_prng(g), err.error_id);
        if (serr && public_pg_code(serr->sqlstate)) {
            snprintf(err.pg_code, sizeof err.pg_code, "%s", serr->sqlstate);
            snprintf(err.pg_message, sizeof err.pg_message, "%s", serr->message);
            snprintf(err.pg_detail, sizeof err.pg_detail, "%s", serr->detail);
        }
        /* The transaction rolled back: users it inserted are not kept, users
         * it deleted are back (their sessions stay ended). Updates stay in
         * memory and count as written: the user's next change writes the
         * whole row again. */
        gotrue_db_t *db = gotrue_db(g);
        for (size_t i = 0; i < b->n; i++) {
            long u = b->ops[i].user;
            if (b->ops[i].op == OP_INSERT) {
                gotrue_discard_user(g, u);
                db->state[u] = ROW_GONE;
            } else if (b->ops[i].op == OP_DELETE) {
                gotrue_restore_user(g, u);
                db->state[u] = ROW_PRESENT;
            }
        }
    }
    gotrue_db_done_fn done = b->done;
    void *done_arg = b->arg;
    batch_free(b);
    done(done_arg, rc, rc != 0 ? &err : NULL);
}

void gotrue_db_submit(gotrue_t *g, gotrue_db_batch_t *b, bool admin_create, gotrue_db_done_fn done,
                      void *arg)
{
    b->admin_create = admin_create;
    b->done = done;
    b->arg = arg;
    gotrue_db_t *db = gotrue_db(g);
    db->store->ops->run(db->store, b->stmts, b->n + 1, on_written, b);
}
