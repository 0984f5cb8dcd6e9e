"""Every key kind on every verb of /rest/v1/profiles, end to end.

Scenario: tests/fixtures/two-users.json (the default project: profiles with RLS,
own-row select/insert/update policies for authenticated, no delete policy,
Supabase's default grants; plus a second auth user without a profile).

Key kinds and the role each resolves to: the legacy
anon key and sb_publishable_ run as anon; the legacy service_role key and
sb_secret_ as service_role (which bypasses RLS); a user JWT as authenticated
with auth.uid() = its sub; a missing or unknown apikey never passes the hosted
gateway. supabase-js sends the key as the Bearer too, which for
sb_ keys counts as no user JWT.

Expected answers: RLS through PostgREST (invisible rows are 200 [] / 204 with
Content-Range */*, a failing WITH CHECK is 42501, 401 for anon with
WWW-Authenticate: Bearer, 403 otherwise), PostgREST's status and
Content-Range per verb (HEAD without a body, OPTIONS' Allow), the hosted
gateway's two 401 bodies, and Postgres's ExecInsert, which checks the INSERT
policy before ON CONFLICT, so a PUT by anon fails on it first.
"""

import json
import os
import unittest

from harness import Supamock, header, source_dir
from test_scenarios import ANON, DEMO_USER, SERVICE, error, user_token

FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "two-users.json")
PUBLISHABLE = "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH"
SECRET = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"
SECOND_USER = "8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f"
DEMO_PROFILE = "5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11"
ROW = "profiles?select=user_id,free_image_quota&user_id=eq." + DEMO_USER
OWN = "profiles?user_id=eq." + DEMO_USER

MISSING_BODY = (b'{"message":"No API key found in request","hint":"No `apikey` request header '
                b'or url param was found."}')
INVALID_BODY = (b'{"message":"Invalid API key","hint":"Double check your Supabase `anon` or '
                b'`service_role` API key."}')
RLS = error("42501", 'new row violates row-level security policy for table "profiles"')


def kinds():
    """(name, request headers, role class): anon, service, user or rejected."""
    return [
        ("anon", {"apikey": ANON, "Authorization": "Bearer " + ANON}, "anon"),
        ("publishable", {"apikey": PUBLISHABLE, "Authorization": "Bearer " + PUBLISHABLE}, "anon"),
        ("service_role", {"apikey": SERVICE, "Authorization": "Bearer " + SERVICE}, "service"),
        ("secret", {"apikey": SECRET, "Authorization": "Bearer " + SECRET}, "service"),
        ("user", {"apikey": ANON, "Authorization": "Bearer " + user_token()}, "user"),
        ("missing", {}, "missing"),
        ("invalid", {"apikey": "not-a-key", "Authorization": "Bearer not-a-key"}, "invalid"),
    ]


class KeyMatrix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", FIXTURE).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def setUp(self):
        st, _, _, body = self.mock.request("POST", "/__mock/reset")
        self.assertEqual(st, 200, body)

    def send(self, method, path, headers, body=None, **extra):
        h = dict(headers)
        h.update(extra)
        if body is not None:
            body = json.dumps(body)
            h["Content-Type"] = "application/json"
        return self.mock.request(method, "/rest/v1/" + path, body=body, headers=h)

    def stored(self):
        """The demo profile's quota and who has a profile, ignoring RLS."""
        st, _, _, body = self.mock.request("GET", "/__mock/tables/profiles")
        self.assertEqual(st, 200, body)
        rows = json.loads(body)
        return {r["user_id"]: r["free_image_quota"] for r in rows}

    def assertRejected(self, cls, resp, head=False):
        st, _, hs, body = resp
        self.assertEqual(st, 401)
        if not head:
            self.assertEqual(body, MISSING_BODY if cls == "missing" else INVALID_BODY)

    def assertEmpty204(self, resp):
        st, _, hs, body = resp
        self.assertEqual((st, body), (204, b""))
        self.assertEqual(header(hs, "Content-Range"), "*/*")

    def each(self, fn):
        for name, headers, cls in kinds():
            with self.subTest(key=name):
                self.setUp()
                fn(name, headers, cls)

    def test_get(self):
        def check(name, h, cls):
            r = self.send("GET", ROW, h)
            if cls in ("missing", "invalid"):
                return self.assertRejected(cls, r)
            st, _, hs, body = r
            if cls == "anon":  # no select policy for anon: nothing visible
                self.assertEqual((st, body, header(hs, "Content-Range")), (200, b"[]", "*/*"))
            else:
                want = json.dumps([{"user_id": DEMO_USER, "free_image_quota": 5}],
                                  separators=(",", ":")).encode()
                self.assertEqual((st, body, header(hs, "Content-Range")), (200, want, "0-0/*"))
        self.each(check)

    def test_head(self):
        def check(name, h, cls):
            r = self.send("HEAD", ROW, h)
            if cls in ("missing", "invalid"):
                return self.assertRejected(cls, r, head=True)
            st, _, hs, body = r
            self.assertEqual((st, body), (200, b""))
            self.assertIsNone(header(hs, "Content-Length"))
            self.assertEqual(header(hs, "Content-Range"), "*/*" if cls == "anon" else "0-0/*")
        self.each(check)

    def test_post(self):
        def check(name, h, cls):
            r = self.send("POST", "profiles", h, {"user_id": SECOND_USER})
            if cls in ("missing", "invalid"):
                return self.assertRejected(cls, r)
            st, _, hs, body = r
            if cls == "service":
                self.assertEqual((st, body, header(hs, "Content-Range")), (201, b"", "*/*"))
                self.assertIn(SECOND_USER, self.stored())
            else:
                # anon: no insert policy; the demo user: WITH CHECK auth.uid() = user_id.
                self.assertEqual((st, body), (401 if cls == "anon" else 403, RLS))
                self.assertEqual(header(hs, "WWW-Authenticate"),
                                 "Bearer" if cls == "anon" else None)
                self.assertNotIn(SECOND_USER, self.stored())
        self.each(check)

    def test_patch(self):
        def check(name, h, cls):
            r = self.send("PATCH", OWN, h, {"free_image_quota": 4})
            if cls in ("missing", "invalid"):
                return self.assertRejected(cls, r)
            if cls == "anon":  # the row is invisible to anon's UPDATE: silent success
                self.assertEmpty204(r)
                self.assertEqual(self.stored()[DEMO_USER], 5)
            else:
                st, _, hs, body = r
                self.assertEqual((st, body, header(hs, "Content-Range")), (204, b"", "0-0/*"))
                self.assertEqual(self.stored()[DEMO_USER], 4)
        self.each(check)

    def test_put(self):
        row = {"id": DEMO_PROFILE, "user_id": DEMO_USER, "email": "demo@example.com",
               "full_name": "Demo User", "free_image_quota": 3,
               "created_at": "2026-01-01T00:00:00+00:00", "updated_at": "2026-01-01T00:00:00+00:00"}

        def check(name, h, cls):
            r = self.send("PUT", "profiles?id=eq." + DEMO_PROFILE, h, row)
            if cls in ("missing", "invalid"):
                return self.assertRejected(cls, r)
            st, _, hs, body = r
            if cls == "anon":
                self.assertEqual((st, body), (401, RLS))
                self.assertEqual(self.stored()[DEMO_USER], 5)
            else:
                self.assertEqual((st, body), (204, b""))
                self.assertEqual(self.stored()[DEMO_USER], 3)
        self.each(check)

    def test_delete(self):
        def check(name, h, cls):
            r = self.send("DELETE", OWN, h)
            if cls in ("missing", "invalid"):
                return self.assertRejected(cls, r)
            # DELETE answers */* whatever it deleted; only
            # service_role, which bypasses RLS, sees a row to delete (no
            # delete policy exists for anon or authenticated).
            self.assertEmpty204(r)
            self.assertEqual(DEMO_USER in self.stored(), cls != "service")
        self.each(check)

    def test_options(self):
        def check(name, h, cls):
            r = self.send("OPTIONS", "profiles", h)
            if cls in ("missing", "invalid"):
                return self.assertRejected(cls, r)
            st, _, hs, body = r
            self.assertEqual((st, body), (200, b""))
            self.assertEqual(header(hs, "Allow"), "OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE")
        self.each(check)


if __name__ == "__main__":
    unittest.main()
