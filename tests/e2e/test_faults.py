"""Connection faults and delays of fault rules, seen from raw sockets.

Scenario: tests/fixtures/rules-faults.json (one rule per path). What each
fault must look like to a client:
connection_reset is an RST (ECONNRESET), empty_response an EOF without a
byte, malformed_response a status line no client accepts, random data is
deterministic for a --seed, truncated_body keeps the full Content-Length but
sends half the body, no_response never answers (not even after the idle
timeout) until the client closes or the server shuts down.
"""

import json
import http.client
import select
import socket
import time
import unittest

from harness import ResponseReader, Supamock

FIXTURE = "tests/fixtures/rules-faults.json"
SECRET = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"  # the Supabase CLI's secret key


def get(path, extra=""):
    return ("GET %s HTTP/1.1\r\nHost: x\r\napikey: %s\r\n%s\r\n" % (path, SECRET, extra)).encode()


def recv_all(sock, timeout=10.0):
    """(bytes, how): how is 'eof' or 'reset'."""
    deadline = time.monotonic() + timeout
    out = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no close within %.0f s; got %r" % (timeout, out[:100]))
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return out, "reset"
        if not chunk:
            return out, "eof"
        out += chunk


class FaultTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", FIXTURE, "--idle-timeout-ms", "300", "--seed", "7")
        cls.mock.start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def test_connection_reset_is_econnreset(self):
        with self.mock.connect() as s:
            s.sendall(get("/rest/v1/reset"))
            data, how = recv_all(s)
        self.assertEqual((data, how), (b"", "reset"))
        self.mock.assert_healthy()

    def test_empty_response_is_eof_without_bytes(self):
        with self.mock.connect() as s:
            s.sendall(get("/rest/v1/empty"))
            data, how = recv_all(s)
        self.assertEqual((data, how), (b"", "eof"))

    def test_malformed_response_is_a_protocol_error(self):
        with self.mock.connect() as s:
            s.sendall(get("/rest/v1/malformed"))
            data, how = recv_all(s)
        self.assertEqual(how, "eof")
        self.assertTrue(data.startswith(b"HTTP/1.1 ???"), data)
        # A real client rejects it.
        c = self.mock.http()
        try:
            c.request("GET", "/rest/v1/malformed", headers={"apikey": SECRET})
            with self.assertRaises(http.client.BadStatusLine):
                c.getresponse()
        finally:
            c.close()

    def test_random_data_is_deterministic_per_seed(self):
        def fetch(mock):
            with mock.connect() as s:
                s.sendall(get("/rest/v1/random"))
                data, how = recv_all(s)
            self.assertEqual(how, "eof")
            return data

        with Supamock("--scenario", FIXTURE, "--seed", "42") as a:
            first = fetch(a)
            second = fetch(a)
        with Supamock("--scenario", FIXTURE, "--seed", "42") as b:
            again = fetch(b)
        with Supamock("--scenario", FIXTURE, "--seed", "43") as c:
            other = fetch(c)
        self.assertGreater(len(first), 0)
        self.assertFalse(first.startswith(b"HTTP/"))
        self.assertEqual(first, again)  # same seed, same sequence
        self.assertNotEqual(first, second)  # the stream moves on
        self.assertNotEqual(first, other)

    def test_reset_replays_the_random_data_of_a_fresh_start(self):
        # The bytes come from the instance's one PRNG, seeded by --seed when the
        # instance is built, so POST /__mock/reset starts the sequence again.
        def fetch(mock):
            with mock.connect() as s:
                s.sendall(get("/rest/v1/random"))
                data, how = recv_all(s)
            self.assertEqual(how, "eof")
            return data

        with Supamock("--scenario", FIXTURE, "--seed", "42") as fresh:
            expected = [fetch(fresh), fetch(fresh)]
        with Supamock("--scenario", FIXTURE, "--seed", "42") as m:
            # Move the stream on: random bytes and a UUID default on insert.
            fetch(m)
            st, _, _, _ = m.request(
                "POST", "/rest/v1/profiles",
                body=json.dumps({"user_id": "13ab4cf1-8587-4685-874b-c2d37beeab38"}),
                headers={"apikey": SECRET, "Content-Type": "application/json"})
            st, _, _, body = m.request("POST", "/__mock/reset")
            self.assertEqual(st, 200, body)
            self.assertEqual([fetch(m), fetch(m)], expected)

    def test_truncated_body_of_the_models_response(self):
        # The same request without the fault gives the full response.
        status, _, headers, full = self.mock.request(
            "GET", "/rest/v1/profiles?select=id,email", headers={"apikey": SECRET})
        self.assertEqual(status, 200)
        with self.mock.connect() as s:
            s.sendall(get("/rest/v1/profiles?select=id,email", "x-fault: truncate\r\n"))
            data, how = recv_all(s)
        self.assertEqual(how, "eof")
        head, body = data.split(b"\r\n\r\n", 1)
        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK\r\n"), head)
        self.assertIn(b"\r\nContent-Length: %d" % len(full), head)
        self.assertEqual(body, full[: len(full) // 2])
        # http.client sees an incomplete read.
        c = self.mock.http()
        try:
            c.request("GET", "/rest/v1/profiles?select=id,email",
                      headers={"apikey": SECRET, "x-fault": "truncate"})
            r = c.getresponse()
            with self.assertRaises(http.client.IncompleteRead):
                r.read()
        finally:
            c.close()

    def test_truncated_literal_body(self):
        with self.mock.connect() as s:
            s.sendall(get("/rest/v1/trunc"))
            data, how = recv_all(s)
        self.assertEqual(how, "eof")
        head, body = data.split(b"\r\n\r\n", 1)
        self.assertIn(b"\r\nContent-Length: 10", head)
        self.assertEqual(body, b"01234")

    def test_no_response_outlives_the_idle_timeout(self):
        with self.mock.connect() as s:
            s.sendall(get("/rest/v1/hang"))
            # Three idle timeouts (300 ms) pass without a byte or a close.
            ready, _, _ = select.select([s], [], [], 1.0)
            self.assertEqual(ready, [])
            # Others are still served meanwhile.
            self.mock.assert_healthy()
        # The client closed; the server keeps serving.
        self.mock.assert_healthy()

    def test_delay_waits_and_does_not_block_others(self):
        with self.mock.connect() as a:
            t0 = time.monotonic()
            a.sendall(get("/rest/v1/delayed"))
            status, _, _, _ = self.mock.request("GET", "/__mock/health")
            self.assertEqual(status, 200)
            status, _, _, body = ResponseReader(a).read()
            elapsed = time.monotonic() - t0
        self.assertEqual((status, body), (200, b"late"))
        self.assertGreaterEqual(elapsed, 0.4)

    def test_delayed_response_keeps_pipelined_order(self):
        with self.mock.connect() as s:
            s.sendall(get("/rest/v1/delayed")
                      + b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            r = ResponseReader(s)
            first = r.read()
            second = r.read()
        self.assertEqual(first[3], b"late")
        self.assertEqual(second[0], 200)
        self.assertIn(b'"status":"ok"', second[3])

    def test_delayed_reset(self):
        with self.mock.connect() as s:
            t0 = time.monotonic()
            s.sendall(get("/rest/v1/delayed-reset"))
            data, how = recv_all(s)
        self.assertEqual((data, how), (b"", "reset"))
        self.assertGreaterEqual(time.monotonic() - t0, 0.2)


class FaultJournalTest(unittest.TestCase):
    """What the journal and the access log record for a fault: status 0 (no
    complete HTTP response went out), the fault's name and the rule's."""

    FAULTS = [("/rest/v1/reset", "reset", "connection_reset"),
              ("/rest/v1/empty", "empty", "empty_response"),
              ("/rest/v1/malformed", "malformed", "malformed_response"),
              ("/rest/v1/random", "random", "random_data_then_close"),
              ("/rest/v1/trunc", "truncated literal", "truncated_body")]

    def setUp(self):
        self.mock = Supamock("--scenario", FIXTURE, "--log-format", "json").start()

    def tearDown(self):
        self.mock.stop()

    def journal(self, query=""):
        st, _, _, body = self.mock.request("GET", "/__mock/requests" + query)
        self.assertEqual(st, 200, body)
        return json.loads(body)["requests"]

    def provoke(self, path, extra=""):
        with self.mock.connect() as s:
            s.sendall(get(path, extra))
            recv_all(s)

    def test_faults_are_status_0_with_the_fault_and_rule_named(self):
        for path, _, _ in self.FAULTS:
            self.provoke(path)
        # A fault cutting the model's own answer: the model's code stays null (200).
        self.provoke("/rest/v1/profiles?select=id", "x-fault: truncate\r\n")
        with self.mock.connect() as s:  # no_response: journaled when it is held
            s.sendall(get("/rest/v1/hang"))
            deadline = time.monotonic() + 10
            while not self.journal("?fault=no_response"):
                self.assertLess(time.monotonic(), deadline, "no journal entry for no_response")
        self.mock.assert_healthy()  # an HTTP answer: not a fault
        want = [(p, 0, None, r, f) for p, r, f in self.FAULTS] + [
            ("/rest/v1/profiles", 0, None, "truncated", "truncated_body"),
            ("/rest/v1/hang", 0, None, "hang", "no_response")]
        got = [(e["path"], e["status"], e["code"], e["rule"], e["fault"])
               for e in self.journal("?status=0")]
        self.assertEqual(got, want)
        self.assertEqual([e["fault"] for e in self.journal("?fault=connection_reset")],
                         ["connection_reset"])
        st, _, _, body = self.mock.request("GET", "/__mock/requests/count?status=0")
        self.assertEqual(json.loads(body), {"count": 7})
        # Entries of HTTP answers carry "fault": null and their real status.
        self.assertEqual(self.journal("?status=2xx"), [])
        st, _, _, _ = self.mock.request("GET", "/rest/v1/profiles?select=id",
                                        headers={"apikey": SECRET})
        entry = self.journal("?status=200")[-1]
        self.assertEqual((entry["status"], entry["rule"], entry["fault"]), (200, None, None))
        self.assertEqual(list(entry)[-5:], ["code", "rule", "fault", "duration_us", "response"])

    def test_access_log_names_the_rule_and_the_fault(self):
        self.provoke("/rest/v1/reset")
        self.mock.request("GET", "/rest/v1/nope", headers={"apikey": SECRET})
        deadline = time.monotonic() + 10
        while True:
            lines = [json.loads(line) for line in self.mock.stderr().splitlines()
                     if line.startswith("{") and '"target"' in line]
            if len(lines) >= 2:
                break
            self.assertLess(time.monotonic(), deadline, self.mock.stderr())
            time.sleep(0.01)
        reset, nope = lines[0], lines[1]
        self.assertEqual((reset["target"], reset["status"], reset["code"], reset["rule"],
                          reset["fault"]), ("/rest/v1/reset", 0, None, "reset", "connection_reset"))
        self.assertEqual((nope["target"], nope["status"], nope["code"], nope["rule"],
                          nope["fault"]), ("/rest/v1/nope", 404, "PGRST205", None, None))

    def test_pretty_access_log_line(self):
        self.mock.stop()
        self.mock = Supamock("--scenario", FIXTURE, "--log-format", "pretty").start()
        self.provoke("/rest/v1/reset")
        deadline = time.monotonic() + 10
        while "/rest/v1/reset" not in self.mock.stderr():
            self.assertLess(time.monotonic(), deadline, self.mock.stderr())
            time.sleep(0.01)
        line = [ln for ln in self.mock.stderr().splitlines() if "/rest/v1/reset" in ln][0]
        self.assertRegex(line, r' GET /rest/v1/reset -> 0 connection_reset \(rule "reset"\) '
                               r'\([0-9.]+ ms\)$')


class ShutdownTest(unittest.TestCase):
    def test_graceful_shutdown_ends_a_held_connection(self):
        mock = Supamock("--scenario", FIXTURE)
        mock.start()
        try:
            s = mock.connect()
            s.sendall(get("/rest/v1/hang"))
            ready, _, _ = select.select([s], [], [], 0.3)
            self.assertEqual(ready, [])
        finally:
            mock.stop()  # asserts exit 0 and no sanitizer report
        self.assertEqual(mock.returncode, 0)
        data, how = recv_all(s, timeout=5)
        s.close()
        self.assertEqual(data, b"")

    def test_shutdown_during_a_delay_still_answers(self):
        mock = Supamock("--scenario", FIXTURE)
        mock.start()
        s = mock.connect()
        try:
            s.sendall(get("/rest/v1/delayed"))
            # A request answered on another connection after this one was
            # sent: the loop has read the delayed request by then.
            mock.assert_healthy()
        finally:
            mock.stop()
        reader = ResponseReader(s)
        status, _, _, body = reader.read()
        self.assertEqual((status, body), (200, b"late"))
        # ...and then the connection ends (the server exited).
        self.assertTrue(reader.at_eof())
        s.close()


if __name__ == "__main__":
    unittest.main()
