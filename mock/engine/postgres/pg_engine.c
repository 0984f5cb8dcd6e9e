/* The database engine: engine_ops over a PostgreSQL database. A request is
 * one transaction on a pooled connection, chained statement by statement
 * from pg_conn's callbacks (MainTx.hs): BEGIN, the transaction variables
 * (txVarQuery), the pre-request function when db-pre-request names one
 * (preReqQuery), the main statement, EXPLAIN of the count for planned and
 * estimated counts, then COMMIT, or ROLLBACK for Prefer tx=rollback and for
 * the checks PostgREST makes on the result (failNotSingular, failPut,
 * failExceedsMaxAffectedPref). The schema cache is loaded on a separate
 * owner connection, blocking, at start and on reload. */
#include "pg_engine.h"

#include "pg_conn.h"
#include "pg_error.h"
#include "pg_schema.h"
#include "pg_sql.h"
#include "pq.h"
#include "clock.h"
#include "log.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct role_settings {
    char *role;
    char **pairs; /* key, value, key, value, ... */
    size_t count; /* pairs */
} role_settings_t;

typedef struct pg_engine {
    engine_t base; /* first: engine_t * <-> pg_engine_t * */
    const pq_api_t *pq;
    pg_pool_t *pool; /* authenticator connections for requests */
    PGconn *owner;   /* introspection (blocking) */
    char *owner_conninfo;
    bool listening;      /* LISTEN pgrst on owner */
    pg_schema_t *schema; /* the loaded cache; replaced by reload */
    char **schemas;
    size_t schema_count;
    char **extra_path; /* db-extra-search-path, split */
    size_t extra_count;
    role_settings_t *roles; /* configRoleSettings */
    size_t role_count;
    int postgrest_version;
    long long db_max_rows;
    char *pre_request_sql; /* `select "schema"."fn"()`, NULL without db-pre-request */
    int statement_timeout_ms;
    char *pool_conninfo; /* the authenticator's, with the statement timeout */
    size_t pool_size;
    size_t in_flight; /* transactions started and not finished */
} pg_engine_t;

static pg_engine_t *from(engine_t *e)
{
    return (pg_engine_t *)e;
}

/* ---- the schema cache ---- */

static void reload(engine_t *e);
static void ensure_openapi(pg_engine_t *pe);
static const pg_schema_t *with_timezones(pg_engine_t *pe);

/* NOTIFY pgrst (Listener.hs): the owner connection LISTENs; notifications
 * are read, without blocking, whenever a request starts using the cache
 * (its first lookup), so a request after the NOTIFY's commit sees the new
 * cache. '' and 'reload schema' reload it ('reload config' has nothing to
 * reload here). */
static void take_notifications(pg_engine_t *pe)
{
    const pq_api_t *pq = pe->pq;
    if (!pe->listening || pq->consume_input(pe->owner) == 0)
        return;
    bool again = false;
    PGnotify *n;
    while ((n = pq->notifies(pe->owner)) != NULL) {
        if (strcmp(n->relname, "pgrst") == 0 &&
            (n->extra[0] == '\0' || strcmp(n->extra, "reload schema") == 0))
            again = true;
        pq->freemem(n);
    }
    if (again)
        reload(&pe->base);
}

static const engine_relation_t *find_relation(engine_t *e, const char *schema, const char *name)
{
    take_notifications(from(e));
    return pg_schema_find_relation(from(e)->schema, schema, name);
}

static size_t relation_names(engine_t *e, const char *schema, arena_t *arena, const char ***out)
{
    return pg_schema_relation_names(from(e)->schema, schema, arena, out);
}

static const char *relation_name(const engine_relation_t *rel)
{
    return rel->name;
}

static size_t column_count(const engine_relation_t *rel)
{
    return rel->column_count;
}

static void column(const engine_relation_t *rel, size_t i, arena_t *arena,
                   engine_column_info_t *out)
{
    const pg_column_t *c = &rel->columns[i];
    out->name = c->name;
    out->type = arena ? arena_strdup(arena, c->message_type) : NULL;
    out->nullable = c->nullable;
    out->has_default = c->default_expr != NULL;
    out->primary_key = c->primary_key;
    out->data_type = arena ? c->type : NULL;
    out->default_expr = arena ? c->default_expr : NULL;
    out->description = arena ? c->description : NULL;
    out->max_length = c->max_length;
    out->enum_labels = arena ? c->enum_labels : NULL;
    out->enum_count = arena ? c->enum_count : 0;
}

static void openapi_load(engine_t *e)
{
    take_notifications(from(e));
    ensure_openapi(from(e));
}

static const char *relation_description(const engine_relation_t *rel)
{
    return rel->description;
}

static const char *schema_description(engine_t *e, const char *schema)
{
    return pg_schema_description(from(e)->schema, schema);
}

static bool relation_accessible(engine_t *e, const engine_relation_t *rel, const char *role)
{
    (void)e;
    return pg_schema_relation_accessible(rel, role);
}

static bool relation_writable(const engine_relation_t *rel)
{
    return rel->writable;
}

static size_t openapi_routines(engine_t *e, const char *schema, const char *role, arena_t *arena,
                               engine_openapi_routine_t **out)
{
    return pg_schema_openapi_routines(from(e)->schema, schema, role, arena, out);
}

static bool timezone_valid(engine_t *e, const char *name)
{
    take_notifications(from(e));
    return pg_schema_timezone_valid(with_timezones(from(e)), name);
}

static size_t relationships(engine_t *e, const engine_relation_t *rel, arena_t *arena,
                            engine_relationship_t **out)
{
    return pg_schema_relationships(from(e)->schema, rel, arena, out);
}

static size_t routines(engine_t *e, const char *schema, const char *name,
                       const engine_routine_t *const **out)
{
    take_notifications(from(e));
    return pg_schema_routines(from(e)->schema, schema, name, out);
}

static size_t routine_names(engine_t *e, const char *schema, arena_t *arena, const char ***out)
{
    return pg_schema_routine_names(from(e)->schema, schema, arena, out);
}

/* queryRoleSettings (Config/Database.hs): the settings of the roles the
 * authenticator may become, which SET ROLE alone would not apply (such as
 * Supabase's statement_timeout for anon and authenticated). PostgREST reads
 * them as the authenticator, whose current_user is $1 here: the query runs on
 * the owner connection, which saves a connection (a backend's start) per
 * engine. */
static const char role_settings_sql[] =
    "with role_setting as ("
    "  select r.rolname, unnest(r.rolconfig) as setting"
    "  from pg_auth_members m join pg_roles r on r.oid = m.roleid"
    "  where member = quote_ident($1)::regrole::oid"
    "), kv_settings AS ("
    "  SELECT rolname,"
    "    substr(setting, 1, strpos(setting, '=') - 1) as key,"
    "    substr(setting, strpos(setting, '=') + 1) as value"
    "  FROM role_setting"
    ") "
    "select kv.rolname::text, kv.key, kv.value "
    "from kv_settings kv "
    "join pg_settings ps on ps.name = kv.key and (ps.context = 'user'"
    "  or has_parameter_privilege(quote_ident($1)::regrole::oid, ps.name, 'set')) "
    "where kv.key <> 'default_transaction_isolation' "
    "order by kv.rolname, kv.key";

static void free_roles(pg_engine_t *pe)
{
    for (size_t i = 0; i < pe->role_count; i++) {
        free(pe->roles[i].role);
        for (size_t k = 0; k < 2 * pe->roles[i].count; k++)
            free(pe->roles[i].pairs[k]);
        free(pe->roles[i].pairs);
    }
    free(pe->roles);
    pe->roles = NULL;
    pe->role_count = 0;
}

/* The user conninfo logs in as, or NULL (the caller frees it). */
static char *conninfo_user(const pq_api_t *pq, const char *conninfo)
{
    char *msg = NULL;
    PQconninfoOption *opts = pq->conninfo_parse(conninfo, &msg);
    if (msg)
        pq->freemem(msg);
    char *user = NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "user") == 0 && o->val && o->val[0])
            user = xstrdup(o->val);
    if (opts)
        pq->conninfo_free(opts);
    return user;
}

static int load_role_settings(pg_engine_t *pe, const char *conninfo, char *err, size_t err_len)
{
    /* Without a user in conninfo libpq logs in as the OS user: ask a session
     * of its own who that is. */
    char *user = conninfo_user(pe->pq, conninfo);
    if (!user) {
        PGconn *c = pe->pq->connectdb(conninfo);
        PGresult *who = pe->pq->status(c) == CONNECTION_OK
                            ? pe->pq->exec(c, "select current_user::text")
                            : NULL;
        if (who && pe->pq->result_status(who) == PGRES_TUPLES_OK && pe->pq->ntuples(who) == 1)
            user = xstrdup(pe->pq->getvalue(who, 0, 0));
        else
            snprintf(err, err_len, "role settings: %s", pe->pq->error_message(c));
        if (who)
            pe->pq->clear(who);
        pe->pq->finish(c);
        if (!user)
            return -1;
    }
    const char *params[1] = {user};
    PGresult *r = pe->pq->exec_params(pe->owner, role_settings_sql, 1, NULL, params, NULL, NULL, 0);
    free(user);
    if (pe->pq->result_status(r) != PGRES_TUPLES_OK) {
        snprintf(err, err_len, "role settings: %s", pe->pq->result_error_message(r));
        pe->pq->clear(r);
        return -1;
    }
    int n = pe->pq->ntuples(r);
    pe->roles = xcalloc(n ? (size_t)n : 1, sizeof *pe->roles);
    for (int i = 0; i < n; i++) {
        const char *role = pe->pq->getvalue(r, i, 0);
        role_settings_t *rs = pe->role_count ? &pe->roles[pe->role_count - 1] : NULL;
        if (!rs || strcmp(rs->role, role) != 0) {
            rs = &pe->roles[pe->role_count++];
            rs->role = xstrdup(role);
            rs->pairs = xcalloc(2 * (size_t)n, sizeof *rs->pairs);
        }
        rs->pairs[2 * rs->count] = xstrdup(pe->pq->getvalue(r, i, 1));
        rs->pairs[2 * rs->count + 1] = xstrdup(pe->pq->getvalue(r, i, 2));
        rs->count++;
    }
    pe->pq->clear(r);
    return 0;
}

static void listen_pgrst(pg_engine_t *pe)
{
    PGresult *r = pe->pq->exec(pe->owner, "LISTEN pgrst");
    pe->listening = r && pe->pq->result_status(r) == PGRES_COMMAND_OK;
    if (r)
        pe->pq->clear(r);
}

/* The owner connection, made again if it broke. */
static PGconn *owner_conn(pg_engine_t *pe)
{
    if (pe->pq->status(pe->owner) != CONNECTION_OK) {
        pe->pq->finish(pe->owner);
        pe->owner = pe->pq->connectdb(pe->owner_conninfo);
        listen_pgrst(pe);
    }
    return pe->owner;
}

/* The cache's lazy parts (pg_schema.h), loaded on the owner connection the
 * first time a request needs them; a failure is logged and leaves that part
 * empty until the next reload. */
static void ensure_openapi(pg_engine_t *pe)
{
    char err[512];
    if (pg_schema_load_openapi(pe->pq, owner_conn(pe), pe->schema, err, sizeof err) < 0)
        log_msg(LOG_WARN, "database engine: OpenAPI document: %s", err);
}

static const pg_schema_t *with_timezones(pg_engine_t *pe)
{
    char err[512];
    if (pg_schema_load_timezones(pe->pq, owner_conn(pe), pe->schema, err, sizeof err) < 0)
        log_msg(LOG_WARN, "database engine: Prefer: timezone: %s", err);
    return pe->schema;
}

static void reload(engine_t *e)
{
    pg_engine_t *pe = from(e);
    char err[512];
    owner_conn(pe);
    pg_schema_t *s =
        pg_schema_load(pe->pq, pe->owner, (const char *const *)pe->schemas, pe->schema_count,
                       (const char *const *)pe->extra_path, pe->extra_count, err, sizeof err);
    /* A failed reload keeps the old cache, as PostgREST keeps serving with
     * the one it has while it retries. */
    if (s) {
        pg_schema_free(pe->schema);
        pe->schema = s;
    }
}

/* ---- one request: the transaction ---- */

typedef struct pg_tx {
    pg_engine_t *pe;
    const engine_request_t *req;
    engine_result_t *res;
    pgrst_error_t *err;
    engine_done_fn done;
    void *arg;
    pg_conn_t *conn;
    pg_schema_t *schema; /* held until done has run: req->relation lives in it */
    pg_stmt_t vars;
    pg_stmt_t main;
    pg_stmt_t explain;
    bool explaining; /* count=planned/estimated: EXPLAIN after the statement */
    long long exact_total;
    int rc; /* -1 once err is set: the transaction then rolls back */
} pg_tx_t;

static void tx_finish(pg_tx_t *tx)
{
    engine_done_fn done = tx->done;
    void *arg = tx->arg;
    int rc = tx->rc;
    pg_schema_t *schema = tx->schema;
    tx->pe->in_flight--;
    if (tx->conn)
        pg_pool_release(tx->pe->pool, tx->conn);
    pg_stmt_dispose(&tx->vars);
    pg_stmt_dispose(&tx->main);
    pg_stmt_dispose(&tx->explain);
    free(tx);
    /* The caller may still read the relation when done runs (its headers). */
    done(arg, rc);
    pg_schema_free(schema);
}

/* ---- Supabase's hint on a missing table privilege ----
 * Newer Supabase Postgres builds add to `permission denied for table T` the
 * hint "Grant the required privileges to the current role with: GRANT P ON
 * S.T TO R;" (its source is not public); Debian's PostgreSQL gives none. The
 * memory engine names the first privilege the request needs and the role
 * lacks, in the order it checks them; so does this, asking has_table_privilege
 * once the transaction has rolled back. Only for the request's own table. */

static void on_hint(void *arg, const PGresult *res, const char *conn_error)
{
    pg_tx_t *tx = arg;
    const pq_api_t *pq = tx->pe->pq;
    (void)conn_error;
    if (res && pq->result_status(res) == PGRES_TUPLES_OK && pq->ntuples(res) == 1 &&
        !pq->getisnull(res, 0, 0))
        pgrst_error_hintf(tx->err,
                          "Grant the required privileges to the current role with: GRANT %s ON "
                          "%s.%s TO %s;",
                          pq->getvalue(res, 0, 0), tx->req->relation->schema,
                          tx->req->relation->name, tx->req->role ? tx->req->role : "anon");
    tx_finish(tx);
}

/* The privileges the request needs, in the memory engine's order. */
static const char *needed_privileges(const engine_request_t *req)
{
    bool reads = req->prefer->ret == PGRST_RETURN_REPRESENTATION;
    switch (req->op) {
    case ENGINE_READ:
        return "{SELECT}";
    case ENGINE_INSERT:
        if (req->prefer->resolution == PGRST_RESOLUTION_MERGE)
            return reads ? "{INSERT,UPDATE,SELECT}" : "{INSERT,UPDATE}";
        return reads ? "{INSERT,SELECT}" : "{INSERT}";
    case ENGINE_UPDATE:
        return "{UPDATE,SELECT}";
    case ENGINE_DELETE:
        return "{DELETE,SELECT}";
    case ENGINE_UPSERT:
        return "{INSERT,UPDATE,SELECT}";
    case ENGINE_CALL:
        return NULL;
    }
    return NULL;
}

static bool ask_for_hint(pg_tx_t *tx)
{
    const pgrst_error_t *e = tx->err;
    const engine_relation_t *rel = tx->req->relation;
    static const char prefix[] = "permission denied for table ";
    if (strcmp(e->code, "42501") != 0 || e->hint || !e->message || !rel ||
        strncmp(e->message, prefix, sizeof prefix - 1) != 0 ||
        strcmp(e->message + sizeof prefix - 1, rel->name) != 0 || !needed_privileges(tx->req))
        return false;
    static const char sql[] =
        "SELECT p FROM unnest($3::text[]) WITH ORDINALITY AS u(p, i)"
        " WHERE NOT has_table_privilege($1, format('%I.%I', $2::text, $4::text), p)"
        " ORDER BY i LIMIT 1";
    const char *params[4] = {tx->req->role ? tx->req->role : "anon", rel->schema,
                             needed_privileges(tx->req), rel->name};
    return pg_conn_exec(tx->conn, sql, 4, params, on_hint, tx) == 0;
}

static void on_end(void *arg, const PGresult *res, const char *conn_error)
{
    pg_tx_t *tx = arg;
    const pq_api_t *pq = tx->pe->pq;
    if (tx->rc == 0) {
        if (!res)
            tx->rc = pg_error_client(conn_error, tx->err);
        else if (pq->result_status(res) == PGRES_FATAL_ERROR)
            tx->rc = pg_error_from_result(pq, res, tx->err); /* a deferred constraint at COMMIT */
    } else if (res && pq->result_status(res) == PGRES_COMMAND_OK && ask_for_hint(tx)) {
        return; /* on_hint finishes */
    }
    tx_finish(tx);
}

/* Sends one statement of the chain; when it cannot be sent, the request ends
 * with the connection's error. */
static void send_stmt(pg_tx_t *tx, const char *sql, size_t n, const char *const *params,
                      pg_conn_done_fn next)
{
    if (pg_conn_exec(tx->conn, sql, (int)n, params, next, tx) == 0)
        return;
    if (tx->rc == 0)
        tx->rc = pg_error_client(pg_conn_error(tx->conn), tx->err);
    tx_finish(tx);
}

/* The end of the transaction: ROLLBACK after a failure or when asked to,
 * else COMMIT. Prefer tx=rollback runs SET CONSTRAINTS ALL IMMEDIATE first
 * (optionalRollback), so deferred constraints still answer. */
static void on_immediate(void *arg, const PGresult *res, const char *conn_error);

static void tx_end(pg_tx_t *tx)
{
    if (tx->rc == 0 && tx->req->tx_rollback) {
        send_stmt(tx, "SET CONSTRAINTS ALL IMMEDIATE", 0, NULL, on_immediate);
        return;
    }
    send_stmt(tx, tx->rc == 0 ? "COMMIT" : "ROLLBACK", 0, NULL, on_end);
}

static void on_immediate(void *arg, const PGresult *res, const char *conn_error)
{
    pg_tx_t *tx = arg;
    const pq_api_t *pq = tx->pe->pq;
    if (!res) {
        tx->rc = pg_error_client(conn_error, tx->err);
        tx_finish(tx);
        return;
    }
    if (pq->result_status(res) == PGRES_FATAL_ERROR)
        tx->rc = pg_error_from_result(pq, res, tx->err);
    send_stmt(tx, "ROLLBACK", 0, NULL, on_end);
}

/* A failed statement: keep the server's error and roll back. */
static bool failed(pg_tx_t *tx, const PGresult *res, const char *conn_error)
{
    const pq_api_t *pq = tx->pe->pq;
    if (!res) {
        tx->rc = pg_error_client(conn_error, tx->err);
        tx_finish(tx);
        return true;
    }
    ExecStatusType st = pq->result_status(res);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
        tx->rc = pg_error_from_result(pq, res, tx->err);
        tx_end(tx);
        return true;
    }
    return false;
}

/* "Plan Rows" of EXPLAIN (FORMAT JSON)'s first plan (decodeExplain). */
static bool plan_rows(const char *json, long long *out)
{
    cJSON *doc = cJSON_Parse(json);
    const cJSON *plan = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(doc, 0), "Plan");
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(plan, "Plan Rows");
    bool ok = cJSON_IsNumber(rows);
    if (ok)
        *out = (long long)rows->valuedouble;
    cJSON_Delete(doc);
    return ok;
}

static void on_explain(void *arg, const PGresult *res, const char *conn_error)
{
    pg_tx_t *tx = arg;
    if (failed(tx, res, conn_error))
        return;
    const pq_api_t *pq = tx->pe->pq;
    long long planned = 0;
    bool have = pq->ntuples(res) == 1 && plan_rows(pq->getvalue(res, 0, 0), &planned);
    if (tx->req->prefer->count == PGRST_COUNT_PLANNED) {
        tx->res->total = have ? planned : tx->res->page_count;
    } else if (tx->pe->db_max_rows > 0 && tx->exact_total > tx->pe->db_max_rows && have) {
        /* estimated: the exact count up to db-max-rows, the planner's beyond. */
        tx->res->total = planned > tx->exact_total ? planned : tx->exact_total;
    }
    tx_end(tx);
}

static const char *cell(const pq_api_t *pq, const PGresult *res, int col)
{
    return pq->getisnull(res, 0, col) ? NULL : pq->getvalue(res, 0, col);
}

static long long num(const char *s)
{
    return s && *s ? strtoll(s, NULL, 10) : 0;
}

/* One element of a text[] in Postgres's output syntax, unquoted; returns the
 * position after it (at ',' or '}'). */
static const char *array_element(const char *p, buf_t *out)
{
    buf_reset(out);
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1])
                p++;
            buf_putc(out, *p);
        }
        if (*p == '"')
            p++;
    } else {
        while (*p && *p != ',' && *p != '}')
            buf_putc(out, *p++);
    }
    return p;
}

/* The header column: {"id=eq.1", ...} -> Location's column/value pairs. */
static void location(pg_tx_t *tx, const char *arr)
{
    if (!arr || arr[0] != '{' || arr[1] == '}')
        return;
    arena_t *a = tx->req->arena;
    size_t n = 1;
    for (const char *p = arr; *p; p++)
        n += *p == ',';
    const char **cols = arena_calloc(a, n, sizeof *cols);
    const char **vals = arena_calloc(a, n, sizeof *vals);
    size_t k = 0;
    buf_t el;
    buf_init(&el);
    const char *p = arr + 1;
    while (*p && *p != '}' && k < n) {
        p = array_element(p, &el);
        const char *kv = buf_cstr(&el);
        const char *eq = strchr(kv, '=');
        if (eq && strncmp(eq + 1, "eq.", 3) == 0) {
            cols[k] = arena_strndup(a, kv, (size_t)(eq - kv));
            vals[k] = arena_strdup(a, eq + 4);
            k++;
        }
        if (*p == ',')
            p++;
    }
    buf_dispose(&el);
    tx->res->location_columns = cols;
    tx->res->location_values = vals;
    tx->res->location_count = k;
}

static int singular_error(pg_tx_t *tx, long long n)
{
    pgrst_error_setf(tx->err, "PGRST116",
                     tx->pe->postgrest_version == 12
                         ? "JSON object requested, multiple (or no) rows returned"
                         : "Cannot coerce the result to a single JSON object");
    pgrst_error_detailsf(tx->err, "The result contains %lld rows", n);
    return -1;
}

/* MainTx.hs planRow: EXPLAIN's rows, each followed by a newline
 * (BS.unlines), then optionalRollback and the end of the transaction. */
static void on_plan(void *arg, const PGresult *res, const char *conn_error)
{
    pg_tx_t *tx = arg;
    if (failed(tx, res, conn_error))
        return;
    const pq_api_t *pq = tx->pe->pq;
    for (int i = 0; i < pq->ntuples(res) && tx->res->body; i++) {
        buf_puts(tx->res->body, pq->getvalue(res, i, 0));
        buf_puts(tx->res->body, "\n");
    }
    tx_end(tx);
}

static void on_main(void *arg, const PGresult *res, const char *conn_error)
{
    pg_tx_t *tx = arg;
    if (failed(tx, res, conn_error))
        return;
    const pq_api_t *pq = tx->pe->pq;
    const engine_request_t *req = tx->req;
    engine_result_t *out = tx->res;
    arena_t *a = req->arena;
    if (pq->ntuples(res) != 1) {
        tx->rc = pgrst_error_setf(tx->err, "PGRSTX00", "The statement returned no result row");
        tx_end(tx);
        return;
    }
    bool read = req->op == ENGINE_READ || req->op == ENGINE_CALL;
    /* Columns: total_result_set, page_total, [header], body, response_headers,
     * response_status, response_inserted. */
    int col = 0;
    const char *total = cell(pq, res, col++);
    long long page = num(cell(pq, res, col++));
    const char *header = read ? NULL : cell(pq, res, col++);
    const char *body = cell(pq, res, col++);
    const char *guc_headers = cell(pq, res, col++);
    const char *guc_status = cell(pq, res, col++);
    const char *inserted = cell(pq, res, col++);
    out->page_count = page;
    out->guc_headers = guc_headers ? arena_strdup(a, guc_headers) : NULL;
    out->guc_status = guc_status ? arena_strdup(a, guc_status) : NULL;
    bool singular = req->accept->media == PGRST_MEDIA_OBJECT;
    if (read) {
        tx->exact_total = total ? num(total) : page;
        out->total = tx->exact_total;
        if (singular && page != 1) {
            tx->rc = singular_error(tx, page);
            tx_end(tx);
            return;
        }
        /* failExceedsMaxAffectedPref runs on calls too. */
        const pgrst_prefer_t *pf = req->prefer;
        if (req->op == ENGINE_CALL && pf->max_affected >= 0 &&
            pf->handling == PGRST_HANDLING_STRICT && page > pf->max_affected) {
            pgrst_error_setf(tx->err, "PGRST124",
                             "Query result exceeds max-affected preference constraint");
            pgrst_error_detailsf(tx->err, "The query affects %lld rows", page);
            tx->rc = -1;
            tx_end(tx);
            return;
        }
        if (body && out->body)
            buf_puts(out->body, body);
        if (tx->explaining) {
            send_stmt(tx, buf_cstr(&tx->explain.sql), tx->explain.param_count, tx->explain.params,
                      on_explain);
            return;
        }
        tx_end(tx);
        return;
    }
    out->total = page;
    const pgrst_prefer_t *pf = req->prefer;
    switch (req->op) {
    case ENGINE_UPSERT:
        /* failPut: the payload's key differed from the URL's, nothing was written. */
        if (page != 1) {
            tx->rc = pgrst_error_setf(tx->err, "PGRST115",
                                      "Payload values do not match URL in primary key column(s)");
            tx_end(tx);
            return;
        }
        out->existed = num(inserted) == 0;
        break;
    case ENGINE_INSERT:
        if (singular && page != 1) {
            tx->rc = singular_error(tx, page);
            tx_end(tx);
            return;
        }
        out->upsert = pf->resolution != PGRST_RESOLUTION_UNSET &&
                      (req->query->on_conflict || req->relation->pk_count);
        out->inserted = (size_t)(pf->resolution == PGRST_RESOLUTION_MERGE ? num(inserted) : page);
        location(tx, header);
        break;
    default: /* UPDATE, DELETE */
        if (singular && page != 1) {
            tx->rc = singular_error(tx, page);
            tx_end(tx);
            return;
        }
        if (pf->max_affected >= 0 && pf->handling == PGRST_HANDLING_STRICT &&
            page > pf->max_affected) {
            pgrst_error_setf(tx->err, "PGRST124",
                             "Query result exceeds max-affected preference constraint");
            pgrst_error_detailsf(tx->err, "The query affects %lld rows", page);
            tx->rc = -1;
            tx_end(tx);
            return;
        }
        break;
    }
    if (pf->ret == PGRST_RETURN_REPRESENTATION && body && out->body)
        buf_puts(out->body, body);
    tx_end(tx);
}

static void on_pre_request(void *arg, const PGresult *res, const char *conn_error)
{
    pg_tx_t *tx = arg;
    if (failed(tx, res, conn_error))
        return;
    send_stmt(tx, buf_cstr(&tx->main.sql), tx->main.param_count, tx->main.params,
              tx->req->accept->plan.on ? on_plan : on_main);
}

/* MainTx.hs: the pre-request function runs after the transaction variables
 * (so it sees the request's role, claims and headers) and before the main
 * statement; what it raises is the answer, and the response.headers/status
 * it sets are read by the main statement. */
static void on_vars(void *arg, const PGresult *res, const char *conn_error)
{
    pg_tx_t *tx = arg;
    if (tx->pe->pre_request_sql) {
        if (!failed(tx, res, conn_error))
            send_stmt(tx, tx->pe->pre_request_sql, 0, NULL, on_pre_request);
        return;
    }
    on_pre_request(arg, res, conn_error);
}

static void on_begin(void *arg, const PGresult *res, const char *conn_error)
{
    pg_tx_t *tx = arg;
    if (failed(tx, res, conn_error))
        return;
    send_stmt(tx, buf_cstr(&tx->vars.sql), tx->vars.param_count, tx->vars.params, on_vars);
}

static void on_conn(void *arg, pg_conn_t *conn, const char *error)
{
    pg_tx_t *tx = arg;
    if (!conn) {
        if (error && strstr(error, "waiting for a database connection")) {
            /* The pool's waiters are full (pg_conn.c): PostgREST answers a
             * pool it cannot get a connection from with PGRST003 (504). */
            tx->rc = pgrst_error_setf(tx->err, "PGRST003",
                                      "Timed out acquiring connection from connection pool.");
        } else {
            tx->rc = pg_error_connection(error, tx->err);
        }
        tx_finish(tx);
        return;
    }
    tx->conn = conn;
    /* Hasql's transaction: the isolation level and READ ONLY for reads
     * (planTxMode), READ WRITE for writes. */
    bool call = tx->req->op == ENGINE_CALL;
    bool read_only = tx->req->op == ENGINE_READ || (call && tx->req->call->read_only);
    /* planIsoLvl: a function's own default_transaction_isolation
     * (toIsolationLevel), else READ COMMITTED. */
    const char *iso = call ? tx->req->call->routine->isolation_level : NULL;
    const char *level = "READ COMMITTED";
    if (iso && strcasecmp(iso, "repeatable read") == 0)
        level = "REPEATABLE READ";
    else if (iso && strcasecmp(iso, "serializable") == 0)
        level = "SERIALIZABLE";
    char begin[96];
    snprintf(begin, sizeof begin, "BEGIN ISOLATION LEVEL %s %s", level,
             read_only ? "READ ONLY" : "READ WRITE");
    send_stmt(tx, begin, 0, NULL, on_begin);
}

static const char *method_of(engine_op_t op)
{
    static const char *const names[] = {
        [ENGINE_READ] = "GET",   [ENGINE_INSERT] = "POST",   [ENGINE_UPDATE] = "PATCH",
        [ENGINE_UPSERT] = "PUT", [ENGINE_DELETE] = "DELETE", [ENGINE_CALL] = "POST",
    };
    return op <= ENGINE_CALL ? names[op] : "GET";
}

/* A text parameter with a NUL in it (a decoded %00, urlcodec.h) cannot be
 * sent; Postgres refuses the byte anyway (pg_verify_mbstr). */
static int check_params(const pg_stmt_t *s, pgrst_error_t *err)
{
    for (size_t i = 0; i < s->param_count; i++) {
        if (s->params[i] && strstr(s->params[i], "\xC0\x80"))
            return pgrst_error_setf(err, "22021",
                                    "invalid byte sequence for encoding \"UTF8\": 0x00");
    }
    return 0;
}

/* SqlFragment.hs explainF: the main statement under EXPLAIN with the
 * format and the options the media type asked for. */
static void explain_main(pg_stmt_t *main, const pgrst_plan_t *plan)
{
    static const char *const options[] = {"ANALYZE", "VERBOSE", "SETTINGS", "BUFFERS", "WAL"};
    buf_t sql;
    buf_init(&sql);
    buf_puts(&sql, plan->json ? "EXPLAIN (FORMAT JSON" : "EXPLAIN (FORMAT TEXT");
    for (size_t i = 0; i < sizeof options / sizeof *options; i++)
        if (plan->options & (1u << i))
            buf_printf(&sql, ", %s", options[i]);
    buf_puts(&sql, ") ");
    buf_puts(&sql, buf_cstr(&main->sql));
    buf_dispose(&main->sql);
    main->sql = sql;
}

/* PostgREST's plan checks and the statements, before any connection is
 * taken. */
static int prepare(pg_tx_t *tx)
{
    pg_engine_t *pe = tx->pe;
    const engine_request_t *req = tx->req;
    arena_t *a = req->arena;
    bool call = req->op == ENGINE_CALL;
    const char *schema = call ? req->call->routine->schema : req->relation->schema;
    pg_sql_context_t ctx = {.cache = tx->schema, .schema = schema, .db_max_rows = pe->db_max_rows};
    if (call && req->call->routine->returns_composite)
        ctx.call_relation = pg_schema_find_relation(tx->schema, req->call->routine->schema,
                                                    req->call->routine->return_name);
    bool bytea =
        call && req->call->positional && strcmp(req->call->routine->params[0].type, "bytea") == 0;
    if (call && !bytea && req->call->json && req->call->json_len &&
        memchr(req->call->json, '\0', req->call->json_len)) {
        /* A raw body (text/plain, ...) with a NUL: Postgres refuses the
         * byte in a text parameter (a bytea one travels hex-encoded). */
        size_t at = rest_body_utf8_invalid(req->call->json, req->call->json_len);
        rest_body_encoding_error(req->call->json, req->call->json_len, at, tx->err);
        return -1;
    }
    if (pg_sql_main(&ctx, req, &tx->main, tx->err) < 0)
        return -1;
    /* pg-safeupdate, which Supabase loads for the Data API's roles: UPDATE
     * and DELETE need a WHERE clause (an UPDATE of no columns is PostgREST's
     * SELECT ... WHERE false). */
    bool no_where = req->query->where_count == 0;
    if (no_where && req->op == ENGINE_DELETE)
        return pgrst_error_setf(tx->err, "21000", "DELETE requires a WHERE clause");
    if (no_where && req->op == ENGINE_UPDATE &&
        strncmp(buf_cstr(&tx->main.sql), "WITH pgrst_source AS (UPDATE", 28) == 0)
        return pgrst_error_setf(tx->err, "21000", "UPDATE requires a WHERE clause");
    if (check_params(&tx->main, tx->err) < 0)
        return -1;
    if (req->accept->plan.on)
        explain_main(&tx->main, &req->accept->plan);
    if (req->payload && req->payload->source &&
        memchr(req->payload->source, '\0', req->payload->source_len) &&
        rest_body_bind(req->payload, tx->err) < 0)
        return -1;
    pgrst_count_t count = req->prefer->count;
    if (req->op == ENGINE_READ && !req->accept->plan.on &&
        (count == PGRST_COUNT_PLANNED || count == PGRST_COUNT_ESTIMATED)) {
        tx->explaining = true;
        if (pg_sql_explain_count(&ctx, req, &tx->explain, tx->err) < 0)
            return -1;
    }

    /* search_path: the request's schema, then db-extra-search-path. Between
     * them the scenario clock's now() and the seeded gen_random_uuid()
     * (baseline.sql), which an unqualified call then finds before
     * pgcrypto's in extensions and pg_catalog's (named last for that). */
    buf_t path;
    buf_init(&path);
    pg_put_ident(&path, schema);
    buf_puts(&path, ", supamock");
    for (size_t i = 0; i < pe->extra_count; i++) {
        buf_puts(&path, ", ");
        pg_put_ident(&path, pe->extra_path[i]);
    }
    buf_puts(&path, ", pg_catalog");
    pg_tx_vars_t v = {0};
    v.search_path = arena_strdup(a, buf_cstr(&path));
    buf_dispose(&path);
    const char *role = req->role ? req->role : "anon";
    for (size_t i = 0; i < pe->role_count; i++) {
        if (strcmp(pe->roles[i].role, role) == 0) {
            v.role_settings = (const char *const *)pe->roles[i].pairs;
            v.role_setting_count = pe->roles[i].count;
        }
    }
    v.role = role;
    char *claims = pg_claims_json(req->claims, role);
    v.claims_json = arena_strdup(a, claims);
    free(claims);
    v.method = req->method ? req->method : method_of(req->op);
    v.path = req->path ? req->path
             : call    ? arena_sprintf(a, "/rpc/%s", req->call->routine->name)
                       : arena_sprintf(a, "/%s", req->relation->name);
    v.headers_json = req->headers_json;
    v.cookies_json = req->cookies_json;
    /* Preferences.hs: a timezone not in pg_timezone_names is not applied. */
    if (req->prefer->timezone &&
        pg_schema_timezone_valid(with_timezones(pe), req->prefer->timezone))
        v.timezone = req->prefer->timezone;
    if (call) {
        v.func_settings = req->call->routine->settings;
        v.func_setting_count = req->call->routine->setting_count;
    }
    char now[48];
    clock_format_iso(req->now_us, now, sizeof now);
    v.now = arena_strdup(a, now);
    pg_sql_tx_vars(&v, &tx->vars);
    return check_params(&tx->vars, tx->err);
}

static void execute(engine_t *e, const engine_request_t *req, engine_result_t *res,
                    pgrst_error_t *err, engine_done_fn done, void *arg)
{
    pg_tx_t *tx = xcalloc(1, sizeof *tx);
    tx->pe = from(e);
    tx->req = req;
    tx->res = res;
    tx->err = err;
    tx->done = done;
    tx->arg = arg;
    tx->schema = pg_schema_hold(tx->pe->schema);
    tx->pe->in_flight++;
    pg_stmt_init(&tx->vars, req->arena);
    pg_stmt_init(&tx->main, req->arena);
    pg_stmt_init(&tx->explain, req->arena);
    if (prepare(tx) < 0) {
        tx->rc = -1;
        tx_finish(tx);
        return;
    }
    pg_pool_acquire(tx->pe->pool, on_conn, tx);
}

static void pg_engine_free(engine_t *e)
{
    pg_engine_t *pe = from(e);
    if (!pe)
        return;
    pg_pool_free(pe->pool);
    if (pe->owner)
        pe->pq->finish(pe->owner);
    pg_schema_free(pe->schema);
    for (size_t i = 0; i < pe->schema_count; i++)
        free(pe->schemas[i]);
    free(pe->schemas);
    for (size_t i = 0; i < pe->extra_count; i++)
        free(pe->extra_path[i]);
    free(pe->extra_path);
    free(pe->owner_conninfo);
    free(pe->pool_conninfo);
    free(pe->pre_request_sql);
    free_roles(pe);
    free(pe);
}

static const engine_ops_t pg_ops = {
    .name = "postgres",
    .uses_request_vars = true,
    .explains_plans = true,
    .find_relation = find_relation,
    .relation_names = relation_names,
    .relation_name = relation_name,
    .column_count = column_count,
    .column = column,
    .relationships = relationships,
    .openapi_load = openapi_load,
    .relation_description = relation_description,
    .schema_description = schema_description,
    .relation_accessible = relation_accessible,
    .relation_writable = relation_writable,
    .openapi_routines = openapi_routines,
    .timezone_valid = timezone_valid,
    .routines = routines,
    .routine_names = routine_names,
    .execute = execute,
    .reload = reload,
    .free = pg_engine_free,
};

/* "public, extensions" -> {"public", "extensions"} (commas, spaces trimmed). */
static void split_path(pg_engine_t *pe, const char *list)
{
    if (!list)
        return;
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    pe->extra_path = xcalloc(cap, sizeof *pe->extra_path);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && end[-1] == ' ')
            end--;
        if (end > start) {
            char *s = xmalloc((size_t)(end - start) + 1);
            memcpy(s, start, (size_t)(end - start));
            s[end - start] = '\0';
            pe->extra_path[pe->extra_count++] = s;
        }
    }
}

engine_t *pg_engine_new(const pg_engine_options_t *opt, char *err, size_t err_len)
{
    const pq_api_t *pq = pq_load(err, err_len);
    if (!pq)
        return NULL;
    pg_engine_t *pe = xcalloc(1, sizeof *pe);
    pe->base.ops = &pg_ops;
    pe->pq = pq;
    pe->postgrest_version = opt->postgrest_version ? opt->postgrest_version : 14;
    pe->db_max_rows = opt->db_max_rows;
    pe->statement_timeout_ms = opt->statement_timeout_ms;
    if (opt->pre_request && *opt->pre_request) {
        /* preReqQuery: "select " <> fromQi preRequest <> "()"; toQi splits
         * at the first dot, an empty schema is left out. */
        buf_t q;
        buf_init(&q);
        buf_puts(&q, "select ");
        const char *dot = strchr(opt->pre_request, '.');
        if (dot && dot > opt->pre_request) {
            char *schema = xstrndup(opt->pre_request, (size_t)(dot - opt->pre_request));
            pg_put_ident(&q, schema);
            free(schema);
            buf_puts(&q, ".");
        }
        pg_put_ident(&q, dot ? dot + 1 : opt->pre_request);
        buf_puts(&q, "()");
        pe->pre_request_sql = xstrdup(buf_cstr(&q));
        buf_dispose(&q);
    }
    size_t n = opt->schema_count ? opt->schema_count : 1;
    pe->schemas = xcalloc(n, sizeof *pe->schemas);
    for (size_t i = 0; i < n; i++)
        pe->schemas[i] = xstrdup(opt->schema_count ? opt->schemas[i] : "public");
    pe->schema_count = n;
    split_path(pe, opt->extra_search_path ? opt->extra_search_path : "public, extensions");

    pe->owner_conninfo = xstrdup(opt->owner_conninfo ? opt->owner_conninfo : opt->conninfo);
    pe->owner = pq->connectdb(pe->owner_conninfo);
    if (pq->status(pe->owner) != CONNECTION_OK) {
        snprintf(err, err_len, "database engine: %s", pq->error_message(pe->owner));
        goto fail;
    }
    pe->schema = pg_schema_load(pq, pe->owner, (const char *const *)pe->schemas, pe->schema_count,
                                (const char *const *)pe->extra_path, pe->extra_count, err, err_len);
    if (!pe->schema)
        goto fail;
    listen_pgrst(pe);
    if (load_role_settings(pe, opt->conninfo, err, err_len) < 0)
        goto fail;
    /* statement_timeout_ms applies to every connection of the pool through
     * the connection string (libpq's options=-c ...). */
    char *conninfo;
    if (opt->statement_timeout_ms <= 0)
        conninfo = xstrdup(opt->conninfo);
    else if (strstr(opt->conninfo, "://"))
        conninfo = xasprintf("%s%coptions=-c%%20statement_timeout%%3D%d", opt->conninfo,
                             strchr(opt->conninfo, '?') ? '&' : '?', opt->statement_timeout_ms);
    else
        conninfo = xasprintf("%s options='-c statement_timeout=%d'", opt->conninfo,
                             opt->statement_timeout_ms);
    pe->pool_conninfo = conninfo;
    pe->pool_size = opt->pool_size;
    pg_pool_options_t po = {.loop = opt->loop, .conninfo = conninfo, .size = opt->pool_size};
    pe->pool = pg_pool_new(&po, err, err_len);
    if (!pe->pool)
        goto fail;
    return &pe->base;
fail:
    pg_engine_free(&pe->base);
    return NULL;
}

int pg_engine_attach_loop(engine_t *e, struct uv_loop_s *loop, char *err, size_t err_len)
{
    pg_engine_t *pe = from(e);
    if (pe->in_flight) {
        snprintf(err, err_len, "database engine: requests are in flight");
        return -1;
    }
    pg_pool_options_t po = {.loop = loop, .conninfo = pe->pool_conninfo, .size = pe->pool_size};
    pg_pool_t *pool = pg_pool_new(&po, err, err_len);
    if (!pool)
        return -1;
    pg_pool_free(pe->pool);
    pe->pool = pool;
    return 0;
}
