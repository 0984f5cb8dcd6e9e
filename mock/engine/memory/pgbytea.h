/* Postgres's bytea: byteain (the hex form "\x..." and the escape form with
 * \\ and \ooo), byteaout in the hex format (bytea_output = hex, the
 * default), and byteacmp's order. Pure; part of pgtype (pgtype.c calls it
 * for PGTYPE_BYTEA). */
#ifndef MOCK_PGBYTEA_H
#define MOCK_PGBYTEA_H

#include "pgtype.h"

/* A bytea value keeps its hex output text in s ("\x" and two lowercase hex
 * digits a byte): it holds NUL bytes as text, its strcmp order is byteacmp's
 * (bytewise, then shorter first) and it is what both output forms print. */

/* byteain over s (n bytes; the input is as long as the request that carried
 * it, which the server's body and URL caps bound). 0, or -1 with err: 22023
 * for a bad hex digit or an odd count, 22P02 for a bad escape. */
int pgbytea_from_text(const char *s, size_t n, pgvalue_t *out, pgrst_error_t *err);

#endif
