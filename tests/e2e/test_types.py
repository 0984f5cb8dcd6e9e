"""Column types on the wire: what row_to_json writes for each (jsonb with
jsonb spacing, json verbatim, numbers bare), request-body values reaching
Postgres's input functions as the client spelt them, sequences, and the
operators that only some types have. Fixture: tests/fixtures/types.json."""

import json
import os
import unittest

from harness import Supamock, header, source_dir

SERVICE = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZp"
           "Y2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")
FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "types.json")


def error(code, message, details=None, hint=None):
    return json.dumps({"code": code, "details": details, "hint": hint, "message": message},
                      separators=(",", ":"), ensure_ascii=False).encode()


class TypesTest(unittest.TestCase):
    def setUp(self):
        self.mock = Supamock("--scenario", FIXTURE).start()

    def tearDown(self):
        self.mock.stop()

    def req(self, method, path, body=None, **headers):
        h = {"apikey": SERVICE, "Authorization": "Bearer " + SERVICE}
        h.update({k.replace("_", "-"): v for k, v in headers.items()})
        if body is not None:
            h["Content-Type"] = "application/json"
        return self.mock.request(method, "/rest/v1/" + path, body=body, headers=h)

    def insert(self, raw):
        return self.req("POST", "items", raw, Prefer="return=representation")

    def test_values_keep_their_spelling(self):
        # The body is sent as raw text: numbers must not pass through a double.
        st, _, _, body = self.insert(
            b'{"price": 1.50, "big": 9007199254740993, "data": {"b": 1, "a": [1, 2.50]},'
            b' "doc": {"b": 1,  "a": 2}, "tags": ["x", "y z"], "ok": true}')
        self.assertEqual(st, 201, body)
        # numeric keeps its scale; int8 is exact; jsonb is canonical (keys by
        # length then bytes, ", " and ": "); json is the input text verbatim;
        # the enum default applies; bigserial starts at 1.
        self.assertEqual(body, b'[{"id":1,"price":1.50,"big":9007199254740993,'
                               b'"data":{"a": [1, 2.50], "b": 1},"doc":{"b": 1,  "a": 2},'
                               b'"tags":["x","y z"],"status":"draft","ok":true}]')

    def test_sequence_is_consumed_by_failed_inserts(self):
        def post(raw):
            return self.req("POST", "events", raw, Prefer="return=representation")
        self.assertEqual(post(b'{"label": "a"}')[3], b'[{"id":1,"label":"a"}]')
        # The NOT NULL check runs after the defaults, so nextval has been taken.
        st, _, _, body = post(b'{"label": null}')
        self.assertEqual(st, 400)
        self.assertEqual(json.loads(body)["details"], "Failing row contains (2, null).")
        # Sequences never reuse a value, even after a failed insert.
        self.assertEqual(post(b'{"label": "b"}')[3], b'[{"id":3,"label":"b"}]')

    def test_bad_numeric(self):
        st, _, _, body = self.insert(b'{"price": "abc"}')
        self.assertEqual((st, body), (400, error("22P02", 'invalid input syntax for type numeric: "abc"')))

    def test_integer_from_a_fractional_json_number(self):
        # json_populate_record hands the number's text to int8's input function.
        st, _, _, body = self.insert(b'{"big": 1.5}')
        self.assertEqual((st, body), (400, error("22P02", 'invalid input syntax for type bigint: "1.5"')))

    def test_bad_enum_label(self):
        st, _, _, body = self.insert(b'{"status": "gone"}')
        self.assertEqual((st, body),
                         (400, error("22P02", 'invalid input value for enum item_status: "gone"')))

    def test_array_and_json_operators(self):
        self.insert(b'{"tags": ["a", "b"], "data": {"k": "v", "n": 1}}')
        self.insert(b'{"tags": ["c"], "data": {"k": "w"}}')
        cases = {
            "items?select=id&tags=cs.{a}": [1],
            "items?select=id&tags=cd.{a,b,c}": [1, 2],
            "items?select=id&tags=ov.{c,d}": [2],
            "items?select=id&data->>k=eq.w": [2],
            "items?select=id&data=cs.%7B%22n%22%3A1%7D": [1],
            "items?select=id&order=data->>k.desc": [2, 1],
        }
        for path, ids in cases.items():
            with self.subTest(path=path):
                st, _, _, body = self.req("GET", path)
                self.assertEqual(st, 200, body)
                self.assertEqual([r["id"] for r in json.loads(body)], ids)

    def test_json_path_select_names_the_key(self):
        self.insert(b'{"data": {"k": "v", "nested": {"x": [10, 20]}}}')
        st, _, _, body = self.req("GET", "items?select=k:data->>k,data->nested->x->1")
        # A JSON path is named after its last key, an index being no key
        # (Plan.hs lastJsonKey: data->1->mycol->>2 is "mycol"); -> yields
        # jsonb, ->> text.
        self.assertEqual((st, body), (200, b'[{"k":"v","x":20}]'))

    def test_like_on_a_non_text_column_has_no_operator(self):
        st, _, _, body = self.req("GET", "items?price=like.1*")
        # 42883 is 404 in PostgREST's status mapping (Error.hs pgErrorStatus).
        self.assertEqual((st, body), (404, error(
            "42883", "operator does not exist: numeric ~~ unknown",
            hint="No operator matches the given name and argument types. You might need to add "
                 "explicit type casts.")))

    def test_csv(self):
        self.insert(b'{"price": 2.5, "tags": ["a b", "c"], "ok": false}')
        st, _, hs, body = self.req("GET", "items?select=id,price,tags,ok,doc", Accept="text/csv")
        self.assertEqual(st, 200)
        self.assertEqual(header(hs, "Content-Type"), "text/csv; charset=utf-8")
        # Header row, then composite-text records: arrays as {..} quoted because
        # of the comma, booleans as t/f, NULL empty.
        self.assertEqual(body, b'id,price,tags,ok,doc\n1,2.5,"{""a b"",c}",f,')


if __name__ == "__main__":
    unittest.main()
