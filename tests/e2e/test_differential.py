"""The differential suite: the memory engine against the database engine.

One project (tests/differential: sql/*.sql, every column type the memory
engine models, foreign keys of every shape, RLS with auth.uid()/auth.jwt()
and EXISTS, CHECKs, defaults, grants that differ for anon and
authenticated, seed rows with edge values) is served twice from the same
files: by the memory engine (--scenario) and by the database engine
(--scenario --db postgres: a real PostgreSQL 15 runs the SQL and the
PostgREST queries). Both get the same requests and must answer with the same
status, the same headers that matter and the same body bytes. The database
engine is the truth: a difference prints a reproduction (curl against
either) and fails, unless tests/differential/known.json lists it with its
reason, in which case the test fails if the two now agree.

The requests: tests/differential/requests.json (the shapes the /rest/v1 e2e
suites send, test_rest, test_embed, test_types, test_fts_ranges,
test_composite_keys, test_rls, test_aggregates, rewritten over this schema)
and tests/differential/generate.py (seeded PRNG: filters with every
operator and logic nesting, orders with nulls, selects with renames, casts,
JSON paths, embeds, spreads and !inner, limit/offset/Range, counts,
Prefer, writes with valid and invalid bodies, as anon, two users and
service_role). After a write that succeeded, the tables it can change are
read back from both and compared (the state afterwards); both servers are
reset (/__mock/reset) every few such writes and after any write they
answered differently, so a reproduction is the case after at most a few
writes, which the failure lists.

Bounded run (ctest): seed 1, SUPAMOCK_DIFF_COUNT (default 300) generated
requests. Long run: SUPAMOCK_DIFF_SEED=N SUPAMOCK_DIFF_COUNT=M (results in
tests/README.md). SUPAMOCK_DIFF_REPORT=FILE writes every difference (known
or not) as JSON lines for triage.
"""

import http.client
import json
import os
import re
import shlex
import sys
import time
import unittest

from harness import Supamock, header, source_dir
from test_scenarios import ANON, SERVICE, mint

DIFF_DIR = os.path.join(source_dir(), "tests", "differential")
sys.path.insert(0, DIFF_DIR)
import generate  # noqa: E402  (tests/differential/generate.py)

PG_BIN = "/usr/lib/postgresql/15/bin/postgres"
SCENARIO = os.path.join(DIFF_DIR, "scenario.json")
JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
T0 = 1767225600  # the scenario's clock, 2026-01-01T00:00:00Z
# The response headers a client reads (PostgREST's Response.hs and
# Plan/Negotiate: Content-Type, Content-Range on reads and counted writes,
# Location on inserts with return=headers-only, Preference-Applied).
COMPARED = ("content-type", "content-range", "location", "preference-applied", "content-profile")
WRITES = ("POST", "PATCH", "PUT", "DELETE")
# table -> (its key order, the tables a write to it can change: cascades).
STATE = {
    "kinds": ("id", ["kinds"]),
    "tags": ("id", ["tags", "project_tags"]),
    "projects": ("id", ["projects", "project_tags"]),
    "teams": ("id", ["teams", "members"]),
    "members": ("team_id,user_id", ["members"]),
    "notes": ("id", ["notes"]),
    "versions": ("project_id,version", ["versions"]),
    "releases": ("id", ["releases"]),
    "project_tags": ("project_id,tag_id", ["project_tags"]),
}
RESET_EVERY = 8


def user(sub, email):
    """A user access token shaped like GoTrue's, valid at the scenario's clock."""
    return mint({"aud": "authenticated", "exp": T0 + 10 ** 8, "iat": T0, "sub": sub, "email": email,
                 "phone": "", "role": "authenticated", "aal": "aal1", "is_anonymous": False},
                JWT_SECRET)


KEYS = {
    "anon": (ANON, ANON),
    "service": (SERVICE, SERVICE),
    "user1": (ANON, user(generate.U1, "demo@example.com")),
    "user2": (ANON, user(generate.U2, "other@example.com")),
}


def case_key(case):
    """The case's identity in known.json: role, method, path, headers, body."""
    h = ",".join("%s:%s" % kv for kv in sorted((case.get("headers") or {}).items()))
    body = "" if "body" not in case else " " + (
        case["body"] if isinstance(case["body"], str) else json.dumps(case["body"], ensure_ascii=False))
    return "%s %s /rest/v1/%s%s%s" % (case["as"], case["method"], case["path"],
                                      " [" + h + "]" if h else "", body)


def encode_path(path):
    """The path as bytes on the wire: non-ASCII as UTF-8 percent escapes, tabs
    and spaces escaped (http.client refuses control characters)."""
    out = []
    for ch in path:
        if ord(ch) > 126 or ch in " \t\n\"\\<>`^|":
            out.append("".join("%%%02X" % b for b in ch.encode()))
        else:
            out.append(ch)
    return "".join(out)


class Side:
    """One server and a kept-alive connection to it."""

    def __init__(self, mock):
        self.mock = mock
        self.conn = mock.http(timeout=30)

    def send(self, method, path, body, headers):
        for attempt in (0, 1):
            try:
                return self.mock.request(method, path, body=body, headers=headers, conn=self.conn)
            except (OSError, http.client.HTTPException):
                # A kept-alive connection the server closed (idle timeout):
                # once more on a new one.
                if attempt:
                    raise
                self.conn.close()
                self.conn = self.mock.http(timeout=30)

    def reset(self):
        status, _, _, body = self.send("POST", "/__mock/reset", "{}",
                                       {"Content-Type": "application/json"})
        if status != 200:
            raise AssertionError("reset answered %d %r" % (status, body))


def request_parts(case):
    key, bearer = KEYS[case["as"]]
    headers = {"apikey": key, "Authorization": "Bearer " + bearer}
    headers.update(case.get("headers") or {})
    body = None
    if "body" in case:
        body = case["body"] if isinstance(case["body"], str) else json.dumps(case["body"], ensure_ascii=False)
        body = body.encode()
        headers.setdefault("Content-Type", "application/json")
    return case["method"], "/rest/v1/" + encode_path(case["path"]), body, headers


def answer(side, case):
    method, path, body, headers = request_parts(case)
    status, _, hdrs, data = side.send(method, path, body, headers)
    picked = {n: header(hdrs, n) for n in COMPARED if header(hdrs, n) is not None}
    return status, picked, data


def curl(case):
    method, path, body, headers = request_parts(case)
    h = " ".join("-H %s" % json.dumps("%s: %s" % kv) for kv in headers.items()
                 if kv[0] not in ("apikey", "Authorization"))
    # $ANON, $SERVICE: the keys (supamock keys); $USER1, $USER2: user(...) below.
    key, bearer = {"anon": ("$ANON", "$ANON"), "service": ("$SERVICE", "$SERVICE"),
                   "user1": ("$ANON", "$USER1"), "user2": ("$ANON", "$USER2")}[case["as"]]
    data = " --data-binary %s" % shlex.quote(body.decode()) if body is not None else ""
    return "curl -s -X %s \"$URL%s\" -H \"apikey: %s\" -H \"Authorization: Bearer %s\" %s%s" % (
        method, path.replace("$", "\\$"), key, bearer, h, data)


def code_of(body):
    """The "code" of a PostgREST error body, or None."""
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    return doc.get("code") if isinstance(doc, dict) else None


class Known:
    """tests/differential/known.json: differences the memory engine still
    has, each with its reason. An entry names one case exactly ("case",
    case_key's form) or a family of them ("pattern", a regular expression
    searched in case_key). An entry whose cases all agree now is reported:
    the list only shrinks. A pattern marked "family" names requests of
    which only some differ (two invalid filters, of which the order of the
    errors decides): it is not reported when this run's matches agree."""

    def __init__(self):
        with open(os.path.join(DIFF_DIR, "known.json")) as f:
            self.entries = json.load(f)
        for e in self.entries:
            e["_re"] = re.compile(e["pattern"]) if "pattern" in e else None
            e["_seen"] = e["_differ"] = 0

    def match(self, key, mem, pg):
        """The entry for a case, given both answers: an entry with
        "codes": [memory's, postgres's] (lists of SQLSTATE/PGRST codes)
        applies only when the two bodies carry such codes."""
        for e in self.entries:
            if not (e["_re"].search(key) if e["_re"] else e.get("case") == key):
                continue
            if "codes" in e and not all(
                    code_of(body) in allowed for body, allowed in zip((mem[2], pg[2]), e["codes"])):
                continue
            return e
        return None

    def stale(self):
        """Entries that matched cases of this run, none of which differed."""
        return [e.get("case") or e.get("pattern") for e in self.entries
                if e["_seen"] and not e["_differ"] and not e.get("family")]


def cases():
    with open(os.path.join(DIFF_DIR, "requests.json")) as f:
        listed = json.load(f)
    seed = int(os.environ.get("SUPAMOCK_DIFF_SEED", "1"))
    count = int(os.environ.get("SUPAMOCK_DIFF_COUNT", "300"))
    return listed, generate.generate(seed, count), seed


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class Differential(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mem = Supamock("--scenario", SCENARIO).start()
        try:
            cls.pg = Supamock("--scenario", SCENARIO, "--db", "postgres", ready_timeout=180).start()
        except Exception:
            cls.mem.kill()
            raise
        cls.sides = (Side(cls.mem), Side(cls.pg))

    def setUp(self):
        for s in self.sides:
            s.reset()

    @classmethod
    def tearDownClass(cls):
        for s in cls.sides:
            s.conn.close()
        cls.pg.stop()
        cls.mem.stop()

    def state(self, side, table):
        """A table's rows as the service role sees them, in key order."""
        case = {"as": "service", "method": "GET", "path": "%s?order=%s" % (table, STATE[table][0])}
        return answer(side, case)

    def run_cases(self, label, todo):
        """Sends each case to both servers and compares. A write that
        succeeded on either is followed by a comparison of the tables it
        can change (the state afterwards); a reset of both (a template clone
        on the database engine, about a second) comes only every
        RESET_EVERY such writes, or after a write the two answered
        differently, so that the runs stay short and the servers in step.
        A difference after writes prints those writes too."""
        known = Known()
        report_path = os.environ.get("SUPAMOCK_DIFF_REPORT")
        report = open(report_path, "a") if report_path else None
        since_reset = []  # the writes that succeeded since the last reset
        unexpected, listed, resets = [], 0, 0
        spent = {"memory": 0.0, "postgres": 0.0, "reset": 0.0}
        t0 = time.monotonic()

        def reset():
            t = time.monotonic()
            for s in self.sides:
                s.reset()
            spent["reset"] += time.monotonic() - t
            since_reset.clear()
            return 1

        for i, case in enumerate(todo):
            if case["method"] in WRITES and len(since_reset) >= RESET_EVERY:
                resets += reset()
            got = []
            for name, s in zip(("memory", "postgres"), self.sides):
                t = time.monotonic()
                got.append(answer(s, case))
                spent[name] += time.monotonic() - t
            mem, pg = got
            key = case_key(case)
            same = mem == pg
            before = list(since_reset)
            if case["method"] in WRITES and (mem[0] < 300 or pg[0] < 300):
                since_reset.append(case)
                table = case["path"].split("?")[0]
                for t in STATE.get(table, (None, [table]))[1]:
                    a, b = (self.state(s, t) for s in self.sides)
                    if a != b and same:
                        same = False
                        mem, pg = a, b
                        key += " (then GET %s: the rows differ)" % t
            if not same and report:
                report.write(json.dumps({"case": key, "memory": [mem[0], mem[1], mem[2].decode(
                    "utf-8", "replace")], "postgres": [pg[0], pg[1], pg[2].decode("utf-8", "replace")]},
                    ensure_ascii=False) + "\n")
            entry = known.match(key, mem, pg)
            if entry:
                entry["_seen"] += 1
                entry["_differ"] += 0 if same else 1
                listed += 0 if same else 1
            elif not same:
                after = "".join("\n  after: " + curl(w) for w in before)
                unexpected.append("%s #%d: %s\n  %s%s\n  memory:   %d %s %r\n  postgres: %d %s %r" % (
                    label, i, key, curl(case), after, mem[0], mem[1], mem[2][:600], pg[0], pg[1],
                    pg[2][:600]))
            if not same and case["method"] in WRITES:
                resets += reset()  # the two may hold different rows now
        if report:
            report.close()
        stale = known.stale()
        print("\n%s: %d requests in %.1f s (memory %.1f s, postgres %.1f s, %d resets %.1f s); "
              "%d unexpected differences, %d known ones, %d known entries now alike" % (
                  label, len(todo), time.monotonic() - t0, spent["memory"], spent["postgres"],
                  resets, spent["reset"], len(unexpected), listed, len(stale)))
        msgs = []
        if unexpected:
            msgs.append("the memory engine differs from the database engine (the truth); "
                        "reproduce with URL=<either server>, after POST /__mock/reset:\n"
                        + "\n".join(unexpected))
        if stale:
            msgs.append("listed in tests/differential/known.json but alike in this run (remove "
                        "them):\n  " + "\n  ".join(stale))
        if msgs:
            self.fail("\n\n".join(msgs))

    def test_listed_requests(self):
        listed, _, _ = cases()
        self.run_cases("listed", listed)

    def test_generated_requests(self):
        _, generated, seed = cases()
        self.run_cases("generated (seed %d)" % seed, generated)


if __name__ == "__main__":
    unittest.main()
