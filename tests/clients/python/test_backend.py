"""The Python backend (backend.py) against every shipped scenario: what a
backend sees and how it must map it (no 500 for a stale cache, no crash, a
clear message). The answers supamock gives are asserted byte for byte
in tests/e2e/test_scenarios.py; here the backend's own answers are asserted.

Run: SUPAMOCK_BIN=... SUPAMOCK_SOURCE_DIR=... python3 -m unittest -v test_backend
"""

import json
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "e2e"))

from backend import Backend  # noqa: E402
from test_scenarios import (ANON, DEMO_USER, SERVICE, T0, Client, Supamock,  # noqa: E402
                            scenario_names, user_token)

NOBODY = "00000000-0000-4000-8000-000000000000"


class BackendCase(unittest.TestCase):
    def run_against(self, scenario, key=SERVICE):
        mock = Supamock("--scenario", scenario).start()
        self.addCleanup(mock.stop)
        backend = Backend(mock.url, key).start()
        self.addCleanup(backend.stop)
        return mock, backend

    def assertAnswer(self, got, status, error, *fragments):
        st, body = got
        self.assertEqual((st, body.get("error")), (status, error), body)
        for f in fragments:
            self.assertIn(f, body["message"])


class EveryScenario(BackendCase):
    def test_no_scenario_crashes_the_backend_or_gives_a_bare_500(self):
        # Every answer is JSON with an error slug and a message, or a success.
        for name in ["default"] + scenario_names():
            with self.subTest(scenario=name):
                mock = Supamock("--scenario", name).start()
                backend = Backend(mock.url, SERVICE).start()
                try:
                    for _ in range(3):
                        st, body = backend.generate(DEMO_USER)
                        if st == 200:
                            self.assertIn("free_image_quota", body)
                        else:
                            self.assertTrue(body.get("error") and body.get("message"), body)
                finally:
                    backend.stop()
                    mock.stop()


class PerScenario(BackendCase):
    def test_default_decrements(self):
        _, b = self.run_against("default")
        self.assertEqual(b.generate(DEMO_USER), (200, {"user_id": DEMO_USER, "free_image_quota": 4,
                                                       "image": "generated"}))
        self.assertEqual(b.generate(DEMO_USER)[1]["free_image_quota"], 3)

    def test_default_unknown_user_is_404(self):
        # Accept: vnd.pgrst.object+json with 0 rows is 406 PGRST116 (PostgREST Error.hs).
        _, b = self.run_against("default")
        self.assertAnswer(b.generate(NOBODY), 404, "no_profile", "no profile for user " + NOBODY)

    def test_stale_schema_cache_is_503_then_works_after_reload(self):
        mock, b = self.run_against("stale-schema-cache")
        self.assertAnswer(b.generate(DEMO_USER), 503, "schema_out_of_date",
                          "database schema is out of date, retry shortly", "PGRST205")
        Client(mock).admin("POST", "/reload-schema")
        self.assertEqual(b.generate(DEMO_USER)[1].get("free_image_quota"), 4)

    def test_table_not_in_cache_does_not_touch_profiles(self):
        _, b = self.run_against("table-not-in-cache")
        self.assertEqual(b.generate(DEMO_USER)[0], 200)

    def test_column_not_in_cache_is_503(self):
        mock, b = self.run_against("column-not-in-cache")
        self.assertAnswer(b.generate(DEMO_USER), 503, "schema_out_of_date",
                          "database schema is out of date", "PGRST204")
        self.assertEqual(Client(mock).quota(), 5)

    def test_no_update_policy_with_the_user_token(self):
        mock, b = self.run_against("no-update-policy")
        # The scenario runs on real time (as default does): a token issued now.
        self.assertAnswer(b.generate(DEMO_USER, user_token(iat=int(time.time()))), 500, "update_ignored",
                          "changed no row", "UPDATE policy")
        self.assertEqual(Client(mock).quota(), 5)
        self.assertEqual(b.generate(DEMO_USER)[0], 200)  # the service key is not affected

    def test_anon_key_as_service_key_is_named(self):
        mock, b = self.run_against("anon-key-as-service-key", key=ANON)
        self.assertAnswer(b.generate(DEMO_USER), 500, "update_ignored",
                          "role anon", "anon key, not the service_role key")
        self.assertEqual(Client(mock).quota(), 5)

    def test_missing_grants_names_the_permission(self):
        _, b = self.run_against("missing-grants")
        self.assertAnswer(b.generate(DEMO_USER), 500, "permission_denied",
                          "permission denied for table profiles", "role service_role", "GRANT")

    def test_missing_apikey(self):
        _, b = self.run_against("missing-apikey", key="")
        self.assertAnswer(b.generate(DEMO_USER), 500, "supabase_api_key",
                          "no Supabase API key was sent", "No API key found in request")

    def test_invalid_apikey(self):
        _, b = self.run_against("invalid-apikey")
        self.assertAnswer(b.generate(DEMO_USER), 500, "supabase_api_key",
                          "invalid Supabase API key", "Invalid API key")

    def test_expired_user_jwt_is_401(self):
        _, b = self.run_against("expired-user-jwt")
        self.assertAnswer(b.generate(DEMO_USER, user_token()), 401, "session_expired",
                          "sign in again", "JWT expired")
        self.assertEqual(b.generate(DEMO_USER, user_token(iat=T0 + 7200))[0], 200)

    def test_schema_cache_loading_is_retried(self):
        mock, b = self.run_against("schema-cache-loading")
        self.assertEqual(b.generate(DEMO_USER)[1].get("free_image_quota"), 4)
        st, journal = Client(mock).admin("GET", "/requests")
        self.assertEqual([e["status"] for e in journal["requests"]], [503, 503, 200, 200])

    def test_gateway_5xx(self):
        mock, b = self.run_against("gateway-5xx")
        self.assertAnswer(b.generate(DEMO_USER), 502, "supabase_unavailable", "HTTP 502",
                          "An invalid response was received from the upstream server")
        self.assertAnswer(b.generate(DEMO_USER), 504, "supabase_timeout",
                          "may or may not have been applied")
        self.assertEqual(b.generate(DEMO_USER)[1].get("free_image_quota"), 4)

    def test_connection_faults(self):
        _, b = self.run_against("connection-faults")
        self.assertAnswer(b.generate(DEMO_USER), 502, "supabase_unreachable", "GET /rest/v1/profiles",
                          "ConnectionResetError")
        self.assertAnswer(b.generate(DEMO_USER), 502, "supabase_unreachable", "IncompleteRead")
        self.assertAnswer(b.generate(DEMO_USER), 502, "supabase_unreachable", "PATCH /rest/v1/profiles")
        self.assertAnswer(b.generate(DEMO_USER), 502, "supabase_unreachable", "PATCH /rest/v1/profiles")
        self.assertEqual(b.generate(DEMO_USER)[1].get("free_image_quota"), 4)


PG_BIN = "/usr/lib/postgresql/15/bin/postgres"
QUOTA_PROJECT = os.path.join(HERE, "..", "..", "fixtures", "projects", "quota")


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class ProjectOnTheDatabase(BackendCase):
    """The backend against a project folder on the database engine: users sign
    up through Supabase Auth (GoTrue inserts them into auth.users, the
    project's trigger makes their profile), and the backend acts as each user
    with the user's access token, so row-level security decides (Postgres's
    own answer to the policies in the project's migration)."""

    def sign_up(self, mock, email):
        body = json.dumps({"email": email, "password": "secret-123"})
        st, _, _, raw = mock.request("POST", "/auth/v1/signup", body=body,
                                     headers={"apikey": ANON, "Content-Type": "application/json"})
        self.assertEqual(st, 200, raw)
        answer = json.loads(raw)
        return answer["user"]["id"], answer["access_token"]

    def test_signed_up_users_spend_their_own_quota_only(self):
        mock = Supamock("--db", "postgres", "--project", QUOTA_PROJECT, ready_timeout=120.0).start()
        self.addCleanup(mock.stop)
        backend = Backend(mock.url, ANON).start()
        self.addCleanup(backend.stop)
        ada, ada_token = self.sign_up(mock, "ada@example.com")
        bob, bob_token = self.sign_up(mock, "bob@example.com")
        # The trigger gave each a profile with the column default (5).
        self.assertEqual(backend.generate(ada, ada_token),
                         (200, {"user_id": ada, "free_image_quota": 4, "image": "generated"}))
        # Bob may read Ada's profile but the update policy filters her row
        # out of his PATCH: PostgREST answers 200 [], which the backend
        # reports instead of pretending it spent the quota.
        st, body = backend.generate(ada, bob_token)
        self.assertEqual((st, body["error"]), (500, "update_ignored"), body)
        self.assertEqual(backend.generate(bob, bob_token)[1]["free_image_quota"], 4)
        self.assertEqual(backend.generate(ada, ada_token)[1]["free_image_quota"], 3)


if __name__ == "__main__":
    unittest.main()
