/* The ltree extension's label paths ("Top.Science.Astronomy"): ltree_in
 * with its error texts, ltree_compare's order and the @> / <@ operators
 * (ancestor / descendant). Pure; part of pgtype (pgtype.c calls it for
 * PGTYPE_LTREE). */
#ifndef MOCK_PGLTREE_H
#define MOCK_PGLTREE_H

#include "pgtype.h"

#include <stdbool.h>

/* An ltree value keeps its text in s; ltree_out prints the input back, so
 * it is already canonical. */

/* ltree_in over s (NUL-terminated): 0, or -1 with err (42601 syntax error
 * with its character position, 42622 a label over 255 characters, 54000
 * more than 65535 labels). */
int pgltree_from_text(const char *s, pgvalue_t *out, pgrst_error_t *err);
/* ltree_compare: label by label (bytewise, a shorter label first), then the
 * path with fewer labels first. */
int pgltree_compare(const char *a, const char *b);
/* a @> b: a is an ancestor of b or equal to it (b <@ a). */
bool pgltree_is_ancestor(const char *a, const char *b);

#endif
