"""Fault rules that answer with catalogue errors and literal responses.

Expected bytes come from PostgREST's Error.hs (body shape, key order,
Content-Type, Proxy-Status, Retry-After on 503, WWW-Authenticate on 401, PGRST
templates, the SQLSTATE -> status map), fuzzyset-haskell (the hint), Postgres's
messages, Supabase's GRANT hint, and Warp's Server: postgrest/14.5.
"""

import json
import time
import unittest

from harness import Supamock, header

SECRET = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"  # the Supabase CLI's secret key
PUBLISHABLE = "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH"
JSON_CT = "application/json; charset=utf-8"  # PostgREST's error Content-Type
USER_ID = "13ab4cf1-8587-4685-874b-c2d37beeab38"  # scenarios/default.json


def pg_error(code, message, details=None, hint=None):
    """The compact body PostgREST writes (aeson: keys in this order)."""
    return json.dumps({"code": code, "details": details, "hint": hint, "message": message},
                      separators=(",", ":"), ensure_ascii=False).encode()


class StaleSchemaCacheTest(unittest.TestCase):
    """The bug report: reads work, writes fail with PGRST205 until a reload."""

    def test_writes_fail_reads_work(self):
        with Supamock("--scenario", "tests/fixtures/rules-stale.json") as mock:
            body = json.dumps({"user_id": USER_ID}).encode()
            for method in ("POST", "PATCH", "DELETE"):
                status, _, headers, data = mock.request(
                    method, "/rest/v1/profiles?id=eq.1", body=body,
                    headers={"apikey": PUBLISHABLE, "Content-Type": "application/json"})
                self.assertEqual(status, 404, method)
                # PGRST205; the hint looks among the other tables ('profile'
                # scores 1 - 1/8 = 0.875 >= 0.75), not at 'profiles' itself.
                self.assertEqual(data, pg_error(
                    "PGRST205", "Could not find the table 'public.profiles' in the schema cache",
                    hint="Perhaps you meant the table 'public.profile'"))
                self.assertEqual(header(headers, "Content-Type"), JSON_CT)
                self.assertEqual(header(headers, "Proxy-Status"), "PostgREST; error=PGRST205")
                self.assertEqual(header(headers, "Server"), "postgrest/14.5")
                self.assertEqual(header(headers, "Content-Length"), str(len(data)))
            status, _, _, data = mock.request("GET", "/rest/v1/profiles?select=user_id",
                                              headers={"apikey": SECRET})
            self.assertEqual((status, data), (200, b'[{"user_id":"%s"}]' % USER_ID.encode()))

            # The rule lasts until schema_reload (POST /__mock/reload-schema).
            status, _, _, _ = mock.request("POST", "/__mock/reload-schema")
            self.assertEqual(status, 200)
            status, _, _, _ = mock.request(
                "PATCH", "/rest/v1/profiles?user_id=eq.%s" % USER_ID,
                body=b'{"full_name":"x"}',
                headers={"apikey": SECRET, "Content-Type": "application/json"})
            self.assertEqual(status, 204)  # PATCH, return=minimal

    def test_schema_in_profile_header(self):
        with Supamock("--scenario", "tests/fixtures/rules-stale.json") as mock:
            _, _, _, data = mock.request(
                "POST", "/rest/v1/profiles", body=b"{}",
                headers={"apikey": SECRET, "Content-Type": "application/json",
                         "Content-Profile": "graphql_public"})
            # No table of schema graphql_public is a candidate (same schema only).
            self.assertEqual(data, pg_error(
                "PGRST205",
                "Could not find the table 'graphql_public.profiles' in the schema cache"))


class AutoReloadTest(unittest.TestCase):
    """schema_cache.auto_reload_after_ms on the fixed scenario clock, moved only
    through POST /__mock/clock."""

    def test_reload_after_two_minutes_of_scenario_time(self):
        with Supamock("--scenario", "tests/fixtures/rules-auto-reload.json") as mock:
            def get_new_table():
                return mock.request("GET", "/rest/v1/image_generations",
                                    headers={"apikey": SECRET})

            def patch_profile():
                return mock.request("PATCH", "/rest/v1/profiles?user_id=eq.%s" % USER_ID,
                                    body=b'{"full_name":"x"}',
                                    headers={"apikey": SECRET, "Content-Type": "application/json"})

            def advance(ms):
                st, _, _, body = mock.request("POST", "/__mock/clock",
                                              body=json.dumps({"advance_ms": ms}).encode(),
                                              headers={"Content-Type": "application/json"})
                self.assertEqual(st, 200, body)

            # A table PostgREST has not seen yet is 404 PGRST205; the
            # fuzzy hint finds nothing close among the cached tables.
            status, _, _, data = get_new_table()
            self.assertEqual((status, data), (404, pg_error(
                "PGRST205",
                "Could not find the table 'public.image_generations' in the schema cache")))
            self.assertEqual(patch_profile()[0], 404)
            advance(119999)
            self.assertEqual(get_new_table()[0], 404)
            self.assertEqual(patch_profile()[0], 404)
            advance(1)
            # Two minutes have passed: the cache reloaded, the rule expired.
            status, _, headers, data = get_new_table()
            self.assertEqual((status, data), (200, b"[]"))
            self.assertEqual(header(headers, "Content-Range"), "*/*")
            self.assertEqual(patch_profile()[0], 204)


class SchemaCacheLoadingTest(unittest.TestCase):
    def test_pgrst002_twice_then_200(self):
        with Supamock("--scenario", "tests/fixtures/rules-loading.json") as mock:
            for _ in range(2):
                status, reason, headers, data = mock.request(
                    "GET", "/rest/v1/profiles?select=user_id", headers={"apikey": SECRET})
                self.assertEqual((status, reason), (503, "Service Unavailable"))
                # The exact body from PostgREST's test_io.py.
                self.assertEqual(data, b'{"code":"PGRST002","details":null,"hint":null,'
                                       b'"message":"Could not query the database for the '
                                       b'schema cache. Retrying."}')
                self.assertRegex(header(headers, "Retry-After") or "", r"^[0-9]+$")
                self.assertEqual(header(headers, "Proxy-Status"), "PostgREST; error=PGRST002")
            status, _, _, data = mock.request("GET", "/rest/v1/profiles?select=user_id",
                                              headers={"apikey": SECRET})
            self.assertEqual(status, 200)


class MiscRulesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", "tests/fixtures/rules-misc.json")
        cls.mock.start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def test_literal_raw_body(self):
        status, _, headers, data = self.mock.request("GET", "/rest/v1/gw502",
                                                     headers={"apikey": SECRET})
        self.assertEqual((status, data), (502, b"<html>Bad Gateway</html>"))
        self.assertEqual(header(headers, "Content-Type"), "text/html")

    def test_literal_json_body_and_headers(self):
        status, _, headers, data = self.mock.request("GET", "/rest/v1/literal")
        self.assertEqual((status, data), (503, b'{"message":"busy","n":[1,2]}'))
        self.assertEqual(header(headers, "Retry-After"), "1")
        self.assertEqual(header(headers, "Content-Type"), JSON_CT)
        # Method list: a POST is not matched, the model answers.
        status, _, _, _ = self.mock.request("POST", "/rest/v1/literal", body=b"{}",
                                            headers={"apikey": SECRET,
                                                     "Content-Type": "application/json"})
        self.assertEqual(status, 404)

    def test_key_kind_missing_runs_before_the_gateway(self):
        # No apikey: the hosted gateway would say 401 "No API key found"; the
        # rule runs first. 42501 as anon is 401 + WWW-Authenticate.
        status, _, headers, data = self.mock.request("GET", "/rest/v1/keyed")
        self.assertEqual(status, 401)
        self.assertEqual(header(headers, "WWW-Authenticate"), "Bearer")
        self.assertEqual(data, pg_error(
            "42501", "permission denied for table keyed",
            hint="Grant the required privileges to the current role with: "
                 "GRANT SELECT ON public.keyed TO anon;"))
        # The service key is not in the rule's key list: the model answers.
        status, _, _, data = self.mock.request("GET", "/rest/v1/keyed", headers={"apikey": SECRET})
        self.assertEqual(data, pg_error(
            "PGRST205", "Could not find the table 'public.keyed' in the schema cache"))

    def test_query_glob_sees_decoded_values(self):
        status, _, _, data = self.mock.request(
            "GET", "/rest/v1/profiles?user_id=eq.x%62ad+x", headers={"apikey": SECRET})
        self.assertEqual(status, 400)  # 22P02 maps to 400
        self.assertEqual(data, pg_error("22P02", 'invalid input syntax for type uuid: "xbad x"'))

    def test_header_and_body_subset_with_overrides(self):
        body = json.dumps({"full_name": "Dup", "user_id": USER_ID}).encode()
        hdrs = {"apikey": SECRET, "Content-Type": "application/json",
                "Prefer": "count=exact,return=representation"}
        status, _, _, data = self.mock.request("POST", "/rest/v1/profiles", body=body,
                                               headers=hdrs)
        self.assertEqual(status, 418)
        self.assertEqual(data, pg_error(
            "23505", 'duplicate key value violates unique constraint "profiles_full_name_key"',
            details="Key (full_name)=(Dup) already exists.", hint="custom hint"))
        # Body subset not met: the model answers.
        status, _, _, _ = self.mock.request("POST", "/rest/v1/profiles",
                                            body=b'{"full_name":"Other"}', headers=hdrs)
        self.assertNotEqual(status, 418)

    def test_after_lets_the_first_n_through(self):
        statuses = []
        for _ in range(4):
            status, _, _, data = self.mock.request("GET", "/rest/v1/after",
                                                   headers={"apikey": SECRET})
            statuses.append((status, data if status == 200 else b""))
        self.assertEqual(statuses, [(404, b""), (404, b""), (200, b"third"), (200, b"third")])

    def test_pass_rule_delays_the_models_answer(self):
        t0 = time.monotonic()
        status, _, _, data = self.mock.request("GET", "/rest/v1/profiles?select=user_id",
                                               headers={"apikey": SECRET, "x-slow": "yes"})
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)
        self.assertEqual((status, data), (200, b'[{"user_id":"%s"}]' % USER_ID.encode()))

    def test_state_machine(self):
        answers = [self.mock.request("GET", "/rest/v1/state", headers={"apikey": SECRET})[3]
                   for _ in range(3)]
        self.assertEqual(answers, [b"one", b"two", b"two"])


class ValidationTest(unittest.TestCase):
    def test_bad_rule_is_a_load_error_with_position(self):
        import os
        import subprocess
        import tempfile
        from harness import binary
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bad.json")
            with open(path, "w") as f:
                f.write('{"name": "bad",\n "rules": [\n  {"match": {"path": "/x"},\n'
                        '   "respond": {"error": "PGRST999"}}]}\n')
            p = subprocess.run([binary(), "validate", path], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        out = p.stdout + p.stderr
        # At the offending value ("PGRST999"), not the rule holding it.
        self.assertIn("bad.json:4:25:", out)
        self.assertIn("PGRST999", out)


if __name__ == "__main__":
    unittest.main()
