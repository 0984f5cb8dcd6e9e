/* tsquery construction (to_tsany.c pushval_morph, tsquery.c parse_tsquery and
 * its websearch mode, tsquery_cleanup.c clean_stopwords) and matching
 * (tsvector_op.c TS_execute and TS_phrase_execute). The query tree is held as
 * nodes, not Postgres's polish notation; results are the same. */
#include "tsquery.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct builder {
    ts_config_id_t cfg;
    const char *s;
    size_t n, at;
    size_t nodes;
    int depth;
    bool too_large, bad, no_operand, far;
} builder_t;

#define TSQ_MAX_DEPTH 256

static void free_tree(tsq_node_t *t)
{
    if (!t)
        return;
    free_tree(t->left);
    free_tree(t->right);
    free(t->word);
    free(t);
}

void tsquery_dispose(tsquery_t *q)
{
    if (!q)
        return;
    free_tree(q->root);
    q->root = NULL;
}

static tsq_node_t *node_new(builder_t *b, tsq_kind_t kind)
{
    if (++b->nodes > TSQ_MAX_NODES)
        b->too_large = true;
    tsq_node_t *t = xcalloc(1, sizeof *t);
    t->kind = kind;
    return t;
}

static tsq_node_t *binary(builder_t *b, tsq_kind_t kind, int distance, tsq_node_t *l, tsq_node_t *r)
{
    tsq_node_t *t = node_new(b, kind);
    t->distance = distance;
    t->left = l;
    t->right = r;
    return t;
}

/* pushval_morph: the operand's text through the configuration; its lexemes
 * joined by `op` (distance 1), a stop word between two lexemes kept as a
 * placeholder so that the phrase distance survives the cleanup. */
static tsq_node_t *morph(builder_t *b, const char *s, size_t n, tsq_kind_t op, unsigned weights,
                         bool prefix)
{
    ts_word_t *words;
    size_t count = ts_parse_words(b->cfg, s, n, &words);
    tsq_node_t *acc = NULL;
    unsigned pos = 0;
    for (size_t i = 0; i < count && !b->too_large; i++) {
        if (pos > 0)
            while (pos + 1 < words[i].pos) {
                acc = binary(b, op, 1, acc, node_new(b, TSQ_STOP));
                pos++;
            }
        pos = words[i].pos;
        tsq_node_t *v = node_new(b, TSQ_VAL);
        v->word = words[i].word;
        v->len = words[i].len;
        v->weights = weights;
        v->prefix = prefix;
        words[i].word = NULL;
        acc = acc ? binary(b, op, 1, acc, v) : v;
    }
    ts_words_free(words, count);
    return acc ? acc : node_new(b, TSQ_STOP);
}

/* ---- to_tsquery's syntax ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void skip_space(builder_t *b)
{
    while (b->at < b->n && is_space(b->s[b->at]))
        b->at++;
}

static bool special(char c)
{
    return c == '!' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == ':';
}

static tsq_node_t *p_or(builder_t *b);

static tsq_node_t *p_operand(builder_t *b)
{
    buf_t w;
    buf_init(&w);
    if (b->at < b->n && b->s[b->at] == '\'') {
        b->at++;
        for (;;) {
            if (b->at >= b->n) {
                b->bad = true;
                break;
            }
            char c = b->s[b->at];
            if (c == '\\' && b->at + 1 < b->n) {
                buf_putc(&w, b->s[b->at + 1]);
                b->at += 2;
            } else if (c == '\'' && b->at + 1 < b->n && b->s[b->at + 1] == '\'') {
                buf_putc(&w, '\'');
                b->at += 2;
            } else if (c == '\'') {
                b->at++;
                break;
            } else {
                buf_putc(&w, c);
                b->at++;
            }
        }
    } else {
        while (b->at < b->n && !is_space(b->s[b->at]) && !special(b->s[b->at])) {
            if (b->s[b->at] == '\\' && b->at + 1 < b->n)
                b->at++;
            buf_putc(&w, b->s[b->at++]);
        }
        if (!w.len)
            b->bad = true;
    }
    unsigned weights = 0;
    bool prefix = false;
    if (!b->bad && b->at < b->n && b->s[b->at] == ':') {
        b->at++;
        for (; b->at < b->n; b->at++) {
            char c = (char)(b->s[b->at] | 0x20);
            if (b->s[b->at] == '*')
                prefix = true;
            else if (c == 'a')
                weights |= 1u << 3;
            else if (c == 'b')
                weights |= 1u << 2;
            else if (c == 'c')
                weights |= 1u << 1;
            else if (c == 'd')
                weights |= 1u;
            else
                break;
        }
    }
    tsq_node_t *t = b->bad ? NULL : morph(b, buf_cstr(&w), w.len, TSQ_PHRASE, weights, prefix);
    buf_dispose(&w);
    return t;
}

static tsq_node_t *p_unary(builder_t *b)
{
    skip_space(b);
    if (b->at >= b->n || b->bad || b->too_large) {
        if (b->at >= b->n)
            b->no_operand = true;
        b->bad = true;
        return NULL;
    }
    char c = b->s[b->at];
    if (c == '!') {
        b->at++;
        if (++b->depth > TSQ_MAX_DEPTH) {
            b->too_large = true;
            return NULL;
        }
        tsq_node_t *r = p_unary(b);
        b->depth--;
        if (!r)
            return NULL;
        tsq_node_t *t = node_new(b, TSQ_NOT);
        t->right = r;
        return t;
    }
    if (c == '(') {
        b->at++;
        if (++b->depth > TSQ_MAX_DEPTH) {
            b->too_large = true;
            return NULL;
        }
        tsq_node_t *t = p_or(b);
        b->depth--;
        skip_space(b);
        if (!t || b->at >= b->n || b->s[b->at] != ')') {
            free_tree(t);
            b->bad = true;
            return NULL;
        }
        b->at++;
        return t;
    }
    if (special(c)) {
        b->bad = true;
        return NULL;
    }
    return p_operand(b);
}

/* <-> or <N>: the distance, or -1 when the text there is no phrase operator. */
static int phrase_operator(builder_t *b)
{
    size_t i = b->at;
    if (i >= b->n || b->s[i] != '<')
        return -1;
    i++;
    int d;
    if (i < b->n && b->s[i] == '-') {
        d = 1;
        i++;
    } else {
        if (i >= b->n || b->s[i] < '0' || b->s[i] > '9')
            return -1;
        long v = 0;
        while (i < b->n && b->s[i] >= '0' && b->s[i] <= '9') {
            if (v <= 100000)
                v = v * 10 + (b->s[i] - '0');
            i++;
        }
        if (v > 16384) {
            b->far = true;
            return -1;
        }
        d = (int)v;
    }
    if (i >= b->n || b->s[i] != '>')
        return -1;
    b->at = i + 1;
    return d;
}

static tsq_node_t *p_phrase(builder_t *b)
{
    tsq_node_t *l = p_unary(b);
    while (l && !b->bad && !b->too_large) {
        skip_space(b);
        int d = phrase_operator(b);
        if (d < 0) {
            if (b->at < b->n && b->s[b->at] == '<')
                b->bad = true;
            break;
        }
        tsq_node_t *r = p_unary(b);
        if (!r)
            break;
        l = binary(b, TSQ_PHRASE, d, l, r);
    }
    return l;
}

static tsq_node_t *p_and(builder_t *b)
{
    tsq_node_t *l = p_phrase(b);
    while (l && !b->bad && !b->too_large) {
        skip_space(b);
        if (b->at >= b->n || b->s[b->at] != '&')
            break;
        b->at++;
        tsq_node_t *r = p_phrase(b);
        if (!r)
            break;
        l = binary(b, TSQ_AND, 0, l, r);
    }
    return l;
}

static tsq_node_t *p_or(builder_t *b)
{
    tsq_node_t *l = p_and(b);
    while (l && !b->bad && !b->too_large) {
        skip_space(b);
        if (b->at >= b->n || b->s[b->at] != '|')
            break;
        b->at++;
        tsq_node_t *r = p_and(b);
        if (!r)
            break;
        l = binary(b, TSQ_OR, 0, l, r);
    }
    return l;
}

/* ---- websearch_to_tsquery ---- */

static bool is_or_word(const char *s, size_t n)
{
    return n == 2 && (s[0] | 0x20) == 'o' && (s[1] | 0x20) == 'r';
}

/* websearch mode's separators: white space and to_tsquery's operator
 * characters (tsquery.c ISOPERATOR), which websearch ignores; ':' too, which
 * ends a value (weights are not read in websearch). */
static bool web_separator(char c)
{
    return is_space(c) || c == '!' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' ||
           c == ':';
}

/* Is there another operand after s[i..n)? */
static bool web_more(const builder_t *b, size_t i)
{
    for (; i < b->n; i++)
        if (!web_separator(b->s[i]) && b->s[i] != '-')
            return true;
    return false;
}

/* gettoken_query_websearch: values separated by white space (and operator
 * characters, ignored), "quoted text" a phrase, - before a value its
 * negation, `or` between two values an OR, the rest ANDed, each value's
 * words joined as a phrase. Never a syntax error. */
static tsq_node_t *websearch(builder_t *b)
{
    tsq_node_t *result = NULL, *conj = NULL;
    bool pending_or = false, negate = false;
    size_t i = 0;
    while (i < b->n && !b->too_large) {
        while (i < b->n && web_separator(b->s[i]))
            i++;
        if (i >= b->n)
            break;
        if (b->s[i] == '-') {
            negate = !negate;
            i++;
            continue;
        }
        size_t start, end;
        if (b->s[i] == '"') {
            start = ++i;
            while (i < b->n && b->s[i] != '"')
                i++;
            end = i;
            if (i < b->n)
                i++;
        } else {
            start = i;
            while (i < b->n && !web_separator(b->s[i]) && b->s[i] != '"')
                i++;
            end = i;
            if (!negate && conj && !pending_or && is_or_word(b->s + start, end - start) &&
                web_more(b, i)) {
                pending_or = true;
                continue;
            }
        }
        tsq_node_t *operand = morph(b, b->s + start, end - start, TSQ_PHRASE, 0, false);
        if (negate) {
            tsq_node_t *t = node_new(b, TSQ_NOT);
            t->right = operand;
            operand = t;
            negate = false;
        }
        if (pending_or) {
            result = result ? binary(b, TSQ_OR, 0, result, conj) : conj;
            conj = NULL;
            pending_or = false;
        }
        conj = conj ? binary(b, TSQ_AND, 0, conj, operand) : operand;
    }
    if (conj)
        result = result ? binary(b, TSQ_OR, 0, result, conj) : conj;
    return result;
}

/* ---- cleanup of stop words (tsquery_cleanup.c clean_stopword_intree) ---- */

static tsq_node_t *clean(tsq_node_t *t, int *ladd, int *radd)
{
    *ladd = *radd = 0;
    if (!t)
        return NULL;
    if (t->kind == TSQ_VAL)
        return t;
    if (t->kind == TSQ_STOP) {
        free_tree(t);
        return NULL;
    }
    if (t->kind == TSQ_NOT) {
        t->right = clean(t->right, ladd, radd);
        if (!t->right) {
            free_tree(t);
            return NULL;
        }
        return t;
    }
    int lladd, lradd, rladd, rradd;
    t->left = clean(t->left, &lladd, &lradd);
    t->right = clean(t->right, &rladd, &rradd);
    bool phrase = t->kind == TSQ_PHRASE;
    int nd = phrase ? t->distance : 0;
    if (!t->left && !t->right) {
        if (phrase)
            *ladd = *radd = lladd + nd + rradd;
        free(t);
        return NULL;
    }
    if (!t->left) {
        *ladd = phrase ? lladd + nd + rladd : rladd;
        *radd = rradd;
        tsq_node_t *r = t->right;
        free(t);
        return r;
    }
    if (!t->right) {
        *ladd = lladd;
        *radd = phrase ? lradd + nd + rradd : lradd;
        tsq_node_t *l = t->left;
        free(t);
        return l;
    }
    if (phrase) {
        t->distance += lradd + rladd;
        *ladd = lladd;
        *radd = rradd;
    }
    return t;
}

int tsquery_build(ts_config_id_t cfg, tsq_function_t fn, const char *s, size_t n, tsquery_t *out,
                  char **error, const char **code)
{
    builder_t b = {cfg, s, n, 0, 0, 0, false, false, false, false};
    tsq_node_t *t = NULL;
    switch (fn) {
    case TSQ_TO_TSQUERY:
        skip_space(&b);
        if (b.at < n) {
            t = p_or(&b);
            skip_space(&b);
            if (b.at < n)
                b.bad = true;
        }
        break;
    case TSQ_PLAINTO:
        t = morph(&b, s, n, TSQ_AND, 0, false);
        break;
    case TSQ_PHRASETO:
        t = morph(&b, s, n, TSQ_PHRASE, 0, false);
        break;
    case TSQ_WEBSEARCH:
        t = websearch(&b);
        break;
    }
    if (b.too_large) {
        free_tree(t);
        *code = "54000";
        *error = xasprintf("tsquery is too large");
        return -1;
    }
    if (b.far) {
        free_tree(t);
        *code = "22023";
        *error = xasprintf("distance in phrase operator must be an integer value between zero "
                           "and 16384 inclusive");
        return -1;
    }
    if (b.bad) {
        free_tree(t);
        *code = "42601";
        *error = xasprintf("%s in tsquery: \"%.*s\"", b.no_operand ? "no operand" : "syntax error",
                           (int)n, s);
        return -1;
    }
    int ladd, radd;
    out->root = clean(t, &ladd, &radd);
    out->nodes = b.nodes;
    return 0;
}

/* ---- matching ---- */

typedef enum { TS_NO, TS_YES, TS_MAYBE } ts_result_t;

/* ExecPhraseData: the positions where a phrase operand ends (or, when
 * negate, the positions where it does not), and its width. */
typedef struct phrase_data {
    unsigned *pos; /* owned, sorted, distinct */
    size_t npos;
    bool negate;
    int width;
} phrase_data_t;

static bool weight_ok(const tsq_node_t *t, uint16_t p)
{
    return !t->weights || (t->weights & (1u << TS_WEIGHT(p)));
}

/* The lexemes an operand names: [*first, *end). */
static void operand_range(const tsq_node_t *t, const tsvector_t *v, size_t *first, size_t *end)
{
    size_t i = tsvector_lower_bound(v, t->word, t->len);
    size_t e = i;
    while (e < v->count && v->lex[e].len >= t->len &&
           memcmp(v->lex[e].word, t->word, t->len) == 0 && (t->prefix || v->lex[e].len == t->len))
        e++;
    *first = i;
    *end = e;
}

static ts_result_t check_value(const tsq_node_t *t, const tsvector_t *v)
{
    size_t i, e;
    operand_range(t, v, &i, &e);
    ts_result_t r = TS_NO;
    for (; i < e; i++) {
        const ts_lexeme_t *l = &v->lex[i];
        if (!l->npos) {
            /* No positions: weight D only; a weight restriction cannot be
             * checked (checkclass_str answers MAYBE). */
            if (!t->weights)
                return TS_YES;
            r = TS_MAYBE;
            continue;
        }
        for (size_t k = 0; k < l->npos; k++)
            if (weight_ok(t, l->pos[k]))
                return TS_YES;
    }
    return r;
}

static int cmp_uint(const void *x, const void *y)
{
    unsigned a = *(const unsigned *)x, b = *(const unsigned *)y;
    return a < b ? -1 : a > b;
}

static ts_result_t phrase_value(const tsq_node_t *t, const tsvector_t *v, phrase_data_t *d)
{
    size_t i, e;
    operand_range(t, v, &i, &e);
    bool stripped = false;
    size_t cap = 0;
    for (; i < e; i++) {
        const ts_lexeme_t *l = &v->lex[i];
        if (!l->npos)
            stripped = true;
        for (size_t k = 0; k < l->npos; k++) {
            if (!weight_ok(t, l->pos[k]))
                continue;
            if (d->npos == cap) {
                cap = cap ? cap * 2 : 8;
                d->pos = xrealloc(d->pos, cap * sizeof *d->pos);
            }
            d->pos[d->npos++] = TS_POS(l->pos[k]);
        }
    }
    if (d->npos > 1) {
        qsort(d->pos, d->npos, sizeof *d->pos, cmp_uint);
        size_t o = 0;
        for (size_t k = 1; k < d->npos; k++)
            if (d->pos[k] != d->pos[o])
                d->pos[++o] = d->pos[k];
        d->npos = o + 1;
    }
    if (d->npos)
        return TS_YES;
    return stripped ? TS_MAYBE : TS_NO;
}

enum { OUT_BOTH = 1, OUT_L = 2, OUT_R = 4 };

/* TS_phrase_output: merges L (shifted by loff) and R (shifted by roff),
 * keeping positions in both (OUT_BOTH), only in L, only in R. */
static void phrase_output(phrase_data_t *d, const phrase_data_t *l, const phrase_data_t *r,
                          int emit, int loff, int roff)
{
    size_t i = 0, j = 0, cap = l->npos + r->npos;
    d->pos = cap ? xmalloc(cap * sizeof *d->pos) : NULL;
    d->npos = 0;
    while (i < l->npos || j < r->npos) {
        long lp = i < l->npos ? (long)l->pos[i] + loff : -1;
        long rp = j < r->npos ? (long)r->pos[j] + roff : -1;
        if (j >= r->npos || (i < l->npos && lp < rp)) {
            if (emit & OUT_L)
                d->pos[d->npos++] = (unsigned)lp;
            i++;
        } else if (i >= l->npos || rp < lp) {
            if (emit & OUT_R)
                d->pos[d->npos++] = (unsigned)rp;
            j++;
        } else {
            if (emit & OUT_BOTH)
                d->pos[d->npos++] = (unsigned)lp;
            i++;
            j++;
        }
    }
}

static ts_result_t phrase_exec(const tsq_node_t *t, const tsvector_t *v, phrase_data_t *d);

static ts_result_t phrase_binary(const tsq_node_t *t, const tsvector_t *v, phrase_data_t *d)
{
    phrase_data_t L = {0}, R = {0};
    ts_result_t lm, rm, res = TS_YES;
    if (t->kind == TSQ_OR) {
        lm = phrase_exec(t->left, v, &L);
        rm = phrase_exec(t->right, v, &R);
        if (lm == TS_NO && rm == TS_NO) {
            res = TS_NO;
            goto done;
        }
        if (lm == TS_MAYBE || rm == TS_MAYBE) {
            res = TS_MAYBE;
            goto done;
        }
    } else {
        lm = phrase_exec(t->left, v, &L);
        if (lm == TS_NO) {
            res = TS_NO;
            goto done;
        }
        rm = phrase_exec(t->right, v, &R);
        if (rm == TS_NO) {
            res = TS_NO;
            goto done;
        }
        if (lm == TS_MAYBE || rm == TS_MAYBE) {
            res = TS_MAYBE;
            goto done;
        }
    }
    int loff, roff;
    if (t->kind == TSQ_PHRASE) {
        loff = t->distance + R.width;
        roff = 0;
        d->width = L.width + R.width + t->distance;
    } else {
        loff = R.width > L.width ? R.width - L.width : 0;
        roff = L.width > R.width ? L.width - R.width : 0;
        d->width = L.width > R.width ? L.width : R.width;
    }
    if (t->kind == TSQ_OR) {
        if (L.negate && R.negate)
            phrase_output(d, &L, &R, OUT_BOTH, loff, roff);
        else if (L.negate)
            phrase_output(d, &L, &R, OUT_L, loff, roff);
        else if (R.negate)
            phrase_output(d, &L, &R, OUT_R, loff, roff);
        else
            phrase_output(d, &L, &R, OUT_BOTH | OUT_L | OUT_R, loff, roff);
        d->negate = L.negate || R.negate;
        res = TS_YES;
    } else if (L.negate && R.negate) {
        phrase_output(d, &L, &R, OUT_BOTH | OUT_L | OUT_R, loff, roff);
        d->negate = true;
        res = TS_YES;
    } else {
        int emit = L.negate ? OUT_R : R.negate ? OUT_L : OUT_BOTH;
        phrase_output(d, &L, &R, emit, loff, roff);
        res = d->npos ? TS_YES : TS_NO;
    }
done:
    free(L.pos);
    free(R.pos);
    return res;
}

static ts_result_t phrase_exec(const tsq_node_t *t, const tsvector_t *v, phrase_data_t *d)
{
    switch (t->kind) {
    case TSQ_VAL:
        return phrase_value(t, v, d);
    case TSQ_NOT:
        switch (phrase_exec(t->right, v, d)) {
        case TS_NO:
            d->negate = true; /* "match nothing" becomes "match everything" */
            return TS_YES;
        case TS_YES:
            if (d->npos) {
                d->negate = !d->negate;
                return TS_YES;
            }
            if (d->negate) {
                d->negate = false;
                return TS_NO;
            }
            return TS_NO;
        default:
            return TS_MAYBE;
        }
    case TSQ_AND:
    case TSQ_OR:
    case TSQ_PHRASE:
        return phrase_binary(t, v, d);
    default:
        return TS_NO;
    }
}

static ts_result_t exec(const tsq_node_t *t, const tsvector_t *v)
{
    ts_result_t l;
    switch (t->kind) {
    case TSQ_VAL:
        return check_value(t, v);
    case TSQ_NOT:
        l = exec(t->right, v);
        return l == TS_YES ? TS_NO : l == TS_NO ? TS_YES : TS_MAYBE;
    case TSQ_AND:
        l = exec(t->left, v);
        if (l == TS_NO)
            return TS_NO;
        switch (exec(t->right, v)) {
        case TS_NO:
            return TS_NO;
        case TS_YES:
            return l;
        default:
            return TS_MAYBE;
        }
    case TSQ_OR:
        l = exec(t->left, v);
        if (l == TS_YES)
            return TS_YES;
        switch (exec(t->right, v)) {
        case TS_NO:
            return l;
        case TS_YES:
            return TS_YES;
        default:
            return TS_MAYBE;
        }
    case TSQ_PHRASE: {
        /* A phrase without positions to check is no match here (the @@
         * operator does not pass TS_EXEC_PHRASE_NO_POS). */
        phrase_data_t d = {0};
        ts_result_t r = phrase_exec(t, v, &d);
        free(d.pos);
        if (r == TS_YES && (d.npos || d.negate))
            return TS_YES;
        return TS_NO;
    }
    default:
        return TS_NO;
    }
}

bool tsquery_match(const tsquery_t *q, const tsvector_t *v)
{
    return q->root && exec(q->root, v) != TS_NO;
}
