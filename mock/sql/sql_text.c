/* The span finders walk the tokens of Postgres's own scanner (sql_scan.h):
 * what is a string, a comment, a dollar quote or a quoted identifier is
 * decided by scan.l, not here. Each call scans text[from, end) once, so a
 * walk is linear in what it reads. */
#include "sql_text.h"

#include "sql_scan.h"

/* Tokens of text[from, end), their offsets moved back into the whole text. */
static void scan_from(const char *text, size_t end, size_t from, sql_tokens_t *out)
{
    sql_scan(text + from, end - from, out);
    for (size_t i = 0; i < out->n; i++) {
        out->v[i].start += from;
        out->v[i].end += from;
    }
    out->stopped_at += from;
}

/* The i-th token of t that is not a comment, from index *i on; NULL at the end. */
static const sql_token_t *next_token(const sql_tokens_t *t, size_t *i)
{
    while (*i < t->n && t->v[*i].kind == SQL_TOKEN_COMMENT)
        (*i)++;
    return *i < t->n ? &t->v[(*i)++] : NULL;
}

bool sql_paren_group(const char *text, size_t end, size_t from, size_t *open, size_t *close)
{
    sql_tokens_t t;
    scan_from(text, end, from, &t);
    size_t i = 0;
    const sql_token_t *k = next_token(&t, &i);
    bool found = false;
    if (k && k->kind == SQL_TOKEN_OPEN) {
        *open = k->start;
        int depth = 0;
        for (; k && !found; k = next_token(&t, &i)) {
            if (k->kind == SQL_TOKEN_OPEN) {
                depth++;
            } else if (k->kind == SQL_TOKEN_CLOSE && --depth == 0) {
                *close = k->start;
                found = true;
            }
        }
    }
    sql_tokens_dispose(&t);
    return found;
}

size_t sql_find_keyword(const char *text, size_t end, size_t from, const char *word,
                        const char *next)
{
    sql_tokens_t t;
    scan_from(text, end, from, &t);
    size_t at = (size_t)-1;
    int depth = 0;
    size_t i = 0;
    for (const sql_token_t *k = next_token(&t, &i); k && at == (size_t)-1; k = next_token(&t, &i)) {
        if (k->kind == SQL_TOKEN_OPEN) {
            depth++;
        } else if (k->kind == SQL_TOKEN_CLOSE) {
            depth--;
        } else if (depth == 0 && sql_token_is(text, k, word)) {
            size_t j = i;
            const sql_token_t *n = next ? next_token(&t, &j) : NULL;
            if (!next || (n && sql_token_is(text, n, next)))
                at = k->start;
        }
    }
    sql_tokens_dispose(&t);
    return at;
}

int sql_text_max_nesting(const char *text, size_t end)
{
    sql_tokens_t t;
    sql_scan(text, end, &t);
    int depth = 0, max = 0;
    for (size_t i = 0; i < t.n; i++) {
        if (t.v[i].kind == SQL_TOKEN_OPEN && ++depth > max)
            max = depth;
        else if (t.v[i].kind == SQL_TOKEN_CLOSE && depth > 0)
            depth--;
    }
    sql_tokens_dispose(&t);
    return max;
}

size_t sql_skip_blanks(const char *text, size_t end, size_t from)
{
    sql_tokens_t t;
    scan_from(text, end, from, &t);
    size_t i = 0;
    const sql_token_t *k = next_token(&t, &i);
    /* No token: the end of what scanned (a refused token starts there). */
    size_t at = k ? k->start : t.stopped_at;
    sql_tokens_dispose(&t);
    return at;
}
