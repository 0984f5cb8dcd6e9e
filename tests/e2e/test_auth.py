"""/auth/v1 end to end: GoTrue's bodies in both error forms, sign-in, /user,
refresh rotation, signup with the on_signup profile row, logout, admin users.

Expected bytes come from supabase/auth (internal/api/errors.go, token.go,
auth.go, signup.go, admin.go, logout.go) and the gateway's bodies, not
from what the binary prints. The fixture is tests/fixtures/auth-basic.json:
the default project without RLS policies plus an unconfirmed user.
"""

import base64
import hashlib
import hmac
import json
import os
import unittest

from harness import Supamock, source_dir

SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
ANON = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24i"
        "LCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
SECRET_KEY = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"
DEMO = "13ab4cf1-8587-4685-874b-c2d37beeab38"
T0 = 1767225600  # the fixture's clock, 2026-01-01T00:00:00Z


def fixture(name):
    return os.path.join(source_dir(), "tests", "fixtures", name)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(claims, secret=SECRET):
    """An HS256 JWT built independently of the binary."""
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(secret.encode(), (head + "." + body).encode(), hashlib.sha256).digest()
    return head + "." + body + "." + b64url(sig)


def payload(jwt):
    seg = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


class AuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", fixture("auth-basic.json")).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def call(self, method, path, body=None, headers=None, key=ANON):
        h = {"apikey": key} if key else {}
        h.update(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        status, _, hdrs, data = self.mock.request(method, "/auth/v1" + path, body=body, headers=h)
        return status, {k.lower(): v for k, v in hdrs}, data

    def sign_in(self, email="demo@example.com", password="demo-password"):
        status, _, data = self.call("POST", "/token?grant_type=password",
                                    {"email": email, "password": password})
        self.assertEqual(status, 200, data)
        return json.loads(data)

    # -- gateway and health ------------------------------------------------------

    def test_health(self):
        status, h, data = self.call("GET", "/health")
        self.assertEqual(status, 200)
        self.assertEqual(h["content-type"], "application/json")
        # api.go HealthCheckResponse: version, name, description.
        self.assertEqual(data, b'{"version":"v2.189.0","name":"GoTrue","description":'
                               b'"GoTrue is a user registration and authentication API"}')

    def test_missing_apikey_is_the_gateways(self):
        # The hosted gateway answers before GoTrue.
        status, _, data = self.call("GET", "/health", key=None)
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(data)["message"], "No API key found in request")

    def test_unknown_path(self):
        # GoTrue's router sets no NotFound handler (internal/api/api.go), so
        # chi's words "404 page not found"; every /auth/v1 answer is JSON, so
        # they come as the HTTPError errors.go renders without an error code:
        # error_code "unknown" and no x-sb-error-code header, in both forms.
        for path in ("/no-such-route", "/factors/x/y/z", "/admin/users/%s/factors/a/b" % DEMO):
            with self.subTest(path=path):
                status, h, data = self.call("GET", path, key=SERVICE,
                                            headers={"Authorization": "Bearer " + SERVICE})
                self.assertEqual(status, 404)
                self.assertEqual(data, b'{"code":404,"error_code":"unknown",'
                                       b'"msg":"404 page not found"}')
                self.assertEqual(h["content-type"], "application/json")
                self.assertNotIn("x-sb-error-code", h)
        status, h, data = self.call("GET", "/no-such-route",
                                    headers={"X-Supabase-Api-Version": "2024-01-01"})
        self.assertEqual((status, data), (404, b'{"code":"unknown","message":"404 page not found"}'))

    def test_unmodelled_gotrue_routes_are_feature_disabled(self):
        # Routes GoTrue has (internal/api/api.go) but supamock does not model
        # yet answer as GoTrue answers a disabled feature: 404 feature_disabled
        # (apierrors.NewNotFoundError(ErrorCodeFeatureDisabled, ...)), in both
        # error forms, never chi's text 404.
        for method, path in [("POST", "/otp"), ("POST", "/recover"), ("POST", "/magiclink"),
                             ("POST", "/resend"), ("GET", "/settings"), ("POST", "/verify"),
                             ("GET", "/.well-known/jwks.json"), ("POST", "/sso/")]:
            with self.subTest(path=path):
                status, h, data = self.call(method, path, {"email": "demo@example.com"})
                self.assertEqual(status, 404, data)
                self.assertEqual(h["content-type"], "application/json")
                self.assertEqual(h["x-sb-error-code"], "feature_disabled")
                body = json.loads(data)
                self.assertEqual(list(body), ["code", "error_code", "msg"])
                self.assertEqual((body["code"], body["error_code"]), (404, "feature_disabled"))
                self.assertTrue(body["msg"].endswith(" is disabled: supamock does not model it yet"))
        status, h, data = self.call("POST", "/otp", {"email": "demo@example.com"},
                                    headers={"X-Supabase-Api-Version": "2024-01-01"})
        self.assertEqual((status, json.loads(data)), (404, {
            "code": "feature_disabled",
            "message": "OTP sign-in (signInWithOtp) is disabled: supamock does not model it yet"}))
        # chi answers a registered path with another method 405, no body.
        status, _, data = self.call("GET", "/otp")
        self.assertEqual((status, data), (405, b""))

    def test_unmodelled_admin_routes_check_admin_first(self):
        # requireAdminCredentials runs before the handler (api.go: r.With(
        # api.requireAdminCredentials).Post("/invite", ...); r.Route("/admin",
        # ... r.Use(api.requireAdminCredentials))).
        bearer = {"Authorization": "Bearer " + ANON}
        for path in ("/invite", "/admin/generate_link"):
            with self.subTest(path=path):
                status, h, _ = self.call("POST", path, {"email": "x@example.com"}, headers=bearer)
                self.assertEqual((status, h["x-sb-error-code"]), (403, "not_admin"))
                status, h, data = self.call("POST", path, {"email": "x@example.com"},
                                            key=SERVICE,
                                            headers={"Authorization": "Bearer " + SERVICE})
                self.assertEqual((status, json.loads(data)["error_code"]), (404, "feature_disabled"))
        status, _, data = self.call("GET", "/admin/users/%s/passkeys" % DEMO, key=SERVICE,
                                    headers={"Authorization": "Bearer " + SERVICE})
        self.assertEqual((status, json.loads(data)["msg"]),
                         (404, "Passkeys is disabled: supamock does not model it yet"))

    # -- password grant and /user -------------------------------------------------

    def test_sign_in_then_user(self):
        s = self.sign_in()
        self.assertEqual(s["token_type"], "bearer")
        self.assertEqual(s["expires_in"], 3600)
        self.assertEqual(s["expires_at"], T0 + 3600)
        self.assertEqual(list(s)[:6], ["access_token", "token_type", "expires_in", "expires_at",
                                       "refresh_token", "user"])
        claims = payload(s["access_token"])
        # GoTrue's claim order and values.
        self.assertEqual(list(claims), ["iss", "sub", "aud", "exp", "iat", "email", "phone",
                                        "app_metadata", "user_metadata", "role", "aal", "amr",
                                        "session_id", "is_anonymous"])
        self.assertEqual(claims["sub"], DEMO)
        self.assertEqual(claims["aud"], "authenticated")
        self.assertEqual(claims["iat"], T0)
        self.assertEqual(claims["exp"], T0 + 3600)
        self.assertEqual(claims["app_metadata"], {"provider": "email", "providers": ["email"]})
        self.assertEqual(claims["amr"], [{"method": "password", "timestamp": T0}])
        self.assertEqual(claims["iss"], "http://%s:%d/auth/v1" % (self.mock.host, self.mock.port))
        status, _, data = self.call("GET", "/user",
                                    headers={"Authorization": "Bearer " + s["access_token"]})
        self.assertEqual(status, 200)
        user = json.loads(data)
        self.assertEqual(list(user)[:4], ["id", "aud", "role", "email"])
        self.assertEqual(user["id"], DEMO)
        self.assertEqual(user["phone"], "")
        self.assertEqual(user["user_metadata"], {"full_name": "Demo User"})
        self.assertEqual(user["created_at"], "2026-01-01T00:00:00Z")
        self.assertEqual(user["is_anonymous"], False)

    def test_wrong_password_both_forms(self):
        status, h, data = self.call("POST", "/token?grant_type=password",
                                    {"email": "demo@example.com", "password": "nope"})
        self.assertEqual(status, 400)
        self.assertEqual(data, b'{"code":400,"error_code":"invalid_credentials",'
                               b'"msg":"Invalid login credentials"}')
        self.assertEqual(h["x-sb-error-code"], "invalid_credentials")
        self.assertNotIn("x-supabase-api-version", h)
        status, h, data = self.call("POST", "/token?grant_type=password",
                                    {"email": "demo@example.com", "password": "nope"},
                                    headers={"X-Supabase-Api-Version": "2024-01-01"})
        self.assertEqual(status, 400)
        self.assertEqual(data, b'{"code":"invalid_credentials","message":"Invalid login credentials"}')
        self.assertEqual(h["x-supabase-api-version"], "2024-01-01")

    def test_unconfirmed_email(self):
        status, _, data = self.call("POST", "/token?grant_type=password",
                                    {"email": "pending@example.com", "password": "pending-password"})
        self.assertEqual(status, 400)
        self.assertEqual(data, b'{"code":400,"error_code":"email_not_confirmed",'
                               b'"msg":"Email not confirmed"}')

    def test_user_without_bearer(self):
        status, _, data = self.call("GET", "/user")
        self.assertEqual(status, 401)
        self.assertEqual(data, b'{"code":401,"error_code":"no_authorization",'
                               b'"msg":"This endpoint requires a valid Bearer token"}')

    def test_user_with_anon_key_as_bearer(self):
        status, _, data = self.call("GET", "/user", headers={"Authorization": "Bearer " + ANON})
        self.assertEqual(status, 403)
        self.assertEqual(data, b'{"code":403,"error_code":"bad_jwt",'
                               b'"msg":"invalid claim: missing sub claim"}')

    def test_expired_user_jwt(self):
        token = mint({"sub": DEMO, "role": "authenticated", "aud": "authenticated",
                      "iat": T0 - 7200, "exp": T0 - 3600})
        status, _, data = self.call("GET", "/user", headers={"Authorization": "Bearer " + token})
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(data), {
            "code": 403, "error_code": "bad_jwt",
            "msg": "invalid JWT: unable to parse or verify signature, "
                   "token has invalid claims: token is expired"})

    def test_exp_as_string(self):
        # GoTrue parses with golang-jwt v5, whose NumericDate.UnmarshalJSON
        # (types.go) unmarshals the claim into a json.Number; Go's
        # encoding/json accepts a JSON string holding a valid number there, so
        # "exp":"<past>" is an expired token like "exp":<past> and GoTrue
        # answers 403 bad_jwt with the same text.
        token = mint({"sub": DEMO, "role": "authenticated", "aud": "authenticated",
                      "iat": T0 - 7200, "exp": str(T0 - 3600)})
        status, _, data = self.call("GET", "/user", headers={"Authorization": "Bearer " + token})
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(data), {
            "code": 403, "error_code": "bad_jwt",
            "msg": "invalid JWT: unable to parse or verify signature, "
                   "token has invalid claims: token is expired"})
        # A string that is no number fails decoding: json.Number's
        # "invalid number literal" error (%q of the raw item), wrapped by
        # NumericDate ("could not parse NumericData: ...") and by the parser
        # ("token is malformed: could not JSON decode claim: ...").
        token = mint({"sub": DEMO, "role": "authenticated", "aud": "authenticated",
                      "exp": "soon"})
        status, _, data = self.call("GET", "/user", headers={"Authorization": "Bearer " + token})
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(data), {
            "code": 403, "error_code": "bad_jwt",
            "msg": "invalid JWT: unable to parse or verify signature, token is malformed: "
                   "could not JSON decode claim: could not parse NumericData: json: invalid "
                   "number literal, trying to unmarshal \"\\\"soon\\\"\" into Number"})
        # A numeric string in the future is a valid exp.
        token = mint({"sub": DEMO, "role": "authenticated", "aud": "authenticated",
                      "exp": str(T0 + 3600)})
        status, _, data = self.call("GET", "/user", headers={"Authorization": "Bearer " + token})
        self.assertEqual(status, 200, data)

    # -- refresh and logout --------------------------------------------------------

    def test_refresh_then_logout(self):
        s = self.sign_in()
        status, _, data = self.call("POST", "/token?grant_type=refresh_token",
                                    {"refresh_token": s["refresh_token"]})
        self.assertEqual(status, 200)
        r = json.loads(data)
        self.assertNotEqual(r["refresh_token"], s["refresh_token"])
        self.assertEqual(payload(r["access_token"])["session_id"],
                         payload(s["access_token"])["session_id"])
        status, _, data = self.call("POST", "/logout",
                                    headers={"Authorization": "Bearer " + r["access_token"]})
        self.assertEqual(status, 204)
        self.assertEqual(data, b"")
        status, _, data = self.call("POST", "/token?grant_type=refresh_token",
                                    {"refresh_token": r["refresh_token"]})
        self.assertEqual(status, 400)
        self.assertEqual(data, b'{"code":400,"error_code":"refresh_token_not_found",'
                               b'"msg":"Invalid Refresh Token: Refresh Token Not Found"}')
        status, _, data = self.call("GET", "/user",
                                    headers={"Authorization": "Bearer " + r["access_token"]})
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(data)["error_code"], "session_not_found")

    # -- signup ----------------------------------------------------------------------

    def test_signup_creates_profile(self):
        status, _, data = self.call("POST", "/signup",
                                    {"email": "fresh@example.com", "password": "fresh-password",
                                     "data": {"full_name": "Fresh"}})
        self.assertEqual(status, 200, data)
        s = json.loads(data)
        uid = s["user"]["id"]
        self.assertEqual(payload(s["access_token"])["sub"], uid)
        self.assertEqual(s["user"]["email"], "fresh@example.com")
        # on_signup: {"user_id": "{{user.id}}", "email": "{{user.email}}"}, read back
        # with the service key as a backend would.
        status, _, _, body = self.mock.request(
            "GET", "/rest/v1/profiles?user_id=eq." + uid + "&select=user_id,email,free_image_quota",
            headers={"apikey": SERVICE, "Authorization": "Bearer " + SERVICE})
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body),
                         [{"user_id": uid, "email": "fresh@example.com", "free_image_quota": 5}])
        # Same address again: GoTrue with autoconfirm refuses it.
        status, h, data = self.call("POST", "/signup",
                                    {"email": "fresh@example.com", "password": "fresh-password"})
        self.assertEqual(status, 422)
        self.assertEqual(data, b'{"code":422,"error_code":"user_already_exists",'
                               b'"msg":"User already registered"}')
        self.assertEqual(h["x-sb-error-code"], "user_already_exists")

    def test_signup_weak_password_both_forms(self):
        body = {"email": "weak@example.com", "password": "12345"}
        status, _, data = self.call("POST", "/signup", body)
        self.assertEqual(status, 422)
        # errors.go WeakPasswordError: the HTTPError fields, then weak_password.
        self.assertEqual(data, b'{"code":422,"error_code":"weak_password","msg":"Password should '
                               b'be at least 6 characters.","weak_password":{"reasons":["length"]}}')
        status, _, data = self.call("POST", "/signup", body,
                                    headers={"X-Supabase-Api-Version": "2024-01-01"})
        self.assertEqual(data, b'{"code":"weak_password","message":"Password should be at least '
                               b'6 characters.","weak_password":{"reasons":["length"]}}')

    # -- admin -----------------------------------------------------------------------

    def test_admin_users_service_only(self):
        s = self.sign_in()
        for auth in ("Bearer " + ANON, "Bearer " + s["access_token"]):
            status, _, data = self.call("GET", "/admin/users", headers={"Authorization": auth})
            self.assertEqual(status, 403)
            self.assertEqual(data, b'{"code":403,"error_code":"not_admin","msg":"User not allowed"}')
        status, h, data = self.call("GET", "/admin/users",
                                    headers={"Authorization": "Bearer " + SERVICE})
        self.assertEqual(status, 200)
        listing = json.loads(data)
        self.assertEqual(list(listing), ["users", "aud"])
        self.assertEqual(listing["aud"], "authenticated")
        self.assertIn(DEMO, [u["id"] for u in listing["users"]])
        self.assertEqual(h["x-total-count"], str(len(listing["users"])))
        # The secret key alone: the gateway swaps it for the service_role JWT.
        status, _, data = self.call("GET", "/admin/users/" + DEMO, key=SECRET_KEY)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(data)["email"], "demo@example.com")
        status, _, data = self.call("GET", "/admin/users/" + "00000000-0000-4000-8000-000000000000",
                                    headers={"Authorization": "Bearer " + SERVICE})
        self.assertEqual(status, 404)
        self.assertEqual(data, b'{"code":404,"error_code":"user_not_found","msg":"User not found"}')

    def test_admin_create_and_delete(self):
        auth = {"Authorization": "Bearer " + SERVICE}
        status, _, data = self.call("POST", "/admin/users",
                                    {"email": "made@example.com", "password": "made-password",
                                     "email_confirm": True}, headers=auth)
        self.assertEqual(status, 200, data)
        uid = json.loads(data)["id"]
        status, _, data = self.call("POST", "/admin/users",
                                    {"email": "made@example.com", "password": "made-password"},
                                    headers=auth)
        self.assertEqual(status, 422)
        self.assertEqual(data, b'{"code":422,"error_code":"email_exists","msg":"A user with this '
                               b'email address has already been registered"}')
        # The trigger made a profile that references the user without ON DELETE
        # CASCADE: Postgres refuses the delete (23503) and GoTrue answers 500
        # (admin.go adminUserDelete: "Database error deleting user"). Without
        # X-Supabase-Api-Version, errors.go sends the public Postgres error
        # instead (utilities.NewPostgresError); supabase-js sends 2024-01-01.
        status, h, data = self.call("DELETE", "/admin/users/" + uid, headers=auth)
        self.assertEqual(status, 500)
        self.assertEqual(h["x-sb-error-code"], "unexpected_failure")
        self.assertEqual(json.loads(data), {
            "code": "23503",
            "message": 'update or delete on table "users" violates foreign key constraint '
                       '"profiles_user_id_fkey" on table "profiles"',
            "detail": 'Key (id)=(%s) is still referenced from table "profiles".' % uid})
        self.assertEqual(list(json.loads(data)), ["code", "message", "detail"])
        status, _, data = self.call("DELETE", "/admin/users/" + uid,
                                    headers=dict(auth, **{"X-Supabase-Api-Version": "2024-01-01"}))
        self.assertEqual(status, 500)
        self.assertEqual(data, b'{"code":"unexpected_failure",'
                               b'"message":"Database error deleting user"}')
        # Both rows are still there.
        status, _, _ = self.call("GET", "/admin/users/" + uid, headers=auth)
        self.assertEqual(status, 200)
        status, _, _, body = self.mock.request(
            "GET", "/rest/v1/profiles?user_id=eq." + uid + "&select=user_id",
            headers={"apikey": SERVICE, "Authorization": "Bearer " + SERVICE})
        self.assertEqual(json.loads(body), [{"user_id": uid}])
        # Once the profile is gone the user can be deleted.
        status, _, _, _ = self.mock.request(
            "DELETE", "/rest/v1/profiles?user_id=eq." + uid,
            headers={"apikey": SERVICE, "Authorization": "Bearer " + SERVICE})
        self.assertEqual(status, 204)
        status, _, data = self.call("DELETE", "/admin/users/" + uid, headers=auth)
        self.assertEqual(status, 200)
        self.assertEqual(data, b"{}")
        status, _, _ = self.call("GET", "/admin/users/" + uid, headers=auth)
        self.assertEqual(status, 404)

    # -- bans ------------------------------------------------------------------------

    def make_user(self, email):
        auth = {"Authorization": "Bearer " + SERVICE}
        status, _, data = self.call("POST", "/admin/users",
                                    {"email": email, "password": "ban-password",
                                     "email_confirm": True}, headers=auth)
        self.assertEqual(status, 200, data)
        return json.loads(data)["id"]

    def ban(self, uid, duration):
        return self.call("PUT", "/admin/users/" + uid, {"ban_duration": duration},
                         headers={"Authorization": "Bearer " + SERVICE})

    def test_ban_refuses_sign_in_and_refresh(self):
        uid = self.make_user("banned@example.com")
        s = self.sign_in("banned@example.com", "ban-password")
        status, _, data = self.ban(uid, "24h")
        self.assertEqual(status, 200, data)
        user = json.loads(data)
        # models.User BannedUntil: time.Now().Add(24h), RFC 3339 after updated_at.
        self.assertEqual(user["banned_until"], "2026-01-02T00:00:00Z")
        keys = list(user)
        self.assertEqual(keys[keys.index("updated_at") + 1], "banned_until")
        status, _, data = self.call("GET", "/admin/users/" + uid,
                                    headers={"Authorization": "Bearer " + SERVICE})
        self.assertEqual(json.loads(data)["banned_until"], "2026-01-02T00:00:00Z")
        # token.go ResourceOwnerPasswordGrant checks the ban before the password.
        for password in ("ban-password", "wrong-password"):
            status, h, data = self.call("POST", "/token?grant_type=password",
                                        {"email": "banned@example.com", "password": password})
            self.assertEqual(status, 400)
            self.assertEqual(data, b'{"code":400,"error_code":"user_banned","msg":"User is banned"}')
            self.assertEqual(h["x-sb-error-code"], "user_banned")
        status, _, data = self.call("POST", "/token?grant_type=password",
                                    {"email": "banned@example.com", "password": "ban-password"},
                                    headers={"X-Supabase-Api-Version": "2024-01-01"})
        self.assertEqual(data, b'{"code":"user_banned","message":"User is banned"}')
        # tokens/service.go RefreshTokenGrant.
        status, _, data = self.call("POST", "/token?grant_type=refresh_token",
                                    {"refresh_token": s["refresh_token"]})
        self.assertEqual(status, 400)
        self.assertEqual(data, b'{"code":400,"error_code":"user_banned",'
                               b'"msg":"Invalid Refresh Token: User Banned"}')
        # "none" lifts the ban: banned_until goes (omitempty), sign-in works.
        status, _, data = self.ban(uid, "none")
        self.assertEqual(status, 200, data)
        self.assertNotIn("banned_until", json.loads(data))
        self.sign_in("banned@example.com", "ban-password")
        status, _, data = self.call("POST", "/token?grant_type=refresh_token",
                                    {"refresh_token": s["refresh_token"]})
        self.assertEqual(status, 200, data)
        # A ban that ended (a negative duration) does not refuse.
        status, _, data = self.ban(uid, "-1h30m")
        self.assertEqual(json.loads(data)["banned_until"], "2025-12-31T22:30:00Z")
        self.sign_in("banned@example.com", "ban-password")

    def test_ban_durations(self):
        uid = self.make_user("durations@example.com")
        for duration, until in (("1h30m", "2026-01-01T01:30:00Z"),
                                ("876000h", "2125-12-08T00:00:00Z"),
                                ("1.5s", "2026-01-01T00:00:01.5Z"),
                                ("2us", "2026-01-01T00:00:00.000002Z")):
            status, _, data = self.ban(uid, duration)
            self.assertEqual(status, 200, data)
            self.assertEqual(json.loads(data)["banned_until"], until, duration)
        # admin.go: "invalid format for ban duration: %v" with time.ParseDuration's error.
        for duration, why in (("1d", 'time: unknown unit "d" in duration "1d"'),
                              ("24", 'time: missing unit in duration "24"'),
                              ("forever", 'time: invalid duration "forever"'),
                              ("9999999999h", 'time: invalid duration "9999999999h"')):
            status, _, data = self.ban(uid, duration)
            self.assertEqual(status, 400)
            self.assertEqual(json.loads(data), {
                "code": 400, "error_code": "validation_failed",
                "msg": "invalid format for ban duration: " + why})
        # The failed updates changed nothing.
        status, _, data = self.call("GET", "/admin/users/" + uid,
                                    headers={"Authorization": "Bearer " + SERVICE})
        self.assertEqual(json.loads(data)["banned_until"], "2026-01-01T00:00:00.000002Z")


class BrokenTriggerTest(unittest.TestCase):
    def test_signup_trigger_failure_is_500(self):
        with Supamock("--scenario", fixture("auth-broken-trigger.json")) as mock:
            status, _, hdrs, data = mock.request(
                "POST", "/auth/v1/signup", headers={"apikey": ANON},
                body=json.dumps({"email": "t@example.com", "password": "t-password"}))
            self.assertEqual(status, 500)
            err = json.loads(data)
            self.assertEqual((err["code"], err["error_code"], err["msg"]),
                             (500, "unexpected_failure", "Database error saving new user"))
            self.assertRegex(err["error_id"], r"^[0-9a-f-]{36}$")
            # The user was not created: signing in fails.
            status, _, _, data = mock.request(
                "POST", "/auth/v1/token?grant_type=password", headers={"apikey": ANON},
                body=json.dumps({"email": "t@example.com", "password": "t-password"}))
            self.assertEqual(status, 400)
            self.assertEqual(json.loads(data)["error_code"], "invalid_credentials")


class DefaultScenarioDeleteTest(unittest.TestCase):
    """The default scenario's profiles.user_id references auth.users(id) ON
    DELETE CASCADE, as Supabase's user-management starter declares it."""

    def test_delete_demo_user_cascades_to_profile(self):
        with Supamock() as mock:
            h = {"apikey": SERVICE, "Authorization": "Bearer " + SERVICE}
            q = "/rest/v1/profiles?user_id=eq." + DEMO + "&select=user_id"
            status, _, _, body = mock.request("GET", q, headers=h)
            self.assertEqual(json.loads(body), [{"user_id": DEMO}])
            status, _, _, body = mock.request("DELETE", "/auth/v1/admin/users/" + DEMO, headers=h)
            self.assertEqual(status, 200, body)
            self.assertEqual(body, b"{}")
            status, _, _, body = mock.request("GET", q, headers=h)
            self.assertEqual((status, json.loads(body)), (200, []))
            status, _, _, body = mock.request("GET", "/auth/v1/admin/users/" + DEMO, headers=h)
            self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main()
