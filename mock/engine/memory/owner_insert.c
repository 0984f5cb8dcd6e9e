/* One JSON object in, one row in the store, by the path every owner-rights
 * insert shares (owner_insert.h). */
#include "owner_insert.h"

#include "xalloc.h"

#include <stdlib.h>

int owner_insert_json(store_t *store, const security_t *sec, store_table_t *t, const cJSON *row,
                      const store_env_t *env, pgrst_error_t *err, const char **bad_key)
{
    size_t n = store_table_column_count(t);
    pgvalue_t *values = xcalloc(n ? n : 1, sizeof *values);
    bool *provided = xcalloc(n ? n : 1, sizeof *provided);
    for (size_t c = 0; c < n; c++)
        pgvalue_init_null(&values[c]);
    if (bad_key)
        *bad_key = NULL;
    const cJSON *item;
    cJSON_ArrayForEach(item, row)
    {
        int c = store_table_find_column(t, item->string);
        if (c < 0) {
            /* An INSERT naming a column the table lacks: 42703. */
            pgrst_error_setf(err, "42703", "column \"%s\" of relation \"%s\" does not exist",
                             item->string, store_table_name(t));
            if (bad_key)
                *bad_key = item->string;
            goto fail;
        }
        /* A repeated key: the last value wins, as json_populate_record does. */
        pgvalue_dispose(&values[c]);
        if (pgvalue_from_json(&store_table_column(t, (size_t)c)->type, item, &values[c], err) < 0) {
            if (bad_key)
                *bad_key = item->string;
            goto fail;
        }
        provided[c] = true;
    }
    if (store_apply_defaults(store, t, values, provided, env, err) < 0)
        goto fail;
    if (sec) {
        /* The owner bypasses RLS, not CHECK constraints; "postgres" is the
         * role a security-definer trigger or the SQL editor runs as. */
        policy_eval_env_t penv = {.row = values, .claims = NULL, .role = "postgres"};
        if (security_check_constraints(sec, t, &penv, false, err) < 0)
            goto fail;
    }
    free(provided);
    int rc = store_insert(store, t, values, env, NULL, err);
    free(values); /* store_insert took the values, whatever it returned */
    return rc;
fail:
    for (size_t c = 0; c < n; c++)
        pgvalue_dispose(&values[c]);
    free(values);
    free(provided);
    return -1;
}
