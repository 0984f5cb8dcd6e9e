/* libFuzzer target for pgtype.c: every type's text input (pgvalue_from_text)
 * and JSON input (pgvalue_from_json) on arbitrary bytes. The first byte picks
 * the type; the rest is the input. Accepted values must render, compare equal
 * to themselves, hash, copy, and survive a text-output round trip (Postgres's
 * output functions produce text their input functions accept). */
#include "pgtype.h"

#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const TYPES[] = {
    "uuid",
    "text",
    "varchar(5)",
    "char(3)",
    "smallint",
    "integer",
    "bigint",
    "numeric",
    "numeric(5,2)",
    "real",
    "double precision",
    "boolean",
    "date",
    "timestamp",
    "timestamptz",
    "json",
    "jsonb",
    "mood",
    "int[]",
    "text[]",
    "jsonb[]",
    "timestamptz[]",
    "numeric[]",
    "mood[]",
};

static void check_value(const pgtype_t *t, const pgvalue_t *v)
{
    buf_t json, text;
    buf_init(&json);
    buf_init(&text);
    pgvalue_render_json(t, v, &json);
    pgvalue_render_text(t, v, &text);
    if (!v->is_null) {
        if (pgvalue_compare(t, v, v) != 0)
            abort();
        pgvalue_t c;
        pgvalue_copy(&c, v);
        if (pgvalue_compare(t, v, &c) != 0 || pgvalue_hash(t, v) != pgvalue_hash(t, &c))
            abort();
        pgvalue_dispose(&c);
        pgvalue_t back;
        pgrst_error_t err;
        pgrst_error_init(&err);
        if (pgvalue_from_text(t, text.data ? text.data : "", text.len, &back, &err) != 0)
            abort(); /* output that input refuses */
        if (pgvalue_compare(t, v, &back) != 0 || pgvalue_hash(t, v) != pgvalue_hash(t, &back))
            abort();
        pgvalue_dispose(&back);
        pgrst_error_dispose(&err);
    }
    buf_dispose(&json);
    buf_dispose(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char n0[] = "mood", l0[] = "sad", l1[] = "ok", l2[] = "happy";
    char *labels[] = {l0, l1, l2};
    pgtype_enum_t mood = {.name = n0, .labels = labels, .label_count = 3};
    const pgtype_enum_t *enums[] = {&mood};
    pgtype_t t;
    char *e = NULL;
    const char *name = TYPES[data[0] % (sizeof TYPES / sizeof TYPES[0])];
    if (pgtype_parse(name, enums, 1, &t, &e) != 0)
        abort();
    const char *in = (const char *)data + 1;
    size_t n = size - 1;

    pgvalue_t v;
    pgrst_error_t err;
    pgrst_error_init(&err);
    if (pgvalue_from_text(&t, in, n, &v, &err) == 0) {
        check_value(&t, &v);
        pgvalue_dispose(&v);
    } else if (!err.message || !err.code[0]) {
        abort(); /* a failure must say why */
    }
    pgrst_error_dispose(&err);

    cJSON *j = cJSON_ParseWithLength(in, n);
    if (j) {
        if (pgvalue_from_json(&t, j, &v, &err) == 0) {
            check_value(&t, &v);
            pgvalue_dispose(&v);
        }
        pgrst_error_dispose(&err);
        cJSON_Delete(j);
    }
    return 0;
}
