/* The live feed: renders journal entries as server-sent events and writes
 * them to the streams open on one space. It keeps no copy of the journal:
 * a reconnecting client (Last-Event-ID) is replayed from the journal itself.
 * The streams' bounds (count, bytes queued, shutdown) are enforced by
 * net/server.c; this file only forgets a stream when the server says it
 * ended. */
#include "feed.h"

#include "caps.h"
#include "server.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct subscriber {
    struct subscriber *prev, *next;
    feed_t *feed;
    server_stream_t *stream; /* the server's; valid until on_closed or server_stream_end */
} subscriber_t;

struct feed {
    journal_t *journal; /* borrowed */
    subscriber_t *subs; /* owned list */
    buf_t scratch;      /* one event's bytes, reused */
};

/* "id: N\nevent: request\ndata: {...}\n\n" for entry id into out; false when
 * the journal no longer holds it. The entry's JSON is one line (strings are
 * escaped), as the data field requires. */
static bool put_event(const journal_t *j, uint64_t id, buf_t *out)
{
    size_t mark = out->len;
    buf_printf(out, "id: %llu\nevent: request\ndata: ", (unsigned long long)id);
    if (!journal_write_entry(j, id, out)) {
        out->len = mark;
        return false;
    }
    buf_puts(out, "\n\n");
    return true;
}

static void unlink_sub(feed_t *f, subscriber_t *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        f->subs = s->next;
    if (s->next)
        s->next->prev = s->prev;
    free(s);
}

static void broadcast(feed_t *f, const char *data, size_t len)
{
    /* A failed write means the server is closing that stream; on_closed
     * unlinks it later, from a close callback. */
    for (subscriber_t *s = f->subs; s; s = s->next)
        server_stream_write(s->stream, data, len);
}

static void on_journal(void *ctx, const journal_t *j, uint64_t id)
{
    feed_t *f = ctx;
    if (!f->subs)
        return; /* nothing is rendered when nobody listens */
    buf_reset(&f->scratch);
    if (id == 0)
        buf_puts(&f->scratch, "event: clear\ndata: {}\n\n");
    else if (!put_event(j, id, &f->scratch))
        return;
    broadcast(f, f->scratch.data, f->scratch.len);
}

feed_t *feed_new(journal_t *journal)
{
    feed_t *f = xcalloc(1, sizeof *f);
    f->journal = journal;
    buf_init(&f->scratch);
    journal_set_listener(journal, on_journal, f);
    return f;
}

void feed_free(feed_t *f)
{
    if (!f)
        return;
    journal_set_listener(f->journal, NULL, NULL);
    while (f->subs) {
        server_stream_end(f->subs->stream);
        unlink_sub(f, f->subs);
    }
    buf_dispose(&f->scratch);
    free(f);
}

static void on_closed(void *owner, server_stream_t *stream)
{
    (void)stream;
    subscriber_t *s = owner;
    unlink_sub(s->feed, s);
}

/* Writes the replay: the newest entries after `since` that fit the backlog
 * bounds, oldest first. */
static void replay(feed_t *f, server_stream_t *stream, uint64_t since)
{
    const journal_t *j = f->journal;
    uint64_t first = journal_first_id(j), last = journal_last_id(j);
    if (last == 0 || since >= last)
        return;
    uint64_t from = since + 1 > first ? since + 1 : first;
    if (last - from + 1 > MOCK_STREAM_BACKLOG_ENTRIES)
        from = last - MOCK_STREAM_BACKLOG_ENTRIES + 1;
    /* Rendered newest first until the byte budget is spent, then written
     * oldest first. */
    size_t n = (size_t)(last - from + 1), used = 0, total = 0;
    buf_t *events = xcalloc(n, sizeof *events);
    for (uint64_t id = last; id >= from; id--) {
        buf_t *b = &events[n - 1 - used];
        buf_init(b);
        if (!put_event(j, id, b) || total + b->len > MOCK_MAX_STREAM_QUEUED_BYTES / 2) {
            buf_dispose(b);
            break;
        }
        total += b->len;
        used++;
        if (id == from)
            break;
    }
    uint64_t skipped = (last - (since > first - 1 ? since : first - 1)) - used;
    if (skipped > 0) {
        buf_t note;
        buf_init(&note);
        buf_printf(&note, ": %llu earlier entries not replayed (GET /__mock/requests has them)\n\n",
                   (unsigned long long)skipped);
        server_stream_write(stream, note.data, note.len);
        buf_dispose(&note);
    }
    for (size_t i = n - used; i < n; i++) {
        server_stream_write(stream, events[i].data, events[i].len);
        buf_dispose(&events[i]);
    }
    free(events);
}

static void on_open(void *owner, uint64_t since, server_stream_t *stream)
{
    feed_t *f = owner;
    subscriber_t *s = xcalloc(1, sizeof *s);
    s->feed = f;
    s->stream = stream;
    s->next = f->subs;
    if (f->subs)
        f->subs->prev = s;
    f->subs = s;
    server_stream_watch(stream, on_closed, s);
    /* How long an EventSource waits before it reconnects (HTML's "retry"
     * field), then what the client missed. */
    static const char hello[] = "retry: 2000\n\n";
    server_stream_write(stream, hello, sizeof hello - 1);
    if (since >= journal_next_id(f->journal)) {
        /* An id this journal never gave: the client saw another process (a
         * restart) or another space. What it shows is stale: clear it and
         * replay from the start. */
        static const char clear[] = "event: clear\ndata: {}\n\n";
        server_stream_write(stream, clear, sizeof clear - 1);
        since = 0;
    }
    replay(f, stream, since);
}

void feed_answer(feed_t *f, uint64_t since, mock_response_t *resp)
{
    resp->stream.open = on_open;
    resp->stream.owner = f;
    resp->stream.arg = since;
    resp->stream.keepalive = ": keep-alive\n\n";
}
