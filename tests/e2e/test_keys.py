"""`supamock keys` and `supamock token`: the printed lines, and
tokens whose HMAC is checked here with the scenario's secret, independently
of the binary. Key values are the Supabase CLI demo keys (supabase/cli apikeys.go)."""

import base64
import hashlib
import hmac
import json
import subprocess
import time
import unittest

from harness import Supamock, binary, source_dir

SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
ANON = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24i"
        "LCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
DEMO_USER = "13ab4cf1-8587-4685-874b-c2d37beeab38"
T0 = 1767225600  # tests/fixtures/fixed-clock.json: 2026-01-01T00:00:00Z
FIXED = ("--scenario", "tests/fixtures/fixed-clock.json")


def run(*args):
    p = subprocess.run([binary()] + list(args), cwd=source_dir(), capture_output=True,
                       text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def verify(token, secret=SECRET):
    """The payload after checking the HS256 signature."""
    head, body, sig = token.split(".")
    expect = hmac.new(secret.encode(), (head + "." + body).encode(), hashlib.sha256).digest()
    got = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    if not hmac.compare_digest(expect, got):
        raise AssertionError("bad signature on " + token)
    header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    if header != {"alg": "HS256", "typ": "JWT"}:
        raise AssertionError("header %r" % header)
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


class KeysTest(unittest.TestCase):
    def test_keys_default(self):
        rc, out, err = run("keys")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.splitlines(), [
            "SUPABASE_URL=http://127.0.0.1:54321",
            "SUPABASE_ANON_KEY=" + ANON,
            "SUPABASE_SERVICE_ROLE_KEY=" + SERVICE,
            "SUPABASE_PUBLISHABLE_KEY=sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH",
            "SUPABASE_SECRET_KEY=sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz",
            "SUPABASE_JWT_SECRET=" + SECRET,
        ])
        self.assertEqual(verify(ANON), {"iss": "supabase-demo", "role": "anon", "exp": 1983812996})

    def test_keys_host_port(self):
        rc, out, _ = run("keys", "--host", "localhost", "--port=6000")
        self.assertEqual(rc, 0)
        self.assertEqual(out.splitlines()[0], "SUPABASE_URL=http://localhost:6000")

    def test_keys_usage_errors(self):
        self.assertEqual(run("keys", "--port", "x")[0], 2)
        self.assertEqual(run("keys", "--bogus", "1")[0], 2)
        rc, _, err = run("keys", "--scenario", "tests/fixtures/does-not-exist.json")
        self.assertEqual(rc, 2)
        self.assertIn("does-not-exist.json", err)


class TokenTest(unittest.TestCase):
    def test_role_token_like_the_demo_keys(self):
        rc, out, err = run("token", "--role", "service_role", *FIXED)
        self.assertEqual(rc, 0, err)
        claims = verify(out.strip())
        self.assertEqual(list(claims), ["iss", "role", "exp"])
        self.assertEqual(claims, {"iss": "supabase-demo", "role": "service_role", "exp": T0 + 3600})

    def test_exp_seconds_and_never(self):
        _, out, _ = run("token", "--role", "anon", "--exp", "60", *FIXED)
        self.assertEqual(verify(out.strip())["exp"], T0 + 60)
        _, out, _ = run("token", "--role", "anon", "--exp", "never", *FIXED)
        self.assertEqual(verify(out.strip()), {"iss": "supabase-demo", "role": "anon"})

    def test_authenticated_user_token(self):
        sub = "13ab4cf1-8587-4685-874b-c2d37beeab38"
        rc, out, _ = run("token", "--role", "authenticated", "--sub", sub,
                         "--email", "demo@example.com", *FIXED)
        self.assertEqual(rc, 0)
        claims = verify(out.strip())
        # GoTrue's access-token claims; no session behind it.
        self.assertEqual(list(claims), ["iss", "sub", "aud", "exp", "iat", "email", "phone",
                                        "app_metadata", "user_metadata", "role", "aal", "amr",
                                        "is_anonymous"])
        self.assertEqual(claims["sub"], sub)
        self.assertEqual(claims["aud"], "authenticated")
        self.assertEqual((claims["iat"], claims["exp"]), (T0, T0 + 3600))
        self.assertEqual(claims["email"], "demo@example.com")
        self.assertEqual(claims["role"], "authenticated")

    def test_default_scenario_signs_at_real_time(self):
        # The default scenario's clock is real time: the token is valid now
        # for a client that checks exp against its own clock (supabase-js).
        before = int(time.time())
        _, out, _ = run("token", "--role", "authenticated", "--sub", DEMO_USER)
        after = int(time.time())
        claims = verify(out.strip())
        self.assertTrue(before <= claims["iat"] <= after, (before, claims["iat"], after))
        self.assertEqual(claims["exp"], claims["iat"] + 3600)

    def test_negative_exp_mints_an_expired_token(self):
        _, out, _ = run("token", "--role", "authenticated", "--sub", DEMO_USER, "--exp", "-60",
                        *FIXED)
        claims = verify(out.strip())
        self.assertEqual((claims["iat"], claims["exp"]), (T0, T0 - 60))
        _, out, _ = run("token", "--role", "anon", "--exp=-1", *FIXED)
        self.assertEqual(verify(out.strip())["exp"], T0 - 1)

    def test_an_expired_token_is_pgrst303(self):
        # What the README recipe promises: the server refuses it as PostgREST
        # v14 does (JWT "exp" in the past beyond the 30 s leeway: PGRST303).
        _, out, _ = run("token", "--role", "authenticated", "--sub", DEMO_USER, "--exp", "-60")
        with Supamock() as mock:
            st, _, _, body = mock.request("GET", "/rest/v1/profiles", headers={
                "apikey": ANON, "Authorization": "Bearer " + out.strip()})
        self.assertEqual((st, json.loads(body)["code"]), (401, "PGRST303"))

    def test_clock_mints_on_the_servers_clock(self):
        # A server started with --clock checks iat and exp against that instant
        # (a token minted at real time is "issued at future" there, PGRST303):
        # token --clock mints on the same clock.
        clock = "2026-01-01T00:00:00Z"
        _, fresh, _ = run("token", "--role", "authenticated", "--sub", DEMO_USER, "--clock", clock)
        _, old, _ = run("token", "--role", "authenticated", "--sub", DEMO_USER, "--clock", clock,
                        "--exp", "-3600")
        self.assertEqual(verify(fresh.strip())["iat"], T0)
        with Supamock("--clock", clock) as mock:
            st, _, _, body = mock.request("GET", "/rest/v1/profiles?select=user_id", headers={
                "apikey": ANON, "Authorization": "Bearer " + fresh.strip()})
            self.assertEqual((st, body), (200, b'[{"user_id":"%s"}]' % DEMO_USER.encode()))
            st, _, _, body = mock.request("GET", "/rest/v1/profiles", headers={
                "apikey": ANON, "Authorization": "Bearer " + old.strip()})
            self.assertEqual((st, json.loads(body)["message"]), (401, "JWT expired"))
        self.assertEqual(run("token", "--role", "anon", "--clock", "tomorrow")[0], 2)

    def test_token_usage_errors(self):
        self.assertEqual(run("token")[0], 2)
        self.assertEqual(run("token", "--role", "anon", "--exp", "soon")[0], 2)
        self.assertEqual(run("token", "--role", "anon", "--exp", "0")[0], 2)
        self.assertEqual(run("token", "--role", "anon", "--exp", "-0")[0], 2)
        self.assertEqual(run("token", "--role", "anon", "--exp", "--")[0], 2)
        self.assertEqual(run("token", "--role")[0], 2)


if __name__ == "__main__":
    unittest.main()
