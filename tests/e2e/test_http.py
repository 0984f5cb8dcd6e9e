"""HTTP/1.1 behaviour of the server over real sockets: keep-alive,
pipelining, chunked bodies, HEAD, the limits and hostile clients. After every
hostile case the server must still answer a normal request."""

import json
import socket
import time
import unittest

from harness import ResponseReader, Supamock, header, read_until_close

HEALTH = b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\n\r\n"


class HttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--max-body-bytes", "1000", "--max-connections", "8",
                            "--idle-timeout-ms", "1500").start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def tearDown(self):
        # Whatever a test did, everyone else is still served.
        self.mock.assert_healthy()

    def test_keep_alive_serves_several_requests_on_one_socket(self):
        with self.mock.connect() as s:
            r = ResponseReader(s)
            for _ in range(5):
                s.sendall(HEALTH)
                status, reason, headers, body = r.read()
                self.assertEqual((status, reason), (200, "OK"))
                self.assertEqual(json.loads(body)["status"], "ok")
                self.assertIsNone(header(headers, "Connection"))
                self.assertEqual(header(headers, "Content-Length"), str(len(body)))

    def test_http_client_keep_alive(self):
        c = self.mock.http()
        try:
            for _ in range(3):
                status, _, _, _ = self.mock.request("GET", "/__mock/health", conn=c)
                self.assertEqual(status, 200)
        finally:
            c.close()

    def test_pipelined_requests_answered_in_order(self):
        # Alternate two paths with different statuses so order is observable.
        n = 20
        reqs = b""
        for i in range(n):
            path = b"/__mock/health" if i % 2 == 0 else b"/no/such/path/%d" % i
            reqs += b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\n\r\n"
        with self.mock.connect() as s:
            s.sendall(reqs)
            r = ResponseReader(s)
            statuses = [r.read()[0] for _ in range(n)]
        self.assertEqual(statuses, [200 if i % 2 == 0 else 404 for i in range(n)])

    def test_a_long_pipeline_across_turns(self):
        # More pipelined requests than one connection answers in a row
        # (server.c SERVER_REQUESTS_PER_TURN): the rest waits for the
        # connection's next turn of the loop, in order, and a half-close after
        # the last request still gets every answer (RFC 9112 9.3.2: responses
        # in the order of the requests).
        n = 500
        reqs = b""
        for i in range(n):
            path = b"/__mock/health" if i % 3 else b"/no/such/path/%d" % i
            reqs += b"GET " + path + b" HTTP/1.1\r\nHost: localhost\r\n\r\n"
        with self.mock.connect() as s:
            s.sendall(reqs)
            s.shutdown(socket.SHUT_WR)
            r = ResponseReader(s)
            statuses = [r.read()[0] for _ in range(n)]
            self.assertEqual(s.recv(1), b"")  # then the server closes
        self.assertEqual(statuses, [200 if i % 3 else 404 for i in range(n)])

    def test_chunked_request_body_is_framed(self):
        # A chunked body within the limit is consumed exactly: the next request
        # on the same socket is parsed from the right byte.
        body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        req = (b"POST /no/such/path HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
               b"Content-Type: application/json\r\n\r\n" + body)
        with self.mock.connect() as s:
            s.sendall(req + HEALTH)
            r = ResponseReader(s)
            self.assertEqual(r.read()[0], 404)
            self.assertEqual(r.read()[0], 200)

    def test_chunked_body_over_limit_gets_413_and_close(self):
        chunk = b"x" * 600
        req = (b"POST /rest/v1/profiles HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
               + b"258\r\n" + chunk + b"\r\n" + b"258\r\n" + chunk + b"\r\n0\r\n\r\n")
        data = self.mock.exchange(req)
        self.assertTrue(data.startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n"), data[:80])
        self.assertIn(b"\r\nConnection: close\r\n", data)
        self.assertIn(b"\r\nContent-Type: application/json\r\n", data)

    def test_head_has_no_body(self):
        with self.mock.connect() as s:
            s.sendall(b"HEAD /__mock/health HTTP/1.1\r\nHost: localhost\r\n\r\n" + HEALTH)
            r = ResponseReader(s)
            status, _, _, _ = r.read(head_only=True)
            self.assertEqual(status, 200)
            # If HEAD had carried body bytes, this parse would see garbage.
            status, _, _, body = r.read()
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body)["status"], "ok")

    def test_17k_header_gets_431_and_close(self):
        req = (b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * (17 * 1024)
               + b"\r\n\r\n")
        data = self.mock.exchange(req)
        self.assertTrue(data.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"),
                        data[:80])
        self.assertIn(b"\r\nConnection: close\r\n", data)
        body = data.split(b"\r\n\r\n", 1)[1]
        self.assertEqual(json.loads(body), {"message": "Request header fields too large"})

    def test_too_many_headers_gets_431(self):
        req = b"GET / HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(101)) + b"\r\n"
        data = self.mock.exchange(req)
        self.assertTrue(data.startswith(b"HTTP/1.1 431 "), data[:80])

    def test_content_length_over_limit_gets_413_before_the_body(self):
        # Only the head is sent: the answer must not wait for 1001 body bytes.
        with self.mock.connect() as s:
            s.sendall(b"POST /rest/v1/profiles HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n")
            data = read_until_close(s, 5)
        self.assertTrue(data.startswith(b"HTTP/1.1 413 "), data[:80])
        self.assertIn(b"\r\nConnection: close\r\n", data)

    def test_body_at_limit_is_accepted(self):
        body = b"{" + b" " * 998 + b"}"
        status, _, _, _ = self.mock.request("POST", "/no/such/path", body=body)
        self.assertNotEqual(status, 413)

    def test_garbage_gets_400_and_close(self):
        data = self.mock.exchange(b"\x16\x03\x01\x02\x00garbage that is not HTTP\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 400 Bad Request\r\n"), data[:80])
        self.assertIn(b"\r\nConnection: close\r\n", data)

    def test_bad_request_after_good_one_on_same_socket(self):
        with self.mock.connect() as s:
            s.sendall(HEALTH + b"GET / HTTP/1.1\r\nBad\x00Name: x\r\n\r\n")
            r = ResponseReader(s)
            self.assertEqual(r.read()[0], 200)
            status, _, headers, _ = r.read()
            self.assertEqual(status, 400)
            self.assertEqual(header(headers, "Connection"), "close")
            self.assertTrue(r.at_eof())

    def test_connection_close_is_honoured(self):
        with self.mock.connect() as s:
            s.sendall(b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\n"
                      b"Connection: close\r\n\r\n")
            r = ResponseReader(s)
            status, _, headers, _ = r.read()
            self.assertEqual(status, 200)
            self.assertEqual(header(headers, "Connection"), "close")
            self.assertTrue(r.at_eof())

    def test_http10_closes_unless_keep_alive(self):
        data = self.mock.exchange(b"GET /__mock/health HTTP/1.0\r\nHost: localhost\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 200 OK\r\n"), data[:80])
        self.assertIn(b"\r\nConnection: close\r\n", data)
        with self.mock.connect() as s:
            s.sendall(b"GET /__mock/health HTTP/1.0\r\nHost: localhost\r\n"
                      b"Connection: keep-alive\r\n\r\n")
            r = ResponseReader(s)
            status, _, headers, _ = r.read()
            self.assertEqual(status, 200)
            self.assertEqual(header(headers, "Connection"), "keep-alive")
            s.sendall(b"GET /__mock/health HTTP/1.0\r\nHost: localhost\r\n\r\n")
            self.assertEqual(r.read()[0], 200)

    def test_expect_100_continue(self):
        with self.mock.connect() as s:
            s.sendall(b"POST /no/such/path HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
                      b"Expect: 100-continue\r\n\r\n")
            r = ResponseReader(s)
            status, reason, _, _ = r.read()
            self.assertEqual((status, reason), (100, "Continue"))
            s.sendall(b"{}")
            self.assertEqual(r.read()[0], 404)

    def test_idle_timeout_cuts_a_trickling_client(self):
        # 1 byte every 100 ms never completes a request within 1500 ms; the
        # server must cut it even though bytes keep arriving.
        start = time.monotonic()
        with self.mock.connect() as s:
            head = b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 200
            closed = False
            for byte in head:
                try:
                    s.sendall(bytes([byte]))
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
                    break
                s.settimeout(0.1)
                try:
                    if s.recv(1024) == b"":
                        closed = True
                        break
                except socket.timeout:
                    pass
                except ConnectionResetError:
                    closed = True
                    break
                if time.monotonic() - start > 10:
                    break
        elapsed = time.monotonic() - start
        self.assertTrue(closed, "server kept a trickling client for %.1f s" % elapsed)
        self.assertGreaterEqual(elapsed, 1.2)
        self.assertLess(elapsed, 5.0)

    def test_idle_keep_alive_connection_is_closed(self):
        with self.mock.connect() as s:
            s.sendall(HEALTH)
            r = ResponseReader(s)
            self.assertEqual(r.read()[0], 200)
            start = time.monotonic()
            self.assertTrue(r.at_eof(timeout=6))
            self.assertGreaterEqual(time.monotonic() - start, 1.0)

    def test_idle_deadline_restarts_after_each_request(self):
        # The idle timeout counts from the last completed request. A
        # request every 0.9 s keeps a connection with a 1.5 s timeout open for
        # 2.7 s; after the last one it is closed no earlier than 1.5 s later.
        with self.mock.connect() as s:
            r = ResponseReader(s)
            for i in range(4):
                if i:
                    time.sleep(0.9)
                s.sendall(HEALTH)
                self.assertEqual(r.read()[0], 200, "request %d" % i)
            start = time.monotonic()
            self.assertTrue(r.at_eof(timeout=6))
            self.assertGreaterEqual(time.monotonic() - start, 1.4)

    def test_max_connections_extra_is_closed_others_work(self):
        socks = []
        try:
            # 8 allowed: fill them, each proven open by a request.
            for _ in range(8):
                s = self.mock.connect()
                s.sendall(HEALTH)
                self.assertEqual(ResponseReader(s).read()[0], 200)
                socks.append(s)
            extra = self.mock.connect()
            extra.sendall(HEALTH)
            try:
                data = read_until_close(extra, 5)
            finally:
                extra.close()
            self.assertEqual(data, b"")
            for s in socks:
                s.sendall(HEALTH)
                self.assertEqual(ResponseReader(s).read()[0], 200)
        finally:
            for s in socks:
                s.close()
        # Once they are gone, new connections are served again.
        deadline = time.monotonic() + 5
        while True:
            try:
                self.mock.assert_healthy()
                break
            except (AssertionError, OSError, Exception):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def test_early_close_mid_request(self):
        for partial in (b"GET /__mock/hea", b"POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"a\":"):
            s = self.mock.connect()
            s.sendall(partial)
            s.close()
        # An abortive close (RST) with a request half sent.
        s = self.mock.connect()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.sendall(b"POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\n")
        s.close()

    def test_client_that_never_reads(self):
        # Many pipelined requests, never read; the server must stay responsive.
        s = self.mock.connect()
        s.setblocking(False)
        sent = 0
        try:
            for _ in range(2000):
                try:
                    sent += s.send(HEALTH * 50)
                except BlockingIOError:
                    break
            self.assertGreater(sent, 0)
            self.mock.assert_healthy()
        finally:
            s.close()

    def test_percent_encoded_path_is_decoded(self):
        status, _, _, _ = self.mock.request("GET", "/__mock/%68ealth")
        self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main()
