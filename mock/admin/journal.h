/* The request journal (GET /__mock/requests): a bounded ring of what clients sent to
 * /rest/v1, /auth/v1 and unknown paths, and how supamock answered, with keys
 * redacted. Owned by the app; /__mock/reset clears it. */
#ifndef MOCK_JOURNAL_H
#define MOCK_JOURNAL_H

#include "buf.h"
#include "message.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct journal journal_t;

journal_t *journal_new(size_t limit);
void journal_free(journal_t *j); /* NULL is a no-op */
/* Forgets every entry and resets `dropped` to 0. Ids keep counting up, so an
 * id seen before a clear never names a later entry (`since` stays safe). */
void journal_clear(journal_t *j);

/* The keys the scenario configures, for redaction: an apikey or Bearer value
 * equal to one of them is shown as that kind. Copied; NULL entries are
 * allowed. Call again after a scenario switch. */
void journal_set_keys(journal_t *j, const char *anon_key, const char *service_role_key,
                      const char *publishable_key, const char *secret_key);

/* Records one exchange (copies everything it keeps). `at_us` is the scenario
 * clock (microseconds since 2000-01-01), duration in real microseconds.
 *
 * Redaction (before anything is kept): credentials are shown as "KIND …TAIL",
 * TAIL being the value's last 6 characters, left out ("KIND …") when the
 * value is shorter than 24 characters so that a short secret is never shown
 * whole; the "…" is U+2026. Passwords are shown as "[redacted]", nothing of
 * them kept.
 * - apikey header and `apikey` query parameter: KIND is anon, service_role,
 *   publishable or secret for a configured key, else invalid.
 * - Authorization (and Proxy-Authorization): KIND as for apikey when the
 *   Bearer value is a configured key, user for another JWT (three
 *   dot-separated parts), invalid for anything else including a non-Bearer
 *   scheme.
 * - Cookie, Set-Cookie and any header whose name contains "cookie": KIND cookie.
 * - Any other header whose name contains token, key or secret, query
 *   parameters named so, and in /auth/v1 JSON bodies (at any depth) fields
 *   named so and code_verifier and nonce: a configured key's kind, user for a
 *   JWT, else token ("Bearer " is looked through).
 * - Headers, query parameters and /auth/v1 body fields whose name contains
 *   password: "[redacted]". An /auth/v1 body that is not JSON and mentions
 *   any of these names is replaced whole by "[redacted]". */
void journal_record(journal_t *j, const mock_request_t *req, const mock_response_t *resp,
                    int64_t at_us, uint64_t duration_us);

/* Which entries GET /__mock/requests returns. Zeroed: every entry. Strings
 * are borrowed for the call. */
typedef struct journal_filter {
    const char *method; /* exact, case-insensitive */
    const char *path;   /* whole-value glob; '*' matches any run of characters */
    int status;         /* 0: any; 100..599: exact */
    bool fault_status;  /* only status 0: connection faults */
    int status_class;   /* 0: any; 1..5: status / 100 (the "4xx" form) */
    const char *code;   /* exact error code */
    const char *rule;   /* exact rule name */
    const char *fault;  /* exact fault name (connection_reset...) */
    bool has_since_id;  /* entries with id > since_id */
    uint64_t since_id;
    bool has_since_at; /* entries with at >= since_at_us */
    int64_t since_at_us;
} journal_filter_t;

/* {"requests":[...],"dropped":N} with the matching entries, oldest first.
 * An entry: {"id","at","method","path","query","headers","body","role","key",
 * "status","code","rule","fault","duration_us","response"}; `response` is
 * null for an entry older than the newest MOCK_JOURNAL_RESPONSES, else
 * {"headers":{...},"body":...,"truncated":BOOL}: the headers as sent (names
 * lowercased, credentials redacted as request headers are), the body as
 * `body` is shown (the first MOCK_JOURNAL_MAX_RESPONSE_BYTES; in /auth/v1
 * answers token fields redacted as in /auth/v1 request bodies, and a TOTP
 * enrollment's `uri` and `qr_code` as tokens). A Location header's query and
 * fragment parameters are redacted as query parameters are. A connection fault has
 * status 0 and `fault` its name; `code` is then the error code of the answer
 * a truncated_body cut, else null. `query` is an object of form-decoded
 * parameters: a name given once maps to its string, a name repeated maps to
 * an array of its values in order. `headers` maps lowercased names to values
 * (repeated headers joined with ", "). `body` is the JSON value when the body
 * parses as JSON, else the text, null when empty. Invalid UTF-8 is shown as
 * U+FFFD. */
void journal_write_json(const journal_t *j, const journal_filter_t *f, buf_t *out);
/* GET /__mock/requests/ID/explain: {"id","method","path","status","code",
 * "explain":{...} (explain.h's object, null when nothing was recorded),
 * "text":"..."}. False when no entry has that id (never was, or dropped). */
bool journal_write_explain(const journal_t *j, uint64_t id, buf_t *out);
/* One entry as journal_write_json writes it (no separator, no wrapper);
 * false when no entry has that id. */
bool journal_write_entry(const journal_t *j, uint64_t id, buf_t *out);
/* Ids of the oldest and newest entries held; 0 when the journal is empty.
 * Ids in between are all held (they are consecutive). */
uint64_t journal_first_id(const journal_t *j);
uint64_t journal_last_id(const journal_t *j);
/* The id the next entry will get: ids never go back within a journal's
 * life, clears included. */
uint64_t journal_next_id(const journal_t *j);

/* Told of every change the live feed (GET /__mock/events) forwards: id is
 * the entry just recorded (readable with journal_write_entry), or 0 when the
 * journal was cleared. Runs inside journal_record / journal_clear, so it must
 * not record or clear itself. */
typedef void (*journal_listener_fn)(void *ctx, const journal_t *j, uint64_t id);
/* One listener per journal; NULL removes it. journal_free does not call it. */
void journal_set_listener(journal_t *j, journal_listener_fn fn, void *ctx);
size_t journal_count(const journal_t *j, const journal_filter_t *f);
size_t journal_size(const journal_t *j);
uint64_t journal_dropped(const journal_t *j);

#endif
