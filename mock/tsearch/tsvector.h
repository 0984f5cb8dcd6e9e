/* Postgres's tsvector: sorted distinct lexemes, each with sorted positions
 * (1..16383) and weights (A-D). Text input and output as tsvectorin and
 * tsvectorout, and to_tsvector(config, text). Pure. */
#ifndef MOCK_TSVECTOR_H
#define MOCK_TSVECTOR_H

#include "buf.h"
#include "ts_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A position as Postgres packs it (WordEntryPos): weight in the top two bits
 * (A=3, B=2, C=1, D=0), the position in the low 14. */
#define TS_POS(p)    ((unsigned)((p)&0x3FFF))
#define TS_WEIGHT(p) ((unsigned)((p) >> 14))
#define TS_MAX_POS   16383   /* MAXENTRYPOS - 1: larger positions are clamped to it */
#define TS_MAX_NPOS  256     /* MAXNUMPOS: positions kept per lexeme */
#define TS_MAX_WORD  2047    /* MAXSTRLEN: the longest lexeme, in bytes */
#define TS_MAX_BYTES 1048575 /* MAXSTRPOS: lexeme bytes of one tsvector */

typedef struct ts_lexeme {
    char *word; /* owned, NUL-terminated (lexemes hold no NUL) */
    size_t len;
    uint16_t *pos; /* owned; NULL when npos == 0 (a stripped lexeme) */
    size_t npos;
} ts_lexeme_t;

/* Ownership: a tsvector_t owns its lexemes; tsvector_dispose frees them. */
typedef struct tsvector {
    ts_lexeme_t *lex; /* sorted bytewise, distinct */
    size_t count;
} tsvector_t;

void tsvector_dispose(tsvector_t *v);

/* tsvectorin: 0, or -1 with *error set to Postgres's message (a heap string;
 * every tsvector input error is SQLSTATE 42601 except the size limits, 54000,
 * which *code says). */
int tsvector_parse(const char *s, size_t n, tsvector_t *out, char **error, const char **code);
/* tsvectorout: 'word':1,3B 'other' (quotes doubled, backslashes doubled). */
void tsvector_render(const tsvector_t *v, buf_t *out);

/* to_tsvector(cfg, s[0..n)). A document whose lexemes exceed TS_MAX_BYTES
 * fails like Postgres (54000, message in *error); 0 otherwise. */
int tsvector_from_text(ts_config_id_t cfg, const char *s, size_t n, tsvector_t *out, char **error);

/* to_tsvector(cfg, json/jsonb): the string values texts[0..k) in document
 * order, each parsed on from the last one's positions, with a gap of one
 * after each value that gave lexemes (jsonb_to_tsvector). */
int tsvector_from_texts(ts_config_id_t cfg, const char *const *texts, const size_t *lens, size_t k,
                        tsvector_t *out, char **error);

/* The lexeme equal to word[0..len), or NULL. */
const ts_lexeme_t *tsvector_find(const tsvector_t *v, const char *word, size_t len);
/* The index of the first lexeme not below word[0..len) (for prefix scans). */
size_t tsvector_lower_bound(const tsvector_t *v, const char *word, size_t len);

/* One word of a parsed document, in order (parsetext's ParsedWord): a lexeme
 * at a position; stop words are not listed but use up their position. */
typedef struct ts_word {
    char *word; /* owned */
    size_t len;
    unsigned pos;
} ts_word_t;

/* Runs the parser and the configuration over s[0..n): *words (heap) gets the
 * lexemes; the caller frees them with ts_words_free. */
size_t ts_parse_words(ts_config_id_t cfg, const char *s, size_t n, ts_word_t **words);
void ts_words_free(ts_word_t *words, size_t count);

#endif
