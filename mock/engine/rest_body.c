/* Request bodies as PostgREST reads them: JSON only (CSV bodies are not
 * modelled yet), parsed with cJSON, with the source offset of every value kept
 * so numbers and json/jsonb values reach Postgres's input functions spelt as
 * the client sent them. It does not know tables or types: the memory engine
 * maps keys to columns (rest_body_member.c). */
#include "rest_body.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

int rest_body_parse(const mock_request_t *req, rest_body_t *b, pgrst_error_t *err)
{
    memset(b, 0, sizeof *b);
    const char *ct = mock_request_header(req, "content-type");
    if (ct && strncasecmp(ct, "application/json", 16) != 0) {
        if (strncasecmp(ct, "text/csv", 8) == 0) {
            pgrst_error_setf(err, "PGRST127", "Feature not implemented");
            pgrst_error_detailsf(err, "supamock does not model CSV request bodies yet");
            return -1;
        }
        return pgrst_error_setf(err, "PGRST102", "Content-Type not acceptable: %s", ct);
    }
    jsonc_error_t jerr;
    if (req->body_len == 0 || jsonc_parse(req->body, req->body_len, &b->doc, &jerr) < 0 ||
        memcmp(b->doc.text, req->body, req->body_len) != 0) {
        jsonc_doc_dispose(&b->doc);
        return pgrst_error_setf(err, "PGRST102", "Empty or invalid json");
    }
    b->present = true;
    return 0;
}

void rest_body_dispose(rest_body_t *b)
{
    if (b->present)
        jsonc_doc_dispose(&b->doc);
    b->present = false;
}

const jsonc_node_t *rest_body_row_node(const rest_body_t *b, size_t index)
{
    return cJSON_IsObject(b->doc.json) ? b->doc.root : jsonc_child(b->doc.root, index);
}
