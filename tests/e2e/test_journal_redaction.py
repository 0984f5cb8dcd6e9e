"""The journal (GET /__mock/requests) keeps no credential: real /auth/v1 and
/rest/v1 requests carrying passwords, refresh tokens, keys in the query,
cookies and token headers, then the journal's answer searched for every one.

The shown forms are the journal's own contract (README, "Journal"): a
credential becomes "KIND …TAIL" (TAIL the last 6 characters, none under 24),
a password becomes "[redacted]". The request bodies are GoTrue's
(internal/api/token.go PasswordGrantParams and RefreshTokenGrantParams,
signup.go SignupParams, user.go UserUpdateParams).
"""

import json
import os
import unittest

from harness import Supamock, source_dir

ANON = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24i"
        "LCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
ELL = "\u2026"


class JournalRedactionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        fixture = os.path.join(source_dir(), "tests", "fixtures", "auth-basic.json")
        cls.mock = Supamock("--scenario", fixture).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def setUp(self):
        self.mock.request("DELETE", "/__mock/requests")

    def call(self, method, path, body=None, headers=None):
        h = {"apikey": ANON}
        h.update(headers or {})
        if body is not None:
            body = json.dumps(body)
        status, _, _, data = self.mock.request(method, path, body=body, headers=h)
        return status, data

    def journal(self):
        status, _, _, data = self.mock.request("GET", "/__mock/requests")
        self.assertEqual(status, 200)
        return data.decode(), json.loads(data)["requests"]

    def test_auth_credentials_are_redacted(self):
        status, data = self.call("POST", "/auth/v1/token?grant_type=password",
                                 {"email": "demo@example.com", "password": "demo-password"})
        self.assertEqual(status, 200, data)
        session = json.loads(data)
        access, refresh = session["access_token"], session["refresh_token"]
        status, data = self.call("POST", "/auth/v1/token?grant_type=refresh_token",
                                 {"refresh_token": refresh})
        self.assertEqual(status, 200, data)
        access = json.loads(data)["access_token"]
        status, _ = self.call("PUT", "/auth/v1/user", {"password": "a-new-password-1"},
                              headers={"Authorization": "Bearer " + access})
        self.assertIn(status, (200, 422))
        self.call("POST", "/auth/v1/signup",
                  {"email": "journal@example.com", "password": "signup-password"})
        self.call("GET", "/rest/v1/profiles?select=id&apikey=" + ANON,
                  headers={"Cookie": "sb-refresh-token=" + refresh + "; theme=dark",
                           "X-Refresh-Token": refresh})

        text, entries = self.journal()
        for secret in ("demo-password", "a-new-password-1", "signup-password", refresh, access,
                       ANON):
            self.assertNotIn(secret, text)

        sign_in, refreshed, update, signup, rest = entries
        self.assertEqual(sign_in["body"],
                         {"email": "demo@example.com", "password": "[redacted]"})
        self.assertEqual(sign_in["query"], {"grant_type": "password"})
        tail = refresh[-6:] if len(refresh) >= 24 else ""
        self.assertEqual(refreshed["body"], {"refresh_token": "token " + ELL + tail})
        self.assertEqual(update["body"], {"password": "[redacted]"})
        self.assertEqual(update["headers"]["authorization"], "user " + ELL + access[-6:])
        self.assertEqual(signup["body"]["password"], "[redacted]")
        self.assertEqual(signup["body"]["email"], "journal@example.com")
        # The key in the query is shown as the apikey header is.
        self.assertEqual(rest["query"], {"select": "id", "apikey": "anon " + ELL + "YTn_I0"})
        self.assertEqual(rest["headers"]["apikey"], "anon " + ELL + "YTn_I0")
        self.assertEqual(rest["headers"]["cookie"], "cookie " + ELL + "e=dark"[-6:])
        self.assertEqual(rest["headers"]["x-refresh-token"], "token " + ELL + tail)


if __name__ == "__main__":
    unittest.main()
