/* The `*` globs of fault rules and journal filters. Pure. */
#ifndef MOCK_GLOB_H
#define MOCK_GLOB_H

#include <stdbool.h>

/* Whole-value match where '*' matches any run of bytes (also empty); every
 * other byte matches itself. Iterative with one backtrack point, so it is
 * never exponential, whatever the pattern. */
bool glob_match(const char *pattern, const char *s);

#endif
