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
/* CSV request bodies (engine/rest_csv.c): header columns (Postgres's own
 * limit on a table's columns), and fields in all (rows times header
 * columns), so a body of short lines under a wide header stays cheap. */
#define MOCK_MAX_CSV_COLUMNS 1600
#define MOCK_MAX_CSV_CELLS   (4 * 1024 * 1024)
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
/* A journaled request body longer than this is kept as its first bytes only,
 * and then shown as a string (never parsed as JSON). */
#define MOCK_JOURNAL_MAX_BODY_BYTES (16 * 1024)
/* Bytes the journal may hold in all (strings of every entry together): past
 * this the oldest entries fall out (and count as dropped) even before
 * --journal-limit entries are reached, so memory stays flat whatever clients
 * send. */
#define MOCK_JOURNAL_MAX_BYTES (32 * 1024 * 1024)
/* Auth users (scenario plus signups) and sessions one instance keeps. Past
 * them signup and sign-in answer 500 instead of growing without bound. */
#define GOTRUE_MAX_USERS    100000
#define GOTRUE_MAX_SESSIONS 100000
/* The Auth test inbox (GET /__mock/inbox): messages kept per instance (the
 * oldest fall out) and bytes kept of each field (address, link, ...). */
#define INBOX_MAX_MESSAGES 1000
#define INBOX_MAX_FIELD    4096
/* PKCE flow states one instance keeps (the oldest fall out). */
#define GOTRUE_MAX_FLOW_STATES 10000
/* Sessions (POST /__mock/sessions) open at once: one more is refused with
 * 429 until a DELETE ends one. Each holds an instance of its own. */
#define MOCK_MAX_SESSIONS 256
/* --admin-host values one command line may give. */
#define MOCK_MAX_ADMIN_HOSTS 16
/* Scenario files larger than this are refused. */
#define MOCK_MAX_SCENARIO_BYTES (64 * 1024 * 1024)
/* Errors `supamock validate` lists for one file before it says "and N more". */
#define MOCK_MAX_REPORTED_ERRORS 64
/* Depth of nested or=/and= groups in a query string and of JSON in bodies. */
#define MOCK_MAX_NESTING 64
/* Streamed responses (GET /__mock/events) open at once, whichever space:
 * one more is answered 503. Each holds a connection until the client leaves. */
#define MOCK_MAX_STREAMS 32
/* Bytes a stream may have queued for a client that does not read: past this
 * the client is dropped (it reconnects with Last-Event-ID and resumes from
 * the journal) rather than the server buffering without bound. */
#define MOCK_MAX_STREAM_QUEUED_BYTES (1024 * 1024)
/* A stream writes its keep-alive bytes after this long without other bytes. */
#define MOCK_STREAM_KEEPALIVE_MS 5000
/* A new event stream replays at most this many journal entries (the newest
 * after Last-Event-ID) and at most half of MOCK_MAX_STREAM_QUEUED_BYTES. */
#define MOCK_STREAM_BACKLOG_ENTRIES 500
/* A journaled response body longer than this is kept as its first bytes. */
#define MOCK_JOURNAL_MAX_RESPONSE_BYTES (16 * 1024)
/* How many of the newest journal entries keep their response (headers and
 * body): the dashboard's window. Older entries keep the request line only, so
 * a full 10,000-entry ring stays within the RSS budget. */
#define MOCK_JOURNAL_RESPONSES 1000
/* Graceful shutdown waits this long for in-flight responses. */
#define MOCK_SHUTDOWN_GRACE_MS 2000

/* random_data_then_close: bytes sent instead of a response. */
#define MOCK_RANDOM_FAULT_BYTES 512

/* Statement timeouts Supabase sets per role (ALTER ROLE ... SET
 * statement_timeout; https://supabase.com/docs/guides/database/postgres/timeouts):
 * anon 3s, authenticated 8s; service_role has none of its own and runs under
 * the authenticator role's 8s. A statement that runs longer is cancelled with
 * 57014 "canceling statement due to statement timeout". */
#define MOCK_STATEMENT_TIMEOUT_ANON_MS          3000
#define MOCK_STATEMENT_TIMEOUT_AUTHENTICATED_MS 8000
#define MOCK_STATEMENT_TIMEOUT_DEFAULT_MS       8000
/* The single event loop serves every client, so supamock does not spend real
 * seconds: a request's work is counted in steps (one row visited, one regex
 * thread advanced one character, one LIKE comparison, see work.h) and a
 * millisecond of statement_timeout buys this many steps. Calibrated on the
 * release build so that the anon role's 3s buys at most about 100 ms of the
 * loop (README "Bounds"). */
#define MOCK_WORK_STEPS_PER_TIMEOUT_MS 6000
/* Roles without a timeout, or with a longer one, get this one's steps. */
#define MOCK_WORK_MAX_TIMEOUT_MS 8000
/* Regular expressions: Postgres's DUPMAX bounds {m,n} counts; a pattern whose
 * expansion needs more than MOCK_REGEX_MAX_STATES character positions is
 * "regular expression is too complex" (Postgres refuses (a{255}){255} and
 * accepts 50,000 positions); a backreference match may keep at most
 * MOCK_REGEX_MAX_BACKTRACK choice points (memory), past which it stops as if
 * its steps had run out. */
#define MOCK_REGEX_DUPMAX        255
#define MOCK_REGEX_MAX_STATES    55000
#define MOCK_REGEX_MAX_BACKTRACK (256 * 1024)
/* Nesting of parentheses in a regular expression. */
#define MOCK_REGEX_MAX_NESTING 256

/* SQL read by the parser (a scenario's "sql" files, one migration each):
 * bytes per file, files per scenario, and the nesting of parentheses a
 * statement may have (Postgres's parser recurses per level; the parse tree
 * comes back as JSON, read with cJSON's own nesting limit). */
#define MOCK_MAX_SQL_FILE_BYTES (8 * 1024 * 1024)
#define MOCK_MAX_SQL_FILES      1000
#define MOCK_MAX_SQL_NESTING    200

#endif
