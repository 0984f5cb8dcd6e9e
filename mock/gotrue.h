/* Supabase Auth's user store as a backend sees it: users with passwords and
 * metadata, sessions and refresh tokens, access tokens with GoTrue's claims
 * signed by jwt.c, and the on_signup insert. Mirrors every user into the
 * store's auth.users table (the target of `references: "auth.users(id)"`).
 * One gotrue_t belongs to one instance. */
#ifndef MOCK_GOTRUE_H
#define MOCK_GOTRUE_H

#include "scenario.h"
#include "store.h"

typedef struct gotrue gotrue_t;

/* Loads the scenario's users (their auth.users rows are already seeded by
 * instance.c). Returns 0 or -1 with err. */
int gotrue_new(const scenario_t *sc, store_t *store, gotrue_t **out, scenario_error_t *err);
void gotrue_free(gotrue_t *g); /* NULL is a no-op */

#endif
