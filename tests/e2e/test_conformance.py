"""PostgREST's own spec cases against the memory engine: the requests and
expectations of test/spec/Feature/*.hs (tests/conformance/cases.json, made
by tests/conformance/extract.py, each case citing its spec file and line),
over PostgREST's own fixture schema and data read as a scenario's SQL
(tests/conformance/postgrest). A [json| |] expectation compares as JSON (as
hspec-wai-json does), a string body byte for byte, headers by value.

tests/conformance/known.json lists the cases that do not pass yet, each with
the reason; the test fails when a case outside it fails, and when a listed
case passes (so the list only shrinks, and says what is missing). With
SUPAMOCK_ENGINE=postgres (the e2e-postgres ctest entry) the same cases run on
the database engine, the fixture loaded into the real PostgreSQL, against
tests/conformance/known-postgres.json under the same rules. The embedding
spec files' cases (tests/conformance/cases-embed.json) run on both engines,
against tests/conformance/known-embed.json on the memory engine.

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_conformance.py
"""

import json
import os
import subprocess
import unittest
import urllib.parse

from harness import Supamock, binary, source_dir

# PostgREST's spec fixture creates a foreign server and loads as a superuser
# in PostgREST's own test setup: on the database engine its SQL runs as the
# administrator only when trusted so (pg_load.c).
os.environ["SUPAMOCK_PG_TRUST_SQL"] = "1"

CONFORMANCE = os.path.join(source_dir(), "tests", "conformance")
FIXTURE = os.path.join(CONFORMANCE, "postgrest")
SCENARIO = os.path.join(FIXTURE, "scenario.json")
CLOCK = "2026-01-01T00:00:00Z"
POSTGRES = os.environ.get("SUPAMOCK_ENGINE") == "postgres"
KNOWN = "known-postgres.json" if POSTGRES else "known.json"
# The embedding spec files' cases: one list on the database engine, their own
# on the memory engine (known-embed.json).
KNOWN_EMBED = "known-postgres.json" if POSTGRES else "known-embed.json"


def spec_headers(scenario, cwd):
    """The apikey and a never-expiring JWT for postgrest_test_anonymous, the
    db-anon-role of PostgREST's spec configuration, for a scenario over its
    fixture (the keys and token subcommands, as a client would mint them)."""
    keys = json.loads(subprocess.run(
        [binary(), "keys", "--scenario", scenario, "--format", "json"], check=True,
        capture_output=True, text=True, cwd=cwd).stdout)
    token = subprocess.run(
        [binary(), "token", "--scenario", scenario, "--role", "postgrest_test_anonymous",
         "--exp", "never", "--clock", CLOCK], check=True, capture_output=True, text=True,
        cwd=cwd).stdout.strip()
    return {"apikey": keys["SUPABASE_ANON_KEY"], "Authorization": "Bearer " + token}


def load(name):
    with open(os.path.join(CONFORMANCE, name), encoding="utf-8") as f:
        return json.load(f)


class PostgrestSpecTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.headers = spec_headers(SCENARIO, FIXTURE)
        cls.mock = Supamock("--scenario", SCENARIO, "--clock", CLOCK, cwd=FIXTURE).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def run_case(self, case):
        path = case["path"]
        # hspec-wai's setPath reads "items?x" as "/items?x" (Network.Wai.Test
        # splits the path into segments): the same request.
        if not path.startswith("/"):
            path = "/" + path
        # hspec-wai sends the path as written; only spaces need escaping here.
        # A spec path without its leading slash reaches PostgREST's WAI app as
        # the same resource (Wai's pathInfo); behind /rest/v1 it needs one.
        if not path.startswith("/"):
            path = "/" + path
        path = urllib.parse.quote(path, safe="/?&=,.*()!:+-_~%$^[]{}\"'<>@;|#")
        st, _, hs, body = self.mock.request(case["method"], "/rest/v1" + path,
                                            headers=dict(self.headers))
        problems = []
        if st != case["status"]:
            problems.append("status %d, expected %d" % (st, case["status"]))
        if "json" in case:
            try:
                got = json.loads(body) if body else None
            except ValueError:
                got = body
            if got != case["json"]:
                problems.append("body %r, expected %r" % (body[:300], case["json"]))
        if "body" in case and body != case["body"].encode():
            problems.append("body %r, expected %r" % (body[:300], case["body"]))
        hmap = {k.lower(): v for k, v in hs}
        for name, value in case.get("headers", {}).items():
            if hmap.get(name.lower()) != value:
                problems.append("%s: %r, expected %r" % (name, hmap.get(name.lower()), value))
        return problems

    def check(self, cases_file, known_file):
        cases = load(cases_file)
        known = load(known_file)
        self.assertGreater(len(cases), 100)
        failed, fixed = [], []
        for case in cases:
            problems = self.run_case(case)
            if problems and case["spec"] not in known:
                failed.append("%s GET %s: %s" % (case["spec"], case["path"], "; ".join(problems)))
            if not problems and case["spec"] in known:
                fixed.append(case["spec"])
        self.assertEqual(failed, [], "%d spec cases fail:\n%s" % (len(failed), "\n".join(failed)))
        self.assertEqual(fixed, [], "these pass now: remove them from tests/conformance/" +
                         known_file)

    def test_spec_cases(self):
        self.check("cases.json", KNOWN)

    def test_embed_spec_cases(self):
        # cases-embed.json: EmbedDisambiguationSpec.hs, EmbedInnerJoinSpec.hs,
        # RelatedQueriesSpec.hs and SpreadQueriesSpec.hs.
        self.check("cases-embed.json", KNOWN_EMBED)

    def test_target_name_of_aliased_embed(self):
        # QuerySpec.hs:1185 (extract.py skips it: its `let` binding): a filter,
        # order and limit reach an aliased embed by its target name, as v14's
        # updateNode matches relName or relAlias. Its Warning header is v16's
        # (App.hs warningHeaders, with url-use-legacy-target-names), not v14's.
        case = {"spec": "test/spec/Feature/Query/QuerySpec.hs:1185", "method": "GET",
                "path": "/projects?id=eq.1&select=id, name, the_tasks:tasks(id, name)"
                        "&tasks.name=like.Code*&tasks.order=name.asc&tasks.limit=1",
                "status": 200,
                "json": [{"id": 1, "name": "Windows 7", "the_tasks": [{"id": 2, "name": "Code w7"}]}]}
        self.assertEqual(self.run_case(case), [])

if __name__ == "__main__":
    unittest.main()
