"""Account features of /auth/v1 end to end: anonymous sign-ins and linking,
bans against live tokens, soft deletion, the admin user list's pagination,
logout scopes, and MFA with TOTP (enroll, challenge, verify to aal2,
unenroll, admin factor routes) with RLS reading auth.jwt()->>'aal'.

Every expected status and body comes from supabase/auth's source (the file
is named beside each check: internal/api/anonymous.go, api.go, auth.go,
user.go, verify.go, admin.go, pagination.go, sorting.go, logout.go, mfa.go,
token.go, errors.go; internal/models/user.go, sessions.go, factor.go,
challenge.go, amr.go), from pquerna/otp (the TOTP) and from
boombuler/barcode + aaronarduino/goqrsvg (the QR code), not from what the
binary prints. TOTP codes are computed here with hmac (RFC 6238).
"""

import base64
import hashlib
import hmac
import json
import os
import re
import struct
import unittest
import urllib.parse

from harness import Supamock, source_dir

ANON = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24i"
        "LCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
ADMIN = {"Authorization": "Bearer " + SERVICE}
DEMO = "13ab4cf1-8587-4685-874b-c2d37beeab38"
T0 = 1767225600  # the fixtures' clock, 2026-01-01T00:00:00Z
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


def fixture(name):
    return os.path.join(source_dir(), "tests", "fixtures", name)


def payload(jwt):
    seg = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def totp(secret, unix, step=30):
    """RFC 6238 / pquerna/otp: HMAC-SHA1 over the 30 s counter, six digits."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", unix // step), hashlib.sha1).digest()
    off = mac[-1] & 15
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % code


def obfuscate(uid, value):
    """models/user.go obfuscateValue: base64url(sha256(id + value)), unpadded."""
    digest = hashlib.sha256((uid + value).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Base(unittest.TestCase):
    scenario = "auth-account.json"

    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", fixture(cls.scenario)).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def call(self, method, path, body=None, headers=None, key=ANON, token=None):
        h = {"apikey": key} if key else {}
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        status, _, hdrs, data = self.mock.request(method, "/auth/v1" + path, body=body, headers=h)
        return status, {k.lower(): v for k, v in hdrs}, data

    def ok(self, method, path, body=None, **kw):
        status, _, data = self.call(method, path, body, **kw)
        self.assertEqual(status, 200, data)
        return json.loads(data)

    def err(self, method, path, body=None, **kw):
        status, h, data = self.call(method, path, body, **kw)
        return status, json.loads(data), h

    def advance(self, ms):
        status, _, _, data = self.mock.request("POST", "/__mock/clock",
                                               body=json.dumps({"advance_ms": ms}),
                                               headers={"Content-Type": "application/json"})
        self.assertEqual(status, 200, data)

    def now(self):
        status, _, _, data = self.mock.request("GET", "/__mock/clock")
        now = json.loads(data)["now"]
        from datetime import datetime
        return int(datetime.fromisoformat(now.replace("Z", "+00:00")).timestamp())

    def make_user(self, email, password="account-password"):
        return self.ok("POST", "/admin/users", {"email": email, "password": password,
                                                "email_confirm": True}, key=SERVICE,
                       headers=ADMIN)

    def sign_in(self, email, password="account-password"):
        return self.ok("POST", "/token?grant_type=password",
                       {"email": email, "password": password})

    def refresh(self, rt):
        return self.call("POST", "/token?grant_type=refresh_token", {"refresh_token": rt})


class AnonymousDisabledTest(unittest.TestCase):
    def test_refused_when_not_enabled(self):
        # api.go's /signup route: no email and no phone without
        # External.AnonymousUsers.Enabled.
        with Supamock("--scenario", fixture("auth-basic.json")) as mock:
            status, _, hdrs, data = mock.request("POST", "/auth/v1/signup", body="{}",
                                                 headers={"apikey": ANON})
            self.assertEqual(status, 422)
            self.assertEqual(data, b'{"code":422,"error_code":"anonymous_provider_disabled",'
                                   b'"msg":"Anonymous sign-ins are disabled"}')


class AnonymousTest(Base):
    def test_sign_in_anonymously_then_link(self):
        s = self.ok("POST", "/signup", {"data": {"theme": "dark"}})
        u = s["user"]
        # signup.go ToUserModel (AnonymousProvider): no provider, no identity.
        self.assertTrue(u["is_anonymous"])
        self.assertEqual((u["email"], u["phone"], u["identities"], u["app_metadata"]),
                         ("", "", [], {}))
        self.assertEqual(u["user_metadata"], {"theme": "dark"})
        self.assertNotIn("email_confirmed_at", u)
        # anonymous.go: issueRefreshToken(..., models.Anonymous).
        claims = payload(s["access_token"])
        self.assertIs(claims["is_anonymous"], True)
        self.assertEqual(claims["role"], "authenticated")
        self.assertEqual((claims["aal"], claims["amr"]),
                         ("aal1", [{"method": "anonymous", "timestamp": self.now()}]))
        self.assertEqual(list(claims)[-1], "is_anonymous")
        # A refresh keeps the anonymous claims (tokens/service.go
        # RefreshTokenGrant: the session's AMR claims, the user's flag).
        status, _, data = self.refresh(s["refresh_token"])
        self.assertEqual(status, 200, data)
        s = json.loads(data)
        again = payload(s["access_token"])
        self.assertIs(again["is_anonymous"], True)
        self.assertEqual(again["amr"][0]["method"], "anonymous")
        token = s["access_token"]
        # requireNotAnonymous on the /factors routes (auth.go).
        status, body, _ = self.err("POST", "/factors", {"factor_type": "totp"}, token=token)
        self.assertEqual((status, body), (403, {
            "code": 403, "error_code": "no_authorization",
            "msg": "Anonymous user not allowed to perform these actions"}))
        # user.go UserUpdate: a password needs an email or phone first.
        status, body, _ = self.err("PUT", "/user", {"password": "anon-password"}, token=token)
        self.assertEqual((status, body), (422, {
            "code": 422, "error_code": "validation_failed",
            "msg": "Updating password of an anonymous user without an email or phone is not "
                   "allowed"}))
        # On an autoconfirm project (confirm_email false) UserUpdate calls
        # emailChangeVerify: the email identity, is_anonymous false, confirmed.
        u = self.ok("PUT", "/user", {"email": "Linked@Example.com", "password": "anon-password"},
                    token=token)
        self.assertIs(u["is_anonymous"], False)
        self.assertEqual(u["email"], "linked@example.com")
        self.assertIn("email_confirmed_at", u)
        self.assertEqual(u["app_metadata"], {"provider": "email", "providers": ["email"]})
        self.assertEqual([i["provider"] for i in u["identities"]], ["email"])
        self.assertIs(u["user_metadata"]["email_verified"], True)
        # The permanent user signs in with the password set while linking.
        s2 = self.sign_in("linked@example.com", "anon-password")
        self.assertEqual(s2["user"]["id"], s["user"]["id"])
        self.assertIs(payload(s2["access_token"])["is_anonymous"], False)

    def test_link_a_phone(self):
        # user.go UserUpdate with SMS autoconfirm: smsVerify
        # (phoneChangeVerification) confirms the number, creates the phone
        # identity and clears is_anonymous (verify.go); validatePhone
        # (phone.go) formats and checks the number first.
        s = self.ok("POST", "/signup", {})
        token = s["access_token"]
        status, body, _ = self.err("PUT", "/user", {"phone": "12ab"}, token=token)
        self.assertEqual((status, body), (400, {
            "code": 400, "error_code": "validation_failed",
            "msg": "Invalid phone number format (E.164 required)"}))
        u = self.ok("PUT", "/user", {"phone": "+1 555 0100 999", "password": "phone-password"},
                    token=token)
        self.assertIs(u["is_anonymous"], False)
        self.assertEqual(u["phone"], "15550100999")
        self.assertIn("phone_confirmed_at", u)
        self.assertEqual([i["provider"] for i in u["identities"]], ["phone"])
        s2 = self.ok("POST", "/token?grant_type=password",
                     {"phone": "15550100999", "password": "phone-password"})
        self.assertEqual(s2["user"]["id"], s["user"]["id"])

    def test_admin_links_an_anonymous_user(self):
        # admin.go adminUserUpdate: an email creates the email identity
        # (createNewIdentity); is_anonymous goes only with email_confirm.
        uid = self.ok("POST", "/signup", {})["user"]["id"]
        u = self.ok("PUT", "/admin/users/" + uid, {"email": "admin-linked@example.com"},
                    key=SERVICE, headers=ADMIN)
        self.assertIs(u["is_anonymous"], True)
        self.assertEqual([i["provider"] for i in u["identities"]], ["email"])
        self.assertEqual(u["app_metadata"], {"provider": "email", "providers": ["email"]})
        u = self.ok("PUT", "/admin/users/" + uid, {"email": "admin-linked@example.com",
                                                   "email_confirm": True},
                    key=SERVICE, headers=ADMIN)
        self.assertIs(u["is_anonymous"], False)
        self.assertEqual(len(u["identities"]), 1)

    def test_anonymous_user_gets_a_profile(self):
        # The on_signup trigger runs for anonymous users too (tx.Create fires
        # the INSERT trigger); email is null.
        s = self.ok("POST", "/signup", {})
        status, _, _, data = self.mock.request(
            "GET", "/rest/v1/profiles?select=user_id,email&user_id=eq." + s["user"]["id"],
            headers={"apikey": ANON, "Authorization": "Bearer " + s["access_token"]})
        self.assertEqual((status, json.loads(data)), (200, [{"user_id": s["user"]["id"],
                                                              "email": None}]))


class BanTest(Base):
    def test_banned_user_token_refused(self):
        uid = self.make_user("banned-token@example.com")["id"]
        s = self.sign_in("banned-token@example.com")
        self.ok("PUT", "/admin/users/" + uid, {"ban_duration": "24h"}, key=SERVICE, headers=ADMIN)
        # auth.go requireAuthentication: "Reject banned users who still hold
        # an access token issued before the ban".
        for method, path in (("GET", "/user"), ("POST", "/logout")):
            status, h, data = self.call(method, path, token=s["access_token"])
            self.assertEqual((status, data), (403, b'{"code":403,"error_code":"user_banned",'
                                                   b'"msg":"User is banned"}'))
            self.assertEqual(h["x-sb-error-code"], "user_banned")
        # token.go: password sign-in; tokens/service.go: refresh.
        status, body, _ = self.err("POST", "/token?grant_type=password",
                                   {"email": "banned-token@example.com",
                                    "password": "account-password"})
        self.assertEqual((status, body["error_code"], body["msg"]),
                         (400, "user_banned", "User is banned"))
        status, body, _ = self.err("POST", "/token?grant_type=refresh_token",
                                   {"refresh_token": s["refresh_token"]})
        self.assertEqual((status, body["msg"]), (400, "Invalid Refresh Token: User Banned"))
        # The ban ends on the scenario clock (models.User IsBanned).
        self.advance(24 * 3600 * 1000)
        fresh = self.sign_in("banned-token@example.com")
        self.ok("GET", "/user", token=fresh["access_token"])


class SoftDeleteTest(Base):
    def test_soft_delete_obfuscates(self):
        u = self.make_user("soft@example.com")
        uid = u["id"]
        s = self.sign_in("soft@example.com")
        # admin.go adminUserDelete: should_soft_delete -> SoftDeleteUser.
        self.assertEqual(self.ok("DELETE", "/admin/users/" + uid, {"should_soft_delete": True},
                                 key=SERVICE, headers=ADMIN), {})
        got = self.ok("GET", "/admin/users/" + uid, key=SERVICE, headers=ADMIN)
        self.assertEqual(got["email"], obfuscate(uid, "soft@example.com"))
        self.assertEqual(got["phone"], obfuscate(uid, "")[:15])  # obfuscatePhone
        self.assertEqual((got["user_metadata"], got["app_metadata"]), ({}, {}))
        keys = list(got)
        self.assertEqual(keys[keys.index("updated_at") + 1], "deleted_at")
        self.assertRegex(got["deleted_at"], r"^2026-01-0\dT")
        self.assertEqual(got["deleted_at"], got["updated_at"])
        # SoftDeleteUserIdentities: identity_data emptied, provider_id
        # obfuscated from "provider:provider_id".
        ident = got["identities"][0]
        self.assertEqual(ident["identity_data"], {})
        self.assertEqual(ident["id"], obfuscate(uid, "email:" + uid))
        self.assertNotIn("email", ident)
        # Sessions are gone (models.Logout) and the password is cleared.
        status, body, _ = self.err("POST", "/token?grant_type=refresh_token",
                                   {"refresh_token": s["refresh_token"]})
        self.assertEqual((status, body["error_code"]), (400, "refresh_token_not_found"))
        status, body, _ = self.err("POST", "/token?grant_type=password",
                                   {"email": "soft@example.com", "password": "account-password"})
        self.assertEqual((status, body["error_code"]), (400, "invalid_credentials"))
        # "user has been soft deleted already": {} again, nothing changes.
        self.advance(1000)
        self.assertEqual(self.ok("DELETE", "/admin/users/" + uid, {"should_soft_delete": True},
                                 key=SERVICE, headers=ADMIN), {})
        again = self.ok("GET", "/admin/users/" + uid, key=SERVICE, headers=ADMIN)
        self.assertEqual(again["deleted_at"], got["deleted_at"])
        # The address is free again: a new user may take it.
        self.make_user("soft@example.com")
        # The profile row stays (the auth.users row is not deleted).
        status, _, _, data = self.mock.request(
            "GET", "/rest/v1/profiles?select=user_id&user_id=eq." + uid,
            headers={"apikey": SERVICE, "Authorization": "Bearer " + SERVICE})
        self.assertEqual(json.loads(data), [{"user_id": uid}])

    def test_delete_body_errors(self):
        uid = self.make_user("soft-bad@example.com")["id"]
        # retrieveRequestParams on a body that is there but not JSON.
        status, body, _ = self.err("DELETE", "/admin/users/" + uid, "nope", key=SERVICE,
                                   headers=ADMIN)
        self.assertEqual((status, body["error_code"]), (400, "bad_json"))
        # should_soft_delete false is a hard delete: the profile goes with
        # it (profiles.user_id ... on_delete cascade).
        self.assertEqual(self.ok("DELETE", "/admin/users/" + uid, {"should_soft_delete": False},
                                 key=SERVICE, headers=ADMIN), {})
        status, body, _ = self.err("GET", "/admin/users/" + uid, key=SERVICE, headers=ADMIN)
        self.assertEqual((status, body["error_code"], body["msg"]),
                         (404, "user_not_found", "User not found"))


class PaginationTest(Base):
    scenario = "auth-basic.json"

    def test_pages_links_and_total(self):
        # Users created a second apart: FindUsersInAudience orders by
        # created_at DESC (admin.go's default sort).
        made = []
        for i in range(3):
            self.advance(1000)
            made.append(self.make_user("page%d@example.com" % i)["id"])
        status, h, data = self.call("GET", "/admin/users?per_page=2&page=1", key=SERVICE,
                                    headers=ADMIN)
        body = json.loads(data)
        self.assertEqual(list(body), ["users", "aud"])  # AdminListUsersResponse
        self.assertEqual(body["aud"], "authenticated")
        total = int(h["x-total-count"])
        self.assertGreaterEqual(total, 5)
        last = -(-total // 2)
        self.assertEqual([u["id"] for u in body["users"]], made[::-1][:2])
        # pagination.go addPaginationHeaders: the request URL with the query
        # re-encoded (url.Values.Encode sorts keys) and page set.
        self.assertEqual(h["link"], '</admin/users?page=2&per_page=2>; rel="next", '
                                    '</admin/users?page=%d&per_page=2>; rel="last"' % last)
        status, h, data = self.call("GET", "/admin/users", key=SERVICE, headers=ADMIN)
        self.assertEqual(h["link"], '</admin/users?page=1>; rel="last"')
        self.assertEqual(h["x-total-count"], str(total))
        status, h, data = self.call("GET", "/admin/users?page=%d&per_page=2" % last,
                                    key=SERVICE, headers=ADMIN)
        self.assertEqual(h["link"], '</admin/users?page=%d&per_page=2>; rel="last"' % last)
        self.assertEqual(len(json.loads(data)["users"]), total - 2 * (last - 1))
        # Other parameters stay, sorted and escaped (url.QueryEscape).
        status, h, data = self.call("GET", "/admin/users?per_page=1&filter=page1%40&page=1",
                                    key=SERVICE, headers=ADMIN)
        self.assertEqual(h["link"], '</admin/users?filter=page1%40&page=1&per_page=1>; rel="last"')
        self.assertEqual([u["email"] for u in json.loads(data)["users"]], ["page1@example.com"])
        self.assertEqual(h["x-total-count"], "1")
        # Beyond the last page: no users, still the headers.
        status, h, data = self.call("GET", "/admin/users?page=99", key=SERVICE, headers=ADMIN)
        self.assertEqual((status, json.loads(data)["users"]), (200, []))
        self.assertEqual(h["link"], '</admin/users?page=1>; rel="last"')
        # sorting.go: sort=created_at asc.
        body = self.ok("GET", "/admin/users?sort=created_at%20asc&per_page=100", key=SERVICE,
                       headers=ADMIN)
        ids = [u["id"] for u in body["users"]]
        self.assertLess(ids.index(made[0]), ids.index(made[2]))

    def test_bad_parameters(self):
        # admin.go: "Bad Pagination Parameters: %v" with strconv's error.
        for q, msg in (("page=abc", 'strconv.ParseUint: parsing "abc": invalid syntax'),
                       ("per_page=-1", 'strconv.ParseUint: parsing "-1": invalid syntax'),
                       ("page=99999999999999999999",
                        'strconv.ParseUint: parsing "99999999999999999999": value out of range')):
            status, body, _ = self.err("GET", "/admin/users?" + q, key=SERVICE, headers=ADMIN)
            self.assertEqual((status, body), (400, {"code": 400, "error_code": "validation_failed",
                                                    "msg": "Bad Pagination Parameters: " + msg}))
        status, body, _ = self.err("GET", "/admin/users?sort=email", key=SERVICE, headers=ADMIN)
        self.assertEqual((status, body["msg"]), (400, "Bad Sort Parameters: bad field for sort 'email'"))
        status, body, _ = self.err("GET", "/admin/users?sort=created_at%20up", key=SERVICE,
                                   headers=ADMIN)
        self.assertEqual(body["msg"], "Bad Sort Parameters: bad direction for sort 'up', only "
                                      "'asc' and 'desc' allowed")
        # per_page=0: calculateTotalPages divides by zero; recoverer answers
        # 500 "Internal Server Error" without an error code (errors.go).
        status, body, h = self.err("GET", "/admin/users?per_page=0", key=SERVICE, headers=ADMIN)
        self.assertEqual((status, body["error_code"], body["msg"]),
                         (500, "unexpected_failure", "Internal Server Error"))
        self.assertNotIn("x-sb-error-code", h)


class LogoutScopeTest(Base):
    def sessions(self, email):
        self.make_user(email)
        return self.sign_in(email), self.sign_in(email), self.sign_in(email)

    def test_scopes(self):
        a, b, c = self.sessions("scopes@example.com")
        # logout.go: an unknown scope is refused (after requireAuthentication).
        status, body, _ = self.err("POST", "/logout?scope=bogus", token=a["access_token"])
        self.assertEqual((status, body), (400, {"code": 400, "error_code": "validation_failed",
                                                "msg": 'Unsupported logout scope "bogus"'}))
        # others: LogoutAllExceptMe.
        status, _, data = self.call("POST", "/logout?scope=others", token=a["access_token"])
        self.assertEqual((status, data), (204, b""))
        self.assertEqual(self.refresh(b["refresh_token"])[0], 400)
        self.assertEqual(self.refresh(c["refresh_token"])[0], 400)
        status, _, data = self.refresh(a["refresh_token"])
        self.assertEqual(status, 200, data)
        a = json.loads(data)
        # local: LogoutSession; the session's access token is refused after.
        d = self.sign_in("scopes@example.com")
        self.assertEqual(self.call("POST", "/logout?scope=local", token=a["access_token"])[0], 204)
        status, body, _ = self.err("GET", "/user", token=a["access_token"])
        self.assertEqual((status, body["error_code"], body["msg"]),
                         (403, "session_not_found",
                          "Session from session_id claim in JWT does not exist"))
        self.ok("GET", "/user", token=d["access_token"])
        # global (the default): models.Logout.
        e = self.sign_in("scopes@example.com")
        self.assertEqual(self.call("POST", "/logout", token=d["access_token"])[0], 204)
        self.assertEqual(self.refresh(e["refresh_token"])[0], 400)
        self.assertEqual(self.call("GET", "/user", token=e["access_token"])[0], 403)


class MFATest(Base):
    def enroll(self, token, name=None):
        body = {"factor_type": "totp"}
        if name is not None:
            body["friendly_name"] = name
        return self.ok("POST", "/factors", body, token=token)

    def step_up(self, token, factor, now=None):
        ch = self.ok("POST", "/factors/%s/challenge" % factor["id"], token=token)
        code = totp(factor["totp"]["secret"], now or self.now())
        return self.ok("POST", "/factors/%s/verify" % factor["id"],
                       {"challenge_id": ch["id"], "code": code}, token=token)

    def test_password_sign_in_claims(self):
        # tokens/service.go AccessTokenClaims with models.PasswordGrant.
        self.make_user("claims@example.com")
        s = self.sign_in("claims@example.com")
        claims = payload(s["access_token"])
        self.assertEqual((claims["aal"], claims["amr"]),
                         ("aal1", [{"method": "password", "timestamp": self.now()}]))
        self.assertRegex(claims["session_id"], UUID)

    def test_enroll_challenge_verify_unenroll(self):
        self.make_user("mfa@example.com")
        s = self.sign_in("mfa@example.com")
        other = self.sign_in("mfa@example.com")
        token = s["access_token"]
        f = self.enroll(token, "phone app")
        # mfa.go EnrollFactorResponse {id, type, friendly_name, totp}.
        self.assertEqual(list(f), ["id", "type", "friendly_name", "totp"])
        self.assertRegex(f["id"], UUID)
        self.assertEqual((f["type"], f["friendly_name"]), ("totp", "phone app"))
        self.assertEqual(list(f["totp"]), ["qr_code", "secret", "uri"])
        secret = f["totp"]["secret"]
        self.assertRegex(secret, r"^[A-Z2-7]{32}$")  # 20 bytes, base32, no padding
        # totp.Generate: issuer is site_url's host (the CLI's
        # http://127.0.0.1:3000), account name the email; url.Values sorted.
        self.assertEqual(f["totp"]["uri"],
                         "otpauth://totp/127.0.0.1:3000:mfa@example.com?algorithm=SHA1&digits=6"
                         "&issuer=127.0.0.1%3A3000&period=30&secret=" + secret)
        self.check_qr(f["totp"]["qr_code"], f["totp"]["uri"])
        # The unverified factor shows on the user (models.User Factors).
        me = self.ok("GET", "/user", token=token)
        self.assertEqual([(x["id"], x["status"], x["factor_type"], x["friendly_name"])
                          for x in me["factors"]], [(f["id"], "unverified", "totp", "phone app")])
        self.assertEqual(list(me).index("factors") + 1, list(me).index("identities"))
        # validateFactors: friendly names are unique per user.
        status, body, _ = self.err("POST", "/factors", {"factor_type": "totp",
                                                        "friendly_name": "phone app"},
                                   token=token)
        self.assertEqual((status, body), (422, {
            "code": 422, "error_code": "mfa_factor_name_conflict",
            "msg": 'A factor with the friendly name "phone app" for this user already exists'}))
        # challengeTOTPFactor: expires_at = created_at + 300 s.
        ch = self.ok("POST", "/factors/%s/challenge" % f["id"], token=token)
        self.assertEqual(list(ch), ["id", "type", "expires_at"])
        self.assertEqual((ch["type"], ch["expires_at"]), ("totp", self.now() + 300))
        # verifyTOTPFactor: a wrong code.
        status, body, _ = self.err("POST", "/factors/%s/verify" % f["id"],
                                   {"challenge_id": ch["id"], "code": "000000"
                                    if totp(secret, self.now()) != "000000" else "111111"},
                                   token=token)
        self.assertEqual((status, body), (422, {"code": 422,
                                                "error_code": "mfa_verification_failed",
                                                "msg": "Invalid TOTP code entered"}))
        # The code of the previous 30 s step is accepted (Skew 1).
        v = self.ok("POST", "/factors/%s/verify" % f["id"],
                    {"challenge_id": ch["id"], "code": totp(secret, self.now() - 30)},
                    token=token)
        claims = payload(v["access_token"])
        # updateMFASessionAndClaims: same session, aal2, amr most recent first.
        self.assertEqual(claims["session_id"], payload(token)["session_id"])
        self.assertEqual(claims["aal"], "aal2")
        self.assertEqual([a["method"] for a in claims["amr"]], ["totp", "password"])
        self.assertNotEqual(v["refresh_token"], s["refresh_token"])
        self.assertEqual(v["user"]["factors"][0]["status"], "verified")
        aal2 = v["access_token"]
        # InvalidateSessionsWithAALLessThan: the user's other aal1 session ends.
        self.assertEqual(self.refresh(other["refresh_token"])[0], 400)
        # A verified challenge cannot be used again (validateChallenge).
        status, body, _ = self.err("POST", "/factors/%s/verify" % f["id"],
                                   {"challenge_id": ch["id"], "code": totp(secret, self.now())},
                                   token=aal2)
        self.assertEqual((status, body["error_code"], body["msg"]),
                         (422, "mfa_ip_address_mismatch",
                          "Challenge and verify IP addresses mismatch."))
        # RLS reads auth.jwt()->>'aal': the vault shows to aal2 only.
        for tok, rows in ((aal2, [{"secret": "behind mfa"}]),):
            status, _, _, data = self.mock.request("GET", "/rest/v1/vault?select=secret",
                                                   headers={"apikey": ANON,
                                                            "Authorization": "Bearer " + tok})
            self.assertEqual((status, json.loads(data)), (200, rows))
        fresh = self.sign_in("mfa@example.com")
        status, _, _, data = self.mock.request("GET", "/rest/v1/vault?select=secret",
                                               headers={"apikey": ANON, "Authorization":
                                                        "Bearer " + fresh["access_token"]})
        self.assertEqual((status, json.loads(data)), (200, []))
        # The refresh keeps aal2 (CalculateAALAndAMR from the session's claims).
        status, _, data = self.refresh(v["refresh_token"])
        self.assertEqual(status, 200, data)
        self.assertEqual(payload(json.loads(data)["access_token"])["aal"], "aal2")
        # An aal1 session of a user with a verified factor: user.go, mfa.go.
        low = fresh["access_token"]
        status, body, _ = self.err("PUT", "/user", {"password": "another-password"}, token=low)
        self.assertEqual((status, body), (401, {
            "code": 401, "error_code": "insufficient_aal",
            "msg": "AAL2 session is required to update email or password when MFA is enabled."}))
        status, body, _ = self.err("POST", "/factors", {"factor_type": "totp",
                                                        "friendly_name": "second"}, token=low)
        self.assertEqual((status, body), (403, {"code": 403, "error_code": "insufficient_aal",
                                                "msg": "AAL2 required to enroll a new factor"}))
        status, body, _ = self.err("DELETE", "/factors/" + f["id"], token=low)
        self.assertEqual((status, body), (422, {"code": 422, "error_code": "insufficient_aal",
                                                "msg": "AAL2 required to unenroll verified factor"}))
        # UnenrollFactor from the aal2 session: {id}; the session drops the
        # totp claim (DowngradeSessionsToAAL1).
        self.assertEqual(self.ok("DELETE", "/factors/" + f["id"], token=aal2), {"id": f["id"]})
        me = self.ok("GET", "/user", token=aal2)
        self.assertNotIn("factors", me)  # `json:"factors,omitempty"`

    def check_qr(self, svg, uri):
        # goqrsvg + svgo: a 3-pixel block per module, a 4-block quiet zone,
        # one rect per module, the whole transposed from barcode's (x, y).
        head = re.match(r'<\?xml version="1.0"\?>\n<!-- Generated by SVGo -->\n'
                        r'<svg width="(\d+)" height="(\d+)"\n'
                        r'     xmlns="http://www.w3.org/2000/svg"\n'
                        r'     xmlns:xlink="http://www.w3.org/1999/xlink">\n', svg)
        self.assertIsNotNone(head, svg[:200])
        self.assertTrue(svg.endswith("</svg>\n"))
        # qr.Encode(uri, qr.H, qr.Auto): byte mode, the smallest version at H.
        h_data = [9, 16, 26, 36, 46, 60, 66, 86, 100, 122, 140, 158, 180, 197, 223, 253, 283,
                  313, 341, 385, 406, 442, 464, 514, 538, 596, 628, 661, 701, 745, 793, 845,
                  901, 961, 986, 1054, 1096, 1142, 1222, 1276]
        n = len(uri.encode())
        version = next(v for v in range(1, 41)
                       if h_data[v - 1] * 8 >= n * 8 + 4 + (8 if v < 10 else 16))
        dim = (version - 1) * 4 + 21
        self.assertEqual(int(head.group(1)), dim * 3 + 24)
        rects = re.findall(r'<rect x="(\d+)" y="(\d+)" width="3" height="3" '
                           r'style="fill:(black|white);stroke:none" />\n', svg)
        self.assertEqual(len(rects), dim * dim)
        grid = {(int(x), int(y)): c == "black" for x, y, c in rects}
        # The three finder patterns: dark ring, light ring, dark 3x3 core.
        for ox, oy in ((0, 0), (dim - 7, 0), (0, dim - 7)):
            for i in range(7):
                for j in range(7):
                    ring = max(abs(i - 3), abs(j - 3))
                    want = ring != 2
                    self.assertEqual(grid[(12 + 3 * (ox + i), 12 + 3 * (oy + j))], want)
        # Timing patterns along row and column 6.
        for i in range(8, dim - 8):
            self.assertEqual(grid[(12 + 3 * i, 12 + 18)], i % 2 == 0)
            self.assertEqual(grid[(12 + 18, 12 + 3 * i)], i % 2 == 0)
        # The format information next to the top-left finder (barcode's
        # drawFormatInfo order; the SVG swaps x and y) must be a level-H
        # word of ISO/IEC 18004: BCH(15,5) of (01 << 3 | mask), xor 0x5412.
        def module(x, y):
            return grid[(12 + 3 * y, 12 + 3 * x)]
        spots = [(0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (7, 8), (8, 8),
                 (8, 7), (8, 5), (8, 4), (8, 3), (8, 2), (8, 1), (8, 0)]
        word = "".join("1" if module(x, y) else "0" for x, y in spots)
        second = "".join("1" if module(8, dim - 1 - i) else "0" for i in range(7)) + \
            "".join("1" if module(dim - 8 + i, 8) else "0" for i in range(8))
        self.assertEqual(word, second)

        def bch(data):
            v = data << 10
            for i in range(14, 9, -1):
                if v & (1 << i):
                    v ^= 0x537 << (i - 10)
            return ((data << 10) | v) ^ 0x5412
        valid = {format(bch((0b10 << 3) | mask), "015b") for mask in range(8)}
        self.assertIn(word, valid)
        self.assertEqual(grid[(12 + 3 * (dim - 8), 12 + 3 * 8)], True)  # the dark module

    def test_expiry_skew_and_errors(self):
        self.make_user("mfa2@example.com")
        token = self.sign_in("mfa2@example.com")["access_token"]
        f = self.enroll(token)
        self.assertEqual(f["friendly_name"], "")  # not omitempty in the response
        secret = f["totp"]["secret"]
        # loadFactor.
        status, body, _ = self.err("POST", "/factors/nope/challenge", token=token)
        self.assertEqual((status, body), (404, {"code": 404, "error_code": "validation_failed",
                                                "msg": "factor_id must be an UUID"}))
        status, body, _ = self.err("POST", "/factors/%s/challenge" % DEMO, token=token)
        self.assertEqual((status, body), (404, {"code": 404, "error_code": "mfa_factor_not_found",
                                                "msg": "Factor not found"}))
        # An issuer too long for a version-40 QR code at level H: qr.Encode's
        # error is ignored and goqrsvg panics on the nil code (mfa.go), so
        # recoverer's 500 without an error code (errors.go).
        status, body, h = self.err("POST", "/factors", {"factor_type": "totp",
                                                        "friendly_name": "long",
                                                        "issuer": "x" * 1300}, token=token)
        self.assertEqual((status, body["error_code"], body["msg"]),
                         (500, "unexpected_failure", "Internal Server Error"))
        self.assertNotIn("x-sb-error-code", h)
        # EnrollFactor's factor_type switch (phone and WebAuthn disabled).
        status, body, _ = self.err("POST", "/factors", {"factor_type": "sms"}, token=token)
        self.assertEqual((status, body["msg"]), (400, "factor_type needs to be totp, phone, or "
                                                      "webauthn"))
        status, body, _ = self.err("POST", "/factors", {"factor_type": "phone"}, token=token)
        self.assertEqual((status, body["error_code"], body["msg"]),
                         (422, "mfa_phone_enroll_not_enabled", "MFA enroll is disabled for Phone"))
        ch = self.ok("POST", "/factors/%s/challenge" % f["id"], token=token)
        # VerifyFactor: an empty code.
        status, body, _ = self.err("POST", "/factors/%s/verify" % f["id"],
                                   {"challenge_id": ch["id"], "code": ""}, token=token)
        self.assertEqual((status, body["msg"]), (400, "Code needs to be non-empty"))
        # validateChallenge: an unknown challenge.
        status, body, _ = self.err("POST", "/factors/%s/verify" % f["id"],
                                   {"challenge_id": DEMO, "code": "123456"}, token=token)
        self.assertEqual((status, body["error_code"], body["msg"]),
                         (422, "mfa_factor_not_found",
                          "MFA factor with the provided challenge ID not found"))
        # A code two steps old is outside Skew 1.
        status, body, _ = self.err("POST", "/factors/%s/verify" % f["id"],
                                   {"challenge_id": ch["id"],
                                    "code": totp(secret, self.now() - 60)}, token=token)
        if totp(secret, self.now() - 60) not in {totp(secret, self.now() + d) for d in (-30, 0, 30)}:
            self.assertEqual(body["error_code"], "mfa_verification_failed")
        # challenge.HasExpired after 300 s.
        self.advance(301 * 1000)
        status, body, _ = self.err("POST", "/factors/%s/verify" % f["id"],
                                   {"challenge_id": ch["id"], "code": totp(secret, self.now())},
                                   token=token)
        self.assertEqual((status, body["error_code"], body["msg"]),
                         (422, "mfa_challenge_expired",
                          "MFA challenge %s has expired, verify against another challenge or "
                          "create a new challenge." % ch["id"]))
        # validateChallenge: the verify must come from the challenge's IP
        # (utilities.GetIPAddress: the first X-Forwarded-For entry).
        ch = self.ok("POST", "/factors/%s/challenge" % f["id"], token=token,
                     headers={"X-Forwarded-For": "192.0.2.1, 10.0.0.1"})
        status, body, _ = self.err("POST", "/factors/%s/verify" % f["id"],
                                   {"challenge_id": ch["id"], "code": totp(secret, self.now())},
                                   token=token, headers={"X-Forwarded-For": "192.0.2.2"})
        self.assertEqual((status, body["error_code"]), (422, "mfa_ip_address_mismatch"))
        v = self.ok("POST", "/factors/%s/verify" % f["id"],
                    {"challenge_id": ch["id"], "code": totp(secret, self.now())},
                    token=token, headers={"X-Forwarded-For": "192.0.2.1"})
        self.assertEqual(payload(v["access_token"])["aal"], "aal2")
        # The next step's code works (Skew 1), on a fresh challenge.
        ch = self.ok("POST", "/factors/%s/challenge" % f["id"], token=token)
        v = self.ok("POST", "/factors/%s/verify" % f["id"],
                    {"challenge_id": ch["id"], "code": totp(secret, self.now() + 30)},
                    token=token)
        self.assertEqual(payload(v["access_token"])["aal"], "aal2")

    def test_admin_factor_routes(self):
        uid = self.make_user("mfa3@example.com")["id"]
        token = self.sign_in("mfa3@example.com")["access_token"]
        f = self.enroll(token, "laptop")
        # admin.go adminUserGetFactors: user.Factors (models.Factor JSON).
        got = self.ok("GET", "/admin/users/%s/factors" % uid, key=SERVICE, headers=ADMIN)
        self.assertEqual(len(got), 1)
        self.assertEqual(list(got[0]), ["id", "created_at", "updated_at", "status",
                                        "friendly_name", "factor_type", "phone",
                                        "last_challenged_at"])
        self.assertEqual((got[0]["id"], got[0]["status"], got[0]["phone"],
                          got[0]["last_challenged_at"]), (f["id"], "unverified", "", None))
        # adminUserUpdateFactor: friendly_name.
        upd = self.ok("PUT", "/admin/users/%s/factors/%s" % (uid, f["id"]),
                      {"friendly_name": "desktop"}, key=SERVICE, headers=ADMIN)
        self.assertEqual(upd["friendly_name"], "desktop")
        # The user-side routes need a user: requireAdminCredentials first.
        status, body, _ = self.err("GET", "/admin/users/%s/factors" % uid, token=token)
        self.assertEqual((status, body["error_code"]), (403, "not_admin"))
        status, body, _ = self.err("DELETE", "/admin/users/%s/factors/%s" % (uid, DEMO),
                                   key=SERVICE, headers=ADMIN)
        self.assertEqual((status, body["msg"]), (404, "Factor not found"))
        # adminUserDeleteFactor answers with the factor.
        gone = self.ok("DELETE", "/admin/users/%s/factors/%s" % (uid, f["id"]), key=SERVICE,
                       headers=ADMIN)
        self.assertEqual((gone["id"], gone["friendly_name"]), (f["id"], "desktop"))
        self.assertEqual(self.ok("GET", "/admin/users/%s/factors" % uid, key=SERVICE,
                                 headers=ADMIN), [])


class MFASettingsTest(unittest.TestCase):
    """auth.mfa as config.toml's [auth.mfa] (the CLI's template turns TOTP
    off; hosted projects have it on)."""

    def run_with(self, mfa, check):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "mfa.json")
            with open(path, "w") as f:
                json.dump({"name": "mfa", "extends": "default", "clock": "2026-01-01T00:00:00Z",
                           "auth": {"mfa": mfa}}, f)
            with Supamock("--scenario", path) as mock:
                def call(method, path, body=None, token=None):
                    h = {"apikey": ANON}
                    if token:
                        h["Authorization"] = "Bearer " + token
                    status, _, _, data = mock.request(method, "/auth/v1" + path,
                                                      body=json.dumps(body) if body else None,
                                                      headers=h)
                    return status, json.loads(data) if data else None
                status, s = call("POST", "/token?grant_type=password",
                                 {"email": "demo@example.com", "password": "demo-password"})
                self.assertEqual(status, 200, s)
                check(call, s["access_token"])

    def test_totp_enroll_disabled(self):
        def check(call, token):
            # mfa.go EnrollFactor: !config.MFA.TOTP.EnrollEnabled.
            self.assertEqual(call("POST", "/factors", {"factor_type": "totp"}, token), (422, {
                "code": 422, "error_code": "mfa_totp_enroll_not_enabled",
                "msg": "MFA enroll is disabled for TOTP"}))
        self.run_with({"totp": {"enroll_enabled": False}}, check)

    def test_totp_verify_disabled_and_factor_limit(self):
        def check(call, token):
            status, f = call("POST", "/factors", {"factor_type": "totp", "friendly_name": "a"},
                             token)
            self.assertEqual(status, 200, f)
            # ChallengeFactor: !config.MFA.TOTP.VerifyEnabled.
            self.assertEqual(call("POST", "/factors/%s/challenge" % f["id"], None, token), (422, {
                "code": 422, "error_code": "mfa_totp_verify_not_enabled",
                "msg": "MFA verification is disabled for TOTP"}))
            # validateFactors: len(user.Factors) >= MaxEnrolledFactors.
            self.assertEqual(call("POST", "/factors", {"factor_type": "totp",
                                                       "friendly_name": "b"}, token), (422, {
                "code": 422, "error_code": "too_many_enrolled_mfa_factors",
                "msg": "Maximum number of verified factors reached, unenroll to continue"}))
        self.run_with({"max_enrolled_factors": 1, "totp": {"verify_enabled": False}}, check)


if __name__ == "__main__":
    unittest.main()
