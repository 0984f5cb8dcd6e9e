"""Full-text search and range types on the memory engine, over HTTP: the
fts/plfts/phfts/wfts filters on tsvector, text and jsonb columns (PostgREST's
SqlFragment.hs writes `col @@ to_tsquery(...)` for tsvector columns and
`to_tsvector([lang,] col) @@ ...` for the others) and the range operators
(sl <<, sr >>, nxr &<, nxl &>, adj -|-, ov &&, cs @>, cd <@). Fixture:
tests/fixtures/fts-ranges; each expected row set is PostgreSQL 15's answer to
the SQL quoted beside it over the same schema.sql, and error statuses are
Error.hs's (42883 -> 404, other 42xxx and 22xxx -> 400).

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_fts_ranges.py
"""

import json
import os
import unittest
import urllib.parse

from harness import Supamock, source_dir

SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "fts-ranges")


class FtsRangesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", os.path.join(FIXTURE, "scenario.json"),
                            cwd=FIXTURE).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def get(self, query):
        q = urllib.parse.quote(query, safe="=&.,()[]:!|*-%")
        st, _, _, body = self.mock.request("GET", "/rest/v1/docs?" + q, headers={
            "apikey": SERVICE, "Authorization": "Bearer " + SERVICE})
        return st, json.loads(body)

    def ids(self, query):
        st, body = self.get("select=id&order=id&" + query)
        self.assertEqual(st, 200, body)
        return [r["id"] for r in body]

    def test_fts_filters(self):
        cases = {
            # select id from docs where tsv @@ to_tsquery('cat')
            "tsv=fts.cat": [1],
            # to_tsvector(body) @@ websearch_to_tsquery('fun -impossible')
            "body=wfts.fun -impossible": [],
            # to_tsvector('english', body) @@ phraseto_tsquery('english', 'fat cats')
            "body=phfts(english).fat cats": [1],
            # to_tsvector('simple', meta) @@ to_tsquery('simple', 'kind')
            "meta=fts(simple).kind": [2],
            # tsv @@ plainto_tsquery('simple', 'kind fun')
            "tsv=plfts(simple).kind fun": [2],
            # not (to_tsvector(body) @@ to_tsquery('rat | impossible')): NULL body is no row
            "body=not.fts.rat|impossible": [],
        }
        for query, want in cases.items():
            with self.subTest(query=query):
                self.assertEqual(self.ids(query), want)

    def test_values_on_the_wire(self):
        # select json_agg(row_to_json(d)) from (select id, tsv, during, stay, price from docs) d
        st, body = self.get("select=id,tsv,during,stay,price&order=id")
        self.assertEqual(st, 200, body)
        self.assertEqual(body, [
            {"id": 1, "tsv": "'ate':4 'cat':3 'fat':2 'rat':6", "during": "[1,5)",
             "stay": "[\"2024-01-01 10:00:00\",\"2024-01-01 12:00:00\")", "price": "[1.5,2.5]"},
            {"id": 2, "tsv": "'fun':5 'it':1 'kind':3 'of':4 's':2", "during": "[5,9)",
             "stay": "[\"2024-01-01 12:00:00\",)", "price": "(2.5,3)"},
            {"id": 3, "tsv": None, "during": "empty", "stay": None, "price": None},
            # int4range(10, 20, '[]'), tsrange('2024-02-01', null), numrange(1, 2, '()')
            {"id": 4, "tsv": None, "during": "[10,21)", "stay": "[\"2024-02-01 00:00:00\",)",
             "price": "(1,2)"}])

    def test_range_filters(self):
        cases = {
            "during=ov.[3,6)": [1, 2],       # during && '[3,6)'
            "during=sl.[6,10)": [1],         # during << '[6,10)'
            "during=adj.[5,6)": [1],         # during -|- '[5,6)'
            "during=cs.[2,3]": [1],          # during @> '[2,3]'
            "during=cd.[0,10)": [1, 2, 3],   # during <@ '[0,10)' (empty is in every range)
            "during=nxr.[0,5)": [1],         # during &< '[0,5)'
            "during=nxl.[5,6)": [2, 4],      # during &> '[5,6)'
            "during=sr.[0,1)": [1, 2, 4],    # during >> '[0,1)'
            "during=eq.[1,4]": [1],          # during = '[1,4]'
            "stay=ov.[2024-01-01 11:00,2024-01-01 11:30)": [1],
            "price=cs.[2,2.5]": [1],         # price @> '[2,2.5]'
            "during=adj.[21,30)": [4],       # during -|- '[21,30)'
        }
        for query, want in cases.items():
            with self.subTest(query=query):
                self.assertEqual(self.ids(query), want)
        # select id from docs order by during: empty first, then by bounds
        st, body = self.get("select=id&order=during")
        self.assertEqual([r["id"] for r in body], [3, 1, 2, 4])

    def test_errors(self):
        cases = {
            "id=fts.x": (404, {"code": "42883", "details": None, "hint":
                               "No function matches the given name and argument types. You "
                               "might need to add explicit type casts.",
                               "message": "function to_tsvector(integer) does not exist"}),
            "body=fts(klingon).x": (400, {"code": "42704", "details": None, "hint": None,
                                          "message": "text search configuration \"klingon\" "
                                                     "does not exist"}),
            "tsv=fts.fun %26": (400, {"code": "42601", "details": None, "hint": None,
                                    "message": "no operand in tsquery: \"fun &\""}),
            "during=ov.5": (400, {"code": "22P02", "hint": None,
                                  "details": "Missing left parenthesis or bracket.",
                                  "message": "malformed range literal: \"5\""}),
            "body=sl.x": (404, {"code": "42883", "details": None, "hint":
                                "No operator matches the given name and argument types. You "
                                "might need to add explicit type casts.",
                                "message": "operator does not exist: text << unknown"}),
        }
        for query, want in cases.items():
            with self.subTest(query=query):
                self.assertEqual(self.get("select=id&" + query), want)


if __name__ == "__main__":
    unittest.main()
