/* One member of a JSON payload row converted to a column's type, from the
 * bytes the client sent (numbers and json/jsonb keep their spelling) or from
 * the parsed value. The payload itself is parsed by engine/rest_body.c. */
#include "rest_body_member.h"

#include <stdbool.h>
#include <string.h>

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

int rest_body_member(const rest_body_t *b, const cJSON *row, const jsonc_node_t *node,
                     const char *key, const pgtype_t *t, bool *present, pgvalue_t *out,
                     pgrst_error_t *err)
{
    if (b->nul_escape) {
        /* json_to_record(set) de-escapes every string of the object first. */
        pgrst_error_setf(err, "22P05", "unsupported Unicode escape sequence");
        pgrst_error_detailsf(err, "\\u0000 cannot be converted to text.");
        return -1;
    }
    /* json_to_record(set) keeps the last of duplicate keys (its hash entry is
     * overwritten), as jsonb does: '{"a":1,"a":2}' populates a = 2. */
    size_t i = 0, at = 0;
    const cJSON *v = NULL;
    for (const cJSON *m = row->child; m; m = m->next, i++) {
        if (strcmp(m->string, key) == 0) {
            v = m;
            at = i;
        }
    }
    *present = v != NULL;
    if (!v)
        return 0;
    i = at;
    pgvalue_dispose(out); /* a value converted before is replaced, not leaked */
    const jsonc_node_t *vn = jsonc_child(node, i);
    bool json_column = t->kind == PGTYPE_JSON || t->kind == PGTYPE_JSONB;
    if (vn && !t->is_array && !cJSON_IsNull(v) && (cJSON_IsNumber(v) || json_column)) {
        size_t end = value_end(b->doc.text, b->doc.len, vn->offset);
        return pgvalue_from_text(t, b->doc.text + vn->offset, end - vn->offset, out, err);
    }
    return pgvalue_from_json_column(t, v, key, out, err);
}
