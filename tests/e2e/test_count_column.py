"""`count` as a column name (AggregateFunctionsSpec.hs "performing a count by
using it as a column (backwards compat)"): PostgREST v14's select parser
reads `count` as a plain field (QueryParams.hs pFieldSelect; pRelationSelect
refuses the name) and writes `"tbl"."count"`, which Postgres reads, when the
table has no such column, in functional notation as count(tbl): the
aggregate over whole rows. It is no aggregate item to PostgREST, so
db-aggregates-enabled does not gate it and nothing is grouped by the other
fields (42803). Over tests/fixtures/datarep's tables; every expectation is
PostgreSQL 15's answer (the test runs on the database engine too,
SUPAMOCK_ENGINE=postgres).

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_count_column.py
"""

import json
import os
import unittest
import urllib.parse

from harness import Supamock, source_dir

SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "datarep")


class CountColumnTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", os.path.join(FIXTURE, "scenario.json"),
                            cwd=FIXTURE).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def get(self, path):
        path = urllib.parse.quote(path, safe="/?=&.,()[]{}:!|*-%")
        st, _, _, raw = self.mock.request("GET", "/rest/v1" + path, headers={
            "apikey": SERVICE, "Authorization": "Bearer " + SERVICE})
        return st, json.loads(raw)

    def test_count_of_rows(self):
        # The fixture's scenario leaves db-aggregates-enabled off.
        self.assertEqual(self.get("/items?select=count"), (200, [{"count": 3}]))
        self.assertEqual(self.get("/items?select=count&price=gt.4"), (200, [{"count": 1}]))
        # An alias names it, a cast applies to the count.
        self.assertEqual(self.get("/items?select=n:count::text"), (200, [{"n": "3"}]))

    def test_in_embeds(self):
        self.assertEqual(self.get("/items?select=id,orders(count)&order=id"), (200, [
            {"id": 1, "orders": [{"count": 1}]}, {"id": 2, "orders": [{"count": 1}]},
            {"id": 3, "orders": [{"count": 0}]}]))
        self.assertEqual(self.get("/orders?select=id,items(count)&order=id"), (200, [
            {"id": 1, "items": {"count": 1}}, {"id": 2, "items": {"count": 1}}]))

    def test_other_columns_are_not_grouped(self):
        st, body = self.get("/items?select=count,tag")
        self.assertEqual((st, body["code"], body["message"]), (
            400, "42803",
            'column "items.tag" must appear in the GROUP BY clause or be used in an aggregate '
            'function'))
        st, body = self.get("/items?select=id,orders(count,id)")
        self.assertEqual((st, body["code"], body["message"]), (
            400, "42803",
            'column "orders_1.id" must appear in the GROUP BY clause or be used in an aggregate '
            'function'))


if __name__ == "__main__":
    unittest.main()
