"""POST /__mock/sql end to end: statements change what /rest/v1 answers.
Expected values: the answer shapes README.md documents, a reload bringing
in_schema_cache:false tables into the cache, PostgREST's PGRST205 body,
own-row RLS filtering reads to an empty array, scenarios/default.json (the
demo user and its profile). JWTs are minted here with the scenario's secret
(HS256), as Supabase Auth would issue them.
"""

import base64
import hashlib
import hmac
import json
import os
import unittest

from harness import Supamock, source_dir

SECRET = b"super-secret-jwt-token-with-at-least-32-characters-long"
SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
ANON = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJl"
        "eHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
DEMO_USER = "13ab4cf1-8587-4685-874b-c2d37beeab38"
STRANGER = "0b6d2a3c-1f4e-4a5b-8c7d-9e0f1a2b3c4d"
FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "sql-basic.json")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(sub, role="authenticated"):
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64url(json.dumps({"sub": sub, "role": role, "aud": "authenticated",
                                "exp": 1983812996}).encode())
    sig = hmac.new(SECRET, (header + "." + claims).encode(), hashlib.sha256).digest()
    return header + "." + claims + "." + b64url(sig)


class SqlTest(unittest.TestCase):
    def setUp(self):
        self.mock = Supamock("--scenario", FIXTURE).start()

    def tearDown(self):
        self.mock.stop()

    def sql(self, text, status=200):
        st, _, _, data = self.mock.request("POST", "/__mock/sql", body=json.dumps({"sql": text}),
                                           headers={"Content-Type": "application/json"})
        self.assertEqual(st, status, data)
        return json.loads(data)

    def rest(self, path, token):
        st, _, _, data = self.mock.request("GET", "/rest/v1/" + path,
                                           headers={"apikey": ANON,
                                                    "Authorization": "Bearer " + token})
        return st, data

    def test_create_policy_changes_what_a_user_sees(self):
        token = mint(STRANGER)
        # default.json: "Users can view own profile" (auth.uid() = user_id) hides
        # the demo user's profile from anyone else: RLS filters, 200 [].
        self.assertEqual(self.rest("profiles?select=user_id", token), (200, b"[]"))
        body = self.sql("create policy \"Profiles are public\" on public.profiles "
                        "for select to authenticated using (true)")
        self.assertEqual(body, {"results": [{"command": "CREATE POLICY"}]})
        self.assertEqual(self.rest("profiles?select=user_id", token),
                         (200, ('[{"user_id":"%s"}]' % DEMO_USER).encode()))
        # pg_policies shows it as pg_get_expr deparses `true`.
        rows = self.sql("select policyname, roles, cmd, qual, with_check from pg_policies "
                        "where policyname = 'Profiles are public'")["results"][0]["rows"]
        self.assertEqual(rows, [{"policyname": "Profiles are public", "roles": ["authenticated"],
                                 "cmd": "SELECT", "qual": "true", "with_check": None}])
        # Dropping it again hides the row again.
        self.sql("drop policy \"Profiles are public\" on profiles")
        self.assertEqual(self.rest("profiles?select=user_id", token), (200, b"[]"))

    def test_disable_rls_opens_the_table(self):
        token = mint(STRANGER)
        self.sql("alter table profiles disable row level security")
        self.assertEqual(self.rest("profiles?select=user_id", token),
                         (200, ('[{"user_id":"%s"}]' % DEMO_USER).encode()))

    def test_notify_reloads_the_schema_cache(self):
        st, data = self.rest("notes", SERVICE)
        self.assertEqual(st, 404)
        self.assertEqual(json.loads(data)["code"], "PGRST205")
        self.assertEqual(self.sql("NOTIFY pgrst, 'reload schema'"),
                         {"results": [{"command": "NOTIFY"}]})
        self.assertEqual(self.rest("notes?select=id,body", SERVICE),
                         (200, b'[{"id":1,"body":"hello"}]'))

    def test_errors(self):
        body = self.sql("create policy p on profiles for insert using (true)", status=400)
        self.assertEqual(body, {"error": "only WITH CHECK expression allowed for INSERT",
                                "code": "42601", "statement": 1})
        body = self.sql("truncate profiles", status=400)
        self.assertEqual(body, {"error": "supamock's /__mock/sql supports NOTIFY pgrst, CREATE "
                                         "POLICY, DROP POLICY, ALTER TABLE ... ENABLE|DISABLE ROW "
                                         "LEVEL SECURITY, GRANT, REVOKE, SELECT, INSERT, UPDATE "
                                         "and DELETE; got: truncate profiles"})


if __name__ == "__main__":
    unittest.main()
