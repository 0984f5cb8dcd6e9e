"""Prefer: timezone= on /rest/v1 (PostgREST runs SET LOCAL timezone), over
PostgREST's own spec fixture (tests/conformance/postgrest, table
`timestamps`). Expectations are the timezone cases of PostgREST v14.5's
test/spec/Feature/Query/PreferencesSpec.hs (lines cited; v14's
ApiRequest/Preferences.hs accepts only the cached pg_timezone_names) and, for
the text (CSV) form and other zones, what PostgreSQL 15 prints for the same
instants (datetime.c EncodeDateTime/EncodeTimezone). Runs on both engines
(e2e-postgres/test_timezone runs it with --db postgres).

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_timezone.py
"""

import json
import os
import unittest

from test_conformance import spec_headers
from harness import Supamock, source_dir

# PostgREST's fixture creates a foreign-data server and other objects that
# need the administrator, as in PostgREST's own test setup: on the database
# engine its SQL runs as the administrator only when trusted so (pg_load.c).
os.environ["SUPAMOCK_PG_TRUST_SQL"] = "1"

FIXTURE = os.path.join(source_dir(), "tests", "conformance", "postgrest")
SCENARIO = os.path.join(FIXTURE, "scenario.json")
CLOCK = "2026-01-01T00:00:00Z"

LA = [{"t": "2023-10-18T05:37:59.611-07:00"}, {"t": "2023-10-18T07:37:59.611-07:00"},
      {"t": "2023-10-18T09:37:59.611-07:00"}]
UTC = [{"t": "2023-10-18T12:37:59.611+00:00"}, {"t": "2023-10-18T14:37:59.611+00:00"},
       {"t": "2023-10-18T16:37:59.611+00:00"}]


class Timezone(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.headers = spec_headers(SCENARIO, FIXTURE)
        cls.mock = Supamock("--scenario", SCENARIO, "--clock", CLOCK, cwd=FIXTURE,
                            ready_timeout=120).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def get(self, prefer, accept=None, path="/timestamps"):
        h = dict(self.headers)
        h["Prefer"] = prefer
        if accept:
            h["Accept"] = accept
        st, _, hs, body = self.mock.request("GET", "/rest/v1" + path, headers=h)
        return st, {k.lower(): v for k, v in hs}, body

    def test_zone_with_handling_strict(self):
        # PreferencesSpec.hs:76 "should change timezone with handling=strict"
        st, hs, body = self.get("handling=strict, timezone=America/Los_Angeles")
        self.assertEqual((st, json.loads(body)), (200, LA))
        self.assertEqual(hs["preference-applied"], "handling=strict, timezone=America/Los_Angeles")

    def test_zone_without_handling(self):
        # PreferencesSpec.hs:86 "should change timezone without handling=strict"
        st, hs, body = self.get("timezone=America/Los_Angeles")
        self.assertEqual((st, json.loads(body)), (200, LA))
        self.assertEqual(hs["preference-applied"], "timezone=America/Los_Angeles")

    def test_invalid_zone_strict(self):
        # PreferencesSpec.hs:97 "should throw error with handling=strict"
        st, _, body = self.get("handling=strict, timezone=Invalid/Timezone")
        self.assertEqual(st, 400)
        self.assertEqual(json.loads(body), {
            "code": "PGRST122", "details": "Invalid preferences: timezone=Invalid/Timezone",
            "hint": None, "message": "Invalid preferences given with handling=strict"})

    def test_invalid_zone_lenient(self):
        # PreferencesSpec.hs:105 "should return with default timezone without
        # handling or with handling=lenient"
        st, hs, body = self.get("timezone=Invalid/Timezone")
        self.assertEqual((st, json.loads(body)), (200, UTC))
        self.assertNotIn("preference-applied", hs)
        st, hs, body = self.get("handling=lenient, timezone=Invalid/Timezone")
        self.assertEqual((st, json.loads(body)), (200, UTC))
        self.assertEqual(hs["preference-applied"], "handling=lenient")

    def test_not_a_file_of_the_zone_directory(self):
        # Names outside pg_timezone_names are not applied, whatever the path.
        for tz in ("../../../etc/passwd", "/etc/localtime", "America", "zone.tab"):
            st, hs, body = self.get("timezone=" + tz)
            self.assertEqual((st, json.loads(body)), (200, UTC), tz)
            self.assertNotIn("preference-applied", hs)

    def test_half_hour_zone_json_and_text(self):
        # PostgreSQL 15: SET timezone = 'Asia/Kolkata'; json output
        # "2023-10-18T18:07:59.611+05:30", text "2023-10-18 18:07:59.611+05:30".
        st, _, body = self.get("timezone=Asia/Kolkata")
        self.assertEqual(json.loads(body)[0], {"t": "2023-10-18T18:07:59.611+05:30"})
        st, _, body = self.get("timezone=Asia/Kolkata", accept="text/csv")
        self.assertEqual(st, 200)
        self.assertIn(b"2023-10-18 18:07:59.611+05:30", body)

    def test_text_offset_hours_only(self):
        # PostgreSQL 15 text output: "2023-10-18 05:37:59.611-07" (whole hours
        # print without minutes; EncodeTimezone).
        st, _, body = self.get("timezone=America/Los_Angeles", accept="text/csv")
        self.assertEqual(st, 200)
        self.assertIn(b"2023-10-18 05:37:59.611-07", body)
        self.assertNotIn(b"-07:00", body)

    def test_input_without_offset_is_local_time(self):
        # PostgreSQL 15: a timestamptz literal without an offset is read in
        # the session zone (SET LOCAL timezone), so 05:37:59.611 in
        # Los Angeles is the first row's 12:37:59.611 UTC.
        path = "/timestamps?t=eq.2023-10-18%2005:37:59.611"
        st, _, body = self.get("timezone=America/Los_Angeles", path=path)
        self.assertEqual((st, json.loads(body)), (200, LA[:1]))
        st, _, body = self.get("", path=path)
        self.assertEqual((st, json.loads(body)), (200, []))
        # An explicit offset wins over the zone.
        st, _, body = self.get("timezone=America/Los_Angeles",
                               path="/timestamps?t=eq.2023-10-18T12:37:59.611%2B00:00")
        self.assertEqual((st, json.loads(body)), (200, LA[:1]))

    def test_zone_does_not_leak_into_the_next_request(self):
        self.get("timezone=America/Los_Angeles")
        st, _, body = self.get("")
        self.assertEqual((st, json.loads(body)), (200, UTC))


if __name__ == "__main__":
    unittest.main()
