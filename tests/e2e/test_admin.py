"""The admin API (/__mock) end to end, with the journal.

Expected values come from the endpoints and shapes README.md documents,
--admin-token and --journal-limit, rule counters resetting, the fixture
tests/fixtures/admin-basic.json (rows, keys, rule), Postgres's constraint
messages and the formats admin.c and journal.h document (error
texts, the redaction "KIND …TAIL"). Keys are the Supabase CLI demo keys,
which the fixture inherits as scenario defaults.
"""

import json
import os
import shutil
import tempfile
import unittest

from harness import FIXED_CLOCK, Supamock, header, source_dir

SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
ANON = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJl"
        "eHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
FIXTURES = os.path.join(source_dir(), "tests", "fixtures")
BASIC = os.path.join(FIXTURES, "admin-basic.json")
OTHER = os.path.join(FIXTURES, "admin-other.json")
OWNER = "5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11"
# The fixture's seed rows as row_to_json writes them: serial ids 1 and 2 in
# insertion order, qty defaulting to 1, owner_id null when not given.
ITEMS = [{"id": 1, "name": "apple", "qty": 1, "owner_id": OWNER},
         {"id": 2, "name": "pear", "qty": 4, "owner_id": None}]
ELLIPSIS = "\u2026"


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


class AdminBase(unittest.TestCase):
    args = ()

    def setUp(self):
        self.mock = Supamock("--scenario", BASIC, *self.args).start()

    def tearDown(self):
        self.mock.stop()

    def admin(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if body is not None:
            # The admin API refuses a body that is not declared JSON (the
            # cross-site form check of admin.h).
            h.setdefault("Content-Type", "application/json")
        status, _, hs, data = self.mock.request(method, "/__mock" + path, body=body, headers=h)
        return status, hs, data

    def admin_json(self, method, path, body=None, status=200, headers=None):
        st, hs, data = self.admin(method, path, body, headers)
        self.assertEqual(st, status, data)
        self.assertEqual(header(hs, "Content-Type"), "application/json")
        return json.loads(data)

    def rest(self, method, path, body=None, key=SERVICE, headers=None):
        h = {"apikey": key, "Authorization": "Bearer " + key}
        h.update(headers or {})
        if body is not None:
            body = json.dumps(body)
            h["Content-Type"] = "application/json"
        return self.mock.request(method, "/rest/v1/" + path, body=body, headers=h)


class HealthAndScenarioTest(AdminBase):
    def test_health(self):
        body = self.admin_json("GET", "/health")
        self.assertEqual(list(body), ["status", "scenario", "state", "uptime_ms", "requests"])
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["scenario"], "admin-basic")
        self.assertEqual(body["state"], "Started")  # WireMock's initial state
        self.assertIsInstance(body["uptime_ms"], int)
        self.assertEqual(body["requests"], 0)
        self.rest("GET", "items")
        self.assertEqual(self.admin_json("GET", "/health")["requests"], 1)
        st, hs, data = self.admin("HEAD", "/health")
        self.assertEqual((st, data), (200, b""))

    def test_get_scenario_is_effective_with_counters(self):
        sc = self.admin_json("GET", "/scenario")
        self.assertEqual(sc["name"], "admin-basic")
        self.assertEqual(sc["clock"], "2026-01-01T00:00:00Z")
        # Supabase's defaults, spelt out though the fixture omits them.
        self.assertEqual(sc["postgrest"]["db_max_rows"], 1000)
        self.assertEqual(sc["postgrest"]["db_schemas"], ["public", "graphql_public"])
        self.assertEqual(sc["gateway"], "hosted")
        self.assertEqual(sc["postgrest_version"], 14)
        self.assertEqual(list(sc["tables"]), ["owners", "items", "hidden"])
        self.assertEqual(sc["tables"]["items"]["columns"][2],
                         {"name": "qty", "type": "integer", "nullable": False, "default": 1,
                          "primary_key": False, "unique": False, "in_schema_cache": True})
        rule = sc["rules"][0]
        self.assertEqual(rule["name"], "first flaky read")
        self.assertEqual((rule["matched"], rule["answered"], rule["expired"]), (0, 0, False))
        # The rule answers once (times: 1), then the model does.
        self.assertEqual(self.rest("GET", "owners")[0], 503)
        self.assertEqual(self.rest("GET", "owners")[0], 200)
        rule = self.admin_json("GET", "/scenario")["rules"][0]
        self.assertEqual((rule["answered"], rule["expired"]), (1, True))

    def test_put_scenario_by_name(self):
        # A NAME resolves to scenarios/NAME.json under the server's working
        # directory (never a path: test_admin_security.py), so this server runs
        # in a folder whose scenarios/ holds copies of the fixtures.
        self.mock.stop()
        with tempfile.TemporaryDirectory() as tmp:
            os.mkdir(os.path.join(tmp, "scenarios"))
            for path in (BASIC, OTHER):
                shutil.copy(path, os.path.join(tmp, "scenarios"))
            # --clock holds across the switch, so "default" keeps the dates below.
            self.mock = Supamock("--scenario", BASIC, *FIXED_CLOCK, cwd=tmp).start()
            self.check_put_scenario_by_name()
            self.mock.stop()

    def check_put_scenario_by_name(self):
        body = self.admin_json("PUT", "/scenario", {"name": "admin-other"})
        self.assertEqual(body, {"status": "ok", "scenario": "admin-other"})
        self.assertEqual(self.admin_json("GET", "/health")["scenario"], "admin-other")
        sc = self.admin_json("GET", "/scenario")
        # extends applied: the base's tables first, then the new one; no "extends" key.
        self.assertEqual(list(sc["tables"]), ["owners", "items", "hidden", "notes"])
        self.assertNotIn("extends", sc)
        self.assertEqual(self.admin_json("GET", "/tables/notes"), [{"body": "hello"}])
        # "default" is the built-in copy when scenarios/ has none;
        # switching the scenario also resets, which clears the journal.
        self.rest("GET", "items")
        self.assertEqual(self.admin_json("PUT", "/scenario", {"name": "default"}),
                         {"status": "ok", "scenario": "default"})
        self.assertEqual(self.admin_json("GET", "/requests"), {"requests": [], "dropped": 0})
        sc = self.admin_json("GET", "/scenario")
        self.assertEqual(list(sc["tables"]), ["profiles"])
        self.assertEqual(sc["auth"]["users"][0]["id"], "13ab4cf1-8587-4685-874b-c2d37beeab38")
        # The journal redacts the new scenario's keys by kind.
        self.mock.request("GET", "/rest/v1/profiles",
                          headers={"apikey": "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH"})
        entry = self.admin_json("GET", "/requests")["requests"][0]
        self.assertEqual(entry["headers"]["apikey"], "publishable " + ELLIPSIS + "JgxAaH")
        self.assertEqual((entry["key"], entry["role"]), ("publishable", "anon"))
        # profiles has RLS on; the admin sees every row anyway, as row_to_json
        # writes it (timestamptz with +00:00; seed of default.json).
        st, _, data = self.admin("GET", "/tables/profiles")
        self.assertEqual((st, data), (200, (
            '[{"id":"5f0c6a4e-7a43-4c1b-9d55-2d4bce1f0a11",'
            '"user_id":"13ab4cf1-8587-4685-874b-c2d37beeab38","email":"demo@example.com",'
            '"full_name":"Demo User","free_image_quota":5,'
            '"created_at":"2026-01-01T00:00:00+00:00","updated_at":"2026-01-01T00:00:00+00:00"}]'
        ).encode()))

    def test_put_scenario_by_body(self):
        scenario = {"name": "inline", "clock": "2027-05-01T00:00:00Z",
                    "tables": {"t": {"columns": [{"name": "x", "type": "integer"}],
                                     "rows": [{"x": 7}]}}}
        self.assertEqual(self.admin_json("PUT", "/scenario", scenario),
                         {"status": "ok", "scenario": "inline"})
        self.assertEqual(self.admin_json("GET", "/tables/t"), [{"x": 7}])
        self.assertEqual(self.admin_json("GET", "/clock"), {"now": "2027-05-01T00:00:00Z"})
        # The old scenario's tables are gone.
        self.assertEqual(self.admin_json("GET", "/tables/items", status=404),
                         {"error": 'relation "public.items" does not exist'})

    def test_put_scenario_errors(self):
        # Unknown keys are load errors with the body's line and column.
        text = '{\n  "name": "bad",\n  "tabels": {}\n}'
        body = self.admin_json("PUT", "/scenario", text, status=400)
        self.assertTrue(body["error"].startswith("<PUT /__mock/scenario>:3:3: "), body)
        self.assertIn('"tabels"', body["error"])
        # The old scenario keeps serving.
        self.assertEqual(self.admin_json("GET", "/health")["scenario"], "admin-basic")
        self.assertEqual(self.admin_json("PUT", "/scenario", "{not json", status=400),
                         {"error": "the body is not valid JSON"})
        self.assertEqual(self.admin_json("PUT", "/scenario", [1], status=400),
                         {"error": 'expected {"name": "..."} or a whole scenario object'})
        body = self.admin_json("PUT", "/scenario", {"name": "no-such-scenario"}, status=400)
        self.assertIn('no scenario named "no-such-scenario"', body["error"])
        # A seed row that violates a constraint fails building the instance.
        dup = {"name": "dup", "tables": {"t": {"columns": [{"name": "x", "type": "integer",
                                                            "primary_key": True}],
                                               "rows": [{"x": 1}, {"x": 1}]}}}
        body = self.admin_json("PUT", "/scenario", dup, status=400)
        self.assertIn('duplicate key value violates unique constraint "t_pkey"', body["error"])
        self.assertEqual(self.admin_json("GET", "/health")["scenario"], "admin-basic")


class ResetClockReloadTest(AdminBase):
    def test_reset_undoes_writes_counters_clock_and_journal(self):
        self.assertEqual(self.rest("POST", "items", {"name": "kiwi"})[0], 201)
        self.assertEqual(self.rest("GET", "owners")[0], 503)  # the rule's one answer
        self.admin_json("POST", "/clock", {"advance_ms": 3600000})
        self.assertEqual(len(self.admin_json("GET", "/tables/items")), 3)
        self.assertEqual(self.admin_json("GET", "/requests/count"), {"count": 2})

        self.assertEqual(self.admin_json("POST", "/reset"),
                         {"status": "ok", "scenario": "admin-basic"})
        self.assertEqual(self.admin_json("GET", "/tables/items"), ITEMS)
        self.assertEqual(self.admin_json("GET", "/clock"), {"now": "2026-01-01T00:00:00Z"})
        self.assertEqual(self.admin_json("GET", "/requests"), {"requests": [], "dropped": 0})
        rule = self.admin_json("GET", "/scenario")["rules"][0]
        self.assertEqual((rule["matched"], rule["answered"], rule["expired"]), (0, 0, False))
        self.assertEqual(self.admin_json("GET", "/health")["requests"], 0)
        # The rule answers again after the reset (counters reset).
        self.assertEqual(self.rest("GET", "owners")[0], 503)
        # Sequences restart with the rebuilt instance: the next insert gets id 3.
        st, _, _, data = self.rest("POST", "items", {"name": "plum"},
                                   headers={"Prefer": "return=representation"})
        self.assertEqual(st, 201)
        self.assertEqual(json.loads(data)[0]["id"], 3)

    def test_clock_and_date_header(self):
        st, hs, _ = self.admin("GET", "/health")
        # 2026-01-01 was a Thursday; RFC 9110 IMF-fixdate.
        self.assertEqual(header(hs, "Date"), "Thu, 01 Jan 2026 00:00:00 GMT")
        self.assertEqual(self.admin_json("POST", "/clock", {"advance_ms": 120000}),
                         {"now": "2026-01-01T00:02:00Z"})
        _, _, hs, _ = self.rest("GET", "items")
        self.assertEqual(header(hs, "Date"), "Thu, 01 Jan 2026 00:02:00 GMT")
        self.assertEqual(self.admin_json("POST", "/clock", {"set": "2026-06-01T12:30:00Z"}),
                         {"now": "2026-06-01T12:30:00Z"})
        st, hs, _ = self.admin("GET", "/health")
        self.assertEqual(header(hs, "Date"), "Mon, 01 Jun 2026 12:30:00 GMT")
        usage = {"error": 'expected {"advance_ms": N} or {"set": "ISO 8601 time"}'}
        self.assertEqual(self.admin_json("POST", "/clock", {}, status=400), usage)
        self.assertEqual(self.admin_json("POST", "/clock", {"advance_ms": 1, "set": "x"},
                                         status=400), usage)
        self.assertEqual(self.admin_json("POST", "/clock", {"advance_ms": 1.5}, status=400),
                         {"error": '"advance_ms" must be an integer number of milliseconds'})
        self.assertEqual(self.admin_json("POST", "/clock", {"set": "yesterday"}, status=400),
                         {"error": '"set" must be an ISO 8601 time such as '
                                   '"2026-01-01T00:00:00Z"'})

    def test_reload_schema(self):
        # in_schema_cache: false -> PGRST205 until the reload.
        st, _, _, data = self.rest("GET", "hidden")
        self.assertEqual((st, json.loads(data)["code"]), (404, "PGRST205"))
        self.assertEqual(self.admin_json("POST", "/reload-schema"),
                         {"status": "ok", "scenario": "admin-basic"})
        st, _, _, data = self.rest("GET", "hidden")
        self.assertEqual((st, data), (200, b"[]"))


class JournalTest(AdminBase):
    def test_entries_and_redaction(self):
        self.rest("GET", "items?select=id,name&id=eq.1&name=eq.a+b", key=SERVICE)
        self.rest("POST", "items", {"name": "kiwi"}, key=ANON)
        self.admin_json("GET", "/health")  # admin calls are not journaled
        body = self.admin_json("GET", "/requests")
        self.assertEqual(body["dropped"], 0)
        first, second = body["requests"]
        self.assertEqual(list(first), ["id", "at", "method", "path", "query", "headers", "body",
                                       "role", "key", "status", "code", "rule", "fault",
                                       "duration_us", "response"])
        self.assertEqual((first["id"], second["id"]), (1, 2))
        self.assertEqual(first["at"], "2026-01-01T00:00:00Z")
        self.assertEqual((first["method"], first["path"]), ("GET", "/rest/v1/items"))
        self.assertEqual(first["query"], {"select": "id,name", "id": "eq.1", "name": "eq.a b"})
        # Last 6 characters of the demo keys: ...W0YpN81IU and ...DMblYTn_I0.
        self.assertEqual(first["headers"]["apikey"], "service_role " + ELLIPSIS + "pN81IU")
        self.assertEqual(first["headers"]["authorization"], "service_role " + ELLIPSIS + "pN81IU")
        self.assertEqual(second["headers"]["apikey"], "anon " + ELLIPSIS + "YTn_I0")
        self.assertEqual((first["role"], first["key"]), ("service_role", "service_role"))
        self.assertEqual((first["status"], first["code"], first["rule"]), (200, None, None))
        self.assertIsNone(first["body"])
        self.assertIsInstance(first["duration_us"], int)
        self.assertEqual(second["body"], {"name": "kiwi"})
        self.assertEqual(second["method"], "POST")
        raw = self.admin("GET", "/requests")[2].decode()
        self.assertNotIn(SERVICE, raw)
        self.assertNotIn(ANON, raw)

    def test_filters_count_and_delete(self):
        self.rest("GET", "items")                     # 1: 200
        self.rest("GET", "owners")                    # 2: 503 from the rule
        self.rest("GET", "nope")                      # 3: 404 PGRST205
        self.rest("POST", "items", {"name": "apple"})  # 4: 409 23505
        self.mock.request("GET", "/elsewhere")        # 5: the gateway's 404

        def ids(query):
            return [e["id"] for e in self.admin_json("GET", "/requests" + query)["requests"]]

        self.assertEqual(ids(""), [1, 2, 3, 4, 5])
        self.assertEqual(ids("?method=post"), [4])
        self.assertEqual(ids("?path=/rest/v1/*"), [1, 2, 3, 4])
        self.assertEqual(ids("?path=/rest/v1/items"), [1, 4])
        self.assertEqual(ids("?status=503"), [2])
        self.assertEqual(ids("?status=4xx"), [3, 4, 5])
        self.assertEqual(ids("?code=PGRST205"), [3])
        self.assertEqual(ids("?code=23505"), [4])
        self.assertEqual(ids("?rule=first+flaky+read"), [2])
        self.assertEqual(ids("?since=3"), [4, 5])
        self.assertEqual(ids("?since=2026-01-01T00:00:00Z"), [1, 2, 3, 4, 5])
        self.assertEqual(ids("?since=2026-01-01T00:00:01Z"), [])
        self.assertEqual(ids("?method=&path=&status=&code=&rule=&since="), [1, 2, 3, 4, 5])
        self.assertEqual(self.admin_json("GET", "/requests/count?status=4xx&method=GET"),
                         {"count": 2})
        self.assertEqual(self.admin_json("GET", "/requests?colour=red", status=400),
                         {"error": 'unknown filter "colour" (filters: method, path, status, '
                                   'code, rule, fault, since)'})
        self.assertEqual(self.admin_json("GET", "/requests?status=teapot", status=400),
                         {"error": '"status" must be a status code such as 404, a class '
                                   'such as 4xx, or 0 (connection faults)'})
        self.assertEqual(self.admin_json("GET", "/requests?since=soon", status=400),
                         {"error": '"since" must be an entry id (entries after it) or an ISO '
                                   '8601 time (entries at or after it)'})
        self.assertEqual(self.admin_json("DELETE", "/requests"), {"deleted": 5})
        self.assertEqual(self.admin_json("GET", "/requests"), {"requests": [], "dropped": 0})
        # Ids keep counting after a clear (journal.h), so since=5 still means "new ones".
        self.rest("GET", "items")
        self.assertEqual(ids("?since=5"), [6])


class JournalLimitTest(AdminBase):
    args = ("--journal-limit", "3")

    def test_limit_drops_oldest(self):
        for _ in range(5):
            self.rest("GET", "items")
        body = self.admin_json("GET", "/requests")
        self.assertEqual([e["id"] for e in body["requests"]], [3, 4, 5])
        self.assertEqual(body["dropped"], 2)
        self.assertEqual(self.admin_json("GET", "/requests/count"), {"count": 3})


class AdminTokenTest(AdminBase):
    args = ("--admin-token", "s3cret-admin")

    def test_token_required(self):
        st, hs, data = self.admin("GET", "/health")
        self.assertEqual((st, data), (401, compact({"error": "admin token required"})))
        self.assertEqual(header(hs, "WWW-Authenticate"), 'Bearer realm="supamock admin"')
        st, _, data = self.admin("GET", "/health", headers={"Authorization": "Bearer wrong"})
        self.assertEqual((st, data), (401, compact({"error": "invalid admin token"})))
        st, _, data = self.admin("GET", "/health",
                                 headers={"Authorization": "Bearer s3cret-admin-and-more"})
        self.assertEqual(st, 401)
        st, _, data = self.admin("POST", "/reset", headers={"Authorization": "Basic s3cret-admin"})
        self.assertEqual((st, data), (401, compact({"error": "admin token required"})))
        # Unknown endpoints are not revealed without the token either.
        self.assertEqual(self.admin("GET", "/nope")[0], 401)
        ok = {"Authorization": "Bearer s3cret-admin"}
        self.assertEqual(self.admin_json("GET", "/health", headers=ok)["status"], "ok")
        self.assertEqual(self.admin_json("POST", "/reset", headers=ok)["status"], "ok")
        # The Data API does not need (or see) the admin token.
        self.assertEqual(self.rest("GET", "items")[0], 200)


class TablesTest(AdminBase):
    def test_get(self):
        st, hs, data = self.admin("GET", "/tables/items")
        self.assertEqual(st, 200)
        self.assertEqual(json.loads(data), ITEMS)
        self.assertEqual(self.admin_json("GET", "/tables/public.items"), ITEMS)
        # The table PostgREST has not cached is still there for the admin.
        self.assertEqual(self.admin_json("GET", "/tables/hidden"), [])
        self.assertEqual(self.admin_json("GET", "/tables/nope", status=404),
                         {"error": 'relation "public.nope" does not exist'})
        self.assertEqual(self.admin_json("GET", "/tables/api.items", status=404),
                         {"error": 'relation "api.items" does not exist'})

    def test_put_replaces_rows_through_inserts(self):
        new = [{"name": "fig"}, {"name": "date", "qty": 9, "owner_id": OWNER}]
        body = self.admin_json("PUT", "/tables/items", new)
        # Defaults apply; the serial goes on from 3 (sequences never reuse values).
        expect = [{"id": 3, "name": "fig", "qty": 1, "owner_id": None},
                  {"id": 4, "name": "date", "qty": 9, "owner_id": OWNER}]
        self.assertEqual(body, expect)
        self.assertEqual(self.admin_json("GET", "/tables/items"), expect)
        st, _, _, data = self.rest("GET", "items?select=name")
        self.assertEqual(json.loads(data), [{"name": "fig"}, {"name": "date"}])
        self.assertEqual(self.admin_json("PUT", "/tables/items", []), [])

    def test_put_violations_change_nothing(self):
        # Postgres's messages and details for 23505, 23502, 23503.
        body = self.admin_json("PUT", "/tables/items", [{"name": "a"}, {"name": "a"}], status=409)
        self.assertEqual(body, {"error": 'duplicate key value violates unique constraint '
                                         '"items_name_key"',
                                "code": "23505", "details": "Key (name)=(a) already exists."})
        body = self.admin_json("PUT", "/tables/items", [{"qty": 2}], status=409)
        self.assertEqual(body["code"], "23502")
        self.assertEqual(body["error"], 'null value in column "name" of relation "items" '
                                        'violates not-null constraint')
        ghost = "00000000-0000-4000-8000-000000000000"
        body = self.admin_json("PUT", "/tables/items", [{"name": "x", "owner_id": ghost}],
                               status=409)
        self.assertEqual(body, {"error": 'insert or update on table "items" violates foreign '
                                         'key constraint "items_owner_id_fkey"',
                                "code": "23503",
                                "details": 'Key (owner_id)=(%s) is not present in table '
                                           '"owners".' % ghost})
        body = self.admin_json("PUT", "/tables/owners", [], status=409)
        self.assertEqual(body, {"error": 'update or delete on table "owners" violates foreign '
                                         'key constraint "items_owner_id_fkey" on table "items"',
                                "code": "23503",
                                "details": 'Key (id)=(%s) is still referenced from table '
                                           '"items".' % OWNER})
        self.assertEqual(self.admin_json("GET", "/tables/items"), ITEMS)
        self.assertEqual(len(self.admin_json("GET", "/tables/owners")), 1)

    def test_put_bad_input(self):
        body = self.admin_json("PUT", "/tables/items", [{"nope": 1}], status=400)
        self.assertEqual(body["code"], "42703")
        body = self.admin_json("PUT", "/tables/items", [{"name": "x", "qty": "many"}], status=400)
        self.assertEqual(body["code"], "22P02")
        self.assertEqual(self.admin_json("PUT", "/tables/items", {"name": "x"}, status=400),
                         {"error": "expected a JSON array of row objects"})
        self.assertEqual(self.admin_json("PUT", "/tables/items", [1], status=400),
                         {"error": "row 1 is not a JSON object"})
        self.assertEqual(self.admin_json("GET", "/tables/items"), ITEMS)


class DispatchTest(AdminBase):
    def test_unknown_and_wrong_method(self):
        self.assertEqual(self.admin_json("GET", "/nope", status=404),
                         {"error": "unknown admin endpoint /__mock/nope"})
        st, hs, data = self.admin("DELETE", "/health")
        self.assertEqual((st, json.loads(data)), (405, {"error": "use GET, HEAD on /__mock/health"}))
        self.assertEqual(header(hs, "Allow"), "GET, HEAD")
        st, hs, _ = self.admin("GET", "/reset")
        self.assertEqual((st, header(hs, "Allow")), (405, "POST"))
        st, hs, _ = self.admin("PATCH", "/tables/items")
        self.assertEqual((st, header(hs, "Allow")), (405, "GET, HEAD, PUT"))

    def test_sql_body_shape(self):
        self.assertEqual(self.admin_json("POST", "/sql", {"query": "select 1"}, status=400),
                         {"error": 'expected {"sql": "..."}'})
        self.assertEqual(self.admin_json("POST", "/sql", "", status=400),
                         {"error": "expected a JSON body"})


if __name__ == "__main__":
    unittest.main()
