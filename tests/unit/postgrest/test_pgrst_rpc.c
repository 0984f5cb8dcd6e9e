/* Unit tests for pgrst_rpc.c: findProc's choice and the PGRST202/PGRST203
 * texts over the routines an engine reports. The routines are those of
 * PostgREST's spec fixtures (test/spec/fixtures/schema.sql, schema "test":
 * sayhello, add_them, overloaded, overloaded_same_args, unnamed_json_param,
 * named_json_param, unnamed_text_param; unnamed_int_param is not in the cache
 * because funcsSqlQuery drops an unnamed int parameter as not callable), and
 * the expected bodies are those of test/spec/Feature/Query/RpcSpec.hs, cited
 * per case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arena.h"
#include "engine.h"
#include "pgrst_error.h"
#include "pgrst_rpc.h"

#include <string.h>

#define P(n, t, req)                                                                               \
    {                                                                                              \
        .name = n, .type = t, .type_max_length = t, .required = req                                \
    }
#define FN(nm, ps, set)                                                                            \
    {                                                                                              \
        .schema = "test", .name = nm, .params = ps, .param_count = sizeof ps / sizeof ps[0],       \
        .return_schema = "pg_catalog", .return_name = "text", .returns_set = set                   \
    }

static const engine_routine_param_t sayhello_p[] = {P("name", "text", true)};
static const engine_routine_param_t add_them_p[] = {P("a", "integer", true),
                                                    P("b", "integer", true)};
static const engine_routine_param_t ov_json_p[] = {P("", "json", true)};
static const engine_routine_param_t ov_ab_p[] = {P("a", "integer", true), P("b", "integer", true)};
static const engine_routine_param_t ov_abc_p[] = {P("a", "text", true), P("b", "text", true),
                                                  P("c", "text", true)};
static const engine_routine_param_t same_int_p[] = {P("arg", "integer", true)};
static const engine_routine_param_t same_xml_p[] = {P("arg", "xml", true)};
static const engine_routine_param_t same_text_p[] = {P("arg", "text", true),
                                                     P("num", "integer", false)};
static const engine_routine_param_t unnamed_json_p[] = {P("", "json", true)};
static const engine_routine_param_t named_json_p[] = {P("data", "json", true)};
static const engine_routine_param_t unnamed_text_p[] = {P("", "text", true)};

/* In decodeFuncs' order: by name, then fewest parameters first. */
static const engine_routine_t routines[] = {
    FN("add_them", add_them_p, false),
    {.schema = "test",
     .name = "overloaded",
     .return_schema = "pg_catalog",
     .return_name = "int4",
     .returns_set = true},
    FN("overloaded", ov_json_p, true),
    FN("overloaded", ov_ab_p, false),
    FN("overloaded", ov_abc_p, false),
    FN("overloaded_same_args", same_int_p, false),
    FN("overloaded_same_args", same_xml_p, false),
    FN("overloaded_same_args", same_text_p, false),
    FN("named_json_param", named_json_p, false),
    FN("sayhello", sayhello_p, false),
    FN("unnamed_json_param", unnamed_json_p, false),
    FN("unnamed_text_param", unnamed_text_p, false),
};
#define N_ROUTINES (sizeof routines / sizeof routines[0])

static const engine_routine_t *ptrs[N_ROUTINES];

static size_t f_routines(engine_t *e, const char *schema, const char *name,
                         const engine_routine_t *const **out)
{
    (void)e;
    size_t i = 0, k;
    while (i < N_ROUTINES &&
           (strcmp(ptrs[i]->schema, schema) != 0 || strcmp(ptrs[i]->name, name) != 0))
        i++;
    for (k = i; k < N_ROUTINES && strcmp(ptrs[k]->name, name) == 0; k++)
        ;
    *out = ptrs + i;
    return k - i;
}

static size_t f_routine_names(engine_t *e, const char *schema, arena_t *arena, const char ***out)
{
    (void)e;
    const char **names = arena_calloc(arena, N_ROUTINES, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < N_ROUTINES; i++)
        if (strcmp(ptrs[i]->schema, schema) == 0 && (!k || strcmp(names[k - 1], ptrs[i]->name)))
            names[k++] = ptrs[i]->name;
    *out = names;
    return k;
}

static const engine_ops_t fake_ops = {
    .name = "fake", .routines = f_routines, .routine_names = f_routine_names};
static engine_t fake = {.ops = &fake_ops};
static arena_t *A;

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROUTINES; i++)
        ptrs[i] = &routines[i];
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}

typedef struct result {
    const engine_routine_t *r;
    pgrst_error_t err;
} result_t;

/* findProc for name with the keys (any order, repeats allowed). */
static result_t find(const char *name, pgrst_rpc_media_t media, bool post, const char **keys,
                     size_t n)
{
    result_t res;
    pgrst_error_init(&res.err);
    const char **copy = arena_calloc(A, n + 1, sizeof *copy);
    if (n)
        memcpy(copy, keys, n * sizeof *copy);
    pgrst_rpc_lookup_t l = {.schema = "test",
                            .name = name,
                            .keys = copy,
                            .key_count = pgrst_rpc_key_set(copy, n),
                            .media = media,
                            .is_post = post,
                            .postgrest_version = 14};
    res.r = pgrst_rpc_find(&fake, A, &l, &res.err);
    return res;
}

static void assert_err(result_t *res, const char *code, const char *message, const char *details,
                       const char *hint)
{
    assert_null(res->r);
    assert_string_equal(res->err.code, code);
    assert_string_equal(res->err.message, message);
    if (details)
        assert_string_equal(res->err.details, details);
    else
        assert_null(res->err.details);
    if (hint)
        assert_string_equal(res->err.hint, hint);
    else
        assert_null(res->err.hint);
    pgrst_error_dispose(&res->err);
}

static void test_unknown_name_hints_the_closest(void **state)
{
    (void)state;
    /* RpcSpec.hs "should fail with 404 and hint the closest proc on unknown proc name". */
    result_t r = find("sayhell", PGRST_RPC_JSON, false, NULL, 0);
    assert_err(&r, "PGRST202",
               "Could not find the function test.sayhell without parameters in the schema cache",
               "Searched for the function test.sayhell without parameters, but no matches were "
               "found in the schema cache.",
               "Perhaps you meant to call the function test.sayhello");
}

static void test_unknown_args_hint_the_closest_overload(void **state)
{
    (void)state;
    /* RpcSpec.hs "should fail with 404 and hint the closest args on unknown proc args". */
    const char *nam[] = {"nam"};
    result_t r = find("sayhello", PGRST_RPC_JSON, false, nam, 1);
    assert_err(&r, "PGRST202", "Could not find the function test.sayhello(nam) in the schema cache",
               "Searched for the function test.sayhello with parameter nam, but no matches were "
               "found in the schema cache.",
               "Perhaps you meant to call the function test.sayhello(name)");
    /* "should not ignore unknown args and fail with 404" (keys sorted). */
    const char *extra[] = {"smthelse", "b", "a"};
    r = find("add_them", PGRST_RPC_JSON, false, extra, 3);
    assert_err(&r, "PGRST202",
               "Could not find the function test.add_them(a, b, smthelse) in the schema cache",
               "Searched for the function test.add_them with parameters a, b, smthelse, but no "
               "matches were found in the schema cache.",
               "Perhaps you meant to call the function test.add_them(a, b)");
    /* "should fail with 404 for overloaded functions with unknown args". */
    const char *wrong[] = {"wrong_arg"};
    r = find("overloaded", PGRST_RPC_JSON, false, wrong, 1);
    assert_err(&r, "PGRST202",
               "Could not find the function test.overloaded(wrong_arg) in the schema cache",
               "Searched for the function test.overloaded with parameter wrong_arg, but no matches "
               "were found in the schema cache.",
               NULL);
    const char *abw[] = {"a", "b", "wrong_arg"};
    r = find("overloaded", PGRST_RPC_JSON, false, abw, 3);
    assert_err(&r, "PGRST202",
               "Could not find the function test.overloaded(a, b, wrong_arg) in the schema cache",
               "Searched for the function test.overloaded with parameters a, b, wrong_arg, but no "
               "matches were found in the schema cache.",
               "Perhaps you meant to call the function test.overloaded(a, b, c)");
}

static void test_ambiguous(void **state)
{
    (void)state;
    /* RpcSpec.hs "should fail with 300 Multiple Choices without explicit type casts":
     * num has a default, so arg alone matches all three. */
    const char *arg[] = {"arg"};
    result_t r = find("overloaded_same_args", PGRST_RPC_JSON, false, arg, 1);
    assert_err(&r, "PGRST203",
               "Could not choose the best candidate function between: "
               "test.overloaded_same_args(arg => integer), test.overloaded_same_args(arg => xml), "
               "test.overloaded_same_args(arg => text, num => integer)",
               NULL,
               "Try renaming the parameters or the function itself in the database so function "
               "overloading can be resolved");
}

static void test_overloads_by_keys(void **state)
{
    (void)state;
    result_t r = find("overloaded", PGRST_RPC_JSON, false, NULL, 0);
    assert_ptr_equal(r.r, &routines[1]); /* overloaded() */
    const char *ab[] = {"b", "a"};
    r = find("overloaded", PGRST_RPC_JSON, true, ab, 2);
    assert_ptr_equal(r.r, &routines[3]);
    /* POST JSON with keys no overload has: the single unnamed json one. */
    const char *xy[] = {"x", "y"};
    r = find("overloaded", PGRST_RPC_JSON, true, xy, 2);
    assert_ptr_equal(r.r, &routines[2]);
    /* ...but not on GET. */
    r = find("overloaded", PGRST_RPC_JSON, false, xy, 2);
    assert_null(r.r);
    pgrst_error_dispose(&r.err);
    /* Optional parameters may be left out. */
    r = find("overloaded_same_args", PGRST_RPC_JSON, false, (const char *[]){"arg", "num"}, 2);
    assert_ptr_equal(r.r, &routines[7]);
}

static void test_single_unnamed_parameter(void **state)
{
    (void)state;
    /* RpcSpec.hs "can insert json directly with unnamed parameter". */
    const char *abc[] = {"A", "B", "C"};
    result_t r = find("unnamed_json_param", PGRST_RPC_JSON, true, abc, 3);
    assert_ptr_equal(r.r, &routines[10]);
    engine_call_t call = {0};
    pgrst_rpc_call_params(A, r.r, abc, 3, &call);
    assert_true(call.positional);
    /* "rejects json body when single param has a name". */
    r = find("named_json_param", PGRST_RPC_JSON, true, abc, 3);
    assert_err(&r, "PGRST202",
               "Could not find the function test.named_json_param(A, B, C) in the schema cache",
               "Searched for the function test.named_json_param with parameters A, B, C or with "
               "a single unnamed json/jsonb parameter, but no matches were found in the schema "
               "cache.",
               NULL);
    r = find("unnamed_text_param", PGRST_RPC_TEXT, true, NULL, 0);
    assert_ptr_equal(r.r, &routines[11]);
    /* "will err when no function with single unnamed text parameter exists
     * and text/plain is specified": no parameter list, no hint. */
    r = find("unnamed_int_param", PGRST_RPC_TEXT, true, NULL, 0);
    assert_err(&r, "PGRST202",
               "Could not find the function test.unnamed_int_param in the schema cache",
               "Searched for the function test.unnamed_int_param with a single unnamed text "
               "parameter, but no matches were found in the schema cache.",
               NULL);
    /* "will err when no function with single unnamed json parameter exists
     * and application/json is specified": the name hint. */
    const char *xy[] = {"x", "y"};
    r = find("unnamed_int_param", PGRST_RPC_JSON, true, xy, 2);
    assert_err(&r, "PGRST202",
               "Could not find the function test.unnamed_int_param(x, y) in the schema cache",
               "Searched for the function test.unnamed_int_param with parameters x, y or with a "
               "single unnamed json/jsonb parameter, but no matches were found in the schema "
               "cache.",
               "Perhaps you meant to call the function test.unnamed_text_param");
}

static void test_call_params_and_direct_args(void **state)
{
    (void)state;
    static const engine_routine_param_t vp[] = {
        {.name = "name", .type = "text", .type_max_length = "text", .required = true},
        {.name = "v",
         .type = "text[]",
         .type_max_length = "text[]",
         .required = true,
         .variadic = true}};
    engine_routine_t sv = {.schema = "test",
                           .name = "sayhello_variadic",
                           .params = vp,
                           .param_count = 2,
                           .has_variadic = true};
    /* RpcSpec.hs "returns last value for repeated non-variadic params in
     * function with other VARIADIC arguments": name=world, v=[unused]. */
    const char *names[] = {"name", "name", "v", "v"};
    const char *values[] = {"ignored", "world", "unused", "more"};
    engine_call_t call = {0};
    pgrst_rpc_call_params(A, &sv, (const char *[]){"name", "v"}, 2, &call);
    assert_false(call.positional);
    assert_int_equal(call.param_count, 2);
    pgrst_rpc_direct_args(A, &sv, names, values, 4, &call);
    assert_int_equal(call.arg_count, 2);
    assert_string_equal(call.args[0].name, "name");
    assert_int_equal(call.args[0].value_count, 1);
    assert_string_equal(call.args[0].values[0], "world");
    assert_true(call.args[1].variadic);
    assert_int_equal(call.args[1].value_count, 2);
    assert_string_equal(call.args[1].values[0], "unused");
    assert_string_equal(call.args[1].values[1], "more");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_name_hints_the_closest),
        cmocka_unit_test(test_unknown_args_hint_the_closest_overload),
        cmocka_unit_test(test_ambiguous),
        cmocka_unit_test(test_overloads_by_keys),
        cmocka_unit_test(test_single_unnamed_parameter),
        cmocka_unit_test(test_call_params_and_direct_args),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
