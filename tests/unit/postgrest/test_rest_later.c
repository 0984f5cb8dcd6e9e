/* rest.c with an engine that finishes later (engine.h: completion is a
 * callback): a wrapper around the memory engine that keeps each
 * engine_execute and runs it only when the test says so, as the database
 * engine does when its statement comes back. rest_handle must then leave the
 * response pending (mock_response_defer), keep everything the engine was lent
 * alive after it returned, and, when the engine completes, finish the
 * response exactly as the synchronous path does (same status, headers and
 * body; errors rendered the same) and complete it (mock_response_complete).
 * The synchronous answers of the memory engine itself are the reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "config.h"
#include "engine.h"
#include "instance.h"
#include "jwt.h"
#include "rest.h"
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The wrapper: every op but execute goes to the memory engine. */
typedef struct later_engine {
    engine_t base;
    engine_t *inner;
    bool held;
    const engine_request_t *req;
    engine_result_t *res;
    pgrst_error_t *err;
    engine_done_fn done;
    void *arg;
} later_engine_t;

static later_engine_t *the_later;

static const engine_relation_t *l_find_relation(engine_t *e, const char *schema, const char *name)
{
    return engine_find_relation(((later_engine_t *)e)->inner, schema, name);
}

static size_t l_relation_names(engine_t *e, const char *schema, arena_t *arena, const char ***out)
{
    engine_t *in = ((later_engine_t *)e)->inner;
    return in->ops->relation_names(in, schema, arena, out);
}

static const char *l_relation_name(const engine_relation_t *rel)
{
    return the_later->inner->ops->relation_name(rel);
}

static size_t l_column_count(const engine_relation_t *rel)
{
    return the_later->inner->ops->column_count(rel);
}

static void l_column(const engine_relation_t *rel, size_t i, arena_t *arena,
                     engine_column_info_t *out)
{
    the_later->inner->ops->column(rel, i, arena, out);
}

static size_t l_relationships(engine_t *e, const engine_relation_t *rel, arena_t *arena,
                              engine_relationship_t **out)
{
    engine_t *in = ((later_engine_t *)e)->inner;
    return in->ops->relationships(in, rel, arena, out);
}

static size_t l_routines(engine_t *e, const char *schema, const char *name,
                         const engine_routine_t *const **out)
{
    engine_t *in = ((later_engine_t *)e)->inner;
    return in->ops->routines(in, schema, name, out);
}

static size_t l_routine_names(engine_t *e, const char *schema, arena_t *arena, const char ***out)
{
    engine_t *in = ((later_engine_t *)e)->inner;
    return in->ops->routine_names(in, schema, arena, out);
}

static void l_execute(engine_t *e, const engine_request_t *req, engine_result_t *res,
                      pgrst_error_t *err, engine_done_fn done, void *arg)
{
    later_engine_t *l = (later_engine_t *)e;
    assert_false(l->held);
    l->held = true;
    l->req = req;
    l->res = res;
    l->err = err;
    l->done = done;
    l->arg = arg;
}

static void l_reload(engine_t *e)
{
    (void)e;
}

static void l_free(engine_t *e)
{
    (void)e;
}

static const engine_ops_t later_ops = {
    .name = "later",
    .find_relation = l_find_relation,
    .relation_names = l_relation_names,
    .relation_name = l_relation_name,
    .column_count = l_column_count,
    .column = l_column,
    .relationships = l_relationships,
    .routines = l_routines,
    .routine_names = l_routine_names,
    .execute = l_execute,
    .reload = l_reload,
    .free = l_free,
};

/* The statement comes back: run it on the memory engine now (everything
 * rest.c lent must still be valid), then call rest.c back. */
static void finish_later(later_engine_t *l)
{
    assert_true(l->held);
    l->held = false;
    engine_execute(l->inner, l->req, l->res, l->err, l->done, l->arg);
}

typedef struct fx {
    scenario_t *sc;
    mock_config_t cfg;
    instance_t *inst;
    later_engine_t later;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (scenario_load_name("default", &f->sc, &err) != 0)
        fail_msg("scenario: %s", err.message);
    mock_config_defaults(&f->cfg);
    if (instance_new(f->sc, &f->cfg, &f->inst, &err) != 0)
        fail_msg("instance: %s", err.message);
    f->later.base.ops = &later_ops;
    f->later.inner = instance_engine(f->inst);
    the_later = &f->later;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    instance_free(f->inst);
    scenario_free(f->sc);
    free(f);
    return 0;
}

static rest_env_t env_for(fx_t *f, engine_t *engine)
{
    return (rest_env_t){
        .sc = f->sc,
        .cfg = &f->cfg,
        .engine = engine,
        .jwt_cache = instance_jwt_cache(f->inst),
        .now_us = instance_now_us(f->inst),
        .http_date = instance_http_date(f->inst),
    };
}

typedef struct answer {
    int status;
    char head[2048]; /* "Name: value\n"... */
    char body[4096];
    char code[16];
} answer_t;

static void capture(const mock_response_t *resp, answer_t *a)
{
    memset(a, 0, sizeof *a);
    a->status = resp->status;
    for (size_t i = 0; i < resp->header_count; i++) {
        size_t n = strlen(a->head);
        snprintf(a->head + n, sizeof a->head - n, "%s: %s\n", resp->headers[i].name,
                 resp->headers[i].value);
    }
    snprintf(a->body, sizeof a->body, "%.*s", (int)resp->body.len,
             resp->body.data ? resp->body.data : "");
    snprintf(a->code, sizeof a->code, "%s", resp->outcome.code ? resp->outcome.code : "");
}

static bool completed;

static void on_complete(void *arg, mock_response_t *resp)
{
    capture(resp, arg);
    completed = true;
}

/* One request through rest_handle: synchronously on the memory engine, then
 * through the wrapper, completing later; both answers must be the same. */
static void same_answer(fx_t *f, const char *method, const char *rel, const char *query,
                        const char *body, int want_status)
{
    const char *apikey = f->sc->anon_key;
    answer_t now, later;
    for (int pass = 0; pass < 2; pass++) {
        arena_t *arena = arena_new();
        mock_header_t headers[] = {{"apikey", apikey}, {"origin", "http://example.test"}};
        mock_request_t req = {
            .arena = arena,
            .method = method,
            .target = "/rest/v1/x",
            .path = "/rest/v1/x",
            .query = query,
            .headers = headers,
            .header_count = 2,
            .body = body,
            .body_len = strlen(body),
            .keep_alive = true,
            .http_minor = 1,
        };
        mock_response_t resp;
        mock_response_init(&resp);
        rest_env_t env = env_for(f, pass == 0 ? f->later.inner : &f->later.base);
        rest_handle(&env, &req, rel, &resp);
        if (pass == 0) {
            assert_false(mock_response_pending(&resp));
            capture(&resp, &now);
        } else {
            /* Pending: nothing of the answer is there yet. */
            assert_true(mock_response_pending(&resp));
            assert_true(f->later.held);
            completed = false;
            mock_response_then(&resp, on_complete, &later);
            /* What the router lent for the call is gone by the time the
             * engine comes back. */
            memset(&env, 0x5a, sizeof env);
            finish_later(&f->later);
            assert_true(completed);
            assert_false(mock_response_pending(&resp));
        }
        mock_response_dispose(&resp);
        arena_free(arena);
        if (pass == 0) {
            /* The write of the synchronous pass is undone by a fresh
             * instance, so the second pass sees the same data. */
            scenario_error_t err;
            memset(&err, 0, sizeof err);
            instance_free(f->inst);
            assert_int_equal(instance_new(f->sc, &f->cfg, &f->inst, &err), 0);
            f->later.inner = instance_engine(f->inst);
        }
    }
    if (want_status)
        assert_int_equal(now.status, want_status);
    else
        assert_true(now.status >= 400); /* an error, whichever the model renders */
    assert_int_equal(later.status, now.status);
    assert_string_equal(later.head, now.head);
    assert_string_equal(later.body, now.body);
    assert_string_equal(later.code, now.code);
}

static void test_read(void **state)
{
    same_answer(*state, "GET", "profiles", "select=*", "", 200);
}

static void test_read_with_count_and_range(void **state)
{
    same_answer(*state, "GET", "profiles", "select=id&limit=1&offset=5", "", 200);
}

static void test_engine_error(void **state)
{
    /* The column does not exist: the engine fails with 42703, which
     * PostgREST answers with 400 (Error.hs pgErrorStatus: undefined_column),
     * rendered after it came back. */
    same_answer(*state, "GET", "profiles", "select=nope", "", 400);
}

static void test_write_denied(void **state)
{
    /* anon's insert into profiles fails inside the statement (the default
     * scenario's grants, policies and constraints decide which error): the
     * error is rendered after the engine came back, as it is without delay. */
    same_answer(*state, "POST", "profiles", "", "{\"username\":\"x\"}", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_with_count_and_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_engine_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_denied, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
