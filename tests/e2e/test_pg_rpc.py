"""/rest/v1/rpc/NAME on the database engine, against the rpc project folder
(tests/fixtures/projects/rpc).

Statuses and headers follow PostgREST v14's source: Plan.hs (findProc,
callReadPlan's planTxMode: GET/HEAD and STABLE/IMMUTABLE functions in a READ
ONLY transaction), Response.hs (a call's headers; 204 for a void function;
RoutineInfoPlan's Allow), Error.hs (NoRpc/AmbiguousRpc texts,
MaxAffectedRpcViolation, mapSQLtoHTTP: P0001 400, PTxyz xyz, 25006 405,
42501 401 for anon) and RpcSpec.hs. Bodies and server messages are what
PostgreSQL 15 answers for the fixture's SQL (json_agg of the rows, RAISE's
message/detail/hint, "cannot execute UPDATE in a read-only transaction").
"""

import json
import os
import unittest

from harness import Supamock, header
from test_pg_project import PG_BIN, READY, project
from test_scenarios import SERVICE, ANON

JSON = {"Content-Type": "application/json"}
JSON_CT = "application/json; charset=utf-8"


class RpcCases:
    """The requests, shared by both engines (test_mem_rpc.py runs them on
    the memory engine). GAPS names what an engine does not run yet; the
    assertions that need it are left out there, nothing else."""

    GAPS = frozenset()

    def call(self, method, path, body=None, key=SERVICE, **headers):
        h = {"apikey": key, "Authorization": "Bearer " + key}
        h.update(headers)
        st, _, hs, data = self.mock.request(method, "/rest/v1/rpc/" + path, body=body, headers=h)
        return st, hs, data

    def json(self, method, path, body=None, **headers):
        st, hs, data = self.call(method, path, body, **headers)
        return st, json.loads(data) if data else None

    def assertErr(self, resp, status, code, message, details=None, hint=None):
        st, data = resp
        self.assertEqual(st, status)
        self.assertEqual(data, {"code": code, "details": details, "hint": hint, "message": message})

    def test_scalar(self):
        st, hs, data = self.call("POST", "add_them", '{"a": 1, "b": 2}', **JSON)
        self.assertEqual((st, data), (200, b"3"))
        self.assertEqual(header(hs, "Content-Type"), JSON_CT)
        # A single result: page_total is 1 (pageCountSelectF), no total.
        self.assertEqual(header(hs, "Content-Range"), "0-0/*")
        self.assertIsNone(header(hs, "Content-Location"))
        # GET takes the arguments from the query string (toRpcParams).
        self.assertEqual(self.json("GET", "add_them?a=40&b=2"), (200, 42))
        # A form body (MTUrlEncoded: DirectArgs).
        st, _, data = self.call("POST", "add_them", "a=1&b=2",
                                **{"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((st, data), (200, b"3"))
        # A CSV body: its first row's values (csvToJson, json_to_recordset).
        st, _, data = self.call("POST", "add_them", "a,b\n5,6\n", **{"Content-Type": "text/csv"})
        self.assertEqual((st, data), (200, b"11"))
        # The argument goes to Postgres as text: its input function judges it.
        self.assertErr(self.json("GET", "add_them?a=x&b=2"), 400, "22P02",
                       'invalid input syntax for type integer: "x"')

    def test_setof_with_select_filters_order_and_range(self):
        self.assertEqual(self.json("GET", "get_items"),
                         (200, [{"id": 1, "name": "apple", "qty": 5},
                                {"id": 2, "name": "pear", "qty": 0},
                                {"id": 3, "name": "plum", "qty": 12}]))
        # Filters, select and order apply to the result (mainCall's read plan).
        self.assertEqual(self.json("GET", "get_items?qty=gt.1&select=name,qty&order=qty.desc"),
                         (200, [{"name": "plum", "qty": 12}, {"name": "apple", "qty": 5}]))
        self.assertEqual(self.json("POST", "get_items?id=eq.2&select=name", "{}", **JSON),
                         (200, [{"name": "pear"}]))
        st, hs, data = self.call("GET", "get_items?select=id", Prefer="count=exact", Range="0-1")
        self.assertEqual((st, json.loads(data)), (206, [{"id": 1}, {"id": 2}]))
        self.assertEqual(header(hs, "Content-Range"), "0-1/3")
        self.assertEqual(header(hs, "Preference-Applied"), "count=exact")
        self.assertErr(self.json("GET", "get_items?offset=5", Prefer="count=exact"), 416,
                       "PGRST103", "Requested range not satisfiable",
                       "An offset of 5 was requested, but there are only 3 rows.")
        # HEAD: the headers without a body.
        st, hs, data = self.call("HEAD", "get_items")
        self.assertEqual((st, data, header(hs, "Content-Range")), (200, b"", "0-2/*"))

    def test_table_composite_and_scalar_sets(self):
        self.assertEqual(self.json("GET", "items_over?min_qty=1&name=like.p*"),
                         (200, [{"id": 3, "name": "plum"}]))
        # A single composite is an object (asJsonF: json_agg(...)->0).
        self.assertEqual(self.json("POST", "first_item", ""),
                         (200, {"id": 1, "name": "apple", "qty": 5}))
        self.assertEqual(self.json("GET", "item_names"), (200, ["apple", "pear", "plum"]))

    def test_void_is_204(self):
        # RpcSpec.hs "returns 204, no Content-Type header and no content for void".
        st, hs, data = self.call("POST", "ping", "{}", **JSON)
        self.assertEqual((st, data), (204, b""))
        self.assertIsNone(header(hs, "Content-Type"))

    def test_response_gucs(self):
        if "set_config" in self.GAPS:
            self.skipTest("set_config is not among this engine's functions")
        # Response.hs overrideStatusHeaders: response.status and
        # response.headers set by the function win over the call's 200.
        st, hs, data = self.call("POST", "make_thing", "{}", **JSON)
        self.assertEqual((st, json.loads(data)), (201, {"id": 7}))
        self.assertEqual(header(hs, "Location"), "/things/7")

    def test_object_media_type(self):
        st, hs, data = self.call("GET", "first_item", Accept="application/vnd.pgrst.object+json")
        self.assertEqual((st, json.loads(data)), (200, {"id": 1, "name": "apple", "qty": 5}))
        self.assertEqual(header(hs, "Content-Type"), "application/vnd.pgrst.object+json; charset=utf-8")
        self.assertErr(self.json("GET", "get_items", Accept="application/vnd.pgrst.object+json"),
                       406, "PGRST116", "Cannot coerce the result to a single JSON object",
                       "The result contains 3 rows")

    def test_overloads_defaults_variadic_and_json(self):
        self.assertEqual(self.json("GET", "over?a=1"), (200, "one: 1"))
        self.assertEqual(self.json("POST", "over", '{"a": 1, "b": 2}', **JSON), (200, "two: 3"))
        # Same names, different types: Error.hs AmbiguousRpc, fewest/lowest first.
        self.assertErr(self.json("GET", "amb?x=1"), 300, "PGRST203",
                       "Could not choose the best candidate function between: "
                       "public.amb(x => integer), public.amb(x => text)",
                       hint="Try renaming the parameters or the function itself in the database "
                            "so function overloading can be resolved")
        self.assertEqual(self.json("GET", "greet"), (200, "hello world"))
        self.assertEqual(self.json("GET", "greet?name=bob"), (200, "hello bob"))
        # VARIADIC: repeated query parameters, or a JSON array.
        if "unnest" not in self.GAPS:
            self.assertEqual(self.json("GET", "sum_all?nums=1&nums=2&nums=3"), (200, 6))
            self.assertEqual(self.json("POST", "sum_all", '{"nums": [1, 2, 3]}', **JSON), (200, 6))
        # A single unnamed json parameter takes the whole body.
        self.assertEqual(self.json("POST", "echo_json", '{"k": [1, 2]}', **JSON),
                         (200, {"k": [1, 2]}))

    def test_raw_bodies(self):
        # Payload.hs RawPay and callPlanToQuery's singleParameter: the body as
        # the single unnamed text or bytea argument (RpcSpec.hs "can insert
        # text directly", "can insert bytea directly").
        self.assertEqual(self.json("POST", "shout", "hello, world", **{"Content-Type": "text/plain"}),
                         (200, "HELLO, WORLD"))
        if "bytea" in self.GAPS:
            return
        st, _, data = self.call("POST", "byte_count", b"\x00\x01\xff\x10",
                                **{"Content-Type": "application/octet-stream"})
        self.assertEqual((st, data), (200, b"4"))

    def test_not_found_hints_from_the_cache(self):
        # Error.hs noRpcHint: another name (>= 0.75), or the closest overload's parameters.
        self.assertErr(self.json("GET", "add_thm?a=1&b=2"), 404, "PGRST202",
                       "Could not find the function public.add_thm(a, b) in the schema cache",
                       "Searched for the function public.add_thm with parameters a, b, but no "
                       "matches were found in the schema cache.",
                       "Perhaps you meant to call the function public.add_them")
        self.assertErr(self.json("POST", "add_them", '{"a": 1}', **JSON), 404, "PGRST202",
                       "Could not find the function public.add_them(a) in the schema cache",
                       "Searched for the function public.add_them with parameter a or with a "
                       "single unnamed json/jsonb parameter, but no matches were found in the "
                       "schema cache.",
                       "Perhaps you meant to call the function public.add_them(a, b)")

    def test_raise(self):
        # P0001 is 400 with RAISE's message, detail and hint (Error.hs).
        self.assertErr(self.json("POST", "fail_custom", "{}", **JSON), 400, "P0001",
                       "Out of stock", "item 3 has none left", "Restock first")
        # PTxyz answers status xyz.
        self.assertErr(self.json("POST", "pay_first", "{}", **JSON), 402, "PT402",
                       "Payment Required", "Quota exceeded", "Upgrade your plan")

    def test_quota_runs_out(self):
        self.assertEqual(self.json("POST", "use_quota", '{"who": "ada"}', **JSON), (200, 1))
        self.assertEqual(self.json("POST", "use_quota", '{"who": "ada"}', **JSON), (200, 0))
        self.assertErr(self.json("POST", "use_quota", '{"who": "ada"}', **JSON), 429, "PT429",
                       "quota exhausted for ada")

    def test_read_only_transactions(self):
        # GET runs in a READ ONLY transaction whatever the volatility: 25006 is 405.
        self.assertErr(self.json("GET", "use_quota?who=nobody"), 405, "25006",
                       "cannot execute UPDATE in a read-only transaction")
        # A STABLE function runs READ ONLY on POST too.
        if "nested_calls" not in self.GAPS:
            self.assertErr(self.json("POST", "peek_quota", '{"who": "nobody"}', **JSON), 405, "25006",
                           "cannot execute UPDATE in a read-only transaction")
        # Postgres itself refuses a write in a non-volatile PL/pgSQL function.
        self.assertErr(self.json("POST", "sneaky_write", "{}", **JSON), 400, "0A000",
                       "INSERT is not allowed in a non-volatile function")

    def test_function_settings(self):
        if "settings" in self.GAPS:
            self.skipTest("pg_sleep and current_setting are not among this engine's functions")
        # txVarQuery's funcSettingsSql sets the function's statement_timeout
        # before the call (Postgres would arm it only for the next statement);
        # 57014 is 500 (Error.hs: '5':'7' operator intervention).
        self.assertErr(self.json("POST", "slow", "{}", **JSON), 500, "57014",
                       "canceling statement due to statement timeout")
        # planIsoLvl: the function's default_transaction_isolation.
        self.assertEqual(self.json("GET", "isolation"), (200, "serializable"))
        self.assertEqual(self.json("GET", "greet"), (200, "hello world"))

    def test_execute_privilege(self):
        # 42501 is 401 for anon (Error.hs mapSQLtoHTTP with authed False).
        self.assertErr(self.json("GET", "secret", key=ANON), 401, "42501",
                       "permission denied for function secret")
        self.assertEqual(self.json("GET", "secret"), (200, "classified"))

    def test_options_allow(self):
        # Response.hs RoutineInfoPlan: a volatile function allows only POST.
        st, hs, _ = self.call("OPTIONS", "get_items")
        self.assertEqual((st, header(hs, "Allow")), (200, "OPTIONS,GET,HEAD,POST"))
        st, hs, _ = self.call("OPTIONS", "ping")
        self.assertEqual((st, header(hs, "Allow")), (200, "OPTIONS,POST"))

    def test_max_affected(self):
        strict = {"Prefer": "max-affected=1, handling=strict"}
        strict.update(JSON)
        self.assertErr(self.json("POST", "add_them", '{"a": 1, "b": 2}', **strict), 400, "PGRST128",
                       "Function must return SETOF or TABLE when max-affected preference is used "
                       "with handling=strict")
        self.assertErr(self.json("POST", "get_items", "{}", **strict), 400, "PGRST124",
                       "Query result exceeds max-affected preference constraint",
                       "The query affects 3 rows")


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class RpcOnTheDatabaseEngine(RpcCases, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--project", project("rpc"), ready_timeout=READY).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()


if __name__ == "__main__":
    unittest.main()
