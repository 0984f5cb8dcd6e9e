/* The statement splitter: psql's rules (psqlscan.l) over the tokens of
 * Postgres's own scanner (sql_scan.h), so strings, comments, dollar quotes
 * and quoted identifiers end where the server says they end. What psql adds
 * on top of the tokens is kept here as psqlscan.l has it: parenthesis depth,
 * and the BEGIN ... END count of a CREATE [OR REPLACE] FUNCTION|PROCEDURE
 * with a SQL-standard body. */
#include "pg_split.h"

#include "sql_parse.h"
#include "sql_scan.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* psqlscan.l's per-statement state. */
typedef struct psql_state {
    int paren_depth;
    int begin_depth;
    size_t identifier_count;
    char identifiers[4]; /* first letters of create/function/procedure/or/replace, else 0 */
} psql_state_t;

/* psqlscan.l's {identifier} action: remember the leading words and, in a
 * CREATE [OR REPLACE] FUNCTION|PROCEDURE outside parentheses, count BEGIN
 * (and CASE inside a BEGIN) against END. */
static void see_identifier(psql_state_t *st, const char *text, const sql_token_t *k)
{
    static const char *const leading[] = {"create", "function", "procedure", "or", "replace"};
    for (size_t i = 0; i < sizeof leading / sizeof *leading; i++) {
        if (sql_token_is(text, k, leading[i]) && st->identifier_count < sizeof st->identifiers)
            st->identifiers[st->identifier_count] = (char)tolower((unsigned char)text[k->start]);
    }
    st->identifier_count++;
    const char *id = st->identifiers;
    bool routine =
        id[0] == 'c' && (id[1] == 'f' || id[1] == 'p' ||
                         (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p')));
    if (!routine || st->paren_depth != 0)
        return;
    if (sql_token_is(text, k, "begin"))
        st->begin_depth++;
    else if (sql_token_is(text, k, "case") && st->begin_depth >= 1)
        st->begin_depth++;
    else if (sql_token_is(text, k, "end") && st->begin_depth > 0)
        st->begin_depth--;
}

size_t pg_split(const char *s, size_t len, pg_stmt_span_t *out, size_t max)
{
    sql_tokens_t t;
    sql_scan(s, len, &t);
    size_t count = 0;
    bool open = false; /* a statement has started and not ended */
    size_t start = 0;
    psql_state_t st = {0};
    for (size_t i = 0; i < t.n; i++) {
        const sql_token_t *k = &t.v[i];
        if (k->kind == SQL_TOKEN_COMMENT)
            continue;
        if (!open) {
            if (k->kind == SQL_TOKEN_SEMI)
                continue; /* a lone ';' is an empty statement: psql sends nothing */
            open = true;
            start = k->start;
            memset(&st, 0, sizeof st);
        }
        if (k->kind == SQL_TOKEN_OPEN) {
            st.paren_depth++;
        } else if (k->kind == SQL_TOKEN_CLOSE) {
            if (st.paren_depth > 0)
                st.paren_depth--;
        } else if (k->kind == SQL_TOKEN_WORD) {
            see_identifier(&st, s, k);
        } else if (k->kind == SQL_TOKEN_SEMI && st.paren_depth == 0 && st.begin_depth == 0) {
            if (count < max)
                out[count] = (pg_stmt_span_t){start, k->end};
            count++;
            open = false;
        }
    }
    /* What the scanner refused (an unterminated string, comment or dollar
     * quote, a NUL byte) belongs to the statement in progress, or starts the
     * last one, up to the end: Postgres then reports it. */
    if (!open && t.stopped_at < len) {
        open = true;
        start = t.stopped_at;
    }
    if (open) {
        if (count < max)
            out[count] = (pg_stmt_span_t){start, len};
        count++;
    }
    sql_tokens_dispose(&t);
    return count;
}

void pg_split_line_col(const char *s, size_t len, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}
