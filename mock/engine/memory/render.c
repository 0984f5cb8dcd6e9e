/* Output formats for result rows. Value formatting itself belongs to pgtype.c;
 * this file only assembles rows and row sets. */
#include "render.h"

#include <cjson/cJSON.h>
#include <string.h>

/* json_strip_nulls: drops object fields whose value is null, at every depth
 * (array elements stay), and re-emits compactly. */
static void strip_nulls(cJSON *node)
{
    cJSON *child = node ? node->child : NULL;
    while (child) {
        cJSON *next = child->next;
        if (cJSON_IsObject(node) && cJSON_IsNull(child))
            cJSON_Delete(cJSON_DetachItemViaPointer(node, child));
        else
            strip_nulls(child);
        child = next;
    }
}

static void put_value(buf_t *out, const render_cell_t *cell, bool strip_nulls_inside)
{
    const pgtype_t *t = cell->type;
    if (!strip_nulls_inside || (t->kind != PGTYPE_JSON && t->kind != PGTYPE_JSONB)) {
        pgvalue_render_json(t, cell->value, out);
        return;
    }
    buf_t tmp;
    buf_init(&tmp);
    pgvalue_render_json(t, cell->value, &tmp);
    cJSON *doc = cJSON_ParseWithLength(buf_cstr(&tmp), tmp.len);
    char *compact = NULL;
    if (doc) {
        strip_nulls(doc);
        compact = cJSON_PrintUnformatted(doc);
    }
    if (compact)
        buf_puts(out, compact);
    else
        buf_append(out, buf_cstr(&tmp), tmp.len);
    cJSON_free(compact);
    cJSON_Delete(doc);
    buf_dispose(&tmp);
}

void render_json_row(buf_t *out, const render_cell_t *cells, size_t n, bool strip_nulls_flag)
{
    buf_putc(out, '{');
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (strip_nulls_flag && cells[i].value->is_null)
            continue;
        if (!first)
            buf_putc(out, ',');
        first = false;
        buf_put_json_string(out, cells[i].key);
        buf_putc(out, ':');
        put_value(out, &cells[i], strip_nulls_flag);
    }
    buf_putc(out, '}');
}

/* record_out's quoting rule (rowtypes.c): quote empty strings and values with
 * the characters that would confuse the composite parser. */
static void put_csv_value(buf_t *out, const char *s, size_t len)
{
    bool quote = len == 0;
    for (size_t i = 0; i < len && !quote; i++) {
        char c = s[i];
        quote = c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' || c == ' ' ||
                c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    }
    if (!quote) {
        buf_append(out, s, len);
        return;
    }
    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"' || s[i] == '\\')
            buf_putc(out, s[i]);
        buf_putc(out, s[i]);
    }
    buf_putc(out, '"');
}

void render_csv_header(buf_t *out, const render_cell_t *cells, size_t n)
{
    /* PostgREST's asCsvF joins the keys with ',' and quotes none of them. */
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, ',');
        buf_puts(out, cells[i].key);
    }
}

void render_csv_row(buf_t *out, const render_cell_t *cells, size_t n)
{
    buf_t text;
    buf_init(&text);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, ',');
        if (cells[i].value->is_null)
            continue;
        buf_reset(&text);
        pgvalue_render_text(cells[i].type, cells[i].value, &text);
        put_csv_value(out, buf_cstr(&text), text.len);
    }
    buf_dispose(&text);
}
