"""Responses that complete after the handler returned (server.c's deferral),
seen through a fault rule's delay_ms, the one deferral every engine has.

While a response is outstanding the server parses no further request of that
connection, so pipelined answers keep their order (RFC 9112 section 9.3.2: a
server MUST send its responses to pipelined requests in the order the
requests were received); its idle deadline does not run out meanwhile; a
client that goes away, or a shutdown, never makes it write into freed memory
(every server here runs under ASan/UBSan, and stop() fails on a sanitizer
report or a non-zero exit).

The journal records the requests the server answered, delivered or not: the
delayed request was answered (its rule ran, its entry names the rule) when
its client went away; a request pipelined behind it that the server never
parsed has no entry.
"""

import json
import os
import socket
import struct
import tempfile
import time
import unittest

from harness import ResponseReader, Supamock, header

SECRET = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"  # the Supabase CLI's secret key

# One delayed literal answer, one delayed pass rule (the model answers
# /rest/v1/profiles after the delay), and a delay longer than the shutdown
# grace period (MOCK_SHUTDOWN_GRACE_MS, 2 s).
SCENARIO = {
    "name": "deferred",
    "extends": "default",
    "rules": [
        {"name": "delayed", "match": {"path": "/rest/v1/delayed"}, "delay_ms": 400,
         "respond": {"status": 200, "body": "late"}},
        {"name": "slow model", "match": {"path": "/rest/v1/profiles",
                                         "header": {"x-slow": "yes"}},
         "delay_ms": 400, "respond": {"pass": True}},
        {"name": "very late", "match": {"path": "/rest/v1/very-late"}, "delay_ms": 60000,
         "respond": {"status": 200, "body": "never"}},
    ],
}


def get(path, extra=""):
    return ("GET %s HTTP/1.1\r\nHost: x\r\napikey: %s\r\n%s\r\n" % (path, SECRET, extra)).encode()


HEALTH = b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\n\r\n"


def write_scenario(directory):
    path = os.path.join(directory, "deferred.json")
    with open(path, "w") as f:
        json.dump(SCENARIO, f)
    return path


class DeferredTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.mock = Supamock("--scenario", write_scenario(cls.tmp.name),
                            "--idle-timeout-ms", "300").start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        cls.tmp.cleanup()

    def setUp(self):
        st, _, _, body = self.mock.request("DELETE", "/__mock/requests")
        self.assertIn(st, (200, 204), body)

    def journal(self):
        st, _, _, body = self.mock.request("GET", "/__mock/requests")
        self.assertEqual(st, 200, body)
        return json.loads(body)["requests"]

    def wait_journal(self, n, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            entries = self.journal()
            if len(entries) >= n:
                return entries
            self.assertLess(time.monotonic(), deadline, entries)
            time.sleep(0.02)

    def test_pipelined_requests_behind_a_delayed_one_are_answered_in_order(self):
        with self.mock.connect() as s:
            t0 = time.monotonic()
            s.sendall(get("/rest/v1/delayed") + get("/rest/v1/profiles?select=id") + HEALTH)
            r = ResponseReader(s)
            first, second, third = r.read(), r.read(), r.read()
            elapsed = time.monotonic() - t0
            # The idle deadline (300 ms) did not close the connection during
            # the 400 ms delay, and it still serves after it.
            s.sendall(HEALTH)
            fourth = r.read()
        self.assertGreaterEqual(elapsed, 0.4)
        self.assertEqual((first[0], first[3]), (200, b"late"))
        self.assertEqual(second[0], 200)
        self.assertTrue(second[3].startswith(b"["), second[3][:80])
        self.assertEqual(third[0], 200)
        self.assertIn(b'"status":"ok"', third[3])
        self.assertEqual(fourth[0], 200)
        entries = self.journal()
        self.assertEqual([(e["path"], e["status"], e["rule"]) for e in entries],
                         [("/rest/v1/delayed", 200, "delayed"),
                          ("/rest/v1/profiles", 200, None)])

    def test_a_delayed_model_answer_keeps_the_pipelined_order(self):
        # The pass rule delays what the model answers; the request behind it
        # is a different query, answered second.
        with self.mock.connect() as s:
            s.sendall(get("/rest/v1/profiles?select=id", "x-slow: yes\r\n")
                      + get("/rest/v1/profiles?select=id&limit=0"))
            r = ResponseReader(s)
            first, second = r.read(), r.read()
        self.assertEqual(first[0], 200)
        self.assertNotEqual(first[3], b"[]")
        self.assertEqual((second[0], second[3]), (200, b"[]"))
        self.assertEqual([e["query"] for e in self.journal()],
                         [{"select": "id"}, {"select": "id", "limit": "0"}])

    def test_idle_deadline_runs_again_after_the_delayed_answer(self):
        with self.mock.connect() as s:
            s.sendall(get("/rest/v1/delayed"))
            r = ResponseReader(s)
            self.assertEqual(r.read()[3], b"late")
            t0 = time.monotonic()
            self.assertTrue(r.at_eof())  # closed by the idle timeout (300 ms)
            self.assertLess(time.monotonic() - t0, 5.0)

    def test_client_that_resets_while_a_response_is_pending(self):
        s = self.mock.connect()
        s.sendall(get("/rest/v1/delayed") + get("/rest/v1/profiles?select=id"))
        # Read by the server (a request on another connection is answered
        # after it), then the client goes away with an RST.
        self.mock.assert_healthy()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        time.sleep(0.6)  # past the delay
        self.mock.assert_healthy()
        entries = self.wait_journal(1)
        time.sleep(0.1)
        entries = self.journal()
        # Answered, though nobody read it; the request behind it was never
        # parsed and has no entry.
        self.assertEqual([(e["path"], e["status"], e["rule"]) for e in entries],
                         [("/rest/v1/delayed", 200, "delayed")])

    def test_client_that_closes_while_a_response_is_pending(self):
        s = self.mock.connect()
        s.sendall(get("/rest/v1/delayed"))
        self.mock.assert_healthy()
        s.close()  # FIN: the server may take it for a half-close and answer
        time.sleep(0.6)
        self.mock.assert_healthy()
        entries = self.wait_journal(1)
        self.assertEqual((entries[0]["path"], entries[0]["status"], entries[0]["rule"]),
                         ("/rest/v1/delayed", 200, "delayed"))

    def test_many_clients_go_away_while_pending(self):
        socks = []
        for i in range(20):
            s = self.mock.connect()
            s.sendall(get("/rest/v1/delayed") + HEALTH * 3)
            socks.append(s)
        self.mock.assert_healthy()
        for i, s in enumerate(socks):
            if i % 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        time.sleep(0.6)
        self.mock.assert_healthy()
        self.assertEqual(len(self.wait_journal(20)), 20)


class DeferredShutdownTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.scenario = write_scenario(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_shutdown_answers_the_pending_response_and_nothing_behind_it(self):
        mock = Supamock("--scenario", self.scenario).start()
        s = mock.connect()
        try:
            s.sendall(get("/rest/v1/delayed") + HEALTH)
            mock.assert_healthy()
        finally:
            t0 = time.monotonic()
            mock.stop()  # exit 0 and no sanitizer report
        self.assertGreaterEqual(time.monotonic() - t0, 0.2)
        reader = ResponseReader(s)
        status, _, headers, body = reader.read()
        self.assertEqual((status, body), (200, b"late"))
        self.assertEqual(header(headers, "connection"), "close")
        # The pipelined request behind it is not answered: the server closed.
        self.assertTrue(reader.at_eof())
        s.close()

    def test_shutdown_grace_ends_a_response_pending_past_it(self):
        mock = Supamock("--scenario", self.scenario).start()
        s = mock.connect()
        try:
            s.sendall(get("/rest/v1/very-late") + HEALTH)
            mock.assert_healthy()
        finally:
            t0 = time.monotonic()
            mock.stop()
        waited = time.monotonic() - t0
        # Waited for the grace period (2 s), not for the 60 s delay.
        self.assertGreaterEqual(waited, 1.5)
        self.assertLess(waited, 15)
        s.settimeout(5)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        s.close()
        self.assertEqual(data, b"")


if __name__ == "__main__":
    unittest.main()
