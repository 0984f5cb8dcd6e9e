"""PostgREST's db-pre-request on the database engine.

A Supabase project configures it in the database (`alter role authenticator
set pgrst.db_pre_request = ...`; PostgREST's Config/Database.hs reads
db_pre_request), and PostgREST calls the function in every request's
transaction after the transaction variables and before the main statement
(MainTx.hs, Query/PreQuery.hs preReqQuery). The project folder
tests/fixtures/projects/db-config holds the functions of PostgREST's own test
fixture (test/spec/fixtures/schema.sql: custom_headers, switch_role,
get_current_user); every request and expectation below is from
test/spec/Feature/RpcPreRequestGucsSpec.hs or test/spec/Feature/Auth/AuthSpec.hs
("custom pre-request proc acting on id claim").
"""

import json
import os
import unittest

from harness import Supamock
from test_pg_project import PG_BIN, READY, JWT_SECRET, project
from test_scenarios import SERVICE, ANON, JSON_CT, mint


def header(headers, name):
    values = [v for k, v in headers if k.lower() == name.lower()]
    return values[0] if values else None


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class PreRequest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--project", project("db-config"), ready_timeout=READY)
        cls.mock.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.mock.__exit__(None, None, None)

    def setUp(self):
        status, _, _, _ = self.mock.request("POST", "/__mock/reset")
        self.assertEqual(status, 200)

    def call(self, method, path, body=None, bearer=ANON, **extra):
        h = {"apikey": ANON, "Authorization": "Bearer " + bearer}
        if body is not None:
            h["Content-Type"] = JSON_CT
        h.update({k.replace("_", "-"): v for k, v in extra.items()})
        status, _, headers, data = self.mock.request(
            method, "/rest/v1" + path, body=json.dumps(body) if body is not None else None,
            headers=h)
        return status, headers, data

    # RpcPreRequestGucsSpec.hs: "GUC headers on all methods via pre-request".
    def test_headers_on_post(self):
        status, headers, body = self.call("POST", "/items", [{"id": 11111}], bearer=SERVICE)
        self.assertEqual(status, 201)
        self.assertIsNone(header(headers, "Content-Type"))
        self.assertEqual(header(headers, "X-Custom-Header"), "mykey=myval")
        self.assertEqual(body, b"")

    def test_headers_on_get_and_head(self):
        status, headers, body = self.call("GET", "/items?id=eq.1", User_Agent="MSIE 6.0")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), [{"id": 1}])
        self.assertEqual(header(headers, "Cache-Control"), "no-cache, no-store, must-revalidate")
        status, headers, body = self.call("HEAD", "/items?id=eq.1", User_Agent="MSIE 7.0")
        self.assertEqual(status, 200)
        self.assertTrue(header(headers, "Content-Type").startswith("application/json"))
        self.assertEqual(header(headers, "Cache-Control"), "no-cache, no-store, must-revalidate")
        status, headers, body = self.call("HEAD", "/projects", Accept="text/csv")
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Content-Type"), "text/csv; charset=utf-8")
        self.assertEqual(header(headers, "Content-Disposition"),
                         "attachment; filename=projects.csv")

    def test_headers_on_patch_put_delete(self):
        for method, path, body in (("PATCH", "/items?id=eq.1", [{"id": 11111}]),
                                   ("PUT", "/items?id=eq.1", [{"id": 1}]),
                                   ("DELETE", "/items?id=eq.1", None)):
            with self.subTest(method=method):
                status, headers, data = self.call(method, path, body, bearer=SERVICE)
                self.assertEqual(status, 204)
                self.assertIsNone(header(headers, "Content-Type"))
                self.assertIsNone(header(headers, "Content-Length"))
                self.assertEqual(header(headers, "X-Custom-Header"), "mykey=myval")

    def test_content_type_override(self):
        status, headers, _ = self.call("HEAD", "/clients?id=eq.1")
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Content-Type"), "application/custom+json")
        status, headers, _ = self.call("HEAD", "/rpc/getallprojects")
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "Content-Type"), "application/custom+json")

    # AuthSpec.hs: "custom pre-request proc acting on id claim" (tokens with an
    # id and no role claim: the anonymous role, which switch_role changes).
    def test_switching_the_role_on_a_claim(self):
        for uid, role in ((1, "postgrest_test_author"), (2, "postgrest_test_default_role")):
            with self.subTest(id=uid):
                status, _, body = self.call("POST", "/rpc/get_current_user", {},
                                            bearer=mint({"id": uid}, JWT_SECRET))
                self.assertEqual(status, 200)
                self.assertEqual(json.loads(body), role)
        status, _, body = self.call("POST", "/rpc/get_current_user", {},
                                    bearer=mint({"id": 3}, JWT_SECRET))
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body), {"hint": "Please contact administrator",
                                            "details": None, "code": "P0001",
                                            "message": "Disabled ID --> 3"})


if __name__ == "__main__":
    unittest.main()
