/* The benchmark ceiling: the smallest libuv + llhttp HTTP/1.1 server
 * that answers every request with one constant 200 JSON response. It supports
 * keep-alive and pipelining (every request parsed from one read is answered in
 * one write) and nothing else: no routing, no limits, no logs. It exists only
 * so that scripts/bench can put supamock's numbers next to what the same event
 * loop and parser cost on their own.
 *
 *   ceiling [--host ADDR] [--port N] [--body-file F]
 *
 * Prints "ceiling listening on http://HOST:PORT" when ready; stops on SIGINT or
 * SIGTERM. The body comes from --body-file (scripts/bench passes supamock's own
 * answer, so that both servers send the same number of body bytes). */
#include <errno.h>
#include <llhttp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* Largest body accepted from --body-file: this is a benchmark of small answers. */
#define CEILING_MAX_BODY_BYTES (1024 * 1024)

/* The constant response (head and body), built once in main and never freed
 * before exit; every write points into it. */
static char *g_response;
static size_t g_response_len;

typedef struct conn {
    uv_tcp_t tcp;
    llhttp_t parser;
    llhttp_settings_t settings; /* shared shape, per-connection for simplicity */
    size_t answers;             /* responses owed for the bytes of the current read */
    bool close_after;           /* the client asked for Connection: close */
    bool closing;
} conn_t;

/* One uv_write of `n` copies of the constant response. The iovecs live with the
 * request and are freed in on_write. */
typedef struct write_req {
    uv_write_t req;
    conn_t *conn;
    bool close_after;
    uv_buf_t bufs[];
} write_req_t;

static void on_close(uv_handle_t *h)
{
    free(h->data);
}

static void conn_close(conn_t *c)
{
    if (c->closing)
        return;
    c->closing = true;
    uv_close((uv_handle_t *)&c->tcp, on_close);
}

static int on_message_complete(llhttp_t *p)
{
    conn_t *c = p->data;
    c->answers++;
    if (!llhttp_should_keep_alive(p))
        c->close_after = true;
    return 0;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    /* One static read buffer: each read callback runs to completion before the
     * next allocation, and llhttp keeps no pointers into it between calls. */
    static char read_buf[64 * 1024];
    (void)h;
    (void)suggested;
    buf->base = read_buf;
    buf->len = sizeof read_buf;
}

static void on_write(uv_write_t *req, int status)
{
    write_req_t *w = (write_req_t *)req;
    if (status < 0 || w->close_after)
        conn_close(w->conn);
    free(w);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    conn_t *c = s->data;
    if (nread < 0) {
        conn_close(c);
        return;
    }
    if (nread == 0 || c->closing)
        return;
    c->answers = 0;
    llhttp_errno_t err = llhttp_execute(&c->parser, buf->base, (size_t)nread);
    if (err != HPE_OK && err != HPE_PAUSED_UPGRADE) {
        conn_close(c);
        return;
    }
    if (c->answers == 0)
        return;
    /* Every request completed by this read gets its answer in one write, in
     * order: that is all pipelining asks of a server that answers a constant. */
    write_req_t *w = malloc(sizeof *w + c->answers * sizeof(uv_buf_t));
    if (!w)
        abort();
    w->conn = c;
    w->close_after = c->close_after;
    for (size_t i = 0; i < c->answers; i++)
        w->bufs[i] = uv_buf_init(g_response, (unsigned)g_response_len);
    if (c->close_after)
        uv_read_stop(s);
    if (uv_write(&w->req, s, w->bufs, (unsigned)c->answers, on_write) != 0) {
        free(w);
        conn_close(c);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    conn_t *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    uv_tcp_init(server->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    llhttp_settings_init(&c->settings);
    c->settings.on_message_complete = on_message_complete;
    llhttp_init(&c->parser, HTTP_REQUEST, &c->settings);
    c->parser.data = c;
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void on_signal(uv_signal_t *h, int signum)
{
    (void)signum;
    uv_stop(h->loop);
}

/* Reads the whole body file into a malloc'd buffer the caller owns. */
static char *read_body(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = malloc(CEILING_MAX_BODY_BYTES);
    if (!data)
        abort();
    *len = fread(data, 1, CEILING_MAX_BODY_BYTES, f);
    bool bad = ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        free(data);
        return NULL;
    }
    return data;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = 0;
    const char *body_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc)
            host = argv[++i];
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--body-file") == 0 && i + 1 < argc)
            body_file = argv[++i];
        else {
            fprintf(stderr, "usage: ceiling [--host ADDR] [--port N] [--body-file F]\n");
            return 2;
        }
    }
    size_t body_len = 2;
    char *body = NULL;
    if (body_file) {
        body = read_body(body_file, &body_len);
        if (!body) {
            fprintf(stderr, "ceiling: cannot read %s: %s\n", body_file, strerror(errno));
            return 2;
        }
    }
    /* The head imitates the shape of a JSON answer (date, server, type, length)
     * without computing anything per request. */
    static const char head_fmt[] = "HTTP/1.1 200 OK\r\n"
                                   "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\n"
                                   "Server: ceiling\r\n"
                                   "Content-Type: application/json; charset=utf-8\r\n"
                                   "Content-Length: %zu\r\n"
                                   "\r\n";
    char head[256];
    int head_len = snprintf(head, sizeof head, head_fmt, body_len);
    g_response_len = (size_t)head_len + body_len;
    g_response = malloc(g_response_len);
    if (!g_response)
        abort();
    memcpy(g_response, head, (size_t)head_len);
    memcpy(g_response + head_len, body ? body : "[]", body_len);
    free(body);

    uv_loop_t *loop = uv_default_loop();
    uv_tcp_t listener;
    struct sockaddr_storage addr;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&addr) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr) != 0) {
        fprintf(stderr, "ceiling: bad host %s\n", host);
        return 2;
    }
    uv_tcp_init(loop, &listener);
    int rc = uv_tcp_bind(&listener, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&listener, 511, on_connection);
    if (rc != 0) {
        fprintf(stderr, "ceiling: cannot listen on %s:%d: %s\n", host, port, uv_strerror(rc));
        return 1;
    }
    struct sockaddr_storage bound;
    int bound_len = sizeof bound;
    uv_tcp_getsockname(&listener, (struct sockaddr *)&bound, &bound_len);
    int bound_port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                       : ((struct sockaddr_in *)&bound)->sin_port);
    printf("ceiling listening on http://%s:%d\n", host, bound_port);
    fflush(stdout);

    signal(SIGPIPE, SIG_IGN);
    uv_signal_t sigint, sigterm;
    uv_signal_init(loop, &sigint);
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_signal_init(loop, &sigterm);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    uv_run(loop, UV_RUN_DEFAULT);
    /* Stopped by a signal: the process exits and the kernel closes the sockets;
     * a benchmark helper does not need an orderly teardown. */
    free(g_response);
    return 0;
}
