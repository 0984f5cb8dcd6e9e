/* The memory engine through engine.h only, as the PostgREST layer uses it:
 * the schema cache (relations, columns, relationships, functions, reload) and
 * one statement per request with its counts, rendering and transaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "config.h"
#include "engine.h"
#include "instance.h"
#include "jsonc.h"
#include "pgrst_query.h"
#include "scenario.h"

#include <stdlib.h>
#include <string.h>

static const char SCENARIO[] =
    "{\"name\": \"engine-test\","
    " \"tables\": {"
    "  \"authors\": {\"columns\": ["
    "    {\"name\": \"id\", \"type\": \"integer\", \"primary_key\": true},"
    "    {\"name\": \"name\", \"type\": \"varchar(20)\"}],"
    "   \"rows\": [{\"id\": 1, \"name\": \"ann\"}, {\"id\": 2, \"name\": \"bob\"},"
    "            {\"id\": 3, \"name\": \"cy\"}]},"
    "  \"posts\": {\"columns\": ["
    "    {\"name\": \"id\", \"type\": \"integer\", \"primary_key\": true, \"identity\": "
    "\"always\"},"
    "    {\"name\": \"author_id\", \"type\": \"integer\", \"references\": \"authors(id)\"}]},"
    "  \"drafts\": {\"columns\": [{\"name\": \"id\", \"type\": \"integer\"}],"
    "   \"in_schema_cache\": false}"
    " }}";

typedef struct fx {
    scenario_t *sc;
    mock_config_t cfg;
    instance_t *inst;
    engine_t *e;
    arena_t *arena;
    buf_t body;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (scenario_load_text("engine-test.json", SCENARIO, strlen(SCENARIO), &f->sc, &err) != 0)
        fail_msg("scenario: %s", err.message);
    mock_config_defaults(&f->cfg);
    if (instance_new(f->sc, &f->cfg, &f->inst, &err) != 0)
        fail_msg("instance: %s", err.message);
    f->e = instance_engine(f->inst);
    f->arena = arena_new();
    buf_init(&f->body);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    buf_dispose(&f->body);
    arena_free(f->arena);
    instance_free(f->inst);
    scenario_free(f->sc);
    free(f);
    return 0;
}

static void test_schema_cache(void **state)
{
    fx_t *f = *state;
    assert_string_equal(f->e->ops->name, "memory");
    const engine_relation_t *authors = engine_find_relation(f->e, "public", "authors");
    assert_non_null(authors);
    assert_string_equal(f->e->ops->relation_name(authors), "authors");
    assert_null(engine_find_relation(f->e, "public", "nope"));
    /* a table PostgREST has not loaded yet is not in the cache */
    assert_null(engine_find_relation(f->e, "public", "drafts"));
    const char **names = NULL;
    size_t n = f->e->ops->relation_names(f->e, "public", f->arena, &names);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "authors");
    assert_string_equal(names[1], "posts");

    assert_int_equal(f->e->ops->column_count(authors), 2);
    engine_column_info_t col;
    f->e->ops->column(authors, 1, f->arena, &col);
    assert_string_equal(col.name, "name");
    assert_string_equal(col.type, "character varying");
    assert_true(col.nullable);
    assert_false(col.primary_key);
    assert_true(engine_relation_has_primary_key(f->e, authors));

    /* the foreign key is seen from both ends */
    engine_relationship_t *rels = NULL;
    assert_int_equal(f->e->ops->relationships(f->e, authors, f->arena, &rels), 1);
    assert_string_equal(rels[0].constraint, "posts_author_id_fkey");
    assert_string_equal(rels[0].relation, "posts");
    assert_string_equal(rels[0].ref_relation, "authors");
    const engine_relation_t *posts = engine_find_relation(f->e, "public", "posts");
    assert_int_equal(f->e->ops->relationships(f->e, posts, f->arena, &rels), 1);

    const engine_routine_t *const *fns = NULL;
    assert_int_equal(f->e->ops->routines(f->e, "public", "anything", &fns), 0);

    /* NOTIFY pgrst, 'reload schema' brings drafts in */
    f->e->ops->reload(f->e);
    assert_non_null(engine_find_relation(f->e, "public", "drafts"));
}

typedef struct done {
    int calls;
    int rc;
} done_t;

static void on_done(void *arg, int rc)
{
    done_t *d = arg;
    d->calls++;
    d->rc = rc;
}

/* Runs one statement as service_role; returns the engine's rc. */
static int run(fx_t *f, engine_op_t op, const char *relation, const char *query,
               const rest_body_t *payload, const pgrst_prefer_t *prefer, long long offset,
               long long limit, engine_result_t *res, pgrst_error_t *err)
{
    pgrst_query_t q;
    if (pgrst_query_parse(f->arena, query, &q, err) < 0)
        return -1;
    pgrst_prefer_t none;
    memset(&none, 0, sizeof none);
    none.max_affected = -1;
    pgrst_accept_t accept = {.media = PGRST_MEDIA_JSON};
    engine_request_t req = {
        .op = op,
        .arena = f->arena,
        .relation = engine_find_relation(f->e, "public", relation),
        .query = &q,
        .prefer = prefer ? prefer : &none,
        .accept = &accept,
        .payload = payload,
        .offset = offset,
        .limit = limit,
        .role = "service_role",
        .now_us = 0,
    };
    assert_non_null(req.relation);
    memset(res, 0, sizeof *res);
    buf_reset(&f->body);
    res->body = &f->body;
    done_t d = {0};
    engine_execute(f->e, &req, res, err, on_done, &d);
    assert_int_equal(d.calls, 1); /* the memory engine completes at once */
    return d.rc;
}

static void test_read_counts_and_range(void **state)
{
    fx_t *f = *state;
    engine_result_t res;
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(
        run(f, ENGINE_READ, "authors", "select=name&order=id.desc", NULL, NULL, 1, 1, &res, &err),
        0);
    assert_int_equal(res.total, 3);
    assert_int_equal(res.page_count, 1);
    assert_string_equal(buf_cstr(&f->body), "[{\"name\":\"bob\"}]");

    /* an analysis error comes back as Postgres's, with nothing rendered */
    assert_int_equal(run(f, ENGINE_READ, "authors", "select=nope", NULL, NULL, 0, -1, &res, &err),
                     -1);
    assert_string_equal(err.code, "42703");
    pgrst_error_dispose(&err);
}

static void test_insert_and_rollback(void **state)
{
    fx_t *f = *state;
    const char *json = "[{\"author_id\": 2}, {\"author_id\": 3}]";
    rest_body_t payload;
    memset(&payload, 0, sizeof payload);
    jsonc_error_t jerr;
    assert_int_equal(jsonc_parse(json, strlen(json), &payload.doc, &jerr), 0);
    payload.present = true;
    pgrst_prefer_t prefer;
    memset(&prefer, 0, sizeof prefer);
    prefer.max_affected = -1;
    prefer.ret = PGRST_RETURN_HEADERS_ONLY;
    engine_result_t res;
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(run(f, ENGINE_INSERT, "posts", "", &payload, &prefer, 0, -1, &res, &err), 0);
    assert_int_equal(res.page_count, 2);
    assert_int_equal(res.inserted, 2);
    /* No Location for two rows: PostgREST names one only when exactly one
     * row was inserted (Statements.hs locF, CASE WHEN count = 1). */
    assert_int_equal(res.location_count, 0);

    /* a foreign-key violation rolls the whole statement back */
    const char *bad = "[{\"author_id\": 1}, {\"author_id\": 99}]";
    rest_body_t payload2;
    memset(&payload2, 0, sizeof payload2);
    assert_int_equal(jsonc_parse(bad, strlen(bad), &payload2.doc, &jerr), 0);
    payload2.present = true;
    assert_int_equal(run(f, ENGINE_INSERT, "posts", "", &payload2, NULL, 0, -1, &res, &err), -1);
    assert_string_equal(err.code, "23503");
    pgrst_error_dispose(&err);
    assert_int_equal(run(f, ENGINE_READ, "posts", "select=id", NULL, NULL, 0, -1, &res, &err), 0);
    assert_int_equal(res.total, 2);
    jsonc_doc_dispose(&payload.doc);
    jsonc_doc_dispose(&payload2.doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_counts_and_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insert_and_rollback, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
