"""POST /__mock/sql with SELECT/INSERT/UPDATE/DELETE, the same SQL on both
engines: the memory engine's executor and the database engine's PostgreSQL 15
must answer alike. Expected values: what PostgreSQL 15 returns for these
statements over tests/fixtures/sql-basic.json (notes: (1, 'hello')) and
scenarios/default.json (the demo profile), in pg_mock_sql.c's answer form
(command tags as CommandComplete sends them, rows as JSON objects with
numbers and booleans bare); errors with Postgres's SQLSTATE, message and
position (parse_relation.c, nbtinsert.c _bt_check_unique).
"""

import json
import os
import unittest

from harness import Supamock, source_dir

PG_BIN = "/usr/lib/postgresql/15/bin/postgres"
FIXTURE = os.path.join(source_dir(), "tests", "fixtures", "sql-basic.json")
READY = 120.0


class DataStatements:
    """The cases; a subclass picks the engine."""

    args = ()

    @classmethod
    def setUpClass(cls):
        cls.mock = Supamock("--scenario", FIXTURE, *cls.args, ready_timeout=READY).start()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def sql(self, text, status=200):
        st, _, _, data = self.mock.request("POST", "/__mock/sql", body=json.dumps({"sql": text}),
                                           headers={"Content-Type": "application/json"})
        self.assertEqual(st, status, data)
        return json.loads(data)

    def test_select_expressions(self):
        self.assertEqual(
            self.sql("select 1 + 1 as two, 'a' || 'b' as ab, 7 / 2 as q, 7.0 / 2 as r, "
                     "null::text as n, 2 > 1 as t"),
            {"results": [{"command": "SELECT 1", "rows": [
                {"two": 2, "ab": "ab", "q": 3, "r": 3.5000000000000000, "n": None, "t": True}]}]})

    def test_write_round_trip(self):
        body = self.sql("insert into notes (id, body) values (10, 'x'), (11, 'y') "
                        "returning id, upper(body) as up; "
                        "update notes set body = body || '!' where id >= 10; "
                        "select id, body from notes where id >= 10 order by id desc; "
                        "delete from notes where id >= 10; "
                        "select count(*) from notes")
        self.assertEqual(body, {"results": [
            {"command": "INSERT 0 2", "rows": [{"id": 10, "up": "X"}, {"id": 11, "up": "Y"}]},
            {"command": "UPDATE 2"},
            {"command": "SELECT 2", "rows": [{"id": 11, "body": "y!"}, {"id": 10, "body": "x!"}]},
            {"command": "DELETE 2"},
            {"command": "SELECT 1", "rows": [{"count": 1}]}]})

    def test_aggregates_and_joins(self):
        body = self.sql("select count(*) as n, max(id) as top, string_agg(body, ',') as bodies "
                        "from notes")
        self.assertEqual(body["results"][0]["rows"], [{"n": 1, "top": 1, "bodies": "hello"}])
        body = self.sql("select n.id, p.id is not null as matched from notes n "
                        "left join notes p on p.id = n.id + 1")
        self.assertEqual(body["results"][0]["rows"], [{"id": 1, "matched": False}])

    def test_subqueries_in_from_and_with(self):
        # A subquery in FROM, a WITH query read twice, a column list on the
        # subquery's alias; the values are PostgreSQL 15's (both engines run
        # this test, the database engine is the oracle).
        body = self.sql("select s.k, s.b from (select id as k, body as b from notes) s; "
                        "with w as (select id from notes), v as (select id + 1 as id from w) "
                        "select w.id, v.id as next from w, v; "
                        "select x.a from (select id from notes) as x(a)")
        self.assertEqual(body, {"results": [
            {"command": "SELECT 1", "rows": [{"k": 1, "b": "hello"}]},
            {"command": "SELECT 1", "rows": [{"id": 1, "next": 2}]},
            {"command": "SELECT 1", "rows": [{"a": 1}]}]})
        body = self.sql("select * from (select 1)", status=400)
        self.assertEqual(body["error"], "subquery in FROM must have an alias")
        self.assertEqual(body["code"], "42601")

    def test_order_and_limit_in_subqueries(self):
        # A scalar subquery with ORDER BY and LIMIT (as RLS policies and SQL
        # functions write "the latest row"), OFFSET, EXISTS over an empty
        # window, and IN over a limited one; PostgreSQL 15's values.
        body = self.sql("select (select g from generate_series(1, 5) g order by g desc limit 1) "
                        "as top, (select g from generate_series(1, 5) g order by 1 offset 2 "
                        "limit 1) as third, exists (select 1 from notes limit 0) as none, "
                        "3 in (select g from generate_series(1, 5) g order by g limit 2) as early, "
                        "(select body from notes order by id limit 1) as first")
        self.assertEqual(body["results"][0]["rows"], [
            {"top": 5, "third": 3, "none": False, "early": False, "first": "hello"}])
        body = self.sql("select (select g from generate_series(1, 3) g limit -1)", status=400)
        self.assertEqual((body["code"], body["error"]), ("2201W", "LIMIT must not be negative"))

    def test_name_type(self):
        # name (NAMEDATALEN 64): input past 63 bytes is cut on a character
        # boundary, C collation, text operators through name = text
        body = self.sql("select ('" + "\u00e9" * 40 + "')::name as n, 'b'::name < 'a'::name as lt, "
                        "'abc'::name like 'a%' as lk, 'x'::name || 'y' as cat, "
                        "current_user = 'postgres' as cu")
        self.assertEqual(body["results"][0]["rows"], [
            {"n": "\u00e9" * 31, "lt": False, "lk": True, "cat": "xy", "cu": True}])

    def test_union(self):
        # UNION removes duplicates, ALL keeps them; the types widen; ORDER BY
        # and LIMIT apply to the whole (PostgreSQL 15's answers)
        body = self.sql("select g as n from generate_series(1, 3) g union "
                        "select g from generate_series(2, 4) g order by n desc; "
                        "select 1 as a union all select 1 union all select 2.5 order by 1 limit 2; "
                        "select count(*) as c from (select id from notes union all "
                        "select id from notes) u")
        self.assertEqual(body, {"results": [
            {"command": "SELECT 4", "rows": [{"n": 4}, {"n": 3}, {"n": 2}, {"n": 1}]},
            {"command": "SELECT 2", "rows": [{"a": 1}, {"a": 1}]},
            {"command": "SELECT 1", "rows": [{"c": 2}]}]})
        body = self.sql("select 1 union select 'x'::text", status=400)
        self.assertEqual((body["code"], body["error"]),
                         ("42804", "UNION types integer and text cannot be matched"))
        body = self.sql("select 1 as a union select 2, 3", status=400)
        self.assertEqual((body["code"], body["error"]),
                         ("42601", "each UNION query must have the same number of columns"))

    def test_generate_series_in_from(self):
        body = self.sql("select g from generate_series(1, 3) g; "
                        "select generate_series from generate_series(10, 1, -4); "
                        "select count(*) as n from generate_series(5, 1); "
                        "select x.n from generate_series(1::bigint, 2) as x(n)")
        self.assertEqual(body, {"results": [
            {"command": "SELECT 3", "rows": [{"g": 1}, {"g": 2}, {"g": 3}]},
            {"command": "SELECT 3", "rows": [{"generate_series": 10}, {"generate_series": 6},
                                             {"generate_series": 2}]},
            {"command": "SELECT 1", "rows": [{"n": 0}]},
            {"command": "SELECT 2", "rows": [{"n": 1}, {"n": 2}]}]})
        body = self.sql("select * from generate_series(1, 3, 0)", status=400)
        self.assertEqual((body["code"], body["error"]), ("22023", "step size cannot equal zero"))

    def test_range_constructors(self):
        body = self.sql("select int4range(1, 5) as a, int4range(1, 5, '[]') as b, "
                        "int8range(null, 3) as c, numrange(1.5, 2.25, '(]') as d, "
                        "daterange('2020-01-01', '2020-01-05') as e, int4range(3, 3) as f, "
                        "tsrange('2018-10-11 10:00', null) as g")
        self.assertEqual(body["results"][0]["rows"], [
            {"a": "[1,5)", "b": "[1,6)", "c": "(,3)", "d": "(1.5,2.25]",
             "e": "[2020-01-01,2020-01-05)", "f": "empty", "g": "[\"2018-10-11 10:00:00\",)"}])
        # random(): its values are the engine's own (the memory engine's follow
        # --seed), in [0, 1) on both
        body = self.sql("select random() >= 0 and random() < 1 as ok")
        self.assertEqual(body["results"][0]["rows"], [{"ok": True}])
        body = self.sql("select int4range(1, 2, 'x')", status=400)
        self.assertEqual((body["code"], body["error"]), ("42601", "invalid range bound flags"))

    def test_failing_batch_changes_nothing(self):
        body = self.sql("insert into notes (id, body) values (20, 'z'); "
                        "insert into notes (id, body) values (1, 'dup')", status=400)
        self.assertEqual(body, {"error": "duplicate key value violates unique constraint "
                                         "\"notes_pkey\"",
                                "code": "23505", "details": "Key (id)=(1) already exists.",
                                "statement": 2})
        self.assertEqual(self.sql("select count(*) from notes where id = 20")["results"][0]["rows"],
                         [{"count": 0}])

    def test_analysis_error_position(self):
        body = self.sql("select nope from notes", status=400)
        # psql: ERROR: column "nope" does not exist, LINE 1: select nope ... (position 8)
        self.assertEqual(body, {"error": "column \"nope\" does not exist", "code": "42703",
                                "position": 8, "statement": 1})
        # psql: HINT: Perhaps you meant to reference the column "notes.body".
        body = self.sql("select bdy from notes", status=400)
        self.assertEqual(body, {"error": "column \"bdy\" does not exist", "code": "42703",
                                "hint": "Perhaps you meant to reference the column "
                                        "\"notes.body\".",
                                "position": 8, "statement": 1})


class OnTheMemoryEngine(DataStatements, unittest.TestCase):
    args = ()


@unittest.skipUnless(os.path.exists(PG_BIN), "PostgreSQL 15 (Debian's postgresql-15) is not installed")
class OnTheDatabaseEngine(DataStatements, unittest.TestCase):
    args = ("--db", "postgres")


if __name__ == "__main__":
    unittest.main()
