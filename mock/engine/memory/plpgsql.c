/* The PL/pgSQL interpreter (plpgsql.h). It walks the tree libpg_query's
 * pg_query_parse_plpgsql gives (Postgres's pl_gram.y: PLpgSQL_stmt_* nodes
 * whose expressions are SQL text) and follows pl_exec.c: variables with
 * assignment coercions, FOUND, loops, RETURN/RETURN NEXT/RETURN QUERY, RAISE
 * with its options, SELECT INTO [STRICT] and writes RETURNING INTO, GET
 * DIAGNOSTICS ROW_COUNT, NEW/OLD and TG_* in triggers. Every expression is
 * `SELECT expr` run by the executor with the function's variables in scope
 * (sql_scope_t): one expression language for the whole engine.
 *
 * Not in the subset (the function is left out at load, said so): EXCEPTION
 * blocks (they need subtransactions), cursors, dynamic SQL (EXECUTE),
 * FOREACH, COMMIT/ROLLBACK, ASSERT, GET STACKED DIAGNOSTICS.
 *
 * Names: the tree from libpg_query lists the datums of the whole function
 * without their blocks, so a name resolves to the innermost FOR loop
 * variable in scope, else the last datum declared with that name. */
#include "plpgsql.h"

#include "buf.h"
#include "sql_parse.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const cJSON *get(const cJSON *o, const char *key)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int num(const cJSON *o, const char *key, int dflt)
{
    const cJSON *v = get(o, key);
    return cJSON_IsNumber(v) ? v->valueint : dflt;
}

/* The query text of a {"PLpgSQL_expr": {"query": ...}}. */
static const char *query_of(const cJSON *e)
{
    return str(get(e, "PLpgSQL_expr"), "query");
}

/* ---- compiled ---- */

typedef enum dkind {
    D_VAR,      /* a scalar variable */
    D_RECORD,   /* record, %ROWTYPE, NEW/OLD */
    D_RECFIELD, /* rec.field as an assignment target */
    D_ROW,      /* an INTO list */
    D_OTHER,
} dkind_t;

typedef struct datum {
    dkind_t kind;
    const char *name;
    int lineno;
    bool typed; /* D_VAR: type known (params get theirs from the function) */
    pgtype_t type;
    const store_table_t *rowtype; /* D_RECORD of %ROWTYPE */
    const char *default_query;
    bool is_const;
    bool loop_var;     /* a FOR loop's own variable: in scope only inside it */
    int param;         /* >= 0: the function's parameter index */
    const char *field; /* D_RECFIELD */
    int parent;        /* D_RECFIELD */
    const cJSON *row;  /* D_ROW: its fields */
} datum_t;

/* Parsed `SELECT expr` and statements, by the query text's address in the
 * tree (stable for the tree's life). */
typedef struct parsed {
    const char *query;
    cJSON *tree;
    const cJSON *stmt;
    char *src;
} parsed_t;

typedef struct compiled {
    cJSON *tree;
    const cJSON *fn;
    datum_t *datums;
    size_t ndatums;
    int found;
    int new_no, old_no;
    parsed_t *parsed;
    size_t nparsed, capparsed;
    const char *body; /* the AS text (borrowed from the function's decl tree) */
    /* RETURN var / RETURN NEXT var: the grammar keeps the variable as
     * retvarno, which libpg_query's JSON leaves out; read back from the
     * body's line (owned strings, by statement node). */
    struct retvar {
        const cJSON *stmt;
        char *name;
    } * retvars;
    size_t nretvars, capretvars;
} compiled_t;

void plpgsql_free(void *p)
{
    compiled_t *c = p;
    if (!c)
        return;
    for (size_t i = 0; i < c->nparsed; i++) {
        cJSON_Delete(c->parsed[i].tree);
        free(c->parsed[i].src);
    }
    free(c->parsed);
    for (size_t i = 0; i < c->nretvars; i++)
        free(c->retvars[i].name);
    free(c->retvars);
    free(c->datums);
    cJSON_Delete(c->tree);
    free(c);
}

static int resolve_decl_type(const store_t *store, datum_t *d, const char *typname, char *why,
                             size_t why_len)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%s", typname);
    size_t n = strlen(buf);
    while (n && isspace((unsigned char)buf[n - 1]))
        buf[--n] = '\0';
    for (char *p = buf; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (strcmp(buf, "record") == 0) {
        d->kind = D_RECORD;
        return 0;
    }
    char *pct = strstr(buf, "%rowtype");
    if (pct) {
        *pct = '\0';
        const char *dot = strchr(buf, '.');
        const store_table_t *t = dot ? NULL : store_find_table(store, "public", buf);
        if (dot) {
            char schema[64];
            snprintf(schema, sizeof schema, "%.*s", (int)(dot - buf), buf);
            t = store_find_table(store, schema, dot + 1);
        }
        if (!t) {
            snprintf(why, why_len, "the type %s%%ROWTYPE", buf);
            return -1;
        }
        d->kind = D_RECORD;
        d->rowtype = t;
        return 0;
    }
    pct = strstr(buf, "%type");
    if (pct) {
        /* table.column%TYPE */
        *pct = '\0';
        char *dot = strrchr(buf, '.');
        if (dot) {
            *dot = '\0';
            const char *tname = strrchr(buf, '.') ? strrchr(buf, '.') + 1 : buf;
            const store_table_t *t = store_find_table(store, "public", tname);
            int col = t ? store_table_find_column(t, dot + 1) : -1;
            if (col >= 0) {
                d->type = store_table_column(t, (size_t)col)->type;
                d->typed = true;
                return 0;
            }
        }
        snprintf(why, why_len, "the type %s%%TYPE", buf);
        return -1;
    }
    if (mem_func_type(store, buf, &d->type) < 0) {
        snprintf(why, why_len, "the variable type %s", buf);
        return -1;
    }
    d->typed = true;
    return 0;
}

static const char *const supported[] = {
    "PLpgSQL_stmt_block",   "PLpgSQL_stmt_assign",      "PLpgSQL_stmt_if",
    "PLpgSQL_stmt_case",    "PLpgSQL_stmt_loop",        "PLpgSQL_stmt_while",
    "PLpgSQL_stmt_fori",    "PLpgSQL_stmt_fors",        "PLpgSQL_stmt_exit",
    "PLpgSQL_stmt_return",  "PLpgSQL_stmt_return_next", "PLpgSQL_stmt_return_query",
    "PLpgSQL_stmt_raise",   "PLpgSQL_stmt_execsql",     "PLpgSQL_stmt_perform",
    "PLpgSQL_stmt_getdiag",
};

/* Checks every statement of a list (recursively) is in the subset. */
static int check_list(const cJSON *list, char *why, size_t why_len);

static int check_stmt(const cJSON *s, char *why, size_t why_len)
{
    const char *kind = s->child ? s->child->string : "";
    const cJSON *b = s->child;
    bool ok = false;
    for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++)
        if (strcmp(kind, supported[i]) == 0)
            ok = true;
    if (!ok) {
        const char *what = kind + (strncmp(kind, "PLpgSQL_stmt_", 13) == 0 ? 13 : 0);
        snprintf(why, why_len, "PL/pgSQL statement %s (line %d of its body)", what,
                 num(b, "lineno", 0));
        return -1;
    }
    if (strcmp(kind, "PLpgSQL_stmt_block") == 0 && get(b, "exceptions")) {
        snprintf(why, why_len, "an EXCEPTION block (line %d of its body)", num(b, "lineno", 0));
        return -1;
    }
    if (strcmp(kind, "PLpgSQL_stmt_return_query") == 0 && !get(b, "query")) {
        snprintf(why, why_len, "RETURN QUERY EXECUTE (line %d of its body)", num(b, "lineno", 0));
        return -1;
    }
    if (strcmp(kind, "PLpgSQL_stmt_getdiag") == 0) {
        if (cJSON_IsTrue(get(b, "is_stacked"))) {
            snprintf(why, why_len, "GET STACKED DIAGNOSTICS (line %d of its body)",
                     num(b, "lineno", 0));
            return -1;
        }
        const cJSON *items = get(b, "diag_items");
        for (const cJSON *it = items ? items->child : NULL; it; it = it->next) {
            const char *k = str(get(it, "PLpgSQL_diag_item"), "kind");
            if (!k || strcmp(k, "ROW_COUNT") != 0) {
                snprintf(why, why_len, "GET DIAGNOSTICS %s (line %d of its body)", k ? k : "?",
                         num(b, "lineno", 0));
                return -1;
            }
        }
    }
    static const char *const lists[] = {"body", "then_body", "else_body", "else_stmts"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (check_list(get(b, lists[i]), why, why_len) < 0)
            return -1;
    for (const cJSON *e = get(b, "elsif_list") ? get(b, "elsif_list")->child : NULL; e; e = e->next)
        if (check_list(get(get(e, "PLpgSQL_if_elsif"), "stmts"), why, why_len) < 0)
            return -1;
    for (const cJSON *e = get(b, "case_when_list") ? get(b, "case_when_list")->child : NULL; e;
         e = e->next)
        if (check_list(get(get(e, "PLpgSQL_case_when"), "stmts"), why, why_len) < 0)
            return -1;
    return 0;
}

static int check_list(const cJSON *list, char *why, size_t why_len)
{
    for (const cJSON *s = cJSON_IsArray(list) ? list->child : NULL; s; s = s->next)
        if (check_stmt(s, why, why_len) < 0)
            return -1;
    return 0;
}

int plpgsql_compile(const store_t *store, mem_func_t *f, void **out, char *why, size_t why_len)
{
    *out = NULL;
    cJSON *tree = NULL;
    sql_error_t perr;
    if (sql_parse_plpgsql(f->def->source, &tree, &perr) < 0) {
        snprintf(why, why_len, "its body: %s", perr.message);
        return -1;
    }
    compiled_t *c = xcalloc(1, sizeof *c);
    c->tree = tree;
    const cJSON *fs = f->decl ? get(get(f->decl, "stmts")->child, "stmt") : NULL;
    const cJSON *opts = get(get(fs, "CreateFunctionStmt"), "options");
    for (const cJSON *o = opts ? opts->child : NULL; o; o = o->next) {
        const cJSON *d = get(o, "DefElem");
        if (str(d, "defname") && strcmp(str(d, "defname"), "as") == 0) {
            const cJSON *items = get(get(get(d, "arg"), "List"), "items");
            c->body = items ? str(get(items->child, "String"), "sval") : NULL;
        }
    }
    c->fn = get(tree->child, "PLpgSQL_function");
    c->found = c->new_no = c->old_no = -1;
    const cJSON *datums = get(c->fn, "datums");
    size_t n = cJSON_IsArray(datums) ? (size_t)cJSON_GetArraySize(datums) : 0;
    c->datums = xcalloc(n ? n : 1, sizeof *c->datums);
    c->ndatums = n;
    /* Named parameters come first, in order (unnamed ones are $n only). */
    size_t next_param = 0;
    size_t i = 0;
    for (const cJSON *d = n ? datums->child : NULL; d; d = d->next, i++) {
        datum_t *dt = &c->datums[i];
        dt->param = -1;
        dt->parent = -1;
        const cJSON *v;
        if ((v = get(d, "PLpgSQL_var"))) {
            dt->kind = D_VAR;
            dt->name = str(v, "refname");
            dt->lineno = num(v, "lineno", 0);
            dt->default_query = query_of(get(v, "default_val"));
            dt->is_const = cJSON_IsTrue(get(v, "isconst"));
            while (next_param < f->param_count && !f->params[next_param].name[0])
                next_param++;
            const char *typname = str(get(get(v, "datatype"), "PLpgSQL_type"), "typname");
            if (next_param < f->param_count && dt->name &&
                strcmp(f->params[next_param].name, dt->name) == 0 && dt->lineno == 0 &&
                f->params[next_param].rowtype) {
                /* A parameter of a table's row type: a record of its
                 * columns (p.col), set from the argument at the call. */
                dt->param = (int)next_param;
                dt->kind = D_RECORD;
                dt->rowtype = f->params[next_param].rowtype;
                next_param++;
            } else if (next_param < f->param_count && dt->name &&
                       strcmp(f->params[next_param].name, dt->name) == 0 && dt->lineno == 0) {
                dt->param = (int)next_param;
                dt->type = f->params[next_param].type;
                dt->typed = true;
                next_param++;
            } else if (dt->name && strcmp(dt->name, "found") == 0 && dt->lineno == 0) {
                c->found = (int)i;
                pgtype_parse("boolean", NULL, 0, &dt->type, NULL);
                dt->typed = true;
            } else if (typname && strcmp(typname, "UNKNOWN") == 0) {
                /* A FOR loop's integer variable, a CASE's hidden one, or
                 * the exception variables: typed when assigned. */
                dt->loop_var = dt->name && strncmp(dt->name, "__Case__", 8) != 0;
            } else if (typname && resolve_decl_type(store, dt, typname, why, why_len) < 0) {
                plpgsql_free(c);
                return -1;
            }
        } else if ((v = get(d, "PLpgSQL_rec"))) {
            dt->kind = D_RECORD;
            dt->name = str(v, "refname");
            dt->lineno = num(v, "lineno", 0);
            if (dt->name && strcmp(dt->name, "new") == 0 && c->new_no < 0)
                c->new_no = (int)i;
            else if (dt->name && strcmp(dt->name, "old") == 0 && c->old_no < 0)
                c->old_no = (int)i;
        } else if ((v = get(d, "PLpgSQL_recfield"))) {
            dt->kind = D_RECFIELD;
            dt->field = str(v, "fieldname");
            dt->parent = num(v, "recparentno", 0);
        } else if ((v = get(d, "PLpgSQL_row"))) {
            dt->kind = D_ROW;
            dt->row = get(v, "fields");
        } else {
            dt->kind = D_OTHER;
        }
    }
    if (check_stmt(get(c->fn, "action"), why, why_len) < 0) {
        plpgsql_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

/* ---- a call's frame ---- */

typedef struct var {
    bool typed;
    pgtype_t type;
    pgvalue_t value;
    /* records */
    bool rec_set;
    size_t nf;
    char **fnames; /* owned */
    pgtype_t *ftypes;
    pgvalue_t *fvals;
} var_t;

/* Trigger variables (TG_OP ...), text. */
enum { TG_OP, TG_NAME, TG_WHEN, TG_LEVEL, TG_TABLE_NAME, TG_TABLE_SCHEMA, TG_RELNAME, TG_COUNT };
static const char *const tg_names[TG_COUNT] = {
    "tg_op", "tg_name", "tg_when", "tg_level", "tg_table_name", "tg_table_schema", "tg_relname"};

typedef struct frame {
    const mem_func_t *f;
    compiled_t *c;
    const mem_call_env_t *env;
    const pgvalue_t *args;
    var_t *vars;
    int loops[64]; /* FOR loop variables in scope, innermost last */
    size_t nloops;
    mem_trigger_call_t *tc;
    var_t tg[TG_COUNT];
    pgtype_t text_type;
    sql_result_t *out; /* rows RETURN NEXT / RETURN QUERY add */
    size_t out_cap;
    uint64_t row_count;
    const char *exit_label; /* EXIT/CONTINUE label being unwound */
} frame_t;

enum { PL_OK = 0, PL_ERROR = -1, PL_EXIT = 1, PL_CONTINUE = 2, PL_RETURN = 3 };

#define SLOT_TG    0x40000000
#define FIELD_BITS 12

static void record_clear(var_t *v)
{
    for (size_t i = 0; i < v->nf; i++) {
        free(v->fnames[i]);
        pgvalue_dispose(&v->fvals[i]);
    }
    free(v->fnames);
    free(v->ftypes);
    free(v->fvals);
    v->fnames = NULL;
    v->ftypes = NULL;
    v->fvals = NULL;
    v->nf = 0;
    v->rec_set = false;
}

/* Sets a record from n named, typed values (copied). */
static void record_set(var_t *v, size_t n, char *const *names, const pgtype_t *types,
                       const pgvalue_t *vals)
{
    record_clear(v);
    v->nf = n;
    v->fnames = xcalloc(n ? n : 1, sizeof *v->fnames);
    v->ftypes = xcalloc(n ? n : 1, sizeof *v->ftypes);
    v->fvals = xcalloc(n ? n : 1, sizeof *v->fvals);
    for (size_t i = 0; i < n; i++) {
        v->fnames[i] = xstrdup(names[i]);
        v->ftypes[i] = types[i];
        if (vals)
            pgvalue_copy(&v->fvals[i], &vals[i]);
        else
            pgvalue_init_null(&v->fvals[i]);
    }
    v->rec_set = true;
}

static void record_of_table(var_t *v, const store_table_t *t, const pgvalue_t *vals)
{
    size_t n = store_table_column_count(t);
    char **names = xcalloc(n ? n : 1, sizeof *names);
    pgtype_t *types = xcalloc(n ? n : 1, sizeof *types);
    for (size_t i = 0; i < n; i++) {
        names[i] = store_table_column(t, i)->name;
        types[i] = store_table_column(t, i)->type;
    }
    record_set(v, n, names, types, vals);
    free(names);
    free(types);
}

/* Which datum a one-part name denotes: the innermost loop variable, else
 * the last declared datum of that name (loop variables out of their loop
 * excluded); -1 when none. */
static int lookup(const frame_t *fr, const char *name)
{
    for (size_t i = fr->nloops; i-- > 0;) {
        const datum_t *d = &fr->c->datums[fr->loops[i]];
        if (d->name && strcmp(d->name, name) == 0)
            return fr->loops[i];
    }
    for (size_t i = fr->c->ndatums; i-- > 0;) {
        const datum_t *d = &fr->c->datums[i];
        if (d->loop_var || !d->name || (d->kind != D_VAR && d->kind != D_RECORD))
            continue;
        if (strcmp(d->name, name) == 0)
            return (int)i;
    }
    return -1;
}

static int tg_lookup(const frame_t *fr, const char *name)
{
    if (!fr->tc)
        return -1;
    for (int i = 0; i < TG_COUNT; i++)
        if (strcmp(tg_names[i], name) == 0)
            return i;
    return -1;
}

static int scope_resolve(const void *ctx, const sql_name_t *name, int *slot, pgtype_t *type,
                         pgrst_error_t *err)
{
    const frame_t *fr = ctx;
    const mem_func_t *f = fr->f;
    if (name->param > 0 && name->nparts) {
        /* $n.field: a column of a row-type argument (slots past the
         * datums, the field's column + 1 below FIELD_BITS). */
        size_t k = 0;
        for (size_t i = 0; i < f->param_count; i++) {
            if (f->params[i].mode == SCENARIO_ARG_OUT || f->params[i].mode == SCENARIO_ARG_TABLE)
                continue;
            if (++k != (size_t)name->param)
                continue;
            const store_table_t *t = f->params[i].rowtype;
            if (!t) {
                char scratch[96];
                return pgrst_error_setf(
                    err, "42809",
                    "column notation .%s applied to type %s, which is not a composite type",
                    name->parts[0], pgtype_name(&f->params[i].type, scratch, sizeof scratch));
            }
            int col = store_table_find_column(t, name->parts[0]);
            if (col < 0 || col + 1 >= (1 << FIELD_BITS))
                return pgrst_error_setf(err, "42703", "column \"%s\" not found in data type %s",
                                        name->parts[0], store_table_name(t));
            *slot = ((int)(fr->c->ndatums + i) << FIELD_BITS) | (col + 1);
            *type = store_table_column(t, (size_t)col)->type;
            return 1;
        }
        return 0;
    }
    if (name->param > 0) {
        size_t k = 0;
        for (size_t i = 0; i < f->param_count; i++) {
            if (f->params[i].mode == SCENARIO_ARG_OUT || f->params[i].mode == SCENARIO_ARG_TABLE)
                continue;
            if (++k == (size_t)name->param) {
                /* $n: the parameter's datum when it has a name, else the
                 * argument itself (slots past the datums). */
                *slot = (int)(fr->c->ndatums + i) << FIELD_BITS;
                *type = f->params[i].type;
                return 1;
            }
        }
        return 0;
    }
    const char *first = name->parts[0];
    if (name->nparts == 1) {
        int t = tg_lookup(fr, first);
        if (t >= 0) {
            *slot = SLOT_TG | t;
            *type = fr->text_type;
            return 1;
        }
    }
    int d = lookup(fr, first);
    if (d < 0 && name->nparts == 2 && strcmp(first, f->routine.name) == 0) {
        /* fn.param */
        d = lookup(fr, name->parts[1]);
        if (d >= 0 && fr->c->datums[d].param >= 0 && fr->c->datums[d].kind == D_VAR) {
            *slot = d << FIELD_BITS;
            *type = fr->vars[d].type;
            return 1;
        }
        return 0;
    }
    if (d < 0)
        return 0;
    const var_t *v = &fr->vars[d];
    if (fr->c->datums[d].kind == D_VAR && name->nparts == 1 && v->typed) {
        *slot = d << FIELD_BITS;
        *type = v->type;
        return 1;
    }
    if (fr->c->datums[d].kind == D_RECORD && name->nparts == 2) {
        if (!v->rec_set) {
            pgrst_error_setf(err, "55000", "record \"%s\" is not assigned yet", first);
            pgrst_error_detailsf(err, "The tuple structure of a not-yet-assigned record is "
                                      "indeterminate.");
            return -1;
        }
        for (size_t i = 0; i < v->nf; i++) {
            if (strcmp(v->fnames[i], name->parts[1]) == 0) {
                *slot = (d << FIELD_BITS) | (int)(i + 1);
                *type = v->ftypes[i];
                return 1;
            }
        }
        pgrst_error_setf(err, "42703", "record \"%s\" has no field \"%s\"", first, name->parts[1]);
        return -1;
    }
    return 0;
}

static int scope_value(const void *ctx, int slot, const pgvalue_t **out, pgrst_error_t *err)
{
    (void)err;
    const frame_t *fr = ctx;
    if (slot & SLOT_TG) {
        *out = &fr->tg[slot & ~SLOT_TG].value;
        return 0;
    }
    size_t d = (size_t)slot >> FIELD_BITS;
    size_t field = (size_t)slot & ((1u << FIELD_BITS) - 1);
    if (d >= fr->c->ndatums) {
        static const pgvalue_t null_value = {.is_null = true};
        const pgvalue_t *a = &fr->args[d - fr->c->ndatums];
        *out = !field                                 ? a
               : !a->is_null && field - 1 < a->nelems ? &a->elems[field - 1]
                                                      : &null_value;
        return 0;
    }
    const var_t *v = &fr->vars[d];
    *out = field ? &v->fvals[field - 1] : &v->value;
    return 0;
}

/* ---- running SQL ---- */

static const parsed_t *parse_cached(frame_t *fr, const char *query, bool as_expr,
                                    pgrst_error_t *err)
{
    compiled_t *c = fr->c;
    for (size_t i = 0; i < c->nparsed; i++)
        if (c->parsed[i].query == query)
            return &c->parsed[i];
    buf_t b;
    buf_init(&b);
    if (as_expr)
        buf_puts(&b, "SELECT ");
    buf_puts(&b, query);
    char *src = buf_steal(&b);
    sql_script_t s;
    sql_error_t perr;
    if (sql_parse_script(src, &s, &perr) < 0 || s.count != 1) {
        if (s.tree)
            sql_script_dispose(&s);
        free(src);
        return pgrst_error_setf(err, "42601", "%s",
                                perr.message[0] ? perr.message : "syntax error"),
               NULL;
    }
    if (c->nparsed == c->capparsed) {
        c->capparsed = c->capparsed ? 2 * c->capparsed : 8;
        c->parsed = xrealloc(c->parsed, c->capparsed * sizeof *c->parsed);
    }
    parsed_t *p = &c->parsed[c->nparsed++];
    p->query = query;
    p->tree = s.tree;
    p->stmt = s.stmts[0].node;
    p->src = src;
    s.tree = NULL;
    sql_script_dispose(&s);
    return p;
}

static sql_scope_t scope_of(const frame_t *fr)
{
    return (sql_scope_t){fr, SQL_CONFLICT_ERROR, scope_resolve, scope_value};
}

static int run_sql(frame_t *fr, const char *query, bool as_expr, sql_result_t *out,
                   pgrst_error_t *err)
{
    sql_result_init(out);
    const parsed_t *p = parse_cached(fr, query, as_expr, err);
    if (!p)
        return -1;
    sql_scope_t scope = scope_of(fr);
    return mem_func_run_stmt(fr->f, fr->env, &scope, p->stmt, p->src, out, err);
}

/* exec_eval_expr: one column, at most one row (none: NULL). */
static int eval(frame_t *fr, const char *query, pgvalue_t *out, pgtype_t *type, pgrst_error_t *err)
{
    sql_result_t r;
    if (run_sql(fr, query, true, &r, err) < 0)
        return -1;
    int rc = 0;
    if (r.ncols != 1) {
        rc = pgrst_error_setf(err, "42601", "query returned %zu %s", r.ncols,
                              r.ncols == 1 ? "column" : "columns");
    } else if (r.nrows > 1) {
        rc = pgrst_error_setf(err, "21000", "query returned more than one row");
    } else {
        *type = r.types[0];
        if (r.nrows == 1)
            pgvalue_copy(out, &r.values[0]);
        else
            pgvalue_init_null(out);
    }
    sql_result_dispose(&r);
    return rc;
}

static int eval_bool(frame_t *fr, const char *query, bool *out, pgrst_error_t *err)
{
    pgvalue_t v;
    pgtype_t t;
    pgvalue_init_null(&v);
    if (eval(fr, query, &v, &t, err) < 0)
        return -1;
    if (t.kind != PGTYPE_BOOL || t.is_array) {
        char scratch[128];
        pgvalue_dispose(&v);
        return pgrst_error_setf(err, "42804", "query \"%s\" did not return boolean? type %s", query,
                                pgtype_name(&t, scratch, sizeof scratch));
    }
    *out = !v.is_null && v.i != 0;
    pgvalue_dispose(&v);
    return 0;
}

/* Assigns v (of type from) to datum d's variable, coerced to its type (an
 * untyped one takes from's). */
static int assign_var(frame_t *fr, int d, const pgtype_t *from, const pgvalue_t *v,
                      pgrst_error_t *err)
{
    var_t *x = &fr->vars[d];
    if (fr->c->datums[d].is_const)
        return pgrst_error_setf(err, "22005", "variable \"%s\" is declared CONSTANT",
                                fr->c->datums[d].name);
    if (!x->typed) {
        x->type = *from;
        x->typed = true;
    }
    pgvalue_t nv;
    pgvalue_init_null(&nv);
    if (sql_exec_assign(from, v, &x->type, &nv, err) < 0)
        return -1;
    pgvalue_dispose(&x->value);
    x->value = nv;
    return 0;
}

static int assign_field(frame_t *fr, int rec, const char *field, const pgtype_t *from,
                        const pgvalue_t *v, pgrst_error_t *err)
{
    var_t *x = &fr->vars[rec];
    const char *rname = fr->c->datums[rec].name;
    if (!x->rec_set) {
        pgrst_error_setf(err, "55000", "record \"%s\" is not assigned yet", rname);
        pgrst_error_detailsf(err,
                             "The tuple structure of a not-yet-assigned record is indeterminate.");
        return -1;
    }
    for (size_t i = 0; i < x->nf; i++) {
        if (strcmp(x->fnames[i], field) != 0)
            continue;
        pgvalue_t nv;
        pgvalue_init_null(&nv);
        if (sql_exec_assign(from, v, &x->ftypes[i], &nv, err) < 0)
            return -1;
        pgvalue_dispose(&x->fvals[i]);
        x->fvals[i] = nv;
        return 0;
    }
    return pgrst_error_setf(err, "42703", "record \"%s\" has no field \"%s\"", rname, field);
}

static int assign_target(frame_t *fr, int d, const pgtype_t *from, const pgvalue_t *v,
                         pgrst_error_t *err)
{
    const datum_t *dt = &fr->c->datums[d];
    if (dt->kind == D_RECFIELD)
        return assign_field(fr, dt->parent, dt->field, from, v, err);
    return assign_var(fr, d, from, v, err);
}

static void set_found(frame_t *fr, bool found)
{
    if (fr->c->found < 0)
        return;
    var_t *x = &fr->vars[fr->c->found];
    pgvalue_dispose(&x->value);
    pgvalue_init_null(&x->value);
    x->value.is_null = false;
    x->value.i = found;
}

/* Row r of a result into an INTO target (a row of variables, or one record). */
static int into_target(frame_t *fr, const cJSON *target, const sql_result_t *r, size_t row,
                       pgrst_error_t *err)
{
    const cJSON *fields = get(get(target, "PLpgSQL_row"), "fields");
    const cJSON *rec = get(target, "PLpgSQL_rec");
    int single = -1;
    if (rec) {
        single = num(rec, "dno", 0);
    } else if (fields && fields->child && !fields->child->next) {
        int d = num(fields->child, "varno", 0);
        if (d >= 0 && (size_t)d < fr->c->ndatums && fr->c->datums[d].kind == D_RECORD)
            single = d;
    }
    if (single >= 0) {
        var_t *x = &fr->vars[single];
        const datum_t *dt = &fr->c->datums[single];
        if (dt->rowtype) {
            /* %ROWTYPE: the columns by position, coerced. */
            record_of_table(x, dt->rowtype, NULL);
            for (size_t i = 0; i < x->nf && i < r->ncols; i++) {
                const pgvalue_t *v = row < r->nrows ? &r->values[row * r->ncols + i] : NULL;
                pgvalue_t nv;
                pgvalue_init_null(&nv);
                if (v && sql_exec_assign(&r->types[i], v, &x->ftypes[i], &nv, err) < 0)
                    return -1;
                pgvalue_dispose(&x->fvals[i]);
                x->fvals[i] = nv;
            }
            return 0;
        }
        record_set(x, r->ncols, r->names, r->types,
                   row < r->nrows ? &r->values[row * r->ncols] : NULL);
        return 0;
    }
    size_t i = 0;
    for (const cJSON *fld = fields ? fields->child : NULL; fld; fld = fld->next, i++) {
        int d = num(fld, "varno", 0);
        if (d < 0 || (size_t)d >= fr->c->ndatums)
            continue;
        pgvalue_t null;
        pgvalue_init_null(&null);
        const pgvalue_t *v =
            i < r->ncols && row < r->nrows ? &r->values[row * r->ncols + i] : &null;
        pgtype_t t = i < r->ncols ? r->types[i] : fr->text_type;
        if (assign_target(fr, d, &t, v, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- results ---- */

static void out_add_row(frame_t *fr, const pgvalue_t *vals)
{
    sql_result_t *o = fr->out;
    size_t n = o->ncols ? o->ncols : 1;
    if (o->nrows == fr->out_cap) {
        fr->out_cap = fr->out_cap ? 2 * fr->out_cap : 8;
        o->values = xrealloc(o->values, fr->out_cap * n * sizeof *o->values);
    }
    for (size_t c = 0; c < o->ncols; c++)
        pgvalue_copy(&o->values[o->nrows * n + c], &vals[c]);
    o->nrows++;
}

/* The values of the function's OUT parameters, as a row. */
static int out_params_row(frame_t *fr, pgvalue_t *row, pgrst_error_t *err)
{
    (void)err;
    size_t k = 0;
    for (size_t i = 0; i < fr->c->ndatums && k < fr->out->ncols; i++) {
        const datum_t *d = &fr->c->datums[i];
        if (d->param < 0)
            continue;
        scenario_arg_mode_t m = fr->f->params[d->param].mode;
        if (m != SCENARIO_ARG_OUT && m != SCENARIO_ARG_INOUT && m != SCENARIO_ARG_TABLE)
            continue;
        pgvalue_copy(&row[k++], &fr->vars[i].value);
    }
    return 0;
}

/* A record variable as the function's row (by position, coerced). */
static int record_row(frame_t *fr, int d, pgvalue_t *row, pgrst_error_t *err)
{
    var_t *x = &fr->vars[d];
    if (!x->rec_set) {
        pgrst_error_setf(err, "55000", "record \"%s\" is not assigned yet", fr->c->datums[d].name);
        pgrst_error_detailsf(err,
                             "The tuple structure of a not-yet-assigned record is indeterminate.");
        return -1;
    }
    if (x->nf != fr->out->ncols)
        return pgrst_error_setf(err, "42804",
                                "returned record type does not match expected "
                                "record type");
    for (size_t i = 0; i < x->nf; i++)
        if (sql_exec_assign(&x->ftypes[i], &x->fvals[i], &fr->out->types[i], &row[i], err) < 0)
            return -1;
    return 0;
}

/* One value or row for RETURN / RETURN NEXT: expr (NULL: the OUT
 * parameters). */
static int return_value(frame_t *fr, const char *query, pgrst_error_t *err)
{
    sql_result_t *o = fr->out;
    if (fr->f->kind == MEM_RET_VOID)
        return 0;
    pgvalue_t *row = xcalloc(o->ncols ? o->ncols : 1, sizeof *row);
    for (size_t i = 0; i < o->ncols; i++)
        pgvalue_init_null(&row[i]);
    int rc = 0;
    int d = -1;
    if (query) {
        char name[64];
        snprintf(name, sizeof name, "%s", query);
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        d = lookup(fr, name);
        if (d >= 0 && fr->c->datums[d].kind != D_RECORD)
            d = -1;
    }
    if (!query) {
        rc = out_params_row(fr, row, err);
    } else if (d >= 0) {
        rc = record_row(fr, d, row, err);
    } else if (fr->f->kind == MEM_RET_SCALAR) {
        pgvalue_t v;
        pgtype_t t;
        pgvalue_init_null(&v);
        rc = eval(fr, query, &v, &t, err);
        if (rc == 0)
            rc = sql_exec_assign(&t, &v, &o->types[0], &row[0], err);
        pgvalue_dispose(&v);
    } else {
        /* A row from a query of as many columns. */
        sql_result_t r;
        rc = run_sql(fr, query, true, &r, err);
        if (rc == 0 && r.ncols != o->ncols)
            rc = pgrst_error_setf(err, "42804",
                                  "returned record type does not match expected record type");
        for (size_t i = 0; rc == 0 && i < o->ncols && r.nrows; i++)
            rc = sql_exec_assign(&r.types[i], &r.values[i], &o->types[i], &row[i], err);
        if (rc == 0 || r.ncols)
            sql_result_dispose(&r);
    }
    if (rc == 0)
        out_add_row(fr, row);
    for (size_t i = 0; i < o->ncols; i++)
        pgvalue_dispose(&row[i]);
    free(row);
    return rc;
}

/* The variable a RETURN / RETURN NEXT without an expression names on its
 * line of the body ("return next k;"), NULL when it names none. */
static const char *retvar(frame_t *fr, const cJSON *stmt, int lineno, bool next)
{
    compiled_t *c = fr->c;
    for (size_t i = 0; i < c->nretvars; i++)
        if (c->retvars[i].stmt == stmt)
            return c->retvars[i].name;
    const char *p = c->body;
    for (int l = 1; p && l < lineno; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    char *name = NULL;
    while (p && *p && *p != '\n' && !name) {
        if (strncasecmp(p, "return", 6) == 0 && (p == c->body || !isalnum((unsigned char)p[-1]))) {
            const char *q = p + 6;
            while (*q == ' ' || *q == '\t')
                q++;
            if (next) {
                if (strncasecmp(q, "next", 4) != 0 || isalnum((unsigned char)q[4])) {
                    p++;
                    continue;
                }
                q += 4;
                while (*q == ' ' || *q == '\t')
                    q++;
            }
            const char *e = q;
            while (isalnum((unsigned char)*e) || *e == '_' || *e == '$')
                e++;
            const char *t = e;
            while (*t == ' ' || *t == '\t')
                t++;
            if (e > q && *t == ';') {
                name = xmalloc((size_t)(e - q) + 1);
                for (size_t k = 0; k < (size_t)(e - q); k++)
                    name[k] = (char)tolower((unsigned char)q[k]);
                name[e - q] = '\0';
                if (strcmp(name, "next") == 0 || strcmp(name, "query") == 0) {
                    free(name);
                    name = NULL;
                }
            }
        }
        p++;
    }
    if (!name)
        return NULL;
    if (c->nretvars == c->capretvars) {
        c->capretvars = c->capretvars ? 2 * c->capretvars : 4;
        c->retvars = xrealloc(c->retvars, c->capretvars * sizeof *c->retvars);
    }
    c->retvars[c->nretvars++] = (struct retvar){stmt, name};
    return name;
}

/* ---- RAISE ---- */

static int raise_text(frame_t *fr, const cJSON *expr, char **out, pgrst_error_t *err)
{
    pgvalue_t v;
    pgtype_t t;
    pgvalue_init_null(&v);
    if (eval(fr, query_of(expr), &v, &t, err) < 0)
        return -1;
    buf_t b;
    buf_init(&b);
    if (!v.is_null)
        pgvalue_render_text(&t, &v, &b);
    pgvalue_dispose(&v);
    free(*out);
    *out = buf_steal(&b);
    return 0;
}

/* An errcode as RAISE takes it: five characters of [0-9A-Z], or a
 * condition name. */
static const char *sqlstate_of(const char *s, pgrst_error_t *err)
{
    if (strlen(s) == 5 && strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 5)
        return s;
    const char *c = plpgsql_condition_sqlstate(s);
    if (!c)
        pgrst_error_setf(err, "42704", "unrecognized exception condition \"%s\"", s);
    return c;
}

static int do_raise(frame_t *fr, const cJSON *b, pgrst_error_t *err)
{
    int level = num(b, "elog_level", 21);
    if (level < 21)
        return 0; /* NOTICE, WARNING, ...: for the client's log only */
    const char *condname = str(b, "condname");
    const char *fmt = str(b, "message");
    if (!condname && !fmt && !get(b, "options"))
        return pgrst_error_setf(err, "0Z002",
                                "RAISE without parameters cannot be used outside "
                                "an exception handler");
    char code[6] = "P0001";
    char *message = NULL, *detail = NULL, *hint = NULL;
    int rc = 0;
    if (condname) {
        const char *s = sqlstate_of(condname, err);
        if (!s)
            return -1;
        snprintf(code, sizeof code, "%s", s);
    }
    if (fmt) {
        /* % takes the next parameter's text (NULL: <NULL>), %% is %. */
        buf_t m;
        buf_init(&m);
        const cJSON *p = get(b, "params") ? get(b, "params")->child : NULL;
        for (const char *c = fmt; *c && rc == 0; c++) {
            if (c[0] == '%' && c[1] == '%') {
                buf_putc(&m, '%');
                c++;
            } else if (c[0] == '%' && p) {
                pgvalue_t v;
                pgtype_t t;
                pgvalue_init_null(&v);
                rc = eval(fr, query_of(p), &v, &t, err);
                if (rc == 0) {
                    if (v.is_null)
                        buf_puts(&m, "<NULL>");
                    else
                        pgvalue_render_text(&t, &v, &m);
                }
                pgvalue_dispose(&v);
                p = p->next;
            } else {
                buf_putc(&m, *c);
            }
        }
        message = buf_steal(&m);
    }
    const cJSON *opts = get(b, "options");
    for (const cJSON *o = opts ? opts->child : NULL; o && rc == 0; o = o->next) {
        const cJSON *ro = get(o, "PLpgSQL_raise_option");
        int type = num(ro, "opt_type", -1);
        const cJSON *expr = get(ro, "expr");
        char *text = NULL;
        if (raise_text(fr, expr, &text, err) < 0) {
            rc = -1;
            break;
        }
        switch (type) {
        case 0: { /* ERRCODE */
            const char *s = sqlstate_of(text, err);
            if (!s)
                rc = -1;
            else
                snprintf(code, sizeof code, "%s", s);
            free(text);
            break;
        }
        case 1: /* MESSAGE */
            free(message);
            message = text;
            break;
        case 2: /* DETAIL */
            free(detail);
            detail = text;
            break;
        case 3: /* HINT */
            free(hint);
            hint = text;
            break;
        default: /* COLUMN, CONSTRAINT, DATATYPE, TABLE, SCHEMA: not in the body */
            free(text);
            break;
        }
    }
    if (rc == 0) {
        /* No message: the condition's name, else the SQLSTATE itself. */
        pgrst_error_setf(err, code, "%s", message ? message : condname ? condname : code);
        if (detail)
            pgrst_error_detailsf(err, "%s", detail);
        if (hint)
            pgrst_error_hintf(err, "%s", hint);
    }
    free(message);
    free(detail);
    free(hint);
    return -1;
}

/* ---- statements ---- */

static int exec_list(frame_t *fr, const cJSON *list, pgrst_error_t *err);

/* Does a loop with this label (or none) catch an EXIT/CONTINUE? */
static bool catches(frame_t *fr, const cJSON *loop)
{
    if (!fr->exit_label)
        return true;
    const char *label = str(loop, "label");
    if (label && strcmp(label, fr->exit_label) == 0) {
        fr->exit_label = NULL;
        return true;
    }
    return false;
}

/* After a loop body: -1 error, 0 go on, 1 leave the loop with rc in *out. */
static int loop_step(frame_t *fr, const cJSON *loop, int rc, int *out)
{
    if (rc == PL_ERROR || rc == PL_RETURN) {
        *out = rc;
        return 1;
    }
    if (rc == PL_EXIT) {
        *out = catches(fr, loop) ? PL_OK : PL_EXIT;
        return 1;
    }
    if (rc == PL_CONTINUE && !catches(fr, loop)) {
        *out = PL_CONTINUE;
        return 1;
    }
    return 0;
}

static int charge(frame_t *fr, pgrst_error_t *err)
{
    if (!mock_work_charge(fr->env->work, MEM_FUNC_PLPGSQL_STEPS)) {
        const mock_work_t *w = fr->env->work;
        if (w->fail_code)
            return pgrst_error_setf(err, w->fail_code, "%s", w->fail_message);
        return pgrst_error_setf(err, "57014", "canceling statement due to statement timeout");
    }
    return 0;
}

/* The loop variable of a FOR over integers: its datum (matched by name and
 * line: the tree repeats it inline). */
static int loop_datum(frame_t *fr, const cJSON *var)
{
    const cJSON *v = get(var, "PLpgSQL_var");
    const char *name = str(v, "refname");
    int line = num(v, "lineno", 0);
    for (size_t i = 0; name && i < fr->c->ndatums; i++) {
        const datum_t *d = &fr->c->datums[i];
        if (d->loop_var && d->name && strcmp(d->name, name) == 0 && d->lineno == line)
            return (int)i;
    }
    return -1;
}

static int exec_fori(frame_t *fr, const cJSON *b, pgrst_error_t *err)
{
    int d = loop_datum(fr, get(b, "var"));
    if (d < 0 || fr->nloops >= sizeof fr->loops / sizeof fr->loops[0])
        return pgrst_error_setf(err, "XX000", "FOR loop variable not found");
    pgtype_t int4;
    pgtype_parse("integer", NULL, 0, &int4, NULL);
    long long bounds[3] = {0, 0, 1};
    const char *keys[3] = {"lower", "upper", "step"};
    static const char *const what[3] = {"lower bound of FOR loop cannot be null",
                                        "upper bound of FOR loop cannot be null",
                                        "BY value of FOR loop cannot be null"};
    for (int i = 0; i < 3; i++) {
        const char *q = query_of(get(b, keys[i]));
        if (!q)
            continue;
        pgvalue_t v, iv;
        pgtype_t t;
        pgvalue_init_null(&v);
        pgvalue_init_null(&iv);
        if (eval(fr, q, &v, &t, err) < 0)
            return PL_ERROR;
        int rc = sql_exec_assign(&t, &v, &int4, &iv, err);
        pgvalue_dispose(&v);
        if (rc < 0)
            return PL_ERROR;
        if (iv.is_null)
            return pgrst_error_setf(err, "22004", "%s", what[i]);
        bounds[i] = iv.i;
        pgvalue_dispose(&iv);
    }
    if (bounds[2] <= 0)
        return pgrst_error_setf(err, "22023", "BY value of FOR loop must be greater than zero");
    bool reverse = cJSON_IsTrue(get(b, "reverse"));
    var_t *x = &fr->vars[d];
    x->type = int4;
    x->typed = true;
    fr->loops[fr->nloops++] = d;
    int out = PL_OK;
    bool found = false;
    for (long long i = bounds[0]; reverse ? i >= bounds[1] : i <= bounds[1];
         i += reverse ? -bounds[2] : bounds[2]) {
        found = true;
        if (charge(fr, err) < 0) {
            out = PL_ERROR;
            break;
        }
        pgvalue_dispose(&x->value);
        pgvalue_init_null(&x->value);
        x->value.is_null = false;
        x->value.i = i;
        int rc = exec_list(fr, get(b, "body"), err);
        if (loop_step(fr, b, rc, &out))
            break;
    }
    fr->nloops--;
    if (out != PL_ERROR)
        set_found(fr, found);
    return out;
}

static int exec_fors(frame_t *fr, const cJSON *b, pgrst_error_t *err)
{
    sql_result_t r;
    if (run_sql(fr, query_of(get(b, "query")), false, &r, err) < 0)
        return PL_ERROR;
    int out = PL_OK;
    for (size_t i = 0; i < r.nrows; i++) {
        if (charge(fr, err) < 0 || into_target(fr, get(b, "var"), &r, i, err) < 0) {
            out = PL_ERROR;
            break;
        }
        int rc = exec_list(fr, get(b, "body"), err);
        if (loop_step(fr, b, rc, &out))
            break;
    }
    if (out != PL_ERROR)
        set_found(fr, r.nrows > 0);
    sql_result_dispose(&r);
    return out;
}

static int exec_execsql(frame_t *fr, const cJSON *b, pgrst_error_t *err)
{
    sql_result_t r;
    if (run_sql(fr, query_of(get(b, "sqlstmt")), false, &r, err) < 0)
        return PL_ERROR;
    fr->row_count = r.rows_affected;
    int rc = PL_OK;
    if (cJSON_IsTrue(get(b, "into"))) {
        bool strict = cJSON_IsTrue(get(b, "strict"));
        bool mod = strcmp(r.command ? r.command : "SELECT", "SELECT") != 0;
        if (r.nrows == 0 && strict) {
            rc = pgrst_error_setf(err, "P0002", "query returned no rows");
        } else if (r.nrows > 1 && (strict || mod)) {
            pgrst_error_setf(err, "P0003", "query returned more than one row");
            pgrst_error_hintf(err, "Make sure the query returns a single row, or use LIMIT 1.");
            rc = PL_ERROR;
        } else {
            rc = into_target(fr, get(b, "target"), &r, 0, err);
        }
        if (rc == PL_OK)
            set_found(fr, r.nrows > 0);
    } else {
        set_found(fr, r.rows_affected > 0);
    }
    sql_result_dispose(&r);
    return rc;
}

/* `x := expr`: the text after the assignment operator. */
static const char *assigned_expr(const char *q)
{
    bool quoted = false;
    for (const char *p = q; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        if (quoted)
            continue;
        if (p[0] == ':' && p[1] == '=')
            return p + 2;
        if (p[0] == '=')
            return p + 1;
    }
    return q;
}

static int exec_assign(frame_t *fr, const cJSON *b, pgrst_error_t *err)
{
    const char *q = query_of(get(b, "expr"));
    int d = num(b, "varno", 0); /* 0 is left out of the JSON */
    if (!q || d < 0 || (size_t)d >= fr->c->ndatums)
        return pgrst_error_setf(err, "XX000", "assignment target not found");
    const char *rhs = assigned_expr(q);
    while (*rhs == ' ' || *rhs == '\t' || *rhs == '\n')
        rhs++;
    /* The parsed rhs is cached by its own address (inside the tree's text). */
    pgvalue_t v;
    pgtype_t t;
    pgvalue_init_null(&v);
    if (eval(fr, rhs, &v, &t, err) < 0)
        return PL_ERROR;
    int rc = assign_target(fr, d, &t, &v, err);
    pgvalue_dispose(&v);
    return rc;
}

static int exec_stmt(frame_t *fr, const cJSON *s, pgrst_error_t *err)
{
    const char *kind = s->child ? s->child->string : "";
    const cJSON *b = s->child;
    if (charge(fr, err) < 0)
        return PL_ERROR;
    if (strcmp(kind, "PLpgSQL_stmt_block") == 0) {
        int rc = exec_list(fr, get(b, "body"), err);
        if (rc == PL_EXIT && fr->exit_label && str(b, "label") &&
            strcmp(fr->exit_label, str(b, "label")) == 0) {
            fr->exit_label = NULL;
            return PL_OK;
        }
        return rc;
    }
    if (strcmp(kind, "PLpgSQL_stmt_assign") == 0)
        return exec_assign(fr, b, err);
    if (strcmp(kind, "PLpgSQL_stmt_if") == 0) {
        bool yes;
        if (eval_bool(fr, query_of(get(b, "cond")), &yes, err) < 0)
            return PL_ERROR;
        if (yes)
            return exec_list(fr, get(b, "then_body"), err);
        for (const cJSON *e = get(b, "elsif_list") ? get(b, "elsif_list")->child : NULL; e;
             e = e->next) {
            const cJSON *ei = get(e, "PLpgSQL_if_elsif");
            if (eval_bool(fr, query_of(get(ei, "cond")), &yes, err) < 0)
                return PL_ERROR;
            if (yes)
                return exec_list(fr, get(ei, "stmts"), err);
        }
        return exec_list(fr, get(b, "else_body"), err);
    }
    if (strcmp(kind, "PLpgSQL_stmt_case") == 0) {
        const char *t = query_of(get(b, "t_expr"));
        if (t) {
            int d = num(b, "t_varno", 0);
            pgvalue_t v;
            pgtype_t ty;
            pgvalue_init_null(&v);
            if (d < 0 || eval(fr, t, &v, &ty, err) < 0)
                return PL_ERROR;
            fr->vars[d].typed = false;
            int rc = assign_var(fr, d, &ty, &v, err);
            pgvalue_dispose(&v);
            if (rc < 0)
                return PL_ERROR;
        }
        for (const cJSON *e = get(b, "case_when_list") ? get(b, "case_when_list")->child : NULL; e;
             e = e->next) {
            const cJSON *cw = get(e, "PLpgSQL_case_when");
            bool yes;
            if (eval_bool(fr, query_of(get(cw, "expr")), &yes, err) < 0)
                return PL_ERROR;
            if (yes)
                return exec_list(fr, get(cw, "stmts"), err);
        }
        if (cJSON_IsTrue(get(b, "have_else")))
            return exec_list(fr, get(b, "else_stmts"), err);
        pgrst_error_setf(err, "20000", "case not found");
        pgrst_error_hintf(err, "CASE statement is missing ELSE part.");
        return PL_ERROR;
    }
    if (strcmp(kind, "PLpgSQL_stmt_loop") == 0 || strcmp(kind, "PLpgSQL_stmt_while") == 0) {
        bool is_while = kind[13] == 'w';
        for (;;) {
            if (charge(fr, err) < 0)
                return PL_ERROR;
            if (is_while) {
                bool yes;
                if (eval_bool(fr, query_of(get(b, "cond")), &yes, err) < 0)
                    return PL_ERROR;
                if (!yes)
                    return PL_OK;
            }
            int out, rc = exec_list(fr, get(b, "body"), err);
            if (loop_step(fr, b, rc, &out))
                return out;
        }
    }
    if (strcmp(kind, "PLpgSQL_stmt_fori") == 0)
        return exec_fori(fr, b, err);
    if (strcmp(kind, "PLpgSQL_stmt_fors") == 0)
        return exec_fors(fr, b, err);
    if (strcmp(kind, "PLpgSQL_stmt_exit") == 0) {
        const char *cond = query_of(get(b, "cond"));
        if (cond) {
            bool yes;
            if (eval_bool(fr, cond, &yes, err) < 0)
                return PL_ERROR;
            if (!yes)
                return PL_OK;
        }
        fr->exit_label = str(b, "label");
        return cJSON_IsTrue(get(b, "is_exit")) ? PL_EXIT : PL_CONTINUE;
    }
    if (strcmp(kind, "PLpgSQL_stmt_return") == 0) {
        const char *q = query_of(get(b, "expr"));
        if (!q)
            q = retvar(fr, b, num(b, "lineno", 0), false);
        if (fr->tc) {
            /* RETURN NEW / OLD / NULL: the row the trigger hands back. */
            char name[16] = "";
            if (q)
                snprintf(name, sizeof name, "%s", q);
            for (char *p = name; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            int d = q ? lookup(fr, name) : -1;
            if (d >= 0 && fr->c->datums[d].kind == D_RECORD && fr->vars[d].rec_set) {
                var_t *x = &fr->vars[d];
                fr->tc->returned = xcalloc(x->nf ? x->nf : 1, sizeof *fr->tc->returned);
                for (size_t i = 0; i < x->nf; i++)
                    pgvalue_copy(&fr->tc->returned[i], &x->fvals[i]);
                fr->tc->returned_null = false;
            } else {
                fr->tc->returned_null = true;
            }
            return PL_RETURN;
        }
        if (!fr->f->returns_set && fr->f->kind != MEM_RET_VOID) {
            if (!q && fr->f->kind == MEM_RET_ROW && fr->out->ncols && !get(b, "retvarno") &&
                fr->f->rowtype)
                return PL_RETURN;
            if (return_value(fr, q, err) < 0)
                return PL_ERROR;
        }
        return PL_RETURN;
    }
    if (strcmp(kind, "PLpgSQL_stmt_return_next") == 0) {
        const char *q = query_of(get(b, "expr"));
        if (!q && !(fr->f->kind == MEM_RET_ROW && !fr->f->rowtype))
            q = retvar(fr, b, num(b, "lineno", 0), true);
        return return_value(fr, q, err) < 0 ? PL_ERROR : PL_OK;
    }
    if (strcmp(kind, "PLpgSQL_stmt_return_query") == 0) {
        sql_result_t r;
        if (run_sql(fr, query_of(get(b, "query")), false, &r, err) < 0)
            return PL_ERROR;
        sql_result_t shaped;
        int rc = mem_func_shape_result(fr->f, &r, &shaped, err);
        /* shape_result keeps one row for a non-set; RETURN QUERY is only
         * allowed in a set-returning function (the parser says so). */
        for (size_t i = 0; rc == 0 && i < shaped.nrows; i++)
            out_add_row(fr, &shaped.values[i * shaped.ncols]);
        fr->row_count = r.nrows;
        set_found(fr, r.nrows > 0);
        sql_result_dispose(&shaped);
        sql_result_dispose(&r);
        return rc < 0 ? PL_ERROR : PL_OK;
    }
    if (strcmp(kind, "PLpgSQL_stmt_raise") == 0)
        return do_raise(fr, b, err);
    if (strcmp(kind, "PLpgSQL_stmt_execsql") == 0)
        return exec_execsql(fr, b, err);
    if (strcmp(kind, "PLpgSQL_stmt_perform") == 0) {
        sql_result_t r;
        if (run_sql(fr, query_of(get(b, "expr")), false, &r, err) < 0)
            return PL_ERROR;
        fr->row_count = r.nrows;
        set_found(fr, r.nrows > 0);
        sql_result_dispose(&r);
        return PL_OK;
    }
    if (strcmp(kind, "PLpgSQL_stmt_getdiag") == 0) {
        pgtype_t int8;
        pgtype_parse("bigint", NULL, 0, &int8, NULL);
        pgvalue_t v;
        pgvalue_init_null(&v);
        v.is_null = false;
        v.i = (int64_t)fr->row_count;
        for (const cJSON *it = get(b, "diag_items") ? get(b, "diag_items")->child : NULL; it;
             it = it->next) {
            int d = num(get(it, "PLpgSQL_diag_item"), "target", 0);
            if (d >= 0 && (size_t)d < fr->c->ndatums && assign_target(fr, d, &int8, &v, err) < 0)
                return PL_ERROR;
        }
        return PL_OK;
    }
    return pgrst_error_setf(err, "0A000", "%s is not run by the memory engine", kind);
}

static int exec_list(frame_t *fr, const cJSON *list, pgrst_error_t *err)
{
    for (const cJSON *s = cJSON_IsArray(list) ? list->child : NULL; s; s = s->next) {
        int rc = exec_stmt(fr, s, err);
        if (rc != PL_OK)
            return rc;
    }
    return PL_OK;
}

/* ---- a call ---- */

static void set_text(var_t *v, const char *s)
{
    pgvalue_init_null(&v->value);
    v->value.is_null = false;
    v->value.s = xstrdup(s);
}

int plpgsql_call(const mem_func_t *f, const pgvalue_t *args, const mem_call_env_t *env,
                 mem_trigger_call_t *tc, sql_result_t *out, pgrst_error_t *err)
{
    compiled_t *c = f->compiled;
    frame_t fr;
    memset(&fr, 0, sizeof fr);
    fr.f = f;
    fr.c = c;
    fr.env = env;
    fr.args = args;
    fr.tc = tc;
    pgtype_parse("text", NULL, 0, &fr.text_type, NULL);
    fr.vars = xcalloc(c->ndatums ? c->ndatums : 1, sizeof *fr.vars);
    /* The result's shape, rows added as they come. */
    sql_result_init(out);
    if (mem_func_shape_result(f, NULL, out, err) < 0)
        return -1;
    for (size_t i = 0; i < out->nrows * out->ncols; i++)
        pgvalue_dispose(&out->values[i]);
    out->nrows = 0;
    fr.out = out;
    fr.out_cap = f->returns_set ? 0 : 1; /* what shape_result allocated */
    if (tc) {
        set_text(&fr.tg[TG_OP], tc->op);
        set_text(&fr.tg[TG_NAME], tc->name);
        set_text(&fr.tg[TG_WHEN], tc->when);
        set_text(&fr.tg[TG_LEVEL], "ROW");
        set_text(&fr.tg[TG_TABLE_NAME], store_table_name(tc->table));
        set_text(&fr.tg[TG_TABLE_SCHEMA], store_table_schema(tc->table));
        set_text(&fr.tg[TG_RELNAME], store_table_name(tc->table));
    }
    int rc = 0;
    for (size_t i = 0; i < c->ndatums; i++) {
        var_t *v = &fr.vars[i];
        const datum_t *d = &c->datums[i];
        pgvalue_init_null(&v->value);
        v->typed = d->typed;
        v->type = d->type;
        if (d->kind == D_RECORD && d->rowtype) {
            /* A row-type argument's elems are its columns (mem_func.h). */
            const pgvalue_t *row = d->param >= 0 && args ? &args[d->param] : NULL;
            record_of_table(v, d->rowtype, row && !row->is_null ? row->elems : NULL);
        } else if (d->param >= 0 && args) {
            pgvalue_copy(&v->value, &args[d->param]);
        }
        /* NEW in a DELETE trigger and OLD in an INSERT one are NULL rows
         * of the table (their fields read as NULL). */
        if (tc && (int)i == c->new_no)
            record_of_table(v, tc->table, tc->new_row);
        if (tc && (int)i == c->old_no)
            record_of_table(v, tc->table, tc->old_row);
    }
    set_found(&fr, false);
    /* DECLARE defaults, in order (a default may use an earlier variable). */
    for (size_t i = 0; i < c->ndatums && rc == 0; i++) {
        const datum_t *d = &c->datums[i];
        if (!d->default_query)
            continue;
        pgvalue_t v;
        pgtype_t t;
        pgvalue_init_null(&v);
        rc = eval(&fr, d->default_query, &v, &t, err);
        if (rc == 0) {
            bool was_const = d->is_const;
            ((datum_t *)d)->is_const = false;
            rc = assign_var(&fr, (int)i, &t, &v, err);
            ((datum_t *)d)->is_const = was_const;
        }
        pgvalue_dispose(&v);
    }
    if (rc == 0) {
        int r = exec_stmt(&fr, get(c->fn, "action"), err);
        if (r == PL_ERROR) {
            rc = -1;
        } else if (r == PL_EXIT || r == PL_CONTINUE) {
            rc = pgrst_error_setf(err, "42601", "%s cannot be used outside a loop",
                                  r == PL_EXIT ? "EXIT" : "CONTINUE");
        } else if (r != PL_RETURN && !f->returns_set && f->kind != MEM_RET_VOID && !tc) {
            if (f->kind == MEM_RET_ROW && !f->rowtype) {
                /* OUT parameters: falling off the end returns them. */
                rc = return_value(&fr, NULL, err);
            } else {
                rc = pgrst_error_setf(err, "2F005",
                                      "control reached end of function without RETURN");
            }
        } else if (r != PL_RETURN && tc) {
            rc = pgrst_error_setf(err, "2F005",
                                  "control reached end of trigger procedure without RETURN");
        }
    }
    if (rc == 0 && !f->returns_set && !tc && f->kind != MEM_RET_VOID && out->nrows == 0) {
        /* RETURN of nothing (a row function's RETURN;): one row of NULLs. */
        pgvalue_t *row = xcalloc(out->ncols ? out->ncols : 1, sizeof *row);
        for (size_t i = 0; i < out->ncols; i++)
            pgvalue_init_null(&row[i]);
        out_add_row(&fr, row);
        free(row);
    }
    for (size_t i = 0; i < c->ndatums; i++) {
        record_clear(&fr.vars[i]);
        pgvalue_dispose(&fr.vars[i].value);
    }
    for (int i = 0; i < TG_COUNT; i++)
        pgvalue_dispose(&fr.tg[i].value);
    free(fr.vars);
    return rc;
}
