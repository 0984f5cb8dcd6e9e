/* The session time zone of one memory-engine request (Prefer: timezone=,
 * which PostgREST applies with SET LOCAL timezone): the zone names
 * pg_timezone_names lists (the system's tz database, which Debian's
 * PostgreSQL uses too) and the UTC offset of an instant in that zone, for
 * timestamptz output. The zone is process state set for the span of one
 * request (the engine runs on the one event loop thread, and the C
 * library's zone is global): pgtz_begin, render, pgtz_end. */
#ifndef MOCK_PGTZ_H
#define MOCK_PGTZ_H

#include <stdbool.h>
#include <stdint.h>

/* Is name a zone of the tz database (a TZif file under its directory),
 * as pg_timezone_names would list it? Bounded: names of at most 128 bytes
 * of [A-Za-z0-9_+-/], no "." components. */
bool pgtz_name_valid(const char *name);

/* Makes name the zone timestamptz output uses until pgtz_end; NULL or an
 * invalid name leaves UTC. Calls do not nest. */
void pgtz_begin(const char *name);
void pgtz_end(void);

/* Seconds east of UTC at the instant `us` (microseconds since 2000-01-01
 * 00:00 UTC, Postgres's epoch) in the current zone; 0 for UTC. */
int32_t pgtz_offset(int64_t us);

#endif
