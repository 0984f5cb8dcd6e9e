/* Integration tests for engine/postgres/cluster.c against the real
 * PostgreSQL 15 server: start from the cached template, talk to it with libpq
 * over its socket, check the Supabase baseline (roles, schemas, extensions,
 * auth.uid() reading request.jwt.claims, default privileges, RLS and its
 * bypass), stop, and find nothing left; the stale sweep; the cache key and a
 * cold template build. Run as root (as CI does) they also check that the
 * server runs as an unprivileged user. Every test stops what it starts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SUB "13ab4cf1-8587-4685-874b-c2d37beeab38"

/* A private TMPDIR for the clusters of one test (0755: when the tests run as
 * root the server's user must traverse it), removed at the end. */
static char tmp_root[64];

/* The cluster a test has running, stopped by teardown when a failed
 * assertion ends the test early (a passing test stops it itself). */
static pg_cluster_t *running;

static int setup(void **state)
{
    (void)state;
    snprintf(tmp_root, sizeof tmp_root, "/tmp/supamock-test-XXXXXX");
    if (!mkdtemp(tmp_root) || chmod(tmp_root, 0755) < 0)
        return -1;
    return 0;
}

/* Counts the cluster directories under tmp_root. */
static int cluster_dirs(void)
{
    DIR *d = opendir(tmp_root);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, "supamock-pg-", 12) == 0;
    closedir(d);
    return n;
}

static void rm_rf(const char *path)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

static int teardown(void **state)
{
    (void)state;
    if (running) {
        pg_cluster_stop(running, NULL);
        running = NULL;
        rm_rf(tmp_root);
        return -1;
    }
    int left = cluster_dirs();
    rm_rf(tmp_root);
    return left == 0 ? 0 : -1; /* a test that leaves a cluster behind fails */
}

static pg_cluster_t *start(const pg_cluster_options_t *extra)
{
    pg_cluster_options_t opt = {0};
    if (extra)
        opt = *extra;
    opt.tmp_dir = tmp_root;
    char err[PG_CLUSTER_ERR_MAX] = "";
    pg_cluster_t *c = NULL;
    int rc = pg_cluster_start(&opt, &c, err);
    if (rc != 0)
        fail_msg("pg_cluster_start: %s", err);
    running = c;
    const pg_cluster_timings_t *t = pg_cluster_timings(c);
    print_message("cluster %s: cache %s, template %.0f ms, copy %.0f ms, ready %.0f ms, "
                  "start %.0f ms\n",
                  pg_cluster_dir(c), t->cache_hit ? "hit" : "miss", t->template_ms, t->copy_ms,
                  t->ready_ms, t->total_ms);
    return c;
}

static int stop(pg_cluster_t *c, char *err)
{
    running = NULL;
    return pg_cluster_stop(c, err);
}

static PGconn *connect_as(pg_cluster_t *c, const char *user)
{
    char *conninfo = pg_cluster_conninfo(c, user);
    PGconn *conn = PQconnectdb(conninfo);
    free(conninfo);
    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("connect as %s: %s", user ? user : "superuser", PQerrorMessage(conn));
    return conn;
}

/* Runs sql; returns the first cell of the last result (static buffer; "" when
 * there is none, "<null>" for NULL), failing the test on an error. */
static const char *q(PGconn *conn, const char *sql)
{
    static char cell[1024];
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    cell[0] = '\0';
    if (st == PGRES_TUPLES_OK && PQntuples(res) > 0)
        snprintf(cell, sizeof cell, "%s",
                 PQgetisnull(res, 0, 0) ? "<null>" : PQgetvalue(res, 0, 0));
    PQclear(res);
    return cell;
}

/* Runs sql expecting an error; returns its SQLSTATE (static buffer). */
static const char *q_error(PGconn *conn, const char *sql)
{
    static char state[8];
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_FATAL_ERROR)
        fail_msg("%s: expected an error", sql);
    snprintf(state, sizeof state, "%s", PQresultErrorField(res, PG_DIAG_SQLSTATE));
    PQclear(res);
    return state;
}

/* The uid a process runs as, from /proc (-1 when unknown). */
static long proc_uid(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    long uid = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Uid: %ld", &uid) == 1)
            break;
    if (f)
        fclose(f);
    return uid;
}

static void test_start_baseline_stop(void **state)
{
    (void)state;
    pg_cluster_t *c = start(NULL);
    char *dir = strdup(pg_cluster_dir(c));
    pid_t pm = pg_cluster_postmaster_pid(c);

    /* The private directory: nobody else may enter; the server is not root. */
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, geteuid() == 0 ? 0710 : 0700);
    char data[512];
    snprintf(data, sizeof data, "%s/data", dir);
    assert_int_equal(stat(data, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    if (geteuid() == 0) {
        assert_int_not_equal(st.st_uid, 0);
        assert_int_equal(proc_uid(pm), (long)st.st_uid);
    }

    PGconn *db = connect_as(c, NULL);
    /* A Unix socket only, settings for a throwaway database. */
    assert_string_equal(q(db, "show listen_addresses"), "");
    assert_string_equal(q(db, "show fsync"), "off");
    assert_string_equal(q(db, "show TimeZone"), "UTC");
    assert_string_equal(q(db, "select current_setting('server_version_num')::int / 10000"), "15");
    assert_string_equal(q(db, "select current_user"), "supabase_admin");

    /* Roles, as a Supabase project has them. */
    assert_string_equal(
        q(db, "select string_agg(rolname || ':' || rolsuper::text || rolinherit::text || "
              "rolcanlogin::text || rolbypassrls::text, ',' order by rolname) from pg_roles "
              "where rolname in ('anon', 'authenticated', 'service_role', 'authenticator', "
              "'postgres', 'supabase_admin')"),
        "anon:falsetruefalsefalse,authenticated:falsetruefalsefalse,"
        "authenticator:falsefalsetruefalse,postgres:falsetruetruetrue,"
        "service_role:falsetruefalsetrue,supabase_admin:truetruetruetrue");
    assert_string_equal(q(db, "select pg_has_role('authenticator', 'anon', 'member') and "
                              "pg_has_role('authenticator', 'authenticated', 'member') and "
                              "pg_has_role('authenticator', 'service_role', 'member') and not "
                              "pg_has_role('authenticator', 'supabase_admin', 'member')"),
                        "t");
    assert_string_equal(q(db, "select datdba::regrole::text from pg_database where datname = "
                              "'postgres'"),
                        "postgres");

    /* Schemas, extensions, the auth and storage tables. */
    assert_string_equal(q(db, "select string_agg(nspname, ',' order by nspname) from "
                              "pg_namespace where nspname in ('auth', 'extensions', "
                              "'storage', 'public')"),
                        "auth,extensions,public,storage");
    assert_string_equal(q(db, "select string_agg(extname || '@' || extnamespace::regnamespace, "
                              "',' order by extname) from pg_extension where extname <> "
                              "'plpgsql'"),
                        "pg_stat_statements@extensions,pgcrypto@extensions,uuid-ossp@extensions");
    assert_string_equal(q(db, "select extensions.uuid_generate_v4() is not null and "
                              "extensions.crypt('pw', extensions.gen_salt('bf', 4)) like '$2a$%'"),
                        "t");
    assert_string_equal(q(db, "select string_agg(attname, ',' order by attnum) from pg_attribute "
                              "where attrelid = 'auth.users'::regclass and attnum > 0 and "
                              "not attisdropped"),
                        "instance_id,id,aud,role,email,encrypted_password,email_confirmed_at,"
                        "invited_at,confirmation_token,confirmation_sent_at,recovery_token,"
                        "recovery_sent_at,email_change_token_new,email_change,"
                        "email_change_sent_at,last_sign_in_at,raw_app_meta_data,"
                        "raw_user_meta_data,is_super_admin,created_at,updated_at,phone,"
                        "phone_confirmed_at,phone_change,phone_change_token,"
                        "phone_change_sent_at,confirmed_at,email_change_token_current,"
                        "email_change_confirm_status,banned_until,reauthentication_token,"
                        "reauthentication_sent_at,is_sso_user,deleted_at,is_anonymous");
    assert_string_equal(q(db, "select relowner::regrole::text || ',' || relrowsecurity from "
                              "pg_class where oid = 'auth.users'::regclass"),
                        "supabase_auth_admin,true");
    assert_string_equal(q(db, "select array_to_string(storage.foldername('u1/avatars/a.png'), "
                              "'/') || ' ' || storage.filename('u1/avatars/a.png') || ' ' || "
                              "storage.extension('u1/avatars/a.png')"),
                        "u1/avatars a.png png");

    /* auth.uid() and friends read request.jwt.claims, as PostgREST sets it
     * (transaction-local: gone after commit). */
    q(db, "begin");
    q(db, "select set_config('request.jwt.claims', '{\"sub\":\"" SUB "\",\"role\":"
          "\"authenticated\",\"email\":\"demo@example.com\"}', true)");
    assert_string_equal(q(db, "select auth.uid()"), SUB);
    assert_string_equal(q(db, "select auth.role()"), "authenticated");
    assert_string_equal(q(db, "select auth.email()"), "demo@example.com");
    assert_string_equal(q(db, "select auth.jwt() ->> 'sub'"), SUB);
    q(db, "commit");
    assert_string_equal(q(db, "select auth.uid()"), "<null>");

    /* A table a migration makes as `postgres`: the API roles get it through
     * the default privileges (no GRANT here), RLS filters, service_role
     * bypasses it. */
    q(db, "set role postgres");
    q(db, "create table public.notes (id int primary key, owner uuid, body text)");
    q(db, "alter table public.notes enable row level security");
    q(db, "create policy own_notes on public.notes for select to authenticated "
          "using (owner = auth.uid())");
    q(db, "insert into public.notes values (1, '" SUB "', 'mine'), "
          "(2, gen_random_uuid(), 'theirs')");
    q(db, "reset role");
    PGconn *api = connect_as(c, "authenticator");
    assert_string_equal(q(api, "show statement_timeout"), "8s");
    q(api, "begin");
    q(api, "set local role anon");
    assert_string_equal(q(api, "select count(*) from public.notes"), "0");
    q(api, "set local role authenticated");
    q(api, "select set_config('request.jwt.claims', '{\"sub\":\"" SUB "\"}', true)");
    assert_string_equal(q(api, "select string_agg(body, ',') from public.notes"), "mine");
    assert_string_equal(q_error(api, "select count(*) from auth.users"), "42501");
    q(api, "rollback");
    q(api, "begin");
    q(api, "set local role service_role");
    assert_string_equal(q(api, "select count(*) from public.notes"), "2");
    q(api, "rollback");
    assert_string_equal(q_error(api, "set role postgres"), "42501");
    PQfinish(api);
    PQfinish(db);

    char err[PG_CLUSTER_ERR_MAX] = "";
    assert_int_equal(stop(c, err), 0);
    assert_int_equal(stat(dir, &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(kill(pm, 0), -1); /* reaped: no such process */
    assert_int_equal(errno, ESRCH);
    free(dir);
}

static void write_owner(const char *dir, pid_t owner, pid_t postmaster)
{
    char path[512];
    snprintf(path, sizeof path, "%s/supamock.pid", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%ld %ld\n", (long)owner, (long)postmaster);
    fclose(f);
}

static pid_t dead_pid(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    assert_true(pid > 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return pid;
}

static void test_sweep(void **state)
{
    (void)state;
    /* Things the sweep must leave alone: a symlink named like a cluster
     * directory pointing elsewhere, and a directory without our pid file. */
    char victim[256], link[256], nopid[256], kept[300];
    snprintf(victim, sizeof victim, "%s/victim", tmp_root);
    snprintf(link, sizeof link, "%s/supamock-pg-link", tmp_root);
    snprintf(nopid, sizeof nopid, "%s/supamock-pg-nopid", tmp_root);
    snprintf(kept, sizeof kept, "%s/keep", victim);
    assert_int_equal(mkdir(victim, 0700), 0);
    write_owner(victim, dead_pid(), 0);
    assert_int_equal(mkdir(kept, 0700), 0);
    assert_int_equal(symlink(victim, link), 0);
    assert_int_equal(mkdir(nopid, 0700), 0);

    pg_cluster_t *c = start(NULL);
    char *dir = strdup(pg_cluster_dir(c));
    pid_t pm = pg_cluster_postmaster_pid(c);
    struct stat st;

    /* Our own live cluster is not stale. */
    assert_int_equal(pg_cluster_sweep(tmp_root), 0);
    assert_int_equal(stat(dir, &st), 0);

    /* As if the supamock that made it had been SIGKILLed. */
    write_owner(dir, dead_pid(), pm);
    assert_int_equal(pg_cluster_sweep(tmp_root), 1);
    assert_int_equal(stat(dir, &st), -1);
    assert_int_equal(errno, ENOENT);
    /* The sweep stopped the server (here our child, so poll reaps it). */
    char err[PG_CLUSTER_ERR_MAX];
    int r = 0;
    for (int i = 0; i < 2000 && r == 0; i++) {
        r = pg_cluster_poll(c, err);
        if (r == 0) {
            struct timespec ts = {0, 5000000};
            nanosleep(&ts, NULL);
        }
    }
    assert_int_equal(r, -1);
    assert_int_equal(stop(c, NULL), 0);

    assert_int_equal(lstat(link, &st), 0);
    assert_int_equal(stat(kept, &st), 0);
    assert_int_equal(stat(nopid, &st), 0);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(rmdir(nopid), 0);
    free(dir);
}

static void test_template_name(void **state)
{
    (void)state;
    char *a = pg_cluster_template_name("15.20", "select 1;");
    char *a2 = pg_cluster_template_name("15.20", "select 1;");
    char *b = pg_cluster_template_name("15.20", "select 2;");
    char *v = pg_cluster_template_name("15.21", "select 1;");
    assert_string_equal(a, a2);
    assert_string_not_equal(a, b);
    assert_string_not_equal(a, v);
    assert_int_equal(strncmp(a, "pg-15.20-", 9), 0);
    assert_int_equal(strlen(a), 9 + 16);
    assert_int_equal(strspn(a + 9, "0123456789abcdef"), 16);
    free(a);
    free(a2);
    free(b);
    free(v);
}

/* Without the server the error names the Debian package; nothing is made. */
static void test_missing_server(void **state)
{
    (void)state;
    pg_cluster_options_t opt = {.bin_dir = "/nonexistent/bin", .tmp_dir = tmp_root};
    char err[PG_CLUSTER_ERR_MAX] = "";
    pg_cluster_t *c = NULL;
    assert_int_equal(pg_cluster_start(&opt, &c, err), -1);
    assert_null(c);
    assert_non_null(strstr(err, "/nonexistent/bin"));
    assert_non_null(strstr(err, "postgresql-15"));
    assert_int_equal(cluster_dirs(), 0);
}

static void test_cache_dir_safety(void **state)
{
    (void)state;
    char path[256], err[PG_CLUSTER_ERR_MAX];
    snprintf(path, sizeof path, "%s/cache/deep", tmp_root);
    pg_cluster_options_t opt = {.cache_dir = path};
    char *dir = pg_cluster_cache_dir(&opt, err);
    assert_non_null(dir);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    free(dir);
    assert_int_equal(chmod(path, 0777), 0);
    assert_null(pg_cluster_cache_dir(&opt, err));
    assert_non_null(strstr(err, "writable by group or others"));
    char target[300];
    snprintf(target, sizeof target, "%s/cache/link", tmp_root);
    assert_int_equal(symlink(path, target), 0);
    opt.cache_dir = target;
    assert_null(pg_cluster_cache_dir(&opt, err));
    assert_non_null(strstr(err, "not a directory owned by this user"));
}

/* A different baseline is a different template: built cold (initdb) into its
 * own cache entry, reused warm the second time; a broken one fails with its
 * line and leaves nothing behind. */
static void test_cold_template(void **state)
{
    (void)state;
    char cache[256];
    snprintf(cache, sizeof cache, "%s/cold-cache", tmp_root);
    const char *baseline = "create role anon;\n"
                           "create table public.marker (x int);\n";
    pg_cluster_options_t opt = {.cache_dir = cache, .baseline = baseline};
    pg_cluster_t *c = start(&opt);
    assert_false(pg_cluster_timings(c)->cache_hit);
    PGconn *db = connect_as(c, NULL);
    assert_string_equal(q(db, "select count(*) from public.marker"), "0");
    assert_string_equal(q(db, "select count(*) from pg_namespace where nspname = 'auth'"), "0");
    PQfinish(db);
    assert_int_equal(stop(c, NULL), 0);

    /* One entry, named by the server version and this baseline's hash. */
    DIR *d = opendir(cache);
    assert_non_null(d);
    char entry[256] = "";
    int entries = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        entries++;
        snprintf(entry, sizeof entry, "%s", e->d_name);
    }
    closedir(d);
    assert_int_equal(entries, 1);
    char version[32];
    assert_int_equal(sscanf(entry, "pg-%31[^-]-", version), 1);
    char *name = pg_cluster_template_name(version, baseline);
    assert_string_equal(entry, name);
    free(name);

    c = start(&opt);
    assert_true(pg_cluster_timings(c)->cache_hit);
    assert_int_equal(stop(c, NULL), 0);

    opt.baseline = "select 1;\ncreate tabel broken (x int);\n";
    char err[PG_CLUSTER_ERR_MAX] = "";
    pg_cluster_t *bad = NULL;
    opt.tmp_dir = tmp_root;
    assert_int_equal(pg_cluster_start(&opt, &bad, err), -1);
    assert_null(bad);
    assert_non_null(strstr(err, "line 2"));
    assert_non_null(strstr(err, "syntax error"));
    assert_int_equal(cluster_dirs(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_name),
        cmocka_unit_test_setup_teardown(test_missing_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cache_dir_safety, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_baseline_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cold_template, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
