/* POST /__mock/sql: a small lexer and parser for the statements admin_sql.h lists,
 * with Postgres's checks and messages, applied to the instance's security model.
 * A batch runs as one transaction would: every statement is parsed and checked
 * first (against the model plus the policies earlier statements of the batch
 * create or drop), and only when all pass are they applied, in order, so a
 * failing batch changes nothing. It does not run arbitrary SQL. */
#include "admin_sql.h"

#include "policy_expr.h"
#include "security.h"
#include "xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NAMEDATALEN - 1: longer identifiers are truncated, as Postgres does. */
#define SQL_MAX_IDENT 63

static const char UNSUPPORTED[] =
    "supamock's /__mock/sql supports NOTIFY pgrst, CREATE POLICY, DROP POLICY, ALTER TABLE ... "
    "ENABLE|DISABLE ROW LEVEL SECURITY, GRANT, REVOKE and SELECT ... FROM pg_policies; got: ";

/* ------------------------------------------------------------------------ */
/* lexer                                                                     */
/* ------------------------------------------------------------------------ */

typedef enum { K_END, K_IDENT, K_QIDENT, K_STRING, K_NUMBER, K_PUNCT, K_SEMI } kkind_t;

typedef struct ktok {
    kkind_t kind;
    size_t pos, len; /* span in the source */
    char *text;      /* owned: folded identifier, unescaped string, or the raw text */
} ktok_t;

typedef struct sql_error {
    char code[8];
    char *message;    /* heap */
    bool unsupported; /* answer {"error": ...} only */
} sql_error_t;

static int sql_fail(sql_error_t *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int sql_fail(sql_error_t *e, const char *code, const char *fmt, ...)
{
    free(e->message);
    snprintf(e->code, sizeof e->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    e->message = xvasprintf(fmt, ap);
    va_end(ap);
    return -1;
}

/* Truncates an identifier to 63 bytes on a UTF-8 character boundary. */
static void clip_ident(char *s)
{
    size_t n = strlen(s);
    if (n <= SQL_MAX_IDENT)
        return;
    n = SQL_MAX_IDENT;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    s[n] = '\0';
}

typedef struct lexer {
    ktok_t *toks;
    size_t n, cap;
} lexer_t;

static void lpush(lexer_t *l, kkind_t k, size_t pos, size_t len, char *text)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->toks = xrealloc(l->toks, l->cap * sizeof *l->toks);
    }
    l->toks[l->n++] = (ktok_t){.kind = k, .pos = pos, .len = len, .text = text};
}

static void lexer_dispose(lexer_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->toks[i].text);
    free(l->toks);
}

/* Returns 0, or -1 with e set and *errpos at the offending byte. */
static int sql_lex(const char *s, lexer_t *l, sql_error_t *e, size_t *errpos)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t start = i;
        if (isspace(c)) {
            i++;
        } else if (c == '-' && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
        } else if (c == '/' && s[i + 1] == '*') {
            int depth = 0;
            while (i < n) {
                if (s[i] == '/' && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (s[i] == '*' && s[i + 1] == '/') {
                    i += 2;
                    if (--depth == 0)
                        break;
                } else {
                    i++;
                }
            }
            if (depth > 0) {
                *errpos = start;
                return sql_fail(e, "42601", "unterminated /* comment at or near \"%.*s\"",
                                (int)(n - start > 40 ? 40 : n - start), s + start);
            }
        } else if (isalpha(c) || c == '_' || c >= 0x80) {
            while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '$' ||
                             (unsigned char)s[i] >= 0x80))
                i++;
            char *t = xstrndup(s + start, i - start);
            for (char *q = t; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            clip_ident(t);
            lpush(l, K_IDENT, start, i - start, t);
        } else if (c == '\'' || c == '"') {
            buf_t b;
            buf_init(&b);
            bool closed = false;
            for (i++; i < n; i++) {
                if ((unsigned char)s[i] == c) {
                    if ((unsigned char)s[i + 1] == c) {
                        buf_putc(&b, (char)c);
                        i++;
                        continue;
                    }
                    closed = true;
                    i++;
                    break;
                }
                buf_putc(&b, s[i]);
            }
            if (!closed) {
                buf_dispose(&b);
                *errpos = start;
                return sql_fail(e, "42601", "unterminated quoted %s at or near \"%.*s\"",
                                c == '"' ? "identifier" : "string",
                                (int)(n - start > 40 ? 40 : n - start), s + start);
            }
            if (c == '"' && b.len == 0) {
                buf_dispose(&b);
                *errpos = start;
                return sql_fail(e, "42601", "zero-length delimited identifier at or near \"\"\"\"");
            }
            char *t = buf_steal(&b);
            if (c == '"')
                clip_ident(t);
            lpush(l, c == '"' ? K_QIDENT : K_STRING, start, i - start, t);
        } else if (isdigit(c)) {
            while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '.'))
                i++;
            lpush(l, K_NUMBER, start, i - start, xstrndup(s + start, i - start));
        } else if (c == ';') {
            i++;
            lpush(l, K_SEMI, start, 1, xstrdup(";"));
        } else {
            /* Punctuation and operators, one character at a time except the
             * two-character ones the statements can contain. */
            i++;
            if ((c == ':' && s[i] == ':') || (c == '<' && (s[i] == '>' || s[i] == '=')) ||
                (c == '>' && s[i] == '=') || (c == '!' && s[i] == '='))
                i++;
            while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
                i++;
            lpush(l, K_PUNCT, start, i - start, xstrndup(s + start, i - start));
        }
    }
    lpush(l, K_END, n, 0, xstrdup(""));
    return 0;
}

/* ------------------------------------------------------------------------ */
/* statements                                                                */
/* ------------------------------------------------------------------------ */

typedef enum {
    S_NOTIFY,
    S_CREATE_POLICY,
    S_DROP_POLICY,
    S_ALTER_TABLE,
    S_GRANT,
    S_REVOKE,
    S_SELECT_POLICIES,
} skind_t;

enum {
    PC_SCHEMANAME,
    PC_TABLENAME,
    PC_POLICYNAME,
    PC_PERMISSIVE,
    PC_ROLES,
    PC_CMD,
    PC_QUAL,
    PC_WITH_CHECK,
    PC_COUNT
};
static const char *const PG_POLICIES_COLS[PC_COUNT] = {
    "schemaname", "tablename", "policyname", "permissive", "roles", "cmd", "qual", "with_check",
};

typedef struct stmt {
    skind_t kind;
    const char *tag;          /* Postgres command tag */
    bool reload;              /* NOTIFY pgrst, 'reload schema' */
    store_table_t *table;     /* CREATE/DROP POLICY, ALTER TABLE; NULL: IF EXISTS skipped it */
    security_policy_t policy; /* CREATE POLICY; owned until applied */
    char *name;               /* DROP POLICY */
    bool if_exists;
    int rls;                /* ALTER TABLE: 1 enable, 0 disable, -1 neither (FORCE only) */
    store_table_t **tables; /* GRANT/REVOKE targets */
    size_t ntables;
    char **roles; /* GRANT/REVOKE grantees (PUBLIC expanded) */
    size_t nroles;
    unsigned privs;
    int cols[PC_COUNT]; /* SELECT: output columns (-1 ends) */
    size_t ncols;
    char *filter[PC_COUNT]; /* SELECT: WHERE col = 'value' */
} stmt_t;

static void stmt_dispose(stmt_t *s)
{
    security_policy_dispose(&s->policy);
    free(s->name);
    free(s->tables);
    for (size_t i = 0; i < s->nroles; i++)
        free(s->roles[i]);
    free(s->roles);
    for (int i = 0; i < PC_COUNT; i++)
        free(s->filter[i]);
}

/* Policies that earlier statements of the batch create (exists) or drop. */
typedef struct overlay_entry {
    const store_table_t *t;
    char *name;
    bool exists;
} overlay_entry_t;

typedef struct ctx {
    const scenario_t *sc;
    void (*schema_reload)(void *arg);
    void *reload_arg;
    store_t *store;
    security_t *sec;
    const char *src;
    const ktok_t *toks; /* of the statement being parsed, ending with K_SEMI or K_END */
    size_t i;
    sql_error_t *err;
    overlay_entry_t *overlay;
    size_t noverlay;
} ctx_t;

static const ktok_t *cur(const ctx_t *c)
{
    return &c->toks[c->i];
}
static const ktok_t *adv(ctx_t *c)
{
    const ktok_t *t = &c->toks[c->i];
    if (t->kind != K_END && t->kind != K_SEMI)
        c->i++;
    return t;
}
static bool is_kw(const ktok_t *t, const char *kw)
{
    return t->kind == K_IDENT && strcmp(t->text, kw) == 0;
}
static bool accept(ctx_t *c, const char *kw)
{
    if (is_kw(cur(c), kw)) {
        c->i++;
        return true;
    }
    return false;
}
static bool accept_punct(ctx_t *c, const char *p)
{
    if (cur(c)->kind == K_PUNCT && strcmp(cur(c)->text, p) == 0) {
        c->i++;
        return true;
    }
    return false;
}

static int syntax_error(ctx_t *c)
{
    const ktok_t *t = cur(c);
    if (t->kind == K_END || t->kind == K_SEMI)
        return sql_fail(c->err, "42601", "syntax error at end of input");
    return sql_fail(c->err, "42601", "syntax error at or near \"%.*s\"", (int)t->len,
                    c->src + t->pos);
}

static int expect_kw(ctx_t *c, const char *kw)
{
    return accept(c, kw) ? 0 : syntax_error(c);
}

/* An identifier (unquoted or quoted); returns it borrowed or NULL. */
static const char *ident(ctx_t *c)
{
    const ktok_t *t = cur(c);
    if (t->kind != K_IDENT && t->kind != K_QIDENT)
        return NULL;
    c->i++;
    return t->text;
}

/* [schema.]name as written (for messages), resolved with search_path public. */
static int table_name(ctx_t *c, store_table_t **out, char *written, size_t wlen)
{
    const char *a = ident(c);
    if (!a)
        return syntax_error(c);
    const char *b = NULL;
    if (accept_punct(c, ".")) {
        b = ident(c);
        if (!b)
            return syntax_error(c);
    }
    if (b)
        snprintf(written, wlen, "%s.%s", a, b);
    else
        snprintf(written, wlen, "%s", a);
    *out = store_find_table(c->store, b ? a : "public", b ? b : a);
    return 0;
}

static bool at_end(const ctx_t *c)
{
    return cur(c)->kind == K_END || cur(c)->kind == K_SEMI;
}

static int expect_end(ctx_t *c)
{
    return at_end(c) ? 0 : syntax_error(c);
}

/* ---- roles ---- */

static void push_role(stmt_t *s, const char *r)
{
    for (size_t i = 0; i < s->nroles; i++)
        if (strcmp(s->roles[i], r) == 0)
            return;
    s->roles = xrealloc(s->roles, (s->nroles + 1) * sizeof *s->roles);
    s->roles[s->nroles++] = xstrdup(r);
}

/* role [, ...]: PUBLIC sets *public; names must exist (get_rolespec_oid). */
static int role_list(ctx_t *c, stmt_t *s, bool *public)
{
    *public = false;
    do {
        const ktok_t *t = cur(c);
        if (t->kind == K_IDENT &&
            (strcmp(t->text, "current_user") == 0 || strcmp(t->text, "session_user") == 0 ||
             strcmp(t->text, "current_role") == 0))
            return sql_fail(c->err, "0A000",
                            "supamock: %s as a role is not supported; name the role", t->text);
        const char *r = ident(c);
        if (!r)
            return syntax_error(c);
        if (t->kind == K_IDENT && strcmp(r, "public") == 0) {
            *public = true;
            continue;
        }
        if (!security_role_exists(c->sec, r))
            return sql_fail(c->err, "42704", "role \"%s\" does not exist", r);
        push_role(s, r);
    } while (accept_punct(c, ","));
    return 0;
}

/* ---- NOTIFY channel [, 'payload'] ---- */

static int parse_notify(ctx_t *c, stmt_t *s)
{
    s->kind = S_NOTIFY;
    s->tag = "NOTIFY";
    const char *channel = ident(c);
    if (!channel)
        return syntax_error(c);
    const char *payload = NULL;
    if (accept_punct(c, ",")) {
        if (cur(c)->kind != K_STRING)
            return syntax_error(c);
        payload = adv(c)->text;
    }
    if (expect_end(c) < 0)
        return -1;
    /* PostgREST's listener: an empty payload or 'reload schema' reloads the
     * schema cache; 'reload config' rereads the configuration (nothing to do
     * here); other payloads and channels are ignored. */
    s->reload = strcmp(channel, "pgrst") == 0 &&
                (!payload || payload[0] == '\0' || strcmp(payload, "reload schema") == 0);
    return 0;
}

/* ---- CREATE POLICY ---- */

static bool overlay_lookup(const ctx_t *c, const store_table_t *t, const char *name, bool *exists)
{
    for (size_t i = c->noverlay; i-- > 0;)
        if (c->overlay[i].t == t && strcmp(c->overlay[i].name, name) == 0) {
            *exists = c->overlay[i].exists;
            return true;
        }
    return false;
}

static bool policy_exists(const ctx_t *c, const store_table_t *t, const char *name)
{
    bool exists;
    if (overlay_lookup(c, t, name, &exists))
        return exists;
    size_t n = security_policy_count(c->sec, t);
    for (size_t i = 0; i < n; i++)
        if (strcmp(security_policy_at(c->sec, t, i)->name, name) == 0)
            return true;
    return false;
}

static void overlay_set(ctx_t *c, const store_table_t *t, const char *name, bool exists)
{
    c->overlay = xrealloc(c->overlay, (c->noverlay + 1) * sizeof *c->overlay);
    c->overlay[c->noverlay++] = (overlay_entry_t){.t = t, .name = xstrdup(name), .exists = exists};
}

/* `( expr )`: the source text between the balanced parentheses. */
static int paren_text(ctx_t *c, char **out)
{
    if (!accept_punct(c, "("))
        return syntax_error(c);
    size_t start = c->toks[c->i].pos, depth = 1;
    while (!at_end(c)) {
        const ktok_t *t = cur(c);
        if (t->kind == K_PUNCT && strcmp(t->text, "(") == 0)
            depth++;
        else if (t->kind == K_PUNCT && strcmp(t->text, ")") == 0 && --depth == 0) {
            size_t end = t->pos;
            c->i++;
            while (end > start && isspace((unsigned char)c->src[end - 1]))
                end--;
            *out = xstrndup(c->src + start, end - start);
            return 0;
        }
        c->i++;
    }
    return syntax_error(c);
}

static int parse_expr_into(ctx_t *c, const store_table_t *t, const char *text, policy_expr_t **out)
{
    policy_expr_error_t pe;
    *out = policy_expr_parse(text, c->store, t, &pe);
    if (!*out)
        return sql_fail(c->err, pe.code, "%s", pe.message);
    return 0;
}

static int parse_create_policy(ctx_t *c, stmt_t *s)
{
    s->kind = S_CREATE_POLICY;
    s->tag = "CREATE POLICY";
    security_policy_t *p = &s->policy;
    const char *name = ident(c);
    if (!name)
        return syntax_error(c);
    p->name = xstrdup(name);
    if (expect_kw(c, "on") < 0)
        return -1;
    char written[160];
    store_table_t *t = NULL;
    if (table_name(c, &t, written, sizeof written) < 0)
        return -1;
    p->permissive = true;
    if (accept(c, "as")) {
        const char *opt = ident(c);
        if (!opt)
            return syntax_error(c);
        if (strcmp(opt, "restrictive") == 0)
            p->permissive = false;
        else if (strcmp(opt, "permissive") != 0)
            return sql_fail(c->err, "42601", "unrecognized row security option \"%s\"", opt);
    }
    p->command = SECURITY_CMD_ALL;
    if (accept(c, "for")) {
        static const char *const cmds[] = {"all", "select", "insert", "update", "delete"};
        static const security_command_t vals[] = {SECURITY_CMD_ALL, SECURITY_CMD_SELECT,
                                                  SECURITY_CMD_INSERT, SECURITY_CMD_UPDATE,
                                                  SECURITY_CMD_DELETE};
        bool found = false;
        for (int k = 0; k < 5 && !found; k++)
            if (accept(c, cmds[k])) {
                p->command = vals[k];
                found = true;
            }
        if (!found)
            return syntax_error(c);
    }
    bool public = true;
    stmt_t roles_holder;
    memset(&roles_holder, 0, sizeof roles_holder);
    if (accept(c, "to")) {
        int rc = role_list(c, &roles_holder, &public);
        if (rc < 0) {
            stmt_dispose(&roles_holder);
            return -1;
        }
    }
    /* policy_role_list_to_array: PUBLIC with other roles keeps only PUBLIC
     * (with a WARNING). */
    if (!public && roles_holder.nroles) {
        p->roles = roles_holder.roles;
        p->role_count = roles_holder.nroles;
        roles_holder.roles = NULL;
        roles_holder.nroles = 0;
    }
    stmt_dispose(&roles_holder);
    if (accept(c, "using") && paren_text(c, &p->using_text) < 0)
        return -1;
    if (accept(c, "with")) {
        if (expect_kw(c, "check") < 0 || paren_text(c, &p->check_text) < 0)
            return -1;
    }
    if (expect_end(c) < 0)
        return -1;
    /* commands/policy.c CreatePolicy, in its order: command/clause checks,
     * roles (checked while parsing the list above), the table, the
     * expressions, then the duplicate name. */
    if ((p->command == SECURITY_CMD_SELECT || p->command == SECURITY_CMD_DELETE) && p->check_text)
        return sql_fail(c->err, "42601", "WITH CHECK cannot be applied to SELECT or DELETE");
    if (p->command == SECURITY_CMD_INSERT && p->using_text)
        return sql_fail(c->err, "42601", "only WITH CHECK expression allowed for INSERT");
    if (!t)
        return sql_fail(c->err, "42P01", "relation \"%s\" does not exist", written);
    s->table = t;
    if (p->using_text && parse_expr_into(c, t, p->using_text, &p->using_expr) < 0)
        return -1;
    if (p->check_text && parse_expr_into(c, t, p->check_text, &p->check_expr) < 0)
        return -1;
    if (policy_exists(c, t, p->name))
        return sql_fail(c->err, "42710", "policy \"%s\" for table \"%s\" already exists", p->name,
                        store_table_name(t));
    overlay_set(c, t, p->name, true);
    return 0;
}

/* ---- DROP POLICY [IF EXISTS] name ON table [CASCADE | RESTRICT] ---- */

static int parse_drop_policy(ctx_t *c, stmt_t *s)
{
    s->kind = S_DROP_POLICY;
    s->tag = "DROP POLICY";
    if (accept(c, "if")) {
        if (expect_kw(c, "exists") < 0)
            return -1;
        s->if_exists = true;
    }
    const char *name = ident(c);
    if (!name)
        return syntax_error(c);
    s->name = xstrdup(name);
    if (expect_kw(c, "on") < 0)
        return -1;
    char written[160];
    store_table_t *t = NULL;
    if (table_name(c, &t, written, sizeof written) < 0)
        return -1;
    if (!accept(c, "cascade"))
        accept(c, "restrict");
    if (expect_end(c) < 0)
        return -1;
    if (!t) {
        if (s->if_exists)
            return 0; /* NOTICE: relation "x" does not exist, skipping */
        return sql_fail(c->err, "42P01", "relation \"%s\" does not exist", written);
    }
    if (!policy_exists(c, t, s->name)) {
        if (s->if_exists)
            return 0; /* NOTICE: policy "x" for relation "t" does not exist, skipping */
        return sql_fail(c->err, "42704", "policy \"%s\" for table \"%s\" does not exist", s->name,
                        store_table_name(t));
    }
    s->table = t;
    overlay_set(c, t, s->name, false);
    return 0;
}

/* ---- ALTER TABLE [IF EXISTS] [ONLY] t {ENABLE|DISABLE|FORCE|NO FORCE} ROW LEVEL SECURITY ---- */

static int parse_alter_table(ctx_t *c, stmt_t *s)
{
    s->kind = S_ALTER_TABLE;
    s->tag = "ALTER TABLE";
    s->rls = -1;
    if (accept(c, "if")) {
        if (expect_kw(c, "exists") < 0)
            return -1;
        s->if_exists = true;
    }
    accept(c, "only");
    char written[160];
    store_table_t *t = NULL;
    if (table_name(c, &t, written, sizeof written) < 0)
        return -1;
    accept_punct(c, "*");
    do {
        int action;
        if (accept(c, "enable"))
            action = 1;
        else if (accept(c, "disable"))
            action = 0;
        else if (accept(c, "force"))
            action = -1;
        else if (accept(c, "no")) {
            if (expect_kw(c, "force") < 0)
                return -1;
            action = -1;
        } else {
            c->err->unsupported = true;
            return -1;
        }
        if (!accept(c, "row")) {
            c->err->unsupported = true;
            return -1;
        }
        if (expect_kw(c, "level") < 0 || expect_kw(c, "security") < 0)
            return -1;
        if (action >= 0)
            s->rls = action;
    } while (accept_punct(c, ","));
    if (expect_end(c) < 0)
        return -1;
    if (!t && !s->if_exists)
        return sql_fail(c->err, "42P01", "relation \"%s\" does not exist", written);
    s->table = t;
    return 0;
}

/* ---- GRANT / REVOKE ---- */

static int parse_privileges(ctx_t *c, stmt_t *s, bool *table_privs_only)
{
    *table_privs_only = true;
    if (accept(c, "all")) {
        accept(c, "privileges");
        s->privs = SCENARIO_PRIV_ALL;
        return 0;
    }
    do {
        const char *w = ident(c);
        if (!w)
            return syntax_error(c);
        if (strcmp(w, "select") == 0)
            s->privs |= SCENARIO_PRIV_SELECT;
        else if (strcmp(w, "insert") == 0)
            s->privs |= SCENARIO_PRIV_INSERT;
        else if (strcmp(w, "update") == 0)
            s->privs |= SCENARIO_PRIV_UPDATE;
        else if (strcmp(w, "delete") == 0)
            s->privs |= SCENARIO_PRIV_DELETE;
        else if (strcmp(w, "truncate") == 0 || strcmp(w, "references") == 0 ||
                 strcmp(w, "trigger") == 0 || strcmp(w, "maintain") == 0)
            ; /* table privileges the model does not use */
        else if (strcmp(w, "usage") == 0 || strcmp(w, "execute") == 0 || strcmp(w, "create") == 0)
            *table_privs_only = false;
        else
            return sql_fail(c->err, "42601", "unrecognized privilege type \"%s\"", w);
        if (cur(c)->kind == K_PUNCT && strcmp(cur(c)->text, "(") == 0)
            return sql_fail(c->err, "0A000", "supamock: column privileges are not supported");
    } while (accept_punct(c, ","));
    return 0;
}

static void push_table(stmt_t *s, store_table_t *t)
{
    s->tables = xrealloc(s->tables, (s->ntables + 1) * sizeof *s->tables);
    s->tables[s->ntables++] = t;
}

static bool schema_exists(const ctx_t *c, const char *schema)
{
    if (strcmp(schema, "public") == 0 || strcmp(schema, "auth") == 0 ||
        strcmp(schema, "extensions") == 0 || strcmp(schema, "storage") == 0)
        return true;
    for (size_t i = 0; i < store_table_count(c->store); i++)
        if (strcmp(store_table_schema(store_table_at(c->store, i)), schema) == 0)
            return true;
    return false;
}

static int parse_grant(ctx_t *c, stmt_t *s, bool revoke)
{
    s->kind = revoke ? S_REVOKE : S_GRANT;
    s->tag = revoke ? "REVOKE" : "GRANT";
    if (revoke && accept(c, "grant")) {
        if (expect_kw(c, "option") < 0 || expect_kw(c, "for") < 0)
            return -1;
    }
    bool table_privs_only;
    if (parse_privileges(c, s, &table_privs_only) < 0)
        return -1;
    if (expect_kw(c, "on") < 0)
        return -1;
    bool objects_are_tables = true;
    if (accept(c, "all")) {
        /* ALL TABLES | SEQUENCES | FUNCTIONS | ROUTINES IN SCHEMA s [, ...] */
        const char *what = ident(c);
        if (!what)
            return syntax_error(c);
        objects_are_tables = strcmp(what, "tables") == 0;
        if (!objects_are_tables && strcmp(what, "sequences") != 0 &&
            strcmp(what, "functions") != 0 && strcmp(what, "routines") != 0)
            return syntax_error(c);
        if (expect_kw(c, "in") < 0 || expect_kw(c, "schema") < 0)
            return -1;
        do {
            const char *schema = ident(c);
            if (!schema)
                return syntax_error(c);
            if (!schema_exists(c, schema))
                return sql_fail(c->err, "3F000", "schema \"%s\" does not exist", schema);
            for (size_t i = 0; objects_are_tables && i < store_table_count(c->store); i++) {
                store_table_t *t = store_table_at(c->store, i);
                if (strcmp(store_table_schema(t), schema) == 0)
                    push_table(s, t);
            }
        } while (accept_punct(c, ","));
    } else if (accept(c, "schema")) {
        objects_are_tables = false;
        do {
            const char *schema = ident(c);
            if (!schema)
                return syntax_error(c);
            if (!schema_exists(c, schema))
                return sql_fail(c->err, "3F000", "schema \"%s\" does not exist", schema);
        } while (accept_punct(c, ","));
    } else if (is_kw(cur(c), "sequence") || is_kw(cur(c), "function") ||
               is_kw(cur(c), "database") || is_kw(cur(c), "type")) {
        c->err->unsupported = true;
        return -1;
    } else {
        accept(c, "table");
        do {
            char written[160];
            store_table_t *t = NULL;
            if (table_name(c, &t, written, sizeof written) < 0)
                return -1;
            if (!t)
                return sql_fail(c->err, "42P01", "relation \"%s\" does not exist", written);
            push_table(s, t);
        } while (accept_punct(c, ","));
    }
    if (objects_are_tables && !table_privs_only)
        return sql_fail(c->err, "0LP01", "invalid privilege type %s for relation",
                        "USAGE/EXECUTE/CREATE");
    if (expect_kw(c, revoke ? "from" : "to") < 0)
        return -1;
    bool public;
    if (role_list(c, s, &public) < 0)
        return -1;
    if (public) {
        /* PUBLIC: every role the model knows (Supabase's API roles plus the
         * scenario's), which is what PUBLIC means for them. */
        push_role(s, "anon");
        push_role(s, "authenticated");
        push_role(s, "service_role");
        const scenario_t *sc = c->sc;
        for (size_t i = 0; i < sc->role_count; i++)
            push_role(s, sc->roles[i].name);
    }
    if (!revoke && accept(c, "with")) {
        if (expect_kw(c, "grant") < 0 || expect_kw(c, "option") < 0)
            return -1;
    }
    if (revoke && !accept(c, "cascade"))
        accept(c, "restrict");
    if (!objects_are_tables) {
        s->ntables = 0; /* schema, sequence and function privileges: accepted, not modelled */
        s->privs = 0;
    }
    return expect_end(c);
}

/* ---- SELECT cols FROM pg_policies [WHERE col = 'v' [AND ...]] ---- */

static int pc_index(const char *name)
{
    for (int i = 0; i < PC_COUNT; i++)
        if (strcmp(PG_POLICIES_COLS[i], name) == 0)
            return i;
    return -1;
}

static int parse_select(ctx_t *c, stmt_t *s)
{
    s->kind = S_SELECT_POLICIES;
    s->tag = "SELECT";
    /* First make sure this is a query on pg_policies at all. */
    size_t save = c->i;
    bool from_pg_policies = false;
    for (size_t j = c->i; c->toks[j].kind != K_END && c->toks[j].kind != K_SEMI; j++)
        if (is_kw(&c->toks[j], "from")) {
            /* toks[j] is not the last token, so j + 1 exists; likewise below. */
            const ktok_t *n1 = &c->toks[j + 1];
            from_pg_policies = is_kw(n1, "pg_policies");
            if (is_kw(n1, "pg_catalog")) {
                const ktok_t *n2 = &c->toks[j + 2];
                from_pg_policies = n2->kind == K_PUNCT && strcmp(n2->text, ".") == 0 &&
                                   is_kw(&c->toks[j + 3], "pg_policies");
            }
            break;
        }
    if (!from_pg_policies) {
        c->err->unsupported = true;
        return -1;
    }
    c->i = save;
    if (accept_punct(c, "*")) {
        for (int i = 0; i < PC_COUNT; i++)
            s->cols[s->ncols++] = i;
    } else {
        do {
            const char *name = ident(c);
            if (!name)
                return syntax_error(c);
            int k = pc_index(name);
            if (k < 0)
                return sql_fail(c->err, "42703", "column \"%s\" does not exist", name);
            if (s->ncols < PC_COUNT)
                s->cols[s->ncols++] = k;
        } while (accept_punct(c, ","));
    }
    if (expect_kw(c, "from") < 0)
        return -1;
    if (accept(c, "pg_catalog") && !accept_punct(c, "."))
        return syntax_error(c);
    if (expect_kw(c, "pg_policies") < 0)
        return -1;
    if (accept(c, "where")) {
        do {
            const char *name = ident(c);
            if (!name)
                return syntax_error(c);
            int k = pc_index(name);
            if (k < 0)
                return sql_fail(c->err, "42703", "column \"%s\" does not exist", name);
            if (k == PC_ROLES || !accept_punct(c, "=") || cur(c)->kind != K_STRING)
                return sql_fail(c->err, "0A000",
                                "supamock: pg_policies supports WHERE conditions of the form "
                                "column = 'value' joined by AND on its text columns");
            free(s->filter[k]);
            s->filter[k] = xstrdup(adv(c)->text);
        } while (accept(c, "and"));
    }
    return expect_end(c);
}

/* ------------------------------------------------------------------------ */
/* apply                                                                     */
/* ------------------------------------------------------------------------ */

static const char *cmd_name(security_command_t c)
{
    switch (c) {
    case SECURITY_CMD_SELECT:
        return "SELECT";
    case SECURITY_CMD_INSERT:
        return "INSERT";
    case SECURITY_CMD_UPDATE:
        return "UPDATE";
    case SECURITY_CMD_DELETE:
        return "DELETE";
    default:
        return "ALL";
    }
}

static cJSON *deparsed(const policy_expr_t *e)
{
    if (!e)
        return cJSON_CreateNull();
    buf_t b;
    buf_init(&b);
    policy_expr_deparse(e, &b);
    cJSON *j = cJSON_CreateString(buf_cstr(&b));
    buf_dispose(&b);
    return j;
}

static void add(cJSON *obj, const char *key, cJSON *item)
{
    MOCK_ASSERT(item);
    if (!cJSON_AddItemToObject(obj, key, item)) {
        cJSON_Delete(item);
        MOCK_ASSERT(!"cJSON_AddItemToObject");
    }
}

static cJSON *select_rows(ctx_t *c, const stmt_t *s)
{
    cJSON *rows = cJSON_CreateArray();
    MOCK_ASSERT(rows);
    for (size_t ti = 0; ti < store_table_count(c->store); ti++) {
        const store_table_t *t = store_table_at(c->store, ti);
        size_t n = security_policy_count(c->sec, t);
        for (size_t pi = 0; pi < n; pi++) {
            const security_policy_t *p = security_policy_at(c->sec, t, pi);
            buf_t qual, check;
            buf_init(&qual);
            buf_init(&check);
            if (p->using_expr)
                policy_expr_deparse(p->using_expr, &qual);
            if (p->check_expr)
                policy_expr_deparse(p->check_expr, &check);
            const char *text[PC_COUNT] = {
                store_table_schema(t),
                store_table_name(t),
                p->name,
                p->permissive ? "PERMISSIVE" : "RESTRICTIVE",
                NULL,
                cmd_name(p->command),
                p->using_expr ? buf_cstr(&qual) : NULL,
                p->check_expr ? buf_cstr(&check) : NULL,
            };
            bool keep = true;
            for (int k = 0; k < PC_COUNT && keep; k++)
                if (s->filter[k] && (!text[k] || strcmp(text[k], s->filter[k]) != 0))
                    keep = false;
            if (keep) {
                cJSON *row = cJSON_CreateObject();
                MOCK_ASSERT(row);
                for (size_t ci = 0; ci < s->ncols; ci++) {
                    int k = s->cols[ci];
                    cJSON *v;
                    if (k == PC_ROLES) {
                        v = cJSON_CreateArray();
                        MOCK_ASSERT(v);
                        if (p->role_count == 0)
                            cJSON_AddItemToArray(v, cJSON_CreateString("public"));
                        for (size_t r = 0; r < p->role_count; r++)
                            cJSON_AddItemToArray(v, cJSON_CreateString(p->roles[r]));
                    } else if (k == PC_QUAL) {
                        v = deparsed(p->using_expr);
                    } else if (k == PC_WITH_CHECK) {
                        v = deparsed(p->check_expr);
                    } else {
                        v = cJSON_CreateString(text[k]);
                    }
                    add(row, PG_POLICIES_COLS[k], v);
                }
                cJSON_AddItemToArray(rows, row);
            }
            buf_dispose(&qual);
            buf_dispose(&check);
        }
    }
    return rows;
}

/* Applies a validated statement; returns its result object. */
static cJSON *apply(ctx_t *c, stmt_t *s)
{
    cJSON *res = cJSON_CreateObject();
    MOCK_ASSERT(res);
    add(res, "command", cJSON_CreateString(s->tag));
    char *error = NULL;
    switch (s->kind) {
    case S_NOTIFY:
        if (s->reload)
            c->schema_reload(c->reload_arg);
        break;
    case S_CREATE_POLICY:
        /* Validated against the overlay: a failure here is a broken invariant. */
        if (security_create_policy(c->sec, s->table, &s->policy, &error) < 0)
            mock_assert_fail(error, __FILE__, __LINE__);
        memset(&s->policy, 0, sizeof s->policy);
        break;
    case S_DROP_POLICY:
        if (s->table && security_drop_policy(c->sec, s->table, s->name, true, &error) < 0)
            mock_assert_fail(error, __FILE__, __LINE__);
        break;
    case S_ALTER_TABLE:
        if (s->table && s->rls >= 0)
            security_set_rls(c->sec, s->table, s->rls == 1);
        break;
    case S_GRANT:
    case S_REVOKE:
        for (size_t t = 0; t < s->ntables; t++)
            for (size_t r = 0; r < s->nroles; r++) {
                if (s->kind == S_GRANT)
                    security_grant(c->sec, s->tables[t], s->roles[r], s->privs);
                else
                    security_revoke(c->sec, s->tables[t], s->roles[r], s->privs);
            }
        break;
    case S_SELECT_POLICIES:
        add(res, "rows", select_rows(c, s));
        break;
    }
    return res;
}

/* ------------------------------------------------------------------------ */
/* entry                                                                     */
/* ------------------------------------------------------------------------ */

/* Up to the first three words of the statement, for the "unsupported" text. */
static char *first_words(const char *src, const ktok_t *toks)
{
    buf_t b;
    buf_init(&b);
    for (size_t i = 0; i < 3 && toks[i].kind != K_END && toks[i].kind != K_SEMI; i++) {
        if (i)
            buf_putc(&b, ' ');
        buf_append(&b, src + toks[i].pos, toks[i].len > 40 ? 40 : toks[i].len);
    }
    return buf_steal(&b);
}

static int parse_stmt(ctx_t *c, stmt_t *s)
{
    if (accept(c, "notify"))
        return parse_notify(c, s);
    if (is_kw(cur(c), "create") && is_kw(&c->toks[c->i + 1], "policy")) {
        c->i += 2;
        return parse_create_policy(c, s);
    }
    if (is_kw(cur(c), "drop") && is_kw(&c->toks[c->i + 1], "policy")) {
        c->i += 2;
        return parse_drop_policy(c, s);
    }
    if (is_kw(cur(c), "alter") && is_kw(&c->toks[c->i + 1], "table")) {
        c->i += 2;
        return parse_alter_table(c, s);
    }
    if (accept(c, "grant"))
        return parse_grant(c, s, false);
    if (accept(c, "revoke"))
        return parse_grant(c, s, true);
    if (accept(c, "select"))
        return parse_select(c, s);
    c->err->unsupported = true;
    return -1;
}

static void answer_error(mock_response_t *resp, const sql_error_t *e, size_t stmt_no,
                         const char *words)
{
    resp->status = 400;
    cJSON *o = cJSON_CreateObject();
    MOCK_ASSERT(o);
    if (e->unsupported) {
        char *msg = xasprintf("%s%s", UNSUPPORTED, words ? words : "");
        add(o, "error", cJSON_CreateString(msg));
        free(msg);
    } else {
        add(o, "error", cJSON_CreateString(e->message ? e->message : "error"));
        add(o, "code", cJSON_CreateString(e->code));
        add(o, "statement", cJSON_CreateNumber((double)stmt_no));
    }
    char *text = cJSON_PrintUnformatted(o);
    MOCK_ASSERT(text);
    buf_puts(&resp->body, text);
    cJSON_free(text);
    cJSON_Delete(o);
}

void admin_sql_execute(store_t *store, security_t *sec, const scenario_t *sc,
                       void (*schema_reload)(void *arg), void *arg, const char *sql,
                       mock_response_t *resp)
{
    mock_response_add_header(resp, "Content-Type", "application/json");
    sql_error_t err;
    memset(&err, 0, sizeof err);
    lexer_t lx;
    memset(&lx, 0, sizeof lx);
    ctx_t c;
    memset(&c, 0, sizeof c);
    c.sc = sc;
    c.schema_reload = schema_reload;
    c.reload_arg = arg;
    c.store = store;
    c.sec = sec;
    c.src = sql;
    c.err = &err;
    stmt_t *stmts = NULL;
    size_t nstmts = 0;
    size_t errpos = 0;
    if (sql_lex(sql, &lx, &err, &errpos) < 0) {
        /* Statements end at ';' outside quotes; count those before the error. */
        size_t no = 1;
        for (size_t i = 0; i < lx.n && lx.toks[i].pos < errpos; i++)
            no += lx.toks[i].kind == K_SEMI;
        answer_error(resp, &err, no, NULL);
        goto done;
    }
    /* Parse and check everything first. */
    size_t start = 0, no = 0;
    while (start < lx.n && lx.toks[start].kind != K_END) {
        if (lx.toks[start].kind == K_SEMI) {
            start++;
            continue; /* empty statement */
        }
        no++;
        stmts = xrealloc(stmts, (nstmts + 1) * sizeof *stmts);
        stmt_t *s = &stmts[nstmts++];
        memset(s, 0, sizeof *s);
        c.toks = &lx.toks[start];
        c.i = 0;
        if (parse_stmt(&c, s) < 0) {
            char *words = first_words(sql, c.toks);
            answer_error(resp, &err, no, words);
            free(words);
            goto done;
        }
        size_t end = start;
        while (lx.toks[end].kind != K_END && lx.toks[end].kind != K_SEMI)
            end++;
        start = end;
    }
    /* Then apply, in order. */
    cJSON *out = cJSON_CreateObject();
    cJSON *results = cJSON_CreateArray();
    MOCK_ASSERT(out && results);
    add(out, "results", results);
    for (size_t i = 0; i < nstmts; i++)
        cJSON_AddItemToArray(results, apply(&c, &stmts[i]));
    char *text = cJSON_PrintUnformatted(out);
    MOCK_ASSERT(text);
    resp->status = 200;
    buf_puts(&resp->body, text);
    cJSON_free(text);
    cJSON_Delete(out);
done:
    for (size_t i = 0; i < nstmts; i++)
        stmt_dispose(&stmts[i]);
    free(stmts);
    for (size_t i = 0; i < c.noverlay; i++)
        free(c.overlay[i].name);
    free(c.overlay);
    lexer_dispose(&lx);
    free(err.message);
}
