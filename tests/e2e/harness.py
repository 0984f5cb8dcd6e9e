"""Start the built supamock binary and talk to it over TCP (standard library only).

    with Supamock("--idle-timeout-ms", "500") as mock:
        status, reason, headers, body = mock.request("GET", "/__mock/health")
        sock = mock.connect()

The binary comes from $SUPAMOCK_BIN. It is started with `--port 0` (unless the
caller passes --port) and the ready line is read from stdout with a deadline.
stop() sends SIGTERM, waits, asserts exit status 0 and fails if stderr holds
a sanitizer report. Nothing here sleeps to wait: everything polls a deadline.
"""

import http.client
import os
import re
import selectors
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

READY_RE = re.compile(rb"^supamock listening on http://(\[[^\]]+\]|[^:]+):(\d+)\r?\n$")
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
    "WARNING: AddressSanitizer",
)


# The default scenario runs on real time, so that the sessions it mints are
# valid for a client comparing exp with its own clock. Tests whose expected
# dates, Date headers or prepared tokens assume the demo instant pass this.
FIXED_CLOCK = ("--clock", "2026-01-01T00:00:00Z")


def binary():
    path = os.environ.get("SUPAMOCK_BIN")
    if not path:
        raise unittest.SkipTest("SUPAMOCK_BIN is not set (ctest sets it to the built binary)")
    return path


def source_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("SUPAMOCK_SOURCE_DIR", os.path.dirname(os.path.dirname(here)))


def sanitizer_report(text):
    """The first line of a sanitizer report in text, or None."""
    for line in text.splitlines():
        if any(m in line for m in SANITIZER_MARKERS):
            return line
    return None


class _Drain(threading.Thread):
    """Reads a pipe to the end so the server never blocks on a full stderr."""

    def __init__(self, pipe):
        super().__init__(daemon=True)
        self.pipe = pipe
        self.chunks = []
        self.lock = threading.Lock()

    def run(self):
        while True:
            data = self.pipe.read1(65536) if hasattr(self.pipe, "read1") else self.pipe.read(65536)
            if not data:
                break
            with self.lock:
                self.chunks.append(data)

    def text(self):
        with self.lock:
            return b"".join(self.chunks).decode("utf-8", "replace")


class Supamock:
    """One supamock process. Use as a context manager; stop() is idempotent."""

    def __init__(self, *args, prefix=None, cwd=None, env=None, ready_timeout=20.0,
                 bin_path=None, expect_exit=0):
        self.args = list(args)
        if not any(a == "--port" or a.startswith("--port=") for a in self.args):
            self.args = ["--port", "0"] + self.args
        # SUPAMOCK_ENGINE=postgres (the e2e-postgres ctest entries) serves every
        # server of a suite from the database engine, unless a test chose one.
        if os.environ.get("SUPAMOCK_ENGINE") == "postgres" and not any(
                a.split("=")[0] in ("--db", "--project") for a in self.args):
            self.args += ["--db", "postgres"]
            ready_timeout = max(ready_timeout, 90.0)
        self.prefix = list(prefix or [])
        self.cwd = cwd or source_dir()
        self.env = dict(os.environ, **(env or {}))
        self.ready_timeout = ready_timeout
        self.bin_path = bin_path or binary()
        self.expect_exit = expect_exit
        # SUPAMOCK_UNDER_VALGRIND=1 (set by the e2e-valgrind ctest entries) runs
        # every server of a suite as the plain build under valgrind, and stop()
        # then also requires valgrind's report to show no leak and no error.
        self.valgrind_log = None
        if os.environ.get("SUPAMOCK_UNDER_VALGRIND") == "1" and not self.prefix:
            plain = os.environ.get("SUPAMOCK_PLAIN_BIN")
            if not plain:
                raise unittest.SkipTest("SUPAMOCK_PLAIN_BIN is not set (scripts/test sets it)")
            fd, self.valgrind_log = tempfile.mkstemp(prefix="supamock-valgrind-", suffix=".log")
            os.close(fd)
            self.bin_path = plain
            self.prefix = ["valgrind", "--leak-check=full",
                           "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
                           "--log-file=" + self.valgrind_log]
            self.ready_timeout = max(ready_timeout, 120.0)
        self.proc = None
        self.host = None
        self.port = None
        self.url = None
        self.returncode = None
        self._stderr = None

    # -- lifecycle ---------------------------------------------------------------

    def start(self):
        self.proc = subprocess.Popen(
            self.prefix + [self.bin_path] + self.args, cwd=self.cwd, env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._stderr = _Drain(self.proc.stderr)
        self._stderr.start()
        line = self._read_ready_line()
        m = READY_RE.match(line)
        if not m:
            self.kill()
            raise AssertionError("unexpected ready line %r; stderr:\n%s" % (line, self.stderr()))
        self.host = m.group(1).decode().strip("[]")
        self.port = int(m.group(2))
        self.url = line.decode().strip().split(" ")[-1]
        return self

    def _read_ready_line(self):
        deadline = time.monotonic() + self.ready_timeout
        fd = self.proc.stdout.fileno()
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        buf = b""
        try:
            while not buf.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0:
                    self.kill()
                    raise AssertionError("no ready line within %.0f s; stderr:\n%s"
                                         % (self.ready_timeout, self.stderr()))
                if not sel.select(left):
                    continue
                chunk = os.read(fd, 1)
                if not chunk:
                    self.proc.wait(timeout=10)
                    raise AssertionError("supamock exited (%s) before the ready line; stderr:\n%s"
                                         % (self.proc.returncode, self.stderr()))
                buf += chunk
        finally:
            sel.close()
        return buf

    def stderr(self):
        if self._stderr is None:
            return ""
        return self._stderr.text()

    def send_signal(self, signum):
        self.proc.send_signal(signum)

    def wait(self, timeout=15.0):
        self.returncode = self.proc.wait(timeout=timeout)
        self._stderr.join(timeout=5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.returncode

    def stop(self, signum=signal.SIGTERM, timeout=15.0):
        """Signals the server, waits, asserts exit 0 and a clean stderr."""
        if self.proc is None or self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            self.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("supamock did not exit within %.0f s of signal %d; stderr:\n%s"
                                 % (timeout, signum, self.stderr()))
        report = sanitizer_report(self.stderr())
        if report:
            raise AssertionError("sanitizer report in stderr: %s\n%s" % (report, self.stderr()))
        if self.returncode != self.expect_exit:
            raise AssertionError("supamock exited with %s (expected %s); stderr:\n%s"
                                 % (self.returncode, self.expect_exit, self.stderr()))
        if self.valgrind_log:
            with open(self.valgrind_log) as f:
                report = f.read()
            os.unlink(self.valgrind_log)
            self.valgrind_log = None
            if not ("definitely lost: 0 bytes" in report or "no leaks are possible" in report) \
                    or "ERROR SUMMARY: 0 errors" not in report:
                raise AssertionError("valgrind found a leak or an error:\n" + report)
        return self.returncode

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            try:
                self.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.kill()
            return False
        self.stop()
        return False

    # -- clients -----------------------------------------------------------------

    def connect(self, timeout=10.0):
        """A raw TCP socket to the server (the caller closes it)."""
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def http(self, timeout=10.0):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None):
        """One request via http.client: (status, reason, [(name, value)...], body bytes)."""
        own = conn is None
        c = conn or self.http()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, r.reason, r.getheaders(), data
        finally:
            if own:
                c.close()

    def exchange(self, data, timeout=10.0):
        """Writes raw bytes on a fresh socket, half-closes it, and returns every
        byte the server sends until it closes."""
        with self.connect(timeout) as s:
            s.sendall(data)
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return read_until_close(s, timeout)

    def assert_healthy(self, testcase=None):
        """A normal request still gets a normal answer."""
        status, _, _, body = self.request("GET", "/__mock/health")
        if status != 200:
            raise AssertionError("health check answered %d: %r" % (status, body))
        return body


def read_until_close(sock, timeout=10.0):
    """Bytes until EOF (or a reset, after which what arrived is returned)."""
    deadline = time.monotonic() + timeout
    out = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("connection still open after %.1f s; got %r" % (timeout, out[:200]))
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return out
        except socket.timeout:
            continue
        if not chunk:
            return out
        out += chunk


class ResponseReader:
    """Parses HTTP/1.1 responses (Content-Length framed, or until close) from
    a raw socket, one at a time, keeping any extra bytes for the next."""

    def __init__(self, sock, timeout=10.0):
        self.sock = sock
        self.timeout = timeout
        self.buf = b""

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("timed out waiting for a response; have %r" % self.buf[:200])
        self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed; have %r" % self.buf[:200])
        self.buf += chunk

    def read(self, head_only=False):
        """(status, reason, [(name, value)], body). head_only: a HEAD response."""
        deadline = time.monotonic() + self.timeout
        while b"\r\n\r\n" not in self.buf:
            self._fill(deadline)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        version, status, reason = (lines[0].split(" ", 2) + [""])[:3]
        if not version.startswith("HTTP/1."):
            raise AssertionError("bad status line %r" % lines[0])
        headers = [tuple(x.strip() for x in l.split(":", 1)) for l in lines[1:]]
        length = None
        for name, value in headers:
            if name.lower() == "content-length":
                length = int(value)
        code = int(status)
        if head_only or code in (204, 304) or 100 <= code < 200:
            return code, reason, headers, b""
        if length is None:
            while True:
                try:
                    self._fill(deadline)
                except EOFError:
                    break
            body, self.buf = self.buf, b""
            return code, reason, headers, body
        while len(self.buf) < length:
            self._fill(deadline)
        body, self.buf = self.buf[:length], self.buf[length:]
        return code, reason, headers, body

    def at_eof(self, timeout=5.0):
        """True if the server closes the connection with nothing more to say."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self._fill(deadline)
        except EOFError:
            return self.buf == b""
        except ConnectionResetError:
            return self.buf == b""


def header(headers, name):
    """The first value of header `name` (case-insensitive) in a list, or None."""
    for n, v in headers:
        if n.lower() == name.lower():
            return v
    return None
