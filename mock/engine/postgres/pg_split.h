/* Splits a SQL file into statements as psql does (psqlscan.l), so that each
 * statement of a migration runs on its own and a failure can be placed at
 * FILE:LINE:COL: a ';' token of Postgres's scanner ends a statement except
 * inside parentheses and inside the BEGIN ... END of a SQL-standard function
 * body (CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END),
 * where psql counts BEGIN (and CASE within it) against END. Strings, quoted
 * identifiers, dollar quotes and comments are the scanner's tokens.
 *
 * It only finds boundaries; Postgres parses each statement. Statements that
 * hold nothing but blanks and comments are dropped (psql sends none). */
#ifndef MOCK_PG_SPLIT_H
#define MOCK_PG_SPLIT_H

#include <stddef.h>

/* One statement: the byte span [start, end) of the text, `start` at its first
 * token (leading blanks and comments skipped), `end` just after its ';' or
 * at the end of the text. */
typedef struct pg_stmt_span {
    size_t start;
    size_t end;
} pg_stmt_span_t;

/* Splits text[0..len) into at most max spans; returns how many statements
 * the text holds (which may exceed max: the caller compares). An
 * unterminated string, identifier, comment or dollar quote ends the last
 * statement at the end of the text (Postgres then reports it). */
size_t pg_split(const char *text, size_t len, pg_stmt_span_t *out, size_t max);

/* 1-based line and column (in characters, counting a UTF-8 sequence as one)
 * of byte offset off in text. */
void pg_split_line_col(const char *text, size_t len, size_t off, int *line, int *col);

#endif
