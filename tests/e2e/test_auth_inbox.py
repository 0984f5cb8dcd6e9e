"""/auth/v1 email and phone flows end to end, completed through the test inbox
(GET /__mock/inbox): /otp, /magiclink, /recover, /resend, both forms of
/verify, /invite, /admin/generate_link, signup confirmation, email change,
/reauthenticate, the PKCE grant, and GoTrue's send limits and expiries on the
scenario clock.

Expected statuses and texts come from supabase/auth: internal/api/otp.go,
magic_link.go, recover.go, resend.go, verify.go, invite.go, mail.go
(adminGenerateLink, validateEmail, validateSentWithinFrequencyLimit, the send
functions), phone.go (validatePhone, sendPhoneConfirmation), errors.go
(generateFrequencyLimitErrorMessage, DuplicateEmailMsg, oauthErrorMap),
pkce.go, token.go (PKCE), reauthenticate.go, user.go (UserUpdate),
internal/security/pkce.go, internal/crypto/crypto.go (GenerateTokenHash:
sha224 hex of address + code), internal/mailer/templatemailer/templatemailer.go
(default subjects, getPath), internal/tokens/service.go (AsRedirectURL) and
internal/conf/configuration.go (defaults: one minute between sends, 30 sends
an hour, flow states 300 s); the mail OTP expiry is the Supabase CLI's
auth.email.otp_expiry (3600 s). The fixture is tests/fixtures/auth-basic.json.
"""

import base64
import hashlib
import json
import os
import re
import tempfile
import unittest
import urllib.parse

from harness import Supamock, source_dir

ANON = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24i"
        "LCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
SITE = "http://127.0.0.1:3000"  # the Supabase CLI's auth.site_url
VERIFIER = "a" * 20 + "-verifier-of-enough-length-" + "b" * 20
S256 = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def fixture_text():
    with open(os.path.join(source_dir(), "tests", "fixtures", "auth-basic.json")) as f:
        return re.sub(r"^\s*//.*$", "", f.read(), flags=re.M)


def token_hash(addr, otp):
    # crypto.GenerateTokenHash: fmt.Sprintf("%x", sha256.Sum224([]byte(emailOrPhone+otp))).
    return hashlib.sha224((addr + otp).encode()).hexdigest()


def payload(jwt):
    seg = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


class Base(unittest.TestCase):
    settings = {}

    @classmethod
    def setUpClass(cls):
        sc = json.loads(fixture_text())
        sc["auth"].update(cls.settings)
        cls.tmp = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(sc, cls.tmp)
        cls.tmp.close()
        cls.mock = Supamock("--scenario", cls.tmp.name).start()
        cls.authority = "%s:%d" % (cls.mock.host, cls.mock.port)

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        os.unlink(cls.tmp.name)

    def setUp(self):
        self.admin("POST", "/reset")

    def admin(self, method, path, body=None):
        status, _, _, data = self.mock.request(
            method, "/__mock" + path, body=json.dumps(body) if body is not None else None,
            headers={"Content-Type": "application/json"} if body is not None else {})
        return status, json.loads(data) if data else None

    def advance(self, seconds):
        self.assertEqual(self.admin("POST", "/clock", {"advance_ms": int(seconds * 1000)})[0], 200)

    def inbox(self, query=""):
        status, msgs = self.admin("GET", "/inbox" + query)
        self.assertEqual(status, 200)
        return msgs

    def last(self, query=""):
        msgs = self.inbox(query)
        self.assertTrue(msgs, "no message for " + query)
        return msgs[-1]

    def call(self, method, path, body=None, key=ANON, bearer=None, headers=None):
        h = {"apikey": key}
        if bearer:
            h["Authorization"] = "Bearer " + bearer
        h.update(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        status, _, hdrs, data = self.mock.request(method, "/auth/v1" + path, body=body, headers=h)
        hd = {k.lower(): v for k, v in hdrs}
        if hd.get("content-type", "").startswith("application/json"):
            return status, hd, json.loads(data)
        return status, hd, data

    def admin_call(self, method, path, body=None):
        return self.call(method, path, body, key=SERVICE, bearer=SERVICE)

    def assertError(self, result, status, code, msg):
        got_status, h, body = result
        self.assertEqual((got_status, body), (status, {"code": status, "error_code": code,
                                                       "msg": msg}))
        self.assertEqual(h["x-sb-error-code"], code)

    def sign_in(self, email, password):
        status, _, body = self.call("POST", "/token?grant_type=password",
                                    {"email": email, "password": password})
        self.assertEqual(status, 200, body)
        return body


class AutoconfirmTest(Base):
    """The default: confirmations off (GOTRUE_MAILER_AUTOCONFIRM)."""

    # -- the inbox -------------------------------------------------------------

    def test_inbox_message_shape_filters_delete_and_reset(self):
        self.assertEqual(self.call("POST", "/otp", {"email": "New@Example.com"})[::2], (200, {}))
        m = self.last()
        self.assertEqual(list(m), ["id", "time", "channel", "to", "kind", "subject", "body",
                                   "link", "otp", "token_hash", "redirect_to"])
        self.assertEqual((m["channel"], m["to"], m["kind"]), ("email", "new@example.com",
                                                                "magiclink"))
        # templatemailer defaultTemplateSubjects.MagicLink.
        self.assertEqual(m["subject"], "Your sign-in link")
        self.assertEqual(m["time"], "2026-01-01T00:00:00Z")
        self.assertRegex(m["otp"], r"^[0-9]{6}$")
        self.assertEqual(m["token_hash"], token_hash("new@example.com", m["otp"]))
        # getPath: /verify?token=..&type=..&redirect_to= (the site URL by default).
        self.assertEqual(m["link"], "http://%s/auth/v1/verify?token=%s&type=magiclink"
                         "&redirect_to=%s" % (self.authority, m["token_hash"], SITE))
        self.assertEqual(m["redirect_to"], SITE)
        self.call("POST", "/otp", {"phone": "+15550001111"})
        self.assertEqual(len(self.inbox()), 2)
        self.assertEqual([x["kind"] for x in self.inbox("?phone=15550001111")], ["sms"])
        self.assertEqual([x["kind"] for x in self.inbox("?phone=%2B15550001111")], ["sms"])
        self.assertEqual(len(self.inbox("?email=NEW%40example.com")), 1)
        self.assertEqual(self.inbox("?kind=recovery"), [])
        self.assertEqual(self.admin("GET", "/inbox?to=x"),
                         (400, {"error": 'unknown inbox filter "to" (use email, phone or kind)'}))
        self.assertEqual(self.admin("DELETE", "/inbox?kind=sms"), (200, {"deleted": 1}))
        self.assertEqual(len(self.inbox()), 1)
        self.admin("POST", "/reset")
        self.assertEqual(self.inbox(), [])

    # -- /otp with email -------------------------------------------------------

    def test_email_otp_signs_in_once(self):
        self.call("POST", "/otp", {"email": "otp@example.com", "data": {"plan": "pro"}})
        m = self.last("?email=otp@example.com")
        status, _, s = self.call("POST", "/verify", {"type": "email", "email": "otp@example.com",
                                                     "token": m["otp"]})
        self.assertEqual(status, 200, s)
        self.assertEqual(s["user"]["email"], "otp@example.com")
        self.assertEqual(s["user"]["user_metadata"]["plan"], "pro")
        self.assertIn("email_confirmed_at", s["user"])
        self.assertEqual(payload(s["access_token"])["email"], "otp@example.com")
        # verifyPost: issueRefreshToken(..., models.OTP): the amr method is "otp",
        # and a refresh keeps it (the session's AMR claims).
        self.assertEqual([a["method"] for a in payload(s["access_token"])["amr"]], ["otp"])
        r = self.call("POST", "/token?grant_type=refresh_token",
                      {"refresh_token": s["refresh_token"]})[2]
        self.assertEqual([a["method"] for a in payload(r["access_token"])["amr"]], ["otp"])
        # verifyUserAndToken: the code is spent.
        self.assertError(self.call("POST", "/verify", {"type": "email", "email": "otp@example.com",
                                                       "token": m["otp"]}),
                         403, "otp_expired", "Token has expired or is invalid")

    def test_magic_link_get_redirects_with_the_session(self):
        self.call("POST", "/magiclink", {"email": "demo@example.com"})
        m = self.last("?kind=magiclink")
        status, _, hdrs, body = self.mock.request("GET", m["link"].split(self.authority, 1)[1])
        hd = {k.lower(): v for k, v in hdrs}
        self.assertEqual(status, 303)
        loc = hd["location"]
        base, frag = loc.split("#", 1)
        self.assertEqual(base, SITE)
        # AsRedirectURL: url.Values.Encode, keys sorted, sb="" last but one.
        keys = [kv.split("=", 1)[0] for kv in frag.split("&")]
        self.assertEqual(keys, ["access_token", "expires_at", "expires_in", "refresh_token", "sb",
                                "token_type", "type"])
        f = dict(urllib.parse.parse_qsl(frag, keep_blank_values=True))
        self.assertEqual((f["type"], f["token_type"], f["expires_in"], f["sb"]),
                         ("magiclink", "bearer", "3600", ""))
        self.assertEqual(payload(f["access_token"])["email"], "demo@example.com")
        # http.Redirect's body for a GET.
        self.assertEqual(hd["content-type"], "text/html; charset=utf-8")
        self.assertTrue(body.startswith(b'<a href="http://127.0.0.1:3000#access_token='))
        self.assertTrue(body.endswith(b'">See Other</a>.\n\n'))
        # The link is spent: prepErrorRedirectURL puts the error in the fragment.
        status, _, hdrs, _ = self.mock.request("GET", m["link"].split(self.authority, 1)[1])
        self.assertEqual(status, 303)
        self.assertEqual(dict((k.lower(), v) for k, v in hdrs)["location"],
                         SITE + "#error=access_denied&error_code=otp_expired&error_description="
                         "Email+link+is+invalid+or+has+expired&sb=")

    def test_verify_get_validation_is_json(self):
        # VerifyParams.Validate runs before the redirecting part.
        self.assertError(self.call("GET", "/verify?token=x"), 400, "validation_failed",
                         "Verify requires a verification type")
        self.assertError(self.call("GET", "/verify?type=signup"), 400, "validation_failed",
                         "Verify requires a token or a token hash")

    def test_redirect_to(self):
        # GetReferrer: a loopback redirect_to is valid (IsRedirectURLValid).
        self.call("POST", "/otp?redirect_to=http%3A%2F%2F127.0.0.1%3A5173%2Fcb",
                  {"email": "demo@example.com"})
        m = self.last()
        self.assertEqual(m["redirect_to"], "http://127.0.0.1:5173/cb")
        self.assertTrue(m["link"].endswith("&redirect_to=http://127.0.0.1:5173/cb"))
        # Another host is not on the allow list: the site URL instead.
        self.advance(61)
        self.call("POST", "/otp?redirect_to=https%3A%2F%2Fevil.example%2F",
                  {"email": "demo@example.com"})
        self.assertEqual(self.last()["redirect_to"], SITE)

    def test_otp_validation(self):
        # otp.go OtpParams.Validate and shouldCreateUser.
        self.assertError(self.call("POST", "/otp", {"email": "a@example.com",
                                                    "phone": "15550001111"}),
                         400, "validation_failed",
                         "Only an email address or phone number should be provided")
        self.assertError(self.call("POST", "/otp", {"email": "a@example.com", "channel": "sms"}),
                         400, "validation_failed", "Channel should only be specified with Phone OTP")
        self.assertError(self.call("POST", "/otp", {}), 400, "validation_failed",
                         "One of email or phone must be set")
        self.assertError(self.call("POST", "/otp", {"email": "nobody@example.com",
                                                    "create_user": False}),
                         422, "otp_disabled", "Signups not allowed for otp")
        self.assertError(self.call("POST", "/otp", {"email": "not-an-email"}), 400,
                         "validation_failed", "Unable to validate email address: invalid format")
        # pkce.go validatePKCEParams.
        self.assertError(self.call("POST", "/otp", {"email": "a@example.com",
                                                    "code_challenge": S256}),
                         400, "validation_failed",
                         "PKCE flow requires code_challenge_method and code_challenge")
        self.assertError(self.call("POST", "/otp", {"email": "a@example.com",
                                                    "code_challenge": "short",
                                                    "code_challenge_method": "s256"}),
                         400, "validation_failed", "code challenge has to be between 43 and 128 "
                         "characters")
        # An unknown method passes validatePKCEParams and fails in NewFlowState
        # (ParseCodeChallengeMethod), an error errors.go answers as unexpected.
        self.assertError(self.call("POST", "/otp", {"email": "demo@example.com",
                                                    "code_challenge": S256,
                                                    "code_challenge_method": "sha1"}),
                         500, "unexpected_failure",
                         "Unexpected failure, please check server logs for more information")
        self.assertError(self.call("POST", "/otp", {"email": "a@example.com",
                                                    "code_challenge": "!" * 43,
                                                    "code_challenge_method": "s256"}),
                         400, "validation_failed", "code challenge can only contain alphanumeric "
                         "characters, hyphens, periods, underscores and tildes")
        # phone.go validatePhone; otp.go SmsParams.Validate.
        self.assertError(self.call("POST", "/otp", {"phone": "0123"}), 400, "validation_failed",
                         "Invalid phone number format (E.164 required)")
        self.assertError(self.call("POST", "/otp", {"phone": "15550001111",
                                                    "channel": "whatsapp"}),
                         400, "validation_failed",
                         "Invalid channel, supported values are 'sms' or 'whatsapp'. 'whatsapp' "
                         "is only supported if Twilio or Twilio Verify is used as the provider.")
        # magic_link.go MagicLinkParams.Validate.
        self.assertError(self.call("POST", "/magiclink", {}), 422, "validation_failed",
                         "Password recovery requires an email")

    # -- limits and expiry on the scenario clock ---------------------------------

    def test_resend_window_on_the_scenario_clock(self):
        self.call("POST", "/otp", {"email": "demo@example.com"})
        # validateSentWithinFrequencyLimit + generateFrequencyLimitErrorMessage.
        self.assertError(self.call("POST", "/otp", {"email": "demo@example.com"}), 429,
                         "over_email_send_rate_limit",
                         "For security purposes, you can only request this after 60 seconds.")
        self.advance(30.5)
        self.assertError(self.call("POST", "/otp", {"email": "demo@example.com"}), 429,
                         "over_email_send_rate_limit",
                         "For security purposes, you can only request this after 29 seconds.")
        self.advance(30)
        self.assertEqual(self.call("POST", "/otp", {"email": "demo@example.com"})[0], 200)
        self.assertEqual(len(self.inbox("?kind=magiclink")), 2)
        # The recovery mail shares the column (RecoverySentAt).
        self.assertEqual(self.call("POST", "/recover", {"email": "demo@example.com"})[0], 429)

    def test_sms_resend_window(self):
        self.call("POST", "/otp", {"phone": "15550001111"})
        # sendPhoneConfirmation: ErrorCodeOverSMSSendRateLimit.
        self.assertError(self.call("POST", "/otp", {"phone": "15550001111"}), 429,
                         "over_sms_send_rate_limit",
                         "For security purposes, you can only request this after 60 seconds.")

    def test_codes_expire(self):
        self.call("POST", "/otp", {"email": "demo@example.com"})
        m = self.last()
        self.advance(3601)
        self.assertError(self.call("POST", "/verify", {"type": "magiclink",
                                                       "email": "demo@example.com",
                                                       "token": m["otp"]}),
                         403, "otp_expired", "Token has expired or is invalid")
        self.assertError(self.call("POST", "/verify", {"type": "magiclink",
                                                       "token_hash": m["token_hash"]}),
                         403, "otp_expired", "Email link is invalid or has expired")

    def test_sms_codes_expire_after_a_minute(self):
        self.call("POST", "/otp", {"phone": "15550002222"})
        m = self.last()
        self.advance(61)
        self.assertError(self.call("POST", "/verify", {"type": "sms", "phone": "15550002222",
                                                       "token": m["otp"]}),
                         403, "otp_expired", "Token has expired or is invalid")

    # -- /verify (POST) ----------------------------------------------------------

    def test_verify_post_validation(self):
        v = lambda body: self.call("POST", "/verify", body)  # noqa: E731
        self.assertError(v({"token": "1"}), 400, "validation_failed",
                         "Verify requires a verification type")
        self.assertError(v({"type": "email"}), 400, "validation_failed",
                         "Verify requires either a token or a token hash")
        self.assertError(v({"type": "email", "token": "1", "token_hash": "2"}), 400,
                         "validation_failed", "Verify requires either a token or a token hash")
        self.assertError(v({"type": "email", "token": "123456"}), 400, "validation_failed",
                         "Only an email address or phone number should be provided on verify")
        self.assertError(v({"type": "email", "token": "123456", "email": "bad"}), 422,
                         "validation_failed", "Invalid email format")
        self.assertError(v({"type": "email", "token_hash": "x", "email": "a@example.com"}), 400,
                         "validation_failed", "Only the token_hash and type should be provided")
        self.assertError(v({"type": "nope", "token_hash": "x"}), 400, "validation_failed",
                         "Invalid email verification type")
        self.assertError(v({"type": "signup", "token_hash": "x"}), 403, "otp_expired",
                         "Email link is invalid or has expired")
        self.assertError(v({"type": "email", "token": "000000", "email": "nobody@example.com"}),
                         403, "otp_expired", "Token has expired or is invalid")

    def test_phone_otp(self):
        status, _, body = self.call("POST", "/otp", {"phone": "+1 555 000 3333"})
        self.assertEqual(status, 200)
        m = self.last("?phone=15550003333")
        self.assertEqual(body, {"message_id": str(m["id"])})
        self.assertEqual((m["channel"], m["to"], m["kind"], m["subject"], m["link"]),
                         ("sms", "15550003333", "sms", None, None))
        # The default SMS template, "Your code is {{ .Code }}".
        self.assertEqual(m["body"], "Your code is " + m["otp"])
        self.assertEqual(m["token_hash"], token_hash("15550003333", m["otp"]))
        status, _, s = self.call("POST", "/verify", {"type": "sms", "phone": "+15550003333",
                                                     "token": m["otp"]})
        self.assertEqual(status, 200, s)
        self.assertEqual(s["user"]["phone"], "15550003333")
        self.assertIn("phone_confirmed_at", s["user"])

    # -- /recover, /resend -------------------------------------------------------

    def test_recover(self):
        self.assertError(self.call("POST", "/recover", {}), 400, "validation_failed",
                         "Password recovery requires an email")
        # No word on who is registered.
        self.assertEqual(self.call("POST", "/recover", {"email": "nobody@example.com"})[::2],
                         (200, {}))
        self.assertEqual(self.inbox(), [])
        self.assertEqual(self.call("POST", "/recover", {"email": "demo@example.com"})[::2],
                         (200, {}))
        m = self.last()
        self.assertEqual((m["kind"], m["subject"]), ("recovery", "Reset your password"))
        self.assertIn("&type=recovery&", m["link"])
        status, _, s = self.call("POST", "/verify", {"type": "recovery",
                                                     "token_hash": m["token_hash"]})
        self.assertEqual(status, 200, s)
        status, _, u = self.call("PUT", "/user", {"password": "brand-new-password"},
                                 bearer=s["access_token"])
        self.assertEqual(status, 200, u)
        self.sign_in("demo@example.com", "brand-new-password")

    def test_resend_validation(self):
        r = lambda body: self.call("POST", "/resend", body)  # noqa: E731
        self.assertError(r({"email": "a@example.com"}), 400, "validation_failed",
                         "Missing one of these types: signup, email_change, sms, phone_change")
        self.assertError(r({"type": "signup"}), 400, "validation_failed",
                         "Type provided requires an email address")
        self.assertError(r({"type": "sms"}), 400, "validation_failed",
                         "Type provided requires a phone number")
        self.assertError(r({"type": "email_change"}), 400, "validation_failed",
                         "Missing email address or phone number")
        self.assertError(r({"type": "email_change", "email": "a@example.com",
                            "phone": "15550001111"}),
                         400, "validation_failed",
                         "Only an email address or phone number should be provided.")
        # Unknown users and confirmed ones: {} and nothing sent.
        self.assertEqual(r({"type": "signup", "email": "nobody@example.com"})[::2], (200, {}))
        self.assertEqual(r({"type": "signup", "email": "demo@example.com"})[::2], (200, {}))
        self.assertEqual(r({"type": "email_change", "email": "demo@example.com"})[::2], (200, {}))
        self.assertEqual(self.inbox(), [])

    # -- /invite and /admin/generate_link -----------------------------------------

    def test_invite(self):
        status, _, u = self.admin_call("POST", "/invite", {"email": "Guest@Example.com",
                                                            "data": {"team": "a"}})
        self.assertEqual(status, 200, u)
        self.assertEqual((u["email"], u["user_metadata"]["team"]), ("guest@example.com", "a"))
        self.assertNotIn("email_confirmed_at", u)
        # models.User InvitedAt `json:"invited_at,omitempty"`, after email_confirmed_at.
        self.assertEqual(list(u)[4:6], ["invited_at", "phone"])
        m = self.last()
        self.assertEqual((m["kind"], m["subject"]), ("invite", "You've been invited"))
        self.assertIn("&type=invite&", m["link"])
        status, _, s = self.call("POST", "/verify", {"type": "invite",
                                                     "token_hash": m["token_hash"]})
        self.assertEqual(status, 200, s)
        self.assertIn("email_confirmed_at", s["user"])
        # Confirmed users cannot be invited again.
        self.assertError(self.admin_call("POST", "/invite", {"email": "guest@example.com"}),
                         422, "email_exists",
                         "A user with this email address has already been registered")
        self.assertError(self.admin_call("POST", "/invite", {}), 400, "validation_failed",
                         "An email address is required")

    def test_generate_link_every_type(self):
        base = "http://%s/auth/v1/verify?token=" % self.authority
        for typ, email, extra, vtype in [
                ("signup", "gen-signup@example.com", {"password": "secret-123"}, "signup"),
                ("magiclink", "demo@example.com", {}, "magiclink"),
                ("magiclink", "gen-new@example.com", {}, "signup"),
                ("recovery", "demo@example.com", {}, "recovery"),
                ("invite", "gen-invite@example.com", {}, "invite"),
                ("email_change_current", "demo@example.com", {"new_email": "d2@example.com"},
                 "email_change_current"),
                ("email_change_new", "demo@example.com", {"new_email": "d3@example.com"},
                 "email_change_new")]:
            with self.subTest(type=typ, email=email):
                body = {"type": typ, "email": email}
                body.update(extra)
                status, _, r = self.admin_call("POST", "/admin/generate_link", body)
                self.assertEqual(status, 200, r)
                # GenerateLinkResponse: the User's fields, then the link's.
                self.assertEqual(list(r)[-5:], ["action_link", "email_otp", "hashed_token",
                                                "verification_type", "redirect_to"])
                self.assertEqual(r["email"], email)
                self.assertRegex(r["email_otp"], r"^[0-9]{6}$")
                self.assertEqual(r["hashed_token"], token_hash(email, r["email_otp"]))
                self.assertEqual(r["verification_type"], vtype)
                self.assertEqual(r["redirect_to"], SITE)
                link_token = r["hashed_token"]
                link_type = vtype
                if typ == "email_change_new":
                    link_token = token_hash(extra["new_email"], r["email_otp"])
                if typ.startswith("email_change"):
                    link_type = "email_change"
                self.assertEqual(r["action_link"], "%s%s&type=%s&redirect_to=%s"
                                 % (base, link_token, link_type, SITE))
                # Nothing is mailed.
                self.assertEqual(self.inbox(), [])
                if not typ.startswith("email_change"):
                    status, _, s = self.call("POST", "/verify", {"type": link_type,
                                                                 "token_hash": link_token})
                    self.assertEqual(status, 200, s)
                    self.assertEqual(s["user"]["email"], email)
        status, _, r = self.admin_call("POST", "/admin/generate_link",
                                       {"type": "email_change_new", "email": "demo@example.com",
                                        "new_email": "d4@example.com"})
        s = self.call("POST", "/verify", {"type": "email_change", "token_hash":
                                          token_hash("d4@example.com", r["email_otp"])})[2]
        self.assertEqual(s["user"]["email"], "d4@example.com")

    def test_generate_link_errors(self):
        g = lambda body: self.admin_call("POST", "/admin/generate_link", body)  # noqa: E731
        self.assertError(g({"type": "recovery", "email": "nobody@example.com"}), 404,
                         "user_not_found", "User with this email not found")
        self.assertError(g({"type": "email_change_new", "email": "nobody@example.com"}), 404,
                         "user_not_found", "User with this email not found")
        self.assertError(g({"type": "bogus", "email": "demo@example.com"}), 400,
                         "validation_failed", "Invalid email action link type requested: bogus")
        self.assertError(g({"type": "signup", "email": "demo@example.com"}), 422, "email_exists",
                         "A user with this email address has already been registered")
        self.assertError(g({"type": "signup", "email": "fresh@example.com"}), 400,
                         "validation_failed", "Signup requires a valid password")
        self.assertError(g({"type": "magiclink"}), 400, "validation_failed",
                         "An email address is required")
        status, _, r = g({"type": "recovery", "email": "demo@example.com",
                          "redirect_to": "http://127.0.0.1:8080/reset"})
        self.assertEqual(r["redirect_to"], "http://127.0.0.1:8080/reset")

    # -- PKCE ----------------------------------------------------------------------

    def pkce_link(self, email, method="s256", challenge=S256):
        body = {"email": email, "code_challenge": challenge, "code_challenge_method": method}
        self.assertEqual(self.call("POST", "/otp", body)[0], 200)
        m = self.last()
        self.assertTrue(m["token_hash"].startswith("pkce_"), m)
        status, _, hdrs, _ = self.mock.request("GET", m["link"].split(self.authority, 1)[1])
        self.assertEqual(status, 303)
        loc = dict((k.lower(), v) for k, v in hdrs)["location"]
        # prepPKCERedirectURL: ?code= on the redirect URL.
        self.assertRegex(loc, r"^http://127\.0\.0\.1:3000\?code=[0-9a-f-]{36}$")
        return loc.split("code=", 1)[1]

    def test_pkce_s256(self):
        code = self.pkce_link("demo@example.com")
        self.assertError(self.call("POST", "/token?grant_type=pkce",
                                   {"auth_code": code, "code_verifier": "wrong" * 10}),
                         400, "bad_code_verifier",
                         "code challenge does not match previously saved code verifier")
        status, _, s = self.call("POST", "/token?grant_type=pkce",
                                 {"auth_code": code, "code_verifier": VERIFIER})
        self.assertEqual(status, 200, s)
        self.assertEqual(s["user"]["email"], "demo@example.com")
        # token.go PKCE: IssueRefreshToken with the flow state's method.
        self.assertEqual([a["method"] for a in payload(s["access_token"])["amr"]], ["magiclink"])
        # The flow state is destroyed with its use.
        self.assertError(self.call("POST", "/token?grant_type=pkce",
                                   {"auth_code": code, "code_verifier": VERIFIER}),
                         404, "flow_state_not_found",
                         "invalid flow state, no valid flow state found")

    def test_pkce_plain_and_expiry(self):
        code = self.pkce_link("demo@example.com", "plain", VERIFIER)
        self.advance(301)
        self.assertError(self.call("POST", "/token?grant_type=pkce",
                                   {"auth_code": code, "code_verifier": VERIFIER}),
                         422, "flow_state_expired", "invalid flow state, flow state has expired")
        self.assertError(self.call("POST", "/token?grant_type=pkce", {"auth_code": code}),
                         400, "validation_failed",
                         "invalid request: both auth code and code verifier should be non-empty")

    def test_pkce_recovery_error_redirect_keeps_query(self):
        self.call("POST", "/recover", {"email": "demo@example.com", "code_challenge": S256,
                                       "code_challenge_method": "s256"})
        m = self.last()
        self.advance(3601)
        status, _, hdrs, _ = self.mock.request("GET", m["link"].split(self.authority, 1)[1])
        # prepErrorRedirectURL: in a PKCE flow the error is in the query too.
        self.assertEqual(dict((k.lower(), v) for k, v in hdrs)["location"],
                         SITE + "?error=access_denied&error_code=otp_expired&error_description="
                         "Email+link+is+invalid+or+has+expired#error=access_denied&error_code="
                         "otp_expired&error_description=Email+link+is+invalid+or+has+expired&sb=")

    # -- email change and reauthentication --------------------------------------

    def test_email_change_autoconfirm_takes_one_link(self):
        s = self.sign_in("demo@example.com", "demo-password")
        status, _, u = self.call("PUT", "/user", {"email": "Moved@Example.com"},
                                 bearer=s["access_token"])
        self.assertEqual((status, u["email"]), (200, "demo@example.com"))
        # models.User: new_email and email_change_sent_at, after confirmed_at.
        self.assertEqual(u["new_email"], "moved@example.com")
        keys = list(u)
        self.assertLess(keys.index("confirmed_at"), keys.index("new_email"))
        self.assertLess(keys.index("new_email"), keys.index("email_change_sent_at"))
        self.assertLess(keys.index("email_change_sent_at"), keys.index("last_sign_in_at"))
        new = self.last("?kind=email_change_new")
        cur = self.last("?kind=email_change_current")
        self.assertEqual((new["to"], cur["to"]), ("moved@example.com", "demo@example.com"))
        self.assertEqual(new["subject"], "Confirm your new email address")
        self.assertEqual(new["token_hash"], token_hash("moved@example.com", new["otp"]))
        self.assertEqual(cur["token_hash"], token_hash("demo@example.com", cur["otp"]))
        # emailChangeVerify: with autoconfirm one confirmation completes it.
        status, _, s2 = self.call("POST", "/verify", {"type": "email_change",
                                                      "email": "moved@example.com",
                                                      "token": new["otp"]})
        self.assertEqual(status, 200, s2)
        self.assertEqual(s2["user"]["email"], "moved@example.com")
        self.assertNotIn("new_email", s2["user"])
        self.sign_in("moved@example.com", "demo-password")
        self.assertError(self.call("PUT", "/user", {"email": "pending@example.com"},
                                   bearer=s2["access_token"]),
                         422, "email_exists",
                         "A user with this email address has already been registered")

    def test_reauthenticate(self):
        s = self.sign_in("demo@example.com", "demo-password")
        self.assertEqual(self.call("GET", "/reauthenticate", bearer=s["access_token"])[::2],
                         (200, {}))
        m = self.last()
        # defaultTemplateSubjects.Reauthentication "{{ .Token }} is your verification code".
        self.assertEqual((m["kind"], m["subject"], m["link"]),
                         ("reauthentication", m["otp"] + " is your verification code", None))
        self.assertError(self.call("GET", "/reauthenticate", bearer=s["access_token"]), 429,
                         "over_email_send_rate_limit",
                         "For security purposes, you can only request this after 60 seconds.")
        self.assertEqual(self.call("GET", "/reauthenticate")[0], 401)


class ConfirmTest(Base):
    """auth.confirm_email (enable_confirmations) and secure_password_change on."""

    settings = {"confirm_email": True, "secure_password_change": True,
                "enable_anonymous_sign_ins": True}

    def test_anonymous_user_links_an_email_through_the_inbox(self):
        # user.go UserUpdate: an anonymous user without autoconfirm gets the
        # email_change mail (only to the new address: it has no email), and
        # verify.go emailChangeVerify links it (is_anonymous false).
        status, _, s = self.call("POST", "/signup", {})
        self.assertEqual(status, 200, s)
        self.assertTrue(s["user"]["is_anonymous"])
        status, _, u = self.call("PUT", "/user", {"email": "Anon@Example.com"},
                                 bearer=s["access_token"])
        self.assertEqual((status, u["email"], u["new_email"], u["is_anonymous"]),
                         (200, "", "anon@example.com", True))
        msgs = self.inbox()
        self.assertEqual([(m["kind"], m["to"]) for m in msgs],
                         [("email_change_new", "anon@example.com")])
        status, _, s2 = self.call("POST", "/verify", {"type": "email_change",
                                                      "token_hash": msgs[0]["token_hash"]})
        self.assertEqual(status, 200, s2)
        self.assertEqual((s2["user"]["email"], s2["user"]["is_anonymous"]),
                         ("anon@example.com", False))
        self.assertEqual(payload(s2["access_token"])["is_anonymous"], False)

    def test_signup_confirmation(self):
        status, _, u = self.call("POST", "/signup", {"email": "c@example.com",
                                                     "password": "secret-123"})
        self.assertEqual(status, 200, u)
        self.assertIn("confirmation_sent_at", u)
        m = self.last("?email=c@example.com")
        self.assertEqual((m["kind"], m["subject"]), ("signup", "Confirm your email address"))
        self.assertIn("&type=signup&", m["link"])
        status, _, b = self.call("POST", "/token?grant_type=password",
                                 {"email": "c@example.com", "password": "secret-123"})
        self.assertEqual((status, b["error_code"]), (400, "email_not_confirmed"))
        # A repeated signup sends again, within the window.
        self.assertError(self.call("POST", "/signup", {"email": "c@example.com",
                                                       "password": "secret-123"}),
                         429, "over_email_send_rate_limit",
                         "For security purposes, you can only request this after 60 seconds.")
        self.advance(60)
        self.assertEqual(self.call("POST", "/resend", {"type": "signup",
                                                       "email": "c@example.com"})[::2],
                         (200, {}))
        again = self.last("?email=c@example.com")
        self.assertNotEqual(again["id"], m["id"])
        # The first code was replaced.
        self.assertError(self.call("POST", "/verify", {"type": "signup",
                                                       "token_hash": m["token_hash"]}),
                         403, "otp_expired", "Email link is invalid or has expired")
        status, _, s = self.call("POST", "/verify", {"type": "signup",
                                                     "token_hash": again["token_hash"]})
        self.assertEqual(status, 200, s)
        self.sign_in("c@example.com", "secret-123")

    def test_otp_for_new_user_sends_the_confirmation(self):
        # MagicLink: an unconfirmed user gets the signup mail; {}.
        self.assertEqual(self.call("POST", "/otp", {"email": "n@example.com"})[::2], (200, {}))
        m = self.last()
        self.assertEqual(m["kind"], "signup")
        status, _, s = self.call("POST", "/verify", {"type": "email", "email": "n@example.com",
                                                     "token": m["otp"]})
        self.assertEqual(status, 200, s)

    def test_phone_signup_confirmation(self):
        status, _, u = self.call("POST", "/signup", {"phone": "15550004444",
                                                     "password": "secret-123"})
        self.assertEqual(status, 200, u)
        m = self.last("?phone=15550004444")
        self.assertEqual(m["kind"], "sms")
        self.assertError(self.call("POST", "/signup", {"phone": "15550004444",
                                                       "password": "secret-123"}),
                         429, "over_sms_send_rate_limit",
                         "For security purposes, you can only request this after 60 seconds.")
        self.assertEqual(self.call("POST", "/verify", {"type": "sms", "phone": "15550004444",
                                                       "token": m["otp"]})[0], 200)

    def test_hourly_email_limit(self):
        # 30 sends an hour (GOTRUE_RATE_LIMIT_EMAIL_SENT), then "email rate
        # limit exceeded" (mail.go EmailRateLimitExceeded).
        for i in range(30):
            self.assertEqual(self.call("POST", "/otp", {"email": "u%d@example.com" % i})[0], 200)
        self.assertError(self.call("POST", "/otp", {"email": "u30@example.com"}), 429,
                         "over_email_send_rate_limit", "email rate limit exceeded")
        self.advance(3600)
        self.assertEqual(self.call("POST", "/otp", {"email": "u30@example.com"})[0], 200)

    def test_secure_email_change_needs_both_links(self):
        s = self.sign_in("demo@example.com", "demo-password")
        self.call("PUT", "/user", {"email": "two@example.com"}, bearer=s["access_token"])
        new = self.last("?kind=email_change_new")
        cur = self.last("?kind=email_change_current")
        # verify.go singleConfirmationAccepted.
        status, _, body = self.call("POST", "/verify", {"type": "email_change",
                                                        "token_hash": cur["token_hash"]})
        self.assertEqual((status, body), (200, {
            "code": "200",
            "msg": "Confirmation link accepted. Please proceed to confirm link sent to the other "
                   "email"}))
        status, _, s2 = self.call("POST", "/verify", {"type": "email_change",
                                                      "token_hash": new["token_hash"]})
        self.assertEqual(status, 200, s2)
        self.assertEqual(s2["user"]["email"], "two@example.com")

    def test_secure_password_change(self):
        s = self.sign_in("demo@example.com", "demo-password")
        # A session younger than 24 hours needs no nonce (user.go UserUpdate).
        self.assertEqual(self.call("PUT", "/user", {"password": "second-password"},
                                   bearer=s["access_token"])[0], 200)
        self.advance(24 * 3600 + 1)
        s = self.call("POST", "/token?grant_type=refresh_token",
                      {"refresh_token": s["refresh_token"]})[2]
        self.assertError(self.call("PUT", "/user", {"password": "third-password"},
                                   bearer=s["access_token"]),
                         400, "reauthentication_needed", "Password update requires reauthentication")
        self.assertError(self.call("PUT", "/user", {"password": "third-password",
                                                    "nonce": "123456"}, bearer=s["access_token"]),
                         422, "reauthentication_not_valid", "Nonce has expired or is invalid")
        self.call("GET", "/reauthenticate", bearer=s["access_token"])
        nonce = self.last("?kind=reauthentication")["otp"]
        self.assertError(self.call("PUT", "/user", {"password": "third-password",
                                                    "nonce": "000000" if nonce != "000000"
                                                    else "111111"}, bearer=s["access_token"]),
                         422, "reauthentication_not_valid", "Nonce has expired or is invalid")
        self.assertEqual(self.call("PUT", "/user", {"password": "third-password",
                                                    "nonce": nonce}, bearer=s["access_token"])[0],
                         200)
        self.sign_in("demo@example.com", "third-password")

    def test_phone_change_and_resends(self):
        s = self.sign_in("demo@example.com", "demo-password")
        status, _, u = self.call("PUT", "/user", {"phone": "+15550005555"},
                                 bearer=s["access_token"])
        self.assertEqual(status, 200, u)
        # With SMS confirmations on, the phone waits for its code (user.go
        # UserUpdate -> sendPhoneConfirmation(phoneChangeVerification)).
        self.assertEqual((u["phone"], u["new_phone"]), ("", "15550005555"))
        m = self.last("?phone=15550005555")
        self.assertEqual(m["kind"], "phone_change")
        # resend.go looks the user up by the phone given, which is not yet the
        # user's (FindUserByPhoneAndAudience): {} and nothing sent.
        self.assertEqual(self.call("POST", "/resend", {"type": "phone_change",
                                                       "phone": "15550005555"})[::2], (200, {}))
        self.assertError(self.call("POST", "/resend", {"type": "phone_change",
                                                       "email": "demo@example.com"}),
                         429, "over_sms_send_rate_limit",
                         "For security purposes, you can only request this after 60 seconds.")
        self.advance(61)
        status, _, body = self.call("POST", "/resend", {"type": "phone_change",
                                                        "email": "demo@example.com"})
        again = self.last("?phone=15550005555")
        self.assertEqual((status, body), (200, {"message_id": str(again["id"])}))
        status, _, s2 = self.call("POST", "/verify", {"type": "phone_change",
                                                      "phone": "15550005555",
                                                      "token": again["otp"]})
        self.assertEqual(status, 200, s2)
        self.assertEqual(s2["user"]["phone"], "15550005555")
        self.assertNotIn("new_phone", s2["user"])

    def test_resend_email_change_and_pkce_signup(self):
        s = self.sign_in("demo@example.com", "demo-password")
        self.call("PUT", "/user", {"email": "later@example.com"}, bearer=s["access_token"])
        self.advance(61)
        self.assertEqual(self.call("POST", "/resend", {"type": "email_change",
                                                       "email": "demo@example.com"})[::2],
                         (200, {}))
        self.assertEqual(len(self.inbox("?kind=email_change_new")), 2)
        # A PKCE signup: the confirmation link redirects with ?code=.
        status, _, u = self.call("POST", "/signup", {"email": "p@example.com",
                                                     "password": "secret-123",
                                                     "code_challenge": S256,
                                                     "code_challenge_method": "S256"})
        self.assertEqual(status, 200, u)
        m = self.last("?email=p@example.com")
        self.assertTrue(m["token_hash"].startswith("pkce_"))
        status, _, hdrs, _ = self.mock.request("GET", m["link"].split(self.authority, 1)[1])
        loc = dict((k.lower(), v) for k, v in hdrs)["location"]
        code = loc.split("code=", 1)[1]
        status, _, s2 = self.call("POST", "/token?grant_type=pkce",
                                  {"auth_code": code, "code_verifier": VERIFIER})
        self.assertEqual(status, 200, s2)
        self.assertIn("email_confirmed_at", s2["user"])

    def test_sessions_have_their_own_inbox(self):
        status, sess = self.admin("POST", "/sessions", {})
        self.assertEqual(status, 201)
        prefix = "/s/" + sess["id"]
        status, _, _, _ = self.mock.request("POST", prefix + "/auth/v1/otp",
                                            body=json.dumps({"email": "demo@example.com"}),
                                            headers={"apikey": ANON})
        self.assertEqual(status, 200)
        self.assertEqual(self.inbox(), [])
        status, _, _, data = self.mock.request("GET", prefix + "/__mock/inbox")
        self.assertEqual((status, [m["to"] for m in json.loads(data)]),
                         (200, ["demo@example.com"]))
        self.admin("DELETE", "/sessions/" + sess["id"])


class SeedTest(unittest.TestCase):
    """Codes come from the scenario's PRNG: the same --seed, the same codes."""

    def codes(self, seed):
        with Supamock("--scenario", os.path.join(source_dir(), "tests", "fixtures",
                                                 "auth-basic.json"), "--seed", seed) as mock:
            for email in ("a@example.com", "b@example.com"):
                status, _, _, _ = mock.request("POST", "/auth/v1/otp",
                                               body=json.dumps({"email": email}),
                                               headers={"apikey": ANON})
                self.assertEqual(status, 200)
            _, _, _, data = mock.request("GET", "/__mock/inbox")
            return [m["otp"] for m in json.loads(data)]

    def test_seed_fixes_the_codes(self):
        first = self.codes("7")
        self.assertEqual(first, self.codes("7"))
        self.assertNotEqual(first, self.codes("8"))


if __name__ == "__main__":
    unittest.main()
