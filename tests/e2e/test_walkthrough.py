"""The bug report as an executable story (README.md): a Python backend
read `profiles` fine but every UPDATE failed with PGRST205; the suspects were a
stale schema cache, an anon key pasted where the service_role key belonged,
and a missing policy. Each chapter walks one suspect against supamock the way
the reporter would, with the exact answers Supabase gives.

Run: cd tests/e2e && SUPAMOCK_BIN=... python3 -m unittest test_walkthrough
"""

import json
import unittest

from test_scenarios import (ANON, DEMO_USER, JSON_CT, SERVICE, Client, Supamock, error, header)

QUOTA_PATH = "profiles?user_id=eq." + DEMO_USER
READ_PATH = "profiles?select=free_image_quota&user_id=eq." + DEMO_USER


class Walkthrough(unittest.TestCase):
    def start(self, scenario):
        mock = Supamock("--scenario", scenario).start()
        self.addCleanup(mock.stop)
        return Client(mock)

    def sql(self, c, statement):
        st, body = c.admin("POST", "/sql", {"sql": statement})
        self.assertEqual(st, 200, "%s answered %r" % (statement, body))
        return body

    def test_1_stale_schema_cache(self):
        c = self.start("stale-schema-cache")
        # "I can read profiles fine ..."
        st, _, _, body = c.rest("GET", READ_PATH)
        self.assertEqual((st, body), (200, b'[{"free_image_quota":5}]'))
        # "... but decrementing free_image_quota fails": the bug report's error,
        # byte for byte (aeson key order, PGRST205; no other table, no hint).
        st, _, hs, body = c.rest("PATCH", QUOTA_PATH, {"free_image_quota": 4})
        self.assertEqual(st, 404)
        self.assertEqual(body, b'{"code":"PGRST205","details":null,"hint":null,'
                               b'"message":"Could not find the table \'public.profiles\' in the schema cache"}')
        self.assertEqual(header(hs, "Content-Type"), JSON_CT)
        self.assertEqual(header(hs, "Proxy-Status"), "PostgREST; error=PGRST205")
        # The fix from the SQL editor: reload PostgREST's schema cache.
        self.sql(c, "NOTIFY pgrst, 'reload schema'")
        st, _, hs, body = c.rest("PATCH", QUOTA_PATH, {"free_image_quota": 4})
        self.assertEqual((st, body), (204, b""))
        self.assertEqual(header(hs, "Content-Range"), "0-0/*")  # one row changed
        self.assertEqual(c.quota(), 4)

    def test_2_anon_key_as_service_key(self):
        c = self.start("anon-key-as-service-key")
        # The backend holds the anon key in its "service key" slot. Reads work
        # (profiles are public in this project) ...
        st, _, _, body = c.rest("GET", READ_PATH, key=ANON)
        self.assertEqual((st, body), (200, b'[{"free_image_quota":5}]'))
        # ... the update "succeeds" and changes nothing: RLS hides the row from
        # anon, 0 rows, 204 with Content-Range */* ...
        st, _, hs, body = c.rest("PATCH", QUOTA_PATH, {"free_image_quota": 4}, key=ANON)
        self.assertEqual((st, body, header(hs, "Content-Range")), (204, b"", "*/*"))
        st, _, _, body = c.rest("PATCH", QUOTA_PATH, {"free_image_quota": 4}, key=ANON,
                                Prefer="return=representation")
        self.assertEqual((st, body), (200, b"[]"))
        self.assertEqual(c.quota(), 5)
        # ... and an insert is refused: 42501 as 401 for the anon role (Error.hs pgErrorStatus).
        st, _, hs, body = c.rest("POST", "profiles", {"user_id": DEMO_USER}, key=ANON)
        self.assertEqual((st, body), (401, error(
            "42501", 'new row violates row-level security policy for table "profiles"')))
        self.assertEqual(header(hs, "WWW-Authenticate"), "Bearer")
        # The forum fix: a policy for service_role. It does not help, because the
        # requests run as anon.
        self.sql(c, 'CREATE POLICY "Service role can do everything" ON profiles '
                    "AS PERMISSIVE FOR ALL TO service_role USING (true) WITH CHECK (true)")
        policies = self.sql(c, "SELECT * FROM pg_policies WHERE tablename = 'profiles'")
        self.assertIn("Service role can do everything", json.dumps(policies))
        st, _, hs, body = c.rest("PATCH", QUOTA_PATH, {"free_image_quota": 4}, key=ANON)
        self.assertEqual((st, header(hs, "Content-Range")), (204, "*/*"))
        self.assertEqual(c.quota(), 5)
        # The real fix: the service_role key (BYPASSRLS).
        st, _, hs, body = c.rest("PATCH", QUOTA_PATH, {"free_image_quota": 4}, key=SERVICE)
        self.assertEqual((st, header(hs, "Content-Range")), (204, "0-0/*"))
        self.assertEqual(c.quota(), 4)

    def test_3_schema_cache_loading(self):
        c = self.start("schema-cache-loading")
        # While PostgREST loads its schema cache: 503 PGRST002 with Retry-After,
        # twice, then the answer.
        body503 = error("PGRST002", "Could not query the database for the schema cache. Retrying.")
        for attempt in (1, 2):
            st, _, hs, body = c.rest("GET", READ_PATH)
            self.assertEqual((st, body), (503, body503), "attempt %d" % attempt)
            self.assertEqual(header(hs, "Retry-After"), "0")  # PostgREST's first backoff
            self.assertEqual(header(hs, "Proxy-Status"), "PostgREST; error=PGRST002")
        st, _, hs, body = c.rest("GET", READ_PATH)
        self.assertEqual((st, body), (200, b'[{"free_image_quota":5}]'))
        self.assertIsNone(header(hs, "Retry-After"))


if __name__ == "__main__":
    unittest.main()
