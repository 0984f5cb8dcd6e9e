/* A partitioned table's bounds and the routing of a row to a partition
 * (Postgres's ExecFindPartition over LIST and RANGE bounds, DEFAULT taking
 * what no other bound takes). The store keeps a partitioned table's rows in
 * the table itself, so routing decides only whether a row is taken; the
 * store asks before every write. Not here: HASH partitioning, and bounds
 * that overlap (Postgres refuses them when the partition is created). */
#ifndef MOCK_STORE_PARTITION_H
#define MOCK_STORE_PARTITION_H

#include "pgtype.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct store_partitioning store_partitioning_t;

/* key_cols: the key's column indexes in the table, key_types their types
 * (both copied). LIST takes one key column. */
store_partitioning_t *store_partitioning_new(bool range, const size_t *key_cols,
                                             const pgtype_t *key_types, size_t nkey);
void store_partitioning_free(store_partitioning_t *p); /* NULL is a no-op */

/* Adds a partition: the default one, FOR VALUES IN (values) or FOR VALUES
 * FROM (from) TO (to), values as scenario_partition_t holds them (JSON
 * constants, null for NULL; false MINVALUE and true MAXVALUE in a range
 * bound). 0, or -1 with err when a value is no valid input of its key
 * column's type or the bound does not fit the strategy. */
int store_partitioning_add(store_partitioning_t *p, const char *name, bool is_default,
                           const cJSON *values, const cJSON *from, const cJSON *to,
                           pgrst_error_t *err);

/* The index (in the order added) of the partition that takes a row (values
 * indexed by the table's columns), or -1 when none does. */
int store_partitioning_route(const store_partitioning_t *p, const pgvalue_t *values);

/* The key's column indexes; *n their count. Owned by p. */
const size_t *store_partitioning_key(const store_partitioning_t *p, size_t *n);

#endif
