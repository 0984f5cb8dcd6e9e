"""CSV request bodies (Content-Type: text/csv) on /rest/v1, as PostgREST's
ApiRequest/Payload.hs reads them (csvToJson: the header names the keys,
NULL is null, every record must give the same keys), over PostgREST's own
spec fixture (tests/conformance/postgrest). Expectations are the "CSV insert"
cases of PostgREST v14's test/spec/Feature/Query/InsertSpec.hs (lines cited),
plus what follows from Payload.hs for the rest. Runs on both engines
(e2e-postgres/test_csv_body runs it with --db postgres).

Run: SUPAMOCK_BIN=build/X/supamock SUPAMOCK_SOURCE_DIR=$PWD python3 -m unittest tests/e2e/test_csv_body.py
"""

import json
import os
import unittest

from test_conformance import spec_headers
from harness import Supamock, source_dir

# PostgREST's spec fixture creates a foreign server and loads as a superuser
# in PostgREST's own test setup: on the database engine its SQL runs as the
# administrator only when trusted so (pg_load.c).
os.environ["SUPAMOCK_PG_TRUST_SQL"] = "1"

FIXTURE = os.path.join(source_dir(), "tests", "conformance", "postgrest")
SCENARIO = os.path.join(FIXTURE, "scenario.json")
CLOCK = "2026-01-01T00:00:00Z"
INSERT = "test/spec/Feature/Query/InsertSpec.hs"


class CsvBodies(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.headers = spec_headers(SCENARIO, FIXTURE)
        cls.mock = Supamock("--scenario", SCENARIO, "--clock", CLOCK, cwd=FIXTURE,
                            ready_timeout=120).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def setUp(self):
        st, _, _, _ = self.mock.request("POST", "/__mock/reset", body="{}",
                                        headers={"Content-Type": "application/json"})
        self.assertEqual(st, 200)

    def post(self, path, body, accept="text/csv", prefer="return=representation"):
        h = dict(self.headers)
        h.update({"Content-Type": "text/csv", "Accept": accept, "Prefer": prefer})
        st, _, hs, out = self.mock.request("POST", "/rest/v1" + path, body=body, headers=h)
        return st, {k.lower(): v for k, v in hs}, out

    def test_full_representation(self):
        # InsertSpec.hs:642 "returns full details of inserted record"
        st, hs, body = self.post("/no_pk", "a,b\nbar,baz")
        self.assertEqual((st, body), (201, b"a,b\nbar,baz"))
        self.assertEqual(hs["content-type"], "text/csv; charset=utf-8")

    def test_nulls(self):
        # InsertSpec.hs:651 "can post nulls"
        st, hs, body = self.post("/no_pk", "a,b\nNULL,foo")
        self.assertEqual((st, body), (201, b"a,b\n,foo"))

    def test_only_the_selected_column(self):
        # InsertSpec.hs:660 "only returns the requested column header with its
        # associated data"
        st, hs, body = self.post("/projects?select=id", "id,name,client_id\n8,Xenix,1\n9,Windows NT,1")
        self.assertEqual((st, body), (201, b"id\n8\n9"))
        self.assertEqual(hs["content-range"], "*/*")

    def test_too_few_fields(self):
        # InsertSpec.hs:671 "fails for too few"
        st, hs, body = self.post("/no_pk", "a,b\nfoo,bar\nbaz", accept="application/json",
                                 prefer="")
        self.assertEqual(st, 400)
        self.assertEqual(json.loads(body), {"message": "All lines must have same number of fields",
                                            "code": "PGRST102", "details": None, "hint": None})

    def test_quotes_crlf_and_json_out(self):
        # RFC 4180 as cassava reads it: quoted fields with "" for a quote and
        # line breaks inside, CRLF between records; a quoted "NULL" is null
        # too (csvToJson compares the decoded bytes); an empty field is "".
        st, hs, body = self.post("/no_pk", 'a,b\r\n"x,""y""\nz",""\r\n"NULL",w\r\n',
                                 accept="application/json")
        self.assertEqual(st, 201, body)
        self.assertEqual(json.loads(body), [{"a": 'x,"y"\nz', "b": ""}, {"a": None, "b": "w"}])

    def test_header_only_inserts_nothing(self):
        # No records: csvToJson gives [], an empty insert (Payload.hs
        # payloadAttributes: emptyPJArray).
        st, hs, body = self.post("/no_pk", "a,b\n", accept="application/json")
        self.assertEqual((st, json.loads(body)), (201, []))


if __name__ == "__main__":
    unittest.main()
