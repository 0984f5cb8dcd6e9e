/* engine/postgres/pg_conn.c against the real PostgreSQL 15 server: statements
 * through the pool with no loop (blocking) and on a real event loop; a slow
 * statement (pg_sleep) on one connection does not hold up another's; a bad
 * statement gives the server's PGresult with its SQLSTATE; a backend ended by
 * pg_terminate_backend gives conn_error and its connection is replaced; a
 * connection released inside a transaction is rolled back; the pool's bounds
 * (size, waiters FIFO, cancel) and closing it with callbacks pending.
 * Skipped when the PostgreSQL 15 server binaries are not installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cluster.h"
#include "pg_conn.h"
#include "pq.h"
#include "runtime.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmp_root[64];
static pg_cluster_t *cluster;
static char *conninfo;
static const pq_api_t *pq;

static bool server_installed(void)
{
    const char *dir = getenv("SUPAMOCK_PG_BINDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/postgres", dir ? dir : "/usr/lib/postgresql/15/bin");
    return access(path, X_OK) == 0;
}

static int group_setup(void **state)
{
    (void)state;
    if (!server_installed())
        return 0; /* every test skips */
    snprintf(tmp_root, sizeof tmp_root, "/tmp/supamock-test-XXXXXX");
    if (!mkdtemp(tmp_root) || chmod(tmp_root, 0755) < 0)
        return -1;
    pg_cluster_options_t opt = {0};
    opt.tmp_dir = tmp_root;
    char err[PG_CLUSTER_ERR_MAX] = "";
    if (pg_cluster_start(&opt, &cluster, err) != 0) {
        fprintf(stderr, "pg_cluster_start: %s\n", err);
        return -1;
    }
    conninfo = pg_cluster_conninfo(cluster, NULL);
    char perr[256];
    pq = pq_load(perr, sizeof perr);
    if (!pq) {
        fprintf(stderr, "%s\n", perr);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(conninfo);
    if (cluster)
        pg_cluster_stop(cluster, NULL);
    if (tmp_root[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
        if (system(cmd) != 0)
            return -1;
    }
    return 0;
}

#define NEED_SERVER()                                                                              \
    do {                                                                                           \
        if (!cluster)                                                                              \
            skip();                                                                                \
    } while (0)

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- what the callbacks saw ---- */

typedef struct acq {
    bool called;
    pg_conn_t *conn;
    char error[256];
    int order; /* when it ran, from `seq` */
} acq_t;

static int seq;

static void on_ready(void *arg, pg_conn_t *conn, const char *error)
{
    acq_t *a = arg;
    assert_false(a->called); /* exactly once */
    a->called = true;
    a->conn = conn;
    a->order = ++seq;
    snprintf(a->error, sizeof a->error, "%s", error ? error : "");
}

typedef struct stmt {
    bool called;
    ExecStatusType status;
    char value[256];  /* first cell */
    char sqlstate[8]; /* of an error result */
    char error[256];  /* conn_error */
    bool conn_failed; /* res NULL */
    double at_ms;     /* when done ran */
} stmt_t;

static void on_done(void *arg, const PGresult *res, const char *conn_error)
{
    stmt_t *s = arg;
    assert_false(s->called);
    s->called = true;
    s->at_ms = now_ms();
    if (!res) {
        assert_non_null(conn_error);
        s->conn_failed = true;
        snprintf(s->error, sizeof s->error, "%s", conn_error);
        return;
    }
    assert_null(conn_error);
    s->status = pq->result_status(res);
    if (s->status == PGRES_TUPLES_OK && pq->ntuples(res) > 0)
        snprintf(s->value, sizeof s->value, "%s", pq->getvalue(res, 0, 0));
    const char *st = pq->result_error_field(res, PG_DIAG_SQLSTATE);
    snprintf(s->sqlstate, sizeof s->sqlstate, "%s", st ? st : "");
}

static pg_pool_t *pool_for(struct uv_loop_s *loop, size_t size, size_t max_waiters)
{
    pg_pool_options_t opt = {loop, conninfo, size, max_waiters};
    char err[256] = "";
    pg_pool_t *p = pg_pool_new(&opt, err, sizeof err);
    if (!p)
        fail_msg("pg_pool_new: %s", err);
    return p;
}

/* Acquires a connection, running the loop (when there is one) until it comes. */
static pg_conn_t *acquire(pg_pool_t *p, struct uv_loop_s *loop)
{
    acq_t a = {0};
    pg_pool_acquire(p, on_ready, &a);
    if (loop)
        assert_int_equal(runtime_loop_run_until(loop, &a.called, 10000), 0);
    assert_true(a.called);
    if (!a.conn)
        fail_msg("acquire: %s", a.error);
    return a.conn;
}

/* Runs one statement to completion. */
static void run(pg_conn_t *c, struct uv_loop_s *loop, const char *sql, int n,
                const char *const *params, stmt_t *s)
{
    memset(s, 0, sizeof *s);
    assert_int_equal(pg_conn_exec(c, sql, n, params, on_done, s), 0);
    if (loop)
        assert_int_equal(runtime_loop_run_until(loop, &s->called, 10000), 0);
    assert_true(s->called);
}

/* The statements every mode must run alike. */
static void statements(struct uv_loop_s *loop)
{
    pg_pool_t *p = pool_for(loop, 2, 0);
    pg_conn_t *c = acquire(p, loop);
    stmt_t s;
    const char *params[] = {"41"};
    run(c, loop, "select $1::int + 1", 1, params, &s);
    assert_int_equal(s.status, PGRES_TUPLES_OK);
    assert_string_equal(s.value, "42");

    /* A bad statement: the server's error result, connection still fine. */
    run(c, loop, "selec 1", 0, NULL, &s);
    assert_int_equal(s.status, PGRES_FATAL_ERROR);
    assert_string_equal(s.sqlstate, "42601"); /* syntax_error */
    run(c, loop, "select 1/0", 0, NULL, &s);
    assert_string_equal(s.sqlstate, "22012"); /* division_by_zero */
    run(c, loop, "select 'ok'", 0, NULL, &s);
    assert_string_equal(s.value, "ok");

    /* A transaction chained statement by statement; released inside it, the
     * connection is rolled back before it is lent again. */
    run(c, loop, "begin", 0, NULL, &s);
    assert_int_equal(s.status, PGRES_COMMAND_OK);
    run(c, loop, "create temp table t (x int)", 0, NULL, &s);
    assert_int_equal(s.status, PGRES_COMMAND_OK);
    pg_pool_release(p, c);
    if (loop) {
        bool never = false;
        runtime_loop_run_until(loop, &never, 100); /* the ROLLBACK runs */
    }
    pg_conn_t *again = acquire(p, loop);
    assert_ptr_equal(again, c); /* the idle one, not a new connection */
    assert_int_equal(pg_pool_open(p), 1);
    run(again, loop, "select count(*) from pg_tables where tablename = 't'", 0, NULL, &s);
    assert_string_equal(s.value, "0");
    /* A large statement (more than one socket buffer) and a large result. */
    size_t big = 1 << 20;
    char *sql = malloc(big + 64);
    strcpy(sql, "select length('");
    memset(sql + strlen(sql), 'x', big);
    strcpy(sql + 15 + big, "')");
    run(again, loop, sql, 0, NULL, &s);
    free(sql);
    assert_string_equal(s.value, "1048576");
    run(again, loop, "select repeat('y', 3000000)", 0, NULL, &s);
    assert_int_equal(strlen(s.value), 255);
    pg_pool_release(p, again);
    pg_pool_free(p);
}

static void test_blocking(void **state)
{
    (void)state;
    NEED_SERVER();
    statements(NULL);
}

static void test_loop(void **state)
{
    (void)state;
    NEED_SERVER();
    struct uv_loop_s *loop = runtime_loop_new();
    statements(loop);
    assert_int_equal(runtime_loop_free(loop, 5000), 0);
}

/* A pg_sleep on one connection; another connection's statement finishes
 * meanwhile. */
static void test_slow_does_not_block(void **state)
{
    (void)state;
    NEED_SERVER();
    struct uv_loop_s *loop = runtime_loop_new();
    pg_pool_t *p = pool_for(loop, 2, 0);
    pg_conn_t *a = acquire(p, loop);
    pg_conn_t *b = acquire(p, loop);
    assert_ptr_not_equal(a, b);
    stmt_t slow = {0}, quick = {0};
    double t0 = now_ms();
    assert_int_equal(pg_conn_exec(a, "select pg_sleep(0.8)", 0, NULL, on_done, &slow), 0);
    assert_int_equal(pg_conn_exec(b, "select 'quick'", 0, NULL, on_done, &quick), 0);
    assert_false(slow.called); /* exec returned at once */
    assert_int_equal(runtime_loop_run_until(loop, &quick.called, 5000), 0);
    assert_false(slow.called);
    assert_string_equal(quick.value, "quick");
    assert_true(quick.at_ms - t0 < 500);
    /* A second statement on a busy connection is refused, not queued. */
    stmt_t refused = {0};
    assert_int_equal(pg_conn_exec(a, "select 1", 0, NULL, on_done, &refused), -1);
    assert_non_null(strstr(pg_conn_error(a), "already running"));
    assert_int_equal(runtime_loop_run_until(loop, &slow.called, 5000), 0);
    assert_false(refused.called);
    assert_int_equal(slow.status, PGRES_TUPLES_OK);
    assert_true(slow.at_ms - t0 >= 750);
    pg_pool_release(p, a);
    pg_pool_release(p, b);
    pg_pool_free(p);
    assert_int_equal(runtime_loop_free(loop, 5000), 0);
}

/* The backend of a connection ended from another: its statement ends with
 * conn_error, the broken connection is not lent again, a new one replaces it. */
static void terminate(struct uv_loop_s *loop)
{
    pg_pool_t *p = pool_for(loop, 2, 0);
    pg_conn_t *a = acquire(p, loop);
    pg_conn_t *b = acquire(p, loop);
    stmt_t s;
    run(a, loop, "select pg_backend_pid()", 0, NULL, &s);
    char pid[256];
    snprintf(pid, sizeof pid, "%s", s.value);
    stmt_t victim = {0};
    if (loop) {
        /* Ended while its statement runs. */
        assert_int_equal(pg_conn_exec(a, "select pg_sleep(10)", 0, NULL, on_done, &victim), 0);
        bool never = false;
        runtime_loop_run_until(loop, &never, 200);
        assert_false(victim.called);
    }
    const char *params[] = {pid};
    run(b, loop, "select pg_terminate_backend($1::int)", 1, params, &s);
    assert_string_equal(s.value, "t");
    if (loop) {
        assert_int_equal(runtime_loop_run_until(loop, &victim.called, 5000), 0);
    } else {
        /* In blocking mode the next statement finds out. */
        usleep(100 * 1000);
        memset(&victim, 0, sizeof victim);
        int rc = pg_conn_exec(a, "select 1", 0, NULL, on_done, &victim);
        if (rc != 0) {
            /* Could not even send: said at once, done never runs. */
            assert_false(victim.called);
            assert_true(pg_conn_error(a)[0] != '\0');
            victim.conn_failed = true;
            snprintf(victim.error, sizeof victim.error, "%s", pg_conn_error(a));
        }
    }
    assert_true(victim.conn_failed);
    print_message("conn_error: %s\n", victim.error);
    if (loop) /* the server said why before it went */
        assert_non_null(strstr(victim.error, "terminating connection"));
    assert_true(victim.error[0] != '\0');
    /* The broken connection refuses statements at once. */
    stmt_t after = {0};
    assert_int_equal(pg_conn_exec(a, "select 1", 0, NULL, on_done, &after), -1);
    assert_false(after.called);
    pg_pool_release(p, a); /* closed */
    assert_int_equal(pg_pool_open(p), 1);
    pg_pool_release(p, b);
    pg_conn_t *c1 = acquire(p, loop);
    pg_conn_t *c2 = acquire(p, loop); /* a new connection */
    assert_int_equal(pg_pool_open(p), 2);
    run(c2, loop, "select 'alive'", 0, NULL, &s);
    assert_string_equal(s.value, "alive");
    run(c1, loop, "select 'alive'", 0, NULL, &s);
    assert_string_equal(s.value, "alive");
    pg_pool_release(p, c1);
    pg_pool_release(p, c2);
    pg_pool_free(p);
}

static void test_terminate_loop(void **state)
{
    (void)state;
    NEED_SERVER();
    struct uv_loop_s *loop = runtime_loop_new();
    terminate(loop);
    assert_int_equal(runtime_loop_free(loop, 5000), 0);
}

static void test_terminate_blocking(void **state)
{
    (void)state;
    NEED_SERVER();
    terminate(NULL);
}

/* An idle connection whose backend ends is dropped, not lent. */
static void test_idle_connection_dies(void **state)
{
    (void)state;
    NEED_SERVER();
    struct uv_loop_s *loop = runtime_loop_new();
    pg_pool_t *p = pool_for(loop, 2, 0);
    pg_conn_t *a = acquire(p, loop);
    pg_conn_t *b = acquire(p, loop);
    stmt_t s;
    run(a, loop, "select pg_backend_pid()", 0, NULL, &s);
    const char *params[] = {s.value};
    char pid[256];
    snprintf(pid, sizeof pid, "%s", s.value);
    params[0] = pid;
    pg_pool_release(p, a); /* idle now */
    run(b, loop, "select pg_terminate_backend($1::int)", 1, params, &s);
    assert_string_equal(s.value, "t");
    bool never = false;
    runtime_loop_run_until(loop, &never, 300);
    assert_int_equal(pg_pool_open(p), 1); /* the idle one is gone */
    pg_conn_t *c = acquire(p, loop);
    assert_ptr_not_equal(c, b);
    run(c, loop, "select 'fresh'", 0, NULL, &s);
    assert_string_equal(s.value, "fresh");
    pg_pool_release(p, b);
    pg_pool_release(p, c);
    pg_pool_free(p);
    assert_int_equal(runtime_loop_free(loop, 5000), 0);
}

/* size bounds the connections, max_waiters the FIFO; waiters are served in
 * order; a cancelled waiter is never called; freeing the pool tells every
 * pending callback. */
static void test_bounds(void **state)
{
    (void)state;
    NEED_SERVER();
    struct uv_loop_s *loop = runtime_loop_new();
    pg_pool_t *p = pool_for(loop, 1, 3);
    seq = 0;
    acq_t w[5];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 4; i++)
        pg_pool_acquire(p, on_ready, &w[i]);
    assert_false(w[0].called); /* connecting */
    assert_int_equal(pg_pool_open(p), 1);
    assert_int_equal(pg_pool_waiting(p), 3);
    /* The fourth found the FIFO full: told at once. */
    assert_true(w[3].called);
    assert_null(w[3].conn);
    assert_non_null(strstr(w[3].error, "too many"));
    assert_int_equal(runtime_loop_run_until(loop, &w[0].called, 10000), 0);
    assert_non_null(w[0].conn);
    assert_int_equal(pg_pool_open(p), 1); /* size 1: no second connection */
    pg_pool_cancel(p, on_ready, &w[1]);
    assert_int_equal(pg_pool_waiting(p), 1);
    pg_pool_acquire(p, on_ready, &w[4]);
    stmt_t s;
    run(w[0].conn, loop, "select 1", 0, NULL, &s);
    pg_pool_release(p, w[0].conn);
    /* Released: the oldest remaining waiter has it, the next still waits. */
    assert_true(w[2].called);
    assert_ptr_equal(w[2].conn, w[0].conn);
    assert_false(w[1].called);
    assert_false(w[4].called);
    /* A statement in flight and a waiter when the pool closes. */
    stmt_t pending = {0};
    assert_int_equal(pg_conn_exec(w[2].conn, "select pg_sleep(5)", 0, NULL, on_done, &pending), 0);
    pg_pool_free(p);
    assert_true(pending.called);
    assert_true(pending.conn_failed);
    assert_true(w[4].called);
    assert_null(w[4].conn);
    assert_true(w[4].order > w[2].order);
    assert_false(w[1].called);
    assert_int_equal(runtime_loop_free(loop, 5000), 0);
}

/* A connect that fails reaches the waiter with libpq's message. */
static void test_connect_fails(void **state)
{
    (void)state;
    NEED_SERVER();
    char bad[600];
    snprintf(bad, sizeof bad, "host=%s/nowhere dbname=postgres", tmp_root);
    struct uv_loop_s *loops[2] = {NULL, runtime_loop_new()};
    for (int i = 0; i < 2; i++) {
        pg_pool_options_t opt = {loops[i], bad, 2, 0};
        char err[256];
        pg_pool_t *p = pg_pool_new(&opt, err, sizeof err);
        assert_non_null(p);
        acq_t a = {0}, b = {0};
        pg_pool_acquire(p, on_ready, &a);
        pg_pool_acquire(p, on_ready, &b);
        if (loops[i]) {
            assert_int_equal(runtime_loop_run_until(loops[i], &a.called, 5000), 0);
            assert_int_equal(runtime_loop_run_until(loops[i], &b.called, 5000), 0);
        }
        assert_null(a.conn);
        assert_null(b.conn);
        assert_non_null(strstr(a.error, "nowhere"));
        assert_int_equal(pg_pool_open(p), 0);
        pg_pool_free(p);
    }
    assert_int_equal(runtime_loop_free(loops[1], 5000), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocking),
        cmocka_unit_test(test_loop),
        cmocka_unit_test(test_slow_does_not_block),
        cmocka_unit_test(test_terminate_loop),
        cmocka_unit_test(test_terminate_blocking),
        cmocka_unit_test(test_idle_connection_dies),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_connect_fails),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
