/* Unit tests for server.c's deferred responses (server.h, message.h's
 * mock_deferral_t), driven on one thread: the test's sockets are
 * non-blocking clients of a server on a loop of the test's own
 * (runtime_loop_new), and the handler defers /defer requests, which the test
 * completes when it chooses. What they check: nothing is written and no
 * pipelined request is parsed before completion, then both answers go out in
 * order (RFC 9112 section 9.3.2); a client that resets gets the owner told
 * (cancel) and completing afterwards writes nowhere (ASan); a shutdown waits
 * for the pending response and answers it with Connection: close; past the
 * grace period the owner is told, and the shutdown ends once it completed. */
#include "runtime.h"
#include "server.h"

#include "log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct state {
    server_t *srv;
    mock_response_t *pending; /* the deferred response, until completed */
    bool deferred;            /* a /defer request reached the handler */
    bool cancelled;           /* its cancel callback ran */
    int cancels;
    int handled; /* handler calls */
    char order[256];
    bool shut_down;
} state_t;

static void on_cancel(void *arg)
{
    state_t *st = arg;
    st->cancelled = true;
    st->cancels++;
}

static void handler(void *ctx, const mock_request_t *req, mock_response_t *resp)
{
    state_t *st = ctx;
    st->handled++;
    strncat(st->order, req->path, sizeof st->order - strlen(st->order) - 2);
    strcat(st->order, " ");
    if (strcmp(req->path, "/defer") == 0) {
        mock_response_defer(resp, on_cancel, st);
        st->pending = resp;
        st->deferred = true;
        return;
    }
    buf_puts(&resp->body, "now");
}

/* The owner finishes the deferred response. */
static void complete(state_t *st, const char *body)
{
    mock_response_t *resp = st->pending;
    assert_non_null(resp);
    st->pending = NULL;
    buf_puts(&resp->body, body);
    mock_response_complete(resp);
}

static mock_config_t cfg;
static struct uv_loop_s *loop;
static state_t st;

static int setup(void **state)
{
    (void)state;
    mock_config_defaults(&cfg);
    cfg.port = 0;
    cfg.idle_timeout_ms = 300;
    log_setup(LOG_ERROR, LOG_FORMAT_JSON);
    memset(&st, 0, sizeof st);
    loop = runtime_loop_new();
    st.srv = server_new(loop, &cfg, handler, &st);
    return st.srv ? 0 : -1;
}

static void on_shut_down(void *arg)
{
    ((state_t *)arg)->shut_down = true;
}

static int teardown(void **state)
{
    (void)state;
    if (!st.shut_down) {
        server_shutdown(st.srv, on_shut_down, &st);
        if (st.pending)
            complete(&st, "late");
        runtime_loop_run_until(loop, &st.shut_down, 10000);
    }
    server_free(st.srv);
    return runtime_loop_free(loop, 5000);
}

static void spin(unsigned ms)
{
    bool never = false;
    runtime_loop_run_until(loop, &never, ms);
}

static int client(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)server_port(st.srv))};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static void send_all(int fd, const char *s)
{
    assert_int_equal(send(fd, s, strlen(s), 0), (ssize_t)strlen(s));
}

/* What the client has received so far (without waiting); -1 at EOF with
 * nothing, -2 on a reset. */
static ssize_t take(int fd, char *out, size_t cap)
{
    size_t n = 0;
    for (;;) {
        ssize_t r = recv(fd, out + n, cap - 1 - n, MSG_DONTWAIT);
        if (r > 0) {
            n += (size_t)r;
            continue;
        }
        out[n] = '\0';
        if (r == 0 && n == 0)
            return -1;
        if (r < 0 && errno == ECONNRESET && n == 0)
            return -2;
        return (ssize_t)n;
    }
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: x\r\n\r\n"

static void test_pipelined_behind_a_deferred_response(void **state)
{
    (void)state;
    int a = client();
    send_all(a, GET("/defer") GET("/now"));
    assert_int_equal(runtime_loop_run_until(loop, &st.deferred, 5000), 0);
    spin(400); /* longer than the idle timeout: it does not run meanwhile */
    char buf[4096];
    assert_int_equal(take(a, buf, sizeof buf), 0); /* nothing written yet */
    assert_string_equal(st.order, "/defer ");      /* /now not parsed yet */
    complete(&st, "deferred");
    spin(50);
    assert_string_equal(st.order, "/defer /now ");
    assert_true(take(a, buf, sizeof buf) > 0);
    const char *first = strstr(buf, "deferred");
    const char *second = strstr(buf, "\r\n\r\nnow");
    assert_non_null(first);
    assert_non_null(second);
    assert_true(first < second);
    assert_null(strstr(buf, "Connection: close"));
    /* The connection goes on, and its idle deadline runs again. */
    send_all(a, GET("/now"));
    spin(50);
    assert_true(take(a, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "now"));
    spin(600);
    assert_int_equal(take(a, buf, sizeof buf), -1); /* closed as idle */
    assert_int_equal(st.cancels, 0);
    close(a);
}

static void test_client_reset_while_pending(void **state)
{
    (void)state;
    int a = client();
    send_all(a, GET("/defer") GET("/now"));
    assert_int_equal(runtime_loop_run_until(loop, &st.deferred, 5000), 0);
    struct linger lg = {1, 0};
    setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(a); /* RST */
    assert_int_equal(runtime_loop_run_until(loop, &st.cancelled, 5000), 0);
    assert_int_equal(st.cancels, 1);
    assert_true(st.pending->later.cancelled);
    /* The owner still completes; the server writes nowhere and frees the
     * connection then. */
    complete(&st, "thrown away");
    spin(50);
    assert_string_equal(st.order, "/defer ");
    assert_int_equal(st.cancels, 1);
    /* Others are served. */
    int b = client();
    send_all(b, GET("/now"));
    spin(50);
    char buf[4096];
    assert_true(take(b, buf, sizeof buf) > 0);
    close(b);
}

static void test_shutdown_waits_for_the_pending_response(void **state)
{
    (void)state;
    int a = client();
    send_all(a, GET("/defer") GET("/now"));
    assert_int_equal(runtime_loop_run_until(loop, &st.deferred, 5000), 0);
    server_shutdown(st.srv, on_shut_down, &st);
    spin(300);
    assert_false(st.shut_down);
    assert_int_equal(st.cancels, 0);
    complete(&st, "deferred");
    assert_int_equal(runtime_loop_run_until(loop, &st.shut_down, 5000), 0);
    char buf[4096];
    assert_true(take(a, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "Connection: close"));
    assert_non_null(strstr(buf, "deferred"));
    assert_null(strstr(buf, "\r\n\r\nnow")); /* nothing after it */
    assert_string_equal(st.order, "/defer ");
    close(a);
}

static void test_shutdown_grace_tells_the_owner(void **state)
{
    (void)state;
    int a = client();
    send_all(a, GET("/defer"));
    assert_int_equal(runtime_loop_run_until(loop, &st.deferred, 5000), 0);
    server_shutdown(st.srv, on_shut_down, &st);
    /* MOCK_SHUTDOWN_GRACE_MS (2 s) later the connection is closed and the
     * owner told; the shutdown ends only once the owner completed. */
    assert_int_equal(runtime_loop_run_until(loop, &st.cancelled, 10000), 0);
    spin(100);
    assert_false(st.shut_down);
    complete(&st, "too late");
    assert_int_equal(runtime_loop_run_until(loop, &st.shut_down, 5000), 0);
    char buf[4096];
    assert_true(take(a, buf, sizeof buf) < 0); /* closed without a byte */
    close(a);
}

/* The owner may complete from within its cancel callback. */
static mock_response_t *complete_on_cancel;

static void cancel_and_complete(void *arg)
{
    (void)arg;
    buf_puts(&complete_on_cancel->body, "x");
    mock_response_complete(complete_on_cancel);
    complete_on_cancel = NULL;
}

static void handler_completing_on_cancel(void *ctx, const mock_request_t *req,
                                         mock_response_t *resp)
{
    state_t *s = ctx;
    (void)req;
    mock_response_defer(resp, cancel_and_complete, NULL);
    complete_on_cancel = resp;
    s->deferred = true;
}

static void test_complete_within_cancel(void **state)
{
    (void)state;
    server_shutdown(st.srv, on_shut_down, &st);
    runtime_loop_run_until(loop, &st.shut_down, 5000);
    server_free(st.srv);
    memset(&st, 0, sizeof st);
    st.srv = server_new(loop, &cfg, handler_completing_on_cancel, &st);
    assert_non_null(st.srv);
    int a = client();
    send_all(a, GET("/anything"));
    assert_int_equal(runtime_loop_run_until(loop, &st.deferred, 5000), 0);
    struct linger lg = {1, 0};
    setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(a);
    spin(200);
    assert_null(complete_on_cancel);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pipelined_behind_a_deferred_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_client_reset_while_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_waits_for_the_pending_response, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_grace_tells_the_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_within_cancel, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
