"""Request-smuggling battery over raw sockets: every ambiguous framing gets 400
and a close, and a request pipelined behind a refused one is never answered;
every valid framing is accepted and the request behind it is answered.

Sources for the expected answers:
- RFC 9112 (HTTP/1.1), https://www.rfc-editor.org/rfc/rfc9112
  §2.2 a bare CR must be refused or replaced, a bare LF may be accepted as a
  line terminator (we do not: llhttp's strict parser requires CRLF);
  §5.2 obs-fold may be refused with 400; §6.1 Content-Length with
  Transfer-Encoding "ought to be handled as an error", and chunked must be the
  final coding of a request or the server answers 400 and closes; §6.3 several
  differing Content-Length values are unrecoverable; §7.1 chunk framing and
  §7.1.1 chunk extensions (a recipient ignores the ones it does not know).
- llhttp (https://github.com/nodejs/llhttp) strict behaviour: 400 for
  Content-Length with Transfer-Encoding (HPE_UNEXPECTED_CONTENT_LENGTH), for a
  repeated Content-Length even with the same value, for a chunk size over 64
  bits ("Chunk size overflow"), for anything but CRLF after chunk data, and for
  obs-fold ("Unexpected whitespace after header value").
"""

import unittest

from harness import Supamock

# /__mock answers only loopback Host names (the admin API refuses others).
NEXT = b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
POST = b"POST /no/such/path HTTP/1.1\r\nHost: t\r\n"
CHUNKED = POST + b"Transfer-Encoding: chunked\r\n\r\n"


def statuses(data):
    """The status codes of the responses in data, in order."""
    out = []
    for part in data.split(b"HTTP/1.1 ")[1:]:
        out.append(int(part[:3]))
    return out


class SmugglingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock().start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def tearDown(self):
        self.mock.assert_healthy()

    def assert_refused(self, request):
        data = self.mock.exchange(request + NEXT)
        # One answer, 400, with a close; nothing for the pipelined request.
        self.assertEqual(statuses(data), [400], data)
        self.assertIn(b"\r\nConnection: close\r\n", data)

    def assert_accepted(self, request):
        data = self.mock.exchange(request + NEXT)
        # The request is answered (404: no such path) and so is the next one.
        self.assertEqual(statuses(data), [404, 200], data)

    # -- Content-Length and Transfer-Encoding -----------------------------------

    def test_content_length_and_transfer_encoding(self):
        self.assert_refused(POST + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                            b"0\r\n\r\n")
        self.assert_refused(POST + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                            b"0\r\n\r\n")

    def test_duplicate_content_length(self):
        self.assert_refused(POST + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")
        # llhttp refuses a repeated Content-Length even with one value.
        self.assert_refused(POST + b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello")
        self.assert_refused(POST + b"Content-Length: 5, 6\r\n\r\nhello!")

    def test_chunked_not_final_or_unknown_coding(self):
        self.assert_refused(POST + b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n")
        self.assert_refused(POST + b"Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n")

    # -- chunk framing -------------------------------------------------------------

    def test_any_two_bytes_after_chunk_data(self):
        # Once accepted by llhttp's loose build: "XX" stood in for CRLF.
        self.assert_refused(CHUNKED + b"3\r\nabcXX0\r\n\r\n")

    def test_chunk_size_overflow(self):
        self.assert_refused(CHUNKED + b"ffffffffffffffffff\r\nabc\r\n0\r\n\r\n")
        self.assert_refused(CHUNKED + b"1" * 40 + b"\r\nabc\r\n0\r\n\r\n")

    def test_missing_final_crlf(self):
        # The pipelined request line cannot stand in for the last CRLF.
        self.assert_refused(CHUNKED + b"3\r\nabc\r\n0\r\n")

    def test_bad_chunk_size_lines(self):
        self.assert_refused(CHUNKED + b"3 \r\nabc\r\n0\r\n\r\n")
        self.assert_refused(CHUNKED + b"0x3\r\nabc\r\n0\r\n\r\n")
        self.assert_refused(CHUNKED + b"-3\r\nabc\r\n0\r\n\r\n")
        self.assert_refused(CHUNKED + b"3;a=b=c\r\nabc\r\n0\r\n\r\n")

    def test_valid_chunk_extensions_are_accepted(self):
        for ext in (b";foo=bar", b";foo", b";a=1;b=2", b";foo=\"b r;\\\"x\"", b" ; foo = bar"):
            with self.subTest(ext=ext):
                self.assert_accepted(CHUNKED + b"3" + ext + b"\r\nabc\r\n0" + ext + b"\r\n\r\n")

    def test_trailers_are_accepted(self):
        self.assert_accepted(CHUNKED + b"3\r\nabc\r\n0\r\nX-Checksum: 1\r\n\r\n")

    # -- line syntax -----------------------------------------------------------------

    def test_obs_fold(self):
        self.assert_refused(b"GET /__mock/health HTTP/1.1\r\nHost: t\r\nX-A: a\r\n  b\r\n\r\n")
        self.assert_refused(b"GET /__mock/health HTTP/1.1\r\nHost: t\r\nX-A: a\r\n\tb\r\n\r\n")

    def test_bare_lf(self):
        self.assert_refused(b"GET /__mock/health HTTP/1.1\nHost: t\n\n")
        self.assert_refused(b"GET /__mock/health HTTP/1.1\r\nHost: t\nX: y\r\n\r\n")
        self.assert_refused(CHUNKED + b"3\nabc\n0\n\n")

    def test_bare_cr(self):
        self.assert_refused(b"GET /__mock/health HTTP/1.1\r\nHost: t\rX: y\r\n\r\n")

    def test_space_before_colon(self):
        # RFC 9112 §5.1: no whitespace between field name and colon; 400.
        self.assert_refused(POST + b"Content-Length : 5\r\n\r\nhello")


if __name__ == "__main__":
    unittest.main()
