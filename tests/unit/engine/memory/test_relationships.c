/* Relationship detection and findRel (relationships.c) over a store shaped
 * like PostgREST's spec fixture: the expectations are PostgREST's
 * (SchemaCache.hs allM2OandO2ORels/addM2MRels/addInverseRels, the derived
 * Ord of Relationship, Plan.hs findRel, Error.hs NoRelBetween and
 * AmbiguousRelBetween). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "relationships.h"
#include "store.h"

#include <stdlib.h>
#include <string.h>

static prng_t prng;

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

static store_table_t *add(store_t *s, const char *name, store_column_spec_t *cols, size_t n)
{
    char *e = NULL;
    int bad = -1;
    store_table_t *t = store_add_table(s, "public", name, cols, n, &e, &bad);
    assert_non_null(t);
    store_table_set_in_schema_cache(t, true);
    return t;
}

/* clients <- projects (fk "client") <- tasks; users_tasks joins users and
 * tasks; capital.country_id is unique (one-to-one); family_tree refers to
 * itself; first has two unique FKs to second. */
static store_t *fixture(void)
{
    prng_seed(&prng, 1);
    store_t *s = store_new(&prng);
    store_column_spec_t clients[] = {col("id", "integer"), col("name", "text")};
    clients[0].primary_key = true;
    add(s, "clients", clients, 2);
    store_column_spec_t projects[] = {col("id", "integer"), col("client_id", "integer")};
    projects[0].primary_key = true;
    projects[1].references = "clients(id)";
    projects[1].fk_name = "client";
    add(s, "projects", projects, 2);
    store_column_spec_t tasks[] = {col("id", "integer"), col("project_id", "integer")};
    tasks[0].primary_key = true;
    tasks[1].references = "projects(id)";
    add(s, "tasks", tasks, 2);
    store_column_spec_t users[] = {col("id", "integer")};
    users[0].primary_key = true;
    add(s, "users", users, 1);
    store_column_spec_t ut[] = {col("user_id", "integer"), col("task_id", "integer")};
    ut[0].primary_key = ut[1].primary_key = true;
    ut[0].references = "users(id)";
    ut[1].references = "tasks(id)";
    add(s, "users_tasks", ut, 2);
    store_column_spec_t country[] = {col("id", "integer")};
    country[0].primary_key = true;
    add(s, "country", country, 1);
    store_column_spec_t capital[] = {col("id", "integer"), col("country_id", "integer")};
    capital[0].primary_key = true;
    capital[1].unique = true;
    capital[1].references = "country(id)";
    add(s, "capital", capital, 2);
    store_column_spec_t ft[] = {col("id", "text"), col("parent", "text")};
    ft[0].primary_key = true;
    ft[1].references = "family_tree(id)";
    ft[1].fk_name = "pptr";
    add(s, "family_tree", ft, 2);
    store_column_spec_t second[] = {col("id", "integer")};
    second[0].primary_key = true;
    add(s, "second", second, 1);
    store_column_spec_t first[] = {col("id", "integer"), col("second_id_1", "integer"),
                                   col("second_id_2", "integer")};
    first[0].primary_key = true;
    first[1].unique = first[2].unique = true;
    first[1].references = first[2].references = "second(id)";
    add(s, "first", first, 3);
    char *e = NULL;
    const store_table_t *et = NULL;
    int ec = -1;
    assert_int_equal(store_resolve_references(s, &e, &et, &ec), 0);
    return s;
}

static const store_table_t *T(store_t *s, const char *name)
{
    return store_find_table(s, "public", name);
}

/* The calls with the store's whole relationship list computed first, as
 * the embedding code does once per request. */
static size_t rels_from(const store_t *s, const store_table_t *t, arena_t *a, mem_rel_t **out)
{
    mem_rels_t all;
    mem_rels_all(s, a, &all);
    return mem_rels_from(&all, t, a, out);
}

static int rel_find(const store_t *s, const store_table_t *t, const char *target, const char *hint,
                    arena_t *a, mem_rel_t *out, pgrst_error_t *err)
{
    mem_rels_t all;
    mem_rels_all(s, a, &all);
    return mem_rel_find(s, &all, t, target, hint, a, out, err);
}

static void test_detection_and_order(void **state)
{
    (void)state;
    store_t *s = fixture();
    arena_t *a = arena_new();
    mem_rel_t *r;
    /* projects: O2M to tasks (inverse of tasks_project_id_fkey), M2O to
     * clients; sorted by foreign table: clients, tasks. */
    size_t n = rels_from(s, T(s, "projects"), a, &r);
    assert_int_equal(n, 2);
    assert_string_equal(store_table_name(r[0].ftable), "clients");
    assert_int_equal(r[0].card, MEM_M2O);
    assert_string_equal(r[0].cons, "client");
    assert_string_equal(store_table_name(r[1].ftable), "tasks");
    assert_int_equal(r[1].card, MEM_O2M);
    assert_string_equal(r[1].cons, "tasks_project_id_fkey");
    /* tasks: M2O projects, O2M users_tasks, M2M users through users_tasks */
    n = rels_from(s, T(s, "tasks"), a, &r);
    assert_int_equal(n, 3);
    assert_string_equal(store_table_name(r[0].ftable), "projects");
    assert_string_equal(store_table_name(r[1].ftable), "users");
    assert_int_equal(r[1].card, MEM_M2M);
    assert_string_equal(store_table_name(r[1].junction), "users_tasks");
    assert_string_equal(r[1].cons, "users_tasks_task_id_fkey");
    assert_string_equal(r[1].cons2, "users_tasks_user_id_fkey");
    assert_string_equal(store_table_name(r[2].ftable), "users_tasks");
    assert_int_equal(r[2].card, MEM_O2M);
    /* a unique FK column: one-to-one both ways */
    n = rels_from(s, T(s, "country"), a, &r);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].card, MEM_O2O);
    assert_true(r[0].is_parent);
    assert_true(mem_rel_to_one(&r[0]));
    /* a self reference: O2M before M2O (constructor order) */
    n = rels_from(s, T(s, "family_tree"), a, &r);
    assert_int_equal(n, 2);
    assert_true(r[0].is_self);
    assert_int_equal(r[0].card, MEM_O2M);
    assert_int_equal(r[1].card, MEM_M2O);
    arena_free(a);
    store_free(s);
}

static void test_find(void **state)
{
    (void)state;
    store_t *s = fixture();
    arena_t *a = arena_new();
    pgrst_error_t err;
    pgrst_error_init(&err);
    mem_rel_t r;
    /* by table, constraint, FK column; hints by constraint/columns/junction */
    assert_int_equal(rel_find(s, T(s, "projects"), "clients", NULL, a, &r, &err), 0);
    assert_int_equal(rel_find(s, T(s, "projects"), "client", NULL, a, &r, &err), 0);
    assert_int_equal(rel_find(s, T(s, "projects"), "client_id", NULL, a, &r, &err), 0);
    assert_int_equal(r.card, MEM_M2O);
    assert_int_equal(rel_find(s, T(s, "projects"), "clients", "client", a, &r, &err), 0);
    assert_int_equal(rel_find(s, T(s, "projects"), "clients", "id", a, &r, &err), 0);
    assert_int_equal(rel_find(s, T(s, "tasks"), "users", "users_tasks", a, &r, &err), 0);
    assert_int_equal(r.card, MEM_M2M);
    /* self: table name = children, column = parent */
    assert_int_equal(rel_find(s, T(s, "family_tree"), "family_tree", NULL, a, &r, &err), 0);
    assert_int_equal(r.card, MEM_O2M);
    assert_int_equal(rel_find(s, T(s, "family_tree"), "parent", NULL, a, &r, &err), 0);
    assert_int_equal(r.card, MEM_M2O);

    /* PGRST200 with the fuzzy hint */
    assert_int_equal(rel_find(s, T(s, "projects"), "cliente", NULL, a, &r, &err), -1);
    assert_string_equal(err.code, "PGRST200");
    assert_string_equal(err.hint, "Perhaps you meant 'clients' instead of 'cliente'.");
    assert_string_equal(err.details, "Searched for a foreign key relationship between 'projects' "
                                     "and 'cliente' in the schema 'public', but no matches were "
                                     "found.");
    /* PGRST201: both one-to-one FKs of first (EmbedDisambiguationSpec.hs:133) */
    assert_int_equal(rel_find(s, T(s, "first"), "second", NULL, a, &r, &err), -1);
    assert_string_equal(err.code, "PGRST201");
    assert_true(err.details_json);
    assert_string_equal(err.details,
                        "[{\"cardinality\":\"one-to-one\",\"embedding\":\"first with second\","
                        "\"relationship\":\"first_second_id_1_fkey using first(second_id_1) and "
                        "second(id)\"},{\"cardinality\":\"one-to-one\",\"embedding\":\"first with "
                        "second\",\"relationship\":\"first_second_id_2_fkey using "
                        "first(second_id_2) and second(id)\"}]");
    assert_string_equal(err.hint, "Try changing 'second' to one of the following: "
                                  "'second!first_second_id_1_fkey', "
                                  "'second!first_second_id_2_fkey'. Find the desired "
                                  "relationship in the 'details' key.");
    pgrst_error_dispose(&err);
    arena_free(a);
    store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detection_and_order),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
