/* Unit tests for store.c: building tables (and build errors), defaults,
 * sequences, each constraint violation with Postgres's exact message, details
 * and constraint name, heap order, index lookup, rollback, ON CONFLICT
 * matching, statement-end foreign-key checks, and a 100,000-row smoke test.
 * Message texts: PostgREST's InsertSpec.hs, Postgres's execMain.c
 * (ExecConstraints), nbtinsert.c/genam.c (BuildIndexValueDescription),
 * ri_triggers.c (ri_ReportViolation) and rewriteHandler.c (identity). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Each store borrows a PRNG that must outlive it (the instance's, in the
 * server); the tests keep theirs here, one per store made. */
static prng_t test_prngs[32];
static size_t test_prng_count;

static store_t *new_store(uint64_t seed)
{
    prng_t *p = &test_prngs[test_prng_count++ % 32];
    prng_seed(p, seed);
    return store_new(p);
}

/* 2026-01-01T00:00:00Z in microseconds since 2000-01-01: 9497 days. */
#define NOW_2026 (9497LL * 86400000000LL)

static const store_env_t ENV = {.now_us = NOW_2026, .auth_uid = NULL, .hide_row_details = false};
static const store_env_t ENV_RLS = {.now_us = NOW_2026, .hide_row_details = true};

typedef struct fixture {
    store_t *s;
    store_table_t *users, *profiles, *items, *pairs;
    cJSON *defaults[4];
} fixture_t;

static store_column_spec_t col(const char *name, const char *type)
{
    store_column_spec_t c;
    memset(&c, 0, sizeof c);
    c.name = name;
    c.type = type;
    c.nullable = true;
    c.in_schema_cache = true;
    return c;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->s = new_store(1);
    char *err = NULL;
    int ecol;

    /* auth.users, as the integrator creates it */
    store_column_spec_t users[2] = {col("id", "uuid"), col("email", "text")};
    users[0].primary_key = true;
    f->users = store_add_table(f->s, "auth", "users", users, 2, &err, &ecol);
    assert_non_null(f->users);

    /* the default scenario's profiles table */
    f->defaults[0] = cJSON_CreateString("gen_random_uuid()");
    f->defaults[1] = cJSON_CreateNumber(5);
    f->defaults[2] = cJSON_CreateString("now()");
    store_column_spec_t profiles[4] = {col("id", "uuid"), col("user_id", "uuid"),
                                       col("free_image_quota", "integer"),
                                       col("created_at", "timestamptz")};
    profiles[0].primary_key = true;
    profiles[0].default_value = f->defaults[0];
    profiles[1].nullable = false;
    profiles[1].unique = true;
    profiles[1].references = "auth.users(id)";
    profiles[2].nullable = false;
    profiles[2].default_value = f->defaults[1];
    profiles[3].default_value = f->defaults[2];
    f->profiles = store_add_table(f->s, "public", "profiles", profiles, 4, &err, &ecol);
    assert_non_null(f->profiles);

    /* items: serial key, a nullable FK to profiles */
    store_column_spec_t items[3] = {col("id", "serial"), col("name", "text"),
                                    col("profile_id", "uuid")};
    items[0].primary_key = true;
    items[2].references = "profiles(id)";
    f->items = store_add_table(f->s, "public", "items", items, 3, &err, &ecol);
    assert_non_null(f->items);

    /* pairs: composite primary key */
    store_column_spec_t pairs[3] = {col("a", "int"), col("b", "text"), col("note", "text")};
    pairs[0].primary_key = true;
    pairs[1].primary_key = true;
    f->pairs = store_add_table(f->s, "public", "pairs", pairs, 3, &err, &ecol);
    assert_non_null(f->pairs);

    const store_table_t *et;
    assert_int_equal(store_resolve_references(f->s, &err, &et, &ecol), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    store_free(f->s);
    for (int i = 0; i < 4; i++)
        cJSON_Delete(f->defaults[i]);
    free(f);
    return 0;
}

/* Builds a full row from a JSON object (keys present are "provided"), applies
 * defaults and inserts. Returns the insert's rc; err is filled on failure. */
static int insert_json(store_t *s, store_table_t *t, const char *json, const store_env_t *env,
                       store_row_t **out, pgrst_error_t *err)
{
    size_t n = store_table_column_count(t);
    pgvalue_t *values = calloc(n, sizeof *values);
    bool *provided = calloc(n, sizeof *provided);
    cJSON *j = cJSON_Parse(json);
    assert_non_null(j);
    for (size_t i = 0; i < n; i++) {
        pgvalue_init_null(&values[i]);
        const store_column_t *c = store_table_column(t, i);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, c->name);
        if (!v)
            continue;
        provided[i] = true;
        if (pgvalue_from_json(&c->type, v, &values[i], err) < 0)
            fail_msg("bad test value for %s: %s", c->name, err->message);
    }
    cJSON_Delete(j);
    int rc = store_apply_defaults(s, t, values, provided, env, err);
    if (rc == 0)
        rc = store_insert(s, t, values, env, out, err);
    else
        for (size_t i = 0; i < n; i++)
            pgvalue_dispose(&values[i]);
    free(values);
    free(provided);
    return rc;
}

static void must_insert(store_t *s, store_table_t *t, const char *json, store_row_t **out)
{
    pgrst_error_t err;
    pgrst_error_init(&err);
    if (insert_json(s, t, json, &ENV, out, &err) != 0)
        fail_msg("insert %s: %s", json, err.message);
}

static char *row_json(const store_table_t *t, const store_row_t *r)
{
    buf_t b;
    buf_init(&b);
    const pgvalue_t *v = store_row_values(r);
    buf_putc(&b, '{');
    for (size_t i = 0; i < store_table_column_count(t); i++) {
        const store_column_t *c = store_table_column(t, i);
        if (i)
            buf_putc(&b, ',');
        buf_put_json_string(&b, c->name);
        buf_putc(&b, ':');
        pgvalue_render_json(&c->type, &v[i], &b);
    }
    buf_putc(&b, '}');
    return buf_steal(&b);
}

/* Comma-joined text of column `col` over the heap, in heap order. */
static char *heap_col(const store_table_t *t, size_t col)
{
    buf_t b;
    buf_init(&b);
    for (store_row_t *r = store_table_first(t); r; r = store_row_next(r)) {
        if (b.len)
            buf_putc(&b, ',');
        pgvalue_render_text(&store_table_column(t, col)->type, &store_row_values(r)[col], &b);
    }
    return buf_steal(&b);
}

#define ASSERT_HEAP(t, col, expected)                                                              \
    do {                                                                                           \
        char *h_ = heap_col(t, col);                                                               \
        assert_string_equal(h_, expected);                                                         \
        free(h_);                                                                                  \
    } while (0)

static const char *UID1 = "13ab4cf1-8587-4685-874b-c2d37beeab38";
static const char *UID2 = "23ab4cf1-8587-4685-874b-c2d37beeab38";

static void add_users(fixture_t *f)
{
    char json[128];
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"email\":\"a@example.com\"}", UID1);
    must_insert(f->s, f->users, json, NULL);
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"email\":\"b@example.com\"}", UID2);
    must_insert(f->s, f->users, json, NULL);
}

/* ---- building ---- */

static void test_catalogue(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(store_table_count(f->s), 4);
    assert_ptr_equal(store_table_at(f->s, 1), f->profiles);
    assert_ptr_equal(store_find_table(f->s, "auth", "users"), f->users);
    assert_null(store_find_table(f->s, "public", "users"));
    assert_string_equal(store_table_schema(f->profiles), "public");
    assert_int_equal(store_table_find_column(f->profiles, "user_id"), 1);
    assert_int_equal(store_table_find_column(f->profiles, "nope"), -1);
    const store_column_t *c = store_table_column(f->profiles, 1);
    /* Postgres's constraint names: TABLE_COLUMN_key, TABLE_COLUMN_fkey */
    assert_string_equal(c->unique_constraint, "profiles_user_id_key");
    assert_string_equal(c->fk_constraint, "profiles_user_id_fkey");
    assert_string_equal(c->ref_schema, "auth");
    assert_true(store_column_is_indexed(f->profiles, 0));
    assert_true(store_column_is_indexed(f->profiles, 1));
    assert_false(store_column_is_indexed(f->profiles, 2));
    assert_false(store_table_column(f->profiles, 0)->nullable); /* primary key implies NOT NULL */
    assert_false(store_table_column(f->items, 0)->nullable);    /* serial implies NOT NULL */
    assert_int_equal(store_table_column(f->items, 0)->default_kind, STORE_DEFAULT_SEQUENCE);
    const size_t *pk;
    assert_int_equal(store_table_primary_key(f->pairs, &pk), 2);
    assert_int_equal(pk[0], 0);
    assert_int_equal(pk[1], 1);
    assert_true(store_table_in_schema_cache(f->items));
    store_table_set_in_schema_cache(f->items, false);
    assert_false(store_table_in_schema_cache(f->items));
}

static void expect_build_error(store_t *s, store_column_spec_t *cols, size_t n, const char *msg,
                               int ecol_expected)
{
    char *err = NULL;
    int ecol = 99;
    assert_null(store_add_table(s, "public", "bad", cols, n, &err, &ecol));
    assert_non_null(err);
    assert_string_equal(err, msg);
    assert_int_equal(ecol, ecol_expected);
    free(err);
}

static void test_build_errors(void **state)
{
    fixture_t *f = *state;
    store_column_spec_t c1[2] = {col("a", "int"), col("b", "money")};
    expect_build_error(f->s, c1, 2, "type \"money\" does not exist", 1);
    store_column_spec_t c2[2] = {col("a", "int"), col("a", "text")};
    expect_build_error(f->s, c2, 2, "column \"a\" specified more than once", 1);
    cJSON *bad = cJSON_CreateString("abc");
    store_column_spec_t c3[1] = {col("qty", "integer")};
    c3[0].default_value = bad;
    expect_build_error(f->s, c3, 1,
                       "column \"qty\": invalid default: invalid input syntax for type integer: "
                       "\"abc\"",
                       0);
    cJSON_Delete(bad);
    store_column_spec_t c4[1] = {col("id", "text")};
    c4[0].identity = "always";
    expect_build_error(f->s, c4, 1, "identity column type must be smallint, integer, or bigint", 0);
    cJSON *uuidfn = cJSON_CreateString("gen_random_uuid()");
    store_column_spec_t c5[1] = {col("n", "integer")};
    c5[0].default_value = uuidfn;
    expect_build_error(f->s, c5, 1,
                       "column \"n\" is of type integer but default expression is of type uuid", 0);
    cJSON_Delete(uuidfn);
    store_column_spec_t c6[1] = {col("id", "int")};
    char *err = NULL;
    int ecol;
    assert_null(store_add_table(f->s, "public", "profiles", c6, 1, &err, &ecol));
    assert_string_equal(err, "relation \"profiles\" already exists");
    free(err);

    /* references that cannot be resolved */
    store_t *s = new_store(1);
    store_column_spec_t p[2] = {col("id", "int"), col("label", "text")};
    p[0].primary_key = true;
    assert_non_null(store_add_table(s, "public", "parent", p, 2, &err, &ecol));
    store_column_spec_t ch[2] = {col("id", "int"), col("parent_label", "text")};
    ch[1].references = "parent(label)";
    store_table_t *child = store_add_table(s, "public", "child", ch, 2, &err, &ecol);
    assert_non_null(child);
    const store_table_t *et;
    assert_int_equal(store_resolve_references(s, &err, &et, &ecol), -1);
    /* tablecmds.c transformFkeyCheckAttrs */
    assert_string_equal(err,
                        "there is no unique constraint matching given keys for referenced table "
                        "\"parent\"");
    assert_ptr_equal(et, child);
    assert_int_equal(ecol, 1);
    free(err);
    store_free(s);

    s = new_store(1);
    store_column_spec_t g[1] = {col("uid", "uuid")};
    g[0].references = "auth.users(id)";
    assert_non_null(store_add_table(s, "public", "g", g, 1, &err, &ecol));
    assert_int_equal(store_resolve_references(s, &err, &et, &ecol), -1);
    assert_string_equal(err, "relation \"auth.users\" does not exist");
    free(err);
    store_free(s);
}

static void test_enum_registry(void **state)
{
    (void)state;
    store_t *s = new_store(1);
    char *err = NULL;
    const char *labels[] = {"ONLINE", "OFFLINE"};
    assert_int_equal(store_add_enum(s, "user_status", labels, 2, &err), 0);
    assert_int_equal(store_add_enum(s, "user_status", labels, 2, &err), -1);
    assert_string_equal(err, "type \"user_status\" already exists");
    free(err);
    assert_non_null(store_find_enum(s, "user_status"));
    store_column_spec_t c[1] = {col("status", "user_status")};
    int ecol;
    store_table_t *t = store_add_table(s, "public", "people", c, 1, &err, &ecol);
    assert_non_null(t);
    assert_int_equal(store_table_column(t, 0)->type.kind, PGTYPE_ENUM);
    store_free(s);
}

/* ---- defaults ---- */

static void test_defaults(void **state)
{
    fixture_t *f = *state;
    add_users(f);
    store_row_t *r;
    char json[128];
    snprintf(json, sizeof json, "{\"user_id\":\"%s\"}", UID1);
    must_insert(f->s, f->profiles, json, &r);
    const pgvalue_t *v = store_row_values(r);
    /* gen_random_uuid(): a version 4 UUID (RFC 9562: version nibble 4,
     * variant bits 10) */
    assert_int_equal(strlen(v[0].s), 36);
    assert_int_equal(v[0].s[14], '4');
    assert_non_null(strchr("89ab", v[0].s[19]));
    assert_int_equal(v[2].i, 5);        /* literal default */
    assert_int_equal(v[3].i, NOW_2026); /* now() */
    char *j = row_json(f->profiles, r);
    assert_non_null(strstr(j, "\"created_at\":\"2026-01-01T00:00:00+00:00\""));
    free(j);

    /* the same seed and operations give the same UUIDs; another seed differs */
    store_t *a = new_store(42), *b = new_store(42), *c = new_store(43);
    cJSON *d = cJSON_CreateString("uuid_generate_v4()");
    store_column_spec_t spec[1] = {col("id", "uuid")};
    spec[0].default_value = d;
    char *err = NULL;
    int ecol;
    store_table_t *ta = store_add_table(a, "public", "t", spec, 1, &err, &ecol);
    store_table_t *tb = store_add_table(b, "public", "t", spec, 1, &err, &ecol);
    store_table_t *tc = store_add_table(c, "public", "t", spec, 1, &err, &ecol);
    store_row_t *ra, *rb, *rc;
    for (int i = 0; i < 3; i++) {
        must_insert(a, ta, "{}", &ra);
        must_insert(b, tb, "{}", &rb);
        must_insert(c, tc, "{}", &rc);
        assert_string_equal(store_row_values(ra)[0].s, store_row_values(rb)[0].s);
        assert_string_not_equal(store_row_values(ra)[0].s, store_row_values(rc)[0].s);
    }
    store_free(a);
    store_free(b);
    store_free(c);
    cJSON_Delete(d);
}

static void test_auth_uid_default(void **state)
{
    (void)state;
    store_t *s = new_store(1);
    cJSON *d = cJSON_CreateString("auth.uid()");
    store_column_spec_t spec[2] = {col("owner", "uuid"), col("n", "int")};
    spec[0].default_value = d;
    char *err = NULL;
    int ecol;
    store_table_t *t = store_add_table(s, "public", "t", spec, 2, &err, &ecol);
    store_env_t env = ENV;
    env.auth_uid = "13AB4CF1-8587-4685-874B-C2D37BEEAB38";
    pgrst_error_t e;
    pgrst_error_init(&e);
    store_row_t *r;
    assert_int_equal(insert_json(s, t, "{}", &env, &r, &e), 0);
    assert_string_equal(store_row_values(r)[0].s, UID1);
    assert_int_equal(insert_json(s, t, "{}", &ENV, &r, &e), 0);
    assert_true(store_row_values(r)[0].is_null); /* no sub: NULL */
    store_free(s);
    cJSON_Delete(d);
}

/* PostgREST's search_path for a request: its schema, then
 * db-extra-search-path; without a request, public (scenario loading). */
static void test_search_path(void **state)
{
    (void)state;
    store_t *s = new_store(1);
    store_column_spec_t spec[1] = {col("n", "int")};
    char *err = NULL;
    int ecol;
    store_table_t *pub = store_add_table(s, "public", "items", spec, 1, &err, &ecol);
    store_table_t *api = store_add_table(s, "api", "items", spec, 1, &err, &ecol);
    store_table_t *ext = store_add_table(s, "extensions", "things", spec, 1, &err, &ecol);
    assert_non_null(pub);
    assert_non_null(api);
    assert_non_null(ext);
    store_set_search_path(s, NULL, "public, extensions");
    const char *path[STORE_MAX_SEARCH_PATH];
    assert_int_equal(store_search_path(s, path, STORE_MAX_SEARCH_PATH), 1);
    assert_string_equal(path[0], "public");
    assert_ptr_equal(store_find_table_on_path(s, "items"), pub);
    assert_null(store_find_table_on_path(s, "things"));
    store_set_request_schema(s, "api");
    assert_int_equal(store_search_path(s, path, STORE_MAX_SEARCH_PATH), 3);
    assert_string_equal(path[0], "api");
    assert_string_equal(path[2], "extensions");
    assert_ptr_equal(store_find_table_on_path(s, "items"), api);
    assert_ptr_equal(store_find_table_on_path(s, "things"), ext);
    /* The request's schema once, though the extra path names it too. */
    store_set_request_schema(s, "public");
    assert_int_equal(store_search_path(s, path, STORE_MAX_SEARCH_PATH), 2);
    assert_ptr_equal(store_find_table_on_path(s, "items"), pub);
    store_set_search_path(s, NULL, "");
    store_set_request_schema(s, "api");
    assert_null(store_find_table_on_path(s, "things"));
    store_set_request_schema(s, NULL);
    store_free(s);
}

static void test_sequences_and_identity(void **state)
{
    fixture_t *f = *state;
    store_row_t *r;
    must_insert(f->s, f->items, "{\"name\":\"a\"}", &r);
    assert_int_equal(store_row_values(r)[0].i, 1);
    must_insert(f->s, f->items, "{\"name\":\"b\"}", &r);
    assert_int_equal(store_row_values(r)[0].i, 2);
    /* an explicit value does not advance the sequence (serial is BY DEFAULT) */
    must_insert(f->s, f->items, "{\"id\":10,\"name\":\"c\"}", &r);
    must_insert(f->s, f->items, "{\"name\":\"d\"}", &r);
    assert_int_equal(store_row_values(r)[0].i, 3);
    assert_string_equal(store_sequence_name(store_table_column(f->items, 0)->sequence),
                        "items_id_seq");
    assert_int_equal(store_sequence_peek(store_table_column(f->items, 0)->sequence), 4);

    /* identity ALWAYS refuses explicit values (rewriteHandler.c) */
    store_t *s = new_store(1);
    store_column_spec_t spec[2] = {col("id", "bigint"), col("v", "text")};
    spec[0].identity = "always";
    spec[0].primary_key = true;
    char *err = NULL;
    int ecol;
    store_table_t *t = store_add_table(s, "public", "t", spec, 2, &err, &ecol);
    pgrst_error_t e;
    pgrst_error_init(&e);
    assert_int_equal(insert_json(s, t, "{\"v\":\"x\"}", &ENV, &r, &e), 0);
    assert_int_equal(store_row_values(r)[0].i, 1);
    assert_int_equal(insert_json(s, t, "{\"id\":5,\"v\":\"x\"}", &ENV, &r, &e), -1);
    assert_string_equal(e.code, "428C9");
    assert_string_equal(e.message, "cannot insert a non-DEFAULT value into column \"id\"");
    assert_string_equal(e.details, "Column \"id\" is an identity column defined as GENERATED "
                                   "ALWAYS.");
    assert_string_equal(e.hint, "Use OVERRIDING SYSTEM VALUE to override.");
    pgrst_error_dispose(&e);
    store_free(s);
}

/* ---- constraints ---- */

static void test_not_null(void **state)
{
    fixture_t *f = *state;
    pgrst_error_t e;
    pgrst_error_init(&e);
    store_row_t *r;
    assert_int_equal(insert_json(f->s, f->profiles,
                                 "{\"id\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\","
                                 "\"user_id\":null,\"free_image_quota\":3}",
                                 &ENV, &r, &e),
                     -1);
    assert_string_equal(e.code, "23502");
    assert_string_equal(e.message, "null value in column \"user_id\" of relation \"profiles\" "
                                   "violates not-null constraint");
    assert_string_equal(e.details, "Failing row contains (a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11, "
                                   "null, 3, 2026-01-01 00:00:00+00).");
    /* under RLS the row is not shown (ExecBuildSlotValueDescription) */
    assert_int_equal(insert_json(f->s, f->profiles, "{\"user_id\":null}", &ENV_RLS, &r, &e), -1);
    assert_string_equal(e.code, "23502");
    assert_null(e.details);
    pgrst_error_dispose(&e);
    assert_int_equal(store_table_row_count(f->profiles), 0);

    /* long values are clipped to 64 bytes plus "..." */
    char json[256];
    snprintf(json, sizeof json, "{\"id\":null,\"name\":\"%0100d\"}", 7);
    assert_int_equal(insert_json(f->s, f->items, json, &ENV, &r, &e), -1);
    char expected[256];
    snprintf(expected, sizeof expected, "Failing row contains (null, %064d..., null).", 0);
    assert_string_equal(e.details, expected);
    pgrst_error_dispose(&e);
}

static void test_unique(void **state)
{
    fixture_t *f = *state;
    add_users(f);
    char json[160];
    snprintf(json, sizeof json,
             "{\"id\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\",\"user_id\":\"%s\"}", UID1);
    must_insert(f->s, f->profiles, json, NULL);
    pgrst_error_t e;
    pgrst_error_init(&e);
    assert_int_equal(insert_json(f->s, f->profiles, json, &ENV, NULL, &e), -1);
    assert_string_equal(e.code, "23505");
    assert_string_equal(e.message,
                        "duplicate key value violates unique constraint \"profiles_pkey\"");
    assert_string_equal(e.details, "Key (id)=(a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11) already "
                                   "exists.");
    snprintf(json, sizeof json, "{\"user_id\":\"%s\"}", UID1);
    assert_int_equal(insert_json(f->s, f->profiles, json, &ENV, NULL, &e), -1);
    assert_string_equal(e.message,
                        "duplicate key value violates unique constraint \"profiles_user_id_key\"");
    assert_string_equal(e.details, "Key (user_id)=(13ab4cf1-8587-4685-874b-c2d37beeab38) already "
                                   "exists.");
    assert_int_equal(insert_json(f->s, f->profiles, json, &ENV_RLS, NULL, &e), -1);
    assert_null(e.details);

    must_insert(f->s, f->pairs, "{\"a\":1,\"b\":\"x\"}", NULL);
    must_insert(f->s, f->pairs, "{\"a\":1,\"b\":\"y\"}", NULL);
    assert_int_equal(
        insert_json(f->s, f->pairs, "{\"a\":1,\"b\":\"x\",\"note\":\"n\"}", &ENV, NULL, &e), -1);
    assert_string_equal(e.message, "duplicate key value violates unique constraint \"pairs_pkey\"");
    assert_string_equal(e.details, "Key (a, b)=(1, x) already exists.");
    pgrst_error_dispose(&e);
}

/* ---- heap order, index lookup ---- */

static void update_name(fixture_t *f, store_row_t *r, const char *name, store_row_t **out)
{
    size_t n = store_table_column_count(f->items);
    pgvalue_t *vals = calloc(n, sizeof *vals);
    for (size_t i = 0; i < n; i++)
        pgvalue_copy(&vals[i], &store_row_values(r)[i]);
    pgvalue_dispose(&vals[1]);
    pgtype_t tt = store_table_column(f->items, 1)->type;
    pgrst_error_t e;
    pgrst_error_init(&e);
    assert_int_equal(pgvalue_from_text(&tt, name, strlen(name), &vals[1], &e), 0);
    assert_int_equal(store_update(f->s, f->items, r, vals, &ENV, out, &e), 0);
    free(vals);
}

static void test_heap_order(void **state)
{
    fixture_t *f = *state;
    store_row_t *ra, *rb, *rc, *rd;
    must_insert(f->s, f->items, "{\"name\":\"a\"}", &ra);
    must_insert(f->s, f->items, "{\"name\":\"b\"}", &rb);
    must_insert(f->s, f->items, "{\"name\":\"c\"}", &rc);
    must_insert(f->s, f->items, "{\"name\":\"d\"}", &rd);
    ASSERT_HEAP(f->items, 1, "a,b,c,d");
    store_row_t *nb;
    update_name(f, rb, "B", &nb); /* an UPDATE moves the row to the end */
    ASSERT_HEAP(f->items, 1, "a,c,d,B");
    pgrst_error_t e;
    pgrst_error_init(&e);
    assert_int_equal(store_delete(f->s, f->items, rc, &ENV, &e), 0);
    assert_int_equal(store_end_statement(f->s, &ENV, &e), 0);
    ASSERT_HEAP(f->items, 1, "a,d,B");
    assert_int_equal(store_table_row_count(f->items), 3);

    /* the index follows updates and deletes */
    pgvalue_t key;
    pgvalue_init_null(&key);
    key.is_null = false;
    key.i = 2;
    assert_ptr_equal(store_index_lookup(f->items, 0, &key), nb);
    key.i = 3;
    assert_null(store_index_lookup(f->items, 0, &key));
    key.i = 4;
    assert_ptr_equal(store_index_lookup(f->items, 0, &key), rd);
    assert_null(store_index_lookup(f->items, 1, &key)); /* not an indexed column */
    (void)ra;
}

/* ---- transactions ---- */

static void test_rollback(void **state)
{
    fixture_t *f = *state;
    store_row_t *ra, *rb, *rc;
    must_insert(f->s, f->items, "{\"name\":\"a\"}", &ra); /* id 1 */
    must_insert(f->s, f->items, "{\"name\":\"b\"}", &rb); /* id 2 */
    must_insert(f->s, f->items, "{\"name\":\"c\"}", &rc); /* id 3 */

    /* a bulk insert failing on its third row leaves nothing behind */
    store_begin(f->s);
    pgrst_error_t e;
    pgrst_error_init(&e);
    must_insert(f->s, f->items, "{\"name\":\"x\"}", NULL); /* id 4 */
    must_insert(f->s, f->items, "{\"name\":\"y\"}", NULL); /* id 5 */
    assert_int_equal(insert_json(f->s, f->items, "{\"id\":1,\"name\":\"z\"}", &ENV, NULL, &e), -1);
    assert_string_equal(e.message, "duplicate key value violates unique constraint \"items_pkey\"");
    store_rollback(f->s);
    ASSERT_HEAP(f->items, 1, "a,b,c");
    ASSERT_HEAP(f->items, 0, "1,2,3");

    /* updates and deletes are undone, restoring heap order and indexes */
    store_begin(f->s);
    store_row_t *na;
    update_name(f, ra, "A", &na);
    assert_int_equal(store_delete(f->s, f->items, rb, &ENV, &e), 0);
    must_insert(f->s, f->items, "{\"name\":\"w\"}", NULL); /* id 6 */
    ASSERT_HEAP(f->items, 1, "c,A,w");
    store_rollback(f->s);
    ASSERT_HEAP(f->items, 1, "a,b,c");
    pgvalue_t key;
    pgvalue_init_null(&key);
    key.is_null = false;
    key.i = 2;
    assert_ptr_equal(store_index_lookup(f->items, 0, &key), rb);
    key.i = 6;
    assert_null(store_index_lookup(f->items, 0, &key));
    assert_string_equal(store_row_values(ra)[1].s, "a");

    /* sequences are not rolled back */
    store_row_t *r;
    must_insert(f->s, f->items, "{\"name\":\"v\"}", &r);
    assert_int_equal(store_row_values(r)[0].i, 7);

    /* commit keeps the changes */
    store_begin(f->s);
    assert_int_equal(store_delete(f->s, f->items, rc, &ENV, &e), 0);
    assert_int_equal(store_end_statement(f->s, &ENV, &e), 0);
    store_commit(f->s);
    ASSERT_HEAP(f->items, 1, "a,b,v");
    assert_false(store_in_transaction(f->s));
    pgrst_error_dispose(&e);
}

/* ---- ON CONFLICT ---- */

static void test_find_conflict(void **state)
{
    fixture_t *f = *state;
    must_insert(f->s, f->pairs, "{\"a\":1,\"b\":\"x\"}", NULL);
    pgvalue_t vals[3];
    pgtype_t ti = store_table_column(f->pairs, 0)->type, tt = store_table_column(f->pairs, 1)->type;
    pgrst_error_t e;
    pgrst_error_init(&e);
    assert_int_equal(pgvalue_from_text(&ti, "1", 1, &vals[0], &e), 0);
    assert_int_equal(pgvalue_from_text(&tt, "x", 1, &vals[1], &e), 0);
    pgvalue_init_null(&vals[2]);
    size_t cols_ba[2] = {1, 0}; /* any order */
    store_row_t *hit = NULL;
    assert_int_equal(store_find_conflict(f->pairs, cols_ba, 2, vals, &hit, &e), 0);
    assert_non_null(hit);
    pgvalue_dispose(&vals[1]);
    assert_int_equal(pgvalue_from_text(&tt, "q", 1, &vals[1], &e), 0);
    assert_int_equal(store_find_conflict(f->pairs, cols_ba, 2, vals, &hit, &e), 0);
    assert_null(hit);
    size_t cols_a[1] = {0};
    assert_int_equal(store_find_conflict(f->pairs, cols_a, 1, vals, &hit, &e), -1);
    assert_string_equal(e.code, "42P10");
    assert_string_equal(e.message, "there is no unique or exclusion constraint matching the ON "
                                   "CONFLICT specification");
    pgrst_error_dispose(&e);
    for (int i = 0; i < 3; i++)
        pgvalue_dispose(&vals[i]);
}

/* ---- foreign keys ---- */

static void test_foreign_keys(void **state)
{
    fixture_t *f = *state;
    add_users(f);
    pgrst_error_t e;
    pgrst_error_init(&e);
    char json[160];

    /* insert side: checked at statement end, not at insert */
    store_begin(f->s);
    assert_int_equal(insert_json(f->s, f->profiles,
                                 "{\"user_id\":\"00000000-0000-0000-0000-000000000000\"}", &ENV,
                                 NULL, &e),
                     0);
    assert_int_equal(store_end_statement(f->s, &ENV, &e), -1);
    assert_string_equal(e.code, "23503");
    assert_string_equal(e.message, "insert or update on table \"profiles\" violates foreign key "
                                   "constraint \"profiles_user_id_fkey\"");
    assert_string_equal(e.details, "Key (user_id)=(00000000-0000-0000-0000-000000000000) is not "
                                   "present in table \"users\".");
    store_rollback(f->s);
    assert_int_equal(store_table_row_count(f->profiles), 0);

    /* under RLS: ri_ReportViolation's has_perm = false form */
    store_begin(f->s);
    assert_int_equal(insert_json(f->s, f->profiles,
                                 "{\"user_id\":\"00000000-0000-0000-0000-000000000000\"}", &ENV_RLS,
                                 NULL, &e),
                     0);
    assert_int_equal(store_end_statement(f->s, &ENV_RLS, &e), -1);
    assert_string_equal(e.details, "Key is not present in table \"users\".");
    store_rollback(f->s);

    /* a valid reference, and a NULL foreign key which is not checked */
    store_begin(f->s);
    store_row_t *p;
    snprintf(json, sizeof json,
             "{\"id\":\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\",\"user_id\":\"%s\"}", UID1);
    assert_int_equal(insert_json(f->s, f->profiles, json, &ENV, &p, &e), 0);
    assert_int_equal(
        insert_json(f->s, f->items, "{\"name\":\"n\",\"profile_id\":null}", &ENV, NULL, &e), 0);
    assert_int_equal(insert_json(f->s, f->items,
                                 "{\"name\":\"m\",\"profile_id\":"
                                 "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\"}",
                                 &ENV, NULL, &e),
                     0);
    assert_int_equal(store_end_statement(f->s, &ENV, &e), 0);
    store_commit(f->s);

    /* delete side: a referenced row cannot go */
    store_begin(f->s);
    assert_int_equal(store_delete(f->s, f->profiles, p, &ENV, &e), 0);
    assert_int_equal(store_end_statement(f->s, &ENV, &e), -1);
    assert_string_equal(e.code, "23503");
    assert_string_equal(e.message, "update or delete on table \"profiles\" violates foreign key "
                                   "constraint \"items_profile_id_fkey\" on table \"items\"");
    assert_string_equal(e.details, "Key (id)=(a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11) is still "
                                   "referenced from table \"items\".");
    store_rollback(f->s);
    assert_int_equal(store_table_row_count(f->profiles), 1);
    ASSERT_HEAP(f->profiles, 2, "5");

    store_begin(f->s);
    assert_int_equal(store_delete(f->s, f->profiles, p, &ENV_RLS, &e), 0);
    assert_int_equal(store_end_statement(f->s, &ENV_RLS, &e), -1);
    assert_string_equal(e.details, "Key is still referenced from table \"items\".");
    store_rollback(f->s);

    /* deleting the referencing rows first in the same statement is fine */
    store_begin(f->s);
    store_row_t *r = store_table_first(f->items), *next;
    for (; r; r = next) {
        next = store_row_next(r);
        assert_int_equal(store_delete(f->s, f->items, r, &ENV, &e), 0);
    }
    assert_int_equal(store_delete(f->s, f->profiles, store_table_first(f->profiles), &ENV, &e), 0);
    assert_int_equal(store_end_statement(f->s, &ENV, &e), 0);
    store_commit(f->s);
    assert_int_equal(store_table_row_count(f->profiles), 0);
    pgrst_error_dispose(&e);
}

/* ---- scale ---- */

static void test_100k_rows(void **state)
{
    (void)state;
    store_t *s = new_store(7);
    cJSON *d = cJSON_CreateString("gen_random_uuid()");
    store_column_spec_t spec[3] = {col("id", "bigserial"), col("uid", "uuid"), col("n", "int")};
    spec[0].primary_key = true;
    spec[1].unique = true;
    spec[1].default_value = d;
    char *err = NULL;
    int ecol;
    store_table_t *t = store_add_table(s, "public", "big", spec, 3, &err, &ecol);
    bool provided[3] = {false, false, true};
    pgrst_error_t e;
    pgrst_error_init(&e);
    clock_t t0 = clock();
    store_begin(s);
    store_row_t *mid = NULL;
    for (int i = 0; i < 100000; i++) {
        pgvalue_t v[3];
        for (int k = 0; k < 3; k++)
            pgvalue_init_null(&v[k]);
        v[2].is_null = false;
        v[2].i = i;
        assert_int_equal(store_apply_defaults(s, t, v, provided, &ENV, &e), 0);
        store_row_t *r;
        assert_int_equal(store_insert(s, t, v, &ENV, &r, &e), 0);
        if (i == 50000)
            mid = r;
    }
    assert_int_equal(store_end_statement(s, &ENV, &e), 0);
    store_commit(s);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(store_table_row_count(t), 100000);
    /* generous bound: sanitizer builds are several times slower */
    assert_true(secs < 5.0);
    pgvalue_t key;
    pgvalue_copy(&key, &store_row_values(mid)[1]);
    assert_ptr_equal(store_index_lookup(t, 1, &key), mid);
    pgvalue_dispose(&key);
    pgvalue_init_null(&key);
    key.is_null = false;
    key.i = 50001;
    assert_ptr_equal(store_index_lookup(t, 0, &key), mid);
    store_free(s);
    cJSON_Delete(d);
}

static size_t row_count(const store_table_t *t)
{
    size_t n = 0;
    for (store_row_t *r = store_table_first(t); r; r = store_row_next(r))
        n++;
    return n;
}

/* ON DELETE actions as Postgres's RI triggers apply them at the end of the
 * statement (ri_triggers.c): CASCADE deletes down the chain, SET NULL nulls
 * the column (23502 when it is NOT NULL), RESTRICT and NO ACTION fail with
 * 23503, and a rollback restores every row the actions touched. */
static void test_fk_on_delete_actions(void **state)
{
    (void)state;
    store_t *s = new_store(7);
    char *err = NULL;
    int ecol;
    store_column_spec_t parent[1] = {col("id", "int")};
    parent[0].primary_key = true;
    store_table_t *p = store_add_table(s, "public", "parent", parent, 1, &err, &ecol);
    const char *names[] = {"c_cascade", "c_setnull", "c_restrict", "c_noaction", "c_strict_null"};
    const char *actions[] = {"cascade", "set null", "restrict", "no action", "set null"};
    store_table_t *c[5];
    for (int i = 0; i < 5; i++) {
        store_column_spec_t cs[2] = {col("id", "serial"), col("pid", "int")};
        cs[0].primary_key = true;
        cs[1].references = "parent(id)";
        cs[1].on_delete = actions[i];
        cs[1].nullable = i != 4;
        c[i] = store_add_table(s, "public", names[i], cs, 2, &err, &ecol);
        assert_non_null(c[i]);
    }
    /* grand: cascades from c_cascade, so a parent delete reaches it */
    store_column_spec_t gs[2] = {col("id", "serial"), col("cid", "int")};
    gs[0].primary_key = true;
    gs[1].references = "c_cascade(id)";
    gs[1].on_delete = "cascade";
    store_table_t *grand = store_add_table(s, "public", "grand", gs, 2, &err, &ecol);
    assert_non_null(grand);
    assert_int_equal(store_table_column(c[0], 1)->on_delete, STORE_FK_CASCADE);
    const store_table_t *et;
    assert_int_equal(store_resolve_references(s, &err, &et, &ecol), 0);

    pgrst_error_t e;
    pgrst_error_init(&e);
    store_row_t *p1, *p2;
    assert_int_equal(insert_json(s, p, "{\"id\":1}", &ENV, &p1, &e), 0);
    assert_int_equal(insert_json(s, p, "{\"id\":2}", &ENV, &p2, &e), 0);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(insert_json(s, c[0], "{\"pid\":1}", &ENV, NULL, &e), 0);
        assert_int_equal(insert_json(s, c[1], "{\"pid\":1}", &ENV, NULL, &e), 0);
    }
    assert_int_equal(insert_json(s, grand, "{\"cid\":1}", &ENV, NULL, &e), 0);
    assert_int_equal(insert_json(s, grand, "{\"cid\":2}", &ENV, NULL, &e), 0);
    assert_int_equal(store_end_statement(s, &ENV, &e), 0);

    /* cascade and set null: both children of 1 go, grand follows, set null keeps its rows */
    store_begin(s);
    assert_int_equal(store_delete(s, p, p1, &ENV, &e), 0);
    assert_int_equal(store_end_statement(s, &ENV, &e), 0);
    store_commit(s);
    assert_int_equal(row_count(c[0]), 0);
    assert_int_equal(row_count(grand), 0);
    assert_int_equal(row_count(c[1]), 2);
    for (store_row_t *r = store_table_first(c[1]); r; r = store_row_next(r))
        assert_true(store_row_values(r)[1].is_null);

    /* restrict, no action, and set null on a NOT NULL column refuse; rollback restores */
    const char *codes[] = {"23503", "23503", "23502"};
    const char *msgs[] = {
        "update or delete on table \"parent\" violates foreign key constraint "
        "\"c_restrict_pid_fkey\" on table \"c_restrict\"",
        "update or delete on table \"parent\" violates foreign key constraint "
        "\"c_noaction_pid_fkey\" on table \"c_noaction\"",
        "null value in column \"pid\" of relation \"c_strict_null\" violates not-null "
        "constraint"};
    for (int i = 2; i < 5; i++) {
        assert_int_equal(insert_json(s, c[i], "{\"pid\":2}", &ENV, NULL, &e), 0);
        assert_int_equal(insert_json(s, c[0], "{\"pid\":2}", &ENV, NULL, &e), 0);
        assert_int_equal(store_end_statement(s, &ENV, &e), 0);
        store_begin(s);
        assert_int_equal(store_delete(s, p, p2, &ENV, &e), 0);
        assert_int_equal(store_end_statement(s, &ENV, &e), -1);
        assert_string_equal(e.code, codes[i - 2]);
        assert_string_equal(e.message, msgs[i - 2]);
        store_rollback(s);
        pgrst_error_dispose(&e);
        assert_int_equal(row_count(p), 1);
        assert_int_equal(row_count(c[0]), i - 1);
        assert_int_equal(row_count(c[i]), 1);
        /* clear the refusing child for the next round */
        store_begin(s);
        assert_int_equal(store_delete(s, c[i], store_table_first(c[i]), &ENV, &e), 0);
        assert_int_equal(store_end_statement(s, &ENV, &e), 0);
        store_commit(s);
    }
    /* nothing refuses now: the three cascading children of 2 go with it */
    store_begin(s);
    assert_int_equal(store_delete(s, p, p2, &ENV, &e), 0);
    assert_int_equal(store_end_statement(s, &ENV, &e), 0);
    store_commit(s);
    assert_int_equal(row_count(c[0]), 0);
    assert_int_equal(row_count(p), 0);
    store_free(s);
}

/* Partitioned tables: a write no partition bound takes is refused with
 * ExecFindPartition's 23514 (execPartition.c), the key described as
 * ExecBuildSlotPartitionKeyDescription does; each expectation is
 * PostgreSQL 15's answer to the same statements. */
static void expect_no_partition(store_t *s, store_table_t *t, const char *row, const char *table,
                                const char *details, const store_env_t *env)
{
    pgrst_error_t e;
    pgrst_error_init(&e);
    assert_int_equal(insert_json(s, t, row, env, NULL, &e), -1);
    assert_string_equal(e.code, "23514");
    char msg[128];
    snprintf(msg, sizeof msg, "no partition of relation \"%s\" found for row", table);
    assert_string_equal(e.message, msg);
    if (details)
        assert_string_equal(e.details, details);
    else
        assert_null(e.details);
    pgrst_error_dispose(&e);
}

static void test_partitions(void **state)
{
    (void)state;
    store_t *s = new_store(9);
    char *err = NULL;
    int ecol;
    pgrst_error_t e;
    pgrst_error_init(&e);

    /* create table cm(name text, year int) partition by list (year);
     * create table cm1 partition of cm for values in (2021); */
    store_column_spec_t cmc[2] = {col("name", "text"), col("year", "int")};
    store_table_t *cm = store_add_table(s, "public", "cm", cmc, 2, &err, &ecol);
    assert_non_null(cm);
    cJSON *in2021 = cJSON_Parse("[2021]");
    const char *year[] = {"year"};
    store_partition_spec_t cm1 = {.name = "cm1", .values = in2021};
    assert_int_equal(store_set_partitions(s, cm, false, year, 1, &cm1, 1, &err), 0);
    assert_int_equal(insert_json(s, cm, "{\"name\":\"x\",\"year\":2021}", &ENV, NULL, &e), 0);
    expect_no_partition(s, cm, "{\"name\":\"x\",\"year\":1990}", "cm",
                        "Partition key of the failing row contains (year) = (1990).", &ENV);
    expect_no_partition(s, cm, "{\"name\":\"x\"}", "cm",
                        "Partition key of the failing row contains (year) = (null).", &ENV);
    expect_no_partition(s, cm, "{\"name\":\"x\",\"year\":1990}", "cm", NULL, &ENV_RLS);
    /* ... and create table cmd partition of cm default: it takes the rest,
     * NULL included. */
    store_partition_spec_t both[2] = {cm1, {.name = "cmd", .is_default = true}};
    assert_int_equal(store_set_partitions(s, cm, false, year, 1, both, 2, &err), 0);
    assert_int_equal(insert_json(s, cm, "{\"name\":\"y\"}", &ENV, NULL, &e), 0);
    assert_int_equal(insert_json(s, cm, "{\"name\":\"z\",\"year\":1990}", &ENV, NULL, &e), 0);
    assert_int_equal(store_table_row_count(cm), 3);

    /* create table s(d varchar(64), q int) partition by range (d);
     * create table s1 partition of s for values from ('2021-01-01') to
     * ('2021-01-31'): the upper bound is exclusive. */
    store_column_spec_t sc[2] = {col("d", "varchar(64)"), col("q", "int")};
    store_table_t *st = store_add_table(s, "public", "s", sc, 2, &err, &ecol);
    cJSON *from = cJSON_Parse("[\"2021-01-01\"]"), *to = cJSON_Parse("[\"2021-01-31\"]");
    const char *d[] = {"d"};
    store_partition_spec_t s1 = {.name = "s1", .from = from, .to = to};
    assert_int_equal(store_set_partitions(s, st, true, d, 1, &s1, 1, &err), 0);
    store_row_t *r;
    assert_int_equal(insert_json(s, st, "{\"d\":\"2021-01-01\",\"q\":1}", &ENV, &r, &e), 0);
    expect_no_partition(s, st, "{\"d\":\"2021-01-31\",\"q\":1}", "s",
                        "Partition key of the failing row contains (d) = (2021-01-31).", &ENV);
    expect_no_partition(s, st, "{\"d\":\"2022\",\"q\":1}", "s",
                        "Partition key of the failing row contains (d) = (2022).", &ENV);
    /* update s set d = '2023': the new version must be taken too */
    size_t n = store_table_column_count(st);
    pgvalue_t *v = calloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++)
        pgvalue_copy(&v[i], &store_row_values(r)[i]);
    pgvalue_dispose(&v[0]);
    assert_int_equal(pgvalue_from_text(&store_table_column(st, 0)->type, "2023", 4, &v[0], &e), 0);
    assert_int_equal(store_update(s, st, r, v, &ENV, NULL, &e), -1);
    assert_string_equal(e.details, "Partition key of the failing row contains (d) = (2023).");
    free(v);
    pgrst_error_dispose(&e);
    pgrst_error_init(&e);

    /* create table r2(a int, b int) partition by range (a, b);
     * create table r2p partition of r2 for values from (1, MINVALUE) to
     * (2, MAXVALUE) */
    store_column_spec_t rc2[2] = {col("a", "int"), col("b", "int")};
    store_table_t *r2 = store_add_table(s, "public", "r2", rc2, 2, &err, &ecol);
    cJSON *lo = cJSON_Parse("[1, false]"), *hi = cJSON_Parse("[2, true]");
    const char *ab[] = {"a", "b"};
    store_partition_spec_t r2p = {.name = "r2p", .from = lo, .to = hi};
    assert_int_equal(store_set_partitions(s, r2, true, ab, 2, &r2p, 1, &err), 0);
    assert_int_equal(insert_json(s, r2, "{\"a\":1,\"b\":-5}", &ENV, NULL, &e), 0);
    assert_int_equal(insert_json(s, r2, "{\"a\":2,\"b\":100}", &ENV, NULL, &e), 0);
    expect_no_partition(s, r2, "{\"a\":3,\"b\":0}", "r2",
                        "Partition key of the failing row contains (a, b) = (3, 0).", &ENV);
    expect_no_partition(s, r2, "{\"b\":0}", "r2",
                        "Partition key of the failing row contains (a, b) = (null, 0).", &ENV);

    /* a bound value that is no input of the key's type */
    cJSON *bad = cJSON_Parse("[\"x\"]");
    store_partition_spec_t badp = {.name = "bad", .values = bad};
    assert_int_equal(store_set_partitions(s, cm, false, year, 1, &badp, 1, &err), -1);
    assert_string_equal(err, "partition bad of cm: invalid input syntax for type integer: \"x\"");
    free(err);
    cJSON_Delete(bad);
    cJSON_Delete(in2021), cJSON_Delete(from), cJSON_Delete(to), cJSON_Delete(lo), cJSON_Delete(hi);
    pgrst_error_dispose(&e);
    store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_catalogue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_build_errors, setup, teardown),
        cmocka_unit_test(test_enum_registry),
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test(test_auth_uid_default),
        cmocka_unit_test(test_search_path),
        cmocka_unit_test_setup_teardown(test_sequences_and_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heap_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_find_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_keys, setup, teardown),
        cmocka_unit_test(test_fk_on_delete_actions),
        cmocka_unit_test(test_100k_rows),
        cmocka_unit_test(test_partitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
