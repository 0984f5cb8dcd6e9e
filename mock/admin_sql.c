/* STUB (replaced by the SQL statements' owner). */
#include "admin_sql.h"

void admin_sql_execute(instance_t *inst, const char *sql, mock_response_t *resp)
{
    (void)inst;
    (void)sql;
    resp->status = 400;
    mock_response_add_header(resp, "Content-Type", "application/json");
    buf_puts(&resp->body, "{\"error\":\"not implemented\"}");
}
