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
