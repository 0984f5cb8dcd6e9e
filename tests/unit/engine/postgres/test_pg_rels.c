/* engine/postgres: relationship detection (pg_rels.c) over catalog rows as
 * PostgREST's SchemaCache.hs derives relationships from them: every foreign
 * key a many-to-one (allM2OandO2ORels) or a one-to-one when its columns are a
 * key, the inverse of each (addInverseRels: one-to-many, or one-to-one with
 * isParent flipped), the same through views from allViewsKeyDependencies
 * (addViewM2OAndO2ORels), many-to-many through a junction whose primary key
 * holds both keys' columns (addM2MRels), composite keys with their column
 * pairs in key order, only between cached relations (removeInternal), and
 * each origin's list in the derived Ord of Relationship. The rows are shaped
 * after PostgREST's spec fixture (test/spec/fixtures/schema.sql). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pg_rels.h"

#include <string.h>

/* The cached relations with their primary keys; everything else (private.*)
 * is outside the exposed schema. */
typedef struct fake_rel {
    const char *schema, *name;
    const char *pk[3];
    size_t pkn;
} fake_rel_t;

static const fake_rel_t cached_rels[] = {
    {"test", "clients", {"id"}, 1},        {"test", "projects", {"id"}, 1},
    {"test", "projects_view", {"id"}, 1},  {"test", "users", {"id"}, 1},
    {"test", "tasks", {"id"}, 1},          {"test", "users_tasks", {"task_id", "user_id"}, 2},
    {"test", "shifts", {"car", "day"}, 2}, {"test", "workdays", {"id"}, 1},
    {"test", "students", {"id"}, 1},       {"test", "students_info", {"id"}, 1},
};

static const fake_rel_t *find(pg_qi_t qi)
{
    for (size_t i = 0; i < sizeof cached_rels / sizeof cached_rels[0]; i++)
        if (strcmp(cached_rels[i].schema, qi.schema) == 0 &&
            strcmp(cached_rels[i].name, qi.name) == 0)
            return &cached_rels[i];
    return NULL;
}

static bool cached(void *ctx, pg_qi_t qi)
{
    (void)ctx;
    return find(qi) != NULL;
}

static bool primary_key(void *ctx, pg_qi_t qi, const char *const **pk, size_t *n)
{
    (void)ctx;
    const fake_rel_t *r = find(qi);
    if (!r)
        return false;
    *pk = r->pk;
    *n = r->pkn;
    return true;
}

static const pg_colpair_t projects_client[] = {{"client_id", "id"}};
static const pg_colpair_t ut_user[] = {{"user_id", "id"}};
static const pg_colpair_t ut_task[] = {{"task_id", "id"}};
/* A composite key, in key order (day before car, unlike the sorted pk). */
static const pg_colpair_t wd_shift[] = {{"shift_day", "day"}, {"shift_car", "car"}};
static const pg_colpair_t info_student[] = {{"id", "id"}};

static const pg_fk_row_t fks[] = {
    {{"test", "projects"}, {"test", "clients"}, false, "client", projects_client, 1, false},
    {{"test", "users_tasks"},
     {"test", "users"},
     false,
     "users_tasks_user_id_fkey",
     ut_user,
     1,
     false},
    {{"test", "users_tasks"},
     {"test", "tasks"},
     false,
     "users_tasks_task_id_fkey",
     ut_task,
     1,
     false},
    {{"test", "workdays"}, {"test", "shifts"}, false, "fst_shift", wd_shift, 2, false},
    /* students_info.id is its primary key and references students: O2O. */
    {{"test", "students_info"},
     {"test", "students"},
     false,
     "students_info_id_fkey",
     info_student,
     1,
     true},
};

/* projects_view shows projects.id as id and projects.client_id as cid. */
static const char *const v_id[] = {"id"};
static const char *const v_cid[] = {"cid"};
static const char *const *vcols_pk[] = {v_id};
static const char *const *vcols_fk[] = {v_cid};
static const size_t one[] = {1};
static const char *pk_cols[] = {"id"};
static const char *fk_cols[] = {"client_id"};
static const pg_keydep_t deps[] = {
    {{"test", "projects"},
     {"test", "projects_view"},
     "projects_pkey",
     PG_DEP_PK,
     1,
     pk_cols,
     vcols_pk,
     one},
    {{"test", "projects"},
     {"test", "projects_view"},
     "client",
     PG_DEP_FK,
     1,
     fk_cols,
     vcols_fk,
     one},
};

static size_t build(arena_t *a, pg_rel_t **out)
{
    pg_rel_lookup_t lookup = {.ctx = NULL, .cached = cached, .primary_key = primary_key};
    return pg_rels_build(a, fks, sizeof fks / sizeof fks[0], deps, sizeof deps / sizeof deps[0],
                         &lookup, out);
}

/* The relationships from schema.name, in list order. */
static size_t from(const pg_rel_t *rels, size_t n, const char *name, const pg_rel_t **out,
                   size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(rels[i].table.name, name) == 0 && k < cap)
            out[k++] = &rels[i];
    return k;
}

static void test_many_to_one_and_inverse(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    pg_rel_t *rels;
    size_t n = build(a, &rels);
    const pg_rel_t *r[8];
    assert_int_equal(from(rels, n, "projects", r, 8), 1);
    assert_int_equal(r[0]->card, PG_M2O);
    assert_string_equal(r[0]->ftable.name, "clients");
    assert_string_equal(r[0]->cons, "client");
    assert_string_equal(r[0]->cols[0].a, "client_id");
    assert_string_equal(r[0]->cols[0].b, "id");
    assert_true(pg_rel_to_one(r[0]));
    /* clients: the inverse one-to-many, to the table then to the view
     * (sorted by foreign table), the view's with the view's column. */
    assert_int_equal(from(rels, n, "clients", r, 8), 2);
    assert_int_equal(r[0]->card, PG_O2M);
    assert_string_equal(r[0]->ftable.name, "projects");
    assert_string_equal(r[0]->cols[0].a, "id");
    assert_string_equal(r[0]->cols[0].b, "client_id");
    assert_false(pg_rel_to_one(r[0]));
    assert_string_equal(r[1]->ftable.name, "projects_view");
    assert_true(r[1]->ftable_is_view);
    assert_string_equal(r[1]->cols[0].b, "cid");
    /* and the view's own many-to-one */
    assert_int_equal(from(rels, n, "projects_view", r, 8), 1);
    assert_int_equal(r[0]->card, PG_M2O);
    assert_true(r[0]->table_is_view);
    assert_string_equal(r[0]->cols[0].a, "cid");
    arena_free(a);
}

static void test_many_to_many(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    pg_rel_t *rels;
    size_t n = build(a, &rels);
    const pg_rel_t *r[8];
    /* users: many-to-many to tasks (junColsSource (id, user_id),
     * junColsTarget (id, task_id)), then the one-to-many to the junction. */
    assert_int_equal(from(rels, n, "users", r, 8), 2);
    assert_int_equal(r[0]->card, PG_M2M);
    assert_string_equal(r[0]->ftable.name, "tasks");
    assert_string_equal(r[0]->junction.name, "users_tasks");
    assert_string_equal(r[0]->cons, "users_tasks_user_id_fkey");
    assert_string_equal(r[0]->cons2, "users_tasks_task_id_fkey");
    assert_string_equal(r[0]->cols[0].a, "id");
    assert_string_equal(r[0]->cols[0].b, "user_id");
    assert_string_equal(r[0]->fcols[0].a, "id");
    assert_string_equal(r[0]->fcols[0].b, "task_id");
    assert_int_equal(r[1]->card, PG_O2M);
    assert_string_equal(r[1]->ftable.name, "users_tasks");
    arena_free(a);
}

static void test_composite_and_one_to_one(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    pg_rel_t *rels;
    size_t n = build(a, &rels);
    const pg_rel_t *r[8];
    assert_int_equal(from(rels, n, "workdays", r, 8), 1);
    assert_int_equal(r[0]->ncols, 2);
    assert_string_equal(r[0]->cols[0].a, "shift_day");
    assert_string_equal(r[0]->cols[1].a, "shift_car");
    assert_int_equal(from(rels, n, "shifts", r, 8), 1);
    assert_int_equal(r[0]->card, PG_O2M);
    assert_string_equal(r[0]->cols[1].a, "car");
    assert_string_equal(r[0]->cols[1].b, "shift_car");
    /* the key's columns are a key: one-to-one both ways, the referenced
     * side the parent */
    assert_int_equal(from(rels, n, "students_info", r, 8), 1);
    assert_int_equal(r[0]->card, PG_O2O);
    assert_false(r[0]->is_parent);
    assert_int_equal(from(rels, n, "students", r, 8), 1);
    assert_int_equal(r[0]->card, PG_O2O);
    assert_true(r[0]->is_parent);
    assert_true(pg_rel_to_one(r[0]));
    arena_free(a);
}

static void test_computed_override(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    pg_rel_t *rels;
    size_t n = build(a, &rels);
    /* A function test.clients(test.projects) replaces the detected
     * projects -> clients relationship (getOverrideRelationshipsMap). */
    pg_rel_t c = {.computed = true,
                  .function = {"test", "clients"},
                  .table = {"test", "projects"},
                  .ftable = {"test", "clients"},
                  .to_one = true};
    pg_rel_lookup_t lookup = {.ctx = NULL, .cached = cached, .primary_key = primary_key};
    pg_rel_t *all;
    size_t m = pg_rels_add_computed(a, rels, n, &c, 1, &lookup, &all);
    assert_int_equal(m, n);
    const pg_rel_t *r[8];
    assert_int_equal(from(all, m, "projects", r, 8), 1);
    assert_true(r[0]->computed);
    assert_true(pg_rel_to_one(r[0]));
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_to_one_and_inverse),
        cmocka_unit_test(test_many_to_many),
        cmocka_unit_test(test_composite_and_one_to_one),
        cmocka_unit_test(test_computed_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
