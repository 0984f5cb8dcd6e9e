/* Postgres's built-in text-search configurations: simple (every token type
 * through the simple dictionary: lowercase) and the Snowball ones made by
 * snowball_create.sql (words through <language>_stem: lowercase, stop words of
 * <language>.stop, the Snowball stemmer; numbers, emails, hosts, files and
 * versions through simple). */
#include "ts_config.h"

#include "ts_stop.h"
#include "xalloc.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* pg_ts_config_map of PostgreSQL 15: every configuration but simple sends
 * words to <language>_stem (stop words of <language>.stop where the file
 * exists); hindi and russian send ASCII words to english_stem instead. Indexed
 * by ts_config_id_t. */
static const struct {
    const char *name;
    ts_config_id_t id;
    const char *algorithm;
    ts_stop_list_t stop;
    bool ascii_english;
} configs[] = {
    {"simple", TS_CFG_SIMPLE, NULL, TS_STOP_NONE, false},
    {"arabic", TS_CFG_ARABIC, "arabic", TS_STOP_NONE, false},
    {"armenian", TS_CFG_ARMENIAN, "armenian", TS_STOP_NONE, false},
    {"basque", TS_CFG_BASQUE, "basque", TS_STOP_NONE, false},
    {"catalan", TS_CFG_CATALAN, "catalan", TS_STOP_NONE, false},
    {"danish", TS_CFG_DANISH, "danish", TS_STOP_DANISH, false},
    {"dutch", TS_CFG_DUTCH, "dutch", TS_STOP_DUTCH, false},
    {"english", TS_CFG_ENGLISH, "english", TS_STOP_ENGLISH, false},
    {"finnish", TS_CFG_FINNISH, "finnish", TS_STOP_FINNISH, false},
    {"french", TS_CFG_FRENCH, "french", TS_STOP_FRENCH, false},
    {"german", TS_CFG_GERMAN, "german", TS_STOP_GERMAN, false},
    {"greek", TS_CFG_GREEK, "greek", TS_STOP_NONE, false},
    {"hindi", TS_CFG_HINDI, "hindi", TS_STOP_NONE, true},
    {"hungarian", TS_CFG_HUNGARIAN, "hungarian", TS_STOP_HUNGARIAN, false},
    {"indonesian", TS_CFG_INDONESIAN, "indonesian", TS_STOP_NONE, false},
    {"irish", TS_CFG_IRISH, "irish", TS_STOP_NONE, false},
    {"italian", TS_CFG_ITALIAN, "italian", TS_STOP_ITALIAN, false},
    {"lithuanian", TS_CFG_LITHUANIAN, "lithuanian", TS_STOP_NONE, false},
    {"nepali", TS_CFG_NEPALI, "nepali", TS_STOP_NEPALI, false},
    {"norwegian", TS_CFG_NORWEGIAN, "norwegian", TS_STOP_NORWEGIAN, false},
    {"portuguese", TS_CFG_PORTUGUESE, "portuguese", TS_STOP_PORTUGUESE, false},
    {"romanian", TS_CFG_ROMANIAN, "romanian", TS_STOP_NONE, false},
    {"russian", TS_CFG_RUSSIAN, "russian", TS_STOP_RUSSIAN, true},
    {"serbian", TS_CFG_SERBIAN, "serbian", TS_STOP_NONE, false},
    {"spanish", TS_CFG_SPANISH, "spanish", TS_STOP_SPANISH, false},
    {"swedish", TS_CFG_SWEDISH, "swedish", TS_STOP_SWEDISH, false},
    {"tamil", TS_CFG_TAMIL, "tamil", TS_STOP_NONE, false},
    {"turkish", TS_CFG_TURKISH, "turkish", TS_STOP_TURKISH, false},
    {"yiddish", TS_CFG_YIDDISH, "yiddish", TS_STOP_NONE, false},
};
#define CONFIG_COUNT (sizeof configs / sizeof configs[0])

bool ts_config_lookup(const char *name, ts_config_id_t *out)
{
    if (strncasecmp(name, "pg_catalog.", 11) == 0)
        name += 11;
    for (size_t i = 0; i < CONFIG_COUNT; i++)
        if (strcasecmp(name, configs[i].name) == 0) {
            *out = configs[i].id;
            return true;
        }
    return false;
}

void ts_lexizer_init(ts_lexizer_t *lx, ts_config_id_t cfg)
{
    lx->cfg = cfg;
    MOCK_ASSERT(configs[cfg].id == cfg);
    lx->stemmer = configs[cfg].algorithm ? sb_stemmer_new(configs[cfg].algorithm, "UTF_8") : NULL;
    lx->ascii_stemmer = configs[cfg].ascii_english ? sb_stemmer_new("english", "UTF_8") : NULL;
    /* Only allocation fails for a compiled-in algorithm. */
    MOCK_ASSERT(!configs[cfg].algorithm || lx->stemmer);
    MOCK_ASSERT(!configs[cfg].ascii_english || lx->ascii_stemmer);
    lx->loc = ts_utf8_locale();
}

void ts_lexizer_dispose(ts_lexizer_t *lx)
{
    if (lx->stemmer)
        sb_stemmer_delete(lx->stemmer);
    if (lx->ascii_stemmer)
        sb_stemmer_delete(lx->ascii_stemmer);
    lx->ascii_stemmer = NULL;
    if (lx->loc)
        freelocale(lx->loc);
    lx->stemmer = NULL;
    lx->loc = (locale_t)0;
}

/* The token types the Snowball configurations send to their stemming
 * dictionary (the rest of the indexed ones go to simple). */
static bool stemmed(ts_token_type_t type)
{
    switch (type) {
    case TS_TOK_ASCIIWORD:
    case TS_TOK_WORD:
    case TS_TOK_ASCIIHWORD:
    case TS_TOK_HWORD:
    case TS_TOK_HWORD_PART:
    case TS_TOK_HWORD_ASCIIPART:
        return true;
    default:
        return false;
    }
}

/* dict_snowball.c: words longer than this are not stemmed (kept lowercased). */
#define SNOWBALL_MAX_STEM 1000

ts_lexize_result_t ts_lexize(const ts_lexizer_t *lx, ts_token_type_t type, const char *s, size_t n,
                             char **out, size_t *out_len)
{
    if (type == TS_TOK_BLANK)
        return TS_LEX_SKIP;
    char *low = ts_lower(lx->loc, s, n, out_len);
    if (!lx->stemmer || !stemmed(type) || *out_len > SNOWBALL_MAX_STEM) {
        *out = low;
        return TS_LEX_WORD;
    }
    bool ascii =
        type == TS_TOK_ASCIIWORD || type == TS_TOK_ASCIIHWORD || type == TS_TOK_HWORD_ASCIIPART;
    struct sb_stemmer *stemmer = ascii && lx->ascii_stemmer ? lx->ascii_stemmer : lx->stemmer;
    ts_stop_list_t stop = ascii && lx->ascii_stemmer ? TS_STOP_ENGLISH : configs[lx->cfg].stop;
    if (ts_stop_is_stop(stop, low)) {
        free(low);
        return TS_LEX_STOP;
    }
    const sb_symbol *st = sb_stemmer_stem(stemmer, (const sb_symbol *)low, (int)*out_len);
    if (!st) {
        *out = low; /* the stemmer could not allocate: keep the word */
        return TS_LEX_WORD;
    }
    size_t len = (size_t)sb_stemmer_length(stemmer);
    char *stem = xstrndup((const char *)st, len);
    free(low);
    *out = stem;
    *out_len = len;
    return TS_LEX_WORD;
}
