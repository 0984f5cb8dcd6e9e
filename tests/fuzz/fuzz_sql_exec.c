/* libFuzzer target for the memory engine's statement executor (sql_exec.c,
 * expr_sql.c, sql_agg.c): the input is SQL text; each statement it parses to
 * (at most four) is analysed against a fixed store of two small tables and
 * run as the superuser inside a transaction that is rolled back, with a
 * variable scope ($1 integer, x text) and a small work budget. Besides
 * sanitizer findings it aborts when a contract of sql_exec.h breaks: a
 * failed analysis or run must set a SQLSTATE and a message, an analysis
 * position must lie inside the text, and a result's shape must hold (rows
 * within SQL_EXEC_MAX_ROWS, every value of its column's type renderable). */
#include "sql_exec.h"
#include "sql_parse.h"
#include "store.h"
#include "xalloc.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static prng_t g_prng;
static store_t *g_store;

static void row(store_table_t *t, const char *const *texts)
{
    size_t n = store_table_column_count(t);
    pgvalue_t *v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        pgrst_error_t e;
        pgrst_error_init(&e);
        if (!texts[i])
            pgvalue_init_null(&v[i]);
        else if (pgvalue_from_text(&store_table_column(t, i)->type, texts[i], strlen(texts[i]),
                                   &v[i], &e) != 0)
            abort();
    }
    pgrst_error_t e;
    pgrst_error_init(&e);
    store_env_t env = {0};
    if (store_insert(g_store, t, v, &env, NULL, &e) != 0)
        abort();
    free(v);
}

static void init(void)
{
    if (g_store)
        return;
    prng_seed(&g_prng, 1);
    g_store = store_new(&g_prng);
    store_column_spec_t a[4], b[3];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    const char *an[4] = {"id", "name", "qty", "price"},
               *at[4] = {"int4", "text", "int4", "numeric"};
    for (int i = 0; i < 4; i++)
        a[i] = (store_column_spec_t){.name = an[i],
                                     .type = at[i],
                                     .nullable = i != 0,
                                     .primary_key = i == 0,
                                     .in_schema_cache = true};
    const char *bn[3] = {"id", "item_id", "meta"}, *bt[3] = {"int4", "int4", "jsonb"};
    for (int i = 0; i < 3; i++)
        b[i] = (store_column_spec_t){.name = bn[i],
                                     .type = bt[i],
                                     .nullable = i != 0,
                                     .primary_key = i == 0,
                                     .in_schema_cache = true};
    char *error = NULL;
    int ecol;
    store_table_t *items = store_add_table(g_store, "public", "items", a, 4, &error, &ecol);
    store_table_t *tags = store_add_table(g_store, "public", "tags", b, 3, &error, &ecol);
    if (!items || !tags)
        abort();
    store_begin(g_store);
    row(items, (const char *[]){"1", "apple", "3", "1.50"});
    row(items, (const char *[]){"2", "banana", NULL, "0.25"});
    row(items, (const char *[]){"3", NULL, "7", NULL});
    row(tags, (const char *[]){"1", "1", "{\"a\": 1}"});
    row(tags, (const char *[]){"2", "1", NULL});
    row(tags, (const char *[]){"3", "9", "[1, 2]"});
    store_commit(g_store);
}

static int resolve(const void *ctx, const sql_name_t *name, int *slot, pgtype_t *type,
                   pgrst_error_t *err)
{
    (void)ctx;
    (void)err;
    char *e = NULL;
    if (name->param == 1)
        *slot = 0;
    else if (name->param == 0 && name->nparts == 1 && strcmp(name->parts[0], "x") == 0)
        *slot = 1;
    else
        return 0;
    return pgtype_parse(*slot ? "text" : "int4", NULL, 0, type, &e) == 0 ? 1 : -1;
}

static int value(const void *ctx, int slot, const pgvalue_t **out, pgrst_error_t *err)
{
    (void)ctx;
    (void)err;
    static pgvalue_t v[2];
    v[0] = (pgvalue_t){.is_null = false, .i = 5};
    v[1] = (pgvalue_t){.is_null = false, .s = (char *)"fuzz"};
    *out = &v[slot];
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    init();
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    sql_script_t script;
    sql_error_t serr;
    if (sql_parse_script(text, &script, &serr) != 0) {
        free(text);
        return 0;
    }
    sql_scope_t scope = {
        .ctx = NULL, .conflict = SQL_CONFLICT_USE_COLUMN, .resolve = resolve, .value = value};
    store_begin(g_store);
    for (size_t i = 0; i < script.count && i < 4; i++) {
        if (!script.stmts[i].node)
            continue;
        mock_work_t work;
        mock_work_init(&work, 200000);
        store_env_t senv = {.now_us = 0};
        sql_exec_env_t env = {.store = g_store,
                              .sec = NULL,
                              .role = "postgres",
                              .superuser = true,
                              .store_env = &senv,
                              .work = &work,
                              .scope = &scope};
        sql_plan_t *plan = NULL;
        sql_exec_error_t err;
        sql_exec_error_init(&err);
        if (sql_exec_prepare(g_store, script.stmts[i].node, text, &scope, &plan, &err) != 0) {
            if (!err.e.code[0] || !err.e.message)
                abort();
            if (err.position != SQL_EXEC_NO_POSITION && err.position > size)
                abort();
            sql_exec_error_dispose(&err);
            continue;
        }
        sql_result_t res;
        if (sql_exec_run(plan, &env, &res, &err) != 0) {
            if (!err.e.code[0] || !err.e.message)
                abort();
            sql_exec_error_dispose(&err);
        } else {
            if (res.nrows > SQL_EXEC_MAX_ROWS || (res.nrows && !res.ncols && !res.values))
                abort();
            buf_t b;
            buf_init(&b);
            for (size_t r = 0; r < res.nrows; r++)
                for (size_t c = 0; c < res.ncols; c++)
                    pgvalue_render_json(&res.types[c], &res.values[r * res.ncols + c], &b);
            buf_dispose(&b);
            sql_result_dispose(&res);
        }
        sql_plan_free(plan);
    }
    store_rollback(g_store);
    sql_script_dispose(&script);
    free(text);
    return 0;
}
