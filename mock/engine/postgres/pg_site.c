/* A site: the cluster (or the existing server), one administrator connection
 * to its maintenance database kept open for CREATE/DROP DATABASE, and the
 * names of the databases made, dropped on close. */
#include "pg_site.h"

#include "baseline.h"
#include "cluster.h"
#include "pg_split.h"
#include "pq.h"

#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Databases one site may hold at once: the template, the root's working
 * database and one per session (caps.h bounds sessions well below). */
#define SITE_MAX_DBS 256

struct pg_site {
    const pq_api_t *pq;
    pg_cluster_t *cluster; /* owned; NULL on an existing server */
    /* An existing server: the URL's options, parsed once, as parallel
     * keyword/value arrays without dbname and user (added per call). */
    char **keys, **values;
    size_t n_opts;
    char *url_user;   /* the URL's user (NULL: libpq's default) */
    char *url_dbname; /* the URL's database: the maintenance database there */
    PGconn *admin;    /* to the maintenance database, as the administrator */
    char *dbs[SITE_MAX_DBS];
    size_t db_count;
    unsigned seq;
};

static int failf(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(char *err, size_t n, const char *fmt, ...)
{
    if (err && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Notices (CREATE ... IF NOT EXISTS skipping, cascades) would go to stderr
 * through libpq's default processor: they are not errors, so they go nowhere. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Appends " key='value'" with libpq's quoting (backslash before ' and \). */
static void put_kv(char **out, const char *key, const char *value)
{
    size_t need = strlen(*out) + strlen(key) + 2 * strlen(value) + 6;
    char *s = xmalloc(need);
    size_t n = (size_t)snprintf(s, need, "%s%s%s='", *out, **out ? " " : "", key);
    for (const char *p = value; *p; p++) {
        if (*p == '\'' || *p == '\\')
            s[n++] = '\\';
        s[n++] = *p;
    }
    s[n++] = '\'';
    s[n] = '\0';
    free(*out);
    *out = s;
}

char *pg_site_conninfo(const pg_site_t *s, const char *db, const char *user)
{
    if (s->cluster) {
        char *base = pg_cluster_conninfo(s->cluster, user);
        /* pg_cluster_conninfo names database postgres; a later dbname wins. */
        char *out = xstrdup(base);
        free(base);
        put_kv(&out, "dbname", db);
        return out;
    }
    char *out = xstrdup("");
    for (size_t i = 0; i < s->n_opts; i++)
        put_kv(&out, s->keys[i], s->values[i]);
    put_kv(&out, "dbname", db);
    if (user)
        put_kv(&out, "user", user);
    else if (s->url_user)
        put_kv(&out, "user", s->url_user);
    return out;
}

const char *pg_site_baseline_db(const pg_site_t *s)
{
    return s->cluster ? "postgres" : NULL;
}

static PGconn *connect_to(pg_site_t *s, const char *db, char *err, size_t n)
{
    char *ci = pg_site_conninfo(s, db, NULL);
    PGconn *c = s->pq->connectdb(ci);
    free(ci);
    if (s->pq->status(c) != CONNECTION_OK) {
        failf(err, n, "connecting to database %s: %s", db, s->pq->error_message(c));
        s->pq->finish(c);
        return NULL;
    }
    s->pq->set_notice_processor(c, quiet, NULL);
    return c;
}

static int exec_on(const pq_api_t *pq, PGconn *c, const char *sql, char *err, size_t n)
{
    PGresult *r = pq->exec(c, sql);
    ExecStatusType st = pq->result_status(r);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        rc = failf(err, n, "%s", pq->result_error_message(r));
    pq->clear(r);
    return rc;
}

int pg_site_exec(pg_site_t *s, const char *db, const char *sql, char *err, size_t err_len)
{
    if (!db)
        return exec_on(s->pq, s->admin, sql, err, err_len);
    PGconn *c = connect_to(s, db, err, err_len);
    if (!c)
        return -1;
    int rc = exec_on(s->pq, c, sql, err, err_len);
    s->pq->finish(c);
    return rc;
}

/* ---- an existing server ---- */

static int parse_url(pg_site_t *s, const char *url, char *err, size_t n)
{
    char *msg = NULL;
    PQconninfoOption *opts = s->pq->conninfo_parse(url, &msg);
    if (!opts) {
        failf(err, n, "--db %s: %s", url, msg ? msg : "not a connection URL");
        if (msg)
            s->pq->freemem(msg);
        return -1;
    }
    size_t count = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        count++;
    s->keys = xcalloc(count + 1, sizeof *s->keys);
    s->values = xcalloc(count + 1, sizeof *s->values);
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (strcmp(o->keyword, "dbname") == 0) {
            s->url_dbname = xstrdup(o->val);
        } else if (strcmp(o->keyword, "user") == 0) {
            s->url_user = xstrdup(o->val);
        } else {
            s->keys[s->n_opts] = xstrdup(o->keyword);
            s->values[s->n_opts++] = xstrdup(o->val);
        }
    }
    s->pq->conninfo_free(opts);
    if (!s->url_dbname)
        s->url_dbname = xstrdup("postgres");
    return 0;
}

/* The baseline's per-database part: from `set role postgres;` (the first
 * statement after the roles) to the demotion of postgres at the end, which
 * an existing server has done already. */
static int apply_baseline_part(pg_site_t *s, const char *db, char *err, size_t n)
{
    const char *text = pg_baseline_sql;
    const char *from = strstr(text, "\nset role postgres;");
    const char *to = strstr(text, "\n-- demote-postgres.sql");
    if (!from || !to || to < from)
        return failf(err, n, "the embedded baseline lacks its section markers");
    PGconn *c = connect_to(s, db, err, n);
    if (!c)
        return -1;
    size_t len = (size_t)(to - from);
    pg_stmt_span_t spans[256];
    size_t count = pg_split(from, len, spans, 256);
    int rc = 0;
    bool as_postgres = false;
    for (size_t i = 0; i < count && i < 256 && rc == 0; i++) {
        char *stmt = xstrndup(from + spans[i].start, spans[i].end - spans[i].start);
        if (strncmp(stmt, "set role postgres", 17) == 0)
            as_postgres = true;
        else if (strncmp(stmt, "reset role", 10) == 0)
            as_postgres = false;
        /* postgres was a superuser when Supabase created these extensions;
         * on a running server it is not any more, so the administrator
         * creates them (as supautils does for postgres). */
        bool ext = as_postgres && strncmp(stmt, "create extension", 16) == 0;
        if (ext)
            s->pq->clear(s->pq->exec(c, "reset role"));
        PGresult *r = s->pq->exec(c, stmt);
        if (ext)
            s->pq->clear(s->pq->exec(c, "set role postgres"));
        ExecStatusType st = s->pq->result_status(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            const char *code = s->pq->result_error_field(r, PG_DIAG_SQLSTATE);
            /* 42710 duplicate_object, 42P06 duplicate_schema, 42723
             * duplicate_function: the server has it already. */
            if (!code || (strcmp(code, "42710") != 0 && strcmp(code, "42P06") != 0 &&
                          strcmp(code, "42723") != 0))
                rc = failf(err, n, "applying the Supabase baseline to %s: %s (statement: %.120s)",
                           db, s->pq->result_error_message(r), stmt);
        }
        s->pq->clear(r);
        free(stmt);
    }
    s->pq->finish(c);
    return rc;
}

/* An existing server must be a Supabase one: the API roles exist. */
static int check_roles(pg_site_t *s, const char *url, char *err, size_t n)
{
    PGresult *r = s->pq->exec(s->admin, "select count(*) from pg_roles where rolname in "
                                        "('anon','authenticated','service_role',"
                                        "'authenticator','postgres')");
    int rc = 0;
    if (s->pq->result_status(r) != PGRES_TUPLES_OK)
        rc = failf(err, n, "--db %s: %s", url, s->pq->result_error_message(r));
    else if (strcmp(s->pq->getvalue(r, 0, 0), "5") != 0)
        rc = failf(err, n,
                   "--db %s: the server lacks Supabase's roles (anon, authenticated, "
                   "service_role, authenticator, postgres); point --db at a Supabase database "
                   "(such as the one `supabase start` runs) or use --db postgres",
                   url);
    s->pq->clear(r);
    return rc;
}

/* ---- the site ---- */

int pg_site_open(const char *url, pg_site_t **out, char *err, size_t err_len)
{
    *out = NULL;
    char pq_err[256];
    const pq_api_t *pq = pq_load(pq_err, sizeof pq_err);
    if (!pq)
        return failf(err, err_len, "%s", pq_err);
    pg_site_t *s = xcalloc(1, sizeof *s);
    s->pq = pq;
    const char *maint;
    if (!url) {
        char cerr[PG_CLUSTER_ERR_MAX];
        if (pg_cluster_start(NULL, &s->cluster, cerr) < 0) {
            failf(err, err_len, "%s", cerr);
            pg_site_close(s);
            return -1;
        }
        /* template1 is never cloned here, so a connection to it blocks nothing. */
        maint = "template1";
    } else {
        if (parse_url(s, url, err, err_len) < 0) {
            pg_site_close(s);
            return -1;
        }
        maint = s->url_dbname;
    }
    s->admin = connect_to(s, maint, err, err_len);
    if (!s->admin || (url && check_roles(s, url, err, err_len) < 0)) {
        pg_site_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

void pg_site_close(pg_site_t *s)
{
    if (!s)
        return;
    /* A cluster goes away whole; on an existing server each database is dropped. */
    while (!s->cluster && s->admin && s->db_count > 0)
        if (pg_site_drop_db(s, s->dbs[s->db_count - 1], NULL, 0) < 0)
            break;
    for (size_t i = 0; i < s->db_count; i++)
        free(s->dbs[i]);
    if (s->admin)
        s->pq->finish(s->admin);
    pg_cluster_stop(s->cluster, NULL);
    for (size_t i = 0; i < s->n_opts; i++) {
        free(s->keys[i]);
        free(s->values[i]);
    }
    free(s->keys);
    free(s->values);
    free(s->url_user);
    free(s->url_dbname);
    free(s);
}

char *pg_site_db_name(pg_site_t *s, const char *kind)
{
    s->seq++;
    if (s->cluster)
        return xasprintf("supamock_%s_%u", kind, s->seq);
    return xasprintf("supamock_%ld_%s_%u", (long)getpid(), kind, s->seq);
}

/* Double-quotes an identifier ("" inside). The caller frees it. */
static char *quote_ident(const char *name)
{
    size_t n = strlen(name);
    char *q = xmalloc(2 * n + 3), *p = q;
    *p++ = '"';
    for (const char *c = name; *c; c++) {
        if (*c == '"')
            *p++ = '"';
        *p++ = *c;
    }
    *p++ = '"';
    *p = '\0';
    return q;
}

int pg_site_create_db(pg_site_t *s, const char *name, const char *template_db, char *err,
                      size_t err_len)
{
    if (s->db_count >= SITE_MAX_DBS)
        return failf(err, err_len, "too many databases (%d) on one site", SITE_MAX_DBS);
    const char *from = template_db ? template_db : pg_site_baseline_db(s);
    char *qn = quote_ident(name);
    char *sql;
    if (from) {
        char *qt = quote_ident(from);
        /* FILE_COPY copies the template's files and checkpoints, which costs
         * nothing with fsync off; WAL_LOG (PostgreSQL 15's default) writes
         * every block to the WAL and is slower for these small databases. */
        sql = xasprintf("CREATE DATABASE %s TEMPLATE %s OWNER postgres STRATEGY %s", qn, qt,
                        s->cluster ? "FILE_COPY" : "WAL_LOG");
        free(qt);
    } else {
        /* template0: nobody may connect to it, so nothing blocks the copy
         * (template1, the default, is where other tools sit). */
        sql = xasprintf("CREATE DATABASE %s TEMPLATE template0 OWNER postgres", qn);
    }
    free(qn);
    int rc = exec_on(s->pq, s->admin, sql, err, err_len);
    free(sql);
    if (rc < 0)
        return -1;
    s->dbs[s->db_count++] = xstrdup(name);
    if (!from && apply_baseline_part(s, name, err, err_len) < 0) {
        pg_site_drop_db(s, name, NULL, 0);
        return -1;
    }
    return 0;
}

int pg_site_drop_db(pg_site_t *s, const char *name, char *err, size_t err_len)
{
    char *qn = quote_ident(name);
    char *sql = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", qn);
    free(qn);
    int rc = exec_on(s->pq, s->admin, sql, err, err_len);
    free(sql);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < s->db_count; i++) {
        if (strcmp(s->dbs[i], name) == 0) {
            free(s->dbs[i]);
            s->dbs[i] = s->dbs[--s->db_count];
            break;
        }
    }
    return 0;
}

double pg_site_start_ms(const pg_site_t *s, bool *cache_hit)
{
    if (!s->cluster) {
        if (cache_hit)
            *cache_hit = true;
        return 0;
    }
    const pg_cluster_timings_t *t = pg_cluster_timings(s->cluster);
    if (cache_hit)
        *cache_hit = t->cache_hit;
    return t->total_ms;
}
