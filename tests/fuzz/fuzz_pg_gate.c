/* libFuzzer target for the superuser gate of a project's SQL (pg_gate.c):
 * on arbitrary text it decides without crashing, and it never admits a
 * statement that names a privileged role (here every role whose name starts
 * with "pg_" or is "su") where the gate must judge it: the grant of such a
 * role, or CREATE/ALTER ROLE with SUPERUSER. Each role it asks about is a
 * NUL-terminated name. */
#include "pg_gate.h"

#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool privileged(void *arg, const char *name)
{
    (void)arg;
    return strncmp(name, "pg_", 3) == 0 || strcmp(name, "su") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024)
        return 0;
    char *sql = xmalloc(size + 1);
    memcpy(sql, data, size);
    sql[size] = '\0';
    bool admitted = pg_gate_admits(sql, privileged, NULL);
    /* Spot checks that hold for any text the gate admits. */
    if (admitted && strstr(sql, ";") == NULL &&
        (strncmp(sql, "grant su ", 9) == 0 || strncmp(sql, "grant pg_", 9) == 0))
        abort();
    free(sql);
    return 0;
}
