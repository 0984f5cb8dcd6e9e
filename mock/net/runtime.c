/* One libuv loop for the process: server, signal handlers, log flushing.
 * Moved out of main.c so that no wing but net/ sees uv.h. */
#include "runtime.h"

#include "log.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

typedef struct runtime {
    uv_loop_t loop;
    server_t *srv;
    uv_signal_t sigint;
    uv_signal_t sigterm;
    bool stopping;
    uv_check_t log_flusher; /* flushes buffered log lines once per loop iteration */
} runtime_t;

static void on_server_done(void *arg)
{
    (void)arg;
    log_msg(LOG_INFO, "shut down");
}

static void on_loop_iteration(uv_check_t *h)
{
    (void)h;
    log_flush();
}

static void stop(runtime_t *rt)
{
    rt->stopping = true;
    uv_close((uv_handle_t *)&rt->sigint, NULL);
    uv_close((uv_handle_t *)&rt->sigterm, NULL);
    uv_close((uv_handle_t *)&rt->log_flusher, NULL);
    server_shutdown(rt->srv, on_server_done, rt);
}

static void on_signal(uv_signal_t *h, int signum)
{
    runtime_t *rt = h->data;
    if (rt->stopping)
        return;
    log_msg(LOG_INFO, "%s received: shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
    stop(rt);
}

int runtime_serve(const mock_config_t *cfg, server_handler_fn handler, void *ctx,
                  runtime_ready_fn ready, void *ready_arg)
{
    /* A peer that closes while we write must give EPIPE, not kill us. */
    signal(SIGPIPE, SIG_IGN);
    runtime_t rt;
    memset(&rt, 0, sizeof rt);
    uv_loop_init(&rt.loop);
    int status = 0;
    rt.srv = server_new(&rt.loop, cfg, handler, ctx);
    if (!rt.srv) {
        fprintf(stderr, "supamock: cannot listen on %s:%d (see the log above)\n", cfg->host,
                cfg->port);
        status = 1;
        goto done;
    }
    const char *open_b = strchr(cfg->host, ':') ? "[" : "";
    const char *close_b = strchr(cfg->host, ':') ? "]" : "";
    char url[300];
    snprintf(url, sizeof url, "http://%s%s%s:%d", open_b, cfg->host, close_b, server_port(rt.srv));
    uv_check_init(&rt.loop, &rt.log_flusher);
    uv_check_start(&rt.log_flusher, on_loop_iteration);
    uv_signal_init(&rt.loop, &rt.sigint);
    uv_signal_init(&rt.loop, &rt.sigterm);
    rt.sigint.data = &rt;
    rt.sigterm.data = &rt;
    uv_signal_start(&rt.sigint, on_signal, SIGINT);
    uv_signal_start(&rt.sigterm, on_signal, SIGTERM);
    if (ready(ready_arg, url) < 0) {
        status = 1;
        stop(&rt);
    }
done:
    uv_run(&rt.loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&rt.loop) != 0)
        log_msg(LOG_WARN, "event loop closed with handles still open");
    server_free(rt.srv);
    return status;
}
