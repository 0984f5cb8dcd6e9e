"""The admin API answers only the developer's own tools (admin.h lists the
refusals and their texts): the requests below are the ones a web page the
developer visits could make a browser send (cross-site forms and fetches,
DNS rebinding), each refused with 403 before it has any effect, and the
requests of the developer's own tools, which keep working. Scenario names
sent to the admin API never reach files outside the scenario folders, and no
file (a FIFO, a device) can block the server.

Requests are written byte for byte on a raw socket so that Host, Origin and
Content-Type are exactly what a browser would send.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import unittest

from harness import FIXED_CLOCK, ResponseReader, Supamock, binary, header, source_dir

JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
START = "2026-01-01T00:00:00Z"
DEFAULT = object()


def raw(mock, method, path, headers=(), body=b"", host=DEFAULT, version="HTTP/1.1"):
    """One request with exactly these headers: (status, headers, parsed JSON or bytes).
    host=DEFAULT sends the listening address; host=None sends no Host at all."""
    lines = ["%s %s %s" % (method, path, version)]
    if host is DEFAULT:
        host = "127.0.0.1:%d" % mock.port
    if host is not None:
        lines.append("Host: " + host)
    lines += ["%s: %s" % (n, v) for n, v in headers]
    if body or method in ("POST", "PUT"):
        lines.append("Content-Length: %d" % len(body))
    lines.append("Connection: close")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    with mock.connect() as s:
        s.sendall(data)
        status, _, hs, resp = ResponseReader(s).read(head_only=(method == "HEAD"))
    try:
        return status, hs, json.loads(resp)
    except ValueError:
        return status, hs, resp


JSON = [("Content-Type", "application/json")]


class CrossSiteTest(unittest.TestCase):
    """A page on http://evil.example posts to http://127.0.0.1:PORT/__mock/..."""

    def setUp(self):
        self.mock = Supamock(*FIXED_CLOCK).start()

    def tearDown(self):
        self.mock.stop()

    def now(self):
        st, _, body = raw(self.mock, "GET", "/__mock/clock")
        self.assertEqual(st, 200, body)
        return body["now"]

    def assert_refused(self, st, hs, body, message):
        self.assertEqual((st, body), (403, {"error": message}))
        self.assertEqual(header(hs, "Content-Type"), "application/json")
        self.assertIsNone(header(hs, "Access-Control-Allow-Origin"))

    def test_cross_site_form_posts_are_refused_before_any_effect(self):
        evil = [("Origin", "http://evil.example")]
        refused = ('cross-origin request refused: Origin "http://evil.example" is not a '
                   'loopback origin')
        # What <form enctype="text/plain"> or fetch(..., {mode: "no-cors"}) sends.
        st, hs, body = raw(self.mock, "POST", "/__mock/sql",
                           evil + [("Content-Type", "text/plain")],
                           b'{"sql": "DROP POLICY \\"Users can view own profile\\" ON profiles"}')
        self.assert_refused(st, hs, body, refused)
        st, hs, body = raw(self.mock, "POST", "/__mock/clock",
                           evil + [("Content-Type", "application/x-www-form-urlencoded")],
                           b'{"advance_ms": 3600000}')
        self.assert_refused(st, hs, body, refused)
        self.assertEqual(self.now(), START)
        # Nothing changed: the policy is still there.
        st, _, body = raw(self.mock, "POST", "/__mock/sql", JSON,
                          b'{"sql": "SELECT policyname FROM pg_policies"}')
        self.assertEqual(st, 200, body)
        self.assertIn("Users can view own profile", json.dumps(body))
        # A reset would undo this advance; the cross-site one must not.
        st, _, body = raw(self.mock, "POST", "/__mock/clock", JSON, b'{"advance_ms": 1000}')
        self.assertEqual(st, 200, body)
        st, hs, body = raw(self.mock, "POST", "/__mock/reset",
                           evil + [("Content-Type", "text/plain")])
        self.assert_refused(st, hs, body, refused)
        self.assertEqual(self.now(), "2026-01-01T00:00:01Z")

    def test_non_json_content_types_are_refused_without_origin(self):
        # Some browsers and privacy settings leave Origin out; the body's type
        # alone still tells a form from a tool.
        for ctype in ("text/plain", "text/plain;charset=UTF-8",
                      "application/x-www-form-urlencoded",
                      "multipart/form-data; boundary=----x", "application/jsonx",
                      "application/json-patch+json"):
            st, hs, body = raw(self.mock, "POST", "/__mock/clock", [("Content-Type", ctype)],
                               b'{"advance_ms": 1000}')
            self.assert_refused(st, hs, body,
                                'request refused: Content-Type "%s" is not application/json'
                                % ctype)
        # A body-less POST carrying a form's type: what <form method=post> sends.
        st, hs, body = raw(self.mock, "POST", "/__mock/reset", [("Content-Type", "text/plain")])
        self.assert_refused(st, hs, body,
                            'request refused: Content-Type "text/plain" is not application/json')
        # A body without any type (fetch with a Blob body).
        st, hs, body = raw(self.mock, "POST", "/__mock/clock", [], b'{"advance_ms": 1000}')
        self.assert_refused(st, hs, body,
                            "request refused: a request body needs Content-Type: "
                            "application/json")
        self.assertEqual(self.now(), START)
        # application/json with parameters, and a body-less POST without a type, work.
        st, _, body = raw(self.mock, "POST", "/__mock/clock",
                          [("Content-Type", "Application/JSON; charset=utf-8")],
                          b'{"advance_ms": 1000}')
        self.assertEqual((st, body), (200, {"now": "2026-01-01T00:00:01Z"}))
        st, _, body = raw(self.mock, "POST", "/__mock/reset")
        self.assertEqual((st, body["status"]), (200, "ok"))
        self.assertEqual(self.now(), START)

    def test_foreign_and_null_origins_are_refused(self):
        for origin in ("null", "http://127.0.0.1.evil.example", "http://localhost.evil.example:80",
                       "https://evil.example:%d" % self.mock.port, "file://",
                       "http://127.0.0.1:%d/path" % self.mock.port, "http://[::2]"):
            st, hs, body = raw(self.mock, "GET", "/__mock/scenario", [("Origin", origin)])
            self.assert_refused(st, hs, body, 'cross-origin request refused: Origin "%s" is not '
                                              'a loopback origin' % origin)
            self.assertNotIn(JWT_SECRET, json.dumps(body))

    def test_loopback_origins_are_allowed_but_never_granted_cors(self):
        port = self.mock.port
        for origin in ("http://localhost:3000", "http://127.0.0.1:%d" % port, "http://127.1.2.3",
                       "https://[::1]:8443", "HTTP://LOCALHOST"):
            st, hs, body = raw(self.mock, "POST", "/__mock/clock",
                               [("Origin", origin)] + JSON, b'{"advance_ms": 0}')
            self.assertEqual((st, body), (200, {"now": START}), origin)
            # The answer is the tool's; a browser may not hand it to another origin.
            self.assertIsNone(header(hs, "Access-Control-Allow-Origin"))
            self.assertEqual(header(hs, "X-Content-Type-Options"), "nosniff")

    def test_cors_preflight_grants_nothing(self):
        for origin in ("http://evil.example", "http://localhost:3000"):
            st, hs, body = raw(self.mock, "OPTIONS", "/__mock/sql",
                               [("Origin", origin), ("Access-Control-Request-Method", "POST"),
                                ("Access-Control-Request-Headers", "content-type")])
            self.assertEqual(st, 403, body)
            for name, _ in hs:
                self.assertFalse(name.lower().startswith("access-control-"), hs)
        self.assertEqual(body, {"error": "cross-origin request refused: the admin API grants no "
                                         "CORS access"})
        # The Data API's preflight is the gateway's, unchanged.
        st, hs, _ = raw(self.mock, "OPTIONS", "/rest/v1/profiles",
                        [("Origin", "http://localhost:3000"),
                         ("Access-Control-Request-Method", "GET")])
        self.assertIsNotNone(header(hs, "Access-Control-Allow-Origin"))


class RebindingTest(unittest.TestCase):
    """evil.example:PORT re-resolves to 127.0.0.1: its requests carry its own Host."""

    def setUp(self):
        self.mock = Supamock(*FIXED_CLOCK).start()

    def tearDown(self):
        self.mock.stop()

    def test_foreign_host_cannot_read_the_secret_or_the_journal(self):
        for host in ("evil.example:%d" % self.mock.port, "evil.example",
                     "127.0.0.1.evil.example:%d" % self.mock.port, "localhost.:%d" % self.mock.port,
                     "127.0.0.1:%d:1" % self.mock.port, "[::1", "[evil]:80", "a b"):
            for path in ("/__mock/scenario", "/__mock/requests", "/__mock/health"):
                st, hs, body = raw(self.mock, "GET", path, host=host)
                self.assertEqual(st, 403, (host, path, body))
                self.assertEqual(body, {"error": 'request refused: Host "%s" is not this '
                                                 "server's address or a loopback name (start "
                                                 'supamock with --admin-host NAME to accept '
                                                 'another name)' % host})
                self.assertNotIn(JWT_SECRET, json.dumps(body))
        # Same-origin with the rebinding page does not help it either.
        st, _, body = raw(self.mock, "GET", "/__mock/scenario",
                          [("Origin", "http://evil.example:%d" % self.mock.port)],
                          host="evil.example:%d" % self.mock.port)
        self.assertEqual(st, 403, body)

    def test_missing_or_repeated_host_is_refused(self):
        # HTTP/1.0 may leave Host out: refused rather than assumed local.
        st, _, body = raw(self.mock, "GET", "/__mock/scenario", host=None, version="HTTP/1.0")
        self.assertEqual((st, body), (403, {"error": "request refused: no Host header"}))
        st, _, body = raw(self.mock, "GET", "/__mock/scenario", [("Host", "evil.example")])
        self.assertEqual((st, body), (403, {"error": "request refused: more than one Host header"}))

    def test_loopback_and_listening_hosts_are_allowed(self):
        port = self.mock.port
        for host in ("localhost:%d" % port, "127.0.0.1:%d" % port, "[::1]:%d" % port,
                     "LocalHost", "127.0.0.1", "[::1]", "127.8.9.10:1", "localhost:8080"):
            st, _, body = raw(self.mock, "GET", "/__mock/scenario", host=host)
            self.assertEqual(st, 200, (host, body))
            self.assertEqual(body["auth"]["jwt_secret"], JWT_SECRET)

    def test_data_api_keeps_answering_any_host(self):
        st, _, body = raw(self.mock, "GET", "/rest/v1/profiles?select=email",
                          [("apikey", SERVICE), ("Authorization", "Bearer " + SERVICE)],
                          host="evil.example:%d" % self.mock.port)
        self.assertEqual((st, body), (200, [{"email": "demo@example.com"}]))


class AdminHostFlagTest(unittest.TestCase):
    def setUp(self):
        self.mock = Supamock("--admin-host", "supamock", "--admin-host", "api.internal:8080", *FIXED_CLOCK).start()

    def tearDown(self):
        self.mock.stop()

    def test_admin_host_values_are_accepted(self):
        port = self.mock.port
        for host in ("supamock:%d" % port, "supamock", "SUPAMOCK:1", "api.internal:8080"):
            st, _, body = raw(self.mock, "GET", "/__mock/health", host=host)
            self.assertEqual(st, 200, (host, body))
        for host in ("api.internal:9090", "api.internal", "supamock.evil.example", "evil.example"):
            st, _, body = raw(self.mock, "GET", "/__mock/health", host=host)
            self.assertEqual(st, 403, (host, body))

    def test_same_origin_page_under_an_admin_host(self):
        # A page supamock served under an accepted name posts with its own origin.
        host = "supamock:%d" % self.mock.port
        st, _, body = raw(self.mock, "POST", "/__mock/clock",
                          [("Origin", "http://" + host)] + JSON, b'{"advance_ms": 0}', host=host)
        self.assertEqual((st, body), (200, {"now": START}))
        st, _, body = raw(self.mock, "POST", "/__mock/clock",
                          [("Origin", "http://evil.example")] + JSON, b'{"advance_ms": 0}',
                          host=host)
        self.assertEqual(st, 403, body)

    def test_bad_values_are_usage_errors(self):
        for value in ("", "a b", "http://x", "x/y", "x:port", "[zz]"):
            p = subprocess.run([binary(), "--port", "0", "--admin-host", value],
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
            self.assertEqual(p.returncode, 2, (value, p.stderr))
            self.assertIn(b"--admin-host must be a host name or address", p.stderr)
        p = subprocess.run([binary(), "--help"], capture_output=True, timeout=20)
        self.assertIn(b"--admin-host NAME", p.stdout)


class TokenOrderTest(unittest.TestCase):
    """The 403s come before the token check: they depend on nothing secret."""

    def setUp(self):
        self.mock = Supamock("--admin-token", "tok3n").start()

    def tearDown(self):
        self.mock.stop()

    def test_order(self):
        token = [("Authorization", "Bearer tok3n")]
        st, _, _ = raw(self.mock, "POST", "/__mock/reset", [("Origin", "http://evil.example")])
        self.assertEqual(st, 403)
        st, _, _ = raw(self.mock, "POST", "/__mock/reset", token + [("Origin", "null")])
        self.assertEqual(st, 403)
        st, _, _ = raw(self.mock, "GET", "/__mock/health", token, host="evil.example")
        self.assertEqual(st, 403)
        st, _, body = raw(self.mock, "GET", "/__mock/health")
        self.assertEqual((st, body), (401, {"error": "admin token required"}))
        st, _, body = raw(self.mock, "GET", "/__mock/health", token)
        self.assertEqual(st, 200, body)


class ScenarioNameTest(unittest.TestCase):
    """PUT /__mock/scenario takes names from the scenario folders, never paths."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="supamock-admin-sec-")
        self.scenarios = os.path.join(self.tmp, "scenarios")
        os.mkdir(self.scenarios)
        self.write("ok.json", '{"name": "ok-scenario", "extends": "default"}')
        self.write("viapipe.json", '{"extends": "./pipe.json"}')
        self.write("dotdot.json", '{"extends": "../outside.json"}')
        with open(os.path.join(self.tmp, "outside.json"), "w") as f:
            f.write('{"name": "outside"}')
        os.mkfifo(os.path.join(self.scenarios, "pipe.json"))
        os.symlink("/etc/passwd", os.path.join(self.scenarios, "passwd.json"))
        self.mock = Supamock(cwd=self.tmp).start()

    def tearDown(self):
        self.mock.stop()
        shutil.rmtree(self.tmp)

    def write(self, name, text):
        with open(os.path.join(self.scenarios, name), "w") as f:
            f.write(text)

    def put(self, body):
        st, _, answer = raw(self.mock, "PUT", "/__mock/scenario", JSON, json.dumps(body).encode())
        return st, answer

    def assert_unchanged(self):
        st, _, body = raw(self.mock, "GET", "/__mock/health")
        self.assertEqual((st, body["scenario"]), (200, "default"))

    def test_paths_are_not_names(self):
        for name in ("/etc/passwd", "../outside", "scenarios/ok", "ok.json", "/proc/self/fd/0",
                     "/dev/stdin", "", 1):
            st, body = self.put({"name": name})
            self.assertEqual((st, body), (400, {
                "error": "\"name\" must be a scenario name (letters, digits, '-' and '_') found "
                         "in the scenario folders; a scenario file is loaded by path only from "
                         "the command line (--scenario FILE)"}), name)
        self.assert_unchanged()
        st, body = self.put({"name": "ok"})
        self.assertEqual((st, body), (200, {"status": "ok", "scenario": "ok-scenario"}))

    def test_extends_cannot_leave_the_scenario_folders(self):
        st, body = self.put({"extends": "/etc/passwd"})
        self.assertEqual((st, body), (400, {
            "error": '<PUT /__mock/scenario>:1:13: "extends" in a scenario that is not a file '
                     'must be a scenario name, not a path ("/etc/passwd")'}))
        st, body = self.put({"extends": "../../etc/passwd.json"})
        self.assertEqual(st, 400, body)
        st, body = self.put({"name": "dotdot"})
        self.assertEqual(st, 400, body)
        self.assertIn('base scenario file "../outside.json" is outside this scenario\'s folder',
                      body["error"])
        # A link in scenarios/ that leads out is refused, and nothing of the
        # file it points to is shown.
        for body in ({"name": "passwd"}, {"extends": "passwd"}):
            st, answer = self.put(body)
            self.assertEqual(st, 400, answer)
            self.assertIn('scenario "passwd" (scenarios/passwd.json) resolves outside the '
                          'scenario folders', answer["error"])
            self.assertNotIn("root", answer["error"])
        self.assert_unchanged()

    def test_a_fifo_does_not_block_the_server(self):
        # Another client is connected while the FIFO is named.
        other = self.mock.connect()
        try:
            for body in ({"name": "viapipe"}, {"name": "pipe"}, {"extends": "pipe"}):
                st, answer = self.put(body)
                self.assertEqual(st, 400, answer)
                self.assertIn("not a regular file", answer["error"])
            other.sendall(b"GET /__mock/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            st, _, _, _ = ResponseReader(other).read()
            self.assertEqual(st, 200)
        finally:
            other.close()
        self.assert_unchanged()


class CommandLineFilesTest(unittest.TestCase):
    """Paths stay available on the command line, with the same file checks."""

    def run_cli(self, *args):
        return subprocess.run([binary()] + list(args), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=30, cwd=source_dir())

    def test_validate_refuses_fifo_and_does_not_echo_non_json(self):
        with tempfile.TemporaryDirectory() as tmp:
            fifo = os.path.join(tmp, "pipe.json")
            os.mkfifo(fifo)
            child = os.path.join(tmp, "child.json")
            with open(child, "w") as f:
                f.write('{"extends": "./pipe.json"}')
            p = self.run_cli("validate", child)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(b"not a regular file", p.stderr)
            p = self.run_cli("--port", "0", "--scenario", fifo)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(b"not a regular file", p.stderr)
            secret = os.path.join(tmp, "secret.txt")
            with open(secret, "w") as f:
                f.write("root:x:0:0:TOP-SECRET-BYTES\n")
            p = self.run_cli("validate", secret)
            self.assertEqual(p.returncode, 2)
            self.assertEqual(p.stderr.decode(), "%s:1:1: not a JSON scenario file (a scenario is "
                                                "a JSON object, opening with '{')\n" % secret)


if __name__ == "__main__":
    unittest.main()
