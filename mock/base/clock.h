/* Time as supamock's model sees it: microseconds since 2000-01-01 00:00:00 UTC
 * (Postgres's epoch), conversions to the Unix epoch and to the HTTP Date format. */
#ifndef MOCK_CLOCK_H
#define MOCK_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Seconds between 1970-01-01 and 2000-01-01. */
#define MOCK_PG_EPOCH_UNIX 946684800LL

/* Real time now, in microseconds since 2000-01-01 UTC. */
int64_t clock_real_now_us(void);
/* Monotonic milliseconds (for uptime and durations). */
uint64_t clock_monotonic_ms(void);
uint64_t clock_monotonic_us(void);
/* "Thu, 01 Jan 2026 00:00:00 GMT" (RFC 9110 IMF-fixdate) into out (>= 30 bytes). */
void clock_format_http_date(int64_t pg_us, char *out, size_t out_len);
/* "2026-01-01T00:00:00Z" (or with .ffffff when sub-second) into out (>= 32 bytes). */
void clock_format_iso(int64_t pg_us, char *out, size_t out_len);

#endif
