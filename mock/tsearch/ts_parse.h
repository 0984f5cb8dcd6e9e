/* The tokens of Postgres's default text-search parser (wparser_def.c) as far
 * as supamock models them: words (asciiword, word, numword), hyphenated words
 * and their parts, email addresses, host names, file-like dotted names,
 * versions, integers and decimals. URLs, tags, entities and scientific
 * notation are not recognised: their pieces come out as the tokens above.
 * Pure; the parser borrows its input for its life. */
#ifndef MOCK_TS_PARSE_H
#define MOCK_TS_PARSE_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>

/* Postgres's token type ids (ts_token_type('default')). */
typedef enum ts_token_type {
    TS_TOK_ASCIIWORD = 1,
    TS_TOK_WORD = 2,
    TS_TOK_NUMWORD = 3,
    TS_TOK_EMAIL = 4,
    TS_TOK_HOST = 6,
    TS_TOK_SFLOAT = 7,
    TS_TOK_VERSION = 8,
    TS_TOK_HWORD_NUMPART = 9,
    TS_TOK_HWORD_PART = 10,
    TS_TOK_HWORD_ASCIIPART = 11,
    TS_TOK_BLANK = 12,
    TS_TOK_NUMHWORD = 15,
    TS_TOK_ASCIIHWORD = 16,
    TS_TOK_HWORD = 17,
    TS_TOK_FILE = 19,
    TS_TOK_FLOAT = 20,
    TS_TOK_INT = 21,
    TS_TOK_UINT = 22,
} ts_token_type_t;

typedef struct ts_token {
    ts_token_type_t type;
    size_t start; /* byte offset into the input */
    size_t len;
} ts_token_t;

/* Walks s[0..n) (UTF-8). Letters are classified as Postgres does in a UTF-8
 * database (iswalpha in the C.UTF-8 locale), digits are ASCII. */
typedef struct ts_parser {
    const char *s;
    size_t n;
    size_t at;
    /* A hyphenated word is given whole, then part by part: the parts still
     * to give lie in [part_at, part_end). */
    size_t part_at, part_end;
    locale_t loc; /* owned; (locale_t)0 when C.UTF-8 is missing (ASCII only) */
} ts_parser_t;

void ts_parser_init(ts_parser_t *p, const char *s, size_t n);
void ts_parser_dispose(ts_parser_t *p);
/* The next token that is not blank; false at the end. */
bool ts_parser_next(ts_parser_t *p, ts_token_t *tok);

/* Lowercases s[0..n) as Postgres's lower() does in a UTF-8 database
 * (towlower per character). A heap string the caller frees; *out_len its length. */
char *ts_lower(locale_t loc, const char *s, size_t n, size_t *out_len);
/* The C.UTF-8 locale, or (locale_t)0; the caller frees it with freelocale. */
locale_t ts_utf8_locale(void);

#endif
