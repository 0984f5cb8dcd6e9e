/* Defaults for the command-line configuration. Parsing argv is
 * main.c's; this file only knows what a value means when no flag is given. */
#include "config.h"

#include "caps.h"
#include "log.h"

#include <string.h>
#include <unistd.h>

void mock_config_defaults(mock_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->scenario = "default";
    cfg->host = "127.0.0.1";
    cfg->port = 54321; /* the Supabase CLI's API port */
    cfg->jwt_secret = NULL;
    cfg->clock = NULL;
    cfg->seed = 1;
    cfg->log_level = LOG_INFO;
    cfg->log_format = isatty(STDERR_FILENO) ? LOG_FORMAT_PRETTY : LOG_FORMAT_JSON;
    cfg->ready_file = NULL;
    cfg->admin_token = NULL;
    cfg->journal_limit = MOCK_DEFAULT_JOURNAL_LIMIT;
    cfg->max_body_bytes = MOCK_DEFAULT_MAX_BODY_BYTES;
    cfg->max_connections = MOCK_DEFAULT_MAX_CONNECTIONS;
    cfg->idle_timeout_ms = MOCK_DEFAULT_IDLE_TIMEOUT_MS;
    cfg->db = "memory";
    cfg->project = NULL;
}

bool mock_config_uses_postgres(const mock_config_t *cfg)
{
    return cfg && cfg->db && strcmp(cfg->db, "memory") != 0;
}
