/* Readiness of a file descriptor someone else owns (a libpq socket) on the
 * event loop, for the wings that may not see uv.h. The watcher only reports
 * readiness; reading and writing stay the owner's business.
 *
 * Ownership: the fd stays the caller's. fdwatch_close stops the watcher at
 * once (the fd may be closed right after it returns) and frees the watcher
 * once the loop has let go of it; `closed`, if given, runs then. */
#ifndef MOCK_FDWATCH_H
#define MOCK_FDWATCH_H

#include <stdbool.h>

struct uv_loop_s;

typedef struct fdwatch fdwatch_t;

enum {
    FDWATCH_READABLE = 1,
    FDWATCH_WRITABLE = 2,
};

/* `events` is what is ready (FDWATCH_*); status is 0, or a negative errno
 * when the loop could not poll the fd (then events may be 0). Runs on the loop
 * thread; the callback may change the events or close the watcher. */
typedef void (*fdwatch_fn)(void *arg, int events, int status);

/* Watches fd for nothing yet (see fdwatch_set). NULL with errno-style
 * negative code in *err when the loop refuses the fd (e.g. already watched). */
fdwatch_t *fdwatch_new(struct uv_loop_s *loop, int fd, fdwatch_fn cb, void *arg, int *err);
/* What to wait for from now on: FDWATCH_* ORed, 0 pauses. Returns 0 or a
 * negative errno. */
int fdwatch_set(fdwatch_t *w, int events);
int fdwatch_fd(const fdwatch_t *w);
/* Whether this watcher alone keeps the loop running (default: it does). An
 * idle database connection should not: the loop ends when only those are
 * left, as it does at shutdown. */
void fdwatch_keep_loop(fdwatch_t *w, bool keep);
/* See above. No callback runs after this returns. NULL is a no-op. */
void fdwatch_close(fdwatch_t *w, void (*closed)(void *arg), void *arg);

#endif
