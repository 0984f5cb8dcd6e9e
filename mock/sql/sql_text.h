/* Reading spans of SQL text the parse tree does not delimit: Postgres's raw
 * nodes carry where an expression starts, not where it ends, and the
 * memory engine still takes some expressions (CHECK, USING, WITH CHECK) as
 * text. A walk over the tokens of Postgres's own scanner (sql_scan.h) finds
 * the parenthesised group after a keyword; strings, comments, dollar quotes
 * and quoted identifiers are whatever scan.l says they are. */
#ifndef MOCK_SQL_TEXT_H
#define MOCK_SQL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* From `from`, the next parenthesised group "( ... )" of text[0, end):
 * *open at its '(' and *close at the matching ')'. Blanks and comments may
 * precede the '('; anything else before it is no group. Returns false when
 * there is none or it is not closed before `end`. */
bool sql_paren_group(const char *text, size_t end, size_t from, size_t *open, size_t *close);

/* The first keyword `word` (case-insensitive, a bare word: not quoted, not
 * inside parentheses, strings or comments) in text[from, end), followed by
 * `next` when next is not NULL ("WITH" then "CHECK"). Returns its offset, or
 * (size_t)-1. */
size_t sql_find_keyword(const char *text, size_t end, size_t from, const char *word,
                        const char *next);

/* The deepest nesting of parentheses in text[0, end) outside strings,
 * quoted identifiers and comments. */
int sql_text_max_nesting(const char *text, size_t end);

/* The offset of the first token at or after from (blanks and comments skipped). */
size_t sql_skip_blanks(const char *text, size_t end, size_t from);

#endif
