/* libpg_query's pg_query_parse gives the raw parse tree as JSON text; cJSON
 * reads it back. libpg_query allocates in Postgres memory contexts of its own,
 * released by pg_query_free_parse_result; its per-thread top context lives
 * until exit (pg_query_exit at exit would free it, but the process is ending
 * then anyway: ASan's leak check does not count it, being still reachable). */
#include "sql_parse.h"

#include "caps.h"
#include "sql_text.h"
#include "xalloc.h"

#include <pg_query.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_error(sql_error_t *err, size_t offset, const char *message)
{
    snprintf(err->message, sizeof err->message, "%s", message);
    err->offset = offset;
}

void sql_line_col(const char *text, size_t offset, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

size_t sql_char_offset(const char *s, size_t len, long pos)
{
    size_t i = 0;
    for (long chars = 1; i < len && chars < pos; chars++) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

static size_t number_or(const cJSON *obj, const char *key, size_t dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (size_t)v->valuedouble : dflt;
}

/* Debian's libpg_query (15-4.2) writes a negative integer constant as
 * {"A_Const": {"ival": {}}}, as if it were 0 (its JSON writer omits fields
 * it takes for defaults, and tests `> 0`). Postgres folds "-7" into one
 * A_Const located at the '-' (gram.y doNegate, also through blanks, comments
 * and parentheses: `- 7` with a comment between, `-(7)`), so the value is
 * read back from the text there. */
static size_t skip_fold(const char *text, size_t len, size_t i)
{
    while (i < len) {
        char c = text[i];
        if (c == '-' && i + 1 < len && text[i + 1] == '-') {
            while (i < len && text[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            const char *end = strstr(text + i + 2, "*/");
            i = end ? (size_t)(end - text) + 2 : len;
        } else if (c == '-' || c == '(' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
                   c == '\f' || c == '\v') {
            i++;
        } else {
            break;
        }
    }
    return i;
}

static void fix_negative_ints(cJSON *node, const char *text, size_t len)
{
    for (cJSON *c = node ? node->child : NULL; c; c = c->next) {
        if (c->string && strcmp(c->string, "A_Const") == 0 && cJSON_IsObject(c)) {
            cJSON *ival = cJSON_GetObjectItemCaseSensitive(c, "ival");
            size_t at = number_or(c, "location", len);
            if (cJSON_IsObject(ival) && !ival->child && at < len && text[at] == '-') {
                size_t i = skip_fold(text, len, at);
                long long v = 0;
                bool digits = false;
                while (i < len && text[i] >= '0' && text[i] <= '9' && v < (1LL << 40)) {
                    v = v * 10 + (text[i++] - '0');
                    digits = true;
                }
                if (digits && v > 0)
                    cJSON_AddNumberToObject(ival, "ival", (double)-v);
            }
            continue;
        }
        if (cJSON_IsObject(c) || cJSON_IsArray(c))
            fix_negative_ints(c, text, len);
    }
}

/* What is refused before Postgres's parser sees it: a text over the file
 * limit, and parentheses nested deeper than MOCK_MAX_SQL_NESTING (the
 * parse tree's consumers recurse). */
static int refuse_unbounded(const char *text, size_t len, sql_error_t *err)
{
    if (len > MOCK_MAX_SQL_FILE_BYTES) {
        set_error(err, SQL_NO_OFFSET, "the SQL is larger than the limit of 8 MiB");
        return -1;
    }
    if (sql_text_max_nesting(text, len) > MOCK_MAX_SQL_NESTING) {
        char msg[96];
        snprintf(msg, sizeof msg, "parentheses nest deeper than %d levels", MOCK_MAX_SQL_NESTING);
        set_error(err, SQL_NO_OFFSET, msg);
        return -1;
    }
    return 0;
}

int sql_parse_script(const char *text, sql_script_t *out, sql_error_t *err)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(text);
    if (refuse_unbounded(text, len, err) < 0)
        return -1;
    PgQueryParseResult r = pg_query_parse(text);
    if (r.error) {
        /* cursorpos is Postgres's errposition: 1-based, in characters, 0
         * when none. */
        size_t off =
            r.error->cursorpos > 0 ? sql_char_offset(text, len, r.error->cursorpos) : SQL_NO_OFFSET;
        set_error(err, off, r.error->message);
        pg_query_free_parse_result(r);
        return -1;
    }
    cJSON *tree = cJSON_Parse(r.parse_tree);
    pg_query_free_parse_result(r);
    const cJSON *stmts = tree ? cJSON_GetObjectItemCaseSensitive(tree, "stmts") : NULL;
    if (!tree || (stmts && !cJSON_IsArray(stmts))) {
        /* Deeper than cJSON's nesting limit: a pathological expression. */
        cJSON_Delete(tree);
        set_error(err, SQL_NO_OFFSET, "a statement is nested too deeply to be read");
        return -1;
    }
    fix_negative_ints(tree, text, len);
    out->tree = tree;
    size_t n = stmts ? (size_t)cJSON_GetArraySize(stmts) : 0;
    out->stmts = xcalloc(n ? n : 1, sizeof *out->stmts);
    for (const cJSON *raw = stmts ? stmts->child : NULL; raw; raw = raw->next) {
        const cJSON *stmt = cJSON_GetObjectItemCaseSensitive(raw, "stmt");
        if (!cJSON_IsObject(stmt) || !stmt->child)
            continue;
        /* RawStmt: stmt_location is where the text after the previous ';'
         * starts; stmt_len 0 means "to the end". */
        size_t at = number_or(raw, "stmt_location", 0);
        size_t slen = number_or(raw, "stmt_len", 0);
        size_t stop = slen && at + slen <= len ? at + slen : len;
        size_t start = sql_skip_blanks(text, stop, at < len ? at : len);
        sql_stmt_t *s = &out->stmts[out->count++];
        s->node = stmt->child;
        s->kind = stmt->child->string;
        s->offset = start;
        s->length = stop - start;
    }
    return 0;
}

void sql_script_dispose(sql_script_t *s)
{
    cJSON_Delete(s->tree);
    free(s->stmts);
    memset(s, 0, sizeof *s);
}

/* Every "location" at or after base moves back by base: offsets into the
 * expression's own text. */
static void shift_locations(cJSON *node, size_t base)
{
    for (cJSON *c = node ? node->child : NULL; c; c = c->next) {
        if (cJSON_IsNumber(c) && c->string && strcmp(c->string, "location") == 0) {
            if (c->valuedouble >= (double)base)
                cJSON_SetNumberValue(c, c->valuedouble - (double)base);
        } else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            shift_locations(c, base);
        }
    }
}

/* The quoted token of a scanner error runs to the end of the input, so it
 * would show our closing "\n)": Postgres, given the expression alone, quotes
 * to its end. */
static void strip_wrapper(char *message)
{
    char *at = strstr(message, " at or near \"");
    size_t n = at ? strlen(at) : 0;
    if (n >= 3 && strcmp(at + n - 3, "\n)\"") == 0)
        memcpy(at + n - 3, "\"", 2);
}

int sql_parse_expr(const char *text, sql_expr_t *out, sql_error_t *err)
{
    static const char prefix[] = "CREATE POLICY p ON t USING (";
    static const char suffix[] = "\n)";
    const size_t base = sizeof prefix - 1;
    memset(out, 0, sizeof *out);
    size_t len = strlen(text);
    if (len > MOCK_MAX_SQL_FILE_BYTES) {
        set_error(err, SQL_NO_OFFSET, "the SQL is larger than the limit of 8 MiB");
        return -1;
    }
    char *wrapped = xmalloc(base + len + sizeof suffix);
    memcpy(wrapped, prefix, base);
    memcpy(wrapped + base, text, len);
    memcpy(wrapped + base + len, suffix, sizeof suffix);
    sql_script_t s;
    int rc = sql_parse_script(wrapped, &s, err);
    free(wrapped);
    if (rc < 0) {
        if (err->offset != SQL_NO_OFFSET)
            err->offset = err->offset < base         ? 0
                          : err->offset - base > len ? len
                                                     : err->offset - base;
        strip_wrapper(err->message);
        return -1;
    }
    const cJSON *qual = NULL;
    if (s.count == 1 && strcmp(s.stmts[0].kind, "CreatePolicyStmt") == 0)
        qual = cJSON_GetObjectItemCaseSensitive(s.stmts[0].node, "qual");
    if (!qual) {
        /* Not reachable through the grammar: one statement always results. */
        sql_script_dispose(&s);
        set_error(err, 0, "syntax error at end of input");
        return -1;
    }
    out->tree = s.tree;
    s.tree = NULL;
    sql_script_dispose(&s);
    shift_locations((cJSON *)qual, base);
    out->node = qual;
    return 0;
}

int sql_parse_plpgsql(const char *text, cJSON **out, sql_error_t *err)
{
    *out = NULL;
    size_t len = strlen(text);
    if (refuse_unbounded(text, len, err) < 0)
        return -1;
    PgQueryPlpgsqlParseResult r = pg_query_parse_plpgsql(text);
    if (r.error) {
        /* Debian's libpg_query (15-4.2) loses one byte here (the raw
         * parse's empty stderr copy is not freed on this path): once per
         * function whose body does not compile, at load, never per
         * request. */
        size_t off = r.error->cursorpos > 0 ? (size_t)r.error->cursorpos - 1 : SQL_NO_OFFSET;
        set_error(err, off, r.error->message);
        pg_query_free_plpgsql_parse_result(r);
        return -1;
    }
    cJSON *tree = r.plpgsql_funcs ? cJSON_Parse(r.plpgsql_funcs) : NULL;
    pg_query_free_plpgsql_parse_result(r);
    const cJSON *fn = cJSON_IsArray(tree) && tree->child
                          ? cJSON_GetObjectItemCaseSensitive(tree->child, "PLpgSQL_function")
                          : NULL;
    if (!fn) {
        cJSON_Delete(tree);
        set_error(err, SQL_NO_OFFSET, "a PL/pgSQL body nested too deeply to be read");
        return -1;
    }
    *out = tree;
    return 0;
}
