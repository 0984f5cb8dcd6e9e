/* Postgres's tsquery as the full-text filters build it: to_tsquery,
 * plainto_tsquery, phraseto_tsquery and websearch_to_tsquery of a
 * configuration, and `tsvector @@ tsquery` (tsvector_op.c TS_execute, with
 * phrase positions, prefixes, weights and negation). Pure. */
#ifndef MOCK_TSQUERY_H
#define MOCK_TSQUERY_H

#include "ts_config.h"
#include "tsvector.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum tsq_kind {
    TSQ_VAL,
    TSQ_STOP, /* a stop word's place, removed before the query is used */
    TSQ_NOT,
    TSQ_AND,
    TSQ_OR,
    TSQ_PHRASE,
} tsq_kind_t;

typedef struct tsq_node {
    tsq_kind_t kind;
    char *word; /* TSQ_VAL: the lexeme (owned) */
    size_t len;
    unsigned weights;              /* TSQ_VAL: bit w set for weight w (D=0 .. A=3); 0: any */
    bool prefix;                   /* TSQ_VAL: :* */
    int distance;                  /* TSQ_PHRASE: <N> */
    struct tsq_node *left, *right; /* NOT: right only */
} tsq_node_t;

/* Ownership: a tsquery_t owns its tree; root NULL is the empty query (only
 * stop words), which matches nothing. */
typedef struct tsquery {
    tsq_node_t *root;
    size_t nodes; /* how many nodes were built: a measure of matching cost */
} tsquery_t;

typedef enum tsq_function {
    TSQ_TO_TSQUERY,
    TSQ_PLAINTO,
    TSQ_PHRASETO,
    TSQ_WEBSEARCH,
} tsq_function_t;

/* The most operands and operators one query may have (supamock's bound on a
 * filter's work, far above what a search box sends). */
#define TSQ_MAX_NODES 4096

/* fn(cfg, s[0..n)). 0, or -1 with *error (heap) and *code (static SQLSTATE):
 * 42601 syntax error in tsquery, 54000 the query is too large. */
int tsquery_build(ts_config_id_t cfg, tsq_function_t fn, const char *s, size_t n, tsquery_t *out,
                  char **error, const char **code);
void tsquery_dispose(tsquery_t *q);

/* tsvector @@ tsquery. */
bool tsquery_match(const tsquery_t *q, const tsvector_t *v);

#endif
