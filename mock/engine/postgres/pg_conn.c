/* pg_conn.h: libpq's asynchronous API driven by the readiness of each
 * connection's socket on the loop (net/fdwatch.h), or libpq's blocking calls
 * when the pool has no loop.
 *
 * Ownership: the pool owns every connection (the list `conns`), whether idle,
 * lent to a caller, or connecting; a lent connection comes back through
 * pg_pool_release. A connection owns its PGconn, its socket watcher and the
 * result of the statement in flight (kept until `done` returned).
 *
 * Re-entrancy: user callbacks (ready, done) may acquire, release, exec or free
 * the pool. So every callback is the last thing its caller does with the
 * connection, and what the callback receives (result, message) is taken out of
 * the connection first and freed afterwards. */
#include "pg_conn.h"

#include "fdwatch.h"
#include "pq.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum conn_state {
    C_CONNECTING, /* PQconnectPoll in progress (loop mode only) */
    C_IDLE,       /* in the pool, free to lend */
    C_LENT,       /* handed to a caller by `ready` */
    C_ROLLBACK,   /* released inside a transaction: ROLLBACK running */
};

struct pg_conn {
    pg_pool_t *pool;
    PGconn *pg;
    fdwatch_t *watch; /* loop mode; NULL in blocking mode */
    enum conn_state state;
    bool busy;     /* a statement is in flight: done/arg are set */
    bool flushing; /* PQflush has more to send */
    bool broken;   /* the server went away or the socket failed */
    pg_conn_done_fn done;
    pg_conn_each_fn each; /* pg_conn_script: every result goes here, none is kept */
    void *arg;
    PGresult *last; /* the statement's latest result so far */
    char error[256];
    pg_conn_t *prev, *next;
};

typedef struct waiter {
    pg_pool_ready_fn ready;
    void *arg;
} waiter_t;

struct pg_pool {
    const pq_api_t *pq;
    struct uv_loop_s *loop;
    char *conninfo;
    size_t size;
    pg_conn_t *conns; /* every connection, most recent first */
    size_t n_conns;
    size_t n_connecting;
    /* FIFO of waiting acquires: a ring of cap entries. */
    waiter_t *waiters;
    size_t w_cap, w_head, w_len;
    bool freeing;
};

static const char POOL_CLOSED[] = "the database connection pool was closed";

/* ---- the connection list ---- */

static void conn_destroy(pg_conn_t *c)
{
    pg_pool_t *p = c->pool;
    if (c->prev)
        c->prev->next = c->next;
    else
        p->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    p->n_conns--;
    if (c->state == C_CONNECTING)
        p->n_connecting--;
    /* Stop watching before PQfinish closes the socket. */
    fdwatch_close(c->watch, NULL, NULL);
    if (c->last)
        p->pq->clear(c->last);
    if (c->pg)
        p->pq->finish(c->pg);
    free(c);
}

static void set_error(pg_conn_t *c, const char *msg)
{
    snprintf(c->error, sizeof c->error, "%s", msg && *msg ? msg : "connection failed");
    /* libpq's messages end in a newline. */
    size_t n = strlen(c->error);
    while (n > 0 && (c->error[n - 1] == '\n' || c->error[n - 1] == ' '))
        c->error[--n] = '\0';
}

static void watch_events(pg_conn_t *c, int events)
{
    /* Only a connect or a statement in flight keeps the loop alive: idle
     * connections must not hold up the end of the loop at shutdown. */
    if (c->watch)
        fdwatch_keep_loop(c->watch, c->busy || c->state == C_CONNECTING);
    if (c->watch && fdwatch_set(c->watch, events) < 0 && events) {
        c->broken = true;
        set_error(c, "cannot watch the database connection's socket");
    }
}

/* ---- waiters ---- */

static bool waiter_pop(pg_pool_t *p, waiter_t *out)
{
    if (p->w_len == 0)
        return false;
    *out = p->waiters[p->w_head];
    p->w_head = (p->w_head + 1) % p->w_cap;
    p->w_len--;
    return true;
}

static void open_conn(pg_pool_t *p);

/* Opens connections while more acquires wait than connections are being
 * opened, within the pool's size. */
static void replenish(pg_pool_t *p)
{
    while (!p->freeing && p->w_len > p->n_connecting && p->n_conns < p->size)
        open_conn(p);
}

/* c is connected and free: lend it to the oldest waiter, or keep it idle
 * (watched, so that a server going away is noticed). */
static void conn_available(pg_conn_t *c)
{
    pg_pool_t *p = c->pool;
    waiter_t w;
    bool lend = waiter_pop(p, &w);
    c->state = lend ? C_LENT : C_IDLE;
    /* Readable only: what a connect step asked for (writable) would spin. */
    watch_events(c, FDWATCH_READABLE);
    if (lend)
        w.ready(w.arg, c, NULL);
}

/* A connect failed: the oldest waiter hears why. */
static void conn_failed(pg_conn_t *c, const char *msg)
{
    pg_pool_t *p = c->pool;
    char copy[256];
    snprintf(copy, sizeof copy, "%s", msg && *msg ? msg : "cannot connect to the database");
    size_t n = strlen(copy);
    while (n > 0 && copy[n - 1] == '\n')
        copy[--n] = '\0';
    conn_destroy(c);
    waiter_t w;
    if (waiter_pop(p, &w))
        w.ready(w.arg, NULL, copy);
    /* On the loop, the next waiter gets a connection attempt of its own (in
     * blocking mode replenish's own loop does that). */
    if (p->loop)
        replenish(p);
}

/* ---- statements ---- */

/* The statement ended: hand its last result (or the connection's error) to
 * done. Last use of c. */
static void statement_finish(pg_conn_t *c)
{
    const pq_api_t *pq = c->pool->pq;
    PGresult *res = c->last;
    c->last = NULL;
    pg_conn_done_fn done = c->done;
    void *arg = c->arg;
    c->busy = false;
    c->done = NULL;
    c->each = NULL;
    c->flushing = false;
    char msg[256] = "";
    if (pq->status(c->pg) == CONNECTION_BAD || c->broken) {
        c->broken = true;
        /* The server's own words (e.g. "terminating connection due to
         * administrator command") when it said any before going. */
        const char *why = res ? pq->result_error_message(res) : NULL;
        if (!why || !*why)
            why = pq->error_message(c->pg);
        set_error(c, why);
        snprintf(msg, sizeof msg, "%s", c->error);
        watch_events(c, 0); /* a closed socket stays readable: stop polling it */
    } else {
        watch_events(c, FDWATCH_READABLE);
    }
    if (done) {
        if (msg[0])
            done(arg, NULL, msg);
        else
            done(arg, res, NULL);
    }
    if (res)
        pq->clear(res);
}

/* Keeps r as the statement's latest result, except that libpq's own error
 * about the socket (no SQLSTATE) does not replace what the server said
 * before it went ("terminating connection due to administrator command"). */
static void keep_result(pg_conn_t *c, PGresult *r)
{
    const pq_api_t *pq = c->pool->pq;
    if (c->each) {
        ExecStatusType st = pq->result_status(r);
        c->each(c->arg, r);
        pq->clear(r);
        /* COPY wants a client that streams data: the script ends here and
         * the connection is given up (libpq would repeat the COPY state). */
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
            c->broken = true;
            set_error(c, "COPY ended the script");
        }
        return;
    }
    if (c->last && pq->result_status(c->last) == PGRES_FATAL_ERROR &&
        pq->result_error_field(c->last, PG_DIAG_SQLSTATE) &&
        !pq->result_error_field(r, PG_DIAG_SQLSTATE)) {
        pq->clear(r);
        return;
    }
    if (c->last)
        pq->clear(c->last);
    c->last = r;
}

/* Drives the statement in flight as far as the socket allows. */
static void statement_step(pg_conn_t *c, int events)
{
    const pq_api_t *pq = c->pool->pq;
    if (c->flushing) {
        int r = pq->flush(c->pg);
        if (r < 0)
            c->broken = true;
        c->flushing = r > 0;
    }
    if ((events & FDWATCH_READABLE) && !c->broken && pq->consume_input(c->pg) == 0)
        c->broken = true; /* PQgetResult below reports it */
    /* PQgetResult returns at once unless busy; on a broken connection it
     * yields an error result and then NULL. The bound only guards against a
     * libpq that would not. */
    for (int guard = 0; guard < 100000; guard++) {
        if (!c->broken && pq->is_busy(c->pg)) {
            watch_events(c, FDWATCH_READABLE | (c->flushing ? FDWATCH_WRITABLE : 0));
            return;
        }
        PGresult *r = pq->get_result(c->pg);
        if (!r)
            break;
        keep_result(c, r);
        if (c->each && c->broken)
            break; /* a COPY ended the script */
    }
    statement_finish(c);
}

/* A lent or idle connection without a statement: notifications and a server
 * that goes away arrive here. */
static void quiet_input(pg_conn_t *c)
{
    const pq_api_t *pq = c->pool->pq;
    if (pq->consume_input(c->pg) == 0 || pq->status(c->pg) == CONNECTION_BAD) {
        set_error(c, pq->error_message(c->pg));
        c->broken = true;
        if (c->state == C_IDLE) {
            conn_destroy(c);
            return;
        }
        watch_events(c, 0);
        return;
    }
    /* Nobody LISTENs on pool connections; drop what arrives. */
    PGnotify *n;
    while ((n = pq->notifies(c->pg)) != NULL)
        pq->freemem(n);
}

static void on_socket(void *arg, int events, int status);

/* libpq prints notices (and a FATAL that arrives between statements) on
 * stderr by default; the engine reads errors from results instead. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The watcher follows the socket libpq uses now. PQconnectPoll may close
 * its socket and open another (another address, SSL refused), possibly with
 * the same number, which epoll would no longer report: so every connect
 * step gets a fresh watcher (a few per connection). */
static int watch_socket(pg_conn_t *c)
{
    int fd = c->pool->pq->socket(c->pg);
    if (fd < 0)
        return -1;
    fdwatch_close(c->watch, NULL, NULL);
    c->watch = fdwatch_new(c->pool->loop, fd, on_socket, c, NULL);
    return c->watch ? 0 : -1;
}

static void connect_step(pg_conn_t *c)
{
    pg_pool_t *p = c->pool;
    PostgresPollingStatusType st = p->pq->connect_poll(c->pg);
    if (st == PGRES_POLLING_OK) {
        p->n_connecting--;
        if (p->pq->set_nonblocking(c->pg, 1) != 0) {
            c->state = C_LENT; /* not connecting any more, for conn_destroy */
            conn_failed(c, p->pq->error_message(c->pg));
            return;
        }
        conn_available(c);
        return;
    }
    if (st == PGRES_POLLING_FAILED || watch_socket(c) < 0) {
        conn_failed(c, p->pq->error_message(c->pg));
        return;
    }
    watch_events(c, st == PGRES_POLLING_READING ? FDWATCH_READABLE : FDWATCH_WRITABLE);
}

static void on_socket(void *arg, int events, int status)
{
    pg_conn_t *c = arg;
    if (status < 0)
        events |= FDWATCH_READABLE; /* let libpq find out what is wrong */
    if (c->state == C_CONNECTING)
        connect_step(c);
    else if (c->busy)
        statement_step(c, events);
    else
        quiet_input(c);
}

static void open_conn(pg_pool_t *p)
{
    pg_conn_t *c = xcalloc(1, sizeof *c);
    c->pool = p;
    c->next = p->conns;
    if (p->conns)
        p->conns->prev = c;
    p->conns = c;
    p->n_conns++;
    c->state = C_CONNECTING;
    p->n_connecting++;
    if (!p->loop) {
        c->pg = p->pq->connectdb(p->conninfo);
        p->n_connecting--;
        c->state = C_LENT;
        if (!c->pg || p->pq->status(c->pg) != CONNECTION_OK) {
            conn_failed(c, c->pg ? p->pq->error_message(c->pg) : "out of memory");
            return;
        }
        p->pq->set_notice_processor(c->pg, quiet_notice, NULL);
        conn_available(c);
        return;
    }
    c->pg = p->pq->connect_start(p->conninfo);
    if (c->pg)
        p->pq->set_notice_processor(c->pg, quiet_notice, NULL);
    if (!c->pg || p->pq->status(c->pg) == CONNECTION_BAD || watch_socket(c) < 0) {
        conn_failed(c, c->pg ? p->pq->error_message(c->pg) : "out of memory");
        return;
    }
    /* libpq: after PQconnectStart, behave as if PQconnectPoll last said
     * PGRES_POLLING_WRITING. */
    watch_events(c, FDWATCH_WRITABLE);
}

/* Sends sql: with the extended protocol and params when each is NULL (one
 * statement), as a simple query otherwise (a script). */
static int send(pg_conn_t *c, const char *sql, int n_params, const char *const *params,
                pg_conn_each_fn each, pg_conn_done_fn done, void *arg)
{
    const pq_api_t *pq = c->pool->pq;
    if (c->pool->freeing) {
        set_error(c, POOL_CLOSED);
        return -1;
    }
    if (c->busy) {
        set_error(c, "a statement is already running on this connection");
        return -1;
    }
    if (c->broken || pq->status(c->pg) != CONNECTION_OK) {
        if (!c->broken)
            set_error(c, pq->error_message(c->pg));
        c->broken = true;
        return -1;
    }
    int sent = each ? pq->send_query(c->pg, sql)
                    : pq->send_query_params(c->pg, sql, n_params, NULL, params, NULL, NULL, 0);
    if (!sent) {
        set_error(c, pq->error_message(c->pg));
        if (pq->status(c->pg) == CONNECTION_BAD)
            c->broken = true;
        return -1;
    }
    c->busy = true;
    c->done = done;
    c->each = each;
    c->arg = arg;
    if (!c->pool->loop) {
        PGresult *r;
        while (!(c->each && c->broken) && (r = pq->get_result(c->pg)) != NULL)
            keep_result(c, r);
        statement_finish(c);
        return 0;
    }
    c->flushing = true;
    /* Nothing is readable yet: try to send now, then wait on the socket. */
    int fr = pq->flush(c->pg);
    if (fr < 0) {
        /* Not sent; libpq may have closed the socket already, so there is
         * nothing to wait on. */
        set_error(c, pq->error_message(c->pg));
        c->busy = false;
        c->done = NULL;
        c->flushing = false;
        c->broken = true;
        watch_events(c, 0);
        return -1;
    }
    c->flushing = fr > 0;
    watch_events(c, FDWATCH_READABLE | (c->flushing ? FDWATCH_WRITABLE : 0));
    return 0;
}

int pg_conn_exec(pg_conn_t *c, const char *sql, int n_params, const char *const *params,
                 pg_conn_done_fn done, void *arg)
{
    return send(c, sql, n_params, params, NULL, done, arg);
}

int pg_conn_script(pg_conn_t *c, const char *sql, pg_conn_each_fn each, pg_conn_done_fn done,
                   void *arg)
{
    return send(c, sql, 0, NULL, each, done, arg);
}

const char *pg_conn_error(const pg_conn_t *c)
{
    return c->error;
}

/* ---- the pool ---- */

pg_pool_t *pg_pool_new(const pg_pool_options_t *opt, char *err, size_t err_len)
{
    const pq_api_t *pq = pq_load(err, err_len);
    if (!pq)
        return NULL;
    pg_pool_t *p = xcalloc(1, sizeof *p);
    p->pq = pq;
    p->loop = opt->loop;
    p->conninfo = xstrdup(opt->conninfo ? opt->conninfo : "");
    p->size = opt->size ? opt->size : 1;
    p->w_cap = opt->max_waiters ? opt->max_waiters : 64 * p->size;
    p->waiters = xcalloc(p->w_cap, sizeof *p->waiters);
    return p;
}

void pg_pool_acquire(pg_pool_t *p, pg_pool_ready_fn ready, void *arg)
{
    if (p->freeing) {
        ready(arg, NULL, POOL_CLOSED);
        return;
    }
    for (pg_conn_t *c = p->conns; c; c = c->next) {
        if (c->state == C_IDLE) {
            c->state = C_LENT;
            ready(arg, c, NULL);
            return;
        }
    }
    if (p->w_len == p->w_cap) {
        ready(arg, NULL, "too many requests are waiting for a database connection");
        return;
    }
    p->waiters[(p->w_head + p->w_len) % p->w_cap] = (waiter_t){ready, arg};
    p->w_len++;
    replenish(p);
}

void pg_pool_cancel(pg_pool_t *p, pg_pool_ready_fn ready, void *arg)
{
    for (size_t i = 0; i < p->w_len; i++) {
        waiter_t *w = &p->waiters[(p->w_head + i) % p->w_cap];
        if (w->ready != ready || w->arg != arg)
            continue;
        /* Close the gap, keeping the order of those behind. */
        for (size_t j = i; j + 1 < p->w_len; j++)
            p->waiters[(p->w_head + j) % p->w_cap] = p->waiters[(p->w_head + j + 1) % p->w_cap];
        p->w_len--;
        return;
    }
}

/* The ROLLBACK of a connection released inside a transaction. statement_finish
 * has taken the result out of c, so c may go here. */
static void on_rollback(void *arg, const PGresult *res, const char *conn_error)
{
    pg_conn_t *c = arg;
    pg_pool_t *p = c->pool;
    if (p->freeing)
        return;
    if (conn_error || p->pq->result_status(res) != PGRES_COMMAND_OK ||
        p->pq->transaction_status(c->pg) != PQTRANS_IDLE) {
        conn_destroy(c);
        replenish(p);
        return;
    }
    conn_available(c);
}

void pg_pool_release(pg_pool_t *p, pg_conn_t *c)
{
    if (!c || p->freeing)
        return;
    if (c->busy) {
        c->busy = false;
        c->done = NULL;
        c->broken = true;
    }
    PGTransactionStatusType ts = c->broken ? PQTRANS_UNKNOWN : p->pq->transaction_status(c->pg);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
        c->state = C_ROLLBACK;
        /* on_rollback decides what becomes of c (in blocking mode before
         * pg_conn_exec returns): c may be gone. */
        if (pg_conn_exec(c, "ROLLBACK", 0, NULL, on_rollback, c) == 0)
            return;
        c->broken = true;
    }
    if (c->broken || ts != PQTRANS_IDLE || p->pq->status(c->pg) != CONNECTION_OK) {
        conn_destroy(c);
        replenish(p);
        return;
    }
    conn_available(c);
}

size_t pg_pool_open(const pg_pool_t *p)
{
    return p->n_conns;
}

size_t pg_pool_waiting(const pg_pool_t *p)
{
    return p->w_len;
}

void pg_pool_free(pg_pool_t *p)
{
    if (!p)
        return;
    p->freeing = true;
    waiter_t w;
    while (waiter_pop(p, &w))
        w.ready(w.arg, NULL, POOL_CLOSED);
    /* Callbacks cannot add or remove connections now (acquire and release
     * are no-ops once freeing), so the list stays as it is. */
    for (pg_conn_t *c = p->conns; c; c = c->next) {
        if (!c->busy)
            continue;
        pg_conn_done_fn done = c->done;
        void *arg = c->arg;
        c->busy = false;
        c->done = NULL;
        if (done)
            done(arg, NULL, POOL_CLOSED);
    }
    while (p->conns)
        conn_destroy(p->conns);
    free(p->waiters);
    free(p->conninfo);
    free(p);
}
