/* JSON with comments, and where its values are. jsonc_strip_comments blanks out
 * line (`//`) and block (slash-star) comments (newlines kept, so offsets, lines and columns stay
 * those of the original text); jsonc_parse then parses with cJSON and builds a
 * tree of source offsets parallel to the cJSON tree with a small tokenizer (not
 * a second parser: it runs only over text cJSON has accepted). */
#ifndef MOCK_JSONC_H
#define MOCK_JSONC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define JSONC_NO_OFFSET ((size_t)-1)

/* One JSON value's place in the source. children[i] belongs to the i-th child of
 * the parallel cJSON item (object members or array elements, in source order,
 * duplicates included, exactly as cJSON links them). */
typedef struct jsonc_node {
    size_t offset;     /* first byte of the value */
    size_t key_offset; /* the opening quote of its key in an object; JSONC_NO_OFFSET otherwise */
    struct jsonc_node *children;
    size_t child_count;
} jsonc_node_t;

/* A parsed document. Owns everything it points to; jsonc_doc_dispose frees it. */
typedef struct jsonc_doc {
    char *text;          /* the comment-stripped text, NUL-terminated */
    size_t len;          /* bytes, without the NUL */
    size_t *line_starts; /* offset of the first byte of each line */
    size_t line_count;
    /* The last position computed, so that a scan through one long line (a
     * file of thousands of rows on one line) stays linear. Owned. */
    struct jsonc_col_memo *memo;
    cJSON *json;        /* the parsed value */
    jsonc_node_t *root; /* positions, parallel to json */
} jsonc_doc_t;

typedef struct jsonc_error {
    size_t offset; /* where the problem is, in the text given */
    char message[160];
} jsonc_error_t;

/* Replaces each comment in text[0..len) by spaces, keeping its newlines; comment
 * markers inside strings are left alone. Returns 0, or -1 with err->offset at the
 * start of an unterminated block comment. */
int jsonc_strip_comments(char *text, size_t len, jsonc_error_t *err);

/* Strips comments from a copy of text[0..len), parses it and builds the position
 * tree. The text may not contain NUL bytes. Returns 0 with doc filled, or -1 with
 * err (the offset is where cJSON stopped, or the comment/NUL at fault); doc is
 * then left empty (jsonc_doc_dispose on it is still safe). */
int jsonc_parse(const char *text, size_t len, jsonc_doc_t *doc, jsonc_error_t *err);
void jsonc_doc_dispose(jsonc_doc_t *doc);

/* 1-based line and column of a byte offset. Columns count UTF-8 code points (a
 * tab is one column), so an editor's "go to line:column" lands on the spot.
 * Offsets past the end give the position just after the last byte. */
void jsonc_line_col(const jsonc_doc_t *doc, size_t offset, int *line, int *col);
/* The same for raw text without a document (slower: scans from the start). */
void jsonc_text_line_col(const char *text, size_t len, size_t offset, int *line, int *col);

/* The node for child i of n, or NULL when out of range (n may be NULL). */
const jsonc_node_t *jsonc_child(const jsonc_node_t *n, size_t i);

/* Looks up a path such as `tables.profiles.columns[2].type` from the root. Keys
 * containing '.' or '[' cannot be addressed this way (use the tree instead).
 * Returns the node and sets *item to the cJSON value, or NULL when absent. */
const jsonc_node_t *jsonc_lookup(const jsonc_doc_t *doc, const char *path, const cJSON **item);

#endif
