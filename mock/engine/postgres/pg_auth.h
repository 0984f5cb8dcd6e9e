/* GoTrue's connection to the database engine: auth_store.h over one pooled
 * connection logged in as supabase_auth_admin, so batches run one after the
 * other in the order given (GoTrue's writes of one instance never overtake
 * each other). */
#ifndef MOCK_PG_AUTH_H
#define MOCK_PG_AUTH_H

#include "auth_store.h"

#include <stddef.h>

struct uv_loop_s;

/* conninfo: the instance's database as supabase_auth_admin (copied). loop
 * NULL: batches block. NULL with err filled on failure. */
auth_store_t *pg_auth_store_new(struct uv_loop_s *loop, const char *conninfo, char *err,
                                size_t err_len);

#endif
