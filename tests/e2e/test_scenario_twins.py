"""The shipped scenarios' SQL twins (scenarios/supabase/) give the same bytes
as their JSON forms (scenarios/*.json).

scenarios/supabase/supamock.json is the default scenario with its schema as
SQL (supabase/migrations/*.sql, supabase/seed.sql, the layout of a Supabase
project), and scenarios/supabase/failures/NAME.json each failure scenario
over it, its schema change as NAME.sql. Every test of test_scenarios.py runs
twice, once on the JSON form (--scenario NAME, as there) and once on the
twin (--scenario scenarios/supabase/failures/NAME.json): both runs must pass
test_scenarios' own assertions (their sources are cited there), and every
response the two runs received must be the same status, headers (but Date)
and body bytes, request for request. The default scenario's own requests
(reads and writes as each role, a signup that makes a profile) are compared
the same way, on the memory engine and, when PostgreSQL 15 is installed, on
the database engine with --project scenarios/supabase.
"""

import inspect
import json
import os
import re
import socket
import unittest

import test_scenarios
from harness import FIXED_CLOCK, Supamock, source_dir
from test_scenarios import ANON, DEMO_USER, SERVICE, ScenarioCase, user_token

TWINS = os.path.join(source_dir(), "scenarios", "supabase")
PG_BIN = "/usr/lib/postgresql/15/bin/postgres"


def twin(name):
    if name == "default":
        return os.path.join(TWINS, "supamock.json")
    return os.path.join(TWINS, "failures", name + ".json")


# What differs between two runs of one form as much as between the forms:
# the process's uptime, and the instants a real clock gives to now()
# (microseconds; a fixed clock's times are whole seconds), the port in the
# journal's Host headers. Content-Length
# follows the body, which is compared.
REAL_TIME = re.compile(rb'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,6}(?:\+00:00|Z)')
UPTIME = re.compile(rb'"uptime_ms":\d+')
PORT = re.compile(rb'127\.0\.0\.1:\d+')  # the journal's Host header: each server's own port


def normalized(status, headers, body):
    body = UPTIME.sub(b'"uptime_ms":0', REAL_TIME.sub(b"<real time>", body))
    body = PORT.sub(b"127.0.0.1:PORT", body)
    hdrs = sorted((k.lower(), v) for k, v in headers if k.lower() not in ("date", "content-length"))
    return status, hdrs, body


def run_recorded(cls, method, scenario):
    """Runs test `method` of `cls` with SCENARIO = scenario; returns the
    unittest result and every (request, status, headers, body) it saw."""
    sub = type(cls.__name__ + "Twin", (cls,), {"SCENARIO": scenario})
    log = []
    original = Supamock.request

    def recording(self, m, path, body=None, headers=None, conn=None):
        r = original(self, m, path, body=body, headers=headers, conn=conn)
        # The journal's entries carry each request's duration and Date: its
        # status is compared, its body is not (/__mock/requests/count is).
        journal = path.split("?")[0] == "/__mock/requests"
        log.append(((m, path, body),) + normalized(r[0], r[2], b"" if journal else r[3]))
        return r

    Supamock.request = recording
    try:
        result = unittest.TestResult()
        sub(method).run(result)
    finally:
        Supamock.request = original
    return result, log


def scenario_cases():
    """(class, test method) of every test of test_scenarios.py that serves one
    shipped scenario (the ScenarioCase subclasses)."""
    out = []
    for _, cls in inspect.getmembers(test_scenarios, inspect.isclass):
        if issubclass(cls, ScenarioCase) and cls is not ScenarioCase and cls.SCENARIO:
            for name in sorted(n for n in dir(cls) if n.startswith("test")):
                out.append((cls, name))
    return out


class FailureTwins(unittest.TestCase):
    def test_every_failure_scenario_has_a_twin(self):
        for name in test_scenarios.scenario_names():
            self.assertTrue(os.path.isfile(twin(name)), "no SQL twin for " + name)

    def test_same_bytes_as_the_json_form(self):
        cases = scenario_cases()
        self.assertGreater(len(cases), 20)
        for cls, method in cases:
            with self.subTest(scenario=cls.SCENARIO, test=method):
                r_json, log_json = run_recorded(cls, method, cls.SCENARIO)
                r_sql, log_sql = run_recorded(cls, method, twin(cls.SCENARIO))
                for what, r in (("JSON form", r_json), ("SQL twin", r_sql)):
                    problems = r.errors + r.failures
                    self.assertFalse(problems, "%s: %s" % (what, problems and problems[0][1]))
                self.assertEqual(len(log_json), len(log_sql))
                for a, b in zip(log_json, log_sql):
                    self.assertEqual(a, b, "request %r answered differently" % (a[0],))


# The default scenario's requests: reads and writes as each role (RLS and
# grants), an insert the policy refuses, a signup (auth.on_signup makes the
# profile) and the journal of them.
def default_requests():
    user = user_token()
    as_user = {"apikey": ANON, "Authorization": "Bearer " + user}
    service = {"apikey": SERVICE, "Authorization": "Bearer " + SERVICE}
    anon = {"apikey": ANON, "Authorization": "Bearer " + ANON}
    ct = {"Content-Type": "application/json"}
    rep = {"Prefer": "return=representation"}
    return [
        ("GET", "/rest/v1/profiles?select=*", None, service),
        ("GET", "/rest/v1/profiles?select=email,free_image_quota", None, anon),
        ("GET", "/rest/v1/profiles?select=id,email,full_name,free_image_quota&user_id=eq." + DEMO_USER,
         None, as_user),
        ("PATCH", "/rest/v1/profiles?user_id=eq." + DEMO_USER, json.dumps({"free_image_quota": 4}),
         dict(as_user, **ct, **rep)),
        ("PATCH", "/rest/v1/profiles?user_id=eq." + DEMO_USER, json.dumps({"full_name": "x"}),
         dict(anon, **ct, **rep)),
        ("POST", "/rest/v1/profiles", json.dumps({"user_id": "8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f"}),
         dict(as_user, **ct)),
        ("POST", "/rest/v1/profiles", json.dumps({"email": "x"}), dict(service, **ct)),
        ("GET", "/rest/v1/profiles?select=nope", None, service),
        ("GET", "/rest/v1/", None, service),
        ("POST", "/auth/v1/signup", json.dumps({"email": "new@example.com", "password": "a-password-1"}),
         dict(anon, **ct)),
        ("GET", "/rest/v1/profiles?select=email,full_name,free_image_quota&order=email", None, service),
        ("DELETE", "/rest/v1/profiles?email=eq.new@example.com", None, dict(service, **rep)),
        ("GET", "/__mock/requests/count?status=4xx", None, {}),
    ]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(args, port, ready_timeout=20.0):
    """The default requests' answers from one server on `port` (the two
    forms run one after the other on the same port: the issuer in the
    tokens a signup returns names it)."""
    out = []
    with Supamock(*args, *FIXED_CLOCK, "--seed", "7", "--port", str(port),
                  ready_timeout=ready_timeout) as mock:
        for method, path, body, headers in default_requests():
            status, _, hdrs, data = mock.request(method, path, body=body, headers=headers)
            out.append(((method, path),) + normalized(status, hdrs, data))
    return out


class DefaultTwin(unittest.TestCase):
    def compare(self, a, b):
        self.assertEqual(len(a), len(b))
        for x, y in zip(a, b):
            self.assertEqual(x, y, "request %r answered differently" % (x[0],))

    def test_memory_engine(self):
        port = free_port()
        self.compare(answers(("--scenario", "default"), port),
                     answers(("--scenario", twin("default")), port))

    @unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
    def test_database_engine(self):
        if "SUPAMOCK_PG_CACHE_DIR" not in os.environ:
            self.skipTest("SUPAMOCK_PG_CACHE_DIR is not set (the postgres-labelled ctest entries set it)")
        port = free_port()
        self.compare(answers(("--scenario", "default", "--db", "postgres"), port, ready_timeout=180),
                     answers(("--project", TWINS), port, ready_timeout=180))


if __name__ == "__main__":
    unittest.main()
