"""GET /__mock/events: the journal as server-sent events, without a browser.

The wire format is the HTML Living Standard's (section 9.2 "Server-sent
events"): a text/event-stream of blocks separated by a blank line, with the
fields `id`, `event`, `data` and `retry`, and comment lines starting with ':';
a reconnecting EventSource sends the last id it saw as `Last-Event-ID`.
supamock's own choices checked here: one `request` event per journal entry
(the entry as GET /__mock/requests shows it, `response` included), a `clear`
event when the journal is emptied, the bounds (streams open at once, bytes
queued to a client that does not read) and shutdown ending streams at once.
The admin API's cross-site checks and --admin-token apply to the stream and
to the dashboard page (GET /__mock/).
"""

import json
import signal
import socket
import time
import unittest

from harness import Supamock, header, read_until_close, sanitizer_report

# The Supabase CLI's demo service_role key (scenarios/default.json).
SERVICE_ROLE_KEY = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vf"
    "cm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
KEYS = {"apikey": SERVICE_ROLE_KEY, "Authorization": "Bearer " + SERVICE_ROLE_KEY}
# Mirrors MOCK_MAX_STREAMS and MOCK_MAX_STREAM_QUEUED_BYTES (mock/base/caps.h).
MAX_STREAMS = 32
MAX_QUEUED = 1024 * 1024


class EventStream:
    """One GET /__mock/events over a raw socket: the head, then events."""

    def __init__(self, mock, target="/__mock/events", headers=None, rcvbuf=None, timeout=10.0):
        self.sock = socket.socket(socket.AF_INET6 if ":" in mock.host else socket.AF_INET)
        if rcvbuf:
            # Before connect, so that the window the server sees stays small.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((mock.host, mock.port))
        hdrs = {"Host": "%s:%d" % (mock.host, mock.port), "Accept": "text/event-stream"}
        hdrs.update(headers or {})
        req = "GET %s HTTP/1.1\r\n" % target + "".join("%s: %s\r\n" % kv for kv in hdrs.items())
        self.sock.sendall(req.encode() + b"\r\n")
        self.buf = b""
        self.timeout = timeout

    def close(self):
        self.sock.close()

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("timed out; have %r" % self.buf[-300:])
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("stream closed; have %r" % self.buf[-300:])
        self.buf += chunk

    def head(self):
        """(status, [(name, value)]) of the response head."""
        deadline = time.monotonic() + self.timeout
        while b"\r\n\r\n" not in self.buf:
            self._fill(deadline)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        return status, [tuple(x.strip() for x in l.split(":", 1)) for l in lines[1:]]

    def block(self, timeout=None):
        """The next raw block (text up to a blank line)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while b"\n\n" not in self.buf:
            self._fill(deadline)
        raw, self.buf = self.buf.split(b"\n\n", 1)
        return raw.decode()

    def event(self, timeout=None):
        """The next event as a dict of fields, comments and retry skipped."""
        while True:
            fields = {}
            for line in self.block(timeout).split("\n"):
                if not line or line.startswith(":"):
                    continue
                name, _, value = line.partition(":")
                fields[name] = value[1:] if value.startswith(" ") else value
            if "event" in fields or "data" in fields:
                return fields


def entry_event(ev):
    assert ev.get("event") == "request", ev
    data = json.loads(ev["data"])
    assert str(data["id"]) == ev["id"], ev
    return data


class EventsTest(unittest.TestCase):
    def test_head_and_live_entries(self):
        with Supamock() as mock:
            es = EventStream(mock)
            status, headers = es.head()
            self.assertEqual(status, 200)
            self.assertEqual(header(headers, "content-type"), "text/event-stream")
            self.assertEqual(header(headers, "cache-control"), "no-store")
            # The body runs until the connection closes: no length to frame it.
            self.assertIsNone(header(headers, "content-length"))
            self.assertEqual(es.block(), "retry: 2000")
            status, _, _, body = mock.request("GET", "/rest/v1/profiles?select=user_id", headers=KEYS)
            self.assertEqual(status, 200)
            e = entry_event(es.event())
            self.assertEqual((e["method"], e["path"], e["status"]), ("GET", "/rest/v1/profiles", 200))
            self.assertEqual(e["query"], {"select": "user_id"})
            # The full response as sent, with the credentials redacted on the request side.
            self.assertEqual(e["response"]["body"], json.loads(body))
            self.assertIn("content-type", e["response"]["headers"])
            self.assertTrue(e["headers"]["apikey"].startswith("service_role "))
            # The same entry as the journal shows it.
            _, _, _, jbody = mock.request("GET", "/__mock/requests")
            self.assertEqual(json.loads(jbody)["requests"], [e])
            # Admin calls are never journaled, so they never appear here.
            mock.request("GET", "/rest/v1/nope", headers=KEYS)
            self.assertEqual(entry_event(es.event())["path"], "/rest/v1/nope")
            es.close()

    def test_replay_since_and_last_event_id(self):
        with Supamock() as mock:
            for path in ("/rest/v1/a", "/rest/v1/b", "/rest/v1/c"):
                mock.request("GET", path, headers=KEYS)
            es = EventStream(mock, "/__mock/events?since=0")
            self.assertEqual(es.head()[0], 200)
            self.assertEqual([entry_event(es.event())["path"] for _ in range(3)],
                             ["/rest/v1/a", "/rest/v1/b", "/rest/v1/c"])
            es.close()
            # Reconnecting with Last-Event-ID resumes after that entry (and
            # wins over ?since=).
            es = EventStream(mock, "/__mock/events?since=0", headers={"Last-Event-ID": "2"})
            self.assertEqual(es.head()[0], 200)
            e = entry_event(es.event())
            self.assertEqual((e["id"], e["path"]), (3, "/rest/v1/c"))
            mock.request("GET", "/rest/v1/d", headers=KEYS)
            self.assertEqual(entry_event(es.event())["id"], 4)
            es.close()
            # An id this process never gave (the client saw a server before a
            # restart): what it shows is stale, so clear, then everything.
            es = EventStream(mock, headers={"Last-Event-ID": "99"})
            es.head()
            self.assertEqual(es.event(), {"event": "clear", "data": "{}"})
            self.assertEqual([entry_event(es.event())["id"] for _ in range(4)], [1, 2, 3, 4])
            es.close()
            # Without either, only what comes next.
            es = EventStream(mock)
            es.head()
            mock.request("GET", "/rest/v1/e", headers=KEYS)
            self.assertEqual(entry_event(es.event())["path"], "/rest/v1/e")
            es.close()
            status, _, _, body = mock.request("GET", "/__mock/events",
                                              headers={"Last-Event-ID": "x1"})
            self.assertEqual(status, 400)
            self.assertIn("Last-Event-ID", json.loads(body)["error"])

    def test_clear_on_reset_and_delete_then_ids_go_on(self):
        with Supamock() as mock:
            es = EventStream(mock)
            es.head()
            mock.request("GET", "/rest/v1/a", headers=KEYS)
            self.assertEqual(entry_event(es.event())["id"], 1)
            status, _, _, _ = mock.request("POST", "/__mock/reset")
            self.assertEqual(status, 200)
            self.assertEqual(es.event(), {"event": "clear", "data": "{}"})
            mock.request("DELETE", "/__mock/requests")
            self.assertEqual(es.event(), {"event": "clear", "data": "{}"})
            # The stream stays open and ids keep counting (journal.h), so a
            # Last-Event-ID from before the clear never names a later entry.
            mock.request("GET", "/rest/v1/b", headers=KEYS)
            self.assertEqual(entry_event(es.event())["id"], 2)
            es.close()

    def test_keepalive_comment(self):
        with Supamock() as mock:
            es = EventStream(mock)
            es.head()
            es.block()  # retry
            # MOCK_STREAM_KEEPALIVE_MS is 5000: a comment once the stream has
            # been quiet that long, and again after as long.
            started = time.monotonic()
            self.assertEqual(es.block(timeout=9.0), ": keep-alive")
            self.assertGreater(time.monotonic() - started, 4.0)
            self.assertEqual(es.block(timeout=9.0), ": keep-alive")
            es.close()

    def test_auth_tokens_redacted_in_responses(self):
        with Supamock() as mock:
            es = EventStream(mock)
            es.head()
            status, _, _, body = mock.request(
                "POST", "/auth/v1/token?grant_type=password",
                body=json.dumps({"email": "demo@example.com", "password": "demo-password"}),
                headers={"apikey": SERVICE_ROLE_KEY, "Content-Type": "application/json"})
            self.assertEqual(status, 200, body)
            session = json.loads(body)
            e = entry_event(es.event())
            shown = json.dumps(e)
            self.assertNotIn(session["access_token"], shown)
            self.assertNotIn(session["refresh_token"], shown)
            self.assertNotIn("demo-password", shown)
            self.assertTrue(e["response"]["body"]["access_token"].startswith("user "))
            es.close()

    def test_slow_reader_is_dropped(self):
        with Supamock() as mock:
            slow = EventStream(mock, rcvbuf=4096)
            self.assertEqual(slow.head()[0], 200)
            fast = EventStream(mock)
            fast.head()
            # Each entry keeps 16 KiB of request body (MOCK_JOURNAL_MAX_BODY_BYTES):
            # far past the cap plus what the kernel buffers, never read by `slow`.
            body = json.dumps({"x": "y" * 16000})
            conn = mock.http()
            sent = 0
            deadline = time.monotonic() + 60
            while "dropping an event stream client" not in mock.stderr():
                self.assertLess(time.monotonic(), deadline, "slow client never dropped")
                conn.request("POST", "/rest/v1/nope", body=body,
                             headers=dict(KEYS, **{"Content-Type": "application/json"}))
                conn.getresponse().read()
                sent += len(body)
            conn.close()
            self.assertGreater(sent, MAX_QUEUED)
            # The slow client gets what was queued, then the connection ends.
            slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            read_until_close(slow.sock, timeout=30)
            slow.close()
            # The reader that keeps up is untouched and sees the next entry.
            mock.request("GET", "/rest/v1/after", headers=KEYS)
            while True:
                e = entry_event(fast.event(timeout=30))
                if e["path"] == "/rest/v1/after":
                    break
            fast.close()
            mock.assert_healthy()

    def test_stream_cap(self):
        with Supamock() as mock:
            streams = [EventStream(mock) for _ in range(MAX_STREAMS)]
            for s in streams:
                self.assertEqual(s.head()[0], 200)
            extra = EventStream(mock)
            status, headers = extra.head()
            self.assertEqual(status, 503)
            self.assertEqual(header(headers, "retry-after"), "5")
            extra.close()
            # A stream that ends frees its place (once the server notices the close).
            streams.pop().close()
            deadline = time.monotonic() + 10
            while True:
                s = EventStream(mock)
                status, _ = s.head()
                if status == 200:
                    streams.append(s)
                    break
                s.close()
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.05)
            for s in streams:
                s.close()
            mock.assert_healthy()

    def test_shutdown_ends_streams_at_once(self):
        mock = Supamock().start()
        try:
            streams = [EventStream(mock) for _ in range(3)]
            for s in streams:
                s.head()
            started = time.monotonic()
            mock.send_signal(signal.SIGTERM)
            # Streams have no response to finish: shutdown ends them at once
            # rather than after the grace period (MOCK_SHUTDOWN_GRACE_MS, 2 s).
            for s in streams:
                read_until_close(s.sock, timeout=5)
                s.close()
            self.assertLess(time.monotonic() - started, 1.5)
            # One signal only: a second one during shutdown ends the process.
            mock.wait(15)
            self.assertEqual(mock.returncode, 0, mock.stderr())
            self.assertIsNone(sanitizer_report(mock.stderr()), mock.stderr())
        finally:
            mock.kill()

    def test_session_stream_sees_only_its_session(self):
        with Supamock() as mock:
            status, _, _, body = mock.request("POST", "/__mock/sessions")
            self.assertEqual(status, 201)
            sid = json.loads(body)["id"]
            es = EventStream(mock, "/s/%s/__mock/events" % sid)
            self.assertEqual(es.head()[0], 200)
            mock.request("GET", "/rest/v1/root-only", headers=KEYS)
            mock.request("GET", "/s/%s/rest/v1/in-session" % sid, headers=KEYS)
            self.assertEqual(entry_event(es.event())["path"], "/rest/v1/in-session")
            status, _, headers, page = mock.request("GET", "/s/%s/__mock/" % sid)
            self.assertEqual(status, 200)
            self.assertIn(b"supamock dashboard", page)
            # Ending the session ends its streams.
            status, _, _, _ = mock.request("DELETE", "/__mock/sessions/" + sid)
            self.assertEqual(status, 200)
            read_until_close(es.sock, timeout=10)
            es.close()


class DashboardSecurityTest(unittest.TestCase):
    def test_page_headers(self):
        with Supamock() as mock:
            for path in ("/__mock/", "/__mock"):
                status, _, headers, body = mock.request("GET", path)
                self.assertEqual(status, 200, path)
                self.assertEqual(header(headers, "content-type"), "text/html; charset=utf-8")
                csp = header(headers, "content-security-policy")
                self.assertIn("default-src 'none'", csp)
                self.assertIn("frame-ancestors 'none'", csp)
                self.assertIn("connect-src 'self'", csp)
                self.assertRegex(csp, r"script-src 'sha256-[A-Za-z0-9+/]+=*'")
                self.assertEqual(header(headers, "x-frame-options"), "DENY")
                # No external assets: nothing the page loads comes from elsewhere.
                self.assertNotRegex(body, rb"(src|href)=\"(https?:)?//")
            status, _, headers, _ = mock.request("POST", "/__mock/")
            self.assertEqual(status, 405)
            self.assertEqual(header(headers, "allow"), "GET, HEAD")
            status, _, headers, body = mock.request("HEAD", "/__mock/events")
            self.assertEqual((status, body), (200, b""))

    def test_cross_site_refused(self):
        with Supamock() as mock:
            for path in ("/__mock/", "/__mock/events"):
                status, _, _, body = mock.request("GET", path, headers={"Origin": "https://evil.example"})
                self.assertEqual(status, 403, path)
                self.assertIn("cross-origin request refused", json.loads(body)["error"])
                # DNS rebinding: a foreign name that resolved to this machine.
                status, _, _, body = mock.request(
                    "GET", path, headers={"Host": "evil.example:%d" % mock.port})
                self.assertEqual(status, 403, path)
            # A tag on another site sends no Origin, but browsers name the
            # request cross-site (Fetch Metadata, Sec-Fetch-Site): no stream.
            status, _, _, body = mock.request("GET", "/__mock/events",
                                              headers={"Sec-Fetch-Site": "cross-site"})
            self.assertEqual(status, 403)
            self.assertIn("cross-origin request refused", json.loads(body)["error"])
            # The page's own origin (same as Host) is allowed.
            own = "http://%s:%d" % (mock.host, mock.port)
            es = EventStream(mock, headers={"Origin": own, "Sec-Fetch-Site": "same-origin"})
            self.assertEqual(es.head()[0], 200)
            es.close()

    def test_admin_token(self):
        with Supamock("--admin-token", "s3cret-token") as mock:
            # The page is static and holds no data: served without the token
            # (a browser cannot send a header when navigating).
            status, _, _, _ = mock.request("GET", "/__mock/")
            self.assertEqual(status, 200)
            status, _, headers, body = mock.request("GET", "/__mock/events")
            self.assertEqual(status, 401)
            self.assertEqual(json.loads(body), {"error": "admin token required"})
            status, _, _, _ = mock.request("GET", "/__mock/events",
                                           headers={"Authorization": "Bearer wrong"})
            self.assertEqual(status, 401)
            es = EventStream(mock, headers={"Authorization": "Bearer s3cret-token"})
            self.assertEqual(es.head()[0], 200)
            es.close()


if __name__ == "__main__":
    unittest.main()
