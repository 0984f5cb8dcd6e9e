/* SQL statements into the scenario description. The parse tree is
 * Postgres's raw one (parsenodes.h): CreateStmt, AlterTableStmt,
 * CreatePolicyStmt, GrantStmt, InsertStmt, CreateEnumStmt, IndexStmt. What a
 * node means follows Postgres: a column constraint list as in CREATE TABLE,
 * ALL privileges as an empty list, PUBLIC as ROLESPEC_PUBLIC.
 *
 * Modelled: tables (column types the memory engine has, NOT NULL, DEFAULT of
 * a literal or the functions it evaluates, PRIMARY KEY, single-column UNIQUE,
 * REFERENCES and FOREIGN KEY with ON DELETE, CHECK), enums, ENABLE/DISABLE ROW LEVEL
 * SECURITY, ADD COLUMN, ADD CONSTRAINT, policies, GRANT/REVOKE on tables,
 * unique indexes on one column, and INSERT ... VALUES of constants (seed
 * rows); functions, triggers and EXECUTE grants go to scenario_func.c.
 * Views are kept as their statements' text (create_view) for the memory
 * engine to analyse once the store exists.
 * Skipped with a notice: everything else that changes behaviour
 * (multi-column UNIQUE, ...). Skipped silently, as
 * they change nothing the memory engine answers: plain indexes, comments,
 * transaction control, SET, CREATE SCHEMA, ownership. */
#include "scenario_sql.h"

#include "scenario_func.h"
#include "sql_parse.h"
#include "sql_text.h"
#include "tsvector.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct tr {
    scenario_sql_host_t *h;
    scenario_t *s;
    const char *file;
    const char *text;
    const sql_stmt_t *stmt;
    /* CREATE TABLE: the table being created, which its own columns may
     * reference (a self-referencing foreign key); NULL otherwise. */
    const char *creating_schema, *creating_name;
    const scenario_table_t *creating; /* its columns so far */
} tr_t;

void scenario_notice_add(scenario_t *s, scenario_pos_t pos, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->notices = xrealloc(s->notices, (s->notice_count + 1) * sizeof *s->notices);
    s->notices[s->notice_count++] = (scenario_notice_t){pos, xstrdup(msg)};
}

/* ---- the tree ---- */

static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool flag(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(get(o, key));
}

/* The String values of a name list ([{"String": {"sval": "x"}}, ...]). */
static size_t names(const cJSON *list, const char **out, size_t cap)
{
    size_t n = 0;
    for (const cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e && n < cap; e = e->next) {
        const char *v = str(get(e, "String"), "sval");
        if (v)
            out[n++] = v;
    }
    return n;
}

static scenario_pos_t pos_of(const tr_t *t, size_t offset)
{
    scenario_pos_t p = {t->file, 0, 0};
    sql_line_col(t->text, offset, &p.line, &p.col);
    return p;
}

/* A node's "location", else the statement's start. */
static scenario_pos_t node_pos(const tr_t *t, const cJSON *node)
{
    const cJSON *loc = get(node, "location");
    size_t off =
        cJSON_IsNumber(loc) && loc->valuedouble >= 0 ? (size_t)loc->valuedouble : t->stmt->offset;
    return pos_of(t, off);
}

static void notice(const tr_t *t, scenario_pos_t pos, const char *what)
{
    scenario_notice_add(t->s, pos, "%s: not run by the memory engine (runs on --db postgres)",
                        what);
}

/* The first line of the statement, shortened: what a notice names. */
static void construct(const tr_t *t, char *out, size_t cap)
{
    size_t n = 0;
    const char *p = t->text + t->stmt->offset;
    for (size_t i = 0; i < t->stmt->length && n + 4 < cap && p[i] != '\n'; i++)
        out[n++] = isspace((unsigned char)p[i]) ? ' ' : p[i];
    if (n + 4 >= cap || (n < t->stmt->length && p[n] != '\n' && n == cap - 4))
        memcpy(out + n, "...", 3), n += 3;
    out[n] = '\0';
}

static void notice_statement(const tr_t *t)
{
    char what[96];
    construct(t, what, sizeof what);
    notice(t, pos_of(t, t->stmt->offset), what);
}

/* Where an unqualified name is created: the first schema of the search
 * path (pg_catalog aside), public by default. */
static const char *creation_schema(const tr_t *t)
{
    for (size_t i = 0; i < t->h->search_path_len; i++)
        if (strcmp(t->h->search_path[i], "pg_catalog") != 0)
            return t->h->search_path[i];
    return "public";
}

/* RangeVar -> schema and name. Unqualified: the first schema of the search
 * path holding such a table (Postgres's lookup), else the creation schema. */
static void relation_in(const tr_t *t, const cJSON *rv, const char **schema, const char **name)
{
    *name = str(rv, "relname");
    *schema = str(rv, "schemaname");
    if (*schema)
        return;
    for (size_t i = 0; *name && i < t->h->search_path_len; i++)
        if (t->h->find_table(t->s, t->h->search_path[i], *name)) {
            *schema = t->h->search_path[i];
            return;
        }
    if (*name && t->h->search_path_len == 0 && t->h->find_table(t->s, "public", *name)) {
        *schema = "public";
        return;
    }
    *schema = creation_schema(t);
}

/* Qualified names only (references to auth.users and the like need no path). */
static void relation(const cJSON *rv, const char **schema, const char **name)
{
    *schema = str(rv, "schemaname") ? str(rv, "schemaname") : "public";
    *name = str(rv, "relname");
}

/* The partitioned table that has a partition schema.name, or NULL. */
static scenario_table_t *partition_parent(const tr_t *t, const char *schema, const char *name)
{
    for (size_t i = 0; i < t->s->table_count; i++) {
        scenario_table_t *p = &t->s->tables[i];
        for (size_t k = 0; k < p->partition_count; k++)
            if (strcmp(p->partitions[k].schema, schema) == 0 &&
                strcmp(p->partitions[k].name, name) == 0)
                return p;
    }
    return NULL;
}

/* The table a statement names. A partition stands for its parent, which
 * holds the partitions' rows (a row written through a partition is routed
 * by the parent's bounds, so one outside the named partition's bound but
 * inside another's is taken where Postgres refuses it). */
static scenario_table_t *table_of(const tr_t *t, const cJSON *rv)
{
    const char *schema, *name;
    relation_in(t, rv, &schema, &name);
    if (!name)
        return NULL;
    scenario_table_t *tbl = t->h->find_table(t->s, schema, name);
    return tbl ? tbl : partition_parent(t, schema, name);
}

static void clear_search_path(scenario_sql_host_t *h)
{
    for (size_t i = 0; i < h->search_path_len; i++)
        free(h->search_path[i]);
    h->search_path_len = 0;
}

void scenario_sql_host_dispose(scenario_sql_host_t *h)
{
    clear_search_path(h);
    for (size_t i = 0; i < h->domain_count; i++) {
        free(h->domain_names[i]);
        free(h->domain_types[i]);
    }
    free(h->domain_names);
    free(h->domain_types);
    h->domain_names = h->domain_types = NULL;
    h->domain_count = 0;
}

/* SET search_path = a, "b", pg_catalog (VariableSetStmt); RESET and DEFAULT
 * go back to public. */
static void set_search_path(const tr_t *t, const cJSON *vs)
{
    const char *name = str(vs, "name");
    if (!name || strcmp(name, "search_path") != 0)
        return;
    clear_search_path(t->h);
    const cJSON *args = get(vs, "args");
    for (const cJSON *a = cJSON_IsArray(args) ? args->child : NULL;
         a && t->h->search_path_len < sizeof t->h->search_path / sizeof t->h->search_path[0];
         a = a->next) {
        const char *v = str(get(get(a, "A_Const"), "sval"), "sval");
        if (v && strcmp(v, "$user") != 0)
            t->h->search_path[t->h->search_path_len++] = xstrdup(v);
    }
}

/* ---- types ---- */

/* Postgres's internal names (pg_catalog.int4) as a scenario column names them. */
static const char *const internal_types[][2] = {
    {"int2", "smallint"},
    {"int4", "integer"},
    {"int8", "bigint"},
    {"float4", "real"},
    {"float8", "double precision"},
    {"bool", "boolean"},
    {"bpchar", "char"},
    {"varchar", "varchar"},
    {"numeric", "numeric"},
    {"timestamptz", "timestamptz"},
    {"timestamp", "timestamp"},
    {"text", "text"},
    {"date", "date"},
};

/* TypeName -> the scenario's type text ("varchar(20)", "text[]"), or NULL with
 * why. Enums are looked up by their bare name (the scenario's enums are
 * unqualified). */
const char *scenario_sql_domain(const scenario_sql_host_t *h, const cJSON *tn)
{
    const char *parts[3];
    size_t n = names(get(tn, "names"), parts, 3);
    if (n == 0 || (n > 1 && strcmp(parts[0], "pg_catalog") == 0) ||
        cJSON_GetArraySize(get(tn, "arrayBounds")) > 0)
        return NULL;
    for (size_t i = 0; i < h->domain_count; i++)
        if (strcmp(parts[n - 1], h->domain_names[i]) == 0)
            return h->domain_names[i];
    return NULL;
}

static char *type_text_unchecked(const tr_t *t, const cJSON *tn, char *why, size_t why_len)
{
    const char *parts[3];
    size_t n = names(get(tn, "names"), parts, 3);
    if (n == 0) {
        snprintf(why, why_len, "a type without a name");
        return NULL;
    }
    const char *base = parts[n - 1];
    if (n == 2 && strcmp(parts[0], "pg_catalog") == 0) {
        for (size_t i = 0; i < sizeof internal_types / sizeof internal_types[0]; i++)
            if (strcmp(base, internal_types[i][0]) == 0)
                base = internal_types[i][1];
    }
    /* A domain stands for its base type (its constraints were noticed
     * when it was created). */
    const char *domain = NULL;
    for (size_t i = 0; i < t->h->domain_count && (n == 1 || strcmp(parts[0], "pg_catalog") != 0);
         i++)
        if (strcmp(base, t->h->domain_names[i]) == 0)
            domain = t->h->domain_types[i];
    if (domain) {
        base = domain;
        if (strchr(domain, '[') && cJSON_GetArraySize(get(tn, "arrayBounds")) > 0) {
            snprintf(why, why_len, "multi-dimensional array type %s", base);
            return NULL;
        }
    }
    char buf[128];
    size_t used = (size_t)snprintf(buf, sizeof buf, "%s", base);
    const cJSON *mods = get(tn, "typmods");
    if (cJSON_IsArray(mods) && cJSON_GetArraySize(mods) > 0) {
        used += (size_t)snprintf(buf + used, sizeof buf - used, "(");
        bool first = true;
        for (const cJSON *m = mods->child; m; m = m->next) {
            const cJSON *iv = get(get(get(m, "A_Const"), "ival"), "ival");
            if (!cJSON_IsNumber(iv)) {
                snprintf(why, why_len, "type modifier of %s", base);
                return NULL;
            }
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%d", first ? "" : ",",
                                     iv->valueint);
            first = false;
        }
        used += (size_t)snprintf(buf + used, sizeof buf - used, ")");
    }
    const cJSON *bounds = get(tn, "arrayBounds");
    if (cJSON_IsArray(bounds) && cJSON_GetArraySize(bounds) > 1) {
        snprintf(why, why_len, "multi-dimensional array type %s", base);
        return NULL;
    }
    if (cJSON_IsArray(bounds) && cJSON_GetArraySize(bounds) == 1)
        snprintf(buf + used, sizeof buf - used, "[]");
    if (used >= sizeof buf - 3) {
        snprintf(why, why_len, "type name too long");
        return NULL;
    }
    return xstrdup(buf);
}

static char *type_text(const tr_t *t, const cJSON *tn, char *why, size_t why_len)
{
    char *buf = type_text_unchecked(t, tn, why, why_len);
    if (!buf)
        return NULL;
    const char *problem = t->h->type_problem(t->s, buf, why, why_len);
    if (problem) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- expressions ---- */

/* A_Const -> a JSON literal, or NULL when the node is no constant. */
static cJSON *constant(const cJSON *e)
{
    const cJSON *c = get(e, "A_Const");
    if (!c) {
        /* 'x'::type: the constant itself; the column's type reads it. */
        const cJSON *cast = get(e, "TypeCast");
        return cast ? constant(get(cast, "arg")) : NULL;
    }
    if (flag(c, "isnull"))
        return cJSON_CreateNull();
    const cJSON *v;
    if ((v = get(get(c, "ival"), "ival")) && cJSON_IsNumber(v))
        return cJSON_CreateNumber(v->valuedouble);
    if (get(c, "ival")) /* {"ival": {}}: Postgres omits a zero */
        return cJSON_CreateNumber(0);
    if ((v = get(get(c, "fval"), "fval")) && cJSON_IsString(v))
        return cJSON_CreateRaw(v->valuestring); /* numeric text as written: 1.50 stays 1.50 */
    if ((v = get(c, "sval"))) {
        const char *sv = str(v, "sval");
        return cJSON_CreateString(sv ? sv : "");
    }
    if ((v = get(c, "boolval")))
        return cJSON_CreateBool(flag(v, "boolval"));
    return NULL;
}

/* A DEFAULT the scenario models: a constant, or one of the functions a JSON
 * column may name. NULL when it is neither. */
static cJSON *default_value(const cJSON *e)
{
    cJSON *c = constant(e);
    if (c)
        return c;
    const cJSON *f = get(e, "FuncCall");
    const char *parts[2];
    if (f && get(f, "args") && names(get(f, "funcname"), parts, 2) == 1 &&
        strcmp(parts[0], "timezone") == 0) {
        /* timezone('utc'::text, now()), the Supabase starters' created_at: a
         * timestamp of UTC wall time, stored into a timestamp(tz) column in a
         * session whose TimeZone is UTC (Supabase's): the instant now() is. */
        const cJSON *args = get(f, "args");
        cJSON *zone = cJSON_GetArraySize(args) == 2 ? constant(args->child) : NULL;
        bool utc = cJSON_IsString(zone) && strcasecmp(zone->valuestring, "utc") == 0;
        cJSON_Delete(zone);
        cJSON *inner = utc ? default_value(args->child->next) : NULL;
        if (cJSON_IsString(inner) && strcmp(inner->valuestring, "now()") == 0)
            return inner;
        cJSON_Delete(inner);
        return NULL;
    }
    if (!f || get(f, "args"))
        return NULL;
    size_t n = names(get(f, "funcname"), parts, 2);
    char call[80];
    if (n == 1)
        snprintf(call, sizeof call, "%s()", parts[0]);
    else if (n == 2)
        snprintf(call, sizeof call, "%s.%s()", parts[0], parts[1]);
    else
        return NULL;
    static const char *const known[] = {"gen_random_uuid()", "uuid_generate_v4()", "now()",
                                        "extensions.uuid_generate_v4()", "auth.uid()"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(call, known[i]) == 0)
            return cJSON_CreateString(strncmp(call, "extensions.", 11) == 0 ? call + 11 : call);
    return NULL;
}

/* The value of a seed row's expression, as the row's JSON would hold it: a
 * constant, a column of `row` (UPDATE ... SET a = b), to_tsvector([config,]
 * text) (the tsvector's text) and jsonb_build_object(key, value, ...). NULL
 * when the expression is none of these. */
static cJSON *row_value(const cJSON *e, const cJSON *row, int depth);

static char *text_of(const cJSON *v)
{
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    if (cJSON_IsNumber(v) || cJSON_IsBool(v) || cJSON_IsRaw(v) || cJSON_IsObject(v) ||
        cJSON_IsArray(v)) {
        char *p = cJSON_PrintUnformatted(v);
        char *c = xstrdup(p);
        cJSON_free(p);
        return c;
    }
    return NULL;
}

static bool is_range_constructor(const char *fn)
{
    static const char *const names_[] = {"int4range", "int8range", "numrange",
                                         "daterange", "tsrange",   "tstzrange"};
    for (size_t i = 0; i < sizeof names_ / sizeof names_[0]; i++)
        if (strcmp(fn, names_[i]) == 0)
            return true;
    return false;
}

/* int4range(lower, upper[, '[)']) and the other range constructors: the
 * range's text input, which the column's range_in reads (NULL bounds are
 * infinite). NULL when the bound flags are not one of Postgres's four. */
static cJSON *range_text(cJSON *const *vals, int argc)
{
    const char *flags = "[)";
    if (argc == 3) {
        if (!cJSON_IsString(vals[2]))
            return NULL;
        flags = vals[2]->valuestring;
        if (strlen(flags) != 2 || (flags[0] != '[' && flags[0] != '(') ||
            (flags[1] != ']' && flags[1] != ')'))
            return NULL; /* "invalid range bound flags" */
    }
    buf_t b;
    buf_init(&b);
    buf_putc(&b, flags[0]);
    for (int i = 0; i < 2; i++) {
        if (i)
            buf_putc(&b, ',');
        char *v = cJSON_IsNull(vals[i]) ? NULL : text_of(vals[i]);
        if (!v)
            continue;
        buf_putc(&b, '"');
        for (const char *p = v; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_putc(&b, '\\');
            buf_putc(&b, *p);
        }
        buf_putc(&b, '"');
        free(v);
    }
    buf_putc(&b, flags[1]);
    cJSON *out = cJSON_CreateString(buf_cstr(&b));
    buf_dispose(&b);
    return out;
}

static cJSON *call_value(const cJSON *f, const cJSON *row, int depth)
{
    const char *parts[2];
    size_t n = names(get(f, "funcname"), parts, 2);
    if (n == 0 || (n == 2 && strcmp(parts[0], "pg_catalog") != 0) || get(f, "agg_order") ||
        get(f, "over") || flag(f, "agg_star") || flag(f, "func_variadic"))
        return NULL;
    const char *fn = parts[n - 1];
    const cJSON *args = get(f, "args");
    int argc = cJSON_IsArray(args) ? cJSON_GetArraySize(args) : 0;
    cJSON *vals[32];
    if (argc > 32)
        return NULL;
    int got = 0;
    for (const cJSON *a = argc ? args->child : NULL; a; a = a->next) {
        vals[got] = row_value(a, row, depth + 1);
        if (!vals[got])
            break;
        got++;
    }
    cJSON *out = NULL;
    if (got == argc && strcmp(fn, "to_tsvector") == 0 && (argc == 1 || argc == 2)) {
        ts_config_id_t cfg = TS_CFG_DEFAULT;
        bool ok =
            argc == 1 || (cJSON_IsString(vals[0]) && ts_config_lookup(vals[0]->valuestring, &cfg));
        const cJSON *doc = vals[argc - 1];
        char *text = ok ? text_of(doc) : NULL;
        if (ok && cJSON_IsNull(doc)) {
            out = cJSON_CreateNull(); /* strict */
        } else if (text) {
            tsvector_t v;
            char *why = NULL;
            if (tsvector_from_text(cfg, text, strlen(text), &v, &why) == 0) {
                buf_t b;
                buf_init(&b);
                tsvector_render(&v, &b);
                out = cJSON_CreateString(buf_cstr(&b));
                buf_dispose(&b);
                tsvector_dispose(&v);
            }
            free(why);
        }
        free(text);
    } else if (got == argc && strcmp(fn, "jsonb_build_object") == 0 && argc % 2 == 0) {
        out = cJSON_CreateObject();
        for (int i = 0; i < argc && out; i += 2) {
            char *key = cJSON_IsNull(vals[i]) ? NULL : text_of(vals[i]);
            if (!key) {
                cJSON_Delete(out); /* "argument 1: key must not be null" */
                out = NULL;
                break;
            }
            /* jsonb keeps the last of equal keys */
            cJSON_DeleteItemFromObjectCaseSensitive(out, key);
            cJSON_AddItemToObject(out, key, vals[i + 1]);
            vals[i + 1] = NULL;
            free(key);
        }
    } else if (got == argc && (argc == 2 || argc == 3) && is_range_constructor(fn)) {
        out = range_text(vals, argc);
    }
    for (int i = 0; i < got; i++)
        cJSON_Delete(vals[i]);
    return out;
}

static cJSON *row_value(const cJSON *e, const cJSON *row, int depth)
{
    if (depth > 32)
        return NULL;
    cJSON *c = constant(e);
    if (c)
        return c;
    const cJSON *ref = get(e, "ColumnRef");
    if (ref && row) {
        const char *parts[2];
        if (names(get(ref, "fields"), parts, 2) != 1)
            return NULL;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, parts[0]);
        return v ? cJSON_Duplicate(v, true) : cJSON_CreateNull();
    }
    const cJSON *f = get(e, "FuncCall");
    return f ? call_value(f, row, depth) : NULL;
}

/* The text inside the parentheses after `from` (CHECK (...), USING (...)). */
static char *group_text(const tr_t *t, size_t from)
{
    size_t end = t->stmt->offset + t->stmt->length, open, close;
    if (!sql_paren_group(t->text, end, from, &open, &close))
        return NULL;
    return xstrndup(t->text + open + 1, close - open - 1);
}

/* The expression of a CHECK constraint: the constraint's location is where
 * it starts ("CONSTRAINT name CHECK" or "CHECK"); the group follows CHECK. */
static char *check_text(const tr_t *t, const cJSON *con)
{
    const cJSON *loc = get(con, "location");
    if (!cJSON_IsNumber(loc) || loc->valuedouble < 0)
        return NULL;
    size_t end = t->stmt->offset + t->stmt->length;
    size_t at = sql_find_keyword(t->text, end, (size_t)loc->valuedouble, "check", NULL);
    return at == (size_t)-1 ? NULL : group_text(t, at + 5);
}

/* ---- CREATE TABLE ---- */

static const char *fk_action(const char *code)
{
    /* parsenodes.h FKCONSTR_ACTION_*: a no action, r restrict, c cascade,
     * n set null, d set default. */
    switch (code ? code[0] : 'a') {
    case 'c':
        return "cascade";
    case 'n':
        return "set null";
    case 'r':
        return "restrict";
    case 'a':
        return NULL;
    default:
        return "";
    }
}

/* "table(col)" or "schema.table(col)" for a one-column foreign key. */
static char *reference(const tr_t *t, const cJSON *con)
{
    const char *schema, *name, *cols[2];
    relation_in(t, get(con, "pktable"), &schema, &name);
    size_t n = names(get(con, "pk_attrs"), cols, 2);
    if (!name || n > 1)
        return NULL;
    if (n == 0)
        return NULL; /* REFERENCES t without a column: its primary key (resolved below) */
    return strcmp(schema, "public") == 0 ? xasprintf("%s(%s)", name, cols[0])
                                         : xasprintf("%s.%s(%s)", schema, name, cols[0]);
}

/* The primary key column of an already known table, for REFERENCES t. */
static const char *pk_column(const tr_t *t, const cJSON *rv)
{
    const char *schema, *name;
    relation(rv, &schema, &name);
    if (name && strcmp(schema, "auth") == 0 && strcmp(name, "users") == 0)
        return "id"; /* GoTrue's table: the auth model, not a scenario table */
    const scenario_table_t *tbl = table_of(t, rv);
    if (!tbl && t->creating && name) {
        /* REFERENCES its own table: the primary key declared before it */
        relation_in(t, rv, &schema, &name);
        if (strcmp(name, t->creating_name) == 0 && strcmp(schema, t->creating_schema) == 0)
            tbl = t->creating;
    }
    for (size_t i = 0; tbl && i < tbl->column_count; i++)
        if (tbl->columns[i].primary_key)
            return tbl->columns[i].name;
    return NULL;
}

static scenario_column_t *find_column(scenario_table_t *tbl, const char *name)
{
    for (size_t i = 0; i < tbl->column_count; i++)
        if (strcmp(tbl->columns[i].name, name) == 0)
            return &tbl->columns[i];
    return NULL;
}

/* One Constraint node applied to column c (a column constraint, or a table
 * constraint naming one column). Returns false when it is not modelled, with
 * what in `why`. */
static bool apply_constraint(const tr_t *t, scenario_column_t *c, const cJSON *con, char *why,
                             size_t why_len)
{
    const char *type = str(con, "contype");
    if (!type)
        return true;
    if (strcmp(type, "CONSTR_NOTNULL") == 0) {
        c->nullable = false;
    } else if (strcmp(type, "CONSTR_NULL") == 0) {
        c->nullable = true;
    } else if (strcmp(type, "CONSTR_PRIMARY") == 0) {
        c->primary_key = true;
        c->nullable = false;
    } else if (strcmp(type, "CONSTR_UNIQUE") == 0) {
        c->unique = true;
    } else if (strcmp(type, "CONSTR_DEFAULT") == 0) {
        cJSON *v = default_value(get(con, "raw_expr"));
        if (!v) {
            size_t off = t->stmt->offset;
            const cJSON *loc = get(con, "location");
            if (cJSON_IsNumber(loc))
                off = (size_t)loc->valuedouble;
            snprintf(why, why_len, "the default of column %s", c->name);
            scenario_notice_add(t->s, pos_of(t, off),
                                "DEFAULT of column %s: this expression is not evaluated by the "
                                "memory engine (runs on --db postgres); the column gets no default",
                                c->name);
            return true; /* the column stays, without its default */
        }
        cJSON_Delete(c->default_value);
        c->default_value = v;
        c->default_pos = node_pos(t, con);
    } else if (strcmp(type, "CONSTR_IDENTITY") == 0) {
        const char *gen = str(con, "generated_when");
        free(c->identity);
        c->identity = xstrdup(gen && gen[0] == 'a' ? "always" : "by default");
        c->nullable = false;
    } else if (strcmp(type, "CONSTR_FOREIGN") == 0) {
        char *ref = reference(t, con);
        if (!ref && names(get(con, "pk_attrs"), (const char *[2]){0}, 2) == 0) {
            const char *pk = pk_column(t, get(con, "pktable"));
            const char *schema, *name;
            relation_in(t, get(con, "pktable"), &schema, &name);
            if (pk && name)
                ref = strcmp(schema, "public") == 0 ? xasprintf("%s(%s)", name, pk)
                                                    : xasprintf("%s.%s(%s)", schema, name, pk);
        }
        const char *action = fk_action(str(con, "fk_del_action"));
        const char *ref_schema, *ref_name;
        relation_in(t, get(con, "pktable"), &ref_schema, &ref_name);
        bool auth_users =
            ref_name && strcmp(ref_schema, "auth") == 0 && strcmp(ref_name, "users") == 0;
        bool self = ref_name && t->creating_name && strcmp(ref_name, t->creating_name) == 0 &&
                    strcmp(ref_schema, t->creating_schema) == 0;
        if (ref && !auth_users && !self && !t->h->find_table(t->s, ref_schema, ref_name)) {
            /* Postgres checks the referenced table exists when the key is
             * made: here it is one the memory engine left out (said above). */
            free(ref);
            snprintf(why, why_len, "foreign key of column %s to %s.%s, a table left out", c->name,
                     ref_schema, ref_name);
            return false;
        }
        if (!ref || (action && !*action)) {
            free(ref);
            snprintf(why, why_len, "foreign key of column %s", c->name);
            return false;
        }
        free(c->references);
        c->references = ref;
        /* CONSTRAINT name FOREIGN KEY ...: PostgREST's hints name it. */
        free(c->fk_name);
        c->fk_name = str(con, "conname") ? xstrdup(str(con, "conname")) : NULL;
        c->references_pos = node_pos(t, con);
        free(c->on_delete);
        c->on_delete = action ? xstrdup(action) : NULL;
        c->on_delete_pos = c->references_pos;
    } else if (strcmp(type, "CONSTR_CHECK") == 0) {
        char *text = check_text(t, con);
        if (!text) {
            snprintf(why, why_len, "CHECK on column %s", c->name);
            return false;
        }
        free(c->check);
        c->check = text;
        c->check_from_sql = true;
        c->check_pos = node_pos(t, con);
    } else if (strcmp(type, "CONSTR_GENERATED") == 0) {
        snprintf(why, why_len, "generated column %s", c->name);
        return false;
    }
    /* CONSTR_ATTR_* (DEFERRABLE...) change nothing a single request sees. */
    return true;
}

static bool add_column(const tr_t *t, scenario_table_t *tbl, const cJSON *cd, char *why,
                       size_t why_len)
{
    const char *name = str(cd, "colname");
    if (!name) {
        snprintf(why, why_len, "a column without a name");
        return false;
    }
    if (find_column(tbl, name)) {
        snprintf(why, why_len, "column %s twice", name);
        return false;
    }
    char *type = type_text(t, get(cd, "typeName"), why, why_len);
    if (!type)
        return false;
    tbl->columns = xrealloc(tbl->columns, (tbl->column_count + 1) * sizeof *tbl->columns);
    scenario_column_t *c = &tbl->columns[tbl->column_count++];
    memset(c, 0, sizeof *c);
    c->name = xstrdup(name);
    c->type = type;
    const char *domain = scenario_sql_domain(t->h, get(cd, "typeName"));
    c->domain = domain ? xstrdup(domain) : NULL;
    c->nullable = true;
    c->in_schema_cache = tbl->in_schema_cache;
    c->pos = node_pos(t, cd);
    c->type_pos = node_pos(t, get(cd, "typeName"));
    const cJSON *cons = get(cd, "constraints");
    for (const cJSON *e = cJSON_IsArray(cons) ? cons->child : NULL; e; e = e->next) {
        if (!apply_constraint(t, c, get(e, "Constraint"), why, why_len)) {
            /* The column stays; what it lost is said. */
            char what[160];
            snprintf(what, sizeof what, "%s in table %s", why, tbl->name);
            notice(t, node_pos(t, get(e, "Constraint")), what);
        }
    }
    return true;
}

/* The widest key Postgres takes (INDEX_MAX_KEYS). */
#define SQL_MAX_KEY_COLUMNS 32

/* FOREIGN KEY (a, b) REFERENCES t (x, y) on the table: kept whole, as
 * PostgREST relates the tables through every column pair. Returns false
 * with what in `why` when it is not modelled. */
static bool composite_fkey(const tr_t *t, scenario_table_t *tbl, const cJSON *con,
                           const char *const *cols, size_t n, char *why, size_t why_len)
{
    const char *refs[SQL_MAX_KEY_COLUMNS];
    size_t rn = names(get(con, "pk_attrs"), refs, SQL_MAX_KEY_COLUMNS);
    const char *ref_schema, *ref_name;
    relation_in(t, get(con, "pktable"), &ref_schema, &ref_name);
    scenario_table_t *pt = ref_name ? t->h->find_table(t->s, ref_schema, ref_name) : NULL;
    if (!pt) {
        snprintf(why, why_len, "foreign key (%s, ...) to %s.%s, a table left out", cols[0],
                 ref_schema ? ref_schema : "?", ref_name ? ref_name : "?");
        return false;
    }
    if (rn == 0) {
        /* REFERENCES t: its primary key's columns in the key's order (a
         * composite key's order, else the one key column). */
        for (unsigned want = 1; rn < SQL_MAX_KEY_COLUMNS; want++) {
            size_t before = rn;
            for (size_t i = 0; i < pt->column_count && rn == before; i++)
                if (pt->columns[i].pk_position == want)
                    refs[rn++] = pt->columns[i].name;
            if (rn == before)
                break;
        }
        if (rn == 0)
            for (size_t i = 0; i < pt->column_count && rn < SQL_MAX_KEY_COLUMNS; i++)
                if (pt->columns[i].primary_key)
                    refs[rn++] = pt->columns[i].name;
    }
    const char *action = fk_action(str(con, "fk_del_action"));
    if (rn != n || (action && !*action)) {
        snprintf(why, why_len, "foreign key (%s, ...)", cols[0]);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (!find_column(tbl, cols[i])) {
            snprintf(why, why_len, "a foreign key on unknown column %s", cols[i]);
            return false;
        }
    /* Postgres wants the referenced columns to be a key: the primary key
     * here, as multi-column UNIQUE constraints are not modelled. */
    size_t pkn = 0;
    for (size_t i = 0; i < pt->column_count; i++)
        pkn += pt->columns[i].primary_key;
    bool is_pk = pkn == n;
    for (size_t i = 0; i < n && is_pk; i++) {
        const scenario_column_t *rc = find_column(pt, refs[i]);
        is_pk = rc && rc->primary_key;
    }
    if (!is_pk) {
        snprintf(why, why_len, "foreign key (%s, ...) to a multi-column UNIQUE of %s", cols[0],
                 ref_name);
        return false;
    }
    tbl->fkeys = xrealloc(tbl->fkeys, (tbl->fkey_count + 1) * sizeof *tbl->fkeys);
    scenario_fkey_t *f = &tbl->fkeys[tbl->fkey_count++];
    memset(f, 0, sizeof *f);
    f->name = str(con, "conname") ? xstrdup(str(con, "conname")) : NULL;
    f->columns = xcalloc(n, sizeof *f->columns);
    f->ref_columns = xcalloc(n, sizeof *f->ref_columns);
    for (size_t i = 0; i < n; i++) {
        f->columns[i] = xstrdup(cols[i]);
        f->ref_columns[i] = xstrdup(refs[i]);
    }
    f->column_count = n;
    f->ref_schema = xstrdup(ref_schema);
    f->ref_table = xstrdup(ref_name);
    f->on_delete = action ? xstrdup(action) : NULL;
    f->pos = node_pos(t, con);
    return true;
}

/* A table constraint (PRIMARY KEY (a, ...), UNIQUE (a), FOREIGN KEY (a, ...)
 * REFERENCES ..., CHECK (...)) on the columns it names. */
static void table_constraint(const tr_t *t, scenario_table_t *tbl, const cJSON *con)
{
    const char *type = str(con, "contype");
    const char *cols[SQL_MAX_KEY_COLUMNS + 1];
    const char *list = type && strcmp(type, "CONSTR_FOREIGN") == 0 ? "fk_attrs" : "keys";
    size_t n = names(get(con, list), cols, SQL_MAX_KEY_COLUMNS + 1);
    char why[160] = "";
    if (type && strcmp(type, "CONSTR_CHECK") == 0) {
        /* A table CHECK is evaluated on the whole row: on the first column's
         * check slot it means the same when it is the only check. */
        char *text = check_text(t, con);
        scenario_column_t *c = tbl->column_count ? &tbl->columns[0] : NULL;
        if (text && c && !c->check) {
            c->check = text;
            c->check_from_sql = true;
            c->check_pos = node_pos(t, con);
            return;
        }
        free(text);
        snprintf(why, sizeof why, "a second CHECK constraint on table %s", tbl->name);
        notice(t, node_pos(t, con), why);
        return;
    }
    bool primary = type && strcmp(type, "CONSTR_PRIMARY") == 0;
    bool foreign = type && strcmp(type, "CONSTR_FOREIGN") == 0;
    if (n > 1 && n <= SQL_MAX_KEY_COLUMNS && primary) {
        /* A composite primary key: every column is part of it (the store
         * makes one key of the flagged columns). */
        for (size_t i = 0; i < n; i++)
            if (!find_column(tbl, cols[i])) {
                snprintf(why, sizeof why, "a constraint on unknown column %s of table %s", cols[i],
                         tbl->name);
                notice(t, node_pos(t, con), why);
                return;
            }
        for (size_t i = 0; i < n; i++) {
            scenario_column_t *c = find_column(tbl, cols[i]);
            c->primary_key = true;
            c->pk_position = (unsigned)i + 1;
            c->nullable = false;
        }
        return;
    }
    if (n > 1 && n <= SQL_MAX_KEY_COLUMNS && foreign) {
        if (!composite_fkey(t, tbl, con, cols, n, why, sizeof why)) {
            char what[200];
            snprintf(what, sizeof what, "%s in table %s", why, tbl->name);
            notice(t, node_pos(t, con), what);
        }
        return;
    }
    if (n != 1) {
        snprintf(why, sizeof why, "a %s on %s columns of table %s", type ? type + 7 : "constraint",
                 n == 0 ? "no" : "several", tbl->name);
        notice(t, node_pos(t, con), why);
        return;
    }
    scenario_column_t *c = find_column(tbl, cols[0]);
    if (!c) {
        snprintf(why, sizeof why, "a constraint on unknown column %s of table %s", cols[0],
                 tbl->name);
        notice(t, node_pos(t, con), why);
        return;
    }
    if (!apply_constraint(t, c, con, why, sizeof why)) {
        char what[200];
        snprintf(what, sizeof what, "%s in table %s", why, tbl->name);
        notice(t, node_pos(t, con), what);
    }
}

/* One value of a partition bound (PartitionBoundSpec's datums): a
 * constant, or in a range bound MINVALUE (false) / MAXVALUE (true). */
static cJSON *bound_value(const cJSON *e, bool range)
{
    const char *parts[1];
    if (range && get(e, "ColumnRef") && names(get(get(e, "ColumnRef"), "fields"), parts, 1) == 1) {
        if (strcmp(parts[0], "minvalue") == 0)
            return cJSON_CreateFalse();
        if (strcmp(parts[0], "maxvalue") == 0)
            return cJSON_CreateTrue();
        return NULL;
    }
    cJSON *c = constant(e);
    if (c && cJSON_IsBool(c)) { /* true/false as a bound: its text */
        cJSON *txt = cJSON_CreateString(cJSON_IsTrue(c) ? "true" : "false");
        cJSON_Delete(c);
        return txt;
    }
    return c;
}

static cJSON *bound_values(const cJSON *list, bool range)
{
    cJSON *out = cJSON_CreateArray();
    for (const cJSON *e = cJSON_IsArray(list) ? list->child : NULL; e; e = e->next) {
        cJSON *v = bound_value(e, range);
        if (!v) {
            cJSON_Delete(out);
            return NULL;
        }
        cJSON_AddItemToArray(out, v);
    }
    return out;
}

/* CREATE TABLE name PARTITION OF parent {FOR VALUES ... | DEFAULT}: the
 * bound joins the parent's partitions; the partition is no table of its own
 * (PostgREST's schema cache leaves partitions out, and the parent holds the
 * rows). Left out: a partition that is partitioned itself, and one that
 * declares columns or constraints of its own. */
static void create_partition(const tr_t *t, const cJSON *cs, const char *schema, const char *name)
{
    const cJSON *inh = get(cs, "inhRelations");
    const cJSON *bound = get(cs, "partbound");
    scenario_table_t *parent =
        cJSON_GetArraySize(inh) == 1 ? table_of(t, get(inh->child, "RangeVar")) : NULL;
    if (!parent || !parent->partition_strategy || get(cs, "partspec") ||
        cJSON_GetArraySize(get(cs, "tableElts")) > 0)
        return notice_statement(t);
    if (t->h->find_table(t->s, schema, name) || partition_parent(t, schema, name)) {
        if (flag(cs, "if_not_exists"))
            return;
        scenario_notice_add(t->s, node_pos(t, get(cs, "relation")),
                            "CREATE TABLE %s.%s: the table already exists; statement skipped",
                            schema, name);
        return;
    }
    bool range = strcmp(parent->partition_strategy, "range") == 0;
    scenario_partition_t p = {.pos = node_pos(t, get(cs, "relation"))};
    const char *strategy = str(bound, "strategy");
    if (flag(bound, "is_default")) {
        p.is_default = true;
        for (size_t i = 0; i < parent->partition_count; i++)
            if (parent->partitions[i].is_default)
                return notice_statement(t); /* Postgres refuses a second default */
    } else if (!range && strategy && strcmp(strategy, "l") == 0) {
        p.values = bound_values(get(bound, "listdatums"), false);
        if (!p.values)
            return notice_statement(t);
    } else if (range && strategy && strcmp(strategy, "r") == 0) {
        p.from = bound_values(get(bound, "lowerdatums"), true);
        p.to = bound_values(get(bound, "upperdatums"), true);
        if (!p.from || !p.to || (size_t)cJSON_GetArraySize(p.from) != parent->partition_key_count ||
            (size_t)cJSON_GetArraySize(p.to) != parent->partition_key_count) {
            cJSON_Delete(p.from), cJSON_Delete(p.to);
            return notice_statement(t);
        }
    } else {
        return notice_statement(t);
    }
    p.schema = xstrdup(schema);
    p.name = xstrdup(name);
    parent->partitions =
        xrealloc(parent->partitions, (parent->partition_count + 1) * sizeof *parent->partitions);
    parent->partitions[parent->partition_count++] = p;
}

/* PARTITION BY LIST (col) / RANGE (col, ...) of a table being created: 0,
 * or -1 when the memory engine does not route by it (HASH, a key that is
 * an expression or no column of the table). */
static int partition_spec(scenario_table_t *tmp, const cJSON *spec)
{
    const char *strategy = str(spec, "strategy");
    const cJSON *params = get(spec, "partParams");
    size_t n = (size_t)cJSON_GetArraySize(params);
    if (!strategy || (strcmp(strategy, "list") != 0 && strcmp(strategy, "range") != 0) || n == 0 ||
        (strcmp(strategy, "list") == 0 && n != 1))
        return -1;
    for (const cJSON *e = params->child; e; e = e->next) {
        const char *col = str(get(e, "PartitionElem"), "name");
        if (!col || !find_column(tmp, col))
            return -1;
    }
    tmp->partition_strategy = xstrdup(strategy);
    tmp->partition_key = xcalloc(n, sizeof *tmp->partition_key);
    for (const cJSON *e = params->child; e; e = e->next)
        tmp->partition_key[tmp->partition_key_count++] =
            xstrdup(str(get(e, "PartitionElem"), "name"));
    return 0;
}

static void create_table(const tr_t *t, const cJSON *cs)
{
    const char *name = str(get(cs, "relation"), "relname");
    const char *schema = str(get(cs, "relation"), "schemaname");
    if (!schema)
        schema = creation_schema(t);
    if (!name)
        return notice_statement(t);
    if (get(cs, "partbound"))
        return create_partition(t, cs, schema, name);
    if (get(cs, "inhRelations") || get(cs, "ofTypename"))
        return notice_statement(t);
    if (t->h->find_table(t->s, schema, name)) {
        if (flag(cs, "if_not_exists"))
            return;
        scenario_notice_add(t->s, node_pos(t, get(cs, "relation")),
                            "CREATE TABLE %s.%s: the table already exists; statement skipped",
                            schema, name);
        return;
    }
    /* Build into a scratch table first: a table with a column the memory
     * engine cannot hold is left out whole (and said so). */
    scenario_table_t tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.name = (char *)name;
    tmp.in_schema_cache = true;
    const cJSON *elts = get(cs, "tableElts");
    char why[200] = "";
    bool ok = true;
    tr_t self = *t;
    self.creating_schema = schema;
    self.creating_name = name;
    self.creating = &tmp;
    for (const cJSON *e = cJSON_IsArray(elts) ? elts->child : NULL; e && ok; e = e->next)
        if (get(e, "ColumnDef"))
            ok = add_column(&self, &tmp, get(e, "ColumnDef"), why, sizeof why);
    if (ok && get(cs, "partspec") && partition_spec(&tmp, get(cs, "partspec")) < 0) {
        snprintf(why, sizeof why, "its PARTITION BY (HASH, or a key that is an expression)");
        ok = false;
    }
    if (!ok) {
        for (size_t i = 0; i < tmp.column_count; i++) {
            scenario_column_t *c = &tmp.columns[i];
            free(c->name), free(c->type), cJSON_Delete(c->default_value), free(c->identity);
            free(c->domain);
            free(c->references), free(c->check), free(c->on_delete), free(c->fk_name);
        }
        free(tmp.columns);
        free(tmp.partition_strategy);
        for (size_t i = 0; i < tmp.partition_key_count; i++)
            free(tmp.partition_key[i]);
        free(tmp.partition_key);
        scenario_notice_add(t->s, node_pos(t, get(cs, "relation")),
                            "table %s.%s left out: %s is not modelled by the memory engine (runs "
                            "on --db postgres)",
                            schema, name, why);
        return;
    }
    scenario_table_t *tbl = t->h->add_table(t->s, xstrdup(schema), xstrdup(name));
    tbl->from_sql = true;
    tbl->columns = tmp.columns;
    tbl->column_count = tmp.column_count;
    tbl->partition_strategy = tmp.partition_strategy;
    tbl->partition_key = tmp.partition_key;
    tbl->partition_key_count = tmp.partition_key_count;
    tbl->in_schema_cache = true;
    tbl->pos = node_pos(t, get(cs, "relation"));
    for (const cJSON *e = cJSON_IsArray(elts) ? elts->child : NULL; e; e = e->next)
        if (get(e, "Constraint"))
            table_constraint(t, tbl, get(e, "Constraint"));
}

/* The type Postgres gives a constant select item in CREATE TABLE AS: an
 * integer literal is integer (bigint past int4, numeric past int8), a
 * decimal numeric, a string literal text (an unknown-typed column becomes
 * text), a cast its type. NULL with why when the item is something else. */
static char *ctas_type(const tr_t *t, const cJSON *val, char *why, size_t why_len)
{
    if (get(val, "TypeCast"))
        return type_text(t, get(get(val, "TypeCast"), "typeName"), why, why_len);
    const cJSON *c = get(val, "A_Const");
    if (!c) {
        snprintf(why, why_len, "a select item that is not a constant");
        return NULL;
    }
    if (get(c, "ival"))
        return xstrdup("integer");
    const char *f = str(get(c, "fval"), "fval");
    if (f) {
        /* make_const: a Float node that is an integer fitting int8 is int8 */
        const char *p = f + (*f == '-' || *f == '+');
        bool digits = *p != '\0' && strspn(p, "0123456789") == strlen(p);
        char *end;
        errno = 0;
        (void)strtoll(f, &end, 10);
        return xstrdup(digits && errno == 0 && *end == '\0' ? "bigint" : "numeric");
    }
    if (get(c, "boolval"))
        return xstrdup("boolean");
    return xstrdup("text"); /* a string literal, or NULL (unknown, then text) */
}

/* CREATE TABLE name [(col, ...)] AS SELECT constant [AS col], ... (no FROM):
 * a table of those columns holding the one row (none WITH NO DATA). A
 * query over tables is left out (said so). */
static void create_view(const tr_t *t, const cJSON *rel, bool replace, bool materialized,
                        const cJSON *options, const char *check_option);

static void create_table_as(const tr_t *t, const cJSON *cs)
{
    const cJSON *into = get(cs, "into");
    const cJSON *sel = get(get(cs, "query"), "SelectStmt");
    const char *name = str(get(into, "rel"), "relname");
    const char *schema = str(get(into, "rel"), "schemaname");
    if (!schema)
        schema = creation_schema(t);
    const char *objtype = str(cs, "objtype");
    if (objtype && strcmp(objtype, "OBJECT_MATVIEW") == 0 && get(into, "rel")) {
        create_view(t, get(into, "rel"), false, true, get(into, "options"), NULL);
        return;
    }
    static const char *const clauses[] = {
        "fromClause",   "whereClause", "valuesLists",  "groupClause", "havingClause",
        "withClause",   "sortClause",  "limitCount",   "limitOffset", "distinctClause",
        "windowClause", "larg",        "lockingClause"};
    bool plain = name && sel && objtype && strcmp(objtype, "OBJECT_TABLE") == 0 &&
                 cJSON_IsArray(get(sel, "targetList"));
    for (size_t i = 0; plain && i < sizeof clauses / sizeof clauses[0]; i++)
        plain = get(sel, clauses[i]) == NULL;
    if (!plain)
        return notice_statement(t);
    if (t->h->find_table(t->s, schema, name) || partition_parent(t, schema, name)) {
        if (flag(cs, "if_not_exists"))
            return;
        scenario_notice_add(t->s, node_pos(t, get(into, "rel")),
                            "CREATE TABLE %s.%s: the table already exists; statement skipped",
                            schema, name);
        return;
    }
    const char *colnames[256];
    size_t ncolnames = names(get(into, "colNames"), colnames, 256);
    scenario_table_t tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.name = (char *)name;
    tmp.in_schema_cache = true;
    cJSON *row = cJSON_CreateObject();
    char why[200] = "";
    size_t i = 0;
    bool ok = true;
    for (const cJSON *e = get(sel, "targetList")->child; e && ok; e = e->next, i++) {
        const cJSON *rt = get(e, "ResTarget");
        const cJSON *val = get(rt, "val");
        /* FigureColname: the alias, else a cast's type name, else ?column? */
        const char *cname = i < ncolnames ? colnames[i] : str(rt, "name");
        const char *tparts[3];
        size_t tn = names(get(get(get(val, "TypeCast"), "typeName"), "names"), tparts, 3);
        if (!cname)
            cname = tn ? tparts[tn - 1] : "?column?";
        char *type = ctas_type(t, val, why, sizeof why);
        cJSON *v = type ? constant(val) : NULL;
        if (!type || !v || find_column(&tmp, cname) || i >= 256) {
            if (type && v)
                snprintf(why, sizeof why, "column %s twice", cname);
            else if (type)
                snprintf(why, sizeof why, "a select item that is not a constant");
            free(type);
            cJSON_Delete(v);
            ok = false;
            break;
        }
        tmp.columns = xrealloc(tmp.columns, (tmp.column_count + 1) * sizeof *tmp.columns);
        scenario_column_t *c = &tmp.columns[tmp.column_count++];
        memset(c, 0, sizeof *c);
        c->name = xstrdup(cname);
        c->type = type;
        c->nullable = true;
        c->in_schema_cache = true;
        c->pos = c->type_pos = node_pos(t, rt);
        cJSON_AddItemToObject(row, cname, v);
    }
    if (ok && ncolnames > i) {
        snprintf(why, sizeof why, "more column names than select items");
        ok = false;
    }
    if (!ok) {
        for (size_t k = 0; k < tmp.column_count; k++)
            free(tmp.columns[k].name), free(tmp.columns[k].type);
        free(tmp.columns);
        cJSON_Delete(row);
        scenario_notice_add(t->s, node_pos(t, get(into, "rel")),
                            "table %s.%s left out: %s is not run by the memory engine (runs on "
                            "--db postgres)",
                            schema, name, why);
        return;
    }
    scenario_table_t *tbl = t->h->add_table(t->s, xstrdup(schema), xstrdup(name));
    tbl->from_sql = true;
    tbl->columns = tmp.columns;
    tbl->column_count = tmp.column_count;
    tbl->in_schema_cache = true;
    tbl->pos = node_pos(t, get(into, "rel"));
    if (flag(into, "skipData")) {
        cJSON_Delete(row);
        return;
    }
    tbl->rows = cJSON_CreateArray();
    cJSON_AddItemToArray(tbl->rows, row);
    tbl->row_pos = xcalloc(1, sizeof *tbl->row_pos);
    tbl->row_pos[0] = pos_of(t, t->stmt->offset);
}

/* ---- ALTER TABLE ---- */

/* ---- views ---- */

/* A boolean reloption's value as Postgres's parse_bool reads it (a missing
 * value is true). */
static bool reloption_true(const cJSON *defelem)
{
    const cJSON *arg = get(defelem, "arg");
    if (!arg)
        return true;
    const cJSON *iv = get(get(arg, "Integer"), "ival");
    if (get(arg, "Integer"))
        return cJSON_IsNumber(iv) && iv->valuedouble != 0;
    const char *v = str(get(arg, "String"), "sval");
    return v && (strcasecmp(v, "true") == 0 || strcasecmp(v, "on") == 0 ||
                 strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "t") == 0);
}

/* WITH (security_invoker = ...) among a view's reloptions; the others
 * (security_barrier, check_option) change nothing the memory engine reads. */
static void view_options(scenario_table_t *tbl, const cJSON *options)
{
    for (const cJSON *o = cJSON_IsArray(options) ? options->child : NULL; o; o = o->next) {
        const cJSON *d = get(o, "DefElem");
        const char *name = str(d, "defname");
        if (name && strcmp(name, "security_invoker") == 0)
            tbl->view_security_invoker = reloption_true(d);
        const char *v = str(get(get(d, "arg"), "String"), "sval");
        if (name && strcmp(name, "check_option") == 0 && v)
            tbl->view_check_option = strcasecmp(v, "cascaded") == 0 ? 'c'
                                     : strcasecmp(v, "local") == 0  ? 'l'
                                                                    : 0;
    }
}

/* CREATE [OR REPLACE] VIEW (ViewStmt) and CREATE MATERIALIZED VIEW
 * (CreateTableAsStmt of OBJECT_MATVIEW): the statement is kept whole with
 * the search path it ran under; the memory engine analyses its query when
 * it builds the store, where the tables it reads exist. */
static void create_view(const tr_t *t, const cJSON *rel, bool replace, bool materialized,
                        const cJSON *options, const char *check_option)
{
    const char *name = str(rel, "relname");
    const char *schema = str(rel, "schemaname");
    if (!name)
        return notice_statement(t);
    if (!schema)
        schema = creation_schema(t);
    scenario_table_t *tbl = t->h->find_table(t->s, schema, name);
    if (tbl && (!tbl->view_sql || !replace)) {
        scenario_notice_add(t->s, node_pos(t, rel),
                            "CREATE VIEW %s.%s: a relation of that name already exists; "
                            "statement skipped",
                            schema, name);
        return;
    }
    if (!tbl) {
        tbl = t->h->add_table(t->s, xstrdup(schema), xstrdup(name));
        tbl->from_sql = true;
        tbl->pos = node_pos(t, rel);
    }
    free(tbl->view_prior_sql);
    tbl->view_prior_sql = tbl->view_sql;
    for (size_t i = 0; i < tbl->view_search_path_len; i++)
        free(tbl->view_search_path[i]);
    free(tbl->view_search_path);
    tbl->view_sql = xstrndup(t->text + t->stmt->offset, t->stmt->length);
    tbl->view_search_path_len = t->h->search_path_len;
    tbl->view_search_path =
        xcalloc(t->h->search_path_len ? t->h->search_path_len : 1, sizeof *tbl->view_search_path);
    for (size_t i = 0; i < t->h->search_path_len; i++)
        tbl->view_search_path[i] = xstrdup(t->h->search_path[i]);
    tbl->view_materialized = materialized;
    /* The statement's reloptions replace the view's (DefineVirtualRelation:
     * AT_ReplaceRelOptions on OR REPLACE). */
    tbl->view_security_invoker = false;
    tbl->view_check_option = check_option && strcmp(check_option, "LOCAL_CHECK_OPTION") == 0 ? 'l'
                             : check_option && strcmp(check_option, "CASCADED_CHECK_OPTION") == 0
                                 ? 'c'
                                 : 0;
    view_options(tbl, options);
}

/* ALTER VIEW v SET (security_invoker = ...) and the rest of ALTER VIEW: the
 * owner, a column default, a rename of its columns change nothing here
 * except the reloptions. */
static void alter_view(const tr_t *t, scenario_table_t *tbl, const cJSON *as)
{
    const cJSON *cmds = get(as, "cmds");
    for (const cJSON *e = cJSON_IsArray(cmds) ? cmds->child : NULL; e; e = e->next) {
        const cJSON *cmd = get(e, "AlterTableCmd");
        const char *sub = str(cmd, "subtype");
        if (sub && strcmp(sub, "AT_SetRelOptions") == 0)
            view_options(tbl, get(get(get(cmd, "def"), "List"), "items"));
        else if (sub && strcmp(sub, "AT_ResetRelOptions") == 0)
            tbl->view_security_invoker = false;
        else if (!sub || strcmp(sub, "AT_ChangeOwner") != 0)
            return notice_statement(t);
    }
}

static void alter_table(const tr_t *t, const cJSON *as)
{
    const char *objtype = str(as, "objtype");
    bool view_type =
        objtype && (strcmp(objtype, "OBJECT_VIEW") == 0 || strcmp(objtype, "OBJECT_MATVIEW") == 0);
    if (objtype && strcmp(objtype, "OBJECT_TABLE") != 0 && !view_type)
        return notice_statement(t);
    scenario_table_t *tbl = table_of(t, get(as, "relation"));
    if (tbl && tbl->view_sql)
        return alter_view(t, tbl, as);
    if (!tbl) {
        if (!flag(as, "missing_ok"))
            scenario_notice_add(t->s, node_pos(t, get(as, "relation")),
                                "ALTER TABLE of a table the memory engine does not have; "
                                "statement skipped");
        return;
    }
    const cJSON *cmds = get(as, "cmds");
    for (const cJSON *e = cJSON_IsArray(cmds) ? cmds->child : NULL; e; e = e->next) {
        const cJSON *cmd = get(e, "AlterTableCmd");
        const char *sub = str(cmd, "subtype");
        char why[200] = "";
        if (!sub)
            continue;
        if (strcmp(sub, "AT_EnableRowSecurity") == 0) {
            tbl->rls = true;
        } else if (strcmp(sub, "AT_DisableRowSecurity") == 0) {
            tbl->rls = false;
        } else if (strcmp(sub, "AT_ForceRowSecurity") == 0 ||
                   strcmp(sub, "AT_NoForceRowSecurity") == 0 ||
                   strcmp(sub, "AT_ChangeOwner") == 0) {
            /* FORCE binds the owner, who never serves /rest/v1; owners too. */
        } else if (strcmp(sub, "AT_AddColumn") == 0) {
            const cJSON *cd = get(get(cmd, "def"), "ColumnDef");
            if (flag(cmd, "missing_ok") && cd && find_column(tbl, str(cd, "colname")))
                continue;
            if (!add_column(t, tbl, cd, why, sizeof why)) {
                char what[240];
                snprintf(what, sizeof what, "ADD COLUMN to %s (%s)", tbl->name, why);
                notice(t, node_pos(t, cd), what);
            }
        } else if (strcmp(sub, "AT_AddConstraint") == 0) {
            table_constraint(t, tbl, get(get(cmd, "def"), "Constraint"));
        } else if (strcmp(sub, "AT_SetNotNull") == 0 || strcmp(sub, "AT_DropNotNull") == 0) {
            scenario_column_t *c = find_column(tbl, str(cmd, "name") ? str(cmd, "name") : "");
            if (c)
                c->nullable = sub[3] == 'D';
        } else {
            char what[160];
            snprintf(what, sizeof what, "ALTER TABLE %s %s", tbl->name, sub + 3);
            notice(t, pos_of(t, t->stmt->offset), what);
        }
    }
}

/* ALTER TABLE ... RENAME CONSTRAINT old TO new (RenameStmt of
 * OBJECT_TABCONSTRAINT) on a foreign key: PostgREST's embed hints name the
 * constraint, so its new name is the one a request may use. Postgres's
 * default name of a one-column key is {table}_{column}_fkey, of a composite
 * one {table}_{col1}_{col2}..._fkey (ChooseForeignKeyConstraintNameAddition);
 * names the scenario model does not keep (keys, checks) are said and left. */
static bool default_fkey_name(const scenario_table_t *tbl, char *const *cols, size_t n,
                              const char *name)
{
    size_t len = strlen(tbl->name);
    if (strncmp(name, tbl->name, len) != 0)
        return false;
    name += len;
    for (size_t i = 0; i < n; i++) {
        size_t cl = strlen(cols[i]);
        if (name[0] != '_' || strncmp(name + 1, cols[i], cl) != 0)
            return false;
        name += 1 + cl;
    }
    return strcmp(name, "_fkey") == 0;
}

static void rename_constraint(const tr_t *t, const cJSON *rs)
{
    scenario_table_t *tbl = table_of(t, get(rs, "relation"));
    const char *old = str(rs, "subname"), *to = str(rs, "newname");
    if (!tbl || !old || !to)
        return notice_statement(t);
    for (size_t i = 0; i < tbl->column_count; i++) {
        scenario_column_t *c = &tbl->columns[i];
        if (!c->references)
            continue;
        if (c->fk_name ? strcmp(c->fk_name, old) == 0 : default_fkey_name(tbl, &c->name, 1, old)) {
            free(c->fk_name);
            c->fk_name = xstrdup(to);
            return;
        }
    }
    for (size_t i = 0; i < tbl->fkey_count; i++) {
        scenario_fkey_t *f = &tbl->fkeys[i];
        if (f->name ? strcmp(f->name, old) == 0
                    : default_fkey_name(tbl, f->columns, f->column_count, old)) {
            free(f->name);
            f->name = xstrdup(to);
            return;
        }
    }
    notice_statement(t);
}

/* ---- policies and grants ---- */

static char **role_list(const cJSON *list, size_t *count)
{
    size_t n = cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 0;
    char **out = xcalloc(n ? n : 1, sizeof *out);
    *count = 0;
    for (const cJSON *e = n ? list->child : NULL; e; e = e->next) {
        const cJSON *rs = get(e, "RoleSpec");
        const char *type = str(rs, "roletype");
        if (type && strcmp(type, "ROLESPEC_PUBLIC") == 0) {
            /* PUBLIC: every role, as a policy without roles. */
            for (size_t i = 0; i < *count; i++)
                free(out[i]);
            free(out);
            *count = 0;
            return NULL;
        }
        if (str(rs, "rolename"))
            out[(*count)++] = xstrdup(str(rs, "rolename"));
    }
    return out;
}

static void create_policy(const tr_t *t, const cJSON *ps)
{
    scenario_table_t *tbl = table_of(t, get(ps, "table"));
    if (tbl && tbl->view_sql)
        return notice_statement(t); /* Postgres: 42809, a view has no policies */
    if (!tbl) {
        scenario_notice_add(t->s, node_pos(t, get(ps, "table")),
                            "CREATE POLICY %s on a table the memory engine does not have; skipped",
                            str(ps, "policy_name") ? str(ps, "policy_name") : "");
        return;
    }
    size_t end = t->stmt->offset + t->stmt->length;
    char *using_text = NULL, *check_text = NULL;
    if (get(ps, "qual")) {
        size_t at = sql_find_keyword(t->text, end, t->stmt->offset, "using", NULL);
        using_text = at != (size_t)-1 ? group_text(t, at + 5) : NULL;
    }
    if (get(ps, "with_check")) {
        size_t at = sql_find_keyword(t->text, end, t->stmt->offset, "with", "check");
        if (at != (size_t)-1) {
            size_t chk = sql_find_keyword(t->text, end, at + 4, "check", NULL);
            check_text = chk != (size_t)-1 ? group_text(t, chk + 5) : NULL;
        }
    }
    if ((get(ps, "qual") && !using_text) || (get(ps, "with_check") && !check_text)) {
        free(using_text);
        free(check_text);
        return notice_statement(t);
    }
    tbl->policies = xrealloc(tbl->policies, (tbl->policy_count + 1) * sizeof *tbl->policies);
    scenario_policy_t *p = &tbl->policies[tbl->policy_count++];
    memset(p, 0, sizeof *p);
    p->name = xstrdup(str(ps, "policy_name") ? str(ps, "policy_name") : "");
    p->command = xstrdup(str(ps, "cmd_name") ? str(ps, "cmd_name") : "all");
    p->roles = role_list(get(ps, "roles"), &p->role_count);
    p->permissive = flag(ps, "permissive");
    p->using_expr = using_text;
    p->with_check = check_text;
    p->from_sql = true;
    p->pos = pos_of(t, t->stmt->offset);
    p->using_pos = p->pos;
    p->with_check_pos = p->pos;
}

static void drop_policy(const tr_t *t, const cJSON *ds)
{
    /* DropStmt of OBJECT_POLICY: objects = [[table..., policy name]]. */
    const cJSON *objs = get(ds, "objects");
    for (const cJSON *o = cJSON_IsArray(objs) ? objs->child : NULL; o; o = o->next) {
        const char *parts[3];
        size_t n = names(get(get(o, "List"), "items"), parts, 3);
        if (n < 2)
            continue;
        const char *schema = n == 3 ? parts[0] : "public";
        scenario_table_t *tbl = t->h->find_table(t->s, schema, parts[n - 2]);
        for (size_t i = 0; tbl && i < tbl->policy_count; i++) {
            if (strcmp(tbl->policies[i].name, parts[n - 1]) != 0)
                continue;
            scenario_policy_t *p = &tbl->policies[i];
            free(p->name), free(p->command), free(p->using_expr), free(p->with_check);
            for (size_t k = 0; k < p->role_count; k++)
                free(p->roles[k]);
            free(p->roles);
            memmove(p, p + 1, (tbl->policy_count - i - 1) * sizeof *p);
            tbl->policy_count--;
            break;
        }
    }
}

static unsigned privilege_bits(const cJSON *privs, bool *other)
{
    if (!cJSON_IsArray(privs) || cJSON_GetArraySize(privs) == 0)
        return SCENARIO_PRIV_ALL; /* GRANT ALL: an empty list */
    unsigned bits = 0;
    for (const cJSON *e = privs->child; e; e = e->next) {
        const cJSON *ap = get(e, "AccessPriv");
        const char *name = str(ap, "priv_name");
        if (get(ap, "cols"))
            *other = true; /* column privileges are not modelled */
        else if (name && strcmp(name, "select") == 0)
            bits |= SCENARIO_PRIV_SELECT;
        else if (name && strcmp(name, "insert") == 0)
            bits |= SCENARIO_PRIV_INSERT;
        else if (name && strcmp(name, "update") == 0)
            bits |= SCENARIO_PRIV_UPDATE;
        else if (name && strcmp(name, "delete") == 0)
            bits |= SCENARIO_PRIV_DELETE;
        else if (name && (strcmp(name, "truncate") == 0 || strcmp(name, "references") == 0 ||
                          strcmp(name, "trigger") == 0))
            ; /* nothing /rest/v1 asks for */
        else
            *other = true;
    }
    return bits;
}

/* Supabase's default privileges (legacy): anon, authenticated and
 * service_role hold everything on tables of public; a first GRANT or REVOKE
 * starts from those. */
static void materialise_grants(scenario_table_t *tbl)
{
    if (tbl->has_grants)
        return;
    tbl->has_grants = true;
    if (strcmp(tbl->schema, "public") != 0)
        return;
    static const char *const roles[] = {"anon", "authenticated", "service_role"};
    tbl->grants = xcalloc(3, sizeof *tbl->grants);
    for (size_t i = 0; i < 3; i++)
        tbl->grants[i] = (scenario_grant_t){xstrdup(roles[i]), SCENARIO_PRIV_ALL};
    tbl->grant_count = 3;
}

static void grant_one(scenario_table_t *tbl, const char *role, unsigned bits, bool grant)
{
    materialise_grants(tbl);
    for (size_t i = 0; i < tbl->grant_count; i++) {
        if (strcmp(tbl->grants[i].role, role) != 0)
            continue;
        tbl->grants[i].privileges =
            grant ? tbl->grants[i].privileges | bits : tbl->grants[i].privileges & ~bits;
        return;
    }
    if (!grant)
        return;
    tbl->grants = xrealloc(tbl->grants, (tbl->grant_count + 1) * sizeof *tbl->grants);
    tbl->grants[tbl->grant_count++] = (scenario_grant_t){xstrdup(role), bits};
}

static void grant(const tr_t *t, const cJSON *gs)
{
    const char *objtype = str(gs, "objtype");
    const char *target = str(gs, "targtype");
    if (!objtype || strcmp(objtype, "OBJECT_TABLE") != 0) {
        /* Schemas (USAGE), functions, sequences, types: not what the memory
         * engine checks. A schema grant changes nothing it answers. */
        if (objtype &&
            (strcmp(objtype, "OBJECT_SCHEMA") == 0 || strcmp(objtype, "OBJECT_SEQUENCE") == 0))
            return;
        return notice_statement(t);
    }
    bool other = false;
    unsigned bits = privilege_bits(get(gs, "privileges"), &other);
    if (other)
        notice_statement(t); /* said; the table privileges in it still apply */
    bool is_grant = flag(gs, "is_grant");
    size_t role_count;
    char **roles = role_list(get(gs, "grantees"), &role_count);
    if (!roles) {
        notice_statement(t); /* TO PUBLIC */
        return;
    }
    const cJSON *objs = get(gs, "objects");
    for (const cJSON *o = cJSON_IsArray(objs) ? objs->child : NULL; o; o = o->next) {
        if (target && strcmp(target, "ACL_TARGET_ALL_IN_SCHEMA") == 0) {
            const char *schema = str(get(o, "String"), "sval");
            for (size_t i = 0; schema && i < t->s->table_count; i++)
                if (strcmp(t->s->tables[i].schema, schema) == 0)
                    for (size_t r = 0; r < role_count; r++)
                        grant_one(&t->s->tables[i], roles[r], bits, is_grant);
            continue;
        }
        scenario_table_t *tbl = table_of(t, get(o, "RangeVar"));
        for (size_t r = 0; tbl && r < role_count; r++)
            grant_one(tbl, roles[r], bits, is_grant);
    }
    for (size_t r = 0; r < role_count; r++)
        free(roles[r]);
    free(roles);
}

/* ---- INSERT (seed rows) ---- */

/* RETURNING *: the rows are only shown to whoever ran the file, and `*`
 * cannot fail, so the statement's effect is the INSERT's. */
static bool returning_star(const cJSON *list)
{
    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) != 1)
        return false;
    const cJSON *ref = get(get(get(list->child, "ResTarget"), "val"), "ColumnRef");
    const cJSON *fields = get(ref, "fields");
    return cJSON_IsArray(fields) && cJSON_GetArraySize(fields) == 1 && get(fields->child, "A_Star");
}

/* A data statement the row reader does not take: kept whole for the
 * memory engine's executor, which runs it after the constant rows
 * (scenario_seed_stmt_t), when it names a relation the scenario has (or
 * GoTrue's auth.users); said otherwise. */
static void defer(const tr_t *t, const cJSON *rv)
{
    const char *schema, *name;
    relation_in(t, rv, &schema, &name);
    bool auth_users = name && strcmp(schema, "auth") == 0 && strcmp(name, "users") == 0;
    if (!auth_users && !table_of(t, rv))
        return notice_statement(t);
    scenario_t *s = t->s;
    s->seed_stmts = xrealloc(s->seed_stmts, (s->seed_stmt_count + 1) * sizeof *s->seed_stmts);
    scenario_seed_stmt_t *st = &s->seed_stmts[s->seed_stmt_count++];
    st->sql = xstrndup(t->text + t->stmt->offset, t->stmt->length);
    st->search_path_len = t->h->search_path_len;
    st->search_path =
        xcalloc(st->search_path_len ? st->search_path_len : 1, sizeof *st->search_path);
    for (size_t i = 0; i < st->search_path_len; i++)
        st->search_path[i] = xstrdup(t->h->search_path[i]);
    st->pos = pos_of(t, t->stmt->offset);
}

/* Whether every value of a VALUES list is a constant the row reader takes. */
static bool constant_rows(const cJSON *values)
{
    for (const cJSON *list = values->child; list; list = list->next) {
        const cJSON *items = get(get(list, "List"), "items");
        for (const cJSON *v = cJSON_IsArray(items) ? items->child : NULL; v; v = v->next) {
            if (get(v, "SetToDefault"))
                continue;
            cJSON *c = row_value(v, NULL, 0);
            if (!c)
                return false;
            cJSON_Delete(c);
        }
    }
    return true;
}

static void insert(const tr_t *t, const cJSON *is)
{
    scenario_table_t *tbl = table_of(t, get(is, "relation"));
    const cJSON *sel = get(get(is, "selectStmt"), "SelectStmt");
    const cJSON *values = get(sel, "valuesLists");
    if (!tbl || tbl->view_sql || !cJSON_IsArray(values) || get(is, "onConflictClause") ||
        (get(is, "returningList") && !returning_star(get(is, "returningList"))) ||
        get(is, "withClause") || !constant_rows(values))
        return defer(t, get(is, "relation"));
    const char *cols[256];
    size_t ncols = 0;
    const cJSON *cl = get(is, "cols");
    for (const cJSON *e = cJSON_IsArray(cl) ? cl->child : NULL; e && ncols < 256; e = e->next)
        if (str(get(e, "ResTarget"), "name"))
            cols[ncols++] = str(get(e, "ResTarget"), "name");
    if (ncols == 0)
        for (size_t i = 0; i < tbl->column_count && i < 256; i++)
            cols[ncols++] = tbl->columns[i].name;
    if (!tbl->rows)
        tbl->rows = cJSON_CreateArray();
    for (const cJSON *list = values->child; list; list = list->next) {
        const cJSON *items = get(get(list, "List"), "items");
        cJSON *row = cJSON_CreateObject();
        size_t i = 0;
        bool ok = true;
        for (const cJSON *v = cJSON_IsArray(items) ? items->child : NULL; v && ok;
             v = v->next, i++) {
            if (get(v, "SetToDefault"))
                continue;
            cJSON *c = row_value(v, NULL, 0);
            scenario_column_t *col = i < ncols ? find_column(tbl, cols[i]) : NULL;
            if (c && cJSON_IsString(c) && col &&
                (strcmp(col->type, "json") == 0 || strcmp(col->type, "jsonb") == 0)) {
                /* '{"a":1}' into a json column is json's text input; a JSON
                 * row value that is a string would be a JSON string. It is
                 * kept as written (a raw item): json keeps its input text,
                 * spacing included, and 'null' is the JSON null, a value,
                 * where a row's JSON null is SQL NULL. */
                cJSON *parsed = cJSON_Parse(c->valuestring);
                cJSON *raw = parsed ? cJSON_CreateRaw(c->valuestring) : NULL;
                cJSON_Delete(parsed);
                cJSON_Delete(c);
                c = raw;
            }
            if (!c || i >= ncols) {
                cJSON_Delete(c);
                ok = false;
                break;
            }
            cJSON_AddItemToObject(row, cols[i], c);
        }
        if (!ok) {
            cJSON_Delete(row);
            scenario_notice_add(t->s, pos_of(t, t->stmt->offset),
                                "INSERT INTO %s: a row with a value that is not a constant is "
                                "not run by the memory engine (runs on --db postgres); row skipped",
                                tbl->name);
            continue;
        }
        size_t n = (size_t)cJSON_GetArraySize(tbl->rows);
        cJSON_AddItemToArray(tbl->rows, row);
        tbl->row_pos = xrealloc(tbl->row_pos, (n + 1) * sizeof *tbl->row_pos);
        tbl->row_pos[n] = pos_of(t, t->stmt->offset);
    }
}

/* WHERE col = constant [AND ...] of a seed UPDATE: -1 when the clause is
 * something else, or compares a column whose equality is not the
 * constants' own (only text and varchar columns against strings, and the
 * integer types against integers, are read here). Else 0 with *match
 * telling whether row passes. */
static int where_matches(scenario_table_t *tbl, const cJSON *w, const cJSON *row, bool *match)
{
    const cJSON *be = get(w, "BoolExpr");
    if (be) {
        const char *op = str(be, "boolop");
        if (!op || strcmp(op, "AND_EXPR") != 0)
            return -1;
        *match = true;
        for (const cJSON *a = cJSON_IsArray(get(be, "args")) ? get(be, "args")->child : NULL; a;
             a = a->next) {
            bool m;
            if (where_matches(tbl, a, row, &m) < 0)
                return -1;
            *match = *match && m;
        }
        return 0;
    }
    const cJSON *ax = get(w, "A_Expr");
    const char *op[2];
    if (!ax || !str(ax, "kind") || strcmp(str(ax, "kind"), "AEXPR_OP") != 0 ||
        names(get(ax, "name"), op, 2) != 1 || strcmp(op[0], "=") != 0)
        return -1;
    const char *colname[2];
    if (names(get(get(get(ax, "lexpr"), "ColumnRef"), "fields"), colname, 2) != 1)
        return -1;
    scenario_column_t *col = find_column(tbl, colname[0]);
    cJSON *c = get(get(ax, "rexpr"), "A_Const") ? constant(get(ax, "rexpr")) : NULL;
    if (!col || !c)
        goto unread;
    static const char *const texty[] = {"text", "varchar", "character varying"};
    static const char *const inty[] = {"integer",  "int",  "int4",   "bigint",   "int8",
                                       "smallint", "int2", "serial", "bigserial"};
    bool is_text = false, is_int = false;
    char base[64];
    snprintf(base, sizeof base, "%s", col->type);
    base[strcspn(base, "(")] = '\0';
    for (size_t i = 0; i < sizeof texty / sizeof texty[0]; i++)
        is_text = is_text || strcasecmp(base, texty[i]) == 0;
    for (size_t i = 0; i < sizeof inty / sizeof inty[0]; i++)
        is_int = is_int || strcasecmp(base, inty[i]) == 0;
    const cJSON *v = get(row, col->name);
    if (is_text && cJSON_IsString(c)) {
        *match = cJSON_IsString(v) && strcmp(v->valuestring, c->valuestring) == 0;
    } else if (is_int && cJSON_IsNumber(c)) {
        *match = cJSON_IsNumber(v) && v->valuedouble == c->valuedouble;
    } else {
        goto unread;
    }
    cJSON_Delete(c);
    return 0;
unread:
    cJSON_Delete(c);
    return -1;
}

/* UPDATE t SET col = expr, ... [WHERE col = constant [AND ...]] without
 * FROM or RETURNING over the seed rows so far (data scripts that fill a
 * column from another, or set one row's): every row the WHERE takes, each
 * expression read against the row as it was. */
static void update(const tr_t *t, const cJSON *us)
{
    scenario_table_t *tbl = table_of(t, get(us, "relation"));
    const cJSON *targets = get(us, "targetList");
    const cJSON *where = get(us, "whereClause");
    if (!tbl || tbl->view_sql || get(us, "fromClause") || get(us, "returningList") ||
        get(us, "withClause") || !cJSON_IsArray(targets))
        return defer(t, get(us, "relation"));
    size_t nt = (size_t)cJSON_GetArraySize(targets);
    if (nt == 0 || nt > 256)
        return defer(t, get(us, "relation"));
    for (const cJSON *e = targets->child; e; e = e->next) {
        const cJSON *rt = get(e, "ResTarget");
        if (!str(rt, "name") || get(rt, "indirection") || !find_column(tbl, str(rt, "name")))
            return defer(t, get(us, "relation"));
    }
    size_t nrows = tbl->rows ? (size_t)cJSON_GetArraySize(tbl->rows) : 0;
    bool *hit = xcalloc(nrows + 1, sizeof *hit);
    size_t r = 0;
    for (const cJSON *row = nrows ? tbl->rows->child : NULL; row; row = row->next, r++) {
        hit[r] = true;
        if (where && where_matches(tbl, where, row, &hit[r]) < 0) {
            free(hit);
            return defer(t, get(us, "relation"));
        }
    }
    cJSON **vals = xcalloc(nrows * nt + 1, sizeof *vals);
    r = 0;
    bool ok = true;
    for (const cJSON *row = nrows ? tbl->rows->child : NULL; row && ok; row = row->next, r++) {
        if (!hit[r])
            continue;
        size_t i = 0;
        for (const cJSON *e = targets->child; e && ok; e = e->next, i++) {
            const cJSON *rt = get(e, "ResTarget");
            cJSON *v =
                get(get(rt, "val"), "SetToDefault") ? NULL : row_value(get(rt, "val"), row, 0);
            scenario_column_t *col = find_column(tbl, str(rt, "name"));
            if (v && cJSON_IsString(v) &&
                (strcmp(col->type, "json") == 0 || strcmp(col->type, "jsonb") == 0)) {
                cJSON *parsed = cJSON_Parse(v->valuestring);
                cJSON_Delete(v);
                v = parsed;
            }
            if (!v)
                ok = false;
            vals[r * nt + i] = v;
        }
    }
    if (ok) {
        r = 0;
        for (cJSON *row = nrows ? tbl->rows->child : NULL; row; row = row->next, r++) {
            if (!hit[r])
                continue;
            size_t i = 0;
            for (const cJSON *e = targets->child; e; e = e->next, i++) {
                const char *name = str(get(e, "ResTarget"), "name");
                cJSON_DeleteItemFromObjectCaseSensitive(row, name);
                cJSON_AddItemToObject(row, name, vals[r * nt + i]);
                vals[r * nt + i] = NULL;
            }
        }
    }
    for (size_t i = 0; i < nrows * nt; i++)
        cJSON_Delete(vals[i]);
    free(vals);
    free(hit);
    if (!ok)
        defer(t, get(us, "relation"));
}

/* CREATE DOMAIN name AS type: columns of the domain get the base type. Its
 * NOT NULL and CHECK constraints are not enforced (said in a notice). */
static void create_domain(const tr_t *t, const cJSON *ds)
{
    const char *parts[2];
    size_t n = names(get(ds, "domainname"), parts, 2);
    char why[160];
    char *type = n ? type_text(t, get(ds, "typeName"), why, sizeof why) : NULL;
    if (!type)
        return notice_statement(t);
    const cJSON *cons = get(ds, "constraints");
    if (cJSON_IsArray(cons) && cJSON_GetArraySize(cons) > 0)
        scenario_notice_add(t->s, pos_of(t, t->stmt->offset),
                            "CREATE DOMAIN %s: its constraints are not enforced by the memory "
                            "engine (runs on --db postgres); columns of it are of type %s",
                            parts[n - 1], type);
    scenario_sql_host_t *h = t->h;
    h->domain_names = xrealloc(h->domain_names, (h->domain_count + 1) * sizeof *h->domain_names);
    h->domain_types = xrealloc(h->domain_types, (h->domain_count + 1) * sizeof *h->domain_types);
    h->domain_names[h->domain_count] = xstrdup(parts[n - 1]);
    h->domain_types[h->domain_count] = type;
    h->domain_count++;
    scenario_t *s = t->s;
    s->domain_names = xrealloc(s->domain_names, (s->domain_count + 1) * sizeof *s->domain_names);
    s->domain_types = xrealloc(s->domain_types, (s->domain_count + 1) * sizeof *s->domain_types);
    s->domain_names[s->domain_count] = xstrdup(parts[n - 1]);
    s->domain_types[s->domain_count] = xstrdup(type);
    s->domain_count++;
}

/* ---- extensions and in-database settings ---- */

/* CREATE EXTENSION ltree [WITH SCHEMA s]: the memory engine has ltree's
 * type; its operators resolve only where the schema is on a request's
 * search path, so the schema is kept. Other extensions are said and
 * skipped. */
static void create_extension(const tr_t *t, const cJSON *es)
{
    const char *name = str(es, "extname");
    if (!name || strcmp(name, "ltree") != 0)
        return notice_statement(t);
    if (t->s->ltree_schema)
        return; /* already created (IF NOT EXISTS, or Postgres's error) */
    const char *schema = NULL;
    const cJSON *opts = get(es, "options");
    for (const cJSON *o = cJSON_IsArray(opts) ? opts->child : NULL; o; o = o->next) {
        const cJSON *d = get(o, "DefElem");
        if (str(d, "defname") && strcmp(str(d, "defname"), "schema") == 0)
            schema = str(get(get(d, "arg"), "String"), "sval");
    }
    t->s->ltree_schema = xstrdup(schema ? schema : creation_schema(t));
}

/* ALTER ROLE authenticator SET pgrst.db_extra_search_path = '...': PostgREST
 * reads its in-database configuration over the file's. Other settings are
 * said and skipped. */
static void alter_role_set(const tr_t *t, const cJSON *as)
{
    const cJSON *set = get(get(as, "setstmt"), "VariableSetStmt");
    if (!set)
        set = get(as, "setstmt");
    const char *role = str(get(as, "role"), "rolename");
    const char *name = str(set, "name");
    const char *kind = str(set, "kind");
    const cJSON *args = get(set, "args");
    const char *v = cJSON_GetArraySize(args) == 1
                        ? str(get(get(args->child, "A_Const"), "sval"), "sval")
                        : NULL;
    if (cJSON_GetArraySize(args) == 1 && !v && get(get(args->child, "A_Const"), "sval"))
        v = ""; /* '' : Postgres omits an empty sval */
    if (!role || strcmp(role, "authenticator") != 0 || !name ||
        strcmp(name, "pgrst.db_extra_search_path") != 0 || !kind ||
        strcmp(kind, "VAR_SET_VALUE") != 0 || !v)
        return notice_statement(t);
    free(t->s->db_extra_search_path);
    t->s->db_extra_search_path = xstrdup(v);
}

/* ---- enums and indexes ---- */

static void create_enum(const tr_t *t, const cJSON *es)
{
    const char *parts[2];
    size_t n = names(get(es, "typeName"), parts, 2);
    if (n == 0)
        return;
    const char *name = parts[n - 1];
    for (size_t i = 0; i < t->s->enum_count; i++)
        if (strcmp(t->s->enums[i].name, name) == 0)
            return notice_statement(t);
    t->s->enums = xrealloc(t->s->enums, (t->s->enum_count + 1) * sizeof *t->s->enums);
    scenario_enum_t *e = &t->s->enums[t->s->enum_count++];
    memset(e, 0, sizeof *e);
    e->name = xstrdup(name);
    e->pos = pos_of(t, t->stmt->offset);
    const cJSON *vals = get(es, "vals");
    size_t nv = cJSON_IsArray(vals) ? (size_t)cJSON_GetArraySize(vals) : 0;
    e->labels = xcalloc(nv ? nv : 1, sizeof *e->labels);
    for (const cJSON *v = nv ? vals->child : NULL; v; v = v->next)
        if (str(get(v, "String"), "sval"))
            e->labels[e->label_count++] = xstrdup(str(get(v, "String"), "sval"));
}

static void create_index(const tr_t *t, const cJSON *ix)
{
    if (!flag(ix, "unique"))
        return; /* a plain index changes no answer */
    scenario_table_t *tbl = table_of(t, get(ix, "relation"));
    const cJSON *params = get(ix, "indexParams");
    if (!tbl || !cJSON_IsArray(params) || cJSON_GetArraySize(params) != 1 || get(ix, "whereClause"))
        return notice_statement(t);
    const char *col = str(get(params->child, "IndexElem"), "name");
    scenario_column_t *c = col ? find_column(tbl, col) : NULL;
    if (!c)
        return notice_statement(t);
    c->unique = true;
}

/* ---- roles ---- */

/* CREATE ROLE name [WITH SUPERUSER | BYPASSRLS ...]: a role a JWT may name;
 * a superuser or BYPASSRLS role is not subject to row-level security. */
static void create_role(const tr_t *t, const cJSON *rs)
{
    const char *name = str(rs, "role");
    if (!name)
        return;
    bool bypass = false;
    const cJSON *opts = get(rs, "options");
    for (const cJSON *o = cJSON_IsArray(opts) ? opts->child : NULL; o; o = o->next) {
        const cJSON *d = get(o, "DefElem");
        const char *opt = str(d, "defname");
        if (opt && (strcmp(opt, "superuser") == 0 || strcmp(opt, "bypassrls") == 0) &&
            flag(get(get(d, "arg"), "Boolean"), "boolval"))
            bypass = true;
    }
    for (size_t i = 0; i < t->s->role_count; i++) {
        if (strcmp(t->s->roles[i].name, name) == 0) {
            /* Postgres: role "x" already exists (42710); the file stops there. */
            scenario_notice_add(t->s, pos_of(t, t->stmt->offset),
                                "CREATE ROLE %s: the role already exists; statement skipped", name);
            return;
        }
    }
    t->s->roles = xrealloc(t->s->roles, (t->s->role_count + 1) * sizeof *t->s->roles);
    t->s->roles[t->s->role_count++] = (scenario_role_t){xstrdup(name), bypass};
}

/* ---- functions and triggers (scenario_func.c) ---- */

static char *src_type_name(const scenario_func_src_t *src, const cJSON *tn, char *why,
                           size_t why_len)
{
    return type_text_unchecked(src->ctx, tn, why, why_len);
}

static scenario_pos_t src_pos(const scenario_func_src_t *src, size_t offset)
{
    return pos_of(src->ctx, offset);
}

static void src_notice_at(const scenario_func_src_t *src, size_t offset, const char *what)
{
    notice(src->ctx, pos_of(src->ctx, offset), what);
}

static void src_notice_statement(const scenario_func_src_t *src)
{
    notice_statement(src->ctx);
}

static scenario_func_src_t func_src(const tr_t *t);

static bool drop_function_or_trigger(const tr_t *t, const cJSON *n)
{
    scenario_func_src_t src = func_src(t);
    return scenario_func_drop(&src, n);
}

static scenario_func_src_t func_src(const tr_t *t)
{
    return (scenario_func_src_t){
        .h = t->h,
        .file = t->file,
        .text = t->text,
        .stmt = t->stmt,
        .ctx = (void *)t,
        .type_name = src_type_name,
        .pos = src_pos,
        .notice_at = src_notice_at,
        .notice_statement = src_notice_statement,
    };
}

/* ---- dispatch ---- */

/* Statements that change nothing the memory engine answers. */
static bool harmless(const char *kind, const cJSON *node)
{
    static const char *const kinds[] = {"TransactionStmt",  "VariableSetStmt", "CommentStmt",
                                        "CreateSchemaStmt", "AlterOwnerStmt",  "VariableShowStmt"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return true;
    (void)node;
    return false;
}

int scenario_sql_apply(scenario_sql_host_t *h, const char *file, const char *text,
                       scenario_error_t *err)
{
    sql_script_t script;
    sql_error_t perr;
    if (sql_parse_script(text, &script, &perr) != 0) {
        scenario_pos_t p = {file, 0, 0};
        if (perr.offset != SQL_NO_OFFSET)
            sql_line_col(text, perr.offset, &p.line, &p.col);
        scenario_error_at(err, p, "%s", perr.message);
        return -1;
    }
    for (size_t i = 0; i < script.count; i++) {
        const sql_stmt_t *st = &script.stmts[i];
        tr_t t = {h, h->s, file, text, st, NULL, NULL, NULL};
        const char *k = st->kind;
        const cJSON *n = st->node;
        if (strcmp(k, "CreateTableAsStmt") == 0)
            create_table_as(&t, n);
        else if (strcmp(k, "ViewStmt") == 0)
            create_view(&t, get(n, "view"), flag(n, "replace"), false, get(n, "options"),
                        str(n, "withCheckOption"));
        else if (strcmp(k, "CreateStmt") == 0)
            create_table(&t, n);
        else if (strcmp(k, "AlterTableStmt") == 0)
            alter_table(&t, n);
        else if (strcmp(k, "RenameStmt") == 0 && str(n, "renameType") &&
                 strcmp(str(n, "renameType"), "OBJECT_TABCONSTRAINT") == 0)
            rename_constraint(&t, n);
        else if (strcmp(k, "CreatePolicyStmt") == 0)
            create_policy(&t, n);
        else if (strcmp(k, "DropStmt") == 0 && str(n, "removeType") &&
                 strcmp(str(n, "removeType"), "OBJECT_POLICY") == 0)
            drop_policy(&t, n);
        else if (strcmp(k, "GrantStmt") == 0 && str(n, "objtype") &&
                 (strcmp(str(n, "objtype"), "OBJECT_FUNCTION") == 0 ||
                  strcmp(str(n, "objtype"), "OBJECT_ROUTINE") == 0)) {
            scenario_func_src_t src = func_src(&t);
            scenario_func_grant(&src, n);
        } else if (strcmp(k, "GrantStmt") == 0)
            grant(&t, n);
        else if (strcmp(k, "CreateFunctionStmt") == 0) {
            scenario_func_src_t src = func_src(&t);
            scenario_func_create(&src, n);
        } else if (strcmp(k, "CreateTrigStmt") == 0) {
            scenario_func_src_t src = func_src(&t);
            scenario_trigger_create(&src, n);
        } else if (strcmp(k, "DropStmt") == 0 && drop_function_or_trigger(&t, n))
            ;
        else if (strcmp(k, "InsertStmt") == 0)
            insert(&t, n);
        else if (strcmp(k, "DeleteStmt") == 0)
            defer(&t, get(n, "relation"));
        else if (strcmp(k, "UpdateStmt") == 0)
            update(&t, n);
        else if (strcmp(k, "CreateDomainStmt") == 0)
            create_domain(&t, n);
        else if (strcmp(k, "CreateCastStmt") == 0) {
            scenario_func_src_t src = func_src(&t);
            scenario_cast_create(&src, n);
        } else if (strcmp(k, "CreateEnumStmt") == 0)
            create_enum(&t, n);
        else if (strcmp(k, "IndexStmt") == 0)
            create_index(&t, n);
        else if (strcmp(k, "CreateRoleStmt") == 0)
            create_role(&t, n);
        else if (strcmp(k, "VariableSetStmt") == 0)
            set_search_path(&t, n);
        else if (strcmp(k, "CreateExtensionStmt") == 0)
            create_extension(&t, n);
        else if (strcmp(k, "AlterRoleSetStmt") == 0)
            alter_role_set(&t, n);
        else if (!harmless(k, n))
            notice_statement(&t);
    }
    sql_script_dispose(&script);
    return 0;
}
