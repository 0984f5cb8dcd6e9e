/* tsearch: the text-search parser, configurations, tsvector and tsquery
 * against PostgreSQL 15 (Debian's postgresql-15, database encoding UTF8,
 * locale C.UTF-8, default_text_search_config pg_catalog.english). Every
 * expectation is that server's answer to the query quoted beside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tsquery.h"
#include "tsvector.h"

#include <stdlib.h>
#include <string.h>

static char *vector_of(const char *cfg_name, const char *text)
{
    ts_config_id_t cfg;
    assert_true(ts_config_lookup(cfg_name, &cfg));
    tsvector_t v;
    char *why = NULL;
    assert_int_equal(tsvector_from_text(cfg, text, strlen(text), &v, &why), 0);
    buf_t b;
    buf_init(&b);
    tsvector_render(&v, &b);
    tsvector_dispose(&v);
    return buf_steal(&b);
}

#define ASSERT_VECTOR(cfg, text, want)                                                             \
    do {                                                                                           \
        char *got_ = vector_of(cfg, text);                                                         \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

/* SELECT to_tsvector(CFG, TEXT) */
static void test_to_tsvector(void **state)
{
    (void)state;
    ASSERT_VECTOR("english", "It's kind of fun to do the impossible",
                  "'fun':5 'imposs':9 'kind':3");
    ASSERT_VECTOR("english",
                  "fun-loving fun-loving 3.14 v1.2.3 foo@bar.com b2c Spaß 42 -7 über_alles a.b.c",
                  "'-7':13 '3.14':7 '42':12 'a.b.c':16 'all':15 'b2c':10 'foo@bar.com':9 "
                  "'fun':2,5 'fun-lov':1,4 'love':3,6 'spaß':11 'v1.2.3':8 'über':14");
    ASSERT_VECTOR("simple", "The Fat Cats ate the rats, fat!",
                  "'ate':4 'cats':3 'fat':2,7 'rats':6 'the':1,5");
    ASSERT_VECTOR("french", "C'est un peu amusant de faire l'impossible",
                  "'amus':5 'fair':7 'impossibl':9 'peu':4");
    ASSERT_VECTOR("german", "Es ist eine Art Spaß, das Unmögliche zu machen",
                  "'art':4 'spass':5 'unmog':7");
    ASSERT_VECTOR("english", "self-esteem co-op example.co.uk 1.2.3 -3.5 +4 12abc abc12",
                  "'+4':10 '-3.5':9 '1.2.3':8 '12abc':11 'abc12':12 'co':5 'co-op':4 "
                  "'esteem':3 'example.co.uk':7 'op':6 'self':2 'self-esteem':1");
    ASSERT_VECTOR("pg_catalog.english", "'quoted' back\\slash", "'back':2 'quot':1 'slash':3");
    ASSERT_VECTOR("spanish", "Los niños están jugando en el parque con sus amigos",
                  "'amig':10 'jug':4 'niñ':2 'parqu':7");
    /* russian and hindi stem ASCII words with english_stem (pg_ts_config_map). */
    ASSERT_VECTOR("russian", "Съешь же ещё этих мягких французских булок, да выпей чаю running",
                  "'run':11 'булок':7 'вып':9 'ещ':3 'мягк':5 'съеш':1 'французск':6 'ча':10 "
                  "'эт':4");
    /* The virama (U+094D, zero width) stays inside its word (p_isspecial). */
    ASSERT_VECTOR("hindi", "नमस्ते दुनिया running quickly", "'quick':4 'run':3 'दुनिय':2 'नमस्त':1");
    ASSERT_VECTOR("turkish", "Çocuklar bahçede oynuyorlar ve İstanbul",
                  "'bahçe':2 'istanbul':5 'oynuyor':3 'çocuk':1");
    ASSERT_VECTOR("english", "the of and", "");
    ASSERT_VECTOR("english", "", "");
}

/* SELECT to_tsvector('simple', '{"a":"x y","b":"z","c":5,"d":["w",{"e":"q"}]}'::jsonb)
 *   -> 'q':8 'w':6 'x':1 'y':2 'z':4
 * SELECT to_tsvector('english', '["x","the","y"]'::jsonb) -> 'x':1 'y':4 */
static void test_to_tsvector_json_values(void **state)
{
    (void)state;
    ts_config_id_t cfg;
    tsvector_t v;
    char *why = NULL;
    buf_t b;
    const char *t1[] = {"x y", "z", "w", "q"};
    size_t l1[] = {3, 1, 1, 1};
    assert_true(ts_config_lookup("simple", &cfg));
    assert_int_equal(tsvector_from_texts(cfg, t1, l1, 4, &v, &why), 0);
    buf_init(&b);
    tsvector_render(&v, &b);
    assert_string_equal(buf_cstr(&b), "'q':8 'w':6 'x':1 'y':2 'z':4");
    buf_dispose(&b);
    tsvector_dispose(&v);
    const char *t2[] = {"x", "the", "y"};
    size_t l2[] = {1, 3, 1};
    assert_true(ts_config_lookup("english", &cfg));
    assert_int_equal(tsvector_from_texts(cfg, t2, l2, 3, &v, &why), 0);
    buf_init(&b);
    tsvector_render(&v, &b);
    assert_string_equal(buf_cstr(&b), "'x':1 'y':4");
    buf_dispose(&b);
    tsvector_dispose(&v);
}

static char *vector_in(const char *text, const char **code)
{
    tsvector_t v;
    char *why = NULL;
    if (tsvector_parse(text, strlen(text), &v, &why, code) < 0)
        return why;
    buf_t b;
    buf_init(&b);
    tsvector_render(&v, &b);
    tsvector_dispose(&v);
    *code = NULL;
    return buf_steal(&b);
}

#define ASSERT_IN(text, want, want_code)                                                           \
    do {                                                                                           \
        const char *code_;                                                                         \
        char *got_ = vector_in(text, &code_);                                                      \
        assert_string_equal(got_, want);                                                           \
        if (want_code)                                                                             \
            assert_string_equal(code_, want_code);                                                 \
        else                                                                                       \
            assert_null(code_);                                                                    \
        free(got_);                                                                                \
    } while (0)

/* SELECT TEXT::tsvector */
static void test_tsvector_in_out(void **state)
{
    (void)state;
    ASSERT_IN("'bar':2 'foo':1", "'bar':2 'foo':1", NULL);
    ASSERT_IN("b a:3,1 a:2B c", "'a':1,2B,3 'b' 'c'", NULL);
    ASSERT_IN("it\\'s a\\\\b", "'a\\\\b' 'it''s'", NULL);
    ASSERT_IN("'it''s'", "'it''s'", NULL);
    ASSERT_IN("a:1A,1B", "'a':1A", NULL);
    ASSERT_IN("a:20000", "'a':16383", NULL);
    ASSERT_IN(".", "'.'", NULL);
    ASSERT_IN("", "", NULL);
    ASSERT_IN("a:0", "wrong position info in tsvector: \"a:0\"", "42601");
    ASSERT_IN("a: b", "syntax error in tsvector: \"a: b\"", "42601");
    ASSERT_IN("a:x", "syntax error in tsvector: \"a:x\"", "42601");
    ASSERT_IN("'abc", "syntax error in tsvector: \"'abc\"", "42601");
}

/* SELECT to_tsquery('english', TEXT) */
static void test_tsquery_errors(void **state)
{
    (void)state;
    static const struct {
        const char *q, *message, *code;
    } cases[] = {
        {"fun &", "no operand in tsquery: \"fun &\"", "42601"},
        {"& fun", "syntax error in tsquery: \"& fun\"", "42601"},
        {"fun fun", "syntax error in tsquery: \"fun fun\"", "42601"},
        {"(fun", "syntax error in tsquery: \"(fun\"", "42601"},
        {"fun)", "syntax error in tsquery: \"fun)\"", "42601"},
        {"!", "no operand in tsquery: \"!\"", "42601"},
        {"a <x> b", "syntax error in tsquery: \"a <x> b\"", "42601"},
        {"a <-> ", "no operand in tsquery: \"a <-> \"", "42601"},
        {"a:x", "syntax error in tsquery: \"a:x\"", "42601"},
        {"'abc", "syntax error in tsquery: \"'abc\"", "42601"},
        {"()", "syntax error in tsquery: \"()\"", "42601"},
        {"a & (b | c", "syntax error in tsquery: \"a & (b | c\"", "42601"},
        {"a <16385> b",
         "distance in phrase operator must be an integer value between zero and 16384 inclusive",
         "22023"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tsquery_t q;
        char *why = NULL;
        const char *code = NULL;
        assert_int_equal(tsquery_build(TS_CFG_ENGLISH, TSQ_TO_TSQUERY, cases[i].q,
                                       strlen(cases[i].q), &q, &why, &code),
                         -1);
        assert_string_equal(why, cases[i].message);
        assert_string_equal(code, cases[i].code);
        free(why);
    }
}

/* SELECT to_tsvector('english', DOC) @@ FN('english', QUERY) */
static const struct {
    tsq_function_t fn;
    const char *query, *doc;
    bool match;
} matches[] = {
    {TSQ_TO_TSQUERY, "impossible", "It's kind of fun to do the impossible", true},
    {TSQ_TO_TSQUERY, "impossible", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "impossible", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "impossible", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "fun&possible", "It's kind of fun to do the impossible", false},
    {TSQ_TO_TSQUERY, "fun&possible", "But also fun to do what is possible", true},
    {TSQ_TO_TSQUERY, "fun&possible", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "fun&possible", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "fun&!possible", "It's kind of fun to do the impossible", true},
    {TSQ_TO_TSQUERY, "fun&!possible", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "fun&!possible", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "fun&!possible", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "fat <-> cat", "It's kind of fun to do the impossible", false},
    {TSQ_TO_TSQUERY, "fat <-> cat", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "fat <-> cat", "Fat cats ate rats", true},
    {TSQ_TO_TSQUERY, "fat <-> cat", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "fat <2> rat", "It's kind of fun to do the impossible", false},
    {TSQ_TO_TSQUERY, "fat <2> rat", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "fat <2> rat", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "fat <2> rat", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "!fat", "It's kind of fun to do the impossible", true},
    {TSQ_TO_TSQUERY, "!fat", "But also fun to do what is possible", true},
    {TSQ_TO_TSQUERY, "!fat", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "!fat", "The quick brown fox jumps over the lazy dog", true},
    {TSQ_TO_TSQUERY, "ca:*", "It's kind of fun to do the impossible", false},
    {TSQ_TO_TSQUERY, "ca:*", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "ca:*", "Fat cats ate rats", true},
    {TSQ_TO_TSQUERY, "ca:*", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "imp:*&!kind", "It's kind of fun to do the impossible", false},
    {TSQ_TO_TSQUERY, "imp:*&!kind", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "imp:*&!kind", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "imp:*&!kind", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "'kind of fun'", "It's kind of fun to do the impossible", true},
    {TSQ_TO_TSQUERY, "'kind of fun'", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "'kind of fun'", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "'kind of fun'", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "the", "It's kind of fun to do the impossible", false},
    {TSQ_TO_TSQUERY, "the", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "the", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "the", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "fat <-> the <-> cat", "It's kind of fun to do the impossible", false},
    {TSQ_TO_TSQUERY, "fat <-> the <-> cat", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "fat <-> the <-> cat", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "fat <-> the <-> cat", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "!(fat <-> cat)", "It's kind of fun to do the impossible", true},
    {TSQ_TO_TSQUERY, "!(fat <-> cat)", "But also fun to do what is possible", true},
    {TSQ_TO_TSQUERY, "!(fat <-> cat)", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "!(fat <-> cat)", "The quick brown fox jumps over the lazy dog", true},
    {TSQ_TO_TSQUERY, "fat <-> !rat", "It's kind of fun to do the impossible", false},
    {TSQ_TO_TSQUERY, "fat <-> !rat", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "fat <-> !rat", "Fat cats ate rats", true},
    {TSQ_TO_TSQUERY, "fat <-> !rat", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "!fat <-> cat", "It's kind of fun to do the impossible", false},
    {TSQ_TO_TSQUERY, "!fat <-> cat", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "!fat <-> cat", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "!fat <-> cat", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_TO_TSQUERY, "quick <2> fox", "It's kind of fun to do the impossible", false},
    {TSQ_TO_TSQUERY, "quick <2> fox", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "quick <2> fox", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "quick <2> fox", "The quick brown fox jumps over the lazy dog", true},
    {TSQ_TO_TSQUERY, "cat:A", "It's kind of fun to do the impossible", false},
    {TSQ_TO_TSQUERY, "cat:A", "But also fun to do what is possible", false},
    {TSQ_TO_TSQUERY, "cat:A", "Fat cats ate rats", false},
    {TSQ_TO_TSQUERY, "cat:A", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_PLAINTO, "The Fat Rats", "It's kind of fun to do the impossible", false},
    {TSQ_PLAINTO, "The Fat Rats", "But also fun to do what is possible", false},
    {TSQ_PLAINTO, "The Fat Rats", "Fat cats ate rats", true},
    {TSQ_PLAINTO, "The Fat Rats", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_PLAINTO, "the", "It's kind of fun to do the impossible", false},
    {TSQ_PLAINTO, "the", "But also fun to do what is possible", false},
    {TSQ_PLAINTO, "the", "Fat cats ate rats", false},
    {TSQ_PLAINTO, "the", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_PHRASETO, "The Fat Cats", "It's kind of fun to do the impossible", false},
    {TSQ_PHRASETO, "The Fat Cats", "But also fun to do what is possible", false},
    {TSQ_PHRASETO, "The Fat Cats", "Fat cats ate rats", true},
    {TSQ_PHRASETO, "The Fat Cats", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_PHRASETO, "fat rats", "It's kind of fun to do the impossible", false},
    {TSQ_PHRASETO, "fat rats", "But also fun to do what is possible", false},
    {TSQ_PHRASETO, "fat rats", "Fat cats ate rats", false},
    {TSQ_PHRASETO, "fat rats", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_PHRASETO, "kind of fun", "It's kind of fun to do the impossible", true},
    {TSQ_PHRASETO, "kind of fun", "But also fun to do what is possible", false},
    {TSQ_PHRASETO, "kind of fun", "Fat cats ate rats", false},
    {TSQ_PHRASETO, "kind of fun", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_WEBSEARCH, "fun and -possible", "It's kind of fun to do the impossible", true},
    {TSQ_WEBSEARCH, "fun and -possible", "But also fun to do what is possible", false},
    {TSQ_WEBSEARCH, "fun and -possible", "Fat cats ate rats", false},
    {TSQ_WEBSEARCH, "fun and -possible", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_WEBSEARCH, "\"fat cats\" or dog", "It's kind of fun to do the impossible", false},
    {TSQ_WEBSEARCH, "\"fat cats\" or dog", "But also fun to do what is possible", false},
    {TSQ_WEBSEARCH, "\"fat cats\" or dog", "Fat cats ate rats", true},
    {TSQ_WEBSEARCH, "\"fat cats\" or dog", "The quick brown fox jumps over the lazy dog", true},
    {TSQ_WEBSEARCH, "-fat", "It's kind of fun to do the impossible", true},
    {TSQ_WEBSEARCH, "-fat", "But also fun to do what is possible", true},
    {TSQ_WEBSEARCH, "-fat", "Fat cats ate rats", false},
    {TSQ_WEBSEARCH, "-fat", "The quick brown fox jumps over the lazy dog", true},
    {TSQ_WEBSEARCH, "or fat or", "It's kind of fun to do the impossible", false},
    {TSQ_WEBSEARCH, "or fat or", "But also fun to do what is possible", false},
    {TSQ_WEBSEARCH, "or fat or", "Fat cats ate rats", true},
    {TSQ_WEBSEARCH, "or fat or", "The quick brown fox jumps over the lazy dog", false},
    {TSQ_WEBSEARCH, "\"kind of fun\" -rats", "It's kind of fun to do the impossible", true},
    {TSQ_WEBSEARCH, "\"kind of fun\" -rats", "But also fun to do what is possible", false},
    {TSQ_WEBSEARCH, "\"kind of fun\" -rats", "Fat cats ate rats", false},
    {TSQ_WEBSEARCH, "\"kind of fun\" -rats", "The quick brown fox jumps over the lazy dog", false},
};

static void test_match(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++) {
        tsquery_t q;
        char *why = NULL;
        const char *code = NULL;
        assert_int_equal(tsquery_build(TS_CFG_ENGLISH, matches[i].fn, matches[i].query,
                                       strlen(matches[i].query), &q, &why, &code),
                         0);
        tsvector_t v;
        assert_int_equal(
            tsvector_from_text(TS_CFG_ENGLISH, matches[i].doc, strlen(matches[i].doc), &v, &why),
            0);
        if (tsquery_match(&q, &v) != matches[i].match)
            fail_msg("%s @@ [%d] %s: expected %d", matches[i].doc, (int)matches[i].fn,
                     matches[i].query, matches[i].match);
        tsquery_dispose(&q);
        tsvector_dispose(&v);
    }
}

/* Weights and stripped lexemes on stored vectors:
 * SELECT 'fat:1A cat:2'::tsvector @@ 'fat:a <-> cat'::tsquery -> t
 * SELECT 'fat:1A cat:2'::tsvector @@ 'fat:b'::tsquery -> f
 * SELECT 'fat cat'::tsvector @@ 'fat & cat'::tsquery -> t
 * SELECT 'fat cat'::tsvector @@ 'fat <-> cat'::tsquery -> f */
static void test_match_stored(void **state)
{
    (void)state;
    static const struct {
        const char *vector, *query;
        bool match;
    } cases[] = {
        {"fat:1A cat:2", "fat:a <-> cat", true},
        {"fat:1A cat:2", "fat:b", false},
        {"fat cat", "fat & cat", true},
        {"fat cat", "fat <-> cat", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tsvector_t v;
        char *why = NULL;
        const char *code = NULL;
        assert_int_equal(tsvector_parse(cases[i].vector, strlen(cases[i].vector), &v, &why, &code),
                         0);
        tsquery_t q;
        assert_int_equal(tsquery_build(TS_CFG_SIMPLE, TSQ_TO_TSQUERY, cases[i].query,
                                       strlen(cases[i].query), &q, &why, &code),
                         0);
        assert_int_equal(tsquery_match(&q, &v), cases[i].match);
        tsquery_dispose(&q);
        tsvector_dispose(&v);
    }
}

/* A query past the bound fails instead of growing without end. */
static void test_query_bound(void **state)
{
    (void)state;
    size_t n = TSQ_MAX_NODES * 3;
    char *text = malloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++)
        text[2 * i] = 'a', text[2 * i + 1] = ' ';
    text[2 * n] = '\0';
    tsquery_t q;
    char *why = NULL;
    const char *code = NULL;
    assert_int_equal(tsquery_build(TS_CFG_SIMPLE, TSQ_PLAINTO, text, strlen(text), &q, &why, &code),
                     -1);
    assert_string_equal(code, "54000");
    free(why);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_tsvector),     cmocka_unit_test(test_to_tsvector_json_values),
        cmocka_unit_test(test_tsvector_in_out), cmocka_unit_test(test_tsquery_errors),
        cmocka_unit_test(test_match),           cmocka_unit_test(test_match_stored),
        cmocka_unit_test(test_query_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
