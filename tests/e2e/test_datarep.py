"""Data representations (PostgREST's "Domain Representations"): a column of a
domain with CREATE CAST ... WITH FUNCTION ... AS IMPLICIT to json and from
text/json goes out through its domain -> json function, is filtered through
text -> domain and written through json -> domain, as PostgREST v14 applies
them (SchemaCache.hs dataRepresentations; Plan.hs withOutputFormat,
withTextParse, withJsonParse; SqlFragment.hs pgFmtTableCoerce,
pgFmtUnknownLiteralForField, pgFmtArrayLiteralForField, pgFmtCoerceNamed).
Fixture: tests/fixtures/datarep. Every expectation is PostgreSQL 15's
answer over the same SQL: the test runs on the database engine too
(SUPAMOCK_ENGINE=postgres, the e2e-postgres ctest entry).

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_datarep.py
"""

import json
import os
import subprocess
import unittest
import urllib.parse

from harness import Supamock, binary, source_dir

SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "datarep")


class DatarepTest(unittest.TestCase):
    def setUp(self):
        self.mock = Supamock("--scenario", os.path.join(FIXTURE, "scenario.json"),
                             cwd=FIXTURE).start()

    def tearDown(self):
        self.mock.stop()

    def call(self, method, path, body=None):
        path = urllib.parse.quote(path, safe="/?=&.,()[]{}:!|*-%")
        headers = {"apikey": SERVICE, "Authorization": "Bearer " + SERVICE}
        if body is not None:
            headers["Content-Type"] = "application/json"
            headers["Prefer"] = "return=representation"
        st, _, _, raw = self.mock.request(method, "/rest/v1" + path, headers=headers,
                                          body=json.dumps(body).encode() if body is not None
                                          else None)
        return st, json.loads(raw) if raw else None

    def get(self, path):
        return self.call("GET", path)

    def test_read_through_the_json_representation(self):
        # json(label) upper-cases, json(cents) divides by 100; a NULL goes
        # through too (to_json(upper(NULL)) is NULL). `note`'s cast is not
        # implicit: no representation, the value as it is.
        self.assertEqual(self.get("/items?order=id"), (200, [
            {"id": 1, "tag": "RED", "price": 12, "note": "a"},
            {"id": 2, "tag": "GREEN", "price": 3, "note": "b"},
            {"id": 3, "tag": None, "price": None, "note": None}]))
        # An alias keeps it; a ::cast applies to the representation.
        self.assertEqual(self.get("/items?select=id,t:tag,p:price::text&id=lt.3&order=id"), (200, [
            {"id": 1, "t": "RED", "p": "12"}, {"id": 2, "t": "GREEN", "p": "3"}]))
        # In an embedded resource as well.
        self.assertEqual(self.get("/orders?select=id,total,items(tag,price)&order=id"), (200, [
            {"id": 1, "total": 24, "items": {"tag": "RED", "price": 12}},
            {"id": 2, "total": 7, "items": {"tag": "GREEN", "price": 3}}]))

    def test_view_columns_keep_their_domains(self):
        # A table's column read through a view keeps its domain, a column
        # written expr::cents is of it, one cast to integer is not.
        self.assertEqual(self.get("/items_doubled?order=id"), (200, [
            {"id": 1, "tag": "RED", "doubled": 24, "raw": 1200},
            {"id": 2, "tag": "GREEN", "doubled": 7, "raw": 350},
            {"id": 3, "tag": None, "doubled": None, "raw": None}]))
        self.assertEqual(self.get("/items_doubled?select=id&doubled=gt.7&tag=eq.red"),
                         (200, [{"id": 1}]))

    def test_filters_through_the_text_representation(self):
        # cents('4') = 400: the operand goes through the function.
        self.assertEqual(self.get("/items?price=gt.4&select=id"), (200, [{"id": 1}]))
        self.assertEqual(self.get("/items?price=neq.12&select=id"), (200, [{"id": 2}]))
        self.assertEqual(self.get("/items?price=in.(12,3.5)&select=id&order=id"),
                         (200, [{"id": 1}, {"id": 2}]))
        # The function's own error is the request's.
        st, body = self.get("/items?price=eq.zz")
        self.assertEqual((st, body["code"], body["message"]),
                         (400, "22P02", 'invalid input syntax for type numeric: "zz"'))
        # label('RED') with an unknown-typed operand is a coercion to the
        # domain over text (func_get_detail: typename(arg)), not a call: the
        # stored 'red' is not 'RED'. in.() hands the function text, which it
        # takes exactly: lower() runs.
        self.assertEqual(self.get("/items?tag=eq.RED&select=id"), (200, []))
        self.assertEqual(self.get("/items?tag=eq.red&select=id"), (200, [{"id": 1}]))
        self.assertEqual(self.get("/items?tag=in.(RED,Green)&select=id&order=id"),
                         (200, [{"id": 1}, {"id": 2}]))
        # An embedded filter.
        self.assertEqual(self.get("/orders?select=id,items!inner(price)&items.price=lt.10"),
                         (200, [{"id": 2, "items": {"price": 3}}]))
        # op(any) hands the function the whole array literal: its result is
        # no array.
        st, body = self.get("/items?price=eq(any).{12,3.5}")
        self.assertEqual((st, body["code"], body["message"]),
                         (400, "42809", "op ANY/ALL (array) requires array on right side"))

    def test_writes_through_the_json_representation(self):
        st, body = self.call("POST", "/items?select=id,tag,price,note", [
            {"id": 9, "tag": "Blue", "price": 4.5, "note": "n"},
            {"id": 10, "tag": None, "price": None, "note": None}])
        self.assertEqual((st, body), (201, [
            {"id": 9, "tag": "BLUE", "price": 4, "note": "n"},
            {"id": 10, "tag": None, "price": None, "note": None}]))
        # Kept in the domain's own form: 450 cents, 'blue'.
        self.assertEqual(self.get("/items?price=eq.4.5&tag=eq.blue&select=id"),
                         (200, [{"id": 9}]))
        st, body = self.call("PATCH", "/items?id=eq.1&select=id,tag,price",
                             {"tag": "Pink", "price": 0.25})
        self.assertEqual((st, body), (200, [{"id": 1, "tag": "PINK", "price": 0}]))
        st, body = self.call("PUT", "/items?id=eq.5&select=*", {"id": 5, "tag": "X", "price": 1})
        self.assertEqual((st, body), (201, [{"id": 5, "tag": "X", "price": 1, "note": None}]))
        # cents(json) reads the JSON's text: a string keeps its quotes.
        st, body = self.call("POST", "/items", {"id": 11, "price": "abc"})
        self.assertEqual((st, body["code"], body["message"]),
                         (400, "22P02", 'invalid input syntax for type numeric: ""abc""'))

    def test_casts_the_memory_engine_leaves_out_are_noticed(self):
        # The representations load silently; a cast that is none (not AS
        # IMPLICIT: pg_cast's castcontext 'e') is said, with its place.
        out = subprocess.run([binary(), "validate", os.path.join(FIXTURE, "scenario.json")],
                             capture_output=True, text=True, cwd=FIXTURE)
        self.assertEqual(out.returncode, 0, out.stderr)
        notes = [l for l in out.stderr.splitlines() if "cast" in l]
        self.assertEqual(len(notes), 1, out.stderr)
        self.assertIn("schema.sql:48:1: note: create cast (public.plain as json)", notes[0])


if __name__ == "__main__":
    unittest.main()
