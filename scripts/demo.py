#!/usr/bin/env python3
"""Walks through every shipped scenario (scenarios/*.json): starts supamock on
it, sends the requests that show its failure, and prints each request beside
the response a backend gets, so the error messages can be shown without a
Supabase project. Standard library only; raw sockets, so connection faults
appear as a client meets them (a reset, a truncated body, garbage).

    scripts/demo                      # every scenario (builds the release binary first)
    scripts/demo no-update-policy     # one or more by name
    python3 scripts/demo.py --bin build/release/supamock [NAME...]

Every server it starts listens on 127.0.0.1 on a port the kernel chooses and
is stopped (SIGTERM, then SIGKILL after 5 s) before the next one starts.
"""

import argparse
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO_USER = "13ab4cf1-8587-4685-874b-c2d37beeab38"
PROFILE = "profiles?select=free_image_quota&user_id=eq." + DEMO_USER
QUOTA = '{"free_image_quota":4}'

# What to send on each scenario: (label, method, path, key, body). key is
# "service", "anon", "user" (a password sign-in of the demo user, anon key),
# "expired" (a user token that expired an hour before the scenario's clock),
# "revoked" (a user token signed by the scenario's revoked signing key),
# "none" (no apikey) or "bogus" (an apikey that is no key of the project).
PLAYS = {
    "default": [
        ("service_role reads the demo profile", "GET", "/rest/v1/" + PROFILE, "service", None),
        ("anon reads it: RLS hides it", "GET", "/rest/v1/" + PROFILE, "anon", None),
        ("the demo user reads its own row", "GET", "/rest/v1/" + PROFILE, "user", None),
    ],
    "stale-schema-cache": [
        ("reads still work", "GET", "/rest/v1/" + PROFILE, "service", None),
        ("a write meets the stale cache", "PATCH", "/rest/v1/" + PROFILE, "service", QUOTA),
    ],
    "table-not-in-cache": [
        ("a table created after the cache loaded", "GET", "/rest/v1/image_generations",
         "service", None),
    ],
    "column-not-in-cache": [
        ("a column the cache does not know", "PATCH", "/rest/v1/" + PROFILE, "service", QUOTA),
        ("reading it", "GET", "/rest/v1/" + PROFILE, "service", None),
    ],
    "no-update-policy": [
        ("the user updates its own row: 0 rows, no error", "PATCH", "/rest/v1/" + PROFILE,
         "user", QUOTA),
        ("the row is unchanged", "GET", "/rest/v1/" + PROFILE, "service", None),
    ],
    "anon-key-as-service-key": [
        ("read with the anon key", "GET", "/rest/v1/" + PROFILE, "anon", None),
        ("update with the anon key", "PATCH", "/rest/v1/" + PROFILE, "anon", QUOTA),
        ("insert with the anon key", "POST", "/rest/v1/profiles", "anon",
         '{"user_id":"' + DEMO_USER + '"}'),
    ],
    "missing-grants": [
        ("service_role without grants", "GET", "/rest/v1/profiles", "service", None),
        ("anon without grants", "GET", "/rest/v1/profiles", "anon", None),
    ],
    "missing-apikey": [
        ("no apikey at all", "GET", "/rest/v1/profiles", "none", None),
    ],
    "invalid-apikey": [
        ("an apikey of another project", "GET", "/rest/v1/profiles", "service", None),
    ],
    "expired-user-jwt": [
        ("a user token past its exp", "GET", "/rest/v1/profiles", "expired", None),
        ("the same token at /auth/v1/user", "GET", "/auth/v1/user", "expired", None),
    ],
    "schema-cache-loading": [
        ("1st read while the cache loads", "GET", "/rest/v1/profiles", "service", None),
        ("2nd read", "GET", "/rest/v1/profiles", "service", None),
        ("3rd read: loaded", "GET", "/rest/v1/profiles", "service", None),
    ],
    "gateway-5xx": [
        ("1st read", "GET", "/rest/v1/profiles", "service", None),
        ("1st write", "PATCH", "/rest/v1/profiles?user_id=eq." + DEMO_USER, "service", QUOTA),
    ],
    "es256-signing-keys": [
        ("the public keys a client verifies with", "GET", "/auth/v1/.well-known/jwks.json",
         "anon", None),
        ("the demo user (an ES256 token) reads its own row", "GET", "/rest/v1/" + PROFILE,
         "user", None),
    ],
    "revoked-signing-key": [
        ("the JWKS: current and previous keys only", "GET", "/auth/v1/.well-known/jwks.json",
         "anon", None),
        ("a token signed by the revoked key", "GET", "/rest/v1/" + PROFILE, "revoked", None),
        ("the same token at /auth/v1/user", "GET", "/auth/v1/user", "revoked", None),
        ("a fresh sign-in is signed by the current key", "GET", "/rest/v1/" + PROFILE, "user",
         None),
    ],
    "connection-faults": [
        ("1st read", "GET", "/rest/v1/profiles", "service", None),
        ("2nd read", "GET", "/rest/v1/profiles", "service", None),
        ("1st write", "PATCH", "/rest/v1/profiles?user_id=eq." + DEMO_USER, "service", QUOTA),
        ("2nd write", "PATCH", "/rest/v1/profiles?user_id=eq." + DEMO_USER, "service", QUOTA),
        ("then normal service", "GET", "/rest/v1/" + PROFILE, "service", None),
    ],
}


class Server:
    """supamock on one scenario; stopped by stop()."""

    def __init__(self, binary, scenario):
        self.dir = tempfile.mkdtemp(prefix="supamock-demo.")
        ready = os.path.join(self.dir, "ready")
        self.proc = subprocess.Popen(
            [binary, "--scenario", scenario, "--port", "0", "--ready-file", ready,
             "--log-level", "error"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            cwd=ROOT)  # names resolve under ./scenarios
        deadline = time.monotonic() + 10
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() else ""
                self.stop()
                raise RuntimeError("supamock did not start on %s: %s" % (scenario, err))
            time.sleep(0.02)
        with open(ready) as f:
            url = f.read().strip()
        self.port = int(url.rsplit(":", 1)[1])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def exchange(port, raw, timeout=3.0):
    """Sends one request on a fresh connection; returns (bytes, how it ended)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(raw)
        data = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r, _, _ = select.select([s], [], [], deadline - time.monotonic())
            if not r:
                return data, "no answer (timed out)"
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return data, "connection reset by the server (RST)"
            if not chunk:
                head_end = data.find(b"\r\n\r\n")
                m = re.search(rb"\r\ncontent-length: *(\d+)", data[:head_end].lower())
                if head_end >= 0 and (not m or len(data) - head_end - 4 >= int(m.group(1))):
                    return data, "complete"  # Connection: close ends a whole answer
                return data, "connection closed by the server"
            data += chunk
            head_end = data.find(b"\r\n\r\n")
            if head_end >= 0:
                m = re.search(rb"\r\ncontent-length: *(\d+)", data[:head_end].lower())
                if m and len(data) - head_end - 4 >= int(m.group(1)):
                    return data, "complete"
        return data, "no answer (timed out)"
    finally:
        s.close()


def request_bytes(method, path, headers, body):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: localhost", "Connection: close"]
    lines += ["%s: %s" % kv for kv in headers]
    data = (body or "").encode()
    if body is not None:
        lines += ["Content-Type: application/json", "Content-Length: %d" % len(data)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def keys(binary, scenario):
    out = subprocess.run([binary, "keys", "--scenario", scenario, "--format", "json"],
                         check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out)


def user_token(port, anon):
    body = json.dumps({"email": "demo@example.com", "password": "demo-password"})
    data, _ = exchange(port, request_bytes("POST", "/auth/v1/token?grant_type=password",
                                           [("apikey", anon)], body))
    return json.loads(data.split(b"\r\n\r\n", 1)[1])["access_token"]


def expired_token(binary, scenario):
    return subprocess.run(
        [binary, "token", "--scenario", scenario, "--role", "authenticated", "--sub", DEMO_USER,
         "--exp", "-3600"], check=True, capture_output=True, text=True, cwd=ROOT).stdout.strip()


def revoked_token(binary, scenario):
    """A user token signed by the first revoked signing key of the scenario."""
    with open(os.path.join(ROOT, "scenarios", scenario + ".json")) as f:
        text = "\n".join(l for l in f.read().splitlines() if not l.lstrip().startswith("//"))
    kid = next(key["kid"] for key in json.loads(text)["auth"]["signing_keys"]
               if key["status"] == "revoked")
    return subprocess.run(
        [binary, "token", "--scenario", scenario, "--role", "authenticated", "--sub", DEMO_USER,
         "--kid", kid], check=True, capture_output=True, text=True, cwd=ROOT).stdout.strip()


def headers_for(kind, k, tokens):
    if kind == "service":
        return [("apikey", k["SUPABASE_SERVICE_ROLE_KEY"]),
                ("Authorization", "Bearer " + k["SUPABASE_SERVICE_ROLE_KEY"])]
    if kind == "anon":
        return [("apikey", k["SUPABASE_ANON_KEY"])]
    if kind in ("user", "expired", "revoked"):
        return [("apikey", k["SUPABASE_ANON_KEY"]), ("Authorization", "Bearer " + tokens[kind])]
    if kind == "bogus":
        return [("apikey", "sb_secret_not-a-key-of-this-project")]
    return []


def abbreviate(line):
    """Keys and tokens are long and say nothing on screen: their first 16 characters."""
    m = re.match(r"(?i)^(apikey|authorization): (bearer )?(\S+)$", line)
    if m and len(m.group(3)) > 20:
        return "%s: %s%s..." % (m.group(1), m.group(2) or "", m.group(3)[:16])
    return line


def wrapped(lines, col):
    out = []
    for line in lines:
        out += textwrap.wrap(line, col, break_long_words=True, break_on_hyphens=False) or [""]
    return out


def show(label, req, resp, how, width):
    """The request on the left, the response on the right."""
    col = max(30, (width - 3) // 2)
    left = [abbreviate(l) for l in req.decode(errors="replace").replace("\r", "").split("\n")]
    right = resp.decode("utf-8", errors="backslashreplace").replace("\r", "").split("\n")
    if how != "complete":
        right.append("[%s]" % how)
    left, right = wrapped(left, col), wrapped(right, col)
    print("-- " + label)
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else ""
        b = right[i] if i < len(right) else ""
        print(("%-*s | %s" % (col, a, b)).rstrip())
    print()


def play(binary, name, width):
    with open(os.path.join(ROOT, "scenarios", name + ".json")) as f:
        text = "\n".join(l for l in f.read().splitlines() if not l.lstrip().startswith("//"))
    description = json.loads(text).get("description", "")
    print("=" * width)
    print(name)
    for line in textwrap.wrap(description, width):
        print(line)
    print("=" * width)
    k = keys(binary, name)
    srv = Server(binary, name)
    try:
        tokens = {}
        kinds = {p[3] for p in PLAYS[name]}
        if "user" in kinds:
            tokens["user"] = user_token(srv.port, k["SUPABASE_ANON_KEY"])
        if "expired" in kinds:
            tokens["expired"] = expired_token(binary, name)
        if "revoked" in kinds:
            tokens["revoked"] = revoked_token(binary, name)
        for label, method, path, kind, body in PLAYS[name]:
            req = request_bytes(method, path, headers_for(kind, k, tokens), body)
            resp, how = exchange(srv.port, req)
            show(label, req, resp, how, width)
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "release", "supamock"))
    ap.add_argument("--width", type=int, default=shutil.get_terminal_size((160, 40)).columns)
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    names = a.names or sorted(PLAYS)
    unknown = [n for n in names if n not in PLAYS]
    if unknown:
        sys.exit("no demo for %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(PLAYS))))
    shipped = {f[:-5] for f in os.listdir(os.path.join(ROOT, "scenarios"))
               if f.endswith(".json") and not f.endswith(".schema.json")}
    missing = sorted(shipped - set(PLAYS))
    if missing:
        sys.exit("scenarios without a demo: %s" % ", ".join(missing))
    for n in names:
        play(a.bin, n, a.width)


if __name__ == "__main__":
    main()
