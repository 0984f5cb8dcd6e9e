/* Every size limit supamock enforces, named in one place.
 * Buffers elsewhere grow only up to one of these; a request that would exceed a
 * cap gets an HTTP error instead of more memory. */
#ifndef MOCK_CAPS_H
#define MOCK_CAPS_H

/* Request head (request line plus all headers): more gives 431. */
#define MOCK_MAX_HEADER_BYTES (16 * 1024)
/* Number of request headers kept; more gives 431 as well. */
#define MOCK_MAX_HEADERS 100
/* Default for --max-body-bytes: a larger body gives 413. */
#define MOCK_DEFAULT_MAX_BODY_BYTES (1024 * 1024)
/* Default for --max-connections: one more is accepted and closed at once. */
#define MOCK_DEFAULT_MAX_CONNECTIONS 4096
/* Default for --idle-timeout-ms: a connection without a complete request for this long is cut. */
#define MOCK_DEFAULT_IDLE_TIMEOUT_MS 60000
/* Pipelined responses queued for a client that does not read: past this the
 * server stops reading from that client until the queue drains. */
#define MOCK_MAX_PENDING_WRITE_BYTES (4 * 1024 * 1024)
/* Response headers one response may carry. */
#define MOCK_MAX_RESPONSE_HEADERS 32
/* Default for --journal-limit (used by the admin journal). */
#define MOCK_DEFAULT_JOURNAL_LIMIT 10000
/* Scenario files larger than this are refused. */
#define MOCK_MAX_SCENARIO_BYTES (64 * 1024 * 1024)
/* Depth of nested or=/and= groups in a query string and of JSON in bodies. */
#define MOCK_MAX_NESTING 64
/* Graceful shutdown waits this long for in-flight responses. */
#define MOCK_SHUTDOWN_GRACE_MS 2000

#endif
