/* Output formats for result rows. Value formatting itself belongs to pgtype.c;
 * this file only assembles rows and row sets. */
#include "render.h"

#include <string.h>

void render_json_row(buf_t *out, const render_cell_t *cells, size_t n, bool strip_nulls)
{
    buf_putc(out, '{');
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (strip_nulls && cells[i].value->is_null)
            continue;
        if (!first)
            buf_putc(out, ',');
        first = false;
        buf_put_json_string(out, cells[i].key);
        buf_putc(out, ':');
        pgvalue_render_json(cells[i].type, cells[i].value, out);
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
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, ',');
        put_csv_value(out, cells[i].key, strlen(cells[i].key));
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
