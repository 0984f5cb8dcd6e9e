"""Asymmetric JWT signing keys end to end (scenarios es256-signing-keys and
revoked-signing-key).

Expected values: GoTrue's SignJWT (internal/tokens/service.go: the signing
key's kid in the header; golang-jwt marshals the header map with sorted keys),
its JWKS handler (internal/api/jwks.go: public keys of the configured
non-HMAC keys, Cache-Control "public, max-age=600") and public JWKs
(internal/conf/jwk.go: use "sig", key_ops ["verify"]), its parseJWTClaims
(internal/api/auth.go: a kid it does not know and a non-HS256 alg is
"unrecognized JWT kid %v for algorithm %v", wrapped by golang-jwt v5 as
"token is unverifiable: error while executing keyfunc: ..."); PostgREST's key
selection through jose-jwt (Jose/Jwt.hs decode: no key left for the header's
kid and alg is KeyError "No suitable key was found to decode the JWT") and its
texts (Error.hs: KeyError is "No suitable key or wrong key type", details the
KeyError text).
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import FIXED_CLOCK, Supamock, header
from test_scenarios import ANON, DEMO_USER, JWT_SECRET, SCENARIOS_DIR, error, user_token

REVOKED = os.path.join(SCENARIOS_DIR, "revoked-signing-key.json")


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jwt_header(token):
    return json.loads(b64d(token.split(".")[0]))


def der_int(b):
    b = b.lstrip(b"\0") or b"\0"
    if b[0] & 0x80:
        b = b"\0" + b
    return b"\x02" + bytes([len(b)]) + b


def es256_pub_pem(jwk):
    # SubjectPublicKeyInfo for id-ecPublicKey / prime256v1 with the
    # uncompressed point 04 || x || y (RFC 5480).
    prefix = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")
    der = prefix + b"\x04" + b64d(jwk["x"]) + b64d(jwk["y"])
    body = base64.encodebytes(der).decode()
    return "-----BEGIN PUBLIC KEY-----\n" + body + "-----END PUBLIC KEY-----\n"


def supamock_cli(*args):
    out = subprocess.run([os.environ.get("SUPAMOCK_BIN") or "supamock"] + list(args),
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError(out.stderr)
    return out.stdout


def openssl_verifies(token, jwk):
    """Verifies an ES256 token with the openssl CLI and the JWK's public key."""
    head, payload, sig = token.split(".")
    raw = b64d(sig)
    seq = der_int(raw[:32]) + der_int(raw[32:])
    der_sig = b"\x30" + bytes([len(seq)]) + seq
    with tempfile.TemporaryDirectory() as d:
        paths = {n: os.path.join(d, n) for n in ("pub.pem", "sig.der", "input")}
        with open(paths["pub.pem"], "w") as f:
            f.write(es256_pub_pem(jwk))
        with open(paths["sig.der"], "wb") as f:
            f.write(der_sig)
        with open(paths["input"], "wb") as f:
            f.write((head + "." + payload).encode())
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", paths["pub.pem"],
                            "-signature", paths["sig.der"], paths["input"]],
                           capture_output=True)
        return r.returncode == 0


class KeysCase(unittest.TestCase):
    SCENARIO = "es256-signing-keys"

    def setUp(self):
        self.mock = Supamock("--scenario", self.SCENARIO, *FIXED_CLOCK).start()

    def tearDown(self):
        self.mock.stop()

    def auth(self, method, path, body=None, bearer=None, key=ANON, mock=None):
        h = {"apikey": key} if key else {}
        if bearer:
            h["Authorization"] = "Bearer " + bearer
        if body is not None:
            body = json.dumps(body)
        st, _, hs, data = (mock or self.mock).request(method, "/auth/v1" + path, body=body,
                                                     headers=h)
        return st, hs, data

    def sign_in(self, mock=None):
        st, _, data = self.auth("POST", "/token?grant_type=password",
                                {"email": "demo@example.com", "password": "demo-password"},
                                mock=mock)
        self.assertEqual(st, 200, data)
        return json.loads(data)["access_token"]

    def rest(self, bearer):
        return self.mock.request("GET", "/rest/v1/profiles?select=user_id",
                                 headers={"apikey": ANON, "Authorization": "Bearer " + bearer})

    def jwks(self):
        st, hs, data = self.auth("GET", "/.well-known/jwks.json", key=None)
        self.assertEqual(st, 200, data)
        self.assertEqual(header(hs, "Cache-Control"), "public, max-age=600")
        self.assertEqual(header(hs, "Content-Type"), "application/json")
        return json.loads(data)["keys"]


class ES256(KeysCase):
    def test_sign_in_token_is_es256_with_kid(self):
        token = self.sign_in()
        self.assertEqual(jwt_header(token),
                         {"alg": "ES256", "kid": "supamock-test-es256-1", "typ": "JWT"})
        self.assertEqual(len(b64d(token.split(".")[2])), 64)  # R||S, not DER

    def test_token_works_under_rls_and_on_user(self):
        token = self.sign_in()
        st, _, _, body = self.rest(token)
        self.assertEqual(st, 200, body)
        self.assertEqual(json.loads(body), [{"user_id": DEMO_USER}])
        st, _, data = self.auth("GET", "/user", bearer=token)
        self.assertEqual(st, 200, data)
        self.assertEqual(json.loads(data)["id"], DEMO_USER)

    def test_legacy_keys_keep_working(self):
        st, _, _, body = self.rest(ANON)
        self.assertEqual((st, body), (200, b"[]"))

    def test_jwks_publishes_the_key(self):
        keys = self.jwks()
        self.assertEqual(len(keys), 1)
        k = keys[0]
        self.assertEqual(list(k), ["alg", "crv", "key_ops", "kid", "kty", "use", "x", "y"])
        self.assertEqual((k["alg"], k["crv"], k["key_ops"], k["kid"], k["kty"], k["use"]),
                         ("ES256", "P-256", ["verify"], "supamock-test-es256-1", "EC", "sig"))

    @unittest.skipUnless(shutil.which("openssl"), "needs the openssl CLI")
    def test_jwks_key_verifies_the_token(self):
        token = self.sign_in()
        jwk = self.jwks()[0]
        self.assertTrue(openssl_verifies(token, jwk))
        head, payload, sig = token.split(".")
        forged = head + "." + payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + sig
        self.assertFalse(openssl_verifies(forged, jwk))


class Revoked(KeysCase):
    SCENARIO = "revoked-signing-key"

    def old_token(self):
        # A session started before the rotation: signed by supamock-test-es256-1.
        with Supamock("--scenario", "es256-signing-keys", *FIXED_CLOCK) as old:
            return self.sign_in(mock=old)

    def test_revoked_key_refused_by_postgrest(self):
        token = self.old_token()
        st, _, hs, body = self.rest(token)
        self.assertEqual((st, body), (401, error("PGRST301", "No suitable key or wrong key type",
                                                 "No suitable key was found to decode the JWT")))
        self.assertEqual(header(hs, "WWW-Authenticate"),
                         'Bearer error="invalid_token", '
                         'error_description="No suitable key or wrong key type"')

    def test_revoked_key_refused_by_gotrue(self):
        token = self.old_token()
        st, _, data = self.auth("GET", "/user", bearer=token)
        self.assertEqual(st, 403)
        self.assertEqual(json.loads(data), {
            "code": 403, "error_code": "bad_jwt",
            "msg": "invalid JWT: unable to parse or verify signature, token is unverifiable: "
                   "error while executing keyfunc: unrecognized JWT kid supamock-test-es256-1 "
                   "for algorithm ES256"})

    def test_current_key_signs(self):
        token = self.sign_in()
        self.assertEqual(jwt_header(token)["kid"], "supamock-test-es256-2")
        st, _, _, body = self.rest(token)
        self.assertEqual(st, 200, body)

    def test_token_kid_of_the_revoked_key(self):
        # supamock token --kid signs with any listed key, revoked ones too. (The
        # CLI runs on real time, the server on FIXED_CLOCK: no time claims.)
        token = supamock_cli("token", "--scenario", REVOKED, "--role",
                             "authenticated", "--exp", "never", "--kid",
                             "supamock-test-es256-1").strip()
        self.assertEqual(jwt_header(token),
                         {"alg": "ES256", "kid": "supamock-test-es256-1", "typ": "JWT"})
        st, _, _, body = self.rest(token)
        self.assertEqual((st, body), (401, error("PGRST301", "No suitable key or wrong key type",
                                                 "No suitable key was found to decode the JWT")))
        token = supamock_cli("token", "--scenario", REVOKED, "--role",
                             "authenticated", "--exp", "never", "--kid",
                             "supamock-test-rs256-1").strip()
        self.assertEqual(jwt_header(token)["alg"], "RS256")
        st, _, _, body = self.rest(token)
        self.assertEqual(st, 200, body)

    def test_cli_jwks_is_the_served_body(self):
        st, _, data = self.auth("GET", "/.well-known/jwks.json", key=None)
        out = supamock_cli("jwks", "--scenario", REVOKED)
        self.assertEqual(out, data.decode() + "\n")

    def test_jwks_lists_current_and_previous(self):
        keys = self.jwks()
        self.assertEqual([(k["kid"], k["kty"]) for k in keys],
                         [("supamock-test-es256-2", "EC"), ("supamock-test-rs256-1", "RSA")])
        rsa = keys[1]
        self.assertEqual(list(rsa), ["alg", "e", "key_ops", "kid", "kty", "n", "use"])
        self.assertEqual((rsa["alg"], rsa["e"], rsa["use"]), ("RS256", "AQAB", "sig"))


class LegacySecretRevoked(KeysCase):
    """An HS256 key holding the project's secret, revoked: the legacy keys and
    HS256 user tokens stop verifying (PostgREST: the secret is no longer in
    its key set; GoTrue: HS256 is no longer among its ValidMethods, golang-jwt
    v5's "signing method %v is invalid")."""

    def setUp(self):
        es = json.loads(open(os.path.join(SCENARIOS_DIR, "es256-signing-keys.json")).read()
                        .split("\n", 2)[2])["auth"]["signing_keys"][0]
        self.dir = tempfile.TemporaryDirectory()
        path = os.path.join(self.dir.name, "legacy-revoked.json")
        with open(path, "w") as f:
            json.dump({"name": "legacy-revoked", "extends": "default", "auth": {"signing_keys": [
                es, {"kid": "legacy", "alg": "HS256", "status": "revoked", "secret": JWT_SECRET}]}},
                f)
        self.mock = Supamock("--scenario", path, *FIXED_CLOCK).start()

    def tearDown(self):
        super().tearDown()
        self.dir.cleanup()

    def test_hs256_user_token_refused(self):
        token = user_token()
        st, _, hs, body = self.rest(token)
        self.assertEqual((st, body), (401, error("PGRST301", "No suitable key or wrong key type",
                                                 "No suitable key was found to decode the JWT")))
        st, _, data = self.auth("GET", "/user", bearer=token)
        self.assertEqual(json.loads(data), {
            "code": 403, "error_code": "bad_jwt",
            "msg": "invalid JWT: unable to parse or verify signature, token signature is "
                   "invalid: signing method HS256 is invalid"})

    def test_es256_still_signs_and_verifies(self):
        token = self.sign_in()
        st, _, _, body = self.rest(token)
        self.assertEqual(st, 200, body)


if __name__ == "__main__":
    unittest.main()
