/* The Supabase baseline (baseline.sql), compiled into the binary by
 * cmake/embed.cmake so that supamock needs no file at run time. */
#ifndef MOCK_PG_BASELINE_H
#define MOCK_PG_BASELINE_H

/* The text of baseline.sql, NUL-terminated. */
extern const char pg_baseline_sql[];

#endif
