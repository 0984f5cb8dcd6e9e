/* Statement-by-statement application of SQL files with positioned errors. */
#include "pg_apply.h"

#include "pg_gate.h"
#include "pg_site.h"
#include "pg_ddl.h"
#include "pg_split.h"
#include "pq.h"
#include "sql_parse.h"

#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Statements one file may hold; a migration with more is refused rather
 * than split into an unbounded array. */
#define APPLY_MAX_STATEMENTS 100000

struct pg_apply {
    const pq_api_t *pq;
    PGconn *owner;  /* as postgres: what migrations run as */
    PGconn *admin;  /* as the superuser: what pg_gate admits */
    bool all_admin; /* pg_apply_admin_text: every statement on admin */
};

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *open_as(const pq_api_t *pq, pg_site_t *site, const char *db, const char *user,
                       char *err, size_t n)
{
    char *ci = pg_site_conninfo(site, db, user);
    PGconn *c = pq->connectdb(ci);
    free(ci);
    if (pq->status(c) != CONNECTION_OK) {
        snprintf(err, n, "connecting to %s as %s: %s", db, user ? user : "the administrator",
                 pq->error_message(c));
        pq->finish(c);
        return NULL;
    }
    pq->set_notice_processor(c, quiet, NULL);
    return c;
}

pg_apply_t *pg_apply_open(pg_site_t *site, const char *db, char *err, size_t err_len)
{
    const pq_api_t *pq = pq_load(err, err_len);
    if (!pq)
        return NULL;
    pg_apply_t *a = xcalloc(1, sizeof *a);
    a->pq = pq;
    a->owner = open_as(pq, site, db, "postgres", err, err_len);
    if (a->owner)
        a->admin = open_as(pq, site, db, NULL, err, err_len);
    if (!a->owner || !a->admin) {
        pg_apply_close(a);
        return NULL;
    }
    return a;
}

void pg_apply_close(pg_apply_t *a)
{
    if (!a)
        return;
    if (a->owner)
        a->pq->finish(a->owner);
    if (a->admin)
        a->pq->finish(a->admin);
    free(a);
}

/* Debian's packages for the extensions Supabase projects use that are not
 * in postgresql-15's contrib (apt-cache search postgresql-15-). */
static const struct {
    const char *extension;
    const char *package;
} packages[] = {
    {"postgis", "postgresql-15-postgis-3"},
    {"postgis_raster", "postgresql-15-postgis-3"},
    {"postgis_topology", "postgresql-15-postgis-3"},
    {"postgis_sfcgal", "postgresql-15-postgis-3"},
    {"postgis_tiger_geocoder", "postgresql-15-postgis-3"},
    {"address_standardizer", "postgresql-15-postgis-3"},
    {"address_standardizer_data_us", "postgresql-15-postgis-3"},
    {"pgrouting", "postgresql-15-pgrouting"},
    {"pg_cron", "postgresql-15-cron"},
    {"pgtap", "postgresql-15-pgtap"},
    {"plpgsql_check", "postgresql-15-plpgsql-check"},
    {"hypopg", "postgresql-15-hypopg"},
    {"pg_partman", "postgresql-15-partman"},
    {"pgaudit", "postgresql-15-pgaudit"},
    {"orafce", "postgresql-15-orafce"},
    {"pg_repack", "postgresql-15-repack"},
    {"rum", "postgresql-15-rum"},
    {"hll", "postgresql-15-hll"},
    {"wal2json", "postgresql-15-wal2json"},
    {"pllua", "postgresql-15-pllua"},
    {"ip4r", "postgresql-15-ip4r"},
    {"semver", "postgresql-15-semver"},
    {"pg_qualstats", "postgresql-15-pg-qualstats"},
    {"pg_wait_sampling", "postgresql-15-pg-wait-sampling"},
};

const char *pg_apply_extension_package(const char *name)
{
    for (size_t i = 0; i < sizeof packages / sizeof packages[0]; i++)
        if (strcmp(packages[i].extension, name) == 0)
            return packages[i].package;
    return NULL;
}

/* pg_gate's question, answered from the catalog as the superuser sees it:
 * a superuser, a CREATEROLE role, or a predefined pg_* role (reserved names:
 * Postgres refuses to create any other role called pg_...). */
static bool role_privileged(void *arg, const char *name)
{
    const pg_apply_t *a = arg;
    if (strncmp(name, "pg_", 3) == 0)
        return true;
    const char *params[1] = {name};
    PGresult *r = a->pq->exec_params(a->admin,
                                     "select rolsuper or rolcreaterole from pg_roles "
                                     "where rolname = $1",
                                     1, NULL, params, NULL, NULL, 0);
    /* A failed lookup counts as privileged: the statement then runs as
     * postgres, where Postgres itself decides. */
    bool privileged = a->pq->result_status(r) != PGRES_TUPLES_OK ||
                      (a->pq->ntuples(r) == 1 && strcmp(a->pq->getvalue(r, 0, 0), "t") == 0);
    a->pq->clear(r);
    return privileged;
}

/* The extension name in PostgreSQL 15's "could not open extension control
 * file \".../extension/NAME.control\"" message, into out. */
static bool missing_extension(const char *message, char *out, size_t n)
{
    if (!message || !strstr(message, "extension control file"))
        return false;
    const char *ctl = strstr(message, ".control\"");
    if (!ctl)
        return false;
    const char *slash = ctl;
    while (slash > message && slash[-1] != '/')
        slash--;
    size_t len = (size_t)(ctl - slash);
    if (len == 0 || len >= n)
        return false;
    memcpy(out, slash, len);
    out[len] = '\0';
    return true;
}

static void report(const pg_apply_t *a, const PGresult *r, const char *file, const char *text,
                   size_t len, size_t stmt_start, size_t stmt_end, scenario_error_t *err)
{
    const char *msg = a->pq->result_error_field(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *code = a->pq->result_error_field(r, PG_DIAG_SQLSTATE);
    const char *detail = a->pq->result_error_field(r, PG_DIAG_MESSAGE_DETAIL);
    const char *hint = a->pq->result_error_field(r, PG_DIAG_MESSAGE_HINT);
    const char *pos = a->pq->result_error_field(r, PG_DIAG_STATEMENT_POSITION);
    size_t at = stmt_start;
    if (pos) {
        long p = atol(pos);
        if (p > 0)
            at = stmt_start + sql_char_offset(text + stmt_start, stmt_end - stmt_start, p);
    }
    int line, col;
    pg_split_line_col(text, len, at, &line, &col);
    scenario_pos_t where = {.file = file, .line = line, .col = col};
    char ext[128];
    /* PostgreSQL 15.20 says "extension X is not available" and names the
     * control file in DETAIL; earlier 15.x named it in the message. */
    if (missing_extension(msg, ext, sizeof ext) || missing_extension(detail, ext, sizeof ext)) {
        const char *pkg = pg_apply_extension_package(ext);
        if (pkg)
            scenario_error_at(err, where,
                              "extension \"%s\" is not installed on this server: install the "
                              "Debian package %s (apt-get install %s)",
                              ext, pkg, pkg);
        else
            scenario_error_at(err, where,
                              "extension \"%s\" is not installed on this server, and Debian "
                              "packages none for PostgreSQL 15 (Supabase builds it itself)",
                              ext);
        return;
    }
    scenario_error_at(err, where, "ERROR: %s (SQLSTATE %s)%s%s%s%s", msg ? msg : "?",
                      code ? code : "?", detail ? "; DETAIL: " : "", detail ? detail : "",
                      hint ? "; HINT: " : "", hint ? hint : "");
}

int pg_apply_text(pg_apply_t *a, const char *file, const char *text, size_t len,
                  scenario_error_t *err)
{
    scenario_pos_t none = {.file = file};
    if (memchr(text, '\0', len)) {
        scenario_error_at(err, none, "a SQL file must not contain NUL bytes");
        return -1;
    }
    size_t count = pg_split(text, len, NULL, 0);
    if (count > APPLY_MAX_STATEMENTS) {
        scenario_error_at(err, none, "more than %d statements", APPLY_MAX_STATEMENTS);
        return -1;
    }
    pg_stmt_span_t *spans = xcalloc(count ? count : 1, sizeof *spans);
    pg_split(text, len, spans, count);
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        size_t s0 = spans[i].start, s1 = spans[i].end;
        char *stmt = xstrndup(text + s0, s1 - s0);
        PGconn *c = a->all_admin || pg_gate_admits(stmt, role_privileged, a) ? a->admin : a->owner;
        PGresult *r = a->pq->exec(c, stmt);
        ExecStatusType st = a->pq->result_status(r);
        if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
            report(a, r, file, text, len, s0, s1, err);
            rc = -1;
        } else if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
            /* COPY ... FROM stdin needs psql's client side: refused, and the
             * connection's copy state ended by the rollback below. */
            int line, col;
            pg_split_line_col(text, len, s0, &line, &col);
            scenario_error_at(err, (scenario_pos_t){.file = file, .line = line, .col = col},
                              "COPY FROM STDIN/TO STDOUT needs psql; use INSERT in seed files");
            rc = -1;
        }
        a->pq->clear(r);
        free(stmt);
    }
    free(spans);
    return rc;
}

int pg_apply_admin_text(pg_apply_t *a, const char *file, const char *text, size_t len,
                        scenario_error_t *err)
{
    a->all_admin = true;
    int rc = pg_apply_text(a, file, text, len, err);
    a->all_admin = false;
    return rc;
}

int pg_apply_file(pg_apply_t *a, const char *path, size_t max_bytes, scenario_error_t *err)
{
    scenario_pos_t none = {.file = path};
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        scenario_error_at(err, none, "cannot read: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max_bytes) {
        scenario_error_at(err, none,
                          S_ISREG(st.st_mode) ? "larger than %zu bytes"
                                              : "not a regular file (limit %zu bytes)",
                          max_bytes);
        close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *text = xmalloc(size + 1);
    while (got < size) {
        ssize_t n = read(fd, text + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    text[got] = '\0';
    int rc = pg_apply_text(a, path, text, got, err);
    free(text);
    return rc;
}

/* One-row boolean query on the owner's connection; false on any failure. */
static bool exists_query(pg_apply_t *a, const char *sql, const char *arg)
{
    const char *params[1] = {arg};
    PGresult *r = a->pq->exec_params(a->owner, sql, 1, NULL, params, NULL, NULL, 0);
    bool yes = r && a->pq->result_status(r) == PGRES_TUPLES_OK && a->pq->ntuples(r) == 1 &&
               strcmp(a->pq->getvalue(r, 0, 0), "t") == 0;
    if (r)
        a->pq->clear(r);
    return yes;
}

bool pg_apply_relation_exists(pg_apply_t *a, const char *schema, const char *name)
{
    char *s = pg_ddl_ident(schema), *n = pg_ddl_ident(name);
    char *q = xasprintf("%s.%s", s, n);
    bool yes = exists_query(a, "SELECT to_regclass($1) IS NOT NULL", q);
    free(q);
    free(s);
    free(n);
    return yes;
}

bool pg_apply_type_exists(pg_apply_t *a, const char *name)
{
    return exists_query(a, "SELECT EXISTS (SELECT 1 FROM pg_type WHERE typname = $1)", name);
}
