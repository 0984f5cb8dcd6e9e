/* The command line as a value. main.c fills it; server.c and
 * instance.c read it. */
#ifndef MOCK_CONFIG_H
#define MOCK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"

typedef struct mock_config {
    const char *scenario;    /* NAME or FILE; default "default" */
    const char *host;        /* default 127.0.0.1 */
    int port;                /* default 54321; 0: the kernel chooses */
    const char *jwt_secret;  /* overrides the scenario's; NULL when not given */
    const char *clock;       /* "real", an ISO 8601 instant, or NULL (the scenario's) */
    uint64_t seed;           /* default 1 */
    int log_level;           /* LOG_DEBUG..LOG_ERROR, default LOG_INFO */
    int log_format;          /* LOG_FORMAT_PRETTY / LOG_FORMAT_JSON; default by isatty(2) */
    const char *ready_file;  /* NULL when not given */
    const char *admin_token; /* NULL when not given */
    /* --admin-host values (borrowed from argv): Host names the admin API
     * accepts besides the listening address and the loopback names. */
    const char *admin_hosts[MOCK_MAX_ADMIN_HOSTS];
    size_t admin_host_count;
    size_t journal_limit;
    size_t max_body_bytes;
    size_t max_connections;
    uint64_t idle_timeout_ms;
    /* --db: "memory" (the default), "postgres" (an ephemeral cluster) or a
     * postgres:// / postgresql:// URL of an existing server. */
    const char *db;
    const char *project; /* --project DIR (implies the database engine); NULL when not given */
} mock_config_t;

/* Does cfg serve from the database engine? */
bool mock_config_uses_postgres(const mock_config_t *cfg);

void mock_config_defaults(mock_config_t *cfg);

#endif
