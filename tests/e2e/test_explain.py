"""GET /__mock/requests/ID/explain: why a /rest/v1 request got its answer,
for the silent outcomes of the shipped scenarios (a PATCH that changes
nothing, a read that returns []) and the loud ones (42501 from a WITH CHECK or
a missing grant), plus the debug access-log line.

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_explain.py
"""

import json
import unittest

from harness import FIXED_CLOCK, Supamock
from test_scenarios import ANON, DEMO_USER, Client, user_token

OTHER_USER = "8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f"


class ExplainCase(unittest.TestCase):
    SCENARIO = "default"
    ARGS = FIXED_CLOCK

    def setUp(self):
        self.mock = Supamock("--scenario", self.SCENARIO, *self.ARGS).start()
        self.c = Client(self.mock)

    def tearDown(self):
        self.mock.stop()

    def last_id(self):
        st, _, _, body = self.mock.request("GET", "/__mock/requests")
        self.assertEqual(st, 200, body)
        return json.loads(body)["requests"][-1]["id"]

    def explain(self, resp=None):
        """The explanation of the last journaled request."""
        st, _, _, body = self.mock.request("GET", "/__mock/requests/%d/explain" % self.last_id())
        self.assertEqual(st, 200, body)
        return json.loads(body)

    def policy(self, x, name):
        return next(p for p in x["explain"]["policies"] if p["name"] == name)


class NoUpdatePolicy(ExplainCase):
    SCENARIO = "no-update-policy"

    def test_patch_that_updates_nothing_names_the_missing_policy(self):
        st, _, _, _ = self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER,
                                  {"full_name": "x"}, key=ANON, bearer=user_token())
        self.assertEqual(st, 204)
        x = self.explain()
        e = x["explain"]
        self.assertEqual((x["method"], x["path"], x["status"]), ("PATCH", "/rest/v1/profiles", 204))
        self.assertEqual((e["role"], e["key"], e["role_from"]), ("authenticated", "user",
                                                                "authorization"))
        self.assertEqual((e["table"], e["command"]), ("public.profiles", "UPDATE"))
        self.assertEqual(e["grants"], [
            {"privilege": "UPDATE", "table": "public.profiles", "role": "authenticated",
             "granted": True},
            {"privilege": "SELECT", "table": "public.profiles", "role": "authenticated",
             "granted": True}])
        self.assertEqual(e["rls"], {"enabled": True, "bypassed": False, "rows_matched": 1,
                                    "rows_visible": 0, "policies_not_recorded": 0})
        view = self.policy(x, "Users can view own profile")
        self.assertEqual((view["command"], view["permissive"], view["applies"]),
                         ("SELECT", True, False))
        self.assertFalse(any(p["applies"] for p in e["policies"]))
        self.assertIsNone(e["with_check"])
        self.assertTrue(x["text"].startswith(
            "PATCH /profiles matched 0 rows: 1 row exists; role authenticated has no UPDATE "
            "policy on public.profiles, so RLS hides every row from it (policies: "
            "'Users can view own profile' is SELECT only"), x["text"])
        self.assertIn("from the Authorization header (a user JWT)", x["text"])

    def test_service_role_bypasses_rls(self):
        st, _, _, _ = self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"full_name": "x"})
        self.assertEqual(st, 204)
        x = self.explain()
        e = x["explain"]
        # The client sends the key as the Bearer token too (as supabase-js does).
        self.assertEqual((e["role"], e["key"], e["role_from"]), ("service_role", "service_role",
                                                                "authorization"))
        self.assertEqual(e["rls"]["bypassed"], True)
        self.assertEqual(e["policies"], [])
        self.assertEqual(x["text"],
                         "PATCH /profiles matched 1 row; role service_role bypasses RLS on "
                         "public.profiles (BYPASSRLS), so no policy applied; role service_role "
                         "from the Authorization header (the service_role key); grants checked: UPDATE, SELECT "
                         "on public.profiles to service_role, all granted")


class DefaultScenario(ExplainCase):
    def test_anon_read_returning_nothing_names_the_policy_for_other_roles(self):
        st, _, _, body = self.c.rest("GET", "profiles", key=ANON)
        self.assertEqual((st, body), (200, b"[]"))
        x = self.explain()
        self.assertEqual(x["explain"]["rls"]["rows_matched"], 1)
        self.assertEqual(x["explain"]["rls"]["rows_visible"], 0)
        self.assertTrue(x["text"].startswith(
            "GET /profiles matched 0 rows: 1 row exists; role anon has no SELECT policy on "
            "public.profiles, so RLS hides every row from it (policies: 'Users can view own "
            "profile' is for authenticated (SELECT)"), x["text"])
        self.assertIn("role anon from the Authorization header (the anon key)", x["text"])
        # The apikey alone (no Authorization): the gateway forwards the key.
        self.mock.request("GET", "/rest/v1/profiles", headers={"apikey": ANON})
        x = self.explain()
        self.assertEqual(x["explain"]["role_from"], "apikey")
        self.assertIn("role anon from the apikey (the anon key)", x["text"])

    def test_read_whose_rows_a_using_hid_names_the_policy_and_the_count(self):
        # A PUBLIC policy, so anon is under it: its USING hides the demo row.
        st, _, _, body = self.mock.request(
            "POST", "/__mock/sql",
            json.dumps({"sql": "create policy \"Own rows\" on profiles for select "
                               "using (auth.uid() = user_id)"}).encode(),
            {"Content-Type": "application/json"})
        self.assertEqual(st, 200, body)
        st, _, _, body = self.c.rest("GET", "profiles", key=ANON)
        self.assertEqual((st, body), (200, b"[]"))
        x = self.explain()
        own = self.policy(x, "Own rows")
        self.assertEqual((own["applies"], own["rows_hidden"]), (True, 1))
        self.assertIn("GET /profiles matched 0 rows: 1 row exists; RLS applies to role anon on "
                      "public.profiles; policy 'Own rows' (SELECT, permissive) USING hid 1 row",
                      x["text"])
        # The same for another user under the authenticated-only policy.
        self.c.rest("GET", "profiles", key=ANON, bearer=user_token(sub=OTHER_USER))
        x = self.explain()
        self.assertIn("policy 'Users can view own profile' (SELECT, permissive) USING hid 1 row",
                      x["text"])

    def test_insert_refused_by_with_check_names_the_policy(self):
        st, _, _, body = self.c.rest("POST", "profiles", {"user_id": DEMO_USER}, key=ANON,
                                     bearer=user_token(sub=OTHER_USER))
        self.assertEqual(st, 403, body)
        x = self.explain()
        self.assertEqual(x["code"], "42501")
        self.assertEqual(x["explain"]["with_check"], {"failed": True, "command": "INSERT",
                                                      "policy": None, "conflict": False})
        self.assertTrue(x["text"].startswith(
            "POST /profiles was refused (403 42501): the new row failed the WITH CHECK of every "
            "permissive INSERT policy on public.profiles: 'Users can insert own profile'"),
            x["text"])

    def test_anon_insert_without_an_insert_policy(self):
        st, _, _, _ = self.c.rest("POST", "profiles", {"user_id": DEMO_USER}, key=ANON)
        self.assertEqual(st, 401)
        self.assertTrue(self.explain()["text"].startswith(
            "POST /profiles was refused (401 42501): role anon has no INSERT policy on "
            "public.profiles, so every new row is refused (policies: "))

    def test_restrictive_with_check_is_named(self):
        st, _, _, body = self.mock.request(
            "POST", "/__mock/sql",
            json.dumps({"sql": "create policy \"No zero quota\" on profiles as restrictive "
                               "for insert with check (free_image_quota > 0)"}).encode(),
            {"Content-Type": "application/json"})
        self.assertEqual(st, 200, body)
        st, _, _, body = self.c.rest("POST", "profiles",
                                     {"user_id": OTHER_USER, "free_image_quota": 0}, key=ANON,
                                     bearer=user_token(sub=OTHER_USER))
        self.assertEqual(st, 403, body)
        x = self.explain()
        self.assertEqual(x["explain"]["with_check"]["policy"], "No zero quota")
        self.assertIn("the new row failed the WITH CHECK of restrictive policy 'No zero quota' "
                      "(INSERT) on public.profiles", x["text"])

    def test_unknown_entry_is_404(self):
        st, _, _, body = self.mock.request("GET", "/__mock/requests/999/explain")
        self.assertEqual(st, 404, body)

    def test_non_rest_request_has_no_explanation(self):
        self.mock.request("GET", "/auth/v1/health", headers={"apikey": ANON})
        x = self.explain()
        self.assertIsNone(x["explain"])
        self.assertIn("only /rest/v1 requests are explained", x["text"])


class AnonKeyAsServiceKey(ExplainCase):
    SCENARIO = "anon-key-as-service-key"

    def test_patch_with_the_anon_key_names_the_missing_update_policy(self):
        st, _, _, _ = self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER,
                                  {"full_name": "x"}, key=ANON)
        self.assertEqual(st, 204)
        x = self.explain()
        self.assertTrue(x["text"].startswith(
            "PATCH /profiles matched 0 rows: 1 row exists; role anon has no UPDATE policy on "
            "public.profiles, so RLS hides every row from it (policies: 'Users can view own "
            "profile' is for authenticated (SELECT), 'Users can insert own profile' is for "
            "authenticated (INSERT), 'Users can update own profile' is for authenticated "
            "(UPDATE), 'Public profiles are viewable by everyone.' is SELECT only)"), x["text"])

    def test_missing_table_is_explained_without_a_table(self):
        st, _, _, _ = self.c.rest("GET", "nope", key=ANON)
        self.assertEqual(st, 404)
        x = self.explain()
        self.assertEqual((x["code"], x["explain"]["table"]), ("PGRST205", None))
        self.assertIn("GET /nope answered 404 (PGRST205) with no grant or RLS facts recorded",
                      x["text"])


class GatewayRule(ExplainCase):
    SCENARIO = "gateway-5xx"

    def test_rule_answer_is_named(self):
        st, _, _, _ = self.c.rest("GET", "profiles")
        self.assertEqual(st, 502)
        x = self.explain()
        self.assertIsNone(x["explain"])
        self.assertEqual(x["text"], "GET /rest/v1/profiles was answered by the fault rule "
                                    "'gateway: bad gateway on a read' (status 502), not by the "
                                    "model")


class MissingGrants(ExplainCase):
    SCENARIO = "missing-grants"

    def test_grant_refusal_names_the_privilege(self):
        st, _, _, _ = self.c.rest("GET", "profiles")
        self.assertEqual(st, 403)
        x = self.explain()
        self.assertEqual(x["explain"]["grants"], [
            {"privilege": "SELECT", "table": "public.profiles", "role": "service_role",
             "granted": False}])
        self.assertTrue(x["text"].startswith(
            "GET /profiles was refused (403 42501): role service_role lacks the SELECT privilege "
            "on public.profiles (GRANT SELECT ON public.profiles TO service_role)"), x["text"])


class DebugLog(ExplainCase):
    SCENARIO = "no-update-policy"
    ARGS = FIXED_CLOCK + ("--log-level", "debug")

    def test_access_log_prints_the_explanation(self):
        self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"full_name": "x"}, key=ANON)
        self.mock.request("GET", "/__mock/health")
        self.mock.stop()
        self.assertIn("explain: PATCH /profiles matched 0 rows: 1 row exists; role anon has no "
                      "UPDATE policy on public.profiles", self.mock.stderr())

    def tearDown(self):
        if self.mock.proc.returncode is None:
            self.mock.stop()


if __name__ == "__main__":
    unittest.main()
