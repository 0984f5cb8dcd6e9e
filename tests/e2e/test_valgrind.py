"""The server under valgrind (nothing a client sends may leak memory).

Needs a build without sanitizers in $SUPAMOCK_PLAIN_BIN (scripts/test builds
the `plain` preset and sets it); skipped with a reason otherwise. Drives
keep-alive, pipelining, hostile requests and a few /rest/v1 requests, then
SIGTERM: exit 0 and no definite or indirect leak."""

import os
import shutil
import signal
import tempfile
import unittest

from harness import ResponseReader, Supamock

PLAIN = os.environ.get("SUPAMOCK_PLAIN_BIN")
HEALTH = b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
# The Supabase CLI's demo service_role key (the default scenario's).
SERVICE_KEY = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6"
               "InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")


@unittest.skipUnless(PLAIN, "SUPAMOCK_PLAIN_BIN is not set: scripts/test builds the plain "
                            "(no sanitizer) binary and sets it; valgrind cannot run ASan builds")
@unittest.skipUnless(shutil.which("valgrind"), "valgrind is not installed")
class ValgrindTest(unittest.TestCase):
    def test_no_leaks_after_traffic(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "valgrind.log")
            m = Supamock("--max-body-bytes", "1000", "--idle-timeout-ms", "3000",
                         "--log-level", "warn", bin_path=PLAIN, ready_timeout=120,
                         prefix=["valgrind", "--leak-check=full",
                                 "--errors-for-leak-kinds=definite,indirect",
                                 "--error-exitcode=99", "--log-file=" + log])
            m.start()
            try:
                self._drive(m)
            except BaseException:
                m.kill()
                raise
            m.send_signal(signal.SIGTERM)
            rc = m.wait(timeout=120)
            with open(log) as f:
                report = f.read()
        self.assertEqual(rc, 0, report)
        self.assertTrue("definitely lost: 0 bytes" in report or "no leaks are possible" in report,
                        report)
        self.assertIn("ERROR SUMMARY: 0 errors", report)

    def _drive(self, m):
        # Keep-alive and pipelining.
        with m.connect(timeout=60) as s:
            r = ResponseReader(s, timeout=60)
            for _ in range(3):
                s.sendall(HEALTH)
                self.assertEqual(r.read()[0], 200)
            s.sendall(HEALTH * 10)
            for _ in range(10):
                self.assertEqual(r.read()[0], 200)
        # Hostile input.
        self.assertTrue(m.exchange(b"garbage\r\n\r\n", 60).startswith(b"HTTP/1.1 400 "))
        big = b"GET / HTTP/1.1\r\nX: " + b"a" * (17 * 1024) + b"\r\n\r\n"
        self.assertTrue(m.exchange(big, 60).startswith(b"HTTP/1.1 431 "))
        body = b"POST /rest/v1/profiles HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + b"x" * 5000
        self.assertTrue(m.exchange(body, 60).startswith(b"HTTP/1.1 413 "))
        chunked = (b"POST /rest/v1/profiles HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"3\r\nabc\r\n")
        s = m.connect(timeout=60)
        s.sendall(chunked)  # a request cut off mid-body
        s.close()
        # A few /rest/v1 requests through the whole stack (any status will do:
        # the point is that every path frees what it allocates).
        hdrs = {"apikey": SERVICE_KEY, "Authorization": "Bearer " + SERVICE_KEY}
        for method, path, payload in (
                ("GET", "/rest/v1/profiles?select=*", None),
                ("GET", "/rest/v1/profiles?select=id&id=eq.nope", None),
                ("GET", "/rest/v1/no_such_table", None),
                ("HEAD", "/rest/v1/profiles", None),
                ("POST", "/rest/v1/profiles", b"{not json"),
                ("GET", "/no/such/route", None)):
            status, _, _, _ = m.request(method, path, body=payload, headers=hdrs)
            self.assertGreaterEqual(status, 200)
        # A connection left open at shutdown.
        idle = m.connect(timeout=60)
        idle.sendall(b"GET /__mock/heal")
        self.addCleanup(idle.close)


if __name__ == "__main__":
    unittest.main()
