/* Unit tests for pgrst_query.c: the query-string grammar, PGRST100/103 errors,
 * Prefer, Accept/PGRST107 and Range. Expected error strings come from PostgREST's
 * own doctests in src/PostgREST/ApiRequest/QueryParams.hs (run in its CI; cited
 * per case as "doctest"), from PostgREST's tests and docs, or are derived by hand from the
 * Parsec rules in that file (cited as "derived"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arena.h"
#include "pgrst_error.h"
#include "pgrst_query.h"
#include "urlcodec.h"

#include <stdio.h>
#include <string.h>

static arena_t *A;

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}

static pgrst_query_t parse_ok(const char *qs)
{
    pgrst_query_t q;
    pgrst_error_t err;
    pgrst_error_init(&err);
    int rc = pgrst_query_parse(A, qs, &q, &err);
    if (rc != 0)
        fail_msg("%s: unexpected error %s %s / %s", qs, err.code, err.message,
                 err.details ? err.details : "null");
    pgrst_error_dispose(&err);
    return q;
}

/* ------------------------------------------------------------------ */
/* PGRST100 / PGRST103 table                                            */
/* ------------------------------------------------------------------ */

static const struct err_case {
    const char *qs, *code, *message, *details;
} err_cases[] = {
    /* PostgREST QuerySpec.hs: ?id=0 */
    {"id=0", "PGRST100", "\"failed to parse filter (0)\" (line 1, column 1)",
     "unexpected \"0\" expecting \"not\" or operator (eq, gt, ...)"},
    /* doctest: parse False "a.b=noop.0" */
    {"a.b=noop.0", "PGRST100", "\"failed to parse filter (noop.0)\" (line 1, column 1)",
     "unexpected \"o\" expecting \"not\" or operator (eq, gt, ...)"},
    /* doctest: pRequestFilter False ("id", "val") */
    {"id=val", "PGRST100", "\"failed to parse filter (val)\" (line 1, column 1)",
     "unexpected \"v\" expecting \"not\" or operator (eq, gt, ...)"},
    /* doctests of pOpExpr */
    {"x=fts().value", "PGRST100", "\"failed to parse filter (fts().value)\" (line 1, column 5)",
     "unexpected \")\" expecting operator (eq, gt, ...)"},
    {"x=eq().value", "PGRST100", "\"failed to parse filter (eq().value)\" (line 1, column 4)",
     "unexpected \")\" expecting operator (eq, gt, ...)"},
    {"x=is().value", "PGRST100", "\"failed to parse filter (is().value)\" (line 1, column 3)",
     "unexpected \"(\" expecting operator (eq, gt, ...)"},
    {"x=in().value", "PGRST100", "\"failed to parse filter (in().value)\" (line 1, column 3)",
     "unexpected \"(\" expecting operator (eq, gt, ...)"},
    /* ?a= (empty value) is parsed and fails; derived: eof at column 1 */
    {"a=", "PGRST100", "\"failed to parse filter ()\" (line 1, column 1)",
     "unexpected end of input expecting \"not\" or operator (eq, gt, ...)"},
    /* derived: is.<bad> fails inside pIsVal after "is." was consumed; ciString is
     * traverse ciChar, so the furthest error is at the 'h' of "not_null" (column 7) */
    {"a=is.nothing", "PGRST100", "\"failed to parse filter (is.nothing)\" (line 1, column 7)",
     "unexpected \"h\" expecting isVal: (null, not_null, true, false, unknown)"},
    /* doctests of pOrder */
    {"order=clients(name,id)", "PGRST100",
     "\"failed to parse order (clients(name,id))\" (line 1, column 8)",
     "unexpected '(' expecting letter, digit, \"-\", \"->>\", \"->\", delimiter (.), \",\" or end "
     "of input"},
    {"order=id.ac", "PGRST100", "\"failed to parse order (id.ac)\" (line 1, column 4)",
     "unexpected \"c\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""},
    {"order=id.descc", "PGRST100", "\"failed to parse order (id.descc)\" (line 1, column 8)",
     "unexpected 'c' expecting delimiter (.), \",\" or end of input"},
    {"order=id.nulsfist", "PGRST100", "\"failed to parse order (id.nulsfist)\" (line 1, column 4)",
     "unexpected \"n\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""},
    {"order=id.nullslasttt", "PGRST100",
     "\"failed to parse order (id.nullslasttt)\" (line 1, column 13)",
     "unexpected 't' expecting \",\" or end of input"},
    {"order=id.smth34", "PGRST100", "\"failed to parse order (id.smth34)\" (line 1, column 4)",
     "unexpected \"s\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""},
    {"order=id.asc.nlsfst", "PGRST100",
     "\"failed to parse order (id.asc.nlsfst)\" (line 1, column 8)",
     "unexpected \"l\" expecting \"nullsfirst\" or \"nullslast\""},
    /* doctest */
    {"order=id.asc.nullslasttt", "PGRST100",
     "\"failed to parse order (id.asc.nullslasttt)\" (line 1, column 17)",
     "unexpected 't' expecting \",\" or end of input"},
    {"order=id.asc.smth34", "PGRST100",
     "\"failed to parse order (id.asc.smth34)\" (line 1, column 8)",
     "unexpected \"s\" expecting \"nullsfirst\" or \"nullslast\""},
    /* doctests of pLogicTree (the op is prepended to the value before parsing) */
    {"or=()", "PGRST100", "\"failed to parse logic tree (())\" (line 1, column 4)",
     "unexpected \")\" expecting field name (* or [a..z0..9_$]), negation operator (not) or logic "
     "operator (and, or)"},
    {"or=(id.in.1,2,id.eq.3)", "PGRST100",
     "\"failed to parse logic tree ((id.in.1,2,id.eq.3))\" (line 1, column 10)",
     "unexpected \"1\" expecting \"(\""},
    {"or=)(", "PGRST100", "\"failed to parse logic tree ()()\" (line 1, column 3)",
     "unexpected \")\" expecting \"(\""},
    {"and=(ord(id.eq.1,id.eq.1),id.eq.2)", "PGRST100",
     "\"failed to parse logic tree ((ord(id.eq.1,id.eq.1),id.eq.2))\" (line 1, column 7)",
     "unexpected \"d\" expecting \"(\""},
    {"or=(id.eq.1,not.xor(id.eq.2,id.eq.3))", "PGRST100",
     "\"failed to parse logic tree ((id.eq.1,not.xor(id.eq.2,id.eq.3)))\" (line 1, column 16)",
     "unexpected \"x\" expecting logic operator (and, or)"},
    /* doctests of pFieldForest / pFieldSelect */
    {"select=id,clients(name[])", "PGRST100",
     "\"failed to parse select parameter (id,clients(name[]))\" (line 1, column 16)",
     "unexpected '[' expecting letter, digit, \"-\", \"->>\", \"->\", \"::\", \".\", \")\", \",\" "
     "or end of input"},
    {"select=data->>-78xy", "PGRST100",
     "\"failed to parse select parameter (data->>-78xy)\" (line 1, column 11)",
     "unexpected 'x' expecting digit, \"->\", \"::\", \".\", \",\" or end of input"},
    {"select=name::", "PGRST100",
     "\"failed to parse select parameter (name::)\" (line 1, column 7)",
     "unexpected end of input expecting letter or digit"},
    /* columns= (empty) */
    {"columns=", "PGRST100", "\"failed to parse columns parameter ()\" (line 1, column 1)",
     "unexpected end of input expecting field name (* or [a..z0..9_$])"},
    /* derived: same parser for on_conflict */
    {"on_conflict=", "PGRST100", "\"failed to parse on_conflict parameter ()\" (line 1, column 1)",
     "unexpected end of input expecting field name (* or [a..z0..9_$])"},
    /* derived: an unterminated in-list */
    {"id=in.(1,2", "PGRST100", "\"failed to parse filter (in.(1,2)\" (line 1, column 8)",
     "unexpected end of input expecting \",\" or \")\""},
    /* PGRST103 (Error.hs NegativeLimit) */
    {"limit=-1", "PGRST103", "Requested range not satisfiable",
     "Limit should be greater than or equal to zero."},
    /* order is parsed before filters (QueryParams.parse): the order error wins */
    {"id=val&order=id.ac", "PGRST100", "\"failed to parse order (id.ac)\" (line 1, column 4)",
     "unexpected \"c\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""},
    /* parse errors come before the range check (userApiRequest order) */
    {"limit=-1&id=val", "PGRST100", "\"failed to parse filter (val)\" (line 1, column 1)",
     "unexpected \"v\" expecting \"not\" or operator (eq, gt, ...)"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof err_cases / sizeof err_cases[0]; i++) {
        const struct err_case *c = &err_cases[i];
        pgrst_query_t q;
        pgrst_error_t err;
        pgrst_error_init(&err);
        int rc = pgrst_query_parse(A, c->qs, &q, &err);
        if (rc != -1)
            fail_msg("%s: parsed, expected %s", c->qs, c->code);
        if (strcmp(err.code, c->code) || strcmp(err.message, c->message) ||
            strcmp(err.details ? err.details : "", c->details))
            fail_msg("%s:\n  got      %s | %s | %s\n  expected %s | %s | %s", c->qs, err.code,
                     err.message, err.details ? err.details : "(null)", c->code, c->message,
                     c->details);
        assert_null(err.hint);
        pgrst_error_dispose(&err);
    }
}

/* ------------------------------------------------------------------ */
/* Successful parses                                                    */
/* ------------------------------------------------------------------ */

static void test_operators(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        pgrst_op_t op;
        const char *value;
    } ops[] = {
        {"eq.1", PGRST_OP_EQ, "1"},
        {"neq.1", PGRST_OP_NEQ, "1"},
        {"gt.1", PGRST_OP_GT, "1"},
        {"gte.1", PGRST_OP_GTE, "1"},
        {"lt.1", PGRST_OP_LT, "1"},
        {"lte.1", PGRST_OP_LTE, "1"},
        {"like.a*", PGRST_OP_LIKE, "a*"},
        {"ilike.*A*", PGRST_OP_ILIKE, "*A*"},
        {"match.^a", PGRST_OP_MATCH, "^a"},
        {"imatch.^A", PGRST_OP_IMATCH, "^A"},
        {"isdistinct.x", PGRST_OP_ISDISTINCT, "x"},
        {"fts.cat", PGRST_OP_FTS, "cat"},
        {"plfts.a b", PGRST_OP_PLFTS, "a b"},
        {"phfts.a", PGRST_OP_PHFTS, "a"},
        {"wfts.a", PGRST_OP_WFTS, "a"},
        {"cs.{1,2}", PGRST_OP_CS, "{1,2}"},
        {"cd.{1}", PGRST_OP_CD, "{1}"},
        {"ov.[1,2]", PGRST_OP_OV, "[1,2]"},
        {"sl.(1,2)", PGRST_OP_SL, "(1,2)"},
        {"sr.(1,2)", PGRST_OP_SR, "(1,2)"},
        {"nxr.(1,2)", PGRST_OP_NXR, "(1,2)"},
        {"nxl.(1,2)", PGRST_OP_NXL, "(1,2)"},
        {"adj.(1,2)", PGRST_OP_ADJ, "(1,2)"},
        /* values run to the end of the parameter (pSingleVal = many anyChar) */
        {"eq.a.b.c", PGRST_OP_EQ, "a.b.c"},
        {"eq.", PGRST_OP_EQ, ""},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char qs[64];
        snprintf(qs, sizeof qs, "col=%s", ops[i].v);
        pgrst_query_t q = parse_ok(qs);
        assert_int_equal(q.where_count, 1);
        const pgrst_filter_t *f = &q.where[0].filter;
        assert_int_equal(q.where[0].kind, PGRST_LOGIC_FILTER);
        assert_string_equal(f->field.name, "col");
        if (f->op != ops[i].op)
            fail_msg("%s: op %d", qs, f->op);
        assert_string_equal(f->value, ops[i].value);
        assert_false(f->negated);
    }
}

static void test_negation_is_in_fts(void **state)
{
    (void)state;
    pgrst_query_t q =
        parse_ok("a=not.eq.5&b=is.NuLl&c=not.is.not_null&d=is.TRUE&e=is.unknown&f=is.false");
    assert_int_equal(q.where_count, 6);
    assert_true(q.where[0].filter.negated);
    assert_int_equal(q.where[0].filter.op, PGRST_OP_EQ);
    assert_string_equal(q.where[0].filter.value, "5");
    assert_int_equal(q.where[1].filter.is_value, PGRST_IS_NULL);
    assert_true(q.where[2].filter.negated);
    assert_int_equal(q.where[2].filter.is_value, PGRST_IS_NOT_NULL);
    assert_int_equal(q.where[3].filter.is_value, PGRST_IS_TRUE);
    assert_int_equal(q.where[4].filter.is_value, PGRST_IS_UNKNOWN);
    assert_int_equal(q.where[5].filter.is_value, PGRST_IS_FALSE);

    /* in-list: quotes protect , and ), \" and \\ are escapes, bare items keep spaces. */
    q = parse_ok("id=in.(1,%22a,b%22,%22x\\%22y%22,%20c%20,%22p)q%22)");
    const pgrst_filter_t *f = &q.where[0].filter;
    assert_int_equal(f->op, PGRST_OP_IN);
    assert_int_equal(f->list_len, 5);
    assert_string_equal(f->list[0], "1");
    assert_string_equal(f->list[1], "a,b");
    assert_string_equal(f->list[2], "x\"y");
    assert_string_equal(f->list[3], " c ");
    assert_string_equal(f->list[4], "p)q");
    assert_null(f->value);

    q = parse_ok("id=in.()");
    assert_int_equal(q.where[0].filter.list_len, 1); /* sepBy1 of many (noneOf ",)"): [""] */
    assert_string_equal(q.where[0].filter.list[0], "");

    q = parse_ok("tsv=fts(english).cat&t2=not.wfts(simple).a");
    assert_int_equal(q.where[0].filter.op, PGRST_OP_FTS);
    assert_string_equal(q.where[0].filter.fts_language, "english");
    assert_string_equal(q.where[0].filter.value, "cat");
    assert_true(q.where[1].filter.negated);
    assert_string_equal(q.where[1].filter.fts_language, "simple");

    /* quantifiers */
    q = parse_ok("name=like(any).{O*,P*}&id=not.eq(all).{1,%222,3%22}");
    f = &q.where[0].filter;
    assert_int_equal(f->op, PGRST_OP_LIKE);
    assert_int_equal(f->quant, PGRST_QUANT_ANY);
    assert_null(f->value);
    assert_string_equal(f->raw_value, "{O*,P*}");
    assert_int_equal(f->list_len, 2);
    assert_string_equal(f->list[1], "P*");
    f = &q.where[1].filter;
    assert_true(f->negated);
    assert_int_equal(f->quant, PGRST_QUANT_ALL);
    assert_int_equal(f->list_len, 2);
    assert_string_equal(f->list[1], "2,3");
}

static void test_fields_and_paths(void **state)
{
    (void)state;
    pgrst_query_t q = parse_ok("data->a->>b=eq.1&arr->0=eq.2&arr->>-1=eq.3&%22my.col%22=eq.4&"
                               "clients.name=eq.x&data->%22a.b%22=eq.5");
    assert_int_equal(q.where_count, 6);
    const pgrst_field_t *f = &q.where[0].filter.field;
    assert_string_equal(f->name, "data");
    assert_int_equal(f->path_len, 2);
    assert_false(f->path[0].as_text);
    assert_string_equal(f->path[0].key, "a");
    assert_true(f->path[1].as_text);
    assert_string_equal(f->path[1].key, "b");
    f = &q.where[1].filter.field;
    assert_true(f->path[0].is_index);
    assert_int_equal(f->path[0].index, 0);
    f = &q.where[2].filter.field;
    assert_true(f->path[0].is_index);
    assert_true(f->path[0].as_text);
    assert_int_equal(f->path[0].index, -1);
    assert_string_equal(q.where[3].filter.field.name, "my.col");
    assert_null(q.where[3].filter.field.relation);
    f = &q.where[4].filter.field;
    assert_string_equal(f->name, "name");
    assert_int_equal(f->relation_len, 1);
    assert_string_equal(f->relation[0], "clients");
    assert_string_equal(q.where[5].filter.field.path[0].key, "a.b");
}

static void test_logic(void **state)
{
    (void)state;
    pgrst_query_t q = parse_ok("id=eq.1&or=(a.eq.1,and(b.gt.2,c.lt.3),not.and(d.is.null,e.eq.%22x,"
                               "y%22))&not.or=(f.in.(1,2),g.cs.{a,b})&clients.or=(h.eq.1)");
    assert_int_equal(q.where_count, 4);
    assert_int_equal(q.where[0].kind, PGRST_LOGIC_FILTER);
    const pgrst_logic_t *o = &q.where[1];
    assert_int_equal(o->kind, PGRST_LOGIC_OR);
    assert_false(o->negated);
    assert_int_equal(o->child_count, 3);
    assert_string_equal(o->children[0].filter.field.name, "a");
    assert_int_equal(o->children[1].kind, PGRST_LOGIC_AND);
    assert_int_equal(o->children[1].child_count, 2);
    assert_string_equal(o->children[1].children[1].filter.value, "3");
    assert_true(o->children[2].negated);
    assert_int_equal(o->children[2].kind, PGRST_LOGIC_AND);
    /* inside logic a quoted value is unquoted and may contain , */
    assert_string_equal(o->children[2].children[1].filter.value, "x,y");
    const pgrst_logic_t *n = &q.where[2];
    assert_true(n->negated);
    assert_int_equal(n->kind, PGRST_LOGIC_OR);
    assert_int_equal(n->children[0].filter.list_len, 2);
    /* {..} arrays are kept whole (pPgArray) */
    assert_string_equal(n->children[1].filter.value, "{a,b}");
    assert_int_equal(q.where[3].relation_len, 1);
    assert_string_equal(q.where[3].relation[0], "clients");
}

static void test_logic_nesting_cap(void **state)
{
    (void)state;
    char qs[2048] = "or=(";
    for (int i = 0; i < MOCK_MAX_NESTING + 2; i++)
        strcat(qs, "and(");
    strcat(qs, "a.eq.1");
    for (int i = 0; i < MOCK_MAX_NESTING + 2; i++)
        strcat(qs, ")");
    strcat(qs, ")");
    pgrst_query_t q;
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(pgrst_query_parse(A, qs, &q, &err), -1);
    assert_string_equal(err.code, "PGRST100");
    pgrst_error_dispose(&err);
}

static void test_select(void **state)
{
    (void)state;
    pgrst_query_t q = parse_ok("id=eq.1");
    assert_int_equal(q.select_count, 1);
    assert_true(q.select[0].star);

    q = parse_ok(
        "select=%20id%20,%20alias:name,total::text,data->a->>b,%22quoted%20name%22,x:d->0::int");
    assert_int_equal(q.select_count, 6);
    assert_string_equal(q.select[0].field.name, "id");
    assert_string_equal(q.select[1].alias, "alias");
    assert_string_equal(q.select[1].field.name, "name");
    assert_string_equal(q.select[2].cast, "text");
    assert_int_equal(q.select[3].field.path_len, 2);
    assert_string_equal(q.select[4].field.name, "quoted name");
    assert_string_equal(q.select[5].alias, "x");
    assert_string_equal(q.select[5].cast, "int");
    assert_true(q.select[5].field.path[0].is_index);

    q = parse_ok("select=*,owner:users!author_id!inner(id,name),...profiles(bio),tasks(*,sub(*)),"
                 "count(),amount.sum()::int");
    assert_int_equal(q.select_count, 6);
    assert_true(q.select[0].star);
    const pgrst_select_item_t *e = &q.select[1];
    assert_true(e->is_embed);
    assert_string_equal(e->alias, "owner");
    assert_string_equal(e->embed_name, "users");
    assert_string_equal(e->embed_hint, "author_id");
    assert_string_equal(e->join_type, "inner");
    assert_int_equal(e->child_count, 2);
    assert_true(q.select[2].is_spread);
    assert_true(q.select[2].is_embed);
    assert_int_equal(q.select[3].child_count, 2);
    assert_true(q.select[3].children[1].is_embed);
    assert_true(q.select[4].is_aggregate);
    assert_string_equal(q.select[4].aggregate, "count");
    assert_false(q.select[4].is_embed); /* count( is not a relation (guard) */
    assert_true(q.select[5].is_aggregate);
    assert_string_equal(q.select[5].aggregate, "sum");
    assert_string_equal(q.select[5].aggregate_cast, "int");

    q = parse_ok("select="); /* sepBy: an empty select is an empty list */
    assert_int_equal(q.select_count, 0);
}

/* QueryParams.hs: rel.limit / rel.offset keyed by their embed path (the
 * offsets map to the same key as the limits), and filters, logic trees and
 * orders of embedded resources carrying their paths. */
static void test_embed_params(void **state)
{
    (void)state;
    pgrst_query_t q = parse_ok("select=id,projects(id,tasks(id))&projects.limit=2&projects.offset=1"
                               "&projects.tasks.limit=x&projects.limit=3&limit=5&tasks.offset=4"
                               "&projects.tasks.name=like.D*&projects.or=(id.eq.1,id.eq.2)"
                               "&projects=not.is.null");
    assert_int_equal(q.limit, 5);
    assert_int_equal(q.embed_range_count, 3);
    const pgrst_embed_range_t *r = q.embed_ranges;
    assert_int_equal(r[0].relation_len, 1);
    assert_string_equal(r[0].relation[0], "projects");
    assert_int_equal(r[0].limit, 3); /* the last one sent */
    assert_int_equal(r[0].offset, 1);
    assert_int_equal(r[1].relation_len, 2);
    assert_string_equal(r[1].relation[1], "tasks");
    assert_int_equal(r[1].limit, -1); /* unreadable: readMaybe gives Nothing */
    assert_string_equal(r[2].relation[0], "tasks");
    assert_int_equal(r[2].limit, -1);
    assert_int_equal(r[2].offset, 4);
    assert_int_equal(q.where_count, 3);
    assert_int_equal(q.where[0].filter.field.relation_len, 2);
    assert_string_equal(q.where[0].filter.field.name, "name");
    assert_int_equal(q.where[1].kind, PGRST_LOGIC_OR);
    assert_int_equal(q.where[1].relation_len, 1);
    assert_string_equal(q.where[1].relation[0], "projects");
    /* `projects=not.is.null` is an ordinary filter here; the engine sees
     * that projects names an embed (Plan.hs addNullEmbedFilters). */
    assert_int_equal(q.where[2].filter.field.relation_len, 0);
    assert_string_equal(q.where[2].filter.field.name, "projects");
    assert_true(q.where[2].filter.negated);
    assert_int_equal(q.where[2].filter.op, PGRST_OP_IS);

    /* an empty embed and a spread keep their (empty) select lists */
    q = parse_ok("select=id,clients(),...users!inner(name)");
    assert_int_equal(q.select_count, 3);
    assert_true(q.select[1].is_embed);
    assert_int_equal(q.select[1].child_count, 0);
    assert_true(q.select[2].is_spread);
    assert_string_equal(q.select[2].join_type, "inner");
    assert_int_equal(q.select[2].child_count, 1);
}

static void test_order(void **state)
{
    (void)state;
    pgrst_query_t q = parse_ok("order=name.desc.nullslast,id,data->>x.asc,age.nullsfirst,clients("
                               "name).desc&clients.order=id.desc&order=ignored.asc");
    assert_int_equal(q.order_count, 6);
    assert_string_equal(q.order[0].field.name, "name");
    assert_int_equal(q.order[0].dir, PGRST_ORDER_DESC);
    assert_int_equal(q.order[0].nulls, PGRST_NULLS_LAST);
    assert_int_equal(q.order[1].dir, PGRST_ORDER_DEFAULT);
    assert_int_equal(q.order[2].dir, PGRST_ORDER_ASC);
    assert_string_equal(q.order[2].field.path[0].key, "x");
    assert_int_equal(q.order[3].nulls, PGRST_NULLS_FIRST);
    assert_string_equal(q.order[4].related, "clients");
    assert_string_equal(q.order[4].field.name, "name");
    assert_int_equal(q.order[5].field.relation_len, 1);
    assert_string_equal(q.order[5].field.relation[0], "clients");
}

/* rc of pgrst_query_parse, with the code it set ("" for none). */
static int parse_rc(const char *qs, char code[16])
{
    pgrst_query_t q;
    pgrst_error_t err;
    pgrst_error_init(&err);
    int rc = pgrst_query_parse(A, qs, &q, &err);
    strcpy(code, err.code);
    pgrst_error_dispose(&err);
    return rc;
}

/* A parameter that is not UTF-8 makes PostgREST's T.decodeUtf8 throw where
 * QueryParams.parse first reads it (derived: Haskell's lazy evaluation of
 * qParams in QueryParams.hs, and ApiRequest.getRanges for limit/offset). */
static void test_not_utf8(void **state)
{
    (void)state;
    static const char *const thrown[] = {
        "a=eq.%FF",
        "%FF=eq.1",
        "select=%FF",
        "order=%FF",
        "or=(a.eq.%FF)",
        "columns=%FF",
        "on_conflict=%FF",
        "limit=%FF",
        "x.offset=%FF",
        "select=a&%FF",
        "order=a&b=eq.%C0%80",
        /* a key is read before any filter value: */ "a=eq.1&%FF=x",
    };
    char code[16];
    for (size_t i = 0; i < sizeof thrown / sizeof thrown[0]; i++) {
        int rc = parse_rc(thrown[i], code);
        if (rc != PGRST_QUERY_NOT_UTF8 || code[0])
            fail_msg("%s: rc %d code %s", thrown[i], rc, code);
    }
    /* Read after a failing parse, or never read at all. */
    static const char *const not_thrown[] = {
        "order=a.x&%FF=eq.1",                /* the order parameter fails first */
        "a=x&b=eq.%FF",                      /* the first filter fails first */
        "select=a&select=%FF",               /* lookupParam takes the first */
        "select=&columns=&on_conflict=&%FF", /* no lookup passes the valueless key */
    };
    for (size_t i = 0; i < sizeof not_thrown / sizeof not_thrown[0]; i++) {
        int rc = parse_rc(not_thrown[i], code);
        if (rc == PGRST_QUERY_NOT_UTF8)
            fail_msg("%s: thrown", not_thrown[i]);
    }
    assert_int_equal(parse_rc("limit=-1&offset=%FF", code), PGRST_QUERY_NOT_UTF8);
}

/* A decoded %00: Parsec reads it as a character; a filter value is cut at
 * it (libpq reads a text parameter up to its first NUL). */
static void test_nul(void **state)
{
    (void)state;
    pgrst_query_t q = parse_ok("select=%00");
    assert_int_equal(q.select_count, 0); /* sepBy, no eof: as select= */
    assert_string_equal(q.params[0].value, URL_NUL);
    q = parse_ok("a=eq.5%00x&limit=1%00");
    assert_string_equal(q.where[0].filter.value, "5");
    assert_int_equal(q.limit, -1); /* readMaybe "1\NUL" is Nothing */
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(pgrst_query_parse(A, "select=id%00", &q, &err), -1);
    assert_string_equal(err.message,
                        "\"failed to parse select parameter (id" URL_NUL ")\" (line 1, column 3)");
    buf_t b;
    buf_init(&b);
    pgrst_error_body(&err, &b);
    assert_non_null(strstr(buf_cstr(&b), "(id\\u0000)"));
    buf_dispose(&b);
    pgrst_error_dispose(&err);
}

static void test_limits_columns_decoding(void **state)
{
    (void)state;
    pgrst_query_t q = parse_ok("limit=10&offset=5");
    assert_int_equal(q.limit, 10);
    assert_int_equal(q.offset, 5);
    q = parse_ok("limit=0");
    assert_int_equal(q.limit, 0);
    q = parse_ok("id=eq.1");
    assert_int_equal(q.limit, -1);
    assert_int_equal(q.offset, 0);
    /* readMaybe fails: PostgREST ignores the value (restrictRange Nothing) */
    q = parse_ok("limit=abc&offset=x");
    assert_int_equal(q.limit, -1);
    assert_int_equal(q.offset, 0);
    q = parse_ok("limit=1&limit=3"); /* HM.fromList: the last wins */
    assert_int_equal(q.limit, 3);

    q = parse_ok("columns=%22a%22,%22b%22&on_conflict=id,%20name");
    assert_int_equal(q.column_count, 2);
    assert_string_equal(q.columns[1], "b");
    assert_int_equal(q.on_conflict_count, 2);
    assert_string_equal(q.on_conflict[1], "name");

    /* columns= is a Set in PostgREST (QueryParams.hs pRequestColumns:
     * S.fromList), so a repeated name counts once and the names come in
     * ascending order; on_conflict stays the list it was. */
    q = parse_ok("columns=full_name,email,full_name,%22full_name%22,email&on_conflict=b,a,b");
    assert_int_equal(q.column_count, 2);
    assert_string_equal(q.columns[0], "email");
    assert_string_equal(q.columns[1], "full_name");
    assert_int_equal(q.on_conflict_count, 3);
    assert_string_equal(q.on_conflict[0], "b");
    assert_string_equal(q.on_conflict[2], "b");

    /* + is a space, %XX decoded, keys without = dropped, ; separates too (http-types) */
    q = parse_ok("?name=eq.a+b%2Cc&flag&x=eq.%zz;y=eq.1");
    assert_int_equal(q.param_count, 3);
    assert_string_equal(q.params[0].value, "eq.a b,c");
    assert_string_equal(q.where[0].filter.value, "a b,c");
    assert_string_equal(q.where[1].filter.value, "%zz");
    assert_string_equal(q.params[2].key, "y");
}

/* ------------------------------------------------------------------ */
/* Prefer                                                               */
/* ------------------------------------------------------------------ */

static void test_prefer(void **state)
{
    (void)state;
    mock_header_t hs[] = {
        {"prefer", "count=exact,    tx=commit   ,return=representation , missing=default, "
                   "handling=strict, anything"},
        {"content-type", "application/json"},
        {"prefer", "return=minimal, timezone=America/Los_Angeles, max-affected=100, Count=exact, "},
    };
    mock_request_t req;
    memset(&req, 0, sizeof req);
    req.headers = hs;
    req.header_count = 3;
    pgrst_prefer_t p;
    pgrst_prefer_parse(A, &req, &p);
    /* Preferences.hs doctest "arbitrary amounts of space" */
    assert_int_equal(p.count, PGRST_COUNT_EXACT);
    assert_int_equal(p.tx, PGRST_TX_COMMIT);
    assert_int_equal(p.ret, PGRST_RETURN_REPRESENTATION); /* first per family wins */
    assert_int_equal(p.missing, PGRST_MISSING_DEFAULT);
    assert_int_equal(p.handling, PGRST_HANDLING_STRICT);
    assert_string_equal(p.timezone, "America/Los_Angeles");
    assert_int_equal(p.max_affected, 100);
    assert_int_equal(p.resolution, PGRST_RESOLUTION_UNSET);
    /* case-sensitive; the empty token after a trailing comma is invalid too */
    assert_int_equal(p.invalid_count, 3);
    assert_string_equal(p.invalid[0], "anything");
    assert_string_equal(p.invalid[1], "Count=exact");
    assert_string_equal(p.invalid[2], "");

    mock_header_t h2[] = {
        {"prefer", "resolution=ignore-duplicates"},
        {"prefer", "resolution=merge-duplicates, return=headers-only, max-affected=x"}};
    req.headers = h2;
    req.header_count = 2;
    pgrst_prefer_parse(A, &req, &p);
    assert_int_equal(p.resolution, PGRST_RESOLUTION_IGNORE);
    assert_int_equal(p.ret, PGRST_RETURN_HEADERS_ONLY);
    assert_int_equal(p.max_affected, -1); /* readMaybe fails; not "invalid" either */
    assert_int_equal(p.invalid_count, 0);
    assert_null(p.timezone);

    req.header_count = 0;
    pgrst_prefer_parse(A, &req, &p);
    assert_int_equal(p.ret, PGRST_RETURN_UNSET);
    assert_int_equal(p.max_affected, -1);
}

/* Preferences.hs (v14) fromHeaders: a zone outside the cached names is not
 * applied, and every timezone= token is then invalid, in token order. */
static bool only_la(void *arg, const char *name)
{
    (void)arg;
    return strcmp(name, "America/Los_Angeles") == 0;
}

static void test_prefer_timezone(void **state)
{
    (void)state;
    mock_header_t hs[] = {
        {"prefer", "nope, timezone=Invalid/Timezone, timezone=UTC, return=minimal"}};
    mock_request_t req;
    memset(&req, 0, sizeof req);
    req.headers = hs;
    req.header_count = 1;
    pgrst_prefer_t p;
    pgrst_prefer_parse_tz(A, &req, only_la, NULL, &p);
    assert_null(p.timezone);
    assert_int_equal(p.ret, PGRST_RETURN_MINIMAL);
    assert_int_equal(p.invalid_count, 3);
    assert_string_equal(p.invalid[0], "nope");
    assert_string_equal(p.invalid[1], "timezone=Invalid/Timezone");
    assert_string_equal(p.invalid[2], "timezone=UTC");

    /* The first value decides; later ones are then accepted too. */
    mock_header_t h2[] = {{"prefer", "timezone=America/Los_Angeles, timezone=Bad/Zone"}};
    req.headers = h2;
    pgrst_prefer_parse_tz(A, &req, only_la, NULL, &p);
    assert_string_equal(p.timezone, "America/Los_Angeles");
    assert_int_equal(p.invalid_count, 0);
}

/* ------------------------------------------------------------------ */
/* Accept and Range                                                     */
/* ------------------------------------------------------------------ */

/* Plan.hs inspectPlan: the root produces openapi+json, json or any type,
 * whatever the order and q-values; anything else is MediaTypeError. */
static void test_accept_root(void **state)
{
    (void)state;
    static const char *const ok[] = {NULL,
                                     "*/*",
                                     "application/openapi+json",
                                     "application/json",
                                     "text/csv, application/json;q=0.1",
                                     "application/openapi+json;charset=utf-8"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        pgrst_error_t err;
        pgrst_error_init(&err);
        assert_int_equal(pgrst_accept_root(ok[i], &err), 0);
        pgrst_error_dispose(&err);
    }
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(pgrst_accept_root("text/csv", &err), -1);
    assert_string_equal(err.code, "PGRST107");
    assert_string_equal(err.message, "None of these media types are available: text/csv");
    pgrst_error_dispose(&err);
    pgrst_error_init(&err);
    assert_int_equal(pgrst_accept_root("application/vnd.pgrst.object+json", &err), -1);
    pgrst_error_dispose(&err);
}

static void test_accept(void **state)
{
    (void)state;
    static const struct {
        const char *accept;
        pgrst_media_t media;
        bool stripped;
    } ok[] = {
        {NULL, PGRST_MEDIA_JSON, false},
        {"*/*", PGRST_MEDIA_JSON, false},
        {"application/json", PGRST_MEDIA_JSON, false},
        {"application/vnd.pgrst.object+json", PGRST_MEDIA_OBJECT, false},
        {"ApplicatIon/vnd.PgRsT.object+json", PGRST_MEDIA_OBJECT, false}, /* MediaType.hs doctest */
        {"application/vnd.pgrst.object+json;nulls=stripped", PGRST_MEDIA_OBJECT, true},
        {"application/vnd.pgrst.array+json;nulls=stripped", PGRST_MEDIA_JSON, true},
        {"application/vnd.pgrst.array+json", PGRST_MEDIA_JSON, false},
        {"text/csv", PGRST_MEDIA_CSV, false},
        {"application/geo+json", PGRST_MEDIA_GEOJSON, false},
        /* q-values reorder (parseHttpAccept sorts by q, then specificity) */
        {"application/json;q=0.5, text/csv", PGRST_MEDIA_CSV, false},
        {"text/html, application/xhtml+xml, */*;q=0.8", PGRST_MEDIA_JSON, false},
        {"*/*, text/csv;q=1", PGRST_MEDIA_CSV, false}, /* equal q: fewer stars first */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        pgrst_accept_t a;
        pgrst_error_t err;
        pgrst_error_init(&err);
        if (pgrst_accept_parse(ok[i].accept, &a, &err) != 0)
            fail_msg("%s: %s", ok[i].accept, err.message);
        if (a.media != ok[i].media || a.nulls_stripped != ok[i].stripped)
            fail_msg("%s: media %d stripped %d", ok[i].accept, a.media, a.nulls_stripped);
        pgrst_error_dispose(&err);
    }

    static const struct {
        const char *accept, *message;
    } bad[] = {
        /* the list is the parsed Accept: spaces removed, q dropped, sorted by q */
        {"text/html", "None of these media types are available: text/html"},
        {"text/plain;q=0.2, application/xml",
         "None of these media types are available: application/xml, text/plain"},
        {"application/*", "None of these media types are available: application/*"},
        {"application/vnd.pgrst.plan+json",
         "None of these media types are available: application/vnd.pgrst.plan+json"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pgrst_accept_t a;
        pgrst_error_t err;
        pgrst_error_init(&err);
        assert_int_equal(pgrst_accept_parse(bad[i].accept, &a, &err), -1);
        assert_string_equal(err.code, "PGRST107");
        assert_string_equal(err.message, bad[i].message);
        assert_int_equal(pgrst_error_status(&err, false), 406);
        pgrst_error_dispose(&err);
    }
}

/* application/vnd.pgrst.plan with db-plan-enabled: MediaType.hs
 * decodeMediaType's doctests and the Content-Types PlanSpec.hs expects. */
static void test_accept_plan(void **state)
{
    (void)state;
    static const struct {
        const char *accept;
        bool json;
        unsigned options;
        const char *for_mime;
        pgrst_media_t media;
    } ok[] = {
        {"application/vnd.pgrst.plan;", false, 0, "application/json", PGRST_MEDIA_JSON},
        {"application/vnd.pgrst.plan;for=\"application/json\"", false, 0, "application/json",
         PGRST_MEDIA_JSON},
        {"application/vnd.pgrst.plan+json;for=\"text/csv\"", true, 0, "text/csv", PGRST_MEDIA_CSV},
        {"application/vnd.pgrst.plan+text; for=\"application/vnd.pgrst.object\"; "
         "options=wal|analyze|nope",
         false, PGRST_PLAN_ANALYZE | PGRST_PLAN_WAL, "application/vnd.pgrst.object+json",
         PGRST_MEDIA_OBJECT},
        {"application/vnd.pgrst.plan+json; options=buffers|settings|verbose", true,
         PGRST_PLAN_BUFFERS | PGRST_PLAN_SETTINGS | PGRST_PLAN_VERBOSE, "application/json",
         PGRST_MEDIA_JSON},
        {"application/vnd.pgrst.plan+json; for=\"*/*\"", true, 0, "*/*", PGRST_MEDIA_JSON},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        pgrst_accept_t a;
        pgrst_error_t err;
        pgrst_error_init(&err);
        if (pgrst_accept_parse_plan(ok[i].accept, true, &a, &err) != 0)
            fail_msg("%s: %s", ok[i].accept, err.message);
        assert_true(a.plan.on);
        assert_int_equal(a.plan.json, ok[i].json);
        assert_int_equal(a.plan.options, ok[i].options);
        assert_string_equal(a.plan.for_mime, ok[i].for_mime);
        assert_int_equal(a.media, ok[i].media);
        pgrst_error_dispose(&err);
    }
    /* A plan for what the endpoint does not produce, or with plans off, is
     * no match (Negotiate.hs: lookupHandler, mtPlanToNothing). */
    const char *refused[][2] = {
        {"application/vnd.pgrst.plan+json; for=\"text/xml\"", "1"},
        {"application/vnd.pgrst.plan+json", "0"},
    };
    for (size_t i = 0; i < 2; i++) {
        pgrst_accept_t a;
        pgrst_error_t err;
        pgrst_error_init(&err);
        assert_int_equal(pgrst_accept_parse_plan(refused[i][0], refused[i][1][0] == '1', &a, &err),
                         -1);
        assert_string_equal(err.code, "PGRST107");
        assert_false(a.plan.on);
        pgrst_error_dispose(&err);
    }
    /* Plans off, the other types negotiate as before. */
    pgrst_accept_t a;
    pgrst_error_t err;
    pgrst_error_init(&err);
    assert_int_equal(
        pgrst_accept_parse_plan("application/vnd.pgrst.plan, text/csv", false, &a, &err), 0);
    assert_int_equal(a.media, PGRST_MEDIA_CSV);
    assert_false(a.plan.on);
    pgrst_error_dispose(&err);
}

static void test_range(void **state)
{
    (void)state;
    int64_t from = -7, to = -7;
    assert_int_equal(pgrst_range_parse("0-9", &from, &to), 0);
    assert_int_equal(from, 0);
    assert_int_equal(to, 9);
    assert_int_equal(pgrst_range_parse("10-", &from, &to), 0);
    assert_int_equal(from, 10);
    assert_int_equal(to, -1);
    assert_int_equal(pgrst_range_parse(NULL, &from, &to), 1);
    assert_int_equal(pgrst_range_parse("items=0-9", &from, &to), 1);
    assert_int_equal(pgrst_range_parse("-9", &from, &to), 1);
    assert_int_equal(pgrst_range_parse("1-2-3", &from, &to), 1);
    assert_int_equal(pgrst_range_parse("1 - 2", &from, &to), 1);
}

/* ------------------------------------------------------------------ */
/* Fast paths agree with the grammar                                    */
/* ------------------------------------------------------------------ */

static void same_str(const char *what, const char *a, const char *b)
{
    if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
        fail_msg("%s differs: %s vs %s", what, a ? a : "NULL", b ? b : "NULL");
}

static void test_fast_paths_match_the_parser(void **state)
{
    (void)state;
    /* pgrst_query_parse takes plain `col=op.value` filters without the parser;
     * pgrst_filter_parse always runs the grammar. Both must give the same. */
    static const char *const cases[][2] = {
        {"user_id", "eq.13ab4cf1-8587-4685-874b-c2d37beeab38"},
        {"a", "gte.5"},
        {"a", "gt.5"},
        {"a", "lt.-1"},
        {"a", "lte."},
        {"a", "neq.x.y.z"},
        {"email", "like.*x*"},
        {"email", "ilike.A%"},
        {"n", "match.^a(b"},
        {"n", "imatch.[x"},
        {"t", "cs.{1,2}"},
        {"t", "cd.{}"},
        {"t", "ov.{a}"},
        {"r", "sl.[1,2)"},
        {"r", "sr.x"},
        {"r", "nxr.x"},
        {"r", "nxl.x"},
        {"r", "adj.x"},
        {"_x9", "eq.a,b)(c"},
        {"Col", "eq.ünïcode"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char qs[256];
        snprintf(qs, sizeof qs, "%s=%s", cases[i][0], cases[i][1]);
        pgrst_query_t q = parse_ok(qs);
        assert_int_equal(q.where_count, 1);
        const pgrst_logic_t *fast = &q.where[0];
        pgrst_logic_t slow;
        pgrst_error_t err;
        pgrst_error_init(&err);
        assert_int_equal(pgrst_filter_parse(A, cases[i][0], cases[i][1], &slow, &err), 0);
        assert_int_equal(fast->kind, slow.kind);
        assert_int_equal(fast->negated, slow.negated);
        assert_int_equal(fast->relation_len, slow.relation_len);
        assert_int_equal(fast->filter.negated, slow.filter.negated);
        assert_int_equal(fast->filter.op, slow.filter.op);
        assert_int_equal(fast->filter.quant, slow.filter.quant);
        assert_int_equal(fast->filter.is_value, slow.filter.is_value);
        assert_int_equal(fast->filter.list_len, slow.filter.list_len);
        assert_true((fast->filter.list == NULL) == (slow.filter.list == NULL));
        same_str("value", fast->filter.value, slow.filter.value);
        same_str("raw_value", fast->filter.raw_value, slow.filter.raw_value);
        same_str("fts_language", fast->filter.fts_language, slow.filter.fts_language);
        same_str("field", fast->filter.field.name, slow.filter.field.name);
        assert_int_equal(fast->filter.field.path_len, slow.filter.field.path_len);
        assert_int_equal(fast->filter.field.relation_len, slow.filter.field.relation_len);
    }
    /* An absent select is what parsing "*" gives. */
    pgrst_query_t absent = parse_ok("");
    pgrst_query_t star = parse_ok("select=*");
    assert_int_equal(absent.select_count, 1);
    assert_int_equal(star.select_count, 1);
    const pgrst_select_item_t *a = &absent.select[0], *b = &star.select[0];
    assert_int_equal(a->star, b->star);
    assert_int_equal(a->is_embed, b->is_embed);
    assert_int_equal(a->is_aggregate, b->is_aggregate);
    assert_int_equal(a->is_spread, b->is_spread);
    assert_int_equal(a->child_count, b->child_count);
    assert_int_equal(a->field.path_len, b->field.path_len);
    assert_int_equal(a->field.relation_len, b->field.relation_len);
    same_str("alias", a->alias, b->alias);
    same_str("cast", a->cast, b->cast);
    same_str("name", a->field.name, b->field.name);
    same_str("embed_name", a->embed_name, b->embed_name);
    same_str("aggregate", a->aggregate, b->aggregate);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_negation_is_in_fts),
        cmocka_unit_test(test_fields_and_paths),
        cmocka_unit_test(test_logic),
        cmocka_unit_test(test_logic_nesting_cap),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_embed_params),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_limits_columns_decoding),
        cmocka_unit_test(test_not_utf8),
        cmocka_unit_test(test_nul),
        cmocka_unit_test(test_prefer),
        cmocka_unit_test(test_prefer_timezone),
        cmocka_unit_test(test_accept_root),
        cmocka_unit_test(test_accept),
        cmocka_unit_test(test_accept_plan),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_fast_paths_match_the_parser),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
