"""PostgREST's own aggregate spec cases (test/spec/Feature/Query/
AggregateFunctionsSpec.hs, extracted into tests/conformance/aggregates.json by
tests/conformance/extract.py) against the memory engine, over PostgREST's
fixture (tests/conformance/postgrest). The spec's `allowed` group runs with
db-aggregates-enabled (here the fixture's scenario with
"db_aggregates_enabled": true), its `disallowed` group with the spec's
baseCfg (the fixture as it is).

tests/conformance/known_aggregates.json lists the cases that do not pass yet,
with the reason; as in test_conformance.py, a listed case that passes fails
the test too. With SUPAMOCK_ENGINE=postgres (the e2e-postgres ctest entry) the
same cases run on the database engine against
tests/conformance/known_aggregates-postgres.json.

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_conformance_aggregates.py
"""

import json
import os
import shutil
import tempfile
import unittest

import test_conformance
from test_conformance import CONFORMANCE, FIXTURE, POSTGRES, load

KNOWN = "known_aggregates-postgres.json" if POSTGRES else "known_aggregates.json"

# The first line of the spec's `disallowed` group (AggregateFunctionsSpec.hs).
DISALLOWED_FROM = 309


def enabled_fixture(d):
    """The fixture, its scenario with db_aggregates_enabled."""
    for name in os.listdir(FIXTURE):
        shutil.copy(os.path.join(FIXTURE, name), d)
    with open(os.path.join(FIXTURE, "scenario.json"), encoding="utf-8") as f:
        text = "\n".join(l for l in f.read().split("\n") if not l.startswith("//"))
    sc = json.loads(text)
    sc["postgrest"]["db_aggregates_enabled"] = True
    with open(os.path.join(d, "scenario.json"), "w", encoding="utf-8") as f:
        json.dump(sc, f)


def line_of(case):
    return int(case["spec"].rsplit(":", 1)[1])


class Base(test_conformance.PostgrestSpecTest):
    ALLOWED = None

    def test_spec_cases(self):
        cases = [c for c in load("aggregates.json")
                 if (line_of(c) < DISALLOWED_FROM) == self.ALLOWED]
        known = load(KNOWN)
        self.assertGreater(len(cases), 3)
        failed, fixed = [], []
        for case in cases:
            problems = self.run_case(case)
            if problems and case["spec"] not in known:
                failed.append("%s %s: %s" % (case["spec"], case["path"], "; ".join(problems)))
            if not problems and case["spec"] in known:
                fixed.append(case["spec"])
        self.assertEqual(failed, [])
        self.assertEqual(fixed, [], "these pass now: remove them from " + KNOWN)


class AllowedTest(Base):
    ALLOWED = True

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        enabled_fixture(cls.dir)
        saved = (test_conformance.FIXTURE, test_conformance.SCENARIO)
        test_conformance.FIXTURE = cls.dir
        test_conformance.SCENARIO = os.path.join(cls.dir, "scenario.json")
        try:
            super().setUpClass()
        finally:
            test_conformance.FIXTURE, test_conformance.SCENARIO = saved

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.dir)


class DisallowedTest(Base):
    ALLOWED = False


del Base

if __name__ == "__main__":
    unittest.main()
