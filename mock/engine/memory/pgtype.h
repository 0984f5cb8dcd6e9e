/* Postgres column types as supamock models them: parsing a type name, input
 * validation (text and JSON input, with Postgres's exact error texts), the
 * canonical value representation, ordering and hashing, and Postgres's output
 * formats (row_to_json and text). Pure: no I/O, no store; timestamptz output
 * follows the request's session zone (pgtz.h). */
#ifndef MOCK_PGTYPE_H
#define MOCK_PGTYPE_H

#include "buf.h"
#include "pgrst_error.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum pgtype_kind {
    PGTYPE_UUID,
    PGTYPE_TEXT,
    PGTYPE_NAME,    /* name: an identifier, at most NAMEDATALEN - 1 = 63 bytes */
    PGTYPE_VARCHAR, /* length = n for varchar(n), -1 unbounded */
    PGTYPE_CHAR,    /* bpchar; length = n (char without (n) is char(1)) */
    PGTYPE_INT2,
    PGTYPE_INT4,
    PGTYPE_INT8,
    PGTYPE_NUMERIC,
    PGTYPE_FLOAT4,
    PGTYPE_FLOAT8,
    PGTYPE_BOOL,
    PGTYPE_DATE,
    PGTYPE_TIMESTAMP,
    PGTYPE_TIMESTAMPTZ,
    PGTYPE_JSON,
    PGTYPE_JSONB,
    PGTYPE_ENUM,
    PGTYPE_TSVECTOR,
    PGTYPE_BYTEA,
    PGTYPE_OID,
    PGTYPE_TIME,   /* time without time zone */
    PGTYPE_TIMETZ, /* time with time zone */
    PGTYPE_BIT,    /* bit(n): length = n; in statements' expressions (bit(32)::int) */
    PGTYPE_LTREE,  /* the ltree extension's label path */
    /* Ranges (pgrange.h has their representation). */
    PGTYPE_INT4RANGE,
    PGTYPE_INT8RANGE,
    PGTYPE_NUMRANGE,
    PGTYPE_DATERANGE,
    PGTYPE_TSRANGE,
    PGTYPE_TSTZRANGE,
} pgtype_kind_t;

/* A user-defined enum (scenario "enums"). Owned by whoever registered it (the
 * store); pgtype_t only borrows it. Label order is the sort order. */
typedef struct pgtype_enum {
    char *name;
    char **labels;
    size_t label_count;
} pgtype_enum_t;

typedef struct pgtype {
    pgtype_kind_t kind;
    bool is_array; /* one-dimensional T[] */
    int32_t length;
    bool serial;                   /* declared serial/bigserial (int4/int8 owning a sequence) */
    const pgtype_enum_t *enum_def; /* PGTYPE_ENUM only; borrowed */
} pgtype_t;

/* A value of some pgtype_t; the type travels separately (with the column).
 * Representation by kind:
 *   int2/int4/int8, bool (0/1), oid (0 .. 4294967295): i
 *   time: i = microseconds since midnight (0 .. 24:00:00)
 *   timetz: i = PGTIMETZ_PACK(microseconds since midnight, zone): the zone in
 *     seconds east of UTC (TimeTzADT keeps seconds west), both exact
 *   date: i = days since 2000-01-01; timestamp/timestamptz: i = microseconds since
 *     2000-01-01 00:00:00 (UTC for timestamptz)
 *   float4/float8: f
 *   uuid (lowercase canonical), text/varchar/char (char padded), numeric (canonical
 *     Postgres text), json (verbatim input), jsonb (canonical jsonb text), enum label,
 *     tsvector (its canonical text output, tsvectorout's), bytea (its hex output
 *     text "\x0aff", pgbytea.h), ltree (its text, pgltree.h): s
 *   bit: s, the bits as '0'/'1' characters (bit_out's text)
 *   ranges: s (canonical text), i (flags), elems[0..2) the bounds (pgrange.h)
 *     (enums also keep the label's position in i; it is their sort key)
 *   arrays: elems[0..nelems), each element a pgvalue_t of the element type
 * Ownership: a pgvalue_t owns s and elems; pgvalue_dispose frees them. */
typedef struct pgvalue {
    bool is_null;
    int64_t i;
    double f;
    char *s;
    struct pgvalue *elems;
    size_t nelems;
} pgvalue_t;

/* A timetz's two parts in one int64: the time of day (< 2^37 us) above
 * 17 bits of zone (|zone| <= 15:59:59, 57599 s, biased to stay positive).
 * Equal packs are equal values (timetz_eq compares both parts); the order
 * is not the pack's (pgvalue_compare). */
#define PGTIMETZ_ZONE_BIAS      65536
#define PGTIMETZ_PACK(us, zone) ((int64_t)(us)*131072 + ((int64_t)(zone) + PGTIMETZ_ZONE_BIAS))
#define PGTIMETZ_TIME(i)        ((i) / 131072)
#define PGTIMETZ_ZONE(i)        ((int32_t)((i) % 131072) - PGTIMETZ_ZONE_BIAS)

/* Parses a scenario type name ("uuid", "int4", "double precision", "varchar(20)",
 * "text[]", Postgres's internal array names such as "_int4", an enum name
 * from `enums`). Returns 0, or -1 with *error set to a
 * heap string the caller frees. */
int pgtype_parse(const char *name, const pgtype_enum_t *const *enums, size_t enum_count,
                 pgtype_t *out, char **error);

/* Postgres's name for the type as used in error messages: "uuid", "integer",
 * "bigint", "smallint", "numeric", "real", "double precision", "boolean", "date",
 * "timestamp without time zone", "timestamp with time zone", "json", "jsonb",
 * "text", "character varying", "character", an enum's name; arrays as "integer[]". */
const char *pgtype_name(const pgtype_t *t, char *scratch, size_t scratch_len);

/* Text input (a filter operand, a CSV field, a JSON string): Postgres's input
 * function for the type. On failure fills err (22P02 invalid input syntax,
 * 22003 out of range, 22001 value too long, 22007/22008 datetime, 22P02 for
 * bad enum labels with PG's message) and returns -1. out is untouched on failure. */
int pgvalue_from_text(const pgtype_t *t, const char *s, size_t n, pgvalue_t *out,
                      pgrst_error_t *err);

/* JSON input as json_populate_record(set) converts a JSON body value into a column:
 * null -> NULL; strings go through text input; numbers and booleans through text
 * input of their JSON text; objects/arrays are accepted by json/jsonb (and arrays
 * by array types), and otherwise fail as Postgres does. */
int pgvalue_from_json(const pgtype_t *t, const cJSON *j, pgvalue_t *out, pgrst_error_t *err);
/* The same for a named column of a request body: errors that PG attributes to a
 * key (a non-array into an array column: "expected JSON array", hint
 * `See the value of key "col".`) carry the column name. */
int pgvalue_from_json_column(const pgtype_t *t, const cJSON *j, const char *colname, pgvalue_t *out,
                             pgrst_error_t *err);

void pgvalue_init_null(pgvalue_t *v);
void pgvalue_dispose(pgvalue_t *v);
void pgvalue_copy(pgvalue_t *dst, const pgvalue_t *src);

/* Total order of two non-null values of type t (<0, 0, >0), as Postgres's btree
 * operators order them. Text compares bytewise (C collation). */
int pgvalue_compare(const pgtype_t *t, const pgvalue_t *a, const pgvalue_t *b);
/* Hash consistent with pgvalue_compare() == 0. */
uint64_t pgvalue_hash(const pgtype_t *t, const pgvalue_t *v);

/* The value as row_to_json writes it: numbers bare, text quoted and escaped,
 * timestamps as "2026-01-01T00:00:00+00:00", json verbatim, jsonb in jsonb
 * spacing, arrays as JSON arrays, NULL as null. */
void pgvalue_render_json(const pgtype_t *t, const pgvalue_t *v, buf_t *out);
/* Postgres's text output ("2026-01-01 00:00:00+00", "{1,2}", "t"); NULL writes
 * nothing (callers decide how to show it). */
void pgvalue_render_text(const pgtype_t *t, const pgvalue_t *v, buf_t *out);

/* The type families the expression code asks about (pg_type's typcategory
 * N for the integers, the floats and numeric; S for the string types). */
static inline bool pgtype_kind_is_int(pgtype_kind_t k)
{
    return k == PGTYPE_INT2 || k == PGTYPE_INT4 || k == PGTYPE_INT8;
}
static inline bool pgtype_kind_is_float(pgtype_kind_t k)
{
    return k == PGTYPE_FLOAT4 || k == PGTYPE_FLOAT8;
}
static inline bool pgtype_kind_is_number(pgtype_kind_t k)
{
    return pgtype_kind_is_int(k) || pgtype_kind_is_float(k) || k == PGTYPE_NUMERIC;
}
static inline bool pgtype_kind_is_string(pgtype_kind_t k)
{
    return k == PGTYPE_TEXT || k == PGTYPE_VARCHAR || k == PGTYPE_CHAR || k == PGTYPE_NAME;
}

#endif
