"""`supamock run -- CMD` and `supamock keys --format`: the one-line CI harness.

The command is a real child process (sh or python3) that reads the variables
it was given and talks to the server over TCP; the tests check what a CI job
would rely on: the names and values, the exit status, the failed-requests
summary on stderr and signal forwarding."""

import json
import os
import select
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

from harness import binary, sanitizer_report, source_dir

SUPABASE_NAMES = ["SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY",
                  "SUPABASE_PUBLISHABLE_KEY", "SUPABASE_SECRET_KEY", "SUPABASE_JWT_SECRET"]
# What `supabase status -o env` prints for the same values (Supabase CLI,
# internal/status/status.go: CustomName).
CLI_NAMES = ["API_URL", "REST_URL", "ANON_KEY", "SERVICE_ROLE_KEY", "PUBLISHABLE_KEY",
             "SECRET_KEY", "JWT_SECRET"]
ALL_NAMES = SUPABASE_NAMES + CLI_NAMES

SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
ANON = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24i"
        "LCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
PUBLISHABLE = "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH"
SECRET_KEY = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"

# A child that prints the variables it got as one JSON object.
PRINT_ENV = ("import json, os; print(json.dumps({k: os.environ.get(k) for k in %r}))"
             % ALL_NAMES)

# A child that sends requests (method, path, apikey) and exits with argv[1].
REQUESTS = r"""
import json, os, sys, urllib.request, urllib.error
for method, path, key in json.loads(sys.argv[2]):
    req = urllib.request.Request(os.environ["SUPABASE_URL"] + path, method=method,
                                 headers={"apikey": os.environ[key]} if key else {})
    try:
        urllib.request.urlopen(req, timeout=10).read()
    except urllib.error.HTTPError as e:
        e.read()
sys.exit(int(sys.argv[1]))
"""


def supamock(*args, cwd=None, env=None, timeout=60):
    p = subprocess.run([binary()] + list(args), cwd=cwd or source_dir(), capture_output=True,
                       text=True, timeout=timeout, env=env)
    report = sanitizer_report(p.stderr)
    if report:
        raise AssertionError("sanitizer report: %s\n%s" % (report, p.stderr))
    return p.returncode, p.stdout, p.stderr


def run_requests(exit_code, requests, *flags):
    return supamock("run", *flags, "--", sys.executable, "-c", REQUESTS, str(exit_code),
                    json.dumps(requests))


class RunTest(unittest.TestCase):
    def test_env_names_and_values(self):
        rc, out, err = supamock("run", "--", sys.executable, "-c", PRINT_ENV)
        self.assertEqual(rc, 0, err)
        got = json.loads(out)
        url = got["SUPABASE_URL"]
        self.assertRegex(url, r"^http://127\.0\.0\.1:\d+$")
        self.assertNotEqual(url, "http://127.0.0.1:0")
        self.assertEqual(got, {
            "SUPABASE_URL": url, "API_URL": url, "REST_URL": url + "/rest/v1",
            "SUPABASE_ANON_KEY": ANON, "ANON_KEY": ANON,
            "SUPABASE_SERVICE_ROLE_KEY": SERVICE, "SERVICE_ROLE_KEY": SERVICE,
            "SUPABASE_PUBLISHABLE_KEY": PUBLISHABLE, "PUBLISHABLE_KEY": PUBLISHABLE,
            "SUPABASE_SECRET_KEY": SECRET_KEY, "SECRET_KEY": SECRET_KEY,
            "SUPABASE_JWT_SECRET": SECRET, "JWT_SECRET": SECRET,
        })

    def test_overrides_the_callers_values_and_keeps_the_rest(self):
        env = dict(os.environ, SUPABASE_URL="http://production.example", ANON_KEY="stale",
                   KEEP_ME="yes")
        rc, out, err = supamock("run", "--jwt-secret", "x" * 40, "--", sys.executable, "-c",
                                "import os; print(os.environ['SUPABASE_URL'], "
                                "os.environ['ANON_KEY'], os.environ['KEEP_ME'], "
                                "os.environ['JWT_SECRET'])", env=env)
        self.assertEqual(rc, 0, err)
        url, anon, keep, secret = out.split()
        self.assertRegex(url, r"^http://127\.0\.0\.1:\d+$")
        self.assertEqual((anon, keep, secret), (ANON, "yes", "x" * 40))

    def test_the_child_reaches_the_server_and_stdout_is_the_childs(self):
        script = ("curl -sS -o /dev/null -w '%{http_code}\\n' -H \"apikey: $SUPABASE_ANON_KEY\" "
                  "\"$SUPABASE_URL/rest/v1/profiles?select=user_id\"; "
                  "curl -sS \"$SUPABASE_URL/__mock/requests/count?path=/rest/v1/profiles\"")
        rc, out, err = supamock("run", "--", "sh", "-c", script)
        self.assertEqual(rc, 0, err)
        # Only what the command printed: no ready line, no access log.
        self.assertEqual(out, '200\n{"count":1}')
        self.assertEqual(err, "")

    def test_exit_status_is_the_commands(self):
        self.assertEqual(supamock("run", "--", "sh", "-c", "exit 0")[0], 0)
        rc, _, err = supamock("run", "--", "sh", "-c", "exit 42")
        self.assertEqual(rc, 42)
        self.assertIn("exited with status 42 and sent supamock no request", err)
        # Killed by a signal: 128 + its number, as shells report it.
        rc, _, _ = supamock("run", "--", "sh", "-c", "kill -KILL $$")
        self.assertEqual(rc, 128 + signal.SIGKILL)

    def test_command_not_found(self):
        rc, _, err = supamock("run", "--", "supamock-no-such-command")
        self.assertEqual(rc, 127)
        self.assertIn("cannot run 'supamock-no-such-command'", err)

    def test_failed_requests_summary(self):
        rc, out, err = run_requests(1, [
            ["GET", "/rest/v1/profiles?select=user_id", "SUPABASE_ANON_KEY"],
            ["GET", "/rest/v1/profile", "SUPABASE_SERVICE_ROLE_KEY"],
            ["GET", "/rest/v1/profiles", None],
        ])
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, "")
        self.assertEqual(err.splitlines(), [
            "supamock: the command exited with status 1; 2 of the 3 requests supamock "
            "answered failed:",
            "  GET /rest/v1/profile -> 404 PGRST205",
            "  GET /rest/v1/profiles -> 401",
        ])

    def test_summary_names_the_rule_and_stops_at_twenty(self):
        reqs = [["GET", "/rest/v1/profiles", "SUPABASE_SERVICE_ROLE_KEY"]] * 2
        reqs += [["GET", "/rest/v1/nope%d" % i, "SUPABASE_SERVICE_ROLE_KEY"] for i in range(23)]
        rc, _, err = run_requests(3, reqs, "--scenario", "schema-cache-loading")
        self.assertEqual(rc, 3)
        lines = err.splitlines()
        self.assertEqual(lines[0], "supamock: the command exited with status 3; 25 of the 25 "
                                   "requests supamock answered failed:")
        self.assertEqual(lines[1], "  GET /rest/v1/profiles -> 503 PGRST002 "
                                   "(rule schema cache still loading)")
        self.assertEqual(lines[3], "  GET /rest/v1/nope0 -> 404 PGRST205")
        self.assertEqual(len(lines), 1 + 20 + 1)
        self.assertEqual(lines[-1], "  ... and 5 more")

    def test_no_summary_when_the_command_succeeds(self):
        rc, _, err = run_requests(0, [["GET", "/rest/v1/profile", "SUPABASE_ANON_KEY"]])
        self.assertEqual(rc, 0)
        self.assertEqual(err, "")

    def test_flags_before_the_command(self):
        with tempfile.TemporaryDirectory() as tmp:
            ready = os.path.join(tmp, "ready")
            rc, out, err = supamock(
                "run", "--scenario", "missing-grants", "--ready-file", ready, "--", "sh", "-c",
                "cat \"$1\"; curl -sS -H \"apikey: $SUPABASE_SERVICE_ROLE_KEY\" "
                "\"$REST_URL/profiles\"", "sh", ready)
            self.assertEqual(rc, 0, err)
            url, body = out.split("\n", 1)
            self.assertRegex(url, r"^http://127\.0\.0\.1:\d+$")
            self.assertEqual(json.loads(body)["message"], "permission denied for table profiles")

    def test_usage_errors(self):
        for args in (["run"], ["run", "--", ], ["run", "sh"], ["run", "--bogus", "--", "true"],
                     ["run", "--port", "x", "--", "true"]):
            rc, out, err = supamock(*args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(out, "")
        rc, _, err = supamock("run", "--scenario", "no-such-scenario", "--", "true")
        self.assertEqual(rc, 2)
        self.assertIn("no-such-scenario", err)

    def test_signals_are_forwarded_to_the_command(self):
        child = ("import signal, sys, time\n"
                 "def on_term(n, f):\n"
                 "    print('child got', signal.Signals(n).name, flush=True)\n"
                 "    sys.exit(5)\n"
                 "signal.signal(signal.SIGTERM, on_term)\n"
                 "signal.signal(signal.SIGINT, on_term)\n"
                 "print('waiting', flush=True)\n"
                 "while True: time.sleep(0.05)\n")
        for signum in (signal.SIGTERM, signal.SIGINT):
            # Its own process group, so only supamock gets the signal from us.
            p = subprocess.Popen([binary(), "run", "--", sys.executable, "-c", child],
                                 cwd=source_dir(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 start_new_session=True)
            try:
                ready, _, _ = select.select([p.stdout], [], [], 30)
                self.assertTrue(ready, "the child did not start")
                self.assertEqual(p.stdout.readline(), b"waiting\n")
                p.send_signal(signum)
                out, err = p.communicate(timeout=30)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.communicate()
            self.assertEqual(out.decode(), "child got %s\n" % signum.name)
            self.assertEqual(p.returncode, 5, err)
            self.assertIsNone(sanitizer_report(err.decode()))

    def test_the_server_is_gone_when_supamock_returns(self):
        rc, out, err = supamock("run", "--", "sh", "-c", "echo \"$SUPABASE_URL\"")
        self.assertEqual(rc, 0, err)
        port = int(out.strip().rsplit(":", 1)[1])
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=5).close()


class ReadmeExampleTest(unittest.TestCase):
    def test_the_readme_run_session(self):
        """README "In CI": the console session runs as shown (stdout, then stderr)."""
        with open(os.path.join(source_dir(), "README.md")) as f:
            readme = f.read()
        start = readme.index("$ supamock run -- sh -c ")
        end = readme.index("$ echo $?\n", start)
        lines = readme[start:end].splitlines()
        command = shlex.split(lines[0][len("$ supamock "):])
        expect_rc = int(readme[end:].splitlines()[1])
        rc, out, err = supamock(*command)
        self.assertEqual(rc, expect_rc, err)
        self.assertEqual((out + err).splitlines(), lines[1:])


class KeysFormatTest(unittest.TestCase):
    def values(self, port="54321"):
        url = "http://127.0.0.1:" + port
        return {
            "SUPABASE_URL": url, "SUPABASE_ANON_KEY": ANON, "SUPABASE_SERVICE_ROLE_KEY": SERVICE,
            "SUPABASE_PUBLISHABLE_KEY": PUBLISHABLE, "SUPABASE_SECRET_KEY": SECRET_KEY,
            "SUPABASE_JWT_SECRET": SECRET, "API_URL": url, "REST_URL": url + "/rest/v1",
            "ANON_KEY": ANON, "SERVICE_ROLE_KEY": SERVICE, "PUBLISHABLE_KEY": PUBLISHABLE,
            "SECRET_KEY": SECRET_KEY, "JWT_SECRET": SECRET,
        }

    def test_env(self):
        rc, out, err = supamock("keys", "--format", "env", "--port", "6000")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual([ln.split("=", 1)[0] for ln in lines], ALL_NAMES)
        self.assertEqual(dict(ln.split("=", 1) for ln in lines), self.values("6000"))

    def test_env_is_shell_quoted_where_needed(self):
        secret = "it's a $secret with spaces and\na newline, 32+ characters"
        rc, out, err = supamock("keys", "--format=env", "--jwt-secret", secret)
        self.assertEqual(rc, 0, err)
        # What a shell reads back from `eval "$(supamock keys --format env)"`.
        p = subprocess.run(["sh", "-c", 'eval "$1"; printf %s "$JWT_SECRET"', "sh", out],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(p.stdout, secret)
        self.assertIn("SUPABASE_URL=http://127.0.0.1:54321\n", out)

    def test_json(self):
        rc, out, err = supamock("keys", "--format", "json", "--scenario", "missing-grants")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out.splitlines()), 1)
        obj = json.loads(out)
        self.assertEqual(list(obj), ALL_NAMES)
        self.assertEqual(obj, self.values())

    def test_github(self):
        rc, out, err = supamock("keys", "--format", "github")
        self.assertEqual(rc, 0, err)
        self.assertEqual(dict(ln.split("=", 1) for ln in out.splitlines()), self.values())
        # A value with a line break uses NAME<<DELIMITER, and the delimiter
        # avoids the value's own text.
        secret = "line one SUPAMOCK_EOF_0\nline two, long enough for a secret"
        rc, out, err = supamock("keys", "--format", "github", "--jwt-secret", secret)
        self.assertEqual(rc, 0, err)
        self.assertIn("SUPABASE_JWT_SECRET<<SUPAMOCK_EOF_1\n" + secret + "\nSUPAMOCK_EOF_1\n",
                      out)
        self.assertEqual(parse_github_env(out)["JWT_SECRET"], secret)

    def test_plain_keys_unchanged(self):
        rc, out, _ = supamock("keys")
        self.assertEqual(rc, 0)
        self.assertEqual([ln.split("=", 1)[0] for ln in out.splitlines()], SUPABASE_NAMES)

    def test_bad_format(self):
        rc, out, err = supamock("keys", "--format", "yaml")
        self.assertEqual(rc, 2)
        self.assertIn("--format must be env, json or github", err)


def parse_github_env(text):
    """$GITHUB_ENV as the runner reads it: NAME=value, or NAME<<DELIM ... DELIM."""
    out = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            value = []
            while lines[i] != delim:
                value.append(lines[i])
                i += 1
            i += 1
            out[name] = "\n".join(value)
        else:
            name, value = line.split("=", 1)
            out[name] = value
    return out


if __name__ == "__main__":
    unittest.main()
