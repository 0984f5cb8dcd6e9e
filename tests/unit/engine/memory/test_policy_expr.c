/* Unit tests for policy_expr.c: parsing (every rejection path with Postgres's
 * SQLSTATE, message and position), evaluation with three-valued logic over a
 * row and JWT claims, and deparsing in pg_get_expr's form.
 * Sources: Postgres gram.y (precedence), parse_oper.c/parse_coerce.c (operator
 * resolution, "operator does not exist", coerce_to_boolean's "argument of %s
 * must be type boolean, not type %s"), commands/policy.c (transformWhereClause
 * with "POLICY"), ruleutils.c (get_const_expr, get_oper_expr, get_coercion_expr,
 * ScalarArrayOpExpr, BoolExpr), Supabase's auth.uid()/auth.jwt() definitions
 * (supabase/auth migrations: coalesce(claim, claims ->> 'sub')::uuid). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "policy_expr.h"
#include "store.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define UID   "13ab4cf1-8587-4685-874b-c2d37beeab38"
#define OTHER "5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11"

enum {
    C_ID,
    C_USER_ID,
    C_EMAIL,
    C_NAME,
    C_QUOTA,
    C_BIG,
    C_PRICE,
    C_SCORE,
    C_PUBLIC,
    C_STATUS,
    C_META,
    C_TAGS,
    C_CREATED,
    C_MIXED,
    NCOLS
};

typedef struct fx {
    store_t *s;
    store_table_t *t;
    store_table_t *members; /* team_id integer, user_id uuid, role text */
    pgvalue_t row[NCOLS];
} fx_t;

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

static void set_col(fx_t *f, int i, const char *text)
{
    pgvalue_dispose(&f->row[i]);
    if (!text) {
        pgvalue_init_null(&f->row[i]);
        return;
    }
    pgrst_error_t err;
    pgrst_error_init(&err);
    const store_column_t *c = store_table_column(f->t, (size_t)i);
    assert_int_equal(pgvalue_from_text(&c->type, text, strlen(text), &f->row[i], &err), 0);
}

static int setup(void **state)
{
    fx_t *f = xcalloc(1, sizeof *f);
    f->s = new_store(1);
    const char *labels[] = {"ONLINE", "OFFLINE"};
    char *error = NULL;
    assert_int_equal(store_add_enum(f->s, "user_status", labels, 2, &error), 0);
    store_column_spec_t cols[NCOLS] = {
        col("id", "uuid"),
        col("user_id", "uuid"),
        col("email", "text"),
        col("name", "varchar(20)"),
        col("quota", "integer"),
        col("big", "bigint"),
        col("price", "numeric"),
        col("score", "float8"),
        col("is_public", "boolean"),
        col("status", "user_status"),
        col("meta", "jsonb"),
        col("tags", "text[]"),
        col("created_at", "timestamptz"),
        col("Mixed", "text"),
    };
    int ecol = -1;
    f->t = store_add_table(f->s, "public", "profiles", cols, NCOLS, &error, &ecol);
    assert_non_null(f->t);
    /* members: (1, UID, owner), (2, OTHER, member), for the subqueries. */
    store_column_spec_t mcols[3] = {col("team_id", "integer"), col("user_id", "uuid"),
                                    col("role", "text")};
    f->members = store_add_table(f->s, "public", "members", mcols, 3, &error, &ecol);
    assert_non_null(f->members);
    static const char *const mrows[2][3] = {{"1", UID, "owner"}, {"2", OTHER, "member"}};
    for (int r = 0; r < 2; r++) {
        pgvalue_t *v = xcalloc(3, sizeof *v);
        for (int c = 0; c < 3; c++) {
            pgrst_error_t err;
            pgrst_error_init(&err);
            const store_column_t *mc = store_table_column(f->members, (size_t)c);
            assert_int_equal(
                pgvalue_from_text(&mc->type, mrows[r][c], strlen(mrows[r][c]), &v[c], &err), 0);
        }
        static const store_env_t env = {0};
        store_row_t *out = NULL;
        pgrst_error_t err;
        pgrst_error_init(&err);
        assert_int_equal(store_insert(f->s, f->members, v, &env, &out, &err), 0);
        free(v);
    }
    for (int i = 0; i < NCOLS; i++)
        pgvalue_init_null(&f->row[i]);
    set_col(f, C_ID, OTHER);
    set_col(f, C_USER_ID, UID);
    set_col(f, C_EMAIL, "demo@example.com");
    set_col(f, C_NAME, "Demo");
    set_col(f, C_QUOTA, "5");
    set_col(f, C_BIG, "5000000000");
    set_col(f, C_PRICE, "9.50");
    set_col(f, C_SCORE, "1.5");
    set_col(f, C_PUBLIC, "true");
    set_col(f, C_STATUS, "ONLINE");
    set_col(f, C_META, "{\"team\": \"red\"}");
    set_col(f, C_TAGS, "{a,b}");
    set_col(f, C_CREATED, "2026-01-01 00:00:00+00");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    for (int i = 0; i < NCOLS; i++)
        pgvalue_dispose(&f->row[i]);
    store_free(f->s);
    free(f);
    return 0;
}

/* ---- helpers ---- */

static void expect_deparse(fx_t *f, const char *text, const char *want)
{
    policy_expr_error_t err;
    policy_expr_t *e = policy_expr_parse(text, f->s, f->t, &err);
    if (!e)
        fail_msg("parse of `%s` failed: %s %s at %zu", text, err.code, err.message, err.offset);
    buf_t b;
    buf_init(&b);
    policy_expr_deparse(e, &b);
    if (strcmp(buf_cstr(&b), want) != 0)
        fail_msg("deparse of `%s`:\n  got  %s\n  want %s", text, buf_cstr(&b), want);
    buf_dispose(&b);
    policy_expr_free(e);
}

static void expect_error(fx_t *f, const char *text, const char *code, const char *message,
                         size_t offset)
{
    policy_expr_error_t err;
    policy_expr_t *e = policy_expr_parse(text, f->s, f->t, &err);
    if (e) {
        policy_expr_free(e);
        fail_msg("`%s` parsed but should fail with %s", text, message);
    }
    if (strcmp(err.code, code) != 0 || strcmp(err.message, message) != 0 || err.offset != offset)
        fail_msg("`%s`:\n  got  %s %s @%zu\n  want %s %s @%zu", text, err.code, err.message,
                 err.offset, code, message, offset);
}

/* Evaluates text with claims given as JSON (NULL: no JWT) and role. */
static int run(fx_t *f, const char *text, const char *claims_json, const char *role,
               policy_truth_t *out, pgrst_error_t *perr)
{
    policy_expr_error_t err;
    policy_expr_t *e = policy_expr_parse(text, f->s, f->t, &err);
    if (!e)
        fail_msg("parse of `%s` failed: %s %s at %zu", text, err.code, err.message, err.offset);
    cJSON *claims = claims_json ? cJSON_Parse(claims_json) : NULL;
    if (claims_json)
        assert_non_null(claims);
    policy_eval_env_t env = {.row = f->row, .claims = claims, .role = role};
    int rc = policy_expr_eval(e, &env, out, perr);
    cJSON_Delete(claims);
    policy_expr_free(e);
    return rc;
}

static void expect_truth(fx_t *f, const char *text, const char *claims, policy_truth_t want)
{
    policy_truth_t got = (policy_truth_t)99;
    pgrst_error_t err;
    pgrst_error_init(&err);
    if (run(f, text, claims, "authenticated", &got, &err) != 0)
        fail_msg("eval of `%s` failed: %s %s", text, err.code, err.message);
    if (got != want)
        fail_msg("`%s` with %s: got %d want %d", text, claims ? claims : "(no jwt)", (int)got,
                 (int)want);
}

#define USER_CLAIMS                                                                                \
    "{\"sub\":\"" UID "\",\"role\":\"authenticated\",\"email\":\"demo@example.com\","              \
    "\"app_metadata\":{\"role\":\"admin\",\"teams\":[\"red\",\"blue\"]}}"
#define OTHER_CLAIMS "{\"sub\":\"" OTHER "\",\"role\":\"authenticated\"}"
#define ANON_CLAIMS  "{\"role\":\"anon\",\"iss\":\"supabase-demo\"}"

/* ---- deparse: pg_get_expr (pg_policies.qual) forms ---- */

static void test_deparse_supabase_forms(void **state)
{
    fx_t *f = *state;
    /* The forms Supabase's docs and dashboards show in pg_policies. */
    expect_deparse(f, "auth.uid() = user_id", "(auth.uid() = user_id)");
    expect_deparse(f, "AUTH.UID() = USER_ID", "(auth.uid() = user_id)");
    expect_deparse(f, "(select auth.uid()) = user_id", "(( SELECT auth.uid() AS uid) = user_id)");
    expect_deparse(f, "user_id = (SELECT auth.uid())", "(user_id = ( SELECT auth.uid() AS uid))");
    expect_deparse(f, "auth.role() = 'authenticated'", "(auth.role() = 'authenticated'::text)");
    expect_deparse(f, "(select auth.jwt()) ->> 'role' = 'admin'",
                   "((( SELECT auth.jwt() AS jwt) ->> 'role'::text) = 'admin'::text)");
    expect_deparse(f, "(auth.jwt() ->> 'role') = 'admin'",
                   "((auth.jwt() ->> 'role'::text) = 'admin'::text)");
    expect_deparse(f, "auth.jwt() -> 'app_metadata' ->> 'role' = 'admin'",
                   "(((auth.jwt() -> 'app_metadata'::text) ->> 'role'::text) = 'admin'::text)");
    expect_deparse(f, "auth.email() = email", "(auth.email() = email)");
    expect_deparse(f, "true", "true");
    expect_deparse(f, "is_public", "is_public");
}

static void test_deparse_consts_and_casts(void **state)
{
    fx_t *f = *state;
    /* get_const_expr: int4 bare unless negative; unknown literals take the
     * other side's type and print with a label. */
    expect_deparse(f, "user_id = '13AB4CF1-8587-4685-874B-C2D37BEEAB38'",
                   "(user_id = '" UID "'::uuid)");
    expect_deparse(f, "quota > 0", "(quota > 0)");
    expect_deparse(f, "quota > -1", "(quota > '-1'::integer)");
    expect_deparse(f, "quota>=-1", "(quota >= '-1'::integer)"); /* scan.l: `>=-` is `>=` `-` */
    expect_deparse(f, "big > 5", "(big > 5)");                  /* int84gt: no cast */
    expect_deparse(f, "big > 5000000000", "(big > '5000000000'::bigint)");
    /* numeric = numeric: the int4 constant gets an implicit cast, which
     * get_oper_expr shows (as in CHECK ((price > (0)::numeric))). */
    expect_deparse(f, "price > 0", "(price > (0)::numeric)");
    expect_deparse(f, "price > 1.5", "(price > 1.5)");
    expect_deparse(f, "price > -1.5", "(price > '-1.5'::numeric)");
    expect_deparse(f, "score > 1.5", "(score > (1.5)::double precision)");
    /* No varchar operators: text = text with the column relabelled. */
    expect_deparse(f, "name = 'x'", "((name)::text = 'x'::text)");
    expect_deparse(f, "status = 'ONLINE'", "(status = 'ONLINE'::user_status)");
    expect_deparse(f, "email = 'it''s'", "(email = 'it''s'::text)");
    expect_deparse(f, "\"Mixed\" = 'x'", "(\"Mixed\" = 'x'::text)");
    expect_deparse(f, "user_id = null", "(user_id = NULL::uuid)");
    expect_deparse(f, "'5'::integer = quota", "(5 = quota)");
    expect_deparse(f, "quota::text = '5'", "((quota)::text = '5'::text)");
    expect_deparse(f, "user_id::text = auth.jwt() ->> 'sub'",
                   "((user_id)::text = (auth.jwt() ->> 'sub'::text))");
    expect_deparse(f, "(auth.jwt() ->> 'sub')::uuid = user_id",
                   "(((auth.jwt() ->> 'sub'::text))::uuid = user_id)");
    expect_deparse(f, "auth.uid()::uuid = user_id", "(auth.uid() = user_id)"); /* no-op cast */
    expect_deparse(f, "meta ->> 'team' = 'red'", "((meta ->> 'team'::text) = 'red'::text)");
    expect_deparse(f, "current_user = 'authenticated'", "(CURRENT_USER = 'authenticated'::name)");
    expect_deparse(f, "created_at < '2026-01-02'",
                   "(created_at < '2026-01-02 00:00:00+00'::timestamp with time zone)");
}

static void test_deparse_logic(void **state)
{
    fx_t *f = *state;
    expect_deparse(f, "is_public AND auth.uid() = user_id",
                   "(is_public AND (auth.uid() = user_id))");
    /* makeAndExpr/makeOrExpr flatten left-nested chains; AND binds tighter. */
    expect_deparse(f, "is_public or quota = 1 or quota = 2",
                   "(is_public OR (quota = 1) OR (quota = 2))");
    expect_deparse(f, "is_public or quota = 1 and quota = 2",
                   "(is_public OR ((quota = 1) AND (quota = 2)))");
    expect_deparse(f, "not is_public", "(NOT is_public)");
    expect_deparse(f, "email is null", "(email IS NULL)");
    expect_deparse(f, "email IS NOT NULL", "(email IS NOT NULL)");
    expect_deparse(f, "is_public is not true", "(is_public IS NOT TRUE)");
    expect_deparse(f, "quota = 1 is false", "((quota = 1) IS FALSE)"); /* IS below comparisons */
    expect_deparse(f, "not email is null", "(NOT (email IS NULL))");   /* NOT below IS */
    /* transformAExprIn: several constants become = ANY (ARRAY[...]). */
    expect_deparse(f, "email IN ('a', 'b')", "(email = ANY (ARRAY['a'::text, 'b'::text]))");
    expect_deparse(f, "email not in ('a', 'b')", "(email <> ALL (ARRAY['a'::text, 'b'::text]))");
    expect_deparse(f, "quota in (1, 2)", "(quota = ANY (ARRAY[1, 2]))");
    expect_deparse(f, "quota in (1)", "(quota = 1)");
    /* What pg_get_expr prints parses back to itself. */
    expect_deparse(f, "email = ANY (ARRAY['a'::text, 'b'::text])",
                   "(email = ANY (ARRAY['a'::text, 'b'::text]))");
    expect_deparse(f, "(select auth.uid() as uid) = user_id",
                   "(( SELECT auth.uid() AS uid) = user_id)");
    expect_deparse(f, "quota > - -1", "(quota > 1)"); /* doNegate folds twice */
    expect_deparse(f, "user_id in (auth.uid(), id)", "((user_id = auth.uid()) OR (user_id = id))");
}

/* ---- rejections ---- */

static void test_errors_types(void **state)
{
    fx_t *f = *state;
    /* The unknown literal is coerced to uuid at parse time. */
    expect_error(f, "user_id = 'abc'", "22P02", "invalid input syntax for type uuid: \"abc\"", 10);
    expect_error(f, "user_id = auth.jwt() ->> 'sub'", "42883",
                 "operator does not exist: uuid = text", 8);
    expect_error(f, "user_id = 1", "42883", "operator does not exist: uuid = integer", 8);
    expect_error(f, "email = 5", "42883", "operator does not exist: text = integer", 6);
    expect_error(f, "status = email", "42883", "operator does not exist: user_status = text", 7);
    expect_error(f, "email -> 'a' = 'b'", "42883", "operator does not exist: text -> unknown", 6);
    expect_error(f, "user_id::integer = 1", "42846", "cannot cast type uuid to integer", 7);
    expect_error(f, "email::nosuch = 'x'", "42704", "type \"nosuch\" does not exist", 7);
    expect_error(f, "quota AND is_public", "42804",
                 "argument of AND must be type boolean, not type integer", 0);
    expect_error(f, "is_public OR email", "42804",
                 "argument of OR must be type boolean, not type text", 13);
    expect_error(f, "NOT quota", "42804", "argument of NOT must be type boolean, not type integer",
                 4);
    expect_error(f, "quota IS TRUE", "42804",
                 "argument of IS TRUE must be type boolean, not type integer", 0);
    /* commands/policy.c: transformWhereClause(..., EXPR_KIND_POLICY, "POLICY") */
    expect_error(f, "email", "42804", "argument of POLICY must be type boolean, not type text", 0);
    expect_error(f, "auth.uid()", "42804", "argument of POLICY must be type boolean, not type uuid",
                 0);
    expect_error(f, "'abc'", "22P02", "invalid input syntax for type boolean: \"abc\"", 0);
    /* catalog/heap.c cookConstraint: coerce_to_boolean(..., "CHECK"). */
    policy_expr_error_t err;
    assert_null(policy_expr_parse_clause("quota", f->s, f->t, "CHECK", &err));
    assert_string_equal(err.code, "42804");
    assert_string_equal(err.message, "argument of CHECK must be type boolean, not type integer");
    policy_expr_t *ok = policy_expr_parse_clause("quota > 0", f->s, f->t, "CHECK", &err);
    assert_non_null(ok);
    policy_expr_free(ok);
}

static void test_errors_names(void **state)
{
    fx_t *f = *state;
    expect_error(f, "nope = 1", "42703", "column \"nope\" does not exist", 0);
    expect_error(f, "auth.uid() = User_Idx", "42703", "column \"user_idx\" does not exist", 13);
    expect_error(f, "auth.foo() = user_id", "42883", "function auth.foo() does not exist", 0);
    expect_error(f, "auth.uid(1) = user_id", "42883", "function auth.uid(integer) does not exist",
                 0);
    expect_error(f, "uid() = user_id", "42883", "function uid() does not exist", 0);
    expect_error(f, "foo.user_id = auth.uid()", "42P01",
                 "missing FROM-clause entry for table \"foo\"", 0);
}

static void test_errors_syntax(void **state)
{
    fx_t *f = *state;
    /* The expression stands inside USING (...), as CREATE POLICY (and the
     * database engine) put it: PostgreSQL 15 answers `CREATE POLICY x ON t
     * USING (quota = )` with syntax error at or near ")", at the ")". */
    expect_error(f, "quota = ", "42601", "syntax error at or near \")\"", 8);
    expect_error(f, "", "42601", "syntax error at or near \")\"", 0);
    /* `USING (quota = 1) or (true)`: the group closes early, as in Postgres. */
    expect_error(f, "quota = 1) or (true", "42601", "syntax error at or near \"or\"", 11);
    expect_error(f, "quota = )", "42601", "syntax error at or near \")\"", 8);
    expect_error(f, "(quota = 1", "42601", "syntax error at end of input", 10);
    /* comparison operators are non-associative */
    expect_error(f, "quota = 1 = 2", "42601", "syntax error at or near \"=\"", 10);
    expect_error(f, "quota IS 5", "42601", "syntax error at or near \"5\"", 9);
    /* Postgres's grammar takes a test of a test: PostgreSQL 15's pg_policies
     * shows `email is null is null` as below. */
    expect_deparse(f, "email is null is null", "((email IS NULL) IS NULL)");
    expect_error(f, "'abc", "42601", "unterminated quoted string at or near \"'abc\"", 0);
    expect_error(f, "\"abc = 1", "42601", "unterminated quoted identifier at or near \"\"abc = 1\"",
                 0);
    expect_error(f, "select = 1", "42601", "syntax error at or near \"select\"", 0);
    expect_error(f, "quota = 1;", "42601", "syntax error at or near \";\"", 9);
    expect_error(f, "quota in ()", "42601", "syntax error at or near \")\"", 10);
    expect_error(f, "quota + 1 > 0", "0A000",
                 "supamock: operator + is not supported in policy expressions", 6);
    char deep[1300];
    memset(deep, '(', 600);
    strcpy(deep + 600, "true");
    memset(deep + 604, ')', 600);
    deep[1204] = '\0';
    policy_expr_error_t err;
    assert_null(policy_expr_parse(deep, f->s, f->t, &err));
    assert_string_equal(err.code, "54001");
}

/* ---- subqueries ---- */

/* pg_policies.qual as PostgreSQL 15 prints it for the same CREATE POLICY on
 * tables of the same shape (ruleutils.c get_sublink_expr, get_query_def with
 * PRETTYFLAG_INDENT: every column of a subquery names its entry). */
static void test_deparse_subqueries(void **state)
{
    fx_t *f = *state;
    expect_deparse(f, "exists (select 1 from members m where m.user_id = user_id)",
                   "(EXISTS ( SELECT 1\n"
                   "   FROM members m\n"
                   "  WHERE (m.user_id = m.user_id)))");
    expect_deparse(f, "quota > all (select team_id from members) and quota <> any (select 1)",
                   "((quota > ALL ( SELECT members.team_id\n"
                   "   FROM members)) AND (quota <> ANY ( SELECT 1)))");
    expect_deparse(f, "(select role from members where user_id = auth.uid()) = 'owner'",
                   "(( SELECT members.role\n"
                   "   FROM members\n"
                   "  WHERE (members.user_id = auth.uid())) = 'owner'::text)");
    expect_deparse(f,
                   "exists (select from members m cross join members n where exists (select 1 "
                   "from members k where k.team_id = m.team_id and k.user_id = "
                   "profiles.user_id))",
                   "(EXISTS ( SELECT\n"
                   "   FROM (members m\n"
                   "     CROSS JOIN members n)\n"
                   "  WHERE (EXISTS ( SELECT 1\n"
                   "           FROM members k\n"
                   "          WHERE ((k.team_id = m.team_id) AND (k.user_id = "
                   "profiles.user_id))))))");
    expect_deparse(f,
                   "exists (select 1 from members where members.team_id = quota and "
                   "profiles.quota = 1)",
                   "(EXISTS ( SELECT 1\n"
                   "   FROM members\n"
                   "  WHERE ((members.team_id = profiles.quota) AND (profiles.quota = 1))))");
}

/* Messages as PostgreSQL 15 gives them for the same policy; positions where
 * it puts the caret for the same expression in `SELECT FROM profiles WHERE
 * ...` (CREATE POLICY itself reports these without a position). */
static void test_subquery_errors(void **state)
{
    fx_t *f = *state;
    expect_error(f, "exists (select 1 from nosuch)", "42P01", "relation \"nosuch\" does not exist",
                 22);
    expect_error(f, "exists (select 1 from members m where m.nope = 1)", "42703",
                 "column m.nope does not exist", 38);
    expect_error(f, "exists (select 1 from members a, members b where team_id = 1)", "42702",
                 "column reference \"team_id\" is ambiguous", 49);
    expect_error(f, "quota in (select team_id, role from members)", "42601",
                 "subquery has too many columns", 6);
    expect_error(f, "(select team_id, role from members) = 1", "42601",
                 "subquery must return only one column", 0);
    expect_error(f, "user_id in (select team_id from members)", "42883",
                 "operator does not exist: uuid = integer", 8);
    expect_error(f, "exists (select 1 from members m where members.team_id = 1)", "42P01",
                 "missing FROM-clause entry for table \"members\"", 38);
    /* A join's ON sees its own two sides only (PostgreSQL 15, same text). */
    expect_error(f,
                 "exists (select 1 from members a join members b on b.team_id = c.team_id, "
                 "members c)",
                 "42P01", "missing FROM-clause entry for table \"c\"", 62);
    expect_deparse(f,
                   "exists (select 1 from members a join members b on b.team_id = a.team_id "
                   "join members c on c.role = a.role)",
                   "(EXISTS ( SELECT 1\n"
                   "   FROM ((members a\n"
                   "     JOIN members b ON ((b.team_id = a.team_id)))\n"
                   "     JOIN members c ON ((c.role = a.role)))))");
    /* heap.c cookConstraint -> parse_expr.c transformSubLink: EXPR_KIND_CHECK_CONSTRAINT */
    policy_expr_error_t err;
    assert_null(
        policy_expr_parse_clause("exists (select 1 from members)", f->s, f->t, "CHECK", &err));
    assert_string_equal(err.code, "0A000");
    assert_string_equal(err.message, "cannot use subquery in check constraint");
}

/* Evaluation over the store's rows (no reader: every row is read), with
 * SQL's answers for EXISTS, IN (NULL when nothing matched but a NULL did),
 * ALL, and a scalar subquery. */
static void test_eval_subqueries(void **state)
{
    fx_t *f = *state;
    /* the row's user_id is UID: member of team 1, owner */
    expect_truth(f, "exists (select 1 from members m where m.user_id = profiles.user_id)", NULL,
                 POLICY_TRUE);
    expect_truth(f,
                 "exists (select 1 from members m where m.user_id = profiles.user_id and "
                 "m.role = 'member')",
                 NULL, POLICY_FALSE);
    /* the pitfall: user_id is m.user_id, so any member row passes */
    expect_truth(f, "exists (select 1 from members m where m.user_id = user_id and m.team_id = 2)",
                 NULL, POLICY_TRUE);
    expect_truth(f, "1 in (select team_id from members where user_id = auth.uid())", USER_CLAIMS,
                 POLICY_TRUE);
    expect_truth(f, "2 in (select team_id from members where user_id = auth.uid())", USER_CLAIMS,
                 POLICY_FALSE);
    expect_truth(f, "quota in (select null::integer)", NULL, POLICY_NULL);
    expect_truth(f, "quota not in (select team_id from members)", NULL, POLICY_TRUE);
    expect_truth(f, "quota > all (select team_id from members)", NULL, POLICY_TRUE);
    expect_truth(f, "quota > all (select team_id from members where false)", NULL, POLICY_TRUE);
    expect_truth(f, "(select role from members where user_id = auth.uid()) = 'owner'", USER_CLAIMS,
                 POLICY_TRUE);
    expect_truth(f, "(select role from members where user_id = auth.uid()) = 'owner'", ANON_CLAIMS,
                 POLICY_NULL);
    expect_truth(f,
                 "exists (select 1 from members a join members b on b.team_id <> a.team_id "
                 "where a.role = 'owner')",
                 NULL, POLICY_TRUE);
    expect_truth(f,
                 "exists (select 1 from members a join members b on b.team_id <> a.team_id "
                 "where a.role = 'owner' and b.role = 'owner')",
                 NULL, POLICY_FALSE);
    /* nodeSubplan.c: a scalar subquery with two rows */
    policy_truth_t got;
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(run(f, "(select role from members) = 'x'", NULL, "authenticated", &got, &err),
                     -1);
    assert_string_equal(err.code, "21000");
    assert_string_equal(err.message,
                        "more than one row returned by a subquery used as an expression");
    pgrst_error_dispose(&err);
    /* A subquery's rows are charged to the statement's work: a budget too
     * small for the 2 x 2 x 2 combinations stops it as statement_timeout. */
    policy_expr_error_t perr;
    policy_expr_t *e = policy_expr_parse(
        "exists (select 1 from members a, members b, members c where a.role = 'none')", f->s, f->t,
        &perr);
    assert_non_null(e);
    mock_work_t work;
    mock_work_init(&work, 8);
    policy_eval_env_t env = {.row = f->row, .role = "authenticated", .work = &work};
    pgrst_error_init(&err);
    assert_int_equal(policy_expr_eval(e, &env, &got, &err), -1);
    assert_string_equal(err.code, "57014");
    pgrst_error_dispose(&err);
    mock_work_init(&work, 1000);
    assert_int_equal(policy_expr_eval(e, &env, &got, &err), 0);
    assert_int_equal(got, POLICY_FALSE);
    policy_expr_free(e);
}

/* ---- evaluation ---- */

static void test_eval_auth_functions(void **state)
{
    fx_t *f = *state;
    expect_truth(f, "auth.uid() = user_id", USER_CLAIMS, POLICY_TRUE);
    expect_truth(f, "auth.uid() = user_id", OTHER_CLAIMS, POLICY_FALSE);
    expect_truth(f, "auth.uid() = user_id", ANON_CLAIMS, POLICY_NULL); /* no sub */
    expect_truth(f, "auth.uid() = user_id", NULL, POLICY_NULL);
    expect_truth(f, "(select auth.uid()) = user_id", USER_CLAIMS, POLICY_TRUE);
    expect_truth(f, "auth.role() = 'authenticated'", USER_CLAIMS, POLICY_TRUE);
    expect_truth(f, "auth.role() = 'authenticated'", ANON_CLAIMS, POLICY_FALSE);
    expect_truth(f, "auth.email() = email", USER_CLAIMS, POLICY_TRUE);
    expect_truth(f, "auth.email() = email", OTHER_CLAIMS, POLICY_NULL);
    expect_truth(f, "auth.jwt() is null", NULL, POLICY_TRUE);
    expect_truth(f, "auth.jwt() is null", ANON_CLAIMS, POLICY_FALSE);
    expect_truth(f, "current_user = 'authenticated'", NULL, POLICY_TRUE);
    /* jsonb paths */
    expect_truth(f, "auth.jwt() -> 'app_metadata' ->> 'role' = 'admin'", USER_CLAIMS, POLICY_TRUE);
    expect_truth(f, "auth.jwt() -> 'app_metadata' ->> 'role' = 'admin'", OTHER_CLAIMS, POLICY_NULL);
    expect_truth(f, "auth.jwt() -> 'app_metadata' -> 'teams' ->> 0 = 'red'", USER_CLAIMS,
                 POLICY_TRUE);
    expect_truth(f, "auth.jwt() -> 'app_metadata' -> 'teams' ->> -1 = 'blue'", USER_CLAIMS,
                 POLICY_TRUE);
    /* ->> of an object is its jsonb text: keys by length then bytes, ", " and ": " */
    expect_truth(
        f,
        "auth.jwt() ->> 'app_metadata' = '{\"role\": \"admin\", \"teams\": [\"red\", \"blue\"]}'",
        USER_CLAIMS, POLICY_TRUE);
    expect_truth(
        f, "auth.jwt() -> 'app_metadata' = '{\"teams\":[\"red\",\"blue\"],\"role\":\"admin\"}'",
        USER_CLAIMS, POLICY_TRUE);
    expect_truth(f, "(auth.jwt() ->> 'sub')::uuid = user_id", USER_CLAIMS, POLICY_TRUE);
    expect_truth(f, "user_id::text = auth.jwt() ->> 'sub'", USER_CLAIMS, POLICY_TRUE);
    expect_truth(f, "meta ->> 'team' = 'red'", NULL, POLICY_TRUE);
    expect_truth(f, "meta -> 'team' = '\"red\"'", NULL, POLICY_TRUE);
}

static void test_eval_sub_not_uuid(void **state)
{
    fx_t *f = *state;
    policy_truth_t t;
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(
        run(f, "auth.uid() = user_id", "{\"sub\":\"user-42\"}", "authenticated", &t, &err), -1);
    assert_string_equal(err.code, "22P02");
    assert_string_equal(err.message, "invalid input syntax for type uuid: \"user-42\"");
    pgrst_error_dispose(&err);
    /* Short-circuit: AND stops at FALSE before the failing cast. */
    assert_int_equal(run(f, "false AND auth.uid() = user_id", "{\"sub\":\"user-42\"}",
                         "authenticated", &t, &err),
                     0);
    assert_int_equal(t, POLICY_FALSE);
    assert_int_equal(run(f, "email::integer = 5", NULL, "anon", &t, &err), -1);
    assert_string_equal(err.code, "22P02");
    assert_string_equal(err.message, "invalid input syntax for type integer: \"demo@example.com\"");
    pgrst_error_dispose(&err);
}

static void test_eval_three_valued(void **state)
{
    fx_t *f = *state;
    expect_truth(f, "true AND null", NULL, POLICY_NULL);
    expect_truth(f, "false AND null", NULL, POLICY_FALSE);
    expect_truth(f, "true OR null", NULL, POLICY_TRUE);
    expect_truth(f, "false OR null", NULL, POLICY_NULL);
    expect_truth(f, "NOT null", NULL, POLICY_NULL);
    expect_truth(f, "NOT is_public", NULL, POLICY_FALSE);
    expect_truth(f, "user_id = null", NULL, POLICY_NULL);
    expect_truth(f, "email is null", NULL, POLICY_FALSE);
    expect_truth(f, "email is not null", NULL, POLICY_TRUE);
    expect_truth(f, "(email = 'x') is not true", NULL, POLICY_TRUE);
    expect_truth(f, "(email = 'x') is false", NULL, POLICY_TRUE);
    expect_truth(f, "(auth.uid() = user_id) is unknown", NULL, POLICY_TRUE);
    expect_truth(f, "(auth.uid() = user_id) is true", NULL, POLICY_FALSE);
    set_col(f, C_EMAIL, NULL);
    expect_truth(f, "email is null", NULL, POLICY_TRUE);
    expect_truth(f, "email = 'x'", NULL, POLICY_NULL);
    expect_truth(f, "(email = 'x') is not false", NULL, POLICY_TRUE);
}

static void test_eval_in_lists(void **state)
{
    fx_t *f = *state;
    expect_truth(f, "email IN ('x', 'demo@example.com')", NULL, POLICY_TRUE);
    expect_truth(f, "email IN ('x', 'y')", NULL, POLICY_FALSE);
    expect_truth(f, "email IN ('x', NULL)", NULL, POLICY_NULL);
    expect_truth(f, "email NOT IN ('x', NULL)", NULL, POLICY_NULL);
    expect_truth(f, "email NOT IN ('demo@example.com', NULL)", NULL, POLICY_FALSE);
    expect_truth(f, "email NOT IN ('x', 'y')", NULL, POLICY_TRUE);
    expect_truth(f, "quota in (1, 5)", NULL, POLICY_TRUE);
    expect_truth(f, "user_id in (auth.uid(), id)", USER_CLAIMS, POLICY_TRUE);
    expect_truth(f, "auth.role() in ('anon', 'authenticated')", ANON_CLAIMS, POLICY_TRUE);
}

static void test_eval_types(void **state)
{
    fx_t *f = *state;
    expect_truth(f, "price > 9", NULL, POLICY_TRUE);
    expect_truth(f, "price = 9.5", NULL, POLICY_TRUE); /* numeric 9.50 = 9.5 */
    expect_truth(f, "quota = 5.0", NULL, POLICY_TRUE);
    expect_truth(f, "score > 1", NULL, POLICY_TRUE);
    expect_truth(f, "score = 1.5", NULL, POLICY_TRUE);
    expect_truth(f, "big > 4999999999", NULL, POLICY_TRUE);
    expect_truth(f, "big > quota", NULL, POLICY_TRUE);
    expect_truth(f, "-quota < 0", NULL, POLICY_TRUE);
    expect_truth(f, "quota > -1", NULL, POLICY_TRUE);
    expect_truth(f, "quota::text = '5'", NULL, POLICY_TRUE);
    expect_truth(f, "'5'::integer = quota", NULL, POLICY_TRUE);
    expect_truth(f, "status = 'ONLINE'", NULL, POLICY_TRUE);
    expect_truth(f, "status < 'OFFLINE'", NULL, POLICY_TRUE); /* enum order, not alphabetical */
    expect_truth(f, "status::text = 'ONLINE'", NULL, POLICY_TRUE);
    expect_truth(f, "'online' < 'ONLINE'", NULL, POLICY_FALSE); /* C collation: 'O' < 'o' */
    expect_truth(f, "name = 'Demo'", NULL, POLICY_TRUE);
    expect_truth(f, "tags = '{a,b}'", NULL, POLICY_TRUE);
    expect_truth(f, "created_at < '2026-01-02'", NULL, POLICY_TRUE);
    expect_truth(f, "created_at = '2026-01-01T01:00:00+01:00'", NULL, POLICY_TRUE);
    expect_truth(f, "is_public = true", NULL, POLICY_TRUE);
    expect_truth(f, "is_public", NULL, POLICY_TRUE);
    expect_truth(f, "'yes'", NULL, POLICY_TRUE); /* boolin accepts yes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deparse_supabase_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deparse_consts_and_casts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deparse_logic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deparse_subqueries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subquery_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_subqueries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_auth_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_sub_not_uuid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_three_valued, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_in_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_types, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
