"""The shipped failure scenarios (scenarios/*.json) end to end: each
scenario's exact statuses, headers and bodies, from scenarios/README.md and
PostgREST, GoTrue and gateway sources (cited per test), never from what
the binary prints. The helpers at the top are shared with test_walkthrough.py
and tests/clients/python (import them from here).

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_scenarios.py
"""

import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import unittest

from harness import FIXED_CLOCK, Supamock, header, read_until_close, source_dir

# The Supabase CLI's public demo values (supabase/cli apikeys.go), used by scenarios/default.json.
JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"
SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
ANON = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJl"
        "eHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
DEMO_USER = "13ab4cf1-8587-4685-874b-c2d37beeab38"
DEMO_EMAIL = "demo@example.com"
# 2026-01-01T00:00:00Z (FIXED_CLOCK, and expired-user-jwt minus two hours) as a Unix time.
T0 = 1767225600
JSON_CT = "application/json; charset=utf-8"
SCENARIOS_DIR = os.path.join(source_dir(), "scenarios")


def error(code, message, details=None, hint=None):
    """PostgREST's compact error body, keys in aeson order (Error.hs)."""
    return json.dumps({"code": code, "details": details, "hint": hint, "message": message},
                      separators=(",", ":"), ensure_ascii=False).encode()


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(payload, secret=JWT_SECRET):
    """An HS256 JWT with header {"alg":"HS256","typ":"JWT"}, like the CLI's keys."""
    head = _b64(b'{"alg":"HS256","typ":"JWT"}')
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(secret.encode(), (head + "." + body).encode(), hashlib.sha256).digest()
    return head + "." + body + "." + _b64(sig)


def user_token(iat=T0, lifetime=3600, sub=DEMO_USER, email=DEMO_EMAIL, secret=JWT_SECRET):
    """A user access token shaped like GoTrue's (aud, exp, iat,
    sub, email, role authenticated; expires_in 3600)."""
    return mint({"aud": "authenticated", "exp": iat + lifetime, "iat": iat, "sub": sub,
                 "email": email, "phone": "", "role": "authenticated", "aal": "aal1",
                 "is_anonymous": False}, secret)


def scenario_names():
    """Every shipped scenario but default, by file name."""
    return sorted(f[:-5] for f in os.listdir(SCENARIOS_DIR)
                  if f.endswith(".json") and f != "default.json" and not f.endswith(".schema.json"))


class Client:
    """Requests against one Supamock with a chosen key (and optional user JWT)."""

    def __init__(self, mock):
        self.mock = mock

    def rest(self, method, path, body=None, key=SERVICE, bearer=None, **headers):
        h = {}
        if key is not None:
            h["apikey"] = key
            h["Authorization"] = "Bearer " + (bearer or key)
        elif bearer is not None:
            h["Authorization"] = "Bearer " + bearer
        h.update({k.replace("_", "-"): v for k, v in headers.items()})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if body is not None:
            h.setdefault("Content-Type", "application/json")
        return self.mock.request(method, "/rest/v1/" + path, body=body, headers=h)

    def admin(self, method, sub, body=None):
        data = json.dumps(body) if body is not None else None
        h = {"Content-Type": "application/json"} if body is not None else {}
        st, _, _, raw = self.mock.request(method, "/__mock" + sub, body=data, headers=h)
        return st, (json.loads(raw) if raw else None)

    def quota(self):
        """free_image_quota of the demo profile, read with the service key."""
        st, _, _, body = self.rest("GET", "profiles?select=free_image_quota&user_id=eq." + DEMO_USER)
        if st != 200:
            raise AssertionError("reading the quota answered %d %r" % (st, body))
        return json.loads(body)[0]["free_image_quota"]



class ScenarioCase(unittest.TestCase):
    """Starts supamock with --scenario SCENARIO (by name, as users do) per test."""

    SCENARIO = None
    ARGS = ()

    def setUp(self):
        self.mock = Supamock("--scenario", self.SCENARIO, *self.ARGS).start()
        self.c = Client(self.mock)

    def tearDown(self):
        self.mock.stop()

    def assertPgrstError(self, resp, status, body, **extra_headers):
        """A PostgREST error: exact status and body, Content-Type, Content-Length
        and Proxy-Status (v13+), plus extra headers (None: absent)."""
        st, _, hs, data = resp
        self.assertEqual((st, data), (status, body))
        self.assertEqual(header(hs, "Content-Type"), JSON_CT)
        self.assertEqual(header(hs, "Content-Length"), str(len(body)))
        self.assertEqual(header(hs, "Proxy-Status"), "PostgREST; error=" + json.loads(body)["code"])
        if status != 401:
            # Only 401s carry WWW-Authenticate.
            extra_headers.setdefault("WWW-Authenticate", None)
        for name, value in extra_headers.items():
            self.assertEqual(header(hs, name.replace("_", "-")), value, name)

    def assertNoContent(self, resp):
        """PATCH with return=minimal: 204, no body, no Content-Type; Content-Range
        */* when no row changed."""
        st, _, hs, data = resp
        self.assertEqual((st, data), (204, b""))
        self.assertIsNone(header(hs, "Content-Type"))


class EveryScenario(unittest.TestCase):
    """One file per failure: every file validates, starts by name,
    extends default and says what a backend should do."""

    def test_validate_passes_for_every_shipped_scenario(self):
        files = [os.path.join(SCENARIOS_DIR, n + ".json") for n in ["default"] + scenario_names()]
        out = subprocess.run([os.environ.get("SUPAMOCK_BIN") or "supamock", "validate"] + files,
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_every_scenario_extends_default_and_has_a_description(self):
        names = scenario_names()
        # One file per failure, as scenarios/README.md lists them.
        self.assertEqual(names, sorted([
            "anon-key-as-service-key", "column-not-in-cache", "connection-faults",
            "es256-signing-keys", "expired-user-jwt", "gateway-5xx", "invalid-apikey",
            "missing-apikey", "missing-grants", "no-update-policy", "revoked-signing-key",
            "schema-cache-loading", "stale-schema-cache", "table-not-in-cache"]))
        for name in names:
            with open(os.path.join(SCENARIOS_DIR, name + ".json")) as f:
                text = f.read()
            self.assertRegex(text, r'"extends":\s*"default"', name)
            self.assertRegex(text, r'"name":\s*"%s"' % re.escape(name), name)
            self.assertRegex(text, r'"description":\s*"[^"]{80,}', name)

    def test_every_scenario_starts_by_name(self):
        for name in scenario_names():
            with self.subTest(scenario=name), Supamock("--scenario", name) as mock:
                st, _, _, body = mock.request("GET", "/__mock/health")
                self.assertEqual(st, 200)
                health = json.loads(body)
                self.assertEqual((health["status"], health["scenario"]), ("ok", name))


# ---- stale schema cache (the bug report) -------------------------------------------

STALE_205 = error("PGRST205", "Could not find the table 'public.profiles' in the schema cache")


class StaleSchemaCache(ScenarioCase):
    SCENARIO = "stale-schema-cache"

    def test_reads_work(self):
        st, _, hs, body = self.c.rest("GET", "profiles?select=free_image_quota&user_id=eq." + DEMO_USER)
        self.assertEqual((st, body), (200, b'[{"free_image_quota":5}]'))
        self.assertEqual(header(hs, "Content-Range"), "0-0/*")  # one row

    def test_every_write_is_pgrst205_without_hint(self):
        # PGRST205 template (Error.hs); the fuzzy hint looks among the other
        # tables and default has none, so hint is null.
        path = "profiles?user_id=eq." + DEMO_USER
        self.assertPgrstError(self.c.rest("PATCH", path, {"free_image_quota": 4}), 404, STALE_205)
        self.assertPgrstError(self.c.rest("DELETE", path), 404, STALE_205)
        self.assertPgrstError(self.c.rest("POST", "profiles", {"user_id": DEMO_USER}), 404, STALE_205)
        self.assertPgrstError(self.c.rest("PUT", "profiles?id=eq.5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11",
                                          {"id": "5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11",
                                           "user_id": DEMO_USER}), 404, STALE_205)
        self.assertEqual(self.c.quota(), 5)

    def test_reload_schema_ends_it(self):
        st, _ = self.c.admin("POST", "/reload-schema")
        self.assertEqual(st, 200)
        resp = self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4})
        self.assertNoContent(resp)
        self.assertEqual(header(resp[2], "Content-Range"), "0-0/*")  # PATCH 1 row
        self.assertEqual(self.c.quota(), 4)

    def test_reset_brings_the_stale_cache_back(self):
        self.c.admin("POST", "/reload-schema")
        self.c.admin("POST", "/reset")
        self.assertPgrstError(self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER,
                                          {"free_image_quota": 4}), 404, STALE_205)


# ---- table / column not in the schema cache ------------------------------------------

class TableNotInCache(ScenarioCase):
    SCENARIO = "table-not-in-cache"

    def test_every_method_is_pgrst205(self):
        # v13+: an uncached table is 404 PGRST205 for reads and writes;
        # 'image_generations' vs 'profiles' is far below the v14.6 0.75 threshold: no hint.
        body = error("PGRST205", "Could not find the table 'public.image_generations' in the schema cache")
        self.assertPgrstError(self.c.rest("GET", "image_generations"), 404, body)
        self.assertPgrstError(self.c.rest("POST", "image_generations",
                                          {"user_id": DEMO_USER, "prompt": "a cat"}), 404, body)

    def test_other_tables_work(self):
        self.assertEqual(self.c.quota(), 5)

    def test_reload_brings_the_table_in(self):
        self.assertEqual(self.c.admin("POST", "/reload-schema")[0], 200)
        st, _, hs, body = self.c.rest("GET", "image_generations")
        self.assertEqual((st, body), (200, b"[]"))
        self.assertEqual(header(hs, "Content-Range"), "*/*")  # 0 rows


class ColumnNotInCache(ScenarioCase):
    SCENARIO = "column-not-in-cache"
    PGRST204 = error("PGRST204", "Could not find the 'free_image_quota' column of 'profiles' in the schema cache")

    def test_write_naming_the_column_is_pgrst204(self):
        # A new column in a POST/PATCH body gives 400 PGRST204.
        self.assertPgrstError(self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER,
                                          {"free_image_quota": 4}), 400, self.PGRST204)

    def test_select_is_not_checked_against_the_cache(self):
        # A new column in select= is not checked against the cache; it simply runs.
        self.assertEqual(self.c.quota(), 5)

    def test_writes_of_other_columns_work(self):
        self.assertNoContent(self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER,
                                         {"full_name": "Renamed"}))

    def test_reload_brings_the_column_in(self):
        self.c.admin("POST", "/reload-schema")
        self.assertNoContent(self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER,
                                         {"free_image_quota": 4}))
        self.assertEqual(self.c.quota(), 4)


# ---- RLS and keys ----------------------------------------------------------------------

class NoUpdatePolicy(ScenarioCase):
    SCENARIO = "no-update-policy"
    ARGS = FIXED_CLOCK

    def setUp(self):
        super().setUp()
        self.user = user_token()  # valid at the fixed clock (2026-01-01T00:00:00Z)

    def test_user_reads_own_profile(self):
        st, _, _, body = self.c.rest("GET", "profiles?select=free_image_quota", key=ANON, bearer=self.user)
        self.assertEqual((st, body), (200, b'[{"free_image_quota":5}]'))

    def test_user_update_is_silently_ignored(self):
        # No UPDATE policy: the row is invisible to the UPDATE, 0 rows change,
        # 204 with Content-Range */*.
        resp = self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4},
                           key=ANON, bearer=self.user)
        self.assertNoContent(resp)
        self.assertEqual(header(resp[2], "Content-Range"), "*/*")
        self.assertEqual(self.c.quota(), 5)

    def test_user_update_with_representation_is_an_empty_array(self):
        st, _, hs, body = self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4},
                                      key=ANON, bearer=self.user, Prefer="return=representation")
        # 200, body [], Content-Length 2 (PostgREST UpdateSpec.hs).
        self.assertEqual((st, body), (200, b"[]"))
        self.assertEqual(header(hs, "Content-Length"), "2")
        self.assertEqual(header(hs, "Content-Type"), JSON_CT)
        self.assertEqual(self.c.quota(), 5)

    def test_service_role_bypasses_rls(self):
        self.assertNoContent(self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4}))
        self.assertEqual(self.c.quota(), 4)


RLS_INSERT_42501 = error("42501", 'new row violates row-level security policy for table "profiles"')


class AnonKeyAsServiceKey(ScenarioCase):
    SCENARIO = "anon-key-as-service-key"

    def test_reads_work_with_the_anon_key(self):
        st, _, _, body = self.c.rest("GET", "profiles?select=free_image_quota&user_id=eq." + DEMO_USER, key=ANON)
        self.assertEqual((st, body), (200, b'[{"free_image_quota":5}]'))

    def test_update_with_the_anon_key_changes_nothing(self):
        resp = self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4}, key=ANON)
        self.assertNoContent(resp)
        self.assertEqual(header(resp[2], "Content-Range"), "*/*")  # 0 rows
        self.assertEqual(self.c.quota(), 5)

    def test_insert_with_the_anon_key_is_401_42501(self):
        # WITH CHECK fails; 42501 for the anon role is 401 + WWW-Authenticate: Bearer.
        self.assertPgrstError(self.c.rest("POST", "profiles", {"user_id": DEMO_USER}, key=ANON),
                              401, RLS_INSERT_42501, WWW_Authenticate="Bearer")

    def test_a_service_role_policy_does_not_help_the_anon_key(self):
        st, _ = self.c.admin("POST", "/sql", {"sql": 'CREATE POLICY "Service role can do everything" ON profiles '
                                              "FOR ALL TO service_role USING (true) WITH CHECK (true)"})
        self.assertEqual(st, 200)
        self.assertNoContent(self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER,
                                         {"free_image_quota": 4}, key=ANON))
        self.assertEqual(self.c.quota(), 5)
        self.assertNoContent(self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4}))
        self.assertEqual(self.c.quota(), 4)


class MissingGrants(ScenarioCase):
    SCENARIO = "missing-grants"

    @staticmethod
    def denied(privilege, role):
        # PG message + the hint newer Supabase Postgres builds add.
        return error("42501", "permission denied for table profiles",
                     hint="Grant the required privileges to the current role with: "
                          "GRANT %s ON public.profiles TO %s;" % (privilege, role))

    def test_service_role_is_403(self):
        self.assertPgrstError(self.c.rest("GET", "profiles"), 403, self.denied("SELECT", "service_role"))

    def test_anon_is_401_with_www_authenticate(self):
        self.assertPgrstError(self.c.rest("GET", "profiles", key=ANON), 401, self.denied("SELECT", "anon"),
                              WWW_Authenticate="Bearer")

    def test_update_is_refused(self):
        st, _, hs, body = self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4})
        self.assertEqual(st, 403)
        got = json.loads(body)
        self.assertEqual((got["code"], got["message"], got["details"]),
                         ("42501", "permission denied for table profiles", None))
        # Which privileges the hint names for a multi-privilege UPDATE is not
        # known from a public source; its form is.
        self.assertRegex(got["hint"], r"^Grant the required privileges to the current role with: GRANT "
                                      r"[A-Z, ]+ ON public\.profiles TO service_role;$")

    def test_grant_through_sql_fixes_it(self):
        st, _ = self.c.admin("POST", "/sql", {"sql": "GRANT SELECT, UPDATE ON public.profiles TO service_role"})
        self.assertEqual(st, 200)
        self.assertEqual(self.c.quota(), 5)


# ---- the gateway ------------------------------------------------------------------------

class MissingApikey(ScenarioCase):
    SCENARIO = "missing-apikey"
    # The hosted gateway's body (supabase/supabase#7730).
    BODY = b'{"message":"No API key found in request","hint":"No `apikey` request header or url param was found."}'

    def test_no_apikey_is_401_from_the_gateway(self):
        st, _, hs, body = self.c.rest("GET", "profiles", key=None)
        self.assertEqual((st, body), (401, self.BODY))
        self.assertIsNone(header(hs, "Proxy-Status"))  # not PostgREST's answer

    def test_a_bearer_alone_is_not_an_apikey(self):
        st, _, _, body = self.c.rest("GET", "profiles", key=None, bearer=SERVICE)
        self.assertEqual((st, body), (401, self.BODY))

    def test_apikey_query_parameter_counts(self):
        st, _, _, _ = self.mock.request("GET", "/rest/v1/profiles?select=id&apikey=" + SERVICE)
        self.assertEqual(st, 200)


class InvalidApikey(ScenarioCase):
    SCENARIO = "invalid-apikey"
    BODY = b'{"message":"Invalid API key","hint":"Double check your Supabase `anon` or `service_role` API key."}'
    ROTATED_SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6InN1cGFtb2Nrcm90YXRl"
                       "ZCIsInJvbGUiOiJzZXJ2aWNlX3JvbGUiLCJpYXQiOjE3NjcyMjU2MDAsImV4cCI6MjA4Mjc1ODQwMH0."
                       "v9nTQnxMiXtn__a9lUazxCl8ePBGhR0o1V65UlMyrus")

    def test_old_demo_keys_are_invalid(self):
        for key in (SERVICE, ANON, "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"):
            st, _, hs, body = self.c.rest("GET", "profiles", key=key)
            self.assertEqual((st, body), (401, self.BODY))
            self.assertIsNone(header(hs, "Proxy-Status"))

    def test_the_rotated_key_works(self):
        st, _, _, body = self.c.rest("GET", "profiles?select=free_image_quota", key=self.ROTATED_SERVICE)
        self.assertEqual((st, body), (200, b'[{"free_image_quota":5}]'))


class ExpiredUserJwt(ScenarioCase):
    SCENARIO = "expired-user-jwt"

    def test_rest_answers_pgrst303(self):
        # Issued at the default clock, exp one hour later; the clock is 2 h on.
        # PGRST303 'JWT expired' + WWW-Authenticate (Error.hs).
        self.assertPgrstError(
            self.c.rest("GET", "profiles", key=ANON, bearer=user_token()), 401,
            error("PGRST303", "JWT expired"),
            WWW_Authenticate='Bearer error="invalid_token", error_description="JWT expired"')

    def test_a_fresh_token_works(self):
        st, _, _, body = self.c.rest("GET", "profiles?select=free_image_quota", key=ANON,
                                     bearer=user_token(iat=T0 + 7200))
        self.assertEqual((st, body), (200, b'[{"free_image_quota":5}]'))

    def test_gotrue_user_endpoint_is_403_bad_jwt(self):
        st, _, hs, body = self.mock.request("GET", "/auth/v1/user", headers={
            "apikey": ANON, "Authorization": "Bearer " + user_token()})
        # GoTrue's bad_jwt with golang-jwt v5's text, legacy error form
        # (no X-Supabase-Api-Version).
        self.assertEqual((st, json.loads(body)), (403, {
            "code": 403, "error_code": "bad_jwt",
            "msg": "invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired"}))
        self.assertEqual(header(hs, "x-sb-error-code"), "bad_jwt")


# ---- faults -------------------------------------------------------------------------------

PGRST002 = error("PGRST002", "Could not query the database for the schema cache. Retrying.")


class SchemaCacheLoading(ScenarioCase):
    SCENARIO = "schema-cache-loading"

    def assert503(self, resp):
        # 503 PGRST002 + Retry-After; PostgREST's first backoff
        # is 0 s (shouldRetry: fromMaybe 0 rsPreviousDelay, AppState.putRetryNextIn).
        self.assertPgrstError(resp, 503, PGRST002, Retry_After="0")

    def test_twice_503_then_200(self):
        self.assert503(self.c.rest("GET", "profiles?select=free_image_quota"))
        self.assert503(self.c.rest("GET", "profiles?select=free_image_quota"))
        st, _, hs, body = self.c.rest("GET", "profiles?select=free_image_quota")
        self.assertEqual((st, body), (200, b'[{"free_image_quota":5}]'))
        self.assertIsNone(header(hs, "Retry-After"))

    def test_writes_count_too(self):
        self.assert503(self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4}))
        self.assert503(self.c.rest("GET", "profiles"))
        self.assertEqual(self.c.quota(), 5)

    def test_journal_names_the_rule(self):
        for _ in range(3):
            self.c.rest("GET", "profiles")
        st, journal = self.c.admin("GET", "/requests")
        self.assertEqual(st, 200)
        got = [(e["method"], e["path"], e["status"], e["code"], e["rule"]) for e in journal["requests"]]
        rule = "schema cache still loading"
        self.assertEqual(got, [("GET", "/rest/v1/profiles", 503, "PGRST002", rule),
                               ("GET", "/rest/v1/profiles", 503, "PGRST002", rule),
                               ("GET", "/rest/v1/profiles", 200, None, None)])

    def test_reset_replays_it(self):
        for _ in range(2):
            self.c.rest("GET", "profiles")
        self.c.admin("POST", "/reset")
        self.assert503(self.c.rest("GET", "profiles"))


class Gateway5xx(ScenarioCase):
    SCENARIO = "gateway-5xx"

    def test_first_read_is_502_with_the_gateway_body(self):
        # Kong's 502 message in kong.response.error's JSON template (Kong 2.8.1).
        st, _, hs, body = self.c.rest("GET", "profiles?select=free_image_quota")
        self.assertEqual((st, body), (502, b'{\n  "message":"An invalid response was received from the upstream server"\n}'))
        self.assertEqual(header(hs, "Content-Type"), JSON_CT)
        self.assertIsNone(header(hs, "Proxy-Status"))
        self.assertEqual(self.c.quota(), 5)  # the second read works

    def test_first_write_is_504_and_changes_nothing(self):
        st, _, hs, body = self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4})
        self.assertEqual((st, body), (504, b'{\n  "message":"The upstream server is timing out"\n}'))
        self.assertEqual(header(hs, "Content-Type"), JSON_CT)
        self.c.rest("GET", "profiles")  # uses up the 502
        self.assertEqual(self.c.quota(), 5)
        self.assertNoContent(self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4}))
        self.assertEqual(self.c.quota(), 4)


def raw_request(method, path, body=b""):
    head = ("%s /rest/v1/%s HTTP/1.1\r\nHost: localhost\r\napikey: %s\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
            % (method, path, SERVICE, SERVICE, len(body)))
    return head.encode() + body


class ConnectionFaults(ScenarioCase):
    SCENARIO = "connection-faults"
    GET = raw_request("GET", "profiles?select=free_image_quota")
    PATCH = raw_request("PATCH", "profiles?user_id=eq." + DEMO_USER, b'{"free_image_quota":4}')

    def test_reads_reset_then_truncated_then_ok(self):
        with self.mock.connect() as s:
            s.sendall(self.GET)
            with self.assertRaises(ConnectionResetError):  # TCP RST, not a clean close
                while s.recv(65536):
                    pass
        with self.mock.connect() as s:
            s.sendall(self.GET)
            data = read_until_close(s)
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200 OK\r\n"), data[:80])
        length = int(re.search(rb"(?im)^content-length: *(\d+)", head).group(1))
        self.assertLess(len(body), length)
        self.assertEqual(self.c.quota(), 5)

    def test_writes_empty_then_malformed_then_ok(self):
        with self.mock.connect() as s:
            s.sendall(self.PATCH)
            self.assertEqual(read_until_close(s), b"")
        with self.mock.connect() as s:
            s.sendall(self.PATCH)
            data = read_until_close(s)
        # malformed_response: something no HTTP client accepts as a
        # response (not a valid status line), then close.
        self.assertNotEqual(data, b"")
        self.assertIsNone(re.match(rb"HTTP/1\.[01] [1-5][0-9][0-9] ", data), data[:80])
        self.assertNoContent(self.c.rest("PATCH", "profiles?user_id=eq." + DEMO_USER, {"free_image_quota": 4}))
        self.consume_read_faults()
        self.assertEqual(self.c.quota(), 4)

    def consume_read_faults(self):
        for _ in range(2):
            with self.mock.connect() as s:
                s.sendall(self.GET)
                try:
                    read_until_close(s)
                except ConnectionResetError:
                    pass

    def test_the_server_keeps_serving(self):
        self.consume_read_faults()
        self.mock.assert_healthy()
        self.assertEqual(self.c.quota(), 5)


if __name__ == "__main__":
    unittest.main()
