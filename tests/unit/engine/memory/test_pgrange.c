/* pgrange: range input, output and operators as PostgreSQL 15 answers them
 * (session TimeZone UTC). Each expectation is that server's answer: for
 * inputs, SELECT 'TEXT'::TYPE::text (or its error and DETAIL); for the
 * operators, SELECT 'A'::int4range OP 'B'::int4range (and numrange) for OP in
 * <<, >>, &<, &>, -|-, &&, @>, <@, =, <. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pgrange.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    pgtype_kind_t kind;
    const char *in, *out, *message, *detail;
} inputs[] = {
    {PGTYPE_INT4RANGE, "[1,5)", "[1,5)", NULL, NULL},
    {PGTYPE_INT4RANGE, "(1,5]", "[2,6)", NULL, NULL},
    {PGTYPE_INT4RANGE, "[1,1)", "empty", NULL, NULL},
    {PGTYPE_INT4RANGE, "[,5]", "(,6)", NULL, NULL},
    {PGTYPE_INT4RANGE, "(,)", "(,)", NULL, NULL},
    {PGTYPE_INT4RANGE, " empty ", "empty", NULL, NULL},
    {PGTYPE_INT4RANGE, "[ 1 , 5 ]", "[1,6)", NULL, NULL},
    {PGTYPE_INT4RANGE, "(1,2)", "empty", NULL, NULL},
    {PGTYPE_INT4RANGE, "[\"1\",2]", "[1,3)", NULL, NULL},
    {PGTYPE_INT8RANGE, "[1,5]", "[1,6)", NULL, NULL},
    {PGTYPE_NUMRANGE, "[1.5,2.50]", "[1.5,2.50]", NULL, NULL},
    {PGTYPE_NUMRANGE, "(1.5,1.5]", "empty", NULL, NULL},
    {PGTYPE_NUMRANGE, "[1.5,1.5]", "[1.5,1.5]", NULL, NULL},
    {PGTYPE_DATERANGE, "[2018-01-01,2018-01-05]", "[2018-01-01,2018-01-06)", NULL, NULL},
    {PGTYPE_DATERANGE, "(2018-01-01,)", "[2018-01-02,)", NULL, NULL},
    {PGTYPE_TSRANGE, "[\"2018-10-11 00:00:00\",]", "[\"2018-10-11 00:00:00\",)", NULL, NULL},
    {PGTYPE_TSRANGE, "[2018-10-11,2018-10-12)", "[\"2018-10-11 00:00:00\",\"2018-10-12 00:00:00\")",
     NULL, NULL},
    {PGTYPE_TSTZRANGE, "[2018-10-11 10:00,]", "[\"2018-10-11 10:00:00+00\",)", NULL, NULL},
    {PGTYPE_INT4RANGE, "3", NULL, "malformed range literal: \"3\"",
     "Missing left parenthesis or bracket."},
    {PGTYPE_INT4RANGE, "[1", NULL, "malformed range literal: \"[1\"", "Unexpected end of input."},
    {PGTYPE_INT4RANGE, "[1,2,3]", NULL, "malformed range literal: \"[1,2,3]\"", "Too many commas."},
    {PGTYPE_INT4RANGE, "[1,2]x", NULL, "malformed range literal: \"[1,2]x\"",
     "Junk after right parenthesis or bracket."},
    {PGTYPE_INT4RANGE, "[5,1]", NULL,
     "range lower bound must be less than or equal to range upper bound", NULL},
    {PGTYPE_INT4RANGE, "[a,2]", NULL, "invalid input syntax for type integer: \"a\"", NULL},
    {PGTYPE_INT4RANGE, "[1,2147483647]", NULL, "integer out of range", NULL},
    {PGTYPE_INT4RANGE, "[1)", NULL, "malformed range literal: \"[1)\"",
     "Missing comma after lower bound."},
};

static void test_input_output(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        pgtype_t t = {.kind = inputs[i].kind, .length = -1};
        pgvalue_t v;
        pgrst_error_t err;
        pgrst_error_init(&err);
        int rc = pgvalue_from_text(&t, inputs[i].in, strlen(inputs[i].in), &v, &err);
        if (inputs[i].out) {
            if (rc != 0)
                fail_msg("%s: %s", inputs[i].in, err.message);
            buf_t b;
            buf_init(&b);
            pgvalue_render_text(&t, &v, &b);
            assert_string_equal(buf_cstr(&b), inputs[i].out);
            buf_dispose(&b);
            buf_init(&b);
            pgvalue_render_json(&t, &v, &b);
            buf_t want;
            buf_init(&want);
            buf_put_json_string(&want, inputs[i].out);
            assert_string_equal(buf_cstr(&b), buf_cstr(&want)); /* row_to_json: a string */
            buf_dispose(&b);
            buf_dispose(&want);
            pgvalue_dispose(&v);
        } else {
            assert_int_equal(rc, -1);
            assert_string_equal(err.message, inputs[i].message);
            if (inputs[i].detail)
                assert_string_equal(err.details, inputs[i].detail);
        }
        pgrst_error_dispose(&err);
    }
}

typedef struct op_case {
    const char *a, *b;
    bool r[10]; /* <<, >>, &<, &>, -|-, &&, @>, <@, =, < */
} op_case_t;

static const op_case_t int4_ops[] = {
    {"[1,5)", "[1,5)", {false, false, true, true, false, true, true, true, true, false}},
    {"[1,5)", "[5,7)", {true, false, true, false, true, false, false, false, false, true}},
    {"[1,5)", "[3,8)", {false, false, true, false, false, true, false, false, false, true}},
    {"[1,5)", "[6,9)", {true, false, true, false, false, false, false, false, false, true}},
    {"[1,5)", "empty", {false, false, false, false, false, false, true, false, false, false}},
    {"[1,5)", "(,3)", {false, false, false, true, false, true, false, false, false, false}},
    {"[1,5)", "[2,4)", {false, false, false, false, false, true, true, false, false, true}},
    {"[1,5)", "(,)", {false, false, true, true, false, true, false, true, false, false}},
    {"[1,5)", "[0,1)", {false, true, false, true, true, false, false, false, false, false}},
    {"[5,7)", "[1,5)", {false, true, false, true, true, false, false, false, false, false}},
    {"[5,7)", "[5,7)", {false, false, true, true, false, true, true, true, true, false}},
    {"[5,7)", "[3,8)", {false, false, true, true, false, true, false, true, false, false}},
    {"[5,7)", "[6,9)", {false, false, true, false, false, true, false, false, false, true}},
    {"[5,7)", "empty", {false, false, false, false, false, false, true, false, false, false}},
    {"[5,7)", "(,3)", {false, true, false, true, false, false, false, false, false, false}},
    {"[5,7)", "[2,4)", {false, true, false, true, false, false, false, false, false, false}},
    {"[5,7)", "(,)", {false, false, true, true, false, true, false, true, false, false}},
    {"[5,7)", "[0,1)", {false, true, false, true, false, false, false, false, false, false}},
    {"[3,8)", "[1,5)", {false, false, false, true, false, true, false, false, false, false}},
    {"[3,8)", "[5,7)", {false, false, false, false, false, true, true, false, false, true}},
    {"[3,8)", "[3,8)", {false, false, true, true, false, true, true, true, true, false}},
    {"[3,8)", "[6,9)", {false, false, true, false, false, true, false, false, false, true}},
    {"[3,8)", "empty", {false, false, false, false, false, false, true, false, false, false}},
    {"[3,8)", "(,3)", {false, true, false, true, true, false, false, false, false, false}},
    {"[3,8)", "[2,4)", {false, false, false, true, false, true, false, false, false, false}},
    {"[3,8)", "(,)", {false, false, true, true, false, true, false, true, false, false}},
    {"[3,8)", "[0,1)", {false, true, false, true, false, false, false, false, false, false}},
    {"[6,9)", "[1,5)", {false, true, false, true, false, false, false, false, false, false}},
    {"[6,9)", "[5,7)", {false, false, false, true, false, true, false, false, false, false}},
    {"[6,9)", "[3,8)", {false, false, false, true, false, true, false, false, false, false}},
    {"[6,9)", "[6,9)", {false, false, true, true, false, true, true, true, true, false}},
    {"[6,9)", "empty", {false, false, false, false, false, false, true, false, false, false}},
    {"[6,9)", "(,3)", {false, true, false, true, false, false, false, false, false, false}},
    {"[6,9)", "[2,4)", {false, true, false, true, false, false, false, false, false, false}},
    {"[6,9)", "(,)", {false, false, true, true, false, true, false, true, false, false}},
    {"[6,9)", "[0,1)", {false, true, false, true, false, false, false, false, false, false}},
    {"empty", "[1,5)", {false, false, false, false, false, false, false, true, false, true}},
    {"empty", "[5,7)", {false, false, false, false, false, false, false, true, false, true}},
    {"empty", "[3,8)", {false, false, false, false, false, false, false, true, false, true}},
    {"empty", "[6,9)", {false, false, false, false, false, false, false, true, false, true}},
    {"empty", "empty", {false, false, false, false, false, false, true, true, true, false}},
    {"empty", "(,3)", {false, false, false, false, false, false, false, true, false, true}},
    {"empty", "[2,4)", {false, false, false, false, false, false, false, true, false, true}},
    {"empty", "(,)", {false, false, false, false, false, false, false, true, false, true}},
    {"empty", "[0,1)", {false, false, false, false, false, false, false, true, false, true}},
    {"(,3)", "[1,5)", {false, false, true, false, false, true, false, false, false, true}},
    {"(,3)", "[5,7)", {true, false, true, false, false, false, false, false, false, true}},
    {"(,3)", "[3,8)", {true, false, true, false, true, false, false, false, false, true}},
    {"(,3)", "[6,9)", {true, false, true, false, false, false, false, false, false, true}},
    {"(,3)", "empty", {false, false, false, false, false, false, true, false, false, false}},
    {"(,3)", "(,3)", {false, false, true, true, false, true, true, true, true, false}},
    {"(,3)", "[2,4)", {false, false, true, false, false, true, false, false, false, true}},
    {"(,3)", "(,)", {false, false, true, true, false, true, false, true, false, true}},
    {"(,3)", "[0,1)", {false, false, false, false, false, true, true, false, false, true}},
    {"[2,4)", "[1,5)", {false, false, true, true, false, true, false, true, false, false}},
    {"[2,4)", "[5,7)", {true, false, true, false, false, false, false, false, false, true}},
    {"[2,4)", "[3,8)", {false, false, true, false, false, true, false, false, false, true}},
    {"[2,4)", "[6,9)", {true, false, true, false, false, false, false, false, false, true}},
    {"[2,4)", "empty", {false, false, false, false, false, false, true, false, false, false}},
    {"[2,4)", "(,3)", {false, false, false, true, false, true, false, false, false, false}},
    {"[2,4)", "[2,4)", {false, false, true, true, false, true, true, true, true, false}},
    {"[2,4)", "(,)", {false, false, true, true, false, true, false, true, false, false}},
    {"[2,4)", "[0,1)", {false, true, false, true, false, false, false, false, false, false}},
    {"(,)", "[1,5)", {false, false, false, false, false, true, true, false, false, true}},
    {"(,)", "[5,7)", {false, false, false, false, false, true, true, false, false, true}},
    {"(,)", "[3,8)", {false, false, false, false, false, true, true, false, false, true}},
    {"(,)", "[6,9)", {false, false, false, false, false, true, true, false, false, true}},
    {"(,)", "empty", {false, false, false, false, false, false, true, false, false, false}},
    {"(,)", "(,3)", {false, false, false, true, false, true, true, false, false, false}},
    {"(,)", "[2,4)", {false, false, false, false, false, true, true, false, false, true}},
    {"(,)", "(,)", {false, false, true, true, false, true, true, true, true, false}},
    {"(,)", "[0,1)", {false, false, false, false, false, true, true, false, false, true}},
    {"[0,1)", "[1,5)", {true, false, true, false, true, false, false, false, false, true}},
    {"[0,1)", "[5,7)", {true, false, true, false, false, false, false, false, false, true}},
    {"[0,1)", "[3,8)", {true, false, true, false, false, false, false, false, false, true}},
    {"[0,1)", "[6,9)", {true, false, true, false, false, false, false, false, false, true}},
    {"[0,1)", "empty", {false, false, false, false, false, false, true, false, false, false}},
    {"[0,1)", "(,3)", {false, false, true, true, false, true, false, true, false, false}},
    {"[0,1)", "[2,4)", {true, false, true, false, false, false, false, false, false, true}},
    {"[0,1)", "(,)", {false, false, true, true, false, true, false, true, false, false}},
    {"[0,1)", "[0,1)", {false, false, true, true, false, true, true, true, true, false}},
};

static const op_case_t num_ops[] = {
    {"[1.5,2.5]", "[1.5,2.5]", {false, false, true, true, false, true, true, true, true, false}},
    {"[1.5,2.5]", "(2.5,3)", {true, false, true, false, true, false, false, false, false, true}},
    {"[1.5,2.5]", "[1,1.5)", {false, true, false, true, true, false, false, false, false, false}},
    {"[1.5,2.5]", "(,2]", {false, false, false, true, false, true, false, false, false, false}},
    {"[1.5,2.5]", "[2.5,2.5]", {false, false, true, false, false, true, true, false, false, true}},
    {"(2.5,3)", "[1.5,2.5]", {false, true, false, true, true, false, false, false, false, false}},
    {"(2.5,3)", "(2.5,3)", {false, false, true, true, false, true, true, true, true, false}},
    {"(2.5,3)", "[1,1.5)", {false, true, false, true, false, false, false, false, false, false}},
    {"(2.5,3)", "(,2]", {false, true, false, true, false, false, false, false, false, false}},
    {"(2.5,3)", "[2.5,2.5]", {false, true, false, true, true, false, false, false, false, false}},
    {"[1,1.5)", "[1.5,2.5]", {true, false, true, false, true, false, false, false, false, true}},
    {"[1,1.5)", "(2.5,3)", {true, false, true, false, false, false, false, false, false, true}},
    {"[1,1.5)", "[1,1.5)", {false, false, true, true, false, true, true, true, true, false}},
    {"[1,1.5)", "(,2]", {false, false, true, true, false, true, false, true, false, false}},
    {"[1,1.5)", "[2.5,2.5]", {true, false, true, false, false, false, false, false, false, true}},
    {"(,2]", "[1.5,2.5]", {false, false, true, false, false, true, false, false, false, true}},
    {"(,2]", "(2.5,3)", {true, false, true, false, false, false, false, false, false, true}},
    {"(,2]", "[1,1.5)", {false, false, false, false, false, true, true, false, false, true}},
    {"(,2]", "(,2]", {false, false, true, true, false, true, true, true, true, false}},
    {"(,2]", "[2.5,2.5]", {true, false, true, false, false, false, false, false, false, true}},
    {"[2.5,2.5]", "[1.5,2.5]", {false, false, true, true, false, true, false, true, false, false}},
    {"[2.5,2.5]", "(2.5,3)", {true, false, true, false, true, false, false, false, false, true}},
    {"[2.5,2.5]", "[1,1.5)", {false, true, false, true, false, false, false, false, false, false}},
    {"[2.5,2.5]", "(,2]", {false, true, false, true, false, false, false, false, false, false}},
    {"[2.5,2.5]", "[2.5,2.5]", {false, false, true, true, false, true, true, true, true, false}},
};

static void check_ops(pgtype_kind_t kind, const op_case_t *cases, size_t n)
{
    pgtype_t t = {.kind = kind, .length = -1};
    for (size_t i = 0; i < n; i++) {
        pgvalue_t a, b;
        pgrst_error_t err;
        pgrst_error_init(&err);
        assert_int_equal(pgvalue_from_text(&t, cases[i].a, strlen(cases[i].a), &a, &err), 0);
        assert_int_equal(pgvalue_from_text(&t, cases[i].b, strlen(cases[i].b), &b, &err), 0);
        bool got[10] = {
            pgrange_before(&t, &a, &b),       pgrange_after(&t, &a, &b),
            pgrange_overleft(&t, &a, &b),     pgrange_overright(&t, &a, &b),
            pgrange_adjacent(&t, &a, &b),     pgrange_overlaps(&t, &a, &b),
            pgrange_contains(&t, &a, &b),     pgrange_contains(&t, &b, &a),
            pgvalue_compare(&t, &a, &b) == 0, pgvalue_compare(&t, &a, &b) < 0,
        };
        for (size_t k = 0; k < 10; k++)
            if (got[k] != cases[i].r[k])
                fail_msg("%s op#%zu %s: got %d", cases[i].a, k, cases[i].b, got[k]);
        pgvalue_dispose(&a);
        pgvalue_dispose(&b);
        pgrst_error_dispose(&err);
    }
}

static void test_operators(void **state)
{
    (void)state;
    check_ops(PGTYPE_INT4RANGE, int4_ops, sizeof int4_ops / sizeof int4_ops[0]);
    check_ops(PGTYPE_NUMRANGE, num_ops, sizeof num_ops / sizeof num_ops[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input_output),
        cmocka_unit_test(test_operators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
