/* Postgres's built-in range types (int4range, int8range, numrange,
 * daterange, tsrange, tstzrange): input (range_in, with the discrete types'
 * canonical form [a,b)), output, ordering (range_cmp) and the operators
 * PostgREST filters map to (<<, >>, &<, &>, -|-, &&, @>, <@). Pure; part of
 * pgtype (pgtype.c calls it for range kinds). */
#ifndef MOCK_PGRANGE_H
#define MOCK_PGRANGE_H

#include "pgtype.h"

#include <stdbool.h>

/* A range value (pgvalue_t of a range kind): s its canonical text, i its
 * flags, elems[0] and elems[1] its bounds (values of the element type, NULL
 * where infinite); no elems when empty. */
#define PGRANGE_EMPTY  1
#define PGRANGE_LB_INC 2
#define PGRANGE_UB_INC 4
#define PGRANGE_LB_INF 8
#define PGRANGE_UB_INF 16

bool pgrange_is_range(const pgtype_t *t);
/* The element type of a range type. */
pgtype_t pgrange_element(const pgtype_t *t);

/* range_in over s (NUL-terminated): 0, or -1 with err (22P02 malformed range
 * literal with Postgres's detail, 22000 lower above upper, the element
 * type's own input errors, 22003 when canonicalising overflows). */
int pgrange_from_text(const pgtype_t *t, const char *s, pgvalue_t *out, pgrst_error_t *err);
/* range_cmp: empty first, then by lower bound, then by upper bound. */
int pgrange_compare(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b);

bool pgrange_before(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b);    /* << */
bool pgrange_after(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b);     /* >> */
bool pgrange_overleft(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b);  /* &< */
bool pgrange_overright(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b); /* &> */
bool pgrange_adjacent(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b);  /* -|- */
bool pgrange_overlaps(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b);  /* && */
bool pgrange_contains(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b);  /* @> */

#endif
