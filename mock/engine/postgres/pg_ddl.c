/* Scenario -> SQL statements, in the order pg_ddl.h describes. */
#include "pg_ddl.h"

#include "buf.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The roles Supabase's baseline creates; anything else a scenario names is
 * created (NOLOGIN, granted to authenticator so SET ROLE works). */
static const char *const api_roles[] = {"anon", "authenticated", "service_role"};

char *pg_ddl_ident(const char *name)
{
    buf_t b;
    buf_init(&b);
    buf_putc(&b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            buf_putc(&b, '"');
        buf_putc(&b, *p);
    }
    buf_putc(&b, '"');
    return buf_steal(&b);
}

char *pg_ddl_literal(const char *text)
{
    buf_t b;
    buf_init(&b);
    buf_putc(&b, '\'');
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            buf_putc(&b, '\'');
        buf_putc(&b, *p);
    }
    buf_putc(&b, '\'');
    return buf_steal(&b);
}

static void put_ident(buf_t *b, const char *name)
{
    char *q = pg_ddl_ident(name);
    buf_puts(b, q);
    free(q);
}

static void put_literal(buf_t *b, const char *text)
{
    char *q = pg_ddl_literal(text);
    buf_puts(b, q);
    free(q);
}

static void put_qualified(buf_t *b, const char *schema, const char *name)
{
    put_ident(b, schema);
    buf_putc(b, '.');
    put_ident(b, name);
}

static void add(pg_ddl_t *d, pg_ddl_phase_t phase, scenario_pos_t pos, buf_t *b)
{
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 32;
        d->stmts = xrealloc(d->stmts, d->cap * sizeof *d->stmts);
    }
    d->stmts[d->count++] = (pg_ddl_stmt_t){.sql = buf_steal(b), .phase = phase, .pos = pos};
    buf_init(b);
}

void pg_ddl_dispose(pg_ddl_t *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->stmts[i].sql);
    free(d->stmts);
    memset(d, 0, sizeof *d);
}

size_t pg_ddl_count(const pg_ddl_t *d, pg_ddl_phase_t phase)
{
    size_t n = 0;
    for (size_t i = 0; i < d->count; i++)
        n += d->stmts[i].phase == phase;
    return n;
}

/* ---- types and values ---- */

static const scenario_enum_t *find_enum(const scenario_t *sc, const char *name, size_t len)
{
    for (size_t i = 0; i < sc->enum_count; i++)
        if (strlen(sc->enums[i].name) == len && strncmp(sc->enums[i].name, name, len) == 0)
            return &sc->enums[i];
    return NULL;
}

/* The scenario's type names are Postgres's (scenario.c checked them against
 * its list); an enum is quoted, with its [] kept. */
static void put_type(buf_t *b, const scenario_t *sc, const char *type)
{
    size_t len = strlen(type);
    bool array = len > 2 && strcmp(type + len - 2, "[]") == 0;
    size_t base = array ? len - 2 : len;
    if (find_enum(sc, type, base)) {
        char *name = xstrndup(type, base);
        buf_puts(b, "public.");
        put_ident(b, name);
        free(name);
        if (array)
            buf_puts(b, "[]");
        return;
    }
    buf_puts(b, type);
}

static bool is_array_type(const char *type)
{
    size_t len = strlen(type);
    return len > 2 && strcmp(type + len - 2, "[]") == 0;
}

/* A JSON scalar as the text Postgres would read from a literal. */
static char *scalar_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    if (cJSON_IsBool(v))
        return xstrdup(cJSON_IsTrue(v) ? "true" : "false");
    char *p = cJSON_PrintUnformatted(v);
    char *s = xstrdup(p);
    cJSON_free(p);
    return s;
}

/* A JSON array as an array literal's text: {"a","b",NULL}. */
static void put_array_text(buf_t *b, const cJSON *arr)
{
    buf_putc(b, '{');
    const cJSON *e;
    bool first = true;
    cJSON_ArrayForEach(e, arr)
    {
        if (!first)
            buf_putc(b, ',');
        first = false;
        if (cJSON_IsNull(e)) {
            buf_puts(b, "NULL");
            continue;
        }
        if (cJSON_IsArray(e)) {
            put_array_text(b, e);
            continue;
        }
        char *t = scalar_text(e);
        buf_putc(b, '"');
        for (const char *p = t; *p; p++) {
            if (*p == '"' || *p == '\\')
                buf_putc(b, '\\');
            buf_putc(b, *p);
        }
        buf_putc(b, '"');
        free(t);
    }
    buf_putc(b, '}');
}

/* A JSON value for a column of `type` as a SQL literal (an unknown-typed
 * literal that Postgres casts to the column's type, as an INSERT would). */
static void put_value(buf_t *b, const cJSON *v, const char *type)
{
    if (!v || cJSON_IsNull(v)) {
        buf_puts(b, "NULL");
        return;
    }
    if (cJSON_IsArray(v) && type && is_array_type(type)) {
        buf_t t;
        buf_init(&t);
        put_array_text(&t, v);
        put_literal(b, buf_cstr(&t));
        buf_dispose(&t);
        return;
    }
    char *t = scalar_text(v);
    put_literal(b, t);
    free(t);
}

/* A column default: the functions scenario.c allows, else a literal. */
static void put_default(buf_t *b, const scenario_t *sc, const scenario_table_t *st,
                        const scenario_column_t *c)
{
    const cJSON *v = c->default_value;
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        if (strcmp(s, "gen_random_uuid()") == 0 || strcmp(s, "now()") == 0 ||
            strcmp(s, "auth.uid()") == 0) {
            buf_puts(b, s);
            return;
        }
        if (strcmp(s, "uuid_generate_v4()") == 0) {
            buf_puts(b, "extensions.uuid_generate_v4()");
            return;
        }
        if (strcmp(s, "nextval") == 0) {
            /* The sequence named as serial's would be: TABLE_COL_seq. */
            char *seq = xasprintf("%s_%s_seq", st->name, c->name);
            buf_puts(b, "nextval(");
            buf_t q;
            buf_init(&q);
            put_qualified(&q, st->schema, seq);
            put_literal(b, buf_cstr(&q));
            buf_dispose(&q);
            buf_puts(b, "::regclass)");
            free(seq);
            return;
        }
    }
    put_value(b, v, c->type);
    buf_puts(b, "::");
    put_type(b, sc, c->type);
}

static bool uses_nextval(const scenario_column_t *c)
{
    return cJSON_IsString(c->default_value) &&
           strcmp(c->default_value->valuestring, "nextval") == 0;
}

static void put_column(buf_t *b, const scenario_t *sc, const scenario_table_t *st,
                       const scenario_column_t *c, bool with_pk)
{
    put_ident(b, c->name);
    buf_putc(b, ' ');
    put_type(b, sc, c->type);
    if (c->identity)
        buf_printf(b, " GENERATED %s AS IDENTITY",
                   strcmp(c->identity, "always") == 0 ? "ALWAYS" : "BY DEFAULT");
    if (c->default_value) {
        buf_puts(b, " DEFAULT ");
        put_default(b, sc, st, c);
    }
    if (!c->nullable)
        buf_puts(b, " NOT NULL");
    if (with_pk && c->primary_key)
        buf_puts(b, " PRIMARY KEY");
    if (c->unique)
        buf_puts(b, " UNIQUE");
    if (c->check) {
        buf_puts(b, " CHECK (");
        buf_puts(b, c->check);
        buf_putc(b, ')');
    }
}

/* "table(col)" or "schema.table(col)" -> its parts. */
static void split_reference(const char *r, char **schema, char **table, char **col)
{
    const char *open = strchr(r, '(');
    const char *dot = memchr(r, '.', (size_t)(open - r));
    if (dot) {
        *schema = xstrndup(r, (size_t)(dot - r));
        *table = xstrndup(dot + 1, (size_t)(open - dot - 1));
    } else {
        *schema = xstrdup("public");
        *table = xstrndup(r, (size_t)(open - r));
    }
    const char *close = strchr(open, ')');
    *col = xstrndup(open + 1, (size_t)(close - open - 1));
}

static const scenario_table_t *find_table(const scenario_t *sc, const char *schema,
                                          const char *name)
{
    for (size_t i = 0; i < sc->table_count; i++)
        if (strcmp(sc->tables[i].schema, schema) == 0 && strcmp(sc->tables[i].name, name) == 0)
            return &sc->tables[i];
    return NULL;
}

/* Does the table exist only after the engine's cache was loaded, or does
 * it have a column that does? Then its rows wait for the second phase. */
static bool table_hidden(const scenario_table_t *t)
{
    return !t->in_schema_cache;
}

static bool table_touched_late(const scenario_table_t *t)
{
    if (!t || table_hidden(t))
        return true;
    for (size_t i = 0; i < t->column_count; i++)
        if (!t->columns[i].in_schema_cache)
            return true;
    return false;
}

/* ---- the pieces ---- */

static void build_roles(const scenario_t *sc, pg_ddl_t *d, buf_t *b)
{
    size_t first = d->count;
    for (size_t i = 0; i < sc->role_count; i++) {
        const scenario_role_t *r = &sc->roles[i];
        bool api = false;
        for (size_t k = 0; k < sizeof api_roles / sizeof api_roles[0]; k++)
            api = api || strcmp(r->name, api_roles[k]) == 0;
        scenario_pos_t none = {0};
        if (!api) {
            /* Roles are the server's, shared by every database: a role an
             * earlier load created is reused. */
            buf_puts(b, "DO $supamock$ BEGIN EXECUTE format('CREATE ROLE %I NOLOGIN', ");
            put_literal(b, r->name);
            buf_puts(b, "); EXCEPTION WHEN duplicate_object THEN NULL; END $supamock$");
            add(d, PG_DDL_BEFORE, none, b);
            buf_puts(b, "GRANT ");
            put_ident(b, r->name);
            buf_puts(b, " TO authenticator");
            add(d, PG_DDL_BEFORE, none, b);
        }
        bool baseline_bypass = strcmp(r->name, "service_role") == 0;
        if (!api || r->bypass_rls != baseline_bypass) {
            buf_puts(b, "ALTER ROLE ");
            put_ident(b, r->name);
            buf_puts(b, r->bypass_rls ? " BYPASSRLS" : " NOBYPASSRLS");
            add(d, PG_DDL_BEFORE, none, b);
        }
    }
    /* Roles carry no position of their own: the scenario file names them. */
    for (size_t i = first; i < d->count; i++) {
        d->stmts[i].admin = true;
        d->stmts[i].pos.file = sc->file_count ? sc->files[0] : NULL;
    }
}

static void build_enums(const scenario_t *sc, pg_ddl_t *d, buf_t *b)
{
    for (size_t i = 0; i < sc->enum_count; i++) {
        const scenario_enum_t *e = &sc->enums[i];
        buf_puts(b, "CREATE TYPE public.");
        put_ident(b, e->name);
        buf_puts(b, " AS ENUM (");
        for (size_t k = 0; k < e->label_count; k++) {
            if (k)
                buf_puts(b, ", ");
            put_literal(b, e->labels[k]);
        }
        buf_putc(b, ')');
        add(d, PG_DDL_BEFORE, e->pos, b);
    }
}

static void build_schemas(const scenario_t *sc, pg_ddl_t *d, buf_t *b)
{
    for (size_t i = 0; i < sc->table_count; i++) {
        const char *schema = sc->tables[i].schema;
        bool seen = strcmp(schema, "public") == 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(sc->tables[k].schema, schema) == 0;
        if (seen)
            continue;
        buf_puts(b, "CREATE SCHEMA IF NOT EXISTS ");
        put_ident(b, schema);
        add(d, PG_DDL_BEFORE, sc->tables[i].pos, b);
        /* Every role the scenario names may reach its tables' schemas. */
        buf_puts(b, "GRANT USAGE ON SCHEMA ");
        put_ident(b, schema);
        buf_puts(b, " TO anon, authenticated, service_role");
        for (size_t r = 0; r < sc->role_count; r++) {
            bool api = false;
            for (size_t k = 0; k < sizeof api_roles / sizeof api_roles[0]; k++)
                api = api || strcmp(sc->roles[r].name, api_roles[k]) == 0;
            if (!api) {
                buf_puts(b, ", ");
                put_ident(b, sc->roles[r].name);
            }
        }
        add(d, PG_DDL_BEFORE, sc->tables[i].pos, b);
    }
}

static void privileges_text(buf_t *b, unsigned privs)
{
    if ((privs & SCENARIO_PRIV_ALL) == SCENARIO_PRIV_ALL) {
        buf_puts(b, "ALL");
        return;
    }
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{SCENARIO_PRIV_SELECT, "SELECT"},
                 {SCENARIO_PRIV_INSERT, "INSERT"},
                 {SCENARIO_PRIV_UPDATE, "UPDATE"},
                 {SCENARIO_PRIV_DELETE, "DELETE"}};
    bool first = true;
    for (size_t i = 0; i < 4; i++) {
        if (!(privs & names[i].bit))
            continue;
        if (!first)
            buf_puts(b, ", ");
        first = false;
        buf_puts(b, names[i].name);
    }
}

static void build_table(const scenario_t *sc, const scenario_table_t *st, pg_ddl_t *d, buf_t *b)
{
    pg_ddl_phase_t phase = table_hidden(st) ? PG_DDL_AFTER : PG_DDL_BEFORE;
    for (size_t c = 0; c < st->column_count; c++) {
        if (!uses_nextval(&st->columns[c]))
            continue;
        char *seq = xasprintf("%s_%s_seq", st->name, st->columns[c].name);
        buf_puts(b, "CREATE SEQUENCE ");
        put_qualified(b, st->schema, seq);
        add(d, phase, st->columns[c].pos, b);
        free(seq);
    }
    size_t pk = 0;
    for (size_t c = 0; c < st->column_count; c++)
        pk += st->columns[c].primary_key && st->columns[c].in_schema_cache;
    buf_puts(b, "CREATE TABLE ");
    put_qualified(b, st->schema, st->name);
    buf_puts(b, " (");
    bool first = true;
    for (size_t c = 0; c < st->column_count; c++) {
        const scenario_column_t *col = &st->columns[c];
        if (!col->in_schema_cache && !table_hidden(st))
            continue;
        if (!first)
            buf_puts(b, ", ");
        first = false;
        put_column(b, sc, st, col, false);
    }
    if (pk) {
        buf_puts(b, first ? "" : ", ");
        buf_puts(b, "PRIMARY KEY (");
        bool f = true;
        for (size_t c = 0; c < st->column_count; c++) {
            if (!st->columns[c].primary_key || !st->columns[c].in_schema_cache)
                continue;
            if (!f)
                buf_puts(b, ", ");
            f = false;
            put_ident(b, st->columns[c].name);
        }
        buf_putc(b, ')');
    }
    buf_putc(b, ')');
    add(d, phase, st->pos, b);
    /* Columns PostgREST has not seen yet come after its cache was loaded. */
    for (size_t c = 0; c < st->column_count && !table_hidden(st); c++) {
        const scenario_column_t *col = &st->columns[c];
        if (col->in_schema_cache)
            continue;
        buf_puts(b, "ALTER TABLE ");
        put_qualified(b, st->schema, st->name);
        buf_puts(b, " ADD COLUMN ");
        put_column(b, sc, st, col, true);
        add(d, PG_DDL_AFTER, col->pos, b);
    }
    for (size_t c = 0; c < st->column_count; c++) {
        if (!uses_nextval(&st->columns[c]))
            continue;
        char *seq = xasprintf("%s_%s_seq", st->name, st->columns[c].name);
        buf_puts(b, "ALTER SEQUENCE ");
        put_qualified(b, st->schema, seq);
        buf_puts(b, " OWNED BY ");
        put_qualified(b, st->schema, st->name);
        buf_putc(b, '.');
        put_ident(b, st->columns[c].name);
        add(d, st->columns[c].in_schema_cache ? phase : PG_DDL_AFTER, st->columns[c].pos, b);
        free(seq);
    }
    if (st->rls) {
        buf_puts(b, "ALTER TABLE ");
        put_qualified(b, st->schema, st->name);
        buf_puts(b, " ENABLE ROW LEVEL SECURITY");
        add(d, phase, st->pos, b);
    }
    if (st->has_grants) {
        /* Exactly the scenario's grants: the default privileges go first. */
        buf_puts(b, "REVOKE ALL ON ");
        put_qualified(b, st->schema, st->name);
        buf_puts(b, " FROM anon, authenticated, service_role");
        add(d, phase, st->pos, b);
        for (size_t g = 0; g < st->grant_count; g++) {
            if (!st->grants[g].privileges)
                continue;
            buf_puts(b, "GRANT ");
            privileges_text(b, st->grants[g].privileges);
            buf_puts(b, " ON ");
            put_qualified(b, st->schema, st->name);
            buf_puts(b, " TO ");
            put_ident(b, st->grants[g].role);
            add(d, phase, st->pos, b);
        }
    } else if (strcmp(st->schema, "public") != 0) {
        /* Supabase's default privileges cover public only; the scenario
         * format grants the API roles everything on any table without
         * "grants". */
        buf_puts(b, "GRANT ALL ON ");
        put_qualified(b, st->schema, st->name);
        buf_puts(b, " TO anon, authenticated, service_role");
        add(d, phase, st->pos, b);
    }
}

/* After every table: a policy's subquery may read a table the scenario
 * declares later (EXISTS (SELECT 1 FROM members ...) on teams). */
static void build_policies(const scenario_table_t *st, pg_ddl_t *d, buf_t *b)
{
    pg_ddl_phase_t phase = table_hidden(st) ? PG_DDL_AFTER : PG_DDL_BEFORE;
    for (size_t p = 0; p < st->policy_count; p++) {
        const scenario_policy_t *pol = &st->policies[p];
        buf_puts(b, "CREATE POLICY ");
        put_ident(b, pol->name);
        buf_puts(b, " ON ");
        put_qualified(b, st->schema, st->name);
        buf_puts(b, pol->permissive ? " AS PERMISSIVE FOR " : " AS RESTRICTIVE FOR ");
        const char *cmd = pol->command ? pol->command : "all";
        for (const char *q = cmd; *q; q++)
            buf_putc(b, (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q));
        buf_puts(b, " TO ");
        if (pol->role_count == 0)
            buf_puts(b, "PUBLIC");
        for (size_t r = 0; r < pol->role_count; r++) {
            if (r)
                buf_puts(b, ", ");
            if (strcmp(pol->roles[r], "public") == 0)
                buf_puts(b, "PUBLIC");
            else
                put_ident(b, pol->roles[r]);
        }
        if (pol->using_expr) {
            buf_puts(b, " USING (");
            buf_puts(b, pol->using_expr);
            buf_putc(b, ')');
        }
        if (pol->with_check) {
            buf_puts(b, " WITH CHECK (");
            buf_puts(b, pol->with_check);
            buf_putc(b, ')');
        }
        add(d, phase, pol->pos, b);
    }
}

static void build_users(const scenario_t *sc, pg_ddl_t *d, buf_t *b)
{
    for (size_t i = 0; i < sc->user_count; i++) {
        const scenario_user_t *u = &sc->users[i];
        buf_puts(b, "INSERT INTO auth.users (instance_id, id, aud, role, email, phone, "
                    "encrypted_password, email_confirmed_at, raw_app_meta_data, "
                    "raw_user_meta_data, created_at, updated_at) VALUES "
                    "('00000000-0000-0000-0000-000000000000', ");
        put_literal(b, u->id);
        buf_puts(b, ", 'authenticated', ");
        put_literal(b, u->role ? u->role : "authenticated");
        buf_puts(b, ", ");
        if (u->email)
            put_literal(b, u->email);
        else
            buf_puts(b, "NULL");
        buf_puts(b, ", ");
        if (u->phone)
            put_literal(b, u->phone);
        else
            buf_puts(b, "NULL");
        buf_puts(b, ", ");
        if (u->password) {
            /* GoTrue stores bcrypt hashes; pgcrypto makes the same kind. */
            buf_puts(b, "extensions.crypt(");
            put_literal(b, u->password);
            buf_puts(b, ", extensions.gen_salt('bf'))");
        } else {
            buf_puts(b, "''");
        }
        buf_puts(b, u->email_confirmed ? ", now(), " : ", NULL, ");
        cJSON *app = cJSON_Duplicate(u->app_metadata, true);
        if (!cJSON_GetObjectItemCaseSensitive(app, "provider")) {
            cJSON_AddStringToObject(app, "provider", u->email ? "email" : "phone");
            cJSON *list = cJSON_AddArrayToObject(app, "providers");
            cJSON_AddItemToArray(list, cJSON_CreateString(u->email ? "email" : "phone"));
        }
        char *app_text = cJSON_PrintUnformatted(app);
        char *meta_text = cJSON_PrintUnformatted(u->user_metadata);
        put_literal(b, app_text);
        buf_puts(b, "::jsonb, ");
        put_literal(b, meta_text);
        buf_puts(b, "::jsonb, now(), now())");
        cJSON_free(app_text);
        cJSON_free(meta_text);
        cJSON_Delete(app);
        add(d, PG_DDL_BEFORE, u->pos, b);
    }
}

static const scenario_column_t *find_column(const scenario_table_t *st, const char *name)
{
    for (size_t c = 0; c < st->column_count; c++)
        if (strcmp(st->columns[c].name, name) == 0)
            return &st->columns[c];
    return NULL;
}

static void build_rows(const scenario_table_t *st, pg_ddl_t *d, buf_t *b)
{
    pg_ddl_phase_t phase = table_touched_late(st) ? PG_DDL_AFTER : PG_DDL_BEFORE;
    size_t r = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, st->rows)
    {
        scenario_pos_t pos = st->row_pos ? st->row_pos[r] : st->pos;
        r++;
        buf_puts(b, "INSERT INTO ");
        put_qualified(b, st->schema, st->name);
        if (!cJSON_IsObject(row) || !row->child) {
            /* Not an object: Postgres's own error for the statement names it. */
            buf_puts(b, cJSON_IsObject(row) ? " DEFAULT VALUES"
                                            : " VALUES (a seed row must be "
                                              "a JSON object)");
            add(d, phase, pos, b);
            continue;
        }
        buf_puts(b, " (");
        const cJSON *v;
        bool first = true;
        cJSON_ArrayForEach(v, row)
        {
            if (!first)
                buf_puts(b, ", ");
            first = false;
            put_ident(b, v->string);
        }
        buf_puts(b, ") VALUES (");
        first = true;
        cJSON_ArrayForEach(v, row)
        {
            if (!first)
                buf_puts(b, ", ");
            first = false;
            const scenario_column_t *col = find_column(st, v->string);
            put_value(b, v, col ? col->type : NULL);
        }
        buf_putc(b, ')');
        add(d, phase, pos, b);
    }
}

static void build_foreign_keys(const scenario_t *sc, const scenario_table_t *st, pg_ddl_t *d,
                               buf_t *b)
{
    for (size_t c = 0; c < st->column_count; c++) {
        const scenario_column_t *col = &st->columns[c];
        if (!col->references)
            continue;
        char *schema, *table, *ref_col;
        split_reference(col->references, &schema, &table, &ref_col);
        const scenario_table_t *target = find_table(sc, schema, table);
        bool late = table_hidden(st) || !col->in_schema_cache ||
                    (target && table_touched_late(target)) || table_touched_late(st);
        /* The scenario's fk_name, else Postgres's own name for it:
         * TABLE_COLUMN_fkey. */
        char *name =
            col->fk_name ? xstrdup(col->fk_name) : xasprintf("%s_%s_fkey", st->name, col->name);
        buf_puts(b, "ALTER TABLE ");
        put_qualified(b, st->schema, st->name);
        buf_puts(b, " ADD CONSTRAINT ");
        put_ident(b, name);
        buf_puts(b, " FOREIGN KEY (");
        put_ident(b, col->name);
        buf_puts(b, ") REFERENCES ");
        put_qualified(b, schema, table);
        buf_puts(b, " (");
        put_ident(b, ref_col);
        buf_putc(b, ')');
        if (col->on_delete) {
            buf_puts(b, " ON DELETE ");
            for (const char *q = col->on_delete; *q; q++)
                buf_putc(b, (char)(*q >= 'a' && *q <= 'z' ? *q - 32 : *q));
        }
        add(d, late ? PG_DDL_AFTER : PG_DDL_BEFORE, col->references_pos, b);
        free(name);
        free(schema);
        free(table);
        free(ref_col);
    }
}

void pg_ddl_build_users(const scenario_t *sc, pg_ddl_t *d)
{
    buf_t b;
    buf_init(&b);
    build_users(sc, d, &b);
    buf_dispose(&b);
}

void pg_ddl_build(const scenario_t *sc, pg_ddl_t *d)
{
    buf_t b;
    buf_init(&b);
    build_roles(sc, d, &b);
    build_enums(sc, d, &b);
    build_schemas(sc, d, &b);
    for (size_t i = 0; i < sc->table_count; i++)
        build_table(sc, &sc->tables[i], d, &b);
    for (size_t i = 0; i < sc->table_count; i++)
        build_policies(&sc->tables[i], d, &b);
    build_users(sc, d, &b);
    for (size_t i = 0; i < sc->table_count; i++)
        build_rows(&sc->tables[i], d, &b);
    for (size_t i = 0; i < sc->table_count; i++)
        build_foreign_keys(sc, &sc->tables[i], d, &b);
    buf_dispose(&b);
    /* Within each phase the statements must run in the order built; the
     * executor picks a phase's statements in array order. */
}
