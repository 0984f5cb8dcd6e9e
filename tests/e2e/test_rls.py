"""Grants, row-level security and CHECK constraints on /rest/v1, end to end.

Scenario: tests/fixtures/rls-policies.json (two-users + notes, audit_log,
readonly). Expected statuses, headers and bodies come from
PostgREST (Error.hs: error shape, 42501 as 401 for the anon role, 403
otherwise; RLS passed through from Postgres; per-verb headers) and from
Postgres's execMain.c (ExecWithCheckOptions messages, ExecConstraints),
never from what the binary prints.

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_rls.py
"""

import json
import os
import unittest

from harness import Supamock, header, source_dir
from test_scenarios import ANON, DEMO_USER, JSON_CT, SERVICE, Client, error, user_token

FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "rls-policies.json")
# The second auth user of tests/fixtures/two-users.json (no profile).
SECOND_USER = "8d0fd2b3-9ca7-4b6e-a4b9-0a7c4b1d2e3f"
SECOND_EMAIL = "second@example.com"
DEMO_PROFILE = "5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11"


def rls_error(table, policy=None, using=False):
    """execMain.c ExecWithCheckOptions."""
    name = ' "%s"' % policy if policy else ""
    expr = " (USING expression)" if using else ""
    return error("42501", 'new row violates row-level security policy%s%s for table "%s"'
                 % (name, expr, table))


def denied(table, priv, role):
    """42501 for a missing grant with Supabase's hint."""
    return error("42501", "permission denied for table " + table,
                 hint="Grant the required privileges to the current role with: "
                      "GRANT %s ON public.%s TO %s;" % (priv, table, role))


class RlsCase(unittest.TestCase):
    def setUp(self):
        self.mock = Supamock("--scenario", FIXTURE).start()
        self.c = Client(self.mock)
        self.me = user_token()
        self.second = user_token(sub=SECOND_USER, email=SECOND_EMAIL)

    def tearDown(self):
        self.mock.stop()

    def as_user(self, token, method, path, body=None, **headers):
        # supabase-js: apikey is the anon key, Authorization the session JWT.
        return self.c.rest(method, path, body, key=ANON, bearer=token, **headers)

    def assertError(self, resp, status, body, www_authenticate=None):
        """Exact status and body; PostgREST's error headers (Content-Type,
        Content-Length, Proxy-Status), and WWW-Authenticate: Bearer only on 401."""
        st, _, hs, data = resp
        self.assertEqual((st, data), (status, body))
        self.assertEqual(header(hs, "Content-Type"), JSON_CT)
        self.assertEqual(header(hs, "Content-Length"), str(len(body)))
        self.assertEqual(header(hs, "Proxy-Status"),
                         "PostgREST; error=" + json.loads(body)["code"])
        self.assertEqual(header(hs, "WWW-Authenticate"), www_authenticate)

    def assertEmpty204(self, resp):
        """Zero rows changed: 204, no body, Content-Range */*."""
        st, _, hs, data = resp
        self.assertEqual((st, data), (204, b""))
        self.assertEqual(header(hs, "Content-Range"), "*/*")
        self.assertIsNone(header(hs, "Content-Type"))

    def service_rows(self, path):
        st, _, _, body = self.c.rest("GET", path)
        self.assertEqual(st, 200, body)
        return json.loads(body)


class OwnProfile(RlsCase):
    """Default's own-row policies on profiles (scenarios/default.json)."""

    def test_user_reads_only_their_own_profile(self):
        st, _, hs, body = self.as_user(self.me, "GET", "profiles?select=id,user_id")
        self.assertEqual(st, 200)
        self.assertEqual(json.loads(body), [{"id": DEMO_PROFILE, "user_id": DEMO_USER}])
        self.assertEqual(header(hs, "Content-Range"), "0-0/*")

    def test_another_users_profile_is_invisible_not_an_error(self):
        # GET with no visible row: 200 [] and */*.
        st, _, hs, body = self.as_user(self.second, "GET", "profiles?user_id=eq." + DEMO_USER)
        self.assertEqual((st, body), (200, b"[]"))
        self.assertEqual(header(hs, "Content-Range"), "*/*")
        # count=exact counts only visible rows: */0.
        st, _, hs, body = self.as_user(self.second, "GET", "profiles", Prefer="count=exact")
        self.assertEqual((st, body), (200, b"[]"))
        self.assertEqual(header(hs, "Content-Range"), "*/0")

    def test_user_updates_their_own_profile(self):
        st, _, hs, body = self.as_user(self.me, "PATCH", "profiles?user_id=eq." + DEMO_USER,
                                       {"full_name": "Renamed"}, Prefer="return=representation",
                                       **{"Accept": "application/vnd.pgrst.object+json"})
        self.assertEqual(st, 200, body)
        self.assertEqual(json.loads(body)["full_name"], "Renamed")
        self.assertEqual(self.service_rows("profiles?select=full_name"),
                         [{"full_name": "Renamed"}])

    def test_updating_another_users_profile_changes_nothing(self):
        # The row is invisible to the UPDATE: 0 rows, a success.
        self.assertEmpty204(self.as_user(self.second, "PATCH", "profiles?user_id=eq." + DEMO_USER,
                                         {"full_name": "Hijacked"}))
        st, _, _, body = self.as_user(self.second, "PATCH", "profiles?user_id=eq." + DEMO_USER,
                                      {"full_name": "Hijacked"}, Prefer="return=representation")
        self.assertEqual((st, body), (200, b"[]"))
        self.assertEqual(self.service_rows("profiles?select=full_name"),
                         [{"full_name": "Demo User"}])

    def test_update_with_check_rejects_moving_the_row_away(self):
        # Update policy's WITH CHECK (auth.uid() = user_id) on the new row.
        self.assertError(self.as_user(self.me, "PATCH", "profiles?user_id=eq." + DEMO_USER,
                                      {"user_id": SECOND_USER}),
                         403, rls_error("profiles"))

    def test_delete_without_a_delete_policy_deletes_nothing(self):
        self.assertEmpty204(self.as_user(self.me, "DELETE", "profiles?user_id=eq." + DEMO_USER))
        self.assertEqual(len(self.service_rows("profiles")), 1)

    def test_user_inserts_their_own_profile_only(self):
        st, _, hs, body = self.as_user(self.second, "POST", "profiles", {"user_id": SECOND_USER})
        self.assertEqual((st, body), (201, b""))
        # Inserting a profile for someone else fails the insert policy; RLS
        # hides row details, and authenticated gets 403.
        self.assertError(self.as_user(self.me, "POST", "profiles", {"user_id": SECOND_USER}),
                         403, rls_error("profiles"))

    def test_service_role_bypasses_rls(self):
        st, _, _, body = self.c.rest("GET", "profiles?select=user_id")
        self.assertEqual((st, json.loads(body)), (200, [{"user_id": DEMO_USER}]))


class AnonKeyAsServiceKey(RlsCase):
    """A backend that sends the anon key where the service key belongs
    (the bug report's third suspect)."""

    def test_reads_return_nothing(self):
        st, _, hs, body = self.c.rest("GET", "profiles", key=ANON)
        self.assertEqual((st, body), (200, b"[]"))
        self.assertEqual(header(hs, "Content-Range"), "*/*")

    def test_insert_is_401_with_the_rls_message(self):
        # 42501 as db-anon-role: 401 + WWW-Authenticate: Bearer.
        self.assertError(self.c.rest("POST", "profiles", {"user_id": SECOND_USER}, key=ANON),
                         401, rls_error("profiles"), www_authenticate="Bearer")

    def test_update_silently_changes_nothing(self):
        self.assertEmpty204(self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER,
                                        {"free_image_quota": 0}, key=ANON))
        self.assertEqual(self.service_rows("profiles?select=free_image_quota"),
                         [{"free_image_quota": 5}])


class Grants(RlsCase):
    def test_table_without_grants(self):
        # Even service_role needs a grant; 403 for JWT roles,
        # 401 + Bearer for anon.
        self.assertError(self.c.rest("GET", "audit_log"), 403,
                         denied("audit_log", "SELECT", "service_role"))
        self.assertError(self.as_user(self.me, "GET", "audit_log"), 403,
                         denied("audit_log", "SELECT", "authenticated"))
        self.assertError(self.c.rest("GET", "audit_log", key=ANON), 401,
                         denied("audit_log", "SELECT", "anon"), www_authenticate="Bearer")
        self.assertError(self.c.rest("POST", "audit_log", {"id": 1}), 403,
                         denied("audit_log", "INSERT", "service_role"))

    def test_select_only_table(self):
        st, _, _, body = self.c.rest("GET", "readonly")
        self.assertEqual((st, body), (200, b'[{"id":1}]'))
        self.assertError(self.c.rest("PATCH", "readonly?id=eq.1", {"id": 2}), 403,
                         denied("readonly", "UPDATE", "service_role"))
        self.assertError(self.c.rest("DELETE", "readonly?id=eq.1"), 403,
                         denied("readonly", "DELETE", "service_role"))
        # return=representation adds SELECT, which is held: INSERT is named.
        self.assertError(self.c.rest("POST", "readonly", {"id": 2},
                                     Prefer="return=representation"),
                         403, denied("readonly", "INSERT", "service_role"))

    def test_unknown_column_comes_before_the_grant(self):
        # Postgres analyses the query (42703) before checking permissions.
        st, _, _, body = self.c.rest("GET", "audit_log?select=nope")
        self.assertEqual((st, json.loads(body)["code"]), (400, "42703"))


class Policies(RlsCase):
    """tests/fixtures/rls-policies.json's notes table."""

    def test_upsert_onto_a_row_the_update_policy_hides(self):
        # ON CONFLICT DO UPDATE: the existing row (owner: demo) fails the second
        # user's UPDATE USING (the USING-expression message).
        self.assertError(
            self.as_user(self.second, "POST", "notes?on_conflict=id",
                         {"id": 1, "owner": SECOND_USER, "body": "mine now"},
                         Prefer="resolution=merge-duplicates"),
            403, rls_error("notes", using=True))
        self.assertEqual(self.service_rows("notes?select=owner"), [{"owner": DEMO_USER}])

    def test_put_onto_a_row_the_update_policy_hides(self):
        # PUT is a single-row INSERT ... ON CONFLICT DO UPDATE:
        # the same USING-expression check on the existing row.
        self.assertError(
            self.as_user(self.second, "PUT", "notes?id=eq.1",
                         {"id": 1, "owner": SECOND_USER, "body": "mine now", "qty": 1}),
            403, rls_error("notes", using=True))

    def test_upsert_ignore_duplicates_does_not_check_update_policies(self):
        st, _, _, body = self.as_user(self.second, "POST", "notes?on_conflict=id",
                                      {"id": 1, "owner": SECOND_USER},
                                      Prefer="resolution=ignore-duplicates")
        self.assertEqual((st, body), (201, b""))

    def test_upsert_onto_own_row_updates_it(self):
        st, _, _, body = self.as_user(self.me, "POST", "notes?on_conflict=id",
                                      {"id": 1, "owner": DEMO_USER, "body": "edited"},
                                      Prefer="resolution=merge-duplicates")
        # Zero rows newly inserted: 200 (isInsertIfGTZero).
        self.assertEqual((st, body), (200, b""))
        self.assertEqual(self.service_rows("notes?select=body"), [{"body": "edited"}])

    def test_insert_returning_applies_select_policies(self):
        # The insert policy passes, but no SELECT policy lets the second user
        # see a row owned by the demo user (SELECT policies apply to RETURNING).
        row = {"id": 2, "owner": DEMO_USER, "body": "gift"}
        self.assertError(self.as_user(self.second, "POST", "notes", row,
                                      Prefer="return=representation"),
                         403, rls_error("notes"))
        self.assertEqual(len(self.service_rows("notes")), 1)
        # return=minimal is RETURNING 1: only the INSERT policy matters.
        st, _, hs, body = self.as_user(self.second, "POST", "notes", row)
        self.assertEqual((st, body), (201, b""))
        self.assertEqual(len(self.service_rows("notes")), 2)

    def test_restrictive_policy_is_named(self):
        self.assertError(self.as_user(self.me, "POST", "notes",
                                      {"id": 3, "owner": DEMO_USER, "body": "SHOUT"}),
                         403, rls_error("notes", policy="no shouting"))

    def test_rls_check_comes_before_not_null_and_unique(self):
        # ExecInsert runs the RLS WITH CHECK OPTIONs before ExecConstraints and
        # the unique check: anon (no insert policy) gets 42501, not 23505.
        self.assertError(self.c.rest("POST", "notes", {"id": 1, "body": "SHOUT"}, key=ANON),
                         401, rls_error("notes"), www_authenticate="Bearer")


class CheckConstraints(RlsCase):
    def test_check_violation_with_row_details(self):
        # service_role bypasses RLS, so the row is described.
        body = error("23514",
                     'new row for relation "notes" violates check constraint "notes_qty_check"',
                     details="Failing row contains (4, %s, null, -1, null)." % DEMO_USER)
        self.assertError(self.c.rest("POST", "notes", {"id": 4, "owner": DEMO_USER, "qty": -1}),
                         400, body)

    def test_check_violation_under_rls_hides_the_row(self):
        body = error("23514",
                     'new row for relation "notes" violates check constraint "notes_qty_check"')
        self.assertError(self.as_user(self.me, "POST", "notes",
                                      {"id": 5, "owner": DEMO_USER, "qty": -1}),
                         400, body)
        self.assertError(self.as_user(self.me, "PATCH", "notes?id=eq.1", {"qty": -2}), 400, body)

    def test_null_passes_a_check(self):
        # score > 0 with score NULL is NULL, which satisfies a CHECK
        # (ExecRelCheck: "NULL result means success"); 0 does not.
        st, _, _, body = self.c.rest("POST", "notes", {"id": 6})
        self.assertEqual((st, body), (201, b""))
        self.assertError(self.c.rest("POST", "notes", {"id": 7, "score": 0}), 400,
                         error("23514", 'new row for relation "notes" violates check constraint '
                               '"notes_score_check"',
                               details="Failing row contains (7, null, null, 0, 0)."))

if __name__ == "__main__":
    unittest.main()
