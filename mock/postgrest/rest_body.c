/* Request bodies as PostgREST reads them: JSON only (CSV bodies are not
 * modelled yet), parsed with cJSON, with the source offset of every value kept
 * so numbers and json/jsonb values reach Postgres's input functions spelt as
 * the client sent them. It does not know tables; rest_write.c maps keys to
 * columns. */
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

/* End of the JSON value starting at text[start] (which cJSON accepted). */
static size_t value_end(const char *text, size_t len, size_t start)
{
    size_t i = start;
    int depth = 0;
    bool in_string = false;
    for (; i < len; i++) {
        char ch = text[i];
        if (in_string) {
            if (ch == '\\')
                i++;
            else if (ch == '"') {
                in_string = false;
                if (depth == 0)
                    return i + 1;
            }
            continue;
        }
        if (ch == '"')
            in_string = true;
        else if (ch == '{' || ch == '[')
            depth++;
        else if (ch == '}' || ch == ']') {
            if (depth == 0)
                return i; /* a scalar ended by its container */
            if (--depth == 0)
                return i + 1;
        } else if (depth == 0 && (ch == ',' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'))
            return i;
    }
    return i;
}

const jsonc_node_t *rest_body_row_node(const rest_body_t *b, size_t index)
{
    return cJSON_IsObject(b->doc.json) ? b->doc.root : jsonc_child(b->doc.root, index);
}

int rest_body_member(const rest_body_t *b, const cJSON *row, const jsonc_node_t *node,
                     const char *key, const pgtype_t *t, bool *present, pgvalue_t *out,
                     pgrst_error_t *err)
{
    size_t i = 0;
    const cJSON *v = row->child;
    for (; v; v = v->next, i++)
        if (strcmp(v->string, key) == 0)
            break;
    *present = v != NULL;
    if (!v)
        return 0;
    const jsonc_node_t *vn = jsonc_child(node, i);
    bool json_column = t->kind == PGTYPE_JSON || t->kind == PGTYPE_JSONB;
    if (vn && !t->is_array && !cJSON_IsNull(v) && (cJSON_IsNumber(v) || json_column)) {
        size_t end = value_end(b->doc.text, b->doc.len, vn->offset);
        return pgvalue_from_text(t, b->doc.text + vn->offset, end - vn->offset, out, err);
    }
    return pgvalue_from_json_column(t, v, key, out, err);
}
