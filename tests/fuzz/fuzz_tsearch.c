/* libFuzzer target for the text-search and range parsers: on arbitrary bytes
 * tsvectorin, to_tsvector, the four tsquery constructors (and @@ of the
 * result on the text's own vector) and range_in never crash, and what they
 * print reads back as itself (the canonical forms are fixed points). The
 * first byte picks the configuration and the function; the text sits in a
 * buffer of exactly its length, so ASan catches a read past it. */
#include "pgtype.h"
#include "tsquery.h"
#include "tsvector.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void vector_fixed_point(const tsvector_t *v)
{
    buf_t a, b;
    buf_init(&a);
    buf_init(&b);
    tsvector_render(v, &a);
    tsvector_t again;
    char *why = NULL;
    const char *code;
    if (tsvector_parse(a.data ? a.data : "", a.len, &again, &why, &code) < 0)
        abort();
    tsvector_render(&again, &b);
    if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0))
        abort();
    tsvector_dispose(&again);
    buf_dispose(&a);
    buf_dispose(&b);
}

static void range_fixed_point(pgtype_kind_t kind, const char *text, size_t n)
{
    pgtype_t t = {.kind = kind, .length = -1};
    pgvalue_t v;
    pgrst_error_t err;
    pgrst_error_init(&err);
    if (pgvalue_from_text(&t, text, n, &v, &err) == 0) {
        buf_t a;
        buf_init(&a);
        pgvalue_render_text(&t, &v, &a);
        pgvalue_t w;
        if (pgvalue_from_text(&t, a.data ? a.data : "", a.len, &w, &err) != 0 ||
            pgvalue_compare(&t, &v, &w) != 0 || strcmp(v.s, w.s) != 0)
            abort();
        pgvalue_dispose(&w);
        pgvalue_dispose(&v);
        buf_dispose(&a);
    }
    pgrst_error_dispose(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 16 * 1024)
        return 0;
    unsigned pick = data[0];
    size_t n = size - 1;
    char *text = xmalloc(n ? n : 1);
    memcpy(text, data + 1, n);
    static const ts_config_id_t cfgs[] = {TS_CFG_SIMPLE, TS_CFG_ENGLISH, TS_CFG_GERMAN,
                                          TS_CFG_RUSSIAN};
    ts_config_id_t cfg = cfgs[pick & 3];
    tsvector_t v;
    char *why = NULL;
    const char *code;
    switch ((pick >> 2) % 4) {
    case 0:
        if (tsvector_parse(text, n, &v, &why, &code) == 0) {
            vector_fixed_point(&v);
            tsvector_dispose(&v);
        }
        break;
    case 1:
        if (tsvector_from_text(cfg, text, n, &v, &why) == 0) {
            vector_fixed_point(&v);
            tsvector_dispose(&v);
        }
        break;
    case 2: {
        static const tsq_function_t fns[] = {TSQ_TO_TSQUERY, TSQ_PLAINTO, TSQ_PHRASETO,
                                             TSQ_WEBSEARCH};
        tsquery_t q;
        if (tsquery_build(cfg, fns[(pick >> 4) & 3], text, n, &q, &why, &code) == 0) {
            if (tsvector_from_text(cfg, text, n, &v, &why) == 0) {
                (void)tsquery_match(&q, &v);
                tsvector_dispose(&v);
            }
            tsquery_dispose(&q);
        }
        break;
    }
    default: {
        char *z = xstrndup(text, n);
        static const pgtype_kind_t kinds[] = {PGTYPE_INT4RANGE, PGTYPE_NUMRANGE, PGTYPE_DATERANGE,
                                              PGTYPE_TSRANGE};
        range_fixed_point(kinds[(pick >> 4) & 3], z, strlen(z));
        free(z);
        break;
    }
    }
    free(why);
    free(text);
    return 0;
}
