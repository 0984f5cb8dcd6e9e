/* tsvector values: the text form in and out (tsvector.c, tsvector_parser.c
 * of Postgres) and to_tsvector (to_tsany.c, ts_parse.c: parsetext and
 * make_tsvector). Positions and weights follow Postgres's packing and
 * limits. */
#include "tsvector.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void tsvector_dispose(tsvector_t *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->count; i++) {
        free(v->lex[i].word);
        free(v->lex[i].pos);
    }
    free(v->lex);
    v->lex = NULL;
    v->count = 0;
}

static int cmp_word(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c)
        return c;
    return al < bl ? -1 : al > bl ? 1 : 0;
}

static int cmp_lexeme(const void *x, const void *y)
{
    const ts_lexeme_t *a = x, *b = y;
    return cmp_word(a->word, a->len, b->word, b->len);
}

static int cmp_pos(const void *x, const void *y)
{
    unsigned a = TS_POS(*(const uint16_t *)x), b = TS_POS(*(const uint16_t *)y);
    return a < b ? -1 : a > b ? 1 : 0;
}

/* Sorts positions and keeps one per position, the heaviest weight
 * (tsvector.c uniquePos), at most `cap` of them. */
static void unique_pos(ts_lexeme_t *l, size_t cap)
{
    if (!l->npos)
        return;
    qsort(l->pos, l->npos, sizeof *l->pos, cmp_pos);
    size_t o = 0;
    for (size_t i = 1; i < l->npos; i++) {
        if (TS_POS(l->pos[i]) != TS_POS(l->pos[o])) {
            if (o + 1 >= cap)
                break;
            l->pos[++o] = l->pos[i];
        } else if (TS_WEIGHT(l->pos[i]) > TS_WEIGHT(l->pos[o])) {
            l->pos[o] = (uint16_t)((l->pos[o] & 0x3FFF) | (l->pos[i] & 0xC000));
        }
    }
    l->npos = o + 1;
}

/* Sorts lexemes and merges equal ones (their positions joined). */
static void normalise(tsvector_t *v, size_t pos_cap)
{
    if (!v->count)
        return;
    qsort(v->lex, v->count, sizeof *v->lex, cmp_lexeme);
    size_t o = 0;
    for (size_t i = 1; i < v->count; i++) {
        ts_lexeme_t *a = &v->lex[o], *b = &v->lex[i];
        if (cmp_lexeme(a, b) != 0) {
            unique_pos(a, pos_cap);
            v->lex[++o] = *b;
            continue;
        }
        if (b->npos) {
            a->pos = xrealloc(a->pos, (a->npos + b->npos) * sizeof *a->pos);
            memcpy(a->pos + a->npos, b->pos, b->npos * sizeof *b->pos);
            a->npos += b->npos;
        }
        free(b->word);
        free(b->pos);
    }
    unique_pos(&v->lex[o], pos_cap);
    v->count = o + 1;
}

static void push_lexeme(tsvector_t *v, size_t *cap, char *word, size_t len, uint16_t *pos,
                        size_t npos)
{
    if (v->count == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        v->lex = xrealloc(v->lex, *cap * sizeof *v->lex);
    }
    v->lex[v->count++] = (ts_lexeme_t){word, len, pos, npos};
}

/* ---- input ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int syntax(const char *s, size_t n, char **error)
{
    *error = xasprintf("syntax error in tsvector: \"%.*s\"", (int)n, s);
    return -1;
}

int tsvector_parse(const char *s, size_t n, tsvector_t *out, char **error, const char **code)
{
    tsvector_t v = {NULL, 0};
    size_t cap = 0, total = 0;
    size_t i = 0;
    buf_t w;
    buf_init(&w);
    *code = "42601";
    for (;;) {
        while (i < n && is_space(s[i]))
            i++;
        if (i >= n)
            break;
        buf_reset(&w);
        if (s[i] == '\'') {
            i++;
            for (;;) {
                if (i >= n)
                    goto bad;
                if (s[i] == '\\') {
                    if (i + 1 >= n)
                        goto bad;
                    buf_putc(&w, s[i + 1]);
                    i += 2;
                } else if (s[i] == '\'') {
                    if (i + 1 < n && s[i + 1] == '\'') {
                        buf_putc(&w, '\'');
                        i += 2;
                    } else {
                        i++;
                        break;
                    }
                } else {
                    buf_putc(&w, s[i++]);
                }
            }
        } else {
            while (i < n && !is_space(s[i]) && s[i] != ':') {
                if (s[i] == '\\') {
                    if (i + 1 >= n)
                        goto bad;
                    buf_putc(&w, s[i + 1]);
                    i += 2;
                } else {
                    buf_putc(&w, s[i++]);
                }
            }
        }
        if (w.len > TS_MAX_WORD) {
            *error = xasprintf("word is too long (%zu bytes, max %d bytes)", w.len, TS_MAX_WORD);
            *code = "54000";
            goto fail;
        }
        if (memchr(buf_cstr(&w), '\0', w.len))
            goto bad;
        uint16_t *pos = NULL;
        size_t npos = 0;
        if (i < n && s[i] == ':') {
            i++;
            for (;;) {
                if (i >= n || s[i] < '0' || s[i] > '9') {
                    free(pos);
                    goto bad;
                }
                unsigned long p = 0;
                while (i < n && s[i] >= '0' && s[i] <= '9') {
                    if (p < 1000000)
                        p = p * 10 + (unsigned long)(s[i] - '0');
                    i++;
                }
                if (p == 0) {
                    free(pos);
                    *error = xasprintf("wrong position info in tsvector: \"%.*s\"", (int)n, s);
                    goto fail;
                }
                if (p > TS_MAX_POS)
                    p = TS_MAX_POS;
                unsigned weight = 0;
                while (i < n && s[i] && strchr("aAbBcCdD*", s[i])) {
                    char c = (char)(s[i] | 0x20);
                    if (c == 'a')
                        weight = 3;
                    else if (c == 'b')
                        weight = 2;
                    else if (c == 'c')
                        weight = 1;
                    else if (c == 'd')
                        weight = 0;
                    i++;
                }
                if (npos < TS_MAX_NPOS) {
                    pos = xrealloc(pos, (npos + 1) * sizeof *pos);
                    pos[npos++] = (uint16_t)(p | (weight << 14));
                }
                if (i < n && s[i] == ',') {
                    i++;
                    continue;
                }
                break;
            }
            if (i < n && !is_space(s[i])) {
                free(pos);
                goto bad;
            }
        }
        total += w.len;
        if (total > TS_MAX_BYTES) {
            free(pos);
            *error = xasprintf("string is too long for tsvector (%zu bytes, max %d bytes)", total,
                               TS_MAX_BYTES);
            *code = "54000";
            goto fail;
        }
        push_lexeme(&v, &cap, xstrndup(buf_cstr(&w), w.len), w.len, pos, npos);
    }
    buf_dispose(&w);
    normalise(&v, TS_MAX_NPOS);
    *out = v;
    return 0;
bad:
    syntax(s, n, error);
fail:
    buf_dispose(&w);
    tsvector_dispose(&v);
    return -1;
}

/* ---- output ---- */

void tsvector_render(const tsvector_t *v, buf_t *out)
{
    for (size_t i = 0; i < v->count; i++) {
        const ts_lexeme_t *l = &v->lex[i];
        if (i)
            buf_putc(out, ' ');
        buf_putc(out, '\'');
        for (size_t k = 0; k < l->len; k++) {
            if (l->word[k] == '\'' || l->word[k] == '\\')
                buf_putc(out, l->word[k]);
            buf_putc(out, l->word[k]);
        }
        buf_putc(out, '\'');
        for (size_t k = 0; k < l->npos; k++) {
            buf_putc(out, k ? ',' : ':');
            buf_put_int(out, TS_POS(l->pos[k]));
            static const char weights[] = {0, 'C', 'B', 'A'};
            if (TS_WEIGHT(l->pos[k]))
                buf_putc(out, weights[TS_WEIGHT(l->pos[k])]);
        }
    }
}

/* ---- to_tsvector ---- */

/* parsetext: appends the lexemes of s[0..n) to *words, positions counted on
 * from *pos. */
static void parse_append(const ts_lexizer_t *lx, const char *s, size_t n, unsigned *pos,
                         ts_word_t **words, size_t *count, size_t *cap)
{
    ts_parser_t p;
    ts_parser_init(&p, s, n);
    ts_token_t tok;
    while (ts_parser_next(&p, &tok)) {
        if (tok.len > TS_MAX_WORD)
            continue; /* parsetext: "word is too long to be indexed", ignored */
        char *lex;
        size_t len;
        ts_lexize_result_t r = ts_lexize(lx, tok.type, s + tok.start, tok.len, &lex, &len);
        if (r == TS_LEX_SKIP)
            continue;
        (*pos)++;
        if (r == TS_LEX_STOP)
            continue;
        if (*count == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *words = xrealloc(*words, *cap * sizeof **words);
        }
        (*words)[(*count)++] = (ts_word_t){lex, len, *pos};
    }
    ts_parser_dispose(&p);
}

size_t ts_parse_words(ts_config_id_t cfg, const char *s, size_t n, ts_word_t **words)
{
    ts_lexizer_t lx;
    ts_lexizer_init(&lx, cfg);
    size_t count = 0, cap = 0;
    unsigned pos = 0;
    *words = NULL;
    parse_append(&lx, s, n, &pos, words, &count, &cap);
    ts_lexizer_dispose(&lx);
    return count;
}

void ts_words_free(ts_word_t *words, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(words[i].word);
    free(words);
}

int tsvector_from_text(ts_config_id_t cfg, const char *s, size_t n, tsvector_t *out, char **error)
{
    return tsvector_from_texts(cfg, &s, &n, 1, out, error);
}

int tsvector_from_texts(ts_config_id_t cfg, const char *const *texts, const size_t *lens, size_t k,
                        tsvector_t *out, char **error)
{
    ts_lexizer_t lx;
    ts_lexizer_init(&lx, cfg);
    ts_word_t *words = NULL;
    size_t count = 0, cap = 0;
    unsigned pos = 0;
    for (size_t i = 0; i < k; i++) {
        size_t before = count;
        parse_append(&lx, texts[i], lens[i], &pos, &words, &count, &cap);
        /* jsonb_to_tsvector's add_to_tsvector: a value that gave lexemes is
         * followed by a gap, so that phrases do not span two values. */
        if (count > before)
            pos++;
    }
    ts_lexizer_dispose(&lx);
    tsvector_t v = {NULL, 0};
    size_t vcap = 0;
    for (size_t i = 0; i < count; i++) {
        uint16_t *p = xmalloc(sizeof *p);
        p[0] = (uint16_t)(words[i].pos > TS_MAX_POS ? TS_MAX_POS : words[i].pos);
        push_lexeme(&v, &vcap, words[i].word, words[i].len, p, 1);
        words[i].word = NULL;
    }
    ts_words_free(words, count);
    /* make_tsvector: at most MAXNUMPOS - 1 positions per lexeme. */
    normalise(&v, TS_MAX_NPOS - 1);
    size_t total = 0;
    for (size_t i = 0; i < v.count; i++)
        total += v.lex[i].len;
    if (total > TS_MAX_BYTES) {
        *error = xasprintf("string is too long for tsvector (%zu bytes, max %d bytes)", total,
                           TS_MAX_BYTES);
        tsvector_dispose(&v);
        return -1;
    }
    *out = v;
    return 0;
}

const ts_lexeme_t *tsvector_find(const tsvector_t *v, const char *word, size_t len)
{
    size_t i = tsvector_lower_bound(v, word, len);
    if (i < v->count && cmp_word(v->lex[i].word, v->lex[i].len, word, len) == 0)
        return &v->lex[i];
    return NULL;
}

size_t tsvector_lower_bound(const tsvector_t *v, const char *word, size_t len)
{
    size_t lo = 0, hi = v->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_word(v->lex[mid].word, v->lex[mid].len, word, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
