/* fdwatch.h on uv_poll_t. uv_poll_stop takes the fd out of epoll before it
 * returns, which is what lets the owner close the fd right after
 * fdwatch_close; the handle's memory lives until the close callback. */
#include "fdwatch.h"

#include "xalloc.h"

#include <stdlib.h>
#include <uv.h>

struct fdwatch {
    uv_poll_t poll;
    int fd;
    int events;
    fdwatch_fn cb;
    void *arg;
    void (*closed)(void *arg);
    void *closed_arg;
};

static void on_poll(uv_poll_t *h, int status, int uv_events)
{
    fdwatch_t *w = h->data;
    int ev = 0;
    if (uv_events & UV_READABLE)
        ev |= FDWATCH_READABLE;
    if (uv_events & UV_WRITABLE)
        ev |= FDWATCH_WRITABLE;
    /* A hang-up or error on the fd reads as readable: the owner's read then
     * finds out what happened, which is what libpq expects. */
    if (uv_events & UV_DISCONNECT)
        ev |= FDWATCH_READABLE;
    w->cb(w->arg, ev, status);
}

fdwatch_t *fdwatch_new(struct uv_loop_s *loop, int fd, fdwatch_fn cb, void *arg, int *err)
{
    fdwatch_t *w = xcalloc(1, sizeof *w);
    int r = uv_poll_init(loop, &w->poll, fd);
    if (r < 0) {
        free(w);
        if (err)
            *err = r;
        return NULL;
    }
    w->poll.data = w;
    w->fd = fd;
    w->cb = cb;
    w->arg = arg;
    return w;
}

int fdwatch_set(fdwatch_t *w, int events)
{
    w->events = events;
    if (events == 0)
        return uv_poll_stop(&w->poll);
    int uv_events = UV_DISCONNECT;
    if (events & FDWATCH_READABLE)
        uv_events |= UV_READABLE;
    if (events & FDWATCH_WRITABLE)
        uv_events |= UV_WRITABLE;
    return uv_poll_start(&w->poll, uv_events, on_poll);
}

int fdwatch_fd(const fdwatch_t *w)
{
    return w->fd;
}

void fdwatch_keep_loop(fdwatch_t *w, bool keep)
{
    if (keep)
        uv_ref((uv_handle_t *)&w->poll);
    else
        uv_unref((uv_handle_t *)&w->poll);
}

static void on_closed(uv_handle_t *h)
{
    fdwatch_t *w = h->data;
    if (w->closed)
        w->closed(w->closed_arg);
    free(w);
}

void fdwatch_close(fdwatch_t *w, void (*closed)(void *arg), void *arg)
{
    if (!w)
        return;
    uv_poll_stop(&w->poll);
    w->closed = closed;
    w->closed_arg = arg;
    uv_close((uv_handle_t *)&w->poll, on_closed);
}
