/* The journal's live feed: GET /__mock/events as server-sent events, one
 * feed per space (the root and each session). It forwards what the journal
 * tells its listener to every open stream; the streams themselves (sockets,
 * caps, keep-alives, slow clients) are net/server.h's. */
#ifndef MOCK_FEED_H
#define MOCK_FEED_H

#include "journal.h"
#include "message.h"

#include <stdint.h>

typedef struct feed feed_t;

/* A feed over `journal` (borrowed; it must outlive the feed). Installs itself
 * as the journal's listener. */
feed_t *feed_new(journal_t *journal);
/* Ends every open stream (their clients see the connection close) and frees
 * the feed. NULL is a no-op. */
void feed_free(feed_t *f);

/* Makes resp a stream of this feed (message.h's mock_stream_spec_t): once
 * the server opens it, it replays the entries with ids after `since` (at
 * most MOCK_STREAM_BACKLOG_ENTRIES of the newest, and at most half of
 * MOCK_MAX_STREAM_QUEUED_BYTES), then sends each new entry as it is recorded.
 * A `since` this journal never reached (the client's Last-Event-ID came from
 * an earlier process) starts with `event: clear` and replays from the start.
 * The events:
 *   id: ID / event: request / data: ENTRY   (ENTRY as in GET /__mock/requests)
 *   event: clear / data: {}                 (the journal was cleared: reset,
 *                                            scenario switch, DELETE /requests)
 *   : keep-alive                            (a comment when nothing else was sent) */
void feed_answer(feed_t *f, uint64_t since, mock_response_t *resp);

#endif
