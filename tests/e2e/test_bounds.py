"""Nothing a client sends with the anon key holds the event loop: pattern
matching is bounded and long work ends as Supabase ends it.

Expected answers: PostgreSQL 15's errors for the same patterns (2201B
"invalid regular expression: ..."), which PostgREST relays as 400 (any class-22
code falls to mapSQLtoHTTP's default); a statement that outlives the role's
statement_timeout is 57014 "canceling statement due to statement timeout",
which PostgREST answers with 500 ('5':'7':_ in src/library/PostgREST/Error.hs).

Each hostile request runs in a thread while the main thread polls
/__mock/health: the server must keep answering, the hostile request must
answer within a bound (generous for ASan builds, far below the seconds the old
matchers took), and VmRSS must come back near where it was.
"""

import json
import threading
import time
import unittest
import urllib.parse

from harness import Supamock
from test_rest import ANON, DEMO_USER, SERVICE, error, keyed

# The release build answers the heaviest of these in about 0.1 s (anon) and
# 0.3 s (service_role); the debug ASan build of ctest takes ten times that, more
# on a loaded machine. The old matchers took 25 s to never.
HOSTILE_BOUND_S = 10.0
HEALTH_BOUND_S = 6.0
RSS_SLACK_KB = 64 * 1024
TIMEOUT_BODY = error("57014", "canceling statement due to statement timeout")


def rest(path):
    return "/rest/v1/" + path


def q(pattern):
    return urllib.parse.quote(pattern, safe="")


class BoundsTest(unittest.TestCase):
    def setUp(self):
        self.mock = Supamock().start()

    def tearDown(self):
        self.mock.stop()

    def req(self, method, path, body=None, key=SERVICE):
        h = keyed(key)
        if body is not None:
            body = json.dumps(body)
            h["Content-Type"] = "application/json"
        return self.mock.request(method, rest(path), body=body, headers=h)

    def rss_kb(self):
        with open("/proc/%d/status" % self.mock.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def set_demo(self, **fields):
        st, _, _, body = self.req("PATCH", "profiles?user_id=eq." + DEMO_USER, fields)
        self.assertEqual(st, 204, body)

    def hostile(self, method, path, body=None, key=ANON):
        """Sends the request in a thread while polling health; returns its answer
        and how long it took, after checking the server kept serving."""
        result = {}

        def run():
            t0 = time.monotonic()
            result["resp"] = self.req(method, path, body, key)
            result["elapsed"] = time.monotonic() - t0

        t = threading.Thread(target=run, daemon=True)
        t.start()
        worst = 0.0
        deadline = time.monotonic() + HOSTILE_BOUND_S
        while t.is_alive() and time.monotonic() < deadline:
            t0 = time.monotonic()
            st, _, _, _ = self.mock.request("GET", "/__mock/health")
            worst = max(worst, time.monotonic() - t0)
            self.assertEqual(st, 200)
        t.join(HOSTILE_BOUND_S)
        self.assertFalse(t.is_alive(), "the hostile request got no answer in %.1f s" % HOSTILE_BOUND_S)
        self.assertLess(result["elapsed"], HOSTILE_BOUND_S)
        self.assertLess(worst, HEALTH_BOUND_S, "health waited %.2f s" % worst)
        return result["resp"]

    def assertAnswer(self, resp, status, body):
        self.assertEqual((resp[0], resp[3]), (status, body))

    def test_repetition_count_over_dupmax_is_2201b(self):
        before = self.rss_kb()
        resp = self.hostile("GET", "profiles?email=match." + q("a{0,32767}"))
        self.assertAnswer(resp, 400, error(
            "2201B", "invalid regular expression: invalid repetition count(s)"))
        self.assertLess(self.rss_kb() - before, RSS_SLACK_KB)

    def test_nested_counted_repetition_is_too_complex(self):
        before = self.rss_kb()
        resp = self.hostile("GET", "profiles?email=match." + q("((a{1,100}){1,100}){1,100}"))
        self.assertAnswer(resp, 400, error(
            "2201B", "invalid regular expression: regular expression is too complex"))
        self.assertLess(self.rss_kb() - before, RSS_SLACK_KB)

    def test_syntax_errors_are_postgres_messages(self):
        for pattern, message in (("(", "parentheses () not balanced"),
                                 ("[a", "brackets [] not balanced"),
                                 ("a**", "quantifier operand invalid"),
                                 ("\\1", "invalid backreference number")):
            with self.subTest(pattern=pattern):
                self.assertAnswer(self.req("GET", "profiles?email=imatch." + q(pattern), key=ANON),
                                  400, error("2201B", "invalid regular expression: " + message))

    def test_backreference_on_a_long_value_answers(self):
        self.set_demo(full_name="a" * 20000)
        before = self.rss_kb()
        # Postgres answers at once: no 'b' anywhere, so no match.
        resp = self.hostile("GET", "profiles?select=user_id&full_name=match." + q("(a*)\\1*b"), key=SERVICE)
        self.assertAnswer(resp, 200, b"[]")
        self.assertLess(self.rss_kb() - before, RSS_SLACK_KB)

    def test_like_with_many_wildcards_answers(self):
        for n in (3000, 20000):
            with self.subTest(n=n):
                self.set_demo(full_name="a" * n)
                before = self.rss_kb()
                resp = self.hostile("GET", "profiles?select=user_id&full_name=like.%25a%25a%25b", key=SERVICE)
                self.assertAnswer(resp, 200, b"[]")
                resp = self.hostile("GET", "profiles?select=user_id&full_name=ilike.*A*A*A", key=SERVICE)
                self.assertAnswer(resp, 200, ('[{"user_id":"%s"}]' % DEMO_USER).encode())
                self.assertLess(self.rss_kb() - before, RSS_SLACK_KB)

    def test_like_pattern_ending_in_escape_is_22025(self):
        self.assertAnswer(self.req("GET", "profiles?email=like." + q("demo\\")), 400,
                          error("22025", "LIKE pattern must not end with escape character"))

    def test_long_match_is_a_statement_timeout(self):
        self.set_demo(email="a" * 20000 + "@example.com")
        heavy = "profiles?select=user_id&email=match." + q("((a{1,100}){1,100}){4}b")
        before = self.rss_kb()
        self.assertAnswer(self.hostile("GET", heavy, key=ANON), 500, TIMEOUT_BODY)
        # service_role's 8 s buy 2.7 times anon's steps (0.3 s on the release
        # build, several seconds on the debug ASan one): the same answer,
        # timed by the test's own request timeout only.
        self.assertAnswer(self.req("GET", heavy, key=SERVICE), 500, TIMEOUT_BODY)
        self.assertLess(self.rss_kb() - before, RSS_SLACK_KB)
        # Backtracking to verify backreferences is bounded the same way.
        self.set_demo(full_name="a" * 3001 + "b")
        resp = self.hostile("GET", "profiles?select=user_id&full_name=match." + q("^(aa|aaaa)+\\1b$"))
        self.assertAnswer(resp, 500, TIMEOUT_BODY)
        self.mock.assert_healthy()

    def test_timed_out_write_changes_nothing(self):
        self.set_demo(email="a" * 20000 + "@example.com")
        resp = self.req("PATCH", "profiles?email=match." + q("((a{1,100}){1,100}){4}b"),
                        {"full_name": "changed"}, key=SERVICE)
        self.assertAnswer(resp, 500, TIMEOUT_BODY)
        st, _, _, body = self.req("GET", "profiles?select=full_name&user_id=eq." + DEMO_USER)
        self.assertEqual((st, body), (200, b'[{"full_name":"Demo User"}]'))


if __name__ == "__main__":
    unittest.main()
