"""Supabase Auth on the database engine: GoTrue's users live in auth.users.

GoTrue writes every user into auth.users in a transaction (internal/api/
signup.go signupNewUser: tx.Create(user)), so the project's triggers on it run
(the profiles fixture's handle_new_user, Supabase's "User Management Starter");
a trigger that fails rolls the insert back and GoTrue answers 500 with
"Database error saving new user" (signup.go), "Database error creating new
user" (admin.go adminUserCreate) or "Database error creating anonymous user"
(anonymous.go), the Postgres error itself on the initial API version when
utilities/postgres.go NewPostgresError makes it public (P0001, 23xxx), and the
2024-01-01 shape otherwise (errors.go HandleResponseError). adminUserDelete
destroys the row (tx.Destroy), so ON DELETE CASCADE runs; SoftDeleteUser
(models/user.go) obfuscates the address, sets encrypted_password to NULL and
deleted_at, and keeps the row. The columns of a new row are models.User's
(instance_id the nil UUID, aud and role "authenticated", encrypted_password a
bcrypt hash: crypto.GenerateFromPassword, golang.org/x/crypto/bcrypt's "$2a$"
at DefaultCost 10). Users a seed inserts sign in with the password its crypt()
hashed (token.go ResourceOwnerPasswordGrant, crypto.CompareHashAndPassword).
Expected rows are what PostgreSQL 15 holds after the same statements.
"""

import hashlib
import json
import os
import re
import tempfile
import unittest

from harness import Supamock, source_dir
from test_scenarios import SERVICE, ANON, JSON_CT

PG_BIN = "/usr/lib/postgresql/15/bin/postgres"
PROFILES = os.path.join(source_dir(), "tests", "fixtures", "projects", "profiles")
READY = 120.0
ADA = "c0ffee00-0000-4000-8000-000000000001"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# handle_new_user refusing every signup, as a project's trigger may.
FAILING_TRIGGER = """
create or replace function public.handle_new_user() returns trigger set search_path = '' as $$
begin
  raise exception 'signups are closed';
end;
$$ language plpgsql security definer;
"""


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class AuthUsersInTheDatabase(unittest.TestCase):
    def call(self, mock, method, path, body=None, key=ANON, bearer=None, **headers):
        h = {"apikey": key, "Content-Type": JSON_CT}
        if bearer:
            h["Authorization"] = "Bearer " + bearer
        h.update(headers)
        status, _, _, raw = mock.request(method, path, body=None if body is None else json.dumps(body),
                                         headers=h)
        return status, json.loads(raw) if raw else None

    def admin(self, mock, method, path, body=None, **headers):
        return self.call(mock, method, path, body, key=SERVICE, bearer=SERVICE, **headers)

    def sql(self, mock, text):
        status, _, _, raw = mock.request("POST", "/__mock/sql", body=json.dumps({"sql": text}),
                                         headers={"Content-Type": JSON_CT})
        body = json.loads(raw)
        self.assertEqual(status, 200, body)
        return body["results"][-1].get("rows")

    def user_row(self, mock, user_id):
        rows = self.sql(mock, "select instance_id, aud, role, email, encrypted_password,"
                              " email_confirmed_at is not null as confirmed, raw_app_meta_data,"
                              " raw_user_meta_data, last_sign_in_at is not null as signed_in,"
                              " banned_until is not null as banned, deleted_at is not null as deleted,"
                              " is_anonymous from auth.users where id = '%s'" % user_id)
        return rows[0] if rows else None

    def profile(self, mock, user_id):
        rows = self.sql(mock, "select full_name from public.profiles where id = '%s'" % user_id)
        return rows[0] if rows else None

    def sign_in(self, mock, email, password):
        return self.call(mock, "POST", "/auth/v1/token?grant_type=password",
                         {"email": email, "password": password})

    def test_signup_runs_the_trigger(self):
        with Supamock("--project", PROFILES, ready_timeout=READY) as mock:
            status, body = self.call(mock, "POST", "/auth/v1/signup",
                                     {"email": "Grace@Example.com", "password": "cobol-1959",
                                      "data": {"full_name": "Grace Hopper"}})
            self.assertEqual(status, 200, body)
            uid = body["user"]["id"]
            self.assertRegex(uid, UUID)
            # handle_new_user made the profile from raw_user_meta_data.
            self.assertEqual(self.profile(mock, uid), {"full_name": "Grace Hopper"})
            row = self.user_row(mock, uid)
            self.assertEqual(row["instance_id"], "00000000-0000-0000-0000-000000000000")
            self.assertEqual((row["aud"], row["role"]), ("authenticated", "authenticated"))
            self.assertEqual(row["email"], "grace@example.com")  # NewUser: strings.ToLower
            self.assertRegex(row["encrypted_password"], r"^\$2a\$10\$[./A-Za-z0-9]{53}$")
            self.assertTrue(row["confirmed"])  # enable_confirmations = false: autoconfirm
            self.assertEqual(row["raw_app_meta_data"], {"provider": "email", "providers": ["email"]})
            self.assertEqual(row["raw_user_meta_data"]["full_name"], "Grace Hopper")
            self.assertEqual(row["raw_user_meta_data"]["sub"], uid)
            self.assertFalse(row["is_anonymous"])
            # pgcrypto checks the hash GoTrue wrote as bcrypt does.
            rows = self.sql(mock, "select encrypted_password = extensions.crypt('cobol-1959',"
                                  " encrypted_password) as ok from auth.users where id = '%s'" % uid)
            self.assertEqual(rows, [{"ok": True}])
            # The access token's user reaches its own profile through RLS.
            token = body["access_token"]
            status, rows = self.call(mock, "PATCH", "/rest/v1/profiles?id=eq." + uid,
                                     {"username": "grace"}, bearer=token,
                                     Prefer="return=representation")
            self.assertEqual(status, 200)
            self.assertEqual([r["username"] for r in rows], ["grace"])
            # "Users can update own profile.": another user's row is not theirs.
            status, rows = self.call(mock, "PATCH", "/rest/v1/profiles?id=eq." + ADA,
                                     {"username": "grace2"}, bearer=token,
                                     Prefer="return=representation")
            self.assertEqual((status, rows), (200, []))
            mock.assert_healthy(self)

    def test_failing_trigger_answers_gotrue_500(self):
        with Supamock("--project", PROFILES, ready_timeout=READY) as mock:
            self.sql(mock, FAILING_TRIGGER)
            signup = {"email": "nobody@example.com", "password": "secret-123"}
            # Initial API version: P0001 is public (NewPostgresError), status 500.
            status, body = self.call(mock, "POST", "/auth/v1/signup", signup)
            self.assertEqual(status, 500)
            self.assertEqual(body, {"code": "P0001", "message": "signups are closed"})
            # 2024-01-01: the HTTPError's code and message.
            status, body = self.call(mock, "POST", "/auth/v1/signup", signup,
                                     **{"X-Supabase-Api-Version": "2024-01-01"})
            self.assertEqual(status, 500)
            self.assertEqual(body, {"code": "unexpected_failure",
                                    "message": "Database error saving new user"})
            # Nothing was kept: neither the row nor GoTrue's user.
            self.assertEqual(self.sql(mock, "select count(*)::int as n from auth.users"),
                             [{"n": 2}])
            status, body = self.sign_in(mock, "nobody@example.com", "secret-123")
            self.assertEqual((status, body["error_code"]), (400, "invalid_credentials"))
            status, body = self.admin(mock, "POST", "/auth/v1/admin/users",
                                      {"email": "admin-made@example.com", "password": "secret-123"},
                                      **{"X-Supabase-Api-Version": "2024-01-01"})
            self.assertEqual((status, body), (500, {"code": "unexpected_failure",
                                                    "message": "Database error creating new user"}))
            # Once the trigger works again the same address signs up.
            self.sql(mock, "create or replace function public.handle_new_user() returns trigger"
                           " set search_path = '' as $$ begin insert into public.profiles (id)"
                           " values (new.id); return new; end; $$ language plpgsql security definer")
            status, body = self.call(mock, "POST", "/auth/v1/signup", signup)
            self.assertEqual(status, 200, body)
            self.assertEqual(self.profile(mock, body["user"]["id"]), {"full_name": None})

    def test_admin_delete_cascades_and_soft_delete_keeps_the_row(self):
        with Supamock("--project", PROFILES, ready_timeout=READY) as mock:
            status, body = self.admin(mock, "POST", "/auth/v1/admin/users",
                                      {"email": "temp@example.com", "password": "secret-123",
                                       "email_confirm": True,
                                       "user_metadata": {"full_name": "Temp"}})
            self.assertEqual(status, 200, body)
            uid = body["id"]
            self.assertEqual(self.profile(mock, uid), {"full_name": "Temp"})
            status, body = self.admin(mock, "DELETE", "/auth/v1/admin/users/" + uid)
            self.assertEqual((status, body), (200, {}))
            self.assertIsNone(self.user_row(mock, uid))
            self.assertIsNone(self.profile(mock, uid))  # on delete cascade
            # Soft delete: the row stays, obfuscated, without a password.
            status, body = self.admin(mock, "DELETE", "/auth/v1/admin/users/" + ADA,
                                      {"should_soft_delete": True})
            self.assertEqual(status, 200)
            row = self.user_row(mock, ADA)
            self.assertTrue(row["deleted"])
            self.assertIsNone(row["encrypted_password"])
            self.assertNotEqual(row["email"], "ada@example.com")
            self.assertEqual(row["raw_user_meta_data"], {})
            self.assertEqual(self.profile(mock, ADA), {"full_name": "Ada Lovelace"})

    def test_seeded_users_sign_in_and_updates_reach_the_row(self):
        with Supamock("--project", PROFILES, ready_timeout=READY) as mock:
            status, body = self.sign_in(mock, "ada@example.com", "wrong-password")
            self.assertEqual((status, body["error_code"]), (400, "invalid_credentials"))
            status, body = self.sign_in(mock, "ada@example.com", "analytical-engine")
            self.assertEqual(status, 200, body)
            self.assertEqual(body["user"]["id"], ADA)
            self.assertEqual(body["user"]["user_metadata"], {"full_name": "Ada Lovelace"})
            token = body["access_token"]
            self.assertTrue(self.user_row(mock, ADA)["signed_in"])  # UpdateLastSignInAt
            # PUT /user: metadata and password (UpdateUserMetaData, UpdatePassword).
            old_hash = self.user_row(mock, ADA)["encrypted_password"]
            status, body = self.call(mock, "PUT", "/auth/v1/user",
                                     {"data": {"website": "https://example.com"},
                                      "password": "difference-engine"}, bearer=token)
            self.assertEqual(status, 200, body)
            row = self.user_row(mock, ADA)
            self.assertEqual(row["raw_user_meta_data"],
                             {"full_name": "Ada Lovelace", "website": "https://example.com"})
            self.assertNotEqual(row["encrypted_password"], old_hash)
            status, _ = self.sign_in(mock, "ada@example.com", "difference-engine")
            self.assertEqual(status, 200)
            # A ban (admin.go adminUserUpdate, Ban) lands in banned_until.
            status, _ = self.admin(mock, "PUT", "/auth/v1/admin/users/" + ADA,
                                   {"ban_duration": "24h"})
            self.assertEqual(status, 200)
            self.assertTrue(self.user_row(mock, ADA)["banned"])
            status, body = self.sign_in(mock, "ada@example.com", "difference-engine")
            self.assertEqual((status, body["error_code"]), (400, "user_banned"))
            # Users inserted by SQL later are GoTrue's after a reset.
            self.sql(mock, "insert into auth.users (instance_id, id, aud, role, email,"
                           " encrypted_password, email_confirmed_at, raw_app_meta_data,"
                           " raw_user_meta_data, created_at, updated_at) values"
                           " ('00000000-0000-0000-0000-000000000000',"
                           " 'c0ffee00-0000-4000-8000-000000000003', 'authenticated',"
                           " 'authenticated', 'late@example.com',"
                           " extensions.crypt('late-pass', extensions.gen_salt('bf')), now(),"
                           " '{}', '{}', now(), now())")
            status, _, _, _ = mock.request("POST", "/__mock/reset", body="{}",
                                           headers={"Content-Type": JSON_CT})
            self.assertEqual(status, 200)
            # The reset restored the loaded database: Ada's password and ban are
            # the seed's again, and the SQL-made user is gone with it.
            status, _ = self.sign_in(mock, "ada@example.com", "analytical-engine")
            self.assertEqual(status, 200)
            status, _ = self.sign_in(mock, "late@example.com", "late-pass")
            self.assertEqual(status, 400)
            mock.assert_healthy(self)

    def test_otp_sign_up_gets_a_row(self):
        with Supamock("--project", PROFILES, ready_timeout=READY) as mock:
            # otp.go: an unknown address signs up (a random password), then
            # the magic link goes out.
            status, body = self.call(mock, "POST", "/auth/v1/otp",
                                     {"email": "otp@example.com",
                                      "data": {"full_name": "One Time"}})
            self.assertEqual((status, body), (200, {}))
            rows = self.sql(mock, "select u.email, p.full_name, u.encrypted_password like '$2a$10$%'"
                                  " as hashed from auth.users u join public.profiles p using (id)"
                                  " where u.email = 'otp@example.com'")
            self.assertEqual(rows, [{"email": "otp@example.com", "full_name": "One Time",
                                     "hashed": True}])

    def test_anonymous_sign_in_on_a_json_scenario(self):
        # A JSON scenario on the database engine: its users are rows of
        # auth.users too, and an anonymous sign-in inserts one (anonymous.go:
        # is_anonymous, encrypted_password "" from NewUser without a
        # password); a trigger refusing it is anonymous.go's 500.
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "anon.json")
            with open(path, "w") as f:
                json.dump({"name": "anon", "auth": {"enable_anonymous_sign_ins": True}}, f)
            with Supamock("--db", "postgres", "--scenario", path, ready_timeout=READY) as mock:
                status, body = self.call(mock, "POST", "/auth/v1/signup", {})
                self.assertEqual(status, 200, body)
                row = self.user_row(mock, body["user"]["id"])
                self.assertTrue(row["is_anonymous"])
                self.assertEqual(row["encrypted_password"], "")
                self.sql(mock, "create function public.refuse() returns trigger language plpgsql as"
                               " $$ begin raise exception 'no anonymous users'; end $$;"
                               " create trigger refuse before insert on auth.users"
                               " for each row execute function public.refuse()")
                status, body = self.call(mock, "POST", "/auth/v1/signup", {},
                                         **{"X-Supabase-Api-Version": "2024-01-01"})
                self.assertEqual((status, body), (500, {"code": "unexpected_failure",
                                                        "message": "Database error creating anonymous user"}))
                self.assertEqual(self.sql(mock, "select count(*)::int as n from auth.users"),
                                 [{"n": 1}])


QUOTA = os.path.join(source_dir(), "tests", "fixtures", "projects", "quota")


def seeded_uuid(seed, n):
    """supamock.gen_random_uuid() (baseline.sql): md5("SEED:N") as a version 4
    UUID, N the database's counter."""
    h = hashlib.md5(("%d:%d" % (seed, n)).encode()).hexdigest()
    h = h[:12] + "4" + h[13:16] + "89ab"[int(h[16], 16) & 3] + h[17:]
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class ClockAndSeedInTheDatabase(unittest.TestCase):
    """now() and gen_random_uuid() in the project's SQL (its column defaults
    here) follow the scenario clock and --seed; the quota fixture's profiles
    take id default gen_random_uuid() and created_at default now(), filled
    when GoTrue's insert fires handle_new_user."""

    def sign_up(self, mock, email):
        status, _, _, raw = mock.request("POST", "/auth/v1/signup",
                                         body=json.dumps({"email": email, "password": "secret-123"}),
                                         headers={"apikey": ANON, "Content-Type": JSON_CT})
        self.assertEqual(status, 200, raw)
        uid = json.loads(raw)["user"]["id"]
        status, _, _, raw = mock.request("GET", "/rest/v1/profiles?select=id,created_at&user_id=eq." + uid,
                                         headers={"apikey": SERVICE, "Authorization": "Bearer " + SERVICE})
        self.assertEqual(status, 200, raw)
        return json.loads(raw)[0]

    def test_defaults_follow_the_clock_and_the_seed(self):
        with Supamock("--project", QUOTA, "--clock", "2030-01-01T00:00:00Z", "--seed", "7",
                      ready_timeout=READY) as mock:
            first = self.sign_up(mock, "one@example.com")
            self.assertEqual(first, {"id": seeded_uuid(7, 1), "created_at": "2030-01-01T00:00:00+00:00"})
            status, _, _, _ = mock.request("POST", "/__mock/clock", body='{"advance_ms": 90000}',
                                           headers={"Content-Type": JSON_CT})
            self.assertEqual(status, 200)
            second = self.sign_up(mock, "two@example.com")
            self.assertEqual(second, {"id": seeded_uuid(7, 2), "created_at": "2030-01-01T00:01:30+00:00"})
            # A Data API insert takes the same defaults (the engine sets the
            # clock in the request's transaction).
            svc = {"apikey": SERVICE, "Authorization": "Bearer " + SERVICE, "Content-Type": JSON_CT}
            status, _, _, raw = mock.request("DELETE", "/rest/v1/profiles?select=user_id&id=eq." + second["id"],
                                             headers=dict(svc, Prefer="return=representation"))
            self.assertEqual(status, 200, raw)
            user_id = json.loads(raw)[0]["user_id"]
            status, _, _, raw = mock.request("POST", "/rest/v1/profiles?select=id,created_at",
                                             body=json.dumps({"user_id": user_id}),
                                             headers=dict(svc, Prefer="return=representation"))
            self.assertEqual(status, 201, raw)
            self.assertEqual(json.loads(raw), [{"id": seeded_uuid(7, 3),
                                                "created_at": "2030-01-01T00:01:30+00:00"}])
            # A reset clones the loaded database again: the counter starts over.
            status, _, _, _ = mock.request("POST", "/__mock/reset", body="{}",
                                           headers={"Content-Type": JSON_CT})
            self.assertEqual(status, 200)
            again = self.sign_up(mock, "one@example.com")
            self.assertEqual(again["id"], seeded_uuid(7, 1))


if __name__ == "__main__":
    unittest.main()
