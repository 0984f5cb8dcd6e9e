"""The command line: --help, --version, usage errors, the ready line
and ready file, --port 0, port in use, signals, the loopback rule and
`supamock validate`."""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import unittest

from harness import Supamock, binary, source_dir


def run(*args, timeout=30, cwd=None):
    """Runs the binary to completion: (exit status, stdout, stderr)."""
    p = subprocess.run([binary()] + list(args), cwd=cwd or source_dir(), capture_output=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class CliTest(unittest.TestCase):
    def test_help(self):
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        self.assertIn("usage: supamock", out)
        for opt in ("--scenario", "--host", "--port", "--jwt-secret", "--clock", "--seed",
                    "--log-level", "--log-format", "--ready-file", "--admin-token",
                    "--journal-limit", "--max-body-bytes", "--max-connections",
                    "--idle-timeout-ms", "validate"):
            self.assertIn(opt, out)

    def test_version(self):
        rc, out, _ = run("--version")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^supamock \d+\.\d+\.\d+\n$")

    def test_usage_errors_exit_2(self):
        cases = [
            ("--no-such-option",),
            ("--port",),
            ("--port", "http"),
            ("--port", "70000"),
            ("--port=-1",),
            ("--log-level", "verbose"),
            ("--log-format", "xml"),
            ("--max-body-bytes", "0"),
            ("--idle-timeout-ms", "1.5"),
            ("stray",),
            ("validate",),
        ]
        for args in cases:
            with self.subTest(args=args):
                rc, out, err = run(*args)
                self.assertEqual(rc, 2, err)
                self.assertNotIn("listening", out)
                self.assertIn("supamock", err)

    def test_non_loopback_host_needs_admin_token(self):
        rc, out, err = run("--host", "0.0.0.0", "--port", "0")
        self.assertEqual(rc, 2)
        self.assertIn("--admin-token", err)
        self.assertEqual(out, "")

    def test_ready_line_port_0_and_equals_form(self):
        with Supamock("--port=0", "--log-level=warn") as m:
            self.assertNotEqual(m.port, 0)
            self.assertEqual(m.url, "http://127.0.0.1:%d" % m.port)
            status, _, _, _ = m.request("GET", "/__mock/health")
            self.assertEqual(status, 200)

    def test_ready_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "ready")
            with Supamock("--ready-file", path) as m:
                with open(path) as f:
                    self.assertEqual(f.read().strip(), m.url)
                # Written atomically: no temporary file is left behind.
                self.assertEqual(os.listdir(d), ["ready"])

    def test_port_in_use_exits_1(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            port = s.getsockname()[1]
            rc, out, err = run("--port", str(port))
        self.assertEqual(rc, 1)
        self.assertNotIn("listening", out)
        self.assertIn("port %d is already in use" % port, err)

    def test_sigterm_exits_0(self):
        m = Supamock().start()
        self.assertEqual(m.stop(signal.SIGTERM), 0)

    def test_sigint_exits_0(self):
        m = Supamock().start()
        self.assertEqual(m.stop(signal.SIGINT), 0)

    def test_sigterm_with_open_connections_exits_0(self):
        m = Supamock().start()
        socks = [m.connect() for _ in range(3)]
        socks[0].sendall(b"GET /__mock/hea")  # a request half sent
        try:
            self.assertEqual(m.stop(signal.SIGTERM), 0)
        finally:
            for s in socks:
                s.close()

    def test_log_format_json(self):
        m = Supamock("--log-format", "json").start()
        m.request("GET", "/__mock/health")
        key = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNl"
               "cnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
        m.request("GET", "/rest/v1/nope", headers={"apikey": key})
        m.request("GET", "/rest/v1/profiles?select=id", headers={"apikey": key})
        m.stop()
        lines = [l for l in m.stderr().splitlines() if l.strip()]
        self.assertTrue(lines)
        for line in lines:
            self.assertTrue(line.startswith("{") and line.endswith("}"), line)
        # One access line per request, with the error code it answered with
        # (the same code as the body's and Proxy-Status's; null on success).
        access = [json.loads(l) for l in lines if '"target"' in l]
        got = [(a["method"], a["target"], a["status"], a["code"]) for a in access]
        self.assertEqual(got, [("GET", "/__mock/health", 200, None),
                               ("GET", "/rest/v1/nope", 404, "PGRST205"),
                               ("GET", "/rest/v1/profiles?select=id", 200, None)])

    def test_validate_good_file(self):
        path = os.path.join(source_dir(), "scenarios", "default.json")
        rc, out, err = run("validate", path)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "%s: ok\n" % path)

    def test_validate_the_whole_scenarios_directory(self):
        # `supamock validate scenarios/*.json` passes,
        # and that glob includes the editors' JSON Schema, which is skipped.
        import glob
        files = sorted(glob.glob(os.path.join(source_dir(), "scenarios", "*.json")))
        schema = os.path.join(source_dir(), "scenarios", "scenario.schema.json")
        self.assertIn(schema, files)
        rc, out, err = run("validate", *files)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("%s: skipped (a JSON Schema, not a scenario)\n" % schema, out)
        for f in files:
            if f != schema:
                self.assertIn("%s: ok\n" % f, out)

    def test_validate_bad_file(self):
        with tempfile.TemporaryDirectory() as d:
            good = os.path.join(source_dir(), "scenarios", "default.json")
            bad = os.path.join(d, "bad.json")
            with open(bad, "w") as f:
                # An unknown key is a load error at its position:
                # line 3, column 3 is where "nmae" starts.
                f.write('{\n  "name": "x",\n  "nmae": "typo"\n}\n')
            rc, out, err = run("validate", good, bad)
        self.assertEqual(rc, 2)
        self.assertIn("%s: ok" % good, out)
        m = re.search(r"^(.*):(\d+):(\d+): (.+)$", err, re.M)
        self.assertIsNotNone(m, err)
        self.assertEqual(m.group(1), bad)
        self.assertEqual(m.group(2), "3")
        self.assertEqual(m.group(3), "3")

    def test_bad_scenario_at_startup_exits_2(self):
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.json")
            with open(bad, "w") as f:
                f.write('{"name": "x", "nmae": 1}')
            rc, out, err = run("--scenario", bad, "--port", "0")
        self.assertEqual(rc, 2)
        self.assertNotIn("listening", out)
        self.assertRegex(err, r"bad\.json:1:\d+: ")


if __name__ == "__main__":
    unittest.main()
