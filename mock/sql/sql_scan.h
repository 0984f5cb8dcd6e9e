/* Postgres's own lexer (scan.l, through libpg_query's pg_query_scan) as a
 * token list: what the statement splitter and the span finders of sql_text.h
 * walk, so that no hand-written lexer decides where a string, a comment, a
 * dollar quote or an identifier ends. The tokens carry byte spans into the
 * text and what a caller needs to tell them apart; keywords are words like
 * identifiers (psql's lexer sees them so too). */
#ifndef MOCK_SQL_SCAN_H
#define MOCK_SQL_SCAN_H

#include <stdbool.h>
#include <stddef.h>

typedef enum sql_token_kind {
    SQL_TOKEN_WORD,    /* an unquoted identifier or a keyword: `select`, `user_id` */
    SQL_TOKEN_QUOTED,  /* a quoted identifier: "Users", U&"d!0061" */
    SQL_TOKEN_OPEN,    /* ( */
    SQL_TOKEN_CLOSE,   /* ) */
    SQL_TOKEN_SEMI,    /* ; */
    SQL_TOKEN_COMMENT, /* -- ... or a (nested) block comment */
    SQL_TOKEN_OTHER,   /* strings, dollar quotes, numbers, $n, operators, punctuation */
} sql_token_kind_t;

typedef struct sql_token {
    size_t start, end; /* [start, end) in the scanned text */
    sql_token_kind_t kind;
} sql_token_t;

/* The tokens of text[0, len), heap-owned by the caller (sql_tokens_dispose).
 * Postgres's scanner refuses some text (an unterminated string, quoted
 * identifier, comment or dollar quote; trailing junk after a number): then
 * `tokens` holds what precedes the refused token and `stopped_at` is where it
 * begins, else stopped_at == len. A NUL byte ends the text as it ends a C
 * string for Postgres (stopped_at is then its offset). */
typedef struct sql_tokens {
    sql_token_t *v;
    size_t n;
    size_t stopped_at;
} sql_tokens_t;

void sql_scan(const char *text, size_t len, sql_tokens_t *out);
void sql_tokens_dispose(sql_tokens_t *t);

/* Is token k the bare word `word` (case-insensitive)? */
bool sql_token_is(const char *text, const sql_token_t *k, const char *word);

#endif
