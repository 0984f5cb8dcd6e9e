/* One libuv loop for the process: server, signal handlers, log flushing, and
 * for `supamock run` the child process (uv_spawn). Moved out of main.c so
 * that no wing but net/ sees uv.h. What the child is given is the entry's
 * business; here it is only started, signalled and waited for. */
#include "runtime.h"

#include "log.h"
#include "xalloc.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct runtime {
    uv_loop_t *loop; /* runtime_shared_loop() */
    server_t *srv;
    uv_signal_t sigint;
    uv_signal_t sigterm;
    bool stopping;
    uv_check_t log_flusher; /* flushes buffered log lines once per loop iteration */
    /* `supamock run`: the child, while it runs (signals go to it), and how it
     * ended (exit status, or 128 + signal as shells report it). */
    uv_process_t child;
    bool child_running;
    int child_status;
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
    if (rt->child_running) {
        /* The child decides when the run ends; the server stays up for it. */
        log_msg(LOG_INFO, "%s received: forwarding it to the command",
                signum == SIGINT ? "SIGINT" : "SIGTERM");
        int r = uv_process_kill(&rt->child, signum);
        if (r < 0)
            log_msg(LOG_WARN, "cannot signal the command: %s", uv_strerror(r));
        return;
    }
    if (rt->stopping)
        return;
    log_msg(LOG_INFO, "%s received: shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
    stop(rt);
}

static void on_child_exit(uv_process_t *p, int64_t exit_status, int term_signal)
{
    runtime_t *rt = p->data;
    rt->child_running = false;
    rt->child_status = term_signal ? 128 + term_signal : (int)exit_status;
    log_msg(LOG_INFO, "command exited with status %d: shutting down", rt->child_status);
    uv_close((uv_handle_t *)p, NULL);
    if (!rt->stopping)
        stop(rt);
}

/* Starts cmd with the three standard streams inherited. On failure says why
 * on stderr, sets the shell's status for it and stops the server. */
static void spawn_child(runtime_t *rt, const runtime_command_t *cmd)
{
    uv_stdio_container_t stdio[3];
    for (int fd = 0; fd < 3; fd++) {
        stdio[fd].flags = UV_INHERIT_FD;
        stdio[fd].data.fd = fd;
    }
    uv_process_options_t opts;
    memset(&opts, 0, sizeof opts);
    opts.exit_cb = on_child_exit;
    opts.file = cmd->argv[0];
    opts.args = cmd->argv;
    opts.env = cmd->env;
    opts.stdio_count = 3;
    opts.stdio = stdio;
    rt->child.data = rt;
    int r = uv_spawn(rt->loop, &rt->child, &opts);
    if (r == 0) {
        rt->child_running = true;
        return;
    }
    fprintf(stderr, "supamock: cannot run '%s': %s\n", cmd->argv[0], uv_strerror(r));
    rt->child_status = r == UV_ENOENT ? 127 : 126;
    /* uv_spawn initialised the handle even though it failed: close it, or
     * the loop would not close. */
    uv_close((uv_handle_t *)&rt->child, NULL);
    stop(rt);
}

/* runtime_serve and runtime_run: exactly one of ready and command is set. */
static int run_loop(const mock_config_t *cfg, server_handler_fn handler, void *ctx,
                    runtime_ready_fn ready, runtime_command_fn command, void *ready_arg,
                    int *child_status)
{
    /* A peer that closes while we write must give EPIPE, not kill us. (A
     * child gets default dispositions back: uv_spawn resets them.) */
    signal(SIGPIPE, SIG_IGN);
    runtime_t rt;
    memset(&rt, 0, sizeof rt);
    rt.loop = runtime_shared_loop();
    int status = 0;
    rt.srv = server_new(rt.loop, cfg, handler, ctx);
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
    uv_check_init(rt.loop, &rt.log_flusher);
    uv_check_start(&rt.log_flusher, on_loop_iteration);
    uv_signal_init(rt.loop, &rt.sigint);
    uv_signal_init(rt.loop, &rt.sigterm);
    rt.sigint.data = &rt;
    rt.sigterm.data = &rt;
    uv_signal_start(&rt.sigint, on_signal, SIGINT);
    uv_signal_start(&rt.sigterm, on_signal, SIGTERM);
    if (command) {
        runtime_command_t cmd = {NULL, NULL};
        if (command(ready_arg, url, &cmd) < 0) {
            status = 1;
            stop(&rt);
        } else {
            spawn_child(&rt, &cmd);
        }
    } else if (ready(ready_arg, url) < 0) {
        status = 1;
        stop(&rt);
    }
done:
    uv_run(rt.loop, UV_RUN_DEFAULT);
    server_free(rt.srv);
    if (child_status)
        *child_status = rt.child_status;
    return status;
}

int runtime_serve(const mock_config_t *cfg, server_handler_fn handler, void *ctx,
                  runtime_ready_fn ready, void *ready_arg)
{
    return run_loop(cfg, handler, ctx, ready, NULL, ready_arg, NULL);
}

int runtime_run(const mock_config_t *cfg, server_handler_fn handler, void *ctx,
                runtime_command_fn ready, void *ready_arg, int *child_status)
{
    return run_loop(cfg, handler, ctx, NULL, ready, ready_arg, child_status);
}

/* The process's loop: made by the first runtime_shared_loop, freed by
 * runtime_shared_loop_free. */
static uv_loop_t *shared_loop;

struct uv_loop_s *runtime_shared_loop(void)
{
    if (!shared_loop) {
        shared_loop = runtime_loop_new();
        MOCK_ASSERT(shared_loop != NULL);
    }
    return shared_loop;
}

void runtime_shared_loop_free(void)
{
    /* Lets the loop finish closing what was closed on it last (an engine's
     * connections, closed by app_dispose), then frees it. */
    if (runtime_loop_free(shared_loop, 5000) == 0)
        shared_loop = NULL;
}

struct uv_loop_s *runtime_loop_new(void)
{
    uv_loop_t *loop = xmalloc(sizeof *loop);
    if (uv_loop_init(loop) != 0) {
        free(loop);
        return NULL;
    }
    return loop;
}

static void on_deadline(uv_timer_t *t)
{
    bool *expired = t->data;
    *expired = true;
}

int runtime_loop_run_until(struct uv_loop_s *loop, const bool *flag, unsigned timeout_ms)
{
    bool expired = false;
    uv_timer_t deadline;
    uv_timer_init(loop, &deadline);
    deadline.data = &expired;
    uv_timer_start(&deadline, on_deadline, timeout_ms, 0);
    while (!*flag && !expired)
        uv_run(loop, UV_RUN_ONCE);
    /* The timer lives on this stack frame: closed and let go before return. */
    uv_close((uv_handle_t *)&deadline, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return *flag ? 0 : -1;
}

static void on_linger_deadline(uv_timer_t *t)
{
    uv_stop(t->loop);
}

int runtime_loop_free(struct uv_loop_s *loop, unsigned timeout_ms)
{
    if (!loop)
        return 0;
    uv_timer_t deadline;
    uv_timer_init(loop, &deadline);
    uv_timer_start(&deadline, on_linger_deadline, timeout_ms, 0);
    uv_unref((uv_handle_t *)&deadline); /* alone, it does not keep the loop alive */
    uv_run(loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&deadline, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    if (uv_loop_close(loop) != 0) {
        log_msg(LOG_WARN, "event loop closed with handles still open");
        return -1;
    }
    free(loop);
    return 0;
}
