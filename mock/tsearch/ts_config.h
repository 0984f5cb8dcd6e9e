/* Text-search configurations as Postgres ships them (simple, and the Snowball
 * configurations of snowball_create.sql, arabic to yiddish): which token
 * types a configuration indexes and how a token becomes a lexeme (lowercased,
 * a stop word dropped, Snowball-stemmed). Pure apart from the stemmer's own
 * allocations. */
#ifndef MOCK_TS_CONFIG_H
#define MOCK_TS_CONFIG_H

#include "ts_parse.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum ts_config_id {
    TS_CFG_SIMPLE,
    TS_CFG_ARABIC,
    TS_CFG_ARMENIAN,
    TS_CFG_BASQUE,
    TS_CFG_CATALAN,
    TS_CFG_DANISH,
    TS_CFG_DUTCH,
    TS_CFG_ENGLISH,
    TS_CFG_FINNISH,
    TS_CFG_FRENCH,
    TS_CFG_GERMAN,
    TS_CFG_GREEK,
    TS_CFG_HINDI,
    TS_CFG_HUNGARIAN,
    TS_CFG_INDONESIAN,
    TS_CFG_IRISH,
    TS_CFG_ITALIAN,
    TS_CFG_LITHUANIAN,
    TS_CFG_NEPALI,
    TS_CFG_NORWEGIAN,
    TS_CFG_PORTUGUESE,
    TS_CFG_ROMANIAN,
    TS_CFG_RUSSIAN,
    TS_CFG_SERBIAN,
    TS_CFG_SPANISH,
    TS_CFG_SWEDISH,
    TS_CFG_TAMIL,
    TS_CFG_TURKISH,
    TS_CFG_YIDDISH,
} ts_config_id_t;

/* The configuration's name as regconfig input reads it ("english",
 * "pg_catalog.english", any case as an unquoted identifier); false when there
 * is no such configuration. */
bool ts_config_lookup(const char *name, ts_config_id_t *out);
/* The configuration Supabase's databases use by default
 * (default_text_search_config = 'pg_catalog.english'). */
#define TS_CFG_DEFAULT TS_CFG_ENGLISH

/* One configuration ready to turn tokens into lexemes: owns a Snowball
 * stemmer and a locale for the life of one call (to_tsvector of one value,
 * one tsquery). */
typedef struct ts_lexizer {
    ts_config_id_t cfg;
    struct sb_stemmer *stemmer; /* NULL for simple */
    /* hindi and russian: ASCII words go to english_stem */
    struct sb_stemmer *ascii_stemmer;
    locale_t loc;
} ts_lexizer_t;

void ts_lexizer_init(ts_lexizer_t *lx, ts_config_id_t cfg);
void ts_lexizer_dispose(ts_lexizer_t *lx);

typedef enum ts_lexize_result {
    TS_LEX_SKIP, /* the token type is not indexed: no position used */
    TS_LEX_STOP, /* a stop word: uses a position, gives no lexeme */
    TS_LEX_WORD, /* *out (heap, NUL-terminated) is the lexeme */
} ts_lexize_result_t;

ts_lexize_result_t ts_lexize(const ts_lexizer_t *lx, ts_token_type_t type, const char *s, size_t n,
                             char **out, size_t *out_len);

#endif
