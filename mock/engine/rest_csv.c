/* CSV request bodies as PostgREST reads them; see rest_csv.h. */
#include "rest_csv.h"

#include "caps.h"
#include "rest_body.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* One field: its bytes (unquoted and with "" made ") in a scratch buffer. */
typedef struct field {
    size_t start, len; /* into the record's scratch buffer */
    bool quoted;
} field_t;

typedef struct record {
    buf_t bytes;
    field_t *fields;
    size_t count, cap;
} record_t;

static void record_reset(record_t *r)
{
    buf_reset(&r->bytes);
    r->count = 0;
}

static void record_push(record_t *r, size_t start, bool quoted)
{
    if (r->count == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->fields = xrealloc(r->fields, r->cap * sizeof *r->fields);
    }
    r->fields[r->count++] =
        (field_t){.start = start, .len = r->bytes.len - start, .quoted = quoted};
}

/* Reads one record at csv[*pos]; returns 1 with r filled, 0 at the end of
 * the input, -1 with err on a parse error. */
static int read_record(const char *csv, size_t len, size_t *pos, record_t *r, pgrst_error_t *err)
{
    size_t i = *pos;
    if (i >= len)
        return 0;
    record_reset(r);
    for (;;) {
        size_t start = r->bytes.len;
        bool quoted = i < len && csv[i] == '"';
        if (quoted) {
            size_t open = i++;
            for (;;) {
                if (i >= len)
                    return pgrst_error_setf(err, "PGRST102",
                                            "parse error: the quoted field at byte %zu is not "
                                            "closed",
                                            open);
                if (csv[i] == '"') {
                    if (i + 1 < len && csv[i + 1] == '"') {
                        buf_putc(&r->bytes, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                buf_putc(&r->bytes, csv[i++]);
            }
        } else {
            size_t s = i;
            while (i < len && csv[i] != ',' && csv[i] != '\n' && csv[i] != '\r' && csv[i] != '"')
                i++;
            buf_append(&r->bytes, csv + s, i - s);
        }
        record_push(r, start, quoted);
        if (i >= len)
            break;
        if (csv[i] == ',') {
            i++;
            continue;
        }
        if (csv[i] == '\n') {
            i++;
            break;
        }
        if (csv[i] == '\r' && i + 1 < len && csv[i + 1] == '\n') {
            i += 2;
            break;
        }
        return pgrst_error_setf(err, "PGRST102", "parse error: unexpected %s at byte %zu",
                                csv[i] == '"' ? "'\"'" : "carriage return", i);
    }
    *pos = i;
    return 1;
}

static const char *field_text(const record_t *r, size_t k, size_t *n)
{
    *n = r->fields[k].len;
    return r->bytes.data ? r->bytes.data + r->fields[k].start : "";
}

/* A header column for sorting: its name's bytes and its index. */
typedef struct column {
    const char *name;
    size_t len, index;
} column_t;

/* By name (bytes, a prefix first), then later columns first, so the
 * first of a repeated name in the sorted order is its last column. */
static int column_cmp(const void *a, const void *b)
{
    const column_t *x = a, *y = b;
    int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
    if (c == 0)
        c = x->len < y->len ? -1 : x->len > y->len;
    return c ? c : (x->index < y->index) - (x->index > y->index);
}

int rest_csv_to_json(const char *csv, size_t len, buf_t *out, pgrst_error_t *err)
{
    if (rest_body_utf8_invalid(csv, len) < len)
        return pgrst_error_setf(err, "PGRST102", "the CSV body is not UTF-8");
    record_t header = {0}, rec = {0};
    buf_init(&header.bytes);
    buf_init(&rec.bytes);
    size_t pos = 0;
    size_t *order = NULL;
    bool *group_start = NULL;
    int rc = read_record(csv, len, &pos, &header, err);
    if (rc == 0)
        rc = pgrst_error_setf(err, "PGRST102", "parse error: the CSV body has no header");
    if (rc < 0)
        goto done;
    if (header.count > MOCK_MAX_CSV_COLUMNS) {
        rc = pgrst_error_setf(err, "PGRST102", "the CSV header has more than %d columns",
                              MOCK_MAX_CSV_COLUMNS);
        goto done;
    }
    /* The header's indexes sorted by name (the JSON object's keys come out
     * of a Data.Map in that order), a repeated name's later columns first;
     * group_start marks the first index of each name. */
    column_t *cols = xcalloc(header.count ? header.count : 1, sizeof *cols);
    for (size_t k = 0; k < header.count; k++) {
        cols[k].name = field_text(&header, k, &cols[k].len);
        cols[k].index = k;
    }
    qsort(cols, header.count, sizeof *cols, column_cmp);
    order = xcalloc(header.count ? header.count : 1, sizeof *order);
    group_start = xcalloc(header.count ? header.count : 1, sizeof *group_start);
    for (size_t k = 0; k < header.count; k++) {
        order[k] = cols[k].index;
        group_start[k] = k == 0 || cols[k].len != cols[k - 1].len ||
                         memcmp(cols[k].name, cols[k - 1].name, cols[k].len) != 0;
    }
    free(cols);
    buf_putc(out, '[');
    size_t rows = 0, first_keys = 0;
    while ((rc = read_record(csv, len, &pos, &rec, err)) > 0) {
        if ((rows + 1) * (header.count ? header.count : 1) > MOCK_MAX_CSV_CELLS) {
            rc = pgrst_error_setf(err, "PGRST102", "the CSV body has more than %d fields",
                                  MOCK_MAX_CSV_CELLS);
            goto done;
        }
        /* cassava zips header and record, so a record shorter than the
         * header has the names of its prefix only, and Data.Map keeps the
         * last value of a repeated name: in each name's group (later columns
         * first) the first index inside the prefix gives the value.
         * payloadAttributes wants every object to have the first one's keys
         * (the key sets of header prefixes nest, so equal counts are equal
         * sets). */
        size_t p = rec.count < header.count ? rec.count : header.count;
        buf_puts(out, rows ? ",{" : "{");
        size_t keys = 0;
        bool taken = false;
        for (size_t k = 0; k < header.count; k++) {
            if (group_start[k])
                taken = false;
            if (taken || order[k] >= p)
                continue;
            taken = true;
            size_t nn, nv;
            const char *name = field_text(&header, order[k], &nn);
            const char *value = field_text(&rec, order[k], &nv);
            if (keys++)
                buf_putc(out, ',');
            buf_append_json_string(out, name, nn);
            buf_putc(out, ':');
            /* csvToJson compares the decoded bytes: a quoted "NULL" is null too. */
            if (nv == 4 && memcmp(value, "NULL", 4) == 0)
                buf_puts(out, "null");
            else
                buf_append_json_string(out, value, nv);
        }
        buf_putc(out, '}');
        if (rows == 0) {
            first_keys = keys;
        } else if (keys != first_keys) {
            rc = pgrst_error_setf(err, "PGRST102", "All lines must have same number of fields");
            goto done;
        }
        rows++;
    }
    if (rc == 0)
        buf_putc(out, ']');
done:
    free(order);
    free(group_start);
    free(header.fields);
    free(rec.fields);
    buf_dispose(&header.bytes);
    buf_dispose(&rec.bytes);
    return rc < 0 ? -1 : 0;
}
