"""Functions on the memory engine: the rpc project's requests
(test_pg_rpc.py's RpcCases, whose expectations come from PostgREST's source
and PostgreSQL 15) on the same SQL loaded as a scenario, and the projects'
handle_new_user triggers firing on GoTrue's signups as on the database
engine (test_pg_auth.py: GoTrue's api/signup.go, errors.go's 500 texts,
utilities.NewPostgresError for the initial API version).

The memory engine does not take --project (it reads a project's SQL through a
scenario's "sql" list): each fixture folder has a memory.json naming the same
migrations and seed.
"""

import json
import os
import re
import unittest

from harness import Supamock, source_dir
from test_pg_rpc import RpcCases
from test_scenarios import ANON, SERVICE

PROJECTS = os.path.join(source_dir(), "tests", "fixtures", "projects")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class RpcOnTheMemoryEngine(RpcCases, unittest.TestCase):
    # What the memory engine does not run yet: unnest() in FROM (sum_all),
    # length(bytea) (byte_count), set_config/current_setting/pg_sleep
    # (make_thing, isolation, slow) and a user function called from an
    # expression (peek_quota calls use_quota).
    GAPS = frozenset({"unnest", "bytea", "set_config", "settings", "nested_calls"})

    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", os.path.join(PROJECTS, "rpc", "memory.json")).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def test_every_function_of_the_project_loads(self):
        # Nothing of the project's functions is left out on the memory
        # engine (what is left out is said at load: test_plpgsql.c).
        self.assertNotIn("create function", self.mock.stderr())

    def test_strict_defaults_and_errors_roll_back(self):
        # use_quota's UPDATE is undone when the call fails after it: a
        # request is one transaction (quota "ada" has 2 units in the seed;
        # test_quota_runs_out may have used them, so count from what is left).
        st, left = self.json("POST", "use_quota", '{"who": "ada"}',
                             **{"Content-Type": "application/json"})
        if st == 200:
            self.assertIn(left, (0, 1))
        st, data = self.json("GET", "use_quota?who=ada")
        # GET is READ ONLY: 25006, the UPDATE never happened.
        self.assertEqual((st, data["code"]), (405, "25006"))


class TriggersOnTheMemoryEngine(unittest.TestCase):
    def call(self, mock, method, path, body=None, key=ANON, bearer=None, **headers):
        h = {"apikey": key, "Content-Type": "application/json"}
        if bearer:
            h["Authorization"] = "Bearer " + bearer
        h.update(headers)
        status, _, _, raw = mock.request(method, path,
                                         body=None if body is None else json.dumps(body),
                                         headers=h)
        return status, json.loads(raw) if raw else None

    def test_profiles_signup_runs_handle_new_user(self):
        with Supamock("--scenario", os.path.join(PROJECTS, "profiles", "memory.json")) as mock:
            status, body = self.call(mock, "POST", "/auth/v1/signup",
                                     {"email": "Grace@Example.com", "password": "cobol-1959",
                                      "data": {"full_name": "Grace Hopper"}})
            self.assertEqual(status, 200, body)
            uid = body["user"]["id"]
            self.assertRegex(uid, UUID)
            # handle_new_user made the profile from new.raw_user_meta_data.
            status, rows = self.call(mock, "GET", "/rest/v1/profiles?select=id,full_name")
            self.assertEqual((status, rows), (200, [{"id": uid, "full_name": "Grace Hopper"}]))
            # The access token's user reaches its own profile through RLS.
            token = body["access_token"]
            status, rows = self.call(mock, "PATCH", "/rest/v1/profiles?id=eq." + uid,
                                     {"username": "grace"}, bearer=token,
                                     Prefer="return=representation")
            self.assertEqual(status, 200)
            self.assertEqual([r["username"] for r in rows], ["grace"])
            mock.assert_healthy(self)

    def test_quota_signup_gets_its_profile(self):
        with Supamock("--scenario", os.path.join(PROJECTS, "quota", "memory.json")) as mock:
            status, body = self.call(mock, "POST", "/auth/v1/signup",
                                     {"email": "ada@example.com", "password": "analytical-1843"})
            self.assertEqual(status, 200, body)
            uid = body["user"]["id"]
            status, rows = self.call(mock, "GET",
                                     "/rest/v1/profiles?select=user_id,email,free_image_quota",
                                     bearer=body["access_token"])
            self.assertEqual((status, rows), (200, [{"user_id": uid, "email": "ada@example.com",
                                                     "free_image_quota": 5}]))
            mock.assert_healthy(self)

    def test_failing_trigger_answers_gotrue_500(self):
        scenario = os.path.join(PROJECTS, "profiles", "closed-signups.json")
        with Supamock("--scenario", scenario) as mock:
            signup = {"email": "nobody@example.com", "password": "secret-123"}
            # Initial API version: P0001 is public (NewPostgresError), status 500.
            status, body = self.call(mock, "POST", "/auth/v1/signup", signup)
            self.assertEqual((status, body), (500, {"code": "P0001",
                                                    "message": "signups are closed"}))
            # 2024-01-01: the HTTPError's code and message.
            status, body = self.call(mock, "POST", "/auth/v1/signup", signup,
                                     **{"X-Supabase-Api-Version": "2024-01-01"})
            self.assertEqual((status, body), (500, {"code": "unexpected_failure",
                                                    "message": "Database error saving new user"}))
            # Nothing was kept: the user cannot sign in, no profile exists.
            status, body = self.call(mock, "POST", "/auth/v1/token?grant_type=password", signup)
            self.assertEqual((status, body["error_code"]), (400, "invalid_credentials"))
            status, rows = self.call(mock, "GET", "/rest/v1/profiles")
            self.assertEqual((status, rows), (200, []))
            # admin.go adminUserCreate's message for the same failure.
            status, body = self.call(mock, "POST", "/auth/v1/admin/users",
                                     {"email": "admin-made@example.com", "password": "secret-123"},
                                     key=SERVICE, bearer=SERVICE,
                                     **{"X-Supabase-Api-Version": "2024-01-01"})
            self.assertEqual((status, body), (500, {"code": "unexpected_failure",
                                                    "message": "Database error creating new user"}))
            mock.assert_healthy(self)


if __name__ == "__main__":
    unittest.main()
