/* JSON with comments for scenario files: blanks out comments, parses with cJSON,
 * and records where every value and key starts, as a tree parallel to cJSON's.
 * The position scanner is a tokenizer that trusts cJSON's verdict on syntax; it
 * never decides whether text is JSON, it only finds offsets in text cJSON took. */
#include "jsonc.h"

#include "xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jsonc_line_col's memo of the last position it computed. */
typedef struct jsonc_col_memo {
    size_t line;   /* index into line_starts */
    size_t offset; /* a byte offset on that line */
    int col;       /* its 1-based column, before the BOM adjustment */
    bool valid;
} jsonc_col_memo_t;

/* cJSON refuses deeper input (CJSON_NESTING_LIMIT), so the scanner never
 * recurses further than this on text cJSON accepted. */
#define JSONC_MAX_DEPTH (CJSON_NESTING_LIMIT + 1)

int jsonc_strip_comments(char *text, size_t len, jsonc_error_t *err)
{
    size_t i = 0;
    while (i < len) {
        char c = text[i];
        if (c == '"') {
            /* Skip the string, escapes included, so comment markers in it stay. */
            i++;
            while (i < len && text[i] != '"') {
                if (text[i] == '\\' && i + 1 < len)
                    i++;
                if (text[i] == '\n')
                    break; /* cJSON rejects this string anyway; stop hiding text */
                i++;
            }
            if (i < len && text[i] == '"')
                i++;
        } else if (c == '/' && i + 1 < len && text[i + 1] == '/') {
            while (i < len && text[i] != '\n')
                text[i++] = ' ';
        } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            size_t start = i;
            text[i++] = ' ';
            text[i++] = ' ';
            for (;;) {
                if (i >= len) {
                    if (err) {
                        err->offset = start;
                        snprintf(err->message, sizeof err->message,
                                 "unterminated block comment (no closing \"*/\")");
                    }
                    return -1;
                }
                if (text[i] == '*' && i + 1 < len && text[i + 1] == '/') {
                    text[i++] = ' ';
                    text[i++] = ' ';
                    break;
                }
                if (text[i] != '\n')
                    text[i] = ' ';
                i++;
            }
        } else {
            i++;
        }
    }
    return 0;
}

/* ---- the position scanner ---- */

typedef struct scanner {
    const char *t;
    size_t len;
    size_t pos;
} scanner_t;

static void skip_ws(scanner_t *s)
{
    /* cJSON's buffer_skip_whitespace skips every byte <= 32. */
    while (s->pos < s->len && (unsigned char)s->t[s->pos] <= 32)
        s->pos++;
}

static void skip_string(scanner_t *s)
{
    s->pos++; /* the opening quote */
    while (s->pos < s->len) {
        char c = s->t[s->pos++];
        if (c == '\\') {
            if (s->pos < s->len)
                s->pos++;
        } else if (c == '"') {
            return;
        }
    }
}

static void node_dispose(jsonc_node_t *n)
{
    for (size_t i = 0; i < n->child_count; i++)
        node_dispose(&n->children[i]);
    free(n->children);
    n->children = NULL;
    n->child_count = 0;
}

static bool peek(const scanner_t *s, char c)
{
    return s->pos < s->len && s->t[s->pos] == c;
}

/* Fills n (zeroed by the caller) with the value at s->pos; -1 when the text is
 * not shaped as cJSON accepted it (a bug; the caller reports it). */
static int scan_value(scanner_t *s, jsonc_node_t *n, int depth)
{
    skip_ws(s);
    n->offset = s->pos;
    n->key_offset = JSONC_NO_OFFSET;
    if (s->pos >= s->len || depth > JSONC_MAX_DEPTH)
        return -1;
    char c = s->t[s->pos];
    if (c == '"') {
        skip_string(s);
        return 0;
    }
    if (c != '{' && c != '[') {
        /* true, false, null and numbers: cJSON ended each at the first byte
         * outside these, or it would have failed on what followed. */
        while (s->pos < s->len && strchr("0123456789+-.eEtrufalsn", s->t[s->pos]) != NULL &&
               s->t[s->pos] != '\0')
            s->pos++;
        return 0;
    }
    bool object = c == '{';
    char close = object ? '}' : ']';
    size_t cap = 0;
    s->pos++;
    skip_ws(s);
    if (peek(s, close)) {
        s->pos++;
        return 0;
    }
    for (;;) {
        if (n->child_count == cap) {
            cap = cap ? cap * 2 : 4;
            n->children = xrealloc(n->children, cap * sizeof *n->children);
        }
        jsonc_node_t *child = &n->children[n->child_count++];
        memset(child, 0, sizeof *child);
        size_t key_offset = JSONC_NO_OFFSET;
        if (object) {
            skip_ws(s);
            if (!peek(s, '"'))
                return -1;
            key_offset = s->pos;
            skip_string(s);
            skip_ws(s);
            if (!peek(s, ':'))
                return -1;
            s->pos++;
        }
        if (scan_value(s, child, depth + 1) != 0)
            return -1;
        child->key_offset = key_offset;
        skip_ws(s);
        if (peek(s, ',')) {
            s->pos++;
            continue;
        }
        if (peek(s, close)) {
            s->pos++;
            return 0;
        }
        return -1;
    }
}

/* True when the node tree has exactly cJSON's shape. */
static bool same_shape(const cJSON *j, const jsonc_node_t *n)
{
    size_t i = 0;
    if (!cJSON_IsObject(j) && !cJSON_IsArray(j))
        return n->child_count == 0;
    for (const cJSON *c = j->child; c; c = c->next, i++) {
        if (i >= n->child_count || !same_shape(c, &n->children[i]))
            return false;
    }
    return i == n->child_count;
}

/* The offset of the first ',' outside strings that only white space separates
 * from a ']' or '}', when it lies before `limit` (where parsing stopped, or
 * the end), else JSONC_NO_OFFSET. */
static size_t trailing_comma(const char *text, size_t len, size_t limit)
{
    bool in_string = false;
    for (size_t i = 0; i < len && i <= limit; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == ',') {
            size_t k = i + 1;
            while (k < len &&
                   (text[k] == ' ' || text[k] == '\t' || text[k] == '\r' || text[k] == '\n'))
                k++;
            if (k < len && (text[k] == ']' || text[k] == '}'))
                return i;
        }
    }
    return JSONC_NO_OFFSET;
}

static void describe_syntax_error(const char *text, size_t len, size_t offset, jsonc_error_t *err)
{
    /* A trailing comma: cJSON stops at the bracket after it, or reports the
     * end of the text, but the mistake is the comma, so that is where the
     * error points. Comments are blanks by now. */
    size_t comma = trailing_comma(text, len, offset);
    if (comma != JSONC_NO_OFFSET) {
        size_t close = comma + 1;
        while (text[close] == ' ' || text[close] == '\t' || text[close] == '\r' ||
               text[close] == '\n')
            close++;
        err->offset = comma;
        snprintf(err->message, sizeof err->message,
                 "invalid JSON: trailing comma before '%c' (remove the comma after the last %s)",
                 text[close], text[close] == ']' ? "item" : "member");
        return;
    }
    if (offset >= len) {
        snprintf(err->message, sizeof err->message, "invalid JSON: unexpected end of file");
        return;
    }
    /* Show a short excerpt of what cJSON stopped at, up to the end of the line. */
    size_t n = 0;
    while (n < 16 && offset + n < len && text[offset + n] != '\n' && text[offset + n] != '\r')
        n++;
    snprintf(err->message, sizeof err->message,
             "invalid JSON at \"%.*s\" (expected a value, ',' , ':' or a closing bracket; "
             "comments are allowed, trailing commas are not)",
             (int)n, text + offset);
}

int jsonc_parse(const char *text, size_t len, jsonc_doc_t *doc, jsonc_error_t *err)
{
    memset(doc, 0, sizeof *doc);
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        err->offset = (size_t)(nul - text);
        snprintf(err->message, sizeof err->message, "NUL byte in file (not a text file?)");
        return -1;
    }
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    if (jsonc_strip_comments(copy, len, err) != 0) {
        free(copy);
        return -1;
    }
    /* The length includes the NUL: cJSON 1.7's require_null_terminated check
     * reads the byte at the end offset and fails when the length excludes it. */
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(copy, len + 1, &end, 1);
    if (!json) {
        size_t off = end && end >= copy ? (size_t)(end - copy) : 0;
        if (off > len)
            off = len;
        err->offset = off;
        describe_syntax_error(copy, len, off, err);
        free(copy);
        return -1;
    }
    scanner_t s = {copy, len, 0};
    if (len >= 3 && memcmp(copy, "\xEF\xBB\xBF", 3) == 0)
        s.pos = 3; /* cJSON skips a UTF-8 byte order mark too */
    jsonc_node_t *root = xcalloc(1, sizeof *root);
    if (scan_value(&s, root, 0) != 0 || !same_shape(json, root)) {
        node_dispose(root);
        free(root);
        cJSON_Delete(json);
        free(copy);
        err->offset = 0;
        snprintf(err->message, sizeof err->message,
                 "internal error: could not locate the JSON values (please report this file)");
        return -1;
    }
    size_t cap = 64;
    doc->line_starts = xmalloc(cap * sizeof *doc->line_starts);
    doc->memo = xcalloc(1, sizeof *doc->memo);
    doc->line_starts[doc->line_count++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (copy[i] != '\n')
            continue;
        if (doc->line_count == cap) {
            cap *= 2;
            doc->line_starts = xrealloc(doc->line_starts, cap * sizeof *doc->line_starts);
        }
        doc->line_starts[doc->line_count++] = i + 1;
    }
    doc->text = copy;
    doc->len = len;
    doc->json = json;
    doc->root = root;
    return 0;
}

void jsonc_doc_dispose(jsonc_doc_t *doc)
{
    if (!doc)
        return;
    free(doc->memo);
    if (doc->root) {
        node_dispose(doc->root);
        free(doc->root);
    }
    cJSON_Delete(doc->json);
    free(doc->text);
    free(doc->line_starts);
    memset(doc, 0, sizeof *doc);
}

static int count_code_points(const char *p, size_t n)
{
    int cols = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)p[i] & 0xC0) != 0x80)
            cols++;
    }
    return cols;
}

void jsonc_line_col(const jsonc_doc_t *doc, size_t offset, int *line, int *col)
{
    if (offset > doc->len)
        offset = doc->len;
    /* The last line start <= offset. */
    size_t lo = 0, hi = doc->line_count;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (doc->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    *line = (int)lo + 1;
    /* The memo belongs to the document (allocated by jsonc_parse); it caches a
     * derived value, so the document stays logically const. */
    jsonc_col_memo_t *m = doc->memo;
    if (m && m->valid && m->line == lo && m->offset <= offset)
        *col = m->col + count_code_points(doc->text + m->offset, offset - m->offset);
    else
        *col =
            1 + count_code_points(doc->text + doc->line_starts[lo], offset - doc->line_starts[lo]);
    if (m) {
        m->line = lo;
        m->offset = offset;
        m->col = *col;
        m->valid = true;
    }
    /* Editors do not show a UTF-8 byte order mark, so it takes no column. */
    if (lo == 0 && offset >= 3 && doc->len >= 3 && memcmp(doc->text, "\xEF\xBB\xBF", 3) == 0)
        (*col)--;
}

void jsonc_text_line_col(const char *text, size_t len, size_t offset, int *line, int *col)
{
    if (offset > len)
        offset = len;
    size_t start = 0;
    int l = 1;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    *line = l;
    *col = 1 + count_code_points(text + start, offset - start);
}

const jsonc_node_t *jsonc_child(const jsonc_node_t *n, size_t i)
{
    if (!n || i >= n->child_count)
        return NULL;
    return &n->children[i];
}

const jsonc_node_t *jsonc_lookup(const jsonc_doc_t *doc, const char *path, const cJSON **item)
{
    const cJSON *j = doc->json;
    const jsonc_node_t *n = doc->root;
    const char *p = path;
    while (j && n && *p) {
        size_t want = 0;
        const cJSON *c;
        size_t i = 0;
        if (*p == '[') {
            char *end;
            unsigned long idx = strtoul(p + 1, &end, 10);
            if (end == p + 1 || *end != ']' || !cJSON_IsArray(j))
                return NULL;
            want = idx;
            p = end + 1;
            for (c = j->child; c && i < want; c = c->next)
                i++;
        } else {
            if (*p == '.')
                p++;
            size_t klen = strcspn(p, ".[");
            if (klen == 0 || !cJSON_IsObject(j))
                return NULL;
            for (c = j->child; c; c = c->next, i++) {
                if (c->string && strlen(c->string) == klen && memcmp(c->string, p, klen) == 0)
                    break;
            }
            p += klen;
        }
        if (!c)
            return NULL;
        j = c;
        n = jsonc_child(n, i);
    }
    if (!j || !n || *p)
        return NULL;
    if (item)
        *item = j;
    return n;
}
