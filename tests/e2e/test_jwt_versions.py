"""PostgREST's JWT step as v14 and v12 word it, end to end.

Expected bodies and headers: PostgREST's error shape (Content-Length and
Proxy-Status from v13 only, CHANGELOG #4016 and #2967), its JWT errors (v13+
texts in Error.hs; v12.2 texts, empty token, unknown role), and PostgREST
v12's Auth.hs jwtDecodeError / verifyClaims, which keeps hs-jose's `show`
texts. WWW-Authenticate carries the
message as Haskell `show` (double-quoted, inner quotes escaped).
"""

import os
import unittest

from harness import FIXED_CLOCK, Supamock, header, source_dir
from test_scenarios import ANON, error, mint, user_token

V12 = os.path.join(source_dir(), "tests", "fixtures", "postgrest-v12.json")
# The servers run on the fixed clock 2026-01-01T00:00:00Z (FIXED_CLOCK).
T0 = 1767225600


def www(message):
    escaped = message.replace("\\", "\\\\").replace('"', '\\"')
    return 'Bearer error="invalid_token", error_description="%s"' % escaped


def tampered(token):
    head, body, sig = token.split(".")
    return ".".join([head, body, ("A" if sig[0] != "A" else "B") + sig[1:]])


ALG_NONE = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.yOBhlOIqn56T-4NvyEXCjfi3UmyQZ-BzXtePMO2NgRI"


class JwtCase(unittest.TestCase):
    SCENARIO = "default"

    def setUp(self):
        self.mock = Supamock("--scenario", self.SCENARIO, *FIXED_CLOCK).start()

    def tearDown(self):
        self.mock.stop()

    def get(self, bearer):
        # supabase-js sends the anon key as apikey and the session as Bearer.
        return self.mock.request("GET", "/rest/v1/profiles?select=id",
                                 headers={"apikey": ANON, "Authorization": "Bearer " + bearer})

    def assertJwtError(self, resp, status, code, message, www_authenticate):
        st, _, hs, body = resp
        self.assertEqual((st, body), (status, error(code, message)))
        self.assertEqual(header(hs, "WWW-Authenticate"), www_authenticate)


class V14(JwtCase):
    def test_tampered_signature(self):
        r = self.get(tampered(user_token()))
        st, _, hs, body = r
        self.assertEqual(st, 401)
        self.assertEqual(body, error("PGRST301", "No suitable key or wrong key type",
                                     details="None of the keys was able to decode the JWT"))
        self.assertEqual(header(hs, "WWW-Authenticate"), www("No suitable key or wrong key type"))
        self.assertEqual(header(hs, "Proxy-Status"), "PostgREST; error=PGRST301")

    def test_alg_none(self):
        st, _, hs, body = self.get(ALG_NONE)
        self.assertEqual(st, 401)
        self.assertEqual(body, error("PGRST301", "Wrong or unsupported encoding algorithm",
                                     details="JWT is unsecured but expected 'alg' was not 'none'"))

    def test_expired_and_not_yet_valid(self):
        self.assertJwtError(self.get(user_token(iat=T0 - 7200)), 401, "PGRST303", "JWT expired",
                            www("JWT expired"))
        nbf = mint({"role": "authenticated", "sub": "x", "nbf": T0 + 3600})
        self.assertJwtError(self.get(nbf), 401, "PGRST303", "JWT not yet valid",
                            www("JWT not yet valid"))
        # 30 s of skew is allowed (Auth/Jwt.hs): 29 s in the future still passes.
        st, _, _, _ = self.get(mint({"role": "anon", "iat": T0 + 29}))
        self.assertEqual(st, 200)

    def test_empty_bearer(self):
        self.assertJwtError(self.get(""), 401, "PGRST301",
                            "Empty JWT is sent in Authorization header",
                            www("Empty JWT is sent in Authorization header"))

    def test_unknown_role(self):
        st, _, hs, body = self.get(mint({"role": "not_existing"}))
        self.assertEqual((st, body), (401, error("22023", 'role "not_existing" does not exist')))


class V12(JwtCase):
    SCENARIO = V12

    def test_tampered_signature(self):
        st, _, hs, body = self.get(tampered(user_token()))
        self.assertEqual((st, body), (401, error("PGRST301", "JWSError JWSInvalidSignature")))
        self.assertEqual(header(hs, "WWW-Authenticate"), www("JWSError JWSInvalidSignature"))
        # v12 sends no Proxy-Status (added in v13, CHANGELOG #2967).
        self.assertIsNone(header(hs, "Proxy-Status"))

    def test_two_parts(self):
        msg = "JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got 2)"
        self.assertJwtError(self.get("eyJhbGciOiJIUzI1NiJ9.e30"), 401, "PGRST301", msg, www(msg))

    def test_bad_base64(self):
        msg = 'JWSError (JSONDecodeError "Not valid base64url")'
        st, _, hs, body = self.get("!!!.e30.abc")
        self.assertEqual((st, body), (401, error("PGRST301", msg)))
        self.assertEqual(header(hs, "WWW-Authenticate"),
                         'Bearer error="invalid_token", error_description='
                         '"JWSError (JSONDecodeError \\"Not valid base64url\\")"')

    def test_alg_none(self):
        self.assertJwtError(self.get(ALG_NONE), 401, "PGRST301", "JWSError JWSNoSignatures",
                            www("JWSError JWSNoSignatures"))

    def test_expired_is_pgrst301(self):
        self.assertJwtError(self.get(user_token(iat=T0 - 7200)), 401, "PGRST301", "JWT expired",
                            www("JWT expired"))

    def test_empty_bearer_is_anon(self):
        # v12 parseToken "" = emptyObject: the request runs as anon, and anon
        # sees no profile under the default's own-row policies.
        st, _, _, body = self.get("")
        self.assertEqual((st, body), (200, b"[]"))

    def test_unknown_role_is_400(self):
        st, _, hs, body = self.get(mint({"role": "not_existing"}))
        self.assertEqual((st, body), (400, error("22023", 'role "not_existing" does not exist')))
        self.assertIsNone(header(hs, "WWW-Authenticate"))


if __name__ == "__main__":
    unittest.main()
