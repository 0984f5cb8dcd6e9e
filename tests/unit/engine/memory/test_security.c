/* Unit tests for security.c: Supabase's default grants and explicit ones, the
 * 42501 text and Supabase's GRANT hint, roles and BYPASSRLS (supabase/postgres),
 * policy combination as rowsecurity.c does it (permissive OR, restrictive AND,
 * default deny, NULL is not true), the WITH CHECK OPTION messages of
 * execMain.c ExecWithCheckOptions, CHECK constraints (23514, NULL passes;
 * ExecConstraints/ExecRelCheck), load errors with positions, and the run-time
 * changes /__mock/sql makes. The model is built through instance_new from a
 * scenario text, as the server builds it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "instance.h"
#include "security.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SCENARIO[] =
    "{\"name\":\"sec\",\"roles\":{\"auditor\":{\"bypass_rls\":true},\"app\":{}},\n"
    "\"tables\":{\n"
    "\"open\":{\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\"primary_key\":true}]},\n"
    "\"secrets\":{\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\"primary_key\":true}],\n"
    "  \"grants\":{\"authenticated\":[\"select\",\"insert\"],\"service_role\":[\"all\"]}},\n"
    "\"notes\":{\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\"primary_key\":true},\n"
    "   {\"name\":\"owner\",\"type\":\"uuid\"},{\"name\":\"published\",\"type\":\"boolean\"},\n"
    "   {\"name\":\"qty\",\"type\":\"integer\",\"nullable\":false,\"default\":0,\"check\":\"qty >= "
    "0\"},\n"
    "   {\"name\":\"body\",\"type\":\"text\"}],\n"
    "  \"rls\":true,\n"
    "  \"policies\":[\n"
    "   "
    "{\"name\":\"own\",\"command\":\"select\",\"roles\":[\"authenticated\"],\"using\":\"auth.uid() "
    "= owner\"},\n"
    "   {\"name\":\"public\",\"command\":\"select\",\"using\":\"published = true\"},\n"
    "   {\"name\":\"not hidden\",\"command\":\"select\",\"permissive\":false,\"using\":\"body IS "
    "NULL OR body <> 'hidden'\"},\n"
    "   "
    "{\"name\":\"ins\",\"command\":\"insert\",\"roles\":[\"authenticated\"],\"with_check\":\"auth."
    "uid() = owner\"},\n"
    "   {\"name\":\"ins small\",\"command\":\"insert\",\"permissive\":false,\"with_check\":\"qty < "
    "100\"},\n"
    "   "
    "{\"name\":\"upd\",\"command\":\"update\",\"roles\":[\"authenticated\"],\"using\":\"auth.uid() "
    "= owner\"}\n"
    "  ],\n"
    "  "
    "\"rows\":[{\"id\":1,\"owner\":\"13ab4cf1-8587-4685-874b-c2d37beeab38\",\"published\":false,"
    "\"qty\":1}]}\n"
    "}}\n";

#define ME    "13ab4cf1-8587-4685-874b-c2d37beeab38"
#define OTHER "8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f"

typedef struct fx {
    scenario_t *sc;
    instance_t *inst;
    security_t *sec;
    store_t *store;
    store_table_t *open, *secrets, *notes, *users;
    cJSON *claims;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    scenario_error_t err;
    memset(&err, 0, sizeof err);
    if (scenario_load_text("sec.json", SCENARIO, strlen(SCENARIO), &f->sc, &err) != 0) {
        fprintf(stderr, "scenario: %s:%d:%d: %s\n", err.file, err.line, err.col, err.message);
        free(f);
        return -1;
    }
    if (instance_new(f->sc, NULL, &f->inst, &err) != 0) {
        fprintf(stderr, "instance: %s:%d:%d: %s\n", err.file, err.line, err.col, err.message);
        scenario_free(f->sc);
        free(f);
        return -1;
    }
    f->sec = instance_security(f->inst);
    f->store = instance_store(f->inst);
    f->open = store_find_table(f->store, "public", "open");
    f->secrets = store_find_table(f->store, "public", "secrets");
    f->notes = store_find_table(f->store, "public", "notes");
    f->users = store_find_table(f->store, "auth", "users");
    f->claims = cJSON_Parse("{\"sub\":\"" ME "\",\"role\":\"authenticated\"}");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    cJSON_Delete(f->claims);
    instance_free(f->inst);
    scenario_free(f->sc);
    free(f);
    return 0;
}

/* A row of notes: id, owner, published, qty, body. owner/body NULL when NULL. */
typedef struct note_row {
    pgvalue_t v[5];
} note_row_t;

static void note(fx_t *f, note_row_t *r, int id, const char *owner, int published, long qty,
                 const char *body)
{
    pgrst_error_t err;
    pgrst_error_init(&err);
    for (int i = 0; i < 5; i++)
        pgvalue_init_null(&r->v[i]);
    char text[64];
    snprintf(text, sizeof text, "%d", id);
    assert_int_equal(pgvalue_from_text(&store_table_column(f->notes, 0)->type, text, strlen(text),
                                       &r->v[0], &err),
                     0);
    if (owner)
        assert_int_equal(pgvalue_from_text(&store_table_column(f->notes, 1)->type, owner,
                                           strlen(owner), &r->v[1], &err),
                         0);
    if (published >= 0)
        assert_int_equal(pgvalue_from_text(&store_table_column(f->notes, 2)->type,
                                           published ? "t" : "f", 1, &r->v[2], &err),
                         0);
    if (qty != LONG_MIN) {
        snprintf(text, sizeof text, "%ld", qty);
        assert_int_equal(pgvalue_from_text(&store_table_column(f->notes, 3)->type, text,
                                           strlen(text), &r->v[3], &err),
                         0);
    }
    if (body)
        assert_int_equal(pgvalue_from_text(&store_table_column(f->notes, 4)->type, body,
                                           strlen(body), &r->v[4], &err),
                         0);
}

static void note_dispose(note_row_t *r)
{
    for (int i = 0; i < 5; i++)
        pgvalue_dispose(&r->v[i]);
}

static void test_default_grants(void **state)
{
    fx_t *f = *state;
    /* Legacy default privileges: ALL for the three API roles. */
    assert_int_equal(security_privileges(f->sec, f->open, "anon"), SCENARIO_PRIV_ALL);
    assert_int_equal(security_privileges(f->sec, f->open, "authenticated"), SCENARIO_PRIV_ALL);
    assert_int_equal(security_privileges(f->sec, f->open, "service_role"), SCENARIO_PRIV_ALL);
    /* Other roles get nothing by default. */
    assert_int_equal(security_privileges(f->sec, f->open, "app"), 0);
    /* auth.users is not reachable by API roles. */
    assert_non_null(f->users);
    assert_int_equal(security_privileges(f->sec, f->users, "service_role"), 0);
    assert_int_equal(security_privileges(f->sec, f->users, "anon"), 0);
}

static void test_explicit_grants(void **state)
{
    fx_t *f = *state;
    assert_int_equal(security_privileges(f->sec, f->secrets, "anon"), 0);
    assert_int_equal(security_privileges(f->sec, f->secrets, "authenticated"),
                     SCENARIO_PRIV_SELECT | SCENARIO_PRIV_INSERT);
    assert_int_equal(security_privileges(f->sec, f->secrets, "service_role"), SCENARIO_PRIV_ALL);
}

static void test_require_message_and_hint(void **state)
{
    fx_t *f = *state;
    pgrst_error_t err;
    pgrst_error_init(&err);
    const unsigned sel[] = {SCENARIO_PRIV_SELECT};
    assert_int_equal(security_require(f->sec, f->secrets, "anon", sel, 1, &err), -1);
    /* Postgres's message and Supabase's hint. */
    assert_string_equal(err.code, "42501");
    assert_string_equal(err.message, "permission denied for table secrets");
    assert_null(err.details);
    assert_string_equal(err.hint, "Grant the required privileges to the current role with: "
                                  "GRANT SELECT ON public.secrets TO anon;");
    pgrst_error_dispose(&err);
    /* The first privilege missing in the statement's order is named. */
    const unsigned upd_sel[] = {SCENARIO_PRIV_SELECT, SCENARIO_PRIV_UPDATE, SCENARIO_PRIV_DELETE};
    assert_int_equal(security_require(f->sec, f->secrets, "authenticated", upd_sel, 3, &err), -1);
    assert_string_equal(err.hint, "Grant the required privileges to the current role with: "
                                  "GRANT UPDATE ON public.secrets TO authenticated;");
    pgrst_error_dispose(&err);
    const unsigned ins[] = {SCENARIO_PRIV_INSERT, SCENARIO_PRIV_SELECT};
    assert_int_equal(security_require(f->sec, f->secrets, "authenticated", ins, 2, &err), 0);
    assert_false(pgrst_error_is_set(&err));
}

static void test_grant_revoke(void **state)
{
    fx_t *f = *state;
    security_grant(f->sec, f->secrets, "anon", SCENARIO_PRIV_SELECT);
    assert_int_equal(security_privileges(f->sec, f->secrets, "anon"), SCENARIO_PRIV_SELECT);
    security_revoke(f->sec, f->open, "anon", SCENARIO_PRIV_DELETE | SCENARIO_PRIV_UPDATE);
    assert_int_equal(security_privileges(f->sec, f->open, "anon"),
                     SCENARIO_PRIV_SELECT | SCENARIO_PRIV_INSERT);
    /* Other roles keep theirs. */
    assert_int_equal(security_privileges(f->sec, f->open, "authenticated"), SCENARIO_PRIV_ALL);
}

static void test_roles(void **state)
{
    fx_t *f = *state;
    assert_true(security_role_exists(f->sec, "anon"));
    assert_true(security_role_exists(f->sec, "auditor"));
    assert_false(security_role_exists(f->sec, "postgres_typo"));
    /* service_role is BYPASSRLS on Supabase (initial-schema.sql); anon and
     * authenticated are not. */
    assert_true(security_role_bypasses_rls(f->sec, "service_role"));
    assert_true(security_role_bypasses_rls(f->sec, "auditor"));
    assert_false(security_role_bypasses_rls(f->sec, "authenticated"));
    assert_false(security_role_bypasses_rls(f->sec, "anon"));
    assert_true(security_rls_applies(f->sec, f->notes, "anon"));
    assert_false(security_rls_applies(f->sec, f->notes, "service_role"));
    assert_false(security_rls_applies(f->sec, f->open, "anon"));
    security_set_rls(f->sec, f->open, true);
    assert_true(security_rls_applies(f->sec, f->open, "anon"));
}

static void test_policies_loaded(void **state)
{
    fx_t *f = *state;
    assert_int_equal(security_policy_count(f->sec, f->notes), 6);
    const security_policy_t *p = security_policy_at(f->sec, f->notes, 1);
    assert_string_equal(p->name, "public");
    assert_int_equal(p->command, SECURITY_CMD_SELECT);
    assert_int_equal(p->role_count, 0); /* PUBLIC */
    assert_true(p->permissive);
    assert_non_null(p->using_expr);
    assert_null(p->check_expr);
    assert_true(security_policy_applies(p, SECURITY_CMD_SELECT, "anon"));
    assert_false(security_policy_applies(p, SECURITY_CMD_UPDATE, "anon"));
    const security_policy_t *own = security_policy_at(f->sec, f->notes, 0);
    assert_false(security_policy_applies(own, SECURITY_CMD_SELECT, "anon"));
    assert_true(security_policy_applies(own, SECURITY_CMD_SELECT, "authenticated"));
    assert_non_null(security_column_check(f->sec, f->notes, 3));
    assert_null(security_column_check(f->sec, f->notes, 0));
}

static bool visible(fx_t *f, security_command_t cmd, const note_row_t *r, const char *role,
                    const cJSON *claims)
{
    pgrst_error_t err;
    pgrst_error_init(&err);
    policy_eval_env_t env = {.row = r->v, .claims = claims, .role = role};
    bool vis = true;
    assert_int_equal(security_row_visible(f->sec, f->notes, cmd, &env, &vis, &err), 0);
    return vis;
}

static void test_select_visibility(void **state)
{
    fx_t *f = *state;
    note_row_t mine, theirs, pub, pub_hidden, null_pub;
    note(f, &mine, 1, ME, 0, 1, NULL);
    note(f, &theirs, 2, OTHER, 0, 1, NULL);
    note(f, &pub, 3, OTHER, 1, 1, "hello");
    note(f, &pub_hidden, 4, OTHER, 1, 1, "hidden");
    note(f, &null_pub, 5, OTHER, -1, 1, NULL);
    /* Permissive policies OR-ed: own rows or published ones. */
    assert_true(visible(f, SECURITY_CMD_SELECT, &mine, "authenticated", f->claims));
    assert_false(visible(f, SECURITY_CMD_SELECT, &theirs, "authenticated", f->claims));
    assert_true(visible(f, SECURITY_CMD_SELECT, &pub, "authenticated", f->claims));
    assert_true(visible(f, SECURITY_CMD_SELECT, &pub, "anon", NULL));
    /* "own" is for authenticated only. */
    assert_false(visible(f, SECURITY_CMD_SELECT, &mine, "anon", NULL));
    /* A restrictive policy ANDs on top of the permissive ones. */
    assert_false(visible(f, SECURITY_CMD_SELECT, &pub_hidden, "anon", NULL));
    /* published NULL: `NULL = true` is NULL, which hides the row. */
    assert_false(visible(f, SECURITY_CMD_SELECT, &null_pub, "anon", NULL));
    /* No DELETE policy at all: default deny. */
    assert_false(visible(f, SECURITY_CMD_DELETE, &mine, "authenticated", f->claims));
    /* UPDATE: only the owner. */
    assert_true(visible(f, SECURITY_CMD_UPDATE, &mine, "authenticated", f->claims));
    assert_false(visible(f, SECURITY_CMD_UPDATE, &theirs, "authenticated", f->claims));
    note_dispose(&mine);
    note_dispose(&theirs);
    note_dispose(&pub);
    note_dispose(&pub_hidden);
    note_dispose(&null_pub);
}

/* Which policies decided against a hidden row, for the request explanation:
 * every permissive policy evaluated, or the restrictive one that failed;
 * nothing for a visible row. Policies: own, public, not hidden, ins, ins
 * small, upd. */
static void test_row_visible_counted(void **state)
{
    fx_t *f = *state;
    pgrst_error_t err;
    pgrst_error_init(&err);
    note_row_t theirs, pub_hidden, mine;
    note(f, &theirs, 2, OTHER, 0, 1, NULL);
    note(f, &pub_hidden, 4, OTHER, 1, 1, "hidden");
    note(f, &mine, 1, ME, 0, 1, NULL);
    uint32_t hidden[6] = {0};
    bool vis = true;
    policy_eval_env_t env = {.row = theirs.v, .claims = f->claims, .role = "authenticated"};
    assert_int_equal(security_row_visible_counted(f->sec, f->notes, SECURITY_CMD_SELECT, &env, &vis,
                                                  hidden, 6, &err),
                     0);
    assert_false(vis);
    assert_int_equal(hidden[0], 1); /* own */
    assert_int_equal(hidden[1], 1); /* public */
    assert_int_equal(hidden[2], 0);
    env = (policy_eval_env_t){.row = pub_hidden.v, .claims = NULL, .role = "anon"};
    assert_int_equal(security_row_visible_counted(f->sec, f->notes, SECURITY_CMD_SELECT, &env, &vis,
                                                  hidden, 6, &err),
                     0);
    assert_false(vis);
    assert_int_equal(hidden[0], 1); /* not for anon */
    assert_int_equal(hidden[1], 1); /* passed */
    assert_int_equal(hidden[2], 1); /* the restrictive one failed */
    env = (policy_eval_env_t){.row = mine.v, .claims = f->claims, .role = "authenticated"};
    assert_int_equal(security_row_visible_counted(f->sec, f->notes, SECURITY_CMD_SELECT, &env, &vis,
                                                  hidden, 2, &err),
                     0);
    assert_true(vis);
    assert_int_equal(hidden[0] + hidden[1] + hidden[2], 3);
    /* No DELETE policy: hidden by absence, nobody counted. */
    assert_int_equal(security_row_visible_counted(f->sec, f->notes, SECURITY_CMD_DELETE, &env, &vis,
                                                  hidden, 6, &err),
                     0);
    assert_false(vis);
    assert_int_equal(hidden[0] + hidden[1] + hidden[2] + hidden[3] + hidden[4] + hidden[5], 3);
    note_dispose(&theirs);
    note_dispose(&pub_hidden);
    note_dispose(&mine);
}

static void test_with_check_named(void **state)
{
    fx_t *f = *state;
    pgrst_error_t err;
    pgrst_error_init(&err);
    note_row_t theirs, big;
    note(f, &theirs, 11, OTHER, 0, 1, NULL);
    note(f, &big, 12, ME, 0, 500, NULL);
    const char *failed = "x";
    policy_eval_env_t env = {.row = big.v, .claims = f->claims, .role = "authenticated"};
    assert_int_equal(security_with_check_named(f->sec, f->notes, SECURITY_CMD_INSERT, false,
                                               SECURITY_WCO_NEW_ROW, &env, &failed, &err),
                     -1);
    assert_non_null(failed);
    assert_string_equal(failed, "ins small");
    pgrst_error_dispose(&err);
    env.row = theirs.v;
    assert_int_equal(security_with_check_named(f->sec, f->notes, SECURITY_CMD_INSERT, false,
                                               SECURITY_WCO_NEW_ROW, &env, &failed, &err),
                     -1);
    assert_null(failed); /* the permissive ones together */
    pgrst_error_dispose(&err);
    note_dispose(&theirs);
    note_dispose(&big);
}

static int wco(fx_t *f, security_command_t cmd, bool force_using, security_wco_kind_t kind,
               const note_row_t *r, const char *role, const cJSON *claims, pgrst_error_t *err)
{
    policy_eval_env_t env = {.row = r->v, .claims = claims, .role = role};
    return security_with_check(f->sec, f->notes, cmd, force_using, kind, &env, err);
}

static void test_with_check(void **state)
{
    fx_t *f = *state;
    pgrst_error_t err;
    pgrst_error_init(&err);
    note_row_t mine, theirs, big;
    note(f, &mine, 10, ME, 0, 1, NULL);
    note(f, &theirs, 11, OTHER, 0, 1, NULL);
    note(f, &big, 12, ME, 0, 500, NULL);
    assert_int_equal(wco(f, SECURITY_CMD_INSERT, false, SECURITY_WCO_NEW_ROW, &mine,
                         "authenticated", f->claims, &err),
                     0);
    /* The permissive check fails: the unnamed message (execMain.c). */
    assert_int_equal(wco(f, SECURITY_CMD_INSERT, false, SECURITY_WCO_NEW_ROW, &theirs,
                         "authenticated", f->claims, &err),
                     -1);
    assert_string_equal(err.code, "42501");
    assert_string_equal(err.message, "new row violates row-level security policy for table "
                                     "\"notes\"");
    assert_null(err.details);
    pgrst_error_dispose(&err);
    /* A restrictive policy fails: it is named. */
    assert_int_equal(wco(f, SECURITY_CMD_INSERT, false, SECURITY_WCO_NEW_ROW, &big, "authenticated",
                         f->claims, &err),
                     -1);
    assert_string_equal(err.message, "new row violates row-level security policy \"ins small\" "
                                     "for table \"notes\"");
    pgrst_error_dispose(&err);
    /* anon has no INSERT policy: default deny, unnamed. */
    assert_int_equal(
        wco(f, SECURITY_CMD_INSERT, false, SECURITY_WCO_NEW_ROW, &mine, "anon", NULL, &err), -1);
    assert_string_equal(err.message, "new row violates row-level security policy for table "
                                     "\"notes\"");
    pgrst_error_dispose(&err);
    /* The UPDATE policy has no WITH CHECK, so its USING checks new rows. */
    assert_int_equal(wco(f, SECURITY_CMD_UPDATE, false, SECURITY_WCO_NEW_ROW, &mine,
                         "authenticated", f->claims, &err),
                     0);
    assert_int_equal(wco(f, SECURITY_CMD_UPDATE, false, SECURITY_WCO_NEW_ROW, &theirs,
                         "authenticated", f->claims, &err),
                     -1);
    pgrst_error_dispose(&err);
    /* ON CONFLICT DO UPDATE on a row the UPDATE USING rejects. */
    assert_int_equal(wco(f, SECURITY_CMD_UPDATE, true, SECURITY_WCO_CONFLICT, &theirs,
                         "authenticated", f->claims, &err),
                     -1);
    assert_string_equal(err.message, "new row violates row-level security policy (USING "
                                     "expression) for table \"notes\"");
    pgrst_error_dispose(&err);
    /* SELECT policies as checks (INSERT ... RETURNING): the restrictive one
     * is named when it is the one failing. */
    note_row_t hidden;
    note(f, &hidden, 13, ME, 0, 1, "hidden");
    assert_int_equal(wco(f, SECURITY_CMD_SELECT, true, SECURITY_WCO_NEW_ROW, &hidden,
                         "authenticated", f->claims, &err),
                     -1);
    assert_string_equal(err.message, "new row violates row-level security policy \"not hidden\" "
                                     "for table \"notes\"");
    pgrst_error_dispose(&err);
    note_dispose(&hidden);
    note_dispose(&mine);
    note_dispose(&theirs);
    note_dispose(&big);
}

static void test_check_constraints(void **state)
{
    fx_t *f = *state;
    pgrst_error_t err;
    pgrst_error_init(&err);
    note_row_t ok, bad;
    note(f, &ok, 20, ME, 1, 0, NULL);
    note(f, &bad, 21, ME, 1, -3, "x");
    policy_eval_env_t env = {.row = ok.v, .role = "service_role"};
    assert_int_equal(security_check_constraints(f->sec, f->notes, &env, false, &err), 0);
    env.row = bad.v;
    assert_int_equal(security_check_constraints(f->sec, f->notes, &env, false, &err), -1);
    /* Constraint name {table}_{column}_check; details as ExecConstraints. */
    assert_string_equal(err.code, "23514");
    assert_string_equal(err.message, "new row for relation \"notes\" violates check constraint "
                                     "\"notes_qty_check\"");
    assert_string_equal(err.details, "Failing row contains (21, " ME ", t, -3, x).");
    pgrst_error_dispose(&err);
    /* Under RLS the row is not described. */
    assert_int_equal(security_check_constraints(f->sec, f->notes, &env, true, &err), -1);
    assert_null(err.details);
    pgrst_error_dispose(&err);
    /* qty NULL in a NOT NULL column: left to the not-null check (23502). */
    note_row_t null_qty;
    note(f, &null_qty, 22, ME, 1, LONG_MIN, NULL);
    env.row = null_qty.v;
    assert_int_equal(security_check_constraints(f->sec, f->notes, &env, false, &err), 0);
    note_dispose(&null_qty);
    note_dispose(&ok);
    note_dispose(&bad);
}

static void test_create_drop_policy(void **state)
{
    fx_t *f = *state;
    char *error = NULL;
    security_policy_t p;
    memset(&p, 0, sizeof p);
    p.name = strdup("own");
    p.command = SECURITY_CMD_DELETE;
    p.permissive = true;
    assert_int_equal(security_create_policy(f->sec, f->notes, &p, &error), -1);
    assert_string_equal(error, "policy \"own\" for table \"notes\" already exists");
    free(error);
    error = NULL;
    memset(&p, 0, sizeof p);
    p.name = strdup("del");
    p.command = SECURITY_CMD_DELETE;
    p.permissive = true;
    assert_int_equal(security_create_policy(f->sec, f->notes, &p, &error), 0);
    assert_int_equal(security_policy_count(f->sec, f->notes), 7);
    assert_string_equal(security_policy_at(f->sec, f->notes, 6)->name, "del");
    assert_int_equal(security_drop_policy(f->sec, f->notes, "own", false, &error), 0);
    assert_int_equal(security_policy_count(f->sec, f->notes), 6);
    assert_string_equal(security_policy_at(f->sec, f->notes, 0)->name, "public");
    assert_int_equal(security_drop_policy(f->sec, f->notes, "own", true, &error), 0);
    assert_int_equal(security_drop_policy(f->sec, f->notes, "own", false, &error), -1);
    assert_string_equal(error, "policy \"own\" for table \"notes\" does not exist");
    free(error);
}

static int load_error(const char *text, scenario_error_t *err)
{
    scenario_t *sc = NULL;
    instance_t *inst = NULL;
    memset(err, 0, sizeof *err);
    if (scenario_load_text("bad.json", text, strlen(text), &sc, err) != 0)
        return -2;
    int rc = instance_new(sc, NULL, &inst, err);
    instance_free(inst);
    scenario_free(sc);
    return rc;
}

static void test_load_errors(void **state)
{
    (void)state;
    scenario_error_t err;
    /* A policy that does not parse fails the load at its position: line 3,
     * the value's quote at column 12, `)` at offset 11 of the text. */
    static const char bad_policy[] =
        "{\"name\":\"b\",\"tables\":{\"t\":{\"columns\":[{\"name\":\"id\",\"type\":\"integer\"}],\n"
        "\"policies\":[{\"name\":\"p\",\n"
        "  \"using\": \"id = 1 AND )\"}]}}}\n";
    assert_int_equal(load_error(bad_policy, &err), -1);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 12 + 1 + 11);
    assert_non_null(strstr(err.message, "policy \"p\" using"));
    /* A CHECK that is not boolean fails at its byte inside the "check" value
     * (line 2, the quote at column 12), with cookConstraint's clause name
     * (catalog/heap.c: coerce_to_boolean(..., "CHECK")). */
    static const char nonbool_check[] =
        "{\"name\":\"b\",\"tables\":{\"t\":{\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\n"
        "  \"check\": \"id\"}]}}}\n";
    assert_int_equal(load_error(nonbool_check, &err), -1);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 12 + 1 + 0);
    assert_string_equal(err.message,
                        "column \"id\" check: argument of CHECK must be type boolean, not type "
                        "integer");
    /* A seed row that violates a CHECK is a load error at the row. */
    static const char bad_seed[] =
        "{\"name\":\"b\",\"tables\":{\"t\":{\"columns\":[{\"name\":\"id\",\"type\":\"integer\",\n"
        "  \"check\":\"id > 0\"}],\n"
        "\"rows\":[{\"id\":1},\n"
        "  {\"id\":-1}]}}}\n";
    assert_int_equal(load_error(bad_seed, &err), -1);
    assert_int_equal(err.line, 4);
    assert_string_equal(err.message,
                        "seed row 2 of public.t: new row for relation \"t\" violates check "
                        "constraint \"t_id_check\" (23514): Failing row contains (-1).");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_default_grants, setup, teardown),
        cmocka_unit_test_setup_teardown(test_explicit_grants, setup, teardown),
        cmocka_unit_test_setup_teardown(test_require_message_and_hint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grant_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policies_loaded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_select_visibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_with_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_row_visible_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_with_check_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_constraints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_drop_policy, setup, teardown),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
