/* Postgres's own parser (libpg_query, the PostgreSQL 15 grammar) behind one
 * function: SQL text in, its raw parse tree as cJSON out, one entry per
 * statement with where the statement is in the text; a syntax error comes
 * back with Postgres's exact message and the byte offset Postgres reports.
 *
 * The tree is libpg_query's JSON form of Postgres's raw parse nodes
 * ({"CreateStmt": {...}}, {"A_Const": {...}}): node names and fields are
 * Postgres's (src/include/nodes/parsenodes.h), every "location" a byte offset
 * into the whole text. Nothing here knows what a statement means. */
#ifndef MOCK_SQL_PARSE_H
#define MOCK_SQL_PARSE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define SQL_NO_OFFSET ((size_t)-1)

typedef struct sql_stmt {
    const cJSON *node; /* {"CreateStmt": {...}}: borrowed from the script's tree */
    const char *kind;  /* the node name, "CreateStmt" */
    size_t offset;     /* where the statement starts in the text (after leading blanks) */
    size_t length;     /* its bytes, without the terminating ';' */
} sql_stmt_t;

typedef struct sql_script {
    cJSON *tree; /* owned: {"version": ..., "stmts": [...]} */
    sql_stmt_t *stmts;
    size_t count;
} sql_script_t;

typedef struct sql_error {
    char message[256]; /* Postgres's: `syntax error at or near "selec"` */
    size_t offset;     /* byte offset into the text, SQL_NO_OFFSET when none */
} sql_error_t;

/* Parses text (NUL-terminated, at most MOCK_MAX_SQL_FILE_BYTES). Returns 0
 * and fills out (dispose with sql_script_dispose), or -1 with err. Bounded:
 * text nesting parentheses deeper than MOCK_MAX_SQL_NESTING is refused before
 * the parser sees it. */
int sql_parse_script(const char *text, sql_script_t *out, sql_error_t *err);
void sql_script_dispose(sql_script_t *s);

/* One expression as it stands inside a clause's parentheses: a policy's
 * USING (...) / WITH CHECK (...), a CHECK (...) constraint. It is parsed
 * inside `CREATE POLICY p ON t USING (` text `\n)`, the grammar's a_expr in
 * the place the database engine sends it, so a syntax error names the token
 * Postgres names there (`a =` is `syntax error at or near ")"`, `a) or (b` is
 * refused at "or"). out->node is the expression's raw node (borrowed from
 * out->tree, which the caller frees with cJSON_Delete); every "location" in it
 * is a byte offset into text, -1 when Postgres has none. err->offset is
 * clamped to [0, strlen(text)]. Returns 0 or -1 with err. */
typedef struct sql_expr {
    cJSON *tree;       /* owned: the whole statement's tree */
    const cJSON *node; /* {"A_Expr": {...}} */
} sql_expr_t;
int sql_parse_expr(const char *text, sql_expr_t *out, sql_error_t *err);

/* The PL/pgSQL body of one CREATE FUNCTION ... LANGUAGE plpgsql statement
 * (text: the whole statement), as libpg_query's pg_query_parse_plpgsql reads
 * it with Postgres's own PL/pgSQL grammar: *out is the owned array
 * [{"PLpgSQL_function": {"datums": [...], "action": {...}}}] whose
 * expressions and statements are SQL text ("query") still to be parsed. A
 * syntax error comes back with Postgres's message and offset. Bounded as
 * sql_parse_script. Returns 0 or -1 with err. */
int sql_parse_plpgsql(const char *text, cJSON **out, sql_error_t *err);

/* 1-based line and column (in bytes) of offset in text. */
void sql_line_col(const char *text, size_t offset, int *line, int *col);

/* The byte offset within s[0..len) of Postgres's 1-based character position
 * pos (errposition and PG_DIAG_STATEMENT_POSITION count characters of the
 * encoding, UTF-8 here). */
size_t sql_char_offset(const char *s, size_t len, long pos);

#endif
