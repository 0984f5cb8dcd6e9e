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

    def validate(self, *texts):
        """Runs validate on files holding texts; (rc, out, [(file index, line,
        col, message)] in the order printed)."""
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for i, text in enumerate(texts):
                paths.append(os.path.join(d, "s%d.json" % i))
                with open(paths[-1], "w") as f:
                    f.write(text)
            rc, out, err = run("validate", *paths)
        errors = []
        for line in err.splitlines():
            m = re.match(r"^(.*):(\d+):(\d+): (.+)$", line)
            self.assertIsNotNone(m, err)
            errors.append((paths.index(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)))
        return rc, out.replace(d + "/", ""), errors

    def test_validate_reports_every_error_of_a_file(self):
        rc, _, errors = self.validate(
            '{\n'
            '  "name": "many",\n'
            '  "extends": "default",\n'
            '  "gatway": "hosted",\n'
            '  "postgrest_version": 15,\n'
            '  "tables": {\n'
            '    "items": {\n'
            '      "columns": [\n'
            '        {"name": "id", "type": "integer", "nullable": "no"},\n'
            '        {"name": "qty", "type": "integr"}\n'
            '      ],\n'
            '      "rls": "yes"\n'
            '    },\n'
            '    "other": {"colums": []}\n'
            '  },\n'
            '  "auth": {"confirm_email": "yes"}\n'
            '}\n')
        self.assertEqual(rc, 2)
        self.assertEqual([e[1:3] for e in errors],
                         [(4, 3), (5, 24), (9, 55), (10, 33), (12, 14), (14, 15), (16, 29)])
        self.assertEqual(errors[0][3], 'unknown key "gatway" in the scenario '
                                       '(did you mean "gateway"?)')
        self.assertEqual(errors[2][3], '"nullable" in column "id" of table "items" must be true '
                                       'or false, not a string')
        self.assertTrue(errors[3][3].startswith('unknown type "integr" for column "qty"'))
        self.assertEqual(errors[5][3], 'unknown key "colums" in table "other" '
                                       '(did you mean "columns"?)')

    def test_validate_reports_every_file(self):
        good = '{"name": "good", "extends": "default"}'
        rc, out, errors = self.validate('{"name": "a", "gateway": "kong"}', good,
                                        '{"name": "b",\n "clock": 5}')
        self.assertEqual(rc, 2)
        self.assertEqual(out, "s1.json: ok\n")
        self.assertEqual([e[:3] for e in errors], [(0, 1, 26), (2, 2, 11)])
        rc, out, errors = self.validate(good, good)
        self.assertEqual((rc, out, errors), (0, "s0.json: ok\ns1.json: ok\n", []))

    def test_validate_points_at_a_trailing_comma(self):
        # cJSON stops at the bracket; the mistake is the comma before it,
        # comments and blank lines between them notwithstanding.
        rc, _, errors = self.validate(
            '{\n'
            '  "name": "t",\n'
            '  "tables": {"items": {"columns": [\n'
            '    {"name": "id", "type": "integer"},  // the only column\n'
            '    /* more later */\n'
            '  ]}}\n'
            '}\n')
        self.assertEqual(rc, 2)
        self.assertEqual(errors, [(0, 4, 38, "invalid JSON: trailing comma before ']' (remove "
                                             "the comma after the last item)")])
        rc, _, errors = self.validate('{"name": "t", "description": "x",\n}')
        self.assertEqual(errors, [(0, 1, 33, "invalid JSON: trailing comma before '}' (remove "
                                             "the comma after the last member)")])

    def test_validate_points_at_a_nested_field(self):
        # The value of the field with the wrong type, not the object holding it.
        rc, _, errors = self.validate(
            '{"name": "n", "extends": "default",\n'
            ' "postgrest": {"db_max_rows": "1000"},\n'
            ' "roles": {"service_role": {"bypass_rls": "yes"}},\n'
            ' "auth": {"users": [{"id": "13ab4cf1-8587-4685-874b-c2d37beeab38",\n'
            '                     "email": 5}]}}\n')
        self.assertEqual(rc, 2)
        self.assertEqual([e[1:] for e in errors], [
            (2, 31, '"db_max_rows" in "postgrest" must be a whole number, not a string'),
            (3, 43, '"bypass_rls" in role "service_role" must be true or false, not a string'),
            (5, 31, '"email" in user "13ab4cf1-8587-4685-874b-c2d37beeab38" must be a string, '
                    'not a number'),
        ])

    def test_validate_reports_every_field_of_a_column_and_of_rules(self):
        # Each wrong field of one column, and each wrong key of every rule,
        # at the value itself; the rules are checked even though the tables
        # failed (they are compiled later, when the instance is built).
        rc, _, errors = self.validate(
            '{"name": "n", "extends": "default",\n'
            ' "tables": {"t": {"columns": [\n'
            '   {"name": "a", "type": "nosuchtype", "nullable": "yes", "unique": 1}]}},\n'
            ' "rules": [\n'
            '   {"match": {"path": 7}, "respond": {"status": 999}, "times": 0},\n'
            '   {"match": {"method": "GET"}, "respond": {"fault": "meltdown"}}]}\n')
        self.assertEqual(rc, 2)
        self.assertEqual([e[1:3] for e in errors],
                         [(3, 26), (3, 52), (3, 69), (5, 23), (5, 49), (5, 64), (6, 54)])
        self.assertEqual(errors[2][3], '"unique" in column "a" of table "t" must be true or '
                                       'false, not a number')
        self.assertEqual(errors[3][3], 'rule "rules[0]": match.path must be a string')
        self.assertEqual(errors[4][3], 'rule "rules[0]": respond.status must be an integer from '
                                       '100 to 599')
        self.assertEqual(errors[5][3], 'rule "rules[0]": times must be a positive integer or null')
        self.assertTrue(errors[6][3].startswith('rule "rules[1]": unknown fault "meltdown"'))
        # A file whose only errors are in its rules: every rule is reported.
        rc, _, errors = self.validate(
            '{"name": "r", "extends": "default", "rules": [\n'
            '  {"respond": {"status": 1}},\n'
            '  {"match": {"key": "root"}, "respond": {"status": 200}}]}\n')
        self.assertEqual(rc, 2)
        self.assertEqual([e[1:3] for e in errors], [(2, 26), (3, 21)])

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
