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

static const struct {
    const char *name;
    ts_config_id_t id;
    const char *algorithm;
    ts_stop_list_t stop;
} configs[] = {
    {"simple", TS_CFG_SIMPLE, NULL, TS_STOP_NONE},
    {"english", TS_CFG_ENGLISH, "english", TS_STOP_ENGLISH},
    {"french", TS_CFG_FRENCH, "french", TS_STOP_FRENCH},
    {"german", TS_CFG_GERMAN, "german", TS_STOP_GERMAN},
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
    lx->stemmer = configs[cfg].algorithm ? sb_stemmer_new(configs[cfg].algorithm, "UTF_8") : NULL;
    /* Only allocation fails for a compiled-in algorithm. */
    MOCK_ASSERT(!configs[cfg].algorithm || lx->stemmer);
    lx->loc = ts_utf8_locale();
}

void ts_lexizer_dispose(ts_lexizer_t *lx)
{
    if (lx->stemmer)
        sb_stemmer_delete(lx->stemmer);
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
    if (ts_stop_is_stop(configs[lx->cfg].stop, low)) {
        free(low);
        return TS_LEX_STOP;
    }
    const sb_symbol *st = sb_stemmer_stem(lx->stemmer, (const sb_symbol *)low, (int)*out_len);
    if (!st) {
        *out = low; /* the stemmer could not allocate: keep the word */
        return TS_LEX_WORD;
    }
    size_t len = (size_t)sb_stemmer_length(lx->stemmer);
    char *stem = xstrndup((const char *)st, len);
    free(low);
    *out = stem;
    *out_len = len;
    return TS_LEX_WORD;
}
